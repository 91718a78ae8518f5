//! Needs: their rows, inserts, reads and edits.

use sqlx::{Any, Transaction};

use super::edit::{Change, Edit, Edited, claim_version_in, set_status_in};
use super::stakeholders::stakeholder_status_in;
use super::{StatusFilter, child_status, meta};
use crate::domain::need::{Need, NeedData};
use crate::domain::offering::LinkageKind;
use crate::domain::record::{Provenance, Status, now_timestamp};
use crate::store::changes::{self, Entity};
use crate::store::{Store, StoreError, StoreResult, new_id};

#[derive(sqlx::FromRow)]
pub(in crate::store) struct NeedRow {
    id: String,
    stakeholder_id: String,
    district: String,
    kind: String,
    title: String,
    description: Option<String>,
    sector: Option<String>,
    amount_inr: Option<i64>,
    attendees: Option<i64>,
    status: String,
    created_via: String,
    created_by: String,
    created_at: String,
    updated_at: String,
    version: i64,
    updated_by: Option<String>,
    demo: i64,
}

impl TryFrom<NeedRow> for Need {
    type Error = StoreError;

    fn try_from(row: NeedRow) -> StoreResult<Self> {
        Ok(Need {
            data: NeedData {
                kind: LinkageKind::parse(&row.kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("kind `{}`", row.kind)))?,
                title: row.title,
                description: row.description,
                sector: row.sector,
                amount_inr: row.amount_inr,
                attendees: row.attendees,
            },
            meta: meta(
                &row.status,
                &row.created_via,
                row.created_by,
                row.created_at,
                row.updated_at,
                row.version,
                row.updated_by,
                row.demo,
            )?,
            id: row.id,
            stakeholder_id: row.stakeholder_id,
            district: row.district,
        })
    }
}

pub(in crate::store) const NEED_COLUMNS: &str =
    "n.id, n.stakeholder_id, s.district, n.kind, n.title, n.description, n.sector, n.amount_inr,
    n.attendees, n.status, n.created_via, n.created_by, n.created_at, n.updated_at, n.version, n.updated_by, n.demo";

pub(in crate::store) async fn insert_need_in(
    tx: &mut Transaction<'static, Any>,
    stakeholder_id: &str,
    data: &NeedData,
    prov: &Provenance,
    status: Status,
) -> StoreResult<String> {
    let id = new_id("nd");
    let now = now_timestamp();
    sqlx::query(
        "INSERT INTO needs (id, stakeholder_id, kind, title, description, sector, amount_inr, status, created_via,
           created_by, created_at, updated_at, demo, attendees)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13)",
    )
    .bind(&id)
    .bind(stakeholder_id)
    .bind(data.kind.as_str())
    .bind(&data.title)
    .bind(&data.description)
    .bind(&data.sector)
    .bind(data.amount_inr)
    .bind(status.as_str())
    .bind(prov.origin.as_str())
    .bind(&prov.actor)
    .bind(&now)
    .bind(prov.demo as i64)
    .bind(data.attendees)
    .execute(&mut **tx)
    .await?;
    changes::record(tx, Entity::Need, &id, "upsert").await?;
    Ok(id)
}

impl Edited for Need {
    type Row = NeedRow;
    type Data = NeedData;
    /// Past the join, only the need's row.
    const LOCK: &'static str = "FOR UPDATE OF n";
    const EDITED: &'static str = "need_edited";

    fn select_one() -> String {
        format!(
            "SELECT {NEED_COLUMNS} FROM needs n JOIN stakeholders s ON s.id = n.stakeholder_id WHERE n.id = $1"
        )
    }

    fn version(&self) -> i64 {
        self.meta.version
    }

    fn write_in<'a>(
        tx: &'a mut Transaction<'static, Any>,
        id: &'a str,
        edit: &'a Edit<'a, NeedData>,
        now: &'a str,
    ) -> impl std::future::Future<Output = StoreResult<()>> + Send + 'a {
        need_edit_in(tx, id, edit, now)
    }

    fn get<'a>(
        store: &'a Store,
        id: &'a str,
    ) -> impl std::future::Future<Output = StoreResult<Option<Self>>> + Send + 'a {
        store.get_need(id)
    }
}

/// An import's new content for a need (see [`update_stakeholder_in`]).
pub(in crate::store) async fn update_need_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    data: &NeedData,
    actor: &str,
) -> StoreResult<()> {
    need_edit_in(tx, id, &Edit::content(data, actor), &now_timestamp()).await
}

/// Writes `edit` of a need inside `tx`: the version first (refusing a stale edit), then the
/// content, then the status; and the change-log entry search follows.
async fn need_edit_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    edit: &Edit<'_, NeedData>,
    now: &str,
) -> StoreResult<()> {
    claim_version_in(tx, "needs", id, edit, now).await?;
    if let Some(data) = edit.data {
        sqlx::query(
            "UPDATE needs SET kind = $2, title = $3, description = $4, sector = $5, amount_inr = $6, attendees = $7
             WHERE id = $1",
        )
        .bind(id)
        .bind(data.kind.as_str())
        .bind(&data.title)
        .bind(&data.description)
        .bind(&data.sector)
        .bind(data.amount_inr)
    .bind(data.attendees)
        .execute(&mut **tx)
        .await?;
    }
    if let Some(status) = edit.status {
        set_status_in(tx, "needs", id, status).await?;
    }
    changes::record(tx, Entity::Need, id, "upsert").await?;
    Ok(())
}

impl Store {
    pub async fn insert_need(
        &self,
        stakeholder_id: &str,
        data: &NeedData,
        prov: &Provenance,
    ) -> StoreResult<Need> {
        let mut tx = self.begin_write().await?;
        let status = child_status(stakeholder_status_in(&mut tx, stakeholder_id).await?)?;
        let id = insert_need_in(&mut tx, stakeholder_id, data, prov, status).await?;
        tx.commit().await?;
        self.get_need(&id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn get_need(&self, id: &str) -> StoreResult<Option<Need>> {
        let row: Option<NeedRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {NEED_COLUMNS} FROM needs n JOIN stakeholders s ON s.id = n.stakeholder_id WHERE n.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Need::try_from).transpose()
    }

    pub async fn list_needs_of(
        &self,
        stakeholder_id: &str,
        statuses: &StatusFilter,
    ) -> StoreResult<Vec<Need>> {
        let rows: Vec<NeedRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {NEED_COLUMNS} FROM needs n JOIN stakeholders s ON s.id = n.stakeholder_id
             WHERE n.stakeholder_id = $1 AND {} ORDER BY n.id",
            statuses.sql_in("n.status")
        )))
        .bind(stakeholder_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Need::try_from).collect()
    }

    /// Changes a need's content and/or status in one transaction, if it is still at the version
    /// the edit is based on.
    pub async fn edit_need(&self, id: &str, edit: &Edit<'_, NeedData>) -> StoreResult<Need> {
        self.edit_record(id, edit).await
    }

    /// Edits a need in one transaction, the record locked from the read to the write (see
    /// [`Store::edit_stakeholder_with`]).
    pub async fn edit_need_with<E: From<StoreError>>(
        &self,
        id: &str,
        actor: &str,
        decide: impl FnOnce(&Need) -> Result<Option<Change<NeedData>>, E>,
    ) -> Result<Need, E> {
        self.edit_with(id, actor, decide).await
    }

    /// Moves a need to `status` whatever its version (archiving).
    pub async fn set_need_status(
        &self,
        id: &str,
        status: Status,
        actor: &str,
    ) -> StoreResult<Need> {
        self.edit_need(id, &Edit::status(status, actor)).await
    }
}

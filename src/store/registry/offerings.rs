//! Offerings: their rows, inserts, reads and edits.

use sqlx::{Any, Transaction};

use super::edit::{Change, Edit, Edited, claim_version_in, set_status_in};
use super::stakeholders::stakeholder_status_in;
use super::{DistrictList, StatusFilter, child_status, meta, set_districts_in};
use crate::domain::offering::{LinkageKind, Offering, OfferingData};
use crate::domain::record::{Provenance, Status, now_timestamp};
use crate::store::changes::{self, Entity};
use crate::store::{Store, StoreError, StoreResult, from_json, new_id, to_json};

#[derive(sqlx::FromRow)]
pub(in crate::store) struct OfferingRow {
    id: String,
    stakeholder_id: String,
    kind: String,
    title: String,
    description: Option<String>,
    sectors: String,
    districts: String,
    eligibility: String,
    terms: String,
    valid_until: Option<String>,
    status: String,
    created_via: String,
    created_by: String,
    created_at: String,
    updated_at: String,
    version: i64,
    updated_by: Option<String>,
    demo: i64,
}

impl TryFrom<OfferingRow> for Offering {
    type Error = StoreError;

    fn try_from(row: OfferingRow) -> StoreResult<Self> {
        Ok(Offering {
            data: OfferingData {
                kind: LinkageKind::parse(&row.kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("kind `{}`", row.kind)))?,
                title: row.title,
                description: row.description,
                sectors: from_json("sectors", &row.sectors)?,
                districts: from_json("districts", &row.districts)?,
                eligibility: from_json("eligibility", &row.eligibility)?,
                terms: from_json("terms", &row.terms)?,
                valid_until: row.valid_until,
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
        })
    }
}

pub(in crate::store) const OFFERING_COLUMNS: &str =
    "id, stakeholder_id, kind, title, description, sectors, districts, eligibility, terms,
    valid_until, status, created_via, created_by, created_at, updated_at, version, updated_by, demo";

pub(in crate::store) async fn insert_offering_in(
    tx: &mut Transaction<'static, Any>,
    stakeholder_id: &str,
    data: &OfferingData,
    prov: &Provenance,
    status: Status,
) -> StoreResult<String> {
    let id = new_id("of");
    let now = now_timestamp();
    sqlx::query(
        "INSERT INTO offerings (id, stakeholder_id, kind, title, description, sectors, districts, eligibility, terms,
           valid_until, status, created_via, created_by, created_at, updated_at, demo)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)",
    )
    .bind(&id)
    .bind(stakeholder_id)
    .bind(data.kind.as_str())
    .bind(&data.title)
    .bind(&data.description)
    .bind(to_json(&data.sectors))
    .bind(to_json(&data.districts))
    .bind(to_json(&data.eligibility))
    .bind(to_json(&data.terms))
    .bind(&data.valid_until)
    .bind(status.as_str())
    .bind(prov.origin.as_str())
    .bind(&prov.actor)
    .bind(&now)
    .bind(prov.demo as i64)
    .execute(&mut **tx)
    .await?;
    set_districts_in(tx, DistrictList::Offering, &id, &data.districts, false).await?;
    changes::record(tx, Entity::Offering, &id, "upsert").await?;
    Ok(id)
}

impl Edited for Offering {
    type Row = OfferingRow;
    type Data = OfferingData;
    const LOCK: &'static str = "FOR UPDATE";
    const EDITED: &'static str = "offering_edited";

    fn select_one() -> String {
        format!("SELECT {OFFERING_COLUMNS} FROM offerings WHERE id = $1")
    }

    fn version(&self) -> i64 {
        self.meta.version
    }

    fn write_in<'a>(
        tx: &'a mut Transaction<'static, Any>,
        id: &'a str,
        edit: &'a Edit<'a, OfferingData>,
        now: &'a str,
    ) -> impl std::future::Future<Output = StoreResult<()>> + Send + 'a {
        offering_edit_in(tx, id, edit, now)
    }

    fn get<'a>(
        store: &'a Store,
        id: &'a str,
    ) -> impl std::future::Future<Output = StoreResult<Option<Self>>> + Send + 'a {
        store.get_offering(id)
    }
}

/// An import's new content for an offering (see [`update_stakeholder_in`]).
pub(in crate::store) async fn update_offering_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    data: &OfferingData,
    actor: &str,
) -> StoreResult<()> {
    offering_edit_in(tx, id, &Edit::content(data, actor), &now_timestamp()).await
}

/// Writes `edit` of a offering inside `tx`: the version first (refusing a stale edit), then the
/// content, then the status; and the change-log entry search follows.
async fn offering_edit_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    edit: &Edit<'_, OfferingData>,
    now: &str,
) -> StoreResult<()> {
    claim_version_in(tx, "offerings", id, edit, now).await?;
    if let Some(data) = edit.data {
        sqlx::query(
            "UPDATE offerings SET kind = $2, title = $3, description = $4, sectors = $5, districts = $6,
               eligibility = $7, terms = $8, valid_until = $9 WHERE id = $1",
        )
        .bind(id)
        .bind(data.kind.as_str())
        .bind(&data.title)
        .bind(&data.description)
        .bind(to_json(&data.sectors))
        .bind(to_json(&data.districts))
        .bind(to_json(&data.eligibility))
        .bind(to_json(&data.terms))
        .bind(&data.valid_until)
        .execute(&mut **tx)
        .await?;
        set_districts_in(tx, DistrictList::Offering, id, &data.districts, true).await?;
    }
    if let Some(status) = edit.status {
        set_status_in(tx, "offerings", id, status).await?;
    }
    changes::record(tx, Entity::Offering, id, "upsert").await?;
    Ok(())
}

impl Store {
    pub async fn insert_offering(
        &self,
        stakeholder_id: &str,
        data: &OfferingData,
        prov: &Provenance,
    ) -> StoreResult<Offering> {
        let mut tx = self.begin_write().await?;
        let status = child_status(stakeholder_status_in(&mut tx, stakeholder_id).await?)?;
        let id = insert_offering_in(&mut tx, stakeholder_id, data, prov, status).await?;
        tx.commit().await?;
        self.get_offering(&id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn get_offering(&self, id: &str) -> StoreResult<Option<Offering>> {
        let row: Option<OfferingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OFFERING_COLUMNS} FROM offerings WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Offering::try_from).transpose()
    }

    pub async fn list_offerings_of(
        &self,
        stakeholder_id: &str,
        statuses: &StatusFilter,
    ) -> StoreResult<Vec<Offering>> {
        let rows: Vec<OfferingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OFFERING_COLUMNS} FROM offerings WHERE stakeholder_id = $1 AND {} ORDER BY id",
            statuses.sql_in("status")
        )))
        .bind(stakeholder_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Offering::try_from).collect()
    }

    /// Changes an offering's content and/or status in one transaction, if it is still at the
    /// version the edit is based on.
    pub async fn edit_offering(
        &self,
        id: &str,
        edit: &Edit<'_, OfferingData>,
    ) -> StoreResult<Offering> {
        self.edit_record(id, edit).await
    }

    /// Edits an offering in one transaction, the record locked from the read to the write (see
    /// [`Store::edit_stakeholder_with`]).
    pub async fn edit_offering_with<E: From<StoreError>>(
        &self,
        id: &str,
        actor: &str,
        decide: impl FnOnce(&Offering) -> Result<Option<Change<OfferingData>>, E>,
    ) -> Result<Offering, E> {
        self.edit_with(id, actor, decide).await
    }

    /// Moves an offering to `status` whatever its version (archiving).
    pub async fn set_offering_status(
        &self,
        id: &str,
        status: Status,
        actor: &str,
    ) -> StoreResult<Offering> {
        self.edit_offering(id, &Edit::status(status, actor)).await
    }
}

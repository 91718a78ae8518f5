//! Stakeholders: their rows, duplicates, registration with what came along, reads, and edits
//! (a status move takes their offerings and needs along).

use sqlx::{Any, Transaction};

use super::edit::{Change, Edit, Edited, claim_version_in};
use super::needs::insert_need_in;
use super::offerings::insert_offering_in;
use super::{
    Conditions, DistrictList, OnDuplicate, StatusFilter, meta, name_key, set_districts_in,
};
use crate::domain::consent::ConsentRecord;
use crate::domain::need::{Need, NeedData};
use crate::domain::offering::{Offering, OfferingData};
use crate::domain::record::{Provenance, Status, now_timestamp};
use crate::domain::stakeholder::{Contact, Stakeholder, StakeholderData, StakeholderKind};
use crate::store::changes::{self, Entity};
use crate::store::{Store, StoreError, StoreResult, TurnKey, from_json, new_id, to_json};

#[derive(Debug, Clone)]
pub struct StakeholderFilter {
    pub district: Option<String>,
    pub kind: Option<StakeholderKind>,
    /// Words in the English or local name.
    pub q: Option<String>,
    pub statuses: StatusFilter,
    /// If set, pending records only of these home districts (see
    /// [`crate::domain::access::Caller::pending_scope`]).
    pub pending_only_in: Option<Vec<String>>,
    pub limit: i64,
    pub offset: i64,
}

/// An existing record that a new one looks like, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Duplicate)]
pub struct DuplicateMatch {
    pub id: String,
    pub name: String,
    /// `same phone number` or `same name in the same district`.
    pub reason: String,
}

/// A stakeholder with the offerings and needs that came in with it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Registered {
    pub stakeholder: Stakeholder,
    pub offerings: Vec<Offering>,
    pub needs: Vec<Need>,
    /// The records it may duplicate (stored with it as `possible_duplicates`).
    pub duplicates: Vec<DuplicateMatch>,
}

#[derive(sqlx::FromRow)]
pub(in crate::store) struct StakeholderRow {
    id: String,
    kind: String,
    name: String,
    name_local: Option<String>,
    district: String,
    districts_served: String,
    description: Option<String>,
    contact_person: Option<String>,
    contact_phone: Option<String>,
    contact_email: Option<String>,
    profile: Option<String>,
    linkage_limit: Option<i64>,
    possible_duplicates: String,
    status: String,
    created_via: String,
    created_by: String,
    created_at: String,
    updated_at: String,
    version: i64,
    updated_by: Option<String>,
    demo: i64,
    consent_notice_version: Option<String>,
    consent_language: Option<String>,
    consent_given_at: Option<String>,
}

impl TryFrom<StakeholderRow> for Stakeholder {
    type Error = StoreError;

    fn try_from(row: StakeholderRow) -> StoreResult<Self> {
        Ok(Stakeholder {
            data: StakeholderData {
                kind: StakeholderKind::parse(&row.kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("kind `{}`", row.kind)))?,
                name: row.name,
                name_local: row.name_local,
                district: row.district,
                districts_served: from_json("districts_served", &row.districts_served)?,
                description: row.description,
                contact: Contact {
                    person: row.contact_person,
                    phone: row.contact_phone,
                    email: row.contact_email,
                },
                profile: row
                    .profile
                    .as_deref()
                    .map(|p| from_json("profile", p))
                    .transpose()?,
                linkage_limit: row.linkage_limit,
            },
            possible_duplicates: from_json("possible_duplicates", &row.possible_duplicates)?,
            consent: match (
                row.consent_notice_version,
                row.consent_language,
                row.consent_given_at,
            ) {
                (Some(notice_version), Some(language), Some(given_at)) => Some(ConsentRecord {
                    notice_version,
                    language,
                    given_at,
                }),
                _ => None,
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
        })
    }
}

/// See [`Store::find_duplicates`]; on any executor, so a writer can check inside its transaction.
pub(in crate::store) async fn duplicates_of<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    data: &StakeholderData,
    exclude_id: Option<&str>,
) -> StoreResult<Vec<DuplicateMatch>> {
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, name, contact_phone FROM stakeholders
         WHERE status <> 'archived' AND ($4 IS NULL OR id <> $4)
           AND (($1 IS NOT NULL AND contact_phone = $1) OR (name_key = $2 AND district = $3))
         ORDER BY id LIMIT 20",
    )
    .bind(&data.contact.phone)
    .bind(name_key(&data.name))
    .bind(&data.district)
    .bind(exclude_id)
    .fetch_all(executor)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, phone)| {
            let reason = if phone.is_some() && phone == data.contact.phone {
                "same phone number".to_string()
            } else {
                "same name in the same district".to_string()
            };
            DuplicateMatch { id, name, reason }
        })
        .collect())
}

pub(in crate::store) const STAKEHOLDER_COLUMNS: &str = "id, kind, name, name_local, district, districts_served, description, contact_person,
    contact_phone, contact_email, profile, linkage_limit, possible_duplicates, status, created_via, created_by, created_at, updated_at, version, updated_by, demo,
    consent_notice_version, consent_language, consent_given_at";

/// Writes one stakeholder row and its change-log entry (so search indexes it) inside `tx`.
pub(in crate::store) async fn insert_stakeholder_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    data: &StakeholderData,
    prov: &Provenance,
    possible_duplicates: &[String],
) -> StoreResult<()> {
    let now = now_timestamp();
    sqlx::query(
        "INSERT INTO stakeholders (id, kind, name, name_key, name_local, district, districts_served, description,
           contact_person, contact_phone, contact_email, profile, possible_duplicates, status, created_via,
           created_by, created_at, updated_at, demo, linkage_limit)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19)",
    )
    .bind(id)
    .bind(data.kind.as_str())
    .bind(&data.name)
    .bind(name_key(&data.name))
    .bind(&data.name_local)
    .bind(&data.district)
    .bind(to_json(&data.districts_served))
    .bind(&data.description)
    .bind(&data.contact.person)
    .bind(&data.contact.phone)
    .bind(&data.contact.email)
    .bind(data.profile.as_ref().map(to_json))
    .bind(to_json(&possible_duplicates))
    .bind(prov.status.as_str())
    .bind(prov.origin.as_str())
    .bind(&prov.actor)
    .bind(&now)
    .bind(prov.demo as i64)
    .bind(data.linkage_limit)
    .execute(&mut **tx)
    .await?;
    if let Some(consent) = &prov.consent {
        sqlx::query(
            "UPDATE stakeholders SET consent_notice_version = $2, consent_language = $3,
                consent_given_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(&consent.notice_version)
        .bind(consent.language.as_str())
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    }
    set_districts_in(
        tx,
        DistrictList::Stakeholder,
        id,
        &data.districts_served,
        false,
    )
    .await?;
    changes::record(tx, Entity::Stakeholder, id, "upsert").await?;
    Ok(())
}

pub(in crate::store) async fn stakeholder_status_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
) -> StoreResult<Status> {
    let row: Option<(String,)> = sqlx::query_as("SELECT status FROM stakeholders WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let (status,) = row.ok_or(StoreError::NotFound)?;
    Status::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("status `{status}`")))
}

impl Edited for Stakeholder {
    type Row = StakeholderRow;
    type Data = StakeholderData;
    const LOCK: &'static str = "FOR UPDATE";
    const EDITED: &'static str = "stakeholder_edited";

    fn select_one() -> String {
        format!("SELECT {STAKEHOLDER_COLUMNS} FROM stakeholders WHERE id = $1")
    }

    fn version(&self) -> i64 {
        self.meta.version
    }

    fn write_in<'a>(
        tx: &'a mut Transaction<'static, Any>,
        id: &'a str,
        edit: &'a Edit<'a, StakeholderData>,
        now: &'a str,
    ) -> impl std::future::Future<Output = StoreResult<()>> + Send + 'a {
        stakeholder_edit_in(tx, id, edit, now)
    }

    fn get<'a>(
        store: &'a Store,
        id: &'a str,
    ) -> impl std::future::Future<Output = StoreResult<Option<Self>>> + Send + 'a {
        store.get_stakeholder(id)
    }
}

/// An import's new content for a stakeholder, whatever its version: counted as an edit by
/// `actor` (version and `updated_by`), with the change-log entry search follows.
pub(in crate::store) async fn update_stakeholder_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    data: &StakeholderData,
    actor: &str,
) -> StoreResult<()> {
    stakeholder_edit_in(tx, id, &Edit::content(data, actor), &now_timestamp()).await
}

/// Moves a stakeholder's status and takes along its offerings and needs that stood where it
/// stood (ones archived on their own stay so), each with its version counted up.
async fn move_stakeholder_status_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    status: Status,
    actor: &str,
    now: &str,
) -> StoreResult<()> {
    let previous = stakeholder_status_in(tx, id).await?;
    if previous == status {
        return Ok(());
    }
    sqlx::query("UPDATE stakeholders SET status = $2 WHERE id = $1")
        .bind(id)
        .bind(status.as_str())
        .execute(&mut **tx)
        .await?;
    for (table, entity) in [("offerings", Entity::Offering), ("needs", Entity::Need)] {
        let moved: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET status = $2, updated_at = $3, updated_by = $5, version = version + 1
             WHERE stakeholder_id = $1 AND status = $4 RETURNING id"
        )))
        .bind(id)
        .bind(status.as_str())
        .bind(now)
        .bind(previous.as_str())
        .bind(actor)
        .fetch_all(&mut **tx)
        .await?;
        for (child,) in moved {
            changes::record(tx, entity, &child, "upsert").await?;
        }
    }
    Ok(())
}

/// Writes `edit` of a stakeholder inside `tx`: the version first (refusing a stale edit), then the
/// content, then the status; and the change-log entry search follows.
pub(in crate::store) async fn stakeholder_edit_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    edit: &Edit<'_, StakeholderData>,
    now: &str,
) -> StoreResult<()> {
    claim_version_in(tx, "stakeholders", id, edit, now).await?;
    if let Some(data) = edit.data {
        sqlx::query(
            "UPDATE stakeholders SET kind = $2, name = $3, name_key = $4, name_local = $5, district = $6,
               districts_served = $7, description = $8, contact_person = $9, contact_phone = $10,
               contact_email = $11, profile = $12, linkage_limit = $13
             WHERE id = $1",
        )
        .bind(id)
        .bind(data.kind.as_str())
        .bind(&data.name)
        .bind(name_key(&data.name))
        .bind(&data.name_local)
        .bind(&data.district)
        .bind(to_json(&data.districts_served))
        .bind(&data.description)
        .bind(&data.contact.person)
        .bind(&data.contact.phone)
        .bind(&data.contact.email)
        .bind(data.profile.as_ref().map(to_json))
        .bind(data.linkage_limit)
        .execute(&mut **tx)
        .await?;
        set_districts_in(
            tx,
            DistrictList::Stakeholder,
            id,
            &data.districts_served,
            true,
        )
        .await?;
    }
    if let Some(status) = edit.status {
        move_stakeholder_status_in(tx, id, status, edit.actor, now).await?;
    }
    changes::record(tx, Entity::Stakeholder, id, "upsert").await?;
    Ok(())
}

impl Store {
    /// Stores a stakeholder with the offerings and needs that came with it, all or nothing.
    ///
    /// The duplicate check runs inside the writing transaction, after every earlier writer of a
    /// stakeholder has committed (SQLite's write lock; an advisory lock on PostgreSQL), so two
    /// registrations with one phone sent at the same moment still see each other.
    pub async fn insert_stakeholder(
        &self,
        data: &StakeholderData,
        offerings: &[OfferingData],
        needs: &[NeedData],
        prov: &Provenance,
        on_duplicate: OnDuplicate,
    ) -> StoreResult<Registered> {
        let id = new_id("st");
        let mut tx = self.begin_write().await?;
        self.take_turn(&mut tx, TurnKey::Identities).await?;
        let duplicates = duplicates_of(&mut **tx, data, None).await?;
        if !duplicates.is_empty() && on_duplicate == OnDuplicate::Refuse {
            return Err(StoreError::Duplicate(duplicates));
        }
        let duplicate_ids: Vec<String> = duplicates.iter().map(|d| d.id.clone()).collect();
        insert_stakeholder_in(&mut tx, &id, data, prov, &duplicate_ids).await?;
        let mut offering_ids = Vec::new();
        for offering in offerings {
            offering_ids.push(insert_offering_in(&mut tx, &id, offering, prov, prov.status).await?);
        }
        let mut need_ids = Vec::new();
        for need in needs {
            need_ids.push(insert_need_in(&mut tx, &id, need, prov, prov.status).await?);
        }
        tx.commit().await?;

        let stakeholder = self
            .get_stakeholder(&id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut registered = Registered {
            stakeholder,
            offerings: Vec::new(),
            needs: Vec::new(),
            duplicates,
        };
        for id in offering_ids {
            registered
                .offerings
                .push(self.get_offering(&id).await?.ok_or(StoreError::NotFound)?);
        }
        for id in need_ids {
            registered
                .needs
                .push(self.get_need(&id).await?.ok_or(StoreError::NotFound)?);
        }
        Ok(registered)
    }

    pub async fn get_stakeholder(&self, id: &str) -> StoreResult<Option<Stakeholder>> {
        let row: Option<StakeholderRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {STAKEHOLDER_COLUMNS} FROM stakeholders WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Stakeholder::try_from).transpose()
    }

    /// Stakeholders based in or serving a district, newest first.
    pub async fn list_stakeholders(
        &self,
        filter: &StakeholderFilter,
    ) -> StoreResult<Vec<Stakeholder>> {
        let mut conditions = Conditions::default();
        if let Some(district) = &filter.district {
            conditions.stakeholder_in_district("id", district);
        }
        if let Some(kind) = filter.kind {
            let kind = conditions.value(kind.as_str());
            conditions.and(format!("kind = {kind}"));
        }
        if let Some(words) = &filter.q {
            let words = conditions.value(crate::store::geography::like_pattern(words));
            conditions.and(format!(
                "(name_key LIKE {words} ESCAPE '\\' OR lower(COALESCE(name_local, '')) LIKE {words} ESCAPE '\\')"
            ));
        }
        conditions.and(filter.statuses.sql_in("status"));
        conditions.pending_only_in("status", "district", filter.pending_only_in.as_deref());
        let select = format!(
            "SELECT {STAKEHOLDER_COLUMNS} FROM stakeholders {} ORDER BY id DESC LIMIT {} OFFSET {}",
            conditions.where_clause(),
            filter.limit,
            filter.offset
        );
        let rows: Vec<StakeholderRow> = conditions.fetch_all(&self.pool, select).await?;
        rows.into_iter().map(Stakeholder::try_from).collect()
    }

    pub async fn count_stakeholders(&self) -> StoreResult<i64> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM stakeholders")
            .fetch_one(&self.pool)
            .await?;
        Ok(count)
    }

    /// Records that look like this one: the same phone anywhere, or the same name in the district.
    pub async fn find_duplicates(
        &self,
        data: &StakeholderData,
        exclude_id: Option<&str>,
    ) -> StoreResult<Vec<DuplicateMatch>> {
        duplicates_of(&self.pool, data, exclude_id).await
    }

    /// Changes a stakeholder's content and/or status in one transaction, if it is still at the
    /// version the edit is based on. A status move takes its offerings and needs along:
    /// archiving archives them, approving a pending registration activates what came with it.
    pub async fn edit_stakeholder(
        &self,
        id: &str,
        edit: &Edit<'_, StakeholderData>,
    ) -> StoreResult<Stakeholder> {
        self.edit_record(id, edit).await
    }

    /// Edits a stakeholder in one transaction, the record locked from the read to the write: `decide`
    /// sees it as stored and says what to change (`None`: nothing), so no other edit can land
    /// in between and be undone.
    pub async fn edit_stakeholder_with<E: From<StoreError>>(
        &self,
        id: &str,
        actor: &str,
        decide: impl FnOnce(&Stakeholder) -> Result<Option<Change<StakeholderData>>, E>,
    ) -> Result<Stakeholder, E> {
        self.edit_with(id, actor, decide).await
    }

    /// Moves a stakeholder to `status` whatever its version (archiving, approving).
    pub async fn set_stakeholder_status(
        &self,
        id: &str,
        status: Status,
        actor: &str,
    ) -> StoreResult<Stakeholder> {
        self.edit_stakeholder(id, &Edit::status(status, actor))
            .await
    }
}

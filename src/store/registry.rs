//! Stakeholders, their offerings and their needs.

use sqlx::{Any, Transaction};

use super::changes::{self, Entity};
use super::{Store, StoreError, StoreResult, from_json, new_id, to_json};
use crate::domain::need::{Need, NeedData};
use crate::domain::offering::{LinkageKind, Offering, OfferingData};
use crate::domain::record::{Origin, Provenance, RecordMeta, Status, now_timestamp};
use crate::domain::stakeholder::{Contact, Stakeholder, StakeholderData, StakeholderKind};

/// Which statuses a listing shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusFilter(Vec<Status>);

impl StatusFilter {
    /// What anyone may see.
    pub fn public() -> Self {
        StatusFilter(vec![Status::Active])
    }

    pub fn only(statuses: Vec<Status>) -> Self {
        StatusFilter(statuses)
    }

    pub fn admits(&self, status: Status) -> bool {
        self.0.contains(&status)
    }

    /// `,active,pending,` — matched in SQL with `LIKE '%,' || status || ',%'`, which both
    /// backends understand.
    pub(super) fn as_sql_list(&self) -> String {
        let mut list = String::from(",");
        for status in &self.0 {
            list.push_str(status.as_str());
            list.push(',');
        }
        list
    }
}

#[derive(Debug, Clone)]
pub struct StakeholderFilter {
    pub district: Option<String>,
    pub kind: Option<StakeholderKind>,
    /// Words in the English or local name.
    pub q: Option<String>,
    pub statuses: StatusFilter,
    pub limit: i64,
    pub offset: i64,
}

/// A page of the public offerings (see [`Store::list_public_offerings`]).
#[derive(Debug, Clone, Default)]
pub struct OfferingListing {
    pub stakeholder_id: Option<String>,
    /// Only offerings changed at or after this instant, as the store writes instants
    /// ([`crate::domain::record::now_timestamp`]).
    pub modified_after: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// Why an existing record looks like a new one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DuplicateMatch {
    pub id: String,
    pub name: String,
    pub reason: String,
}

/// A stakeholder with the offerings and needs that came in with it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Registered {
    pub stakeholder: Stakeholder,
    pub offerings: Vec<Offering>,
    pub needs: Vec<Need>,
}

/// The name as compared for duplicates: case, spacing and punctuation ignored.
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || ('\u{0900}'..='\u{097F}').contains(&c) {
                c
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(sqlx::FromRow)]
pub(super) struct StakeholderRow {
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
    possible_duplicates: String,
    status: String,
    created_via: String,
    created_by: String,
    created_at: String,
    updated_at: String,
    demo: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct OfferingRow {
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
    demo: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct NeedRow {
    id: String,
    stakeholder_id: String,
    district: String,
    kind: String,
    title: String,
    description: Option<String>,
    sector: Option<String>,
    amount_inr: Option<i64>,
    status: String,
    created_via: String,
    created_by: String,
    created_at: String,
    updated_at: String,
    demo: i64,
}

fn meta(
    status: &str,
    via: &str,
    by: String,
    created_at: String,
    updated_at: String,
    demo: i64,
) -> StoreResult<RecordMeta> {
    Ok(RecordMeta {
        status: Status::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("status `{status}`")))?,
        created_via: Origin::parse(via)
            .ok_or_else(|| StoreError::Corrupt(format!("created_via `{via}`")))?,
        created_by: by,
        created_at,
        updated_at,
        demo: demo != 0,
    })
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
            },
            possible_duplicates: from_json("possible_duplicates", &row.possible_duplicates)?,
            meta: meta(
                &row.status,
                &row.created_via,
                row.created_by,
                row.created_at,
                row.updated_at,
                row.demo,
            )?,
            id: row.id,
        })
    }
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
                row.demo,
            )?,
            id: row.id,
            stakeholder_id: row.stakeholder_id,
        })
    }
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
            },
            meta: meta(
                &row.status,
                &row.created_via,
                row.created_by,
                row.created_at,
                row.updated_at,
                row.demo,
            )?,
            id: row.id,
            stakeholder_id: row.stakeholder_id,
            district: row.district,
        })
    }
}

pub(super) const STAKEHOLDER_COLUMNS: &str = "id, kind, name, name_local, district, districts_served, description, contact_person,
    contact_phone, contact_email, profile, possible_duplicates, status, created_via, created_by, created_at, updated_at, demo";
pub(super) const OFFERING_COLUMNS: &str =
    "id, stakeholder_id, kind, title, description, sectors, districts, eligibility, terms,
    valid_until, status, created_via, created_by, created_at, updated_at, demo";
pub(super) const NEED_COLUMNS: &str =
    "n.id, n.stakeholder_id, s.district, n.kind, n.title, n.description, n.sector, n.amount_inr,
    n.status, n.created_via, n.created_by, n.created_at, n.updated_at, n.demo";

pub(super) async fn insert_offering_in(
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
    changes::record(tx, Entity::Offering, &id, "upsert").await?;
    Ok(id)
}

pub(super) async fn insert_need_in(
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
           created_by, created_at, updated_at, demo)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
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
    .execute(&mut **tx)
    .await?;
    changes::record(tx, Entity::Need, &id, "upsert").await?;
    Ok(id)
}

/// Writes one stakeholder row and its change-log entry (so search indexes it) inside `tx`.
pub(super) async fn insert_stakeholder_in(
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
           created_by, created_at, updated_at, demo)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18)",
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
    .execute(&mut **tx)
    .await?;
    changes::record(tx, Entity::Stakeholder, id, "upsert").await?;
    Ok(())
}

pub(super) async fn stakeholder_status_in(
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

/// New offerings and needs start where their stakeholder stands; an archived one takes none.
pub(super) fn child_status(parent: Status) -> StoreResult<Status> {
    match parent {
        Status::Archived => Err(StoreError::Conflict(
            "the stakeholder is archived; restore it first".into(),
        )),
        other => Ok(other),
    }
}

/// Rewrites one stakeholder's fields and writes its change-log entry inside `tx`.
pub(super) async fn update_stakeholder_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    data: &StakeholderData,
) -> StoreResult<()> {
    let updated = sqlx::query(
        "UPDATE stakeholders SET kind = $2, name = $3, name_key = $4, name_local = $5, district = $6,
           districts_served = $7, description = $8, contact_person = $9, contact_phone = $10, contact_email = $11,
           profile = $12, updated_at = $13
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
    .bind(now_timestamp())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    changes::record(tx, Entity::Stakeholder, id, "upsert").await?;
    Ok(())
}

/// Rewrites one offering's fields and writes its change-log entry inside `tx`.
pub(super) async fn update_offering_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    data: &OfferingData,
) -> StoreResult<()> {
    let updated = sqlx::query(
        "UPDATE offerings SET kind = $2, title = $3, description = $4, sectors = $5, districts = $6,
           eligibility = $7, terms = $8, valid_until = $9, updated_at = $10 WHERE id = $1",
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
    .bind(now_timestamp())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    changes::record(tx, Entity::Offering, id, "upsert").await?;
    Ok(())
}

/// Rewrites one need's fields and writes its change-log entry inside `tx`.
pub(super) async fn update_need_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    data: &NeedData,
) -> StoreResult<()> {
    let updated = sqlx::query(
        "UPDATE needs SET kind = $2, title = $3, description = $4, sector = $5, amount_inr = $6, updated_at = $7
         WHERE id = $1",
    )
    .bind(id)
    .bind(data.kind.as_str())
    .bind(&data.title)
    .bind(&data.description)
    .bind(&data.sector)
    .bind(data.amount_inr)
    .bind(now_timestamp())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::NotFound);
    }
    changes::record(tx, Entity::Need, id, "upsert").await?;
    Ok(())
}

impl Store {
    /// Stores a stakeholder with the offerings and needs that came with it, all or nothing.
    pub async fn insert_stakeholder(
        &self,
        data: &StakeholderData,
        offerings: &[OfferingData],
        needs: &[NeedData],
        prov: &Provenance,
        possible_duplicates: &[String],
    ) -> StoreResult<Registered> {
        let id = new_id("st");
        let mut tx = self.pool.begin().await?;
        insert_stakeholder_in(&mut tx, &id, data, prov, possible_duplicates).await?;
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
        let served = filter.district.as_ref().map(|d| format!("%\"{d}\"%"));
        let words = filter.q.as_deref().map(super::geography::like_pattern);
        let rows: Vec<StakeholderRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {STAKEHOLDER_COLUMNS} FROM stakeholders
             WHERE ($1 IS NULL OR district = $1 OR districts_served LIKE $2)
               AND ($3 IS NULL OR kind = $3)
               AND ($4 IS NULL OR name_key LIKE $4 ESCAPE '\\' OR lower(COALESCE(name_local, '')) LIKE $4 ESCAPE '\\')
               AND $5 LIKE '%,' || status || ',%'
             ORDER BY id DESC LIMIT $6 OFFSET $7"
        )))
        .bind(&filter.district)
        .bind(served)
        .bind(filter.kind.map(|k| k.as_str()))
        .bind(words)
        .bind(filter.statuses.as_sql_list())
        .bind(filter.limit)
        .bind(filter.offset)
        .fetch_all(&self.pool)
        .await?;
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
        let rows: Vec<(String, String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT id, name, contact_phone, name_key, district FROM stakeholders
             WHERE status <> 'archived' AND ($4 IS NULL OR id <> $4)
               AND (($1 IS NOT NULL AND contact_phone = $1) OR (name_key = $2 AND district = $3))
             ORDER BY id LIMIT 20",
        )
        .bind(&data.contact.phone)
        .bind(name_key(&data.name))
        .bind(&data.district)
        .bind(exclude_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, phone, _, _)| {
                let reason = if phone.is_some() && phone == data.contact.phone {
                    "same phone number".to_string()
                } else {
                    "same name in the same district".to_string()
                };
                DuplicateMatch { id, name, reason }
            })
            .collect())
    }

    pub async fn update_stakeholder(
        &self,
        id: &str,
        data: &StakeholderData,
    ) -> StoreResult<Stakeholder> {
        let mut tx = self.pool.begin().await?;
        update_stakeholder_in(&mut tx, id, data).await?;
        tx.commit().await?;
        self.get_stakeholder(id).await?.ok_or(StoreError::NotFound)
    }

    /// Moves a stakeholder to `status`, taking its offerings and needs along: archiving archives
    /// them, approving a pending registration activates what came with it.
    pub async fn set_stakeholder_status(
        &self,
        id: &str,
        status: Status,
    ) -> StoreResult<Stakeholder> {
        let mut tx = self.pool.begin().await?;
        let previous = stakeholder_status_in(&mut tx, id).await?;
        let now = now_timestamp();
        sqlx::query("UPDATE stakeholders SET status = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(status.as_str())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        changes::record(&mut tx, Entity::Stakeholder, id, "upsert").await?;
        for (table, entity) in [("offerings", Entity::Offering), ("needs", Entity::Need)] {
            // Children follow the parent from the status it had; ones archived on their own stay so.
            let moved: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET status = $2, updated_at = $3 WHERE stakeholder_id = $1 AND status = $4 RETURNING id"
            )))
            .bind(id)
            .bind(status.as_str())
            .bind(&now)
            .bind(previous.as_str())
            .fetch_all(&mut *tx)
            .await?;
            for (child,) in moved {
                changes::record(&mut tx, entity, &child, "upsert").await?;
            }
        }
        tx.commit().await?;
        self.get_stakeholder(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn insert_offering(
        &self,
        stakeholder_id: &str,
        data: &OfferingData,
        prov: &Provenance,
    ) -> StoreResult<Offering> {
        let mut tx = self.pool.begin().await?;
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
            "SELECT {OFFERING_COLUMNS} FROM offerings WHERE stakeholder_id = $1 AND $2 LIKE '%,' || status || ',%' ORDER BY id"
        )))
        .bind(stakeholder_id)
        .bind(statuses.as_sql_list())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Offering::try_from).collect()
    }

    /// Active offerings of active providers, by id, a page at a time, with how many there are
    /// in all: what anyone may list.
    pub async fn list_public_offerings(
        &self,
        listing: &OfferingListing,
    ) -> StoreResult<(Vec<Offering>, i64)> {
        const PUBLIC: &str = "status = 'active'
            AND stakeholder_id IN (SELECT id FROM stakeholders WHERE status = 'active')
            AND ($1 IS NULL OR stakeholder_id = $1)
            AND ($2 IS NULL OR updated_at >= $2)";
        let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM offerings WHERE {PUBLIC}"
        )))
        .bind(&listing.stakeholder_id)
        .bind(&listing.modified_after)
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<OfferingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OFFERING_COLUMNS} FROM offerings WHERE {PUBLIC} ORDER BY id LIMIT $3 OFFSET $4"
        )))
        .bind(&listing.stakeholder_id)
        .bind(&listing.modified_after)
        .bind(listing.limit)
        .bind(listing.offset)
        .fetch_all(&self.pool)
        .await?;
        let offerings = rows
            .into_iter()
            .map(Offering::try_from)
            .collect::<StoreResult<_>>()?;
        Ok((offerings, total))
    }

    pub async fn update_offering(&self, id: &str, data: &OfferingData) -> StoreResult<Offering> {
        let mut tx = self.pool.begin().await?;
        update_offering_in(&mut tx, id, data).await?;
        tx.commit().await?;
        self.get_offering(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn set_offering_status(&self, id: &str, status: Status) -> StoreResult<Offering> {
        self.set_child_status("offerings", Entity::Offering, id, status)
            .await?;
        self.get_offering(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn insert_need(
        &self,
        stakeholder_id: &str,
        data: &NeedData,
        prov: &Provenance,
    ) -> StoreResult<Need> {
        let mut tx = self.pool.begin().await?;
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
             WHERE n.stakeholder_id = $1 AND $2 LIKE '%,' || n.status || ',%' ORDER BY n.id"
        )))
        .bind(stakeholder_id)
        .bind(statuses.as_sql_list())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Need::try_from).collect()
    }

    pub async fn update_need(&self, id: &str, data: &NeedData) -> StoreResult<Need> {
        let mut tx = self.pool.begin().await?;
        update_need_in(&mut tx, id, data).await?;
        tx.commit().await?;
        self.get_need(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn set_need_status(&self, id: &str, status: Status) -> StoreResult<Need> {
        self.set_child_status("needs", Entity::Need, id, status)
            .await?;
        self.get_need(id).await?.ok_or(StoreError::NotFound)
    }

    async fn set_child_status(
        &self,
        table: &str,
        entity: Entity,
        id: &str,
        status: Status,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET status = $2, updated_at = $3 WHERE id = $1"
        )))
        .bind(id)
        .bind(status.as_str())
        .bind(now_timestamp())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        changes::record(&mut tx, entity, id, "upsert").await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn name_keys_ignore_case_spacing_and_punctuation() {
        assert_eq!(super::name_key("  Sunita   DEVI. "), "sunita devi");
        assert_eq!(super::name_key("सुनीता देवी"), "सुनीता देवी");
    }
}

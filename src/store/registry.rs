//! Stakeholders, their offerings and their needs.

use sqlx::{Any, Transaction};

use super::changes::{self, Entity};
use super::{
    Backend, Store, StoreError, StoreResult, TurnKey, from_json, new_id, to_json, write_transaction,
};
use crate::domain::consent::ConsentRecord;
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

    /// `column IN ('active', 'pending')`. The words are the status enum's own, never user input,
    /// so they are written into the SQL, where the planner sees them; a filter that admits no
    /// status matches nothing.
    pub(super) fn sql_in(&self, column: &str) -> String {
        if self.0.is_empty() {
            return "1 = 0".to_string();
        }
        let words: Vec<String> = self
            .0
            .iter()
            .map(|status| format!("'{}'", status.as_str()))
            .collect();
        format!("{column} IN ({})", words.join(", "))
    }
}

/// A `WHERE` clause written a condition at a time, its values bound as `$1`, `$2`, … in the order
/// they come (sqlx's `QueryBuilder` writes `?` under the `Any` driver, which PostgreSQL rejects).
/// Every value is text; numbers (limits) are written into the SQL by the caller.
#[derive(Debug, Default)]
pub(super) struct Conditions {
    conditions: Vec<String>,
    values: Vec<String>,
}

impl Conditions {
    /// Keeps `value` for binding and returns its placeholder.
    pub(super) fn value(&mut self, value: impl Into<String>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    pub(super) fn and(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    /// `WHERE a AND b`, or nothing.
    pub(super) fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// Rows of `select` (written with [`Self::where_clause`]) with the values bound in order.
    pub(super) async fn fetch_all<Row>(
        self,
        pool: &sqlx::AnyPool,
        select: String,
    ) -> StoreResult<Vec<Row>>
    where
        Row: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(select));
        for value in self.values {
            query = query.bind(value);
        }
        Ok(query.fetch_all(pool).await?)
    }

    /// Stakeholders based in or serving `district`, through the district indexes: `id_column IN
    /// (…)` of the stakeholders' own district and of `stakeholder_districts`.
    pub(super) fn stakeholder_in_district(&mut self, id_column: &str, district: &str) {
        let code = self.value(district);
        self.and(format!(
            "{id_column} IN (SELECT id FROM stakeholders WHERE district = {code}
               UNION SELECT stakeholder_id FROM stakeholder_districts WHERE district = {code})"
        ));
    }

    /// Offerings offered in `district` (as listed; one listing no district is not taken).
    pub(super) fn offering_in_district(&mut self, id_column: &str, district: &str) {
        let code = self.value(district);
        self.and(format!(
            "{id_column} IN (SELECT offering_id FROM offering_districts WHERE district = {code})"
        ));
    }
}

/// Which record a list of districts belongs to, and so which join table holds it.
#[derive(Debug, Clone, Copy)]
enum DistrictList {
    /// The districts a stakeholder serves (`districts_served`).
    Stakeholder,
    /// The districts an offering is offered in (`districts`).
    Offering,
}

/// Writes a record's rows in its district join table for `districts`, inside the transaction
/// that writes the JSON list, so the two never disagree; `replace` first removes the rows of an
/// existing record (a new one has none). One statement each.
async fn set_districts_in(
    tx: &mut Transaction<'static, Any>,
    list: DistrictList,
    id: &str,
    districts: &[String],
    replace: bool,
) -> StoreResult<()> {
    let (table, owner) = match list {
        DistrictList::Stakeholder => ("stakeholder_districts", "stakeholder_id"),
        DistrictList::Offering => ("offering_districts", "offering_id"),
    };
    if replace {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE {owner} = $1"
        )))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    let distinct: std::collections::BTreeSet<&str> = districts.iter().map(String::as_str).collect();
    if distinct.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..distinct.len())
        .map(|n| format!("($1, ${})", n + 2))
        .collect();
    let mut insert = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} ({owner}, district) VALUES {}",
        rows.join(", ")
    )))
    .bind(id);
    for district in distinct {
        insert = insert.bind(district);
    }
    insert.execute(&mut **tx).await?;
    Ok(())
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
    /// The records it may duplicate (stored with it as `possible_duplicates`).
    pub duplicates: Vec<DuplicateMatch>,
}

/// What to do with a new stakeholder that looks like one already registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Store nothing and report the lookalikes ([`StoreError::Duplicate`]).
    #[default]
    Refuse,
    /// Store it, flagged with the lookalikes for a facilitator to review.
    Flag,
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
    version: i64,
    updated_by: Option<String>,
    demo: i64,
    consent_notice_version: Option<String>,
    consent_language: Option<String>,
    consent_given_at: Option<String>,
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
    version: i64,
    updated_by: Option<String>,
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

#[allow(clippy::too_many_arguments)]
fn meta(
    status: &str,
    via: &str,
    by: String,
    created_at: String,
    updated_at: String,
    version: i64,
    updated_by: Option<String>,
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
        version,
        updated_by,
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

/// See [`Store::find_duplicates`]; on any executor, so a writer can check inside its transaction.
pub(super) async fn duplicates_of<'e>(
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

pub(super) const STAKEHOLDER_COLUMNS: &str = "id, kind, name, name_local, district, districts_served, description, contact_person,
    contact_phone, contact_email, profile, possible_duplicates, status, created_via, created_by, created_at, updated_at, version, updated_by, demo,
    consent_notice_version, consent_language, consent_given_at";
pub(super) const OFFERING_COLUMNS: &str =
    "id, stakeholder_id, kind, title, description, sectors, districts, eligibility, terms,
    valid_until, status, created_via, created_by, created_at, updated_at, version, updated_by, demo";
pub(super) const NEED_COLUMNS: &str =
    "n.id, n.stakeholder_id, s.district, n.kind, n.title, n.description, n.sector, n.amount_inr,
    n.attendees, n.status, n.created_via, n.created_by, n.created_at, n.updated_at, n.version, n.updated_by, n.demo";

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
    set_districts_in(tx, DistrictList::Offering, &id, &data.districts, false).await?;
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
            let words = conditions.value(super::geography::like_pattern(words));
            conditions.and(format!(
                "(name_key LIKE {words} ESCAPE '\\' OR lower(COALESCE(name_local, '')) LIKE {words} ESCAPE '\\')"
            ));
        }
        conditions.and(filter.statuses.sql_in("status"));
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

    /// One record read inside a writing transaction by `select` (its id bound to `$1`), locked
    /// until the transaction ends: `lock` (`FOR UPDATE`, or `FOR UPDATE OF n` past a join) is
    /// added on PostgreSQL; SQLite's writer holds the whole database already.
    pub(super) async fn read_for_update<Row, Record>(
        &self,
        tx: &mut Transaction<'static, Any>,
        select: &str,
        lock: &str,
        id: &str,
    ) -> StoreResult<Record>
    where
        Row: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
        Record: TryFrom<Row, Error = StoreError>,
    {
        let lock = if self.backend == Backend::Postgres {
            lock
        } else {
            ""
        };
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{select} {lock}")))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        row.map(Record::try_from)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    /// Changes a stakeholder's content and/or status in one transaction, if it is still at the
    /// version the edit is based on. A status move takes its offerings and needs along:
    /// archiving archives them, approving a pending registration activates what came with it.
    pub async fn edit_stakeholder(
        &self,
        id: &str,
        edit: &Edit<'_, StakeholderData>,
    ) -> StoreResult<Stakeholder> {
        write_transaction!(self, |tx| {
            stakeholder_edit_in(&mut tx, id, edit, &now_timestamp()).await?;
            audit_edit(&mut tx, "stakeholder_edited", id, edit).await?;
        })?;
        self.get_stakeholder(id).await?.ok_or(StoreError::NotFound)
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
        write_transaction!(self, |tx| {
            offering_edit_in(&mut tx, id, edit, &now_timestamp()).await?;
            audit_edit(&mut tx, "offering_edited", id, edit).await?;
        })?;
        self.get_offering(id).await?.ok_or(StoreError::NotFound)
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
        write_transaction!(self, |tx| {
            need_edit_in(&mut tx, id, edit, &now_timestamp()).await?;
            audit_edit(&mut tx, "need_edited", id, edit).await?;
        })?;
        self.get_need(id).await?.ok_or(StoreError::NotFound)
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

    /// The one locked edit behind the three above: reads the record locked, lets `decide` say
    /// what changes, writes it based on the version read, commits, and reads it back.
    async fn edit_with<R, E>(
        &self,
        id: &str,
        actor: &str,
        decide: impl FnOnce(&R) -> Result<Option<Change<R::Data>>, E>,
    ) -> Result<R, E>
    where
        R: Edited,
        E: From<StoreError>,
    {
        let mut tx = self.begin_write().await?;
        let current: R = self
            .read_for_update::<R::Row, R>(&mut tx, &R::select_one(), R::LOCK, id)
            .await?;
        let Some(change) = decide(&current)? else {
            return Ok(current);
        };
        let edit = Edit {
            based_on: Some(current.version()),
            data: change.data.as_ref(),
            status: change.status,
            actor,
        };
        R::write_in(&mut tx, id, &edit, &now_timestamp()).await?;
        audit_edit(&mut tx, R::EDITED, id, &edit).await?;
        tx.commit().await?;
        Ok(R::get(self, id).await?.ok_or(StoreError::NotFound)?)
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

/// A record kind [`Store::edit_with`] edits: how one is read locked, written and read back.
trait Edited: TryFrom<Self::Row, Error = StoreError> + Send {
    type Row: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin;
    type Data: Send + Sync;
    /// The PostgreSQL lock clause after [`Edited::select_one`].
    const LOCK: &'static str;
    /// The audit log's action for an edit of this kind of record.
    const EDITED: &'static str;

    /// Reads one record, its id bound to `$1`.
    fn select_one() -> String;

    fn version(&self) -> i64;

    fn write_in<'a>(
        tx: &'a mut Transaction<'static, Any>,
        id: &'a str,
        edit: &'a Edit<'a, Self::Data>,
        now: &'a str,
    ) -> impl std::future::Future<Output = StoreResult<()>> + Send + 'a;

    fn get<'a>(
        store: &'a Store,
        id: &'a str,
    ) -> impl std::future::Future<Output = StoreResult<Option<Self>>> + Send + 'a;
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

/// An import's new content for a stakeholder, whatever its version: counted as an edit by
/// `actor` (version and `updated_by`), with the change-log entry search follows.
pub(super) async fn update_stakeholder_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    data: &StakeholderData,
    actor: &str,
) -> StoreResult<()> {
    stakeholder_edit_in(tx, id, &Edit::content(data, actor), &now_timestamp()).await
}

/// An import's new content for an offering (see [`update_stakeholder_in`]).
pub(super) async fn update_offering_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    data: &OfferingData,
    actor: &str,
) -> StoreResult<()> {
    offering_edit_in(tx, id, &Edit::content(data, actor), &now_timestamp()).await
}

/// An import's new content for a need (see [`update_stakeholder_in`]).
pub(super) async fn update_need_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    data: &NeedData,
    actor: &str,
) -> StoreResult<()> {
    need_edit_in(tx, id, &Edit::content(data, actor), &now_timestamp()).await
}

/// What an edit changes, as decided on the record read for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change<D> {
    pub data: Option<D>,
    pub status: Option<Status>,
}

/// A change to a stored record: new content, a new status, or both.
#[derive(Debug, Clone, Copy)]
pub struct Edit<'a, D> {
    /// The version the editor saw; `None` to change the record whatever its version.
    pub based_on: Option<i64>,
    pub data: Option<&'a D>,
    pub status: Option<Status>,
    /// Who is editing (a token's or person's name), kept as `updated_by`.
    pub actor: &'a str,
}

impl<'a, D> Edit<'a, D> {
    /// New content, whatever the record's version.
    pub fn content(data: &'a D, actor: &'a str) -> Self {
        Edit {
            based_on: None,
            data: Some(data),
            status: None,
            actor,
        }
    }

    pub fn status(status: Status, actor: &'a str) -> Self {
        Edit {
            based_on: None,
            data: None,
            status: Some(status),
            actor,
        }
    }
}

/// Counts up a record's version for `edit`, refusing it when the record has moved past the
/// version the edit is based on ([`StoreError::Stale`], naming who changed it and when).
async fn claim_version_in<D>(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    id: &str,
    edit: &Edit<'_, D>,
    now: &str,
) -> StoreResult<()> {
    let claimed = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET version = version + 1, updated_by = $2, updated_at = $3
         WHERE id = $1 AND ($4 IS NULL OR version = $4)"
    )))
    .bind(id)
    .bind(edit.actor)
    .bind(now)
    .bind(edit.based_on)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if claimed == 1 {
        return Ok(());
    }
    let current: Option<(i64, Option<String>, String)> = sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT version, updated_by, updated_at FROM {table} WHERE id = $1"),
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    match current {
        None => Err(StoreError::NotFound),
        Some((version, changed_by, changed_at)) => Err(StoreError::Stale {
            version,
            changed_by,
            changed_at,
        }),
    }
}

/// Moves an offering's or need's status alone.
async fn set_status_in(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    id: &str,
    status: Status,
) -> StoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET status = $2 WHERE id = $1"
    )))
    .bind(id)
    .bind(status.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
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

/// The audit entry of an edit of a stakeholder by a person or token: what changed, not the
/// values (the audit log outlives an erasure).
async fn audit_edit<D>(
    tx: &mut Transaction<'static, Any>,
    action: &str,
    id: &str,
    edit: &Edit<'_, D>,
) -> StoreResult<()> {
    let mut changed = Vec::new();
    if edit.data.is_some() {
        changed.push("content".to_string());
    }
    if let Some(status) = edit.status {
        changed.push(format!("status {status}"));
    }
    super::accounts::audit(tx, Some(edit.actor), action, Some(id), &changed.join(", ")).await
}

/// Writes `edit` of a stakeholder inside `tx`: the version first (refusing a stale edit), then the
/// content, then the status; and the change-log entry search follows.
pub(super) async fn stakeholder_edit_in(
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
               contact_email = $11, profile = $12
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

#[cfg(test)]
mod tests {
    #[test]
    fn name_keys_ignore_case_spacing_and_punctuation() {
        assert_eq!(super::name_key("  Sunita   DEVI. "), "sunita devi");
        assert_eq!(super::name_key("सुनीता देवी"), "सुनीता देवी");
    }
}

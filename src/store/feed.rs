//! What the search indexer reads: stakeholders, offerings and needs as flat records, each with the
//! facts about its stakeholder that search shows beside it (provider name, status, district).
//!
//! The indexer loads changed records by id in batches and, for a rebuild, pages through whole
//! tables in id order (keyset pages, so memory stays flat however large the registry grows).
//! Lists of ids become `$1, $2, …` placeholders: sqlx's `QueryBuilder` writes `?` under the `Any`
//! driver, which PostgreSQL rejects.

use serde::Deserialize;

use super::{Store, StoreError, StoreResult, from_json};
use crate::domain::record::Status;

/// How many ids go into one `IN (…)` list.
const IDS_PER_QUERY: usize = 500;

/// The stakeholder facts copied into the documents of its offerings and needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub name_local: Option<String>,
    pub district: String,
    pub status: Status,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedStakeholder {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub name_local: Option<String>,
    pub district: String,
    pub districts_served: Vec<String>,
    pub description: Option<String>,
    /// The profile's sector, for entrepreneurs and SHGs.
    pub sector: Option<String>,
    pub status: Status,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedOffering {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub description: Option<String>,
    pub sectors: Vec<String>,
    pub districts: Vec<String>,
    pub valid_until: Option<String>,
    pub status: Status,
    pub updated_at: String,
    pub provider: Provider,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedNeed {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub description: Option<String>,
    pub sector: Option<String>,
    pub amount_inr: Option<i64>,
    pub status: Status,
    pub updated_at: String,
    /// The need's district is its stakeholder's.
    pub provider: Provider,
}

/// Row counts, for a rebuild's progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedCounts {
    pub stakeholders: u64,
    pub offerings: u64,
    pub needs: u64,
}

impl FeedCounts {
    pub fn total(&self) -> u64 {
        self.stakeholders + self.offerings + self.needs
    }
}

/// Which rows a feed query reads.
#[derive(Debug, Clone, Copy)]
enum Select<'a> {
    /// These records.
    Ids(&'a [String]),
    /// Every record of these stakeholders.
    OfStakeholders(&'a [String]),
    /// The next `limit` records with an id after this one, in id order.
    After(&'a str, i64),
}

impl Select<'_> {
    /// The `WHERE … ORDER BY … LIMIT` tail, given the id and stakeholder-id columns.
    fn tail(&self, id_column: &str, owner_column: &str) -> String {
        match self {
            Select::Ids(ids) => format!(
                "WHERE {id_column} IN ({}) ORDER BY {id_column}",
                placeholders(ids.len())
            ),
            Select::OfStakeholders(ids) => format!(
                "WHERE {owner_column} IN ({}) ORDER BY {id_column}",
                placeholders(ids.len())
            ),
            Select::After(..) => format!("WHERE {id_column} > $1 ORDER BY {id_column} LIMIT $2"),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Select::Ids(ids) | Select::OfStakeholders(ids) => ids.is_empty(),
            Select::After(_, limit) => *limit <= 0,
        }
    }
}

fn placeholders(count: usize) -> String {
    (1..=count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(sqlx::FromRow)]
struct StakeholderRow {
    id: String,
    kind: String,
    name: String,
    name_local: Option<String>,
    district: String,
    districts_served: String,
    description: Option<String>,
    profile: Option<String>,
    status: String,
    updated_at: String,
}

#[derive(sqlx::FromRow)]
struct OfferingRow {
    id: String,
    kind: String,
    title: String,
    description: Option<String>,
    sectors: String,
    districts: String,
    valid_until: Option<String>,
    status: String,
    updated_at: String,
    provider_id: String,
    provider_kind: String,
    provider_name: String,
    provider_name_local: Option<String>,
    provider_district: String,
    provider_status: String,
}

#[derive(sqlx::FromRow)]
struct NeedRow {
    id: String,
    kind: String,
    title: String,
    description: Option<String>,
    sector: Option<String>,
    amount_inr: Option<i64>,
    status: String,
    updated_at: String,
    provider_id: String,
    provider_kind: String,
    provider_name: String,
    provider_name_local: Option<String>,
    provider_district: String,
    provider_status: String,
}

const STAKEHOLDER_SELECT: &str =
    "SELECT id, kind, name, name_local, district, districts_served, description, profile,
    status, updated_at FROM stakeholders";
const OFFERING_SELECT: &str = "SELECT o.id, o.kind, o.title, o.description, o.sectors, o.districts, o.valid_until,
    o.status, o.updated_at, s.id AS provider_id, s.kind AS provider_kind, s.name AS provider_name,
    s.name_local AS provider_name_local, s.district AS provider_district, s.status AS provider_status
    FROM offerings o JOIN stakeholders s ON s.id = o.stakeholder_id";
const NEED_SELECT: &str = "SELECT n.id, n.kind, n.title, n.description, n.sector, n.amount_inr, n.status,
    n.updated_at, s.id AS provider_id, s.kind AS provider_kind, s.name AS provider_name,
    s.name_local AS provider_name_local, s.district AS provider_district, s.status AS provider_status
    FROM needs n JOIN stakeholders s ON s.id = n.stakeholder_id";

fn status(text: &str) -> StoreResult<Status> {
    Status::parse(text).ok_or_else(|| StoreError::Corrupt(format!("status `{text}`")))
}

/// Only the profile's sector matters to search.
#[derive(Deserialize)]
struct ProfileSector {
    sector: Option<String>,
}

impl TryFrom<StakeholderRow> for FeedStakeholder {
    type Error = StoreError;

    fn try_from(row: StakeholderRow) -> StoreResult<Self> {
        let sector = match row.profile.as_deref() {
            Some(text) => {
                from_json::<Option<ProfileSector>>("profile", text)?.and_then(|p| p.sector)
            }
            None => None,
        };
        Ok(FeedStakeholder {
            districts_served: from_json("districts_served", &row.districts_served)?,
            status: status(&row.status)?,
            id: row.id,
            kind: row.kind,
            name: row.name,
            name_local: row.name_local,
            district: row.district,
            description: row.description,
            sector,
            updated_at: row.updated_at,
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn provider(
    id: String,
    kind: String,
    name: String,
    name_local: Option<String>,
    district: String,
    status_text: &str,
) -> StoreResult<Provider> {
    Ok(Provider {
        id,
        kind,
        name,
        name_local,
        district,
        status: status(status_text)?,
    })
}

impl TryFrom<OfferingRow> for FeedOffering {
    type Error = StoreError;

    fn try_from(row: OfferingRow) -> StoreResult<Self> {
        Ok(FeedOffering {
            sectors: from_json("sectors", &row.sectors)?,
            districts: from_json("districts", &row.districts)?,
            status: status(&row.status)?,
            provider: provider(
                row.provider_id,
                row.provider_kind,
                row.provider_name,
                row.provider_name_local,
                row.provider_district,
                &row.provider_status,
            )?,
            id: row.id,
            kind: row.kind,
            title: row.title,
            description: row.description,
            valid_until: row.valid_until,
            updated_at: row.updated_at,
        })
    }
}

impl TryFrom<NeedRow> for FeedNeed {
    type Error = StoreError;

    fn try_from(row: NeedRow) -> StoreResult<Self> {
        Ok(FeedNeed {
            status: status(&row.status)?,
            provider: provider(
                row.provider_id,
                row.provider_kind,
                row.provider_name,
                row.provider_name_local,
                row.provider_district,
                &row.provider_status,
            )?,
            id: row.id,
            kind: row.kind,
            title: row.title,
            description: row.description,
            sector: row.sector,
            amount_inr: row.amount_inr,
            updated_at: row.updated_at,
        })
    }
}

impl Store {
    /// These stakeholders, whatever their status; ids not found are left out.
    pub async fn feed_stakeholders(&self, ids: &[String]) -> StoreResult<Vec<FeedStakeholder>> {
        let mut found = Vec::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            found.extend(self.select_stakeholders(Select::Ids(chunk)).await?);
        }
        Ok(found)
    }

    pub async fn feed_offerings(&self, ids: &[String]) -> StoreResult<Vec<FeedOffering>> {
        let mut found = Vec::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            found.extend(self.select_offerings(Select::Ids(chunk)).await?);
        }
        Ok(found)
    }

    pub async fn feed_needs(&self, ids: &[String]) -> StoreResult<Vec<FeedNeed>> {
        let mut found = Vec::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            found.extend(self.select_needs(Select::Ids(chunk)).await?);
        }
        Ok(found)
    }

    /// Every offering of these stakeholders, whatever its status.
    pub async fn feed_offerings_of(
        &self,
        stakeholder_ids: &[String],
    ) -> StoreResult<Vec<FeedOffering>> {
        let mut found = Vec::new();
        for chunk in stakeholder_ids.chunks(IDS_PER_QUERY) {
            found.extend(self.select_offerings(Select::OfStakeholders(chunk)).await?);
        }
        Ok(found)
    }

    /// Every need of these stakeholders, whatever its status.
    pub async fn feed_needs_of(&self, stakeholder_ids: &[String]) -> StoreResult<Vec<FeedNeed>> {
        let mut found = Vec::new();
        for chunk in stakeholder_ids.chunks(IDS_PER_QUERY) {
            found.extend(self.select_needs(Select::OfStakeholders(chunk)).await?);
        }
        Ok(found)
    }

    /// The next page of stakeholders after `after_id` (`""` for the first), in id order.
    pub async fn feed_stakeholder_page(
        &self,
        after_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<FeedStakeholder>> {
        self.select_stakeholders(Select::After(after_id, limit))
            .await
    }

    pub async fn feed_offering_page(
        &self,
        after_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<FeedOffering>> {
        self.select_offerings(Select::After(after_id, limit)).await
    }

    pub async fn feed_need_page(&self, after_id: &str, limit: i64) -> StoreResult<Vec<FeedNeed>> {
        self.select_needs(Select::After(after_id, limit)).await
    }

    pub async fn feed_counts(&self) -> StoreResult<FeedCounts> {
        let (stakeholders, offerings, needs): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM stakeholders), (SELECT COUNT(*) FROM offerings),
                    (SELECT COUNT(*) FROM needs)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(FeedCounts {
            stakeholders: stakeholders.max(0) as u64,
            offerings: offerings.max(0) as u64,
            needs: needs.max(0) as u64,
        })
    }

    async fn select_stakeholders(&self, select: Select<'_>) -> StoreResult<Vec<FeedStakeholder>> {
        if select.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("{STAKEHOLDER_SELECT} {}", select.tail("id", "id"));
        let rows: Vec<StakeholderRow> =
            bind_select(sqlx::query_as(sqlx::AssertSqlSafe(sql)), select)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(FeedStakeholder::try_from).collect()
    }

    async fn select_offerings(&self, select: Select<'_>) -> StoreResult<Vec<FeedOffering>> {
        if select.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{OFFERING_SELECT} {}",
            select.tail("o.id", "o.stakeholder_id")
        );
        let rows: Vec<OfferingRow> = bind_select(sqlx::query_as(sqlx::AssertSqlSafe(sql)), select)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(FeedOffering::try_from).collect()
    }

    async fn select_needs(&self, select: Select<'_>) -> StoreResult<Vec<FeedNeed>> {
        if select.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("{NEED_SELECT} {}", select.tail("n.id", "n.stakeholder_id"));
        let rows: Vec<NeedRow> = bind_select(sqlx::query_as(sqlx::AssertSqlSafe(sql)), select)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(FeedNeed::try_from).collect()
    }
}

type AnyQueryAs<'q, T> = sqlx::query::QueryAs<'q, sqlx::Any, T, sqlx::any::AnyArguments>;

/// Binds the values a [`Select`]'s placeholders stand for, in order.
fn bind_select<'q, T>(query: AnyQueryAs<'q, T>, select: Select<'q>) -> AnyQueryAs<'q, T> {
    match select {
        Select::Ids(ids) | Select::OfStakeholders(ids) => {
            ids.iter().fold(query, |query, id| query.bind(id.as_str()))
        }
        Select::After(after, limit) => query.bind(after).bind(limit),
    }
}

//! What the HSDS feed reads: public offerings (active, of active providers) as services, and
//! the providers that have at least one of them as organizations. A stakeholder with no public
//! offering is not an organization of the feed: an entrepreneur is not a service provider, and a
//! public directory has no business listing people.

use super::geography::{like_escaped, like_pattern};
use super::registry::{OFFERING_COLUMNS, OfferingRow, STAKEHOLDER_COLUMNS, StakeholderRow};
use super::{Store, StoreResult};
use crate::domain::offering::Offering;
use crate::domain::stakeholder::Stakeholder;

/// Offerings anyone may see.
const PUBLIC_OFFERING: &str = "o.status = 'active'
    AND o.stakeholder_id IN (SELECT id FROM stakeholders WHERE status = 'active')";

/// Which public offerings a page of services takes.
#[derive(Debug, Clone, Default)]
pub struct ServiceQuery {
    pub stakeholder_id: Option<String>,
    /// Changed at or after this instant, as the store writes instants.
    pub modified_after: Option<String>,
    /// Of this linkage kind.
    pub kind: Option<String>,
    /// Listing this sector.
    pub sector: Option<String>,
    /// Words found in the title or description (case ignored), as typed.
    pub search: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    /// A page of public offerings in id order, and how many there are in all.
    pub async fn hsds_services(&self, query: &ServiceQuery) -> StoreResult<(Vec<Offering>, i64)> {
        const WHERE: &str = "($1 IS NULL OR o.stakeholder_id = $1)
            AND ($2 IS NULL OR o.updated_at >= $2)
            AND ($3 IS NULL OR o.kind = $3)
            AND ($4 IS NULL OR o.sectors LIKE $4 ESCAPE '\\')
            AND ($5 IS NULL OR lower(o.title) LIKE $5 ESCAPE '\\'
                 OR lower(COALESCE(o.description, '')) LIKE $5 ESCAPE '\\')";
        let sector = query
            .sector
            .as_ref()
            .map(|code| format!("%\"{}\"%", like_escaped(code)));
        let search = query.search.as_deref().map(like_pattern);
        let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM offerings o WHERE {PUBLIC_OFFERING} AND {WHERE}"
        )))
        .bind(&query.stakeholder_id)
        .bind(&query.modified_after)
        .bind(&query.kind)
        .bind(&sector)
        .bind(&search)
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<OfferingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {OFFERING_COLUMNS} FROM offerings o WHERE {PUBLIC_OFFERING} AND {WHERE}
             ORDER BY o.id LIMIT $6 OFFSET $7"
        )))
        .bind(&query.stakeholder_id)
        .bind(&query.modified_after)
        .bind(&query.kind)
        .bind(&sector)
        .bind(&search)
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(&self.pool)
        .await?;
        let offerings = rows
            .into_iter()
            .map(Offering::try_from)
            .collect::<StoreResult<_>>()?;
        Ok((offerings, total))
    }

    /// A page of the providers with at least one public offering, in id order (names matching
    /// `search`, in English or Hindi, when given), and how many there are in all.
    pub async fn hsds_organizations(
        &self,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<Stakeholder>, i64)> {
        let condition = format!(
            "status = 'active'
             AND id IN (SELECT o.stakeholder_id FROM offerings o WHERE {PUBLIC_OFFERING})
             AND ($1 IS NULL OR lower(name) LIKE $1 ESCAPE '\\'
                  OR lower(COALESCE(name_local, '')) LIKE $1 ESCAPE '\\')"
        );
        let search = search.map(like_pattern);
        let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM stakeholders WHERE {condition}"
        )))
        .bind(&search)
        .fetch_one(&self.pool)
        .await?;
        let rows: Vec<StakeholderRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {STAKEHOLDER_COLUMNS} FROM stakeholders WHERE {condition}
             ORDER BY id LIMIT $2 OFFSET $3"
        )))
        .bind(&search)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let found = rows
            .into_iter()
            .map(Stakeholder::try_from)
            .collect::<StoreResult<_>>()?;
        Ok((found, total))
    }

    /// The public offerings of these providers, in id order.
    pub async fn hsds_services_of(&self, stakeholder_ids: &[String]) -> StoreResult<Vec<Offering>> {
        let mut found = Vec::new();
        for chunk in stakeholder_ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT {OFFERING_COLUMNS} FROM offerings o WHERE {PUBLIC_OFFERING}
                   AND o.stakeholder_id IN ({}) ORDER BY o.id",
                placeholders.join(", ")
            );
            let rows: Vec<OfferingRow> = chunk
                .iter()
                .fold(sqlx::query_as(sqlx::AssertSqlSafe(sql)), |query, id| {
                    query.bind(id.as_str())
                })
                .fetch_all(&self.pool)
                .await?;
            for row in rows {
                found.push(Offering::try_from(row)?);
            }
        }
        Ok(found)
    }
}

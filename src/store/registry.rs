//! Stakeholders, their offerings and their needs: one file each under `registry/`, with what
//! they share here (status filters, `WHERE` clauses, district join tables, record metadata) and
//! the edit plumbing in `registry/edit.rs`.

mod edit;
mod needs;
mod offerings;
mod stakeholders;

pub use edit::{Change, Edit};
pub(super) use needs::{NEED_COLUMNS, NeedRow, insert_need_in, update_need_in};
pub(super) use offerings::{OFFERING_COLUMNS, OfferingRow, insert_offering_in, update_offering_in};
pub use stakeholders::{DuplicateMatch, Registered, StakeholderFilter};
pub(super) use stakeholders::{
    STAKEHOLDER_COLUMNS, StakeholderRow, duplicates_of, insert_stakeholder_in, stakeholder_edit_in,
    stakeholder_status_in, update_stakeholder_in,
};

use sqlx::{Any, Transaction};

use super::{StoreError, StoreResult};
use crate::domain::record::{Origin, RecordMeta, Status};

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

    /// Records waiting for review (`status` column) only when their home district (`district`,
    /// a column or an expression) is one of `districts`; every other status as it is. `None`:
    /// no limit (see [`crate::domain::access::Caller::pending_scope`]).
    pub(super) fn pending_only_in(
        &mut self,
        status: &str,
        district: &str,
        districts: Option<&[String]>,
    ) {
        let Some(districts) = districts else {
            return;
        };
        let codes: Vec<String> = districts.iter().map(|d| self.value(d.as_str())).collect();
        self.and(if codes.is_empty() {
            format!("{status} <> 'pending'")
        } else {
            format!(
                "({status} <> 'pending' OR {district} IN ({}))",
                codes.join(", ")
            )
        });
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

/// New offerings and needs start where their stakeholder stands; an archived one takes none.
pub(super) fn child_status(parent: Status) -> StoreResult<Status> {
    match parent {
        Status::Archived => Err(StoreError::Conflict(
            "the stakeholder is archived; restore it first".into(),
        )),
        other => Ok(other),
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

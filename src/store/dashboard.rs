//! What a facilitator's dashboard counts, over a set of districts (empty: every district):
//! registrations waiting for review, open needs by kind and sector, upcoming meetings, and each
//! recent meeting's linkages by status with what the completed ones brought.

use super::meetings::{MEETING_COLUMNS, MeetingRow, linkage_status};
use super::{Store, StoreResult};
use crate::domain::meeting::{LinkageStatus, Meeting};
use crate::domain::offering::LinkageKind;

/// `AND <column> IN ($n, …)` for the districts (placeholders stay in numeric order in the text,
/// as SQLite numbers them by first appearance), numbered from `first`; nothing for every district.
fn in_districts(column: &str, districts: &[String], first: usize) -> String {
    if districts.is_empty() {
        return String::new();
    }
    let marks: Vec<String> = (0..districts.len())
        .map(|i| format!("${}", first + i))
        .collect();
    format!(" AND {column} IN ({})", marks.join(", "))
}

/// Open needs of one kind and sector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedCount {
    pub kind: String,
    pub sector: Option<String>,
    pub count: i64,
}

/// One meeting's linkages of one status and kind, and the sum of their recorded outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingFigure {
    pub meeting_id: String,
    pub title: String,
    pub date: String,
    pub status: LinkageStatus,
    pub kind: LinkageKind,
    pub linkages: i64,
    pub outcome_total: i64,
}

impl Store {
    /// Stakeholders registered by the public and not yet reviewed.
    pub async fn count_pending_registrations(&self, districts: &[String]) -> StoreResult<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM stakeholders WHERE status = 'pending'{}",
            in_districts("district", districts, 1)
        );
        let mut query = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql));
        for district in districts {
            query = query.bind(district.as_str());
        }
        Ok(query.fetch_one(&self.pool).await?.0)
    }

    /// Active needs of active entrepreneurs and groups that no accepted or completed linkage
    /// meets, counted by kind and sector; most first.
    pub async fn open_need_counts(&self, districts: &[String]) -> StoreResult<Vec<NeedCount>> {
        let sql = format!(
            "SELECT n.kind, n.sector, COUNT(*) AS open_count
             FROM needs n JOIN stakeholders s ON s.id = n.stakeholder_id
             WHERE n.status = 'active' AND s.status = 'active'{}
               AND NOT EXISTS (SELECT 1 FROM linkages l WHERE l.need_id = n.id AND l.status IN ('accepted', 'completed'))
             GROUP BY n.kind, n.sector
             ORDER BY open_count DESC, n.kind, n.sector",
            in_districts("s.district", districts, 1)
        );
        let mut query =
            sqlx::query_as::<_, (String, Option<String>, i64)>(sqlx::AssertSqlSafe(sql));
        for district in districts {
            query = query.bind(district.as_str());
        }
        Ok(query
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|(kind, sector, count)| NeedCount {
                kind,
                sector,
                count,
            })
            .collect())
    }

    /// Meetings on or after `today` (`YYYY-MM-DD`), soonest first.
    pub async fn upcoming_meetings(
        &self,
        districts: &[String],
        today: &str,
        limit: i64,
    ) -> StoreResult<Vec<Meeting>> {
        let sql = format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE date >= $1{}
             ORDER BY date, id LIMIT {limit}",
            in_districts("district", districts, 2)
        );
        let mut query = sqlx::query_as::<_, MeetingRow>(sqlx::AssertSqlSafe(sql)).bind(today);
        for district in districts {
            query = query.bind(district.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.into_iter().map(Meeting::try_from).collect()
    }

    /// The linkages of the latest `limit` meetings by meeting, status and kind, with the sum of
    /// the outcomes recorded (rupees or people, as the kind says); oldest meeting first.
    pub async fn meeting_figures(
        &self,
        districts: &[String],
        limit: i64,
    ) -> StoreResult<Vec<MeetingFigure>> {
        let sql = format!(
            "SELECT m.id, m.title, m.date, l.status, l.kind, COUNT(*),
               CAST(COALESCE(SUM(l.outcome_value), 0) AS BIGINT)
             FROM meetings m JOIN linkages l ON l.meeting_id = m.id
             WHERE m.id IN (SELECT id FROM meetings WHERE 1 = 1{} ORDER BY date DESC, id DESC LIMIT {limit})
             GROUP BY m.id, m.title, m.date, l.status, l.kind
             ORDER BY m.date, m.id",
            in_districts("district", districts, 1)
        );
        type Row = (String, String, String, String, String, i64, i64);
        let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql));
        for district in districts {
            query = query.bind(district.as_str());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(
                |(meeting_id, title, date, status, kind, linkages, outcome_total)| {
                    Ok(MeetingFigure {
                        meeting_id,
                        title,
                        date,
                        status: linkage_status(&status)?,
                        kind: LinkageKind::parse(&kind).ok_or_else(|| {
                            super::StoreError::Corrupt(format!("linkage kind `{kind}`"))
                        })?,
                        linkages,
                        outcome_total,
                    })
                },
            )
            .collect()
    }
}

//! Coalition meetings, their linkages, and each linkage's history.
//!
//! Suggestions are saved as linkages in status `suggested`, one row per (meeting, need, offering),
//! so asking again updates rather than doubles. Rows people have moved on are never touched by a
//! new round of suggestions; moving one is a compare-and-set on its status, so two people acting
//! at once cannot both succeed from the same starting point.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{Any, Transaction};

use super::outbox;
use super::registry::NeedRow;
use super::{Store, StoreError, StoreResult, TurnKey, from_json, new_id, to_json};
use crate::domain::meeting::{
    Linkage, LinkageEvent, LinkageMove, LinkageStatus, Meeting, MeetingData,
};
use crate::domain::notification::{self, LinkageParties};
use crate::domain::offering::LinkageKind;
use crate::domain::planning::{OpenNeed, Suggestion};
use crate::domain::record::now_timestamp;

#[derive(sqlx::FromRow)]
pub(super) struct MeetingRow {
    id: String,
    title: String,
    district: String,
    date: String,
    invitees: String,
    created_by: String,
    created_at: String,
    updated_at: String,
}

impl TryFrom<MeetingRow> for Meeting {
    type Error = StoreError;

    fn try_from(row: MeetingRow) -> StoreResult<Self> {
        Ok(Meeting {
            id: row.id,
            data: MeetingData {
                title: row.title,
                district: row.district,
                date: row.date,
                invitees: from_json("invitees", &row.invitees)?,
            },
            created_by: row.created_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct LinkageRow {
    id: String,
    meeting_id: String,
    need_id: String,
    offering_id: String,
    kind: String,
    score: f64,
    reasons: String,
    reasons_hi: Option<String>,
    status: String,
    note: Option<String>,
    outcome_value: Option<i64>,
    created_at: String,
    updated_at: String,
}

impl TryFrom<LinkageRow> for Linkage {
    type Error = StoreError;

    fn try_from(row: LinkageRow) -> StoreResult<Self> {
        Ok(Linkage {
            kind: LinkageKind::parse(&row.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("kind `{}`", row.kind)))?,
            status: linkage_status(&row.status)?,
            reasons: from_json("reasons", &row.reasons)?,
            reasons_hi: row
                .reasons_hi
                .as_deref()
                .map(|text| from_json("reasons_hi", text))
                .transpose()?
                .unwrap_or_default(),
            id: row.id,
            meeting_id: row.meeting_id,
            need_id: row.need_id,
            offering_id: row.offering_id,
            score: row.score,
            note: row.note,
            outcome_value: row.outcome_value,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

pub(super) fn linkage_status(text: &str) -> StoreResult<LinkageStatus> {
    LinkageStatus::parse(text).ok_or_else(|| StoreError::Corrupt(format!("status `{text}`")))
}

pub(super) const MEETING_COLUMNS: &str =
    "id, title, district, date, invitees, created_by, created_at, updated_at";
pub(super) const LINKAGE_COLUMNS: &str =
    "l.id, l.meeting_id, l.need_id, l.offering_id, l.kind, l.score, l.reasons, l.reasons_hi, l.status, l.note,
    l.outcome_value, l.created_at, l.updated_at";

/// An open need with the name of whoever has it, for the briefing.
#[derive(Debug, Clone)]
pub struct OpenNeedRecord {
    pub open: OpenNeed,
    pub owner_name: String,
    pub owner_name_local: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(super) struct OpenNeedRow {
    #[sqlx(flatten)]
    pub(super) need: NeedRow,
    pub(super) profile: Option<String>,
    pub(super) owner_name: String,
    pub(super) owner_name_local: Option<String>,
}

/// A linkage with the words a briefing shows beside it.
#[derive(Debug, Clone)]
pub struct LinkageView {
    pub linkage: Linkage,
    pub need_title: String,
    pub need_amount_inr: Option<i64>,
    pub need_sector: Option<String>,
    pub owner_id: String,
    pub owner_name: String,
    pub owner_name_local: Option<String>,
    pub offering_title: String,
    pub provider_id: String,
    pub provider_name: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct LinkageViewRow {
    #[sqlx(flatten)]
    pub(super) linkage: LinkageRow,
    pub(super) need_title: String,
    pub(super) need_amount_inr: Option<i64>,
    pub(super) need_sector: Option<String>,
    pub(super) owner_id: String,
    pub(super) owner_name: String,
    pub(super) owner_name_local: Option<String>,
    pub(super) offering_title: String,
    pub(super) provider_id: String,
    pub(super) provider_name: String,
}

/// How many linkages a stakeholder has, by status, as provider and as the one with the need.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LinkageCounts {
    pub as_provider: BTreeMap<LinkageStatus, i64>,
    pub as_entrepreneur: BTreeMap<LinkageStatus, i64>,
}

/// `LIKE` pattern for a code (district, sector) inside a JSON list of codes.
pub(super) fn in_json_list(code: &str) -> String {
    format!("%\"{code}\"%")
}

impl Store {
    pub async fn insert_meeting(&self, data: &MeetingData, actor: &str) -> StoreResult<Meeting> {
        let id = new_id("mt");
        let now = now_timestamp();
        super::write_transaction!(self, |tx| {
            sqlx::query(
                "INSERT INTO meetings (id, title, district, date, invitees, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(&id)
            .bind(&data.title)
            .bind(&data.district)
            .bind(&data.date)
            .bind(to_json(&data.invitees))
            .bind(actor)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            let detail = format!("{} · {} · {}", data.title, data.district, data.date);
            super::accounts::audit(&mut tx, Some(actor), "meeting_created", Some(&id), &detail)
                .await?;
        })?;
        self.get_meeting(&id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn get_meeting(&self, id: &str) -> StoreResult<Option<Meeting>> {
        let row: Option<MeetingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Meeting::try_from).transpose()
    }

    /// Saves the meeting as `data`, audited as done by `actor`.
    pub async fn update_meeting(
        &self,
        id: &str,
        data: &MeetingData,
        actor: &str,
    ) -> StoreResult<Meeting> {
        let updated = super::write_transaction!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE meetings SET title = $2, district = $3, date = $4, invitees = $5, updated_at = $6 WHERE id = $1",
            )
            .bind(id)
            .bind(&data.title)
            .bind(&data.district)
            .bind(&data.date)
            .bind(to_json(&data.invitees))
            .bind(now_timestamp())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated > 0 {
                let detail = format!(
                    "{} · {} · {} · {} invited",
                    data.title,
                    data.district,
                    data.date,
                    data.invitees.len()
                );
                super::accounts::audit(&mut tx, Some(actor), "meeting_edited", Some(id), &detail)
                    .await?;
            }
            updated
        })?;
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        self.get_meeting(id).await?.ok_or(StoreError::NotFound)
    }

    /// Meetings, latest date first, optionally of one district.
    pub async fn list_meetings(
        &self,
        district: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<Meeting>> {
        let rows: Vec<MeetingRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE ($1 IS NULL OR district = $1)
             ORDER BY date DESC, id DESC LIMIT $2 OFFSET $3"
        )))
        .bind(district)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Meeting::try_from).collect()
    }

    /// Which of `ids` are stakeholders that may be invited (in the registry and not archived).
    pub async fn invitable_stakeholders(&self, ids: &[String]) -> StoreResult<BTreeSet<String>> {
        let mut found = BTreeSet::new();
        let mut connection = self.pool.acquire().await?;
        for id in ids.iter().collect::<BTreeSet<_>>() {
            let row: Option<(String,)> = sqlx::query_as(
                "SELECT id FROM stakeholders WHERE id = $1 AND status <> 'archived'",
            )
            .bind(id)
            .fetch_optional(&mut *connection)
            .await?;
            found.extend(row.map(|(id,)| id));
        }
        Ok(found)
    }

    /// Saves a round of suggestions: new pairs are added as `suggested`, suggested pairs get the
    /// new score and reasons, and suggested pairs no longer in the round are dropped. Pairs people
    /// have moved on are left exactly as they are.
    pub async fn save_suggestions(
        &self,
        meeting_id: &str,
        suggestions: &[Suggestion],
    ) -> StoreResult<()> {
        let now = now_timestamp();
        // One order for every writer, so writes take row locks alike.
        let mut ordered: Vec<&Suggestion> = suggestions.iter().collect();
        ordered.sort_by(|a, b| (&a.need_id, &a.offering_id).cmp(&(&b.need_id, &b.offering_id)));
        super::write_transaction!(self, |tx| {
            // Rounds of one meeting take turns, so two cannot delete and insert the same rows in
            // opposite orders (a deadlock PostgreSQL would break by aborting one of them).
            self.take_turn(&mut tx, TurnKey::Meeting(meeting_id))
                .await?;
            for suggestion in &ordered {
                sqlx::query(
                    "INSERT INTO linkages (id, meeting_id, need_id, offering_id, kind, score, reasons, status, note,
                       created_at, updated_at, reasons_hi)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'suggested', NULL, $8, $8, $9)
                     ON CONFLICT (meeting_id, need_id, offering_id) DO UPDATE
                       SET score = excluded.score, reasons = excluded.reasons, reasons_hi = excluded.reasons_hi,
                         updated_at = excluded.updated_at
                       WHERE linkages.status = 'suggested'
                         AND (linkages.score <> excluded.score OR linkages.reasons <> excluded.reasons
                           OR linkages.reasons_hi IS NULL OR linkages.reasons_hi <> excluded.reasons_hi)",
                )
                .bind(new_id("lk"))
                .bind(meeting_id)
                .bind(&suggestion.need_id)
                .bind(&suggestion.offering_id)
                .bind(suggestion.kind.as_str())
                .bind(suggestion.score)
                .bind(to_json(&suggestion.reasons))
                .bind(&now)
                .bind(to_json(&suggestion.reasons_hi))
                .execute(&mut *tx)
                .await?;
            }
            let wanted: BTreeSet<(&str, &str)> = ordered
                .iter()
                .map(|s| (s.need_id.as_str(), s.offering_id.as_str()))
                .collect();
            let suggested: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT id, need_id, offering_id FROM linkages WHERE meeting_id = $1 AND status = 'suggested' ORDER BY id",
            )
            .bind(meeting_id)
            .fetch_all(&mut *tx)
            .await?;
            for (id, need_id, offering_id) in suggested {
                if !wanted.contains(&(need_id.as_str(), offering_id.as_str())) {
                    sqlx::query("DELETE FROM linkages WHERE id = $1 AND status = 'suggested'")
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        })
    }

    pub async fn get_linkage(&self, id: &str) -> StoreResult<Option<Linkage>> {
        let row: Option<LinkageRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LINKAGE_COLUMNS} FROM linkages l WHERE l.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Linkage::try_from).transpose()
    }

    /// Moves a linkage from `from` (the status the caller checked the move against) and records
    /// the move. If someone moved it meanwhile, nothing is written and the answer is a conflict.
    pub async fn move_linkage(
        &self,
        id: &str,
        from: LinkageStatus,
        change: &LinkageMove,
        actor: &str,
    ) -> StoreResult<Linkage> {
        let now = now_timestamp();
        let (mut tx, _turn) = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE linkages SET status = $2, note = COALESCE($3, note), updated_at = $4,
               outcome_value = COALESCE($6, outcome_value)
             WHERE id = $1 AND status = $5",
        )
        .bind(id)
        .bind(change.status.as_str())
        .bind(&change.note)
        .bind(&now)
        .bind(from.as_str())
        .bind(change.outcome_value)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::Conflict(
                "the linkage was changed by someone else meanwhile; read it again and retry".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO linkage_events (linkage_id, from_status, to_status, note, actor, at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(from.as_str())
        .bind(change.status.as_str())
        .bind(&change.note)
        .bind(actor)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let detail = match change.outcome_value {
            Some(value) => format!("{from} → {}; outcome {value}", change.status),
            None => format!("{from} → {}", change.status),
        };
        super::accounts::audit(&mut tx, Some(actor), "linkage_moved", Some(id), &detail).await?;
        if change.status != from {
            let parties = linkage_parties(&mut tx, id).await?;
            let notices = notification::linkage_moved(change.status, &parties);
            outbox::enqueue(&mut tx, &notices).await?;
        }
        tx.commit().await?;
        self.get_linkage(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn linkage_history(&self, id: &str) -> StoreResult<Vec<LinkageEvent>> {
        let rows: Vec<(String, String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT from_status, to_status, note, actor, at FROM linkage_events WHERE linkage_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(from, to, note, actor, at)| {
                Ok(LinkageEvent {
                    from_status: linkage_status(&from)?,
                    to_status: linkage_status(&to)?,
                    note,
                    actor,
                    at,
                })
            })
            .collect()
    }

    /// A stakeholder's linkages by status: through its offerings and through its needs.
    pub async fn linkage_counts(&self, stakeholder_id: &str) -> StoreResult<LinkageCounts> {
        let mut counts = LinkageCounts::default();
        for status in LinkageStatus::ALL {
            counts.as_provider.insert(*status, 0);
            counts.as_entrepreneur.insert(*status, 0);
        }
        for (table, side) in [
            ("offerings", &mut counts.as_provider),
            ("needs", &mut counts.as_entrepreneur),
        ] {
            let column = if table == "offerings" {
                "offering_id"
            } else {
                "need_id"
            };
            let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT l.status, COUNT(*) FROM linkages l JOIN {table} x ON x.id = l.{column}
                 WHERE x.stakeholder_id = $1 GROUP BY l.status"
            )))
            .bind(stakeholder_id)
            .fetch_all(&self.pool)
            .await?;
            for (status, count) in rows {
                side.insert(linkage_status(&status)?, count);
            }
        }
        Ok(counts)
    }
}

/// Who and what a linkage joins, by name, read in the transaction that moves it.
async fn linkage_parties(
    tx: &mut Transaction<'static, Any>,
    linkage_id: &str,
) -> StoreResult<LinkageParties> {
    let row: Option<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT n.title, e.id, e.name, o.title, p.id, p.name
         FROM linkages l
         JOIN needs n ON n.id = l.need_id JOIN stakeholders e ON e.id = n.stakeholder_id
         JOIN offerings o ON o.id = l.offering_id JOIN stakeholders p ON p.id = o.stakeholder_id
         WHERE l.id = $1",
    )
    .bind(linkage_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (
        need_title,
        entrepreneur_id,
        entrepreneur_name,
        offering_title,
        provider_id,
        provider_name,
    ) = row.ok_or(StoreError::NotFound)?;
    Ok(LinkageParties {
        need_title,
        entrepreneur_id,
        entrepreneur_name,
        offering_title,
        provider_id,
        provider_name,
    })
}

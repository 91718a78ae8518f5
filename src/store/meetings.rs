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
use crate::domain::need::seats_taken;
use crate::domain::notification::{self, LinkageParties};
use crate::domain::offering::{LinkageKind, Terms};
use crate::domain::planning::{OpenNeed, Suggestion, Usage};
use crate::domain::record::now_timestamp;
use crate::domain::stakeholder::Profile;

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

/// How many linkages a stakeholder has, by status, as provider (through its offerings) and as
/// the one with the need. Every status is present.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LinkageCounts {
    pub as_provider: BTreeMap<LinkageStatus, i64>,
    pub as_entrepreneur: BTreeMap<LinkageStatus, i64>,
}

/// Where linkage moves stood when a round began reading (see [`Store::linkage_mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkageMark(i64);

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
            .execute(&mut **tx)
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
            .execute(&mut **tx)
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

    /// Meetings of `districts` (every district when `None`, none when empty), newest first, a
    /// page at a time, with how many there are in all: filtered and paged in SQL, over the
    /// `meetings(district, date)` index.
    pub async fn list_meetings_in(
        &self,
        districts: Option<&[String]>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<Meeting>, i64)> {
        let codes: &[String] = match districts {
            Some([]) => return Ok((Vec::new(), 0)),
            Some(codes) => codes,
            None => &[],
        };
        // `$1, $2, …` (sqlx's QueryBuilder writes `?` under `Any`, which PostgreSQL rejects).
        let filter = if codes.is_empty() {
            String::new()
        } else {
            let marks: Vec<String> = (1..=codes.len()).map(|n| format!("${n}")).collect();
            format!("WHERE district IN ({})", marks.join(", "))
        };
        let after = codes.len();
        let mut page = sqlx::query_as::<_, MeetingRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings {filter}
             ORDER BY date DESC, id DESC LIMIT ${} OFFSET ${}",
            after + 1,
            after + 2
        )));
        let mut count = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM meetings {filter}"
        )));
        for code in codes {
            page = page.bind(code);
            count = count.bind(code);
        }
        let rows = page.bind(limit).bind(offset).fetch_all(&self.pool).await?;
        let (total,) = count.fetch_one(&self.pool).await?;
        let meetings = rows
            .into_iter()
            .map(Meeting::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok((meetings, total))
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
        self.save_suggestions_planned_on(meeting_id, suggestions, None)
            .await
            .map(|_| ())
    }

    /// Where the linkages' moves stand now: take it before reading what a round is planned on,
    /// and give it to [`Store::save_suggestions_planned_on`].
    pub async fn linkage_mark(&self) -> StoreResult<LinkageMark> {
        let (seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM linkage_events")
            .fetch_one(&self.pool)
            .await?;
        Ok(LinkageMark(seq))
    }

    /// Saves a round (as [`Store::save_suggestions`]) only if no linkage has moved since `mark`
    /// was taken, checked in the saving transaction while holding the turn every move takes:
    /// a round planned on seat counts that are no longer true is not saved, and the answer is
    /// `false` (plan again). With `None` the round is saved whatever moved.
    pub async fn save_suggestions_planned_on(
        &self,
        meeting_id: &str,
        suggestions: &[Suggestion],
        mark: Option<LinkageMark>,
    ) -> StoreResult<bool> {
        let now = now_timestamp();
        // One order for every writer, so writes take row locks alike.
        let mut ordered: Vec<&Suggestion> = suggestions.iter().collect();
        ordered.sort_by(|a, b| (&a.need_id, &a.offering_id).cmp(&(&b.need_id, &b.offering_id)));
        super::write_transaction!(self, |tx| {
            // Rounds of one meeting take turns, so two cannot delete and insert the same rows in
            // opposite orders (a deadlock PostgreSQL would break by aborting one of them).
            self.take_turn(&mut tx, TurnKey::Meeting(meeting_id))
                .await?;
            // Then the turn of moves (always in this order: meeting, capacity), so none commits
            // between the check and the save.
            self.take_turn(&mut tx, TurnKey::Capacity).await?;
            let current = match mark {
                Some(LinkageMark(planned_on)) => {
                    let (now_at,): (i64,) =
                        sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM linkage_events")
                            .fetch_one(&mut **tx)
                            .await?;
                    now_at == planned_on
                }
                None => true,
            };
            // A stale round writes nothing: committing the empty transaction changes nothing.
            if current {
                write_round(&mut tx, meeting_id, &ordered, &now).await?;
            }
            current
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
        let mut tx = self.begin_write().await?;
        // Moves take turns on seats and budgets: two facilitators proposing the last seat of a
        // batch at once would otherwise each count it free (and a round's save checks that no
        // move came between its reads and its save).
        self.take_turn(&mut tx, TurnKey::Capacity).await?;
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
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::Conflict(
                "the linkage was changed by someone else meanwhile; read it again and retry".into(),
            ));
        }
        if change.status.uses_capacity() && !from.uses_capacity() {
            // Checked after the update, counting this linkage: on a refusal the transaction is
            // dropped (rolled back) and nothing changes.
            check_room(&mut tx, id).await?;
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
        .execute(&mut **tx)
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

/// The writes of a round, inside the caller's transaction.
async fn write_round(
    tx: &mut Transaction<'static, Any>,
    meeting_id: &str,
    ordered: &[&Suggestion],
    now: &str,
) -> StoreResult<()> {
    for suggestion in ordered {
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
        .bind(now)
        .bind(to_json(&suggestion.reasons_hi))
        .execute(&mut **tx)
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
    .fetch_all(&mut **tx)
    .await?;
    for (id, need_id, offering_id) in suggested {
        if !wanted.contains(&(need_id.as_str(), offering_id.as_str())) {
            sqlx::query("DELETE FROM linkages WHERE id = $1 AND status = 'suggested'")
                .bind(&id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Refuses (409) a move that leaves the linkage's offering with more seats or rupees taken by
/// proposed, accepted and completed linkages than its terms hold.
async fn check_room(tx: &mut Transaction<'static, Any>, linkage_id: &str) -> StoreResult<()> {
    let (offering_id, title, terms, attendees, profile): (
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
    ) = sqlx::query_as(
        "SELECT o.id, o.title, o.terms, n.attendees, s.profile
         FROM linkages l JOIN offerings o ON o.id = l.offering_id
           JOIN needs n ON n.id = l.need_id JOIN stakeholders s ON s.id = n.stakeholder_id
         WHERE l.id = $1",
    )
    .bind(linkage_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let terms: Terms = from_json("terms", &terms)?;
    if terms.seats.is_none() && terms.budget_inr.is_none() {
        return Ok(());
    }
    let members_of = |profile: Option<String>| -> StoreResult<Option<i64>> {
        Ok(profile
            .as_deref()
            .map(|p| from_json::<Profile>("profile", p))
            .transpose()?
            .and_then(|p| p.members))
    };
    let wanted = seats_taken(attendees, members_of(profile)?);
    let rows: Vec<(Option<i64>, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT n.attendees, n.amount_inr, s.profile
         FROM linkages l JOIN needs n ON n.id = l.need_id JOIN stakeholders s ON s.id = n.stakeholder_id
         WHERE l.offering_id = $1 AND l.status IN ('proposed', 'accepted', 'completed')",
    )
    .bind(&offering_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut used = Usage::default();
    for (attendees, amount_inr, profile) in rows {
        used.seats += seats_taken(attendees, members_of(profile)?);
        used.amount_inr += amount_inr.unwrap_or(0);
    }
    if let Some(seats) = terms.seats
        && used.seats > seats
    {
        let before = (used.seats - wanted).max(0);
        return Err(StoreError::Conflict(format!(
            "“{title}” has {} of {seats} seats left and this need sends {wanted}: the others are \
             taken by linkages proposed, accepted or completed (perhaps just now); nothing was changed",
            (seats - before).max(0)
        )));
    }
    if let Some(budget) = terms.budget_inr
        && used.amount_inr > budget
    {
        return Err(StoreError::Conflict(format!(
            "“{title}” has a budget of ₹{budget} and linkages proposed, accepted or completed would \
             take ₹{} with this one (perhaps one was moved just now); nothing was changed",
            used.amount_inr
        )));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::need::NeedData;
    use crate::domain::offering::OfferingData;
    use crate::domain::record::Provenance;
    use crate::domain::stakeholder::{Contact, StakeholderData, StakeholderKind};
    use crate::store::registry::OnDuplicate;

    /// A fresh store on SQLite, and on PostgreSQL too when `SANGAM_TEST_POSTGRES_URL` is set
    /// (a new database each time), with geography and sectors loaded.
    async fn fresh_stores() -> Vec<(&'static str, Store, tempfile::TempDir)> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut stores = vec![(
            "sqlite",
            Store::open(&Store::sqlite_url(dir.path()))
                .await
                .expect("sqlite"),
            dir,
        )];
        if let Ok(admin_url) = std::env::var("SANGAM_TEST_POSTGRES_URL")
            && !admin_url.trim().is_empty()
        {
            let name = format!("sangam_u_{}", uuid::Uuid::now_v7().simple());
            let admin = Store::connect(&admin_url).await.expect("postgres");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(admin.pool())
                .await
                .expect("create database");
            admin.close().await;
            let base = admin_url.rsplit_once('/').map_or(&*admin_url, |(b, _)| b);
            let store = Store::open(&format!("{base}/{name}"))
                .await
                .expect("open postgres");
            stores.push(("postgres", store, tempfile::tempdir().expect("temp dir")));
        }
        for (_, store, _) in &stores {
            crate::seed::load_reference(store).await.expect("seed");
        }
        stores
    }

    fn person(kind: StakeholderKind, name: &str) -> StakeholderData {
        StakeholderData {
            kind,
            name: name.to_string(),
            name_local: None,
            district: "up-bhadohi".into(),
            districts_served: vec!["up-bhadohi".into()],
            description: None,
            contact: Contact::default(),
            profile: None,
            linkage_limit: None,
        }
    }

    /// A one-seat batch, two women who want it, a meeting with a suggestion for each.
    async fn one_seat_two_suggestions(store: &Store) -> (String, Vec<Suggestion>) {
        let prov = Provenance::api("test");
        let rseti = store
            .insert_stakeholder(
                &person(StakeholderKind::Rseti, "RSETI Bhadohi"),
                &[],
                &[],
                &prov,
                OnDuplicate::Flag,
            )
            .await
            .expect("rseti")
            .stakeholder
            .id;
        let mut batch = OfferingData {
            kind: LinkageKind::Training,
            title: "Silai batch".into(),
            description: None,
            sectors: vec![],
            districts: vec!["up-bhadohi".into()],
            eligibility: Default::default(),
            terms: Default::default(),
            valid_until: None,
        };
        batch.terms.seats = Some(1);
        let batch = store
            .insert_offering(&rseti, &batch, &prov)
            .await
            .expect("batch");
        let mut suggestions = Vec::new();
        for name in ["Sunita Devi", "Rekha Kumari"] {
            let owner = store
                .insert_stakeholder(
                    &person(StakeholderKind::MicroEntrepreneur, name),
                    &[],
                    &[],
                    &prov,
                    OnDuplicate::Flag,
                )
                .await
                .expect("entrepreneur")
                .stakeholder
                .id;
            let need = NeedData {
                kind: LinkageKind::Training,
                title: format!("Silai prashikshan for {name}"),
                description: None,
                sector: Some("tailoring".into()),
                amount_inr: None,
                attendees: None,
            };
            let need = store.insert_need(&owner, &need, &prov).await.expect("need");
            suggestions.push(Suggestion {
                need_id: need.id,
                offering_id: batch.id.clone(),
                provider_id: rseti.clone(),
                kind: LinkageKind::Training,
                score: 0.5,
                reasons: vec!["sector matches".into()],
                reasons_hi: vec!["क्षेत्र मेल खाता है".into()],
            });
        }
        let meeting = store
            .insert_meeting(
                &MeetingData {
                    title: "Bhadohi coalition".into(),
                    district: "up-bhadohi".into(),
                    date: "2027-02-10".into(),
                    invitees: vec![],
                },
                "test",
            )
            .await
            .expect("meeting");
        store
            .save_suggestions(&meeting.id, &suggestions)
            .await
            .expect("first round");
        (meeting.id, suggestions)
    }

    fn propose() -> LinkageMove {
        LinkageMove {
            status: LinkageStatus::Proposed,
            note: None,
            outcome_value: None,
        }
    }

    /// The meeting's saved linkages, read as a round reads them.
    async fn linkages_of(store: &Store, meeting: &str) -> Vec<Linkage> {
        let mut reading = store.begin_reading().await.expect("reading");
        let linkages = reading.meeting_linkages(meeting).await.expect("linkages");
        reading.finish().await.expect("finish");
        linkages
    }

    #[tokio::test]
    async fn a_round_planned_before_a_move_is_not_saved_and_one_planned_after_it_is() {
        for (backend, store, _dir) in fresh_stores().await {
            let (meeting, suggestions) = one_seat_two_suggestions(&store).await;
            let planned_on = store.linkage_mark().await.expect("mark");
            let linkages = linkages_of(&store, &meeting).await;
            assert_eq!(linkages.len(), 2, "{backend}");
            store
                .move_linkage(
                    &linkages[0].id,
                    LinkageStatus::Suggested,
                    &propose(),
                    "test",
                )
                .await
                .expect("propose");
            // The round planned before the move would drop the second suggestion: refused.
            let saved = store
                .save_suggestions_planned_on(&meeting, &suggestions[..0], Some(planned_on))
                .await
                .expect("save");
            assert!(!saved, "{backend}: a stale round was saved");
            let after = linkages_of(&store, &meeting).await;
            assert_eq!(
                after.len(),
                2,
                "{backend}: the stale round changed something"
            );
            // Planned again after the move, it is saved.
            let planned_on = store.linkage_mark().await.expect("mark");
            let saved = store
                .save_suggestions_planned_on(&meeting, &suggestions[..0], Some(planned_on))
                .await
                .expect("save");
            assert!(saved, "{backend}: a current round was refused");
            let after = linkages_of(&store, &meeting).await;
            assert_eq!(after.len(), 1, "{backend}: only the proposed linkage stays");
        }
    }

    #[tokio::test]
    async fn the_second_of_two_moves_onto_the_last_seat_is_refused_and_changes_nothing() {
        for (backend, store, _dir) in fresh_stores().await {
            let (meeting, _) = one_seat_two_suggestions(&store).await;
            let linkages = linkages_of(&store, &meeting).await;
            let (a, b) = (&linkages[0].id, &linkages[1].id);
            let change = propose();
            let (first, second) = tokio::join!(
                store.move_linkage(a, LinkageStatus::Suggested, &change, "first"),
                store.move_linkage(b, LinkageStatus::Suggested, &change, "second"),
            );
            let refused = match (first, second) {
                (Ok(_), Err(StoreError::Conflict(why))) => (b, why),
                (Err(StoreError::Conflict(why)), Ok(_)) => (a, why),
                other => panic!("{backend}: one move should win and one be refused: {other:?}"),
            };
            assert!(
                refused.1.contains("0 of 1 seats left"),
                "{backend}: {}",
                refused.1
            );
            let linkage = store
                .get_linkage(refused.0)
                .await
                .expect("read")
                .expect("there");
            assert_eq!(linkage.status, LinkageStatus::Suggested, "{backend}");
            assert!(
                store
                    .linkage_history(refused.0)
                    .await
                    .expect("history")
                    .is_empty()
            );
        }
    }
}

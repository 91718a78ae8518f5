//! Erasing a person's personal data on their request (India's Digital Personal Data Protection
//! Act, 2023, gives them that right).
//!
//! The records stay, archived, so that meetings, linkages and their counts still add up; what
//! could identify or describe the person goes: names, description, contact, profile, the text
//! of their needs and offerings, the reasons and notes of linkages that involve them (a reason
//! says "age 31 within 18–45"; a note may name them), and the outbox's messages to or about
//! them, sent or not; a duplicate registration of theirs that a moderator merged into the
//! record (the same person, registered again) goes the same way, and so does the reason a
//! moderator wrote when rejecting a registration of theirs. Everything changes in one transaction and goes through the change log, so
//! the search index rewrites their documents. The `erasures` table records who erased whom and
//! when, and nothing else.

use sqlx::{Any, Transaction};

use super::changes::{self, ChangeCursor, Entity};
use super::outbox;
use super::{Backend, Store, StoreError, StoreResult};
use crate::domain::record::now_timestamp;
use crate::domain::stakeholder::Stakeholder;

/// What an erased name or title reads.
pub const ERASED: &str = "(erased)";

/// What an erasure did.
#[derive(Debug)]
pub struct Erased {
    /// The record as it is now.
    pub stakeholder: Stakeholder,
    /// The outbox messages to or about the person that were dropped (by `seq`), so that a
    /// copy spooled for the SMS gateway can be dropped too.
    pub forgotten_messages: Vec<i64>,
    /// Where the erasure stands in the change log: once a search index has applied changes
    /// this far, the erased text is only in segments that a purge rewrites.
    pub change: ChangeCursor,
}

impl Store {
    /// Erases the stakeholder's personal data and archives it with its offerings and needs;
    /// `actor` is recorded. Erasing again changes nothing more but is recorded too.
    pub async fn erase_stakeholder(&self, id: &str, actor: &str) -> StoreResult<Erased> {
        let mut tx = self.begin_write().await?;
        let now = now_timestamp();
        if !erase_one(&mut tx, id, &now).await? {
            return Err(StoreError::NotFound);
        }
        let mut forgotten_messages = outbox::forget(&mut tx, id).await?;
        // A duplicate registration merged into this record was the same person registering
        // again: their name and phone are in it too.
        for duplicate in merged_into(&mut tx, id).await? {
            erase_one(&mut tx, &duplicate, &now).await?;
            forgotten_messages.extend(outbox::forget(&mut tx, &duplicate).await?);
        }
        sqlx::query("INSERT INTO erasures (stakeholder_id, actor, at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(actor)
            .bind(&now)
            .execute(&mut **tx)
            .await?;
        super::accounts::audit(&mut tx, Some(actor), "stakeholder_erased", Some(id), "").await?;
        // Logged last, so that an indexer that has applied it has applied all of the above.
        let change = changes::record(&mut tx, Entity::Stakeholder, id, changes::ERASE).await?;
        tx.commit().await?;
        let stakeholder = self
            .get_stakeholder(id)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(Erased {
            stakeholder,
            forgotten_messages,
            change,
        })
    }

    /// The number of the latest erasure (0 if none), so a search index can tell there is
    /// erased text to purge.
    pub async fn latest_erasure(&self) -> StoreResult<i64> {
        let (latest,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM erasures")
            .fetch_one(&self.pool)
            .await?;
        Ok(latest.unwrap_or(0))
    }

    /// Makes replaced text leave the database's files, as far as the database allows. SQLite
    /// (with `secure_delete`, set on every connection) has zeroed the old rows in the pages;
    /// this copies the write-ahead log into the database and truncates it, so the old pages
    /// the log still held are gone too. It retries while readers hold the log, for up to 10 s,
    /// and says whether it got there. PostgreSQL keeps old row versions until VACUUM reuses
    /// their space, which it does not promise to overwrite at once (see docs/privacy.md).
    pub async fn scrub_freed_space(&self) -> StoreResult<bool> {
        if self.backend != Backend::Sqlite {
            return Ok(true);
        }
        for _ in 0..200 {
            let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.pool)
                .await?;
            if busy == 0 {
                return Ok(true);
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Ok(false)
    }
}

/// Erases one stakeholder's personal data inside `tx` (see the module doc); false if there is
/// no such stakeholder.
async fn erase_one(tx: &mut Transaction<'static, Any>, id: &str, now: &str) -> StoreResult<bool> {
    let erased = sqlx::query(
        "UPDATE stakeholders SET name = $2, name_key = '', name_local = NULL,
            description = NULL, contact_person = NULL, contact_phone = NULL,
            contact_email = NULL, profile = NULL, possible_duplicates = '[]',
            status = 'archived', updated_at = $3
         WHERE id = $1",
    )
    .bind(id)
    .bind(ERASED)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if erased == 0 {
        return Ok(false);
    }
    for (table, entity, link_column) in [
        ("needs", Entity::Need, "need_id"),
        ("offerings", Entity::Offering, "offering_id"),
    ] {
        let children: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET title = $2, description = NULL, status = 'archived',
                updated_at = $3
             WHERE stakeholder_id = $1 RETURNING id"
        )))
        .bind(id)
        .bind(ERASED)
        .bind(now)
        .fetch_all(&mut **tx)
        .await?;
        for (child,) in &children {
            changes::record(tx, entity, child, "upsert").await?;
        }
        let involving = format!(
            "SELECT l.id FROM linkages l JOIN {table} x ON x.id = l.{link_column}
             WHERE x.stakeholder_id = $1"
        );
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE linkage_events SET note = NULL WHERE linkage_id IN ({involving})"
        )))
        .bind(id)
        .execute(&mut **tx)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE linkages SET note = NULL, reasons = '[]', updated_at = $2
             WHERE id IN ({involving})"
        )))
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    // A moderator's reason for rejecting a registration is free text and may name the person.
    sqlx::query(
        "UPDATE audit_log SET detail = $2
         WHERE subject = $1 AND action = 'registration_rejected'",
    )
    .bind(id)
    .bind(ERASED)
    .execute(&mut **tx)
    .await?;
    changes::record(tx, Entity::Stakeholder, id, "upsert").await?;
    Ok(true)
}

/// The registrations a moderator merged into `id` (the review queue records each merge in the
/// audit log as `registration_merged`, `into <id>`).
async fn merged_into(tx: &mut Transaction<'static, Any>, id: &str) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT subject FROM audit_log
         WHERE action = 'registration_merged' AND detail = $1 AND subject IS NOT NULL",
    )
    .bind(format!("into {id}"))
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(subject,)| subject).collect())
}

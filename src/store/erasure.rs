//! Erasing a person's personal data on their request (India's Digital Personal Data Protection
//! Act, 2023, gives them that right).
//!
//! The records stay, archived, so that meetings, linkages and their counts still add up; what
//! could identify or describe the person goes: names, description, contact, profile, the text
//! of their needs and offerings, the reasons and notes of linkages that involve them (a reason
//! says "age 31 within 18–45"; a note may name them), and the outbox's messages to or about
//! them, sent or not. Everything changes in one transaction and goes through the change log, so
//! the search index rewrites their documents. The `erasures` table records who erased whom and
//! when, and nothing else.

use super::changes::{self, Entity};
use super::outbox;
use super::{Store, StoreError, StoreResult};
use crate::domain::record::now_timestamp;
use crate::domain::stakeholder::Stakeholder;

/// What an erased name or title reads.
pub const ERASED: &str = "(erased)";

impl Store {
    /// Erases the stakeholder's personal data and archives it with its offerings and needs;
    /// `actor` is recorded. Erasing again changes nothing more but is recorded too.
    pub async fn erase_stakeholder(&self, id: &str, actor: &str) -> StoreResult<Stakeholder> {
        let (mut tx, _turn) = self.begin_write().await?;
        let now = now_timestamp();
        let erased = sqlx::query(
            "UPDATE stakeholders SET name = $2, name_key = '', name_local = NULL,
                description = NULL, contact_person = NULL, contact_phone = NULL,
                contact_email = NULL, profile = NULL, possible_duplicates = '[]',
                status = 'archived', updated_at = $3
             WHERE id = $1",
        )
        .bind(id)
        .bind(ERASED)
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if erased == 0 {
            return Err(StoreError::NotFound);
        }
        changes::record(&mut tx, Entity::Stakeholder, id, "upsert").await?;
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
            .bind(&now)
            .fetch_all(&mut *tx)
            .await?;
            for (child,) in &children {
                changes::record(&mut tx, entity, child, "upsert").await?;
            }
            let involving = format!(
                "SELECT l.id FROM linkages l JOIN {table} x ON x.id = l.{link_column}
                 WHERE x.stakeholder_id = $1"
            );
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE linkage_events SET note = NULL WHERE linkage_id IN ({involving})"
            )))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE linkages SET note = NULL, reasons = '[]', updated_at = $2
                 WHERE id IN ({involving})"
            )))
            .bind(id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        outbox::forget(&mut tx, id).await?;
        sqlx::query("INSERT INTO erasures (stakeholder_id, actor, at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(actor)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.get_stakeholder(id).await?.ok_or(StoreError::NotFound)
    }
}

//! The outbox: messages written in the transaction of the change they announce, taken by a
//! dispatcher ([`crate::notify`]) and marked when sent. A dispatcher holds what it took for a
//! lease; if it dies, another takes the messages once the lease has run out, so a message may be
//! sent twice but never lost (its `seq` lets a gateway drop the repeat).

use sqlx::{Any, Transaction};

use super::{Store, StoreResult};
use crate::domain::notification::Notice;
use crate::domain::record::now_timestamp;

/// A message due to be sent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxMessage {
    pub seq: i64,
    pub recipient_id: String,
    pub topic: String,
    pub text_en: String,
    pub text_hi: String,
    pub attempts: i64,
}

/// Queues `notices` in the transaction `tx` writes in.
pub(super) async fn enqueue(
    tx: &mut Transaction<'static, Any>,
    notices: &[Notice],
) -> StoreResult<()> {
    let now = now_timestamp();
    for notice in notices {
        sqlx::query(
            "INSERT INTO outbox (recipient_id, about_id, topic, text_en, text_hi, created_at, deliver_after)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&notice.recipient_id)
        .bind(&notice.about_id)
        .bind(&notice.topic)
        .bind(&notice.text_en)
        .bind(&notice.text_hi)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Drops the messages to or about a person who is being erased, sent or not.
pub(super) async fn forget(
    tx: &mut Transaction<'static, Any>,
    stakeholder_id: &str,
) -> StoreResult<Vec<i64>> {
    let forgotten: Vec<(i64,)> =
        sqlx::query_as("DELETE FROM outbox WHERE recipient_id = $1 OR about_id = $1 RETURNING seq")
            .bind(stakeholder_id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(forgotten.into_iter().map(|(seq,)| seq).collect())
}

impl Store {
    /// Takes up to `limit` messages that are due and that no live lease holds, holding them
    /// until `lease_until`; oldest first.
    pub async fn claim_due_messages(
        &self,
        now: &str,
        lease_until: &str,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        // The lease is checked again in the outer WHERE: on PostgreSQL a second dispatcher that
        // waited for the first one's row lock sees the new lease there and leaves the row.
        let messages = super::write_transaction!(self, |tx| {
            sqlx::query_as(
                "UPDATE outbox SET claimed_until = $2
                 WHERE seq IN (
                     SELECT seq FROM outbox
                     WHERE delivered_at IS NULL AND deliver_after <= $1
                       AND (claimed_until IS NULL OR claimed_until < $1)
                     ORDER BY seq LIMIT $3)
                   AND delivered_at IS NULL AND (claimed_until IS NULL OR claimed_until < $1)
                 RETURNING seq, recipient_id, topic, text_en, text_hi, attempts",
            )
            .bind(now)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?
        })?;
        Ok(messages)
    }

    /// Marks a message done: `outcome` is `sent`, or why it never can be (`no_phone`).
    pub async fn mark_message_done(&self, seq: i64, outcome: &str) -> StoreResult<()> {
        super::write_transaction!(self, |tx| {
            sqlx::query(
                "UPDATE outbox SET delivered_at = $2, outcome = $3, attempts = attempts + 1,
                    claimed_until = NULL
                 WHERE seq = $1",
            )
            .bind(seq)
            .bind(now_timestamp())
            .bind(outcome)
            .execute(&mut *tx)
            .await?
        })?;
        Ok(())
    }

    /// Records a failed attempt and when to try again.
    pub async fn mark_message_failed(
        &self,
        seq: i64,
        error: &str,
        retry_after: &str,
    ) -> StoreResult<()> {
        super::write_transaction!(self, |tx| {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, outcome = $2, deliver_after = $3,
                    claimed_until = NULL
                 WHERE seq = $1",
            )
            .bind(seq)
            .bind(error)
            .bind(retry_after)
            .execute(&mut *tx)
            .await?
        })?;
        Ok(())
    }

    /// The phone to reach a stakeholder on, if they have one (and have not been erased).
    pub async fn phone_of(&self, stakeholder_id: &str) -> StoreResult<Option<String>> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT contact_phone FROM stakeholders WHERE id = $1")
                .bind(stakeholder_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.and_then(|(phone,)| phone))
    }
}

//! The outbox: messages written in the transaction of the change they announce. A dispatcher
//! ([`crate::notify`]) gives each message one delivery per channel (spool file, webhook, SMS
//! gateway), takes due deliveries and marks how each attempt went. It holds what it took for a
//! lease; if it dies, another takes the deliveries once the lease has run out, so a message may
//! be sent twice but never lost (its idempotency key lets a receiver drop the repeat).

use sqlx::{Any, Transaction};

use super::{Store, StoreResult, new_id};
use crate::domain::notification::Notice;
use crate::domain::record::now_timestamp;

/// A message's delivery on one channel, taken by a dispatcher.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Delivery {
    pub seq: i64,
    pub channel: String,
    /// The same for every attempt, so a receiver can drop a repeat.
    pub idempotency_key: String,
    /// Attempts made before this one.
    pub attempts: i64,
    pub recipient_id: String,
    pub topic: String,
    pub text_en: String,
    pub text_hi: String,
    pub created_at: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    Pending,
    Delivered,
    /// Nobody to send to (no phone, or erased): never tried.
    Skipped,
    /// Given up: the receiver refused it for good, or every attempt failed.
    Dead,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Skipped => "skipped",
            DeliveryState::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Skipped,
            DeliveryState::Dead,
        ]
        .into_iter()
        .find(|state| state.as_str() == text)
    }
}

/// One message on one channel, as admins see it: no phone and no text, only what to act on.
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = NotificationDelivery)]
pub struct DeliveryReport {
    /// The message's number in the outbox (the same on every channel).
    pub seq: i64,
    #[schema(schema_with = channels)]
    pub channel: String,
    #[schema(schema_with = states)]
    pub state: String,
    /// What happened, e.g. `linkage.proposed`, `linkage.accepted`.
    pub topic: String,
    /// The stakeholder the message is for.
    pub recipient_id: String,
    /// Sent as `Idempotency-Key` with every attempt; the receiver drops repeats by it.
    pub idempotency_key: String,
    /// Attempts made (0 for a skipped delivery).
    pub attempts: i64,
    /// Why the last failed attempt failed (`timed out`, `HTTP 503: …`), or `no_phone` for a
    /// skipped one. Kept after a later success.
    #[schema(required = true)]
    pub last_error: Option<String>,
    /// The HTTP status of the last failed answer, if there was one.
    #[schema(required = true)]
    pub last_status: Option<i64>,
    #[schema(value_type = crate::domain::schema::Timestamp)]
    pub created_at: String,
    /// When it was delivered, skipped or dead-lettered.
    #[schema(required = true)]
    pub finished_at: Option<String>,
    /// For a pending delivery, not before this instant.
    #[schema(required = true)]
    pub next_attempt_after: Option<String>,
}

fn words(words: &[&'static str]) -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(words.iter().copied()))
        .build()
}

fn channels() -> utoipa::openapi::Object {
    words(&["spool", "webhook", "sms"])
}

fn states() -> utoipa::openapi::Object {
    words(&["pending", "delivered", "skipped", "dead"])
}

/// Deliveries by state, and messages not yet given to any channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = NotificationCounts)]
pub struct DeliveryCounts {
    /// Messages not yet given to any channel.
    pub undispatched: i64,
    pub pending: i64,
    pub delivered: i64,
    pub skipped: i64,
    pub dead: i64,
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
    // The deliveries go with their messages (ON DELETE CASCADE), and are named here too so
    // that nothing depends on SQLite's foreign_keys pragma.
    sqlx::query(
        "DELETE FROM outbox_deliveries WHERE seq IN
             (SELECT seq FROM outbox WHERE recipient_id = $1 OR about_id = $1)",
    )
    .bind(stakeholder_id)
    .execute(&mut **tx)
    .await?;
    let forgotten: Vec<(i64,)> =
        sqlx::query_as("DELETE FROM outbox WHERE recipient_id = $1 OR about_id = $1 RETURNING seq")
            .bind(stakeholder_id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(forgotten.into_iter().map(|(seq,)| seq).collect())
}

impl Store {
    /// Makes one delivery per channel in `channels` for up to `limit` messages not yet
    /// dispatched (oldest first), and marks them dispatched, in one transaction: a crash leaves
    /// either both or neither. Returns how many messages it dispatched.
    pub async fn dispatch_new_messages(&self, channels: &[&str], limit: i64) -> StoreResult<usize> {
        // A read first, so an idle dispatcher does not take the write turn every poll.
        let waiting: Option<(i64,)> =
            sqlx::query_as("SELECT seq FROM outbox WHERE dispatched_at IS NULL LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        if waiting.is_none() {
            return Ok(0);
        }
        let now = now_timestamp();
        let dispatched = super::write_transaction!(self, |tx| {
            let seqs: Vec<(i64,)> = sqlx::query_as(
                "SELECT seq FROM outbox WHERE dispatched_at IS NULL ORDER BY seq LIMIT $1",
            )
            .bind(limit)
            .fetch_all(&mut **tx)
            .await?;
            for (seq,) in &seqs {
                for channel in channels {
                    // Another process may have dispatched the message meanwhile (PostgreSQL).
                    sqlx::query(
                        "INSERT INTO outbox_deliveries
                            (seq, channel, idempotency_key, deliver_after, created_at)
                         VALUES ($1, $2, $3, $4, $4)
                         ON CONFLICT (seq, channel) DO NOTHING",
                    )
                    .bind(seq)
                    .bind(*channel)
                    .bind(new_id("msg"))
                    .bind(&now)
                    .execute(&mut **tx)
                    .await?;
                }
                sqlx::query("UPDATE outbox SET dispatched_at = $2 WHERE seq = $1")
                    .bind(seq)
                    .bind(&now)
                    .execute(&mut **tx)
                    .await?;
            }
            seqs.len()
        })?;
        Ok(dispatched)
    }

    /// Takes up to `limit` deliveries of `channel` that are due and that no live lease holds,
    /// holding them until `lease_until`; oldest first.
    pub async fn claim_due_deliveries(
        &self,
        channel: &str,
        now: &str,
        lease_until: &str,
        limit: i64,
    ) -> StoreResult<Vec<Delivery>> {
        let due: Option<(i64,)> = sqlx::query_as(
            "SELECT seq FROM outbox_deliveries
             WHERE state = 'pending' AND channel = $1 AND deliver_after <= $2
               AND (claimed_until IS NULL OR claimed_until < $2)
             LIMIT 1",
        )
        .bind(channel)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        // The lease is checked again in the outer WHERE: on PostgreSQL a second dispatcher that
        // waited for the first one's row lock sees the new lease there and leaves the row.
        let claimed: Vec<(i64,)> = super::write_transaction!(self, |tx| {
            sqlx::query_as(
                "UPDATE outbox_deliveries SET claimed_until = $3
                 WHERE channel = $1 AND seq IN (
                     SELECT seq FROM outbox_deliveries
                     WHERE state = 'pending' AND channel = $1 AND deliver_after <= $2
                       AND (claimed_until IS NULL OR claimed_until < $2)
                     ORDER BY seq LIMIT $4)
                   AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < $2)
                 RETURNING seq",
            )
            .bind(channel)
            .bind(now)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(&mut **tx)
            .await?
        })?;
        let mut deliveries = Vec::with_capacity(claimed.len());
        for (seq,) in claimed {
            let delivery: Option<Delivery> = sqlx::query_as(
                "SELECT d.seq, d.channel, d.idempotency_key, d.attempts, o.recipient_id, o.topic,
                        o.text_en, o.text_hi, o.created_at
                 FROM outbox_deliveries d JOIN outbox o ON o.seq = d.seq
                 WHERE d.seq = $1 AND d.channel = $2",
            )
            .bind(seq)
            .bind(channel)
            .fetch_optional(&self.pool)
            .await?;
            // None: erased between the claim and now.
            deliveries.extend(delivery);
        }
        deliveries.sort_by_key(|d| d.seq);
        Ok(deliveries)
    }

    /// Ends a delivery: `delivered`, `skipped` (nobody to send to) or `dead` (given up), with
    /// why and the last HTTP status, if any. Counts the attempt unless it was `skipped`.
    pub async fn finish_delivery(
        &self,
        seq: i64,
        channel: &str,
        state: DeliveryState,
        error: Option<&str>,
        status: Option<u16>,
    ) -> StoreResult<()> {
        let attempted = i64::from(state != DeliveryState::Skipped);
        super::write_transaction!(self, |tx| {
            sqlx::query(
                "UPDATE outbox_deliveries
                 SET state = $3, attempts = attempts + $4, last_error = COALESCE($5, last_error),
                     last_status = COALESCE($6, last_status), finished_at = $7, claimed_until = NULL
                 WHERE seq = $1 AND channel = $2 AND state = 'pending'",
            )
            .bind(seq)
            .bind(channel)
            .bind(state.as_str())
            .bind(attempted)
            .bind(error)
            .bind(status.map(i64::from))
            .bind(now_timestamp())
            .execute(&mut **tx)
            .await?
        })?;
        Ok(())
    }

    /// Records a failed attempt and when to try again.
    pub async fn retry_delivery(
        &self,
        seq: i64,
        channel: &str,
        error: &str,
        status: Option<u16>,
        retry_after: &str,
    ) -> StoreResult<()> {
        super::write_transaction!(self, |tx| {
            sqlx::query(
                "UPDATE outbox_deliveries
                 SET attempts = attempts + 1, last_error = $3, last_status = $4,
                     deliver_after = $5, claimed_until = NULL
                 WHERE seq = $1 AND channel = $2 AND state = 'pending'",
            )
            .bind(seq)
            .bind(channel)
            .bind(error)
            .bind(status.map(i64::from))
            .bind(retry_after)
            .execute(&mut **tx)
            .await?
        })?;
        Ok(())
    }

    /// Sends a dead-lettered delivery again (after its receiver was fixed): pending, due now,
    /// its attempts counted afresh, its idempotency key kept. Returns it, or `None` when there
    /// is no dead delivery `seq` on `channel`.
    pub async fn requeue_delivery(
        &self,
        seq: i64,
        channel: &str,
    ) -> StoreResult<Option<DeliveryReport>> {
        let changed = super::write_transaction!(self, |tx| {
            sqlx::query(
                "UPDATE outbox_deliveries
                 SET state = 'pending', attempts = 0, deliver_after = $3, finished_at = NULL,
                     claimed_until = NULL
                 WHERE seq = $1 AND channel = $2 AND state = 'dead'",
            )
            .bind(seq)
            .bind(channel)
            .bind(now_timestamp())
            .execute(&mut **tx)
            .await?
            .rows_affected()
        })?;
        if changed == 0 {
            return Ok(None);
        }
        let report = sqlx::query_as(
            "SELECT d.seq, d.channel, d.state, o.topic, o.recipient_id, d.idempotency_key,
                    d.attempts, d.last_error, d.last_status, d.created_at, d.finished_at,
                    CASE WHEN d.state = 'pending' THEN d.deliver_after END AS next_attempt_after
             FROM outbox_deliveries d JOIN outbox o ON o.seq = d.seq
             WHERE d.seq = $1 AND d.channel = $2",
        )
        .bind(seq)
        .bind(channel)
        .fetch_optional(&self.pool)
        .await?;
        Ok(report)
    }

    /// Deliveries in `state` (every state when `None`), oldest first, for admins.
    pub async fn list_deliveries(
        &self,
        state: Option<DeliveryState>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<DeliveryReport>> {
        let rows = sqlx::query_as(
            "SELECT d.seq, d.channel, d.state, o.topic, o.recipient_id, d.idempotency_key,
                    d.attempts, d.last_error, d.last_status, d.created_at, d.finished_at,
                    CASE WHEN d.state = 'pending' THEN d.deliver_after END AS next_attempt_after
             FROM outbox_deliveries d JOIN outbox o ON o.seq = d.seq
             WHERE ($1 IS NULL OR d.state = $1)
             ORDER BY d.seq, d.channel LIMIT $2 OFFSET $3",
        )
        .bind(state.map(DeliveryState::as_str))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// How many deliveries are in each state, and how many messages wait to be dispatched. One
    /// statement, so one snapshot: read apart, a dispatch committed between the two reads looked
    /// like nothing left to do.
    pub async fn delivery_counts(&self) -> StoreResult<DeliveryCounts> {
        let (undispatched, pending, delivered, skipped, dead): (i64, i64, i64, i64, i64) =
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM outbox WHERE dispatched_at IS NULL),
                        (SELECT COUNT(*) FROM outbox_deliveries WHERE state = 'pending'),
                        (SELECT COUNT(*) FROM outbox_deliveries WHERE state = 'delivered'),
                        (SELECT COUNT(*) FROM outbox_deliveries WHERE state = 'skipped'),
                        (SELECT COUNT(*) FROM outbox_deliveries WHERE state = 'dead')",
            )
            .fetch_one(&self.pool)
            .await?;
        Ok(DeliveryCounts {
            undispatched,
            pending,
            delivered,
            skipped,
            dead,
        })
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

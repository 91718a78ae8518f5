//! Sends what the outbox holds ([`crate::store::outbox`]) through the configured channels: the
//! spool file in the data directory (`outbox/messages.jsonl`, for a gateway process to read), a
//! signed webhook, and an SMS gateway described by a template ([`config`]).
//!
//! Each message gets one delivery per channel, tried on its own: an attempt has a timeout; a
//! failure that may pass (timeout, refused connection, 429, 5xx) is tried again after a wait that
//! doubles each time, with jitter so that many messages failed together do not return together;
//! an answer that never will (400, 410, …) or the last allowed attempt dead-letters the delivery,
//! which admins see at `GET /api/v1/admin/notifications`. The phone is looked up when sending, so
//! a person erased meanwhile gets nothing; one without a phone is `skipped`. A delivery may be
//! sent twice if the process dies between sending and marking it; its idempotency key lets the
//! receiver drop the repeat.

pub mod channel;
pub mod config;

use std::path::Path;
use std::time::Duration;

use tokio::task::JoinSet;

use crate::background::{Background, StopSignal};
use crate::domain::record::{now_timestamp, timestamp_in};
use crate::store::outbox::{Delivery, DeliveryState};
use crate::store::{Store, StoreResult};
pub use channel::{Channel, Outcome, Spool};
pub use config::{NotifyConfig, RetryConfig};

/// Messages dispatched, and deliveries taken, at once per channel.
const BATCH: i64 = 16;

/// The channels and timings one dispatcher works with.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    channels: Vec<Channel>,
    retry: RetryConfig,
    client: reqwest::Client,
}

impl Dispatcher {
    /// The channels `config` turns on, with the spool file in `data_dir`.
    pub fn new(config: &NotifyConfig, data_dir: &Path) -> Result<Self, String> {
        let mut channels = Vec::new();
        if config.spool {
            channels.push(Channel::Spool(Spool::in_data_dir(data_dir)));
        }
        if let Some(webhook) = &config.webhook {
            channels.push(Channel::Webhook(channel::Webhook::new(webhook)?));
        }
        if let Some(sms) = &config.sms {
            channels.push(Channel::Sms(channel::SmsGateway::new(sms)));
        }
        let client = reqwest::Client::builder()
            .timeout(config.retry.attempt_timeout())
            .connect_timeout(config.retry.attempt_timeout())
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("sangam/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Dispatcher {
            channels,
            retry: config.retry.clone(),
            client,
        })
    }

    pub fn channel_names(&self) -> Vec<&'static str> {
        self.channels.iter().map(Channel::name).collect()
    }

    /// How long to wait after the `attempts`-th failure: doubling from the first wait up to
    /// the longest, then a random point between half and all of it.
    fn retry_wait(&self, attempts: i64) -> Duration {
        let full = backoff(&self.retry, attempts);
        let half = full / 2;
        half + full.mul_f64(rand::random_range(0.0..=0.5))
    }
}

/// The wait after the `attempts`-th failure before jitter.
fn backoff(retry: &RetryConfig, attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    Duration::from_millis(retry.first_wait_ms)
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(Duration::from_millis(retry.max_wait_ms))
}

/// Starts sending the outbox's messages on the current runtime: one loop per channel, so a
/// gateway that hangs does not hold back the others.
pub fn start(store: Store, dispatcher: Dispatcher) -> Background {
    Background::spawn(|stopped| async move {
        tracing::info!(channels = ?dispatcher.channel_names(), "outbox dispatcher started");
        let mut loops = JoinSet::new();
        for index in 0..dispatcher.channels.len() {
            loops.spawn(run(
                store.clone(),
                dispatcher.clone(),
                index,
                stopped.clone(),
            ));
        }
        while loops.join_next().await.is_some() {}
        tracing::info!("outbox dispatcher stopped");
    })
}

async fn run(store: Store, dispatcher: Dispatcher, channel: usize, mut stopped: StopSignal) {
    loop {
        let pause = match round(&store, &dispatcher, channel).await {
            Ok(taken) if taken as i64 == BATCH => Duration::ZERO,
            Ok(_) => dispatcher.retry.poll_interval(),
            Err(error) => {
                tracing::warn!(%error, "outbox dispatcher: database unavailable; retrying");
                dispatcher.retry.poll_interval() * 5
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stopped.changed() => break,
        }
        if *stopped.borrow() {
            break;
        }
    }
}

/// Dispatches new messages to every channel, then sends what is due on channel number
/// `channel`, all at once; returns how many deliveries it took.
pub async fn round(store: &Store, dispatcher: &Dispatcher, channel: usize) -> StoreResult<usize> {
    store
        .dispatch_new_messages(&dispatcher.channel_names(), BATCH)
        .await?;
    let name = dispatcher.channels[channel].name();
    let deliveries = store
        .claim_due_deliveries(
            name,
            &now_timestamp(),
            &timestamp_in(dispatcher.retry.lease()),
            BATCH,
        )
        .await?;
    let taken = deliveries.len();
    // The spool file keeps the outbox's order (a gateway reading it sends in that order); a
    // write takes a moment, so one at a time costs nothing.
    if matches!(dispatcher.channels[channel], Channel::Spool(_)) {
        for delivery in deliveries {
            attempt(store, dispatcher, channel, delivery).await?;
        }
        return Ok(taken);
    }
    // Over HTTP all at once, so one slow receiver's timeout is paid once per round.
    let mut attempts = JoinSet::new();
    for delivery in deliveries {
        let (store, dispatcher) = (store.clone(), dispatcher.clone());
        attempts.spawn(async move { attempt(&store, &dispatcher, channel, delivery).await });
    }
    // Every attempt runs to its end (dropping the set would abort the others mid-send); the
    // first database error is reported after.
    let mut failed = None;
    while let Some(done) = attempts.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(error)) => failed = failed.or(Some(error)),
            Err(panic) => tracing::error!(%panic, "a delivery attempt panicked"),
        }
    }
    match failed {
        Some(error) => Err(error),
        None => Ok(taken),
    }
}

/// One attempt at one delivery, and its outcome recorded.
async fn attempt(
    store: &Store,
    dispatcher: &Dispatcher,
    channel: usize,
    delivery: Delivery,
) -> StoreResult<()> {
    let channel = &dispatcher.channels[channel];
    let (seq, name) = (delivery.seq, channel.name());
    let Some(phone) = store.phone_of(&delivery.recipient_id).await? else {
        return store
            .finish_delivery(seq, name, DeliveryState::Skipped, Some("no_phone"), None)
            .await;
    };
    let attempt_number = delivery.attempts + 1;
    match channel.deliver(&dispatcher.client, &delivery, &phone).await {
        Outcome::Delivered => {
            store
                .finish_delivery(seq, name, DeliveryState::Delivered, None, None)
                .await
        }
        Outcome::Refused { error, status } => {
            tracing::warn!(seq, channel = name, %error, "a message was refused; dead-lettered");
            store
                .finish_delivery(seq, name, DeliveryState::Dead, Some(&error), status)
                .await
        }
        Outcome::Retry { error, status, .. }
            if attempt_number >= i64::from(dispatcher.retry.max_attempts) =>
        {
            let error = format!("{error} (attempt {attempt_number}, the last allowed)");
            tracing::warn!(seq, channel = name, %error, "a message failed every attempt; dead-lettered");
            store
                .finish_delivery(seq, name, DeliveryState::Dead, Some(&error), status)
                .await
        }
        Outcome::Retry {
            error,
            status,
            after,
        } => {
            let backoff = dispatcher.retry_wait(attempt_number);
            // A receiver's own Retry-After is honoured, within the longest wait.
            let wait = after
                .map(|asked| asked.max(backoff))
                .unwrap_or(backoff)
                .min(Duration::from_millis(dispatcher.retry.max_wait_ms));
            tracing::info!(seq, channel = name, %error, ?wait, "a message will be tried again");
            store
                .retry_delivery(seq, name, &error, status, &timestamp_in(wait))
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_the_longest_wait() {
        let retry = RetryConfig::default();
        assert_eq!(backoff(&retry, 1), Duration::from_secs(10));
        assert_eq!(backoff(&retry, 2), Duration::from_secs(20));
        assert_eq!(backoff(&retry, 4), Duration::from_secs(80));
        assert_eq!(backoff(&retry, 40), Duration::from_secs(3600));
        assert_eq!(backoff(&retry, 0), Duration::from_secs(10));
    }

    #[test]
    fn jitter_stays_between_half_and_all_of_the_wait() {
        let dispatcher = Dispatcher::new(&NotifyConfig::default(), Path::new("/nonexistent"))
            .expect("default config");
        let waits: Vec<Duration> = (0..200).map(|_| dispatcher.retry_wait(3)).collect();
        assert!(
            waits
                .iter()
                .all(|w| *w >= Duration::from_secs(20) && *w <= Duration::from_secs(40))
        );
        // Not all alike: that is the point of jitter.
        assert!(waits.iter().any(|w| *w != waits[0]));
    }
}

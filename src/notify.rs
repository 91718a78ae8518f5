//! Sends what the outbox holds ([`crate::store::outbox`]).
//!
//! Sangam has no SMS gateway yet, and reaches no outside service: a message is "sent" by
//! appending it as one JSON line to a spool file in the data directory
//! (`outbox/messages.jsonl`), which a gateway process can read and send on. The phone is looked
//! up when sending, so a person erased meanwhile gets nothing; one without a phone is marked
//! `no_phone` and not tried again. A failed write is tried again later, waiting longer each
//! time. A message may be spooled twice if the process dies between writing it and marking it;
//! its `seq` lets the gateway drop the repeat.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use tokio::io::AsyncWriteExt;

use crate::background::{Background, StopSignal};
use crate::domain::record::{now_timestamp, timestamp_in};
use crate::store::outbox::OutboxMessage;
use crate::store::{Store, StoreResult};

/// How often the dispatcher looks for due messages when the outbox was empty.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Messages taken at once.
const BATCH: i64 = 50;
/// How long a dispatcher holds what it took before another may take it.
const LEASE: Duration = Duration::from_secs(60);
/// The wait before the first retry; it doubles with each failure, up to [`MAX_RETRY_WAIT`].
const FIRST_RETRY_WAIT: Duration = Duration::from_secs(10);
const MAX_RETRY_WAIT: Duration = Duration::from_secs(3600);

/// The file messages are appended to.
#[derive(Debug, Clone)]
pub struct Spool {
    path: PathBuf,
}

/// One line of the spool file.
#[derive(Debug, Serialize)]
struct SpooledMessage<'a> {
    seq: i64,
    to: &'a str,
    topic: &'a str,
    text_en: &'a str,
    text_hi: &'a str,
    spooled_at: String,
}

impl Spool {
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Spool {
            path: data_dir.join("outbox").join("messages.jsonl"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one message and waits until it is on disk.
    async fn append(&self, message: &OutboxMessage, phone: &str) -> std::io::Result<()> {
        let _writing = SPOOL_WRITES.lock().await;
        if let Some(dir) = self.path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let line = SpooledMessage {
            seq: message.seq,
            to: phone,
            topic: &message.topic,
            text_en: &message.text_en,
            text_hi: &message.text_hi,
            spooled_at: now_timestamp(),
        };
        let mut bytes = serde_json::to_vec(&line).map_err(std::io::Error::other)?;
        bytes.push(b'\n');
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await?;
        file.write_all(&bytes).await?;
        file.sync_data().await
    }
}

/// One writer of the spool file at a time in this process: an erasure's rewrite must not lose
/// a line appended meanwhile.
static SPOOL_WRITES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl Spool {
    /// Rewrites the spool without the messages `seqs` (those of an erased person): a new file
    /// written beside it, synced, then renamed over it, so a crash leaves one or the other. A
    /// gateway reading the spool should go by `seq`, not by byte offset.
    pub async fn drop_messages(&self, seqs: &[i64]) -> std::io::Result<()> {
        if seqs.is_empty() {
            return Ok(());
        }
        let _writing = SPOOL_WRITES.lock().await;
        let text = match tokio::fs::read_to_string(&self.path).await {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error),
        };
        let kept: String = text
            .lines()
            .filter(|line| {
                let seq = serde_json::from_str::<serde_json::Value>(line)
                    .ok()
                    .and_then(|message| message["seq"].as_i64());
                !seq.is_some_and(|seq| seqs.contains(&seq))
            })
            .flat_map(|line| [line, "\n"])
            .collect();
        if kept.len() == text.len() {
            return Ok(());
        }
        let fresh = self.path.with_extension("jsonl.new");
        let mut file = tokio::fs::File::create(&fresh).await?;
        file.write_all(kept.as_bytes()).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&fresh, &self.path).await
    }
}

/// Starts sending the outbox's messages into `spool`, on the current runtime.
pub fn start(store: Store, spool: Spool) -> Background {
    Background::spawn(|stopped| run(store, spool, stopped))
}

async fn run(store: Store, spool: Spool, mut stopped: StopSignal) {
    tracing::info!(spool = %spool.path().display(), "outbox dispatcher started");
    loop {
        let pause = match round(&store, &spool).await {
            Ok(taken) if taken as i64 == BATCH => Duration::ZERO,
            Ok(_) => POLL_INTERVAL,
            Err(error) => {
                tracing::warn!(%error, "outbox dispatcher: database unavailable; retrying");
                POLL_INTERVAL * 5
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
    tracing::info!("outbox dispatcher stopped");
}

/// Sends what is due now; returns how many messages it took.
pub async fn round(store: &Store, spool: &Spool) -> StoreResult<usize> {
    let messages = store
        .claim_due_messages(&now_timestamp(), &timestamp_in(LEASE), BATCH)
        .await?;
    for message in &messages {
        let Some(phone) = store.phone_of(&message.recipient_id).await? else {
            store.mark_message_done(message.seq, "no_phone").await?;
            continue;
        };
        match spool.append(message, &phone).await {
            Ok(()) => store.mark_message_done(message.seq, "sent").await?,
            Err(error) => {
                let wait = retry_wait(message.attempts);
                tracing::warn!(seq = message.seq, %error, ?wait, "could not spool a message; will retry");
                store
                    .mark_message_failed(message.seq, &error.to_string(), &timestamp_in(wait))
                    .await?;
            }
        }
    }
    Ok(messages.len())
}

/// How long to wait after the `attempts`-th failure.
fn retry_wait(attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.clamp(0, 16)).unwrap_or(16);
    FIRST_RETRY_WAIT
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(MAX_RETRY_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(retry_wait(0), Duration::from_secs(10));
        assert_eq!(retry_wait(1), Duration::from_secs(20));
        assert_eq!(retry_wait(3), Duration::from_secs(80));
        assert_eq!(retry_wait(20), MAX_RETRY_WAIT);
        assert_eq!(retry_wait(-1), Duration::from_secs(10));
    }
}

//! The ways a message leaves Sangam, and how each answer is read: delivered, worth another try,
//! or never going to work.
//!
//! The webhook POSTs JSON with these headers:
//! - `Idempotency-Key`: the same for every attempt of one message on one channel;
//! - `X-Sangam-Timestamp`: seconds since 1970 when the attempt was signed;
//! - `X-Sangam-Signature`: `sha256=` and the hex HMAC-SHA256, keyed with the shared secret, of
//!   the timestamp, a `.`, and the body's bytes; a receiver recomputes it and refuses a mismatch
//!   or an old timestamp (a replay);
//! - `X-Sangam-Attempt`: 1 for the first attempt, 2 for the next, …

use std::path::{Path, PathBuf};
use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::{Client, RequestBuilder, StatusCode};
use serde::Serialize;
use sha2::Sha256;
use tokio::io::AsyncWriteExt;

use super::config::{SmsConfig, SmsEncoding, SmsLanguage, WebhookConfig};
use crate::domain::record::now_timestamp;
use crate::store::outbox::Delivery;

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Worth trying again (a timeout, a refused connection, 429, 5xx); `after` is the wait the
    /// receiver asked for (`Retry-After`), if any.
    Retry {
        error: String,
        status: Option<u16>,
        after: Option<Duration>,
    },
    /// Never going to work as configured (400, 410, …): dead-lettered at once.
    Refused {
        error: String,
        status: Option<u16>,
    },
}

/// A configured channel.
#[derive(Debug, Clone)]
pub enum Channel {
    Spool(Spool),
    Webhook(Webhook),
    Sms(SmsGateway),
}

impl Channel {
    /// The name stored with each delivery.
    pub fn name(&self) -> &'static str {
        match self {
            Channel::Spool(_) => "spool",
            Channel::Webhook(_) => "webhook",
            Channel::Sms(_) => "sms",
        }
    }

    /// One attempt to send `delivery` to `phone`.
    pub async fn deliver(&self, client: &Client, delivery: &Delivery, phone: &str) -> Outcome {
        match self {
            Channel::Spool(spool) => match spool.append(delivery, phone).await {
                Ok(()) => Outcome::Delivered,
                Err(error) => Outcome::Retry {
                    error: format!("cannot write the spool file: {error}"),
                    status: None,
                    after: None,
                },
            },
            Channel::Webhook(webhook) => send(webhook.request(client, delivery, phone)).await,
            Channel::Sms(gateway) => match gateway.request(client, delivery, phone) {
                Ok(request) => send(request).await,
                Err(error) => Outcome::Refused {
                    error,
                    status: None,
                },
            },
        }
    }
}

/// The file messages are appended to, one JSON object a line, for a gateway process to read.
#[derive(Debug, Clone)]
pub struct Spool {
    path: PathBuf,
}

/// One line of the spool file.
#[derive(Debug, Serialize)]
struct SpooledMessage<'a> {
    seq: i64,
    idempotency_key: &'a str,
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
    async fn append(&self, delivery: &Delivery, phone: &str) -> std::io::Result<()> {
        let _writing = SPOOL_WRITES.lock().await;
        if let Some(dir) = self.path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let line = SpooledMessage {
            seq: delivery.seq,
            idempotency_key: &delivery.idempotency_key,
            to: phone,
            topic: &delivery.topic,
            text_en: &delivery.text_en,
            text_hi: &delivery.text_hi,
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

/// A receiver of signed JSON POSTs.
#[derive(Clone)]
pub struct Webhook {
    url: reqwest::Url,
    secret: Vec<u8>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// The webhook's body.
#[derive(Debug, Serialize)]
struct WebhookBody<'a> {
    /// The idempotency key again, for receivers that log bodies only.
    id: &'a str,
    seq: i64,
    topic: &'a str,
    recipient_id: &'a str,
    to: &'a str,
    text_en: &'a str,
    text_hi: &'a str,
    created_at: &'a str,
}

/// `sha256=` and the hex HMAC-SHA256 of `timestamp.body` under `secret`.
pub fn signature(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl Webhook {
    pub fn new(config: &WebhookConfig) -> Result<Self, String> {
        Ok(Webhook {
            url: reqwest::Url::parse(&config.url).map_err(|e| e.to_string())?,
            secret: config.secret.clone().unwrap_or_default().into_bytes(),
        })
    }

    fn request(&self, client: &Client, delivery: &Delivery, phone: &str) -> RequestBuilder {
        let body = serde_json::to_vec(&WebhookBody {
            id: &delivery.idempotency_key,
            seq: delivery.seq,
            topic: &delivery.topic,
            recipient_id: &delivery.recipient_id,
            to: phone,
            text_en: &delivery.text_en,
            text_hi: &delivery.text_hi,
            created_at: &delivery.created_at,
        })
        .expect("strings serialise");
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
        client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", &delivery.idempotency_key)
            .header("X-Sangam-Attempt", (delivery.attempts + 1).to_string())
            .header(
                "X-Sangam-Signature",
                signature(&self.secret, &timestamp, &body),
            )
            .header("X-Sangam-Timestamp", timestamp)
            .body(body)
    }
}

/// An SMS gateway reached through a template ([`SmsConfig`]).
#[derive(Debug, Clone)]
pub struct SmsGateway {
    config: SmsConfig,
}

impl SmsGateway {
    pub fn new(config: &SmsConfig) -> Self {
        SmsGateway {
            config: config.clone(),
        }
    }

    /// The request for one message, or why the template cannot make one (a URL that the
    /// placeholders turned invalid: it would fail the same way every time).
    fn request(
        &self,
        client: &Client,
        delivery: &Delivery,
        phone: &str,
    ) -> Result<RequestBuilder, String> {
        let text = match self.config.language {
            SmsLanguage::Hi => &delivery.text_hi,
            SmsLanguage::En => &delivery.text_en,
        };
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let national = digits
            .strip_prefix("91")
            .filter(|rest| rest.len() == 10)
            .unwrap_or(&digits)
            .to_string();
        let values: Vec<(&str, String)> = vec![
            ("{phone}", phone.to_string()),
            ("{phone_digits}", digits),
            ("{phone_national}", national),
            ("{text}", text.clone()),
            ("{language}", self.config.language.code().to_string()),
            (
                "{unicode}",
                if text.is_ascii() { "0" } else { "1" }.to_string(),
            ),
            ("{idempotency_key}", delivery.idempotency_key.clone()),
            ("{topic}", delivery.topic.clone()),
            ("{seq}", delivery.seq.to_string()),
        ];
        let fill = |template: &str, escape: fn(&str) -> String| {
            values
                .iter()
                .fold(template.to_string(), |filled, (name, value)| {
                    filled.replace(name, &escape(value))
                })
        };
        let as_is = |value: &str| value.to_string();
        let url_escaped = |value: &str| {
            serde_urlencoded::to_string([("", value)])
                .map(|pair| pair[1..].to_string())
                .unwrap_or_default()
        };
        let mut url = reqwest::Url::parse(&fill(&self.config.url, url_escaped))
            .map_err(|e| format!("the SMS URL template gave an invalid URL: {e}"))?;
        let method = if self.config.method.eq_ignore_ascii_case("GET") {
            reqwest::Method::GET
        } else {
            reqwest::Method::POST
        };
        let string_fields = || -> Vec<(String, String)> {
            self.config
                .fields
                .as_object()
                .map(|fields| {
                    fields
                        .iter()
                        .map(|(k, v)| (k.clone(), fill(v.as_str().unwrap_or_default(), as_is)))
                        .collect()
                })
                .unwrap_or_default()
        };
        let encoding = self.config.encoding();
        if encoding == SmsEncoding::Query {
            url.query_pairs_mut().extend_pairs(string_fields());
        }
        let mut request = client
            .request(method, url)
            .header("Idempotency-Key", &delivery.idempotency_key);
        for (name, value) in &self.config.headers {
            request = request.header(name.as_str(), fill(value, as_is));
        }
        request = match encoding {
            SmsEncoding::Query => request,
            SmsEncoding::Form => request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(serde_urlencoded::to_string(string_fields()).unwrap_or_default()),
            SmsEncoding::Json => request.json(&fill_json(&self.config.fields, &|s| fill(s, as_is))),
        };
        Ok(request)
    }
}

/// `template` with every string filled in.
fn fill_json(template: &serde_json::Value, fill: &dyn Fn(&str) -> String) -> serde_json::Value {
    use serde_json::Value;
    match template {
        Value::String(s) => Value::String(fill(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill_json(v, fill)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill_json(v, fill)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Sends and reads the answer's status (the client's timeout bounds the whole attempt).
async fn send(request: RequestBuilder) -> Outcome {
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            let after = retry_after(&response);
            // The body is read (and dropped) so that a slow one counts against the timeout too.
            let body = response.text().await.unwrap_or_default();
            classify(status, after, &body)
        }
        Err(error) => Outcome::Retry {
            error: describe(&error),
            status: None,
            after: None,
        },
    }
}

/// What an HTTP status means for the message.
pub fn classify(status: StatusCode, after: Option<Duration>, body: &str) -> Outcome {
    let code = status.as_u16();
    let error = || {
        let excerpt: String = body.chars().take(200).collect();
        format!("HTTP {code}: {}", excerpt.trim())
    };
    if status.is_success() {
        Outcome::Delivered
    } else if matches!(code, 408 | 409 | 425 | 429) || status.is_server_error() {
        // Busy, rate limited, or broken for now.
        Outcome::Retry {
            error: error(),
            status: Some(code),
            after,
        }
    } else {
        // 3xx (redirects are not followed: a signed POST is not replayed elsewhere) and the
        // other 4xx (400, 401, 403, 404, 410, 422, …) will answer the same next time.
        Outcome::Refused {
            error: error(),
            status: Some(code),
        }
    }
}

/// A `Retry-After` given in seconds (an HTTP date is ignored: the backoff applies instead).
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        format!("cannot connect: {error}")
    } else {
        error.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_that_can_never_succeed_are_refused_and_the_others_retried() {
        for code in [400, 401, 403, 404, 410, 422, 301] {
            let status = StatusCode::from_u16(code).unwrap();
            assert!(
                matches!(classify(status, None, ""), Outcome::Refused { .. }),
                "{code}"
            );
        }
        for code in [408, 429, 500, 502, 503, 504] {
            let status = StatusCode::from_u16(code).unwrap();
            assert!(
                matches!(classify(status, None, ""), Outcome::Retry { .. }),
                "{code}"
            );
        }
        assert_eq!(classify(StatusCode::ACCEPTED, None, ""), Outcome::Delivered);
    }

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        let key = b"a secret of sixteen+";
        let one = signature(key, "1700000000", b"{\"a\":1}");
        assert!(one.starts_with("sha256=") && one.len() == 7 + 64);
        assert_ne!(one, signature(key, "1700000001", b"{\"a\":1}"));
        assert_ne!(one, signature(key, "1700000000", b"{\"a\":2}"));
        assert_ne!(
            one,
            signature(b"another secret!!", "1700000000", b"{\"a\":1}")
        );
        assert_eq!(one, signature(key, "1700000000", b"{\"a\":1}"));
    }
}

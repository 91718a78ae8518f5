//! How messages leave Sangam: which channels, where to, and how hard to try. Read at start from a
//! JSON file (`<data dir>/notify.json`, or `--notify-config FILE`); without one, only the spool
//! file is written, as before. A file that cannot be used stops `sangam serve` with the reason,
//! rather than messages failing one by one later.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// Append every message to `<data dir>/outbox/messages.jsonl` (default true).
    #[serde(default = "yes")]
    pub spool: bool,
    pub webhook: Option<WebhookConfig>,
    pub sms: Option<SmsConfig>,
    #[serde(default)]
    pub retry: RetryConfig,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            spool: true,
            webhook: None,
            sms: None,
            retry: RetryConfig::default(),
        }
    }
}

fn yes() -> bool {
    true
}

/// A JSON POST of each message, signed (see [`super::channel`]).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// The HMAC-SHA256 key; `SANGAM_WEBHOOK_SECRET` overrides it, so the file need not hold it.
    #[serde(default)]
    pub secret: Option<String>,
}

impl std::fmt::Debug for WebhookConfig {
    // The secret stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// An SMS gateway's HTTP API, described instead of coded: where, how, and which fields, with
/// placeholders (`{phone}`, `{text}`, …; see [`PLACEHOLDERS`]) in the URL, field values and
/// header values.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    pub url: String,
    /// `POST` (default) or `GET`.
    #[serde(default = "post")]
    pub method: String,
    /// How the fields travel: `form` (default for POST), `json`, or `query` (the only one for GET).
    pub encoding: Option<SmsEncoding>,
    /// For `form` and `query`, an object of strings; for `json`, any JSON whose strings get the
    /// placeholders replaced.
    #[serde(default)]
    pub fields: serde_json::Value,
    /// Extra headers (an API key, say).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Which text to send: `hi` (default) or `en`.
    #[serde(default)]
    pub language: SmsLanguage,
}

impl std::fmt::Debug for SmsConfig {
    // Headers and URLs may carry keys; only the host is logged.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("method", &self.method)
            .field("encoding", &self.encoding)
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

fn post() -> String {
    "POST".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsEncoding {
    Form,
    Json,
    Query,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsLanguage {
    #[default]
    Hi,
    En,
}

impl SmsLanguage {
    pub fn code(self) -> &'static str {
        match self {
            SmsLanguage::Hi => "hi",
            SmsLanguage::En => "en",
        }
    }
}

/// The placeholders an SMS template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "{phone}",
    "{phone_digits}",
    "{phone_national}",
    "{text}",
    "{language}",
    "{unicode}",
    "{idempotency_key}",
    "{topic}",
    "{seq}",
];

/// How hard to try, and how long to wait. All in milliseconds so tests can make them short.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetryConfig {
    /// Attempts before a delivery is dead-lettered.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles each time, up to `max_wait_ms`, and is then
    /// jittered (between half and all of it).
    pub first_wait_ms: u64,
    pub max_wait_ms: u64,
    /// One attempt (connect, send, answer) may take this long, then it counts as failed.
    pub attempt_timeout_ms: u64,
    /// How long a dispatcher holds deliveries it took; after a crash, another process (or the
    /// restarted one) takes them once this has passed. Must exceed the attempt timeout.
    pub lease_ms: u64,
    /// How often to look for new or due messages when there were none.
    pub poll_interval_ms: u64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 8,
            first_wait_ms: 10_000,
            max_wait_ms: 3_600_000,
            attempt_timeout_ms: 10_000,
            lease_ms: 60_000,
            poll_interval_ms: 1_000,
        }
    }
}

impl RetryConfig {
    pub fn attempt_timeout(&self) -> Duration {
        Duration::from_millis(self.attempt_timeout_ms)
    }
    pub fn lease(&self) -> Duration {
        Duration::from_millis(self.lease_ms)
    }
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a valid notification configuration: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("{0}")]
    Invalid(String),
}

impl NotifyConfig {
    /// Reads `path`; a missing file is the default (spool only) when `required` is false.
    pub fn load(path: &Path, required: bool) -> Result<NotifyConfig, ConfigError> {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(NotifyConfig::default());
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: shown,
                    source,
                });
            }
        };
        let mut config: NotifyConfig =
            serde_json::from_str(&text).map_err(|source| ConfigError::Parse {
                path: shown.clone(),
                source,
            })?;
        if let Some(webhook) = &mut config.webhook
            && let Ok(secret) = std::env::var("SANGAM_WEBHOOK_SECRET")
            && !secret.is_empty()
        {
            webhook.secret = Some(secret);
        }
        config
            .validate()
            .map_err(|why| ConfigError::Invalid(format!("{shown}: {why}")))?;
        Ok(config)
    }

    /// Refuses what could never deliver, naming the setting.
    pub fn validate(&self) -> Result<(), String> {
        let retry = &self.retry;
        if retry.max_attempts == 0 {
            return Err("retry.max_attempts must be at least 1".into());
        }
        if retry.attempt_timeout_ms == 0 || retry.poll_interval_ms == 0 {
            return Err(
                "retry.attempt_timeout_ms and retry.poll_interval_ms must be above 0".into(),
            );
        }
        if retry.lease_ms <= retry.attempt_timeout_ms {
            return Err("retry.lease_ms must be longer than retry.attempt_timeout_ms".into());
        }
        if retry.max_wait_ms < retry.first_wait_ms {
            return Err("retry.max_wait_ms must be at least retry.first_wait_ms".into());
        }
        if let Some(webhook) = &self.webhook {
            check_url("webhook.url", &webhook.url)?;
            if webhook.secret.as_deref().is_none_or(|s| s.len() < 16) {
                return Err(
                    "webhook.secret (or SANGAM_WEBHOOK_SECRET) must be at least 16 characters"
                        .into(),
                );
            }
        }
        if let Some(sms) = &self.sms {
            check_url("sms.url", &sms.url)?;
            let method = sms.method.to_ascii_uppercase();
            match (method.as_str(), sms.encoding()) {
                ("POST", _) | ("GET", SmsEncoding::Query) => {}
                ("GET", _) => return Err("sms: a GET sends its fields as `query`".into()),
                _ => return Err(format!("sms.method `{}`: use POST or GET", sms.method)),
            }
            if sms.encoding() != SmsEncoding::Json
                && !sms
                    .fields
                    .as_object()
                    .is_some_and(|fields| fields.values().all(|v| v.is_string()))
                && !sms.fields.is_null()
            {
                return Err("sms.fields must be an object of strings for form or query".into());
            }
            let mut templates = vec![sms.url.clone()];
            templates.extend(sms.headers.values().cloned());
            collect_strings(&sms.fields, &mut templates);
            for template in &templates {
                check_placeholders(template)?;
            }
            if !templates.iter().any(|t| t.contains("{phone")) {
                return Err(
                    "sms: no field uses {phone}, {phone_digits} or {phone_national}".into(),
                );
            }
            if !templates.iter().any(|t| t.contains("{text}")) {
                return Err("sms: no field uses {text}".into());
            }
        }
        Ok(())
    }
}

impl SmsConfig {
    pub fn encoding(&self) -> SmsEncoding {
        self.encoding
            .unwrap_or(if self.method.eq_ignore_ascii_case("GET") {
                SmsEncoding::Query
            } else {
                SmsEncoding::Form
            })
    }
}

/// Sangam talks plain HTTP only (no TLS library in the build): a gateway on HTTPS is reached
/// through a relay on the same machine.
fn check_url(setting: &str, url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{setting} `{url}`: {e}"))?;
    match parsed.scheme() {
        "http" => Ok(()),
        "https" => Err(format!(
            "{setting}: this build speaks plain HTTP only; put a TLS relay on this machine in front of the https gateway"
        )),
        other => Err(format!("{setting}: scheme `{other}` is not http")),
    }
}

fn collect_strings(value: &serde_json::Value, into: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => into.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, into)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, into)),
        _ => {}
    }
}

/// Every `{…}` in a template must be a known placeholder, so a typo fails at start.
fn check_placeholders(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err(format!("sms: unclosed `{{` in `{template}`"));
        };
        let name = &rest[open..open + close + 1];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "sms: unknown placeholder `{name}`; known: {}",
                PLACEHOLDERS.join(", ")
            ));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<(), String> {
        let config: NotifyConfig = serde_json::from_str(text).map_err(|e| e.to_string())?;
        config.validate()
    }

    #[test]
    fn a_gateway_template_with_known_placeholders_is_accepted() {
        parse(
            r#"{"sms": {"url": "http://127.0.0.1:9000/send?key=abc", "fields":
                {"mobile": "{phone_national}", "msg": "{text}", "unicode": "{unicode}"}}}"#,
        )
        .unwrap();
    }

    #[test]
    fn typos_and_unusable_settings_are_refused_with_the_setting_named() {
        let cases = [
            (
                r#"{"sms": {"url": "http://x/", "fields": {"to": "{phon}", "m": "{text}"}}}"#,
                "{phon}",
            ),
            (
                r#"{"sms": {"url": "http://x/", "fields": {"to": "{phone}"}}}"#,
                "{text}",
            ),
            (
                r#"{"sms": {"url": "https://x/", "fields": {"to": "{phone}", "m": "{text}"}}}"#,
                "plain HTTP",
            ),
            (
                r#"{"sms": {"url": "http://x/", "method": "GET", "encoding": "json", "fields": {}}}"#,
                "GET",
            ),
            (
                r#"{"webhook": {"url": "http://x/", "secret": "short"}}"#,
                "secret",
            ),
            (
                r#"{"retry": {"lease_ms": 100, "attempt_timeout_ms": 500}}"#,
                "lease_ms",
            ),
            (r#"{"retry": {"max_attempts": 0}}"#, "max_attempts"),
        ];
        for (text, named) in cases {
            let why = parse(text).expect_err(text);
            assert!(why.contains(named), "{text}: {why}");
        }
        assert!(parse(r#"{"webhok": {}}"#).unwrap_err().contains("webhok"));
    }
}

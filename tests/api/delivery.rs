//! Notifications over HTTP: a signed webhook and an SMS gateway template, against real HTTP
//! receivers on loopback ports in this process that misbehave as real ones do (fail twice, hang
//! past the timeout, answer 410 or 503 for ever, take a long time while Sangam is killed).
//! Every message ends delivered once (counting by idempotency key, as a receiver would) or
//! dead-lettered where admins see it; none is lost.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::outbox::{deliveries, linkage, move_to, settled, spooled, wait_until};
use crate::support::{TestServer, backends};

const SECRET: &str = "a shared secret for the test hook";

/// How a receiver answers.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    /// 503 to the first two attempts of each message, then 200.
    FailTwice,
    /// The first attempt of each message waits 5 s (past Sangam's timeout), the next gets 200.
    HangOnce,
    /// 410 Gone, always.
    Gone,
    /// 503, always.
    Unavailable,
    /// 200 after 1.5 s, so that Sangam can be killed while it waits.
    Slow,
    /// 200 at once.
    Ok,
}

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Hit {
    key: String,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
struct Log {
    hits: Vec<Hit>,
    /// Idempotency keys the receiver accepted, in order; a repeat would be dropped by a real
    /// receiver, and is counted here to show it was.
    accepted: Vec<String>,
}

#[derive(Clone)]
struct Receiver {
    behaviour: Behaviour,
    log: Arc<Mutex<Log>>,
    url: String,
}

impl Receiver {
    /// Listens on a free loopback port before returning (no wait for readiness needed).
    async fn start(behaviour: Behaviour) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let receiver = Receiver {
            behaviour,
            log: Arc::default(),
            url: format!("http://{address}/receive"),
        };
        let app = Router::new()
            .route("/receive", post(receive).get(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    fn hits(&self) -> Vec<Hit> {
        self.log.lock().unwrap().hits.clone()
    }

    fn accepted(&self) -> Vec<String> {
        self.log.lock().unwrap().accepted.clone()
    }

    /// Attempts seen per idempotency key.
    fn attempts_by_key(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for hit in self.hits() {
            *counts.entry(hit.key).or_default() += 1;
        }
        counts
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (AxumStatus, &'static str) {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let seen_before = {
        let mut log = receiver.log.lock().unwrap();
        let seen = log.hits.iter().filter(|h| h.key == key).count();
        log.hits.push(Hit {
            key: key.clone(),
            method,
            uri,
            headers,
            body,
        });
        seen
    };
    let answer = match receiver.behaviour {
        Behaviour::FailTwice if seen_before < 2 => (AxumStatus::SERVICE_UNAVAILABLE, "try later"),
        Behaviour::HangOnce if seen_before == 0 => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            (AxumStatus::OK, "late")
        }
        Behaviour::Gone => return (AxumStatus::GONE, "this hook was removed"),
        Behaviour::Unavailable => return (AxumStatus::SERVICE_UNAVAILABLE, "down"),
        Behaviour::Slow => {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            (AxumStatus::OK, "ok")
        }
        _ => (AxumStatus::OK, "ok"),
    };
    if answer.0.is_success() {
        receiver.log.lock().unwrap().accepted.push(key);
    }
    answer
}

/// Timings short enough for a test: attempts time out after 1 s (a loaded CI machine answers a
/// loopback request well within that), waits start at 100 ms.
fn config(webhook: Option<&Receiver>, sms: Option<&Receiver>, max_attempts: u32) -> Value {
    let mut config = json!({
        "retry": {"max_attempts": max_attempts, "first_wait_ms": 100, "max_wait_ms": 400,
                  "attempt_timeout_ms": 1000, "lease_ms": 2500, "poll_interval_ms": 50}
    });
    if let Some(hook) = webhook {
        config["webhook"] = json!({"url": hook.url, "secret": SECRET});
    }
    if let Some(gateway) = sms {
        // As many Indian gateways take it: a form with the ten-digit number, the text and a
        // flag for Unicode (Devanagari) messages, and a key in the URL.
        config["sms"] = json!({
            "url": format!("{}?apikey=k%26y", gateway.url),
            "method": "POST",
            "encoding": "form",
            "fields": {"mobile": "{phone_national}", "msg": "{text}", "unicode": "{unicode}",
                       "ref": "{idempotency_key}"},
            "headers": {"X-Gateway-Sender": "SANGAM"},
            "language": "hi"
        });
    }
    config
}

/// The webhook signature as a receiver checks it: HMAC-SHA256 of `timestamp.body`.
fn verify(hit: &Hit) {
    let timestamp = hit.headers["x-sangam-timestamp"].to_str().unwrap();
    let age = time::OffsetDateTime::now_utc().unix_timestamp() - timestamp.parse::<i64>().unwrap();
    assert!((0..60).contains(&age), "a fresh timestamp: {timestamp}");
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(&hit.body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(hit.headers["x-sangam-signature"], expected.as_str());
}

fn of_channel<'a>(body: &'a Value, channel: &str) -> Vec<&'a Value> {
    body["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["channel"] == channel)
        .collect()
}

#[tokio::test]
async fn a_webhook_that_fails_twice_and_a_gateway_that_hangs_once_get_each_message_once() {
    for backend in backends() {
        let hook = Receiver::start(Behaviour::FailTwice).await;
        let gateway = Receiver::start(Behaviour::HangOnce).await;
        let server =
            TestServer::start_notifying(&backend, &config(Some(&hook), Some(&gateway), 5)).await;
        let token = server.token("facilitator").await;
        let admin = server.token("admin").await;
        let (_, path) = linkage(&server, &token, Some("098765-43210")).await;
        move_to(&server, &token, &path, "proposed").await;
        move_to(&server, &token, &path, "accepted").await;

        let done = settled(&server, &admin, Duration::from_secs(15)).await;
        let name = backend.name();
        // Two messages on three channels (spool, webhook, SMS): six deliveries, none dead.
        assert_eq!(done["counts"]["delivered"], 6, "{name}: {done}");
        assert_eq!(done["counts"]["dead"], 0, "{name}: {done}");

        // The webhook: three attempts of each message with one key, signed; accepted once.
        let attempts = hook.attempts_by_key();
        assert_eq!(attempts.len(), 2, "{name}: {attempts:?}");
        assert!(attempts.values().all(|n| *n == 3), "{name}: {attempts:?}");
        let mut accepted = hook.accepted();
        accepted.sort();
        assert_eq!(accepted, attempts.keys().cloned().collect::<Vec<_>>());
        let hits = hook.hits();
        for hit in &hits {
            verify(hit);
        }
        let numbers: Vec<&str> = hits
            .iter()
            .map(|h| h.headers["x-sangam-attempt"].to_str().unwrap())
            .collect();
        assert_eq!(
            numbers.iter().filter(|n| **n == "3").count(),
            2,
            "{numbers:?}"
        );
        let proposal = hits
            .iter()
            .find_map(|hit| {
                let body: Value = serde_json::from_slice(&hit.body).unwrap();
                assert_eq!(body["id"], hit.key.as_str());
                (body["topic"] == "linkage.proposed").then_some(body)
            })
            .expect("the proposal, to the bank");
        assert_eq!(proposal["to"], "+919415000000");
        assert!(
            proposal["text_en"]
                .as_str()
                .unwrap()
                .contains("Sunita Devi is proposed"),
            "{proposal}"
        );
        for delivery in of_channel(&done, "webhook") {
            assert_eq!(delivery["attempts"], 3, "{delivery}");
        }

        // The gateway: the first attempt hung past the timeout and was tried again, with the
        // same key; the form carries the ten-digit number and the Hindi text.
        let attempts = gateway.attempts_by_key();
        assert_eq!(attempts.len(), 2, "{name}: {attempts:?}");
        assert!(attempts.values().all(|n| *n == 2), "{name}: {attempts:?}");
        assert_eq!(gateway.accepted().len(), 2);
        for delivery in of_channel(&done, "sms") {
            assert_eq!(delivery["attempts"], 2, "{delivery}");
            assert_eq!(delivery["last_error"], "timed out", "{delivery}");
        }
        let to_tailor = gateway
            .hits()
            .into_iter()
            .map(|hit| serde_urlencoded::from_bytes::<BTreeMap<String, String>>(&hit.body).unwrap())
            .find(|form| form["mobile"] == "9876543210")
            .expect("a message to the tailor");
        assert!(to_tailor["msg"].contains("स्वीकार कर ली है"), "{to_tailor:?}");
        assert_eq!(to_tailor["unicode"], "1");
        assert_eq!(gateway.hits()[0].headers["x-gateway-sender"], "SANGAM");
        assert_eq!(spooled(server.data_dir.path()).len(), 2);
    }
}

#[tokio::test]
async fn a_410_dead_letters_at_once_a_gateway_down_after_the_last_attempt_and_admins_see_why() {
    for backend in backends() {
        let hook = Receiver::start(Behaviour::Gone).await;
        let gateway = Receiver::start(Behaviour::Unavailable).await;
        let server =
            TestServer::start_notifying(&backend, &config(Some(&hook), Some(&gateway), 3)).await;
        let token = server.token("facilitator").await;
        let admin = server.token("admin").await;
        let (_, path) = linkage(&server, &token, Some("098765-43210")).await;
        move_to(&server, &token, &path, "proposed").await;
        let done = settled(&server, &admin, Duration::from_secs(15)).await;
        let name = backend.name();
        assert_eq!(done["counts"]["dead"], 2, "{name}: {done}");
        assert_eq!(
            done["counts"]["delivered"], 1,
            "{name}: the spool file: {done}"
        );

        // 410 is final: one attempt. 503 is retried until the last allowed attempt.
        assert_eq!(hook.hits().len(), 1, "{name}");
        assert_eq!(gateway.hits().len(), 3, "{name}");

        // Admins list the dead letters (the default) with the error that ended each.
        let (status, dead) = server
            .get("/api/v1/admin/notifications", Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{dead}");
        let list = dead["deliveries"].as_array().unwrap();
        assert_eq!(list.len(), 2, "{dead}");
        let webhook = of_channel(&dead, "webhook")[0];
        assert_eq!(webhook["state"], "dead");
        assert_eq!(webhook["attempts"], 1);
        assert_eq!(webhook["last_status"], 410);
        assert!(
            webhook["last_error"]
                .as_str()
                .unwrap()
                .contains("this hook was removed"),
            "{webhook}"
        );
        assert_eq!(webhook["topic"], "linkage.proposed");
        assert!(webhook["finished_at"].is_string());
        let sms = of_channel(&dead, "sms")[0];
        assert_eq!(sms["attempts"], 3);
        assert_eq!(sms["last_status"], 503);
        assert!(
            sms["last_error"]
                .as_str()
                .unwrap()
                .contains("the last allowed"),
            "{sms}"
        );
        // No phone number or text in the admins' list.
        assert!(!dead.to_string().contains("9415000000"), "{dead}");

        // Once the receiver is fixed, an admin sends a dead letter again, with the same key.
        let retry = format!(
            "/api/v1/admin/notifications/{}/webhook/retry",
            webhook["seq"]
        );
        let (status, body) = server.post(&retry, Some(&token), &json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, again) = server.post(&retry, Some(&admin), &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["state"], "pending", "{again}");
        assert_eq!(again["attempts"], 0, "{again}");
        wait_until(&server, &admin, Duration::from_secs(10), |body| {
            body["counts"]["dead"] == 2 && body["counts"]["pending"] == 0
        })
        .await;
        let keys: Vec<String> = hook.hits().into_iter().map(|h| h.key).collect();
        assert_eq!(keys.len(), 2, "{name}: sent again");
        assert_eq!(keys[0], keys[1]);
        // Only a dead delivery can be sent again; a pending, delivered or unknown one is a 404.
        for path in [
            format!("/api/v1/admin/notifications/{}/spool/retry", webhook["seq"]),
            "/api/v1/admin/notifications/999/webhook/retry".to_string(),
            "/api/v1/admin/notifications/x/webhook/retry".to_string(),
        ] {
            let (status, body) = server.post(&path, Some(&admin), &json!({})).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        }

        // Only admins; bad parameters name themselves.
        let (status, body) = server
            .get("/api/v1/admin/notifications", Some(&token))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _) = server.get("/api/v1/admin/notifications", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        for bad in ["state=gone", "state=", "limit=0", "limit=x", "offset=-1"] {
            let (status, body) = server
                .get(&format!("/api/v1/admin/notifications?{bad}"), Some(&admin))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            let field = bad.split('=').next().unwrap();
            assert!(body["error"]["fields"][field].is_string(), "{bad}: {body}");
        }
        let (status, body) = server
            .get("/api/v1/admin/notifications?color=red", Some(&admin))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
}

#[tokio::test]
async fn no_message_is_lost_when_sangam_is_killed_while_delivering() {
    for backend in backends() {
        let hook = Receiver::start(Behaviour::Slow).await;
        let mut config = config(Some(&hook), None, 5);
        // The receiver takes 1.5 s: the timeout must allow it, and the lease exceed that.
        config["retry"]["attempt_timeout_ms"] = json!(3000);
        config["retry"]["lease_ms"] = json!(3500);
        let mut server = TestServer::start_notifying(&backend, &config).await;
        let token = server.token("facilitator").await;
        let admin = server.token("admin").await;
        let (_, path) = linkage(&server, &token, Some("098765-43210")).await;
        move_to(&server, &token, &path, "proposed").await;

        // Killed (SIGKILL) while the receiver holds the first attempt.
        let started = std::time::Instant::now();
        while hook.hits().is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no attempt came"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.kill_and_restart().await;
        move_to(&server, &token, &path, "accepted").await;

        let done = settled(&server, &admin, Duration::from_secs(20)).await;
        let name = backend.name();
        assert_eq!(done["counts"]["delivered"], 4, "{name}: {done}");
        assert_eq!(done["counts"]["dead"], 0, "{name}: {done}");
        // The first message came again with the same key after the lease ran out; a receiver
        // that drops repeats by key has each message exactly once.
        let attempts = hook.attempts_by_key();
        assert_eq!(attempts.len(), 2, "{name}: {attempts:?}");
        let first_key = hook.hits()[0].key.clone();
        assert!(attempts[&first_key] >= 2, "{name}: {attempts:?}");
        let mut unique = hook.accepted();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique,
            attempts.keys().cloned().collect::<Vec<_>>(),
            "{name}"
        );
        let spooled_seqs: std::collections::BTreeSet<i64> = spooled(server.data_dir.path())
            .iter()
            .map(|m| m["seq"].as_i64().unwrap())
            .collect();
        assert_eq!(
            spooled_seqs.len(),
            2,
            "{name}: each message in the spool file"
        );
        let after = deliveries(&server, &admin).await;
        assert_eq!(after["counts"], done["counts"]);
    }
}

#[tokio::test]
async fn two_servers_on_one_postgresql_send_each_message_once() {
    let Some(backend) = backends()
        .into_iter()
        .find(|b| matches!(b, crate::support::Backend::Postgres(_)))
    else {
        eprintln!("SKIPPED: needs SANGAM_TEST_POSTGRES_URL");
        return;
    };
    let hook = Receiver::start(Behaviour::Ok).await;
    let mut config = config(Some(&hook), None, 5);
    config["spool"] = json!(false);
    let first = TestServer::start_notifying(&backend, &config).await;
    let second = first.start_sibling_notifying(Some(&config)).await;
    let token = first.token("facilitator").await;
    let admin = first.token("admin").await;
    let (_, path) = linkage(&first, &token, Some("098765-43210")).await;
    // Moves through both servers; both dispatchers poll the same outbox every 50 ms.
    move_to(&first, &token, &path, "proposed").await;
    move_to(&second, &token, &path, "accepted").await;
    move_to(&first, &token, &path, "completed").await;
    let done = settled(&second, &admin, Duration::from_secs(15)).await;
    assert_eq!(done["counts"]["delivered"], 3, "{done}");
    // While both are alive, a lease keeps a delivery to one of them: no repeats at all.
    let attempts = hook.attempts_by_key();
    assert_eq!(attempts.len(), 3, "{attempts:?}");
    assert!(attempts.values().all(|n| *n == 1), "{attempts:?}");
}

#[tokio::test]
async fn an_sms_gateway_taking_json_or_a_get_query_gets_the_fields_it_asked_for() {
    for backend in backends() {
        // JSON, nested as some gateways want it, in English.
        let gateway = Receiver::start(Behaviour::Ok).await;
        let mut config = config(None, None, 3);
        config["spool"] = json!(false);
        config["sms"] = json!({
            "url": gateway.url, "encoding": "json", "language": "en",
            "fields": {"sender": "SANGAM", "route": 4, "unicode": "{unicode}",
                       "messages": [{"to": ["{phone_digits}"], "body": "{text}", "lang": "{language}"}]}
        });
        let server = TestServer::start_notifying(&backend, &config).await;
        let token = server.token("facilitator").await;
        let admin = server.token("admin").await;
        let (_, path) = linkage(&server, &token, Some("098765-43210")).await;
        move_to(&server, &token, &path, "proposed").await;
        settled(&server, &admin, Duration::from_secs(10)).await;
        let hits = gateway.hits();
        assert_eq!(hits.len(), 1, "{}", backend.name());
        assert_eq!(hits[0].headers["content-type"], "application/json");
        let body: Value = serde_json::from_slice(&hits[0].body).unwrap();
        assert_eq!(body["route"], 4, "{body}");
        // The English text has curly quotes, outside the GSM 7-bit alphabet: Unicode too.
        assert_eq!(body["unicode"], "1", "{body}");
        assert_eq!(body["messages"][0]["to"][0], "919415000000", "{body}");
        assert_eq!(body["messages"][0]["lang"], "en", "{body}");
        assert!(
            body["messages"][0]["body"]
                .as_str()
                .unwrap()
                .starts_with("Sangam: Sunita Devi is proposed for “Loan for women tailors”"),
            "{body}"
        );

        // A GET with everything in the URL, Hindi escaped as the URL needs.
        let gateway = Receiver::start(Behaviour::Ok).await;
        config["sms"] = json!({
            "url": format!("{}?user=ngo&to={{phone}}", gateway.url), "method": "GET",
            "fields": {"text": "{text}", "type": "{unicode}"}
        });
        let server = TestServer::start_notifying(&backend, &config).await;
        let token = server.token("facilitator").await;
        let admin = server.token("admin").await;
        let (_, path) = linkage(&server, &token, Some("098765-43210")).await;
        move_to(&server, &token, &path, "proposed").await;
        settled(&server, &admin, Duration::from_secs(10)).await;
        let hits = gateway.hits();
        assert_eq!(hits.len(), 1, "{}", backend.name());
        assert_eq!(hits[0].method, axum::http::Method::GET);
        let query: BTreeMap<String, String> =
            serde_urlencoded::from_str(hits[0].uri.query().unwrap()).unwrap();
        assert_eq!(query["user"], "ngo");
        assert_eq!(query["to"], "+919415000000", "{query:?}");
        assert_eq!(query["type"], "1");
        assert!(query["text"].contains("प्रस्तावित"), "{query:?}");
    }
}

#[tokio::test]
async fn a_notification_setting_that_cannot_work_stops_the_start_with_the_reason() {
    let data_dir = tempfile::tempdir().unwrap();
    std::fs::write(
        data_dir.path().join("notify.json"),
        r#"{"sms": {"url": "http://127.0.0.1:9/send", "fields": {"to": "{phone}", "msg": "{txt}"}}}"#,
    )
    .unwrap();
    let output = tokio::process::Command::new(crate::support::BINARY)
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("{txt}") && stderr.contains("notify.json"),
        "{stderr}"
    );
}

#[tokio::test]
async fn waits_between_attempts_follow_the_configuration() {
    // Attempts to a receiver that is always down come no sooner than the configured waits.
    let gateway = Receiver::start(Behaviour::Unavailable).await;
    let mut config = config(None, Some(&gateway), 4);
    config["retry"]["first_wait_ms"] = json!(400);
    config["retry"]["max_wait_ms"] = json!(800);
    let server = TestServer::start_notifying(&crate::support::Backend::Sqlite, &config).await;
    let token = server.token("facilitator").await;
    let admin = server.token("admin").await;
    let (_, path) = linkage(&server, &token, Some("098765-43210")).await;
    move_to(&server, &token, &path, "proposed").await;
    let started = std::time::Instant::now();
    wait_until(&server, &admin, Duration::from_secs(15), |body| {
        body["counts"]["dead"] == 1
    })
    .await;
    // Waits of at least 200, 400 and 400 ms (half of 400, 800, 800 after jitter).
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(gateway.hits().len(), 4);
}

//! Messages through the outbox: a linkage's news reaches the people it concerns (in the spool
//! file a gateway reads), survives a failed write, and is never sent to or about an erased person.
//! What was sent, and what is still to send, is read from the admins' view of the deliveries
//! (`/api/v1/admin/notifications`) rather than guessed after a sleep.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestServer, add, backends, bank, entrepreneur};

pub(crate) fn spooled(data_dir: &Path) -> Vec<Value> {
    let path = data_dir.join("outbox").join("messages.jsonl");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect()
}

/// Every delivery and the counts by state, as an admin sees them.
pub(crate) async fn deliveries(server: &TestServer, admin: &str) -> Value {
    let (status, body) = server
        .get(
            "/api/v1/admin/notifications?state=all&limit=500",
            Some(admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The deliveries once every message has been given to the channels and none is pending (each
/// delivered, skipped or dead); fails after `limit`.
pub(crate) async fn settled(server: &TestServer, admin: &str, limit: Duration) -> Value {
    let started = Instant::now();
    loop {
        let body = deliveries(server, admin).await;
        if body["counts"]["undispatched"] == 0 && body["counts"]["pending"] == 0 {
            return body;
        }
        assert!(
            started.elapsed() < limit,
            "deliveries still pending after {limit:?}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The deliveries once `ready` holds of them; fails after `limit`.
pub(crate) async fn wait_until(
    server: &TestServer,
    admin: &str,
    limit: Duration,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let body = deliveries(server, admin).await;
        if ready(&body) {
            return body;
        }
        assert!(
            started.elapsed() < limit,
            "not reached after {limit:?}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Nothing is in the outbox at all: no message waits, none was ever given to a channel.
fn assert_no_messages(body: &Value) {
    assert_eq!(
        body["counts"],
        json!({"undispatched": 0, "pending": 0, "delivered": 0, "skipped": 0, "dead": 0}),
        "{body}"
    );
}

/// Spool only, with retries fast enough for a test.
fn fast_spool() -> Value {
    json!({"retry": {"first_wait_ms": 200, "max_wait_ms": 400, "attempt_timeout_ms": 1000,
                     "lease_ms": 3000, "poll_interval_ms": 50}})
}

/// A tailor in Mirzapur with a phone, a bank with a loan that fits her, and the linkage the
/// meeting's suggestions made between them. Returns (tailor, linkage path).
pub(crate) async fn linkage(
    server: &TestServer,
    token: &str,
    phone: Option<&str>,
) -> (String, String) {
    let tailor = add(
        server,
        token,
        "/api/v1/stakeholders",
        &entrepreneur("Sunita Devi", "up-mirzapur", phone),
    )
    .await;
    add(
        server,
        token,
        &format!("/api/v1/stakeholders/{tailor}/needs"),
        &json!({"kind": "finance", "title": "Two sewing machines", "sector": "tailoring",
                "amount_inr": 45000}),
    )
    .await;
    let bank_id = add(
        server,
        token,
        "/api/v1/stakeholders?allow_duplicate=true",
        &bank("Union Bank, Chunar", "up-mirzapur"),
    )
    .await;
    add(
        server,
        token,
        &format!("/api/v1/stakeholders/{bank_id}/offerings"),
        &json!({"kind": "finance", "title": "Loan for women tailors", "sectors": ["tailoring"]}),
    )
    .await;
    let meeting = add(
        server,
        token,
        "/api/v1/meetings",
        &json!({"title": "Mirzapur coalition", "district": "up-mirzapur", "date": "2026-12-10",
                "invitees": []}),
    )
    .await;
    let (_, suggested) = server
        .get(
            &format!("/api/v1/meetings/{meeting}/suggestions"),
            Some(token),
        )
        .await;
    let id = suggested["linkages"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a linkage: {suggested}"));
    (tailor, format!("/api/v1/linkages/{id}"))
}

pub(crate) async fn move_to(server: &TestServer, token: &str, path: &str, status: &str) {
    let (code, reply) = server
        .patch(path, Some(token), &json!({"status": status}))
        .await;
    assert_eq!(code, StatusCode::OK, "{status}: {reply}");
}

#[tokio::test]
async fn the_provider_hears_of_a_proposal_and_the_entrepreneur_of_the_answer() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let admin = server.token("admin").await;
        let (_, path) = linkage(&server, &token, Some("098765-43210")).await;
        // A suggestion is the facilitator's working list: it tells nobody. Messages are written
        // with the change they announce, so none in the outbox now means none ever.
        assert_no_messages(&deliveries(&server, &admin).await);

        move_to(&server, &token, &path, "proposed").await;
        move_to(&server, &token, &path, "accepted").await;
        let done = settled(&server, &admin, Duration::from_secs(10)).await;
        assert_eq!(done["counts"]["delivered"], 2, "{}: {done}", backend.name());
        let messages = spooled(server.data_dir.path());
        assert_eq!(messages.len(), 2, "{}: {messages:?}", backend.name());
        let to_bank = &messages[0];
        assert_eq!(to_bank["to"], "+919415000000");
        assert_eq!(to_bank["topic"], "linkage.proposed");
        assert!(
            to_bank["text_en"]
                .as_str()
                .unwrap()
                .contains("Sunita Devi is proposed for “Loan for women tailors”"),
            "{to_bank}"
        );
        let to_tailor = &messages[1];
        assert_eq!(to_tailor["to"], "+919876543210");
        assert_eq!(to_tailor["topic"], "linkage.accepted");
        assert!(
            to_tailor["text_hi"]
                .as_str()
                .unwrap()
                .contains("Union Bank, Chunar ने “Loan for women tailors” के लिए आपकी ज़रूरत “Two sewing machines” स्वीकार कर ली है"),
            "{to_tailor}"
        );
        // Each message once: a move repeated (a retry) tells nobody again; it would have queued
        // a message in its own transaction.
        move_to(&server, &token, &path, "accepted").await;
        let after = deliveries(&server, &admin).await;
        assert_eq!(after["counts"], done["counts"], "{after}");
    }
}

#[tokio::test]
async fn a_message_that_cannot_be_written_is_sent_later_and_an_erased_person_gets_none() {
    for backend in backends() {
        let server = TestServer::start_notifying(&backend, &fast_spool()).await;
        let token = server.token("facilitator").await;
        let admin = server.token("admin").await;
        let (_, path) = linkage(&server, &token, Some("098765-43210")).await;
        // The spool cannot be written: its file's place is taken by a directory.
        let blocked = blocked_path(&server);
        std::fs::create_dir_all(&blocked).unwrap();
        move_to(&server, &token, &path, "proposed").await;
        let failing = wait_until(&server, &admin, Duration::from_secs(10), |body| {
            body["deliveries"][0]["attempts"].as_i64() >= Some(2)
        })
        .await;
        let delivery = &failing["deliveries"][0];
        assert_eq!(delivery["state"], "pending", "{failing}");
        assert!(
            delivery["last_error"]
                .as_str()
                .is_some_and(|e| e.contains("spool")),
            "{failing}"
        );
        assert!(spooled(server.data_dir.path()).is_empty());
        std::fs::remove_dir(&blocked).unwrap();
        let done = settled(&server, &admin, Duration::from_secs(10)).await;
        assert_eq!(done["counts"]["delivered"], 1, "{}: {done}", backend.name());
        let messages = spooled(server.data_dir.path());
        assert_eq!(
            messages.len(),
            1,
            "{}: sent after the failure",
            backend.name()
        );
        assert_eq!(messages[0]["topic"], "linkage.proposed");

        // An erased person: the message about her that was waiting is dropped with its
        // deliveries, so there is nothing left to send once the spool works again.
        let server = TestServer::start_notifying(&backend, &fast_spool()).await;
        let token = server.token("facilitator").await;
        let admin = server.token("admin").await;
        let (tailor, path) = linkage(&server, &token, Some("098765-43210")).await;
        std::fs::create_dir_all(blocked_path(&server)).unwrap();
        move_to(&server, &token, &path, "proposed").await;
        wait_until(&server, &admin, Duration::from_secs(10), |body| {
            body["deliveries"][0]["attempts"].as_i64() >= Some(1)
        })
        .await;
        let (status, _) = server
            .post(
                &format!("/api/v1/stakeholders/{tailor}/erase"),
                Some(&token),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_no_messages(&deliveries(&server, &admin).await);
        std::fs::remove_dir(blocked_path(&server)).unwrap();
        assert!(spooled(server.data_dir.path()).is_empty());
    }
}

/// Where the spool file goes; a directory there makes every write fail.
fn blocked_path(server: &TestServer) -> std::path::PathBuf {
    server.data_dir.path().join("outbox").join("messages.jsonl")
}

#[tokio::test]
async fn someone_without_a_phone_gets_nothing_and_the_other_party_still_does() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let admin = server.token("admin").await;
        let (_, path) = linkage(&server, &token, None).await;
        move_to(&server, &token, &path, "proposed").await;
        move_to(&server, &token, &path, "accepted").await;
        // The bank (with a phone) hears of the proposal; the tailor (none) cannot hear of the
        // answer, and that message is skipped, not retried.
        let done = settled(&server, &admin, Duration::from_secs(10)).await;
        assert_eq!(done["counts"]["delivered"], 1, "{done}");
        assert_eq!(done["counts"]["skipped"], 1, "{done}");
        let skipped = &done["deliveries"][1];
        assert_eq!(skipped["topic"], "linkage.accepted", "{done}");
        assert_eq!(skipped["last_error"], "no_phone", "{done}");
        assert_eq!(skipped["attempts"], 0, "{done}");
        let messages = spooled(server.data_dir.path());
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert_eq!(messages[0]["topic"], "linkage.proposed");
    }
}

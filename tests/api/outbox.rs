//! Messages through the outbox: a linkage's news reaches the people it concerns (in the spool
//! file a gateway reads), survives a failed write, and is never sent to or about an erased person.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestServer, backends, bank, entrepreneur};

async fn add(server: &TestServer, token: &str, path: &str, body: &Value) -> String {
    let (status, reply) = server.post(path, Some(token), body).await;
    assert_eq!(status, StatusCode::CREATED, "POST {path}: {reply}");
    reply["id"].as_str().unwrap().to_string()
}

fn spooled(data_dir: &Path) -> Vec<Value> {
    let path = data_dir.join("outbox").join("messages.jsonl");
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect()
}

/// The spooled messages once `count` of them are there (or `limit` has passed).
async fn wait_for_messages(server: &TestServer, count: usize, limit: Duration) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let messages = spooled(server.data_dir.path());
        if messages.len() >= count || started.elapsed() > limit {
            return messages;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A tailor in Mirzapur with a phone, a bank with a loan that fits her, and the linkage the
/// meeting's suggestions made between them. Returns (tailor, linkage path).
async fn linkage(server: &TestServer, token: &str, phone: Option<&str>) -> (String, String) {
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

async fn move_to(server: &TestServer, token: &str, path: &str, status: &str) {
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
        let (_, path) = linkage(&server, &token, Some("098765-43210")).await;
        // A suggestion is the facilitator's working list: it tells nobody.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(spooled(server.data_dir.path()).is_empty());

        move_to(&server, &token, &path, "proposed").await;
        move_to(&server, &token, &path, "accepted").await;
        let messages = wait_for_messages(&server, 2, Duration::from_secs(10)).await;
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
        // Each message once: a move repeated (a retry) tells nobody again.
        move_to(&server, &token, &path, "accepted").await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(spooled(server.data_dir.path()).len(), 2);
    }
}

#[tokio::test]
async fn a_message_that_cannot_be_written_is_sent_later_and_an_erased_person_gets_none() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let (_, path) = linkage(&server, &token, Some("098765-43210")).await;
        // The spool cannot be written: its file's place is taken by a directory.
        let blocked = blocked_path(&server);
        std::fs::create_dir_all(&blocked).unwrap();
        move_to(&server, &token, &path, "proposed").await;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        std::fs::remove_dir(&blocked).unwrap();
        // The first retry comes 10 s after the failure.
        let messages = wait_for_messages(&server, 1, Duration::from_secs(20)).await;
        assert_eq!(
            messages.len(),
            1,
            "{}: sent after the failure",
            backend.name()
        );
        assert_eq!(messages[0]["topic"], "linkage.proposed");

        // An erased person: the message about her that was waiting is dropped.
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let (tailor, path) = linkage(&server, &token, Some("098765-43210")).await;
        std::fs::create_dir_all(blocked_path(&server)).unwrap();
        move_to(&server, &token, &path, "proposed").await;
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let (status, _) = server
            .post(
                &format!("/api/v1/stakeholders/{tailor}/erase"),
                Some(&token),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        std::fs::remove_dir(blocked_path(&server)).unwrap();
        let messages = wait_for_messages(&server, 1, Duration::from_secs(15)).await;
        assert!(
            messages.is_empty(),
            "nothing about an erased person: {messages:?}"
        );
    }
}

/// Where the spool file goes; a directory there makes every write fail.
fn blocked_path(server: &TestServer) -> std::path::PathBuf {
    server.data_dir.path().join("outbox").join("messages.jsonl")
}

#[tokio::test]
async fn someone_without_a_phone_gets_nothing_and_the_other_party_still_does() {
    let server = TestServer::start(&crate::support::Backend::Sqlite).await;
    let token = server.token("facilitator").await;
    let (_, path) = linkage(&server, &token, None).await;
    move_to(&server, &token, &path, "proposed").await;
    move_to(&server, &token, &path, "accepted").await;
    // The bank (with a phone) hears of the proposal; the tailor (none) cannot hear of the answer.
    let messages = wait_for_messages(&server, 1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let messages_later = spooled(server.data_dir.path());
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages_later.len(), 1, "{messages_later:?}");
    assert_eq!(messages[0]["topic"], "linkage.proposed");
}

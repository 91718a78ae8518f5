//! Many people writing at once, as on a meeting day when several consultants enter data together:
//! no answer is a server error, every acknowledged write is there afterwards and search finds it
//! exactly once; two registrations with one phone at the same moment still see each other.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::{Barrier, Mutex};

use crate::support::{Backend, TestServer, add, backends, entrepreneur, mudra_loan};

const WRITERS: usize = 16;
const RUN_FOR: Duration = Duration::from_secs(20);

/// A word no other record shares (letters only, so every analyser keeps it whole).
fn unique_word(writer: usize, serial: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ba", "ko", "di", "mu", "re", "sa", "ti", "vo", "ga", "le", "pu", "ni", "ho", "ja", "we",
        "zy",
    ];
    let mut n = writer * 100_000 + serial;
    let mut word = String::from("q");
    for _ in 0..5 {
        word.push_str(SYLLABLES[n % 16]);
        n /= 16;
    }
    word
}

/// What one writer was told was stored, to check afterwards.
#[derive(Default)]
struct Acknowledged {
    /// Stakeholder id → the unique word in its name, while it is active.
    active_stakeholders: BTreeMap<String, String>,
    archived_stakeholders: Vec<String>,
    offerings: Vec<String>,
    needs: Vec<String>,
    registrations: Vec<String>,
}

#[derive(Default)]
struct Tally {
    /// Status code → how many answers had it, by operation.
    answers: BTreeMap<(&'static str, u16), usize>,
    server_errors: Vec<String>,
}

async fn record(tally: &Mutex<Tally>, operation: &'static str, status: StatusCode, body: &Value) {
    let mut tally = tally.lock().await;
    *tally
        .answers
        .entry((operation, status.as_u16()))
        .or_default() += 1;
    if status.is_server_error() {
        tally
            .server_errors
            .push(format!("{operation}: {status} {body}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_writers_for_twenty_seconds_get_no_server_error_and_lose_nothing() {
    for backend in backends() {
        sixteen_writers(&backend).await;
    }
}

async fn sixteen_writers(backend: &Backend) {
    let server = Arc::new(TestServer::start(backend).await);
    let token = Arc::new(server.token("facilitator").await);
    let name = backend.name();

    // A meeting to run suggestion rounds on while everything else changes.
    let meeting = add(
        &server,
        &token,
        "/api/v1/meetings",
        &json!({"title": "Mirzapur coalition", "district": "up-mirzapur", "date": "2027-01-15"}),
    )
    .await;

    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let (server, token, tally, meeting) = (
            server.clone(),
            token.clone(),
            tally.clone(),
            meeting.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(writer as u64);
            let mut mine = Acknowledged::default();
            let mut serial = 0;
            while started.elapsed() < RUN_FOR {
                serial += 1;
                let word = unique_word(writer, serial);
                let phone = format!("+91 9{:04}{:05}", writer, serial);
                let roll = rng.random_range(0..100);
                let some_active = mine.active_stakeholders.keys().cloned().collect::<Vec<_>>();
                let pick = (!some_active.is_empty())
                    .then(|| some_active[rng.random_range(0..some_active.len())].clone());
                match (roll, pick) {
                    (0..30, _) | (_, None) => {
                        let body =
                            entrepreneur(&format!("Sunita {word}"), "up-mirzapur", Some(&phone));
                        let (status, reply) =
                            server.post("/api/v1/stakeholders", Some(&token), &body).await;
                        record(&tally, "create stakeholder", status, &reply).await;
                        if status == StatusCode::CREATED {
                            let id = reply["id"].as_str().expect("id").to_string();
                            mine.active_stakeholders.insert(id, word);
                        }
                    }
                    (30..48, Some(id)) => {
                        let mut offering = mudra_loan();
                        offering["title"] = json!(format!("Loan {word}"));
                        offering["districts"] = json!(["up-mirzapur"]);
                        let path = format!("/api/v1/stakeholders/{id}/offerings");
                        let (status, reply) = server.post(&path, Some(&token), &offering).await;
                        record(&tally, "create offering", status, &reply).await;
                        if status == StatusCode::CREATED {
                            mine.offerings.push(reply["id"].as_str().expect("id").into());
                        }
                    }
                    (48..63, Some(id)) => {
                        let need = json!({"kind": "finance", "title": format!("Sewing machine {word}"),
                                          "sector": "tailoring", "amount_inr": 30000});
                        let path = format!("/api/v1/stakeholders/{id}/needs");
                        let (status, reply) = server.post(&path, Some(&token), &need).await;
                        record(&tally, "create need", status, &reply).await;
                        if status == StatusCode::CREATED {
                            mine.needs.push(reply["id"].as_str().expect("id").into());
                        }
                    }
                    (63..78, Some(id)) => {
                        let patch = json!({"description": format!("Now runs three machines {word}")});
                        let path = format!("/api/v1/stakeholders/{id}");
                        let (status, reply) = server.patch(&path, Some(&token), &patch).await;
                        record(&tally, "patch stakeholder", status, &reply).await;
                    }
                    (78..84, Some(id)) => {
                        let path = format!("/api/v1/stakeholders/{id}");
                        let (status, reply) = server.delete(&path, Some(&token)).await;
                        record(&tally, "archive stakeholder", status, &reply).await;
                        if status.is_success() {
                            mine.active_stakeholders.remove(&id);
                            mine.archived_stakeholders.push(id);
                        }
                    }
                    (84..92, _) => {
                        let mut body = entrepreneur(&format!("Rekha {word}"), "up-mirzapur", Some(&phone));
                        body["needs"] = json!([{"kind": "training", "title": "Silai training",
                                                "sector": "tailoring"}]);
                        body["consent"] = json!({"given": true, "notice_version": "2026-12", "language": "hi"});
                        let (status, reply) = server.post("/api/v1/registrations", None, &body).await;
                        record(&tally, "registration", status, &reply).await;
                        if status == StatusCode::CREATED {
                            mine.registrations.push(reply["id"].as_str().expect("id").into());
                        }
                    }
                    _ => {
                        let path = format!("/api/v1/meetings/{meeting}/suggestions");
                        let (status, reply) = server.get(&path, Some(&token)).await;
                        record(&tally, "suggestions round", status, &reply).await;
                    }
                }
            }
            mine
        }));
    }
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.push(writer.await.expect("writer task"));
    }

    let tally = tally.lock().await;
    eprintln!(
        "{name}: answers by operation and status: {:?}",
        tally.answers
    );
    assert!(
        tally.server_errors.is_empty(),
        "{name}: {} server errors, first ones: {:?}",
        tally.server_errors.len(),
        &tally.server_errors[..tally.server_errors.len().min(5)]
    );
    let created: usize = tally
        .answers
        .iter()
        .filter(|((_, status), _)| *status == 201)
        .map(|(_, count)| count)
        .sum();
    assert!(
        created > 200,
        "{name}: only {created} records created in {RUN_FOR:?}: writers were starved"
    );

    // Every acknowledged write is there.
    for mine in &acknowledged {
        for id in mine.active_stakeholders.keys().chain(&mine.registrations) {
            let (status, body) = server
                .get(&format!("/api/v1/stakeholders/{id}"), Some(&token))
                .await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{name}: stakeholder {id} lost: {body}"
            );
        }
        for id in &mine.archived_stakeholders {
            let (status, body) = server
                .get(&format!("/api/v1/stakeholders/{id}"), Some(&token))
                .await;
            assert_eq!(status, StatusCode::OK, "{name}: {id} lost: {body}");
            assert_eq!(
                body["status"], "archived",
                "{name}: {id} not archived: {body}"
            );
        }
        for id in &mine.offerings {
            let (status, body) = server
                .get(&format!("/api/v1/offerings/{id}"), Some(&token))
                .await;
            assert_eq!(status, StatusCode::OK, "{name}: offering {id} lost: {body}");
        }
        for id in &mine.needs {
            let (status, body) = server
                .get(&format!("/api/v1/needs/{id}"), Some(&token))
                .await;
            assert_eq!(status, StatusCode::OK, "{name}: need {id} lost: {body}");
        }
    }

    // Search finds every active stakeholder exactly once, by the word only its name holds.
    let deadline = Instant::now() + Duration::from_secs(30);
    for mine in &acknowledged {
        for (id, word) in &mine.active_stakeholders {
            loop {
                let (status, found) = server
                    .get(
                        &format!("/api/v1/search?q={word}&type=stakeholder&limit=50"),
                        Some(&token),
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{name}: {found}");
                let times = found["hits"]
                    .as_array()
                    .expect("hits")
                    .iter()
                    .filter(|hit| hit["id"] == id.as_str())
                    .count();
                assert!(times <= 1, "{name}: {id} found {times} times: {found}");
                if times == 1 {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "{name}: {id} ({word}) not found by search: {found}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registrations_with_one_phone_sent_at_the_same_moment_are_flagged_as_duplicates() {
    for backend in backends() {
        let server = Arc::new(TestServer::start(&backend).await);
        let name = backend.name();
        const PAIRS: usize = 8;
        let mut flagged_pairs = 0;
        for pair in 0..PAIRS {
            let phone = format!("+91 98765 {:05}", pair);
            let barrier = Arc::new(Barrier::new(2));
            let mut both = Vec::new();
            for person in 0..2 {
                let (server, barrier, phone) = (server.clone(), barrier.clone(), phone.clone());
                both.push(tokio::spawn(async move {
                    let mut body = entrepreneur(
                        &format!("Meena {}", unique_word(person, pair)),
                        "up-mirzapur",
                        Some(&phone),
                    );
                    body["consent"] =
                        json!({"given": true, "notice_version": "2026-12", "language": "hi"});
                    barrier.wait().await;
                    server.post("/api/v1/registrations", None, &body).await
                }));
            }
            let mut flags = Vec::new();
            for registration in both {
                let (status, reply) = registration.await.expect("task");
                assert_eq!(status, StatusCode::CREATED, "{name}: {reply}");
                flags.push(reply["possible_duplicate"] == true);
            }
            // The one stored second sees the first; the first saw nothing yet.
            assert_eq!(
                flags.iter().filter(|f| **f).count(),
                1,
                "{name}: pair {pair} with phone {phone}: flags {flags:?}"
            );
            flagged_pairs += 1;
        }
        assert_eq!(flagged_pairs, PAIRS);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_people_editing_different_fields_at_once_keep_both_edits() {
    const EDITS: usize = 25;
    for backend in backends() {
        let server = Arc::new(TestServer::start(&backend).await);
        let token = Arc::new(server.token("facilitator").await);
        let name = backend.name();
        let id = add(
            &server,
            &token,
            "/api/v1/stakeholders",
            &entrepreneur("Sunita Devi", "up-mirzapur", Some("9876500001")),
        )
        .await;
        let path = format!("/api/v1/stakeholders/{id}");

        // One person rewrites the description, the other the contact person, at the same time.
        let mut editors = Vec::new();
        for field in ["description", "name_local"] {
            let (server, token, path) = (server.clone(), token.clone(), path.clone());
            editors.push(tokio::spawn(async move {
                for edit in 1..=EDITS {
                    let patch = json!({ field: format!("{field} edit {edit}") });
                    let (status, body) = server.patch(&path, Some(&token), &patch).await;
                    assert_eq!(status, StatusCode::OK, "{field} edit {edit}: {body}");
                }
            }));
        }
        for editor in editors {
            editor.await.expect("editor");
        }
        let (status, record) = server.get(&path, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{name}: {record}");
        assert_eq!(
            record["description"],
            format!("description edit {EDITS}"),
            "{name}: an edit of the description was undone: {record}"
        );
        assert_eq!(
            record["name_local"],
            format!("name_local edit {EDITS}"),
            "{name}: an edit of the Hindi name was undone: {record}"
        );
        assert_eq!(record["version"], 1 + 2 * EDITS as i64, "{name}: {record}");
    }
}

#[tokio::test]
async fn an_edit_based_on_an_old_version_is_refused_naming_who_changed_it() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let facilitator = server.token("facilitator").await;
        let consultant = server.token("consultant").await;
        let name = backend.name();
        let (_, created) = server
            .post(
                "/api/v1/stakeholders",
                Some(&facilitator),
                &entrepreneur("Kamla Devi", "up-mirzapur", None),
            )
            .await;
        let path = format!("/api/v1/stakeholders/{}", created["id"].as_str().unwrap());
        let read = server
            .send(Method::GET, &path, Some(&facilitator), None)
            .await;
        let etag = read.headers()["etag"].to_str().unwrap().to_string();
        assert_eq!(etag, "\"v1\"", "{name}");

        // The consultant saves first, from the same version.
        let patched = server
            .client
            .patch(server.url(&path))
            .bearer_auth(&consultant)
            .header("if-match", &etag)
            .json(&json!({"description": "Bought a third machine"}))
            .send()
            .await
            .unwrap();
        assert_eq!(patched.headers()["etag"], "\"v2\"", "{name}");
        assert_eq!(patched.status(), StatusCode::OK, "{name}");

        // The facilitator's edit was based on v1: refused, and it says who and when.
        let stale = server
            .client
            .patch(server.url(&path))
            .bearer_auth(&facilitator)
            .header("if-match", &etag)
            .json(&json!({"description": "Needs a loan for a machine"}))
            .send()
            .await
            .unwrap();
        let (status, body) = crate::support::read(stale).await;
        assert_eq!(status, StatusCode::CONFLICT, "{name}: {body}");
        assert_eq!(
            body["error"]["details"]["changed_by"], "test consultant",
            "{name}: {body}"
        );
        assert_eq!(
            body["error"]["details"]["current_version"], 2,
            "{name}: {body}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("test consultant"),
            "{name}: {body}"
        );
        let (_, now) = server.get(&path, Some(&facilitator)).await;
        assert_eq!(
            now["description"], "Bought a third machine",
            "{name}: {now}"
        );
        assert_eq!(now["updated_by"], "test consultant", "{name}: {now}");

        // A tag that is not ours is a clear 400; a weak tag of the current version is fine, and
        // `*` means any version.
        for (tag, expected) in [
            ("v2", StatusCode::BAD_REQUEST),
            ("\"abc\"", StatusCode::BAD_REQUEST),
            ("W/\"v2\"", StatusCode::OK),
            ("*", StatusCode::OK),
        ] {
            let answer = server
                .client
                .patch(server.url(&path))
                .bearer_auth(&facilitator)
                .header("if-match", tag)
                .json(&json!({"description": format!("tag {tag}")}))
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), expected, "{name}: If-Match {tag}");
        }
    }
}

/// Two facilitators import files at the same moment, each with the same person (one phone):
/// one file is stored, the other is refused as a duplicate of it, never both.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_imports_at_once_with_one_person_do_not_both_store_her() {
    const ROUNDS: usize = 5;
    for backend in backends() {
        let server = Arc::new(TestServer::start(&backend).await);
        let token = Arc::new(server.token("facilitator").await);
        let name = backend.name();
        for round in 0..ROUNDS {
            let phone = format!("98111{:05}", round);
            let barrier = Arc::new(Barrier::new(2));
            let mut imports = Vec::new();
            for file in 0..2 {
                let (server, token, barrier, phone) = (
                    server.clone(),
                    token.clone(),
                    barrier.clone(),
                    phone.clone(),
                );
                imports.push(tokio::spawn(async move {
                    let csv = format!(
                        "kind,name,district,contact_phone,gender,age,sector\n\
                         micro_entrepreneur,Geeta {},up-mirzapur,{phone},female,35,tailoring\n",
                        unique_word(file, round)
                    );
                    barrier.wait().await;
                    let answer = server
                        .client
                        .post(server.url("/api/v1/import/stakeholders"))
                        .bearer_auth(token.as_str())
                        .header("content-type", "text/csv")
                        .body(csv)
                        .send()
                        .await
                        .expect("import");
                    crate::support::read(answer).await
                }));
            }
            let mut statuses = Vec::new();
            for import in imports {
                let (status, body) = import.await.expect("task");
                assert!(
                    status == StatusCode::CREATED || status == StatusCode::CONFLICT,
                    "{name}: {status} {body}"
                );
                statuses.push(status);
            }
            assert_eq!(
                statuses
                    .iter()
                    .filter(|s| **s == StatusCode::CREATED)
                    .count(),
                1,
                "{name}: round {round}: {statuses:?}"
            );
        }
        let (status, listed) = server
            .get("/api/v1/stakeholders?status=all&limit=100", Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(listed.as_array().unwrap().len(), ROUNDS, "{name}: {listed}");
    }
}

/// Kill -9 while sixteen clients write at once (on SQLite their writes share transactions and
/// commits): after a restart every write that was answered 201 is there, with what was sent.
/// Writes cut off without an answer may or may not be there; none may be half there.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kill_during_concurrent_writes_loses_no_acknowledged_write() {
    for backend in backends() {
        let mut server = TestServer::start(&backend).await;
        let name = backend.name();
        let token = server.token("facilitator").await;
        let bank = add(
            &server,
            &token,
            "/api/v1/stakeholders",
            &crate::support::bank("Aryavart Bank Chunar", "up-mirzapur"),
        )
        .await;

        // (path to read it back, unique word it carries) per acknowledged write.
        let (acknowledged_tx, mut acknowledged_rx) = tokio::sync::mpsc::unbounded_channel();
        let server_errors = Arc::new(Mutex::new(Vec::new()));
        let killed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut writers = Vec::new();
        for writer in 0..WRITERS {
            let (base, client, token, bank, acknowledged, server_errors, killed) = (
                server.base.clone(),
                server.client.clone(),
                token.clone(),
                bank.clone(),
                acknowledged_tx.clone(),
                server_errors.clone(),
                killed.clone(),
            );
            writers.push(tokio::spawn(async move {
                for serial in 0.. {
                    // A restarted server may listen where the killed one did.
                    if killed.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    let word = unique_word(writer, serial);
                    let (path, body) = if serial % 2 == 0 {
                        let phone = format!("+91 8{:04}{:05}", writer, serial);
                        let body =
                            entrepreneur(&format!("Rekha {word}"), "up-mirzapur", Some(&phone));
                        ("/api/v1/stakeholders".to_string(), body)
                    } else {
                        let mut offering = mudra_loan();
                        offering["title"] = json!(format!("Loan {word}"));
                        (format!("/api/v1/stakeholders/{bank}/offerings"), offering)
                    };
                    let sent = client
                        .post(format!("{base}{path}"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    let Ok(response) = sent else { break };
                    let status = response.status();
                    let Ok(reply) = response.json::<Value>().await else {
                        break;
                    };
                    if status == StatusCode::CREATED {
                        let id = reply["id"].as_str().expect("id").to_string();
                        let read_back = if serial % 2 == 0 {
                            format!("/api/v1/stakeholders/{id}")
                        } else {
                            format!("/api/v1/offerings/{id}")
                        };
                        let _ = acknowledged.send((read_back, word));
                    } else if status.is_server_error() {
                        server_errors
                            .lock()
                            .await
                            .push(format!("{path}: {status} {reply}"));
                    }
                }
            }));
        }
        drop(acknowledged_tx);

        // Let writes pile up, then kill the server in the middle of them.
        let mut acknowledged = Vec::new();
        while acknowledged.len() < 300 {
            acknowledged.push(
                acknowledged_rx
                    .recv()
                    .await
                    .expect("writes are acknowledged"),
            );
        }
        killed.store(true, std::sync::atomic::Ordering::SeqCst);
        server.kill_and_restart().await;
        for writer in writers {
            writer.await.expect("writer");
        }
        while let Ok(write) = acknowledged_rx.try_recv() {
            acknowledged.push(write);
        }
        assert!(
            server_errors.lock().await.is_empty(),
            "{name}: server errors before the kill: {:?}",
            server_errors.lock().await
        );

        let mut lost = Vec::new();
        for (path, word) in &acknowledged {
            let (status, body) = server.get(path, Some(&token)).await;
            let stored = body["name"].as_str().or(body["title"].as_str());
            if status != StatusCode::OK || !stored.is_some_and(|text| text.ends_with(word.as_str()))
            {
                lost.push(format!("{path}: {status} {body}"));
            }
        }
        assert!(
            lost.is_empty(),
            "{name}: {} of {} acknowledged writes lost after kill -9: {:?}",
            lost.len(),
            acknowledged.len(),
            &lost[..lost.len().min(5)]
        );
        // The restarted server still takes writes.
        add(
            &server,
            &token,
            "/api/v1/stakeholders",
            &entrepreneur("Rekha after restart", "up-mirzapur", None),
        )
        .await;
    }
}

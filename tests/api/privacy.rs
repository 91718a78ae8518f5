//! Personal data reaches nobody without a right to it (issue 15): every route read without a
//! token, erased text gone from the disk, names of invisible characters, one budget for public
//! writes, and clients too slow to finish a request.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{Backend, TestServer, add, backends, bank, entrepreneur, error_fields};

/// An entrepreneur with a need, a bank with an offering she is eligible for, a meeting, its
/// suggestions, and the first linkage proposed (which queues a message naming her).
struct Scene {
    person: String,
    bank: String,
    need: String,
    offering: String,
    meeting: String,
    linkage: String,
}

async fn scene(server: &TestServer, token: &str, name: &str, phone: &str) -> Scene {
    let mut person_body = entrepreneur(name, "up-mirzapur", Some(phone));
    person_body["contact"]["email"] = json!("zorawar.private@example.org");
    person_body["name_local"] = json!("ज़ोरावर क़ीमतलाल");
    let person = add(server, token, "/api/v1/stakeholders", &person_body).await;
    let need = add(
        server,
        token,
        &format!("/api/v1/stakeholders/{person}/needs"),
        &json!({"kind": "finance", "title": format!("{name} needs two sewing machines"),
                "sector": "tailoring", "amount_inr": 45000}),
    )
    .await;
    let bank = add(
        server,
        token,
        "/api/v1/stakeholders",
        &bank("Union Bank, Chunar", "up-mirzapur"),
    )
    .await;
    let offering = add(
        server,
        token,
        &format!("/api/v1/stakeholders/{bank}/offerings"),
        &json!({"kind": "finance", "title": "Loan for women tailors", "sectors": ["tailoring"],
                "eligibility": {"gender": "female", "min_age": 18, "max_age": 60,
                                "social_categories": ["SC", "ST"], "shg_member_required": true}}),
    )
    .await;
    let meeting = add(
        server,
        token,
        "/api/v1/meetings",
        &json!({"title": "Mirzapur coalition", "district": "up-mirzapur",
                "date": "2026-12-10", "invitees": [bank]}),
    )
    .await;
    let (status, suggested) = server
        .get(
            &format!("/api/v1/meetings/{meeting}/suggestions"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{suggested}");
    let linkage = suggested["linkages"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no linkage suggested: {suggested}"))
        .to_string();
    let reasons = suggested["linkages"][0]["reasons"].to_string();
    assert!(
        reasons.contains("age 31"),
        "the facilitator sees why: {reasons}"
    );
    let (status, moved) = server
        .patch(
            &format!("/api/v1/linkages/{linkage}"),
            Some(token),
            &json!({"status": "proposed", "note": format!("Called {name}")}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    Scene {
        person,
        bank,
        need,
        offering,
        meeting,
        linkage,
    }
}

/// What no anonymous answer may carry: the person's contacts and profile facts, alone or in a
/// linkage's reasons ("age 31 within 18–60", "open to female applicants").
const PERSONAL: &[&str] = &[
    "9876501234",
    "zorawar.private@example.org",
    "age 31",
    "female applicants",
    "category SC",
    "SHG member",
    "Called Zorawar",
];

/// Profile fields that describe a person rather than an enterprise.
const PERSONAL_PROFILE_FIELDS: &[&str] =
    &["gender", "age", "social_category", "shg_member", "block"];

fn assert_no_personal_profile(path: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if key == "profile" && inner.is_object() {
                    for field in PERSONAL_PROFILE_FIELDS {
                        assert!(
                            inner.get(*field).is_none_or(Value::is_null),
                            "{path}: profile.{field} shown without a token: {inner}"
                        );
                    }
                }
                if key == "consent" || key == "contact" && inner.is_object() {
                    assert!(
                        key != "consent",
                        "{path}: a consent record shown without a token"
                    );
                    for field in ["phone", "email", "person"] {
                        assert!(
                            inner.get(field).is_none_or(Value::is_null),
                            "{path}: contact.{field} shown without a token"
                        );
                    }
                }
                assert_no_personal_profile(path, inner);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| assert_no_personal_profile(path, item)),
        _ => {}
    }
}

/// Every GET route of the API document, read without a token, with the ids of a scene where a
/// person's profile decided a linkage: none of them shows her contacts or profile facts.
#[tokio::test]
async fn no_route_read_without_a_token_shows_contacts_or_profile_facts() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let facilitator = server.token("facilitator").await;
        let scene = scene(&server, &facilitator, "Zorawar Qimatlal", "9876501234").await;
        let (_, services) = server.get("/api/v1/hsds/services", None).await;
        let service = services["contents"][0]["id"]
            .as_str()
            .or_else(|| services[0]["id"].as_str())
            .unwrap_or("none")
            .to_string();
        let (_, document) = server.get("/api/v1/openapi.json", None).await;
        let mut read = 0;
        for (template, operations) in document["paths"].as_object().unwrap() {
            if operations.get("get").is_none() || template.ends_with("openapi.json") {
                continue;
            }
            let id = if template.starts_with("/api/v1/offerings") {
                &scene.offering
            } else if template.starts_with("/api/v1/needs") {
                &scene.need
            } else if template.starts_with("/api/v1/meetings") {
                &scene.meeting
            } else if template.starts_with("/api/v1/linkages") {
                &scene.linkage
            } else if template.starts_with("/api/v1/hsds") {
                &service
            } else {
                &scene.person
            };
            let mut paths = vec![
                template
                    .replace("{id}", id)
                    .replace("{code}", "up-mirzapur"),
            ];
            if template.starts_with("/api/v1/stakeholders/{id}") {
                paths.push(template.replace("{id}", &scene.bank));
            }
            for path in paths {
                let path = if path.contains("search") {
                    format!("{path}?q=Zorawar")
                } else {
                    path
                };
                let response = server.send(reqwest::Method::GET, &path, None, None).await;
                let status = response.status();
                let text = response.text().await.unwrap();
                for personal in PERSONAL {
                    assert!(
                        !text.contains(personal),
                        "{}: GET {path} ({status}) without a token shows `{personal}`: {text}",
                        backend.name()
                    );
                }
                if let Ok(value) = serde_json::from_str::<Value>(&text) {
                    assert_no_personal_profile(&path, &value);
                }
                read += 1;
            }
        }
        assert!(read >= 20, "only {read} routes read");

        // The linkage itself is public, without its reasons or note.
        let (status, linkage) = server
            .get(&format!("/api/v1/linkages/{}", scene.linkage), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(linkage["status"], "proposed");
        assert_eq!(linkage["reasons"], json!([]));
        // With a token, the facilitator still sees why.
        let (_, full) = server
            .get(
                &format!("/api/v1/linkages/{}", scene.linkage),
                Some(&facilitator),
            )
            .await;
        assert!(full["reasons"].to_string().contains("age 31"), "{full}");
    }
}

/// Every file under `dir` that holds `needle` (as bytes), with the offset of the first hit.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap().flatten() {
                pending.push(entry.path());
            }
        } else if let Ok(bytes) = std::fs::read(&path)
            && let Some(at) = bytes.windows(needle.len()).position(|w| w == needle)
        {
            found.push(format!("{} (byte {at})", path.display()));
        }
    }
    found
}

/// After an erasure the person's name is in no file of the data directory: not in the search
/// index's old segments, not in SQLite's database or write-ahead log, not in the SMS spool.
#[tokio::test]
async fn an_erased_name_is_gone_from_every_file_of_the_data_directory() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let facilitator = server.token("facilitator").await;
        let scene = scene(&server, &facilitator, "Zorawar Qimatlal", "9876501234").await;
        let needles: [&[u8]; 5] = [
            b"Zorawar",
            b"zorawar",
            b"Qimatlal",
            b"qimatlal",
            "ज़ोरावर".as_bytes(),
        ];
        // Before: searchable, and the provider's message naming her is spooled.
        let started = Instant::now();
        loop {
            let (_, found) = server.get("/api/v1/search?q=qimatlal", None).await;
            let spooled =
                !files_holding(&server.data_dir.path().join("outbox"), b"Zorawar").is_empty();
            if found["total"].as_u64() >= Some(1) && spooled {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{}: not indexed and spooled within 10 s: {found}",
                backend.name()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if matches!(backend, Backend::Sqlite) {
            assert!(
                !files_holding(server.data_dir.path(), b"Qimatlal").is_empty(),
                "the test must see the name on disk before the erasure"
            );
        }

        let (status, erased) = server
            .post(
                &format!("/api/v1/stakeholders/{}/erase", scene.person),
                Some(&facilitator),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{erased}");
        for needle in needles {
            let holding = files_holding(server.data_dir.path(), needle);
            assert!(
                holding.is_empty(),
                "{}: `{}` still on disk after the erasure in {holding:?}",
                backend.name(),
                String::from_utf8_lossy(needle)
            );
        }
        // The rest of the registry is untouched and still searchable.
        let (_, found) = server.get("/api/v1/search?q=women%20tailors", None).await;
        assert!(found["total"].as_u64() >= Some(1), "{found}");
        let (_, linkage) = server
            .get(
                &format!("/api/v1/linkages/{}", scene.linkage),
                Some(&facilitator),
            )
            .await;
        assert_eq!(linkage["status"], "proposed");
    }
}

/// On PostgreSQL the indexer reads the change log only up to the oldest transaction still
/// running, so an erasure committed while an older transaction is open is applied late. The
/// erased text must still leave the index files once it is applied: the purge waits for the
/// erasure itself, not for whatever the log showed when the erasure returned.
#[tokio::test]
async fn an_erasure_applied_late_behind_an_older_transaction_is_still_purged() {
    // backends() has said so (or failed under SANGAM_REQUIRE_ALL) if PostgreSQL is missing.
    let Some(backend) = backends()
        .into_iter()
        .find(|backend| matches!(backend, Backend::Postgres(_)))
    else {
        return;
    };
    let server = TestServer::start(&backend).await;
    let facilitator = server.token("facilitator").await;
    let scene = scene(&server, &facilitator, "Zorawar Qimatlal", "9876501234").await;
    let started = Instant::now();
    while server.get("/api/v1/search?q=qimatlal", None).await.1["total"].as_u64() < Some(1) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not indexed within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // An unrelated transaction that took its id before the erasure, still running.
    sqlx::any::install_default_drivers();
    let database = server.database_url.clone().expect("a PostgreSQL database");
    let mut older = <sqlx::AnyConnection as sqlx::Connection>::connect(&database)
        .await
        .expect("connect");
    sqlx::query("BEGIN")
        .execute(&mut older)
        .await
        .expect("begin");
    sqlx::query("SELECT pg_current_xact_id()::text")
        .execute(&mut older)
        .await
        .expect("take a transaction id");

    let erase = {
        let (server_url, token, person) = (
            server.base.clone(),
            facilitator.clone(),
            scene.person.clone(),
        );
        tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{server_url}/api/v1/stakeholders/{person}/erase"))
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .map(|response| response.status())
        })
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    sqlx::query("COMMIT")
        .execute(&mut older)
        .await
        .expect("commit");
    let status = erase.await.expect("join").expect("erase request");
    assert_eq!(status, StatusCode::OK);

    for needle in [&b"Qimatlal"[..], b"qimatlal", "ज़ोरावर".as_bytes()] {
        let holding = files_holding(server.data_dir.path(), needle);
        assert!(
            holding.is_empty(),
            "`{}` still in the index after an erasure applied late: {holding:?}",
            String::from_utf8_lossy(needle)
        );
    }
}

/// Names of zero-width characters alone are refused by field; bidi controls and zero-width
/// characters at the edges are dropped; ZWJ/ZWNJ inside a Hindi word are kept.
#[tokio::test]
async fn invisible_names_are_refused_and_hindi_joiners_kept() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        for (field, value) in [
            ("name", "\u{200b}\u{200b}\u{200b}"),
            ("name", "\u{202e}\u{2066}\u{feff}"),
            ("name_local", "\u{200d}\u{200c}"),
        ] {
            let mut body = entrepreneur("Sunita Devi", "up-mirzapur", None);
            body[field] = json!(value);
            let (status, reply) = server
                .post("/api/v1/stakeholders", Some(&token), &body)
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {value:?} → {reply}",
                backend.name()
            );
            assert!(
                error_fields(&reply, "validation_failed").contains_key(field),
                "{reply}"
            );
        }
        let (status, reply) = server
            .post(
                "/api/v1/stakeholders/st_none/needs",
                Some(&token),
                &json!({"kind": "finance", "title": "\u{200b}"}),
            )
            .await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::NOT_FOUND,
            "{reply}"
        );
        assert_eq!(server.stakeholder_count(&token).await, 0, "nothing stored");

        let mut body = entrepreneur(
            "\u{202e}\u{200b}Sunita Devi\u{200b}\u{202c}",
            "up-mirzapur",
            None,
        );
        // क्‍ष with a ZWJ and a ZWNJ inside Devanagari: how Hindi draws a half letter.
        body["name_local"] = json!("\u{200b}सुनीता क्\u{200d}षमा र्\u{200c}य\u{200b}");
        let (status, stored) = server
            .post("/api/v1/stakeholders", Some(&token), &body)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{stored}");
        assert_eq!(stored["name"], "Sunita Devi");
        assert_eq!(stored["name_local"], "सुनीता क्\u{200d}षमा र्\u{200c}य");
        let (_, again) = server
            .get(
                &format!("/api/v1/stakeholders/{}", stored["id"].as_str().unwrap()),
                Some(&token),
            )
            .await;
        assert_eq!(
            again["name_local"],
            stored["name_local"],
            "{}",
            backend.name()
        );
    }
}

/// The web form and the API spend one budget per address: using both doors does not double
/// the number of public writes.
#[tokio::test]
async fn the_form_and_the_api_share_one_budget_of_public_writes() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let consent = server.consent("hi").await;
    let mut accepted = 0;
    for n in 0..15 {
        let body = json!({"kind": "micro_entrepreneur", "name": format!("Budget {n}"),
                          "district": "up-mirzapur", "consent": consent});
        let (status, reply) = server.post("/api/v1/registrations", None, &body).await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        accepted += 1;
    }
    let mut limited = false;
    for _ in 0..30 {
        let response = server
            .client
            .post(server.url("/register"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=&district=")
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            // A person on a phone sees a page that says to wait, in Hindi and English.
            let page = response.text().await.unwrap();
            assert!(
                page.contains("id=\"too-many\"")
                    && page.contains("एक मिनट बाद फिर कोशिश करें")
                    && page.contains("Please try again in a minute"),
                "{page}"
            );
            limited = true;
            break;
        }
        accepted += 1;
    }
    assert!(limited, "the form was never limited");
    assert!(
        accepted <= 21,
        "{accepted} public writes from one address before a 429 (the budget is 20)"
    );
}

/// Reads what the server sends on `stream` until it closes, for at most `limit`; whether it
/// closed, and what it sent.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (bool, String) {
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(limit, stream.read_to_end(&mut answer))
        .await
        .is_ok();
    (closed, String::from_utf8_lossy(&answer).to_string())
}

async fn read_answer(stream: &mut TcpStream, limit: Duration) -> String {
    read_until_closed(stream, limit).await.1
}

fn address(server: &TestServer) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Headers that announce a large body, and a few bytes of it.
const STALLING: &[u8] = b"POST /api/v1/registrations HTTP/1.1\r\nHost: sangam\r\n\
    Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{\"kind\": \"micro";

/// A client that announces a large body and stalls is answered 408 in the contract's JSON
/// within the body time limit; 200 of them do not stop anyone else being served, and clients
/// that never finish their headers are cut off.
#[tokio::test]
async fn stalled_clients_get_a_json_408_and_do_not_stop_others() {
    let server = TestServer::start_with_args(
        &Backend::Sqlite,
        &["--body-timeout", "5", "--header-timeout", "5"],
    )
    .await;
    let mut stalled = Vec::new();
    for _ in 0..200 {
        let mut stream = TcpStream::connect(address(&server)).await.unwrap();
        stream.write_all(STALLING).await.unwrap();
        stalled.push(stream);
    }
    let mut half_headers = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(address(&server)).await.unwrap();
        stream
            .write_all(b"GET /api/v1/sectors HTTP/1.1\r\nHost: sang")
            .await
            .unwrap();
        half_headers.push(stream);
    }
    let started = Instant::now();
    for _ in 0..20 {
        let (status, sectors) = server.get("/api/v1/sectors", None).await;
        assert_eq!(status, StatusCode::OK, "{sectors}");
    }
    // Had the stalled clients held the server up, others would wait until their 5 s ran out.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "others waited {:?} while 220 clients stalled",
        started.elapsed()
    );
    let waited = Instant::now();
    for stream in &mut stalled {
        let answer = read_answer(stream, Duration::from_secs(10)).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
        let body: Value =
            serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {answer}"));
        error_fields(&body, "request_timeout");
    }
    assert!(
        waited.elapsed() < Duration::from_secs(9),
        "stalled clients held on for {:?}",
        waited.elapsed()
    );
    for stream in &mut half_headers {
        let (closed, answer) = read_until_closed(stream, Duration::from_secs(10)).await;
        assert!(closed, "a client without its headers was not cut off");
        assert!(
            !answer.contains("200 OK"),
            "a request without its headers was served: {answer}"
        );
    }
    assert!(
        waited.elapsed() < Duration::from_secs(11),
        "clients without headers held on for {:?}",
        waited.elapsed()
    );
    // The server is still well.
    let (status, _) = server.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
}

/// A request that is still going when the overall time limit is up is answered 408 in JSON,
/// even while its body keeps trickling in.
#[tokio::test]
async fn a_request_over_the_time_limit_gets_a_json_408() {
    let server = TestServer::start_with_args(
        &Backend::Sqlite,
        &["--request-timeout", "1", "--body-timeout", "30"],
    )
    .await;
    let mut stream = TcpStream::connect(address(&server)).await.unwrap();
    stream
        .write_all(
            b"POST /api/v1/registrations HTTP/1.1\r\nHost: sangam\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n",
        )
        .await
        .unwrap();
    let started = Instant::now();
    // A byte every 100 ms: never idle long, never done.
    let trickle = async {
        for _ in 0..40 {
            if stream.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    trickle.await;
    let answer = read_answer(&mut stream, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let body: Value =
        serde_json::from_str(&answer[answer.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    error_fields(&body, "request_timeout");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Every response, API and pages, errors included, carries the security headers.
#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = TestServer::start(&Backend::Sqlite).await;
    for (method, path) in [
        (reqwest::Method::GET, "/register"),
        (reqwest::Method::GET, "/register/thanks?ref=st_x"),
        (reqwest::Method::GET, "/api/v1/sectors"),
        (reqwest::Method::GET, "/api/v1/nowhere"),
        (reqwest::Method::POST, "/api/v1/stakeholders"),
        (reqwest::Method::GET, "/healthz"),
        (reqwest::Method::GET, "/api/v1/openapi.json"),
    ] {
        let response = server.send(method.clone(), path, None, None).await;
        let headers = response.headers();
        let policy = headers
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{method} {path}: no CSP"))
            .to_str()
            .unwrap();
        assert!(policy.contains("script-src 'none'"), "{path}: {policy}");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
    }
}

/// Several servers share one PostgreSQL database, each with its own search index: an erasure
/// made through one is purged from the other's index files too, by its indexer.
#[tokio::test]
async fn an_erasure_is_purged_from_every_servers_index() {
    let Some(backend) = backends()
        .into_iter()
        .find(|backend| matches!(backend, Backend::Postgres(_)))
    else {
        return;
    };
    let server = TestServer::start(&backend).await;
    let sibling = server.start_sibling().await;
    let facilitator = server.token("facilitator").await;
    let scene = scene(&server, &facilitator, "Zorawar Qimatlal", "9876501234").await;
    let started = Instant::now();
    loop {
        let (_, found) = sibling.get("/api/v1/search?q=qimatlal", None).await;
        if found["total"].as_u64() >= Some(1) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the sibling did not index: {found}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !files_holding(&sibling.data_dir.path().join("index"), b"Zorawar").is_empty(),
        "the sibling's index must hold the name before the erasure"
    );
    let (status, erased) = server
        .post(
            &format!("/api/v1/stakeholders/{}/erase", scene.person),
            Some(&facilitator),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{erased}");
    let started = Instant::now();
    loop {
        let holding = files_holding(sibling.data_dir.path(), b"Zorawar");
        if holding.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the sibling still holds the name after 10 s in {holding:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, found) = sibling.get("/api/v1/search?q=women%20tailors", None).await;
    assert!(found["total"].as_u64() >= Some(1), "{found}");
}

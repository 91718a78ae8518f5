//! Search over HTTP: freshness, crash safety, several servers on one PostgreSQL, visibility, and
//! that no query text can break it. Relevance on a fixed corpus is tested in `src/search`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Backend, TestServer, backends, bank, mudra_loan};

fn query(text: &str) -> String {
    let mut encoded = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

async fn search(server: &TestServer, params: &str, token: Option<&str>) -> Value {
    let (status, body) = server.get(&format!("/api/v1/search?{params}"), token).await;
    assert_eq!(status, StatusCode::OK, "search {params}: {body}");
    body
}

fn hit_ids(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// Polls until `id` is a hit for `q`, returning how long it took (None if not within `limit`).
async fn time_until_found(
    server: &TestServer,
    q: &str,
    id: &str,
    limit: Duration,
) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        let body = search(server, &format!("q={}&limit=50", query(q)), None).await;
        if hit_ids(&body).iter().any(|hit| hit == id) {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

async fn provider(server: &TestServer, token: &str, district: &str) -> String {
    let (status, body) = server
        .post(
            "/api/v1/stakeholders?allow_duplicate=true",
            Some(token),
            &bank("Prathama Bank", district),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn add_offering(
    server: &TestServer,
    token: &str,
    provider: &str,
    title: &str,
) -> Option<String> {
    let mut body = mudra_loan();
    body["title"] = json!(title);
    let response = server
        .client
        .post(server.url(&format!("/api/v1/stakeholders/{provider}/offerings")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .ok()?;
    if response.status() != StatusCode::CREATED {
        return None;
    }
    let body: Value = response.json().await.ok()?;
    body["id"].as_str().map(str::to_string)
}

#[tokio::test]
async fn an_acknowledged_write_is_searchable_within_a_second() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let provider = provider(&server, &token, "up-mirzapur").await;
        let id = add_offering(
            &server,
            &token,
            &provider,
            "Zardozi embroidery working capital",
        )
        .await
        .unwrap();
        let delay = time_until_found(&server, "zardozi", &id, Duration::from_secs(5)).await;
        assert!(
            delay.is_some_and(|d| d <= Duration::from_secs(1)),
            "{}: found after {delay:?}",
            backend.name()
        );

        let body = search(&server, "q=zardozi", None).await;
        let hit = &body["hits"][0];
        assert_eq!(hit["type"], "offering");
        assert_eq!(hit["kind"], "finance");
        assert_eq!(hit["stakeholder_id"], provider.as_str());
        assert_eq!(hit["districts"], json!(["up-mirzapur"]));
        assert!(hit["score"].as_f64().unwrap() > 0.0);
        assert!(hit["snippet"].is_string());
        assert_eq!(body["total"], 1);
        assert_eq!(body["facets"]["kind"]["finance"], 1);
        assert_eq!(body["facets"]["district"]["up-mirzapur"], 1);
        assert_eq!(body["facets"]["sector"]["tailoring"], 1);

        // An edit is seen too, and an archived offering leaves search.
        server
            .patch(
                &format!("/api/v1/offerings/{id}"),
                Some(&token),
                &json!({"title": "Chikankari embroidery loan"}),
            )
            .await;
        assert!(
            time_until_found(&server, "chikankari", &id, Duration::from_secs(2))
                .await
                .is_some()
        );
        server
            .delete(&format!("/api/v1/offerings/{id}"), Some(&token))
            .await;
        let started = Instant::now();
        loop {
            let body = search(&server, "q=chikankari", None).await;
            if body["total"] == 0 {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "archived offering still found: {body}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn pending_records_are_hidden_from_the_public_but_not_from_facilitators() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let token = server.token("facilitator").await;
    let (status, reply) = server
        .post(
            "/api/v1/registrations",
            None,
            &json!({"kind": "micro_entrepreneur", "name": "Lalita", "district": "br-gaya",
            "needs": [{"kind": "finance", "title": "Makhana processing loan", "amount_inr": 80000}],
            "consent": server.consent("en").await}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let need = reply["needs"][0].as_str().unwrap().to_string();
    let started = Instant::now();
    loop {
        let body = search(&server, "q=makhana&status=pending", Some(&token)).await;
        if hit_ids(&body).contains(&need) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "pending need not searchable by a facilitator: {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let public = search(&server, "q=makhana", None).await;
    assert_eq!(
        public["total"], 0,
        "pending records are not public: {public}"
    );
    let (status, _) = server
        .get("/api/v1/search?q=makhana&status=pending", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn no_query_text_breaks_search() {
    let server = TestServer::start_demo(&Backend::Sqlite).await;
    for text in [
        "\"unbalanced AND (",
        "title:loan OR",
        "*",
        "~~~ ^2",
        "NOT",
        "",
        "   ",
        "\u{094D}\u{093C}",
        "loan)))",
        "a\\b",
        &"सिलाई ".repeat(400),
    ] {
        let (status, body) = server
            .get(&format!("/api/v1/search?q={}", query(text)), None)
            .await;
        assert_eq!(status, StatusCode::OK, "q={text:?}: {body}");
        assert!(body["hits"].is_array() && body["total"].is_u64(), "{body}");
    }
    for params in [
        "q=loan&limit=abc",
        "q=loan&limit=0",
        "q=loan&type=animal",
        "q=loan&offset=-3",
    ] {
        let (status, body) = server.get(&format!("/api/v1/search?{params}"), None).await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{params}: {status} {body}"
        );
        assert!(body["error"]["code"].is_string());
    }
}

#[tokio::test]
async fn filters_and_facets_agree() {
    let server = TestServer::start_demo(&Backend::Sqlite).await;
    let all = search(&server, "q=loan&limit=100", None).await;
    let by_kind: BTreeMap<String, u64> = all["facets"]["kind"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    assert!(!by_kind.is_empty(), "{all}");
    assert_eq!(
        by_kind.values().sum::<u64>(),
        all["total"].as_u64().unwrap(),
        "kind facet counts add up to the total"
    );
    let gaya = search(&server, "q=loan&district=br-gaya&limit=100", None).await;
    assert!(gaya["total"].as_u64().unwrap() > 0);
    assert_eq!(
        gaya["total"], all["facets"]["district"]["br-gaya"],
        "district filter = district facet"
    );
    for hit in gaya["hits"].as_array().unwrap() {
        assert!(
            hit["districts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d == "br-gaya"),
            "{hit}"
        );
    }
    let offerings = search(&server, "q=loan&type=offering&kind=finance&limit=100", None).await;
    assert!(
        offerings["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["type"] == "offering" && h["kind"] == "finance")
    );
    let page = search(&server, "q=loan&limit=2&offset=2", None).await;
    assert_eq!(
        hit_ids(&page),
        hit_ids(&all)[2..4].to_vec(),
        "pages are slices of one ranking"
    );
}

/// Kill -9 while writes stream in: after a restart every acknowledged write is found, and
/// nothing is found twice.
#[tokio::test]
async fn a_kill_during_a_stream_of_writes_loses_nothing_and_doubles_nothing() {
    for backend in backends() {
        let mut server = TestServer::start(&backend).await;
        let token = server.token("consultant").await;
        let provider = provider(&server, &token, "br-gaya").await;

        let (acknowledged_tx, mut acknowledged_rx) = tokio::sync::mpsc::unbounded_channel();
        let writer = {
            let (base, client, token, provider) = (
                server.base.clone(),
                server.client.clone(),
                token.clone(),
                provider.clone(),
            );
            tokio::spawn(async move {
                for n in 0..400 {
                    let mut body = mudra_loan();
                    body["title"] = json!(format!("Streamtest goat loan {n}"));
                    let sent = client
                        .post(format!("{base}/api/v1/stakeholders/{provider}/offerings"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    match sent {
                        Ok(response) if response.status() == StatusCode::CREATED => {
                            let body: Value = response.json().await.unwrap();
                            let _ = acknowledged_tx.send(body["id"].as_str().unwrap().to_string());
                        }
                        _ => break,
                    }
                }
            })
        };
        // Let some writes land, then kill the server mid-stream.
        let mut acknowledged = BTreeSet::new();
        while acknowledged.len() < 25 {
            acknowledged.insert(
                acknowledged_rx
                    .recv()
                    .await
                    .expect("writes are acknowledged"),
            );
        }
        server.kill_and_restart().await;
        let _ = writer.await;
        while let Ok(id) = acknowledged_rx.try_recv() {
            acknowledged.insert(id);
        }

        let started = Instant::now();
        loop {
            let body = search(&server, "q=streamtest&limit=500", Some(&token)).await;
            let ids = hit_ids(&body);
            let distinct: BTreeSet<String> = ids.iter().cloned().collect();
            assert_eq!(
                distinct.len(),
                ids.len(),
                "{}: a write is indexed twice",
                backend.name()
            );
            assert_eq!(
                body["total"].as_u64().unwrap() as usize,
                ids.len(),
                "total counts each record once"
            );
            if acknowledged.is_subset(&distinct) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{}: {} acknowledged writes missing after restart",
                backend.name(),
                acknowledged.difference(&distinct).count()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Several `sangam serve` processes on one PostgreSQL database, each with its own index, written
/// to concurrently: every process finds every record.
#[tokio::test]
async fn several_servers_on_one_postgres_database_each_index_every_change() {
    let Some(backend) = backends()
        .into_iter()
        .find(|b| matches!(b, Backend::Postgres(_)))
    else {
        eprintln!(
            "SKIPPED several_servers_on_one_postgres_database_each_index_every_change: SANGAM_TEST_POSTGRES_URL is not set"
        );
        return;
    };
    let first = TestServer::start(&backend).await;
    let second = first.start_sibling().await;
    let token = first.token("facilitator").await;
    let provider = provider(&first, &token, "up-bhadohi").await;

    let mut writers = Vec::new();
    for (w, server) in [&first, &second, &first, &second].into_iter().enumerate() {
        let (base, client, token, provider) = (
            server.base.clone(),
            server.client.clone(),
            token.clone(),
            provider.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for n in 0..25 {
                let mut body = mudra_loan();
                body["title"] = json!(format!("Concurrenttest carpet loan {w} {n}"));
                let response = client
                    .post(format!("{base}/api/v1/stakeholders/{provider}/offerings"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::CREATED);
                ids.push(
                    response.json::<Value>().await.unwrap()["id"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                );
            }
            ids
        }));
    }
    let mut written = BTreeSet::new();
    for writer in writers {
        written.extend(writer.await.unwrap());
    }
    assert_eq!(written.len(), 100);
    for server in [&first, &second] {
        let started = Instant::now();
        loop {
            let found: BTreeSet<String> =
                hit_ids(&search(server, "q=concurrenttest&limit=500", None).await)
                    .into_iter()
                    .collect();
            if found == written {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{} of 100 missing on {}",
                written.difference(&found).count(),
                server.base
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// `sangam reindex` rebuilds with progress and `sangam search` prints what the API would find,
/// also while a server holds the index.
#[tokio::test]
async fn reindex_and_search_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut command = tokio::process::Command::new(crate::support::BINARY);
        command
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .env_remove("DATABASE_URL");
        command.output()
    };
    assert!(run(&["seed", "--demo"]).await.unwrap().status.success());
    let output = run(&["reindex"]).await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("search index rebuilt"), "{stdout}");
    // The command waits for the rebuild's background merge: it leaves one segment behind.
    let meta = std::fs::read_to_string(dir.path().join("index").join("meta.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    assert_eq!(meta["segments"].as_array().map(Vec::len), Some(1), "{meta}");
    let output = run(&["search", "kaleen"]).await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_lowercase();
    assert!(output.status.success());
    assert!(
        stdout.contains("carpet") || stdout.contains("कालीन"),
        "kaleen finds carpets: {stdout}"
    );
}

/// A registry where one word is in more records than search counts exactly: the total and the
/// facets stop at 10,000 and say so, while the page still holds the best record, found after
/// the first 10,000 matches; a narrower query is counted exactly.
#[tokio::test]
async fn totals_and_facets_are_exact_up_to_ten_thousand_matches_and_say_when_not() {
    const HEADER: &str = "kind,name,name_local,district,contact_phone,gender,age,sector,block";
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("many.csv");
        let mut rows = vec![HEADER.to_string()];
        for i in 0..10_050 {
            // Every thirtieth group also makes pickles: 335 records, counted exactly.
            let trade = if i % 30 == 0 { " Achar" } else { "" };
            let district = if i % 2 == 0 { "up-mirzapur" } else { "br-gaya" };
            rows.push(format!(
                "shg,Sakhi Mahila Samooh Number {i}{trade},,{district},,,,tailoring,"
            ));
        }
        // Imported last, so found after the first 10,000 matches: only the word itself.
        rows.push("shg,Sakhi,,up-mirzapur,,,,tailoring,".to_string());
        std::fs::write(&file, rows.join("\n")).unwrap();
        let output = server
            .cli(&[
                "import",
                "stakeholders",
                file.to_str().unwrap(),
                "--allow-duplicate",
            ])
            .await;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );

        let started = Instant::now();
        let broad = loop {
            let body = search(&server, "q=sakhi&limit=5", None).await;
            if body["total_is_exact"] == false || started.elapsed() > Duration::from_secs(120) {
                break body;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(
            broad["total"],
            10_000,
            "{}: {}",
            backend.name(),
            broad["total"]
        );
        assert_eq!(broad["total_is_exact"], false);
        assert_eq!(broad["facets_are_exact"], false);
        let districts = broad["facets"]["district"].as_object().unwrap();
        let counted: u64 = districts.values().map(|n| n.as_u64().unwrap()).sum();
        assert_eq!(
            counted, 10_000,
            "facets count the same matches: {districts:?}"
        );
        assert_eq!(
            broad["hits"][0]["title"], "Sakhi",
            "the best record makes the page though it was not counted: {}",
            broad["hits"]
        );
        assert_eq!(hit_ids(&broad).len(), 5);

        let narrow = search(&server, "q=sakhi%20achar", None).await;
        assert_eq!(narrow["total"], 335, "{}", narrow["total"]);
        assert_eq!(narrow["total_is_exact"], true);
        assert_eq!(narrow["facets_are_exact"], true);
        assert_eq!(narrow["facets"]["district"]["up-mirzapur"], 335);

        let filtered = search(&server, "q=sakhi&district=br-gaya&limit=1", None).await;
        assert_eq!(filtered["total"], 5_025, "{}", filtered["total"]);
        assert_eq!(filtered["total_is_exact"], true);
    }
}

/// The API's snippet is HTML: the matched words, in any script, in `<b>…</b>`, and whatever a
/// record says (`<script>` included) escaped around them.
#[tokio::test]
async fn snippets_mark_what_matched_and_escape_the_rest() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let token = server.token("facilitator").await;
    let bank_id = provider(&server, &token, "up-mirzapur").await;
    let mut body = mudra_loan();
    body["title"] = json!("सिलाई मशीन ऋण");
    body["description"] = json!("<script>alert(1)</script> Loan for a silai machine & thread");
    let id = crate::support::add(
        &server,
        &token,
        &format!("/api/v1/stakeholders/{bank_id}/offerings"),
        &body,
    )
    .await;
    assert!(
        time_until_found(&server, "silai", &id, Duration::from_secs(5))
            .await
            .is_some()
    );
    let found = search(&server, "q=silai", None).await;
    let hit = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == id.as_str())
        .unwrap();
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(snippet.contains("<b>silai</b>"), "{snippet}");
    assert!(
        snippet.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && snippet.contains("&amp;"),
        "{snippet}"
    );
    assert!(!snippet.contains("<script>"), "{snippet}");
}

//! Hindi as people type it, over the real index: inflected plurals and verb forms, the Hindi
//! words for loan, selling and buying, and romanized Hindi, finding records written in another
//! script or another form.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestServer, add, backends};

fn encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// Offering ids found for `q`, best first, and the query words search had to leave out.
async fn search(server: &TestServer, q: &str) -> (Vec<String>, Vec<String>) {
    let (status, body) = server
        .get(
            &format!("/api/v1/search?type=offering&limit=20&q={}", encoded(q)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let ids = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    (ids, strings(&body["left_out"]))
}

async fn offerings_for(server: &TestServer, q: &str) -> Vec<String> {
    search(server, q).await.0
}

struct Corpus {
    loan: String,
    market: String,
    goat_course: String,
}

/// A bank's loan, a buyer's market offering and a goat-rearing course in Mirzapur, written as
/// providers write them (English titles, some Hindi in the descriptions).
async fn corpus(server: &TestServer, token: &str) -> Corpus {
    let bank = add(
        server,
        token,
        "/api/v1/stakeholders",
        &json!({"kind": "bank", "name": "Aryavart Bank, Chunar", "district": "up-mirzapur"}),
    )
    .await;
    let loan = add(
        server,
        token,
        &format!("/api/v1/stakeholders/{bank}/offerings"),
        &json!({"kind": "finance", "title": "Enterprise loan for women tailors",
                "description": "Collateral-free, up to ₹50,000, for sewing machines.",
                "sectors": ["tailoring"]}),
    )
    .await;
    let buyer = add(
        server,
        token,
        "/api/v1/stakeholders",
        &json!({"kind": "buyer", "name": "Vindhya Handicraft Traders", "district": "up-mirzapur"}),
    )
    .await;
    let market = add(
        server,
        token,
        &format!("/api/v1/stakeholders/{buyer}/offerings"),
        &json!({"kind": "market", "title": "Buy-back of durries and handloom",
                "description": "Regular orders at fixed prices; payment in 15 days.",
                "sectors": ["handloom"]}),
    )
    .await;
    let rseti = add(
        server,
        token,
        "/api/v1/stakeholders",
        &json!({"kind": "rseti", "name": "RSETI Mirzapur", "district": "up-mirzapur"}),
    )
    .await;
    let goat_course = add(
        server,
        token,
        &format!("/api/v1/stakeholders/{rseti}/offerings"),
        &json!({"kind": "training", "title": "बकरी पालन प्रशिक्षण",
                "description": "10 दिन का आवासीय कोर्स, महिलाओं के लिए",
                "sectors": ["goat_rearing"]}),
    )
    .await;
    Corpus {
        loan,
        market,
        goat_course,
    }
}

/// Waits until the last record written is searchable (writes show within a second).
async fn indexed(server: &TestServer, q: &str, id: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        if offerings_for(server, q).await.iter().any(|hit| hit == id) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{id} never became searchable as {q}");
}

#[tokio::test]
async fn hindi_questions_with_inflections_find_the_loan_and_the_market() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let corpus = corpus(&server, &token).await;
        indexed(&server, "बकरी", &corpus.goat_course).await;

        let (loan, market, course) = (&corpus.loan, &corpus.market, &corpus.goat_course);
        // (query, the offering it must find first, the words that must have been matched:
        // search leaves out words no record has, so a hit alone would prove little).
        let cases = [
            // An inflected plural and the Hindi words for loan, in both nukta spellings.
            ("महिलाओं को ऋण", loan, &["महिलाओं", "ऋण"][..]),
            ("महिलाओं के लिए क़र्ज़", loan, &["महिलाओं", "क़र्ज़"]),
            ("सिलाई मशीनों के लिए कर्ज़", loan, &["सिलाई", "कर्ज़"]),
            ("ऋणों की जानकारी", loan, &["ऋणों"]),
            ("लोन", loan, &["लोन"]),
            // Romanized, with a Hindi plural ending.
            ("mahilaon ke liye karza", loan, &["mahilaon", "karza"]),
            // How to sell a product: the buyer's market offering, not the loan.
            ("अपना सामान कैसे बेचें?", market, &["बेचें"]),
            ("माल बेचने के लिए", market, &["बेचने"]),
            ("durrie bechna hai", market, &["bechna"]),
            // A plural in the record meets the plain form in the query, and the English words.
            ("महिला", course, &["महिला"]),
            (
                "bakriyon ka prashikshan",
                course,
                &["bakriyon", "prashikshan"],
            ),
            (
                "goat rearing training for women",
                course,
                &["goat", "training", "women"],
            ),
        ];
        let mut wrong = Vec::new();
        for (q, want, matched) in cases {
            let (found, left_out) = search(&server, q).await;
            if found.first() != Some(want) {
                wrong.push(format!("“{q}” found {found:?}, wanted {want} first"));
            }
            for word in matched {
                if left_out.iter().any(|w| w == word) {
                    wrong.push(format!("“{q}”: “{word}” matched nothing (left out)"));
                }
            }
        }
        assert!(wrong.is_empty(), "{}: {wrong:#?}", backend.name());

        // Words that only look alike do not meet: goats find neither the loan nor the market.
        let goats = offerings_for(&server, "बकरियों").await;
        assert_eq!(
            goats,
            std::slice::from_ref(&corpus.goat_course),
            "{goats:?}"
        );
    }
}

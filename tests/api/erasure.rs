//! Erasing a person's personal data on their request: what is gone, what stays, who may do it.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestServer, add, backends, bank, entrepreneur};

/// How many search hits `q` has now, polling until it is `expected` (or 5 s have passed).
async fn hits_become(server: &TestServer, q: &str, expected: u64) -> u64 {
    let started = Instant::now();
    loop {
        let (status, body) = server.get(&format!("/api/v1/search?q={q}"), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let total = body["total"].as_u64().unwrap();
        if total == expected || started.elapsed() > Duration::from_secs(5) {
            return total;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn erasure_removes_the_persons_data_and_keeps_the_counts() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let facilitator = server.token("facilitator").await;
        let consultant = server.token("consultant").await;
        let sunita = add(
            &server,
            &facilitator,
            "/api/v1/stakeholders",
            &entrepreneur("Sunita Kharwar", "up-mirzapur", Some("098765-43210")),
        )
        .await;
        let need = add(
            &server,
            &facilitator,
            &format!("/api/v1/stakeholders/{sunita}/needs"),
            &json!({"kind": "finance", "title": "Kharwar tailoring unit needs two sewing machines",
                    "sector": "tailoring", "amount_inr": 45000}),
        )
        .await;
        let bank_id = add(
            &server,
            &facilitator,
            "/api/v1/stakeholders",
            &bank("Union Bank, Chunar", "up-mirzapur"),
        )
        .await;
        add(
            &server,
            &facilitator,
            &format!("/api/v1/stakeholders/{bank_id}/offerings"),
            &json!({"kind": "finance", "title": "Loan for women tailors", "sectors": ["tailoring"],
                    "eligibility": {"gender": "female", "min_age": 18, "max_age": 60}}),
        )
        .await;
        let meeting = add(
            &server,
            &facilitator,
            "/api/v1/meetings",
            &json!({"title": "Mirzapur coalition", "district": "up-mirzapur",
                    "date": "2026-12-10", "invitees": [bank_id]}),
        )
        .await;
        let (_, suggested) = server
            .get(
                &format!("/api/v1/meetings/{meeting}/suggestions"),
                Some(&facilitator),
            )
            .await;
        let linkage = suggested["linkages"][0]["id"].as_str().unwrap().to_string();
        let linkage_path = format!("/api/v1/linkages/{linkage}");
        let (status, _) = server
            .patch(
                &linkage_path,
                Some(&facilitator),
                &json!({"status": "proposed", "note": "Called Sunita Kharwar on 98765 43210"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(hits_become(&server, "kharwar", 2).await, 2, "found before");

        let erase = format!("/api/v1/stakeholders/{sunita}/erase");
        let (status, _) = server.post(&erase, Some(&consultant), &json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "consultants may not erase");
        let (status, _) = server.post(&erase, None, &json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, erased) = server.post(&erase, Some(&facilitator), &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{}: {erased}", backend.name());

        let (_, record) = server
            .get(
                &format!("/api/v1/stakeholders/{sunita}"),
                Some(&facilitator),
            )
            .await;
        let text = record.to_string();
        for personal in [
            "Sunita",
            "Kharwar",
            "सुनीता",
            "+919876543210",
            "sunita@example.org",
        ] {
            assert!(
                !text.contains(personal),
                "{personal} is still there: {record}"
            );
        }
        assert_eq!(record["name"], "(erased)");
        assert_eq!(record["status"], "archived");
        assert!(record["profile"].is_null(), "{record}");
        let (_, erased_need) = server
            .get(&format!("/api/v1/needs/{need}"), Some(&facilitator))
            .await;
        assert_eq!(erased_need["title"], "(erased)");
        assert_eq!(erased_need["status"], "archived");
        let (_, moved) = server.get(&linkage_path, Some(&facilitator)).await;
        let text = moved.to_string();
        assert!(
            !text.contains("Kharwar") && !text.contains("age 31"),
            "the linkage's note, history and reasons are cleared: {moved}"
        );
        assert_eq!(moved["status"], "proposed", "what happened stays: {moved}");

        // The search index rewrites her documents: her name no longer finds anything.
        assert_eq!(hits_become(&server, "kharwar", 0).await, 0, "found after");
        // Her phone is free: someone registering with it is not taken for her.
        let (status, reply) = server
            .post(
                "/api/v1/stakeholders",
                Some(&facilitator),
                &entrepreneur("Rekha Devi", "up-mirzapur", Some("9876543210")),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        // The bank's record still counts the linkage.
        let (_, counts) = server
            .get(&format!("/api/v1/stakeholders/{bank_id}/record"), None)
            .await;
        assert_eq!(counts["linkages"]["as_provider"]["proposed"], 1, "{counts}");

        let (status, _) = server.post(&erase, Some(&facilitator), &json!({})).await;
        assert_eq!(status, StatusCode::OK, "erasing again is harmless");
        let (status, _) = server
            .post(
                "/api/v1/stakeholders/st_nobody/erase",
                Some(&facilitator),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

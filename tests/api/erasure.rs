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

/// A person registered twice: a moderator merged the second registration into the first, and
/// rejected a third with a reason that names her. Erasing her record erases the merged
/// duplicate too (it holds the same name and phone), and erasing the rejected one blanks the
/// reason in the audit log; the audit entries themselves (who decided what, when) stay.
#[tokio::test]
async fn erasure_reaches_a_merged_duplicate_and_the_reasons_written_about_the_person() {
    use crate::accounts::{ADMIN_PASSWORD, Browser, create_admin};
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let facilitator = server.token_for("facilitator", &["up-mirzapur"]).await;
        let admin = server.token("admin").await;
        let mut ids = Vec::new();
        for phone in ["+91 98390 41111", "98390 41111", "98390 42222"] {
            let mut body = entrepreneur("Geeta Kharwar", "up-mirzapur", Some(phone));
            body["consent"] = server.consent("hi").await;
            let (status, registered) = server.post("/api/v1/registrations", None, &body).await;
            assert_eq!(status, StatusCode::CREATED, "{registered}");
            ids.push(registered["id"].as_str().unwrap().to_string());
        }
        let (first, duplicate, rejected) = (&ids[0], &ids[1], &ids[2]);
        let decide = |path: String, body: serde_json::Value| {
            let (server, token) = (&server, &facilitator);
            async move {
                let (status, reply) = server.post(&path, Some(token), &body).await;
                assert_eq!(status, StatusCode::OK, "{path}: {reply}");
            }
        };
        decide(format!("/api/v1/registrations/{first}/approve"), json!({})).await;
        decide(
            format!("/api/v1/registrations/{duplicate}/merge"),
            json!({"into": first}),
        )
        .await;
        decide(
            format!("/api/v1/registrations/{rejected}/reject"),
            json!({"reason": "Geeta Kharwar of Chunar registered a third time"}),
        )
        .await;

        for id in [first, rejected] {
            let (status, body) = server
                .post(
                    &format!("/api/v1/stakeholders/{id}/erase"),
                    Some(&facilitator),
                    &json!({}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let (status, merged) = server
            .get(&format!("/api/v1/stakeholders/{duplicate}"), Some(&admin))
            .await;
        assert_eq!(status, StatusCode::OK, "{merged}");
        assert_eq!(merged["name"], "(erased)", "{merged}");
        assert!(
            !merged.to_string().contains("41111") && !merged.to_string().contains("Kharwar"),
            "the merged duplicate still holds her data: {merged}"
        );

        create_admin(&server).await;
        let mut browser = Browser::new();
        let (status, _) = browser
            .sign_in(&server, "asha@example.org", ADMIN_PASSWORD)
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, audit) = browser.page(&server, "/admin/audit?lang=en").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(audit.matches("registration_rejected").count(), 1, "{audit}");
        assert_eq!(audit.matches("registration_merged").count(), 1, "{audit}");
        assert!(
            !audit.contains("Kharwar"),
            "the rejection's reason still names her: {audit}"
        );
    }
}

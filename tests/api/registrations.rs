//! Public self-registration: pending until approved, duplicates flagged not doubled.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Backend, TestServer, backends, entrepreneur, error_fields};

fn registration(name: &str, phone: &str) -> serde_json::Value {
    json!({
        "kind": "micro_entrepreneur", "name": name, "name_local": "रीना देवी", "district": "up-mirzapur",
        "contact": {"phone": phone},
        "profile": {"gender": "female", "age": 27, "sector": "tailoring", "stage": "idea", "block": "Kone"},
        "needs": [
            {"kind": "training", "title": "सिलाई प्रशिक्षण", "sector": "tailoring"},
            {"kind": "finance", "title": "silai machine ke liye loan", "sector": "tailoring", "amount_inr": 25000}
        ]
    })
}

#[tokio::test]
async fn anyone_can_register_and_the_record_waits_for_a_facilitator() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let facilitator = server.token("facilitator").await;
        let consultant = server.token("consultant").await;

        let (status, reply) = server
            .post(
                "/api/v1/registrations",
                None,
                &registration("Reena Devi", "9123456789"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{}: {reply}", backend.name());
        assert_eq!(reply["status"], "pending");
        assert_eq!(reply["needs"].as_array().unwrap().len(), 2);
        assert_eq!(reply["possible_duplicate"], false);
        let id = reply["id"].as_str().unwrap().to_string();

        let (status, _) = server
            .get(&format!("/api/v1/stakeholders/{id}"), None)
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "pending records are not public"
        );
        let (_, public) = server.get("/api/v1/stakeholders", None).await;
        assert!(public.as_array().unwrap().is_empty());
        let (_, queue) = server
            .get("/api/v1/stakeholders?status=pending", Some(&facilitator))
            .await;
        let queued = &queue.as_array().unwrap()[0];
        assert_eq!(
            (queued["id"].as_str(), queued["created_via"].as_str()),
            (Some(id.as_str()), Some("registration"))
        );
        assert_eq!(queued["contact"]["phone"], "+919123456789");

        let (status, _) = server
            .patch(
                &format!("/api/v1/stakeholders/{id}"),
                Some(&consultant),
                &json!({"status": "active"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "consultants do not approve");
        let (status, approved) = server
            .patch(
                &format!("/api/v1/stakeholders/{id}"),
                Some(&facilitator),
                &json!({"status": "active"}),
            )
            .await;
        assert_eq!(
            (status, approved["status"].as_str()),
            (StatusCode::OK, Some("active"))
        );
        let need_id = reply["needs"][0].as_str().unwrap();
        let (status, need) = server.get(&format!("/api/v1/needs/{need_id}"), None).await;
        assert_eq!(
            (status, need["status"].as_str()),
            (StatusCode::OK, Some("active")),
            "needs are approved with their owner"
        );
        assert_eq!(need["title"], "सिलाई प्रशिक्षण", "Hindi is kept as typed");
    }
}

#[tokio::test]
async fn a_lookalike_registration_is_flagged_and_a_lookalike_api_create_is_a_conflict() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let (_, first) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-mirzapur", Some("9876543210")),
            )
            .await;
        let first_id = first["id"].as_str().unwrap();

        // Same phone written differently, different name: flagged.
        let (status, reply) = server
            .post(
                "/api/v1/registrations",
                None,
                &registration("S. Devi", "+91 98765-43210"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(reply["possible_duplicate"], true);
        let (_, stored) = server
            .get(
                &format!("/api/v1/stakeholders/{}", reply["id"].as_str().unwrap()),
                Some(&token),
            )
            .await;
        assert_eq!(
            stored["possible_duplicates"],
            json!([first_id]),
            "the facilitator sees which record it may duplicate"
        );

        // Same name in the same district through the API: 409 naming the existing record.
        let (status, conflict) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("  sunita   DEVI ", "up-mirzapur", None),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
        error_fields(&conflict, "conflict");
        assert_eq!(
            conflict["error"]["details"]["duplicates"][0]["id"],
            first_id
        );
        let (status, _) = server
            .post(
                "/api/v1/stakeholders?allow_duplicate=true",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-mirzapur", None),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "a facilitator may insist");
        // The same name elsewhere is someone else.
        let (status, _) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-bhadohi", None),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
}

#[tokio::test]
async fn a_registration_with_one_bad_need_is_refused_whole_with_the_field_named() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let token = server.token("facilitator").await;
    let mut body = registration("Reena", "9123456789");
    body["needs"][1]["amount_inr"] = json!(-500);
    let (status, reply) = server.post("/api/v1/registrations", None, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&reply, "validation_failed");
    assert!(fields.contains_key("needs[1].amount_inr"), "{reply}");
    assert_eq!(
        server.stakeholder_count(&token).await,
        0,
        "nothing from a refused registration is stored"
    );
}

#[tokio::test]
async fn floods_of_registrations_from_one_address_are_rate_limited() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let mut limited = None;
    for n in 0..40 {
        let (status, body) = server
            .post(
                "/api/v1/registrations",
                None,
                &registration(&format!("Flood {n}"), "9000000000"),
            )
            .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(body);
            break;
        }
        assert_eq!(status, StatusCode::CREATED);
    }
    let body = limited.expect("no 429 after 40 registrations in a burst");
    error_fields(&body, "rate_limited");
}

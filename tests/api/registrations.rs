//! Public self-registration: pending until approved, duplicates flagged not doubled.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Backend, TestServer, backends, entrepreneur, error_fields};

/// A registration without consent; [`consented`] adds it.
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

/// `body` with consent to the server's current notice, in Hindi.
async fn consented(server: &TestServer, mut body: serde_json::Value) -> serde_json::Value {
    body["consent"] = server.consent("hi").await;
    body
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
                &consented(&server, registration("Reena Devi", "9123456789")).await,
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
                &consented(&server, registration("S. Devi", "+91 98765-43210")).await,
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
    let mut body = consented(&server, registration("Reena", "9123456789")).await;
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
                &consented(&server, registration(&format!("Flood {n}"), "9000000000")).await,
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

/// No registration is stored without consent to a notice Sangam knows (DPDP Act 2023); the
/// record keeps which notice, in which language and when, for facilitators only.
#[tokio::test]
async fn a_registration_needs_consent_and_the_record_keeps_what_was_agreed() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let facilitator = server.token("facilitator").await;
        let name = backend.name();

        let without = registration("Reena Devi", "9123456789");
        let mut refused = consented(&server, without.clone()).await;
        refused["consent"]["given"] = json!(false);
        let mut unknown_notice = consented(&server, without.clone()).await;
        unknown_notice["consent"]["notice_version"] = json!("2019-01");
        let mut no_language = consented(&server, without.clone()).await;
        no_language["consent"]["language"] = json!("fr");
        for (body, field) in [
            (&without, "consent.given"),
            (&refused, "consent.given"),
            (&unknown_notice, "consent.notice_version"),
            (&no_language, "consent.language"),
        ] {
            let (status, reply) = server.post("/api/v1/registrations", None, body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {reply}");
            let fields = error_fields(&reply, "validation_failed");
            assert!(
                fields.contains_key(field),
                "{name}: {field} not named: {reply}"
            );
        }
        assert_eq!(
            server.stakeholder_count(&facilitator).await,
            0,
            "{name}: nothing is stored without consent"
        );

        let before = time_now();
        let mut body = registration("Reena Devi", "9123456789");
        body["consent"] = server.consent("en").await;
        let (status, reply) = server.post("/api/v1/registrations", None, &body).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {reply}");
        let id = reply["id"].as_str().unwrap();
        assert!(
            reply.get("consent").is_none(),
            "the anonymous answer shows no record"
        );

        let (_, stored) = server
            .get(&format!("/api/v1/stakeholders/{id}"), Some(&facilitator))
            .await;
        let (_, notice) = server.get("/api/v1/consent-notice?lang=en", None).await;
        assert_eq!(
            stored["consent"]["notice_version"], notice["version"],
            "{name}"
        );
        assert_eq!(stored["consent"]["language"], "en", "{name}");
        let given_at = stored["consent"]["given_at"].as_str().expect("given_at");
        assert!(
            given_at >= before.as_str() && given_at <= time_now().as_str(),
            "{name}: consent time {given_at} is not now ({before})"
        );

        // Consultants work with the record but do not see the consent record.
        let consultant = server.token("consultant").await;
        let (_, seen) = server
            .get(&format!("/api/v1/stakeholders/{id}"), Some(&consultant))
            .await;
        assert_eq!(seen["contact"]["phone"], "+919123456789", "{name}: {seen}");
        assert!(seen.get("consent").is_none(), "{name}: {seen}");

        // Approved and public, the record shows nobody the consent record.
        server
            .patch(
                &format!("/api/v1/stakeholders/{id}"),
                Some(&facilitator),
                &json!({"status": "active"}),
            )
            .await;
        let (status, public) = server
            .get(&format!("/api/v1/stakeholders/{id}"), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(public.get("consent").is_none(), "{name}: {public}");

        // Records made by facilitators were not registered by the person: no consent record.
        let (_, made) = server
            .post(
                "/api/v1/stakeholders",
                Some(&facilitator),
                &entrepreneur("Sunita Devi", "up-bhadohi", None),
            )
            .await;
        assert!(made.get("consent").is_none(), "{name}: {made}");
    }
}

/// The notice a client must show: in Hindi or English, saying what, why, who, how long and how
/// to erase; another language is refused by name.
#[tokio::test]
async fn the_consent_notice_is_served_in_hindi_and_english() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let (status, hindi) = server.get("/api/v1/consent-notice?lang=hi", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hindi["language"], "hi");
    let text = hindi["text"].as_str().unwrap();
    for words in ["सुविधादाता", "मिटा", "कब तक", "क्यों"]
    {
        assert!(text.contains(words), "Hindi notice lacks {words}: {text}");
    }
    let (_, default) = server.get("/api/v1/consent-notice", None).await;
    assert_eq!(
        default["language"], "hi",
        "Hindi unless English is asked for"
    );
    let (_, english) = server.get("/api/v1/consent-notice?lang=en", None).await;
    assert_eq!(english["language"], "en");
    assert_eq!(english["version"], hindi["version"]);
    let text = english["text"].as_str().unwrap();
    for words in ["facilitators", "district", "erase", "correct", "How long"] {
        assert!(text.contains(words), "English notice lacks {words}: {text}");
    }
    let (status, reply) = server.get("/api/v1/consent-notice?lang=fr", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_fields(&reply, "validation_failed").contains_key("lang"));
}

/// The time now as the registry writes it (RFC 3339 UTC with milliseconds).
fn time_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(now.as_nanos() as i128)
        .unwrap()
        .format(&format)
        .unwrap()
}

/// Sends `count` registrations as if from `client` through a proxy on loopback; the statuses.
async fn registrations_from(server: &TestServer, client: &str, count: usize) -> Vec<StatusCode> {
    let body = consented(server, registration("Proxy Devi", "9123456780")).await;
    let mut statuses = Vec::new();
    for _ in 0..count {
        let answer = server
            .client
            .post(server.url("/api/v1/registrations"))
            .header("x-forwarded-for", client)
            .json(&body)
            .send()
            .await
            .expect("request");
        statuses.push(answer.status());
    }
    statuses
}

/// The rate limit is per process, not per database: tested on SQLite only.
#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_budget_and_nobody_else_is_believed() {
    let behind_nginx =
        TestServer::start_with_args(&Backend::Sqlite, &["--trusted-proxy", "127.0.0.1"]).await;
    let first = registrations_from(&behind_nginx, "49.36.1.2", 21).await;
    assert!(
        first[..20].iter().all(|s| *s == StatusCode::CREATED),
        "{first:?}"
    );
    assert_eq!(
        first[20],
        StatusCode::TOO_MANY_REQUESTS,
        "the budget was not spent"
    );
    let other = registrations_from(&behind_nginx, "49.36.7.7", 1).await;
    assert_eq!(
        other,
        [StatusCode::CREATED],
        "another village shared the first one's budget"
    );

    // Without --trusted-proxy the header is the client's own claim, and is ignored.
    let direct = TestServer::start(&Backend::Sqlite).await;
    let first = registrations_from(&direct, "49.36.1.2", 20).await;
    assert!(first.iter().all(|s| *s == StatusCode::CREATED), "{first:?}");
    let forged = registrations_from(&direct, "49.36.7.7", 1).await;
    assert_eq!(
        forged,
        [StatusCode::TOO_MANY_REQUESTS],
        "a forged X-Forwarded-For bought a new budget"
    );
}

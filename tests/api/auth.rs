use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Backend, TestServer, add, backends, entrepreneur, error_fields, read};

#[tokio::test]
async fn token_create_prints_the_token_alone_on_the_last_line() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let token = server.token("admin").await;
    assert!(token.starts_with("sgm_") && !token.contains(' '), "{token}");
    let (status, _) = server
        .post(
            "/api/v1/stakeholders",
            Some(&token),
            &entrepreneur("A", "up-mirzapur", None),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn writes_need_a_valid_token_and_archiving_needs_a_facilitator() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let consultant = server.token("consultant").await;
        let facilitator = server.token("facilitator").await;
        let body = entrepreneur("Meena", "up-bhadohi", None);

        let (status, reply) = server.post("/api/v1/stakeholders", None, &body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        error_fields(&reply, "unauthorized");
        let (status, _) = server
            .post("/api/v1/stakeholders", Some("sgm_not-a-real-token"), &body)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let response = server
            .client
            .request(Method::GET, server.url("/api/v1/stakeholders"))
            .header("Authorization", "Basic YWRtaW46YWRtaW4=")
            .send()
            .await
            .unwrap();
        assert_eq!(
            read(response).await.0,
            StatusCode::UNAUTHORIZED,
            "a non-bearer credential is refused"
        );
        let (status, _) = server
            .get("/api/v1/stakeholders?status=pending", None)
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "the moderation queue is not public"
        );

        // Consultants register and edit in the field...
        let id = add(&server, &consultant, "/api/v1/stakeholders", &body).await;
        let (status, _) = server
            .patch(
                &format!("/api/v1/stakeholders/{id}"),
                Some(&consultant),
                &json!({"description": "new"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        // ...but archiving and approving is for facilitators.
        let (status, reply) = server
            .delete(&format!("/api/v1/stakeholders/{id}"), Some(&consultant))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        error_fields(&reply, "forbidden");
        let (status, _) = server
            .patch(
                &format!("/api/v1/stakeholders/{id}"),
                Some(&consultant),
                &json!({"status": "archived"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, still) = server
            .get(&format!("/api/v1/stakeholders/{id}"), None)
            .await;
        assert_eq!(
            still["status"], "active",
            "a refused request changes nothing"
        );
        let (status, _) = server
            .delete(&format!("/api/v1/stakeholders/{id}"), Some(&facilitator))
            .await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_revoked_token_stops_working() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let token = server.token("consultant").await;
    let (status, _) = server
        .get("/api/v1/stakeholders?status=all", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let output = tokio::process::Command::new(crate::support::BINARY)
        .args(["token", "revoke", "--name", "test consultant", "--data-dir"])
        .arg(server.data_dir.path())
        .output()
        .await
        .unwrap();
    assert!(output.status.success());
    let (status, _) = server
        .get("/api/v1/stakeholders?status=all", Some(&token))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A token made for some districts writes only there: everywhere else it is refused (403) and
/// nothing changes, whichever way the write comes.
#[tokio::test]
async fn a_token_for_mirzapur_writes_only_in_mirzapur() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let admin = server.token("admin").await;
        let mirzapur = server.token_for("facilitator", &["up-mirzapur"]).await;
        let refused = |status: StatusCode, reply: &serde_json::Value, what: &str| {
            assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {reply}");
            assert!(
                reply["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("writes only in up-mirzapur"),
                "{what}: {reply}"
            );
        };

        let own = add(
            &server,
            &mirzapur,
            "/api/v1/stakeholders",
            &entrepreneur("Sunita", "up-mirzapur", None),
        )
        .await;
        let (status, reply) = server
            .post(
                "/api/v1/stakeholders",
                Some(&mirzapur),
                &entrepreneur("Meena", "up-bhadohi", None),
            )
            .await;
        refused(status, &reply, "create in Bhadohi");
        let (_, other) = server
            .post(
                "/api/v1/stakeholders",
                Some(&admin),
                &entrepreneur("Meena", "up-bhadohi", None),
            )
            .await;
        let other = other["id"].as_str().unwrap().to_string();
        let count = server.stakeholder_count(&admin).await;

        let (status, reply) = server
            .patch(
                &format!("/api/v1/stakeholders/{other}"),
                Some(&mirzapur),
                &json!({"name": "Changed"}),
            )
            .await;
        refused(status, &reply, "edit in Bhadohi");
        let (status, reply) = server
            .patch(
                &format!("/api/v1/stakeholders/{own}"),
                Some(&mirzapur),
                &json!({"district": "up-bhadohi", "profile": {"block": null}}),
            )
            .await;
        refused(status, &reply, "move to Bhadohi");
        let (status, reply) = server
            .post(
                &format!("/api/v1/stakeholders/{other}/needs"),
                Some(&mirzapur),
                &json!({"kind": "finance", "title": "A loan"}),
            )
            .await;
        refused(status, &reply, "a need in Bhadohi");
        let (status, reply) = server
            .post(
                &format!("/api/v1/stakeholders/{other}/erase"),
                Some(&mirzapur),
                &json!({}),
            )
            .await;
        refused(status, &reply, "erase in Bhadohi");
        let (status, reply) = server
            .delete(&format!("/api/v1/stakeholders/{other}"), Some(&mirzapur))
            .await;
        refused(status, &reply, "archive in Bhadohi");
        let meeting = json!({"title": "Bhadohi coalition", "district": "up-bhadohi",
                             "date": "2026-12-10", "invitees": []});
        let (status, reply) = server
            .post("/api/v1/meetings", Some(&mirzapur), &meeting)
            .await;
        refused(status, &reply, "a meeting in Bhadohi");
        let (_, bhadohi_meeting) = server
            .post("/api/v1/meetings", Some(&admin), &meeting)
            .await;
        let (status, reply) = server
            .get(
                &format!(
                    "/api/v1/meetings/{}/suggestions",
                    bhadohi_meeting["id"].as_str().unwrap()
                ),
                Some(&mirzapur),
            )
            .await;
        refused(status, &reply, "suggestions for Bhadohi");

        // Nothing of that changed anything.
        assert_eq!(server.stakeholder_count(&admin).await, count);
        let (_, unchanged) = server
            .get(&format!("/api/v1/stakeholders/{other}"), Some(&admin))
            .await;
        assert_eq!(unchanged["name"], "Meena");
        assert_eq!(unchanged["status"], "active");
        let (_, still_home) = server
            .get(&format!("/api/v1/stakeholders/{own}"), Some(&admin))
            .await;
        assert_eq!(still_home["district"], "up-mirzapur");
        let (_, needs) = server
            .get(&format!("/api/v1/stakeholders/{other}/needs"), Some(&admin))
            .await;
        assert_eq!(needs, json!([]));
    }
}

#[tokio::test]
async fn a_token_cannot_be_made_for_a_district_that_does_not_exist() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let output = server
        .cli(&[
            "token",
            "create",
            "--role",
            "consultant",
            "--name",
            "X",
            "--district",
            "up-atlantis",
        ])
        .await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown district `up-atlantis`"));
}

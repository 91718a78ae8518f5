use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Backend, TestServer, backends, entrepreneur, error_fields, read};

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
        let (status, created) = server
            .post("/api/v1/stakeholders", Some(&consultant), &body)
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let id = created["id"].as_str().unwrap();
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

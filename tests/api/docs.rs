use reqwest::StatusCode;

use crate::support::{Backend, TestServer};

/// Every endpoint of the client contract is described in the served OpenAPI document.
#[tokio::test]
async fn the_openapi_document_describes_every_contract_endpoint() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let (status, document) = server.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    let paths = document["paths"].as_object().expect("paths");
    for (path, methods) in [
        ("/api/v1/districts", &["get"][..]),
        ("/api/v1/sectors", &["get"]),
        ("/api/v1/stakeholders", &["get", "post"]),
        ("/api/v1/stakeholders/{id}", &["get", "patch", "delete"]),
        ("/api/v1/stakeholders/{id}/offerings", &["get", "post"]),
        ("/api/v1/stakeholders/{id}/needs", &["get", "post"]),
        ("/api/v1/offerings/{id}", &["get", "patch", "delete"]),
        ("/api/v1/needs/{id}", &["get", "patch", "delete"]),
        ("/api/v1/registrations", &["post"]),
        ("/api/v1/consent-notice", &["get"]),
        ("/api/v1/search", &["get"]),
        ("/api/v1/meetings", &["get", "post"]),
        ("/api/v1/meetings/{id}", &["get", "patch"]),
        ("/api/v1/meetings/{id}/suggestions", &["get"]),
        ("/api/v1/meetings/{id}/brief", &["get"]),
        ("/api/v1/linkages/{id}", &["get", "patch"]),
        ("/api/v1/stakeholders/{id}/record", &["get"]),
        ("/api/v1/stakeholders/{id}/erase", &["post"]),
        ("/api/v1/hsds", &["get"]),
        ("/api/v1/hsds/services", &["get"]),
        ("/api/v1/hsds/services/{id}", &["get"]),
        ("/api/v1/export/stakeholders.csv", &["get"]),
        ("/api/v1/export/offerings.csv", &["get"]),
        ("/api/v1/export/needs.csv", &["get"]),
        ("/api/v1/import/stakeholders", &["post"]),
        ("/api/v1/import/offerings", &["post"]),
        ("/api/v1/admin/notifications", &["get"]),
        (
            "/api/v1/admin/notifications/{seq}/{channel}/retry",
            &["post"],
        ),
        ("/healthz", &["get"]),
        ("/readyz", &["get"]),
    ] {
        for method in methods {
            assert!(
                paths.get(path).and_then(|p| p.get(*method)).is_some(),
                "{method} {path} is not documented"
            );
        }
    }
}

#[tokio::test]
async fn a_wrong_method_is_answered_in_json() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let (status, body) = server.delete("/api/v1/sectors", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

/// A path that is not UTF-8 is refused in JSON like every other error, on every kind of route.
#[tokio::test]
async fn an_unreadable_path_is_answered_in_json() {
    let server = TestServer::start(&Backend::Sqlite).await;
    for path in [
        "/api/v1/districts/%FF",
        "/api/v1/meetings/%FF",
        "/api/v1/hsds/services/%FF%FE",
    ] {
        let (status, body) = server.get(path, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(body["error"]["code"], "bad_request", "{path}: {body}");
    }
}

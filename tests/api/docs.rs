use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{Backend, TestServer};

/// The document is generated from the router (utoipa-axum's `routes!` registers a handler and its
/// description together), so every route is in it; this checks the other way round on the real
/// server: each documented operation reaches a handler, not the fallback that answers unknown
/// paths or methods.
#[tokio::test]
async fn every_documented_operation_is_a_route_of_the_server() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let (status, document) = server.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, item) in paths {
        // Any value fills a path parameter: an unknown id is the handler's 404, not the router's.
        let concrete = path
            .split('/')
            .map(|part| if part.starts_with('{') { "x1" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().expect("path item").keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            let response = server.send(method.clone(), &concrete, None, None).await;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_ne!(
                status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}: {body}"
            );
            assert!(
                !(status == StatusCode::NOT_FOUND
                    && body["error"]["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("no such endpoint"))),
                "{method} {path} is documented but not routed: {body}"
            );
            operations += 1;
        }
    }
    assert!(operations >= 54, "only {operations} operations documented");
}

/// Every operation says what it answers, and every schema it names is in the document.
#[tokio::test]
async fn the_openapi_document_resolves_every_reference() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let (_, document) = server.get("/api/v1/openapi.json", None).await;
    assert!(document["components"]["schemas"].is_object(), "no schemas");
    let text = document.to_string();
    for reference in text.split("\"$ref\":\"").skip(1) {
        let target = &reference[..reference.find('"').expect("end of $ref")];
        assert!(
            target.starts_with("#/components/schemas/"),
            "unexpected $ref {target}"
        );
        assert!(
            document.pointer(&target[1..]).is_some(),
            "$ref {target} points at nothing"
        );
    }
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let responses = operation["responses"].as_object().expect("responses");
            assert!(!responses.is_empty(), "{method} {path} documents no answer");
            assert!(operation["operationId"].is_string(), "{method} {path}");
        }
    }
}

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

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Backend, TestServer, add, bank, entrepreneur, mudra_loan, skip};

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

/// Every operation says what it answers, every schema and shared answer it names is in the
/// document, and each shared answer serves at least two operations.
#[tokio::test]
async fn the_openapi_document_resolves_every_reference() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let (_, document) = server.get("/api/v1/openapi.json", None).await;
    assert!(document["components"]["schemas"].is_object(), "no schemas");
    let text = document.to_string();
    for reference in text.split("\"$ref\":\"").skip(1) {
        let target = &reference[..reference.find('"').expect("end of $ref")];
        assert!(
            target.starts_with("#/components/schemas/")
                || target.starts_with("#/components/responses/"),
            "unexpected $ref {target}"
        );
        assert!(
            document.pointer(&target[1..]).is_some(),
            "$ref {target} points at nothing"
        );
    }
    // The error answers many operations share are written once and referred to.
    let shared = document["components"]["responses"]
        .as_object()
        .expect("shared answers under components.responses");
    assert!(shared.len() >= 20, "{} shared answers", shared.len());
    for name in shared.keys() {
        let uses = text
            .matches(&format!("\"#/components/responses/{name}\""))
            .count();
        assert!(uses >= 2, "the shared answer {name} is used {uses} times");
    }
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let responses = operation["responses"].as_object().expect("responses");
            assert!(!responses.is_empty(), "{method} {path} documents no answer");
            assert!(operation["operationId"].is_string(), "{method} {path}");
        }
    }
}

/// The served document is valid OpenAPI 3.1, as openapi-spec-validator (in `.ci/.venv`, which
/// `.ci/fuzz-api --prepare` makes) reads it: schemas derived from the Rust types, merge patches
/// built from them and every hand-made shape together.
#[tokio::test]
async fn the_openapi_document_is_valid_openapi() {
    let validator = std::env::var("SANGAM_OPENAPI_VALIDATOR").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/.ci/.venv/bin/openapi-spec-validator"
        )
        .into()
    });
    if !std::path::Path::new(&validator).exists() {
        skip(&format!(
            "{validator} is missing (run .ci/fuzz-api --prepare); the document was not validated"
        ));
        return;
    }
    let server = TestServer::start(&Backend::Sqlite).await;
    let response = server
        .send(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("the document");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, &text).expect("write the document");
    let output = std::process::Command::new(&validator)
        .arg(&file)
        .output()
        .expect("run openapi-spec-validator");
    assert!(
        output.status.success(),
        "the served document is not valid OpenAPI:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The document's merge-patch schemas list exactly the keys each PATCH handler accepts (the
/// handler names them when it refuses an unknown key), so a field added to a record cannot be
/// patchable without the document saying so, or the other way round.
#[tokio::test]
async fn each_patch_schema_lists_the_keys_its_handler_accepts() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let token = server.token("admin").await;
    let (_, document) = server.get("/api/v1/openapi.json", None).await;
    let person = add(
        &server,
        &token,
        "/api/v1/stakeholders",
        &entrepreneur("Sunita Devi", "up-mirzapur", Some("9876543210")),
    )
    .await;
    let lender = add(
        &server,
        &token,
        "/api/v1/stakeholders",
        &bank("Bank of Baroda, Mirzapur", "up-mirzapur"),
    )
    .await;
    let offering = add(
        &server,
        &token,
        &format!("/api/v1/stakeholders/{lender}/offerings"),
        &mudra_loan(),
    )
    .await;
    let need = add(
        &server,
        &token,
        &format!("/api/v1/stakeholders/{person}/needs"),
        &json!({"kind": "finance", "title": "Loan for two sewing machines", "amount_inr": 45000}),
    )
    .await;
    let meeting = add(
        &server,
        &token,
        "/api/v1/meetings",
        &json!({"title": "Mirzapur coalition, January", "district": "up-mirzapur", "date": "2027-01-20"}),
    )
    .await;
    for (schema, template, id) in [
        ("StakeholderPatch", "/api/v1/stakeholders/{id}", &person),
        ("OfferingPatch", "/api/v1/offerings/{id}", &offering),
        ("NeedPatch", "/api/v1/needs/{id}", &need),
        ("MeetingPatch", "/api/v1/meetings/{id}", &meeting),
    ] {
        let documented = &document["components"]["schemas"][schema];
        assert_eq!(documented["additionalProperties"], false, "{schema}");
        let body_schema = &document["paths"][template]["patch"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"];
        assert_eq!(
            body_schema,
            &json!(format!("#/components/schemas/{schema}")),
            "PATCH {template}"
        );
        let mut documented: Vec<&str> = documented["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{schema} has no properties"))
            .keys()
            .map(String::as_str)
            .collect();
        documented.sort_unstable();

        let path = template.replace("{id}", id);
        let (status, body) = server
            .patch(&path, Some(&token), &json!({"no_such_key": 1}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        let why = body["error"]["fields"]["no_such_key"]
            .as_str()
            .unwrap_or_else(|| panic!("{path}: {body}"));
        let mut accepted: Vec<&str> = why
            .split_once("may be one of ")
            .unwrap_or_else(|| panic!("{path}: {why}"))
            .1
            .split(", ")
            .collect();
        accepted.sort_unstable();
        assert_eq!(documented, accepted, "{schema} against PATCH {template}");
    }
}

/// What the document calls required is what the server needs: a body with only the required
/// fields of each input is stored, and nothing optional is listed as required (an optional date
/// or e-mail once was, so a well-formed request looked invalid to schemathesis).
#[tokio::test]
async fn the_documented_required_fields_are_exactly_what_a_create_needs() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let token = server.token("consultant").await;
    let (_, document) = server.get("/api/v1/openapi.json", None).await;
    let schemas = &document["components"]["schemas"];
    let required = |name: &str| -> Vec<String> {
        let mut fields: Vec<String> = schemas[name]["required"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        fields.sort_unstable();
        fields
    };
    assert_eq!(required("StakeholderInput"), ["district", "kind", "name"]);
    assert_eq!(required("OfferingInput"), ["kind", "title"]);
    assert_eq!(required("NeedInput"), ["kind", "title"]);
    assert_eq!(required("MeetingInput"), ["date", "district", "title"]);
    assert_eq!(
        required("ConsentInput"),
        ["given", "language", "notice_version"]
    );
    for optional in [
        "ContactInput",
        "ProfileInput",
        "EligibilityInput",
        "TermsInput",
    ] {
        assert!(
            required(optional).is_empty(),
            "{optional}: {:?}",
            required(optional)
        );
    }

    // Bodies with exactly the required fields, and with the nested objects empty.
    let provider = add(
        &server,
        &token,
        "/api/v1/stakeholders",
        &json!({"kind": "bank", "name": "State Bank of India, Chunar", "district": "up-mirzapur", "contact": {}}),
    )
    .await;
    add(
        &server,
        &token,
        &format!("/api/v1/stakeholders/{provider}/offerings"),
        &json!({"kind": "training", "title": "सिलाई प्रशिक्षण", "eligibility": {}, "terms": {}}),
    )
    .await;
    let person = add(
        &server,
        &token,
        "/api/v1/stakeholders",
        &json!({"kind": "micro_entrepreneur", "name": "Rekha Bind", "district": "up-mirzapur", "profile": {}}),
    )
    .await;
    add(
        &server,
        &token,
        &format!("/api/v1/stakeholders/{person}/needs"),
        &json!({"kind": "finance", "title": "karz chahiye silai machine ke liye"}),
    )
    .await;
    add(
        &server,
        &token,
        "/api/v1/meetings",
        &json!({"title": "Chunar coalition", "district": "up-mirzapur", "date": "2027-02-10"}),
    )
    .await;
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

use reqwest::StatusCode;

use crate::support::{TestServer, backends};

#[tokio::test]
async fn districts_are_found_by_english_or_hindi_name_and_by_state() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;

        let (status, body) = server.get("/api/v1/districts?q=mirz", None).await;
        assert_eq!(status, StatusCode::OK);
        let found = body.as_array().unwrap();
        assert_eq!(found.len(), 1, "{}: {body}", backend.name());
        assert_eq!(found[0]["name"], "Mirzapur");
        assert_eq!(found[0]["state"], "Uttar Pradesh");
        assert!(found[0]["name_local"].as_str().unwrap().starts_with("मिर्"));
        assert!(
            found[0].get("lgd_code").is_some(),
            "lgd_code key must be present (may be null)"
        );

        let (_, body) = server.get("/api/v1/districts?q=भदोही", None).await;
        assert_eq!(body.as_array().unwrap()[0]["code"], "up-bhadohi", "{body}");

        let (_, body) = server.get("/api/v1/districts?state=Bihar", None).await;
        assert_eq!(body.as_array().unwrap().len(), 38, "Bihar has 38 districts");
        let (_, body) = server.get("/api/v1/districts?q=GAYA&state=br", None).await;
        assert!(
            body.as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "br-gaya"),
            "{body}"
        );

        let (_, body) = server.get("/api/v1/districts", None).await;
        assert!(
            body.as_array().unwrap().len() >= 222,
            "all five states are seeded"
        );

        let (status, body) = server.get("/api/v1/districts/up-mirzapur", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body["blocks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b["name"] == "Chhanbey"),
            "{body}"
        );
        let (status, _) = server.get("/api/v1/districts/up-atlantis", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn sectors_are_bilingual() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let (status, body) = server.get("/api/v1/sectors", None).await;
        assert_eq!(status, StatusCode::OK);
        let tailoring = body
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == "tailoring")
            .expect("tailoring sector");
        assert_eq!(tailoring["name"], "Tailoring & garments");
        assert_eq!(tailoring["name_local"], "सिलाई");
        assert!(body.as_array().unwrap().len() >= 20);
    }
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let server = TestServer::start(&crate::support::Backend::Sqlite).await;
    let (status, body) = server.get("/healthz", None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, body) = server.get("/readyz", None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );
    let (status, body) = server.get("/api/v1/nothing-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

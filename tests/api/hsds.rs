//! The Open Referral HSDS 3.0 feed: what a directory that reads HSDS gets from Sangam.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestServer, backends, bank, error_fields, mudra_loan};

async fn add(server: &TestServer, token: &str, path: &str, body: &Value) -> String {
    let (status, created) = server.post(path, Some(token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_str().unwrap().to_string()
}

/// The HSDS id of a Sangam id: the UUID after the prefix, hyphenated.
fn hsds_id(id: &str) -> String {
    let hex = id.split_once('_').unwrap().1;
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[tokio::test]
async fn offerings_are_listed_and_shown_as_hsds_services() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let bank_id = add(
            &server,
            &token,
            "/api/v1/stakeholders",
            &bank("State Bank of India, Gyanpur", "up-bhadohi"),
        )
        .await;
        let offerings = format!("/api/v1/stakeholders/{bank_id}/offerings");
        let loan = add(&server, &token, &offerings, &mudra_loan()).await;
        let mut archived = mudra_loan();
        archived["title"] = json!("Withdrawn scheme");
        let archived = add(&server, &token, &offerings, &archived).await;
        let (status, _) = server
            .delete(&format!("/api/v1/offerings/{archived}"), Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK);

        let (status, about) = server.get("/api/v1/hsds", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(about["version"], "3.0");

        // Anyone may read the feed, and the archived offering is not in it. (An offering past
        // its `valid_until` is listed as inactive: the API refuses past dates, so the unit
        // tests of `hsds` show that.)
        let (status, page) = server.get("/api/v1/hsds/services", None).await;
        assert_eq!(status, StatusCode::OK, "{}: {page}", backend.name());
        assert_eq!(page["total_items"], 1, "{page}");
        assert_eq!(page["page_number"], 1);
        assert_eq!(page["empty"], false);
        let listed: Vec<&Value> = page["contents"].as_array().unwrap().iter().collect();
        let status_of = |id: &str| {
            listed
                .iter()
                .find(|s| s["id"] == hsds_id(id).as_str())
                .map(|s| s["status"].clone())
        };
        assert_eq!(status_of(&loan), Some(json!("active")), "{page}");
        assert_eq!(status_of(&archived), None, "archived offerings stay out");

        let (status, service) = server
            .get(&format!("/api/v1/hsds/services/{}", hsds_id(&loan)), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{service}");
        assert_eq!(service["name"], "MUDRA Shishu loan for women tailors");
        assert_eq!(service["organization_id"], hsds_id(&bank_id).as_str());
        assert_eq!(
            service["organization"]["name"],
            "State Bank of India, Gyanpur"
        );
        assert!(
            service["organization"].get("phones").is_none()
                && !service.to_string().contains("94150"),
            "no contact details in a public feed: {service}"
        );
        assert_eq!(
            service["eligibility_description"],
            "Women; aged 18–60; idea or early enterprises; ₹10,000–₹50,000"
        );
        assert_eq!(
            service["fees_description"],
            "interest 9.5% a year, repaid over 36 months"
        );
        assert_eq!(
            (
                service["minimum_age"].clone(),
                service["maximum_age"].clone()
            ),
            (json!(18), json!(60))
        );
        // The district it serves, named in English and Hindi.
        assert_eq!(service["service_areas"][0]["name"], "Bhadohi");
        assert!(
            service["service_areas"][0]["description"]
                .as_str()
                .unwrap()
                .contains("भदोही"),
            "{service}"
        );
        let terms: Vec<(String, String)> = service["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let term = &a["taxonomy_term"];
                (
                    term["taxonomy"].as_str().unwrap().to_string(),
                    term["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            terms,
            [
                ("sangam:linkage-kind".to_string(), "finance".to_string()),
                ("sangam:sector".to_string(), "tailoring".to_string())
            ]
        );
        // The same export twice gives the same ids to nested objects.
        let (_, again) = server
            .get(&format!("/api/v1/hsds/services/{}", hsds_id(&loan)), None)
            .await;
        assert_eq!(again["service_areas"], service["service_areas"]);
        assert_eq!(again["attributes"], service["attributes"]);

        let (status, _) = server
            .get(
                &format!("/api/v1/hsds/services/{}", hsds_id(&archived)),
                None,
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "archived offerings are not served"
        );
    }
}

#[tokio::test]
async fn services_page_filter_by_organization_and_change_and_refuse_bad_parameters() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let gyanpur = add(
            &server,
            &token,
            "/api/v1/stakeholders",
            &bank("Bank of Baroda, Gyanpur", "up-bhadohi"),
        )
        .await;
        // Same phone as the other bank: the registry would take it for a duplicate.
        let chunar = add(
            &server,
            &token,
            "/api/v1/stakeholders?allow_duplicate=true",
            &bank("Union Bank, Chunar", "up-mirzapur"),
        )
        .await;
        for (bank, count) in [(&gyanpur, 3), (&chunar, 2)] {
            for n in 0..count {
                let mut loan = mudra_loan();
                loan["title"] = json!(format!("Loan {n}"));
                add(
                    &server,
                    &token,
                    &format!("/api/v1/stakeholders/{bank}/offerings"),
                    &loan,
                )
                .await;
            }
        }

        let (_, first) = server.get("/api/v1/hsds/services?per_page=2", None).await;
        assert_eq!(
            (
                first["total_items"].clone(),
                first["total_pages"].clone(),
                first["size"].clone()
            ),
            (json!(5), json!(3), json!(2)),
            "{first}"
        );
        assert_eq!(
            (first["first_page"].clone(), first["last_page"].clone()),
            (json!(true), json!(false))
        );
        let mut seen = Vec::new();
        for page in 1..=3 {
            let (_, body) = server
                .get(
                    &format!("/api/v1/hsds/services?per_page=2&page={page}"),
                    None,
                )
                .await;
            for service in body["contents"].as_array().unwrap() {
                seen.push(service["id"].as_str().unwrap().to_string());
            }
            assert_eq!(body["last_page"], page == 3);
        }
        seen.dedup();
        assert_eq!(seen.len(), 5, "pages are slices of one order: {seen:?}");
        let (_, beyond) = server
            .get("/api/v1/hsds/services?per_page=2&page=4", None)
            .await;
        assert_eq!(beyond["empty"], true);

        let (_, of_chunar) = server
            .get(
                &format!("/api/v1/hsds/services?organization_id={}", hsds_id(&chunar)),
                None,
            )
            .await;
        assert_eq!(of_chunar["total_items"], 2, "{of_chunar}");

        let (_, since_long_ago) = server
            .get("/api/v1/hsds/services?modified_after=2020-01-01", None)
            .await;
        assert_eq!(since_long_ago["total_items"], 5);
        let (_, from_the_future) = server
            .get(
                "/api/v1/hsds/services?modified_after=2999-01-01T00:00:00%2B05:30",
                None,
            )
            .await;
        assert_eq!(from_the_future["total_items"], 0, "{from_the_future}");

        for (query, field) in [
            ("page=0", "page"),
            ("per_page=501", "per_page"),
            ("organization_id=not-a-uuid", "organization_id"),
            ("modified_after=yesterday", "modified_after"),
        ] {
            let (status, reply) = server
                .get(&format!("/api/v1/hsds/services?{query}"), None)
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {reply}");
            assert!(
                error_fields(&reply, "validation_failed").contains_key(field),
                "{query}: {reply}"
            );
        }
        let (status, _) = server.get("/api/v1/hsds/services?page=two", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = server.get("/api/v1/hsds/services/not-a-uuid", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

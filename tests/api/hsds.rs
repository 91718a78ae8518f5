//! The Open Referral HSDS 3.0 feed: what a directory that reads HSDS gets from Sangam.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestServer, add, backends, bank, error_fields, mudra_loan};

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

        // A term of the kind taxonomy selects by kind; text found in titles selects by words.
        let (_, service) = server
            .get(
                &format!(
                    "/api/v1/hsds/services/{}",
                    first["contents"][0]["id"].as_str().unwrap()
                ),
                None,
            )
            .await;
        let finance_term = service["attributes"][0]["taxonomy_term_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, by_term) = server
            .get(
                &format!("/api/v1/hsds/services?taxonomy_term_id={finance_term}"),
                None,
            )
            .await;
        assert_eq!(by_term["total_items"], 5, "{by_term}");
        let tailoring_term = service["attributes"][1]["taxonomy_term_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, by_sector) = server
            .get(
                &format!("/api/v1/hsds/services?taxonomy_term_id={tailoring_term}"),
                None,
            )
            .await;
        assert_eq!(by_sector["total_items"], 5, "{by_sector}");
        let (_, searched) = server
            .get("/api/v1/hsds/services?search=LOAN%201", None)
            .await;
        assert_eq!(searched["total_items"], 2, "{searched}");
        let (_, full) = server
            .get("/api/v1/hsds/services?per_page=1&full=true", None)
            .await;
        assert_eq!(
            full["contents"][0]["organization"]["name"], "Bank of Baroda, Gyanpur",
            "{full}"
        );
        let (_, organizations) = server.get("/api/v1/hsds/organizations", None).await;
        assert_eq!(organizations["total_items"], 2, "{organizations}");
        let (_, gyanpur_org) = server
            .get(
                &format!("/api/v1/hsds/organizations/{}", hsds_id(&gyanpur)),
                None,
            )
            .await;
        assert_eq!(gyanpur_org["services"].as_array().unwrap().len(), 3);
        assert_eq!(
            gyanpur_org["attributes"][0]["taxonomy_term"]["code"], "bank",
            "{gyanpur_org}"
        );

        for (query, field) in [
            ("taxonomy_id=x", "taxonomy_id"),
            ("minimal=true", "minimal"),
            ("postcode=231001", "postcode"),
            ("format=ndjson", "format"),
            (
                "taxonomy_term_id=0190a1b2-c3d4-7e8f-9a0b-1c2d3e4f5a6b",
                "taxonomy_term_id",
            ),
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
        // `format` is `json` or empty (a form's blank field), exactly as the document lists it:
        // schemathesis found ` json` and other spellings accepted on both listings.
        for listing in ["services", "organizations"] {
            for format in ["%20json", "json%20", "JSON", "csv", "ndjson"] {
                let query = format!("/api/v1/hsds/{listing}?format={format}");
                let (status, reply) = server.get(&query, None).await;
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {reply}");
                assert!(
                    error_fields(&reply, "validation_failed").contains_key("format"),
                    "{query}: {reply}"
                );
            }
            for format in ["json", ""] {
                let query = format!("/api/v1/hsds/{listing}?format={format}");
                let (status, reply) = server.get(&query, None).await;
                assert_eq!(status, StatusCode::OK, "{query}: {reply}");
            }
        }
        let (status, _) = server.get("/api/v1/hsds/services?page=two", None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = server.get("/api/v1/hsds/services/not-a-uuid", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

/// The official HSDS 3.0 schemas (`../shared/hsds/` beside the checkout), each registered under
/// the address the HSDS API description refers to it by, so that its `$ref`s between files
/// resolve to the local copies and never to the network.
struct OfficialSchemas {
    service: jsonschema::Validator,
    service_page: jsonschema::Validator,
    organization: jsonschema::Validator,
    organization_page: jsonschema::Validator,
}

const SPEC: &str = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/";

impl OfficialSchemas {
    /// `None` (after saying why) when the folder is not there; with `SANGAM_REQUIRE_ALL=1` that
    /// fails the test instead.
    fn load() -> Option<OfficialSchemas> {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/hsds");
        if !folder.join("service.json").is_file() {
            let why = format!(
                "the official HSDS schemas are not at {} (they are not part of this repository)",
                folder.display()
            );
            if std::env::var("SANGAM_REQUIRE_ALL").as_deref() == Ok("1") {
                panic!("SANGAM_REQUIRE_ALL=1 but {why}");
            }
            eprintln!("skipped: HSDS schema validation: {why}");
            return None;
        }
        let read = |name: &str| -> Value {
            let text = std::fs::read_to_string(folder.join(name))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        let mut registry = jsonschema::Registry::new();
        for name in [
            "service.json",
            "service_list.json",
            "organization.json",
            "organization_list.json",
        ] {
            registry = registry
                .add(format!("{SPEC}compiled/{name}"), read(name))
                .expect("a schema");
        }
        let registry = registry
            .add(format!("{SPEC}openapi.json"), read("openapi.json"))
            .expect("the API description")
            .prepare()
            .expect("the schemas resolve");
        let build = |reference: String| {
            jsonschema::options()
                .with_registry(&registry)
                .should_validate_formats(true)
                .build(&json!({ "$ref": reference }))
                .unwrap_or_else(|e| panic!("{e}"))
        };
        // A page is HSDS's `Page` with `contents` of the list schema: the 200 answer of the
        // operation in the API description, which refers to both.
        let page = |path: &str| {
            format!(
                "{SPEC}openapi.json#/paths/~1{path}/get/responses/200/content/application~1json/schema"
            )
        };
        Some(OfficialSchemas {
            service: build(format!("{SPEC}compiled/service.json")),
            service_page: build(page("services")),
            organization: build(format!("{SPEC}compiled/organization.json")),
            organization_page: build(page("organizations")),
        })
    }
}

/// Every way `instance` breaks `schema`, one line each; nulls anywhere count too.
fn problems(schema: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    let mut found: Vec<String> = schema
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    nulls(instance, String::new(), &mut found);
    found
}

fn nulls(value: &Value, path: String, found: &mut Vec<String>) {
    match value {
        Value::Null => found.push(format!("{path}: null (an absent fact is an absent key)")),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                nulls(item, format!("{path}/{i}"), found);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                nulls(item, format!("{path}/{key}"), found);
            }
        }
        _ => {}
    }
}

/// Walks every page of `list` (`per_page` at a time) and every record it names, validating each
/// answer; returns how many records and which problems.
async fn validate_feed(
    server: &TestServer,
    schemas: &OfficialSchemas,
    per_page: usize,
) -> (usize, usize, Vec<String>) {
    let mut found = Vec::new();
    let mut check = |what: String, schema: &jsonschema::Validator, body: &Value| {
        for problem in problems(schema, body) {
            found.push(format!("{what} {problem}"));
        }
    };
    let mut counts = Vec::new();
    for (list, page_schema, one_schema, one_path) in [
        (
            "services",
            &schemas.service_page,
            &schemas.service,
            "services",
        ),
        (
            "organizations",
            &schemas.organization_page,
            &schemas.organization,
            "organizations",
        ),
    ] {
        let mut ids = Vec::new();
        let mut page = 1;
        loop {
            let path = format!("/api/v1/hsds/{list}?per_page={per_page}&page={page}");
            let (status, body) = server.get(&path, None).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            check(path.clone(), page_schema, &body);
            for item in body["contents"].as_array().expect("contents") {
                ids.push(item["id"].as_str().expect("an id").to_string());
            }
            // The same page in full: each item is then a whole service or organization.
            let full = format!("{path}&full=true&full_service=true");
            let (status, body_full) = server.get(&full, None).await;
            assert_eq!(status, StatusCode::OK, "{full}: {body_full}");
            check(full.clone(), page_schema, &body_full);
            for item in body_full["contents"].as_array().expect("contents") {
                check(format!("{full} item"), one_schema, item);
            }
            if body["last_page"] == true {
                break;
            }
            page += 1;
        }
        for id in &ids {
            for query in ["", "?full_service=true"] {
                let path = format!("/api/v1/hsds/{one_path}/{id}{query}");
                let (status, body) = server.get(&path, None).await;
                assert_eq!(status, StatusCode::OK, "{path}: {body}");
                check(path, one_schema, &body);
            }
        }
        counts.push(ids.len());
    }
    (counts[0], counts[1], found)
}

#[tokio::test]
async fn the_official_schemas_catch_a_null_and_a_missing_name() {
    let Some(schemas) = OfficialSchemas::load() else {
        return;
    };
    let good =
        json!({"id": "0190a1b2-c3d4-7e8f-9a0b-1c2d3e4f5a6b", "name": "MUDRA", "status": "active"});
    assert!(problems(&schemas.service, &good).is_empty());
    let mut with_null = good.clone();
    with_null["minimum_age"] = Value::Null;
    assert!(!schemas.service.is_valid(&with_null));
    // A page's items are checked through the API description's reference to service_list.json.
    let page = |item: Value| {
        json!({"total_items": 1, "total_pages": 1, "page_number": 1, "size": 1,
               "first_page": true, "last_page": true, "empty": false, "contents": [item]})
    };
    assert!(schemas.service_page.is_valid(&page(good.clone())));
    assert!(!schemas.service_page.is_valid(&page(with_null)));
    let mut nameless = good.clone();
    nameless.as_object_mut().unwrap().remove("name");
    assert!(!schemas.service_page.is_valid(&page(nameless)));
    let mut bad_id = good;
    bad_id["id"] = json!("of_0190a1b2c3d47e8f9a0b1c2d3e4f5a6b");
    assert!(!schemas.service.is_valid(&bad_id), "formats are checked");
    let organization = json!({"id": "0190a1b2-c3d4-7e8f-9a0b-1c2d3e4f5a6c", "name": "SBI",
                              "description": "A bank", "services": [{"id": "x"}]});
    assert!(!schemas.organization.is_valid(&organization));
}

#[tokio::test]
async fn every_service_and_organization_of_the_demo_registry_validates_against_hsds_3() {
    let Some(schemas) = OfficialSchemas::load() else {
        return;
    };
    for backend in backends() {
        let server = TestServer::start_demo(&backend).await;
        let (services, organizations, found) = validate_feed(&server, &schemas, 20).await;
        assert!(
            services >= 40 && organizations >= 10,
            "{}: the demo registry has {services} services and {organizations} organizations",
            backend.name()
        );
        assert!(
            found.is_empty(),
            "{}: {} problems:\n{}",
            backend.name(),
            found.len(),
            found.join("\n")
        );
    }
}

/// Offerings with every optional field present, and with each absent.
fn generated_offerings() -> Vec<Value> {
    vec![
        json!({
            "kind": "finance",
            "title": "स्वयं सहायता समूह ऋण (SHG–bank linkage)",
            "description": "समूह को बिना गारंटी ऋण; ₹1 लाख तक।",
            "sectors": ["tailoring", "dairy"],
            "districts": ["up-mirzapur", "up-bhadohi"],
            "eligibility": {"gender": "female", "min_age": 18, "max_age": 60,
                            "social_categories": ["SC", "ST"], "shg_member_required": true,
                            "min_amount_inr": 10000, "max_amount_inr": 100000,
                            "stages": ["idea", "early", "established"]},
            "terms": {"interest_rate_pct": 12.5, "tenure_months": 24, "duration_days": 3,
                      "seats": 30, "starts_on": "2027-01-15", "budget_inr": 5000000},
            "valid_until": "2027-12-31"
        }),
        json!({"kind": "scheme", "title": "उद्यम पंजीकरण"}),
        json!({"kind": "finance", "title": "Kisan Credit Card",
               "eligibility": {"min_age": 21}, "terms": {"tenure_months": 12}}),
        json!({"kind": "finance", "title": "Gold loan", "terms": {"interest_rate_pct": 9.0}}),
        json!({"kind": "training", "title": "सिलाई प्रशिक्षण", "sectors": ["tailoring"],
               "eligibility": {"max_age": 45, "social_categories": ["OBC"]},
               "terms": {"duration_days": 30, "seats": 25}}),
        json!({"kind": "market", "title": "Carpet buy-back", "description": "",
               "eligibility": {"min_amount_inr": 5000}}),
    ]
}

#[tokio::test]
async fn every_service_and_organization_of_a_generated_registry_validates_against_hsds_3() {
    let Some(schemas) = OfficialSchemas::load() else {
        return;
    };
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        // A provider named in Hindi with an English name beside it, one named only in
        // Devanagari with no description, and one with neither a Hindi name nor a description.
        let mut named_twice = bank("Bank of Baroda, Gyanpur", "up-bhadohi");
        named_twice["name_local"] = json!("बैंक ऑफ़ बड़ौदा, ज्ञानपुर");
        named_twice["districts_served"] = json!(["up-bhadohi", "up-mirzapur"]);
        let hindi_only = json!({"kind": "shg", "name": "जय माँ दुर्गा स्वयं सहायता समूह",
                                "district": "up-mirzapur"});
        let bare = json!({"kind": "rseti", "name": "RSETI Mirzapur", "district": "up-mirzapur"});
        let mut providers = Vec::new();
        for provider in [named_twice, hindi_only, bare] {
            providers.push(add(&server, &token, "/api/v1/stakeholders", &provider).await);
        }
        for (n, offering) in generated_offerings().into_iter().enumerate() {
            let provider = &providers[n % providers.len()];
            let path = format!("/api/v1/stakeholders/{provider}/offerings");
            add(&server, &token, &path, &offering).await;
        }
        // An entrepreneur offers nothing: she is no organization of the feed.
        let person = add(
            &server,
            &token,
            "/api/v1/stakeholders",
            &crate::support::entrepreneur("Sunita Devi", "up-mirzapur", Some("98765 43210")),
        )
        .await;

        let (services, organizations, found) = validate_feed(&server, &schemas, 2).await;
        assert_eq!((services, organizations), (6, 3), "{}", backend.name());
        assert!(
            found.is_empty(),
            "{}: {} problems:\n{}",
            backend.name(),
            found.len(),
            found.join("\n")
        );
        let (status, _) = server
            .get(
                &format!("/api/v1/hsds/organizations/{}", hsds_id(&person)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, page) = server
            .get("/api/v1/hsds/organizations?search=दुर्गा", None)
            .await;
        assert_eq!(page["total_items"], 1, "{page}");
        assert_eq!(page["contents"][0]["name"], "जय माँ दुर्गा स्वयं सहायता समूह");
        assert!(
            page["contents"][0].get("alternate_name").is_none(),
            "no Hindi name beside it: the key is absent, not null: {page}"
        );
    }
}

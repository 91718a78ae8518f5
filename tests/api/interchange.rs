//! The registry as spreadsheets: CSV exports a facilitator opens in Excel, and CSV imports that
//! store every row or none.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    District, TestServer, add, backends, bank, entrepreneur, error_fields, mudra_loan, read,
};

const BOM: &str = "\u{feff}";

/// The CSV columns of an import file with a header and these rows.
const HEADER: &str = "kind,name,name_local,district,contact_phone,gender,age,sector,block";

async fn post_csv(
    server: &TestServer,
    path: &str,
    token: Option<&str>,
    body: impl Into<Vec<u8>>,
) -> (StatusCode, Value) {
    let mut request = server
        .client
        .post(server.url(path))
        .header("content-type", "text/csv")
        .body(body.into());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    read(request.send().await.expect("request")).await
}

/// Status, content type and body of an export.
async fn get_csv(
    server: &TestServer,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, String, String) {
    let mut request = server.client.get(server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, content_type, response.text().await.expect("body"))
}

/// An export as a spreadsheet reads it: the header, and each row as column → cell.
fn rows_of(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let text = text
        .strip_prefix(BOM)
        .expect("starts with a byte-order mark");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|record| {
            header
                .iter()
                .cloned()
                .zip(record.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn mirzapur_row(name: &str, phone: &str) -> String {
    format!("micro_entrepreneur,{name},सुनीता देवी,up-mirzapur,{phone},female,31,tailoring,Chhanbey")
}

#[tokio::test]
async fn an_export_keeps_hindi_names_and_shows_phones_only_with_a_token() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let (status, created) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-mirzapur", Some("98765 43210")),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let (_, archived) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &bank("Closed Branch", "up-mirzapur"),
            )
            .await;
        let archived_id = archived["id"].as_str().unwrap();
        server
            .delete(&format!("/api/v1/stakeholders/{archived_id}"), Some(&token))
            .await;

        let (status, content_type, text) = get_csv(
            &server,
            "/api/v1/export/stakeholders.csv?district=up-mirzapur",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {text}", backend.name());
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        let (header, rows) = rows_of(&text);
        for personal in [
            "contact_person",
            "contact_phone",
            "contact_email",
            "gender",
            "age",
            "social_category",
            "shg_member",
            "block",
        ] {
            assert!(
                !header.iter().any(|c| c == personal),
                "{personal} in {header:?}"
            );
        }
        assert!(!text.contains("9876543210"), "no phone without a token");
        assert!(
            !text.contains("sunita@example.org"),
            "no email without a token"
        );
        assert_eq!(
            rows.len(),
            1,
            "only active records without a token: {rows:?}"
        );
        assert_eq!(rows[0]["name_local"], "सुनीता देवी");
        assert_eq!(rows[0]["id"], created["id"].as_str().unwrap());
        assert_eq!(rows[0]["sector"], "tailoring");
        assert!(!text.contains("Chhanbey"), "no block without a token");

        let (_, _, text) = get_csv(
            &server,
            "/api/v1/export/stakeholders.csv?district=up-mirzapur&kind=micro_entrepreneur",
            Some(&token),
        )
        .await;
        let (_, rows) = rows_of(&text);
        assert_eq!(rows.len(), 1);
        // The apostrophe keeps Excel from reading +91… as a formula or a number.
        assert_eq!(rows[0]["contact_phone"], "'+919876543210");
        assert_eq!(rows[0]["contact_email"], "sunita@example.org");
        assert_eq!(rows[0]["gender"], "female");
        assert_eq!(rows[0]["block"], "Chhanbey");
        let (_, _, text) = get_csv(
            &server,
            "/api/v1/export/stakeholders.csv?status=all",
            Some(&token),
        )
        .await;
        assert_eq!(
            rows_of(&text).1.len(),
            2,
            "token holders may ask for archived too"
        );
        let (status, _, _) =
            get_csv(&server, "/api/v1/export/stakeholders.csv?status=all", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _, text) =
            get_csv(&server, "/api/v1/export/stakeholders.csv?kind=farmer", None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    }
}

#[tokio::test]
async fn a_formula_looking_name_is_exported_with_a_leading_apostrophe() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let mut record = bank("=HYPERLINK(\"http://evil.example\",\"SBI\")", "up-bhadohi");
        record["description"] = json!("-1+2, @SUM(A1)");
        let (status, body) = server
            .post("/api/v1/stakeholders", Some(&token), &record)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (_, _, text) = get_csv(&server, "/api/v1/export/stakeholders.csv", None).await;
        let (_, rows) = rows_of(&text);
        assert_eq!(
            rows[0]["name"],
            "'=HYPERLINK(\"http://evil.example\",\"SBI\")"
        );
        assert_eq!(rows[0]["description"], "'-1+2, @SUM(A1)");
    }
}

#[tokio::test]
async fn a_file_with_one_bad_phone_on_row_4_is_refused_and_nothing_is_stored() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let file = [
            HEADER.to_string(),
            mirzapur_row("Asha Devi", "98765 00001"),
            mirzapur_row("Beena Devi", "98765 00002"),
            mirzapur_row("Chanda Devi", "12345"),
            mirzapur_row("Durga Devi", "98765 00004"),
        ]
        .join("\n");
        let (status, body) =
            post_csv(&server, "/api/v1/import/stakeholders", Some(&token), file).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {body}",
            backend.name()
        );
        let fields = error_fields(&body, "validation_failed");
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            ["rows[4].contact.phone"],
            "{body}"
        );
        assert_eq!(server.stakeholder_count(&token).await, 0, "nothing stored");

        // Several problems in several rows are all named at once, in the API's words.
        let file = format!(
            "{HEADER}\nmicro_entrepreneur,,,up-atlantis,,female,thirty,tailoring,\nbank,SBI,,up-mirzapur,,male,,,\n"
        );
        let (status, body) =
            post_csv(&server, "/api/v1/import/stakeholders", Some(&token), file).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields = error_fields(&body, "validation_failed");
        for field in [
            "rows[2].name",
            "rows[2].district",
            "rows[2].profile.age",
            "rows[3].profile",
        ] {
            assert!(fields.contains_key(field), "{field} missing from {body}");
        }
        assert_eq!(server.stakeholder_count(&token).await, 0);
    }
}

/// Polls search until `id` is found for `q`.
async fn found_by_search(server: &TestServer, q: &str, id: &str, limit: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        let (_, body) = server
            .get(&format!("/api/v1/search?q={q}&limit=50"), None)
            .await;
        if body["hits"]
            .as_array()
            .is_some_and(|hits| hits.iter().any(|h| h["id"] == id))
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    false
}

#[tokio::test]
async fn a_good_file_creates_every_row_findable_by_district_and_by_search() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let file = format!(
            "{BOM}{HEADER}\n{}\n{}\n{}\n",
            mirzapur_row("Asha Devi", "98765 00001"),
            mirzapur_row("Beena Zardozi Devi", "'+91 98765 00002"),
            mirzapur_row("Chanda Devi", ""),
        );
        let (status, body) = post_csv(
            &server,
            "/api/v1/import/stakeholders?dry_run=true",
            Some(&token),
            file.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", backend.name());
        assert_eq!(body["would_create"], 3);
        assert_eq!(
            server.stakeholder_count(&token).await,
            0,
            "a dry run stores nothing"
        );

        let (status, body) =
            post_csv(&server, "/api/v1/import/stakeholders", Some(&token), file).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["created"], 3);
        let ids: Vec<&str> = body["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 3);

        let (_, listed) = server
            .get("/api/v1/stakeholders?district=up-mirzapur", Some(&token))
            .await;
        let listed = listed.as_array().unwrap();
        assert_eq!(listed.len(), 3);
        let beena = listed.iter().find(|s| s["id"] == ids[1]).unwrap();
        assert_eq!(beena["name"], "Beena Zardozi Devi");
        assert_eq!(beena["name_local"], "सुनीता देवी");
        assert_eq!(beena["contact"]["phone"], "+919876500002");
        assert_eq!(beena["created_via"], "import");
        assert_eq!(beena["created_by"], "test facilitator");
        assert_eq!(beena["status"], "active");
        assert_eq!(beena["profile"]["block"], "Chhanbey");

        assert!(
            found_by_search(&server, "zardozi", ids[1], Duration::from_secs(3)).await,
            "an imported stakeholder is searchable within seconds"
        );
    }
}

#[tokio::test]
async fn an_export_imported_into_a_fresh_server_gives_the_same_records() {
    for backend in backends() {
        let source = TestServer::start(&backend).await;
        let token = source.token("facilitator").await;
        let mut records = vec![
            entrepreneur("Sunita Devi", "up-mirzapur", Some("98765 43210")),
            bank("State Bank of India, Gyanpur", "up-bhadohi"),
        ];
        records[0]["description"] = json!("Line one, with a comma.\nLine two: \"quoted\" — सिलाई.");
        records[1]["name"] = json!("=Bank, \"Gyanpur\"");
        records[1]["districts_served"] = json!(["up-bhadohi", "up-mirzapur"]);
        for record in &records {
            let (status, body) = source
                .post("/api/v1/stakeholders", Some(&token), record)
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let (_, _, exported) =
            get_csv(&source, "/api/v1/export/stakeholders.csv", Some(&token)).await;

        let target = TestServer::start(&backend).await;
        let target_token = target.token("admin").await;
        let (status, body) = post_csv(
            &target,
            "/api/v1/import/stakeholders",
            Some(&target_token),
            exported,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{}: {body}", backend.name());
        assert_eq!(body["created"], 2);

        let content = |list: Value| -> Vec<Value> {
            let mut list: Vec<Value> = list
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    let mut s = s.clone();
                    for meta in [
                        "id",
                        "created_via",
                        "created_by",
                        "created_at",
                        "updated_at",
                    ] {
                        s.as_object_mut().unwrap().remove(meta);
                    }
                    s
                })
                .collect();
            list.sort_by_key(|s| s["name"].as_str().unwrap().to_string());
            list
        };
        let (_, before) = source.get("/api/v1/stakeholders", Some(&token)).await;
        let (_, after) = target
            .get("/api/v1/stakeholders", Some(&target_token))
            .await;
        assert_eq!(content(after), content(before));
    }
}

#[tokio::test]
async fn duplicates_are_refused_row_by_row_unless_allowed() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let (_, existing) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-mirzapur", Some("98765 43210")),
            )
            .await;
        let file = [
            HEADER.to_string(),
            mirzapur_row("Asha Devi", "98765 00001"),
            mirzapur_row("Rekha", "09876543210"),
            mirzapur_row("ASHA  devi", ""),
        ]
        .join("\n");
        let (status, body) = post_csv(
            &server,
            "/api/v1/import/stakeholders",
            Some(&token),
            file.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{}: {body}", backend.name());
        let rows = body["error"]["details"]["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{body}");
        assert_eq!(rows[0]["row"], 3);
        assert_eq!(rows[0]["duplicates"][0]["id"], existing["id"]);
        assert_eq!(rows[0]["duplicates"][0]["reason"], "same phone number");
        assert_eq!(rows[1]["row"], 4);
        assert_eq!(rows[1]["duplicates"][0]["row"], 2);
        assert_eq!(server.stakeholder_count(&token).await, 1);

        let (status, body) = post_csv(
            &server,
            "/api/v1/import/stakeholders?allow_duplicate=true",
            Some(&token),
            file,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let ids = body["ids"].as_array().unwrap();
        let (_, rekha) = server
            .get(
                &format!("/api/v1/stakeholders/{}", ids[1].as_str().unwrap()),
                Some(&token),
            )
            .await;
        assert_eq!(rekha["possible_duplicates"], json!([existing["id"]]));
        let (_, asha_again) = server
            .get(
                &format!("/api/v1/stakeholders/{}", ids[2].as_str().unwrap()),
                Some(&token),
            )
            .await;
        assert_eq!(asha_again["possible_duplicates"], json!([ids[0]]));
        assert_eq!(server.stakeholder_count(&token).await, 4);
    }
}

#[tokio::test]
async fn only_facilitators_and_admins_import() {
    let server = TestServer::start(&crate::support::Backend::Sqlite).await;
    let file = format!("{HEADER}\n{}\n", mirzapur_row("Asha Devi", ""));
    let (status, body) = post_csv(&server, "/api/v1/import/stakeholders", None, file.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let consultant = server.token("consultant").await;
    let (status, body) = post_csv(
        &server,
        "/api/v1/import/stakeholders",
        Some(&consultant),
        file,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(server.stakeholder_count(&consultant).await, 0);
}

#[tokio::test]
async fn malformed_files_get_clear_errors_and_change_nothing() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let import =
            |body: Vec<u8>| post_csv(&server, "/api/v1/import/stakeholders", Some(&token), body);

        let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
            (
                "empty",
                Vec::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "file",
            ),
            (
                "only a BOM",
                BOM.as_bytes().to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "file",
            ),
            (
                "header only",
                format!("{HEADER}\n").into_bytes(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "file",
            ),
            (
                "unknown column",
                b"kind,name,district,colour\nbank,SBI,up-mirzapur,red\n".to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "header",
            ),
            (
                "missing column",
                b"name,district\nSBI,up-mirzapur\n".to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "header",
            ),
            (
                "ragged row",
                b"kind,name,district\nbank,SBI,up-mirzapur,extra,cells\n".to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "rows[2]",
            ),
            (
                "Windows-1252",
                b"kind,name,district\nbank,Caf\xe9,up-mirzapur\n".to_vec(),
                StatusCode::BAD_REQUEST,
                "",
            ),
            (
                "binary",
                vec![0xff, 0xfe, 0x00, 0x01, 0x02],
                StatusCode::BAD_REQUEST,
                "",
            ),
            (
                "unbalanced quote",
                b"kind,name,district\nbank,\"SBI,up-mirzapur\n".to_vec(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "rows[2].district",
            ),
            (
                "a huge cell",
                format!(
                    "kind,name,district\nbank,{},up-mirzapur\n",
                    "x".repeat(1_000_000)
                )
                .into_bytes(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "rows[2].name",
            ),
        ];
        for (what, body, expected, field) in cases {
            let (status, answer) = import(body).await;
            assert_eq!(status, expected, "{what} on {}: {answer}", backend.name());
            if !field.is_empty() {
                let fields = error_fields(&answer, "validation_failed");
                assert!(fields.contains_key(field), "{what}: {answer}");
            } else {
                assert_eq!(answer["error"]["code"], "bad_request", "{what}: {answer}");
                assert!(
                    answer["error"]["message"]
                        .as_str()
                        .unwrap()
                        .contains("UTF-8"),
                    "{what}: {answer}"
                );
            }
        }

        let too_many = format!(
            "{HEADER}\n{}",
            (0..5_001)
                .map(|i| mirzapur_row(&format!("Person {i}"), ""))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let (status, answer) = import(too_many.into_bytes()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("5000 rows")
        );

        let (status, answer) = import(vec![b'a'; 6 * 1024 * 1024]).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");

        let (status, answer) = server
            .post(
                "/api/v1/import/stakeholders",
                Some(&token),
                &json!({"kind": "bank"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{answer}");

        assert_eq!(server.stakeholder_count(&token).await, 0);
        let (status, _) = server.get("/readyz", None).await;
        assert_eq!(status, StatusCode::OK, "the server is still up");
    }
}

#[tokio::test]
async fn offerings_export_shows_what_anyone_may_see_by_district_and_kind() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let mirzapur = District::new(&server, &token, "up-mirzapur");
        let provider_id = mirzapur
            .stakeholder(&bank("SBI Chunar", "up-mirzapur"))
            .await;
        mirzapur.offering(&provider_id, &mudra_loan()).await;
        let path = format!("/api/v1/stakeholders/{provider_id}/offerings");
        let mut archived = mudra_loan();
        archived["title"] = json!("Old scheme");
        let (_, old) = server.post(&path, Some(&token), &archived).await;
        server
            .delete(
                &format!("/api/v1/offerings/{}", old["id"].as_str().unwrap()),
                Some(&token),
            )
            .await;

        let (status, _, text) = get_csv(
            &server,
            "/api/v1/export/offerings.csv?district=up-mirzapur&kind=finance",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {text}", backend.name());
        let (_, rows) = rows_of(&text);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0]["title"], "MUDRA Shishu loan for women tailors");
        assert_eq!(rows[0]["provider_name"], "SBI Chunar");
        assert_eq!(rows[0]["sectors"], "tailoring");
        assert_eq!(rows[0]["stages"], "idea;early");
        assert_eq!(rows[0]["max_amount_inr"], "50000");
        let (_, _, text) =
            get_csv(&server, "/api/v1/export/offerings.csv?kind=training", None).await;
        assert!(rows_of(&text).1.is_empty());
        let (_, _, text) = get_csv(
            &server,
            "/api/v1/export/offerings.csv?status=all",
            Some(&token),
        )
        .await;
        assert_eq!(rows_of(&text).1.len(), 2);
    }
}

#[tokio::test]
async fn the_command_line_imports_a_file_and_refuses_a_bad_one() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let dir = tempfile::tempdir().unwrap();

        let bad = dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            format!(
                "{HEADER}\n{}\n{}\n{}\n",
                mirzapur_row("Asha Devi", "98765 00001"),
                mirzapur_row("Beena Devi", "98765 00002"),
                mirzapur_row("Chanda Devi", "12345"),
            ),
        )
        .unwrap();
        let output = server
            .cli(&["import", "stakeholders", bad.to_str().unwrap()])
            .await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "a bad file fails: {stderr}");
        assert!(stderr.contains("row 4, contact.phone"), "{stderr}");
        assert!(stderr.contains("nothing was stored"), "{stderr}");
        assert_eq!(server.stakeholder_count(&token).await, 0);

        let good = dir.path().join("good.csv");
        std::fs::write(
            &good,
            format!(
                "{HEADER}\n{}\n{}\n",
                mirzapur_row("Asha Devi", "98765 00001"),
                mirzapur_row("Beena Chikankari Devi", "98765 00002"),
            ),
        )
        .unwrap();
        let output = server
            .cli(&[
                "import",
                "stakeholders",
                good.to_str().unwrap(),
                "--dry-run",
            ])
            .await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("would create 2 stakeholders") && stdout.contains("nothing was stored"),
            "{stdout}"
        );
        assert_eq!(server.stakeholder_count(&token).await, 0);

        let output = server
            .cli(&["import", "stakeholders", good.to_str().unwrap()])
            .await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("created 2 stakeholders"), "{stdout}");
        let (_, listed) = server
            .get("/api/v1/stakeholders?district=up-mirzapur", None)
            .await;
        assert_eq!(listed.as_array().unwrap().len(), 2);
        assert!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["created_via"] == "import")
        );

        // The running server's indexer picks up what the command stored.
        let beena = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "Beena Chikankari Devi")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(found_by_search(&server, "chikankari", &beena, Duration::from_secs(5)).await);

        // The same file again: every row is now a duplicate.
        let output = server
            .cli(&["import", "stakeholders", good.to_str().unwrap()])
            .await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(stderr.contains("row 2: same phone number"), "{stderr}");
        assert_eq!(server.stakeholder_count(&token).await, 2);
    }
}

#[tokio::test]
async fn needs_export_lists_what_entrepreneurs_ask_for_by_district() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let mut owners = Vec::new();
        for (name, district, phone) in [
            ("Sunita Devi", "up-mirzapur", "98765 43210"),
            ("Rekha Bind", "up-bhadohi", "98765 43211"),
        ] {
            owners.push(
                add(
                    &server,
                    &token,
                    "/api/v1/stakeholders",
                    &entrepreneur(name, district, Some(phone)),
                )
                .await,
            );
        }
        for owner in &owners {
            let need = json!({"kind": "finance", "title": "दो सिलाई मशीनों के लिए ऋण", "sector": "tailoring", "amount_inr": 45000});
            let (status, body) = server
                .post(
                    &format!("/api/v1/stakeholders/{owner}/needs"),
                    Some(&token),
                    &need,
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        // An archived entrepreneur's needs are not for everyone to see.
        server
            .delete(&format!("/api/v1/stakeholders/{}", owners[1]), Some(&token))
            .await;

        let (status, _, text) = get_csv(
            &server,
            "/api/v1/export/needs.csv?district=up-mirzapur&kind=finance",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {text}", backend.name());
        let (_, rows) = rows_of(&text);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0]["title"], "दो सिलाई मशीनों के लिए ऋण");
        assert_eq!(rows[0]["stakeholder_name"], "Sunita Devi");
        assert_eq!(rows[0]["amount_inr"], "45000");
        let (_, _, text) = get_csv(&server, "/api/v1/export/needs.csv", None).await;
        assert_eq!(rows_of(&text).1.len(), 1, "archived owners' needs left out");
        let (_, _, text) =
            get_csv(&server, "/api/v1/export/needs.csv?status=all", Some(&token)).await;
        assert_eq!(rows_of(&text).1.len(), 2);
    }
}

#[tokio::test]
async fn the_largest_file_one_request_takes_is_stored_and_exported_page_by_page() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let rows = 5_000;
        let file = format!(
            "{HEADER}\n{}",
            (0..rows)
                .map(|i| mirzapur_row(&format!("Person {i}"), &format!("9{i:09}")))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let started = Instant::now();
        let (status, body) =
            post_csv(&server, "/api/v1/import/stakeholders", Some(&token), file).await;
        assert_eq!(status, StatusCode::CREATED, "{}: {body}", backend.name());
        assert_eq!(body["created"], rows);
        eprintln!(
            "{}: {rows} rows imported in {:.1} s",
            backend.name(),
            started.elapsed().as_secs_f64()
        );

        // More than one page of the store (500 at a time), each record once, oldest first.
        let (status, _, text) = get_csv(
            &server,
            "/api/v1/export/stakeholders.csv?district=up-mirzapur",
            Some(&token),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (_, exported) = rows_of(&text);
        assert_eq!(exported.len(), rows);
        let names: Vec<&str> = exported.iter().map(|r| r["name"].as_str()).collect();
        let expected: Vec<String> = (0..rows).map(|i| format!("Person {i}")).collect();
        assert_eq!(
            names,
            expected.iter().map(String::as_str).collect::<Vec<_>>()
        );

        // Streamed: sent in pieces as pages are read, with no length known in advance, and
        // arriving as more than one chunk.
        let mut response = server
            .client
            .get(server.url("/api/v1/export/stakeholders.csv"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert!(response.headers().get("content-length").is_none());
        assert_eq!(
            response
                .headers()
                .get("transfer-encoding")
                .and_then(|v| v.to_str().ok()),
            Some("chunked")
        );
        let mut chunks = 0;
        let mut bytes = 0;
        while let Some(chunk) = response.chunk().await.unwrap() {
            chunks += 1;
            bytes += chunk.len();
        }
        assert!(
            chunks > 1 && bytes == text.len(),
            "{chunks} chunks, {bytes} bytes"
        );

        // The workbook of the same records: every page in order, sent in chunks as it is
        // zipped from its temporary file (no length known in advance).
        let mut response = server
            .client
            .get(server.url("/api/v1/export/stakeholders.xlsx?district=up-mirzapur"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get("content-length").is_none());
        let mut workbook = Vec::new();
        let mut chunks = 0;
        while let Some(chunk) = response.chunk().await.unwrap() {
            chunks += 1;
            workbook.extend_from_slice(&chunk);
        }
        assert!(chunks > 1, "{chunks} chunks");
        let (_, sheet) = sheet_of(&workbook);
        let names: Vec<String> = sheet.iter().map(|r| r["name"].to_string()).collect();
        assert_eq!(names, expected, "{}", backend.name());
        assert_eq!(sheet[0]["name_local"].to_string(), "सुनीता देवी");
        assert_eq!(sheet[0]["contact_phone"].to_string(), "+919000000000");
    }
}

#[tokio::test]
async fn offerings_import_for_the_provider_each_row_names_all_or_nothing() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let mirzapur = District::new(&server, &token, "up-mirzapur");
        let provider_id = mirzapur
            .stakeholder(&bank("SBI Chunar", "up-mirzapur"))
            .await;
        let offerings_path = format!("/api/v1/stakeholders/{provider_id}/offerings");
        let (status, loan) = server
            .post(&offerings_path, Some(&token), &mudra_loan())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{loan}");

        // The exported file goes back in as it is: its row names the loan, which it leaves
        // as it is.
        let (_, _, exported) = get_csv(&server, "/api/v1/export/offerings.csv", Some(&token)).await;
        let (status, body) = post_csv(
            &server,
            "/api/v1/import/offerings?dry_run=true",
            Some(&token),
            exported.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", backend.name());
        assert_eq!(
            (body["would_create"].clone(), body["unchanged"].clone()),
            (json!(0), json!(1)),
            "{body}"
        );
        let (status, body) = post_csv(
            &server,
            "/api/v1/import/offerings",
            Some(&token),
            exported.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["unchanged"], 1, "{body}");

        // Without its id column, the same row is a copy: the same provider, kind and title as
        // the loan, refused like a duplicate stakeholder unless allowed.
        let without_ids: String = exported
            .lines()
            .map(|line| line.split_once(',').map_or(line, |(_, rest)| rest))
            .collect::<Vec<_>>()
            .join("\n");
        let (status, body) = post_csv(
            &server,
            "/api/v1/import/offerings",
            Some(&token),
            without_ids.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let rows = &body["error"]["details"]["rows"];
        assert_eq!(rows[0]["row"], 2, "{body}");
        assert_eq!(rows[0]["duplicates"][0]["id"], loan["id"], "{body}");
        assert_eq!(
            rows[0]["duplicates"][0]["reason"],
            "same provider, kind and title"
        );
        let (status, body) = post_csv(
            &server,
            "/api/v1/import/offerings?allow_duplicate=true",
            Some(&token),
            without_ids,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let copy_id = body["ids"][0].as_str().unwrap();
        let (_, copy) = server
            .get(&format!("/api/v1/offerings/{copy_id}"), None)
            .await;
        for field in [
            "kind",
            "title",
            "description",
            "sectors",
            "districts",
            "eligibility",
            "terms",
            "valid_until",
        ] {
            assert_eq!(copy[field], loan[field], "{field}");
        }
        assert_eq!(copy["stakeholder_id"], provider_id.as_str());
        assert_eq!(copy["created_via"], "import");

        // One unknown provider and one impossible amount: nothing stored, both named.
        let file = format!(
            "provider_id,kind,title,max_amount_inr\n\
             {provider_id},training,Silai course,\n\
             st_nobody,finance,Loan,\n\
             {provider_id},finance,Big loan,999999999999\n"
        );
        let (status, body) =
            post_csv(&server, "/api/v1/import/offerings", Some(&token), file).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields = error_fields(&body, "validation_failed");
        assert!(fields.contains_key("rows[3].provider_id"), "{body}");
        assert!(
            fields.contains_key("rows[4].eligibility.max_amount_inr"),
            "{body}"
        );
        let (_, listed) = server.get(&offerings_path, None).await;
        assert_eq!(listed.as_array().unwrap().len(), 2, "nothing more stored");

        // The command line takes the same file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offerings.csv");
        std::fs::write(
            &path,
            format!(
                "provider_id,kind,title,sectors\n{provider_id},training,सिलाई प्रशिक्षण,tailoring\n"
            ),
        )
        .unwrap();
        let output = server
            .cli(&["import", "offerings", path.to_str().unwrap()])
            .await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("created 1 offering,"), "{stdout}");
        let (_, listed) = server.get(&offerings_path, None).await;
        assert_eq!(listed.as_array().unwrap().len(), 3);
    }
}

#[tokio::test]
async fn a_monthly_file_changes_the_records_it_names_and_a_dry_run_shows_each_change() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let mut ids = Vec::new();
        for (name, phone) in [("Sunita Devi", "98765 43210"), ("Asha Devi", "98765 00001")] {
            ids.push(
                add(
                    &server,
                    &token,
                    "/api/v1/stakeholders",
                    &entrepreneur(name, "up-mirzapur", Some(phone)),
                )
                .await,
            );
        }
        let (sunita, asha) = (&ids[0], &ids[1]);
        // Row 2 changes Sunita's phone and age; row 3 is new; row 4 names Asha as she is (her
        // phone typed another way); row 5 moves her to a district that does not exist.
        let file = |with_bad_row: bool| {
            let mut lines = vec![
                "id,kind,name,district,contact_phone,age".to_string(),
                format!("{sunita},micro_entrepreneur,Sunita Devi,up-mirzapur,098765 00099,32"),
                ",micro_entrepreneur,Rekha Bind,up-bhadohi,98765 00077,".to_string(),
            ];
            if with_bad_row {
                lines.push(format!(
                    "{asha},micro_entrepreneur,Asha Devi,up-atlantis,+91 98765 00001,31"
                ));
            } else {
                lines.push(format!(
                    "{asha},micro_entrepreneur,Asha Devi,up-mirzapur,+91 98765 00001,31"
                ));
            }
            lines.join("\r\n")
        };
        let (status, report) = post_csv(
            &server,
            "/api/v1/import/stakeholders?dry_run=true",
            Some(&token),
            file(true),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {report}", backend.name());
        assert_eq!(
            [
                &report["would_create"],
                &report["would_change"],
                &report["unchanged"],
                &report["would_refuse"]
            ],
            [&json!(1), &json!(1), &json!(0), &json!(1)],
            "{report}"
        );
        assert_eq!(report["created"][0]["row"], 3);
        assert_eq!(report["created"][0]["name"], "Rekha Bind");
        let changed = &report["changed"][0];
        assert_eq!(changed["row"], 2);
        assert_eq!(changed["id"], sunita.as_str());
        assert_eq!(
            changed["fields"],
            json!({
                "contact.phone": {"from": "+919876543210", "to": "+919876500099"},
                "profile.age": {"from": 31, "to": 32}
            }),
            "only what the row changes, field by field: {report}"
        );
        assert_eq!(report["refused"][0]["row"], 4);
        assert!(
            report["refused"][0]["fields"]["district"]
                .as_str()
                .unwrap()
                .contains("up-atlantis"),
            "{report}"
        );

        // Stored for real, the bad row refuses the whole file.
        let (status, body) = post_csv(
            &server,
            "/api/v1/import/stakeholders",
            Some(&token),
            file(true),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(error_fields(&body, "validation_failed").contains_key("rows[4].district"));
        let (_, unchanged) = server
            .get(&format!("/api/v1/stakeholders/{sunita}"), Some(&token))
            .await;
        assert_eq!(unchanged["contact"]["phone"], "+919876543210");
        assert_eq!(server.stakeholder_count(&token).await, 2);

        let (status, body) = post_csv(
            &server,
            "/api/v1/import/stakeholders",
            Some(&token),
            file(false),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(
            (&body["created"], &body["changed"], &body["unchanged"]),
            (&json!(1), &json!(1), &json!(1)),
            "{body}"
        );
        assert_eq!(body["changed_ids"], json!([sunita]));
        let (_, after) = server
            .get(&format!("/api/v1/stakeholders/{sunita}"), Some(&token))
            .await;
        assert_eq!(after["contact"]["phone"], "+919876500099");
        assert_eq!(after["profile"]["age"], 32);
        // Columns the file does not have are left alone (a merge, as PATCH).
        assert_eq!(after["name_local"], "सुनीता देवी");
        assert_eq!(after["profile"]["sector"], "tailoring");
        assert_eq!(after["contact"]["email"], "sunita@example.org");
        assert_eq!(server.stakeholder_count(&token).await, 3);

        // An empty cell clears its field; a record named twice in one file is refused.
        let file = format!(
            "id,contact_email,description\n{sunita},,\n{asha},asha@example.org,\n{asha},,\n"
        );
        let (status, body) =
            post_csv(&server, "/api/v1/import/stakeholders", Some(&token), file).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            error_fields(&body, "validation_failed")["rows[4].id"]
                .as_str()
                .unwrap()
                .contains("row 3 already changes"),
            "{body}"
        );
        let file = format!("id,contact_email,description\n{sunita},,\n");
        let (status, body) =
            post_csv(&server, "/api/v1/import/stakeholders", Some(&token), file).await;
        assert_eq!(status, StatusCode::OK, "nothing created: {body}");
        let (_, cleared) = server
            .get(&format!("/api/v1/stakeholders/{sunita}"), Some(&token))
            .await;
        assert!(cleared["contact"].get("email").is_none_or(Value::is_null));
        assert!(cleared.get("description").is_none_or(Value::is_null));
        assert_eq!(cleared["contact"]["phone"], "+919876500099");
    }
}

#[tokio::test]
async fn needs_are_imported_for_the_owner_named_by_id_or_by_phone() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let mut owners = Vec::new();
        for (name, district, phone) in [
            ("Sunita Devi", "up-mirzapur", "98765 43210"),
            ("Rekha Bind", "up-bhadohi", "98765 43211"),
        ] {
            let (_, body) = server
                .post(
                    "/api/v1/stakeholders",
                    Some(&token),
                    &entrepreneur(name, district, Some(phone)),
                )
                .await;
            owners.push(body["id"].as_str().unwrap().to_string());
        }
        let rekha = &owners[1];
        let file = |rows: &[String]| {
            format!(
                "stakeholder_id,stakeholder_phone,kind,title,sector,amount_inr\n{}\n",
                rows.join("\n")
            )
        };
        let good = [
            format!("{rekha},,finance,Loan for a buffalo,dairy,\"60,000\""),
            ",+91 98765 43210,training,सिलाई प्रशिक्षण,tailoring,".to_string(),
        ];
        let mut with_bad = good.to_vec();
        with_bad.push(",98765 11111,market,Buyer for carpets,,".to_string());
        with_bad.push(",,market,Buyer for pickles,,".to_string());
        let (status, body) = post_csv(
            &server,
            "/api/v1/import/needs",
            Some(&token),
            file(&with_bad),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {body}",
            backend.name()
        );
        let fields = error_fields(&body, "validation_failed");
        assert!(
            fields["rows[4].stakeholder_phone"]
                .as_str()
                .unwrap()
                .contains("no registered stakeholder has the phone +919876511111"),
            "{body}"
        );
        assert!(fields.contains_key("rows[5].stakeholder_id"), "{body}");

        let (status, body) =
            post_csv(&server, "/api/v1/import/needs", Some(&token), file(&good)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["created"], 2);
        let (_, sunitas) = server
            .get(&format!("/api/v1/stakeholders/{}/needs", owners[0]), None)
            .await;
        assert_eq!(sunitas[0]["title"], "सिलाई प्रशिक्षण", "{sunitas}");
        assert_eq!(sunitas[0]["created_via"], "import");
        let (_, rekhas) = server
            .get(&format!("/api/v1/stakeholders/{rekha}/needs"), None)
            .await;
        assert_eq!(rekhas[0]["amount_inr"], 60000);

        // The export goes back in with a changed amount: that need changes, the other stays.
        let (_, _, exported) = get_csv(&server, "/api/v1/export/needs.csv", Some(&token)).await;
        let edited = exported.replace(",60000,", ",75000,");
        assert_ne!(edited, exported);
        let (status, report) = post_csv(
            &server,
            "/api/v1/import/needs?dry_run=true",
            Some(&token),
            edited.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(
            report["changed"][0]["fields"],
            json!({"amount_inr": {"from": 60000, "to": 75000}}),
            "{report}"
        );
        assert_eq!(report["unchanged"], 1);
        let (status, body) = post_csv(&server, "/api/v1/import/needs", Some(&token), edited).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, rekhas) = server
            .get(&format!("/api/v1/stakeholders/{rekha}/needs"), None)
            .await;
        assert_eq!(rekhas[0]["amount_inr"], 75000);
        assert_eq!(rekhas.as_array().unwrap().len(), 1, "changed, not copied");
    }
}

/// Status, content type and bytes of a download.
async fn download(
    server: &TestServer,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, String, Vec<u8>) {
    let mut request = server.client.get(server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (
        status,
        content_type,
        response.bytes().await.expect("body").to_vec(),
    )
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn post_file(
    server: &TestServer,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let request = server
        .client
        .post(server.url(path))
        .header("content-type", content_type)
        .bearer_auth(token)
        .body(body);
    read(request.send().await.expect("request")).await
}

/// The first worksheet as Excel shows it: header names, and each row as column → cell.
fn sheet_of(bytes: &[u8]) -> (String, Vec<BTreeMap<String, calamine::Data>>) {
    use calamine::Reader;
    let mut workbook =
        calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let name = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .unwrap()
        .iter()
        .map(|cell| cell.to_string())
        .collect();
    let rows = rows
        .map(|cells| header.iter().cloned().zip(cells.iter().cloned()).collect())
        .collect();
    (name, rows)
}

/// The worksheet's XML, for what calamine does not show (frozen panes, column widths).
fn sheet_xml(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    xml
}

#[tokio::test]
async fn excel_workbooks_show_hindi_phones_amounts_and_dates_as_a_facilitator_sees_them() {
    use calamine::Data;
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let (_, sunita) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-mirzapur", Some("98765 43210")),
            )
            .await;
        let bhadohi = District::new(&server, &token, "up-bhadohi");
        let bank_id = bhadohi
            .stakeholder(&bank("=State Bank of India, Gyanpur", "up-bhadohi"))
            .await;
        bhadohi.offering(&bank_id, &mudra_loan()).await;

        let (status, content_type, workbook) =
            download(&server, "/api/v1/export/stakeholders.xlsx", Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{}", backend.name());
        assert_eq!(content_type, XLSX);
        let (sheet, rows) = sheet_of(&workbook);
        assert_eq!(sheet, "stakeholders");
        let row = rows
            .iter()
            .find(|r| r["id"] == Data::String(sunita["id"].as_str().unwrap().into()))
            .unwrap();
        assert_eq!(row["name_local"], Data::String("सुनीता देवी".into()));
        assert_eq!(
            row["contact_phone"],
            Data::String("+919876543210".into()),
            "the phone is text: Excel keeps its + and every digit"
        );
        assert_eq!(row["age"], Data::Float(31.0), "a number to sum and sort");
        let bank_row = rows
            .iter()
            .find(|r| r["kind"] == Data::String("bank".into()))
            .unwrap();
        assert_eq!(
            bank_row["name"],
            Data::String("=State Bank of India, Gyanpur".into()),
            "text, not a formula, and without the CSV's apostrophe"
        );
        let xml = sheet_xml(&workbook);
        assert!(
            xml.contains("state=\"frozen\"") && xml.contains("ySplit=\"1\""),
            "the header row stays in view: {xml:.600}"
        );
        assert!(
            xml.contains("<cols>") && xml.contains("customWidth"),
            "columns are sized"
        );

        // Without a token, no contact or personal column, as for CSV.
        let (_, _, public) = download(&server, "/api/v1/export/stakeholders.xlsx", None).await;
        let (_, public_rows) = sheet_of(&public);
        assert!(!public_rows[0].contains_key("contact_phone"));

        let (_, _, offerings) = download(
            &server,
            "/api/v1/export/offerings.csv?format=xlsx",
            Some(&token),
        )
        .await;
        let (_, offering_rows) = sheet_of(&offerings);
        let loan = &offering_rows[0];
        match &loan["valid_until"] {
            Data::DateTime(date) => {
                assert!(date.is_datetime());
                let (y, m, d, ..) = date.to_ymd_hms_milli();
                assert_eq!((y, m, d), (2027, 3, 31));
            }
            other => panic!("valid_until is a date, not {other:?}"),
        }
        assert_eq!(loan["max_amount_inr"], Data::Float(50000.0));
        assert_eq!(
            loan["title"],
            Data::String("MUDRA Shishu loan for women tailors".into())
        );

        // The workbook goes back in unchanged.
        let (status, body) = post_file(
            &server,
            "/api/v1/import/stakeholders",
            &token,
            XLSX,
            workbook.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["unchanged"], 2, "{body}");
    }
}

/// A workbook as a facilitator fills it in: the phone typed as a number, amounts as numbers.
fn needs_workbook(rows: &[(f64, &str, &str, f64)]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, heading) in ["Stakeholder Phone", "Kind", "Title", "Amount INR"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, column as u16, *heading).unwrap();
    }
    for (n, (phone, kind, title, amount)) in rows.iter().enumerate() {
        let row = n as u32 + 1;
        sheet.write_number(row, 0, *phone).unwrap();
        sheet.write_string(row, 1, *kind).unwrap();
        sheet.write_string(row, 2, *title).unwrap();
        sheet.write_number(row, 3, *amount).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

#[tokio::test]
async fn needs_come_in_from_excel_over_http_and_the_command_line_and_go_out_again() {
    use calamine::Data;
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let (_, sunita) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-mirzapur", Some("98765 43210")),
            )
            .await;
        let sunita_id = sunita["id"].as_str().unwrap();

        let bad = needs_workbook(&[
            (9876543210.0, "finance", "दो सिलाई मशीनों के लिए ऋण", 45000.0),
            (9876543210.0, "loan", "Working capital", 10000.0),
        ]);
        let (status, body) = post_file(
            &server,
            "/api/v1/import/needs?format=xlsx",
            &token,
            "application/octet-stream",
            bad,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {body}",
            backend.name()
        );
        assert!(
            error_fields(&body, "validation_failed").contains_key("rows[3].kind"),
            "{body}"
        );

        let good = needs_workbook(&[(9876543210.0, "finance", "दो सिलाई मशीनों के लिए ऋण", 45000.0)]);
        let (status, body) = post_file(
            &server,
            "/api/v1/import/needs?format=xlsx",
            &token,
            "application/octet-stream",
            good,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (_, needs) = server
            .get(&format!("/api/v1/stakeholders/{sunita_id}/needs"), None)
            .await;
        assert_eq!(needs[0]["title"], "दो सिलाई मशीनों के लिए ऋण");
        assert_eq!(needs[0]["amount_inr"], 45000);

        // CSV sent as a workbook is refused with how to save one; nothing is stored.
        let (status, body) = post_file(
            &server,
            "/api/v1/import/needs",
            &token,
            XLSX,
            b"stakeholder_phone,kind,title\n9876543210,finance,Loan\n".to_vec(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(".xlsx"),
            "{body}"
        );

        // The command line writes the workbook and reads it back.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("needs.xlsx");
        let output = server
            .cli(&["export", "needs", "--out", path.to_str().unwrap()])
            .await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("wrote 1 need to"), "{stdout}");
        let (_, rows) = sheet_of(&std::fs::read(&path).unwrap());
        assert_eq!(
            rows[0]["title"],
            Data::String("दो सिलाई मशीनों के लिए ऋण".into())
        );
        assert_eq!(rows[0]["amount_inr"], Data::Float(45000.0));
        let output = server
            .cli(&["import", "needs", path.to_str().unwrap(), "--dry-run"])
            .await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            stdout.contains("would create 0 needs, change 0, leave 1 unchanged"),
            "{stdout}"
        );
    }
}

/// Browsers ask for gzip; the exports streamed through the compression layer used to be cut off
/// after their last page (found by schemathesis, CSV first, then the streamed workbooks), so the
/// download failed part way.
#[tokio::test]
async fn an_export_arrives_whole_when_the_client_accepts_gzip() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let (status, _) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-mirzapur", None),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        for path in [
            "/api/v1/export/stakeholders.csv?district=up-mirzapur",
            "/api/v1/export/offerings.csv",
            "/api/v1/export/needs.csv",
            "/api/v1/export/stakeholders.xlsx?district=up-mirzapur",
            "/api/v1/export/offerings.xlsx",
            "/api/v1/export/needs.xlsx",
        ] {
            let response = server
                .client
                .get(server.url(path))
                .bearer_auth(&token)
                .header("accept-encoding", "gzip")
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(response.headers()["content-encoding"], "gzip", "{path}");
            let body = response.bytes().await;
            assert!(body.is_ok(), "{path} was cut off: {body:?}");
            // A gzip stream starts with its magic number; a finished one is at least 18 bytes.
            let body = body.unwrap();
            assert!(
                body.starts_with(&[0x1f, 0x8b]) && body.len() >= 18,
                "{path}"
            );
        }
    }
}

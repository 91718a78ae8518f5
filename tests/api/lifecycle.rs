//! Stakeholders, offerings and needs through their whole life: create, read, list, edit,
//! archive, restore, and survival across a kill of the server.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestServer, add, backends, bank, entrepreneur, mudra_loan};

#[tokio::test]
async fn a_stakeholder_is_created_read_listed_edited_and_archived() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;

        let (status, created) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-mirzapur", Some("098765-43210")),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{}: {created}", backend.name());
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!(
            created["contact"]["phone"], "+919876543210",
            "phone normalised"
        );
        assert_eq!(
            created["districts_served"],
            json!(["up-mirzapur"]),
            "defaults to the home district"
        );
        assert_eq!(created["status"], "active");
        assert_eq!(created["created_via"], "api");
        assert_eq!(created["created_by"], "test facilitator");
        assert_eq!(created["profile"]["stage"], "early");

        // Public readers see the record but not how to reach the person, nor her personal
        // facts: only what describes the enterprise.
        let (status, public) = server
            .get(&format!("/api/v1/stakeholders/{id}"), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(public["name"], "Sunita Devi");
        assert!(
            public["contact"]["phone"].is_null(),
            "contact hidden without a token: {public}"
        );
        assert_eq!(public["profile"]["sector"], "tailoring");
        assert_eq!(public["profile"]["stage"], "early");
        for personal in ["gender", "age", "social_category", "shg_member", "block"] {
            assert!(
                public["profile"][personal].is_null(),
                "{personal} hidden without a token: {public}"
            );
        }
        let (_, private) = server
            .get(&format!("/api/v1/stakeholders/{id}"), Some(&token))
            .await;
        assert_eq!(private["contact"]["phone"], "+919876543210");
        assert_eq!(private["profile"]["social_category"], "SC");
        assert_eq!(private["profile"]["age"], 31);

        server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &bank("Union Bank, Chunar", "up-mirzapur"),
            )
            .await;
        let (_, listed) = server
            .get(
                "/api/v1/stakeholders?district=up-mirzapur&kind=micro_entrepreneur",
                None,
            )
            .await;
        let names: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Sunita Devi"]);
        let (_, listed) = server.get("/api/v1/stakeholders?q=union", None).await;
        assert_eq!(listed.as_array().unwrap().len(), 1);
        let (_, listed) = server
            .get("/api/v1/stakeholders?district=up-bhadohi", None)
            .await;
        assert!(listed.as_array().unwrap().is_empty());
        let (_, page) = server
            .get("/api/v1/stakeholders?limit=1&offset=1", None)
            .await;
        assert_eq!(page.as_array().unwrap().len(), 1);

        let (status, edited) = server
            .patch(
                &format!("/api/v1/stakeholders/{id}"),
                Some(&token),
                &json!({"name": "Sunita Devi Kushwaha", "profile": {"stage": "established"}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!(edited["name"], "Sunita Devi Kushwaha");
        assert_eq!(edited["profile"]["stage"], "established");
        assert_eq!(
            edited["profile"]["age"], 31,
            "fields not in the patch are kept"
        );
        assert_eq!(edited["contact"]["phone"], "+919876543210");
        let (_, moved) = server
            .patch(
                &format!("/api/v1/stakeholders/{id}"),
                Some(&token),
                &json!({"district": "up-bhadohi", "profile": {"block": "Aurai"}}),
            )
            .await;
        assert_eq!(
            moved["districts_served"],
            json!(["up-bhadohi"]),
            "a home-district-only record moves with its district"
        );

        let (status, archived) = server
            .delete(&format!("/api/v1/stakeholders/{id}"), Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(archived["status"], "archived");
        let (status, _) = server
            .get(&format!("/api/v1/stakeholders/{id}"), None)
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "archived records leave public view"
        );
        let (status, kept) = server
            .get(&format!("/api/v1/stakeholders/{id}"), Some(&token))
            .await;
        assert_eq!(
            (status, kept["status"].as_str()),
            (StatusCode::OK, Some("archived")),
            "nothing is lost"
        );
        let (_, listed) = server
            .get("/api/v1/stakeholders?status=archived", Some(&token))
            .await;
        assert_eq!(listed.as_array().unwrap().len(), 1);

        let (status, restored) = server
            .patch(
                &format!("/api/v1/stakeholders/{id}"),
                Some(&token),
                &json!({"status": "active"}),
            )
            .await;
        assert_eq!(
            (status, restored["status"].as_str()),
            (StatusCode::OK, Some("active"))
        );
    }
}

#[tokio::test]
async fn offerings_and_needs_belong_to_a_stakeholder_and_follow_its_status() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let (_, provider) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &json!({"kind": "bank", "name": "Bank of Baroda, Gyanpur",
                "district": "up-bhadohi", "districts_served": ["up-bhadohi", "up-mirzapur"]}),
            )
            .await;
        let provider_id = provider["id"].as_str().unwrap();

        let (status, offering) = server
            .post(
                &format!("/api/v1/stakeholders/{provider_id}/offerings"),
                Some(&token),
                &mudra_loan(),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{}: {offering}",
            backend.name()
        );
        let offering_id = offering["id"].as_str().unwrap().to_string();
        assert_eq!(
            offering["districts"],
            json!(["up-bhadohi", "up-mirzapur"]),
            "absent districts = provider's districts_served"
        );
        assert_eq!(offering["eligibility"]["max_amount_inr"], 50000);
        assert_eq!(offering["stakeholder_id"], provider_id);

        let (_, entrepreneur) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &crate::support::entrepreneur("Kamla", "up-mirzapur", None),
            )
            .await;
        let entrepreneur_id = entrepreneur["id"].as_str().unwrap();
        let need = json!({"kind": "finance", "title": "Loan for two sewing machines", "description": "silai machine ke liye loan",
                          "sector": "tailoring", "amount_inr": 45000});
        let (status, need) = server
            .post(
                &format!("/api/v1/stakeholders/{entrepreneur_id}/needs"),
                Some(&token),
                &need,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{need}");
        let need_id = need["id"].as_str().unwrap().to_string();
        assert_eq!(need["district"], "up-mirzapur");

        let (status, read) = server
            .get(&format!("/api/v1/offerings/{offering_id}"), None)
            .await;
        assert_eq!(
            (status, read["title"].as_str()),
            (StatusCode::OK, Some("MUDRA Shishu loan for women tailors"))
        );
        let (_, read) = server.get(&format!("/api/v1/needs/{need_id}"), None).await;
        assert_eq!(read["amount_inr"], 45000);
        let (_, listed) = server
            .get(
                &format!("/api/v1/stakeholders/{provider_id}/offerings"),
                None,
            )
            .await;
        assert_eq!(listed.as_array().unwrap().len(), 1);

        let (status, edited) = server
            .patch(
                &format!("/api/v1/offerings/{offering_id}"),
                Some(&token),
                &json!({"terms": {"interest_rate_pct": 8.75}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!(edited["terms"]["interest_rate_pct"], 8.75);
        assert_eq!(edited["terms"]["tenure_months"], 36);
        assert_eq!(edited["valid_until"], "2027-03-31");
        let (status, edited) = server
            .patch(
                &format!("/api/v1/needs/{need_id}"),
                Some(&token),
                &json!({"amount_inr": 60000}),
            )
            .await;
        assert_eq!(
            (status, edited["amount_inr"].as_i64()),
            (StatusCode::OK, Some(60000))
        );

        // Archiving the provider archives its offering; new offerings are refused until restored.
        server
            .delete(&format!("/api/v1/stakeholders/{provider_id}"), Some(&token))
            .await;
        let (status, _) = server
            .get(&format!("/api/v1/offerings/{offering_id}"), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, kept) = server
            .get(&format!("/api/v1/offerings/{offering_id}"), Some(&token))
            .await;
        assert_eq!(kept["status"], "archived");
        let (status, body) = server
            .post(
                &format!("/api/v1/stakeholders/{provider_id}/offerings"),
                Some(&token),
                &mudra_loan(),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        server
            .patch(
                &format!("/api/v1/stakeholders/{provider_id}"),
                Some(&token),
                &json!({"status": "active"}),
            )
            .await;
        let (_, back) = server
            .get(&format!("/api/v1/offerings/{offering_id}"), None)
            .await;
        assert_eq!(
            back["status"], "active",
            "restoring the provider restores what was archived with it"
        );

        let (status, archived) = server
            .delete(&format!("/api/v1/needs/{need_id}"), Some(&token))
            .await;
        assert_eq!(
            (status, archived["status"].as_str()),
            (StatusCode::OK, Some("archived"))
        );
        let (status, _) = server
            .post(
                "/api/v1/stakeholders/st_nobody/offerings",
                Some(&token),
                &mudra_loan(),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        for path in [
            "/api/v1/offerings/of_nothing",
            "/api/v1/needs/nd_nothing",
            "/api/v1/stakeholders/st_nothing",
        ] {
            let (status, body) = server.get(path, Some(&token)).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(body["error"]["code"], "not_found");
        }
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_a_kill_of_the_server() {
    for backend in backends() {
        let mut server = TestServer::start(&backend).await;
        let token = server.token("consultant").await;
        let mut ids = Vec::new();
        for n in 0..5 {
            ids.push(
                add(
                    &server,
                    &token,
                    "/api/v1/stakeholders",
                    &entrepreneur(&format!("Entrepreneur {n}"), "br-gaya", None),
                )
                .await,
            );
        }
        server.kill_and_restart().await;
        for id in &ids {
            let (status, body) = server
                .get(&format!("/api/v1/stakeholders/{id}"), Some(&token))
                .await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{}: {id} lost after kill: {body}",
                backend.name()
            );
        }
        assert_eq!(server.stakeholder_count(&token).await, 5);
    }
}

#[tokio::test]
async fn demo_data_covers_the_three_coalition_districts_and_loads_once() {
    for backend in backends() {
        let mut server = TestServer::start_demo(&backend).await;
        let token = server.token("admin").await;
        for district in ["up-bhadohi", "up-mirzapur", "br-gaya"] {
            let (_, listed) = server
                .get(
                    &format!("/api/v1/stakeholders?district={district}&limit=500"),
                    None,
                )
                .await;
            let records = listed.as_array().unwrap();
            let kinds: std::collections::BTreeSet<&str> = records
                .iter()
                .map(|s| s["kind"].as_str().unwrap())
                .collect();
            for kind in [
                "bank",
                "mfi",
                "rseti",
                "line_department",
                "fpo",
                "buyer",
                "micro_entrepreneur",
                "shg",
            ] {
                assert!(kinds.contains(kind), "{district} has no {kind}");
            }
            assert!(
                records
                    .iter()
                    .all(|s| s["demo"] == true && s["created_via"] == "seed")
            );
        }
        let before = server.stakeholder_count(&token).await;
        assert!(before > 60);
        server.kill_and_restart().await;
        assert_eq!(
            server.stakeholder_count(&token).await,
            before,
            "--demo loads only into an empty registry"
        );
    }
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let mut server = TestServer::start(&crate::support::Backend::Sqlite).await;
    let status = server.terminate().await;
    assert!(
        status.success(),
        "serve exits cleanly on SIGTERM: {status:?}"
    );
}

#[tokio::test]
async fn geo_import_adds_districts_and_blocks_that_the_api_then_accepts() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("admin").await;
        let csv = server.data_dir.path().join("wb.csv");
        std::fs::write(&csv, "state,state_name,name,name_local,lgd_code,block\nwb,West Bengal,Purulia,পুরুলিয়া,,Jhalda I\nwb,West Bengal,Purulia,,,Balarampur\n").unwrap();
        let output = server.cli(&["geo", "import", csv.to_str().unwrap()]).await;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("1 districts"),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );

        let (_, found) = server
            .get("/api/v1/districts?state=West%20Bengal", None)
            .await;
        assert_eq!(
            found[0]["code"],
            "wb-purulia",
            "{}: {found}",
            backend.name()
        );
        let mut body = crate::support::entrepreneur("Mohini Mahato", "wb-purulia", None);
        body["profile"]["block"] = json!("Balarampur");
        let (status, reply) = server
            .post("/api/v1/stakeholders", Some(&token), &body)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");

        let bad = server.data_dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            "state,name,lgd_code\nwb,Bankura,\nwb,Birbhum,minus-one\n",
        )
        .unwrap();
        let output = server.cli(&["geo", "import", bad.to_str().unwrap()]).await;
        assert!(!output.status.success());
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("line 3"),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let (_, found) = server.get("/api/v1/districts?q=bankura", None).await;
        assert!(
            found.as_array().unwrap().is_empty(),
            "a file with a bad row imports nothing"
        );
    }
}

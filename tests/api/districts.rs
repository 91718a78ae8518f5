//! District filters through the join tables (`stakeholder_districts`, `offering_districts`):
//! a wildcard typed as a district finds nothing, the tables follow every write of a list, and a
//! database written before migration 0012 comes out of 0012 and 0013 with its lists in them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use sangam::domain::record::Status;
use sangam::store::Store;
use sangam::store::interchange::{OfferingExport, StakeholderExport};
use sangam::store::registry::{StakeholderFilter, StatusFilter};

use crate::support::{TestServer, backends, bank, entrepreneur, fresh_database, mudra_loan};

fn ids(listing: &Value) -> Vec<&str> {
    listing
        .as_array()
        .expect("a list")
        .iter()
        .map(|record| record["id"].as_str().unwrap())
        .collect()
}

/// Data rows of a CSV export (the header aside).
async fn export_rows(server: &TestServer, path: &str, token: &str) -> usize {
    let response = server
        .client
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let text = response.text().await.unwrap();
    text.lines().count() - 1
}

#[tokio::test]
async fn a_wildcard_typed_as_a_district_matches_nothing() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let mut sunita = entrepreneur("Sunita Devi", "up-mirzapur", Some("9876543210"));
        sunita["districts_served"] = json!(["up-mirzapur", "up-bhadohi"]);
        let (status, sunita) = server
            .post("/api/v1/stakeholders", Some(&token), &sunita)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{sunita}");
        let (_, bank) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &bank("Bank of Baroda, Gaya", "br-gaya"),
            )
            .await;
        let bank_id = bank["id"].as_str().unwrap();
        let (status, loan) = server
            .post(
                &format!("/api/v1/stakeholders/{bank_id}/offerings"),
                Some(&token),
                &mudra_loan(),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{loan}");

        // `%25` is `%` once the URL is decoded.
        for wildcard in ["%25", "_", "%25%25", "up-%25", "up_mirzapur", "%5C", "%22"] {
            for token in [None, Some(token.as_str())] {
                let (status, found) = server
                    .get(&format!("/api/v1/stakeholders?district={wildcard}"), token)
                    .await;
                assert_eq!(status, StatusCode::OK, "{}: {found}", backend.name());
                assert!(
                    ids(&found).is_empty(),
                    "{}: ?district={wildcard} found {found}",
                    backend.name()
                );
            }
            for export in ["stakeholders", "offerings", "needs"] {
                let path = format!("/api/v1/export/{export}.csv?district={wildcard}");
                assert_eq!(
                    export_rows(&server, &path, &token).await,
                    0,
                    "{}: {path}",
                    backend.name()
                );
            }
        }

        // The same filters still find what is there: by home district, by a district served,
        // and an offering by the districts it is offered in (its provider's, given none).
        let sunita_id = sunita["id"].as_str().unwrap();
        for district in ["up-mirzapur", "up-bhadohi"] {
            let (_, found) = server
                .get(&format!("/api/v1/stakeholders?district={district}"), None)
                .await;
            assert_eq!(ids(&found), vec![sunita_id], "{}", backend.name());
        }
        let (_, found) = server
            .get("/api/v1/stakeholders?district=br-gaya", None)
            .await;
        assert_eq!(ids(&found), vec![bank_id]);
        assert_eq!(
            export_rows(
                &server,
                "/api/v1/export/offerings.csv?district=br-gaya",
                &token
            )
            .await,
            1
        );
    }
}

#[tokio::test]
async fn a_changed_list_of_districts_moves_the_record_between_district_listings() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let mut sunita = entrepreneur("सुनीता देवी", "up-mirzapur", Some("9876543210"));
        sunita["districts_served"] = json!(["up-mirzapur", "up-bhadohi"]);
        let (_, sunita) = server
            .post("/api/v1/stakeholders", Some(&token), &sunita)
            .await;
        let id = sunita["id"].as_str().unwrap();
        let (status, edited) = server
            .patch(
                &format!("/api/v1/stakeholders/{id}"),
                Some(&token),
                &json!({"districts_served": ["up-mirzapur", "br-gaya"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!(
            edited["districts_served"],
            json!(["up-mirzapur", "br-gaya"])
        );
        let (_, bhadohi) = server
            .get("/api/v1/stakeholders?district=up-bhadohi", None)
            .await;
        assert!(
            ids(&bhadohi).is_empty(),
            "{}: no longer serves Bhadohi: {bhadohi}",
            backend.name()
        );
        let (_, gaya) = server
            .get("/api/v1/stakeholders?district=br-gaya", None)
            .await;
        assert_eq!(ids(&gaya), vec![id], "{}", backend.name());

        // An offering's districts likewise, in the export filtered by district.
        let (_, provider) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &bank("State Bank of India, Mirzapur", "up-mirzapur"),
            )
            .await;
        let provider_id = provider["id"].as_str().unwrap();
        let mut loan = mudra_loan();
        loan["districts"] = json!(["up-mirzapur"]);
        let (_, offering) = server
            .post(
                &format!("/api/v1/stakeholders/{provider_id}/offerings"),
                Some(&token),
                &loan,
            )
            .await;
        let offering_id = offering["id"].as_str().expect("an offering");
        let (status, moved) = server
            .patch(
                &format!("/api/v1/offerings/{offering_id}"),
                Some(&token),
                &json!({"districts": ["up-bhadohi"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        let mirzapur = export_rows(
            &server,
            "/api/v1/export/offerings.csv?district=up-mirzapur",
            &token,
        )
        .await;
        let bhadohi = export_rows(
            &server,
            "/api/v1/export/offerings.csv?district=up-bhadohi",
            &token,
        )
        .await;
        assert_eq!((mirzapur, bhadohi), (0, 1), "{}", backend.name());
    }
}

/// Rows as a process of the release before 0012 wrote them: straight into the tables, lists as
/// JSON text only.
async fn write_as_before_0012(store: &Store) {
    let now = "2026-11-01T10:00:00.000Z";
    for (id, district, served) in [
        ("st_old1", "up-mirzapur", r#"["up-mirzapur","up-bhadohi"]"#),
        ("st_old2", "br-gaya", r#"["br-gaya"]"#),
        // Twice the same code, as no validation allows now but a hand edit might have left.
        ("st_old3", "up-bhadohi", r#"["up-bhadohi","up-bhadohi"]"#),
    ] {
        sqlx::query(
            "INSERT INTO stakeholders (id, kind, name, name_key, name_local, district,
               districts_served, status, created_via, created_by, created_at, updated_at)
             VALUES ($1, 'micro_entrepreneur', 'Sunita Devi', 'sunita devi', 'सुनीता देवी', $2, $3,
               'active', 'api', 'tester', $4, $4)",
        )
        .bind(id)
        .bind(district)
        .bind(served)
        .bind(now)
        .execute(store.pool())
        .await
        .unwrap();
    }
    for (id, owner, districts) in [
        ("of_old1", "st_old2", r#"["br-gaya","up-mirzapur"]"#),
        ("of_old2", "st_old2", r#"[]"#),
    ] {
        sqlx::query(
            "INSERT INTO offerings (id, stakeholder_id, kind, title, sectors, districts,
               eligibility, terms, status, created_via, created_by, created_at, updated_at)
             VALUES ($1, $2, 'finance', 'MUDRA Shishu loan', '[\"tailoring\"]', $3,
               '{\"social_categories\":[],\"shg_member_required\":false,\"stages\":[]}', '{}',
               'active', 'api', 'tester', $4, $4)",
        )
        .bind(id)
        .bind(owner)
        .bind(districts)
        .bind(now)
        .execute(store.pool())
        .await
        .unwrap();
    }
}

async fn join_rows(store: &Store, table: &str) -> Vec<(String, String)> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM {table} ORDER BY 1, 2"
    )))
    .fetch_all(store.pool())
    .await
    .unwrap()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn a_database_at_0011_with_records_comes_out_of_0012_and_0013_with_its_district_lists() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let url = fresh_database(&backend)
            .await
            .unwrap_or_else(|| Store::sqlite_url(dir.path()));
        let store = Store::connect(&url).await.unwrap();
        store.migrate_to(11).await.unwrap();
        sangam::seed::load_reference(&store).await.unwrap();
        write_as_before_0012(&store).await;

        store.migrate_to(12).await.unwrap();
        let expected_stakeholders = pairs(&[
            ("st_old1", "up-bhadohi"),
            ("st_old1", "up-mirzapur"),
            ("st_old2", "br-gaya"),
            ("st_old3", "up-bhadohi"),
        ]);
        let expected_offerings = pairs(&[("of_old1", "br-gaya"), ("of_old1", "up-mirzapur")]);
        let name = backend.name();
        assert_eq!(
            join_rows(&store, "stakeholder_districts").await,
            expected_stakeholders,
            "{name}: backfilled by 0012"
        );
        assert_eq!(
            join_rows(&store, "offering_districts").await,
            expected_offerings,
            "{name}"
        );

        // A process still on the old release writes a list without the join rows.
        sqlx::query("UPDATE stakeholders SET districts_served = $1 WHERE id = 'st_old2'")
            .bind(r#"["br-gaya","up-mirzapur"]"#)
            .execute(store.pool())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let mut after_0013 = expected_stakeholders.clone();
        after_0013.insert(3, ("st_old2".into(), "up-mirzapur".into()));
        assert_eq!(
            join_rows(&store, "stakeholder_districts").await,
            after_0013,
            "{name}: 0013 picks up what the old release wrote meanwhile"
        );

        // The records read as before, and the district filters find them through the tables.
        let old1 = store.get_stakeholder("st_old1").await.unwrap().unwrap();
        assert_eq!(old1.data.districts_served, ["up-mirzapur", "up-bhadohi"]);
        assert_eq!(old1.data.name_local.as_deref(), Some("सुनीता देवी"));
        let listed = |district: &str| StakeholderFilter {
            district: Some(district.into()),
            kind: None,
            q: None,
            statuses: StatusFilter::public(),
            pending_only_in: None,
            limit: 50,
            offset: 0,
        };
        let found: Vec<String> = store
            .list_stakeholders(&listed("up-mirzapur"))
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(found, ["st_old2", "st_old1"], "{name}: newest id first");
        let offered = store
            .export_offerings_page(
                &OfferingExport {
                    district: Some("up-mirzapur".into()),
                    kind: None,
                    statuses: StatusFilter::only(vec![Status::Active]),
                    pending_only_in: None,
                    active_providers_only: true,
                },
                None,
                10,
            )
            .await
            .unwrap();
        assert_eq!(offered.len(), 1, "{name}");
        assert_eq!(offered[0].0.id, "of_old1");
        let exported = store
            .export_stakeholders_page(
                &StakeholderExport {
                    district: Some("up-bhadohi".into()),
                    kind: None,
                    statuses: StatusFilter::public(),
                    pending_only_in: None,
                },
                None,
                10,
            )
            .await
            .unwrap();
        let exported: Vec<&str> = exported.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(exported, ["st_old1", "st_old3"], "{name}");
    }
}

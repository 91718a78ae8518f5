//! The review queue: a facilitator sees the pending registrations of their districts beside the
//! records they may duplicate, and approves, merges or rejects each with one post (CSRF-checked,
//! audited, harmless when sent twice); a facilitator of another district sees and changes
//! nothing. Also the same decisions through the API, and block names as people spell them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{ADMIN_PASSWORD, Browser, create_admin, create_user, csrf_field};
use crate::support::{TestServer, backends, entrepreneur};

const PASSWORD: &str = "कोई अच्छा पासवर्ड 2026";
const HOSTILE: &str = "<script>alert(1)</script>";

/// Registers through the public API (consent given); returns the reply.
async fn register(server: &TestServer, mut stakeholder: Value, needs: Value) -> Value {
    stakeholder["consent"] = server.consent("hi").await;
    stakeholder["needs"] = needs;
    let (status, body) = server
        .post("/api/v1/registrations", None, &stakeholder)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// Whether a search for `q` with pending records included finds `id`; with `wait`, tries for up
/// to 5 s while the index may not have it yet.
async fn search_finds(server: &TestServer, token: &str, q: &str, id: &str, wait: bool) -> bool {
    let started = std::time::Instant::now();
    loop {
        let (status, found) = server
            .get(
                &format!("/api/v1/search?q={q}&include_pending=true"),
                Some(token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{found}");
        let hit = found["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == id);
        if hit || !wait || started.elapsed() > std::time::Duration::from_secs(5) {
            return hit;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn status_of(server: &TestServer, token: &str, id: &str) -> String {
    let (status, body) = server
        .get(&format!("/api/v1/stakeholders/{id}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["status"].as_str().unwrap().to_string()
}

async fn signed_in(server: &TestServer, login: &str, password: &str) -> Browser {
    let mut browser = Browser::new();
    let (status, body) = browser.sign_in(server, login, password).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    browser
}

#[tokio::test]
async fn a_facilitator_approves_merges_and_rejects_in_their_district_and_gaya_changes_nothing() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        create_admin(&server).await;
        create_user(
            &server,
            "facilitator",
            "Meena Kumari",
            "meena@example.org",
            "98111 22222",
            &["up-mirzapur"],
            PASSWORD,
        )
        .await;
        create_user(
            &server,
            "facilitator",
            "Ravi Gaya",
            "ravi@example.org",
            "98111 33333",
            &["br-gaya"],
            PASSWORD,
        )
        .await;
        let token = server.token("admin").await;

        // Sunita is in the registry already; she registers again from her phone (a lookalike).
        let (status, existing) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-mirzapur", Some("+91 98390 11111")),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{existing}");
        let existing_id = existing["id"].as_str().unwrap().to_string();
        let again = register(
            &server,
            entrepreneur("Sunita Devi", "up-mirzapur", Some("+91 98390 11111")),
            json!([{"kind": "finance", "title": "सिलाई मशीन के लिए लोन", "amount_inr": 45000}]),
        )
        .await;
        let again_id = again["id"].as_str().unwrap().to_string();
        assert_eq!(again["possible_duplicate"], true, "{again}");
        let moved_need = again["needs"][0].as_str().unwrap().to_string();

        // Hostile text in every field the queue shows, and a block nobody can find.
        let mut hostile = entrepreneur(
            &format!("{HOSTILE} Rekha"),
            "up-mirzapur",
            Some("+91 98390 22222"),
        );
        hostile["name_local"] = json!(format!("{HOSTILE} रेखा"));
        hostile["description"] = json!(format!("{HOSTILE} pickles"));
        hostile["profile"]["block"] = json!(format!("{HOSTILE} Nowhere Nagar"));
        let rekha = register(
            &server,
            hostile,
            json!([{"kind": "market", "title": format!("{HOSTILE} buyer")}]),
        )
        .await;
        let rekha_id = rekha["id"].as_str().unwrap().to_string();
        let kamla = register(
            &server,
            entrepreneur("Kamla Devi", "up-mirzapur", Some("+91 98390 33333")),
            json!([]),
        )
        .await;
        let kamla_id = kamla["id"].as_str().unwrap().to_string();

        // The facilitator of Gaya sees none of them and can change none of them.
        let mut gaya = signed_in(&server, "ravi@example.org", PASSWORD).await;
        let (status, page) = gaya.page(&server, "/review?lang=en").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            !page.contains("Sunita") && !page.contains("Kamla"),
            "{page}"
        );
        assert!(page.contains("id=\"empty\""), "{page}");
        let gaya_csrf = csrf_field(&gaya.page(&server, "/account?lang=en").await.1);
        for action in ["approve", "merge", "reject"] {
            let (status, page) = gaya
                .post_form(
                    &server,
                    &format!("/review/{again_id}/{action}?lang=en"),
                    &[
                        ("csrf_token", &gaya_csrf),
                        ("into", &existing_id),
                        ("reason", "not ours"),
                    ],
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{action}: {page}");
        }
        assert_eq!(status_of(&server, &token, &again_id).await, "pending");

        // The facilitator of Mirzapur sees all three, in Hindi, hostile text escaped.
        let mut meena = signed_in(&server, "meena@example.org", PASSWORD).await;
        let (status, page) = meena.page(&server, "/review?lang=hi").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            page.len() < 50_000,
            "the queue page is {} bytes",
            page.len()
        );
        assert!(page.contains("जाँच के लिए पंजीकरण"), "{page}");
        for id in [&again_id, &rekha_id, &kamla_id] {
            assert!(
                page.contains(&format!("registration-{id}")),
                "{id} missing: {page}"
            );
        }
        assert!(
            page.contains(&format!("lookalike-{again_id}-{existing_id}")),
            "the lookalike is shown beside it: {page}"
        );
        assert!(
            !page.contains("<script>"),
            "unescaped text on the review page: {page}"
        );
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt; Rekha"),
            "{page}"
        );
        assert!(
            page.contains("ब्लॉक की सूची में नहीं मिला"),
            "the unknown block is marked: {page}"
        );
        let csrf = csrf_field(&page);

        // Without its CSRF token a decision changes nothing.
        let (status, _) = meena
            .post_form(
                &server,
                &format!("/review/{kamla_id}/approve"),
                &[("csrf_token", &"0".repeat(64))],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = meena
            .post_form(&server, &format!("/review/{kamla_id}/approve"), &[])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(status_of(&server, &token, &kamla_id).await, "pending");

        // Approve Rekha; the same form sent twice does no more.
        for _ in 0..2 {
            let (status, page) = meena
                .post_form(
                    &server,
                    &format!("/review/{rekha_id}/approve?lang=hi"),
                    &[("csrf_token", &csrf)],
                )
                .await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        }
        assert_eq!(status_of(&server, &token, &rekha_id).await, "active");
        let (_, rekha_now) = server
            .get(&format!("/api/v1/stakeholders/{rekha_id}"), Some(&token))
            .await;
        assert_eq!(
            rekha_now["profile"]["block_unverified"], true,
            "{rekha_now}"
        );
        assert_eq!(
            rekha_now["profile"]["block"],
            format!("{HOSTILE} Nowhere Nagar"),
            "kept as typed"
        );

        // Merge Sunita's second registration into her record: her need moves there.
        let (status, page) = meena
            .post_form(
                &server,
                &format!("/review/{again_id}/merge"),
                &[("csrf_token", &csrf), ("into", &existing_id)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(status_of(&server, &token, &again_id).await, "archived");
        let (status, need) = server
            .get(&format!("/api/v1/needs/{moved_need}"), Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK, "{need}");
        assert_eq!(need["stakeholder_id"], existing_id.as_str(), "{need}");
        assert_eq!(need["status"], "active", "{need}");

        // A rejection needs a reason: without one the form comes back, nothing changed.
        let (status, page) = meena
            .post_form(
                &server,
                &format!("/review/{kamla_id}/reject?lang=en"),
                &[("csrf_token", &csrf), ("reason", "   ")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains(&format!("reason-error-{kamla_id}")), "{page}");
        assert_eq!(status_of(&server, &token, &kamla_id).await, "pending");
        let reason = format!("{HOSTILE} registered twice by her SHG");
        let (status, page) = meena
            .post_form(
                &server,
                &format!("/review/{kamla_id}/reject?lang=en"),
                &[("csrf_token", &csrf), ("reason", &reason)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(status_of(&server, &token, &kamla_id).await, "archived");
        let (_, page) = meena.page(&server, "/review?lang=en").await;
        assert!(
            page.contains("id=\"empty\""),
            "the queue is empty now: {page}"
        );

        // Each decision is in the audit log once, with who made it and the reason.
        let mut admin = signed_in(&server, "asha@example.org", ADMIN_PASSWORD).await;
        let (status, audit) = admin.page(&server, "/admin/audit?lang=en").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(audit.matches("registration_approved").count(), 1, "{audit}");
        assert_eq!(audit.matches("registration_merged").count(), 1, "{audit}");
        assert_eq!(audit.matches("registration_rejected").count(), 1, "{audit}");
        assert!(audit.contains("Meena Kumari"));
        assert!(
            audit.contains("registered twice by her SHG") && !audit.contains("<script>alert"),
            "{audit}"
        );
    }
}

#[tokio::test]
async fn the_api_reviews_registrations_with_the_same_rules() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let admin = server.token("admin").await;
        let gaya = server.token_for("facilitator", &["br-gaya"]).await;
        let mirzapur = server.token_for("facilitator", &["up-mirzapur"]).await;
        let consultant = server.token_for("consultant", &["up-mirzapur"]).await;
        let first = register(
            &server,
            entrepreneur("Geeta Devi", "up-mirzapur", Some("+91 98390 44444")),
            json!([]),
        )
        .await;
        let id = first["id"].as_str().unwrap();

        let (status, queue) = server
            .get("/api/v1/registrations/pending", Some(&gaya))
            .await;
        assert_eq!(status, StatusCode::OK, "{queue}");
        assert_eq!(queue, json!([]));
        let (status, queue) = server
            .get("/api/v1/registrations/pending", Some(&mirzapur))
            .await;
        assert_eq!(status, StatusCode::OK, "{queue}");
        assert_eq!(queue[0]["registration"]["id"], id, "{queue}");
        let (status, _) = server.get("/api/v1/registrations/pending", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // Listings and search with pending records included: only where she registered.
        let gaya_consultant = server.token_for("consultant", &["br-gaya"]).await;
        // Those who see her first: once they find her, the index has her.
        for (token, sees) in [
            (&mirzapur, true),
            (&admin, true),
            (&gaya, false),
            (&gaya_consultant, false),
        ] {
            let (status, listed) = server
                .get("/api/v1/stakeholders?status=pending", Some(token))
                .await;
            assert_eq!(status, StatusCode::OK, "{listed}");
            let listed_her = listed.as_array().unwrap().iter().any(|s| s["id"] == id);
            assert_eq!(listed_her, sees, "listing: {listed}");
            let found_her = search_finds(&server, token, "Geeta", id, sees).await;
            assert_eq!(found_her, sees, "search with pending records, as {token}");
            let exported = server
                .client
                .get(server.url("/api/v1/export/stakeholders.csv?status=pending"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(exported.status(), StatusCode::OK);
            let csv = exported.text().await.unwrap();
            assert_eq!(csv.contains(id), sees, "export with pending records: {csv}");
        }

        for (token, expected) in [
            (&gaya, StatusCode::FORBIDDEN),
            (&consultant, StatusCode::FORBIDDEN),
        ] {
            let (status, body) = server
                .post(
                    &format!("/api/v1/registrations/{id}/approve"),
                    Some(token),
                    &json!({}),
                )
                .await;
            assert_eq!(status, expected, "{body}");
        }
        assert_eq!(status_of(&server, &admin, id).await, "pending");
        let (status, body) = server
            .post(
                &format!("/api/v1/registrations/{id}/reject"),
                Some(&mirzapur),
                &json!({"reason": ""}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"]["reason"].is_string(), "{body}");
        let (status, body) = server
            .post(
                &format!("/api/v1/registrations/{id}/merge"),
                Some(&mirzapur),
                &json!({"into": id}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let (status, body) = server
            .post(
                "/api/v1/registrations/st_nobody/approve",
                Some(&mirzapur),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        for _ in 0..2 {
            let (status, body) = server
                .post(
                    &format!("/api/v1/registrations/{id}/approve"),
                    Some(&mirzapur),
                    &json!({}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["status"], "active");
        }
    }
}

#[tokio::test]
async fn blocks_are_found_however_people_spell_them_and_never_refused() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("admin").await;
        for (district, typed, stored, unverified) in [
            ("up-mirzapur", "Chhanbey", "Chhanbey", false),
            ("up-mirzapur", "chhanbe", "Chhanbey", false),
            ("up-mirzapur", "Majhwan", "Majhawan", false),
            ("up-mirzapur", "Mirzapur City", "City", false),
            ("up-mirzapur", "Narayanpur block", "Narayanpur", false),
            ("up-mirzapur", "Raajgarh", "Rajgarh", false),
            ("br-gaya", "Bodhgaya", "Bodh Gaya", false),
            ("up-mirzapur", "Nowhere Nagar", "Nowhere Nagar", true),
        ] {
            let mut body = entrepreneur(&format!("Block test {typed}"), district, None);
            body["profile"]["block"] = json!(typed);
            let (status, created) = server
                .post("/api/v1/stakeholders", Some(&token), &body)
                .await;
            assert_eq!(status, StatusCode::CREATED, "{typed}: {created}");
            assert_eq!(created["profile"]["block"], stored, "{typed}: {created}");
            assert_eq!(
                created["profile"]["block_unverified"]
                    .as_bool()
                    .unwrap_or(false),
                unverified,
                "{typed}: {created}"
            );
        }
        // A registration is never refused over its block either.
        let mut body = entrepreneur("Phoolmati", "up-mirzapur", Some("+91 98390 55555"));
        body["profile"]["block"] = json!("Kachhwa bazaar");
        let reply = register(&server, body, json!([])).await;
        let (_, stored) = server
            .get(
                &format!("/api/v1/stakeholders/{}", reply["id"].as_str().unwrap()),
                Some(&token),
            )
            .await;
        assert_eq!(stored["profile"]["block_unverified"], true, "{stored}");
        // The public never sees the block nor the mark.
        let (_, public) = server
            .get("/api/v1/stakeholders?district=up-mirzapur", None)
            .await;
        assert!(!public.to_string().contains("block_unverified"), "{public}");
    }
}

#[tokio::test]
async fn a_facilitator_edits_a_record_on_a_page_with_the_api_rules_and_erases_it_on_request() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        create_admin(&server).await;
        create_user(
            &server,
            "facilitator",
            "Meena Kumari",
            "meena@example.org",
            "98111 22222",
            &["up-mirzapur"],
            PASSWORD,
        )
        .await;
        create_user(
            &server,
            "facilitator",
            "Ravi Gaya",
            "ravi@example.org",
            "98111 33333",
            &["br-gaya"],
            PASSWORD,
        )
        .await;
        let token = server.token("admin").await;
        let (status, sunita) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-mirzapur", Some("+91 98390 11111")),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{sunita}");
        let id = sunita["id"].as_str().unwrap().to_string();
        let edit_path = format!("/stakeholders/{id}/edit?lang=en");

        let mut gaya = signed_in(&server, "ravi@example.org", PASSWORD).await;
        let (status, _) = gaya.page(&server, &edit_path).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "Gaya may not edit a Mirzapur record"
        );

        let mut meena = signed_in(&server, "meena@example.org", PASSWORD).await;
        let (status, page) = meena
            .page(&server, &format!("/stakeholders/{id}/edit?lang=hi"))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("value=\"Sunita Devi\""), "{page}");
        let csrf = csrf_field(&page);

        // A bad phone: the form comes back with everything typed and the reason beside it.
        let hostile_name = format!("{HOSTILE} Sunita");
        let bad = [
            ("csrf_token", csrf.as_str()),
            ("version", "1"),
            ("name", hostile_name.as_str()),
            ("district", "up-mirzapur"),
            ("phone", "12345"),
            ("description", "सिलाई"),
            ("block", "chhanbe"),
        ];
        let (status, page) = meena.post_form(&server, &edit_path, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("id=\"error-phone\""), "{page}");
        assert!(
            page.contains("value=\"12345\""),
            "what was typed stays: {page}"
        );
        assert!(
            !page.contains("<script>") && page.contains("&lt;script&gt;"),
            "{page}"
        );
        let (_, stored) = server
            .get(&format!("/api/v1/stakeholders/{id}"), Some(&token))
            .await;
        assert_eq!(
            stored["version"], 1,
            "a refused form changes nothing: {stored}"
        );

        // Without the CSRF token nothing changes either.
        let mut forged = bad.to_vec();
        forged[0] = ("csrf_token", "");
        forged[4] = ("phone", "+91 98390 11111");
        let (status, _) = meena.post_form(&server, &edit_path, &forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Someone changes the record through the API meanwhile: the page's edit is stale.
        let (status, body) = server
            .patch(
                &format!("/api/v1/stakeholders/{id}"),
                Some(&token),
                &json!({"description": "changed by the API"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let good = [
            ("csrf_token", csrf.as_str()),
            ("version", "1"),
            ("name", "Sunita Devi Prajapati"),
            ("district", "up-mirzapur"),
            ("phone", "+91 98390 11111"),
            ("description", "सिलाई और कढ़ाई"),
            ("block", "chhanbe"),
        ];
        let (status, page) = meena.post_form(&server, &edit_path, &good).await;
        assert_eq!(status, StatusCode::CONFLICT, "{page}");
        assert!(
            page.contains("id=\"stale\"") && page.contains("test admin"),
            "says who changed it: {page}"
        );
        let (_, stored) = server
            .get(&format!("/api/v1/stakeholders/{id}"), Some(&token))
            .await;
        assert_eq!(stored["description"], "changed by the API");

        // Based on the version now shown, the edit is saved; the block is found as spelled.
        let mut fresh = good.to_vec();
        fresh[1] = ("version", "2");
        let (status, page) = meena.post_form(&server, &edit_path, &fresh).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        let (_, stored) = server
            .get(&format!("/api/v1/stakeholders/{id}"), Some(&token))
            .await;
        assert_eq!(stored["name"], "Sunita Devi Prajapati", "{stored}");
        assert_eq!(stored["profile"]["block"], "Chhanbey", "{stored}");
        assert_eq!(
            stored["profile"]["gender"], "female",
            "fields not on the form are kept"
        );

        // Erasure: a confirmation page, CSRF-checked, then the personal data is gone.
        let erase_path = format!("/stakeholders/{id}/erase?lang=en");
        let (status, page) = meena.page(&server, &erase_path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains("Sunita Devi Prajapati"));
        let (status, _) = meena
            .post_form(&server, &erase_path, &[("csrf_token", "")])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, stored) = server
            .get(&format!("/api/v1/stakeholders/{id}"), Some(&token))
            .await;
        assert_eq!(
            stored["name"], "Sunita Devi Prajapati",
            "not erased without the token"
        );
        let (status, page) = meena
            .post_form(&server, &erase_path, &[("csrf_token", &csrf)])
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let (_, stored) = server
            .get(&format!("/api/v1/stakeholders/{id}"), Some(&token))
            .await;
        assert_ne!(stored["name"], "Sunita Devi Prajapati", "{stored}");
        assert_eq!(stored["status"], "archived");
        assert!(stored["contact"]["phone"].is_null(), "{stored}");

        let mut admin = signed_in(&server, "asha@example.org", ADMIN_PASSWORD).await;
        let (_, audit) = admin.page(&server, "/admin/audit?lang=en").await;
        assert!(audit.contains("stakeholder_edited"), "{audit}");
        assert_eq!(audit.matches("stakeholder_erased").count(), 1, "{audit}");
    }
}

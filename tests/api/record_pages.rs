//! The offering and need edit pages, driven as a browser without script would (cookies, forms,
//! CSRF tokens, redirects not followed), on both backends: validation as the API's with what
//! was typed kept, a stale edit told who changed the record, archiving for facilitators only,
//! and people of another district refused, with nothing changed by any refusal.

use reqwest::StatusCode;
use serde_json::Value;

use crate::accounts::{Browser, create_user, csrf_field};
use crate::meetings::bhadohi;
use crate::support::{TestServer, backends};

const PASSWORD: &str = "रिकॉर्ड बदलो 2026 ok";

async fn signed_in(
    server: &TestServer,
    role: &str,
    name: &str,
    email: &str,
    phone: &str,
    districts: &[&str],
) -> Browser {
    create_user(server, role, name, email, phone, districts, PASSWORD).await;
    let mut browser = Browser::new();
    let (status, reply) = browser.sign_in(server, email, PASSWORD).await;
    assert!(status.is_success(), "{status}: {reply}");
    browser
}

/// The value of the hidden field `name` in `page`.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect(name) + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

async fn stored(server: &TestServer, token: &str, path: &str) -> Value {
    let (status, record) = server.get(path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    record
}

/// The audit log as an admin sees it.
async fn audit_page(server: &TestServer) -> String {
    crate::accounts::create_admin(server).await;
    let mut admin = Browser::new();
    let (status, _) = admin
        .sign_in(server, "asha@example.org", crate::accounts::ADMIN_PASSWORD)
        .await;
    assert!(status.is_success());
    let (status, page) = admin.page(server, "/admin/audit?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    page
}

/// The text of the element with `id` (up to the next tag's end), for asserting what is beside
/// a field.
fn beside<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} on the page: {page}"));
    let rest = &page[start..];
    &rest[..rest.find("</p>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn a_facilitator_edits_an_offering_with_the_apis_validation_and_a_stale_edit_is_refused() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        let on = backend.name();
        let token = server.token("admin").await;
        let place = bhadohi(&server, &token).await;
        let before = stored(
            &server,
            &token,
            &format!("/api/v1/offerings/{}", place.loan),
        )
        .await;
        let mut rita = signed_in(
            &server,
            "facilitator",
            "रीता कुमारी",
            "rita@example.org",
            "98111 40001",
            &["up-bhadohi"],
        )
        .await;

        // The stakeholder page links to the form.
        let (_, page) = rita
            .page(&server, &format!("/stakeholders/{}?lang=hi", place.bank))
            .await;
        assert!(
            page.contains(&format!("/offerings/{}/edit", place.loan)),
            "{on}: no edit link for the offering"
        );
        let edit = format!("/offerings/{}/edit?lang=hi", place.loan);
        let (status, page) = rita.page(&server, &edit).await;
        assert_eq!(status, StatusCode::OK, "{on}: {page}");
        assert!(page.contains("Individual enterprise loan for women"));
        assert!(
            page.len() < 50_000,
            "{on}: the form is {} bytes",
            page.len()
        );
        assert!(
            page.contains("value=\"tailoring\" checked"),
            "{on}: sectors ticked"
        );
        let csrf = csrf_field(&page);
        let version = hidden(&page, "version");

        // Mistakes: each is named beside its field, everything typed comes back, nothing changes.
        let (status, page) = rita
            .post_form(
                &server,
                &edit,
                &[
                    ("csrf_token", &csrf),
                    ("version", &version),
                    ("kind", "finance"),
                    ("title", "महिलाओं के लिए उद्यम ऋण <script>alert(1)</script>"),
                    ("sectors", "tailoring"),
                    ("sectors", "<script>"),
                    ("min_amount_inr", "50,000"),
                    ("max_amount_inr", "20,000"),
                    ("valid_until", "2027-03-31"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{on}: {page}");
        assert!(beside(&page, "error-max_amount_inr").contains("below min_amount_inr"));
        assert!(beside(&page, "error-sectors").contains("unknown sector"));
        assert!(page.contains("यह सही नहीं है"), "{on}: said in Hindi");
        for typed in ["50,000", "20,000", "&lt;script&gt;alert(1)&lt;/script&gt;"] {
            assert!(page.contains(typed), "{on}: `{typed}` lost");
        }
        assert!(
            !page.contains("<script>alert"),
            "{on}: the title is escaped"
        );
        // An age in words is refused before anything else is looked at.
        let (status, page) = rita
            .post_form(
                &server,
                &edit,
                &[
                    ("csrf_token", &csrf),
                    ("version", &version),
                    ("kind", "finance"),
                    ("title", "महिलाओं के लिए उद्यम ऋण"),
                    ("min_age", "अठारह"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{on}: {page}");
        assert!(
            beside(&page, "error-min_age").contains("whole number"),
            "{on}"
        );
        assert!(page.contains("value=\"अठारह\""), "{on}: typed kept");
        let after = stored(
            &server,
            &token,
            &format!("/api/v1/offerings/{}", place.loan),
        )
        .await;
        assert_eq!(after, before, "{on}: a refused form changed the record");

        // Corrected, it is saved; the API shows it; the page says so.
        let saved = rita
            .send(
                &server,
                reqwest::Method::POST,
                &edit,
                None,
                None,
                Some(&[
                    ("csrf_token", &csrf),
                    ("version", &version),
                    ("kind", "finance"),
                    ("title", "महिलाओं के लिए उद्यम ऋण"),
                    ("sectors", "tailoring"),
                    ("sectors", "beauty_wellness"),
                    ("gender", "female"),
                    ("min_amount_inr", "₹ 20,000"),
                    ("max_amount_inr", "2,00,000"),
                    ("valid_until", "2027-06-30"),
                ]),
            )
            .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{on}");
        let location = saved.headers()["location"].to_str().unwrap().to_string();
        let (_, page) = rita.page(&server, &location).await;
        assert!(page.contains("id=\"saved\""), "{on}: {page}");
        let after = stored(
            &server,
            &token,
            &format!("/api/v1/offerings/{}", place.loan),
        )
        .await;
        assert_eq!(after["title"], "महिलाओं के लिए उद्यम ऋण", "{on}");
        assert_eq!(
            after["sectors"],
            serde_json::json!(["tailoring", "beauty_wellness"])
        );
        assert_eq!(after["eligibility"]["max_amount_inr"], 200000);
        assert_eq!(after["valid_until"], "2027-06-30");
        // What the form does not hold is as it was.
        assert_eq!(
            after["eligibility"]["stages"],
            before["eligibility"]["stages"]
        );
        assert_ne!(after["version"], before["version"]);

        // The same form sent again (the page opened before the save) is stale: refused, the
        // page names who changed it, and the record stays as saved.
        let (status, page) = rita
            .post_form(
                &server,
                &edit,
                &[
                    ("csrf_token", &csrf),
                    ("version", &version),
                    ("kind", "finance"),
                    ("title", "एक पुराना शीर्षक"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{on}: {page}");
        let stale = beside(&page, "stale");
        assert!(
            stale.contains("रीता कुमारी"),
            "{on}: who changed it: {stale}"
        );
        assert!(
            page.contains("महिलाओं के लिए उद्यम ऋण"),
            "the record as it is now"
        );
        let now = stored(
            &server,
            &token,
            &format!("/api/v1/offerings/{}", place.loan),
        )
        .await;
        assert_eq!(now, after, "{on}: the stale edit changed the record");

        // Without the form's token: refused, nothing changed.
        let (status, _) = rita
            .post_form(
                &server,
                &edit,
                &[("version", &hidden(&page, "version")), ("title", "x")],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let now = stored(
            &server,
            &token,
            &format!("/api/v1/offerings/{}", place.loan),
        )
        .await;
        assert_eq!(now, after, "{on}");

        // The edit is audited.
        let audit = audit_page(&server).await;
        assert!(audit.contains("offering_edited"), "{on}: {audit}");
    }
}

#[tokio::test]
async fn a_need_is_edited_by_a_consultant_archived_by_a_facilitator_and_refused_elsewhere() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        let on = backend.name();
        let token = server.token("admin").await;
        let place = bhadohi(&server, &token).await;
        let need_path = format!("/api/v1/needs/{}", place.tailor_need);
        let edit = format!("/needs/{}/edit?lang=en", place.tailor_need);
        let archive = format!("/needs/{}/archive?lang=en", place.tailor_need);

        // A consultant of the district edits it, and may not archive it.
        let mut ravi = signed_in(
            &server,
            "consultant",
            "Ravi Bind",
            "ravi@example.org",
            "98111 40002",
            &["up-bhadohi"],
        )
        .await;
        let (status, page) = ravi.page(&server, &edit).await;
        assert_eq!(status, StatusCode::OK, "{on}: {page}");
        assert!(
            !page.contains("id=\"archive\""),
            "{on}: no archive for consultants"
        );
        let csrf = csrf_field(&page);
        let version = hidden(&page, "version");
        let (status, page) = ravi
            .post_form(
                &server,
                &edit,
                &[
                    ("csrf_token", &csrf),
                    ("version", &version),
                    ("kind", "finance"),
                    ("title", "Loan for two sewing machines"),
                    ("sector", "tailoring"),
                    ("amount_inr", "paintalis hazaar"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{on}");
        assert!(beside(&page, "error-amount_inr").contains("whole number"));
        assert!(
            page.contains("value=\"paintalis hazaar\""),
            "{on}: typed kept"
        );
        let (status, _) = ravi
            .post_form(
                &server,
                &edit,
                &[
                    ("csrf_token", &csrf),
                    ("version", &version),
                    ("kind", "finance"),
                    ("title", "सिलाई मशीन के लिए कर्ज़ (silai machine loan)"),
                    ("sector", "tailoring"),
                    ("amount_inr", "60,000"),
                    ("attendees", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{on}");
        let need = stored(&server, &token, &need_path).await;
        assert_eq!(need["title"], "सिलाई मशीन के लिए कर्ज़ (silai machine loan)");
        assert_eq!(need["amount_inr"], 60000);
        let (_, page) = ravi.page(&server, &edit).await;
        let version = hidden(&page, "version");
        let (status, page) = ravi
            .post_form(
                &server,
                &archive,
                &[("csrf_token", &csrf), ("version", &version)],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{on}: {page}");
        assert_eq!(
            stored(&server, &token, &need_path).await["status"],
            "active"
        );

        // A facilitator of Mirzapur gets neither the form nor the archive.
        let mut meena = signed_in(
            &server,
            "facilitator",
            "Meena Devi",
            "meena@example.org",
            "98111 40003",
            &["up-mirzapur"],
        )
        .await;
        let (status, page) = meena.page(&server, &edit).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{on}: {page}");
        assert!(!page.contains("id=\"edit-record\""));
        let (_, other) = meena.page(&server, "/meetings?lang=en").await;
        let meena_csrf = csrf_field(&other);
        let (status, _) = meena
            .post_form(
                &server,
                &archive,
                &[("csrf_token", &meena_csrf), ("version", &version)],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{on}");
        assert_eq!(
            stored(&server, &token, &need_path).await["status"],
            "active"
        );

        // The district's facilitator archives it; sent twice, the second changes nothing more.
        let mut rita = signed_in(
            &server,
            "facilitator",
            "Rita Kumari",
            "rita@example.org",
            "98111 40004",
            &["up-bhadohi"],
        )
        .await;
        let (_, page) = rita.page(&server, &edit).await;
        assert!(page.contains("id=\"archive\""), "{on}");
        let csrf = csrf_field(&page);
        let version = hidden(&page, "version");
        for _ in 0..2 {
            let response = rita
                .send(
                    &server,
                    reqwest::Method::POST,
                    &archive,
                    None,
                    None,
                    Some(&[("csrf_token", &csrf), ("version", &version)]),
                )
                .await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{on}");
            let location = response.headers()["location"].to_str().unwrap().to_string();
            assert!(location.starts_with("/stakeholders/"), "{location}");
        }
        let need = stored(&server, &token, &need_path).await;
        assert_eq!(need["status"], "archived", "{on}");
        let owner = need["stakeholder_id"].as_str().unwrap();
        let (_, page) = rita
            .page(&server, &format!("/stakeholders/{owner}?lang=en"))
            .await;
        let item = beside(&page, &format!("need-{}", place.tailor_need));
        assert!(item.contains("archived"), "{on}: {item}");
        let audit = audit_page(&server).await;
        let edits = audit.matches("need_edited").count();
        assert_eq!(edits, 2, "{on}: one edit, one archive: {audit}");
    }
}

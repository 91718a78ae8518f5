//! The admin tokens page, driven as a browser without script would, on both backends: a token
//! made on the page works against the API at once and is shown once; its last use appears; a
//! form sent twice makes one; bad input is refused beside its field; revoking works, twice is
//! harmless, and each change is in the audit log; people who are not admins change nothing.

use reqwest::StatusCode;

use crate::accounts::{ADMIN_PASSWORD, Browser, create_admin, create_user, csrf_field};
use crate::support::{TestServer, backends};

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect(name) + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

/// The `<fieldset>` of the token named `name` on the page.
fn listed<'a>(page: &'a str, name: &str) -> Vec<&'a str> {
    page.split("<fieldset class=\"token")
        .skip(1)
        .filter(|block| block.contains(&format!("<strong>{name}</strong>")))
        .collect()
}

async fn api_status(server: &TestServer, token: &str) -> StatusCode {
    server
        .client
        .get(server.url("/api/v1/stakeholders?status=all"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn an_admin_makes_a_token_sees_its_last_use_and_revokes_it() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        let on = backend.name();
        create_admin(&server).await;
        let mut admin = Browser::new();
        let (status, _) = admin
            .sign_in(&server, "asha@example.org", ADMIN_PASSWORD)
            .await;
        assert!(status.is_success());
        let (status, page) = admin.page(&server, "/account?lang=hi").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("id=\"tokens-link\""),
            "{on}: no way to the page"
        );
        let (status, page) = admin.page(&server, "/admin/tokens?lang=hi").await;
        assert_eq!(status, StatusCode::OK, "{on}: {page}");
        assert!(page.contains("मशीन टोकन"));
        let csrf = csrf_field(&page);

        // Bad input: beside each field, typed kept, nothing made.
        let form_id = hidden(&page, "form_id");
        let (status, page) = admin
            .post_form(
                &server,
                "/admin/tokens?lang=hi",
                &[
                    ("csrf_token", &csrf),
                    ("form_id", &form_id),
                    ("name", "  "),
                    ("role", "superuser"),
                    ("districts", "br-gaya, <script>x</script>"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{on}: {page}");
        for field in ["name", "role", "districts"] {
            assert!(
                page.contains(&format!("id=\"error-{field}\"")),
                "{on}: no reason beside {field}"
            );
        }
        assert!(
            page.contains("br-gaya, &lt;script&gt;x&lt;/script&gt;"),
            "{on}"
        );
        assert!(!page.contains("<script>x"), "{on}: escaped");
        assert!(!page.contains("id=\"new-token\""));

        // Made: shown once, works at once, listed without the secret.
        let (_, page) = admin.page(&server, "/admin/tokens?lang=hi").await;
        let form_id = hidden(&page, "form_id");
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("form_id", form_id.as_str()),
            ("name", "JEEViKA गया MIS"),
            ("role", "consultant"),
            ("districts", "BR-Gaya"),
        ];
        let (status, page) = admin
            .post_form(&server, "/admin/tokens?lang=hi", &fields)
            .await;
        assert_eq!(status, StatusCode::OK, "{on}: {page}");
        let secret = hidden(
            &page.replace("readonly value", "name=\"secret\" value"),
            "secret",
        );
        assert!(secret.starts_with("sgm_"), "{on}: {secret}");
        let block = listed(&page, "JEEViKA गया MIS");
        assert_eq!(block.len(), 1, "{on}");
        assert!(
            block[0].contains("br-gaya") && block[0].contains("सलाहकार"),
            "{on}: {}",
            block[0]
        );
        assert!(block[0].contains("उपयोग नहीं हुआ"), "{on}: not used yet");
        assert_eq!(api_status(&server, &secret).await, StatusCode::OK, "{on}");

        // The same form sent again (a double tap) makes no second token.
        let (status, page) = admin
            .post_form(&server, "/admin/tokens?lang=hi", &fields)
            .await;
        assert_eq!(status, StatusCode::OK, "{on}");
        assert!(page.contains("id=\"sent-twice\""), "{on}: {page}");
        assert!(!page.contains("id=\"new-token\""), "{on}: the secret again");
        assert_eq!(listed(&page, "JEEViKA गया MIS").len(), 1, "{on}");

        // Its use is shown; the secret never is.
        let (_, page) = admin.page(&server, "/admin/tokens?lang=hi").await;
        let block = listed(&page, "JEEViKA गया MIS")[0];
        assert!(
            !block.contains("उपयोग नहीं हुआ"),
            "{on}: last use not shown: {block}"
        );
        assert!(!page.contains(&secret), "{on}: the list shows the secret");
        let id = block
            .split("id=\"token-")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();

        // Someone who is not an admin: no page, and a revoke changes nothing.
        create_user(
            &server,
            "facilitator",
            "रीता कुमारी",
            "rita@example.org",
            "98111 50001",
            &["br-gaya"],
            ADMIN_PASSWORD,
        )
        .await;
        let mut rita = Browser::new();
        rita.sign_in(&server, "rita@example.org", ADMIN_PASSWORD)
            .await;
        let (status, _) = rita.page(&server, "/admin/tokens?lang=hi").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{on}");
        let (_, meetings) = rita.page(&server, "/meetings?lang=hi").await;
        let rita_csrf = csrf_field(&meetings);
        let (status, _) = rita
            .post_form(
                &server,
                &format!("/admin/tokens/{id}/revoke?lang=hi"),
                &[("csrf_token", &rita_csrf)],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{on}");
        // Without the form's token, the admin's own post changes nothing either.
        let (status, _) = admin
            .post_form(&server, &format!("/admin/tokens/{id}/revoke?lang=hi"), &[])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{on}");
        assert_eq!(api_status(&server, &secret).await, StatusCode::OK, "{on}");

        // Revoked (twice: the second changes nothing more).
        for _ in 0..2 {
            let response = admin
                .send(
                    &server,
                    reqwest::Method::POST,
                    &format!("/admin/tokens/{id}/revoke?lang=hi"),
                    None,
                    None,
                    Some(&[("csrf_token", &csrf)]),
                )
                .await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{on}");
        }
        assert_eq!(
            api_status(&server, &secret).await,
            StatusCode::UNAUTHORIZED,
            "{on}: a revoked token still works"
        );
        let (_, page) = admin.page(&server, "/admin/tokens?lang=hi").await;
        let block = listed(&page, "JEEViKA गया MIS")[0];
        assert!(
            block.contains("रद्द") && !block.contains("class=\"revoke"),
            "{on}"
        );
        let (status, _) = admin
            .post_form(
                &server,
                "/admin/tokens/tk_nonexistent/revoke?lang=hi",
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{on}");

        let (_, audit) = admin.page(&server, "/admin/audit?lang=en").await;
        assert_eq!(audit.matches("token_created").count(), 1, "{on}: {audit}");
        assert_eq!(audit.matches("token_revoked").count(), 1, "{on}");
    }
}

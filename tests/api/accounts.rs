//! People who sign in: the first admin from the command line, sessions in cookies (attributes,
//! rotation, idle expiry, sign-out), the slow-down after wrong passwords, CSRF on changes made
//! with a cookie, invitations from the admin page, and district rules applied to people exactly
//! as to tokens.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::header::{COOKIE, RETRY_AFTER, SET_COOKIE};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::support::{TestServer, backends, read};

pub(crate) const ADMIN_PASSWORD: &str = "सही पासवर्ड hai 2026";

/// A browser of our own: keeps cookies by name, follows no redirects (so each Set-Cookie is seen).
pub(crate) struct Browser {
    client: Client,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    pub(crate) fn new() -> Browser {
        Browser {
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            cookies: BTreeMap::new(),
        }
    }

    fn session(&self) -> Option<&str> {
        self.cookies.get("sangam_session").map(String::as_str)
    }

    async fn send(
        &mut self,
        server: &TestServer,
        method: Method,
        path: &str,
        csrf: Option<&str>,
        json: Option<&Value>,
        form: Option<&[(&str, &str)]>,
    ) -> Response {
        let mut request = self.client.request(method, server.url(path));
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(COOKIE, jar.join("; "));
        }
        if let Some(csrf) = csrf {
            request = request.header("X-CSRF-Token", csrf);
        }
        if let Some(json) = json {
            request = request.json(json);
        }
        if let Some(form) = form {
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(serde_urlencoded::to_string(form).unwrap());
        }
        let response = request.send().await.expect("request");
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        response
    }

    pub(crate) async fn page(&mut self, server: &TestServer, path: &str) -> (StatusCode, String) {
        let response = self.send(server, Method::GET, path, None, None, None).await;
        (response.status(), response.text().await.unwrap())
    }

    pub(crate) async fn post_form(
        &mut self,
        server: &TestServer,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let response = self
            .send(server, Method::POST, path, None, None, Some(form))
            .await;
        (response.status(), response.text().await.unwrap())
    }

    /// Signs in through the API; returns the status and the reply.
    pub(crate) async fn sign_in(
        &mut self,
        server: &TestServer,
        login: &str,
        password: &str,
    ) -> (StatusCode, Value) {
        let body = json!({"login": login, "password": password});
        read(
            self.send(
                server,
                Method::POST,
                "/api/v1/session",
                None,
                Some(&body),
                None,
            )
            .await,
        )
        .await
    }

    async fn whoami(&mut self, server: &TestServer) -> (StatusCode, Value) {
        read(
            self.send(server, Method::GET, "/api/v1/session", None, None, None)
                .await,
        )
        .await
    }
}

/// The value of the hidden `csrf_token` field of a page.
pub(crate) fn csrf_field(page: &str) -> String {
    let start = page
        .find("name=\"csrf_token\" value=\"")
        .expect("a csrf_token field")
        + "name=\"csrf_token\" value=\"".len();
    page[start..start + 64].to_string()
}

pub(crate) async fn create_user(
    server: &TestServer,
    role: &str,
    name: &str,
    email: &str,
    phone: &str,
    districts: &[&str],
    password: &str,
) {
    let mut args = vec![
        "user", "create", "--role", role, "--name", name, "--email", email, "--phone", phone,
    ];
    for district in districts {
        args.extend(["--district", district]);
    }
    args.push("--password-stdin");
    let output = server.cli_with_input(&args, &format!("{password}\n")).await;
    assert!(
        output.status.success(),
        "user create failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

pub(crate) async fn create_admin(server: &TestServer) {
    create_user(
        server,
        "admin",
        "Asha Devi",
        "Asha@Example.org",
        "98765 43210",
        &[],
        ADMIN_PASSWORD,
    )
    .await;
}

#[tokio::test]
async fn the_command_line_creates_the_first_admin_who_signs_in_with_email_or_phone() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        // Too short a password creates nobody.
        let output = server
            .cli_with_input(
                &[
                    "user",
                    "create",
                    "--role",
                    "admin",
                    "--name",
                    "X",
                    "--email",
                    "x@example.org",
                    "--password-stdin",
                ],
                "short\n",
            )
            .await;
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("at least 10"));
        create_admin(&server).await;
        let listed = server.cli(&["user", "list"]).await;
        let listed = String::from_utf8(listed.stdout).unwrap();
        assert!(
            listed.contains("Asha Devi") && listed.contains("asha@example.org"),
            "{listed}"
        );
        assert!(
            listed.contains("+919876543210") && listed.contains("active"),
            "{listed}"
        );
        assert!(!listed.contains(ADMIN_PASSWORD));
        // The same email again is refused.
        let output = server
            .cli_with_input(
                &[
                    "user",
                    "create",
                    "--role",
                    "consultant",
                    "--name",
                    "Y",
                    "--email",
                    "asha@example.org",
                    "--password-stdin",
                ],
                "long enough password\n",
            )
            .await;
        assert!(!output.status.success(), "{}", backend.name());

        let mut browser = Browser::new();
        let (status, reply) = browser
            .sign_in(&server, " asha@EXAMPLE.org", ADMIN_PASSWORD)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{}: {reply}", backend.name());
        assert_eq!(reply["user"]["role"], "admin");
        assert!(reply["user"].get("password_hash").is_none());
        let (status, me) = browser.whoami(&server).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["user"]["name"], "Asha Devi");
        assert_eq!(me["csrf_token"], reply["csrf_token"]);

        // The phone, written another way, signs in too.
        let mut phone = Browser::new();
        let response = phone
            .send(
                &server,
                Method::POST,
                "/api/v1/session",
                None,
                Some(&json!({"login": "098765-43210", "password": ADMIN_PASSWORD})),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        // Served as by default (HTTPS in front), the cookie is Secure, HttpOnly and SameSite=Lax.
        let cookie = response
            .headers()
            .get(SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
        }
        assert_ne!(phone.session(), browser.session());

        // Nothing in the database holds the password or a session id in clear.
        if let Some(url) = &server.database_url {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(url).await.unwrap();
            let (hash,): (String,) = sqlx::query_as("SELECT password_hash FROM users")
                .fetch_one(&pool)
                .await
                .unwrap();
            assert!(
                hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
                "{hash}"
            );
            let ids: Vec<(String,)> = sqlx::query_as("SELECT id_hash FROM sessions")
                .fetch_all(&pool)
                .await
                .unwrap();
            assert_eq!(ids.len(), 2);
            assert!(
                ids.iter()
                    .all(|(id,)| Some(id.as_str()) != browser.session())
            );
            pool.close().await;
        }
    }
}

#[tokio::test]
async fn wrong_passwords_slow_down_and_the_right_one_still_works_after_the_wait() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        create_admin(&server).await;
        let mut browser = Browser::new();
        for attempt in 0..3 {
            let (status, reply) = browser
                .sign_in(&server, "asha@example.org", "not the password")
                .await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "attempt {attempt}: {reply}"
            );
            assert_eq!(reply["error"]["code"], "unauthorized");
        }
        // Now even the right password waits, told how long in the contract's shape.
        let response = browser
            .send(
                &server,
                Method::POST,
                "/api/v1/session",
                None,
                Some(&json!({"login": "asha@example.org", "password": ADMIN_PASSWORD})),
                None,
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            backend.name()
        );
        let wait: u64 = response.headers()[RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=30).contains(&wait), "{wait}");
        let (_, reply) = read(response).await;
        assert_eq!(reply["error"]["code"], "rate_limited");
        assert!(browser.session().is_none());

        // The sign-in page says the same, kindly, and keeps what was typed.
        let mut form_browser = Browser::new();
        let (_, page) = form_browser.page(&server, "/account/sign-in?lang=en").await;
        let token = csrf_field(&page);
        let (status, page) = form_browser
            .post_form(
                &server,
                "/account/sign-in?lang=en",
                &[
                    ("login", "asha@example.org"),
                    ("password", ADMIN_PASSWORD),
                    ("csrf_token", &token),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            page.contains("Please wait") && page.contains("id=\"wait\""),
            "{page}"
        );
        assert!(page.contains("value=\"asha@example.org\""));

        tokio::time::sleep(Duration::from_secs(wait) + Duration::from_millis(200)).await;
        let (status, reply) = browser
            .sign_in(&server, "asha@example.org", ADMIN_PASSWORD)
            .await;
        assert_eq!(status, StatusCode::CREATED, "after the wait: {reply}");

        // The failures are in the audit log the admin reads.
        let (status, audit) = browser.page(&server, "/admin/audit?lang=en").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(audit.matches("sign_in_failed").count(), 3, "{audit}");
        assert!(audit.contains(">sign_in<"));
    }
}

#[tokio::test]
async fn signing_in_gives_a_new_session_id_and_the_old_one_dies() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        create_admin(&server).await;
        let mut browser = Browser::new();
        // An id planted before sign-in (by someone who wants to share the session) is ignored.
        let planted = "ab".repeat(32);
        browser
            .cookies
            .insert("sangam_session".into(), planted.clone());
        let (status, _) = browser.whoami(&server).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let response = browser
            .send(
                &server,
                Method::POST,
                "/api/v1/session",
                None,
                Some(&json!({"login": "asha@example.org", "password": ADMIN_PASSWORD})),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let cookie = response
            .headers()
            .get(SET_COOKIE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(!cookie.contains("Secure"), "--insecure-cookies: {cookie}");
        let first = browser.session().unwrap().to_string();
        assert_ne!(first, planted);

        let (status, _) = browser
            .sign_in(&server, "asha@example.org", ADMIN_PASSWORD)
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let second = browser.session().unwrap().to_string();
        assert_ne!(first, second);
        let (status, _) = browser.whoami(&server).await;
        assert_eq!(status, StatusCode::OK);
        browser.cookies.insert("sangam_session".into(), first);
        let (status, _) = browser.whoami(&server).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{}: the pre-sign-in session still works",
            backend.name()
        );
    }
}

#[tokio::test]
async fn a_session_left_idle_ends_and_one_in_use_lives_on() {
    for backend in backends() {
        let server =
            TestServer::start_with_args(&backend, &["--insecure-cookies", "--session-idle", "2"])
                .await;
        create_admin(&server).await;
        let mut browser = Browser::new();
        browser
            .sign_in(&server, "asha@example.org", ADMIN_PASSWORD)
            .await;
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(1200)).await;
            let (status, _) = browser.whoami(&server).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{}: a session in use ended",
                backend.name()
            );
        }
        tokio::time::sleep(Duration::from_millis(3200)).await;
        let (status, _) = browser.whoami(&server).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", backend.name());
        let (status, _) = browser.page(&server, "/account").await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "an expired session goes to the sign-in page"
        );
    }
}

#[tokio::test]
async fn sign_out_ends_one_session_and_sign_out_everywhere_ends_all() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        create_admin(&server).await;
        let (mut laptop, mut phone, mut tablet) = (Browser::new(), Browser::new(), Browser::new());
        let (_, signed) = laptop
            .sign_in(&server, "asha@example.org", ADMIN_PASSWORD)
            .await;
        let laptop_csrf = signed["csrf_token"].as_str().unwrap().to_string();
        phone.sign_in(&server, "9876543210", ADMIN_PASSWORD).await;

        // Without the CSRF header a cookie cannot sign out (another site could make it).
        let response = laptop
            .send(&server, Method::DELETE, "/api/v1/session", None, None, None)
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(laptop.whoami(&server).await.0, StatusCode::OK);
        let response = laptop
            .send(
                &server,
                Method::DELETE,
                "/api/v1/session",
                Some(&laptop_csrf),
                None,
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(laptop.whoami(&server).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(
            phone.whoami(&server).await.0,
            StatusCode::OK,
            "{}",
            backend.name()
        );

        // Sign out everywhere from the page: the phone's and the tablet's sessions end.
        tablet
            .sign_in(&server, "asha@example.org", ADMIN_PASSWORD)
            .await;
        let (status, page) = phone.page(&server, "/account?lang=en").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Asha Devi") && page.contains("every district"),
            "{page}"
        );
        let token = csrf_field(&page);
        let (status, _) = phone
            .post_form(
                &server,
                "/account/sign-out-everywhere?lang=en",
                &[("csrf_token", "0".repeat(64).as_str())],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(tablet.whoami(&server).await.0, StatusCode::OK);
        let (status, _) = phone
            .post_form(
                &server,
                "/account/sign-out-everywhere?lang=en",
                &[("csrf_token", &token)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(phone.session().is_none(), "the cookie is cleared");
        assert_eq!(
            tablet.whoami(&server).await.0,
            StatusCode::UNAUTHORIZED,
            "{}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn an_invited_facilitator_of_gaya_cannot_approve_in_mirzapur_and_one_of_mirzapur_can() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        create_admin(&server).await;
        let token = server.token("admin").await;

        // The admin signs in through the form (in Hindi) and opens the people page.
        let mut admin = Browser::new();
        let (_, page) = admin.page(&server, "/account/sign-in").await;
        assert!(page.contains("साइन इन"), "{page}");
        let (status, page) = admin
            .post_form(
                &server,
                "/account/sign-in",
                &[
                    ("login", "asha@example.org"),
                    ("password", ADMIN_PASSWORD),
                    ("csrf_token", &"0".repeat(64)),
                ],
            )
            .await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "a sign-in form without its token"
        );
        assert!(admin.session().is_none());
        // The refusal comes back with a fresh token to send again.
        let login_token = csrf_field(&page);
        let (status, _) = admin
            .post_form(
                &server,
                "/account/sign-in",
                &[
                    ("login", "asha@example.org"),
                    ("password", ADMIN_PASSWORD),
                    ("csrf_token", &login_token),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, page) = admin.page(&server, "/admin/people?lang=en").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let csrf = csrf_field(&page);

        // A post without the token invites nobody.
        let hostile = "<script>alert(1)</script> Gaya";
        let gaya = [
            ("name", hostile),
            ("email", "gaya@example.org"),
            ("role", "facilitator"),
            ("districts", "br-gaya"),
        ];
        let (status, _) = admin
            .post_form(&server, "/admin/people/invite?lang=en", &gaya)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let listed = String::from_utf8(server.cli(&["user", "list"]).await.stdout).unwrap();
        assert!(!listed.contains("gaya@example.org"), "{listed}");

        let mut invited = Vec::new();
        for (name, email, district) in [
            (hostile, "gaya@example.org", "br-gaya"),
            ("Meena Kumari", "meena@example.org", "up-mirzapur"),
        ] {
            let form = [
                ("name", name),
                ("email", email),
                ("role", "facilitator"),
                ("districts", district),
                ("csrf_token", csrf.as_str()),
            ];
            let (status, page) = admin
                .post_form(&server, "/admin/people/invite?lang=en", &form)
                .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            assert!(
                !page.contains("<script>alert"),
                "unescaped name on the people page"
            );
            assert!(page.contains("&lt;script&gt;"));
            let marker = "id=\"invitation-link\" readonly value=\"";
            let start = page.find(marker).expect("the invitation link") + marker.len();
            let link = page[start..]
                .split('"')
                .next()
                .unwrap()
                .replace("&#x2f;", "/")
                .replace("&amp;", "&");
            invited.push((email, link));
        }

        // Each sets a password from the link; a link works once.
        for (email, link) in &invited {
            let path = &link[link.find("/account").unwrap()..];
            let mut person = Browser::new();
            let (status, page) = person.page(&server, path).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let form_token = csrf_field(&page);
            let invitation = path.split("invitation=").nth(1).unwrap();
            let fields = [
                ("invitation", invitation),
                ("password", "mera naya password"),
                ("password_again", "mera naya password"),
                ("csrf_token", &form_token),
            ];
            // The form sent twice at once (a double tap) sets the password once.
            let mut twin = Browser::new();
            twin.cookies = person.cookies.clone();
            let (first, second) = tokio::join!(
                person.post_form(&server, "/account/set-password?lang=en", &fields),
                twin.post_form(&server, "/account/set-password?lang=en", &fields)
            );
            let mut statuses = [first.0, second.0];
            statuses.sort();
            assert_eq!(
                statuses,
                [StatusCode::OK, StatusCode::NOT_FOUND],
                "an invitation used twice"
            );
            let (status, reply) = person.sign_in(&server, email, "mera naya password").await;
            assert_eq!(status, StatusCode::CREATED, "{reply}");
        }

        // A registration waits in Mirzapur.
        let mut body =
            crate::support::entrepreneur("Reena Devi", "up-mirzapur", Some("9123456789"));
        body["consent"] = server.consent("hi").await;
        let (status, reply) = server.post("/api/v1/registrations", None, &body).await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        let path = format!("/api/v1/stakeholders/{}", reply["id"].as_str().unwrap());
        let approve = json!({"status": "active"});

        let mut gaya = Browser::new();
        let (_, signed) = gaya
            .sign_in(&server, "gaya@example.org", "mera naya password")
            .await;
        let gaya_csrf = signed["csrf_token"].as_str().unwrap().to_string();
        let (status, reply) = read(
            gaya.send(
                &server,
                Method::PATCH,
                &path,
                Some(&gaya_csrf),
                Some(&approve),
                None,
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}: {reply}", backend.name());
        assert!(
            reply["error"]["message"]
                .as_str()
                .unwrap()
                .contains("you write only in br-gaya"),
            "{reply}"
        );

        let mut mirzapur = Browser::new();
        let (_, signed) = mirzapur
            .sign_in(&server, "meena@example.org", "mera naya password")
            .await;
        let mirzapur_csrf = signed["csrf_token"].as_str().unwrap().to_string();
        // Without the CSRF header the cookie alone changes nothing.
        let (status, reply) = read(
            mirzapur
                .send(&server, Method::PATCH, &path, None, Some(&approve), None)
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");
        assert_eq!(reply["error"]["code"], "forbidden");
        let (_, stored) = server.get(&path, Some(&token)).await;
        assert_eq!(stored["status"], "pending");

        let (status, reply) = read(
            mirzapur
                .send(
                    &server,
                    Method::PATCH,
                    &path,
                    Some(&mirzapur_csrf),
                    Some(&approve),
                    None,
                )
                .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {reply}", backend.name());
        let (_, stored) = server.get(&path, Some(&token)).await;
        assert_eq!(stored["status"], "active");
        assert_eq!(stored["updated_by"], "Meena Kumari", "{stored}");

        // A facilitator is no admin: the people page is closed to them.
        let (status, _) = mirzapur.page(&server, "/admin/people").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The admin moves the Gaya facilitator to Mirzapur from the page: now they may.
        let gaya_id = listed_id(&server, "gaya@example.org").await;
        let (status, page) = admin
            .post_form(
                &server,
                &format!("/admin/people/{gaya_id}?lang=en"),
                &[
                    ("role", "facilitator"),
                    ("districts", "up-mirzapur, br-gaya"),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        let (status, reply) = read(
            gaya.send(
                &server,
                Method::PATCH,
                &path,
                Some(&gaya_csrf),
                Some(&json!({"description": "सिलाई"})),
                None,
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{reply}");

        // Escaped on the account page and in the audit log, which has the whole story.
        let (_, page) = gaya.page(&server, "/account?lang=en").await;
        assert!(
            page.contains("&lt;script&gt;") && !page.contains("<script>alert"),
            "{page}"
        );
        let (status, audit) = admin.page(&server, "/admin/audit?lang=en").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!audit.contains("<script>alert"));
        for action in ["invitation", "password_set", "sign_in", "role_changed"] {
            assert!(
                audit.contains(&format!(">{action}<")),
                "{action} missing: {audit}"
            );
        }

        // An admin cannot revoke themselves.
        let own_id = listed_id(&server, "asha@example.org").await;
        let (status, _) = admin
            .post_form(
                &server,
                &format!("/admin/people/{own_id}/revoke?lang=en"),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(admin.whoami(&server).await.0, StatusCode::OK);

        // Revoked: the session ends at once and the password no longer signs in.
        let (status, _) = admin
            .post_form(
                &server,
                &format!("/admin/people/{gaya_id}/revoke?lang=en"),
                &[("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(gaya.whoami(&server).await.0, StatusCode::UNAUTHORIZED);
        let (status, _) = Browser::new()
            .sign_in(&server, "gaya@example.org", "mera naya password")
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

async fn listed_id(server: &TestServer, email: &str) -> String {
    let listed = String::from_utf8(server.cli(&["user", "list"]).await.stdout).unwrap();
    listed
        .lines()
        .find(|line| line.contains(email))
        .and_then(|line| line.split('\t').next())
        .expect("listed")
        .to_string()
}

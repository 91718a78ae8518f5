//! The registration form in a real browser — Chromium, headless, phone-sized, driven over
//! WebDriver by ChromeDriver on a loopback port — doing what a person on a phone does: fill
//! the form in Hindi, get a mistake back with nothing they typed lost, fix it, be thanked.
//! Skipped, saying why, where Chromium or ChromeDriver is not installed (`.ci/run` installs
//! them from Debian's packages).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use reqwest::StatusCode;
use serde_json::json;
use tokio::process::{Child, Command};

use crate::support::{Backend, TestServer, backends};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A headless Chromium the size of a phone, and the ChromeDriver that drives it (killed when
/// dropped); `None`, said on the output, when they are not installed.
pub(crate) async fn browser() -> Option<(Client, Child)> {
    for needed in [CHROMEDRIVER, CHROMIUM] {
        if !Path::new(needed).exists() {
            crate::support::skip(&format!(
                "{needed} is not installed (apt-get install chromium chromium-driver): the browser test"
            ));
            return None;
        }
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        // A phone set to Hindi: its browser asks for Hindi pages first.
        json!({"binary": CHROMIUM,
               "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                        "--disable-dev-shm-usage", "--window-size=412,915"],
               "prefs": {"intl.accept_languages": "hi-IN,hi,en"}}),
    );
    let started = Instant::now();
    loop {
        let connected = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        match connected {
            Ok(client) => return Some((client, driver)),
            Err(error) if started.elapsed() > Duration::from_secs(30) => {
                panic!("chromedriver did not answer within 30 s: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

async fn value_of(browser: &Client, id: &str) -> String {
    browser
        .find(Locator::Id(id))
        .await
        .expect(id)
        .prop("value")
        .await
        .expect("a value")
        .unwrap_or_default()
}

pub(crate) async fn type_into(browser: &Client, id: &str, text: &str) {
    let field = browser.find(Locator::Id(id)).await.expect(id);
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

pub(crate) async fn choose(browser: &Client, id: &str, value: &str) {
    browser
        .find(Locator::Id(id))
        .await
        .expect(id)
        .select_by_value(value)
        .await
        .expect("choose");
}

/// Waits (up to 10 s) for an element of the page the last click is loading: a click can return
/// before the browser has the new page.
pub(crate) async fn arrived(
    browser: &Client,
    locator: Locator<'_>,
) -> fantoccini::elements::Element {
    browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(locator)
        .await
        .expect("the page that should follow")
}

async fn submit(browser: &Client) {
    browser
        .find(Locator::Css("button[type=submit]"))
        .await
        .expect("the button")
        .click()
        .await
        .expect("click");
}

#[tokio::test]
async fn a_person_registers_in_hindi_fixes_a_wrong_number_and_is_thanked() {
    let Some((browser, _driver)) = browser().await else {
        return;
    };
    let server = TestServer::start(&Backend::Sqlite).await;
    browser
        .goto(&server.url("/register"))
        .await
        .expect("open the form");
    let heading = browser
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "संगम में पंजीकरण", "Hindi first");

    type_into(&browser, "name", "सुनीता देवी").await;
    choose(&browser, "district", "up-mirzapur").await;
    type_into(&browser, "phone", "12345").await;
    type_into(&browser, "description", "घर से सिलाई का काम").await;
    choose(&browser, "need_kind", "finance").await;
    type_into(&browser, "need_title", "दो सिलाई मशीनें").await;
    type_into(&browser, "need_amount", "45,000").await;
    // The notice says who will see her details; she agrees.
    let notice = browser
        .find(Locator::Id("notice"))
        .await
        .expect("the consent notice")
        .text()
        .await
        .unwrap();
    assert!(
        notice.contains("कौन देखेगा") && notice.contains("मिटा"),
        "{notice}"
    );
    browser
        .find(Locator::Id("consent"))
        .await
        .expect("the consent box")
        .click()
        .await
        .unwrap();
    // The page's own style is allowed by its content security policy (by hash), so it shows.
    let colour = browser
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .css_value("background-color")
        .await
        .unwrap();
    assert_eq!(
        colour, "rgba(11, 93, 30, 1)",
        "the page's style was blocked"
    );
    submit(&browser).await;

    // The mistake is named in Hindi beside the field, and nothing typed is lost.
    let errors = arrived(&browser, Locator::Id("errors")).await;
    let said = errors.text().await.unwrap();
    assert!(said.contains("सही मोबाइल नंबर"), "{said}");
    assert_eq!(value_of(&browser, "name").await, "सुनीता देवी");
    assert_eq!(value_of(&browser, "district").await, "up-mirzapur");
    assert_eq!(value_of(&browser, "need_title").await, "दो सिलाई मशीनें");
    assert_eq!(value_of(&browser, "need_amount").await, "45,000");
    assert_eq!(value_of(&browser, "description").await, "घर से सिलाई का काम");
    let still_ticked = browser
        .find(Locator::Id("consent"))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(still_ticked.as_deref(), Some("true"), "consent is kept too");

    type_into(&browser, "phone", "98765 43210").await;
    submit(&browser).await;
    let thanks = arrived(&browser, Locator::Id("thanks")).await;
    assert!(thanks.text().await.unwrap().contains("पंजीकरण मिल गया"));
    let reference = browser
        .find(Locator::Id("reference"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    // The registration is in the registry, pending, as typed, with the need.
    let token = server.token("facilitator").await;
    let (status, stored) = server
        .get(&format!("/api/v1/stakeholders/{reference}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{reference}: {stored}");
    assert_eq!(stored["name"], "सुनीता देवी");
    assert_eq!(stored["status"], "pending");
    assert_eq!(stored["created_via"], "registration");
    assert_eq!(stored["contact"]["phone"], "+919876543210");
    assert_eq!(stored["consent"]["language"], "hi", "{stored}");
    let (_, needs) = server
        .get(
            &format!("/api/v1/stakeholders/{reference}/needs?status=all"),
            Some(&token),
        )
        .await;
    assert_eq!(needs[0]["title"], "दो सिलाई मशीनें", "{needs}");
    assert_eq!(needs[0]["amount_inr"], 45000);

    // Reloading the thank-you page registers nothing twice (the form answered with a redirect).
    browser.refresh().await.unwrap();
    assert_eq!(server.stakeholder_count(&token).await, 1);

    // The same form in English, one tap away.
    browser.goto(&server.url("/register")).await.unwrap();
    browser
        .find(Locator::LinkText("English"))
        .await
        .expect("a link to English")
        .click()
        .await
        .unwrap();
    let english = arrived(
        &browser,
        Locator::XPath("//h1[text()='Register with Sangam']"),
    )
    .await;
    assert_eq!(english.text().await.unwrap(), "Register with Sangam");
    browser.close().await.unwrap();
}

/// The form is small on the wire for a slow network: gzip, when the phone accepts it.
#[tokio::test]
async fn the_form_is_compressed_for_slow_networks() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let plain = server
        .client
        .get(server.url("/register"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let response = server
        .client
        .get(server.url("/register"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let compressed = response.bytes().await.unwrap();
    assert!(
        compressed.len() * 3 < plain.len(),
        "{} bytes gzipped of {}",
        compressed.len(),
        plain.len()
    );
}

/// A flood of form posts from one address gets a page saying to wait, in both languages, not
/// a JSON error a phone cannot show.
#[tokio::test]
async fn too_many_posts_get_a_page_saying_to_wait() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let mut limited = None;
    for _ in 0..40 {
        let response = server
            .client
            .post(server.url("/register"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=&district=")
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
            break;
        }
        // Without the form's token: refused, but counted.
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    let response = limited.expect("no 429 after 40 posts in a burst");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = response.text().await.unwrap();
    assert!(
        page.contains("थोड़ा रुकें") && page.contains("Please wait"),
        "{page}"
    );
}

/// What a browser keeps from opening the form: its cookie and the form's hidden fields.
struct OpenedForm {
    cookie: String,
    csrf_token: String,
    form_id: String,
    notice_version: String,
    page: String,
}

/// The value of the hidden field `name` in `page`.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in the page"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

async fn open_form(server: &TestServer, lang: &str) -> OpenedForm {
    let response = server
        .client
        .get(server.url(&format!("/register?lang={lang}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = response.text().await.unwrap();
    OpenedForm {
        cookie,
        csrf_token: hidden(&page, "csrf_token"),
        form_id: hidden(&page, "form_id"),
        notice_version: hidden(&page, "notice_version"),
        page,
    }
}

/// Posts the form as a browser without script would; redirects are not followed.
async fn post_form(
    server: &TestServer,
    lang: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> (StatusCode, String, Option<String>) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client
        .post(server.url(&format!("/register?lang={lang}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(fields).unwrap());
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_string());
    (status, response.text().await.unwrap(), location)
}

fn filled<'a>(form: &'a OpenedForm, consent: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("kind", "micro_entrepreneur"),
        ("name", "रीना देवी"),
        ("district", "up-mirzapur"),
        ("phone", "91234 56789"),
        ("description", "बकरी पालन"),
        ("need_kind", "finance"),
        ("need_title", "bakri palan ke liye loan"),
        ("need_amount", "25,000"),
        ("csrf_token", &form.csrf_token),
        ("form_id", &form.form_id),
        ("notice_version", &form.notice_version),
    ];
    if let Some(consent) = consent {
        fields.push(("consent", consent));
    }
    fields
}

/// Without the box ticked nothing is stored, and the form comes back with everything typed and
/// the reason beside the box, in the page's language; ticked, the record keeps the consent.
#[tokio::test]
async fn the_form_shows_the_notice_and_registers_only_with_the_box_ticked() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        for (lang, reason, notice_words) in [
            ("hi", "आपकी सहमति ज़रूरी है", "कौन देखेगा"),
            ("en", "only with your consent", "Who sees it"),
        ] {
            let form = open_form(&server, lang).await;
            assert!(form.page.contains(notice_words), "{lang}: no notice");
            assert!(form.page.contains("type=\"checkbox\" id=\"consent\""));
            let (status, page, _) =
                post_form(&server, lang, Some(&form.cookie), &filled(&form, None)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{lang}: {page}");
            let beside = &page[page
                .find("id=\"consent-error\"")
                .expect("a reason beside the box")..];
            assert!(
                beside[..400.min(beside.len())].contains(reason),
                "{lang}: {beside}"
            );
            for typed in [
                "रीना देवी",
                "91234 56789",
                "bakri palan ke liye loan",
                "25,000",
                "बकरी पालन",
            ] {
                assert!(page.contains(typed), "{lang}: `{typed}` lost");
            }
            assert!(
                page.contains("value=\"up-mirzapur\" selected"),
                "{lang}: district lost"
            );
            assert_eq!(
                server.stakeholder_count(&token).await,
                0,
                "{}",
                backend.name()
            );
        }

        let form = open_form(&server, "en").await;
        let (status, _, location) = post_form(
            &server,
            "en",
            Some(&form.cookie),
            &filled(&form, Some("yes")),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let reference = location.unwrap().rsplit("ref=").next().unwrap().to_string();
        let (_, stored) = server
            .get(&format!("/api/v1/stakeholders/{reference}"), Some(&token))
            .await;
        assert_eq!(stored["consent"]["language"], "en", "{stored}");
        assert_eq!(
            stored["consent"]["notice_version"],
            form.notice_version.as_str()
        );
    }
}

/// A post without this browser's form token (another site's form, a stale page) is refused
/// with 403 and stores nothing; the form comes back filled in with a fresh token that works.
#[tokio::test]
async fn a_post_without_the_form_token_is_refused_and_changes_nothing() {
    let server = TestServer::start(&Backend::Sqlite).await;
    let token = server.token("facilitator").await;
    let form = open_form(&server, "hi").await;
    let other = open_form(&server, "hi").await;
    let without_field: Vec<(&str, &str)> = filled(&form, Some("yes"))
        .into_iter()
        .filter(|(name, _)| *name != "csrf_token")
        .collect();
    for (cookie, fields) in [
        (Some(form.cookie.as_str()), without_field.clone()),
        (None, filled(&form, Some("yes"))),
        (Some(other.cookie.as_str()), filled(&form, Some("yes"))),
    ] {
        let (status, page, _) = post_form(&server, "hi", cookie, &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
        assert!(page.contains("फ़ॉर्म पुराना"), "{page}");
        assert!(page.contains("रीना देवी"), "what was typed is kept");
    }
    assert_eq!(server.stakeholder_count(&token).await, 0);

    // Sent again from the page it was given back on, it goes through.
    let response = server
        .client
        .post(server.url("/register?lang=hi"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(&without_field).unwrap())
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = response.text().await.unwrap();
    let mut fields = without_field.clone();
    let fresh = hidden(&page, "csrf_token");
    fields.push(("csrf_token", &fresh));
    let (status, _, _) = post_form(&server, "hi", Some(&cookie), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(server.stakeholder_count(&token).await, 1);
}

/// The same filled-in form sent twice, one after the other or at once, registers one person
/// and thanks both with the same reference; a changed form is a new registration.
#[tokio::test]
async fn sending_the_same_form_twice_registers_once() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let form = open_form(&server, "hi").await;
        let fields = filled(&form, Some("yes"));
        let (first, second) = tokio::join!(
            post_form(&server, "hi", Some(&form.cookie), &fields),
            post_form(&server, "hi", Some(&form.cookie), &fields),
        );
        let (third_status, _, third) = post_form(&server, "hi", Some(&form.cookie), &fields).await;
        assert_eq!(
            (first.0, second.0, third_status),
            (
                StatusCode::SEE_OTHER,
                StatusCode::SEE_OTHER,
                StatusCode::SEE_OTHER
            )
        );
        assert_eq!(first.2, second.2, "{}", backend.name());
        assert_eq!(first.2, third);
        assert_eq!(
            server.stakeholder_count(&token).await,
            1,
            "{}",
            backend.name()
        );

        let mut changed = fields.clone();
        changed[1] = ("name", "सीमा देवी");
        let (status, _, location) = post_form(&server, "hi", Some(&form.cookie), &changed).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_ne!(location, first.2);
        assert_eq!(server.stakeholder_count(&token).await, 2);
    }
}

#[tokio::test]
async fn an_admin_signs_in_on_a_phone_and_invites_a_facilitator() {
    let Some((browser, _driver)) = browser().await else {
        return;
    };
    let server = TestServer::start_with_args(&Backend::Sqlite, &["--insecure-cookies"]).await;
    crate::accounts::create_admin(&server).await;
    browser
        .goto(&server.url("/account/sign-in"))
        .await
        .expect("open the sign-in page");
    let heading = arrived(&browser, Locator::Css("h1")).await;
    assert_eq!(heading.text().await.unwrap(), "साइन इन करें", "Hindi first");
    type_into(&browser, "login", "asha@example.org").await;
    type_into(&browser, "password", "not her password").await;
    submit(&browser).await;
    let errors = arrived(&browser, Locator::Id("errors")).await;
    assert!(errors.text().await.unwrap().contains("सही नहीं"));
    assert_eq!(value_of(&browser, "login").await, "asha@example.org");
    type_into(&browser, "password", crate::accounts::ADMIN_PASSWORD).await;
    submit(&browser).await;
    let who = arrived(&browser, Locator::Id("who")).await;
    assert_eq!(who.text().await.unwrap(), "Asha Devi");
    let role = browser.find(Locator::Id("role")).await.unwrap();
    assert_eq!(role.text().await.unwrap(), "एडमिन");

    browser
        .find(Locator::Id("people-link"))
        .await
        .expect("a link to the people page")
        .click()
        .await
        .unwrap();
    arrived(&browser, Locator::Id("invite")).await;
    type_into(&browser, "name", "रीता कुमारी").await;
    type_into(&browser, "phone", "91234 56789").await;
    choose(&browser, "role", "facilitator").await;
    type_into(&browser, "districts", "br-gaya").await;
    browser
        .find(Locator::Id("invite"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let link = arrived(&browser, Locator::Id("invitation-link")).await;
    let link = link.prop("value").await.unwrap().unwrap_or_default();
    assert!(link.contains("/account/set-password?"), "{link}");
    let listed = String::from_utf8(server.cli(&["user", "list"]).await.stdout).unwrap();
    let invited = listed
        .lines()
        .find(|line| line.contains("रीता कुमारी"))
        .expect("the invited facilitator is listed");
    assert!(
        invited.contains("facilitator")
            && invited.contains("br-gaya")
            && invited.contains("invited"),
        "{invited}"
    );
    // The page fits a phone: nothing wider than the screen.
    let wide = browser
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        wide,
        json!(true),
        "the people page scrolls sideways on a phone"
    );
    browser.close().await.unwrap();
}

/// Where the browser tests leave screenshots: `SANGAM_SCREENSHOTS` (the docs are made with
/// `SANGAM_SCREENSHOTS=docs/screenshots`), else a directory of the test's own.
fn screenshot_dir() -> (std::path::PathBuf, Option<tempfile::TempDir>) {
    match std::env::var("SANGAM_SCREENSHOTS") {
        Ok(dir) if !dir.trim().is_empty() => (std::path::PathBuf::from(dir), None),
        _ => {
            let temp = tempfile::tempdir().expect("a directory for screenshots");
            (temp.path().to_path_buf(), Some(temp))
        }
    }
}

async fn fits_a_phone(browser: &Client, page: &str) {
    let fits = browser
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fits, json!(true), "{page} scrolls sideways on a phone");
}

#[tokio::test]
async fn a_facilitator_on_a_phone_reviews_searches_and_opens_a_record_in_hindi() {
    let Some((browser, _driver)) = browser().await else {
        return;
    };
    let server =
        TestServer::start_with_args(&Backend::Sqlite, &["--insecure-cookies", "--demo"]).await;
    crate::accounts::create_user(
        &server,
        "facilitator",
        "मीना कुमारी",
        "meena@example.org",
        "98111 22222",
        &["up-mirzapur"],
        "कोई अच्छा पासवर्ड 2026",
    )
    .await;
    let token = server.token("admin").await;
    let (status, existing) = server
        .post(
            "/api/v1/stakeholders?allow_duplicate=true",
            Some(&token),
            &crate::support::entrepreneur("Sunita Devi", "up-mirzapur", Some("+91 98390 11111")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{existing}");
    let mut again =
        crate::support::entrepreneur("Sunita Devi", "up-mirzapur", Some("+91 98390 11111"));
    again["profile"]["block"] = json!("Mirzapur City");
    again["consent"] = server.consent("hi").await;
    again["needs"] =
        json!([{"kind": "finance", "title": "दो सिलाई मशीनों के लिए लोन", "amount_inr": 45000}]);
    let (status, registered) = server.post("/api/v1/registrations", None, &again).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let (shots, _keep) = screenshot_dir();
    std::fs::create_dir_all(&shots).unwrap();

    browser.goto(&server.url("/account/sign-in")).await.unwrap();
    arrived(&browser, Locator::Id("login")).await;
    type_into(&browser, "login", "meena@example.org").await;
    type_into(&browser, "password", "कोई अच्छा पासवर्ड 2026").await;
    submit(&browser).await;
    arrived(&browser, Locator::Id("who")).await;

    browser.goto(&server.url("/review")).await.unwrap();
    let heading = arrived(&browser, Locator::Css("h1")).await;
    assert_eq!(heading.text().await.unwrap(), "जाँच के लिए पंजीकरण");
    let id = registered["id"].as_str().unwrap();
    arrived(&browser, Locator::Id(&format!("registration-{id}"))).await;
    fits_a_phone(&browser, "the review queue").await;
    std::fs::write(
        shots.join("review-hi.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();

    browser
        .goto(&server.url("/search?q=silai+loan"))
        .await
        .unwrap();
    arrived(&browser, Locator::Id("total")).await;
    fits_a_phone(&browser, "the search page").await;
    std::fs::write(
        shots.join("search-hi.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();

    let existing_id = existing["id"].as_str().unwrap();
    browser
        .goto(&server.url(&format!("/stakeholders/{existing_id}")))
        .await
        .unwrap();
    arrived(&browser, Locator::Id("contact")).await;
    fits_a_phone(&browser, "the stakeholder page").await;
    std::fs::write(
        shots.join("stakeholder-hi.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();

    // Approve from the phone: the queue comes back without it.
    browser.goto(&server.url("/review")).await.unwrap();
    arrived(&browser, Locator::Id(&format!("registration-{id}"))).await;
    browser
        .find(Locator::Css(&format!("#registration-{id} button.approve")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    arrived(&browser, Locator::Id("empty")).await;
    browser.close().await.unwrap();
}

/// What the planner weighs an offering's rules against is asked on the form: she says she is a
/// woman in tailoring, and her record and need keep it. A bank that says a gender is told, beside
/// the field, that it is asked of entrepreneurs only; a made-up sector is refused; nothing is
/// stored and everything typed comes back.
#[tokio::test]
async fn the_form_asks_her_gender_and_line_of_work_and_the_record_keeps_them() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let form = open_form(&server, "hi").await;
        assert!(form.page.contains("id=\"gender\"") && form.page.contains("महिला"));
        assert!(
            form.page.contains("value=\"tailoring\""),
            "the sectors are offered"
        );

        for (lang, kind, gender, sector, field, said) in [
            ("hi", "bank", "female", "", "gender", "केवल उद्यमी और समूह"),
            (
                "en",
                "bank",
                "male",
                "",
                "gender",
                "asked only of entrepreneurs",
            ),
            (
                "en",
                "micro_entrepreneur",
                "",
                "<script>x</script>",
                "sector",
                "from the list",
            ),
            (
                "hi",
                "micro_entrepreneur",
                "woman",
                "tailoring",
                "gender",
                "सूची में से",
            ),
        ] {
            let form = open_form(&server, lang).await;
            let mut fields = filled(&form, Some("yes"));
            fields[0] = ("kind", kind);
            fields.push(("gender", gender));
            fields.push(("sector", sector));
            let (status, page, _) = post_form(&server, lang, Some(&form.cookie), &fields).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{kind} {gender}: {page}"
            );
            let beside = &page[page
                .find(&format!("id=\"{field}-error\""))
                .unwrap_or_else(|| panic!("no reason beside {field}: {page}"))..];
            assert!(beside[..400.min(beside.len())].contains(said), "{beside}");
            assert!(page.contains("रीना देवी") && page.contains("bakri palan ke liye loan"));
            assert!(!page.contains("<script>x"), "the hostile value is escaped");
        }
        assert_eq!(
            server.stakeholder_count(&token).await,
            0,
            "{}",
            backend.name()
        );

        let form = open_form(&server, "hi").await;
        let mut fields = filled(&form, Some("yes"));
        fields.push(("gender", "female"));
        fields.push(("sector", "goat_rearing"));
        let (status, page, location) = post_form(&server, "hi", Some(&form.cookie), &fields).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        let reference = location.unwrap().rsplit("ref=").next().unwrap().to_string();
        let (_, stored) = server
            .get(&format!("/api/v1/stakeholders/{reference}"), Some(&token))
            .await;
        assert_eq!(stored["profile"]["gender"], "female", "{stored}");
        assert_eq!(stored["profile"]["sector"], "goat_rearing", "{stored}");
        let (_, needs) = server
            .get(
                &format!("/api/v1/stakeholders/{reference}/needs?status=all"),
                Some(&token),
            )
            .await;
        assert_eq!(needs[0]["sector"], "goat_rearing", "{needs}");
    }
}

/// A registration waiting for review is seen only by people of its district (and of all
/// districts): a Gaya facilitator asking for a Mirzapur registration by its id is told it is
/// unknown, by the API and on the record's page; once approved, it is a record like any other.
#[tokio::test]
async fn a_registration_waiting_for_review_is_seen_only_in_its_district() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let form = open_form(&server, "hi").await;
        let (status, _, location) = post_form(
            &server,
            "hi",
            Some(&form.cookie),
            &filled(&form, Some("yes")),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let reference = location.unwrap().rsplit("ref=").next().unwrap().to_string();
        let path = format!("/api/v1/stakeholders/{reference}");
        let gaya = server.token_for("facilitator", &["br-gaya"]).await;
        let mirzapur = server.token_for("facilitator", &["up-mirzapur"]).await;
        let everywhere = server.token("consultant").await;
        let (status, body) = server.get(&path, Some(&gaya)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{}: {body}", backend.name());
        assert!(!body.to_string().contains("रीना"));
        for token in [&mirzapur, &everywhere] {
            let (status, body) = server.get(&path, Some(token)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        // Nor the need it came with, asked for by its own id.
        let (_, needs) = server
            .get(&format!("{path}/needs?status=all"), Some(&mirzapur))
            .await;
        let need_path = format!("/api/v1/needs/{}", needs[0]["id"].as_str().unwrap());
        let (status, body) = server.get(&need_path, Some(&gaya)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{}: {body}", backend.name());
        let (status, _) = server.get(&need_path, Some(&mirzapur)).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = server
            .post(
                &format!("/api/v1/registrations/{reference}/approve"),
                Some(&mirzapur),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = server.get(&path, Some(&gaya)).await;
        assert_eq!(status, StatusCode::OK, "approved, it is a record: {body}");
    }
}

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

use crate::support::{Backend, TestServer};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A headless Chromium the size of a phone, and the ChromeDriver that drives it (killed when
/// dropped); `None`, said on the output, when they are not installed.
async fn browser() -> Option<(Client, Child)> {
    for needed in [CHROMEDRIVER, CHROMIUM] {
        if !Path::new(needed).exists() {
            eprintln!(
                "skipped: {needed} is not installed (apt-get install chromium chromium-driver)"
            );
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

async fn type_into(browser: &Client, id: &str, text: &str) {
    let field = browser.find(Locator::Id(id)).await.expect(id);
    field.clear().await.expect("clear");
    field.send_keys(text).await.expect("type");
}

async fn choose(browser: &Client, id: &str, value: &str) {
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
async fn arrived(browser: &Client, locator: Locator<'_>) -> fantoccini::elements::Element {
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
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
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

//! The whole journey in one real browser (headless Chromium at phone width, Hindi first), as the
//! people of a district live it: a woman in Gaya registers herself through `/register` in Hindi;
//! a facilitator of Mirzapur can neither see nor approve that registration; the Gaya facilitator
//! finds it in the review queue and approves it; a consultant finds her need through `/search`
//! typed in Latin letters; the facilitator creates a meeting, reads its suggestion and takes the
//! linkage from proposed to completed with the loan amount; the dashboard's figures and plot
//! show the ₹45,000. Each step asserts what the person sees on the page. Runs on both backends.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::accounts::create_user;
use crate::support::{TestServer, add, backends};
use crate::web::{arrived, browser, choose, type_into};

const PASSWORD: &str = "गया की बैठक 2026 pass";

async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no `{css}` on the page"))
        .text()
        .await
        .unwrap()
}

async fn click(browser: &Client, css: &str) {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no `{css}` to click"))
        .click()
        .await
        .unwrap();
}

async fn body_text(browser: &Client) -> String {
    text_of(browser, "body").await
}

/// Signs in on the sign-in page as a person would; the browser forgets whoever was signed in.
async fn sign_in_as(browser: &Client, server: &TestServer, login: &str) {
    browser.delete_all_cookies().await.unwrap();
    browser.goto(&server.url("/account/sign-in")).await.unwrap();
    arrived(browser, Locator::Id("login")).await;
    type_into(browser, "login", login).await;
    type_into(browser, "password", PASSWORD).await;
    click(browser, "button[type=submit]").await;
    arrived(browser, Locator::Id("who")).await;
}

async fn fits_a_phone(browser: &Client, what: &str) {
    let fits = browser
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fits, json!(true), "the {what} scrolls sideways on a phone");
}

/// Sends a POST to `action` with the CSRF token of the page open in the browser: what someone
/// who edits a form in the browser's tools can send.
async fn forge_post(browser: &Client, action: &str) {
    browser
        .execute(
            "const token = document.querySelector('input[name=csrf_token]').value;
             const form = document.createElement('form');
             form.method = 'post';
             form.action = arguments[0];
             const field = document.createElement('input');
             field.type = 'hidden'; field.name = 'csrf_token'; field.value = token;
             form.appendChild(field);
             document.body.appendChild(form);
             form.submit();",
            vec![json!(action)],
        )
        .await
        .unwrap();
}

fn screenshots() -> Option<std::path::PathBuf> {
    std::env::var("SANGAM_SCREENSHOTS")
        .ok()
        .filter(|dir| !dir.trim().is_empty())
        .map(std::path::PathBuf::from)
}

async fn screenshot(browser: &Client, name: &str) {
    if let Some(dir) = screenshots() {
        std::fs::create_dir_all(&dir).unwrap();
        let png = browser.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

#[tokio::test]
async fn a_woman_registers_in_hindi_and_her_loan_goes_from_review_to_the_dashboard() {
    let Some((browser, _driver)) = browser().await else {
        return;
    };
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        let on = backend.name();
        // What the district already has: a bank branch with a loan for women in tailoring.
        let token = server.token("admin").await;
        let bank = add(
            &server,
            &token,
            "/api/v1/stakeholders",
            &json!({"kind": "bank", "name": "Punjab National Bank, Bodh Gaya", "district": "br-gaya",
                    "description": "MUDRA Shishu and Kishore loans"}),
        )
        .await;
        add(
            &server,
            &token,
            &format!("/api/v1/stakeholders/{bank}/offerings"),
            &json!({"kind": "finance", "title": "MUDRA Kishore loan for women's enterprises",
                    "sectors": ["tailoring"],
                    "eligibility": {"gender": "female", "min_amount_inr": 20000, "max_amount_inr": 200000},
                    "valid_until": "2027-03-31"}),
        )
        .await;
        for (role, name, email, phone, district) in [
            (
                "facilitator",
                "रीता कुमारी",
                "rita@example.org",
                "98111 30001",
                "br-gaya",
            ),
            (
                "facilitator",
                "मीना देवी",
                "meena@example.org",
                "98111 30002",
                "up-mirzapur",
            ),
            (
                "consultant",
                "Ravi Paswan",
                "ravi@example.org",
                "98111 30003",
                "br-gaya",
            ),
        ] {
            create_user(&server, role, name, email, phone, &[district], PASSWORD).await;
        }

        // She registers on her phone, in Hindi (a phone that never signed in here).
        browser.goto(&server.url("/register")).await.unwrap();
        browser.delete_all_cookies().await.unwrap();
        browser.goto(&server.url("/register")).await.unwrap();
        let heading = arrived(&browser, Locator::Css("h1")).await;
        assert_eq!(heading.text().await.unwrap(), "संगम में पंजीकरण", "{on}");
        type_into(&browser, "name", "सुनीता कुमारी").await;
        choose(&browser, "district", "br-gaya").await;
        type_into(&browser, "phone", "98765 12340").await;
        type_into(&browser, "description", "घर पर सिलाई-कढ़ाई का काम, दो साल से").await;
        choose(&browser, "gender", "female").await;
        choose(&browser, "sector", "tailoring").await;
        choose(&browser, "need_kind", "finance").await;
        type_into(&browser, "need_title", "दो सिलाई मशीनों के लिए कर्ज़").await;
        type_into(&browser, "need_amount", "45,000").await;
        click(&browser, "#consent").await;
        fits_a_phone(&browser, "registration form").await;
        browser
            .execute("document.getElementById('about').scrollIntoView();", vec![])
            .await
            .unwrap();
        screenshot(&browser, "register-hi").await;
        click(&browser, "button[type=submit]").await;
        let thanks = arrived(&browser, Locator::Id("thanks")).await;
        assert!(
            thanks.text().await.unwrap().contains("पंजीकरण मिल गया"),
            "{on}"
        );
        let reference = text_of(&browser, "#reference").await;
        assert!(reference.starts_with("st_"), "{on}: {reference}");

        // A facilitator of Mirzapur: not in her queue, not on the record's page, and an
        // approval sent anyway is refused and changes nothing.
        sign_in_as(&browser, &server, "meena@example.org").await;
        browser.goto(&server.url("/review")).await.unwrap();
        arrived(&browser, Locator::Id("empty")).await;
        assert!(
            !body_text(&browser).await.contains("सुनीता"),
            "{on}: Mirzapur sees the Gaya registration"
        );
        browser
            .goto(&server.url(&format!("/stakeholders/{reference}")))
            .await
            .unwrap();
        let page = body_text(&browser).await;
        assert!(
            page.contains("नहीं मिला") && !page.contains("सुनीता") && !page.contains("98765"),
            "{on}: Mirzapur opens the Gaya registration: {page}"
        );
        browser.goto(&server.url("/meetings")).await.unwrap();
        arrived(&browser, Locator::Id("new-meeting")).await;
        forge_post(&browser, &format!("/review/{reference}/approve?lang=hi")).await;
        let refused = arrived(
            &browser,
            Locator::XPath("//*[contains(text(), 'आपके ज़िलों में नहीं')]"),
        )
        .await;
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("यह पंजीकरण आपके ज़िलों में नहीं है"),
            "{on}"
        );

        // The Gaya facilitator sees her in the queue, as she wrote it, and approves her.
        sign_in_as(&browser, &server, "rita@example.org").await;
        browser.goto(&server.url("/review")).await.unwrap();
        let entry = arrived(&browser, Locator::Id(&format!("registration-{reference}"))).await;
        let shown = entry.text().await.unwrap();
        assert!(
            shown.contains("सूक्ष्म उद्यमी")
                && shown.contains("गया")
                && !shown.contains("micro_entrepreneur")
                && !shown.contains("br-gaya"),
            "{on}: the queue names kind and district in Hindi: {shown}"
        );
        for typed in [
            "सुनीता कुमारी",
            "दो सिलाई मशीनों के लिए कर्ज़",
            "45000",
            "+919876512340",
        ] {
            assert!(
                shown.contains(typed),
                "{on}: `{typed}` not in the queue: {shown}"
            );
        }
        fits_a_phone(&browser, "review queue").await;
        click(
            &browser,
            &format!("#registration-{reference} button.approve"),
        )
        .await;
        arrived(&browser, Locator::Id("empty")).await;

        // A consultant of Gaya finds her need, typing in Latin letters.
        sign_in_as(&browser, &server, "ravi@example.org").await;
        let started = Instant::now();
        let hit = loop {
            browser.goto(&server.url("/search")).await.unwrap();
            arrived(&browser, Locator::Id("q")).await;
            type_into(&browser, "q", "silai machine karz").await;
            click(&browser, "form[role=search] button").await;
            arrived(&browser, Locator::Css("ol.hits")).await;
            let hits = browser.find_all(Locator::Css("li.hit")).await.unwrap();
            let mut found = None;
            for hit in hits {
                if hit
                    .text()
                    .await
                    .unwrap()
                    .contains("दो सिलाई मशीनों के लिए कर्ज़")
                {
                    found = Some(hit);
                    break;
                }
            }
            match found {
                Some(hit) => break hit,
                // A write is searchable within a second; allow a slow shared machine more.
                None if started.elapsed() < Duration::from_secs(10) => {
                    tokio::time::sleep(Duration::from_millis(300)).await
                }
                None => panic!("{on}: her need is not found: {}", body_text(&browser).await),
            }
        };
        assert!(
            hit.find(Locator::Css("mark")).await.is_ok(),
            "{on}: the words she matched are not marked"
        );
        fits_a_phone(&browser, "search page").await;
        hit.find(Locator::Css("a"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let contact = arrived(&browser, Locator::Id("contact")).await;
        assert!(
            contact.text().await.unwrap().contains("+919876512340"),
            "{on}: a signed-in consultant sees how to reach her"
        );
        let record = body_text(&browser).await;
        assert!(
            record.contains("सुनीता कुमारी")
                && record.contains("सिलाई")
                && !record.contains("br-gaya"),
            "{on}: her record, named in Hindi: {record}"
        );

        // The Gaya facilitator prepares the meeting and follows the loan through.
        sign_in_as(&browser, &server, "rita@example.org").await;
        browser.goto(&server.url("/meetings")).await.unwrap();
        arrived(&browser, Locator::Id("new-meeting")).await;
        type_into(&browser, "title", "गया गठबंधन बैठक, दिसंबर").await;
        choose(&browser, "district", "br-gaya").await;
        browser
            .execute(
                "document.getElementById('date').value = '2026-12-10';",
                vec![],
            )
            .await
            .unwrap();
        click(&browser, "#create").await;
        let title = arrived(&browser, Locator::Id("meeting-title")).await;
        assert_eq!(title.text().await.unwrap(), "गया गठबंधन बैठक, दिसंबर", "{on}");
        let cards = browser.find_all(Locator::Css(".card")).await.unwrap();
        assert_eq!(cards.len(), 1, "{on}: one need, one fitting loan");
        let card = cards[0].text().await.unwrap();
        for seen in [
            "दो सिलाई मशीनों के लिए कर्ज़",
            "सुनीता कुमारी",
            "MUDRA Kishore loan for women's enterprises",
            "Punjab National Bank, Bodh Gaya",
            "₹45,000",
        ] {
            assert!(
                card.contains(seen),
                "{on}: `{seen}` not on the card: {card}"
            );
        }
        let reasons = text_of(&browser, ".card .reasons").await;
        assert!(
            reasons.contains("महिला") && reasons.contains("मेल खाता"),
            "{on}: the reasons say why, in Hindi: {reasons}"
        );
        fits_a_phone(&browser, "meeting page").await;
        click(&browser, ".card button.move-proposed").await;
        arrived(&browser, Locator::Css(".card button.move-accepted")).await;
        click(&browser, ".card button.move-accepted").await;
        arrived(&browser, Locator::Css(".card button.move-completed")).await;
        browser
            .find(Locator::Css(".card input[name=outcome_value]"))
            .await
            .expect("the loan amount field")
            .send_keys("45,000")
            .await
            .unwrap();
        click(&browser, ".card button.move-completed").await;
        let recorded = arrived(&browser, Locator::Css(".card .outcome")).await;
        assert_eq!(recorded.text().await.unwrap(), "₹45,000", "{on}");
        assert_eq!(text_of(&browser, ".card .status").await, "पूरा हुआ", "{on}");

        // The dashboard counts it and draws it.
        browser.goto(&server.url("/dashboard")).await.unwrap();
        let rupees = arrived(&browser, Locator::Id("plot-rupees-table")).await;
        let rupees = rupees.text().await.unwrap();
        assert!(
            rupees.contains("गया गठबंधन बैठक, दिसंबर") && rupees.contains("₹45,000"),
            "{on}: {rupees}"
        );
        let bars = browser
            .find_all(Locator::Css("#plot-rupees rect"))
            .await
            .unwrap();
        assert_eq!(bars.len(), 1, "{on}: one meeting, one bar");
        let linkages = text_of(&browser, "#plot-linkages-table").await;
        assert!(
            linkages.contains("गया गठबंधन बैठक, दिसंबर"),
            "{on}: {linkages}"
        );
        assert_eq!(
            text_of(&browser, "#pending strong").await,
            "0",
            "{on}: nothing left to review"
        );
        fits_a_phone(&browser, "dashboard").await;
    }
    browser.close().await.unwrap();
}

/// The pages added beside the journey — an offering's and a need's edit forms, the admin tokens
/// page with a new token shown, the meetings list — at phone width in Hindi: each fits the
/// screen, and an edit sent from the phone is saved.
#[tokio::test]
async fn the_edit_token_and_meetings_pages_fit_a_phone() {
    let Some((browser, _driver)) = browser().await else {
        return;
    };
    let server =
        TestServer::start_with_args(&crate::support::Backend::Sqlite, &["--insecure-cookies"])
            .await;
    let token = server.token("admin").await;
    let place = crate::meetings::bhadohi(&server, &token).await;
    create_user(
        &server,
        "admin",
        "आशा देवी",
        "asha@example.org",
        "98111 70001",
        &[],
        PASSWORD,
    )
    .await;
    sign_in_as(&browser, &server, "asha@example.org").await;

    browser
        .goto(&server.url(&format!("/offerings/{}/edit", place.loan)))
        .await
        .unwrap();
    arrived(&browser, Locator::Id("edit-record")).await;
    fits_a_phone(&browser, "offering edit page").await;
    screenshot(&browser, "offering-edit-hi").await;
    type_into(&browser, "max_amount_inr", "1,00,000").await;
    click(&browser, "#save").await;
    let saved = arrived(&browser, Locator::Id("saved")).await;
    assert_eq!(saved.text().await.unwrap(), "बदलाव सहेज लिया गया।");
    let (_, offering) = server
        .get(&format!("/api/v1/offerings/{}", place.loan), Some(&token))
        .await;
    assert_eq!(
        offering["eligibility"]["max_amount_inr"], 100000,
        "{offering}"
    );

    browser
        .goto(&server.url(&format!("/needs/{}/edit", place.tailor_need)))
        .await
        .unwrap();
    arrived(&browser, Locator::Id("archive")).await;
    fits_a_phone(&browser, "need edit page").await;
    screenshot(&browser, "need-edit-hi").await;

    browser.goto(&server.url("/admin/tokens")).await.unwrap();
    arrived(&browser, Locator::Id("create-token")).await;
    type_into(&browser, "name", "JEEViKA गया MIS").await;
    choose(&browser, "role", "consultant").await;
    type_into(&browser, "districts", "br-gaya").await;
    click(&browser, "#create").await;
    let shown = arrived(&browser, Locator::Id("new-token")).await;
    let secret = shown.prop("value").await.unwrap().unwrap_or_default();
    assert!(secret.starts_with("sgm_"), "{secret}");
    fits_a_phone(&browser, "tokens page").await;
    screenshot(&browser, "tokens-hi").await;

    for n in 0..3 {
        add(
            &server,
            &token,
            "/api/v1/meetings",
            &json!({"title": format!("भदोही गठबंधन बैठक {n}"), "district": "up-bhadohi",
                    "date": format!("2026-12-1{n}"), "invitees": []}),
        )
        .await;
    }
    browser.goto(&server.url("/meetings")).await.unwrap();
    arrived(&browser, Locator::Id("meetings-total")).await;
    fits_a_phone(&browser, "meetings list").await;
    screenshot(&browser, "meetings-hi").await;
    browser.close().await.unwrap();
}

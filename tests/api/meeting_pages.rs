//! The meeting pages and the facilitator's dashboard, driven as a browser would (cookies, forms,
//! CSRF tokens, redirects not followed): creating a meeting, its suggestions with reasons in
//! Hindi, moving a linkage to completed with its loan amount, the dashboard's plot of it, hostile
//! text shown escaped, and people of another district refused without anything changing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::accounts::{Browser, create_user, csrf_field};
use crate::meetings::bhadohi;
use crate::support::{TestServer, add, backends, entrepreneur};

const PASSWORD: &str = "meeting पासवर्ड 2026";

/// A person of `districts` with `role`, signed in on a fresh browser.
async fn signed_in(
    server: &TestServer,
    role: &str,
    email: &str,
    phone: &str,
    districts: &[&str],
) -> Browser {
    create_user(
        server,
        role,
        "Meena Kumari",
        email,
        phone,
        districts,
        PASSWORD,
    )
    .await;
    let mut browser = Browser::new();
    let (status, reply) = browser.sign_in(server, email, PASSWORD).await;
    assert!(status.is_success(), "{status}: {reply}");
    browser
}

/// The id in the first `id="lk-…"` of a page.
fn first_linkage(page: &str) -> String {
    let start = page.find("id=\"lk-").expect("a linkage on the page") + "id=\"lk-".len();
    let end = start + page[start..].find('"').unwrap();
    page[start..end].to_string()
}

async fn linkage(server: &TestServer, token: &str, id: &str) -> Value {
    let (status, linkage) = server
        .get(&format!("/api/v1/linkages/{id}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK);
    linkage
}

/// Creates a meeting through the page form; returns its id.
async fn create_on_page(server: &TestServer, browser: &mut Browser, title: &str) -> String {
    let (status, page) = browser.page(server, "/meetings?lang=hi").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let csrf = csrf_field(&page);
    let response = browser
        .send(
            server,
            reqwest::Method::POST,
            "/meetings?lang=hi",
            None,
            None,
            Some(&[
                ("title", title),
                ("district", "up-bhadohi"),
                ("date", "2026-12-10"),
                ("csrf_token", &csrf),
            ]),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let id = location
        .trim_start_matches("/meetings/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    assert!(id.starts_with("mt_"), "{location}");
    id
}

#[tokio::test]
async fn a_facilitator_prepares_a_meeting_on_its_pages_and_records_a_completed_loan() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        let token = server.token("admin").await;
        let place = bhadohi(&server, &token).await;
        // A hostile name on a stakeholder with a need the plan cannot meet.
        let hostile = add(
            &server,
            &token,
            "/api/v1/stakeholders",
            &entrepreneur("<script>alert('name')</script> Devi", "up-bhadohi", None),
        )
        .await;
        add(
            &server,
            &token,
            &format!("/api/v1/stakeholders/{hostile}/needs"),
            &json!({"kind": "market", "title": "<img src=x onerror=alert(1)> pickles", "sector": "food_processing"}),
        )
        .await;
        let mut facilitator = signed_in(
            &server,
            "facilitator",
            "meena@example.org",
            "98111 22334",
            &["up-bhadohi"],
        )
        .await;

        // A form without its token creates nothing.
        let (status, _) = facilitator
            .post_form(
                &server,
                "/meetings",
                &[
                    ("title", "x"),
                    ("district", "up-bhadohi"),
                    ("date", "2026-12-10"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, listed) = server.get("/api/v1/meetings", None).await;
        assert_eq!(listed.as_array().unwrap().len(), 0, "{listed}");

        // A bad date comes back with what was typed and the reason.
        let (_, page) = facilitator.page(&server, "/meetings?lang=en").await;
        let csrf = csrf_field(&page);
        let (status, page) = facilitator
            .post_form(
                &server,
                "/meetings?lang=en",
                &[
                    ("title", "Bhadohi, टेस्ट"),
                    ("district", "up-bhadohi"),
                    ("date", "2026-02-30"),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("value=\"Bhadohi, टेस्ट\""), "{page}");
        assert!(page.contains("date:"), "{page}");

        let title = "<script>alert(1)</script> बैठक दिसंबर";
        let id = create_on_page(&server, &mut facilitator, title).await;
        let (status, page) = facilitator
            .page(&server, &format!("/meetings/{id}?lang=hi"))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.len() < 50_000, "the page is {} bytes", page.len());
        assert!(!page.contains("<script>"), "unescaped markup:\n{page}");
        assert!(!page.contains("<img src=x"), "unescaped markup:\n{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; बैठक दिसंबर"));
        assert!(page.contains("Loan for two sewing machines"), "{page}");
        // Reasons in the page's language.
        assert!(page.contains("राशि ₹45,000"), "Hindi reasons:\n{page}");
        assert!(page.contains("/api/v1/meetings/") && page.contains("format=csv"));
        let linkage_id = first_linkage(&page);
        let move_path = format!("/meetings/{id}/linkages/{linkage_id}?lang=hi");
        let csrf = csrf_field(&page);

        // The briefing escapes the hostile name and need too.
        let (status, brief) = facilitator
            .page(&server, &format!("/api/v1/meetings/{id}/brief?format=html"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !brief.contains("<script>") && !brief.contains("<img src=x"),
            "{brief}"
        );
        assert!(
            brief.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{brief}"
        );

        // A move without the token changes nothing.
        let (status, _) = facilitator
            .post_form(&server, &move_path, &[("status", "proposed")])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            linkage(&server, &token, &linkage_id).await["status"],
            "suggested"
        );

        // Proposed, twice (a double tap): one move in the history.
        for _ in 0..2 {
            let (status, page) = facilitator
                .post_form(
                    &server,
                    &move_path,
                    &[("status", "proposed"), ("csrf_token", &csrf)],
                )
                .await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        }
        let shown = linkage(&server, &token, &linkage_id).await;
        assert_eq!(shown["status"], "proposed");
        assert_eq!(shown["history"].as_array().unwrap().len(), 1, "{shown}");

        let (status, _) = facilitator
            .post_form(
                &server,
                &move_path,
                &[("status", "accepted"), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // Completing asks for the loan amount: without it, or with words, nothing moves.
        for bad in ["", "पैंतालीस हज़ार", "-5"] {
            let (status, page) = facilitator
                .post_form(
                    &server,
                    &move_path,
                    &[
                        ("status", "completed"),
                        ("outcome_value", bad),
                        ("csrf_token", &csrf),
                    ],
                )
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {page}");
            assert!(page.contains("role=\"alert\""), "{page}");
            assert_eq!(
                linkage(&server, &token, &linkage_id).await["status"],
                "accepted"
            );
        }
        let (status, _) = facilitator
            .post_form(
                &server,
                &move_path,
                &[
                    ("status", "completed"),
                    ("outcome_value", "45,000"),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let shown = linkage(&server, &token, &linkage_id).await;
        assert_eq!(shown["status"], "completed");
        assert_eq!(shown["outcome_value"], 45000);
        // The public does not see the amount.
        let (_, public) = server
            .get(&format!("/api/v1/linkages/{linkage_id}"), None)
            .await;
        assert!(public.get("outcome_value").is_none(), "{public}");

        let (status, page) = facilitator
            .page(&server, &format!("/meetings/{id}?lang=hi"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("₹45,000"), "{page}");

        // The dashboard draws it.
        let (status, dashboard) = facilitator.page(&server, "/dashboard?lang=en").await;
        assert_eq!(status, StatusCode::OK, "{dashboard}");
        assert!(dashboard.len() < 50_000);
        assert!(!dashboard.contains("<script>"), "{dashboard}");
        let plot_start = dashboard
            .find("id=\"plot-rupees\"")
            .expect("the rupees plot");
        let plot = &dashboard[plot_start..];
        let plot = &plot[..plot.find("</table>").expect("the plot's table")];
        assert!(plot.contains("<svg") && plot.contains("<title"), "{plot}");
        assert!(plot.contains("<rect"), "{plot}");
        assert!(plot.contains("₹45,000"), "{plot}");
        assert!(dashboard.contains("id=\"open-needs\""), "{dashboard}");
        assert!(dashboard.contains("href=\"/review"), "{dashboard}");

        // Inviting the bank from the edit form (a tick box), with the title kept.
        let (_, page) = facilitator
            .page(&server, &format!("/meetings/{id}?lang=en"))
            .await;
        assert!(
            page.contains(&format!("value=\"{}\"", place.bank)),
            "the bank is offered"
        );
        let (status, page) = facilitator
            .post_form(
                &server,
                &format!("/meetings/{id}?lang=en"),
                &[
                    ("title", title),
                    ("date", "2026-12-11"),
                    ("invitee", place.bank.as_str()),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        let (_, meeting) = server.get(&format!("/api/v1/meetings/{id}"), None).await;
        assert_eq!(meeting["invitees"], json!([place.bank]));
        assert_eq!(meeting["date"], "2026-12-11");
        assert_eq!(meeting["title"], title);
        // A bad date in the edit form keeps the meeting as it was.
        let (status, page) = facilitator
            .post_form(
                &server,
                &format!("/meetings/{id}?lang=en"),
                &[
                    ("title", "changed"),
                    ("date", "11-12-2026"),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(
            page.contains("value=\"changed\""),
            "what was typed stays: {page}"
        );
        let (_, meeting) = server.get(&format!("/api/v1/meetings/{id}"), None).await;
        assert_eq!(meeting["title"], title);

        // The audit log has the meeting and the moves, by the facilitator.
        crate::accounts::create_admin(&server).await;
        let mut admin = Browser::new();
        let (status, _) = admin
            .sign_in(&server, "asha@example.org", crate::accounts::ADMIN_PASSWORD)
            .await;
        assert!(status.is_success());
        let (_, audit) = admin.page(&server, "/admin/audit?lang=en").await;
        for action in ["meeting_created", "meeting_edited", "linkage_moved"] {
            assert!(audit.contains(action), "{action} not audited:\n{audit}");
        }
        assert!(
            audit.contains("accepted → completed; outcome 45000"),
            "{audit}"
        );
    }
}

#[tokio::test]
async fn a_facilitator_of_another_district_is_refused_and_nothing_changes() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        let token = server.token("admin").await;
        bhadohi(&server, &token).await;
        let mut local = signed_in(
            &server,
            "facilitator",
            "meena@example.org",
            "98111 22334",
            &["up-bhadohi"],
        )
        .await;
        let id = create_on_page(&server, &mut local, "Bhadohi coalition").await;
        let (_, page) = local.page(&server, &format!("/meetings/{id}")).await;
        let linkage_id = first_linkage(&page);

        let mut gaya = signed_in(
            &server,
            "consultant",
            "gaya@example.org",
            "98222 33445",
            &["br-gaya"],
        )
        .await;
        let (status, page) = gaya.page(&server, &format!("/meetings/{id}?lang=en")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
        assert!(!page.contains("Loan for two sewing machines"));
        let (_, list) = gaya.page(&server, "/meetings?lang=en").await;
        assert!(
            !list.contains(&id),
            "another district's meeting is not listed"
        );
        let csrf = csrf_field(&list);
        let (status, _) = gaya
            .post_form(
                &server,
                &format!("/meetings/{id}/linkages/{linkage_id}"),
                &[("status", "proposed"), ("csrf_token", &csrf)],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = gaya
            .post_form(
                &server,
                &format!("/meetings/{id}"),
                &[
                    ("title", "taken over"),
                    ("date", "2027-01-01"),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Creating a meeting in a district not theirs is refused too.
        let (status, _) = gaya
            .post_form(
                &server,
                "/meetings",
                &[
                    ("title", "x"),
                    ("district", "up-bhadohi"),
                    ("date", "2026-12-10"),
                    ("csrf_token", &csrf),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, meeting) = server.get(&format!("/api/v1/meetings/{id}"), None).await;
        assert_eq!(meeting["title"], "Bhadohi coalition");
        let (_, listed) = server.get("/api/v1/meetings", None).await;
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(
            linkage(&server, &token, &linkage_id).await["status"],
            "suggested"
        );

        // Gaya's dashboard does not count Bhadohi's meeting.
        let (status, dashboard) = gaya.page(&server, "/dashboard?lang=en").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!dashboard.contains("Bhadohi coalition"), "{dashboard}");
        assert!(dashboard.contains("br-gaya"));

        // Nobody signed in is sent to sign in.
        let mut stranger = Browser::new();
        let (status, _) = stranger.page(&server, &format!("/meetings/{id}")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn asking_for_suggestions_twice_with_nothing_changed_keeps_every_linkage_as_it_was() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let place = bhadohi(&server, &token).await;
        let id = add(
            &server,
            &token,
            "/api/v1/meetings",
            &json!({"title": "Bhadohi", "district": "up-bhadohi", "date": "2026-12-10", "invitees": [place.bank]}),
        )
        .await;
        let path = format!("/api/v1/meetings/{id}/suggestions");
        let (_, first) = server.get(&path, Some(&token)).await;
        let (_, second) = server.get(&path, Some(&token)).await;
        let (_, brief) = server
            .get(
                &format!("/api/v1/meetings/{id}/brief?format=json"),
                Some(&token),
            )
            .await;
        assert_eq!(first, second);
        let ids = |v: &Value| -> Vec<String> {
            v["linkages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["id"].as_str().unwrap().to_string())
                .collect()
        };
        assert!(!ids(&first).is_empty());
        assert_eq!(ids(&first), ids(&brief));
        for linkage_id in ids(&first) {
            let shown = linkage(&server, &token, &linkage_id).await;
            assert_eq!(shown["created_at"], shown["updated_at"], "{shown}");
        }
        assert_eq!(first["linkages"][0]["offering_id"], place.loan.as_str());

        // A linkage people moved on keeps its people's contacts in the briefing even when the
        // round around it changes (a new need arrives).
        let moved = &ids(&first)[0];
        let (status, _) = server
            .patch(
                &format!("/api/v1/linkages/{moved}"),
                Some(&token),
                &json!({"status": "proposed"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let newcomer = add(
            &server,
            &token,
            "/api/v1/stakeholders",
            &entrepreneur("Kamla Devi", "up-bhadohi", None),
        )
        .await;
        add(
            &server,
            &token,
            &format!("/api/v1/stakeholders/{newcomer}/needs"),
            &json!({"kind": "finance", "title": "Loan for a sewing machine", "sector": "tailoring", "amount_inr": 25000}),
        )
        .await;
        let (_, brief) = server
            .get(
                &format!("/api/v1/meetings/{id}/brief?format=json"),
                Some(&token),
            )
            .await;
        let held = brief["linkages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == moved.as_str())
            .expect("the proposed linkage is in the briefing");
        assert_eq!(held["status"], "proposed");
        assert!(
            held["provider"]["contact"]
                .as_str()
                .is_some_and(|c| c.contains("+91")),
            "{held}"
        );
    }
}

/// Saves a screenshot as `docs/screenshots/NAME.png` when `SANGAM_SCREENSHOTS` is set (so a test
/// run does not change the working tree unless asked).
async fn screenshot(browser: &fantoccini::Client, name: &str) {
    if std::env::var_os("SANGAM_SCREENSHOTS").is_none() {
        return;
    }
    let png = browser.screenshot().await.expect("a screenshot");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

async fn click(browser: &fantoccini::Client, css: &str) {
    browser
        .find(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("no {css}"))
        .click()
        .await
        .expect("click");
}

async fn fits_a_phone(browser: &fantoccini::Client, what: &str) {
    let fits = browser
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fits, json!(true), "the {what} scrolls sideways on a phone");
}

#[tokio::test]
async fn on_a_phone_in_hindi_a_facilitator_takes_a_loan_from_suggestion_to_the_dashboard() {
    use crate::web::{arrived, browser, choose, type_into};
    use fantoccini::Locator;

    let Some((browser, _driver)) = browser().await else {
        return;
    };
    let server =
        TestServer::start_with_args(&crate::support::Backend::Sqlite, &["--insecure-cookies"])
            .await;
    let token = server.token("admin").await;
    bhadohi(&server, &token).await;
    create_user(
        &server,
        "facilitator",
        "मीना कुमारी",
        "meena@example.org",
        "98111 22334",
        &["up-bhadohi"],
        PASSWORD,
    )
    .await;

    browser
        .goto(&server.url("/account/sign-in"))
        .await
        .expect("open the sign-in page");
    arrived(&browser, Locator::Id("login")).await;
    type_into(&browser, "login", "meena@example.org").await;
    type_into(&browser, "password", PASSWORD).await;
    click(&browser, "button[type=submit]").await;
    arrived(&browser, Locator::Id("who")).await;

    browser.goto(&server.url("/meetings")).await.unwrap();
    arrived(&browser, Locator::Id("new-meeting")).await;
    type_into(&browser, "title", "भदोही गठबंधन, दिसंबर").await;
    choose(&browser, "district", "up-bhadohi").await;
    browser
        .execute(
            "document.getElementById('date').value = '2026-12-10';",
            vec![],
        )
        .await
        .unwrap();
    click(&browser, "#create").await;
    let title = arrived(&browser, Locator::Id("meeting-title")).await;
    assert_eq!(title.text().await.unwrap(), "भदोही गठबंधन, दिसंबर");
    let reasons = browser
        .find(Locator::Css(".card .reasons"))
        .await
        .expect("a suggestion with its reasons")
        .text()
        .await
        .unwrap();
    assert!(
        reasons.contains("राशि ₹45,000"),
        "reasons in Hindi: {reasons}"
    );
    fits_a_phone(&browser, "meeting page").await;

    click(&browser, ".card button.move-proposed").await;
    arrived(&browser, Locator::Css(".card button.move-accepted")).await;
    click(&browser, ".card button.move-accepted").await;
    arrived(&browser, Locator::Css(".card button.move-completed")).await;
    let outcome = browser
        .find(Locator::Css(".card input[name=outcome_value]"))
        .await
        .expect("the loan amount field");
    outcome.send_keys("45,000").await.unwrap();
    click(&browser, ".card button.move-completed").await;
    let recorded = arrived(&browser, Locator::Css(".card .outcome")).await;
    assert_eq!(recorded.text().await.unwrap(), "₹45,000");
    let status = browser.find(Locator::Css(".card .status")).await.unwrap();
    assert_eq!(status.text().await.unwrap(), "पूरा हुआ");
    screenshot(&browser, "meeting").await;

    let brief = browser
        .find(Locator::Css("#briefing a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    browser.goto(&server.url(&brief)).await.unwrap();
    arrived(&browser, Locator::Css("h1")).await;
    screenshot(&browser, "briefing").await;

    browser.goto(&server.url("/dashboard")).await.unwrap();
    let table = arrived(&browser, Locator::Id("plot-rupees-table")).await;
    assert!(table.text().await.unwrap().contains("₹45,000"));
    let bars = browser
        .find_all(Locator::Css("#plot-rupees rect"))
        .await
        .unwrap();
    assert_eq!(bars.len(), 1, "one meeting, one bar");
    fits_a_phone(&browser, "dashboard").await;
    browser
        .execute(
            "document.getElementById('plot-rupees').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    screenshot(&browser, "dashboard").await;
    browser.close().await.unwrap();
}

/// The meetings list is filtered by the person's districts and paged in the database: a
/// Bhadohi-and-Mirzapur facilitator sees their own meetings even behind 205 newer ones of Gaya,
/// 20 a page, can narrow to one district, and never sees Gaya's.
#[tokio::test]
async fn the_meetings_list_shows_a_facilitators_districts_a_page_at_a_time() {
    for backend in backends() {
        let server = TestServer::start_with_args(&backend, &["--insecure-cookies"]).await;
        let on = backend.name();
        let token = server.token("admin").await;
        let meeting = |title: String, district: &str, date: String| json!({"title": title, "district": district, "date": date, "invitees": []});
        for n in 0..205 {
            let day = format!("2026-12-{:02}", 1 + n % 28);
            add(
                &server,
                &token,
                "/api/v1/meetings",
                &meeting(format!("Gaya {n}"), "br-gaya", day),
            )
            .await;
        }
        for n in 0..22 {
            let day = format!("2026-0{}-{:02}", 1 + n % 9, 1 + n);
            add(
                &server,
                &token,
                "/api/v1/meetings",
                &meeting(format!("भदोही बैठक {n}"), "up-bhadohi", day),
            )
            .await;
        }
        add(
            &server,
            &token,
            "/api/v1/meetings",
            &meeting("मिर्ज़ापुर बैठक".into(), "up-mirzapur", "2026-02-02".into()),
        )
        .await;
        let mut browser = signed_in(
            &server,
            "facilitator",
            "list@example.org",
            "98111 60001",
            &["up-bhadohi", "up-mirzapur"],
        )
        .await;

        let (status, first) = browser.page(&server, "/meetings?lang=hi").await;
        assert_eq!(status, StatusCode::OK, "{on}: {first}");
        assert!(
            first.contains("id=\"meetings-total\"><strong>23</strong>"),
            "{on}: {first}"
        );
        let listed = |page: &str| {
            let start = page.find("<ul id=\"meetings\">").expect("the list");
            let list = &page[start..start + page[start..].find("</ul>").unwrap()];
            list.matches("<li>").count()
        };
        assert_eq!(listed(&first), 20, "{on}");
        assert!(!first.contains("Gaya "), "{on}: Gaya's meetings shown");
        assert!(first.contains("भदोही"), "{on}: districts by name");
        let next = first
            .split("id=\"next\"")
            .next()
            .and_then(|before| before.rsplit("href=\"").next())
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&");
        let (_, second) = browser.page(&server, &next).await;
        assert_eq!(listed(&second), 3, "{on}: {second}");
        assert!(second.contains("id=\"previous\"") && !second.contains("id=\"next\""));

        let (_, mirzapur) = browser
            .page(&server, "/meetings?lang=hi&district=up-mirzapur")
            .await;
        assert_eq!(listed(&mirzapur), 1, "{on}");
        assert!(mirzapur.contains("मिर्ज़ापुर बैठक"));
        let (status, gaya) = browser
            .page(&server, "/meetings?lang=hi&district=br-gaya")
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            gaya.contains("id=\"no-meetings\"") && !gaya.contains("Gaya "),
            "{on}"
        );
        let (status, odd) = browser.page(&server, "/meetings?lang=en&offset=abc").await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{on}: a bad offset is the first page"
        );
        assert_eq!(listed(&odd), 20);
    }
}

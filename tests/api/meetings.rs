//! Coalition meetings end to end: creating one, the suggested linkages with their reasons, gaps
//! and whom to invite, moving linkages along their lifecycle, and the printable briefing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{District, TestServer, add, backends, bank, entrepreneur, error_fields};

/// Posts and returns the new record's id, failing the test on anything but 201.
fn weaver(name: &str) -> Value {
    let mut body = entrepreneur(name, "up-bhadohi", None);
    body["profile"]["sector"] = json!("carpets");
    body["profile"]["gender"] = json!("male");
    body
}

fn women_loan() -> Value {
    json!({
        "kind": "finance", "title": "Individual enterprise loan for women",
        "sectors": ["tailoring", "retail"],
        "eligibility": {"gender": "female", "min_age": 18, "max_age": 60,
                        "min_amount_inr": 20000, "max_amount_inr": 150000, "stages": ["early", "established"]},
        "valid_until": "2027-03-31"
    })
}

fn buyer(name: &str) -> Value {
    json!({"kind": "buyer", "name": name, "district": "up-bhadohi",
           "description": "Buys durries and handloom for export."})
}

/// Bhadohi with a tailor who needs a loan, a carpet weaver who needs a buyer, a bank whose loan
/// fits the tailor and a buyer of handloom only. Returns (tailor's need, weaver's need, bank,
/// loan offering).
pub(crate) struct Bhadohi {
    pub(crate) tailor_need: String,
    pub(crate) carpet_need: String,
    pub(crate) bank: String,
    pub(crate) loan: String,
}

pub(crate) async fn bhadohi(server: &TestServer, token: &str) -> Bhadohi {
    let here = District::new(server, token, "up-bhadohi");
    let tailor = here
        .stakeholder(&entrepreneur("Rekha Bind", "up-bhadohi", None))
        .await;
    let tailor_need = here.need(&tailor, &json!({"kind": "finance", "title": "Loan for two sewing machines", "sector": "tailoring", "amount_inr": 45000})).await;
    let weaver = here.stakeholder(&weaver("Salim Ansari")).await;
    let carpet_need = here.need(&weaver, &json!({"kind": "market", "title": "Buyer for hand-knotted carpets", "sector": "carpets"})).await;
    let bank = here
        .stakeholder(&bank("State Bank of India, Gyanpur", "up-bhadohi"))
        .await;
    let loan = here.offering(&bank, &women_loan()).await;
    let exporter = here.stakeholder(&buyer("Durrie Exports")).await;
    here.offering(&exporter, &json!({"kind": "market", "title": "Buy-back of handloom durries", "sectors": ["handloom"]})).await;
    Bhadohi {
        tailor_need,
        carpet_need,
        bank,
        loan,
    }
}

async fn meeting(server: &TestServer, token: &str, invitees: &[&str]) -> String {
    District::new(server, token, "up-bhadohi")
        .meeting("Bhadohi coalition, December", "2026-12-10", invitees)
        .await
}

async fn suggestions(server: &TestServer, meeting: &str) -> Value {
    let token = server.token("facilitator").await;
    let (status, body) = server
        .get(
            &format!("/api/v1/meetings/{meeting}/suggestions"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn linkages_of<'a>(body: &'a Value, need: &str) -> Vec<&'a Value> {
    body["linkages"]
        .as_array()
        .expect("linkages")
        .iter()
        .filter(|l| l["need_id"] == need)
        .collect()
}

#[tokio::test]
async fn a_meeting_is_created_read_and_listed_and_bad_input_changes_nothing() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let consultant = server.token("consultant").await;
        let bank_id = add(
            &server,
            &consultant,
            "/api/v1/stakeholders",
            &bank("Bank of Baroda, Bhadohi", "up-bhadohi"),
        )
        .await;

        let body = json!({"title": "Bhadohi coalition, December", "district": "up-bhadohi",
                          "date": "2026-12-10", "invitees": [bank_id]});
        let (status, reply) = server.post("/api/v1/meetings", None, &body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{reply}");

        let id = add(&server, &consultant, "/api/v1/meetings", &body).await;
        let (status, shown) = server.get(&format!("/api/v1/meetings/{id}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(shown["title"], "Bhadohi coalition, December");
        assert_eq!(shown["district"], "up-bhadohi");
        assert_eq!(shown["date"], "2026-12-10");
        assert_eq!(shown["invitees"], json!([bank_id]));
        assert_eq!(shown["created_by"], "test consultant");

        let (status, reply) = server
            .post(
                "/api/v1/meetings",
                Some(&consultant),
                &json!({"title": "x", "district": "up-atlantis", "date": "10-12-2026",
                        "invitees": [bank_id, "st_nobody"]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
        let fields = error_fields(&reply, "validation_failed");
        for field in ["district", "date", "invitees[1]"] {
            assert!(fields.contains_key(field), "{field} not named: {reply}");
        }
        assert!(!fields.contains_key("invitees[0]"), "{reply}");
        let (status, _) = server
            .post(
                "/api/v1/meetings",
                Some(&consultant),
                &json!({"title": "x", "district": "up-bhadohi", "date": "2026-02-30"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "30 February is refused"
        );

        let (_, listed) = server
            .get("/api/v1/meetings?district=up-bhadohi", None)
            .await;
        assert_eq!(
            listed.as_array().unwrap().len(),
            1,
            "refused meetings were not stored: {listed}"
        );
        let (_, elsewhere) = server
            .get("/api/v1/meetings?district=up-mirzapur", None)
            .await;
        assert!(elsewhere.as_array().unwrap().is_empty());
        let (status, reply) = server.get("/api/v1/meetings/mt_nothing", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        error_fields(&reply, "not_found");
        let (status, _) = server
            .get("/api/v1/meetings/mt_nothing/suggestions", Some(&consultant))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn suggestions_link_the_tailor_to_the_loan_that_fits_and_name_the_carpet_gap() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let here = District::new(&server, &token, "up-bhadohi");
        let place = bhadohi(&server, &token).await;
        let id = meeting(&server, &token, &[]).await;

        let first = suggestions(&server, &id).await;
        let tailor = linkages_of(&first, &place.tailor_need);
        assert_eq!(tailor.len(), 1, "{first}");
        let linkage = tailor[0];
        assert_eq!(linkage["offering_id"], place.loan.as_str());
        assert_eq!(linkage["kind"], "finance");
        assert_eq!(linkage["status"], "suggested");
        let score = linkage["score"].as_f64().unwrap();
        assert!(score > 0.0 && score <= 1.0, "{score}");
        let reasons: Vec<&str> = linkage["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert!(reasons.contains(&"sector tailoring matches"), "{reasons:?}");
        assert!(
            reasons.contains(&"amount ₹45,000 within ₹20,000–₹1,50,000"),
            "{reasons:?}"
        );
        assert!(
            reasons.contains(&"State Bank of India, Gyanpur is not invited"),
            "{reasons:?}"
        );

        // The weaver needs a buyer for carpets; the only buyer takes handloom.
        let gaps = first["gaps"].as_array().unwrap();
        assert_eq!(gaps.len(), 1, "{first}");
        assert_eq!(gaps[0]["need_id"], place.carpet_need.as_str());
        assert_eq!(gaps[0]["kind"], "market");
        assert_eq!(gaps[0]["why"], "no buyer for carpets serves Bhadohi");
        assert!(linkages_of(&first, &place.carpet_need).is_empty());

        // A carpet buyer registered in Mirzapur does not serve Bhadohi, but the gap says whom to ask.
        let mirzapur_buyer = here
            .stakeholder(
                &json!({"kind": "buyer", "name": "Ganga Kaleen Udyog", "district": "up-mirzapur"}),
            )
            .await;
        here.offering(&mirzapur_buyer, &json!({"kind": "market", "title": "Orders for hand-knotted carpets", "sectors": ["carpets"]})).await;
        let pointed = suggestions(&server, &id).await;
        assert_eq!(
            pointed["gaps"][0]["why"],
            "no buyer for carpets serves Bhadohi; Ganga Kaleen Udyog offers “Orders for hand-knotted carpets” in Mirzapur"
        );

        assert_eq!(
            first["invite"],
            json!([{"stakeholder_id": place.bank, "name": "State Bank of India, Gyanpur",
                    "reason": "serves 1 open finance need; not invited", "open_needs": 1}])
        );

        // Asking again gives the same linkages, not new ones.
        let again = suggestions(&server, &id).await;
        assert_eq!(again["linkages"], first["linkages"]);

        // Once the bank is invited it is no longer on the invite list and the fit is better.
        let (status, updated) = server
            .patch(
                &format!("/api/v1/meetings/{id}"),
                Some(&token),
                &json!({"invitees": [place.bank]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        let invited = suggestions(&server, &id).await;
        assert_eq!(invited["invite"], json!([]));
        let better = linkages_of(&invited, &place.tailor_need)[0];
        assert_eq!(better["id"], linkage["id"], "the same linkage, rescored");
        assert!(better["score"].as_f64().unwrap() > score);
    }
}

#[tokio::test]
async fn a_training_with_two_seats_gets_at_most_two_needs() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let here = District::new(&server, &token, "up-bhadohi");
        let rseti = here.provider("rseti", "RSETI Bhadohi").await;
        let course = here.offering(&rseti, &json!({"kind": "training", "title": "30-day tailoring course", "sectors": ["tailoring"],
                    "terms": {"duration_days": 30, "seats": 2}})).await;
        let mut needs = Vec::new();
        for name in ["Nazma Bano", "Rubi Devi", "Pooja Maurya"] {
            let person = here
                .stakeholder(&entrepreneur(name, "up-bhadohi", None))
                .await;
            needs.push(
                here.need(&person, &json!({"kind": "training", "title": "Tailoring course", "sector": "tailoring"})).await,
            );
        }
        let id = meeting(&server, &token, &[&rseti]).await;
        let body = suggestions(&server, &id).await;
        let on_course: Vec<&Value> = body["linkages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["offering_id"] == course.as_str())
            .collect();
        assert_eq!(on_course.len(), 2, "{body}");
        let gaps = body["gaps"].as_array().unwrap();
        assert_eq!(gaps.len(), 1, "{body}");
        assert!(
            gaps[0]["why"].as_str().unwrap().contains("no seats left"),
            "{body}"
        );

        // A seat people have taken stays taken: after one linkage is proposed and the meeting
        // asks again, still two needs at most are on the course.
        let taken = on_course[0]["id"].as_str().unwrap();
        let (status, _) = server
            .patch(
                &format!("/api/v1/linkages/{taken}"),
                Some(&token),
                &json!({"status": "proposed"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let again = suggestions(&server, &id).await;
        let on_course: Vec<&Value> = again["linkages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["offering_id"] == course.as_str())
            .collect();
        assert_eq!(on_course.len(), 2, "{again}");
        assert!(on_course.iter().any(|l| l["status"] == "proposed"));
    }
}

#[tokio::test]
async fn linkages_move_through_their_lifecycle_and_an_illegal_move_changes_nothing() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("consultant").await;
        let place = bhadohi(&server, &token).await;
        let id = meeting(&server, &token, &[&place.bank]).await;
        let body = suggestions(&server, &id).await;
        let linkage = linkages_of(&body, &place.tailor_need)[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let path = format!("/api/v1/linkages/{linkage}");

        let (status, reply) = server
            .patch(&path, Some(&token), &json!({"status": "completed"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
        let fields = error_fields(&reply, "validation_failed");
        assert_eq!(
            fields["status"],
            "a suggested linkage can move to proposed or declined, not to completed"
        );
        let (_, unchanged) = server.get(&path, None).await;
        assert_eq!(unchanged["status"], "suggested");

        let (status, _) = server
            .patch(&path, None, &json!({"status": "proposed"}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, reply) = server
            .patch(&path, Some(&token), &json!({"status": "done"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
        let (status, _) = server
            .patch(
                "/api/v1/linkages/lk_nothing",
                Some(&token),
                &json!({"status": "proposed"}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        for (step, note) in [
            ("proposed", "Rekha to bring Aadhaar and quotation"),
            ("accepted", "Branch manager agreed at the meeting"),
            ("completed", "₹45,000 disbursed on 20-12-2026"),
        ] {
            let (status, moved) = server
                .patch(&path, Some(&token), &json!({"status": step, "note": note}))
                .await;
            assert_eq!(status, StatusCode::OK, "{step}: {moved}");
            assert_eq!(moved["status"], step);
            assert_eq!(moved["note"], note);
        }
        let (status, reply) = server
            .patch(&path, Some(&token), &json!({"status": "declined"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");

        let (_, with_history) = server.get(&path, Some(&token)).await;
        assert_eq!(with_history["status"], "completed");
        let moves: Vec<(&str, &str)> = with_history["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["from_status"].as_str().unwrap(),
                    e["to_status"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            moves,
            [
                ("suggested", "proposed"),
                ("proposed", "accepted"),
                ("accepted", "completed")
            ]
        );
        let (_, public) = server.get(&path, None).await;
        assert!(
            public["note"].is_null() && public.get("history").is_none(),
            "{public}"
        );

        // The provider's record counts it, and a new round keeps it as it is.
        let (status, record) = server
            .get(&format!("/api/v1/stakeholders/{}/record", place.bank), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{record}");
        assert_eq!(record["linkages"]["as_provider"]["completed"], 1);
        assert_eq!(record["linkages"]["as_provider"]["suggested"], 0);
        let again = suggestions(&server, &id).await;
        let kept = linkages_of(&again, &place.tailor_need);
        assert_eq!(kept.len(), 1, "{again}");
        assert_eq!(kept[0]["id"], linkage.as_str());
        assert_eq!(kept[0]["status"], "completed");
    }
}

#[tokio::test]
async fn the_brief_is_bilingual_printable_and_escapes_what_people_typed() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let place = bhadohi(&server, &token).await;
        let (status, _) = server
            .patch(
                &format!("/api/v1/needs/{}", place.carpet_need),
                Some(&token),
                &json!({"title": "Carpets <script>alert(1)</script> buyer"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let id = meeting(&server, &token, &[&place.bank]).await;

        // Without a token: refused, and no round is run (the brief saves its suggestions).
        let (status, _) = server
            .get(&format!("/api/v1/meetings/{id}/brief"), None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = server
            .get(&format!("/api/v1/meetings/{id}/suggestions"), None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let response = server
            .send(
                Method::GET,
                &format!("/api/v1/meetings/{id}/brief?format=html"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = response.text().await.unwrap();
        for expected in [
            "भदोही",
            "सुझाए गए जुड़ाव",
            "किसे बुलाएँ",
            "@media print",
            "Loan for two sewing machines",
            "amount ₹45,000 within ₹20,000–₹1,50,000",
            "no buyer for carpets serves Bhadohi",
            "Carpets &lt;script&gt;alert(1)&lt;/script&gt; buyer",
            "10-12-2026",
        ] {
            assert!(html.contains(expected), "brief lacks {expected:?}:\n{html}");
        }
        assert!(!html.contains("<script>"), "unescaped markup:\n{html}");
        assert!(
            html.contains("State Bank of India, Gyanpur — Branch Manager, +919415000000"),
            "the facilitator can call whom the brief names:\n{html}"
        );

        let response = server
            .send(
                Method::GET,
                &format!("/api/v1/meetings/{id}/brief?format=csv"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let text = response.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(&headers[0], "section / भाग");
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let sections: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
        assert_eq!(sections, ["linkage", "gap"], "{text}");
        assert_eq!(&rows[1][2], place.carpet_need.as_str());
        assert_eq!(&rows[1][10], "no buyer for carpets serves Bhadohi");

        let (status, json_brief) = server
            .get(
                &format!("/api/v1/meetings/{id}/brief?format=json"),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(json_brief["district"]["name_local"], "भदोही");
        assert_eq!(
            json_brief["linkages"][0]["provider"]["id"],
            place.bank.as_str()
        );
        assert_eq!(
            json_brief["gaps"][0]["entrepreneur"]["name"],
            "Salim Ansari"
        );

        let (status, reply) = server
            .get(
                &format!("/api/v1/meetings/{id}/brief?format=pdf"),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_fields(&reply, "validation_failed").contains_key("format"));
    }
}

#[tokio::test]
async fn odd_suggestion_parameters_are_refused_clearly() {
    let server = TestServer::start(&crate::support::Backend::Sqlite).await;
    let token = server.token("facilitator").await;
    let id = meeting(&server, &token, &[]).await;
    let (status, reply) = server
        .get(
            &format!("/api/v1/meetings/{id}/suggestions?per_need=0"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(error_fields(&reply, "validation_failed").contains_key("per_need"));
    let (status, reply) = server
        .get(
            &format!("/api/v1/meetings/{id}/suggestions?per_need=lots"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
    let (status, empty) = server
        .get(&format!("/api/v1/meetings/{id}/suggestions"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        empty,
        json!({"meeting_id": id, "linkages": [], "gaps": [], "invite": []})
    );
    let (status, reply) = server
        .patch(
            &format!("/api/v1/meetings/{id}"),
            Some(&token),
            &json!({"date": "tomorrow"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    let (_, unchanged) = server.get(&format!("/api/v1/meetings/{id}"), None).await;
    assert_eq!(unchanged["date"], "2026-12-10");
}

#[tokio::test]
async fn a_loan_budget_is_never_overspent_and_an_impossible_budget_is_refused() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let here = District::new(&server, &token, "up-bhadohi");
        let lender = here
            .stakeholder(&bank("Bank of Baroda, Bhadohi", "up-bhadohi"))
            .await;
        let mut impossible = women_loan();
        impossible["terms"] = json!({"budget_inr": 5000});
        let (status, reply) = server
            .post(
                &format!("/api/v1/stakeholders/{lender}/offerings"),
                Some(&token),
                &impossible,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
        assert!(error_fields(&reply, "validation_failed").contains_key("terms.budget_inr"));

        let mut fund = women_loan();
        fund["terms"] = json!({"budget_inr": 100000});
        let loan = here.offering(&lender, &fund).await;
        let (_, stored) = server.get(&format!("/api/v1/offerings/{loan}"), None).await;
        assert_eq!(stored["terms"]["budget_inr"], 100000);
        for (name, amount) in [("Rubi Devi", 60000), ("Anita Gautam", 70000)] {
            let person = here
                .stakeholder(&entrepreneur(name, "up-bhadohi", None))
                .await;
            here.need(&person, &json!({"kind": "finance", "title": "Working capital", "sector": "tailoring", "amount_inr": amount})).await;
        }
        let id = meeting(&server, &token, &[&lender]).await;
        let body = suggestions(&server, &id).await;
        assert_eq!(body["linkages"].as_array().unwrap().len(), 1, "{body}");
        let gaps = body["gaps"].as_array().unwrap();
        assert_eq!(gaps.len(), 1, "{body}");
        assert!(
            gaps[0]["why"]
                .as_str()
                .unwrap()
                .contains("of its budget left"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn asking_for_suggestions_twice_at_once_stores_each_linkage_once() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let place = bhadohi(&server, &token).await;
        let id = meeting(&server, &token, &[]).await;
        let path = format!("/api/v1/meetings/{id}/suggestions");
        let (first, second) = tokio::join!(
            server.get(&path, Some(&token)),
            server.get(&path, Some(&token))
        );
        assert_eq!(first.0, StatusCode::OK, "{}", first.1);
        assert_eq!(second.0, StatusCode::OK, "{}", second.1);
        let after = suggestions(&server, &id).await;
        let tailor = linkages_of(&after, &place.tailor_need);
        assert_eq!(tailor.len(), 1, "{after}");
        assert_eq!(first.1["linkages"], after["linkages"]);
        assert_eq!(second.1["linkages"], after["linkages"]);
    }
}

#[tokio::test]
async fn wrongly_shaped_bodies_get_a_clear_error_and_change_nothing() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let place = bhadohi(&server, &token).await;
        let id = meeting(&server, &token, &[]).await;
        let body = suggestions(&server, &id).await;
        let linkage = body["linkages"][0]["id"].as_str().unwrap().to_string();
        let linkage_path = format!("/api/v1/linkages/{linkage}");
        let meeting_path = format!("/api/v1/meetings/{id}");
        for (path, bad) in [
            (&linkage_path, json!([])),
            (&linkage_path, json!({"status": 5})),
            (
                &linkage_path,
                json!({"status": "proposed", "colour": "red"}),
            ),
            (
                &linkage_path,
                json!({"status": "proposed", "note": "x".repeat(2001)}),
            ),
            (&meeting_path, json!("invitees")),
            (&meeting_path, json!({"invitees": "everyone"})),
            (&meeting_path, json!({"invitees": [place.bank, "st_ghost"]})),
            (&meeting_path, json!({"title": "\u{0007}"})),
            (&meeting_path, json!({"venue": "Gyanpur"})),
        ] {
            let (status, reply) = server.patch(path, Some(&token), &bad).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {bad}: {reply}"
            );
            error_fields(&reply, "validation_failed");
        }
        let (status, reply) = server
            .post(
                "/api/v1/meetings",
                Some(&token),
                &json!({"invitees": vec!["st_x"; 501]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
        assert!(error_fields(&reply, "validation_failed").contains_key("invitees"));

        let (_, linkage_now) = server.get(&linkage_path, None).await;
        assert_eq!(linkage_now["status"], "suggested");
        let (_, meeting_now) = server.get(&meeting_path, None).await;
        assert_eq!(meeting_now["invitees"], json!([]));
        assert_eq!(meeting_now["title"], "Bhadohi coalition, December");
    }
}

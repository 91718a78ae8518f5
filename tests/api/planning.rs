//! Meeting suggestions judged as a facilitator would judge them: on the meeting's date (an
//! offering that lapses before it, a batch that starts before it), with seats counted per person
//! who attends and across every meeting.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{District, TestServer, add, backends, error_fields};

async fn suggestions(server: &TestServer, token: &str, meeting: &str) -> Value {
    let (status, body) = server
        .get(
            &format!("/api/v1/meetings/{meeting}/suggestions"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn offered(body: &Value, offering: &str) -> Vec<Value> {
    body["linkages"]
        .as_array()
        .expect("linkages")
        .iter()
        .filter(|l| l["offering_id"] == offering)
        .cloned()
        .collect()
}

fn reasons(linkage: &Value) -> Vec<String> {
    linkage["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_offering_valid_until_two_days_before_the_meeting_is_not_suggested_for_it() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let here = District::new(&server, &token, "up-bhadohi");
        let need = here.entrepreneur_needing("Rekha Bind",
            &json!({"kind": "finance", "title": "Loan for a sewing machine", "sector": "tailoring",
                    "amount_inr": 30000}),
        )
        .await;
        let bank = here
            .stakeholder(&crate::support::bank(
                "Baroda UP Bank, Gyanpur",
                "up-bhadohi",
            ))
            .await;
        // Valid today, but no longer on the meeting's day.
        let lapsing = here.offering(&bank, &json!({"kind": "finance", "title": "Festival loan for tailors", "sectors": ["tailoring"],
                    "valid_until": "2030-03-08"})).await;
        let lasting = here
            .offering(
                &bank,
                &json!({"kind": "finance", "title": "MUDRA Shishu loan", "sectors": ["tailoring"],
                    "valid_until": "2030-03-10"}),
            )
            .await;
        let id = here
            .meeting("Bhadohi coalition", "2030-03-10", &[&bank])
            .await;
        let body = suggestions(&server, &token, &id).await;
        assert!(offered(&body, &lapsing).is_empty(), "{body}");
        let kept = offered(&body, &lasting);
        assert_eq!(kept.len(), 1, "valid on the meeting's day itself: {body}");
        assert_eq!(kept[0]["need_id"], need.as_str());

        // An earlier meeting still gets the lapsing offering.
        let early = here
            .meeting("Bhadohi coalition", "2030-03-01", &[&bank])
            .await;
        let body = suggestions(&server, &token, &early).await;
        assert_eq!(offered(&body, &lapsing).len(), 1, "{body}");

        // With only the lapsing offering, the gap says why, with both dates.
        let (status, _) = server
            .delete(&format!("/api/v1/offerings/{lasting}"), Some(&token))
            .await;
        assert!(status.is_success(), "{status}");
        let body = suggestions(&server, &token, &id).await;
        let gap = body["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["need_id"] == need.as_str())
            .unwrap_or_else(|| panic!("a gap for the need: {body}"));
        assert!(
            gap["why"]
                .as_str()
                .unwrap()
                .contains("valid until 2030-03-08, before the meeting on 2030-03-10"),
            "{gap}"
        );
        // The same gap in Hindi, with dates as written in India.
        let (status, hindi) = server
            .get(
                &format!("/api/v1/meetings/{id}/suggestions?lang=hi"),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{hindi}");
        let why = hindi["gaps"][0]["why"].as_str().unwrap();
        assert!(
            why.contains("08-03-2030 तक ही मान्य, बैठक (10-03-2030) से पहले"),
            "{why}"
        );
    }
}

#[tokio::test]
async fn a_batch_starting_before_the_meeting_is_not_offered_and_one_within_follow_up_is_preferred()
{
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let here = District::new(&server, &token, "up-bhadohi");
        let need = here
            .entrepreneur_needing(
                "Nazma Bano",
                &json!({"kind": "training", "title": "Silai course", "sector": "tailoring"}),
            )
            .await;
        let rseti = here.provider("rseti", "RSETI Bhadohi").await;
        let mut courses = Vec::new();
        for (title, starts) in [
            ("Tailoring batch, March", "2030-03-01"),
            ("Tailoring batch, August", "2030-08-03"),
            ("Tailoring batch, April", "2030-04-02"),
        ] {
            courses.push(
                here.offering(
                    &rseti,
                    &json!({"kind": "training", "title": title, "sectors": ["tailoring"],
                            "terms": {"duration_days": 30, "seats": 25, "starts_on": starts}}),
                )
                .await,
            );
        }
        let id = here
            .meeting("Bhadohi coalition", "2030-03-10", &[&rseti])
            .await;
        let body = suggestions(&server, &token, &id).await;
        let order: Vec<&str> = body["linkages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["need_id"] == need.as_str())
            .map(|l| l["offering_id"].as_str().unwrap())
            .collect();
        assert_eq!(
            order,
            [courses[2].as_str(), courses[1].as_str()],
            "April (within the follow-up window) before August; March started already: {body}"
        );
        let april = &offered(&body, &courses[2])[0];
        let august = &offered(&body, &courses[1])[0];
        assert!(april["score"].as_f64() > august["score"].as_f64());
        assert!(
            reasons(april)
                .contains(&"batch starts on 2030-04-02, within 60 days of the meeting".into()),
            "{april}"
        );
        assert!(
            reasons(august)
                .contains(&"batch starts on 2030-08-03, 146 days after the meeting".into()),
            "{august}"
        );
    }
}

async fn shg(here: &District<'_>, name: &str, members: i64) -> String {
    here.stakeholder(
        &json!({"kind": "shg", "name": name, "district": "up-bhadohi",
                "profile": {"gender": "female", "sector": "tailoring", "stage": "early",
                            "members": members}}),
    )
    .await
}

#[tokio::test]
async fn an_shg_takes_a_seat_per_member_who_attends_and_seats_taken_at_any_meeting_stay_taken() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let here = District::new(&server, &token, "up-bhadohi");
        let rseti = here.provider("rseti", "RSETI Bhadohi").await;
        let course = here
            .offering(
                &rseti,
                &json!({"kind": "training", "title": "Embroidery course", "sectors": ["tailoring"],
                    "terms": {"duration_days": 15, "seats": 15}}),
            )
            .await;
        // Twelve members, none stated as attending: the whole group comes.
        let durga = shg(&here, "Durga Mahila Samooh", 12).await;
        let durga_need = here
            .need(
                &durga,
                &json!({"kind": "training", "title": "Kadhai prashikshan", "sector": "tailoring"}),
            )
            .await;
        // Twenty members, six of whom will attend.
        let laxmi = shg(&here, "Laxmi SHG", 20).await;
        let (status, refused) = server
            .post(
                &format!("/api/v1/stakeholders/{laxmi}/needs"),
                Some(&token),
                &json!({"kind": "training", "title": "Embroidery", "sector": "tailoring",
                        "attendees": 0}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(error_fields(&refused, "validation_failed").contains_key("attendees"));
        let laxmi_need = here
            .need(
                &laxmi,
                &json!({"kind": "training", "title": "Embroidery", "sector": "tailoring",
                    "attendees": 6}),
            )
            .await;
        let (_, stored) = server
            .get(&format!("/api/v1/needs/{laxmi_need}"), Some(&token))
            .await;
        assert_eq!(stored["attendees"], 6, "{stored}");
        // A patch to a number of people that makes no sense is refused and changes nothing.
        for wrong in [json!(-3), json!(501), json!("six")] {
            let (status, body) = server
                .patch(
                    &format!("/api/v1/needs/{laxmi_need}"),
                    Some(&token),
                    &json!({"attendees": wrong}),
                )
                .await;
            assert!(status.is_client_error(), "{wrong}: {status} {body}");
        }
        let (_, stored) = server
            .get(&format!("/api/v1/needs/{laxmi_need}"), Some(&token))
            .await;
        assert_eq!(stored["attendees"], 6, "{stored}");
        let single = here
            .entrepreneur_needing(
                "Rubi Devi",
                &json!({"kind": "training", "title": "Embroidery", "sector": "tailoring"}),
            )
            .await;

        let first = here
            .meeting("Bhadohi coalition", "2030-03-10", &[&rseti])
            .await;
        let body = suggestions(&server, &token, &first).await;
        let seats_of = |need: &Value| {
            if need == durga_need.as_str() {
                12
            } else if need == laxmi_need.as_str() {
                6
            } else {
                1
            }
        };
        let on_course = offered(&body, &course);
        let seats: i64 = on_course.iter().map(|l| seats_of(&l["need_id"])).sum();
        assert!(seats <= 15, "{seats} seats given out of 15: {body}");
        assert_eq!(on_course.len(), 2, "12 + 6 do not fit in 15: {body}");
        let gap = &body["gaps"].as_array().unwrap()[0];
        assert!(
            gap["why"].as_str().unwrap().contains("fewer than the"),
            "{gap}"
        );

        // The group that got its seats is proposed at the first meeting; at a second meeting
        // the seats left are too few for the other group, but one person still fits.
        let (group_linkage, group_seats) = on_course
            .iter()
            .find(|l| l["need_id"] != single.as_str())
            .map(|l| {
                (
                    l["id"].as_str().unwrap().to_string(),
                    seats_of(&l["need_id"]),
                )
            })
            .unwrap_or_else(|| panic!("no group was suggested: {body}"));
        let (status, moved) = server
            .patch(
                &format!("/api/v1/linkages/{group_linkage}"),
                Some(&token),
                &json!({"status": "proposed"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        let second = here
            .meeting("Bhadohi coalition", "2030-03-20", &[&rseti])
            .await;
        let body = suggestions(&server, &token, &second).await;
        let on_course = offered(&body, &course);
        let needs: Vec<&str> = on_course
            .iter()
            .map(|l| l["need_id"].as_str().unwrap())
            .collect();
        assert_eq!(needs, [single.as_str()], "{body}");
        let left = 15 - group_seats;
        assert!(
            reasons(&on_course[0]).contains(&format!("takes 1 of {left} seats left")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn a_provider_whose_past_linkages_came_true_is_suggested_first_and_the_reason_says_why() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;
        let here = District::new(&server, &token, "up-bhadohi");
        let loan =
            json!({"kind": "finance", "title": "Sewing machine loan", "sectors": ["tailoring"]});
        let mut banks = Vec::new();
        let mut loans = Vec::new();
        for name in ["Aryavart Bank, Gyanpur", "Bank of Baroda, Aurai"] {
            // Both branches share the bank's helpline number.
            let bank = add(
                &server,
                &token,
                "/api/v1/stakeholders?allow_duplicate=true",
                &crate::support::bank(name, "up-bhadohi"),
            )
            .await;
            loans.push(here.offering(&bank, &loan).await);
            banks.push(bank);
        }
        let need = json!({"kind": "finance", "title": "Loan", "sector": "tailoring"});
        let first_need = here.entrepreneur_needing("Rekha Bind", &need).await;
        let second_need = here.entrepreneur_needing("Pooja Maurya", &need).await;
        let earlier = here
            .meeting("Bhadohi coalition", "2030-01-10", &[&banks[0], &banks[1]])
            .await;
        let body = suggestions(&server, &token, &earlier).await;
        let linkage = |need: &str, offering: &str| {
            body["linkages"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["need_id"] == need && l["offering_id"] == offering)
                .map(|l| l["id"].as_str().unwrap().to_string())
                .unwrap_or_else(|| panic!("no linkage {need} → {offering}: {body}"))
        };
        // The first bank's linkage came true; the second bank's was declined.
        let came_true = linkage(&first_need, &loans[0]);
        for status in ["proposed", "accepted", "completed"] {
            let (code, moved) = server
                .patch(
                    &format!("/api/v1/linkages/{came_true}"),
                    Some(&token),
                    &json!({"status": status}),
                )
                .await;
            assert_eq!(code, StatusCode::OK, "{moved}");
        }
        let declined = linkage(&second_need, &loans[1]);
        let (code, moved) = server
            .patch(
                &format!("/api/v1/linkages/{declined}"),
                Some(&token),
                &json!({"status": "declined"}),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{moved}");

        let new_need = here.entrepreneur_needing("Nazma Bano", &need).await;
        let later = here
            .meeting("Bhadohi coalition", "2030-04-10", &[&banks[0], &banks[1]])
            .await;
        let body = suggestions(&server, &token, &later).await;
        let for_new: Vec<&Value> = body["linkages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["need_id"] == new_need.as_str())
            .collect();
        let order: Vec<&str> = for_new
            .iter()
            .map(|l| l["offering_id"].as_str().unwrap())
            .collect();
        assert_eq!(order, [loans[0].as_str(), loans[1].as_str()], "{body}");
        assert!(for_new[0]["score"].as_f64() > for_new[1]["score"].as_f64());
        assert!(
            reasons(for_new[0]).contains(
                &"Aryavart Bank, Gyanpur's record: 1 of 1 past linkages accepted or completed (1 completed), counted as 68%".into()
            ),
            "{:?}",
            for_new[0]["reasons"]
        );
        assert!(
            reasons(for_new[1]).contains(
                &"Bank of Baroda, Aurai's record: 0 of 1 past linkages accepted or completed (0 completed), counted as 48%".into()
            ),
            "{:?}",
            for_new[1]["reasons"]
        );

        // In Hindi, reason for reason; an unknown language is refused and nothing is saved.
        let (status, hindi) = server
            .get(
                &format!("/api/v1/meetings/{later}/suggestions?lang=hi"),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{hindi}");
        let first = hindi["linkages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["need_id"] == new_need.as_str())
            .unwrap();
        assert_eq!(
            first["reasons"].as_array().unwrap().len(),
            reasons(for_new[0]).len()
        );
        assert!(
            reasons(first).contains(
                &"Aryavart Bank, Gyanpur का रिकॉर्ड: पिछले 1 में से 1 जुड़ाव स्वीकृत या पूरे (1 पूरे), 68% माना गया".into()
            ),
            "{first}"
        );
        assert!(
            reasons(first).contains(&"सेक्टर tailoring मेल खाता है".into()),
            "{first}"
        );
        let (status, refused) = server
            .get(
                &format!("/api/v1/meetings/{later}/suggestions?lang=fr"),
                Some(&token),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(error_fields(&refused, "validation_failed").contains_key("lang"));
    }
}

/// Suggestions with at most one linkage per need, in `lang`.
async fn one_per_need(server: &TestServer, token: &str, meeting: &str, lang: &str) -> Value {
    let (status, body) = server
        .get(
            &format!("/api/v1/meetings/{meeting}/suggestions?per_need=1&lang={lang}"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn from_offerings<'a>(body: &'a Value, offerings: &[&str]) -> Vec<&'a Value> {
    body["linkages"]
        .as_array()
        .expect("linkages")
        .iter()
        .filter(|l| offerings.contains(&l["offering_id"].as_str().unwrap()))
        .collect()
}

#[tokio::test]
async fn a_provider_that_takes_two_linkages_per_meeting_gets_two_and_the_rest_go_elsewhere_or_are_gaps()
 {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("facilitator").await;

        // Bad limits are refused by name and store nothing.
        let mut limited = crate::support::bank("Aryavart Bank, Gyanpur", "up-bhadohi");
        for bad in [json!(0), json!(-1), json!("two"), json!(1.5)] {
            limited["linkage_limit"] = bad.clone();
            let (status, body) = server
                .post("/api/v1/stakeholders", Some(&token), &limited)
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert!(
                error_fields(&body, "validation_failed").contains_key("linkage_limit"),
                "{body}"
            );
        }
        assert_eq!(server.stakeholder_count(&token).await, 0);

        limited["linkage_limit"] = json!(2);
        let (status, stored) = server
            .post("/api/v1/stakeholders", Some(&token), &limited)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{stored}");
        assert_eq!(stored["linkage_limit"], 2, "{stored}");
        let bank = stored["id"].as_str().unwrap().to_string();
        let (_, shown) = server
            .get(&format!("/api/v1/stakeholders/{bank}"), None)
            .await;
        assert_eq!(shown["linkage_limit"], 2, "the public sees it too: {shown}");

        // Two loans of the limited bank (invited, based in the district: it scores higher)
        // and one of a bank based elsewhere that also serves Bhadohi.
        let loan =
            json!({"kind": "finance", "title": "Sewing machine loan", "sectors": ["tailoring"]});
        let mut own = Vec::new();
        for _ in 0..2 {
            own.push(
                add(
                    &server,
                    &token,
                    &format!("/api/v1/stakeholders/{bank}/offerings"),
                    &loan,
                )
                .await,
            );
        }
        let mut other = crate::support::bank("Bank of Baroda, Mirzapur", "up-mirzapur");
        other["districts_served"] = json!(["up-mirzapur", "up-bhadohi"]);
        // Both branches share the bank's helpline number.
        let other = add(
            &server,
            &token,
            "/api/v1/stakeholders?allow_duplicate=true",
            &other,
        )
        .await;
        let elsewhere = add(
            &server,
            &token,
            &format!("/api/v1/stakeholders/{other}/offerings"),
            &loan,
        )
        .await;
        let need =
            json!({"kind": "finance", "title": "सिलाई मशीन के लिए ऋण", "sector": "tailoring"});
        let here = District::new(&server, &token, "up-bhadohi");
        let mut needs = Vec::new();
        for name in ["Rekha Bind", "Pooja Maurya", "Nazma Bano"] {
            needs.push(here.entrepreneur_needing(name, &need).await);
        }
        let meeting = here
            .meeting("Bhadohi coalition", "2030-02-12", &[&bank])
            .await;

        let own_ids: Vec<&str> = own.iter().map(String::as_str).collect();
        let body = one_per_need(&server, &token, &meeting, "en").await;
        let from_limited = from_offerings(&body, &own_ids);
        assert_eq!(from_limited.len(), 2, "at most two from the bank: {body}");
        let mut said: Vec<String> = from_limited
            .iter()
            .flat_map(|l| reasons(l))
            .filter(|r| r.contains("at this meeting"))
            .collect();
        said.sort();
        assert_eq!(
            said,
            [
                "Aryavart Bank, Gyanpur takes 1 more linkage at this meeting",
                "Aryavart Bank, Gyanpur takes 2 more linkages at this meeting"
            ],
            "{body}"
        );
        // The third need went to the other bank, and no need is a gap.
        let went_elsewhere = from_offerings(&body, &[&elsewhere]);
        assert_eq!(went_elsewhere.len(), 1, "{body}");
        let served: std::collections::BTreeSet<&str> = body["linkages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["need_id"].as_str().unwrap())
            .collect();
        assert_eq!(served.len(), 3, "every need served once: {body}");
        assert_eq!(body["gaps"], json!([]), "{body}");

        let hindi = one_per_need(&server, &token, &meeting, "hi").await;
        assert!(
            from_offerings(&hindi, &own_ids)
                .iter()
                .flat_map(|l| reasons(l))
                .any(|r| r == "Aryavart Bank, Gyanpur इस बैठक में 1 और जुड़ाव ले सकता है"),
            "{hindi}"
        );

        // Without the other bank's loan the third need is a gap, and the gap says why.
        let (status, _) = server
            .delete(&format!("/api/v1/offerings/{elsewhere}"), Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK);
        let body = one_per_need(&server, &token, &meeting, "en").await;
        assert_eq!(from_offerings(&body, &own_ids).len(), 2, "{body}");
        let gaps = body["gaps"].as_array().unwrap();
        assert_eq!(gaps.len(), 1, "{body}");
        assert!(needs.contains(&gaps[0]["need_id"].as_str().unwrap().to_string()));
        assert!(
            gaps[0]["why"]
                .as_str()
                .unwrap()
                .contains("Aryavart Bank, Gyanpur takes no more linkages at this meeting"),
            "{body}"
        );

        // A bad PATCH changes nothing; a limit of three serves all three; null removes it.
        let path = format!("/api/v1/stakeholders/{bank}");
        let (status, refused) = server
            .patch(&path, Some(&token), &json!({"linkage_limit": 0}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(error_fields(&refused, "validation_failed").contains_key("linkage_limit"));
        let (_, shown) = server.get(&path, Some(&token)).await;
        assert_eq!(shown["linkage_limit"], 2, "{shown}");
        let (status, raised) = server
            .patch(&path, Some(&token), &json!({"linkage_limit": 3}))
            .await;
        assert_eq!(status, StatusCode::OK, "{raised}");
        let body = one_per_need(&server, &token, &meeting, "en").await;
        assert_eq!(from_offerings(&body, &own_ids).len(), 3, "{body}");
        assert_eq!(body["gaps"], json!([]), "{body}");

        // A linkage people proposed counts against the limit at this meeting.
        let proposed = from_offerings(&body, &own_ids)[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let (status, moved) = server
            .patch(
                &format!("/api/v1/linkages/{proposed}"),
                Some(&token),
                &json!({"status": "proposed"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        let (status, lowered) = server
            .patch(&path, Some(&token), &json!({"linkage_limit": 1}))
            .await;
        assert_eq!(status, StatusCode::OK, "{lowered}");
        let body = one_per_need(&server, &token, &meeting, "en").await;
        let still: Vec<&Value> = from_offerings(&body, &own_ids);
        assert_eq!(still.len(), 1, "only the proposed one: {body}");
        assert_eq!(still[0]["id"], proposed.as_str(), "{body}");
        assert_eq!(body["gaps"].as_array().unwrap().len(), 2, "{body}");

        let (status, unlimited) = server
            .patch(&path, Some(&token), &json!({"linkage_limit": null}))
            .await;
        assert_eq!(status, StatusCode::OK, "{unlimited}");
        assert!(unlimited.get("linkage_limit").is_none(), "{unlimited}");
        let body = one_per_need(&server, &token, &meeting, "en").await;
        assert_eq!(from_offerings(&body, &own_ids).len(), 3, "{body}");
    }
}

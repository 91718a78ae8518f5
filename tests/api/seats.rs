//! Seats of a training batch under two facilitators at once: the last seat goes to one of them,
//! the other is told why (409) and nothing of theirs changes; suggestion rounds of two meetings
//! racing with moves never give out more seats than the batch has.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Backend, TestServer, add, entrepreneur, error_fields, on_each_backend};

const DISTRICT: &str = "up-bhadohi";

async fn course(server: &TestServer, token: &str, title: &str, seats: i64) -> String {
    let rseti = add(
        server,
        token,
        "/api/v1/stakeholders",
        &json!({"kind": "rseti", "name": format!("RSETI {title}"), "district": DISTRICT}),
    )
    .await;
    add(
        server,
        token,
        &format!("/api/v1/stakeholders/{rseti}/offerings"),
        &json!({"kind": "training", "title": title, "sectors": ["tailoring"],
                    "terms": {"duration_days": 10, "seats": seats}}),
    )
    .await
}

/// A woman who wants a tailoring course; one seat.
async fn trainee(server: &TestServer, token: &str, name: &str) -> String {
    let person = add(
        server,
        token,
        "/api/v1/stakeholders",
        &entrepreneur(name, DISTRICT, None),
    )
    .await;
    add(
        server,
        token,
        &format!("/api/v1/stakeholders/{person}/needs"),
        &json!({"kind": "training", "title": format!("Silai prashikshan for {name}"),
                    "sector": "tailoring"}),
    )
    .await
}

async fn meeting(server: &TestServer, token: &str, title: &str) -> String {
    add(
        server,
        token,
        "/api/v1/meetings",
        &json!({"title": title, "district": DISTRICT, "date": "2027-02-10"}),
    )
    .await
}

async fn round(server: &TestServer, token: &str, meeting: &str) -> (StatusCode, Value) {
    server
        .get(
            &format!("/api/v1/meetings/{meeting}/suggestions"),
            Some(token),
        )
        .await
}

/// The meeting's linkages on `offering`, as its last round answered.
fn on_offering(round: &Value, offering: &str) -> Vec<Value> {
    round["linkages"]
        .as_array()
        .expect("linkages")
        .iter()
        .filter(|l| l["offering_id"] == offering)
        .cloned()
        .collect()
}

async fn propose(server: &TestServer, token: &str, linkage: &str) -> (StatusCode, Value) {
    server
        .patch(
            &format!("/api/v1/linkages/{linkage}"),
            Some(token),
            &json!({"status": "proposed", "note": "she can join the batch"}),
        )
        .await
}

/// Linkages of `offering` in a status that takes a seat, over the meetings (read by a round).
async fn seats_taken(server: &TestServer, token: &str, meetings: &[&str], offering: &str) -> usize {
    let mut taken = 0;
    for meeting in meetings {
        let (status, body) = round(server, token, meeting).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        taken += body["linkages"]
            .as_array()
            .expect("linkages")
            .iter()
            .filter(|l| {
                l["offering_id"] == offering
                    && matches!(
                        l["status"].as_str(),
                        Some("proposed" | "accepted" | "completed")
                    )
            })
            .count();
    }
    taken
}

#[tokio::test]
async fn two_facilitators_proposing_the_last_seat_at_once_one_gets_it_the_other_a_409() {
    on_each_backend(last_seat_race).await;
}

async fn last_seat_race(backend: Backend) {
    let server = TestServer::start(&backend).await;
    let first = server.token_for("facilitator", &[DISTRICT]).await;
    let second = server.token_for("facilitator", &[DISTRICT]).await;
    let monday = meeting(&server, &first, "Bhadohi coalition, Monday").await;
    let tuesday = meeting(&server, &second, "Bhadohi coalition, Tuesday").await;
    for attempt in 0..6 {
        // A new batch with one seat and two women who want it, each round.
        let batch = course(&server, &first, &format!("Silai batch {attempt}"), 1).await;
        trainee(&server, &first, &format!("Sunita {attempt}")).await;
        trainee(&server, &first, &format!("Rekha {attempt}")).await;
        let (status, on_monday) = round(&server, &first, &monday).await;
        assert_eq!(status, StatusCode::OK, "{on_monday}");
        let (status, on_tuesday) = round(&server, &second, &tuesday).await;
        assert_eq!(status, StatusCode::OK, "{on_tuesday}");
        let mine = on_offering(&on_monday, &batch);
        let theirs = on_offering(&on_tuesday, &batch);
        assert!(
            !mine.is_empty() && !theirs.is_empty(),
            "attempt {attempt}: both meetings should suggest the one-seat batch: {on_monday} {on_tuesday}"
        );
        let (mine, theirs) = (
            mine[0]["id"].as_str().unwrap(),
            theirs[0]["id"].as_str().unwrap(),
        );
        let ((status_a, a), (status_b, b)) = tokio::join!(
            propose(&server, &first, mine),
            propose(&server, &second, theirs)
        );
        let mut statuses = [status_a, status_b];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "attempt {attempt}: {status_a} {a} / {status_b} {b}"
        );
        let (refused_id, refusal) = if status_a == StatusCode::CONFLICT {
            (mine, a)
        } else {
            (theirs, b)
        };
        error_fields(&refusal, "conflict");
        let message = refusal["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("seats left") && message.contains("nothing was changed"),
            "the refusal says why: {message}"
        );
        // The refused move changed nothing: still suggested, no history, no notice.
        let (status, refused) = server
            .get(&format!("/api/v1/linkages/{refused_id}"), Some(&first))
            .await;
        assert_eq!(status, StatusCode::OK, "{refused}");
        assert_eq!(refused["status"], "suggested", "{refused}");
        if let Some(history) = refused["history"].as_array() {
            assert!(history.is_empty(), "{refused}");
        }
        assert_eq!(
            seats_taken(&server, &first, &[&monday, &tuesday], &batch).await,
            1,
            "attempt {attempt}: one seat, one linkage holding it"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rounds_of_two_meetings_racing_with_moves_never_give_out_more_seats_than_the_batch_has() {
    on_each_backend(rounds_race).await;
}

async fn rounds_race(backend: Backend) {
    const SEATS: usize = 3;
    let server = TestServer::start(&backend).await;
    let token = server.token_for("facilitator", &[DISTRICT]).await;
    let batch = course(&server, &token, "Kadhai batch", SEATS as i64).await;
    for n in 0..8 {
        trainee(&server, &token, &format!("Meena {n}")).await;
    }
    let east = meeting(&server, &token, "Bhadohi east").await;
    let west = meeting(&server, &token, "Bhadohi west").await;
    let (mut proposed, mut refused) = (0, 0);
    for iteration in 0..12 {
        // Both meetings plan while a facilitator proposes what the last rounds suggested.
        let (status, east_round) = round(&server, &token, &east).await;
        assert_eq!(status, StatusCode::OK, "{east_round}");
        let candidates: Vec<String> = on_offering(&east_round, &batch)
            .iter()
            .filter(|l| l["status"] == "suggested")
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect();
        let moves = async {
            let mut answers = Vec::new();
            for linkage in candidates.iter().take(1) {
                answers.push(propose(&server, &token, linkage).await);
            }
            answers
        };
        let (east_again, west_round, answers) = tokio::join!(
            round(&server, &token, &east),
            round(&server, &token, &west),
            moves
        );
        for (status, body) in [east_again, west_round] {
            assert_eq!(status, StatusCode::OK, "iteration {iteration}: {body}");
        }
        for (status, body) in answers {
            match status {
                StatusCode::OK => proposed += 1,
                StatusCode::CONFLICT => refused += 1,
                other => panic!("iteration {iteration}: move answered {other}: {body}"),
            }
        }
        let taken = seats_taken(&server, &token, &[&east, &west], &batch).await;
        assert!(
            taken <= SEATS,
            "iteration {iteration}: {taken} seats given out of {SEATS}"
        );
    }
    assert_eq!(proposed, SEATS, "every seat went ({refused} moves refused)");
    // Once the batch is full, a quiet round suggests it to nobody.
    let (_, quiet) = round(&server, &token, &west).await;
    assert!(
        on_offering(&quiet, &batch)
            .iter()
            .all(|l| l["status"] != "suggested"),
        "a full batch is not suggested: {quiet}"
    );
}

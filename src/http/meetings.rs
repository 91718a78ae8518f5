//! `/api/v1/meetings`: coalition meetings, their suggested linkages, gaps and whom to invite,
//! and the printable briefing.
//!
//! Reading suggestions or the briefing prepares the meeting ([`planning::prepare`]): a round of
//! suggestions, saved when it changed, so the linkages it names have ids people can move on with
//! `PATCH /api/v1/linkages/{id}`. The handlers parse, call one use case and render.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::AppState;
use super::brief;
use super::error::{AppError, AppResult};
use super::extract::{Authenticated, JsonBody, PathParam, QueryParams};
use super::patch;
use super::stakeholders::page;
use crate::app::planning::{self, DEFAULT_PER_NEED, MAX_PER_NEED};
use crate::domain::meeting::{LinkageStatus, Meeting, MeetingInput};
use crate::matching::suggest::Invitation;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(create))
        .route("/meetings/{id}", get(show).patch(update))
        .route("/meetings/{id}/suggestions", get(suggestions))
        .route("/meetings/{id}/brief", get(briefing))
}

const MEETING_FIELDS: &[&str] = &["title", "district", "date", "invitees"];

async fn create(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    JsonBody(input): JsonBody<MeetingInput>,
) -> AppResult<Response> {
    let meeting = planning::create_meeting(&app.store, &caller, input).await?;
    let location = format!("/api/v1/meetings/{}", meeting.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(meeting)).into_response())
}

#[derive(Deserialize)]
struct ListQuery {
    district: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn list(
    State(app): State<AppState>,
    QueryParams(query): QueryParams<ListQuery>,
) -> AppResult<Json<Vec<Meeting>>> {
    let (limit, offset) = page(query.limit, query.offset)?;
    let district = query
        .district
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    Ok(Json(
        app.store
            .list_meetings(district.as_deref(), limit, offset)
            .await?,
    ))
}

async fn show(
    State(app): State<AppState>,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Meeting>> {
    Ok(Json(planning::find_meeting(&app.store, &id).await?))
}

/// A merge patch over the meeting (to invite the providers the suggestions named, say).
async fn update(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    JsonBody(body): JsonBody<Value>,
) -> AppResult<Json<Meeting>> {
    let current = planning::meeting_for(&app.store, &caller, &id).await?;
    let input = patch::apply(&current.data.to_input(), &body, MEETING_FIELDS)?;
    Ok(Json(
        planning::edit_meeting(&app.store, &caller, &current, input).await?,
    ))
}

/// A linkage as the suggestions list shows it.
#[derive(Serialize)]
struct LinkageOut<'a> {
    id: &'a str,
    need_id: &'a str,
    offering_id: &'a str,
    kind: &'a str,
    score: f64,
    reasons: &'a [String],
    status: LinkageStatus,
}

#[derive(Serialize)]
struct GapOut<'a> {
    need_id: &'a str,
    kind: &'a str,
    why: &'a str,
}

#[derive(Serialize)]
struct InviteOut<'a> {
    stakeholder_id: &'a str,
    name: &'a str,
    reason: &'a str,
    open_needs: usize,
}

impl<'a> From<&'a Invitation> for InviteOut<'a> {
    fn from(invitation: &'a Invitation) -> Self {
        InviteOut {
            stakeholder_id: &invitation.stakeholder_id,
            name: &invitation.name,
            reason: &invitation.reason,
            open_needs: invitation.open_needs,
        }
    }
}

#[derive(Deserialize)]
struct SuggestionsQuery {
    per_need: Option<i64>,
    lang: Option<String>,
}

/// The language reasons are given in: `en` (default) or `hi`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    En,
    Hi,
}

fn lang(requested: Option<&str>) -> AppResult<Lang> {
    match requested.map(str::trim) {
        None | Some("") | Some("en") => Ok(Lang::En),
        Some("hi") => Ok(Lang::Hi),
        Some(other) => Err(AppError::field(
            "lang",
            format!("unknown language `{other}`: must be en or hi"),
        )),
    }
}

fn per_need(requested: Option<i64>) -> AppResult<usize> {
    match requested {
        None => Ok(DEFAULT_PER_NEED),
        Some(n) if (1..=MAX_PER_NEED as i64).contains(&n) => Ok(n as usize),
        Some(_) => Err(AppError::field(
            "per_need",
            format!("must be between 1 and {MAX_PER_NEED}"),
        )),
    }
}

/// Facilitators' work, so it takes a token: a round saves linkages, and its reasons speak of
/// the entrepreneurs' profiles.
async fn suggestions(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<SuggestionsQuery>,
) -> AppResult<Json<Value>> {
    let per_need = per_need(query.per_need)?;
    let lang = lang(query.lang.as_deref())?;
    let prepared = planning::prepare(&app.store, &caller, &id, per_need).await?;
    let hindi = lang == Lang::Hi;
    let linkages: Vec<LinkageOut> = prepared
        .live_linkages()
        .map(|view| {
            let linkage = &view.linkage;
            // Linkages saved before Hindi reasons were kept have only English ones.
            let reasons = if hindi && !linkage.reasons_hi.is_empty() {
                &linkage.reasons_hi
            } else {
                &linkage.reasons
            };
            LinkageOut {
                id: &linkage.id,
                need_id: &linkage.need_id,
                offering_id: &linkage.offering_id,
                kind: linkage.kind.as_str(),
                score: linkage.score,
                reasons,
                status: linkage.status,
            }
        })
        .collect();
    let gaps: Vec<GapOut> = prepared
        .plan
        .gaps
        .iter()
        .map(|gap| GapOut {
            need_id: &gap.need_id,
            kind: gap.kind.as_str(),
            why: if hindi { &gap.why_hi } else { &gap.why },
        })
        .collect();
    let invite: Vec<InviteOut> = prepared
        .plan
        .invite
        .iter()
        .map(|invitation| {
            let mut out = InviteOut::from(invitation);
            if hindi {
                out.reason = &invitation.reason_hi;
            }
            out
        })
        .collect();
    Ok(Json(json!({
        "meeting_id": prepared.meeting.id,
        "linkages": linkages,
        "gaps": gaps,
        "invite": invite,
    })))
}

#[derive(Deserialize)]
struct BriefQuery {
    format: Option<String>,
    per_need: Option<i64>,
}

/// Takes a token, as [`suggestions`] does; the briefing then names everyone with their contact.
async fn briefing(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<BriefQuery>,
) -> AppResult<Response> {
    let format = match query.format.as_deref().map(str::trim) {
        None | Some("") | Some("html") => brief::Format::Html,
        Some("csv") => brief::Format::Csv,
        Some("json") => brief::Format::Json,
        Some(other) => {
            return Err(AppError::field(
                "format",
                format!("unknown format `{other}`: must be one of html, csv, json"),
            ));
        }
    };
    let per_need = per_need(query.per_need)?;
    let briefing = planning::briefing(&app.store, &caller, &id, per_need).await?;
    brief::render(&briefing, format)
}

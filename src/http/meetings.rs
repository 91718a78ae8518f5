//! `/api/v1/meetings`: coalition meetings, their suggested linkages, gaps and whom to invite,
//! and the printable briefing.
//!
//! Reading suggestions or the briefing prepares the meeting ([`planning::prepare`]): a round of
//! suggestions, saved when it changed, so the linkages it names have ids people can move on with
//! `PATCH /api/v1/linkages/{id}`. The handlers parse, call one use case and render.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::brief;
use super::error::{AppError, AppResult};
use super::extract::{Authenticated, JsonBody, PathParam, QueryParams, query_word};
use super::patch;
use super::stakeholders::page;
use crate::app::planning::{self, DEFAULT_PER_NEED, MAX_PER_NEED};
use crate::domain::meeting::{LinkageStatus, Meeting, MeetingInput};
use crate::domain::offering::LinkageKind;
use crate::matching::suggest::Invitation;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
        .routes(routes!(suggestions))
        .routes(routes!(briefing))
}

const MEETING_FIELDS: &[&str] = &["title", "district", "date", "invitees"];

#[utoipa::path(
    post,
    path = "/meetings",
    tag = "meetings",
    operation_id = "createMeeting",
    summary = r#"Plan a coalition meeting"#,
    description = r#"Any role may plan a meeting. Every invitee must be a stakeholder in the registry that is not archived; each is kept once. Tokens carry no district, so any token holder may plan a meeting in any district."#,
    request_body(content((crate::domain::meeting::MeetingInput = "application/json", example = json!({"title": "Bhadohi coalition, December", "district": "up-bhadohi", "date": "2026-12-10", "invitees": ["st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8"]})))),
    responses(
        (status = 201, description = r#"Stored; the reply is the stored meeting (its `id` is what the contract promises)."#, content((crate::domain::meeting::Meeting = "application/json")), headers(("Location" = String, description = r#"Path of the new record, e.g. `/api/v1/stakeholders/st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8`."#))),
        crate::http::responses::ForbiddenToWrite,
        crate::http::responses::JsonWriteErrors,
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["consultant", "facilitator", "admin"]))),
)]
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

#[utoipa::path(
    get,
    path = "/meetings",
    tag = "meetings",
    operation_id = "listMeetings",
    summary = r#"Coalition meetings, latest date first"#,
    params(
        ("district" = Option<String>, Query, description = r#"Only meetings in this district (code)."#, example = json!("up-bhadohi")),
        ("limit" = Option<i64>, Query, description = r#"How many to return."#, minimum = 1, maximum = 500),
        ("offset" = Option<i64>, Query, description = r#"How many to skip, for paging."#, minimum = 0, maximum = 1000000),
    ),
    responses(
        (status = 200, description = r#"The meetings."#, content(([crate::domain::meeting::Meeting] = "application/json"))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::Invalid,
    ),
    security((), ("bearerAuth" = [])),
)]
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

#[utoipa::path(
    get,
    path = "/meetings/{id}",
    tag = "meetings",
    operation_id = "getMeeting",
    summary = r#"One meeting"#,
    params(
        ("id" = String, Path, description = r#"Meeting id."#, example = json!("mt_01936b40aa2c7e5f8b1d9c3e6a4f2b80")),
    ),
    responses(
        (status = 200, description = r#"The meeting."#, content((crate::domain::meeting::Meeting = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::NotFound,
    ),
    security((), ("bearerAuth" = [])),
)]
async fn show(
    State(app): State<AppState>,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Meeting>> {
    Ok(Json(planning::find_meeting(&app.store, &id).await?))
}

/// A merge patch over the meeting (to invite the providers the suggestions named, say).
#[utoipa::path(
    patch,
    path = "/meetings/{id}",
    tag = "meetings",
    operation_id = "updateMeeting",
    summary = r#"Edit a meeting (e.g. invite the providers the suggestions named)"#,
    description = r#"A JSON merge patch over `title`, `district`, `date` and `invitees`, checked like a new meeting. Unknown keys are refused (422)."#,
    params(
        ("id" = String, Path, description = r#"Meeting id."#, example = json!("mt_01936b40aa2c7e5f8b1d9c3e6a4f2b80")),
    ),
    request_body(content((crate::http::openapi::MeetingPatch = "application/json", example = json!({"invitees": ["st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8", "st_01936b2f5c8e7a41b9d2e3f4a5b6c7d9"]})))),
    responses(
        (status = 200, description = r#"The meeting after the change."#, content((crate::domain::meeting::Meeting = "application/json"))),
        crate::http::responses::ForbiddenToWrite,
        crate::http::responses::JsonWriteErrors,
        crate::http::responses::NotFound,
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["consultant", "facilitator", "admin"]))),
)]
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

/// A meeting's suggested linkages (best first), the needs nothing registered meets, and whom
/// to invite to close those gaps.
#[derive(Serialize, ToSchema)]
#[schema(as = Suggestions)]
struct SuggestionsOut<'a> {
    meeting_id: &'a str,
    /// Best first.
    linkages: Vec<LinkageOut<'a>>,
    gaps: Vec<GapOut<'a>>,
    invite: Vec<InviteOut<'a>>,
}

/// A linkage as the suggestions list shows it.
#[derive(Serialize, ToSchema)]
#[schema(as = SuggestedLinkage)]
struct LinkageOut<'a> {
    id: &'a str,
    need_id: &'a str,
    offering_id: &'a str,
    #[schema(value_type = LinkageKind)]
    kind: &'a str,
    #[schema(minimum = 0, maximum = 1)]
    score: f64,
    /// Why this offering suits this need, in the language asked for.
    #[schema(value_type = Vec<String>)]
    reasons: &'a [String],
    status: LinkageStatus,
}

/// A need that no registered offering can meet, and why.
#[derive(Serialize, ToSchema)]
#[schema(as = Gap)]
struct GapOut<'a> {
    need_id: &'a str,
    #[schema(value_type = LinkageKind)]
    kind: &'a str,
    #[schema(examples("no buyer for carpets serves Bhadohi"))]
    why: &'a str,
}

/// A stakeholder worth inviting, and why.
#[derive(Serialize, ToSchema)]
#[schema(as = Invitation)]
struct InviteOut<'a> {
    stakeholder_id: &'a str,
    name: &'a str,
    #[schema(examples("serves 4 open finance needs; not invited"))]
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
    match query_word("lang", requested)? {
        None | Some("en") => Ok(Lang::En),
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
#[utoipa::path(
    get,
    path = "/meetings/{id}/suggestions",
    tag = "meetings",
    operation_id = "meetingSuggestions",
    summary = r#"Suggested linkages, gaps and whom to invite"#,
    description = r#"For every open need (active, of an active `micro_entrepreneur` or `shg` based in the meeting's district, not yet met by an `accepted` or `completed` linkage) Sangam looks at the active offerings of the same kind that serve the district (an offering that names no district serves all). Each eligibility rule is checked on the meeting's date (an offering whose `valid_until` or a course whose `terms.starts_on` is before the meeting is excluded): a failed rule excludes the offering; a fact the profile lacks (gender, age, stage…) keeps it but lowers the score and appears in `reasons` as `to ask: …`.

**Score** (0–1): sector named by the offering 0.3 (any sector 0.18; need without sector 0.09), amount within the offering's range 0.2 (no range 0.12; need without amount 0.06), provider invited 0.15, provider based in the district 0.15 (serving it from elsewhere 0.075), the provider's record 0.2 × its share of decided linkages accepted or completed (smoothed toward 60 %); times 0.9 for each fact to ask, and 0.85 for a course starting more than 60 days after the meeting.

**Assignment** gives the greatest total score, with a bonus for each need served (minimum-cost flow), at most `per_need` linkages per need, and never more seats than an offering's `terms.seats` (a need takes one per attendee: `attendees`, else its SHG's members, else one) nor more rupees than its `terms.budget_inr`, nor more linkages from one provider than the provider's `linkage_limit` (linkages of this meeting people proposed, accepted or completed count against it; each linkage from a limited provider says how many more it takes, and a need left without one because of it says so in `gaps`). Seats and budget already taken by linkages people proposed, accepted or completed (in any meeting) are not offered again, nor is a pair in play at another meeting.

The round is **saved**: each suggestion becomes a linkage in status `suggested` (asking again updates score and reasons of the same linkage, and drops suggestions no longer made); linkages people have moved on keep their status and are listed too. `declined` ones are left out and not suggested again.

`gaps` lists open needs with no linkage, with a `why` a facilitator can read out; `invite` lists providers not invited whose offerings would serve open needs, most needs first.

Takes a token: a round saves linkages, and its reasons speak of the entrepreneurs' profiles."#,
    params(
        ("id" = String, Path, description = r#"Meeting id."#, example = json!("mt_01936b40aa2c7e5f8b1d9c3e6a4f2b80")),
        ("per_need" = Option<i64>, Query, description = r#"At most this many linkages per need."#, minimum = 1, maximum = 10),
        ("lang" = inline(Option<crate::http::openapi::LanguageParam>), Query, description = r#"Language of `reasons`, `why` and invitation reasons: `en` or `hi` (Hindi; linkages saved before Hindi reasons were kept show English ones). Anything else is a 422 naming `lang`."#),
    ),
    responses(
        crate::http::responses::Busy,
        (status = 200, description = r#"The suggestions."#, content((SuggestionsOut = "application/json", example = json!({"meeting_id": "mt_01936b40aa2c7e5f8b1d9c3e6a4f2b80", "linkages": [{"id": "lk_01936b41c2d07e5f8b1d9c3e6a4f2b81", "need_id": "nd_01936b31f0e27d4c9a6b8e1f3c5d7a92", "offering_id": "of_01936b30a2c47e5f8b1d9c3e6a4f2b80", "kind": "finance", "score": 0.8, "reasons": ["sector tailoring matches", "amount ₹45,000 within ₹20,000–₹1,50,000", "open to female applicants", "based in Bhadohi", "State Bank of India, Gyanpur is not invited"], "status": "suggested"}], "gaps": [{"need_id": "nd_01936b31f0e27d4c9a6b8e1f3c5d7a93", "kind": "market", "why": "no buyer for carpets serves Bhadohi"}], "invite": [{"stakeholder_id": "st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8", "name": "State Bank of India, Gyanpur", "reason": "serves 4 open finance needs; not invited", "open_needs": 4}]})))),
        crate::http::responses::ForbiddenToWrite,
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::NotFound,
        crate::http::responses::Invalid,
    ),
    security(("bearerAuth" = [])),
)]
async fn suggestions(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<SuggestionsQuery>,
) -> AppResult<Response> {
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
    Ok(Json(SuggestionsOut {
        meeting_id: &prepared.meeting.id,
        linkages,
        gaps,
        invite,
    })
    .into_response())
}

#[derive(Deserialize)]
struct BriefQuery {
    format: Option<String>,
    per_need: Option<i64>,
}

/// Takes a token, as [`suggestions`] does; the briefing then names everyone with their contact.
#[utoipa::path(
    get,
    path = "/meetings/{id}/brief",
    tag = "meetings",
    operation_id = "meetingBrief",
    summary = r#"The printable briefing, in English and Hindi"#,
    description = r#"Runs and saves a round of suggestions (as `/suggestions` does) and shows it with names: the meeting, district (with its Hindi name) and invitees; the linkages with reasons; the gaps; whom to invite. Headings are in English and Hindi. Each entrepreneur and provider is shown with their contact person, phone and email. Takes a token (a round saves linkages).

- `html` (default): a page for the browser's Print (A4 landscape under `@media print`); everything from the registry is escaped.
- `csv`: one row per linkage, gap and provider to invite (`section` = `linkage`, `gap`, `invite`), bilingual headings, UTF-8 with a byte-order mark so that Excel shows Devanagari; cells that a spreadsheet would run as a formula start with `'`.
- `json`: the same as data."#,
    params(
        ("id" = String, Path, description = r#"Meeting id."#, example = json!("mt_01936b40aa2c7e5f8b1d9c3e6a4f2b80")),
        ("format" = inline(Option<crate::http::openapi::BriefFormatParam>), Query),
        ("per_need" = Option<i64>, Query, minimum = 1, maximum = 10),
    ),
    responses(
        crate::http::responses::Busy,
        (status = 200, description = r#"The briefing."#, content((String = "text/html"), (String = "text/csv"), (crate::http::brief::BriefJson = "application/json"))),
        crate::http::responses::ForbiddenToWrite,
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::NotFound,
        crate::http::responses::Invalid,
    ),
    security(("bearerAuth" = [])),
)]
async fn briefing(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<BriefQuery>,
) -> AppResult<Response> {
    let format = match query_word("format", query.format.as_deref())? {
        None | Some("html") => brief::Format::Html,
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

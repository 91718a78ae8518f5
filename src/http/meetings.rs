//! `/api/v1/meetings`: coalition meetings, their suggested linkages, gaps and whom to invite,
//! and the printable briefing.
//!
//! Reading suggestions or the briefing runs a round of [`suggest::plan`] and saves it, so the
//! linkages it names have ids people can move on with `PATCH /api/v1/linkages/{id}`.

use std::collections::{BTreeMap, BTreeSet};

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
use super::extract::{Authenticated, JsonBody, PathParam, QueryParams, require_district};
use super::patch;
use super::stakeholders::page;
use crate::domain::access::Caller;
use crate::domain::geography::{District, Sector};
use crate::domain::meeting::{LinkageStatus, Meeting, MeetingInput};
use crate::domain::record::parse_date;
use crate::matching::suggest::{
    self, Candidate, Commitments, GapCause, Invitation, OpenNeed, Plan, Table,
};
use crate::store::StoreError;
use crate::store::meetings::{LinkageMark, LinkageView, OpenNeedRecord};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list).post(create))
        .route("/meetings/{id}", get(show).patch(update))
        .route("/meetings/{id}/suggestions", get(suggestions))
        .route("/meetings/{id}/brief", get(briefing))
}

const MEETING_FIELDS: &[&str] = &["title", "district", "date", "invitees"];
const DEFAULT_PER_NEED: usize = 3;
const MAX_PER_NEED: usize = 10;

async fn create(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    JsonBody(input): JsonBody<MeetingInput>,
) -> AppResult<Response> {
    let known = app
        .store
        .invitable_stakeholders(&input.invitee_ids())
        .await?;
    let data = input.validate_with(&app.store.catalog().await?, &known)?;
    require_district(&caller, &data.district)?;
    let meeting = app.store.insert_meeting(&data, &caller.name).await?;
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
    Ok(Json(find_meeting(&app, &id).await?))
}

/// A merge patch over the meeting (to invite the providers the suggestions named, say).
async fn update(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    JsonBody(body): JsonBody<Value>,
) -> AppResult<Json<Meeting>> {
    let current = find_meeting(&app, &id).await?;
    require_district(&caller, &current.data.district)?;
    let input = patch::apply(&current.data.to_input(), &body, MEETING_FIELDS)?;
    let known = app
        .store
        .invitable_stakeholders(&input.invitee_ids())
        .await?;
    let data = input.validate_with(&app.store.catalog().await?, &known)?;
    require_district(&caller, &data.district)?;
    if data == current.data {
        return Ok(Json(current));
    }
    Ok(Json(app.store.update_meeting(&id, &data).await?))
}

async fn find_meeting(app: &AppState, id: &str) -> AppResult<Meeting> {
    app.store
        .get_meeting(id)
        .await?
        .ok_or_else(|| AppError::not_found("meeting"))
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
    let prepared = prepare(&app, &caller, &id, per_need).await?;
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
    let prepared = prepare(&app, &caller, &id, per_need).await?;
    let sectors: BTreeMap<String, Sector> = app
        .store
        .list_sectors()
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let mut invitees = Vec::new();
    for invitee in &prepared.meeting.data.invitees {
        if let Some(stakeholder) = app.store.get_stakeholder(invitee).await? {
            invitees.push(stakeholder);
        }
    }
    let contacts = contacts_of(&app, &prepared).await?;
    let briefing = brief::Briefing {
        meeting: &prepared.meeting,
        district: &prepared.district,
        sectors: &sectors,
        invitees: &invitees,
        linkages: prepared.live_linkages().collect(),
        gaps: prepared.gap_views(),
        invite: &prepared.plan.invite,
        contacts: &contacts,
    };
    brief::render(&briefing, format)
}

/// "Person, phone, email" for everyone the briefing names, by stakeholder id.
async fn contacts_of(app: &AppState, prepared: &Prepared) -> AppResult<BTreeMap<String, String>> {
    let mut ids = BTreeSet::new();
    for view in prepared.live_linkages() {
        ids.insert(view.owner_id.clone());
        ids.insert(view.provider_id.clone());
    }
    for gap in &prepared.plan.gaps {
        if let Some(record) = prepared
            .needs
            .iter()
            .find(|n| n.open.need.id == gap.need_id)
        {
            ids.insert(record.open.need.stakeholder_id.clone());
        }
    }
    ids.extend(
        prepared
            .plan
            .invite
            .iter()
            .map(|i| i.stakeholder_id.clone()),
    );
    let mut contacts = BTreeMap::new();
    for id in ids {
        let Some(stakeholder) = app.store.get_stakeholder(&id).await? else {
            continue;
        };
        let contact = stakeholder.data.contact;
        let parts: Vec<String> = [contact.person, contact.phone, contact.email]
            .into_iter()
            .flatten()
            .collect();
        if !parts.is_empty() {
            contacts.insert(id, parts.join(", "));
        }
    }
    Ok(contacts)
}

/// A round of suggestions, saved, with what the answers need to show it.
pub(super) struct Prepared {
    pub meeting: Meeting,
    pub district: District,
    pub needs: Vec<OpenNeedRecord>,
    pub plan: Plan,
    /// Every linkage of the meeting after the round was saved, best first.
    pub linkages: Vec<LinkageView>,
}

impl Prepared {
    /// Linkages still in play or done: declined ones are left out.
    fn live_linkages(&self) -> impl Iterator<Item = &LinkageView> {
        self.linkages
            .iter()
            .filter(|view| view.linkage.status != LinkageStatus::Declined)
    }

    fn gap_views(&self) -> Vec<brief::GapView<'_>> {
        self.plan
            .gaps
            .iter()
            .filter_map(|gap| {
                let record = self.needs.iter().find(|n| n.open.need.id == gap.need_id)?;
                Some(brief::GapView { gap, need: record })
            })
            .collect()
    }
}

/// How often a round is planned again because linkages moved while it was being planned, before
/// the caller is told to retry (503).
const ROUND_ATTEMPTS: usize = 5;

/// Runs and saves a round for the meeting, if the caller's token writes in its district. A round
/// is saved only if no linkage moved between its first read and its save (seat counts it planned
/// on are still true); otherwise it is planned again.
async fn prepare(
    app: &AppState,
    caller: &Caller,
    id: &str,
    per_need: usize,
) -> AppResult<Prepared> {
    for _ in 0..ROUND_ATTEMPTS {
        let mark = app.store.linkage_mark().await?;
        if let Some(prepared) = prepare_once(app, caller, id, per_need, mark).await? {
            return Ok(prepared);
        }
    }
    Err(StoreError::Busy("linkages kept moving while the round was planned".into()).into())
}

/// One round planned on what the store holds after `mark`; `None` when a linkage moved meanwhile.
async fn prepare_once(
    app: &AppState,
    caller: &Caller,
    id: &str,
    per_need: usize,
    mark: LinkageMark,
) -> AppResult<Option<Prepared>> {
    let meeting = find_meeting(app, id).await?;
    require_district(caller, &meeting.data.district)?;
    let code = &meeting.data.district;
    let district =
        app.store.get_district(code).await?.ok_or_else(|| {
            AppError::Internal(format!("meeting {id} names unknown district {code}"))
        })?;
    let needs = app.store.open_needs(code).await?;
    let candidates = app.store.candidate_offerings(code).await?;
    // Pairs in play at other meetings are held too; this meeting's own status wins.
    let mut held: BTreeMap<(String, String), LinkageStatus> =
        app.store.pairs_in_play(code).await?.into_iter().collect();
    let provider_of: BTreeMap<&str, &str> = candidates
        .iter()
        .map(|c| (c.offering.id.as_str(), c.provider.id.as_str()))
        .collect();
    let mut held_by_provider: BTreeMap<String, i64> = BTreeMap::new();
    for linkage in app.store.meeting_linkages(id).await? {
        if !linkage.status.is_held_by_people() {
            continue;
        }
        if linkage.status.uses_capacity()
            && let Some(provider) = provider_of.get(linkage.offering_id.as_str())
        {
            *held_by_provider.entry(provider.to_string()).or_default() += 1;
        }
        held.insert((linkage.need_id, linkage.offering_id), linkage.status);
    }
    let commitments = Commitments {
        used: app.store.capacity_used(code).await?,
        held,
        held_by_provider,
    };
    let district_names: BTreeMap<String, String> = app
        .store
        .list_districts(None, None)
        .await?
        .into_iter()
        .map(|d| (d.code, d.name))
        .collect();
    let invitees: BTreeSet<String> = meeting.data.invitees.iter().cloned().collect();
    let date = parse_date(&meeting.data.date)
        .ok_or_else(|| AppError::Internal(format!("meeting {id} has an unreadable date")))?;
    let table = Table {
        district: code,
        date,
        invitees: &invitees,
        district_names: &district_names,
        per_need,
    };
    let open: Vec<_> = needs.iter().map(|n| n.open.clone()).collect();
    let mut plan = suggest::plan(&open, &candidates, &table, &commitments);
    point_gaps_elsewhere(app, &mut plan, &open, &table).await?;
    if !app
        .store
        .save_suggestions_planned_on(id, &plan.suggestions, Some(mark))
        .await?
    {
        return Ok(None);
    }
    let linkages = app.store.meeting_linkage_views(id).await?;
    Ok(Some(Prepared {
        meeting,
        district,
        needs,
        plan,
        linkages,
    }))
}

/// How many offerings of other districts to look at for one trade when nothing local serves it.
const ELSEWHERE_LOOKED_AT: i64 = 20;

/// Adds to each "nothing serves this district" gap the providers elsewhere that would take the
/// need if they served the district, so the facilitator knows whom to ask.
async fn point_gaps_elsewhere(
    app: &AppState,
    plan: &mut Plan,
    needs: &[OpenNeed],
    table: &Table<'_>,
) -> AppResult<()> {
    let mut looked_up: BTreeMap<(String, String), Vec<Candidate>> = BTreeMap::new();
    for gap in plan
        .gaps
        .iter_mut()
        .filter(|g| g.cause == GapCause::NothingServes)
    {
        let Some(need) = needs.iter().find(|n| n.need.id == gap.need_id) else {
            continue;
        };
        let Some(sector) = need.need.data.sector.clone() else {
            continue;
        };
        let key = (gap.kind.as_str().to_string(), sector);
        if !looked_up.contains_key(&key) {
            let found = app
                .store
                .offerings_elsewhere(gap.kind, &key.1, table.district, ELSEWHERE_LOOKED_AT)
                .await?;
            looked_up.insert(key.clone(), found);
        }
        if let Some((hint, hint_hi)) = suggest::served_elsewhere(need, &looked_up[&key], table) {
            gap.why.push_str("; ");
            gap.why.push_str(&hint);
            gap.why_hi.push_str("; ");
            gap.why_hi.push_str(&hint_hi);
        }
    }
    Ok(())
}

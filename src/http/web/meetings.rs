//! The meeting pages, for people signed in (facilitators, consultants, admins): the list of
//! meetings with a form for a new one, and each meeting's page — its suggestions with their
//! reasons in the page's language, the gaps and whom to invite, a button for each move of each
//! linkage, and links to the printable briefing.
//!
//! Every flow is a use case of [`planning`], called with the signed-in person's [`Caller`], so the
//! district rules are the API's. Every POST carries the session's CSRF token and answers with a
//! redirect (303) when it worked, so reloading the page sends nothing twice; a refused form comes
//! back with what was typed and the reason.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::meeting_texts::{MeetingTexts, kind_word, status_word, texts};
use super::texts::Lang;
use super::{PageQuery, csrf, language, render};
use crate::app;
use crate::app::planning::{self, DEFAULT_PER_NEED, Round};
use crate::domain::FieldErrors;
use crate::domain::access::Caller;
use crate::domain::meeting::{LinkageMoveInput, LinkageStatus, Meeting, MeetingInput};
use crate::domain::money::rupees;
use crate::domain::offering::{LinkageKind, OutcomeUnit};
use crate::http::AppState;
use crate::http::extract::PathParam;
use crate::http::extract::QueryParams;
use crate::http::session::{self, Session};
use crate::store::registry::{StakeholderFilter, StatusFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(list_page).post(create))
        .route("/meetings/{id}", get(meeting_page).post(edit))
        .route("/meetings/{id}/linkages/{linkage}", post(move_linkage))
}

pub(super) fn base(lang: Lang, path: &str) -> Value {
    context! {
        lang => lang.code(),
        switch_lang => lang.other().code(),
        switch_href => format!("{path}?lang={}", lang.other().code()),
        t => Value::from(Serde(texts(lang))),
    }
}

fn message(lang: Lang, text: &str, status: StatusCode) -> Response {
    render(
        "message.html",
        context! { message => text, ..base(lang, "/meetings") },
        status,
    )
}

/// The signed-in person, or the response to send instead (the sign-in page for nobody).
pub(super) async fn signed_in(
    app: &AppState,
    headers: &HeaderMap,
    lang: Lang,
) -> Result<Session, Response> {
    match session::resolve(app, headers).await {
        Ok(Some(live)) => Ok(live),
        Ok(None) => {
            Err(Redirect::to(&format!("/account/sign-in?lang={}", lang.code())).into_response())
        }
        Err(error) => Err(error.into_response()),
    }
}

/// A use case's refusal as a page in the reader's language.
pub(super) fn refusal(lang: Lang, error: app::Error) -> Response {
    let t = texts(lang);
    match error {
        app::Error::NotFound(_) => message(lang, t.not_found, StatusCode::NOT_FOUND),
        app::Error::Forbidden(_) => message(lang, t.not_your_district, StatusCode::FORBIDDEN),
        app::Error::Invalid(errors) => {
            let reasons: Vec<String> = errors
                .fields()
                .iter()
                .map(|(field, why)| format!("{field}: {why}"))
                .collect();
            message(
                lang,
                &format!("{} {}", t.refused, reasons.join("; ")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        // Someone moved the linkage meanwhile: say so, in words; the page shows it as it is now.
        app::Error::Store(crate::store::StoreError::Conflict(why)) => {
            message(lang, &format!("{} {why}", t.refused), StatusCode::CONFLICT)
        }
        // Everything else (faults, a busy store) as the API says it.
        other => crate::http::error::AppError::from(other).into_response(),
    }
}

fn expired(lang: Lang) -> Response {
    message(lang, texts(lang).form_expired, StatusCode::FORBIDDEN)
}

/// The meeting form as typed: every field a string, so nothing is lost on a refusal.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct MeetingForm {
    title: String,
    district: String,
    date: String,
    /// Ticked invitees (a repeated field).
    #[serde(skip_serializing)]
    invitee: Vec<String>,
    csrf_token: String,
}

impl MeetingForm {
    fn input(&self) -> MeetingInput {
        let given = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
        MeetingInput {
            title: given(&self.title),
            district: given(&self.district),
            date: given(&self.date),
            invitees: Some(self.invitee.clone()),
        }
    }

    fn read(body: &Bytes) -> MeetingForm {
        // `invitee` repeats; serde_urlencoded cannot gather repeats into a list, so collect them.
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut form = MeetingForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "title" => form.title = value,
                "district" => form.district = value,
                "date" => form.date = value,
                "invitee" => form.invitee.push(value),
                "csrf_token" => form.csrf_token = value,
                _ => {}
            }
        }
        form
    }
}

#[derive(Serialize)]
struct MeetingRow {
    id: String,
    title: String,
    district: String,
    date: String,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

/// The districts a caller may hold meetings in, as choices.
async fn district_choices(app: &AppState, caller: &Caller, lang: Lang) -> Vec<Choice> {
    let districts = app
        .store
        .list_districts(None, None)
        .await
        .unwrap_or_default();
    districts
        .into_iter()
        .filter(|d| caller.may_act_in(&d.code))
        .map(|d| Choice {
            label: match (lang, &d.name_local) {
                (Lang::Hindi, Some(local)) => format!("{local} ({})", d.state),
                _ => format!("{} ({})", d.name, d.state),
            },
            value: d.code,
        })
        .collect()
}

async fn list_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
    QueryParams(list): QueryParams<ListQuery>,
) -> Response {
    let lang = language(&query, &headers);
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let form = MeetingForm::default();
    let listing = Listing {
        district: list.district.trim().to_string(),
        offset: list.offset.trim().parse().unwrap_or(0),
    };
    list_with_form(
        &app,
        &live,
        lang,
        &form,
        &FieldErrors::new(),
        StatusCode::OK,
        &listing,
    )
    .await
}

/// Meetings one list page shows.
const LIST_PAGE: i64 = 20;

/// The list's own filter and page: `?district=&offset=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    district: String,
    /// As typed in the address: a number that is not one shows the first page.
    offset: String,
}

/// Which part of the list a page shows.
#[derive(Debug, Default)]
struct Listing {
    district: String,
    offset: i64,
}

impl Listing {
    fn href(&self, lang: Lang, offset: i64) -> String {
        let mut pairs = vec![("lang", lang.code().to_string())];
        if !self.district.is_empty() {
            pairs.push(("district", self.district.clone()));
        }
        if offset > 0 {
            pairs.push(("offset", offset.to_string()));
        }
        format!(
            "/meetings?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

async fn list_with_form(
    app: &AppState,
    live: &Session,
    lang: Lang,
    form: &MeetingForm,
    errors: &FieldErrors,
    status: StatusCode,
    listing: &Listing,
) -> Response {
    let district = Some(listing.district.as_str()).filter(|d| !d.is_empty());
    let offset = listing.offset.max(0);
    let (meetings, total) =
        match planning::meetings_of(&app.store, &live.caller, district, LIST_PAGE, offset).await {
            Ok(found) => found,
            Err(error) => return crate::http::error::AppError::from(error).into_response(),
        };
    let districts = district_choices(app, &live.caller, lang).await;
    let district_name = |code: &str| {
        districts
            .iter()
            .find(|choice| choice.value == code)
            .map_or(code.to_string(), |choice| choice.label.clone())
    };
    let rows: Vec<MeetingRow> = meetings
        .into_iter()
        .map(|m| MeetingRow {
            id: m.id,
            title: m.data.title,
            district: district_name(&m.data.district),
            date: m.data.date,
        })
        .collect();
    let previous_href = (offset > 0).then(|| listing.href(lang, (offset - LIST_PAGE).max(0)));
    let next_href = (offset + LIST_PAGE < total).then(|| listing.href(lang, offset + LIST_PAGE));
    render(
        "meetings.html",
        context! {
            total => total,
            page => offset / LIST_PAGE + 1,
            previous_href => previous_href,
            next_href => next_href,
            chosen_district => &listing.district,
            meetings => Value::from(Serde(rows)),
            districts => Value::from(Serde(districts)),
            form => Value::from(Serde(form)),
            errors => Value::from(Serde(errors.fields())),
            csrf_token => &live.csrf_token,
            ..base(lang, "/meetings")
        },
        status,
    )
}

async fn create(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let form = MeetingForm::read(&body);
    if !csrf::matches(&live.csrf_token, &form.csrf_token) {
        return expired(lang);
    }
    match planning::create_meeting(&app.store, &live.caller, form.input()).await {
        Ok(meeting) => {
            Redirect::to(&format!("/meetings/{}?lang={}", meeting.id, lang.code())).into_response()
        }
        Err(app::Error::Invalid(errors)) => {
            list_with_form(
                &app,
                &live,
                lang,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
                &Listing::default(),
            )
            .await
        }
        Err(error) => refusal(lang, error),
    }
}

#[derive(Serialize)]
struct Move {
    to: &'static str,
    label: &'static str,
    /// Completing asks for the outcome, labelled for the linkage's kind.
    outcome_label: Option<&'static str>,
}

#[derive(Serialize)]
struct LinkageCard {
    id: String,
    need: String,
    entrepreneur: String,
    offering: String,
    provider: String,
    kind: &'static str,
    score: String,
    status: &'static str,
    reasons: Vec<String>,
    outcome: Option<String>,
    moves: Vec<Move>,
    error: Option<String>,
}

#[derive(Serialize)]
struct GapCard {
    need: String,
    entrepreneur: String,
    kind: &'static str,
    why: String,
}

#[derive(Serialize)]
struct InviteCard {
    id: String,
    name: String,
    why: String,
}

#[derive(Serialize)]
struct InviteeChoice {
    id: String,
    name: String,
    checked: bool,
}

fn with_local(name: &str, local: Option<&str>) -> String {
    match local {
        Some(local) if local != name => format!("{name} ({local})"),
        _ => name.to_string(),
    }
}

/// A completed linkage's outcome, in its unit.
pub(super) fn outcome_text(kind: LinkageKind, value: i64, t: &MeetingTexts) -> String {
    match kind.outcome_unit() {
        OutcomeUnit::Rupees => rupees(value),
        OutcomeUnit::People => format!("{value} {}", t.trainees),
    }
}

fn cards(round: &Round, lang: Lang, failed: Option<(&str, &str)>) -> Vec<LinkageCard> {
    let t = texts(lang);
    round
        .linkages
        .iter()
        .map(|view| {
            let l = &view.linkage;
            let reasons = if lang == Lang::Hindi && !l.reasons_hi.is_empty() {
                l.reasons_hi.clone()
            } else {
                l.reasons.clone()
            };
            let moves = l
                .status
                .next()
                .iter()
                .map(|to| Move {
                    to: to.as_str(),
                    label: t.move_label(*to),
                    outcome_label: (*to == LinkageStatus::Completed)
                        .then(|| t.outcome_label(l.kind)),
                })
                .collect();
            let mut need = view.need_title.clone();
            if let Some(amount) = view.need_amount_inr {
                need.push_str(&format!(" — {}", rupees(amount)));
            }
            LinkageCard {
                id: l.id.clone(),
                need,
                entrepreneur: with_local(&view.owner_name, view.owner_name_local.as_deref()),
                offering: view.offering_title.clone(),
                provider: view.provider_name.clone(),
                kind: kind_word(lang, l.kind),
                score: format!("{:.2}", l.score),
                status: status_word(lang, l.status),
                reasons,
                outcome: l.outcome_value.map(|v| outcome_text(l.kind, v, t)),
                moves,
                error: failed
                    .filter(|(id, _)| *id == l.id)
                    .map(|(_, why)| why.to_string()),
            }
        })
        .collect()
}

async fn meeting_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
) -> Response {
    let lang = language(&query, &headers);
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    show_meeting(&app, &live, lang, &id, None, None, StatusCode::OK).await
}

/// The meeting's page; `failed` puts a refused move's reason beside its linkage, `form` a
/// refused edit back in the edit form.
async fn show_meeting(
    app: &AppState,
    live: &Session,
    lang: Lang,
    id: &str,
    failed: Option<(&str, &str)>,
    form: Option<(&MeetingForm, &FieldErrors)>,
    status: StatusCode,
) -> Response {
    let round = match planning::prepare(&app.store, &live.caller, id, DEFAULT_PER_NEED).await {
        Ok(round) => round,
        Err(error) => return refusal(lang, error),
    };
    let hindi = lang == Lang::Hindi;
    let gaps: Vec<GapCard> = round
        .plan
        .gaps
        .iter()
        .filter_map(|gap| {
            let need = round.need(&gap.need_id)?;
            Some(GapCard {
                need: need.open.need.data.title.clone(),
                entrepreneur: with_local(&need.owner_name, need.owner_name_local.as_deref()),
                kind: kind_word(lang, gap.kind),
                why: if hindi { &gap.why_hi } else { &gap.why }.clone(),
            })
        })
        .collect();
    let invite: Vec<InviteCard> = round
        .plan
        .invite
        .iter()
        .map(|i| InviteCard {
            id: i.stakeholder_id.clone(),
            name: i.name.clone(),
            why: if hindi { &i.reason_hi } else { &i.reason }.clone(),
        })
        .collect();
    let invitees = invitee_choices(app, &round.meeting, &invite).await;
    let (edit_form, errors) = match form {
        Some((form, errors)) => (
            MeetingForm {
                title: form.title.clone(),
                district: form.district.clone(),
                date: form.date.clone(),
                invitee: form.invitee.clone(),
                csrf_token: String::new(),
            },
            errors.fields().clone(),
        ),
        None => (
            MeetingForm {
                title: round.meeting.data.title.clone(),
                district: round.meeting.data.district.clone(),
                date: round.meeting.data.date.clone(),
                invitee: round.meeting.data.invitees.clone(),
                csrf_token: String::new(),
            },
            BTreeMap::new(),
        ),
    };
    let district = &round.district;
    let district_name = match (lang, &district.name_local) {
        (Lang::Hindi, Some(local)) => local.clone(),
        _ => district.name.clone(),
    };
    let path = format!("/meetings/{}", round.meeting.id);
    render(
        "meeting.html",
        context! {
            meeting => context! {
                id => &round.meeting.id,
                title => &round.meeting.data.title,
                date => &round.meeting.data.date,
                district => district_name,
            },
            linkages => Value::from(Serde(cards(&round, lang, failed))),
            gaps => Value::from(Serde(gaps)),
            invite => Value::from(Serde(invite)),
            invitees => Value::from(Serde(invitees)),
            form => Value::from(Serde(edit_form)),
            errors => Value::from(Serde(errors)),
            csrf_token => &live.csrf_token,
            ..base(lang, &path)
        },
        status,
    )
}

/// Whom the edit form offers to invite: those invited, those the plan says to invite, and the
/// other stakeholders based in the district (up to a page of them).
async fn invitee_choices(
    app: &AppState,
    meeting: &Meeting,
    invite: &[InviteCard],
) -> Vec<InviteeChoice> {
    let invited: std::collections::BTreeSet<&str> =
        meeting.data.invitees.iter().map(String::as_str).collect();
    let mut choices: Vec<InviteeChoice> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let filter = StakeholderFilter {
        district: Some(meeting.data.district.clone()),
        kind: None,
        q: None,
        statuses: StatusFilter::public(),
        pending_only_in: None,
        limit: 100,
        offset: 0,
    };
    let local = app
        .store
        .list_stakeholders(&filter)
        .await
        .unwrap_or_default();
    let known: BTreeMap<&str, String> = local
        .iter()
        .map(|s| {
            (
                s.id.as_str(),
                with_local(&s.data.name, s.data.name_local.as_deref()),
            )
        })
        .collect();
    for id in &meeting.data.invitees {
        if seen.insert(id.clone()) {
            choices.push(InviteeChoice {
                name: known
                    .get(id.as_str())
                    .cloned()
                    .unwrap_or_else(|| id.clone()),
                id: id.clone(),
                checked: true,
            });
        }
    }
    for card in invite {
        if seen.insert(card.id.clone()) {
            choices.push(InviteeChoice {
                id: card.id.clone(),
                name: card.name.clone(),
                checked: invited.contains(card.id.as_str()),
            });
        }
    }
    for stakeholder in &local {
        if seen.insert(stakeholder.id.clone()) {
            choices.push(InviteeChoice {
                id: stakeholder.id.clone(),
                name: known[stakeholder.id.as_str()].clone(),
                checked: false,
            });
        }
    }
    choices
}

async fn edit(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let form = MeetingForm::read(&body);
    if !csrf::matches(&live.csrf_token, &form.csrf_token) {
        return expired(lang);
    }
    let current = match planning::meeting_for(&app.store, &live.caller, &id).await {
        Ok(meeting) => meeting,
        Err(error) => return refusal(lang, error),
    };
    let mut input = form.input();
    // The page edits title, date and invitees; the district stays.
    input.district = Some(current.data.district.clone());
    match planning::edit_meeting(&app.store, &live.caller, &current, input).await {
        Ok(meeting) => {
            Redirect::to(&format!("/meetings/{}?lang={}", meeting.id, lang.code())).into_response()
        }
        Err(app::Error::Invalid(errors)) => {
            show_meeting(
                &app,
                &live,
                lang,
                &id,
                None,
                Some((&form, &errors)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => refusal(lang, error),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MoveForm {
    status: String,
    outcome_value: String,
    note: String,
    csrf_token: String,
}

/// "45,000", "₹45000" or "45000" as a number; `Err` with the reason for anything else.
fn parse_outcome(text: &str) -> Result<Option<i64>, &'static str> {
    let digits: String = text
        .trim()
        .trim_start_matches('₹')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    digits
        .parse::<i64>()
        .map(Some)
        .map_err(|_| "a whole number, 0 or more")
}

async fn move_linkage(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam((id, linkage)): PathParam<(String, String)>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let t = texts(lang);
    let live = match signed_in(&app, &headers, lang).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let form: MoveForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if !csrf::matches(&live.csrf_token, &form.csrf_token) {
        return expired(lang);
    }
    // The linkage must be this meeting's, and the meeting one of the caller's districts.
    match app.store.get_linkage(&linkage).await {
        Ok(Some(found)) if found.meeting_id == id => {}
        Ok(_) => return message(lang, t.not_found, StatusCode::NOT_FOUND),
        Err(error) => return crate::http::error::AppError::from(error).into_response(),
    }
    if let Err(error) = planning::meeting_for(&app.store, &live.caller, &id).await {
        return refusal(lang, error);
    }
    let outcome_value = match parse_outcome(&form.outcome_value) {
        Ok(value) => value,
        Err(why) => {
            let reason = format!("{}: {why}", t.outcome);
            return show_meeting(
                &app,
                &live,
                lang,
                &id,
                Some((&linkage, &reason)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if form.status.trim() == LinkageStatus::Completed.as_str() && outcome_value.is_none() {
        let reason = format!("{}: {}", t.outcome, t.outcome_required);
        return show_meeting(
            &app,
            &live,
            lang,
            &id,
            Some((&linkage, &reason)),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let input = LinkageMoveInput {
        status: Some(form.status),
        note: Some(form.note).filter(|n| !n.trim().is_empty()),
        outcome_value,
    };
    match planning::move_linkage(&app.store, &live.caller, &linkage, input).await {
        Ok(_) => Redirect::to(&format!("/meetings/{id}?lang={}#lk-{linkage}", lang.code()))
            .into_response(),
        Err(app::Error::Invalid(errors)) => {
            let reason: Vec<String> = errors
                .fields()
                .iter()
                .map(|(field, why)| format!("{field}: {why}"))
                .collect();
            show_meeting(
                &app,
                &live,
                lang,
                &id,
                Some((&linkage, &reason.join("; "))),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => refusal(lang, error),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_outcome;

    #[test]
    fn outcomes_are_read_as_people_type_them() {
        assert_eq!(parse_outcome("45,000"), Ok(Some(45_000)));
        assert_eq!(parse_outcome(" ₹1,50,000 "), Ok(Some(150_000)));
        assert_eq!(parse_outcome(""), Ok(None));
        assert!(parse_outcome("पैंतालीस").is_err());
        assert!(parse_outcome("4.5").is_err());
    }
}

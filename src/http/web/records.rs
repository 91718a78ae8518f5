//! Signed-in pages that change an offering or a need: the edit form and archiving. Both go
//! through [`registry::edit_offering`] / [`registry::edit_need`] — the API's own use cases — so
//! roles, districts, validation, the version check and the audit entry are the API's. A refused
//! form comes back with everything typed and the reason beside each field; an edit of a record
//! someone changed after the page was opened is refused and the page names who and when.
//! Archiving is a status move (facilitators and admins), sent with the version it was seen at.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Serialize;

use super::record_texts::{RecordTexts, record_texts};
use super::registry_texts::texts;
use super::review::{base, message, refusal, signed_in};
use super::texts::Lang;
use super::{PageQuery, csrf, language, render};
use crate::app::{self, registry};
use crate::domain::FieldErrors;
use crate::domain::geography::Sector;
use crate::domain::need::{Need, NeedInput};
use crate::domain::offering::{EligibilityInput, Offering, OfferingInput};
use crate::domain::record::{RecordMeta, Status};
use crate::http::AppState;
use crate::http::extract::{PathParam, QueryParams};
use crate::http::session::Session;
use crate::store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/offerings/{id}/edit",
            get(offering_page).post(offering_submit),
        )
        .route("/offerings/{id}/archive", post(offering_archive))
        .route("/needs/{id}/edit", get(need_page).post(need_submit))
        .route("/needs/{id}/archive", post(need_archive))
}

/// A form as typed: the fields by name, every value a string (a sector box ticked is one
/// `sectors` pair each), so nothing is lost on a refusal.
#[derive(Debug, Default, Clone)]
struct Typed {
    values: BTreeMap<String, String>,
    sectors: Vec<String>,
}

impl Typed {
    fn read(body: &[u8]) -> Typed {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let mut typed = Typed::default();
        for (name, value) in pairs {
            if name == "sectors" {
                typed.sectors.push(value);
            } else {
                typed.values.insert(name, value);
            }
        }
        typed
    }

    fn get(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// The field's text, trimmed; `None` when left empty.
    fn given(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_string()).filter(|text| !text.is_empty())
    }

    /// A whole number as people write it (`45,000`, `₹ 45000`); a word is a field error.
    fn number(&self, name: &str, key: &str, errors: &mut FieldErrors) -> Option<i64> {
        let digits: String = self
            .get(name)
            .chars()
            .filter(|c| !matches!(c, ',' | ' ' | '₹'))
            .collect();
        if digits.is_empty() {
            return None;
        }
        match digits.parse::<i64>() {
            Ok(number) => Some(number),
            Err(_) => {
                errors.add(key, "must be a whole number");
                None
            }
        }
    }

    fn set(&mut self, name: &str, value: impl ToString) {
        self.values.insert(name.to_string(), value.to_string());
    }
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn number(value: Option<i64>) -> String {
    value.map(|n| n.to_string()).unwrap_or_default()
}

fn offering_typed(offering: &Offering) -> Typed {
    let data = &offering.data;
    let rules = &data.eligibility;
    let mut typed = Typed {
        sectors: data.sectors.clone(),
        ..Typed::default()
    };
    typed.set("version", offering.meta.version);
    typed.set("kind", data.kind.as_str());
    typed.set("title", &data.title);
    typed.set("description", text(&data.description));
    typed.set("districts", data.districts.join(", "));
    typed.set("gender", rules.gender.map_or("", |g| g.as_str()));
    typed.set("min_age", number(rules.min_age));
    typed.set("max_age", number(rules.max_age));
    typed.set("min_amount_inr", number(rules.min_amount_inr));
    typed.set("max_amount_inr", number(rules.max_amount_inr));
    typed.set("valid_until", text(&data.valid_until));
    typed
}

/// The offering's submission with the form's fields put in; what the form does not show (terms,
/// stages, social categories, SHG membership) as stored.
fn offering_input(typed: &Typed, current: &Offering) -> app::Result<OfferingInput> {
    let mut errors = FieldErrors::new();
    let mut input = current.data.to_input();
    input.kind = typed.given("kind");
    input.title = typed.given("title");
    input.description = typed.given("description");
    input.sectors = Some(
        typed
            .sectors
            .iter()
            .map(|code| code.trim().to_string())
            .filter(|code| !code.is_empty())
            .collect(),
    );
    // Empty: the provider's districts, as the API reads an absent list.
    let districts: Vec<String> = typed
        .get("districts")
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(str::to_string)
        .collect();
    input.districts = (!districts.is_empty()).then_some(districts);
    let mut rules = input.eligibility.take().unwrap_or_default();
    rules = EligibilityInput {
        gender: typed.given("gender"),
        min_age: typed.number("min_age", "eligibility.min_age", &mut errors),
        max_age: typed.number("max_age", "eligibility.max_age", &mut errors),
        min_amount_inr: typed.number("min_amount_inr", "eligibility.min_amount_inr", &mut errors),
        max_amount_inr: typed.number("max_amount_inr", "eligibility.max_amount_inr", &mut errors),
        ..rules
    };
    input.eligibility = Some(rules);
    input.valid_until = typed.given("valid_until");
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(app::Error::Invalid(errors))
    }
}

fn need_typed(need: &Need) -> Typed {
    let data = &need.data;
    let mut typed = Typed::default();
    typed.set("version", need.meta.version);
    typed.set("kind", data.kind.as_str());
    typed.set("title", &data.title);
    typed.set("description", text(&data.description));
    typed.set("sector", text(&data.sector));
    typed.set("amount_inr", number(data.amount_inr));
    typed.set("attendees", number(data.attendees));
    typed
}

fn need_input(typed: &Typed, current: &Need) -> app::Result<NeedInput> {
    let mut errors = FieldErrors::new();
    let mut input = current.data.to_input();
    input.kind = typed.given("kind");
    input.title = typed.given("title");
    input.description = typed.given("description");
    input.sector = typed.given("sector");
    input.amount_inr = typed.number("amount_inr", "amount_inr", &mut errors);
    input.attendees = typed.number("attendees", "attendees", &mut errors);
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(app::Error::Invalid(errors))
    }
}

/// One field of the form, as the template draws it.
#[derive(Serialize)]
struct Field {
    name: &'static str,
    label: &'static str,
    /// `text`, `number`, `date`, `textarea`, `select` or `checks`.
    input: &'static str,
    value: String,
    options: Vec<Choice>,
    required: bool,
    max: usize,
    hint: &'static str,
    /// The reason it was refused, in the page's language with the registry's own words.
    error: Option<String>,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    chosen: bool,
}

/// The form field a use case's error names: `sectors[2]` is the sector boxes,
/// `eligibility.min_age` the minimum age.
fn form_field(key: &str) -> &str {
    let key = key.split('[').next().unwrap_or(key);
    key.strip_prefix("eligibility.").unwrap_or(key)
}

struct Builder<'a> {
    typed: &'a Typed,
    errors: BTreeMap<String, String>,
    words: &'static RecordTexts,
    fields: Vec<Field>,
}

impl Builder<'_> {
    fn add(&mut self, name: &'static str, label: &'static str, input: &'static str) -> &mut Field {
        let error = self.errors.remove(name);
        self.fields.push(Field {
            name,
            label,
            input,
            value: self.typed.get(name).to_string(),
            options: Vec::new(),
            required: false,
            max: 200,
            hint: "",
            error: error.map(|why| format!("{} ({why})", self.words.invalid)),
        });
        self.fields.last_mut().expect("just added")
    }

    fn choices(&self, list: &[(&str, &str)], chosen: &str) -> Vec<Choice> {
        list.iter()
            .map(|&(value, label)| Choice {
                value: value.to_string(),
                label: label.to_string(),
                chosen: value == chosen,
            })
            .collect()
    }
}

fn sector_choices(sectors: &[Sector], lang: Lang, chosen: &[String]) -> Vec<Choice> {
    sectors
        .iter()
        .map(|sector| Choice {
            value: sector.code.clone(),
            label: match (&sector.name_local, lang) {
                (Some(local), Lang::Hindi) => format!("{local} ({})", sector.name),
                _ => sector.name.clone(),
            },
            chosen: chosen.contains(&sector.code),
        })
        .collect()
}

/// Which record a page is about.
#[derive(Clone, Copy, PartialEq)]
enum Record {
    Offering,
    Need,
}

impl Record {
    fn path(self, id: &str) -> String {
        match self {
            Record::Offering => format!("/offerings/{id}"),
            Record::Need => format!("/needs/{id}"),
        }
    }
}

fn fields(
    record: Record,
    typed: &Typed,
    errors: BTreeMap<String, String>,
    lang: Lang,
    sectors: &[Sector],
) -> (Vec<Field>, BTreeMap<String, String>) {
    let words = record_texts(lang);
    let kinds: Vec<(&str, &str)> = lang
        .texts()
        .need_kinds
        .iter()
        .copied()
        .filter(|(code, _)| !code.is_empty())
        .collect();
    let errors = errors
        .into_iter()
        .map(|(key, why)| (form_field(&key).to_string(), why))
        .collect();
    let mut b = Builder {
        typed,
        errors,
        words,
        fields: Vec::new(),
    };
    let kind_options = b.choices(&kinds, typed.get("kind"));
    let field = b.add("kind", words.kind, "select");
    field.options = kind_options;
    field.required = true;
    let field = b.add("title", words.title, "text");
    field.required = true;
    field.max = 300;
    let field = b.add("description", words.description, "textarea");
    field.max = 5000;
    match record {
        Record::Offering => {
            let field = b.add("sectors", words.sectors, "checks");
            field.options = sector_choices(sectors, lang, &typed.sectors);
            field.hint = words.sectors_hint;
            let field = b.add("districts", words.districts, "text");
            field.hint = words.districts_hint;
            field.max = 2000;
            let gender_options = b.choices(lang.texts().genders, "");
            let chosen = typed.get("gender").to_string();
            let field = b.add("gender", words.gender, "select");
            field.options = gender_options
                .into_iter()
                .map(|choice| Choice {
                    chosen: choice.value == chosen,
                    label: if choice.value.is_empty() {
                        words.anyone.to_string()
                    } else {
                        choice.label
                    },
                    ..choice
                })
                .collect();
            b.add("min_age", words.min_age, "number").max = 3;
            b.add("max_age", words.max_age, "number").max = 3;
            b.add("min_amount_inr", words.min_amount, "number").max = 15;
            b.add("max_amount_inr", words.max_amount, "number").max = 15;
            b.add("valid_until", words.valid_until, "date").max = 10;
        }
        Record::Need => {
            let mut options = vec![Choice {
                value: String::new(),
                label: words.any_sector.to_string(),
                chosen: typed.get("sector").is_empty(),
            }];
            let chosen = [typed.get("sector").to_string()];
            options.extend(sector_choices(sectors, lang, &chosen));
            let field = b.add("sector", words.sector, "select");
            field.options = options;
            b.add("amount_inr", words.amount, "number").max = 15;
            b.add("attendees", words.attendees, "number").max = 5;
        }
    }
    // What no field shows (a term the form does not hold) is said at the top.
    (b.fields, b.errors)
}

struct Shown<'a> {
    record: Record,
    id: &'a str,
    stakeholder_id: &'a str,
    status: Status,
    typed: &'a Typed,
    errors: BTreeMap<String, String>,
    stale: Option<String>,
    saved: bool,
}

async fn form_page(
    app: &AppState,
    lang: Lang,
    live: &Session,
    shown: Shown<'_>,
    status: StatusCode,
) -> Response {
    let sectors = match app.store.list_sectors().await {
        Ok(sectors) => sectors,
        Err(error) => return refusal(lang, "/", app::Error::Store(error)),
    };
    let path = shown.record.path(shown.id);
    let words = record_texts(lang);
    let (fields, other_errors) = fields(shown.record, shown.typed, shown.errors, lang, &sectors);
    let refused = fields.iter().any(|f| f.error.is_some()) || !other_errors.is_empty();
    let context = context! {
        id => shown.id,
        path => path.clone(),
        stakeholder_id => shown.stakeholder_id,
        heading => match shown.record {
            Record::Offering => words.edit_offering,
            Record::Need => words.edit_need,
        },
        version => shown.typed.get("version"),
        record_status => status_label(words, shown.status),
        archived => shown.status == Status::Archived,
        fields => Value::from(Serde(fields)),
        other_errors => other_errors,
        refused => refused,
        stale => shown.stale,
        saved => shown.saved,
        may_archive => live.caller.role.may_moderate() && shown.status != Status::Archived,
        csrf_token => live.csrf_token.clone(),
        r => Value::from(Serde(words)),
        ..base(lang, &format!("{path}/edit"))
    };
    render("record_edit.html", context, status)
}

pub(super) fn status_label(words: &RecordTexts, status: Status) -> &'static str {
    match status {
        Status::Active => words.active,
        Status::Pending => words.pending,
        Status::Archived => words.archived,
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct EditQuery {
    lang: Option<String>,
    saved: bool,
}

/// The signed-in person and the page's language, or the page to answer with instead.
async fn who(
    app: &AppState,
    headers: &HeaderMap,
    lang: Option<String>,
) -> Result<(Session, Lang), Response> {
    let lang = language(
        &PageQuery {
            lang,
            reference: None,
        },
        headers,
    );
    signed_in(app, headers, lang).await.map(|live| (live, lang))
}

/// An offering the caller may change, with its owner checked as the use case checks it.
async fn writable_offering(app: &AppState, live: &Session, id: &str) -> app::Result<Offering> {
    let offering = registry::show_offering(&app.store, Some(&live.caller), id).await?;
    registry::writable_owner(&app.store, &live.caller, &offering.stakeholder_id).await?;
    Ok(offering)
}

async fn writable_need(app: &AppState, live: &Session, id: &str) -> app::Result<Need> {
    let need = registry::show_need(&app.store, Some(&live.caller), id).await?;
    registry::writable_owner(&app.store, &live.caller, &need.stakeholder_id).await?;
    Ok(need)
}

fn shown<'a>(
    record: Record,
    id: &'a str,
    stakeholder_id: &'a str,
    meta: &RecordMeta,
    typed: &'a Typed,
) -> Shown<'a> {
    Shown {
        record,
        id,
        stakeholder_id,
        status: meta.status,
        typed,
        errors: BTreeMap::new(),
        stale: None,
        saved: false,
    }
}

async fn offering_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<EditQuery>,
) -> Response {
    let (live, lang) = match who(&app, &headers, query.lang).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match writable_offering(&app, &live, &id).await {
        Ok(offering) => {
            let typed = offering_typed(&offering);
            let mut page = shown(
                Record::Offering,
                &id,
                &offering.stakeholder_id,
                &offering.meta,
                &typed,
            );
            page.saved = query.saved;
            form_page(&app, lang, &live, page, StatusCode::OK).await
        }
        Err(error) => refusal(lang, &format!("/offerings/{id}/edit"), error),
    }
}

async fn need_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<EditQuery>,
) -> Response {
    let (live, lang) = match who(&app, &headers, query.lang).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match writable_need(&app, &live, &id).await {
        Ok(need) => {
            let typed = need_typed(&need);
            let mut page = shown(Record::Need, &id, &need.stakeholder_id, &need.meta, &typed);
            page.saved = query.saved;
            form_page(&app, lang, &live, page, StatusCode::OK).await
        }
        Err(error) => refusal(lang, &format!("/needs/{id}/edit"), error),
    }
}

/// Who changed a record and when, as the page says it.
fn changed_by(changed_by: Option<String>, changed_at: &str) -> String {
    format!("{} · {changed_at}", changed_by.unwrap_or_default())
}

async fn offering_submit(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let (live, lang) = match who(&app, &headers, query.lang).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let path = format!("/offerings/{id}/edit");
    let typed = Typed::read(&body);
    if !csrf::matches(&live.csrf_token, typed.get("csrf_token")) {
        return message(lang, &path, texts(lang).form_expired, StatusCode::FORBIDDEN);
    }
    let edit = registry::RecordEdit {
        based_on: typed.get("version").trim().parse::<i64>().ok(),
        content: Some(|current: &Offering| offering_input(&typed, current)),
        status: None,
    };
    let result = registry::edit_offering(&app.store, &live.caller, &id, edit).await;
    let current = match result {
        Ok(_) => {
            return Redirect::to(&format!("{path}?lang={}&saved=true", lang.code()))
                .into_response();
        }
        Err(app::Error::Invalid(errors)) => {
            return match writable_offering(&app, &live, &id).await {
                Ok(offering) => {
                    let mut page = shown(
                        Record::Offering,
                        &id,
                        &offering.stakeholder_id,
                        &offering.meta,
                        &typed,
                    );
                    page.errors = errors.fields().clone();
                    form_page(&app, lang, &live, page, StatusCode::UNPROCESSABLE_ENTITY).await
                }
                Err(error) => refusal(lang, &path, error),
            };
        }
        Err(app::Error::Store(StoreError::Stale {
            changed_by: who,
            changed_at,
            ..
        })) => (who, changed_at),
        Err(error) => return refusal(lang, &path, error),
    };
    // The record as it is now, with who changed it: nothing of the stale edit is written.
    match writable_offering(&app, &live, &id).await {
        Ok(offering) => {
            let now = offering_typed(&offering);
            let mut page = shown(
                Record::Offering,
                &id,
                &offering.stakeholder_id,
                &offering.meta,
                &now,
            );
            page.stale = Some(changed_by(current.0, &current.1));
            form_page(&app, lang, &live, page, StatusCode::CONFLICT).await
        }
        Err(error) => refusal(lang, &path, error),
    }
}

async fn need_submit(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let (live, lang) = match who(&app, &headers, query.lang).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let path = format!("/needs/{id}/edit");
    let typed = Typed::read(&body);
    if !csrf::matches(&live.csrf_token, typed.get("csrf_token")) {
        return message(lang, &path, texts(lang).form_expired, StatusCode::FORBIDDEN);
    }
    let edit = registry::RecordEdit {
        based_on: typed.get("version").trim().parse::<i64>().ok(),
        content: Some(|current: &Need| need_input(&typed, current)),
        status: None,
    };
    let result = registry::edit_need(&app.store, &live.caller, &id, edit).await;
    let current = match result {
        Ok(_) => {
            return Redirect::to(&format!("{path}?lang={}&saved=true", lang.code()))
                .into_response();
        }
        Err(app::Error::Invalid(errors)) => {
            return match writable_need(&app, &live, &id).await {
                Ok(need) => {
                    let mut page =
                        shown(Record::Need, &id, &need.stakeholder_id, &need.meta, &typed);
                    page.errors = errors.fields().clone();
                    form_page(&app, lang, &live, page, StatusCode::UNPROCESSABLE_ENTITY).await
                }
                Err(error) => refusal(lang, &path, error),
            };
        }
        Err(app::Error::Store(StoreError::Stale {
            changed_by: who,
            changed_at,
            ..
        })) => (who, changed_at),
        Err(error) => return refusal(lang, &path, error),
    };
    match writable_need(&app, &live, &id).await {
        Ok(need) => {
            let now = need_typed(&need);
            let mut page = shown(Record::Need, &id, &need.stakeholder_id, &need.meta, &now);
            page.stale = Some(changed_by(current.0, &current.1));
            form_page(&app, lang, &live, page, StatusCode::CONFLICT).await
        }
        Err(error) => refusal(lang, &path, error),
    }
}

/// Archives through the edit use case (a status move: facilitators and admins, audited, at the
/// version the page showed). Sent twice, the second finds it archived already and is answered
/// as the first; archived by someone else meanwhile, the same. Then back to the stakeholder.
async fn offering_archive(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let (live, lang) = match who(&app, &headers, query.lang).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let path = format!("/offerings/{id}/edit");
    let typed = Typed::read(&body);
    if !csrf::matches(&live.csrf_token, typed.get("csrf_token")) {
        return message(lang, &path, texts(lang).form_expired, StatusCode::FORBIDDEN);
    }
    let edit = registry::RecordEdit {
        based_on: typed.get("version").trim().parse::<i64>().ok(),
        content: None::<fn(&Offering) -> app::Result<OfferingInput>>,
        status: Some(Status::Archived),
    };
    let result = registry::edit_offering(&app.store, &live.caller, &id, edit).await;
    let now = writable_offering(&app, &live, &id).await;
    archived_or_not(
        &app,
        lang,
        &live,
        result.map(|_| ()),
        now.map(|o| {
            let typed = offering_typed(&o);
            (o.stakeholder_id, o.meta, typed)
        }),
        Record::Offering,
        &id,
    )
    .await
}

async fn need_archive(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let (live, lang) = match who(&app, &headers, query.lang).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let path = format!("/needs/{id}/edit");
    let typed = Typed::read(&body);
    if !csrf::matches(&live.csrf_token, typed.get("csrf_token")) {
        return message(lang, &path, texts(lang).form_expired, StatusCode::FORBIDDEN);
    }
    let edit = registry::RecordEdit {
        based_on: typed.get("version").trim().parse::<i64>().ok(),
        content: None::<fn(&Need) -> app::Result<NeedInput>>,
        status: Some(Status::Archived),
    };
    let result = registry::edit_need(&app.store, &live.caller, &id, edit).await;
    let now = writable_need(&app, &live, &id).await;
    archived_or_not(
        &app,
        lang,
        &live,
        result.map(|_| ()),
        now.map(|n| {
            let typed = need_typed(&n);
            (n.stakeholder_id, n.meta, typed)
        }),
        Record::Need,
        &id,
    )
    .await
}

/// The answer to an archive: back to the stakeholder when the record is archived now (by this
/// post or an earlier one); a stale version of a record still open shows it as it is, naming who
/// changed it; any other refusal is said.
async fn archived_or_not(
    app: &AppState,
    lang: Lang,
    live: &Session,
    result: app::Result<()>,
    now: app::Result<(String, RecordMeta, Typed)>,
    record: Record,
    id: &str,
) -> Response {
    let path = format!("{}/edit", record.path(id));
    let (stakeholder_id, meta, typed) = match now {
        Ok(now) => now,
        Err(error) => return refusal(lang, &path, result.err().unwrap_or(error)),
    };
    if meta.status == Status::Archived {
        return Redirect::to(&format!(
            "/stakeholders/{stakeholder_id}?lang={}",
            lang.code()
        ))
        .into_response();
    }
    match result {
        Err(app::Error::Store(StoreError::Stale {
            changed_by: who,
            changed_at,
            ..
        })) => {
            let mut page = shown(record, id, &stakeholder_id, &meta, &typed);
            page.stale = Some(changed_by(who, &changed_at));
            form_page(app, lang, live, page, StatusCode::CONFLICT).await
        }
        Err(error) => refusal(lang, &path, error),
        // Not archived and not refused: someone restored it at once; show it as it is.
        Ok(()) => {
            form_page(
                app,
                lang,
                live,
                shown(record, id, &stakeholder_id, &meta, &typed),
                StatusCode::OK,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_use_case_error_lands_beside_its_field() {
        assert_eq!(form_field("sectors[2]"), "sectors");
        assert_eq!(form_field("eligibility.min_age"), "min_age");
        assert_eq!(form_field("valid_until"), "valid_until");
        assert_eq!(form_field("terms.starts_on"), "terms.starts_on");
    }

    #[test]
    fn amounts_are_read_as_people_write_them_and_words_are_refused() {
        let typed = Typed::read("amount_inr=%E2%82%B9+45%2C000&attendees=das".as_bytes());
        let mut errors = FieldErrors::new();
        assert_eq!(
            typed.number("amount_inr", "amount_inr", &mut errors),
            Some(45_000)
        );
        assert_eq!(typed.number("attendees", "attendees", &mut errors), None);
        assert!(errors.fields().contains_key("attendees"));
    }

    #[test]
    fn ticked_sector_boxes_are_all_kept() {
        let typed = Typed::read(b"sectors=tailoring&title=x&sectors=dairy");
        assert_eq!(typed.sectors, ["tailoring", "dairy"]);
        assert_eq!(typed.get("title"), "x");
    }
}

//! Web pages for people without an app: the public registration form at `/register`, Hindi
//! first (English at `?lang=en`), made for a cheap phone on a slow network — no script, no
//! images, one request. It stores through the same path as `POST /api/v1/registrations`
//! ([`registrations::store_registration`]), so a record registered here is `pending` until a
//! facilitator approves it. A refused form comes back with everything typed still in it and the
//! reason beside each field; a stored one redirects (303) to a thank-you page, so reloading it
//! does not register twice.

mod account;
mod account_texts;
pub(super) mod csrf;
mod dashboard;
mod edit;
mod meeting_texts;
mod meetings;
mod pages;
mod record_texts;
mod records;
mod registry_texts;
mod review;
pub mod sent_forms;
mod texts;
mod token_texts;
mod tokens;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{ACCEPT_LANGUAGE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::AppError;
use super::extract::QueryParams;
use super::registrations::{self, PublicWriteBudget, Registration};
use crate::domain::consent::{self, ConsentInput, NoticeLanguage};
use crate::domain::need::NeedInput;
use crate::domain::stakeholder::{ContactInput, ProfileInput, StakeholderInput};
use texts::{Lang, Texts};

pub fn router(budget: &PublicWriteBudget) -> Router<AppState> {
    // Only sending the form is limited: many phones share one address behind a carrier's NAT,
    // and looking at the form costs nothing. The form and the API spend from one budget.
    let submit_form = budget.apply(
        Router::new().route("/register", post(submit)),
        too_many_page,
    );
    Router::new()
        .route("/register", get(form))
        .merge(submit_form)
        .route("/register/thanks", get(thanks))
        .merge(account::router())
        .merge(meetings::router())
        .merge(dashboard::router())
        .merge(review::router())
        .merge(pages::router())
        .merge(edit::router())
        .merge(records::router())
        .merge(tokens::router())
}

/// What a phone that sent too many registrations at once sees: a page in Hindi with the same
/// words in English below (the limit knows nothing of the page's language).
fn too_many_page() -> Response {
    let context = context! {
        other => Value::from(Serde(Lang::English.texts())),
        ..page_context(Lang::Hindi, "/register")
    };
    render("too_many.html", context, StatusCode::TOO_MANY_REQUESTS)
}

/// The layout every page extends (its inline style is allowed by hash; see `security`).
pub(super) const LAYOUT_TEMPLATE: &str = include_str!("web/templates/layout.html");

/// The pages' templates, checked when first used (a test renders each one).
static TEMPLATES: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(|| {
    let mut environment = Environment::new();
    environment.set_formatter(html_formatter);
    for (name, source) in [
        ("layout.html", LAYOUT_TEMPLATE),
        ("register.html", include_str!("web/templates/register.html")),
        ("thanks.html", include_str!("web/templates/thanks.html")),
        ("too_many.html", include_str!("web/templates/too_many.html")),
        ("sign_in.html", include_str!("web/templates/sign_in.html")),
        ("account.html", include_str!("web/templates/account.html")),
        (
            "set_password.html",
            include_str!("web/templates/set_password.html"),
        ),
        ("people.html", include_str!("web/templates/people.html")),
        ("audit.html", include_str!("web/templates/audit.html")),
        ("message.html", include_str!("web/templates/message.html")),
        ("brief.html", super::brief::TEMPLATE),
        ("meetings.html", include_str!("web/templates/meetings.html")),
        ("meeting.html", include_str!("web/templates/meeting.html")),
        (
            "dashboard.html",
            include_str!("web/templates/dashboard.html"),
        ),
        ("review.html", include_str!("web/templates/review.html")),
        ("home.html", include_str!("web/templates/home.html")),
        ("search.html", include_str!("web/templates/search.html")),
        (
            "stakeholder.html",
            include_str!("web/templates/stakeholder.html"),
        ),
        ("edit.html", include_str!("web/templates/edit.html")),
        ("erase.html", include_str!("web/templates/erase.html")),
        ("tokens.html", include_str!("web/templates/tokens.html")),
        (
            "record_edit.html",
            include_str!("web/templates/record_edit.html"),
        ),
    ] {
        environment
            .add_template(name, source)
            .map_err(|error| format!("template {name}: {error}"))?;
    }
    Ok(environment)
});

/// minijinja's HTML escaping, except that `/` is left as it is: the five characters that can
/// end text or a quoted attribute (`& < > " '`) are enough, and "market / बाज़ार" stays readable
/// in the page's source and in tests.
fn html_formatter(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), minijinja::Error> {
    let plain_text = matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe();
    match value.as_str() {
        Some(text) if plain_text => {
            let mut escaped = String::with_capacity(text.len());
            for c in text.chars() {
                match c {
                    '&' => escaped.push_str("&amp;"),
                    '<' => escaped.push_str("&lt;"),
                    '>' => escaped.push_str("&gt;"),
                    '"' => escaped.push_str("&quot;"),
                    '\'' => escaped.push_str("&#39;"),
                    c => escaped.push(c),
                }
            }
            out.write_str(&escaped).map_err(minijinja::Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// A template rendered to text (escaped as HTML), or why it could not be.
pub(super) fn render_text(name: &str, context: Value) -> Result<String, String> {
    TEMPLATES
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|environment| {
            environment
                .get_template(name)
                .and_then(|template| template.render(context))
                .map_err(|error| format!("page {name}: {error}"))
        })
}

fn render(name: &str, context: Value, status: StatusCode) -> Response {
    let page = render_text(name, context);
    match page {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => AppError::internal(error).into_response(),
    }
}

#[derive(Deserialize)]
struct PageQuery {
    lang: Option<String>,
    #[serde(rename = "ref")]
    reference: Option<String>,
}

/// What the form holds, as typed: every field a string, so nothing is lost on a refusal.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct RegisterForm {
    kind: String,
    name: String,
    name_local: String,
    district: String,
    phone: String,
    description: String,
    /// `female`, `male`, `other`, or empty (not said).
    gender: String,
    /// A sector code from the registry's list, or empty: her line of work, and what her need is for.
    sector: String,
    need_kind: String,
    need_title: String,
    need_amount: String,
    /// `yes` when the consent box is ticked (an unticked box is not sent at all).
    consent: String,
    /// The version of the notice the page showed.
    notice_version: String,
    /// Must equal the `sangam_csrf` cookie (see [`csrf`]).
    csrf_token: String,
    /// Names this filled-in form, so that sending it twice registers once.
    form_id: String,
}

impl RegisterForm {
    fn registration(&self, amount_inr: Option<i64>, lang: Lang) -> Registration {
        let given = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
        let wants_something = given(&self.need_kind).is_some() || given(&self.need_title).is_some();
        let sector = given(&self.sector);
        let needs = if wants_something {
            vec![NeedInput {
                kind: given(&self.need_kind),
                title: given(&self.need_title),
                sector: sector.clone(),
                amount_inr,
                ..NeedInput::default()
            }]
        } else {
            Vec::new()
        };
        Registration {
            stakeholder: StakeholderInput {
                kind: given(&self.kind),
                name: given(&self.name),
                name_local: given(&self.name_local),
                district: given(&self.district),
                description: given(&self.description),
                contact: given(&self.phone).map(|phone| ContactInput {
                    phone: Some(phone),
                    ..ContactInput::default()
                }),
                // What the planner weighs an offering's rules against. Sent whenever said, so
                // that a kind without a profile (a bank) is told so rather than losing it.
                profile: (given(&self.gender).is_some() || sector.is_some()).then(|| {
                    ProfileInput {
                        gender: given(&self.gender),
                        sector,
                        ..ProfileInput::default()
                    }
                }),
                ..StakeholderInput::default()
            },
            offerings: Vec::new(),
            needs,
            consent: Some(ConsentInput {
                given: Some(self.consent == "yes"),
                notice_version: given(&self.notice_version),
                language: Some(lang.code().to_string()),
            }),
        }
    }
}

fn language(query: &PageQuery, headers: &HeaderMap) -> Lang {
    let accept = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    Lang::choose(query.lang.as_deref(), accept)
}

async fn form(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
) -> Response {
    let lang = language(&query, &headers);
    let token = csrf::from_cookie(&headers).unwrap_or_else(csrf::new_token);
    let form = RegisterForm {
        kind: "micro_entrepreneur".into(),
        ..RegisterForm::default()
    };
    form_page(&app, lang, &form, &token, BTreeMap::new(), StatusCode::OK).await
}

async fn submit(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    let texts = lang.texts();
    let cookie_token = csrf::from_cookie(&headers);
    let Ok(form) = serde_urlencoded::from_bytes::<RegisterForm>(&body) else {
        let errors = BTreeMap::from([("form".to_string(), texts.field_error.to_string())]);
        let token = cookie_token.unwrap_or_else(csrf::new_token);
        return form_page(
            &app,
            lang,
            &RegisterForm::default(),
            &token,
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    // A post that does not carry the token this browser was given did not come from our form
    // (another site can make a browser post, but cannot read our cookie): nothing is stored,
    // and the form comes back, filled in, with a fresh token to send again.
    let Some(token) = cookie_token.filter(|token| csrf::matches(token, &form.csrf_token)) else {
        let errors = BTreeMap::from([("form".to_string(), texts.form_expired.to_string())]);
        let token = csrf::new_token();
        return form_page(&app, lang, &form, &token, errors, StatusCode::FORBIDDEN).await;
    };
    let amount = match parse_amount(&form.need_amount) {
        Ok(amount) => amount,
        Err(()) => {
            let errors = BTreeMap::from([(
                "need_amount".to_string(),
                texts.amount_not_a_number.to_string(),
            )]);
            return form_page(
                &app,
                lang,
                &form,
                &token,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    // The same filled-in form sent twice (a double tap, a retry on a slow network) registers
    // once: the second waits for the first and is thanked with the same reference. A form
    // changed before it is sent again is a new registration.
    let slot = app.sent_forms.slot(&form.form_id, &body);
    let mut sent = slot.lock().await;
    if let Some(reference) = sent.as_ref() {
        return thanks_redirect(lang, reference);
    }
    match registrations::store_registration(&app, form.registration(amount, lang)).await {
        Ok((stored, _)) => {
            *sent = Some(stored.stakeholder.id.clone());
            thanks_redirect(lang, &stored.stakeholder.id)
        }
        Err(AppError::Validation(found)) => {
            let errors = found
                .fields()
                .iter()
                .map(|(field, why)| field_error(texts, field, why))
                .collect();
            form_page(
                &app,
                lang,
                &form,
                &token,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => other.into_response(),
    }
}

fn thanks_redirect(lang: Lang, reference: &str) -> Response {
    Redirect::to(&format!(
        "/register/thanks?lang={}&ref={reference}",
        lang.code()
    ))
    .into_response()
}

async fn thanks(headers: HeaderMap, QueryParams(query): QueryParams<PageQuery>) -> Response {
    let lang = language(&query, &headers);
    let context = context! {
        reference => query.reference.unwrap_or_default(),
        ..page_context(lang, "/register/thanks")
    };
    render("thanks.html", context, StatusCode::OK)
}

/// An amount as people write it: `45000`, `45,000`, `₹ 45,000`; none when left empty.
fn parse_amount(text: &str) -> Result<Option<i64>, ()> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '₹'))
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    digits.parse::<i64>().map(Some).map_err(|_| ())
}

/// The form field a registry field belongs to, and what to tell the person: a sentence of
/// their language where there is one, with the registry's own reason (in English) beside it.
fn field_error(texts: &Texts, field: &str, why: &str) -> (String, String) {
    let form_field = match field {
        "contact.phone" => "phone",
        "needs[0].kind" => "need_kind",
        "needs[0].title" => "need_title",
        "needs[0].amount_inr" => "need_amount",
        "profile" | "profile.gender" => "gender",
        "profile.sector" | "needs[0].sector" => "sector",
        "consent.given" | "consent.notice_version" | "consent.language" => "consent",
        "kind" | "name" | "name_local" | "district" | "description" => field,
        _ => "form",
    };
    let said = texts
        .field_errors
        .iter()
        .find(|(name, _)| *name == field)
        .map_or(texts.field_error, |(_, sentence)| sentence);
    (form_field.to_string(), format!("{said} ({field}: {why})"))
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
}

#[derive(Serialize)]
struct StateGroup {
    name: String,
    districts: Vec<NamedChoice>,
}

#[derive(Serialize)]
/// A code from the registry (a district, a sector) with its name in the page's language.
struct NamedChoice {
    code: String,
    label: String,
}

fn choices(list: &'static [(&'static str, &'static str)]) -> Vec<Choice> {
    list.iter()
        .map(|&(value, label)| Choice { value, label })
        .collect()
}

/// What every page needs: the language, its words, and the link to the other language.
fn page_context(lang: Lang, path: &str) -> Value {
    context! {
        lang => lang.code(),
        switch_lang => lang.other().code(),
        switch_href => format!("{path}?lang={}", lang.other().code()),
        t => Value::from(Serde(lang.texts())),
    }
}

async fn form_page(
    app: &AppState,
    lang: Lang,
    form: &RegisterForm,
    csrf_token: &str,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let (districts, sectors) = match tokio::try_join!(
        app.store.list_districts(None, None),
        app.store.list_sectors()
    ) {
        Ok(found) => found,
        Err(error) => return AppError::from(error).into_response(),
    };
    let sectors: Vec<NamedChoice> = sectors
        .into_iter()
        .map(|sector| NamedChoice {
            label: match (sector.name_local, lang) {
                (Some(local), Lang::Hindi) => format!("{local} ({})", sector.name),
                _ => sector.name,
            },
            code: sector.code,
        })
        .collect();
    let mut states: Vec<StateGroup> = Vec::new();
    for district in districts {
        let label = match (&district.name_local, lang) {
            (Some(local), Lang::Hindi) => format!("{local} ({})", district.name),
            _ => district.name.clone(),
        };
        let choice = NamedChoice {
            code: district.code,
            label,
        };
        match states.last_mut() {
            Some(group) if group.name == district.state => group.districts.push(choice),
            _ => states.push(StateGroup {
                name: district.state,
                districts: vec![choice],
            }),
        }
    }
    let texts = lang.texts();
    let notice = consent::current_notice(match lang {
        Lang::Hindi => NoticeLanguage::Hindi,
        Lang::English => NoticeLanguage::English,
    });
    // A form shown anew gets a new id; one sent back for correction keeps its own.
    let form_id = Some(form.form_id.clone())
        .filter(|id| sent_forms::well_formed(id))
        .unwrap_or_else(sent_forms::new_id);
    let context = context! {
        form => Value::from(Serde(form)),
        form_id => form_id,
        csrf_token => csrf_token,
        notice_version => notice.version,
        notice_lines => notice.text.lines().filter(|line| !line.trim().is_empty()).collect::<Vec<_>>(),
        errors => errors,
        states => Value::from(Serde(states)),
        kinds => Value::from(Serde(choices(texts.kinds))),
        need_kinds => Value::from(Serde(choices(texts.need_kinds))),
        genders => Value::from(Serde(choices(texts.genders))),
        sectors => Value::from(Serde(sectors)),
        ..page_context(lang, "/register")
    };
    let mut response = render("register.html", context, status);
    if let Ok(cookie) = HeaderValue::from_str(&csrf::set_cookie(csrf_token)) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_write_them() {
        assert_eq!(parse_amount(""), Ok(None));
        assert_eq!(parse_amount(" 45000 "), Ok(Some(45_000)));
        assert_eq!(parse_amount("₹ 1,50,000"), Ok(Some(150_000)));
        assert_eq!(parse_amount("पैंतालीस हज़ार"), Err(()));
        assert_eq!(parse_amount("99999999999999999999999"), Err(()));
    }

    #[test]
    fn every_page_renders_in_both_languages() {
        for lang in [Lang::Hindi, Lang::English] {
            let thanks = context! { reference => "st_x", ..page_context(lang, "/register/thanks") };
            let response = render("thanks.html", thanks, StatusCode::OK);
            assert_eq!(response.status(), StatusCode::OK);
        }
        let broken = render("missing.html", context! {}, StatusCode::OK);
        assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn a_refused_field_is_told_in_the_pages_language_with_the_reason() {
        let (field, message) = field_error(&texts::HINDI, "contact.phone", "must be a mobile");
        assert_eq!(field, "phone");
        assert!(message.starts_with("सही मोबाइल नंबर"), "{message}");
        assert!(message.contains("must be a mobile"));
        let (field, _) = field_error(&texts::ENGLISH, "profile.age", "too old");
        assert_eq!(field, "form");
    }
}

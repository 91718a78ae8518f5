//! The review queue for facilitators (their districts) and admins (all): each pending
//! registration beside the records it may duplicate, with one form each to approve it, merge it
//! into an existing record, or reject it with a reason. Every decision is
//! [`registry::review_registration`], as in the API; this module only reads forms and renders.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Deserialize;

use super::registry_texts::{RegistryTexts, texts};
use super::texts::Lang;
use super::{PageQuery, csrf, language, render};
use crate::app::{self, registry};
use crate::http::AppState;
use crate::http::error::AppError;
use crate::http::extract::{PathParam, QueryParams};
use crate::http::session::{self, Session};
use crate::store::review::Review;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/review", get(queue_page))
        .route("/review/{id}/approve", post(approve))
        .route("/review/{id}/reject", post(reject))
        .route("/review/{id}/merge", post(merge))
}

pub(super) fn base(lang: Lang, path: &str) -> Value {
    context! {
        lang => lang.code(),
        switch_lang => lang.other().code(),
        switch_href => format!("{path}?lang={}", lang.other().code()),
        t => Value::from(Serde(texts(lang))),
    }
}

pub(super) fn message(lang: Lang, path: &str, text: &str, status: StatusCode) -> Response {
    render(
        "message.html",
        context! { message => text, ..base(lang, path) },
        status,
    )
}

/// The signed-in person, or the sign-in page.
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

/// A use case's refusal as a page in the reader's language; what to do is said, nothing changed.
pub(super) fn refusal(lang: Lang, path: &str, error: app::Error) -> Response {
    let t: &RegistryTexts = texts(lang);
    let (text, status) = match &error {
        app::Error::NotFound(_) => (t.not_found.to_string(), StatusCode::NOT_FOUND),
        app::Error::Forbidden(_) => (t.not_your_district.to_string(), StatusCode::FORBIDDEN),
        app::Error::Invalid(errors) => (
            errors
                .fields()
                .iter()
                .map(|(field, why)| format!("{field}: {why}"))
                .collect::<Vec<_>>()
                .join("; "),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        app::Error::Store(crate::store::StoreError::Busy(_)) => {
            (t.busy.to_string(), StatusCode::SERVICE_UNAVAILABLE)
        }
        app::Error::Store(crate::store::StoreError::Conflict(why)) => {
            (why.clone(), StatusCode::CONFLICT)
        }
        _ => return AppError::from(error).into_response(),
    };
    message(lang, path, &text, status)
}

/// Registrations one queue page shows, oldest first: the page stays small on a phone, and the
/// next ones appear as these are decided.
const PAGE_LENGTH: usize = 15;

#[derive(Default)]
struct Typed {
    errors: BTreeMap<String, String>,
    reasons: BTreeMap<String, String>,
}

async fn queue(
    app: &AppState,
    live: &Session,
    lang: Lang,
    typed: Typed,
    status: StatusCode,
) -> Response {
    let items = match registry::review_queue(&app.store, &live.caller, PAGE_LENGTH).await {
        Ok(items) => items,
        Err(app::Error::Forbidden(_)) => {
            return message(
                lang,
                "/review",
                texts(lang).moderators_only,
                StatusCode::FORBIDDEN,
            );
        }
        Err(error) => return refusal(lang, "/review", error),
    };
    let names = match super::pages::Names::load(app, lang).await {
        Ok(names) => names,
        Err(error) => return error.into_response(),
    };
    let context = context! {
        names => names.for_template(),
        items => Value::from(Serde(items)),
        errors => Value::from(Serde(typed.errors)),
        typed => Value::from(Serde(typed.reasons)),
        error => Option::<String>::None,
        csrf_token => live.csrf_token.clone(),
        ..base(lang, "/review")
    };
    render("review.html", context, status)
}

async fn queue_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
) -> Response {
    let lang = language(&query, &headers);
    match signed_in(&app, &headers, lang).await {
        Ok(live) => queue(&app, &live, lang, Typed::default(), StatusCode::OK).await,
        Err(response) => response,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReviewForm {
    csrf_token: String,
    reason: String,
    into: String,
}

/// A decision's post: signed in, the form read, its CSRF token the session's; otherwise the page
/// that says which of these failed (and nothing changes).
async fn posted(
    app: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    body: &Bytes,
) -> Result<(Session, ReviewForm), Response> {
    let live = signed_in(app, headers, lang).await?;
    let form: ReviewForm = serde_urlencoded::from_bytes(body).unwrap_or_default();
    if !csrf::matches(&live.csrf_token, &form.csrf_token) {
        return Err(message(
            lang,
            "/review",
            texts(lang).form_expired,
            StatusCode::FORBIDDEN,
        ));
    }
    Ok((live, form))
}

async fn decide(
    app: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    id: &str,
    body: &Bytes,
    review: fn(&ReviewForm) -> Review<'_>,
) -> Response {
    let (live, form) = match posted(app, headers, lang, body).await {
        Ok(posted) => posted,
        Err(response) => return response,
    };
    match registry::review_registration(&app.store, &live.caller, id, review(&form)).await {
        // 303: reloading the queue afterwards does not send the decision again.
        Ok(_) => Redirect::to(&format!("/review?lang={}", lang.code())).into_response(),
        Err(app::Error::Invalid(errors)) if errors.fields().contains_key("reason") => {
            let mut typed = Typed::default();
            typed
                .errors
                .insert(id.to_string(), texts(lang).reason_needed.to_string());
            typed.reasons.insert(id.to_string(), form.reason.clone());
            queue(app, &live, lang, typed, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => refusal(lang, "/review", error),
    }
}

async fn approve(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    decide(&app, &headers, lang, &id, &body, |_| Review::Approve).await
}

async fn reject(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    decide(&app, &headers, lang, &id, &body, |form| Review::Reject {
        reason: &form.reason,
    })
    .await
}

async fn merge(
    State(app): State<AppState>,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
    body: Bytes,
) -> Response {
    let lang = language(&query, &headers);
    decide(&app, &headers, lang, &id, &body, |form| Review::Merge {
        into: &form.into,
    })
    .await
}

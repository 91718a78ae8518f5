//! Sessions through the API: sign in (`POST /session`), who am I (`GET /session`), sign out
//! (`DELETE /session`, `?everywhere=true` for every session of the person). The pages sign in
//! through the same [`session::sign_in`].

use axum::Json;
use axum::extract::State;
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{CSRF_HEADER, JsonBody, QueryParams};
use super::session::{self, Refused};
use super::web::csrf;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sign_in, current, sign_out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    /// An email or a phone number.
    login: String,
    password: String,
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

/// A 429 in the contract's shape, saying how long to wait.
pub fn slow_down(seconds: u64) -> Response {
    let mut response = AppError::RateLimited.into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    response
}

#[utoipa::path(
    post,
    path = "/session",
    tag = "sessions",
    operation_id = "signIn",
    summary = r#"Sign in with an email or phone and a password"#,
    description = r#"Starts a session with a new random id (an id the client had before ends) and sets the cookie `sangam_session` (`HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` unless the server runs with `--insecure-cookies`). Only a SHA-256 of the id is stored. The session ends after `--session-idle` seconds unused (8 hours by default). People are made with `sangam user create` or invited by an admin at `/admin/people`. After three failed sign-ins for an account or from an address, each further failure doubles the wait before the next attempt (1 s, 2 s, 4 s …, at most 30 s per account and 15 minutes per address); attempts during the wait are answered 429 with `Retry-After` and not counted, and the right password after the wait works."#,
    request_body(content((ref("#/components/schemas/SignIn") = "application/json"))),
    responses(
        (status = 201, description = r#"Signed in; the cookie is set."#, content((ref("#/components/schemas/SessionReply") = "application/json")), headers(("Set-Cookie" = String, description = r#"`sangam_session=…; Path=/; HttpOnly; SameSite=Lax; Secure`"#))),
        (status = 400, description = r#"Malformed request: the body is not valid JSON or UTF-8, or a query parameter has the wrong type."#, content((ref("#/components/schemas/Error") = "application/json", examples(("body" = (summary = r#"Broken JSON"#, value = json!({"error": {"code": "bad_request", "message": "the body is not valid JSON: EOF while parsing an object at line 1 column 9"}}))), ("query" = (summary = r#"limit=abc"#, value = json!({"error": {"code": "bad_request", "message": "bad query parameter: invalid digit found in string"}}))))))),
        (status = 401, description = r#"No token, or an unknown or revoked one."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unauthorized", "message": "a valid bearer token is required"}})))),
        (status = 415, description = r#"The body was not sent as JSON."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unsupported_media_type", "message": "send JSON with Content-Type: application/json"}})))),
        (status = 422, description = r#"Well-formed JSON with wrong values. `fields` names every wrong field and why."#, content((ref("#/components/schemas/Error") = "application/json", examples(("stakeholder" = (summary = r#"Several fields wrong at once"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"contact.phone": "must be a 10-digit Indian mobile number, or a landline with its STD code (05442 252525), optionally with +91 or 0 before it", "district": "unknown district `up-atlantis`; see GET /api/v1/districts", "kind": "unknown kind `farmer`: must be one of micro_entrepreneur, shg, fpo, mfi, bank, rseti, line_department, ngo, buyer, other", "profile.age": "must be between 14 and 100"}}}))), ("offering" = (summary = r#"Amounts and ages"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"eligibility.max_age": "is below min_age (16 < 18)", "eligibility.min_amount_inr": "must be between ₹0 and ₹10 crore", "valid_until": "2020-03-31 is in the past"}}}))), ("query" = (summary = r#"limit=0"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"limit": "must be between 1 and 500"}}}))), ("patch" = (summary = r#"A typo in a PATCH"#, value = json!({"error": {"code": "validation_failed", "message": "some fields are invalid", "fields": {"nmae": "unknown field; may be one of kind, name, name_local, district, districts_served, description, contact, profile, status"}}}))))))),
        (status = 429, description = r#"Too many requests from this address; wait a few seconds."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "rate_limited", "message": "too many requests; wait a little and try again"}})))),
    ),
    security(),
)]
async fn sign_in(
    State(app): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
    JsonBody(body): JsonBody<SignIn>,
) -> AppResult<Response> {
    let address = session::address(&extensions);
    let previous = session::id_from(&headers);
    match session::sign_in(
        &app,
        &body.login,
        &body.password,
        &address,
        previous.as_deref(),
    )
    .await?
    {
        Ok(started) => {
            let body = json!({"user": started.user, "csrf_token": started.csrf_token});
            let cookie = session::set_cookie(&started.cookie_id, app.limits.secure_cookies);
            Ok(with_cookie(
                (StatusCode::CREATED, Json(body)).into_response(),
                &cookie,
            ))
        }
        Err(Refused::Wrong) => Err(AppError::Unauthorized),
        Err(Refused::SlowDown(seconds)) => Ok(slow_down(seconds)),
    }
}

#[utoipa::path(
    get,
    path = "/session",
    tag = "sessions",
    operation_id = "getSession",
    summary = r#"Who the session cookie belongs to, and its CSRF token"#,
    responses(
        (status = 200, description = r#"The signed-in person."#, content((ref("#/components/schemas/SessionReply") = "application/json"))),
        (status = 401, description = r#"No token, or an unknown or revoked one."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unauthorized", "message": "a valid bearer token is required"}})))),
    ),
    security(("sessionCookie" = [])),
)]
async fn current(State(app): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let live = session::resolve(&app, &headers).await?;
    let live = live.ok_or(AppError::Unauthorized)?;
    let user = app
        .store
        .user(&live.user_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok(Json(json!({"user": user, "csrf_token": live.csrf_token})).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignOutQuery {
    everywhere: bool,
}

#[utoipa::path(
    delete,
    path = "/session",
    tag = "sessions",
    operation_id = "signOut",
    summary = r#"Sign out (this session, or with everywhere=true every session of the person)"#,
    params(
        ("everywhere" = Option<bool>, Query, description = r#"End every session of this person (every phone and laptop)."#),
        ("X-CSRF-Token" = String, Header, description = r#"The session's `csrf_token`."#),
    ),
    responses(
        (status = 400, description = r#"Malformed query: a parameter of the wrong type, or one given twice."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "bad_request", "message": "bad query parameter: duplicate field `lang`"}})))),
        (status = 204, description = r#"Signed out; the cookie is cleared."#),
        (status = 401, description = r#"No token, or an unknown or revoked one."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unauthorized", "message": "a valid bearer token is required"}})))),
        (status = 403, description = r#"The token's role may not do this, or the token is limited to districts and the record is in another."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "forbidden", "message": "role `consultant` may not archive or approve records; ask a facilitator"}})))),
    ),
    security(("sessionCookie" = [])),
)]
async fn sign_out(
    State(app): State<AppState>,
    headers: HeaderMap,
    QueryParams(query): QueryParams<SignOutQuery>,
) -> AppResult<Response> {
    let live = session::resolve(&app, &headers).await?;
    let live = live.ok_or(AppError::Unauthorized)?;
    let sent = headers
        .get(CSRF_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if !csrf::matches(&live.csrf_token, sent) {
        return Err(AppError::Forbidden(format!(
            "signing out needs the header {CSRF_HEADER} with the csrf_token of GET /api/v1/session"
        )));
    }
    if query.everywhere {
        app.store
            .end_all_sessions(&live.user_id, &live.caller.name)
            .await?;
    } else {
        app.store
            .end_session(&live.id_hash, &live.caller.name)
            .await?;
    }
    let cookie = session::clear_cookie(app.limits.secure_cookies);
    Ok(with_cookie(StatusCode::NO_CONTENT.into_response(), &cookie))
}

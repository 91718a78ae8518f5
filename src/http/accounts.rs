//! Sessions through the API: sign in (`POST /session`), who am I (`GET /session`), sign out
//! (`DELETE /session`, `?everywhere=true` for every session of the person). The pages sign in
//! through the same [`session::sign_in`].

use axum::Json;
use axum::extract::State;
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{CSRF_HEADER, JsonBody, QueryParams};
use super::session::{self, Refused};
use super::web::csrf;
use crate::domain::account::User;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sign_in, current, sign_out))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SignIn {
    /// An email (any case) or an Indian phone number written any usual way.
    #[schema(examples("asha@example.org"))]
    login: String,
    #[schema(format = Password)]
    password: String,
}

/// The person signed in, and the token that changes made with their cookie must carry.
#[derive(Serialize, ToSchema)]
struct SessionReply {
    user: User,
    /// Send as `X-CSRF-Token` on every change made with the session cookie (64 hex characters;
    /// the same for the whole session).
    csrf_token: String,
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
    request_body(content((SignIn = "application/json"))),
    responses(
        (status = 201, description = r#"Signed in; the cookie is set."#, content((SessionReply = "application/json")), headers(("Set-Cookie" = String, description = r#"`sangam_session=…; Path=/; HttpOnly; SameSite=Lax; Secure`"#))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::NotJson,
        crate::http::responses::Invalid,
        crate::http::responses::RateLimited,
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
            let body = SessionReply {
                user: started.user,
                csrf_token: started.csrf_token,
            };
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
        (status = 200, description = r#"The signed-in person."#, content((SessionReply = "application/json"))),
        crate::http::responses::Unauthorized,
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
    Ok(Json(SessionReply {
        user,
        csrf_token: live.csrf_token,
    })
    .into_response())
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
        crate::http::responses::MalformedQuery,
        (status = 204, description = r#"Signed out; the cookie is cleared."#),
        crate::http::responses::Unauthorized,
        crate::http::responses::Forbidden,
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

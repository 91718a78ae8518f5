//! Sessions through the API: sign in (`POST /session`), who am I (`GET /session`), sign out
//! (`DELETE /session`, `?everywhere=true` for every session of the person). The pages sign in
//! through the same [`session::sign_in`].

use axum::extract::State;
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{CSRF_HEADER, JsonBody, QueryParams};
use super::session::{self, Refused};
use super::web::csrf;

pub fn router() -> Router<AppState> {
    Router::new().route("/session", post(sign_in).get(current).delete(sign_out))
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

//! The API's own description, served so clients and tools can read it from the running service.

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;

use super::AppState;

/// Written by hand next to the handlers and checked by the tests against the live routes.
const OPENAPI: &str = include_str!("openapi.json");

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/openapi.json",
        get(|| async { ([(CONTENT_TYPE, "application/json")], OPENAPI).into_response() }),
    )
}

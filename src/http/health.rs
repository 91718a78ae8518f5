//! Liveness and readiness for process supervisors and load balancers.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::AppState;
use super::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The process is up.
async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// The database answers.
async fn readyz(State(app): State<AppState>) -> AppResult<Json<Value>> {
    app.store
        .ping()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    Ok(Json(json!({"status": "ready"})))
}

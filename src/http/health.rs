//! Liveness and readiness for process supervisors and load balancers.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// The process is up.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    operation_id = "healthz",
    summary = r#"Liveness: the process is up"#,
    responses(
        (status = 200, description = r#"The process answers."#, content((ref("#/components/schemas/Health") = "application/json", example = json!({"status": "ok"})))),
    ),
    security(),
)]
async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// The database answers.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    operation_id = "readyz",
    summary = r#"Readiness: the database answers"#,
    responses(
        (status = 200, description = r#"Ready to serve requests."#, content((ref("#/components/schemas/Health") = "application/json", example = json!({"status": "ready"})))),
        (status = 503, description = r#"The database does not answer."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "unavailable", "message": "the service is not ready: database error: pool timed out while waiting for an open connection"}})))),
    ),
    security(),
)]
async fn readyz(State(app): State<AppState>) -> AppResult<Json<Value>> {
    app.store
        .ping()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    Ok(Json(json!({"status": "ready"})))
}

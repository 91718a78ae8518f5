//! Liveness and readiness for process supervisors and load balancers.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

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
        (status = 200, description = r#"The process answers."#, content((Health = "application/json", example = json!({"status": "ok"})))),
    ),
    security(),
)]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The process (`ok`) or the process and its database (`ready`) answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(schema_with = health_words)]
    status: &'static str,
}

fn health_words() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(["ok", "ready"]))
        .build()
}

/// The database answers.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    operation_id = "readyz",
    summary = r#"Readiness: the database answers"#,
    responses(
        (status = 200, description = r#"Ready to serve requests."#, content((Health = "application/json", example = json!({"status": "ready"})))),
        crate::http::responses::Unavailable,
    ),
    security(),
)]
async fn readyz(State(app): State<AppState>) -> AppResult<Json<Health>> {
    app.store
        .ping()
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?;
    Ok(Json(Health { status: "ready" }))
}

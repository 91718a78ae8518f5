//! The API's own description, served so clients and tools can read it from the running service.

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

/// Generated from the handlers' `#[utoipa::path]` attributes and the types they name, through
/// the same router that serves them: a route without its description cannot be registered.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_document))
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "docs",
    operation_id = "getOpenApi",
    summary = r#"This OpenAPI document"#,
    description = r#"Load it into any OpenAPI viewer or client generator."#,
    responses(
        (status = 200, description = r#"The OpenAPI 3.1 description of this API."#, content((Object = "application/json"))),
    ),
    security(),
)]
async fn openapi_document() -> Response {
    (
        [(CONTENT_TYPE, "application/json")],
        super::openapi::document_json(),
    )
        .into_response()
}

//! `/api/v1/linkages/{id}`: moving a linkage along its lifecycle, and a stakeholder's record of
//! linkages.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{Authenticated, JsonBody, MaybeCaller, PathParam};
use super::stakeholders::{audience, visible_to};
use crate::app::planning;
use crate::domain::meeting::{Linkage, LinkageMoveInput};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/linkages/{id}", get(show).patch(update))
        .route("/stakeholders/{id}/record", get(record))
}

/// A linkage; with a token also its reasons, note and history (who moved it when, and why).
/// Without one, no reasons: they are the person's profile facts ("age 31 within 18–45").
async fn show(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Value>> {
    let linkage = audience(&caller).linkage(find_linkage(&app, &id).await?);
    if caller.is_none() {
        return Ok(Json(json!(linkage)));
    }
    let history = app.store.linkage_history(&id).await?;
    let mut shown = json!(linkage);
    shown["history"] = json!(history);
    Ok(Json(shown))
}

/// Moves a linkage: suggested → proposed → accepted → completed, or declined from any of the
/// first three. Anything else is refused with the moves that are allowed, and changes nothing.
async fn update(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    JsonBody(input): JsonBody<LinkageMoveInput>,
) -> AppResult<Json<Linkage>> {
    Ok(Json(
        planning::move_linkage(&app.store, &caller, &id, input).await?,
    ))
}

async fn find_linkage(app: &AppState, id: &str) -> AppResult<Linkage> {
    app.store
        .get_linkage(id)
        .await?
        .ok_or_else(|| AppError::not_found("linkage"))
}

/// How a stakeholder's linkages stand: as the provider of offerings and as the one with needs.
async fn record(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Value>> {
    app.store
        .get_stakeholder(&id)
        .await?
        .filter(|s| visible_to(&caller, s.meta.status))
        .ok_or_else(|| AppError::not_found("stakeholder"))?;
    let counts = app.store.linkage_counts(&id).await?;
    Ok(Json(json!({
        "stakeholder_id": id,
        "linkages": counts,
    })))
}

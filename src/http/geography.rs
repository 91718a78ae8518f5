//! Geography and sectors: public reference data.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{PathParam, QueryParams};
use crate::domain::geography::{District, Sector, State as IndianState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/states", get(list_states))
        .route("/districts", get(list_districts))
        .route("/districts/{code}", get(get_district))
        .route("/sectors", get(list_sectors))
}

#[derive(Deserialize)]
struct DistrictQuery {
    q: Option<String>,
    state: Option<String>,
}

async fn list_states(State(app): State<AppState>) -> AppResult<Json<Vec<IndianState>>> {
    Ok(Json(app.store.list_states().await?))
}

async fn list_districts(
    State(app): State<AppState>,
    QueryParams(query): QueryParams<DistrictQuery>,
) -> AppResult<Json<Vec<District>>> {
    let q = query.q.filter(|q| !q.trim().is_empty());
    let state = query.state.filter(|s| !s.trim().is_empty());
    Ok(Json(
        app.store
            .list_districts(q.as_deref(), state.as_deref())
            .await?,
    ))
}

/// One district with its blocks.
async fn get_district(
    State(app): State<AppState>,
    PathParam(code): PathParam<String>,
) -> AppResult<Json<Value>> {
    let district = app
        .store
        .get_district(&code)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no district `{code}`")))?;
    let blocks = app.store.list_blocks(&code).await?;
    let mut body = serde_json::to_value(district).map_err(|e| AppError::Internal(e.to_string()))?;
    body["blocks"] = json!(
        blocks
            .into_iter()
            .map(|b| json!({"name": b.name, "name_local": b.name_local}))
            .collect::<Vec<_>>()
    );
    Ok(Json(body))
}

async fn list_sectors(State(app): State<AppState>) -> AppResult<Json<Vec<Sector>>> {
    Ok(Json(app.store.list_sectors().await?))
}

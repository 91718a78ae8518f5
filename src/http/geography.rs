//! Geography and sectors: public reference data.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{PathParam, QueryParams};
use crate::domain::geography::{District, Sector, State as IndianState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_states))
        .routes(routes!(list_districts))
        .routes(routes!(get_district))
        .routes(routes!(list_sectors))
}

#[derive(Deserialize)]
struct DistrictQuery {
    q: Option<String>,
    state: Option<String>,
}

#[utoipa::path(
    get,
    path = "/states",
    tag = "geography",
    operation_id = "listStates",
    summary = r#"List states"#,
    description = r#"All loaded states, by English name."#,
    responses(
        (status = 200, description = r#"The states."#, content(([IndianState] = "application/json", example = json!([{"code": "br", "name": "Bihar", "name_local": "बिहार", "lgd_code": 10}, {"code": "up", "name": "Uttar Pradesh", "name_local": "उत्तर प्रदेश", "lgd_code": 9}])))),
    ),
    security(),
)]
async fn list_states(State(app): State<AppState>) -> AppResult<Json<Vec<IndianState>>> {
    Ok(Json(app.store.list_states().await?))
}

#[utoipa::path(
    get,
    path = "/districts",
    tag = "geography",
    operation_id = "listDistricts",
    summary = r#"Find districts"#,
    description = r#"Districts ordered by state, then name. Without parameters, all of them."#,
    params(
        ("q" = Option<String>, Query, description = r#"Text contained in the English name, the local name or the code, case-insensitive."#, example = json!("mirz")),
        ("state" = Option<String>, Query, description = r#"A state's code (`br`) or English name (`Bihar`), case-insensitive."#, example = json!("Bihar")),
    ),
    responses(
        (status = 200, description = r#"Matching districts (maybe none)."#, content(([District] = "application/json", example = json!([{"code": "up-mirzapur", "name": "Mirzapur", "name_local": "मिर्ज़ापुर", "state": "Uttar Pradesh", "state_code": "up", "lgd_code": null}])))),
        (status = 400, description = r#"Malformed request: the body is not valid JSON or UTF-8, or a query parameter has the wrong type."#, content((ref("#/components/schemas/Error") = "application/json", examples(("body" = (summary = r#"Broken JSON"#, value = json!({"error": {"code": "bad_request", "message": "the body is not valid JSON: EOF while parsing an object at line 1 column 9"}}))), ("query" = (summary = r#"limit=abc"#, value = json!({"error": {"code": "bad_request", "message": "bad query parameter: invalid digit found in string"}}))))))),
    ),
    security(),
)]
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
#[utoipa::path(
    get,
    path = "/districts/{code}",
    tag = "geography",
    operation_id = "getDistrict",
    summary = r#"One district with its blocks"#,
    description = r#"The block names here are the ones `profile.block` accepts for a stakeholder in this district."#,
    params(
        ("code" = String, Path, description = r#"District code, as `GET /api/v1/districts` gives it."#, example = json!("up-mirzapur")),
    ),
    responses(
        (status = 200, description = r#"The district."#, content((ref("#/components/schemas/DistrictDetail") = "application/json", example = json!({"code": "up-mirzapur", "name": "Mirzapur", "name_local": "मिर्ज़ापुर", "state": "Uttar Pradesh", "state_code": "up", "lgd_code": null, "blocks": [{"name": "Chhanbey", "name_local": "छानबे"}, {"name": "City", "name_local": "सिटी"}, {"name": "Kone", "name_local": "कोन"}]})))),
        (status = 404, description = r#"No record with this id."#, content((ref("#/components/schemas/Error") = "application/json", example = json!({"error": {"code": "not_found", "message": "no stakeholder with this id"}})))),
    ),
    security(),
)]
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
    let mut body =
        serde_json::to_value(district).map_err(|e| AppError::fault("showing a district", e))?;
    body["blocks"] = json!(
        blocks
            .into_iter()
            .map(|b| json!({"name": b.name, "name_local": b.name_local}))
            .collect::<Vec<_>>()
    );
    Ok(Json(body))
}

#[utoipa::path(
    get,
    path = "/sectors",
    tag = "geography",
    operation_id = "listSectors",
    summary = r#"List sectors"#,
    description = r#"The sector codes that `profile.sector`, offering `sectors` and need `sector` accept."#,
    responses(
        (status = 200, description = r#"The sectors."#, content(([Sector] = "application/json", example = json!([{"code": "tailoring", "name": "Tailoring & garments", "name_local": "सिलाई"}, {"code": "carpets", "name": "Carpet weaving", "name_local": "कालीन बुनाई"}, {"code": "goat_rearing", "name": "Goat rearing", "name_local": "बकरी पालन"}])))),
    ),
    security(),
)]
async fn list_sectors(State(app): State<AppState>) -> AppResult<Json<Vec<Sector>>> {
    Ok(Json(app.store.list_sectors().await?))
}

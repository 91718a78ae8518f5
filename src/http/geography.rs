//! Geography and sectors: public reference data.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
        crate::http::responses::Malformed,
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
        (status = 200, description = r#"The district."#, content((DistrictDetail = "application/json", example = json!({"code": "up-mirzapur", "name": "Mirzapur", "name_local": "मिर्ज़ापुर", "state": "Uttar Pradesh", "state_code": "up", "lgd_code": null, "blocks": [{"name": "Chhanbey", "name_local": "छानबे"}, {"name": "City", "name_local": "सिटी"}, {"name": "Kone", "name_local": "कोन"}]})))),
        crate::http::responses::NotFound,
    ),
    security(),
)]
async fn get_district(
    State(app): State<AppState>,
    PathParam(code): PathParam<String>,
) -> AppResult<Json<DistrictDetail>> {
    let district = app
        .store
        .get_district(&code)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no district `{code}`")))?;
    let blocks = app.store.list_blocks(&code).await?;
    Ok(Json(DistrictDetail {
        district,
        blocks: blocks
            .into_iter()
            .map(|b| BlockName {
                name: b.name,
                name_local: b.name_local,
            })
            .collect(),
    }))
}

/// A district with its blocks.
#[derive(Serialize, ToSchema)]
struct DistrictDetail {
    #[serde(flatten)]
    district: District,
    /// Ordered by name; may be empty where no blocks are loaded.
    blocks: Vec<BlockName>,
}

/// A block of a district, by the names `profile.block` accepts.
#[derive(Serialize, ToSchema)]
#[schema(as = Block)]
struct BlockName {
    #[schema(examples("Chhanbey"))]
    name: String,
    #[schema(required = true, examples("छानबे"))]
    name_local: Option<String>,
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

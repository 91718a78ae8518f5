//! `/api/v1/hsds`: the registry's offerings in Open Referral HSDS 3.0 ([`crate::hsds`]), for
//! directories and referral tools that read it. The three endpoints HSDS requires: `GET /hsds`
//! (about this feed), `GET /hsds/services` (a page of services with their one-to-one fields) and
//! `GET /hsds/services/{id}` (one service with its organization, areas and terms). Public: only
//! what anyone may see goes out.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{PathParam, QueryParams};
use crate::domain::geography::{District, Sector};
use crate::domain::record::{Status, parse_instant, today_in_india};
use crate::domain::visibility::Audience;
use crate::hsds::{self, About, Names, Page, Service, ServiceSummary};
use crate::store::registry::OfferingListing;

const DEFAULT_PER_PAGE: i64 = 50;
const MAX_PER_PAGE: i64 = 500;
/// Pages beyond this many records are refused, as for the other listings.
const MAX_OFFSET: i64 = 1_000_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hsds", get(about))
        .route("/hsds/services", get(services))
        .route("/hsds/services/{id}", get(service))
}

async fn about() -> Json<About> {
    Json(About::new("/api/v1/openapi.json".into()))
}

#[derive(Deserialize)]
struct ServicesQuery {
    page: Option<i64>,
    per_page: Option<i64>,
    organization_id: Option<String>,
    modified_after: Option<String>,
}

async fn services(
    State(app): State<AppState>,
    QueryParams(query): QueryParams<ServicesQuery>,
) -> AppResult<Json<Page<ServiceSummary>>> {
    let per_page = query.per_page.unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(AppError::field(
            "per_page",
            format!("must be between 1 and {MAX_PER_PAGE}"),
        ));
    }
    let last_page = MAX_OFFSET / per_page + 1;
    let page = query.page.unwrap_or(1);
    if !(1..=last_page).contains(&page) {
        return Err(AppError::field(
            "page",
            format!("must be between 1 and {last_page} (pages count from 1)"),
        ));
    }
    let stakeholder_id = match query.organization_id.as_deref() {
        None => None,
        Some(id) => Some(hsds::stakeholder_id(id).ok_or_else(|| {
            AppError::field("organization_id", "must be an organization's id (a UUID)")
        })?),
    };
    let modified_after = match query.modified_after.as_deref() {
        None => None,
        Some(text) => Some(parse_instant(text).ok_or_else(|| {
            AppError::field(
                "modified_after",
                "must be a date (2026-11-01) or a date and time (2026-11-01T09:30:00+05:30)",
            )
        })?),
    };
    let listing = OfferingListing {
        stakeholder_id,
        modified_after,
        limit: per_page,
        offset: (page - 1) * per_page,
    };
    let (offerings, total) = app.store.list_public_offerings(&listing).await?;
    let today = today_in_india();
    let contents = offerings
        .iter()
        .map(|offering| hsds::service_summary(offering, today))
        .collect();
    let total = u64::try_from(total).unwrap_or_default();
    Ok(Json(Page::new(
        contents,
        total,
        page as u64,
        per_page as u64,
    )))
}

async fn service(
    State(app): State<AppState>,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Service>> {
    let not_found = || AppError::not_found("service");
    let offering_id = hsds::offering_id(&id).ok_or_else(not_found)?;
    let offering = app
        .store
        .get_offering(&offering_id)
        .await?
        .filter(|offering| offering.meta.status == Status::Active)
        .ok_or_else(not_found)?;
    let provider = app
        .store
        .get_stakeholder(&offering.stakeholder_id)
        .await?
        .filter(|provider| provider.meta.status == Status::Active)
        .map(|provider| Audience::Public.stakeholder(provider))
        .ok_or_else(not_found)?;
    let mut districts: BTreeMap<String, District> = BTreeMap::new();
    for code in offering
        .data
        .districts
        .iter()
        .chain([&provider.data.district])
    {
        if let Some(district) = app.store.get_district(code).await? {
            districts.insert(code.clone(), district);
        }
    }
    let sectors: BTreeMap<String, Sector> = app
        .store
        .list_sectors()
        .await?
        .into_iter()
        .map(|sector| (sector.code.clone(), sector))
        .collect();
    let names = Names {
        districts: &districts,
        sectors: &sectors,
    };
    Ok(Json(hsds::service(
        &offering,
        &provider,
        &names,
        today_in_india(),
    )))
}

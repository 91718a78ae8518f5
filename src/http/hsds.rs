//! `/api/v1/hsds`: the registry's offerings in Open Referral HSDS 3.0 ([`crate::hsds`]), for
//! directories and referral tools that read it: `GET /hsds` (about this feed), `GET
//! /hsds/services` (a page of services with their one-to-one fields, or in full), `GET
//! /hsds/services/{id}` (one service with its organization, areas and terms), `GET
//! /hsds/organizations` and `GET /hsds/organizations/{id}` (the providers, with their services).
//! Public: only what anyone may see goes out. Query parameters of the HSDS API that Sangam does
//! not implement are refused by name rather than ignored, so a partner never takes an unfiltered
//! page for a filtered one.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{PathParam, QueryParams};
use crate::app::interchange::{self, HsdsPage, OrganizationsRequest, ServicesRequest};
use crate::domain::record::parse_instant;
use crate::hsds::{self, About, Organization, OrganizationSummary, Service, ServiceSummary};

const DEFAULT_PER_PAGE: i64 = 50;
const MAX_PER_PAGE: i64 = 500;
/// Pages beyond this many records are refused, as for the other listings.
const MAX_OFFSET: i64 = 1_000_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(about))
        .routes(routes!(services))
        .routes(routes!(service))
        .routes(routes!(organizations))
        .routes(routes!(organization))
}

#[utoipa::path(
    get,
    path = "/hsds",
    tag = "hsds",
    operation_id = "hsdsAbout",
    summary = r#"About this HSDS feed"#,
    responses(
        (status = 200, description = r#"HSDS version and where this API is described."#, content((crate::hsds::About = "application/json"))),
    ),
    security(()),
)]
async fn about() -> Json<About> {
    Json(About::new("/api/v1/openapi.json".into()))
}

/// `page` (from 1) and `per_page` within bounds, as (limit, offset).
fn paging(page: Option<i64>, per_page: Option<i64>) -> AppResult<(i64, i64)> {
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(AppError::field(
            "per_page",
            format!("must be between 1 and {MAX_PER_PAGE}"),
        ));
    }
    let last_page = MAX_OFFSET / per_page + 1;
    let page = page.unwrap_or(1);
    if !(1..=last_page).contains(&page) {
        return Err(AppError::field(
            "page",
            format!("must be between 1 and {last_page} (pages count from 1)"),
        ));
    }
    Ok((per_page, (page - 1) * per_page))
}

/// HSDS's `format`: Sangam answers JSON only. Empty is absent (HTML forms send empty fields);
/// anything else, even `json` with spaces, is refused as the document says.
fn json_only(format: Option<&str>) -> AppResult<()> {
    match format {
        None | Some("" | "json") => Ok(()),
        Some(other) => Err(AppError::field(
            "format",
            format!("`{other}` is not offered: Sangam answers json only"),
        )),
    }
}

/// HSDS query parameters Sangam does not implement: refused, so that nobody takes an
/// unfiltered answer for a filtered one.
fn not_offered(given: &[(&str, bool)]) -> AppResult<()> {
    let mut errors = crate::domain::FieldErrors::new();
    for (name, present) in given {
        if *present {
            errors.add(
                *name,
                "is not supported by Sangam's HSDS feed (see docs/hsds.md)",
            );
        }
    }
    errors.into_result(()).map_err(AppError::Validation)
}

#[derive(Deserialize)]
struct ServicesQuery {
    page: Option<i64>,
    per_page: Option<i64>,
    organization_id: Option<String>,
    modified_after: Option<String>,
    taxonomy_term_id: Option<String>,
    search: Option<String>,
    full: Option<bool>,
    format: Option<String>,
    taxonomy_id: Option<String>,
    minimal: Option<bool>,
    postcode: Option<String>,
    proximity: Option<String>,
}

/// A page of services: their one-to-one fields, or with `full=true` each fully nested.
#[utoipa::path(
    get,
    path = "/hsds/services",
    tag = "hsds",
    operation_id = "hsdsServices",
    summary = r#"A page of services (active offerings of active providers)"#,
    description = r#"Active offerings of active providers, by id; an offering past its `valid_until` is listed as `inactive` so a directory can take it down. No contact details. HSDS parameters Sangam does not implement (`taxonomy_id`, `minimal`, `postcode`, `proximity`) are refused with a 422 naming them, never ignored."#,
    params(
        ("page" = Option<i64>, Query, description = r#"Page number, from 1."#, minimum = 1),
        ("per_page" = Option<i64>, Query, description = r#"Services per page."#, minimum = 1, maximum = 500),
        ("organization_id" = Option<uuid::Uuid>, Query, description = r#"Only this provider's services (its HSDS id)."#),
        ("modified_after" = Option<String>, Query, description = r#"Only services changed at or after this date (`2026-11-01`, midnight UTC) or RFC 3339 date-time."#),
        ("taxonomy_term_id" = Option<uuid::Uuid>, Query, description = r#"Only services with this term: a linkage kind (`sangam:linkage-kind`) or a sector (`sangam:sector`), by the term's id as the feed gives it. Another id is a 422."#),
        ("search" = Option<String>, Query, description = r#"Only services whose name or description contains this text (case ignored). For Hindi-aware, spelling-tolerant search use `GET /api/v1/search`."#),
        ("full" = Option<bool>, Query, description = r#"`true`: each item is the fully nested service, as `GET /hsds/services/{id}` gives it."#),
        ("format" = inline(Option<crate::http::openapi::HsdsFormatParam>), Query, description = r#"`json` only; anything else (HSDS's `ndjson`) is a 422."#),
    ),
    responses(
        (status = 200, description = r#"One page, with HSDS's paging fields."#, content((crate::hsds::Page<crate::hsds::ServiceSummary> = "application/json"))),
        crate::http::responses::Malformed,
        crate::http::responses::Invalid,
    ),
    security(()),
)]
async fn services(
    State(app): State<AppState>,
    QueryParams(query): QueryParams<ServicesQuery>,
) -> AppResult<Json<HsdsPage<ServiceSummary, Service>>> {
    not_offered(&[
        ("taxonomy_id", query.taxonomy_id.is_some()),
        ("minimal", query.minimal == Some(true)),
        ("postcode", query.postcode.is_some()),
        ("proximity", query.proximity.is_some()),
    ])?;
    json_only(query.format.as_deref())?;
    let (limit, offset) = paging(query.page, query.per_page)?;
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
    let request = ServicesRequest {
        stakeholder_id,
        modified_after,
        taxonomy_term_id: query.taxonomy_term_id,
        search: query.search,
        full: query.full == Some(true),
        limit,
        offset,
    };
    Ok(Json(interchange::hsds_services(&app.store, request).await?))
}

#[utoipa::path(
    get,
    path = "/hsds/services/{id}",
    tag = "hsds",
    operation_id = "hsdsService",
    summary = r#"One service, fully nested"#,
    params(
        ("id" = uuid::Uuid, Path, description = r#"The service's HSDS id."#),
    ),
    responses(
        (status = 200, description = r#"The service with its organization, service areas and taxonomy terms."#, content((crate::hsds::Service = "application/json"))),
        crate::http::responses::NotFound,
    ),
    security(()),
)]
async fn service(
    State(app): State<AppState>,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Service>> {
    Ok(Json(interchange::hsds_service(&app.store, &id).await?))
}

#[derive(Deserialize)]
struct OrganizationsQuery {
    page: Option<i64>,
    per_page: Option<i64>,
    search: Option<String>,
    full: Option<bool>,
    full_service: Option<bool>,
    format: Option<String>,
}

/// A page of the organizations that provide at least one public service: their one-to-one
/// fields, or with `full=true` each with its kind and services (in full with `full_service`).
#[utoipa::path(
    get,
    path = "/hsds/organizations",
    tag = "hsds",
    operation_id = "listHsdsOrganizations",
    summary = r#"A page of HSDS organizations: the providers of public offerings"#,
    description = r#"Active stakeholders with at least one active offering, in id order, as HSDS 3.0 organizations. Entrepreneurs and others who offer nothing are not organizations of the feed. No token needed; nothing private goes out."#,
    params(
        ("page" = Option<i64>, Query, description = r#"Page number, from 1."#, minimum = 1),
        ("per_page" = Option<i64>, Query, description = r#"Organizations per page."#, minimum = 1, maximum = 500),
        ("search" = Option<String>, Query, description = r#"Only organizations whose English or Hindi name contains this text."#),
        ("full" = Option<bool>, Query, description = r#"`true`: each organization with its kind and services."#),
        ("full_service" = Option<bool>, Query, description = r#"With `full=true`: each service fully nested."#),
        ("format" = inline(Option<crate::http::openapi::HsdsFormatParam>), Query, description = r#"`json` only."#),
    ),
    responses(
        (status = 200, description = r#"A page of organizations (HSDS's page shape)."#, content((crate::hsds::Page<crate::hsds::OrganizationSummary> = "application/json"))),
        crate::http::responses::Malformed,
        crate::http::responses::Invalid,
    ),
)]
async fn organizations(
    State(app): State<AppState>,
    QueryParams(query): QueryParams<OrganizationsQuery>,
) -> AppResult<Json<HsdsPage<OrganizationSummary, Organization>>> {
    json_only(query.format.as_deref())?;
    let (limit, offset) = paging(query.page, query.per_page)?;
    let request = OrganizationsRequest {
        search: query.search,
        full: query.full == Some(true),
        full_service: query.full_service == Some(true),
        limit,
        offset,
    };
    Ok(Json(
        interchange::hsds_organizations(&app.store, request).await?,
    ))
}

#[derive(Deserialize)]
struct OrganizationQuery {
    full_service: Option<bool>,
}

/// One organization with its kind and its public services (in full with `full_service=true`).
#[utoipa::path(
    get,
    path = "/hsds/organizations/{id}",
    tag = "hsds",
    operation_id = "getHsdsOrganization",
    summary = r#"One HSDS organization with its kind and its public services"#,
    params(
        ("id" = String, Path, description = r#"The organization's HSDS id (a UUID)."#),
        ("full_service" = Option<bool>, Query, description = r#"`true`: each service fully nested."#),
    ),
    responses(
        crate::http::responses::MalformedQuery,
        (status = 200, description = r#"The organization."#, content((crate::hsds::Organization = "application/json"))),
        crate::http::responses::NotFound,
    ),
)]
async fn organization(
    State(app): State<AppState>,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<OrganizationQuery>,
) -> AppResult<Json<Organization>> {
    let full_service = query.full_service == Some(true);
    Ok(Json(
        interchange::hsds_organization(&app.store, &id, full_service).await?,
    ))
}

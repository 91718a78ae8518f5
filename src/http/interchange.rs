//! `/api/v1/export/{stakeholders,offerings,needs}.csv` and `/api/v1/import/{stakeholders,offerings}`:
//! the registry as spreadsheets.
//!
//! Exports follow the visibility rules of the listings: without a token, active records only and
//! no contact or personal-profile columns at all (gender, age, social category, SHG membership,
//! block); with one, contact columns and `status=` as in the listings. The
//! store is read 500 records at a time; the file itself is built in memory (about 1 KiB per
//! record) before it is sent. Imports are checked whole before one transaction stores them
//! (see [`crate::interchange::import`]).

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{Authenticated, CsvBody, MAX_CSV_BODY_BYTES, MaybeCaller, QueryParams};
use super::stakeholders::{shown, status_filter, writable_owner};
use crate::domain::access::Caller;
use crate::domain::offering::LinkageKind;
use crate::domain::record::Provenance;
use crate::domain::stakeholder::StakeholderKind;
use crate::interchange::import::{self, ImportError, ImportOptions, MAX_HTTP_IMPORT_ROWS};
use crate::interchange::table::TableWriter;
use crate::interchange::{needs, offerings, stakeholders};
use crate::store::StoreResult;
use crate::store::interchange::{NeedExport, OfferingExport, StakeholderExport};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/export/stakeholders.csv", get(export_stakeholders))
        .route("/export/offerings.csv", get(export_offerings))
        .route("/export/needs.csv", get(export_needs))
        .route(
            "/import/stakeholders",
            post(import_stakeholders).layer(DefaultBodyLimit::max(MAX_CSV_BODY_BYTES)),
        )
        .route(
            "/import/offerings",
            post(import_offerings).layer(DefaultBodyLimit::max(MAX_CSV_BODY_BYTES)),
        )
}

/// Records read from the store at a time while exporting.
const EXPORT_PAGE: i64 = 500;

#[derive(Deserialize)]
struct ExportQuery {
    district: Option<String>,
    kind: Option<String>,
    status: Option<String>,
}

fn trimmed(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn parse_kind<T>(
    text: Option<&str>,
    parse: fn(&str) -> Option<T>,
    expected: fn() -> String,
) -> AppResult<Option<T>> {
    match text {
        None => Ok(None),
        Some(text) => parse(text).map(Some).ok_or_else(|| {
            AppError::field("kind", format!("unknown kind `{text}`: {}", expected()))
        }),
    }
}

fn write_failed(error: csv::Error) -> AppError {
    AppError::Internal(format!("writing an export: {error}"))
}

/// A CSV download named after what it holds: `sangam-stakeholders-up-mirzapur.csv`.
fn csv_file(what: &str, district: Option<&str>, body: Vec<u8>) -> Response {
    let place: String = district
        .unwrap_or("all")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"sangam-{what}-{place}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A CSV file of every record `fetch_page` yields, a page of [`EXPORT_PAGE`] at a time, each
/// page starting after the id of the last record of the one before.
async fn csv_of_pages<T, Fetch, Page>(
    columns: &[&str],
    fetch_page: Fetch,
    id_of: impl Fn(&T) -> &String,
    row_of: impl Fn(&T) -> Vec<String>,
) -> AppResult<Vec<u8>>
where
    Fetch: Fn(Option<String>) -> Page,
    Page: std::future::Future<Output = StoreResult<Vec<T>>>,
{
    let mut writer = TableWriter::new(columns).map_err(write_failed)?;
    let mut after: Option<String> = None;
    loop {
        let page = fetch_page(after.take()).await?;
        for record in &page {
            writer.write_row(&row_of(record)).map_err(write_failed)?;
        }
        match page.last() {
            Some(last) if page.len() as i64 == EXPORT_PAGE => after = Some(id_of(last).clone()),
            _ => break,
        }
    }
    writer.finish().map_err(write_failed)
}

async fn export_stakeholders(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    QueryParams(query): QueryParams<ExportQuery>,
) -> AppResult<Response> {
    let kind = trimmed(query.kind);
    let filter = StakeholderExport {
        district: trimmed(query.district),
        kind: parse_kind(
            kind.as_deref(),
            StakeholderKind::parse,
            StakeholderKind::expected,
        )?,
        statuses: status_filter(&caller, query.status.as_deref())?,
    };
    let private = caller.is_some();
    let (store, filter) = (&app.store, &filter);
    let body = csv_of_pages(
        &stakeholders::columns(private),
        |after| async move {
            store
                .export_stakeholders_page(filter, after.as_deref(), EXPORT_PAGE)
                .await
        },
        |stakeholder| &stakeholder.id,
        |stakeholder| stakeholders::row(&shown(&caller, stakeholder.clone()), private),
    )
    .await?;
    Ok(csv_file("stakeholders", filter.district.as_deref(), body))
}

async fn export_offerings(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    QueryParams(query): QueryParams<ExportQuery>,
) -> AppResult<Response> {
    let kind = trimmed(query.kind);
    let filter = OfferingExport {
        district: trimmed(query.district),
        kind: parse_kind(kind.as_deref(), LinkageKind::parse, LinkageKind::expected)?,
        statuses: status_filter(&caller, query.status.as_deref())?,
        active_providers_only: caller.is_none(),
    };
    let (store, filter) = (&app.store, &filter);
    let body = csv_of_pages(
        offerings::COLUMNS,
        |after| async move {
            store
                .export_offerings_page(filter, after.as_deref(), EXPORT_PAGE)
                .await
        },
        |(offering, _)| &offering.id,
        |(offering, provider_name)| offerings::row(offering, provider_name),
    )
    .await?;
    Ok(csv_file("offerings", filter.district.as_deref(), body))
}

async fn export_needs(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    QueryParams(query): QueryParams<ExportQuery>,
) -> AppResult<Response> {
    let kind = trimmed(query.kind);
    let filter = NeedExport {
        district: trimmed(query.district),
        kind: parse_kind(kind.as_deref(), LinkageKind::parse, LinkageKind::expected)?,
        statuses: status_filter(&caller, query.status.as_deref())?,
        active_owners_only: caller.is_none(),
    };
    let (store, filter) = (&app.store, &filter);
    let body = csv_of_pages(
        needs::COLUMNS,
        |after| async move {
            store
                .export_needs_page(filter, after.as_deref(), EXPORT_PAGE)
                .await
        },
        |(need, _)| &need.id,
        |(need, owner_name)| needs::row(need, owner_name),
    )
    .await?;
    Ok(csv_file("needs", filter.district.as_deref(), body))
}

#[derive(Deserialize)]
struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    allow_duplicate: bool,
}

impl From<ImportError> for AppError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Unreadable(why) => AppError::BadRequest(why),
            ImportError::Invalid(errors) => AppError::Validation(errors),
            too_many @ ImportError::TooManyRows { .. } => AppError::TooLarge(too_many.to_string()),
            ImportError::Duplicates(rows) => AppError::Conflict {
                message: "some rows look like stakeholders already registered (or like earlier rows); nothing was stored; repeat with ?allow_duplicate=true to import them anyway".into(),
                details: Some(json!({"rows": rows})),
            },
            ImportError::Store(error) => error.into(),
        }
    }
}

/// Bulk imports are for facilitators and admins.
fn require_importer(caller: &Caller) -> AppResult<()> {
    if caller.role.may_moderate() {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "role `{}` may not import files; ask a facilitator",
            caller.role
        )))
    }
}

fn created(ids: Vec<String>) -> Response {
    (
        StatusCode::CREATED,
        Json(json!({"created": ids.len(), "ids": ids})),
    )
        .into_response()
}

/// Creates a stakeholder per row, all or none (facilitators and admins).
async fn import_stakeholders(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<ImportQuery>,
    CsvBody(body): CsvBody,
) -> AppResult<Response> {
    require_importer(&caller)?;
    let options = ImportOptions {
        allow_duplicate: query.allow_duplicate,
        max_rows: MAX_HTTP_IMPORT_ROWS,
    };
    let plan = import::check(&app.store, &body, options, &mut |_| {}).await?;
    for (row, new) in plan.rows.iter().zip(&plan.stakeholders) {
        if !caller.may_act_in(&new.data.district) {
            return Err(AppError::Forbidden(format!(
                "row {row}: this token writes only in {}; `{}` is not one of them",
                caller.districts.join(", "),
                new.data.district
            )));
        }
    }
    if query.dry_run {
        return Ok(Json(json!({
            "would_create": plan.stakeholders.len(),
            "duplicates": plan.duplicates,
        }))
        .into_response());
    }
    let ids = import::commit(
        &app.store,
        &plan,
        &Provenance::import(&caller.name),
        &mut || {},
    )
    .await?;
    Ok(created(ids))
}

#[derive(Deserialize)]
struct OfferingImportQuery {
    #[serde(default)]
    dry_run: bool,
}

/// Creates an offering per row for the provider its `provider_id` names, all or none.
async fn import_offerings(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<OfferingImportQuery>,
    CsvBody(body): CsvBody,
) -> AppResult<Response> {
    require_importer(&caller)?;
    let plan =
        import::check_offerings(&app.store, &body, MAX_HTTP_IMPORT_ROWS, &mut |_| {}).await?;
    let providers: std::collections::BTreeSet<&String> = plan
        .offerings
        .iter()
        .map(|(provider, _)| provider)
        .collect();
    for provider in providers {
        writable_owner(&app, &caller, provider).await?;
    }
    if query.dry_run {
        return Ok(Json(json!({"would_create": plan.offerings.len()})).into_response());
    }
    let ids = import::commit_offerings(
        &app.store,
        &plan,
        &Provenance::import(&caller.name),
        &mut || {},
    )
    .await?;
    Ok(created(ids))
}

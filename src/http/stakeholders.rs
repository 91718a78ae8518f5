//! `/api/v1/stakeholders`: who is in the registry.

use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{Authenticated, JsonBody, MaybeCaller, PathParam, QueryParams};
use super::patch;
use crate::app::registry;
use crate::domain::access::Caller;
use crate::domain::record::Status;
use crate::domain::stakeholder::{Stakeholder, StakeholderInput, StakeholderKind};
use crate::domain::visibility::Audience;
use crate::store::registry::{StakeholderFilter, StatusFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stakeholders", get(list).post(create))
        .route(
            "/stakeholders/{id}",
            get(show).patch(update).delete(archive),
        )
        .route("/stakeholders/{id}/erase", post(erase))
}

const STAKEHOLDER_FIELDS: &[&str] = &[
    "kind",
    "name",
    "name_local",
    "district",
    "districts_served",
    "description",
    "contact",
    "profile",
    "status",
];

/// Whom a response is for: the public without a token (see [`Audience`], the one rule).
pub(super) fn audience(caller: &Option<Caller>) -> Audience {
    registry::audience(caller.as_ref())
}

/// Anyone sees active records; token holders also see pending and archived ones.
pub(super) fn visible_to(caller: &Option<Caller>, status: Status) -> bool {
    audience(caller).sees_status(status)
}

/// A stakeholder as this caller may see it: contacts and profile only with a token, the consent
/// record only for facilitators and admins.
pub(super) fn shown(caller: &Option<Caller>, stakeholder: Stakeholder) -> Stakeholder {
    audience(caller).stakeholder(stakeholder)
}

/// The statuses a listing may include: `status=pending|archived|active|all`, for token holders.
pub(super) fn status_filter(
    caller: &Option<Caller>,
    requested: Option<&str>,
) -> AppResult<StatusFilter> {
    let Some(text) = requested.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(StatusFilter::public());
    };
    if caller.is_none() && text != "active" {
        return Err(AppError::Unauthorized);
    }
    if text == "all" {
        return Ok(StatusFilter::only(Status::ALL.to_vec()));
    }
    let status = Status::parse(text).ok_or_else(|| {
        AppError::field(
            "status",
            format!("unknown value `{text}`: {} or all", Status::expected()),
        )
    })?;
    Ok(StatusFilter::only(vec![status]))
}

/// `limit` and `offset` within bounds, or a 422 naming the one that is not.
pub(super) fn page(limit: Option<i64>, offset: Option<i64>) -> AppResult<(i64, i64)> {
    let limit = limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(AppError::field("limit", "must be between 1 and 500"));
    }
    let offset = offset.unwrap_or(0);
    if !(0..=1_000_000).contains(&offset) {
        return Err(AppError::field("offset", "must be between 0 and 1,000,000"));
    }
    Ok((limit, offset))
}

#[derive(Deserialize)]
struct ListQuery {
    district: Option<String>,
    kind: Option<String>,
    q: Option<String>,
    status: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

async fn list(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    QueryParams(query): QueryParams<ListQuery>,
) -> AppResult<Json<Vec<Stakeholder>>> {
    let kind = match query
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        None => None,
        Some(text) => Some(StakeholderKind::parse(text).ok_or_else(|| {
            AppError::field(
                "kind",
                format!("unknown kind `{text}`: {}", StakeholderKind::expected()),
            )
        })?),
    };
    let (limit, offset) = page(query.limit, query.offset)?;
    let filter = StakeholderFilter {
        district: query
            .district
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty()),
        kind,
        q: query.q.filter(|q| !q.trim().is_empty()),
        statuses: status_filter(&caller, query.status.as_deref())?,
        limit,
        offset,
    };
    let found = app.store.list_stakeholders(&filter).await?;
    Ok(Json(found.into_iter().map(|s| shown(&caller, s)).collect()))
}

#[derive(Deserialize)]
struct CreateQuery {
    #[serde(default)]
    allow_duplicate: bool,
}

async fn create(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    QueryParams(query): QueryParams<CreateQuery>,
    JsonBody(input): JsonBody<StakeholderInput>,
) -> AppResult<Response> {
    let stored =
        registry::create_stakeholder(&app.store, &caller, input, query.allow_duplicate).await?;
    let location = format!("/api/v1/stakeholders/{}", stored.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(stored)).into_response())
}

async fn show(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> AppResult<Response> {
    let stakeholder = registry::show_stakeholder(&app.store, caller.as_ref(), &id).await?;
    Ok(patch::with_etag(stakeholder.meta.version, stakeholder))
}

/// Edits fields (a merge patch) and, for facilitators, moves the status (approve, archive,
/// restore), in one transaction on the record as stored (see [`registry::edit_stakeholder`]).
/// Everything is checked before anything is written.
async fn update(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> AppResult<Response> {
    let based_on = patch::if_match(&headers)?;
    let status = patch::requested_status(&body)?;
    let content = patch::touches_content(&body).then_some(
        |current: &Stakeholder| -> crate::app::Result<StakeholderInput> {
            let mut input = patch::apply(&current.data.to_input(), &body, STAKEHOLDER_FIELDS)
                .map_err(patch::as_invalid)?;
            registry::served_follows_home(
                &current.data,
                &mut input,
                body.get("districts_served").is_some(),
            );
            Ok(input)
        },
    );
    let edit = registry::RecordEdit {
        based_on,
        content,
        status,
    };
    let updated = registry::edit_stakeholder(&app.store, &caller, &id, edit).await?;
    Ok(patch::with_etag(updated.meta.version, updated))
}

/// Erases the person's personal data on their request ([`crate::store::erasure`]): for
/// facilitators and admins, irreversible, answered with what is left.
async fn erase(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Stakeholder>> {
    let scrub = registry::Scrub {
        search: app.search.as_ref(),
        spool: app.spool.as_ref(),
    };
    Ok(Json(
        registry::erase_stakeholder(&app.store, &caller, &id, scrub).await?,
    ))
}

/// Deleting archives: the record and its offerings and needs leave listings and search, and
/// can be restored with `PATCH {"status": "active"}`.
async fn archive(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Stakeholder>> {
    Ok(Json(
        registry::archive_stakeholder(&app.store, &caller, &id).await?,
    ))
}

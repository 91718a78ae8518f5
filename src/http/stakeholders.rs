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
use super::extract::{
    Authenticated, JsonBody, MaybeCaller, PathParam, QueryParams, require_district,
};
use super::patch;
use crate::domain::access::Caller;
use crate::domain::geography::Catalog;
use crate::domain::record::{Provenance, Status};
use crate::domain::stakeholder::StakeholderData;
use crate::domain::stakeholder::{Stakeholder, StakeholderInput, StakeholderKind};
use crate::domain::visibility::Audience;
use crate::store::registry::{Change, OnDuplicate, StakeholderFilter, StatusFilter};

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
    Audience::of(caller.as_ref().map(|caller| caller.role))
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
    let catalog = app.store.catalog().await?;
    let data = input.validate_with(&catalog)?;
    require_district(&caller, &data.district)?;
    let on_duplicate = if query.allow_duplicate {
        OnDuplicate::Flag
    } else {
        OnDuplicate::Refuse
    };
    let stored = app
        .store
        .insert_stakeholder(
            &data,
            &[],
            &[],
            &Provenance::api(&caller.name),
            on_duplicate,
        )
        .await?;
    let location = format!("/api/v1/stakeholders/{}", stored.stakeholder.id);
    Ok((
        StatusCode::CREATED,
        [(LOCATION, location)],
        Json(stored.stakeholder),
    )
        .into_response())
}

async fn show(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    PathParam(id): PathParam<String>,
) -> AppResult<Response> {
    let stakeholder = app
        .store
        .get_stakeholder(&id)
        .await?
        .filter(|s| visible_to(&caller, s.meta.status))
        .ok_or_else(|| AppError::not_found("stakeholder"))?;
    let version = stakeholder.meta.version;
    Ok(patch::with_etag(version, shown(&caller, stakeholder)))
}

/// Edits fields (a merge patch) and, for facilitators, moves the status (approve, archive,
/// restore), in one transaction on the record as stored (see [`patch`]). Everything is checked
/// before anything is written.
async fn update(
    State(app): State<AppState>,
    caller: Authenticated,
    PathParam(id): PathParam<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> AppResult<Response> {
    let if_match = patch::if_match(&headers)?;
    let status = patch::requested_status(&body)?;
    let catalog = app.store.catalog().await?;
    let updated = app
        .store
        .edit_stakeholder_with(&id, &caller.0.name, |current| {
            decide_edit(&caller, current, &body, status, if_match, &catalog)
        })
        .await?;
    Ok(patch::with_etag(updated.meta.version, updated))
}

/// What a PATCH changes in the stakeholder as stored, or why it may not.
fn decide_edit(
    caller: &Authenticated,
    current: &Stakeholder,
    body: &Value,
    status: Option<Status>,
    if_match: Option<i64>,
    catalog: &Catalog,
) -> AppResult<Option<Change<StakeholderData>>> {
    caller.require_district(&current.data.district)?;
    patch::based_on(if_match, &current.meta)?;
    let status = status.filter(|s| *s != current.meta.status);
    if status.is_some() {
        caller.require_moderator()?;
    }
    let data = if patch::touches_content(body) {
        let mut input = patch::apply(&current.data.to_input(), body, STAKEHOLDER_FIELDS)?;
        // A record that served only its home district moves with it, unless told otherwise.
        let served_only_home = current.data.districts_served == [current.data.district.clone()];
        if served_only_home
            && body.get("district").is_some()
            && body.get("districts_served").is_none()
        {
            input.districts_served = None;
        }
        let data = input.validate_with(catalog)?;
        // Moving a record to another district is writing there too.
        caller.require_district(&data.district)?;
        Some(data).filter(|d| *d != current.data)
    } else {
        None
    };
    Ok((data.is_some() || status.is_some()).then_some(Change { data, status }))
}

/// Erases the person's personal data on their request ([`crate::store::erasure`]): for
/// facilitators and admins, irreversible, answered with what is left.
async fn erase(
    State(app): State<AppState>,
    caller: Authenticated,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Stakeholder>> {
    moderate_existing(&app, &caller, &id).await?;
    let erased = app.store.erase_stakeholder(&id, &caller.0.name).await?;
    scrub_after_erasure(&app, &erased.forgotten_messages).await;
    Ok(Json(erased.stakeholder))
}

/// After an erasure, makes the old text leave the disk, not only the answers: the search index
/// rewrites the segments that held it, the SMS spool drops the messages to or about the person,
/// and SQLite's write-ahead log is emptied into the scrubbed database file. The erasure itself
/// is committed already, so a step that fails is logged and retried by the next erasure (each
/// step covers everything erased before it), not reported as a failed request.
async fn scrub_after_erasure(app: &AppState, forgotten_messages: &[i64]) {
    if let Some(index) = app.search.as_ref().filter(|index| index.is_writable()) {
        match app.store.latest_change().await {
            Ok(erased_at) => {
                index.notify_write();
                let mut cursor = index.watch_cursor();
                let indexed = tokio::time::timeout(
                    ERASURE_INDEX_WAIT,
                    cursor.wait_for(|reached| *reached >= erased_at),
                )
                .await
                .is_ok_and(|reached| reached.is_ok());
                if !indexed {
                    tracing::warn!(
                        "the search index did not reach the erasure in time; its old segments are purged by the next erasure"
                    );
                } else if let Err(error) = index.purge_deleted().await {
                    tracing::warn!(%error, "could not purge erased text from the search index");
                }
            }
            Err(error) => tracing::warn!(%error, "could not read the change log after an erasure"),
        }
    }
    if let Some(spool) = &app.spool
        && let Err(error) = spool.drop_messages(forgotten_messages).await
    {
        tracing::warn!(%error, "could not drop erased messages from the SMS spool");
    }
    match app.store.scrub_freed_space().await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            "readers held SQLite's write-ahead log; it is emptied at the next erasure or checkpoint"
        ),
        Err(error) => tracing::warn!(%error, "could not checkpoint the database after an erasure"),
    }
}

/// How long an erasure waits for the search index to apply it before purging old segments.
const ERASURE_INDEX_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The stakeholder whose records (its offerings, its needs) the caller is about to write:
/// 404 if there is none, 403 if it is in a district the caller's token does not write in.
pub(super) async fn writable_owner(
    app: &AppState,
    caller: &Caller,
    id: &str,
) -> AppResult<Stakeholder> {
    let owner = app
        .store
        .get_stakeholder(id)
        .await?
        .ok_or_else(|| AppError::not_found("stakeholder"))?;
    require_district(caller, &owner.data.district)?;
    Ok(owner)
}

/// Archiving and erasing: only for facilitators and admins of the stakeholder's district, and
/// only for a stakeholder that is there (404 otherwise).
async fn moderate_existing(app: &AppState, caller: &Authenticated, id: &str) -> AppResult<()> {
    caller.require_moderator()?;
    let stakeholder = app
        .store
        .get_stakeholder(id)
        .await?
        .ok_or_else(|| AppError::not_found("stakeholder"))?;
    caller.require_district(&stakeholder.data.district)
}

/// Deleting archives: the record and its offerings and needs leave listings and search, and
/// can be restored with `PATCH {"status": "active"}`.
async fn archive(
    State(app): State<AppState>,
    caller: Authenticated,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Stakeholder>> {
    moderate_existing(&app, &caller, &id).await?;
    Ok(Json(
        app.store
            .set_stakeholder_status(&id, Status::Archived, &caller.0.name)
            .await?,
    ))
}

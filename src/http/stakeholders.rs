//! `/api/v1/stakeholders`: who is in the registry.

use axum::Json;
use axum::extract::State;
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{Authenticated, JsonBody, MaybeCaller, PathParam, QueryParams, query_word};
use super::patch;
use crate::app::registry;
use crate::domain::access::Caller;
use crate::domain::record::Status;
use crate::domain::stakeholder::{Stakeholder, StakeholderInput, StakeholderKind};
use crate::store::registry::{StakeholderFilter, StatusFilter};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, archive))
        .routes(routes!(erase))
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
    "linkage_limit",
    "status",
];

/// The statuses a listing may include: `status=pending|archived|active|all`, for token holders.
pub(super) fn status_filter(
    caller: &Option<Caller>,
    requested: Option<&str>,
) -> AppResult<StatusFilter> {
    let Some(text) = query_word("status", requested)? else {
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

#[utoipa::path(
    get,
    path = "/stakeholders",
    tag = "stakeholders",
    operation_id = "listStakeholders",
    summary = r#"List stakeholders"#,
    description = r#"Newest first. Without a token only `active` records are listed and contact fields are null."#,
    params(
        ("district" = Option<String>, Query, description = r#"District code. Matches stakeholders based in the district or serving it (`districts_served`). An unknown code finds nothing."#, example = json!("up-mirzapur")),
        ("kind" = inline(Option<crate::http::openapi::StakeholderKindOrEmpty>), Query, description = r#"Only this kind."#),
        ("q" = Option<String>, Query, description = r#"Text contained in the English or local name, case-insensitive."#, example = json!("sunita")),
        ("status" = inline(Option<crate::http::openapi::StatusParam>), Query, description = r#"Which statuses to include; default `active`. Anything but `active` needs a token: `pending` is the queue of public registrations waiting for approval."#),
        ("limit" = Option<i64>, Query, description = r#"How many to return."#, minimum = 1, maximum = 500),
        ("offset" = Option<i64>, Query, description = r#"How many to skip, for paging."#, minimum = 0, maximum = 1000000),
    ),
    responses(
        (status = 200, description = r#"One page of stakeholders (maybe empty)."#, content(([crate::domain::stakeholder::Stakeholder] = "application/json", example = json!([{"id": "st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8", "kind": "micro_entrepreneur", "name": "Sunita Devi", "name_local": "सुनीता देवी", "district": "up-mirzapur", "districts_served": ["up-mirzapur"], "description": "Runs a tailoring unit from home; wants two more sewing machines. घर से सिलाई का काम।", "contact": {"person": null, "phone": null, "email": null}, "profile": {"gender": "female", "age": 31, "social_category": "SC", "shg_member": true, "sector": "tailoring", "stage": "early", "block": "Chhanbey"}, "status": "active", "created_via": "api", "created_by": "MEC Mirzapur", "created_at": "2026-11-23T07:41:12.345Z", "updated_at": "2026-11-23T07:41:12.345Z", "demo": false}])))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::Invalid,
    ),
    security((), ("bearerAuth" = [])),
)]
async fn list(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    QueryParams(query): QueryParams<ListQuery>,
) -> AppResult<Json<Vec<Stakeholder>>> {
    let kind = match query_word("kind", query.kind.as_deref())? {
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
        pending_only_in: caller.as_ref().and_then(Caller::pending_scope),
        limit,
        offset,
    };
    Ok(Json(
        registry::list_stakeholders(&app.store, caller.as_ref(), filter).await?,
    ))
}

#[derive(Deserialize)]
struct CreateQuery {
    #[serde(default)]
    allow_duplicate: bool,
}

#[utoipa::path(
    post,
    path = "/stakeholders",
    tag = "stakeholders",
    operation_id = "createStakeholder",
    summary = r#"Register a stakeholder"#,
    description = r#"Creates an `active` record. If it looks like one already registered (same phone anywhere, or same name in the same district, ignoring case, spacing and punctuation; archived records not counted) the answer is 409 listing the lookalikes; repeat with `?allow_duplicate=true` to add it anyway. Unknown keys in the body are ignored."#,
    params(
        ("allow_duplicate" = Option<bool>, Query, description = r#"`true` stores the record even if it looks like an existing one. Only `true` or `false`."#),
    ),
    request_body(content((crate::domain::stakeholder::StakeholderInput = "application/json", examples(("entrepreneur" = (summary = r#"A woman tailor in Mirzapur"#, value = json!({"kind": "micro_entrepreneur", "name": "Sunita Devi", "name_local": "सुनीता देवी", "district": "up-mirzapur", "description": "Runs a tailoring unit from home; wants two more sewing machines. घर से सिलाई का काम।", "contact": {"person": "Sunita Devi", "phone": "098765-43210", "email": null}, "profile": {"gender": "female", "age": 31, "social_category": "SC", "shg_member": true, "sector": "tailoring", "stage": "early", "block": "Chhanbey"}}))), ("shg" = (summary = r#"A self-help group"#, value = json!({"kind": "shg", "name": "Jai Maa Durga Mahila SHG", "name_local": "जय माँ दुर्गा महिला स्वयं सहायता समूह", "district": "br-gaya", "description": "Agarbatti rolling; 12 members. अगरबत्ती बनाने का काम।", "contact": {"person": "Kiran Kumari", "phone": "+91 91234 56780"}, "profile": {"gender": "female", "shg_member": true, "sector": "agarbatti", "stage": "established", "block": "Bodh Gaya", "members": 12}}))), ("bank" = (summary = r#"A bank branch serving two districts"#, value = json!({"kind": "bank", "name": "Bank of Baroda, Gyanpur", "name_local": "बैंक ऑफ़ बड़ौदा, ज्ञानपुर", "district": "up-bhadohi", "districts_served": ["up-bhadohi", "up-mirzapur"], "description": "MUDRA loans and SHG–bank linkage.", "contact": {"person": "Branch Manager", "phone": "+91 94150 00000", "email": "bob.gyanpur@example.in"}}))))))),
    responses(
        (status = 201, description = r#"Stored. The reply is the stored record, phone normalised and defaults filled in."#, content((crate::domain::stakeholder::Stakeholder = "application/json", example = json!({"id": "st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8", "kind": "micro_entrepreneur", "name": "Sunita Devi", "name_local": "सुनीता देवी", "district": "up-mirzapur", "districts_served": ["up-mirzapur"], "description": "Runs a tailoring unit from home; wants two more sewing machines. घर से सिलाई का काम।", "contact": {"person": "Sunita Devi", "phone": "+919876543210", "email": null}, "profile": {"gender": "female", "age": 31, "social_category": "SC", "shg_member": true, "sector": "tailoring", "stage": "early", "block": "Chhanbey"}, "status": "active", "created_via": "api", "created_by": "MEC Mirzapur", "created_at": "2026-11-23T07:41:12.345Z", "updated_at": "2026-11-23T07:41:12.345Z", "demo": false}))), headers(("Location" = String, description = r#"Path of the new record, e.g. `/api/v1/stakeholders/st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8`."#))),
        crate::http::responses::ForbiddenToWrite,
        crate::http::responses::JsonWriteErrors,
        (status = 409, description = r#"This looks like a stakeholder already registered. `details.duplicates` lists the lookalikes and why; repeat with `?allow_duplicate=true` to store it anyway."#, content((crate::http::error::ErrorReply = "application/json", example = json!({"error": {"code": "conflict", "message": "this looks like a stakeholder already registered; repeat with ?allow_duplicate=true to add it anyway", "details": {"duplicates": [{"id": "st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8", "name": "Sunita Devi", "reason": "same name in the same district"}]}}})))),
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["consultant", "facilitator", "admin"]))),
)]
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

#[utoipa::path(
    get,
    path = "/stakeholders/{id}",
    tag = "stakeholders",
    operation_id = "getStakeholder",
    summary = r#"One stakeholder"#,
    description = r#"Without a token: only `active` records, with contact fields null. With a token: any status, with contact details, except that a registration still `pending` review is shown only to tokens of its district (or of all districts): to others it is unknown (404)."#,
    params(
        ("id" = String, Path, description = r#"Stakeholder id."#, example = json!("st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8")),
    ),
    responses(
        (status = 200, description = r#"The stakeholder."#, content((crate::domain::stakeholder::Stakeholder = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::NotFound,
    ),
    security((), ("bearerAuth" = [])),
)]
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
#[utoipa::path(
    patch,
    path = "/stakeholders/{id}",
    tag = "stakeholders",
    operation_id = "updateStakeholder",
    summary = r#"Edit a stakeholder, or change its status"#,
    description = r#"The body is a JSON merge patch (RFC 7396): send only what changes. Objects (`contact`, `profile`) merge key by key; arrays replace; `null` removes a field. The result is checked like a new record. Changing `district` does not change `districts_served`: send both, or `"districts_served": null` to reset it to the new district.

`status` is for facilitators and admins: `active` approves a pending registration or restores an archived record; `archived` archives. The stakeholder's offerings and needs that had its old status move with it. Sending the status the record already has is not a change and any role may do it.

Unknown keys are refused (422), so a typo never silently does nothing. Duplicates are not checked on edit."#,
    params(
        ("id" = String, Path, description = r#"Stakeholder id."#, example = json!("st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8")),
    ),
    request_body(content((crate::http::openapi::StakeholderPatch = "application/json", examples(("edit" = (summary = r#"Rename and move to a later stage"#, value = json!({"name": "Sunita Devi Kushwaha", "profile": {"stage": "established"}}))), ("newPhone" = (summary = r#"New phone, e-mail removed"#, value = json!({"contact": {"phone": "+91 98390 12345", "email": null}}))), ("approve" = (summary = r#"Approve a pending registration (facilitator, admin)"#, value = json!({"status": "active"}))), ("archive" = (summary = r#"Archive (facilitator, admin)"#, value = json!({"status": "archived"}))))), (crate::http::openapi::StakeholderPatch = "application/merge-patch+json"))),
    responses(
        (status = 200, description = r#"The record after the change (unchanged if nothing differed)."#, content((crate::domain::stakeholder::Stakeholder = "application/json"))),
        crate::http::responses::JsonWriteErrors,
        crate::http::responses::Forbidden,
        crate::http::responses::NotFound,
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["consultant", "facilitator", "admin"]))),
)]
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
#[utoipa::path(
    post,
    path = "/stakeholders/{id}/erase",
    tag = "stakeholders",
    operation_id = "eraseStakeholder",
    summary = r#"Erase a person's personal data on their request"#,
    description = r#"For facilitators and admins; cannot be undone. The name becomes `(erased)`; local name, description, contact, profile and duplicate flags are cleared; the stakeholder's needs and offerings lose title and description; reasons and notes of linkages involving them are cleared; all are archived and the search index rewrites them. Ids, statuses and linkage counts stay. Erasing again is harmless."#,
    params(
        ("id" = String, Path),
    ),
    responses(
        (status = 200, description = r#"What is left of the record."#, content((crate::domain::stakeholder::Stakeholder = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::Forbidden,
        crate::http::responses::NotFound,
    ),
    security(("bearerAuth" = [])),
)]
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
#[utoipa::path(
    delete,
    path = "/stakeholders/{id}",
    tag = "stakeholders",
    operation_id = "archiveStakeholder",
    summary = r#"Archive a stakeholder"#,
    description = r#"Nothing is deleted. The record, and its offerings and needs that had the same status, become `archived`: they leave public view and listings. Restore with `PATCH {"status": "active"}`. Archiving an archived record is harmless. An archived record is still there to read: `GET` with a token answers 200 with `status: "archived"` (without a token it is 404, like every record that is not active)."#,
    params(
        ("id" = String, Path, description = r#"Stakeholder id."#, example = json!("st_01936b2f5c8e7a41b9d2e3f4a5b6c7d8")),
    ),
    responses(
        (status = 200, description = r#"The archived record."#, content((crate::domain::stakeholder::Stakeholder = "application/json"))),
        crate::http::responses::Unauthorized,
        crate::http::responses::Forbidden,
        crate::http::responses::NotFound,
    ),
    security(("bearerAuth" = [])),
    extensions(("x-sangam-roles" = json!(["facilitator", "admin"]))),
)]
async fn archive(
    State(app): State<AppState>,
    Authenticated(caller): Authenticated,
    PathParam(id): PathParam<String>,
) -> AppResult<Json<Stakeholder>> {
    Ok(Json(
        registry::archive_stakeholder(&app.store, &caller, &id).await?,
    ))
}

//! `GET /api/v1/search`: offerings, needs and stakeholders by text, filters and facets.
//!
//! Anyone may search active records; token holders may add pending ones (`status=pending`,
//! `status=all` or `include_pending=true`). Archived records are never in the index. Parameters
//! are checked here (unknown type, kind, district or sector is a 422 naming the parameter); the
//! text itself is never an error.

use std::sync::LazyLock;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tokio::sync::Semaphore;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::error::{AppError, AppResult};
use super::extract::{MaybeCaller, QueryParams, query_word};
use super::stakeholders::status_filter;
use crate::domain::access::Caller;
use crate::domain::offering::LinkageKind;
use crate::domain::record::Status;
use crate::domain::stakeholder::StakeholderKind;
use crate::search::SearchIndex;
use crate::search::query::{DEFAULT_LIMIT, SearchRequest, SearchResults};
use crate::search::schema::DocType;

/// Text beyond this is ignored (only the first dozen words count anyway).
const MAX_QUERY_CHARS: usize = 1_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

#[derive(Deserialize, Default)]
pub(super) struct SearchParams {
    pub q: Option<String>,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub kind: Option<String>,
    pub district: Option<String>,
    pub sector: Option<String>,
    pub status: Option<String>,
    #[serde(default)]
    pub include_pending: bool,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

#[utoipa::path(
    get,
    path = "/search",
    tag = "search",
    operation_id = "search",
    summary = r#"Search offerings, needs and stakeholders"#,
    description = r#"Best matches first, with counts (facets) for narrowing down. `q` may be English or Hindi, in Devanagari or in Latin letters (`silai`, `सिलाई`). A write the API has acknowledged is visible to search within one second. Without a token only `active` records are found."#,
    params(
        ("q" = Option<String>, Query, description = r#"What to look for."#, example = json!("silai machine loan")),
        ("type" = inline(Option<crate::http::openapi::SearchTypeParam>), Query, description = r#"Only this type of record."#),
        ("kind" = inline(Option<crate::http::openapi::SearchKindParam>), Query, description = r#"Only this kind: a linkage kind for offerings and needs, a stakeholder kind for stakeholders."#),
        ("district" = Option<String>, Query, description = r#"District code."#, example = json!("up-bhadohi")),
        ("sector" = Option<String>, Query, description = r#"Sector code from `GET /api/v1/sectors`."#, example = json!("tailoring")),
        ("status" = inline(Option<crate::http::openapi::StatusParam>), Query, description = r#"Which statuses to include; default `active`. Anything but `active` needs a token: `pending` is the queue of public registrations waiting for approval."#),
        ("limit" = Option<i64>, Query, description = r#"How many to return."#, minimum = 1, maximum = 500),
        ("offset" = Option<i64>, Query, description = r#"How many to skip, for paging."#, minimum = 0, maximum = 1000000),
    ),
    responses(
        (status = 200, description = r#"One page of hits, the total, and facet counts."#, content((crate::search::query::SearchResults = "application/json", example = json!({"total": 12, "total_is_exact": true, "facets_are_exact": true, "hits": [{"type": "offering", "id": "of_01936b30a2c47e5f8b1d9c3e6a4f2b80", "title": "सिलाई प्रशिक्षण (30 दिन) / Tailoring course, 30 days", "snippet": "Free residential course with food and stay; credit linkage afterwards.", "score": 7.1, "kind": "training", "stakeholder_id": "st_01936b2e9d4c7b30a1f8e2d5c6b4a397", "districts": ["up-mirzapur", "up-bhadohi"]}], "facets": {"kind": {"training": 7, "finance": 5}, "district": {"up-mirzapur": 12, "up-bhadohi": 4}, "sector": {"tailoring": 9}}})))),
        crate::http::responses::Malformed,
        crate::http::responses::Unauthorized,
        crate::http::responses::Invalid,
    ),
    security((), ("bearerAuth" = [])),
)]
async fn search(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    QueryParams(params): QueryParams<SearchParams>,
) -> AppResult<Json<SearchResults>> {
    let mut results = run(&app, &caller, params).await?;
    for hit in &mut results.hits {
        hit.snippet = marked_html(&hit.snippet, &hit.matched);
    }
    Ok(Json(results))
}

/// A snippet as the API gives it: HTML with the matched words (byte ranges of `text`) in
/// `<b>…</b>` and everything else escaped.
fn marked_html(text: &str, matched: &[(usize, usize)]) -> String {
    let mut html = String::with_capacity(text.len() + 7 * matched.len());
    let mut at = 0;
    for &(start, end) in matched {
        let (Some(before), Some(word)) = (text.get(at..start), text.get(start..end)) else {
            continue; // not a range of this text: nothing to mark
        };
        escape_into(&mut html, before);
        html.push_str("<b>");
        escape_into(&mut html, word);
        html.push_str("</b>");
        at = end;
    }
    escape_into(&mut html, text.get(at..).unwrap_or_default());
    html
}

fn escape_into(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '&' => html.push_str("&amp;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            other => html.push(other),
        }
    }
}

/// Checks the parameters and runs the search: the API's and the search page's one path.
pub(super) async fn run(
    app: &AppState,
    caller: &Option<Caller>,
    params: SearchParams,
) -> AppResult<SearchResults> {
    let index = app
        .search
        .clone()
        .ok_or_else(|| AppError::Unavailable("search is not running in this process".into()))?;
    let request = request_from(&index, caller, params)?;
    // As many searches at once as there are cores: more only take turns on them as threads,
    // switching and evicting each other's caches, while a request waiting here costs nothing.
    let _turn = SEARCH_TURNS
        .acquire()
        .await
        .map_err(|e| AppError::fault("searching (the search queue)", e))?;
    let results = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(|e| AppError::fault("searching (the search thread)", e))??;
    Ok(results)
}

static SEARCH_TURNS: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
});

/// Checks every parameter and builds the request, or names the first bad one.
fn request_from(
    index: &SearchIndex,
    caller: &Option<Caller>,
    params: SearchParams,
) -> AppResult<SearchRequest> {
    let text: String = params
        .q
        .unwrap_or_default()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let doc_type = query_word("type", params.doc_type.as_deref())?
        .map(|text| {
            DocType::parse(text).ok_or_else(|| {
                AppError::field(
                    "type",
                    format!("unknown type `{text}`: must be one of offering, need, stakeholder"),
                )
            })
        })
        .transpose()?;
    let mut request = SearchRequest::new(text);
    request.doc_type = doc_type;
    request.kind = query_word("kind", params.kind.as_deref())?
        .map(|kind| checked_kind(doc_type, kind.to_string()))
        .transpose()?;
    request.district = present(params.district)
        .map(|code| checked_code(index, "district", code))
        .transpose()?;
    request.sector = present(params.sector)
        .map(|code| checked_code(index, "sector", code))
        .transpose()?;
    request.statuses = statuses(caller, params.status.as_deref(), params.include_pending)?;
    request.pending_only_in = caller.as_ref().and_then(Caller::pending_scope);
    request.limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    request.offset = params.offset.unwrap_or(0);
    Ok(request)
}

fn present(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A linkage kind for offerings and needs, a stakeholder kind for stakeholders, either without
/// a type.
fn checked_kind(doc_type: Option<DocType>, kind: String) -> AppResult<String> {
    let linkage = LinkageKind::parse(&kind).is_some();
    let stakeholder = StakeholderKind::parse(&kind).is_some();
    let known = match doc_type {
        Some(DocType::Stakeholder) => stakeholder,
        Some(_) => linkage,
        None => linkage || stakeholder,
    };
    if known {
        return Ok(kind);
    }
    let expected = match doc_type {
        Some(DocType::Stakeholder) => StakeholderKind::expected(),
        Some(_) => LinkageKind::expected(),
        None => format!(
            "{} (offerings and needs), or a stakeholder kind",
            LinkageKind::expected()
        ),
    };
    Err(AppError::field(
        "kind",
        format!("unknown kind `{kind}`: {expected}"),
    ))
}

/// A district or sector code the registry knows (checked against the index's gazetteer, which
/// the indexer keeps fresh; an empty gazetteer checks nothing).
fn checked_code(index: &SearchIndex, field: &str, code: String) -> AppResult<String> {
    let gazetteer = index.gazetteer();
    let known = gazetteer.is_empty()
        || match field {
            "district" => gazetteer.knows_district(&code),
            _ => gazetteer.knows_sector(&code),
        };
    if known {
        return Ok(code);
    }
    let hint = match field {
        "district" => "see GET /api/v1/districts",
        _ => "see GET /api/v1/sectors",
    };
    Err(AppError::field(
        field,
        format!("unknown {field} `{code}`; {hint}"),
    ))
}

/// Active only for the public; token holders may ask for pending records too.
fn statuses(
    caller: &Option<Caller>,
    requested: Option<&str>,
    include_pending: bool,
) -> AppResult<Vec<Status>> {
    let filter = status_filter(caller, requested)?;
    let mut statuses: Vec<Status> = [Status::Active, Status::Pending]
        .into_iter()
        .filter(|s| filter.admits(*s))
        .collect();
    if include_pending {
        if caller.is_none() {
            return Err(AppError::Unauthorized);
        }
        if !statuses.contains(&Status::Pending) {
            statuses.push(Status::Pending);
        }
    }
    Ok(statuses)
}

#[cfg(test)]
mod tests {
    use super::marked_html;

    #[test]
    fn the_api_marks_matched_words_and_escapes_the_rest() {
        let text = "<script> सिलाई & \"loan's\"";
        let start = text.find("सिलाई").unwrap();
        let html = marked_html(text, &[(start, start + "सिलाई".len())]);
        assert_eq!(
            html,
            "&lt;script&gt; <b>सिलाई</b> &amp; &quot;loan&#39;s&quot;"
        );
        assert_eq!(marked_html("plain", &[(2, 99)]), "plain");
    }
}

//! The public pages: `/` (what Sangam is, a search box, the ways in), `/search` (the search
//! API's own path, with its filters and facets as links, snippets and paging) and
//! `/stakeholders/{id}` (contacts only for signed-in roles). What a reader may see is decided by
//! the use cases and the search, exactly as for the API; this module renders.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::registry_texts::texts;
use super::review::{base, refusal};
use super::texts::Lang;
use super::{PageQuery, language, render};
use crate::app::registry;
use crate::domain::access::Caller;
use crate::domain::record::Status;
use crate::http::AppState;
use crate::http::error::AppError;
use crate::http::extract::{MaybeCaller, PathParam, QueryParams};
use crate::http::search::{self, SearchParams};
use crate::search::query::{Hit, SearchResults};

/// Hits per page.
const PAGE_SIZE: usize = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search_page))
        .route("/stakeholders/{id}", get(stakeholder_page))
}

async fn home(
    State(_app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    headers: HeaderMap,
    QueryParams(query): QueryParams<PageQuery>,
) -> Response {
    let lang = language(&query, &headers);
    let context = context! { signed_in => caller.is_some(), ..base(lang, "/") };
    render("home.html", context, StatusCode::OK)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    lang: Option<String>,
    q: String,
    #[serde(rename = "type")]
    doc_type: String,
    kind: String,
    district: String,
    sector: String,
    offset: usize,
}

impl SearchQuery {
    /// The filters as `(parameter, value)`, the empty ones left out.
    fn filters(&self) -> Vec<(&'static str, &str)> {
        [
            ("type", self.doc_type.as_str()),
            ("kind", self.kind.as_str()),
            ("district", self.district.as_str()),
            ("sector", self.sector.as_str()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .collect()
    }

    /// This search's address with `set` replacing (or, empty, removing) a filter and `offset`.
    fn href(&self, lang: Lang, set: Option<(&str, &str)>, offset: usize) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![("lang", lang.code()), ("q", self.q.as_str())];
        for (name, value) in self.filters() {
            if set.is_none_or(|(setting, _)| setting != name) {
                pairs.push((name, value));
            }
        }
        if let Some((name, value)) = set.filter(|(_, value)| !value.is_empty()) {
            pairs.push((name, value));
        }
        let offset = offset.to_string();
        if offset != "0" {
            pairs.push(("offset", &offset));
        }
        format!(
            "/search?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    }
}

#[derive(Serialize)]
struct Hidden {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
struct FacetValue {
    label: String,
    count: u64,
    href: String,
    active: bool,
}

#[derive(Serialize)]
struct FacetGroup {
    name: &'static str,
    label: &'static str,
    values: Vec<FacetValue>,
}

/// A piece of a snippet: the text, and whether it is a matched word.
#[derive(Serialize, Debug, PartialEq)]
struct Part {
    text: String,
    hit: bool,
}

#[derive(Serialize)]
struct HitView {
    id: String,
    stakeholder: String,
    title: String,
    title_local: Option<String>,
    type_label: &'static str,
    kind: String,
    provider: Option<String>,
    districts: Vec<String>,
    expired: bool,
    parts: Vec<Part>,
}

/// A snippet (plain text, and the byte ranges of its matched words) as pieces, so that the
/// page's template escapes every piece and marks the matched ones.
fn snippet_parts(text: &str, matched: &[(usize, usize)]) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut at = 0;
    let mut push = |piece: Option<&str>, hit: bool| {
        if let Some(piece) = piece.filter(|p| !p.is_empty()) {
            parts.push(Part {
                text: piece.to_string(),
                hit,
            });
        }
    };
    for &(start, end) in matched {
        if text.get(at..start).is_none() || text.get(start..end).is_none() {
            continue; // not a range of this text: nothing to mark
        }
        push(text.get(at..start), false);
        push(text.get(start..end), true);
        at = end;
    }
    push(text.get(at..), false);
    parts
}

fn hit_view(hit: Hit, lang: Lang, names: &Names) -> HitView {
    let t = texts(lang);
    let type_label = match hit.doc_type.as_str() {
        "offering" => t.offering,
        "need" => t.need,
        _ => t.stakeholder,
    };
    let stakeholder = if hit.doc_type == "stakeholder" {
        hit.id.clone()
    } else {
        hit.stakeholder_id.clone()
    };
    HitView {
        parts: snippet_parts(&hit.snippet, &hit.matched),
        id: hit.id,
        stakeholder,
        title: hit.title,
        title_local: hit.title_local,
        type_label,
        kind: names.of("kind", &hit.kind),
        provider: hit.provider,
        districts: hit
            .districts
            .iter()
            .map(|code| names.of("district", code))
            .collect(),
        expired: hit.expired,
    }
}

/// The names a search page shows for the codes the search returns — districts, sectors, kinds
/// and types — in the page's language; a code with no name (one added since) shows as itself.
pub(super) struct Names {
    districts: BTreeMap<String, String>,
    sectors: BTreeMap<String, String>,
    kinds: BTreeMap<&'static str, &'static str>,
    types: BTreeMap<&'static str, &'static str>,
}

impl Names {
    pub(super) async fn load(app: &AppState, lang: Lang) -> Result<Names, AppError> {
        let (districts, sectors) = tokio::try_join!(
            app.store.list_districts(None, None),
            app.store.list_sectors()
        )?;
        let local = |name: String, name_local: Option<String>| match (lang, name_local) {
            (Lang::Hindi, Some(local)) if !local.trim().is_empty() => local,
            _ => name,
        };
        let words = lang.texts();
        let t = texts(lang);
        Ok(Names {
            districts: districts
                .into_iter()
                .map(|d| (d.code, local(d.name, d.name_local)))
                .collect(),
            sectors: sectors
                .into_iter()
                .map(|s| (s.code, local(s.name, s.name_local)))
                .collect(),
            kinds: words
                .need_kinds
                .iter()
                .chain(words.kinds)
                .filter(|(code, _)| !code.is_empty())
                .copied()
                .collect(),
            types: [
                ("offering", t.offering),
                ("need", t.need),
                ("stakeholder", t.stakeholder),
            ]
            .into_iter()
            .collect(),
        })
    }

    /// The names for a template: `names.district[code]`, `names.sector[code]`,
    /// `names.kind[code]` (a template falls back to the code with `or`).
    pub(super) fn for_template(&self) -> Value {
        context! {
            district => Value::from(Serde(&self.districts)),
            sector => Value::from(Serde(&self.sectors)),
            kind => Value::from(Serde(&self.kinds)),
        }
    }

    /// The name of `code` in the facet `facet`.
    fn of(&self, facet: &str, code: &str) -> String {
        let found = match facet {
            "district" => self.districts.get(code).map(String::as_str),
            "sector" => self.sectors.get(code).map(String::as_str),
            "kind" => self.kinds.get(code).copied(),
            "type" => self.types.get(code).copied(),
            _ => None,
        };
        found.unwrap_or(code).to_string()
    }
}

fn facet_groups(
    query: &SearchQuery,
    results: &SearchResults,
    lang: Lang,
    names: &Names,
) -> Vec<FacetGroup> {
    let t = texts(lang);
    let facets = &results.facets;
    [
        ("type", t.filter_type, &facets.doc_type, &query.doc_type),
        ("kind", t.filter_kind, &facets.kind, &query.kind),
        (
            "district",
            t.filter_district,
            &facets.district,
            &query.district,
        ),
        ("sector", t.filter_sector, &facets.sector, &query.sector),
    ]
    .into_iter()
    .map(|(name, label, counts, current)| FacetGroup {
        name,
        label,
        values: counts
            .iter()
            .map(|(value, count)| FacetValue {
                label: names.of(name, value),
                count: *count,
                href: query.href(lang, Some((name, value)), 0),
                active: current == value,
            })
            .collect(),
    })
    .collect()
}

async fn search_page(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    headers: HeaderMap,
    QueryParams(query): QueryParams<SearchQuery>,
) -> Response {
    let lang = language(
        &PageQuery {
            lang: query.lang.clone(),
            reference: None,
        },
        &headers,
    );
    let t = texts(lang);
    let hidden: Vec<Hidden> = query
        .filters()
        .into_iter()
        .map(|(name, value)| Hidden {
            name,
            value: value.to_string(),
        })
        .collect();
    let mut context = context! {
        q => query.q.clone(),
        hidden => Value::from(Serde(hidden)),
        ..base(lang, "/search")
    };
    // The form alone until something is asked.
    if query.q.trim().is_empty() && query.filters().is_empty() {
        return render("search.html", context, StatusCode::OK);
    }
    let params = SearchParams {
        q: Some(query.q.clone()),
        doc_type: Some(query.doc_type.clone()),
        kind: Some(query.kind.clone()),
        district: Some(query.district.clone()),
        sector: Some(query.sector.clone()),
        limit: Some(PAGE_SIZE),
        offset: Some(query.offset),
        ..SearchParams::default()
    };
    let results = match search::run(&app, &caller, params).await {
        Ok(results) => results,
        Err(AppError::Validation(errors)) => {
            let why = errors
                .fields()
                .iter()
                .map(|(field, why)| format!("{field}: {why}"))
                .collect::<Vec<_>>()
                .join("; ");
            context = context! { error => why, ..context };
            return render("search.html", context, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(AppError::Unavailable(_)) => {
            context = context! { error => t.search_unavailable, ..context };
            return render("search.html", context, StatusCode::SERVICE_UNAVAILABLE);
        }
        Err(error) => return error.into_response(),
    };
    let names = match Names::load(&app, lang).await {
        Ok(names) => names,
        Err(error) => return error.into_response(),
    };
    let facets = facet_groups(&query, &results, lang, &names);
    let previous_href =
        (query.offset > 0).then(|| query.href(lang, None, query.offset.saturating_sub(PAGE_SIZE)));
    let next_href = (query.offset + PAGE_SIZE < results.total)
        .then(|| query.href(lang, None, query.offset + PAGE_SIZE));
    let hits: Vec<HitView> = results
        .hits
        .iter()
        .cloned()
        .map(|hit| hit_view(hit, lang, &names))
        .collect();
    let context = context! {
        results => Value::from(Serde(&results)),
        hits => Value::from(Serde(hits)),
        facets => Value::from(Serde(facets)),
        filters_on => !query.filters().is_empty(),
        clear_href => format!(
            "/search?{}",
            serde_urlencoded::to_string([("lang", lang.code()), ("q", query.q.as_str())])
                .unwrap_or_default()
        ),
        first => query.offset + 1,
        page => query.offset / PAGE_SIZE + 1,
        previous_href => previous_href,
        next_href => next_href,
        ..context
    };
    render("search.html", context, StatusCode::OK)
}

async fn stakeholder_page(
    State(app): State<AppState>,
    MaybeCaller(caller): MaybeCaller,
    headers: HeaderMap,
    PathParam(id): PathParam<String>,
    QueryParams(query): QueryParams<PageQuery>,
) -> Response {
    let lang = language(&query, &headers);
    let path = format!("/stakeholders/{id}");
    let caller: Option<&Caller> = caller.as_ref();
    match registry::stakeholder_view(&app.store, caller, &id).await {
        Ok(view) => {
            let may_edit = caller.is_some_and(|c| c.may_act_in(&view.stakeholder.data.district));
            let words = super::record_texts::record_texts(lang);
            let statuses: BTreeMap<&str, &str> =
                [Status::Active, Status::Pending, Status::Archived]
                    .into_iter()
                    .map(|status| (status.as_str(), super::records::status_label(words, status)))
                    .collect();
            let names = match Names::load(&app, lang).await {
                Ok(names) => names,
                Err(error) => return error.into_response(),
            };
            let context = context! {
                may_edit => may_edit,
                statuses => statuses,
                names => names.for_template(),
                sees_contacts => view.sees_personal_data,
                view => Value::from(Serde(view)),
                ..base(lang, &path)
            };
            render("stakeholder.html", context, StatusCode::OK)
        }
        Err(error) => refusal(lang, &path, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_becomes_pieces_that_the_page_escapes() {
        let text = "<script> silai training & loan";
        let at = |word: &str| {
            let start = text.find(word).unwrap();
            (start, start + word.len())
        };
        let parts = snippet_parts(text, &[at("silai"), at("loan")]);
        let texts: Vec<(&str, bool)> = parts.iter().map(|p| (p.text.as_str(), p.hit)).collect();
        assert_eq!(
            texts,
            [
                ("<script> ", false),
                ("silai", true),
                (" training & ", false),
                ("loan", true)
            ]
        );
        assert_eq!(
            snippet_parts("plain", &[]),
            [Part {
                text: "plain".into(),
                hit: false
            }]
        );
        // A range that is not in the text (or splits a character) marks nothing.
        assert_eq!(
            snippet_parts("सिलाई", &[(1, 2), (40, 50)]),
            [Part {
                text: "सिलाई".into(),
                hit: false
            }]
        );
    }
}

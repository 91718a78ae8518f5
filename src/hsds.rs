//! Offerings as services in the Open Referral Human Services Data Specification (HSDS 3.0), so
//! that directories and referral tools which read HSDS can read Sangam's registry.
//!
//! The mapping: an offering is a `service`; its provider is the service's `organization`; each
//! district it serves is a `service_area`; its linkage kind and sectors are `attributes` with
//! terms from two taxonomies of Sangam's own (`sangam:linkage-kind`, `sangam:sector`). Only what
//! anyone may see goes out: active offerings of active providers, never contact details. An
//! offering past its `valid_until` is `inactive`. HSDS asks for UUIDs: Sangam's ids are a prefix
//! and a UUID (`of_0190…`), so the UUID is the HSDS id and the prefix comes back on lookup; the
//! ids of nested objects are derived from what they join, so they stay the same between exports.
//! Pure: no HTTP, no SQL.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::geography::{District, Sector};
use crate::domain::money::rupees;
use crate::domain::offering::{Eligibility, LinkageKind, Offering, Terms};
use crate::domain::record::parse_date;
use crate::domain::stakeholder::Stakeholder;

pub const HSDS_VERSION: &str = "3.0";
pub const KIND_TAXONOMY: &str = "sangam:linkage-kind";
pub const SECTOR_TAXONOMY: &str = "sangam:sector";
pub const STAKEHOLDER_KIND_TAXONOMY: &str = "sangam:stakeholder-kind";
const OFFERING_PREFIX: &str = "of";
const STAKEHOLDER_PREFIX: &str = "st";

/// Names for the codes records carry.
pub struct Names<'a> {
    pub districts: &'a BTreeMap<String, District>,
    pub sectors: &'a BTreeMap<String, Sector>,
}

// The document's schemas of these types (`ToSchema`) follow HSDS 3.0: a fact Sangam does not
// have is an absent key, never null, as the official HSDS schemas require.

/// An HSDS 3.0 service with its one-to-one fields: one offering.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = HsdsServiceSummary)]
pub struct ServiceSummary {
    /// The UUID inside the offering's Sangam id (`of_<uuid>`).
    #[schema(format = Uuid)]
    pub id: String,
    /// The provider's HSDS id.
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub description: Option<String>,
    /// `active`, or `inactive` once `valid_until` has passed.
    #[schema(schema_with = service_status)]
    pub status: &'static str,
    /// The offering's eligibility rules in one sentence; absent when anyone may apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub eligibility_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub minimum_age: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub maximum_age: Option<i64>,
    /// For credit, what it costs: interest and tenure.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub fees_description: Option<String>,
    #[schema(value_type = crate::domain::schema::Timestamp)]
    pub last_modified: String,
}

/// The two statuses of an HSDS service here.
fn service_status() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(["active", "inactive"]))
        .build()
}

/// An HSDS 3.0 service, fully nested.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = HsdsService)]
pub struct Service {
    #[serde(flatten)]
    pub summary: ServiceSummary,
    /// Left out when the service is itself nested in its organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub organization: Option<OrganizationSummary>,
    pub service_areas: Vec<ServiceArea>,
    /// The linkage kind and the sectors, as taxonomy terms.
    pub attributes: Vec<Attribute>,
}

/// An HSDS 3.0 organization with its one-to-one fields: a provider with at least one public
/// offering.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = HsdsOrganizationSummary)]
pub struct OrganizationSummary {
    /// The UUID inside the stakeholder's Sangam id (`st_<uuid>`).
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// The name in Hindi (or the local language), when registered; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub alternate_name: Option<String>,
    /// The provider's description, or its kind and district when it has none.
    pub description: String,
}

/// An HSDS 3.0 organization, with its kind (bank, MFI, RSETI…) and its public services (their
/// one-to-one fields, or in full with `full_service=true`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = HsdsOrganization)]
pub struct Organization {
    #[serde(flatten)]
    pub summary: OrganizationSummary,
    /// The stakeholder kind as a term of `sangam:stakeholder-kind`.
    pub attributes: Vec<Attribute>,
    pub services: Vec<OrganizationService>,
}

/// A service inside its organization: its one-to-one fields, or (with `full_service`) all of it.
//
// A full service carries every field of a summary, so the schema is "any of", not "one of".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum OrganizationService {
    Summary(Box<ServiceSummary>),
    Full(Box<Service>),
}

impl utoipa::PartialSchema for OrganizationService {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::ToSchema;
        utoipa::openapi::schema::AnyOfBuilder::new()
            .item(utoipa::openapi::Ref::from_schema_name(
                ServiceSummary::name(),
            ))
            .item(utoipa::openapi::Ref::from_schema_name(Service::name()))
            .into()
    }
}

impl utoipa::ToSchema for OrganizationService {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push((ServiceSummary::name().into(), ServiceSummary::schema()));
        ServiceSummary::schemas(schemas);
        schemas.push((Service::name().into(), Service::schema()));
        Service::schemas(schemas);
    }
}

/// A district a service covers.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = HsdsServiceArea)]
pub struct ServiceArea {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub service_id: String,
    /// The district, in English.
    pub name: String,
    /// The district's local name and its state.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub description: Option<String>,
    /// Sangam's district code as `sangam:district:<code>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub uri: Option<String>,
}

/// A taxonomy term attached to a service or organization.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = HsdsAttribute)]
pub struct Attribute {
    #[schema(format = Uuid)]
    pub id: String,
    /// The id of the service or organization the term describes.
    #[schema(format = Uuid)]
    pub link_id: String,
    pub link_type: &'static str,
    pub link_entity: &'static str,
    #[schema(format = Uuid)]
    pub taxonomy_term_id: String,
    pub taxonomy_term: TaxonomyTerm,
}

/// A term of one of Sangam's taxonomies: `sangam:linkage-kind`, `sangam:sector`,
/// `sangam:stakeholder-kind`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = HsdsTaxonomyTerm)]
pub struct TaxonomyTerm {
    #[schema(format = Uuid)]
    pub id: String,
    pub code: String,
    pub name: String,
    pub description: String,
    pub taxonomy: &'static str,
    pub language: &'static str,
}

/// What HSDS's `GET /` says about this API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HsdsAbout)]
pub struct About {
    pub version: &'static str,
    pub openapi_url: String,
    pub description: &'static str,
    pub publisher: Publisher,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = HsdsPublisher)]
pub struct Publisher {
    pub name: &'static str,
}

impl About {
    pub fn new(openapi_url: String) -> Self {
        About {
            version: HSDS_VERSION,
            openapi_url,
            description: "Finance, training, market and scheme offerings registered with Sangam \
                          for district livelihood coalitions in India",
            publisher: Publisher { name: "Sangam" },
        }
    }
}

/// One page of a listing, with HSDS's paging fields.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub total_items: u64,
    pub total_pages: u64,
    /// Counted from 1.
    pub page_number: u64,
    pub size: u64,
    pub first_page: bool,
    pub last_page: bool,
    pub empty: bool,
    pub contents: Vec<T>,
}

impl<T> Page<T> {
    pub fn new(contents: Vec<T>, total_items: u64, page_number: u64, per_page: u64) -> Self {
        let total_pages = total_items.div_ceil(per_page.max(1));
        Page {
            total_items,
            total_pages,
            page_number,
            size: contents.len() as u64,
            first_page: page_number <= 1,
            last_page: page_number >= total_pages,
            empty: contents.is_empty(),
            contents,
        }
    }
}

/// The HSDS id of a Sangam id: its UUID, hyphenated (or one derived from it, for an id of
/// another shape).
pub fn external_id(id: &str) -> String {
    match id
        .split_once('_')
        .and_then(|(_, hex)| uuid::Uuid::try_parse(hex).ok())
    {
        Some(uuid) => uuid.hyphenated().to_string(),
        None => derived_id(&[id]),
    }
}

/// The Sangam id of an offering's HSDS id; `None` if it is not a UUID.
pub fn offering_id(external: &str) -> Option<String> {
    internal_id(OFFERING_PREFIX, external)
}

/// The Sangam id of a provider's HSDS id; `None` if it is not a UUID.
pub fn stakeholder_id(external: &str) -> Option<String> {
    internal_id(STAKEHOLDER_PREFIX, external)
}

fn internal_id(prefix: &str, external: &str) -> Option<String> {
    let uuid = uuid::Uuid::try_parse(external.trim()).ok()?;
    Some(format!("{prefix}_{}", uuid.simple()))
}

/// A stable UUID for what `parts` name together (version 8: made here, from SHA-256).
fn derived_id(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Uuid::new_v8(bytes).hyphenated().to_string()
}

/// The listing form of an offering, judged active or not on `today`.
pub fn service_summary(offering: &Offering, today: time::Date) -> ServiceSummary {
    let data = &offering.data;
    let expired = data
        .valid_until
        .as_deref()
        .and_then(parse_date)
        .is_some_and(|until| until < today);
    ServiceSummary {
        id: external_id(&offering.id),
        organization_id: external_id(&offering.stakeholder_id),
        name: data.title.clone(),
        description: data.description.clone(),
        status: if expired { "inactive" } else { "active" },
        eligibility_description: describe_eligibility(&data.eligibility),
        minimum_age: data.eligibility.min_age,
        maximum_age: data.eligibility.max_age,
        fees_description: (data.kind == LinkageKind::Finance)
            .then(|| describe_cost(&data.terms))
            .flatten(),
        last_modified: offering.meta.updated_at.clone(),
    }
}

/// The whole service: the offering, its provider (unless `provider` is `None`, for a service
/// nested in its organization), where it is offered and what it is.
pub fn service(
    offering: &Offering,
    provider: Option<&Stakeholder>,
    names: &Names<'_>,
    today: time::Date,
) -> Service {
    let summary = service_summary(offering, today);
    let service_id = summary.id.clone();
    let service_areas = offering
        .data
        .districts
        .iter()
        .map(|code| service_area(&service_id, code, names))
        .collect();
    let kind = offering.data.kind.as_str();
    let mut attributes = vec![service_attribute(&service_id, kind_term(kind))];
    for code in &offering.data.sectors {
        attributes.push(service_attribute(&service_id, sector_term(code, names)));
    }
    Service {
        organization: provider.map(|p| organization_summary(p, names)),
        summary,
        service_areas,
        attributes,
    }
}

/// The listing form of a provider.
pub fn organization_summary(provider: &Stakeholder, names: &Names<'_>) -> OrganizationSummary {
    let data = &provider.data;
    let place = names
        .districts
        .get(&data.district)
        .map_or(data.district.clone(), |d| {
            format!("{}, {}", d.name, d.state)
        });
    let description = match &data.description {
        Some(text) => text.clone(),
        // HSDS requires a description; say at least what and where the provider is.
        None => format!("{} in {place}", data.kind.as_str()),
    };
    OrganizationSummary {
        id: external_id(&provider.id),
        name: data.name.clone(),
        alternate_name: data.name_local.clone(),
        description,
    }
}

/// A provider with its kind as an attribute and its services (`offerings`, already filtered to
/// what anyone may see), each in full when `full_services`.
pub fn organization(
    provider: &Stakeholder,
    offerings: &[Offering],
    full_services: bool,
    names: &Names<'_>,
    today: time::Date,
) -> Organization {
    let summary = organization_summary(provider, names);
    let kind = provider.data.kind.as_str();
    let term = TaxonomyTerm {
        id: derived_id(&[STAKEHOLDER_KIND_TAXONOMY, kind]),
        code: kind.to_string(),
        name: kind.replace('_', " "),
        description: format!("A stakeholder of kind {kind} in Sangam's registry"),
        taxonomy: STAKEHOLDER_KIND_TAXONOMY,
        language: "en",
    };
    let attributes = vec![Attribute {
        id: derived_id(&[&summary.id, "attribute", &term.id]),
        link_id: summary.id.clone(),
        link_type: "organization_type",
        link_entity: "organization",
        taxonomy_term_id: term.id.clone(),
        taxonomy_term: term,
    }];
    let services = offerings
        .iter()
        .map(|offering| {
            if full_services {
                OrganizationService::Full(Box::new(service(offering, None, names, today)))
            } else {
                OrganizationService::Summary(Box::new(service_summary(offering, today)))
            }
        })
        .collect();
    Organization {
        summary,
        attributes,
        services,
    }
}

fn service_area(service_id: &str, code: &str, names: &Names<'_>) -> ServiceArea {
    let district = names.districts.get(code);
    let description = district.map(|d| match &d.name_local {
        Some(local) => format!("{local} · {}", d.state),
        None => d.state.clone(),
    });
    ServiceArea {
        id: derived_id(&[service_id, "service_area", code]),
        service_id: service_id.to_string(),
        name: district.map_or(code.to_string(), |d| d.name.clone()),
        description,
        uri: Some(format!("sangam:district:{code}")),
    }
}

fn service_attribute(service_id: &str, term: TaxonomyTerm) -> Attribute {
    Attribute {
        id: derived_id(&[service_id, "attribute", &term.id]),
        link_id: service_id.to_string(),
        link_type: "service_type",
        link_entity: "service",
        taxonomy_term_id: term.id.clone(),
        taxonomy_term: term,
    }
}

/// The term of a linkage kind (finance, training, market, scheme).
pub fn kind_term(kind: &str) -> TaxonomyTerm {
    let description = match kind {
        "finance" => "Credit: loans, SHG–bank linkage, Kisan Credit Card",
        "training" => "Skills training, such as RSETI courses",
        "market" => "Buyers, orders and market access",
        "scheme" => "Government schemes and entitlements",
        _ => "A kind of linkage",
    };
    TaxonomyTerm {
        id: derived_id(&[KIND_TAXONOMY, kind]),
        code: kind.to_string(),
        name: kind.to_string(),
        description: description.to_string(),
        taxonomy: KIND_TAXONOMY,
        language: "en",
    }
}

/// What a `taxonomy_term_id` names: a linkage kind or a sector (`codes` are the sector codes
/// known); `None` when it is neither.
pub fn term_of(term_id: &str, sector_codes: &[String]) -> Option<Term> {
    let term_id = term_id.trim().to_ascii_lowercase();
    let kinds = LinkageKind::ALL.iter().map(|k| k.as_str());
    if let Some(kind) = kinds
        .into_iter()
        .find(|kind| derived_id(&[KIND_TAXONOMY, kind]) == term_id)
    {
        return Some(Term::Kind(kind.to_string()));
    }
    sector_codes
        .iter()
        .find(|code| derived_id(&[SECTOR_TAXONOMY, code]) == term_id)
        .map(|code| Term::Sector(code.clone()))
}

/// A term of one of Sangam's service taxonomies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Kind(String),
    Sector(String),
}

/// The term of a sector, named in English with its Hindi name as description.
pub fn sector_term(code: &str, names: &Names<'_>) -> TaxonomyTerm {
    let sector = names.sectors.get(code);
    TaxonomyTerm {
        id: derived_id(&[SECTOR_TAXONOMY, code]),
        code: code.to_string(),
        name: sector.map_or(code.to_string(), |s| s.name.clone()),
        description: sector
            .and_then(|s| s.name_local.clone())
            .unwrap_or_default(),
        taxonomy: SECTOR_TAXONOMY,
        language: "en",
    }
}

/// The offering's rules in one sentence, or `None` if it has none (everyone may apply).
fn describe_eligibility(rules: &Eligibility) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(gender) = rules.gender {
        parts.push(match gender.as_str() {
            "female" => "women".to_string(),
            "male" => "men".to_string(),
            other => other.to_string(),
        });
    }
    match (rules.min_age, rules.max_age) {
        (Some(low), Some(high)) => parts.push(format!("aged {low}–{high}")),
        (Some(low), None) => parts.push(format!("aged {low} or more")),
        (None, Some(high)) => parts.push(format!("aged up to {high}")),
        (None, None) => {}
    }
    if !rules.social_categories.is_empty() {
        let categories: Vec<&str> = rules.social_categories.iter().map(|c| c.as_str()).collect();
        parts.push(format!("{} only", categories.join("/")));
    }
    if rules.shg_member_required {
        parts.push("members of a self-help group".to_string());
    }
    if !rules.stages.is_empty() {
        let stages: Vec<&str> = rules.stages.iter().map(|s| s.as_str()).collect();
        parts.push(format!("{} enterprises", one_of(&stages)));
    }
    match (rules.min_amount_inr, rules.max_amount_inr) {
        (Some(low), Some(high)) => parts.push(format!("{}–{}", rupees(low), rupees(high))),
        (Some(low), None) => parts.push(format!("from {}", rupees(low))),
        (None, Some(high)) => parts.push(format!("up to {}", rupees(high))),
        (None, None) => {}
    }
    (!parts.is_empty()).then(|| {
        let mut sentence = parts.join("; ");
        sentence[..1].make_ascii_uppercase();
        sentence
    })
}

/// "a", "a or b", "a, b or c".
fn one_of(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => only.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe_cost(terms: &Terms) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(rate) = terms.interest_rate_pct {
        parts.push(format!("interest {rate}% a year"));
    }
    if let Some(months) = terms.tenure_months {
        parts.push(format!("repaid over {months} months"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::offering::OfferingData;
    use crate::domain::record::{Origin, RecordMeta, Status};
    use crate::domain::stakeholder::{Gender, SocialCategory};

    fn offering(valid_until: Option<&str>) -> Offering {
        Offering {
            id: "of_0190a1b2c3d47e8f9a0b1c2d3e4f5a6b".into(),
            stakeholder_id: "st_0190a1b2c3d47e8f9a0b1c2d3e4f5a6c".into(),
            data: OfferingData {
                kind: LinkageKind::Finance,
                title: "MUDRA Shishu loan".into(),
                description: Some("Collateral-free loans for micro enterprises".into()),
                sectors: vec!["tailoring".into()],
                districts: vec!["up-bhadohi".into(), "up-mirzapur".into()],
                eligibility: Eligibility {
                    gender: Some(Gender::Female),
                    min_age: Some(18),
                    max_age: Some(45),
                    social_categories: vec![SocialCategory::Sc, SocialCategory::St],
                    min_amount_inr: Some(20_000),
                    max_amount_inr: Some(150_000),
                    ..Eligibility::default()
                },
                terms: Terms {
                    interest_rate_pct: Some(9.5),
                    tenure_months: Some(36),
                    ..Terms::default()
                },
                valid_until: valid_until.map(str::to_string),
            },
            meta: RecordMeta {
                status: Status::Active,
                created_via: Origin::Api,
                created_by: "test".into(),
                created_at: "2026-11-01T10:00:00.000Z".into(),
                updated_at: "2026-11-02T10:00:00.000Z".into(),
                version: 1,
                updated_by: None,
                demo: false,
            },
        }
    }

    fn day(text: &str) -> time::Date {
        parse_date(text).expect("a date")
    }

    #[test]
    fn ids_are_the_uuids_inside_sangam_ids_and_come_back() {
        let external = external_id("of_0190a1b2c3d47e8f9a0b1c2d3e4f5a6b");
        assert_eq!(external, "0190a1b2-c3d4-7e8f-9a0b-1c2d3e4f5a6b");
        assert_eq!(
            offering_id(&external).as_deref(),
            Some("of_0190a1b2c3d47e8f9a0b1c2d3e4f5a6b")
        );
        assert_eq!(offering_id("not-a-uuid"), None);
        // Ids of another shape still get a UUID, the same one each time.
        let odd = external_id("legacy-42");
        assert!(uuid::Uuid::try_parse(&odd).is_ok(), "{odd}");
        assert_eq!(odd, external_id("legacy-42"));
        assert_ne!(odd, external_id("legacy-43"));
    }

    #[test]
    fn an_offering_reads_as_a_service_with_its_rules_in_words() {
        let summary = service_summary(&offering(Some("2027-03-31")), day("2026-11-23"));
        assert_eq!(summary.status, "active");
        assert_eq!(
            summary.organization_id,
            "0190a1b2-c3d4-7e8f-9a0b-1c2d3e4f5a6c"
        );
        assert_eq!(
            summary.eligibility_description.as_deref(),
            Some("Women; aged 18–45; SC/ST only; ₹20,000–₹1,50,000")
        );
        assert_eq!(
            (summary.minimum_age, summary.maximum_age),
            (Some(18), Some(45))
        );
        assert_eq!(
            summary.fees_description.as_deref(),
            Some("interest 9.5% a year, repaid over 36 months")
        );
    }

    #[test]
    fn lists_in_the_eligibility_sentence_read_as_english() {
        assert_eq!(one_of(&["idea"]), "idea");
        assert_eq!(one_of(&["idea", "early"]), "idea or early");
        assert_eq!(
            one_of(&["idea", "early", "established"]),
            "idea, early or established"
        );
    }

    #[test]
    fn an_offering_past_its_date_is_inactive() {
        let summary = service_summary(&offering(Some("2026-11-22")), day("2026-11-23"));
        assert_eq!(summary.status, "inactive");
        let open_ended = service_summary(&offering(None), day("2026-11-23"));
        assert_eq!(open_ended.status, "active");
    }

    #[test]
    fn pages_count_from_one() {
        let page = Page::new(vec![1, 2], 5, 3, 2);
        assert_eq!((page.total_pages, page.size), (3, 2));
        assert!(page.last_page && !page.first_page && !page.empty);
        let none: Page<u8> = Page::new(Vec::new(), 0, 1, 50);
        assert!(none.empty && none.first_page && none.last_page);
        assert_eq!(none.total_pages, 0);
    }
}

//! Use cases of the registry outside Sangam: spreadsheets in and out (CSV and .xlsx) and the
//! Open Referral HSDS feed.
//!
//! The JSON API (`http/interchange.rs`, `http/hsds.rs`) and the command line (`sangam import`,
//! `sangam export`) call the same functions, so an import is checked, refused and stored alike
//! from both, and an export shows what its caller may see. The fronts keep what is theirs: how a
//! file arrives and leaves (a streamed response, a file on disk), progress bars, and wording.
//!
//! The command line acts as [`Caller::command_line`]: an admin of every district.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::FieldErrors;
use crate::domain::access::Caller;
use crate::domain::geography::{District, Sector};
use crate::domain::offering::LinkageKind;
use crate::domain::record::{Provenance, Status, today_in_india};
use crate::domain::stakeholder::StakeholderKind;
use crate::domain::visibility::Audience;
use crate::hsds::{
    self, Names, Organization, OrganizationSummary, Page, Service, ServiceSummary, Term,
};
use crate::interchange::import::{self, ImportOptions, ImportPlan, Progress, Records};
use crate::interchange::{needs, offerings, stakeholders};
use crate::store::Store;
use crate::store::hsds::ServiceQuery;
use crate::store::interchange::{NeedExport, OfferingExport, StakeholderExport};
use crate::store::registry::StatusFilter;

use super::registry::{audience, require_district};
use super::{Error, Result};

/// Bulk imports are for facilitators and admins.
pub fn require_importer(caller: &Caller) -> Result<()> {
    if caller.role.may_moderate() {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "role `{}` may not import files; ask a facilitator",
            caller.role
        )))
    }
}

/// What an import came to.
#[derive(Debug)]
pub enum Imported {
    /// A dry run: what each row would do (created, changed field by field, unchanged,
    /// refused); nothing stored, even where rows would be refused.
    Checked(ImportPlan),
    /// Every row stored in one transaction.
    Stored(Stored),
}

/// The records one import stored.
#[derive(Debug, Clone, Serialize)]
pub struct Stored {
    /// Ids of the created records, in row order.
    pub created: Vec<String>,
    /// Ids of the changed records, in row order.
    pub changed: Vec<String>,
    /// Rows naming a record they left as it is.
    pub unchanged: usize,
}

/// How far an import has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportProgress {
    /// Checking the file: its number of rows, then each row checked.
    Checking(Progress),
    /// The file is sound: storing this many rows begins.
    Storing(usize),
    /// One more row stored.
    Stored,
}

/// Imports a spreadsheet of `records`, all or nothing: every row is checked first (see
/// [`crate::interchange::import`]); one refused row, or a write in a district the caller may
/// not write in, stores nothing. With `dry_run` the answer is the check itself.
pub async fn import_file(
    store: &Store,
    caller: &Caller,
    records: Records,
    bytes: &[u8],
    options: ImportOptions,
    dry_run: bool,
    progress: &mut (dyn FnMut(ImportProgress) + Send),
) -> Result<Imported> {
    require_importer(caller)?;
    let plan = import::check(store, records, bytes, options, &mut |step| {
        progress(ImportProgress::Checking(step))
    })
    .await?;
    for (row, districts) in plan.write_rows.iter().zip(&plan.write_districts) {
        for district in districts {
            require_district(caller, district).map_err(|refused| match refused {
                Error::Forbidden(why) => Error::Forbidden(format!("row {row}: {why}")),
                other => other,
            })?;
        }
    }
    if dry_run {
        return Ok(Imported::Checked(plan));
    }
    let plan = plan.into_storable()?;
    progress(ImportProgress::Storing(plan.writes.len()));
    let (created, changed) =
        import::commit(store, &plan, &Provenance::import(&caller.name), &mut || {
            progress(ImportProgress::Stored)
        })
        .await?;
    Ok(Imported::Stored(Stored {
        created,
        changed,
        unchanged: plan.unchanged,
    }))
}

/// Records an export reads from the store at a time.
pub const EXPORT_PAGE: i64 = 500;

/// Which records an export takes, as a front received it.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub records: Records,
    /// Based in or serving this district (code).
    pub district: Option<String>,
    /// A stakeholder kind, or a linkage kind for offerings and needs.
    pub kind: Option<String>,
    pub statuses: StatusFilter,
}

/// One export, read a page at a time: its rows are cells as the caller may see them.
#[derive(Clone)]
pub struct Export {
    store: Store,
    caller: Option<Caller>,
    filter: ExportFilter,
    /// The district asked for (trimmed), which a download's name shows.
    pub district: Option<String>,
}

#[derive(Debug, Clone)]
enum ExportFilter {
    Stakeholders(StakeholderExport),
    Offerings(OfferingExport),
    Needs(NeedExport),
}

/// One page of an export.
#[derive(Debug, Clone, Default)]
pub struct ExportPage {
    pub rows: Vec<Vec<String>>,
    /// Where the next page starts (after this record), while there may be more.
    pub next: Option<String>,
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
) -> Result<Option<T>> {
    match text {
        None => Ok(None),
        Some(text) => parse(text).map(Some).ok_or_else(|| {
            Error::Invalid(FieldErrors::single(
                "kind",
                format!("unknown kind `{text}`: {}", expected()),
            ))
        }),
    }
}

/// An export of what `caller` may see (the public: active records of active stakeholders,
/// without contact or personal-profile columns, whatever statuses were asked for).
pub fn export(store: &Store, caller: Option<&Caller>, request: ExportRequest) -> Result<Export> {
    let public = caller.is_none();
    let statuses = if public {
        StatusFilter::public()
    } else {
        request.statuses
    };
    let pending_only_in = caller.and_then(Caller::pending_scope);
    let district = trimmed(request.district);
    let kind = trimmed(request.kind);
    let linkage_kind = || parse_kind(kind.as_deref(), LinkageKind::parse, LinkageKind::expected);
    let filter = match request.records {
        Records::Stakeholders => ExportFilter::Stakeholders(StakeholderExport {
            district: district.clone(),
            kind: parse_kind(
                kind.as_deref(),
                StakeholderKind::parse,
                StakeholderKind::expected,
            )?,
            statuses,
            pending_only_in,
        }),
        Records::Offerings => ExportFilter::Offerings(OfferingExport {
            district: district.clone(),
            kind: linkage_kind()?,
            statuses,
            pending_only_in,
            active_providers_only: public,
        }),
        Records::Needs => ExportFilter::Needs(NeedExport {
            district: district.clone(),
            kind: linkage_kind()?,
            statuses,
            pending_only_in,
            active_owners_only: public,
        }),
    };
    Ok(Export {
        store: store.clone(),
        caller: caller.cloned(),
        filter,
        district,
    })
}

impl Export {
    pub fn records(&self) -> Records {
        match self.filter {
            ExportFilter::Stakeholders(_) => Records::Stakeholders,
            ExportFilter::Offerings(_) => Records::Offerings,
            ExportFilter::Needs(_) => Records::Needs,
        }
    }

    /// The header row: a stakeholder's contact and profile columns only for a caller.
    pub fn columns(&self) -> Vec<&'static str> {
        match self.filter {
            ExportFilter::Stakeholders(_) => stakeholders::columns(self.caller.is_some()),
            ExportFilter::Offerings(_) => offerings::COLUMNS.to_vec(),
            ExportFilter::Needs(_) => needs::COLUMNS.to_vec(),
        }
    }

    /// The rows after the record `after` (from the first with `None`), in id order.
    pub async fn page(&self, after: Option<&str>) -> Result<ExportPage> {
        let (rows, last) = match &self.filter {
            ExportFilter::Stakeholders(filter) => {
                let page = self
                    .store
                    .export_stakeholders_page(filter, after, EXPORT_PAGE)
                    .await?;
                let audience = audience(self.caller.as_ref());
                let private = self.caller.is_some();
                let last = page.last().map(|s| s.id.clone());
                let rows = page
                    .into_iter()
                    .map(|s| stakeholders::row(&audience.stakeholder(s), private))
                    .collect::<Vec<_>>();
                (rows, last)
            }
            ExportFilter::Offerings(filter) => {
                let page = self
                    .store
                    .export_offerings_page(filter, after, EXPORT_PAGE)
                    .await?;
                let rows = page.iter().map(|(o, name)| offerings::row(o, name));
                (rows.collect(), page.last().map(|(o, _)| o.id.clone()))
            }
            ExportFilter::Needs(filter) => {
                let page = self
                    .store
                    .export_needs_page(filter, after, EXPORT_PAGE)
                    .await?;
                let rows = page.iter().map(|(n, name)| needs::row(n, name));
                (rows.collect(), page.last().map(|(n, _)| n.id.clone()))
            }
        };
        let next = last.filter(|_| rows.len() as i64 == EXPORT_PAGE);
        Ok(ExportPage { rows, next })
    }
}

/// Names of districts and sectors, for HSDS service areas and terms.
struct Lookup {
    districts: BTreeMap<String, District>,
    sectors: BTreeMap<String, Sector>,
}

impl Lookup {
    async fn load(store: &Store) -> Result<Lookup> {
        let districts = store
            .list_districts(None, None)
            .await?
            .into_iter()
            .map(|d| (d.code.clone(), d))
            .collect();
        let sectors = store
            .list_sectors()
            .await?
            .into_iter()
            .map(|s| (s.code.clone(), s))
            .collect();
        Ok(Lookup { districts, sectors })
    }

    fn names(&self) -> Names<'_> {
        Names {
            districts: &self.districts,
            sectors: &self.sectors,
        }
    }
}

/// Which services an HSDS page takes: ids already turned into Sangam's, paging in bounds.
#[derive(Debug, Clone, Default)]
pub struct ServicesRequest {
    /// The provider's stakeholder id.
    pub stakeholder_id: Option<String>,
    pub modified_after: Option<String>,
    /// HSDS's `taxonomy_term_id`: a term of `sangam:linkage-kind` or `sangam:sector`.
    pub taxonomy_term_id: Option<String>,
    pub search: Option<String>,
    /// Each service fully nested, or only its one-to-one fields.
    pub full: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A page of HSDS services or organizations: their one-to-one fields, or in full.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum HsdsPage<Summary, Full> {
    Summaries(Page<Summary>),
    Full(Page<Full>),
}

fn page_of<T>(contents: Vec<T>, total: i64, limit: i64, offset: i64) -> Page<T> {
    Page::new(
        contents,
        u64::try_from(total).unwrap_or_default(),
        (offset / limit + 1) as u64,
        limit as u64,
    )
}

/// A page of public services (active offerings of active providers), as anyone may see them.
pub async fn hsds_services(
    store: &Store,
    request: ServicesRequest,
) -> Result<HsdsPage<ServiceSummary, Service>> {
    let (limit, offset) = (request.limit, request.offset);
    let lookup = Lookup::load(store).await?;
    let (kind, sector) = match request.taxonomy_term_id.as_deref() {
        None => (None, None),
        Some(id) => {
            let codes: Vec<String> = lookup.sectors.keys().cloned().collect();
            match hsds::term_of(id, &codes) {
                Some(Term::Kind(kind)) => (Some(kind), None),
                Some(Term::Sector(code)) => (None, Some(code)),
                None => {
                    return Err(Error::Invalid(FieldErrors::single(
                        "taxonomy_term_id",
                        "is not the id of a term of sangam:linkage-kind or sangam:sector",
                    )));
                }
            }
        }
    };
    let query = ServiceQuery {
        stakeholder_id: request.stakeholder_id,
        modified_after: request.modified_after,
        kind,
        sector,
        search: request.search.filter(|s| !s.trim().is_empty()),
        limit,
        offset,
    };
    let (offerings, total) = store.hsds_services(&query).await?;
    let today = today_in_india();
    if !request.full {
        let contents = offerings
            .iter()
            .map(|offering| hsds::service_summary(offering, today))
            .collect();
        return Ok(HsdsPage::Summaries(page_of(contents, total, limit, offset)));
    }
    let mut providers = BTreeMap::new();
    for offering in &offerings {
        if !providers.contains_key(&offering.stakeholder_id)
            && let Some(provider) = store.get_stakeholder(&offering.stakeholder_id).await?
        {
            providers.insert(
                offering.stakeholder_id.clone(),
                Audience::Public.stakeholder(provider),
            );
        }
    }
    let names = lookup.names();
    let contents = offerings
        .iter()
        .map(|offering| {
            hsds::service(
                offering,
                providers.get(&offering.stakeholder_id),
                &names,
                today,
            )
        })
        .collect();
    Ok(HsdsPage::Full(page_of(contents, total, limit, offset)))
}

/// One public service (`id` is its HSDS id), fully nested with its provider.
pub async fn hsds_service(store: &Store, id: &str) -> Result<Service> {
    let not_found = || Error::NotFound("service");
    let offering_id = hsds::offering_id(id).ok_or_else(not_found)?;
    let offering = store
        .get_offering(&offering_id)
        .await?
        .filter(|offering| offering.meta.status == Status::Active)
        .ok_or_else(not_found)?;
    let provider = store
        .get_stakeholder(&offering.stakeholder_id)
        .await?
        .filter(|provider| provider.meta.status == Status::Active)
        .map(|provider| Audience::Public.stakeholder(provider))
        .ok_or_else(not_found)?;
    let lookup = Lookup::load(store).await?;
    Ok(hsds::service(
        &offering,
        Some(&provider),
        &lookup.names(),
        today_in_india(),
    ))
}

/// Which organizations an HSDS page takes.
#[derive(Debug, Clone, Default)]
pub struct OrganizationsRequest {
    pub search: Option<String>,
    /// Each organization with its kind and services, or only its one-to-one fields.
    pub full: bool,
    /// With `full`: each service fully nested too.
    pub full_service: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A page of the organizations that provide at least one public service.
pub async fn hsds_organizations(
    store: &Store,
    request: OrganizationsRequest,
) -> Result<HsdsPage<OrganizationSummary, Organization>> {
    let (limit, offset) = (request.limit, request.offset);
    let search = request.search.filter(|s| !s.trim().is_empty());
    let (providers, total) = store
        .hsds_organizations(search.as_deref(), limit, offset)
        .await?;
    let lookup = Lookup::load(store).await?;
    let names = lookup.names();
    let providers: Vec<_> = providers
        .into_iter()
        .map(|p| Audience::Public.stakeholder(p))
        .collect();
    if !request.full {
        let contents = providers
            .iter()
            .map(|provider| hsds::organization_summary(provider, &names))
            .collect();
        return Ok(HsdsPage::Summaries(page_of(contents, total, limit, offset)));
    }
    let ids: Vec<String> = providers.iter().map(|p| p.id.clone()).collect();
    let offerings = store.hsds_services_of(&ids).await?;
    let today = today_in_india();
    let contents = providers
        .iter()
        .map(|provider| {
            let theirs: Vec<_> = offerings
                .iter()
                .filter(|o| o.stakeholder_id == provider.id)
                .cloned()
                .collect();
            hsds::organization(provider, &theirs, request.full_service, &names, today)
        })
        .collect();
    Ok(HsdsPage::Full(page_of(contents, total, limit, offset)))
}

/// One organization (`id` is its HSDS id) with its kind and its public services; only providers
/// of a public service are organizations of the feed.
pub async fn hsds_organization(
    store: &Store,
    id: &str,
    full_service: bool,
) -> Result<Organization> {
    let not_found = || Error::NotFound("organization");
    let stakeholder_id = hsds::stakeholder_id(id).ok_or_else(not_found)?;
    let provider = store
        .get_stakeholder(&stakeholder_id)
        .await?
        .filter(|provider| provider.meta.status == Status::Active)
        .map(|provider| Audience::Public.stakeholder(provider))
        .ok_or_else(not_found)?;
    let offerings = store
        .hsds_services_of(std::slice::from_ref(&provider.id))
        .await?;
    if offerings.is_empty() {
        return Err(not_found());
    }
    let lookup = Lookup::load(store).await?;
    Ok(hsds::organization(
        &provider,
        &offerings,
        full_service,
        &lookup.names(),
        today_in_india(),
    ))
}

//! Importing stakeholders, offerings and needs from a spreadsheet (CSV or .xlsx), all or nothing.
//!
//! [`check`] reads the file and decides what each row would do, storing nothing:
//! - a row whose `id` names a record of the registry **updates** it: the row's columns are laid
//!   over the record as a merge patch (a column the file lacks leaves its field alone; an empty
//!   cell clears it) and the result is validated exactly as `PATCH` validates it; a row that
//!   changes nothing is left alone;
//! - any other row **creates** a record, validated exactly as the JSON API's `POST` validates it
//!   (an `id` that names no record, as in a file exported from another server, is not kept);
//! - a row that is invalid, or that looks like a record already there (stakeholders: the same
//!   phone, or the same name in the same district; offerings: the same provider, kind and title),
//!   is **refused**, with the reason by field or the records it resembles.
//!
//! The [`ImportPlan`] says all of it, row by row (a dry run shows it as it is); [`commit`] stores
//! a plan with no refused row in one transaction. Errors are keyed by the row number a
//! spreadsheet shows (the header is row 1) and the JSON API's field name: `rows[4].contact.phone`.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use super::table::{Layout, Table, TableProblem, TableRow};
use super::{needs, offerings, stakeholders};
use crate::domain::merge::merge;
use crate::domain::need::{NeedData, NeedInput};
use crate::domain::offering::{OfferingData, OfferingInput};
use crate::domain::phone::normalize_phone;
use crate::domain::record::{Provenance, Status};
use crate::domain::stakeholder::{Stakeholder, StakeholderData, StakeholderInput};
use crate::domain::{Catalog, FieldErrors};
use crate::store::interchange::{ImportWrite, NewStakeholder};
use crate::store::registry::{OnDuplicate, name_key};
use crate::store::{Store, StoreError};

/// Rows one import over HTTP takes; split bigger lists into several files.
pub const MAX_HTTP_IMPORT_ROWS: usize = 5_000;
/// Rows one import from the command line takes.
pub const MAX_CLI_IMPORT_ROWS: usize = 100_000;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records {
    Stakeholders,
    Offerings,
    Needs,
}

impl Records {
    pub fn noun(self) -> &'static str {
        match self {
            Records::Stakeholders => "stakeholders",
            Records::Offerings => "offerings",
            Records::Needs => "needs",
        }
    }

    /// "1 need", "2 needs".
    pub fn count(self, n: usize) -> String {
        let plural = self.noun();
        if n == 1 {
            format!("1 {}", plural.trim_end_matches('s'))
        } else {
            format!("{n} {plural}")
        }
    }

    fn layout(self, max_rows: usize) -> Layout<'static> {
        match self {
            Records::Stakeholders => stakeholders::layout(max_rows),
            Records::Offerings => offerings::layout(max_rows),
            Records::Needs => needs::layout(max_rows),
        }
    }
}

/// How the file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// Store rows that look like records already registered (flagged, for stakeholders, as
    /// `possible_duplicates`) instead of refusing them.
    pub allow_duplicate: bool,
    pub max_rows: usize,
    pub format: FileFormat,
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not a file of the kind it claims to be; the message says how to save one.
    #[error("{0}")]
    Unreadable(String),
    /// What is wrong, by row and field (`rows[4].contact.phone`), or with the file (`header`).
    #[error("some rows are invalid")]
    Invalid(FieldErrors),
    #[error("the file has more than {limit} rows; split it into files of at most {limit} rows")]
    TooManyRows { limit: usize },
    /// Rows that look like records already registered, or like earlier rows.
    #[error("some rows look like records already registered")]
    Duplicates(Vec<RowDuplicates>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A row of an import file and the registered stakeholders (`id`) or earlier rows (`row`) it
/// looks like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ImportRowDuplicates)]
pub struct RowDuplicates {
    /// Row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub duplicates: Vec<Duplicate>,
}

/// A record in the registry (`id`) or an earlier row of the file (`row`) that looks the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ImportDuplicate)]
pub struct Duplicate {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub row: Option<usize>,
    pub name: String,
    pub reason: String,
}

/// One field a row changes: its value before (`from`) and after (`to`); a side that was empty
/// is absent.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub from: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub to: Option<Value>,
}

/// A row that will create a record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ImportCreated)]
pub struct Created {
    pub row: usize,
    /// The name (stakeholders) or title (offerings, needs).
    pub name: String,
}

/// A row that will change a record, field by field (JSON API names: `contact.phone`,
/// `eligibility.max_age`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ImportChanged)]
pub struct Changed {
    pub row: usize,
    pub id: String,
    pub name: String,
    pub fields: BTreeMap<String, FieldChange>,
}

/// A row that cannot be stored, and why: invalid fields, or the records it resembles.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ImportRefused)]
pub struct Refused {
    pub row: usize,
    /// Why, by field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// The records (or earlier rows) it looks like, when refused as a duplicate.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<Duplicate>,
}

/// What a file would do, row by row; stores nothing until [`commit`].
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    /// What to write, in row order (creates and changes).
    pub writes: Vec<ImportWrite>,
    /// The row number of each write.
    pub write_rows: Vec<usize>,
    /// Districts each write touches, which the importer must be allowed to write in.
    pub write_districts: Vec<Vec<String>>,
    pub created: Vec<Created>,
    pub changed: Vec<Changed>,
    /// Rows naming a record they would leave as it is.
    pub unchanged: usize,
    pub refused: Vec<Refused>,
    /// Rows that look like existing records or earlier rows (refused unless allowed).
    pub duplicates: Vec<RowDuplicates>,
    /// Whether lookalikes may be stored (the import's `allow_duplicate`): checked again when the
    /// rows are stored, against records that another writer added since the check.
    pub on_duplicate: OnDuplicate,
}

/// What a file would do, row by row (rows numbered as a spreadsheet shows them; the header is
/// row 1). Nothing is stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport<'a> {
    pub would_create: usize,
    pub would_change: usize,
    /// Rows naming a record they would leave as it is.
    pub unchanged: usize,
    pub would_refuse: usize,
    #[schema(value_type = Vec<Created>)]
    pub created: &'a [Created],
    #[schema(value_type = Vec<Changed>)]
    pub changed: &'a [Changed],
    #[schema(value_type = Vec<Refused>)]
    pub refused: &'a [Refused],
    /// Rows that look like registered records or earlier rows (refused unless
    /// `allow_duplicate=true`).
    #[schema(value_type = Vec<RowDuplicates>)]
    pub duplicates: &'a [RowDuplicates],
}

impl ImportPlan {
    pub fn report(&self) -> ImportReport<'_> {
        ImportReport {
            would_create: self.created.len(),
            would_change: self.changed.len(),
            unchanged: self.unchanged,
            would_refuse: self.refused.len(),
            created: &self.created,
            changed: &self.changed,
            refused: &self.refused,
            duplicates: &self.duplicates,
        }
    }

    /// Whether the plan may be stored: no refused row.
    pub fn into_storable(self) -> Result<ImportPlan, ImportError> {
        let mut errors = FieldErrors::new();
        for refused in &self.refused {
            for (field, why) in &refused.fields {
                errors.add(format!("rows[{}].{field}", refused.row), why.clone());
            }
        }
        if !errors.is_empty() {
            return Err(ImportError::Invalid(errors));
        }
        if !self.refused.is_empty() {
            return Err(ImportError::Duplicates(self.duplicates));
        }
        Ok(self)
    }
}

/// How far [`check`] has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The file holds this many rows.
    Rows(usize),
    /// One more row checked.
    Checked,
}

/// Reads a file as a table of the columns `records` uses.
pub fn read_table(
    bytes: &[u8],
    records: Records,
    options: &ImportOptions,
) -> Result<Table, ImportError> {
    let layout = records.layout(options.max_rows);
    let read = match options.format {
        FileFormat::Csv => Table::read(bytes, &layout),
        FileFormat::Xlsx => Table::read_xlsx(bytes, &layout),
    };
    read.map_err(|problem| match problem {
        TableProblem::Unreadable(why) => ImportError::Unreadable(why),
        TableProblem::Invalid(errors) => ImportError::Invalid(errors),
        TableProblem::TooManyRows { limit } => ImportError::TooManyRows { limit },
    })
}

/// Reads and checks the whole file against the registry; stores nothing. `progress` is called
/// with the number of rows once the file is read, then once per row checked. Only problems with
/// the file as a whole are errors; rows that cannot be stored are in the plan's `refused`.
pub async fn check(
    store: &Store,
    records: Records,
    bytes: &[u8],
    options: ImportOptions,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<ImportPlan, ImportError> {
    let table = read_table(bytes, records, &options)?;
    progress(Progress::Rows(table.rows().len()));
    let mut checker = Checker {
        store,
        table: &table,
        catalog: store.catalog().await?,
        options,
        plan: ImportPlan {
            on_duplicate: if options.allow_duplicate {
                OnDuplicate::Flag
            } else {
                OnDuplicate::Refuse
            },
            ..ImportPlan::default()
        },
        stakeholders: HashMap::new(),
        by_phone: HashMap::new(),
        seen_ids: HashMap::new(),
        created_by_phone: HashMap::new(),
        created_by_name: HashMap::new(),
        created_offerings: HashMap::new(),
    };
    for row in table.rows() {
        let outcome = match records {
            Records::Stakeholders => checker.stakeholder_row(row).await?,
            Records::Offerings => checker.offering_row(row).await?,
            Records::Needs => checker.need_row(row).await?,
        };
        checker.settle(row.number, outcome);
        progress(Progress::Checked);
    }
    Ok(checker.plan)
}

/// Stores a plan in one transaction; returns the ids of the created records, then of the
/// changed ones, each in row order. `progress` is called once per stored row.
pub async fn commit(
    store: &Store,
    plan: &ImportPlan,
    prov: &Provenance,
    progress: &mut (dyn FnMut() + Send),
) -> Result<(Vec<String>, Vec<String>), StoreError> {
    store
        .apply_import(&plan.writes, prov, plan.on_duplicate, progress)
        .await
}

/// What checking one row came to.
#[allow(clippy::large_enum_variant)] // one at a time, never stored
enum Outcome {
    Write {
        write: ImportWrite,
        districts: Vec<String>,
        name: String,
        /// For a change: the record and its fields before and after.
        change: Option<(String, BTreeMap<String, FieldChange>)>,
        duplicates: Vec<Duplicate>,
    },
    Unchanged,
    Refused(FieldErrors),
}

struct Checker<'a> {
    store: &'a Store,
    table: &'a Table,
    catalog: Catalog,
    options: ImportOptions,
    plan: ImportPlan,
    /// Stakeholders looked up so far (providers and owners), by id.
    stakeholders: HashMap<String, Option<Stakeholder>>,
    /// Stakeholder ids by phone, for needs whose owner is named by phone.
    by_phone: HashMap<String, Vec<String>>,
    /// The first row naming each existing record, so a second row naming it is refused.
    seen_ids: HashMap<String, usize>,
    /// New stakeholders of the file by phone, and by name key and district: the first such
    /// row's (position in the plan's writes, row, name).
    created_by_phone: HashMap<String, (usize, usize, String)>,
    created_by_name: HashMap<(String, String), (usize, usize, String)>,
    /// New offerings of the file by (provider, kind, title key): their row.
    created_offerings: HashMap<(String, String, String), usize>,
}

impl Checker<'_> {
    /// Puts a row's outcome in the plan.
    fn settle(&mut self, row: usize, outcome: Outcome) {
        let plan = &mut self.plan;
        match outcome {
            Outcome::Unchanged => plan.unchanged += 1,
            Outcome::Refused(errors) => plan.refused.push(Refused {
                row,
                fields: errors.fields().clone(),
                duplicates: Vec::new(),
            }),
            Outcome::Write {
                write,
                districts,
                name,
                change,
                duplicates,
            } => {
                if !duplicates.is_empty() {
                    plan.duplicates.push(RowDuplicates {
                        row,
                        duplicates: duplicates.clone(),
                    });
                    if !self.options.allow_duplicate {
                        plan.refused.push(Refused {
                            row,
                            fields: BTreeMap::new(),
                            duplicates,
                        });
                        return;
                    }
                }
                match change {
                    Some((id, fields)) => plan.changed.push(Changed {
                        row,
                        id,
                        name,
                        fields,
                    }),
                    None => plan.created.push(Created { row, name }),
                }
                plan.writes.push(write);
                plan.write_rows.push(row);
                plan.write_districts.push(districts);
            }
        }
    }

    async fn stakeholder(&mut self, id: &str) -> Result<Option<Stakeholder>, StoreError> {
        if !self.stakeholders.contains_key(id) {
            let found = self.store.get_stakeholder(id).await?;
            self.stakeholders.insert(id.to_string(), found);
        }
        Ok(self.stakeholders[id].clone())
    }

    /// The existing record a row's `id` names, if the file has that column and the row a value;
    /// a second row naming the same record is an error.
    fn claim_id(&mut self, row: &TableRow, errors: &mut FieldErrors) -> Option<String> {
        let id = self.table.cell(row, "id")?.to_string();
        if let Some(first) = self.seen_ids.get(&id) {
            errors.add(
                "id",
                format!("row {first} already changes `{id}`; one row per record"),
            );
        }
        self.seen_ids.entry(id.clone()).or_insert(row.number);
        Some(id)
    }

    async fn stakeholder_row(&mut self, row: &TableRow) -> Result<Outcome, StoreError> {
        let (input, mut errors) = stakeholders::input_from_row(self.table, row);
        let existing = match self.table.cell(row, "id") {
            Some(id) => self.store.get_stakeholder(id).await?,
            None => None,
        };
        let Some(current) = existing else {
            let data = match input.validate_with(&self.catalog) {
                Ok(data) if errors.is_empty() => data,
                Ok(_) => return Ok(Outcome::Refused(errors)),
                Err(found) => return Ok(Outcome::Refused(merged_errors(errors, found))),
            };
            return self.new_stakeholder(row, data).await;
        };
        self.claim_id(row, &mut errors);
        let mut patch = row_patch(self.table, &input, stakeholders::FIELDS);
        // A record that served only its home district moves with it, as with PATCH, unless the
        // row names other districts to serve.
        let served_only_home = current.data.districts_served == [current.data.district.clone()];
        let served_cell = self.table.cell(row, "districts_served");
        if served_only_home
            && self.table.has_column("district")
            && served_cell.is_none_or(|cell| cell.trim() == current.data.district)
        {
            patch["districts_served"] = Value::Null;
        }
        let merged: StakeholderInput = match merged_input(&current.data.to_input(), &patch) {
            Ok(input) => input,
            Err(why) => return Ok(Outcome::Refused(FieldErrors::single("id", why))),
        };
        let data = match merged.validate_with(&self.catalog) {
            Ok(data) if errors.is_empty() => data,
            Ok(_) => return Ok(Outcome::Refused(errors)),
            Err(found) => return Ok(Outcome::Refused(merged_errors(errors, found))),
        };
        if data == current.data {
            return Ok(Outcome::Unchanged);
        }
        let fields = differences(&current.data.to_input(), &data.to_input());
        Ok(Outcome::Write {
            districts: vec![current.data.district.clone(), data.district.clone()],
            name: data.name.clone(),
            change: Some((current.id.clone(), fields)),
            write: ImportWrite::Stakeholder {
                id: current.id,
                data,
            },
            duplicates: Vec::new(),
        })
    }

    /// A new stakeholder, with the registry records and earlier rows it may duplicate, by the
    /// rules `POST /api/v1/stakeholders` uses (same phone; same name in the same district).
    async fn new_stakeholder(
        &mut self,
        row: &TableRow,
        data: StakeholderData,
    ) -> Result<Outcome, StoreError> {
        let mut duplicates: Vec<Duplicate> = self
            .store
            .find_duplicates(&data, None)
            .await?
            .into_iter()
            .map(|existing| Duplicate {
                id: Some(existing.id),
                row: None,
                name: existing.name,
                reason: existing.reason,
            })
            .collect();
        let possible_duplicates: Vec<String> =
            duplicates.iter().filter_map(|d| d.id.clone()).collect();
        let key = (name_key(&data.name), data.district.clone());
        let by_phone = data
            .contact
            .phone
            .as_ref()
            .and_then(|phone| self.created_by_phone.get(phone))
            .map(|earlier| (earlier.clone(), "same phone number"));
        let by_name = self
            .created_by_name
            .get(&key)
            .filter(|earlier| by_phone.as_ref().is_none_or(|(p, _)| p.0 != earlier.0))
            .map(|earlier| (earlier.clone(), "same name in the same district"));
        let mut same_as_earlier = Vec::new();
        for ((position, earlier_row, name), reason) in by_phone.into_iter().chain(by_name) {
            same_as_earlier.push(position);
            duplicates.push(Duplicate {
                id: None,
                row: Some(earlier_row),
                name,
                reason: format!("{reason} as row {earlier_row} of this file"),
            });
        }
        // Only rows that are stored can be pointed at as earlier duplicates.
        if duplicates.is_empty() || self.options.allow_duplicate {
            let earlier = (self.plan.writes.len(), row.number, data.name.clone());
            if let Some(phone) = &data.contact.phone {
                self.created_by_phone
                    .entry(phone.clone())
                    .or_insert_with(|| earlier.clone());
            }
            self.created_by_name.entry(key).or_insert(earlier);
        }
        Ok(Outcome::Write {
            districts: vec![data.district.clone()],
            name: data.name.clone(),
            change: None,
            write: ImportWrite::NewStakeholder(NewStakeholder {
                data,
                possible_duplicates,
                same_as_earlier,
            }),
            duplicates,
        })
    }

    /// The stakeholder an offering or need belongs to: it must exist and not be archived.
    async fn owner(
        &mut self,
        id: &str,
        field: &str,
        errors: &mut FieldErrors,
    ) -> Result<Option<Stakeholder>, StoreError> {
        match self.stakeholder(id).await? {
            None => {
                errors.add(field, format!("no stakeholder with id `{id}`"));
                Ok(None)
            }
            Some(owner) if owner.meta.status == Status::Archived => {
                errors.add(field, format!("`{id}` is archived; restore it first"));
                Ok(None)
            }
            Some(owner) => Ok(Some(owner)),
        }
    }

    async fn offering_row(&mut self, row: &TableRow) -> Result<Outcome, StoreError> {
        let (provider_id, input, mut errors) = offerings::input_from_row(self.table, row);
        let existing = match self.table.cell(row, "id") {
            Some(id) => self.store.get_offering(id).await?,
            None => None,
        };
        let Some(current) = existing else {
            let provider = match &provider_id {
                None => {
                    errors.add("provider_id", "is required");
                    None
                }
                Some(id) => self.owner(id, "provider_id", &mut errors).await?,
            };
            let served = provider
                .as_ref()
                .map(|p| p.data.districts_served.clone())
                .unwrap_or_default();
            let data = match input.validate_with(&self.catalog, &served, None) {
                Ok(data) if errors.is_empty() => data,
                Ok(_) => return Ok(Outcome::Refused(errors)),
                Err(found) => return Ok(Outcome::Refused(merged_errors(errors, found))),
            };
            let Some(provider) = provider else {
                return Ok(Outcome::Refused(errors));
            };
            return self.new_offering(row, provider, data).await;
        };
        self.claim_id(row, &mut errors);
        if provider_id
            .as_ref()
            .is_some_and(|p| *p != current.stakeholder_id)
        {
            errors.add(
                "provider_id",
                format!(
                    "offering `{}` belongs to `{}`; an offering cannot move to another provider",
                    current.id, current.stakeholder_id
                ),
            );
        }
        let Some(provider) = self.stakeholder(&current.stakeholder_id).await? else {
            return Err(StoreError::NotFound);
        };
        let patch = row_patch(self.table, &input, offerings::FIELDS);
        let merged: OfferingInput = match merged_input(&current.data.to_input(), &patch) {
            Ok(input) => input,
            Err(why) => return Ok(Outcome::Refused(FieldErrors::single("id", why))),
        };
        let validated = merged.validate_with(
            &self.catalog,
            &provider.data.districts_served,
            current.data.valid_until.as_deref(),
        );
        let data = match validated {
            Ok(data) if errors.is_empty() => data,
            Ok(_) => return Ok(Outcome::Refused(errors)),
            Err(found) => return Ok(Outcome::Refused(merged_errors(errors, found))),
        };
        if data == current.data {
            return Ok(Outcome::Unchanged);
        }
        let fields = differences(&current.data.to_input(), &data.to_input());
        Ok(Outcome::Write {
            districts: vec![provider.data.district.clone()],
            name: data.title.clone(),
            change: Some((current.id.clone(), fields)),
            write: ImportWrite::Offering {
                id: current.id,
                data,
            },
            duplicates: Vec::new(),
        })
    }

    /// A new offering, with the offerings of the same provider, kind and title it may duplicate
    /// (in the registry, archived ones aside, and earlier in the file).
    async fn new_offering(
        &mut self,
        row: &TableRow,
        provider: Stakeholder,
        data: OfferingData,
    ) -> Result<Outcome, StoreError> {
        let title = name_key(&data.title);
        let kind = data.kind.as_str().to_string();
        let mut duplicates: Vec<Duplicate> = self
            .store
            .offerings_like(&provider.id, &kind, &title)
            .await?
            .into_iter()
            .map(|(id, title)| Duplicate {
                id: Some(id),
                row: None,
                name: title,
                reason: "same provider, kind and title".into(),
            })
            .collect();
        let key = (provider.id.clone(), kind, title);
        match self.created_offerings.get(&key) {
            Some(&earlier) => duplicates.push(Duplicate {
                id: None,
                row: Some(earlier),
                name: data.title.clone(),
                reason: format!("same provider, kind and title as row {earlier} of this file"),
            }),
            None => {
                if duplicates.is_empty() || self.options.allow_duplicate {
                    self.created_offerings.insert(key, row.number);
                }
            }
        }
        Ok(Outcome::Write {
            districts: vec![provider.data.district.clone()],
            name: data.title.clone(),
            change: None,
            write: ImportWrite::NewOffering {
                provider_id: provider.id,
                data,
            },
            duplicates,
        })
    }

    /// The owner a need row names: by `stakeholder_id`, or by the phone of a registered
    /// stakeholder in `stakeholder_phone`.
    async fn need_owner(
        &mut self,
        row: &TableRow,
        errors: &mut FieldErrors,
    ) -> Result<Option<Stakeholder>, StoreError> {
        if let Some(id) = self.table.cell(row, "stakeholder_id") {
            return self.owner(id, "stakeholder_id", errors).await;
        }
        let Some(raw) = self.table.cell(row, "stakeholder_phone") else {
            errors.add(
                "stakeholder_id",
                "is required (or stakeholder_phone, the phone of a registered stakeholder)",
            );
            return Ok(None);
        };
        let phone = match normalize_phone(raw) {
            Ok(phone) => phone,
            Err(why) => {
                errors.add("stakeholder_phone", why);
                return Ok(None);
            }
        };
        if !self.by_phone.contains_key(&phone) {
            let ids = self.store.stakeholders_with_phone(&phone).await?;
            self.by_phone.insert(phone.clone(), ids);
        }
        match self.by_phone[&phone].clone().as_slice() {
            [] => {
                errors.add(
                    "stakeholder_phone",
                    format!("no registered stakeholder has the phone {phone}"),
                );
                Ok(None)
            }
            [id] => self.owner(id, "stakeholder_phone", errors).await,
            several => {
                errors.add(
                    "stakeholder_phone",
                    format!(
                        "{} stakeholders have the phone {phone} ({}); give stakeholder_id instead",
                        several.len(),
                        several.join(", ")
                    ),
                );
                Ok(None)
            }
        }
    }

    async fn need_row(&mut self, row: &TableRow) -> Result<Outcome, StoreError> {
        let (input, mut errors) = needs::input_from_row(self.table, row);
        let existing = match self.table.cell(row, "id") {
            Some(id) => self.store.get_need(id).await?,
            None => None,
        };
        let Some(current) = existing else {
            let owner = self.need_owner(row, &mut errors).await?;
            let data = match input.validate_with(&self.catalog) {
                Ok(data) if errors.is_empty() => data,
                Ok(_) => return Ok(Outcome::Refused(errors)),
                Err(found) => return Ok(Outcome::Refused(merged_errors(errors, found))),
            };
            let Some(owner) = owner else {
                return Ok(Outcome::Refused(errors));
            };
            return Ok(Outcome::Write {
                districts: vec![owner.data.district.clone()],
                name: data.title.clone(),
                change: None,
                write: ImportWrite::NewNeed {
                    owner_id: owner.id,
                    data,
                },
                duplicates: Vec::new(),
            });
        };
        self.claim_id(row, &mut errors);
        if let Some(owner) = self.table.cell(row, "stakeholder_id")
            && owner != current.stakeholder_id
        {
            errors.add(
                "stakeholder_id",
                format!(
                    "need `{}` belongs to `{}`; a need cannot move to another stakeholder",
                    current.id, current.stakeholder_id
                ),
            );
        }
        let patch = row_patch(self.table, &input, needs::FIELDS);
        let merged: NeedInput = match merged_input(&current.data.to_input(), &patch) {
            Ok(input) => input,
            Err(why) => return Ok(Outcome::Refused(FieldErrors::single("id", why))),
        };
        let data: NeedData = match merged.validate_with(&self.catalog) {
            Ok(data) if errors.is_empty() => data,
            Ok(_) => return Ok(Outcome::Refused(errors)),
            Err(found) => return Ok(Outcome::Refused(merged_errors(errors, found))),
        };
        if data == current.data {
            return Ok(Outcome::Unchanged);
        }
        let fields = differences(&current.data.to_input(), &data.to_input());
        Ok(Outcome::Write {
            districts: vec![current.district.clone()],
            name: data.title.clone(),
            change: Some((current.id.clone(), fields)),
            write: ImportWrite::Need {
                id: current.id,
                data,
            },
            duplicates: Vec::new(),
        })
    }
}

fn merged_errors(mut cells: FieldErrors, validation: FieldErrors) -> FieldErrors {
    for (field, why) in validation.fields() {
        // A cell that could not be read explains its field better than the validation does.
        if !cells.fields().contains_key(field) {
            cells.add(field.clone(), why.clone());
        }
    }
    cells
}

/// The merge patch a row stands for: for each column the file has, its field as the row gives
/// it (`null` for an empty cell, which clears the field); columns the file lacks are left out,
/// so they leave their fields alone. `fields` pairs columns with JSON paths (`contact.phone`).
fn row_patch<I: Serialize>(table: &Table, input: &I, fields: &[(&str, &str)]) -> Value {
    let input = serde_json::to_value(input).unwrap_or(Value::Null);
    let mut patch = serde_json::Map::new();
    for (column, path) in fields {
        if !table.has_column(column) {
            continue;
        }
        let value = input
            .pointer(&format!("/{}", path.replace('.', "/")))
            .cloned()
            .unwrap_or(Value::Null);
        match path.split_once('.') {
            None => {
                patch.insert(path.to_string(), value);
            }
            Some((group, field)) => {
                let group = patch
                    .entry(group.to_string())
                    .or_insert_with(|| Value::Object(serde_json::Map::new()));
                group[field] = value;
            }
        }
    }
    Value::Object(patch)
}

/// A record's input form with a patch laid over it.
fn merged_input<I: Serialize + serde::de::DeserializeOwned>(
    current: &I,
    patch: &Value,
) -> Result<I, String> {
    let mut merged = serde_json::to_value(current).map_err(|e| e.to_string())?;
    merge(&mut merged, patch);
    // A group the row leaves empty (a bank's profile cells) is no group at all, as when the
    // record was created without one.
    if let Value::Object(fields) = &mut merged {
        fields.retain(|_, value| !value.as_object().is_some_and(|group| group.is_empty()));
    }
    serde_json::from_value(merged).map_err(|e| format!("the row cannot be applied: {e}"))
}

/// The fields that differ between two input forms, by JSON path (`eligibility.max_age`).
fn differences<I: Serialize>(before: &I, after: &I) -> BTreeMap<String, FieldChange> {
    let mut old = BTreeMap::new();
    let mut new = BTreeMap::new();
    flatten(
        &serde_json::to_value(before).unwrap_or(Value::Null),
        "",
        &mut old,
    );
    flatten(
        &serde_json::to_value(after).unwrap_or(Value::Null),
        "",
        &mut new,
    );
    let mut fields = BTreeMap::new();
    for path in old.keys().chain(new.keys()) {
        let (from, to) = (old.get(path), new.get(path));
        if from != to {
            fields.insert(
                path.clone(),
                FieldChange {
                    from: from.cloned(),
                    to: to.cloned(),
                },
            );
        }
    }
    fields
}

/// Leaves of a JSON object by dotted path; nulls, empty lists and `false` flags that mean
/// "not set" are left out, so that "empty" and "absent" compare equal.
fn flatten(value: &Value, prefix: &str, into: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(fields) => {
            for (key, item) in fields {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(item, &path, into);
            }
        }
        Value::Null => {}
        Value::Array(items) if items.is_empty() => {}
        other => {
            into.insert(prefix.to_string(), other.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_name_each_changed_field_by_path() {
        let before =
            json!({"name": "Asha", "contact": {"phone": "+919876500001"}, "districts_served": []});
        let after = json!({"name": "Asha", "contact": {"phone": "+919876500002", "email": "a@example.org"}});
        let fields = differences(&before, &after);
        assert_eq!(fields.len(), 2, "{fields:?}");
        assert_eq!(fields["contact.phone"].from, Some(json!("+919876500001")));
        assert_eq!(fields["contact.email"].from, None);
        assert_eq!(fields["contact.email"].to, Some(json!("a@example.org")));
    }

    #[test]
    fn a_row_patch_covers_only_the_columns_of_the_file() {
        let file = "id,name,contact_phone,age\nst_1,Asha,,31\n";
        let table = Table::read(file.as_bytes(), &stakeholders::layout(10)).unwrap();
        let row = &table.rows()[0];
        let (input, _) = stakeholders::input_from_row(&table, row);
        let patch = row_patch(&table, &input, stakeholders::FIELDS);
        assert_eq!(
            patch,
            json!({"name": "Asha", "contact": {"phone": null}, "profile": {"age": 31}})
        );
    }
}

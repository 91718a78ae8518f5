//! Importing stakeholders (and offerings) from a CSV file, all or nothing.
//!
//! [`check`] reads the file, validates every row exactly as `POST /api/v1/stakeholders` does
//! (`StakeholderInput::validate_with`: phone normalisation, known districts, sectors, blocks…)
//! and looks for duplicates — the same phone, or the same name in the same district, as a record
//! in the registry or as an earlier row of the file. Only a file with no invalid row becomes an
//! [`ImportPlan`]; [`commit`] stores the plan in one transaction. Errors are keyed by the row
//! number a spreadsheet shows (the header is row 1) and the JSON API's field name:
//! `rows[4].contact.phone`.

use std::collections::HashMap;

use serde::Serialize;

use super::offerings;
use super::stakeholders::{input_from_row, layout};
use super::table::{Layout, Table, TableProblem};
use crate::domain::FieldErrors;
use crate::domain::offering::OfferingData;
use crate::domain::record::{Provenance, Status};
use crate::domain::stakeholder::Stakeholder;
use crate::store::interchange::NewStakeholder;
use crate::store::registry::OnDuplicate;
use crate::store::registry::name_key;
use crate::store::{Store, StoreError};

/// Rows one import over HTTP takes; split bigger lists into several files.
pub const MAX_HTTP_IMPORT_ROWS: usize = 5_000;
/// Rows one import from the command line takes.
pub const MAX_CLI_IMPORT_ROWS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// Store rows that look like records already registered (flagged `possible_duplicates`).
    pub allow_duplicate: bool,
    pub max_rows: usize,
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not a UTF-8 CSV file; the message says how to save one.
    #[error("{0}")]
    Unreadable(String),
    /// What is wrong, by row and field (`rows[4].contact.phone`), or with the file (`header`).
    #[error("some rows are invalid")]
    Invalid(FieldErrors),
    #[error("the file has more than {limit} rows; split it into files of at most {limit} rows")]
    TooManyRows { limit: usize },
    /// Rows that look like records already registered, or like earlier rows.
    #[error("some rows look like stakeholders already registered")]
    Duplicates(Vec<RowDuplicates>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The records one row may duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowDuplicates {
    pub row: usize,
    pub duplicates: Vec<Duplicate>,
}

/// A record in the registry (`id`) or an earlier row of the file (`row`) that looks the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    pub name: String,
    pub reason: String,
}

/// A file that passed every check, ready to store.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub stakeholders: Vec<NewStakeholder>,
    /// Each stakeholder's row number in the file.
    pub rows: Vec<usize>,
    /// Rows that look like existing records or earlier rows (stored only when allowed).
    pub duplicates: Vec<RowDuplicates>,
    /// Whether lookalikes may be stored (the import's `allow_duplicate`): checked again when the
    /// rows are stored, against records that another writer added since.
    pub on_duplicate: OnDuplicate,
}

/// Reads and checks the whole file against the registry; stores nothing. `progress` is called
/// with the number of rows once the file is read, then once per row checked.
pub async fn check(
    store: &Store,
    bytes: &[u8],
    options: ImportOptions,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<ImportPlan, ImportError> {
    let table = read_table(bytes, &layout(options.max_rows))?;
    progress(Progress::Rows(table.rows().len()));
    let catalog = store.catalog().await?;

    let mut errors = FieldErrors::new();
    let mut plan = ImportPlan {
        stakeholders: Vec::new(),
        rows: Vec::new(),
        duplicates: Vec::new(),
        on_duplicate: if options.allow_duplicate {
            OnDuplicate::Flag
        } else {
            OnDuplicate::Refuse
        },
    };
    for row in table.rows() {
        let (input, cell_errors) = input_from_row(&table, row);
        let mut row_errors = cell_errors;
        match input.validate_with(&catalog) {
            Ok(data) if row_errors.is_empty() => {
                plan.stakeholders.push(NewStakeholder {
                    data,
                    possible_duplicates: Vec::new(),
                    same_as_earlier: Vec::new(),
                });
                plan.rows.push(row.number);
            }
            Ok(_) => {}
            Err(found) => {
                for (field, why) in found.fields() {
                    row_errors.add(field.clone(), why.clone());
                }
            }
        }
        for (field, why) in row_errors.fields() {
            errors.add(format!("rows[{}].{field}", row.number), why.clone());
        }
        progress(Progress::Checked);
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }

    find_duplicates(store, &mut plan).await?;
    if !plan.duplicates.is_empty() && !options.allow_duplicate {
        return Err(ImportError::Duplicates(plan.duplicates));
    }
    Ok(plan)
}

fn read_table(bytes: &[u8], layout: &Layout) -> Result<Table, ImportError> {
    Table::read(bytes, layout).map_err(|problem| match problem {
        TableProblem::Unreadable(why) => ImportError::Unreadable(why),
        TableProblem::Invalid(errors) => ImportError::Invalid(errors),
        TableProblem::TooManyRows { limit } => ImportError::TooManyRows { limit },
    })
}

/// How far [`check`] has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The file holds this many rows.
    Rows(usize),
    /// One more row checked.
    Checked,
}

/// Marks each planned stakeholder with the registry records and earlier rows it may duplicate,
/// by the rules `POST /api/v1/stakeholders` uses (same phone; same name in the same district).
async fn find_duplicates(store: &Store, plan: &mut ImportPlan) -> Result<(), StoreError> {
    let mut by_phone: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<(String, String), usize> = HashMap::new();
    for index in 0..plan.stakeholders.len() {
        let row = plan.rows[index];
        let data = plan.stakeholders[index].data.clone();
        let mut found: Vec<Duplicate> = store
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
        let possible_duplicates: Vec<String> = found.iter().filter_map(|d| d.id.clone()).collect();

        let mut earlier: Vec<(usize, &str)> = Vec::new();
        if let Some(phone) = &data.contact.phone {
            match by_phone.get(phone) {
                Some(&first) => earlier.push((first, "same phone number")),
                None => {
                    by_phone.insert(phone.clone(), index);
                }
            }
        }
        let name = (name_key(&data.name), data.district.clone());
        match by_name.get(&name) {
            Some(&first) if !earlier.iter().any(|(e, _)| *e == first) => {
                earlier.push((first, "same name in the same district"))
            }
            Some(_) => {}
            None => {
                by_name.insert(name, index);
            }
        }
        let mut same_as_earlier = Vec::new();
        for (first, reason) in earlier {
            same_as_earlier.push(first);
            found.push(Duplicate {
                id: None,
                row: Some(plan.rows[first]),
                name: plan.stakeholders[first].data.name.clone(),
                reason: format!("{reason} as row {} of this file", plan.rows[first]),
            });
        }
        let item = &mut plan.stakeholders[index];
        item.possible_duplicates = possible_duplicates;
        item.same_as_earlier = same_as_earlier;
        if !found.is_empty() {
            plan.duplicates.push(RowDuplicates {
                row,
                duplicates: found,
            });
        }
    }
    Ok(())
}

/// Stores a checked plan in one transaction; returns the new ids in row order. `progress` is
/// called once per stored row.
pub async fn commit(
    store: &Store,
    plan: &ImportPlan,
    prov: &Provenance,
    progress: &mut (dyn FnMut() + Send),
) -> Result<Vec<String>, StoreError> {
    store
        .insert_stakeholders(&plan.stakeholders, prov, plan.on_duplicate, progress)
        .await
}

/// A file of offerings that passed every check: (provider id, offering) in row order.
#[derive(Debug, Clone)]
pub struct OfferingPlan {
    pub offerings: Vec<(String, OfferingData)>,
}

/// Reads and checks a file of offerings: each row validated as
/// `POST /api/v1/stakeholders/{provider_id}/offerings` validates it (an offering that names no
/// districts serves its provider's), and its provider must exist and not be archived. Offerings
/// have no duplicate rule, as in the JSON API. Stores nothing.
pub async fn check_offerings(
    store: &Store,
    bytes: &[u8],
    max_rows: usize,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<OfferingPlan, ImportError> {
    let table = read_table(bytes, &offerings::layout(max_rows))?;
    progress(Progress::Rows(table.rows().len()));
    let catalog = store.catalog().await?;
    let mut providers: HashMap<String, Option<Stakeholder>> = HashMap::new();
    let mut errors = FieldErrors::new();
    let mut plan = OfferingPlan {
        offerings: Vec::new(),
    };
    for row in table.rows() {
        let (provider_id, input, mut row_errors) = offerings::input_from_row(&table, row);
        let provider = match provider_id {
            None => {
                row_errors.add("provider_id", "is required");
                None
            }
            Some(id) => {
                if !providers.contains_key(&id) {
                    let found = store.get_stakeholder(&id).await?;
                    providers.insert(id.clone(), found);
                }
                match &providers[&id] {
                    None => {
                        row_errors.add("provider_id", format!("no stakeholder with id `{id}`"));
                        None
                    }
                    Some(p) if p.meta.status == Status::Archived => {
                        row_errors.add(
                            "provider_id",
                            format!("`{id}` is archived; restore it first"),
                        );
                        None
                    }
                    Some(p) => Some(p),
                }
            }
        };
        let served = provider
            .map(|p| p.data.districts_served.clone())
            .unwrap_or_default();
        match input.validate_with(&catalog, &served, None) {
            Ok(data) => {
                if let (Some(provider), true) = (provider, row_errors.is_empty()) {
                    plan.offerings.push((provider.id.clone(), data));
                }
            }
            Err(found) => {
                for (field, why) in found.fields() {
                    row_errors.add(field.clone(), why.clone());
                }
            }
        }
        for (field, why) in row_errors.fields() {
            errors.add(format!("rows[{}].{field}", row.number), why.clone());
        }
        progress(Progress::Checked);
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid(errors));
    }
    Ok(plan)
}

/// Stores a checked plan of offerings in one transaction; returns the new ids in row order.
pub async fn commit_offerings(
    store: &Store,
    plan: &OfferingPlan,
    prov: &Provenance,
    progress: &mut (dyn FnMut() + Send),
) -> Result<Vec<String>, StoreError> {
    store
        .insert_offerings(&plan.offerings, prov, progress)
        .await
}

//! Needs as spreadsheet rows. The columns an export writes are the columns an import reads;
//! an import names each need's owner by `stakeholder_id`, or by `stakeholder_phone` (the phone of
//! a registered stakeholder), which the export does not write.

use super::stakeholders::{parse_number, yes_no};
use super::table::{Layout, Table, TableRow};
use crate::domain::FieldErrors;
use crate::domain::need::{Need, NeedInput};

pub const COLUMNS: &[&str] = &[
    "id",
    "stakeholder_id",
    "stakeholder_name",
    "district",
    "kind",
    "title",
    "description",
    "sector",
    "amount_inr",
    "attendees",
    "status",
    "created_via",
    "created_by",
    "created_at",
    "updated_at",
    "demo",
];

/// Columns an import needs.
pub const REQUIRED: &[&str] = &["kind", "title"];

/// Each column an import reads, with the field of the JSON API it fills.
pub const FIELDS: &[(&str, &str)] = &[
    ("kind", "kind"),
    ("title", "title"),
    ("description", "description"),
    ("sector", "sector"),
    ("amount_inr", "amount_inr"),
    ("attendees", "attendees"),
];

/// What an import file may look like: the export's columns (`stakeholder_name`, `district` and
/// the record columns are accepted and ignored) and `stakeholder_phone`.
pub fn layout(max_rows: usize) -> Layout<'static> {
    static KNOWN: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let mut known = COLUMNS.to_vec();
        known.insert(2, "stakeholder_phone");
        known
    });
    Layout {
        known: KNOWN.as_slice(),
        required: REQUIRED,
        max_rows,
    }
}

/// A row as the JSON API's input, and what could not be read from its cells.
pub fn input_from_row(table: &Table, row: &TableRow) -> (NeedInput, FieldErrors) {
    let cell = |column: &str| table.cell(row, column);
    let owned = |column: &str| cell(column).map(str::to_string);
    let mut errors = FieldErrors::new();
    let input = NeedInput {
        kind: owned("kind"),
        title: owned("title"),
        description: owned("description"),
        sector: owned("sector"),
        amount_inr: parse_number(cell("amount_inr"), "amount_inr", &mut errors),
        attendees: parse_number(cell("attendees"), "attendees", &mut errors),
    };
    (input, errors)
}

/// One export row, cell for cell with [`COLUMNS`].
pub fn row(need: &Need, owner_name: &str) -> Vec<String> {
    let data = &need.data;
    let meta = &need.meta;
    vec![
        need.id.clone(),
        need.stakeholder_id.clone(),
        owner_name.to_string(),
        need.district.clone(),
        data.kind.to_string(),
        data.title.clone(),
        data.description.clone().unwrap_or_default(),
        data.sector.clone().unwrap_or_default(),
        data.amount_inr.map(|n| n.to_string()).unwrap_or_default(),
        data.attendees.map(|n| n.to_string()).unwrap_or_default(),
        meta.status.to_string(),
        meta.created_via.to_string(),
        meta.created_by.clone(),
        meta.created_at.clone(),
        meta.updated_at.clone(),
        yes_no(meta.demo),
    ]
}

//! Needs as spreadsheet rows, for export. (Importing needs is not done yet.)

use super::stakeholders::yes_no;
use crate::domain::need::Need;

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
    "status",
    "created_via",
    "created_by",
    "created_at",
    "updated_at",
    "demo",
];

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
        meta.status.to_string(),
        meta.created_via.to_string(),
        meta.created_by.clone(),
        meta.created_at.clone(),
        meta.updated_at.clone(),
        yes_no(meta.demo),
    ]
}

//! Offerings as spreadsheet rows, for export: eligibility and terms spread over their own
//! columns, lists joined with `;`. (Importing offerings is not done yet.)

use super::stakeholders::yes_no;
use crate::domain::offering::Offering;

pub const COLUMNS: &[&str] = &[
    "id",
    "provider_id",
    "provider_name",
    "kind",
    "title",
    "description",
    "sectors",
    "districts",
    "gender",
    "min_age",
    "max_age",
    "social_categories",
    "shg_member_required",
    "min_amount_inr",
    "max_amount_inr",
    "stages",
    "interest_rate_pct",
    "tenure_months",
    "duration_days",
    "seats",
    "starts_on",
    "budget_inr",
    "valid_until",
    "status",
    "created_via",
    "created_by",
    "created_at",
    "updated_at",
    "demo",
];

fn number(value: Option<i64>) -> String {
    value.map(|n| n.to_string()).unwrap_or_default()
}

fn words<T: std::fmt::Display>(list: &[T]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(";")
}

/// One export row, cell for cell with [`COLUMNS`].
pub fn row(offering: &Offering, provider_name: &str) -> Vec<String> {
    let data = &offering.data;
    let rules = &data.eligibility;
    let terms = &data.terms;
    let meta = &offering.meta;
    vec![
        offering.id.clone(),
        offering.stakeholder_id.clone(),
        provider_name.to_string(),
        data.kind.to_string(),
        data.title.clone(),
        data.description.clone().unwrap_or_default(),
        data.sectors.join(";"),
        data.districts.join(";"),
        rules.gender.map(|g| g.to_string()).unwrap_or_default(),
        number(rules.min_age),
        number(rules.max_age),
        words(&rules.social_categories),
        yes_no(rules.shg_member_required),
        number(rules.min_amount_inr),
        number(rules.max_amount_inr),
        words(&rules.stages),
        terms
            .interest_rate_pct
            .map(|p| p.to_string())
            .unwrap_or_default(),
        number(terms.tenure_months),
        number(terms.duration_days),
        number(terms.seats),
        terms.starts_on.clone().unwrap_or_default(),
        number(terms.budget_inr),
        data.valid_until.clone().unwrap_or_default(),
        meta.status.to_string(),
        meta.created_via.to_string(),
        meta.created_by.clone(),
        meta.created_at.clone(),
        meta.updated_at.clone(),
        yes_no(meta.demo),
    ]
}

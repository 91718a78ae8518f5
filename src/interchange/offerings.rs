//! Offerings as spreadsheet rows: eligibility and terms spread over their own columns, lists
//! joined with `;`. The columns an export writes are the columns an import reads; `provider_id`
//! names the stakeholder an imported offering belongs to.

use super::stakeholders::{parse_list, parse_number, parse_yes_no, yes_no};
use super::table::{Layout, Table, TableRow};
use crate::domain::FieldErrors;
use crate::domain::offering::{EligibilityInput, Offering, OfferingInput, TermsInput};

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

/// Columns an import needs. (`provider_id` may be left empty on a row whose `id` names an
/// offering to change.)
pub const REQUIRED: &[&str] = &["kind", "title"];

/// Each column an import reads, with the field of the JSON API it fills.
pub const FIELDS: &[(&str, &str)] = &[
    ("kind", "kind"),
    ("title", "title"),
    ("description", "description"),
    ("sectors", "sectors"),
    ("districts", "districts"),
    ("gender", "eligibility.gender"),
    ("min_age", "eligibility.min_age"),
    ("max_age", "eligibility.max_age"),
    ("social_categories", "eligibility.social_categories"),
    ("shg_member_required", "eligibility.shg_member_required"),
    ("min_amount_inr", "eligibility.min_amount_inr"),
    ("max_amount_inr", "eligibility.max_amount_inr"),
    ("stages", "eligibility.stages"),
    ("interest_rate_pct", "terms.interest_rate_pct"),
    ("tenure_months", "terms.tenure_months"),
    ("duration_days", "terms.duration_days"),
    ("seats", "terms.seats"),
    ("starts_on", "terms.starts_on"),
    ("budget_inr", "terms.budget_inr"),
    ("valid_until", "valid_until"),
];

const ELIGIBILITY: &[&str] = &[
    "gender",
    "min_age",
    "max_age",
    "social_categories",
    "shg_member_required",
    "min_amount_inr",
    "max_amount_inr",
    "stages",
];
const TERMS: &[&str] = &[
    "interest_rate_pct",
    "tenure_months",
    "duration_days",
    "seats",
    "starts_on",
    "budget_inr",
];

/// What an import file may look like; `id`, `provider_name` and the record columns are accepted
/// and ignored.
pub fn layout(max_rows: usize) -> Layout<'static> {
    Layout {
        known: COLUMNS,
        required: REQUIRED,
        max_rows,
    }
}

/// A row as the JSON API's input, its provider's id, and what could not be read from its cells.
/// Field names are those of the JSON API (`eligibility.max_amount_inr`).
pub fn input_from_row(
    table: &Table,
    row: &TableRow,
) -> (Option<String>, OfferingInput, FieldErrors) {
    let cell = |column: &str| table.cell(row, column);
    let owned = |column: &str| cell(column).map(str::to_string);
    let mut errors = FieldErrors::new();

    let eligibility = if ELIGIBILITY.iter().any(|c| cell(c).is_some()) {
        let shg_member_required = cell("shg_member_required").and_then(|t| {
            let parsed = parse_yes_no(t);
            if parsed.is_none() {
                errors.add(
                    "eligibility.shg_member_required",
                    format!("must be yes or no, not `{t}`"),
                );
            }
            parsed
        });
        Some(EligibilityInput {
            gender: owned("gender"),
            min_age: parse_number(cell("min_age"), "eligibility.min_age", &mut errors),
            max_age: parse_number(cell("max_age"), "eligibility.max_age", &mut errors),
            social_categories: parse_list(cell("social_categories")),
            shg_member_required,
            min_amount_inr: parse_number(
                cell("min_amount_inr"),
                "eligibility.min_amount_inr",
                &mut errors,
            ),
            max_amount_inr: parse_number(
                cell("max_amount_inr"),
                "eligibility.max_amount_inr",
                &mut errors,
            ),
            stages: parse_list(cell("stages")),
        })
    } else {
        None
    };
    let terms = if TERMS.iter().any(|c| cell(c).is_some()) {
        let interest_rate_pct = cell("interest_rate_pct").and_then(|t| {
            let parsed = t.trim_end_matches('%').trim().parse::<f64>().ok();
            if parsed.is_none_or(|p| !p.is_finite()) {
                errors.add(
                    "terms.interest_rate_pct",
                    format!("must be a number, not `{t}`"),
                );
                return None;
            }
            parsed
        });
        Some(TermsInput {
            interest_rate_pct,
            tenure_months: parse_number(cell("tenure_months"), "terms.tenure_months", &mut errors),
            duration_days: parse_number(cell("duration_days"), "terms.duration_days", &mut errors),
            seats: parse_number(cell("seats"), "terms.seats", &mut errors),
            starts_on: owned("starts_on"),
            budget_inr: parse_number(cell("budget_inr"), "terms.budget_inr", &mut errors),
        })
    } else {
        None
    };
    let input = OfferingInput {
        kind: owned("kind"),
        title: owned("title"),
        description: owned("description"),
        sectors: parse_list(cell("sectors")),
        districts: parse_list(cell("districts")),
        eligibility,
        terms,
        valid_until: owned("valid_until"),
    };
    (owned("provider_id"), input, errors)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_becomes_the_input_the_json_api_takes() {
        let file = "provider_id,kind,title,sectors,stages,max_amount_inr,interest_rate_pct,shg_member_required\n\
                    st_1,finance,MUDRA Shishu,tailoring;dairy,idea;early,\"50,000\",9.5%,no\n";
        let table = Table::read(file.as_bytes(), &layout(10)).unwrap();
        let (provider, input, errors) = input_from_row(&table, &table.rows()[0]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(provider.as_deref(), Some("st_1"));
        assert_eq!(
            input.sectors,
            Some(vec!["tailoring".to_string(), "dairy".to_string()])
        );
        let eligibility = input.eligibility.unwrap();
        assert_eq!(eligibility.max_amount_inr, Some(50_000));
        assert_eq!(eligibility.shg_member_required, Some(false));
        assert_eq!(input.terms.unwrap().interest_rate_pct, Some(9.5));
    }

    #[test]
    fn cells_that_are_not_numbers_are_named_by_field() {
        let file = "provider_id,kind,title,seats,interest_rate_pct\nst_1,training,Silai,many,NaN\n";
        let table = Table::read(file.as_bytes(), &layout(10)).unwrap();
        let (_, _, errors) = input_from_row(&table, &table.rows()[0]);
        let fields: Vec<&str> = errors.fields().keys().map(String::as_str).collect();
        assert_eq!(fields, ["terms.interest_rate_pct", "terms.seats"]);
    }
}

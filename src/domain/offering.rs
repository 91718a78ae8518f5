//! Offerings: what a provider gives — a loan product, a course, a buy-back, a scheme.

use serde::{Deserialize, Serialize};
use validator::Validate;

use super::geography::Catalog;
use super::record::{RecordMeta, format_date, parse_date, today_in_india};
use super::stakeholder::{Gender, SocialCategory, Stage, parse_word};
use super::validation::{FieldErrors, check_name, check_text, clean_text};

word_enum! {
    /// What a linkage gives an entrepreneur; offerings and needs share it.
    #[schema(description = "What an offering gives or a need asks for. `scheme`: a government scheme or entitlement.")]
    LinkageKind { Finance => "finance", Training => "training", Market => "market", Scheme => "scheme" }
}

/// What a completed linkage of a kind brings, as one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeUnit {
    Rupees,
    People,
}

impl LinkageKind {
    /// Finance: the loan amount; training: how many were trained; market: the order value;
    /// scheme: the benefit.
    pub fn outcome_unit(self) -> OutcomeUnit {
        match self {
            LinkageKind::Training => OutcomeUnit::People,
            _ => OutcomeUnit::Rupees,
        }
    }
}

/// The largest amount any field accepts: ₹10 crore. Anything above is a typo for this field.
pub const MAX_AMOUNT_INR: i64 = 100_000_000;
/// The largest budget an offering may state: ₹1,000 crore, more than any district programme.
pub const MAX_BUDGET_INR: i64 = 10_000_000_000;
const MAX_TITLE: usize = 300;
const MAX_DESCRIPTION: usize = 10_000;
const MAX_LIST: usize = 100;

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
pub struct OfferingInput {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub sectors: Option<Vec<String>>,
    pub districts: Option<Vec<String>>,
    #[validate(nested)]
    pub eligibility: Option<EligibilityInput>,
    #[validate(nested)]
    pub terms: Option<TermsInput>,
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
pub struct EligibilityInput {
    pub gender: Option<String>,
    #[validate(range(min = 14, max = 100, message = "must be between 14 and 100"))]
    pub min_age: Option<i64>,
    #[validate(range(min = 14, max = 100, message = "must be between 14 and 100"))]
    pub max_age: Option<i64>,
    pub social_categories: Option<Vec<String>>,
    pub shg_member_required: Option<bool>,
    #[validate(range(min = 0, max = MAX_AMOUNT_INR, message = "must be between ₹0 and ₹10 crore"))]
    pub min_amount_inr: Option<i64>,
    #[validate(range(min = 1, max = MAX_AMOUNT_INR, message = "must be between ₹1 and ₹10 crore"))]
    pub max_amount_inr: Option<i64>,
    pub stages: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate)]
pub struct TermsInput {
    #[validate(range(min = 0.0, max = 60.0, message = "must be between 0 and 60 per cent"))]
    pub interest_rate_pct: Option<f64>,
    #[validate(range(min = 1, max = 360, message = "must be between 1 and 360 months"))]
    pub tenure_months: Option<i64>,
    #[validate(range(min = 1, max = 730, message = "must be between 1 and 730 days"))]
    pub duration_days: Option<i64>,
    #[validate(range(min = 1, max = 100_000, message = "must be between 1 and 100,000"))]
    pub seats: Option<i64>,
    pub starts_on: Option<String>,
    #[validate(range(min = 1, max = MAX_BUDGET_INR, message = "must be between ₹1 and ₹1,000 crore"))]
    pub budget_inr: Option<i64>,
}

/// Who an offering is for; every rule is optional and an absent rule admits everyone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Eligibility {
    pub gender: Option<Gender>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    pub social_categories: Vec<SocialCategory>,
    pub shg_member_required: bool,
    pub min_amount_inr: Option<i64>,
    pub max_amount_inr: Option<i64>,
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Terms {
    pub interest_rate_pct: Option<f64>,
    pub tenure_months: Option<i64>,
    pub duration_days: Option<i64>,
    /// How many needs the offering can take (a course's seats); linkages never exceed it.
    pub seats: Option<i64>,
    pub starts_on: Option<String>,
    /// The total the provider can lend or grant through this offering (e.g. a branch's MUDRA
    /// target for the quarter); linkages never add up to more.
    #[serde(default)]
    pub budget_inr: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfferingData {
    pub kind: LinkageKind,
    pub title: String,
    pub description: Option<String>,
    /// Empty means any sector.
    pub sectors: Vec<String>,
    pub districts: Vec<String>,
    pub eligibility: Eligibility,
    pub terms: Terms,
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offering {
    pub id: String,
    pub stakeholder_id: String,
    #[serde(flatten)]
    pub data: OfferingData,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl OfferingInput {
    /// Validates an offering; `provider_districts` stands in when `districts` is absent. A
    /// `valid_until` equal to `stored_valid_until` is kept even if it has passed, so an expired
    /// offering can still be edited.
    pub fn validate_with(
        self,
        catalog: &Catalog,
        provider_districts: &[String],
        stored_valid_until: Option<&str>,
    ) -> Result<OfferingData, FieldErrors> {
        let mut errors = FieldErrors::new();
        if let Err(found) = self.validate() {
            errors.absorb(&found);
        }
        let kind = parse_kind(self.kind, &mut errors);
        let title = check_name(
            &mut errors,
            "title",
            &self.title.unwrap_or_default(),
            MAX_TITLE,
        );
        let description = clean_text(self.description);
        if let Some(text) = &description {
            check_text(&mut errors, "description", text, MAX_DESCRIPTION);
        }

        let sectors = known_codes(
            self.sectors.unwrap_or_default(),
            "sectors",
            "sector",
            |c| catalog.has_sector(c),
            &mut errors,
        );
        let districts = match self.districts {
            Some(list) if !list.is_empty() => known_codes(
                list,
                "districts",
                "district",
                |c| catalog.has_district(c),
                &mut errors,
            ),
            _ => provider_districts.to_vec(),
        };

        let eligibility = validate_eligibility(self.eligibility.unwrap_or_default(), &mut errors);
        let terms = validate_terms(self.terms.unwrap_or_default(), &mut errors);
        if let (Some(budget), Some(smallest)) = (terms.budget_inr, eligibility.min_amount_inr)
            && budget < smallest
        {
            errors.add(
                "terms.budget_inr",
                format!("is below min_amount_inr ({budget} < {smallest}): no need could be met"),
            );
        }

        let valid_until = clean_text(self.valid_until).and_then(|text| match parse_date(&text) {
            None => {
                errors.add("valid_until", "must be a date as YYYY-MM-DD");
                None
            }
            Some(date) if date < today_in_india() && stored_valid_until != Some(text.as_str()) => {
                errors.add("valid_until", format!("{text} is in the past"));
                None
            }
            Some(date) => Some(format_date(date)),
        });

        errors.into_result(OfferingData {
            kind: kind.unwrap_or(LinkageKind::Finance),
            title,
            description,
            sectors,
            districts,
            eligibility,
            terms,
            valid_until,
        })
    }
}

impl OfferingData {
    pub fn to_input(&self) -> OfferingInput {
        let e = &self.eligibility;
        OfferingInput {
            kind: Some(self.kind.as_str().to_string()),
            title: Some(self.title.clone()),
            description: self.description.clone(),
            sectors: Some(self.sectors.clone()),
            districts: Some(self.districts.clone()),
            eligibility: Some(EligibilityInput {
                gender: e.gender.map(|g| g.as_str().to_string()),
                min_age: e.min_age,
                max_age: e.max_age,
                social_categories: Some(
                    e.social_categories
                        .iter()
                        .map(|c| c.as_str().to_string())
                        .collect(),
                ),
                shg_member_required: Some(e.shg_member_required),
                min_amount_inr: e.min_amount_inr,
                max_amount_inr: e.max_amount_inr,
                stages: Some(e.stages.iter().map(|s| s.as_str().to_string()).collect()),
            }),
            terms: Some(TermsInput {
                interest_rate_pct: self.terms.interest_rate_pct,
                tenure_months: self.terms.tenure_months,
                duration_days: self.terms.duration_days,
                seats: self.terms.seats,
                starts_on: self.terms.starts_on.clone(),
                budget_inr: self.terms.budget_inr,
            }),
            valid_until: self.valid_until.clone(),
        }
    }
}

pub(crate) fn parse_kind(value: Option<String>, errors: &mut FieldErrors) -> Option<LinkageKind> {
    match clean_text(value) {
        None => {
            errors.add("kind", "is required");
            None
        }
        Some(text) => {
            let kind = LinkageKind::parse(&text);
            if kind.is_none() {
                errors.add(
                    "kind",
                    format!("unknown kind `{text}`: {}", LinkageKind::expected()),
                );
            }
            kind
        }
    }
}

/// Keeps each known code once, naming each unknown one by its position.
fn known_codes(
    list: Vec<String>,
    field: &str,
    what: &str,
    known: impl Fn(&str) -> bool,
    errors: &mut FieldErrors,
) -> Vec<String> {
    if list.len() > MAX_LIST {
        errors.add(field, format!("at most {MAX_LIST} entries"));
        return Vec::new();
    }
    let mut codes = Vec::new();
    for (index, code) in list.into_iter().enumerate() {
        let code = code.trim().to_string();
        if !known(&code) {
            errors.add(
                format!("{field}[{index}]"),
                format!("unknown {what} `{code}`"),
            );
        } else if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

fn validate_eligibility(input: EligibilityInput, errors: &mut FieldErrors) -> Eligibility {
    let gender = parse_word(
        input.gender,
        "eligibility.gender",
        Gender::parse,
        Gender::expected,
        errors,
    );
    let social_categories = input
        .social_categories
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .filter_map(|(i, text)| {
            parse_word(
                Some(text),
                &format!("eligibility.social_categories[{i}]"),
                SocialCategory::parse,
                SocialCategory::expected,
                errors,
            )
        })
        .collect();
    let stages = input
        .stages
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .filter_map(|(i, text)| {
            parse_word(
                Some(text),
                &format!("eligibility.stages[{i}]"),
                Stage::parse,
                Stage::expected,
                errors,
            )
        })
        .collect();
    if let (Some(min), Some(max)) = (input.min_age, input.max_age)
        && min > max
    {
        errors.add(
            "eligibility.max_age",
            format!("is below min_age ({max} < {min})"),
        );
    }
    if let (Some(min), Some(max)) = (input.min_amount_inr, input.max_amount_inr)
        && min > max
    {
        errors.add(
            "eligibility.max_amount_inr",
            format!("is below min_amount_inr ({max} < {min})"),
        );
    }
    Eligibility {
        gender,
        min_age: input.min_age,
        max_age: input.max_age,
        social_categories,
        shg_member_required: input.shg_member_required.unwrap_or(false),
        min_amount_inr: input.min_amount_inr,
        max_amount_inr: input.max_amount_inr,
        stages,
    }
}

fn validate_terms(input: TermsInput, errors: &mut FieldErrors) -> Terms {
    let starts_on = clean_text(input.starts_on).and_then(|text| match parse_date(&text) {
        Some(date) => Some(format_date(date)),
        None => {
            errors.add("terms.starts_on", "must be a date as YYYY-MM-DD");
            None
        }
    });
    if input
        .interest_rate_pct
        .is_some_and(|rate| !rate.is_finite())
    {
        errors.add("terms.interest_rate_pct", "must be a number");
    }
    Terms {
        interest_rate_pct: input.interest_rate_pct,
        tenure_months: input.tenure_months,
        duration_days: input.duration_days,
        seats: input.seats,
        starts_on,
        budget_inr: input.budget_inr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let mut catalog = Catalog::default();
        catalog.districts.insert("up-mirzapur".into());
        catalog.sectors.insert("tailoring".into());
        catalog
    }

    #[test]
    fn absent_districts_fall_back_to_the_providers() {
        let input: OfferingInput = serde_json::from_value(serde_json::json!({
            "kind": "finance", "title": "MUDRA Shishu loan", "sectors": ["tailoring"],
            "eligibility": {"min_amount_inr": 10000, "max_amount_inr": 50000}
        }))
        .unwrap();
        let data = input
            .validate_with(&catalog(), &["up-mirzapur".to_string()], None)
            .unwrap();
        assert_eq!(data.districts, ["up-mirzapur"]);
        assert_eq!(data.eligibility.max_amount_inr, Some(50_000));
    }

    #[test]
    fn negative_absurd_inverted_and_past_values_are_rejected() {
        let input: OfferingInput = serde_json::from_value(serde_json::json!({
            "kind": "loan", "title": "x",
            "eligibility": {"min_amount_inr": -5, "max_amount_inr": 1_000_000_000_000i64, "min_age": 60, "max_age": 18},
            "terms": {"interest_rate_pct": 400.0},
            "valid_until": "2020-01-01"
        }))
        .unwrap();
        let errors = input.validate_with(&catalog(), &[], None).unwrap_err();
        for field in [
            "kind",
            "eligibility.min_amount_inr",
            "eligibility.max_amount_inr",
            "eligibility.max_age",
            "terms.interest_rate_pct",
            "valid_until",
        ] {
            assert!(
                errors.fields().contains_key(field),
                "{field} not reported in {errors:?}"
            );
        }
    }
}

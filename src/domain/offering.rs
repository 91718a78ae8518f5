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

/// An offering as sent to `POST /api/v1/stakeholders/{id}/offerings` or inside a registration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, utoipa::ToSchema)]
pub struct OfferingInput {
    #[schema(value_type = LinkageKind, required = true)]
    pub kind: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 300, examples("MUDRA Shishu loan for women tailors"))]
    pub title: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// Sector codes; absent or empty means any sector.
    #[schema(max_items = 100)]
    pub sectors: Option<Vec<String>>,
    /// District codes; absent or empty means the provider's `districts_served`.
    #[schema(max_items = 100)]
    pub districts: Option<Vec<String>>,
    #[validate(nested)]
    pub eligibility: Option<EligibilityInput>,
    #[validate(nested)]
    pub terms: Option<TermsInput>,
    /// Last day the offering holds; not in the past (India time).
    #[schema(value_type = super::schema::DateOrEmpty, required = false)]
    pub valid_until: Option<String>,
}

/// Who an offering is for. Every rule is optional; an absent rule admits everyone.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, utoipa::ToSchema)]
pub struct EligibilityInput {
    /// Only this gender; null for anyone.
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<String>,
    #[validate(range(min = 14, max = 100, message = "must be between 14 and 100"))]
    #[schema(minimum = 14, maximum = 100)]
    pub min_age: Option<i64>,
    /// Not below `min_age`.
    #[validate(range(min = 14, max = 100, message = "must be between 14 and 100"))]
    #[schema(minimum = 14, maximum = 100)]
    pub max_age: Option<i64>,
    /// Only these categories; empty for any.
    #[schema(value_type = Option<Vec<SocialCategory>>)]
    pub social_categories: Option<Vec<String>>,
    /// Only SHG members. Absent means `false`.
    pub shg_member_required: Option<bool>,
    /// Smallest amount lent or granted, in whole rupees.
    #[validate(range(min = 0, max = MAX_AMOUNT_INR, message = "must be between ₹0 and ₹10 crore"))]
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub min_amount_inr: Option<i64>,
    /// Largest amount, in whole rupees (at most ₹10 crore); not below `min_amount_inr`.
    #[validate(range(min = 1, max = MAX_AMOUNT_INR, message = "must be between ₹1 and ₹10 crore"))]
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub max_amount_inr: Option<i64>,
    /// Only businesses at these stages; empty for any.
    #[schema(value_type = Option<Vec<Stage>>)]
    pub stages: Option<Vec<String>>,
}

/// The offering's terms; each applies where it makes sense (interest and tenure for loans,
/// duration and seats for courses).
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, utoipa::ToSchema)]
pub struct TermsInput {
    /// Yearly interest, per cent.
    #[validate(range(min = 0.0, max = 60.0, message = "must be between 0 and 60 per cent"))]
    #[schema(minimum = 0, maximum = 60)]
    pub interest_rate_pct: Option<f64>,
    #[validate(range(min = 1, max = 360, message = "must be between 1 and 360 months"))]
    #[schema(minimum = 1, maximum = 360)]
    pub tenure_months: Option<i64>,
    #[validate(range(min = 1, max = 730, message = "must be between 1 and 730 days"))]
    #[schema(minimum = 1, maximum = 730)]
    pub duration_days: Option<i64>,
    /// How many needs the offering can take (a course's seats). Meeting suggestions never give
    /// it more.
    #[validate(range(min = 1, max = 100_000, message = "must be between 1 and 100,000"))]
    #[schema(minimum = 1, maximum = 100_000)]
    pub seats: Option<i64>,
    #[schema(value_type = super::schema::DateOrEmpty, required = false)]
    pub starts_on: Option<String>,
    /// The total the provider can lend or grant through this offering, in whole rupees (up to
    /// ₹1,000 crore; not below `eligibility.min_amount_inr`). Meeting suggestions never add up
    /// to more.
    #[validate(range(min = 1, max = MAX_BUDGET_INR, message = "must be between ₹1 and ₹1,000 crore"))]
    #[schema(minimum = 1, maximum = 10_000_000_000_i64)]
    pub budget_inr: Option<i64>,
}

/// Who an offering is for; every rule is optional and an absent rule admits everyone. In replies
/// every key is present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Eligibility {
    #[schema(required = true)]
    pub gender: Option<Gender>,
    #[schema(required = true)]
    pub min_age: Option<i64>,
    #[schema(required = true)]
    pub max_age: Option<i64>,
    pub social_categories: Vec<SocialCategory>,
    pub shg_member_required: bool,
    #[schema(required = true)]
    pub min_amount_inr: Option<i64>,
    #[schema(required = true)]
    pub max_amount_inr: Option<i64>,
    pub stages: Vec<Stage>,
}

/// The offering's terms. In replies every key is present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Terms {
    #[schema(required = true)]
    pub interest_rate_pct: Option<f64>,
    #[schema(required = true)]
    pub tenure_months: Option<i64>,
    #[schema(required = true)]
    pub duration_days: Option<i64>,
    /// How many needs the offering can take (a course's seats); linkages never exceed it.
    #[schema(required = true)]
    pub seats: Option<i64>,
    #[schema(value_type = Option<super::schema::Date>, required = true)]
    pub starts_on: Option<String>,
    /// The total the provider can lend or grant through this offering (e.g. a branch's MUDRA
    /// target for the quarter); linkages never add up to more.
    #[serde(default)]
    #[schema(required = true)]
    pub budget_inr: Option<i64>,
}

/// An offering's content, as a stored one shows it besides its ids and meta.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfferingData {
    pub kind: LinkageKind,
    pub title: String,
    #[schema(required = true)]
    pub description: Option<String>,
    /// Empty means any sector.
    pub sectors: Vec<String>,
    pub districts: Vec<String>,
    pub eligibility: Eligibility,
    pub terms: Terms,
    #[schema(value_type = Option<super::schema::Date>, required = true)]
    pub valid_until: Option<String>,
}

/// A stored offering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Offering {
    #[schema(examples("of_01936b30a2c47e5f8b1d9c3e6a4f2b80"))]
    pub id: String,
    /// The provider.
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

//! Needs: what an entrepreneur or group asks for — a loan, a course, a buyer, a scheme.

use serde::{Deserialize, Serialize};
use validator::Validate;

use super::geography::Catalog;
use super::offering::{LinkageKind, MAX_AMOUNT_INR, parse_kind};
use super::record::RecordMeta;
use super::validation::{FieldErrors, check_name, check_text, clean_text};

const MAX_TITLE: usize = 300;
const MAX_DESCRIPTION: usize = 10_000;

/// A need as sent to `POST /api/v1/stakeholders/{id}/needs` or inside a registration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, utoipa::ToSchema)]
pub struct NeedInput {
    #[schema(value_type = LinkageKind, required = true)]
    pub kind: Option<String>,
    #[schema(value_type = String, required = true, min_length = 1, max_length = 300, examples("Loan for two sewing machines", "सिलाई प्रशिक्षण"))]
    pub title: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    /// Sector code from `GET /api/v1/sectors`.
    pub sector: Option<String>,
    /// Amount asked for, in whole rupees (at most ₹10 crore).
    #[validate(range(min = 1, max = MAX_AMOUNT_INR, message = "must be between ₹1 and ₹10 crore"))]
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub amount_inr: Option<i64>,
    /// People who will attend (an SHG's members going to a course): each takes a seat. Absent:
    /// the SHG's `profile.members`, else one person.
    #[validate(range(min = 1, max = MAX_ATTENDEES, message = "must be between 1 and 500"))]
    #[schema(minimum = 1, maximum = 500)]
    pub attendees: Option<i64>,
}

/// An SHG is at most a few hundred members; more is a typing mistake.
pub const MAX_ATTENDEES: i64 = 500;

/// A need's content, as a stored one shows it besides its ids and meta.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NeedData {
    pub kind: LinkageKind,
    pub title: String,
    #[schema(required = true)]
    pub description: Option<String>,
    #[schema(required = true)]
    pub sector: Option<String>,
    #[schema(required = true)]
    pub amount_inr: Option<i64>,
    /// Who will attend; present only when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub attendees: Option<i64>,
}

/// A stored need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Need {
    #[schema(examples("nd_01936b31f0e27d4c9a6b8e1f3c5d7a92"))]
    pub id: String,
    /// Who has the need.
    pub stakeholder_id: String,
    /// The home district of the stakeholder with the need.
    pub district: String,
    #[serde(flatten)]
    pub data: NeedData,
    #[serde(flatten)]
    pub meta: RecordMeta,
}

impl NeedInput {
    pub fn validate_with(self, catalog: &Catalog) -> Result<NeedData, FieldErrors> {
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
        let sector = clean_text(self.sector);
        if let Some(code) = &sector
            && !catalog.has_sector(code)
        {
            errors.add(
                "sector",
                format!("unknown sector `{code}`; see GET /api/v1/sectors"),
            );
        }
        errors.into_result(NeedData {
            kind: kind.unwrap_or(LinkageKind::Finance),
            title,
            description,
            sector,
            amount_inr: self.amount_inr,
            attendees: self.attendees,
        })
    }
}

impl NeedData {
    pub fn to_input(&self) -> NeedInput {
        NeedInput {
            kind: Some(self.kind.as_str().to_string()),
            title: Some(self.title.clone()),
            description: self.description.clone(),
            sector: self.sector.clone(),
            amount_inr: self.amount_inr,
            attendees: self.attendees,
        }
    }

    /// Seats of a course this need takes: the attendees stated, else the group's size (an SHG's
    /// `members`), else one person.
    pub fn seats(&self, group_size: Option<i64>) -> i64 {
        seats_taken(self.attendees, group_size)
    }
}

/// Seats for `attendees` if stated, else for a group of `group_size`, else for one person.
pub fn seats_taken(attendees: Option<i64>, group_size: Option<i64>) -> i64 {
    attendees.or(group_size).unwrap_or(1).max(1)
}

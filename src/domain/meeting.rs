//! Coalition meetings and the linkages that come out of them.
//!
//! A meeting is held in one district on one date with invited stakeholders. Sangam suggests
//! linkages (this need, that offering) before it; people then move each linkage along
//! [`LinkageStatus`] as it comes true or falls through, and only the moves the lifecycle allows.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::geography::Catalog;
use super::offering::LinkageKind;
use super::record::{format_date, parse_date};
use super::validation::{FieldErrors, check_name, check_text, clean_text};

const MAX_TITLE: usize = 300;
const MAX_INVITEES: usize = 500;
const MAX_NOTE: usize = 2_000;

/// A meeting as sent to `POST /api/v1/meetings`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeetingInput {
    #[schema(value_type = String, required = true, min_length = 1, max_length = 300)]
    pub title: Option<String>,
    /// District code.
    #[schema(value_type = String, required = true)]
    pub district: Option<String>,
    #[schema(value_type = super::schema::Date, required = true)]
    pub date: Option<String>,
    /// Stakeholder ids.
    #[schema(max_items = 500)]
    pub invitees: Option<Vec<String>>,
}

/// A meeting's content, as a stored one shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeetingData {
    pub title: String,
    /// District code.
    pub district: String,
    #[schema(value_type = super::schema::Date)]
    pub date: String,
    /// Stakeholder ids, each once, in the order given.
    pub invitees: Vec<String>,
}

/// A stored meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Meeting {
    #[schema(examples("mt_01936b40aa2c7e5f8b1d9c3e6a4f2b80"))]
    pub id: String,
    #[serde(flatten)]
    pub data: MeetingData,
    pub created_by: String,
    #[schema(value_type = super::schema::Timestamp)]
    pub created_at: String,
    #[schema(value_type = super::schema::Timestamp)]
    pub updated_at: String,
}

impl MeetingInput {
    /// The invitee ids as sent, so the caller can ask the registry which of them exist; none when
    /// there are too many (validation refuses the list without looking them up).
    pub fn invitee_ids(&self) -> Vec<String> {
        match &self.invitees {
            Some(list) if list.len() <= MAX_INVITEES => {
                list.iter().map(|id| id.trim().to_string()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Validates a meeting; `known_stakeholders` holds those of [`Self::invitee_ids`] that are in
    /// the registry and not archived.
    pub fn validate_with(
        self,
        catalog: &Catalog,
        known_stakeholders: &BTreeSet<String>,
    ) -> Result<MeetingData, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = check_name(
            &mut errors,
            "title",
            &self.title.unwrap_or_default(),
            MAX_TITLE,
        );

        let district = clean_text(self.district).unwrap_or_default();
        if district.is_empty() {
            errors.add("district", "is required");
        } else if !catalog.has_district(&district) {
            errors.add(
                "district",
                format!("unknown district `{district}`; see GET /api/v1/districts"),
            );
        }

        let date = match clean_text(self.date) {
            None => {
                errors.add("date", "is required");
                String::new()
            }
            Some(text) => match parse_date(&text) {
                Some(date) => format_date(date),
                None => {
                    errors.add(
                        "date",
                        format!("`{text}` is not a date as YYYY-MM-DD (e.g. 2026-12-10)"),
                    );
                    String::new()
                }
            },
        };

        let mut invitees = Vec::new();
        let list = self.invitees.unwrap_or_default();
        if list.len() > MAX_INVITEES {
            errors.add("invitees", format!("at most {MAX_INVITEES} invitees"));
        } else {
            for (index, id) in list.into_iter().enumerate() {
                let id = id.trim().to_string();
                if !known_stakeholders.contains(&id) {
                    errors.add(
                        format!("invitees[{index}]"),
                        format!("no stakeholder `{id}` in the registry, or it is archived"),
                    );
                } else if !invitees.contains(&id) {
                    invitees.push(id);
                }
            }
        }

        errors.into_result(MeetingData {
            title,
            district,
            date,
            invitees,
        })
    }
}

impl MeetingData {
    pub fn to_input(&self) -> MeetingInput {
        MeetingInput {
            title: Some(self.title.clone()),
            district: Some(self.district.clone()),
            date: Some(self.date.clone()),
            invitees: Some(self.invitees.clone()),
        }
    }
}

word_enum! {
    /// Where a linkage stands: Sangam suggests, people propose it at the meeting, the provider
    /// accepts, the loan is disbursed or the course attended (completed) — or it is declined.
    #[schema(description = "`suggested` (by Sangam) → `proposed` (put to the provider at the meeting) → `accepted` (the provider agreed) → `completed` (loan disbursed, course attended, order delivered); or `declined`.")]
    LinkageStatus {
        Suggested => "suggested",
        Proposed => "proposed",
        Accepted => "accepted",
        Declined => "declined",
        Completed => "completed",
    }
}

impl LinkageStatus {
    /// The statuses a linkage may move to from this one.
    pub fn next(self) -> &'static [LinkageStatus] {
        use LinkageStatus::*;
        match self {
            Suggested => &[Proposed, Declined],
            Proposed => &[Accepted, Declined],
            Accepted => &[Completed, Declined],
            Declined | Completed => &[],
        }
    }

    /// Whether people have acted on the linkage; suggestions are Sangam's own and may be redone.
    pub fn is_held_by_people(self) -> bool {
        self != LinkageStatus::Suggested
    }

    /// Statuses that take a seat or a share of a budget from the offering.
    pub fn uses_capacity(self) -> bool {
        matches!(
            self,
            LinkageStatus::Proposed | LinkageStatus::Accepted | LinkageStatus::Completed
        )
    }

    /// A need with a linkage in such a status has been met, or is being met.
    pub fn closes_need(self) -> bool {
        matches!(self, LinkageStatus::Accepted | LinkageStatus::Completed)
    }

    /// Checks a move asked for by a person. Asking for the status the linkage already has is a
    /// harmless repeat (a retry over a bad network), not an error.
    pub fn check_move(self, to: LinkageStatus) -> Result<(), String> {
        if to == self || self.next().contains(&to) {
            return Ok(());
        }
        if self.next().is_empty() {
            return Err(format!(
                "the linkage is already {self} and can no longer move to {to}"
            ));
        }
        let allowed: Vec<&str> = self.next().iter().map(|s| s.as_str()).collect();
        Err(format!(
            "a {self} linkage can move to {}, not to {to}",
            allowed.join(" or ")
        ))
    }
}

/// A linkage as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Linkage {
    pub id: String,
    pub meeting_id: String,
    pub need_id: String,
    pub offering_id: String,
    pub kind: LinkageKind,
    pub score: f64,
    pub reasons: Vec<String>,
    /// The reasons in Hindi, one for one (empty for linkages saved before they were kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons_hi: Vec<String>,
    pub status: LinkageStatus,
    /// The latest note a person left.
    #[schema(required = true)]
    pub note: Option<String>,
    /// What the completed linkage brought, in its kind's unit: the loan amount in rupees
    /// (finance), how many were trained (training), the order value in rupees (market), the
    /// benefit in rupees (scheme). Absent until recorded, and never shown without a token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 0)]
    pub outcome_value: Option<i64>,
    #[schema(value_type = super::schema::Timestamp)]
    pub created_at: String,
    #[schema(value_type = super::schema::Timestamp)]
    pub updated_at: String,
}

/// One move a person made, for the linkage's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LinkageEvent {
    pub from_status: LinkageStatus,
    pub to_status: LinkageStatus,
    #[schema(required = true)]
    pub note: Option<String>,
    /// The token's (or person's) name.
    pub actor: String,
    #[schema(value_type = super::schema::Timestamp)]
    pub at: String,
}

/// `PATCH /api/v1/linkages/{id}`: where to move a linkage, and why.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LinkageMove)]
pub struct LinkageMoveInput {
    /// Where to move it; Sangam alone makes `suggested` ones.
    #[schema(schema_with = move_targets, required = true)]
    pub status: Option<String>,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Only with `completed` (otherwise 422): the loan amount in rupees, the number trained, the
    /// order value or the scheme benefit in rupees, as the linkage's kind says. Negative values
    /// are refused (422).
    #[schema(minimum = 0)]
    pub outcome_value: Option<i64>,
}

/// The statuses a person may move a linkage to.
fn move_targets() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(["proposed", "accepted", "declined", "completed"]))
        .build()
}

/// A validated move: the status asked for and the note, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkageMove {
    pub status: LinkageStatus,
    pub note: Option<String>,
    pub outcome_value: Option<i64>,
}

impl LinkageMoveInput {
    pub fn validate(self) -> Result<LinkageMove, FieldErrors> {
        let mut errors = FieldErrors::new();
        // `suggested` is Sangam's word; people move linkages on from it.
        let allowed = [
            LinkageStatus::Proposed,
            LinkageStatus::Accepted,
            LinkageStatus::Declined,
            LinkageStatus::Completed,
        ];
        let expected = "must be one of proposed, accepted, declined, completed";
        let status = match clean_text(self.status) {
            None => {
                errors.add("status", format!("is required; {expected}"));
                None
            }
            Some(text) => match LinkageStatus::parse(&text).filter(|s| allowed.contains(s)) {
                Some(status) => Some(status),
                None => {
                    errors.add("status", format!("unknown value `{text}`: {expected}"));
                    None
                }
            },
        };
        let note = clean_text(self.note);
        if let Some(text) = &note {
            check_text(&mut errors, "note", text, MAX_NOTE);
        }
        if let Some(value) = self.outcome_value {
            if value < 0 {
                errors.add("outcome_value", "must not be negative");
            } else if status.is_some_and(|s| s != LinkageStatus::Completed) {
                errors.add(
                    "outcome_value",
                    "is recorded only when the linkage is completed",
                );
            }
        }
        errors.into_result(LinkageMove {
            status: status.unwrap_or(LinkageStatus::Proposed),
            note,
            outcome_value: self.outcome_value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LinkageStatus::*;

    fn catalog() -> Catalog {
        let mut catalog = Catalog::default();
        catalog.districts.insert("up-bhadohi".into());
        catalog
    }

    #[test]
    fn a_meeting_with_every_field_wrong_names_each_field() {
        let input = MeetingInput {
            title: Some("  ".into()),
            district: Some("up-atlantis".into()),
            date: Some("2026-02-30".into()),
            invitees: Some(vec!["st_known".into(), "st_ghost".into()]),
        };
        let known = BTreeSet::from(["st_known".to_string()]);
        let errors = input.validate_with(&catalog(), &known).unwrap_err();
        let fields: Vec<&str> = errors.fields().keys().map(String::as_str).collect();
        assert_eq!(fields, ["date", "district", "invitees[1]", "title"]);
        assert!(errors.fields()["invitees[1]"].contains("st_ghost"));
    }

    #[test]
    fn invitees_are_kept_once_in_the_order_given() {
        let input = MeetingInput {
            title: Some("Bhadohi coalition".into()),
            district: Some("up-bhadohi".into()),
            date: Some("2026-12-10".into()),
            invitees: Some(vec!["st_b".into(), "st_a".into(), " st_b ".into()]),
        };
        let known = BTreeSet::from(["st_a".to_string(), "st_b".to_string()]);
        let data = input.validate_with(&catalog(), &known).unwrap();
        assert_eq!(data.invitees, ["st_b", "st_a"]);
    }

    #[test]
    fn the_lifecycle_goes_forward_one_step_at_a_time() {
        assert!(Suggested.check_move(Proposed).is_ok());
        assert!(Proposed.check_move(Accepted).is_ok());
        assert!(Accepted.check_move(Completed).is_ok());
        for open in [Suggested, Proposed, Accepted] {
            assert!(open.check_move(Declined).is_ok(), "{open} can be declined");
        }
        let skipped = Suggested.check_move(Completed).unwrap_err();
        assert_eq!(
            skipped,
            "a suggested linkage can move to proposed or declined, not to completed"
        );
        assert!(Completed.check_move(Declined).is_err());
        assert!(Declined.check_move(Proposed).is_err());
        assert!(Proposed.check_move(Suggested).is_err());
        assert!(
            Accepted.check_move(Accepted).is_ok(),
            "a repeat is harmless"
        );
    }

    #[test]
    fn a_move_needs_a_status_people_may_set() {
        let errors = LinkageMoveInput {
            status: Some("suggested".into()),
            ..LinkageMoveInput::default()
        }
        .validate()
        .unwrap_err();
        assert!(errors.fields()["status"].contains("unknown value `suggested`"));
        assert!(LinkageMoveInput::default().validate().is_err());
    }

    #[test]
    fn an_outcome_is_recorded_only_on_completion_and_never_negative() {
        let move_to = |status: &str, value: i64| LinkageMoveInput {
            status: Some(status.into()),
            note: None,
            outcome_value: Some(value),
        };
        assert_eq!(
            move_to("completed", 45_000)
                .validate()
                .unwrap()
                .outcome_value,
            Some(45_000)
        );
        let negative = move_to("completed", -1).validate().unwrap_err();
        assert!(negative.fields()["outcome_value"].contains("negative"));
        let early = move_to("accepted", 10).validate().unwrap_err();
        assert!(early.fields()["outcome_value"].contains("completed"));
    }
}

//! Who sees what of personal data — the one rule every view applies (records, linkages,
//! suggestions, briefs, search, exports, HSDS).
//!
//! Without a token a reader is the public: active records only; no contact details; of a
//! profile only what describes the enterprise (sector, stage, a group's size) — a person's
//! gender, age, social category, SHG membership and block are personal data; no consent record
//! (that is for facilitators and admins only); and no linkage reasons or notes, because a reason is a profile fact ("age 31 within 18–45",
//! "open to female applicants") and following a linkage's need names the person.

use super::access::Role;
use super::meeting::Linkage;
use super::record::Status;
use super::stakeholder::{Contact, Profile, Stakeholder};

/// Whom a view is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, without a token.
    Public,
    /// A consultant: works with the records, contacts and profiles included.
    Member,
    /// A facilitator or admin, who also answers for consent and erasure.
    Moderator,
}

impl Audience {
    /// The audience of a caller with `role` (`None`: no token).
    pub fn of(role: Option<Role>) -> Audience {
        match role {
            None => Audience::Public,
            Some(role) if role.may_moderate() => Audience::Moderator,
            Some(_) => Audience::Member,
        }
    }

    /// Whether a record in `status` may be shown at all.
    pub fn sees_status(self, status: Status) -> bool {
        self != Audience::Public || status == Status::Active
    }

    /// Whether contact details, a person's profile facts and linkage reasons are shown.
    pub fn sees_personal_data(self) -> bool {
        self != Audience::Public
    }

    /// Whether the consent record of a public registration is shown.
    pub fn sees_consent(self) -> bool {
        self == Audience::Moderator
    }

    /// The stakeholder as this audience may see it.
    pub fn stakeholder(self, mut stakeholder: Stakeholder) -> Stakeholder {
        if !self.sees_consent() {
            stakeholder.consent = None;
        }
        if self.sees_personal_data() {
            return stakeholder;
        }
        stakeholder.data.contact = Contact::default();
        if let Some(profile) = stakeholder.data.profile.take() {
            stakeholder.data.profile = Some(Profile {
                sector: profile.sector,
                stage: profile.stage,
                members: profile.members,
                ..Profile::default()
            });
        }
        stakeholder
    }

    /// The linkage as this audience may see it: the public learns that a need and an offering
    /// were linked and how far it went, not why or what was noted.
    pub fn linkage(self, linkage: Linkage) -> Linkage {
        if self.sees_personal_data() {
            return linkage;
        }
        Linkage {
            reasons: Vec::new(),
            note: None,
            ..linkage
        }
    }
}

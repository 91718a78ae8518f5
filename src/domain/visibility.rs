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
            reasons_hi: Vec::new(),
            note: None,
            outcome_value: None,
            ..linkage
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::consent::ConsentRecord;
    use crate::domain::meeting::LinkageStatus;
    use crate::domain::offering::LinkageKind;
    use crate::domain::record::{Origin, RecordMeta};
    use crate::domain::stakeholder::{Gender, Stage, StakeholderData, StakeholderKind};

    fn sunita() -> Stakeholder {
        Stakeholder {
            id: "st_1".into(),
            data: StakeholderData {
                kind: StakeholderKind::MicroEntrepreneur,
                name: "Sunita Devi".into(),
                name_local: None,
                district: "up-mirzapur".into(),
                districts_served: vec!["up-mirzapur".into()],
                description: None,
                contact: Contact {
                    person: Some("Sunita Devi".into()),
                    phone: Some("+919876543210".into()),
                    email: None,
                },
                profile: Some(Profile {
                    gender: Some(Gender::Female),
                    age: Some(31),
                    sector: Some("tailoring".into()),
                    stage: Some(Stage::Early),
                    block: Some("Chhanbey".into()),
                    ..Profile::default()
                }),
                linkage_limit: None,
            },
            possible_duplicates: Vec::new(),
            consent: Some(ConsentRecord {
                notice_version: "2026-12".into(),
                language: "hi".into(),
                given_at: "2026-12-07T01:00:00.000Z".into(),
            }),
            meta: RecordMeta {
                status: Status::Pending,
                created_via: Origin::Registration,
                created_by: "public".into(),
                created_at: String::new(),
                updated_at: String::new(),
                version: 1,
                updated_by: None,
                demo: false,
            },
        }
    }

    #[test]
    fn the_public_sees_the_enterprise_not_the_person() {
        let public = Audience::of(None);
        assert!(!public.sees_status(Status::Pending));
        let seen = public.stakeholder(sunita());
        assert_eq!(seen.data.contact, Contact::default());
        assert_eq!(seen.consent, None);
        let profile = seen.data.profile.unwrap();
        assert_eq!(
            (profile.gender, profile.age, profile.block),
            (None, None, None)
        );
        assert_eq!(profile.sector.as_deref(), Some("tailoring"));
    }

    #[test]
    fn consultants_see_the_person_and_only_moderators_the_consent() {
        let consultant = Audience::of(Some(Role::Consultant)).stakeholder(sunita());
        assert_eq!(
            consultant.data.contact.phone.as_deref(),
            Some("+919876543210")
        );
        assert_eq!(consultant.consent, None);
        for role in [Role::Facilitator, Role::Admin] {
            assert_eq!(Audience::of(Some(role)).stakeholder(sunita()), sunita());
        }
    }

    #[test]
    fn a_linkage_keeps_its_reasons_from_the_public() {
        let linkage = Linkage {
            id: "lk_1".into(),
            meeting_id: "mt_1".into(),
            need_id: "nd_1".into(),
            offering_id: "of_1".into(),
            kind: LinkageKind::Finance,
            score: 0.8,
            reasons: vec!["age 31 within 18–60".into()],
            reasons_hi: vec!["आयु 31, 18–60 के भीतर".into()],
            status: LinkageStatus::Proposed,
            note: Some("called her".into()),
            outcome_value: Some(45_000),
            created_at: String::new(),
            updated_at: String::new(),
        };
        let public = Audience::Public.linkage(linkage.clone());
        assert!(public.reasons.is_empty() && public.reasons_hi.is_empty() && public.note.is_none());
        assert_eq!(public.outcome_value, None);
        assert_eq!(public.status, LinkageStatus::Proposed);
        assert_eq!(Audience::Member.linkage(linkage.clone()), linkage);
    }
}

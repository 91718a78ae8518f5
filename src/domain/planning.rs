//! What the meeting planner ([`crate::matching::suggest`]) reads and writes, as plain values: open
//! needs with their owners' profiles, offerings with their providers, what is already used, and
//! the suggestions it makes. They live here, not beside the planner, so that the store can read
//! and save them without depending on how matching thinks.

use super::need::Need;
use super::offering::{LinkageKind, Offering};
use super::stakeholder::Profile;

/// A provider with no decided linkages is taken to have this share accepted or completed, worth
/// this many linkages: a newcomer starts near the middle, and a few outcomes move it only a little.
const PRIOR_SHARE: f64 = 0.6;
const PRIOR_WEIGHT: f64 = 4.0;

/// An open need of an entrepreneur or SHG in the meeting's district, with the profile that
/// eligibility is checked against (empty when the record has none).
#[derive(Debug, Clone)]
pub struct OpenNeed {
    pub need: Need,
    pub profile: Profile,
}

impl OpenNeed {
    /// Seats of a course this need takes (see [`crate::domain::need::NeedData::seats`]).
    pub fn seats(&self) -> i64 {
        self.need.data.seats(self.profile.members)
    }
}

/// How a provider's past linkages went: those people decided on, across every meeting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrackRecord {
    pub accepted: i64,
    pub completed: i64,
    pub declined: i64,
}

impl TrackRecord {
    pub fn decided(&self) -> i64 {
        self.accepted + self.completed + self.declined
    }

    /// Share of decided linkages accepted or completed, smoothed toward [`PRIOR_SHARE`].
    pub fn share(&self) -> f64 {
        let good = (self.accepted + self.completed) as f64;
        (good + PRIOR_SHARE * PRIOR_WEIGHT) / (self.decided() as f64 + PRIOR_WEIGHT)
    }
}

/// Who gives an offering.
#[derive(Debug, Clone, Default)]
pub struct Provider {
    pub id: String,
    pub name: String,
    /// Home district code.
    pub district: String,
    pub record: TrackRecord,
    /// Most linkages this provider takes on at one meeting, if it said.
    pub linkage_limit: Option<i64>,
}

/// An active offering that serves the meeting's district, with its provider.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub offering: Offering,
    pub provider: Provider,
}

/// Seats and rupees of an offering already taken by linkages people have proposed, accepted or
/// completed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Seats: one per person who attends (an SHG's members each take one).
    pub seats: i64,
    pub amount_inr: i64,
}

/// A suggested linkage.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub need_id: String,
    pub offering_id: String,
    pub provider_id: String,
    pub kind: LinkageKind,
    pub score: f64,
    pub reasons: Vec<String>,
    /// The same reasons in Hindi, one for one.
    pub reasons_hi: Vec<String>,
}

//! Matching needs to offerings: pure functions from domain values to judgements, no I/O.
//!
//! The meeting-preparation work (scored suggestions, capacity-aware assignment, gaps and whom to
//! invite) builds on [`eligibility`], which says rule by rule whether an offering is open to an
//! entrepreneur for a given need, in words a facilitator can read out.

pub mod eligibility;
pub mod flow;
pub mod suggest;

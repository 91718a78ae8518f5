//! Suggestions for a coalition meeting: which offering for which open need, how good a fit and
//! why; which needs nothing registered can meet; and which providers to invite.
//!
//! Pure: the store gathers the district's open needs, the offerings that serve it and what people
//! have already done; [`plan`] decides. Every pair is checked rule by rule with
//! [`eligibility::check`]: a failed rule excludes the offering, a fact the profile lacks is kept
//! but lowers the score and is named as something to ask at the meeting. Pairs are then assigned
//! best first, never giving an offering more needs than its seats or more rupees than its budget.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::eligibility::{self, Verdict, rupees, sector_words};
use crate::domain::meeting::LinkageStatus;
use crate::domain::need::Need;
use crate::domain::offering::{LinkageKind, Offering};
use crate::domain::record::{format_date, parse_date};
use crate::domain::stakeholder::Profile;

/// How much each part of a fit weighs; they add up to 1.
const WEIGHT_SECTOR: f64 = 0.35;
const WEIGHT_AMOUNT: f64 = 0.25;
const WEIGHT_INVITED: f64 = 0.2;
const WEIGHT_LOCAL: f64 = 0.2;
/// Each fact to be asked at the meeting (gender, age… not recorded) keeps this much of the score.
const UNKNOWN_FACT_FACTOR: f64 = 0.9;
/// Days after a meeting in which a facilitator follows its linkages up: a course that starts
/// within them is preferred to one that starts later.
pub const FOLLOW_UP_DAYS: i64 = 60;
/// A course that starts after the follow-up window keeps this much of the score.
const LATE_START_FACTOR: f64 = 0.85;

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

/// Who gives an offering.
#[derive(Debug, Clone)]
pub struct Provider {
    pub id: String,
    pub name: String,
    /// Home district code.
    pub district: String,
}

/// An active offering that serves the meeting's district, with its provider.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub offering: Offering,
    pub provider: Provider,
}

/// The meeting as the planner sees it.
#[derive(Debug, Clone)]
pub struct Table<'a> {
    pub district: &'a str,
    /// The meeting's date: every rule (validity, a batch's start) is judged on it.
    pub date: time::Date,
    pub invitees: &'a BTreeSet<String>,
    /// English district names by code, for reasons a facilitator can read.
    pub district_names: &'a BTreeMap<String, String>,
    /// At most this many suggestions per need.
    pub per_need: usize,
}

impl Table<'_> {
    fn name_of(&self, district: &str) -> String {
        self.district_names
            .get(district)
            .cloned()
            .unwrap_or_else(|| district.to_string())
    }
}

/// Seats and rupees of an offering already taken by linkages people have proposed, accepted or
/// completed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Seats: one per person who attends (an SHG's members each take one).
    pub seats: i64,
    pub amount_inr: i64,
}

/// What people have already done, which a plan must respect.
#[derive(Debug, Clone, Default)]
pub struct Commitments {
    /// By offering id, over every meeting.
    pub used: BTreeMap<String, Usage>,
    /// (need id, offering id) pairs of this meeting that people have moved on from `suggested`:
    /// they keep their status and are not suggested again.
    pub held: BTreeMap<(String, String), LinkageStatus>,
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
}

/// An open need nothing can meet at this meeting, and why, in a facilitator's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub need_id: String,
    pub kind: LinkageKind,
    pub why: String,
    pub cause: GapCause,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapCause {
    /// No offering of the need's kind and trade serves the district.
    NothingServes,
    /// Offerings of the trade serve the district, but a rule keeps each out.
    NoneFits,
    /// Every offering that fits is out of seats or budget.
    Full,
    /// Every offering that fits was declined.
    Declined,
}

/// A provider not invited whose offerings would serve open needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub stakeholder_id: String,
    pub name: String,
    pub reason: String,
    pub open_needs: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Best first.
    pub suggestions: Vec<Suggestion>,
    pub gaps: Vec<Gap>,
    /// Most open needs served first.
    pub invite: Vec<Invitation>,
}

/// How well an eligible offering fits a need, with the reasons.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub score: f64,
    pub reasons: Vec<String>,
}

/// Whether an offering is open to this need at this meeting, and how well it fits; an offering
/// that breaks a rule gives the broken rules' reasons instead.
pub fn fit(need: &OpenNeed, candidate: &Candidate, table: &Table) -> Result<Fit, Vec<String>> {
    let checked = eligibility::check(
        &need.profile,
        &need.need.data,
        &candidate.offering.data,
        table.date,
    );
    if !checked.is_eligible() {
        return Err(checked
            .reasons(Verdict::Fail)
            .into_iter()
            .map(String::from)
            .collect());
    }
    let verdict_of = |rule: &str| checked.outcomes.iter().find(|o| o.rule == rule);
    let mut reasons = Vec::new();
    let mut to_ask = Vec::new();

    let sector = match verdict_of("sector") {
        Some(o) if o.verdict == Verdict::Pass => {
            reasons.push(o.reason.clone());
            1.0
        }
        Some(o) => {
            to_ask.push(o.reason.clone());
            0.3
        }
        None => {
            reasons.push("open to any sector".to_string());
            0.6
        }
    };
    let amount = match verdict_of("amount") {
        Some(o) if o.verdict == Verdict::Pass => {
            reasons.push(o.reason.clone());
            1.0
        }
        Some(o) => {
            to_ask.push(o.reason.clone());
            0.3
        }
        None => 0.6,
    };
    let mut unknown_facts = 0;
    for outcome in &checked.outcomes {
        if matches!(outcome.rule, "sector" | "amount" | "kind" | "starts_on") {
            continue;
        }
        match outcome.verdict {
            Verdict::Pass => reasons.push(outcome.reason.clone()),
            Verdict::Unknown => {
                unknown_facts += 1;
                to_ask.push(outcome.reason.clone());
            }
            Verdict::Fail => {}
        }
    }

    let mut timing = 1.0;
    if let Some(starts) = candidate
        .offering
        .data
        .terms
        .starts_on
        .as_deref()
        .and_then(parse_date)
    {
        let days = (starts - table.date).whole_days();
        if days <= FOLLOW_UP_DAYS {
            reasons.push(format!(
                "batch starts on {}, within {FOLLOW_UP_DAYS} days of the meeting",
                format_date(starts)
            ));
        } else {
            timing = LATE_START_FACTOR;
            reasons.push(format!(
                "batch starts on {}, {days} days after the meeting",
                format_date(starts)
            ));
        }
    }

    let provider = &candidate.provider;
    let local = if provider.district == table.district {
        reasons.push(format!("based in {}", table.name_of(table.district)));
        1.0
    } else {
        reasons.push(format!(
            "serves {} from {}",
            table.name_of(table.district),
            table.name_of(&provider.district)
        ));
        0.5
    };
    let invited = if table.invitees.contains(&provider.id) {
        reasons.push(format!("{} is invited", provider.name));
        1.0
    } else {
        reasons.push(format!("{} is not invited", provider.name));
        0.0
    };
    reasons.extend(to_ask.into_iter().map(|why| format!("to ask: {why}")));

    let raw = WEIGHT_SECTOR * sector
        + WEIGHT_AMOUNT * amount
        + WEIGHT_INVITED * invited
        + WEIGHT_LOCAL * local;
    let score = raw * timing * UNKNOWN_FACT_FACTOR.powi(unknown_facts);
    Ok(Fit {
        score: (score.clamp(0.0, 1.0) * 100.0).round() / 100.0,
        reasons,
    })
}

/// Whether an offering is meant for a district; an offering that names no district serves all.
pub fn serves(offering: &Offering, district: &str) -> bool {
    offering.data.districts.is_empty() || offering.data.districts.iter().any(|d| d == district)
}

/// One eligible (need, offering) pair, by index into the inputs.
struct Pair {
    need: usize,
    candidate: usize,
    fit: Fit,
}

/// What is left of an offering while assigning.
#[derive(Debug, Clone, Copy)]
struct Room {
    seats_left: Option<i64>,
    budget_left: Option<i64>,
}

/// Plans a meeting: suggestions best first, gaps, and whom to invite.
pub fn plan(
    needs: &[OpenNeed],
    candidates: &[Candidate],
    table: &Table,
    commitments: &Commitments,
) -> Plan {
    let mut pairs = Vec::new();
    // Per need: offerings of its kind that serve the district, and why each eligible-looking one
    // (same sector or any) was refused, for the gap's explanation.
    let mut refusals: Vec<Vec<(usize, Vec<String>)>> = vec![Vec::new(); needs.len()];
    for (n, need) in needs.iter().enumerate() {
        for (c, candidate) in candidates.iter().enumerate() {
            if candidate.offering.data.kind != need.need.data.kind
                || candidate.provider.id == need.need.stakeholder_id
                || !serves(&candidate.offering, table.district)
            {
                continue;
            }
            match fit(need, candidate, table) {
                Ok(fit) => pairs.push(Pair {
                    need: n,
                    candidate: c,
                    fit,
                }),
                Err(failed) => refusals[n].push((c, failed)),
            }
        }
    }

    let invite = invitations(needs, candidates, &pairs, table);

    let mut options = vec![0usize; needs.len()];
    for pair in &pairs {
        options[pair.need] += 1;
    }
    let held_for = |n: usize, c: usize| {
        commitments
            .held
            .get(&(needs[n].need.id.clone(), candidates[c].offering.id.clone()))
            .copied()
    };
    // Linkages people are already working on count against a need's share of suggestions.
    let mut slots: Vec<usize> = needs
        .iter()
        .map(|need| {
            let working = commitments
                .held
                .iter()
                .filter(|((need_id, _), status)| *need_id == need.need.id && status.uses_capacity())
                .count();
            table.per_need.saturating_sub(working)
        })
        .collect();
    let mut rooms: Vec<Room> = candidates
        .iter()
        .map(|candidate| {
            let used = commitments
                .used
                .get(&candidate.offering.id)
                .copied()
                .unwrap_or_default();
            let terms = &candidate.offering.data.terms;
            Room {
                seats_left: terms.seats.map(|seats| (seats - used.seats).max(0)),
                budget_left: terms
                    .budget_inr
                    .map(|budget| (budget - used.amount_inr).max(0)),
            }
        })
        .collect();

    // Best first; at equal scores the need with fewer options goes first, so it is not crowded
    // out of its only offering by a need that has others.
    pairs.sort_by(|a, b| {
        b.fit
            .score
            .total_cmp(&a.fit.score)
            .then(options[a.need].cmp(&options[b.need]))
            .then_with(|| needs[a.need].need.id.cmp(&needs[b.need].need.id))
            .then_with(|| {
                candidates[a.candidate]
                    .offering
                    .id
                    .cmp(&candidates[b.candidate].offering.id)
            })
    });

    let mut suggestions = Vec::new();
    let mut suggested_for = vec![0usize; needs.len()];
    let mut full: Vec<Vec<String>> = vec![Vec::new(); needs.len()];
    let mut declined_for = vec![0usize; needs.len()];
    for pair in pairs {
        let (n, c) = (pair.need, pair.candidate);
        match held_for(n, c) {
            Some(LinkageStatus::Declined) => {
                declined_for[n] += 1;
                continue;
            }
            Some(_) => continue,
            None => {}
        }
        if slots[n] == 0 {
            continue;
        }
        let candidate = &candidates[c];
        let amount = needs[n].need.data.amount_inr;
        let room = rooms[c];
        let mut reasons = pair.fit.reasons;
        let wanted = needs[n].seats();
        if let Some(seats) = room.seats_left {
            if seats < wanted {
                full[n].push(if seats == 0 {
                    format!(
                        "“{}” ({}) has no seats left",
                        candidate.offering.data.title, candidate.provider.name
                    )
                } else {
                    format!(
                        "“{}” ({}) has {seats} seats left, fewer than the {wanted} who would attend",
                        candidate.offering.data.title, candidate.provider.name
                    )
                });
                continue;
            }
            reasons.push(format!(
                "takes {wanted} of {seats} {} left",
                if seats == 1 { "seat" } else { "seats" }
            ));
        }
        if let Some(budget) = room.budget_left {
            match amount {
                Some(amount) if amount > budget => {
                    full[n].push(format!(
                        "“{}” ({}) has {} of its budget left, less than {}",
                        candidate.offering.data.title,
                        candidate.provider.name,
                        rupees(budget),
                        rupees(amount)
                    ));
                    continue;
                }
                Some(amount) => reasons.push(format!(
                    "uses {} of the {} budget left",
                    rupees(amount),
                    rupees(budget)
                )),
                None => reasons.push(format!(
                    "to ask: the amount, against {} of budget left",
                    rupees(budget)
                )),
            }
        }
        rooms[c].seats_left = room.seats_left.map(|s| s - wanted);
        rooms[c].budget_left = room.budget_left.map(|b| b - amount.unwrap_or(0));
        slots[n] -= 1;
        suggested_for[n] += 1;
        suggestions.push(Suggestion {
            need_id: needs[n].need.id.clone(),
            offering_id: candidate.offering.id.clone(),
            provider_id: candidate.provider.id.clone(),
            kind: candidate.offering.data.kind,
            score: pair.fit.score,
            reasons,
        });
    }

    let mut gaps = Vec::new();
    for (n, need) in needs.iter().enumerate() {
        let working = commitments
            .held
            .iter()
            .any(|((need_id, _), status)| *need_id == need.need.id && status.uses_capacity());
        if suggested_for[n] > 0 || working {
            continue;
        }
        let (why, cause) = if !full[n].is_empty() {
            let full = full[n].iter().take(2).cloned().collect::<Vec<_>>();
            (
                format!("every offering that fits is full: {}", full.join("; ")),
                GapCause::Full,
            )
        } else if declined_for[n] > 0 && options[n] > 0 {
            (
                "every offering that fits was declined at this meeting".to_string(),
                GapCause::Declined,
            )
        } else {
            refusal_why(need, &refusals[n], candidates, table)
        };
        gaps.push(Gap {
            need_id: need.need.id.clone(),
            kind: need.need.data.kind,
            why,
            cause,
        });
    }

    Plan {
        suggestions,
        gaps,
        invite,
    }
}

/// "buyer", "lender"…: who would meet a need of this kind.
pub fn provider_word(kind: LinkageKind) -> &'static str {
    match kind {
        LinkageKind::Finance => "lender",
        LinkageKind::Training => "trainer",
        LinkageKind::Market => "buyer",
        LinkageKind::Scheme => "scheme",
    }
}

/// Why no offering fits a need that has no eligible offering at all.
fn refusal_why(
    need: &OpenNeed,
    refusals: &[(usize, Vec<String>)],
    candidates: &[Candidate],
    table: &Table,
) -> (String, GapCause) {
    let data = &need.need.data;
    let word = provider_word(data.kind);
    let district = table.name_of(table.district);
    let wanted = match &data.sector {
        Some(sector) => format!("{word} for {}", sector_words(sector)),
        None => word.to_string(),
    };
    // Offerings refused for the sector alone do not serve this trade at all.
    let near: Vec<String> = refusals
        .iter()
        .filter(|(_, failed)| !failed.iter().any(|why| why.starts_with("sector ")))
        .take(2)
        .map(|(c, failed)| {
            let candidate = &candidates[*c];
            format!(
                "{}, “{}” — {}",
                candidate.provider.name,
                candidate.offering.data.title,
                failed.join(", ")
            )
        })
        .collect();
    if near.is_empty() {
        (
            format!("no {wanted} serves {district}"),
            GapCause::NothingServes,
        )
    } else {
        (
            format!(
                "no {wanted} in {district} takes this need: {}",
                near.join("; ")
            ),
            GapCause::NoneFits,
        )
    }
}

/// For a need nothing in the district serves: up to two offerings elsewhere that would take it
/// if they served this district, so the facilitator knows whom to ask ("RSETI Mirzapur offers
/// “Dairy farming” in Mirzapur"). `elsewhere` holds offerings of other districts.
pub fn served_elsewhere(need: &OpenNeed, elsewhere: &[Candidate], table: &Table) -> Option<String> {
    let found: Vec<String> = elsewhere
        .iter()
        .filter(|c| {
            c.offering.data.kind == need.need.data.kind
                && c.provider.id != need.need.stakeholder_id
                && !serves(&c.offering, table.district)
                && eligibility::check(&need.profile, &need.need.data, &c.offering.data, table.date)
                    .is_eligible()
        })
        .take(2)
        .map(|c| {
            let districts = &c.offering.data.districts;
            let mut places: Vec<String> =
                districts.iter().take(2).map(|d| table.name_of(d)).collect();
            if districts.len() > 2 {
                places.push(format!("{} more districts", districts.len() - 2));
            }
            format!(
                "{} offers “{}” in {}",
                c.provider.name,
                c.offering.data.title,
                places.join(", ")
            )
        })
        .collect();
    (!found.is_empty()).then(|| found.join("; "))
}

fn invitations(
    needs: &[OpenNeed],
    candidates: &[Candidate],
    pairs: &[Pair],
    table: &Table,
) -> Vec<Invitation> {
    // Provider id → kind → the open needs its offerings would serve.
    let mut served: BTreeMap<&str, BTreeMap<LinkageKind, BTreeSet<usize>>> = BTreeMap::new();
    for pair in pairs {
        let provider = &candidates[pair.candidate].provider;
        if table.invitees.contains(&provider.id) {
            continue;
        }
        served
            .entry(provider.id.as_str())
            .or_default()
            .entry(needs[pair.need].need.data.kind)
            .or_default()
            .insert(pair.need);
    }
    let mut invite: Vec<Invitation> = served
        .into_iter()
        .map(|(id, by_kind)| {
            let name = candidates
                .iter()
                .find(|c| c.provider.id == id)
                .map(|c| c.provider.name.clone())
                .unwrap_or_default();
            let parts: Vec<String> = by_kind
                .iter()
                .map(|(kind, needs)| {
                    let count = needs.len();
                    format!(
                        "{count} open {kind} {}",
                        if count == 1 { "need" } else { "needs" }
                    )
                })
                .collect();
            let open_needs = by_kind.values().flatten().collect::<BTreeSet<_>>().len();
            Invitation {
                stakeholder_id: id.to_string(),
                name,
                reason: format!("serves {}; not invited", parts.join(" and ")),
                open_needs,
            }
        })
        .collect();
    invite.sort_by(|a, b| match b.open_needs.cmp(&a.open_needs) {
        Ordering::Equal => a.name.cmp(&b.name),
        other => other,
    });
    invite
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::need::NeedData;
    use crate::domain::offering::{Eligibility, OfferingData, Terms};
    use crate::domain::record::{Origin, RecordMeta, Status};
    use crate::domain::stakeholder::{Gender, Stage};

    fn meta() -> RecordMeta {
        RecordMeta {
            status: Status::Active,
            created_via: Origin::Api,
            created_by: "test".into(),
            created_at: "2026-11-01T00:00:00.000Z".into(),
            updated_at: "2026-11-01T00:00:00.000Z".into(),
            demo: false,
        }
    }

    fn need(id: &str, kind: LinkageKind, sector: &str, amount: Option<i64>) -> OpenNeed {
        OpenNeed {
            need: Need {
                id: id.into(),
                stakeholder_id: format!("st_{id}"),
                district: "up-bhadohi".into(),
                data: NeedData {
                    kind,
                    title: format!("need {id}"),
                    description: None,
                    sector: Some(sector.into()),
                    amount_inr: amount,
                    attendees: None,
                },
                meta: meta(),
            },
            profile: Profile {
                gender: Some(Gender::Female),
                age: Some(30),
                stage: Some(Stage::Early),
                ..Profile::default()
            },
        }
    }

    fn offering(id: &str, provider: &str, kind: LinkageKind, sectors: &[&str]) -> Candidate {
        Candidate {
            offering: Offering {
                id: id.into(),
                stakeholder_id: provider.into(),
                data: OfferingData {
                    kind,
                    title: format!("offering {id}"),
                    description: None,
                    sectors: sectors.iter().map(|s| s.to_string()).collect(),
                    districts: vec!["up-bhadohi".into()],
                    eligibility: Eligibility::default(),
                    terms: Terms::default(),
                    valid_until: None,
                },
                meta: meta(),
            },
            provider: Provider {
                id: provider.into(),
                name: format!("Provider {provider}"),
                district: "up-bhadohi".into(),
            },
        }
    }

    fn names() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("up-bhadohi".to_string(), "Bhadohi".to_string()),
            ("up-mirzapur".to_string(), "Mirzapur".to_string()),
        ])
    }

    fn run(
        needs: &[OpenNeed],
        candidates: &[Candidate],
        invitees: &[&str],
        commitments: &Commitments,
    ) -> Plan {
        let invitees: BTreeSet<String> = invitees.iter().map(|s| s.to_string()).collect();
        let names = names();
        let table = Table {
            district: "up-bhadohi",
            date: parse_date("2026-12-10").unwrap(),
            invitees: &invitees,
            district_names: &names,
            per_need: 3,
        };
        plan(needs, candidates, &table, commitments)
    }

    #[test]
    fn a_named_sector_and_amount_in_range_score_above_an_any_sector_offering() {
        let mut loan = offering("of_loan", "st_bank", LinkageKind::Finance, &["tailoring"]);
        loan.offering.data.eligibility.min_amount_inr = Some(20_000);
        loan.offering.data.eligibility.max_amount_inr = Some(150_000);
        let general = offering("of_any", "st_mfi", LinkageKind::Finance, &[]);
        let plan = run(
            &[need(
                "nd_1",
                LinkageKind::Finance,
                "tailoring",
                Some(45_000),
            )],
            &[general, loan],
            &["st_bank", "st_mfi"],
            &Commitments::default(),
        );
        let order: Vec<&str> = plan
            .suggestions
            .iter()
            .map(|s| s.offering_id.as_str())
            .collect();
        assert_eq!(order, ["of_loan", "of_any"]);
        let best = &plan.suggestions[0];
        assert_eq!(best.score, 1.0);
        assert!(
            best.reasons
                .contains(&"sector tailoring matches".to_string())
        );
        assert!(
            best.reasons
                .contains(&"amount ₹45,000 within ₹20,000–₹1,50,000".to_string()),
            "{:?}",
            best.reasons
        );
        assert!(best.reasons.contains(&"based in Bhadohi".to_string()));
        assert!(plan.suggestions[1].score < best.score);
        assert!(plan.gaps.is_empty() && plan.invite.is_empty());
    }

    #[test]
    fn an_unknown_fact_keeps_the_offering_but_lowers_the_score_and_says_what_to_ask() {
        let mut for_women = offering("of_w", "st_bank", LinkageKind::Finance, &["tailoring"]);
        for_women.offering.data.eligibility.gender = Some(Gender::Female);
        let known = need("nd_known", LinkageKind::Finance, "tailoring", None);
        let mut unknown = need("nd_unknown", LinkageKind::Finance, "tailoring", None);
        unknown.profile.gender = None;
        let plan = run(
            &[known, unknown],
            &[for_women],
            &["st_bank"],
            &Commitments::default(),
        );
        let score_of = |id: &str| {
            plan.suggestions
                .iter()
                .find(|s| s.need_id == id)
                .unwrap_or_else(|| panic!("{id} not suggested"))
        };
        assert!(score_of("nd_unknown").score < score_of("nd_known").score);
        assert!(
            score_of("nd_unknown")
                .reasons
                .contains(&"to ask: only for female applicants; gender not recorded".to_string())
        );
    }

    #[test]
    fn a_failed_rule_excludes_and_the_gap_names_the_trade_and_district() {
        let mut yarn_buyer = offering("of_b", "st_buyer", LinkageKind::Market, &["handloom"]);
        yarn_buyer.provider.name = "Kaleen Kala Exports".into();
        let plan = run(
            &[need("nd_carpet", LinkageKind::Market, "carpets", None)],
            &[yarn_buyer],
            &[],
            &Commitments::default(),
        );
        assert!(plan.suggestions.is_empty());
        assert_eq!(
            plan.gaps,
            [Gap {
                need_id: "nd_carpet".into(),
                kind: LinkageKind::Market,
                why: "no buyer for carpets serves Bhadohi".into(),
                cause: GapCause::NothingServes,
            }]
        );
    }

    #[test]
    fn a_gap_says_which_rule_kept_a_same_trade_offering_out() {
        let mut small_loans = offering("of_s", "st_mfi", LinkageKind::Finance, &["carpets"]);
        small_loans.provider.name = "Ujjwal Gram Microfinance".into();
        small_loans.offering.data.eligibility.max_amount_inr = Some(100_000);
        let plan = run(
            &[need(
                "nd_big",
                LinkageKind::Finance,
                "carpets",
                Some(250_000),
            )],
            &[small_loans],
            &[],
            &Commitments::default(),
        );
        assert_eq!(
            plan.gaps[0].why,
            "no lender for carpets in Bhadohi takes this need: Ujjwal Gram Microfinance, “offering of_s” — amount ₹2,50,000 outside up to ₹1,00,000"
        );
    }

    #[test]
    fn a_course_with_two_seats_gets_at_most_two_needs_and_the_rest_are_gaps() {
        let mut course = offering(
            "of_course",
            "st_rseti",
            LinkageKind::Training,
            &["tailoring"],
        );
        course.offering.data.terms.seats = Some(2);
        let needs: Vec<OpenNeed> = (1..=4)
            .map(|i| need(&format!("nd_{i}"), LinkageKind::Training, "tailoring", None))
            .collect();
        let plan = run(&needs, &[course], &["st_rseti"], &Commitments::default());
        assert_eq!(plan.suggestions.len(), 2);
        assert_eq!(plan.gaps.len(), 2);
        assert!(
            plan.gaps[0].why.contains("has no seats left"),
            "{}",
            plan.gaps[0].why
        );
        assert!(
            plan.suggestions[0]
                .reasons
                .contains(&"takes 1 of 2 seats left".to_string())
        );
    }

    #[test]
    fn seats_taken_by_linkages_people_made_are_not_offered_again() {
        let mut course = offering(
            "of_course",
            "st_rseti",
            LinkageKind::Training,
            &["tailoring"],
        );
        course.offering.data.terms.seats = Some(2);
        let commitments = Commitments {
            used: BTreeMap::from([(
                "of_course".to_string(),
                Usage {
                    seats: 1,
                    amount_inr: 0,
                },
            )]),
            held: BTreeMap::new(),
        };
        let needs: Vec<OpenNeed> = (1..=3)
            .map(|i| need(&format!("nd_{i}"), LinkageKind::Training, "tailoring", None))
            .collect();
        let plan = run(&needs, &[course], &[], &commitments);
        assert_eq!(plan.suggestions.len(), 1);
    }

    #[test]
    fn a_budget_is_never_overspent() {
        let mut fund = offering("of_fund", "st_bank", LinkageKind::Finance, &[]);
        fund.offering.data.terms.budget_inr = Some(100_000);
        fund.offering.data.eligibility.max_amount_inr = Some(100_000);
        fund.offering.data.sectors = vec!["tailoring".into(), "dairy".into()];
        let needs = [
            need("nd_dairy", LinkageKind::Finance, "dairy", Some(60_000)),
            need("nd_tailor", LinkageKind::Finance, "tailoring", Some(70_000)),
        ];
        let plan = run(&needs, &[fund], &[], &Commitments::default());
        let total: i64 = plan
            .suggestions
            .iter()
            .map(|s| {
                needs
                    .iter()
                    .find(|n| n.need.id == s.need_id)
                    .and_then(|n| n.need.data.amount_inr)
                    .unwrap()
            })
            .sum();
        assert!(total <= 100_000, "overspent: {total}");
        assert_eq!(plan.suggestions.len(), 1);
        assert_eq!(plan.gaps.len(), 1);
        assert!(
            plan.gaps[0].why.contains("budget left"),
            "{}",
            plan.gaps[0].why
        );
    }

    #[test]
    fn at_equal_scores_the_need_with_one_option_keeps_it() {
        let mut only = offering("of_only", "st_a", LinkageKind::Training, &["tailoring"]);
        only.offering.data.terms.seats = Some(1);
        let other = offering("of_other", "st_b", LinkageKind::Training, &["dairy"]);
        // nd_a sorts first by id and fits both; nd_b fits only the one seat.
        let mut flexible = need("nd_a", LinkageKind::Training, "tailoring", None);
        flexible.need.data.sector = None;
        let mut narrow = need("nd_b", LinkageKind::Training, "tailoring", None);
        narrow.need.data.sector = None;
        let mut picky = other.clone();
        picky.offering.data.eligibility.gender = Some(Gender::Male);
        flexible.profile.gender = Some(Gender::Male);
        let plan = run(
            &[flexible, narrow],
            &[only, picky],
            &["st_a", "st_b"],
            &Commitments::default(),
        );
        let of_b: Vec<&str> = plan
            .suggestions
            .iter()
            .filter(|s| s.need_id == "nd_b")
            .map(|s| s.offering_id.as_str())
            .collect();
        assert_eq!(of_b, ["of_only"], "{plan:?}");
    }

    #[test]
    fn pairs_people_declined_are_not_suggested_again() {
        let a = offering("of_a", "st_a", LinkageKind::Finance, &["tailoring"]);
        let b = offering("of_b", "st_b", LinkageKind::Finance, &["tailoring"]);
        let commitments = Commitments {
            used: BTreeMap::new(),
            held: BTreeMap::from([(
                ("nd_1".to_string(), "of_a".to_string()),
                LinkageStatus::Declined,
            )]),
        };
        let plan = run(
            &[need("nd_1", LinkageKind::Finance, "tailoring", None)],
            &[a, b],
            &[],
            &commitments,
        );
        let offered: Vec<&str> = plan
            .suggestions
            .iter()
            .map(|s| s.offering_id.as_str())
            .collect();
        assert_eq!(offered, ["of_b"]);
    }

    #[test]
    fn a_linkage_people_are_working_on_counts_against_per_need() {
        let candidates: Vec<Candidate> = ["a", "b", "c", "d"]
            .iter()
            .map(|p| {
                offering(
                    &format!("of_{p}"),
                    &format!("st_{p}"),
                    LinkageKind::Finance,
                    &[],
                )
            })
            .collect();
        let commitments = Commitments {
            used: BTreeMap::new(),
            held: BTreeMap::from([(
                ("nd_1".to_string(), "of_a".to_string()),
                LinkageStatus::Proposed,
            )]),
        };
        let plan = run(
            &[need("nd_1", LinkageKind::Finance, "tailoring", None)],
            &candidates,
            &[],
            &commitments,
        );
        let offered: Vec<&str> = plan
            .suggestions
            .iter()
            .map(|s| s.offering_id.as_str())
            .collect();
        assert_eq!(offered.len(), 2, "{offered:?}");
        assert!(
            !offered.contains(&"of_a"),
            "a held pair is not suggested again"
        );
        assert!(plan.gaps.is_empty(), "a need being worked on is no gap");
    }

    #[test]
    fn providers_not_invited_are_listed_with_how_many_open_needs_they_serve() {
        let bank = offering("of_bank", "st_bank", LinkageKind::Finance, &[]);
        let mut invited = offering("of_mfi", "st_mfi", LinkageKind::Finance, &[]);
        invited.provider.name = "Invited MFI".into();
        let needs: Vec<OpenNeed> = (1..=4)
            .map(|i| need(&format!("nd_{i}"), LinkageKind::Finance, "tailoring", None))
            .collect();
        let plan = run(
            &needs,
            &[bank, invited],
            &["st_mfi"],
            &Commitments::default(),
        );
        assert_eq!(plan.invite.len(), 1);
        assert_eq!(plan.invite[0].stakeholder_id, "st_bank");
        assert_eq!(
            plan.invite[0].reason,
            "serves 4 open finance needs; not invited"
        );
    }

    #[test]
    fn an_offering_for_another_district_is_not_considered() {
        let mut elsewhere = offering("of_x", "st_x", LinkageKind::Market, &["carpets"]);
        elsewhere.offering.data.districts = vec!["up-mirzapur".into()];
        let plan = run(
            &[need("nd_1", LinkageKind::Market, "carpets", None)],
            &[elsewhere],
            &[],
            &Commitments::default(),
        );
        assert!(plan.suggestions.is_empty());
        assert_eq!(plan.gaps[0].why, "no buyer for carpets serves Bhadohi");
    }

    #[test]
    fn a_gap_points_to_a_provider_elsewhere_that_would_take_the_need() {
        let mut mirzapur = offering("of_m", "st_m", LinkageKind::Training, &["dairy"]);
        mirzapur.offering.data.districts = vec!["up-mirzapur".into()];
        mirzapur.offering.data.title = "Dairy farming (10 days)".into();
        mirzapur.provider.name = "RSETI Mirzapur".into();
        let mut men_only = mirzapur.clone();
        men_only.offering.data.eligibility.gender = Some(Gender::Male);
        men_only.provider.name = "Men's course".into();
        let dairy = need("nd_1", LinkageKind::Training, "dairy", None);
        let invitees = BTreeSet::new();
        let names = names();
        let table = Table {
            district: "up-bhadohi",
            date: parse_date("2026-12-10").unwrap(),
            invitees: &invitees,
            district_names: &names,
            per_need: 3,
        };
        let planned = plan(
            std::slice::from_ref(&dairy),
            &[],
            &table,
            &Commitments::default(),
        );
        assert_eq!(planned.gaps[0].cause, GapCause::NothingServes);
        assert_eq!(
            served_elsewhere(&dairy, &[men_only, mirzapur], &table).as_deref(),
            Some("RSETI Mirzapur offers “Dairy farming (10 days)” in Mirzapur")
        );
    }

    #[test]
    fn per_need_limits_suggestions_for_one_need() {
        let candidates: Vec<Candidate> = (1..=5)
            .map(|i| {
                offering(
                    &format!("of_{i}"),
                    &format!("st_{i}"),
                    LinkageKind::Finance,
                    &[],
                )
            })
            .collect();
        let plan = run(
            &[need("nd_1", LinkageKind::Finance, "tailoring", None)],
            &candidates,
            &[],
            &Commitments::default(),
        );
        assert_eq!(plan.suggestions.len(), 3);
    }
}

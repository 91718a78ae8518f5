//! Suggestions for a coalition meeting: which offering for which open need, how good a fit and
//! why; which needs nothing registered can meet; and which providers to invite.
//!
//! Pure: the store gathers the district's open needs, the offerings that serve it and what people
//! have already done; [`plan`] decides, judging every rule on the meeting's date.
//!
//! 1. **Candidates** of a need are looked up, not compared with every offering: offerings are
//!    grouped by kind and sector (plus those open to any sector), so a tailor's loan need meets
//!    the district's tailoring and any-sector loans only.
//! 2. **Eligibility** rule by rule ([`eligibility::verdicts`], without words): a failed rule
//!    excludes the offering, a fact the profile lacks is kept but lowers the score.
//! 3. **Pruning** that loses nothing: an offering without limits (no seats, budget or provider
//!    limit) can serve every need, so beyond a need's best `per_need` unlimited options nothing
//!    worse can help it.
//! 4. **Assignment** of the rest by minimum-cost flow ([`flow`]): the greatest total score, with
//!    a bonus for each need that gets at least one suggestion, under per-need slots, seats,
//!    budgets and providers' limits. Seats and rupees are weighted (an SHG takes a seat per
//!    member who attends), which a flow cannot hold exactly: an offering given more than it
//!    holds keeps its best needs, its count is lowered and the flow is solved again.
//!    [`Assigner::Greedy`] (best pair first) stays for the benchmark's comparison.
//! 5. **Reasons** in a facilitator's words only for what is suggested (and for gaps).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::eligibility::{
    self, PackedRules, Verdict, Verdicts, indian_date, kind_hi, rupees, sector_words,
};
use super::flow::{Edge, Network};
use crate::domain::meeting::LinkageStatus;
// The planner's input and output values live in the domain, so the store can build them without
// knowing the planner; re-exported here for the planner's callers.
use crate::domain::offering::{LinkageKind, Offering};
pub use crate::domain::planning::{Candidate, OpenNeed, Provider, Suggestion, TrackRecord, Usage};
use crate::domain::record::{format_date, parse_date};

/// How much each part of a fit weighs; they add up to 1.
const WEIGHT_SECTOR: f64 = 0.3;
const WEIGHT_AMOUNT: f64 = 0.2;
const WEIGHT_INVITED: f64 = 0.15;
const WEIGHT_LOCAL: f64 = 0.15;
const WEIGHT_RECORD: f64 = 0.2;
/// Each fact to be asked at the meeting (gender, age… not recorded) keeps this much of the score.
const UNKNOWN_FACT_FACTOR: f64 = 0.9;
/// Days after a meeting in which a facilitator follows its linkages up: a course that starts
/// within them is preferred to one that starts later.
pub const FOLLOW_UP_DAYS: i64 = 60;
/// A course that starts after the follow-up window keeps this much of the score.
const LATE_START_FACTOR: f64 = 0.85;
/// Scores are in hundredths (as shown); the flow works in these units.
const SCORE_UNITS: f64 = 100.0;
/// What giving a need its first suggestion is worth beside the score of that suggestion: as much
/// as a perfect fit, so serving one more need beats a better second choice for another.
const FIRST_SUGGESTION_BONUS: i64 = 100;
/// Rounds of solving again after weighted seats or budgets were overfilled.
const MAX_REPAIR_ROUNDS: usize = 8;

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

/// What people have already done, which a plan must respect.
#[derive(Debug, Clone, Default)]
pub struct Commitments {
    /// By offering id, over every meeting.
    pub used: BTreeMap<String, Usage>,
    /// (need id, offering id) pairs that people have moved on from `suggested`: they keep their
    /// status and are not suggested again.
    pub held: BTreeMap<(String, String), LinkageStatus>,
    /// Linkages of this meeting people hold, by provider id, against providers' limits.
    pub held_by_provider: BTreeMap<String, i64>,
}

/// An open need nothing can meet at this meeting, and why, in a facilitator's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub need_id: String,
    pub kind: LinkageKind,
    pub why: String,
    pub why_hi: String,
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
    pub reason_hi: String,
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

/// How well an eligible offering fits a need, with the reasons (in English and in Hindi, one
/// for one).
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub score: f64,
    pub reasons: Vec<String>,
    pub reasons_hi: Vec<String>,
}

/// How pairs are assigned under capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assigner {
    /// Greatest total score (and needs served) by minimum-cost flow.
    Optimal,
    /// Best pair first; kept for comparison in the benchmark.
    Greedy,
}

/// Facts of an offering that do not depend on the need, worked out once.
struct OfferingFacts {
    /// Its dates allow it at this meeting (valid then, batch not started before).
    dated_ok: bool,
    /// The score factor for when its batch starts.
    timing: f64,
    local: bool,
    invited: bool,
    record: f64,
}

fn offering_facts(candidate: &Candidate, table: &Table) -> OfferingFacts {
    let data = &candidate.offering.data;
    let until = data.valid_until.as_deref().and_then(parse_date);
    let starts = data.terms.starts_on.as_deref().and_then(parse_date);
    let dated_ok = until.is_none_or(|d| d >= table.date) && starts.is_none_or(|d| d >= table.date);
    let timing = match starts {
        Some(d) if (d - table.date).whole_days() > FOLLOW_UP_DAYS => LATE_START_FACTOR,
        _ => 1.0,
    };
    OfferingFacts {
        dated_ok,
        timing,
        local: candidate.provider.district == table.district,
        invited: table.invitees.contains(&candidate.provider.id),
        record: candidate.provider.record.share(),
    }
}

/// The score of an eligible pair from its verdicts and the offering's facts, rounded to
/// hundredths. [`fit`] and the planner's fast path both score through here.
fn score_of(verdicts: &Verdicts, facts: &OfferingFacts) -> f64 {
    let part = |verdict: Option<Verdict>| match verdict {
        Some(Verdict::Pass) => 1.0,
        Some(_) => 0.3,
        None => 0.6,
    };
    let raw = WEIGHT_SECTOR * part(verdicts.sector)
        + WEIGHT_AMOUNT * part(verdicts.amount)
        + WEIGHT_INVITED * if facts.invited { 1.0 } else { 0.0 }
        + WEIGHT_LOCAL * if facts.local { 1.0 } else { 0.5 }
        + WEIGHT_RECORD * facts.record;
    let score = raw * facts.timing * UNKNOWN_FACT_FACTOR.powi(verdicts.unknown_facts());
    (score.clamp(0.0, 1.0) * SCORE_UNITS).round() / SCORE_UNITS
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
    let verdicts = eligibility::verdicts(
        &need.profile,
        &need.need.data,
        &candidate.offering.data,
        table.date,
    );
    let facts = offering_facts(candidate, table);
    let mut said = Said::default();
    let mut to_ask = Said::default();
    let find = |rule: &str| checked.outcomes.iter().find(|o| o.rule == rule);
    let take = |said: &mut Said, to_ask: &mut Said, o: &eligibility::RuleOutcome| match o.verdict {
        Verdict::Pass => said.push(o.reason.clone(), o.reason_hi.clone()),
        Verdict::Unknown => to_ask.push(o.reason.clone(), o.reason_hi.clone()),
        Verdict::Fail => {}
    };
    match find("sector") {
        Some(o) => take(&mut said, &mut to_ask, o),
        None => said.push("open to any sector".into(), "किसी भी सेक्टर के लिए खुला".into()),
    }
    if let Some(o) = find("amount") {
        take(&mut said, &mut to_ask, o);
    }
    for outcome in &checked.outcomes {
        if !matches!(outcome.rule, "sector" | "amount" | "kind" | "starts_on") {
            take(&mut said, &mut to_ask, outcome);
        }
    }
    if let Some(starts) = candidate
        .offering
        .data
        .terms
        .starts_on
        .as_deref()
        .and_then(parse_date)
    {
        let days = (starts - table.date).whole_days();
        let (date, date_hi) = (format_date(starts), indian_date(starts));
        if days <= FOLLOW_UP_DAYS {
            said.push(
                format!("batch starts on {date}, within {FOLLOW_UP_DAYS} days of the meeting"),
                format!("बैच {date_hi} को शुरू, बैठक के {FOLLOW_UP_DAYS} दिन के भीतर"),
            );
        } else {
            said.push(
                format!("batch starts on {date}, {days} days after the meeting"),
                format!("बैच {date_hi} को शुरू, बैठक के {days} दिन बाद"),
            );
        }
    }

    let provider = &candidate.provider;
    let here = table.name_of(table.district);
    if facts.local {
        said.push(format!("based in {here}"), format!("{here} में ही है"));
    } else {
        let home = table.name_of(&provider.district);
        said.push(
            format!("serves {here} from {home}"),
            format!("{home} से {here} में सेवा देता है"),
        );
    }
    let name = &provider.name;
    if facts.invited {
        said.push(format!("{name} is invited"), format!("{name} आमंत्रित है"));
    } else {
        said.push(
            format!("{name} is not invited"),
            format!("{name} आमंत्रित नहीं है"),
        );
    }
    let (record, record_hi) = record_reason(provider);
    said.push(record, record_hi);
    for (en, hi) in to_ask.en.into_iter().zip(to_ask.hi) {
        said.push(format!("to ask: {en}"), format!("पूछना है: {hi}"));
    }
    Ok(Fit {
        score: score_of(&verdicts, &facts),
        reasons: said.en,
        reasons_hi: said.hi,
    })
}

/// Sentences in English and in Hindi, one for one.
#[derive(Debug, Clone, Default)]
struct Said {
    en: Vec<String>,
    hi: Vec<String>,
}

impl Said {
    fn push(&mut self, en: String, hi: String) {
        self.en.push(en);
        self.hi.push(hi);
    }
}

/// The provider's record in words, saying how it weighed (English, Hindi).
fn record_reason(provider: &Provider) -> (String, String) {
    let record = provider.record;
    let share = (record.share() * 100.0).round();
    let name = &provider.name;
    if record.decided() == 0 {
        (
            format!(
                "{name} has no decided linkages yet: counted as {share:.0}% accepted or completed"
            ),
            format!("{name} का अभी कोई तय जुड़ाव नहीं: {share:.0}% स्वीकृत या पूरे माने गए"),
        )
    } else {
        let (good, decided, completed) = (
            record.accepted + record.completed,
            record.decided(),
            record.completed,
        );
        (
            format!(
                "{name}'s record: {good} of {decided} past linkages accepted or completed ({completed} completed), counted as {share:.0}%"
            ),
            format!(
                "{name} का रिकॉर्ड: पिछले {decided} में से {good} जुड़ाव स्वीकृत या पूरे ({completed} पूरे), {share:.0}% माना गया"
            ),
        )
    }
}

/// Whether an offering is meant for a district; an offering that names no district serves all.
pub fn serves(offering: &Offering, district: &str) -> bool {
    offering.data.districts.is_empty() || offering.data.districts.iter().any(|d| d == district)
}

/// What is left of an offering while assigning.
#[derive(Debug, Clone, Copy, Default)]
struct Room {
    seats_left: Option<i64>,
    budget_left: Option<i64>,
}

impl Room {
    fn is_limited(&self) -> bool {
        self.seats_left.is_some() || self.budget_left.is_some()
    }

    fn takes(&self, seats: i64, amount: i64) -> bool {
        self.seats_left.is_none_or(|s| s >= seats) && self.budget_left.is_none_or(|b| b >= amount)
    }

    fn take(&mut self, seats: i64, amount: i64) {
        self.seats_left = self.seats_left.map(|s| s - seats);
        self.budget_left = self.budget_left.map(|b| b - amount);
    }
}

/// One eligible, unheld (need, offering) pair, by index into the inputs.
#[derive(Debug, Clone, Copy)]
struct Pair {
    need: u32,
    candidate: u32,
    /// In hundredths.
    score: i64,
}

/// The district's offerings grouped for looking candidates up.
struct Lookup {
    /// Whether each offering names no sector (is open to all).
    no_sectors: Vec<bool>,
    by_sector: HashMap<(LinkageKind, String), Vec<u32>>,
    any_sector: HashMap<LinkageKind, Vec<u32>>,
    by_kind: HashMap<LinkageKind, Vec<u32>>,
}

impl Lookup {
    fn new(candidates: &[Candidate], district: &str) -> Lookup {
        let mut lookup = Lookup {
            no_sectors: candidates
                .iter()
                .map(|c| c.offering.data.sectors.is_empty())
                .collect(),
            by_sector: HashMap::new(),
            any_sector: HashMap::new(),
            by_kind: HashMap::new(),
        };
        for (c, candidate) in candidates.iter().enumerate() {
            let data = &candidate.offering.data;
            if !serves(&candidate.offering, district) {
                continue;
            }
            let c = c as u32;
            lookup.by_kind.entry(data.kind).or_default().push(c);
            if data.sectors.is_empty() {
                lookup.any_sector.entry(data.kind).or_default().push(c);
            }
            for sector in &data.sectors {
                lookup
                    .by_sector
                    .entry((data.kind, sector.clone()))
                    .or_default()
                    .push(c);
            }
        }
        lookup
    }

    /// Offerings of the need's kind that name its sector or none (all of the kind when the need
    /// names no sector): the only ones whose sector rule can pass. Each comes with the verdict
    /// of its sector rule, which where it was found tells.
    fn of<'a>(&'a self, need: &OpenNeed) -> impl Iterator<Item = (u32, Option<Verdict>)> + 'a {
        let data = &need.need.data;
        let (first, second): (&[u32], &[u32]) = match &data.sector {
            Some(sector) => (
                self.by_sector
                    .get(&(data.kind, sector.clone()))
                    .map_or(&[], Vec::as_slice),
                self.any_sector.get(&data.kind).map_or(&[], Vec::as_slice),
            ),
            None => (self.by_kind.get(&data.kind).map_or(&[], Vec::as_slice), &[]),
        };
        let named = data.sector.is_some();
        first
            .iter()
            .map(move |&c| {
                let verdict = if named {
                    Some(Verdict::Pass)
                } else if self.no_sectors[c as usize] {
                    None
                } else {
                    Some(Verdict::Unknown)
                };
                (c, verdict)
            })
            .chain(second.iter().map(|&c| (c, None)))
    }
}

/// Plans a meeting: suggestions best first, gaps, and whom to invite.
pub fn plan(
    needs: &[OpenNeed],
    candidates: &[Candidate],
    table: &Table,
    commitments: &Commitments,
) -> Plan {
    plan_with(needs, candidates, table, commitments, Assigner::Optimal)
}

/// [`plan`] with the assignment chosen (the benchmark compares them).
pub fn plan_with(
    needs: &[OpenNeed],
    candidates: &[Candidate],
    table: &Table,
    commitments: &Commitments,
    assigner: Assigner,
) -> Plan {
    let lookup = Lookup::new(candidates, table.district);
    // What the loop over pairs reads of each offering, side by side in one array.
    let gates: Vec<(OfferingFacts, PackedRules)> = candidates
        .iter()
        .map(|c| (offering_facts(c, table), PackedRules::of(&c.offering.data)))
        .collect();
    let index_of: HashMap<&str, u32> = candidates
        .iter()
        .enumerate()
        .map(|(c, candidate)| (candidate.offering.id.as_str(), c as u32))
        .collect();
    // Held pairs by need, with the candidate they name.
    let mut held: HashMap<&str, Vec<(u32, LinkageStatus)>> = HashMap::new();
    let mut working: HashMap<&str, usize> = HashMap::new();
    for ((need_id, offering_id), status) in &commitments.held {
        if status.uses_capacity() {
            *working.entry(need_id.as_str()).or_default() += 1;
        }
        if let Some(&c) = index_of.get(offering_id.as_str()) {
            held.entry(need_id.as_str()).or_default().push((c, *status));
        }
    }

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
    // Providers' limits left at this meeting, by provider id.
    let mut limits: HashMap<&str, i64> = HashMap::new();
    for candidate in candidates {
        if let Some(limit) = candidate.provider.linkage_limit {
            let taken = commitments
                .held_by_provider
                .get(&candidate.provider.id)
                .copied()
                .unwrap_or(0);
            limits.insert(candidate.provider.id.as_str(), (limit - taken).max(0));
        }
    }
    let limited =
        |c: usize| rooms[c].is_limited() || limits.contains_key(candidates[c].provider.id.as_str());
    let limited: Vec<bool> = (0..candidates.len()).map(limited).collect();
    // Each offering's place in the order of ids, to break ties without comparing the strings.
    let mut by_id: Vec<u32> = (0..candidates.len() as u32).collect();
    by_id.sort_unstable_by(|&a, &b| {
        candidates[a as usize]
            .offering
            .id
            .cmp(&candidates[b as usize].offering.id)
    });
    let mut id_rank = vec![0u32; candidates.len()];
    for (rank, &c) in by_id.iter().enumerate() {
        id_rank[c as usize] = rank as u32;
    }

    let slots: Vec<usize> = needs
        .iter()
        .map(|need| {
            let busy = working.get(need.need.id.as_str()).copied().unwrap_or(0);
            table.per_need.saturating_sub(busy)
        })
        .collect();

    // Providers by a dense index, to count the open needs each would serve without a map per pair.
    let mut provider_index: HashMap<&str, usize> = HashMap::new();
    let provider_of: Vec<usize> = candidates
        .iter()
        .map(|c| {
            let next = provider_index.len();
            *provider_index.entry(c.provider.id.as_str()).or_insert(next)
        })
        .collect();
    // Per provider not invited: open needs of each kind its offerings would serve, and the last
    // need counted (needs are visited in order, so a need counts once per provider).
    let mut served_counts = vec![[0usize; 4]; provider_index.len()];
    let mut last_counted = vec![usize::MAX; provider_index.len()];

    let mut kept: Vec<Pair> = Vec::new();
    let mut eligible = vec![0usize; needs.len()];
    let mut declined_for = vec![0usize; needs.len()];
    // Up to two offerings that fit each need, for a gap's explanation.
    let mut fits: Vec<Vec<u32>> = vec![Vec::new(); needs.len()];
    let mut options: Vec<Pair> = Vec::new();
    for (n, need) in needs.iter().enumerate() {
        options.clear();
        let held_here = held.get(need.need.id.as_str());
        let kind = kind_index(need.need.data.kind);
        // The entrepreneur's own offerings are not suggested to them.
        let own = provider_index
            .get(need.need.stakeholder_id.as_str())
            .copied();
        for (c, sector) in lookup.of(need) {
            let (fact, rules) = &gates[c as usize];
            let p = provider_of[c as usize];
            if !fact.dated_ok || own == Some(p) {
                continue;
            }
            let verdicts = rules.verdicts(&need.profile, &need.need.data, sector);
            if !verdicts.is_eligible() {
                continue;
            }
            eligible[n] += 1;
            if !fact.invited && last_counted[p] != n {
                last_counted[p] = n;
                served_counts[p][kind] += 1;
            }
            match held_here.and_then(|h| h.iter().find(|(hc, _)| *hc == c)) {
                Some((_, LinkageStatus::Declined)) => {
                    declined_for[n] += 1;
                    continue;
                }
                Some(_) => continue,
                None => {}
            }
            let score = (score_of(&verdicts, fact) * SCORE_UNITS).round() as i64;
            options.push(Pair {
                need: n as u32,
                candidate: c,
                score,
            });
        }
        fits[n] = options.iter().take(2).map(|p| p.candidate).collect();
        if slots[n] == 0 {
            continue;
        }
        prune(&options, slots[n], &limited, &id_rank, &mut kept);
    }
    let mut served: BTreeMap<&str, BTreeMap<LinkageKind, usize>> = BTreeMap::new();
    for (id, &p) in &provider_index {
        for (k, &count) in served_counts[p].iter().enumerate() {
            if count > 0 {
                served.entry(id).or_default().insert(KINDS[k], count);
            }
        }
    }

    let chosen = match assigner {
        Assigner::Optimal => {
            let mut chosen = assign_optimal(needs, candidates, &kept, &slots, &rooms, &limits);
            fill(
                needs,
                candidates,
                &mut chosen,
                &kept,
                &slots,
                &rooms,
                &limits,
            );
            chosen
        }
        Assigner::Greedy => {
            assign_greedy(needs, candidates, &kept, &slots, &rooms, &limits, &eligible)
        }
    };

    // Reasons for what was chosen, best first; rooms count down in that order.
    let mut chosen = chosen;
    chosen.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| {
                needs[a.need as usize]
                    .need
                    .id
                    .cmp(&needs[b.need as usize].need.id)
            })
            .then_with(|| {
                candidates[a.candidate as usize]
                    .offering
                    .id
                    .cmp(&candidates[b.candidate as usize].offering.id)
            })
    });
    let mut suggested_for = vec![0usize; needs.len()];
    let mut suggestions = Vec::with_capacity(chosen.len());
    for pair in &chosen {
        let (n, c) = (pair.need as usize, pair.candidate as usize);
        let (need, candidate) = (&needs[n], &candidates[c]);
        let Ok(fit) = fit(need, candidate, table) else {
            continue;
        };
        let mut said = Said {
            en: fit.reasons,
            hi: fit.reasons_hi,
        };
        let wanted = need.seats();
        let amount = need.need.data.amount_inr;
        let room = rooms[c];
        if let Some(seats) = room.seats_left {
            said.push(
                format!(
                    "takes {wanted} of {seats} {} left",
                    if seats == 1 { "seat" } else { "seats" }
                ),
                format!("बची {seats} सीटों में से {wanted} लेता है"),
            );
        }
        if let Some(budget) = room.budget_left {
            let left = rupees(budget);
            match amount {
                Some(amount) => said.push(
                    format!("uses {} of the {left} budget left", rupees(amount)),
                    format!("बचे {left} बजट में से {} लेता है", rupees(amount)),
                ),
                None => said.push(
                    format!("to ask: the amount, against {left} of budget left"),
                    format!("पूछना है: राशि, बचे {left} बजट के सामने"),
                ),
            }
        }
        if let Some(left) = limits.get_mut(candidate.provider.id.as_str()) {
            let name = &candidate.provider.name;
            said.push(
                format!(
                    "{name} takes {left} more {} at this meeting",
                    if *left == 1 { "linkage" } else { "linkages" }
                ),
                format!("{name} इस बैठक में {left} और जुड़ाव ले सकता है"),
            );
            *left -= 1;
        }
        rooms[c].take(wanted, amount.unwrap_or(0));
        suggested_for[n] += 1;
        suggestions.push(Suggestion {
            need_id: need.need.id.clone(),
            offering_id: candidate.offering.id.clone(),
            provider_id: candidate.provider.id.clone(),
            kind: candidate.offering.data.kind,
            score: fit.score,
            reasons: said.en,
            reasons_hi: said.hi,
        });
    }

    let mut gaps = Vec::new();
    for (n, need) in needs.iter().enumerate() {
        let busy = working.contains_key(need.need.id.as_str());
        if suggested_for[n] > 0 || busy {
            continue;
        }
        let (why, why_hi, cause) = if !fits[n].is_empty() {
            let full: Vec<(String, String)> = fits[n]
                .iter()
                .take(2)
                .map(|&c| why_full(need, &candidates[c as usize], &rooms[c as usize], &limits))
                .collect();
            let (en, hi): (Vec<String>, Vec<String>) = full.into_iter().unzip();
            (
                format!("every offering that fits is full: {}", en.join("; ")),
                format!("जो भी पेशकश मेल खाती है, भर चुकी है: {}", hi.join("; ")),
                GapCause::Full,
            )
        } else if declined_for[n] > 0 && eligible[n] > 0 {
            (
                "every offering that fits was declined at this meeting".to_string(),
                "मेल खाती हर पेशकश इस बैठक में मना हो चुकी है".to_string(),
                GapCause::Declined,
            )
        } else {
            refusal_why(need, &lookup, candidates, table)
        };
        gaps.push(Gap {
            need_id: need.need.id.clone(),
            kind: need.need.data.kind,
            why,
            why_hi,
            cause,
        });
    }

    Plan {
        suggestions,
        gaps,
        invite: invitations(served, candidates),
    }
}

const KINDS: [LinkageKind; 4] = [
    LinkageKind::Finance,
    LinkageKind::Training,
    LinkageKind::Market,
    LinkageKind::Scheme,
];

fn kind_index(kind: LinkageKind) -> usize {
    KINDS.iter().position(|k| *k == kind).unwrap_or(0)
}

/// Keeps what can matter of one need's options (see the module documentation): its best
/// `slots` offerings without limits, and offerings with limits that score above the last of
/// those. Ties go to the lower offering id, so plans do not depend on input order.
fn prune(options: &[Pair], slots: usize, limited: &[bool], id_rank: &[u32], kept: &mut Vec<Pair>) {
    let better = |a: &Pair, b: &Pair| {
        a.score > b.score
            || (a.score == b.score && id_rank[a.candidate as usize] < id_rank[b.candidate as usize])
    };
    // The best `slots` unlimited options, best first (slots is at most ten).
    let mut best: Vec<Pair> = Vec::with_capacity(slots + 1);
    for pair in options.iter().filter(|p| !limited[p.candidate as usize]) {
        if best.len() == slots && !better(pair, &best[slots - 1]) {
            continue;
        }
        let at = best
            .iter()
            .position(|b| better(pair, b))
            .unwrap_or(best.len());
        best.insert(at, *pair);
        best.truncate(slots);
    }
    let threshold = if best.len() == slots {
        best[slots - 1].score
    } else {
        i64::MIN
    };
    kept.extend(
        options
            .iter()
            .filter(|p| limited[p.candidate as usize] && p.score > threshold),
    );
    kept.extend(best);
}

/// Why an offering that fits a need has no room for it after the round (English, Hindi).
fn why_full(
    need: &OpenNeed,
    candidate: &Candidate,
    room: &Room,
    limits: &HashMap<&str, i64>,
) -> (String, String) {
    let title = &candidate.offering.data.title;
    let provider = &candidate.provider.name;
    let wanted = need.seats();
    match (room.seats_left, room.budget_left, need.need.data.amount_inr) {
        (Some(0), _, _) => (
            format!("“{title}” ({provider}) has no seats left"),
            format!("“{title}” ({provider}) में कोई सीट नहीं बची"),
        ),
        (Some(seats), _, _) if seats < wanted => (
            format!(
                "“{title}” ({provider}) has {seats} seats left, fewer than the {wanted} who would attend"
            ),
            format!("“{title}” ({provider}) में {seats} सीटें बचीं, आने वाले {wanted} से कम"),
        ),
        (_, Some(budget), Some(amount)) if budget < amount => (
            format!(
                "“{title}” ({provider}) has {} of its budget left, less than {}",
                rupees(budget),
                rupees(amount)
            ),
            format!(
                "“{title}” ({provider}) का {} बजट बचा, {} से कम",
                rupees(budget),
                rupees(amount)
            ),
        ),
        _ if limits.get(candidate.provider.id.as_str()) == Some(&0) => (
            format!("{provider} takes no more linkages at this meeting"),
            format!("{provider} इस बैठक में और जुड़ाव नहीं ले सकता"),
        ),
        _ => (
            format!("“{title}” ({provider}) went to needs it fits better"),
            format!("“{title}” ({provider}) उन ज़रूरतों को गई जिनसे वह बेहतर मेल खाती है"),
        ),
    }
}

/// Count of needs an offering can take at most, for the flow: its seats and budget filled with
/// the smallest of the needs that want it (weighted capacities are checked after solving).
fn count_capacity(room: &Room, mut demands: Vec<(i64, i64)>) -> i64 {
    let mut count = demands.len() as i64;
    if let Some(seats) = room.seats_left {
        demands.sort_by_key(|d| d.0);
        count = count.min(fitting(seats, demands.iter().map(|d| d.0)));
    }
    if let Some(budget) = room.budget_left {
        demands.sort_by_key(|d| d.1);
        count = count.min(fitting(budget, demands.iter().map(|d| d.1)));
    }
    count
}

fn fitting(capacity: i64, ascending: impl Iterator<Item = i64>) -> i64 {
    let (mut used, mut count) = (0, 0);
    for demand in ascending {
        if used + demand > capacity {
            break;
        }
        used += demand;
        count += 1;
    }
    count
}

/// Best total score (with a bonus per need served) under slots, seats, budgets and providers'
/// limits, by minimum-cost flow; see the module documentation.
fn assign_optimal(
    needs: &[OpenNeed],
    candidates: &[Candidate],
    pairs: &[Pair],
    slots: &[usize],
    rooms: &[Room],
    limits: &HashMap<&str, i64>,
) -> Vec<Pair> {
    let demand = |n: u32| {
        let need = &needs[n as usize];
        (need.seats(), need.need.data.amount_inr.unwrap_or(0))
    };
    // Offerings with limits of their own, and the needs that might take them.
    let mut wanting: HashMap<u32, Vec<u32>> = HashMap::new();
    for pair in pairs {
        if rooms[pair.candidate as usize].is_limited() {
            wanting.entry(pair.candidate).or_default().push(pair.need);
        }
    }
    let caps: HashMap<u32, i64> = wanting
        .iter()
        .map(|(&c, ns)| {
            let demands = ns.iter().map(|&n| demand(n)).collect();
            (c, count_capacity(&rooms[c as usize], demands))
        })
        .collect();
    let mut pairs = pairs.to_vec();
    let mut chosen = Vec::new();
    for _ in 0..MAX_REPAIR_ROUNDS {
        chosen = solve_flow(candidates, &pairs, slots, &caps, limits);
        // Weighted seats and budgets: an offering given more than it holds keeps its best needs
        // that fit; the pairs it could not hold leave the next round, which may fill the room
        // with smaller needs.
        let mut by_offering: HashMap<u32, Vec<Pair>> = HashMap::new();
        for pair in &chosen {
            if caps.contains_key(&pair.candidate) {
                by_offering.entry(pair.candidate).or_default().push(*pair);
            }
        }
        let mut dropped: HashSet<(u32, u32)> = HashSet::new();
        for (c, mut given) in by_offering {
            let mut room = rooms[c as usize];
            given.sort_by(|a, b| b.score.cmp(&a.score).then(a.need.cmp(&b.need)));
            for pair in &given {
                let (seats, amount) = demand(pair.need);
                if room.takes(seats, amount) {
                    room.take(seats, amount);
                } else {
                    dropped.insert((pair.need, c));
                }
            }
        }
        if dropped.is_empty() {
            return chosen;
        }
        pairs.retain(|p| !dropped.contains(&(p.need, p.candidate)));
    }
    // Still overfilled after the last round: keep, offering by offering, what fits.
    let mut left = rooms.to_vec();
    chosen.sort_by_key(|pair| std::cmp::Reverse(pair.score));
    chosen.retain(|pair| {
        let (seats, amount) = demand(pair.need);
        let room = &mut left[pair.candidate as usize];
        let fits = room.takes(seats, amount);
        if fits {
            room.take(seats, amount);
        }
        fits
    });
    chosen
}

/// After weighted repairs: pairs that still fit (need slots, room, provider limits) are added
/// best first, so no room that a need could use is left empty.
fn fill(
    needs: &[OpenNeed],
    candidates: &[Candidate],
    chosen: &mut Vec<Pair>,
    pairs: &[Pair],
    slots: &[usize],
    rooms: &[Room],
    limits: &HashMap<&str, i64>,
) {
    let mut rooms = rooms.to_vec();
    let mut limits = limits.clone();
    let mut slots = slots.to_vec();
    let mut taken: HashSet<(u32, u32)> = HashSet::new();
    for pair in chosen.iter() {
        let need = &needs[pair.need as usize];
        rooms[pair.candidate as usize].take(need.seats(), need.need.data.amount_inr.unwrap_or(0));
        if let Some(left) = limits.get_mut(candidates[pair.candidate as usize].provider.id.as_str())
        {
            *left -= 1;
        }
        slots[pair.need as usize] = slots[pair.need as usize].saturating_sub(1);
        taken.insert((pair.need, pair.candidate));
    }
    let mut rest: Vec<&Pair> = pairs
        .iter()
        .filter(|p| slots[p.need as usize] > 0 && !taken.contains(&(p.need, p.candidate)))
        .collect();
    rest.sort_by(|a, b| b.score.cmp(&a.score).then(a.need.cmp(&b.need)));
    for pair in rest {
        let (n, c) = (pair.need as usize, pair.candidate as usize);
        let need = &needs[n];
        let (seats, amount) = (need.seats(), need.need.data.amount_inr.unwrap_or(0));
        let provider = candidates[c].provider.id.as_str();
        if slots[n] == 0
            || !rooms[c].takes(seats, amount)
            || limits.get(provider).is_some_and(|left| *left <= 0)
        {
            continue;
        }
        rooms[c].take(seats, amount);
        if let Some(left) = limits.get_mut(provider) {
            *left -= 1;
        }
        slots[n] -= 1;
        chosen.push(*pair);
    }
}

fn solve_flow(
    candidates: &[Candidate],
    pairs: &[Pair],
    slots: &[usize],
    caps: &HashMap<u32, i64>,
    limits: &HashMap<&str, i64>,
) -> Vec<Pair> {
    let mut network = Network::new(1);
    let sink = 0;
    let mut need_node: HashMap<u32, (usize, usize)> = HashMap::new();
    let mut offering_node: HashMap<u32, usize> = HashMap::new();
    let mut provider_node: HashMap<&str, usize> = HashMap::new();
    let mut pair_edges: Vec<Edge> = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let n = pair.need;
        let (_, hub) = *need_node.entry(n).or_insert_with(|| {
            let (node, hub) = (network.add_node(), network.add_node());
            let slot = slots[n as usize] as i64;
            network.add_edge(node, sink, slot, 0);
            network.add_edge(node, hub, 1, -FIRST_SUGGESTION_BONUS);
            if slot > 1 {
                network.add_edge(node, hub, slot - 1, 0);
            }
            (node, hub)
        });
        let c = pair.candidate;
        let provider = candidates[c as usize].provider.id.as_str();
        let limit = limits.get(provider).copied();
        let cap = caps.get(&c).copied();
        let to = if cap.is_none() && limit.is_none() {
            sink
        } else {
            let next = match limit {
                Some(limit) => *provider_node.entry(provider).or_insert_with(|| {
                    let node = network.add_node();
                    network.add_edge(node, sink, limit, 0);
                    node
                }),
                None => sink,
            };
            *offering_node.entry(c).or_insert_with(|| {
                let node = network.add_node();
                network.add_edge(node, next, cap.unwrap_or(i64::MAX / 4), 0);
                node
            })
        };
        pair_edges.push(network.add_edge(hub, to, 1, -pair.score));
    }
    let mut sources: Vec<(u32, usize)> =
        need_node.iter().map(|(&n, &(node, _))| (n, node)).collect();
    sources.sort_unstable();
    for (n, node) in sources {
        network.send(node, sink, slots[n as usize] as i64);
    }
    pairs
        .iter()
        .zip(&pair_edges)
        .filter(|(_, edge)| network.flow(**edge) > 0)
        .map(|(pair, _)| *pair)
        .collect()
}

/// Best pair first; at equal scores the need with fewer options goes first, so it is not
/// crowded out of its only offering by a need that has others.
fn assign_greedy(
    needs: &[OpenNeed],
    candidates: &[Candidate],
    pairs: &[Pair],
    slots: &[usize],
    rooms: &[Room],
    limits: &HashMap<&str, i64>,
    options: &[usize],
) -> Vec<Pair> {
    let mut order: Vec<Pair> = pairs.to_vec();
    order.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(options[a.need as usize].cmp(&options[b.need as usize]))
            .then_with(|| {
                needs[a.need as usize]
                    .need
                    .id
                    .cmp(&needs[b.need as usize].need.id)
            })
            .then_with(|| {
                candidates[a.candidate as usize]
                    .offering
                    .id
                    .cmp(&candidates[b.candidate as usize].offering.id)
            })
    });
    let mut rooms = rooms.to_vec();
    let mut limits = limits.clone();
    let mut slots = slots.to_vec();
    let mut chosen = Vec::new();
    for pair in order {
        let (n, c) = (pair.need as usize, pair.candidate as usize);
        if slots[n] == 0 {
            continue;
        }
        let need = &needs[n];
        let (seats, amount) = (need.seats(), need.need.data.amount_inr.unwrap_or(0));
        if !rooms[c].takes(seats, amount) {
            continue;
        }
        let provider = candidates[c].provider.id.as_str();
        if let Some(left) = limits.get_mut(provider) {
            if *left == 0 {
                continue;
            }
            *left -= 1;
        }
        rooms[c].take(seats, amount);
        slots[n] -= 1;
        chosen.push(pair);
    }
    chosen
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

/// Why no offering fits a need that has no eligible offering at all: the rules that kept out
/// up to two offerings of its trade (offerings for other trades do not serve it at all).
fn refusal_why(
    need: &OpenNeed,
    lookup: &Lookup,
    candidates: &[Candidate],
    table: &Table,
) -> (String, String, GapCause) {
    let data = &need.need.data;
    let word = provider_word(data.kind);
    let district = table.name_of(table.district);
    let (wanted, wanted_hi) = match &data.sector {
        Some(sector) => (
            format!("{word} for {}", sector_words(sector)),
            format!(
                "{} के लिए कोई {}",
                sector_words(sector),
                provider_word_hi(data.kind)
            ),
        ),
        None => (
            word.to_string(),
            format!("कोई {}", provider_word_hi(data.kind)),
        ),
    };
    let near: Vec<(String, String)> = lookup
        .of(need)
        .map(|(c, _)| &candidates[c as usize])
        .filter(|candidate| candidate.provider.id != need.need.stakeholder_id)
        .filter_map(|candidate| {
            let checked = eligibility::check(
                &need.profile,
                &need.need.data,
                &candidate.offering.data,
                table.date,
            );
            if checked.is_eligible() {
                return None;
            }
            let (name, title) = (&candidate.provider.name, &candidate.offering.data.title);
            Some((
                format!(
                    "{name}, “{title}” — {}",
                    checked.reasons(Verdict::Fail).join(", ")
                ),
                format!(
                    "{name}, “{title}” — {}",
                    checked.reasons_hi(Verdict::Fail).join(", ")
                ),
            ))
        })
        .take(2)
        .collect();
    if near.is_empty() {
        (
            format!("no {wanted} serves {district}"),
            format!("{district} में {wanted_hi} नहीं है"),
            GapCause::NothingServes,
        )
    } else {
        let (en, hi): (Vec<String>, Vec<String>) = near.into_iter().unzip();
        (
            format!(
                "no {wanted} in {district} takes this need: {}",
                en.join("; ")
            ),
            format!(
                "{district} में {wanted_hi} यह ज़रूरत नहीं लेता: {}",
                hi.join("; ")
            ),
            GapCause::NoneFits,
        )
    }
}

/// Who would meet a need of this kind, in Hindi.
pub fn provider_word_hi(kind: LinkageKind) -> &'static str {
    match kind {
        LinkageKind::Finance => "ऋणदाता",
        LinkageKind::Training => "प्रशिक्षक",
        LinkageKind::Market => "ख़रीदार",
        LinkageKind::Scheme => "योजना",
    }
}

/// For a need nothing in the district serves: up to two offerings elsewhere that would take it
/// if they served this district, so the facilitator knows whom to ask ("RSETI Mirzapur offers
/// “Dairy farming” in Mirzapur"). `elsewhere` holds offerings of other districts.
pub fn served_elsewhere(
    need: &OpenNeed,
    elsewhere: &[Candidate],
    table: &Table,
) -> Option<(String, String)> {
    let found: Vec<(String, String)> = elsewhere
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
            let names: Vec<String> = districts.iter().take(2).map(|d| table.name_of(d)).collect();
            let (mut places, mut places_hi) = (names.clone(), names);
            if districts.len() > 2 {
                places.push(format!("{} more districts", districts.len() - 2));
                places_hi.push(format!("{} और ज़िलों", districts.len() - 2));
            }
            let (name, title) = (&c.provider.name, &c.offering.data.title);
            (
                format!("{name} offers “{title}” in {}", places.join(", ")),
                format!("{name} “{title}” {} में देता है", places_hi.join(", ")),
            )
        })
        .collect();
    if found.is_empty() {
        return None;
    }
    let (en, hi): (Vec<String>, Vec<String>) = found.into_iter().unzip();
    Some((en.join("; "), hi.join("; ")))
}

fn invitations(
    served: BTreeMap<&str, BTreeMap<LinkageKind, usize>>,
    candidates: &[Candidate],
) -> Vec<Invitation> {
    let names: HashMap<&str, &str> = candidates
        .iter()
        .map(|c| (c.provider.id.as_str(), c.provider.name.as_str()))
        .collect();
    let mut invite: Vec<Invitation> = served
        .into_iter()
        .map(|(id, by_kind)| {
            let parts: Vec<String> = by_kind
                .iter()
                .map(|(kind, &count)| {
                    format!(
                        "{count} open {kind} {}",
                        if count == 1 { "need" } else { "needs" }
                    )
                })
                .collect();
            let parts_hi: Vec<String> = by_kind
                .iter()
                .map(|(kind, count)| format!("{count} खुली {} ज़रूरतें", kind_hi(*kind)))
                .collect();
            // A need has one kind, so the kinds' counts add up to distinct needs.
            let open_needs = by_kind.values().sum();
            Invitation {
                stakeholder_id: id.to_string(),
                name: names.get(id).copied().unwrap_or_default().to_string(),
                reason: format!("serves {}; not invited", parts.join(" and ")),
                reason_hi: format!("{} पूरी कर सकता है; आमंत्रित नहीं", parts_hi.join(" और ")),
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
    use crate::domain::need::{Need, NeedData};
    use crate::domain::offering::{Eligibility, OfferingData, Terms};
    use crate::domain::record::{Origin, RecordMeta, Status};
    use crate::domain::stakeholder::Profile;
    use crate::domain::stakeholder::{Gender, Stage};

    fn meta() -> RecordMeta {
        RecordMeta {
            status: Status::Active,
            created_via: Origin::Api,
            created_by: "test".into(),
            created_at: "2026-11-01T00:00:00.000Z".into(),
            updated_at: "2026-11-01T00:00:00.000Z".into(),
            version: 1,
            updated_by: None,
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
                ..Provider::default()
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
        // Everything fits; a newcomer's record counts as 60 %: 0.3 + 0.2 + 0.15 + 0.15 + 0.12.
        assert_eq!(best.score, 0.92);
        assert!(
            best.reasons.contains(
                &"Provider st_bank has no decided linkages yet: counted as 60% accepted or completed"
                    .to_string()
            ),
            "{:?}",
            best.reasons
        );
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
                why_hi: "Bhadohi में carpets के लिए कोई ख़रीदार नहीं है".into(),
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
            ..Commitments::default()
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
            ..Commitments::default()
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
            ..Commitments::default()
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
        let (hint, hint_hi) = served_elsewhere(&dairy, &[men_only, mirzapur], &table).unwrap();
        assert_eq!(
            hint,
            "RSETI Mirzapur offers “Dairy farming (10 days)” in Mirzapur"
        );
        assert_eq!(
            hint_hi,
            "RSETI Mirzapur “Dairy farming (10 days)” Mirzapur में देता है"
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

    fn run_with(
        needs: &[OpenNeed],
        candidates: &[Candidate],
        per_need: usize,
        assigner: Assigner,
    ) -> Plan {
        let invitees = BTreeSet::new();
        let names = names();
        let table = Table {
            district: "up-bhadohi",
            date: parse_date("2026-12-10").unwrap(),
            invitees: &invitees,
            district_names: &names,
            per_need,
        };
        plan_with(needs, candidates, &table, &Commitments::default(), assigner)
    }

    fn pairs_of(plan: &Plan) -> Vec<(&str, &str)> {
        let mut pairs: Vec<(&str, &str)> = plan
            .suggestions
            .iter()
            .map(|s| (s.need_id.as_str(), s.offering_id.as_str()))
            .collect();
        pairs.sort();
        pairs
    }

    #[test]
    fn the_optimal_assignment_serves_a_need_greedy_leaves_out() {
        // nd_a fits both courses, the local one better; nd_b fits only the local one, which has
        // one seat. Best first gives nd_a the local seat and nd_b nothing.
        let mut local = offering("of_local", "st_a", LinkageKind::Training, &["tailoring"]);
        local.offering.data.terms.seats = Some(1);
        let mut far = offering("of_far", "st_b", LinkageKind::Training, &[]);
        far.provider.district = "up-mirzapur".into();
        let flexible = need("nd_a", LinkageKind::Training, "tailoring", None);
        let mut narrow = need("nd_b", LinkageKind::Training, "tailoring", None);
        narrow.profile.gender = Some(Gender::Male);
        // nd_b's age is not recorded, so the local course fits it a little less than nd_a.
        local.offering.data.eligibility.min_age = Some(18);
        narrow.profile.age = None;
        far.offering.data.eligibility.gender = Some(Gender::Female);
        let needs = [flexible, narrow];
        let candidates = [local, far];
        let optimal = run_with(&needs, &candidates, 1, Assigner::Optimal);
        let greedy = run_with(&needs, &candidates, 1, Assigner::Greedy);
        assert_eq!(
            pairs_of(&optimal),
            [("nd_a", "of_far"), ("nd_b", "of_local")]
        );
        assert_eq!(pairs_of(&greedy), [("nd_a", "of_local")]);
        assert_eq!(greedy.gaps.len(), 1);
        assert!(optimal.gaps.is_empty());
    }

    #[test]
    fn an_shg_takes_a_seat_per_member_and_the_seats_are_never_overfilled() {
        let mut course = offering("of_c", "st_r", LinkageKind::Training, &["tailoring"]);
        course.offering.data.terms.seats = Some(15);
        let mut big = need("nd_big", LinkageKind::Training, "tailoring", None);
        big.profile.members = Some(12);
        let mut six = need("nd_six", LinkageKind::Training, "tailoring", None);
        six.profile.members = Some(20);
        six.need.data.attendees = Some(6);
        let one = need("nd_one", LinkageKind::Training, "tailoring", None);
        let needs = [big, six, one];
        for assigner in [Assigner::Optimal, Assigner::Greedy] {
            let plan = run_with(&needs, std::slice::from_ref(&course), 3, assigner);
            let seats: i64 = plan
                .suggestions
                .iter()
                .map(|s| {
                    needs
                        .iter()
                        .find(|n| n.need.id == s.need_id)
                        .unwrap()
                        .seats()
                })
                .sum();
            assert!(seats <= 15, "{assigner:?}: {seats}");
            assert_eq!(plan.suggestions.len(), 2, "{assigner:?}: {plan:?}");
            assert_eq!(plan.gaps.len(), 1);
            assert!(
                plan.gaps[0].why.contains("fewer than the"),
                "{}",
                plan.gaps[0].why
            );
        }
    }

    #[test]
    fn a_providers_limit_per_meeting_is_kept_and_said() {
        let candidates: Vec<Candidate> = (1..=3)
            .map(|i| {
                let mut c = offering(&format!("of_{i}"), "st_bank", LinkageKind::Finance, &[]);
                c.provider.linkage_limit = Some(2);
                c
            })
            .collect();
        let needs: Vec<OpenNeed> = (1..=3)
            .map(|i| need(&format!("nd_{i}"), LinkageKind::Finance, "tailoring", None))
            .collect();
        for assigner in [Assigner::Optimal, Assigner::Greedy] {
            let plan = run_with(&needs, &candidates, 1, assigner);
            assert_eq!(plan.suggestions.len(), 2, "{assigner:?}: {plan:?}");
            assert!(
                plan.suggestions[0].reasons.contains(
                    &"Provider st_bank takes 2 more linkages at this meeting".to_string()
                ),
                "{:?}",
                plan.suggestions[0].reasons
            );
            assert_eq!(plan.gaps.len(), 1);
            assert!(
                plan.gaps[0].why.contains("takes no more linkages"),
                "{}",
                plan.gaps[0].why
            );
        }
    }

    #[test]
    fn a_provider_whose_linkages_come_true_ranks_above_one_whose_are_declined() {
        let mut reliable = offering("of_r", "st_r", LinkageKind::Finance, &["tailoring"]);
        reliable.provider.record = TrackRecord {
            accepted: 2,
            completed: 7,
            declined: 1,
        };
        let mut newcomer = offering("of_n", "st_n", LinkageKind::Finance, &["tailoring"]);
        newcomer.provider.record = TrackRecord::default();
        let mut unreliable = offering("of_u", "st_u", LinkageKind::Finance, &["tailoring"]);
        unreliable.provider.record = TrackRecord {
            accepted: 0,
            completed: 1,
            declined: 9,
        };
        let plan = run(
            &[need("nd_1", LinkageKind::Finance, "tailoring", None)],
            &[unreliable, newcomer, reliable],
            &[],
            &Commitments::default(),
        );
        let order: Vec<&str> = plan
            .suggestions
            .iter()
            .map(|s| s.offering_id.as_str())
            .collect();
        assert_eq!(order, ["of_r", "of_n", "of_u"]);
        assert!(
            plan.suggestions[0].reasons.contains(
                &"Provider st_r's record: 9 of 10 past linkages accepted or completed (7 completed), counted as 81%"
                    .to_string()
            ),
            "{:?}",
            plan.suggestions[0].reasons
        );
    }

    /// Small random meetings: the optimal plan's total (score in hundredths plus the bonus per
    /// need served) equals the best of every possible choice, and is never below greedy's.
    #[test]
    fn random_small_meetings_are_planned_as_well_as_trying_everything() {
        use rand::{Rng, SeedableRng, rngs::StdRng};
        let mut rng = StdRng::seed_from_u64(11);
        let sectors = ["tailoring", "dairy"];
        for case in 0..150 {
            let needs: Vec<OpenNeed> = (0..rng.random_range(1..=4))
                .map(|i| {
                    let mut n = need(
                        &format!("nd_{i}"),
                        LinkageKind::Training,
                        sectors[rng.random_range(0..2)],
                        None,
                    );
                    if rng.random_bool(0.3) {
                        n.profile.gender = None;
                    }
                    n
                })
                .collect();
            let candidates: Vec<Candidate> = (0..rng.random_range(1..=4))
                .map(|i| {
                    let chosen: &[&str] = match rng.random_range(0..3) {
                        0 => &[],
                        1 => &["tailoring"],
                        _ => &["dairy"],
                    };
                    let mut c = offering(
                        &format!("of_{i}"),
                        &format!("st_{i}"),
                        LinkageKind::Training,
                        chosen,
                    );
                    c.offering.data.terms.seats = [None, Some(1), Some(2)][rng.random_range(0..3)];
                    if rng.random_bool(0.5) {
                        c.provider.district = "up-mirzapur".into();
                    }
                    if rng.random_bool(0.3) {
                        c.offering.data.eligibility.gender = Some(Gender::Female);
                    }
                    c.provider.record.completed = rng.random_range(0..5);
                    c.provider.record.declined = rng.random_range(0..5);
                    c
                })
                .collect();
            let per_need = rng.random_range(1..=2);
            let total = |plan: &Plan| -> i64 {
                let served: BTreeSet<&str> = plan
                    .suggestions
                    .iter()
                    .map(|s| s.need_id.as_str())
                    .collect();
                plan.suggestions
                    .iter()
                    .map(|s| (s.score * 100.0).round() as i64)
                    .sum::<i64>()
                    + FIRST_SUGGESTION_BONUS * served.len() as i64
            };
            let optimal = run_with(&needs, &candidates, per_need, Assigner::Optimal);
            let greedy = run_with(&needs, &candidates, per_need, Assigner::Greedy);

            // Every eligible pair with its score, then every subset of them.
            let invitees = BTreeSet::new();
            let names = names();
            let table = Table {
                district: "up-bhadohi",
                date: parse_date("2026-12-10").unwrap(),
                invitees: &invitees,
                district_names: &names,
                per_need,
            };
            let mut pairs = Vec::new();
            for (n, nd) in needs.iter().enumerate() {
                for (c, cd) in candidates.iter().enumerate() {
                    if cd.offering.data.kind == nd.need.data.kind
                        && let Ok(f) = fit(nd, cd, &table)
                    {
                        pairs.push((n, c, (f.score * 100.0).round() as i64));
                    }
                }
            }
            let mut best = 0;
            for mask in 0u32..(1 << pairs.len()) {
                let mut per = vec![0usize; needs.len()];
                let mut seats = vec![0i64; candidates.len()];
                let mut value = 0;
                for (bit, &(n, c, score)) in pairs.iter().enumerate() {
                    if mask & (1 << bit) != 0 {
                        per[n] += 1;
                        seats[c] += 1;
                        value += score;
                    }
                }
                let fits = per.iter().all(|&p| p <= per_need)
                    && candidates
                        .iter()
                        .enumerate()
                        .all(|(c, cd)| cd.offering.data.terms.seats.is_none_or(|s| seats[c] <= s));
                if fits {
                    value += FIRST_SUGGESTION_BONUS * per.iter().filter(|&&p| p > 0).count() as i64;
                    best = best.max(value);
                }
            }
            assert_eq!(total(&optimal), best, "case {case}: {optimal:?}");
            assert!(total(&greedy) <= best, "case {case}");
        }
    }

    #[test]
    fn every_reason_and_gap_has_a_hindi_twin() {
        let mut loan = offering("of_loan", "st_bank", LinkageKind::Finance, &["tailoring"]);
        loan.offering.data.eligibility.min_amount_inr = Some(20_000);
        loan.offering.data.eligibility.max_amount_inr = Some(150_000);
        loan.offering.data.eligibility.gender = Some(Gender::Female);
        loan.offering.data.terms.budget_inr = Some(500_000);
        let mut unknown = need("nd_1", LinkageKind::Finance, "tailoring", Some(45_000));
        unknown.profile.age = None;
        loan.offering.data.eligibility.min_age = Some(18);
        let big = need("nd_2", LinkageKind::Finance, "tailoring", Some(900_000));
        let plan = run(
            &[unknown, big],
            &[loan],
            &["st_bank"],
            &Commitments::default(),
        );
        let best = &plan.suggestions[0];
        assert_eq!(best.reasons.len(), best.reasons_hi.len());
        for expected in [
            "सेक्टर tailoring मेल खाता है",
            "राशि ₹45,000, सीमा ₹20,000–₹1,50,000 में",
            "महिला आवेदकों के लिए खुला",
            "Bhadohi में ही है",
            "Provider st_bank आमंत्रित है",
            "बचे ₹5,00,000 बजट में से ₹45,000 लेता है",
            "पूछना है: उम्र सीमा 18–कोई भी; उम्र दर्ज नहीं",
        ] {
            assert!(
                best.reasons_hi.contains(&expected.to_string()),
                "{:?}",
                best.reasons_hi
            );
        }
        assert!(best.reasons_hi.iter().all(|r| !r.is_empty()));
        assert_eq!(
            plan.gaps[0].why_hi,
            "Bhadohi में tailoring के लिए कोई ऋणदाता यह ज़रूरत नहीं लेता: Provider st_bank, “offering of_loan” — राशि ₹9,00,000, सीमा ₹20,000–₹1,50,000 से बाहर"
        );
    }
}

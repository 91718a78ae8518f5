//! Rule-by-rule eligibility of an entrepreneur's need for an offering.
//!
//! Each rule the offering states is checked against the profile and the need; a rule the
//! offering does not state admits everyone, and a fact the profile lacks is reported as unknown
//! rather than as a failure, so a facilitator can ask instead of ruling someone out.

// Kept importable from here for the planner's older callers; it lives in the domain.
pub use crate::domain::money::rupees;
use crate::domain::need::NeedData;
use crate::domain::offering::LinkageKind;
use crate::domain::offering::OfferingData;
use crate::domain::record::{format_date, parse_date};
use crate::domain::stakeholder::{Gender, Profile, Stage};

/// The outcome of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// The profile does not say; worth asking at the meeting.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleOutcome {
    pub rule: &'static str,
    pub verdict: Verdict,
    pub reason: String,
    /// The same in Hindi.
    #[serde(skip)]
    pub reason_hi: String,
}

/// All outcomes for one (need, offering) pair.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Eligibility {
    pub outcomes: Vec<RuleOutcome>,
}

impl Eligibility {
    /// Eligible unless some rule failed outright.
    pub fn is_eligible(&self) -> bool {
        self.outcomes.iter().all(|o| o.verdict != Verdict::Fail)
    }

    pub fn reasons(&self, verdict: Verdict) -> Vec<&str> {
        self.outcomes
            .iter()
            .filter(|o| o.verdict == verdict)
            .map(|o| o.reason.as_str())
            .collect()
    }

    /// [`Self::reasons`] in Hindi.
    pub fn reasons_hi(&self, verdict: Verdict) -> Vec<&str> {
        self.outcomes
            .iter()
            .filter(|o| o.verdict == verdict)
            .map(|o| o.reason_hi.as_str())
            .collect()
    }
}

/// A sector code as words, for reasons people read: `goat_rearing` → "goat rearing".
pub fn sector_words(code: &str) -> String {
    code.replace('_', " ")
}

fn outcome(rule: &'static str, verdict: Verdict, reason: String) -> RuleOutcome {
    RuleOutcome {
        rule,
        verdict,
        reason,
        reason_hi: String::new(),
    }
}

/// The verdict of each rule an offering states (`None`: it states none), without the words:
/// what the planner needs to score hundreds of thousands of pairs. [`check`] gives the same
/// verdicts with reasons (a test holds the two together).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verdicts {
    pub kind: Option<Verdict>,
    pub sector: Option<Verdict>,
    pub gender: Option<Verdict>,
    pub age: Option<Verdict>,
    pub social_category: Option<Verdict>,
    pub shg_member: Option<Verdict>,
    pub stage: Option<Verdict>,
    pub amount: Option<Verdict>,
    pub valid_until: Option<Verdict>,
    pub starts_on: Option<Verdict>,
}

impl Verdicts {
    fn all(&self) -> [(&'static str, Option<Verdict>); 10] {
        [
            ("kind", self.kind),
            ("sector", self.sector),
            ("gender", self.gender),
            ("age", self.age),
            ("social_category", self.social_category),
            ("shg_member", self.shg_member),
            ("stage", self.stage),
            ("amount", self.amount),
            ("valid_until", self.valid_until),
            ("starts_on", self.starts_on),
        ]
    }

    pub fn is_eligible(&self) -> bool {
        self.all().iter().all(|(_, v)| *v != Some(Verdict::Fail))
    }

    /// Facts to ask at the meeting, besides the sector and the amount (which weigh on their own).
    pub fn unknown_facts(&self) -> i32 {
        self.all()
            .iter()
            .filter(|(rule, v)| {
                !matches!(*rule, "sector" | "amount") && *v == Some(Verdict::Unknown)
            })
            .count() as i32
    }
}

fn known(pass: bool) -> Verdict {
    if pass { Verdict::Pass } else { Verdict::Fail }
}

/// The verdicts [`check`] reaches, without building its sentences.
pub fn verdicts(
    profile: &Profile,
    need: &NeedData,
    offering: &OfferingData,
    on: time::Date,
) -> Verdicts {
    let mut v = verdicts_but_dates(profile, need, offering);
    if let Some(until) = offering.valid_until.as_deref().and_then(parse_date)
        && until < on
    {
        v.valid_until = Some(Verdict::Fail);
    }
    if let Some(starts) = offering.terms.starts_on.as_deref().and_then(parse_date) {
        v.starts_on = Some(known(starts >= on));
    }
    v
}

/// [`verdicts`] but for the offering's dates, which do not depend on the need: the planner
/// judges them once per offering.
pub fn verdicts_but_dates(profile: &Profile, need: &NeedData, offering: &OfferingData) -> Verdicts {
    let sector = (!offering.sectors.is_empty()).then(|| match &need.sector {
        Some(sector) => known(offering.sectors.contains(sector)),
        None => Verdict::Unknown,
    });
    verdicts_given_sector(profile, need, offering, sector)
}

/// [`verdicts_but_dates`] with the sector's verdict already known (the planner knows it from
/// where it looked the offering up, and comparing sector names is the costliest rule).
pub fn verdicts_given_sector(
    profile: &Profile,
    need: &NeedData,
    offering: &OfferingData,
    sector: Option<Verdict>,
) -> Verdicts {
    PackedRules::of(offering).verdicts(profile, need, sector)
}

/// An offering's rules (all but sector and dates) packed into a few bytes with nothing to follow:
/// the planner checks each offering against a thousand needs or more, and reading the rules
/// from the full records was a cache miss per pair.
#[derive(Debug, Clone, Copy)]
pub struct PackedRules {
    kind: LinkageKind,
    gender: Option<Gender>,
    shg_member_required: bool,
    /// One bit per social category admitted; none set: no such rule.
    categories: u8,
    /// One bit per stage admitted; none set: no such rule.
    stages: u8,
    age: Option<(i64, i64)>,
    amount: Option<(i64, i64)>,
}

impl PackedRules {
    pub fn of(offering: &OfferingData) -> PackedRules {
        let rules = &offering.eligibility;
        let range = |low: Option<i64>, high: Option<i64>, top: i64| {
            (low.is_some() || high.is_some()).then(|| (low.unwrap_or(0), high.unwrap_or(top)))
        };
        PackedRules {
            kind: offering.kind,
            gender: rules.gender,
            shg_member_required: rules.shg_member_required,
            categories: rules
                .social_categories
                .iter()
                .fold(0, |bits, &c| bits | (1 << c as u8)),
            stages: rules
                .stages
                .iter()
                .fold(0, |bits, &s| bits | (1 << s as u8)),
            age: range(rules.min_age, rules.max_age, 200),
            amount: range(rules.min_amount_inr, rules.max_amount_inr, i64::MAX),
        }
    }

    /// The verdicts of these rules for `need` of `profile`, the sector's given.
    pub fn verdicts(
        &self,
        profile: &Profile,
        need: &NeedData,
        sector: Option<Verdict>,
    ) -> Verdicts {
        let fact = |known_fact: Option<bool>| known_fact.map_or(Verdict::Unknown, known);
        Verdicts {
            kind: (self.kind != need.kind).then_some(Verdict::Fail),
            sector,
            gender: self
                .gender
                .map(|gender| fact(profile.gender.map(|g| g == gender))),
            age: self
                .age
                .map(|(low, high)| fact(profile.age.map(|age| (low..=high).contains(&age)))),
            social_category: (self.categories != 0).then(|| {
                fact(
                    profile
                        .social_category
                        .map(|c| self.categories & (1 << c as u8) != 0),
                )
            }),
            shg_member: self.shg_member_required.then(|| fact(profile.shg_member)),
            stage: (self.stages != 0)
                .then(|| fact(profile.stage.map(|s| self.stages & (1 << s as u8) != 0))),
            amount: self
                .amount
                .map(|(low, high)| fact(need.amount_inr.map(|a| (low..=high).contains(&a)))),
            valid_until: None,
            starts_on: None,
        }
    }
}

/// Checks every rule `offering` states against `profile` and `need`, as they stand on `on` (the
/// meeting's date: an offering that lapses or a batch that starts before then is no use there).
pub fn check(
    profile: &Profile,
    need: &NeedData,
    offering: &OfferingData,
    on: time::Date,
) -> Eligibility {
    let rules = &offering.eligibility;
    let mut outcomes = Vec::new();

    if offering.kind != need.kind {
        outcomes.push(outcome(
            "kind",
            Verdict::Fail,
            format!("offers {} but the need is {}", offering.kind, need.kind),
        ));
    }
    match (&need.sector, offering.sectors.is_empty()) {
        (_, true) => {}
        (Some(sector), false) if offering.sectors.contains(sector) => outcomes.push(outcome(
            "sector",
            Verdict::Pass,
            format!("sector {} matches", sector_words(sector)),
        )),
        (Some(sector), false) => outcomes.push(outcome(
            "sector",
            Verdict::Fail,
            format!(
                "sector {} is not among {}",
                sector_words(sector),
                offering
                    .sectors
                    .iter()
                    .map(|code| sector_words(code))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        (None, false) => outcomes.push(outcome(
            "sector",
            Verdict::Unknown,
            "the need names no sector".into(),
        )),
    }
    if let Some(gender) = rules.gender {
        outcomes.push(match profile.gender {
            Some(g) if g == gender => outcome(
                "gender",
                Verdict::Pass,
                format!("open to {gender} applicants"),
            ),
            Some(g) => outcome(
                "gender",
                Verdict::Fail,
                format!("only for {gender} applicants; applicant is {g}"),
            ),
            None => outcome(
                "gender",
                Verdict::Unknown,
                format!("only for {gender} applicants; gender not recorded"),
            ),
        });
    }
    if rules.min_age.is_some() || rules.max_age.is_some() {
        let (low, high) = (rules.min_age.unwrap_or(0), rules.max_age.unwrap_or(200));
        let range = format!(
            "{}–{}",
            rules.min_age.map_or("any".into(), |a| a.to_string()),
            rules.max_age.map_or("any".into(), |a| a.to_string())
        );
        outcomes.push(match profile.age {
            Some(age) if (low..=high).contains(&age) => {
                outcome("age", Verdict::Pass, format!("age {age} within {range}"))
            }
            Some(age) => outcome("age", Verdict::Fail, format!("age {age} outside {range}")),
            None => outcome(
                "age",
                Verdict::Unknown,
                format!("ages {range}; age not recorded"),
            ),
        });
    }
    if !rules.social_categories.is_empty() {
        let allowed: Vec<&str> = rules.social_categories.iter().map(|c| c.as_str()).collect();
        outcomes.push(match profile.social_category {
            Some(c) if rules.social_categories.contains(&c) => outcome(
                "social_category",
                Verdict::Pass,
                format!("category {c} eligible"),
            ),
            Some(c) => outcome(
                "social_category",
                Verdict::Fail,
                format!("for {} only; applicant is {c}", allowed.join("/")),
            ),
            None => outcome(
                "social_category",
                Verdict::Unknown,
                format!("for {} only; category not recorded", allowed.join("/")),
            ),
        });
    }
    if rules.shg_member_required {
        outcomes.push(match profile.shg_member {
            Some(true) => outcome(
                "shg_member",
                Verdict::Pass,
                "SHG member, as required".into(),
            ),
            Some(false) => outcome("shg_member", Verdict::Fail, "only for SHG members".into()),
            None => outcome(
                "shg_member",
                Verdict::Unknown,
                "only for SHG members; membership not recorded".into(),
            ),
        });
    }
    if !rules.stages.is_empty() {
        let allowed: Vec<&str> = rules.stages.iter().map(|s| s.as_str()).collect();
        outcomes.push(match profile.stage {
            Some(s) if rules.stages.contains(&s) => {
                outcome("stage", Verdict::Pass, format!("{s} enterprises eligible"))
            }
            Some(s) => outcome(
                "stage",
                Verdict::Fail,
                format!("for {} enterprises; this one is {s}", allowed.join("/")),
            ),
            None => outcome(
                "stage",
                Verdict::Unknown,
                format!("for {} enterprises; stage not recorded", allowed.join("/")),
            ),
        });
    }
    if rules.min_amount_inr.is_some() || rules.max_amount_inr.is_some() {
        let (low, high) = (
            rules.min_amount_inr.unwrap_or(0),
            rules.max_amount_inr.unwrap_or(i64::MAX),
        );
        let range = match (rules.min_amount_inr, rules.max_amount_inr) {
            (Some(a), Some(b)) => format!("{}–{}", rupees(a), rupees(b)),
            (Some(a), None) => format!("from {}", rupees(a)),
            (None, Some(b)) => format!("up to {}", rupees(b)),
            (None, None) => String::new(),
        };
        outcomes.push(match need.amount_inr {
            Some(amount) if (low..=high).contains(&amount) => outcome(
                "amount",
                Verdict::Pass,
                format!("amount {} within {range}", rupees(amount)),
            ),
            Some(amount) => outcome(
                "amount",
                Verdict::Fail,
                format!("amount {} outside {range}", rupees(amount)),
            ),
            None => outcome(
                "amount",
                Verdict::Unknown,
                format!("lends {range}; the need states no amount"),
            ),
        });
    }
    if let Some(until) = offering.valid_until.as_deref().and_then(parse_date)
        && until < on
    {
        outcomes.push(outcome(
            "valid_until",
            Verdict::Fail,
            format!(
                "valid until {}, before the meeting on {}",
                format_date(until),
                format_date(on)
            ),
        ));
    }
    if let Some(starts) = offering.terms.starts_on.as_deref().and_then(parse_date) {
        outcomes.push(if starts < on {
            outcome(
                "starts_on",
                Verdict::Fail,
                format!(
                    "batch starts on {}, before the meeting on {}",
                    format_date(starts),
                    format_date(on)
                ),
            )
        } else {
            outcome(
                "starts_on",
                Verdict::Pass,
                format!("batch starts on {}", format_date(starts)),
            )
        });
    }
    for outcome in &mut outcomes {
        outcome.reason_hi = in_hindi(outcome.rule, outcome.verdict, profile, need, offering, on);
    }
    Eligibility { outcomes }
}

/// A date as people in India write it: 10-12-2026.
pub fn indian_date(date: time::Date) -> String {
    format!(
        "{:02}-{:02}-{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// A linkage kind in Hindi.
pub fn kind_hi(kind: LinkageKind) -> &'static str {
    match kind {
        LinkageKind::Finance => "वित्त",
        LinkageKind::Training => "प्रशिक्षण",
        LinkageKind::Market => "बाज़ार",
        LinkageKind::Scheme => "योजना",
    }
}

fn gender_hi(gender: Gender) -> &'static str {
    match gender {
        Gender::Female => "महिला",
        Gender::Male => "पुरुष",
        Gender::Other => "अन्य",
    }
}

fn stage_hi(stage: Stage) -> &'static str {
    match stage {
        Stage::Idea => "विचार के चरण वाले",
        Stage::Early => "शुरुआती",
        Stage::Established => "स्थापित",
    }
}

/// The reason [`check`] gives for `rule` with `verdict`, in Hindi.
fn in_hindi(
    rule: &str,
    verdict: Verdict,
    profile: &Profile,
    need: &NeedData,
    offering: &OfferingData,
    on: time::Date,
) -> String {
    let rules = &offering.eligibility;
    let sector = need.sector.as_deref().map(sector_words).unwrap_or_default();
    let list = |items: Vec<String>| items.join(", ");
    match (rule, verdict) {
        ("kind", _) => format!(
            "{} देता है, पर ज़रूरत {} की है",
            kind_hi(offering.kind),
            kind_hi(need.kind)
        ),
        ("sector", Verdict::Pass) => format!("सेक्टर {sector} मेल खाता है"),
        ("sector", Verdict::Fail) => format!(
            "सेक्टर {sector} इनमें नहीं है: {}",
            list(offering.sectors.iter().map(|c| sector_words(c)).collect())
        ),
        ("sector", _) => "ज़रूरत में सेक्टर नहीं लिखा".into(),
        ("gender", verdict) => {
            let wanted = rules.gender.map_or("", gender_hi);
            match (verdict, profile.gender) {
                (Verdict::Pass, _) => format!("{wanted} आवेदकों के लिए खुला"),
                (Verdict::Fail, Some(g)) => {
                    format!("केवल {wanted} आवेदकों के लिए; आवेदक {} हैं", gender_hi(g))
                }
                _ => format!("केवल {wanted} आवेदकों के लिए; लिंग दर्ज नहीं"),
            }
        }
        ("age", verdict) => {
            let range = format!(
                "{}–{}",
                rules.min_age.map_or("कोई भी".into(), |a| a.to_string()),
                rules.max_age.map_or("कोई भी".into(), |a| a.to_string())
            );
            match (verdict, profile.age) {
                (Verdict::Pass, Some(age)) => format!("उम्र {age}, सीमा {range} में"),
                (Verdict::Fail, Some(age)) => format!("उम्र {age}, सीमा {range} से बाहर"),
                _ => format!("उम्र सीमा {range}; उम्र दर्ज नहीं"),
            }
        }
        ("social_category", verdict) => {
            let allowed = list(
                rules
                    .social_categories
                    .iter()
                    .map(|c| c.as_str().to_string())
                    .collect(),
            );
            match (verdict, profile.social_category) {
                (Verdict::Pass, Some(c)) => format!("वर्ग {c} पात्र"),
                (Verdict::Fail, Some(c)) => format!("केवल {allowed} के लिए; आवेदक {c} हैं"),
                _ => format!("केवल {allowed} के लिए; वर्ग दर्ज नहीं"),
            }
        }
        ("shg_member", Verdict::Pass) => "स्वयं सहायता समूह की सदस्य, जैसा ज़रूरी है".into(),
        ("shg_member", Verdict::Fail) => "केवल स्वयं सहायता समूह के सदस्यों के लिए".into(),
        ("shg_member", _) => "केवल स्वयं सहायता समूह के सदस्यों के लिए; सदस्यता दर्ज नहीं".into(),
        ("stage", verdict) => {
            let allowed = list(
                rules
                    .stages
                    .iter()
                    .map(|s| stage_hi(*s).to_string())
                    .collect(),
            );
            match (verdict, profile.stage) {
                (Verdict::Pass, Some(s)) => format!("{} उद्यम पात्र", stage_hi(s)),
                (Verdict::Fail, Some(s)) => {
                    format!("केवल {allowed} उद्यमों के लिए; यह {} है", stage_hi(s))
                }
                _ => format!("केवल {allowed} उद्यमों के लिए; चरण दर्ज नहीं"),
            }
        }
        ("amount", verdict) => {
            let range = match (rules.min_amount_inr, rules.max_amount_inr) {
                (Some(a), Some(b)) => format!("{}–{}", rupees(a), rupees(b)),
                (Some(a), None) => format!("{} से ऊपर", rupees(a)),
                (None, Some(b)) => format!("{} तक", rupees(b)),
                (None, None) => String::new(),
            };
            match (verdict, need.amount_inr) {
                (Verdict::Pass, Some(a)) => format!("राशि {}, सीमा {range} में", rupees(a)),
                (Verdict::Fail, Some(a)) => format!("राशि {}, सीमा {range} से बाहर", rupees(a)),
                _ => format!("ऋण {range}; ज़रूरत में राशि नहीं लिखी"),
            }
        }
        ("valid_until", _) => {
            let until = offering.valid_until.as_deref().and_then(parse_date);
            format!(
                "{} तक ही मान्य, बैठक ({}) से पहले",
                until.map(indian_date).unwrap_or_default(),
                indian_date(on)
            )
        }
        ("starts_on", verdict) => {
            let starts = offering.terms.starts_on.as_deref().and_then(parse_date);
            let starts = starts.map(indian_date).unwrap_or_default();
            if verdict == Verdict::Fail {
                format!("बैच {starts} को शुरू, बैठक ({}) से पहले", indian_date(on))
            } else {
                format!("बैच {starts} को शुरू")
            }
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::offering::{Eligibility as Rules, LinkageKind, Terms};
    use crate::domain::stakeholder::{Gender, SocialCategory, Stage};

    fn meeting_day() -> time::Date {
        parse_date("2026-12-10").unwrap()
    }

    fn sunita() -> Profile {
        Profile {
            gender: Some(Gender::Female),
            age: Some(31),
            social_category: Some(SocialCategory::Sc),
            shg_member: Some(true),
            sector: Some("tailoring".into()),
            stage: Some(Stage::Early),
            block: None,
            members: None,
            block_unverified: false,
        }
    }

    fn sewing_machine_loan(amount: i64) -> NeedData {
        NeedData {
            kind: LinkageKind::Finance,
            title: "Loan for two sewing machines".into(),
            description: None,
            sector: Some("tailoring".into()),
            amount_inr: Some(amount),
            attendees: None,
        }
    }

    fn women_loan() -> OfferingData {
        OfferingData {
            kind: LinkageKind::Finance,
            title: "Individual enterprise loan for women".into(),
            description: None,
            sectors: vec!["tailoring".into(), "retail".into()],
            districts: vec!["up-mirzapur".into()],
            eligibility: Rules {
                gender: Some(Gender::Female),
                min_age: Some(18),
                max_age: Some(60),
                social_categories: vec![],
                shg_member_required: false,
                min_amount_inr: Some(20_000),
                max_amount_inr: Some(150_000),
                stages: vec![Stage::Early, Stage::Established],
            },
            terms: Terms::default(),
            valid_until: Some("2099-03-31".into()),
        }
    }

    #[test]
    fn an_entrepreneur_who_meets_every_rule_is_eligible_with_reasons() {
        let result = check(
            &sunita(),
            &sewing_machine_loan(45_000),
            &women_loan(),
            meeting_day(),
        );
        assert!(result.is_eligible());
        let reasons = result.reasons(Verdict::Pass);
        assert!(reasons.contains(&"sector tailoring matches"));
        assert!(
            reasons.contains(&"amount ₹45,000 within ₹20,000–₹1,50,000"),
            "{reasons:?}"
        );
    }

    #[test]
    fn each_broken_rule_is_named() {
        let mut profile = sunita();
        profile.age = Some(64);
        profile.stage = Some(Stage::Idea);
        let result = check(
            &profile,
            &sewing_machine_loan(200_000),
            &women_loan(),
            meeting_day(),
        );
        assert!(!result.is_eligible());
        let failed: Vec<&str> = result
            .outcomes
            .iter()
            .filter(|o| o.verdict == Verdict::Fail)
            .map(|o| o.rule)
            .collect();
        assert_eq!(failed, ["age", "stage", "amount"]);
    }

    #[test]
    fn a_missing_fact_is_unknown_not_a_refusal() {
        let mut profile = sunita();
        profile.gender = None;
        let result = check(
            &profile,
            &sewing_machine_loan(45_000),
            &women_loan(),
            meeting_day(),
        );
        assert!(result.is_eligible());
        assert_eq!(
            result.reasons(Verdict::Unknown),
            ["only for female applicants; gender not recorded"]
        );
    }

    #[test]
    fn rupees_are_grouped_the_indian_way() {
        assert_eq!(rupees(500), "₹500");
        assert_eq!(rupees(45_000), "₹45,000");
        assert_eq!(rupees(150_000), "₹1,50,000");
        assert_eq!(rupees(10_000_000), "₹1,00,00,000");
    }

    #[test]
    fn sectors_are_named_in_words_not_codes() {
        let mut goats = sewing_machine_loan(45_000);
        goats.sector = Some("goat_rearing".into());
        let mut offering = women_loan();
        let refused = check(&sunita(), &goats, &offering, meeting_day());
        assert!(
            refused
                .reasons(Verdict::Fail)
                .contains(&"sector goat rearing is not among tailoring, retail"),
            "{refused:?}"
        );
        offering.sectors.push("goat_rearing".into());
        let taken = check(&sunita(), &goats, &offering, meeting_day());
        assert!(
            taken
                .reasons(Verdict::Pass)
                .contains(&"sector goat rearing matches")
        );
    }

    #[test]
    fn an_offering_that_lapses_before_the_meeting_is_refused_on_the_meetings_date() {
        let mut lapsing = women_loan();
        lapsing.valid_until = Some("2026-12-08".into());
        let refused = check(
            &sunita(),
            &sewing_machine_loan(45_000),
            &lapsing,
            meeting_day(),
        );
        assert_eq!(
            refused.reasons(Verdict::Fail),
            ["valid until 2026-12-08, before the meeting on 2026-12-10"]
        );
        // The same offering is fine for a meeting on the day it lapses, or earlier.
        let same_day = parse_date("2026-12-08").unwrap();
        assert!(check(&sunita(), &sewing_machine_loan(45_000), &lapsing, same_day).is_eligible());
    }

    #[test]
    fn a_batch_that_starts_before_the_meeting_is_refused_and_a_later_one_passes() {
        let mut course = women_loan();
        course.kind = LinkageKind::Training;
        course.terms.starts_on = Some("2026-12-01".into());
        let mut need = sewing_machine_loan(45_000);
        need.kind = LinkageKind::Training;
        let refused = check(&sunita(), &need, &course, meeting_day());
        assert_eq!(
            refused.reasons(Verdict::Fail),
            ["batch starts on 2026-12-01, before the meeting on 2026-12-10"]
        );
        course.terms.starts_on = Some("2027-01-05".into());
        let taken = check(&sunita(), &need, &course, meeting_day());
        assert!(taken.is_eligible());
        assert!(
            taken
                .reasons(Verdict::Pass)
                .contains(&"batch starts on 2027-01-05")
        );
    }

    /// Every combination of a profile's facts (known or not, fitting or not) against one
    /// offering with every rule: [`verdicts`] agrees with [`check`] rule by rule.
    #[test]
    fn verdicts_agree_with_check_on_every_rule() {
        let mut offering = women_loan();
        offering.eligibility.social_categories = vec![SocialCategory::Sc];
        offering.eligibility.shg_member_required = true;
        offering.terms.starts_on = Some("2026-12-20".into());
        let genders = [None, Some(Gender::Female), Some(Gender::Male)];
        let ages = [None, Some(30), Some(70)];
        let categories = [
            None,
            Some(SocialCategory::Sc),
            Some(SocialCategory::General),
        ];
        let members = [None, Some(true), Some(false)];
        let stages = [None, Some(Stage::Early), Some(Stage::Idea)];
        let amounts = [None, Some(45_000), Some(500_000)];
        let sectors = [None, Some("tailoring"), Some("dairy")];
        let days = ["2026-12-10", "2026-12-25", "2099-04-01"];
        let mut compared = 0;
        for gender in genders {
            for age in ages {
                for category in categories {
                    for member in members {
                        for stage in stages {
                            for amount in amounts {
                                for sector in sectors {
                                    for day in days {
                                        let profile = Profile {
                                            gender,
                                            age,
                                            social_category: category,
                                            shg_member: member,
                                            stage,
                                            ..sunita()
                                        };
                                        let mut need = sewing_machine_loan(0);
                                        need.amount_inr = amount;
                                        need.sector = sector.map(String::from);
                                        let on = parse_date(day).unwrap();
                                        let checked = check(&profile, &need, &offering, on);
                                        let quick = verdicts(&profile, &need, &offering, on);
                                        let listed: Vec<(&str, Verdict)> = quick
                                            .all()
                                            .iter()
                                            .filter_map(|(r, v)| v.map(|v| (*r, v)))
                                            .collect();
                                        let from_check: Vec<(&str, Verdict)> = checked
                                            .outcomes
                                            .iter()
                                            .map(|o| (o.rule, o.verdict))
                                            .collect();
                                        assert_eq!(listed, from_check);
                                        assert_eq!(quick.is_eligible(), checked.is_eligible());
                                        compared += 1;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(compared, 3usize.pow(8));
    }
}

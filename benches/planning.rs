//! Meeting-planning benchmark: the optimal assignment (min-cost flow) beside greedy (best pair
//! first) on the same generated, reproducible registry. Not a test; a measurement.
//!
//! ```sh
//! cargo bench --bench planning                      # district and state scale
//! cargo bench --bench planning -- --scale district  # 2,000 needs x 20,000 offerings, one meeting
//! cargo bench --bench planning -- --scale state     # 100,000 needs x 200,000 offerings, 38 meetings
//! ```
//!
//! District scale also runs a scarce district (2,000 needs, 600 offerings), where capacity
//! binds and the two assignments differ.
//!
//! Flags: `--scale district|state|both` (both), `--seed N` (42), `--per-need N` (3),
//! `--runs N` (district timings are the median of N runs; 5), `--out DIR`
//! (target/bench-planning; results.md goes there).
//!
//! District scale is one meeting in one district whose 20,000 offerings all serve it. State
//! scale is a meeting in each of 38 districts; offerings serve one to three districts, and each
//! meeting gets the offerings that serve its district (found through a district → offerings
//! map, as the store finds them through its index). Times are of `plan_with` (candidates,
//! eligibility, scores, pruning, assignment, reasons, gaps, invitations); loading from the
//! database and saving are not in them. Peak memory is the process's (VmHWM), after generation
//! and after planning.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sangam::domain::need::{Need, NeedData};
use sangam::domain::offering::{Eligibility, LinkageKind, Offering, OfferingData, Terms};
use sangam::domain::record::{Origin, RecordMeta, Status, parse_date};
use sangam::domain::stakeholder::{Gender, Profile, SocialCategory, Stage};
use sangam::matching::suggest::{
    Assigner, Candidate, Commitments, OpenNeed, Plan, Provider, Table, TrackRecord, plan_with,
};

const SECTORS: &[&str] = &[
    "tailoring",
    "dairy",
    "goat_rearing",
    "poultry",
    "carpets",
    "handloom",
    "retail",
    "beauty",
    "mobile_repair",
    "agarbatti",
    "pickles",
    "vegetables",
    "fisheries",
    "bamboo",
    "pottery",
    "food_processing",
    "kirana",
    "electrician",
    "carpentry",
    "embroidery",
    "leather",
    "honey",
    "mushroom",
    "papad",
    "tent_house",
];
const KINDS: &[LinkageKind] = &[
    LinkageKind::Finance,
    LinkageKind::Finance,
    LinkageKind::Finance,
    LinkageKind::Training,
    LinkageKind::Training,
    LinkageKind::Market,
    LinkageKind::Market,
    LinkageKind::Scheme,
];
const MEETING: &str = "2027-02-10";

struct Options {
    scale: String,
    seed: u64,
    per_need: usize,
    runs: usize,
    out: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        scale: "both".into(),
        seed: 42,
        per_need: 3,
        runs: 5,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-planning"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--bench" => {}
            "--scale" => options.scale = value()?,
            "--seed" => options.seed = value()?.parse().map_err(|_| "--seed: a number")?,
            "--per-need" => {
                options.per_need = value()?.parse().map_err(|_| "--per-need: a number")?
            }
            "--runs" => options.runs = value()?.parse().map_err(|_| "--runs: a number")?,
            "--out" => options.out = PathBuf::from(value()?),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if !["district", "state", "both"].contains(&options.scale.as_str()) {
        return Err("--scale is district, state or both".into());
    }
    options.runs = options.runs.max(1);
    Ok(options)
}

fn meta() -> RecordMeta {
    RecordMeta {
        status: Status::Active,
        created_via: Origin::Import,
        created_by: "bench".into(),
        created_at: "2026-12-01T00:00:00.000Z".into(),
        updated_at: "2026-12-01T00:00:00.000Z".into(),
        version: 1,
        updated_by: None,
        demo: false,
    }
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Needs of entrepreneurs (and a fifth SHGs) in `districts`, spread evenly.
fn needs(rng: &mut StdRng, count: usize, districts: &[String]) -> Vec<OpenNeed> {
    (0..count)
        .map(|i| {
            let kind = *pick(rng, KINDS);
            let shg = rng.random_bool(0.2);
            let district = districts[i % districts.len()].clone();
            let profile = Profile {
                gender: [Some(Gender::Female), Some(Gender::Male), None][rng.random_range(0..3)],
                age: rng.random_bool(0.8).then(|| rng.random_range(18..60)),
                social_category: [
                    Some(SocialCategory::Sc),
                    Some(SocialCategory::Obc),
                    Some(SocialCategory::General),
                    None,
                ][rng.random_range(0..4)],
                shg_member: rng.random_bool(0.7).then(|| rng.random_bool(0.6)),
                sector: None,
                stage: [
                    Some(Stage::Idea),
                    Some(Stage::Early),
                    Some(Stage::Established),
                    None,
                ][rng.random_range(0..4)],
                block: None,
                members: shg.then(|| rng.random_range(10..=20)),
                block_unverified: false,
            };
            let amount_inr = (kind == LinkageKind::Finance && rng.random_bool(0.85))
                .then(|| rng.random_range(1..=50) * 5_000);
            OpenNeed {
                need: Need {
                    id: format!("nd_{i:07}"),
                    stakeholder_id: format!("st_e{i:07}"),
                    district,
                    data: NeedData {
                        kind,
                        title: format!("need {i}"),
                        description: None,
                        sector: rng
                            .random_bool(0.95)
                            .then(|| pick(rng, SECTORS).to_string()),
                        amount_inr,
                        attendees: (shg && rng.random_bool(0.5)).then(|| rng.random_range(3..=10)),
                    },
                    meta: meta(),
                },
                profile,
            }
        })
        .collect()
}

/// Offerings of 1 provider per 10, each serving one to three of `districts` (all of them when
/// there is one).
fn offerings(rng: &mut StdRng, count: usize, districts: &[String]) -> Vec<Candidate> {
    let providers = (count / 10).max(1);
    let provider_list: Vec<Provider> = (0..providers)
        .map(|p| {
            let decided = rng.random_range(0..20);
            let good = rng.random_range(0..=decided);
            Provider {
                id: format!("st_p{p:07}"),
                name: format!("Provider {p}"),
                district: pick(rng, districts).clone(),
                record: TrackRecord {
                    accepted: good / 2,
                    completed: good - good / 2,
                    declined: decided - good,
                },
                linkage_limit: rng.random_bool(0.3).then(|| rng.random_range(3..=10)),
            }
        })
        .collect();
    (0..count)
        .map(|i| {
            let kind = *pick(rng, KINDS);
            let sectors: Vec<String> = if rng.random_bool(0.1) {
                Vec::new()
            } else {
                (0..rng.random_range(1..=3))
                    .map(|_| pick(rng, SECTORS).to_string())
                    .collect()
            };
            let served: Vec<String> = if districts.len() == 1 {
                districts.to_vec()
            } else {
                let mut set = BTreeSet::new();
                for _ in 0..rng.random_range(1..=3) {
                    set.insert(pick(rng, districts).clone());
                }
                set.into_iter().collect()
            };
            let mut eligibility = Eligibility::default();
            if rng.random_bool(0.3) {
                eligibility.gender = Some(Gender::Female);
            }
            if rng.random_bool(0.4) {
                eligibility.min_age = Some(18);
                eligibility.max_age = Some(rng.random_range(35..=60));
            }
            if rng.random_bool(0.15) {
                eligibility.social_categories = vec![SocialCategory::Sc, SocialCategory::St];
            }
            if rng.random_bool(0.2) {
                eligibility.shg_member_required = true;
            }
            if rng.random_bool(0.3) {
                eligibility.stages = vec![Stage::Early, Stage::Established];
            }
            let mut terms = Terms::default();
            if kind == LinkageKind::Finance {
                eligibility.min_amount_inr = Some(rng.random_range(0..=4) * 10_000);
                eligibility.max_amount_inr = Some(rng.random_range(5..=100) * 10_000);
                if rng.random_bool(0.3) {
                    terms.budget_inr = Some(rng.random_range(2..=50) * 100_000);
                }
            }
            if kind == LinkageKind::Training && rng.random_bool(0.8) {
                terms.seats = Some(rng.random_range(10..=40));
                let day = rng.random_range(0..150);
                terms.starts_on = Some(day_after("2027-01-20", day));
            }
            let valid_until = rng
                .random_bool(0.5)
                .then(|| day_after("2027-01-01", rng.random_range(0..400)));
            Candidate {
                offering: Offering {
                    id: format!("of_{i:07}"),
                    stakeholder_id: String::new(),
                    data: OfferingData {
                        kind,
                        title: format!("offering {i}"),
                        description: None,
                        sectors,
                        districts: served,
                        eligibility,
                        terms,
                        valid_until,
                    },
                    meta: meta(),
                },
                provider: provider_list[i % providers].clone(),
            }
        })
        .map(|mut c| {
            c.offering.stakeholder_id = c.provider.id.clone();
            c
        })
        .collect()
}

fn day_after(start: &str, days: i64) -> String {
    let date = parse_date(start).unwrap() + time::Duration::days(days);
    sangam::domain::record::format_date(date)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[derive(Default, Clone, Copy)]
struct Outcome {
    time: Duration,
    total_score: f64,
    needs_served: usize,
    suggestions: usize,
    gaps: usize,
}

impl Outcome {
    fn add(&mut self, plan: &Plan, time: Duration) {
        self.time += time;
        self.total_score += plan.suggestions.iter().map(|s| s.score).sum::<f64>();
        self.needs_served += plan
            .suggestions
            .iter()
            .map(|s| s.need_id.as_str())
            .collect::<BTreeSet<_>>()
            .len();
        self.suggestions += plan.suggestions.len();
        self.gaps += plan.gaps.len();
    }
}

fn row(scale: &str, name: &str, outcome: &Outcome, target: &str, peak: f64) -> String {
    format!(
        "| {scale} | {name} | {:.0} ms | {target} | {:.1} | {} | {} | {} | {peak:.0} MB |",
        outcome.time.as_secs_f64() * 1000.0,
        outcome.total_score,
        outcome.needs_served,
        outcome.suggestions,
        outcome.gaps,
    )
}

fn table<'a>(
    district: &'a str,
    invitees: &'a BTreeSet<String>,
    names: &'a BTreeMap<String, String>,
    per_need: usize,
) -> Table<'a> {
    Table {
        district,
        date: parse_date(MEETING).unwrap(),
        invitees,
        district_names: names,
        per_need,
    }
}

fn district_scale(options: &Options, rows: &mut Vec<String>, offering_count: usize, label: &str) {
    eprintln!(
        "district scale: generating 2,000 needs and {offering_count} offerings (seed {})",
        options.seed
    );
    let mut rng = StdRng::seed_from_u64(options.seed);
    let districts = vec!["br-gaya".to_string()];
    let needs = needs(&mut rng, 2_000, &districts);
    let candidates = offerings(&mut rng, offering_count, &districts);
    let invitees: BTreeSet<String> = candidates
        .iter()
        .take(2_000)
        .map(|c| c.provider.id.clone())
        .collect();
    let names = BTreeMap::from([("br-gaya".to_string(), "Gaya".to_string())]);
    let table = table("br-gaya", &invitees, &names, options.per_need);
    let commitments = Commitments::default();
    for (name, assigner) in [
        ("optimal (min-cost flow)", Assigner::Optimal),
        ("greedy", Assigner::Greedy),
    ] {
        let mut times = Vec::new();
        let mut outcome = Outcome::default();
        for run in 0..options.runs {
            let started = Instant::now();
            let plan = plan_with(&needs, &candidates, &table, &commitments, assigner);
            let time = started.elapsed();
            eprintln!(
                "  {name}: run {}/{} in {:.0} ms",
                run + 1,
                options.runs,
                time.as_secs_f64() * 1000.0
            );
            times.push(time);
            if run == 0 {
                outcome.add(&plan, Duration::ZERO);
            }
        }
        times.sort();
        outcome.time = times[times.len() / 2];
        rows.push(row(label, name, &outcome, "≤ 200 ms", peak_rss_mb()));
    }
}

fn state_scale(options: &Options, rows: &mut Vec<String>) {
    eprintln!("state scale: generating 100,000 needs and 200,000 offerings over 38 districts");
    let mut rng = StdRng::seed_from_u64(options.seed + 1);
    let districts: Vec<String> = (0..38).map(|d| format!("br-d{d:02}")).collect();
    let needs = needs(&mut rng, 100_000, &districts);
    let candidates = offerings(&mut rng, 200_000, &districts);
    let generated_peak = peak_rss_mb();
    eprintln!("  generated; peak memory so far {generated_peak:.0} MB");
    let names: BTreeMap<String, String> =
        districts.iter().map(|d| (d.clone(), d.clone())).collect();
    let invitees = BTreeSet::new();
    let commitments = Commitments::default();
    for (name, assigner) in [
        ("optimal (min-cost flow)", Assigner::Optimal),
        ("greedy", Assigner::Greedy),
    ] {
        let mut outcome = Outcome::default();
        let started = Instant::now();
        for (d, district) in districts.iter().enumerate() {
            // What the store hands the planner for one meeting: the district's open needs and
            // the offerings that serve it.
            let local_needs: Vec<OpenNeed> = needs
                .iter()
                .filter(|n| &n.need.district == district)
                .cloned()
                .collect();
            let local: Vec<Candidate> = candidates
                .iter()
                .filter(|c| c.offering.data.districts.contains(district))
                .cloned()
                .collect();
            let table = table(district, &invitees, &names, options.per_need);
            let planned_at = Instant::now();
            let plan = plan_with(&local_needs, &local, &table, &commitments, assigner);
            outcome.add(&plan, planned_at.elapsed());
            if d % 5 == 4 || d + 1 == districts.len() {
                eprintln!(
                    "  {name}: {}/{} meetings planned, {:.1} s of planning, {:.1} s elapsed",
                    d + 1,
                    districts.len(),
                    outcome.time.as_secs_f64(),
                    started.elapsed().as_secs_f64()
                );
            }
        }
        rows.push(row(
            "state: 100,000 × 200,000, 38 meetings",
            name,
            &outcome,
            "≤ 10 s",
            peak_rss_mb(),
        ));
    }
}

fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let mut rows = vec![
        "| scale | assignment | planning time | target | total score | needs served | suggestions | gaps | peak memory |".to_string(),
        "|---|---|---|---|---|---|---|---|---|".to_string(),
    ];
    if options.scale != "state" {
        district_scale(
            &options,
            &mut rows,
            20_000,
            "district: 2,000 × 20,000, 1 meeting",
        );
        // Fewer offerings than needs, as in most real districts: capacity binds, and the
        // assignment decides who is served.
        district_scale(
            &options,
            &mut rows,
            600,
            "district, scarce: 2,000 × 600, 1 meeting",
        );
    }
    if options.scale != "district" {
        state_scale(&options, &mut rows);
    }
    let report = format!(
        "Planning benchmark (seed {}, per_need {}, meeting on {MEETING}; {} cores)\n\n{}\n",
        options.seed,
        options.per_need,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        rows.join("\n")
    );
    println!("{report}");
    if std::fs::create_dir_all(&options.out).is_ok() {
        let path = options.out.join("results.md");
        if std::fs::write(&path, &report).is_ok() {
            eprintln!("written to {}", path.display());
        }
    }
}

//! Load benchmark: the real `sangam serve` binary on a loopback port, driven by a bounded mixed
//! workload (80% search, 15% reads, 5% writes: creates and patches) and by writes alone, with 1, 8
//! and 64 connections, on SQLite and (when a URL is given) PostgreSQL. Not a test; a measurement.
//!
//! ```sh
//! cargo bench --bench load                       # SQLite; PostgreSQL too if SANGAM_TEST_POSTGRES_URL is set
//! cargo bench --bench load -- --seconds 10 --postgres postgres://sangam:sangam@127.0.0.1:5432/sangam_test
//! ```
//!
//! Flags: `--seconds N` per phase (default 6), `--connections 1,8,64`, `--providers N` (default
//! 150; each gets two offerings, and as many entrepreneurs each get a need), `--seed N` (42),
//! `--postgres URL` (else `SANGAM_TEST_POSTGRES_URL`), `--sqlite-only`, `--workloads mixed,writes`
//! (both by default).
//!
//! Every phase at a concurrency is paired with `/healthz` at the same concurrency, run right
//! before it in the same process against the same server: on a shared machine the absolute
//! figures move with the neighbours' load, the ratio much less. Answers are counted per class
//! (2xx, 4xx, 5xx, transport failure); the first few failures of each phase are printed with their
//! bodies so an error can be traced.

#[allow(dead_code)]
#[path = "../tests/api/support.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use support::{Backend, TestServer, add};

struct Options {
    seconds: u64,
    connections: Vec<usize>,
    providers: usize,
    seed: u64,
    postgres: Option<String>,
    workloads: Vec<Workload>,
}

fn options() -> Options {
    let mut options = Options {
        seconds: 6,
        connections: vec![1, 8, 64],
        providers: 150,
        seed: 42,
        postgres: std::env::var("SANGAM_TEST_POSTGRES_URL")
            .ok()
            .filter(|url| !url.trim().is_empty()),
        workloads: vec![Workload::Mixed, Workload::Writes],
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{name} needs a value"))
        };
        match arg.as_str() {
            "--seconds" => options.seconds = value("--seconds").parse().expect("--seconds N"),
            "--providers" => {
                options.providers = value("--providers").parse().expect("--providers N")
            }
            "--seed" => options.seed = value("--seed").parse().expect("--seed N"),
            "--connections" => {
                options.connections = value("--connections")
                    .split(',')
                    .map(|n| n.trim().parse().expect("--connections 1,8,64"))
                    .collect()
            }
            "--workloads" => {
                options.workloads = value("--workloads")
                    .split(',')
                    .map(|name| match name.trim() {
                        "mixed" => Workload::Mixed,
                        "writes" => Workload::Writes,
                        other => panic!("--workloads mixed,writes (not `{other}`)"),
                    })
                    .collect()
            }
            "--postgres" => options.postgres = Some(value("--postgres")),
            "--sqlite-only" => options.postgres = None,
            // cargo bench passes `--bench`; ignore it and anything else libtest would take.
            _ => {}
        }
    }
    options
}

/// Words the generated records are made of and searches ask for: English, Hindi and the way
/// people type Hindi in Latin letters.
const TRADES: [(&str, &str, &str); 8] = [
    ("tailoring", "silai", "सिलाई"),
    ("dairy", "dudh", "दूध"),
    ("goatery", "bakri palan", "बकरी पालन"),
    ("handloom", "bunai", "बुनाई"),
    ("kirana shop", "dukan", "दुकान"),
    ("papad making", "papad", "पापड़"),
    ("beauty parlour", "sundarta", "ब्यूटी पार्लर"),
    ("mobile repair", "mobile marammat", "मोबाइल मरम्मत"),
];
const SECTORS: [&str; 4] = ["tailoring", "dairy", "handloom", "retail"];
const DISTRICT: &str = "up-mirzapur";
const NAMES: [&str; 8] = [
    "Sunita", "Rekha", "Anita", "Meena", "Pushpa", "Kiran", "Radha", "Savitri",
];

/// The records the workload reads and patches.
struct Registry {
    token: String,
    providers: Vec<String>,
    offerings: Vec<String>,
    entrepreneurs: Vec<String>,
    needs: Vec<String>,
}

fn provider_body(rng: &mut StdRng, serial: usize) -> Value {
    let kind = ["bank", "ngo", "rseti", "mfi"][serial % 4];
    let (trade, romanized, hindi) = TRADES[rng.random_range(0..TRADES.len())];
    json!({
        "kind": kind, "name": format!("{romanized} sahayata kendra {}", surname(serial)), "district": DISTRICT,
        "description": format!("Supports women in {trade} ({hindi}) across the district."),
        "contact": {"person": "Coordinator", "phone": null, "email": null}
    })
}

fn offering_body(rng: &mut StdRng, serial: usize) -> Value {
    let (trade, romanized, hindi) = TRADES[rng.random_range(0..TRADES.len())];
    let training = serial.is_multiple_of(2);
    json!({
        "kind": if training { "training" } else { "finance" },
        "title": format!("{trade} {} {serial}", if training { "training" } else { "loan" }),
        "description": format!("{hindi} {romanized}: help for {trade} units, batch {serial}."),
        "sectors": [SECTORS[serial % SECTORS.len()]],
        "terms": if training { json!({"seats": 30, "duration_days": 10}) } else { json!({"tenure_months": 24}) },
        "valid_until": "2027-12-31"
    })
}

/// A surname of letters only, one per serial: the duplicate check reads names as people say
/// them (digits do not tell two people apart), and a true duplicate would be a right 409.
fn surname(serial: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ba", "ko", "di", "mu", "re", "sa", "ti", "vo", "ga", "le", "pu", "ni", "ho", "ja", "we",
        "zy",
    ];
    let mut n = serial;
    let mut word = String::from("K");
    loop {
        word.push_str(SYLLABLES[n % 16]);
        n /= 16;
        if n == 0 {
            return word;
        }
    }
}

fn entrepreneur_body(rng: &mut StdRng, serial: usize) -> Value {
    let name = format!(
        "{} {}",
        NAMES[rng.random_range(0..NAMES.len())],
        surname(serial)
    );
    let (trade, romanized, hindi) = TRADES[rng.random_range(0..TRADES.len())];
    json!({
        "kind": "micro_entrepreneur", "name": name, "district": DISTRICT,
        "description": format!("Runs {trade} from home ({hindi}, {romanized})."),
        "contact": {"person": name, "phone": null, "email": null},
        "profile": {"gender": "female", "age": 20 + (serial % 40) as i64, "shg_member": serial.is_multiple_of(3),
                    "sector": SECTORS[serial % SECTORS.len()], "stage": "early"}
    })
}

fn need_body(rng: &mut StdRng, serial: usize) -> Value {
    let (trade, romanized, _) = TRADES[rng.random_range(0..TRADES.len())];
    json!({"kind": "finance", "title": format!("Loan for {trade} ({romanized}) {serial}"),
           "description": "Working capital and a machine.", "sector": SECTORS[serial % SECTORS.len()],
           "amount_inr": 10_000 + 1_000 * (serial % 40) as i64})
}

/// Writes the generated registry through the API (the same path users take), from one seed.
async fn load_registry(server: &TestServer, options: &Options) -> Registry {
    let token = server.token("facilitator").await;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let bar = ProgressBar::new(options.providers as u64 * 2);
    bar.set_style(
        ProgressStyle::with_template("  loading  {bar:30} {pos}/{len} stakeholders")
            .expect("style"),
    );
    let mut registry = Registry {
        token: token.clone(),
        providers: Vec::new(),
        offerings: Vec::new(),
        entrepreneurs: Vec::new(),
        needs: Vec::new(),
    };
    for serial in 0..options.providers {
        let provider = add(
            server,
            &token,
            "/api/v1/stakeholders",
            &provider_body(&mut rng, serial),
        )
        .await;
        for offering in 0..2 {
            let path = format!("/api/v1/stakeholders/{provider}/offerings");
            let body = offering_body(&mut rng, serial * 2 + offering);
            registry
                .offerings
                .push(add(server, &token, &path, &body).await);
        }
        registry.providers.push(provider);
        bar.inc(1);
        let entrepreneur = add(
            server,
            &token,
            "/api/v1/stakeholders",
            &entrepreneur_body(&mut rng, serial),
        )
        .await;
        let path = format!("/api/v1/stakeholders/{entrepreneur}/needs");
        registry
            .needs
            .push(add(server, &token, &path, &need_body(&mut rng, serial)).await);
        registry.entrepreneurs.push(entrepreneur);
        bar.inc(1);
    }
    bar.finish_and_clear();
    // Measure against an index that holds everything: wait until search sees every offering.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = server
            .get("/api/v1/search?q=batch&type=offering&limit=1", Some(&token))
            .await;
        if status == StatusCode::OK
            && body["total"].as_u64() >= Some(registry.offerings.len() as u64)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the index did not catch up: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    registry
}

#[derive(Clone, Copy, PartialEq)]
enum Workload {
    Healthz,
    Mixed,
    Writes,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Healthz => "/healthz",
            Workload::Mixed => "mixed 80/15/5",
            Workload::Writes => "writes only",
        }
    }
}

#[derive(Default)]
struct Outcome {
    latencies_us: Vec<u64>,
    ok: u64,
    client_errors: u64,
    server_errors: u64,
    transport_errors: u64,
    samples: Vec<String>,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.latencies_us.extend(other.latencies_us);
        self.ok += other.ok;
        self.client_errors += other.client_errors;
        self.server_errors += other.server_errors;
        self.transport_errors += other.transport_errors;
        for sample in other.samples {
            if self.samples.len() < 5 {
                self.samples.push(sample);
            }
        }
    }

    fn requests(&self) -> u64 {
        self.ok + self.client_errors + self.server_errors + self.transport_errors
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let rank = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[rank] as f64 / 1000.0
    }
}

/// One request of the workload, chosen by `rng`: (method, path, body).
fn next_request(
    workload: Workload,
    rng: &mut StdRng,
    registry: &Registry,
    worker: usize,
    workers: usize,
    serial: &mut usize,
) -> (Method, String, Option<Value>) {
    let roll = match workload {
        Workload::Healthz => return (Method::GET, "/healthz".into(), None),
        Workload::Mixed => rng.random_range(0..100),
        Workload::Writes => rng.random_range(95..100),
    };
    match roll {
        0..80 => {
            let (trade, romanized, hindi) = TRADES[rng.random_range(0..TRADES.len())];
            let q = [trade, romanized, hindi][rng.random_range(0..3)];
            let mut path = format!("/api/v1/search?q={}&limit=10", urlencode(q));
            if rng.random_bool(0.3) {
                path.push_str("&type=offering");
            }
            (Method::GET, path, None)
        }
        80..95 => {
            let path = match rng.random_range(0..3) {
                0 => format!("/api/v1/stakeholders/{}", pick(rng, &registry.providers)),
                1 => format!("/api/v1/offerings/{}", pick(rng, &registry.offerings)),
                _ => format!("/api/v1/needs/{}", pick(rng, &registry.needs)),
            };
            (Method::GET, path, None)
        }
        // Creates: a new entrepreneur or a need of one; patches: a need this worker owns, so
        // two workers never edit one record (a version conflict would be a true 409).
        _ => {
            *serial += 1;
            // Past the serials of the loaded registry, and apart for each worker.
            let unique = (worker + 1) * 1_000_000 + *serial;
            match rng.random_range(0..5) {
                // The duplicate check runs on every create; a sound-alike of a generated name
                // is stored flagged rather than refused, as a consultant would choose.
                0 | 1 => (
                    Method::POST,
                    "/api/v1/stakeholders?allow_duplicate=true".into(),
                    Some(entrepreneur_body(rng, unique)),
                ),
                3 | 4 if registry.needs.len() > worker => {
                    let mine: Vec<&String> = registry
                        .needs
                        .iter()
                        .skip(worker)
                        .step_by(workers)
                        .collect();
                    let need = mine[rng.random_range(0..mine.len())];
                    (
                        Method::PATCH,
                        format!("/api/v1/needs/{need}"),
                        Some(json!({"amount_inr": 10_000 + 500 * (unique % 80) as i64})),
                    )
                }
                _ => {
                    let owner = pick(rng, &registry.entrepreneurs);
                    (
                        Method::POST,
                        format!("/api/v1/stakeholders/{owner}/needs"),
                        Some(need_body(rng, unique)),
                    )
                }
            }
        }
    }
}

fn pick<'a>(rng: &mut StdRng, list: &'a [String]) -> &'a str {
    &list[rng.random_range(0..list.len())]
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("q", text)]).expect("encode")[2..].to_string()
}

/// Runs `workload` with `connections` clients (one kept-alive connection each) for `seconds`.
async fn run_phase(
    server: &TestServer,
    registry: &Arc<Registry>,
    workload: Workload,
    connections: usize,
    seconds: u64,
    seed: u64,
    label: &str,
) -> (Outcome, Duration) {
    let done = Arc::new(AtomicU64::new(0));
    let bar = ProgressBar::new(seconds);
    bar.set_style(
        ProgressStyle::with_template("  {msg:48} {bar:20} {pos}/{len} s").expect("style"),
    );
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let outcome = Arc::new(Mutex::new(Outcome::default()));
    let mut workers = Vec::new();
    for worker in 0..connections {
        let client = Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(1)
            .build()
            .expect("client");
        let (registry, done, outcome) = (registry.clone(), done.clone(), outcome.clone());
        let base = server.base.clone();
        workers.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed ^ ((worker as u64 + 1) * 0x9e37_79b9));
            let mut mine = Outcome::default();
            let mut serial = 0;
            while Instant::now() < until {
                let (method, path, body) = next_request(
                    workload,
                    &mut rng,
                    &registry,
                    worker,
                    connections,
                    &mut serial,
                );
                let mut request = client
                    .request(method.clone(), format!("{base}{path}"))
                    .bearer_auth(&registry.token);
                if let Some(body) = &body {
                    request = request.json(body);
                }
                let sent = Instant::now();
                let answer = match request.send().await {
                    Ok(response) => {
                        let status = response.status();
                        response.bytes().await.map(|body| (status, body))
                    }
                    Err(error) => Err(error),
                };
                mine.latencies_us.push(sent.elapsed().as_micros() as u64);
                done.fetch_add(1, Ordering::Relaxed);
                match answer {
                    Ok((status, _)) if status.is_success() => mine.ok += 1,
                    Ok((status, body)) => {
                        if status.is_client_error() {
                            mine.client_errors += 1;
                        } else {
                            mine.server_errors += 1;
                        }
                        if mine.samples.len() < 5 {
                            let text = String::from_utf8_lossy(&body);
                            mine.samples
                                .push(format!("{method} {path}: {status} {text:.300}"));
                        }
                    }
                    Err(error) => {
                        mine.transport_errors += 1;
                        if mine.samples.len() < 5 {
                            mine.samples
                                .push(format!("{method} {path}: transport: {error}"));
                        }
                    }
                }
            }
            outcome.lock().await.merge(mine);
        }));
    }
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(250)).await;
        bar.set_position(started.elapsed().as_secs().min(seconds));
        bar.set_message(format!(
            "{label}: {} requests",
            done.load(Ordering::Relaxed)
        ));
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    let mut outcome = Arc::try_unwrap(outcome)
        .ok()
        .expect("workers finished")
        .into_inner();
    outcome.latencies_us.sort_unstable();
    (outcome, elapsed)
}

struct Row {
    backend: &'static str,
    workload: Workload,
    connections: usize,
    requests: u64,
    per_second: f64,
    p50: f64,
    p99: f64,
    client_errors: u64,
    server_errors: u64,
    transport_errors: u64,
    healthz_per_second: f64,
}

async fn run_backend(backend: &Backend, options: &Options) -> Vec<Row> {
    let name = backend.name();
    println!(
        "{name}: starting sangam serve and loading {} providers, {} offerings, {} entrepreneurs, {} needs",
        options.providers,
        options.providers * 2,
        options.providers,
        options.providers
    );
    let server = TestServer::start(backend).await;
    let registry = Arc::new(load_registry(&server, options).await);
    let mut rows = Vec::new();
    for &workload in &options.workloads {
        for &connections in &options.connections {
            let label = format!("{name} {} ×{connections}", Workload::Healthz.name());
            let (healthz, healthz_time) = run_phase(
                &server,
                &registry,
                Workload::Healthz,
                connections,
                options.seconds,
                options.seed,
                &label,
            )
            .await;
            let label = format!("{name} {} ×{connections}", workload.name());
            let (outcome, elapsed) = run_phase(
                &server,
                &registry,
                workload,
                connections,
                options.seconds,
                options.seed,
                &label,
            )
            .await;
            let row = Row {
                backend: name,
                workload,
                connections,
                requests: outcome.requests(),
                per_second: outcome.requests() as f64 / elapsed.as_secs_f64(),
                p50: outcome.percentile_ms(0.50),
                p99: outcome.percentile_ms(0.99),
                client_errors: outcome.client_errors,
                server_errors: outcome.server_errors,
                transport_errors: outcome.transport_errors,
                healthz_per_second: healthz.requests() as f64 / healthz_time.as_secs_f64(),
            };
            println!(
                "  {name} {:14} ×{connections:<3} {:>8.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  errors 4xx {} 5xx {} transport {}  (/healthz {:.0} req/s, errors {})",
                workload.name(),
                row.per_second,
                row.p50,
                row.p99,
                row.client_errors,
                row.server_errors,
                row.transport_errors,
                row.healthz_per_second,
                healthz.requests() - healthz.ok,
            );
            for sample in outcome.samples.iter().chain(&healthz.samples) {
                println!("    failure: {sample}");
            }
            rows.push(row);
        }
    }
    rows
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    format!("{cores} cores, {cpu}; load average at the end {load}")
}

fn commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[tokio::main]
async fn main() {
    let options = options();
    let mut backends = vec![Backend::Sqlite];
    match &options.postgres {
        Some(url) => backends.push(Backend::Postgres(url.clone())),
        None => println!("PostgreSQL skipped: give --postgres URL or set SANGAM_TEST_POSTGRES_URL"),
    }
    let mut rows = Vec::new();
    for backend in &backends {
        rows.extend(run_backend(backend, &options).await);
    }
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    println!();
    println!(
        "Measured {date}, commit {}, {}; {} s per phase.",
        commit(),
        machine(),
        options.seconds
    );
    println!();
    println!(
        "| backend | workload | conns | requests | req/s | p50 ms | p99 ms | 4xx | 5xx | transport | /healthz req/s | ratio |"
    );
    println!("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for row in &rows {
        println!(
            "| {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {} | {} | {} | {:.0} | {:.3} |",
            row.backend,
            row.workload.name(),
            row.connections,
            row.requests,
            row.per_second,
            row.p50,
            row.p99,
            row.client_errors,
            row.server_errors,
            row.transport_errors,
            row.healthz_per_second,
            row.per_second / row.healthz_per_second.max(1.0),
        );
    }
    let errors: u64 = rows
        .iter()
        .map(|r| r.client_errors + r.server_errors + r.transport_errors)
        .sum();
    let sqlite_writes = rows
        .iter()
        .filter(|r| r.backend == "sqlite" && r.workload == Workload::Writes)
        .map(|r| r.per_second)
        .fold(0.0, f64::max);
    println!();
    println!(
        "Targets: 0 errors at every concurrency: {} ({errors} errors); durable writes ≥ 1,000 req/s on SQLite: {} (best {sqlite_writes:.0} req/s)",
        if errors == 0 { "met" } else { "MISSED" },
        if sqlite_writes >= 1000.0 {
            "met"
        } else {
            "MISSED"
        },
    );
}

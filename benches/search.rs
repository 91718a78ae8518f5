//! Search benchmark: Sangam's search against SQLite FTS5 and PostgreSQL full-text search on the
//! same synthetic registry and the same query mix. Not a test; a measurement.
//!
//! ```sh
//! cargo bench --bench search -- --docs 1000000            # all three engines
//! cargo bench --bench search -- --docs 20000 --http       # also HTTP load and write-to-search delay
//! ```
//!
//! Flags: `--docs N` offerings (plus a tenth as many needs and a tenth as many stakeholders;
//! default 100000), `--queries N` (default 2000), `--seed N` (default 42), `--skip-postgres`,
//! `--out DIR` (default target/bench-search; results.md and results.json go there), `--http`,
//! `--http-secs N` (15), `--http-connections N` (16), `--writes N` (100), `--max-query-secs N`
//! (per engine, default 60: a slow peer runs the first queries of the mix until then),
//! `--keep` (keep the work directory), `--work DIR`, `--engines sangam,sqlite,postgres` (which
//! to run), `--reuse-registry` (with `--work DIR --keep`: skip writing Sangam's registry again).
//!
//! Each engine is built and queried in a child process of its own (this same binary with
//! `--phase`), so each one's peak memory (VmHWM) is its own and none warms another's caches.
//! PostgreSQL is reached through `SANGAM_BENCH_POSTGRES_URL`, else `SANGAM_TEST_POSTGRES_URL`,
//! else postgres://sangam:sangam@127.0.0.1:5432/sangam_test; if it cannot be reached it is
//! skipped with the reason.

#[path = "search/corpus.rs"]
mod corpus;
#[path = "search/http.rs"]
mod http;
#[path = "search/measure.rs"]
mod measure;
#[path = "search/peers.rs"]
mod peers;
#[path = "search/sangam.rs"]
mod sangam_engine;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use corpus::{Corpus, Geography};
pub use measure::{EngineResult, Measure, Options, bar, dir_size, peak_rss_kb, spinner, status_kb};

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (as on a machine shared by several
/// checkouts), else `target/` in the checkout.
pub fn target_dir(repo: &std::path::Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("target"))
}

fn parse_options() -> Result<Options, String> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut options = Options {
        docs: 100_000,
        queries: 2_000,
        seed: 42,
        skip_postgres: false,
        out: target_dir(&repo).join("bench-search"),
        work: PathBuf::new(),
        keep: false,
        http: false,
        http_secs: 15,
        http_connections: 16,
        writes: 100,
        max_query_secs: 60,
        merge_wait_secs: 180,
        phase: None,
        reuse_registry: false,
        engines: vec!["sangam".into(), "sqlite".into(), "postgres".into()],
        repo,
        passthrough: Vec::new(),
    };
    let mut work = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let number = |text: String, name: &str| {
            text.replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("{name}: `{text}` is not a number"))
        };
        match arg.as_str() {
            // `cargo bench` adds this to every bench target's arguments.
            "--bench" => {}
            "--docs" => options.docs = number(value("--docs")?, "--docs")? as usize,
            "--queries" => options.queries = number(value("--queries")?, "--queries")? as usize,
            "--seed" => options.seed = number(value("--seed")?, "--seed")?,
            "--skip-postgres" => options.skip_postgres = true,
            "--out" => options.out = PathBuf::from(value("--out")?),
            "--work" => work = Some(PathBuf::from(value("--work")?)),
            "--keep" => options.keep = true,
            "--reuse-registry" => options.reuse_registry = true,
            "--engines" => {
                options.engines = value("--engines")?
                    .split(',')
                    .map(|e| e.trim().to_string())
                    .collect()
            }
            "--http" => options.http = true,
            "--http-secs" => options.http_secs = number(value("--http-secs")?, "--http-secs")?,
            "--http-connections" => {
                options.http_connections =
                    number(value("--http-connections")?, "--http-connections")? as usize
            }
            "--writes" => options.writes = number(value("--writes")?, "--writes")? as usize,
            "--max-query-secs" => {
                options.max_query_secs = number(value("--max-query-secs")?, "--max-query-secs")?
            }
            "--merge-wait-secs" => {
                options.merge_wait_secs = number(value("--merge-wait-secs")?, "--merge-wait-secs")?
            }
            "--phase" => options.phase = Some(value("--phase")?),
            "-h" | "--help" => {
                println!("{}", HELP);
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument `{other}`\n{HELP}")),
        }
    }
    if options.docs == 0 || options.queries == 0 {
        return Err("--docs and --queries must be at least 1".into());
    }
    options.work = work.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("sangam-bench-{}", std::process::id()))
    });
    options.passthrough = vec![
        "--docs".into(),
        options.docs.to_string(),
        "--queries".into(),
        options.queries.to_string(),
        "--seed".into(),
        options.seed.to_string(),
        "--work".into(),
        options.work.display().to_string(),
        "--max-query-secs".into(),
        options.max_query_secs.to_string(),
        "--merge-wait-secs".into(),
        options.merge_wait_secs.to_string(),
    ];
    Ok(options)
}

const HELP: &str = "usage: cargo bench --bench search -- [--docs N] [--queries N] [--seed N] [--skip-postgres] [--out DIR]
       [--http] [--http-secs N] [--http-connections N] [--writes N] [--max-query-secs N] [--keep]";

// ---------------------------------------------------------------------------------------------
// Phases (each in its own process) and the parent that runs them.

const RESULT_PREFIX: &str = "@@result ";

fn load_corpus(options: &Options) -> anyhow::Result<Corpus> {
    let geo = Geography::load(&options.repo).map_err(anyhow::Error::msg)?;
    Ok(Corpus::new(geo, options.seed, options.docs))
}

fn query_sets(options: &Options) -> anyhow::Result<(Vec<corpus::Query>, Vec<corpus::Query>)> {
    let geo = Geography::load(&options.repo).map_err(anyhow::Error::msg)?;
    let queries = corpus::queries(&geo, options.seed, options.queries);
    let warmup = corpus::queries(&geo, options.seed ^ 0x5741_524d, 50);
    Ok((queries, warmup))
}

async fn run_phase(options: &Options, phase: &str) -> anyhow::Result<serde_json::Value> {
    match phase {
        "load-sangam" => {
            let corpus = load_corpus(options)?;
            let secs = sangam_engine::load(options, &corpus).await?;
            Ok(serde_json::json!({ "load_secs": secs, "peak_rss_kb": peak_rss_kb() }))
        }
        "sangam" => {
            let (queries, warmup) = query_sets(options)?;
            Ok(serde_json::to_value(
                sangam_engine::run(options, &queries, &warmup).await?,
            )?)
        }
        "sqlite" => {
            let corpus = load_corpus(options)?;
            let (queries, warmup) = query_sets(options)?;
            Ok(serde_json::to_value(
                peers::sqlite(options, &corpus, &queries, &warmup).await?,
            )?)
        }
        "postgres" => {
            let corpus = load_corpus(options)?;
            let (queries, warmup) = query_sets(options)?;
            Ok(serde_json::to_value(
                peers::postgres(options, &corpus, &queries, &warmup).await?,
            )?)
        }
        other => anyhow::bail!("unknown phase `{other}`"),
    }
}

/// Runs this binary again for one phase; its progress bars go to our stderr, its lines to our
/// stdout, and its last `@@result` line is its answer.
fn child(options: &Options, phase: &str) -> anyhow::Result<serde_json::Value> {
    let exe = std::env::current_exe()?;
    let mut process = Command::new(exe)
        .args(&options.passthrough)
        .args(["--phase", phase])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = process.stdout.take().expect("piped");
    let mut answer = None;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        match line.strip_prefix(RESULT_PREFIX) {
            Some(json) => answer = Some(serde_json::from_str(json)?),
            None => println!("{line}"),
        }
    }
    let status = process.wait()?;
    match answer {
        Some(answer) if status.success() => Ok(answer),
        Some(serde_json::Value::String(error)) => anyhow::bail!("{error}"),
        _ => anyhow::bail!("phase {phase} failed ({status})"),
    }
}

fn main() {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Some(phase) = options.phase.clone() {
        let outcome = runtime.block_on(run_phase(&options, &phase));
        let (line, code) = match outcome {
            Ok(value) => (value, 0),
            Err(error) => (serde_json::Value::String(format!("{error:#}")), 1),
        };
        println!("{RESULT_PREFIX}{line}");
        std::process::exit(code);
    }
    if let Err(error) = runtime.block_on(parent(options)) {
        eprintln!("benchmark failed: {error:#}");
        std::process::exit(1);
    }
}

async fn parent(options: Options) -> anyhow::Result<()> {
    std::fs::create_dir_all(&options.out)?;
    std::fs::create_dir_all(&options.work)?;
    let started = Instant::now();
    let geo = Geography::load(&options.repo).map_err(anyhow::Error::msg)?;
    println!(
        "search benchmark: {} offerings (+{} needs, +{} stakeholders) across {} districts and {} sectors; {} queries; seed {}; work dir {}",
        options.docs,
        options.docs / 10,
        (options.docs / 10).max(60),
        geo.districts.len(),
        geo.sectors.len(),
        options.queries,
        options.seed,
        options.work.display()
    );
    print_sample(&options, geo);

    let registry = sangam_engine::data_dir(&options.work).join("sangam.db");
    let load_secs = if options.reuse_registry && registry.exists() {
        println!("sangam: reusing the registry in {}", registry.display());
        f64::NAN
    } else {
        let load = child(&options, "load-sangam")?;
        let secs = load["load_secs"].as_f64().unwrap_or(0.0);
        println!("sangam: registry written in {secs:.1} s (not part of the index build)");
        secs
    };

    let mut results: Vec<EngineResult> = Vec::new();
    for (phase, name) in [
        ("sangam", "sangam"),
        ("sqlite", "sqlite-fts5"),
        ("postgres", "postgres-fts"),
    ] {
        if !options.engines.iter().any(|e| e == phase) {
            continue;
        }
        if phase == "postgres" && options.skip_postgres {
            println!("postgres: skipped (--skip-postgres)");
            results.push(skipped(name, "--skip-postgres"));
            continue;
        }
        match child(&options, phase) {
            // Sangam's phase measures the mix twice: as served, and counting every match.
            Ok(serde_json::Value::Array(values)) => {
                for value in values {
                    results.push(serde_json::from_value(value)?);
                }
            }
            Ok(value) => results.push(serde_json::from_value(value)?),
            Err(error) if phase == "postgres" => {
                println!("postgres: skipped: {error:#}");
                results.push(skipped(name, &format!("{error:#}")));
            }
            Err(error) => return Err(error),
        }
    }

    let http = if options.http {
        match http::run(&options).await {
            Ok(report) => Some(report),
            Err(error) => {
                println!("http: not measured: {error:#}");
                Some(http::HttpReport::failed(format!("{error:#}")))
            }
        }
    } else {
        None
    };

    let markdown = report(
        &options,
        &results,
        http.as_ref(),
        load_secs,
        started.elapsed(),
    );
    println!("\n{markdown}");
    std::fs::write(options.out.join("results.md"), &markdown)?;
    std::fs::write(
        options.out.join("results.json"),
        serde_json::to_string_pretty(&serde_json::json!({
            "docs": options.docs, "queries": options.queries, "seed": options.seed,
            "engines": results, "http": http,
        }))?,
    )?;
    println!("written to {}", options.out.join("results.md").display());
    if !options.keep {
        let _ = std::fs::remove_dir_all(&options.work);
    }
    Ok(())
}

fn skipped(engine: &str, why: &str) -> EngineResult {
    EngineResult {
        engine: engine.to_string(),
        skipped: Some(why.to_string()),
        ..EngineResult::default()
    }
}

fn print_sample(options: &Options, geo: Geography) {
    let corpus = Corpus::new(geo, options.seed, options.docs.min(1000));
    println!("sample records:");
    for n in [0usize, 1, 2, 3] {
        let o = corpus.offering(n);
        println!(
            "  offering [{}] {} — {}",
            o.kind.as_str(),
            o.title,
            o.description
        );
    }
    let need = corpus.need(0);
    println!("  need [{}] {}", need.kind.as_str(), need.title);
    let queries = corpus::queries(&corpus.geo, options.seed, 8);
    let shown: Vec<String> = queries
        .iter()
        .map(|q| match &q.district {
            Some(d) => format!("\"{}\" in {d}", q.text),
            None => format!("\"{}\"", q.text),
        })
        .collect();
    println!("sample queries: {}", shown.join(", "));
    let _ = std::io::stdout().flush();
}

fn megabytes(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / 1e6)
}

fn rss(kb: Option<u64>) -> String {
    kb.map(|kb| format!("{:.0} MB", kb as f64 / 1024.0))
        .unwrap_or_else(|| "?".into())
}

fn report(
    options: &Options,
    results: &[EngineResult],
    http: Option<&http::HttpReport>,
    load_secs: f64,
    elapsed: Duration,
) -> String {
    let mut md = String::new();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let date = time::OffsetDateTime::now_utc().date();
    md.push_str(&format!(
        "### Search benchmark: {} offerings + {} needs + {} stakeholders, {} queries (seed {})\n\n",
        options.docs,
        options.docs / 10,
        (options.docs / 10).max(60),
        options.queries,
        options.seed
    ));
    md.push_str(&format!(
        "Measured {date} on {cores} cores; whole run {:.0} s.\n\n",
        elapsed.as_secs_f64()
    ));
    md.push_str("| engine | build s | index size | peak RSS | p50 ms | p99 ms | QPS |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for r in results {
        if let Some(why) = &r.skipped {
            md.push_str(&format!("| {} | skipped: {why} | | | | | |\n", r.engine));
            continue;
        }
        let memory = match r.server_rss_kb {
            Some(server) => format!(
                "{} (+ server backend {})",
                rss(r.peak_rss_kb),
                rss(Some(server))
            ),
            None => rss(r.peak_rss_kb),
        };
        md.push_str(&format!(
            "| {} | {:.1} | {} | {} | {:.3} | {:.3} | {:.0} |\n",
            r.engine,
            r.build_secs,
            megabytes(r.index_bytes),
            memory,
            r.p50_ms,
            r.p99_ms,
            r.qps
        ));
    }
    md.push('\n');
    let sangam = results
        .iter()
        .find(|r| r.engine == "sangam" && r.skipped.is_none());
    if let Some(s) = sangam {
        for peer in results
            .iter()
            .filter(|r| r.engine != "sangam" && r.skipped.is_none())
        {
            md.push_str(&format!(
                "- p99({}) / p99(sangam) = {:.1}×; p50 ratio {:.1}×\n",
                peer.engine,
                peer.p99_ms / s.p99_ms.max(1e-9),
                peer.p50_ms / s.p50_ms.max(1e-9)
            ));
        }
        // A slow peer runs only the start of the mix within its budget; compare like with like.
        let common = results
            .iter()
            .filter(|r| r.skipped.is_none())
            .map(|r| r.latencies_ms.len())
            .min()
            .unwrap_or(0);
        if common > 0 && common < options.queries {
            let first = &s.latencies_ms[..common];
            let (s50, s99) = (
                measure::quantile(first, 0.5),
                measure::quantile(first, 0.99),
            );
            md.push_str(&format!(
                "- on the first {common} queries, which every engine ran: sangam p50 {s50:.3} ms, p99 {s99:.3} ms"
            ));
            for peer in results
                .iter()
                .filter(|r| r.engine != "sangam" && r.skipped.is_none())
            {
                let theirs = &peer.latencies_ms[..common];
                let (p50, p99) = (
                    measure::quantile(theirs, 0.5),
                    measure::quantile(theirs, 0.99),
                );
                md.push_str(&format!(
                    "; {} p50 {p50:.3} ms, p99 {p99:.3} ms (p99 ratio {:.1}×)",
                    peer.engine,
                    p99 / s99.max(1e-9)
                ));
            }
            md.push_str(".\n");
        }
    }
    md.push_str("\nDetails:\n");
    if load_secs.is_finite() {
        md.push_str(&format!(
            "- Sangam's registry (the database the index is rebuilt from) took {load_secs:.1} s to write; not counted as build.\n"
        ));
    }
    for r in results.iter().filter(|r| r.skipped.is_none()) {
        md.push_str(&format!(
            "- {}: {} of {} queries, p90 {:.3} ms, max {:.1} ms, {:.0} matches per query on average, {} queries matched nothing; peak RSS after build {}",
            r.engine, r.queries_run, r.queries_planned, r.p90_ms, r.max_ms, r.mean_matches, r.zero_match_queries, rss(r.peak_rss_build_kb)
        ));
        for note in &r.notes {
            md.push_str(&format!("; {note}"));
        }
        md.push_str(".\n");
    }
    if let Some(http) = http {
        md.push_str(&http.markdown());
    }
    md
}

//! What every engine's run reports, and the helpers that measure it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone)]
pub struct Options {
    pub docs: usize,
    pub queries: usize,
    pub seed: u64,
    pub skip_postgres: bool,
    pub out: PathBuf,
    pub work: PathBuf,
    pub keep: bool,
    pub http: bool,
    pub http_secs: u64,
    pub http_connections: usize,
    pub writes: usize,
    pub max_query_secs: u64,
    pub merge_wait_secs: u64,
    pub phase: Option<String>,
    pub reuse_registry: bool,
    pub engines: Vec<String>,
    pub repo: PathBuf,
    /// Arguments to hand on to child processes.
    pub passthrough: Vec<String>,
}

/// One engine's figures, as a child process reports them to the parent.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EngineResult {
    pub engine: String,
    pub build_secs: f64,
    pub index_bytes: u64,
    /// Peak resident memory of the engine's process after the build, and at the end.
    pub peak_rss_build_kb: Option<u64>,
    pub peak_rss_kb: Option<u64>,
    /// For PostgreSQL: the server backend's own peak.
    pub server_rss_kb: Option<u64>,
    pub queries_run: usize,
    pub queries_planned: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub qps: f64,
    pub mean_matches: f64,
    pub zero_match_queries: usize,
    pub skipped: Option<String>,
    pub notes: Vec<String>,
    /// Each query's latency in order, for comparing engines on the same queries.
    pub latencies_ms: Vec<f64>,
}

/// Latencies of one engine's query run, stopping at a time budget.
pub struct Measure {
    engine: String,
    planned: usize,
    budget: Duration,
    started: Instant,
    latencies: Vec<Duration>,
    matches: u64,
    zero: usize,
    progress: indicatif::ProgressBar,
}

impl Measure {
    pub fn new(engine: &str, planned: usize, budget_secs: u64) -> Self {
        Measure {
            engine: engine.to_string(),
            planned,
            budget: Duration::from_secs(budget_secs),
            started: Instant::now(),
            latencies: Vec::with_capacity(planned),
            matches: 0,
            zero: 0,
            progress: bar(planned as u64, &format!("{engine}: queries")),
        }
    }

    /// Notes the machine's load as the queries start: other busy processes skew latencies.
    pub fn note_load(&self) -> String {
        format!(
            "1-minute load average when its queries started: {}",
            load_average()
        )
    }

    /// Records one query; false when the time budget is spent.
    pub fn record(&mut self, latency: Duration, matches: usize) -> bool {
        self.latencies.push(latency);
        self.matches += matches as u64;
        if matches == 0 {
            self.zero += 1;
        }
        self.progress.inc(1);
        self.started.elapsed() < self.budget
    }

    pub fn finish(self) -> EngineResult {
        self.progress.finish_and_clear();
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let at = |q: f64| {
            if sorted.is_empty() {
                return 0.0;
            }
            let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
            ms(sorted[rank - 1])
        };
        let busy: Duration = self.latencies.iter().sum();
        let run = self.latencies.len();
        let mut notes = Vec::new();
        if run < self.planned {
            notes.push(format!(
                "ran the first {run} of {} queries within the {} s budget",
                self.planned,
                self.budget.as_secs()
            ));
        }
        EngineResult {
            engine: self.engine,
            queries_run: run,
            queries_planned: self.planned,
            p50_ms: at(0.50),
            p90_ms: at(0.90),
            p99_ms: at(0.99),
            max_ms: sorted.last().copied().map(ms).unwrap_or(0.0),
            qps: if busy.is_zero() {
                0.0
            } else {
                run as f64 / busy.as_secs_f64()
            },
            mean_matches: if run == 0 {
                0.0
            } else {
                self.matches as f64 / run as f64
            },
            zero_match_queries: self.zero,
            latencies_ms: self.latencies.iter().map(|d| ms(*d)).collect(),
            notes,
            ..EngineResult::default()
        }
    }
}

pub fn bar(length: u64, message: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(length);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:40} [{bar:30}] {pos}/{len} {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
}

pub fn spinner(message: &str) -> indicatif::ProgressBar {
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(message.to_string());
    spinner.enable_steady_tick(Duration::from_millis(200));
    spinner
}

pub fn status_kb(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The 1-minute load average, as text.
pub fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace().next().unwrap_or("?").to_string()
}

/// p-quantile (0..=1) of latencies in milliseconds, nearest rank.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// This process's peak resident set (VmHWM), in KiB.
pub fn peak_rss_kb() -> Option<u64> {
    status_kb(
        &std::fs::read_to_string("/proc/self/status").ok()?,
        "VmHWM:",
    )
}

pub fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// A database URL fit for printing: the password replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

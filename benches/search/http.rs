//! `/api/v1/search` over HTTP on loopback, against the real release binary serving the same
//! registry and index the in-process run used: throughput and latency under a load generator
//! (`wrk` when installed, else a loop of our own on reqwest), and the delay from an acknowledged
//! `POST …/offerings` to the offering's first appearance in search.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::corpus::{Corpus, Geography, Query};
use crate::{Options, bar, sangam_engine, spinner, status_kb};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HttpReport {
    pub failed: Option<String>,
    pub tool: String,
    pub connections: usize,
    pub seconds: u64,
    pub requests: u64,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub non_2xx: u64,
    pub server_peak_rss_kb: Option<u64>,
    pub writes: usize,
    pub write_timeouts: usize,
    pub write_p50_ms: f64,
    pub write_p99_ms: f64,
    pub write_max_ms: f64,
}

impl HttpReport {
    pub fn failed(why: String) -> Self {
        HttpReport {
            failed: Some(why),
            ..HttpReport::default()
        }
    }

    pub fn markdown(&self) -> String {
        if let Some(why) = &self.failed {
            return format!("\nHTTP: not measured: {why}\n");
        }
        format!(
            "\n| HTTP `/api/v1/search` (release `sangam serve`, loopback) | figure |\n|---|---:|\n\
             | load generator | {} , {} connections, {} s |\n\
             | requests/s | {:.0} |\n| p50 ms | {:.2} |\n| p99 ms | {:.2} |\n| non-2xx | {} |\n\
             | server peak RSS | {} |\n\
             | write → searchable p50 ms ({} writes, polling every 10 ms) | {:.0} |\n\
             | write → searchable p99 ms | {:.0} |\n| write → searchable max ms | {:.0} |\n| writes never seen within 10 s | {} |\n",
            self.tool,
            self.connections,
            self.seconds,
            self.requests_per_sec,
            self.p50_ms,
            self.p99_ms,
            self.non_2xx,
            self.server_peak_rss_kb
                .map(|kb| format!("{:.0} MB", kb as f64 / 1024.0))
                .unwrap_or_else(|| "?".into()),
            self.writes,
            self.write_p50_ms,
            self.write_p99_ms,
            self.write_max_ms,
            self.write_timeouts
        )
    }
}

/// The running server; stopped (SIGTERM, then wait) when dropped.
struct Server {
    process: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let pid = self.process.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.process.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn binary(options: &Options) -> anyhow::Result<PathBuf> {
    let path = crate::target_dir(&options.repo).join("release/sangam");
    anyhow::ensure!(
        path.exists(),
        "{} is missing: run `cargo build --release` first",
        path.display()
    );
    Ok(path)
}

fn create_token(binary: &Path, data: &Path) -> anyhow::Result<String> {
    let output = Command::new(binary)
        .args([
            "token",
            "create",
            "--role",
            "consultant",
            "--name",
            "search-bench",
            "--data-dir",
        ])
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "sangam token create failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .last()
        .map(|l| l.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| anyhow::anyhow!("sangam token create printed no token"))
}

fn start_server(binary: &Path, data: &Path, log: &Path) -> anyhow::Result<Server> {
    let mut process = Command::new(binary)
        .args(["serve", "--bind", "127.0.0.1:0", "--demo", "--data-dir"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log)?)
        .spawn()?;
    let stdout = process.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    let mut address = None;
    for line in lines.by_ref() {
        let line = line?;
        if let Some(rest) = line.strip_prefix("listening on http://") {
            address = Some(rest.trim().to_string());
            break;
        }
    }
    // Keep draining so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    match address {
        Some(address) => Ok(Server { process, address }),
        None => {
            let _ = process.kill();
            let _ = process.wait();
            anyhow::bail!("the server exited before listening; see {}", log.display())
        }
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

fn search_path(q: &Query) -> String {
    let mut path = format!("/api/v1/search?q={}&limit=20", percent_encode(&q.text));
    if let Some(d) = &q.district {
        path.push_str(&format!("&district={}", percent_encode(d)));
    }
    path
}

pub async fn run(options: &Options) -> anyhow::Result<HttpReport> {
    let binary = binary(options)?;
    let data = sangam_engine::data_dir(&options.work);
    anyhow::ensure!(data.exists(), "no registry at {}", data.display());
    let token = create_token(&binary, &data)?;
    let opening = spinner("http: starting sangam serve (opens the index built above)");
    let server = start_server(&binary, &data, &options.work.join("serve.log"))?;
    opening.finish_and_clear();
    let base = format!("http://{}", server.address);
    println!("http: sangam serve listening on {base}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;

    let probe = client
        .get(format!("{base}/api/v1/search?q=loan"))
        .send()
        .await?;
    anyhow::ensure!(
        probe.status().is_success(),
        "GET /api/v1/search answered {}: the search route is missing or failing",
        probe.status()
    );

    let geo = Geography::load(&options.repo).map_err(anyhow::Error::msg)?;
    let queries = crate::corpus::queries(&geo, options.seed, options.queries);
    let paths: Vec<String> = queries.iter().map(search_path).collect();

    let mut report = if which("wrk") {
        wrk(options, &base, &paths)?
    } else {
        own_load(options, &client, &base, &paths).await?
    };
    report.server_peak_rss_kb =
        std::fs::read_to_string(format!("/proc/{}/status", server.process.id()))
            .ok()
            .and_then(|s| status_kb(&s, "VmHWM:"));

    // Write → searchable.
    let corpus = Corpus::new(geo, options.seed, options.docs);
    let owner = corpus
        .stakeholders
        .iter()
        .find(|s| s.kind == "rseti")
        .unwrap_or(&corpus.stakeholders[0]);
    let district = corpus.geo.districts[owner.district].code.clone();
    let progress = bar(options.writes as u64, "http: write → searchable");
    let mut delays = Vec::new();
    let mut timeouts = 0;
    for n in 0..options.writes {
        let marker = format!("benchprobe{}{}", options.seed, letters(n));
        let body = serde_json::json!({
            "kind": "training",
            "title": format!("Silai prashikshan {marker}"),
            "description": "सिलाई प्रशिक्षण, 30 दिन",
            "sectors": ["tailoring"],
            "districts": [district],
        });
        let response = client
            .post(format!("{base}/api/v1/stakeholders/{}/offerings", owner.id))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await?;
        let acknowledged = Instant::now();
        let status = response.status();
        let created: serde_json::Value = response.json().await.unwrap_or_default();
        anyhow::ensure!(
            status.is_success(),
            "POST offering answered {status}: {created}"
        );
        let id = created["id"].as_str().unwrap_or_default().to_string();
        anyhow::ensure!(!id.is_empty(), "POST offering returned no id: {created}");
        // Earlier probes are within fuzzy distance of this one's marker: look for this id.
        let url = format!("{base}/api/v1/search?q={marker}&limit=100");
        let seen = loop {
            let found: serde_json::Value = client.get(&url).send().await?.json().await?;
            let hits = found["hits"].as_array().cloned().unwrap_or_default();
            if hits
                .iter()
                .any(|hit| hit["id"].as_str() == Some(id.as_str()))
            {
                break Some(acknowledged.elapsed());
            }
            if acknowledged.elapsed() > Duration::from_secs(10) {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        match seen {
            Some(delay) => delays.push(delay),
            None => timeouts += 1,
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    delays.sort();
    let at = |q: f64| {
        if delays.is_empty() {
            return f64::NAN;
        }
        let rank = ((q * delays.len() as f64).ceil() as usize).clamp(1, delays.len());
        delays[rank - 1].as_secs_f64() * 1e3
    };
    report.writes = options.writes;
    report.write_timeouts = timeouts;
    report.write_p50_ms = at(0.5);
    report.write_p99_ms = at(0.99);
    report.write_max_ms = at(1.0);
    drop(server);
    Ok(report)
}

fn letters(mut n: usize) -> String {
    let mut out = String::new();
    loop {
        out.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            return out;
        }
    }
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

fn wrk(options: &Options, base: &str, paths: &[String]) -> anyhow::Result<HttpReport> {
    let script = options.work.join("search.lua");
    let mut file = std::fs::File::create(&script)?;
    writeln!(file, "local paths = {{")?;
    for path in paths {
        writeln!(file, "  \"{path}\",")?;
    }
    writeln!(file, "}}")?;
    writeln!(
        file,
        "local i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend"
    )?;
    drop(file);
    let running = spinner(&format!(
        "http: wrk, {} connections, {} s",
        options.http_connections, options.http_secs
    ));
    let output = Command::new("wrk")
        .args([
            "-t2",
            "-c",
            &options.http_connections.to_string(),
            "-d",
            &format!("{}s", options.http_secs),
            "--latency",
            "-s",
        ])
        .arg(&script)
        .arg(base)
        .output()?;
    running.finish_and_clear();
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    anyhow::ensure!(output.status.success(), "wrk failed: {text}");
    std::fs::write(options.out.join("wrk.txt"), &text)?;
    let mut report = HttpReport {
        tool: "wrk 2 threads".into(),
        connections: options.http_connections,
        seconds: options.http_secs,
        ..HttpReport::default()
    };
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["50%", value] => report.p50_ms = wrk_ms(value),
            ["99%", value] => report.p99_ms = wrk_ms(value),
            ["Requests/sec:", value] => report.requests_per_sec = value.parse().unwrap_or(0.0),
            ["Non-2xx", "or", "3xx", "responses:", value] => {
                report.non_2xx = value.parse().unwrap_or(0)
            }
            [count, "requests", "in", ..] => report.requests = count.parse().unwrap_or(0),
            _ => {}
        }
    }
    Ok(report)
}

/// wrk's durations: `812.00us`, `1.23ms`, `1.02s`.
fn wrk_ms(text: &str) -> f64 {
    let number = |suffix: &str| {
        text.strip_suffix(suffix)
            .and_then(|n| n.parse::<f64>().ok())
    };
    if let Some(us) = number("us") {
        us / 1e3
    } else if let Some(ms) = number("ms") {
        ms
    } else if let Some(s) = number("s") {
        s * 1e3
    } else if let Some(m) = number("m") {
        m * 60e3
    } else {
        f64::NAN
    }
}

/// A load loop of our own: `connections` tasks, each sending its next request as soon as the
/// last one answered, for the configured time.
async fn own_load(
    options: &Options,
    client: &reqwest::Client,
    base: &str,
    paths: &[String],
) -> anyhow::Result<HttpReport> {
    let deadline = Instant::now() + Duration::from_secs(options.http_secs);
    let running = spinner("http: load loop (wrk not installed)");
    let mut tasks = Vec::new();
    for c in 0..options.http_connections {
        let client = client.clone();
        let urls: Vec<String> = paths.iter().map(|p| format!("{base}{p}")).collect();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut bad = 0u64;
            let mut i = c;
            while Instant::now() < deadline {
                let started = Instant::now();
                match client.get(&urls[i % urls.len()]).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                    }
                    _ => bad += 1,
                }
                latencies.push(started.elapsed());
                i += 1;
            }
            (latencies, bad)
        }));
    }
    let mut all = Vec::new();
    let mut bad = 0;
    for task in tasks {
        let (latencies, failures) = task.await?;
        all.extend(latencies);
        bad += failures;
    }
    running.finish_and_clear();
    all.sort();
    let at = |q: f64| {
        let rank = ((q * all.len() as f64).ceil() as usize).clamp(1, all.len().max(1));
        all.get(rank - 1)
            .map(|d| d.as_secs_f64() * 1e3)
            .unwrap_or(f64::NAN)
    };
    Ok(HttpReport {
        tool: "reqwest loop".into(),
        connections: options.http_connections,
        seconds: options.http_secs,
        requests: all.len() as u64,
        requests_per_sec: all.len() as f64 / options.http_secs as f64,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        non_2xx: bad,
        ..HttpReport::default()
    })
}

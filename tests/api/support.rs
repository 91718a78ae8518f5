//! A real `sangam serve` process on an ephemeral loopback port, with a fresh data directory and
//! (for PostgreSQL) a fresh database, driven over HTTP with reqwest.

use std::process::Stdio;
use std::sync::Once;
use std::time::Duration;

use reqwest::{Client, Method, Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const BINARY: &str = env!("CARGO_BIN_EXE_sangam");

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// The admin URL of a PostgreSQL server; each test makes its own database on it.
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

static SKIP_NOTICE: Once = Once::new();

/// Says that a part of a test is skipped and why; under `SANGAM_REQUIRE_ALL=1` (set by `.ci/run`)
/// a skip is a failure instead, so CI cannot pass by skipping a backend or the browser.
pub fn skip(why: &str) {
    if std::env::var("SANGAM_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("SANGAM_REQUIRE_ALL=1 but {why}");
    }
    eprintln!("NOTE: SKIPPED: {why}");
}

/// SQLite always; PostgreSQL too when `SANGAM_TEST_POSTGRES_URL` is set (CI sets it).
pub fn backends() -> Vec<Backend> {
    let mut list = vec![Backend::Sqlite];
    match std::env::var("SANGAM_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => list.push(Backend::Postgres(url)),
        _ => SKIP_NOTICE.call_once(|| {
            skip("SANGAM_TEST_POSTGRES_URL is not set: the PostgreSQL runs of these tests (.ci/run sets it)")
        }),
    }
    list
}

/// Runs `test` on every backend of [`backends`], one after the other; a failure (a panic) is
/// raised again with the backend's name in front, so a report says which database failed.
pub async fn on_each_backend<F, Fut>(test: F)
where
    F: Fn(Backend) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use futures_util::FutureExt;
    for backend in backends() {
        let name = backend.name();
        if let Err(panic) = std::panic::AssertUnwindSafe(test(backend))
            .catch_unwind()
            .await
        {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic without a message".into());
            panic!("on {name}: {message}");
        }
    }
}

/// A fresh, empty database for one test: a SQLite file in the data directory, or a new
/// PostgreSQL database named `sangam_t_<random>`.
pub async fn fresh_database(backend: &Backend) -> Option<String> {
    match backend {
        Backend::Sqlite => None,
        Backend::Postgres(admin_url) => {
            sqlx::any::install_default_drivers();
            let name = format!("sangam_t_{}", uuid::Uuid::now_v7().simple());
            let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(admin_url)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .expect("create test database");
            let base = admin_url
                .rsplit_once('/')
                .map(|(base, _)| base)
                .unwrap_or(admin_url);
            Some(format!("{base}/{name}"))
        }
    }
}

pub struct TestServer {
    pub base: String,
    pub client: Client,
    pub database_url: Option<String>,
    child: Option<Child>,
    demo: bool,
    /// More arguments for `sangam serve` (time limits, say).
    serve_args: Vec<String>,
    /// Last, so that it is dropped (deleted) after the server process is killed: a server that
    /// lost its directory first filled the test output with index errors.
    pub data_dir: TempDir,
}

impl TestServer {
    pub async fn start(backend: &Backend) -> TestServer {
        Self::start_with(backend, false).await
    }

    pub async fn start_demo(backend: &Backend) -> TestServer {
        Self::start_with(backend, true).await
    }

    /// A server started with more `sangam serve` arguments, e.g. `["--body-timeout", "1"]`.
    pub async fn start_with_args(backend: &Backend, args: &[&str]) -> TestServer {
        Self::start_configured(backend, false, args).await
    }

    async fn start_with(backend: &Backend, demo: bool) -> TestServer {
        Self::start_configured(backend, demo, &[]).await
    }

    /// A server whose data directory holds `notify.json` (notification channels and timings)
    /// before it starts.
    pub async fn start_notifying(backend: &Backend, notify_config: &Value) -> TestServer {
        let data_dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            data_dir.path().join("notify.json"),
            serde_json::to_vec_pretty(notify_config).expect("JSON"),
        )
        .expect("write notify.json");
        let database_url = fresh_database(backend).await;
        Self::start_in(data_dir, database_url, false, &[]).await
    }

    async fn start_configured(backend: &Backend, demo: bool, args: &[&str]) -> TestServer {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database(backend).await;
        Self::start_in(data_dir, database_url, demo, args).await
    }

    /// A SQLite server on a data directory prepared beforehand (one a backup was restored into).
    pub async fn start_on(data_dir: TempDir) -> TestServer {
        Self::start_in(data_dir, None, false, &[]).await
    }

    async fn start_in(
        data_dir: TempDir,
        database_url: Option<String>,
        demo: bool,
        args: &[&str],
    ) -> TestServer {
        let mut server = TestServer {
            base: String::new(),
            // No idle connections: a server that refuses a body (413) closes the connection, and a pooled
            // client would race to reuse it.
            client: Client::builder()
                .timeout(Duration::from_secs(30))
                .pool_max_idle_per_host(0)
                .build()
                .expect("client"),
            database_url,
            data_dir,
            child: None,
            demo,
            serve_args: args.iter().map(|arg| arg.to_string()).collect(),
        };
        server.launch().await;
        server
    }

    /// Another server process on the same database with its own data directory (and so its
    /// own search index), as in a deployment of several `sangam serve` on one PostgreSQL.
    pub async fn start_sibling(&self) -> TestServer {
        self.start_sibling_notifying(None).await
    }

    /// A sibling whose data directory holds `notify.json` first, when given.
    pub async fn start_sibling_notifying(&self, notify_config: Option<&Value>) -> TestServer {
        let data_dir = tempfile::tempdir().expect("temp dir");
        if let Some(config) = notify_config {
            std::fs::write(
                data_dir.path().join("notify.json"),
                serde_json::to_vec_pretty(config).expect("JSON"),
            )
            .expect("write notify.json");
        }
        let mut sibling = TestServer {
            base: String::new(),
            client: self.client.clone(),
            database_url: self.database_url.clone(),
            data_dir,
            child: None,
            demo: false,
            serve_args: self.serve_args.clone(),
        };
        sibling.launch().await;
        sibling
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BINARY);
        command
            .args(args)
            .arg("--data-dir")
            .arg(self.data_dir.path());
        command.env_remove("DATABASE_URL");
        if let Some(url) = &self.database_url {
            command.arg("--database-url").arg(url);
        }
        command
    }

    /// Starts the process and waits for it to say where it listens (it binds before saying so).
    async fn launch(&mut self) {
        let mut args = vec!["serve", "--bind", "127.0.0.1:0"];
        if self.demo {
            args.push("--demo");
        }
        args.extend(self.serve_args.iter().map(String::as_str));
        let mut child = self
            .command(&args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn sangam serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let address = tokio::time::timeout(Duration::from_secs(120), async {
            while let Some(line) = lines.next_line().await.expect("read stdout") {
                if let Some(address) = line.strip_prefix("listening on ") {
                    return address.to_string();
                }
            }
            panic!("sangam serve exited before listening");
        })
        .await
        .expect("server did not start within 120 s");
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        self.base = address;
        self.child = Some(child);
    }

    /// Kills the process without warning (SIGKILL) and starts it again on the same data.
    pub async fn kill_and_restart(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("kill");
        }
        self.launch().await;
    }

    /// Sends SIGTERM, as a service manager would, and waits for the process to exit.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let pid = child.id().expect("pid").to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .expect("kill -TERM");
        assert!(sent.success());
        tokio::time::timeout(Duration::from_secs(30), child.wait())
            .await
            .expect("exit within 30 s")
            .expect("wait")
    }

    /// Runs another `sangam` command against this server's data.
    pub async fn cli(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().await.expect("run sangam")
    }

    /// Runs another `sangam` command with `input` on its stdin (a password, say).
    pub async fn cli_with_input(&self, args: &[&str], input: &str) -> std::process::Output {
        use tokio::io::AsyncWriteExt;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run sangam");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(input.as_bytes())
            .await
            .expect("write stdin");
        drop(stdin);
        child.wait_with_output().await.expect("wait for sangam")
    }

    /// Runs `sangam token create` as an operator would and returns the last line it printed.
    pub async fn token(&self, role: &str) -> String {
        self.token_for(role, &[]).await
    }

    /// A token that writes only in `districts` (`--district` for each).
    pub async fn token_for(&self, role: &str, districts: &[&str]) -> String {
        let name = format!("test {role}");
        let mut args = vec!["token", "create", "--role", role, "--name", &name];
        for district in districts {
            args.extend(["--district", district]);
        }
        let output = self
            .command(&args)
            .output()
            .await
            .expect("run token create");
        assert!(
            output.status.success(),
            "token create failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).expect("utf-8");
        stdout
            .lines()
            .last()
            .expect("a token line")
            .trim()
            .to_string()
    }

    /// Consent as a client gives it: to the notice the server shows now, in `language`.
    pub async fn consent(&self, language: &str) -> Value {
        let (status, notice) = self
            .get(&format!("/api/v1/consent-notice?lang={language}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{notice}");
        serde_json::json!({"given": true, "notice_version": notice["version"], "language": language})
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        read(self.send(Method::GET, path, token, None).await).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
        read(self.send(Method::POST, path, token, Some(body)).await).await
    }

    pub async fn patch(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        read(self.send(Method::PATCH, path, token, Some(body)).await).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        read(self.send(Method::DELETE, path, token, None).await).await
    }

    /// Every record a token holder can list, whatever its status.
    pub async fn stakeholder_count(&self, token: &str) -> usize {
        let (status, body) = self
            .get("/api/v1/stakeholders?status=all&limit=500", Some(token))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body.as_array().expect("array").len()
    }
}

/// POSTs `body` with `token`, expects 201 Created and returns the new record's `id`; anything
/// else fails the test with the path and the answer.
pub async fn add(server: &TestServer, token: &str, path: &str, body: &Value) -> String {
    let (status, reply) = server.post(path, Some(token), body).await;
    assert_eq!(status, StatusCode::CREATED, "POST {path}: {reply}");
    reply["id"]
        .as_str()
        .unwrap_or_else(|| panic!("POST {path}: no id in {reply}"))
        .to_string()
}

/// Records of one district made through the API as a facilitator makes them — providers, their
/// offerings, people and their needs, meetings — each call returning the new record's id
/// (through [`add`], so a refusal fails the test with the answer).
pub struct District<'a> {
    pub server: &'a TestServer,
    pub token: &'a str,
    /// The district's code, e.g. `up-bhadohi`.
    pub code: &'a str,
}

impl<'a> District<'a> {
    pub fn new(server: &'a TestServer, token: &'a str, code: &'a str) -> Self {
        District {
            server,
            token,
            code,
        }
    }

    /// A stakeholder from `body`, in this district unless `body` names one.
    pub async fn stakeholder(&self, body: &Value) -> String {
        let mut body = body.clone();
        if body.get("district").is_none() {
            body["district"] = Value::from(self.code);
        }
        add(self.server, self.token, "/api/v1/stakeholders", &body).await
    }

    /// A provider with no more than its kind and name (`rseti`, `bank`, `buyer`, …).
    pub async fn provider(&self, kind: &str, name: &str) -> String {
        self.stakeholder(&serde_json::json!({"kind": kind, "name": name}))
            .await
    }

    pub async fn offering(&self, provider: &str, body: &Value) -> String {
        let path = format!("/api/v1/stakeholders/{provider}/offerings");
        add(self.server, self.token, &path, body).await
    }

    pub async fn need(&self, owner: &str, body: &Value) -> String {
        let path = format!("/api/v1/stakeholders/{owner}/needs");
        add(self.server, self.token, &path, body).await
    }

    /// A tailor ([`entrepreneur`]) of this district with `need`; returns the need's id.
    pub async fn entrepreneur_needing(&self, name: &str, need: &Value) -> String {
        let person = self.stakeholder(&entrepreneur(name, self.code, None)).await;
        self.need(&person, need).await
    }

    /// A meeting of this district on `date` (`2030-03-10`) with these stakeholders invited.
    pub async fn meeting(&self, title: &str, date: &str, invitees: &[&str]) -> String {
        let body = serde_json::json!({"title": title, "district": self.code, "date": date,
                                      "invitees": invitees});
        add(self.server, self.token, "/api/v1/meetings", &body).await
    }
}

/// Status and JSON body; a body that is not JSON fails the test (every answer must be JSON).
pub async fn read(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{status}: body is not JSON: {text}"));
    (status, body)
}

/// Asserts the contract's error shape and returns its `fields`.
pub fn error_fields(body: &Value, code: &str) -> serde_json::Map<String, Value> {
    assert_eq!(body["error"]["code"], code, "unexpected error body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "no message: {body}"
    );
    body["error"]["fields"]
        .as_object()
        .cloned()
        .unwrap_or_default()
}

pub fn entrepreneur(name: &str, district: &str, phone: Option<&str>) -> Value {
    let block = match district {
        "up-mirzapur" => Some("Chhanbey"),
        "up-bhadohi" => Some("Gyanpur"),
        "br-gaya" => Some("Bodh Gaya"),
        _ => None,
    };
    serde_json::json!({
        "kind": "micro_entrepreneur",
        "name": name,
        "name_local": "सुनीता देवी",
        "district": district,
        "description": "Runs a tailoring unit from home; wants two more sewing machines. सिलाई का काम।",
        "contact": {"person": name, "phone": phone, "email": "sunita@example.org"},
        "profile": {"gender": "female", "age": 31, "social_category": "SC", "shg_member": true,
                    "sector": "tailoring", "stage": "early", "block": block}
    })
}

pub fn bank(name: &str, district: &str) -> Value {
    serde_json::json!({
        "kind": "bank", "name": name, "district": district,
        "description": "Public sector bank branch: MUDRA and SHG-bank linkage.",
        "contact": {"person": "Branch Manager", "phone": "+91 94150 00000", "email": null}
    })
}

pub fn mudra_loan() -> Value {
    serde_json::json!({
        "kind": "finance",
        "title": "MUDRA Shishu loan for women tailors",
        "description": "Collateral-free loan up to ₹50,000 for sewing machines and working capital.",
        "sectors": ["tailoring"],
        "eligibility": {"gender": "female", "min_age": 18, "max_age": 60, "min_amount_inr": 10000,
                        "max_amount_inr": 50000, "stages": ["idea", "early"]},
        "terms": {"interest_rate_pct": 9.5, "tenure_months": 36},
        "valid_until": "2027-03-31"
    })
}

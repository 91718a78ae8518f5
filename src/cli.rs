//! The `sangam` command line. Each command parses its flags, calls a use case of [`crate::app`]
//! (import, export, tokens, accounts) or the library (serve, migrate, seed, geo import, reindex,
//! backup, restore, search), and shows progress and what came of it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::app;
use crate::config::{DEFAULT_BIND, DEFAULT_DATA_DIR, Settings, parse_bind};
use crate::domain::access::{Caller, Role};
use crate::domain::record::Status;
use crate::http::{self, AppState};
use crate::interchange::import::Records;
use crate::notify;
use crate::search::analysis::Vocabulary;
use crate::search::error::SearchError;
use crate::search::query::{SearchRequest, SearchResults};
use crate::search::schema::DocType;
use crate::search::{self, SearchIndex};
use crate::seed;
use crate::store::{Store, backup, redact};

#[derive(Parser)]
#[command(
    name = "sangam",
    version,
    about = "Registry and linkage service for district coalition meetings"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct CommonArgs {
    /// Directory for the SQLite database and the search index (created if missing).
    #[arg(long, global = true, default_value = DEFAULT_DATA_DIR, env = "SANGAM_DATA_DIR")]
    pub data_dir: PathBuf,
    /// PostgreSQL (postgres://user:pass@127.0.0.1/db) or SQLite (sqlite://file.db) URL.
    /// Default: SQLite in the data directory.
    #[arg(long, global = true, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Search vocabulary (synonym groups, one per line: `loan | credit | rin | karz`), read at
    /// start. Default: the `index/vocabulary.txt` built into the program.
    #[arg(long, global = true, env = "SANGAM_VOCABULARY")]
    pub vocabulary: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the HTTP API. Geography and sectors are always loaded; --demo adds demo records
    /// (only into an empty registry).
    Serve {
        /// Address to listen on; use port 0 for any free port.
        #[arg(long, default_value = DEFAULT_BIND, value_parser = parse_bind)]
        bind: SocketAddr,
        /// Load the invented demo records for Bhadohi, Mirzapur and Gaya if the registry is empty.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        timeouts: TimeoutArgs,
        /// Notification channels and retry timings (JSON; see docs/notifications.md).
        /// Default: `notify.json` in the data directory if present, else the spool file only.
        #[arg(long, env = "SANGAM_NOTIFY_CONFIG")]
        notify_config: Option<PathBuf>,
        /// A reverse proxy (address or CIDR, repeatable) whose X-Forwarded-For header names the
        /// client for the rate limits; from other addresses the header is ignored.
        #[arg(long = "trusted-proxy", value_name = "CIDR", env = "SANGAM_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_proxy)]
        trusted_proxies: Vec<ipnet::IpNet>,
        #[command(flatten)]
        sessions: SessionArgs,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Load geography and sectors (and with --demo, the demo records), then exit.
    Seed {
        #[arg(long)]
        demo: bool,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// People who sign in to the pages: create one (the first admin), list them.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Geography: import districts and blocks from a CSV file.
    Geo {
        #[command(subcommand)]
        command: GeoCommand,
    },
    /// Import records from a spreadsheet: CSV (UTF-8) or an Excel workbook (.xlsx).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Export records to a spreadsheet (CSV or .xlsx, by the file's extension), every column
    /// included (as for a token holder), with the progress shown.
    Export(ExportArgs),
    /// Rebuild the search index from the database (stop the server using this data directory
    /// first: an index has one writer).
    Reindex,
    /// Copy the embedded SQLite registry to FILE, consistently, while the server runs
    /// (PostgreSQL: use pg_dump).
    Backup {
        /// A new file; an existing one is never overwritten.
        file: PathBuf,
    },
    /// Put a backup made by `sangam backup` in place of the registry and rebuild the search
    /// index (stop the server first).
    Restore {
        file: PathBuf,
        /// Replace a registry that holds records (otherwise refused).
        #[arg(long)]
        force: bool,
    },
    /// Search as `GET /api/v1/search` does and print the hits.
    Search(SearchArgs),
}

/// How long a client may take; a slow one is answered 408 (or, still sending headers, cut off).
#[derive(Args, Clone, Copy)]
pub struct TimeoutArgs {
    /// Seconds a request may take from its headers to its answer.
    #[arg(long, default_value_t = 30.0, env = "SANGAM_REQUEST_TIMEOUT", value_parser = parse_seconds)]
    pub request_timeout: f64,
    /// Seconds a client may take to send a request's body.
    #[arg(long, default_value_t = 10.0, env = "SANGAM_BODY_TIMEOUT", value_parser = parse_seconds)]
    pub body_timeout: f64,
    /// Seconds a client may take to send a request's headers.
    #[arg(long, default_value_t = 10.0, env = "SANGAM_HEADER_TIMEOUT", value_parser = parse_seconds)]
    pub header_timeout: f64,
}

impl TimeoutArgs {
    fn limits(self) -> http::Limits {
        http::Limits {
            request_timeout: Duration::from_secs_f64(self.request_timeout),
            body_timeout: Duration::from_secs_f64(self.body_timeout),
            header_timeout: Duration::from_secs_f64(self.header_timeout),
            ..http::Limits::default()
        }
    }
}

/// A proxy's address (`127.0.0.1`) or network (`10.0.0.0/8`).
fn parse_proxy(text: &str) -> Result<ipnet::IpNet, String> {
    let text = text.trim();
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("`{text}` is not an address or a CIDR network such as 10.0.0.0/8"))
}

/// How browsers' sessions behave.
#[derive(Args, Clone, Copy)]
pub struct SessionArgs {
    /// Send the session cookie without `Secure`, for plain-HTTP localhost (tests, the demo).
    /// Never behind a public address: the cookie would travel in clear.
    #[arg(long, env = "SANGAM_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
    /// Seconds a session may go unused before it ends (default 8 hours, a working day).
    #[arg(long, default_value_t = 28_800.0, env = "SANGAM_SESSION_IDLE", value_parser = parse_seconds)]
    pub session_idle: f64,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a person who signs in with a password (the first admin, say). The password is
    /// asked for on a terminal, or read from the first line of stdin (`--password-stdin`, or
    /// whenever stdin is not a terminal).
    Create {
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Limit what this person may write to records of this district (repeat for several;
        /// without it, every district).
        #[arg(long = "district")]
        districts: Vec<String>,
        /// Read the password from stdin even on a terminal.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List everyone who may sign in.
    List,
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= 86_400.0 => Ok(seconds),
        _ => Err(format!(
            "`{text}` is not a number of seconds between 0 and 86400"
        )),
    }
}

#[derive(Args)]
pub struct SearchArgs {
    /// What to look for, in any script or spelling.
    pub text: String,
    /// offering, need or stakeholder.
    #[arg(long = "type")]
    pub doc_type: Option<String>,
    #[arg(long)]
    pub kind: Option<String>,
    /// A district code, e.g. up-bhadohi.
    #[arg(long)]
    pub district: Option<String>,
    /// A sector code, e.g. tailoring.
    #[arg(long)]
    pub sector: Option<String>,
    /// Include records still awaiting approval.
    #[arg(long)]
    pub include_pending: bool,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Print the API's JSON instead of a list.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create a token; it is printed once, alone on the last line.
    Create {
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Who holds the token (shown as the creator of what it writes).
        #[arg(long)]
        name: String,
        /// Limit what the token may write to records of this district (repeat for several;
        /// without it, every district).
        #[arg(long = "district")]
        districts: Vec<String>,
    },
    /// Revoke every token with this name.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
pub enum GeoCommand {
    /// Import a CSV with columns state,name and optionally code,name_local,lgd_code,state_name,
    /// block,block_local (one row per district, or per block). All rows are checked first; a
    /// bad row changes nothing.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Stakeholders from a CSV (UTF-8) or .xlsx file with the columns of
    /// `GET /api/v1/export/stakeholders.csv` (kind, name and district required). A row whose `id`
    /// names a registered stakeholder changes it; other rows create one. Every row is checked
    /// first; one bad row, or a new row that looks like a registered stakeholder, stores nothing.
    Stakeholders(ImportArgs),
    /// Offerings, with the columns of `GET /api/v1/export/offerings.csv` (provider_id, kind and
    /// title). A new row that looks like an offering of the same provider, kind and title stores
    /// nothing unless --allow-duplicate.
    Offerings(ImportArgs),
    /// Needs, with the columns of `GET /api/v1/export/needs.csv` (kind, title, and stakeholder_id
    /// or stakeholder_phone: the phone of a registered stakeholder).
    Needs(ImportArgs),
}

#[derive(Args)]
pub struct ExportArgs {
    /// stakeholders, offerings or needs.
    #[arg(value_parser = parse_records)]
    pub records: Records,
    /// Where to write: a .csv or .xlsx file.
    #[arg(long)]
    pub out: PathBuf,
    /// Only records of this district (code, e.g. up-mirzapur).
    #[arg(long)]
    pub district: Option<String>,
    /// Only records of this kind.
    #[arg(long)]
    pub kind: Option<String>,
    /// active (the default), pending, archived or all.
    #[arg(long, default_value = "active")]
    pub status: String,
}

fn parse_records(text: &str) -> Result<Records, String> {
    match text {
        "stakeholders" => Ok(Records::Stakeholders),
        "offerings" => Ok(Records::Offerings),
        "needs" => Ok(Records::Needs),
        _ => Err("stakeholders, offerings or needs".into()),
    }
}

#[derive(Args)]
pub struct ImportArgs {
    /// A .csv file (UTF-8) or an Excel workbook (.xlsx, first sheet).
    pub file: PathBuf,
    /// Check the file and say what would be created, changed and refused, storing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Store new rows that look like registered records too.
    #[arg(long)]
    pub allow_duplicate: bool,
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(Role::expected)
}

impl CommonArgs {
    fn settings(&self) -> Settings {
        Settings {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            vocabulary: self.vocabulary.clone(),
        }
    }
}

/// Opens the configured database, creating the data directory and applying migrations.
async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    settings.ensure_data_dir().with_context(|| {
        format!(
            "cannot create data directory {}",
            settings.data_dir.display()
        )
    })?;
    let url = settings.database_url();
    Store::open(&url)
        .await
        .with_context(|| format!("cannot open database {}", redact(&url)))
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.common.settings();
    match cli.command {
        Command::Serve {
            bind,
            demo,
            timeouts,
            notify_config,
            trusted_proxies,
            sessions,
        } => {
            let limits = http::Limits {
                trusted_proxies,
                session_idle: Duration::from_secs_f64(sessions.session_idle),
                secure_cookies: !sessions.insecure_cookies,
                ..timeouts.limits()
            };
            serve(&settings, bind, demo, limits, notify_config).await
        }
        Command::User { command } => {
            let store = open_store(&settings).await?;
            user_command(&store, command).await
        }
        Command::Migrate => {
            open_store(&settings).await?;
            println!(
                "database is up to date: {}",
                redact(&settings.database_url())
            );
            Ok(())
        }
        Command::Seed { demo } => {
            let store = open_store(&settings).await?;
            load_seed(&store, demo).await
        }
        Command::Token { command } => {
            let store = open_store(&settings).await?;
            match command {
                TokenCommand::Create {
                    role,
                    name,
                    districts,
                } => {
                    if !districts.is_empty() {
                        // A fresh database learns its districts from the seed first.
                        load_seed(&store, false).await?;
                    }
                    let token = app::accounts::create_token(
                        &store,
                        &Caller::command_line(),
                        &name,
                        role,
                        &districts,
                    )
                    .await
                    .map_err(flag_error)?;
                    let (name, districts) = (&token.name, &token.districts);
                    let scope = if districts.is_empty() {
                        "every district".to_string()
                    } else {
                        districts.join(", ")
                    };
                    println!(
                        "Created a {role} token for {name}, writing in {scope}. It is shown only this once; keep it safe:"
                    );
                    println!("{}", token.secret);
                }
                TokenCommand::Revoke { name } => {
                    let revoked = store.revoke_tokens(name.trim()).await?;
                    println!("revoked {revoked} token(s) named {name}");
                }
            }
            Ok(())
        }
        Command::Geo {
            command: GeoCommand::Import { file },
        } => {
            let store = open_store(&settings).await?;
            seed::load_reference(&store).await?;
            import_geography(&store, &file).await
        }
        Command::Import { command } => {
            let (records, args) = match command {
                ImportCommand::Stakeholders(args) => (Records::Stakeholders, args),
                ImportCommand::Offerings(args) => (Records::Offerings, args),
                ImportCommand::Needs(args) => (Records::Needs, args),
            };
            let store = open_store(&settings).await?;
            seed::load_reference(&store).await?;
            import_records(&store, records, &args).await
        }
        Command::Export(args) => {
            let store = open_store(&settings).await?;
            seed::load_reference(&store).await?;
            export_records(&store, &args).await
        }
        Command::Reindex => {
            let store = open_store(&settings).await?;
            reindex(&settings, &store).await
        }
        Command::Backup { file } => backup(&settings, &file).await,
        Command::Restore { file, force } => restore(&settings, &file, force).await,
        Command::Search(args) => {
            let store = open_store(&settings).await?;
            search(&settings, &store, args).await
        }
    }
}

async fn load_seed(store: &Store, demo: bool) -> anyhow::Result<()> {
    seed::load_reference(store)
        .await
        .context("loading geography and sectors from seed/")?;
    if demo {
        match seed::load_demo(store)
            .await
            .context("loading demo records")?
        {
            Some(report) => println!(
                "demo data loaded: {} stakeholders, {} offerings, {} needs (marked demo)",
                report.stakeholders, report.offerings, report.needs
            ),
            None => println!("demo data not loaded: the registry already has records"),
        }
    }
    Ok(())
}

async fn import_geography(store: &Store, file: &PathBuf) -> anyhow::Result<()> {
    let reader =
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let known = store.list_states().await?;
    let geography = seed::parse_geography(&file.display().to_string(), reader, &known)?;
    let rows = (geography.states.len() + geography.districts.len() + geography.blocks.len()) as u64;
    let bar = indicatif::ProgressBar::new(rows);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("importing geography");
    let count = store
        .upsert_geography(
            &geography.states,
            &geography.districts,
            &geography.blocks,
            &mut || bar.inc(1),
        )
        .await?;
    bar.finish_and_clear();
    println!(
        "imported {} states, {} districts, {} blocks from {}",
        count.states,
        count.districts,
        count.blocks,
        file.display()
    );
    Ok(())
}

async fn import_records(store: &Store, records: Records, args: &ImportArgs) -> anyhow::Result<()> {
    use crate::app::interchange::{ImportProgress, Imported, import_file};
    use crate::interchange::import::{FileFormat, ImportOptions, MAX_CLI_IMPORT_ROWS, Progress};
    let file = &args.file;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let is_xlsx = file
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("xlsx"))
        || bytes.starts_with(b"PK\x03\x04");
    let options = ImportOptions {
        allow_duplicate: args.allow_duplicate,
        max_rows: MAX_CLI_IMPORT_ROWS,
        format: if is_xlsx {
            FileFormat::Xlsx
        } else {
            FileFormat::Csv
        },
    };
    let bar = rows_bar("checking");
    let imported = import_file(
        store,
        &Caller::command_line(),
        records,
        &bytes,
        options,
        args.dry_run,
        &mut |progress| match progress {
            ImportProgress::Checking(Progress::Rows(rows)) => bar.set_length(rows as u64),
            ImportProgress::Checking(Progress::Checked) | ImportProgress::Stored => bar.inc(1),
            ImportProgress::Storing(rows) => {
                bar.set_message("storing");
                bar.set_length(rows as u64);
                bar.set_position(0);
            }
        },
    )
    .await;
    bar.finish_and_clear();
    let stored = match imported.map_err(|error| refusal(error, file))? {
        Imported::Checked(plan) => {
            print_dry_run(&plan, records, file);
            return Ok(());
        }
        Imported::Stored(stored) => stored,
    };
    println!(
        "created {}, changed {}, left {} unchanged, from {} (search indexes them within seconds if a server runs on this data)",
        records.count(stored.created.len()),
        stored.changed.len(),
        stored.unchanged,
        file.display()
    );
    Ok(())
}

/// What a dry run would do, row by row: each change field by field, each refusal and why.
fn print_dry_run(plan: &crate::interchange::import::ImportPlan, records: Records, file: &Path) {
    let report = plan.report();
    for changed in report.changed {
        println!(
            "row {}: would change {} “{}”:",
            changed.row, changed.id, changed.name
        );
        for (field, change) in &changed.fields {
            let shown = |v: &Option<serde_json::Value>| {
                v.as_ref().map_or("(empty)".to_string(), |v| v.to_string())
            };
            println!(
                "    {field}: {} → {}",
                shown(&change.from),
                shown(&change.to)
            );
        }
    }
    for refused in report.refused {
        for (field, why) in &refused.fields {
            println!("row {}: refused: {field}: {why}", refused.row);
        }
        for duplicate in &refused.duplicates {
            println!(
                "row {}: refused: {} (“{}”)",
                refused.row, duplicate.reason, duplicate.name
            );
        }
    }
    println!(
        "{} would create {}, change {}, leave {} unchanged, refuse {} row(s); nothing was stored (--dry-run)",
        file.display(),
        records.count(report.would_create),
        report.would_change,
        report.unchanged,
        report.would_refuse
    );
}

/// Where an export's rows go (one per export).
#[allow(clippy::large_enum_variant)]
enum ExportSink {
    Csv(csv::Writer<std::io::BufWriter<std::fs::File>>),
    Xlsx(crate::interchange::xlsx::XlsxWriter),
}

async fn export_records(store: &Store, args: &ExportArgs) -> anyhow::Result<()> {
    use crate::app::interchange::{ExportRequest, export};
    use crate::interchange::{table, xlsx};
    use crate::store::registry::StatusFilter;

    let statuses = match args.status.trim() {
        "all" => StatusFilter::only(Status::ALL.to_vec()),
        text => {
            StatusFilter::only(vec![Status::parse(text).ok_or_else(|| {
                anyhow::anyhow!("--status: {} or all", Status::expected())
            })?])
        }
    };
    let request = ExportRequest {
        records: args.records,
        district: args.district.clone(),
        kind: args.kind.clone(),
        statuses,
    };
    let export = export(store, Some(&Caller::command_line()), request).map_err(flag_error)?;
    let columns = export.columns();
    let is_xlsx = args
        .out
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("xlsx"));
    let mut sink = if is_xlsx {
        ExportSink::Xlsx(xlsx::XlsxWriter::new(args.records.noun(), &columns)?)
    } else {
        let file = std::fs::File::create(&args.out)
            .with_context(|| format!("cannot write {}", args.out.display()))?;
        let mut out = std::io::BufWriter::new(file);
        std::io::Write::write_all(&mut out, table::BYTE_ORDER_MARK.as_bytes())?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(&columns)?;
        ExportSink::Csv(writer)
    };
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} exporting {msg}: {pos} rows")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_message(args.records.noun());
    let mut after: Option<String> = None;
    loop {
        let page = export.page(after.as_deref()).await?;
        for row in &page.rows {
            match &mut sink {
                ExportSink::Csv(writer) => {
                    writer.write_record(row.iter().map(|c| table::defuse(c)))?
                }
                ExportSink::Xlsx(writer) => writer.write_row(row)?,
            }
        }
        bar.inc(page.rows.len() as u64);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let written = bar.position();
    match sink {
        ExportSink::Csv(mut writer) => writer.flush()?,
        ExportSink::Xlsx(writer) => {
            let file = std::fs::File::create(&args.out)
                .with_context(|| format!("cannot write {}", args.out.display()))?;
            writer
                .finish_to(std::io::BufWriter::new(file))
                .with_context(|| format!("cannot write {}", args.out.display()))?
        }
    }
    bar.finish_and_clear();
    println!(
        "wrote {} to {}",
        args.records.count(written as usize),
        args.out.display()
    );
    Ok(())
}

/// A use case's refusal of a flag's value, in the flag's name: `--kind: unknown kind …` (the
/// password, typed at a prompt, is named as such).
fn flag_error(error: crate::app::Error) -> anyhow::Error {
    match error {
        crate::app::Error::Invalid(errors) => {
            let reasons: Vec<String> = errors
                .fields()
                .iter()
                .map(|(field, why)| match field.as_str() {
                    "password" => format!("the password {why}"),
                    flag => format!("--{flag}: {why}"),
                })
                .collect();
            anyhow::anyhow!(reasons.join("; "))
        }
        other => other.into(),
    }
}

fn rows_bar(message: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} rows")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(message);
    bar
}

/// Prints why an import stored nothing, row by row, and returns the error to exit with.
fn refusal(error: crate::app::Error, file: &Path) -> anyhow::Error {
    use crate::app::Error;
    let nothing_stored = format!("nothing was stored from {}", file.display());
    match error {
        Error::Invalid(errors) => {
            eprintln!(
                "{} problem(s) in {}:",
                errors.fields().len(),
                file.display()
            );
            for (field, why) in errors.fields() {
                eprintln!("  {}: {why}", readable_field(field));
            }
            anyhow::anyhow!("{nothing_stored}: fix these rows and run the import again")
        }
        Error::Duplicates(rows) => {
            eprintln!(
                "{} row(s) look like records already registered:",
                rows.len()
            );
            for row in &rows {
                for duplicate in &row.duplicates {
                    let which = match (&duplicate.id, duplicate.row) {
                        (Some(id), _) => id.clone(),
                        (None, Some(row)) => format!("row {row}"),
                        (None, None) => String::new(),
                    };
                    eprintln!(
                        "  row {}: {} — {which} “{}”",
                        row.row, duplicate.reason, duplicate.name
                    );
                }
            }
            anyhow::anyhow!(
                "{nothing_stored}: remove these rows, or run again with --allow-duplicate"
            )
        }
        other => anyhow::Error::new(other).context(nothing_stored),
    }
}

/// `rows[4].contact.phone` as a person reads it: `row 4, contact.phone`.
fn readable_field(field: &str) -> String {
    match field
        .strip_prefix("rows[")
        .and_then(|rest| rest.split_once(']'))
    {
        Some((row, rest)) => {
            let rest = rest.trim_start_matches('.');
            if rest.is_empty() {
                format!("row {row}")
            } else {
                format!("row {row}, {rest}")
            }
        }
        None => field.to_string(),
    }
}

/// Opens (or builds) the search index of this data directory, with this process as its writer.
async fn open_index(settings: &Settings, store: &Store) -> Result<SearchIndex, SearchError> {
    let dir = settings.index_dir();
    SearchIndex::open_or_rebuild(&dir, store, load_vocabulary(settings)?).await
}

fn load_vocabulary(settings: &Settings) -> Result<Vocabulary, SearchError> {
    let vocabulary = match &settings.vocabulary {
        Some(path) => Vocabulary::load(path)?,
        None => Vocabulary::builtin()?,
    };
    tracing::debug!(groups = vocabulary.len(), "search vocabulary loaded");
    Ok(vocabulary)
}

async fn reindex(settings: &Settings, store: &Store) -> anyhow::Result<()> {
    let dir = settings.index_dir();
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} records ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("indexing");
    let started = std::time::Instant::now();
    let (index, cursor) =
        SearchIndex::open_and_rebuild(&dir, store, load_vocabulary(settings)?, &mut |progress| {
            bar.set_length(progress.total);
            bar.set_position(progress.done);
        })
        .await
        .context("rebuilding the search index")?;
    bar.finish_and_clear();
    println!(
        "search index rebuilt in {:.1} s: {} documents, up to change {cursor}, in {}",
        started.elapsed().as_secs_f64(),
        index.searcher().num_docs(),
        dir.display()
    );
    // Dropping the index waits for the background merge: say why the command lingers.
    if index.searcher().segment_readers().len() > 1 {
        println!("merging it into one segment…");
    }
    drop(index);
    Ok(())
}

async fn backup(settings: &Settings, file: &Path) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(format!("copying the registry to {}", file.display()));
    spinner.enable_steady_tick(Duration::from_millis(200));
    let started = std::time::Instant::now();
    let done = store.backup_to(file).await;
    spinner.finish_and_clear();
    done.with_context(|| format!("backup to {} failed", file.display()))?;
    let summary = backup::inspect_backup(file).await?;
    println!(
        "backed up {} stakeholders, {} offerings and {} needs to {} in {:.1} s",
        summary.stakeholders,
        summary.offerings,
        summary.needs,
        file.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn restore(settings: &Settings, file: &Path, force: bool) -> anyhow::Result<()> {
    let database = settings.sqlite_path().context(
        "restore puts a backup in place of the embedded SQLite database; for PostgreSQL use pg_restore or psql with the pg_dump file",
    )?;
    let summary = backup::inspect_backup(file).await?;
    anyhow::ensure!(
        !SearchIndex::is_held_elsewhere(&settings.index_dir()),
        "a server is using {}; stop it first",
        settings.data_dir.display()
    );
    if database.exists() {
        let current = open_store(settings).await?;
        let records = current.count_stakeholders().await?;
        current.close().await;
        anyhow::ensure!(
            records == 0 || force,
            "the registry in {} holds {records} stakeholders; repeat with --force to replace them with the backup",
            settings.data_dir.display()
        );
    }
    settings.ensure_data_dir()?;
    backup::replace_database(file, &database)?;
    let index = settings.index_dir();
    if index.exists() {
        std::fs::remove_dir_all(&index)
            .with_context(|| format!("cannot remove the old index {}", index.display()))?;
    }
    let store = open_store(settings).await?;
    println!(
        "restored {} stakeholders, {} offerings and {} needs from {}",
        summary.stakeholders,
        summary.offerings,
        summary.needs,
        file.display()
    );
    reindex(settings, &store).await
}

async fn search(settings: &Settings, store: &Store, args: SearchArgs) -> anyhow::Result<()> {
    let index = match open_index(settings, store).await {
        Ok(index) => {
            search::indexer::catch_up(&index, store).await?;
            index
        }
        // A server holds the writer and keeps the index current; read what it has committed.
        Err(SearchError::Locked(dir)) => {
            SearchIndex::open_read_only(&dir, load_vocabulary(settings)?)
                .context("opening the search index read-only")?
        }
        Err(other) => return Err(other.into()),
    };
    let mut request = SearchRequest::new(args.text);
    request.doc_type = args
        .doc_type
        .as_deref()
        .map(|t| DocType::parse(t).context("--type must be offering, need or stakeholder"))
        .transpose()?;
    request.kind = args.kind;
    request.district = args.district;
    request.sector = args.sector;
    if args.include_pending {
        request.statuses.push(Status::Pending);
    }
    request.limit = args.limit;
    request.offset = args.offset;
    let results = index.search(&request)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        print_results(&results);
    }
    Ok(())
}

fn print_results(results: &SearchResults) {
    let left_out = match results.left_out.as_slice() {
        [] => String::new(),
        words => format!("; left out: {}", words.join(", ")),
    };
    // Past 10,000 matches counting stops: say "10000+ found".
    let more = if results.total_is_exact { "" } else { "+" };
    println!(
        "{}{more} found ({}{left_out})",
        results.total,
        results.matched.replace('_', " ")
    );
    for hit in &results.hits {
        let provider = hit
            .provider
            .as_deref()
            .map(|p| format!(" — {p}"))
            .unwrap_or_default();
        println!(
            "\n{:>6.2}  {} {} [{}] {}{provider}",
            hit.score, hit.doc_type, hit.id, hit.kind, hit.title
        );
        println!("        {}", hit.snippet);
        println!("        districts: {}", hit.districts.join(", "));
    }
    for (name, counts) in [
        ("kind", &results.facets.kind),
        ("district", &results.facets.district),
        ("sector", &results.facets.sector),
    ] {
        let counts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
        if !counts.is_empty() {
            println!("\n{name}: {}", counts.join(", "));
        }
    }
}

async fn serve(
    settings: &Settings,
    bind: SocketAddr,
    demo: bool,
    limits: http::Limits,
    notify_config: Option<PathBuf>,
) -> anyhow::Result<()> {
    // A notification setting that cannot work stops the start, before anything is opened.
    let notify_config = match notify_config {
        Some(path) => notify::NotifyConfig::load(&path, true)?,
        None => notify::NotifyConfig::load(&settings.data_dir.join("notify.json"), false)?,
    };
    let dispatcher =
        notify::Dispatcher::new(&notify_config, &settings.data_dir).map_err(anyhow::Error::msg)?;
    let store = open_store(settings).await?;
    load_seed(&store, demo).await?;
    let index = open_index(settings, &store).await?;
    let indexer = search::indexer::start(index.clone(), store.clone());
    // Kept even when the spool channel is off: an erasure still rewrites a spool written before.
    let spool = notify::Spool::in_data_dir(&settings.data_dir);
    if notify_config.spool {
        println!("messages for an SMS gateway: {}", spool.path().display());
    }
    println!(
        "notification channels: {}",
        dispatcher.channel_names().join(", ")
    );
    let dispatcher = notify::start(store.clone(), dispatcher);
    let shutdown = shutdown_signal().context("cannot install signal handlers")?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr()?;
    let data_dir = std::fs::canonicalize(&settings.data_dir).unwrap_or(settings.data_dir.clone());
    println!("data directory: {}", data_dir.display());
    println!("database: {}", redact(&settings.database_url()));
    println!(
        "get a token: cargo run -- token create --role facilitator --name \"Your Name\" --data-dir {}",
        settings.data_dir.display()
    );
    println!("listening on http://{address}");
    tracing::info!(%address, "serving");
    let state = AppState::new(store.clone())
        .with_search(index)
        .with_spool(spool)
        .with_limits(limits);
    let served = http::serve(listener, state, shutdown).await;
    indexer.stop().await;
    dispatcher.stop().await;
    served?;
    store.close().await;
    println!("stopped");
    Ok(())
}

async fn user_command(store: &Store, command: UserCommand) -> anyhow::Result<()> {
    use crate::app::accounts::{self, PersonInput};
    match command {
        UserCommand::Create {
            role,
            name,
            email,
            phone,
            districts,
            password_stdin,
        } => {
            if !districts.is_empty() {
                load_seed(store, false).await?;
            }
            let caller = Caller::command_line();
            let input = PersonInput {
                name: &name,
                email: email.as_deref(),
                phone: phone.as_deref(),
                role,
                districts: &districts,
            };
            // Checked before the password is asked for, so nobody types one in vain.
            let person = accounts::check_person(store, &caller, input)
                .await
                .map_err(flag_error)?;
            let password = read_password(password_stdin)?;
            let user = accounts::create_person(store, &caller, &person, &password)
                .await
                .map_err(flag_error)?;
            let login = user
                .email
                .as_deref()
                .or(user.phone.as_deref())
                .unwrap_or_default();
            println!(
                "Created {} ({}), who signs in at /account/sign-in as {login}",
                user.name, user.role
            );
        }
        UserCommand::List => {
            for user in store.list_users().await? {
                let scope = if user.districts.is_empty() {
                    "every district".to_string()
                } else {
                    user.districts.join(", ")
                };
                let state = if user.revoked {
                    "revoked"
                } else if user.active {
                    "active"
                } else {
                    "invited"
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{scope}\t{state}",
                    user.id,
                    user.name,
                    user.email.as_deref().unwrap_or("-"),
                    user.phone.as_deref().unwrap_or("-"),
                    user.role
                );
            }
        }
    }
    Ok(())
}

/// The new password: asked for without echo on a terminal, else the first line of stdin.
fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if !from_stdin && std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 10 characters): ")?;
        let again = rpassword::prompt_password("The same password again: ")?;
        anyhow::ensure!(
            first == again,
            "the two passwords differ; nothing was created"
        );
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// A future that resolves on Ctrl-C or SIGTERM, so requests in flight finish before the process
/// exits. The handlers are installed before it returns: a signal that arrives just after the
/// server says it is listening must not kill it outright.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
            tracing::info!("shutting down");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
        })
    }
}

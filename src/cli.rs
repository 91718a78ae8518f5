//! The `sangam` command line. Thin: each command parses its flags and calls the library.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::config::{DEFAULT_BIND, DEFAULT_DATA_DIR, Settings, parse_bind};
use crate::domain::access::Role;
use crate::http::{self, AppState};
use crate::seed;
use crate::store::{Store, redact};

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
    /// Geography: import districts and blocks from a CSV file.
    Geo {
        #[command(subcommand)]
        command: GeoCommand,
    },
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

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| Role::expected())
}

impl CommonArgs {
    fn settings(&self) -> Settings {
        Settings {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
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
        Command::Serve { bind, demo } => serve(&settings, bind, demo).await,
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
                TokenCommand::Create { role, name } => {
                    let name = name.trim();
                    anyhow::ensure!(!name.is_empty(), "--name must not be empty");
                    let token = store.create_token(name, role).await?;
                    println!(
                        "Created a {role} token for {name}. It is shown only this once; keep it safe:"
                    );
                    println!("{token}");
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

async fn serve(settings: &Settings, bind: SocketAddr, demo: bool) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    load_seed(&store, demo).await?;
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
    http::serve(listener, AppState::new(store.clone()), shutdown).await?;
    store.close().await;
    println!("stopped");
    Ok(())
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

//! The registry's storage: one set of SQL for SQLite (embedded default) and PostgreSQL.
//!
//! Queries go through sqlx's `Any` driver with `$n` placeholders, which both backends accept, and
//! use only types both read alike (text, 64-bit integers, doubles; booleans as 0/1; lists as JSON
//! text). The dialects differ only in the migrations (`migrations/sqlite`, `migrations/postgres`)
//! and in how the change log is read safely ([`changes`]). Every write that search must see
//! appends to the change log in the same transaction.

pub mod accounts;
pub mod backup;
pub mod changes;
pub mod dashboard;
pub mod erasure;
pub mod feed;
pub mod geography;
mod group_commit;
pub mod hsds;
pub mod interchange;
pub mod meetings;
pub mod outbox;
pub mod planning;
pub mod registry;
pub mod review;
pub mod tokens;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use std::sync::Arc;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

pub(crate) use group_commit::WriteTx;

pub use changes::{Change, ChangeCursor, Entity};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The write contradicts what is stored (e.g. adding an offering to an archived record).
    #[error("{0}")]
    Conflict(String),
    /// A new stakeholder looks like these records and the caller asked to refuse lookalikes.
    #[error("looks like a stakeholder already registered")]
    Duplicate(Vec<registry::DuplicateMatch>),
    /// An edit based on an older version of a record: someone changed it since.
    #[error("the record was changed since (now version {version})")]
    Stale {
        version: i64,
        changed_by: Option<String>,
        changed_at: String,
    },
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    /// Another writer holds the database longer than we wait, or PostgreSQL broke a deadlock or
    /// a serialisation conflict by aborting us; the transaction left nothing behind, so the same
    /// request may be sent again.
    #[error("the database is busy: {0}")]
    Busy(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database url `{0}`: use sqlite:// or postgres://")]
    UnsupportedUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Runs a block in one write transaction (`$tx`, from [`Store::begin_write`]) and commits it;
/// its value is the block's. When the database aborts the transaction as busy (a PostgreSQL
/// deadlock or serialisation failure, or a SQLite lock another process held past the busy
/// timeout, or a SQLite group commit that failed), the whole block runs again, a few times, after
/// a short random pause, before the caller hears [`StoreError::Busy`]. Waiting too long for this process's write turn is not run
/// again: that wait was already the bound. A macro rather than a function taking a closure,
/// because a closure that borrows its caller's data cannot promise a `Send` future for every
/// lifetime of the transaction it is given.
macro_rules! write_transaction {
    ($store:expr, |$tx:ident| $body:block) => {{
        let mut attempt: u32 = 1;
        loop {
            let mut $tx = $store.begin_write().await?;
            let outcome: $crate::store::StoreResult<_> = async {
                let value = $body;
                $tx.commit().await?;
                Ok(value)
            }
            .await;
            match outcome {
                Err($crate::store::StoreError::Busy(why))
                    if attempt < $crate::store::WRITE_ATTEMPTS =>
                {
                    tracing::debug!(attempt, %why, "write aborted as busy; running it again");
                    let pause = rand::random_range(5..20u64) * u64::from(attempt);
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                    attempt += 1;
                }
                other => break other,
            }
        }
    }};
}
pub(crate) use write_transaction;

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if is_busy(&error) {
            StoreError::Busy(error.to_string())
        } else {
            StoreError::Database(error)
        }
    }
}

/// Whether an error means "someone else was writing": SQLite's BUSY and LOCKED families (any
/// extended code whose primary code is 5 or 6), PostgreSQL's serialisation failure, deadlock and
/// lock timeout, and a pool that had no connection free in time.
fn is_busy(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => match code.parse::<i64>() {
                Ok(sqlite_code) => matches!(sqlite_code & 0xff, 5 | 6),
                Err(_) => matches!(&*code, "40001" | "40P01" | "55P03"),
            },
            None => false,
        },
        _ => false,
    }
}

/// How long a writer waits for its turn before the request is answered 503 (Retry-After).
pub const WRITE_WAIT: Duration = Duration::from_secs(10);

/// How often a write whose transaction the database aborted (deadlock, serialisation) is run
/// again before the caller is told the database is busy.
pub(crate) const WRITE_ATTEMPTS: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the registry database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// On SQLite, writers of this process take turns here (fairly, in arrival order) and share
    /// transactions with those that came together ([`group_commit`]); waiting writers neither
    /// hold connections readers need nor poll SQLite's lock; `BEGIN IMMEDIATE` and the busy
    /// timeout then only wait for other processes (a CLI import beside `serve`). PostgreSQL has
    /// row locks and commits concurrent transactions together itself.
    group_commit: Option<Arc<group_commit::GroupCommit>>,
}

/// What a transaction takes its turn on, beyond the rows it touches (see [`Store::take_turn`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum TurnKey<'a> {
    /// Adding stakeholders: the duplicate check and the insert must not interleave with another.
    Identities,
    /// A meeting's suggestion round.
    Meeting(&'a str),
    /// Seats and budgets of offerings: every linkage move, and the save of a suggestion round
    /// (which checks that no move happened since it read what it planned on).
    Capacity,
}

impl TurnKey<'_> {
    /// A PostgreSQL advisory lock key: the first eight bytes of a SHA-256 of the name.
    fn lock_key(self) -> i64 {
        use sha2::Digest;
        let name = match self {
            TurnKey::Identities => "identities".to_string(),
            TurnKey::Meeting(id) => format!("meeting:{id}"),
            TurnKey::Capacity => "capacity".to_string(),
        };
        let digest = sha2::Sha256::digest(name.as_bytes());
        i64::from_be_bytes(digest[..8].try_into().expect("eight bytes"))
    }
}

impl Store {
    /// Connects and brings the schema up to date.
    pub async fn open(url: &str) -> StoreResult<Store> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// The SQLite file inside a data directory, created if missing.
    pub fn sqlite_url(data_dir: &Path) -> String {
        format!("sqlite://{}?mode=rwc", data_dir.join("sangam.db").display())
    }

    pub async fn connect(url: &str) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let pool = match backend {
            // One writer at a time is SQLite's nature; a few readers keep reads from queueing.
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL + synchronous FULL: an acknowledged commit survives a power cut.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            // Waits for another process's write (this one's take turns first).
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            // Deleted and replaced content is overwritten with zeros instead of
                            // left in free space, so an erased name does not linger in the file.
                            conn.execute("PRAGMA secure_delete = ON").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?
            }
        };
        let group_commit =
            (backend == Backend::Sqlite).then(|| group_commit::GroupCommit::new(pool.clone()));
        Ok(Store {
            pool,
            backend,
            group_commit,
        })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        self.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// Applies the migrations up to and including `version` (tests of a migration start from
    /// the schema before it).
    pub async fn migrate_to(&self, version: i64) -> StoreResult<()> {
        self.migrator().run_to(version, &self.pool).await?;
        Ok(())
    }

    fn migrator(&self) -> sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        }
    }

    /// Begins a write. On SQLite it waits for this process's write turn (at most
    /// [`WRITE_WAIT`]) and runs in a savepoint of a transaction shared with the writers that came
    /// together ([`group_commit`]), which took the database's write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that read first and wrote later failed at once
    /// with "database is locked" when another writer had committed in between. Its
    /// [`WriteTx::commit`] returns once the shared transaction is committed.
    pub(crate) async fn begin_write(&self) -> StoreResult<WriteTx> {
        match &self.group_commit {
            Some(group) => group.begin().await,
            None => Ok(WriteTx::own(self.pool.begin().await?)),
        }
    }

    /// Waits until no other transaction holds the turn on `key` (released at commit). On SQLite
    /// the write lock taken by `BEGIN IMMEDIATE` already serialises every writer; on PostgreSQL
    /// an advisory transaction lock does.
    pub(crate) async fn take_turn(
        &self,
        tx: &mut Transaction<'static, Any>,
        key: TurnKey<'_>,
    ) -> StoreResult<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(key.lock_key())
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A database URL fit for logs: the password replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Decodes a JSON text column, reporting which column was unreadable.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    column: &str,
    text: &str,
) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

/// A new opaque id, time-ordered so listings by id follow creation.
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            super::redact("postgres://app:secret@127.0.0.1/db"),
            "postgres://app:***@127.0.0.1/db"
        );
        assert_eq!(
            super::redact("sqlite://data/sangam.db"),
            "sqlite://data/sangam.db"
        );
    }
}

//! Backups of the embedded SQLite registry, taken while the server runs, and their restore.
//!
//! A backup is `VACUUM INTO` a new file: SQLite copies one consistent snapshot (every commit
//! before it started, none after) while writers go on, and the copy is compact. It is written
//! beside the target under a temporary name and renamed into place when complete, so a file
//! at the target's name is always a whole backup. PostgreSQL deployments use `pg_dump`.

use std::path::Path;
use std::str::FromStr;

use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

use super::{Backend, Store, StoreError, StoreResult};

/// What a backup file holds, read before restoring it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub stakeholders: i64,
    pub offerings: i64,
    pub needs: i64,
}

impl Store {
    /// Writes a consistent copy of the registry to `target`, which must not exist yet.
    pub async fn backup_to(&self, target: &Path) -> StoreResult<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Conflict(
                "backups of PostgreSQL are taken with pg_dump (see docs/operations.md); `sangam backup` copies the embedded SQLite database".into(),
            ));
        }
        if target.exists() {
            return Err(StoreError::Conflict(format!(
                "{} exists already; choose a new file name so no backup is overwritten",
                target.display()
            )));
        }
        let partial = partial_path(target);
        let _ = std::fs::remove_file(&partial);
        let written = sqlx::query("VACUUM INTO $1")
            .bind(partial.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await;
        if let Err(error) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(error.into());
        }
        std::fs::File::open(&partial)
            .and_then(|file| file.sync_all())
            .and_then(|()| std::fs::rename(&partial, target))
            .map_err(|e| StoreError::Conflict(format!("cannot write {}: {e}", target.display())))
    }
}

/// Checks that `file` is a whole Sangam backup and says what it holds; changes nothing.
pub async fn inspect_backup(file: &Path) -> StoreResult<BackupSummary> {
    if !file.is_file() {
        return Err(StoreError::Conflict(format!(
            "{} is not a file",
            file.display()
        )));
    }
    let url = format!("sqlite://{}?mode=ro", file.display());
    let mut conn = SqliteConnectOptions::from_str(&url)?
        .read_only(true)
        .connect()
        .await
        .map_err(|e| not_a_backup(file, e))?;
    let (integrity,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| not_a_backup(file, e))?;
    if integrity != "ok" {
        return Err(StoreError::Conflict(format!(
            "{} is damaged ({integrity}); use another backup",
            file.display()
        )));
    }
    let (stakeholders, offerings, needs): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM stakeholders), (SELECT COUNT(*) FROM offerings),
                (SELECT COUNT(*) FROM needs)",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| not_a_backup(file, e))?;
    Ok(BackupSummary {
        stakeholders,
        offerings,
        needs,
    })
}

/// Puts the backup `file` in place of the SQLite database at `database` (and its journal files),
/// through a copy renamed into place. The caller has checked that no server uses it.
pub fn replace_database(file: &Path, database: &Path) -> StoreResult<()> {
    let io = |e: std::io::Error| StoreError::Conflict(format!("cannot restore: {e}"));
    let partial = partial_path(database);
    std::fs::copy(file, &partial).map_err(io)?;
    std::fs::File::open(&partial)
        .and_then(|copy| copy.sync_all())
        .map_err(io)?;
    for journal in ["-wal", "-shm"] {
        let mut name = database.as_os_str().to_owned();
        name.push(journal);
        match std::fs::remove_file(&name) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            _ => {}
        }
    }
    std::fs::rename(&partial, database).map_err(io)
}

fn partial_path(target: &Path) -> std::path::PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".partial");
    name.into()
}

fn not_a_backup(file: &Path, error: sqlx::Error) -> StoreError {
    StoreError::Conflict(format!(
        "{} is not a Sangam backup (a SQLite database made by `sangam backup`): {error}",
        file.display()
    ))
}

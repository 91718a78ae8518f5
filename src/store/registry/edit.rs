//! What every record edit shares: the locked read-decide-write ([`Store::edit_with`]), the
//! version check, a status move of an offering or need, and the audit entry.

use sqlx::{Any, Transaction};

use crate::domain::record::{Status, now_timestamp};
use crate::store::{Backend, Store, StoreError, StoreResult, write_transaction};

/// A record kind [`Store::edit_with`] edits: how one is read locked, written and read back.
pub(super) trait Edited: TryFrom<Self::Row, Error = StoreError> + Send {
    type Row: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin;
    type Data: Send + Sync;
    /// The PostgreSQL lock clause after [`Edited::select_one`].
    const LOCK: &'static str;
    /// The audit log's action for an edit of this kind of record.
    const EDITED: &'static str;

    /// Reads one record, its id bound to `$1`.
    fn select_one() -> String;

    fn version(&self) -> i64;

    fn write_in<'a>(
        tx: &'a mut Transaction<'static, Any>,
        id: &'a str,
        edit: &'a Edit<'a, Self::Data>,
        now: &'a str,
    ) -> impl std::future::Future<Output = StoreResult<()>> + Send + 'a;

    fn get<'a>(
        store: &'a Store,
        id: &'a str,
    ) -> impl std::future::Future<Output = StoreResult<Option<Self>>> + Send + 'a;
}

/// What an edit changes, as decided on the record read for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change<D> {
    pub data: Option<D>,
    pub status: Option<Status>,
}

/// A change to a stored record: new content, a new status, or both.
#[derive(Debug, Clone, Copy)]
pub struct Edit<'a, D> {
    /// The version the editor saw; `None` to change the record whatever its version.
    pub based_on: Option<i64>,
    pub data: Option<&'a D>,
    pub status: Option<Status>,
    /// Who is editing (a token's or person's name), kept as `updated_by`.
    pub actor: &'a str,
}

impl<'a, D> Edit<'a, D> {
    /// New content, whatever the record's version.
    pub fn content(data: &'a D, actor: &'a str) -> Self {
        Edit {
            based_on: None,
            data: Some(data),
            status: None,
            actor,
        }
    }

    pub fn status(status: Status, actor: &'a str) -> Self {
        Edit {
            based_on: None,
            data: None,
            status: Some(status),
            actor,
        }
    }
}

/// Counts up a record's version for `edit`, refusing it when the record has moved past the
/// version the edit is based on ([`StoreError::Stale`], naming who changed it and when).
pub(super) async fn claim_version_in<D>(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    id: &str,
    edit: &Edit<'_, D>,
    now: &str,
) -> StoreResult<()> {
    let claimed = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET version = version + 1, updated_by = $2, updated_at = $3
         WHERE id = $1 AND ($4 IS NULL OR version = $4)"
    )))
    .bind(id)
    .bind(edit.actor)
    .bind(now)
    .bind(edit.based_on)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if claimed == 1 {
        return Ok(());
    }
    let current: Option<(i64, Option<String>, String)> = sqlx::query_as(sqlx::AssertSqlSafe(
        format!("SELECT version, updated_by, updated_at FROM {table} WHERE id = $1"),
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    match current {
        None => Err(StoreError::NotFound),
        Some((version, changed_by, changed_at)) => Err(StoreError::Stale {
            version,
            changed_by,
            changed_at,
        }),
    }
}

/// Moves an offering's or need's status alone.
pub(super) async fn set_status_in(
    tx: &mut Transaction<'static, Any>,
    table: &str,
    id: &str,
    status: Status,
) -> StoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET status = $2 WHERE id = $1"
    )))
    .bind(id)
    .bind(status.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The audit entry of an edit of a stakeholder by a person or token: what changed, not the
/// values (the audit log outlives an erasure).
async fn audit_edit<D>(
    tx: &mut Transaction<'static, Any>,
    action: &str,
    id: &str,
    edit: &Edit<'_, D>,
) -> StoreResult<()> {
    let mut changed = Vec::new();
    if edit.data.is_some() {
        changed.push("content".to_string());
    }
    if let Some(status) = edit.status {
        changed.push(format!("status {status}"));
    }
    crate::store::accounts::audit(tx, Some(edit.actor), action, Some(id), &changed.join(", ")).await
}

impl Store {
    /// One record read inside a writing transaction by `select` (its id bound to `$1`), locked
    /// until the transaction ends: `lock` (`FOR UPDATE`, or `FOR UPDATE OF n` past a join) is
    /// added on PostgreSQL; SQLite's writer holds the whole database already.
    pub(in crate::store) async fn read_for_update<Row, Record>(
        &self,
        tx: &mut Transaction<'static, Any>,
        select: &str,
        lock: &str,
        id: &str,
    ) -> StoreResult<Record>
    where
        Row: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
        Record: TryFrom<Row, Error = StoreError>,
    {
        let lock = if self.backend == Backend::Postgres {
            lock
        } else {
            ""
        };
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{select} {lock}")))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        row.map(Record::try_from)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    /// Writes `edit` of a record of kind `R` in one transaction, if it is still at the version the
    /// edit is based on, audited; reads it back. Behind `edit_stakeholder`, `edit_offering` and
    /// `edit_need`.
    pub(super) async fn edit_record<R: Edited>(
        &self,
        id: &str,
        edit: &Edit<'_, R::Data>,
    ) -> StoreResult<R> {
        write_transaction!(self, |tx| {
            R::write_in(&mut tx, id, edit, &now_timestamp()).await?;
            audit_edit(&mut tx, R::EDITED, id, edit).await?;
        })?;
        R::get(self, id).await?.ok_or(StoreError::NotFound)
    }

    /// The one locked edit behind `edit_stakeholder_with`, `edit_offering_with` and
    /// `edit_need_with`: reads the record locked, lets `decide` say what changes, writes it based
    /// on the version read, commits, and reads it back.
    pub(super) async fn edit_with<R, E>(
        &self,
        id: &str,
        actor: &str,
        decide: impl FnOnce(&R) -> Result<Option<Change<R::Data>>, E>,
    ) -> Result<R, E>
    where
        R: Edited,
        E: From<StoreError>,
    {
        let mut tx = self.begin_write().await?;
        let current: R = self
            .read_for_update::<R::Row, R>(&mut tx, &R::select_one(), R::LOCK, id)
            .await?;
        let Some(change) = decide(&current)? else {
            return Ok(current);
        };
        let edit = Edit {
            based_on: Some(current.version()),
            data: change.data.as_ref(),
            status: change.status,
            actor,
        };
        R::write_in(&mut tx, id, &edit, &now_timestamp()).await?;
        audit_edit(&mut tx, R::EDITED, id, &edit).await?;
        tx.commit().await?;
        Ok(R::get(self, id).await?.ok_or(StoreError::NotFound)?)
    }
}

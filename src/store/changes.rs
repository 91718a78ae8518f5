//! The change log that search tails: which record changed, in commit order.
//!
//! On SQLite writers are serialised, so `seq` order is commit order. On PostgreSQL it is not: a
//! transaction that took seq 10 may commit after one that took seq 11, and a reader that saw 11
//! and moved its cursor past it would never see 10. So each row also carries its transaction id,
//! a reader orders by (tx, seq) and only reads rows whose transaction is older than the oldest
//! one still running in this database ([`Store::settled_horizon`]): those are final, and every
//! later commit sorts after.

use std::fmt;
use std::str::FromStr;

use sqlx::{Any, Transaction};

use super::{Backend, Store, StoreResult};
use crate::domain::record::now_timestamp;

/// What kind of record changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Stakeholder,
    Offering,
    Need,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Stakeholder => "stakeholder",
            Entity::Offering => "offering",
            Entity::Need => "need",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "stakeholder" => Some(Entity::Stakeholder),
            "offering" => Some(Entity::Offering),
            "need" => Some(Entity::Need),
            _ => None,
        }
    }
}

/// A position in the change log: everything at or before it has been applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangeCursor {
    pub tx: i64,
    pub seq: i64,
}

impl fmt::Display for ChangeCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.tx, self.seq)
    }
}

impl FromStr for ChangeCursor {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (tx, seq) = text
            .split_once(':')
            .ok_or_else(|| format!("bad cursor `{text}`"))?;
        Ok(ChangeCursor {
            tx: tx.parse().map_err(|_| format!("bad cursor `{text}`"))?,
            seq: seq.parse().map_err(|_| format!("bad cursor `{text}`"))?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub cursor: ChangeCursor,
    pub entity: Entity,
    pub entity_id: String,
    pub op: String,
}

/// The operation of the change an erasure logs last, so that whoever applies it (this
/// process's indexer or another's) knows that old text must now be purged from its index.
pub const ERASE: &str = "erase";

impl Change {
    pub fn is_erasure(&self) -> bool {
        self.op == ERASE
    }
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    seq: i64,
    tx: i64,
    entity: String,
    entity_id: String,
    op: String,
}

/// Appends to the change log inside the writing transaction; returns the entry's position,
/// which a reader reaches once the transaction has committed.
pub(crate) async fn record(
    tx: &mut Transaction<'static, Any>,
    entity: Entity,
    id: &str,
    op: &str,
) -> StoreResult<ChangeCursor> {
    let (tx_id, seq): (i64, i64) = sqlx::query_as(
        "INSERT INTO changes (entity, entity_id, op, at) VALUES ($1, $2, $3, $4)
         RETURNING tx, seq",
    )
    .bind(entity.as_str())
    .bind(id)
    .bind(op)
    .bind(now_timestamp())
    .fetch_one(&mut **tx)
    .await?;
    Ok(ChangeCursor { tx: tx_id, seq })
}

impl Store {
    /// Changes after `after`, oldest first, that are safe to apply (see the module doc).
    pub async fn changes_after(&self, after: ChangeCursor, limit: i64) -> StoreResult<Vec<Change>> {
        let horizon = self.settled_horizon().await?;
        let rows: Vec<ChangeRow> = sqlx::query_as(
            "SELECT seq, tx, entity, entity_id, op FROM changes
             WHERE (tx > $1 OR (tx = $1 AND seq > $2)) AND tx < $4
             ORDER BY tx, seq LIMIT $3",
        )
        .bind(after.tx)
        .bind(after.seq)
        .bind(limit)
        .bind(horizon)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                Some(Change {
                    cursor: ChangeCursor {
                        tx: row.tx,
                        seq: row.seq,
                    },
                    entity: Entity::parse(&row.entity)?,
                    entity_id: row.entity_id,
                    op: row.op,
                })
            })
            .collect())
    }

    /// The newest position that is safe to start tailing from after reading the tables whole
    /// (a rebuild): later or still-running changes come after it and are replayed.
    pub async fn latest_change(&self) -> StoreResult<ChangeCursor> {
        let horizon = self.settled_horizon().await?;
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT tx, seq FROM changes WHERE tx < $1 ORDER BY tx DESC, seq DESC LIMIT 1",
        )
        .bind(horizon)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|(tx, seq)| ChangeCursor { tx, seq })
            .unwrap_or_default())
    }

    /// The transaction id below which every change is final: read in a statement of its own,
    /// before the change log is read in a later one, so that every transaction below it has
    /// ended before the log's snapshot is taken.
    ///
    /// On PostgreSQL it is the oldest transaction still running *in this database*, or the
    /// next id if none is. Only a session of this database can write its change log, so a long
    /// transaction in another database on the same server no longer holds indexing back (as
    /// `pg_snapshot_xmin` of the whole server did). `pg_stat_activity` shows 32-bit ids, which
    /// are widened against the current 64-bit id. A session of another role whose ids this role
    /// may not see makes it fall back to the server-wide horizon, which is always safe. SQLite
    /// has one writer at a time, so everything committed is final.
    async fn settled_horizon(&self) -> StoreResult<i64> {
        if self.backend == Backend::Sqlite {
            return Ok(i64::MAX);
        }
        let (horizon,): (i64,) = sqlx::query_as(
            "WITH now AS (
                 SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS next,
                        pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS server_wide
             ),
             here AS (
                 SELECT backend_xid::text::bigint AS xid32, query
                 FROM pg_stat_activity WHERE datname = current_database()
             )
             SELECT CASE
                 WHEN EXISTS (SELECT 1 FROM here WHERE query = '<insufficient privilege>')
                     THEN (SELECT server_wide FROM now)
                 ELSE LEAST(
                     (SELECT next FROM now),
                     COALESCE((SELECT MIN(next - (((next % 4294967296) - xid32 + 4294967296)
                                                  % 4294967296))
                               FROM here, now WHERE xid32 IS NOT NULL),
                              (SELECT next FROM now)))
             END",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(horizon)
    }
}

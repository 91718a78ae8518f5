//! Group commit on SQLite: writes that arrive together share one transaction and one fsync.
//!
//! SQLite lets one transaction write at a time, and with `synchronous = FULL` every commit waits
//! for the disk; one transaction per request capped durable writes at the disk's sync rate. Here
//! the writers of this process take turns on one lock, fairly in arrival order, as before. The
//! first to get a turn begins a transaction (`BEGIN IMMEDIATE`); every writer runs its work inside
//! a savepoint of that transaction, so a failure undoes its own work and nothing else; when done
//! it releases its savepoint and passes the turn on, and the next writer carries on in the same
//! transaction, seeing what the earlier ones wrote (duplicate checks and version checks still
//! see every earlier write). A finished writer then queues for the turn once more, in a task of
//! its own (so a request its client dropped still gets its batch committed): the first such turn
//! commits the batch, which by then holds everyone who queued while it was being written. Each
//! writer is answered only after that commit: an acknowledged write is on disk, as before.
//!
//! If the batch cannot be committed (or SQLite abandoned its transaction, e.g. a full disk),
//! every writer in it hears [`StoreError::Busy`]: nothing of theirs was stored, and the same
//! request may be sent again. PostgreSQL commits concurrent transactions together by itself; there
//! a [`WriteTx`] is a plain transaction.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Instant;

use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

use super::{StoreError, StoreResult, WRITE_WAIT};

/// The savepoint each writer's work runs in.
const SAVEPOINT: &str = "SAVEPOINT sangam_write";
const RELEASE: &str = "RELEASE SAVEPOINT sangam_write";
const ROLLBACK_TO: &str = "ROLLBACK TO SAVEPOINT sangam_write";

/// What a batch's writers hear once it ends: committed, or why not.
type Outcome = Option<Result<(), String>>;

/// The write turn of one SQLite database in this process, and the batch being written.
pub(crate) struct GroupCommit {
    pool: AnyPool,
    turn: Arc<Mutex<Turn>>,
    /// Each writer commits its own transaction before passing the turn on, as before group
    /// commit (`SANGAM_SQLITE_GROUP_COMMIT=off`): only for measuring what sharing gains.
    alone: bool,
}

#[derive(Default)]
struct Turn {
    open: Option<Batch>,
    batches: u64,
}

/// One transaction shared by the writers that came together.
struct Batch {
    tx: Transaction<'static, Any>,
    serial: u64,
    /// Writers whose work is in the transaction (savepoint released).
    written: usize,
    /// The last writer left without releasing its savepoint: its work must be undone before
    /// anything else runs in the transaction.
    undo_pending: bool,
    opened: Instant,
    outcome: watch::Sender<Outcome>,
}

impl GroupCommit {
    pub(crate) fn new(pool: AnyPool) -> Arc<GroupCommit> {
        let alone = std::env::var("SANGAM_SQLITE_GROUP_COMMIT").is_ok_and(|v| v == "off");
        if alone {
            tracing::info!("SQLite group commit is off: every write commits alone");
        }
        Arc::new(GroupCommit {
            pool,
            turn: Arc::new(Mutex::new(Turn::default())),
            alone,
        })
    }

    /// Waits for this process's write turn (at most [`WRITE_WAIT`]), joins the open batch or
    /// begins one, and opens this writer's savepoint.
    pub(crate) async fn begin(self: &Arc<Self>) -> StoreResult<WriteTx> {
        let mut turn = tokio::time::timeout(WRITE_WAIT, self.turn.clone().lock_owned())
            .await
            .map_err(|_| StoreError::Busy("waited too long for the write turn".into()))?;
        self.undo_pending(&mut turn).await;
        if turn.open.is_none() {
            // Takes the database's write lock up front: a deferred transaction that read first
            // failed at once with "database is locked" when another process wrote meanwhile.
            let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            turn.batches += 1;
            turn.open = Some(Batch {
                tx,
                serial: turn.batches,
                written: 0,
                undo_pending: false,
                opened: Instant::now(),
                outcome: watch::channel(None).0,
            });
        }
        let batch = turn.open.as_mut().expect("a batch is open");
        let (serial, outcome) = (batch.serial, batch.outcome.subscribe());
        // From here on, dropping the handle (an error, or a cancelled request) closes the batch.
        let mut write = WriteTx(Inner::Batched(Joined {
            turn,
            serial,
            outcome,
            group: self.clone(),
            savepoint_open: false,
        }));
        let Inner::Batched(joined) = &mut write.0 else {
            unreachable!()
        };
        sqlx::query(SAVEPOINT)
            .execute(&mut *joined.batch().tx)
            .await?;
        joined.savepoint_open = true;
        Ok(write)
    }

    /// Closes batch `serial` in a task of its own, unless another writer closed it already.
    fn finish_later(self: &Arc<Self>, serial: u64) {
        let group = self.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { group.finish(serial).await });
        }
    }

    async fn finish(&self, serial: u64) {
        let mut turn = self.turn.clone().lock_owned().await;
        if turn
            .open
            .as_ref()
            .is_none_or(|batch| batch.serial != serial)
        {
            return;
        }
        self.undo_pending(&mut turn).await;
        let Some(batch) = turn.open.take() else {
            return;
        };
        let (written, opened) = (batch.written, batch.opened);
        let outcome = if written == 0 {
            batch.tx.rollback().await.map_err(|e| e.to_string())
        } else {
            batch.tx.commit().await.map_err(|e| e.to_string())
        };
        if let Err(why) = &outcome {
            tracing::warn!(serial, written, %why, "a group commit failed; its writers may retry");
        } else {
            tracing::debug!(serial, written, open_for = ?opened.elapsed(), "group committed");
        }
        batch.outcome.send_replace(Some(outcome));
    }

    /// Undoes the work of a writer that left without releasing its savepoint. If even that fails
    /// (SQLite abandoned the transaction), the batch ends and its writers hear why.
    async fn undo_pending(&self, turn: &mut Turn) {
        let Some(batch) = turn.open.as_mut().filter(|batch| batch.undo_pending) else {
            return;
        };
        let undone = async {
            sqlx::query(ROLLBACK_TO).execute(&mut *batch.tx).await?;
            sqlx::query(RELEASE).execute(&mut *batch.tx).await
        }
        .await;
        match undone {
            Ok(_) => batch.undo_pending = false,
            Err(error) => {
                let batch = turn.open.take().expect("a batch is open");
                let why = format!("the shared write transaction broke: {error}");
                tracing::warn!(serial = batch.serial, %why, "a write batch is abandoned");
                let _ = batch.tx.rollback().await;
                batch.outcome.send_replace(Some(Err(why)));
            }
        }
    }
}

/// A write in progress: on SQLite this writer's part of a shared batch (see the module comment),
/// on PostgreSQL its own transaction. Derefs to the transaction to run statements in; dropped
/// without [`WriteTx::commit`], its work is undone.
#[must_use = "a write is undone unless committed"]
pub(crate) struct WriteTx(Inner);

enum Inner {
    Own(Transaction<'static, Any>),
    Batched(Joined),
    Done,
}

struct Joined {
    turn: OwnedMutexGuard<Turn>,
    serial: u64,
    outcome: watch::Receiver<Outcome>,
    group: Arc<GroupCommit>,
    savepoint_open: bool,
}

impl Joined {
    fn batch(&mut self) -> &mut Batch {
        self.turn
            .open
            .as_mut()
            .expect("the batch stays open while a writer holds the turn")
    }
}

impl WriteTx {
    pub(crate) fn own(tx: Transaction<'static, Any>) -> WriteTx {
        WriteTx(Inner::Own(tx))
    }

    /// Ends this write: on SQLite, once the batch it is in has been committed (or has failed).
    pub(crate) async fn commit(mut self) -> StoreResult<()> {
        match std::mem::replace(&mut self.0, Inner::Done) {
            Inner::Own(tx) => Ok(tx.commit().await?),
            Inner::Batched(mut joined) => {
                let released = sqlx::query(RELEASE).execute(&mut *joined.batch().tx).await;
                if let Err(error) = released {
                    // Dropping `joined` undoes this writer's work.
                    self.0 = Inner::Batched(joined);
                    return Err(error.into());
                }
                joined.batch().written += 1;
                if joined.group.alone {
                    let batch = joined.turn.open.take().expect("the batch is open");
                    return Ok(batch.tx.commit().await?);
                }
                let Joined {
                    turn,
                    serial,
                    mut outcome,
                    group,
                    ..
                } = joined;
                drop(turn);
                group.finish_later(serial);
                let ended = outcome
                    .wait_for(Option::is_some)
                    .await
                    .map(|ended| ended.clone());
                match ended {
                    Ok(Some(Ok(()))) => Ok(()),
                    Ok(Some(Err(why))) => Err(StoreError::Busy(why)),
                    _ => Err(StoreError::Busy("the store is closing".into())),
                }
            }
            Inner::Done => Ok(()),
        }
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if let Inner::Batched(mut joined) = std::mem::replace(&mut self.0, Inner::Done) {
            if joined.savepoint_open {
                joined.batch().undo_pending = true;
            }
            let (group, serial) = (joined.group.clone(), joined.serial);
            drop(joined);
            group.finish_later(serial);
        }
        // A PostgreSQL transaction dropped uncommitted rolls itself back.
    }
}

impl Deref for WriteTx {
    type Target = Transaction<'static, Any>;

    fn deref(&self) -> &Self::Target {
        match &self.0 {
            Inner::Own(tx) => tx,
            Inner::Batched(joined) => {
                &joined
                    .turn
                    .open
                    .as_ref()
                    .expect("the batch stays open while a writer holds the turn")
                    .tx
            }
            Inner::Done => unreachable!("a finished write is not used again"),
        }
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match &mut self.0 {
            Inner::Own(tx) => tx,
            Inner::Batched(joined) => &mut joined.batch().tx,
            Inner::Done => unreachable!("a finished write is not used again"),
        }
    }
}

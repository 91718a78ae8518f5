//! Keeps the index in step with the registry by tailing the change log.
//!
//! One task per process does this and is the only writer of its index. Each round it reads the
//! changes after the index's committed cursor (PostgreSQL's out-of-order commits are handled by
//! [`Store::changes_after`]), reloads each changed record, replaces or deletes its document, and
//! commits the documents together with the cursor of the last change applied. It never moves
//! the cursor without the documents, so a crash between rounds loses nothing; reapplying a
//! change is harmless because each one just reloads the record as it is now.
//!
//! A stakeholder's name, kind and status are copied into its offerings' and needs' documents,
//! so a stakeholder change refreshes those too. The task polls every [`POLL_INTERVAL`] and wakes
//! at once when this process reports a write ([`SearchIndex::notify_write`]), which keeps an
//! acknowledged write searchable well within a second; writes from other processes sharing a
//! PostgreSQL database are found by the poll.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use super::error::SearchResult;
use super::index::{IndexOp, SearchIndex};
use super::schema::{self, DocType, Gazetteer, SearchSchema};
use crate::background::{Background, StopSignal};
use crate::store::feed::{FeedNeed, FeedOffering};
use crate::store::{Change, ChangeCursor, Entity, Store};

/// How often the change log is read when nothing wakes the indexer sooner.
pub const POLL_INTERVAL: Duration = Duration::from_millis(150);
/// Changes applied per commit at most.
const BATCH: i64 = 1_000;
/// How long district and sector names are trusted before they are reread.
const GAZETTEER_TTL: Duration = Duration::from_secs(60);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Starts the indexer for `index`, which must be writable, on the current runtime.
pub fn start(index: SearchIndex, store: Store) -> Background {
    Background::spawn(|stopped| run(index, store, stopped))
}

async fn run(index: SearchIndex, store: Store, mut stopped: StopSignal) {
    let mut tailer = Tailer::new(index.clone(), store);
    let mut backoff = POLL_INTERVAL;
    tracing::info!(cursor = %index.cursor(), "search indexer started");
    loop {
        let pause = match tailer.round().await {
            Ok(Round::More) => continue,
            Ok(Round::CaughtUp) => {
                backoff = POLL_INTERVAL;
                POLL_INTERVAL
            }
            Err(error) => {
                tracing::warn!(%error, retry_in = ?backoff, "search indexing failed; will retry");
                backoff = (backoff * 2).min(MAX_BACKOFF);
                backoff
            }
        };
        tokio::select! {
            _ = index.write_notified() => {}
            _ = tokio::time::sleep(pause) => {}
            _ = stopped.changed() => break,
        }
        if *stopped.borrow() {
            break;
        }
    }
    tracing::info!(cursor = %index.cursor(), "search indexer stopped");
}

/// Applies every change logged so far, then returns the cursor reached. For one-shot commands
/// and tests; a server runs [`start`] instead.
pub async fn catch_up(index: &SearchIndex, store: &Store) -> SearchResult<ChangeCursor> {
    let mut tailer = Tailer::new(index.clone(), store.clone());
    while let Round::More = tailer.round().await? {}
    Ok(index.cursor())
}

enum Round {
    /// A full batch was applied; more may be waiting.
    More,
    CaughtUp,
}

/// Reads the log from the index's cursor and applies it, batch by batch.
struct Tailer {
    index: SearchIndex,
    store: Store,
    gazetteer_read: Option<Instant>,
    /// Whether this run has had its purge at start (if any erasure was ever made): a process
    /// stopped between applying an erasure and purging leaves old text only that removes.
    purged_at_start: bool,
}

impl Tailer {
    fn new(index: SearchIndex, store: Store) -> Self {
        Tailer {
            index,
            store,
            gazetteer_read: None,
            purged_at_start: false,
        }
    }

    async fn round(&mut self) -> SearchResult<Round> {
        let changes = self.store.changes_after(self.index.cursor(), BATCH).await?;
        let Some(last) = changes.last().map(|c| c.cursor) else {
            return Ok(Round::CaughtUp);
        };
        let gazetteer = self.gazetteer().await?;
        let ops = ops_for(&self.store, self.index.fields(), &gazetteer, &changes).await?;
        self.index.apply(ops, last).await?;
        self.purge_after_erasures(&changes).await?;
        tracing::debug!(changes = changes.len(), cursor = %last, "search index updated");
        Ok(if changes.len() as i64 >= BATCH {
            Round::More
        } else {
            Round::CaughtUp
        })
    }

    /// Once the index has applied an erasure — made by this process or another sharing the
    /// database — rewrites the segments that still hold the old text (see
    /// [`SearchIndex::purge_deleted`]). Judged by the applied changes, not by the erasures
    /// table: on PostgreSQL an erasure is in that table before the change log may be read
    /// past it, and a purge before the erasure is applied would purge nothing.
    async fn purge_after_erasures(&mut self, applied: &[Change]) -> SearchResult<()> {
        // The erasures table is read once per run, not on every round of the indexer.
        let at_start = !self.purged_at_start && self.store.latest_erasure().await? > 0;
        if at_start || applied.iter().any(Change::is_erasure) {
            self.index.purge_deleted().await?;
        }
        self.purged_at_start = true;
        Ok(())
    }

    async fn gazetteer(&mut self) -> SearchResult<std::sync::Arc<Gazetteer>> {
        let fresh = self
            .gazetteer_read
            .is_some_and(|read| read.elapsed() < GAZETTEER_TTL);
        if fresh {
            return Ok(self.index.gazetteer());
        }
        let gazetteer = self.index.refresh_gazetteer(&self.store).await?;
        self.gazetteer_read = Some(Instant::now());
        Ok(gazetteer)
    }
}

/// The ids a batch of changes touches, each once.
#[derive(Default)]
struct Touched {
    stakeholders: BTreeSet<String>,
    offerings: BTreeSet<String>,
    needs: BTreeSet<String>,
}

impl Touched {
    fn from_changes(changes: &[Change]) -> Self {
        let mut touched = Touched::default();
        for change in changes {
            let set = match change.entity {
                Entity::Stakeholder => &mut touched.stakeholders,
                Entity::Offering => &mut touched.offerings,
                Entity::Need => &mut touched.needs,
            };
            set.insert(change.entity_id.clone());
        }
        touched
    }
}

/// Reloads what `changes` touched and turns it into index operations: a document for each
/// record search may show, a delete for each one it may not (archived, or gone).
async fn ops_for(
    store: &Store,
    fields: &SearchSchema,
    gazetteer: &Gazetteer,
    changes: &[Change],
) -> SearchResult<Vec<IndexOp>> {
    let touched = Touched::from_changes(changes);
    let mut ops = Vec::new();

    let owners: Vec<String> = touched.stakeholders.iter().cloned().collect();
    let mut found = BTreeMap::new();
    for stakeholder in store.feed_stakeholders(&owners).await? {
        found.insert(stakeholder.id.clone(), stakeholder);
    }
    for id in &owners {
        let doc = found
            .get(id)
            .and_then(|s| schema::stakeholder_doc(fields, gazetteer, s));
        ops.push(op(DocType::Stakeholder, id, doc));
    }

    let offerings = load_offerings(store, &owners, &touched.offerings).await?;
    for id in union(&touched.offerings, offerings.keys()) {
        let doc = offerings
            .get(id)
            .and_then(|o| schema::offering_doc(fields, gazetteer, o));
        ops.push(op(DocType::Offering, id, doc));
    }

    let needs = load_needs(store, &owners, &touched.needs).await?;
    for id in union(&touched.needs, needs.keys()) {
        let doc = needs
            .get(id)
            .and_then(|n| schema::need_doc(fields, gazetteer, n));
        ops.push(op(DocType::Need, id, doc));
    }
    Ok(ops)
}

/// The changed ids and the loaded ones, each once.
fn union<'a>(
    changed: &'a BTreeSet<String>,
    loaded: impl Iterator<Item = &'a String>,
) -> BTreeSet<&'a String> {
    changed.iter().chain(loaded).collect()
}

fn op(doc_type: DocType, id: &str, doc: Option<tantivy::TantivyDocument>) -> IndexOp {
    let id = id.to_string();
    match doc {
        Some(doc) => IndexOp::Upsert { doc_type, id, doc },
        None => IndexOp::Delete { doc_type, id },
    }
}

/// The changed offerings plus every offering of the changed stakeholders, by id.
async fn load_offerings(
    store: &Store,
    owners: &[String],
    changed: &BTreeSet<String>,
) -> SearchResult<BTreeMap<String, FeedOffering>> {
    let ids: Vec<String> = changed.iter().cloned().collect();
    let mut loaded = BTreeMap::new();
    for offering in store.feed_offerings(&ids).await? {
        loaded.insert(offering.id.clone(), offering);
    }
    for offering in store.feed_offerings_of(owners).await? {
        loaded.insert(offering.id.clone(), offering);
    }
    Ok(loaded)
}

/// The changed needs plus every need of the changed stakeholders, by id.
async fn load_needs(
    store: &Store,
    owners: &[String],
    changed: &BTreeSet<String>,
) -> SearchResult<BTreeMap<String, FeedNeed>> {
    let ids: Vec<String> = changed.iter().cloned().collect();
    let mut loaded = BTreeMap::new();
    for need in store.feed_needs(&ids).await? {
        loaded.insert(need.id.clone(), need);
    }
    for need in store.feed_needs_of(owners).await? {
        loaded.insert(need.id.clone(), need);
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use crate::domain::offering::LinkageKind;
    use crate::domain::record::{Provenance, Status};
    use crate::domain::stakeholder::StakeholderKind;
    use crate::search::fixture::{Fixture, offering, stakeholder};
    use crate::search::query::SearchRequest;

    #[tokio::test]
    async fn new_and_edited_records_are_indexed_from_the_log() {
        let mut f = Fixture::corpus().await;
        let bank = f
            .provider(
                StakeholderKind::Bank,
                "Canara Bank, Aurai",
                None,
                "up-bhadohi",
            )
            .await;
        let id = f
            .add_offering(
                "zardozi",
                &bank,
                offering(
                    LinkageKind::Finance,
                    "Zardozi working capital",
                    "",
                    &[],
                    "up-bhadohi",
                ),
            )
            .await;
        f.sync().await;
        assert_eq!(f.names("zardozi"), ["zardozi"]);
        let mut edited = offering(
            LinkageKind::Finance,
            "Chikankari working capital",
            "",
            &[],
            "up-bhadohi",
        );
        edited.description = Some("For embroidery units.".into());
        f.store
            .edit_offering(&id, &crate::store::registry::Edit::content(&edited, "test"))
            .await
            .unwrap();
        f.sync().await;
        assert!(f.names("zardozi").is_empty());
        assert_eq!(f.names("chikankari"), ["zardozi"]);
    }

    #[tokio::test]
    async fn a_stakeholder_change_refreshes_its_offerings_and_archiving_removes_them() {
        let f = Fixture::corpus().await;
        let registered = f
            .store
            .insert_stakeholder(
                &stakeholder(StakeholderKind::Buyer, "Ganga Rugs", None, "up-mirzapur"),
                &[offering(
                    LinkageKind::Market,
                    "Durrie orders",
                    "",
                    &["handloom"],
                    "up-mirzapur",
                )],
                &[],
                &Provenance::api("test"),
                crate::store::registry::OnDuplicate::Flag,
            )
            .await
            .unwrap();
        let (owner, durrie) = (
            registered.stakeholder.id.clone(),
            registered.offerings[0].id.clone(),
        );
        f.sync().await;
        let hit = |f: &Fixture| {
            let results = f.search(&SearchRequest::new("durrie"));
            results.hits.into_iter().find(|h| h.id == durrie)
        };
        assert_eq!(hit(&f).unwrap().provider.as_deref(), Some("Ganga Rugs"));

        let mut renamed = registered.stakeholder.data.clone();
        renamed.name = "Vindhya Rugs".into();
        f.store
            .edit_stakeholder(
                &owner,
                &crate::store::registry::Edit::content(&renamed, "test"),
            )
            .await
            .unwrap();
        f.sync().await;
        assert_eq!(hit(&f).unwrap().provider.as_deref(), Some("Vindhya Rugs"));
        assert_eq!(
            f.search(&SearchRequest::new("vindhya durrie")).total,
            1,
            "found by its provider's new name"
        );

        f.store
            .set_stakeholder_status(&owner, Status::Archived, "test")
            .await
            .unwrap();
        f.sync().await;
        assert!(
            hit(&f).is_none(),
            "an archived stakeholder's offerings leave search"
        );
        assert_eq!(f.search(&SearchRequest::new("vindhya")).total, 0);
    }

    #[tokio::test]
    async fn the_running_indexer_makes_a_write_searchable_within_a_second() {
        let mut f = Fixture::corpus().await;
        let handle = super::start(f.index.clone(), f.store.clone());
        let bank = f
            .provider(
                StakeholderKind::Bank,
                "Canara Bank, Gopiganj",
                None,
                "up-bhadohi",
            )
            .await;
        f.add_offering(
            "kulhad",
            &bank,
            offering(
                LinkageKind::Finance,
                "Kulhad kiln loan",
                "",
                &["pottery"],
                "up-bhadohi",
            ),
        )
        .await;
        f.index.notify_write();
        let latest = f.store.latest_change().await.unwrap();
        let waited =
            tokio::time::timeout(std::time::Duration::from_secs(1), f.index.wait_for(latest)).await;
        assert!(waited.is_ok(), "not indexed within a second");
        assert_eq!(f.names("kulhad"), ["kulhad"]);
        handle.stop().await;
    }
}

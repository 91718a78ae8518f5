//! The on-disk index: opening it (or rebuilding it when it is missing or unusable), the one
//! writer, and the commit that records how far into the change log the index has got.
//!
//! Every commit carries a payload `{"schema": N, "cursor": "tx:seq", "vocabulary": "…"}` written
//! by tantivy in the
//! same atomic step as the documents (`prepare_commit` + `set_payload` + `commit`). So after a
//! crash the index is exactly some earlier commit together with the cursor that produced it,
//! and the indexer replays the change log from there; replaying is idempotent (each change
//! reloads its record and replaces the document by key).
//!
//! A process owns the writer of its index directory for its whole life (tantivy allows one per
//! directory); `sangam search` opens read-only when a server already holds it. Searches take a
//! fresh searcher from the one reader, which is reloaded after each commit.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::query::AllQuery;
use tantivy::store::Compressor;
use tantivy::{
    Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term,
};
use tokio::sync::{Notify, watch};

use super::analysis::{self, Vocabulary};
use super::dense::DenseTerms;
use super::error::{SearchError, SearchResult};
use super::facets::TableCache;
use super::schema::{self, DocType, Gazetteer, SCHEMA_VERSION, SearchSchema};
use crate::store::{ChangeCursor, Store};

/// Indexing memory for the writer, split across its threads (tantivy wants ≥ 15 MB each).
const WRITER_MEMORY_PER_THREAD: usize = 64 * 1024 * 1024;
const MAX_WRITER_THREADS: usize = 4;
/// Bytes per block of stored fields (tantivy's default is 16 KiB).
const DOCSTORE_BLOCK_BYTES: usize = 2 * 1024;
/// Records read per database page during a rebuild.
const REBUILD_PAGE: i64 = 2_000;

/// What a commit records beside the documents.
#[derive(Debug, Serialize, Deserialize)]
struct CommitPayload {
    schema: u32,
    cursor: String,
    /// [`Vocabulary::fingerprint`] of the vocabulary whose group tokens the index holds.
    #[serde(default)]
    vocabulary: String,
}

fn payload_text(cursor: ChangeCursor, vocabulary: &str) -> String {
    let payload = CommitPayload {
        schema: SCHEMA_VERSION,
        cursor: cursor.to_string(),
        vocabulary: vocabulary.to_string(),
    };
    serde_json::to_string(&payload).unwrap_or_default()
}

/// The cursor stored with the last commit, if it was written by this schema version and with
/// the vocabulary whose fingerprint is `vocabulary`.
fn parse_payload(text: Option<&str>, vocabulary: &str) -> SearchResult<ChangeCursor> {
    let text = text.ok_or_else(|| SearchError::Unusable("the last commit has no cursor".into()))?;
    let payload: CommitPayload = serde_json::from_str(text)
        .map_err(|e| SearchError::Unusable(format!("commit payload `{text}`: {e}")))?;
    if payload.schema != SCHEMA_VERSION {
        return Err(SearchError::Unusable(format!(
            "written for schema version {}, this is version {SCHEMA_VERSION}",
            payload.schema
        )));
    }
    if payload.vocabulary != vocabulary {
        return Err(SearchError::Unusable(
            "built with another vocabulary: its synonym groups are out of date".into(),
        ));
    }
    payload.cursor.parse().map_err(SearchError::Unusable)
}

/// One change to the index: replace a document by key, or remove it.
#[derive(Debug)]
pub enum IndexOp {
    Upsert {
        doc_type: DocType,
        id: String,
        doc: TantivyDocument,
    },
    Delete {
        doc_type: DocType,
        id: String,
    },
}

/// How a rebuild is getting on: records indexed so far, of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildProgress {
    pub done: u64,
    pub total: u64,
}

/// The search index of one process; cheap to clone.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    fields: SearchSchema,
    vocabulary: Vocabulary,
    vocabulary_fingerprint: String,
    /// `None` when opened read-only because another process writes this directory.
    writer: Option<Arc<tokio::sync::Mutex<IndexWriter>>>,
    gazetteer: RwLock<Arc<Gazetteer>>,
    /// Per-segment arrays that every search reads for facets and ranking.
    tables: TableCache,
    /// Bitsets of the terms in many records of a segment, which filters and words ask often.
    dense_terms: Arc<DenseTerms>,
    /// The cursor of the last commit; the indexer resumes from here.
    committed: watch::Sender<ChangeCursor>,
    /// Rung by local writes so the indexer looks at the change log at once.
    writes: Notify,
    directory: Option<PathBuf>,
}

impl Drop for Inner {
    /// Waits for the writer's merges (a rebuild's runs on in the background): one left running
    /// would still be writing files into the directory when the next holder empties it for a
    /// rebuild, and `sangam reindex` would exit with the index still in pieces.
    fn drop(&mut self) {
        let writer = self.writer.take().and_then(|w| Arc::try_unwrap(w).ok());
        if let Some(writer) = writer
            && let Err(error) = writer.into_inner().wait_merging_threads()
        {
            tracing::warn!(%error, "a search index merge failed while closing");
        }
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, or builds it from the database when it is missing or cannot be
    /// used (unreadable files, another schema, a bad payload) — with a warning, not a failure.
    /// Fails only if the directory cannot be written or another process holds its writer.
    pub async fn open_or_rebuild(
        dir: &Path,
        store: &Store,
        vocabulary: Vocabulary,
    ) -> SearchResult<SearchIndex> {
        let index = match Self::open_usable(dir, store, vocabulary.clone()).await? {
            Some(index) => index,
            None => {
                let index = Self::create_fresh(dir, vocabulary)?;
                index.rebuild(store, &mut |_| {}).await?;
                index
            }
        };
        index.refresh_gazetteer(store).await?;
        Ok(index)
    }

    /// Rebuilds the index in `dir` from the database, once, whatever state it is in (what
    /// `sangam reindex` does); returns it with the cursor it is complete up to.
    pub async fn open_and_rebuild(
        dir: &Path,
        store: &Store,
        vocabulary: Vocabulary,
        progress: &mut dyn FnMut(RebuildProgress),
    ) -> SearchResult<(SearchIndex, ChangeCursor)> {
        let index = match Self::open_usable(dir, store, vocabulary.clone()).await? {
            Some(index) => index,
            None => Self::create_fresh(dir, vocabulary)?,
        };
        let cursor = index.rebuild(store, progress).await?;
        Ok((index, cursor))
    }

    /// The index in `dir`, or `None` (said in the log) if there is none or it cannot be used.
    /// Fails if another process holds the writer or the database is unreachable: rebuilding
    /// would not help then.
    async fn open_usable(
        dir: &Path,
        store: &Store,
        vocabulary: Vocabulary,
    ) -> SearchResult<Option<SearchIndex>> {
        std::fs::create_dir_all(dir)?;
        match Self::open_checked(dir, store, vocabulary).await {
            Ok(index) => Ok(Some(index)),
            Err(error @ (SearchError::Locked(_) | SearchError::Store(_))) => Err(error),
            Err(error) => {
                if is_empty_dir(dir) {
                    tracing::info!(dir = %dir.display(), "no search index yet; building it");
                } else {
                    tracing::warn!(dir = %dir.display(), %error, "search index unusable; rebuilding it from the database");
                }
                Ok(None)
            }
        }
    }

    /// Opens the index in `dir` if it is one this version wrote for this database.
    async fn open_checked(
        dir: &Path,
        store: &Store,
        vocabulary: Vocabulary,
    ) -> SearchResult<SearchIndex> {
        let owned = dir.to_path_buf();
        let index = blocking(move || Self::open_existing(&owned, vocabulary))
            .await
            .map_err(|error| locked_in(dir, error))?;
        index.check_not_ahead_of(store).await?;
        Ok(index)
    }

    /// An index whose cursor is past the end of the change log was built from another database
    /// (or one since restored from backup); it must be rebuilt or it would never update.
    async fn check_not_ahead_of(&self, store: &Store) -> SearchResult<()> {
        let latest = store.latest_change().await?;
        if self.cursor() > latest {
            return Err(SearchError::Unusable(format!(
                "its cursor {} is past the database's last change {latest}",
                self.cursor()
            )));
        }
        Ok(())
    }

    /// Whether another process (a running `sangam serve`) holds the writer of the index in `dir`;
    /// a missing or unreadable index is held by nobody.
    pub fn is_held_elsewhere(dir: &Path) -> bool {
        let Ok(index) = Index::open_in_dir(dir) else {
            return false;
        };
        matches!(
            new_writer(&index),
            Err(SearchError::Index(tantivy::TantivyError::LockFailure(..)))
        )
    }

    /// Opens an index that another process is writing: search only, no writer.
    pub fn open_read_only(dir: &Path, vocabulary: Vocabulary) -> SearchResult<SearchIndex> {
        let index = open_dir(dir, &vocabulary)?;
        let fields = check_schema(&index)?;
        let payload = index.load_metas()?.payload;
        let cursor = parse_payload(payload.as_deref(), &vocabulary.fingerprint())?;
        Self::assemble(index, fields, vocabulary, None, cursor, Some(dir))
    }

    /// A fresh index in memory, for tests and benchmarks.
    pub fn create_in_ram(vocabulary: Vocabulary) -> SearchResult<SearchIndex> {
        let fields = SearchSchema::new();
        let index = Index::builder()
            .schema(fields.schema.clone())
            .settings(index_settings())
            .create_in_ram()?;
        analysis::register_analyzers(index.tokenizers(), &vocabulary);
        let writer = new_writer(&index)?;
        Self::assemble(
            index,
            fields,
            vocabulary,
            Some(writer),
            ChangeCursor::default(),
            None,
        )
    }

    fn open_existing(dir: &Path, vocabulary: Vocabulary) -> SearchResult<SearchIndex> {
        let index = open_dir(dir, &vocabulary)?;
        let fields = check_schema(&index)?;
        let payload = index.load_metas()?.payload;
        let cursor = parse_payload(payload.as_deref(), &vocabulary.fingerprint())?;
        let writer = new_writer(&index)?;
        Self::assemble(index, fields, vocabulary, Some(writer), cursor, Some(dir))
    }

    /// Empties `dir` and creates an index there with nothing committed yet.
    fn create_fresh(dir: &Path, vocabulary: Vocabulary) -> SearchResult<SearchIndex> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let fields = SearchSchema::new();
        let index = Index::builder()
            .schema(fields.schema.clone())
            .settings(index_settings())
            .create_in_dir(dir)?;
        analysis::register_analyzers(index.tokenizers(), &vocabulary);
        let writer = new_writer(&index)?;
        Self::assemble(
            index,
            fields,
            vocabulary,
            Some(writer),
            ChangeCursor::default(),
            Some(dir),
        )
    }

    fn assemble(
        index: Index,
        fields: SearchSchema,
        vocabulary: Vocabulary,
        writer: Option<IndexWriter>,
        cursor: ChangeCursor,
        dir: Option<&Path>,
    ) -> SearchResult<SearchIndex> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                index,
                reader,
                fields,
                vocabulary_fingerprint: vocabulary.fingerprint(),
                vocabulary,
                writer: writer.map(|w| Arc::new(tokio::sync::Mutex::new(w))),
                gazetteer: RwLock::new(Arc::new(Gazetteer::default())),
                tables: TableCache::default(),
                dense_terms: Arc::default(),
                committed: watch::channel(cursor).0,
                writes: Notify::new(),
                directory: dir.map(Path::to_path_buf),
            }),
        })
    }

    pub fn fields(&self) -> &SearchSchema {
        &self.inner.fields
    }

    pub(super) fn tables(&self) -> &TableCache {
        &self.inner.tables
    }

    pub(super) fn dense_terms(&self) -> &Arc<DenseTerms> {
        &self.inner.dense_terms
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        &self.inner.vocabulary
    }

    pub fn index(&self) -> &Index {
        &self.inner.index
    }

    pub fn directory(&self) -> Option<&Path> {
        self.inner.directory.as_deref()
    }

    /// A searcher over the last reloaded commit; take one per request.
    pub fn searcher(&self) -> Searcher {
        self.inner.reader.searcher()
    }

    /// Whether this process may write the index (false when opened read-only).
    pub fn is_writable(&self) -> bool {
        self.inner.writer.is_some()
    }

    /// The change-log position of the last commit.
    pub fn cursor(&self) -> ChangeCursor {
        *self.inner.committed.borrow()
    }

    /// Follows the committed cursor, for waiting until a change has been applied.
    pub fn watch_cursor(&self) -> watch::Receiver<ChangeCursor> {
        self.inner.committed.subscribe()
    }

    /// Waits until the index has committed everything up to `cursor`.
    pub async fn wait_for(&self, cursor: ChangeCursor) -> SearchResult<()> {
        let mut watch = self.watch_cursor();
        watch
            .wait_for(|committed| *committed >= cursor)
            .await
            .map(|_| ())
            .map_err(|_| SearchError::IndexerStopped)
    }

    /// Tells the indexer that this process has just written to the registry.
    pub fn notify_write(&self) {
        self.inner.writes.notify_one();
    }

    /// Resolves after the next [`SearchIndex::notify_write`] (or at once if one is pending).
    pub async fn write_notified(&self) {
        self.inner.writes.notified().await;
    }

    pub fn gazetteer(&self) -> Arc<Gazetteer> {
        self.inner
            .gazetteer
            .read()
            .map(|g| g.clone())
            .unwrap_or_default()
    }

    /// Reloads district, state and sector names from the registry.
    pub async fn refresh_gazetteer(&self, store: &Store) -> SearchResult<Arc<Gazetteer>> {
        let gazetteer = Arc::new(load_gazetteer(store).await?);
        if let Ok(mut slot) = self.inner.gazetteer.write() {
            *slot = gazetteer.clone();
        }
        Ok(gazetteer)
    }

    /// Takes the writer for as long as the guard lives: one batch, or a whole rebuild.
    async fn lock_writer(&self) -> SearchResult<WriterGuard> {
        let writer = self.inner.writer.clone().ok_or_else(|| {
            SearchError::Unusable("the index is open read-only in this process".into())
        })?;
        Ok(writer.lock_owned().await)
    }

    /// Applies `ops` and commits them together with `cursor`, then makes them searchable.
    /// On failure nothing is committed and the cursor stays where it was.
    pub async fn apply(&self, ops: Vec<IndexOp>, cursor: ChangeCursor) -> SearchResult<()> {
        let mut writer = self.lock_writer().await?;
        let index = self.clone();
        blocking(move || {
            let fields = &index.inner.fields;
            for op in ops {
                match op {
                    IndexOp::Upsert { doc_type, id, doc } => {
                        writer.delete_term(key_term(fields, doc_type, &id));
                        writer.add_document(doc)?;
                    }
                    IndexOp::Delete { doc_type, id } => {
                        writer.delete_term(key_term(fields, doc_type, &id));
                    }
                }
            }
            index.commit(&mut writer, cursor)
        })
        .await
    }

    /// Rewrites every segment that still holds deleted documents and removes the old files, so
    /// that text replaced in the index (an erased person's name) is gone from the disk too: a
    /// delete in tantivy only marks a document, and its words stay in the segment's files until
    /// a merge rewrites them. Waits for the merge; the writer is held throughout.
    pub async fn purge_deleted(&self) -> SearchResult<()> {
        let mut writer = self.lock_writer().await?;
        let index = self.clone();
        blocking(move || {
            // A merge the writer started on its own may hold some segments: wait and try again
            // (it purges the deletes of the segments it merges too).
            for _ in 0..100 {
                index.inner.reader.reload()?;
                let holding: Vec<_> = index
                    .inner
                    .reader
                    .searcher()
                    .segment_readers()
                    .iter()
                    .filter(|segment| segment.num_deleted_docs() > 0)
                    .map(|segment| segment.segment_id())
                    .collect();
                if holding.is_empty() {
                    break;
                }
                let all = index.inner.index.searchable_segment_ids()?;
                match writer.merge(&all).wait() {
                    Ok(_) => {}
                    Err(error) => {
                        tracing::debug!(%error, "purging merge must wait for another merge");
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                }
            }
            writer.garbage_collect_files().wait()?;
            index.inner.reader.reload()?;
            Ok(())
        })
        .await
    }

    /// Commits what the writer holds with `cursor` as payload; rolls back if that fails.
    fn commit(&self, writer: &mut IndexWriter, cursor: ChangeCursor) -> SearchResult<()> {
        let committed = writer.prepare_commit().and_then(|mut prepared| {
            prepared.set_payload(&payload_text(cursor, &self.inner.vocabulary_fingerprint));
            prepared.commit()
        });
        if let Err(error) = committed {
            rollback(writer);
            return Err(error.into());
        }
        // Searchable first, then announced: whoever waits on the cursor may search at once.
        self.inner.reader.reload()?;
        self.inner.committed.send_replace(cursor);
        Ok(())
    }

    /// Replaces the whole index with what the database holds now. The cursor is taken before
    /// the tables are read, so any change made during the rebuild is replayed after it. The
    /// writer is held throughout, so no other batch can commit a half-built index.
    pub async fn rebuild(
        &self,
        store: &Store,
        progress: &mut dyn FnMut(RebuildProgress),
    ) -> SearchResult<ChangeCursor> {
        let mut writer = self.lock_writer().await?;
        let cursor = store.latest_change().await?;
        let gazetteer = self.refresh_gazetteer(store).await?;
        // Not `delete_all_documents`: it rewinds the writer's operation stamps to where they
        // stood when the writer was opened (tantivy issue #2666), so the deletes of updates
        // committed since then would land on the rebuilt documents and drop them from search.
        // A delete of everything is stamped like any other operation, applies only to what
        // came before it, and is undone with the rest if the rebuild fails.
        let added = match writer.delete_query(Box::new(AllQuery)) {
            Ok(_) => {
                self.add_everything(&writer, store, &gazetteer, progress)
                    .await
            }
            Err(error) => Err(error.into()),
        };
        let index = self.clone();
        blocking(move || match added {
            Ok(()) => {
                index.commit(&mut writer, cursor)?;
                index.merge_everything(&mut writer);
                Ok(())
            }
            Err(error) => {
                rollback(&mut writer);
                Err(error)
            }
        })
        .await?;
        Ok(cursor)
    }

    /// Merges a rebuild's segments into one, in the background: a query pays a little for every
    /// segment it searches (term lookups, scorers), and a rebuild leaves several. The index is
    /// searchable meanwhile; the reader moves to the merged segment when it is done.
    fn merge_everything(&self, writer: &mut IndexWriter) {
        let segments = match self.inner.index.searchable_segment_ids() {
            Ok(segments) if segments.len() > 1 => segments,
            _ => return,
        };
        let merge = writer.merge(&segments);
        let reader = self.inner.reader.clone();
        std::thread::spawn(move || match merge.wait() {
            Ok(_) => {
                if let Err(error) = reader.reload() {
                    tracing::warn!(%error, "could not open the merged search index");
                }
            }
            // Another commit or merge got there first, or the process is stopping: the index
            // stays in several segments, which only costs speed.
            Err(error) => tracing::debug!(%error, "merging the rebuilt index did not finish"),
        });
    }

    /// Reads every record page by page and adds its document (uncommitted).
    async fn add_everything(
        &self,
        writer: &IndexWriter,
        store: &Store,
        gazetteer: &Gazetteer,
        progress: &mut dyn FnMut(RebuildProgress),
    ) -> SearchResult<()> {
        let fields = &self.inner.fields;
        let total = store.feed_counts().await?.total();
        let mut done = 0u64;
        let mut report = |count: usize| {
            done += count as u64;
            progress(RebuildProgress {
                done,
                total: total.max(done),
            });
        };
        add_pages(
            writer,
            |after| async move { store.feed_stakeholder_page(&after, REBUILD_PAGE).await },
            |s| s.id.clone(),
            |s| schema::stakeholder_doc(fields, gazetteer, s),
            &mut report,
        )
        .await?;
        add_pages(
            writer,
            |after| async move { store.feed_offering_page(&after, REBUILD_PAGE).await },
            |o| o.id.clone(),
            |o| schema::offering_doc(fields, gazetteer, o),
            &mut report,
        )
        .await?;
        add_pages(
            writer,
            |after| async move { store.feed_need_page(&after, REBUILD_PAGE).await },
            |n| n.id.clone(),
            |n| schema::need_doc(fields, gazetteer, n),
            &mut report,
        )
        .await?;
        Ok(())
    }
}

type WriterGuard = tokio::sync::OwnedMutexGuard<IndexWriter>;

/// Runs index work that blocks (commits wait for segments to reach the disk) off the runtime.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> SearchResult<T> + Send + 'static,
) -> SearchResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| SearchError::Unusable(format!("index thread failed: {e}")))?
}

fn rollback(writer: &mut IndexWriter) {
    if let Err(error) = writer.rollback() {
        tracing::error!(%error, "search index rollback failed");
    }
}

/// Adds one type of record page by page, in id order, until a page comes back empty.
async fn add_pages<R, Page>(
    writer: &IndexWriter,
    fetch_after: impl Fn(String) -> Page,
    id_of: impl Fn(&R) -> String,
    doc_of: impl Fn(&R) -> Option<TantivyDocument>,
    report: &mut impl FnMut(usize),
) -> SearchResult<()>
where
    Page: std::future::Future<Output = crate::store::StoreResult<Vec<R>>>,
{
    let mut after = String::new();
    loop {
        let page = fetch_after(after).await?;
        let Some(last) = page.last() else {
            return Ok(());
        };
        after = id_of(last);
        add_documents(writer, page.iter().filter_map(&doc_of))?;
        report(page.len());
    }
}

fn add_documents(
    writer: &IndexWriter,
    docs: impl Iterator<Item = TantivyDocument>,
) -> SearchResult<()> {
    for doc in docs {
        writer.add_document(doc)?;
    }
    Ok(())
}

fn key_term(fields: &SearchSchema, doc_type: DocType, id: &str) -> Term {
    Term::from_field_text(fields.key, &schema::doc_key(doc_type, id))
}

/// Opens an existing index directory with Sangam's analysers registered.
fn open_dir(dir: &Path, vocabulary: &Vocabulary) -> SearchResult<Index> {
    let directory = MmapDirectory::open(dir)?;
    if !Index::exists(&directory).map_err(|e| SearchError::Unusable(e.to_string()))? {
        return Err(SearchError::Unusable("no index in the directory".into()));
    }
    let index = Index::open(directory)?;
    analysis::register_analyzers(index.tokenizers(), vocabulary);
    Ok(index)
}

/// The field handles, if the index on disk has exactly the schema this version writes.
fn check_schema(index: &Index) -> SearchResult<SearchSchema> {
    let fields = SearchSchema::new();
    if index.schema() != fields.schema {
        return Err(SearchError::Unusable(
            "its schema differs from this version's".into(),
        ));
    }
    let (settings, wanted) = (index.settings(), index_settings());
    if settings.docstore_compression != wanted.docstore_compression
        || settings.docstore_blocksize != wanted.docstore_blocksize
    {
        return Err(SearchError::Unusable(
            "its stored fields are laid out differently from this version's".into(),
        ));
    }
    Ok(fields)
}

/// Stored fields uncompressed, in small blocks: a page of hits reads 20 random records, and
/// decompressing a 16 KiB LZ4 block for each cost more than finding them. The texts are short,
/// so the index grows little.
fn index_settings() -> IndexSettings {
    IndexSettings {
        docstore_compression: Compressor::None,
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..IndexSettings::default()
    }
}

fn new_writer(index: &Index) -> SearchResult<IndexWriter> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, MAX_WRITER_THREADS);
    Ok(index.writer_with_num_threads(threads, threads * WRITER_MEMORY_PER_THREAD)?)
}

/// Names the directory when the failure is that another writer holds it.
fn locked_in(dir: &Path, error: SearchError) -> SearchError {
    match error {
        SearchError::Index(tantivy::TantivyError::LockFailure(..)) => {
            SearchError::Locked(dir.to_path_buf())
        }
        other => other,
    }
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|mut entries| entries.next().is_none())
        .unwrap_or(true)
}

/// District, state and sector names in both languages, from the registry.
async fn load_gazetteer(store: &Store) -> SearchResult<Gazetteer> {
    let states = store.list_states().await?;
    let mut gazetteer = Gazetteer::default();
    for district in store.list_districts(None, None).await? {
        let mut names = vec![district.name.clone()];
        names.extend(district.name_local.clone());
        if let Some(state) = states.iter().find(|s| s.code == district.state_code) {
            names.push(state.name.clone());
            names.extend(state.name_local.clone());
        }
        gazetteer.add_district(&district.code, &district.state_code, names);
    }
    for sector in store.list_sectors().await? {
        let mut names = vec![sector.name.clone()];
        names.extend(sector.name_local.clone());
        gazetteer.add_sector(&sector.code, names);
    }
    Ok(gazetteer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_reject_other_versions() {
        let cursor = ChangeCursor { tx: 7, seq: 42 };
        let text = payload_text(cursor, "v1");
        assert_eq!(parse_payload(Some(&text), "v1").unwrap(), cursor);
        assert!(
            parse_payload(Some(&text), "v2").is_err(),
            "another vocabulary"
        );
        assert!(parse_payload(None, "v1").is_err());
        assert!(parse_payload(Some("42"), "v1").is_err());
        let old = format!(
            r#"{{"schema": {}, "cursor": "0:1", "vocabulary": "v1"}}"#,
            SCHEMA_VERSION + 1
        );
        assert!(parse_payload(Some(&old), "v1").is_err());
    }
}

#[cfg(test)]
mod store_tests {
    use super::*;
    use crate::search::analysis::Vocabulary;
    use crate::search::fixture::{Fixture, vocabulary};
    use crate::search::query::SearchRequest;

    async fn reopen(f: &mut Fixture) -> anyhow::Result<()> {
        let dir = f.dir.path().join("index");
        // Dropping the only handle releases the writer's lock on the directory.
        f.index = SearchIndex::create_in_ram(vocabulary())?;
        f.index = SearchIndex::open_or_rebuild(&dir, &f.store, vocabulary()).await?;
        Ok(())
    }

    #[tokio::test]
    async fn the_commit_payload_is_the_cursor_and_survives_a_reopen() -> anyhow::Result<()> {
        let mut f = Fixture::corpus().await;
        let latest = f.store.latest_change().await?;
        assert_eq!(f.index.cursor(), latest);
        let payload = f.index.index().load_metas()?.payload;
        let fingerprint = vocabulary().fingerprint();
        assert_eq!(parse_payload(payload.as_deref(), &fingerprint)?, latest);
        let docs = f.index.searcher().num_docs();
        reopen(&mut f).await?;
        assert_eq!(f.index.cursor(), latest);
        assert_eq!(f.index.searcher().num_docs(), docs);
        Ok(())
    }

    #[tokio::test]
    async fn a_rebuilt_index_is_merged_into_one_segment_in_the_background() -> anyhow::Result<()> {
        let f = Fixture::corpus().await;
        let docs = f.index.searcher().num_docs();
        let expected = f.names("carpet");
        f.index.rebuild(&f.store, &mut |_| {}).await?;
        wait_for_one_segment(&f).await;
        assert_eq!(f.index.searcher().num_docs(), docs);
        assert_eq!(f.names("carpet"), expected);
        Ok(())
    }

    #[tokio::test]
    async fn an_edited_vocabulary_rebuilds_the_index_with_its_groups() -> anyhow::Result<()> {
        let mut f = Fixture::corpus().await;
        let dir = f.dir.path().join("index");
        assert!(!f.finds("quuxhoney", "honey_title"), "not a synonym yet");

        let edited = format!(
            "honey | quuxhoney\n{}",
            include_str!("../../index/vocabulary.txt")
        );
        let edited = Vocabulary::parse(&edited)?;
        assert_ne!(edited.fingerprint(), vocabulary().fingerprint());
        f.index = SearchIndex::create_in_ram(vocabulary())?;
        f.index = SearchIndex::open_or_rebuild(&dir, &f.store, edited).await?;
        assert!(
            f.finds("quuxhoney", "honey_title"),
            "{:?}",
            f.names("quuxhoney")
        );
        assert!(f.finds("carpet", "carpet"));
        Ok(())
    }

    #[tokio::test]
    async fn a_deleted_or_corrupt_index_is_rebuilt_on_open() -> anyhow::Result<()> {
        let mut f = Fixture::corpus().await;
        let dir = f.dir.path().join("index");
        let expected = f.names("carpet");
        assert!(!expected.is_empty());

        f.index = SearchIndex::create_in_ram(vocabulary())?;
        std::fs::remove_dir_all(&dir)?;
        reopen(&mut f).await?;
        assert_eq!(f.names("carpet"), expected);
        assert_eq!(f.index.cursor(), f.store.latest_change().await?);

        f.index = SearchIndex::create_in_ram(vocabulary())?;
        std::fs::write(dir.join("meta.json"), b"{ not json")?;
        reopen(&mut f).await?;
        assert_eq!(f.names("carpet"), expected);
        Ok(())
    }

    #[tokio::test]
    async fn an_index_ahead_of_its_database_is_rebuilt() -> anyhow::Result<()> {
        let mut f = Fixture::corpus().await;
        let dir = f.dir.path().join("index");
        let other = tempfile::tempdir()?;
        let fresh = Store::open(&Store::sqlite_url(other.path())).await?;
        f.index = SearchIndex::create_in_ram(vocabulary())?;
        let index = SearchIndex::open_or_rebuild(&dir, &fresh, vocabulary()).await?;
        assert_eq!(index.cursor(), ChangeCursor::default());
        assert_eq!(index.searcher().num_docs(), 0);
        Ok(())
    }

    #[tokio::test]
    async fn a_rebuild_replaces_everything_and_records_the_cursor_taken_before_reading()
    -> anyhow::Result<()> {
        let f = Fixture::corpus().await;
        let before = f.index.searcher().num_docs();
        let mut reports = Vec::new();
        let segments_before = f.index.searcher().segment_readers().len();
        let cursor = f.index.rebuild(&f.store, &mut |p| reports.push(p)).await?;
        assert_eq!(cursor, f.store.latest_change().await?);
        // This failed about one run in twenty while the rebuild used `delete_all_documents`
        // (see `rebuild`): a record updated before the rebuild went missing after it.
        assert_eq!(
            f.index.searcher().num_docs(),
            before,
            "documents after the rebuild vs. before it, which had {segments_before} segments"
        );
        let last = reports.last().expect("progress was reported");
        assert_eq!(last.done, last.total);
        Ok(())
    }

    #[tokio::test]
    async fn applying_a_change_twice_leaves_one_document() -> anyhow::Result<()> {
        let f = Fixture::corpus().await;
        let cursor = f.index.cursor();
        let ops = || vec![bare_offering(&f, "of_twice", "Twicetest loan")];
        f.index.apply(ops(), cursor).await?;
        f.index.apply(ops(), cursor).await?;
        assert_eq!(f.index.search(&SearchRequest::new("twicetest"))?.total, 1);
        Ok(())
    }

    #[tokio::test]
    async fn merging_everything_leaves_one_segment_with_every_document() -> anyhow::Result<()> {
        let f = Fixture::corpus().await;
        let cursor = f.index.cursor();
        for (id, text) in [
            ("of_merge_a", "Mergetest alpha"),
            ("of_merge_b", "Mergetest beta"),
        ] {
            f.index
                .apply(vec![bare_offering(&f, id, text)], cursor)
                .await?;
        }
        assert!(
            f.index.searcher().segment_readers().len() > 1,
            "one commit, one segment"
        );
        let docs = f.index.searcher().num_docs();
        f.index.merge_everything(&mut *f.index.lock_writer().await?);
        wait_for_one_segment(&f).await;
        assert_eq!(f.index.searcher().num_docs(), docs);
        assert_eq!(f.index.search(&SearchRequest::new("mergetest"))?.total, 2);
        Ok(())
    }

    /// An offering document with only what search needs to find it by `text`.
    fn bare_offering(f: &Fixture, id: &str, text: &str) -> IndexOp {
        let fields = f.index.fields();
        let mut doc = TantivyDocument::new();
        doc.add_text(fields.key, schema::doc_key(DocType::Offering, id));
        doc.add_text(fields.id, id);
        doc.add_text(fields.status, "active");
        doc.add_text(fields.text.words, text);
        IndexOp::Upsert {
            doc_type: DocType::Offering,
            id: id.into(),
            doc,
        }
    }

    /// Waits (up to 20 s) until the background merge has left the reader on one segment.
    async fn wait_for_one_segment(f: &Fixture) {
        let started = std::time::Instant::now();
        while f.index.searcher().segment_readers().len() > 1 {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "still {} segments",
                f.index.searcher().segment_readers().len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

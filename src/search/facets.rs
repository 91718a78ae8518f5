//! What every match costs: counting its facet values and weighing it for the top of the page.
//!
//! tantivy's `FacetCollector` walks and decodes the whole facet dictionary of every segment on
//! every query, and reading the raw fields' fast columns per match (with `TopDocs::tweak_score`
//! for expiry and freshness) still cost about as much as finding the match. So each segment's
//! facet ordinals and dates are copied once into one packed record per document, beside the
//! values' names ([`SegmentTables`], cached by segment: segments never change once written),
//! and one collector ([`Gather`]) counts, tallies facets and keeps the best page by reading
//! only those records.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

use super::schema::NEVER;

/// Score factor for offerings past `valid_until`: they stay findable but sink below live ones.
const EXPIRED: Score = 0.2;
/// Extra score for a record updated today, halving every [`FRESH_HALF_LIFE_DAYS`].
const FRESH_BONUS: Score = 0.1;
const FRESH_HALF_LIFE_DAYS: f32 = 90.0;
/// Ages (days) with a freshness bonus; older records get none.
const FRESH_TABLE_DAYS: usize = 3 * 365;

/// The raw fields counted for facets, in the order of [`Counts`].
pub const FACET_FIELDS: [&str; 4] = ["type", "kind", "district", "sector"];

/// For each facet field (in the order of [`FACET_FIELDS`]), the count of matches per value.
pub type Counts = Vec<BTreeMap<String, u64>>;

/// Ordinal slots that hold no value.
const EMPTY: u8 = u8::MAX;
/// In the last slot: the document's values do not fit its slots (too many, or an ordinal too
/// large for a byte); all of them are in `overflow`.
const MORE: u8 = u8::MAX - 1;
/// Value slots per multi-valued field kept in the document's record.
const SLOTS: usize = 3;
/// A day that never comes (offerings without `valid_until`).
const NEVER_OFFSET: u16 = u16::MAX;

/// What every match reads about its document, packed into 12 bytes. Matches are sparse, so
/// each one's record is a cache miss; small records keep a million of them (12 MB) in the
/// processor's last-level cache, where one wider record per column was not.
#[derive(Debug, Clone, Copy)]
struct DocFacts {
    /// Days after the segment's `first_day`; [`NEVER_OFFSET`] if it never expires.
    valid: u16,
    updated: u16,
    /// Ordinals into the names of [`FACET_FIELDS`]: type, kind, districts, sectors.
    doc_type: u8,
    kind: u8,
    districts: [u8; SLOTS],
    sectors: [u8; SLOTS],
}

impl DocFacts {
    /// No values (for a document outside its segment's table, which does not happen).
    const NONE: DocFacts = DocFacts {
        valid: NEVER_OFFSET,
        updated: 0,
        doc_type: EMPTY,
        kind: EMPTY,
        districts: [EMPTY; SLOTS],
        sectors: [EMPTY; SLOTS],
    };
}

/// A segment's facts per document and the names of its facet values.
pub struct SegmentTables {
    facts: Vec<DocFacts>,
    /// The Julian day that day offsets count from.
    first_day: i64,
    /// All four fields' ordinals of the documents whose values do not fit their record.
    overflow: HashMap<DocId, [Vec<u32>; 4]>,
    /// Per facet field, the value of each ordinal.
    names: [Vec<String>; 4],
    /// Per document, when its record was created ([`super::schema::creation_order`]); read
    /// only for matches that may make the page, so kept apart from the tallied facts.
    created: Vec<u64>,
}

impl SegmentTables {
    fn build(reader: &SegmentReader) -> tantivy::Result<Self> {
        let max_doc = reader.max_doc();
        let mut columns = Vec::new();
        let mut names: [Vec<String>; 4] = Default::default();
        for (field, names) in FACET_FIELDS.iter().zip(&mut names) {
            let column = reader.fast_fields().str(field)?;
            if let Some(column) = &column {
                for ord in 0..column.num_terms() {
                    let mut name = String::new();
                    column.ord_to_str(ord as u64, &mut name)?;
                    names.push(name);
                }
            }
            columns.push(column);
        }
        let valid = reader.fast_fields().i64("valid_day")?;
        let updated = reader.fast_fields().i64("updated_day")?;
        // Missing from an index of another shape (the tests' own): every record ties.
        let created = match reader.fast_fields().column_opt::<u64>("created")? {
            Some(column) => (0..max_doc)
                .map(|doc| column.first(doc).unwrap_or(0))
                .collect(),
            None => vec![0; max_doc as usize],
        };
        let first_day = (0..max_doc)
            .filter_map(|doc| updated.first(doc))
            .filter(|&day| day > 0)
            .min()
            .unwrap_or(0);
        let offset = |day: i64| match day {
            NEVER => NEVER_OFFSET,
            day => (day - first_day).clamp(0, NEVER_OFFSET as i64 - 1) as u16,
        };
        let mut facts = Vec::with_capacity(max_doc as usize);
        let mut overflow = HashMap::new();
        // One set of buffers for every document: a merged segment has a million of them.
        let mut ords: [Vec<u32>; 4] = Default::default();
        for doc in 0..max_doc {
            for (values, column) in ords.iter_mut().zip(&columns) {
                values.clear();
                if let Some(column) = column {
                    values.extend(column.term_ords(doc).map(|ord| ord as u32));
                }
            }
            let [doc_type, kind, districts, sectors] = &ords;
            let fits = |values: &[u32], slots: usize| {
                values.len() <= slots && values.iter().all(|&ord| ord < MORE as u32)
            };
            let packed = fits(doc_type, 1) && fits(kind, 1) && fits(districts, SLOTS);
            let packed = packed && fits(sectors, SLOTS);
            facts.push(DocFacts {
                valid: offset(valid.first(doc).unwrap_or(NEVER)),
                updated: offset(updated.first(doc).unwrap_or(first_day)),
                doc_type: slots::<1>(doc_type, packed)[0],
                kind: slots::<1>(kind, packed)[0],
                districts: slots(districts, packed),
                sectors: slots(sectors, packed),
            });
            if !packed {
                overflow.insert(doc, ords.clone());
            }
        }
        Ok(SegmentTables {
            facts,
            first_day,
            overflow,
            names,
            created,
        })
    }
}

/// Ordinals in `N` byte slots; all [`MORE`] when they do not fit (see `overflow`).
fn slots<const N: usize>(ords: &[u32], packed: bool) -> [u8; N] {
    if !packed {
        return [MORE; N];
    }
    let mut slots = [EMPTY; N];
    for (slot, &ord) in slots.iter_mut().zip(ords) {
        *slot = ord as u8;
    }
    slots
}

/// [`SegmentTables`] of the segments searched lately, by segment.
#[derive(Default)]
pub struct TableCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentTables>>>,
}

impl TableCache {
    /// The tables of every segment of `searcher`, in its segment order; builds the missing ones
    /// and forgets segments that merges have retired.
    pub fn for_searcher(&self, searcher: &Searcher) -> tantivy::Result<Vec<Arc<SegmentTables>>> {
        let readers = searcher.segment_readers();
        let missing: Vec<&SegmentReader> = {
            let segments = self.lock();
            let new = |r: &&SegmentReader| !segments.contains_key(&r.segment_id());
            readers.iter().filter(new).collect()
        };
        // Built outside the lock: a merged segment of a million records takes a moment, and
        // searches of segments already known need not wait for it.
        let built = missing
            .into_iter()
            .map(|reader| Ok((reader.segment_id(), Arc::new(SegmentTables::build(reader)?))))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut segments = self.lock();
        if !built.is_empty() {
            let live: Vec<SegmentId> = readers.iter().map(SegmentReader::segment_id).collect();
            segments.retain(|id, _| live.contains(id));
            segments.extend(built);
        }
        // A search on a newer searcher may have retired a segment this (older) one still reads
        // since it was found present; then it is built again here.
        readers
            .iter()
            .map(|reader| match segments.get(&reader.segment_id()) {
                Some(tables) => Ok(tables.clone()),
                None => {
                    let tables = Arc::new(SegmentTables::build(reader)?);
                    segments.insert(reader.segment_id(), tables.clone());
                    Ok(tables)
                }
            })
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentTables>>> {
        self.segments.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The largest freshness factor (a record updated today).
const FRESHEST: Score = 1.0 + FRESH_BONUS;

/// Freshness factor by age in days, worked out once.
static FRESHNESS: LazyLock<Vec<Score>> = LazyLock::new(|| {
    (0..=FRESH_TABLE_DAYS)
        .map(|age| 1.0 + FRESH_BONUS * 0.5f32.powf(age as f32 / FRESH_HALF_LIFE_DAYS))
        .collect()
});

/// The score a match ends with: its relevance, sunk if expired, lifted a little if fresh.
/// `today` is a Julian day; the record's days count from its segment's `first_day`.
fn final_score(today: i64, first_day: i64, facts: &DocFacts, relevance: Score) -> Score {
    let age = (today - first_day - facts.updated as i64).max(0) as usize;
    let fresh = FRESHNESS.get(age).copied().unwrap_or(1.0);
    let expired = facts.valid != NEVER_OFFSET && first_day + (facts.valid as i64) < today;
    relevance * fresh * if expired { EXPIRED } else { 1.0 }
}

/// A match in the running for the page; the heap keeps the worst on top.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: Score,
    /// When the record was created: of two that score the same, the newer comes first.
    created: u64,
    address: DocAddress,
}

impl Candidate {
    /// Better first: higher score, then the newer record, then the earlier document. Ties
    /// are broken by the record, not by where the index happens to hold it, so the same
    /// records come in the same order after a merge or a rebuild and a page does not repeat
    /// or skip a match that ties with another.
    fn rank(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| other.created.cmp(&self.created))
            .then_with(|| self.address.cmp(&other.address))
    }
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.rank(other) == Ordering::Equal
    }
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank(other)
    }
}

/// The best `keep` matches, best first.
fn best(candidates: BinaryHeap<Candidate>) -> Vec<Candidate> {
    candidates.into_sorted_vec()
}

/// Matches are counted, and their facet values tallied, exactly up to this many; beyond it a
/// search only looks for better records for its page, and says its total and facets are not
/// exact (as Elasticsearch's `track_total_hits` does). The broadest queries match hundreds of
/// thousands of records, and counting each of them was most of their cost.
pub const EXACT_UP_TO: usize = 10_000;

/// Counts matches, tallies their facet values and keeps the best `keep` of them.
pub struct Gather {
    tables: Vec<Arc<SegmentTables>>,
    today: i64,
    keep: usize,
    exact_up_to: usize,
}

/// What [`Gather`] found.
pub struct Gathered {
    /// Matches counted: all of them if `exact`, else the first [`Gather::exact_up_to`].
    pub total: usize,
    /// Whether every match was counted (and tallied in `counts`).
    pub exact: bool,
    pub counts: Counts,
    /// The best matches with their final scores, best first.
    pub top: Vec<(Score, DocAddress)>,
}

impl Gather {
    /// `tables` in the searcher's segment order; `today` (Julian day) judges expiry and
    /// freshness; `keep` is offset + limit of the page.
    pub fn new(tables: Vec<Arc<SegmentTables>>, today: i64, keep: usize) -> Self {
        Gather {
            tables,
            today,
            keep,
            exact_up_to: EXACT_UP_TO,
        }
    }

    /// Counts and tallies at most `limit` matches in all (see [`EXACT_UP_TO`]).
    pub fn exact_up_to(mut self, limit: usize) -> Self {
        self.exact_up_to = limit;
        self
    }

    /// The limit of matches counted in all segments together.
    pub fn count_limit(&self) -> usize {
        self.exact_up_to
    }

    /// Gathers from one segment, counting at most `budget` more matches.
    pub fn segment(&self, segment: u32, budget: usize) -> tantivy::Result<SegmentGather> {
        let tables = self.tables.get(segment as usize).cloned().ok_or_else(|| {
            tantivy::TantivyError::InternalError(format!("no tables for segment {segment}"))
        })?;
        let counts = tables
            .names
            .iter()
            .map(|names| vec![0; names.len()])
            .collect();
        Ok(SegmentGather {
            segment,
            tables,
            today: self.today,
            keep: self.keep,
            total: 0,
            budget,
            beyond: false,
            counts,
            candidates: BinaryHeap::with_capacity(self.keep + 1),
            pending: Vec::with_capacity(BATCH),
        })
    }
}

/// Matches are tallied this many at a time (see [`SegmentGather::tally`]).
const BATCH: usize = 32;

pub struct SegmentGather {
    segment: u32,
    tables: Arc<SegmentTables>,
    today: i64,
    keep: usize,
    total: usize,
    /// Matches this segment may still count.
    budget: usize,
    /// Whether a match was found once the budget was spent.
    beyond: bool,
    counts: Vec<Vec<u64>>,
    candidates: BinaryHeap<Candidate>,
    /// Matches not yet tallied, with their relevance if they were scored.
    pending: Vec<(DocId, Option<Score>)>,
}

/// One segment's findings; ordinals are named only when segments are merged.
pub struct SegmentGathered {
    tables: Arc<SegmentTables>,
    pub total: usize,
    beyond: bool,
    counts: Vec<Vec<u64>>,
    candidates: BinaryHeap<Candidate>,
}

impl Collector for Gather {
    type Fruit = Gathered;
    type Child = SegmentGather;

    /// tantivy's own loop gives each segment the whole limit; [`super::all_words::gather`]
    /// shares it out.
    fn for_segment(&self, segment: u32, _reader: &SegmentReader) -> tantivy::Result<SegmentGather> {
        self.segment(segment, self.exact_up_to)
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, segments: Vec<SegmentGathered>) -> tantivy::Result<Gathered> {
        let (mut total, mut exact) = (0, true);
        let mut counts: Counts = vec![BTreeMap::new(); FACET_FIELDS.len()];
        let mut candidates = BinaryHeap::with_capacity(self.keep + 1);
        for segment in segments {
            total += segment.total;
            exact &= !segment.beyond;
            let fields = counts.iter_mut().zip(&segment.tables.names);
            for ((named, names), ords) in fields.zip(segment.counts) {
                for (ord, count) in ords.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                    if let Some(name) = names.get(ord) {
                        *named.entry(name.clone()).or_default() += count;
                    }
                }
            }
            for candidate in segment.candidates {
                offer(&mut candidates, candidate, self.keep);
            }
        }
        let top = best(candidates)
            .into_iter()
            .map(|c| (c.score, c.address))
            .collect();
        Ok(Gathered {
            total,
            exact,
            counts,
            top,
        })
    }
}

/// Adds `candidate` if fewer than `keep` are held or it beats the worst held.
fn offer(candidates: &mut BinaryHeap<Candidate>, candidate: Candidate, keep: usize) {
    if candidates.len() < keep {
        candidates.push(candidate);
    } else if let Some(mut worst) = candidates.peek_mut()
        && candidate < *worst
    {
        *worst = candidate;
    }
}

fn count(counts: &mut [u64], ord: usize) {
    if let Some(n) = counts.get_mut(ord) {
        *n += 1;
    }
}

/// Counts a record's slot, unless it is empty.
fn count_slot(counts: &mut [u64], slot: u8) {
    if slot != EMPTY {
        count(counts, slot as usize);
    }
}

impl SegmentGather {
    /// The relevance a match must reach to have a chance at the page: none while the page has
    /// room; then that of the last match on it, before its freshness lift (a match's final
    /// score is at most its relevance times [`FRESHEST`]), less a margin for rounding.
    pub fn bar(&self) -> Score {
        match self.candidates.peek() {
            Some(last) if self.candidates.len() >= self.keep => {
                last.score / FRESHEST * (1.0 - 1e-5)
            }
            _ => Score::NEG_INFINITY,
        }
    }

    /// Counts a match, and offers it for the page if it was scored. Once the budget is spent,
    /// a match is only offered (and one that was not scored costs nothing more).
    pub fn found(&mut self, doc: DocId, relevance: Option<Score>) {
        if self.total < self.budget {
            self.total += 1;
            self.pending.push((doc, relevance));
            if self.pending.len() == BATCH {
                self.tally();
            }
            return;
        }
        self.beyond = true;
        if let Some(relevance) = relevance {
            let facts = *self
                .tables
                .facts
                .get(doc as usize)
                .unwrap_or(&DocFacts::NONE);
            self.offer_for_page(doc, relevance, &facts);
        }
    }

    /// Tallies the pending matches. Their records are read first, all together: each read is a
    /// cache miss (matches are sparse in a table of millions), and independent reads overlap
    /// in the processor where one read per match, each followed by its counting, waited for
    /// every miss in turn. This was a third of the time of a query with many matches.
    fn tally(&mut self) {
        let mut facts = [DocFacts::NONE; BATCH];
        for (slot, &(doc, _)) in facts.iter_mut().zip(&self.pending) {
            if let Some(found) = self.tables.facts.get(doc as usize) {
                *slot = *found;
            }
        }
        let pending = std::mem::take(&mut self.pending);
        for (facts, &(doc, score)) in facts.iter().zip(&pending) {
            self.tally_one(doc, score, facts);
        }
        self.pending = pending;
        self.pending.clear();
    }

    fn tally_one(&mut self, doc: DocId, relevance: Option<Score>, facts: &DocFacts) {
        let [types, kinds, districts, sectors] = &mut self.counts[..] else {
            return;
        };
        if facts.doc_type == MORE {
            if let Some(all) = self.tables.overflow.get(&doc) {
                for (counts, ords) in [types, kinds, districts, sectors].into_iter().zip(all) {
                    ords.iter().for_each(|&ord| count(counts, ord as usize));
                }
            }
        } else {
            count_slot(types, facts.doc_type);
            count_slot(kinds, facts.kind);
            facts
                .districts
                .iter()
                .for_each(|&ord| count_slot(districts, ord));
            facts
                .sectors
                .iter()
                .for_each(|&ord| count_slot(sectors, ord));
        }
        if let Some(relevance) = relevance {
            self.offer_for_page(doc, relevance, facts);
        }
    }

    fn offer_for_page(&mut self, doc: DocId, relevance: Score, facts: &DocFacts) {
        let candidate = Candidate {
            score: final_score(self.today, self.tables.first_day, facts, relevance),
            created: self.tables.created.get(doc as usize).copied().unwrap_or(0),
            address: DocAddress::new(self.segment, doc),
        };
        offer(&mut self.candidates, candidate, self.keep);
    }
}

impl SegmentCollector for SegmentGather {
    type Fruit = SegmentGathered;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.found(doc, Some(score));
    }

    fn harvest(mut self) -> SegmentGathered {
        self.tally();
        SegmentGathered {
            tables: self.tables,
            total: self.total,
            beyond: self.beyond,
            counts: self.counts,
            candidates: self.candidates,
        }
    }
}

/// For tests of what reads these tables: adds the fields they are built from, and returns the
/// two date fields (`valid_day`, `updated_day`).
#[cfg(test)]
pub(crate) fn add_table_fields(
    builder: &mut tantivy::schema::SchemaBuilder,
) -> (tantivy::schema::Field, tantivy::schema::Field) {
    use tantivy::schema::{FAST, INDEXED, STRING};
    for field in FACET_FIELDS {
        builder.add_text_field(field, STRING | FAST);
    }
    let valid = builder.add_i64_field("valid_day", FAST | INDEXED);
    let updated = builder.add_i64_field("updated_day", FAST);
    (valid, updated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::AllQuery;
    use tantivy::schema::Schema;
    use tantivy::{Index, IndexWriter, TantivyDocument};

    /// 300 districts (more than a byte of ordinals), one record in five of them.
    fn index() -> tantivy::Result<Index> {
        let mut builder = Schema::builder();
        let (valid, updated) = add_table_fields(&mut builder);
        let schema = builder.build();
        let field = |name: &str| schema.get_field(name);
        let index = Index::create_in_ram(schema.clone());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        for n in 0..300 {
            let mut doc = TantivyDocument::new();
            doc.add_text(field("type")?, "offering");
            doc.add_text(
                field("kind")?,
                if n % 2 == 0 { "finance" } else { "market" },
            );
            doc.add_text(field("district")?, format!("d{n:03}"));
            doc.add_i64(valid, if n == 7 { 100 } else { NEVER });
            doc.add_i64(updated, 100 + n);
            writer.add_document(doc)?;
        }
        let mut wide = TantivyDocument::new();
        wide.add_text(field("type")?, "stakeholder");
        for n in [1, 250, 256, 280, 299] {
            wide.add_text(field("district")?, format!("d{n:03}"));
        }
        wide.add_text(field("sector")?, "dairy");
        wide.add_i64(valid, NEVER);
        wide.add_i64(updated, 100);
        writer.add_document(wide)?;
        writer.commit()?;
        Ok(index)
    }

    #[test]
    fn counts_every_value_also_past_a_bytes_worth_and_past_the_slots() -> tantivy::Result<()> {
        let index = index()?;
        let searcher = index.reader()?.searcher();
        let tables = TableCache::default().for_searcher(&searcher)?;
        let found = searcher.search(&AllQuery, &Gather::new(tables, 1000, 400))?;
        assert_eq!(found.total, 301);
        let [types, kinds, districts, sectors] = &found.counts[..] else {
            panic!("four fields")
        };
        assert_eq!(types.get("offering"), Some(&300));
        assert_eq!(types.get("stakeholder"), Some(&1));
        assert_eq!(
            (kinds.get("finance"), kinds.get("market")),
            (Some(&150), Some(&150))
        );
        assert_eq!(districts.len(), 300);
        for n in 0..300 {
            let expected = if [1, 250, 256, 280, 299].contains(&n) {
                2
            } else {
                1
            };
            assert_eq!(
                districts.get(&format!("d{n:03}")),
                Some(&expected),
                "d{n:03}"
            );
        }
        assert_eq!(sectors.get("dairy"), Some(&1));
        // All score 1; the expired offering sinks to the end, the freshest come first.
        assert_eq!(found.top.len(), 301);
        assert_eq!(found.top.last().map(|t| t.1.doc_id), Some(7));
        assert_eq!(found.top.first().map(|t| t.1.doc_id), Some(299));
        Ok(())
    }
}

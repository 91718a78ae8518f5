//! What every match costs: counting its facet values and weighing it for the top of the page.
//!
//! tantivy's `FacetCollector` walks and decodes the whole facet dictionary of every segment on
//! every query, and reading the raw fields' fast columns per match (with `TopDocs::tweak_score`
//! for expiry and freshness) still cost about as much as finding the match. So each segment's
//! facet ordinals, value names and dates are copied once into plain arrays ([`SegmentTables`],
//! cached by segment: segments never change once written), and one collector ([`Gather`])
//! counts, tallies facets and keeps the best page by reading only those arrays.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

use super::schema::NEVER;

/// Score factor for offerings past `valid_until`: they stay findable but sink below live ones.
const EXPIRED: Score = 0.2;
/// Extra score for a record updated today, halving every [`FRESH_HALF_LIFE_DAYS`].
const FRESH_BONUS: Score = 0.1;
const FRESH_HALF_LIFE_DAYS: f32 = 90.0;
/// Ages (days) with a precomputed freshness factor; older records get the last one.
const FRESH_TABLE_DAYS: usize = 3 * 365;

/// The raw fields counted for facets, in the order of [`Counts`].
pub const FACET_FIELDS: [&str; 4] = ["type", "kind", "district", "sector"];

/// For each facet field (in the order of [`FACET_FIELDS`]), the count of matches per value.
pub type Counts = Vec<BTreeMap<String, u64>>;

/// One facet field of one segment: each document's value ordinals, and the values' names.
struct FacetColumn {
    /// Document `d`'s ordinals are `ords[starts[d]..starts[d + 1]]`.
    starts: Vec<u32>,
    ords: Vec<u32>,
    names: Vec<String>,
}

impl FacetColumn {
    fn build(reader: &SegmentReader, field: &str) -> tantivy::Result<Self> {
        let mut column = FacetColumn {
            starts: Vec::with_capacity(reader.max_doc() as usize + 1),
            ords: Vec::with_capacity(reader.max_doc() as usize),
            names: Vec::new(),
        };
        let Some(source) = reader.fast_fields().str(field)? else {
            column.starts.resize(reader.max_doc() as usize + 1, 0);
            return Ok(column);
        };
        for doc in 0..reader.max_doc() {
            column.starts.push(column.ords.len() as u32);
            column
                .ords
                .extend(source.term_ords(doc).map(|ord| ord as u32));
        }
        column.starts.push(column.ords.len() as u32);
        for ord in 0..source.num_terms() {
            let mut name = String::new();
            source.ord_to_str(ord as u64, &mut name)?;
            column.names.push(name);
        }
        Ok(column)
    }

    fn ords(&self, doc: DocId) -> &[u32] {
        let (from, to) = (self.starts[doc as usize], self.starts[doc as usize + 1]);
        &self.ords[from as usize..to as usize]
    }
}

/// A segment's facet columns and dates, as plain arrays.
pub struct SegmentTables {
    facets: Vec<FacetColumn>,
    /// Julian days; [`i32::MAX`] for offerings that never expire.
    valid_day: Vec<i32>,
    updated_day: Vec<i32>,
}

impl SegmentTables {
    fn build(reader: &SegmentReader) -> tantivy::Result<Self> {
        let facets = FACET_FIELDS
            .iter()
            .map(|field| FacetColumn::build(reader, field))
            .collect::<tantivy::Result<_>>()?;
        let days = |field: &str, missing: i64| -> tantivy::Result<Vec<i32>> {
            let column = reader.fast_fields().i64(field)?;
            Ok((0..reader.max_doc())
                .map(|doc| column.first(doc).unwrap_or(missing))
                .map(|day| day.clamp(0, i32::MAX as i64) as i32)
                .collect())
        };
        Ok(SegmentTables {
            facets,
            valid_day: days("valid_day", NEVER)?,
            updated_day: days("updated_day", 0)?,
        })
    }
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
        let mut segments = self.segments.lock().unwrap_or_else(|e| e.into_inner());
        let readers = searcher.segment_readers();
        if readers
            .iter()
            .any(|r| !segments.contains_key(&r.segment_id()))
        {
            let live: Vec<SegmentId> = readers.iter().map(SegmentReader::segment_id).collect();
            segments.retain(|id, _| live.contains(id));
        }
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
}

/// The score a match ends with: its relevance, sunk if expired, lifted a little if fresh.
struct Ranking {
    today: i64,
    /// Freshness factor by age in days.
    fresh: Vec<Score>,
}

impl Ranking {
    fn new(today: i64) -> Self {
        let fresh = (0..=FRESH_TABLE_DAYS)
            .map(|age| 1.0 + FRESH_BONUS * 0.5f32.powf(age as f32 / FRESH_HALF_LIFE_DAYS))
            .collect();
        Ranking { today, fresh }
    }

    fn score(&self, tables: &SegmentTables, doc: DocId, relevance: Score) -> Score {
        let age = (self.today - tables.updated_day[doc as usize] as i64).max(0) as usize;
        let fresh = self.fresh[age.min(FRESH_TABLE_DAYS)];
        let expired = (tables.valid_day[doc as usize] as i64) < self.today;
        relevance * fresh * if expired { EXPIRED } else { 1.0 }
    }
}

/// A match in the running for the page; the heap keeps the worst on top.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: Score,
    address: DocAddress,
}

impl Candidate {
    /// Better first: higher score, then earlier document (so pages are stable).
    fn rank(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
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

/// Counts matches, tallies their facet values and keeps the best `keep` of them.
pub struct Gather {
    tables: Vec<Arc<SegmentTables>>,
    ranking: Arc<Ranking>,
    keep: usize,
}

/// What [`Gather`] found.
pub struct Gathered {
    pub total: usize,
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
            ranking: Arc::new(Ranking::new(today)),
            keep,
        }
    }
}

pub struct SegmentGather {
    segment: u32,
    tables: Arc<SegmentTables>,
    ranking: Arc<Ranking>,
    keep: usize,
    total: usize,
    counts: Vec<Vec<u64>>,
    candidates: BinaryHeap<Candidate>,
}

/// One segment's findings; ordinals are named only when segments are merged.
pub struct SegmentGathered {
    tables: Arc<SegmentTables>,
    total: usize,
    counts: Vec<Vec<u64>>,
    candidates: BinaryHeap<Candidate>,
}

impl Collector for Gather {
    type Fruit = Gathered;
    type Child = SegmentGather;

    fn for_segment(&self, segment: u32, _reader: &SegmentReader) -> tantivy::Result<SegmentGather> {
        let tables = self.tables.get(segment as usize).cloned().ok_or_else(|| {
            tantivy::TantivyError::InternalError(format!("no tables for segment {segment}"))
        })?;
        let counts = tables
            .facets
            .iter()
            .map(|f| vec![0; f.names.len()])
            .collect();
        Ok(SegmentGather {
            segment,
            tables,
            ranking: self.ranking.clone(),
            keep: self.keep,
            total: 0,
            counts,
            candidates: BinaryHeap::with_capacity(self.keep + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, segments: Vec<SegmentGathered>) -> tantivy::Result<Gathered> {
        let mut total = 0;
        let mut counts: Counts = vec![BTreeMap::new(); FACET_FIELDS.len()];
        let mut candidates = BinaryHeap::with_capacity(self.keep + 1);
        for segment in segments {
            total += segment.total;
            for ((named, column), ords) in counts
                .iter_mut()
                .zip(&segment.tables.facets)
                .zip(segment.counts)
            {
                for (ord, count) in ords.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                    if let Some(name) = column.names.get(ord) {
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
        Ok(Gathered { total, counts, top })
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

impl SegmentCollector for SegmentGather {
    type Fruit = SegmentGathered;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        for (column, counts) in self.tables.facets.iter().zip(&mut self.counts) {
            for &ord in column.ords(doc) {
                counts[ord as usize] += 1;
            }
        }
        if self.keep > 0 {
            let candidate = Candidate {
                score: self.ranking.score(&self.tables, doc, score),
                address: DocAddress::new(self.segment, doc),
            };
            offer(&mut self.candidates, candidate, self.keep);
        }
    }

    fn harvest(self) -> SegmentGathered {
        SegmentGathered {
            tables: self.tables,
            total: self.total,
            counts: self.counts,
            candidates: self.candidates,
        }
    }
}

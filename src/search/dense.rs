//! Terms held by a large share of a segment's records, kept as bitsets.
//!
//! A query's filters and the terms that admit its words are asked, for each candidate record,
//! whether they hold it. For a term in a sixteenth of all records or more — the status
//! `active`, a group such as loan ≈ credit ≈ rin, the key of "training" — each such question
//! decoded a fresh block of 128 postings, because candidates are far apart. A bitset answers
//! it with one bit. So such a term is read once per segment into a bitset, kept in a cache
//! shared by all searches (segments never change once written; least recently used bitsets go
//! first when the cache is full), and asked from there. Terms that score by frequency (BM25)
//! are not affected: only terms that admit or filter at a constant score are.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::postings::TermInfo;
use tantivy::query::{ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

/// A term in at least one record in this many becomes a bitset.
const DENSE_ONE_IN: u32 = 16;
/// Smaller segments are read from their postings: a bitset would save little there.
const DENSE_MIN_RECORDS: u32 = 65_536;
/// Bytes of bitsets kept: 64 MiB is about 400 dense terms of a segment of a million records.
const CACHE_BYTES: usize = 64 << 20;

/// The dense terms' bitsets of the segments searched lately.
#[derive(Default)]
pub struct DenseTerms {
    cache: Mutex<Cache>,
}

#[derive(Default)]
struct Cache {
    bits: HashMap<(SegmentId, Term), (Arc<Bits>, u64)>,
    bytes: usize,
    /// Counts lookups, to tell which bitset was used least recently.
    clock: u64,
}

impl DenseTerms {
    fn get(&self, segment: SegmentId, term: &Term) -> Option<Arc<Bits>> {
        let mut cache = self.lock();
        cache.clock += 1;
        let now = cache.clock;
        let (bits, used) = cache.bits.get_mut(&(segment, term.clone()))?;
        *used = now;
        Some(bits.clone())
    }

    fn keep(&self, segment: SegmentId, term: Term, bits: Arc<Bits>) {
        let mut cache = self.lock();
        let size = bits.bytes();
        while cache.bytes + size > CACHE_BYTES && !cache.bits.is_empty() {
            let oldest = cache
                .bits
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(key, _)| key.clone());
            if let Some((_, (gone, _))) = oldest.and_then(|key| cache.bits.remove_entry(&key)) {
                cache.bytes -= gone.bytes();
            }
        }
        cache.clock += 1;
        let now = cache.clock;
        if cache.bits.insert((segment, term), (bits, now)).is_none() {
            cache.bytes += size;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Records holding a term, at a constant score; dense terms are answered from a bitset.
#[derive(Clone)]
pub struct ConstTerm {
    term: Term,
    score: Score,
    dense: Arc<DenseTerms>,
}

impl std::fmt::Debug for ConstTerm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ConstTerm({:?}, {})", self.term, self.score)
    }
}

impl ConstTerm {
    pub fn new(term: Term, score: Score, dense: &Arc<DenseTerms>) -> Self {
        ConstTerm {
            term,
            score,
            dense: dense.clone(),
        }
    }
}

impl Query for ConstTerm {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

impl Weight for ConstTerm {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let index = reader.inverted_index(self.term.field())?;
        let Some(info) = index.get_term_info(&self.term)? else {
            return Ok(Box::new(EmptyScorer));
        };
        let score = self.score * boost;
        if !is_dense(&info, reader.max_doc()) {
            let postings = index.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
            return Ok(Box::new(ConstScorer::new(postings, score)));
        }
        let segment = reader.segment_id();
        let bits = match self.dense.get(segment, &self.term) {
            Some(bits) => bits,
            None => {
                // Read outside the cache's lock; two searches may both read it, once.
                let bits = Arc::new(Bits::read(reader, &info, &self.term)?);
                self.dense.keep(segment, self.term.clone(), bits.clone());
                bits
            }
        };
        Ok(Box::new(ConstScorer::new(BitsDocSet::new(bits), score)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not hold {:?}",
                self.term
            )));
        }
        Ok(Explanation::new("constant for the term", scorer.score()))
    }
}

fn is_dense(info: &TermInfo, max_doc: u32) -> bool {
    max_doc >= DENSE_MIN_RECORDS && info.doc_freq >= max_doc / DENSE_ONE_IN
}

/// One bit per record of a segment.
pub struct Bits {
    words: Vec<u64>,
    holders: u32,
}

impl Bits {
    fn read(reader: &SegmentReader, info: &TermInfo, term: &Term) -> tantivy::Result<Self> {
        let index = reader.inverted_index(term.field())?;
        let mut postings =
            index.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
        let mut words = vec![0u64; (reader.max_doc() as usize).div_ceil(64)];
        loop {
            let docs = postings.docs();
            if docs.is_empty() {
                break;
            }
            for &doc in docs {
                if let Some(word) = words.get_mut(doc as usize / 64) {
                    *word |= 1 << (doc % 64);
                }
            }
            postings.advance();
        }
        Ok(Bits {
            words,
            holders: info.doc_freq,
        })
    }

    fn bytes(&self) -> usize {
        self.words.len() * 8
    }

    /// The first record at or after `target` that holds the term.
    fn next_from(&self, target: DocId) -> DocId {
        let mut index = target as usize / 64;
        let Some(&first) = self.words.get(index) else {
            return TERMINATED;
        };
        let mut word = first & (u64::MAX << (target % 64));
        loop {
            if word != 0 {
                return (index * 64) as DocId + word.trailing_zeros();
            }
            index += 1;
            match self.words.get(index) {
                Some(&next) => word = next,
                None => return TERMINATED,
            }
        }
    }
}

struct BitsDocSet {
    bits: Arc<Bits>,
    doc: DocId,
}

impl BitsDocSet {
    fn new(bits: Arc<Bits>) -> Self {
        let doc = bits.next_from(0);
        BitsDocSet { bits, doc }
    }
}

impl DocSet for BitsDocSet {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.bits.next_from(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.bits.next_from(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.bits.holders
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    /// 100,000 records: "common" in every third, "rare" in every thousandth.
    fn index() -> tantivy::Result<(Index, tantivy::schema::Field)> {
        let mut builder = Schema::builder();
        let word = builder.add_text_field("word", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 30_000_000)?;
        for n in 0..100_000u32 {
            let mut doc = TantivyDocument::new();
            if n % 3 == 0 {
                doc.add_text(word, "common");
            }
            if n % 1000 == 7 {
                doc.add_text(word, "rare");
            }
            writer.add_document(doc)?;
        }
        writer.commit()?;
        Ok((index, word))
    }

    #[test]
    fn a_dense_term_is_answered_from_its_bitset_exactly_as_from_its_postings() -> tantivy::Result<()>
    {
        let (index, word) = index()?;
        let searcher = index.reader()?.searcher();
        let dense = Arc::new(DenseTerms::default());
        let common = ConstTerm::new(Term::from_field_text(word, "common"), 0.5, &dense);
        let rare = ConstTerm::new(Term::from_field_text(word, "rare"), 1.0, &dense);
        assert_eq!(searcher.search(&common, &Count)?, 33_334);
        assert_eq!(searcher.search(&rare, &Count)?, 100);
        // Only the dense one was kept as a bitset, and a second search reuses it.
        assert_eq!(dense.lock().bits.len(), 1);
        assert_eq!(searcher.search(&common, &Count)?, 33_334);
        assert_eq!(dense.lock().bits.len(), 1);

        // Seeking through the bitset lands where the postings do.
        let reader = &searcher.segment_readers()[0];
        let mut from_bits = common.scorer(reader, 1.0)?;
        let index = reader.inverted_index(word)?;
        let info = index
            .get_term_info(&common.term)?
            .expect("the term is there");
        let mut from_postings =
            index.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
        for target in [0, 1, 4, 64, 65, 127, 129, 9_999, 99_998, 99_999] {
            // Seeking is only asked for at or past the current document.
            let (bits_at, postings_at) = (from_bits.doc(), from_postings.doc());
            assert_eq!(bits_at, postings_at, "before {target}");
            if postings_at < target {
                assert_eq!(
                    from_bits.seek(target),
                    from_postings.seek(target),
                    "{target}"
                );
            }
        }
        assert_eq!(from_bits.advance(), TERMINATED);
        assert_eq!(from_bits.score(), 0.5);

        let top = searcher.search(&rare, &TopDocs::with_limit(3).order_by_score())?;
        assert_eq!(
            top.iter().map(|(_, a)| a.doc_id).collect::<Vec<_>>(),
            [7, 1007, 2007]
        );
        Ok(())
    }

    #[test]
    fn the_cache_lets_the_least_recently_used_bitsets_go() {
        let dense = DenseTerms::default();
        let field = tantivy::schema::Field::from_field_id(0);
        let segment = SegmentId::generate_random();
        let big = || {
            Arc::new(Bits {
                words: vec![0; CACHE_BYTES / 8 / 3],
                holders: 0,
            })
        };
        let term = |text: &str| Term::from_field_text(field, text);
        dense.keep(segment, term("a"), big());
        dense.keep(segment, term("b"), big());
        dense.keep(segment, term("c"), big());
        assert!(dense.get(segment, &term("a")).is_some());
        dense.keep(segment, term("d"), big());
        // "b" was used least recently: "a" was looked up after it.
        assert!(dense.get(segment, &term("b")).is_none());
        assert!(dense.get(segment, &term("a")).is_some());
        assert!(dense.get(segment, &term("d")).is_some());
        assert!(dense.lock().bytes <= CACHE_BYTES);
    }
}

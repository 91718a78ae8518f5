//! The query of a search — every word, under the filters — and the loop that runs it, which
//! works out a record's score only when the record could still make the page.
//!
//! Each word admits records by a few terms (see `query::word_clause`) and earns more by
//! others: the exact word, its phonetic key, its key in a title. Those bonus terms were most of
//! the cost of a query that matched many records: every match sought each of them in its
//! posting list. But a bonus can add at most its BM25 ceiling (the term's weight when its
//! frequency grows without bound), so once the page is full, a match whose admitted score plus
//! the ceilings of the bonuses not yet sought cannot beat the last record on the page is only
//! counted (for the total and the facets), not scored further. Bonuses are sought largest
//! ceiling first — a title key, usually — so the bound falls fast. The page, the total and the
//! facet counts are exactly what scoring every match gives; a test holds the two side by side.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{
    Bm25StatisticsProvider, BoostQuery, EnableScoring, Explanation, Query, Scorer, TermQuery,
    Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, TantivyError, Term};

use super::facets::{Gather, Gathered, SegmentGathered};
use super::seeking::explain_score;

/// BM25's `k1` as tantivy uses it: a term's score is below `idf · (1 + k1) · boost`.
const BM25_K1: Score = 1.2;
/// Room for rounding in the ceilings, so that a bound is never below a true score.
const CEILING_MARGIN: Score = 1.0 + 1e-4;

/// One query word: the records it admits (with the score that earns) and the terms that add
/// to the score of an admitted record, each with its boost.
#[derive(Debug)]
pub struct WordClause {
    pub admit: Box<dyn Query>,
    /// The most `admit` scores a record (at least; never less than it can give).
    pub admit_ceiling: Score,
    pub bonuses: Vec<(Term, Score)>,
}

impl Clone for WordClause {
    fn clone(&self) -> Self {
        WordClause {
            admit: self.admit.box_clone(),
            admit_ceiling: self.admit_ceiling,
            bonuses: self.bonuses.clone(),
        }
    }
}

/// Records that every word admits and every filter lets through, scored as the sum of what
/// each word admits them with and the bonuses they hold. Filters do not score. With no words,
/// every record the filters let through scores 1, so that freshness and expiry order them.
#[derive(Debug)]
pub struct AllWords {
    words: Vec<WordClause>,
    filters: Vec<Box<dyn Query>>,
}

impl Clone for AllWords {
    fn clone(&self) -> Self {
        AllWords {
            words: self.words.clone(),
            filters: self.filters.iter().map(|f| f.box_clone()).collect(),
        }
    }
}

impl AllWords {
    /// With no words, everything the filters let through, each scoring 1.
    pub fn new(words: Vec<WordClause>, filters: Vec<Box<dyn Query>>) -> Self {
        AllWords { words, filters }
    }

    fn all_words_weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<AllWordsWeight> {
        let admits = self
            .words
            .iter()
            .map(|word| word.admit.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        let filters = self
            .filters
            .iter()
            .map(|filter| filter.weight(without_scoring(scoring)))
            .collect::<tantivy::Result<_>>()?;
        let mut bonuses = Vec::new();
        if let EnableScoring::Enabled {
            statistics_provider,
            ..
        } = scoring
        {
            for (term, boost) in self.words.iter().flat_map(|word| &word.bonuses) {
                bonuses.push(BonusWeight::new(
                    scoring,
                    statistics_provider,
                    term,
                    *boost,
                )?);
            }
        }
        // Largest ceiling first: the bound on what is left then falls fastest.
        bonuses.sort_by(|a, b| b.ceiling.total_cmp(&a.ceiling));
        let admit_ceiling = self.words.iter().map(|w| w.admit_ceiling).sum::<Score>();
        Ok(AllWordsWeight {
            admits,
            admit_ceiling: admit_ceiling * CEILING_MARGIN,
            filters,
            bonuses,
        })
    }
}

/// `scoring` without scoring: filters never score, and would otherwise look up statistics.
fn without_scoring<'a>(scoring: EnableScoring<'a>) -> EnableScoring<'a> {
    match scoring {
        EnableScoring::Enabled { searcher, .. } => EnableScoring::disabled_from_searcher(searcher),
        disabled => disabled,
    }
}

impl Query for AllWords {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.all_words_weight(scoring)?))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for word in &self.words {
            word.admit.query_terms(visitor);
            for (term, _) in &word.bonuses {
                visitor(term, false);
            }
        }
    }
}

struct BonusWeight {
    weight: Box<dyn Weight>,
    /// Above any score the term gives a record.
    ceiling: Score,
}

impl BonusWeight {
    fn new(
        scoring: EnableScoring<'_>,
        statistics: &dyn Bm25StatisticsProvider,
        term: &Term,
        boost: Score,
    ) -> tantivy::Result<Self> {
        let query = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
        let weight = BoostQuery::new(Box::new(query), boost).weight(scoring)?;
        // BM25 is idf · (1 + k1) · boost · tf / (tf + norm), and tf / (tf + norm) < 1.
        let docs = statistics.total_num_docs()?;
        let holders = statistics.doc_freq(term)?.min(docs);
        let idf = (1.0 + ((docs - holders) as Score + 0.5) / (holders as Score + 0.5)).ln();
        let ceiling = idf * (1.0 + BM25_K1) * boost * CEILING_MARGIN;
        Ok(BonusWeight { weight, ceiling })
    }
}

struct AllWordsWeight {
    admits: Vec<Box<dyn Weight>>,
    /// Above what the admissions of all words together score a record.
    admit_ceiling: Score,
    filters: Vec<Box<dyn Weight>>,
    bonuses: Vec<BonusWeight>,
}

impl AllWordsWeight {
    fn all_words_scorer(&self, reader: &SegmentReader) -> tantivy::Result<AllWordsScorer> {
        let mut required = Vec::with_capacity(self.admits.len() + self.filters.len());
        for (scores, weight) in self
            .admits
            .iter()
            .map(|w| (true, w))
            .chain(self.filters.iter().map(|w| (false, w)))
        {
            required.push(Required {
                scorer: weight.scorer(reader, 1.0)?,
                scores,
            });
        }
        if required.is_empty() {
            let everything = tantivy::query::AllScorer::new(reader.max_doc());
            required.push(Required {
                scorer: Box::new(everything),
                scores: false,
            });
        }
        // The rarest leads; the others are asked about its documents.
        required.sort_by_key(|clause| clause.scorer.cost());
        // Made last first, to add up the ceilings from each bonus on; absent terms are left out.
        let mut bonuses: Vec<Bonus> = Vec::with_capacity(self.bonuses.len());
        for bonus in self.bonuses.iter().rev() {
            let scorer = bonus.weight.scorer(reader, 1.0)?;
            if scorer.doc() != TERMINATED {
                let after = bonuses.last().map_or(0.0, |b| b.ceilings_from_here);
                let ceilings_from_here = after + bonus.ceiling;
                bonuses.push(Bonus {
                    scorer,
                    ceilings_from_here,
                });
            }
        }
        bonuses.reverse();
        let mut scorer = AllWordsScorer {
            required,
            bonuses,
            base: if self.admits.is_empty() { 1.0 } else { 0.0 },
            admit_ceiling: self.admit_ceiling,
            doc: 0,
        };
        let first = scorer.required[0].scorer.doc();
        scorer.doc = scorer.align(first);
        Ok(scorer)
    }
}

impl Weight for AllWordsWeight {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.all_words_scorer(reader)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_score(
            self.scorer(reader, 1.0)?,
            doc,
            "what every word admits with, plus the bonuses held",
        )
    }
}

struct Required {
    scorer: Box<dyn Scorer>,
    /// A word's admission scores; a filter's does not.
    scores: bool,
}

struct Bonus {
    scorer: Box<dyn Scorer>,
    /// This bonus's ceiling and those of all after it.
    ceilings_from_here: Score,
}

pub struct AllWordsScorer {
    /// Rarest first.
    required: Vec<Required>,
    /// Largest ceiling first.
    bonuses: Vec<Bonus>,
    /// What every match scores before its words: 1 when there are none.
    base: Score,
    /// Above what the words' admissions score a record.
    admit_ceiling: Score,
    doc: DocId,
}

impl AllWordsScorer {
    /// The first document at or after `candidate` that every required clause matches.
    fn align(&mut self, mut candidate: DocId) -> DocId {
        'candidates: while candidate != TERMINATED {
            for clause in &mut self.required {
                let mut doc = clause.scorer.doc();
                if doc < candidate {
                    doc = clause.scorer.seek(candidate);
                }
                if doc > candidate {
                    candidate = doc;
                    continue 'candidates;
                }
            }
            return candidate;
        }
        TERMINATED
    }

    /// The current document's score, or `None` if it is sure to be below `bar` (then the
    /// bonuses not yet sought are left alone).
    ///
    /// The bonuses are sought against the ceiling of what the words admit the record with:
    /// working that out asks every word's terms, and most matches of a broad query fall short
    /// of the page before it matters.
    pub fn score_above(&mut self, bar: Score) -> Option<Score> {
        let doc = self.doc;
        let mut bound = self.base + self.admit_ceiling;
        for bonus in &mut self.bonuses {
            if bound + bonus.ceilings_from_here < bar {
                return None;
            }
            let mut at = bonus.scorer.doc();
            if at < doc {
                at = bonus.scorer.seek(doc);
            }
            if at == doc {
                bound += bonus.scorer.score();
            }
        }
        if bound < bar {
            return None;
        }
        // Added up in tantivy's order (admissions, then bonuses), so the score is the same.
        let mut score: Score = self.base;
        for clause in self.required.iter_mut().filter(|clause| clause.scores) {
            score += clause.scorer.score();
        }
        for bonus in self.bonuses.iter_mut().filter(|b| b.scorer.doc() == doc) {
            score += bonus.scorer.score();
        }
        (score >= bar).then_some(score)
    }
}

impl DocSet for AllWordsScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        let next = self.required[0].scorer.advance();
        self.doc = self.align(next);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.align(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.required[0].scorer.size_hint()
    }

    fn cost(&self) -> u64 {
        self.required[0].scorer.cost()
    }
}

impl Scorer for AllWordsScorer {
    fn score(&mut self) -> Score {
        self.score_above(Score::NEG_INFINITY).unwrap_or(0.0)
    }
}

/// Runs `query` and gathers the total, the facet counts and the page (see [`Gather`]),
/// scoring only the matches that could make the page.
pub fn gather(searcher: &Searcher, query: &AllWords, gather: &Gather) -> tantivy::Result<Gathered> {
    let weight = query.all_words_weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut segments: Vec<SegmentGathered> = Vec::with_capacity(searcher.segment_readers().len());
    for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
        let ordinal = u32::try_from(ordinal)
            .map_err(|_| TantivyError::InternalError("too many segments".into()))?;
        let counted: usize = segments.iter().map(|s| s.total).sum();
        let budget = gather.count_limit().saturating_sub(counted);
        let mut segment = gather.segment(ordinal, budget)?;
        let mut scorer = weight.all_words_scorer(reader)?;
        let alive = reader.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                let score = scorer.score_above(segment.bar());
                segment.found(doc, score);
            }
            doc = scorer.advance();
        }
        segments.push(segment.harvest());
    }
    gather.merge_fruits(segments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::facets::{TableCache, add_table_fields};
    use crate::search::schema::NEVER;
    use tantivy::query::ConstScoreQuery;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    /// Records of one to forty words from a small vocabulary, in five districts, updated over
    /// two years, some expired: scores, freshness and expiry all vary.
    fn index() -> tantivy::Result<Index> {
        let mut builder = Schema::builder();
        let (valid, updated) = add_table_fields(&mut builder);
        builder.add_text_field("text", TEXT);
        let schema = builder.build();
        let index = Index::create_in_ram(schema.clone());
        let field = |name: &str| schema.get_field(name);
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 30_000_000)?;
        let words = [
            "loan", "goat", "dairy", "silai", "training", "buyer", "seed", "khad",
        ];
        let mut state: u64 = 7;
        let mut next = |below: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % below
        };
        for n in 0..30_000 {
            let mut doc = TantivyDocument::new();
            doc.add_text(field("type")?, "offering");
            doc.add_text(field("district")?, format!("d{}", next(5)));
            let length = 1 + next(40);
            let text: Vec<&str> = (0..length).map(|_| words[next(8) as usize]).collect();
            doc.add_text(field("text")?, text.join(" "));
            let expired = n % 17 == 0;
            doc.add_i64(valid, if expired { 1_000 } else { NEVER });
            doc.add_i64(updated, 1_000 + next(730) as i64);
            writer.add_document(doc)?;
            if n % 10_000 == 9_999 {
                writer.commit()?;
            }
        }
        writer.commit()?;
        Ok(index)
    }

    fn query(index: &Index, words: &[&str], district: Option<&str>) -> tantivy::Result<AllWords> {
        let schema = index.schema();
        let text = schema.get_field("text")?;
        let term = |word: &str| Term::from_field_text(text, word);
        let clauses = words
            .iter()
            .map(|word| WordClause {
                admit: Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(term(word), IndexRecordOption::Basic)),
                    0.2,
                )),
                admit_ceiling: 0.2,
                bonuses: vec![(term(word), 1.0), (term(word), 2.5)],
            })
            .collect();
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(district) = district {
            let term = Term::from_field_text(schema.get_field("district")?, district);
            filters.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
        }
        Ok(AllWords::new(clauses, filters))
    }

    #[test]
    fn skipping_hopeless_matches_changes_nothing_that_is_found() -> tantivy::Result<()> {
        let index = index()?;
        let searcher = index.reader()?.searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let tables = TableCache::default().for_searcher(&searcher)?;
        let cases: [(&[&str], Option<&str>); 5] = [
            (&["loan"], None),
            (&["goat", "dairy"], None),
            (&["silai", "training", "buyer"], Some("d3")),
            (&["seed"], Some("d0")),
            (&[], Some("d1")),
        ];
        for (words, district) in cases {
            let query = query(&index, words, district)?;
            for keep in [1, 7, 20, 500] {
                let gather = Gather::new(tables.clone(), 1_500, keep).exact_up_to(usize::MAX);
                let skipping = super::gather(&searcher, &query, &gather)?;
                // tantivy's own loop, which scores every match.
                let scoring_all = searcher.search(&query, &gather)?;
                let case = format!("{words:?} in {district:?}, keep {keep}");
                assert!(skipping.total > 1_000, "{case}: {}", skipping.total);
                assert_eq!(skipping.total, scoring_all.total, "{case}");
                assert_eq!(skipping.counts, scoring_all.counts, "{case}");
                assert_eq!(skipping.top.len(), keep.min(skipping.total), "{case}");
                assert_eq!(skipping.top, scoring_all.top, "{case}");
                assert!(skipping.exact, "{case}");
                // Counting stops at a bound; the page is still the best of all matches.
                for bound in [0, 1, 999, skipping.total] {
                    let bounded = Gather::new(tables.clone(), 1_500, keep).exact_up_to(bound);
                    let bounded = super::gather(&searcher, &query, &bounded)?;
                    assert_eq!(bounded.total, bound, "{case}, bound {bound}");
                    assert_eq!(bounded.exact, bound == skipping.total, "{case}, {bound}");
                    let types: u64 = bounded.counts[0].values().sum();
                    assert_eq!(types, bound as u64, "{case}, bound {bound}");
                    assert_eq!(bounded.top, skipping.top, "{case}, bound {bound}");
                }
                if words.is_empty() {
                    // Every record is as relevant: the page is the fresh ones, none expired.
                    assert!(
                        skipping.top.iter().all(|(score, _)| *score >= 1.0),
                        "{case}"
                    );
                    assert!(skipping.top[0].0 > 1.09, "{case}: {:?}", skipping.top[0]);
                }
            }
        }
        Ok(())
    }
}

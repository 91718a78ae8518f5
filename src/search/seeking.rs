//! A union that moves its clauses by seeking: [`SeekingUnion`].
//!
//! tantivy's own union reads every posting of every clause, 4,096 documents at a time, into a
//! buffer. That is the right plan when the union drives the search, and a costly one when it is
//! one side of an intersection with something narrower — a district filter, a rarer word — which
//! only asks it about a few documents: a common word such as "loan" (a group token and a key,
//! each in hundreds of thousands of records) was then read in full for a query that matched a
//! few hundred. This union instead moves each clause with `seek`, which skips whole blocks of
//! postings, so it costs what the intersection asks of it. (The terms that only add to the
//! score of a record already found are sought the same way, in [`super::all_words`].)

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

/// Matches what any of its clauses matches, scoring the sum of the clauses that match.
#[derive(Debug)]
pub struct SeekingUnion {
    clauses: Vec<Box<dyn Query>>,
}

impl SeekingUnion {
    pub fn new(clauses: Vec<Box<dyn Query>>) -> Self {
        SeekingUnion { clauses }
    }

    /// The union of `clauses`, or the clause itself when there is only one.
    pub fn of(mut clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        match clauses.len() {
            1 => clauses.remove(0),
            _ => Box::new(SeekingUnion::new(clauses)),
        }
    }
}

impl Clone for SeekingUnion {
    fn clone(&self) -> Self {
        SeekingUnion {
            clauses: self.clauses.iter().map(|c| c.box_clone()).collect(),
        }
    }
}

impl Query for SeekingUnion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .clauses
            .iter()
            .map(|clause| clause.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(SeekingUnionWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct SeekingUnionWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for SeekingUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut clauses = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                clauses.push(scorer);
            }
        }
        let mut union = SeekingUnionScorer {
            clauses,
            doc: TERMINATED,
        };
        union.doc = union.lowest();
        Ok(Box::new(union))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_score(
            self.scorer(reader, 1.0)?,
            doc,
            "sum of the matching clauses",
        )
    }
}

/// The score `scorer` gives `doc`, or an error if it does not match it.
pub(super) fn explain_score(
    mut scorer: Box<dyn Scorer>,
    doc: DocId,
    description: &'static str,
) -> tantivy::Result<Explanation> {
    if scorer.seek(doc) != doc {
        return Err(TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )));
    }
    Ok(Explanation::new(description, scorer.score()))
}

struct SeekingUnionScorer {
    clauses: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl SeekingUnionScorer {
    fn lowest(&self) -> DocId {
        self.clauses
            .iter()
            .map(|clause| clause.doc())
            .min()
            .unwrap_or(TERMINATED)
    }
}

impl DocSet for SeekingUnionScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        for clause in &mut self.clauses {
            if clause.doc() == current {
                clause.advance();
            }
        }
        self.doc = self.lowest();
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for clause in &mut self.clauses {
            if clause.doc() < target {
                clause.seek(target);
            }
        }
        self.doc = self.lowest();
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.clauses
            .iter()
            .fold(0u32, |sum, clause| sum.saturating_add(clause.size_hint()))
    }

    fn cost(&self) -> u64 {
        self.clauses.iter().map(|clause| clause.cost()).sum()
    }
}

impl Scorer for SeekingUnionScorer {
    fn score(&mut self) -> Score {
        let current = self.doc;
        self.clauses
            .iter_mut()
            .filter(|clause| clause.doc() == current)
            .map(|clause| clause.score())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    #[test]
    fn matches_and_scores_like_a_union_also_inside_an_intersection() -> tantivy::Result<()> {
        let mut builder = Schema::builder();
        let word = builder.add_text_field("word", STRING);
        let place = builder.add_text_field("place", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
        for n in 0..20_000u32 {
            let mut doc = TantivyDocument::new();
            doc.add_text(word, ["loan", "rin", "silai"][n as usize % 3]);
            doc.add_text(place, if n % 1000 == 0 { "gaya" } else { "other" });
            writer.add_document(doc)?;
        }
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let term = |field, text: &str, score| -> Box<dyn Query> {
            let query =
                TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic);
            Box::new(ConstScoreQuery::new(Box::new(query), score))
        };
        let finance = || SeekingUnion::new(vec![term(word, "loan", 1.0), term(word, "rin", 2.0)]);
        assert_eq!(searcher.search(&finance(), &Count)?, 13_334);

        let in_gaya = BooleanQuery::new(vec![
            (Occur::Must, Box::new(finance()) as Box<dyn Query>),
            (Occur::Must, term(place, "gaya", 0.0)),
        ]);
        assert_eq!(searcher.search(&in_gaya, &Count)?, 14);
        let top = searcher.search(&in_gaya, &TopDocs::with_limit(20).order_by_score())?;
        let scores: Vec<Score> = top.iter().map(|(score, _)| *score).collect();
        // Documents 1000·k hold loan when k ≡ 0 (mod 3) and rin when k ≡ 1 (mod 3).
        assert_eq!(scores.iter().filter(|s| **s == 2.0).count(), 7);
        assert_eq!(scores.iter().filter(|s| **s == 1.0).count(), 7);

        Ok(())
    }
}

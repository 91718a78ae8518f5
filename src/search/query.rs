//! Turning what someone typed into a tantivy query, and the results into hits, facet counts and
//! highlighted snippets ([`super::snippet`]).
//!
//! The text is never parsed as query syntax: it goes through the same `indic` analyser as the
//! documents, and each word becomes a disjunction built in code — the exact word (a title weighs
//! more than a description), its phonetic key (so romanized and Devanagari spellings meet),
//! fuzzy terms for uncommon words of five letters or more (typos are rare in the data), and the
//! token of each vocabulary group the word (or a phrase it starts or belongs to) is in, at a
//! constant low score — so that exact > phonetic > fuzzy > synonym.
//! Every word must match (a conjunction of those disjunctions); if nothing does, the commonest
//! words are left out one by one, so "Stand-Up India training" still finds Stand-Up India.
//! Filter words ("ke", "liye", "के") are dropped. Filters are exact terms on raw fields and do
//! not score. Finally, offerings past their `valid_until` sink and recently updated records
//! rise a little ([`super::facets`]). Facets are counted over everything the query and filters
//! admit.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query};
use tantivy::schema::{Field, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, Score, Searcher, TantivyDocument, Term};

use super::all_words::{self, AllWords, WordClause};
use super::analysis::{self, Vocabulary};
use super::dense::{ConstTerm, DenseTerms};
use super::error::{SearchError, SearchResult};
use super::facets::{Counts, Gather, Gathered, SegmentTables};
use super::index::SearchIndex;
use super::schema::{ANY_SECTOR, DocType, SearchSchema};
use super::seeking::SeekingUnion;
use super::snippet::Highlighter;
use crate::domain::record::{Status, today_in_india};

/// Boosts of the ways a word can match, relative to an exact match.
const PHONETIC: Score = 0.6;
/// Extra weight of a word (by key) in a title or name, on top of its weight in all text.
const TITLE: Score = 2.0;
const FUZZY: Score = 0.25;
const SYNONYM: Score = 0.2;
/// Extra score of a synonym or near miss found in a title or name: those matches score a
/// constant, and without it a loan whose title says "loan" would rank no higher for "karz"
/// than a record that mentions credit in passing.
const IN_TITLE: Score = 0.2;
/// A word is common (no fuzzy terms) in at least one record in this many, and at least this
/// many records.
const COMMON_PER_DOCS: u64 = 10_000;
const COMMON_AT_LEAST: u64 = 3;
/// Words beyond this many are ignored: nobody types more, and each one costs.
const MAX_WORDS: usize = 12;
pub const MAX_LIMIT: usize = 500;
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_OFFSET: usize = 1_000_000;

/// Filler words in English, Hindi and romanized Hindi, dropped from queries.
const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "for",
    "to",
    "in",
    "on",
    "at",
    "by",
    "with",
    "is",
    "are",
    "ke",
    "ki",
    "ka",
    "ko",
    "se",
    "me",
    "mein",
    "liye",
    "lie",
    "aur",
    "hai",
    "hain",
    "chahiye",
    "के",
    "की",
    "का",
    "को",
    "से",
    "में",
    "लिए",
    "और",
    "है",
    "हैं",
    "चाहिए",
    // Question words and "one's own": a question in Hindi ("अपना सामान कैसे बेचें?") is about
    // its nouns and verbs.
    "kaise",
    "apna",
    "apne",
    "apni",
    "kya",
    "कैसे",
    "अपना",
    "अपने",
    "अपनी",
    "क्या",
];

/// What to search for and which records qualify.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub text: String,
    pub doc_type: Option<DocType>,
    /// A linkage kind (offerings, needs) or a stakeholder kind.
    pub kind: Option<String>,
    pub district: Option<String>,
    pub sector: Option<String>,
    /// Statuses that may appear: public search shows only active records.
    pub statuses: Vec<Status>,
    /// If set, pending records appear only when they list one of these districts (see
    /// [`crate::domain::access::Caller::pending_scope`]).
    pub pending_only_in: Option<Vec<String>>,
    pub limit: usize,
    pub offset: usize,
    /// The Julian day that counts as today for expiry and freshness.
    pub today: i64,
    /// Matches counted (for the total and facets) before counting stops: see
    /// [`super::facets::EXACT_UP_TO`]. Only the benchmark counts further, to compare.
    pub exact_up_to: usize,
}

impl SearchRequest {
    /// A public search for `text`, first page.
    pub fn new(text: impl Into<String>) -> Self {
        SearchRequest {
            text: text.into(),
            doc_type: None,
            kind: None,
            district: None,
            sector: None,
            statuses: vec![Status::Active],
            pending_only_in: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
            today: today_in_india().to_julian_day() as i64,
            exact_up_to: super::facets::EXACT_UP_TO,
        }
    }

    fn check(&self) -> SearchResult<()> {
        if !(1..=MAX_LIMIT).contains(&self.limit) {
            return Err(SearchError::query(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        if self.offset > MAX_OFFSET {
            return Err(SearchError::query(
                "offset",
                format!("must be between 0 and {MAX_OFFSET}"),
            ));
        }
        Ok(())
    }
}

/// One page of hits, the total and the facet counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = SearchResult)]
pub struct SearchResults {
    /// How many records match in all, across pages, counted exactly up to 10,000. Beyond that it
    /// is 10,000 (the matches counted so far) and `total_is_exact` is false; the hits are still
    /// the best of all matches.
    //
    // The limit is [`super::facets::EXACT_UP_TO`].
    #[schema(maximum = 10_000)]
    pub total: usize,
    /// True when `total` counts every match; false when more than 10,000 records match and
    /// counting stopped at 10,000.
    pub total_is_exact: bool,
    /// This page, best first.
    pub hits: Vec<Hit>,
    /// For each facet, how many matching records have each value: over every match, or over the
    /// 10,000 counted in `total` when `facets_are_exact` is false.
    pub facets: Facets,
    /// True when the facet counts cover every match; false when more than 10,000 records match,
    /// and the counts cover the same 10,000 matches as `total`.
    pub facets_are_exact: bool,
    /// `all_words`: every record shown has every query word (in some spelling, script or
    /// synonym). `some_words`: none had them all, so the commonest words were left out one by
    /// one until some record had the rest.
    #[schema(schema_with = matched_words)]
    pub matched: &'static str,
    /// The query words left out (with `some_words`), commonest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<String>,
}

/// The two values of [`SearchResults::matched`].
fn matched_words() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(["all_words", "some_words"]))
        .build()
}

/// One record that matched.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = SearchHit)]
pub struct Hit {
    #[serde(rename = "type")]
    #[schema(value_type = super::schema::DocType)]
    pub doc_type: String,
    pub id: String,
    /// The offering's or need's title, or the stakeholder's name.
    pub title: String,
    /// The stakeholder's name in the local script, when registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub title_local: Option<String>,
    /// A short piece of the text around what matched, as HTML: matched words in `<b>…</b>`,
    /// everything else escaped. (Search gives it as plain text with [`Hit::matched`]; the
    /// HTTP layer writes the markup.)
    pub snippet: String,
    /// The byte ranges of the matched words in `snippet`, as search gives it (before markup).
    #[serde(skip)]
    pub matched: Vec<(usize, usize)>,
    /// Relevance; higher is better. Only for ordering.
    #[schema(value_type = f32)]
    pub score: Score,
    /// A linkage kind for offerings and needs, a stakeholder kind for stakeholders.
    pub kind: String,
    /// The stakeholder the offering or need belongs to (a stakeholder's own id).
    pub stakeholder_id: String,
    /// The offering's or need's stakeholder, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub provider: Option<String>,
    /// District codes the record covers.
    pub districts: Vec<String>,
    /// Sector codes.
    pub sectors: Vec<String>,
    #[schema(value_type = Status)]
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = crate::domain::schema::Date, nullable = false)]
    pub valid_until: Option<String>,
    /// An offering whose `valid_until` has passed.
    pub expired: bool,
}

/// Counts per value over every record the query and filters admit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = SearchFacets)]
pub struct Facets {
    #[serde(rename = "type")]
    pub doc_type: BTreeMap<String, u64>,
    pub kind: BTreeMap<String, u64>,
    pub district: BTreeMap<String, u64>,
    pub sector: BTreeMap<String, u64>,
}

/// One query word with everything it may match as.
#[derive(Debug, Default)]
pub(super) struct Word {
    pub(super) text: String,
    pub(super) keys: Vec<String>,
    /// Synonyms from the vocabulary, each as its normalised words (for highlighting).
    pub(super) synonyms: Vec<Vec<String>>,
    /// The vocabulary groups that cover the word, alone or within a phrase of the query.
    groups: BTreeSet<usize>,
    /// Keys of the word that a single-word group's token already stands beside in the index.
    covered: BTreeSet<String>,
    /// Whether many records hold the word (or its key); only uncommon words get fuzzy terms.
    pub(super) common: bool,
}

impl SearchIndex {
    /// Runs a search. Odd text is searched as words; only bad paging is an error.
    pub fn search(&self, request: &SearchRequest) -> SearchResult<SearchResults> {
        request.check()?;
        let searcher = self.searcher();
        let fields = self.fields();
        let held = |text: &str| {
            let term = Term::from_field_text(fields.text.words, text);
            searcher.doc_freq(&term).unwrap_or(0) > 0
        };
        let mut words = analyse_query(self.index(), self.vocabulary(), &request.text, held);
        for word in &mut words {
            word.common = is_common(&searcher, fields, word);
        }
        let tables = self.tables().for_searcher(&searcher)?;
        let terms = Terms {
            fields,
            dense: self.dense_terms(),
        };
        let filters = terms.filters(request);
        let (mut matched, mut found) = ("all_words", None);
        if !words.is_empty() {
            let all = terms.all_words(&words, &filters);
            found = Some(collect(&searcher, &tables, &all, request)?);
        }
        let mut left_out = Vec::new();
        if words.len() > 1 && found.as_ref().is_some_and(|f| f.total == 0) {
            let fewer = |kept: &[&Word]| {
                let query = terms.all_words(kept.iter().copied(), &filters);
                collect(&searcher, &tables, &query, request)
            };
            if let Some((found_now, dropped)) =
                leave_out_commonest(&searcher, fields, &words, fewer)?
            {
                (found, matched, left_out) = (Some(found_now), "some_words", dropped);
            }
        }
        let Gathered {
            total,
            exact,
            counts,
            top,
        } = match found {
            Some(found) => found,
            None => {
                let everything = AllWords::new(Vec::new(), filters);
                collect(&searcher, &tables, &everything, request)?
            }
        };
        let highlighter = Highlighter::new(&words);
        let hits = top
            .into_iter()
            .map(|(score, address)| hit(&searcher, fields, &highlighter, request, score, address))
            .collect::<SearchResult<Vec<_>>>()?;
        Ok(SearchResults {
            total,
            total_is_exact: exact,
            hits,
            facets: facets(counts),
            facets_are_exact: exact,
            matched,
            left_out,
        })
    }
}

/// The analysed words of `text`, without filler words (unless that would leave none), and a
/// word no record holds split in two where both halves are words records hold
/// ([`split_run_together`]). `held` says whether any record holds a word as written.
pub(super) fn analyse_query(
    index: &Index,
    vocabulary: &Vocabulary,
    text: &str,
    held: impl Fn(&str) -> bool,
) -> Vec<Word> {
    let mut texts: Vec<String> = analyse(index, analysis::INDIC, text)
        .into_iter()
        .flat_map(|word| split_run_together(word, &held))
        .collect();
    texts.dedup();
    let meaningful: Vec<String> = texts
        .iter()
        .filter(|w| !STOPWORDS.contains(&String::as_str(w)))
        .cloned()
        .collect();
    let mut texts = if meaningful.is_empty() {
        texts
    } else {
        meaningful
    };
    texts.truncate(MAX_WORDS);
    let mut words: Vec<Word> = texts
        .iter()
        .map(|text| Word {
            keys: analyse(index, analysis::INDIC_PHONETIC, text),
            text: text.clone(),
            ..Word::default()
        })
        .collect();
    // A phrase that covers several query words (such as "bakri palan") is offered to each of
    // them, so its synonyms can stand in for all of them.
    for expansion in vocabulary.expand(&texts) {
        let end = expansion.end.min(words.len());
        for word in words.iter_mut().take(end).skip(expansion.start) {
            word.groups.insert(expansion.group);
            word.synonyms.extend(expansion.alternatives.iter().cloned());
            if end - expansion.start == 1 {
                word.covered.insert(analysis::phonetic_key(&word.text));
            }
        }
    }
    words
}

/// Shortest halves of a run-together word that are split off.
const MIN_HALF: usize = 3;
/// Words shorter than this are not split (a short unknown word is more likely a typo).
const MIN_RUN_TOGETHER: usize = 8;

/// English compounds typed without their hyphen or space ("handknotted", "collateralfree") as
/// the two words records hold, if no record holds the word itself; the split with the longest
/// first half wins. Latin letters only: Devanagari words are not compounded this way in the
/// data, and their vowel signs do not split cleanly.
fn split_run_together(word: String, held: impl Fn(&str) -> bool) -> Vec<String> {
    let splittable = word.len() >= MIN_RUN_TOGETHER && word.bytes().all(|b| b.is_ascii_lowercase());
    if !splittable || held(&word) {
        return vec![word];
    }
    (MIN_HALF..=word.len() - MIN_HALF)
        .rev()
        .map(|at| word.split_at(at))
        .find(|(first, second)| held(first) && held(second))
        .map(|(first, second)| vec![first.to_string(), second.to_string()])
        .unwrap_or_else(|| vec![word])
}

/// The tokens `analyser` makes of `text`.
fn analyse(index: &Index, analyser: &str, text: &str) -> Vec<String> {
    let Some(mut analyser) = index.tokenizers().get(analyser) else {
        return Vec::new();
    };
    tokens(&mut analyser, text)
}

fn tokens(analyser: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    analyser
        .token_stream(text)
        .process(&mut |token| tokens.push(token.text.clone()));
    tokens
}

/// Edits a typo of this word may contain: none below five letters, one up to seven, then two.
pub(super) fn fuzzy_distance(word: &str) -> Option<u8> {
    match word.chars().count() {
        0..=4 => None,
        5..=7 => Some(1),
        _ => Some(2),
    }
}

/// Everything one query word may match, and what a record earns for each way it matches.
///
/// Which records the word admits is decided by as few terms as possible: the token of each
/// vocabulary group the word is in (a single-word group's token stands beside every spelling
/// with the same key, so it covers the word's own key), the word's key if no group covers it,
/// and fuzzy terms. That set scores the synonym constant. Everything else a record earns — the
/// exact word anywhere, its key anywhere, its key in a title (weighed twice: the title counts
/// three times a description) — is added one term at a time, only for records that every word
/// admitted: a term is then visited by seeking, not read in full, which matters for common
/// words such as "loan" that are in a third of all records. (The exact word in a title is not a
/// term of its own: it cost a tenth of the query time and changed no ranking in the tests.)
fn word_clause(terms: &Terms, word: &Word) -> WordClause {
    let (fields, term) = (terms.fields, Term::from_field_text);
    let mut bonuses = vec![(term(fields.text.words, &word.text), 1.0)];
    for key in &word.keys {
        bonuses.push((term(fields.text.keys, key), PHONETIC));
        bonuses.push((term(fields.head.keys, key), TITLE));
    }
    let (admit, admit_ceiling) = admit_clause(terms, word);
    WordClause {
        admit,
        admit_ceiling,
        bonuses,
    }
}

/// The records a word admits (see [`word_clause`]), scoring the synonym constant, or the fuzzy
/// boost for a near miss; and the most that scores (each term scores a constant, and a union
/// adds up the terms a record holds).
fn admit_clause(terms: &Terms, word: &Word) -> (Box<dyn Query>, Score) {
    let (keys, title_keys) = (terms.fields.text.keys, terms.fields.head.keys);
    let mut admit: Vec<Box<dyn Query>> = Vec::new();
    let mut ceiling = 0.0;
    for &group in &word.groups {
        let token = analysis::group_token(group);
        admit.push(terms.constant(keys, &token, SYNONYM));
        // Titles are in all text too, so this adds to a record's score without admitting more.
        admit.push(terms.constant(title_keys, &token, IN_TITLE));
        ceiling += SYNONYM + IN_TITLE;
    }
    for key in word.keys.iter().filter(|key| !word.covered.contains(*key)) {
        admit.push(terms.constant(keys, key, 0.0));
    }
    if !word.common {
        for (fuzzy, boost) in fuzzy_clauses(terms.fields, word) {
            admit.push(fuzzy);
            ceiling += boost;
        }
    }
    (SeekingUnion::of(admit), ceiling)
}

/// When no record has every word: leaves out the commonest words, one at a time, until `search`
/// finds something among the rest; returns what it found and the words left out. The rarer
/// words say most about what is wanted, and counts over them stay meaningful (counts over every
/// record with "loan" would not). If even the rarest word alone finds nothing (a typo nothing
/// resembles), the other words are tried alone, rarest first.
fn leave_out_commonest(
    searcher: &Searcher,
    fields: &SearchSchema,
    words: &[Word],
    mut search: impl FnMut(&[&Word]) -> SearchResult<Gathered>,
) -> SearchResult<Option<(Gathered, Vec<String>)>> {
    let mut commonest_first: Vec<&Word> = words.iter().collect();
    commonest_first.sort_by_cached_key(|word| std::cmp::Reverse(holders(searcher, fields, word)));
    let count = words.len();
    let fewer_and_fewer = (1..count).map(|dropped| (dropped..count).collect::<Vec<_>>());
    let each_alone = (0..count.saturating_sub(1)).rev().map(|alone| vec![alone]);
    for kept in fewer_and_fewer.chain(each_alone) {
        let kept_words: Vec<&Word> = kept.iter().map(|&i| commonest_first[i]).collect();
        let found = search(&kept_words)?;
        if found.total > 0 {
            let left_out = (0..count)
                .filter(|i| !kept.contains(i))
                .map(|i| commonest_first[i].text.clone())
                .collect();
            return Ok(Some((found, left_out)));
        }
    }
    Ok(None)
}

/// About how many records hold the word: the most of any one of the terms that admit it.
fn holders(searcher: &Searcher, fields: &SearchSchema, word: &Word) -> u64 {
    let terms = word.groups.iter().map(|&g| analysis::group_token(g));
    terms
        .chain(word.keys.iter().cloned())
        .map(|text| Term::from_field_text(fields.text.keys, &text))
        .map(|term| searcher.doc_freq(&term).unwrap_or(0))
        .max()
        .unwrap_or(0)
}

/// Whether the word (or its key) is in many records. Fuzzy terms are only for words that are
/// not: a typo is rare in the data, while a common word has its own matches, and fuzzy terms
/// are the costliest part of a query.
fn is_common(searcher: &Searcher, fields: &SearchSchema, word: &Word) -> bool {
    let threshold = (searcher.num_docs() / COMMON_PER_DOCS).max(COMMON_AT_LEAST);
    let holds = |field: Field, text: &str| {
        let term = Term::from_field_text(field, text);
        searcher.doc_freq(&term).unwrap_or(0) >= threshold
    };
    // Titles are in `text` too, so it alone tells.
    let text = fields.text;
    holds(text.words, &word.text) || word.keys.iter().any(|key| holds(text.keys, key))
}

/// Fuzzy terms on all of a record's words, for the word and for its phonetic key, each with
/// its boost (a fuzzy term scores its boost: it does not weigh how often it occurs).
fn fuzzy_clauses(fields: &SearchSchema, word: &Word) -> Vec<(Box<dyn Query>, Score)> {
    let mut clauses: Vec<(Box<dyn Query>, Score)> = Vec::new();
    let mut push = |term: Term, distance: u8, boost: Score| {
        let fuzzy = FuzzyTermQuery::new(term, distance, true);
        clauses.push((Box::new(BoostQuery::new(Box::new(fuzzy), boost)), boost));
    };
    let text = fields.text;
    if let Some(distance) = fuzzy_distance(&word.text) {
        push(
            Term::from_field_text(text.words, &word.text),
            distance,
            FUZZY,
        );
    }
    for key in &word.keys {
        if key.chars().count() >= 4 {
            push(Term::from_field_text(text.keys, key), 1, FUZZY * PHONETIC);
            // In a title as well: adds to the score, admits nothing more (see `IN_TITLE`).
            push(Term::from_field_text(fields.head.keys, key), 1, IN_TITLE);
        }
    }
    clauses
}

/// Makes the terms of a query that score a constant (or nothing): the index's fields, and its
/// cache of dense terms that answers them.
struct Terms<'a> {
    fields: &'a SearchSchema,
    dense: &'a Arc<DenseTerms>,
}

impl Terms<'_> {
    /// Records with `value` in `field`, scoring `score`.
    fn constant(&self, field: Field, value: &str, score: Score) -> Box<dyn Query> {
        let term = Term::from_field_text(field, value);
        Box::new(ConstTerm::new(term, score, self.dense))
    }

    fn any_of(&self, field: Field, values: &[&str]) -> Box<dyn Query> {
        let each = values.iter().map(|v| self.constant(field, v, 0.0));
        SeekingUnion::of(each.collect())
    }

    /// The statuses a request admits; pending records only in the districts it allows them.
    fn statuses(&self, request: &SearchRequest) -> Box<dyn Query> {
        let status = self.fields.status;
        let codes: Vec<&str> = request.statuses.iter().map(|s| s.as_str()).collect();
        let Some(districts) = request
            .pending_only_in
            .as_ref()
            .filter(|_| request.statuses.contains(&Status::Pending))
        else {
            return self.any_of(status, &codes);
        };
        let others: Vec<&str> = codes
            .into_iter()
            .filter(|&code| code != Status::Pending.as_str())
            .collect();
        let districts: Vec<&str> = districts.iter().map(String::as_str).collect();
        let pending_here = BooleanQuery::new(vec![
            (
                Occur::Must,
                self.constant(status, Status::Pending.as_str(), 0.0),
            ),
            (Occur::Must, self.any_of(self.fields.district, &districts)),
        ]);
        SeekingUnion::of(vec![self.any_of(status, &others), Box::new(pending_here)])
    }

    /// Every word, each as its [`word_clause`], under the filters.
    fn all_words<'w>(
        &self,
        words: impl IntoIterator<Item = &'w Word>,
        filters: &[Box<dyn Query>],
    ) -> AllWords {
        let clauses = words.into_iter().map(|word| word_clause(self, word));
        let filters = filters.iter().map(|filter| filter.box_clone()).collect();
        AllWords::new(clauses.collect(), filters)
    }

    /// The filters of a request (they do not score: see [`AllWords`]).
    fn filters(&self, request: &SearchRequest) -> Vec<Box<dyn Query>> {
        let fields = self.fields;
        let mut filters = vec![self.statuses(request)];
        if let Some(doc_type) = request.doc_type {
            filters.push(self.constant(fields.doc_type, doc_type.as_str(), 0.0));
        }
        if let Some(kind) = &request.kind {
            filters.push(self.constant(fields.kind, kind, 0.0));
        }
        if let Some(district) = &request.district {
            filters.push(self.constant(fields.district, district, 0.0));
        }
        if let Some(sector) = &request.sector {
            // An offering for every sector serves this one too.
            filters.push(self.any_of(fields.sector, &[sector, ANY_SECTOR]));
        }
        filters
    }
}

/// Total, facet counts and the requested page, in one pass over the matches.
fn collect(
    searcher: &Searcher,
    tables: &[Arc<SegmentTables>],
    query: &AllWords,
    request: &SearchRequest,
) -> SearchResult<Gathered> {
    let keep = request.offset + request.limit;
    let gather = Gather::new(tables.to_vec(), request.today, keep).exact_up_to(request.exact_up_to);
    let mut found = all_words::gather(searcher, query, &gather)?;
    found.top.drain(..request.offset.min(found.top.len()));
    Ok(found)
}

fn facets(counts: Counts) -> Facets {
    let mut counts = counts.into_iter();
    let mut next = || counts.next().unwrap_or_default();
    let (doc_type, kind, district, mut sector) = (next(), next(), next(), next());
    sector.remove(ANY_SECTOR);
    Facets {
        doc_type,
        kind,
        district,
        sector,
    }
}

fn first_text(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str().map(str::to_string))
}

fn all_texts(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field)
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn hit(
    searcher: &Searcher,
    fields: &SearchSchema,
    highlighter: &Highlighter,
    request: &SearchRequest,
    score: Score,
    address: DocAddress,
) -> SearchResult<Hit> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let doc_type = first_text(&doc, fields.doc_type).unwrap_or_default();
    let title = first_text(&doc, fields.title).unwrap_or_default();
    let title_local = first_text(&doc, fields.title_local);
    let body = first_text(&doc, fields.body).unwrap_or_default();
    let valid_until = first_text(&doc, fields.valid_until);
    let expired = valid_until
        .as_deref()
        .and_then(super::schema::day_number)
        .is_some_and(|day| day < request.today);
    let provider = (doc_type != DocType::Stakeholder.as_str())
        .then(|| first_text(&doc, fields.provider))
        .flatten();
    let (snippet, matched) = highlighter.snippet(&title, title_local.as_deref(), &body);
    Ok(Hit {
        snippet,
        matched,
        id: first_text(&doc, fields.id).unwrap_or_default(),
        kind: first_text(&doc, fields.kind).unwrap_or_default(),
        stakeholder_id: first_text(&doc, fields.stakeholder_id).unwrap_or_default(),
        districts: all_texts(&doc, fields.district),
        sectors: all_texts(&doc, fields.sector)
            .into_iter()
            .filter(|s| s != ANY_SECTOR)
            .collect(),
        status: first_text(&doc, fields.status).unwrap_or_default(),
        score,
        doc_type,
        title,
        title_local,
        provider,
        valid_until,
        expired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::fixture::Fixture;

    #[test]
    fn run_together_words_are_split_only_into_words_records_hold() {
        let held = |w: &str| {
            [
                "hand",
                "knotted",
                "collateral",
                "free",
                "handloom",
                "cow",
                "bell",
            ]
            .contains(&w)
        };
        let split = |w: &str| split_run_together(w.to_string(), held);
        assert_eq!(split("handknotted"), ["hand", "knotted"]);
        assert_eq!(split("collateralfree"), ["collateral", "free"]);
        assert_eq!(split("handfree"), ["hand", "free"]);
        // Held as written, too short, no halves held, or not Latin: left alone.
        assert_eq!(split("handloom"), ["handloom"]);
        assert_eq!(split("cowbell"), ["cowbell"]);
        assert_eq!(split("knotfree"), ["knotfree"]);
        assert_eq!(split("handknotxyz"), ["handknotxyz"]);
        assert_eq!(split("हाथबुनाई"), ["हाथबुनाई"]);
    }

    #[tokio::test]
    async fn with_no_record_holding_every_word_the_commonest_is_left_out() {
        let f = Fixture::corpus().await;
        let results = f.search(&SearchRequest::new("mushroom loan"));
        assert_eq!(results.matched, "some_words");
        assert_eq!(results.left_out, ["loan"]);
        assert_eq!(f.rank("mushroom loan", "mushroom"), Some(0));
        let found = f.names("mushroom loan");
        assert!(!found.contains(&"mudra".to_string()), "{found:?}");
        assert_eq!(found.len(), f.names("mushroom").len());

        let nothing = f.search(&SearchRequest::new("qwzx vbnq"));
        assert_eq!((nothing.total, nothing.matched), (0, "all_words"));
        assert!(nothing.left_out.is_empty());

        // A word nothing resembles is left out even though it is the rarest.
        let typo = f.search(&SearchRequest::new("qwzxv mushroom"));
        assert_eq!(typo.matched, "some_words");
        assert_eq!(typo.left_out, ["qwzxv"]);
        assert_eq!(typo.total, f.search(&SearchRequest::new("mushroom")).total);
    }

    #[tokio::test]
    async fn matches_that_score_the_same_come_newest_first_wherever_the_index_holds_them() {
        use crate::domain::offering::LinkageKind::Market;
        use crate::search::fixture::offering;
        let mut f = Fixture::empty().await;
        let buyer = f
            .provider(
                crate::domain::stakeholder::StakeholderKind::Buyer,
                "Kashi Traders",
                None,
                "up-bhadohi",
            )
            .await;
        let same = || offering(Market, "Papad orders", "", &[], "up-bhadohi");
        for name in ["first", "second", "third"] {
            f.add_offering(name, &buyer, same()).await;
            f.sync().await; // one segment each
        }
        let newest_first = ["third", "second", "first"];
        assert_eq!(f.names("papad"), newest_first);
        // Editing the oldest writes it again, last, into a new segment; it is still the oldest.
        let oldest = f.id("first").to_string();
        let edited = offering(Market, "Papad orders", "Now monthly", &[], "up-bhadohi");
        f.store
            .edit_offering(
                &oldest,
                &crate::store::registry::Edit::content(&edited, "test"),
            )
            .await
            .expect("edit");
        f.sync().await;
        assert_eq!(f.names("papad"), newest_first);
        f.index.purge_deleted().await.expect("merge");
        assert_eq!(f.names("papad"), newest_first);
        let second_page = SearchRequest {
            offset: 1,
            limit: 1,
            ..SearchRequest::new("papad")
        };
        assert_eq!(f.names_for(&second_page), ["second"]);
    }

    #[tokio::test]
    async fn devanagari_words_stay_whole() {
        let f = Fixture::empty().await;
        let words = analyse(f.index.index(), analysis::INDIC, "सिलाई प्रशिक्षण");
        assert_eq!(words, ["सिलाई", "प्रशिक्षण"]);
    }

    #[tokio::test]
    async fn romanized_and_devanagari_spellings_find_each_other() {
        let f = Fixture::corpus().await;
        assert!(
            f.finds("silai", "silai_hi"),
            "silai → सिलाई: {:?}",
            f.names("silai")
        );
        assert!(
            f.finds("सिलाई", "silai_need"),
            "सिलाई → silai: {:?}",
            f.names("सिलाई")
        );
        assert!(
            f.finds("bakri", "bakri_need"),
            "bakri → बकरी: {:?}",
            f.names("bakri")
        );
        assert!(
            f.finds("bakri", "pashu_loan"),
            "bakri → बकरी: {:?}",
            f.names("bakri")
        );
    }

    #[tokio::test]
    async fn dugdh_doodh_and_dudh_in_devanagari_meet() {
        let f = Fixture::corpus().await;
        for text in ["dugdh", "doodh", "दूध"] {
            assert!(f.finds(text, "doodh"), "{text}: {:?}", f.names(text));
        }
    }

    #[tokio::test]
    async fn vocabulary_synonyms_join_languages() {
        let f = Fixture::corpus().await;
        assert_eq!(
            f.rank("kaleen", "carpet"),
            Some(0),
            "{:?}",
            f.names("kaleen")
        );
        assert!(
            f.finds("stitching", "silai_hi"),
            "{:?}",
            f.names("stitching")
        );
    }

    #[tokio::test]
    async fn a_typo_still_finds_its_target() {
        let f = Fixture::corpus().await;
        assert_eq!(
            f.rank("tailorng", "tailoring_en"),
            Some(0),
            "{:?}",
            f.names("tailorng")
        );
        assert!(
            f.finds("prashikshn", "silai_hi"),
            "{:?}",
            f.names("prashikshn")
        );
    }

    #[tokio::test]
    async fn everyday_queries_find_what_they_mean() {
        let f = Fixture::corpus().await;
        assert_eq!(
            f.rank("carpet buyer bhadohi", "carpet"),
            Some(0),
            "{:?}",
            f.names("carpet buyer bhadohi")
        );
        assert_eq!(
            f.rank("dairy ke liye loan", "dairy_loan"),
            Some(0),
            "{:?}",
            f.names("dairy ke liye loan")
        );
        assert_eq!(
            f.rank("bakri palan loan Gaya", "bakri_need"),
            Some(0),
            "{:?}",
            f.names("bakri palan loan Gaya")
        );
    }

    #[tokio::test]
    async fn title_matches_rank_above_description_matches_and_exact_above_fuzzy() {
        let f = Fixture::corpus().await;
        let honey = f.names("honey");
        assert_eq!(&honey[..2], ["honey_title", "honey_body"], "{honey:?}");
        let mushroom = f.names("mushroom");
        assert_eq!(&mushroom[..2], ["mushroom", "mushrom_typo"], "{mushroom:?}");
    }

    #[tokio::test]
    async fn expired_offerings_sink_below_live_ones() {
        let f = Fixture::corpus().await;
        let papad = f.search(&SearchRequest::new("papad buyer"));
        let names: Vec<String> = papad.hits.iter().map(|h| h.title.clone()).collect();
        assert_eq!(names[0], "Papad buyer", "{names:?}");
        let expired = papad
            .hits
            .iter()
            .find(|h| h.id == f.id("expired_papad"))
            .expect("still findable");
        assert!(expired.expired);
    }

    #[tokio::test]
    async fn pending_and_archived_records_stay_out_of_public_search() {
        let f = Fixture::corpus().await;
        assert!(!f.finds("zari", "pending_zari"));
        let mut facilitator = SearchRequest::new("zari");
        facilitator.statuses = vec![Status::Active, Status::Pending];
        let mut found = f.names_for(&facilitator);
        found.sort();
        assert_eq!(found, ["pending_samiti", "pending_zari"]);
        facilitator.text = "chikan".into();
        assert!(
            f.search(&facilitator).hits.is_empty(),
            "archived records are not indexed"
        );
    }

    #[tokio::test]
    async fn filters_narrow_and_facets_count_what_the_filters_admit() {
        let f = Fixture::corpus().await;
        let mut request = SearchRequest::new("loan");
        let all = f.search(&request);
        assert!(all.total >= 3, "{:?}", all.hits);
        assert_eq!(all.facets.kind.values().sum::<u64>(), all.total as u64);
        request.district = Some("br-gaya".into());
        let gaya = f.search(&request);
        assert_eq!(
            Some(&(gaya.total as u64)),
            all.facets.district.get("br-gaya")
        );
        assert!(
            gaya.hits
                .iter()
                .all(|h| h.districts.contains(&"br-gaya".to_string()))
        );
        request.doc_type = Some(DocType::Offering);
        request.kind = Some("finance".into());
        let offerings = f.search(&request);
        assert!(
            offerings
                .hits
                .iter()
                .all(|h| h.doc_type == "offering" && h.kind == "finance")
        );
        assert_eq!(
            offerings.facets.doc_type.keys().collect::<Vec<_>>(),
            ["offering"]
        );

        let mut dairy = SearchRequest::new("");
        dairy.sector = Some("dairy".into());
        let found = f.names_for(&dairy);
        assert!(found.contains(&"dairy_loan".to_string()), "{found:?}");
        assert!(
            found.contains(&"mudra".to_string()),
            "an offering for any sector serves dairy: {found:?}"
        );
        assert!(!found.contains(&"carpet".to_string()));
    }

    #[tokio::test]
    async fn pages_are_slices_of_one_ranking() {
        let f = Fixture::corpus().await;
        let mut request = SearchRequest::new("");
        request.limit = 100;
        let all = f.names_for(&request);
        request.limit = 3;
        request.offset = 2;
        assert_eq!(f.names_for(&request), all[2..5]);
    }

    #[tokio::test]
    async fn snippets_highlight_matches_across_scripts() {
        let f = Fixture::corpus().await;
        // The words the snippet marks as matched.
        let marked = |text: &str, name: &str| -> Vec<String> {
            let results = f.search(&SearchRequest::new(text));
            let hit = results.hits.into_iter().find(|h| h.id == f.id(name));
            let hit = hit.expect("a hit");
            let words = hit
                .matched
                .iter()
                .map(|&(a, b)| hit.snippet[a..b].to_string());
            words.collect()
        };
        assert_eq!(marked("stitching", "tailoring_en"), ["stitching"]);
        assert!(marked("silai", "silai_hi").contains(&"सिलाई".to_string()));
        assert!(marked("prashikshn", "silai_hi").contains(&"प्रशिक्षण".to_string()));
    }

    #[tokio::test]
    async fn query_syntax_is_searched_as_plain_text() {
        let f = Fixture::corpus().await;
        for text in [
            "\"unbalanced AND (",
            "title:loan OR",
            "*",
            "~~ ^2 NOT",
            "",
            "   ",
            "\u{094D}",
            "a\\b",
        ] {
            let results = f.index.search(&SearchRequest::new(text));
            assert!(results.is_ok(), "{text:?}: {results:?}");
        }
        assert!(f.finds("loan)))", "mudra"));
    }

    #[tokio::test]
    async fn paging_out_of_range_is_the_searchers_mistake() {
        let f = Fixture::empty().await;
        let mut request = SearchRequest::new("loan");
        request.limit = 0;
        assert!(f.index.search(&request).unwrap_err().is_user_error());
        request.limit = 10;
        request.offset = MAX_OFFSET + 1;
        assert!(f.index.search(&request).unwrap_err().is_user_error());
    }
}

//! Search over offerings, needs and stakeholders, in whatever script and spelling people type.
//!
//! - [`analysis`]: the Devanagari-aware tokenizer, phonetic keys for romanized Hindi, and the
//!   cross-language vocabulary (`index/vocabulary.txt`).
//! - [`schema`]: what a search document holds and how a registry record becomes one.
//! - [`index`]: the on-disk index, its one writer, and commits that carry the change-log cursor.
//! - [`indexer`]: the background task that tails the change log into the index.
//! - [`query`]: text to query (exact, phonetic, fuzzy, synonyms), filters, ranking.
//! - `all_words`: the query every search runs (every word, under the filters) and the loop that
//!   scores a record only when it could still make the page.
//! - `dense`: terms held by a large share of a segment's records, answered from bitsets.
//! - `seeking`: a union that seeks its clauses instead of reading them whole.
//! - [`snippet`]: the matched words found again in a hit's text and marked, in a window around them.
//! - [`facets`]: counts per kind, district, sector and type over the matches.
//! - [`error`]: the search error type — the searcher's mistakes apart from ours.
//! - `fixture` and `relevance` (tests only): a fixed corpus and the graded relevance cases.

mod all_words;
pub mod analysis;
mod dense;
pub mod error;
pub mod facets;
#[cfg(test)]
mod fixture;
pub mod index;
pub mod indexer;
pub mod query;
#[cfg(test)]
mod relevance;
pub mod schema;
mod seeking;
mod snippet;

pub use index::SearchIndex;

//! Sangam: a registry of who offers and who needs what in a district, for coalition meetings.
//!
//! A tour of the modules, from the outside in:
//! - [`cli`]: the `sangam` command line (serve, migrate, seed, token, geo import, reindex, search).
//! - [`app`]: the use cases (register, review, edit, prepare a meeting, move a linkage, import and
//!   export spreadsheets, the HSDS feed, tokens and accounts), called by the API, the pages and
//!   the command line alike; each owns its transaction and its checks.
//! - [`http`]: the JSON API — routes, extractors, the one error type clients see, and the
//!   printable meeting briefing.
//! - [`domain`]: stakeholders, offerings, needs, geography, meetings and linkages as validated
//!   values; knows no HTTP or SQL.
//! - [`store`]: SQL on SQLite (embedded default) or PostgreSQL, and the change log search tails.
//! - [`matching`]: eligibility rule by rule, and meeting suggestions: scores, capacity-aware
//!   assignment, gaps and whom to invite (pure).
//! - [`search`]: the tantivy index, its Hindi/romanized-Hindi analysers and the change-log indexer.
//! - [`interchange`]: the registry as CSV for spreadsheets — export, and import checked whole
//!   before one transaction stores it.
//! - [`hsds`]: offerings as Open Referral HSDS 3.0 services, for directories that read it (pure).
//! - [`notify`]: sends the outbox's messages (linkage news, in English and Hindi) to a spool file, a
//!   signed webhook and an SMS gateway, with retries and a dead-letter state.
//! - [`seed`]: geography, sectors and demo data shipped in `seed/`.
//! - [`config`]: where data lives and which database to use.
//! - [`background`]: the tasks beside the server (indexer, dispatcher) and how they stop.

pub mod app;
pub mod background;
pub mod cli;
pub mod config;
pub mod domain;
pub mod hsds;
pub mod http;
pub mod interchange;
pub mod matching;
pub mod notify;
pub mod search;
pub mod seed;
pub mod store;

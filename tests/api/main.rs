//! End-to-end tests: the real `sangam` binary on a loopback port, over HTTP, on SQLite and (when
//! `SANGAM_TEST_POSTGRES_URL` is set) PostgreSQL. One test binary, so it links once.

mod support;

mod accounts;
mod auth;
mod backup;
mod bad_input;
mod concurrency;
mod delivery;
mod districts;
mod docs;
mod erasure;
mod geography;
mod hindi_search;
mod hsds;
mod interchange;
mod lifecycle;
mod meeting_pages;
mod meetings;
mod outbox;
mod pages;
mod planning;
mod privacy;
mod properties;
mod record_pages;
mod registrations;
mod review;
mod search;
mod seats;
mod storage;
mod token_pages;
mod web;
mod web_journey;

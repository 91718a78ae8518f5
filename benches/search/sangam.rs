//! Sangam's own search, end to end: the synthetic registry is written into Sangam's SQLite
//! schema, the index is rebuilt from it exactly as `sangam` does (the library's schema,
//! analysers, document builder and `SearchIndex::rebuild`), and the query mix goes through
//! `SearchIndex::search` — cross-script keys, synonyms, fuzzy terms, filters and facets.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use sangam::domain::offering::{Eligibility, Terms};
use sangam::domain::stakeholder::Profile;
use sangam::search::SearchIndex;
use sangam::search::analysis::Vocabulary;
use sangam::search::facets::EXACT_UP_TO;
use sangam::search::query::SearchRequest;
use sangam::store::Store;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Executor};

use crate::corpus::{Corpus, Query};
use crate::{EngineResult, Measure, Options, bar, dir_size, peak_rss_kb, spinner};

/// The data directory laid out as `sangam serve --data-dir` expects it.
pub fn data_dir(work: &Path) -> PathBuf {
    work.join("sangam-data")
}

fn index_dir(data: &Path) -> PathBuf {
    data.join("index")
}

/// The vocabulary as `sangam serve` loads it.
pub fn vocabulary() -> anyhow::Result<Vocabulary> {
    Ok(Vocabulary::builtin()?)
}

/// Writes the registry (not timed as an index build: this is the database the index is
/// rebuilt from). Leaves an empty, committed index beside it, so the measured step is a rebuild.
pub async fn load(options: &Options, corpus: &Corpus) -> anyhow::Result<f64> {
    let data = data_dir(&options.work);
    if data.exists() {
        std::fs::remove_dir_all(&data)?;
    }
    std::fs::create_dir_all(&data)?;
    let url = Store::sqlite_url(&data);
    let store = Store::open(&url).await?;
    sangam::seed::load_reference(&store).await?;
    let empty = SearchIndex::open_or_rebuild(&index_dir(&data), &store, vocabulary()?).await?;
    drop(empty);
    store.close().await;

    let started = Instant::now();
    let connect = SqliteConnectOptions::from_str(&url)?;
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(connect)
        .await?;
    pool.execute("PRAGMA synchronous = OFF").await?;
    pool.execute("PRAGMA cache_size = -131072").await?;

    let total = corpus.total_docs() as u64;
    let progress = bar(total, "sangam: writing the registry (SQLite)");
    let mut tx = pool.begin().await?;

    const STAKEHOLDER_COLUMNS: &str = "id, kind, name, name_key, name_local, district, districts_served, description, profile, status, created_via, created_by, created_at, updated_at";
    let batch = 300;
    for chunk in (0..corpus.stakeholders.len())
        .collect::<Vec<_>>()
        .chunks(batch)
    {
        let sql = insert_sql("stakeholders", STAKEHOLDER_COLUMNS, 14, chunk.len());
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for n in chunk {
            let s = &corpus.stakeholders[*n];
            let served: Vec<&str> = s
                .districts_served
                .iter()
                .map(|d| corpus.geo.districts[*d].code.as_str())
                .collect();
            let profile = s.sector.map(|sector| {
                let profile = Profile {
                    sector: Some(corpus.geo.sectors[sector].code.clone()),
                    ..Profile::default()
                };
                serde_json::to_string(&profile).unwrap_or_default()
            });
            let stamp = timestamp(*n);
            query = query
                .bind(s.id.clone())
                .bind(s.kind)
                .bind(s.name.clone())
                .bind(sangam::store::registry::name_key(&s.name))
                .bind(s.name_local.clone())
                .bind(corpus.geo.districts[s.district].code.clone())
                .bind(serde_json::to_string(&served)?)
                .bind(s.description.clone())
                .bind(profile)
                .bind("active")
                .bind("import")
                .bind("bench")
                .bind(stamp.clone())
                .bind(stamp);
        }
        query.execute(&mut *tx).await?;
        progress.inc(chunk.len() as u64);
    }

    const OFFERING_COLUMNS: &str = "id, stakeholder_id, kind, title, description, sectors, districts, eligibility, terms, valid_until, status, created_via, created_by, created_at, updated_at";
    let mut start = 0;
    while start < corpus.offerings {
        let end = (start + batch).min(corpus.offerings);
        let sql = insert_sql("offerings", OFFERING_COLUMNS, 15, end - start);
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for n in start..end {
            let o = corpus.offering(n);
            let sectors: Vec<&str> = o
                .sectors
                .iter()
                .map(|s| corpus.geo.sectors[*s].code.as_str())
                .collect();
            let districts: Vec<&str> = o
                .districts
                .iter()
                .map(|d| corpus.geo.districts[*d].code.as_str())
                .collect();
            let eligibility = Eligibility {
                min_amount_inr: o.min_amount,
                max_amount_inr: o.max_amount,
                ..Eligibility::default()
            };
            let stamp = timestamp(n);
            query = query
                .bind(o.id)
                .bind(corpus.stakeholders[o.stakeholder].id.clone())
                .bind(o.kind.as_str())
                .bind(o.title)
                .bind(o.description)
                .bind(serde_json::to_string(&sectors)?)
                .bind(serde_json::to_string(&districts)?)
                .bind(serde_json::to_string(&eligibility)?)
                .bind(serde_json::to_string(&Terms::default())?)
                .bind(o.valid_until)
                .bind("active")
                .bind("import")
                .bind("bench")
                .bind(stamp.clone())
                .bind(stamp);
        }
        query.execute(&mut *tx).await?;
        progress.inc((end - start) as u64);
        start = end;
    }

    const NEED_COLUMNS: &str = "id, stakeholder_id, kind, title, description, sector, amount_inr, status, created_via, created_by, created_at, updated_at";
    let mut start = 0;
    while start < corpus.needs {
        let end = (start + batch).min(corpus.needs);
        let sql = insert_sql("needs", NEED_COLUMNS, 12, end - start);
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for n in start..end {
            let need = corpus.need(n);
            let stamp = timestamp(n);
            query = query
                .bind(need.id)
                .bind(corpus.stakeholders[need.stakeholder].id.clone())
                .bind(need.kind.as_str())
                .bind(need.title)
                .bind(need.description)
                .bind(need.sector.map(|s| corpus.geo.sectors[s].code.clone()))
                .bind(need.amount)
                .bind("active")
                .bind("import")
                .bind("bench")
                .bind(stamp.clone())
                .bind(stamp);
        }
        query.execute(&mut *tx).await?;
        progress.inc((end - start) as u64);
        start = end;
    }
    tx.commit().await?;
    pool.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    pool.close().await;
    progress.finish_and_clear();
    Ok(started.elapsed().as_secs_f64())
}

/// `INSERT INTO table (columns) VALUES (?, …), …` for `rows` rows.
fn insert_sql(table: &str, columns: &str, width: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; width].join(", "));
    format!(
        "INSERT INTO {table} ({columns}) VALUES {}",
        vec![row; rows].join(", ")
    )
}

/// Update times spread over the year before the benchmark's "today", so freshness varies.
fn timestamp(n: usize) -> String {
    let month = 1 + n % 11;
    let day = 1 + (n / 11) % 28;
    format!("2026-{month:02}-{day:02}T10:00:00.000Z")
}

/// Rebuilds the index from the registry, waits for background merges, then runs the query mix.
pub async fn run(
    options: &Options,
    queries: &[Query],
    warmup: &[Query],
) -> anyhow::Result<Vec<EngineResult>> {
    let data = data_dir(&options.work);
    let dir = index_dir(&data);
    let store = Store::open(&Store::sqlite_url(&data)).await?;
    let vocabulary = vocabulary()?;
    let index = SearchIndex::open_or_rebuild(&dir, &store, vocabulary.clone()).await?;
    let total = store.feed_counts().await?.total();

    let build_load = crate::measure::load_average();
    let progress = bar(total, "sangam: rebuilding the index from the registry");
    let started = Instant::now();
    index
        .rebuild(&store, &mut |p| {
            progress.set_length(p.total);
            progress.set_position(p.done);
        })
        .await?;
    let build_secs = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    let rss_build = peak_rss_kb();
    println!("sangam: rebuilt {total} records in {build_secs:.1} s");

    // The rebuild's commit is searchable at once; tantivy then merges segments in the
    // background. Queries are measured on the merged index, as a running server sees it after
    // its next commit.
    let settle = spinner("sangam: waiting for background segment merges");
    let settle_started = Instant::now();
    let mut last = (usize::MAX, u64::MAX);
    let mut stable_since = Instant::now();
    let segments_after_commit = index.index().searchable_segment_ids()?.len();
    while settle_started.elapsed() < Duration::from_secs(options.merge_wait_secs) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = (
            index.index().searchable_segment_ids()?.len(),
            dir_size(&dir),
        );
        if now != last {
            last = now;
            stable_since = Instant::now();
        } else if stable_since.elapsed() >= Duration::from_secs(4) {
            break;
        }
        settle.set_message(format!(
            "sangam: merging, {} segments, {:.0} MB",
            now.0,
            now.1 as f64 / 1e6
        ));
    }
    let merge_secs = (settle_started.elapsed().as_secs_f64() - 4.0).max(0.0);
    settle.finish_and_clear();

    let reader = SearchIndex::open_read_only(&dir, vocabulary)?;
    let segments = reader.index().searchable_segment_ids()?.len();
    let index_bytes = dir_size(&dir);

    // The same queries twice on the same reader: as served (counting stops at 10,000 matches),
    // then counting every match, as search did before the bound.
    let mut measured = Vec::new();
    for (name, exact_up_to) in [("sangam", EXACT_UP_TO), ("sangam-count-all", usize::MAX)] {
        let mut measure = Measure::new(name, queries.len(), options.max_query_secs);
        let load_note = measure.note_load();
        let run_one = |q: &Query| -> anyhow::Result<usize> {
            let mut request = SearchRequest::new(q.text.clone());
            request.district = q.district.clone();
            request.limit = 20;
            request.exact_up_to = exact_up_to;
            let results = reader.search(&request)?;
            Ok(results.total)
        };
        for q in warmup {
            run_one(q)?;
        }
        for q in queries {
            let started = Instant::now();
            let found = run_one(q)?;
            if !measure.record(started.elapsed(), found) {
                break;
            }
        }
        measured.push((measure, load_note));
    }
    let mut results = Vec::new();
    for (measure, load_note) in measured {
        let mut result = measure.finish();
        result.notes.push(format!(
            "1-minute load average at the start of its build: {build_load}"
        ));
        result.notes.push(load_note);
        result.build_secs = build_secs;
        result.index_bytes = index_bytes;
        result.peak_rss_build_kb = rss_build;
        result.peak_rss_kb = peak_rss_kb();
        result.notes.push(format!(
            "rebuild = `SearchIndex::rebuild` reading {total} records from Sangam's SQLite registry; segments after the commit: {segments_after_commit}, background merges then took ~{merge_secs:.0} s down to {segments} segments; queries ran on the merged index"
        ));
        results.push(result);
    }
    drop(index);
    store.close().await;
    Ok(results)
}

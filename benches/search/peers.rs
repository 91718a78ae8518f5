//! The two peers, each set up the way a careful engineer would use it for this job:
//! SQLite FTS5 (`unicode61 remove_diacritics 2`, bm25 with column weights) and PostgreSQL
//! full-text search (`simple` configuration, weighted tsvector, GIN index, `ts_rank`).
//!
//! Both get the same records and the same query text as Sangam, minus filler words. Like
//! Sangam they first require every word and, if nothing matches, accept any word. They have no
//! cross-script matching, synonyms or typo tolerance: that is Sangam's extra work, not theirs.
//! Each search is the top 20 by rank plus facet counts by kind over all matches.

use std::str::FromStr;
use std::time::Instant;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Executor, Row};

use crate::corpus::{Corpus, Doc, FILLER, Query};
use crate::{EngineResult, Measure, Options, bar, peak_rss_kb};

/// The words of a query as the peers search them.
fn words(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == '-' || c == ',')
        .filter(|w| !w.is_empty() && !FILLER.contains(w))
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        text.split_whitespace().map(str::to_lowercase).collect()
    } else {
        words
    }
}

/// A district code as one token both tokenizers keep whole (`up-bhadohi` → `zdupbhadohi`).
fn district_token(code: &str) -> String {
    format!(
        "zd{}",
        code.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
    )
}

/// The district and sector columns: codes as filter tokens plus names in both languages, so a
/// place or trade typed in the query matches as it does in Sangam.
fn places_text(corpus: &Corpus, doc: &Doc) -> String {
    let mut text = String::new();
    for d in &doc.districts {
        let d = &corpus.geo.districts[*d];
        text.push_str(&format!(
            "{} {} {} ",
            district_token(&d.code),
            d.name,
            d.name_local
        ));
    }
    text
}

fn sectors_text(corpus: &Corpus, doc: &Doc) -> String {
    let mut text = String::new();
    for s in &doc.sectors {
        let s = &corpus.geo.sectors[*s];
        text.push_str(&format!("{} {} {} ", s.code, s.name, s.name_local));
    }
    text
}

// ---------------------------------------------------------------------------------------------
// SQLite FTS5

fn fts_expression(words: &[String], all: bool, district: Option<&str>) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    let joined = quoted.join(if all { " AND " } else { " OR " });
    let text = format!("{{title description districts sectors}} : ({joined})");
    match district {
        Some(code) => format!("{text} AND districts : \"{}\"", district_token(code)),
        None => text,
    }
}

pub async fn sqlite(
    options: &Options,
    corpus: &Corpus,
    queries: &[Query],
    warmup: &[Query],
) -> anyhow::Result<EngineResult> {
    let path = options.work.join("fts5.db");
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let connect = SqliteConnectOptions::from_str(&format!("sqlite://{}?mode=rwc", path.display()))?;
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(connect)
        .await?;
    pool.execute("PRAGMA journal_mode = WAL").await?;
    pool.execute("PRAGMA synchronous = NORMAL").await?;
    pool.execute("PRAGMA cache_size = -65536").await?;

    let total = corpus.total_docs();
    let build_load = crate::measure::load_average();
    let progress = bar(total as u64, "sqlite fts5: building");
    let started = Instant::now();
    pool.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(title, description, kind, districts, sectors, doc_type UNINDEXED,
         tokenize = 'unicode61 remove_diacritics 2')",
    )
    .await?;
    let batch = 500;
    let row = "(?, ?, ?, ?, ?, ?)";
    let mut tx = pool.begin().await?;
    let mut start = 0;
    while start < total {
        let end = (start + batch).min(total);
        let sql = format!(
            "INSERT INTO docs (title, description, kind, districts, sectors, doc_type) VALUES {}",
            vec![row; end - start].join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for n in start..end {
            let doc = corpus.doc(n);
            query = query
                .bind(doc.title.clone())
                .bind(doc.description.clone())
                .bind(doc.kind)
                .bind(places_text(corpus, &doc))
                .bind(sectors_text(corpus, &doc))
                .bind(doc.doc_type);
        }
        query.execute(&mut *tx).await?;
        progress.inc((end - start) as u64);
        start = end;
    }
    tx.commit().await?;
    progress.set_message("sqlite fts5: optimize");
    pool.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        .await?;
    pool.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    let build_secs = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    let rss_build = peak_rss_kb();
    let index_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("sqlite fts5: built {total} records in {build_secs:.1} s");

    let top_sql = "SELECT rowid, title, bm25(docs, 3.0, 1.0, 0.0, 1.5, 1.2) AS score FROM docs
                   WHERE docs MATCH ?1 ORDER BY score LIMIT 20";
    let facet_sql = "SELECT kind, count(*) FROM docs WHERE docs MATCH ?1 GROUP BY kind";
    let search = |q: &Query| {
        let pool = pool.clone();
        let words = words(&q.text);
        let district = q.district.clone();
        async move {
            let mut found = 0usize;
            for all in [true, false] {
                if !all && (found > 0 || words.len() < 2) {
                    break;
                }
                let expression = fts_expression(&words, all, district.as_deref());
                let top = sqlx::query(top_sql)
                    .bind(expression.clone())
                    .fetch_all(&pool)
                    .await?;
                let facets = sqlx::query(facet_sql)
                    .bind(expression)
                    .fetch_all(&pool)
                    .await?;
                found = facets.iter().map(|r| r.get::<i64, _>(1) as usize).sum();
                std::hint::black_box(top);
            }
            anyhow::Ok(found)
        }
    };
    let mut measure = Measure::new("sqlite-fts5", queries.len(), options.max_query_secs);
    let load_note = measure.note_load();
    for q in warmup {
        search(q).await?;
    }
    for q in queries {
        let started = Instant::now();
        let found = search(q).await?;
        if !measure.record(started.elapsed(), found) {
            break;
        }
    }
    let mut result = measure.finish();
    result.notes.push(format!(
        "1-minute load average at the start of its build: {build_load}"
    ));
    result.notes.push(load_note);
    result.build_secs = build_secs;
    result.index_bytes = index_bytes;
    result.peak_rss_build_kb = rss_build;
    result.peak_rss_kb = peak_rss_kb();
    result.notes.push(
        "build = inserts into a contentful FTS5 table + 'optimize'; size = the database file (text stored too)".into(),
    );
    pool.close().await;
    let _ = std::fs::remove_file(&path);
    Ok(result)
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

const SCHEMA: &str = "sangam_bench";

/// A tsquery of the words, each quoted as a lexeme, joined with `&` or `|`.
fn ts_expression(words: &[String], all: bool) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''")))
        .collect();
    quoted.join(if all { " & " } else { " | " })
}

/// COPY text format: tabs, newlines and backslashes escaped.
fn copy_field(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
}

fn array_literal(values: &[String]) -> String {
    let inner: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
    format!("{{{}}}", inner.join(","))
}

pub fn postgres_url() -> Option<String> {
    std::env::var("SANGAM_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("SANGAM_TEST_POSTGRES_URL"))
        .ok()
        .filter(|u| !u.trim().is_empty())
        .or_else(|| Some("postgres://sangam:sangam@127.0.0.1:5432/sangam_test".to_string()))
}

pub async fn postgres(
    options: &Options,
    corpus: &Corpus,
    queries: &[Query],
    warmup: &[Query],
) -> anyhow::Result<EngineResult> {
    let url = postgres_url().ok_or_else(|| anyhow::anyhow!("no PostgreSQL URL"))?;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect(&url)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "PostgreSQL not reachable at {}: {e}",
                crate::measure::redact(&url)
            )
        })?;
    let backend_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&pool)
        .await?;
    let shared_buffers: String = sqlx::query_scalar("SHOW shared_buffers")
        .fetch_one(&pool)
        .await?;
    let work_mem: String = sqlx::query_scalar("SHOW work_mem").fetch_one(&pool).await?;
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&pool)
        .await?;
    pool.execute(AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"
    )))
    .await?;

    let total = corpus.total_docs();
    let build_load = crate::measure::load_average();
    let progress = bar(total as u64, "postgres: building");
    let started = Instant::now();
    pool.execute(AssertSqlSafe(format!(
        "CREATE SCHEMA {SCHEMA};
         CREATE TABLE {SCHEMA}.docs (
            id bigint PRIMARY KEY,
            doc_type text NOT NULL,
            kind text NOT NULL,
            title text NOT NULL,
            description text NOT NULL,
            districts text[] NOT NULL,
            sectors text[] NOT NULL,
            places text NOT NULL,
            tags text NOT NULL,
            tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('simple', title), 'A') ||
                setweight(to_tsvector('simple', places || ' ' || tags), 'B') ||
                setweight(to_tsvector('simple', description), 'D')) STORED
         )"
    )))
    .await?;
    {
        let mut conn = pool.acquire().await?;
        let mut copy = conn
            .copy_in_raw(&format!(
                "COPY {SCHEMA}.docs (id, doc_type, kind, title, description, districts, sectors, places, tags) FROM STDIN"
            ))
            .await?;
        let mut buffer = String::with_capacity(1 << 20);
        for n in 0..total {
            let doc = corpus.doc(n);
            let districts: Vec<String> = doc
                .districts
                .iter()
                .map(|d| corpus.geo.districts[*d].code.clone())
                .collect();
            let sectors: Vec<String> = doc
                .sectors
                .iter()
                .map(|s| corpus.geo.sectors[*s].code.clone())
                .collect();
            buffer.push_str(&format!("{n}\t{}\t{}\t", doc.doc_type, doc.kind));
            copy_field(&mut buffer, &doc.title);
            buffer.push('\t');
            copy_field(&mut buffer, &doc.description);
            buffer.push('\t');
            buffer.push_str(&array_literal(&districts));
            buffer.push('\t');
            buffer.push_str(&array_literal(&sectors));
            buffer.push('\t');
            copy_field(&mut buffer, &places_text(corpus, &doc));
            buffer.push('\t');
            copy_field(&mut buffer, &sectors_text(corpus, &doc));
            buffer.push('\n');
            if buffer.len() > (1 << 20) {
                copy.send(buffer.as_bytes()).await?;
                buffer.clear();
                progress.set_position(n as u64 + 1);
            }
        }
        if !buffer.is_empty() {
            copy.send(buffer.as_bytes()).await?;
        }
        copy.finish().await?;
    }
    progress.set_message("postgres: GIN indexes + ANALYZE");
    pool.execute(AssertSqlSafe(format!(
        "CREATE INDEX docs_tsv ON {SCHEMA}.docs USING gin (tsv);
         CREATE INDEX docs_districts ON {SCHEMA}.docs USING gin (districts);
         ANALYZE {SCHEMA}.docs"
    )))
    .await?;
    let build_secs = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    let rss_build = peak_rss_kb();
    let server_build = backend_peak_kb(backend_pid);
    let index_bytes: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT pg_total_relation_size('{SCHEMA}.docs')"
    )))
    .fetch_one(&pool)
    .await?;
    let gin_bytes: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT pg_relation_size('{SCHEMA}.docs_tsv')"
    )))
    .fetch_one(&pool)
    .await?;
    println!("postgres: built {total} records in {build_secs:.1} s");

    let district_clause = |with: bool| {
        if with {
            "AND districts @> ARRAY[$2::text]"
        } else {
            ""
        }
    };
    let top_sql: Vec<String> = [false, true]
        .map(|with| {
            format!(
                "SELECT id, title, ts_rank(tsv, q) AS rank FROM {SCHEMA}.docs, to_tsquery('simple', $1) q
                 WHERE tsv @@ q {} ORDER BY rank DESC LIMIT 20",
                district_clause(with)
            )
        })
        .to_vec();
    let facet_sql: Vec<String> = [false, true]
        .map(|with| {
            format!(
                "SELECT kind, count(*) FROM {SCHEMA}.docs WHERE tsv @@ to_tsquery('simple', $1) {} GROUP BY kind",
                district_clause(with)
            )
        })
        .to_vec();
    let search = |q: &Query| {
        let pool = pool.clone();
        let words = words(&q.text);
        let district = q.district.clone();
        let which = usize::from(district.is_some());
        let (top_sql, facet_sql) = (top_sql[which].clone(), facet_sql[which].clone());
        async move {
            let mut found = 0usize;
            for all in [true, false] {
                if !all && (found > 0 || words.len() < 2) {
                    break;
                }
                let expression = ts_expression(&words, all);
                let mut top = sqlx::query(AssertSqlSafe(top_sql.clone())).bind(expression.clone());
                let mut facets = sqlx::query(AssertSqlSafe(facet_sql.clone())).bind(expression);
                if let Some(code) = &district {
                    top = top.bind(code.clone());
                    facets = facets.bind(code.clone());
                }
                let rows = top.fetch_all(&pool).await?;
                let counts = facets.fetch_all(&pool).await?;
                found = counts.iter().map(|r| r.get::<i64, _>(1) as usize).sum();
                std::hint::black_box(rows);
            }
            anyhow::Ok(found)
        }
    };
    let mut measure = Measure::new("postgres-fts", queries.len(), options.max_query_secs);
    let load_note = measure.note_load();
    for q in warmup {
        search(q).await?;
    }
    for q in queries {
        let started = Instant::now();
        let found = search(q).await?;
        if !measure.record(started.elapsed(), found) {
            break;
        }
    }
    let mut result = measure.finish();
    result.notes.push(format!(
        "1-minute load average at the start of its build: {build_load}"
    ));
    result.notes.push(load_note);
    result.build_secs = build_secs;
    result.index_bytes = index_bytes.max(0) as u64;
    result.peak_rss_build_kb = rss_build;
    result.peak_rss_kb = peak_rss_kb();
    let server_peak = backend_peak_kb(backend_pid);
    result.server_rss_kb = server_peak.or(server_build);
    result.notes.push(format!(
        "PostgreSQL {version} (shared_buffers {shared_buffers}, work_mem {work_mem}); build = COPY into a table with a generated weighted tsvector + GIN(tsv) + GIN(districts) + ANALYZE; size = table + TOAST + indexes (GIN on tsv alone {:.0} MB); peak RSS = this client, the server backend's own peak is given apart",
        gin_bytes as f64 / 1e6
    ));
    pool.execute(AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"
    )))
    .await?;
    pool.close().await;
    Ok(result)
}

/// The peak resident memory of the PostgreSQL backend serving this connection, when the
/// benchmark runs on the database's machine with the right to read its /proc entry.
fn backend_peak_kb(pid: i32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    crate::status_kb(&status, "VmHWM:")
}

//! States, districts, blocks and sectors: reference data, upserted from `seed/` and imports.

use std::collections::{BTreeMap, BTreeSet};

use super::{Store, StoreResult};
use crate::domain::Catalog;
use crate::domain::geography::{Block, District, Sector, State};

#[derive(sqlx::FromRow)]
struct DistrictRow {
    code: String,
    name: String,
    name_local: Option<String>,
    state: String,
    state_code: String,
    lgd_code: Option<i64>,
}

impl From<DistrictRow> for District {
    fn from(row: DistrictRow) -> Self {
        District {
            code: row.code,
            name: row.name,
            name_local: row.name_local,
            state: row.state,
            state_code: row.state_code,
            lgd_code: row.lgd_code,
        }
    }
}

/// How many rows an upsert added or changed, for the import report.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct UpsertCount {
    pub states: u64,
    pub districts: u64,
    pub blocks: u64,
    pub sectors: u64,
}

/// Escapes `%`, `_` and `\` so a search word is matched literally by `LIKE ... ESCAPE '\'`.
pub(crate) fn like_pattern(text: &str) -> String {
    format!("%{}%", like_escaped(&text.trim().to_lowercase()))
}

/// `text` with `%`, `_` and `\` escaped for `LIKE ... ESCAPE '\'`, as it is otherwise: the one
/// escaper every `LIKE` on user input goes through.
pub(crate) fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

impl Store {
    /// Adds or updates geography in one transaction: all of it lands, or none. `progress` hears
    /// each row written, for a progress bar.
    pub async fn upsert_geography(
        &self,
        states: &[State],
        districts: &[District],
        blocks: &[Block],
        progress: &mut dyn FnMut(),
    ) -> StoreResult<UpsertCount> {
        let mut tx = self.begin_write().await?;
        let mut count = UpsertCount::default();
        for state in states {
            count.states += sqlx::query(
                "INSERT INTO states (code, name, name_local, lgd_code) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name,
                   name_local = COALESCE(excluded.name_local, states.name_local),
                   lgd_code = COALESCE(excluded.lgd_code, states.lgd_code)",
            )
            .bind(&state.code)
            .bind(&state.name)
            .bind(&state.name_local)
            .bind(state.lgd_code)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            progress();
        }
        for district in districts {
            count.districts += sqlx::query(
                "INSERT INTO districts (code, state_code, name, name_local, lgd_code) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (code) DO UPDATE SET state_code = excluded.state_code, name = excluded.name,
                   name_local = COALESCE(excluded.name_local, districts.name_local),
                   lgd_code = COALESCE(excluded.lgd_code, districts.lgd_code)",
            )
            .bind(&district.code)
            .bind(&district.state_code)
            .bind(&district.name)
            .bind(&district.name_local)
            .bind(district.lgd_code)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            progress();
        }
        for block in blocks {
            count.blocks += sqlx::query(
                "INSERT INTO blocks (district_code, name, name_local) VALUES ($1, $2, $3)
                 ON CONFLICT (district_code, name) DO UPDATE SET
                   name_local = COALESCE(excluded.name_local, blocks.name_local)",
            )
            .bind(&block.district)
            .bind(&block.name)
            .bind(&block.name_local)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            progress();
        }
        tx.commit().await?;
        Ok(count)
    }

    pub async fn upsert_sectors(&self, sectors: &[Sector]) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let mut changed = 0;
        for (position, sector) in sectors.iter().enumerate() {
            changed += sqlx::query(
                "INSERT INTO sectors (code, name, name_local, position) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_local = excluded.name_local,
                   position = excluded.position",
            )
            .bind(&sector.code)
            .bind(&sector.name)
            .bind(&sector.name_local)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(changed)
    }

    pub async fn list_states(&self) -> StoreResult<Vec<State>> {
        let rows: Vec<(String, String, Option<String>, Option<i64>)> =
            sqlx::query_as("SELECT code, name, name_local, lgd_code FROM states ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(code, name, name_local, lgd_code)| State {
                code,
                name,
                name_local,
                lgd_code,
            })
            .collect())
    }

    /// Districts whose English or local name contains `q` (case-insensitively), in a state given
    /// by code or name.
    pub async fn list_districts(
        &self,
        q: Option<&str>,
        state: Option<&str>,
    ) -> StoreResult<Vec<District>> {
        let pattern = q.map(like_pattern);
        let state = state.map(|s| s.trim().to_lowercase());
        let rows: Vec<DistrictRow> = sqlx::query_as(
            "SELECT d.code, d.name, d.name_local, s.name AS state, s.code AS state_code, d.lgd_code
             FROM districts d JOIN states s ON s.code = d.state_code
             WHERE ($1 IS NULL OR lower(d.name) LIKE $1 ESCAPE '\\' OR lower(COALESCE(d.name_local, '')) LIKE $1 ESCAPE '\\'
                    OR d.code LIKE $1 ESCAPE '\\')
               AND ($2 IS NULL OR lower(s.name) = $2 OR s.code = $2)
             ORDER BY s.name, d.name",
        )
        .bind(pattern)
        .bind(state)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(District::from).collect())
    }

    pub async fn get_district(&self, code: &str) -> StoreResult<Option<District>> {
        let row: Option<DistrictRow> = sqlx::query_as(
            "SELECT d.code, d.name, d.name_local, s.name AS state, s.code AS state_code, d.lgd_code
             FROM districts d JOIN states s ON s.code = d.state_code WHERE d.code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(District::from))
    }

    pub async fn list_blocks(&self, district: &str) -> StoreResult<Vec<Block>> {
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT district_code, name, name_local FROM blocks WHERE district_code = $1 ORDER BY name")
                .bind(district)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(district, name, name_local)| Block {
                district,
                name,
                name_local,
            })
            .collect())
    }

    pub async fn list_sectors(&self) -> StoreResult<Vec<Sector>> {
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT code, name, name_local FROM sectors ORDER BY position, code")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(code, name, name_local)| Sector {
                code,
                name,
                name_local,
            })
            .collect())
    }

    /// The codes a write may refer to. Read per write: geography can change under a running
    /// server (`sangam geo import`, another process on PostgreSQL).
    pub async fn catalog(&self) -> StoreResult<Catalog> {
        let districts: Vec<(String,)> = sqlx::query_as("SELECT code FROM districts")
            .fetch_all(&self.pool)
            .await?;
        let sectors: Vec<(String,)> = sqlx::query_as("SELECT code FROM sectors")
            .fetch_all(&self.pool)
            .await?;
        let blocks: Vec<(String, String)> =
            sqlx::query_as("SELECT district_code, name FROM blocks")
                .fetch_all(&self.pool)
                .await?;
        let mut by_district: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (district, name) in blocks {
            by_district
                .entry(district.clone())
                .or_default()
                .insert(name.to_lowercase());
            names.entry(district).or_default().push(name);
        }
        Ok(Catalog {
            districts: districts.into_iter().map(|(c,)| c).collect(),
            sectors: sectors.into_iter().map(|(c,)| c).collect(),
            blocks: by_district,
            block_names: names,
            spelling_key: None,
        })
    }
}

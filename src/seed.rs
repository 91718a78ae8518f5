//! Reference data and demo records shipped in `seed/`, compiled into the binary so that
//! `sangam serve` works from any directory.
//!
//! Geography and sectors are upserted at every start (they only ever grow). Demo records go
//! through the same validation as the API and are loaded only into an empty registry.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Deserialize;

use crate::domain::geography::{Block, District, Sector, State, district_code};
use crate::domain::need::NeedInput;
use crate::domain::offering::OfferingInput;
use crate::domain::record::Provenance;
use crate::domain::stakeholder::StakeholderInput;
use crate::store::{Store, StoreError};

const STATES_CSV: &str = include_str!("../seed/states.csv");
const DISTRICTS_CSV: &str = include_str!("../seed/districts.csv");
const BLOCKS_CSV: &str = include_str!("../seed/blocks.csv");
const SECTORS_CSV: &str = include_str!("../seed/sectors.csv");
const DEMO_JSON: &str = include_str!("../seed/demo.json");

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("{file} line {line}: {why}")]
    Row {
        file: String,
        line: u64,
        why: String,
    },
    #[error("{file}: {why}")]
    File { file: String, why: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn row_error(file: &str, line: u64, why: impl Into<String>) -> SeedError {
    SeedError::Row {
        file: file.to_string(),
        line,
        why: why.into(),
    }
}

#[derive(Deserialize)]
struct StateRow {
    code: String,
    name: String,
    name_local: Option<String>,
    lgd_code: Option<i64>,
}

#[derive(Deserialize)]
struct SectorRow {
    code: String,
    name: String,
    name_local: Option<String>,
}

#[derive(Deserialize)]
struct BlockRow {
    district: String,
    name: String,
    name_local: Option<String>,
}

/// A row of a geography CSV: a district, and optionally one block of it. `state` is a state
/// code or English name; `code` is derived from the state and name when absent; `state_name`
/// lets a file introduce a state Sangam does not know yet.
#[derive(Deserialize)]
struct GeographyRow {
    state: String,
    #[serde(default)]
    state_name: Option<String>,
    #[serde(default)]
    code: Option<String>,
    name: String,
    #[serde(default)]
    name_local: Option<String>,
    #[serde(default)]
    lgd_code: Option<String>,
    #[serde(default)]
    block: Option<String>,
    #[serde(default)]
    block_local: Option<String>,
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn read_csv<T: serde::de::DeserializeOwned>(
    file: &str,
    reader: impl Read,
) -> Result<Vec<(u64, T)>, SeedError> {
    let mut csv = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let mut rows = Vec::new();
    for record in csv.deserialize::<T>() {
        match record {
            Ok(row) => rows.push((rows.len() as u64 + 2, row)),
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(row_error(file, line, e.to_string()));
            }
        }
    }
    Ok(rows)
}

/// Geography parsed and checked, ready to upsert in one transaction.
#[derive(Debug, Default)]
pub struct Geography {
    pub states: Vec<State>,
    pub districts: Vec<District>,
    pub blocks: Vec<Block>,
}

/// Parses a geography CSV against the states already known; every row is checked before
/// anything is written, so a bad file changes nothing.
pub fn parse_geography(
    file: &str,
    reader: impl Read,
    known_states: &[State],
) -> Result<Geography, SeedError> {
    let mut states: BTreeMap<String, State> = known_states
        .iter()
        .map(|s| (s.code.clone(), s.clone()))
        .collect();
    let mut geography = Geography::default();
    let mut districts: BTreeMap<String, District> = BTreeMap::new();
    let mut new_states = Vec::new();
    for (line, row) in read_csv::<GeographyRow>(file, reader)? {
        let state_key = row.state.trim().to_lowercase();
        let state = match states
            .values()
            .find(|s| s.code == state_key || s.name.to_lowercase() == state_key)
        {
            Some(state) => state.clone(),
            None => {
                let Some(name) = blank_to_none(row.state_name.clone()) else {
                    return Err(row_error(
                        file,
                        line,
                        format!(
                            "unknown state `{}`; add a state_name column to create it",
                            row.state
                        ),
                    ));
                };
                let state = State {
                    code: state_key.clone(),
                    name,
                    name_local: None,
                    lgd_code: None,
                };
                states.insert(state_key.clone(), state.clone());
                new_states.push(state.clone());
                state
            }
        };
        let name = row.name.trim().to_string();
        if name.is_empty() {
            return Err(row_error(file, line, "district name is empty"));
        }
        let lgd_code = match blank_to_none(row.lgd_code) {
            None => None,
            Some(text) => match text.parse::<i64>() {
                Ok(code) if code > 0 => Some(code),
                _ => {
                    return Err(row_error(
                        file,
                        line,
                        format!("lgd_code `{text}` is not a positive number"),
                    ));
                }
            },
        };
        let code = blank_to_none(row.code).unwrap_or_else(|| district_code(&state.code, &name));
        let district = District {
            code: code.clone(),
            name,
            name_local: blank_to_none(row.name_local),
            state: state.name.clone(),
            state_code: state.code.clone(),
            lgd_code,
        };
        if let Some(previous) = districts.get(&code) {
            if previous.name != district.name || previous.state_code != district.state_code {
                return Err(row_error(
                    file,
                    line,
                    format!("district code `{code}` is used for two districts"),
                ));
            }
        } else {
            districts.insert(code.clone(), district);
        }
        if let Some(block) = blank_to_none(row.block) {
            geography.blocks.push(Block {
                district: code,
                name: block,
                name_local: blank_to_none(row.block_local),
            });
        }
    }
    geography.states = new_states;
    geography.districts = districts.into_values().collect();
    Ok(geography)
}

/// Loads the shipped states, districts, blocks and sectors. Safe to run at every start.
pub async fn load_reference(store: &Store) -> Result<(), SeedError> {
    let states: Vec<State> = read_csv::<StateRow>("seed/states.csv", STATES_CSV.as_bytes())?
        .into_iter()
        .map(|(_, r)| State {
            code: r.code,
            name: r.name,
            name_local: blank_to_none(r.name_local),
            lgd_code: r.lgd_code,
        })
        .collect();
    let geography = parse_geography("seed/districts.csv", DISTRICTS_CSV.as_bytes(), &states)?;
    let mut blocks = Vec::new();
    for (line, row) in read_csv::<BlockRow>("seed/blocks.csv", BLOCKS_CSV.as_bytes())? {
        if !geography.districts.iter().any(|d| d.code == row.district) {
            return Err(row_error(
                "seed/blocks.csv",
                line,
                format!("unknown district `{}`", row.district),
            ));
        }
        blocks.push(Block {
            district: row.district,
            name: row.name,
            name_local: blank_to_none(row.name_local),
        });
    }
    store
        .upsert_geography(&states, &geography.districts, &blocks, &mut || {})
        .await?;
    let sectors: Vec<Sector> = read_csv::<SectorRow>("seed/sectors.csv", SECTORS_CSV.as_bytes())?
        .into_iter()
        .map(|(_, r)| Sector {
            code: r.code,
            name: r.name,
            name_local: blank_to_none(r.name_local),
        })
        .collect();
    store.upsert_sectors(&sectors).await?;
    Ok(())
}

#[derive(Deserialize)]
struct DemoFile {
    stakeholders: Vec<DemoStakeholder>,
}

#[derive(Deserialize)]
struct DemoStakeholder {
    #[serde(flatten)]
    stakeholder: StakeholderInput,
    #[serde(default)]
    offerings: Vec<OfferingInput>,
    #[serde(default)]
    needs: Vec<NeedInput>,
}

/// What `--demo` loaded.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DemoReport {
    pub stakeholders: usize,
    pub offerings: usize,
    pub needs: usize,
}

/// Loads the demo registry, validated like any submission, unless the registry has records.
/// Returns `None` when it was not empty.
pub async fn load_demo(store: &Store) -> Result<Option<DemoReport>, SeedError> {
    if store.count_stakeholders().await? > 0 {
        return Ok(None);
    }
    let file = "seed/demo.json";
    let demo: DemoFile = serde_json::from_str(DEMO_JSON).map_err(|e| SeedError::File {
        file: file.into(),
        why: e.to_string(),
    })?;
    let catalog = store.catalog().await?;
    let mut validated = Vec::new();
    for (index, entry) in demo.stakeholders.into_iter().enumerate() {
        let label = format!(
            "stakeholder #{index} ({})",
            entry.stakeholder.name.clone().unwrap_or_default()
        );
        let invalid = |what: &str, errors: crate::domain::FieldErrors| SeedError::File {
            file: file.into(),
            why: format!("{label}: {what} invalid: {:?}", errors.fields()),
        };
        let stakeholder = entry
            .stakeholder
            .validate_with(&catalog)
            .map_err(|e| invalid("stakeholder", e))?;
        let mut offerings = Vec::new();
        for offering in entry.offerings {
            offerings.push(
                offering
                    .validate_with(&catalog, &stakeholder.districts_served, None)
                    .map_err(|e| invalid("offering", e))?,
            );
        }
        let mut needs = Vec::new();
        for need in entry.needs {
            needs.push(
                need.validate_with(&catalog)
                    .map_err(|e| invalid("need", e))?,
            );
        }
        validated.push((stakeholder, offerings, needs));
    }
    let mut report = DemoReport::default();
    let provenance = Provenance::demo_seed();
    for (stakeholder, offerings, needs) in &validated {
        store
            .insert_stakeholder(
                stakeholder,
                offerings,
                needs,
                &provenance,
                crate::store::registry::OnDuplicate::Flag,
            )
            .await?;
        report.stakeholders += 1;
        report.offerings += offerings.len();
        report.needs += needs.len();
    }
    Ok(Some(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up() -> Vec<State> {
        vec![State {
            code: "up".into(),
            name: "Uttar Pradesh".into(),
            name_local: None,
            lgd_code: Some(9),
        }]
    }

    #[test]
    fn geography_rows_derive_codes_and_collect_blocks() {
        let csv = "state,name,name_local,lgd_code,block\nUttar Pradesh,Sant Kabir Nagar,संत कबीर नगर,,Khalilabad\nup,Sant Kabir Nagar,,,Mehdawal\n";
        let geography = parse_geography("t.csv", csv.as_bytes(), &up()).unwrap();
        assert_eq!(geography.districts.len(), 1);
        assert_eq!(geography.districts[0].code, "up-sant-kabir-nagar");
        assert_eq!(geography.blocks.len(), 2);
    }

    #[test]
    fn a_bad_row_names_its_line_and_yields_nothing() {
        let csv = "state,name,lgd_code\nup,Agra,\nup,Aligarh,abc\n";
        match parse_geography("t.csv", csv.as_bytes(), &up()) {
            Err(SeedError::Row { line, .. }) => assert_eq!(line, 3),
            other => panic!("expected a row error, got {other:?}"),
        }
        let csv = "state,name\nzz,Somewhere\n";
        assert!(parse_geography("t.csv", csv.as_bytes(), &up()).is_err());
    }

    #[test]
    fn shipped_geography_parses() {
        let states: Vec<State> = read_csv::<StateRow>("states", STATES_CSV.as_bytes())
            .unwrap()
            .into_iter()
            .map(|(_, r)| State {
                code: r.code,
                name: r.name,
                name_local: r.name_local,
                lgd_code: r.lgd_code,
            })
            .collect();
        let geography = parse_geography("districts", DISTRICTS_CSV.as_bytes(), &states).unwrap();
        let in_state = |code: &str| {
            geography
                .districts
                .iter()
                .filter(|d| d.state_code == code)
                .count()
        };
        assert_eq!(in_state("up"), 75);
        assert_eq!(in_state("br"), 38);
        assert_eq!(in_state("jh"), 24);
        assert_eq!(in_state("od"), 30);
        assert!(in_state("mp") >= 55);
    }
}

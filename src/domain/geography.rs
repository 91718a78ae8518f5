//! States, districts and blocks: the units everything in a coalition is organised by.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct State {
    #[schema(examples("up"))]
    pub code: String,
    #[schema(examples("Uttar Pradesh"))]
    pub name: String,
    #[schema(required = true, examples("उत्तर प्रदेश"))]
    pub name_local: Option<String>,
    /// Code in India's Local Government Directory, when known.
    #[schema(required = true)]
    pub lgd_code: Option<i64>,
}

/// A district as clients see it (`GET /api/v1/districts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct District {
    /// The code to use everywhere else in the API.
    #[schema(examples("up-mirzapur"))]
    pub code: String,
    #[schema(examples("Mirzapur"))]
    pub name: String,
    #[schema(required = true, examples("मिर्ज़ापुर"))]
    pub name_local: Option<String>,
    /// The state's English name.
    #[schema(examples("Uttar Pradesh"))]
    pub state: String,
    #[schema(examples("up"))]
    pub state_code: String,
    /// Code in India's Local Government Directory; may be null.
    #[schema(required = true)]
    pub lgd_code: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub district: String,
    pub name: String,
    pub name_local: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Sector {
    #[schema(examples("tailoring"))]
    pub code: String,
    #[schema(examples("Tailoring & garments"))]
    pub name: String,
    #[schema(required = true, examples("सिलाई"))]
    pub name_local: Option<String>,
}

/// The codes a submission may refer to, read from the registry before validating a write.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub districts: BTreeSet<String>,
    pub sectors: BTreeSet<String>,
    /// Block names per district code, lowercased; a district without blocks accepts any block.
    pub blocks: BTreeMap<String, BTreeSet<String>>,
}

impl Catalog {
    pub fn has_district(&self, code: &str) -> bool {
        self.districts.contains(code)
    }

    pub fn has_sector(&self, code: &str) -> bool {
        self.sectors.contains(code)
    }

    /// Whether `block` is known in `district`. Districts whose blocks were never loaded accept
    /// any name, so a partial geography does not turn away real registrations.
    pub fn has_block(&self, district: &str, block: &str) -> bool {
        match self.blocks.get(district) {
            Some(names) if !names.is_empty() => names.contains(&block.trim().to_lowercase()),
            _ => true,
        }
    }
}

/// A stable district code from a state code and an English name: `up` + `Sant Kabir Nagar` →
/// `up-sant-kabir-nagar`. Used when importing geography that has no codes of its own.
pub fn district_code(state_code: &str, name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    format!(
        "{}-{}",
        state_code.trim().to_lowercase(),
        slug.trim_end_matches('-')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_codes_are_slugs_prefixed_by_state() {
        assert_eq!(
            district_code("up", "Sant Kabir Nagar"),
            "up-sant-kabir-nagar"
        );
        assert_eq!(
            district_code("MP", "East Nimar (Khandwa)"),
            "mp-east-nimar-khandwa"
        );
    }

    #[test]
    fn a_district_without_loaded_blocks_accepts_any_block() {
        let mut catalog = Catalog::default();
        catalog
            .blocks
            .insert("up-mirzapur".into(), ["chhanbey".to_string()].into());
        assert!(catalog.has_block("up-mirzapur", "Chhanbey"));
        assert!(!catalog.has_block("up-mirzapur", "Nowhere"));
        assert!(catalog.has_block("br-gaya", "Bodh Gaya"));
    }
}

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
    /// Block names per district code as the geography spells them.
    pub block_names: BTreeMap<String, Vec<String>>,
    /// The spelling key search uses (a Devanagari word and its casual Latin spellings share
    /// one), given by whoever builds the catalog; without it blocks match only as written.
    pub spelling_key: Option<fn(&str) -> String>,
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

/// Words people add to a block's name that are not part of it.
const BLOCK_NOISE: &[&str] = &["block", "ब्लॉक", "prakhand", "प्रखंड", "vikaskhand", "विकासखंड"];

impl Catalog {
    /// The block of `district` that `typed` names, as the geography spells it: matched as
    /// written, then by spelling key (short or long vowels, aspirates, Devanagari or Latin),
    /// without the district's own name ("Mirzapur City" is the block City of Mirzapur) or a word
    /// such as "block", and then without a final vowel ("Chhanbe" for Chhanbey). `None` when no
    /// block, or more than one, matches: the caller keeps the text and marks it unverified.
    pub fn resolve_block(&self, district: &str, typed: &str) -> Option<String> {
        let names = self.block_names.get(district)?;
        let typed = typed.trim();
        if let Some(exact) = names.iter().find(|name| name.eq_ignore_ascii_case(typed)) {
            return Some(exact.clone());
        }
        let key = self.spelling_key?;
        let district_name = district.split_once('-').map_or(district, |(_, name)| name);
        let district_key: String = district_name.split('-').map(key).collect();
        // A name's keys: its words run together ("Bodh Gaya" and "Bodhgaya" are one), with and
        // without the district's own name ("Mirzapur City" is City; "Bodh Gaya" keeps Gaya).
        let keys_of = |text: &str| -> Vec<String> {
            let words: Vec<&str> = text
                .split(|c: char| c.is_whitespace() || c == '-' || c == ',' || c == '.')
                .filter(|word| !word.is_empty())
                .filter(|word| !BLOCK_NOISE.contains(&word.to_lowercase().as_str()))
                .collect();
            let whole: String = words.concat();
            let own: String = words
                .iter()
                .filter(|word| key(word) != district_key)
                .copied()
                .collect();
            let mut keys: Vec<String> = [whole, own]
                .iter()
                .filter(|text| !text.is_empty())
                .map(|text| key(text))
                .collect();
            keys.dedup();
            keys
        };
        let stem = |k: &str| {
            k.trim_end_matches(['a', 'e', 'i', 'o', 'u', 'y'])
                .to_string()
        };
        let wanted = keys_of(typed);
        if wanted.is_empty() {
            return None;
        }
        let unique = |matches: Vec<&String>| match matches.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        };
        let same: Vec<&String> = names
            .iter()
            .filter(|name| keys_of(name).iter().any(|k| wanted.contains(k)))
            .collect();
        if !same.is_empty() {
            return unique(same);
        }
        // Then without a final vowel ("Chhanbe" for Chhanbey), if enough is left to tell apart.
        let stems: Vec<String> = wanted
            .iter()
            .map(|k| stem(k))
            .filter(|k| k.chars().count() >= 3)
            .collect();
        unique(
            names
                .iter()
                .filter(|name| keys_of(name).iter().any(|k| stems.contains(&stem(k))))
                .collect(),
        )
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

    #[test]
    fn blocks_resolve_only_as_written_without_a_spelling_key() {
        let mut catalog = Catalog::default();
        catalog
            .block_names
            .insert("up-mirzapur".into(), vec!["Chhanbey".into(), "City".into()]);
        assert_eq!(
            catalog.resolve_block("up-mirzapur", " chhanbey "),
            Some("Chhanbey".into())
        );
        assert_eq!(catalog.resolve_block("up-mirzapur", "Chhanbe"), None);
        assert_eq!(catalog.resolve_block("br-gaya", "Bodh Gaya"), None);
    }
}

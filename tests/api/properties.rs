//! Properties of the validators and the search's spelling key over generated input: whatever
//! people (or a fuzzer) type, nothing panics, and cleaning what is already clean changes nothing.

use proptest::prelude::*;
use sangam::domain::FieldErrors;
use sangam::domain::geography::Catalog;
use sangam::domain::phone::normalize_phone;
use sangam::domain::stakeholder::StakeholderInput;
use sangam::domain::validation::{check_name, visible_name};
use sangam::search::analysis::{normalize, phonetic_key, words};

/// Text as it arrives from forms: Latin, Devanagari (with nukta, virama, joiners), digits,
/// punctuation, invisible and bidi characters, and anything else.
fn field_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z ]{0,30}",
        "[\u{0900}-\u{097F}\u{200C}\u{200D} ]{0,20}",
        "[\u{200B}-\u{200F}\u{202A}-\u{202E}\u{2060}\u{FEFF}a-z\u{0915}-\u{0939}\u{094D} ]{0,20}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn phone_normalisation_never_panics_and_its_output_is_a_fixed_point(raw in "[0-9 +()./-]{0,20}|\\PC{0,20}") {
        if let Ok(phone) = normalize_phone(&raw) {
            prop_assert!(phone.starts_with("+91") && phone.len() == 13, "{phone}");
            prop_assert_eq!(normalize_phone(&phone), Ok(phone.clone()));
        }
    }

    #[test]
    fn a_mobile_written_any_usual_way_is_one_phone(
        first in 6u8..=9,
        rest in "[0-9]{9}",
        prefix in prop_oneof![Just(""), Just("0"), Just("+91 "), Just("91-"), Just("(+91) ")],
        split in 1usize..9,
        separator in prop_oneof![Just(""), Just(" "), Just("-"), Just(".")],
    ) {
        let digits = format!("{first}{rest}");
        let written = format!("{prefix}{}{separator}{}", &digits[..split], &digits[split..]);
        prop_assert_eq!(normalize_phone(&written), Ok(format!("+91{digits}")));
    }

    #[test]
    fn visible_names_are_already_visible(raw in field_text()) {
        let once = visible_name(&raw);
        prop_assert_eq!(visible_name(&once), once.clone());
        let clean_ends = !once.starts_with(char::is_whitespace) && !once.ends_with(char::is_whitespace);
        prop_assert!(clean_ends, "blank at an end: {:?}", once);
        let no_controls = !once.contains(['\u{202E}', '\u{200B}']);
        prop_assert!(no_controls, "a bidi or zero-width character kept: {:?}", once);
        let mut errors = FieldErrors::new();
        let checked = check_name(&mut errors, "name", &raw, 200);
        prop_assert_eq!(checked, once);
    }

    /// The spelling key is what documents and queries meet on, so it must not depend on how
    /// the same word was encoded or capitalised. (Keys are never keyed again, so a key need not
    /// be its own key: च keys to "c", and a typed Latin "c" to "k".)
    #[test]
    fn normalising_is_a_fixed_point_and_spelling_keys_ignore_encoding_and_case(raw in field_text()) {
        use unicode_normalization::UnicodeNormalization;
        let normal = normalize(&raw);
        prop_assert_eq!(normalize(&normal), normal.clone());
        for word in words(&raw) {
            let key = phonetic_key(&word);
            let decomposed: String = word.nfd().collect();
            prop_assert_eq!(phonetic_key(&decomposed), key.clone(), "word {:?} as NFD", word);
            // Capitals as people type them in Latin letters (Unicode's full case mapping of
            // ligatures such as ﬓ is not reversible, and nobody types those).
            if word.is_ascii() {
                prop_assert_eq!(phonetic_key(&word.to_uppercase()), key.clone(), "word {:?} in capitals", word);
            }
            prop_assert_eq!(phonetic_key(&normalize(&word)), key.clone(), "word {:?} normalised", word);
        }
    }

    #[test]
    fn any_stakeholder_form_is_validated_without_panicking(
        name in field_text(), local in field_text(), description in field_text(),
        phone in field_text(), block in field_text(), age in any::<i64>(),
    ) {
        let form = serde_json::json!({
            "kind": "micro_entrepreneur", "name": name, "name_local": local,
            "district": "up-mirzapur", "description": description,
            "contact": {"phone": phone},
            "profile": {"gender": "female", "age": age, "sector": "tailoring", "block": block},
        });
        if let Ok(input) = serde_json::from_value::<StakeholderInput>(form) {
            let _ = input.validate_with(&catalog());
        }
    }
}

/// Mirzapur with one block and the tailoring sector: enough for every rule to run.
fn catalog() -> Catalog {
    let mut catalog = Catalog::default();
    catalog.districts.insert("up-mirzapur".into());
    catalog.sectors.insert("tailoring".into());
    catalog
        .blocks
        .insert("up-mirzapur".into(), ["chhanbey".to_string()].into());
    catalog
}

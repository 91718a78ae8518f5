//! Graded relevance over the fixed corpus ([`super::fixture::Fixture::corpus`]) in Devanagari,
//! romanized Hindi and mixed script, with typos as people make them: each case names records
//! that must be found within a rank, and records that must not be found at all. All cases run
//! and every failure is reported together, so one weak spot does not hide the others.

use super::fixture::Fixture;
use super::query::SearchRequest;

/// A query, the records it must find (each at this rank or better, 0 = first, with every word of
/// the query matched), and records it must not find.
struct Case {
    query: &'static str,
    finds: &'static [(&'static str, usize)],
    not: &'static [&'static str],
}

const fn case(
    query: &'static str,
    finds: &'static [(&'static str, usize)],
    not: &'static [&'static str],
) -> Case {
    Case { query, finds, not }
}

fn failures(f: &Fixture, cases: &[Case]) -> Vec<String> {
    let mut wrong = Vec::new();
    for case in cases {
        let names = f.names(case.query);
        // A word that matched nothing is left out, and the rest could find the records alone.
        let left_out = f.search(&SearchRequest::new(case.query)).left_out;
        if !case.finds.is_empty() && !left_out.is_empty() {
            wrong.push(format!("“{}”: {left_out:?} matched nothing", case.query));
        }
        for &(name, within) in case.finds {
            match names.iter().position(|n| n == name) {
                Some(rank) if rank <= within => {}
                found => wrong.push(format!(
                    "“{}”: {name} at {found:?}, wanted rank ≤ {within}; found {names:?}",
                    case.query
                )),
            }
        }
        for name in case.not {
            if names.iter().any(|n| n == name) {
                wrong.push(format!("“{}” must not find {name}: {names:?}", case.query));
            }
        }
    }
    wrong
}

#[tokio::test]
async fn devanagari_and_mixed_script_queries_find_what_they_mean() {
    let f = Fixture::corpus().await;
    let cases = [
        // Milk and subsidy, in three scripts and spellings.
        case("दूध", &[("doodh", 1)], &["goat_scheme", "mudra"]),
        case("doodh", &[("doodh", 1)], &["goat_scheme"]),
        case("dudh anudan", &[("doodh", 0)], &["dairy_loan"]),
        case("milk subsidy", &[("doodh", 0)], &["mudra"]),
        case("दूध अनुदान", &[("doodh", 0)], &["goat_scheme"]),
        case("anudaan", &[("doodh", 1), ("goat_scheme", 1)], &["mudra"]),
        case("अनुदान", &[("doodh", 1), ("goat_scheme", 1)], &["carpet"]),
        case("subsidy", &[("doodh", 1), ("goat_scheme", 1)], &[]),
        // Women and training: inflected plurals, Devanagari and romanized.
        case(
            "महिलाओं का प्रशिक्षण",
            &[("silai_hi", 1), ("tailoring_en", 1)],
            &["mudra", "carpet"],
        ),
        case(
            "mahila prashikshan",
            &[("silai_hi", 1), ("tailoring_en", 1)],
            &["honey_body"],
        ),
        case("महिलाएं सिलाई", &[("silai_hi", 0)], &["carpet"]),
        case(
            "प्रशिक्षण",
            &[("silai_hi", 4), ("honey_title", 4)],
            &["mudra"],
        ),
        case("prashikshan", &[("silai_hi", 4), ("honey_title", 4)], &[]),
        case(
            "silaai",
            &[("silai_hi", 1), ("silai_need", 2)],
            &["honey_title"],
        ),
        // Loans: the Hindi words, plurals, and mixed with English.
        case("ऋण", &[("pashu_loan", 3), ("mudra", 3)], &["carpet"]),
        case("ऋणों", &[("pashu_loan", 3), ("mudra", 3)], &["carpet"]),
        case("karz", &[("mudra", 3), ("dairy_loan", 3)], &["honey_title"]),
        case("loan", &[("pashu_loan", 4)], &["carpet"]),
        case("dairy ऋण", &[("dairy_loan", 0)], &["mudra", "pashu_loan"]),
        case("doodh loan", &[("dairy_loan", 0)], &["mudra"]),
        case("मुद्रा लोन", &[("mudra", 0)], &["dairy_loan"]),
        case("mudra rin", &[("mudra", 0)], &[]),
        case(
            "बकरियों के लिए ऋण",
            &[("pashu_loan", 2), ("bakri_need", 2)],
            &["carpet", "doodh"],
        ),
        case("गाय loan", &[("pashu_loan", 0)], &["mudra"]),
        // Goats, and words that only look alike.
        case(
            "बकरी",
            &[("pashu_loan", 2), ("goat_scheme", 2), ("bakri_need", 2)],
            &["dairy_loan", "doodh"],
        ),
        case("bakriyon", &[("goat_scheme", 2)], &["dairy_loan"]),
        // Selling and buying: the market offerings.
        case("कालीन", &[("carpet", 0)], &["dairy_loan", "mushroom"]),
        case("kaleen", &[("carpet", 0)], &["mudra"]),
        case(
            "पापड़ खरीदार",
            &[("live_papad", 0), ("expired_papad", 1)],
            &["carpet"],
        ),
        case("papad kharidar", &[("live_papad", 0)], &["honey_title"]),
        case("मशरूम", &[("mushroom", 1)], &["carpet"]),
        case(
            "शहद",
            &[("honey_title", 0), ("honey_body", 1)],
            &["mushroom"],
        ),
        case("shahad prashikshan", &[("honey_title", 0)], &["silai_hi"]),
    ];
    assert!(cases.len() >= 30);
    let wrong = failures(&f, &cases);
    assert!(
        wrong.is_empty(),
        "{} of {}: {wrong:#?}",
        wrong.len(),
        cases.len()
    );
}

#[tokio::test]
async fn typos_at_the_end_swapped_letters_and_run_together_words_find_their_records() {
    let f = Fixture::corpus().await;
    let cases = [
        // A wrong or missing last letter.
        case("tailorin", &[("tailoring_en", 0)], &["carpet"]),
        case("tailorinh", &[("tailoring_en", 0)], &[]),
        case("mushroon", &[("mushroom", 1)], &["carpet"]),
        // Both titles say "processing"; a near miss in a title ranks above one in the sector
        // text of the two papad offerings (a near miss scores a constant, so the two titles tie).
        case("processinf", &[("honey_title", 1), ("honey_body", 1)], &[]),
        case("prashikshn", &[("silai_hi", 4)], &[]),
        // Two letters swapped.
        case("tailroing", &[("tailoring_en", 0)], &[]),
        case("carpte", &[("carpet", 0)], &["mudra"]),
        case("procsesing", &[("honey_title", 1)], &[]),
        case(
            "embroidery chiakn",
            &[],
            &["archived_chikan", "pending_zari"],
        ),
        // Compound English words run together or typed with a typo inside.
        case("handknotted carpet", &[("carpet", 0)], &[]),
        case("collateralfree loan", &[("mudra", 1)], &["carpet"]),
        case("hand-knoted", &[("carpet", 0)], &[]),
        case("foodprocessing", &[("honey_body", 0)], &["carpet"]),
        case("handknotted", &[("carpet", 0)], &["mudra"]),
        // Long words with a typo inside.
        case("cultivaton", &[("mushroom", 0)], &[]),
        case("residentail course", &[("tailoring_en", 0)], &[]),
        case("extracton", &[("honey_title", 0)], &[]),
    ];
    let wrong = failures(&f, &cases);
    assert!(
        wrong.is_empty(),
        "{} of {}: {wrong:#?}",
        wrong.len(),
        cases.len()
    );
}

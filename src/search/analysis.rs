//! Text analysis for Sangam's search: Hindi (Devanagari), Hindi typed in Latin letters, English.
//!
//! Why this exists: tantivy's default tokenizer splits Devanagari words at the virama and the
//! nukta (प्रशिक्षण → प · रशिक · षण), and nothing in tantivy knows that "silai", "silaai" and
//! "सिलाई" are one word, or that "bakri palan" means goat rearing. People searching do not switch
//! scripts to match the data, so this module provides:
//!
//! * [`normalize`]: NFC, lowercase, ZWJ/ZWNJ removed. Nukta is kept (in its NFC form, i.e.
//!   base letter + U+093C), so the exact field tells ज़ from ज; the phonetic key ignores nukta.
//! * [`IndicTokenizer`]: words are runs of Devanagari (U+0900–U+097F minus the dandas and the
//!   abbreviation sign) or of other letters/digits; the two scripts split from each other.
//!   ZWJ/ZWNJ and combining accents stay inside a word. Offsets are byte offsets into the
//!   original text; each token's text is [`normalize`]d.
//! * [`phonetic_key`] and [`PhoneticKeyFilter`]: one key for a Devanagari word and its casual
//!   Latin spellings (see the function for the rules).
//! * [`register_analyzers`]: the analyzers [`INDIC`], [`INDIC_PHONETIC`] and [`INDIC_KEYS`].
//!   Custom tokenizers must be registered again on every open of an index.
//! * [`Vocabulary`]: synonym groups from a plain-text file (`index/vocabulary.txt`), matched by
//!   phonetic key. [`INDIC_KEYS`] writes a [`group_token`] beside the keys of every word or
//!   phrase of a group, so a synonym costs a query one term instead of one per spelling and
//!   field; the index therefore records which vocabulary built it ([`Vocabulary::fingerprint`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
    TokenizerManager,
};
use unicode_normalization::UnicodeNormalization;

/// Analyzer name: words, normalized (see [`normalize`]).
pub const INDIC: &str = "indic";
/// Analyzer name: words replaced by their [`phonetic_key`].
pub const INDIC_PHONETIC: &str = "indic_phonetic";
/// Analyzer name: [`phonetic_key`]s plus a [`group_token`] for each vocabulary term in the text.
pub const INDIC_KEYS: &str = "indic_keys";
/// Tokens longer than this (in UTF-8 bytes) are dropped. Not tantivy's usual 40: a Devanagari
/// letter takes 3 bytes, and real words such as अंतर्राष्ट्रीय take 42.
pub const MAX_TOKEN_BYTES: usize = 120;

/// Words whose [`phonetic_key`] each thread keeps (then it starts afresh).
const REMEMBERED_KEYS: usize = 200_000;

const ZWNJ: char = '\u{200C}';
const ZWJ: char = '\u{200D}';
const NUKTA: char = '\u{093C}';
const VIRAMA: char = '\u{094D}';

fn normalized_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|&c| c != ZWJ && c != ZWNJ)
        .nfc()
        .flat_map(char::to_lowercase)
}

/// NFC, lowercase, ZWJ/ZWNJ dropped (they only change how a conjunct is drawn).
pub fn normalize(text: &str) -> String {
    let mut normalized = String::with_capacity(text.len());
    push_normalized(text, &mut normalized);
    normalized
}

/// Appends `text` [`normalize`]d. ASCII (most English and romanized Hindi words) is already in
/// NFC and only needs lowercasing, which skips the costly general path.
fn push_normalized(text: &str, out: &mut String) {
    if text.is_ascii() {
        out.extend(text.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        out.extend(normalized_chars(text));
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Separator,
    Devanagari,
    Other,
    /// Combining accent: extends a word, never starts one.
    Mark,
    /// ZWJ/ZWNJ: kept inside a word, never starts or ends one.
    Joiner,
}

fn class(c: char) -> Class {
    match c {
        '\u{0964}' | '\u{0965}' | '\u{0970}' => Class::Separator,
        '\u{0900}'..='\u{097F}' => Class::Devanagari,
        ZWJ | ZWNJ => Class::Joiner,
        '\u{0300}'..='\u{036F}' => Class::Mark,
        c if c.is_alphanumeric() => Class::Other,
        _ => Class::Separator,
    }
}

/// Byte range `(from, to)` of the first word starting at or after byte `cursor`.
fn next_word(text: &str, cursor: usize) -> Option<(usize, usize)> {
    let mut word: Option<(usize, usize, Class)> = None;
    for (i, c) in text[cursor..].char_indices() {
        let (at, class) = (cursor + i, class(c));
        match word {
            None if matches!(class, Class::Devanagari | Class::Other) => {
                word = Some((at, at + c.len_utf8(), class));
            }
            None => {}
            Some((from, _, script)) if class == script || class == Class::Mark => {
                word = Some((from, at + c.len_utf8(), script));
            }
            Some(_) if class == Class::Joiner => {}
            Some(_) => break,
        }
    }
    word.map(|(from, to, _)| (from, to))
}

/// Byte ranges of the words of `text`, where [`IndicTokenizer`] cuts them (not yet normalized).
pub fn word_ranges(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut cursor = 0;
    std::iter::from_fn(move || {
        let (from, to) = next_word(text, cursor)?;
        cursor = to;
        Some((from, to))
    })
}

/// Splits text into normalized words, exactly as [`IndicTokenizer`] does (for query parsing).
pub fn words(text: &str) -> Vec<String> {
    word_ranges(text)
        .map(|(from, to)| normalize(&text[from..to]))
        .collect()
}

/// Tokenizer for mixed Hindi/English text; see the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct IndicTokenizer;

/// Token stream of [`IndicTokenizer`].
pub struct IndicTokenStream<'a> {
    text: &'a str,
    cursor: usize,
    token: Token,
}

impl Tokenizer for IndicTokenizer {
    type TokenStream<'a> = IndicTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> IndicTokenStream<'a> {
        IndicTokenStream {
            text,
            cursor: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for IndicTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((from, to)) = next_word(self.text, self.cursor) else {
            return false;
        };
        self.cursor = to;
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.token.position.wrapping_add(1);
        self.token.text.clear();
        push_normalized(&self.text[from..to], &mut self.token.text);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[rustfmt::skip]
fn consonant(c: char) -> Option<&'static str> {
    Some(match c {
        'क' => "k", 'ख' => "kh", 'ग' => "g", 'घ' => "gh", 'च' => "ch", 'छ' => "chh",
        'ज' => "j", 'झ' => "jh", 'ट' | 'त' => "t", 'ठ' | 'थ' => "th", 'ड' | 'द' => "d",
        'ढ' | 'ध' => "dh", 'ङ' | 'ञ' | 'ण' | 'न' | '\u{0929}' => "n", 'प' => "p", 'फ' => "ph",
        'ब' => "b", 'भ' => "bh", 'म' => "m", 'य' => "y", 'र' | '\u{0931}' => "r",
        'ल' | 'ळ' | '\u{0934}' => "l", 'व' => "v", 'श' | 'ष' => "sh", 'स' => "s", 'ह' => "h",
        _ => return None,
    })
}

#[rustfmt::skip]
fn vowel_sign(c: char) -> Option<&'static str> {
    Some(match c {
        'ा' => "aa", 'ि' => "i", 'ी' => "ii", 'ु' => "u", 'ू' => "uu", 'ृ' => "ri", 'ॄ' => "rii",
        'ॢ' | 'ॣ' => "li", 'े' | 'ॅ' | 'ॆ' => "e", 'ै' => "ai", 'ो' | 'ॉ' | 'ॊ' => "o",
        'ौ' | 'ॏ' => "au",
        _ => return None,
    })
}

#[rustfmt::skip]
fn vowel_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'अ' => "a", 'आ' => "aa", 'इ' => "i", 'ई' => "ii", 'उ' => "u", 'ऊ' => "uu", 'ऋ' => "ri",
        'ॠ' => "rii", 'ऌ' | 'ॡ' => "li", 'ए' | 'ऍ' | 'ऎ' => "e", 'ऐ' => "ai",
        'ओ' | 'ऑ' | 'ऒ' => "o", 'औ' => "au", 'ॐ' => "om",
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Consonant,
    Vowel,
    Schwa,
}

/// Devanagari → casual Latin, the way people type; other characters are copied.
fn transliterate(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut start = 0;
    while start < chars.len() {
        let letter = |c: &&char| class(**c) == Class::Devanagari && !c.is_numeric();
        let len = chars[start..].iter().take_while(letter).count();
        if len > 0 {
            transliterate_word(&chars[start..start + len], &mut out);
            start += len;
            continue;
        }
        match chars[start] {
            c @ '०'..='९' => out.push(char::from(b'0' + (c as u32 - '०' as u32) as u8)),
            c => out.push(c),
        }
        start += 1;
    }
    out
}

/// One Devanagari word. The inherent vowel is written "a", then dropped where Hindi drops it:
/// at the end of the word (kept after a र/य/व conjunct and in -ीय: क्षेत्र kshetra, राष्ट्रीय
/// rashtriya), and right to left between V C and C V (Ohala's rule: सरकारी sarkari, बकरी bakri).
fn transliterate_word(chars: &[char], out: &mut String) {
    let mut units: Vec<(&'static str, Kind)> = Vec::with_capacity(chars.len() + 4);
    let mut i = 0;
    while i < chars.len() {
        let (c, next) = (chars[i], chars.get(i + 1).copied());
        if let Some(mut latin) = consonant(c) {
            let mut j = i + 1;
            if chars.get(j) == Some(&NUKTA) {
                // क़ q, ज़ z, फ़ f. ड़/ढ़ stay "d": typed far more often than "r" (ladki, kapda), and
                // typists often leave the nukta out, so the key ignores nukta altogether.
                latin = match c {
                    'क' => "q",
                    'ज' => "z",
                    'फ' => "f",
                    _ => latin,
                };
                j += 1;
            }
            if c == 'ज' && chars.get(j) == Some(&VIRAMA) && chars.get(j + 1) == Some(&'ञ') {
                latin = "gy"; // ज्ञान is typed "gyan"
                j += 2;
            }
            units.push((latin, Kind::Consonant));
            let before = if i > 0 { chars[i - 1] } else { ' ' };
            let keep_final =
                (before == VIRAMA && matches!(c, 'र' | 'य' | 'व')) || (before == 'ी' && c == 'य');
            match chars.get(j).copied() {
                Some(VIRAMA) => j += 1,
                Some(sign) if vowel_sign(sign).is_some() => {
                    units.push((vowel_sign(sign).unwrap_or_default(), Kind::Vowel));
                    j += 1;
                }
                Some(_) => units.push(("a", Kind::Schwa)),
                None if keep_final => units.push(("a", Kind::Schwa)),
                None => {}
            }
            i = j;
            continue;
        }
        let unit = match c {
            // Final anusvara after the inherent vowel is "m" (स्वयं swayam), "ng" in a final
            // ंह (सिंह singh), otherwise "n"; spelling rules turn "nb"/"np" into "mb"/"mp".
            'ं' if next.is_none() && units.last().is_some_and(|u| u.1 == Kind::Schwa) => "m",
            'ं' if next == Some('ह') && i + 2 == chars.len() => "ng",
            'ं' | 'ँ' => "n",
            'ः' if next.is_some_and(|n| consonant(n).is_some()) => "", // दुःख dukh
            'ः' => "h",
            _ => {
                if let Some(vowel) = vowel_letter(c).or_else(|| vowel_sign(c)) {
                    units.push((vowel, Kind::Vowel));
                }
                i += 1;
                continue;
            }
        };
        units.push((unit, Kind::Consonant));
        i += 1;
    }
    let vowel = |k: Kind| matches!(k, Kind::Vowel | Kind::Schwa);
    for i in (2..units.len().saturating_sub(2)).rev() {
        let kind = |at: usize| units[at].1;
        let left = kind(i - 1) == Kind::Consonant && vowel(kind(i - 2));
        let right = kind(i + 1) == Kind::Consonant && vowel(kind(i + 2));
        if kind(i) == Kind::Schwa && left && right {
            units.remove(i);
        }
    }
    units.iter().for_each(|unit| out.push_str(unit.0));
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

fn is_consonant(c: char) -> bool {
    c.is_ascii_lowercase() && !is_vowel(c)
}

/// Collapses runs of one letter (digits are left alone: "2000").
fn collapse(chars: &mut Vec<char>) {
    chars.dedup_by(|next, prev| next == prev && next.is_ascii_alphabetic());
}

/// Spelling normalisation of casual Latin (see [`phonetic_key`]).
fn spelling_key(latin: &str) -> String {
    // Accents off (ā → a, ś → s), then the one English spelling Hindi says differently.
    let plain: String = latin
        .nfd()
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
        .collect();
    let plain = plain.replace("chine", "shin");
    let src: Vec<char> = plain.chars().collect();
    let mut s: Vec<char> = Vec::with_capacity(src.len() + 2);
    for (i, &c) in src.iter().enumerate() {
        let next = src.get(i + 1).copied();
        match c {
            'c' if next == Some('h') => s.push('c'),
            'c' if matches!(next, Some('e' | 'i' | 'y')) => s.push('s'),
            'c' | 'q' => s.push('k'),
            'x' => s.extend(['k', 's']),
            'z' => s.push('j'),
            'w' => s.push('v'),
            'p' if next == Some('h') => s.push('f'),
            // Aspiration and the h of sh/ch: kh→k, dh→d, bh→b, sh→s, chh→c …
            'h' if s.last().is_some_and(|&p| is_consonant(p)) => {}
            _ => s.push(c),
        }
    }
    // Long vowels: ee → i, oo → u, aa → a. Doubled consonants wait until after schwa deletion.
    let mut v: Vec<char> = Vec::with_capacity(s.len());
    for c in s {
        match (v.last_mut(), c) {
            (Some(last @ 'e'), 'e') => *last = 'i',
            (Some(last @ 'o'), 'o') => *last = 'u',
            (Some(p), _) if *p == c && is_vowel(c) => {}
            _ => v.push(c),
        }
    }
    // Hindi schwa deletion, right to left: a → ∅ between V C and C V (bakari → bakri,
    // बकरी "bakarii" → bakri, अगरबत्ती "agarabattii" → agarbatti, योजना → yojna).
    for i in (2..v.len().saturating_sub(2)).rev() {
        let left = is_consonant(v[i - 1]) && is_vowel(v[i - 2]);
        if v[i] == 'a' && left && is_consonant(v[i + 1]) && is_vowel(v[i + 2]) {
            v.remove(i);
        }
    }
    // Again h after a consonant (दलहन "dalhan"); n before b/p → m; y not before a vowel → i;
    // iya → ia; ai/ae/ei → e; au/ou/oa → o.
    let mut out: Vec<char> = Vec::with_capacity(v.len());
    for (i, &c) in v.iter().enumerate() {
        let next = v.get(i + 1).copied();
        let c = match c {
            'y' if !next.is_some_and(is_vowel) => 'i',
            'n' if matches!(next, Some('b' | 'p')) => 'm',
            _ => c,
        };
        let after_consonant = out.last().is_some_and(|&p| is_consonant(p));
        if (c == 'y' && out.last() == Some(&'i')) || (c == 'h' && after_consonant) {
            continue;
        }
        match (out.last_mut(), c) {
            (Some(last @ 'a'), 'i' | 'e') | (Some(last @ 'e'), 'i') => *last = 'e',
            (Some(last @ ('a' | 'o')), 'u') | (Some(last @ 'o'), 'a') => *last = 'o',
            _ => out.push(c),
        }
    }
    collapse(&mut out);
    out.into_iter().collect()
}

/// A key shared by a Hindi word in Devanagari and its casual Latin spellings
/// (सिलाई = silai = silaai, कर्ज़ = karz = karj, मशीन = machine = masheen).
///
/// (a) Devanagari becomes casual Latin: क k, ख kh, श/ष sh, व v, ज़ z, फ़ f, ड़ d, ऋ ri, matras as
/// vowels, anusvara/chandrabindu n; the inherent vowel is dropped where Hindi drops it.
/// (b) Every Latin spelling is folded: accents off; c → k/s, ch → c, q → k, x → ks, z → j,
/// w → v, ph → f, an h after a consonant dropped (kh, gh, jh, th, dh, bh; sh → s); ee → i,
/// oo → u, aa → a; a → ∅ between V C and C V (bakari → bakri); doubled letters collapsed;
/// n before b/p → m; y not before a vowel → i; ai/ae/ei → e, au/ou/oa → o. A final "a" is
/// kept (bakra ≠ bakri). English words get the same treatment, which is harmless.
/// Expects one word. Changing these rules changes indexed terms: reindex afterwards.
pub fn phonetic_key(word: &str) -> String {
    word_keys(word).0
}

/// A word's keys: that of its [`base_form`] (the word's own if it has none), and that of the
/// word as written when it differs. Indexing and search both hold both, so ऋणों meets ऋण, and a
/// Latin spelling of the inflected form (mahilaon) still meets महिलाओं.
pub fn word_keys(word: &str) -> (String, Option<String>) {
    // Records repeat a few tens of thousands of distinct words, and working a key out takes
    // several allocations; each indexing or search thread remembers the keys it has made.
    thread_local! {
        static KEYS: RefCell<HashMap<String, (String, Option<String>)>> = RefCell::new(HashMap::new());
    }
    KEYS.with_borrow_mut(|keys| {
        if let Some(found) = keys.get(word) {
            return found.clone();
        }
        if keys.len() >= REMEMBERED_KEYS {
            keys.clear();
        }
        let normalized = normalize(word);
        let surface = key_of_normalized(&normalized);
        let found = match (base_form(&normalized), second_form(&normalized)) {
            (Some(base), _) => {
                let base = key_of_normalized(&base);
                if base == surface {
                    (base, None)
                } else {
                    (base, Some(surface))
                }
            }
            (None, Some(second)) => {
                let second = key_of_normalized(&second);
                let second = (second != surface).then_some(second);
                (surface, second)
            }
            (None, None) => (surface, None),
        };
        keys.insert(word.to_string(), found.clone());
        found
    })
}

fn key_of_normalized(normalized: &str) -> String {
    let key = spelling_key(&transliterate(normalized));
    if key.is_empty() {
        normalized.to_string()
    } else {
        key
    }
}

/// Hindi endings a light stemmer takes back to the word's plain form, longest first:
/// plural and oblique nouns (किसानों → किसान, महिलाओं → महिला, सब्ज़ियाँ → सब्ज़ी, दुकानें → दुकान)
/// and verb forms to the infinitive (बेचने, बेचनी → बेचना). Both spellings of the nasal
/// (chandrabindu ँ, anusvara ं) are listed. See also [`DEVANAGARI_SECOND_ENDINGS`].
const DEVANAGARI_ENDINGS: &[(&str, &str)] = &[
    ("ियों", "ी"),
    ("ियाँ", "ी"),
    ("ियां", "ी"),
    ("ाओं", "ा"),
    ("ाएँ", "ा"),
    ("ाएं", "ा"),
    ("ुओं", "ु"),
    ("ूओं", "ू"),
    ("ों", ""),
    ("ें", ""),
    ("ेँ", ""),
    ("ने", "ना"),
];

/// The feminine infinitive (सीखनी है) becomes a second key only: more Hindi nouns end in -नी
/// (कहानी, कंपनी, मधुबनी) than such verbs, so the word's own key stays its first.
const DEVANAGARI_SECOND_ENDINGS: &[(&str, &str)] = &[("नी", "ना")];

/// The same endings as people type them in Latin letters (mahilaon, sabjiyon, bechne). Only
/// endings that English words hardly have; the word as written is kept as a key anyway.
const LATIN_ENDINGS: &[(&str, &str)] = &[
    ("iyon", "i"),
    ("iyan", "i"),
    ("iyaan", "i"),
    ("aon", "a"),
    ("aen", "a"),
    ("aayen", "a"),
    ("ayen", "a"),
];

/// The plain form of an inflected Hindi word (see [`DEVANAGARI_ENDINGS`]), for a normalized
/// word; `None` when no ending applies. Short words are left alone: what stays must hold at
/// least two letters (so में, ने, सोने keep their meaning) and must not end in a virama (गन्ने
/// is not cut inside its conjunct).
pub fn base_form(word: &str) -> Option<String> {
    let devanagari = word.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c));
    let endings = if devanagari {
        DEVANAGARI_ENDINGS
    } else {
        LATIN_ENDINGS
    };
    strip_ending(word, endings, devanagari)
}

/// A second plain form, kept beside the word's own (see [`DEVANAGARI_SECOND_ENDINGS`]).
fn second_form(word: &str) -> Option<String> {
    strip_ending(word, DEVANAGARI_SECOND_ENDINGS, true)
}

fn strip_ending(word: &str, endings: &[(&str, &str)], devanagari: bool) -> Option<String> {
    for (ending, replacement) in endings {
        let Some(stem) = word.strip_suffix(ending) else {
            continue;
        };
        let letters = if devanagari {
            stem.chars().filter(|&c| is_devanagari_letter(c)).count()
        } else {
            stem.chars().filter(|c| c.is_alphabetic()).count()
        };
        let least = if devanagari { 2 } else { 3 };
        if letters < least || stem.ends_with(VIRAMA) {
            return None;
        }
        return Some(format!("{stem}{replacement}"));
    }
    None
}

/// A consonant or an independent vowel (not a vowel sign, nasal or virama).
fn is_devanagari_letter(c: char) -> bool {
    matches!(c, '\u{0904}'..='\u{0939}' | '\u{0958}'..='\u{0961}' | '\u{0972}'..='\u{097F}')
}

/// The (base) phonetic keys of the words of `text`, one per word (see [`phonetic_key`]).
pub fn phonetic_keys(text: &str) -> Vec<String> {
    words(text).iter().map(|word| phonetic_key(word)).collect()
}

/// Token filter replacing each token's text with its [`phonetic_key`].
#[derive(Clone, Copy, Debug, Default)]
pub struct PhoneticKeyFilter;

/// Tokenizer produced by [`PhoneticKeyFilter`].
#[derive(Clone)]
pub struct PhoneticKeyTokenizer<T>(T);

/// Token stream produced by [`PhoneticKeyFilter`]: a word's [`word_keys`], the second (the
/// inflected form's own key, if any) at the same position.
pub struct PhoneticKeyStream<S> {
    words: S,
    surface: Option<Token>,
    current: Token,
}

impl TokenFilter for PhoneticKeyFilter {
    type Tokenizer<T: Tokenizer> = PhoneticKeyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PhoneticKeyTokenizer<T> {
        PhoneticKeyTokenizer(tokenizer)
    }
}

impl<T: Tokenizer> Tokenizer for PhoneticKeyTokenizer<T> {
    type TokenStream<'a> = PhoneticKeyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PhoneticKeyStream {
            words: self.0.token_stream(text),
            surface: None,
            current: Token::default(),
        }
    }
}

impl<S: TokenStream> TokenStream for PhoneticKeyStream<S> {
    fn advance(&mut self) -> bool {
        if let Some(surface) = self.surface.take() {
            self.current = surface;
            return true;
        }
        if !self.words.advance() {
            return false;
        }
        let word = self.words.token();
        let (base, surface) = word_keys(&word.text);
        self.current = Token {
            text: base,
            ..word.clone()
        };
        self.surface = surface.map(|text| Token {
            text,
            ..word.clone()
        });
        true
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Registers [`INDIC`], [`INDIC_PHONETIC`] and [`INDIC_KEYS`] (with `vocabulary`'s groups).
/// Call on every open of an index.
pub fn register_analyzers(manager: &TokenizerManager, vocabulary: &Vocabulary) {
    manager.register(INDIC, words_analyzer());
    manager.register(
        INDIC_PHONETIC,
        words_analyzer_builder().filter(PhoneticKeyFilter).build(),
    );
    let keys = KeysTokenizer {
        words: words_analyzer(),
        vocabulary: Arc::new(vocabulary.clone()),
    };
    manager.register(INDIC_KEYS, TextAnalyzer::from(keys));
}

fn words_analyzer_builder() -> tantivy::tokenizer::TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(IndicTokenizer)
        .filter(LowerCaser)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES + 1))
}

fn words_analyzer() -> TextAnalyzer {
    words_analyzer_builder().build()
}

/// The indexed term that stands for synonym group `group` of the vocabulary. `=` never occurs
/// in a word, so it cannot collide with a key.
pub fn group_token(group: usize) -> String {
    format!("={group}")
}

/// The tokenizer of [`INDIC_KEYS`]: a text's words as phonetic keys, then one [`group_token`]
/// per vocabulary term found among them (at the position of the term's first word).
#[derive(Clone)]
pub struct KeysTokenizer {
    words: TextAnalyzer,
    vocabulary: Arc<Vocabulary>,
}

/// The tokens of one text, made up front (finding phrases needs the words that follow).
pub struct BufferedTokens {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for KeysTokenizer {
    type TokenStream<'a> = BufferedTokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufferedTokens {
        let mut tokens = Vec::new();
        let mut surfaces = Vec::new();
        self.words.token_stream(text).process(&mut |token| {
            let (base, surface) = word_keys(&token.text);
            if let Some(surface) = surface {
                surfaces.push(Token {
                    text: surface,
                    ..token.clone()
                });
            }
            tokens.push(Token {
                text: base,
                ..token.clone()
            });
        });
        // Phrases of the vocabulary are found over the words' base keys, one per word.
        let keys: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        let spans = self.vocabulary.spans(&keys);
        for (start, end, group) in spans {
            let (first, last) = (&tokens[start], &tokens[end - 1]);
            let token = Token {
                text: group_token(group),
                offset_from: first.offset_from,
                offset_to: last.offset_to,
                position: first.position,
                position_length: 1,
            };
            tokens.push(token);
        }
        tokens.extend(surfaces);
        BufferedTokens { tokens, next: 0 }
    }
}

impl TokenStream for BufferedTokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Why a vocabulary could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum VocabularyError {
    #[error("cannot read vocabulary {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("vocabulary line {line}: {message}")]
    Line { line: usize, message: String },
}

#[derive(Debug, Clone)]
struct Term {
    words: Vec<String>,
    keys: Vec<String>,
}

/// Synonym groups, one per line of a plain-text file: terms separated by `|`, `#` starts a
/// comment, blank lines are ignored; a term may have several words ("bakri palan").
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    groups: Vec<Vec<Term>>,
    /// Phonetic key of a term's first word → (group, term).
    by_first_key: HashMap<String, Vec<(usize, usize)>>,
}

/// A run of query words that matched a synonym group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// First matched word (index into the query words).
    pub start: usize,
    /// One past the last matched word.
    pub end: usize,
    /// Index of the group (order of lines in the file).
    pub group: usize,
    /// The group's other terms, each as its normalized words. Terms spelt exactly like the
    /// matched words are left out; other spellings with the same key are kept for exact fields.
    pub alternatives: Vec<Vec<String>>,
    /// The same terms as phrases (words joined by a space), ready to be analysed again.
    pub terms: Vec<String>,
}

impl Vocabulary {
    /// Parses the vocabulary format; errors name the line (counting from 1).
    pub fn parse(text: &str) -> Result<Vocabulary, VocabularyError> {
        let mut vocabulary = Vocabulary::default();
        for (index, raw) in text.trim_start_matches('\u{FEFF}').lines().enumerate() {
            let line = index + 1;
            let error = |message: String| VocabularyError::Line { line, message };
            let content = raw.split('#').next().unwrap_or_default().trim();
            if content.is_empty() {
                continue;
            }
            let mut terms = Vec::new();
            for part in content.split('|').map(str::trim) {
                if part.is_empty() {
                    return Err(error("empty term: a '|' with nothing on one side".into()));
                }
                let words = words(part);
                if words.is_empty() {
                    return Err(error(format!("term {part:?} has no letters or digits")));
                }
                let keys = words.iter().map(|w| phonetic_key(w)).collect();
                terms.push(Term { words, keys });
            }
            if terms.len() < 2 {
                return Err(error(format!(
                    "{content:?} needs at least two terms: a | b"
                )));
            }
            let group = vocabulary.groups.len();
            for (t, term) in terms.iter().enumerate() {
                let entry = vocabulary.by_first_key.entry(term.keys[0].clone());
                entry.or_default().push((group, t));
            }
            vocabulary.groups.push(terms);
        }
        Ok(vocabulary)
    }

    /// Reads and parses a vocabulary file.
    pub fn load(path: &Path) -> Result<Vocabulary, VocabularyError> {
        let text = std::fs::read_to_string(path).map_err(|source| VocabularyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Vocabulary::parse(&text)
    }

    /// The vocabulary shipped in `index/vocabulary.txt`, built into the program.
    pub fn builtin() -> Result<Vocabulary, VocabularyError> {
        Vocabulary::parse(include_str!("../../index/vocabulary.txt"))
    }

    /// The (start, end, group) of every run of `keys` that is a term of a group, ordered by
    /// start, longer runs first.
    pub fn spans(&self, keys: &[&str]) -> Vec<(usize, usize, usize)> {
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for start in 0..keys.len() {
            for &(group, t) in self.by_first_key.get(keys[start]).into_iter().flatten() {
                let term = &self.groups[group][t].keys;
                let run = keys.get(start..start + term.len());
                if run.is_some_and(|run| run.iter().eq(term.iter())) {
                    spans.push((start, start + term.len(), group));
                }
            }
        }
        spans.sort_by_key(|&(start, end, group)| (start, usize::MAX - end, group));
        spans.dedup();
        spans
    }

    /// Identifies the groups as the index sees them (each group's keys, in order): an index
    /// built with another vocabulary holds other group tokens and must be rebuilt.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for group in &self.groups {
            for term in group {
                hash.update(term.keys.join(" ").as_bytes());
                hash.update(b"|");
            }
            hash.update(b"\n");
        }
        hex::encode(&hash.finalize()[..8])
    }

    /// Number of synonym groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// True when there are no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Finds the groups matched by single query words or runs of consecutive words, comparing
    /// phonetic keys. Every match is returned (also overlapping ones), ordered by start, longer
    /// spans first.
    pub fn expand(&self, words: &[String]) -> Vec<Expansion> {
        let normalized: Vec<String> = words.iter().map(|w| normalize(w)).collect();
        let keys: Vec<String> = normalized.iter().map(|w| phonetic_key(w)).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let spans = self.spans(&keys);
        let expansion = |(start, end, group): (usize, usize, usize)| {
            let mut alternatives: Vec<Vec<String>> = Vec::new();
            for term in &self.groups[group] {
                let same = term.words[..] == normalized[start..end];
                if !same && !alternatives.contains(&term.words) {
                    alternatives.push(term.words.clone());
                }
            }
            let terms = alternatives.iter().map(|words| words.join(" ")).collect();
            Expansion {
                start,
                end,
                group,
                alternatives,
                terms,
            }
        };
        spans.into_iter().map(expansion).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (text, from, to, position) of each token.
    fn tokens(text: &str) -> Vec<(String, usize, usize, usize)> {
        let (mut tokenizer, mut out) = (IndicTokenizer, Vec::new());
        let mut stream = tokenizer.token_stream(text);
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn normalize_nfc_lowercase_joiners() {
        assert_eq!(normalize("Silai DAIRY"), "silai dairy");
        // Precomposed क़ (U+0958) and क + nukta normalize alike; the nukta stays.
        assert_eq!(normalize("\u{0958}र्ज"), normalize("\u{0915}\u{093C}र्ज"));
        assert!(normalize("\u{0958}").contains(NUKTA));
        assert_eq!(normalize("क्\u{200D}ष क्\u{200C}ष"), "क्ष क्ष");
    }

    #[test]
    fn tokenizer_keeps_devanagari_words_whole() {
        assert_eq!(texts("सिलाई प्रशिक्षण"), ["सिलाई", "प्रशिक्षण"]);
        assert_eq!(texts("\u{0958}\u{0930}\u{094D}\u{095B}").len(), 1); // क़र्ज़
        assert_eq!(texts("dairy ke liye loan"), ["dairy", "ke", "liye", "loan"]);
        assert_eq!(texts("Silai-प्रशिक्षण, 2027"), ["silai", "प्रशिक्षण", "2027"]);
        let mixed = texts("लोन। बैंक॥ ₹50,000 १२ab बकरीpalan क्\u{200D}ष \u{200C} Café ,;—");
        assert_eq!(
            mixed,
            [
                "लोन",
                "बैंक",
                "50",
                "000",
                "१२",
                "ab",
                "बकरी",
                "palan",
                "क्ष",
                "café"
            ]
        );
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        // U+0958/U+095B grow under NFC (3 → 6 bytes each): offsets must not come from NFC text.
        let karz = "\u{0958}\u{0930}\u{094D}\u{095B}";
        let text = format!("ऋण {karz} Silai-प्रशिक्षण क्\u{200D}ष");
        let toks = tokens(&text);
        let slices: Vec<&str> = toks.iter().map(|t| &text[t.1..t.2]).collect();
        assert_eq!(slices, ["ऋण", karz, "Silai", "प्रशिक्षण", "क्\u{200D}ष"]);
        assert_eq!(
            toks.iter().map(|t| t.3).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4]
        );
        assert_eq!(toks[1].0, normalize(karz));
    }

    /// Spellings that must share a key: groups separated by ";".
    const SAME: &str = "silai silaai सिलाई; bakri bakari बकरी; doodh dudh दूध; palan paalan पालन;
        prashikshan prasikshan prashiksan प्रशिक्षण; karz karj qarz कर्ज क़र्ज़ कर्ज़; rin ऋण;
        kaleen kalin qaleen कालीन; machine masheen मशीन; mahila महिला; gaay gai गाय;
        murgi murgee मुर्गी; sabzi sabji सब्ज़ी सब्जी; dairy डेयरी; loan lon लोन; kisan kisaan किसान;
        yojana yojna योजना; anudan anudaan अनुदान; byaj byaaj ब्याज; udhaar udhar उधार;
        beej bij बीज; khad khaad खाद; achar achaar अचार; machhli machli मछली; hathkargha हथकरघा;
        agarbatti agarbati अगरबत्ती; bazaar bazar बाज़ार बाजार; kharidar khareedar ख़रीदार;
        vyapari vyaapari व्यापारी; dukan dukaan दुकान; kirana किराना; bunai बुनाई; jaivik जैविक;
        kaushal koshal कौशल; swayam svayam स्वयं; sahayata sahayta सहायता; samooh samuh समूह;
        mirzapur mirjapur मिर्ज़ापुर मिर्जापुर; bhadohi भदोही; bihar बिहार; patna पटना; uttar उत्तर;
        pradesh prades प्रदेश; singh सिंह; shri shree sri श्री; kshetra क्षेत्र; gyan gyaan ज्ञान;
        krishi कृषि; naukri nokri नौकरी; rozgar rojgar रोज़गार रोजगार; mazdoor majdur मज़दूर;
        phal fal फल; training ट्रेनिंग; kambal कंबल; sampark संपर्क; ladki लड़की लडकी; kapda कपड़ा;
        kiya kia किया; liye लिए; aurat orat औरत; vikas vikaas विकास; pashupalan पशुपालन;
        mudra मुद्रा; chawal chaval चावल; sinchai सिंचाई; vyavsay vyavasay व्यवसाय; sangathan संगठन;
        kendra केंद्र केन्द्र; beema bima बीमा; sarkari सरकारी; dalhan दलहन; janpad जनपद;
        nishulk निःशुल्क; rashtriya राष्ट्रीय; madhubani मधुबनी; tarkari तरकारी; dukh दुःख;
        keetnashak कीटनाशक; anganwadi आंगनवाड़ी; mein में; hain हैं; २०२७ 2027";

    /// Words that must keep different keys.
    const DIFFERENT: &str = "bakri bakra; बकरी बकरा; silai sale; kaleen kal; loan lawn; palan plan;
        karz kar; gaay gaya; mahila mahal; doodh dal; kisan kisi; chor shor; mirch mircha";

    #[test]
    fn phonetic_keys_agree_and_differ() {
        let mut pairs = 0;
        for group in SAME.split(';') {
            let spellings: Vec<&str> = group.split_whitespace().collect();
            for word in &spellings[1..] {
                let (key, expected) = (phonetic_key(word), phonetic_key(spellings[0]));
                assert_eq!(key, expected, "{word} vs {}", spellings[0]);
                pairs += 1;
            }
        }
        assert!(pairs >= 100, "{pairs}");
        for pair in DIFFERENT.split(';') {
            let pair: Vec<&str> = pair.split_whitespace().collect();
            assert_ne!(phonetic_key(pair[0]), phonetic_key(pair[1]), "{pair:?}");
        }
        assert_eq!(
            (phonetic_key("silai"), phonetic_key("bakari")),
            ("sile".into(), "bakri".into())
        );
        assert_eq!(phonetic_key("Ab12"), "ab12");
        let keys = [phonetic_key("silai"), phonetic_key("prashikshan")];
        assert_eq!(phonetic_keys("Silai-प्रशिक्षण"), keys);
    }

    #[test]
    fn analyzers_index_and_find() -> tantivy::Result<()> {
        use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
        use tantivy::{Index, IndexWriter, TantivyDocument, Term, collector::Count, doc};

        let options = |analyzer: &str| {
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            TextOptions::default()
                .set_indexing_options(indexing)
                .set_stored()
        };
        let mut builder = Schema::builder();
        let exact = builder.add_text_field("text", options(INDIC));
        let phonetic = builder.add_text_field("text_phonetic", options(INDIC_PHONETIC));
        let index = Index::create_in_ram(builder.build());
        register_analyzers(index.tokenizers(), &Vocabulary::default());
        let mut writer: IndexWriter<TantivyDocument> =
            index.writer_with_num_threads(1, 15_000_000)?;
        for text in ["सिलाई प्रशिक्षण", "Dairy ke liye LOAN"] {
            writer.add_document(doc!(exact => text, phonetic => text))?;
        }
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let hits = |field, term: &str| {
            let term = Term::from_field_text(field, term);
            let query = tantivy::query::TermQuery::new(term, IndexRecordOption::Basic);
            searcher.search(&query, &Count).unwrap()
        };
        assert_eq!(hits(phonetic, &phonetic_key("silai")), 1);
        assert_eq!(hits(phonetic, &phonetic_key("prasikshan")), 1);
        assert_eq!(hits(phonetic, &phonetic_key("लोन")), 1);
        assert_eq!((hits(exact, "प्रशिक्षण"), hits(exact, "loan")), (1, 1));
        assert_eq!((hits(exact, "प"), hits(exact, "silai")), (0, 0));

        let mut analyzer = index.tokenizers().get(INDIC).unwrap();
        let text = format!("अंतर्राष्ट्रीय {}", "x".repeat(MAX_TOKEN_BYTES + 1));
        let (mut stream, mut kept) = (analyzer.token_stream(&text), Vec::new());
        while let Some(t) = stream.next() {
            kept.push(t.text.clone());
        }
        assert_eq!(kept, ["अंतर्राष्ट्रीय"]);
        Ok(())
    }

    #[test]
    fn the_keys_analyzer_adds_a_token_per_vocabulary_term() {
        let vocabulary = Vocabulary::parse("goat rearing | bakri palan\nloan | rin | ऋण").unwrap();
        let manager = TokenizerManager::default();
        register_analyzers(&manager, &vocabulary);
        let mut analyzer = manager.get(INDIC_KEYS).unwrap();
        let mut texts = Vec::new();
        analyzer
            .token_stream("Bakari paalan ke liye ऋण")
            .process(&mut |t| texts.push(t.text.clone()));
        let keys: Vec<String> = phonetic_keys("bakri palan ke liye rin");
        assert_eq!(texts[..5], keys[..]);
        assert_eq!(texts[5..], [group_token(0), group_token(1)]);
        assert_ne!(
            vocabulary.fingerprint(),
            Vocabulary::default().fingerprint()
        );
    }

    fn span(e: &Expansion) -> (usize, usize, usize) {
        (e.start, e.end, e.group)
    }

    #[test]
    fn vocabulary_parses_and_expands() {
        let text = "# livelihoods\ngoat rearing | bakri palan | बकरी पालन\n\n\
            goat | bakri | बकरी   # animal\ntailoring | silai | सिलाई | darzi\n\
            loan | rin | karz | ऋण | कर्ज़ | लोन\n";
        let vocabulary = Vocabulary::parse(text).unwrap();
        assert_eq!((vocabulary.len(), vocabulary.is_empty()), (4, false));

        let found = vocabulary.expand(&words("bakari paalan"));
        assert_eq!(
            found.iter().map(span).collect::<Vec<_>>(),
            [(0, 2, 0), (0, 1, 1)]
        );
        let goat_rearing = [
            words("goat rearing"),
            words("bakri palan"),
            words("बकरी पालन"),
        ];
        assert_eq!(found[0].alternatives, goat_rearing);
        assert_eq!(found[0].terms, ["goat rearing", "bakri palan", "बकरी पालन"]);

        let found = vocabulary.expand(&words("सिलाई"));
        assert_eq!(found.len(), 1);
        assert!(found[0].alternatives.contains(&words("silai")));
        assert!(!found[0].alternatives.contains(&words("सिलाई")));

        let found = vocabulary.expand(&words("dairy ke liye karj"));
        assert_eq!(found.iter().map(span).collect::<Vec<_>>(), [(3, 4, 3)]);
        assert!(found[0].alternatives.contains(&words("loan")));
        assert!(vocabulary.expand(&words("sale")).is_empty());
        assert!(vocabulary.expand(&[]).is_empty());
    }

    #[test]
    fn vocabulary_errors_name_the_line() {
        let line = |text: &str| match Vocabulary::parse(text) {
            Err(VocabularyError::Line { line, .. }) => line,
            other => panic!("{other:?}"),
        };
        assert_eq!(line("a | b\n# c\nloan\n"), 3);
        assert_eq!(line("a | | b"), 1);
        assert_eq!(line("\n\na | b |"), 3);
        assert_eq!(line("a | b\r\nx | ।।\r\n"), 2);
        let message = Vocabulary::parse("a | b\nc").unwrap_err().to_string();
        assert!(message.starts_with("vocabulary line 2:"), "{message}");
        assert!(
            Vocabulary::parse("\u{FEFF}# only comments\n\n")
                .unwrap()
                .is_empty()
        );
        let missing = Vocabulary::load(Path::new("/nonexistent/vocabulary.txt"));
        assert!(matches!(missing, Err(VocabularyError::Io { .. })));
    }

    #[test]
    fn shipped_vocabulary_loads() {
        let vocabulary = Vocabulary::builtin().unwrap();
        assert!(vocabulary.len() >= 250, "{}", vocabulary.len());
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("index/vocabulary.txt");
        assert_eq!(Vocabulary::load(&path).unwrap().len(), vocabulary.len());
        let expected =
            "bakari paalan > goat rearing; सिलाई > tailoring; karj > loan; kaleen > carpet;
            doodh > milk; self help group > स्वयं सहायता समूह; sant ravidas nagar > bhadohi;
            मिर्जापुर > mirzapur; machhli palan > fisheries; मुर्गी पालन > poultry";
        for pair in expected.split(';') {
            let (query, alternative) = pair.split_once('>').unwrap();
            let found = vocabulary.expand(&words(query));
            let hit = found
                .iter()
                .any(|e| e.alternatives.contains(&words(alternative)));
            assert!(hit, "{query} → {alternative}");
        }
    }

    /// Whether two words share a key as the index and queries see them.
    fn meet(a: &str, b: &str) -> bool {
        let (a_base, a_surface) = word_keys(a);
        let (b_base, b_surface) = word_keys(b);
        let a_keys = [Some(a_base), a_surface];
        let b_keys = [Some(b_base), b_surface];
        a_keys
            .iter()
            .flatten()
            .any(|k| b_keys.iter().flatten().any(|l| l == k))
    }

    #[test]
    fn inflected_hindi_words_meet_their_plain_forms() {
        for (inflected, plain) in [
            ("ऋणों", "ऋण"),
            ("किसानों", "किसान"),
            ("महिलाओं", "महिला"),
            ("महिलाएं", "महिला"),
            ("महिलाएँ", "महिला"),
            ("योजनाओं", "योजना"),
            ("सब्ज़ियों", "सब्ज़ी"),
            ("सब्जियाँ", "सब्जी"),
            ("बकरियां", "बकरी"),
            ("दुकानें", "दुकान"),
            ("मशीनों", "मशीन"),
            ("वस्तुओं", "वस्तु"),
            ("बेचने", "बेचना"),
            ("बेचनी", "बेचना"),
            ("सीखने", "सीखना"),
            ("खरीदने", "खरीदना"),
            // Across scripts: the inflected form meets its plain Latin spelling and its own.
            ("ऋणों", "rin"),
            ("महिलाओं", "mahila"),
            ("महिलाओं", "mahilaon"),
            ("बेचने", "bechna"),
            ("बेचने", "bechne"),
            ("mahilaon", "महिला"),
            ("sabjiyon", "sabji"),
        ] {
            assert!(meet(inflected, plain), "{inflected} should meet {plain}");
        }
    }

    #[test]
    fn short_words_and_different_words_are_not_stemmed_together() {
        for (a, b) in [
            // Too short to cut: what would be left is one letter.
            ("में", "म"),
            ("ने", "ना"),
            ("सोने", "सोना"),
            ("पानी", "पान"),
            // A conjunct is not cut in half.
            ("गन्ने", "गन्ना"),
            // Different words stay apart.
            ("बकरा", "बकरी"),
            ("बकरियों", "बकरा"),
            ("कहानी", "कहा"),
            ("बेचना", "बेच"),
            // English words with Hindi-looking endings keep their own key.
            ("person", "pers"),
            ("machine", "machina"),
            ("on", "o"),
        ] {
            assert!(!meet(a, b), "{a} should not meet {b}");
        }
        assert_eq!(base_form("में"), None);
        assert_eq!(base_form("सोने"), None);
        assert_eq!(base_form("गन्ने"), None);
        assert_eq!(base_form("ऋणों").as_deref(), Some("ऋण"));
        assert_eq!(base_form("बेचनी"), None, "a second key only");
        assert_eq!(word_keys("बेचनी").1, Some(phonetic_key("बेचना")));
        assert_eq!(word_keys("मधुबनी").0, phonetic_key("madhubani"));
    }

    #[test]
    fn the_keys_analyser_holds_the_base_and_the_written_form_at_one_position() {
        let manager = TokenizerManager::default();
        register_analyzers(&manager, &Vocabulary::default());
        let mut analyser = manager.get(INDIC_PHONETIC).unwrap();
        let mut seen = Vec::new();
        analyser
            .token_stream("ऋणों का लोन")
            .process(&mut |t| seen.push((t.text.clone(), t.position)));
        assert_eq!(seen[0].1, seen[1].1, "{seen:?}");
        assert_eq!(seen[0].0, phonetic_key("ऋण"));
        assert_eq!(seen.len(), 4, "{seen:?}");
    }
}

//! Snippets of a hit: the words a query matched found again in a record's text (exactly, by
//! phonetic key, within the fuzzy distance, or as a synonym), in a window of the text around
//! the most of them. A snippet is plain text with the byte ranges of the matched words: the
//! HTTP layer marks them up (the API as `<b>…</b>` HTML, the search page through its template).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::analysis;
use super::query::{Word, fuzzy_distance};

/// A snippet's text and the byte ranges of the matched words in it, in order.
pub type Snippet = (String, Vec<(usize, usize)>);

/// The longest snippet, in characters (an ellipsis either side aside).
const SNIPPET_CHARS: usize = 160;

/// Finds, in a record's text, the words the query matched — exactly, by phonetic key, within
/// the fuzzy distance, or as a synonym — and marks them in a snippet.
pub(super) struct Highlighter {
    words: HashSet<String>,
    keys: HashSet<String>,
    /// Words (and keys) that got fuzzy terms, with the edits allowed.
    fuzzy: Vec<(Vec<char>, u8)>,
    /// Verdicts per word as written in a record, before normalizing: hits share most of their
    /// words, and normalizing each one again cost a third of a small query.
    judged: RefCell<HashMap<String, bool>>,
}

impl Highlighter {
    pub(super) fn new(query: &[Word]) -> Self {
        let mut words = HashSet::new();
        let mut keys = HashSet::new();
        let mut fuzzy = Vec::new();
        for word in query {
            words.insert(word.text.clone());
            keys.extend(word.keys.iter().cloned());
            if !word.common {
                if let Some(distance) = fuzzy_distance(&word.text) {
                    fuzzy.push((word.text.chars().collect(), distance));
                }
                let long_keys = word.keys.iter().filter(|k| k.chars().count() >= 4);
                fuzzy.extend(long_keys.map(|k| (k.chars().collect(), 1)));
            }
            for token in word.synonyms.iter().flatten() {
                words.insert(token.clone());
                keys.extend(analysis::phonetic_keys(token));
            }
        }
        Highlighter {
            words,
            keys,
            fuzzy,
            judged: RefCell::default(),
        }
    }

    /// Whether a word as written in a record (`written`, not yet normalized) matches.
    fn matches(&self, written: &str) -> bool {
        if let Some(verdict) = self.judged.borrow().get(written) {
            return *verdict;
        }
        let token = analysis::normalize(written);
        // The index drops words this long, so a query word never is one.
        let verdict = token.len() <= analysis::MAX_TOKEN_BYTES && self.judge(&token);
        self.judged
            .borrow_mut()
            .insert(written.to_string(), verdict);
        verdict
    }

    /// Whether a token of a record's text matches a query word: as itself, by phonetic key,
    /// or — for the words that got fuzzy terms — within their edit distance, in letters or in
    /// keys.
    fn judge(&self, token: &str) -> bool {
        if self.words.contains(token) {
            return true;
        }
        // A token is one word, so it has one key.
        let key = analysis::phonetic_key(token);
        if self.keys.contains(&key) {
            return true;
        }
        let forms: [Vec<char>; 2] = [token.chars().collect(), key.chars().collect()];
        self.fuzzy.iter().any(|(word, distance)| {
            let distance = *distance as usize;
            forms.iter().any(|form| {
                // Lengths further apart than the distance allowed need no table.
                word.len().abs_diff(form.len()) <= distance && edit_distance(word, form) <= distance
            })
        })
    }

    /// The description around the best matches, else the titles if only they matched, else the
    /// start of the description.
    pub(super) fn snippet(&self, title: &str, title_local: Option<&str>, body: &str) -> Snippet {
        if let Some(snippet) = self.highlight(body) {
            return snippet;
        }
        let titles = match title_local {
            Some(local) => format!("{title} · {local}"),
            None => title.to_string(),
        };
        if let Some(snippet) = self.highlight(&titles) {
            return snippet;
        }
        (leading_chars(body, SNIPPET_CHARS), Vec::new())
    }

    /// At most [`SNIPPET_CHARS`] characters of `text` around the most matched words, with
    /// where those words are in it; `None` if no word in it matched. (Done here rather than
    /// with tantivy's `SnippetGenerator`, which tokenizes the text a second time and cost more
    /// than the rest of the page.)
    fn highlight(&self, text: &str) -> Option<Snippet> {
        let marks: Vec<(usize, usize)> = analysis::word_ranges(text)
            .filter(|&(from, to)| self.matches(&text[from..to]))
            .collect();
        let (from, to) = best_window(text, &marks)?;
        let lead = if from > 0 { "… " } else { "" };
        let mut shown = String::with_capacity(to - from + 8);
        shown.push_str(lead);
        shown.push_str(&text[from..to]);
        if to < text.len() {
            shown.push_str(" …");
        }
        let shift = |at: usize| at - from + lead.len();
        let matched = marks
            .iter()
            .filter(|m| m.0 >= from && m.1 <= to)
            .map(|&(start, end)| (shift(start), shift(end)))
            .collect();
        Some((shown, matched))
    }
}

/// The byte range of at most [`SNIPPET_CHARS`] characters of `text` that holds the most of the
/// matched words `marks` (byte ranges, in order), cut at spaces; `None` without marks.
fn best_window(text: &str, marks: &[(usize, usize)]) -> Option<(usize, usize)> {
    let first = marks.first()?;
    if text.chars().count() <= SNIPPET_CHARS {
        return Some((0, text.len()));
    }
    let chars_between = |from: usize, to: usize| text[from..to].chars().count();
    let mut best = (0, first.0);
    for (i, &(start, _)) in marks.iter().enumerate() {
        let held = marks[i..]
            .iter()
            .take_while(|m| chars_between(start, m.1) <= SNIPPET_CHARS)
            .count();
        if held > best.0 {
            best = (held, start);
        }
    }
    // Some words before the first match, for context, and the rest after it.
    let start = best.1;
    let before = &text[..start];
    let lead: usize = before
        .chars()
        .rev()
        .take(SNIPPET_CHARS / 4)
        .map(char::len_utf8)
        .sum();
    let mut from = start - lead;
    if from > 0 {
        from = before[from..]
            .find(' ')
            .map_or(start, |space| from + space + 1);
    }
    let window: usize = text[from..]
        .chars()
        .take(SNIPPET_CHARS)
        .map(char::len_utf8)
        .sum();
    let mut to = from + window;
    if to < text.len() {
        let cut = text[..to].rfind(' ').filter(|&space| space > start);
        to = cut.unwrap_or(to);
    }
    Some((from, to))
}

/// Levenshtein distance between two words, by characters.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// At most `limit` characters from the start of `text`, cut at a space where possible.
fn leading_chars(text: &str, limit: usize) -> String {
    let Some((cut, _)) = text.char_indices().nth(limit) else {
        return text.to_string();
    };
    let head = &text[..cut];
    let head = head.rfind(' ').map(|space| &head[..space]).unwrap_or(head);
    format!("{head} …")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::fixture::Fixture;
    use crate::search::query::analyse_query;

    #[test]
    fn edit_distance_counts_character_edits() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&chars("tailorng"), &chars("tailoring")), 1);
        assert_eq!(edit_distance(&chars("सिलाई"), &chars("सिलाइ")), 1);
        assert_eq!(edit_distance(&chars(""), &chars("abc")), 3);
    }

    #[tokio::test]
    async fn long_texts_are_cut_around_the_matched_words() {
        let f = Fixture::empty().await;
        let highlighter = Highlighter::new(&analyse_query(
            f.index.index(),
            f.index.vocabulary(),
            "कालीन",
            |_| true,
        ));
        let filler = "बुनाई का काम घर पर होता है और ".repeat(12);
        let text = format!("{filler}यहाँ कालीन <खरीद> होती है। {filler}");
        let (shown, matched) = highlighter.highlight(&text).expect("a match");
        let marked: Vec<&str> = matched.iter().map(|&(a, b)| &shown[a..b]).collect();
        assert_eq!(marked, ["कालीन"], "{shown}");
        assert!(
            shown.contains("<खरीद>"),
            "as written, for the HTTP layer to escape: {shown}"
        );
        assert!(shown.starts_with("… ") && shown.ends_with(" …"), "{shown}");
        assert!(shown.chars().count() <= SNIPPET_CHARS + 4, "{shown}");
        assert_eq!(highlighter.highlight("नमक"), None);
        let short = highlighter.highlight("कालीन").expect("a match");
        assert_eq!(short, ("कालीन".to_string(), vec![(0, "कालीन".len())]));
    }

    #[test]
    fn snippets_cut_at_a_space() {
        assert_eq!(leading_chars("one two three", 9), "one two …");
        assert_eq!(leading_chars("short", 9), "short");
    }
}

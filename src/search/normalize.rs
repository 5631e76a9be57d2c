//! Text → search words: the normalization applied to what is indexed and, ported
//! line for line to `static/search-normalize.js`, to what a reader types.
//!
//! Arabic is written in many interchangeable ways: with or without tashkeel and tatweel,
//! `أ إ آ ٱ` or a bare `ا`, `ى` or `ي` at the end of a word (Egyptian `فى`), `ة` or `ه`,
//! letters pasted from PDFs as presentation forms (`ﻣﺎﺩﻭﺭﻭ`), and with clitics attached
//! (`لمادورو`, `بكاراكاس`, `والتحالفات`). Both the index and the query go through
//! [`normalize_for_search`], so any two spellings that fold to one form find each other.
//!
//! The normalization keeps the number and order of words: word `i` of the normalized text
//! is word `i` of [`words`] over the original text. The index stores the author's own
//! text, and the search page finds the matched words in it by their index, so excerpts
//! are shown as written (DESIGN: never rewrite an author's spelling) with the matches
//! highlighted.

use crate::text::slug::{fold_arabic_letter, is_invisible_control, is_tashkeel, TATWEEL};
use std::borrow::Cow;
use std::ops::Range;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// One word of a text: where it is in the original, and its search form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    /// Byte range of the word in the original text.
    pub span: Range<usize>,
    pub normalized: Cow<'a, str>,
}

/// The search form of a text: its words, normalized, joined by single spaces.
pub fn normalize_for_search(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.normalized);
    }
    out
}

/// The words of a text, in order. A word is a run of letters, digits, marks and
/// invisible controls; everything else separates words and is dropped. A run that
/// normalizes to nothing (only tashkeel, tatweel or controls) is not a word.
pub fn words(text: &str) -> impl Iterator<Item = Word<'_>> {
    let mut buf = String::new();
    runs(text).filter_map(move |span| {
        normalize_word_into(&text[span.clone()], &mut buf);
        (!buf.is_empty()).then(|| Word {
            span,
            normalized: Cow::Owned(buf.clone()),
        })
    })
}

/// Calls `f` with each run of [`is_word_char`] characters of `text`, in order: the
/// same runs as [`runs`], in one pass that reads ASCII and two-byte Arabic directly
/// (the indexer's hot loop, ten million words at 10,000 articles). A run may normalize
/// to nothing; [`normalize_word_into`] says.
pub fn for_each_run(text: &str, mut f: impl FnMut(&str)) {
    for_each_run_in_tokens(text, |run, _| f(run));
}

/// [`for_each_run`], also giving the index of the whitespace-separated token each run
/// is in: the word positions Pagefind's client reads, which split a fragment's content
/// at runs of [`is_token_space`] (`content.split(/[^\S\uFEFF]+/)`) and mark the
/// tokens at the positions the index gives. (`ترامب-بوتين` is one token and two runs;
/// a lone `—` is a token and no run.) Returns how many tokens there are
/// ([`token_count`]).
pub fn for_each_run_in_tokens(text: &str, mut f: impl FnMut(&str, u32)) -> u32 {
    let bytes = text.as_bytes();
    let arabic = &*ARABIC_BLOCK;
    let mut token = 0u32;
    let mut in_space = false;
    let mut i = 0;
    while i < bytes.len() {
        let (word_char, space, len) = class_at(text, i, arabic);
        if word_char {
            // The run, to its end: no token counting inside a word.
            let start = i;
            i += len;
            while i < bytes.len() {
                let (word_char, _, len) = class_at(text, i, arabic);
                if !word_char {
                    break;
                }
                i += len;
            }
            f(&text[start..i], token);
            in_space = false;
        } else {
            token += u32::from(space & !in_space);
            in_space = space;
            i += len;
        }
    }
    token + 1
}

/// Whether the character at byte `i` of `text` is a word character, a token space, and
/// its length in bytes: ASCII and the Arabic block (`arabic`, [`ARABIC_BLOCK`]) from
/// tables, the rest from Unicode's.
#[inline(always)]
fn class_at(text: &str, i: usize, arabic: &[u64; 4]) -> (bool, bool, usize) {
    let bytes = text.as_bytes();
    match bytes[i] {
        b @ 0..=0x7f => {
            let class = ASCII_CLASS[usize::from(b)];
            (class & WORD != 0, class & SPACE != 0, 1)
        }
        // U+0600..U+06FF, two bytes `D8..DB 80..BF`: looked up in the block's table.
        b @ (0xd8..=0xdb) => {
            let k = (usize::from(b & 0x03) << 6) | usize::from(bytes[i + 1] & 0x3f);
            ((arabic[k / 64] >> (k % 64)) & 1 == 1, false, 2)
        }
        _ => {
            let c = text[i..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            (is_word_char(c), is_token_space(c), c.len_utf8())
        }
    }
}

const WORD: u8 = 1;
const SPACE: u8 = 2;

/// Each ASCII byte's class: a word character ([`is_word_char`]: letters and digits) or
/// a token space ([`is_token_space`]).
static ASCII_CLASS: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = WORD;
        } else if matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            table[b] = SPACE;
        }
        b += 1;
    }
    table
};

/// Whether Pagefind's client splits a fragment's words at `c`: JavaScript's `\s` but
/// U+FEFF.
pub fn is_token_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// How many tokens Pagefind's client splits `text` into (`text.split(...)`'s length,
/// counting an empty one before leading and after trailing spaces).
pub fn token_count(text: &str) -> u32 {
    let mut count = 1;
    let mut in_space = false;
    for c in text.chars() {
        let space = is_token_space(c);
        if space && !in_space {
            count += 1;
        }
        in_space = space;
    }
    count
}

/// [`is_word_char`] of each character of the Arabic block, U+0600..U+06FF (bit `k` of
/// the table is U+0600 + `k`): Arabic text is mostly there, its punctuation (`،` `؛`
/// `؟`) and digits among it, and Unicode's tables are slow to search.
static ARABIC_BLOCK: std::sync::LazyLock<[u64; 4]> = std::sync::LazyLock::new(|| {
    let mut bits = [0u64; 4];
    for k in 0..256 {
        if char::from_u32(0x600 + k as u32).is_some_and(is_word_char) {
            bits[k / 64] |= 1 << (k % 64);
        }
    }
    bits
});

/// The runs of [`is_word_char`] characters of a text, as byte ranges. Some may
/// normalize to nothing; [`words`] skips those.
pub fn runs(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = rest.by_ref().find(|&(_, c)| is_word_char(c))?;
        let mut end = text.len();
        while let Some(&(i, c)) = rest.peek() {
            if !is_word_char(c) {
                end = i;
                break;
            }
            rest.next();
        }
        Some(start..end)
    })
}

/// Characters that belong to a word. Tatweel and tashkeel are letters and marks in
/// Unicode, so they are covered; controls are listed so that a stray zero-width space
/// or bidi mark inside a word does not split it.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // Fast path: Unicode's tables are slow to search, and most of the text is here
    // (Arabic letters, tatweel, harakat: all letters or marks).
    if matches!(c, '\u{0620}'..='\u{065F}') {
        return true;
    }
    c.is_alphabetic() || c.is_numeric() || is_combining_mark(c) || is_invisible_control(c)
}

/// The search form of one word (a run of [`is_word_char`] characters):
///
/// 1. NFKC, so presentation forms (`ﻣﺎﺩﻭﺭﻭ`) and ligatures become ordinary letters;
/// 2. lower case (`NATO` → `nato`);
/// 3. NFKD, then every mark is dropped: tashkeel, and the hamza that NFKD splits off
///    `أ إ آ ؤ ئ` (so they fold to `ا ا ا و ي`), like Pagefind's own diacritic folding;
/// 4. tatweel and invisible controls are dropped; `ٱ`→`ا`, `ى`→`ي`, `ة`→`ه`, the Persian
///    `ی ک` → `ي ك`, and Arabic-Indic digits → `0-9`;
/// 5. light clitic stripping ([`strip_clitics`]), then the plural ending `ات`
///    ([`strip_plural`]).
///
/// Anything else that is not a letter or digit (what NFKC may produce, like the fraction
/// slash of `½`, or the spaces inside `ﷺ`) is dropped, so one word stays one word.
pub fn normalize_word(word: &str) -> String {
    let mut out = String::new();
    normalize_word_into(word, &mut out);
    out
}

/// [`normalize_word`] into a buffer (cleared first), for the indexer's hot loop.
pub fn normalize_word_into(word: &str, out: &mut String) {
    out.clear();
    if !normalize_simple(word, out) {
        out.clear();
        let lowered = word.nfkc().collect::<String>().to_lowercase();
        out.extend(lowered.nfkd().filter_map(fold_char));
    }
    let clitics = out.len() - strip_clitics(out).len();
    out.drain(..clitics);
    let stem = strip_plural(out).len();
    out.truncate(stem);
}

/// The fast path for the common case, a word of plain Arabic letters or ASCII letters
/// and digits: NFKC and NFKD change nothing there but the hamza forms, which
/// [`fold_char`] folds directly. Returns false (with `out` half written) for any other
/// word.
fn normalize_simple(word: &str, out: &mut String) -> bool {
    for c in word.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' => out.push(fold_arabic_letter(c)),
            _ => return false,
        }
    }
    true
}

/// Step 4 for one character of the NFKD form: `None` drops it.
fn fold_char(c: char) -> Option<char> {
    if is_tashkeel(c) || c == TATWEEL || is_invisible_control(c) || is_combining_mark(c) {
        return None;
    }
    let c = match c {
        '\u{06CC}' => 'ي', // Persian yeh
        '\u{06A9}' => 'ك', // keheh
        '\u{0660}'..='\u{0669}' => arabic_digit(c, '\u{0660}'),
        '\u{06F0}'..='\u{06F9}' => arabic_digit(c, '\u{06F0}'),
        _ => fold_arabic_letter(c),
    };
    let letter = matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}')
        || c.is_alphabetic()
        || c.is_numeric();
    letter.then_some(c)
}

fn arabic_digit(c: char, zero: char) -> char {
    char::from(b'0' + (c as u32 - zero as u32) as u8)
}

/// Article combinations, longest first: وال بال كال فال, then لل and ال.
const ARTICLES: [&str; 6] = ["وال", "بال", "كال", "فال", "لل", "ال"];
/// Single-letter proclitics: and, so, with/in, for/to, like.
const PROCLITICS: [char; 5] = ['و', 'ف', 'ب', 'ل', 'ك'];
/// A word keeps at least this many letters after stripping.
const MIN_STEM: usize = 3;

/// Light clitic stripping in the spirit of Larkey, Ballesteros and Connell's light10
/// stemmer ("Light Stemming for Arabic Information Retrieval", 2007): a leading article
/// combination (`وال بال كال فال لل ال`) or a single proclitic (`و ف ب ل ك`) is removed
/// while at least three letters remain, so `لمادورو` → `مادورو` and `التحالفات` →
/// `تحالفات`. Other suffixes are left to Pagefind's Snowball Arabic stemmer, which runs
/// on this output.
///
/// Unlike light10 it repeats until nothing more can be removed. One pass is not enough
/// when a stem itself starts with a clitic letter: `كاراكاس` would lose its `ك` while
/// `بكاراكاس` lost only its `ب`, and the two would never meet. Repeating makes stripping
/// closed under adding a clitic: for any word `w` of three letters or more,
/// `strip_clitics(c + w) == strip_clitics(w)`. The price is precision (`كتاب` and `تاب`
/// meet), which ranking and multi-word queries make up for; index and query fold alike.
pub fn strip_clitics(word: &str) -> &str {
    let mut rest = word;
    loop {
        match clitic_len(rest) {
            0 => return rest,
            n => rest = &rest[n..],
        }
    }
}

/// Removes the feminine plural ending `ات` when three letters remain: `تحالفات` →
/// `تحالف`, `انتخابات` → `انتخاب`. Pagefind's Snowball stemmer, which runs on this
/// output, takes only the `ت` off (`تحالفات` → `تحالفا`), so without this the
/// commonest Arabic plural would never meet its singular.
pub fn strip_plural(word: &str) -> &str {
    match word.strip_suffix("ات") {
        Some(stem) if stem.chars().count() >= MIN_STEM => stem,
        _ => word,
    }
}

/// How many bytes one step of [`strip_clitics`] removes from the start of `word`.
fn clitic_len(word: &str) -> usize {
    let mut chars = word.chars();
    let first = chars.next();
    // Every article starts with `ا` or a proclitic: most words stop here.
    if !first.is_some_and(|c| c == 'ا' || PROCLITICS.contains(&c)) {
        return 0;
    }
    let long_enough = |rest: &str| rest.chars().nth(MIN_STEM - 1).is_some();
    for article in ARTICLES {
        if let Some(rest) = word.strip_prefix(article) {
            if long_enough(rest) {
                return article.len();
            }
        }
    }
    match first {
        Some(c) if c != 'ا' && long_enough(chars.as_str()) => c.len_utf8(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        normalize_for_search(s)
    }

    #[test]
    fn spelling_variants_fold_together() {
        assert_eq!(n("فى"), n("في"));
        assert_eq!(n("العسكرى"), n("العسكري"));
        assert_eq!(n("الروسى"), n("الروسي"));
        assert_eq!(n("السياسة"), n("السياسه"));
        assert_eq!(n("أمريكا"), n("امريكا"));
        assert_eq!(n("إيران"), n("ايران"));
        assert_eq!(n("آسيا"), n("اسيا"));
        assert_eq!(n("ٱلله"), n("الله"));
        assert_eq!(n("مسؤول"), n("مسوول"));
        assert_eq!(n("السِّيَاسَة"), n("السياسة"));
        assert_eq!(n("مـــادورو"), n("مادورو"));
        assert_eq!(n("ﻣﺎﺩﻭﺭﻭ"), n("مادورو"));
        assert_eq!(n("ال\u{200B}سياسة\u{202E}"), n("السياسة"));
    }

    #[test]
    fn clitics_are_stripped_lightly() {
        assert_eq!(n("لمادورو"), "مادورو");
        assert_eq!(n("لترامب"), "ترامب");
        assert_eq!(n("التحالفات"), "تحالف");
        assert_eq!(n("والتحالفات"), "تحالف");
        assert_eq!(n("الانتخابات"), n("انتخاب"));
        assert_eq!(n("ذات"), "ذات");
        assert_eq!(n("للتدخل"), "تدخل");
        // A stem that starts with a clitic letter: both lose it, so they still meet.
        assert_eq!(n("بكاراكاس"), n("كاراكاس"));
        assert_eq!(n("وللتدخل"), n("التدخل"));
        assert_eq!(n("فالعسكرى"), "عسكري");
        // Too short to strip: the remainder would have fewer than three letters.
        assert_eq!(n("الله"), "الله");
        assert_eq!(n("بلد"), "بلد");
        assert_eq!(n("ولد"), "ولد");
    }

    #[test]
    fn stripping_is_closed_under_adding_a_clitic() {
        let stems = [
            "كاراكاس",
            "مادورو",
            "لبنان",
            "فنزويلا",
            "بريطانيا",
            "وكالة",
            "عسكري",
        ];
        for w in stems {
            let w = normalize_word(w);
            for c in [
                "و", "ف", "ب", "ل", "ك", "ال", "وال", "بال", "لل", "وب", "فل",
            ] {
                assert_eq!(n(&format!("{c}{w}")), n(&w), "{c}+{w}");
            }
        }
    }

    #[test]
    fn latin_and_digits_survive() {
        assert_eq!(n("حلف NATO فى 2020"), "حلف nato في 2020");
        // `و` before a number is "and" too.
        assert_eq!(n("٢٠٢٠ و۱۹۴۹"), "2020 1949");
        assert_eq!(n("Café COVID-19"), "cafe covid 19");
    }

    #[test]
    fn punctuation_separates_and_keeps_word_order() {
        let text = "الخيار العسكرى.. هل يسقط ترامب فى \"خطايا\" أسلافه؟";
        let spans: Vec<&str> = words(text).map(|w| &text[w.span]).collect();
        assert_eq!(
            spans,
            [
                "الخيار",
                "العسكرى",
                "هل",
                "يسقط",
                "ترامب",
                "فى",
                "خطايا",
                "أسلافه"
            ]
        );
        assert_eq!(n(text), "خيار عسكري هل يسقط ترامب في خطايا اسلافه");
    }

    #[test]
    fn runs_without_letters_are_not_words() {
        // Tatweel alone, a lone shadda, bidi marks between words.
        let text = "مقالة ـــ \u{0651} \u{200F} أخرى";
        assert_eq!(words(text).count(), 2);
        assert_eq!(n(text), "مقاله اخري");
    }

    #[test]
    fn ligatures_stay_one_word() {
        // U+FDFA (ﷺ) is four words under NFKC; here it stays one word.
        assert_eq!(words("النبي ﷺ قال").count(), 3);
    }

    #[test]
    fn normalized_text_has_as_many_words() {
        for s in [
            "كيف يقنع ترامب حلفاءه اللاتينيين بمواجهة موسكو عسكريا فى كاراكاس؟",
            "ﻣﺎﺩﻭﺭﻭ والتحالفات NATO ٢٠٢٠ Ωμέγα ﷺ ½ don't",
        ] {
            assert_eq!(words(&n(s)).count(), words(s).count(), "{s}");
        }
    }

    #[test]
    fn fast_path_agrees_with_full_path() {
        for w in [
            "أمريكا",
            "إيران",
            "آسيا",
            "مسؤول",
            "رئيس",
            "فى",
            "السياسة",
            "NATO",
            "G20",
            "لمادورو",
            "ءامن",
        ] {
            let full = {
                let lowered = w.nfkc().collect::<String>().to_lowercase();
                let folded: String = lowered.nfkd().filter_map(fold_char).collect();
                strip_plural(strip_clitics(&folded)).to_owned()
            };
            assert_eq!(normalize_word(w), full, "{w}");
        }
        // Every character the fast path takes folds as the full path folds it.
        let fast = ('0'..='9')
            .chain('a'..='z')
            .chain('A'..='Z')
            .chain('\u{0621}'..='\u{063A}')
            .chain('\u{0641}'..='\u{064A}');
        for c in fast {
            let mut out = String::new();
            assert!(normalize_simple(&c.to_string(), &mut out));
            let full: String = c
                .to_string()
                .nfkc()
                .collect::<String>()
                .to_lowercase()
                .nfkd()
                .filter_map(fold_char)
                .collect();
            assert_eq!(out, full, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn one_pass_runs_agree_with_runs() {
        for text in [
            "كيف يقنع ترامب حلفاءه اللاتينيين بمواجهة موسكو عسكريا فى كاراكاس؟",
            "ﻣﺎﺩﻭﺭﻭ مـــادورو السِّيَاسَة NATO ٢٠٢٠ Ωμέγα ﷺ ½ don't ال\u{200B}سياسة ـــ",
            "",
            "x",
            "والتحالفات، بكاراكاس.",
            "ڤيديو؛ ڤ ٢٠٢٠؟ ۱۲ ۔x",
            // Every character of the Arabic block, each between two letters.
            &('\u{0600}'..='\u{06FF}')
                .map(|c| format!("ب{c}ب "))
                .collect::<String>(),
        ] {
            let mut one = Vec::new();
            for_each_run(text, |w| one.push(w.to_owned()));
            let all: Vec<String> = runs(text).map(|r| text[r].to_owned()).collect();
            assert_eq!(one, all, "{text}");
        }
    }

    #[test]
    fn word_char_fast_path_agrees() {
        for c in '\u{0620}'..='\u{065F}' {
            assert!(
                c.is_alphabetic() || is_combining_mark(c),
                "U+{:04X}",
                c as u32
            );
        }
    }
}

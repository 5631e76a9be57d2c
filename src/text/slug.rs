//! Text → URL slugs and identity keys.
//!
//! A slug keeps Arabic (and every other script's) letters and digits: `السياسة الدولية`
//! becomes `السياسة-الدولية`, never a lossy transliteration. An identity key goes further
//! and folds the spelling variants Arabic writers use interchangeably (tashkeel, tatweel,
//! hamza forms, `ى`/`ي`, `ة`/`ه`) so that two spellings of one term are one term.
//! Neither is ever shown in place of the author's own text.

use unicode_normalization::UnicodeNormalization;

/// Longest slug, in characters. Arabic letters take two bytes in UTF-8, so this stays
/// well under the 255-byte file-name limit of common file systems.
pub const MAX_SLUG_CHARS: usize = 80;

/// Characters that change how text looks or orders without being letters: bidi
/// embeddings, overrides and isolates, zero-width joiners and spaces, the BOM, soft hyphen.
pub fn is_invisible_control(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
        | '\u{FEFF}' | '\u{00AD}' | '\u{061C}')
}

/// Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef, Quranic marks).
pub fn is_tashkeel(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}')
}

/// The Arabic tatweel (kashida), a pure elongation mark.
pub const TATWEEL: char = '\u{0640}';

/// Removes what never belongs in a key or slug: invisible controls, tashkeel, tatweel.
/// NFKC first, so Arabic presentation forms pasted from PDFs become ordinary letters.
/// Invisible controls go before normalizing, so that they cannot keep marks on either
/// side of them from being put in canonical order.
fn strip_marks(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|&c| !is_invisible_control(c))
        .nfkc()
        .filter(|&c| !is_tashkeel(c) && c != TATWEEL)
}

/// Whether NFKC leaves `text` as it is, seen from its bytes alone: ASCII, and the
/// Arabic letters (with tatweel), Arabic-Indic digits and the Arabic comma, semicolon and
/// question mark, none of which decomposes or composes with another of them. Names,
/// titles and headings are mostly this (a third of the bench archive's headings end
/// with `؟`); the rest takes the Unicode tables.
fn nfkc_unchanged(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0..=0x7f => i += 1,
            // U+060C (،), U+061B (؛), U+061F (؟), U+0621..U+063F
            0xd8 if matches!(bytes.get(i + 1), Some(0x8c | 0x9b | 0x9f | 0xa1..=0xbf)) => i += 2,
            // U+0640..U+064A and U+0660..U+0669
            0xd9 if matches!(bytes.get(i + 1), Some(0x80..=0x8a | 0xa0..=0xa9)) => i += 2,
            _ => return false,
        }
    }
    true
}

/// A URL slug that keeps Arabic letters: letters and digits of any script are kept
/// (Latin lower-cased), every run of anything else becomes one `-`. The result never
/// contains `/`, `\`, `.` or `%`, so it cannot escape its directory.
pub fn slugify(text: &str) -> String {
    let mut slug = slug_once(text);
    // Arabic letters and ASCII come out exactly as they go in. Other scripts' marks can
    // meet once what stood between them is dropped, and normalize differently together:
    // repeat until the slug of the slug is the slug (in practice, once more at most).
    for _ in 0..4 {
        if slug
            .chars()
            .all(|c| c.is_ascii() || is_arabic_alphanumeric(c))
        {
            break;
        }
        let again = slug_once(&slug);
        if again == slug {
            break;
        }
        slug = again;
    }
    slug
}

fn slug_once(text: &str) -> String {
    if nfkc_unchanged(text) {
        // Tatweel is the one mark left to drop (no control or tashkeel passes the test).
        slug_chars(text.chars().filter(|&c| c != TATWEEL), text.len())
    } else {
        slug_chars(strip_marks(text), text.len())
    }
}

fn slug_chars(chars: impl Iterator<Item = char>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    let mut pending_dash = false;
    let mut count = 0;
    for c in chars {
        // Arabic letters and digits need no Unicode table look-up and have no case.
        if is_arabic_alphanumeric(c) {
            if pending_dash && !out.is_empty() {
                out.push('-');
                count += 1;
            }
            pending_dash = false;
            out.push(c);
            count += 1;
            if count >= MAX_SLUG_CHARS {
                break;
            }
        } else if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
                count += 1;
            }
            pending_dash = false;
            // Lower-casing can add a combining mark (`İ` → `i` + U+0307); a mark is
            // not a letter, so keeping it would make the slug of a slug differ.
            for l in c.to_lowercase().filter(|l| l.is_alphanumeric()) {
                out.push(l);
            }
            count += 1;
            if count >= MAX_SLUG_CHARS {
                break;
            }
        } else {
            pending_dash = true;
        }
    }
    out
}

/// Letters and digits of the Arabic block (hamza to yeh, Arabic-Indic and extended
/// digits, and the extended letters), all alphanumeric and caseless.
fn is_arabic_alphanumeric(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{063F}' | '\u{0641}'..='\u{064A}' | '\u{0660}'..='\u{0669}' | '\u{0671}'..='\u{06D3}' | '\u{06F0}'..='\u{06F9}')
}

/// Folds one Arabic letter to the form used in identity keys and search.
pub fn fold_arabic_letter(c: char) -> char {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' => 'ي',
        'ة' => 'ه',
        'ؤ' => 'و',
        'ئ' => 'ي',
        _ => c,
    }
}

/// The identity key of a term: two spellings with the same key are the same term.
/// It is the slug with Arabic letter variants folded.
pub fn term_key(text: &str) -> String {
    slugify(text).chars().map(fold_arabic_letter).collect()
}

/// The same text with invisible controls removed (for titles and names shown in pages:
/// a stray bidi override must not reorder the page around it). Letters are untouched.
pub fn strip_invisible(text: &str) -> String {
    // Each invisible control is written in UTF-8 with a `C2`, `E2` or `EF` byte, or is
    // U+061C (`D8 9C`): text with none of these bytes (most names) is not decoded.
    let may_hold = text.bytes().any(|b| matches!(b, 0xC2 | 0xE2 | 0xEF | 0x9C));
    if may_hold && text.chars().any(is_invisible_control) {
        text.chars().filter(|&c| !is_invisible_control(c)).collect()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_casing_adds_no_marks() {
        // `İ` lower-cases to `i` + a combining dot; the slug keeps only the letter, so
        // the slug (and key) of a slug is itself.
        assert_eq!(slugify("İstanbul"), "istanbul");
        assert_eq!(term_key("İ"), term_key(&term_key("İ")));
        // Marks of other scripts that meet once a bidi control between them is dropped.
        let marks = "\u{1e023}\u{202e}\u{1bc9e}";
        assert_eq!(slugify(marks), slugify(&slugify(marks)));
    }

    #[test]
    fn slug_keeps_arabic_letters() {
        assert_eq!(slugify("السياسة الدولية"), "السياسة-الدولية");
        assert_eq!(slugify("كيف يقنع ترامب؟.. تحليل"), "كيف-يقنع-ترامب-تحليل");
        // عرب and رب stay distinct (a transliterating slugger makes both `rb`).
        assert_ne!(slugify("عرب"), slugify("رب"));
    }

    #[test]
    fn slug_lowercases_latin_and_drops_punctuation() {
        assert_eq!(slugify("NATO & the G20!"), "nato-the-g20");
        assert_eq!(slugify("  --a--  "), "a");
    }

    #[test]
    fn slug_never_holds_path_syntax() {
        for hostile in ["../../etc/passwd", "a/b\\c", "%2e%2e%2f", "..", "CON.txt"] {
            let s = slugify(hostile);
            assert!(!s.contains(['/', '\\', '.', '%']), "{hostile} -> {s}");
        }
        assert_eq!(slugify("../.."), "");
    }

    #[test]
    fn slug_strips_tashkeel_tatweel_and_controls() {
        assert_eq!(slugify("السِّيَاسَة"), "السياسة");
        assert_eq!(slugify("الســياسة"), "السياسة");
        assert_eq!(slugify("ال\u{200B}سياسة\u{202E}"), "السياسة");
    }

    #[test]
    fn the_arabic_fast_path_agrees_with_unicode() {
        for c in ('\u{0600}'..='\u{06FF}').filter(|&c| is_arabic_alphanumeric(c)) {
            assert!(c.is_alphanumeric(), "{c:?}");
            assert_eq!(c.to_lowercase().collect::<String>(), c.to_string(), "{c:?}");
        }
    }

    #[test]
    fn text_the_fast_path_takes_is_its_own_nfkc() {
        // Every character of the Arabic block and ASCII, alone and after each letter
        // that a mark could compose with.
        let chars: Vec<char> = ('\u{0}'..='\u{7f}')
            .chain('\u{0600}'..='\u{06ff}')
            .collect();
        let mut taken = 0;
        for &a in &chars {
            for &b in ['\u{0627}', '\u{0648}', '\u{064a}', 'a', a].iter() {
                let text = format!("{b}{a}");
                if nfkc_unchanged(&text) {
                    taken += 1;
                    assert_eq!(text.nfkc().collect::<String>(), text, "{text:?}");
                    assert!(!text
                        .chars()
                        .any(|c| is_invisible_control(c) || is_tashkeel(c)));
                }
            }
        }
        assert!(taken > 500, "the fast path is taken for {taken} texts");
        assert!(nfkc_unchanged("السياسة الدولية 2019"));
        assert!(nfkc_unchanged("الحل، الأخير؛ فى جعبة ترامب؟"));
        assert!(!nfkc_unchanged("ﻣﺎﺩﻭﺭﻭ"));
        assert!(!nfkc_unchanged("ا\u{0654}")); // alef + hamza above composes to أ
        assert!(!nfkc_unchanged("ﬁ"));
    }

    proptest::proptest! {
        #[test]
        fn slugs_are_the_same_with_or_without_the_fast_path(
            text in "[a-zA-Z0-9 .\\-\u{0600}-\u{06ff}\u{200b}-\u{200f}\u{fe70}-\u{fe80}\u{0300}\u{00e9}]{0,40}"
        ) {
            proptest::prop_assert_eq!(
                slug_once(&text),
                slug_chars(strip_marks(&text), 0)
            );
        }
    }

    #[test]
    fn slug_is_bounded() {
        let long = "كلمة ".repeat(200);
        assert!(slugify(&long).chars().count() <= MAX_SLUG_CHARS + 1);
    }

    #[test]
    fn keys_fold_spelling_variants() {
        assert_eq!(term_key("العسكرى"), term_key("العسكري"));
        assert_eq!(term_key("أمريكا"), term_key("امريكا"));
        assert_eq!(term_key("السِّيَاسَة"), term_key("الســياسة"));
        assert_eq!(term_key("ﻣﺎﺩﻭﺭﻭ"), term_key("مادورو")); // presentation forms
        assert_ne!(term_key("مصر"), term_key("عصر"));
    }

    #[test]
    fn every_invisible_control_holds_a_byte_strip_invisible_looks_for() {
        let mut seen = 0;
        for c in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| is_invisible_control(c))
        {
            seen += 1;
            let s = c.to_string();
            assert!(
                s.bytes().any(|b| matches!(b, 0xC2 | 0xE2 | 0xEF | 0x9C)),
                "{c:?}"
            );
            assert_eq!(strip_invisible(&format!("ا{c}ب")), "اب", "{c:?}");
        }
        assert!(seen > 20);
    }

    #[test]
    fn strip_invisible_keeps_letters() {
        assert_eq!(strip_invisible("فى\u{202E}عسكرى"), "فىعسكرى");
        assert_eq!(strip_invisible("فى عسكرى"), "فى عسكرى");
    }
}

//! A file's text → warnings about characters a reader cannot see but that change what
//! they see or find: stray bidi controls, direction marks that do nothing, stray
//! byte-order marks, and Arabic presentation forms pasted from PDFs.

use crate::basics::error::Located;
use unicode_normalization::UnicodeNormalization;

/// Scans `text` (LF line endings); positions are 1-based lines and columns (characters).
pub fn scan(text: &str) -> Vec<Located> {
    let mut found = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let chars: Vec<char> = line.chars().collect();
        scan_controls(&chars, i + 1, &mut found);
        scan_presentation_forms(&chars, i + 1, &mut found);
    }
    found
}

/// Embeddings, overrides and isolates: a pair brackets text, an unmatched one reorders
/// everything after it.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Direction marks: invisible strong characters.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn name(c: char) -> &'static str {
    match c {
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        _ => "",
    }
}

fn names(run: &[char]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for &c in run {
        let n = format!("U+{:04X} {}", c as u32, name(c));
        if !seen.contains(&n) {
            seen.push(n);
        }
    }
    seen.join(", ")
}

fn scan_controls(chars: &[char], line: usize, found: &mut Vec<Located>) {
    let mut j = 0;
    while j < chars.len() {
        let c = chars[j];
        if c == '\u{FEFF}' {
            found.push(Located::at(
                line,
                j + 1,
                "stray U+FEFF ZERO WIDTH NO-BREAK SPACE (a byte-order mark pasted inside the text): delete it",
            ));
            j += 1;
            continue;
        }
        if !is_bidi_control(c) && !is_mark(c) {
            j += 1;
            continue;
        }
        let end = j + chars[j..]
            .iter()
            .take_while(|c| is_bidi_control(**c) || is_mark(**c))
            .count();
        let run = &chars[j..end];
        let message = if run.iter().any(|c| is_bidi_control(*c)) {
            Some(format!(
                "stray bidi control ({}): delete it; warraq isolates names and titles itself, and an unmatched control reorders the text after it",
                names(run)
            ))
        } else if run.len() > 1 {
            Some(format!(
                "{} direction marks in a row ({}): one is enough, or none",
                run.len(),
                names(run)
            ))
        } else {
            let letter = |k: Option<&char>| k.is_some_and(|c| c.is_alphabetic());
            let between_letters = j > 0 && letter(chars.get(j - 1)) && letter(chars.get(end));
            between_letters.then(|| {
                format!(
                    "{} between two letters does nothing (a leftover from copying): delete it",
                    names(run)
                )
            })
        };
        if let Some(m) = message {
            found.push(Located::at(line, j + 1, m));
        }
        j = end;
    }
}

/// Arabic Presentation Forms-A and -B: glyph shapes that look like letters but are not
/// the letters (search, slugs and screen readers treat them as different text). The
/// honorific and basmala ligatures are written as symbols on purpose and are let be.
fn is_presentation_form(c: char) -> bool {
    let in_block = matches!(c, '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFE}');
    let symbol = matches!(
        c,
        '\u{FDFA}' | '\u{FDFB}' | '\u{FDFD}' | '\u{FD3E}' | '\u{FD3F}'
    );
    in_block && !symbol && std::iter::once(c).nfkc().ne(std::iter::once(c))
}

/// One warning per line: where the first form is, how many there are, and the fix.
fn scan_presentation_forms(chars: &[char], line: usize, found: &mut Vec<Located>) {
    let Some(first) = chars.iter().position(|c| is_presentation_form(*c)) else {
        return;
    };
    let run_end = first
        + chars[first..]
            .iter()
            .take_while(|c| is_presentation_form(**c))
            .count();
    let run: String = chars[first..run_end].iter().collect();
    let base: String = run.nfkc().collect();
    let count = chars.iter().filter(|c| is_presentation_form(**c)).count();
    found.push(Located::at(
        line,
        first + 1,
        format!(
            "{count} Arabic presentation form{} on this line (`{run}` is really `{base}`): replace with the base letters: run NFKC normalization (e.g. `uconv -x any-nfkc`); search and slugs do not match the look-alike shapes",
            if count == 1 { "" } else { "s" }
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Vec<(usize, usize)> {
        scan(text).iter().map(|l| (l.line, l.col)).collect()
    }

    #[test]
    fn bidi_controls_are_found_where_they_are() {
        let found = scan("سطر\nعنوان \u{202B}مقلوب\u{202C} نص\n");
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].line, found[0].col), (2, 7));
        assert!(found[0].message.contains("U+202B RIGHT-TO-LEFT EMBEDDING"));
        assert!(found[0].message.contains("delete it"));
        assert_eq!(at("x\u{2067}y"), vec![(1, 2)]);
    }

    #[test]
    fn direction_marks_only_when_they_do_nothing() {
        // Between a Latin word and Arabic punctuation a mark decides the order: kept.
        assert!(scan("حلف NATO\u{200F}، ثم").is_empty());
        assert!(scan("نص\u{200F}\n").is_empty());
        // Between two letters, or doubled, it is a leftover.
        assert_eq!(at("كلم\u{200F}ة"), vec![(1, 4)]);
        let found = scan("NATO\u{200F}\u{200F} ");
        assert!(
            found[0].message.contains("2 direction marks"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn presentation_forms_with_the_fix() {
        let found = scan("---\ntitle: ﻣﺎﺩﻭﺭﻭ و ﻛﺎﺭﺍﻛﺎﺱ\n");
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].col), (2, 8));
        let m = &found[0].message;
        assert!(m.contains("`ﻣﺎﺩﻭﺭﻭ` is really `مادورو`"), "{m}");
        assert!(
            m.contains("NFKC") && m.contains("13 Arabic presentation forms"),
            "{m}"
        );
        // Ornate parentheses and the honorific ligature are symbols, not pasted shapes.
        assert!(scan("﴿ نص ﴾ محمد ﷺ").is_empty());
        assert!(scan("نص عربى عادى، بلا أشكال.").is_empty());
    }

    #[test]
    fn stray_byte_order_mark() {
        assert_eq!(at("ab\u{FEFF}c"), vec![(1, 3)]);
    }
}

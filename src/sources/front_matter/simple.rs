//! The front matter most articles have, read without the YAML parser.
//!
//! Front matter is almost always a handful of `key: value` lines: quoted or plain
//! strings, a date, a list of tags. yaml_serde reads such a block in about 7 µs, which
//! on a 10,000-article archive was 9% of a build's CPU time; this reads it in a
//! fraction of that. It takes only a narrow form whose meaning in YAML is plain (listed
//! below), and for anything else, or anything it is unsure of, it answers `None` and
//! the YAML parser reads the block as before: so every error, every unusual form and
//! every field it does not know (`source`, `extra`) still goes through yaml_serde. A
//! property test checks that whatever this accepts, yaml_serde reads the same way.
//!
//! The form: each line is blank, a comment (`#` first), or `key: value` at the start of
//! the line, `key` one of the fields below, each at most once, `title` and `date`
//! present. A value is
//! - a double-quoted string whose only escapes are `\"` and `\\` (Arabic writing
//!   quotes words often: about one article in eight of the bench archive has them), or
//!   a single-quoted one without `'` inside, with nothing after the closing quote but
//!   spaces;
//! - a plain string that starts with a letter (or is a date, `2019-11-24…`), holds no
//!   ` #` (a comment) and no `:` followed by a space or ending it, and is not a word
//!   YAML reads as something other than a string (`null`, `true`, `no`, ...);
//! - for `tags`, a flow list (`["a", b]`) of such strings, or a block list (`- a` lines
//!   under `tags:`, all at one indentation);
//! - for `draft`, `true` or `false`.
//!
//! Characters YAML treats specially wherever they are (controls, tabs, U+0085, U+2028,
//! U+2029, the byte-order mark, non-characters) send the block to the parser.

use super::{FrontMatter, FIELDS};
use std::borrow::Cow;

// `parse` marks the fields it has seen in a `u32`.
const _: () = assert!(FIELDS.len() <= 32);

/// The front matter of `yaml`, if it is in the simple form.
pub fn parse(yaml: &str) -> Option<FrontMatter> {
    let mut fm = FrontMatter::default();
    let mut seen = 0u32;
    let mut lines = yaml.split('\n').peekable();
    while let Some(line) = lines.next() {
        let line = line.trim_end_matches(' ');
        if line.is_empty() {
            continue;
        }
        if line.trim_start_matches(' ').starts_with('#') {
            if !printable(line) {
                return None;
            }
            continue;
        }
        let colon = line.find(':')?;
        let (key, rest) = (&line[..colon], &line[colon + 1..]);
        let field = FIELDS.iter().position(|f| *f == key)?;
        if seen & (1 << field) != 0 {
            return None;
        }
        seen |= 1 << field;
        let value = if rest.is_empty() {
            ""
        } else {
            rest.strip_prefix(' ')?.trim_start_matches(' ')
        };
        if !printable(value) {
            return None;
        }
        match FIELDS[field] {
            list @ ("tags" | "authors" | "aliases") => {
                let items = if value.is_empty() {
                    block_list(&mut lines)?
                } else {
                    flow_list(value)?
                };
                match list {
                    "tags" => fm.tags = items,
                    "authors" => fm.authors = items,
                    _ => fm.aliases = items,
                }
            }
            "draft" => {
                fm.draft = match value {
                    "true" => true,
                    "false" => false,
                    _ => return None,
                }
            }
            name => {
                let text = scalar(value, false)?.into_owned();
                match name {
                    "title" => fm.title = text,
                    "date" => fm.date = text,
                    "author" => fm.author = Some(text),
                    "topic" => fm.topic = Some(text),
                    "subtitle" => fm.subtitle = Some(text),
                    "summary" => fm.summary = Some(text),
                    "slug" => fm.slug = Some(text),
                    "updated" => fm.updated = Some(text),
                    "lang" => fm.lang = Some(text),
                    "image" => fm.image = Some(text),
                    "image_alt" => fm.image_alt = Some(text),
                    "image_caption" => fm.image_caption = Some(text),
                    "image_credit" => fm.image_credit = Some(text),
                    "series" => fm.series = Some(text),
                    "publish_at" => fm.publish_at = Some(text),
                    "expires" => fm.expires = Some(text),
                    "translation_key" => fm.translation_key = Some(text),
                    "translation_of" => fm.translation_of = Some(text),
                    // `source` and `extra` are mappings, `series_part` a number: the
                    // parser's.
                    _ => return None,
                }
            }
        }
    }
    // `title` and `date` (the first two of FIELDS) are required: without them the parser
    // says what is missing.
    (seen & 0b11 == 0b11).then_some(fm)
}

/// The string a scalar stands for, if it is in the simple form. In a flow list (`flow`)
/// a plain string also may not hold `,`, `[`, `]`, `{`, `}` or `:`.
fn scalar(value: &str, flow: bool) -> Option<Cow<'_, str>> {
    let first = value.chars().next()?;
    match first {
        '"' => double_quoted(value.strip_prefix('"')?.strip_suffix('"')?),
        // Inside single quotes `\` is a letter.
        '\'' => {
            let inner = value.strip_prefix('\'')?.strip_suffix('\'')?;
            (!inner.as_bytes().contains(&b'\'')).then_some(Cow::Borrowed(inner))
        }
        _ => {
            let plain_start = first.is_alphabetic() || is_date(value);
            let special = value.contains(" #")
                || value.contains(": ")
                || value.ends_with(':')
                || (flow && value.contains([',', '[', ']', '{', '}', ':']));
            (plain_start && !special && !is_other_than_string(value))
                .then_some(Cow::Borrowed(value))
        }
    }
}

/// The text between double quotes, if its only escapes are `\"` and `\\` and no quote
/// stands unescaped (YAML's other escapes are the parser's).
fn double_quoted(inner: &str) -> Option<Cow<'_, str>> {
    let bytes = inner.as_bytes();
    let Some(first) = bytes.iter().position(|&b| b == b'"' || b == b'\\') else {
        return Some(Cow::Borrowed(inner));
    };
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    let mut at = first;
    loop {
        // `at` is an ASCII byte's index, so both slices are on character boundaries.
        out.push_str(&rest[..at]);
        let escaped = match rest.as_bytes()[at..] {
            [b'\\', e @ (b'"' | b'\\'), ..] => e,
            _ => return None,
        };
        out.push(char::from(escaped));
        rest = &rest[at + 2..];
        match rest.bytes().position(|b| b == b'"' || b == b'\\') {
            Some(next) => at = next,
            None => {
                out.push_str(rest);
                return Some(Cow::Owned(out));
            }
        }
    }
}

/// `YYYY-MM-DD` at the start (a date, or a timestamp that starts with one).
fn is_date(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// Plain words YAML (1.1 or 1.2) reads as null or a boolean, in any case (`.inf` and
/// `.nan` start with a dot, which no plain string taken here does; `inf` and `nan` are
/// left to the parser all the same).
fn is_other_than_string(value: &str) -> bool {
    const WORDS: [&str; 12] = [
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "inf", "nan", "~",
    ];
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(value))
}

/// `["a", b]`: a flow list of scalars on one line.
fn flow_list(value: &str) -> Option<Vec<String>> {
    let inner = value
        .strip_prefix('[')?
        .strip_suffix(']')?
        .trim_matches(' ');
    if inner.is_empty() {
        return Some(Vec::new());
    }
    inner
        .split(',')
        .map(|item| scalar(item.trim_matches(' '), true).map(Cow::into_owned))
        .collect()
}

/// The `- item` lines after `tags:`, all at one indentation; at least one.
fn block_list<'a>(
    lines: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>,
) -> Option<Vec<String>> {
    let mut items = Vec::new();
    let mut indent = None;
    while let Some(line) = lines.peek() {
        let line = line.trim_end_matches(' ');
        let stripped = line.trim_start_matches(' ');
        let Some(item) = stripped.strip_prefix("- ") else {
            break;
        };
        let depth = line.len() - stripped.len();
        if *indent.get_or_insert(depth) != depth {
            return None;
        }
        let item = item.trim_start_matches(' ');
        if !printable(item) {
            return None;
        }
        items.push(scalar(item, false)?.into_owned());
        lines.next();
    }
    (!items.is_empty()).then_some(items)
}

/// No character YAML gives a meaning of its own wherever it stands: controls (tab
/// included), U+0085, U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF.
fn printable(text: &str) -> bool {
    // One pass without branches (it vectorizes): whether any byte is an ASCII control
    // or DEL, and whether any is a lead byte C2, E2 or EF, which all the others are
    // written with: text without those (Arabic, Latin) is not decoded.
    let (control, lead) = text.bytes().fold((false, false), |(control, lead), b| {
        (
            control | (b < 0x20) | (b == 0x7F),
            lead | (b == 0xC2) | (b == 0xE2) | (b == 0xEF),
        )
    });
    !control
        && (!lead
            || text.chars().all(|c| {
                !matches!(
                    c,
                    '\u{80}'
                        ..='\u{9F}'
                            | '\u{2028}'
                            | '\u{2029}'
                            | '\u{FEFF}'
                            | '\u{FFFE}'
                            | '\u{FFFF}'
                )
            }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What yaml_serde reads `yaml` as, if it reads it.
    fn by_parser(yaml: &str) -> Option<FrontMatter> {
        yaml_serde::from_str(yaml).ok()
    }

    /// `yaml` is taken here, and means the same to the parser.
    fn taken(yaml: &str) -> FrontMatter {
        let fm = parse(yaml).unwrap_or_else(|| panic!("not taken: {yaml:?}"));
        assert_eq!(by_parser(yaml).as_ref(), Some(&fm), "{yaml:?}");
        fm
    }

    #[test]
    fn the_usual_forms_are_taken() {
        let fm = taken(concat!(
            "title: \"ترامب يسعى إلى سحب القوات\"\n",
            "date: 2019-11-24\n",
            "author: 'بيشوى رمزى'\n",
            "topic: سياسة دولية\n",
            "tags: [\"موسكو\", 'كوبا', روسيا]\n",
            "summary: \"نص: فيه # و \"\n",
        ));
        assert_eq!(fm.title, "ترامب يسعى إلى سحب القوات");
        assert_eq!(fm.date, "2019-11-24");
        assert_eq!(fm.author.as_deref(), Some("بيشوى رمزى"));
        assert_eq!(fm.topic.as_deref(), Some("سياسة دولية"));
        assert_eq!(fm.tags, ["موسكو", "كوبا", "روسيا"]);
        assert_eq!(fm.summary.as_deref(), Some("نص: فيه # و "));
        let fm = taken("# a comment\ntitle: NATO after the pandemic\n\ndate: 2020-05-01T10:00:00+02:00\ntags:\n  - الناتو\n  - \"أوروبا\"\ndraft: true\nlang: ar-EG\nslug: nato\nupdated: 2020-06-01\n");
        assert_eq!(fm.tags, ["الناتو", "أوروبا"]);
        assert!(fm.draft);
        assert_eq!(fm.date, "2020-05-01T10:00:00+02:00");
        assert_eq!(
            taken("title: x\ndate: 2019-01-01\ntags: []\n").tags,
            Vec::<String>::new()
        );
        // A backslash is a letter in single quotes and in plain text.
        let fm = taken("title: 'a\\b'\ndate: 2019-01-01\nauthor: a\\b\n");
        assert_eq!(
            (fm.title.as_str(), fm.author.as_deref()),
            ("a\\b", Some("a\\b"))
        );
        // Quoted words inside a double-quoted string.
        let fm = taken(concat!(
            "title: \"هل يسقط ترامب فى \\\"خطايا\\\" أسلافه؟\"\n",
            "date: 2019-01-01\n",
            "author: \"a\\\\b\\\\\"\n",
            "tags: [\"\\\"x\\\"\", \"y\"]\n",
        ));
        assert_eq!(fm.title, "هل يسقط ترامب فى \"خطايا\" أسلافه؟");
        assert_eq!(fm.author.as_deref(), Some("a\\b\\"));
        assert_eq!(fm.tags, ["\"x\"", "y"]);
        assert_eq!(
            taken("tags:\n- a\n- b\ntitle: x\ndate: 2019-01-01\n").tags,
            ["a", "b"]
        );
    }

    #[test]
    fn other_forms_are_left_to_the_parser() {
        let head = "title: x\ndate: 2019-01-01\n";
        for rest in [
            "author: null\n",
            "author: ~\n",
            "author:\n",
            "author: yes\n",
            "author: 12\n",
            "author: \"a\\b\"\n",
            "author: \"a\\\"\n",
            "author: \"a\\/b\"\n",
            "author: \"a\\u0041\"\n",
            "author: \"a\"b\"\n",
            "author: \"a\\\\\"b\"\n",
            "author: 'it''s'\n",
            "author: a # comment\n",
            "author: \"a\" # comment\n",
            "author: a: b\n",
            "author: &x a\n",
            "author: |\n  a\n",
            "author: a\n  continued\n",
            "author: \"a\n  b\"\n",
            "author: a\tb\n",
            "author: a\u{85}b\n",
            "author: a\u{2028}b\n",
            "author: a\u{FEFF}\n",
            "author: a\r\n",
            "tags: [a, [b]]\n",
            "tags: [\"a,b\"]\n",
            "tags: [a,]\n",
            "tags: [a:b]\n",
            "tags: a\n",
            "tags:\n  - a\n    - b\n",
            "tags:\n  - a\n\n  - b\n",
            "draft: yes\n",
            "source:\n  name: x\n",
            "extra:\n  k: v\n",
            "title: again\n",
            "titel: x\n",
            "  author: a\n",
            "author : a\n",
            "author:a\n",
            "...\n",
        ] {
            let yaml = format!("{head}{rest}");
            assert_eq!(parse(&yaml), None, "{yaml:?}");
        }
        // Without a required field the parser says which is missing.
        assert_eq!(parse("title: x\n"), None);
    }

    /// Pieces of values: ordinary text, and every character and word YAML gives a
    /// meaning to.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            12 => prop::sample::select(vec![
                "نص", "عربي", "ترامب", "أوروبا", "ى", "NATO", "a", "Zb", "2019-11-24", "12", "é",
            ]).prop_map(str::to_owned),
            1 => prop::sample::select(vec![
                " ", "  ", "\"", "'", "\\", "#", " #", ":", ": ", ",", "[", "]", "{", "}", "-",
                "- ", "&", "*", "!", "|", ">", "%", "@", "`", "~", "?", "null", "true", "No",
                "off", ".inf", "y", "\t", "\u{85}", "\u{2028}", "\u{FEFF}", "\u{7F}", "\r", "\u{A0}",
                "\u{200F}", "0x1F", "1e3", "T10:00:00+02:00", "\n", "\n  ", "\n- ",
            ]).prop_map(str::to_owned),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..4).prop_map(|p| p.concat())
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => text(),
            2 => text().prop_map(|t| format!("\"{t}\"")),
            1 => text().prop_map(|t| format!("'{t}'")),
            2 => prop::collection::vec(
                prop_oneof![text(), text().prop_map(|t| format!("\"{t}\""))], 0..4
            ).prop_map(|items| format!("[{}]", items.join(", "))),
            1 => (prop::sample::select(vec!["", " ", "  "]), prop::collection::vec(text(), 1..4))
                .prop_map(|(indent, items)| items.iter().map(|i| format!("\n{indent}- {i}")).collect()),
        ]
    }

    /// A line that is not one of the fields' own, now and then.
    fn noise() -> impl Strategy<Value = String> {
        prop_oneof![
            20 => Just(String::new()),
            1 => prop::sample::select(vec![
                "\n", "# note\n", "  # note\n", "draft: true\n", "title: x\n", "---\n", "...\n",
                "- a\n", "source: x\n", "extra: {}\n", "Title: x\n", " title: x\n", "tags : []\n",
                "author:x\n", "author:  a\n", "# \u{85}\n", "\ttitle: x\n",
            ]).prop_map(str::to_owned),
        ]
    }

    /// The fields with string or list values (`draft` is added apart; `source` and
    /// `extra` are mappings, always the parser's).
    fn keys() -> Vec<&'static str> {
        FIELDS
            .iter()
            .copied()
            .filter(|f| !matches!(*f, "draft" | "source" | "extra"))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Whatever is read here, the YAML parser reads the same way.
        #[test]
        fn what_is_taken_means_the_same_to_the_parser(
            fields in prop::collection::btree_map(0..keys().len(), (value(), noise()), 0..8),
            draft in prop::option::of(prop::sample::select(vec!["true", "false", "yes", "1"])),
            order in any::<prop::sample::Index>(),
            required in any::<bool>(),
        ) {
            let keys = keys();
            let mut lines: Vec<String> = fields
                .iter()
                .map(|(k, (v, noise))| format!("{}: {v}\n{noise}", keys[*k]))
                .collect();
            if let Some(d) = draft {
                lines.push(format!("draft: {d}\n"));
            }
            if required {
                for (k, v) in [(0, "t"), (1, "2019-02-05")] {
                    if !fields.contains_key(&k) {
                        lines.push(format!("{}: {v}\n", keys[k]));
                    }
                }
            }
            if !lines.is_empty() {
                let n = lines.len();
                lines.rotate_left(order.index(n));
            }
            let yaml = lines.concat();
            if let Some(fm) = parse(&yaml) {
                prop_assert_eq!(by_parser(&yaml), Some(fm), "{:?}", yaml);
            }
        }
    }
}

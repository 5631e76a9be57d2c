//! Source text → (front matter, body): split the `---` block, deserialize it with
//! `yaml_serde`, and report problems at `line:col` of the real file.

use crate::basics::error::Located;
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::BTreeMap;

mod simple;

/// The front matter fields an article may set. Unknown fields are an error.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    pub date: String,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub topic: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub subtitle: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub updated: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
    #[serde(default)]
    pub source: Option<SourceRef>,
    #[serde(default)]
    pub extra: BTreeMap<String, yaml_serde::Value>,
}

/// Where an article was first published.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRef {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
}

pub const FIELDS: &[&str] = &[
    "title", "date", "author", "topic", "tags", "subtitle", "summary", "slug", "draft", "updated",
    "lang", "source", "extra",
];

/// A file split at its front matter fences. Line numbers are 1-based, in the file.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// File line of the first YAML line (the line after the opening `---`).
    pub yaml_line: usize,
    pub body: &'a str,
    /// File line of the first body line.
    pub body_line: usize,
}

/// Splits `text` (LF line endings, no BOM) at its `---` fences.
pub fn split(text: &str) -> Result<Split<'_>, Located> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(Located::at(
            1,
            1,
            "missing front matter: the file must start with a `---` line, then YAML (at least `title` and `date`), then `---`",
        ));
    }
    let mut offset = first.len();
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        // Only a line that is exactly `---` closes the block: `--- x` or ` ---` inside a
        // value are ordinary YAML text.
        if line.trim_end_matches(['\n', '\r']) == "---" {
            return Ok(Split {
                yaml: &text[first.len()..offset],
                yaml_line: 2,
                body: &text[offset + line.len()..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(Located::at(
        1,
        1,
        "front matter is not closed: add a `---` line after the YAML block",
    ))
}

/// Parses the YAML block. Errors carry the position in the file, not in the block.
pub fn parse(split: &Split<'_>) -> Result<FrontMatter, Located> {
    if split.yaml.trim().is_empty() {
        return Err(Located::at(
            split.yaml_line,
            1,
            "front matter is empty: `title` and `date` are required",
        ));
    }
    // The usual few `key: value` lines are read without the YAML parser; everything
    // else, errors included, is the parser's.
    if let Some(fm) = simple::parse(split.yaml) {
        ensure_valid(split, &fm)?;
        return Ok(fm);
    }
    if let Some((line, col)) = find_deep_nesting(split.yaml) {
        return Err(Located::at(
            split.yaml_line + line - 1,
            col,
            format!("front matter nests deeper than {MAX_DEPTH} levels"),
        ));
    }
    if let Some((line, col)) = find_tab_indent(split.yaml) {
        return Err(Located::at(
            split.yaml_line + line - 1,
            col,
            "a tab indents this line: YAML allows spaces only",
        ));
    }
    let mut fm: FrontMatter =
        yaml_serde::from_str(split.yaml).map_err(|e| yaml_error(split, &e))?;
    ensure_no_tag(split)?;
    ensure_no_null(split)?;
    fm.clean();
    ensure_valid(split, &fm)?;
    Ok(fm)
}

/// Rejects a text field written as YAML's null (`~`, `null`, nothing): serde takes the
/// null's spelling (`~`) as the text and it would be published. Quoted, `"~"` is text.
/// Only a block the fast path left to the parser can hold one, and only if it has `~`,
/// `null` or a key without a value, so most blocks are not parsed a second time.
fn ensure_no_null(split: &Split<'_>) -> Result<(), Located> {
    let yaml = split.yaml;
    let suspect = yaml.contains('~')
        || yaml.to_ascii_lowercase().contains("null")
        || yaml
            .lines()
            .map(str::trim_end)
            .any(|l| l.ends_with(':') || l.ends_with('-'));
    if !suspect {
        return Ok(());
    }
    let Ok(yaml_serde::Value::Mapping(map)) = yaml_serde::from_str::<yaml_serde::Value>(yaml)
    else {
        return Ok(());
    };
    for (key, value) in &map {
        let Some(key) = key.as_str() else { continue };
        if key != "extra" && key != "draft" && holds_null(value) {
            return Err(Located::at(
                key_line(split, key),
                1,
                format!(
                    "`{key}` is empty (`~`, `null` or nothing is YAML's null): write a value, remove the line, or quote it (`\"~\"`) if you mean the text"
                ),
            ));
        }
    }
    Ok(())
}

/// Rejects YAML tags (`!!binary`, `!!str`, `!x`) anywhere in the block, at their line:
/// the parser reads `!!binary` as the text of its base64.
fn ensure_no_tag(split: &Split<'_>) -> Result<(), Located> {
    if !split.yaml.contains('!') {
        return Ok(());
    }
    for (i, line) in split.yaml.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut before = ' ';
        for (col, c) in line.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') if matches!(before, ' ' | '[' | '{' | ',' | ':' | '-') => {
                    quote = Some(c)
                }
                (None, '#') if before == ' ' => break,
                (None, '!') if matches!(before, ' ' | '[' | '{' | ',' | '-') => {
                    let tag: String = line[line.char_indices().nth(col).map_or(0, |(b, _)| b)..]
                        .split([' ', ',', ']', '}'])
                        .next()
                        .unwrap_or("!")
                        .to_owned();
                    return Err(Located::at(
                        split.yaml_line + i,
                        col + 1,
                        format!("YAML tags such as `{tag}` are not accepted: write the value as plain text"),
                    ));
                }
                _ => {}
            }
            before = c;
        }
    }
    Ok(())
}

/// Whether `value` is null, or a list or mapping holding one (the `tags` list, `source`).
fn holds_null(value: &yaml_serde::Value) -> bool {
    use yaml_serde::Value;
    match value {
        Value::Null => true,
        Value::Sequence(items) => items.iter().any(holds_null),
        Value::Mapping(map) => map.values().any(holds_null),
        _ => false,
    }
}

impl FrontMatter {
    /// Drops the characters XML forbids from every text, as [`crate::basics::decode::decode`]
    /// drops them from a file's bytes: written as YAML escapes (`"\b"`, `"\x1f"`) they
    /// reach the text only here.
    fn clean(&mut self) {
        use crate::basics::decode::clean_text as c;
        for s in [&mut self.title, &mut self.date] {
            c(s);
        }
        for s in [
            &mut self.author,
            &mut self.topic,
            &mut self.subtitle,
            &mut self.summary,
            &mut self.slug,
            &mut self.updated,
            &mut self.lang,
        ]
        .into_iter()
        .flatten()
        {
            c(s);
        }
        self.tags.iter_mut().for_each(c);
        if let Some(source) = &mut self.source {
            c(&mut source.name);
            source.url.iter_mut().for_each(c);
        }
        self.extra.values_mut().for_each(clean_value);
    }
}

fn clean_value(value: &mut yaml_serde::Value) {
    use yaml_serde::Value;
    match value {
        Value::String(s) => crate::basics::decode::clean_text(s),
        Value::Sequence(items) => items.iter_mut().for_each(clean_value),
        Value::Mapping(map) => map.values_mut().for_each(clean_value),
        Value::Tagged(t) => clean_value(&mut t.value),
        _ => {}
    }
}

/// Deepest nesting accepted in front matter. The YAML parser's own limit is checked only
/// after it has scanned the whole block, which takes seconds on hostile input.
const MAX_DEPTH: usize = 64;

/// The position where flow (`[`, `{`) or block (indentation) nesting passes `MAX_DEPTH`.
/// Quoted strings are skipped, so brackets inside titles do not count.
fn find_deep_nesting(yaml: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, line) in yaml.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent > 2 * MAX_DEPTH {
            return Some((i + 1, indent));
        }
        for (col, c) in line.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some((i + 1, col + 1));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

fn find_tab_indent(yaml: &str) -> Option<(usize, usize)> {
    yaml.lines().enumerate().find_map(|(i, l)| {
        let indent: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        indent.find('\t').map(|col| (i + 1, col + 1))
    })
}

fn yaml_error(split: &Split<'_>, e: &yaml_serde::Error) -> Located {
    // libyaml writes "PROBLEM at MARK, CONTEXT at MARK", serde errors "MESSAGE at MARK",
    // with lines counted in the YAML block. The last mark becomes our position: for an
    // unfinished construct (an unclosed quote or bracket) it is where that construct
    // starts, which is where the author must look. Marks left in the text are shifted
    // to file lines too.
    let (message, last) = shift_marks(&e.to_string(), split.yaml_line - 1);
    let (line, col) = last
        .or_else(|| {
            e.location()
                .map(|l| (split.yaml_line + l.line() - 1, l.column()))
        })
        .unwrap_or((split.yaml_line, 1));
    // serde reports a duplicate at the start of the mapping: point at the second one.
    let (line, col) = match message
        .strip_prefix("duplicate field `")
        .and_then(|r| r.split('`').next())
        .and_then(|field| key_lines(split, field).nth(1))
    {
        Some(second) => (second, 1),
        None => (line, col),
    };
    let mut message = explain_yaml_message(&message);
    if message.ends_with("while scanning a quoted scalar") {
        message.push_str(": the quote that opens here is never closed");
    }
    Located::at(line, col, message)
}

/// `message` with every ` at line L column C` moved down `shift` lines, except the last,
/// which is removed and returned (shifted).
fn shift_marks(message: &str, shift: usize) -> (String, Option<(usize, usize)>) {
    const AT: &str = " at line ";
    let mut pieces = vec![String::new()];
    let mut marks: Vec<(usize, usize)> = Vec::new();
    let mut rest = message;
    while let Some(i) = rest.find(AT) {
        let after = &rest[i + AT.len()..];
        let piece = pieces.last_mut().expect("one piece at least");
        match parse_mark(after) {
            Some((line, col, len)) => {
                piece.push_str(&rest[..i]);
                pieces.push(String::new());
                marks.push((line + shift, col));
                rest = &after[len..];
            }
            None => {
                piece.push_str(&rest[..i + AT.len()]);
                rest = after;
            }
        }
    }
    pieces
        .last_mut()
        .expect("one piece at least")
        .push_str(rest);
    let last = marks.pop();
    let mut out = String::with_capacity(message.len());
    for (piece, (line, col)) in pieces.iter().zip(&marks) {
        out.push_str(piece);
        out.push_str(&format!("{AT}{line} column {col}"));
    }
    for piece in &pieces[marks.len()..] {
        out.push_str(piece);
    }
    (out, last)
}

/// `L column C` at the start of `s`: (L, C, bytes used).
fn parse_mark(s: &str) -> Option<(usize, usize, usize)> {
    let digits = |t: &str| t.bytes().take_while(u8::is_ascii_digit).count();
    let n = digits(s);
    let line = s[..n].parse().ok()?;
    let rest = s[n..].strip_prefix(" column ")?;
    let m = digits(rest);
    let col = rest[..m].parse().ok()?;
    Some((line, col, n + " column ".len() + m))
}

/// Rewrites serde's messages into ours: a suggestion for unknown fields, plain words
/// for type mismatches.
fn explain_yaml_message(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        return match closest_field(field) {
            Some(near) => format!("unknown field `{field}`: did you mean `{near}`?"),
            None => format!(
                "unknown field `{field}`: known fields are {}",
                FIELDS.join(", ")
            ),
        };
    }
    if message.starts_with("tags: invalid type") {
        return "`tags` must be a list, for example `tags: [سياسة, اقتصاد]`".to_owned();
    }
    message.to_owned()
}

/// The known field nearest to `name`, if it is near enough to be a typo.
pub fn closest_field(name: &str) -> Option<&'static str> {
    FIELDS
        .iter()
        .map(|f| (strsim::damerau_levenshtein(name, f), *f))
        .filter(|(d, f)| *d <= 2.max(f.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f)
}

/// The file line on which `key:` is written at the top level of the block.
pub fn key_line(split: &Split<'_>, key: &str) -> usize {
    key_lines(split, key).next().unwrap_or(split.yaml_line)
}

/// Every file line on which `key:` is written at the top level of the block.
fn key_lines<'a>(split: &'a Split<'_>, key: &'a str) -> impl Iterator<Item = usize> + 'a {
    split
        .yaml
        .lines()
        .enumerate()
        .filter(move |(_, l)| {
            l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map(|(i, _)| split.yaml_line + i)
}

fn ensure_valid(split: &Split<'_>, fm: &FrontMatter) -> Result<(), Located> {
    // Page titles are shown without invisible characters: a title made only of them
    // (a zero-width space, a bidi control) is empty.
    if crate::text::slug::strip_invisible(&fm.title)
        .trim()
        .is_empty()
    {
        return Err(Located::at(key_line(split, "title"), 1, "`title` is empty"));
    }
    parse_date(&fm.date).map_err(|m| Located::at(key_line(split, "date"), 1, m))?;
    // Checked here so a bad tag is blamed on this file, not on `site.toml` at render time.
    if let Some(lang) = &fm.lang {
        if lang.parse::<icu_locale::Locale>().is_err() {
            return Err(Located::at(
                key_line(split, "lang"),
                1,
                format!(
                    "`lang` `{lang}` is not a BCP 47 language tag such as `ar`, `en` or `ar-EG`"
                ),
            ));
        }
    }
    // The same filter as the body's links: a `javascript:` address would be a live link.
    if let Some(url) = fm.source.as_ref().and_then(|s| s.url.as_deref()) {
        if crate::sources::markdown::is_unsafe_url(url) {
            return Err(Located::at(
                key_line(split, "source"),
                1,
                format!("`source.url` `{url}` runs script in the browser: write the source's web address (`https://...`)"),
            ));
        }
    }
    if let Some(updated) = &fm.updated {
        parse_date(updated).map_err(|m| Located::at(key_line(split, "updated"), 1, m))?;
    }
    if let Some(slug) = &fm.slug {
        if crate::text::slug::slugify(slug).is_empty() {
            return Err(Located::at(
                key_line(split, "slug"),
                1,
                format!("`slug` `{slug}` has no letters or digits to make a URL from"),
            ));
        }
    }
    Ok(())
}

/// A publication date: `YYYY-MM-DD`, or an RFC 3339 timestamp (`2019-02-05T10:00:00+02:00`),
/// whose calendar date (in its own offset) is kept. Eastern Arabic digits are rejected with
/// a message saying so: dates are data, written in ASCII digits.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let t = text.trim();
    if t.chars()
        .any(|c| ('\u{0660}'..='\u{0669}').contains(&c) || ('\u{06F0}'..='\u{06F9}').contains(&c))
    {
        return Err(format!(
            "date `{t}` uses Arabic-Indic digits: write it with ASCII digits, as `YYYY-MM-DD` (the site shows it in the digits `site.toml` asks for)"
        ));
    }
    if t.len() == 10 {
        return t
            .parse::<Date>()
            .map_err(|e| format!("date `{t}` is not a real calendar date as `YYYY-MM-DD`: {e}"));
    }
    t.parse::<jiff::Timestamp>().map(|_| ()).map_err(|e| {
        format!("date `{t}` is neither `YYYY-MM-DD` nor an RFC 3339 timestamp: {e}")
    })?;
    // The timestamp is valid; its date is the one the author wrote, in the author's offset.
    t[..10]
        .parse::<Date>()
        .map_err(|e| format!("date `{t}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<FrontMatter, Located> {
        parse(&split(text)?)
    }

    #[test]
    fn yaml_nulls_and_tags_are_refused_at_their_line() {
        for (yaml, line, what) in [
            ("title: ~\ndate: 2019-02-05\n", 2, "`title` is empty"),
            (
                "title: x\ndate: 2019-02-05\nauthor: null\n",
                4,
                "`author` is empty",
            ),
            (
                "title: x\ndate: 2019-02-05\ntopic:\n",
                4,
                "`topic` is empty",
            ),
            (
                "title: x\ndate: 2019-02-05\ntags: [a, NULL]\n",
                4,
                "`tags` is empty",
            ),
            (
                "title: x\ndate: 2019-02-05\ntags:\n  - a\n  -\n",
                4,
                "`tags` is empty",
            ),
            (
                "title: !!binary aGVsbG8=\ndate: 2019-02-05\n",
                2,
                "`!!binary`",
            ),
            (
                "title: x\ndate: 2019-02-05\nsubtitle: !!str y\n",
                4,
                "`!!str`",
            ),
            (
                "title: x\ndate: 2019-02-05\nextra: {a: [!custom b]}\n",
                4,
                "`!custom`",
            ),
        ] {
            let e = parse_str(&format!("---\n{yaml}---\n")).unwrap_err();
            assert!(e.message.contains(what), "{yaml}: {}", e.message);
            assert_eq!(e.line, line, "{yaml}: {e:?}");
        }
        // Quoted, they are text; `!` inside text is text; null is a value in `extra`.
        let fm = parse_str(
            "---\ntitle: \"~\"\ndate: 2019-02-05\nsummary: \"لا! null\"\nextra: {a: ~}\n---\n",
        )
        .unwrap();
        assert_eq!(fm.title, "~");
        assert_eq!(fm.summary.as_deref(), Some("لا! null"));
    }

    #[test]
    fn control_characters_written_as_escapes_are_dropped_from_every_text() {
        let fm = parse_str(
            "---\ntitle: \"a\\bb\\x1fc\\vd\"\ndate: 2019-02-05\nauthor: \"\\x01س\"\ntags: [\"x\\u0008y\"]\nsource: {name: \"n\\x7f\", url: \"https://e.org/\\x0c\"}\nextra: {k: [\"\\x02v\"]}\n---\n",
        )
        .unwrap();
        assert_eq!(fm.title, "abcd");
        assert_eq!(fm.author.as_deref(), Some("س"));
        assert_eq!(fm.tags, ["xy"]);
        let source = fm.source.unwrap();
        assert_eq!(
            (source.name.as_str(), source.url.as_deref()),
            ("n", Some("https://e.org/"))
        );
        assert_eq!(fm.extra["k"][0].as_str(), Some("v"));
    }

    #[test]
    fn script_urls_in_front_matter_are_refused() {
        for url in [
            "javascript:alert(1)",
            " JavaScript:x",
            "data:text/html,x",
            "vbscript:x",
        ] {
            let e = parse_str(&format!(
                "---\ntitle: x\ndate: 2019-02-05\nsource: {{name: s, url: \"{url}\"}}\n---\n"
            ))
            .unwrap_err();
            assert_eq!(e.line, 4, "{url}");
            assert!(e.message.contains("source.url"), "{}", e.message);
        }
    }

    #[test]
    fn splits_and_counts_lines() {
        let s = split("---\ntitle: x\ndate: 2019-02-05\n---\nbody\n").unwrap();
        assert_eq!(s.yaml, "title: x\ndate: 2019-02-05\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn delimiter_lookalikes_do_not_close() {
        let s = split("---\ntitle: \"a\n --- b\"\nx: ---\n---\nbody").unwrap();
        assert!(s.yaml.contains(" --- b"));
        assert_eq!(s.body, "body");
    }

    #[test]
    fn missing_fences_are_errors() {
        assert!(split("title: x\n")
            .unwrap_err()
            .message
            .contains("missing front matter"));
        assert!(split("---\ntitle: x\n")
            .unwrap_err()
            .message
            .contains("not closed"));
        assert!(split("").is_err());
    }

    #[test]
    fn unknown_field_suggests_the_nearest() {
        let e = parse_str("---\ntitle: x\ndate: 2019-02-05\ntopik: y\n---\n").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(
            e.message.contains("`topik`") && e.message.contains("`topic`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn yaml_errors_are_at_file_lines() {
        // An unclosed quote is reported where it opens; where the parser gave up is
        // named in file lines too.
        let e =
            parse_str("---\ntitle: \"unclosed\ndate: 2019-02-05\ntags: [a]\n---\n").unwrap_err();
        assert_eq!((e.line, e.col), (2, 8), "{e:?}");
        assert!(e.message.contains("at line 5 column 1"), "{}", e.message);
        assert!(e.message.contains("never closed"), "{}", e.message);
        let e = parse_str("---\ntitle: x\ndate: 2019-02-05\ntags: [a, b\n---\n").unwrap_err();
        assert_eq!((e.line, e.col), (4, 7), "{e:?}");
        assert!(e.message.contains("at line 5 column 1"), "{}", e.message);
        let e = parse_str("---\ntitle: x\n\tdate: 2019-02-05\n---\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 1));
    }

    #[test]
    fn wrong_types_and_duplicates() {
        let e = parse_str("---\ntitle: x\ndate: 2019-02-05\ntags: سياسة\n---\n").unwrap_err();
        assert!(e.message.contains("must be a list"), "{}", e.message);
        assert_eq!(e.line, 4);
        let e = parse_str("---\ntitle: x\ndate: 2019-02-05\ntitle: y\n---\n").unwrap_err();
        assert!(e.message.contains("duplicate"), "{}", e.message);
        assert_eq!((e.line, e.col), (4, 1), "the second `title`");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2019-02-05").unwrap().to_string(), "2019-02-05");
        assert_eq!(
            parse_date("2019-02-05T23:30:00+02:00").unwrap().to_string(),
            "2019-02-05"
        );
        assert!(parse_date("2019-02-30").is_err());
        assert!(parse_date("٢٠١٩-٠٢-٠٥")
            .unwrap_err()
            .contains("Arabic-Indic"));
        assert!(parse_date("05/02/2019").is_err());
        let e = parse_str("---\ntitle: x\ndate: 2019-02-30\n---\n").unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn invisible_title_is_empty() {
        let e =
            parse_str("---\ndate: 2019-02-05\ntitle: \"\u{200B}\u{200F} \"\n---\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (3, "`title` is empty"));
    }

    #[test]
    fn lang_must_be_a_language_tag() {
        let e =
            parse_str("---\ntitle: x\ndate: 2019-02-05\nlang: \"<script>\"\n---\n").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("BCP 47"), "{}", e.message);
        assert!(parse_str("---\ntitle: x\ndate: 2019-02-05\nlang: ar-EG\n---\n").is_ok());
    }

    #[test]
    fn missing_required_field() {
        let e = parse_str("---\ntitle: x\n---\n").unwrap_err();
        assert!(e.message.contains("`date`"), "{}", e.message);
    }

    #[test]
    fn nesting_and_alias_bombs_fail_cleanly() {
        let deep = format!(
            "---\ntitle: x\ndate: 2019-02-05\nextra: {{a: {}1{}}}\n---\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let e = parse_str(&deep).unwrap_err();
        assert!(e.message.contains("nests deeper"), "{}", e.message);
        assert_eq!(e.line, 4);
        // Brackets inside quoted strings are text.
        assert!(parse_str(&format!(
            "---\ntitle: \"{}\"\ndate: 2019-02-05\n---\n",
            "[".repeat(100)
        ))
        .is_ok());
        let mut bomb =
            String::from("---\ntitle: x\ndate: 2019-02-05\nextra:\n  a: &a [x,x,x,x,x,x,x,x,x]\n");
        for i in 0..9 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!("  b{i}: &b{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        bomb.push_str("---\n");
        assert!(parse_str(&bomb).is_err());
    }
}

//! Source text → (front matter, body): split the `---` block, deserialize it with
//! `yaml_serde`, and report problems at `line:col` of the real file.

use crate::basics::error::Located;
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::BTreeMap;

mod checks;
mod simple;

use checks::{ensure_no_null, ensure_no_tag, find_deep_nesting, find_tab_indent, MAX_DEPTH};

/// The front matter fields an article may set. Fields it does not name are kept in
/// `others`: the terms of the site's own taxonomies (`countries: [مصر]`), and anything
/// else, which is an error once the site's taxonomies are known ([`unknown_field`]).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
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
    /// The lead photo: a file beside the article (or under `static/`, from `/`).
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default)]
    pub image_alt: Option<String>,
    #[serde(default)]
    pub image_caption: Option<String>,
    #[serde(default)]
    pub image_credit: Option<String>,
    /// More authors than one (`author` is the first when both are written).
    #[serde(default)]
    pub authors: Vec<String>,
    /// The series the article is part of, and its part number in it.
    #[serde(default)]
    pub series: Option<String>,
    #[serde(default)]
    pub series_part: Option<u32>,
    /// Old addresses of the article, redirected to it.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// When the article appears, and when it leaves the site: RFC 3339, or a date and
    /// time in the site's `timezone`.
    #[serde(default)]
    pub publish_at: Option<String>,
    #[serde(default)]
    pub expires: Option<String>,
    /// Versions of one analysis in several languages share a key, or name the original.
    #[serde(default)]
    pub translation_key: Option<String>,
    #[serde(default)]
    pub translation_of: Option<String>,
    #[serde(default)]
    pub extra: BTreeMap<String, yaml_serde::Value>,
    /// Every other field: a site taxonomy's terms, or an unknown field.
    #[serde(flatten)]
    pub others: BTreeMap<String, yaml_serde::Value>,
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
    "title",
    "date",
    "author",
    "topic",
    "tags",
    "subtitle",
    "summary",
    "slug",
    "draft",
    "updated",
    "lang",
    "source",
    "extra",
    "image",
    "image_alt",
    "image_caption",
    "image_credit",
    "authors",
    "series",
    "series_part",
    "aliases",
    "publish_at",
    "expires",
    "translation_key",
    "translation_of",
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
    ensure_parsable(split)?;
    let mut fm: FrontMatter =
        yaml_serde::from_str(split.yaml).map_err(|e| yaml_error(split, &e))?;
    ensure_no_tag(split)?;
    ensure_no_null(split)?;
    fm.clean();
    ensure_valid(split, &fm)?;
    Ok(fm)
}

/// Parses the YAML block as `T` (an author's profile), with the same checks and
/// messages as an article's; `fields` are `T`'s, for suggestions.
pub fn parse_as<T: serde::de::DeserializeOwned>(
    split: &Split<'_>,
    fields: &[&str],
) -> Result<T, Located> {
    ensure_parsable(split)?;
    let value: T =
        yaml_serde::from_str(split.yaml).map_err(|e| yaml_error_in(split, &e, fields))?;
    ensure_no_tag(split)?;
    ensure_no_null(split)?;
    Ok(value)
}

/// What is checked before the YAML parser sees a block (it is slow on such input, or
/// says it less plainly): nesting past a bound, tabs in indentation.
fn ensure_parsable(split: &Split<'_>) -> Result<(), Located> {
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
    Ok(())
}

fn yaml_error(split: &Split<'_>, e: &yaml_serde::Error) -> Located {
    yaml_error_in(split, e, FIELDS)
}

fn yaml_error_in(split: &Split<'_>, e: &yaml_serde::Error, fields: &[&str]) -> Located {
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
    let mut message = explain_yaml_message(&message, fields);
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
fn explain_yaml_message(message: &str, fields: &[&str]) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        return match closest(field, fields.iter().copied()) {
            Some(near) => format!("unknown field `{field}`: did you mean `{near}`?"),
            None => format!(
                "unknown field `{field}`: known fields are {}",
                fields.join(", ")
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
    closest(name, FIELDS.iter().copied())
}

fn closest<'n>(name: &str, known: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    known
        .map(|f| (strsim::damerau_levenshtein(name, f), f))
        .filter(|(d, f)| *d <= 2.max(f.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f)
}

/// The error for a field neither warraq nor the site's taxonomies (`taxonomies`, their
/// keys) know, at its line, with the nearest known name.
pub fn unknown_field(split: &Split<'_>, field: &str, taxonomies: &[&str]) -> Located {
    let known = FIELDS.iter().copied().chain(taxonomies.iter().copied());
    let message = match closest(field, known) {
        Some(near) => format!("unknown field `{field}`: did you mean `{near}`?"),
        None => {
            let mut all: Vec<&str> = FIELDS.to_vec();
            all.extend(taxonomies);
            format!(
                "unknown field `{field}`: known fields are {}",
                all.join(", ")
            )
        }
    };
    Located::at(key_line(split, field), 1, message)
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
mod tests;

//! What the YAML parser lets through and a page may not hold: nulls and tags where text
//! is expected, control characters written as escapes, and (checked before parsing,
//! which is slow on such input) nesting past a bound and tabs in indentation.

use super::{key_line, FrontMatter, Split};
use crate::basics::error::Located;

/// Rejects a text field written as YAML's null (`~`, `null`, nothing): serde takes the
/// null's spelling (`~`) as the text and it would be published. Quoted, `"~"` is text.
/// Only a block the fast path left to the parser can hold one, and only if it has `~`,
/// `null` or a key without a value, so most blocks are not parsed a second time.
pub(super) fn ensure_no_null(split: &Split<'_>) -> Result<(), Located> {
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
pub(super) fn ensure_no_tag(split: &Split<'_>) -> Result<(), Located> {
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
    pub(super) fn clean(&mut self) {
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
            &mut self.series,
            &mut self.publish_at,
            &mut self.expires,
            &mut self.translation_key,
            &mut self.translation_of,
        ]
        .into_iter()
        .flatten()
        {
            c(s);
        }
        self.tags.iter_mut().for_each(c);
        self.authors.iter_mut().for_each(c);
        self.aliases.iter_mut().for_each(c);
        self.others.values_mut().for_each(clean_value);
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
pub(super) const MAX_DEPTH: usize = 64;

/// The position where flow (`[`, `{`) or block (indentation) nesting passes `MAX_DEPTH`.
/// Quoted strings are skipped, so brackets inside titles do not count.
pub(super) fn find_deep_nesting(yaml: &str) -> Option<(usize, usize)> {
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

pub(super) fn find_tab_indent(yaml: &str) -> Option<(usize, usize)> {
    yaml.lines().enumerate().find_map(|(i, l)| {
        let indent: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        indent.find('\t').map(|col| (i + 1, col + 1))
    })
}

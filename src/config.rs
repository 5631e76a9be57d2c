//! `site.toml` → [`Config`]: the site's settings, with unknown keys rejected at their line.

use crate::error::Located;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The site's settings. Every field has a default except `title`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The site's name, shown in the header and feeds.
    pub title: String,
    /// One sentence about the site (meta description, feed subtitle).
    #[serde(default)]
    pub description: String,
    /// The public URL the site is served from, e.g. `https://archive.example.org`.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// BCP 47 language of the site; sets `lang` and `dir` (`ar`, `fa`, `ur`, `he` → rtl).
    #[serde(default = "default_language")]
    pub language: String,
    /// Where `build` writes the site, relative to the site root.
    #[serde(default = "default_output_dir")]
    pub output_dir: String,
    /// Articles per page on the home and term pages.
    #[serde(default = "default_paginate_by")]
    pub paginate_by: usize,
    /// Entries in each Atom feed.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// The author of articles that name none.
    #[serde(default)]
    pub default_author: Option<String>,
    /// Digits for dates, counts and page numbers: `latn` (0-9) or `arab` (٠-٩).
    #[serde(default)]
    pub digits: Digits,
    /// Also show the Hijri (Umm al-Qura) date beside the Gregorian one.
    #[serde(default)]
    pub hijri: bool,
    /// Reading speed per language, in words per minute, for reading time.
    #[serde(default)]
    pub words_per_minute: BTreeMap<String, u32>,
    /// Build the search index and show the search box.
    #[serde(default = "yes")]
    pub search: bool,
    /// Pass raw HTML in Markdown through unescaped (trusted authors only).
    #[serde(default)]
    pub unsafe_html: bool,
    /// Which taxonomies to build and how.
    #[serde(default)]
    pub taxonomies: Taxonomies,
    /// Overrides of interface strings, per language: `[translations.ar] next = "..."`.
    #[serde(default)]
    pub translations: BTreeMap<String, BTreeMap<String, String>>,
    /// Free values passed to templates as `config.extra`.
    #[serde(default)]
    pub extra: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Digits {
    #[default]
    Latn,
    Arab,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Taxonomies {
    #[serde(default = "TaxonomySettings::on")]
    pub tags: TaxonomySettings,
    #[serde(default = "TaxonomySettings::on")]
    pub topics: TaxonomySettings,
    #[serde(default = "TaxonomySettings::on")]
    pub authors: TaxonomySettings,
}

impl Default for Taxonomies {
    fn default() -> Self {
        Taxonomies {
            tags: TaxonomySettings::on(),
            topics: TaxonomySettings::on(),
            authors: TaxonomySettings::on(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomySettings {
    /// Build this taxonomy's pages at all.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Articles per term page (defaults to the site's `paginate_by`).
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// Write an Atom feed per term.
    #[serde(default = "yes")]
    pub feed: bool,
}

impl TaxonomySettings {
    fn on() -> Self {
        TaxonomySettings {
            enabled: true,
            paginate_by: None,
            feed: true,
        }
    }
}

fn yes() -> bool {
    true
}
fn default_base_url() -> String {
    "http://127.0.0.1:1111".to_owned()
}
fn default_language() -> String {
    "ar".to_owned()
}
fn default_output_dir() -> String {
    "public".to_owned()
}
fn default_paginate_by() -> usize {
    10
}
fn default_feed_limit() -> usize {
    20
}

/// Text direction of a language tag: right-to-left for Arabic-script and Hebrew languages.
pub fn direction(lang: &str) -> &'static str {
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.as_str() {
        "ar" | "fa" | "ur" | "he" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb" | "ku" | "arz" => {
            "rtl"
        }
        _ => "ltr",
    }
}

/// Words per minute when the site sets none: Arabic 138 and English 228, the silent
/// reading rates measured for those languages by the IReST standardized-text study
/// (Trauzettel-Klosinski & Dietz, 2012); other languages use 200.
pub fn default_words_per_minute(lang: &str) -> u32 {
    match lang.split(['-', '_']).next().unwrap_or("") {
        "ar" => 138,
        "en" => 228,
        _ => 200,
    }
}

impl Config {
    /// Parses `site.toml` text; errors carry the line and column of the offending key.
    pub fn parse(text: &str) -> Result<Config, Located> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let (line, col) = e.span().map_or((1, 1), |span| line_col(text, span.start));
            Located::at(line, col, explain(e.message().trim()))
        })?;
        config.ensure_valid().map_err(|m| Located::at(1, 1, m))?;
        config.base_url = config.base_url.trim_end_matches('/').to_owned();
        Ok(config)
    }

    fn ensure_valid(&self) -> Result<(), String> {
        if self.paginate_by == 0 {
            return Err("`paginate_by` must be at least 1".into());
        }
        if !(self.base_url.starts_with("http://")
            || self.base_url.starts_with("https://")
            || self.base_url.starts_with('/'))
        {
            return Err(format!(
                "`base_url` `{}` must start with `https://`, `http://` or `/`",
                self.base_url
            ));
        }
        Ok(())
    }

    pub fn direction(&self) -> &'static str {
        direction(&self.language)
    }

    pub fn words_per_minute(&self, lang: &str) -> u32 {
        let primary = lang.split(['-', '_']).next().unwrap_or("");
        self.words_per_minute
            .get(lang)
            .or_else(|| self.words_per_minute.get(primary))
            .copied()
            .filter(|w| *w > 0)
            .unwrap_or_else(|| default_words_per_minute(lang))
    }

    /// The absolute URL of a site path (`/articles/x/`).
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }
}

/// serde's "unknown field `x`, expected one of ..." becomes a suggestion of the
/// closest known key.
fn explain(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let field = rest.split('`').next().unwrap_or("");
    let known: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
    let closest = known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(field, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d);
    match closest {
        Some((_, k)) => format!("unknown key `{field}`: did you mean `{k}`?"),
        None => format!("unknown key `{field}`: known keys are {}", known.join(", ")),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineCols::new(text).at(offset)
}

/// [`line_col`] for many offsets of one text: each is counted on from the one asked for
/// before it (from the start again if it lies before), so offsets in text order read
/// the text once, not once each.
pub struct LineCols<'a> {
    text: &'a str,
    /// The last offset asked for, its line, and the offset that line starts at.
    from: usize,
    line: usize,
    line_start: usize,
}

impl<'a> LineCols<'a> {
    pub fn new(text: &'a str) -> LineCols<'a> {
        LineCols {
            text,
            from: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// The line and column of `offset` (a character boundary; past the end, the end).
    pub fn at(&mut self, offset: usize) -> (usize, usize) {
        let at = offset.min(self.text.len());
        if at < self.from {
            *self = LineCols::new(self.text);
        }
        for (i, _) in self.text[self.from..at].match_indices('\n') {
            self.line += 1;
            self.line_start = self.from + i + 1;
        }
        self.from = at;
        let col = self.text[self.line_start..at].chars().count() + 1;
        (self.line, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_cols_count_on_in_any_order() {
        let text = "سطر أول\n\nثالث: [أ](a)\r\nرابع\n";
        let by_hand = |offset: usize| {
            let (mut line, mut col) = (1, 1);
            for c in text[..offset].chars() {
                (line, col) = if c == '\n' {
                    (line + 1, 1)
                } else {
                    (line, col + 1)
                };
            }
            (line, col)
        };
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let mut cols = LineCols::new(text);
        for &o in offsets.iter().chain(offsets.iter().rev()).chain(&offsets) {
            assert_eq!(cols.at(o), by_hand(o), "offset {o}");
            assert_eq!(line_col(text, o), by_hand(o), "offset {o}");
        }
        assert_eq!(cols.at(text.len() + 5), by_hand(text.len()));
    }

    #[test]
    fn defaults() {
        let c = Config::parse("title = \"أرشيف\"\n").unwrap();
        assert_eq!(c.language, "ar");
        assert_eq!(c.direction(), "rtl");
        assert_eq!(c.paginate_by, 10);
        assert!(c.search);
        assert_eq!(c.words_per_minute("ar"), 138);
    }

    #[test]
    fn unknown_key_has_its_line() {
        let e = Config::parse("title = \"x\"\n\npaginat_by = 3\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.message
                .contains("`paginat_by`: did you mean `paginate_by`?"),
            "{}",
            e.message
        );
    }

    #[test]
    fn direction_from_language() {
        assert_eq!(direction("ar-EG"), "rtl");
        assert_eq!(direction("fa"), "rtl");
        assert_eq!(direction("en"), "ltr");
    }

    #[test]
    fn rejects_bad_values() {
        assert!(Config::parse("title = \"x\"\npaginate_by = 0\n").is_err());
        assert!(Config::parse("title = \"x\"\nbase_url = \"javascript:x\"\n").is_err());
        assert!(Config::parse("title = \"x\"\ndigits = \"roman\"\n").is_err());
    }
}

//! `site.toml` → [`Config`]: the site's settings, with unknown keys rejected at their line.

use crate::basics::error::Located;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod newsroom;
pub use newsroom::{RelatedSettings, Taxonomies, TaxonomySettings, BUILT_IN, RESERVED_SEGMENTS};

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
    /// How list pages are numbered: `from_oldest` (page 1 holds the oldest articles, so a
    /// full page keeps its articles and URL as new ones arrive; the list's first page
    /// shows the newest) or `from_newest` (page 2 is the second-newest page, and every
    /// page moves when an article is added).
    #[serde(default)]
    pub page_numbers: PageNumbers,
    /// Entries in each Atom feed.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// The author of articles that name none.
    #[serde(default)]
    pub default_author: Option<String>,
    /// The site's logo, a photo under the site's folder (`static/logo.png`): the
    /// publisher's logo in each article's JSON-LD.
    #[serde(default)]
    pub logo: Option<String>,
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
    /// Which taxonomies to build and how: tags, topics, authors and the site's own.
    #[serde(default)]
    pub taxonomies: Taxonomies,
    /// Related articles under each article: `[related]`.
    #[serde(default)]
    pub related: RelatedSettings,
    /// The time zone `publish_at` and `expires` are read in when they name none
    /// (`Africa/Cairo`).
    #[serde(default)]
    pub timezone: Option<String>,
    /// Overrides of interface strings, per language: `[translations.ar] next = "..."`.
    #[serde(default)]
    pub translations: BTreeMap<String, BTreeMap<String, String>>,
    /// How photos are published: `[photos]`.
    #[serde(default)]
    pub photos: PhotoSettings,
    /// Free values passed to templates as `config.extra`.
    #[serde(default)]
    pub extra: BTreeMap<String, toml::Value>,
    /// Where the path of `base_url` starts in it ([`Config::set_base_url`]).
    #[serde(skip)]
    path_at: usize,
}

/// How the pages of a list are numbered ([`Config::page_numbers`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PageNumbers {
    #[default]
    FromOldest,
    FromNewest,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Digits {
    #[default]
    Latn,
    Arab,
}

/// How photos are published (`[photos]` in site.toml).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoSettings {
    /// The widths each photo is published at, in pixels (never wider than the photo).
    #[serde(default = "PhotoSettings::default_widths")]
    pub widths: Vec<u32>,
    /// WebP and JPEG quality, 1 to 100.
    #[serde(default = "PhotoSettings::default_quality")]
    pub quality: u8,
    /// Photos declaring more pixels than this (in millions) are refused before decoding.
    #[serde(default = "PhotoSettings::default_max_megapixels")]
    pub max_megapixels: u32,
    /// How wide a photo in an article is laid out (the `sizes` attribute).
    #[serde(default = "PhotoSettings::default_sizes")]
    pub sizes: String,
    /// The social image of pages without a photo of their own: a file under the site's
    /// root (`static/card.jpg`).
    #[serde(default)]
    pub default_image: Option<String>,
    /// Its text for those who cannot see it.
    #[serde(default)]
    pub default_image_alt: Option<String>,
}

impl Default for PhotoSettings {
    fn default() -> Self {
        PhotoSettings {
            widths: Self::default_widths(),
            quality: Self::default_quality(),
            max_megapixels: Self::default_max_megapixels(),
            sizes: Self::default_sizes(),
            default_image: None,
            default_image_alt: None,
        }
    }
}

impl PhotoSettings {
    fn default_widths() -> Vec<u32> {
        vec![480, 800, 1200, 1600]
    }
    fn default_quality() -> u8 {
        75
    }
    fn default_max_megapixels() -> u32 {
        50
    }
    fn default_sizes() -> String {
        "(min-width: 40rem) 38rem, 100vw".to_owned()
    }

    /// What is wrong with these settings, if anything.
    fn problem(&self) -> Option<&'static str> {
        if self.widths.is_empty() || self.widths.iter().any(|&w| !(16..=8192).contains(&w)) {
            return Some("`widths` must list at least one width, each from 16 to 8192 pixels");
        }
        if !(1..=100).contains(&self.quality) {
            return Some("`quality` must be from 1 to 100");
        }
        if !(1..=1000).contains(&self.max_megapixels) {
            return Some("`max_megapixels` must be from 1 to 1000");
        }
        None
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
        let line_of = |key: &str| {
            text.lines()
                .position(|l| {
                    l.trim_start()
                        .strip_prefix(key)
                        .is_some_and(|r| r.trim_start().starts_with('='))
                })
                .map_or(1, |i| i + 1)
        };
        if config.paginate_by == 0 {
            return Err(Located::at(
                line_of("paginate_by"),
                1,
                "`paginate_by` must be at least 1",
            ));
        }
        if let Some(problem) = config.photos.problem() {
            let line = text
                .lines()
                .position(|l| l.trim() == "[photos]")
                .map_or(1, |i| i + 1);
            return Err(Located::at(line, 1, format!("`[photos]`: {problem}")));
        }
        newsroom::ensure_taxonomies(
            &config.taxonomies,
            crate::sources::front_matter::FIELDS,
            |name| {
                let header = format!("[taxonomies.{name}]");
                let dotted = format!("taxonomies.{name}");
                text.lines()
                    .position(|l| l.trim() == header || l.trim_start().starts_with(&dotted))
                    .map_or(1, |i| i + 1)
            },
        )?;
        newsroom::ensure_related(&config.related, &config.taxonomies).map_err(|m| {
            let line = text
                .lines()
                .position(|l| l.trim().starts_with("[related"))
                .map_or(1, |i| i + 1);
            Located::at(line, 1, m)
        })?;
        if let Some(zone) = &config.timezone {
            newsroom::ensure_time_zone(zone).map_err(|m| Located::at(line_of("timezone"), 1, m))?;
        }
        ensure_base_url(&config.base_url)
            .map_err(|m| Located::at(line_of("base_url"), 1, format!("`base_url` {m}")))?;
        config.clean();
        let url = std::mem::take(&mut config.base_url);
        config.set_base_url(&url);
        Ok(config)
    }

    /// Drops the characters XML forbids from the texts pages and feeds show, however
    /// `site.toml` spelled them (a TOML escape such as `"\u0008"` included).
    fn clean(&mut self) {
        use crate::basics::decode::clean_text as c;
        c(&mut self.title);
        c(&mut self.description);
        self.default_author.iter_mut().for_each(c);
        for strings in self.translations.values_mut() {
            strings.values_mut().for_each(c);
        }
    }

    /// Sets `base_url` (checked by [`ensure_base_url`]), without its trailing `/`.
    pub fn set_base_url(&mut self, url: &str) {
        self.base_url = url.trim_end_matches('/').to_owned();
        self.path_at = 0;
        self.path_at = self.path_start();
    }

    /// The path the site is served under, from `base_url`: `/archive` for
    /// `https://example.org/archive/`, empty for a site at the root of its host.
    pub fn base_path(&self) -> &str {
        &self.base_url[self.path_start()..]
    }

    /// Where the path of `base_url` starts (worked out again if `base_url` was set
    /// some other way than [`Config::set_base_url`]: no URL's path starts at 0).
    fn path_start(&self) -> usize {
        if self.path_at > 0 && self.path_at <= self.base_url.len() {
            return self.path_at;
        }
        let host_at = self.base_url.find("://").map_or(0, |i| i + 3);
        self.base_url[host_at..]
            .find('/')
            .map_or(self.base_url.len(), |i| host_at + i)
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

    /// The absolute URL of a site path (`/articles/x/`), in ASCII: non-ASCII letters of
    /// the path percent-encoded, as sitemaps (sitemaps.org requires ASCII `<loc>`) and
    /// feed validators want. Links inside pages may stay Arabic; these are for machines.
    pub fn absolute(&self, path: &str) -> String {
        let mut url = String::with_capacity(self.base_url.len() + path.len() * 3);
        url.push_str(&self.base_url[..self.path_start()]);
        push_encoded(&mut url, self.base_path());
        push_encoded(&mut url, path);
        url
    }
}

/// Appends `text` with every byte that may not stand in a URL as it is (non-ASCII,
/// controls, space, `"<>\`{}`) percent-encoded. (Written here: the `percent-encoding`
/// crate yields a piece per byte, and this runs for every permalink of a build.)
fn push_encoded(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let keep = |b: u8| b > b' ' && b < 0x7f && !b"\"<>`{}".contains(&b);
    if text.bytes().all(keep) {
        out.push_str(text);
        return;
    }
    for b in text.bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

/// Checks a `base_url` (from `site.toml` or `--base-url`): `http(s)://HOST[:PORT][/PATH]`,
/// nothing around it, no query or fragment. The message follows "`base_url` ".
pub fn ensure_base_url(url: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("`{url}` {why}"));
    if url.trim() != url || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("has spaces or control characters in it: write the address alone");
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return bad("must start with `https://` or `http://`");
    };
    if url.contains('?') || url.contains('#') {
        return bad(
            "may not have a query (`?`) or a fragment (`#`): write the site's address only",
        );
    }
    let authority = rest.split('/').next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(inner) = authority.strip_prefix('[') {
        let Some((addr, after)) = inner.split_once(']') else {
            return bad("opens an IPv6 address with `[` that no `]` closes");
        };
        if addr.is_empty() || addr.contains('[') || !(after.is_empty() || after.starts_with(':')) {
            return bad("has a malformed IPv6 address: write it as `http://[::1]:8080/`");
        }
        if let Some(port) = after.strip_prefix(':') {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return bad("has a port that is not a number");
            }
        }
        addr
    } else {
        if authority.contains('[') || authority.contains(']') {
            return bad("has a `[` or `]` outside an IPv6 address");
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        if let Some(port) = port {
            if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
                return bad("has a port that is not a number");
            }
        }
        host
    };
    if host.is_empty() {
        return bad("has no host: write the full address, such as `https://example.org/`");
    }
    Ok(())
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
        for bad in [
            " https://e.org",
            "https://e.org ",
            "https://e.org/?x=1",
            "https://e.org/#top",
            "https:///archive",
            "https://",
            "http://[::1",
            "http://[::1]x/",
            "http://e.org:80x/",
            "/archive/",
        ] {
            let e = Config::parse(&format!("title = \"x\"\n\nbase_url = \"{bad}\"\n")).unwrap_err();
            assert_eq!(e.line, 3, "{bad}: {e:?}");
            assert!(e.message.starts_with("`base_url`"), "{}", e.message);
        }
        for good in [
            "https://e.org",
            "http://[::1]:8080/",
            "https://e.org:8443/archive/",
            "https://أرشيف.example/",
        ] {
            assert!(
                Config::parse(&format!("title = \"x\"\nbase_url = \"{good}\"\n")).is_ok(),
                "{good}"
            );
        }
        let c = Config::parse("title = \"x\"\nbase_url = \"https://e.org/أرشيف/\"\n").unwrap();
        assert_eq!(c.base_path(), "/أرشيف");
        assert_eq!(
            c.absolute("/وسم/"),
            "https://e.org/%D8%A3%D8%B1%D8%B4%D9%8A%D9%81/%D9%88%D8%B3%D9%85/"
        );
        assert!(Config::parse("title = \"x\"\ndigits = \"roman\"\n").is_err());
    }
}

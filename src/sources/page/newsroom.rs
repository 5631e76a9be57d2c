//! Front matter → a page's newsroom facts: its authors, its terms in the site's own
//! taxonomies, its series, old addresses, schedule and translation, each checked at its
//! field's line.

use super::terms::term_of;
use crate::basics::config::Config;
use crate::basics::error::Located;
use crate::sources::front_matter::{self, FrontMatter, Split};
use jiff::Timestamp;
use std::path::{Path, PathBuf};

/// What a page says of its place in the newsroom beyond its tags, topic and authors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct News {
    pub series: Option<SeriesRef>,
    /// Old addresses, as site paths (`/old/path/`, `/2019/02/05/123456.html`), decoded.
    pub aliases: Vec<String>,
    /// When the article appears; before it, it is in no page, feed, sitemap or index.
    pub publish_at: Option<Timestamp>,
    /// When it leaves the site.
    pub expires: Option<Timestamp>,
    pub translation: Option<Translation>,
    /// The file lines of the fields the site checks against other files.
    pub lines: Lines,
    /// A profile's links (`links` in an author's profile): name, address.
    pub links: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRef {
    pub name: String,
    pub key: String,
    pub part: Option<u32>,
}

/// How an article names its other versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translation {
    /// `translation_key`: every version says the same key.
    Key(String),
    /// `translation_of`: the original's file, under `content/`.
    Of(PathBuf),
}

/// File lines of fields, for messages made once every page is known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lines {
    pub series: usize,
    pub series_part: usize,
    pub aliases: usize,
    pub translation: usize,
    pub publish_at: usize,
}

/// The page's authors (`author`, then `authors`, or the site's default), cleaned and
/// keyed; spellings of one person are kept once.
pub(super) fn authors(fm: &FrontMatter, config: &Config) -> Vec<(String, String)> {
    let written: Vec<&String> = fm.author.iter().chain(&fm.authors).collect();
    let names = if written.is_empty() {
        config.default_author.iter().collect()
    } else {
        written
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for name in names {
        if let Some((spelling, key)) = term_of(name) {
            if !out.iter().any(|(_, k)| *k == key) {
                out.push((spelling, key));
            }
        }
    }
    out
}

/// The page's terms in each of the site's own taxonomies (in `config`'s order), and an
/// error for any other field the page has that nobody knows.
pub(super) fn custom_terms(
    split: &Split<'_>,
    fm: &FrontMatter,
    config: &Config,
) -> Result<Vec<Vec<(String, String)>>, Located> {
    let custom = config.taxonomies.custom();
    let names: Vec<&str> = custom.iter().map(|(n, _)| n.as_str()).collect();
    if let Some(field) = fm.others.keys().find(|k| !names.contains(&k.as_str())) {
        return Err(front_matter::unknown_field(split, field, &names));
    }
    let mut all = Vec::with_capacity(custom.len());
    for (name, _) in custom {
        let mut terms = Vec::new();
        match fm.others.get(name) {
            None => {}
            Some(yaml_serde::Value::String(s)) => terms.extend(term_of(s)),
            Some(yaml_serde::Value::Sequence(items)) => {
                for item in items {
                    match item.as_str() {
                        Some(s) => terms.extend(term_of(s)),
                        None => return Err(list_error(split, name)),
                    }
                }
            }
            Some(_) => return Err(list_error(split, name)),
        }
        all.push(terms);
    }
    Ok(all)
}

fn list_error(split: &Split<'_>, name: &str) -> Located {
    Located::at(
        front_matter::key_line(split, name),
        1,
        format!("`{name}` must be a list of names, for example `{name}: [مصر, السودان]`"),
    )
}

/// The newsroom fields of a page, checked.
pub(super) fn news(split: &Split<'_>, fm: &FrontMatter, config: &Config) -> Result<News, Located> {
    let line = |field: &str| front_matter::key_line(split, field);
    let series = match &fm.series {
        Some(name) => {
            let Some((name, key)) = term_of(name).filter(|(_, k)| !k.is_empty()) else {
                return Err(Located::at(
                    line("series"),
                    1,
                    format!("`series` `{name}` has no letters or digits to make a URL from"),
                ));
            };
            Some(SeriesRef {
                name,
                key,
                part: fm.series_part,
            })
        }
        None if fm.series_part.is_some() => {
            return Err(Located::at(
                line("series_part"),
                1,
                "`series_part` without `series`: name the series the article is part of",
            ))
        }
        None => None,
    };
    if fm.series_part == Some(0) {
        return Err(Located::at(
            line("series_part"),
            1,
            "`series_part` counts from 1",
        ));
    }
    let mut aliases = Vec::with_capacity(fm.aliases.len());
    for alias in &fm.aliases {
        let path = alias_path(alias).map_err(|m| Located::at(line("aliases"), 1, m))?;
        aliases.push(path);
    }
    let zone = config.timezone.as_deref();
    let instant = |field: &str, text: &Option<String>| -> Result<Option<Timestamp>, Located> {
        text.as_deref()
            .map(|t| {
                parse_instant(t, zone)
                    .map_err(|m| Located::at(line(field), 1, format!("`{field}` {m}")))
            })
            .transpose()
    };
    let publish_at = instant("publish_at", &fm.publish_at)?;
    let expires = instant("expires", &fm.expires)?;
    if let (Some(p), Some(e)) = (publish_at, expires) {
        if e <= p {
            return Err(Located::at(
                line("expires"),
                1,
                "`expires` is not after `publish_at`: the article would never be shown",
            ));
        }
    }
    let translation = match (&fm.translation_key, &fm.translation_of) {
        (Some(_), Some(_)) => {
            return Err(Located::at(
                line("translation_of"),
                1,
                "`translation_key` and `translation_of` both set: keep one",
            ))
        }
        (Some(key), None) => {
            let key = key.trim();
            if key.is_empty() {
                return Err(Located::at(
                    line("translation_key"),
                    1,
                    "`translation_key` is empty",
                ));
            }
            Some(Translation::Key(key.to_owned()))
        }
        (None, Some(of)) => Some(Translation::Of(PathBuf::from(of.trim()))),
        (None, None) => None,
    };
    Ok(News {
        series,
        aliases,
        publish_at,
        expires,
        translation,
        // Found only for the fields written: each search reads the whole block.
        lines: Lines {
            series: fm.series.as_ref().map_or(0, |_| line("series")),
            series_part: fm.series_part.map_or(0, |_| line("series_part")),
            aliases: if fm.aliases.is_empty() {
                0
            } else {
                line("aliases")
            },
            translation: match (&fm.translation_of, &fm.translation_key) {
                (Some(_), _) => line("translation_of"),
                (None, Some(_)) => line("translation_key"),
                (None, None) => 0,
            },
            publish_at: fm.publish_at.as_ref().map_or(0, |_| line("publish_at")),
        },
        links: Vec::new(),
    })
}

/// An old address as a site path: `/` first, percent-escapes decoded, no `.` or `..`
/// segment, no `?`, `#`, `\` or control character: it is written as a file under the
/// output folder, so it must stay inside it. The message follows the value.
pub fn alias_path(alias: &str) -> Result<String, String> {
    let bad = |why: &str| Err(format!("alias `{alias}` {why}"));
    let decoded = percent_encoding::percent_decode_str(alias.trim())
        .decode_utf8()
        .map_err(|_| format!("alias `{alias}` has percent-escapes that are not UTF-8"))?;
    let path = decoded.as_ref();
    if !path.starts_with('/') || path.starts_with("//") {
        return bad("must be a path on this site starting with `/`, such as `/2019/02/old-title/`");
    }
    if path
        .chars()
        .any(|c| c.is_control() || matches!(c, '?' | '#' | '\\' | '"' | '<' | '>'))
    {
        return bad("may not hold `?`, `#`, `\\`, quotes, angle brackets or control characters");
    }
    if path.split('/').any(|s| s == "." || s == "..") {
        return bad("may not hold `.` or `..` segments: it must stay inside the site");
    }
    if path.split('/').any(|s| s.starts_with('.') && !s.is_empty()) {
        return bad("may not name a hidden file or folder (a segment starting with `.`)");
    }
    if path.contains("//") {
        return bad("has an empty segment (`//`)");
    }
    if path == "/" {
        return bad("is the home page");
    }
    let last = path.rsplit('/').next().unwrap_or("");
    if last.eq_ignore_ascii_case("index.html") || last.eq_ignore_ascii_case("index.htm") {
        return bad("names a folder's index: write the folder, `/old/` for `/old/index.html`");
    }
    // `/old` and `/old/` are one address on static hosts: a folder with its index. A
    // name with an extension (`/old.html`, `/news.php`) is kept as written.
    let path = if path.ends_with('/') || last.contains('.') {
        path.to_owned()
    } else {
        format!("{path}/")
    };
    Ok(path)
}

/// Whether an old address gets a redirect page of its own (a folder, or a `.html` or
/// `.htm` file): others (`/news.php`) are in `_redirects` only, since a static host
/// would serve a page under their names as something other than HTML.
pub fn alias_has_page(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    path.ends_with('/') || last.ends_with(".html") || last.ends_with(".htm")
}

/// A moment written as RFC 3339 (`2026-12-08T06:00:00+02:00`), with a zone
/// (`2026-12-08T06:00[Africa/Cairo]`), or as a date and time (`2026-12-08 06:00`, or a
/// date alone: midnight) in `zone`. The message follows the field's name.
pub fn parse_instant(text: &str, zone: Option<&str>) -> Result<Timestamp, String> {
    let t = text.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(zoned) = t.parse::<jiff::Zoned>() {
        return Ok(zoned.timestamp());
    }
    let civil = t
        .parse::<jiff::civil::DateTime>()
        .or_else(|_| t.parse::<jiff::civil::Date>().map(|d| d.to_datetime(jiff::civil::Time::midnight())))
        .map_err(|_| {
            format!("`{t}` is not a date and time: write it as `2026-12-08 06:00` (in the site's `timezone`) or `2026-12-08T06:00:00+02:00`")
        })?;
    let Some(zone) = zone else {
        return Err(format!(
            "`{t}` names no time zone: write its offset (`{}+02:00`) or set `timezone = \"Africa/Cairo\"` in site.toml",
            civil.strftime("%Y-%m-%dT%H:%M:%S")
        ));
    };
    let tz = jiff::tz::TimeZone::get(zone).map_err(|e| format!("time zone `{zone}`: {e}"))?;
    civil
        .to_zoned(tz)
        .map(|z| z.timestamp())
        .map_err(|e| format!("`{t}` in `{zone}`: {e}"))
}

/// The file `translation_of` names: under `content/` (`articles/2019/x.md`), or beside
/// the page (`x.md`, `../2020/x.md`) when that is where it is.
pub fn translation_target(of: &Path, page_rel: &Path, exists: impl Fn(&Path) -> bool) -> PathBuf {
    let beside = page_rel.parent().unwrap_or(Path::new("")).join(of);
    let beside = normalize(&beside);
    if exists(&beside) {
        beside
    } else {
        normalize(of)
    }
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::Normal(p) => out.push(p),
            _ => {}
        }
    }
    out
}

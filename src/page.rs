//! One source file → [`Page`]: front matter checked, Markdown rendered, URL decided.

use crate::config::Config;
use crate::error::{Diagnostic, Located};
use crate::front_matter::{self, SourceRef};
use crate::markdown::{self, MarkdownOptions, TocEntry};
use crate::search_index::{Document, Vocabulary};
use crate::slug::{slugify, strip_invisible, term_key};
use jiff::civil::Date;
use std::path::{Path, PathBuf};

/// Where a page appears: articles are listed, dated and classified; standalone pages
/// (`content/about.md`) only get their own URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Article,
    Standalone,
}

#[derive(Debug, Clone)]
pub struct Page {
    /// The file, as shown in messages.
    pub path: PathBuf,
    pub kind: Kind,
    pub title: String,
    pub subtitle: Option<String>,
    pub author: Option<String>,
    pub topic: Option<String>,
    pub tags: Vec<String>,
    pub date: Date,
    /// The date as written (kept for RFC 3339 timestamps in feeds).
    pub date_written: String,
    pub updated: Option<Date>,
    pub draft: bool,
    pub lang: String,
    pub slug: String,
    /// Site path, `/articles/<slug>/`.
    pub url: String,
    /// `summary` from the front matter (plain text), if set.
    pub summary_text: Option<String>,
    pub summary_html: String,
    /// The summary as plain text: the `summary` field, else the rendered summary's text.
    pub summary_plain: String,
    pub content_html: String,
    pub toc: Vec<TocEntry>,
    pub words: usize,
    pub reading_minutes: usize,
    pub source: Option<SourceRef>,
    pub extra: serde_json::Value,
    /// Hash of the source file's path and text: equal versions render equally.
    pub version: u64,
    /// Identity keys of `tags`, `topic` and `author`, computed once.
    pub tag_keys: Vec<String>,
    pub topic_key: Option<String>,
    pub author_key: Option<String>,
    /// The article's search words and text, when it was parsed for a site with search.
    pub search: Option<Document>,
}

/// Reads and parses one file. `rel` is its path under `content/`. With a vocabulary, an
/// article also gets its search document ([`Page::search`]).
pub fn load(
    path: &Path,
    rel: &Path,
    config: &Config,
    vocabulary: Option<&Vocabulary>,
) -> Result<Page, Diagnostic> {
    let text = crate::content::load(path)?;
    parse_with(&text, rel, config, vocabulary)
        .map_err(|e| e.in_file(path))
        .map(|mut p| {
            p.path = path.to_path_buf();
            p
        })
}

/// Parses a page from text. `rel` (its path under `content/`) decides its kind and
/// default slug.
pub fn parse(text: &str, rel: &Path, config: &Config) -> Result<Page, Located> {
    parse_with(text, rel, config, None)
}

/// [`parse`], also preparing an article's search document when given a vocabulary and
/// the site has search: its text is at hand only now.
pub fn parse_with(
    text: &str,
    rel: &Path,
    config: &Config,
    vocabulary: Option<&Vocabulary>,
) -> Result<Page, Located> {
    if text.trim().is_empty() {
        return Err(Located::at(
            1,
            1,
            "file is empty: an article needs front matter with `title` and `date`",
        ));
    }
    let split = front_matter::split(text)?;
    let fm = front_matter::parse(&split)?;
    // parse() has validated both dates.
    let date = front_matter::parse_date(&fm.date).map_err(|m| Located::at(1, 1, m))?;
    let updated = match &fm.updated {
        Some(u) => Some(front_matter::parse_date(u).map_err(|m| Located::at(1, 1, m))?),
        None => None,
    };
    let kind = if rel.starts_with("articles") {
        Kind::Article
    } else {
        Kind::Standalone
    };
    let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let slug = slugify(fm.slug.as_deref().unwrap_or(stem));
    if slug.is_empty() {
        return Err(Located::at(
            1,
            1,
            format!(
                "cannot make a URL from the file name `{stem}`: set `slug` in the front matter"
            ),
        ));
    }
    let url = match kind {
        Kind::Article => format!("/articles/{slug}/"),
        Kind::Standalone => standalone_url(rel, &slug),
    };
    let lang = fm.lang.clone().unwrap_or_else(|| config.language.clone());
    let rendered = markdown::render(
        split.body,
        MarkdownOptions {
            unsafe_html: config.unsafe_html,
        },
    );
    let wpm = config.words_per_minute(&lang) as usize;
    let reading_minutes = rendered.words.div_ceil(wpm).max(1);
    let extra = serde_json::to_value(&fm.extra).map_err(|e| {
        Located::at(
            front_matter::key_line(&split, "extra"),
            1,
            format!("`extra`: {e}"),
        )
    })?;
    let clean = |s: &String| strip_invisible(s.trim());
    let author = fm
        .author
        .as_ref()
        .or(config.default_author.as_ref())
        .map(clean);
    let author = author.filter(|s| !s.is_empty());
    let topic = fm.topic.as_ref().map(clean).filter(|s| !s.is_empty());
    let tags: Vec<String> = fm
        .tags
        .iter()
        .map(clean)
        .filter(|s| !s.is_empty())
        .collect();
    let title = clean(&fm.title);
    let subtitle = fm.subtitle.as_ref().map(clean).filter(|s| !s.is_empty());
    let search = match vocabulary {
        Some(v) if config.search && kind == Kind::Article => Some(Document::new(
            &url,
            &title,
            subtitle.as_deref(),
            &rendered.plain,
            v,
        )),
        _ => None,
    };
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(rel.to_string_lossy().as_bytes());
    hasher.update(&[0]);
    hasher.update(text.as_bytes());
    Ok(Page {
        path: PathBuf::new(),
        kind,
        title,
        subtitle,
        tag_keys: tags.iter().map(|t| term_key(t)).collect(),
        topic_key: topic.as_deref().map(term_key),
        author_key: author.as_deref().map(term_key),
        version: hasher.digest(),
        author,
        topic,
        tags,
        date,
        date_written: fm.date.trim().to_owned(),
        updated,
        draft: fm.draft,
        lang,
        slug,
        url,
        summary_plain: fm
            .summary
            .as_ref()
            .map(clean)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| rendered.summary_plain.clone()),
        summary_text: fm.summary.as_ref().map(clean).filter(|s| !s.is_empty()),
        summary_html: rendered.summary_html,
        content_html: rendered.html,
        toc: rendered.toc,
        words: rendered.words,
        reading_minutes,
        source: fm.source,
        extra,
        search,
    })
}

/// `about.md` → `/about/`, `guides/style.md` → `/guides/style/`: every folder name is
/// slugged too, so no path segment can be `..` or hold a separator.
fn standalone_url(rel: &Path, slug: &str) -> String {
    let mut url = String::from("/");
    if let Some(parent) = rel.parent() {
        for part in parent.iter() {
            let s = slugify(&part.to_string_lossy());
            if !s.is_empty() {
                url.push_str(&s);
                url.push('/');
            }
        }
    }
    url.push_str(slug);
    url.push('/');
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::parse("title = \"t\"\n").unwrap()
    }

    #[test]
    fn article_url_from_file_name() {
        let p = parse(
            "---\ntitle: عنوان\ndate: 2019-02-05\n---\nنص\n",
            Path::new("articles/2019/مقال-أول.md"),
            &config(),
        )
        .unwrap();
        assert_eq!(p.url, "/articles/مقال-أول/");
        assert_eq!(p.kind, Kind::Article);
        assert_eq!(p.lang, "ar");
    }

    #[test]
    fn slug_field_wins_and_is_sanitised() {
        let p = parse(
            "---\ntitle: x\ndate: 2019-02-05\nslug: ../../etc/passwd\n---\n",
            Path::new("articles/a.md"),
            &config(),
        )
        .unwrap();
        assert_eq!(p.url, "/articles/etc-passwd/");
    }

    #[test]
    fn standalone_pages() {
        let p = parse(
            "---\ntitle: x\ndate: 2019-02-05\n---\n",
            Path::new("عن/الموقع.md"),
            &config(),
        )
        .unwrap();
        assert_eq!(p.kind, Kind::Standalone);
        assert_eq!(p.url, "/عن/الموقع/");
    }

    #[test]
    fn reading_time_uses_language_rate() {
        let body = "كلمة ".repeat(276);
        let p = parse(
            &format!("---\ntitle: x\ndate: 2019-02-05\n---\n{body}"),
            Path::new("articles/a.md"),
            &config(),
        )
        .unwrap();
        assert_eq!(p.words, 276);
        assert_eq!(p.reading_minutes, 2);
    }

    #[test]
    fn body_errors_keep_file_lines() {
        let e = parse("", Path::new("articles/a.md"), &config()).unwrap_err();
        assert!(e.message.contains("empty"));
        let e = parse(
            "---\ntitle: x\ndate: 2019-13-01\n---\n",
            Path::new("articles/a.md"),
            &config(),
        )
        .unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn bidi_controls_leave_titles() {
        let p = parse("---\ntitle: \"عنوان\u{202E}مقلوب\"\ndate: 2019-02-05\ntags: [\"س\u{200B}ياسة\"]\n---\n", Path::new("articles/a.md"), &config()).unwrap();
        assert_eq!(p.title, "عنوانمقلوب");
        assert_eq!(p.tags, vec!["سياسة"]);
    }
}

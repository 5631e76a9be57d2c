//! Domain model → template views: typed structs that borrow from the [`Site`] and
//! hold the text already localized (dates, digits, reading time), so templates only
//! place values.

use crate::config::{direction, Config};
use crate::front_matter::SourceRef;
use crate::i18n::{self, Localizer};
use crate::markdown::TocEntry;
use crate::page::Page;
use crate::site::{Pager, Site, TaxonomyKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// Interface strings of one language.
pub type Strings = BTreeMap<&'static str, String>;

/// A named link (a term, a neighbour, a navigation entry).
#[derive(Serialize)]
pub struct Link<'a> {
    pub name: &'a str,
    pub url: &'a str,
}

/// Site-wide values, in every template's global context as `site`.
#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub base_url: &'a str,
    pub language: &'a str,
    pub dir: &'static str,
    pub search: bool,
    pub taxonomies: Vec<TaxonomyLink>,
    pub feed_url: String,
    pub extra: &'a BTreeMap<String, toml::Value>,
    pub generator: &'static str,
}

#[derive(Serialize)]
pub struct TaxonomyLink {
    pub name: &'static str,
    pub url: String,
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a Site) -> Self {
        let c = &site.config;
        SiteView {
            title: &c.title,
            description: &c.description,
            base_url: &c.base_url,
            language: &c.language,
            dir: c.direction(),
            search: c.search,
            taxonomies: site
                .taxonomies
                .iter()
                .map(|t| TaxonomyLink {
                    name: t.kind.name(),
                    url: t.url(),
                })
                .collect(),
            feed_url: "/atom.xml".to_owned(),
            extra: &c.extra,
            generator: concat!("warraq ", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// An article as templates see it. `content` is set only on the article's own page
/// and in the full-text feed; lists get the summary.
#[derive(Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub url: &'a str,
    pub permalink: String,
    pub lang: &'a str,
    pub dir: &'static str,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// RFC 3339 (feeds, `<time datetime>`).
    pub date_rfc3339: String,
    pub date_display: String,
    pub hijri_display: String,
    pub updated: Option<String>,
    pub updated_rfc3339: Option<String>,
    pub updated_display: Option<String>,
    pub year: i16,
    pub year_url: String,
    pub author: Option<Link<'a>>,
    pub topic: Option<Link<'a>>,
    pub tags: Vec<Link<'a>>,
    /// HTML.
    /// HTML summary, when there is no `summary` text (else empty). Fields are never left
    /// out: a template may rely on each being there, empty or null.
    pub summary: &'a str,
    /// Plain text summary (the `summary` field, else none).
    pub description: Option<&'a str>,
    /// Plain text summary for meta tags (the `summary` field, else the first paragraph);
    /// on the page itself only.
    pub excerpt: Option<&'a str>,
    pub content: Option<&'a str>,
    /// On the page itself only.
    pub toc: Option<&'a [TocEntry]>,
    pub words: String,
    pub reading_time: String,
    pub source: Option<&'a SourceRef>,
    pub extra: &'a serde_json::Value,
    pub draft: bool,
}

pub struct ViewContext<'a> {
    pub site: &'a Site,
    pub loc: &'a Localizer,
    pub strings: &'a BTreeMap<String, Strings>,
}

impl<'a> ViewContext<'a> {
    pub fn strings(&self, lang: &str) -> &'a Strings {
        self.strings
            .get(lang)
            .or_else(|| self.strings.get(&self.site.config.language))
            .expect("strings exist for the site language")
    }

    fn term_link(&self, kind: TaxonomyKind, spelling: &'a str) -> Option<Link<'a>> {
        let tax = self.site.taxonomies.iter().find(|t| t.kind == kind);
        match tax.and_then(|t| t.term(spelling)) {
            Some(term) => Some(Link {
                name: &term.name,
                url: &term.url,
            }),
            None if tax.is_none() => Some(Link {
                name: spelling,
                url: "",
            }),
            None => None,
        }
    }

    /// An article's list entry: what lists and term feeds show (no body, no contents).
    /// Built once per article and shared by every list, so kept small.
    pub fn card(&self, page: &'a Page) -> PageView<'a> {
        self.view(page, None, false)
    }

    /// The article itself, with its body's HTML.
    pub fn page(&self, page: &'a Page, content: &'a str) -> PageView<'a> {
        self.view(page, Some(content), true)
    }

    fn view(&self, page: &'a Page, content: Option<&'a str>, full: bool) -> PageView<'a> {
        let lang = page.lang.as_str();
        let loc = self.loc;
        let t = self.strings(lang);
        let config: &Config = &self.site.config;
        let minutes = page.reading_minutes;
        let reading_time = i18n::counted(t, "reading_time", minutes as u64, lang, loc);
        PageView {
            title: &page.title,
            subtitle: page.subtitle.as_deref(),
            url: &page.url,
            permalink: config.absolute(&page.url),
            lang,
            dir: direction(lang),
            date: page.date.to_string(),
            date_rfc3339: rfc3339(&page.date_written, page.date),
            date_display: loc.date(page.date, lang),
            hijri_display: if config.hijri {
                loc.hijri(page.date, lang)
            } else {
                String::new()
            },
            updated: page.updated.map(|d| d.to_string()),
            updated_rfc3339: page.updated.map(|d| format!("{d}T00:00:00Z")),
            updated_display: page.updated.map(|d| loc.date(d, lang)),
            year: page.date.year(),
            year_url: format!("/years/{}/", page.date.year()),
            author: page
                .author
                .as_deref()
                .and_then(|a| self.term_link(TaxonomyKind::Authors, a)),
            topic: page
                .topic
                .as_deref()
                .and_then(|a| self.term_link(TaxonomyKind::Topics, a)),
            tags: page
                .tags
                .iter()
                .filter_map(|a| self.term_link(TaxonomyKind::Tags, a))
                .collect(),
            summary: &page.summary_html,
            description: page.summary_text.as_deref(),
            excerpt: full.then_some(page.summary_plain.as_str()),
            content,
            toc: full.then_some(page.toc.as_slice()),
            words: i18n::counted(t, "words", page.words as u64, lang, loc),
            reading_time,
            source: page.source.as_ref(),
            extra: &page.extra,
            draft: page.draft,
        }
    }

    pub fn pager(&self, p: &Pager) -> PagerView {
        let lang = &self.site.config.language;
        let t = self.strings(lang);
        PagerView {
            number: p.number,
            total: p.total,
            label: t["page_of"]
                .replace("{n}", &self.loc.number(p.number as u64, lang))
                .replace("{total}", &self.loc.number(p.total as u64, lang)),
            url: p.url.clone(),
            prev_url: p.prev_url.clone(),
            next_url: p.next_url.clone(),
        }
    }

    pub fn count(&self, n: usize) -> String {
        let lang = &self.site.config.language;
        i18n::counted(
            self.strings(lang),
            "count_articles",
            n as u64,
            lang,
            self.loc,
        )
    }
}

/// A timestamp for a date as written: RFC 3339 timestamps are kept, plain dates are
/// midnight UTC.
fn rfc3339(written: &str, date: jiff::civil::Date) -> String {
    if written.len() > 10 {
        written.to_owned()
    } else {
        format!("{date}T00:00:00Z")
    }
}

#[derive(Serialize)]
pub struct PagerView {
    pub number: usize,
    pub total: usize,
    /// "صفحة ٢ من ٥", in the site's digits.
    pub label: String,
    pub url: String,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

/// A term in an index of terms.
#[derive(Serialize)]
pub struct TermView<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub count: usize,
    pub count_display: String,
    pub feed_url: Option<String>,
}

/// The JSON-LD of an article, safe to place inside `<script>`: `<`, `>` and `&` are
/// written as `\u` escapes, so no title can close the script element.
pub fn json_ld(view: &PageView<'_>, site: &Site, words: usize) -> String {
    let mut value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "AnalysisNewsArticle",
        "headline": view.title,
        "alternativeHeadline": view.subtitle,
        "author": view.author.as_ref().map(|a| serde_json::json!({"@type": "Person", "name": a.name})),
        "datePublished": view.date_rfc3339,
        "dateModified": view.updated_rfc3339.as_deref().unwrap_or(&view.date_rfc3339),
        "inLanguage": view.lang,
        "url": view.permalink,
        "articleSection": view.topic.as_ref().map(|t| t.name),
        "keywords": view.tags.iter().map(|t| t.name).collect::<Vec<_>>(),
        "wordCount": words,
        "publisher": {"@type": "Organization", "name": site.config.title},
    });
    // Fields the article does not have are left out rather than written as `null`.
    if let Some(fields) = value.as_object_mut() {
        fields.retain(|_, v| !v.is_null());
    }
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

//! Domain model → template views: typed structs that borrow from the [`Site`] and
//! hold the text already localized (dates, digits, reading time), so templates only
//! place values.

use crate::basics::config::{direction, Config, PageNumbers};
use crate::build::site::{Pager, Site, Taxonomy, TaxonomyKind};
use crate::sources::front_matter::SourceRef;
use crate::sources::markdown::TocEntry;
use crate::sources::page::Page;
use crate::text::i18n::{self, Localizer};
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

/// A term's link in an article's view: its parts, and, when the renderer has made it
/// once for the whole site, that template value, which templates then share (a tag's
/// link is otherwise serialized again for every article and list entry naming it).
pub struct TermLink<'a> {
    pub link: Link<'a>,
    pub made: Option<&'a tera::Value>,
}

impl Serialize for TermLink<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.made {
            Some(value) => value.serialize(s),
            None => self.link.serialize(s),
        }
    }
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

/// A taxonomy as templates see it: its key, its labels in the site's words, its index.
#[derive(Serialize)]
pub struct TaxonomyLink {
    pub name: String,
    /// `t[name]` kept for templates written before labels: the built-in ones' key.
    pub singular: &'static str,
    pub label: String,
    pub singular_label: String,
    /// Whether `label` is the site's own (`site.toml`, or a taxonomy of its own), not
    /// the theme's word: a page in another language then shows the theme's word in it.
    pub own_label: bool,
    pub url: String,
    pub in_nav: bool,
}

/// The template value of taxonomy `tax`, labelled from `site.toml` or `strings`.
pub fn taxonomy_link(tax: &Taxonomy, strings: &Strings) -> TaxonomyLink {
    let word = |key: &str| strings.get(key).cloned();
    let builtin = !matches!(tax.kind, TaxonomyKind::Custom(_));
    let label = tax
        .label
        .clone()
        .or_else(|| builtin.then(|| word(&tax.name)).flatten())
        .unwrap_or_else(|| tax.name.clone());
    let singular_label = tax
        .singular
        .clone()
        .or_else(|| builtin.then(|| word(tax.kind.singular())).flatten())
        .unwrap_or_else(|| label.clone());
    TaxonomyLink {
        name: tax.name.clone(),
        singular: tax.kind.singular(),
        label,
        singular_label,
        own_label: !builtin || tax.label.is_some(),
        url: tax.url(),
        in_nav: tax.in_nav,
    }
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a Site, strings: &Strings) -> Self {
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
                .map(|t| taxonomy_link(t, strings))
                .collect(),
            feed_url: "/atom.xml".to_owned(),
            extra: &c.extra,
            generator: concat!("warraq ", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// An article as templates see it. `content` is set only on the article's own page
/// and in the full-text feed; lists get the summary. The [`Field`]s are left out when no
/// template of the site names them ([`Fields`]); a template may rely on every field it
/// names being there, empty or null.
#[derive(Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub subtitle: Field<Option<&'a str>>,
    pub url: &'a str,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub permalink: Field<String>,
    pub lang: &'a str,
    pub dir: &'static str,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// RFC 3339 (feeds, `<time datetime>`).
    #[serde(skip_serializing_if = "Field::is_left")]
    pub date_rfc3339: Field<String>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub date_display: Field<String>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub hijri_display: Field<String>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub updated: Field<Option<String>>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub updated_rfc3339: Field<Option<String>>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub updated_display: Field<Option<String>>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub year: Field<i16>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub year_url: Field<String>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub author: Field<Option<TermLink<'a>>>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub topic: Field<Option<TermLink<'a>>>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub tags: Field<Vec<TermLink<'a>>>,
    /// HTML summary, when there is no `summary` text (else empty).
    pub summary: &'a str,
    /// Plain text summary (the `summary` field, else none).
    #[serde(skip_serializing_if = "Field::is_left")]
    pub description: Field<Option<&'a str>>,
    /// Plain text summary for meta tags (the `summary` field, else the first paragraph);
    /// on the page itself only.
    #[serde(skip_serializing_if = "Field::is_left")]
    pub excerpt: Field<Option<&'a str>>,
    pub content: Option<&'a str>,
    /// On the page itself only.
    #[serde(skip_serializing_if = "Field::is_left")]
    pub toc: Field<Option<&'a [TocEntry]>>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub words: Field<String>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub reading_time: Field<String>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub source: Field<Option<&'a SourceRef>>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub extra: Field<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "Field::is_left")]
    pub draft: Field<bool>,
    /// The lead photo: on the page, fetched first; on a card, a thumbnail.
    #[serde(skip_serializing_if = "Field::is_left")]
    pub image: Field<Option<ImageView<'a>>>,
    /// The image social networks show for the page: its lead photo's card, else the
    /// site's default image.
    #[serde(skip_serializing_if = "Field::is_left")]
    pub social_image: Field<Option<SocialImage<'a>>>,
}

/// A field of a view that is computed and given to templates only when some template
/// of the site names it. Dates shown in words, reading times and the like take ICU
/// formatting, and every list entry holds them: a site whose templates never show them
/// does not pay for them (9% of a 10,000-article build with minimal templates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<T> {
    /// No template names it: not in the view.
    Left,
    Given(T),
}

impl<T> Field<T> {
    fn when(wanted: bool, value: impl FnOnce() -> T) -> Field<T> {
        if wanted {
            Field::Given(value())
        } else {
            Field::Left
        }
    }

    /// [`Field::when`] for a value the page may not know: left out then (a build counts
    /// words only when some template names `words`, `reading_time` or `json_ld`).
    fn when_known<K>(wanted: bool, known: Option<K>, value: impl FnOnce(K) -> T) -> Field<T> {
        match known {
            Some(k) if wanted => Field::Given(value(k)),
            _ => Field::Left,
        }
    }

    pub fn is_left(&self) -> bool {
        matches!(self, Field::Left)
    }

    pub fn given(&self) -> Option<&T> {
        match self {
            Field::Left => None,
            Field::Given(v) => Some(v),
        }
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Left => s.serialize_none(),
            Field::Given(v) => v.serialize(s),
        }
    }
}

/// Which [`Field`]s of [`PageView`] the site's templates name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields {
    subtitle: bool,
    permalink: bool,
    date_rfc3339: bool,
    date_display: bool,
    hijri_display: bool,
    updated: bool,
    updated_rfc3339: bool,
    updated_display: bool,
    year: bool,
    year_url: bool,
    author: bool,
    topic: bool,
    tags: bool,
    description: bool,
    excerpt: bool,
    toc: bool,
    words: bool,
    reading_time: bool,
    source: bool,
    extra: bool,
    draft: bool,
    image: bool,
    social_image: bool,
}

impl Fields {
    /// Every field.
    pub fn all() -> Fields {
        Fields::named(|_| true, false)
    }

    /// Whether any field made from the word count is given (`words`, `reading_time`).
    pub fn counts_words(&self) -> bool {
        self.words || self.reading_time
    }

    /// The fields whose names `named` finds in the templates, and those the article's
    /// JSON-LD is made from when `json_ld`.
    pub fn named(named: impl Fn(&str) -> bool, json_ld: bool) -> Fields {
        let ld = |name: &str| json_ld || named(name);
        Fields {
            subtitle: ld("subtitle"),
            permalink: ld("permalink"),
            date_rfc3339: ld("date_rfc3339"),
            date_display: named("date_display"),
            hijri_display: named("hijri_display"),
            updated: named("updated"),
            updated_rfc3339: ld("updated_rfc3339"),
            updated_display: named("updated_display"),
            year: named("year"),
            year_url: named("year_url"),
            author: ld("author"),
            topic: ld("topic"),
            tags: ld("tags"),
            description: named("description"),
            excerpt: named("excerpt"),
            toc: named("toc"),
            words: named("words"),
            reading_time: named("reading_time"),
            source: named("source"),
            extra: named("extra"),
            draft: named("draft"),
            image: named("image"),
            social_image: ld("social_image"),
        }
    }
}

mod photos;
pub use photos::{profile_image, ImageView, SocialImage};

pub struct ViewContext<'a> {
    pub site: &'a Site,
    pub loc: &'a Localizer,
    pub strings: &'a BTreeMap<String, Strings>,
    pub fields: Fields,
    /// The template value of each term's link, by taxonomy and term index (see
    /// [`term_links`]); empty when there are none.
    pub term_links: &'a [Vec<tera::Value>],
}

/// The template value of every term's link, by taxonomy and term index.
pub fn term_links(site: &Site) -> Vec<Vec<tera::Value>> {
    site.taxonomies
        .iter()
        .map(|tax| {
            tax.terms
                .iter()
                .map(|t| {
                    tera::Value::from_serializable(&Link {
                        name: &t.name,
                        url: &t.url,
                    })
                })
                .collect()
        })
        .collect()
}

impl<'a> ViewContext<'a> {
    pub fn strings(&self, lang: &str) -> &'a Strings {
        self.strings
            .get(lang)
            .or_else(|| self.strings.get(&self.site.config.language))
            .expect("strings exist for the site language")
    }

    fn term_link(&self, kind: TaxonomyKind, spelling: &'a str) -> Option<TermLink<'a>> {
        let Some(ti) = self.site.taxonomies.iter().position(|t| t.kind == kind) else {
            return Some(TermLink {
                link: Link {
                    name: spelling,
                    url: "",
                },
                made: None,
            });
        };
        let tax = &self.site.taxonomies[ti];
        let i = tax.term_index(spelling)?;
        let term = &tax.terms[i];
        Some(TermLink {
            link: Link {
                name: &term.name,
                url: &term.url,
            },
            made: self.term_links.get(ti).and_then(|links| links.get(i)),
        })
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
        let config: &Config = &self.site.config;
        let f = self.fields;
        let counted =
            |key: &str, n: usize| i18n::counted(self.strings(lang), key, n as u64, lang, loc);
        PageView {
            title: &page.title,
            subtitle: Field::when(f.subtitle, || page.subtitle.as_deref()),
            url: &page.url,
            permalink: Field::when(f.permalink, || config.absolute(&page.url)),
            lang,
            dir: direction(lang),
            date: page.date.to_string(),
            date_rfc3339: Field::when(f.date_rfc3339, || rfc3339(&page.date_written, page.date)),
            date_display: Field::when(f.date_display, || loc.date(page.date, lang)),
            hijri_display: Field::when(f.hijri_display, || {
                if config.hijri {
                    loc.hijri(page.date, lang)
                } else {
                    String::new()
                }
            }),
            updated: Field::when(f.updated, || page.updated.map(|d| d.to_string())),
            updated_rfc3339: Field::when(f.updated_rfc3339, || {
                page.updated.map(|d| format!("{d}T00:00:00Z"))
            }),
            updated_display: Field::when(f.updated_display, || {
                page.updated.map(|d| loc.date(d, lang))
            }),
            year: Field::when(f.year, || page.date.year()),
            year_url: Field::when(f.year_url, || format!("/years/{}/", page.date.year())),
            author: Field::when(f.author, || {
                page.author
                    .as_deref()
                    .and_then(|a| self.term_link(TaxonomyKind::Authors, a))
            }),
            topic: Field::when(f.topic, || {
                page.topic
                    .as_deref()
                    .and_then(|a| self.term_link(TaxonomyKind::Topics, a))
            }),
            tags: Field::when(f.tags, || {
                page.tags
                    .iter()
                    .filter_map(|a| self.term_link(TaxonomyKind::Tags, a))
                    .collect()
            }),
            summary: &page.body.summary_html,
            description: Field::when(f.description, || page.summary_text.as_deref()),
            excerpt: Field::when(f.excerpt, || {
                full.then_some(page.body.summary_plain.as_str())
            }),
            content,
            toc: Field::when(f.toc, || full.then_some(page.body.toc.as_slice())),
            words: Field::when_known(f.words, page.body.words, |n| counted("words", n)),
            reading_time: Field::when_known(f.reading_time, page.body.reading_minutes, |n| {
                counted("reading_time", n)
            }),
            source: Field::when(f.source, || page.source.as_ref()),
            extra: Field::when(f.extra, || &page.extra),
            draft: Field::when(f.draft, || page.draft),
            image: Field::when(f.image, || photos::image_view(page, config, full)),
            social_image: Field::when(f.social_image, || self.social_image(page)),
        }
    }

    pub fn pager(&self, p: &Pager) -> PagerView {
        let lang = &self.site.config.language;
        let t = self.strings(lang);
        let label = match p.numbers {
            PageNumbers::FromNewest => {
                t["page_of"].replace("{total}", &self.loc.number(p.total as u64, lang))
            }
            // Numbered from the oldest, a page does not change as the list grows.
            PageNumbers::FromOldest => t["page_n"].clone(),
        };
        PagerView {
            number: p.number,
            total: p.total,
            first: p.first,
            label: label.replace("{n}", &self.loc.number(p.number as u64, lang)),
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
    /// The list's first page (its own URL).
    pub first: bool,
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
    /// The term's number of articles; not given to a term's later pages when pages are
    /// numbered from the oldest ([`crate::build::site::Pager::shows_count`]).
    pub count: Option<usize>,
    pub count_display: Option<String>,
    pub feed_url: Option<String>,
}

/// The JSON-LD of an article, safe to place inside `<script>`: `<`, `>` and `&` are
/// written as `\u` escapes, so no title can close the script element.
pub fn json_ld(view: &PageView<'_>, site: &Site, page: &Page, words: Option<usize>) -> String {
    let authors_tax = site
        .taxonomies
        .iter()
        .find(|t| t.kind == TaxonomyKind::Authors);
    let authors: Vec<serde_json::Value> = page
        .authors
        .iter()
        .map(|a| {
            let term = authors_tax.and_then(|t| t.term(a));
            let mut person = serde_json::json!({
                "@type": "Person",
                "name": term.map_or(a.as_str(), |t| t.name.as_str()),
            });
            if let Some(t) = term {
                person["url"] = site.config.absolute(&t.url).into();
            }
            person
        })
        .collect();
    let date = view.date_rfc3339.given();
    let mut value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "AnalysisNewsArticle",
        "headline": view.title,
        "alternativeHeadline": view.subtitle.given().copied().flatten(),
        "author": (!authors.is_empty()).then_some(authors),
        "datePublished": date,
        "dateModified": view.updated_rfc3339.given().and_then(Option::as_ref).or(date),
        "inLanguage": view.lang,
        "url": view.permalink.given(),
        "articleSection": view.topic.given().and_then(Option::as_ref).map(|t| t.link.name),
        "keywords": view.tags.given().map(|tags| tags.iter().map(|t| t.link.name).collect::<Vec<_>>()),
        "wordCount": words,
        "image": view.social_image.given().and_then(Option::as_ref).map(|i| serde_json::json!({"@type": "ImageObject", "url": i.url, "width": i.width, "height": i.height})),
        "mainEntityOfPage": view.permalink.given().map(|u| serde_json::json!({"@type": "WebPage", "@id": u})),
        "publisher": {"@type": "Organization", "name": site.config.title, "url": site.config.absolute("/")},
    });
    // Fields the article does not have are left out rather than written as `null`.
    if let Some(fields) = value.as_object_mut() {
        fields.retain(|_, v| !v.is_null());
    }
    if let Some(logo) = photos::logo(site) {
        value["publisher"]["logo"] = logo;
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

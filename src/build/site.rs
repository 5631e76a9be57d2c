//! Pages → [`Site`]: drafts dropped, articles sorted newest first, taxonomies and year
//! archives grouped, and every URL checked to have exactly one owner.

use crate::basics::config::{Config, TaxonomySettings};
use crate::basics::error::Diagnostic;
use crate::sources::page::{Kind, Page};
use crate::text::slug::term_key;
use hashbrown::HashMap;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Site {
    pub config: Config,
    /// Articles, newest first.
    pub articles: Vec<Arc<Page>>,
    pub standalone: Vec<Arc<Page>>,
    pub taxonomies: Vec<Taxonomy>,
    /// Years, newest first.
    pub years: Vec<Year>,
    /// URL of every source file, for links written as paths to `.md` files (bodies are
    /// rendered again when their pages are written).
    pub targets: Arc<crate::sources::links::Targets>,
    /// The social image of pages without a photo (`default_image` under `[photos]`).
    pub default_image: Option<Arc<crate::photos::Photo>>,
    /// The site's logo (`logo` in site.toml).
    pub logo: Option<Arc<crate::photos::Photo>>,
    /// The site's photos, for the templates' `photo()` function.
    pub photos: Option<Arc<crate::photos::Photos>>,
    /// Authors' profiles (`content/authors/`), by the identity key of their names.
    pub profiles: Vec<Arc<Page>>,
    pub profile_of: HashMap<String, usize>,
    /// Series, and each article's series and place in it.
    pub series: Vec<Series>,
    pub series_of: Vec<Option<(usize, usize)>>,
    /// Versions of one analysis in several languages, and each article's group.
    pub translations: Vec<Vec<usize>>,
    pub translation_of: Vec<Option<usize>>,
    /// The articles the home page, its feed, the term and the year pages list: those
    /// in the site's language, and those in another that no version in it stands for.
    pub home: Vec<usize>,
    /// The list of each other language's articles (`/en/`).
    pub languages: Vec<Language>,
    /// Each article's related articles.
    pub related: Vec<Vec<usize>>,
    /// Old addresses redirected to pages.
    pub aliases: Vec<Alias>,
    /// When scheduled articles next appear or leave.
    pub next_change: Option<NextChange>,
}

/// Which front matter field a taxonomy groups by: one of the three every site has,
/// or the site's own (its index among `site.toml`'s [`Taxonomies::custom`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaxonomyKind {
    Tags,
    Topics,
    Authors,
    Custom(usize),
}

impl TaxonomyKind {
    /// Every taxonomy `config` declares, in its order.
    pub fn all(config: &Config) -> Vec<TaxonomyKind> {
        let mut all = vec![
            TaxonomyKind::Tags,
            TaxonomyKind::Topics,
            TaxonomyKind::Authors,
        ];
        all.extend((0..config.taxonomies.custom().len()).map(TaxonomyKind::Custom));
        all
    }

    /// The taxonomy's key in `site.toml` (and its front matter field).
    pub fn name(self, config: &Config) -> &str {
        match self {
            TaxonomyKind::Tags => "tags",
            TaxonomyKind::Topics => "topics",
            TaxonomyKind::Authors => "authors",
            TaxonomyKind::Custom(i) => &config.taxonomies.custom()[i].0,
        }
    }

    /// The singular name of a built-in taxonomy (translation key of one term's label).
    pub fn singular(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "tag",
            TaxonomyKind::Topics => "topic",
            TaxonomyKind::Authors => "author",
            TaxonomyKind::Custom(_) => "term",
        }
    }

    /// The terms a page holds in this taxonomy, as written. (Slices, not new vectors:
    /// this runs for every article each time the dev server applies an edit.)
    pub fn terms_of(self, page: &Page) -> &[String] {
        match self {
            TaxonomyKind::Tags => &page.tags,
            TaxonomyKind::Topics => page.topic.as_slice(),
            TaxonomyKind::Authors => &page.authors,
            TaxonomyKind::Custom(i) => page.custom.get(i).map_or(&[], Vec::as_slice),
        }
    }

    /// The identity keys of `terms_of`, in the same order.
    pub fn keys_of(self, page: &Page) -> &[String] {
        match self {
            TaxonomyKind::Tags => &page.keys.tags,
            TaxonomyKind::Topics => page.keys.topic.as_slice(),
            TaxonomyKind::Authors => &page.keys.authors,
            TaxonomyKind::Custom(i) => page.keys.custom.get(i).map_or(&[], Vec::as_slice),
        }
    }

    pub fn settings(self, config: &Config) -> &TaxonomySettings {
        let name = self.name(config);
        config
            .taxonomies
            .get(name)
            .expect("every kind is one of the config's taxonomies")
    }

    /// Whether a site with `config` builds this taxonomy.
    fn is_built(self, config: &Config) -> bool {
        self.settings(config).enabled
    }
}

/// Whether some taxonomy the site builds has term feeds ([`Taxonomy::feed`]).
pub fn has_term_feeds(config: &Config) -> bool {
    TaxonomyKind::all(config)
        .iter()
        .any(|k| k.is_built(config) && k.settings(config).feed)
}

pub struct Taxonomy {
    pub kind: TaxonomyKind,
    /// Its key in `site.toml`.
    pub name: String,
    /// Its URL segment (`tags`, `الدول`).
    pub segment: String,
    /// Its label and one term's, when `site.toml` sets them.
    pub label: Option<String>,
    pub singular: Option<String>,
    pub on_articles: bool,
    pub in_nav: bool,
    pub paginate_by: usize,
    pub feed: bool,
    /// Terms, most articles first, then by name.
    pub terms: Vec<Term>,
    /// Every spelling seen, and the identity key of any other, to its term.
    by_spelling: HashMap<String, usize>,
    by_key: HashMap<String, usize>,
}

impl Taxonomy {
    pub fn url(&self) -> String {
        format!("/{}/", self.segment)
    }

    /// The term a spelling belongs to.
    pub fn term(&self, spelling: &str) -> Option<&Term> {
        self.term_index(spelling).map(|i| &self.terms[i])
    }

    /// The index in `terms` of the term a spelling belongs to.
    pub fn term_index(&self, spelling: &str) -> Option<usize> {
        // Spellings the articles use are found without computing a key: this runs for
        // every tag of every page rendered.
        match self.by_spelling.get(spelling) {
            Some(&i) => Some(i),
            None => self.by_key.get(&term_key(spelling)).copied(),
        }
    }
}

pub struct Term {
    /// The most common spelling among the articles.
    pub name: String,
    /// Every spelling that was merged into this term, with its count.
    pub spellings: BTreeMap<String, usize>,
    pub slug: String,
    pub url: String,
    /// Indices into `Site::articles`, newest first.
    pub pages: Vec<usize>,
}

pub struct Year {
    pub year: i16,
    pub url: String,
    pub pages: Vec<usize>,
}

/// Options that change what is assembled.
#[derive(Debug, Clone, Copy, Default)]
pub struct AssembleOptions {
    pub drafts: bool,
    /// Articles whose `publish_at` is still to come are in the site too.
    pub future: bool,
    /// The moment the site is built for (articles scheduled after it are left out,
    /// those expired before it too); now when unset.
    pub now: Option<jiff::Timestamp>,
}

/// The moment a build is for: `WARRAQ_NOW` (RFC 3339) when set, to build the site as
/// it will be at that time (tests, previews), else the clock's.
pub fn build_time() -> Result<jiff::Timestamp, String> {
    match std::env::var("WARRAQ_NOW") {
        Ok(t) => t
            .parse()
            .map_err(|e| format!("`WARRAQ_NOW` `{t}` is not an RFC 3339 moment: {e}")),
        Err(_) => Ok(jiff::Timestamp::now()),
    }
}

/// The site of `pages`: sorted, grouped in taxonomies and years, its URLs checked;
/// `targets` (every source's URL) rewrites links written as paths to `.md` files when
/// bodies are rendered. `build`, `serve` and `check` all assemble here.
pub fn assemble(
    config: Config,
    pages: Vec<Arc<Page>>,
    targets: Arc<crate::sources::links::Targets>,
    opts: AssembleOptions,
) -> Result<Site, Vec<Diagnostic>> {
    let now = opts.now.unwrap_or_else(jiff::Timestamp::now);
    let all_rels: hashbrown::HashSet<PathBuf> = pages.iter().map(|p| p.rel.clone()).collect();
    let next_change = newsroom::next_change(
        pages
            .iter()
            .filter(|p| opts.drafts || !p.draft)
            .map(|p| &**p),
        now,
        opts.future,
    );
    let (profiles, pages): (Vec<Arc<Page>>, Vec<Arc<Page>>) =
        pages.into_iter().partition(|p| p.kind == Kind::Profile);
    let (mut articles, standalone): (Vec<Arc<Page>>, Vec<Arc<Page>>) = pages
        .into_iter()
        .filter(|p| opts.drafts || !p.draft)
        .filter(|p| newsroom::is_out(p, now, opts.future))
        .partition(|p| p.kind == Kind::Article);
    articles.par_sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.url.cmp(&b.url))
    });
    let mut problems = Vec::new();
    let mut profile_of: HashMap<String, usize> = HashMap::new();
    for (i, p) in profiles.iter().enumerate() {
        match profile_of.get(&term_key(&p.title)) {
            Some(&other) => problems.push(Diagnostic::file(
                &p.path,
                format!(
                    "the profile of `{}` is also in `{}` (the same name, however spelled): keep one",
                    p.title,
                    profiles[other].path.display()
                ),
            )),
            None => {
                profile_of.insert(term_key(&p.title), i);
            }
        }
    }
    let (translations, translation_of) =
        newsroom::group_translations(&articles, &all_rels, &mut problems);
    let listed = newsroom::listed(&articles, &translations, &translation_of, &config.language);
    let home: Vec<usize> = (0..articles.len()).filter(|&i| listed[i]).collect();
    let (series, series_of) = newsroom::group_series(&articles, &mut problems);
    let languages = newsroom::languages(&articles, &config.language);
    // The taxonomies are grouped in parallel: each walks every article.
    let grouped: Vec<(Taxonomy, Vec<Diagnostic>)> = TaxonomyKind::all(&config)
        .par_iter()
        .filter(|k| k.is_built(&config))
        .map(|&k| {
            let mut problems = Vec::new();
            let named = Named {
                profiles: (k == TaxonomyKind::Authors).then_some((&profiles, &profile_of)),
            };
            let taxonomy = group_terms(k, &config, &articles, named, &mut problems);
            (taxonomy, problems)
        })
        .collect();
    let mut taxonomies = Vec::with_capacity(grouped.len());
    for (taxonomy, p) in grouped {
        taxonomies.push(taxonomy);
        problems.extend(p);
    }
    let years = group_years(&articles, &listed);
    let mut site = Site {
        config,
        articles,
        standalone,
        taxonomies,
        years,
        targets,
        default_image: None,
        logo: None,
        photos: None,
        profiles,
        profile_of,
        series,
        series_of,
        translations,
        translation_of,
        home,
        languages,
        related: Vec::new(),
        aliases: Vec::new(),
        next_change,
    };
    site.related = related::related(&site, &listed);
    site.aliases = newsroom::aliases(&site);
    problems.extend(ensure_unique_urls(&site));
    if problems.is_empty() {
        Ok(site)
    } else {
        Err(problems)
    }
}

/// True when `new` would take exactly the place of `old` in an assembled site: the same
/// file, kind, draft flag, date, title, URL, terms and language, which is everything
/// [`assemble`] sorts, groups and checks by. A site holding `old` then becomes the site
/// holding `new` by swapping the two (the dev server's path for an edited body).
pub fn same_place(old: &Page, new: &Page) -> bool {
    old.path == new.path
        && old.kind == new.kind
        && old.draft == new.draft
        && old.date == new.date
        && old.title == new.title
        && old.url == new.url
        && old.tags == new.tags
        && old.topic == new.topic
        && old.authors == new.authors
        && old.custom == new.custom
        && old.news == new.news
        && old.lang == new.lang
}

fn group_years(articles: &[Arc<Page>], listed: &[bool]) -> Vec<Year> {
    let mut years: Vec<Year> = Vec::new();
    for (i, page) in articles.iter().enumerate().filter(|(i, _)| listed[*i]) {
        let y = page.date.year();
        match years.last_mut() {
            Some(last) if last.year == y => last.pages.push(i),
            _ => years.push(Year {
                year: y,
                url: format!("/years/{y}/"),
                pages: vec![i],
            }),
        }
    }
    years
}

mod newsroom;
mod paging;
mod related;
mod terms;
mod urls;

pub use newsroom::{is_out, primary, Alias, Language, NextChange, Series};
pub use paging::{Pager, Pages};
use terms::{group_terms, Named};
use urls::ensure_unique_urls;
pub use urls::RESERVED;

#[cfg(test)]
mod tests;

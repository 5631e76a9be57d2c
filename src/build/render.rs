//! [`Site`] → outputs: one [`Job`] per file, each a pure function of some pages, the
//! templates and the config, rendered through Tera in parallel and handed to a writer.

mod base_path;
mod fields;
mod job;
mod jobs;
mod limits;
mod newsroom;
pub(crate) mod photo_fn;

pub use fields::shows_word_counts;
use fields::ViewFields;
pub use job::{file_for_url, job_pager, job_url, jobs, template_of, Job};

use crate::basics::error::Diagnostic;
use crate::build::site::{Pager, Site};
use crate::build::views::{self, Fields, PageView, SiteView, Strings, TermView, ViewContext};
use crate::sources::page::Page;
use crate::text::i18n::{self, Localizer};
use crate::text::slug::term_key;
use crate::theme::Templates;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::path::Path;
use tera::{Context, Value};
use xxhash_rust::xxh3::Xxh3;

/// The most jobs a thread renders without letting another take part of them.
const PIECE_JOBS: usize = 32;

/// Templates compiled once, localized strings, and the per-article list entries
/// ("cards"), kept across renders: a card is serialized again only when its key changes.
pub struct Renderer {
    templates: Templates,
    loc: Localizer,
    langs: Vec<String>,
    strings: BTreeMap<String, Strings>,
    /// Serialized strings per language, cloned (an `Arc`) into each context.
    strings_values: BTreeMap<String, Value>,
    /// Hash of everything every output depends on: config, strings, the warraq binary.
    global_version: u64,
    /// Card key → serialized card (or why its `card.html` could not be rendered).
    card_cache: HashMap<u64, Card>,
    /// For the prepared site: each article's card key and card, in site order.
    card_keys: Vec<u64>,
    cards: Vec<Card>,
    /// The fields of article views their templates name, and whether the article's
    /// template shows its JSON-LD.
    fields: ViewFields,
    /// Each term's link as a template value, made once for the prepared site.
    term_links: Vec<Vec<Value>>,
}

/// An article's list entry as templates see it, with its `card_html` when the listing
/// templates name it; the error of its `card.html` is reported by the pages that list it.
type Card = Result<Value, Diagnostic>;

/// The template each article's `card_html` is rendered from.
const CARD_TEMPLATE: &str = "card.html";

/// Tera's `safe` filter, without its copy of the string it marks: `page.content | safe`
/// would copy every body's HTML once more. Strings are marked as they are (a shared
/// reference); any other value becomes its text, as Tera's own filter does.
fn safe(value: &Value, _: tera::Kwargs, _: &tera::State) -> Value {
    if value.is_string() {
        value.clone().mark_safe()
    } else {
        Value::safe_string(&value.to_string())
    }
}

impl Renderer {
    /// Compiles the templates and builds the formatters for the site's languages.
    pub fn new(root: &Path, site: &Site) -> Result<Renderer, Vec<Diagnostic>> {
        Renderer::with_templates(root, Templates::load(root)?, site)
    }

    /// [`Renderer::new`] with the site's templates already loaded.
    pub fn with_templates(
        root: &Path,
        mut templates: Templates,
        site: &Site,
    ) -> Result<Renderer, Vec<Diagnostic>> {
        templates
            .tera
            .register_filter("date", tera_contrib::dates::date);
        templates.tera.register_filter("safe", safe);
        if let Some(photos) = &site.photos {
            photo_fn::register(&mut templates.tera, photos.clone());
        }
        let langs = site_languages(site);
        let lang_refs: Vec<&str> = langs.iter().map(String::as_str).collect();
        let site_toml = root.join("site.toml");
        let loc = Localizer::new(&lang_refs, site.config.digits, site.config.hijri)
            .map_err(|e| vec![Diagnostic::file(&site_toml, format!("{e:#}"))])?;
        let mut strings = BTreeMap::new();
        for lang in &langs {
            let table = i18n::strings(lang, &site.config.translations)
                .map_err(|m| vec![Diagnostic::file(&site_toml, m)])?;
            strings.insert(lang.clone(), table);
        }
        templates.tera.global_context().insert(
            "site",
            &SiteView::new(site, &strings[&site.config.language]),
        );
        let strings_values = strings
            .iter()
            .map(|(k, v)| (k.clone(), Value::from_serializable(v)))
            .collect();
        let mut h = Xxh3::new();
        h.update(format!("{:?}|{:?}", site.config, strings).as_bytes());
        // A page showing a photo a template asked for is rendered again when it changes.
        if let Some(photos) = &site.photos {
            h.update(&photos.requested_version().to_le_bytes());
        }
        // Pages without a photo of their own name the default image's card; articles
        // name the logo.
        for photo in site.default_image.iter().chain(&site.logo) {
            h.update(&photo.hash.to_le_bytes());
        }
        crate::build::manifest::write_binary(&mut h);
        let fields = ViewFields::named_in(&templates, &site.config);
        let mut renderer = Renderer {
            fields,
            templates,
            loc,
            langs,
            strings,
            strings_values,
            global_version: h.digest(),
            card_cache: HashMap::new(),
            card_keys: Vec::new(),
            cards: Vec::new(),
            term_links: Vec::new(),
        };
        renderer.prepare(site);
        Ok(renderer)
    }

    /// True when `site` uses a language this renderer has no formatters for.
    pub fn lacks_language(&self, site: &Site) -> bool {
        site_languages(site).iter().any(|l| !self.langs.contains(l))
    }

    /// Makes the cards match `site` (after it was assembled again): only articles whose
    /// card key is new are serialized.
    pub fn prepare(&mut self, site: &Site) {
        // Articles that keep their places keep their terms ([`Renderer::prepare_changed`]).
        self.term_links = views::term_links(site);
        let keys: Vec<u64> = site
            .articles
            .par_iter()
            .map(|p| card_key(site, p))
            .collect();
        let missing: Vec<(u64, Card)> = site
            .articles
            .par_iter()
            .zip(&keys)
            .filter(|(_, k)| !self.card_cache.contains_key(k))
            .map(|(p, k)| (*k, self.card(site, p)))
            .collect();
        self.card_cache.extend(missing);
        // Forget cards no article uses any more.
        if self.card_cache.len() > keys.len() * 2 + 64 {
            let live: std::collections::HashSet<u64> = keys.iter().copied().collect();
            self.card_cache.retain(|k, _| live.contains(k));
        }
        self.cards = keys.iter().map(|k| self.card_cache[k].clone()).collect();
        self.card_keys = keys;
    }

    /// Like [`Renderer::prepare`] after the articles at `changed` were replaced by pages
    /// that keep their places ([`crate::build::site::same_place`]): only their cards are made
    /// again, not every article's.
    pub fn prepare_changed(&mut self, site: &Site, changed: &[usize]) {
        for &i in changed {
            let page = &site.articles[i];
            let key = card_key(site, page);
            if !self.card_cache.contains_key(&key) {
                let card = self.card(site, page);
                self.card_cache.insert(key, card);
            }
            self.cards[i] = self.card_cache[&key].clone();
            self.card_keys[i] = key;
        }
    }

    /// The list entry of `page`: its card view, and `card_html`, the view rendered once
    /// through `card.html` (with the site-wide variables a listing page has: `site`,
    /// `lang`, `dir`, `t`), when the listing templates name it. A theme that includes
    /// `card.html` for each entry renders it again on every page listing the article,
    /// seven or eight times per article in a default site.
    fn card(&self, site: &Site, page: &Page) -> Card {
        let card = Value::from_serializable(&self.views(site, self.fields.card).card(page));
        if !self.fields.card_html {
            return Ok(card);
        }
        let mut ctx = Context::new();
        self.insert_lang(&mut ctx, site, &site.config.language);
        ctx.insert_value("p", card.clone());
        let html = self
            .templates
            .tera
            .render(CARD_TEMPLATE, &ctx)
            .map_err(|e| self.templates.error(&e, CARD_TEMPLATE))?;
        // The context's copy shared the map: without it, the map is taken, not copied.
        drop(ctx);
        let mut map = card.into_map().unwrap_or_default();
        map.insert("card_html".into(), Value::safe_string(&html));
        Ok(Value::from(map))
    }

    fn views<'a>(&'a self, site: &'a Site, fields: Fields) -> ViewContext<'a> {
        ViewContext {
            site,
            loc: &self.loc,
            strings: &self.strings,
            fields,
            term_links: &self.term_links,
        }
    }

    /// Renders every job in parallel and hands each file to `write` as soon as it is
    /// ready. All failures are returned together.
    pub fn render_all<W>(
        &self,
        site: &Site,
        jobs: &[Job],
        write: W,
    ) -> Result<usize, Vec<Diagnostic>>
    where
        W: Fn(&str, &[u8]) -> Result<(), Diagnostic> + Sync,
    {
        // Pieces of at most `PIECE_JOBS`: left to itself, rayon splits the jobs into a
        // few large runs, and a thread that has finished its own finds nothing left to
        // take from the other's run (a quarter of the site on two cores): it waited up
        // to 30 ms at the end of a 10,000-article build.
        let errors: Vec<Diagnostic> = jobs
            .par_iter()
            .with_max_len(PIECE_JOBS)
            .map_init(
                || Vec::with_capacity(64 * 1024),
                |buf, job| {
                    buf.clear();
                    let path = self.render(site, *job, buf)?;
                    write(&path, buf)
                },
            )
            .filter_map(Result::err)
            .collect();
        if errors.is_empty() {
            Ok(jobs.len())
        } else {
            Err(dedupe(errors))
        }
    }

    /// Renders one job into `out`; returns the file path under the output dir.
    pub fn render(&self, site: &Site, job: Job, out: &mut Vec<u8>) -> Result<String, Diagnostic> {
        let cx = self.views(site, self.fields.of(job));
        let mut ctx = Context::new();
        let template = template_of(job);
        // A list page's pager holds its URL: made once, not again by job_url.
        let pager = job_pager(site, job);
        // What each kind of page is given, beside what its key holds (render/jobs.rs).
        match job {
            Job::Article(_) | Job::Standalone(_) => self.page_context(site, job, &cx, &mut ctx)?,
            Job::Home(_) | Job::Term { .. } | Job::Year { .. } | Job::Language { .. } => {
                let p = pager.as_ref().expect("list pages are paginated");
                self.list_context(site, job, p, &cx, &mut ctx)?;
            }
            Job::Series(_) | Job::Alias(_) | Job::Redirects => {
                self.newsroom_context(site, job, &cx, &mut ctx)?
            }
            Job::TaxonomyIndex(_) | Job::YearIndex => self.index_context(site, job, &cx, &mut ctx),
            Job::Feed | Job::TermFeed { .. } => self.feed_context(site, job, &cx, &mut ctx)?,
            Job::Sitemap | Job::Robots | Job::NotFound | Job::Search => {
                self.site_file_context(site, job, &mut ctx)
            }
        }
        let url = pager.map_or_else(|| job_url(site, job), |p| p.url);
        let _watched = limits::watch(template, self.source_of(site, job, &url));
        let mut bounded = limits::Bounded::new(out);
        let rendered = self.templates.tera.render_to(template, &ctx, &mut bounded);
        let exceeded = bounded.exceeded();
        if let Err(e) = rendered {
            let mut d = match exceeded {
                Some(limit) => Diagnostic::file(
                    &self.templates.path_of(template),
                    format!("template error: {limit}"),
                ),
                None => self.templates.error(&e, template),
            };
            d.message
                .push_str(&limits::rendering_suffix(&self.source_of(site, job, &url)));
            return Err(d);
        }
        let base_path = site.config.base_path();
        let file = file_for_url(&url);
        if !base_path.is_empty() {
            base_path::prefix_root_paths(out, base_path, file.ends_with(".xml"));
        }
        Ok(file)
    }

    /// What a job's page is made from, for messages: an article's file, else its URL.
    fn source_of(&self, site: &Site, job: Job, url: &str) -> String {
        match job {
            Job::Article(i) => site.articles[i].path.to_string_lossy().into_owned(),
            Job::Standalone(i) => site.standalone[i].path.to_string_lossy().into_owned(),
            _ => url.to_owned(),
        }
    }

    fn body_html(&self, site: &Site, page: &Page) -> Result<String, Diagnostic> {
        crate::sources::page::body_html(page, &site.config, &site.targets)
    }

    fn insert_lang(&self, ctx: &mut Context, site: &Site, lang: &str) {
        let value = self
            .strings_values
            .get(lang)
            .or_else(|| self.strings_values.get(&site.config.language))
            .cloned()
            .unwrap_or_else(Value::none);
        ctx.insert_value("t", value);
        ctx.insert("lang", lang);
        ctx.insert("dir", crate::basics::config::direction(lang));
    }

    /// The list entries at `range` of `indices` (or of all articles).
    /// Fails with the first entry whose `card.html` could not be rendered.
    fn cards_for(
        &self,
        range: std::ops::Range<usize>,
        indices: Option<&[usize]>,
    ) -> Result<Value, Diagnostic> {
        let cards: Result<Vec<Value>, Diagnostic> = match indices {
            Some(ix) => ix[range].iter().map(|&i| self.cards[i].clone()).collect(),
            None => self.cards[range].iter().cloned().collect(),
        };
        Ok(Value::from(cards?))
    }

    /// The search page's filters: topics and authors (names, most articles first) and
    /// years (value and displayed name, newest first).
    fn search_filters(&self, site: &Site) -> BTreeMap<&'static str, Vec<(String, String)>> {
        let mut filters = BTreeMap::new();
        for tax in &site.taxonomies {
            let field = match tax.kind {
                crate::build::site::TaxonomyKind::Topics => "topic",
                crate::build::site::TaxonomyKind::Authors => "author",
                _ => continue,
            };
            let names = tax.terms.iter().map(|t| (t.name.clone(), t.name.clone()));
            filters.insert(field, names.collect());
        }
        let years = site.years.iter().zip(self.year_names(site));
        filters.insert(
            "year",
            years.map(|(y, name)| (y.year.to_string(), name)).collect(),
        );
        filters
    }

    fn year_names(&self, site: &Site) -> Vec<String> {
        let lang = &site.config.language;
        site.years
            .iter()
            .map(|y| self.loc.number(y.year as u64, lang))
            .collect()
    }
}

/// Every language the site's pages use, the site's first.
fn site_languages(site: &Site) -> Vec<String> {
    let mut langs = vec![site.config.language.clone()];
    for p in site.articles.iter().chain(&site.standalone) {
        if !langs.contains(&p.lang) {
            langs.push(p.lang.clone());
        }
    }
    langs
}

/// What an article's list entry depends on: the article and the names of its terms
/// (a term's displayed spelling can change when other articles change).
fn card_key(site: &Site, page: &Page) -> u64 {
    let mut h = Xxh3::new();
    h.write_u64(page.build.version);
    for tax in &site.taxonomies {
        for spelling in tax.kind.terms_of(page) {
            if let Some(t) = tax.term(spelling) {
                h.update(t.name.as_bytes());
                h.write_u8(0);
            }
        }
    }
    h.digest()
}

impl Renderer {
    /// A hash of everything the job's output depends on: equal keys, equal bytes.
    pub fn job_key(&self, site: &Site, job: Job) -> u64 {
        self.job_key_at(site, job, &job_url(site, job))
    }

    /// [`Renderer::job_key`] for a caller that already holds the job's URL.
    pub fn job_key_at(&self, site: &Site, job: Job, url: &str) -> u64 {
        let mut h = Xxh3::new();
        h.write_u64(self.global_version);
        h.write_u64(self.templates.version(template_of(job)));
        h.update(url.as_bytes());
        // A paginated page's pager is part of what it shows, as `render` makes it.
        let pager = job_pager(site, job);
        if let Some(p) = &pager {
            p.hash_shown(&mut h, self.fields.pager_total);
        }
        // What each kind of page's key holds, beside what it is given (render/jobs.rs).
        match job {
            Job::Article(_) | Job::Standalone(_) => self.page_key(&mut h, site, job),
            Job::Home(_) | Job::Term { .. } | Job::Year { .. } | Job::Language { .. } => {
                let p = pager.as_ref().expect("list pages are paginated");
                self.list_key(&mut h, site, job, p);
            }
            Job::Series(_) | Job::Alias(_) | Job::Redirects => self.newsroom_key(&mut h, site, job),
            Job::TaxonomyIndex(_) | Job::YearIndex => self.index_key(&mut h, site, job),
            Job::Feed | Job::TermFeed { .. } => self.feed_key(&mut h, site, job),
            Job::Sitemap | Job::Robots | Job::NotFound | Job::Search => {
                self.site_file_key(&mut h, site, job)
            }
        }
        h.digest()
    }
}

/// One diagnostic per template problem, however many pages met it: the first page is
/// named, and how many others.
fn dedupe(mut errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let problem = |d: &Diagnostic| limits::without_rendering_suffix(&d.message).to_owned();
    errors.sort_by_cached_key(|d| (d.path.clone(), d.line, problem(d), d.message.clone()));
    let mut out: Vec<(Diagnostic, usize)> = Vec::new();
    for d in errors {
        match out.last_mut() {
            Some((first, others))
                if first.path == d.path
                    && first.line == d.line
                    && problem(first) == problem(&d) =>
            {
                *others += 1
            }
            _ => out.push((d, 0)),
        }
    }
    out.into_iter()
        .map(|(mut d, others)| {
            if others > 0 {
                let base = d.message.trim_end_matches(')').to_owned();
                d.message = format!(
                    "{base} and {others} other page{})",
                    if others == 1 { "" } else { "s" }
                );
            }
            d
        })
        .collect()
}

#[cfg(test)]
mod tests;

//! [`Site`] → outputs: one [`Job`] per file, each a pure function of some pages, the
//! templates and the config, rendered through Tera in parallel and handed to a writer.

use crate::error::Diagnostic;
use crate::i18n::{self, Localizer};
use crate::site::{page_count, pager, Site};
use crate::theme::Templates;
use crate::views::{self, PageView, SiteView, Strings, TermView, ViewContext};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use tera::{Context, Value};

/// One output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    Article(usize),
    Standalone(usize),
    /// Page N (1-based) of the home list.
    Home(usize),
    TaxonomyIndex(usize),
    Term {
        taxonomy: usize,
        term: usize,
        page: usize,
    },
    TermFeed {
        taxonomy: usize,
        term: usize,
    },
    YearIndex,
    Year {
        year: usize,
        page: usize,
    },
    Feed,
    Sitemap,
    Robots,
    NotFound,
}

/// Every output of the site, in a fixed order.
pub fn jobs(site: &Site) -> Vec<Job> {
    let per_page = site.config.paginate_by;
    let mut jobs: Vec<Job> = (0..site.articles.len()).map(Job::Article).collect();
    jobs.extend((0..site.standalone.len()).map(Job::Standalone));
    jobs.extend((1..=page_count(site.articles.len(), per_page)).map(Job::Home));
    for (ti, tax) in site.taxonomies.iter().enumerate() {
        jobs.push(Job::TaxonomyIndex(ti));
        for (term_i, term) in tax.terms.iter().enumerate() {
            for page in 1..=page_count(term.pages.len(), tax.paginate_by) {
                jobs.push(Job::Term {
                    taxonomy: ti,
                    term: term_i,
                    page,
                });
            }
            if tax.feed {
                jobs.push(Job::TermFeed {
                    taxonomy: ti,
                    term: term_i,
                });
            }
        }
    }
    jobs.push(Job::YearIndex);
    for (yi, year) in site.years.iter().enumerate() {
        for page in 1..=page_count(year.pages.len(), per_page) {
            jobs.push(Job::Year { year: yi, page });
        }
    }
    jobs.extend([Job::Feed, Job::Sitemap, Job::Robots, Job::NotFound]);
    jobs
}

/// The file a site path is written to: `/a/b/` → `a/b/index.html`, `/x.xml` → `x.xml`.
pub fn file_for_url(url: &str) -> String {
    let trimmed = url.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_owned()
    }
}

/// Templates compiled once, and the per-article values shared by every list.
pub struct Renderer<'s> {
    site: &'s Site,
    templates: Templates,
    loc: Localizer,
    strings: BTreeMap<String, Strings>,
    /// Serialized strings per language, cloned (an `Arc`) into each context.
    strings_values: BTreeMap<String, Value>,
    /// Each article's list entry (no content), serialized once.
    cards: Vec<Value>,
}

impl<'s> Renderer<'s> {
    pub fn new(root: &Path, site: &'s Site) -> Result<Renderer<'s>, Vec<Diagnostic>> {
        let mut templates = Templates::load(root)?;
        templates
            .tera
            .global_context()
            .insert("site", &SiteView::new(site));
        templates
            .tera
            .register_filter("date", tera_contrib::dates::date);
        let mut langs: Vec<&str> = vec![site.config.language.as_str()];
        for p in site.articles.iter().chain(&site.standalone) {
            if !langs.contains(&p.lang.as_str()) {
                langs.push(&p.lang);
            }
        }
        let site_toml = root.join("site.toml");
        let loc = Localizer::new(&langs, site.config.digits, site.config.hijri)
            .map_err(|e| vec![Diagnostic::file(&site_toml, format!("{e:#}"))])?;
        let mut strings = BTreeMap::new();
        for lang in &langs {
            let table = i18n::strings(lang, &site.config.translations)
                .map_err(|m| vec![Diagnostic::file(&site_toml, m)])?;
            strings.insert((*lang).to_owned(), table);
        }
        let strings_values = strings
            .iter()
            .map(|(k, v)| (k.clone(), Value::from_serializable(v)))
            .collect();
        let mut renderer = Renderer {
            site,
            templates,
            loc,
            strings,
            strings_values,
            cards: Vec::new(),
        };
        let cx = renderer.views();
        let cards = site
            .articles
            .par_iter()
            .map(|p| Value::from_serializable(&cx.page(p, false)))
            .collect();
        renderer.cards = cards;
        Ok(renderer)
    }

    fn views(&self) -> ViewContext<'_> {
        ViewContext {
            site: self.site,
            loc: &self.loc,
            strings: &self.strings,
        }
    }

    /// Renders every job in parallel and hands each file to `write` as soon as it is
    /// ready. All failures are returned together.
    pub fn render_all<W>(&self, jobs: &[Job], write: W) -> Result<usize, Vec<Diagnostic>>
    where
        W: Fn(&str, &[u8]) -> Result<(), Diagnostic> + Sync,
    {
        let errors: Vec<Diagnostic> = jobs
            .par_iter()
            .map_init(
                || Vec::with_capacity(64 * 1024),
                |buf, job| {
                    buf.clear();
                    let path = self.render(*job, buf)?;
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
    pub fn render(&self, job: Job, out: &mut Vec<u8>) -> Result<String, Diagnostic> {
        let site = self.site;
        let cx = self.views();
        let lang = site.config.language.as_str();
        let mut ctx = Context::new();
        let (template, url): (&str, String) = match job {
            Job::Article(i) => {
                let page = &site.articles[i];
                let view = cx.page(page, true);
                ctx.insert("json_ld", &views::json_ld(&view, site, page.words));
                self.insert_lang(&mut ctx, page.lang.as_str());
                // Articles are newest first: the previous index is the newer article.
                ctx.insert_value(
                    "newer",
                    link_value(i.checked_sub(1).map(|j| &site.articles[j])),
                );
                ctx.insert_value("older", link_value(site.articles.get(i + 1)));
                ctx.insert("page", &view);
                ("article.html", page.url.clone())
            }
            Job::Standalone(i) => {
                let page = &site.standalone[i];
                self.insert_lang(&mut ctx, page.lang.as_str());
                ctx.insert("page", &cx.page(page, true));
                ("page.html", page.url.clone())
            }
            Job::Home(n) => {
                let p = pager("/", site.articles.len(), site.config.paginate_by, n);
                self.insert_lang(&mut ctx, lang);
                ctx.insert_value("pages", self.cards_for(p.start..p.end, None));
                ctx.insert("pager", &cx.pager(&p));
                ("list.html", p.url)
            }
            Job::TaxonomyIndex(ti) => {
                let tax = &site.taxonomies[ti];
                self.insert_lang(&mut ctx, lang);
                let terms: Vec<TermView<'_>> = tax
                    .terms
                    .iter()
                    .map(|t| TermView {
                        name: &t.name,
                        url: &t.url,
                        count: t.pages.len(),
                        count_display: cx.count(t.pages.len()),
                        feed_url: tax.feed.then(|| format!("{}atom.xml", t.url)),
                    })
                    .collect();
                ctx.insert(
                    "taxonomy",
                    &taxonomy_value(tax.kind.name(), tax.kind.singular(), &tax.url()),
                );
                ctx.insert("terms", &terms);
                ("terms.html", tax.url())
            }
            Job::Term {
                taxonomy,
                term,
                page,
            } => {
                let tax = &site.taxonomies[taxonomy];
                let t = &tax.terms[term];
                let p = pager(&t.url, t.pages.len(), tax.paginate_by, page);
                self.insert_lang(&mut ctx, lang);
                ctx.insert(
                    "taxonomy",
                    &taxonomy_value(tax.kind.name(), tax.kind.singular(), &tax.url()),
                );
                ctx.insert(
                    "term",
                    &TermView {
                        name: &t.name,
                        url: &t.url,
                        count: t.pages.len(),
                        count_display: cx.count(t.pages.len()),
                        feed_url: tax.feed.then(|| format!("{}atom.xml", t.url)),
                    },
                );
                ctx.insert_value("pages", self.cards_for(p.start..p.end, Some(&t.pages)));
                ctx.insert("pager", &cx.pager(&p));
                ("term.html", p.url)
            }
            Job::TermFeed { taxonomy, term } => {
                let tax = &site.taxonomies[taxonomy];
                let t = &tax.terms[term];
                let n = t.pages.len().min(site.config.feed_limit);
                self.insert_lang(&mut ctx, lang);
                ctx.insert(
                    "feed",
                    &feed_value(site, &t.name, &format!("{}atom.xml", t.url), &t.url),
                );
                // Term feeds carry summaries: full text is in the site feed.
                ctx.insert_value("pages", self.cards_for(0..n, Some(&t.pages)));
                ("atom.xml", format!("{}atom.xml", t.url))
            }
            Job::YearIndex => {
                self.insert_lang(&mut ctx, lang);
                let names = self.year_names();
                let years: Vec<TermView<'_>> = site
                    .years
                    .iter()
                    .zip(&names)
                    .map(|(y, name)| TermView {
                        name,
                        url: &y.url,
                        count: y.pages.len(),
                        count_display: cx.count(y.pages.len()),
                        feed_url: None,
                    })
                    .collect();
                ctx.insert("years", &years);
                ("years.html", "/years/".to_owned())
            }
            Job::Year { year, page } => {
                let y = &site.years[year];
                let p = pager(&y.url, y.pages.len(), site.config.paginate_by, page);
                self.insert_lang(&mut ctx, lang);
                ctx.insert("year", &self.loc.number(y.year as u64, lang));
                ctx.insert_value("pages", self.cards_for(p.start..p.end, Some(&y.pages)));
                ctx.insert("pager", &cx.pager(&p));
                ("year.html", p.url)
            }
            Job::Feed => {
                let n = site.articles.len().min(site.config.feed_limit);
                self.insert_lang(&mut ctx, lang);
                ctx.insert(
                    "feed",
                    &feed_value(site, &site.config.title, "/atom.xml", "/"),
                );
                let entries: Vec<PageView<'_>> = site.articles[..n]
                    .iter()
                    .map(|p| cx.page(p, true))
                    .collect();
                ctx.insert("pages", &entries);
                ("atom.xml", "/atom.xml".to_owned())
            }
            Job::Sitemap => {
                ctx.insert("entries", &sitemap_entries(site));
                ("sitemap.xml", "/sitemap.xml".to_owned())
            }
            Job::Robots => ("robots.txt", "/robots.txt".to_owned()),
            Job::NotFound => {
                self.insert_lang(&mut ctx, lang);
                ("404.html", "/404.html".to_owned())
            }
        };
        self.templates
            .tera
            .render_to(template, &ctx, &mut *out)
            .map_err(|e| self.templates.error(&e, template))?;
        Ok(file_for_url(&url))
    }

    fn insert_lang(&self, ctx: &mut Context, lang: &str) {
        let value = self
            .strings_values
            .get(lang)
            .or_else(|| self.strings_values.get(&self.site.config.language))
            .cloned()
            .unwrap_or_else(Value::none);
        ctx.insert_value("t", value);
        ctx.insert("lang", lang);
        ctx.insert("dir", crate::config::direction(lang));
    }

    /// The list entries at `range` of `indices` (or of all articles).
    fn cards_for(&self, range: std::ops::Range<usize>, indices: Option<&[usize]>) -> Value {
        let cards: Vec<Value> = match indices {
            Some(ix) => ix[range].iter().map(|&i| self.cards[i].clone()).collect(),
            None => self.cards[range].to_vec(),
        };
        Value::from(cards)
    }

    fn year_names(&self) -> Vec<String> {
        let lang = &self.site.config.language;
        self.site
            .years
            .iter()
            .map(|y| self.loc.number(y.year as u64, lang))
            .collect()
    }
}

fn link_value(page: Option<&crate::page::Page>) -> Value {
    match page {
        Some(p) => Value::from_serializable(&views::Link {
            name: &p.title,
            url: &p.url,
        }),
        None => Value::none(),
    }
}

fn taxonomy_value(name: &str, singular: &str, url: &str) -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("name", name.to_owned()),
        ("singular", singular.to_owned()),
        ("url", url.to_owned()),
    ])
}

fn feed_value(
    site: &Site,
    title: &str,
    self_path: &str,
    alternate: &str,
) -> BTreeMap<&'static str, String> {
    let updated = site
        .articles
        .iter()
        .map(|p| p.updated.unwrap_or(p.date))
        .max()
        .map_or_else(
            || "1970-01-01T00:00:00Z".to_owned(),
            |d| format!("{d}T00:00:00Z"),
        );
    BTreeMap::from([
        ("title", title.to_owned()),
        ("self_url", site.config.absolute(self_path)),
        ("alternate_url", site.config.absolute(alternate)),
        ("id", site.config.absolute(self_path)),
        ("updated", updated),
    ])
}

#[derive(serde::Serialize)]
struct SitemapEntry {
    loc: String,
    lastmod: Option<String>,
}

fn sitemap_entries(site: &Site) -> Vec<SitemapEntry> {
    let mut entries = vec![SitemapEntry {
        loc: site.config.absolute("/"),
        lastmod: site.articles.first().map(|p| p.date.to_string()),
    }];
    for p in site.articles.iter().chain(&site.standalone) {
        entries.push(SitemapEntry {
            loc: site.config.absolute(&p.url),
            lastmod: Some(p.updated.unwrap_or(p.date).to_string()),
        });
    }
    for tax in &site.taxonomies {
        entries.push(SitemapEntry {
            loc: site.config.absolute(&tax.url()),
            lastmod: None,
        });
        for t in &tax.terms {
            entries.push(SitemapEntry {
                loc: site.config.absolute(&t.url),
                lastmod: None,
            });
        }
    }
    for y in &site.years {
        entries.push(SitemapEntry {
            loc: site.config.absolute(&y.url),
            lastmod: None,
        });
    }
    entries
}

/// One template error is reported once, not once per page that hit it.
fn dedupe(mut errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    errors.sort_by(|a, b| (&a.path, a.line, &a.message).cmp(&(&b.path, b.line, &b.message)));
    errors.dedup_by(|a, b| a.path == b.path && a.line == b.line && a.message == b.message);
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_to_files() {
        assert_eq!(file_for_url("/"), "index.html");
        assert_eq!(file_for_url("/articles/مقال/"), "articles/مقال/index.html");
        assert_eq!(file_for_url("/atom.xml"), "atom.xml");
        assert_eq!(file_for_url("/tags/x/atom.xml"), "tags/x/atom.xml");
    }
}

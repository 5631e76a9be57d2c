//! Each kind of job: what its page is given and what its key holds, side by side. For
//! every kind, the context a template renders (`*_context`) and the inputs hashed into
//! the job's key (`*_key`) stand next to each other, so that neither changes without
//! the other in sight: a key that misses something its page shows leaves a stale page
//! after an incremental build. [`Renderer::render`] and [`Renderer::job_key_at`] only
//! choose the pair; a paginated page's pager is made once by [`job_pager`] for both.

use super::*;

impl Renderer {
    /// Cards of the articles at `ix` (indexes into the site's articles), as list pages
    /// and feeds show them.
    pub(super) fn hash_cards(&self, h: &mut Xxh3, ix: impl Iterator<Item = usize>) {
        // Entries rendered through `card.html` change with it.
        if self.fields.card_html {
            h.write_u64(self.templates.version(CARD_TEMPLATE));
        }
        for i in ix {
            h.write_u64(self.card_keys[i]);
        }
    }

    // An article or a standalone page: its own view; an article, its neighbours' links.

    pub(super) fn page_context(
        &self,
        site: &Site,
        job: Job,
        cx: &ViewContext<'_>,
        ctx: &mut Context,
    ) -> Result<(), Diagnostic> {
        match job {
            Job::Article(i) => {
                let page = &site.articles[i];
                let html = self.body_html(site, page)?;
                let view = cx.page(page, &html);
                if self.fields.json_ld {
                    ctx.insert(
                        "json_ld",
                        &views::json_ld(&view, site, page, page.body.words),
                    );
                }
                self.insert_lang(ctx, site, page.lang.as_str());
                // Articles are newest first: the previous index is the newer article.
                ctx.insert_value(
                    "newer",
                    link_value(i.checked_sub(1).map(|j| &*site.articles[j])),
                );
                ctx.insert_value("older", link_value(site.articles.get(i + 1).map(|p| &**p)));
                self.article_newsroom(site, i, cx, ctx)?;
                ctx.insert("page", &view);
            }
            Job::Standalone(i) => {
                let page = &site.standalone[i];
                self.insert_lang(ctx, site, page.lang.as_str());
                let html = self.body_html(site, page)?;
                ctx.insert("page", &cx.page(page, &html));
            }
            _ => unreachable!("not a page job"),
        }
        Ok(())
    }

    pub(super) fn page_key(&self, h: &mut Xxh3, site: &Site, job: Job) {
        match job {
            Job::Article(i) => {
                h.write_u64(self.card_keys[i]);
                self.article_newsroom_key(h, site, i);
                for n in [i.checked_sub(1), Some(i + 1)] {
                    if let Some(p) = n.and_then(|j| site.articles.get(j)) {
                        h.update(p.title.as_bytes());
                        h.update(p.url.as_bytes());
                    }
                    h.write_u8(0);
                }
            }
            Job::Standalone(i) => h.write_u64(site.standalone[i].build.version),
            _ => unreachable!("not a page job"),
        }
    }

    // A page of a list of articles (home, a term, a year): its pager and its cards.

    pub(super) fn list_context(
        &self,
        site: &Site,
        job: Job,
        p: &Pager,
        cx: &ViewContext<'_>,
        ctx: &mut Context,
    ) -> Result<(), Diagnostic> {
        let lang = site.config.language.as_str();
        self.insert_lang(ctx, site, lang);
        match job {
            Job::Home(_) => {
                ctx.insert_value("pages", self.cards_for(p.start..p.end, Some(&site.home))?);
            }
            Job::Language { lang, .. } => {
                let l = &site.languages[lang];
                self.insert_lang(ctx, site, &l.lang);
                ctx.insert("language", &l.lang);
                ctx.insert_value("pages", self.cards_for(p.start..p.end, Some(&l.pages))?);
            }
            Job::Term { taxonomy, term, .. } => {
                let tax = &site.taxonomies[taxonomy];
                let t = &tax.terms[term];
                ctx.insert("taxonomy", &views::taxonomy_link(tax, cx.strings(lang)));
                let mut view = term_view(cx, tax, t);
                if !p.shows_count() {
                    (view.count, view.count_display) = (None, None);
                }
                ctx.insert("term", &view);
                if let Some(profile) = self.profile_of_term(site, tax, t)? {
                    ctx.insert("profile", &profile);
                }
                ctx.insert_value("pages", self.cards_for(p.start..p.end, Some(&t.pages))?);
            }
            Job::Year { year, .. } => {
                let y = &site.years[year];
                ctx.insert("year", &self.loc.number(y.year as u64, lang));
                ctx.insert_value("pages", self.cards_for(p.start..p.end, Some(&y.pages))?);
            }
            _ => unreachable!("not a list job"),
        }
        ctx.insert("pager", &cx.pager(p));
        Ok(())
    }

    pub(super) fn list_key(&self, h: &mut Xxh3, site: &Site, job: Job, p: &Pager) {
        match job {
            Job::Home(_) => self.hash_cards(h, site.home[p.start..p.end].iter().copied()),
            Job::Language { lang, .. } => {
                let l = &site.languages[lang];
                h.update(l.lang.as_bytes());
                self.hash_cards(h, l.pages[p.start..p.end].iter().copied());
            }
            Job::Term { taxonomy, term, .. } => {
                let t = &site.taxonomies[taxonomy].terms[term];
                // The term's view: its name and count, where shown (its URLs are the
                // pager's).
                h.update(t.name.as_bytes());
                if let Some(&i) = site.profile_of.get(&term_key(&t.name)) {
                    h.write_u64(site.profiles[i].build.version);
                }
                if p.shows_count() {
                    h.write_usize(t.pages.len());
                }
                self.hash_cards(h, t.pages[p.start..p.end].iter().copied());
            }
            Job::Year { year, .. } => {
                let y = &site.years[year];
                if p.shows_count() {
                    h.write_usize(y.pages.len());
                }
                self.hash_cards(h, y.pages[p.start..p.end].iter().copied());
            }
            _ => unreachable!("not a list job"),
        }
    }

    // An index of a taxonomy's terms, or of the years: each one's name and count.

    pub(super) fn index_context(
        &self,
        site: &Site,
        job: Job,
        cx: &ViewContext<'_>,
        ctx: &mut Context,
    ) {
        self.insert_lang(ctx, site, site.config.language.as_str());
        match job {
            Job::TaxonomyIndex(ti) => {
                let tax = &site.taxonomies[ti];
                let terms: Vec<TermView<'_>> =
                    tax.terms.iter().map(|t| term_view(cx, tax, t)).collect();
                ctx.insert(
                    "taxonomy",
                    &views::taxonomy_link(tax, cx.strings(&site.config.language)),
                );
                ctx.insert("terms", &terms);
            }
            Job::YearIndex => {
                let names = self.year_names(site);
                let years: Vec<TermView<'_>> = site
                    .years
                    .iter()
                    .zip(&names)
                    .map(|(y, name)| TermView {
                        name,
                        url: &y.url,
                        count: Some(y.pages.len()),
                        count_display: Some(cx.count(y.pages.len())),
                        feed_url: None,
                    })
                    .collect();
                ctx.insert("years", &years);
            }
            _ => unreachable!("not an index job"),
        }
    }

    pub(super) fn index_key(&self, h: &mut Xxh3, site: &Site, job: Job) {
        match job {
            Job::TaxonomyIndex(t) => {
                for term in &site.taxonomies[t].terms {
                    h.update(term.name.as_bytes());
                    h.write_usize(term.pages.len());
                }
            }
            Job::YearIndex => {
                for y in &site.years {
                    h.write_i16(y.year);
                    h.write_usize(y.pages.len());
                }
            }
            _ => unreachable!("not an index job"),
        }
    }

    // A feed: the site's (full text of its newest articles) or a term's (their cards).

    pub(super) fn feed_context(
        &self,
        site: &Site,
        job: Job,
        cx: &ViewContext<'_>,
        ctx: &mut Context,
    ) -> Result<(), Diagnostic> {
        self.insert_lang(ctx, site, site.config.language.as_str());
        match job {
            Job::TermFeed { taxonomy, term } => {
                let t = &site.taxonomies[taxonomy].terms[term];
                let n = t.pages.len().min(site.config.feed_limit);
                ctx.insert(
                    "feed",
                    &feed_value(
                        site,
                        &t.name,
                        &format!("{}atom.xml", t.url),
                        &t.url,
                        feed_updated(site, Some(&t.pages)),
                    ),
                );
                // Term feeds carry summaries: full text is in the site feed.
                ctx.insert_value("pages", self.cards_for(0..n, Some(&t.pages))?);
            }
            Job::Feed => {
                let n = site.home.len().min(site.config.feed_limit);
                ctx.insert(
                    "feed",
                    &feed_value(
                        site,
                        &site.config.title,
                        "/atom.xml",
                        "/",
                        feed_updated(site, None),
                    ),
                );
                let newest: Vec<&Page> =
                    site.home[..n].iter().map(|&i| &*site.articles[i]).collect();
                let bodies = newest
                    .iter()
                    .map(|p| self.body_html(site, p))
                    .collect::<Result<Vec<String>, Diagnostic>>()?;
                let entries: Vec<PageView<'_>> = newest
                    .iter()
                    .zip(&bodies)
                    .map(|(p, html)| cx.page(p, html))
                    .collect();
                ctx.insert("pages", &entries);
            }
            _ => unreachable!("not a feed job"),
        }
        Ok(())
    }

    pub(super) fn feed_key(&self, h: &mut Xxh3, site: &Site, job: Job) {
        match job {
            Job::TermFeed { taxonomy, term } => {
                let t = &site.taxonomies[taxonomy].terms[term];
                h.update(t.name.as_bytes());
                h.update(feed_updated(site, Some(&t.pages)).as_bytes());
                let n = t.pages.len().min(site.config.feed_limit);
                self.hash_cards(h, t.pages[..n].iter().copied());
            }
            Job::Feed => {
                h.update(feed_updated(site, None).as_bytes());
                let n = site.home.len().min(site.config.feed_limit);
                self.hash_cards(h, site.home[..n].iter().copied());
            }
            _ => unreachable!("not a feed job"),
        }
    }

    // The site's own files: the sitemap, robots.txt, the 404 page, the search page.

    pub(super) fn site_file_context(&self, site: &Site, job: Job, ctx: &mut Context) {
        let lang = site.config.language.as_str();
        match job {
            Job::Sitemap => ctx.insert("entries", &sitemap_entries(site)),
            Job::Robots => {}
            Job::NotFound => self.insert_lang(ctx, site, lang),
            Job::Search => {
                self.insert_lang(ctx, site, lang);
                ctx.insert("filters", &self.search_filters(site));
                ctx.insert(
                    "digits",
                    match site.config.digits {
                        crate::basics::config::Digits::Latn => "latn",
                        crate::basics::config::Digits::Arab => "arab",
                    },
                );
            }
            _ => unreachable!("not a site file job"),
        }
    }

    pub(super) fn site_file_key(&self, h: &mut Xxh3, site: &Site, job: Job) {
        match job {
            Job::Sitemap => {
                for p in site.articles.iter().chain(&site.standalone) {
                    h.update(p.url.as_bytes());
                    h.write_i32(
                        p.updated.unwrap_or(p.date).day_of_year() as i32
                            + 1000 * p.date.year() as i32,
                    );
                }
                for tax in &site.taxonomies {
                    for t in &tax.terms {
                        h.update(t.url.as_bytes());
                    }
                }
                for y in &site.years {
                    h.write_i16(y.year);
                }
                for s in &site.series {
                    h.update(s.url.as_bytes());
                }
                for g in &site.translations {
                    for &i in g {
                        h.update(site.articles[i].url.as_bytes());
                        h.update(site.articles[i].lang.as_bytes());
                    }
                    h.write_u8(0);
                }
            }
            Job::Robots | Job::NotFound => {}
            Job::Search => {
                // Its filters list topics, authors and years.
                h.update(
                    serde_json::to_string(&self.search_filters(site))
                        .unwrap_or_default()
                        .as_bytes(),
                );
            }
            _ => unreachable!("not a site file job"),
        }
    }
}

/// A term as its page and its taxonomy's index show it.
fn term_view<'a>(
    cx: &ViewContext<'a>,
    tax: &'a crate::build::site::Taxonomy,
    t: &'a crate::build::site::Term,
) -> TermView<'a> {
    TermView {
        name: &t.name,
        url: &t.url,
        count: Some(t.pages.len()),
        count_display: Some(cx.count(t.pages.len())),
        feed_url: tax.feed.then(|| format!("{}atom.xml", t.url)),
    }
}

fn link_value(page: Option<&crate::sources::page::Page>) -> Value {
    match page {
        Some(p) => Value::from_serializable(&views::Link {
            name: &p.title,
            url: &p.url,
        }),
        None => Value::none(),
    }
}

fn feed_value(
    site: &Site,
    title: &str,
    self_path: &str,
    alternate: &str,
    updated: String,
) -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("title", title.to_owned()),
        ("self_url", site.config.absolute(self_path)),
        ("alternate_url", site.config.absolute(alternate)),
        ("id", site.config.absolute(self_path)),
        ("updated", updated),
    ])
}

/// The newest publication or update date of a feed's articles (`None`: the whole site),
/// for its `<updated>`.
fn feed_updated(site: &Site, pages: Option<&[usize]>) -> String {
    let dates = |p: &crate::sources::page::Page| p.updated.unwrap_or(p.date);
    let newest = match pages {
        Some(ix) => ix.iter().map(|&i| dates(&site.articles[i])).max(),
        None => site.articles.iter().map(|p| dates(p)).max(),
    };
    newest.map_or_else(
        || "1970-01-01T00:00:00Z".to_owned(),
        |d| format!("{d}T00:00:00Z"),
    )
}

#[derive(serde::Serialize)]
struct SitemapEntry {
    loc: String,
    lastmod: Option<String>,
    /// Other languages' versions.
    alternates: Vec<Alternate>,
}

#[derive(serde::Serialize)]
struct Alternate {
    lang: String,
    href: String,
}

fn sitemap_entries(site: &Site) -> Vec<SitemapEntry> {
    let mut entries = vec![SitemapEntry {
        loc: site.config.absolute("/"),
        lastmod: site.articles.first().map(|p| p.date.to_string()),
        alternates: Vec::new(),
    }];
    for (i, p) in site.articles.iter().enumerate() {
        entries.push(SitemapEntry {
            loc: site.config.absolute(&p.url),
            lastmod: Some(p.updated.unwrap_or(p.date).to_string()),
            alternates: super::newsroom::translations_view(site, i)
                .into_iter()
                .map(|t| Alternate {
                    lang: t.lang.to_owned(),
                    href: t.permalink,
                })
                .collect(),
        });
    }
    for p in &site.standalone {
        entries.push(SitemapEntry {
            loc: site.config.absolute(&p.url),
            lastmod: Some(p.updated.unwrap_or(p.date).to_string()),
            alternates: Vec::new(),
        });
    }
    for s in &site.series {
        entries.push(SitemapEntry {
            loc: site.config.absolute(&s.url),
            lastmod: None,
            alternates: Vec::new(),
        });
    }
    for tax in &site.taxonomies {
        entries.push(SitemapEntry {
            loc: site.config.absolute(&tax.url()),
            lastmod: None,
            alternates: Vec::new(),
        });
        for t in &tax.terms {
            entries.push(SitemapEntry {
                loc: site.config.absolute(&t.url),
                lastmod: None,
                alternates: Vec::new(),
            });
        }
    }
    for y in &site.years {
        entries.push(SitemapEntry {
            loc: site.config.absolute(&y.url),
            lastmod: None,
            alternates: Vec::new(),
        });
    }
    entries
}

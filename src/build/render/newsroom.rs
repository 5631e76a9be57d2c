//! The newsroom's jobs and an article's newsroom context, each beside its key (as in
//! `jobs.rs`): a series' page, an old address's redirect and `_redirects`; under an
//! article, its authors with their profiles, its series with the parts around it, its
//! related articles and its other languages.

use super::*;
use crate::build::site::TaxonomyKind;
use serde::Serialize;

/// An author as an article and the author's page show them.
#[derive(Serialize)]
pub struct AuthorView<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub role: Option<&'a str>,
    /// The profile's bio, as HTML.
    pub bio: Option<String>,
    pub image: Option<views::ImageView<'a>>,
    pub links: Vec<views::Link<'a>>,
}

/// An article's place in its series.
#[derive(Serialize)]
pub struct SeriesView<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub part: u32,
    pub total: usize,
    /// "الجزء 2 من 5".
    pub label: String,
    pub prev: Option<views::Link<'a>>,
    pub next: Option<views::Link<'a>>,
}

/// Another language's version of an article.
#[derive(Serialize)]
pub struct TranslationView<'a> {
    pub lang: &'a str,
    /// The language's own name for itself (`English`, `العربية`).
    pub name: String,
    pub title: &'a str,
    pub url: &'a str,
    pub permalink: String,
    pub current: bool,
}

impl Renderer {
    /// Authors of `page` with their profiles, as links where the site has their pages.
    pub(super) fn authors_of<'a>(
        &self,
        site: &'a Site,
        page: &'a Page,
    ) -> Result<Vec<AuthorView<'a>>, Diagnostic> {
        let tax = site
            .taxonomies
            .iter()
            .find(|t| t.kind == TaxonomyKind::Authors);
        let mut out = Vec::with_capacity(page.authors.len());
        for (spelling, key) in page.authors.iter().zip(&page.keys.authors) {
            let term = tax.and_then(|t| t.term(spelling));
            let profile = site.profile_of.get(key).map(|&i| &*site.profiles[i]);
            out.push(AuthorView {
                name: term.map_or(spelling.as_str(), |t| t.name.as_str()),
                url: term.map_or("", |t| t.url.as_str()),
                role: profile.and_then(|p| p.subtitle.as_deref()),
                bio: match profile {
                    Some(p) => Some(self.body_html(site, p)?),
                    None => None,
                },
                image: profile.and_then(|p| views::profile_image(p, &site.config)),
                links: profile.map_or_else(Vec::new, |p| {
                    p.news
                        .links
                        .iter()
                        .map(|(name, url)| views::Link { name, url })
                        .collect()
                }),
            });
        }
        Ok(out)
    }

    /// The profile of an author's term, for the author's page.
    pub(super) fn profile_of_term<'a>(
        &self,
        site: &'a Site,
        tax: &'a crate::build::site::Taxonomy,
        term: &'a crate::build::site::Term,
    ) -> Result<Option<AuthorView<'a>>, Diagnostic> {
        if tax.kind != TaxonomyKind::Authors {
            return Ok(None);
        }
        let Some(&i) = site.profile_of.get(&term_key(&term.name)) else {
            return Ok(None);
        };
        let p = &*site.profiles[i];
        Ok(Some(AuthorView {
            name: &term.name,
            url: &term.url,
            role: p.subtitle.as_deref(),
            bio: Some(self.body_html(site, p)?),
            image: views::profile_image(p, &site.config),
            links: p
                .news
                .links
                .iter()
                .map(|(name, url)| views::Link { name, url })
                .collect(),
        }))
    }

    fn hash_authors(&self, h: &mut Xxh3, site: &Site, page: &Page) {
        for key in &page.keys.authors {
            if let Some(&i) = site.profile_of.get(key) {
                h.write_u64(site.profiles[i].build.version);
            }
            h.write_u8(0);
        }
    }

    /// What an article shows of the newsroom: `authors`, `series`, `related` (cards),
    /// `translations`.
    pub(super) fn article_newsroom(
        &self,
        site: &Site,
        i: usize,
        cx: &ViewContext<'_>,
        ctx: &mut Context,
    ) -> Result<(), Diagnostic> {
        let page = &site.articles[i];
        ctx.insert("authors", &self.authors_of(site, page)?);
        ctx.insert("series", &series_view(site, i, cx));
        let related = site.related.get(i).map_or(&[][..], Vec::as_slice);
        ctx.insert_value("related", self.cards_for(0..related.len(), Some(related))?);
        ctx.insert("translations", &translations_view(site, i));
        let custom: Vec<BTreeMap<&str, tera::Value>> = site
            .taxonomies
            .iter()
            .filter(|t| matches!(t.kind, TaxonomyKind::Custom(_)) && t.on_articles)
            .filter_map(|t| {
                let terms: Vec<views::Link<'_>> = t
                    .kind
                    .terms_of(page)
                    .iter()
                    .filter_map(|s| t.term(s))
                    .map(|term| views::Link {
                        name: &term.name,
                        url: &term.url,
                    })
                    .collect();
                let label = views::taxonomy_link(t, cx.strings(&page.lang)).label;
                (!terms.is_empty()).then(|| {
                    BTreeMap::from([
                        ("label", tera::Value::from(label)),
                        ("terms", tera::Value::from_serializable(&terms)),
                    ])
                })
            })
            .collect();
        ctx.insert("custom_terms", &custom);
        Ok(())
    }

    pub(super) fn article_newsroom_key(&self, h: &mut Xxh3, site: &Site, i: usize) {
        let page = &site.articles[i];
        self.hash_authors(h, site, page);
        if let Some((s, pos)) = site.series_of.get(i).copied().flatten() {
            let series = &site.series[s];
            h.update(series.name.as_bytes());
            h.write_usize(series.pages.len());
            h.write_u32(series.parts[pos]);
            for n in [pos.checked_sub(1), Some(pos + 1)] {
                if let Some(&j) = n.and_then(|n| series.pages.get(n)) {
                    h.update(site.articles[j].title.as_bytes());
                    h.update(site.articles[j].url.as_bytes());
                }
                h.write_u8(0);
            }
        }
        let related = site.related.get(i).map_or(&[][..], Vec::as_slice);
        h.write_usize(related.len());
        self.hash_cards(h, related.iter().copied());
        for t in translations_view(site, i) {
            h.update(t.lang.as_bytes());
            h.update(t.title.as_bytes());
            h.update(t.url.as_bytes());
        }
    }

    /// A series' page, an old address, `_redirects`.
    pub(super) fn newsroom_context(
        &self,
        site: &Site,
        job: Job,
        cx: &ViewContext<'_>,
        ctx: &mut Context,
    ) -> Result<(), Diagnostic> {
        self.insert_lang(ctx, site, site.config.language.as_str());
        match job {
            Job::Series(s) => {
                let series = &site.series[s];
                ctx.insert(
                    "series",
                    &BTreeMap::from([
                        ("name", series.name.clone()),
                        ("url", series.url.clone()),
                        ("count_display", cx.count(series.pages.len())),
                    ]),
                );
                ctx.insert("parts", &series.parts);
                ctx.insert_value(
                    "pages",
                    self.cards_for(0..series.pages.len(), Some(&series.pages))?,
                );
            }
            Job::Alias(a) => {
                let alias = &site.aliases[a];
                ctx.insert("target", &site.config.absolute(&alias.target));
            }
            Job::Redirects => {
                // Hosts read the file as ASCII: Arabic paths are percent-encoded.
                let lines: Vec<BTreeMap<&str, String>> = site
                    .aliases
                    .iter()
                    .map(|a| {
                        BTreeMap::from([
                            (
                                "from",
                                encode_path(&format!("{}{}", site.config.base_path(), a.path)),
                            ),
                            ("to", site.config.absolute(&a.target)),
                        ])
                    })
                    .collect();
                ctx.insert("redirects", &lines);
            }
            _ => unreachable!("not a newsroom job"),
        }
        Ok(())
    }

    pub(super) fn newsroom_key(&self, h: &mut Xxh3, site: &Site, job: Job) {
        match job {
            Job::Series(s) => {
                let series = &site.series[s];
                h.update(series.name.as_bytes());
                for p in &series.parts {
                    h.write_u32(*p);
                }
                self.hash_cards(h, series.pages.iter().copied());
            }
            Job::Alias(a) => h.update(site.aliases[a].target.as_bytes()),
            Job::Redirects => {
                for a in &site.aliases {
                    h.update(a.path.as_bytes());
                    h.write_u8(0);
                    h.update(a.target.as_bytes());
                    h.write_u8(0);
                }
            }
            _ => unreachable!("not a newsroom job"),
        }
    }
}

fn series_view<'a>(site: &'a Site, i: usize, cx: &ViewContext<'_>) -> Option<SeriesView<'a>> {
    let (s, pos) = site.series_of.get(i).copied().flatten()?;
    let series = &site.series[s];
    let link = |n: Option<usize>| {
        n.and_then(|n| series.pages.get(n)).map(|&j| views::Link {
            name: &site.articles[j].title,
            url: &site.articles[j].url,
        })
    };
    let lang = site.articles[i].lang.as_str();
    let t = cx.strings(lang);
    let part = series.parts[pos];
    let label = t["series_part"]
        .replace("{n}", &cx.loc.number(part as u64, lang))
        .replace("{total}", &cx.loc.number(series.pages.len() as u64, lang));
    Some(SeriesView {
        name: &series.name,
        url: &series.url,
        part,
        total: series.pages.len(),
        label,
        prev: link(pos.checked_sub(1)),
        next: link(Some(pos + 1)),
    })
}

/// Every version of article `i` (itself included, marked `current`), in language order;
/// empty when it has none.
pub fn translations_view(site: &Site, i: usize) -> Vec<TranslationView<'_>> {
    let Some(g) = site.translation_of.get(i).copied().flatten() else {
        return Vec::new();
    };
    let mut out: Vec<TranslationView<'_>> = site.translations[g]
        .iter()
        .map(|&j| {
            let p = &site.articles[j];
            TranslationView {
                lang: &p.lang,
                name: language_name(&p.lang),
                title: &p.title,
                url: &p.url,
                permalink: site.config.absolute(&p.url),
                current: j == i,
            }
        })
        .collect();
    out.sort_by(|a, b| a.lang.cmp(b.lang));
    out
}

/// A language's name in itself, for the language switch (the tag itself for languages
/// warraq does not name).
pub fn language_name(lang: &str) -> String {
    let name = match crate::build::site::primary(lang).as_str() {
        "ar" => "العربية",
        "en" => "English",
        "fr" => "Français",
        "es" => "Español",
        "de" => "Deutsch",
        "tr" => "Türkçe",
        "fa" => "فارسی",
        "ur" => "اردو",
        "he" => "עברית",
        "ru" => "Русский",
        "zh" => "中文",
        _ => return lang.to_owned(),
    };
    name.to_owned()
}

/// A site path with everything but unreserved ASCII and `/` percent-encoded.
fn encode_path(path: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(path, KEEP).to_string()
}

//! The search stage of the pipeline: the assembled site's articles → the entries of
//! the Pagefind bundle (what each result shows and how it is filtered, in the site's
//! language and digits), their key, and the bundle written through a sink.
//! `search::bundle` knows the format; this knows the site.

use crate::basics::config::Config;
use crate::basics::error::Diagnostic;
use crate::build::site::{Site, TaxonomyKind};
use crate::search::bundle::{self, Engine, Entry};
use crate::search::index::{Document, Vocabulary};
use crate::sources::page::Page;
use crate::text::i18n::Localizer;
use anyhow::Result;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;
use xxhash_rust::xxh3::Xxh3;

/// The entries of the articles of `site` that have a search document (`doc`), newest
/// first. Dates are displayed as the site's lists display them, in the site's language.
pub fn entries<'a, D>(site: &'a Site, mut doc: D) -> Result<Vec<Entry<'a>>>
where
    D: FnMut(&'a Page) -> Option<Cow<'a, Document>>,
{
    let c = &site.config;
    let loc = Localizer::new(&[c.language.as_str()], c.digits, c.hijri)?;
    // Oldest first: the index numbers its pages in this order, and a new article (the
    // newest, as a rule) then takes the next number instead of moving every other
    // article's, which would change every posting list and so every chunk.
    let docs: Vec<(&Page, Cow<'a, Document>)> = site
        .articles
        .iter()
        .rev()
        .filter_map(|p| Some((&**p, doc(p)?)))
        .collect();
    Ok(docs
        .into_par_iter()
        .map(|(page, doc)| {
            let mut meta = BTreeMap::from([
                ("title", page.title.clone()),
                ("date", loc.date(page.date, &c.language)),
            ]);
            let mut filters = BTreeMap::from([("year", vec![page.date.year().to_string()])]);
            if let Some(s) = &page.subtitle {
                meta.insert("subtitle", s.clone());
            }
            for (kind, spelling, field, url) in [
                (TaxonomyKind::Topics, &page.topic, "topic", "topic_url"),
                (TaxonomyKind::Authors, &page.author, "author", "author_url"),
            ] {
                let Some(spelling) = spelling else { continue };
                let term = site
                    .taxonomies
                    .iter()
                    .find(|t| t.kind == kind)
                    .and_then(|t| t.term(spelling));
                let name = term.map_or(spelling.as_str(), |t| t.name.as_str());
                meta.insert(field, name.to_owned());
                if let Some(t) = term {
                    meta.insert(url, t.url.clone());
                }
                filters.insert(field, vec![name.to_owned()]);
            }
            Entry::new(doc, page.build.version, meta, filters)
        })
        .collect())
}

/// The bundle's key: its entries, the site's settings and the program making it.
pub fn key(config: &Config, entries: &[Entry<'_>]) -> u64 {
    let mut h = Xxh3::new();
    h.update(format!("{config:?}").as_bytes());
    crate::build::manifest::write_binary(&mut h);
    bundle::key(h.digest(), entries)
}

/// Writes the bundle of `site` from each article's own document ([`Page::search`])
/// through `write`. Returns the paths written.
pub fn write_site<W>(site: &Site, vocabulary: &Vocabulary, write: W) -> Result<Vec<String>>
where
    W: Fn(&str, &[u8]) -> Result<(), Diagnostic> + Sync,
{
    let entries = entries(site, |p| p.build.search.as_ref().map(Cow::Borrowed))?;
    let engine = Engine::load(&site.config.language)?;
    Ok(
        bundle::write(&site.config.language, entries, vocabulary, &engine, write)
            .map_err(crate::basics::error::BuildFailed::from)?,
    )
}

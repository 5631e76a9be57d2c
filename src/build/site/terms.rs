//! A taxonomy's terms from the articles: spellings merged by identity key, each term
//! named by its most common spelling (or its author's profile) and ordered by size.

use super::{Taxonomy, TaxonomyKind, Term};
use crate::basics::config::Config;
use crate::basics::error::Diagnostic;
use crate::sources::page::Page;
use crate::text::slug::{slugify, term_key};
use hashbrown::HashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What else decides a taxonomy's terms: for the authors, the profiles (a profile's author has a page even without articles, and the
/// profile's spelling names it).
pub(super) struct Named<'a> {
    pub(super) profiles: Option<Profiles<'a>>,
}

/// The profiles, and each one's index by the identity key of its name.
type Profiles<'a> = (&'a Vec<Arc<Page>>, &'a HashMap<String, usize>);

pub(super) fn group_terms(
    kind: TaxonomyKind,
    config: &Config,
    articles: &[Arc<Page>],
    named: Named<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Taxonomy {
    let mut terms: Vec<Term> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (i, page) in articles.iter().enumerate() {
        for (spelling, key) in kind.terms_of(page).iter().zip(kind.keys_of(page)) {
            if key.is_empty() {
                problems.push(Diagnostic::file(
                    &page.path,
                    format!(
                        "{} `{spelling}` has no letters or digits to make a URL from",
                        kind.name(config)
                    ),
                ));
                continue;
            }
            // Look up before inserting: keys and spellings are copied once per term,
            // not once per use (this runs for every tag of every article on each edit
            // the dev server applies).
            let t = match by_key.get(key) {
                Some(&t) => t,
                None => {
                    terms.push(Term {
                        name: String::new(),
                        spellings: BTreeMap::new(),
                        slug: String::new(),
                        url: String::new(),
                        pages: Vec::new(),
                    });
                    by_key.insert(key.to_owned(), terms.len() - 1);
                    terms.len() - 1
                }
            };
            let term = &mut terms[t];
            match term.spellings.get_mut(spelling) {
                Some(count) => *count += 1,
                None => {
                    term.spellings.insert(spelling.to_owned(), 1);
                }
            }
            // A page that lists two spellings of one term is counted once.
            if term.pages.last() != Some(&i) {
                term.pages.push(i);
            }
        }
    }
    if let Some((profiles, _)) = named.profiles {
        for p in profiles.iter() {
            let key = term_key(&p.title);
            if key.is_empty() || by_key.contains_key(&key) {
                continue;
            }
            terms.push(Term {
                name: String::new(),
                spellings: BTreeMap::from([(p.title.clone(), 0)]),
                slug: String::new(),
                url: String::new(),
                pages: Vec::new(),
            });
            by_key.insert(key, terms.len() - 1);
        }
    }
    let settings = kind.settings(config);
    let segment = settings
        .path
        .clone()
        .unwrap_or_else(|| kind.name(config).to_owned());
    let mut terms = name_and_order(&segment, terms);
    // A profile's name is how its author is written.
    if let Some((profiles, profile_of)) = named.profiles {
        for term in &mut terms {
            if let Some(&p) = profile_of.get(&term_key(&term.name)) {
                term.name = profiles[p].title.clone();
                term.slug = slugify(&term.name);
                term.url = format!("/{segment}/{}/", term.slug);
                term.spellings.entry(term.name.clone()).or_insert(0);
            }
        }
    }
    let by_key = terms
        .iter()
        .enumerate()
        .map(|(i, t)| (term_key(&t.name), i))
        .collect();
    let by_spelling = terms
        .iter()
        .enumerate()
        .flat_map(|(i, t)| t.spellings.keys().map(move |s| (s.clone(), i)))
        .collect();
    Taxonomy {
        kind,
        name: kind.name(config).to_owned(),
        segment,
        label: settings.label.clone(),
        singular: settings.singular.clone(),
        on_articles: settings.on_articles,
        in_nav: settings.in_nav,
        paginate_by: settings.paginate_by.unwrap_or(config.paginate_by).max(1),
        feed: settings.feed,
        terms,
        by_spelling,
        by_key,
    }
}

/// Names each term by its most common spelling and gives it its URL; orders the terms
/// by how many articles they have, then by name.
fn name_and_order(segment: &str, mut terms: Vec<Term>) -> Vec<Term> {
    for term in &mut terms {
        // Most common spelling; ties go to the first in code-point order, so the
        // choice does not depend on file order.
        let (name, _) = term
            .spellings
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .expect("a term exists only with a spelling");
        term.name = name.clone();
        term.slug = slugify(&term.name);
        term.url = format!("/{segment}/{}/", term.slug);
    }
    let mut order: Vec<usize> = (0..terms.len()).collect();
    order.sort_by(|&a, &b| {
        terms[b]
            .pages
            .len()
            .cmp(&terms[a].pages.len())
            .then_with(|| terms[a].name.cmp(&terms[b].name))
    });
    let mut sorted: Vec<Option<Term>> = terms.into_iter().map(Some).collect();
    order
        .iter()
        .map(|&i| sorted[i].take().expect("each term once"))
        .collect()
}

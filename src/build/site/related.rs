//! Related articles of each article, through an inverted index: the candidates are the
//! articles near it in each of its terms' lists, scored by weighted shared terms.

use super::newsroom::primary;
use super::{Site, Taxonomy};
use rayon::prelude::*;

/// How far along a term's list (each way) related candidates are looked for: a term
/// of 10,000 articles does not make each of them weigh 10,000 others.
const WINDOW: usize = 24;

/// Up to `count` related articles for each article: those sharing the most weighted
/// terms (a shared term weighs its taxonomy's weight, less for terms with many
/// articles), in the same language, then the newest. Candidates come from the terms'
/// lists (an inverted index), never from all pairs of articles; each thread adds
/// scores into one array as long as the site, touching only the candidates' entries.
pub fn related(site: &Site, listed: &[bool]) -> Vec<Vec<usize>> {
    let count = site.config.related.count;
    let n = site.articles.len();
    if count == 0 {
        return vec![Vec::new(); n];
    }
    // Each article's terms in each weighted taxonomy, as (term list, weight): looked up
    // once per article, not once per candidate.
    let weighted: Vec<(&Taxonomy, f32)> = site
        .taxonomies
        .iter()
        .map(|t| (t, site.config.related.weight(&t.name)))
        .filter(|(_, w)| *w > 0.0)
        .collect();
    let series_weight = site.config.related.weight("series");
    // Each candidate is filtered by its language and translation group: read from two
    // small arrays, not from each candidate's page (a cache miss each).
    let mut langs: Vec<String> = Vec::new();
    let lang_of: Vec<u16> = site
        .articles
        .iter()
        .map(|p| {
            let lang = primary(&p.lang);
            match langs.iter().position(|l| *l == lang) {
                Some(at) => at as u16,
                None => {
                    langs.push(lang);
                    (langs.len() - 1) as u16
                }
            }
        })
        .collect();
    thread_local! {
        // Scores by article index, and which entries are not zero: one per thread for
        // the whole site (rayon's `map_init` would make one per piece of work).
        static SCRATCH: std::cell::RefCell<(Vec<f32>, Vec<usize>)> = Default::default();
    }
    (0..n)
        .into_par_iter()
        .map(|i| {
            SCRATCH.with_borrow_mut(|(scores, touched)| {
                if scores.len() != n {
                    scores.clear();
                    scores.resize(n, 0.0);
                    touched.clear();
                }
                let page = &site.articles[i];
                let mut add = |j: usize, w: f32| {
                    if scores[j] == 0.0 {
                        touched.push(j);
                    }
                    scores[j] += w;
                };
                for (tax, weight) in &weighted {
                    for spelling in tax.kind.terms_of(page) {
                        let Some(term) = tax.term(spelling) else {
                            continue;
                        };
                        let len = term.pages.len();
                        if len < 2 {
                            continue;
                        }
                        // A rare shared term says more than a common one.
                        let w = weight / (1.0 + (len as f32).ln());
                        let at = term.pages.binary_search(&i).unwrap_or_else(|x| x);
                        let from = at.saturating_sub(WINDOW);
                        let to = (at + WINDOW + 1).min(len);
                        for &j in &term.pages[from..to] {
                            add(j, w);
                        }
                    }
                }
                if series_weight > 0.0 {
                    if let Some((s, _)) = site.series_of.get(i).copied().flatten() {
                        for &j in &site.series[s].pages {
                            add(j, series_weight);
                        }
                    }
                }
                let group = site.translation_of.get(i).copied().flatten();
                // The best `count` candidates, best first: more score, then newer (a
                // lower index: articles are newest first). A few are kept, so each
                // candidate is compared with the last kept one, rarely inserted.
                let mut best: Vec<(usize, f32)> = Vec::with_capacity(count + 1);
                let beats =
                    |a: (usize, f32), b: (usize, f32)| a.1 > b.1 || (a.1 == b.1 && a.0 < b.0);
                for &j in touched.iter() {
                    let candidate = (j, scores[j]);
                    scores[j] = 0.0;
                    if best.len() == count && !beats(candidate, best[count - 1]) {
                        continue;
                    }
                    if j == i
                        || !listed.get(j).copied().unwrap_or(true)
                        || lang_of[j] != lang_of[i]
                        || (group.is_some() && site.translation_of[j] == group)
                    {
                        continue;
                    }
                    let at = best
                        .iter()
                        .position(|&b| beats(candidate, b))
                        .unwrap_or(best.len());
                    best.insert(at, candidate);
                    best.truncate(count);
                }
                touched.clear();
                best.into_iter().map(|(j, _)| j).collect()
            })
        })
        .collect()
}

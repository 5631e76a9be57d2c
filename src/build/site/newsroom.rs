//! The newsroom's parts of assembling a [`Site`]: which articles are out at this moment
//! (scheduled and expired ones are not), when that next changes, series in order,
//! translations linked, each language's own list and old addresses (related articles
//! are in `related.rs`).

use super::Site;
use crate::basics::error::Diagnostic;
use crate::sources::page::{Page, Translation};
use crate::text::slug::slugify;
use hashbrown::{HashMap, HashSet};
use jiff::Timestamp;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A series, its articles in reading order.
pub struct Series {
    pub name: String,
    pub slug: String,
    pub url: String,
    /// Indices into `Site::articles`, part 1 first.
    pub pages: Vec<usize>,
    /// The part number each of `pages` shows.
    pub parts: Vec<u32>,
}

/// An old address of a page: a redirect to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The old site path (`/old/`, `/2019/02/05/123456.html`, `/news.php`).
    pub path: String,
    /// Whether it gets a redirect page ([`crate::sources::page::alias_has_page`]), or
    /// is in `_redirects` only.
    pub page: bool,
    /// The page's URL.
    pub target: String,
    /// The file that names it, and the line.
    pub owner: PathBuf,
    pub line: usize,
}

/// The list of one language other than the site's (`/en/`).
pub struct Language {
    pub lang: String,
    pub url: String,
    /// Indices into `Site::articles`, newest first.
    pub pages: Vec<usize>,
}

/// When the site next changes by itself: the first moment an article appears or
/// leaves, and how many do then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextChange {
    pub at: Timestamp,
    pub appear: usize,
    pub leave: usize,
}

impl NextChange {
    /// "next change: 2026-12-08 06:00 +02:00, 1 article appears", in `zone` (the
    /// site's time zone; UTC when it has none).
    pub fn describe(&self, zone: Option<&str>) -> String {
        let tz = zone
            .and_then(|z| jiff::tz::TimeZone::get(z).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC);
        let when = self
            .at
            .to_zoned(tz)
            .strftime("%Y-%m-%d %H:%M %:z")
            .to_string();
        let count = |n: usize, what: &str| {
            format!(
                "{n} article{} {what}{}",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" }
            )
        };
        let mut parts = Vec::new();
        if self.appear > 0 {
            parts.push(count(self.appear, "appear"));
        }
        if self.leave > 0 {
            parts.push(count(self.leave, "leave"));
        }
        format!("next change: {when}, {}", parts.join(", "))
    }
}

/// Whether `page` is out at `now`: published (`publish_at` passed, or `future`) and not
/// expired.
pub fn is_out(page: &Page, now: Timestamp, future: bool) -> bool {
    let published = future || page.news.publish_at.is_none_or(|t| t <= now);
    let live = page.news.expires.is_none_or(|t| t > now);
    published && live
}

/// The first change after `now` among `pages` (drafts excluded unless `drafts`).
pub fn next_change<'p>(
    pages: impl Iterator<Item = &'p Page>,
    now: Timestamp,
    future: bool,
) -> Option<NextChange> {
    let mut events: Vec<(Timestamp, bool)> = Vec::new();
    for p in pages {
        if let Some(t) = p.news.publish_at.filter(|t| *t > now && !future) {
            events.push((t, true));
        }
        if let Some(t) = p.news.expires.filter(|t| *t > now) {
            events.push((t, false));
        }
    }
    let at = events.iter().map(|(t, _)| *t).min()?;
    let at_once = events.iter().filter(|(t, _)| *t == at);
    Some(NextChange {
        at,
        appear: at_once.clone().filter(|(_, a)| *a).count(),
        leave: at_once.filter(|(_, a)| !*a).count(),
    })
}

/// The series of `articles` (newest first), each in reading order: numbered parts
/// first by number, then the rest by date. Two articles claiming one part is an error
/// naming both.
pub fn group_series(
    articles: &[Arc<Page>],
    problems: &mut Vec<Diagnostic>,
) -> (Vec<Series>, Vec<Option<(usize, usize)>>) {
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for (i, p) in articles.iter().enumerate() {
        let Some(s) = &p.news.series else { continue };
        let at = *by_key.entry(&s.key).or_insert_with(|| {
            members.push(Vec::new());
            names.push(&s.name);
            members.len() - 1
        });
        members[at].push(i);
    }
    let mut series = Vec::with_capacity(members.len());
    let mut of = vec![None; articles.len()];
    for (si, mut pages) in members.into_iter().enumerate() {
        let part = |i: usize| articles[i].news.series.as_ref().and_then(|s| s.part);
        pages.sort_by(|&a, &b| {
            let (pa, pb) = (part(a).unwrap_or(u32::MAX), part(b).unwrap_or(u32::MAX));
            pa.cmp(&pb)
                .then_with(|| articles[a].date.cmp(&articles[b].date))
                .then_with(|| articles[a].url.cmp(&articles[b].url))
        });
        for pair in pages.windows(2) {
            let (a, b) = (&articles[pair[0]], &articles[pair[1]]);
            if let (Some(n), Some(m)) = (part(pair[0]), part(pair[1])) {
                if n == m {
                    problems.push(Diagnostic {
                        path: b.path.clone(),
                        line: Some(b.news.lines.series_part),
                        col: Some(1),
                        message: format!(
                            "`series_part` {n} of series `{}` is also claimed by `{}`: give each part its own number",
                            names[si],
                            a.path.display()
                        ),
                    });
                }
            }
        }
        let parts = pages
            .iter()
            .enumerate()
            .map(|(pos, &i)| part(i).unwrap_or(pos as u32 + 1))
            .collect();
        for (pos, &i) in pages.iter().enumerate() {
            of[i] = Some((si, pos));
        }
        // The most common spelling names the series, as a term is named.
        let name = most_common(
            pages
                .iter()
                .filter_map(|&i| articles[i].news.series.as_ref().map(|s| s.name.as_str())),
        );
        let slug = slugify(&name);
        series.push(Series {
            url: format!("/series/{slug}/"),
            name,
            slug,
            pages,
            parts,
        });
    }
    (series, of)
}

fn most_common<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for n in names {
        *counts.entry(n).or_default() += 1;
    }
    counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(n, _)| (*n).to_owned())
        .unwrap_or_default()
}

/// Translation groups of `articles`: the versions of each analysis (two or more), and
/// the group of each article. `all_rels` holds every source's path under `content/`
/// (drafts and scheduled articles too: a translation of one is not an error, only
/// unlinked until it is out).
pub fn group_translations(
    articles: &[Arc<Page>],
    all_rels: &HashSet<PathBuf>,
    problems: &mut Vec<Diagnostic>,
) -> (Vec<Vec<usize>>, Vec<Option<usize>>) {
    let by_rel: HashMap<&Path, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, p)| (p.rel.as_path(), i))
        .collect();
    // Each article's group name: its key, or the file its chain of `translation_of`
    // ends at.
    let mut group_name: Vec<Option<String>> = vec![None; articles.len()];
    for (i, p) in articles.iter().enumerate() {
        let mut at = i;
        let mut name = None;
        // Articles that name each other (A of B, B of A) are one group, named by the
        // first of them in path order.
        let mut visited: Vec<usize> = Vec::new();
        for _ in 0..=articles.len().min(64) {
            if visited.contains(&at) {
                let first = visited
                    .iter()
                    .map(|&v| &articles[v].rel)
                    .min()
                    .expect("visited");
                name = Some(format!("p:{}", first.display()));
                break;
            }
            visited.push(at);
            match &articles[at].news.translation {
                Some(Translation::Key(k)) => {
                    name = Some(format!("k:{k}"));
                    break;
                }
                Some(Translation::Of(of)) => {
                    let target =
                        crate::sources::page::translation_target(of, &articles[at].rel, |r| {
                            all_rels.contains(r)
                        });
                    match by_rel.get(target.as_path()) {
                        Some(&t) if t == at => {
                            if at == i {
                                problems.push(translation_problem(
                                    p,
                                    format!(
                                        "`translation_of` `{}` names this article itself",
                                        of.display()
                                    ),
                                ));
                            }
                            break;
                        }
                        Some(&t) => at = t,
                        None if all_rels.contains(&target) => break,
                        None => {
                            if at == i {
                                problems.push(translation_problem(
                                    p,
                                    format!(
                                        "`translation_of` `{}`: there is no article at `content/{}`",
                                        of.display(),
                                        target.display()
                                    ),
                                ));
                            }
                            break;
                        }
                    }
                }
                None => {
                    if at != i {
                        name = Some(format!("p:{}", articles[at].rel.display()));
                    }
                    break;
                }
            }
        }
        group_name[i] = name;
    }
    // An original that names nobody joins the group its translations point to.
    let mut members: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, name) in group_name.iter().enumerate() {
        if let Some(n) = name {
            members.entry(n.clone()).or_default().push(i);
        }
    }
    for (i, p) in articles.iter().enumerate() {
        let own = format!("p:{}", p.rel.display());
        if group_name[i].is_none() {
            if let Some(m) = members.get_mut(&own) {
                m.push(i);
                group_name[i] = Some(own);
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut of = vec![None; articles.len()];
    let mut names: Vec<(&String, &Vec<usize>)> = members.iter().collect();
    names.sort();
    for (_, m) in names {
        let mut m = m.clone();
        m.sort_unstable();
        m.dedup();
        if m.len() < 2 {
            continue;
        }
        // Two versions in one language: the later-listed one is told.
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for &i in &m {
            let p = &articles[i];
            if let Some(&other) = seen.get(p.lang.as_str()) {
                problems.push(translation_problem(
                    p,
                    format!(
                        "this article and `{}` are versions of one analysis in the same language (`{}`): a translation must be in another language (set `lang`)",
                        articles[other].path.display(),
                        p.lang
                    ),
                ));
            } else {
                seen.insert(&p.lang, i);
            }
        }
        for &i in &m {
            of[i] = Some(groups.len());
        }
        groups.push(m);
    }
    (groups, of)
}

fn translation_problem(p: &Page, message: String) -> Diagnostic {
    Diagnostic {
        path: p.path.clone(),
        line: Some(p.news.lines.translation),
        col: Some(1),
        message,
    }
}

/// Primary language subtag, lower case: `en-GB` → `en`.
pub fn primary(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Which articles the site's own lists show: those in the site's language, and those in
/// another language that no version in the site's language stands for. The others are
/// in their language's list only.
pub fn listed(
    articles: &[Arc<Page>],
    groups: &[Vec<usize>],
    group_of: &[Option<usize>],
    site_lang: &str,
) -> Vec<bool> {
    let site = primary(site_lang);
    articles
        .iter()
        .enumerate()
        .map(|(i, p)| {
            primary(&p.lang) == site
                || group_of[i].is_none_or(|g| {
                    !groups[g]
                        .iter()
                        .any(|&j| primary(&articles[j].lang) == site)
                })
        })
        .collect()
}

/// One list per language other than the site's, each of that language's articles.
pub fn languages(articles: &[Arc<Page>], site_lang: &str) -> Vec<Language> {
    let site = primary(site_lang);
    let mut out: Vec<Language> = Vec::new();
    for (i, p) in articles.iter().enumerate() {
        let lang = primary(&p.lang);
        if lang == site || lang.is_empty() {
            continue;
        }
        match out.iter_mut().find(|l| l.lang == lang) {
            Some(l) => l.pages.push(i),
            None => out.push(Language {
                url: format!("/{lang}/"),
                lang,
                pages: vec![i],
            }),
        }
    }
    out.sort_by(|a, b| a.lang.cmp(&b.lang));
    out
}

/// The old addresses of the site's pages.
pub fn aliases(site: &Site) -> Vec<Alias> {
    site.articles
        .iter()
        .chain(&site.standalone)
        .flat_map(|p| {
            p.news.aliases.iter().map(|a| Alias {
                page: crate::sources::page::alias_has_page(a),
                path: a.clone(),
                target: p.url.clone(),
                owner: p.path.clone(),
                line: p.news.lines.aliases,
            })
        })
        .collect()
}

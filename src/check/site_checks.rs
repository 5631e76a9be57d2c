//! An assembled [`Site`] → findings: broken internal links and anchors, terms spelled
//! two ways, articles missing a summary or topic, dates in the future.

use super::external::{Place, Uses};
use super::{Findings, Severity};
use crate::basics::error::Diagnostic;
use crate::build::render::file_for_url;
use crate::build::site::{Site, TaxonomyKind};
use crate::sources::front_matter;
use crate::sources::links::{classify, Target};
use crate::sources::page::{Kind, LinkRef, Page};
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

/// Everything the checks look at.
pub(super) struct Context<'a> {
    pub site: &'a Site,
    /// Source file → text.
    pub texts: &'a BTreeMap<PathBuf, String>,
    /// Files the build writes, as paths under the output folder.
    pub outputs: &'a BTreeSet<String>,
    /// Source files (under `content/`) of drafts left out of the site.
    pub left_out: &'a HashMap<PathBuf, String>,
    pub today: Date,
}

/// Files listed per spelling in a term warning.
const MAX_FILES_LISTED: usize = 5;

impl Context<'_> {
    pub(super) fn pages(&self) -> impl Iterator<Item = &Page> {
        self.site
            .articles
            .iter()
            .chain(&self.site.standalone)
            .map(|p| &**p)
    }

    /// Checks every internal link and anchor; returns the external links, for `--external`.
    pub fn links(&self, found: &mut Findings) -> Uses {
        let by_rel: HashMap<&Path, &Page> = self.pages().map(|p| (p.rel.as_path(), p)).collect();
        let by_url: HashMap<&str, &Page> = self.pages().map(|p| (p.url.as_str(), p)).collect();
        let mut external = Uses::new();
        for page in self.pages() {
            for link in &page.body.links {
                // Photos of the site are checked as photos (see `photos`).
                if link.image && super::photos::is_photo(page, link) {
                    continue;
                }
                let at = |message: String| Diagnostic {
                    path: page.path.clone(),
                    line: Some(link.line),
                    col: Some(link.col),
                    message,
                };
                let target = classify(&link.dest, &page.rel, &self.site.config.base_url);
                let problem = match target {
                    Target::Source { rel, fragment } => {
                        self.source_link(page, link, rel.as_deref(), fragment, &by_rel)
                    }
                    Target::Fragment(id) => missing_anchor(page, &id, "this page"),
                    Target::Site { path, fragment } => {
                        self.site_link(link, &path, fragment, &by_url)
                    }
                    Target::External(url) => {
                        external.entry(url).or_default().push(Place {
                            path: page.path.clone(),
                            line: link.line,
                            col: link.col,
                        });
                        None
                    }
                    Target::Other => None,
                };
                if let Some(message) = problem {
                    found.push(Severity::Error, at(message));
                }
            }
        }
        external
    }

    /// A link to another source file: the file must exist, be published, and hold the
    /// heading the fragment names.
    fn source_link(
        &self,
        page: &Page,
        link: &LinkRef,
        rel: Option<&Path>,
        fragment: Option<String>,
        by_rel: &HashMap<&Path, &Page>,
    ) -> Option<String> {
        let what = if link.image { "image" } else { "link" };
        let Some(rel) = rel else {
            return Some(format!("{what} `{}` points outside `content/`", link.dest));
        };
        if let Some(why) = self.left_out.get(rel) {
            return Some(format!("{what} `{}` points to {why}", link.dest));
        }
        let Some(target) = by_rel.get(rel) else {
            let others = by_rel.keys().copied().filter(|k| *k != page.rel);
            let hint = closest_source(rel, others)
                .map(|near| {
                    let from = page.rel.parent().unwrap_or(Path::new(""));
                    format!(": did you mean `{}`?", relative_path(from, near))
                })
                .unwrap_or_default();
            return Some(format!(
                "{what} `{}`: there is no `content/{}`{hint}",
                link.dest,
                rel.display()
            ));
        };
        let id = fragment.filter(|f| !f.is_empty())?;
        missing_anchor(
            target,
            &id,
            &format!("`{}`", link.dest.split('#').next().unwrap_or("")),
        )
    }

    /// A link to a site path (`/tags/x/`, or the site's own absolute URL).
    fn site_link(
        &self,
        link: &LinkRef,
        path: &str,
        fragment: Option<String>,
        by_url: &HashMap<&str, &Page>,
    ) -> Option<String> {
        let path = path.split('?').next().unwrap_or("");
        let file = file_for_url(path);
        let exists = self.outputs.contains(&file)
            || self
                .outputs
                .contains(&format!("{}/index.html", file.trim_end_matches('/')));
        if !exists {
            let what = if link.image { "image" } else { "link to" };
            return Some(format!(
                "{what} `{path}`: the site has no such page or file"
            ));
        }
        let id = fragment.filter(|f| !f.is_empty())?;
        let page = by_url
            .get(path)
            .or_else(|| by_url.get(format!("{path}/").as_str()))?;
        missing_anchor(page, &id, &format!("`{path}`"))
    }

    /// One warning per term written in more than one spelling, at the first use of the
    /// least common spelling, listing every spelling with its count and files.
    pub fn terms(&self, found: &mut Findings) {
        for tax in &self.site.taxonomies {
            for term in tax.terms.iter().filter(|t| t.spellings.len() > 1) {
                let mut files: BTreeMap<&str, Vec<&Page>> = BTreeMap::new();
                for &i in &term.pages {
                    let page = &self.site.articles[i];
                    for s in tax.kind.terms_of(page) {
                        if term.spellings.contains_key(s) {
                            files.entry(s).or_default().push(page);
                        }
                    }
                }
                let Some((rare, pages)) = files
                    .iter()
                    .filter(|(s, _)| **s != term.name)
                    .min_by_key(|(s, pages)| (pages.len(), **s))
                else {
                    continue;
                };
                let mut listed: Vec<(&&str, &Vec<&Page>)> = files.iter().collect();
                listed.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
                let list: Vec<String> = listed
                    .iter()
                    .map(|(s, pages)| format!("`{s}` ×{} ({})", pages.len(), file_list(pages)))
                    .collect();
                let message = format!(
                    "{} `{}` is written {} ways that warraq merges into one: {}; pick one spelling",
                    match tax.kind {
                        TaxonomyKind::Custom(_) => tax.name.as_str(),
                        kind => kind.singular(),
                    },
                    term.name,
                    files.len(),
                    list.join(", ")
                );
                let key = match tax.kind {
                    TaxonomyKind::Tags => "tags",
                    TaxonomyKind::Topics => "topic",
                    TaxonomyKind::Authors if page_has_authors(pages[0]) => "authors",
                    TaxonomyKind::Authors => "author",
                    TaxonomyKind::Custom(_) => tax.name.as_str(),
                };
                found.push(
                    Severity::Warning,
                    self.located(pages[0], key, rare, message),
                );
            }
        }
    }

    /// Where `needle` is first written in the front matter of `page`'s file, at or after
    /// the line of `key:` (a title may hold the same words as a tag).
    fn located(&self, page: &Page, key: &str, needle: &str, message: String) -> Diagnostic {
        let place = self.texts.get(&page.path).and_then(|text| {
            let split = front_matter::split(text).ok()?;
            let from = front_matter::key_line(&split, key) - split.yaml_line;
            split
                .yaml
                .lines()
                .enumerate()
                .skip(from)
                .find_map(|(i, line)| {
                    let at = line.find(needle)?;
                    Some((split.yaml_line + i, line[..at].chars().count() + 1))
                })
        });
        Diagnostic {
            path: page.path.clone(),
            line: place.map(|p| p.0),
            col: place.map(|p| p.1),
            message,
        }
    }

    /// The line of `key:` in `page`'s front matter (the first YAML line if it is absent).
    fn key(&self, page: &Page, key: &str, message: String) -> Diagnostic {
        let line = self
            .texts
            .get(&page.path)
            .and_then(|t| front_matter::split(t).ok())
            .map(|s| front_matter::key_line(&s, key));
        Diagnostic {
            path: page.path.clone(),
            line,
            col: line.map(|_| 1),
            message,
        }
    }

    /// Articles without a summary or topic, and dates after today.
    pub fn front_matter(&self, found: &mut Findings) {
        let topics = self
            .site
            .taxonomies
            .iter()
            .any(|t| t.kind == TaxonomyKind::Topics);
        for page in self.pages() {
            if page.date > self.today {
                found.push(
                    Severity::Warning,
                    self.key(
                        page,
                        "date",
                        format!(
                            "`date` {} is in the future (today is {}): is the year right?",
                            page.date, self.today
                        ),
                    ),
                );
            }
            if let Some(updated) = page.updated.filter(|u| *u > self.today) {
                found.push(
                    Severity::Warning,
                    self.key(
                        page,
                        "updated",
                        format!(
                            "`updated` {updated} is in the future (today is {})",
                            self.today
                        ),
                    ),
                );
            }
            if page.kind != Kind::Article {
                continue;
            }
            if page.summary_text.is_none() && !page.body.more_marker {
                found.push(Severity::Warning, self.key(page, "summary", 
                    "no `summary`: lists, feeds and search results show the first paragraph instead; write one or two sentences (or put `<!-- more -->` after the paragraphs to show)".to_owned()));
            }
            if topics && page.topic.is_none() {
                found.push(
                    Severity::Warning,
                    self.key(
                        page,
                        "topic",
                        "no `topic`: the article is missing from every topic page; set one"
                            .to_owned(),
                    ),
                );
            }
        }
    }
}

/// `None` if `page` has a heading with `id`, else the message.
fn missing_anchor(page: &Page, id: &str, where_: &str) -> Option<String> {
    if id.is_empty() || page.body.toc.iter().any(|t| t.id == id) {
        return None;
    }
    let slug = crate::text::slug::slugify(id);
    let hint = if page.body.toc.iter().any(|t| t.id == slug) {
        format!(": write `#{slug}`")
    } else if page.body.toc.is_empty() {
        " (it has no headings)".to_owned()
    } else {
        let ids: Vec<String> = page
            .body
            .toc
            .iter()
            .map(|t| format!("`#{}`", t.id))
            .collect();
        format!(": its headings are {}", ids.join(", "))
    };
    Some(format!("no heading `#{id}` in {where_}{hint}"))
}

fn file_list(pages: &[&Page]) -> String {
    let mut names: Vec<String> = pages
        .iter()
        .take(MAX_FILES_LISTED)
        .map(|p| p.rel.display().to_string())
        .collect();
    if pages.len() > MAX_FILES_LISTED {
        names.push(format!("and {} more", pages.len() - MAX_FILES_LISTED));
    }
    names.join(", ")
}

/// The known source whose file name is nearest to the missing one, if near enough.
fn closest_source<'a>(missing: &Path, known: impl Iterator<Item = &'a Path>) -> Option<&'a Path> {
    let name = missing.file_name()?.to_string_lossy().into_owned();
    known
        .filter_map(|k| {
            let d = strsim::levenshtein(&name, &k.file_name()?.to_string_lossy());
            Some((d, k))
        })
        .filter(|(d, _)| *d <= 2.max(name.chars().count() / 4))
        .min()
        .map(|(_, k)| k)
}

/// The path of `to` relative to the folder `from` (both under `content/`), with `/`.
fn relative_path(from: &Path, to: &Path) -> String {
    let parts = |p: &Path| -> Vec<String> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect()
    };
    let (from, to) = (parts(from), parts(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<String> = vec!["..".to_owned(); from.len() - common];
    out.extend(to[common..].iter().cloned());
    out.join("/")
}

/// Whether the page names its authors in an `authors` list (rather than `author`).
fn page_has_authors(page: &Page) -> bool {
    page.authors.len() > 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            relative_path(&p("articles/2019"), &p("articles/2020/b.md")),
            "../2020/b.md"
        );
        assert_eq!(
            relative_path(&p("articles/2019"), &p("articles/2019/b.md")),
            "b.md"
        );
        assert_eq!(
            relative_path(&p(""), &p("articles/2019/b.md")),
            "articles/2019/b.md"
        );
    }

    #[test]
    fn nearest_source_by_file_name() {
        let known = [
            PathBuf::from("articles/2019/مقال-أول.md"),
            PathBuf::from("articles/2020/x.md"),
        ];
        let near = closest_source(
            Path::new("articles/2019/مقال-اول.md"),
            known.iter().map(PathBuf::as_path),
        );
        assert_eq!(near, Some(known[0].as_path()));
        assert_eq!(
            closest_source(
                Path::new("articles/zzzzzzzzz.md"),
                known.iter().map(PathBuf::as_path)
            ),
            None
        );
    }
}

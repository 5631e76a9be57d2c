//! Every URL of an assembled site checked to have one owner: pages, generated lists and
//! files, series, language lists and old addresses; a clash is an error naming both.

use super::{Alias, Pages, Site};
use crate::basics::error::Diagnostic;
use hashbrown::HashMap;
use std::path::PathBuf;

/// Paths the build always writes itself; no page may claim them.
pub const RESERVED: &[&str] = &[
    "/",
    "/404.html",
    "/sitemap.xml",
    "/atom.xml",
    "/robots.txt",
    "/years/",
    "/search/",
    "/page/",
];

/// Two pages with one URL, or a page claiming a generated URL, is an error naming both.
pub(super) fn ensure_unique_urls(site: &Site) -> Vec<Diagnostic> {
    let mut owners: HashMap<String, Option<&PathBuf>> = HashMap::new();
    for r in RESERVED {
        owners.insert((*r).to_owned(), None);
    }
    // Every page of a paginated list is generated: `/tags/x/page/2/` too.
    let numbers = site.config.page_numbers;
    let list = |owners: &mut HashMap<String, Option<&PathBuf>>,
                base: &str,
                count: usize,
                per_page: usize| {
        let pages = Pages::new(count, per_page, numbers);
        for at in 1..=pages.total() {
            owners.insert(pages.url(base, at), None);
        }
    };
    for t in &site.taxonomies {
        list(&mut owners, &t.url(), 0, 1);
        for term in &t.terms {
            list(&mut owners, &term.url, term.pages.len(), t.paginate_by);
        }
    }
    for y in &site.years {
        list(&mut owners, &y.url, y.pages.len(), site.config.paginate_by);
    }
    let mut problems = Vec::new();
    for l in &site.languages {
        if owners.contains_key(&l.url) {
            problems.push(Diagnostic::file(
                std::path::Path::new("site.toml"),
                format!(
                    "`{}` is the list of the site's articles in `{}`, and a taxonomy's path: give the taxonomy another `path`",
                    l.url, l.lang
                ),
            ));
        }
        list(&mut owners, &l.url, l.pages.len(), site.config.paginate_by);
    }
    list(&mut owners, "/", site.home.len(), site.config.paginate_by);
    for s in &site.series {
        owners.insert(s.url.clone(), None);
    }
    owners.insert("/_redirects".to_owned(), None);
    owners.insert("/_redirects/".to_owned(), None);
    for page in site.articles.iter().chain(&site.standalone) {
        let url = page.url.clone();
        let claimed = url.trim_end_matches('/');
        let reserved_prefix = ["/page", "/search"].iter().any(|p| {
            claimed
                .strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        });
        match owners.get(&url) {
            Some(Some(other)) => {
                let is_link = |p: &std::path::Path| {
                    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
                };
                // A symlink to another article is that article twice: the fix is the link.
                let fix = match (is_link(&page.path), is_link(other)) {
                    (true, _) => format!(
                        "this file is a symlink, publishing `{}` a second time: remove the link",
                        other.display()
                    ),
                    (_, true) => format!(
                        "`{}` is a symlink, publishing this file a second time: remove the link",
                        other.display()
                    ),
                    _ => format!(
                        "set a different `slug` in this file or in `{}`",
                        other.display()
                    ),
                };
                problems.push(Diagnostic::file(
                    &page.path,
                    format!(
                        "URL `{url}` is also the URL of `{}`: {fix}",
                        other.display()
                    ),
                ))
            }
            Some(None) => problems.push(Diagnostic::file(
                &page.path,
                format!("URL `{url}` is a page warraq generates: rename the file or set `slug`"),
            )),
            None if reserved_prefix => problems.push(Diagnostic::file(
                &page.path,
                format!(
                    "URL `{url}` is under a path warraq generates: rename the file or set `slug`"
                ),
            )),
            None => {
                owners.insert(url, Some(&page.path));
            }
        }
    }
    // An old address is a file of the output too: it may be no page's, nothing the
    // build writes, and no other page's old address.
    let mut aliases: HashMap<&str, &Alias> = HashMap::new();
    for alias in &site.aliases {
        let at = |message: String| Diagnostic {
            path: alias.owner.clone(),
            line: Some(alias.line),
            col: Some(1),
            message,
        };
        let path = alias.path.as_str();
        let as_folder = format!("{}/", path.trim_end_matches('/'));
        // The search index's and the photos' folders are the build's alone.
        let under_generated = ["/pagefind", "/photos"].iter().any(|p| {
            path.strip_prefix(p)
                .is_some_and(|r| r.is_empty() || r.starts_with('/'))
        });
        match owners.get(path).or_else(|| owners.get(&as_folder)) {
            Some(Some(owner)) if **owner == alias.owner => problems.push(at(format!(
                "alias `{path}` is this article's own URL"
            ))),
            Some(Some(owner)) => problems.push(at(format!(
                "alias `{path}` is the URL of `{}`: an old address must be one no page has now",
                owner.display()
            ))),
            Some(None) => problems.push(at(format!(
                "alias `{path}` is a page warraq generates: remove it from `aliases`"
            ))),
            None if under_generated => problems.push(at(format!(
                "alias `{path}` is under a folder warraq generates: remove it from `aliases`"
            ))),
            None => match aliases.get(path) {
                Some(other) => problems.push(at(format!(
                    "alias `{path}` is also an alias of `{}`: an old address can lead to one page only",
                    other.owner.display()
                ))),
                None => {
                    aliases.insert(path, alias);
                }
            },
        }
    }
    problems
}

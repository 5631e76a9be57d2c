//! Link destinations → [`Target`]s, and source paths → page URLs ([`Targets`]).
//!
//! Authors link to another article the way they see it in their editor, as a path to its
//! file relative to their own: `[x](../2019/other.md#section)`. A file's URL depends on
//! its front matter (`slug`), so once every file is parsed the build fills [`Targets`]
//! (content-relative path → URL) and renders again the bodies that hold such links, whose
//! link pass ([`rewrite`]) replaces such paths with `/articles/<slug>/#section`.
//! `warraq check` uses [`classify`] to find the links that point nowhere.

use percent_encoding::percent_decode_str;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// What a link destination points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A Markdown source file. `rel` is its path under `content/`, or `None` when the
    /// link climbs out of `content/`.
    Source {
        rel: Option<PathBuf>,
        fragment: Option<String>,
    },
    /// A heading of the linking page itself: `#id`.
    Fragment(String),
    /// A path on this site: `/tags/`, or the site's own `base_url` followed by a path.
    Site {
        path: String,
        fragment: Option<String>,
    },
    /// An `http` or `https` URL on another site.
    External(String),
    /// Anything else (`mailto:`, a relative path that is not a `.md` file, ...).
    Other,
}

/// Content-relative source path → URL of the page built from it.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    urls: HashMap<PathBuf, String>,
}

impl Targets {
    pub fn new(entries: impl IntoIterator<Item = (PathBuf, String)>) -> Targets {
        Targets {
            urls: entries.into_iter().collect(),
        }
    }

    /// Records (or changes) the URL of the page built from `rel`; returns true when
    /// that changed what a link to it resolves to.
    pub fn set(&mut self, rel: &Path, url: &str) -> bool {
        match self.urls.get(rel) {
            Some(old) if old == url => false,
            _ => {
                self.urls.insert(rel.to_path_buf(), url.to_owned());
                true
            }
        }
    }

    /// Forgets `rel` (its file was deleted); returns true if it was known.
    pub fn remove(&mut self, rel: &Path) -> bool {
        self.urls.remove(rel).is_some()
    }

    /// The URL of the page built from `rel` (a path under `content/`).
    pub fn url(&self, rel: &Path) -> Option<&str> {
        self.urls.get(rel).map(String::as_str)
    }
}

/// The source files a page's body links to by their path (`../2019/x.md`), as paths
/// under `content/`: links rendered as those pages' URLs.
pub fn sources_linked(page: &crate::sources::page::Page) -> impl Iterator<Item = PathBuf> + '_ {
    page.body.links.iter().filter(|l| !l.image).filter_map(|l| {
        match classify(&l.dest, &page.rel, "") {
            Target::Source { rel: Some(rel), .. } => Some(rel),
            _ => None,
        }
    })
}

/// Whether a page's body links to a page's source file by its path: a link rendered as
/// that page's URL (one of `targets`).
pub fn links_to_sources(page: &crate::sources::page::Page, targets: &Targets) -> bool {
    sources_linked(page).any(|rel| targets.url(&rel).is_some())
}

/// What `dest`, written in the file at `from` (its path under `content/`), points at.
/// `base_url` is the site's own, so absolute links to the site count as site paths.
pub fn classify(dest: &str, from: &Path, base_url: &str) -> Target {
    let dest = dest.trim();
    if let Some(id) = dest.strip_prefix('#') {
        return Target::Fragment(decode(id));
    }
    let (path, fragment) = split_fragment(dest);
    if let Some(rest) = strip_base_url(path, base_url) {
        return Target::Site {
            path: decode(rest),
            fragment,
        };
    }
    if path.starts_with('/') && !path.starts_with("//") {
        return Target::Site {
            path: decode(path),
            fragment,
        };
    }
    if has_scheme(path) || path.starts_with("//") {
        let lower = dest.to_ascii_lowercase();
        return if lower.starts_with("http://") || lower.starts_with("https://") {
            Target::External(dest.to_owned())
        } else {
            Target::Other
        };
    }
    let path = path.split('?').next().unwrap_or("");
    let decoded = decode(path);
    if !decoded.to_lowercase().ends_with(".md") {
        return Target::Other;
    }
    let dir = from.parent().unwrap_or(Path::new(""));
    Target::Source {
        rel: join_inside(dir, &decoded),
        fragment,
    }
}

/// The destination a link is rewritten to: a `.md` source that exists becomes its page's
/// URL (keeping the `#fragment` as written); everything else is left as written (`None`).
pub fn rewrite(dest: &str, from: &Path, targets: &Targets) -> Option<String> {
    let Target::Source { rel: Some(rel), .. } = classify(dest, from, "") else {
        return None;
    };
    let url = targets.url(&rel)?;
    let dest = dest.trim();
    Some(match dest.find('#') {
        Some(i) => format!("{url}{}", &dest[i..]),
        None => url.to_owned(),
    })
}

fn split_fragment(dest: &str) -> (&str, Option<String>) {
    match dest.split_once('#') {
        Some((path, id)) => (path, Some(decode(id))),
        None => (dest, None),
    }
}

/// `https://site.example/x/` → `/x/` when `base_url` is `https://site.example`.
fn strip_base_url<'a>(path: &'a str, base_url: &str) -> Option<&'a str> {
    let base = base_url.trim_end_matches('/');
    if base.is_empty() {
        return None;
    }
    let rest = path.strip_prefix(base)?;
    match rest {
        "" => Some("/"),
        r if r.starts_with('/') => Some(r),
        _ => None,
    }
}

/// A URL scheme (`https:`, `mailto:`) before any `/`, `?` or `#`.
fn has_scheme(dest: &str) -> bool {
    let end = dest.find(['/', '?', '#']).unwrap_or(dest.len());
    match dest[..end].find(':') {
        Some(i) => {
            i > 0
                && dest[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Percent-decoding (`%D9%85` → `م`); undecodable input is kept as written.
fn decode(s: &str) -> String {
    percent_decode_str(s)
        .decode_utf8()
        .map_or_else(|_| s.to_owned(), |c| c.into_owned())
}

/// `dir` joined with the relative `path`, `.` and `..` resolved; `None` if it climbs out.
fn join_inside(dir: &Path, path: &str) -> Option<PathBuf> {
    let mut parts: Vec<String> = dir
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p.to_owned()),
        }
    }
    Some(parts.iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: &str = "articles/2019/a.md";

    fn c(dest: &str) -> Target {
        classify(dest, Path::new(FROM), "https://site.example")
    }

    #[test]
    fn relative_md_paths_are_sources() {
        assert_eq!(
            c("../2020/b.md#قسم"),
            Target::Source {
                rel: Some(PathBuf::from("articles/2020/b.md")),
                fragment: Some("قسم".into())
            }
        );
        assert_eq!(
            c("b.md"),
            Target::Source {
                rel: Some(PathBuf::from("articles/2019/b.md")),
                fragment: None
            }
        );
        assert_eq!(
            c("./%D9%85%D9%82%D8%A7%D9%84.md"),
            Target::Source {
                rel: Some(PathBuf::from("articles/2019/مقال.md")),
                fragment: None
            }
        );
        assert_eq!(
            c("../../../etc/x.md"),
            Target::Source {
                rel: None,
                fragment: None
            }
        );
    }

    #[test]
    fn other_kinds() {
        assert_eq!(
            c("#الخيار-العسكرى"),
            Target::Fragment("الخيار-العسكرى".into())
        );
        assert_eq!(
            c("/tags/x/#y"),
            Target::Site {
                path: "/tags/x/".into(),
                fragment: Some("y".into())
            }
        );
        assert_eq!(
            c("https://site.example/about/"),
            Target::Site {
                path: "/about/".into(),
                fragment: None
            }
        );
        assert_eq!(
            c("https://other.example/x.md"),
            Target::External("https://other.example/x.md".into())
        );
        assert_eq!(c("//cdn.example/x"), Target::Other);
        assert_eq!(c("mailto:a@b.md"), Target::Other);
        assert_eq!(c("images/a.jpg"), Target::Other);
    }

    #[test]
    fn rewrites_known_sources_only() {
        let t = Targets::new([(
            PathBuf::from("articles/2020/b.md"),
            "/articles/بي/".to_owned(),
        )]);
        let from = Path::new(FROM);
        assert_eq!(
            rewrite("../2020/b.md#قسم", from, &t).as_deref(),
            Some("/articles/بي/#قسم")
        );
        assert_eq!(
            rewrite("../2020/b.md", from, &t).as_deref(),
            Some("/articles/بي/")
        );
        assert_eq!(rewrite("../2020/missing.md", from, &t), None);
        assert_eq!(rewrite("https://x.example/b.md", from, &t), None);
    }
}

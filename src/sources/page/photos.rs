//! A page's photos: the body's images and the front matter's `image` resolved to the
//! site's photos ([`crate::photos`]) while the page is parsed, each problem kept at its
//! place; and the body's `<picture>` markup when it is rendered.

use super::{front_matter, LinkRef, Page};
use crate::basics::config::Config;
use crate::basics::error::{Diagnostic, Located};
use crate::photos::{Photo, Photos};
use crate::sources::links::{self, Targets};
use crate::sources::markdown;
use crate::text::slug::strip_invisible;
use std::path::Path;
use std::sync::Arc;

/// A page's lead photo and what its front matter says of it.
#[derive(Debug, Clone)]
pub struct Lead {
    pub photo: Arc<Photo>,
    /// The line of `image` in the file.
    pub line: usize,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

/// A photo of the site a page's body shows, where, and with what alt text.
#[derive(Debug, Clone)]
pub struct PhotoUse {
    /// The destination as written.
    pub dest: String,
    pub photo: Arc<Photo>,
    pub line: usize,
    pub col: usize,
}

/// What a body's links and photos become: links to source files rewritten through
/// `targets`; photos of the site as their `<picture>`, found through `photos` while
/// parsing, or among the `known` photos of a parsed page when it is rendered again.
pub(super) struct Resolver<'a> {
    pub rel: &'a Path,
    pub targets: &'a Targets,
    pub config: &'a Config,
    pub photos: Option<&'a Photos>,
    pub known: &'a [PhotoUse],
}

impl Resolver<'_> {
    fn photo_at(&self, dest: &str) -> Option<Arc<Photo>> {
        if let Some(photos) = self.photos {
            return photos.resolve(dest, self.rel)?.ok();
        }
        self.known
            .iter()
            .find(|u| u.dest == dest)
            .map(|u| u.photo.clone())
    }
}

impl markdown::Resolve for Resolver<'_> {
    fn link(&self, dest: &str) -> Option<String> {
        links::rewrite(dest, self.rel, self.targets)
    }

    fn photo(&self, dest: &str, alt: &str) -> Option<String> {
        let photo = self.photo_at(dest)?;
        let shown = crate::photos::markup::Shown {
            alt,
            sizes: &self.config.photos.sizes,
            lead: false,
        };
        Some(crate::photos::markup::picture(&photo, shown))
    }
}

/// The photos of the site among a body's images; one that cannot be used is a problem
/// at its place.
pub(super) fn photos_of(
    photos: &Photos,
    rel: &Path,
    links: &[LinkRef],
    problems: &mut Vec<Located>,
) -> Vec<PhotoUse> {
    let mut found = Vec::new();
    for l in links.iter().filter(|l| l.image) {
        match photos.resolve(&l.dest, rel) {
            None => {}
            Some(Ok(photo)) => found.push(PhotoUse {
                dest: l.dest.clone(),
                photo,
                line: l.line,
                col: l.col,
            }),
            Some(Err(problem)) => problems.push(Located::at(l.line, l.col, problem)),
        }
    }
    found
}

/// The lead photo `dest` (the front matter's `image`).
pub(super) fn lead(
    photos: &Photos,
    split: &front_matter::Split<'_>,
    fm: &front_matter::FrontMatter,
    rel: &Path,
    dest: &str,
) -> Result<Lead, Located> {
    let line = front_matter::key_line(split, "image");
    let at = |m: String| Located::at(line, 1, m);
    let photo = match photos.resolve(dest, rel) {
        Some(Ok(photo)) => photo,
        Some(Err(problem)) => return Err(at(format!("`image`: {problem}"))),
        None => {
            return Err(at(format!(
                "`image`: `{}` is not a photo of the site: name a JPEG, PNG, WebP, GIF or \
                 SVG file beside the article (or under `static/`, from `/`)",
                dest.trim()
            )))
        }
    };
    let clean = |s: &Option<String>| {
        s.as_ref()
            .map(|t| strip_invisible(t.trim()))
            .filter(|t| !t.is_empty())
    };
    Ok(Lead {
        photo,
        line,
        alt: clean(&fm.image_alt).unwrap_or_default(),
        caption: clean(&fm.image_caption),
        credit: clean(&fm.image_credit),
    })
}

/// The problems of the photos `pages` name, each at its place in its file.
pub fn photo_problems<'p>(pages: impl Iterator<Item = &'p Page>) -> Vec<Diagnostic> {
    pages
        .flat_map(|p| {
            p.body
                .photo_problems
                .iter()
                .map(|l| l.clone().in_file(&p.path))
        })
        .collect()
}

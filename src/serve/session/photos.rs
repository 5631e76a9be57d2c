//! The dev server's photos: which articles show a changed photo, whether it is one of
//! the whole site's (a full rebuild), and publishing them after their pages, so that a
//! reload never waits for encoding ([`Session::publish_pending`]).

use super::{Edit, Session, Update};
use crate::basics::error::BuildFailed;
use crate::build::sink::{InPlace, Sink as _};
use crate::photos::publish::{Encode, Published, Use};
use crate::photos::Photo;
use crate::serve::watch::Change;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The photos of the whole site, as the last full rebuild found them.
#[derive(Default)]
pub(super) struct SitePhotos {
    pub default_image: Option<Arc<Photo>>,
    pub logo: Option<Arc<Photo>>,
}

impl Session {
    /// Whether a photo of the whole site (the default image, the logo, one a template
    /// asked for) is among `changes`: every page may name it.
    pub(super) fn site_photo_changed(&self, changes: &[Change]) -> bool {
        changes.iter().any(|c| match c {
            Change::Content(p) | Change::Static(p) => self.is_site_photo(p),
            _ => false,
        })
    }

    /// Parses again the articles that show the photo at `path` (it may have new names,
    /// or be gone), recording each edit; false when none shows it.
    pub(super) fn reload_showing(&mut self, path: &Path, edits: &mut Vec<Edit>) -> bool {
        let showing = self.pages_showing(path);
        for page in &showing {
            edits.push(self.reload_edit(page));
        }
        !showing.is_empty()
    }

    /// Publishes the photos of `uses` and those the templates asked for, leaving those
    /// to encode for [`Session::publish_pending`]; the files changed.
    pub(super) fn publish_shown(&mut self, mut uses: Vec<Use>) -> Result<Vec<String>> {
        uses.extend(self.photos.requested().into_iter().map(Use::of_site));
        if uses.is_empty() {
            return Ok(Vec::new());
        }
        let (published, written) = self.publish(uses, Encode::Later)?;
        self.pending.extend(published.pending);
        Ok(written)
    }

    /// The articles that show the photo at `path` (or tried to: a photo that was
    /// missing makes its article broken until it appears).
    pub(super) fn pages_showing(&self, path: &Path) -> Vec<PathBuf> {
        if crate::sources::content::is_article_name(path) {
            return Vec::new();
        }
        let same = |file: &Path| crate::photos::same_file(file, path);
        let mut found: Vec<PathBuf> = self
            .pages
            .values()
            .filter(|p| {
                p.image.iter().any(|l| same(&l.photo.file))
                    || p.body.photos.iter().any(|u| same(&u.photo.file))
                    || !p.body.photo_problems.is_empty()
            })
            .map(|p| p.path.clone())
            .collect();
        found.extend(
            self.broken
                .keys()
                .filter(|b| crate::sources::content::is_article_name(b))
                .cloned(),
        );
        found.sort();
        found.dedup();
        found
    }

    /// Whether `path` is one of the photos of the whole site.
    pub(super) fn is_site_photo(&self, path: &Path) -> bool {
        let SitePhotos {
            default_image,
            logo,
        } = &self.site_photos;
        let same = |p: &Photo| crate::photos::same_file(&p.file, path);
        default_image.iter().chain(logo).any(|p| same(p))
            || self.photos.requested().iter().any(|p| same(p))
    }

    /// Whether some photos shown are not encoded yet.
    pub fn photos_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Encodes the photos left for later and puts them in the output.
    pub fn publish_pending(&mut self) -> Result<Update> {
        let started = Instant::now();
        let uses = std::mem::take(&mut self.pending);
        let (published, changed) = self.publish(uses, Encode::Now)?;
        Ok(Update {
            changed,
            rendered: published.encoded,
            css_only: false,
            elapsed: started.elapsed(),
        })
    }

    /// Publishes the photos of `uses` into the output; the files changed.
    fn publish(&self, uses: Vec<Use>, encode: Encode) -> Result<(Published, Vec<String>)> {
        let sink = InPlace::new(&self.output);
        let published =
            crate::photos::publish::publish(&self.photos, uses, encode, &|rel, from| {
                sink.write_file(rel, from)
            })
            .map_err(BuildFailed::from)?;
        self.photos.save();
        Ok((published, sink.into_changed()))
    }
}

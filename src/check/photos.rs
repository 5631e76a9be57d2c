//! `check`'s photo findings: the site's pages in, errors for photos that cannot be
//! published and warnings for photos without alt text or with an animation dropped out.

use super::site_checks::Context;
use super::{Findings, Severity};
use crate::basics::error::Diagnostic;
use crate::sources::page::{LinkRef, Page};

impl Context<'_> {
    /// Photos: the problems of those that cannot be published are errors; a photo
    /// without alt text, and one whose animation is dropped, are warnings.
    pub fn photos(&self, found: &mut Findings) {
        for d in crate::sources::page::photo_problems(self.pages()) {
            found.push(Severity::Error, d);
        }
        for page in self.pages() {
            let text = self.texts.get(&page.path);
            let at = |line: usize, col: usize, message: String| Diagnostic {
                path: page.path.clone(),
                line: Some(line),
                col: Some(col),
                message,
            };
            if let Some(lead) = &page.image {
                if lead.alt.is_empty() {
                    found.push(
                        Severity::Warning,
                        at(lead.line, 1, "`image` has no `image_alt`: describe the photo for readers who cannot see it".to_owned()),
                    );
                }
            }
            for u in &page.body.photos {
                let no_alt = text.is_some_and(|t| alt_is_empty(t, u.line, u.col));
                if no_alt {
                    found.push(
                        Severity::Warning,
                        at(u.line, u.col, format!("photo `{}` has no alt text: write what it shows between the brackets, `![…]({})`", u.dest, u.dest)),
                    );
                }
            }
            let animated = page
                .image
                .iter()
                .map(|l| (&l.photo, l.line, 1))
                .chain(page.body.photos.iter().map(|u| (&u.photo, u.line, u.col)));
            for (photo, line, col) in animated.filter(|(p, _, _)| p.animated) {
                let name = photo
                    .file
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                found.push(
                    Severity::Warning,
                    at(line, col, format!("photo `{name}` may be animated (GIF or animated WebP): only its first frame is published, as a still photo")),
                );
            }
        }
    }
}

/// Whether the image at `link`'s place is a photo of the site (published, or with a
/// problem the photo check reports).
pub(super) fn is_photo(page: &Page, link: &LinkRef) -> bool {
    page.body
        .photos
        .iter()
        .any(|u| u.line == link.line && u.col == link.col)
        || page
            .body
            .photo_problems
            .iter()
            .any(|l| l.line == link.line && l.col == link.col)
}

/// Whether the image written at `line`:`col` of `text` (its `![`) has no alt text.
fn alt_is_empty(text: &str, line: usize, col: usize) -> bool {
    let Some(l) = text.lines().nth(line.saturating_sub(1)) else {
        return false;
    };
    let rest: String = l.chars().skip(col.saturating_sub(1)).collect();
    let rest = rest.trim_start_matches('!');
    rest.starts_with("[]") || rest.starts_with("[ ]")
}

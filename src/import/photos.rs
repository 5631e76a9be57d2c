//! `warraq import --images DIR`: the article's photo files, in the order of its
//! captions. The article then becomes a folder article (`<YYYY>/<slug>/index.md`) with
//! its photos beside it (`photo-1.jpg`, ...); each caption shows its photo.

use super::{Block, Imported};
use anyhow::{bail, Context as _, Result};
use std::path::{Path, PathBuf};

/// The photo files in `dir`, by name: JPEG, PNG, WebP or GIF, checked to be what their
/// names say. Other files are left out, and hidden ones.
pub fn photos_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the photo folder `{}`", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot read the photo folder `{}`", dir.display()))?
            .path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'));
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let photo = matches!(
            ext.as_deref(),
            Some("jpg" | "jpeg" | "png" | "webp" | "gif")
        );
        if !hidden && photo && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    for file in &files {
        // By its bytes, not its name.
        let head =
            std::fs::read(file).with_context(|| format!("cannot read `{}`", file.display()))?;
        let format = image::guess_format(&head[..head.len().min(64)]).ok();
        let known = [
            image::ImageFormat::Jpeg,
            image::ImageFormat::Png,
            image::ImageFormat::WebP,
            image::ImageFormat::Gif,
        ];
        if !format.is_some_and(|f| known.contains(&f)) {
            bail!(
                "`{}` is not a photo (its bytes are not JPEG, PNG, WebP or GIF): nothing was written",
                file.display()
            );
        }
    }
    Ok(files)
}

/// A photo the import takes: where it is, and its name beside the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub from: PathBuf,
    pub name: String,
}

impl Imported {
    /// Gives the captions their photos, in order (`photo-1.jpg` for the first caption);
    /// what does not pair up is said in the notes.
    pub fn attach_photos(&mut self, files: &[PathBuf]) {
        let captions = self.counts().2;
        self.photos = files
            .iter()
            .take(captions)
            .enumerate()
            .map(|(i, from)| {
                let ext = from
                    .extension()
                    .and_then(|e| e.to_str())
                    .map_or_else(|| "jpg".to_owned(), str::to_ascii_lowercase);
                Taken {
                    from: from.clone(),
                    name: format!("photo-{}.{ext}", i + 1),
                }
            })
            .collect();
        if files.len() > captions {
            let left: Vec<String> = files[captions..]
                .iter()
                .map(|f| format!("`{}`", f.display()))
                .collect();
            self.notes.push(format!(
                "{} photo{} more than captions, not taken: {}",
                left.len(),
                if left.len() == 1 { "" } else { "s" },
                left.join(", ")
            ));
        }
        if captions > files.len() {
            self.notes.push(format!(
                "{} of {captions} captions have no photo: they stay captions only (`![caption]()`)",
                captions - files.len()
            ));
        }
    }

    /// The photo of each caption, in the order of the body's captions (`None` past the
    /// photos given).
    pub(super) fn caption_photos(&self) -> impl Iterator<Item = Option<&str>> {
        let mut names = self.photos.iter().map(|t| t.name.as_str());
        self.blocks.iter().map(move |b| match b {
            Block::Caption(_) => names.next(),
            _ => None,
        })
    }
}

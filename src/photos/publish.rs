//! The photos a run's pages name → their files in the output: each output file is taken
//! from the cache, and encoded into it first when it is not there ([`super::encode`]).
//! A photo named by many articles, or twice in one, is decoded at most once; a run
//! whose photos are all cached encodes nothing.

use super::{encode, Output, Photo, Photos};
use crate::basics::error::Diagnostic;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// Output files, each with its key.
type Files = Vec<(String, u64)>;

/// Where an article names a photo: for messages about the photo.
#[derive(Debug, Clone)]
pub struct Use {
    pub photo: Arc<Photo>,
    pub article: PathBuf,
    pub line: usize,
    pub col: usize,
    /// A lead photo (or the site's default image): its social card is published too.
    pub lead: bool,
}

impl Use {
    /// A photo of the whole site (the default image, the logo, one a template asked
    /// for): named by no article, so problems name the photo's own file.
    pub fn of_site(photo: Arc<Photo>) -> Use {
        Use {
            article: photo.file.clone(),
            photo,
            line: 1,
            col: 1,
            lead: true,
        }
    }
}

/// Where `pages` show photos of the site: their lead photos and those in their bodies.
pub fn uses_of_pages<'p>(pages: impl Iterator<Item = &'p crate::sources::page::Page>) -> Vec<Use> {
    let mut uses = Vec::new();
    for page in pages {
        let lead = page.image.iter().map(|l| (&l.photo, l.line, 1, true));
        let body = page
            .body
            .photos
            .iter()
            .map(|u| (&u.photo, u.line, u.col, false));
        for (photo, line, col, lead) in lead.chain(body) {
            uses.push(Use {
                photo: photo.clone(),
                article: page.path.clone(),
                line,
                col,
                lead,
            });
        }
    }
    uses
}

/// What publishing did.
#[derive(Debug, Default)]
pub struct Published {
    /// Every output file with its key (the manifest's lines).
    pub files: Vec<(String, u64)>,
    /// Output files encoded by this run (the rest came from the cache).
    pub encoded: usize,
    /// Photos with more than one frame, of which only the first is published.
    pub animated: Vec<Use>,
    /// Photos left for later: not all their files were in the cache, and the run was
    /// asked not to encode (`serve` shows its pages first).
    pub pending: Vec<Use>,
}

/// Whether a run encodes the photos the cache lacks, or leaves them for later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encode {
    Now,
    Later,
}

/// Puts the files of every photo in `uses` into the output through `put(name, file)`
/// (`file`: the cached file to take it from), encoding into the cache what it lacks.
/// Every problem is returned, each at the first article naming that photo.
pub fn publish(
    photos: &Photos,
    uses: Vec<Use>,
    encode: Encode,
    put: &(dyn Fn(&str, &Path) -> Result<(), Diagnostic> + Sync),
) -> Result<Published, Vec<Diagnostic>> {
    // One entry per published photo, at its first use: files of the same bytes and
    // name (one photo copied beside two articles) are published once, under one name.
    let mut by_file: BTreeMap<String, Use> = BTreeMap::new();
    for u in uses {
        let lead = u.lead;
        let name = u.photo.variants.first().map(|v| v.fallback.clone());
        let name = name.unwrap_or_else(|| u.photo.file.display().to_string());
        by_file.entry(name).or_insert(u).lead |= lead;
    }
    let cache = photos.cache();
    let encoded = AtomicUsize::new(0);
    let results: Vec<Result<Option<Files>, Diagnostic>> = by_file
        .values()
        .collect::<Vec<_>>()
        .into_par_iter()
        .with_max_len(1)
        .map(|u| {
            let Some((files, made)) = one(photos, &cache, u, encode, put)? else {
                return Ok(None);
            };
            encoded.fetch_add(made, Ordering::Relaxed);
            Ok(Some(files))
        })
        .collect();
    let mut published = Published {
        encoded: encoded.into_inner(),
        animated: by_file
            .values()
            .filter(|u| u.photo.animated)
            .cloned()
            .collect(),
        ..Published::default()
    };
    let mut problems = Vec::new();
    for (r, u) in results.into_iter().zip(by_file.values()) {
        match r {
            Ok(Some(files)) => published.files.extend(files),
            Ok(None) => published.pending.push(u.clone()),
            Err(d) => problems.push(d),
        }
    }
    published.files.sort_unstable();
    published.files.dedup();
    if problems.is_empty() {
        Ok(published)
    } else {
        Err(problems)
    }
}

/// Bytes of decoded pixels the photos being encoded may hold at once: one photo larger
/// than this (up to the `max_megapixels` limit) is decoded alone.
const DECODED_BYTES: u64 = 256 << 20;

static BUDGET: Budget = Budget {
    left: Mutex::new(DECODED_BYTES),
    freed: Condvar::new(),
};

/// A count of bytes that encodings take and give back, waiting while too few are left.
struct Budget {
    left: Mutex<u64>,
    freed: Condvar,
}

/// Bytes taken from the [`Budget`], given back on drop.
struct Held(u64);

impl Budget {
    fn take(&'static self, bytes: u64) -> Held {
        // A photo larger than the whole budget waits for all of it.
        let bytes = bytes.min(DECODED_BYTES);
        let mut left = self.left.lock().unwrap_or_else(|e| e.into_inner());
        while *left < bytes {
            left = self.freed.wait(left).unwrap_or_else(|e| e.into_inner());
        }
        *left -= bytes;
        Held(bytes)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut left = BUDGET.left.lock().unwrap_or_else(|e| e.into_inner());
        *left += self.0;
        BUDGET.freed.notify_all();
    }
}

/// The cache file of an output.
pub fn cached(cache: &Path, key: u64, output: Output) -> PathBuf {
    cache.join(format!("{key:016x}.{}", output.extension()))
}

/// Publishes one photo: its output files and how many were encoded; `None` when it
/// needs encoding and `encode` says later.
fn one(
    photos: &Photos,
    cache: &Path,
    u: &Use,
    encode: Encode,
    put: &(dyn Fn(&str, &Path) -> Result<(), Diagnostic> + Sync),
) -> Result<Option<(Files, usize)>, Diagnostic> {
    let photo = &u.photo;
    let at = |message: String| Diagnostic {
        path: u.article.clone(),
        line: Some(u.line),
        col: Some(u.col),
        message,
    };
    let shown = photo
        .file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut outputs = photo.outputs();
    if !u.lead {
        outputs.retain(|(_, _, out)| !matches!(out, Output::Card(..)));
    }
    let missing: Vec<&(String, u64, Output)> = outputs
        .iter()
        .filter(|(_, key, out)| *out != Output::Copy && !cached(cache, *key, *out).is_file())
        .collect();
    if !missing.is_empty() && encode == Encode::Later {
        return Ok(None);
    }
    if !missing.is_empty() {
        // Decoded photos share a memory budget, so that peak memory does not grow with
        // the number of threads or photos.
        // About 8 bytes a pixel at the peak: a 16-bit decode, its 8-bit copy, the
        // colour conversion's.
        let _held = BUDGET.take(u64::from(photo.width) * u64::from(photo.height) * 8);
        let pixels = encode::decode(photo, photos.settings())
            .map_err(|m| at(format!("photo `{shown}` {m}")))?;
        let kinds: Vec<Output> = missing.iter().map(|(_, _, o)| *o).collect();
        let made = encode::make_all(&pixels, &kinds, photos.settings().quality)
            .map_err(|m| at(format!("photo `{shown}` {m}")))?;
        drop(pixels);
        for ((_, key, out), bytes) in missing.iter().zip(made) {
            let file = cached(cache, *key, *out);
            super::probe::write_atomically(&file, &bytes).map_err(|e| {
                Diagnostic::file(&file, format!("cannot write the photo cache: {e}"))
            })?;
        }
    }
    let mut files = Vec::with_capacity(outputs.len());
    for (name, key, out) in &outputs {
        let from = cached(cache, *key, *out);
        // An SVG is published as its bytes were checked, from the cache: never linked to
        // the source, which an editor may change in place.
        if *out == Output::Copy && !from.is_file() {
            let bytes = encode::read(photo).map_err(|m| at(format!("photo `{shown}` {m}")))?;
            super::probe::write_atomically(&from, &bytes).map_err(|e| {
                Diagnostic::file(&from, format!("cannot write the photo cache: {e}"))
            })?;
        }
        put(name, &from)?;
        files.push((name.clone(), *key));
    }
    Ok(Some((files, missing.len())))
}

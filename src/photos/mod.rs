//! Photos: an article's image references in, the photos they name out, each probed
//! once ([`Photo`]: its size, its content's hash, the files it will be published as).
//!
//! A photo named in an article (`![alt](photo-1.jpg "caption")`, or `image:` in its front
//! matter) is resolved against the article's folder; one written from the root
//! (`/shared/x.jpg`) against the site's `static/`. Probing reads the file once, hashes
//! it and reads its header (dimensions, EXIF orientation); nothing is decoded. What a
//! photo is published as is decided from that alone ([`Variant`]: a set of widths, each
//! as WebP and JPEG, and a 1200×630 card for social networks), named by a hash of the
//! source's bytes and of every parameter, so pages are rendered before any photo is
//! encoded and an unchanged photo keeps its names. [`publish`] encodes what the cache
//! does not hold yet ([`encode`]) and puts the files in the output; [`markup`] writes
//! the `<picture>` elements.

pub mod encode;
pub mod markup;
mod probe;
pub mod publish;

use crate::basics::config::PhotoSettings;
use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use probe::Format;

/// Where the published photos go, under the output folder.
pub const DIR: &str = "photos";

/// Changes whenever what an encoding makes changes (the encoders, their settings, the
/// resizing filter): every cached file and published name changes with it, as with the
/// version of libwebp ([`encoder_version`]).
pub const ENCODER_VERSION: &str =
    "warraq-photos 1; image 0.25; fast_image_resize 6 lanczos3; jpeg-encoder 0.7; webp 0.3";

/// [`ENCODER_VERSION`] and the version of the libwebp linked in.
pub fn encoder_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        // SAFETY: a C function without arguments that returns a constant.
        let webp = unsafe { libwebp_sys::WebPGetEncoderVersion() };
        format!(
            "{ENCODER_VERSION}; libwebp {}.{}.{}",
            (webp >> 16) & 0xff,
            (webp >> 8) & 0xff,
            webp & 0xff
        )
    })
}

/// The card social networks show for a shared link (`og:image`): 1200×630, cropped from
/// the photo's centre.
pub const CARD: (u32, u32) = (1200, 630);

/// One source photo and the files it is published as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// The source file.
    pub file: PathBuf,
    /// Hash of the file's bytes.
    pub hash: u64,
    pub format: Format,
    /// Width and height as shown (after the EXIF orientation); 0 for SVG.
    pub width: u32,
    pub height: u32,
    /// A GIF or an animated WebP: only its first frame is published.
    pub animated: bool,
    /// Each width it is published at, smallest first (one entry, the file as it is, for
    /// SVG).
    pub variants: Vec<Variant>,
    /// The social card (none for SVG).
    pub card: Option<Variant>,
}

/// One published size of a photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    /// Output paths (under the output folder) of the WebP and of the fallback (JPEG; for
    /// SVG both are the copied file).
    pub webp: String,
    pub fallback: String,
    /// The cache key of the pair: a hash of the source's bytes, this variant's
    /// parameters and [`ENCODER_VERSION`].
    pub key: u64,
}

impl Photo {
    /// Every output file of this photo with its cache key, and what it is.
    pub fn outputs(&self) -> Vec<(String, u64, Output)> {
        let mut out = Vec::new();
        if self.format == Format::Svg {
            if let Some(v) = self.variants.first() {
                out.push((v.fallback.clone(), v.key, Output::Copy));
            }
            return out;
        }
        for v in &self.variants {
            out.push((v.webp.clone(), v.key, Output::Webp(v.width, v.height)));
            out.push((v.fallback.clone(), v.key, Output::Jpeg(v.width, v.height)));
        }
        if let Some(c) = &self.card {
            out.push((c.fallback.clone(), c.key, Output::Card(c.width, c.height)));
        }
        out
    }

    /// The variant a plain `<img src>` and a card thumbnail use: the smallest at least
    /// `width` wide, else the largest.
    pub fn at_least(&self, width: u32) -> Option<&Variant> {
        self.variants
            .iter()
            .find(|v| v.width >= width)
            .or(self.variants.last())
    }
}

/// What one output file of a photo is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Webp(u32, u32),
    Jpeg(u32, u32),
    Card(u32, u32),
    /// The source as it is (SVG).
    Copy,
}

impl Output {
    /// The cache file's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Output::Webp(..) => "webp",
            Output::Jpeg(..) => "jpg",
            Output::Card(..) => "card.jpg",
            Output::Copy => "svg",
        }
    }
}

/// Why a photo cannot be used, in words for the article's author.
pub type Problem = String;

/// Each file probed, by path: its stamp when probed, and what it held.
type Probed = HashMap<PathBuf, (probe::Stamp, Result<Arc<Photo>, Problem>)>;

/// The photos of one run: each file probed once, whatever number of articles name it.
pub struct Photos {
    root: PathBuf,
    settings: PhotoSettings,
    probed: Mutex<Probed>,
    /// What earlier runs learnt of each file (its hash and header), by its stamp.
    known: probe::Known,
    /// Photos the templates asked for ([`Photos::request`]), by path from the site's
    /// root: those of earlier runs (kept in the cache folder, since an output a run
    /// reuses does not ask again) and this run's.
    requested_before: BTreeSet<String>,
    requested: Mutex<BTreeSet<String>>,
}

impl Photos {
    /// The photos of the site at `root`, published as `settings` say.
    pub fn new(root: &Path, settings: &PhotoSettings) -> Photos {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let known = probe::Known::load(&cache_dir(&root));
        let requested_before: BTreeSet<String> =
            std::fs::read_to_string(cache_dir(&root).join(REQUESTED_FILE))
                .map(|t| t.lines().map(str::to_owned).collect())
                .unwrap_or_default();
        Photos {
            root,
            settings: settings.clone(),
            probed: Mutex::default(),
            known,
            requested: Mutex::new(requested_before.clone()),
            requested_before,
        }
    }

    pub fn settings(&self) -> &PhotoSettings {
        &self.settings
    }

    /// The cache folder: beside the site's sources, never in the output.
    pub fn cache(&self) -> PathBuf {
        cache_dir(&self.root)
    }

    /// The photo an article at `rel` (its path under `content/`) names as `dest`:
    /// `None` when `dest` is not a photo of the site (an address elsewhere, a file type
    /// that is not a photo), else the photo or why it cannot be used.
    pub fn resolve(&self, dest: &str, rel: &Path) -> Option<Result<Arc<Photo>, Problem>> {
        let path = match locate(dest, rel)? {
            Ok(p) => p,
            Err(problem) => return Some(Err(problem)),
        };
        Some(self.photo_at(&self.root.join(path)))
    }

    /// The photo in the file at `path`, probed once per content.
    pub fn photo_at(&self, path: &Path) -> Result<Arc<Photo>, Problem> {
        let stamp = probe::stamp_of(path);
        if let Some((seen, result)) = self.lock().get(path) {
            if *seen == stamp && stamp.is_some() {
                return result.clone();
            }
        }
        let result = probe::probe(path, &self.root, &self.settings, &self.known, stamp)
            .map(|facts| Arc::new(plan(path, facts, &self.settings)));
        self.lock()
            .insert(path.to_path_buf(), (stamp, result.clone()));
        result
    }

    /// The photo a template asks for by its path from the site's root
    /// (`static/logo.png`), remembered so that it is published.
    pub fn request(&self, path: &str) -> Result<Arc<Photo>, Problem> {
        let rel = locate_from_root(path)?;
        let photo = self.photo_at(&self.root.join(&rel))?;
        self.requested
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.to_string_lossy().into_owned());
        Ok(photo)
    }

    /// The photos templates asked for, in this run or earlier ones, that can be
    /// published.
    pub fn requested(&self) -> Vec<Arc<Photo>> {
        let paths = self
            .requested
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        paths
            .iter()
            .filter_map(|p| self.photo_at(&self.root.join(p)).ok())
            .collect()
    }

    /// A hash of the photos templates asked for in earlier runs, as they are now: a page
    /// that shows one must be rendered again when it changes.
    pub fn requested_version(&self) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for path in &self.requested_before {
            h.update(path.as_bytes());
            if let Ok(photo) = self.photo_at(&self.root.join(path)) {
                h.update(&photo.hash.to_le_bytes());
            }
        }
        h.digest()
    }

    /// Saves what was learnt of the files probed (their hashes), for the next run.
    pub fn save(&self) {
        let requested = self
            .requested
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if requested != self.requested_before {
            let text: String = requested.iter().map(|p| format!("{p}\n")).collect();
            let _ = probe::write_atomically(&self.cache().join(REQUESTED_FILE), text.as_bytes());
        }
        let probed = self.lock();
        self.known.save(
            &self.cache(),
            probed.iter().filter_map(|(path, (stamp, result))| {
                let photo = result.as_ref().ok()?;
                Some((path.clone(), (*stamp)?, probe::Facts::of(photo)))
            }),
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Probed> {
        self.probed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether two paths name one file, whichever of them is canonical (the file may be
/// gone: its folder and name are compared).
pub fn same_file(a: &Path, b: &Path) -> bool {
    let canonical = |p: &Path| -> Option<PathBuf> {
        let dir = p.parent()?.canonicalize().ok()?;
        Some(dir.join(p.file_name()?))
    };
    a == b || (canonical(a).is_some() && canonical(a) == canonical(b))
}

/// The cache folder of the site at `root`.
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join(".warraq-cache").join(DIR)
}

/// The cache folder's list of the photos templates asked for.
const REQUESTED_FILE: &str = "requested";

/// A photo a template names by its path from the site's root: under `static/` or
/// `content/`, nothing climbing out.
pub fn locate_from_root(path: &str) -> Result<PathBuf, Problem> {
    let rel = Path::new(path.trim());
    let ext = rel
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !ext.is_some_and(|e| EXTENSIONS.contains(&e.as_str())) {
        return Err(format!(
            "`{path}` is not a photo: name a JPEG, PNG, WebP, GIF or SVG file"
        ));
    }
    let plain = rel
        .components()
        .all(|c| matches!(c, Component::Normal(p) if !p.to_string_lossy().starts_with('.')));
    let under = rel.starts_with("static") || rel.starts_with("content");
    if !plain || !under || path.contains(['\n', '\r']) {
        return Err(format!(
            "`{path}` must be a path from the site's folder to a visible file under `static/` \
             or `content/` (`static/logo.png`), with no `..`"
        ));
    }
    Ok(rel.to_path_buf())
}

/// Extensions of the photos warraq publishes (case does not matter).
const EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "gif", "svg"];

/// Where (under the site's root) the photo `dest` named in the article at `rel` is:
/// `None` when `dest` is not a file of the site with a photo's extension.
fn locate(dest: &str, rel: &Path) -> Option<Result<PathBuf, Problem>> {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with("//") || dest.contains(':') || dest.contains(['?', '#'])
    {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(dest)
        .decode_utf8()
        .ok()?
        .into_owned();
    let ext = Path::new(&decoded)
        .extension()?
        .to_str()?
        .to_ascii_lowercase();
    if !EXTENSIONS.contains(&ext.as_str()) {
        return None;
    }
    let (base, rest) = match decoded.strip_prefix('/') {
        Some(rest) => (PathBuf::from("static"), rest.to_owned()),
        None => (
            Path::new("content").join(rel.parent().unwrap_or(Path::new(""))),
            decoded.clone(),
        ),
    };
    let floor = base.components().next().map(|c| c.as_os_str().to_owned());
    let mut path = base;
    for part in Path::new(&rest).components() {
        match part {
            // Hidden files are not the site's (discovery and the build's stamps skip them).
            Component::Normal(p) if p.to_string_lossy().starts_with('.') => {
                return Some(Err(format!(
                    "`{decoded}` names a hidden file or folder: photos are published from visible files only"
                )))
            }
            Component::Normal(p) => path.push(p),
            Component::CurDir => {}
            Component::ParentDir => {
                if !path.pop() || path.as_os_str().is_empty() {
                    return Some(Err(leaves(&decoded)));
                }
            }
            Component::RootDir | Component::Prefix(_) => return Some(Err(leaves(&decoded))),
        }
    }
    // `..` may climb within `content/` (or `static/`), never out of it.
    if path.components().next().map(|c| c.as_os_str().to_owned()) != floor {
        return Some(Err(leaves(&decoded)));
    }
    Some(Ok(path))
}

fn leaves(dest: &str) -> Problem {
    format!(
        "`{dest}` leaves the site: a photo is a file beside its article, under `content/`, \
         or under `static/` written from the root (`/photos/x.jpg`)"
    )
}

/// The files `facts` (a probed source) is published as.
fn plan(path: &Path, facts: probe::Facts, settings: &PhotoSettings) -> Photo {
    let stem = name_stem(path);
    let name = |width: u32, kind: &str, key: u64, ext: &str| {
        format!("{DIR}/{stem}.{width}{kind}.{}.{ext}", short(key))
    };
    let key_of = |what: &str, w: u32, h: u32| {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        hasher.update(&facts.hash.to_le_bytes());
        hasher.update(encoder_version().as_bytes());
        hasher.update(what.as_bytes());
        hasher.update(&w.to_le_bytes());
        hasher.update(&h.to_le_bytes());
        hasher.update(&[settings.quality]);
        hasher.digest()
    };
    if facts.format == Format::Svg {
        let key = key_of("svg", 0, 0);
        let file = format!("{DIR}/{stem}.{}.svg", short(key));
        return Photo {
            file: path.to_path_buf(),
            hash: facts.hash,
            format: facts.format,
            width: 0,
            height: 0,
            animated: false,
            variants: vec![Variant {
                width: 0,
                height: 0,
                webp: file.clone(),
                fallback: file,
                key,
            }],
            card: None,
        };
    }
    let (w, h) = (facts.width.max(1), facts.height.max(1));
    // WebP holds at most 16,383 pixels a side: a very tall photo (a phone's long
    // screenshot) is published no wider than that height allows.
    let widest = u32::try_from(u64::from(MAX_SIDE) * u64::from(w) / u64::from(h))
        .unwrap_or(u32::MAX)
        .clamp(1, w);
    let mut widths: Vec<u32> = settings
        .widths
        .iter()
        .copied()
        .filter(|&x| x < widest)
        .collect();
    // Never upscaled: the photo's own width stands for every configured width above it.
    if widths.len() < settings.widths.len() || widths.is_empty() {
        widths.push(widest);
    }
    widths.sort_unstable();
    widths.dedup();
    let variants = widths
        .into_iter()
        .map(|vw| {
            let vh =
                ((u64::from(h) * u64::from(vw) + u64::from(w) / 2) / u64::from(w)).max(1) as u32;
            let key = key_of("size", vw, vh);
            Variant {
                width: vw,
                height: vh,
                webp: name(vw, "", key, "webp"),
                fallback: name(vw, "", key, "jpg"),
                key,
            }
        })
        .collect();
    let (cw, ch) = card_size(w, h);
    let card_key = key_of("card", cw, ch);
    Photo {
        file: path.to_path_buf(),
        hash: facts.hash,
        format: facts.format,
        width: w,
        height: h,
        animated: facts.animated,
        variants,
        card: Some(Variant {
            width: cw,
            height: ch,
            webp: String::new(),
            fallback: format!("{DIR}/{stem}.card.{}.jpg", short(card_key)),
            key: card_key,
        }),
    }
}

/// The longest side WebP (and so a published photo) may have.
pub const MAX_SIDE: u32 = 16_383;

/// The part of a cache key in a published name: 48 bits, so that names do not meet by
/// chance in an archive of a million photos sharing a name (`photo-1.jpg`).
fn short(key: u64) -> String {
    format!("{:012x}", key >> 16)
}

/// The card's size for a `w`×`h` photo: 1200×630, or smaller in that shape when the
/// photo is (never upscaled).
pub fn card_size(w: u32, h: u32) -> (u32, u32) {
    let (cw, ch) = CARD;
    let scale = f64::min(
        1.0,
        f64::min(f64::from(w) / f64::from(cw), f64::from(h) / f64::from(ch)),
    );
    (
        ((f64::from(cw) * scale).round() as u32).max(1),
        ((f64::from(ch) * scale).round() as u32).max(1),
    )
}

/// The published files' name: the source's, as a slug (`Photo 1.JPG` → `photo-1`).
fn name_stem(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let slug: String = crate::text::slug::slugify(stem).chars().take(60).collect();
    if slug.is_empty() {
        "photo".to_owned()
    } else {
        slug
    }
}

/// A JPEG of `w`×`h` (a gradient), for tests.
#[cfg(test)]
pub(crate) fn test_jpeg(w: u32, h: u32) -> Vec<u8> {
    use image::ImageEncoder as _;
    let img = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut out)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

#[cfg(test)]
mod tests;

//! One photo file → its facts (format, shown size, content hash), from its header: the
//! pixels are decoded only when the photo is encoded ([`super::encode`]). What is
//! refused is refused here, before any decoding: an empty file, one that is not a photo
//! warraq reads, one whose declared size is past the limit (a decompression bomb
//! declares 50,000 × 50,000 pixels in a few kilobytes), an SVG holding script.

use super::Problem;
use crate::basics::config::PhotoSettings;
use crate::sources::content::FileStamp;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The formats a photo may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Svg,
}

impl Format {
    fn code(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Svg => "svg",
        }
    }

    fn from_code(code: &str) -> Option<Format> {
        Some(match code {
            "jpeg" => Format::Jpeg,
            "png" => Format::Png,
            "webp" => Format::Webp,
            "gif" => Format::Gif,
            "svg" => Format::Svg,
            _ => return None,
        })
    }
}

/// A file's size and modification time when it was probed (`None`: it could not be
/// read).
pub type Stamp = Option<FileStamp>;

/// The stamp of the file at `path` now (a symlink's target's).
pub fn stamp_of(path: &Path) -> Stamp {
    std::fs::metadata(path).ok().map(|m| FileStamp::of(&m))
}

fn stamp_text(s: FileStamp) -> String {
    format!("{}:{}", s.len, s.modified)
}

fn stamp_from_text(text: &str) -> Option<FileStamp> {
    let (len, modified) = text.split_once(':')?;
    Some(FileStamp {
        len: len.parse().ok()?,
        modified: modified.parse().ok()?,
        is_dir: false,
    })
}

/// What probing learns of a photo file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub hash: u64,
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub animated: bool,
}

impl Facts {
    pub fn of(photo: &super::Photo) -> Facts {
        Facts {
            hash: photo.hash,
            format: photo.format,
            width: photo.width,
            height: photo.height,
            animated: photo.animated,
        }
    }
}

/// The facts of the files earlier runs probed, by path and stamp (`known` in the cache
/// folder): a second build does not read its photos again. Like the build's own
/// up-to-date check, it trusts a file's size and modification time.
#[derive(Default)]
pub struct Known(HashMap<PathBuf, (FileStamp, Facts)>);

const KNOWN_FILE: &str = "known";
const KNOWN_HEADER: &str = "warraq-photos-known 1";

impl Known {
    pub fn load(cache: &Path) -> Known {
        let Ok(text) = std::fs::read_to_string(cache.join(KNOWN_FILE)) else {
            return Known::default();
        };
        let mut lines = text.lines();
        if lines.next() != Some(KNOWN_HEADER) {
            return Known::default();
        }
        let parse = |line: &str| -> Option<(PathBuf, (FileStamp, Facts))> {
            let mut f = line.split('\t');
            let stamp = stamp_from_text(f.next()?)?;
            let hash = u64::from_str_radix(f.next()?, 16).ok()?;
            let format = Format::from_code(f.next()?)?;
            let width = f.next()?.parse().ok()?;
            let height = f.next()?.parse().ok()?;
            let animated = f.next()? == "1";
            let path = PathBuf::from(f.next()?);
            let facts = Facts {
                hash,
                format,
                width,
                height,
                animated,
            };
            Some((path, (stamp, facts)))
        };
        Known(lines.filter_map(parse).collect())
    }

    fn get(&self, path: &Path, stamp: FileStamp) -> Option<Facts> {
        self.0
            .get(path)
            .filter(|(s, _)| *s == stamp)
            .map(|(_, f)| *f)
    }

    /// Writes the facts of `probed` (this run's) when they differ from what was known.
    pub fn save(&self, cache: &Path, probed: impl Iterator<Item = (PathBuf, FileStamp, Facts)>) {
        let mut all: Vec<(PathBuf, FileStamp, Facts)> = probed.collect();
        let changed =
            all.len() != self.0.len() || all.iter().any(|(p, s, f)| self.get(p, *s) != Some(*f));
        if !changed {
            return;
        }
        all.sort_by(|a, b| a.0.cmp(&b.0));
        let mut text = format!("{KNOWN_HEADER}\n");
        for (path, stamp, f) in &all {
            // A path with a tab or line break in it is not remembered: probed again.
            let Some(p) = path.to_str().filter(|p| !p.contains(['\t', '\n', '\r'])) else {
                continue;
            };
            text.push_str(&format!(
                "{}\t{:016x}\t{}\t{}\t{}\t{}\t{p}\n",
                stamp_text(*stamp),
                f.hash,
                f.format.code(),
                f.width,
                f.height,
                u8::from(f.animated)
            ));
        }
        // Losing this file only costs reading the photos again: errors are not reported.
        let _ = write_atomically(&cache.join(KNOWN_FILE), text.as_bytes());
    }
}

/// Writes `path` through a temporary sibling and a rename: never half written.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut tmp = tempfile::NamedTempFile::new_in(path.parent().unwrap_or(Path::new(".")))?;
    // Readable by all, as the rest of the output: a published photo is hard-linked from
    // here, and a web server must be able to read it.
    use std::os::unix::fs::PermissionsExt as _;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Probes the photo at `path` (under the site at `root`).
pub fn probe(
    path: &Path,
    root: &Path,
    settings: &PhotoSettings,
    known: &Known,
    stamp: Stamp,
) -> Result<Facts, Problem> {
    let shown = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    let Some(stamp) = stamp else {
        return Err(format!("photo `{shown}` not found"));
    };
    crate::sources::content::ensure_inside_site(path, root).map_err(|d| d.message)?;
    // A folder on the way may be a symlink too: the file itself must be in the site.
    let real = path
        .canonicalize()
        .map_err(|e| format!("`{shown}`: cannot read: {e}"))?;
    if !real.starts_with(root) {
        return Err(format!(
            "`{shown}` is outside the site (through a symlinked folder, to `{}`): it is not read",
            real.display()
        ));
    }
    if let Some(facts) = known.get(path, stamp) {
        return Ok(facts);
    }
    let meta = std::fs::metadata(path).map_err(|e| format!("`{shown}`: cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!("`{shown}` is not a regular file"));
    }
    if meta.len() == 0 {
        return Err(format!("photo `{shown}` is empty (0 bytes)"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("`{shown}`: cannot read: {e}"))?;
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    let is_svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if is_svg {
        return probe_svg(&bytes, &shown).map(|()| Facts {
            hash,
            format: Format::Svg,
            width: 0,
            height: 0,
            animated: false,
        });
    }
    header(&bytes, settings)
        .map_err(|m| format!("photo `{shown}` {m}"))
        .map(|(format, width, height, animated)| Facts {
            hash,
            format,
            width,
            height,
            animated,
        })
}

/// An SVG is published as the file it is, shown through `<img>` (where its scripts do
/// not run); but its own URL would run them, so it is read as XML (entities expanded,
/// namespace prefixes resolved: `&#106;avascript:` and `<svg:script>` are seen for what
/// they are) and refused when it could hold script: a `script`, `foreignObject`,
/// `iframe`, `embed`, `object` or `handler` element, an `on…` attribute, a
/// `javascript:`/`vbscript:`/`data:` address, a processing instruction (a stylesheet),
/// or a DTD (whose entities could build any of these).
fn probe_svg(bytes: &[u8], shown: &str) -> Result<(), Problem> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| format!("`{shown}` is not an SVG (not UTF-8 text)"))?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| format!("`{shown}` is not an SVG warraq publishes: {e}"))?;
    if !doc
        .root_element()
        .tag_name()
        .name()
        .eq_ignore_ascii_case("svg")
    {
        return Err(format!("`{shown}` is not an SVG (its root is not `<svg>`)"));
    }
    let scripted = || {
        format!(
            "`{shown}` holds script or what could run it (a `<script>` or `<foreignObject>`, an \
             `on…=` attribute, a `javascript:` address): such an SVG is not published"
        )
    };
    const ELEMENTS: &[&str] = &[
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "handler",
        "listener",
    ];
    for node in doc.descendants() {
        if node.is_pi() {
            return Err(scripted());
        }
        if !node.is_element() {
            continue;
        }
        let name = node.tag_name().name().to_ascii_lowercase();
        if ELEMENTS.contains(&name.as_str()) {
            return Err(scripted());
        }
        for a in node.attributes() {
            let value: String = a
                .value()
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            let address = ["javascript:", "vbscript:", "data:"]
                .iter()
                .any(|s| value.contains(s));
            if a.name().to_ascii_lowercase().starts_with("on") || address {
                return Err(scripted());
            }
        }
    }
    Ok(())
}

/// The format, shown size and animation of a raster photo, from its header; its
/// declared size checked against the limit before anything is decoded.
fn header(bytes: &[u8], settings: &PhotoSettings) -> Result<(Format, u32, u32, bool), String> {
    use image::ImageDecoder as _;
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot be read: {e}"))?;
    let format =
        match reader.format() {
            Some(image::ImageFormat::Jpeg) => Format::Jpeg,
            Some(image::ImageFormat::Png) => Format::Png,
            Some(image::ImageFormat::WebP) => Format::Webp,
            Some(image::ImageFormat::Gif) => Format::Gif,
            Some(other) => {
                return Err(format!(
                    "is {other:?}, which warraq does not publish: use JPEG, PNG, WebP, GIF or SVG"
                ))
            }
            None => return Err(
                "is not a photo: its bytes are not JPEG, PNG, WebP or GIF whatever its name says"
                    .to_owned(),
            ),
        };
    // The JPEG decoder fills in what a cut-off file lacks, without a word: its end is
    // looked for here.
    if format == Format::Jpeg && !jpeg_is_whole(bytes) {
        return Err(
            "is cut off: its data stops before the end of the image (a partial download or copy?)"
                .to_owned(),
        );
    }
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| format!("cannot be read ({e}): is the file whole?"))?;
    let (w, h) = decoder.dimensions();
    ensure_size(w, h, settings)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    use image::metadata::Orientation as O;
    let turned = matches!(
        orientation,
        O::Rotate90 | O::Rotate270 | O::Rotate90FlipH | O::Rotate270FlipH
    );
    let (w, h) = if turned { (h, w) } else { (w, h) };
    let animated = format == Format::Gif || (format == Format::Webp && webp_is_animated(bytes));
    Ok((format, w, h, animated))
}

/// Refuses a photo whose declared size is past `max_megapixels`, or empty.
pub fn ensure_size(w: u32, h: u32, settings: &PhotoSettings) -> Result<(), String> {
    let pixels = u64::from(w) * u64::from(h);
    if pixels == 0 {
        return Err("declares no pixels (0 wide or 0 high)".to_owned());
    }
    let limit = u64::from(settings.max_megapixels) * 1_000_000;
    if pixels > limit {
        return Err(format!(
            "declares {w}×{h} pixels ({} megapixels), more than the limit of {}: resize it, \
             or raise `max_megapixels` under `[photos]` in site.toml",
            pixels.div_ceil(1_000_000),
            settings.max_megapixels
        ));
    }
    Ok(())
}

/// Whether a JPEG has its end marker after its first scan. The segments before the
/// scan are walked by their lengths (a camera's EXIF thumbnail, inside one of them, has
/// its own scan and end marker); the scan's data never holds `FF D9` (an `FF` there is
/// followed by `00` or a restart marker).
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let mut at = 2;
    let scan = loop {
        // Markers may be padded with `FF` bytes.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return false;
        };
        if marker == 0xDA {
            break at;
        }
        let Some(len) = bytes.get(at + 2..at + 4) else {
            return false;
        };
        at += 2 + usize::from(u16::from_be_bytes([len[0], len[1]]));
    };
    bytes[scan..]
        .windows(2)
        .any(|w| w[0] == 0xFF && w[1] == 0xD9)
}

/// An animated WebP has the ANIM flag in its VP8X header.
fn webp_is_animated(bytes: &[u8]) -> bool {
    bytes.len() > 20 && &bytes[12..16] == b"VP8X" && bytes[20] & 0b10 != 0
}

#[cfg(test)]
pub fn tests_probe_svg(bytes: &[u8]) -> Result<(), Problem> {
    probe_svg(bytes, "x.svg")
}

#[cfg(test)]
pub fn tests_jpeg_is_whole(bytes: &[u8]) -> bool {
    jpeg_is_whole(bytes)
}

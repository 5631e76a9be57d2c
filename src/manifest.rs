//! What the last build wrote → which outputs the next build can reuse.
//!
//! Beside the output folder (`.public.warraq-manifest`, never inside it, so it is not
//! deployed) the build keeps a stamp of its inputs and the key of every file it wrote
//! ([`crate::render::Renderer::job_key`]). The next build skips everything when the
//! stamp is unchanged, and otherwise renders only the files whose key changed.

use crate::content::FileStamp;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;
use xxhash_rust::xxh3::Xxh3;

const HEADER: &str = "warraq-manifest 1";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Fingerprint of every input of the build ([`stamp`]).
    pub stamp: u64,
    /// Output file (relative, `/`-separated) → key of the job that wrote it.
    pub keys: HashMap<String, u64>,
}

/// The text of a manifest with `stamp` and these (output file, key) pairs, in any order.
/// A build makes it while its pages are being written and saves it once they are in
/// place ([`Manifest::save_text`]).
pub fn text_of<'a>(stamp: u64, keys: impl IntoIterator<Item = (&'a str, u64)>) -> String {
    let mut paths: Vec<(&str, u64)> = keys.into_iter().collect();
    paths.sort_unstable();
    // A file is written once per build; were a pair given twice, it is one line.
    paths.dedup_by(|a, b| a.0 == b.0);
    // One buffer, no string a line: 19,000 lines at 10,000 articles.
    let size: usize = paths.iter().map(|(p, _)| p.len() + 18).sum();
    let mut text = String::with_capacity(HEADER.len() + 18 + size);
    // Writing to a String cannot fail.
    let _ = writeln!(text, "{HEADER} {stamp:016x}");
    for (path, key) in paths {
        let _ = writeln!(text, "{key:016x}\t{path}");
    }
    text
}

/// Where the manifest of an output folder lives.
pub fn path_for(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    output.with_file_name(format!(".{name}.warraq-manifest"))
}

impl Manifest {
    /// The manifest of the last build into `output`, or an empty one.
    pub fn load(output: &Path) -> Manifest {
        fs::read_to_string(path_for(output))
            .ok()
            .and_then(|t| Manifest::parse(&t))
            .unwrap_or_default()
    }

    fn parse(text: &str) -> Option<Manifest> {
        let mut lines = text.lines();
        let head = lines.next()?;
        let stamp = head.strip_prefix(HEADER)?.trim();
        let stamp = u64::from_str_radix(stamp, 16).ok()?;
        let mut keys = HashMap::new();
        for line in lines {
            let (key, path) = line.split_once('\t')?;
            keys.insert(path.to_owned(), u64::from_str_radix(key, 16).ok()?);
        }
        Some(Manifest { stamp, keys })
    }

    /// Writes the manifest (to a temporary file first, so it is never half written).
    pub fn save(&self, output: &Path) -> std::io::Result<()> {
        Manifest::save_text(output, &self.to_text())
    }

    /// The manifest as its file holds it.
    pub fn to_text(&self) -> String {
        text_of(self.stamp, self.keys.iter().map(|(p, k)| (p.as_str(), *k)))
    }

    /// Writes a manifest made by [`Manifest::to_text`] for `output`.
    pub fn save_text(output: &Path, text: &str) -> std::io::Result<()> {
        let dest = path_for(output);
        let tmp = dest.with_extension("tmp");
        fs::write(&tmp, text)?;
        fs::rename(&tmp, &dest)
    }

    /// Removes the manifest (after a failed build nothing can be trusted).
    pub fn remove(output: &Path) {
        let _ = fs::remove_file(path_for(output));
    }
}

/// A fingerprint of everything a build reads: `site.toml`, the name, size and
/// modification time of every source (`sources`, as [`crate::content::discover`] finds
/// them, with their [`source_stamps`] or the stamps seen when they were read) and of
/// every file under `templates/` and `static/`, the build options, and the warraq binary
/// itself. Like make and cargo, an edit that keeps both size and modification time is
/// not seen. A stamp must be taken before what it stands for is read: a file changed
/// in between then changes the next stamp.
pub fn stamp(root: &Path, options: &str, sources: &[PathBuf], stamps: &[Option<FileStamp>]) -> u64 {
    let mut h = Xxh3::new();
    h.update(options.as_bytes());
    write_binary(&mut h);
    h.update(&fs::read(root.join("site.toml")).unwrap_or_default());
    for (path, stamp) in sources.iter().zip(stamps) {
        h.update(path.as_os_str().as_encoded_bytes());
        write_stamp(&mut h, *stamp);
    }
    // The theme's files are few: walked here, whatever stamps the sources came with.
    let mut paths: Vec<PathBuf> = ["templates", "static"]
        .into_iter()
        .flat_map(|dir| {
            WalkDir::new(root.join(dir))
                .into_iter()
                .flatten()
                .map(walkdir::DirEntry::into_path)
        })
        .collect();
    // Any fixed order does: the bytes of the whole path are the cheapest to compare.
    paths.sort_unstable_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    for (path, stamp) in paths.iter().zip(source_stamps(&paths)) {
        h.update(path.as_os_str().as_encoded_bytes());
        write_stamp(&mut h, stamp);
    }
    h.digest()
}

/// The size and modification time of each file (a symlink's target's), in parallel:
/// one `stat` a file, 10,000 in an archive of 10,000 articles.
pub fn source_stamps(paths: &[PathBuf]) -> Vec<Option<FileStamp>> {
    paths
        .par_iter()
        .map(|p| fs::metadata(p).ok().map(|m| FileStamp::of(&m)))
        .collect()
}

/// Hashes which warraq is running: its version, and the size and modification time of
/// its binary. Every output's key holds it ([`crate::render::Renderer::job_key`]): two
/// builds of one version can render differently, and a new binary must not reuse the
/// files an older one wrote. Read once per process: a binary replaced on disk while
/// `serve` runs does not change the code that is running.
pub fn write_binary(h: &mut Xxh3) {
    static BINARY: std::sync::OnceLock<Option<FileStamp>> = std::sync::OnceLock::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    let binary = BINARY.get_or_init(|| {
        std::env::current_exe()
            .ok()
            .and_then(|e| fs::metadata(e).ok())
            .map(|meta| FileStamp::of(&meta))
    });
    if binary.is_some() {
        write_stamp(h, *binary);
    }
}

fn write_stamp(h: &mut Xxh3, stamp: Option<FileStamp>) {
    if let Some(s) = stamp {
        h.write_u64(s.len);
        h.write_u8(u8::from(s.is_dir));
        h.write_u128(s.modified);
    }
    h.write_u8(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let m = Manifest {
            stamp: 42,
            keys: HashMap::from([
                ("articles/مقال/index.html".to_owned(), 7),
                ("atom.xml".to_owned(), u64::MAX),
            ]),
        };
        m.save(&out).unwrap();
        assert!(dir.path().join(".public.warraq-manifest").is_file());
        assert_eq!(Manifest::load(&out), m);
        Manifest::remove(&out);
        assert_eq!(Manifest::load(&out), Manifest::default());
    }

    #[test]
    fn a_manifest_made_from_a_list_is_sorted_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let keys = [
            ("tags/x/index.html".to_owned(), 3),
            ("articles/مقال/index.html".to_owned(), 7),
            ("tags/x/index.html".to_owned(), 3),
            ("atom.xml".to_owned(), 1),
        ];
        let text = text_of(9, keys.iter().map(|(p, k)| (p.as_str(), *k)));
        let paths: Vec<&str> = text.lines().skip(1).map(|l| &l[17..]).collect();
        assert_eq!(
            paths,
            ["articles/مقال/index.html", "atom.xml", "tags/x/index.html"]
        );
        Manifest::save_text(&out, &text).unwrap();
        let loaded = Manifest::load(&out);
        assert_eq!(loaded.stamp, 9);
        assert_eq!(loaded.keys, HashMap::from(keys.clone()));
        assert_eq!(text, loaded.to_text());
    }

    #[test]
    fn stamp_changes_with_content() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("content/2019")).unwrap();
        fs::create_dir_all(root.join("templates")).unwrap();
        fs::write(root.join("site.toml"), "title = \"x\"\n").unwrap();
        fs::write(root.join("content/2019/a.md"), "x").unwrap();
        let now = |root: &Path, options: &str| {
            let (sources, _) = crate::content::discover(root, &root.join("content"));
            stamp(root, options, &sources, &source_stamps(&sources))
        };
        let a = now(root, "");
        assert_eq!(a, now(root, ""));
        assert_ne!(a, now(root, "--drafts"));
        // The stamps a build sees as it reads its sources make the same stamp.
        let (sources, _) = crate::content::discover(root, &root.join("content"));
        let read: Vec<_> = sources
            .iter()
            .map(|p| Some(crate::content::load_stamped(p).unwrap().1))
            .collect();
        assert_eq!(a, stamp(root, "", &sources, &read));
        // A new source, an edited one, a new template: each is seen.
        fs::write(root.join("content/b.md"), "y").unwrap();
        let b = now(root, "");
        assert_ne!(a, b);
        fs::write(root.join("content/b.md"), "yy").unwrap();
        let c = now(root, "");
        assert_ne!(b, c);
        fs::write(root.join("templates/page.html"), "{{ page.title }}").unwrap();
        assert_ne!(c, now(root, ""));
    }
}

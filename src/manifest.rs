//! What the last build wrote → which outputs the next build can reuse.
//!
//! Beside the output folder (`.public.warraq-manifest`, never inside it, so it is not
//! deployed) the build keeps a stamp of its inputs and the key of every file it wrote
//! ([`crate::render::Renderer::job_key`]). The next build skips everything when the
//! stamp is unchanged, and otherwise renders only the files whose key changed.

use rayon::prelude::*;
use std::collections::HashMap;
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
        let mut paths: Vec<_> = self.keys.iter().collect();
        paths.sort();
        let mut text = format!("{HEADER} {:016x}\n", self.stamp);
        for (path, key) in paths {
            text.push_str(&format!("{key:016x}\t{path}\n"));
        }
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
/// modification time of every file under `content/`, `templates/` and `static/`, the
/// build options, and the warraq binary itself. Like make and cargo, an edit that keeps
/// both size and modification time is not seen.
pub fn stamp(root: &Path, options: &str) -> u64 {
    let mut h = Xxh3::new();
    h.update(options.as_bytes());
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Some(meta) = std::env::current_exe()
        .ok()
        .and_then(|e| fs::metadata(e).ok())
    {
        write_meta(&mut h, &meta);
    }
    h.update(&fs::read(root.join("site.toml")).unwrap_or_default());
    let mut paths: Vec<PathBuf> = ["content", "templates", "static"]
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
    // One `stat` a file (10,000 in an archive of 10,000 articles) is most of the
    // stamp's time, and what every build waits for before it starts: done in parallel.
    // A symlink's target decides what is read.
    let metas: Vec<Option<fs::Metadata>> = paths.par_iter().map(|p| fs::metadata(p).ok()).collect();
    for (path, meta) in paths.iter().zip(&metas) {
        h.update(path.as_os_str().as_encoded_bytes());
        if let Some(meta) = meta {
            write_meta(&mut h, meta);
        }
        h.write_u8(0);
    }
    h.digest()
}

fn write_meta(h: &mut Xxh3, meta: &fs::Metadata) {
    h.write_u64(meta.len());
    h.write_u8(meta.is_dir() as u8);
    if let Ok(m) = meta.modified() {
        if let Ok(d) = m.duration_since(std::time::UNIX_EPOCH) {
            h.write_u128(d.as_nanos());
        }
    }
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
    fn stamp_changes_with_content() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("content")).unwrap();
        fs::write(dir.path().join("site.toml"), "title = \"x\"\n").unwrap();
        let a = stamp(dir.path(), "");
        assert_eq!(a, stamp(dir.path(), ""));
        assert_ne!(a, stamp(dir.path(), "--drafts"));
        fs::write(dir.path().join("content/a.md"), "x").unwrap();
        assert_ne!(a, stamp(dir.path(), ""));
    }
}

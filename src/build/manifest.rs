//! What the last build wrote → which outputs the next build can reuse.
//!
//! Beside the output folder (`.public.warraq-manifest`, never inside it, so it is not
//! deployed) the build keeps a stamp of its inputs and the key of every file it wrote
//! ([`crate::build::render::Renderer::job_key`]). The next build skips everything when the
//! stamp is unchanged, and otherwise renders only the files whose key changed.

use crate::sources::content::FileStamp;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;
use xxhash_rust::xxh3::Xxh3;

const HEADER: &str = "warraq-manifest 2";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Fingerprint of every input of the build ([`stamp`]).
    pub stamp: u64,
    /// The output folder it describes, as (device, inode): a build writes its manifest
    /// before it swaps the new folder in, naming that folder, so a manifest whose folder
    /// never arrived (the build was stopped between the two) describes nothing.
    pub output_id: Option<(u64, u64)>,
    /// The sum of every listed file's [`file_print`] as the build left it: a file
    /// deleted or edited in the output since is noticed.
    pub digest: u64,
    /// Output file (relative, `/`-separated) → key of the job that wrote it (0 for files
    /// no job writes: static files, files kept for the host).
    pub keys: HashMap<String, u64>,
}

/// The lines of a manifest for these (output file, key) pairs, in any order, without
/// its first line ([`Manifest::text`]). A build makes them while its pages are being
/// written, and saves the manifest just before its output is swapped in.
pub fn text_of<'a>(keys: impl IntoIterator<Item = (&'a str, u64)>) -> String {
    let mut paths: Vec<(&str, u64)> = keys.into_iter().collect();
    paths.sort_unstable();
    // A file is written once per build; were a pair given twice, it is one line.
    paths.dedup_by(|a, b| a.0 == b.0);
    // One buffer, no string a line: 19,000 lines at 10,000 articles.
    let size: usize = paths.iter().map(|(p, _)| p.len() + 18).sum();
    let mut text = String::with_capacity(size);
    // Writing to a String cannot fail.
    for (path, key) in paths {
        let _ = writeln!(text, "{key:016x}\t{path}");
    }
    text
}

/// What a manifest's digest adds up for one output file: its name, size and
/// modification time.
pub fn file_print(rel: &str, meta: &fs::Metadata) -> u64 {
    let stamp = FileStamp::of(meta);
    print_of(rel, stamp.len, stamp.modified)
}

/// [`file_print`] from a size and a modification time in nanoseconds since 1970.
fn print_of(rel: &str, len: u64, modified: u128) -> u64 {
    let mut h = Xxh3::new();
    h.update(rel.as_bytes());
    h.write_u64(len);
    h.write_u128(modified);
    h.digest()
}

/// The [`file_print`] of `rel` under the open folder `dir`, if it is a regular file.
/// One `statat` relative to the folder: the no-op build asks this of every output file.
fn print_at(dir: &rustix::fd::OwnedFd, rel: &str) -> Option<u64> {
    let st = rustix::fs::statat(dir, rel, rustix::fs::AtFlags::SYMLINK_NOFOLLOW).ok()?;
    if rustix::fs::FileType::from_raw_mode(st.st_mode) != rustix::fs::FileType::RegularFile {
        return None;
    }
    // As `FileStamp::of` counts them: nothing before 1970.
    let modified =
        u128::try_from(st.st_mtime).map_or(0, |s| s * 1_000_000_000 + st.st_mtime_nsec as u128);
    Some(print_of(rel, st.st_size as u64, modified))
}

/// The (device, inode) of a folder.
pub fn folder_id(meta: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt as _;
    (meta.dev(), meta.ino())
}

/// Where the manifest of an output folder lives.
pub fn path_for(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    output.with_file_name(format!(".{name}.warraq-manifest"))
}

impl Manifest {
    /// The manifest of the last build into `output` if it still describes that folder
    /// (the folder it was written for, every listed file as that build left it), or an
    /// empty one, which reuses nothing.
    pub fn load(output: &Path) -> Manifest {
        let manifest = Manifest::load_any(output);
        if manifest.describes(output) {
            manifest
        } else {
            Manifest::default()
        }
    }

    /// The manifest of `output` as saved, whatever the folder holds now.
    pub fn load_any(output: &Path) -> Manifest {
        fs::read_to_string(path_for(output))
            .ok()
            .and_then(|t| Manifest::parse(&t))
            .unwrap_or_default()
    }

    /// Whether `output` is the folder this manifest was written for and holds every
    /// listed file as it was left (sizes and modification times: one `stat` a file).
    pub fn describes(&self, output: &Path) -> bool {
        let Some(id) = self.output_id else {
            return false;
        };
        if !fs::metadata(output).is_ok_and(|m| folder_id(&m) == id) {
            return false;
        }
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC;
        let Ok(dir) = rustix::fs::open(output, flags, Mode::empty()) else {
            return false;
        };
        let sum = self
            .keys
            .par_iter()
            .map(|(rel, _)| print_at(&dir, rel))
            .try_reduce(|| 0u64, |a, b| Some(a.wrapping_add(b)));
        sum == Some(self.digest)
    }

    fn parse(text: &str) -> Option<Manifest> {
        let mut lines = text.lines();
        let head = lines.next()?;
        let mut fields = head.strip_prefix(HEADER)?.split_whitespace();
        let mut hex = || u64::from_str_radix(fields.next()?, 16).ok();
        let stamp = hex()?;
        let (dev, ino, digest) = (hex()?, hex()?, hex()?);
        let mut keys = HashMap::new();
        for line in lines {
            let (key, path) = line.split_once('\t')?;
            keys.insert(path.to_owned(), u64::from_str_radix(key, 16).ok()?);
        }
        Some(Manifest {
            stamp,
            output_id: Some((dev, ino)),
            digest,
            keys,
        })
    }

    /// A manifest for `output` as it is now: its folder and the prints of the files
    /// `keys` lists (the dev server's, which writes in place).
    pub fn of_output(output: &Path, stamp: u64, keys: HashMap<String, u64>) -> Manifest {
        let mut m = Manifest {
            stamp,
            output_id: fs::metadata(output).ok().map(|m| folder_id(&m)),
            digest: 0,
            keys,
        };
        m.digest = m
            .keys
            .par_iter()
            .map(|(rel, _)| {
                fs::symlink_metadata(output.join(rel)).map_or(0, |m| file_print(rel, &m))
            })
            .reduce(|| 0, u64::wrapping_add);
        m
    }

    /// Writes the manifest (to a temporary file first, so it is never half written).
    pub fn save(&self, output: &Path) -> std::io::Result<()> {
        Manifest::save_text(output, &self.text())
    }

    /// The manifest as its file holds it.
    pub fn text(&self) -> String {
        let body = text_of(self.keys.iter().map(|(p, k)| (p.as_str(), *k)));
        header(self.stamp, self.output_id.unwrap_or_default(), self.digest) + &body
    }

    /// Writes a manifest's text for `output`: a temporary file, flushed to disk, then
    /// renamed over the last one.
    pub fn save_text(output: &Path, text: &str) -> std::io::Result<()> {
        let dest = path_for(output);
        let tmp = dest.with_extension("tmp");
        let mut file = fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, &dest)
    }

    /// Removes the manifest (after a failed build nothing can be trusted).
    pub fn remove(output: &Path) {
        let _ = fs::remove_file(path_for(output));
    }
}

/// A manifest's first line.
pub fn header(stamp: u64, (dev, ino): (u64, u64), digest: u64) -> String {
    format!("{HEADER} {stamp:016x} {dev:x} {ino:x} {digest:016x}\n")
}

/// A fingerprint of everything a build reads: `site.toml`, the name, size and
/// modification time of every source (`sources`, as [`crate::sources::content::discover`] finds
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
/// its binary. Every output's key holds it ([`crate::build::render::Renderer::job_key`]): two
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
    fn a_manifest_describes_only_its_own_folder_as_it_was_left() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(out.join("articles/مقال")).unwrap();
        fs::write(out.join("articles/مقال/index.html"), "a").unwrap();
        fs::write(out.join("atom.xml"), "b").unwrap();
        let keys = HashMap::from([
            ("articles/مقال/index.html".to_owned(), 7),
            ("atom.xml".to_owned(), u64::MAX),
        ]);
        let m = Manifest::of_output(&out, 42, keys);
        m.save(&out).unwrap();
        assert!(dir.path().join(".public.warraq-manifest").is_file());
        assert_eq!(Manifest::load(&out), m);
        // Lines come sorted, whatever order the keys had.
        let text = m.text();
        let paths: Vec<&str> = text.lines().skip(1).map(|l| &l[17..]).collect();
        assert_eq!(paths, ["articles/مقال/index.html", "atom.xml"]);
        // An edited file (another size), a deleted one: it describes the folder no more.
        fs::write(out.join("atom.xml"), "bb").unwrap();
        assert_eq!(Manifest::load(&out), Manifest::default());
        assert_eq!(Manifest::load_any(&out), m);
        let m = Manifest::of_output(&out, 42, m.keys.clone());
        m.save(&out).unwrap();
        assert_eq!(Manifest::load(&out), m);
        fs::remove_file(out.join("articles/مقال/index.html")).unwrap();
        assert_eq!(Manifest::load(&out), Manifest::default());
        // Another folder in the same place (a build stopped before its swap).
        fs::create_dir_all(out.join("articles/مقال")).unwrap();
        fs::write(out.join("articles/مقال/index.html"), "a").unwrap();
        let m = Manifest::of_output(&out, 42, m.keys.clone());
        m.save(&out).unwrap();
        fs::rename(&out, dir.path().join("old")).unwrap();
        fs::create_dir(&out).unwrap();
        fs::rename(dir.path().join("old/articles"), out.join("articles")).unwrap();
        fs::rename(dir.path().join("old/atom.xml"), out.join("atom.xml")).unwrap();
        assert_eq!(Manifest::load(&out), Manifest::default());
        Manifest::remove(&out);
        assert_eq!(Manifest::load_any(&out), Manifest::default());
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
            let (sources, _) = crate::sources::content::discover(root, &root.join("content"));
            stamp(root, options, &sources, &source_stamps(&sources))
        };
        let a = now(root, "");
        assert_eq!(a, now(root, ""));
        assert_ne!(a, now(root, "--drafts"));
        // The stamps a build sees as it reads its sources make the same stamp.
        let (sources, _) = crate::sources::content::discover(root, &root.join("content"));
        let read: Vec<_> = sources
            .iter()
            .map(|p| Some(crate::sources::content::load_stamped(p).unwrap().1))
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

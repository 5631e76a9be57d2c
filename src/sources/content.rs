//! `content/` → sorted list of article files, and one file → its text.
//!
//! Discovery never follows a symlink out of the site, never opens a FIFO or device
//! (which would hang or read forever), and reports every file it cannot use instead
//! of silently dropping it. Loading turns bytes into LF-only UTF-8 text.

use crate::basics::error::Diagnostic;
use rayon::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

/// Largest article accepted, in bytes: far beyond any real analysis piece, small enough
/// that pathological input cannot exhaust memory.
pub const MAX_ARTICLE_BYTES: u64 = 4 * 1024 * 1024;

/// Lists the Markdown files under `content_dir`, sorted, hidden files and editor
/// leftovers skipped. Files that cannot be used are returned as diagnostics.
pub fn discover(site_root: &Path, content_dir: &Path) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let (files, _, problems) = discover_all(site_root, content_dir);
    (files, problems)
}

/// [`discover`], also listing the other files under `content_dir` (an article's
/// photos beside it): a build that is up to date must not have them changed either.
pub fn discover_all(
    site_root: &Path,
    content_dir: &Path,
) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<Diagnostic>) {
    if !content_dir.is_dir() {
        return (Vec::new(), Vec::new(), Vec::new());
    }
    let canonical_root = site_root
        .canonicalize()
        .unwrap_or_else(|_| site_root.to_path_buf());
    let found = walk(content_dir, &canonical_root, 0);
    (found.files, found.others, found.problems)
}

/// What discovery found in a folder and below it, in the order of a walk that takes
/// each folder's entries by name (a folder's files where its name comes).
#[derive(Default)]
struct Found {
    files: Vec<PathBuf>,
    /// Files that are not articles.
    others: Vec<PathBuf>,
    problems: Vec<Diagnostic>,
}

impl Found {
    fn append(&mut self, mut below: Found) {
        self.files.append(&mut below.files);
        self.others.append(&mut below.others);
        self.problems.append(&mut below.problems);
    }
}

/// Folders this close to `content/` (an archive's sections, their years) have their
/// sub-folders walked in parallel; deeper ones by the thread that reached them.
const PARALLEL_DEPTH: usize = 3;

/// Walks `dir` (`depth` folders below `content/`). Written here rather than with
/// walkdir, which reads one folder at a time and, sorting, takes each entry's name
/// apart from its path at every comparison: ten thousand articles took 10 ms of one
/// core before any was read.
fn walk(dir: &Path, root: &Path, depth: usize) -> Found {
    let mut found = Found::default();
    let Some(entries) = list(dir, &mut found.problems) else {
        return found;
    };
    let is_dir = |kind: &std::io::Result<fs::FileType>| kind.as_ref().is_ok_and(|k| k.is_dir());
    let folders = entries.iter().filter(|(_, _, kind)| is_dir(kind));
    let below: Vec<Found> = if depth < PARALLEL_DEPTH {
        folders
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|(_, path, _)| walk(path, root, depth + 1))
            .collect()
    } else {
        folders
            .map(|(_, path, _)| walk(path, root, depth + 1))
            .collect()
    };
    let mut below = below.into_iter();
    for (_, path, kind) in entries {
        let ft = match kind {
            Ok(ft) => ft,
            Err(e) => {
                found
                    .problems
                    .push(Diagnostic::file(&path, format!("cannot read: {e}")));
                continue;
            }
        };
        if ft.is_dir() {
            // Walked above, in this same order.
            if let Some(folder) = below.next() {
                found.append(folder);
            }
            continue;
        }
        if path.file_name().and_then(|n| n.to_str()).is_none() {
            found.problems.push(Diagnostic::file(
                &path,
                "file name is not valid UTF-8: rename it (URLs are built from names)",
            ));
            continue;
        }
        if ft.is_symlink() {
            match check_symlink(&path, root) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(d) => {
                    found.problems.push(d);
                    continue;
                }
            }
        } else if !ft.is_file() {
            if has_md_extension(&path) {
                found.problems.push(Diagnostic::file(
                    &path,
                    "not a regular file (a FIFO, socket or device): only regular files are read",
                ));
            }
            continue;
        }
        if has_md_extension(&path) {
            found.files.push(path);
        } else {
            found.others.push(path);
        }
    }
    found
}

/// A folder entry: its name, path and type.
type Entry = (std::ffi::OsString, PathBuf, std::io::Result<fs::FileType>);

/// A folder's entries that are not ignored, by name (the order does not depend on the
/// file system's); `None` when it cannot be read.
fn list(dir: &Path, problems: &mut Vec<Diagnostic>) -> Option<Vec<Entry>> {
    let listing = match fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) => {
            problems.push(Diagnostic::file(dir, format!("cannot read: {e}")));
            return None;
        }
    };
    let mut entries = Vec::new();
    for entry in listing {
        match entry {
            Ok(e) => {
                let name = e.file_name();
                if !is_ignored(&name) {
                    entries.push((name, e.path(), e.file_type()));
                }
            }
            Err(e) => problems.push(Diagnostic::file(dir, format!("cannot read: {e}"))),
        }
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Some(entries)
}

/// `.md` in any case (`Up.MD` is an article too, as editors on case-insensitive
/// systems save it).
fn has_md_extension(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md"))
}

/// Whether a path names an article by its name alone: `.md` in any case, not hidden,
/// not an editor's leftover. Discovery, the dev server and its watcher all ask this.
pub fn is_article_name(path: &Path) -> bool {
    has_md_extension(path) && !path.file_name().is_some_and(is_ignored)
}

/// Whether one file under `content/` is an article to read, by the rule discovery
/// applies (the dev server asks again at every change, so a symlink made while it
/// runs is held to the same rule): `Ok(true)` for a regular Markdown file or a symlink
/// to one inside the site, `Ok(false)` for what is not an article (or no longer
/// exists), and a problem for what must be reported (a symlink out of the site or to a
/// folder, a looping one, a FIFO or device named like an article).
pub fn admit(path: &Path, site_root: &Path) -> Result<bool, Diagnostic> {
    if !is_article_name(path) {
        return Ok(false);
    }
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(false);
    };
    let ft = meta.file_type();
    if ft.is_symlink() {
        let root = site_root
            .canonicalize()
            .unwrap_or_else(|_| site_root.to_path_buf());
        return check_symlink(path, &root);
    }
    if !ft.is_file() {
        if ft.is_dir() {
            return Ok(false);
        }
        return Err(Diagnostic::file(
            path,
            "not a regular file (a FIFO, socket or device): only regular files are read",
        ));
    }
    Ok(true)
}

/// A file under the site that may be published (a static file): a regular file, or a
/// symlink to one inside the site. Reported otherwise, as discovery reports them.
pub fn ensure_inside_site(path: &Path, site_root: &Path) -> Result<(), Diagnostic> {
    let meta = fs::symlink_metadata(path)
        .map_err(|e| Diagnostic::file(path, format!("cannot read: {e}")))?;
    if meta.file_type().is_symlink() {
        let root = site_root
            .canonicalize()
            .unwrap_or_else(|_| site_root.to_path_buf());
        let target = path
            .canonicalize()
            .map_err(|e| crate::basics::error::symlink_broken(path, &e))?;
        if !target.starts_with(&root) {
            return Err(outside(path, &target));
        }
        if !target.is_file() {
            return Err(Diagnostic::file(path, "symlinked folders are not followed"));
        }
    } else if !meta.is_file() {
        return Err(Diagnostic::file(
            path,
            "not a regular file (a FIFO, socket or device): it is skipped",
        ));
    }
    Ok(())
}

fn outside(path: &Path, target: &Path) -> Diagnostic {
    Diagnostic::file(
        path,
        format!(
            "symlink points outside the site (to `{}`): it is not read",
            target.display()
        ),
    )
}

/// Hidden files, and the temporary files editors write beside the one being saved.
pub fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.starts_with('#') || name.ends_with('~') || name.ends_with(".swp")
}

/// A symlink is used only when it resolves to a regular Markdown file inside the site.
/// Ok(false): a symlink to something that is not an article (ignored like any such file).
fn check_symlink(path: &Path, root: &Path) -> Result<bool, Diagnostic> {
    let target = path
        .canonicalize()
        .map_err(|e| crate::basics::error::symlink_broken(path, &e))?;
    if !target.starts_with(root) {
        return Err(outside(path, &target));
    }
    let meta = fs::metadata(&target)
        .map_err(|e| Diagnostic::file(path, format!("cannot read symlink target: {e}")))?;
    if meta.is_dir() {
        return Err(Diagnostic::file(
            path,
            "symlinked folders are not followed: move the articles into `content/` or link files one by one",
        ));
    }
    Ok(meta.is_file() && has_md_extension(path))
}

/// Reads an article as text: strips a UTF-8 BOM, turns CRLF and CR into LF, and names
/// the encoding when the bytes are not UTF-8.
pub fn load(path: &Path) -> Result<String, Diagnostic> {
    load_stamped(path).map(|(text, _)| text)
}

/// [`load`], and the file's size and modification time as they were before its text
/// was read (what a build's stamp is made of: see [`crate::build::manifest::stamp`]).
pub fn load_stamped(path: &Path) -> Result<(String, FileStamp), Diagnostic> {
    let file =
        fs::File::open(path).map_err(|e| Diagnostic::file(path, format!("cannot open: {e}")))?;
    read_article(path, file)
}

/// The `content/` folder, open: a build opens its thousands of sources relative to it,
/// so the system does not walk the folder's own path again for each of them.
pub struct ContentDir {
    path: PathBuf,
    /// None if the folder could not be opened: sources are then opened by their path.
    fd: Option<rustix::fd::OwnedFd>,
}

impl ContentDir {
    pub fn open(path: &Path) -> ContentDir {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC;
        ContentDir {
            path: path.to_path_buf(),
            fd: rustix::fs::open(path, flags, Mode::empty()).ok(),
        }
    }

    /// A source's path under the folder (itself if it is not under it).
    pub fn rel<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.path).unwrap_or(path)
    }

    /// [`load_stamped`], opening the file relative to the folder when it is in it.
    pub fn load_stamped(&self, path: &Path) -> Result<(String, FileStamp), Diagnostic> {
        use rustix::fs::{Mode, OFlags};
        let (Some(fd), Ok(rel)) = (&self.fd, path.strip_prefix(&self.path)) else {
            return load_stamped(path);
        };
        let file = rustix::fs::openat(fd, rel, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())
            .map(fs::File::from)
            .map_err(|e| {
                let e = std::io::Error::from(e);
                Diagnostic::file(path, format!("cannot open: {e}"))
            })?;
        read_article(path, file)
    }
}

/// Reads an opened article (`path` names it in messages) with its stamp.
fn read_article(path: &Path, file: fs::File) -> Result<(String, FileStamp), Diagnostic> {
    let meta = check_article(path, &file)?;
    let text = read_all(path, file, meta.len())?;
    Ok((text, FileStamp::of(&meta)))
}

/// A file's size and modification time: a build whose inputs all keep theirs reads the
/// same bytes (as make and cargo assume).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileStamp {
    pub len: u64,
    /// Nanoseconds since the Unix epoch (0 when the system does not say).
    pub modified: u128,
    pub is_dir: bool,
}

impl FileStamp {
    pub fn of(meta: &fs::Metadata) -> FileStamp {
        FileStamp {
            len: meta.len(),
            modified: meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos()),
            is_dir: meta.is_dir(),
        }
    }
}

/// Checks an opened article is a regular file within the size limit; its metadata.
fn check_article(path: &Path, file: &fs::File) -> Result<fs::Metadata, Diagnostic> {
    let meta = file
        .metadata()
        .map_err(|e| Diagnostic::file(path, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(Diagnostic::file(path, "not a regular file"));
    }
    if meta.len() > MAX_ARTICLE_BYTES {
        return Err(Diagnostic::file(
            path,
            format!(
                "file is too large ({} bytes; the limit is {MAX_ARTICLE_BYTES})",
                meta.len()
            ),
        ));
    }
    Ok(meta)
}

fn read_all(path: &Path, file: fs::File, len: u64) -> Result<String, Diagnostic> {
    let bytes = read_up_to(&file, len, MAX_ARTICLE_BYTES + 1)
        .map_err(|e| Diagnostic::file(path, format!("cannot read: {e}")))?;
    crate::basics::decode::decode(bytes).map_err(|e| e.in_file(path))
}

/// Reads a file of `len` bytes (its size when opened), at most `most`, usually in one
/// `read`. `Read::read_to_end` reads in steps of 8 KiB and then asks once more to see the
/// end: three calls for a 12 KB article. Here the first call asks for one byte more than
/// `len`; getting `len` means the file ends there. A file that grew meanwhile is read on.
fn read_up_to(file: &fs::File, len: u64, most: u64) -> std::io::Result<Vec<u8>> {
    let most = usize::try_from(most).unwrap_or(usize::MAX);
    let len = usize::try_from(len).unwrap_or(usize::MAX).min(most);
    let mut bytes = Vec::with_capacity(len.saturating_add(1).min(most));
    while bytes.len() < most {
        if bytes.len() == bytes.capacity() {
            bytes.reserve(bytes.len().max(8192).min(most - bytes.len()));
        }
        let room = bytes.capacity() - bytes.len();
        let read = match rustix::io::read(file, rustix::buffer::spare_capacity(&mut bytes)) {
            Ok(read) => read,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        };
        if read == 0 || (bytes.len() == len && read < room) {
            break;
        }
    }
    bytes.truncate(most);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_lists_files_in_the_order_of_a_sorted_walk() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        // Names whose byte order differs from a walk's ("a-c.md" sorts before "a/..."
        // as text, after it as a walk), folders deeper than the parallel levels, and
        // what is skipped: hidden files and folders, editor leftovers, other files.
        let files = [
            "a-c.md",
            "a.md",
            "a/b.md",
            "a/a/a/a/a/deep.md",
            "a/a/a/a/a/a/deeper.md",
            "a/a/a/a/b.md",
            "a/a/a/a/ب.md",
            "مقالات/2024/ت.md",
            "مقالات/2024/أ.md",
            "مقالات/2023/ث.md",
            "z/.hidden.md",
            "z/#draft.md#",
            "z/kept.md",
            "z/kept.md~",
            "z/notes.txt",
            ".git/inside.md",
            "y.swp",
        ];
        for f in files {
            let path = content.join(f);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, "---\ntitle: x\n---\n").unwrap();
        }
        let (found, problems) = discover(dir.path(), &content);
        assert!(problems.is_empty(), "{problems:?}");
        let walked: Vec<PathBuf> = walkdir::WalkDir::new(&content)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()))
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.is_file() && has_md_extension(p))
            .collect();
        assert_eq!(found, walked);
        let names: Vec<_> = found
            .iter()
            .map(|p| {
                p.strip_prefix(&content)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            names[..3],
            ["a/a/a/a/a/a/deeper.md", "a/a/a/a/a/deep.md", "a/a/a/a/b.md"]
        );
        assert_eq!(names.len(), 11);
    }

    #[test]
    fn ignored_names() {
        for n in [".hidden.md", "#x.md#", "x.md~", ".x.md.swp"] {
            assert!(is_ignored(std::ffi::OsStr::new(n)), "{n}");
        }
        assert!(!is_ignored(std::ffi::OsStr::new("مقال.md")));
    }

    /// A file is read whole whatever size it was said to have, and never past `most`.
    #[test]
    fn read_up_to_reads_the_whole_file_and_stops_at_the_limit() {
        use std::io::Write;
        let text: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&text).unwrap();
        let read = |len: u64, most: u64| {
            use std::io::Seek;
            let mut f = file.try_clone().unwrap();
            f.rewind().unwrap();
            read_up_to(&f, len, most).unwrap()
        };
        // As stamped; grown since (stamped smaller); shrunk since (stamped larger).
        for len in [50_000, 0, 1, 8_192, 49_999, 50_001, 1_000_000] {
            assert_eq!(read(len, u64::MAX), text, "stamped {len}");
        }
        assert_eq!(read(50_000, 10_001), &text[..10_001]);
        assert_eq!(read(5, 10_001), &text[..10_001]);
        assert!(read(0, 0).is_empty());
    }
}

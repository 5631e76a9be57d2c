//! Rendered files → the output folder, atomically.
//!
//! A build writes into a staging folder beside the output (`.public.warraq-staging-PID`).
//! A file whose bytes equal the previous output's is hard-linked from it instead of
//! written, so an unchanged site rewrites nothing and keeps every mtime. Only when all
//! of it succeeded is the staging folder swapped in (one `renameat2(RENAME_EXCHANGE)` on
//! Linux); a failed or killed build leaves the previous site as it was.

use crate::error::Diagnostic;
use anyhow::{bail, Context as _, Result};
use std::fs;
use std::io::{ErrorKind, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Refuses output folders whose replacement would destroy something: `/`, the home
/// folder, the site itself or any folder above it, `content/`, `templates/`, `static/`,
/// or any folder holding a `site.toml` or a `content/` folder.
pub fn ensure_safe_output_dir(root: &Path, output: &Path) -> Result<()> {
    let out = absolute(output)?;
    let site = absolute(root)?;
    let refuse = |why: &str| -> Result<()> {
        bail!(
            "refusing to use `{}` as the output folder: {why}",
            output.display()
        )
    };
    if out.parent().is_none() {
        return refuse("it is the file-system root");
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        // Replacing a folder above the home folder (`/home`) would delete it too.
        if absolute(&home).is_ok_and(|h| h.starts_with(&out)) {
            return refuse("it is the home folder or contains it");
        }
    }
    if site.starts_with(&out) {
        return refuse("it is the site folder or contains it");
    }
    for name in ["content", "templates", "static"] {
        if out.starts_with(site.join(name)) {
            return refuse(&format!("it is inside the site's `{name}/`"));
        }
    }
    if out.join("site.toml").exists() || out.join("content").is_dir() {
        return refuse(
            "it holds a `site.toml` or `content/`: it looks like a site, not a build output",
        );
    }
    if out.exists() && !out.is_dir() {
        return refuse("it exists and is not a folder");
    }
    if !looks_like_output(&out) {
        return refuse(
            "it is a folder with other files in it, not a built site (no `index.html`): \
             empty it or choose another folder",
        );
    }
    Ok(())
}

/// True for a folder a build may replace: absent, empty, the output of an earlier build
/// (a manifest beside it), or a built site of any generator (an `index.html` at its top).
fn looks_like_output(dir: &Path) -> bool {
    let Ok(mut entries) = fs::read_dir(dir) else {
        return true;
    };
    entries.next().is_none()
        || crate::manifest::path_for(dir).is_file()
        || dir.join("index.html").is_file()
        || dir.join("404.html").is_file()
}

/// An absolute, lexically normalized path (`..` resolved against existing parents).
fn absolute(p: &Path) -> Result<PathBuf> {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .context("cannot read the current folder")?
            .join(p)
    };
    // Canonicalize the longest existing ancestor (resolving symlinks), then append the rest.
    let mut existing = joined.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    let mut normal = PathBuf::new();
    for c in out.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    Ok(normal)
}

/// The staging folder a build writes into.
pub struct Staging {
    target: PathBuf,
    /// Whether there is a previous output to compare with (not on a first build).
    has_previous: bool,
    dir: PathBuf,
    /// `dir`, open: files and folders are made relative to it, so the system does not
    /// walk the staging folder's own path again for each of tens of thousands of files.
    dir_fd: rustix::fd::OwnedFd,
    written: AtomicUsize,
    linked: AtomicUsize,
    committed: bool,
}

/// What a build did to the output.
#[derive(Debug, Default, Clone, Copy)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
}

impl Staging {
    /// Creates a fresh staging folder beside `target`, removing any left by a killed build.
    pub fn create(target: &Path) -> Result<Staging> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
        let name = target
            .file_name()
            .context("the output folder has no name")?
            .to_string_lossy()
            .into_owned();
        remove_leftovers(&parent, &name);
        let dir = parent.join(format!(".{name}.warraq-staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot remove `{}`", dir.display()))?;
        }
        fs::create_dir(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
        let dir_fd = rustix::fs::open(
            &dir,
            rustix::fs::OFlags::DIRECTORY
                | rustix::fs::OFlags::RDONLY
                | rustix::fs::OFlags::CLOEXEC,
            rustix::fs::Mode::empty(),
        )
        .map_err(std::io::Error::from)
        .with_context(|| format!("cannot open `{}`", dir.display()))?;
        Ok(Staging {
            target: target.to_path_buf(),
            has_previous: target.is_dir(),
            dir,
            dir_fd,
            written: AtomicUsize::new(0),
            linked: AtomicUsize::new(0),
            committed: false,
        })
    }

    /// Writes one file (`rel` uses `/`, has no `..`: it comes from a slug or a theme file).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        if rel.starts_with('/') || rel.split('/').any(|c| c == ".." || c == ".") {
            return Err(Diagnostic::file(
                Path::new(rel),
                "refusing to write outside the output folder",
            ));
        }
        // The full paths are for messages and reuse only: most writes need neither.
        let dest = || self.dir.join(rel);
        if let Some((parent, _)) = rel.rsplit_once('/') {
            self.make_dirs(parent)?;
        }
        // Two outputs of one build never share a file: the second would silently replace
        // the first. (URL checks in site.rs name the files; this is the last guard.)
        let taken = || {
            Diagnostic::file(
                Path::new(rel),
                "two outputs of this build are written to this file",
            )
        };
        if self.has_previous {
            let previous = self.target.join(rel);
            if same_bytes(&previous, bytes) {
                match fs::hard_link(&previous, dest()) {
                    Ok(()) => {
                        self.linked.fetch_add(1, Ordering::Relaxed);
                        return Ok(());
                    }
                    Err(e) if e.kind() == ErrorKind::AlreadyExists => return Err(taken()),
                    Err(_) => {}
                }
            }
        }
        use rustix::fs::{Mode, OFlags};
        let mut file = match rustix::fs::openat(
            &self.dir_fd,
            rel,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o666),
        ) {
            Ok(fd) => fs::File::from(fd),
            Err(rustix::io::Errno::EXIST) => return Err(taken()),
            Err(e) => {
                let e = std::io::Error::from(e);
                return Err(Diagnostic::file(&dest(), format!("cannot write: {e}")));
            }
        };
        file.write_all(bytes)
            .map_err(|e| Diagnostic::file(&dest(), format!("cannot write: {e}")))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Makes the folder `rel` (`/`-separated, under the staging folder) and the folders
    /// above it, as `create_dir_all` would, relative to the open staging folder.
    fn make_dirs(&self, rel: &str) -> Result<(), Diagnostic> {
        use rustix::io::Errno;
        let mkdir =
            || rustix::fs::mkdirat(&self.dir_fd, rel, rustix::fs::Mode::from_raw_mode(0o777));
        let result = match mkdir() {
            Err(Errno::NOENT) => {
                if let Some((up, _)) = rel.rsplit_once('/') {
                    self.make_dirs(up)?;
                }
                mkdir()
            }
            other => other,
        };
        match result {
            // A file of that name makes the file's own opening fail, naming it.
            Ok(()) | Err(Errno::EXIST) => Ok(()),
            Err(e) => Err(Diagnostic::file(
                &self.dir.join(rel),
                format!("cannot create folder: {}", std::io::Error::from(e)),
            )),
        }
    }

    /// Reuses the previous build's file as it is (a hard link: no read, no write, the
    /// modification time kept); copies it where links are not possible.
    pub fn link_previous(&self, rel: &str) -> Result<(), Diagnostic> {
        let dest = self.dir.join(rel);
        if let Some((parent, _)) = rel.rsplit_once('/') {
            self.make_dirs(parent)?;
        }
        let previous = self.target.join(rel);
        if fs::hard_link(&previous, &dest).is_err() {
            fs::copy(&previous, &dest)
                .map_err(|e| Diagnostic::file(&previous, format!("cannot reuse: {e}")))?;
        }
        self.linked.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// True if `rel` was already written in this build.
    pub fn exists(&self, rel: &str) -> bool {
        self.dir.join(rel).exists()
    }

    /// Swaps the staging folder in place of the output and removes the old one.
    pub fn commit(mut self) -> Result<WriteStats> {
        let stats = WriteStats {
            written: self.written.load(Ordering::Relaxed),
            unchanged: self.linked.load(Ordering::Relaxed),
        };
        if self.target.exists() {
            swap(&self.dir, &self.target)?;
            // self.dir now holds the previous output.
            fs::remove_dir_all(&self.dir).with_context(|| {
                format!("cannot remove the previous output `{}`", self.dir.display())
            })?;
        } else {
            fs::rename(&self.dir, &self.target).with_context(|| {
                format!("cannot move the new output to `{}`", self.target.display())
            })?;
        }
        self.committed = true;
        Ok(stats)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes one file of a live output folder (the dev server's), atomically: a temporary
/// sibling, then a rename. Returns false, writing nothing, when the bytes are unchanged.
pub fn write_in_place(output: &Path, rel: &str, bytes: &[u8]) -> Result<bool, Diagnostic> {
    if rel.starts_with('/') || rel.split('/').any(|c| c == ".." || c == ".") {
        return Err(Diagnostic::file(
            Path::new(rel),
            "refusing to write outside the output folder",
        ));
    }
    let dest = output.join(rel);
    if same_bytes(&dest, bytes) {
        return Ok(false);
    }
    if let Some(parent) = dest.parent() {
        create_dir_all(parent)?;
    }
    let tmp = dest.with_file_name(format!(
        ".{}.warraq-tmp",
        dest.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    ));
    fs::write(&tmp, bytes).map_err(|e| Diagnostic::file(&tmp, format!("cannot write: {e}")))?;
    fs::rename(&tmp, &dest).map_err(|e| Diagnostic::file(&dest, format!("cannot write: {e}")))?;
    Ok(true)
}

/// Removes one file of a live output folder, and its folder when that becomes empty.
pub fn remove_in_place(output: &Path, rel: &str) {
    if rel.split('/').any(|c| c == "..") {
        return;
    }
    let path = output.join(rel);
    let _ = fs::remove_file(&path);
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == output || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

fn create_dir_all(dir: &Path) -> Result<(), Diagnostic> {
    match fs::create_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(Diagnostic::file(dir, format!("cannot create folder: {e}"))),
    }
}

fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

/// Exchanges two folders in one step where the system can, else in two renames.
#[cfg(target_os = "linux")]
fn swap(a: &Path, b: &Path) -> Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        Err(_) => swap_by_renames(a, b),
    }
}

#[cfg(not(target_os = "linux"))]
fn swap(a: &Path, b: &Path) -> Result<()> {
    swap_by_renames(a, b)
}

fn swap_by_renames(staging: &Path, target: &Path) -> Result<()> {
    let old = staging.with_extension("old");
    fs::rename(target, &old)
        .with_context(|| format!("cannot move `{}` aside", target.display()))?;
    if let Err(e) = fs::rename(staging, target) {
        let _ = fs::rename(&old, target);
        return Err(e)
            .with_context(|| format!("cannot move the new output to `{}`", target.display()));
    }
    fs::rename(&old, staging).with_context(|| format!("cannot move `{}`", old.display()))
}

/// Removes staging folders left by builds that were killed.
fn remove_leftovers(parent: &Path, name: &str) {
    let prefix = format!(".{name}.warraq-staging-");
    if let Ok(entries) = fs::read_dir(parent) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_outputs() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        fs::create_dir(root.join("content")).unwrap();
        fs::write(root.join("site.toml"), "title = \"x\"\n").unwrap();
        for bad in [
            Path::new("/"),
            root,
            &root.join("content"),
            &root.join("content/x"),
            &root.join("."),
            &root.join("public/.."),
        ] {
            assert!(
                ensure_safe_output_dir(root, bad).is_err(),
                "{}",
                bad.display()
            );
        }
        assert!(ensure_safe_output_dir(root, &root.join("public")).is_ok());
        // A folder of other things is never replaced; a built site is.
        fs::create_dir_all(root.join("notes")).unwrap();
        fs::write(root.join("notes/todo.txt"), "x").unwrap();
        assert!(ensure_safe_output_dir(root, &root.join("notes")).is_err());
        fs::write(root.join("notes/index.html"), "x").unwrap();
        assert!(ensure_safe_output_dir(root, &root.join("notes")).is_ok());
    }

    #[test]
    fn unchanged_files_keep_their_inode() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::create(&out).unwrap();
        s.write("a/index.html", b"one").unwrap();
        s.commit().unwrap();
        let before = fs::metadata(out.join("a/index.html"))
            .unwrap()
            .modified()
            .unwrap();
        let s = Staging::create(&out).unwrap();
        s.write("a/index.html", b"one").unwrap();
        s.write("b.xml", b"two").unwrap();
        let stats = s.commit().unwrap();
        assert_eq!((stats.written, stats.unchanged), (1, 1));
        assert_eq!(
            fs::metadata(out.join("a/index.html"))
                .unwrap()
                .modified()
                .unwrap(),
            before
        );
        assert_eq!(fs::read(out.join("b.xml")).unwrap(), b"two");
        // No staging debris.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn folders_are_made_at_any_depth_and_a_file_in_the_way_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::create(&out).unwrap();
        s.write("tags/وسم/page/2/index.html", b"deep").unwrap();
        s.write("tags/وسم/page/3/index.html", b"beside").unwrap();
        s.write("tags/وسم/index.html", b"above").unwrap();
        s.write("atom.xml", b"feed").unwrap();
        let e = s.write("atom.xml/page/2/index.html", b"x").unwrap_err();
        assert!(format!("{e}").contains("atom.xml"), "{e}");
        s.commit().unwrap();
        assert_eq!(
            fs::read(out.join("tags/وسم/page/2/index.html")).unwrap(),
            b"deep"
        );
        assert_eq!(
            fs::read(out.join("tags/وسم/page/3/index.html")).unwrap(),
            b"beside"
        );
        assert_eq!(fs::read(out.join("tags/وسم/index.html")).unwrap(), b"above");
    }

    #[test]
    fn one_file_is_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::create(&out).unwrap();
        s.write("a/index.html", b"one").unwrap();
        s.commit().unwrap();
        let s = Staging::create(&out).unwrap();
        s.write("a/index.html", b"one").unwrap();
        assert!(s.write("a/index.html", b"one").is_err(), "as a hard link");
        s.write("b.xml", b"two").unwrap();
        assert!(s.write("b.xml", b"three").is_err(), "as a new file");
    }

    #[test]
    fn dropped_staging_leaves_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::create(&out).unwrap();
        s.write("index.html", b"old").unwrap();
        s.commit().unwrap();
        let s = Staging::create(&out).unwrap();
        s.write("index.html", b"new").unwrap();
        drop(s);
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

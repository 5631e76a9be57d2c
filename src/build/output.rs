//! Rendered files → the output folder, atomically.
//!
//! A build holds the output's [`Lock`] and writes into a staging folder beside the
//! output (`.public.warraq-staging-PID-RANDOM`). A file whose bytes equal the previous
//! output's is hard-linked from it instead of written, so an unchanged site rewrites
//! nothing and keeps every mtime; a staged file is only ever created, never opened for
//! writing again, so a link never carries new bytes into the live site. Only when all
//! of it succeeded is the manifest saved, naming the staging folder, and the staging
//! folder swapped in (one `renameat2(RENAME_EXCHANGE)` on Linux); a failed or killed
//! build leaves the previous site as it was, and the next build sees that the manifest
//! does not describe it.

mod in_place;
mod lock;
mod place;

pub use in_place::{remove_in_place, write_in_place};
pub use lock::Lock;
pub use place::{ensure_safe_output_dir, resolve};

use crate::basics::error::Diagnostic;
use anyhow::{Context as _, Result};
use std::fs;
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Files a static host reads from the site's folder that a build does not make:
/// kept from the previous output when the build makes no file of that name (putting
/// them in `static/` makes them part of the site instead).
pub const HOST_FILES: &[&str] = &[
    "CNAME",
    ".nojekyll",
    ".htaccess",
    "_headers",
    "_redirects",
    ".well-known",
];

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
    /// The sum of the [`crate::build::manifest::file_print`] of every file staged.
    digest: AtomicU64,
    committed: bool,
}

/// What the manifest saved with a staged output holds besides its folder and digest.
pub struct ManifestParts {
    pub stamp: u64,
    /// Its lines ([`crate::build::manifest::text_of`]) for the files jobs wrote.
    pub lines: String,
    /// Other files staged (static files, files kept for the host), listed with key 0.
    pub others: Vec<String>,
}

/// What a commit did.
#[derive(Debug, Default)]
pub struct Committed {
    pub stats: WriteStats,
    /// The previous output could not be removed once the new one was in place: where it
    /// was left, and why (the next build removes it).
    pub leftover: Option<String>,
}

/// What a build did to the output.
#[derive(Debug, Default, Clone, Copy)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
}

impl Staging {
    /// Creates a fresh staging folder beside `target`, removing any left by a killed
    /// build (`lock`, held, says no other build is using one).
    pub fn create(target: &Path, lock: &Lock) -> Result<Staging> {
        let _ = lock;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| lock::not_writable(target, &parent, e))?;
        let name = target
            .file_name()
            .context("the output folder has no name")?
            .to_string_lossy()
            .into_owned();
        remove_leftovers(&parent, &name);
        // The process id alone can repeat: two containers sharing a volume are both
        // process 1.
        let random = {
            use std::hash::{BuildHasher as _, Hasher as _};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            h.finish() as u32
        };
        let dir = parent.join(format!(
            ".{name}.warraq-staging-{}-{random:08x}",
            std::process::id()
        ));
        fs::create_dir(&dir).map_err(|e| lock::not_writable(target, &parent, e))?;
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
            digest: AtomicU64::new(0),
            committed: false,
        })
    }

    fn record(&self, rel: &str, meta: &fs::Metadata) {
        self.digest.fetch_add(
            crate::build::manifest::file_print(rel, meta),
            Ordering::Relaxed,
        );
    }

    /// Writes one file (`rel` uses `/`, has no `..`: it comes from a slug or a theme file).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        ensure_inside(rel)?;
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
            if let Some(meta) = same_bytes(&previous, bytes) {
                match fs::hard_link(&previous, dest()) {
                    Ok(()) => {
                        // One file with the previous one: its size and time are those.
                        self.record(rel, &meta);
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
        let meta = file
            .metadata()
            .map_err(|e| Diagnostic::file(&dest(), format!("cannot write: {e}")))?;
        self.record(rel, &meta);
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
    /// modification time kept); a new copy where links are not possible.
    pub fn link_previous(&self, rel: &str) -> Result<(), Diagnostic> {
        self.link(rel, &self.target.join(rel), true)
    }

    /// Takes the file at `from` (outside the output: a cached photo) as `rel`: a hard
    /// link, no bytes copied; a copy where links are not possible.
    pub fn link_from(&self, rel: &str, from: &Path) -> Result<(), Diagnostic> {
        ensure_inside(rel)?;
        self.link(rel, from, false)
    }

    /// Links `from` in as `rel`; `previous`: `from` is the previous output's own file.
    fn link(&self, rel: &str, from: &Path, previous: bool) -> Result<(), Diagnostic> {
        if let Some((parent, _)) = rel.rsplit_once('/') {
            self.make_dirs(parent)?;
        }
        let dest = self.dir.join(rel);
        match fs::hard_link(from, &dest) {
            Ok(()) => {
                let meta = fs::symlink_metadata(&dest)
                    .map_err(|e| Diagnostic::file(&dest, format!("cannot write: {e}")))?;
                self.record(rel, &meta);
                // A cached file that is the previous output's own is unchanged too.
                use std::os::unix::fs::MetadataExt as _;
                let same = previous
                    || (self.has_previous
                        && fs::metadata(self.target.join(rel))
                            .is_ok_and(|m| m.ino() == meta.ino() && m.dev() == meta.dev()));
                let count = if same { &self.linked } else { &self.written };
                count.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(Diagnostic::file(
                Path::new(rel),
                "two outputs of this build are written to this file",
            )),
            // Never a copy over what is there: that file may be the live one.
            Err(_) => {
                let bytes = fs::read(from)
                    .map_err(|e| Diagnostic::file(from, format!("cannot read: {e}")))?;
                self.write(rel, &bytes)
            }
        }
    }

    /// Keeps the previous output's [`HOST_FILES`] that this build did not make.
    /// Returns them.
    pub fn keep_host_files(&self) -> Vec<String> {
        let mut kept = Vec::new();
        if !self.has_previous {
            return kept;
        }
        for name in HOST_FILES {
            let previous = self.target.join(name);
            let Ok(meta) = fs::symlink_metadata(&previous) else {
                continue;
            };
            if meta.is_file() {
                if !self.exists(name) && self.link_previous(name).is_ok() {
                    kept.push((*name).to_owned());
                }
            } else if meta.is_dir() {
                for entry in walkdir::WalkDir::new(&previous)
                    .follow_links(false)
                    .sort_by_file_name()
                    .into_iter()
                    .flatten()
                    .filter(|e| e.file_type().is_file())
                {
                    let Ok(rel) = entry.path().strip_prefix(&self.target) else {
                        continue;
                    };
                    let Some(rel) = rel.to_str().map(|r| r.replace('\\', "/")) else {
                        continue;
                    };
                    if !self.exists(&rel) && self.link_previous(&rel).is_ok() {
                        kept.push(rel);
                    }
                }
            }
        }
        kept
    }

    /// True if `rel` was already written in this build.
    pub fn exists(&self, rel: &str) -> bool {
        self.dir.join(rel).exists()
    }

    /// Saves the manifest (when given) naming the staging folder, swaps the staging
    /// folder in place of the output, and removes the old one. The site is in place once
    /// this returns `Ok`, even if the old folder could not be removed (said in
    /// [`Committed::leftover`]).
    pub fn commit(mut self, manifest: Option<ManifestParts>) -> Result<Committed> {
        let stats = WriteStats {
            written: self.written.load(Ordering::Relaxed),
            unchanged: self.linked.load(Ordering::Relaxed),
        };
        match manifest {
            Some(parts) => {
                let id = fs::metadata(&self.dir)
                    .map(|m| crate::build::manifest::folder_id(&m))
                    .with_context(|| format!("cannot read `{}`", self.dir.display()))?;
                let mut text = crate::build::manifest::header(
                    parts.stamp,
                    id,
                    self.digest.load(Ordering::Relaxed),
                );
                text.push_str(&parts.lines);
                for other in &parts.others {
                    text.push_str(&format!("{:016x}\t{other}\n", 0));
                }
                // Before the swap: a build stopped between the two leaves a manifest
                // naming a folder that is not the output, which describes nothing.
                crate::build::manifest::Manifest::save_text(&self.target, &text).with_context(
                    || {
                        format!(
                            "cannot save the manifest beside `{}`",
                            self.target.display()
                        )
                    },
                )?;
            }
            None => crate::build::manifest::Manifest::remove(&self.target),
        }
        let mut leftover = None;
        if self.target.exists() {
            swap(&self.dir, &self.target)?;
            // self.dir now holds the previous output.
            self.committed = true;
            if let Err(e) = fs::remove_dir_all(&self.dir) {
                leftover = Some(format!(
                    "the previous output, moved to `{}`, could not be removed ({e}); the next build removes it",
                    self.dir.display()
                ));
            }
        } else {
            fs::rename(&self.dir, &self.target).with_context(|| {
                format!("cannot move the new output to `{}`", self.target.display())
            })?;
            self.committed = true;
        }
        Ok(Committed { stats, leftover })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Refuses a path that would leave the output folder (absolute, or with `.`/`..`).
fn ensure_inside(rel: &str) -> Result<(), Diagnostic> {
    if rel.starts_with('/') || rel.split('/').any(|c| c == ".." || c == ".") {
        return Err(Diagnostic::file(
            Path::new(rel),
            "refusing to write outside the output folder",
        ));
    }
    Ok(())
}

fn create_dir_all(dir: &Path) -> Result<(), Diagnostic> {
    match fs::create_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(Diagnostic::file(dir, format!("cannot create folder: {e}"))),
    }
}

/// The file's metadata if it holds exactly `bytes`.
fn same_bytes(path: &Path, bytes: &[u8]) -> Option<fs::Metadata> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == bytes).then_some(m)
        }
        _ => None,
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
mod tests;

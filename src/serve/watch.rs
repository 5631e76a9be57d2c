//! File-system events → batches of [`Change`]s for the session. Knows nothing of HTTP.
//!
//! `notify` reports raw events (through `notify-debouncer-full`, which holds each one a
//! few milliseconds so that one save arrives as one batch). [`classify`] maps a path to
//! what it means for the site, by name alone; [`expand`] then looks at the disk once,
//! when the batch is handed over: a folder that appeared becomes its articles, a folder
//! of `static/` that vanished becomes a full rebuild. The session reads each file again
//! when it applies the batch, so an editor that saves by writing a temporary file and
//! renaming it over the article is seen as the article changing, whatever order the
//! events came in.

use anyhow::{Context as _, Result};
use notify::event::{AccessKind, AccessMode, EventKind};
use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult, DebouncedEvent};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// What changed on disk, as the watcher classifies it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Change {
    /// An article or page under `content/` (created, edited or deleted).
    Content(PathBuf),
    /// Anything under `templates/`.
    Template(PathBuf),
    /// A file under `static/`.
    Static(PathBuf),
    /// `site.toml`.
    Config,
}

/// How long an event is held before it is handed over: long enough that the events of
/// one save (write, rename, delete of the backup) travel together, short enough to be
/// invisible to a writer.
pub const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often held events are checked.
const TICK: Duration = Duration::from_millis(2);

/// The folders watched recursively, below the site root.
const WATCHED_DIRS: [&str; 3] = ["content", "templates", "static"];

/// What a path under the site root means for the site, by its name alone; `None` for
/// paths no output depends on (editor leftovers, hidden files, the output folder).
pub fn classify(root: &Path, path: &Path) -> Option<Change> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel.components().map(|c| c.as_os_str());
    let top = parts.next()?;
    let rest: Vec<&OsStr> = parts.collect();
    if rest.is_empty() && top == "site.toml" {
        return Some(Change::Config);
    }
    // Discovery skips hidden and editor files at every depth; so does the watcher.
    if rest
        .iter()
        .any(|name| crate::sources::content::is_ignored(name))
    {
        return None;
    }
    if rest.last().is_some_and(|name| is_editor_temp(name)) {
        return None;
    }
    let path = path.to_path_buf();
    match top.to_str()? {
        "content" => Some(Change::Content(path)),
        "templates" => Some(Change::Template(path)),
        "static" => Some(Change::Static(path)),
        _ => None,
    }
}

/// Files editors write beside the one being saved, that `content::is_ignored` does not
/// already cover (none of them ends in `.md`, so discovery never reads them either).
fn is_editor_temp(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    const SUFFIXES: [&str; 8] = [
        ".swx",
        ".swo",
        ".tmp",
        ".bak",
        ".kate-swp",
        ".crswap",
        "___jb_tmp___",
        "___jb_old___",
    ];
    SUFFIXES.iter().any(|s| name.ends_with(s)) || is_vim_probe(&name)
}

/// Vim checks that it may create files in a folder by creating `4913` (then 5036,
/// 5159, ... when that exists). Year folders (`2019`) are far below, and stay watched.
fn is_vim_probe(name: &str) -> bool {
    name.parse::<u32>()
        .is_ok_and(|n| n >= 4913 && (n - 4913) % 123 == 0)
}

/// Turns a batch of classified changes into what the session should apply, looking at
/// the disk: a folder under `content/` or `static/` stands for the files in it (a folder
/// moved in brings files no event named), an existing file under `content/` that is not
/// an article is dropped, and a vanished `static/` folder, whose files are no longer
/// known, asks for a full rebuild. Duplicates are removed, order kept.
pub fn expand(changes: Vec<Change>, root: &Path, output: &Path) -> Vec<Change> {
    fn push(c: Change, out: &mut Vec<Change>) {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    let mut out: Vec<Change> = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            Change::Content(path) if path.is_dir() => {
                for file in files_under(&path) {
                    if crate::sources::content::is_article_name(&file) {
                        push(Change::Content(file), &mut out);
                    }
                }
            }
            Change::Content(path)
                if path.is_file() && !crate::sources::content::is_article_name(&path) => {}
            Change::Static(path) if path.is_dir() => {
                for file in files_under(&path) {
                    push(Change::Static(file), &mut out);
                }
            }
            Change::Static(path) if !path.exists() && was_static_dir(&path, root, output) => {
                push(Change::Config, &mut out);
            }
            other => push(other, &mut out),
        }
    }
    // A full rebuild covers everything else.
    if out.contains(&Change::Config) {
        return vec![Change::Config];
    }
    out
}

fn was_static_dir(path: &Path, root: &Path, output: &Path) -> bool {
    path.strip_prefix(root.join("static"))
        .is_ok_and(|rel| !rel.as_os_str().is_empty() && output.join(rel).is_dir())
}

/// Files below `dir`, sorted, hidden and editor files skipped, symlinks not followed.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !crate::sources::content::is_ignored(e.file_name()))
        .flatten()
        .filter(|e| !e.file_type().is_dir() && !is_editor_temp(e.file_name()))
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// What the watcher hands over.
#[derive(Debug)]
pub enum Batch {
    /// Changes to apply together (never empty).
    Changes(Vec<Change>),
    /// The watcher had trouble (e.g. the system's limit of watched folders): changes
    /// may have been missed.
    Trouble(String),
    /// Nothing changed for the time [`Watcher::wait_for`] was given.
    Quiet,
}

enum Signal {
    Events(DebounceEventResult),
    Stop,
}

/// Stops a [`Watcher`] blocked in [`Watcher::wait`] from another thread.
#[derive(Clone)]
pub struct Stopper(mpsc::Sender<Signal>);

impl Stopper {
    pub fn stop(&self) {
        let _ = self.0.send(Signal::Stop);
    }
}

/// Watches `content/`, `templates/`, `static/` and `site.toml` of a site.
pub struct Watcher {
    root: PathBuf,
    output: PathBuf,
    debouncer: notify_debouncer_full::Debouncer<
        notify::RecommendedWatcher,
        notify_debouncer_full::RecommendedCache,
    >,
    tx: mpsc::Sender<Signal>,
    rx: mpsc::Receiver<Signal>,
}

impl Watcher {
    /// Starts watching. `root` should be absolute (event paths are built from it).
    pub fn start(root: &Path, output: &Path) -> Result<Watcher> {
        let (tx, rx) = mpsc::channel();
        let events = tx.clone();
        let debouncer = new_debouncer(DEBOUNCE, Some(TICK), move |r: DebounceEventResult| {
            let _ = events.send(Signal::Events(r));
        })
        .context("cannot start watching files")?;
        let mut watcher = Watcher {
            root: root.to_path_buf(),
            output: output.to_path_buf(),
            debouncer,
            tx,
            rx,
        };
        // The root itself, not recursively: `site.toml` (editors replace it by renaming,
        // which a watch on the file itself would lose) and the watched folders appearing.
        watcher
            .debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch `{}`", root.display()))?;
        for name in WATCHED_DIRS {
            watcher.rewatch(name)?;
        }
        Ok(watcher)
    }

    pub fn stopper(&self) -> Stopper {
        Stopper(self.tx.clone())
    }

    /// (Re)starts the recursive watch of one of the watched folders, if it exists: after
    /// it was created, or moved away and back.
    fn rewatch(&mut self, name: &str) -> Result<()> {
        let dir = self.root.join(name);
        let _ = self.debouncer.unwatch(&dir);
        if dir.is_dir() {
            self.debouncer
                .watch(&dir, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch `{}`", dir.display()))?;
        }
        Ok(())
    }

    /// Blocks until the next batch; batches already waiting are merged into it. `None`
    /// once stopped.
    pub fn wait(&mut self) -> Option<Batch> {
        self.wait_for(None)
    }

    /// [`Watcher::wait`], but returns [`Batch::Quiet`] once `quiet` passes with no change.
    pub fn wait_for(&mut self, quiet: Option<std::time::Duration>) -> Option<Batch> {
        loop {
            let mut raw = Vec::new();
            let mut errors = Vec::new();
            let first = match quiet {
                Some(t) => match self.rx.recv_timeout(t) {
                    Ok(signal) => signal,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => return Some(Batch::Quiet),
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return None,
                },
                None => self.rx.recv().ok()?,
            };
            for signal in std::iter::once(first).chain(self.rx.try_iter()) {
                match signal {
                    Signal::Stop => return None,
                    Signal::Events(Ok(events)) => raw.extend(events),
                    Signal::Events(Err(e)) => errors.extend(e),
                }
            }
            if !errors.is_empty() {
                let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
                return Some(Batch::Trouble(text.join("; ")));
            }
            let changes = self.changes(&raw);
            if !changes.is_empty() {
                return Some(Batch::Changes(changes));
            }
        }
    }

    fn changes(&mut self, events: &[DebouncedEvent]) -> Vec<Change> {
        let mut changes = Vec::new();
        let mut rescan = false;
        for event in events {
            if event.need_rescan() {
                rescan = true;
            }
            if !changes_content(&event.kind) {
                continue;
            }
            for path in &event.paths {
                if let Some(name) = self.watched_dir_itself(path) {
                    // Created, removed or moved: its watch must follow.
                    if let Err(e) = self.rewatch(name) {
                        eprintln!("warning: {e:#}");
                    }
                }
                if let Some(change) = classify(&self.root, path) {
                    changes.push(change);
                }
            }
        }
        if rescan {
            // The system dropped events: only reading everything again is safe.
            changes.push(Change::Config);
        }
        expand(changes, &self.root, &self.output)
    }

    fn watched_dir_itself(&self, path: &Path) -> Option<&'static str> {
        let rel = path.strip_prefix(&self.root).ok()?;
        WATCHED_DIRS.into_iter().find(|name| rel == Path::new(name))
    }
}

/// Reads (opening a file, closing it unwritten) change nothing; the session's own reads
/// of the articles would otherwise come back as events.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests;

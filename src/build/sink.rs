//! Where a run of the pipeline puts its files. `build` stages them beside the output
//! and swaps them in whole ([`crate::build::output::Staging`]); `serve`'s updates write
//! each file into the live output, atomically, when its bytes changed ([`InPlace`]);
//! `check` writes nothing and keeps only their names ([`Nowhere`]). The stages that make
//! files (rendering, the static files, the search bundle) write through a [`Sink`] and
//! do not know which.

use crate::basics::error::Diagnostic;
use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::Mutex;

/// Takes the files a run makes, by their path under the output (`/`-separated).
pub trait Sink: Sync {
    /// Takes one file. Two files of one run may not share a path.
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic>;
    /// Whether this run has already made `rel`.
    fn has(&self, rel: &str) -> bool;
    /// Takes the last run's `rel` as it is (its key is unchanged). Only a sink that
    /// holds a last run's output is asked ([`crate::build::manifest::Manifest`] says
    /// which files it has); the others take the name.
    fn link_previous(&self, rel: &str) -> Result<(), Diagnostic> {
        self.write(rel, &[])
    }
    /// Takes the file at `from` (a cached photo) as `rel`.
    fn write_file(&self, rel: &str, from: &Path) -> Result<(), Diagnostic> {
        let bytes =
            std::fs::read(from).map_err(|e| Diagnostic::file(from, format!("cannot read: {e}")))?;
        self.write(rel, &bytes)
    }
    /// Keeps the files a host needs from the last output ([`crate::build::output::HOST_FILES`]);
    /// returns their names. Only a sink that replaces an output keeps them.
    fn keep_host_files(&self) -> Vec<String> {
        Vec::new()
    }
}

impl Sink for crate::build::output::Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        crate::build::output::Staging::write(self, rel, bytes)
    }

    fn has(&self, rel: &str) -> bool {
        self.exists(rel)
    }

    fn link_previous(&self, rel: &str) -> Result<(), Diagnostic> {
        crate::build::output::Staging::link_previous(self, rel)
    }

    fn write_file(&self, rel: &str, from: &Path) -> Result<(), Diagnostic> {
        crate::build::output::Staging::link_from(self, rel, from)
    }

    fn keep_host_files(&self) -> Vec<String> {
        crate::build::output::Staging::keep_host_files(self)
    }
}

/// A sink that writes nothing (`warraq check`): it keeps the names of the files a build
/// would write, so links to them can be checked.
#[derive(Default)]
pub struct Nowhere {
    names: Mutex<BTreeSet<String>>,
}

impl Nowhere {
    /// The files taken, by name.
    pub fn into_names(self) -> BTreeSet<String> {
        self.names.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for Nowhere {
    fn write(&self, rel: &str, _bytes: &[u8]) -> Result<(), Diagnostic> {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        if !names.insert(rel.to_owned()) {
            return Err(Diagnostic::file(
                std::path::Path::new(rel),
                "two outputs of this build are written to this file",
            ));
        }
        Ok(())
    }

    fn write_file(&self, rel: &str, _from: &Path) -> Result<(), Diagnostic> {
        self.write(rel, &[])
    }

    fn has(&self, rel: &str) -> bool {
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(rel)
    }
}

/// A sink into a live output folder (the dev server's): each file is written in place,
/// atomically, when its bytes changed; the files that changed are remembered.
pub struct InPlace<'a> {
    output: &'a Path,
    taken: Mutex<HashSet<String>>,
    changed: Mutex<Vec<String>>,
}

impl<'a> InPlace<'a> {
    pub fn new(output: &'a Path) -> Self {
        InPlace {
            output,
            taken: Mutex::default(),
            changed: Mutex::default(),
        }
    }

    /// Removes the files of `before` that this run did not make (and their folders
    /// left empty); they count as changed.
    pub fn remove_vanished<'s>(&self, before: impl IntoIterator<Item = &'s String>) {
        let taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let mut changed = self.changed.lock().unwrap_or_else(|e| e.into_inner());
        for gone in before.into_iter().filter(|f| !taken.contains(*f)) {
            crate::build::output::remove_in_place(self.output, gone);
            changed.push(gone.clone());
        }
    }

    /// The files written (their bytes changed) or removed.
    pub fn into_changed(self) -> Vec<String> {
        self.changed.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for InPlace<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.taken
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.to_owned());
        if crate::build::output::write_in_place(self.output, rel, bytes)? {
            self.changed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(rel.to_owned());
        }
        Ok(())
    }

    fn has(&self, rel: &str) -> bool {
        self.taken
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(rel)
    }
}

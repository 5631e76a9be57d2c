//! Where a run of the pipeline puts its files. `build` stages them beside the output
//! and swaps them in whole ([`crate::build::output::Staging`]); `check` writes nothing
//! and keeps only their names ([`Nowhere`]). The stages that make files (rendering, the
//! static files, the search bundle) write through a [`Sink`] and do not know which.

use crate::basics::error::Diagnostic;
use std::collections::BTreeSet;
use std::sync::Mutex;

/// Takes the files a run makes, by their path under the output (`/`-separated).
pub trait Sink: Sync {
    /// Takes one file. Two files of one run may not share a path.
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic>;
    /// Whether this run has already made `rel`.
    fn has(&self, rel: &str) -> bool;
}

impl Sink for crate::build::output::Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        crate::build::output::Staging::write(self, rel, bytes)
    }

    fn has(&self, rel: &str) -> bool {
        self.exists(rel)
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

    fn has(&self, rel: &str) -> bool {
        self.names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(rel)
    }
}

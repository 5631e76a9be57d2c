//! Diagnostics: every problem found in a user's files, as `path:line:col: message`.
//!
//! Parsing functions return [`Located`] (a position inside the text they were given);
//! loaders attach the file path to make a [`Diagnostic`]. A build collects all of them and
//! fails once with [`BuildFailed`], which callers (the dev server's overlay) can `match` on.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem at a 1-based line and column of some text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Located {
    pub fn at(line: usize, col: usize, message: impl Into<String>) -> Self {
        Located {
            line,
            col,
            message: message.into(),
        }
    }

    pub fn in_file(self, path: &Path) -> Diagnostic {
        Diagnostic {
            path: path.to_path_buf(),
            line: Some(self.line),
            col: Some(self.col),
            message: self.message,
        }
    }
}

/// A problem in a file, with its position where one exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub col: Option<usize>,
    pub message: String,
}

impl Diagnostic {
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_path_buf(),
            line: None,
            col: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.col {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// A symlink that cannot be followed, in words that say what to do: one that leads
/// back to itself, or one whose target is gone.
pub fn symlink_broken(path: &Path, e: &std::io::Error) -> Diagnostic {
    if e.raw_os_error() == Some(40) {
        // ELOOP
        Diagnostic::file(
            path,
            "symlink loop (the link leads back to itself): remove the link or point it at a file",
        )
    } else {
        Diagnostic::file(
            path,
            format!("broken symlink (its target does not exist: {e}): remove the link or restore its target"),
        )
    }
}

/// The build found problems in the site's files; nothing was written.
#[derive(Debug, Clone)]
pub struct BuildFailed {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for BuildFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        let n = self.diagnostics.len();
        write!(
            f,
            "build failed: {n} problem{}; the previous output was left as it was",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for BuildFailed {}

impl From<Vec<Diagnostic>> for BuildFailed {
    fn from(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by(|a, b| (&a.path, a.line, a.col).cmp(&(&b.path, b.line, b.col)));
        BuildFailed { diagnostics }
    }
}

//! One writer per output folder: a build (or `serve`) holds a lock on a file beside the
//! output (`.public.warraq-lock`, never deployed) from before it reads the last build's
//! manifest until its output and manifest are in place. A second build into the same
//! folder stops at once with a message naming the first one's process, instead of
//! deleting its staging folder or swapping a partial site in. The lock is the system's
//! (`flock`), so it is let go however the holder ends, and it holds between processes of
//! different PID namespaces (two containers sharing a volume) on one machine.

use anyhow::{bail, Context as _, Result};
use std::fs;
use std::io::{ErrorKind, Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

/// A held lock on an output folder; let go when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: fs::File,
    path: PathBuf,
}

/// Where the lock of an output folder lives.
pub fn path_for(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    output.with_file_name(format!(".{name}.warraq-lock"))
}

impl Lock {
    /// Takes the lock of `output`, or says who holds it.
    pub fn acquire(output: &Path) -> Result<Lock> {
        let path = path_for(output);
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.exists() {
            fs::create_dir_all(parent).map_err(|e| not_writable(output, parent, e))?;
        }
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| not_writable(output, parent, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let who = if holder.is_empty() {
                    String::new()
                } else {
                    format!(" ({holder})")
                };
                bail!(
                    "another warraq is writing `{}`{who}: wait for it to finish, or write elsewhere with `--output`",
                    output.display()
                );
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock `{}`", path.display()))
            }
        }
        // Who holds it, for the message another build shows.
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "pid {}", std::process::id());
        Ok(Lock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The message for a folder beside the output that cannot be written.
pub fn not_writable(output: &Path, parent: &Path, e: std::io::Error) -> anyhow::Error {
    if e.kind() == ErrorKind::PermissionDenied || e.kind() == ErrorKind::ReadOnlyFilesystem {
        anyhow::anyhow!(
            "cannot write in `{}` ({e}): warraq builds the new site in a folder beside `{}` and swaps it in whole, so the folder that holds the output must be writable; make it writable, or build elsewhere with `--output` and copy the result",
            parent.display(),
            output.display()
        )
    } else {
        anyhow::anyhow!("cannot write in `{}`: {e}", parent.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_told_who_holds_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = Lock::acquire(&out).unwrap();
        let e = Lock::acquire(&out).unwrap_err().to_string();
        assert!(e.contains("another warraq is writing"), "{e}");
        assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
        drop(first);
        Lock::acquire(&out).unwrap();
    }
}

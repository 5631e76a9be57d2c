//! The dev server's writes: one file of a live output folder at a time, each atomic.

use super::{create_dir_all, same_bytes};
use crate::basics::error::Diagnostic;
use std::fs;
use std::path::Path;

/// Writes one file of a live output folder (the dev server's), atomically: a temporary
/// sibling, then a rename. Returns false, writing nothing, when the bytes are unchanged.
pub fn write_in_place(output: &Path, rel: &str, bytes: &[u8]) -> Result<bool, Diagnostic> {
    super::ensure_inside(rel)?;
    let dest = output.join(rel);
    if same_bytes(&dest, bytes).is_some() {
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

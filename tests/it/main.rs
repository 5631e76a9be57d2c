//! Integration tests: the real binary and library on fixture sites copied to temp dirs.

mod search;

use std::path::Path;

/// Copies a fixture site to a fresh temporary folder.
pub fn copy_site(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    for e in walkdir::WalkDir::new(&from) {
        let e = e.expect("a readable fixture");
        let dest = dir
            .path()
            .join(e.path().strip_prefix(&from).expect("under the fixture"));
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("a folder");
        } else {
            std::fs::copy(e.path(), &dest).expect("a copy");
        }
    }
    dir
}

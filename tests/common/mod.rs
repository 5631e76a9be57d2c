//! Helpers shared by the test binaries (`tests/it`, `tests/serve.rs`), included in each
//! with `#[path]`: copying fixture sites, reading output trees, finding Chromium.
//! Not every binary uses every helper.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Copies `from` into `to` (created), recreating symlinks as symlinks and skipping any
/// `public/` left by a manual build.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = fs::read_dir(from)
        .unwrap_or_else(|e| panic!("read {}: {e}", from.display()))
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let src = entry.path();
        let dest = to.join(entry.file_name());
        let ft = entry.file_type().unwrap();
        if ft.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&src).unwrap(), &dest).unwrap();
        } else if ft.is_dir() {
            if entry.file_name() != "public" {
                copy_dir(&src, &dest);
            }
        } else {
            fs::copy(&src, &dest).unwrap();
        }
    }
}

/// Every file under `dir`: its path relative to `dir` (with `/`) → its bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_str().unwrap();
                files.insert(rel.replace('\\', "/"), fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The Chromium binary: `WARRAQ_CHROMIUM`, else `chromium` (Debian) or
/// `chromium-browser` on the `PATH`. Without one a browser test is skipped (said on
/// stderr), except under CI (`CI` set), where that is a failure: `.ci/run` installs it.
pub fn chromium() -> Option<PathBuf> {
    let found = match std::env::var_os("WARRAQ_CHROMIUM") {
        Some(p) => Some(PathBuf::from(p)),
        None => std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
                .find(|p| p.is_file())
        }),
    };
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is missing under CI: `.ci/run` should have installed it"
        );
        use std::io::Write;
        // Straight to stderr, past the test harness's capture, so that it is seen.
        let _ = writeln!(
            std::io::stderr(),
            "skipping a browser test: no Chromium (apt-get install chromium)"
        );
    }
    found
}

/// The flags every headless Chromium of the tests starts with (a profile folder and the
/// mode, `--dump-dom` or `--remote-debugging-port`, are added by the caller).
pub const HEADLESS: [&str; 7] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
];

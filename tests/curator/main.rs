//! Integration tests of the curator's commands, `warraq import` and `warraq check`: the
//! real binary run on sites made in temporary folders.

mod check;
mod import;

use std::path::Path;
use std::process::{Command, Output};

/// Runs `warraq` with `args` in `dir`.
pub fn warraq(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warraq"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the warraq binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `files` (path, text) under `dir`, creating folders.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

pub const SITE_TOML: &str = "title = \"أرشيف\"\nbase_url = \"https://archive.example\"\n";

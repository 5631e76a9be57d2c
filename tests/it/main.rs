//! Integration tests: the real `warraq` binary run on fixture sites copied to temp dirs.
//!
//! `tests/fixtures/site/` is a small Arabic archive that must build; each folder in
//! `tests/fixtures/broken/` is a site that must fail with a precise message. One module
//! per feature; the helpers below are shared.

mod broken;
mod build;
mod cli;
mod escaping;
mod faults;
mod feeds;
mod newsroom;
mod output;
mod photos;
mod search;
mod snapshots;

#[path = "../common/mod.rs"]
mod common;
pub use common::{chromium, copy_dir, read_tree, HEADLESS};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The binary under test.
pub const WARRAQ: &str = env!("CARGO_BIN_EXE_warraq");

/// No single run of the binary may take longer than this: a hang is a failure, not a
/// stuck test suite.
pub const TIMEOUT: Duration = Duration::from_secs(60);

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A site in a temp dir, deleted on drop.
pub struct Site {
    _dir: TempDir,
    pub root: PathBuf,
}

impl Site {
    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        copy_dir(&fixtures().join(name), &root);
        Site { _dir: dir, root }
    }

    /// An empty folder to build a site in by hand.
    pub fn empty() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        fs::create_dir_all(&root).unwrap();
        Site { _dir: dir, root }
    }

    /// The temp dir holding the site (a place for other folders beside it).
    pub fn parent(&self) -> &Path {
        self.root.parent().unwrap()
    }

    /// Writes a file under the site, creating its folders.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, bytes).unwrap();
        path
    }

    /// Runs `warraq ARGS` with the site as the current folder.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(&self.root, args, &[])
    }

    /// `warraq build ARGS`, which must succeed.
    pub fn build(&self, args: &[&str]) -> Run {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        let r = self.run(&all);
        r.assert_ok();
        r
    }

    pub fn public(&self) -> PathBuf {
        self.root.join("public")
    }

    /// A file of the built site, by its site URL (`/tags/x/` or `/atom.xml`).
    pub fn page(&self, url: &str) -> String {
        let path = self.public().join(file_for_url(url));
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn has_page(&self, url: &str) -> bool {
        self.public().join(file_for_url(url)).is_file()
    }
}

/// `/a/b/` → `a/b/index.html`, `/x.xml` → `x.xml`.
pub fn file_for_url(url: &str) -> String {
    let t = url.trim_start_matches('/');
    if t.is_empty() || t.ends_with('/') {
        format!("{t}index.html")
    } else {
        t.to_owned()
    }
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    pub fn assert_ok(&self) {
        assert!(self.ok(), "warraq failed: {self:#?}");
    }

    pub fn assert_failed(&self) {
        assert!(
            self.code.is_some_and(|c| c != 0),
            "warraq should have failed with an exit code: {self:#?}"
        );
    }

    /// stderr lines with a leading `./` removed (paths are printed as the site root
    /// was given, and the tests run with the site as the current folder).
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .map(|l| l.strip_prefix("./").unwrap_or(l))
            .collect()
    }
}

/// Runs the binary in `dir` with extra environment variables, killing it after [`TIMEOUT`].
/// Output goes to files, so a chatty or stuck child cannot block on a full pipe.
pub fn run_in(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let logs = tempfile::tempdir().unwrap();
    let out_path = logs.path().join("stdout");
    let err_path = logs.path().join("stderr");
    let mut cmd = Command::new(WARRAQ);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).unwrap())
        .stderr(fs::File::create(&err_path).unwrap());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("the warraq binary runs");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("warraq {args:?} did not finish in {TIMEOUT:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.code(),
        stdout: fs::read_to_string(out_path).unwrap(),
        stderr: fs::read_to_string(err_path).unwrap(),
        elapsed: started.elapsed(),
    }
}

/// Asserts two folders hold the same files with the same bytes, naming the first difference.
pub fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (read_tree(a), read_tree(b));
    let names_a: Vec<&String> = ta.keys().collect();
    let names_b: Vec<&String> = tb.keys().collect();
    assert_eq!(names_a, names_b, "the two outputs hold different files");
    for (name, bytes) in &ta {
        assert!(
            bytes == &tb[name],
            "`{name}` differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// `n` non-overlapping occurrences of `needle` in `hay`.
/// A URL as sitemaps and feeds write it: non-ASCII characters percent-encoded.
pub fn ascii_url(url: &str) -> String {
    percent_encoding::utf8_percent_encode(url, percent_encoding::CONTROLS).to_string()
}

/// A percent-encoded URL as a reader sees it.
pub fn decoded_url(url: &str) -> String {
    percent_encoding::percent_decode_str(url)
        .decode_utf8_lossy()
        .into_owned()
}

pub fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// The seed article's URL.
pub const SEED_URL: &str =
    "/articles/كيف-يقنع-ترامب-حلفاءه-اللاتينيين-بمواجهة-موسكو-عسكريا-فى-كاراكاس/";

/// Copies a fixture site to a fresh temporary folder (the site is the folder itself).
pub fn copy_site(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    copy_dir(&fixtures().join(fixture), dir.path());
    dir
}

//! The default theme in a real browser: builds the example archive (the repository root)
//! and runs `tests/browser/run.mjs` on it in headless Chromium (direction, layout, bidi
//! order, fonts, requests, axe-core, screenshots in `target/screenshots/`).
//!
//! Needs Debian's `chromium`, Node.js and `npm ci` in `tests/browser/`. Without them the
//! test is skipped with a message, except under CI (`CI` set), where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(300);

#[test]
fn default_theme_in_headless_chromium() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if let Some(missing) = missing_tools(repo, &chromium) {
        let how = "install them with `apt-get install -y chromium fonts-noto-core` and \
                   `(cd tests/browser && npm ci)`, as .ci/run does";
        if on_ci() {
            panic!("the browser test cannot run: {missing}; {how}");
        }
        // Straight to stderr, past the test harness's capture, so the skip is seen.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "\nbrowser test SKIPPED: {missing}; {how}\n"
        );
        return;
    }

    let target = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let site = target.join("browser-site");
    let options = warraq::BuildOptions {
        output: Some(site.clone()),
        ..Default::default()
    };
    warraq::build(repo, &options).expect("the example archive builds");
    let screenshots = target.parent().unwrap_or(target).join("screenshots");

    let mut child = Command::new("node")
        .arg(repo.join("tests/browser/run.mjs"))
        .env("WARRAQ_SITE", &site)
        .env("WARRAQ_SCREENSHOTS", &screenshots)
        .env("CHROMIUM", &chromium)
        .current_dir(repo)
        .spawn()
        .expect("node starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for node") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser test took more than {DEADLINE:?} and was stopped");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.success(),
        "browser checks failed ({status}); see the output above"
    );
}

/// What the browser test needs and does not find, if anything.
fn missing_tools(repo: &Path, chromium: &Path) -> Option<String> {
    if !chromium.is_file() {
        return Some(format!("no Chromium at `{}`", chromium.display()));
    }
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("no `node` on the PATH".to_owned());
    }
    for module in ["playwright-core", "axe-core"] {
        if !repo
            .join("tests/browser/node_modules")
            .join(module)
            .is_dir()
        {
            return Some(format!("no `tests/browser/node_modules/{module}`"));
        }
    }
    None
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

//! Faults during a build: a full disk and a killed process leave the previous site as it
//! was, and the next build leaves no debris.

use crate::{read_tree, Site, WARRAQ};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Entries beside the output folder left by a build (staging folders).
fn staging_beside(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("warraq-staging"))
        .collect()
}

struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    /// A tmpfs of `kib` KiB (needs root, as CI has); `None` where mounting is not allowed.
    fn mount(at: &Path, kib: u64) -> Option<Tmpfs> {
        fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(at.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_leaves_the_previous_site_and_no_debris() {
    let site = Site::fixture("site");
    // How much room one build takes, then a disk with room for it and a little more.
    site.build(&[]);
    let size: u64 = read_tree(&site.public())
        .values()
        .map(|b| b.len() as u64)
        .sum();
    let disk = site.parent().join("disk");
    let Some(_fs) = Tmpfs::mount(&disk, size / 1024 + size / 1024 / 2 + 64) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must be able to mount a tmpfs (it runs as root)"
        );
        eprintln!("full-disk test SKIPPED: cannot mount a tmpfs here (not root)");
        return;
    };
    let out = disk.join("public");
    let out_arg = out.to_str().unwrap();
    site.build(&["--output", out_arg]);
    let before = read_tree(&out);
    // An article large enough that its page and the full-text feed no longer fit.
    let big = "فقرة طويلة تملأ القرص. ".repeat(40_000);
    site.write(
        "content/articles/2020/ضخم.md",
        format!("---\ntitle: ضخم\ndate: 2020-12-01\n---\n{big}\n"),
    );
    let r = site.run(&["build", "--output", out_arg]);
    r.assert_failed();
    assert!(
        r.stderr.contains("cannot write") || r.stderr.contains("No space"),
        "{}",
        r.stderr
    );
    assert_eq!(read_tree(&out), before, "the previous site changed");
    assert!(
        staging_beside(&disk).is_empty(),
        "{:?}",
        staging_beside(&disk)
    );
}

#[test]
fn a_killed_build_leaves_the_previous_site_and_the_next_build_cleans_up() {
    let site = Site::empty();
    site.write("site.toml", "title = \"t\"\n");
    let body = "نص المقال فى سطر طويل بما يكفى. ".repeat(100);
    for i in 0..1000 {
        site.write(
            &format!("content/articles/2019/a-{i}.md"),
            format!(
                "---\ntitle: مقال {i}\ndate: 2019-01-{:02}\ntags: [وسم{}]\n---\n{body}\n",
                i % 28 + 1,
                i % 50
            ),
        );
    }
    site.build(&[]);
    let before = read_tree(&site.public());
    site.write(
        "content/articles/2019/a-0.md",
        "---\ntitle: جديد\ndate: 2019-01-01\n---\nجديد\n",
    );
    let mut child = Command::new(WARRAQ)
        .arg("build")
        .current_dir(&site.root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it (SIGKILL) as soon as it has started writing its staging folder.
    let started = Instant::now();
    while staging_beside(&site.root).is_empty() && started.elapsed() < Duration::from_secs(60) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let finished_first = child.try_wait().unwrap().is_some();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !finished_first,
        "the build ended before it could be killed: make the site bigger"
    );
    assert_eq!(
        read_tree(&site.public()),
        before,
        "a killed build changed the site"
    );
    // The next build completes and removes what the killed one left.
    site.build(&[]);
    assert!(
        staging_beside(&site.root).is_empty(),
        "{:?}",
        staging_beside(&site.root)
    );
    assert!(site.page("/articles/a-0/").contains("جديد"));
}

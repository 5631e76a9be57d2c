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
        Tmpfs::mount_with(at, &format!("size={kib}k"))
    }

    fn mount_with(at: &Path, options: &str) -> Option<Tmpfs> {
        fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
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

/// A site of `n` articles, some of them drafts, for the interruption tests.
fn archive(n: usize) -> Site {
    let site = Site::empty();
    site.write(
        "site.toml",
        "title = \"t\"\nbase_url = \"https://e.example\"\n",
    );
    let body = "نص المقال فى سطر طويل بما يكفى. ".repeat(60);
    for i in 0..n {
        site.write(
            &format!("content/articles/2019/a-{i}.md"),
            format!(
                "---\ntitle: مقال {i}\ndate: 2019-01-{:02}\ntags: [وسم{}]\ndraft: {}\n---\n{body}\n",
                i % 28 + 1,
                i % 20,
                i % 10 == 0
            ),
        );
    }
    site
}

/// What a cold build of the site as it is now, with `args`, writes.
fn cold_build(site: &Site, args: &[&str]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let other = tempfile::tempdir().unwrap();
    let out = other.path().join("public");
    let mut all = vec!["--output", out.to_str().unwrap()];
    all.extend_from_slice(args);
    site.build(&all);
    read_tree(&out)
}

/// However a build is stopped (Ctrl-C or a kill, at any moment: while it renders,
/// between saving its manifest and swapping its folder in, while it removes the old
/// one), the next build with the same input leaves exactly what a cold build writes:
/// never an "up to date" over a site that differs from its sources.
#[test]
fn a_build_stopped_at_any_moment_is_never_taken_for_up_to_date() {
    let site = archive(300);
    site.build(&[]);
    // How long a changed build takes here, to spread the interruptions over it.
    site.write(
        "content/articles/2019/a-1.md",
        "---\ntitle: أول\ndate: 2019-01-02\n---\nأ\n",
    );
    let started = Instant::now();
    site.build(&["--drafts"]);
    let span = started.elapsed().as_micros() as u64;
    let want_drafts = cold_build(&site, &["--drafts"]);
    let want_plain = cold_build(&site, &[]);
    for round in 0..12u64 {
        // Alternate the options, so the stopped build and the next differ in what they
        // publish (drafts) and an outdated manifest would show.
        let drafts = round % 2 == 0;
        let args: &[&str] = if drafts {
            &["build", "--drafts"]
        } else {
            &["build"]
        };
        let mut child = Command::new(WARRAQ)
            .args(args)
            .current_dir(&site.root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From the start to a little past the usual end, in even steps.
        std::thread::sleep(Duration::from_micros(span * (round + 1) / 11));
        let signal = if round % 3 == 0 { "-KILL" } else { "-INT" };
        let _ = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status();
        child.wait().unwrap();
        // The same build again, and the other one: each must give a cold build's tree.
        let (again, want) = if drafts {
            (vec!["--drafts"], &want_drafts)
        } else {
            (vec![], &want_plain)
        };
        site.build(&again);
        let got = read_tree(&site.public());
        let differ: Vec<&String> = want
            .keys()
            .chain(got.keys())
            .filter(|k| want.get(*k) != got.get(*k))
            .take(5)
            .collect();
        assert!(
            differ.is_empty(),
            "round {round}: the rebuilt site differs from a cold build: {differ:?}"
        );
        let (other, want_other) = if drafts {
            (vec![], &want_plain)
        } else {
            (vec!["--drafts"], &want_drafts)
        };
        site.build(&other);
        assert!(
            read_tree(&site.public()) == *want_other,
            "round {round}: the next build differs from a cold build"
        );
    }
    assert!(staging_beside(&site.root).is_empty());
}

/// The state a build leaves when stopped between saving its manifest and swapping its
/// folder in: the new manifest beside the old site. The manifest names the folder it
/// describes, so the next build does not find the old site up to date.
#[test]
fn a_manifest_whose_folder_never_arrived_describes_nothing() {
    let site = archive(30);
    site.build(&[]);
    let old = site.parent().join("old-site");
    crate::copy_dir(&site.public(), &old);
    site.build(&["--drafts"]);
    assert!(site.has_page("/articles/a-0/"));
    fs::remove_dir_all(site.public()).unwrap();
    fs::rename(&old, site.public()).unwrap();
    assert!(!site.has_page("/articles/a-0/"));
    let r = site.build(&["--drafts"]);
    assert!(!r.stdout.contains("up to date"), "{}", r.stdout);
    assert!(site.has_page("/articles/a-0/"), "the draft is published");
}

/// A file deleted or edited in the output by hand is noticed: the next build writes
/// it again instead of saying "up to date".
#[test]
fn an_output_changed_by_hand_is_built_again() {
    let site = Site::fixture("site");
    site.build(&[]);
    let want = read_tree(&site.public());
    fs::remove_file(site.public().join("index.html")).unwrap();
    let r = site.build(&[]);
    assert!(!r.stdout.contains("up to date"), "{}", r.stdout);
    assert_eq!(read_tree(&site.public()), want);
    let css = site.public().join("style.css");
    let mut edited = fs::read(&css).unwrap();
    edited.extend_from_slice(b"\nbody { color: red }\n");
    fs::write(&css, edited).unwrap();
    let r = site.build(&[]);
    assert!(!r.stdout.contains("up to date"), "{}", r.stdout);
    assert_eq!(read_tree(&site.public()), want);
    // Left alone, it is up to date again.
    assert!(site.build(&[]).stdout.contains("up to date"));
}

/// Two builds into one output: the second is told another is writing it, and changes
/// nothing; the lock goes with the process that held it.
#[test]
fn a_second_build_into_the_same_output_is_refused() {
    let site = Site::fixture("site");
    site.build(&[]);
    let before = read_tree(&site.public());
    let lock_path = site.root.join(".public.warraq-lock");
    let holder = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&lock_path)
        .unwrap();
    holder.lock().unwrap();
    fs::write(&lock_path, "pid 4242").unwrap();
    touch(&site);
    let r = site.run(&["build"]);
    r.assert_failed();
    assert!(
        r.stderr.contains("another warraq is writing") && r.stderr.contains("pid 4242"),
        "{}",
        r.stderr
    );
    assert_eq!(read_tree(&site.public()), before);
    assert!(staging_beside(&site.root).is_empty());
    drop(holder);
    site.build(&[]);
}

fn touch(site: &Site) {
    std::thread::sleep(Duration::from_millis(20));
    site.write(
        "content/articles/2020/جديد.md",
        "---\ntitle: جديد\ndate: 2020-12-01\n---\nنص\n",
    );
}

/// Until the new folder is swapped in, the live site keeps its bytes and its files:
/// a build that fails at its last step (a static file in a page's place) changed none.
#[test]
fn the_live_site_is_untouched_until_the_swap() {
    let site = Site::fixture("site");
    site.build(&[]);
    let files = |dir: &Path| -> Vec<(String, Vec<u8>, u64)> {
        read_tree(dir)
            .into_iter()
            .map(|(name, bytes)| {
                use std::os::unix::fs::MetadataExt as _;
                let ino = fs::metadata(dir.join(&name)).unwrap().ino();
                (name, bytes, ino)
            })
            .collect()
    };
    let before = files(&site.public());
    touch(&site);
    site.write("static/index.html", "in the home page's place");
    let r = site.run(&["build"]);
    r.assert_failed();
    assert!(files(&site.public()) == before, "the live site changed");
}

/// `public -> /srv/www`: the build writes into the link's target and the link stays.
#[test]
fn a_symlinked_output_is_written_through() {
    let site = Site::fixture("site");
    let www = site.parent().join("srv/www");
    fs::create_dir_all(&www).unwrap();
    std::os::unix::fs::symlink(&www, site.public()).unwrap();
    site.build(&[]);
    assert!(fs::symlink_metadata(site.public())
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(www.join("index.html").is_file());
    touch(&site);
    site.build(&[]);
    assert!(fs::symlink_metadata(site.public())
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(www.join("articles/جديد/index.html").is_file());
    assert!(site.build(&[]).stdout.contains("up to date"));
}

/// `CNAME` and `.well-known/` put in the output for the host survive a build (and are
/// named); dotfiles in `static/` are copied like any file.
#[test]
fn host_files_are_kept_and_static_dotfiles_copied() {
    let site = Site::fixture("site");
    site.build(&[]);
    fs::write(site.public().join("CNAME"), "archive.example\n").unwrap();
    fs::create_dir_all(site.public().join(".well-known/acme-challenge")).unwrap();
    fs::write(site.public().join(".well-known/acme-challenge/token"), "t").unwrap();
    site.write(
        "static/.well-known/security.txt",
        "Contact: mailto:a@e.example\n",
    );
    site.write("static/.git/config", "[core]\n");
    site.write("static/.DS_Store", "x");
    let r = site.build(&[]);
    assert!(r.stdout.contains("CNAME"), "{}", r.stdout);
    assert_eq!(
        fs::read_to_string(site.public().join("CNAME")).unwrap(),
        "archive.example\n"
    );
    assert!(site
        .public()
        .join(".well-known/acme-challenge/token")
        .is_file());
    assert!(site.public().join(".well-known/security.txt").is_file());
    assert!(!site.public().join(".git").exists() && !site.public().join(".DS_Store").exists());
    // Kept files are part of the output the manifest describes.
    assert!(site.build(&[]).stdout.contains("up to date"));
}

/// An output in a folder that cannot be written (a read-only file system: root, as CI
/// runs, may write anywhere else) is refused with what to do, not a bare system error.
#[test]
fn an_output_in_a_folder_that_cannot_be_written_says_what_to_do() {
    let site = Site::fixture("site");
    let disk = site.parent().join("read-only");
    let Some(_fs) = Tmpfs::mount_with(&disk, "ro,size=64k") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must be able to mount a tmpfs"
        );
        eprintln!("read-only test SKIPPED: cannot mount a tmpfs here (not root)");
        return;
    };
    let out = disk.join("public");
    let r = site.run(&["build", "--output", out.to_str().unwrap()]);
    r.assert_failed();
    assert!(
        r.stderr.contains("must be writable") && r.stderr.contains("--output"),
        "{}",
        r.stderr
    );
}

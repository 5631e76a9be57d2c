//! The output folder: deterministic, rewritten only where bytes change, never a
//! dangerous place, and the same for every way a file can be saved.

use crate::{assert_same_tree, read_tree, run_in, Site};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

#[test]
fn two_builds_are_byte_identical() {
    // Two copies in different temp folders: no absolute path, time or order leaks in.
    let a = Site::fixture("site");
    let b = Site::fixture("site");
    a.build(&[]);
    b.build(&[]);
    assert_same_tree(&a.public(), &b.public());
    // Every article, list, feed and theme file: a broken build cannot pass for one.
    assert!(read_tree(&a.public()).len() > 60);
}

/// (mtime, inode) of every file under `dir`.
fn stamps(dir: &Path) -> Vec<(String, i64, i64, u64)> {
    read_tree(dir)
        .into_keys()
        .map(|name| {
            let m = fs::metadata(dir.join(&name)).unwrap();
            (name, m.mtime(), m.mtime_nsec(), m.ino())
        })
        .collect()
}

/// Writes an article's own bytes back, later: its stamp changes, its text does not, so
/// the next build plans every file again instead of finding the site up to date.
fn touch_an_article(site: &Site) {
    let article = walkdir::WalkDir::new(site.root.join("content"))
        .into_iter()
        .flatten()
        .find(|e| e.file_type().is_file())
        .unwrap()
        .into_path();
    let text = fs::read(&article).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(&article, text).unwrap();
}

#[test]
fn second_build_rewrites_nothing() {
    let site = Site::fixture("site");
    let first = site.build(&[]);
    let before = stamps(&site.public());
    let n = before.len();
    assert!(
        first
            .stdout
            .contains(&format!("({n} written, 0 unchanged)")),
        "{}",
        first.stdout
    );
    let bytes = read_tree(&site.public());
    // Nothing changed: the build is skipped.
    let second = site.build(&[]);
    assert!(second.stdout.contains("is up to date"), "{}", second.stdout);
    assert_eq!(stamps(&site.public()), before, "a file was rewritten");
    // An input touched but not changed: everything is planned again, nothing written.
    touch_an_article(&site);
    let third = site.build(&[]);
    assert!(
        third
            .stdout
            .contains(&format!("(0 written, {n} unchanged)")),
        "{}",
        third.stdout
    );
    assert_eq!(stamps(&site.public()), before, "a file was rewritten");
    assert_eq!(read_tree(&site.public()), bytes);
    // No staging folder is left beside the output.
    let beside: Vec<_> = fs::read_dir(&site.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("staging"))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
}

/// An output folder removed by hand, its manifest left beside it: the next build writes
/// everything again, the same.
#[test]
fn a_removed_output_is_built_again_whole() {
    let site = Site::fixture("site");
    site.build(&[]);
    let bytes = read_tree(&site.public());
    fs::remove_dir_all(site.public()).unwrap();
    let again = site.build(&[]);
    assert!(
        again
            .stdout
            .contains(&format!("({} written, 0 unchanged)", bytes.len())),
        "{}",
        again.stdout
    );
    assert_eq!(read_tree(&site.public()), bytes);
}

#[test]
fn one_changed_article_rewrites_only_what_shows_it() {
    let site = Site::fixture("site");
    site.build(&[]);
    let before = read_tree(&site.public());
    let path = site
        .root
        .join("content/articles/2018/الاتفاق-النووي-بعد-الانسحاب-الأمريكي.md");
    let text = fs::read_to_string(&path).unwrap();
    // One word for another: the word count, and so the reading time, stays.
    fs::write(&path, text.replace("حاسمة", "فاصلة")).unwrap();
    let r = site.build(&[]);
    let after = read_tree(&site.public());
    let changed: Vec<&str> = after
        .iter()
        .filter(|(name, bytes)| before.get(*name) != Some(bytes))
        .map(|(name, _)| name.as_str())
        .collect();
    // The text is past `<!-- more -->`: of the pages, only the article itself and the
    // full-text feed change; the search index holds the text, so it changes too.
    let (search, pages): (Vec<&str>, Vec<&str>) =
        changed.iter().partition(|n| n.starts_with("pagefind/"));
    assert_eq!(
        pages,
        [
            "articles/الاتفاق-النووي-بعد-الانسحاب-الأمريكي/index.html",
            "atom.xml"
        ],
        "{}",
        r.stdout
    );
    assert!(!search.is_empty(), "the search index did not change");
    let total = read_tree(&site.public()).len();
    assert!(
        r.stdout.contains(&format!(
            "({} written, {} unchanged)",
            changed.len(),
            total - changed.len()
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn output_flag_writes_elsewhere() {
    let site = Site::fixture("site");
    let out = site.parent().join("elsewhere/out");
    site.build(&["--output", out.to_str().unwrap()]);
    assert!(out.join("index.html").is_file());
    assert!(!site.public().exists());
}

#[test]
fn bom_and_crlf_change_nothing() {
    let lf = Site::fixture("site");
    let crlf = Site::fixture("site");
    // Every article, saved by a Windows editor: BOM and CRLF line ends.
    for (name, bytes) in read_tree(&crlf.root.join("content")) {
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains('\r'));
        let mut saved = vec![0xEF, 0xBB, 0xBF];
        saved.extend(text.replace('\n', "\r\n").into_bytes());
        fs::write(crlf.root.join("content").join(name), saved).unwrap();
    }
    lf.build(&[]);
    crlf.build(&[]);
    assert_same_tree(&lf.public(), &crlf.public());
}

/// Output folders that must be refused, with nothing deleted or written.
#[test]
fn dangerous_output_folders_are_refused() {
    let site = Site::fixture("site");
    let home = site.parent().join("home");
    fs::create_dir_all(home.join("documents")).unwrap();
    fs::write(home.join("documents/letter.txt"), "keep me").unwrap();
    let site_before = read_tree(&site.root);
    let home_before = read_tree(&home);
    let articles = site.root.join("content/articles");
    let cases: [(&str, &str); 7] = [
        (".", "it is the site folder or contains it"),
        ("/", "it is the file-system root"),
        ("content", "it is inside the site's `content/`"),
        (articles.to_str().unwrap(), "inside the site's `content/`"),
        // Holds both the site and the home folder: refused for either.
        ("..", "or contains it"),
        ("public/..", "it is the site folder or contains it"),
        (home.to_str().unwrap(), "it is the home folder"),
    ];
    for (output, why) in cases {
        let r = run_in(
            &site.root,
            &["build", "--output", output],
            &[("HOME", home.as_path())],
        );
        r.assert_failed();
        assert!(
            r.stderr
                .contains(&format!("refusing to use `{output}` as the output folder")),
            "{output}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(why), "{output}: {}", r.stderr);
        assert_eq!(
            read_tree(&site.root),
            site_before,
            "{output}: the site changed"
        );
        assert_eq!(read_tree(&home), home_before, "{output}: home changed");
    }
    // The home folder written with a trailing slash is still the home folder.
    let r = run_in(
        &site.root,
        &["build", "--output", &format!("{}/", home.display())],
        &[("HOME", home.as_path())],
    );
    r.assert_failed();
    assert_eq!(read_tree(&home), home_before);
}

#[test]
fn a_folder_above_home_is_refused() {
    let site = Site::fixture("site");
    let users = site.parent().join("users");
    let home = users.join("me");
    fs::create_dir_all(&home).unwrap();
    fs::write(home.join("notes.txt"), "keep me").unwrap();
    let r = run_in(
        &site.root,
        &["build", "--output", users.to_str().unwrap()],
        &[("HOME", home.as_path())],
    );
    r.assert_failed();
    assert!(
        r.stderr.contains("it is the home folder or contains it"),
        "{}",
        r.stderr
    );
    assert_eq!(fs::read(home.join("notes.txt")).unwrap(), b"keep me");
}

#[test]
fn a_folder_that_looks_like_a_site_is_refused() {
    let site = Site::fixture("site");
    let other = Site::fixture("site");
    let before = read_tree(&other.root);
    let r = site.run(&["build", "--output", other.root.to_str().unwrap()]);
    r.assert_failed();
    assert!(r.stderr.contains("it looks like a site"), "{}", r.stderr);
    assert_eq!(read_tree(&other.root), before);
}

/// Outputs are keyed by the binary that renders them, not only its version: another
/// build of warraq (here a copy of the binary, whose modification time differs) renders
/// every page again instead of reusing the previous output, so a renderer that changed
/// without a new version number cannot leave stale pages. The same binary reuses them.
#[test]
fn another_binary_renders_every_page_again() {
    let site = Site::fixture("site");
    site.build(&[]);
    let home = site.public().join("index.html");
    let original = fs::read_to_string(&home).unwrap();
    // A page changed behind warraq's back, keeping its size and modification time (as
    // make and cargo, warraq does not read every output to look for such edits), is
    // reused as it is by the same binary (its key did not change): this is what the
    // copy below must not do.
    let meta = fs::metadata(&home).unwrap();
    let by_hand = "x".repeat(original.len());
    let file = fs::OpenOptions::new().write(true).open(&home).unwrap();
    std::io::Write::write_all(&mut &file, by_hand.as_bytes()).unwrap();
    file.set_modified(meta.modified().unwrap()).unwrap();
    drop(file);
    touch_an_article(&site);
    site.build(&[]);
    assert_eq!(fs::read_to_string(&home).unwrap(), by_hand);

    let bin = tempfile::tempdir().unwrap();
    let copy = bin.path().join("warraq");
    fs::copy(crate::WARRAQ, &copy).unwrap();
    touch_an_article(&site);
    // A freshly written executable can be briefly busy (another thread of this test
    // process may hold it open across a fork).
    let run = (0..50)
        .find_map(|_| {
            match std::process::Command::new(&copy)
                .arg("build")
                .current_dir(&site.root)
                .output()
            {
                Ok(out) => Some(out),
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    None
                }
                Err(e) => panic!("the copy of warraq runs: {e}"),
            }
        })
        .expect("the copy of warraq runs");
    assert!(run.status.success(), "{run:?}");
    assert_eq!(fs::read_to_string(&home).unwrap(), original);
}

//! The other commands: `init`, `new`, `--help`.

use crate::{run_in, Site};
use std::fs;

#[test]
fn init_then_build() {
    let dir = Site::empty();
    let target = dir.parent().join("موقعي");
    let r = run_in(dir.parent(), &["init", "موقعي"], &[]);
    r.assert_ok();
    assert!(
        r.stdout.starts_with("created a new site in موقعي"),
        "{}",
        r.stdout
    );
    for file in [
        "site.toml",
        "templates/article.html",
        "templates/base.html",
        "static/style.css",
    ] {
        assert!(target.join(file).is_file(), "{file}");
    }
    let r = run_in(dir.parent(), &["build", "--root", "موقعي"], &[]);
    r.assert_ok();
    assert!(r.stdout.starts_with("built 1 articles"), "{}", r.stdout);
    let html =
        fs::read_to_string(target.join("public/articles/مرحبا-بك-فى-وراق/index.html")).unwrap();
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains("<h1>مرحبا بك فى ورّاق</h1>"));

    // A second init changes nothing.
    let before = crate::read_tree(&target);
    let r = run_in(dir.parent(), &["init", "موقعي"], &[]);
    r.assert_failed();
    assert!(r.stderr.contains("already holds a site"), "{}", r.stderr);
    assert_eq!(crate::read_tree(&target), before);
}

#[test]
fn new_article_lands_in_its_year_and_builds() {
    let site = Site::fixture("site");
    let r = site.run(&[
        "new",
        "عنوان المقال",
        "--root",
        ".",
        "--author",
        "كاتب جديد",
    ]);
    r.assert_ok();
    let years = site.root.join("content/articles");
    let created: Vec<_> = fs::read_dir(&years)
        .unwrap()
        .map(|e| e.unwrap().path().join("عنوان-المقال.md"))
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(created.len(), 1, "exactly one new file");
    let path = &created[0];
    let year = path
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()),
        "{year}"
    );
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains("title: \"عنوان المقال\"\n"), "{text}");
    assert!(
        text.contains(&format!("date: {year}-")),
        "dated this year: {text}"
    );
    assert!(text.contains("author: \"كاتب جديد\"\n"), "{text}");
    assert!(text.contains("draft: true\n"), "{text}");
    assert!(r.stdout.contains("عنوان-المقال.md"), "{}", r.stdout);

    // A draft: the site builds without it, and with it under --drafts.
    let r = site.build(&[]);
    assert!(r.stdout.starts_with("built 7 articles"), "{}", r.stdout);
    assert!(!site.has_page("/articles/عنوان-المقال/"));
    let r = site.build(&["--drafts"]);
    assert!(r.stdout.starts_with("built 9 articles"), "{}", r.stdout);
    let html = site.page("/articles/عنوان-المقال/");
    assert!(html.contains("<h1>عنوان المقال</h1>"));
    assert!(html.contains("<bdi>كاتب جديد</bdi>"));

    // The same title again is refused, and the file is kept.
    let before = fs::read(path).unwrap();
    let r = site.run(&["new", "عنوان المقال"]);
    r.assert_failed();
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert_eq!(fs::read(path).unwrap(), before);
}

#[test]
fn new_outside_a_site_says_so() {
    let dir = Site::empty();
    let r = dir.run(&["new", "عنوان"]);
    r.assert_failed();
    assert!(r.stderr.contains("is this a warraq site?"), "{}", r.stderr);
    assert!(!dir.root.join("content").exists());
}

#[test]
fn help_for_every_command() {
    let dir = Site::empty();
    let cases: [(&[&str], &[&str]); 5] = [
        (&["--help"], &["build", "init", "new"]),
        (
            &["help", "build"],
            &["--root", "--output", "--base-url", "--drafts"],
        ),
        (
            &["build", "--help"],
            &["--root", "--output", "--base-url", "--drafts"],
        ),
        (&["init", "--help"], &["<DIR>"]),
        (&["new", "--help"], &["<TITLE>", "--root", "--author"]),
    ];
    for (args, words) in cases {
        let r = dir.run(args);
        r.assert_ok();
        assert!(r.stdout.contains("Usage: warraq"), "{args:?}: {}", r.stdout);
        for w in words {
            assert!(r.stdout.contains(w), "{args:?} lacks {w}: {}", r.stdout);
        }
    }
    let r = dir.run(&["--version"]);
    r.assert_ok();
    assert_eq!(
        r.stdout.trim(),
        format!("warraq {}", env!("CARGO_PKG_VERSION"))
    );
    // No command, or an unknown one, is a usage error (exit 2), not a panic.
    for args in [&[][..], &["publish"], &["build", "--no-such-flag"]] {
        let r = dir.run(args);
        assert_eq!(r.code, Some(2), "{args:?}: {r:#?}");
        assert!(r.stderr.contains("Usage"), "{args:?}: {}", r.stderr);
    }
}

/// `import` reads its text as `build` reads an article: a device or a text past the
/// article size limit is refused before it fills memory, and nothing is written.
#[test]
fn import_refuses_what_build_would_refuse() {
    let site = Site::empty();
    site.write("site.toml", "title = \"t\"\n");
    let big = site.write("big.txt", "كلمة ".repeat(1_000_000));
    for (file, says) in [
        ("/dev/zero", "not a regular file"),
        (big.to_str().unwrap(), "too large"),
    ] {
        let r = site.run(&["import", file, "--date", "2020-01-01"]);
        r.assert_failed();
        assert!(r.stderr.contains(says), "{file}: {}", r.stderr);
    }
    assert!(!site.root.join("content").exists());
}

/// An article saved as `Up.MD` (an editor on a case-insensitive system) is read.
#[test]
fn an_article_with_an_upper_case_extension_is_read() {
    let site = Site::empty();
    site.write("site.toml", "title = \"t\"\n");
    site.write(
        "content/articles/2020/Up.MD",
        "---\ntitle: عنوان\ndate: 2020-01-01\n---\nنص\n",
    );
    let r = site.build(&[]);
    assert!(r.stdout.starts_with("built 1 article"), "{}", r.stdout);
    assert!(site.has_page("/articles/up/"));
}

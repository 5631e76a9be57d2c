//! Sites that must fail: each folder of `tests/fixtures/broken/` is built by the real
//! binary, which must exit with an error (not a panic, not a hang), name the file, line
//! and column, say what is wrong, and leave the previous output exactly as it was.

use crate::{read_tree, Run, Site};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

/// One broken site.
struct Case {
    /// Folder under `tests/fixtures/broken/`.
    name: &'static str,
    /// Makes what git cannot or should not hold: FIFOs, symlinks, huge generated files.
    setup: Option<fn(&Path)>,
    /// The start of the error line: `path:line:col: ` relative to the site, or `path: `
    /// for problems with no position.
    at: &'static str,
    /// A phrase the message must hold.
    says: &'static str,
}

const ARTICLE: &str = "content/articles/2019/مقال.md";

const CASES: &[Case] = &[
    Case {
        name: "unknown_field",
        setup: None,
        at: "content/articles/2019/مقال.md:4:1: ",
        says: "unknown field `topik`: did you mean `topic`?",
    },
    Case {
        // Reported where the quote opens, not where the parser ran out of text.
        name: "unclosed_quote",
        setup: None,
        at: "content/articles/2019/مقال.md:2:8: ",
        says: "found unexpected end of stream at line 5 column 1, while scanning a quoted scalar: the quote that opens here is never closed",
    },
    Case {
        name: "tab_indent",
        setup: None,
        at: "content/articles/2019/مقال.md:3:1: ",
        says: "a tab indents this line: YAML allows spaces only",
    },
    Case {
        name: "unclosed_front_matter",
        setup: None,
        at: "content/articles/2019/مقال.md:1:1: ",
        says: "front matter is not closed",
    },
    Case {
        name: "duplicate_key",
        setup: None,
        at: "content/articles/2019/مقال.md:4:1: ",
        says: "duplicate field `title`",
    },
    Case {
        name: "tags_not_a_list",
        setup: None,
        at: "content/articles/2019/مقال.md:4:7: ",
        says: "`tags` must be a list, for example `tags: [سياسة, اقتصاد]`",
    },
    Case {
        name: "impossible_date",
        setup: None,
        at: "content/articles/2019/مقال.md:3:1: ",
        says: "date `2019-02-30` is not a real calendar date",
    },
    Case {
        name: "arabic_digits_date",
        setup: None,
        at: "content/articles/2019/مقال.md:3:1: ",
        says: "date `٢٠١٩-٠٢-٠٥` uses Arabic-Indic digits: write it with ASCII digits",
    },
    Case {
        name: "missing_title",
        setup: None,
        at: "content/articles/2019/مقال.md:2:1: ",
        says: "missing field `title`",
    },
    Case {
        // Used to be blamed on `site.toml`, with no line, when the renderer met it.
        name: "bad_lang",
        setup: None,
        at: "content/articles/2019/مقال.md:4:1: ",
        says: "`lang` `ar\" onload=\"alert(1)` is not a BCP 47 language tag",
    },
    Case {
        // A zero-width space and a right-to-left mark: nothing to show.
        name: "invisible_title",
        setup: None,
        at: "content/articles/2019/مقال.md:3:1: ",
        says: "`title` is empty",
    },
    Case {
        name: "same_slug",
        setup: None,
        at: "content/articles/2019/تحليل.md: ",
        says: "URL `/articles/تحليل/` is also the URL of `./content/articles/2020/تحليل.md`",
    },
    Case {
        // `مَقال` + a zero-width space: another spelling of the other file's slug.
        name: "normalized_slug",
        setup: None,
        at: "content/articles/2019/ثان.md: ",
        says: "URL `/articles/مقال/` is also the URL of `./content/articles/2019/أول.md`",
    },
    Case {
        name: "reserved_tags_page",
        setup: None,
        at: "content/tags.md: ",
        says: "URL `/tags/` is a page warraq generates",
    },
    Case {
        name: "reserved_search_page",
        setup: None,
        at: "content/search.md: ",
        says: "URL `/search/` is a page warraq generates",
    },
    Case {
        // A later page of a tag's list (page 1, the oldest, counted from the oldest): it
        // used to overwrite (or be overwritten) silently.
        name: "reserved_list_page",
        setup: None,
        at: "content/tags/سياسة/page/1.md: ",
        says: "URL `/tags/سياسة/page/1/` is a page warraq generates",
    },
    Case {
        name: "site_toml_unknown_key",
        setup: None,
        at: "site.toml:4:1: ",
        says: "unknown key `paginat_by`: did you mean `paginate_by`?",
    },
    Case {
        name: "template_syntax",
        setup: None,
        at: "templates/article.html:5:21: ",
        says: "template error",
    },
    Case {
        // `title: caf\xE9`: the column of the first byte that is not UTF-8.
        name: "latin1",
        setup: None,
        at: "content/articles/2019/مقال.md:2:11: ",
        says: "file is not UTF-8 (it looks like a legacy 8-bit encoding such as Windows-1256 or Latin-1): save it as UTF-8",
    },
    Case {
        // Used to be blamed on "(default theme) templates/", with no line.
        name: "template_missing_include",
        setup: None,
        at: "templates/404.html:4:12: ",
        says: "template error: Unknown template `nav.html`",
    },
    Case {
        name: "utf16",
        setup: None,
        at: "content/articles/2019/مقال.md:1:1: ",
        says: "file is UTF-16: save it as UTF-8",
    },
    Case {
        name: "empty_file",
        setup: None,
        at: "content/articles/2019/مقال.md:1:1: ",
        says: "file is empty",
    },
    Case {
        name: "alias_bomb",
        setup: None,
        at: "content/articles/2019/مقال.md:",
        says: "repetition limit exceeded",
    },
    Case {
        name: "dangling_symlink",
        setup: Some(|root| {
            symlink(
                root.join("content/nowhere.md"),
                root.join("content/articles/2019/مفقود.md"),
            )
            .unwrap();
        }),
        at: "content/articles/2019/مفقود.md: ",
        says: "broken symlink",
    },
    Case {
        name: "symlink_out_of_site",
        setup: Some(|root| {
            symlink("/etc/passwd", root.join("content/articles/2019/passwd.md")).unwrap();
        }),
        at: "content/articles/2019/passwd.md: ",
        says: "symlink points outside the site (to `/etc/passwd`)",
    },
    Case {
        name: "static_symlink_to_passwd",
        setup: Some(|root| {
            fs::create_dir_all(root.join("static")).unwrap();
            symlink("/etc/passwd", root.join("static/passwd.txt")).unwrap();
        }),
        at: "static/passwd.txt: ",
        says: "symlink points outside the site (to `/etc/passwd`)",
    },
    Case {
        name: "fifo",
        setup: Some(|root| mkfifo(&root.join("content/articles/2019/x.md"))),
        at: "content/articles/2019/x.md: ",
        says: "not a regular file",
    },
    Case {
        name: "fifo_in_static",
        setup: Some(|root| {
            fs::create_dir_all(root.join("static")).unwrap();
            mkfifo(&root.join("static/feed.css"));
        }),
        at: "static/feed.css: ",
        says: "not a regular file",
    },
    Case {
        // A bad byte far past the front matter: found, at its place.
        name: "latin1_after_head",
        setup: Some(|root| {
            let mut text = "---\ntitle: مقال\ndate: 2019-02-05\n---\n".as_bytes().to_vec();
            for _ in 0..300 {
                text.extend_from_slice("نص عربي.\n".as_bytes());
            }
            text.extend_from_slice(b"caf\xe9\n");
            assert!(text.len() > 4096);
            write_article(root, text.as_ref());
        }),
        at: "content/articles/2019/مقال.md:305:4: ",
        says: "file is not UTF-8",
    },
    Case {
        // Front matter of several thousand bytes, with an error near its end.
        name: "long_front_matter",
        setup: Some(|root| {
            let summary = "كلمة ".repeat(1000);
            let text = format!(
                "---\ntitle: مقال\ndate: 2019-02-05\nsummary: {summary}\ntopik: x\n---\nنص.\n"
            );
            assert!(text.len() > 4096);
            write_article(root, text.as_ref());
        }),
        at: "content/articles/2019/مقال.md:5:1: ",
        says: "unknown field `topik`: did you mean `topic`?",
    },
    Case {
        name: "symlink_loop",
        setup: Some(|root| {
            // A link to itself.
            symlink("أ.md", root.join("content/articles/2019/أ.md")).unwrap();
        }),
        at: "content/articles/2019/أ.md: ",
        says: "symlink loop (the link leads back to itself): remove the link",
    },
    Case {
        name: "symlinked_folder",
        setup: Some(|root| symlink("2019", root.join("content/articles/2020")).unwrap()),
        at: "content/articles/2020: ",
        says: "symlinked folders are not followed",
    },
    Case {
        // 5 MB of text: far past any article, refused before it is read into memory.
        name: "too_large",
        setup: Some(|root| {
            let mut text = String::from("---\ntitle: مقال\ndate: 2019-02-05\n---\n");
            text.push_str(&"نص طويل جدا. ".repeat(250_000));
            fs::write(root.join(ARTICLE), text).unwrap();
        }),
        at: "content/articles/2019/مقال.md: ",
        says: "file is too large",
    },
    Case {
        name: "deep_flow_nesting",
        setup: Some(|root| {
            let deep = format!(
                "---\ntitle: مقال\ndate: 2019-02-05\nextra: {{a: {}1{}}}\n---\n",
                "[".repeat(100_000),
                "]".repeat(100_000)
            );
            fs::write(root.join(ARTICLE), deep).unwrap();
        }),
        at: "content/articles/2019/مقال.md:4:",
        says: "front matter nests deeper than 64 levels",
    },
    Case {
        name: "deep_block_nesting",
        setup: Some(|root| {
            let deep = format!(
                "---\ntitle: مقال\ndate: 2019-02-05\nextra:\n  a:\n    {}x\n---\n",
                "- ".repeat(100_000)
            );
            fs::write(root.join(ARTICLE), deep).unwrap();
        }),
        at: "content/articles/2019/مقال.md:6:",
        says: "recursion limit exceeded",
    },
    Case {
        name: "non_utf8_file_name",
        setup: Some(|root| {
            use std::os::unix::ffi::OsStrExt;
            let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
            fs::write(root.join("content/articles/2019").join(name), "x").unwrap();
        }),
        at: "content/articles/2019/caf\u{FFFD}.md: ",
        says: "file name is not valid UTF-8",
    },
];

/// Makes a FIFO (git cannot store one). Reading it would block forever.
/// Writes the article of a case whose folder holds only `site.toml` (git keeps no
/// empty folders).
fn write_article(root: &Path, text: &[u8]) {
    let path = root.join(ARTICLE);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn mkfifo(path: &Path) {
    use rustix::fs::{mknodat, FileType, Mode, CWD};
    mknodat(CWD, path, FileType::Fifo, Mode::from_raw_mode(0o644), 0).unwrap();
}

/// Builds a broken site over a previous output and checks the failure.
fn check(case: &Case) -> Run {
    let site = Site::fixture(&format!("broken/{}", case.name));
    if let Some(setup) = case.setup {
        setup(&site.root);
    }
    // A previous output, which a failed build must leave byte for byte.
    site.write("public/index.html", "<p>the previous build</p>\n");
    site.write("public/articles/قديم/index.html", "<p>قديم</p>\n");
    let before = read_tree(&site.public());

    let r = site.run(&["build"]);
    let name = case.name;
    assert_eq!(r.code, Some(1), "{name}: exit code 1, not a crash: {r:#?}");
    assert!(!r.stderr.contains("panicked"), "{name}: {}", r.stderr);
    assert!(r.stdout.is_empty(), "{name}: nothing built: {}", r.stdout);
    assert!(
        r.error_lines()
            .iter()
            .any(|l| l.starts_with(case.at) && l.contains(case.says)),
        "{name}: expected a line starting `{}` saying `{}`, got:\n{}",
        case.at,
        case.says,
        r.stderr
    );
    assert!(
        r.elapsed < Duration::from_secs(20),
        "{name}: took {:?}",
        r.elapsed
    );
    assert_eq!(
        read_tree(&site.public()),
        before,
        "{name}: the previous output changed"
    );
    let debris: Vec<String> = fs::read_dir(&site.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging"))
        .collect();
    assert!(debris.is_empty(), "{name}: staging left behind: {debris:?}");
    r
}

#[test]
fn every_broken_fixture_fails_precisely() {
    // Every folder is in the table, and every table entry has a folder.
    let mut folders: Vec<String> = fs::read_dir(crate::fixtures().join("broken"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "many_broken")
        .collect();
    folders.sort();
    let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    names.sort();
    assert_eq!(folders, names);

    for case in CASES {
        let r = check(case);
        assert!(
            r.stderr
                .ends_with("build failed: 1 problem; the previous output was left as it was\n"),
            "{}: exactly one problem expected:\n{}",
            case.name,
            r.stderr
        );
    }
}

#[test]
fn passwd_never_reaches_the_output() {
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    let first_line = passwd.lines().next().unwrap_or("root:x:0:0");
    for name in ["static_symlink_to_passwd", "symlink_out_of_site"] {
        let case = CASES.iter().find(|c| c.name == name).unwrap();
        let r = check(case);
        assert!(!r.stderr.contains(first_line), "{}", r.stderr);
    }
}

#[test]
fn all_broken_articles_are_reported_in_one_run() {
    let site = Site::fixture("broken/many_broken");
    site.write("public/index.html", "previous");
    let r = site.run(&["build"]);
    assert_eq!(r.code, Some(1), "{r:#?}");
    let lines = r.error_lines();
    let expected = [
        "content/about.md:2:1: missing field `date`",
        "content/articles/2019/أ.md:3:1: date `2019-02-31` is not a real calendar date",
        "content/articles/2019/ب.md:4:1: unknown field `topik`: did you mean `topic`?",
        "content/articles/2019/ج.md:1:1: file is empty",
        "content/articles/2020/د.md:2:8: ",
    ];
    assert_eq!(lines.len(), expected.len() + 1, "{}", r.stderr);
    for (line, start) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(start),
            "`{line}` should start with `{start}`"
        );
    }
    assert_eq!(
        lines[expected.len()],
        "build failed: 5 problems; the previous output was left as it was"
    );
    assert!(
        !lines.iter().any(|l| l.contains("سليم")),
        "the good article is not blamed"
    );
    assert_eq!(
        fs::read(site.public().join("index.html")).unwrap(),
        b"previous"
    );
}

#[test]
fn fifo_named_site_toml_does_not_hang() {
    let site = Site::fixture("broken/fifo");
    fs::remove_file(site.root.join("site.toml")).unwrap();
    mkfifo(&site.root.join("site.toml"));
    let r = site.run(&["build"]);
    r.assert_failed();
    assert!(
        r.error_lines()[0].starts_with("site.toml: not a regular file"),
        "{}",
        r.stderr
    );
}

/// A template error names the page being rendered, so the article whose data trips the
/// template can be found; one problem met by many pages is reported once.
#[test]
fn a_template_error_names_the_article_being_rendered() {
    let site = Site::fixture("site");
    site.write(
        "templates/article.html",
        "{% if page.title is containing(pat=\"الناتو\") %}{{ page.missing.field }}{% endif %}{{ page.title }}\n",
    );
    let r = site.run(&["build"]);
    r.assert_failed();
    let problems = |r: &crate::Run| -> Vec<String> {
        r.error_lines()
            .into_iter()
            .filter(|l| l.starts_with("templates/"))
            .map(str::to_owned)
            .collect()
    };
    let lines = problems(&r);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("templates/article.html:1:"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("while rendering `"), "{}", lines[0]);
    assert!(lines[0].contains("content/articles/2020/"), "{}", lines[0]);
    assert!(!lines[0].contains("other page"), "{}", lines[0]);

    // Every article: reported once, with how many others.
    site.write("templates/article.html", "{{ page.missing.field }}\n");
    let r = site.run(&["build"]);
    let lines = problems(&r);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("and 6 other pages"), "{}", lines[0]);
}

/// A template that never stops writing (nested loops of billions of turns) stops at
/// the page-size bound with a message naming the template and the article, and the
/// previous output stays.
#[test]
fn a_runaway_template_stops_with_a_message() {
    let site = Site::fixture("site");
    site.build(&[]).assert_ok();
    let before = site.page("/index.html");
    site.write(
        "templates/article.html",
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{{ page.content | safe }}{% endfor %}{% endfor %}\n",
    );
    let r = site.run(&["build"]);
    r.assert_failed();
    let text = r.error_lines().join("\n");
    assert!(text.contains("templates/article.html"), "{text}");
    assert!(
        text.contains("MiB") && text.contains("while rendering `"),
        "{text}"
    );
    assert_eq!(site.page("/index.html"), before);
}

/// A component that calls itself without end (nine times at each of twenty levels)
/// writes nothing until it is done: the build stops at the time bound
/// (`WARRAQ_TEMPLATE_TIMEOUT`, 30 s unless set) with a message naming the template and
/// the page, and the previous output stays.
#[test]
fn a_template_that_never_ends_stops_at_the_time_bound() {
    let site = Site::fixture("site");
    site.build(&[]).assert_ok();
    let before = crate::read_tree(&site.public());
    site.write(
        "templates/article.html",
        "{% component f(n) %}{% if n < 19 %}{% for i in range(end=9) %}{{<f n={n+1}/>}}{% endfor %}{% endif %}x{% endcomponent f %}{{<f n={0}/>}}\n",
    );
    let r = crate::run_in(
        &site.root,
        &["build"],
        &[("WARRAQ_TEMPLATE_TIMEOUT", std::path::Path::new("2"))],
    );
    r.assert_failed();
    assert!(
        r.stderr.contains("article.html") && r.stderr.contains("more than 2 s"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("while rendering `"), "{}", r.stderr);
    assert_eq!(crate::read_tree(&site.public()), before);
    // The next build (template fixed) cleans up what the stopped one left.
    site.write("templates/article.html", "{{ page.title }}\n");
    site.build(&[]);
}

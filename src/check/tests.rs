//! Tests of `check.rs` on small sites written to temporary folders.

use super::*;

const SITE: &str = "title = \"t\"\nbase_url = \"https://archive.example\"\n";

/// A complete article: summary and topic set, so only what a test adds is reported.
fn article(title: &str, extra: &str, body: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: 2019-02-05\nsummary: ملخص.\ntopic: سياسة\n{extra}---\n\n{body}"
    )
}

fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), SITE).unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn opts() -> CheckOptions {
    CheckOptions {
        drafts: false,
        future: false,
        today: "2026-11-24".parse().unwrap(),
        external: None,
    }
}

/// Findings as `rel:line:col: severity: message` with the temp folder removed.
fn run(dir: &tempfile::TempDir, opts: &CheckOptions) -> Vec<String> {
    let report = check(dir.path(), opts).unwrap();
    let prefix = format!("{}/", dir.path().display());
    report
        .findings
        .iter()
        .map(|f| f.to_string().replace(&prefix, ""))
        .collect()
}

const B: &str = "content/articles/2020/b.md";

fn b() -> String {
    article("بي", "", "## القسم الأول\n\nنص.\n")
}

#[test]
fn a_clean_site_has_no_findings() {
    let dir = site(&[
        (
            "content/articles/2019/a.md",
            &article("أ", "", "انظر [بي](../2020/b.md#القسم-الأول).\n"),
        ),
        (B, &b()),
    ]);
    let report = check(dir.path(), &opts()).unwrap();
    assert_eq!(report.findings, vec![]);
    assert_eq!(report.articles, 2);
    assert!(report.outputs > 10);
}

#[test]
fn broken_internal_links_are_errors_at_their_place() {
    let body = "\
[1](../2020/b.md#القسم-الاخير) [2](../2020/bb.md)
[3](missing.md) [4](../../../x.md) [5](#لا-شىء)
[6](/tags/لا-يوجد/) [7](/topics/سياسة/) [8](https://archive.example/articles/b/#القسم-الأول)
[9](/articles/b) ![10](/images/x.jpg) [11](https://archive.example/nope/)
";
    let dir = site(&[
        ("content/articles/2019/a.md", &article("أ", "", body)),
        (B, &b()),
    ]);
    let found = run(&dir, &opts());
    let a = "content/articles/2019/a.md";
    assert_eq!(
        found,
        vec![
            format!("{a}:8:1: error: no heading `#القسم-الاخير` in `../2020/b.md`: its headings are `#القسم-الأول`"),
            format!("{a}:8:32: error: link `../2020/bb.md`: there is no `content/articles/2020/bb.md`: did you mean `../2020/b.md`?"),
            format!("{a}:9:1: error: link `missing.md`: there is no `content/articles/2019/missing.md`"),
            format!("{a}:9:17: error: link `../../../x.md` points outside `content/`"),
            format!("{a}:9:36: error: no heading `#لا-شىء` in this page (it has no headings)"),
            format!("{a}:10:1: error: link to `/tags/لا-يوجد/`: the site has no such page or file"),
            format!("{a}:11:18: error: photo `static/images/x.jpg` not found"),
            format!("{a}:11:39: error: link to `/nope/`: the site has no such page or file"),
        ]
    );
    let report = check(dir.path(), &opts()).unwrap();
    assert_eq!(report.count(Severity::Error), 8);
}

#[test]
fn links_to_drafts_fail_unless_drafts_are_checked() {
    let dir = site(&[
        (
            "content/articles/2019/a.md",
            &article("أ", "", "[بي](../2020/b.md)\n"),
        ),
        (B, &article("بي", "draft: true\n", "نص.\n")),
    ]);
    let found = run(&dir, &opts());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains(":8:1: error: link `../2020/b.md` points to a draft"));
    let with_drafts = CheckOptions {
        drafts: true,
        ..opts()
    };
    assert_eq!(run(&dir, &with_drafts), Vec::<String>::new());
}

#[test]
fn build_errors_are_errors() {
    // Two files, one URL.
    let dir = site(&[
        (
            "content/articles/2019/a.md",
            &article("أ", "slug: b\n", "نص.\n"),
        ),
        (B, &b()),
    ]);
    let found = run(&dir, &opts());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("error: URL `/articles/b/` is also the URL of"),
        "{found:?}"
    );
    // A front matter error stops the check at the file's line.
    let dir = site(&[(
        "content/articles/2019/a.md",
        "---\ntitle: x\ndate: 2019-02-05\ntopik: y\n---\n",
    )]);
    let found = run(&dir, &opts());
    assert_eq!(
        found,
        vec!["content/articles/2019/a.md:4:1: error: unknown field `topik`: did you mean `topic`?"]
    );
    // A template that fails to render.
    let dir = site(&[
        (B, &b()),
        ("templates/article.html", "{{ page.nope.deeper }}"),
    ]);
    let found = run(&dir, &opts());
    assert!(
        found
            .iter()
            .any(|f| f.contains("templates/article.html") && f.contains("error:")),
        "{found:?}"
    );
    // No site at all is the command's own error.
    let empty = tempfile::tempdir().unwrap();
    assert!(check(empty.path(), &opts()).is_err());
}

#[test]
fn near_duplicate_terms_list_every_spelling() {
    let dir = site(&[
        (
            "content/articles/2019/a.md",
            &article("أ", "tags: [السياسة]\n", "نص.\n"),
        ),
        (
            "content/articles/2019/b.md",
            &article("ب", "tags: [السياسة]\n", "نص.\n"),
        ),
        (
            "content/articles/2019/c.md",
            &article("السياسه فى مصر", "tags: [اقتصاد, السياسه]\n", "نص.\n"),
        ),
    ]);
    let found = run(&dir, &opts());
    assert_eq!(
        found,
        vec!["content/articles/2019/c.md:6:16: warning: tag `السياسة` is written 2 ways that warraq merges into one: `السياسة` ×2 (articles/2019/a.md, articles/2019/b.md), `السياسه` ×1 (articles/2019/c.md); pick one spelling"]
    );
    assert_eq!(
        check(dir.path(), &opts()).unwrap().count(Severity::Error),
        0
    );
}

#[test]
fn missing_summary_and_topic_and_future_dates() {
    let dir = site(&[
        (
            "content/articles/2019/a.md",
            "---\ntitle: أ\ndate: 2027-01-01\n---\n\nنص.\n",
        ),
        (
            "content/articles/2019/b.md",
            "---\ntitle: ب\ndate: 2019-01-01\ntopic: x\n---\n\nأول.\n\n<!-- more -->\n\nثان.\n",
        ),
        (
            "content/about.md",
            "---\ntitle: عن\ndate: 2019-01-01\n---\n\nنص.\n",
        ),
    ]);
    let found = run(&dir, &opts());
    let a = "content/articles/2019/a.md";
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found[0].starts_with(&format!("{a}:2:1: warning: no `summary`")),
        "{found:?}"
    );
    assert!(
        found[1].starts_with(&format!("{a}:2:1: warning: no `topic`")),
        "{found:?}"
    );
    assert!(
        found[2].starts_with(&format!(
            "{a}:3:1: warning: `date` 2027-01-01 is in the future"
        )),
        "{found:?}"
    );
}

#[test]
fn invisible_characters_at_their_real_lines() {
    let dir = site(&[(
        "content/articles/2019/a.md",
        &article(
            "أ",
            "",
            "سطر أول.\n\nعنوان \u{202E}مقلوب.\n\nﻣﺎﺩﻭﺭﻭ فى كاراكاس.\n",
        ),
    )]);
    let found = run(&dir, &opts());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("content/articles/2019/a.md:10:7: warning: stray bidi control (U+202E RIGHT-TO-LEFT OVERRIDE)"), "{found:?}");
    assert!(
        found[1]
            .starts_with("content/articles/2019/a.md:12:1: warning: 6 Arabic presentation forms"),
        "{found:?}"
    );
    assert!(found[1].contains("run NFKC"));
}

#[test]
fn static_files_are_link_targets() {
    let dir = site(&[
        (
            "content/articles/2019/a.md",
            &article("أ", "", "![صورة](/images/x.svg) [css](/style.css)\n"),
        ),
        (
            "static/images/x.svg",
            "<svg xmlns='http://www.w3.org/2000/svg'/>",
        ),
    ]);
    let found = run(&dir, &opts());
    // style.css comes from the default theme.
    assert_eq!(found, Vec::<String>::new());
}

//! `warraq import` on the seed article: what it prints, what it refuses, and that the
//! article it writes builds.

use super::*;

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/import/youm7-analysis-bishoy-ramzy-venezuela.txt"
);
const SLUG: &str = "كيف-يقنع-ترامب-حلفاءه-اللاتينيين-بمواجهة-موسكو-عسكريا-فى-كاراكاس";

#[test]
fn without_a_date_it_reports_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let o = warraq(dir.path(), &["import", SEED]);
    assert!(!o.status.success());
    let out = stdout(&o);
    assert!(out.contains("author:    بيشوى رمزى (line 3"), "{out}");
    assert!(
        out.contains("9 paragraphs, 3 headings (##), 3 image captions"),
        "{out}"
    );
    assert!(out.contains("(42–97)"), "{out}");
    assert!(stderr(&o).contains("--date YYYY-MM-DD"), "{}", stderr(&o));
    assert!(!dir.path().join("content").exists());
}

#[test]
fn imports_builds_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("site.toml", SITE_TOML)]);
    let args = ["import", SEED, "--date", "2019-02-05"];
    let o = warraq(dir.path(), &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = dir.path().join(format!("content/articles/2019/{SLUG}.md"));
    assert!(
        stdout(&o).contains("wrote content/articles/2019/"),
        "{}",
        stdout(&o)
    );
    let written = std::fs::read_to_string(&file).unwrap();

    let o = warraq(dir.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(
        dir.path()
            .join(format!("public/articles/{SLUG}/index.html")),
    )
    .unwrap();
    assert_eq!(html.matches("<figcaption>").count(), 3);

    std::fs::write(&file, "edited by the curator").unwrap();
    let o = warraq(dir.path(), &args);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "edited by the curator"
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = warraq(dir.path(), &forced);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);
}

#[test]
fn options_win_over_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let o = warraq(
        dir.path(),
        &[
            "import",
            SEED,
            "--date",
            "2019-02-06",
            "--author",
            "ب. رمزى",
            "--source",
            "اليوم السابع",
            "--out",
            "arch",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join(format!("arch/2019/{SLUG}.md"))).unwrap();
    assert!(
        text.contains("author: \"ب. رمزى\"\ndate: 2019-02-06\n"),
        "{text}"
    );
    let bad = warraq(dir.path(), &["import", SEED, "--date", "٢٠١٩-٠٢-٠٥"]);
    assert!(stderr(&bad).contains("Arabic-Indic"), "{}", stderr(&bad));
}

#[test]
fn a_missing_or_non_utf8_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let o = warraq(dir.path(), &["import", "nope.txt", "--date", "2019-02-05"]);
    assert!(stderr(&o).contains("nope.txt"), "{}", stderr(&o));
    std::fs::write(dir.path().join("latin1.txt"), b"caf\xE9\n").unwrap();
    let o = warraq(
        dir.path(),
        &["import", "latin1.txt", "--date", "2019-02-05"],
    );
    assert!(
        stderr(&o).contains("latin1.txt:1:4: file is not UTF-8"),
        "{}",
        stderr(&o)
    );
}

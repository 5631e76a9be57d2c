//! The newsroom model: authors with profiles, the site's own taxonomies, series, related
//! articles, old addresses, scheduled articles and linked translations; and every bad
//! input of theirs refused at its file and line.

use super::*;

const SITE_TOML: &str = "title = \"أرشيف\"\nbase_url = \"https://example.org\"\ntimezone = \"Africa/Cairo\"\n\n[taxonomies.countries]\nlabel = \"الدول\"\nsingular = \"الدولة\"\npath = \"الدول\"\n";

const NOW: &str = "2026-12-08T00:00:00Z";

fn article(front: &str) -> String {
    format!("---\n{front}\n---\nنص المقال عن السودان ومصر والنيل.\n")
}

/// A site using every newsroom field.
fn newsroom_site() -> Site {
    let s = Site::empty();
    s.write("site.toml", SITE_TOML);
    s.write(
        "content/articles/2026/part-one.md",
        article("title: الجزء الأول\ndate: 2026-01-01\nauthors: [أحمد علي, سارة حسن]\ntopic: السودان\ntags: [النيل]\ncountries: [مصر, السودان]\nseries: ملف النيل\nseries_part: 1\naliases: [/old/part-one/, /2019/02/05/123456.html]\ntranslation_key: nile-1"),
    );
    s.write(
        "content/articles/2026/part-two.md",
        article("title: الجزء الثاني\ndate: 2026-02-01\nauthor: أحمد علي\ntopic: السودان\ntags: [النيل]\ncountries: [مصر]\nseries: ملف النيل\nseries_part: 2"),
    );
    s.write(
        "content/articles/2026/part-three.md",
        article("title: الجزء الثالث\ndate: 2026-03-01\nauthor: سارة حسن\ntopic: السودان\ntags: [النيل]\nseries: ملف النيل\nseries_part: 3"),
    );
    s.write(
        "content/articles/2026/part-one-en.md",
        "---\ntitle: Part one\ndate: 2026-01-02\nlang: en\nauthor: أحمد علي\ntranslation_of: part-one.md\n---\nThe Nile, in English.\n",
    );
    s.write(
        "content/articles/2026/tomorrow.md",
        article("title: مقال الغد\ndate: 2026-12-09\npublish_at: 2026-12-09 06:00\ntopic: السودان"),
    );
    s.write(
        "content/articles/2026/expired.md",
        article("title: مقال انتهى\ndate: 2026-01-05\nexpires: 2026-06-01T00:00:00+02:00"),
    );
    s.write(
        "content/authors/ahmad.md",
        "---\nname: أحمد علي\nrole: محلل الشؤون الأفريقية\nlinks:\n  - name: الموقع\n    url: https://example.org/ahmad\n---\nيكتب أحمد عن **حوض النيل** منذ عشرين عامًا.\n",
    );
    s
}

fn build_at(s: &Site, now: &str, args: &[&str]) -> Run {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    let r = run_in(&s.root, &all, &[("WARRAQ_NOW", Path::new(now))]);
    r.assert_ok();
    r
}

fn url_of(s: &Site, title: &str) -> String {
    // Every article's URL is its file's slug.
    let slug = match title {
        "one" => "part-one",
        "two" => "part-two",
        "three" => "part-three",
        "en" => "part-one-en",
        other => other,
    };
    let url = format!("/articles/{slug}/");
    assert!(s.has_page(&url), "{url} is built");
    url
}

#[test]
fn authors_taxonomies_series_and_related() {
    let s = newsroom_site();
    build_at(&s, NOW, &[]);
    let one = s.page(&url_of(&s, "one"));
    // Two authors, each linked; JSON-LD names both as people with their pages.
    assert!(one.contains("/authors/أحمد-علي/") && one.contains("/authors/سارة-حسن/"));
    assert!(one.contains(r#""author":[{"@type":"Person","name":"أحمد علي","url":"https://example.org/authors/%D8%A3%D8%AD%D9%85%D8%AF-%D8%B9%D9%84%D9%8A/"}"#), "{one}");
    // The profile under the article and on the author's page.
    assert!(one.contains("محلل الشؤون الأفريقية") && one.contains("<strong>حوض النيل</strong>"));
    let ahmad = s.page("/authors/أحمد-علي/");
    assert!(
        ahmad.contains("<strong>حوض النيل</strong>") && ahmad.contains("https://example.org/ahmad")
    );
    // An author without a profile still has a page.
    assert!(s.page("/authors/سارة-حسن/").contains("الجزء الثالث"));
    // The site's own taxonomy: its Arabic path, its label, its terms.
    let egypt = s.page("/الدول/مصر/");
    assert!(
        egypt.contains("الدولة") && egypt.contains("الجزء الأول") && egypt.contains("الجزء الثاني")
    );
    assert!(s.page("/الدول/").contains("الدول"));
    assert!(one.contains("href=\"/الدول/السودان/\""));
    // Series: in order, "part 2 of 3" with both neighbours.
    let two = s.page(&url_of(&s, "two"));
    assert!(two.contains("الجزء 2 من 3"), "{two}");
    assert!(two.contains("series-prev") && two.contains("/articles/part-one/"));
    assert!(two.contains("series-next") && two.contains("/articles/part-three/"));
    assert!(one.contains("الجزء 1 من 3") && !one.contains("series-prev"));
    let series = s.page("/series/ملف-النيل/");
    let (a, b, c) = (
        series.find("الجزء الأول").unwrap(),
        series.find("الجزء الثاني").unwrap(),
        series.find("الجزء الثالث").unwrap(),
    );
    assert!(a < b && b < c, "reading order");
    // Related: the other parts (same series, topic and tags), not the English version.
    let related = &two[two.find("class=\"related\"").expect("related section")..];
    let related = &related[..related.find("</section>").unwrap()];
    assert!(related.contains("/articles/part-one/") && related.contains("/articles/part-three/"));
    assert!(!related.contains("part-one-en"));
}

#[test]
fn translations_are_linked_both_ways_and_listed_in_their_language() {
    let s = newsroom_site();
    build_at(&s, NOW, &[]);
    let one = s.page("/articles/part-one/");
    let en = s.page("/articles/part-one-en/");
    assert!(one.contains(
        r#"<link rel="alternate" hreflang="en" href="https://example.org/articles/part-one-en/">"#
    ));
    assert!(en.contains(r#"hreflang="ar""#) && en.contains("العربية"));
    assert!(one.contains(r#"hreflang="en" lang="en" rel="alternate">English</a>"#));
    assert!(en.contains(r#"<article class="article" lang="en" dir="ltr">"#));
    let sitemap = s.page("/sitemap.xml");
    assert!(sitemap.contains(r#"<xhtml:link rel="alternate" hreflang="en" href="https://example.org/articles/part-one-en/"/>"#));
    // The English version is in the English list, not the Arabic home.
    assert!(s.page("/en/").contains("Part one"));
    assert!(!s.page("/").contains("Part one"));
}

#[test]
fn old_addresses_redirect() {
    let s = newsroom_site();
    build_at(&s, NOW, &[]);
    for old in ["/old/part-one/", "/2019/02/05/123456.html"] {
        let page = s.page(old);
        assert!(
            page.contains(
                r#"<link rel="canonical" href="https://example.org/articles/part-one/">"#
            ),
            "{page}"
        );
        assert!(page.contains(
            r#"http-equiv="refresh" content="0; url=https://example.org/articles/part-one/""#
        ));
    }
    // An old address with another extension is a 301 in `_redirects` only.
    s.write(
        "content/articles/2026/part-two.md",
        article("title: الجزء الثاني\ndate: 2026-02-01\nauthor: أحمد علي\ntopic: السودان\ntags: [النيل]\ncountries: [مصر]\nseries: ملف النيل\nseries_part: 2\naliases: [/news.php]"),
    );
    build_at(&s, NOW, &[]);
    assert!(!s.public().join("news.php").exists() && !s.has_page("/news.php/"));
    assert!(s
        .page("/_redirects")
        .contains("/news.php https://example.org/articles/part-two/ 301"));
    let redirects = s.page("/_redirects");
    assert!(redirects.contains("/old/part-one/ https://example.org/articles/part-one/ 301"));
    assert!(
        redirects.contains("/2019/02/05/123456.html https://example.org/articles/part-one/ 301")
    );
}

#[test]
fn scheduled_articles_appear_and_expired_ones_leave() {
    let s = newsroom_site();
    let r = build_at(&s, NOW, &[]);
    assert!(!s.has_page("/articles/tomorrow/") && !s.has_page("/articles/expired/"));
    for list in ["/", "/sitemap.xml", "/atom.xml", "/topics/السودان/"] {
        assert!(!s.page(list).contains("مقال الغد"), "{list}");
    }
    assert!(
        r.stdout
            .contains("next change: 2026-12-09 06:00 +02:00, 1 article appears"),
        "{}",
        r.stdout
    );
    // Once its time has come, the same sources build it: never "up to date" before.
    let later = build_at(&s, "2026-12-09T04:00:01Z", &[]);
    assert!(!later.stdout.contains("up to date"), "{}", later.stdout);
    assert!(s.page("/").contains("مقال الغد"));
    assert!(!later.stdout.contains("next change"));
    // `--future` shows it early.
    let s2 = newsroom_site();
    build_at(&s2, NOW, &["--future"]);
    assert!(s2.has_page("/articles/tomorrow/"));
    // `check` says when, too, and a link to the article is broken until then.
    s.write(
        "content/articles/2026/part-three.md",
        article("title: الجزء الثالث\ndate: 2026-03-01\nauthor: سارة حسن\ntopic: السودان\ntags: [النيل]\nseries: ملف النيل\nseries_part: 3")
            + "\nانظر [مقال الغد](tomorrow.md).\n",
    );
    let check = run_in(&s.root, &["check"], &[("WARRAQ_NOW", Path::new(NOW))]);
    assert!(
        check
            .stdout
            .contains("next change: 2026-12-09 06:00 +02:00"),
        "{check:#?}"
    );
    assert!(
        check.stdout.contains(
            "link `tomorrow.md` points to an article scheduled for 2026-12-09 06:00 +02:00"
        ),
        "{check:#?}"
    );
    let later = run_in(
        &s.root,
        &["check"],
        &[("WARRAQ_NOW", Path::new("2026-12-10T00:00:00Z"))],
    );
    assert!(
        !later.stdout.contains("points to an article scheduled"),
        "{later:#?}"
    );
}

/// Each bad input: (file, contents) written over the newsroom site, and the message
/// expected at its `file:line`.
#[test]
fn bad_newsroom_input_is_an_error_at_its_line() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "content/authors/ahmad.md",
            "---\nname: أحمد علي\nrol: محلل\n---\nنبذة\n",
            "content/authors/ahmad.md:3:1: unknown field `rol`: did you mean `role`?",
        ),
        (
            "site.toml",
            "title = \"t\"\n\n[taxonomies.countries]\npath = \"articles\"\n",
            "site.toml:3:1: taxonomy `countries`: `path` `articles` is a path warraq writes itself",
        ),
        (
            "site.toml",
            "title = \"t\"\n\n[taxonomies.countries]\npath = \"tags\"\n",
            "site.toml:3:1: taxonomy `countries`: `path` `tags` is also the path of taxonomy `tags`",
        ),
        (
            "content/articles/2026/x.md",
            "---\ntitle: س\ndate: 2026-01-01\naliases: [/articles/part-two/]\n---\nنص\n",
            "content/articles/2026/x.md:4:1: alias `/articles/part-two/` is the URL of `./content/articles/2026/part-two.md`",
        ),
        (
            "content/articles/2026/x.md",
            "---\ntitle: س\ndate: 2026-01-01\naliases: [/old/part-one/]\n---\nنص\n",
            "alias `/old/part-one/` is also an alias of",
        ),
        (
            "content/articles/2026/x.md",
            "---\ntitle: س\ndate: 2026-01-01\naliases: [/a/../../etc/]\n---\nنص\n",
            "content/articles/2026/x.md:4:1: alias `/a/../../etc/` may not hold `.` or `..` segments",
        ),
        (
            "content/articles/2026/x.md",
            "---\ntitle: س\ndate: 2026-01-01\naliases: [/articles/part-two/index.html]\n---\nنص\n",
            "content/articles/2026/x.md:4:1: alias `/articles/part-two/index.html` names a folder's index",
        ),
        (
            "content/authors/ahmad-2.md",
            "---\nname: أحمد على\n---\nنبذة ثانية\n",
            "(the same name, however spelled): keep one",
        ),
        (
            "content/articles/2026/x.md",
            "---\ntitle: س\ndate: 2026-01-01\npublish_at: next tuesday\n---\nنص\n",
            "content/articles/2026/x.md:4:1: `publish_at` `next tuesday` is not a date and time",
        ),
        (
            "content/articles/2026/x.md",
            "---\ntitle: س\ndate: 2026-01-01\ntranslation_of: missing.md\n---\nنص\n",
            "content/articles/2026/x.md:4:1: `translation_of` `missing.md`: there is no article at `content/missing.md`",
        ),
        (
            "content/articles/2026/x.md",
            "---\ntitle: س\ndate: 2026-01-01\ntranslation_of: part-two.md\n---\nنص\n",
            "are versions of one analysis in the same language (`ar`)",
        ),
        (
            "content/articles/2026/x.md",
            "---\ntitle: س\ndate: 2026-05-01\nseries: ملف النيل\nseries_part: 2\n---\nنص\n",
            "`series_part` 2 of series `ملف النيل` is also claimed by",
        ),
        (
            "content/articles/2026/x.md",
            "---\ntitle: س\ndate: 2026-01-01\ncountrys: [مصر]\n---\nنص\n",
            "content/articles/2026/x.md:4:1: unknown field `countrys`: did you mean `countries`?",
        ),
    ];
    for (file, text, expected) in cases {
        let s = newsroom_site();
        let before = {
            build_at(&s, NOW, &[]);
            read_tree(&s.public())
        };
        s.write(file, text);
        let r = run_in(&s.root, &["build"], &[("WARRAQ_NOW", Path::new(NOW))]);
        r.assert_failed();
        assert!(
            r.error_lines().iter().any(|l| l.contains(expected)),
            "{file}: expected `{expected}` in:\n{}",
            r.stderr
        );
        assert_eq!(
            read_tree(&s.public()),
            before,
            "{file}: the output is untouched"
        );
    }
}

#[test]
fn publish_at_without_a_zone_needs_the_site_zone() {
    let s = Site::empty();
    s.write("site.toml", "title = \"t\"\n");
    s.write(
        "content/articles/2026/x.md",
        article("title: س\ndate: 2026-01-01\npublish_at: 2026-12-09 06:00"),
    );
    let r = s.run(&["build"]);
    r.assert_failed();
    assert!(
        r.stderr
            .contains("x.md:4:1: `publish_at` `2026-12-09 06:00` names no time zone"),
        "{}",
        r.stderr
    );
}

#[test]
fn articles_naming_each_other_are_one_translation_group() {
    let s = Site::empty();
    s.write(
        "site.toml",
        "title = \"t\"\nbase_url = \"https://example.org\"\n",
    );
    s.write(
        "content/articles/2026/a.md",
        article("title: أ\ndate: 2026-01-01\ntranslation_of: b.md"),
    );
    s.write(
        "content/articles/2026/b.md",
        "---\ntitle: B\ndate: 2026-01-01\nlang: en\ntranslation_of: a.md\n---\nText.\n",
    );
    s.build(&[]);
    assert!(s
        .page("/articles/a/")
        .contains(r#"hreflang="en" href="https://example.org/articles/b/""#));
    assert!(s
        .page("/articles/b/")
        .contains(r#"hreflang="ar" href="https://example.org/articles/a/""#));
}

//! Snapshots (insta): Markdown → HTML for representative bodies, and a few rendered pages
//! of the fixture site. Review changes with `cargo insta review`, or rerun with
//! `INSTA_UPDATE=always` and read the diff of `tests/it/snapshots/`.

use crate::{fixtures, Site, SEED_URL};
use warraq::sources::markdown::{render, MarkdownOptions};

fn body_of(article: &str) -> String {
    let path = fixtures().join("site/content/articles").join(article);
    let text = std::fs::read_to_string(&path).unwrap();
    warraq::sources::front_matter::split(&text)
        .unwrap()
        .body
        .to_owned()
}

/// HTML and table of contents of a body, as one reviewable text.
fn rendered(body: &str) -> String {
    let r = render(body, MarkdownOptions::default());
    let mut out = r.html.clone();
    out.push_str("\n--- toc ---\n");
    for e in &r.toc {
        out.push_str(&format!("h{} #{} {}\n", e.level, e.id, e.title));
    }
    out.push_str(&format!("--- summary ---\n{}", r.summary_html));
    let words = warraq::text::words::count_words(&r.plain);
    out.push_str(&format!("--- words: {words} ---\n"));
    out
}

#[test]
fn markdown_seed_article() {
    let body = body_of("2019/كيف-يقنع-ترامب-حلفاءه-اللاتينيين-بمواجهة-موسكو-عسكريا-فى-كاراكاس.md");
    insta::assert_snapshot!("markdown_seed_article", rendered(&body));
}

#[test]
fn markdown_table_and_footnote_article() {
    insta::assert_snapshot!(
        "markdown_nato_article",
        rendered(&body_of("2020/الناتو-بعد-الجائحة.md"))
    );
}

#[test]
fn markdown_extensions() {
    let body = "\
## المقدمة {#intro .lead}

نص فيه ~~حذف~~ و**تأكيد** و`رمز` وحاشية[^ملاحظة].

## المقدمة

| البلد | الموقف |
|:--|--:|
| روسيا | داعم |
| كولومبيا | معارض |

- [x] قراءة المصادر
- [ ] كتابة الخلاصة

> اقتباس من خطاب، فيه \"علامات تنصيص\" لا تتحول إلى علامات منحنية.

![صورة لها ملف](/img/map.png \"خريطة المنطقة\")

![تعليق فقط]()

### عنوان فرعى {#custom-id}

## المقدمة

## خاتمة {#الخاتمة}

## الخاتمة

[^ملاحظة]: نص الحاشية.
";
    insta::assert_snapshot!("markdown_extensions", rendered(body));
}

/// A built page with the generator's version masked, so a release does not churn snapshots.
fn page(site: &Site, url: &str) -> String {
    site.page(url).replace(
        &format!("warraq {}", env!("CARGO_PKG_VERSION")),
        "warraq [version]",
    )
}

#[test]
fn rendered_pages() {
    let site = Site::fixture("site");
    site.build(&[]);
    insta::assert_snapshot!("page_tag_alsiyasa", page(&site, "/tags/السياسة/"));
    insta::assert_snapshot!(
        "page_english_article",
        page(&site, "/articles/venezuela-recognition-politics/")
    );
    insta::assert_snapshot!("feed_tag_alsiyasa", page(&site, "/tags/السياسة/atom.xml"));
    // The seed page is asserted piece by piece in build.rs; here only that no temp path
    // can leak into a snapshot.
    let parent = site.parent().to_str().unwrap().to_owned();
    assert!(!page(&site, SEED_URL).contains(&parent));
}

//! What an author writes is text: it never breaks out of HTML, JSON-LD or templates.

use crate::{count, Site};

const HOSTILE_URL: &str = "/articles/ما-بعد-الشرعية-والسيادة/";
const HOSTILE_TITLE: &str = "ما بعد </script> و\"الشرعية\" & السيادة";

/// The JSON of every `<script type="application/ld+json">` block.
fn json_ld_blocks(html: &str) -> Vec<serde_json::Value> {
    let open = r#"<script type="application/ld+json">"#;
    html.split(open)
        .skip(1)
        .map(|rest| {
            let json = &rest[..rest.find("</script>").unwrap()];
            serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {json}"))
        })
        .collect()
}

#[test]
fn script_title_stays_inside_json_ld() {
    let site = Site::fixture("site");
    site.build(&[]);
    let html = site.page(HOSTILE_URL);
    // Every script element closes exactly once: the title's `</script>` closes nothing.
    assert_eq!(count(&html, "<script"), count(&html, "</script>"));
    let blocks = json_ld_blocks(&html);
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0]["headline"], HOSTILE_TITLE);
    assert_eq!(blocks[0]["inLanguage"], "ar");
    assert_eq!(blocks[0]["author"][0]["name"], "سلمى الحداد");
}

#[test]
fn script_title_is_escaped_in_html() {
    let site = Site::fixture("site");
    site.build(&[]);
    let html = site.page(HOSTILE_URL);
    let escaped = "ما بعد &lt;/script&gt; و&quot;الشرعية&quot; &amp; السيادة";
    assert!(html.contains(&format!("<h1>{escaped}</h1>")));
    assert!(html.contains(&format!("<title>{escaped} · أرشيف الاختبار</title>")));
    assert!(html.contains(&format!(
        r#"<meta property="og:title" content="{escaped}">"#
    )));
    // Lists show it escaped too.
    let tag = site.page("/tags/السياسة/");
    assert!(tag.contains(escaped));
    for page in [&html, &tag] {
        assert!(!page.contains("ما بعد </script>"));
    }
}

#[test]
fn every_json_ld_parses() {
    let site = Site::fixture("site");
    site.build(&[]);
    for (name, bytes) in crate::read_tree(&site.public().join("articles")) {
        let html = String::from_utf8(bytes).unwrap();
        let blocks = json_ld_blocks(&html);
        assert_eq!(blocks.len(), 1, "{name}");
        let h1 = &html[html.find("<h1>").unwrap() + 4..html.find("</h1>").unwrap()];
        // The headline is the title; the h1 holds the same title, HTML-escaped.
        let headline = blocks[0]["headline"].as_str().unwrap();
        assert_eq!(
            h1,
            headline
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;"),
            "{name}"
        );
    }
}

#[test]
fn raw_html_and_script_urls_in_markdown_are_text() {
    let site = Site::fixture("site");
    site.write(
        "content/articles/2021/عدائي.md",
        "---\ntitle: \"{{ site.title }} {% raw %}\"\ndate: 2021-01-01\ntags: [\"<b>وسم</b>\"]\n---\n\
         نص <script>alert(1)</script> و<img src=x onerror=alert(2)>\n\n\
         [رابط](javascript:alert(3)) و[آخر](JaVaScRiPt:alert(4)) و![صورة](data:text/html,x)\n",
    );
    site.build(&[]);
    let html = site.page("/articles/عدائي/");
    // Template syntax in a title is shown, never evaluated.
    assert!(
        html.contains("<h1>{{ site.title }} {% raw %}</h1>"),
        "{html}"
    );
    let content = &html[html.find(r#"<div class="content">"#).unwrap()..];
    let content = &content[..content.find("</div>").unwrap()];
    assert!(
        content.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{content}"
    );
    assert!(
        content.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "{content}"
    );
    assert!(!content.contains("<script"));
    assert!(!content.contains("<img src=x"));
    assert!(!content.to_lowercase().contains("javascript:"), "{content}");
    assert!(!content.contains("data:text/html"), "{content}");
    // A tag holding markup is escaped wherever it is shown.
    assert!(!html.contains("<b>وسم</b>"));
    assert!(
        html.contains("&lt;b&gt;وسم&lt;&#x2F;b&gt;") || html.contains("&lt;b&gt;وسم&lt;/b&gt;")
    );
}

#[test]
fn json_ld_reaches_a_template_that_includes_it() {
    // The article template only includes the file that prints it: JSON-LD is made for
    // every template's use, not only when the article template names it itself.
    let site = Site::fixture("site");
    site.write(
        "templates/article.html",
        "<!doctype html><html><body><h1>{{ page.title }}</h1>{% include \"ld.html\" %}</body></html>\n",
    );
    site.write(
        "templates/ld.html",
        "<script type=\"application/ld+json\">{{ json_ld | safe }}</script>\n",
    );
    site.build(&[]);
    let blocks = json_ld_blocks(&site.page(HOSTILE_URL));
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0]["headline"], HOSTILE_TITLE);
}

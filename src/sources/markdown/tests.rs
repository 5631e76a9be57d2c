proptest::proptest! {
    #[test]
    fn whitespace_collapses_as_split_whitespace_does(
        text in "[a-z \t\n\r\u{0b}\u{0c}\u{85}\u{a0}\u{1680}\u{2000}-\u{200b}\u{2028}\u{202f}\u{3000}\u{0600}-\u{06ff}é]{0,40}"
    ) {
        let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
        proptest::prop_assert_eq!(super::collapse_whitespace(&text), expected);
    }
}

use super::*;
use crate::text::words::count_words;

fn r(md: &str) -> Rendered {
    render(md, MarkdownOptions::default())
}

#[test]
fn heading_ids_keep_arabic_and_are_unique() {
    let out = r("## الخيار العسكرى.. هل يسقط ترامب؟\n\n## الخيار العسكرى.. هل يسقط ترامب؟\n\n### Custom {#mine}\n");
    assert!(
        out.html.contains("id=\"الخيار-العسكرى-هل-يسقط-ترامب\""),
        "{}",
        out.html
    );
    assert!(out.html.contains("id=\"الخيار-العسكرى-هل-يسقط-ترامب-1\""));
    assert!(out.html.contains("id=\"mine\""));
    assert_eq!(out.toc.len(), 3);
    assert_eq!(out.toc[0].level, 2);
    assert_eq!(out.toc[0].title, "الخيار العسكرى.. هل يسقط ترامب؟");
}

#[test]
fn heading_attributes_keep_only_id_and_classes() {
    let attack = "## عنوان {#مكان .واضح onfocus=alert(1) autofocus tabindex=1 style=\"x:y\" onclick='z' data-x=1}\n\nنص\n\n<!-- more -->\n\nبعد\n";
    let out = r(attack);
    for html in [&out.html, &out.summary_html] {
        assert!(
            html.contains("id=\"مكان\"") && html.contains("class=\"واضح\""),
            "{html}"
        );
        for bad in [
            "onfocus",
            "onclick",
            "autofocus",
            "tabindex",
            "style",
            "data-x",
        ] {
            assert!(!html.contains(bad), "{bad}: {html}");
        }
    }
    // However it is spelled, no attribute but id and class reaches the tag.
    for spelled in ["{ONFOCUS=x}", "{ onmouseover=x }", "{.a #b\tonload=x}"] {
        let html = r(&format!("# ع {spelled}\n")).html;
        let tag = &html[..html.find('>').unwrap()];
        let names: Vec<&str> = tag
            .split_whitespace()
            .skip(1)
            .map(|a| a.split('=').next().unwrap())
            .collect();
        assert!(names.iter().all(|n| *n == "id" || *n == "class"), "{html}");
    }
}

#[test]
fn heading_ids_never_take_a_footnote_or_theme_id() {
    let out = r("## 1\n\n## main\n\n## fn-1 {#fn-1}\n\n## x {#fnref-1-2}\n\nنص[^1] ومرة[^1]\n\n[^1]: حاشية\n");
    let ids: Vec<&str> = out
        .html
        .match_indices("id=\"")
        .map(|(i, _)| {
            let rest = &out.html[i + 4..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    let unique: HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    for id in ["fn-1", "fnref-1", "fnref-1-2"] {
        assert!(ids.contains(&id), "{id}: {ids:?}");
    }
    assert!(!ids.contains(&"main"), "{ids:?}");
    // Each reference leads to its note and the note leads back to the first one.
    assert!(out.html.contains("href=\"#fn-1\""), "{}", out.html);
    assert!(out
        .html
        .contains("href=\"#fnref-1\" class=\"footnote-back\""));
    // Notes ending in a list get their link back too.
    let out = r("نص[^a]\n\n[^a]: - بند\n");
    assert!(out.html.contains("footnote-back"), "{}", out.html);
}

#[test]
fn html_only_rendering_matches_the_full_one() {
    let body = "# عنوان\n\nنص [رابط](x.md) <b>خام</b> ![تعليق]()\n\n## قسم\n\n<!-- more -->\n\nحاشية[^1]\n\n[^1]: نص\n";
    let rewrite = |d: &str| (d == "x.md").then(|| "/articles/x/".to_owned());
    let full = render_with_links(body, MarkdownOptions::default(), &rewrite);
    assert_eq!(
        render_html(body, MarkdownOptions::default(), &rewrite),
        full.html
    );
    let no_html = Parts {
        html: false,
        plain: true,
    };
    let analysed = render_parts(body, MarkdownOptions::default(), &rewrite, no_html);
    assert!(analysed.html.is_empty());
    assert_eq!((&analysed.plain, &analysed.toc), (&full.plain, &full.toc));
    let no_plain = Parts {
        html: true,
        plain: false,
    };
    let unread = render_parts(body, MarkdownOptions::default(), &rewrite, no_plain);
    assert!(unread.plain.is_empty() && !full.plain.is_empty());
    let same = |r: &Rendered| {
        (
            r.html.clone(),
            r.toc.clone(),
            r.summary_html.clone(),
            r.summary_plain.clone(),
            r.links.clone(),
        )
    };
    assert_eq!(same(&unread), same(&full));
}

#[test]
fn summary_sources() {
    let out = r("أول فقرة.\n\nثانية.\n");
    assert_eq!(out.summary_html, "<p>أول فقرة.</p>\n");
    let out = r("أول.\n\nثانية.\n\n<!-- more -->\n\nثالثة.\n");
    assert!(out.summary_html.contains("ثانية") && !out.summary_html.contains("ثالثة"));
    assert!(!out.html.contains("more"));
}

#[test]
fn raw_html_is_text_unless_allowed() {
    let out = r("<script>alert(1)</script>\n\nنص <b>x</b>\n");
    assert!(!out.html.contains("<script>") && out.html.contains("&lt;script&gt;"));
    let out = render("<b>x</b>\n", MarkdownOptions { unsafe_html: true });
    assert!(out.html.contains("<b>x</b>"));
}

#[test]
fn script_urls_are_neutralised() {
    for url in [
        "javascript:alert(1)",
        "JaVaScRiPt:x",
        " java\tscript:x",
        "vbscript:x",
        "data:text/html,x",
    ] {
        assert!(is_unsafe_url(url), "{url}");
    }
    for url in [
        "https://x.org",
        "/a/b",
        "../x.md",
        "#id",
        "mailto:a@b",
        "data:image/png;base64,AA",
    ] {
        assert!(!is_unsafe_url(url), "{url}");
    }
    let out = r("[x](javascript:alert(1))\n");
    assert!(out.html.contains("href=\"#\""), "{}", out.html);
}

#[test]
fn captions_become_figures() {
    let out = r("قبل.\n\n![ترامب انتقد انغماس أسلافه]()\n\nبعد.\n");
    assert!(
        out.html
            .contains("<figure><figcaption>ترامب انتقد انغماس أسلافه</figcaption></figure>"),
        "{}",
        out.html
    );
    assert!(!out.html.contains("<img"));
    let out = r("![alt](/a.jpg \"تعليق\")\n");
    assert!(out.html.contains("<img src=\"/a.jpg\" alt=\"alt\""));
    assert!(out.html.contains("<figcaption>تعليق</figcaption>"));
    // An image inside text stays inline.
    let out = r("نص ![a](/a.jpg) نص\n");
    assert!(!out.html.contains("<figure>"));
}

#[test]
fn links_are_recorded_and_rewritten() {
    let body = "نص [أ](../2019/x.md#قسم) و![صورة](/a.jpg)\n\n[ب](https://e.example)\n";
    let out = render_with_links(body, MarkdownOptions::default(), &|d: &str| {
        d.starts_with("../").then(|| "/articles/x/#قسم".to_owned())
    });
    assert!(
        out.html
            .contains("href=\"/articles/x/#%D9%82%D8%B3%D9%85\""),
        "{}",
        out.html
    );
    let dests: Vec<_> = out
        .links
        .iter()
        .map(|l| (l.dest.as_str(), l.offset, l.image))
        .collect();
    assert_eq!(
        dests,
        vec![
            ("../2019/x.md#قسم", "نص ".len(), false),
            ("/a.jpg", body.find("![").unwrap(), true),
            ("https://e.example", body.find("[ب]").unwrap(), false),
        ]
    );
    assert!(!out.more_marker);
}

#[test]
fn arabic_words_counted_by_unicode_boundaries() {
    assert_eq!(count_words("الخيار العسكرى، هل يسقط ترامب فى 2020؟"), 7);
    assert_eq!(count_words(&r("# عنوان\n\nكلمة وكلمتان\n").plain), 3);
}

#[test]
fn extensions_are_on() {
    let out =
        r("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~\n\n- [x] done\n\nنص[^1]\n\n[^1]: حاشية\n");
    for needle in ["<table>", "<del>", "checkbox", "footnote"] {
        assert!(out.html.contains(needle), "{needle}: {}", out.html);
    }
    assert!(!r("\"quoted\"\n").html.contains('“'));
}

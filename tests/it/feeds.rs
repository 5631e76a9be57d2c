//! Feeds and the sitemap are well-formed XML and list what they should.

use crate::{ascii_url, decoded_url, read_tree, Site, SEED_URL};

const ATOM: &str = "http://www.w3.org/2005/Atom";

fn parse<'a>(name: &str, text: &'a str) -> roxmltree::Document<'a> {
    roxmltree::Document::parse(text)
        .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"))
}

/// The text of every element named `tag` (any namespace).
fn texts(doc: &roxmltree::Document<'_>, tag: &str) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .map(|n| n.text().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn every_feed_is_well_formed_atom() {
    let site = Site::fixture("site");
    site.build(&[]);
    let feeds: Vec<(String, Vec<u8>)> = read_tree(&site.public())
        .into_iter()
        .filter(|(name, _)| name.ends_with(".xml"))
        .collect();
    // The site feed, the sitemap, and one feed per tag (13), topic (2), author (4) and
    // country (2, the fixture's own taxonomy).
    assert_eq!(
        feeds.len(),
        2 + 13 + 2 + 4 + 2,
        "{:?}",
        feeds.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (name, bytes) in &feeds {
        let text = std::str::from_utf8(bytes).unwrap();
        let doc = parse(name, text);
        if name == "sitemap.xml" {
            continue;
        }
        let root = doc.root_element();
        assert!(
            root.has_tag_name((ATOM, "feed")),
            "{name}: root is {:?}",
            root.tag_name()
        );
        let entries = root
            .children()
            .filter(|n| n.has_tag_name((ATOM, "entry")))
            .count();
        assert!(entries > 0, "{name} has no entries");
        for required in ["id", "title", "updated"] {
            assert!(
                root.children().any(|n| n.has_tag_name((ATOM, required))),
                "{name} lacks <{required}>"
            );
        }
    }
}

#[test]
fn site_feed_has_escaped_titles_and_no_drafts() {
    let site = Site::fixture("site");
    site.build(&[]);
    let text = site.page("/atom.xml");
    let doc = parse("atom.xml", &text);
    let titles = texts(&doc, "title");
    assert_eq!(titles[0], "أرشيف الاختبار");
    assert!(
        titles.contains(&"ما بعد </script> و\"الشرعية\" & السيادة".to_owned()),
        "{titles:?}"
    );
    assert_eq!(
        titles.len(),
        1 + 6,
        "the site title and one per published article"
    );
    let ids = texts(&doc, "id");
    assert!(ids.contains(&ascii_url(&format!("https://example.org{SEED_URL}"))));
    // Feed addresses are ASCII (the W3C feed validator rejects raw IRIs).
    assert!(ids.iter().all(|id| id.is_ascii()), "{ids:?}");
    assert!(
        !text.contains("المعارضة-الفنزويلية"),
        "the draft is not in the feed"
    );
}

#[test]
fn term_feed_lists_the_merged_tag() {
    let site = Site::fixture("site");
    site.build(&[]);
    let text = site.page("/tags/السياسة/atom.xml");
    let doc = parse("tags/السياسة/atom.xml", &text);
    let entries = doc
        .descendants()
        .filter(|n| n.has_tag_name((ATOM, "entry")))
        .count();
    assert_eq!(entries, 4);
}

#[test]
fn sitemap_lists_every_article() {
    let site = Site::fixture("site");
    site.build(&[]);
    let text = site.page("/sitemap.xml");
    let doc = parse("sitemap.xml", &text);
    let raw = texts(&doc, "loc");
    // sitemaps.org: locations are ASCII, non-ASCII letters percent-encoded.
    assert!(raw.iter().all(|l| l.is_ascii()), "{raw:?}");
    let locs: Vec<String> = raw.iter().map(|l| decoded_url(l)).collect();
    let articles: Vec<&String> = locs
        .iter()
        .filter(|l| l.starts_with("https://example.org/articles/"))
        .collect();
    assert_eq!(articles.len(), 7, "{articles:?}");
    for page in crate::read_tree(&site.public().join("articles")).keys() {
        let url = format!(
            "https://example.org/articles/{}",
            page.strip_suffix("index.html").unwrap()
        );
        assert!(locs.contains(&url), "sitemap lacks {url}");
    }
    assert!(locs.contains(&"https://example.org/tags/السياسة/".to_owned()));
    // Every location is a page that exists.
    for loc in &locs {
        let path = loc.strip_prefix("https://example.org").unwrap();
        assert!(site.has_page(path), "sitemap lists a missing page: {loc}");
    }
}

#[test]
fn base_url_flag_changes_absolute_urls() {
    let site = Site::fixture("site");
    site.build(&["--base-url", "https://preview.example.net/"]);
    let sitemap = site.page("/sitemap.xml");
    assert!(sitemap.contains("<loc>https://preview.example.net/</loc>"));
    assert!(!sitemap.contains("https://example.org"));
}

/// A site served under a path (a GitHub Pages project site): every address a page or a
/// stylesheet writes leads under it.
#[test]
fn a_base_url_with_a_path_reaches_every_link() {
    let site = Site::fixture("site");
    site.build(&["--base-url", "https://example.org/archive/"])
        .assert_ok();
    let mut checked = 0;
    for (file, bytes) in read_tree(&site.public()) {
        if !file.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for attr in ["href=\"", "src=\"", "action=\""] {
            for (i, _) in html.match_indices(attr) {
                let value = &html[i + attr.len()..];
                let value = &value[..value.find('"').unwrap()];
                if value.starts_with('/') && !value.starts_with("//") {
                    assert!(value.starts_with("/archive/"), "{file}: {attr}{value}");
                    checked += 1;
                }
            }
        }
        assert!(!html.contains("https://example.org/tags"), "{file}");
    }
    assert!(checked > 100, "{checked}");
    // Assets find each other relative to themselves.
    let css = site.page("/style.css");
    assert!(css.contains("url(\"fonts/") && !css.contains("url(\"/"));
    let js = site.page("/search.js");
    assert!(!js.contains("\"/pagefind") && !js.contains("from \"/"));
    // Machine-read addresses carry the path too.
    assert!(site
        .page("/sitemap.xml")
        .contains("<loc>https://example.org/archive/tags/"));
    let feed = site.page("/atom.xml");
    assert!(feed.contains("href=\"https://example.org/archive/atom.xml\""));
    assert!(
        !feed.contains("href=&quot;/articles"),
        "feed bodies' links lead under the path"
    );
}

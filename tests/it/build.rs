//! The fixture archive builds, and its pages say what the articles say.

use crate::{ascii_url, count, Site, SEED_URL};
use std::fs;

const DRAFT_URL: &str = "/articles/المعارضة-الفنزويلية-في-عام-الانتخابات/";
const ENGLISH_URL: &str = "/articles/venezuela-recognition-politics/";

/// The six published articles, newest first.
const ARTICLES: [&str; 6] = [
    "/articles/venezuela-recognition-politics/",
    "/articles/الناتو-بعد-الجائحة/",
    "/articles/ما-بعد-الشرعية-والسيادة/",
    "/articles/روسيا-في-الفناء-الخلفي-لواشنطن/",
    SEED_URL,
    "/articles/الاتفاق-النووي-بعد-الانسحاب-الأمريكي/",
];

/// The article links of a list page's cards, in order.
pub fn card_urls(html: &str) -> Vec<String> {
    html.split(r#"<h2 class="card-title"><a href=""#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

/// The values of every `attr="..."` inside tags that start with `open` (e.g. `<h2 id="`).
fn attr_values(html: &str, open: &str) -> Vec<String> {
    html.split(open)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

/// The text between `start` and the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not found"))
        + start.len();
    let len = html[from..].find(end).unwrap();
    &html[from..from + len]
}

#[test]
fn fixture_builds_and_reports_what_it_did() {
    let site = Site::fixture("site");
    let r = site.build(&[]);
    assert!(
        r.stdout.starts_with("built 7 articles into "),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.is_empty(),
        "a good build prints nothing to stderr: {}",
        r.stderr
    );
    for url in ARTICLES {
        assert!(site.has_page(url), "{url}");
    }
    for url in [
        "/",
        "/404.html",
        "/atom.xml",
        "/sitemap.xml",
        "/robots.txt",
        "/style.css",
    ] {
        assert!(site.has_page(url), "{url}");
    }
}

#[test]
fn seed_article_page() {
    let site = Site::fixture("site");
    site.build(&[]);
    let html = site.page(SEED_URL);
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains(r#"<article class="article" lang="ar" dir="rtl">"#));
    // The author's Egyptian spelling (`فى`, final `ى`) is kept as written.
    assert!(
        html.contains("<h1>كيف يقنع ترامب حلفاءه اللاتينيين بمواجهة موسكو عسكريا فى كاراكاس؟</h1>")
    );
    assert!(html.contains(
        "<title>كيف يقنع ترامب حلفاءه اللاتينيين بمواجهة موسكو عسكريا فى كاراكاس؟ · أرشيف الاختبار</title>"
    ));
    assert!(html.contains(
        r#"<p class="subtitle">تشكيل تحالف عسكرى فى أمريكا اللاتينية ورقة واشنطن الأخيرة لإسقاط مادورو.. دبلوماسية التحالفات تهدف لتجنب خطايا الأسلاف بالتورط بمستنقع الحروب</p>"#
    ));
    assert!(
        html.contains(r#"<a rel="author" href="/authors/بيشوى-رمزى/"><bdi>بيشوى رمزى</bdi></a>"#)
    );
    assert!(html.contains(r#"<time datetime="2019-02-05T00:00:00Z">"#));
    assert!(
        html.contains("<bdi>اليوم السابع</bdi>"),
        "the source is shown"
    );

    let content = between(&html, r#"<div class="content">"#, "</div>");
    let ids = attr_values(content, r#"<h2 id=""#);
    assert_eq!(
        ids,
        [
            "الخيار-العسكرى-هل-يسقط-ترامب-فى-خطايا-أسلافه",
            "دبلوماسية-التحالفات-الحل-الأخير-فى-جعبة-ترامب",
            "معضلة-واشنطن-كيف-يقنع-ترامب-اللاتينيين-بمواجهة-موسكو-بكاراكاس",
        ]
    );
    // The table of contents links to each heading.
    let toc = between(&html, r#"<nav class="toc""#, "</nav>");
    for id in &ids {
        assert!(
            toc.contains(&format!(r##"href="#{id}""##)),
            "toc lacks {id}"
        );
    }

    let captions = [
        "ترامب انتقد انغماس أسلافه فى المعارك بمختلف مناطق العالم",
        "ترامب يسعى إلى سحب القوات الأمريكية من المناطق الساخنة بالعالم",
        "الدعم العسكرى لمادورو معضلة واشنطن",
    ];
    assert_eq!(count(content, "<figure>"), 3);
    for caption in captions {
        assert_eq!(
            count(
                content,
                &format!("<figure><figcaption>{caption}</figcaption></figure>")
            ),
            1,
            "{caption}"
        );
        assert_eq!(count(&html, caption), 1, "caption shown once: {caption}");
        assert!(!content.contains(&format!("<p>{caption}")), "{caption}");
    }
    // `![caption]()`: the archive holds no photo, so there is no image to point at.
    assert!(!content.contains("<img"));
    // Every paragraph of the body is there: 9 in the source, none lost or merged.
    assert_eq!(count(content, "<p>"), 9);
}

#[test]
fn drafts_only_with_the_flag() {
    let site = Site::fixture("site");
    let r = site.build(&[]);
    assert!(r.stdout.starts_with("built 7 articles"), "{}", r.stdout);
    assert!(!site.has_page(DRAFT_URL));
    for machine_file in ["/sitemap.xml", "/atom.xml"] {
        let text = site.page(machine_file);
        assert!(!text.contains(DRAFT_URL) && !text.contains(&ascii_url(DRAFT_URL)));
    }
    assert!(!site.page("/tags/جوايدو/").contains(DRAFT_URL));

    let r = site.build(&["--drafts"]);
    assert!(r.stdout.starts_with("built 8 articles"), "{}", r.stdout);
    let html = site.page(DRAFT_URL);
    assert!(html.contains("<h1>المعارضة الفنزويلية في عام الانتخابات البرلمانية</h1>"));
    assert!(site.page("/sitemap.xml").contains(&ascii_url(DRAFT_URL)));

    // A build without the flag takes it out again.
    site.build(&[]);
    assert!(!site.has_page(DRAFT_URL));
}

#[test]
fn english_article_is_left_to_right() {
    let site = Site::fixture("site");
    site.build(&[]);
    let html = site.page(ENGLISH_URL);
    assert!(
        html.contains(r#"<article class="article" lang="en" dir="ltr">"#),
        "{html}"
    );
    assert!(html.contains("<h1>Venezuela and the limits of recognition</h1>"));
    // Its author's Arabic name is isolated inside the English text.
    assert!(html.contains("<bdi>نادر العلي</bdi>"));
    // Arabic articles stay right to left.
    for url in &ARTICLES[1..] {
        assert!(
            site.page(url)
                .contains(r#"<article class="article" lang="ar" dir="rtl">"#),
            "{url}"
        );
    }
}

/// `s` without tashkeel and tatweel.
fn bare(s: &str) -> String {
    s.chars()
        .filter(|c| !('\u{064B}'..='\u{065F}').contains(c) && *c != '\u{0640}')
        .collect()
}

#[test]
fn four_spellings_make_one_tag() {
    let site = Site::fixture("site");
    site.build(&[]);
    let tags: Vec<String> = fs::read_dir(site.public().join("tags"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| bare(n) == "السياسة")
        .collect();
    assert_eq!(
        tags,
        ["السياسة"],
        "one folder, named by the majority spelling"
    );

    // Four articles, two a page, numbered from the oldest: the first page and page 1.
    let page1 = site.page("/tags/السياسة/");
    let page2 = site.page("/tags/السياسة/page/1/");
    assert!(!site.has_page("/tags/السياسة/page/2/"));
    assert!(page1.contains("<h1>الوسم: <bdi>السياسة</bdi></h1>"));
    assert!(page1.contains(r#"href="/tags/السياسة/page/1/""#));
    assert!(page2.contains(r#"href="/tags/السياسة/""#));
    let mut listed = card_urls(&page1);
    assert_eq!(listed.len(), 2);
    listed.extend(card_urls(&page2));
    assert_eq!(
        listed,
        [
            "/articles/الناتو-بعد-الجائحة/",
            "/articles/ما-بعد-الشرعية-والسيادة/",
            "/articles/روسيا-في-الفناء-الخلفي-لواشنطن/",
            "/articles/الاتفاق-النووي-بعد-الانسحاب-الأمريكي/",
        ]
    );
    // Every article links the merged tag, whichever spelling it used.
    for url in &listed {
        assert!(site.page(url).contains(r#"href="/tags/السياسة/""#), "{url}");
    }
    // The tag index lists it once.
    let index = site.page("/tags/");
    assert_eq!(count(&index, r#"href="/tags/السياسة/""#), 1);
}

/// Six articles, two a page, numbered from the oldest (the default): the home page shows
/// the newest two, then `/page/2/`, then `/page/1/` (the oldest).
#[test]
fn home_is_paginated_newest_first() {
    let site = Site::fixture("site");
    site.build(&[]);
    let pages = home_pages(&site, ["/", "/page/2/", "/page/1/"], "/page/3/");
    assert!(
        pages[1].contains("صفحة 2</span>"),
        "labels do not count the pages"
    );
}

/// `page_numbers = "from_newest"` keeps the numbering that counts from the newest page.
#[test]
fn home_pages_can_be_numbered_from_the_newest() {
    let site = Site::fixture("site");
    let toml = fs::read_to_string(site.root.join("site.toml")).unwrap();
    site.write("site.toml", toml + "page_numbers = \"from_newest\"\n");
    site.build(&[]);
    home_pages(&site, ["/", "/page/2/", "/page/3/"], "/page/4/");
}

/// The home's pages at `urls`, in reading order (and none at `absent`): together they
/// list every article, newest first, each linking the next and the previous.
fn home_pages(site: &Site, urls: [&str; 3], absent: &str) -> [String; 3] {
    let pages = urls.map(|u| site.page(u));
    assert!(!site.has_page(absent));
    let listed: Vec<String> = pages.iter().flat_map(|p| card_urls(p)).collect();
    assert_eq!(listed, ARTICLES);
    let link = |rel: &str, url: &str| format!(r#"rel="{rel}" href="{url}""#);
    assert!(pages[0].contains(&link("next", urls[1])));
    assert!(!pages[0].contains(r#"rel="prev""#));
    assert!(pages[1].contains(&link("prev", urls[0])));
    assert!(pages[1].contains(&link("next", urls[2])));
    assert!(pages[2].contains(&link("prev", urls[1])));
    assert!(!pages[2].contains(r#"rel="next""#));
    pages
}

#[test]
fn years_and_topics() {
    let site = Site::fixture("site");
    site.build(&[]);
    let years = site.page("/years/");
    for y in ["2020", "2019", "2018"] {
        assert!(years.contains(&format!(r#"href="/years/{y}/""#)), "{y}");
    }
    // Three articles, two a page: the first page shows the newest block and the one
    // below it, which is not full.
    assert!(!site.has_page("/years/2019/page/1/"));
    assert_eq!(card_urls(&site.page("/years/2019/")), ARTICLES[2..5]);
    assert!(site.has_page("/topics/أمريكا-اللاتينية/"));
    assert!(site.has_page("/authors/بيشوى-رمزى/"));
}

/// Fields of an article's view that no template names are left out of it, so every name
/// warraq looks for must be the field's: a template naming any field (here only in an
/// included file, as a theme's partials do) gets it.
#[test]
fn every_field_a_template_names_is_given() {
    let site = Site::fixture("site");
    let fields = [
        "subtitle",
        "permalink",
        "date_rfc3339",
        "date_display",
        "hijri_display",
        "updated",
        "updated_rfc3339",
        "updated_display",
        "year",
        "year_url",
        "author",
        "topic",
        "tags",
        "description",
        "excerpt",
        "toc",
        "words",
        "reading_time",
        "source",
        "extra",
        "draft",
    ];
    let shown: String = fields
        .iter()
        .map(|f| format!("<p id=\"{f}\">{{% if page.{f} is defined %}}given{{% endif %}}</p>\n"))
        .collect::<String>()
        + "<p id=\"words-shown\">{{ page.words }}</p><p id=\"year-url-shown\">{{ page.year_url }}</p>\n";
    site.write("templates/article.html", "{% include \"fields.html\" %}\n");
    site.write("templates/fields.html", shown);
    site.build(&[]);
    let html = site.page(SEED_URL);
    for f in fields {
        let value = between(&html, &format!("<p id=\"{f}\">"), "</p>");
        assert_eq!(value, "given", "{f}");
    }
    assert!(between(&html, "<p id=\"words-shown\">", "</p>").contains("كلمة"));
    assert_eq!(
        between(&html, "<p id=\"year-url-shown\">", "</p>"),
        "/years/2019/"
    );
}

/// A build counts words only when some template shows a count; whichever template does,
/// by any of the names that carry one, gets the same count as the default theme's.
#[test]
fn word_counts_reach_whichever_template_shows_them() {
    let count_in = |template: &str, start: &str, end: &str| {
        let site = Site::fixture("site");
        site.write("templates/article.html", template);
        site.build(&[]);
        between(&site.page(SEED_URL), start, end).to_owned()
    };
    let default = Site::fixture("site");
    default.build(&[]);
    let reading = |html: &str| html.contains("قراءة");
    let minutes = count_in(
        "<p id=\"t\">{{ page.reading_time }}</p>",
        "<p id=\"t\">",
        "</p>",
    );
    assert!(
        reading(&minutes) && default.page(SEED_URL).contains(&minutes),
        "{minutes}"
    );
    let words = count_in("<p id=\"w\">{{ page.words }}</p>", "<p id=\"w\">", "</p>");
    assert!(
        words.contains("كلمة") && words.chars().any(|c| c.is_numeric()),
        "{words}"
    );
    // The JSON-LD alone (through an included partial) carries the count as a number.
    let ld = {
        let site = Site::fixture("site");
        site.write("templates/article.html", "{% include \"ld.html\" %}");
        site.write("templates/ld.html", "{{ json_ld | safe }}");
        site.build(&[]);
        site.page(SEED_URL)
    };
    let from = &ld[ld.find("\"wordCount\":").expect("a word count") + 12..];
    let digits: String = from.chars().take_while(char::is_ascii_digit).collect();
    let n: usize = digits.parse().unwrap();
    assert!(n > 100, "{ld}");
    // A template that shows none of them still builds, with no count to be seen.
    let none = count_in("<p id=\"n\">{{ page.title }}</p>", "<p id=\"n\">", "</p>");
    assert!(!none.is_empty() && !reading(&none));
}

/// Each kind of view carries the fields its own templates name: a field only the feed
/// names is in the feed's entries, not in the article's page nor in list entries.
#[test]
fn views_carry_only_the_fields_their_templates_name() {
    let site = Site::fixture("site");
    site.write("site.toml", {
        let toml = fs::read_to_string(site.root.join("site.toml")).unwrap();
        // The fixture's own taxonomy loses its term feeds too.
        toml.replace("path = \"الدول\" }", "path = \"الدول\", feed = false }")
            + "\n[taxonomies.tags]\nfeed = false\n[taxonomies.topics]\nfeed = false\n[taxonomies.authors]\nfeed = false\n"
    });
    // `__tera_context` shows every variable without naming a field.
    site.write("templates/article.html", "{{ __tera_context }}");
    site.write("templates/list.html", "{{ __tera_context }}");
    site.write(
        "templates/atom.xml",
        "{% for p in pages %}<e>{{ p.permalink }}|{{ p.date_rfc3339 }}</e>{% endfor %}",
    );
    site.build(&[]).assert_ok();
    let article = site.page(SEED_URL);
    let home = site.page("/");
    let feed = fs::read_to_string(site.public().join("atom.xml")).unwrap();
    assert!(article.contains("title&quot;") && home.contains("title&quot;"));
    for field in ["permalink", "date_rfc3339"] {
        let key = format!("{field}&quot;");
        assert!(!article.contains(&key), "{field} in the article's view");
        assert!(!home.contains(&key), "{field} in a list entry");
    }
    assert!(feed.contains("<e>https://example.org/articles/") && feed.contains("T00:00:00"));
}

/// A listing that shows each entry's `card_html` shows what including `card.html` for
/// each entry shows (the card is rendered once per article, not once per listing), and an
/// edit of `card.html` alone reaches the listing pages of the next build, which would
/// otherwise reuse them: their keys hold the version of `card.html`.
#[test]
fn card_html_is_card_html_rendered_for_the_entry() {
    let card = "<div class=\"c\" lang=\"{{ lang }}\" dir=\"{{ dir }}\">{{ p.title }} · \
                {{ p.date_display }} · {{ p.reading_time }} · {{ t.home }} · {{ site.title }}</div>\n";
    let listing = |each: &str| {
        let site = Site::fixture("site");
        site.write("templates/card.html", card);
        site.write(
            "templates/list.html",
            format!("{{% for p in pages %}}{each}{{% endfor %}}"),
        );
        site.build(&[]);
        site
    };
    let included = listing("{% include \"card.html\" %}");
    let rendered = listing("{{ p.card_html | safe }}");
    let home = rendered.page("/");
    assert!(
        count(&home, "<div class=\"c\"") >= 2 && home.contains("قراءة"),
        "{home}"
    );
    assert_eq!(home, included.page("/"));

    rendered.write(
        "templates/card.html",
        "<div class=\"edited\">{{ p.title }}</div>\n",
    );
    rendered.build(&[]);
    let home = rendered.page("/");
    assert!(home.contains("<div class=\"edited\">") && !home.contains("<div class=\"c\""));

    // A card that names what only a listing page has fails, naming `card.html`; the
    // previous output stays.
    rendered.write("templates/card.html", "{{ pager.url }}");
    let run = rendered.run(&["build"]);
    run.assert_failed();
    assert!(run.stderr.contains("templates/card.html"), "{}", run.stderr);
    assert_eq!(rendered.page("/"), home);
}

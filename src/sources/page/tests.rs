use super::body::render_markdown;
use super::terms::term_of;
use super::*;
use crate::basics::spill::Kept;
use crate::text::slug::term_key;

fn config() -> Config {
    Config::parse("title = \"t\"\n").unwrap()
}

#[test]
fn a_kept_body_is_written_without_reading_the_file_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("articles")).unwrap();
    let path = dir.path().join("articles/x.md");
    let text = "---\ntitle: عنوان\ndate: 2019-02-05\n---\n## فصل\n\nنص [رابط](y.md) **عريض**\n";
    std::fs::write(&path, text).unwrap();
    let content = ContentDir::open(dir.path());
    let targets = Targets::new([(PathBuf::from("articles/y.md"), "/articles/y/".to_owned())]);
    // Loaded without a store, the body is rendered from the file when written.
    let fresh = load(&content, &path, &config(), &targets, Keep::default()).unwrap();
    assert_eq!(fresh.rel, Path::new("articles/x.md"));
    assert!(fresh.build.html.is_none());
    let expected = body_html(&fresh, &config(), &targets).unwrap();
    assert!(expected.contains("href=\"/articles/y/\"") && expected.contains("<h2 id="));
    // Loaded with a store, the HTML rendered while parsing waits there and is the
    // same: it is used even once the file is gone.
    let load_into = |store: &Store| {
        let keep = Keep {
            bodies: Some(store),
            ..Keep::default()
        };
        load(&content, &path, &config(), &targets, keep).unwrap()
    };
    let kept = load_into(&Store::temporary());
    assert!(kept.build.html.as_ref().is_some_and(Kept::is_spilled));
    // A store at its limit keeps nothing: that body is rendered again, the same.
    let again = load_into(&Store::temporary_up_to(0));
    assert!(again.build.html.is_none());
    assert_eq!(body_html(&again, &config(), &targets).unwrap(), expected);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(body_html(&kept, &config(), &targets).unwrap(), expected);
    assert!(body_html(&fresh, &config(), &targets).is_err());
}

#[test]
fn terms_that_cannot_make_a_url_or_are_too_many_are_refused_at_their_line() {
    let rel = Path::new("articles/x.md");
    let parse_fm = |fm: &str| parse(&format!("---\n{fm}---\nنص\n"), rel, &config());
    for (fm, line, what) in [
        (
            "title: x\ndate: 2019-02-05\ntags: [سياسة, \"؟!\"]\n",
            4,
            "tag `؟!`",
        ),
        (
            "title: x\ndate: 2019-02-05\ntopic: \"...\"\n",
            4,
            "topic `...`",
        ),
        (
            "title: x\nauthor: \"،\"\ndate: 2019-02-05\n",
            3,
            "author `،`",
        ),
    ] {
        let e = parse_fm(fm).unwrap_err();
        assert_eq!(e.line, line, "{fm}: {e:?}");
        assert!(e.message.contains(what), "{}", e.message);
    }
    let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
    let e = parse_fm(&format!(
        "title: x\ndate: 2019-02-05\ntags: [{}]\n",
        many.join(", ")
    ))
    .unwrap_err();
    assert_eq!(e.line, 4);
    assert!(e.message.contains("at most"), "{}", e.message);
    let long = "س".repeat(MAX_TERM_CHARS + 1);
    assert!(parse_fm(&format!("title: x\ndate: 2019-02-05\ntags: [{long}]\n")).is_err());
    let most: Vec<String> = (0..MAX_TAGS).map(|i| format!("t{i}")).collect();
    assert!(parse_fm(&format!(
        "title: x\ndate: 2019-02-05\ntags: [{}]\n",
        most.join(", ")
    ))
    .is_ok());
}

#[test]
fn article_url_from_file_name() {
    let p = parse(
        "---\ntitle: عنوان\ndate: 2019-02-05\n---\nنص\n",
        Path::new("articles/2019/مقال-أول.md"),
        &config(),
    )
    .unwrap();
    assert_eq!(p.url, "/articles/مقال-أول/");
    assert_eq!(p.kind, Kind::Article);
    assert_eq!(p.lang, "ar");
}

#[test]
fn slug_field_wins_and_is_sanitised() {
    let p = parse(
        "---\ntitle: x\ndate: 2019-02-05\nslug: ../../etc/passwd\n---\n",
        Path::new("articles/a.md"),
        &config(),
    )
    .unwrap();
    assert_eq!(p.url, "/articles/etc-passwd/");
}

#[test]
fn standalone_pages() {
    let p = parse(
        "---\ntitle: x\ndate: 2019-02-05\n---\n",
        Path::new("عن/الموقع.md"),
        &config(),
    )
    .unwrap();
    assert_eq!(p.kind, Kind::Standalone);
    assert_eq!(p.url, "/عن/الموقع/");
}

#[test]
fn reading_time_uses_language_rate() {
    let body = "كلمة ".repeat(276);
    let p = parse(
        &format!("---\ntitle: x\ndate: 2019-02-05\n---\n{body}"),
        Path::new("articles/a.md"),
        &config(),
    )
    .unwrap();
    assert_eq!(p.body.words, Some(276));
    assert_eq!(p.body.reading_minutes, Some(2));
}

#[test]
fn links_are_placed_as_line_col_places_them() {
    let text = "---\ntitle: x\ndate: 2019-01-01\n---\nنص [أ](a.md) و[ب](b.md)\n\n> [ج](c.md)\n![د](d.png) [ه][r]\n\n[r]: e.md\n";
    let split = front_matter::split(text).unwrap();
    let sites = markdown::render(split.body, Default::default()).links;
    assert_eq!(sites.len(), 5);
    // Out of order too: counting starts again.
    let mut shuffled = sites.clone();
    shuffled.swap(0, 3);
    for sites in [sites, shuffled] {
        for (site, r) in sites.iter().zip(link_refs(&split, &sites)) {
            let (line, col) = crate::basics::config::line_col(split.body, site.offset);
            assert_eq!(
                (r.line, r.col),
                (split.body_line + line - 1, col),
                "{site:?}"
            );
        }
    }
}

#[test]
fn terms_are_cleaned_and_keyed_alike_each_time() {
    // The second round is answered from the thread's memory of the first.
    for _ in 0..2 {
        assert_eq!(
            term_of(" \u{200F}العسكرى "),
            Some(("العسكرى".to_owned(), term_key("العسكرى")))
        );
        assert_eq!(term_of(" \u{202E} "), None);
        assert_eq!(term_of("أمريكا").unwrap().1, term_of("امريكا").unwrap().1);
        assert_ne!(term_of("أمريكا").unwrap().0, term_of("امريكا").unwrap().0);
    }
}

#[test]
fn an_uncounted_page_differs_only_in_its_counts() {
    let text = format!(
        "---\ntitle: x\ndate: 2019-02-05\n---\n{}",
        "كلمة ".repeat(276)
    );
    let rel = Path::new("articles/a.md");
    let load = |uncounted| {
        let keep = Keep {
            uncounted,
            ..Keep::default()
        };
        parse_head(&text, rel, &config())
            .unwrap()
            .into_page_with(&config(), &Targets::default(), keep)
            .unwrap()
    };
    let (counted, uncounted) = (load(false), load(true));
    assert_eq!(
        (counted.body.words, counted.body.reading_minutes),
        (Some(276), Some(2))
    );
    assert_eq!(
        (uncounted.body.words, uncounted.body.reading_minutes),
        (None, None)
    );
    let counts_dropped = Page {
        body: super::Body {
            words: None,
            reading_minutes: None,
            ..counted.body.clone()
        },
        ..counted
    };
    assert_eq!(format!("{counts_dropped:?}"), format!("{uncounted:?}"));
}

#[test]
fn body_errors_keep_file_lines() {
    let e = parse("", Path::new("articles/a.md"), &config()).unwrap_err();
    assert!(e.message.contains("empty"));
    let e = parse(
        "---\ntitle: x\ndate: 2019-13-01\n---\n",
        Path::new("articles/a.md"),
        &config(),
    )
    .unwrap_err();
    assert_eq!(e.line, 3);
}

#[test]
fn links_to_sources_become_urls_and_keep_their_place() {
    let text =
        "---\ntitle: x\ndate: 2019-02-05\n---\n\nانظر [هنا](../2020/b.md#قسم) و[هناك](c.md).\n";
    let rel = Path::new("articles/2019/a.md");
    let targets = Targets::new([(
        PathBuf::from("articles/2020/b.md"),
        "/articles/بي/".to_owned(),
    )]);
    let p = parse_head(text, rel, &config())
        .unwrap()
        .into_page(&config(), &targets)
        .unwrap();
    let html = render_markdown(
        front_matter::split(text).unwrap().body,
        rel,
        &config(),
        &targets,
        &[],
    );
    assert!(
        html.contains("href=\"/articles/%D8%A8%D9%8A/#%D9%82%D8%B3%D9%85\""),
        "{html}"
    );
    // An unknown file is left as written, for `check` to report.
    assert!(html.contains("href=\"c.md\""));
    assert_eq!(p.body.links.len(), 2);
    assert_eq!((p.body.links[0].line, p.body.links[0].col), (6, 6));
    assert_eq!(p.body.links[1].dest, "c.md");
    assert_eq!(p.rel, rel);
}

#[test]
fn bidi_controls_leave_titles() {
    let p = parse(
        "---\ntitle: \"عنوان\u{202E}مقلوب\"\ndate: 2019-02-05\ntags: [\"س\u{200B}ياسة\"]\n---\n",
        Path::new("articles/a.md"),
        &config(),
    )
    .unwrap();
    assert_eq!(p.title, "عنوانمقلوب");
    assert_eq!(p.tags, vec!["سياسة"]);
}

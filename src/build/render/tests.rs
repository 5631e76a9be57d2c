use super::*;

/// Words are counted when a view of an article shows a count, through whichever
/// template shows that view, and not for a template that shows no article.
#[test]
fn word_counts_are_asked_of_the_views_that_show_them() {
    let config = crate::basics::config::Config::parse("title = \"x\"\n").unwrap();
    let counts = |files: &[(&str, &str)]| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        // The default theme's article page and list entries show counts.
        let quiet = [
            ("article.html", "{{ page.title }}"),
            ("card.html", "{{ p.title }}"),
        ];
        for (name, text) in quiet.iter().chain(files) {
            std::fs::write(dir.path().join("templates").join(name), text).unwrap();
        }
        shows_word_counts(&Templates::load(dir.path()).unwrap(), &config)
    };
    assert!(!counts(&[]));
    assert!(counts(&[("card.html", "{{ p.reading_time }}")]));
    assert!(counts(&[("article.html", "{{ page.words }}")]));
    assert!(counts(&[("article.html", "{{ json_ld | safe }}")]));
    assert!(counts(&[("page.html", "{{ page.reading_time }}")]));
    // The not-found page shows no article: the name alone counts nothing.
    assert!(!counts(&[("404.html", "{# words, reading_time #}")]));
}

#[test]
fn urls_to_files() {
    assert_eq!(file_for_url("/"), "index.html");
    assert_eq!(file_for_url("/articles/مقال/"), "articles/مقال/index.html");
    assert_eq!(file_for_url("/atom.xml"), "atom.xml");
    assert_eq!(file_for_url("/tags/x/atom.xml"), "tags/x/atom.xml");
}

#[test]
fn safe_renders_as_teras_own_filter_does() {
    // Named `.html`, the template escapes what is not marked safe.
    let template = "{{ x | safe }}|{{ x }}|{{ x | safe | upper }}|{{ x | safe | length }}";
    let mut theirs = tera::Tera::default();
    theirs.add_raw_template("t.html", template).unwrap();
    let mut ours = tera::Tera::default();
    ours.add_raw_template("t.html", template).unwrap();
    ours.register_filter("safe", safe);
    let long = "<p>نص «طويل» بما يكفى ليحفظ فى مكان مشترك & more</p>".repeat(3);
    let values = [
        Value::from("<b>قصير</b>"),
        Value::from(long.as_str()),
        Value::from(42),
        Value::from(vec!["<a>", "b"]),
        Value::none(),
    ];
    let mut compared = 0;
    for x in values {
        let mut ctx = Context::new();
        ctx.insert_value("x", x.clone());
        let a = theirs.render("t.html", &ctx);
        let b = ours.render("t.html", &ctx);
        assert_eq!(a.is_ok(), b.is_ok(), "{x:?}");
        if let (Ok(a), Ok(b)) = (a, b) {
            assert_eq!(a, b, "{x:?}");
            // `.html`: Tera escapes `{{ x }}`, so only a string marked safe keeps `<`.
            assert!(a.contains('<') || !format!("{x}").contains('<'));
            if x.is_string() {
                assert!(a.contains("&lt;"), "{a}");
            }
            compared += 1;
        }
    }
    // Both strings render (the case the filter is for), so the comparison is made.
    assert!(compared >= 2, "only {compared} values rendered");
}

use super::*;

fn parse_str(text: &str) -> Result<FrontMatter, Located> {
    parse(&split(text)?)
}

#[test]
fn yaml_nulls_and_tags_are_refused_at_their_line() {
    for (yaml, line, what) in [
        ("title: ~\ndate: 2019-02-05\n", 2, "`title` is empty"),
        (
            "title: x\ndate: 2019-02-05\nauthor: null\n",
            4,
            "`author` is empty",
        ),
        (
            "title: x\ndate: 2019-02-05\ntopic:\n",
            4,
            "`topic` is empty",
        ),
        (
            "title: x\ndate: 2019-02-05\ntags: [a, NULL]\n",
            4,
            "`tags` is empty",
        ),
        (
            "title: x\ndate: 2019-02-05\ntags:\n  - a\n  -\n",
            4,
            "`tags` is empty",
        ),
        (
            "title: !!binary aGVsbG8=\ndate: 2019-02-05\n",
            2,
            "`!!binary`",
        ),
        (
            "title: x\ndate: 2019-02-05\nsubtitle: !!str y\n",
            4,
            "`!!str`",
        ),
        (
            "title: x\ndate: 2019-02-05\nextra: {a: [!custom b]}\n",
            4,
            "`!custom`",
        ),
    ] {
        let e = parse_str(&format!("---\n{yaml}---\n")).unwrap_err();
        assert!(e.message.contains(what), "{yaml}: {}", e.message);
        assert_eq!(e.line, line, "{yaml}: {e:?}");
    }
    // Quoted, they are text; `!` inside text is text; null is a value in `extra`.
    let fm = parse_str(
        "---\ntitle: \"~\"\ndate: 2019-02-05\nsummary: \"لا! null\"\nextra: {a: ~}\n---\n",
    )
    .unwrap();
    assert_eq!(fm.title, "~");
    assert_eq!(fm.summary.as_deref(), Some("لا! null"));
}

#[test]
fn control_characters_written_as_escapes_are_dropped_from_every_text() {
    let fm = parse_str(
        "---\ntitle: \"a\\bb\\x1fc\\vd\"\ndate: 2019-02-05\nauthor: \"\\x01س\"\ntags: [\"x\\u0008y\"]\nsource: {name: \"n\\x7f\", url: \"https://e.org/\\x0c\"}\nextra: {k: [\"\\x02v\"]}\n---\n",
    )
    .unwrap();
    assert_eq!(fm.title, "abcd");
    assert_eq!(fm.author.as_deref(), Some("س"));
    assert_eq!(fm.tags, ["xy"]);
    let source = fm.source.unwrap();
    assert_eq!(
        (source.name.as_str(), source.url.as_deref()),
        ("n", Some("https://e.org/"))
    );
    assert_eq!(fm.extra["k"][0].as_str(), Some("v"));
}

#[test]
fn script_urls_in_front_matter_are_refused() {
    for url in [
        "javascript:alert(1)",
        " JavaScript:x",
        "data:text/html,x",
        "vbscript:x",
    ] {
        let e = parse_str(&format!(
            "---\ntitle: x\ndate: 2019-02-05\nsource: {{name: s, url: \"{url}\"}}\n---\n"
        ))
        .unwrap_err();
        assert_eq!(e.line, 4, "{url}");
        assert!(e.message.contains("source.url"), "{}", e.message);
    }
}

#[test]
fn splits_and_counts_lines() {
    let s = split("---\ntitle: x\ndate: 2019-02-05\n---\nbody\n").unwrap();
    assert_eq!(s.yaml, "title: x\ndate: 2019-02-05\n");
    assert_eq!(s.body, "body\n");
    assert_eq!(s.body_line, 5);
}

#[test]
fn delimiter_lookalikes_do_not_close() {
    let s = split("---\ntitle: \"a\n --- b\"\nx: ---\n---\nbody").unwrap();
    assert!(s.yaml.contains(" --- b"));
    assert_eq!(s.body, "body");
}

#[test]
fn missing_fences_are_errors() {
    assert!(split("title: x\n")
        .unwrap_err()
        .message
        .contains("missing front matter"));
    assert!(split("---\ntitle: x\n")
        .unwrap_err()
        .message
        .contains("not closed"));
    assert!(split("").is_err());
}

#[test]
fn unknown_field_suggests_the_nearest() {
    // Unknown fields are told once the site's own taxonomies are known: by the page.
    let config = crate::basics::config::Config::parse("title = \"t\"\n").unwrap();
    let e = crate::sources::page::parse(
        "---\ntitle: x\ndate: 2019-02-05\ntopik: y\n---\n",
        std::path::Path::new("articles/x.md"),
        &config,
    )
    .unwrap_err();
    assert_eq!(e.line, 4);
    assert!(
        e.message.contains("`topik`") && e.message.contains("`topic`"),
        "{}",
        e.message
    );
}

#[test]
fn yaml_errors_are_at_file_lines() {
    // An unclosed quote is reported where it opens; where the parser gave up is
    // named in file lines too.
    let e = parse_str("---\ntitle: \"unclosed\ndate: 2019-02-05\ntags: [a]\n---\n").unwrap_err();
    assert_eq!((e.line, e.col), (2, 8), "{e:?}");
    assert!(e.message.contains("at line 5 column 1"), "{}", e.message);
    assert!(e.message.contains("never closed"), "{}", e.message);
    let e = parse_str("---\ntitle: x\ndate: 2019-02-05\ntags: [a, b\n---\n").unwrap_err();
    assert_eq!((e.line, e.col), (4, 7), "{e:?}");
    assert!(e.message.contains("at line 5 column 1"), "{}", e.message);
    let e = parse_str("---\ntitle: x\n\tdate: 2019-02-05\n---\n").unwrap_err();
    assert_eq!((e.line, e.col), (3, 1));
}

#[test]
fn wrong_types_and_duplicates() {
    let e = parse_str("---\ntitle: x\ndate: 2019-02-05\ntags: سياسة\n---\n").unwrap_err();
    assert!(e.message.contains("must be a list"), "{}", e.message);
    assert_eq!(e.line, 4);
    let e = parse_str("---\ntitle: x\ndate: 2019-02-05\ntitle: y\n---\n").unwrap_err();
    assert!(e.message.contains("duplicate"), "{}", e.message);
    assert_eq!((e.line, e.col), (4, 1), "the second `title`");
}

#[test]
fn dates() {
    assert_eq!(parse_date("2019-02-05").unwrap().to_string(), "2019-02-05");
    assert_eq!(
        parse_date("2019-02-05T23:30:00+02:00").unwrap().to_string(),
        "2019-02-05"
    );
    assert!(parse_date("2019-02-30").is_err());
    assert!(parse_date("٢٠١٩-٠٢-٠٥")
        .unwrap_err()
        .contains("Arabic-Indic"));
    assert!(parse_date("05/02/2019").is_err());
    let e = parse_str("---\ntitle: x\ndate: 2019-02-30\n---\n").unwrap_err();
    assert_eq!(e.line, 3);
}

#[test]
fn invisible_title_is_empty() {
    let e = parse_str("---\ndate: 2019-02-05\ntitle: \"\u{200B}\u{200F} \"\n---\n").unwrap_err();
    assert_eq!((e.line, e.message.as_str()), (3, "`title` is empty"));
}

#[test]
fn lang_must_be_a_language_tag() {
    let e = parse_str("---\ntitle: x\ndate: 2019-02-05\nlang: \"<script>\"\n---\n").unwrap_err();
    assert_eq!(e.line, 4);
    assert!(e.message.contains("BCP 47"), "{}", e.message);
    assert!(parse_str("---\ntitle: x\ndate: 2019-02-05\nlang: ar-EG\n---\n").is_ok());
}

#[test]
fn missing_required_field() {
    let e = parse_str("---\ntitle: x\n---\n").unwrap_err();
    assert!(e.message.contains("`date`"), "{}", e.message);
}

#[test]
fn nesting_and_alias_bombs_fail_cleanly() {
    let deep = format!(
        "---\ntitle: x\ndate: 2019-02-05\nextra: {{a: {}1{}}}\n---\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let e = parse_str(&deep).unwrap_err();
    assert!(e.message.contains("nests deeper"), "{}", e.message);
    assert_eq!(e.line, 4);
    // Brackets inside quoted strings are text.
    assert!(parse_str(&format!(
        "---\ntitle: \"{}\"\ndate: 2019-02-05\n---\n",
        "[".repeat(100)
    ))
    .is_ok());
    let mut bomb =
        String::from("---\ntitle: x\ndate: 2019-02-05\nextra:\n  a: &a [x,x,x,x,x,x,x,x,x]\n");
    for i in 0..9 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("b{}", i - 1)
        };
        bomb.push_str(&format!("  b{i}: &b{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    bomb.push_str("---\n");
    assert!(parse_str(&bomb).is_err());
}

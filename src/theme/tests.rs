use super::*;

#[test]
fn default_theme_compiles() {
    let t = Templates::load(Path::new("/nonexistent-site")).unwrap();
    for name in [
        "base.html",
        "article.html",
        "list.html",
        "term.html",
        "terms.html",
        "atom.xml",
        "sitemap.xml",
        "404.html",
    ] {
        assert!(t.tera.get_template_names().any(|n| n == name), "{name}");
    }
}

/// The physical (left/right) CSS in `css`, as `line: text` entries: any identifier
/// naming a side (`margin-left`, `float: right`, `border-top-left-radius`, ...), and
/// four-value box shorthands whose two inline sides differ (`margin: 0 1em 0 2em`).
/// Comments and strings are skipped.
fn physical_css(css: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut code = String::with_capacity(css.len());
    // Blank out comments and strings, keeping newlines so line numbers hold.
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    code.push(if c == '\n' { '\n' } else { ' ' });
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
            }
            '"' | '\'' => {
                code.push(' ');
                let mut escaped = false;
                for d in chars.by_ref() {
                    code.push(if d == '\n' { '\n' } else { ' ' });
                    if !escaped && d == c {
                        break;
                    }
                    escaped = !escaped && d == '\\';
                }
            }
            _ => code.push(c),
        }
    }
    for (n, line) in code.lines().enumerate() {
        let words = line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'));
        if words
            .flat_map(|w| w.split('-'))
            .any(|part| part.eq_ignore_ascii_case("left") || part.eq_ignore_ascii_case("right"))
        {
            found.push(format!("{}: {}", n + 1, line.trim()));
            continue;
        }
        let boxy = [
            "margin",
            "padding",
            "inset",
            "border-width",
            "border-style",
            "border-color",
        ];
        for declaration in line.split(['{', '}', ';']) {
            let Some((property, value)) = declaration.split_once(':') else {
                continue;
            };
            let property = property.trim();
            let values: Vec<&str> = value.split_whitespace().collect();
            let uneven_box =
                boxy.contains(&property) && values.len() == 4 && values[1] != values[3];
            let uneven_corners = property == "border-radius" && values.len() > 1;
            if uneven_box || uneven_corners {
                found.push(format!("{}: {}", n + 1, line.trim()));
                break;
            }
        }
    }
    found
}

#[test]
fn physical_css_is_found() {
    let bad = "a { margin-left: 1em }\n.b { float: right; }\np { text-align: left }\n\
               q { margin: 0 1em 0 2em }\nr { border-top-right-radius: 2px }\n\
               s { inset: 0 auto 0 0 }\nt { border-radius: 4px 0 }\nu { padding-right: 0 }";
    assert_eq!(physical_css(bad).len(), 8, "{:?}", physical_css(bad));
    let good = "/* margin-left is not used */\na { margin-inline-start: 1em; float: inline-end }\n\
                b::before { content: \"left: right\" }\nc { margin: 0 1em 0 1em; padding: 1em 2em }\n\
                d { text-align: start; border-start-end-radius: 2px; border-radius: 50% }\n\
                e { inset-inline-start: 0; text-underline-offset: 0.3em }";
    assert_eq!(physical_css(good), Vec::<String>::new());
}

/// The default theme lays out both directions with one stylesheet: it may use only
/// logical properties and values (`margin-inline-start`, `text-align: start`).
#[test]
fn default_theme_css_is_logical() {
    let sheets: Vec<_> = default_static_files()
        .into_iter()
        .filter(|(name, _)| name.ends_with(".css"))
        .collect();
    assert!(!sheets.is_empty());
    for (name, bytes) in sheets {
        let css = std::str::from_utf8(bytes).unwrap();
        let found = physical_css(css);
        assert!(
            found.is_empty(),
            "static/{name} uses physical (left/right) CSS; use logical properties:\n{}",
            found.join("\n")
        );
    }
}

/// The theme loads nothing from another host: every `url(...)` in its CSS is a file
/// of the theme itself, and the fonts' licence travels with them.
#[test]
fn default_theme_assets_are_self_hosted() {
    let files = default_static_files();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let css = files.iter().find(|(n, _)| n == "style.css").unwrap().1;
    let css = std::str::from_utf8(css).unwrap();
    let urls: Vec<&str> = css
        .split("url(")
        .skip(1)
        .map(|rest| rest[..rest.find(')').unwrap()].trim_matches(['"', '\'']))
        .collect();
    assert!(urls.len() >= 2, "{urls:?}");
    for url in urls {
        let path = url.strip_prefix('/').unwrap_or(url);
        assert!(
            names.contains(&path),
            "style.css loads `{url}`, not a theme file"
        );
    }
    assert!(names.contains(&"fonts/OFL.txt"), "{names:?}");
    for (name, bytes) in &files {
        if name.ends_with(".woff2") {
            assert!(bytes.starts_with(b"wOF2"), "{name}");
            assert!(bytes.len() < 150_000, "{name}: {} bytes", bytes.len());
        }
    }
}

#[test]
fn checks_after_parsing_name_the_site_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    let write = |name: &str, text: &str| {
        std::fs::write(dir.path().join("templates").join(name), text).unwrap()
    };
    write("404.html", "<p>\n{% include \"missing.html\" %}\n");
    write(
        "page.html",
        "{% extends \"base.html\" %}\n\n{% block nope %}{% endblock %}\n",
    );
    let e = Templates::load(dir.path()).err().unwrap();
    let msgs: Vec<String> = e.iter().map(ToString::to_string).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(
        msgs[0]
            .contains("templates/404.html:2:12: template error: Unknown template `missing.html`"),
        "{msgs:?}"
    );
    assert!(
        msgs[1].contains("templates/page.html:3:10: template error: Block `nope`"),
        "{msgs:?}"
    );

    write("404.html", "{% include \"404.html\" %}");
    write("page.html", "{% extends \"base.html\" %}");
    let e = Templates::load(dir.path()).err().unwrap();
    let msg = e[0].to_string();
    assert!(
        msg.starts_with(&format!(
            "{}: template error: Circular include",
            dir.path().join("templates/404.html").display()
        )),
        "{msg}"
    );
}

#[test]
fn versions_follow_extends_and_includes() {
    let mut src = BTreeMap::new();
    src.insert(
        "base.html".to_owned(),
        "<html>{% block main %}{% endblock %}</html>".to_owned(),
    );
    src.insert("card.html".to_owned(), "<p>card</p>".to_owned());
    src.insert(
        "list.html".to_owned(),
        "{% extends \"base.html\" %}{% block main %}{% include \"card.html\" %}{% endblock %}"
            .to_owned(),
    );
    src.insert(
        "page.html".to_owned(),
        "{% extends 'base.html' %}".to_owned(),
    );
    let before = versions(&src);
    src.insert("card.html".to_owned(), "<p>changed</p>".to_owned());
    let after = versions(&src);
    assert_ne!(before["list.html"], after["list.html"]);
    assert_eq!(before["page.html"], after["page.html"]);
    assert_ne!(before["card.html"], after["card.html"]);
}

#[test]
fn syntax_errors_name_template_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/404.html"), "<p>\n{% if %}\n").unwrap();
    let e = Templates::load(dir.path()).err().unwrap();
    let msg = e[0].to_string();
    assert!(msg.contains("templates/404.html:2:"), "{msg}");
}

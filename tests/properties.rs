//! Property tests (proptest): hostile input to the pure stages never panics, and the
//! guarantees that keep output safe hold for any input. Bounded case counts keep them
//! fast and reproducible in `cargo test`; `PROPTEST_CASES=100000 cargo test --test
//! properties` searches fresh random input.

use proptest::prelude::*;
use std::path::Path;
use warraq::basics::config::Config;
use warraq::sources::front_matter;
use warraq::sources::markdown::{self, MarkdownOptions};
use warraq::text::slug::{slugify, term_key};

/// Text mixing Arabic, Latin, marks, bidi controls, zero-width characters and syntax.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "---",
        "\n",
        "\r\n",
        ":",
        "\"",
        "'",
        "[",
        "]",
        "{",
        "}",
        "&a",
        "*a",
        "!!",
        "#",
        "- ",
        "\t",
        "<script>",
        "</script>",
        "javascript:",
        "<!-- more -->",
        "](",
        "](javascript:alert(1))",
        "..",
        "/",
        "\\",
        "%2e%2e",
        "CON",
        "\u{202E}",
        "\u{2066}",
        "\u{200B}",
        "\u{FEFF}",
        "\u{0640}",
        "\u{064E}",
        "ى",
        "ي",
        "أ",
        "ة",
        "ﻣﺎ",
        "فى",
        "NATO",
        "2020",
        "٢٠١٩",
        "title: ",
        "date: ",
        "2019-02-05",
        "tags: [",
        "extra:",
        "  ",
        "`",
        "```",
        "|",
        "![x]()",
        "[^1]",
        "\0",
        "\u{7}",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(str::to_owned), any::<String>()],
        0..40,
    )
    .prop_map(|v| v.concat())
}

#[path = "common/runs.rs"]
mod runs;

/// 400 cases in `cargo test` (see [`runs::config_for_run`]).
fn config_for_run() -> ProptestConfig {
    runs::config_for_run(400, 0x7761_7272_6171)
}

fn config() -> Config {
    Config::parse("title = \"t\"\n").expect("a minimal config parses")
}

proptest! {
    #![proptest_config(config_for_run())]

    #[test]
    fn front_matter_never_panics(text in hostile_text()) {
        if let Ok(split) = front_matter::split(&text) {
            // Positions always point inside the file.
            if let Err(e) = front_matter::parse(&split) {
                prop_assert!(e.line >= 1 && e.line <= text.lines().count() + 2, "{e:?}");
            }
        }
    }

    #[test]
    fn front_matter_with_hostile_values_never_panics(title in hostile_text(), body in hostile_text()) {
        let text = format!("---\ntitle: {title}\ndate: 2019-02-05\n---\n{body}");
        let _ = warraq::sources::page::parse(&text, Path::new("articles/a.md"), &config());
    }

    #[test]
    fn slugs_cannot_leave_their_folder(text in hostile_text()) {
        let s = slugify(&text);
        prop_assert!(!s.contains(['/', '\\', '.', '%', '\0']), "{s:?}");
        prop_assert!(s.chars().count() <= warraq::text::slug::MAX_SLUG_CHARS + 1);
        prop_assert!(!s.chars().any(warraq::text::slug::is_invisible_control));
        prop_assert!(!s.starts_with('-') && !s.ends_with('-'));
        // Keys are stable: folding twice changes nothing.
        prop_assert_eq!(term_key(&text), term_key(&term_key(&text)));
        prop_assert_eq!(&s, &slugify(&s));
    }

    #[test]
    fn markdown_without_raw_html_never_emits_markup_from_text(text in hostile_text()) {
        let out = markdown::render(&text, MarkdownOptions::default());
        let lower = out.html.to_lowercase();
        prop_assert!(!lower.contains("<script"), "{}", out.html);
        prop_assert!(!lower.contains("href=\"javascript:"), "{}", out.html);
        prop_assert!(!lower.contains("src=\"javascript:"), "{}", out.html);
        prop_assert!(warraq::text::words::count_words(&out.plain) <= text.len());
    }
}

//! Search: Rust and JavaScript normalize alike.

use serde_json::{json, Value};
use std::fs;
use std::path::Path;
use std::process::Command;
use warraq::search::{normalize_for_search, words};

/// `node`, if installed. Without it the test is skipped, unless `CI` is set.
fn node() -> Option<&'static str> {
    let found = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("node");
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "node is needed for the search tests in CI (.ci/run installs it)"
    );
    eprintln!("skipped: node is not installed");
    None
}

fn js(script: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/js")
        .join(script)
        .to_string_lossy()
        .into_owned()
}

/// Inputs that exercise every rule, and a few that could trip a port.
const TRICKY: &[&str] = &[
    "",
    "   ",
    "فى في العسكرى العسكري الروسى الروسي السياسة السياسه",
    "أمريكا إيران آسيا ٱلله مسؤول رئيس ءامن",
    "السِّيَاسَةُ الخَارِجِيَّةُ هٰذا ذَٰلِكَ ٱلْكِتَٰبُ لَا رَيْبَ ۛ فِيهِ ۛ",
    "مـــادورو ـــ ـ",
    "ﻣﺎﺩﻭﺭﻭ ﻓﻨﺰﻭﻳﻼ ﻻ ﷲ النبي ﷺ قال ﷽",
    "والتحالفات بالعسكرى للتدخل كالعادة فالعسكري وبكاراكاس بكاراكاس كاراكاس",
    "ولد بلد الله اللهم والد بالغ لبنان فلبنان كتاب",
    "NATO Nato COVID-19 G20 don't U.S. café CAFÉ Straße İstanbul ΣΟΦΟΣ ﬁne",
    "٢٠٢٠ ۱۹۴۹ و2020 ٣٫٥ ١٢٪ 2,000",
    "کتاب فارسی یک",
    "ال\u{200B}سياسة \u{200F}كلمة\u{200F} \u{202E}مقلوب\u{202C} عربي\u{AD}ة \u{FEFF}بداية \u{200F} ",
    "«الخيار العسكرى..» هل؟ (نعم)، لا؛ ربما! \"خطايا\" – أسلافه…",
    "Venezuela's فنزويلا 2020–2021 🇺🇸 ترامب 👍",
    "e\u{301} ا\u{653} ي\u{654} و\u{654}",
    "한국어 中文 日本語",
];

#[test]
fn normalization_matches_javascript() {
    let Some(node) = node() else { return };
    let mut inputs: Vec<String> = TRICKY.iter().map(|s| s.to_string()).collect();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site/content");
    for e in walkdir::WalkDir::new(fixture).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            inputs.push(fs::read_to_string(e.path()).unwrap());
        }
    }
    let utf16 = |s: &str, byte: usize| s[..byte].encode_utf16().count();
    let table: Vec<Value> = inputs
        .iter()
        .map(|input| {
            let spans: Vec<Value> = words(input)
                .map(|w| {
                    json!([
                        utf16(input, w.span.start),
                        utf16(input, w.span.end),
                        w.normalized
                    ])
                })
                .collect();
            json!({"input": input, "normalized": normalize_for_search(input), "words": spans})
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("table.json");
    fs::write(&path, serde_json::to_string(&table).unwrap()).unwrap();
    let out = Command::new(node)
        .arg(js("normalize.mjs"))
        .arg(&path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{report}");
}

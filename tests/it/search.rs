//! Search: Rust and JavaScript normalize alike; the real bundle (Pagefind's own
//! JavaScript and WebAssembly, run in Node) finds every spelling variant of the issue;
//! the word index is the one `pagefind::api` writes; builds reuse or skip the bundle.

use crate::copy_site;
use serde_json::{json, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use warraq::search::normalize::{normalize_for_search, words};

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

fn build(root: &Path) {
    build_with(root, &[]);
}

/// `warraq build` with these environment variables set.
fn build_with(root: &Path, env: &[(&str, &Path)]) {
    build_args(root, &[], env);
}

/// `warraq build --root ROOT ARGS`, which must succeed.
fn build_args(root: &Path, args: &[&std::ffi::OsStr], env: &[(&str, &Path)]) {
    let out = Command::new(env!("CARGO_BIN_EXE_warraq"))
        .arg("build")
        .arg("--root")
        .arg(root)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("warraq runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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

/// An article written the hard way: the only Trump in it is `لترامب`, it has tashkeel,
/// tatweel and a word pasted from a PDF in presentation forms.
const HARD: &str = "---
title: رسائل متبادلة بين واشنطن وكاراكاس
date: 2021-03-01
author: سلمى الحداد
topic: أمريكا اللاتينية
---

نقلت الصحف رسالةً جديدةً لترامب من حلفائه في المنطقة، فردّ البيت الأبيض بأن الخيارات كلها مطروحة.

تبقى السِّيَاسَةُ الخَارِجِيَّةُ لواشنطن مرهونة بأسعار ﺍﻟﺒﺘﺮﻭﻝ، وبقدرة المعارضة الفنزويـــلية على الصمود.
";

const SEED: &str = "كيف-يقنع-ترامب-حلفاءه-اللاتينيين-بمواجهة-موسكو-عسكريا-فى-كاراكاس";
const RUSSIA: &str = "روسيا-في-الفناء-الخلفي-لواشنطن";
const NATO: &str = "الناتو-بعد-الجائحة";
const LEGITIMACY: &str = "ما-بعد-الشرعية-والسيادة";
const NUCLEAR: &str = "الاتفاق-النووي-بعد-الانسحاب-الأمريكي";
const ENGLISH: &str = "venezuela-recognition-politics";
const HARD_SLUG: &str = "رسائل-متبادلة";

struct Case {
    /// Which variant class of the issue this covers.
    class: &'static str,
    query: &'static str,
    /// Articles (slugs) that must be found.
    found: &'static [&'static str],
    /// Articles that must not be.
    not: &'static [&'static str],
    /// Text an excerpt of a found article must contain (the author's spelling).
    excerpt: Option<(&'static str, &'static str)>,
}

const CASES: &[Case] = &[
    Case {
        class: "فى → في",
        query: "في",
        found: &[SEED],
        not: &[],
        excerpt: None,
    },
    Case {
        class: "في → فى",
        query: "فى",
        found: &[LEGITIMACY, RUSSIA],
        not: &[],
        excerpt: None,
    },
    Case {
        class: "ى/ي",
        query: "العسكري",
        found: &[SEED, NATO],
        not: &[NUCLEAR],
        excerpt: Some((SEED, "<mark>العسكرى</mark>")),
    },
    Case {
        class: "ى/ي",
        query: "العسكرى",
        found: &[SEED, NATO],
        not: &[NUCLEAR],
        excerpt: Some((NATO, "<mark>العسكري</mark>")),
    },
    Case {
        class: "ى/ي",
        query: "الروسي",
        found: &[SEED, RUSSIA],
        not: &[NUCLEAR],
        excerpt: Some((SEED, "<mark>الروسى</mark>")),
    },
    Case {
        class: "ى/ي",
        query: "الروسى",
        found: &[SEED, RUSSIA],
        not: &[NUCLEAR],
        excerpt: None,
    },
    Case {
        class: "ة/ه",
        query: "الفنزويليه",
        found: &[SEED, RUSSIA, LEGITIMACY, HARD_SLUG],
        not: &[NUCLEAR],
        excerpt: None,
    },
    Case {
        class: "hamza",
        query: "امريكا",
        found: &[SEED],
        not: &[],
        excerpt: Some((SEED, "<mark>الأمريكى</mark>")),
    },
    Case {
        class: "hamza",
        query: "الامريكي",
        found: &[SEED, NUCLEAR],
        not: &[],
        excerpt: None,
    },
    Case {
        class: "tashkeel (query)",
        query: "مَادُورُو",
        found: &[SEED, RUSSIA],
        not: &[NUCLEAR],
        excerpt: None,
    },
    Case {
        class: "tashkeel (text)",
        query: "السياسة الخارجية",
        found: &[HARD_SLUG],
        not: &[NUCLEAR],
        excerpt: Some((HARD_SLUG, "<mark>السِّيَاسَةُ</mark> <mark>الخَارِجِيَّةُ</mark>")),
    },
    Case {
        class: "tatweel (query)",
        query: "مـــادورو",
        found: &[SEED, RUSSIA],
        not: &[NUCLEAR],
        excerpt: None,
    },
    Case {
        class: "tatweel (text)",
        query: "المعارضة الفنزويلية",
        found: &[HARD_SLUG],
        not: &[],
        excerpt: Some((HARD_SLUG, "<mark>الفنزويـــلية</mark>")),
    },
    Case {
        class: "presentation forms (query)",
        query: "ﻣﺎﺩﻭﺭﻭ",
        found: &[SEED, RUSSIA],
        not: &[NUCLEAR],
        excerpt: None,
    },
    Case {
        class: "presentation forms (text)",
        query: "البترول",
        found: &[HARD_SLUG],
        not: &[SEED, RUSSIA],
        excerpt: Some((HARD_SLUG, "<mark>ﺍﻟﺒﺘﺮﻭﻝ</mark>")),
    },
    Case {
        class: "clitic ل",
        query: "مادورو",
        found: &[SEED, RUSSIA],
        not: &[NUCLEAR],
        excerpt: Some((RUSSIA, "<mark>لمادورو</mark>")),
    },
    Case {
        class: "clitic ب",
        query: "بكاراكاس",
        found: &[SEED, RUSSIA, HARD_SLUG],
        not: &[NUCLEAR, NATO],
        excerpt: Some((RUSSIA, "<mark>كاراكاس</mark>")),
    },
    Case {
        class: "clitic ل",
        query: "ترامب",
        found: &[SEED, NUCLEAR, HARD_SLUG],
        not: &[RUSSIA],
        excerpt: Some((HARD_SLUG, "<mark>لترامب</mark>")),
    },
    Case {
        class: "article + plural (stemmer)",
        query: "التحالفات",
        found: &[SEED, NATO],
        not: &[NUCLEAR],
        excerpt: None,
    },
    Case {
        class: "Latin",
        query: "NATO",
        found: &[NATO],
        not: &[SEED, RUSSIA, NUCLEAR, LEGITIMACY, HARD_SLUG],
        excerpt: Some((NATO, "<mark>NATO</mark>")),
    },
    Case {
        class: "Latin",
        query: "nato",
        found: &[NATO],
        not: &[SEED],
        excerpt: None,
    },
    Case {
        class: "number",
        query: "2020",
        found: &[NATO, SEED],
        not: &[RUSSIA, NUCLEAR],
        excerpt: Some((NATO, "<mark>2020</mark>")),
    },
    Case {
        class: "Arabic-Indic digits",
        query: "٢٠٢٠",
        found: &[NATO, SEED],
        not: &[RUSSIA],
        excerpt: None,
    },
    Case {
        class: "English page",
        query: "recognition",
        found: &[ENGLISH],
        not: &[NATO],
        excerpt: None,
    },
    Case {
        class: "drafts are not indexed",
        query: "جلستهم",
        found: &[],
        not: &["المعارضة-الفنزويلية"],
        excerpt: None,
    },
];

/// Runs `script` (tests/js) with Node over the site built at `root` and `queries`;
/// returns the JSON report it prints.
fn search_in(node: &str, script: &str, root: &Path, queries: &[&str]) -> Vec<Value> {
    let file = root.join("queries.json");
    fs::write(&file, serde_json::to_string(queries).unwrap()).unwrap();
    let out = Command::new(node)
        .arg(js(script))
        .arg(root.join("public"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn recall_over_the_fixture_site() {
    let Some(node) = node() else { return };
    let site = copy_site("site");
    let hard = site.path().join("content/articles/2021/رسائل-متبادلة.md");
    fs::create_dir_all(hard.parent().unwrap()).unwrap();
    fs::write(&hard, HARD).unwrap();
    build(site.path());
    let queries: Vec<&str> = CASES.iter().map(|c| c.query).collect();
    let report = search_in(node, "recall.mjs", site.path(), &queries);
    let slug = |url: &str| {
        url.trim_matches('/')
            .trim_start_matches("articles/")
            .to_owned()
    };
    let mut failures = Vec::new();
    let mut table = String::from("class | query | normalized | found\n");
    for (case, r) in CASES.iter().zip(&report) {
        let all: Vec<String> = r["all"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| slug(u.as_str().unwrap()))
            .collect();
        let has = |s: &str| all.iter().any(|a| a.starts_with(s));
        let mut problems = Vec::new();
        for s in case.found.iter().filter(|s| !has(s)) {
            problems.push(format!("missing {s}"));
        }
        for s in case.not.iter().filter(|s| has(s)) {
            problems.push(format!("unexpected {s}"));
        }
        if let Some((s, text)) = case.excerpt {
            let excerpt = r["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| slug(x["url"].as_str().unwrap()).starts_with(s))
                .map(|x| x["excerpt"].as_str().unwrap().to_owned())
                .unwrap_or_default();
            if !excerpt.contains(text) {
                problems.push(format!("excerpt of {s} lacks {text}: {excerpt}"));
            }
        }
        table.push_str(&format!(
            "{} | {} | {} | {} {}\n",
            case.class,
            case.query,
            r["normalized"].as_str().unwrap(),
            all.len(),
            if problems.is_empty() { "ok" } else { "FAIL" }
        ));
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.query, problems.join("; ")));
        }
    }
    eprintln!("{table}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An article whose tokens and words part ways: dashes and quotes standing alone,
/// hyphenated and slashed pairs, numbers in brackets.
const PUNCTUATED: &str = "---
title: \"ترامب — وبوتين: «قمة» بلا نتائج؟\"
subtitle: قراءة في الرسائل - المتبادلة
date: 2021-04-01
---

قال مسؤول — لم يُذكر اسمه — إن لقاء ترامب-بوتين في «هلسنكي» لم يغير شيئا ، وإن NATO / الناتو
تراقب (G7) و( 2020 ) بحذر … ثم عاد ترامب إلى واشنطن/كاراكاس ليقول : « لا اتفاق » .

وفي الفقرة الثانية - بعد فاصل - تعود واشنطن إلى الحديث عن NATO و2020 وكاراكاس .
";

/// A zero width space inside a word: Pagefind's client splits a content holding one at
/// those, not at whitespace.
const ZERO_WIDTH: &str = "---
title: فاصل خفي
date: 2021-04-02
---

تعود واش\u{200b}نطن — مرة أخرى — إلى الحديث عن NATO ، و« هلسنكي » .
";

/// Pagefind's own client marks the right words in its excerpts: the index's positions
/// are the tokens Pagefind splits the fragment's content into. (Counted by word runs,
/// every dash or quote standing alone put the highlight one word later: `NATO` marked
/// another word.)
#[test]
fn pagefinds_own_excerpts_mark_the_words_found() {
    let Some(node) = node() else { return };
    let site = copy_site("site");
    for (name, text) in [
        ("رسائل-متبادلة", HARD),
        ("قمة", PUNCTUATED),
        ("فاصل-خفي", ZERO_WIDTH),
    ] {
        let path = site.path().join(format!("content/articles/2021/{name}.md"));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
    }
    build(site.path());
    let queries = [
        "NATO",
        "2020",
        "ترامب",
        "واشنطن",
        "كاراكاس",
        "الناتو",
        "هلسنكي",
        "مادورو",
        "روسيا",
        "G7",
        "المتبادلة",
        "اتفاق",
        "السعودية",
        "الرسائل",
    ];
    let report = search_in(node, "highlight.mjs", site.path(), &queries);
    let (mut checked, mut wrong) = (0, Vec::new());
    for r in &report {
        let query = r["normalized"].as_str().unwrap();
        // A marked token holds a word that folds to the query, or shares its stem's
        // beginning (Pagefind matches stems: `الرسائل` finds `رسالة`'s forms too).
        let prefix: String = query.chars().take(3).collect();
        for result in r["results"].as_array().unwrap() {
            let marks = result["marked"].as_array().unwrap();
            if marks.is_empty() {
                wrong.push(format!("{query}: nothing marked in {}", result["url"]));
            }
            for marked in marks {
                let marked = marked.as_str().unwrap();
                checked += 1;
                let folded = normalize_for_search(marked);
                let hit = folded.split(' ').any(|w| {
                    w == query
                        || w.starts_with(&prefix)
                        || (query.starts_with(w) && w.chars().count() >= 3)
                });
                if !hit {
                    wrong.push(format!("{query}: marked `{marked}` in {}", result["url"]));
                }
            }
        }
    }
    assert!(
        checked >= 20,
        "too few marks to judge: {checked}\n{report:#?}"
    );
    assert!(
        wrong.is_empty(),
        "{} of {checked} marks wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Words that fold to themselves and a stemmer leaves alone enough to make many
/// distinct stems: a deterministic pseudo-vocabulary.
fn pseudo_words(n: usize) -> Vec<String> {
    let letters: Vec<char> = "تثجحخدذرسشصضطظعغقمنه".chars().collect();
    let mut state = 0x2545_f491_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < n {
        let len = 4 + (next() % 3) as usize;
        let w: String = (0..len)
            .map(|_| letters[(next() % letters.len() as u64) as usize])
            .collect();
        seen.insert(w);
    }
    seen.into_iter().collect()
}

#[test]
fn word_index_is_what_pagefind_writes() {
    use warraq::search::bundle::{self, Engine, Entry};
    use warraq::search::index::{Document, Vocabulary};
    // 60 articles of 400 distinct words from a shared vocabulary: several index chunks.
    let vocab = pseudo_words(3000);
    let texts: Vec<(String, String, String)> = (0..60)
        .map(|i| {
            let pick = |k: usize| vocab[(i * 7919 + k * 104_729) % vocab.len()].clone();
            let title = format!("{} {}", pick(1), pick(2));
            let subtitle = format!("{} {}", pick(3), pick(4));
            let body: Vec<String> = (5..405).map(pick).collect();
            (title, subtitle, body.join(" "))
        })
        .collect();
    // Ours.
    let vocabulary = Vocabulary::new();
    let docs: Vec<Document> = texts
        .iter()
        .enumerate()
        .map(|(i, (t, s, b))| Document::new(&format!("/a/{i}/"), t, Some(s), b, &vocabulary))
        .collect();
    let entries: Vec<Entry<'_>> = docs
        .iter()
        .map(|d| Entry::new(Cow::Borrowed(d), 0, BTreeMap::new(), BTreeMap::new()))
        .collect();
    let files = std::sync::Mutex::new(BTreeMap::new());
    let engine = Engine {
        files: Vec::new(),
        wasm: Some("ar".into()),
    };
    bundle::write("ar", entries, &vocabulary, &engine, |path, bytes| {
        files
            .lock()
            .unwrap()
            .insert(path.to_owned(), bytes.to_vec());
        Ok(())
    })
    .unwrap();
    let ours = chunks(files.into_inner().unwrap().into_iter());
    // Pagefind's, from the same normalized words and weights.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let theirs = runtime.block_on(async {
        let config = pagefind::options::PagefindServiceConfig::builder()
            .force_language("ar".into())
            .build();
        let mut index = pagefind::api::PagefindIndex::new(Some(config)).unwrap();
        for (i, (t, s, b)) in texts.iter().enumerate() {
            let digest = format!(
                "___PAGEFIND_WEIGHT___7 {} ___END_PAGEFIND_WEIGHT___ ___PAGEFIND_WEIGHT___4 {} ___END_PAGEFIND_WEIGHT___ {}",
                normalize_for_search(t),
                normalize_for_search(s),
                normalize_for_search(b)
            );
            index
                .add_custom_record(format!("/a/{i}/"), digest, "ar".into(), None, None, None)
                .await
                .unwrap();
        }
        index.get_files().await.unwrap()
    });
    let entry = theirs
        .iter()
        .find(|f| f.filename == Path::new("pagefind-entry.json"))
        .unwrap();
    let entry: Value = serde_json::from_slice(&entry.contents).unwrap();
    assert_eq!(entry["version"], bundle::PAGEFIND_VERSION);
    let theirs = chunks(theirs.into_iter().map(|f| {
        let name = format!("pagefind/{}", f.filename.to_string_lossy());
        (name, f.contents)
    }));
    assert!(ours.len() > 2, "the test should span several chunks");
    // warraq cuts smaller chunks and gives body text the weight Pagefind's decoder
    // starts from (no marker): the same words, pages, positions and weights.
    let (ours, theirs) = (postings_of(&ours), postings_of(&theirs));
    assert!(ours.len() > 1000, "{}", ours.len());
    assert!(ours == theirs, "the word index differs from Pagefind's");
}

/// Word → its pages, each with its `(weight, position)`s, decoded from index chunks as
/// Pagefind's search decodes them (weights start at 25; Pagefind's body weight 24 is
/// read as 25, the two being the same weight 1 to within 4%).
type Postings = BTreeMap<String, Vec<(u64, Vec<(i32, i32)>)>>;

fn postings_of(chunks: &[Vec<u8>]) -> Postings {
    let mut out = BTreeMap::new();
    for raw in chunks {
        let raw = raw.strip_prefix(b"pagefind_dcd").unwrap();
        let mut d = minicbor::Decoder::new(raw);
        assert_eq!(d.array().unwrap(), Some(1));
        for _ in 0..d.array().unwrap().unwrap() {
            assert_eq!(d.array().unwrap(), Some(3));
            let word = d.str().unwrap().to_owned();
            let mut pages = Vec::new();
            let mut page = 0;
            for _ in 0..d.array().unwrap().unwrap() {
                assert_eq!(d.array().unwrap(), Some(3));
                page += d.u64().unwrap();
                let (mut weight, mut position, mut locs) = (25, 0, Vec::new());
                let mut left = d.array().unwrap().unwrap();
                while left > 0 {
                    let n = d.i32().unwrap();
                    left -= 1;
                    if n < 0 {
                        weight = -n - 1;
                        position = d.i32().unwrap();
                        left -= 1;
                    } else {
                        position += n;
                    }
                    locs.push((if weight == 24 { 25 } else { weight }, position));
                }
                d.skip().unwrap();
                pages.push((page, locs));
            }
            d.skip().unwrap();
            assert!(out.insert(word, pages).is_none(), "a word in two chunks");
        }
    }
    out
}

/// The decompressed word index chunks among bundle files, sorted.
fn chunks(files: impl Iterator<Item = (String, Vec<u8>)>) -> Vec<Vec<u8>> {
    use std::io::Read;
    let mut out: Vec<Vec<u8>> = files
        .filter(|(name, _)| name.starts_with("pagefind/index/"))
        .map(|(_, gz)| {
            let mut raw = Vec::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_end(&mut raw)
                .unwrap();
            raw
        })
        .collect();
    out.sort();
    out
}

fn pagefind_files(public: &Path) -> BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(public.join("pagefind"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e
                .path()
                .strip_prefix(public)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, e.metadata().unwrap().ino())
        })
        .collect()
}

#[test]
fn search_false_builds_no_index_and_no_box() {
    let site = copy_site("site");
    let toml = site.path().join("site.toml");
    let text = fs::read_to_string(&toml).unwrap() + "search = false\n";
    fs::write(&toml, text).unwrap();
    build(site.path());
    let public = site.path().join("public");
    assert!(!public.join("pagefind").exists());
    assert!(!public.join("search/index.html").exists());
    let home = fs::read_to_string(public.join("index.html")).unwrap();
    assert!(!home.contains("role=\"search\""));
}

#[test]
fn the_site_is_the_same_when_its_text_cannot_wait_in_a_temporary_file() {
    // A build keeps the search text and each body's HTML in a temporary file from parsing
    // to writing; with no usable temporary folder it keeps them in memory, and writes the
    // same site.
    let site = copy_site("site");
    build(site.path());
    let spilled = crate::read_tree(&site.path().join("public"));
    assert!(spilled.keys().any(|f| f.ends_with(".pf_fragment")));
    let other = copy_site("site");
    build_with(
        other.path(),
        &[("TMPDIR", &other.path().join("no-such-folder"))],
    );
    assert_eq!(crate::read_tree(&other.path().join("public")), spilled);
}

#[test]
fn the_index_is_rebuilt_only_when_an_article_changes() {
    let site = copy_site("site");
    build(site.path());
    let public = site.path().join("public");
    let first = pagefind_files(&public);
    assert!(first.keys().any(|f| f.ends_with(".pf_meta")), "{first:?}");
    assert!(public.join("search/index.html").is_file());
    // A template change re-renders pages but leaves every article as it was: the
    // bundle's files are the same files (hard-linked, not rewritten).
    fs::create_dir_all(site.path().join("templates")).unwrap();
    fs::write(
        site.path().join("templates/404.html"),
        "{% extends \"base.html\" %}",
    )
    .unwrap();
    build(site.path());
    assert_eq!(pagefind_files(&public), first);
    // An edited article changes its fragment and the index.
    let nato = site
        .path()
        .join("content/articles/2020/الناتو-بعد-الجائحة.md");
    let text = fs::read_to_string(&nato).unwrap() + "\nفقرة عن الردع النووي.\n";
    fs::write(&nato, text).unwrap();
    build(site.path());
    let after = pagefind_files(&public);
    let meta = |m: &BTreeMap<String, u64>| m.keys().find(|f| f.ends_with(".pf_meta")).cloned();
    assert_ne!(meta(&after), meta(&first));
}

#[test]
fn serve_defers_the_index_until_asked() {
    use warraq::serve::session::Session;
    use warraq::serve::watch::Change;
    let site = copy_site("site");
    let mut s = Session::new(site.path(), warraq::BuildOptions::default()).unwrap();
    s.rebuild().unwrap();
    let public = s.output().to_path_buf();
    let before = pagefind_files(&public);
    assert!(!before.is_empty());
    assert!(!s.search_is_stale());
    let nato = site
        .path()
        .join("content/articles/2020/الناتو-بعد-الجائحة.md");
    let text = fs::read_to_string(&nato).unwrap() + "\nفقرة عن الردع.\n";
    fs::write(&nato, text).unwrap();
    let u = s.apply(&[Change::Content(nato)]).unwrap();
    assert!(
        u.changed.iter().all(|f| !f.starts_with("pagefind/")),
        "{u:?}"
    );
    assert!(s.search_is_stale());
    assert_eq!(pagefind_files(&public), before);
    let u = s.refresh_search().unwrap();
    assert!(!s.search_is_stale());
    assert!(u.changed.iter().any(|f| f.ends_with(".pf_meta")), "{u:?}");
    let after = pagefind_files(&public);
    assert_ne!(after, before);
    // The old index's files are gone, not left beside the new ones.
    assert_eq!(after.keys().filter(|f| f.ends_with(".pf_meta")).count(), 1);
}

/// Serves `root` over HTTP on 127.0.0.1 (module scripts do not load from `file:`), the
/// way a plain static host does: files as they are, a type by extension.
fn serve(root: &Path) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut line = String::new();
                let mut reader = BufReader::new(&stream);
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                let target = line.split(' ').nth(1).unwrap_or("/");
                let path = percent_decode(target.split('?').next().unwrap_or("/"));
                let mut file = root.join(path.trim_start_matches('/'));
                if file.is_dir() {
                    file = file.join("index.html");
                }
                let (status, body) = match fs::read(&file) {
                    Ok(b) => ("200 OK", b),
                    Err(_) => ("404 Not Found", Vec::new()),
                };
                let kind = match file.extension().and_then(|e| e.to_str()) {
                    Some("html") => "text/html; charset=utf-8",
                    Some("js") => "text/javascript",
                    Some("css") => "text/css",
                    Some("json") => "application/json",
                    _ => "application/octet-stream",
                };
                let mut stream = &stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            });
        }
    });
    port
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The search page's DOM after its script ran.
fn search_page(browser: &Path, port: u16, query: &str) -> String {
    search_page_at(browser, port, "", query)
}

/// [`search_page`] for a site served under `base` (`/archive`).
fn search_page_at(browser: &Path, port: u16, base: &str, query: &str) -> String {
    let url = format!("http://127.0.0.1:{port}{base}/search/?{query}");
    // On a loaded machine the page may not have finished within the virtual-time
    // budget: try again (a page that settled shows results or says there are none).
    let mut dom = String::new();
    for _ in 0..3 {
        let profile = tempfile::tempdir().unwrap();
        let out = Command::new(browser)
            .args(crate::HEADLESS)
            .args(["--virtual-time-budget=30000", "--dump-dom"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(&url)
            .output()
            .unwrap();
        dom = String::from_utf8_lossy(&out.stdout).into_owned();
        if dom.contains("class=\"search-result\"") || dom.contains("لا توجد نتائج") {
            break;
        }
    }
    dom
}

#[test]
fn the_search_page_shows_results_in_the_authors_spelling() {
    let Some(browser) = crate::chromium() else {
        return;
    };
    let browser = browser.as_path();
    let site = copy_site("site");
    build(site.path());
    let port = serve(&site.path().join("public"));
    // A query in one spelling; results and excerpts in the author's.
    let dom = search_page(
        browser,
        port,
        "q=%D8%A7%D9%84%D8%B9%D8%B3%D9%83%D8%B1%D9%8A",
    );
    assert!(dom.contains("<html lang=\"ar\" dir=\"rtl\""), "{dom}");
    assert_eq!(dom.matches("class=\"search-result\"").count(), 2, "{dom}");
    assert!(dom.contains("<mark>العسكرى</mark>"), "{dom}");
    assert!(dom.contains("<mark>العسكري</mark>"), "{dom}");
    assert!(dom.contains("عدد النتائج: 2"), "{dom}");
    // The year filter narrows them (العسكري, 2020: only the NATO article).
    let dom = search_page(
        browser,
        port,
        "q=%D8%A7%D9%84%D8%B9%D8%B3%D9%83%D8%B1%D9%8A&year=2020",
    );
    assert_eq!(dom.matches("class=\"search-result\"").count(), 1, "{dom}");
    assert!(dom.contains("الناتو بعد الجائحة"), "{dom}");
    // No match says so.
    let dom = search_page(browser, port, "q=xyzzy");
    assert!(dom.contains("لا توجد نتائج"), "{dom}");
}

/// A site served under a path (`base_url = ".../archive/"`): the search page loads its
/// script, Pagefind and the index from under it, and its results lead under it.
#[test]
fn search_works_under_a_base_path() {
    let Some(browser) = crate::chromium() else {
        return;
    };
    let site = copy_site("site");
    let srv = tempfile::tempdir().unwrap();
    let output = srv.path().join("archive");
    build_args(
        site.path(),
        &[
            "--output".as_ref(),
            output.as_os_str(),
            "--base-url".as_ref(),
            "https://example.org/archive/".as_ref(),
        ],
        &[],
    );
    let port = serve(srv.path());
    let dom = search_page_at(
        &browser,
        port,
        "/archive",
        "q=%D8%A7%D9%84%D8%B9%D8%B3%D9%83%D8%B1%D9%8A",
    );
    assert_eq!(dom.matches("class=\"search-result\"").count(), 2, "{dom}");
    assert!(dom.contains("href=\"/archive/articles/"), "{dom}");
    assert!(!dom.contains("href=\"/articles/"), "{dom}");
}

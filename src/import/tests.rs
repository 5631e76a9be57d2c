//! Tests of `import.rs` on strings: the seed article and invented variants of it.

use super::output::block_markdown;
use super::recognize::{is_space, MIN_HEADLINE_RUN};
use super::*;
use crate::sources::front_matter;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::path::Path;

const SEED: &str =
    include_str!("../../tests/fixtures/import/youm7-analysis-bishoy-ramzy-venezuela.txt");
const HAND: &str = include_str!(
    "../../tests/fixtures/site/content/articles/2019/كيف-يقنع-ترامب-حلفاءه-اللاتينيين-بمواجهة-موسكو-عسكريا-فى-كاراكاس.md"
);

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

fn dated() -> ImportOptions {
    ImportOptions {
        date: Some(day("2019-02-05")),
        ..Default::default()
    }
}

/// The blocks a Markdown body shows: what an article "is", whatever its bytes.
fn structure(body: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut text = String::new();
    let mut image = false;
    for e in Parser::new(body) {
        match e {
            Event::Start(Tag::Paragraph | Tag::Heading { .. }) => {
                text.clear();
                image = false;
            }
            Event::Start(Tag::Image { .. }) => image = true,
            Event::Text(t) => text.push_str(&t),
            Event::SoftBreak => text.push(' '),
            Event::End(TagEnd::Heading(_)) => blocks.push(Block::Heading(text.clone())),
            Event::End(TagEnd::Paragraph) if image => blocks.push(Block::Caption(text.clone())),
            Event::End(TagEnd::Paragraph) => blocks.push(Block::Paragraph(text.clone())),
            _ => {}
        }
    }
    blocks
}

/// Front matter and body structure of an article file.
fn article(text: &str) -> (front_matter::FrontMatter, Vec<Block>) {
    let split = front_matter::split(text).unwrap();
    let fm = front_matter::parse(&split).unwrap();
    (fm, structure(split.body))
}

fn seed_variant(edit: impl Fn(&str) -> String) -> Imported {
    convert(&edit(SEED), &dated()).unwrap()
}

#[test]
fn the_seed_matches_the_hand_converted_article() {
    let imported = convert(SEED, &dated()).unwrap();
    let (fm, body) = article(&imported.markdown(day("2019-02-05")));
    let (hand, hand_body) = article(HAND);
    assert_eq!(fm.title, hand.title);
    assert_eq!(fm.subtitle, hand.subtitle);
    assert_eq!(fm.author, hand.author);
    assert_eq!(fm.date, hand.date);
    assert_eq!(body, hand_body);
    assert_eq!(imported.counts(), (9, 3, 3));
    assert_eq!(
        imported.source.as_ref().map(|s| s.value.as_str()),
        Some("اليوم السابع")
    );
    assert_eq!(imported.blank_lines, vec![25, 36]);
    let boilerplate = &imported.dropped[0];
    assert_eq!((boilerplate.first, boilerplate.last), (42, 97));
    assert!(imported.notes.is_empty(), "{:?}", imported.notes);
}

#[test]
fn paragraphs_are_copied_byte_for_byte() {
    let imported = convert(SEED, &dated()).unwrap();
    let md = imported.markdown(day("2019-02-05"));
    for line in SEED.lines().skip(4).take(37) {
        let line = line.trim_matches(is_space);
        if !line.is_empty() {
            assert!(md.contains(line), "missing: {line}");
        }
    }
}

#[test]
fn no_date_is_never_invented() {
    let imported = convert(SEED, &ImportOptions::default()).unwrap();
    assert!(imported.date.is_none());
    let dir = tempfile::tempdir().unwrap();
    let e = write(&imported, dir.path(), false).unwrap_err().to_string();
    assert!(e.contains("--date"), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert!(describe(&imported).contains("date:      not in the text"));
}

#[test]
fn an_existing_file_is_kept_unless_forced() {
    let imported = convert(SEED, &dated()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&imported, dir.path(), false).unwrap();
    assert!(
        path.ends_with("2019/كيف-يقنع-ترامب-حلفاءه-اللاتينيين-بمواجهة-موسكو-عسكريا-فى-كاراكاس.md")
    );
    std::fs::write(&path, "edited").unwrap();
    let e = write(&imported, dir.path(), false).unwrap_err().to_string();
    assert!(e.contains("--force"), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited");
    write(&imported, dir.path(), true).unwrap();
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("---\n"));
}

#[test]
fn crlf_and_bom_read_the_same() {
    let plain = convert(SEED, &dated()).unwrap();
    let crlf = seed_variant(|s| format!("\u{FEFF}{}", s.replace('\n', "\r\n")));
    assert_eq!(crlf.blocks, plain.blocks);
    assert_eq!(crlf.title, plain.title);
    assert_eq!(crlf.author, plain.author);
    let cr = seed_variant(|s| s.replace('\n', "\r"));
    assert_eq!(cr.blocks, plain.blocks);
}

#[test]
fn other_byline_forms() {
    for (line, name) in [
        ("كتب بيشوى رمزى", "بيشوى رمزى"),
        ("كتبت: سارة عبد الحميد", "سارة عبد الحميد"),
        ("بقلم / د. محمد السعيد", "د. محمد السعيد"),
        ("تحليل تكتبه – نهى علي", "نهى علي"),
        ("كتب محمد أحمد - القاهرة", "محمد أحمد"),
        ("كتب - بيشوى رمزى، وكالات", "بيشوى رمزى"),
    ] {
        assert_eq!(byline(line), Some(name), "{line}");
        let imported = seed_variant(|s| s.replace("تحليل يكتبه - بيشوى رمزى", line));
        assert_eq!(imported.author.as_ref().unwrap().value, name);
        assert_eq!(imported.counts(), (9, 3, 3), "{line}");
    }
    for not_a_byline in [
        "كتبنا كثيرا عن هذا",
        "كتب الرئيس رسالة طويلة إلى الكونجرس يطالبه فيها بتمويل الجدار العازل على الحدود.",
        "بقلم",
    ] {
        assert_eq!(byline(not_a_byline), None, "{not_a_byline}");
    }
}

#[test]
fn a_byline_under_a_first_caption() {
    let imported = seed_variant(|s| {
        s.replacen(
            "تحليل يكتبه - بيشوى رمزى\n",
            "صورة أرشيفية لمادورو\nصورة أرشيفية لمادورو\n\nكتب بيشوى رمزى\n",
            1,
        )
    });
    assert_eq!(imported.author.as_ref().unwrap().value, "بيشوى رمزى");
    assert_eq!(imported.counts(), (9, 3, 4));
    assert_eq!(
        imported.blocks[0],
        Block::Caption("صورة أرشيفية لمادورو".into())
    );
}

#[test]
fn no_byline_leaves_the_author_to_the_curator() {
    let imported = seed_variant(|s| s.replace("تحليل يكتبه - بيشوى رمزى\n", ""));
    assert!(imported.author.is_none());
    assert_eq!(imported.counts(), (9, 3, 3));
    let forced = convert(
        SEED,
        &ImportOptions {
            author: Some("بيشوي رمزي".into()),
            ..dated()
        },
    )
    .unwrap();
    assert_eq!(forced.author.unwrap().origin, Origin::Option);
}

#[test]
fn missing_captions() {
    let imported = seed_variant(|s| {
        s.lines()
            .enumerate()
            .filter(|(i, _)| ![12, 13, 21, 22, 32, 33].contains(i))
            .map(|(_, l)| format!("{l}\n"))
            .collect()
    });
    assert_eq!(imported.counts(), (9, 3, 0));
}

#[test]
fn no_boilerplate() {
    let cut = SEED.find("Google News").unwrap();
    let imported = seed_variant(|s| s[..cut].to_owned());
    assert!(imported.dropped.is_empty());
    assert_eq!(imported.counts(), (9, 3, 3));
    assert!(imported.source.is_none());
}

#[test]
fn a_trailing_run_of_headlines_without_a_marker_is_dropped() {
    let start = SEED.find("تعرف على عقوبة السرقة").unwrap();
    let end = SEED.find("لا يفوتك").unwrap();
    let cut = SEED.find("Google News").unwrap();
    let imported = seed_variant(|s| format!("{}{}", &s[..cut], &s[start..end]));
    assert_eq!(imported.counts(), (9, 3, 3));
    assert_eq!(imported.dropped.len(), 1);
    assert!(imported.dropped[0].lines > MIN_HEADLINE_RUN);
}

#[test]
fn a_dateline_gives_the_date() {
    let imported = seed_variant(|s| {
        s.replace(
            "تحليل يكتبه - بيشوى رمزى\n",
            "تحليل يكتبه - بيشوى رمزى\n\nالثلاثاء، 05 فبراير 2019 03:00 م\n",
        )
    });
    let date = convert(
        &SEED.replace(
            "تحليل يكتبه - بيشوى رمزى\n",
            "تحليل يكتبه - بيشوى رمزى\nالثلاثاء، ٥ فبراير ٢٠١٩\n",
        ),
        &ImportOptions::default(),
    )
    .unwrap()
    .date
    .unwrap();
    assert_eq!(date.value, day("2019-02-05"));
    assert!(matches!(date.origin, Origin::Line(4, _)));
    assert_eq!(imported.counts(), (9, 3, 3));
    assert_eq!(dateline("2019-02-05"), Some(day("2019-02-05")));
    assert_eq!(dateline("05/02/2019"), Some(day("2019-02-05")));
    assert_eq!(dateline("5 كانون الثاني 2020"), Some(day("2020-01-05")));
    assert_eq!(dateline("31 فبراير 2019"), None);
    assert_eq!(dateline("فى 14 يناير الماضى"), None);
}

#[test]
fn headline_split() {
    assert_eq!(
        split_headline("عنوان؟.. فرعى.. ثالث"),
        ("عنوان؟", Some("فرعى.. ثالث"))
    );
    assert_eq!(
        split_headline("ترامب... والخيار"),
        ("ترامب... والخيار", None)
    );
    assert_eq!(split_headline("بلا فاصل"), ("بلا فاصل", None));
    assert_eq!(split_headline("..بداية"), ("..بداية", None));
}

#[test]
fn markdown_syntax_in_text_is_escaped_not_changed() {
    for text in [
        "2019. عام الانتخابات فى فنزويلا كان حاسما.",
        "قال إن *الحل* فى [واشنطن] <b>الآن</b>.",
        "# ليس عنوانا بل نص.",
        "- ليس قائمة.",
    ] {
        let md = block_markdown(&Block::Paragraph(text.to_owned()), None);
        assert_eq!(
            structure(&md),
            vec![Block::Paragraph(text.to_owned())],
            "{md}"
        );
    }
    let plain = "نص عادى بلا رموز.";
    assert_eq!(block_markdown(&Block::Paragraph(plain.into()), None), plain);
    let caption = "صورة [أرشيفية]";
    let md = block_markdown(&Block::Caption(caption.into()), None);
    assert_eq!(structure(&md), vec![Block::Caption(caption.into())], "{md}");
}

#[test]
fn the_article_builds() {
    let imported = convert(SEED, &dated()).unwrap();
    let md = imported.markdown(day("2019-02-05"));
    let config = crate::basics::config::Config::parse("title = \"t\"\n").unwrap();
    let (page, html) =
        crate::sources::page::parse_with_html(&md, Path::new("articles/2019/x.md"), &config)
            .unwrap();
    assert_eq!(page.body.toc.len(), 3);
    assert_eq!(html.matches("<figcaption>").count(), 3);
    assert_eq!(page.source.unwrap().name, "اليوم السابع");
}

#[test]
fn empty_or_headline_only_text_is_an_error() {
    assert!(convert("", &dated()).is_err());
    assert!(convert(" \u{a0}\n\n", &dated()).is_err());
    assert!(convert("عنوان وحده\n", &dated())
        .unwrap_err()
        .contains("no paragraphs"));
}

fn photo_folder(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..n {
        let img = image::RgbImage::from_pixel(8, 6, image::Rgb([i as u8 * 40, 90, 10]));
        img.save(dir.path().join(format!("{i:02}.jpg"))).unwrap();
    }
    // Not photos: left out.
    std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
    std::fs::write(dir.path().join(".hidden.jpg"), "x").unwrap();
    dir
}

#[test]
fn photos_given_go_beside_the_article_in_the_order_of_its_captions() {
    let photos = photo_folder(3);
    let files = photos_in(photos.path()).unwrap();
    assert_eq!(files.len(), 3);
    let mut imported = convert(SEED, &dated()).unwrap();
    imported.attach_photos(&files);
    assert!(imported.notes.is_empty(), "{:?}", imported.notes);
    let out = tempfile::tempdir().unwrap();
    let path = write(&imported, out.path(), false).unwrap();
    assert!(path.ends_with(
        "2019/كيف-يقنع-ترامب-حلفاءه-اللاتينيين-بمواجهة-موسكو-عسكريا-فى-كاراكاس/index.md"
    ));
    let md = std::fs::read_to_string(&path).unwrap();
    let dir = path.parent().unwrap();
    for (i, file) in files.iter().enumerate() {
        let name = format!("photo-{}.jpg", i + 1);
        assert_eq!(
            std::fs::read(dir.join(&name)).unwrap(),
            std::fs::read(file).unwrap()
        );
        assert!(md.contains(&format!("]({name})")), "{md}");
    }
    assert!(md.contains("![ترامب انتقد انغماس أسلافه فى المعارك بمختلف مناطق العالم](photo-1.jpg)"));
    assert!(describe(&imported).contains("photo:     photo-3.jpg ←"));
}

#[test]
fn captions_and_photos_that_do_not_pair_up_are_reported() {
    let mut fewer = convert(SEED, &dated()).unwrap();
    fewer.attach_photos(&photos_in(photo_folder(2).path()).unwrap());
    assert_eq!(
        fewer.notes,
        ["1 of 3 captions have no photo: they stay captions only (`![caption]()`)"]
    );
    let md = fewer.markdown(day("2019-02-05"));
    assert!(
        md.contains("بالعالم](photo-2.jpg)") && md.contains("واشنطن]()"),
        "{md}"
    );
    let mut more = convert(SEED, &dated()).unwrap();
    more.attach_photos(&photos_in(photo_folder(4).path()).unwrap());
    assert!(
        more.notes[0].starts_with("1 photo more than captions, not taken: `"),
        "{:?}",
        more.notes
    );
    let none = convert(SEED, &dated()).unwrap();
    assert!(describe(&none).contains("pass --images DIR"));
    // A file named like a photo that is not one stops the import.
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("a.jpg"), "not a photo").unwrap();
    assert!(photos_in(bad.path())
        .unwrap_err()
        .to_string()
        .contains("is not a photo"));
}

use super::*;
use std::path::Path;

#[test]
fn photos_are_found_beside_their_article_or_under_static() {
    let rel = Path::new("articles/2019/slug/index.md");
    let at = |d: &str| locate(d, rel);
    assert_eq!(
        at("photo-1.jpg").unwrap().unwrap(),
        Path::new("content/articles/2019/slug/photo-1.jpg")
    );
    assert_eq!(
        at("../shared/a%20b.PNG").unwrap().unwrap(),
        Path::new("content/articles/2019/shared/a b.PNG")
    );
    assert_eq!(
        at("/shared/x.webp").unwrap().unwrap(),
        Path::new("static/shared/x.webp")
    );
    // Not a photo of the site: left to the page as written.
    for other in [
        "https://e.org/x.jpg",
        "//cdn/x.jpg",
        "notes.pdf",
        "",
        "x.jpg?v=2",
        "data:image/png;base64,AA",
    ] {
        assert!(at(other).is_none(), "{other}");
    }
    for out in [
        "../../../../etc/passwd.jpg",
        "../../../../../x.png",
        "/../site.toml.jpg",
        "/../../x.jpg",
    ] {
        assert!(
            at(out).unwrap().unwrap_err().contains("leaves the site"),
            "{out}"
        );
    }
}

#[test]
fn widths_are_never_upscaled_and_names_carry_the_hash() {
    let settings = PhotoSettings::default();
    let facts = |w, h| probe::Facts {
        hash: 0x1234_5678_9abc_def0,
        format: Format::Jpeg,
        width: w,
        height: h,
        animated: false,
    };
    let big = plan(
        Path::new("content/a/Photo 1.JPG"),
        facts(2560, 1600),
        &settings,
    );
    let widths: Vec<u32> = big.variants.iter().map(|v| v.width).collect();
    assert_eq!(widths, [480, 800, 1200, 1600]);
    assert_eq!(big.variants[1].height, 500);
    assert!(big.variants[0].webp.starts_with("photos/photo-1.480."));
    assert!(big.variants[0].webp.ends_with(".webp"));
    assert!(big.variants[0].fallback.ends_with(".jpg"));
    assert_eq!(big.card.as_ref().map(|c| (c.width, c.height)), Some(CARD));
    let small = plan(Path::new("content/a/s.png"), facts(700, 300), &settings);
    let widths: Vec<u32> = small.variants.iter().map(|v| v.width).collect();
    assert_eq!(widths, [480, 700]);
    let (cw, ch) = small.card.as_ref().map(|c| (c.width, c.height)).unwrap();
    assert!(
        cw <= 700 && ch <= 300 && (f64::from(cw) / f64::from(ch) - 1200.0 / 630.0).abs() < 0.02
    );
    // The same bytes, the same names; other bytes, other names.
    let again = plan(
        Path::new("content/a/Photo 1.JPG"),
        facts(2560, 1600),
        &settings,
    );
    assert_eq!(again, big);
    let mut other = facts(2560, 1600);
    other.hash += 1;
    let other = plan(Path::new("content/a/Photo 1.JPG"), other, &settings);
    assert_ne!(other.variants[0].webp, big.variants[0].webp);
}

#[test]
fn svg_with_script_is_refused() {
    assert!(probe::tests_probe_svg(
        b"<svg xmlns='http://www.w3.org/2000/svg'><circle r='1'/></svg>"
    )
    .is_ok());
    for bad in [
        &b"<svg><script>alert(1)</script></svg>"[..],
        b"<svg onload=\"alert(1)\"></svg>",
        b"<svg><a href='javascript:alert(1)'>x</a></svg>",
        b"<svg><g onclick = 'x()'/></svg>",
        b"not svg at all",
    ] {
        assert!(
            probe::tests_probe_svg(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

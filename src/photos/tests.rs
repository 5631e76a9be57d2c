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
    // A phone's long screenshot: no side past what WebP holds.
    let tall = plan(
        Path::new("content/a/long.png"),
        facts(1080, 20000),
        &settings,
    );
    let widths: Vec<u32> = tall.variants.iter().map(|v| v.width).collect();
    assert_eq!(widths, [480, 800, 884]);
    assert!(
        tall.variants.iter().all(|v| v.height <= MAX_SIDE),
        "{tall:?}"
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
    let drawn = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a logo -->\n<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\"><a xlink:href=\"https://example.org/\"><path d=\"M0 0h1\"/></a></svg>";
    assert!(probe::tests_probe_svg(drawn.as_bytes()).is_ok());
    for bad in [
        &b"<svg><script>alert(1)</script></svg>"[..],
        b"<svg onload=\"alert(1)\"></svg>",
        b"<svg><a href='javascript:alert(1)'>x</a></svg>",
        b"<svg><g onclick = 'x()'/></svg>",
        b"not svg at all",
        // Namespace prefixes, character references and entities do not hide it.
        b"<svg:svg xmlns:svg='http://www.w3.org/2000/svg'><svg:script>alert(1)</svg:script></svg:svg>",
        b"<svg xmlns='http://www.w3.org/2000/svg'><svg:foreignObject xmlns:svg='http://www.w3.org/2000/svg'/></svg>",
        b"<svg xmlns='http://www.w3.org/2000/svg'><a href='&#106;avascript:alert(1)'>x</a></svg>",
        b"<!DOCTYPE svg [<!ENTITY s '<script>alert(1)</script>'>]><svg>&s;</svg>",
        b"<?xml-stylesheet href='x.xsl' type='text/xsl'?><svg/>",
        b"<svg xmlns='http://www.w3.org/2000/svg'><animate attributeName='href' to='java&#x09;script:alert(1)'/></svg>",
    ] {
        assert!(
            probe::tests_probe_svg(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn a_photo_through_a_symlinked_folder_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("x.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .unwrap();
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("static")).unwrap();
    std::os::unix::fs::symlink(outside.path(), site.path().join("static/shared")).unwrap();
    let photos = Photos::new(site.path(), &PhotoSettings::default());
    let rel = Path::new("articles/2021/a.md");
    let problem = photos.resolve("/shared/x.svg", rel).unwrap().unwrap_err();
    assert!(problem.contains("outside the site"), "{problem}");
    // The same file inside the site is published.
    std::fs::create_dir_all(site.path().join("static/own")).unwrap();
    std::fs::copy(
        outside.path().join("x.svg"),
        site.path().join("static/own/x.svg"),
    )
    .unwrap();
    assert!(photos.resolve("/own/x.svg", rel).unwrap().is_ok());
}

#[test]
fn a_cut_off_camera_jpeg_is_seen_past_its_thumbnail() {
    // A camera's file: an APP1 segment holding a whole thumbnail JPEG (its own scan and
    // end marker), then the photo.
    let thumb = test_jpeg(16, 12);
    let main = test_jpeg(320, 240);
    let mut camera = vec![0xFF, 0xD8, 0xFF, 0xE1];
    camera.extend_from_slice(&u16::try_from(thumb.len() + 2).unwrap().to_be_bytes());
    camera.extend_from_slice(&thumb);
    camera.extend_from_slice(&main[2..]);
    assert!(probe::tests_jpeg_is_whole(&camera));
    camera.truncate(camera.len() - main.len() / 2);
    assert!(!probe::tests_jpeg_is_whole(&camera));
}

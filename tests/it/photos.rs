//! Photos: articles' photos published as resized WebP and JPEG files without their
//! metadata, encoded once, and every bad photo refused with its article's file and line.

use super::*;
use image::{ImageEncoder as _, Rgb, RgbImage};

/// A photo-like JPEG of `w`×`h` (a gradient, so resizing and encoding do real work).
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        Rgb([
            (x * 255 / w) as u8,
            (y * 255 / h) as u8,
            ((x + y) % 256) as u8,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn png16(w: u32, h: u32) -> Vec<u8> {
    let img = image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(w, h, |x, _| {
        image::Rgb([(x * 65535 / w) as u16, 30000, 500])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb16(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A CMYK JPEG (as print desks export them).
fn cmyk_jpeg(w: u16, h: u16) -> Vec<u8> {
    let data: Vec<u8> = (0..u32::from(w) * u32::from(h))
        .flat_map(|i| [(i % 200) as u8, 40, 90, 10])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&data, w, h, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    out
}

/// A two-frame GIF.
fn animated_gif() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut out);
        for shade in [0u8, 200] {
            let frame = image::RgbaImage::from_pixel(40, 30, image::Rgba([shade, 90, 10, 255]));
            enc.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    out
}

/// A two-frame WebP.
fn animated_webp() -> Vec<u8> {
    let config = webp::WebPConfig::new().unwrap();
    let mut enc = webp::AnimEncoder::new(40, 30, &config);
    let frames: Vec<Vec<u8>> = [10u8, 220]
        .iter()
        .map(|&shade| [shade, 90, 10, 255].repeat(40 * 30))
        .collect();
    for (i, frame) in frames.iter().enumerate() {
        enc.add_frame(webp::AnimFrame::from_rgba(frame, 40, 30, i as i32 * 100));
    }
    enc.encode().to_vec()
}

/// A PNG that declares 50,000 × 50,000 pixels in a few bytes (a decompression bomb).
fn bomb_png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&50_000u32.to_be_bytes());
    ihdr.extend_from_slice(&50_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn article(title: &str, front: &str, body: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndate: 2021-03-04\n{front}---\n{body}\n")
}

fn site_with(files: &[(&str, Vec<u8>)]) -> Site {
    let site = Site::empty();
    site.write(
        "site.toml",
        "title = \"صور\"\nbase_url = \"https://example.org\"\nsearch = false\n",
    );
    for (rel, bytes) in files {
        site.write(rel, bytes);
    }
    site
}

/// The files under the output's `photos/`, by name.
fn published(site: &Site) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(site.public().join("photos"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn dimensions(path: &Path) -> (u32, u32) {
    image::image_dimensions(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const FOLDER: &str = "content/articles/2021/صور-المدينة";

#[test]
fn photos_are_published_at_each_width_as_webp_and_jpeg_with_a_card() {
    let site = site_with(&[
        (
            &format!("{FOLDER}/index.md"),
            article(
                "صور المدينة",
                "image: lead.jpg\nimage_alt: \"السوق القديم\"\nimage_caption: \"السوق بعد الترميم\"\nimage_credit: \"وكالة الصور\"\n",
                "فقرة.\n\n![الجامع الكبير](photo-1.jpg \"الجامع من الشرق\")\n",
            )
            .into_bytes(),
        ),
        (&format!("{FOLDER}/lead.jpg"), jpeg(2000, 1250)),
        (&format!("{FOLDER}/photo-1.jpg"), jpeg(1000, 600)),
    ]);
    let run = site.build(&[]);
    assert!(run.stdout.contains("photos: "), "{}", run.stdout);
    let names = published(&site);
    let widths = |stem: &str, ext: &str| -> Vec<u32> {
        let mut w: Vec<u32> = names
            .iter()
            .filter(|n| {
                n.starts_with(&format!("{stem}.")) && n.ends_with(ext) && !n.contains(".card.")
            })
            .map(|n| n.split('.').nth(1).unwrap().parse().unwrap())
            .collect();
        w.sort();
        w
    };
    assert_eq!(widths("lead", ".webp"), [480, 800, 1200, 1600]);
    assert_eq!(widths("lead", ".jpg"), [480, 800, 1200, 1600]);
    // Never upscaled: the photo's own width stands for the widths above it.
    assert_eq!(widths("photo-1", ".webp"), [480, 800, 1000]);
    for name in &names {
        let path = site.public().join("photos").join(name);
        let (w, h) = dimensions(&path);
        if name.contains(".card.") {
            assert_eq!((w, h), (1200, 630), "{name}");
            continue;
        }
        let width: u32 = name.split('.').nth(1).unwrap().parse().unwrap();
        assert_eq!(w, width, "{name}");
        let (sw, sh) = if name.starts_with("lead") {
            (2000, 1250)
        } else {
            (1000, 600)
        };
        assert_eq!(h, (sh * width + sw / 2) / sw, "{name}");
        let format = image::ImageFormat::from_path(&path).unwrap();
        let sniffed = image::guess_format(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(format, sniffed, "{name}");
    }
    // A card for the lead photo only.
    assert_eq!(names.iter().filter(|n| n.contains(".card.")).count(), 1);
    let page = site.page("/articles/صور-المدينة/");
    assert_eq!(count(&page, "<picture>"), 2, "{page}");
    assert!(page.contains("fetchpriority=\"high\""));
    assert_eq!(count(&page, "loading=\"lazy\""), 1);
    assert!(page.contains("width=\"2000\" height=\"1250\" alt=\"السوق القديم\""));
    assert!(page.contains("<bdi>وكالة الصور</bdi>"));
    assert!(page.contains("<figcaption>الجامع من الشرق</figcaption>"));
    let og = page
        .split("<meta property=\"og:image\" content=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    assert!(
        og.starts_with("https://example.org/photos/lead.card."),
        "{og}"
    );
    assert!(page.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
    // The home's card shows the thumbnail, lazily.
    let home = site.page("/");
    assert!(home.contains("class=\"thumb\""), "{home}");
    assert!(!home.contains("fetchpriority"));
}

#[test]
fn published_photos_carry_no_metadata_and_are_turned_upright() {
    let Ok(exiftool) = which("exiftool") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "exiftool is missing (Debian: libimage-exiftool-perl)"
        );
        eprintln!("skipped: exiftool is not installed");
        return;
    };
    let site = site_with(&[
        (
            &format!("{FOLDER}/index.md"),
            article("صورة", "image: turned.jpg\nimage_alt: \"صورة\"\n", "نص.\n").into_bytes(),
        ),
        (&format!("{FOLDER}/turned.jpg"), jpeg(640, 320)),
    ]);
    let source = site.root.join(FOLDER).join("turned.jpg");
    // A camera's metadata: where the photo was taken, what took it, and that it was
    // held on its side (Orientation 6: turn 90° clockwise to show it).
    let tagged = Command::new(&exiftool)
        .args([
            "-overwrite_original",
            "-n",
            "-GPSLatitude=30.0444",
            "-GPSLatitudeRef=N",
            "-GPSLongitude=31.2357",
            "-GPSLongitudeRef=E",
            "-Make=SecretCam",
            "-Model=X1",
            "-Artist=المصدر",
            "-Orientation=6",
            "-XMP:Creator=source",
            "-Comment=secret",
        ])
        .arg(&source)
        .output()
        .unwrap();
    assert!(tagged.status.success(), "{tagged:?}");
    let tags = |path: &Path| {
        let out = Command::new(&exiftool)
            .args(["-a", "-G1", "-s"])
            .arg(path)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(tags(&source).contains("GPSLatitude"));
    site.build(&[]);
    let names = published(&site);
    assert!(!names.is_empty());
    for name in &names {
        let path = site.public().join("photos").join(name);
        let found = tags(&path);
        for leak in [
            "GPS",
            "SecretCam",
            "X1",
            "Artist",
            "XMP",
            "secret",
            "Orientation",
        ] {
            assert!(!found.contains(leak), "{name} keeps `{leak}`:\n{found}");
        }
        if !name.contains(".card.") {
            let (w, h) = dimensions(&path);
            assert!(h > w, "{name} is not upright: {w}×{h}");
        }
    }
    let page = site.page("/articles/صور-المدينة/");
    assert!(page.contains("width=\"320\" height=\"640\""), "{page}");
}

fn which(cmd: &str) -> Result<PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(cmd))
                .find(|p| p.is_file())
        })
        .ok_or(())
}

#[test]
fn a_second_build_encodes_nothing_and_a_shared_photo_is_encoded_once() {
    let shared = jpeg(900, 600);
    let site = site_with(&[
        (
            "content/articles/2021/a/index.md",
            article(
                "أ",
                "image: shared.jpg\nimage_alt: \"أ\"\n",
                "![ب](shared.jpg)\n",
            )
            .into_bytes(),
        ),
        ("content/articles/2021/a/shared.jpg", shared.clone()),
        (
            "content/articles/2021/b/index.md",
            article("ب", "image: shared.jpg\nimage_alt: \"ب\"\n", "نص.\n").into_bytes(),
        ),
        ("content/articles/2021/b/shared.jpg", shared),
    ]);
    let first = site.build(&[]);
    // 480, 800 and 900 wide, WebP and JPEG, and one card: seven files, each encoded
    // once.
    assert!(
        first.stdout.contains("photos: 7 files encoded"),
        "{}",
        first.stdout
    );
    assert_eq!(published(&site).len(), 7, "{:?}", published(&site));
    // An edit elsewhere: the photos come from the cache.
    site.write(
        "content/articles/2021/b/index.md",
        article("ب٢", "image: shared.jpg\nimage_alt: \"ب\"\n", "نص آخر.\n"),
    );
    let second = site.build(&[]);
    assert!(!second.stdout.contains("photos:"), "{}", second.stdout);
    // Without the output, the photos still come from the cache.
    fs::remove_dir_all(site.public()).unwrap();
    let third = site.build(&[]);
    assert!(!third.stdout.contains("photos:"), "{}", third.stdout);
    assert_eq!(published(&site).len(), 7);
    // Without the cache, they are encoded again, to the same names.
    let before = published(&site);
    fs::remove_dir_all(site.root.join(".warraq-cache")).unwrap();
    fs::remove_dir_all(site.public()).unwrap();
    let fourth = site.build(&[]);
    assert!(
        fourth.stdout.contains("photos: 7 files encoded"),
        "{}",
        fourth.stdout
    );
    assert_eq!(published(&site), before);
    // `check` reads the same cache.
    let check = site.run(&["check"]);
    assert!(check.ok(), "{check:#?}");
}

#[test]
fn a_changed_photo_gets_new_names_and_its_page_is_rendered_again() {
    let site = site_with(&[
        (
            &format!("{FOLDER}/index.md"),
            article("صورة", "", "![صورة](p.jpg)\n").into_bytes(),
        ),
        (&format!("{FOLDER}/p.jpg"), jpeg(600, 400)),
    ]);
    site.build(&[]);
    let before = published(&site);
    // Other pixels, the same size: only the content's hash tells them apart.
    let mut other = image::load_from_memory(&jpeg(600, 400)).unwrap().to_rgb8();
    image::imageops::invert(&mut other);
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
        .write_image(other.as_raw(), 600, 400, image::ExtendedColorType::Rgb8)
        .unwrap();
    site.write(&format!("{FOLDER}/p.jpg"), bytes);
    let run = site.build(&[]);
    assert!(!run.stdout.contains("up to date"), "{}", run.stdout);
    let after = published(&site);
    assert!(
        before.iter().all(|n| !after.contains(n)),
        "{before:?} {after:?}"
    );
    let page = site.page("/articles/صور-المدينة/");
    assert!(after.iter().all(|n| page.contains(n.as_str())), "{page}");
}

#[test]
fn odd_but_valid_photos_are_published() {
    let site = site_with(&[
        (
            &format!("{FOLDER}/index.md"),
            article(
                "صور",
                "",
                "![طباعة](cmyk.jpg)\n\n![عميق](deep.png)\n\n![متحرك](moving.gif)\n\n![شعار](/logo.svg)\n\n![متحرك أيضا](moving.webp)\n",
            )
            .into_bytes(),
        ),
        (&format!("{FOLDER}/cmyk.jpg"), cmyk_jpeg(300, 200)),
        (&format!("{FOLDER}/deep.png"), png16(300, 200)),
        (&format!("{FOLDER}/moving.gif"), animated_gif()),
        (&format!("{FOLDER}/moving.webp"), animated_webp()),
        (
            "static/logo.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect width='10' height='10'/></svg>".to_vec(),
        ),
    ]);
    site.build(&[]);
    let names = published(&site);
    // Two photos named `moving`, different bytes: two sets of files.
    let moving = names
        .iter()
        .filter(|n| n.starts_with("moving.40.") && n.ends_with(".webp"));
    assert_eq!(moving.count(), 2, "{names:?}");
    for stem in ["cmyk.300.", "deep.300.", "moving.40."] {
        assert!(
            names
                .iter()
                .any(|n| n.starts_with(stem) && n.ends_with(".webp")),
            "{stem} {names:?}"
        );
        assert!(
            names
                .iter()
                .any(|n| n.starts_with(stem) && n.ends_with(".jpg")),
            "{stem} {names:?}"
        );
    }
    // SVG is copied as it is and shown through <img>, never inlined.
    let svg = names
        .iter()
        .find(|n| n.ends_with(".svg"))
        .expect("the SVG is published");
    assert_eq!(
        fs::read(site.public().join("photos").join(svg)).unwrap(),
        fs::read(site.root.join("static/logo.svg")).unwrap()
    );
    let page = site.page("/articles/صور-المدينة/");
    assert!(
        page.contains(&format!("<img src=\"/photos/{svg}\"")),
        "{page}"
    );
    assert!(!page.contains("<rect"));
    // The CMYK photo's colours survive (not inverted, not black).
    let jpg = names
        .iter()
        .find(|n| n.starts_with("cmyk.300.") && n.ends_with(".jpg"))
        .unwrap();
    let img = image::open(site.public().join("photos").join(jpg))
        .unwrap()
        .to_rgb8();
    let Rgb([r, g, b]) = *img.get_pixel(150, 100);
    assert!(
        u32::from(r) + u32::from(g) + u32::from(b) > 150,
        "{r} {g} {b}"
    );
    // `check` says the GIF's animation is dropped.
    let check = site.run(&["check"]);
    for name in ["moving.gif", "moving.webp"] {
        assert!(
            check.stdout.contains(&format!("{name}` may be animated")),
            "{check:#?}"
        );
    }
}

/// Builds a site whose article names one bad photo; the build must fail with `message`
/// at the article's file and `line`, and leave the previous output as it was.
fn refused(photo: &str, bytes: Option<Vec<u8>>, line: usize, message: &str) {
    let site = site_with(&[(
        &format!("{FOLDER}/index.md"),
        article("صورة", "", "نص.\n").into_bytes(),
    )]);
    site.build(&[]);
    let before = read_tree(&site.public());
    if let Some(bytes) = bytes {
        site.write(&format!("{FOLDER}/{photo}"), bytes);
    }
    site.write(
        &format!("{FOLDER}/index.md"),
        article("صورة", "", &format!("نص.\n\n![صورة]({photo})\n")),
    );
    let run = site.run(&["build"]);
    run.assert_failed();
    let expected = format!("{FOLDER}/index.md:{line}:1: ");
    let line_found = run
        .error_lines()
        .into_iter()
        .find(|l| l.starts_with(&expected))
        .unwrap_or_else(|| panic!("no error at {expected}: {run:#?}"))
        .to_owned();
    assert!(line_found.contains(message), "{photo}: {line_found}");
    assert_eq!(
        read_tree(&site.public()),
        before,
        "{photo}: the output changed"
    );
    let check = site.run(&["check"]);
    assert!(!check.ok(), "{photo}: check passed: {check:#?}");
}

#[test]
fn bad_photos_are_refused_at_their_line() {
    // The image is on line 7 of the article (after 4 lines of front matter and its
    // fences, and a paragraph).
    refused("missing.jpg", None, 7, "not found");
    refused(
        "../../../../../../etc/passwd.jpg",
        None,
        7,
        "leaves the site",
    );
    refused("/etc/hosts.jpg", None, 7, "not found");
    refused("empty.jpg", Some(Vec::new()), 7, "is empty (0 bytes)");
    refused(
        "text.jpg",
        Some(b"hello, not a photo".to_vec()),
        7,
        "is not a photo",
    );
    refused("bomb.png", Some(bomb_png()), 7, "50000×50000 pixels");
    let mut truncated = jpeg(400, 300);
    truncated.truncate(truncated.len() / 3);
    refused("cut.jpg", Some(truncated), 7, "is cut off");
    // Damage the header does not show: found when the photo is decoded.
    let mut damaged = png16(300, 200);
    let middle = damaged.len() / 2;
    damaged[middle..middle + 40].fill(0x55);
    refused("damaged.png", Some(damaged), 7, "cannot be decoded");
    let pixels = [90u8, 140, 30].repeat(200 * 120);
    let mut cut_webp = webp::Encoder::from_rgb(&pixels, 200, 120)
        .encode(80.0)
        .to_vec();
    cut_webp.truncate(cut_webp.len() / 2);
    refused("cut.webp", Some(cut_webp), 7, "cannot be");
    refused(
        "evil.svg",
        Some(b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec()),
        7,
        "holds script",
    );
}

#[test]
fn a_photo_linked_from_outside_the_site_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.jpg");
    fs::write(&secret, jpeg(100, 100)).unwrap();
    let site = site_with(&[(
        &format!("{FOLDER}/index.md"),
        article("صورة", "image: link.jpg\n", "نص.\n").into_bytes(),
    )]);
    std::os::unix::fs::symlink(&secret, site.root.join(FOLDER).join("link.jpg")).unwrap();
    let run = site.run(&["build"]);
    run.assert_failed();
    // Discovery reports the link itself, as it reports any file linked from outside.
    assert!(
        run.stderr.contains(&format!(
            "{FOLDER}/link.jpg: symlink points outside the site"
        )),
        "{run:#?}"
    );
    assert!(!site.public().join("photos").exists());
}

#[test]
fn check_warns_of_photos_without_alt_text() {
    let site = site_with(&[
        (
            &format!("{FOLDER}/index.md"),
            article(
                "صورة",
                "image: p.jpg\nsummary: \"ملخص\"\n",
                "نص.\n\n![](p.jpg)\n",
            )
            .into_bytes(),
        ),
        (&format!("{FOLDER}/p.jpg"), jpeg(200, 100)),
    ]);
    let check = site.run(&["check"]);
    assert!(check.ok(), "{check:#?}");
    let out = format!("{}{}", check.stdout, check.stderr);
    let warnings: Vec<&str> = out
        .lines()
        .map(|l| l.trim_start_matches("./"))
        .filter(|l| l.contains("alt"))
        .collect();
    assert_eq!(warnings.len(), 2, "{check:#?}");
    assert!(warnings[0].starts_with(&format!(
        "{FOLDER}/index.md:4:1: warning: `image` has no `image_alt`"
    )));
    assert!(warnings[1].starts_with(&format!(
        "{FOLDER}/index.md:9:1: warning: photo `p.jpg` has no alt text"
    )));
}

#[test]
fn photo_settings_are_read_and_checked() {
    let site = site_with(&[
        (
            &format!("{FOLDER}/index.md"),
            article("صورة", "", "![صورة](p.jpg)\n").into_bytes(),
        ),
        (&format!("{FOLDER}/p.jpg"), jpeg(900, 600)),
        ("static/card.jpg", jpeg(1400, 800)),
        ("static/logo.png", png16(400, 100)),
        ("content/about.md", article("عن", "", "نص.\n").into_bytes()),
    ]);
    site.write(
        "site.toml",
        "title = \"صور\"\nbase_url = \"https://example.org\"\nsearch = false\nlogo = \"static/logo.png\"\n\n[photos]\nwidths = [300, 600]\nquality = 60\ndefault_image = \"static/card.jpg\"\ndefault_image_alt = \"شعار\"\n",
    );
    site.build(&[]);
    let names = published(&site);
    assert!(names.iter().any(|n| n.starts_with("p.300.")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("p.600.")), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("p.480.")), "{names:?}");
    // An article without a photo shows the site's image to social networks.
    let page = site.page("/articles/صور-المدينة/");
    assert!(
        page.contains("og:image\" content=\"https://example.org/photos/card.card."),
        "{page}"
    );
    assert!(page.contains("og:image:alt\" content=\"شعار\""), "{page}");
    // The publisher's logo, in the JSON-LD, published at the smallest width.
    let ld = page
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|r| r.split("</script>").next())
        .unwrap();
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    let logo = ld["publisher"]["logo"]["url"].as_str().unwrap();
    assert!(
        logo.starts_with("https://example.org/photos/logo.300."),
        "{logo}"
    );
    assert_eq!(ld["publisher"]["logo"]["width"], 300);
    assert!(site
        .public()
        .join(logo.strip_prefix("https://example.org/").unwrap())
        .is_file());
    site.write("site.toml", "title = \"صور\"\n\n[photos]\nquality = 0\n");
    let run = site.run(&["build"]);
    run.assert_failed();
    assert!(
        run.stderr
            .contains("site.toml:3:1: `[photos]`: `quality` must be from 1 to 100"),
        "{run:#?}"
    );
}

#[test]
fn a_photo_in_another_colour_space_is_converted_to_srgb() {
    use moxcms::{ColorProfile, Layout, TransformOptions};
    let source = [60u8, 170, 90];
    let (w, h) = (64, 48);
    let img = RgbImage::from_pixel(w, h, Rgb(source));
    let tagged = |profile: &ColorProfile| {
        let mut out = Vec::new();
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 100);
        enc.set_icc_profile(profile.encode().unwrap()).unwrap();
        enc.write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    };
    let adobe = ColorProfile::new_adobe_rgb();
    let site = site_with(&[
        (
            &format!("{FOLDER}/index.md"),
            article("ألوان", "", "![أدوبي](adobe.jpg)\n\n![عادي](srgb.jpg)\n").into_bytes(),
        ),
        (&format!("{FOLDER}/adobe.jpg"), tagged(&adobe)),
        (
            &format!("{FOLDER}/srgb.jpg"),
            tagged(&ColorProfile::new_srgb()),
        ),
    ]);
    site.build(&[]);
    // What the Adobe RGB colour is in sRGB.
    let mut expected = [0u8; 3];
    adobe
        .create_transform_8bit(
            Layout::Rgb,
            &ColorProfile::new_srgb(),
            Layout::Rgb,
            TransformOptions::default(),
        )
        .unwrap()
        .transform(&source, &mut expected)
        .unwrap();
    assert!(
        expected.iter().zip(source).any(|(e, s)| e.abs_diff(s) > 10),
        "the test colour must look different in the two spaces: {expected:?}"
    );
    let pixel = |stem: &str| {
        let names = published(&site);
        let name = names
            .iter()
            .find(|n| n.starts_with(stem) && n.ends_with(".jpg"))
            .unwrap();
        let img = image::open(site.public().join("photos").join(name))
            .unwrap()
            .to_rgb8();
        img.get_pixel(w / 2, h / 2).0
    };
    let close = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 6);
    let converted = pixel("adobe.");
    assert!(
        close(converted, expected),
        "{converted:?} is not {expected:?}"
    );
    let kept = pixel("srgb.");
    assert!(close(kept, source), "{kept:?} is not {source:?}");
}

#[test]
fn templates_ask_for_photos_with_the_photo_function() {
    let card = "<article class=\"card\">{% set logo = photo(path=\"static/logo.jpg\", width=400, alt=\"شعار\") %}\
<img class=\"logo\" src=\"{{ logo.url }}\" width=\"{{ logo.width }}\" height=\"{{ logo.height }}\" alt=\"شعار\">\
<a href=\"{{ p.url }}\">{{ p.title }}</a></article>\n";
    let site = site_with(&[
        (
            "content/articles/2021/a.md",
            article("أ", "", "نص.\n").into_bytes(),
        ),
        (
            "content/articles/2021/b.md",
            article("ب", "", "نص.\n").into_bytes(),
        ),
        ("static/logo.jpg", jpeg(900, 300)),
        ("templates/card.html", card.as_bytes().to_vec()),
    ]);
    site.build(&[]);
    let logo_of = |site: &Site| -> String {
        let home = site.page("/");
        home.split("class=\"logo\" src=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_else(|| panic!("no logo: {home}"))
            .to_owned()
    };
    let logo = logo_of(&site);
    assert!(
        logo.starts_with("/photos/logo.480.") && logo.ends_with(".jpg"),
        "{logo}"
    );
    assert!(site.page("/").contains("width=\"480\" height=\"160\""));
    assert!(site.public().join(&logo[1..]).is_file());
    // An edit that does not show the logo again: the output still holds its files.
    site.write(
        "content/articles/2021/a.md",
        article("أ", "", "نص آخر في آخر المقال.\n"),
    );
    site.build(&[]);
    assert!(
        site.public().join(&logo[1..]).is_file(),
        "{:?}",
        published(&site)
    );
    // Another logo under the same name: the pages showing it are rendered again.
    site.write("static/logo.jpg", jpeg(1000, 300));
    site.build(&[]);
    let new_logo = logo_of(&site);
    assert_ne!(new_logo, logo);
    assert!(site.public().join(&new_logo[1..]).is_file());
    // A path out of the site is an error naming the template.
    site.write(
        "templates/card.html",
        card.replace("static/logo.jpg", "../secret.jpg"),
    );
    let run = site.run(&["build"]);
    run.assert_failed();
    assert!(
        run.stderr.contains("photo(path=\"../secret.jpg\")"),
        "{run:#?}"
    );
}

#[test]
fn a_new_default_image_under_the_same_name_is_named_anew_on_every_page() {
    let site = site_with(&[
        (
            "content/articles/2021/a.md",
            article("أ", "", "نص.\n").into_bytes(),
        ),
        ("static/card.jpg", jpeg(1300, 700)),
    ]);
    site.write(
        "site.toml",
        "title = \"صور\"\nbase_url = \"https://example.org\"\nsearch = false\n\n[photos]\ndefault_image = \"static/card.jpg\"\n",
    );
    site.build(&[]);
    let card = |site: &Site| {
        let page = site.page("/articles/a/");
        page.split("og:image\" content=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    };
    let before = card(&site);
    site.write("static/card.jpg", jpeg(1250, 700));
    site.build(&[]);
    let after = card(&site);
    assert_ne!(before, after);
    let file = after.strip_prefix("https://example.org/").unwrap();
    assert!(site.public().join(file).is_file(), "{after}");
}

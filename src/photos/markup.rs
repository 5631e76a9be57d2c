//! A photo → its `<picture>`: WebP candidates for the browsers that take them, JPEG for
//! the rest, the width and height that reserve its place before it loads, loaded
//! lazily unless it is the page's lead photo.

use super::{Format, Photo};

/// How a photo is shown.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    pub alt: &'a str,
    /// The `sizes` attribute: how wide the photo is laid out.
    pub sizes: &'a str,
    /// The page's lead photo: fetched first, never lazily.
    pub lead: bool,
}

/// The `<picture>` element (an `<img>` alone for SVG), with root-relative addresses.
pub fn picture(photo: &Photo, shown: Shown<'_>) -> String {
    let mut html = String::with_capacity(512);
    let esc = |out: &mut String, s: &str| {
        let _ = pulldown_cmark_escape::escape_html(&mut *out, s);
    };
    let loading = if shown.lead {
        " fetchpriority=\"high\" decoding=\"async\""
    } else {
        " loading=\"lazy\" decoding=\"async\""
    };
    if photo.format == Format::Svg {
        if let Some(v) = photo.variants.first() {
            html.push_str("<img src=\"/");
            esc(&mut html, &v.fallback);
            html.push_str("\" alt=\"");
            esc(&mut html, shown.alt);
            html.push('"');
            html.push_str(loading);
            html.push('>');
        }
        return html;
    }
    let Some(main) = photo.at_least(800) else {
        return html;
    };
    let srcset = |out: &mut String, webp: bool| {
        for (i, v) in photo.variants.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push('/');
            esc(out, if webp { &v.webp } else { &v.fallback });
            out.push_str(&format!(" {}w", v.width));
        }
    };
    html.push_str("<picture><source type=\"image/webp\" srcset=\"");
    srcset(&mut html, true);
    html.push_str("\" sizes=\"");
    esc(&mut html, shown.sizes);
    html.push_str("\"><img src=\"/");
    esc(&mut html, &main.fallback);
    html.push_str("\" srcset=\"");
    srcset(&mut html, false);
    html.push_str("\" sizes=\"");
    esc(&mut html, shown.sizes);
    html.push_str(&format!(
        "\" width=\"{}\" height=\"{}\" alt=\"",
        photo.width, photo.height
    ));
    esc(&mut html, shown.alt);
    html.push('"');
    html.push_str(loading);
    html.push_str("></picture>");
    html
}

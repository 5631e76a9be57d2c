//! A site served under a path (`base_url = "https://example.org/archive/"`, a GitHub
//! Pages project site): every root-relative address a page writes (`href="/tags/"`,
//! `src="/style.css"`, a form's `action`, each `srcset` candidate, and the same inside a
//! feed's escaped HTML) gets the path in front, so templates and bodies keep writing
//! site paths. Pages of a site at the root of its host are not touched. Absolute and
//! protocol-relative addresses (`//host/`) are left alone, as is an address that already
//! starts with the path.

/// Attributes whose value is an address.
const URL_ATTRIBUTES: &[&[u8]] = &[
    b"href",
    b"src",
    b"action",
    b"srcset",
    b"poster",
    b"formaction",
    b"cite",
    b"data",
];

/// Puts `base` (`/archive`, no trailing slash) before every root-relative address in
/// `page`. `escaped`: the page is a feed, whose entries hold HTML escaped as text (in an
/// HTML page, `=&quot;/` is what an author wrote, and is left as written).
pub fn prefix_root_paths(page: &mut Vec<u8>, base: &str, escaped: bool) {
    let base = base.as_bytes();
    let mut out = Vec::with_capacity(page.len() + page.len() / 64);
    let mut i = 0;
    while i < page.len() {
        let Some(at) = memchr_eq(&page[i..]).map(|p| i + p) else {
            break;
        };
        // `at` is an `=`: the attribute's name ends before it, its value after.
        let (quote_len, quote): (usize, &[u8]) = if page[at + 1..].starts_with(b"\"") {
            (1, b"\"")
        } else if escaped && page[at + 1..].starts_with(b"&quot;") {
            (6, b"&quot;")
        } else if page[at + 1..].starts_with(b"'") {
            (1, b"'")
        } else {
            out.extend_from_slice(&page[i..=at]);
            i = at + 1;
            continue;
        };
        let name_start = page[..at]
            .iter()
            .rposition(|b| !b.is_ascii_alphanumeric() && *b != b'-')
            .map_or(0, |p| p + 1);
        let name = page[name_start..at].to_ascii_lowercase();
        let value_start = at + 1 + quote_len;
        out.extend_from_slice(&page[i..value_start]);
        i = value_start;
        if !URL_ATTRIBUTES.contains(&name.as_slice()) {
            continue;
        }
        let value_end = find(&page[value_start..], quote).map_or(page.len(), |p| value_start + p);
        let value = &page[value_start..value_end];
        if name == b"srcset" {
            for (k, candidate) in value.split(|b| *b == b',').enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                let trimmed = candidate
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(candidate.len());
                out.extend_from_slice(&candidate[..trimmed]);
                push_prefixed(&mut out, &candidate[trimmed..], base);
            }
        } else {
            push_prefixed(&mut out, value, base);
        }
        i = value_end;
    }
    out.extend_from_slice(&page[i.min(page.len())..]);
    *page = out;
}

fn push_prefixed(out: &mut Vec<u8>, value: &[u8], base: &[u8]) {
    let root_relative = value.first() == Some(&b'/') && value.get(1) != Some(&b'/');
    let already = value.starts_with(base) && matches!(value.get(base.len()), None | Some(b'/'));
    if root_relative && !already {
        out.extend_from_slice(base);
    }
    out.extend_from_slice(value);
}

fn memchr_eq(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|b| *b == b'=')
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(html: &str) -> String {
        let mut v = html.as_bytes().to_vec();
        prefix_root_paths(&mut v, "/archive", false);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn root_paths_get_the_base_path() {
        assert_eq!(
            p(
                r#"<a href="/tags/">x</a><link rel="stylesheet" href="/style.css"><form action="/search/">"#
            ),
            r#"<a href="/archive/tags/">x</a><link rel="stylesheet" href="/archive/style.css"><form action="/archive/search/">"#
        );
        assert_eq!(
            p(r#"<img srcset="/a.webp 480w, /b.webp 800w" src='/a.jpg'>"#),
            r#"<img srcset="/archive/a.webp 480w, /archive/b.webp 800w" src='/archive/a.jpg'>"#
        );
        // Feeds carry pages' HTML escaped; in a page, that is text.
        let mut feed = b"&lt;a href=&quot;/x/&quot;&gt;".to_vec();
        prefix_root_paths(&mut feed, "/archive", true);
        assert_eq!(feed, b"&lt;a href=&quot;/archive/x/&quot;&gt;");
        assert_eq!(
            p("<p>href=&quot;/x/&quot;</p>"),
            "<p>href=&quot;/x/&quot;</p>"
        );
    }

    #[test]
    fn other_addresses_and_text_are_left() {
        for same in [
            r#"<a href="https://e.org/x">"#,
            r#"<a href="//cdn.example/x">"#,
            r##"<a href="#id">"##,
            r#"<a href="/archive/x/">"#,
            r#"<a href="rel/x">"#,
            r#"<meta content="/x" name="y">"#,
            "<p>a=\"/x\" is text</p>",
            r#"<p title="/x">"#,
            "x=",
        ] {
            assert_eq!(p(same), same);
        }
    }
}

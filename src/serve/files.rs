//! A request path → a file of the output folder, never one outside it.
//!
//! The path is checked before it touches the disk ([`parse_path`]: no `..` or `.`,
//! encoded or not, no encoded `/`, no backslash, no NUL, valid UTF-8), then resolved
//! with symlinks followed and required to stay inside the canonical output folder
//! ([`locate`]). Only regular files are served: a FIFO would hang the request.

use std::path::{Path, PathBuf};

/// A request path, checked and decoded into its segments.
#[derive(Debug, PartialEq, Eq)]
pub struct RequestPath {
    pub segments: Vec<String>,
    /// The path ends in `/` (or is `/`).
    pub dir: bool,
}

/// Why a path is refused before any file is looked at (answered with 400).
#[derive(Debug, PartialEq, Eq)]
pub struct BadPath(pub &'static str);

/// Checks and decodes the path of a request (`uri.path()`, still percent-encoded).
pub fn parse_path(raw: &str) -> Result<RequestPath, BadPath> {
    let Some(rest) = raw.strip_prefix('/') else {
        return Err(BadPath("the path must start with `/`"));
    };
    if raw.contains('\\') {
        return Err(BadPath("backslashes are not allowed in paths"));
    }
    let mut segments = Vec::new();
    for seg in rest.split('/') {
        if seg.is_empty() {
            continue;
        }
        let bytes: Vec<u8> = percent_encoding::percent_decode_str(seg).collect();
        if bytes.iter().any(|b| matches!(b, b'/' | b'\\' | 0)) {
            return Err(BadPath(
                "encoded slashes, backslashes and NUL are not allowed in paths",
            ));
        }
        let seg = String::from_utf8(bytes).map_err(|_| BadPath("the path is not UTF-8"))?;
        if seg == "." || seg == ".." {
            return Err(BadPath("`.` and `..` are not allowed in paths"));
        }
        segments.push(seg);
    }
    Ok(RequestPath {
        segments,
        dir: rest.is_empty() || rest.ends_with('/'),
    })
}

/// What a checked path leads to.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    File(PathBuf),
    /// A folder asked for without its final `/`: send the browser to it with one, so that
    /// relative links in its `index.html` resolve.
    AddSlash,
    Missing,
}

/// Finds the file for `path` in `root` (the output folder, canonical: symlinks resolved).
pub fn locate(root: &Path, path: &RequestPath) -> Found {
    let mut candidate = root.to_path_buf();
    candidate.extend(&path.segments);
    let Some(found) = inside(root, &candidate) else {
        return Found::Missing;
    };
    if found.is_dir() {
        let Some(index) = inside(root, &found.join("index.html")).filter(|p| is_file(p)) else {
            return Found::Missing;
        };
        return if path.dir {
            Found::File(index)
        } else {
            Found::AddSlash
        };
    }
    if path.dir || !is_file(&found) {
        return Found::Missing;
    }
    Found::File(found)
}

/// The canonical form of `path` when it exists and lies inside `root`.
fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    let real = path.canonicalize().ok()?;
    real.starts_with(root).then_some(real)
}

fn is_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// The `Content-Type` of a file, by extension, with `charset=utf-8` for text.
pub fn content_type(path: &Path) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let essence = mime.essence_str();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            essence,
            "application/json" | "application/xml" | "application/javascript"
        )
        || essence.ends_with("+xml")
        || essence.ends_with("+json");
    // `text/javascript` is the type the HTML standard names for scripts.
    let essence = if essence == "application/javascript" {
        "text/javascript"
    } else {
        essence
    };
    if textual {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
    }
}

/// True for the types that get the live-reload script.
pub fn is_html(content_type: &str) -> bool {
    content_type.starts_with("text/html")
}

/// Inserts `snippet` before the last `</body>` (any case), or at the end when there is
/// none.
pub fn inject(html: &[u8], snippet: &str) -> Vec<u8> {
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn segs(raw: &str) -> Vec<String> {
        parse_path(raw).unwrap().segments
    }

    #[test]
    fn paths_decode_into_segments() {
        assert_eq!(segs("/"), Vec::<String>::new());
        assert!(parse_path("/").unwrap().dir);
        assert_eq!(segs("/a/b.css"), vec!["a", "b.css"]);
        assert!(!parse_path("/a/b.css").unwrap().dir);
        assert!(parse_path("/tags/x/").unwrap().dir);
        // Arabic URLs arrive percent-encoded.
        assert_eq!(
            segs("/tags/%D8%B1%D9%88%D8%B3%D9%8A%D8%A7/"),
            vec!["tags", "روسيا"]
        );
        assert_eq!(segs("//a//b"), vec!["a", "b"]);
    }

    #[test]
    fn traversal_is_refused_before_the_disk() {
        for raw in [
            "/../Cargo.toml",
            "/a/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2E%2E/x",
            "/.%2e/x",
            "/..%2f..%2fetc/passwd",
            "/..%2F..%2Fetc/passwd",
            "/..\\..\\etc\\passwd",
            "/..%5c..%5cetc%5cpasswd",
            "/a%00.html",
            "/./index.html",
            "/%ff%fe",
            "relative",
        ] {
            assert!(parse_path(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn locate_serves_files_indexes_and_nothing_outside() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let root = base.join("public");
        fs::create_dir_all(root.join("a")).unwrap();
        fs::create_dir_all(root.join("empty")).unwrap();
        fs::write(root.join("index.html"), "home").unwrap();
        fs::write(root.join("a/index.html"), "a").unwrap();
        fs::write(root.join("style.css"), "css").unwrap();
        fs::write(base.join("secret.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(base.join("secret.txt"), root.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(&base, root.join("up")).unwrap();
        std::os::unix::fs::symlink(root.join("style.css"), root.join("alias.css")).unwrap();
        let at = |raw: &str| locate(&root, &parse_path(raw).unwrap());
        assert_eq!(at("/"), Found::File(root.join("index.html")));
        assert_eq!(at("/a/"), Found::File(root.join("a/index.html")));
        assert_eq!(at("/a"), Found::AddSlash);
        assert_eq!(at("/style.css"), Found::File(root.join("style.css")));
        assert_eq!(at("/style.css/"), Found::Missing);
        assert_eq!(at("/empty/"), Found::Missing);
        assert_eq!(at("/empty"), Found::Missing);
        assert_eq!(at("/missing.html"), Found::Missing);
        // Symlinks are followed only while they stay inside.
        assert_eq!(at("/alias.css"), Found::File(root.join("style.css")));
        assert_eq!(at("/leak.txt"), Found::Missing);
        assert_eq!(at("/up/secret.txt"), Found::Missing);
        assert_eq!(
            at("/up/public/style.css"),
            Found::File(root.join("style.css"))
        );
    }

    #[test]
    fn content_types_carry_utf8_for_text() {
        let ct = |name: &str| content_type(Path::new(name));
        assert_eq!(ct("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(ct("style.css"), "text/css; charset=utf-8");
        assert_eq!(ct("app.js"), "text/javascript; charset=utf-8");
        assert_eq!(ct("atom.xml"), "text/xml; charset=utf-8");
        assert_eq!(ct("search.json"), "application/json; charset=utf-8");
        assert_eq!(ct("logo.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(ct("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(ct("font.woff2"), "font/woff2");
        assert_eq!(ct("app.wasm"), "application/wasm");
        assert_eq!(ct("photo.png"), "image/png");
        assert_eq!(ct("unknown.zzz"), "application/octet-stream");
    }

    #[test]
    fn the_snippet_goes_before_the_last_body_end() {
        assert_eq!(
            inject(b"<body><p>x</p></body></html>", "<s>"),
            b"<body><p>x</p><s></body></html>"
        );
        assert_eq!(
            inject(b"<p>&lt;/body&gt;</p></BODY>", "<s>"),
            b"<p>&lt;/body&gt;</p><s></BODY>"
        );
        assert_eq!(inject(b"<p>x</p>", "<s>"), b"<p>x</p><s>");
    }
}

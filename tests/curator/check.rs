//! `warraq check` through the binary: what it prints, its exit code, `--external` against
//! a server on 127.0.0.1, and the build's rewriting of links to `.md` files.

use super::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

fn article(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2019-02-05\nsummary: ملخص.\ntopic: سياسة\n---\n\n{body}")
}

#[test]
fn warnings_pass_errors_fail() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("site.toml", SITE_TOML),
            ("content/articles/2019/a.md", &article("أ", "[ب](b.md)\n")),
            (
                "content/articles/2019/b.md",
                "---\ntitle: ب\ndate: 2019-02-05\n---\n\nنص.\n",
            ),
        ],
    );
    let o = warraq(dir.path(), &["check"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("content/articles/2019/b.md:2:1: warning: no `summary`"),
        "{out}"
    );
    assert!(out.contains("0 errors, 2 warnings"), "{out}");

    write_files(
        dir.path(),
        &[("content/articles/2019/a.md", &article("أ", "[ب](c.md)\n"))],
    );
    let o = warraq(dir.path(), &["check"]);
    assert!(!o.status.success());
    assert!(
        stdout(&o).contains(
            "content/articles/2019/a.md:8:1: error: link `c.md`: there is no `content/articles/2019/c.md`: did you mean `b.md`?"
        ),
        "{}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("check found 1 error"), "{}", stderr(&o));
    // Nothing was written.
    assert!(!dir.path().join("public").exists());
}

#[test]
fn the_build_rewrites_links_to_sources() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("site.toml", SITE_TOML),
            (
                "content/articles/2019/a.md",
                // No `summary`: the first paragraph, with its links, is the summary.
                &article("أ", "[ب](../2020/b.md#قسم) [عن](../../about.md)\n")
                    .replace("summary: ملخص.\n", ""),
            ),
            (
                "content/articles/2020/b.md",
                &article("ب", "## قسم\n\nنص.\n").replace("topic", "slug: بي\ntopic"),
            ),
            ("content/about.md", &article("عن", "نص.\n")),
        ],
    );
    let o = warraq(dir.path(), &["check"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let o = warraq(dir.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("public/articles/a/index.html")).unwrap();
    assert!(
        html.contains("href=\"/articles/%D8%A8%D9%8A/#%D9%82%D8%B3%D9%85\""),
        "{html}"
    );
    assert!(html.contains("href=\"/about/\""), "{html}");
    // The link is in the article's first paragraph, its summary on the home page: the
    // page parsed again once every URL was known has it rewritten there too.
    let home = std::fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert!(
        home.contains("href=\"/articles/%D8%A8%D9%8A/#%D9%82%D8%B3%D9%85\""),
        "{home}"
    );
}

/// A small HTTP server on 127.0.0.1 that answers `count` connections, then stops.
fn serve(count: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(count).flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    base
}

fn answer(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let mut words = request.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let status = match (method, path) {
        (_, "/ok") => "200 OK",
        (_, "/gone") => "404 Not Found",
        ("HEAD", "/no-head") => "405 Method Not Allowed",
        (_, "/no-head") => "200 OK",
        (_, "/slow") => {
            std::thread::sleep(Duration::from_secs(3));
            "200 OK"
        }
        _ => "500 Internal Server Error",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

#[test]
fn external_links_only_when_asked() {
    let base = serve(16);
    let body = format!(
        "[1]({base}/ok) [2]({base}/gone)\n[3]({base}/no-head) [4]({base}/slow) [5]({base}/skipped/gone)\n"
    );
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("site.toml", SITE_TOML),
            ("content/articles/2019/a.md", &article("أ", &body)),
        ],
    );
    let o = warraq(dir.path(), &["check"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(!stdout(&o).contains("external"), "{}", stdout(&o));

    let skip = format!("{base}/skipped/");
    let o = warraq(
        dir.path(),
        &["check", "--external", "--timeout", "1", "--skip", &skip],
    );
    assert!(!o.status.success());
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("external")).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("content/articles/2019/a.md:8:")
            && lines[0].contains(&format!(
                "error: external link `{base}/gone`: 404 Not Found"
            )),
        "{out}"
    );
    assert!(
        lines[1].starts_with("content/articles/2019/a.md:9:")
            && lines[1].contains("warning: external link")
            && lines[1].contains("/slow`: no answer within 1 s"),
        "{out}"
    );
}

#[test]
fn help_describes_both_commands() {
    let dir = tempfile::tempdir().unwrap();
    let o = warraq(dir.path(), &["check", "--help"]);
    let help = stdout(&o);
    assert!(
        help.contains("--external") && help.contains("--skip <URL-PREFIX>"),
        "{help}"
    );
    let o = warraq(dir.path(), &["import", "--help"]);
    assert!(stdout(&o).contains("--force"));
}

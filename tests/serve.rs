//! `warraq serve` end to end: the real binary on a copy of the fixture site, on a free
//! port, spoken to over raw HTTP/1.1 (so that hostile requests go out byte for byte as
//! written). Every wait has a deadline; the server is killed when a test ends.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "serve/browser.rs"]
mod browser;
#[path = "common/mod.rs"]
mod common;
use common::copy_dir;

const BIN: &str = env!("CARGO_BIN_EXE_warraq");
const WAIT: Duration = Duration::from_secs(20);

/// A running `warraq serve` on a copy of the fixture site.
struct Server {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start() -> Server {
        Server::start_with(|_| {})
    }

    /// Copies the fixture, lets `prepare` change it, starts the server, waits until it
    /// says where it serves.
    fn start_with(prepare: impl FnOnce(&Path)) -> Server {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(Path::new("tests/fixtures/site"), dir.path());
        prepare(dir.path());
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0", "--root"])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        let mut server = Server {
            child,
            port: 0,
            dir,
            stdout,
            stderr,
        };
        let line = server.wait_for_output(|out| {
            out.lines()
                .find(|l| l.starts_with("serving "))
                .map(str::to_owned)
        });
        let port = line
            .rsplit_once("127.0.0.1:")
            .and_then(|(_, rest)| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        server.port = port;
        server
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn output(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Waits until `find` finds something in what the server printed.
    fn wait_for_output<T>(&mut self, find: impl Fn(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            let out = format!(
                "{}{}",
                self.stdout.lock().unwrap(),
                self.stderr.lock().unwrap()
            );
            if let Some(found) = find(&out) {
                return found;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited ({status}):\n{out}");
            }
            assert!(
                Instant::now() < deadline,
                "timed out; the server said:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn get(&self, target: &str) -> Resp {
        http(self.port, "GET", target, &[])
    }

    fn get_with(&self, target: &str, headers: &[(&str, &str)]) -> Resp {
        http(self.port, "GET", target, headers)
    }

    fn events(&self) -> Events {
        let (resp, events) = Events::open(self.port, &[]);
        assert_eq!(resp.status, 200, "{resp:?}");
        events.unwrap()
    }

    fn article(&self, name: &str) -> PathBuf {
        walkdir::WalkDir::new(self.root().join("content"))
            .into_iter()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().contains(name))
            .unwrap()
            .into_path()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(stream: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = text.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    text
}

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// A response's status line and headers, up to the blank line (or the end).
fn read_head(reader: &mut impl BufRead) -> String {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
            return head;
        }
        head.push_str(&line);
    }
}

/// Sends one request exactly as given (target not normalized) and reads the response
/// (by its `Content-Length` when it has one, else to the end).
fn http(port: u16, method: &str, target: &str, headers: &[(&str, &str)]) -> Resp {
    let mut reader = BufReader::new(connect(port, method, target, headers));
    let head = read_head(&mut reader);
    assert!(!head.is_empty(), "no response to {method} {target}");
    let (status, headers) = parse_head(&head);
    let mut body = Vec::new();
    match headers
        .get("content-length")
        .and_then(|n| n.parse::<usize>().ok())
    {
        Some(n) if method != "HEAD" => {
            body.resize(n, 0);
            reader.read_exact(&mut body).unwrap();
        }
        Some(_) => {}
        None => {
            reader.read_to_end(&mut body).unwrap();
        }
    }
    if headers.get("transfer-encoding").map(String::as_str) == Some("chunked") {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

fn connect(port: u16, method: &str, target: &str, headers: &[(&str, &str)]) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    stream
}

fn parse_head(head: &str) -> (u16, HashMap<String, String>) {
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers)
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap().trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[eol + 2..eol + 2 + size]);
        raw = &raw[eol + 2 + size + 2..];
    }
}

/// A live-reload connection: Server-Sent Events over a chunked response.
struct Events {
    reader: BufReader<TcpStream>,
    text: String,
}

impl Events {
    fn open(port: u16, headers: &[(&str, &str)]) -> (Resp, Option<Events>) {
        let stream = connect(port, "GET", "/__warraq/events", headers);
        let mut reader = BufReader::new(stream);
        let head = read_head(&mut reader);
        let (status, headers) = parse_head(&head);
        let resp = Resp {
            status,
            headers,
            body: Vec::new(),
        };
        let events = (status == 200).then(|| Events {
            reader,
            text: String::new(),
        });
        (resp, events)
    }

    /// The next event (name, data), skipping keep-alive comments.
    fn next(&mut self, deadline: Instant) -> (String, String) {
        loop {
            if let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if !data.is_empty() || name != "message" {
                    return (name, data);
                }
                continue;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no event in time; got so far: {:?}",
                self.text
            );
            self.reader.get_ref().set_read_timeout(Some(left)).unwrap();
            // One chunk: its size line, its bytes, CRLF.
            let mut size = String::new();
            self.reader.read_line(&mut size).expect("event stream read");
            let size = usize::from_str_radix(size.trim(), 16).expect("chunk size");
            assert!(size > 0, "the event stream ended");
            let mut chunk = vec![0; size + 2];
            self.reader.read_exact(&mut chunk).unwrap();
            self.text
                .push_str(&String::from_utf8_lossy(&chunk[..size]).replace("\r\n", "\n"));
        }
    }

    /// Waits for an event named `name`, returning its data; other events are skipped.
    fn wait(&mut self, name: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let (n, data) = self.next(deadline);
            if n == name {
                return data;
            }
        }
    }
}

const NATO: &str = "/articles/%D8%A7%D9%84%D9%86%D8%A7%D8%AA%D9%88-%D8%A8%D8%B9%D8%AF-%D8%A7%D9%84%D8%AC%D8%A7%D8%A6%D8%AD%D8%A9/";

#[test]
fn pages_are_served_with_their_types_and_the_live_script() {
    let s = Server::start_with(|root| {
        let st = root.join("static");
        fs::create_dir_all(&st).unwrap();
        for name in ["app.js", "data.json", "logo.svg", "font.woff2", "mod.wasm"] {
            fs::write(st.join(name), "x").unwrap();
        }
    });
    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("cache-control"), Some("no-store"));
    let html = home.text();
    let script = html.find("<script src=\"/__warraq/live.js\"").unwrap();
    assert!(script < html.rfind("</body>").unwrap());
    let article = s.get(NATO);
    assert_eq!(article.status, 200);
    assert!(article.text().contains("الناتو بعد الجائحة"));
    for (path, ct) in [
        ("/style.css", "text/css; charset=utf-8"),
        ("/atom.xml", "text/xml; charset=utf-8"),
        ("/sitemap.xml", "text/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/data.json", "application/json; charset=utf-8"),
        ("/logo.svg", "image/svg+xml; charset=utf-8"),
        ("/font.woff2", "font/woff2"),
        ("/mod.wasm", "application/wasm"),
        ("/__warraq/live.js", "text/javascript; charset=utf-8"),
    ] {
        let r = s.get(path);
        assert_eq!(
            (r.status, r.header("content-type")),
            (200, Some(ct)),
            "{path}"
        );
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
        assert!(!r.text().contains("__warraq/live.js") || path.starts_with("/__"));
    }
    // A folder without its slash is sent to it; the query goes along.
    let r = s.get("/tags?x=1");
    assert_eq!(r.status, 307);
    assert_eq!(r.header("location"), Some("/tags/?x=1"));
    // The site's own 404 page, with status 404.
    let missing = s.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    let page404 = fs::read_to_string(s.output().join("404.html")).unwrap();
    let body = missing.text();
    assert!(body.starts_with(&page404[..page404.rfind("</body>").unwrap()]));
    assert!(body.contains("/__warraq/live.js"));
    let post = http(s.port, "POST", "/", &[("Content-Length", "0")]);
    assert_eq!(post.status, 405);
    for r in [&home, &article, &missing, &post] {
        assert_eq!(r.header("access-control-allow-origin"), None);
    }
}

#[test]
fn the_files_on_disk_are_what_build_writes() {
    let s = Server::start();
    let served = s.get("/");
    let other = tempfile::tempdir().unwrap();
    let out = other.path().join("public");
    let status = Command::new(BIN)
        .args(["build", "--root"])
        .arg(s.root())
        .arg("--output")
        .arg(&out)
        .args(["--base-url", &format!("http://127.0.0.1:{}", s.port)])
        .status()
        .unwrap();
    assert!(status.success());
    let disk = common::read_tree(&s.output());
    assert!(disk.len() > 30);
    assert_eq!(disk, common::read_tree(&out));
    assert!(!disk
        .iter()
        .any(|(_, b)| String::from_utf8_lossy(b).contains("__warraq")));
    // What is served is the file plus the snippet, nothing else.
    let on_disk = fs::read_to_string(s.output().join("index.html")).unwrap();
    let html = served.text();
    let start = html.find("<script src=\"/__warraq/").unwrap();
    let end = start + html[start..].find("</script>").unwrap() + "</script>".len();
    assert_eq!(format!("{}{}", &html[..start], &html[end..]), on_disk);
}

#[test]
fn an_edit_reloads_and_a_broken_file_keeps_the_last_good_page() {
    let mut s = Server::start();
    let mut events = s.events();
    assert_eq!(events.next(Instant::now() + WAIT).0, "ok");
    let path = s.article("الناتو");
    let good = fs::read_to_string(&path).unwrap();

    // An edit: a reload, and the new text.
    let edited = good.clone() + "\nفقرة أضيفت أثناء المعاينة.\n";
    fs::write(&path, &edited).unwrap();
    let data = events.wait("reload");
    assert!(data.contains("index.html"), "{data}");
    assert!(s.get(NATO).text().contains("فقرة أضيفت أثناء المعاينة."));

    // Broken front matter: an error naming the file and line; the last good page stays.
    fs::write(
        &path,
        edited.replacen("title: ", "title: \"unclosed <b>\ntitlex: ", 1),
    )
    .unwrap();
    let data = events.wait("error");
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let located = format!("{name}:");
    assert!(data.contains(&located), "{data}");
    let after = &data[data.find(&located).unwrap() + located.len()..];
    assert!(after.starts_with(|c: char| c.is_ascii_digit()), "{data}");
    let page = s.get(NATO);
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("فقرة أضيفت أثناء المعاينة."));
    assert!(html.contains("id=\"__warraq-overlay\""));
    assert!(html.contains(&name));
    let status = s.get("/__warraq/status").text();
    assert!(status.contains("\"ok\":false"), "{status}");
    // The terminal says it too, as file:line:col.
    s.wait_for_output(|out| out.lines().find(|l| l.contains(&located)).map(|_| ()));

    // Fixed: `ok`, then a reload; the overlay is gone.
    fs::write(&path, &good).unwrap();
    events.wait("ok");
    events.wait("reload");
    let html = s.get(NATO).text();
    assert!(!html.contains("__warraq-overlay"));
    assert!(!html.contains("فقرة أضيفت أثناء المعاينة."));
    assert!(s.get("/__warraq/status").text().contains("\"ok\":true"));
}

#[test]
fn a_page_opened_while_broken_shows_the_error() {
    let s = Server::start();
    let mut events = s.events();
    events.wait("ok");
    let path = s.article("روسيا");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replacen("date:", "date: [", 1)).unwrap();
    events.wait("error");
    // A new connection is told at once.
    let mut late = s.events();
    let (name, data) = late.next(Instant::now() + WAIT);
    assert_eq!(name, "error");
    assert!(data.contains(&*path.file_name().unwrap().to_string_lossy()));
    // Deleting the broken file clears the error.
    fs::remove_file(&path).unwrap();
    events.wait("ok");
}

#[test]
fn a_first_build_that_fails_is_shown_and_then_served() {
    let mut s = Server::start_with(|root| {
        let path = walkdir::WalkDir::new(root.join("content"))
            .into_iter()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().contains("الناتو"))
            .unwrap()
            .into_path();
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replacen("title: ", "title: [", 1)).unwrap();
    });
    s.wait_for_output(|out| out.contains("first build: build failed").then_some(()));
    // Nothing built yet: every page is a 404 that shows the error and listens.
    let home = s.get("/");
    assert_eq!(home.status, 404);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = home.text();
    assert!(
        html.contains("__warraq-overlay") && html.contains("الناتو"),
        "{html}"
    );
    assert!(html.contains("/__warraq/live.js"));
    let mut events = s.events();
    assert_eq!(events.next(Instant::now() + WAIT).0, "error");
    let path = s.article("الناتو");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replacen("title: [", "title: ", 1)).unwrap();
    events.wait("ok");
    events.wait("reload");
    assert_eq!(s.get("/").status, 200);
}

#[test]
fn a_deleted_article_leaves_its_tag_page() {
    let s = Server::start();
    let mut events = s.events();
    events.wait("ok");
    let tag = "/tags/%D8%B1%D9%88%D8%B3%D9%8A%D8%A7/";
    // The tag's pages (two articles a page, numbered from the oldest), as one text.
    let listed = || {
        let first = s.get(tag);
        assert_eq!(first.status, 200);
        first.text() + &s.get(&format!("{tag}page/1/")).text()
    };
    let slug = "روسيا-في-الفناء-الخلفي-لواشنطن";
    assert!(listed().contains(&format!("/articles/{slug}/")));
    fs::remove_file(s.article(slug)).unwrap();
    events.wait("reload");
    let after = listed();
    assert!(!after.contains(&format!("/articles/{slug}/")));
    assert!(after.contains("/articles/venezuela-recognition-politics/"));
    let gone = s.get(&format!(
        "/articles/{}/",
        slug.bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    ));
    assert_eq!(gone.status, 404);
}

#[test]
fn a_folder_moved_out_and_back_takes_its_articles_along() {
    let s = Server::start();
    let mut events = s.events();
    events.wait("ok");
    let year = s.root().join("content/articles/2019");
    let aside = s.root().join("2019-aside");
    let url = "/articles/%D8%B1%D9%88%D8%B3%D9%8A%D8%A7-%D9%81%D9%8A-%D8%A7%D9%84%D9%81%D9%86%D8%A7%D8%A1-%D8%A7%D9%84%D8%AE%D9%84%D9%81%D9%8A-%D9%84%D9%88%D8%A7%D8%B4%D9%86%D8%B7%D9%86/";
    assert_eq!(s.get(url).status, 200);
    fs::rename(&year, &aside).unwrap();
    events.wait("reload");
    assert_eq!(s.get(url).status, 404);
    assert_eq!(s.get("/years/2019/").status, 404);
    // Moved back in: no event names its files, the folder stands for them.
    fs::rename(&aside, &year).unwrap();
    events.wait("reload");
    assert_eq!(s.get(url).status, 200);
    // And its files are watched again.
    let path = s.article("روسيا");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text + "\nسطر بعد العودة.\n").unwrap();
    events.wait("reload");
    assert!(s.get(url).text().contains("سطر بعد العودة."));
}

#[test]
fn a_stylesheet_change_swaps_without_reload() {
    let s = Server::start();
    let mut events = s.events();
    events.wait("ok");
    fs::create_dir_all(s.root().join("static")).unwrap();
    fs::write(s.root().join("static/style.css"), "body { color: red }\n").unwrap();
    let data = events.wait("css");
    assert!(data.contains("style.css"), "{data}");
    assert_eq!(s.get("/style.css").text(), "body { color: red }\n");
}

#[test]
fn requests_never_reach_outside_the_output() {
    let s = Server::start_with(|root| {
        fs::write(root.join("secret.txt"), "TOP-SECRET-MARKER\n").unwrap();
    });
    let out = s.output();
    std::os::unix::fs::symlink("/etc/passwd", out.join("passwd")).unwrap();
    std::os::unix::fs::symlink(s.root().join("secret.txt"), out.join("secret.txt")).unwrap();
    std::os::unix::fs::symlink(s.root(), out.join("site")).unwrap();
    for target in [
        "/../Cargo.toml",
        "/../secret.txt",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e/secret.txt",
        "/..%2f..%2fetc/passwd",
        "/..%2fsecret.txt",
        "/..\\..\\etc\\passwd",
        "/..%5csecret.txt",
        "/tags/../../secret.txt",
        "/secret.txt%00.html",
        "/passwd",
        "/secret.txt",
        "/site/secret.txt",
        "/site/site.toml",
        "//etc/passwd",
    ] {
        let r = s.get(target);
        assert!(r.status == 400 || r.status == 404, "{target}: {}", r.status);
        let body = r.text();
        assert!(!body.contains("root:"), "{target}");
        assert!(!body.contains("TOP-SECRET-MARKER"), "{target}");
        assert!(!body.contains("paginate_by"), "{target}");
    }
}

#[test]
fn foreign_hosts_and_origins_are_refused() {
    let s = Server::start();
    let p = s.port;
    let host = |h: &str| s.get_with("/", &[("Host", h)]).status;
    assert_eq!(host(&format!("localhost:{p}")), 200);
    assert_eq!(host(&format!("127.0.0.1:{p}")), 200);
    assert_eq!(host(&format!("[::1]:{p}")), 200);
    assert_eq!(host(&format!("evil.example:{p}")), 403);
    assert_eq!(host("evil.example"), 403);
    assert_eq!(host(&format!("127.0.0.1:{}", p.wrapping_add(1))), 403);
    assert_eq!(
        s.get_with("/__warraq/events", &[("Host", "evil.example")])
            .status,
        403
    );
    let (r, _) = Events::open(p, &[("Origin", "http://evil.example")]);
    assert_eq!(r.status, 403);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let (r, _) = Events::open(p, &[("Origin", "null")]);
    assert_eq!(r.status, 403);
    let (r, _) = Events::open(p, &[("Sec-Fetch-Site", "cross-site")]);
    assert_eq!(r.status, 403);
    let own = format!("http://127.0.0.1:{p}");
    let (r, events) = Events::open(p, &[("Origin", &own), ("Sec-Fetch-Site", "same-origin")]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert_eq!(events.unwrap().next(Instant::now() + WAIT).0, "ok");
    assert_eq!(
        s.get_with("/__warraq/status", &[("Origin", "http://evil.example")])
            .status,
        403
    );
}

#[test]
fn interrupt_stops_cleanly_and_saves_the_manifest() {
    let mut s = Server::start();
    let mut events = s.events();
    events.wait("ok");
    let pid = s.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    assert!(s.root().join(".public.warraq-manifest").is_file());
}

#[test]
fn a_taken_port_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("tests/fixtures/site"), dir.path());
    let out = Command::new(BIN)
        .args(["serve", "--port", &port, "--root"])
        .arg(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("port {port} is in use")), "{err}");
}

/// Live-reload streams are capped: a page opening them without end gets 503s, and the
/// server goes on answering pages; a closed stream frees its place.
#[test]
fn live_reload_streams_are_capped_and_pages_still_answer() {
    let s = Server::start();
    let mut open = Vec::new();
    let mut refused = 0;
    for _ in 0..80 {
        let (resp, events) = Events::open(s.port, &[]);
        match events {
            Some(e) => open.push(e),
            None => {
                assert_eq!(resp.status, 503, "{resp:?}");
                refused += 1;
            }
        }
    }
    assert_eq!((open.len(), refused), (64, 16));
    assert_eq!(s.get("/").status, 200);
    open.truncate(10);
    // The server notices closed streams on their next keep-alive or event: poll.
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (resp, events) = Events::open(s.port, &[]);
        if events.is_some() {
            break;
        }
        assert_eq!(resp.status, 503);
        assert!(
            Instant::now() < deadline,
            "a closed stream never freed its place"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

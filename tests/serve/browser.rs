//! What only a browser shows: headless Chromium, driven over its DevTools protocol, has
//! a page of `warraq serve` open while the article behind it is edited, broken with
//! hostile text, fixed, and restyled.
//!
//! Skipped with a message when Chromium is missing, except under CI (`CI` set), where
//! that is a failure: `.ci/run` installs it.

use super::{http, Server, NATO, WAIT};
use serde_json::{json, Value};
use std::fs;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A headless Chromium in its own process group, with a fresh profile; killed on drop.
struct Chromium {
    child: Child,
    devtools_port: u16,
    _profile: tempfile::TempDir,
}

impl Chromium {
    fn launch(bin: &Path) -> Chromium {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(bin)
            .args(super::common::HEADLESS)
            .arg("--remote-debugging-port=0")
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let (tx, rx) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("DevTools listening on ws://").nth(1) {
                    let port = rest
                        .split_once(':')
                        .and_then(|(_, r)| r.split('/').next())
                        .and_then(|p| p.parse::<u16>().ok());
                    let _ = tx.send(port);
                }
            }
        });
        let devtools_port = match rx.recv_timeout(WAIT) {
            Ok(Some(port)) => port,
            other => {
                let _ = child.kill();
                panic!("Chromium did not say where DevTools listen: {other:?}");
            }
        };
        Chromium {
            child,
            devtools_port,
            _profile: profile,
        }
    }

    /// A connection to the browser's first tab.
    fn tab(&self) -> Cdp {
        let list: Value =
            serde_json::from_slice(&http(self.devtools_port, "GET", "/json/list", &[]).body)
                .unwrap();
        let url = list
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .expect("a tab")
            .to_owned();
        let stream = TcpStream::connect(("127.0.0.1", self.devtools_port)).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let (ws, _) = tungstenite::client(url.as_str(), stream).unwrap();
        Cdp { ws, next_id: 0 }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // The whole group: the browser and the renderers it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Chrome DevTools Protocol session with one tab.
struct Cdp {
    ws: tungstenite::WebSocket<TcpStream>,
    next_id: u64,
}

impl Cdp {
    fn call(&mut self, method: &str, params: Value) -> Value {
        let v = self.send(method, params);
        assert!(v.get("error").is_none(), "{method}: {v}");
        v["result"].clone()
    }

    /// Sends a command and returns the whole reply (`result` or `error`).
    fn send(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({ "id": id, "method": method, "params": params });
        self.ws
            .send(tungstenite::Message::text(msg.to_string()))
            .unwrap();
        loop {
            let reply = self.ws.read().expect("a DevTools reply");
            let Ok(text) = reply.to_text() else { continue };
            let v: Value = serde_json::from_str(text).unwrap();
            if v["id"] == id {
                return v;
            }
        }
    }

    /// Evaluates `expr` in the page; its value as JSON (`null` while the page loads).
    fn eval(&mut self, expr: &str) -> Value {
        let r = self.send(
            "Runtime.evaluate",
            json!({ "expression": expr, "returnByValue": true }),
        );
        r["result"]["result"]["value"].clone()
    }

    /// Waits until `expr` evaluates to `want`.
    fn wait_for(&mut self, expr: &str, want: Value) {
        let deadline = Instant::now() + WAIT;
        let mut got = Value::Null;
        while Instant::now() < deadline {
            got = self.eval(expr);
            if got == want {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("`{expr}` is {got}, not {want}");
    }
}

const CONNECTED: &str = "document.readyState === 'complete' && !!window.__warraqLive \
                         && window.__warraqLive.readyState === 1";

const OVERLAY: &str = "(() => { const o = document.getElementById('__warraq-overlay'); \
    return o ? [o.textContent.includes('<img src=x onerror=window.__xss=1>'), \
                o.querySelectorAll('img').length, window.__xss === 1] : null })()";

#[test]
fn an_open_page_follows_the_edits() {
    let Some(bin) = super::common::chromium() else {
        return;
    };
    let s = Server::start();
    let browser = Chromium::launch(&bin);
    let mut tab = browser.tab();
    let url = format!("http://127.0.0.1:{}{NATO}", s.port);
    tab.call("Page.navigate", json!({ "url": url }));
    tab.wait_for(CONNECTED, json!(true));

    // An edit reloads the page, which stays where it was.
    tab.eval("window.__marker = 1");
    let path = s.article("الناتو");
    let good = fs::read_to_string(&path).unwrap();
    fs::write(&path, good.clone() + "\nفقرة من اختبار المتصفح.\n").unwrap();
    tab.wait_for(
        "[window.__marker === undefined, location.pathname, \
          document.body.innerText.includes('فقرة من اختبار المتصفح.')]",
        json!([true, NATO, true]),
    );
    tab.wait_for(CONNECTED, json!(true));

    // A broken file, whose error message carries markup: shown as text, never run.
    let hostile = good.replacen(
        "title:",
        "\"<img src=x onerror=window.__xss=1>\": 1\ntitle:",
        1,
    );
    fs::write(&path, &hostile).unwrap();
    tab.wait_for(OVERLAY, json!([true, 0, false]));
    // Opened while broken, the page shows it too (put in by the server, escaped).
    tab.call("Page.reload", json!({}));
    tab.wait_for(CONNECTED, json!(true));
    tab.wait_for(OVERLAY, json!([true, 0, false]));
    tab.wait_for(
        "document.body.innerText.includes('فقرة من اختبار المتصفح.')",
        json!(true),
    );

    // Fixed: the overlay goes.
    fs::write(&path, &good).unwrap();
    tab.wait_for(OVERLAY, Value::Null);
    tab.wait_for(CONNECTED, json!(true));

    // A stylesheet change is swapped in without a reload.
    tab.eval("window.__marker = 2");
    let css = fs::read_to_string(s.output().join("style.css")).unwrap();
    fs::create_dir_all(s.root().join("static")).unwrap();
    fs::write(
        s.root().join("static/style.css"),
        css + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n",
    )
    .unwrap();
    tab.wait_for(
        "[getComputedStyle(document.body).outlineColor, window.__marker]",
        json!(["rgb(1, 2, 3)", 2]),
    );
}

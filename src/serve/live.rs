//! Build results → the browsers watching: the live-reload state, its Server-Sent Events
//! and the snippet added to served HTML.
//!
//! Events: `reload` (output changed: reload the page), `css` (only stylesheets changed:
//! swap them), `error` (the build is broken: show the diagnostics over the last good
//! page), `ok` (fixed: remove them). A new connection first gets the current state, so
//! a page opened while the build is broken shows the overlay, and a page older than
//! the output reloads. Each carries the output's version.

use axum::response::sse::Event;
use serde_json::json;
use std::sync::RwLock;
use tokio::sync::broadcast;

/// Where the script lives, and the prefix no site file may use.
pub const PREFIX: &str = "/__warraq/";

const OVERLAY_CSS: &str = "position:fixed;z-index:2147483647;inset-inline:0;top:0;\
max-height:60vh;overflow:auto;margin:0;padding:1em 1.25em;background:#fff5f5;\
color:#5c0011;border-bottom:3px solid #c00;font:14px/1.5 ui-monospace,monospace;\
text-align:left;box-shadow:0 2px 12px rgba(0,0,0,.25)";
const OVERLAY_TITLE: &str = "warraq: the build failed; this is the last good version of the page";

/// The browser side, with the overlay's look filled in.
pub fn script() -> String {
    include_str!("live.js")
        .replace("__OVERLAY_CSS__", OVERLAY_CSS)
        .replace("__OVERLAY_TITLE__", OVERLAY_TITLE)
}

/// What happened, for the browsers.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    Reload {
        changed: Vec<String>,
    },
    Css {
        changed: Vec<String>,
    },
    /// The build state (`ok` or `error`), sent when it changes and on connection.
    State,
}

#[derive(Debug, Clone, Default)]
struct State {
    /// Bumped each time the output changes.
    generation: u64,
    /// `file:line:col: message` of each problem; empty when the build is good.
    errors: Vec<String>,
}

/// The state shared by the session thread (which reports) and the HTTP handlers.
pub struct Live {
    state: RwLock<State>,
    events: broadcast::Sender<LiveEvent>,
    /// Distinguishes this server from an earlier one on the same port.
    instance: String,
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

impl Live {
    pub fn new() -> Live {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Live {
            state: RwLock::new(State::default()),
            events: broadcast::channel(64).0,
            instance: format!("{}-{nanos:x}", std::process::id()),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }

    fn read(&self) -> State {
        // A panic elsewhere cannot leave this state half written: take it as it is.
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn write<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut s = self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut s)
    }

    /// The version of the output that is `generation` updates old.
    fn version(&self, generation: u64) -> String {
        format!("{}-{generation}", self.instance)
    }

    /// A successful update that changed `changed` (output paths).
    pub fn succeeded(&self, changed: &[String], css_only: bool) {
        let was_broken = self.write(|s| {
            if !changed.is_empty() {
                s.generation += 1;
            }
            !std::mem::take(&mut s.errors).is_empty()
        });
        if was_broken {
            let _ = self.events.send(LiveEvent::State);
        }
        if changed.is_empty() {
            return;
        }
        let changed = changed.to_vec();
        let _ = self.events.send(if css_only {
            LiveEvent::Css { changed }
        } else {
            LiveEvent::Reload { changed }
        });
    }

    /// A failed update: the output was left as it was.
    pub fn failed(&self, errors: Vec<String>) {
        self.write(|s| s.errors = errors);
        let _ = self.events.send(LiveEvent::State);
    }

    /// The SSE event for `event`, with the current state filled in.
    pub fn sse(&self, event: &LiveEvent) -> Event {
        let state = self.read();
        let version = self.version(state.generation);
        let (name, data) = match event {
            LiveEvent::Reload { changed } => (
                "reload",
                json!({ "version": version, "changed": sample(changed), "count": changed.len() }),
            ),
            LiveEvent::Css { changed } => (
                "css",
                json!({ "version": version, "changed": sample(changed) }),
            ),
            LiveEvent::State if state.errors.is_empty() => ("ok", json!({ "version": version })),
            LiveEvent::State => (
                "error",
                json!({ "version": version, "diagnostics": state.errors }),
            ),
        };
        Event::default().event(name).data(data.to_string())
    }

    /// The build state as JSON, for `/__warraq/status`.
    pub fn status_json(&self) -> String {
        let state = self.read();
        json!({
            "ok": state.errors.is_empty(),
            "version": self.version(state.generation),
            "diagnostics": state.errors,
        })
        .to_string()
    }

    /// What is added before `</body>` of each HTML response: the script and, while the
    /// build is broken, the overlay (so it shows even before the script connects).
    pub fn snippet(&self) -> String {
        let state = self.read();
        let mut out = String::new();
        if !state.errors.is_empty() {
            out.push_str(&overlay_html(&state.errors));
        }
        out.push_str(&format!(
            "<script src=\"{PREFIX}live.js\" data-version=\"{}\"></script>",
            self.version(state.generation)
        ));
        out
    }
}

/// A few changed paths are enough for a log in the browser's console.
fn sample(changed: &[String]) -> &[String] {
    &changed[..changed.len().min(20)]
}

/// The error overlay as HTML; every piece of text escaped.
pub fn overlay_html(errors: &[String]) -> String {
    let mut text = String::new();
    let _ = pulldown_cmark_escape::escape_html(&mut text, &errors.join("\n"));
    format!(
        "<div id=\"__warraq-overlay\" dir=\"ltr\" role=\"alert\" style=\"{OVERLAY_CSS}\">\
         <strong>{OVERLAY_TITLE}</strong>\
         <pre style=\"white-space:pre-wrap;margin:.5em 0 0\">{text}</pre></div>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlay_escapes_what_it_shows() {
        let html = overlay_html(&[
            "content/x.md:2:8: unknown field `<script>alert(1)</script>`".into(),
            "content/y.md: \"quoted\" & 'single'".into(),
        ]);
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;quoted&quot; &amp; "));
        assert!(html.contains("content/x.md:2:8:"));
    }

    #[test]
    fn the_state_follows_the_builds() {
        let live = Live::new();
        let mut rx = live.subscribe();
        let v0 = live.snippet();
        assert!(!live.snippet().contains("__warraq-overlay"));
        live.failed(vec!["content/x.md:1:1: bad <b>".into()]);
        assert!(matches!(rx.try_recv(), Ok(LiveEvent::State)));
        assert!(live.snippet().contains("bad &lt;b&gt;"));
        assert!(live.status_json().contains("\"ok\":false"));
        // Fixed, with output changes: `ok`, then `reload`, and a new version.
        live.succeeded(&["index.html".into()], false);
        assert!(matches!(rx.try_recv(), Ok(LiveEvent::State)));
        assert!(matches!(rx.try_recv(), Ok(LiveEvent::Reload { .. })));
        assert_ne!(live.snippet(), v0);
        assert!(!live.snippet().contains("__warraq-overlay"));
        // Nothing changed: nothing to say.
        live.succeeded(&[], false);
        assert!(rx.try_recv().is_err());
        live.succeeded(&["style.css".into()], true);
        assert!(matches!(rx.try_recv(), Ok(LiveEvent::Css { .. })));
    }

    #[test]
    fn the_script_writes_errors_as_text() {
        let js = script();
        assert!(js.contains("textContent"));
        assert!(!js.contains("innerHTML"));
        assert!(!js.contains("__OVERLAY_CSS__"));
    }
}

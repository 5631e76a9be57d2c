//! HTTP: requests → files of the output folder, the live-reload stream and script.
//!
//! Every request first passes the `Host` check; every response is `no-store`. Files are
//! read from disk on each request (the session writes each one atomically), so serving
//! never waits for a rebuild.

use super::files;
use super::guard;
use super::live::{Live, LiveEvent};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{broadcast, watch};

/// What the handlers share.
pub struct App {
    /// The output folder (canonicalized on each request: a rebuild swaps it).
    pub output: PathBuf,
    pub live: Arc<Live>,
    pub hosts: guard::Hosts,
    /// The live-reload script.
    pub script: String,
    /// Set once the server stops: live-reload streams end.
    pub shutdown: watch::Receiver<bool>,
    /// Live-reload streams still allowed ([`MAX_LIVE_STREAMS`] in all).
    pub streams: Arc<tokio::sync::Semaphore>,
}

/// Most live-reload streams open at once. Each holds a connection (a file descriptor)
/// for as long as its tab is open; a page opening them without end must not take every
/// descriptor the process has and stop the server answering.
pub const MAX_LIVE_STREAMS: usize = 64;

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/__warraq/events", get(events))
        .route("/__warraq/live.js", get(script))
        .route("/__warraq/status", get(status))
        .fallback(file)
        .layer(middleware::from_fn_with_state(app.clone(), check_host))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .with_state(app)
}

/// Every request: the `Host` must be this server's; no response may be cached.
async fn check_host(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let host_ok = guard::host_of(req.headers()).is_some_and(|h| app.hosts.allows(h))
        && req
            .uri()
            .authority()
            .is_none_or(|a| app.hosts.allows(a.as_str()));
    let mut res = if host_ok {
        next.run(req).await
    } else {
        text(
            StatusCode::FORBIDDEN,
            "403 forbidden: this development server answers only to its own address \
             (localhost, 127.0.0.1 or the address it was bound to)\n",
        )
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

fn text(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn events(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if !guard::same_origin(&headers) {
        return text(
            StatusCode::FORBIDDEN,
            "403 forbidden: live reload is for this server's own pages\n",
        );
    }
    let Ok(permit) = app.streams.clone().try_acquire_owned() else {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "503: too many live-reload streams are open; close some tabs of this preview\n",
        );
    };
    struct Stream {
        first: Option<LiveEvent>,
        rx: broadcast::Receiver<LiveEvent>,
        shutdown: watch::Receiver<bool>,
        app: Arc<App>,
        /// Given back when the stream ends.
        _permit: tokio::sync::OwnedSemaphorePermit,
    }
    let state = Stream {
        _permit: permit,
        first: Some(LiveEvent::State),
        rx: app.live.subscribe(),
        shutdown: app.shutdown.clone(),
        app: app.clone(),
    };
    let stream = futures_util::stream::unfold(state, |mut s| async move {
        if let Some(first) = s.first.take() {
            let e = s.app.live.sse(&first);
            return Some((Ok::<_, Infallible>(e), s));
        }
        if *s.shutdown.borrow() {
            return None;
        }
        let event = tokio::select! {
            _ = s.shutdown.changed() => return None,
            r = s.rx.recv() => match r {
                Ok(e) => e,
                // Too slow to follow: whatever was missed, a reload catches up.
                Err(broadcast::error::RecvError::Lagged(_)) => LiveEvent::Reload { changed: Vec::new() },
                Err(broadcast::error::RecvError::Closed) => return None,
            },
        };
        let e = s.app.live.sse(&event);
        Some((Ok(e), s))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

async fn script(State(app): State<Arc<App>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        app.script.clone(),
    )
        .into_response()
}

async fn status(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if !guard::same_origin(&headers) {
        return text(StatusCode::FORBIDDEN, "403 forbidden\n");
    }
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        app.live.status_json(),
    )
        .into_response()
}

/// Any other path: a file of the output folder.
async fn file(State(app): State<Arc<App>>, method: Method, req: Request) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let mut res = text(StatusCode::METHOD_NOT_ALLOWED, "405 method not allowed\n");
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return res;
    }
    let path = match files::parse_path(req.uri().path()) {
        Ok(p) => p,
        Err(files::BadPath(why)) => {
            return (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("400 bad request: {why}\n"),
            )
                .into_response()
        }
    };
    let found = {
        let output = app.output.clone();
        tokio::task::spawn_blocking(move || {
            let root = output.canonicalize().ok()?;
            let found = files::locate(&root, &path);
            Some((found, path))
        })
        .await
        .ok()
        .flatten()
    };
    match found {
        Some((files::Found::File(p), _)) => match send_file(&app, &p, StatusCode::OK).await {
            Some(res) => res,
            None => not_found(&app).await,
        },
        Some((files::Found::AddSlash, path)) => {
            let mut location = String::from("/");
            for seg in &path.segments {
                location.extend(percent_encoding::utf8_percent_encode(seg, SEGMENT));
                location.push('/');
            }
            if let Some(q) = req.uri().query() {
                location.push('?');
                location.push_str(q);
            }
            let mut res = StatusCode::TEMPORARY_REDIRECT.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                res.headers_mut().insert(header::LOCATION, v);
            }
            res
        }
        Some((files::Found::Missing, _)) | None => not_found(&app).await,
    }
}

/// Characters escaped in a path segment of a redirect.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'\\')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The site's `404.html` with status 404, or a bare page saying so (with the live-reload
/// snippet: a browser left on it reloads once the page exists, and a first build that
/// failed shows its errors there).
async fn not_found(app: &App) -> Response {
    let page = {
        let output = app.output.clone();
        tokio::task::spawn_blocking(move || {
            let root = output.canonicalize().ok()?;
            let path = files::parse_path("/404.html").ok()?;
            match files::locate(&root, &path) {
                files::Found::File(p) => Some(p),
                _ => None,
            }
        })
        .await
        .ok()
        .flatten()
    };
    if let Some(p) = page {
        if let Some(res) = send_file(app, &p, StatusCode::NOT_FOUND).await {
            return res;
        }
    }
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>404</title></head>\
         <body><p>404: there is no page here.</p>{}</body></html>\n",
        app.live.snippet()
    );
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

/// A file's bytes with its type; HTML gets the live-reload snippet. `None` when it
/// cannot be read (it may have been removed since it was found).
async fn send_file(app: &App, path: &Path, status: StatusCode) -> Option<Response> {
    let bytes = tokio::fs::read(path).await.ok()?;
    let content_type = files::content_type(path);
    let bytes = if files::is_html(&content_type) {
        files::inject(&bytes, &app.live.snippet())
    } else {
        bytes
    };
    let mut res = Response::new(Body::from(bytes));
    *res.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    Some(res)
}

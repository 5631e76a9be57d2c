//! `warraq serve`: build, watch, serve the output folder over HTTP, reload the browser.
//!
//! Three parts, each on its own: a session thread owns the [`Session`] and the
//! [`Watcher`] and applies each batch of changes (the output is written in place, one
//! file at a time, atomically); the HTTP server (axum on tokio) reads the output folder
//! from disk and never waits for a rebuild; [`live::Live`] carries the result of each
//! update from the first to the second, and on to the browsers as Server-Sent Events.

mod files;
mod guard;
mod live;

use crate::error::BuildFailed;
use crate::session::{Change, Session, Update};
use crate::watch::{Batch, Watcher};
use crate::BuildOptions;
use anyhow::{bail, Context as _, Result};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use live::{Live, LiveEvent};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// The port tried first when none is asked for.
pub const DEFAULT_PORT: u16 = 1111;
/// How many ports after the default are tried when it is taken.
const PORT_TRIES: u16 = 10;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site folder.
    pub root: PathBuf,
    /// The port asked for (`None`: 1111, or the next free one; `Some(0)`: any free one).
    pub port: Option<u16>,
    pub bind: IpAddr,
    pub drafts: bool,
    /// Open the site in the default browser.
    pub open: bool,
}

/// Serves until Ctrl-C (or SIGTERM).
pub fn run(opts: ServeOptions) -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?
        .block_on(serve(opts))
}

async fn serve(opts: ServeOptions) -> Result<()> {
    let root = opts
        .root
        .canonicalize()
        .with_context(|| format!("cannot find the site folder `{}`", opts.root.display()))?;
    let listener = listen(opts.bind, opts.port).await?;
    let addr = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let url = site_url(addr);
    // Links must lead back to this server, not to the public site.
    let build = BuildOptions {
        output: None,
        base_url: Some(url.trim_end_matches('/').to_owned()),
        drafts: opts.drafts,
    };
    let session = Session::new(&root, build)?;
    let output = session.output().to_path_buf();
    // Watching starts before the first build: an edit made during it is not lost.
    let watcher = Watcher::start(&root, &output)?;
    let stopper = watcher.stopper();
    let live = Arc::new(Live::new());
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let reporter = Reporter {
        root: root.clone(),
        shown_root: opts.root.clone(),
        live: live.clone(),
    };
    // Ctrl-C is heard from here on, also during the first build.
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    tokio::spawn(async move {
        stop_signal().await;
        println!("stopping");
        let _ = shutdown_tx.send(true);
    });
    let session_thread = std::thread::Builder::new()
        .name("warraq-session".into())
        .spawn(move || session_loop(session, watcher, reporter, ready_tx))
        .context("cannot start the session thread")?;
    // The first build, reported by the session thread, success or not: a broken site is
    // served as it last was, with the errors over it.
    let mut stop = shutdown_rx.clone();
    tokio::select! {
        _ = ready_rx => {}
        _ = stop.wait_for(|stop| *stop) => {
            // A build writes into a staging folder: the output is left as it was.
            println!("the first build was not finished: the output folder was left as it was");
            return Ok(());
        }
    }

    let app = Arc::new(App {
        output,
        live,
        hosts: guard::Hosts {
            bind: addr.ip(),
            port: addr.port(),
        },
        script: live::script(),
        shutdown: shutdown_rx.clone(),
    });
    if !addr.ip().is_loopback() {
        println!(
            "warning: listening on {}: other machines that can reach it can read the site",
            addr.ip()
        );
    }
    println!("serving {} at {url} (Ctrl-C to stop)", opts.root.display());
    if opts.open {
        open_browser(&url);
    }
    let server = axum::serve(listener, router(app)).with_graceful_shutdown({
        let mut rx = shutdown_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    });
    let mut forced = shutdown_rx;
    tokio::select! {
        r = server => r.context("the server stopped")?,
        // Requests still running get a moment, not forever.
        _ = async {
            let _ = forced.wait_for(|stop| *stop).await;
            tokio::time::sleep(Duration::from_secs(3)).await;
        } => {}
    }
    stopper.stop();
    // The session finishes the update it may be in, then saves its manifest.
    let _ = tokio::task::spawn_blocking(move || session_thread.join()).await;
    Ok(())
}

/// Binds the port asked for; with none asked for, the default or the next free one.
async fn listen(ip: IpAddr, port: Option<u16>) -> Result<tokio::net::TcpListener> {
    let ports = match port {
        Some(p) => p..=p,
        None => DEFAULT_PORT..=DEFAULT_PORT + PORT_TRIES,
    };
    for p in ports.clone() {
        match tokio::net::TcpListener::bind(SocketAddr::new(ip, p)).await {
            Ok(l) => {
                if p != *ports.start() {
                    println!(
                        "port {} is in use: serving on port {p} instead",
                        ports.start()
                    );
                }
                return Ok(l);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot listen on {}", SocketAddr::new(ip, p)))
            }
        }
    }
    if ports.start() == ports.end() {
        bail!(
            "port {} is in use on {ip} (another `warraq serve`?): stop it or pass another `--port`",
            ports.start()
        )
    }
    bail!(
        "ports {} to {} are all in use on {ip}: pass a free one with `--port`",
        ports.start(),
        ports.end()
    )
}

/// The URL to print and to use as `base_url`: a server on all interfaces is reached
/// here through loopback.
fn site_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        println!("cannot open a browser here (no `{opener}`): open {url} yourself");
    }
}

// ── The session thread ────────────────────────────────────────────────────────────

/// Prints each update and hands it to the browsers.
struct Reporter {
    /// The site folder, canonical (the paths in diagnostics start with it).
    root: PathBuf,
    /// The site folder as the user named it (paths are shown under it, like `build`).
    shown_root: PathBuf,
    live: Arc<Live>,
}

impl Reporter {
    /// Reports an update caused by `what` (`None`: the first build).
    fn report(&self, what: Option<&str>, result: Result<Update>) {
        match result {
            Ok(u) => {
                let n = u.changed.len();
                match what {
                    None => println!("built {} files in {} ms", u.rendered, u.elapsed.as_millis()),
                    Some(what) => println!(
                        "{what}: rebuilt in {} ms: {n} file{} changed ({} rendered)",
                        u.elapsed.as_millis(),
                        if n == 1 { "" } else { "s" },
                        u.rendered
                    ),
                }
                self.live.succeeded(&u.changed, u.css_only);
            }
            Err(e) => {
                let lines: Vec<String> = match e.downcast_ref::<BuildFailed>() {
                    Some(failed) => failed
                        .diagnostics
                        .iter()
                        .map(|d| {
                            let mut d = d.clone();
                            d.path = self.shown(&d.path);
                            d.to_string()
                        })
                        .collect(),
                    None => vec![format!("error: {e:#}")],
                };
                for line in &lines {
                    eprintln!("{line}");
                }
                eprintln!(
                    "{}: build failed ({} problem{}): still serving the last good site",
                    what.unwrap_or("first build"),
                    lines.len(),
                    if lines.len() == 1 { "" } else { "s" }
                );
                self.live.failed(lines);
            }
        }
    }

    fn shown(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(&self.root) {
            Ok(rel) if self.shown_root == Path::new(".") => rel.to_path_buf(),
            Ok(rel) => self.shown_root.join(rel),
            Err(_) => path.to_path_buf(),
        }
    }

    /// `content/articles/x.md` or `3 changes`, for the log.
    fn describe(&self, changes: &[Change]) -> String {
        match changes {
            [Change::Config] => "site.toml".into(),
            [Change::Content(p) | Change::Template(p) | Change::Static(p)] => {
                self.shown(p).display().to_string()
            }
            _ => format!("{} changes", changes.len()),
        }
    }
}

fn session_loop(
    mut session: Session,
    mut watcher: Watcher,
    reporter: Reporter,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    // A first build that fails leaves the session without a site: its next `apply`
    // builds everything again.
    reporter.report(None, guarded(|| session.rebuild()));
    let _ = ready.send(());
    while let Some(batch) = watcher.wait() {
        let changes = match batch {
            Batch::Changes(c) => c,
            Batch::Trouble(msg) => {
                eprintln!("warning: watching files: {msg}: rebuilding everything");
                vec![Change::Config]
            }
        };
        let what = reporter.describe(&changes);
        let result = guarded(|| session.apply(&changes));
        let panicked = matches!(&result, Err(e) if e.is::<Panicked>());
        reporter.report(Some(&what), result);
        if panicked {
            // The session's memory cannot be trusted after a panic: start over.
            let again = guarded(|| session.rebuild());
            reporter.report(Some("rebuild after an internal error"), again);
        }
    }
    session.save_manifest();
}

#[derive(Debug)]
struct Panicked;

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("internal error while rebuilding (a bug in warraq: please report it)")
    }
}

impl std::error::Error for Panicked {}

/// Runs an update; a panic in it becomes an error, never the end of the server.
fn guarded(f: impl FnOnce() -> Result<Update>) -> Result<Update> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| Err(Panicked.into()))
}

// ── HTTP ──────────────────────────────────────────────────────────────────────────

struct App {
    output: PathBuf,
    live: Arc<Live>,
    hosts: guard::Hosts,
    script: String,
    shutdown: watch::Receiver<bool>,
}

fn router(app: Arc<App>) -> Router {
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
    struct Stream {
        first: Option<LiveEvent>,
        rx: broadcast::Receiver<LiveEvent>,
        shutdown: watch::Receiver<bool>,
        app: Arc<App>,
    }
    let state = Stream {
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

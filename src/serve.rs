//! `warraq serve`: build, watch, serve the output folder over HTTP, reload the browser.
//!
//! Three parts, each on its own: a session thread (here) owns the [`Session`] and the
//! [`Watcher`] and applies each batch of changes (the output is written in place, one
//! file at a time, atomically); the HTTP server (`http.rs`: axum on tokio, with
//! `files.rs` and `guard.rs`) reads the output folder from disk and never waits for a
//! rebuild; `live.rs` carries the result of each update from the first to the second,
//! and on to the browsers as Server-Sent Events.

mod files;
mod guard;
mod http;
mod live;
pub mod session;
pub mod watch;

use crate::basics::error::BuildFailed;
use crate::build::BuildOptions;
use crate::serve::session::{Session, Update};
use crate::serve::watch::{Batch, Change, Watcher};
use anyhow::{bail, Context as _, Result};
use http::App;
use live::Live;
use std::net::{IpAddr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

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
    pub future: bool,
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
        future: opts.future,
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
    let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
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
        streams: Arc::new(tokio::sync::Semaphore::new(http::MAX_LIVE_STREAMS)),
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
    let server = axum::serve(listener, http::router(app)).with_graceful_shutdown({
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
    publish_photos(&mut session, &reporter);
    // The search index is written once the writer pauses, not on every save (see
    // `Session::refresh_search`); pages are not reloaded for it.
    let pause = std::time::Duration::from_secs(2);
    while let Some(batch) = watcher.wait_for(quiet_for(&session, pause)) {
        let scheduled = matches!(batch, Batch::Quiet) && scheduled_change_due(&session);
        let changes = match batch {
            Batch::Quiet if scheduled => {
                // A scheduled article's moment has come: the site is built again as if
                // its configuration had changed, and open pages reload.
                vec![Change::Config]
            }
            Batch::Quiet => {
                if session.search_is_stale() {
                    match guarded(|| session.refresh_search()) {
                        Ok(u) => {
                            eprintln!("search index updated in {} ms", u.elapsed.as_millis())
                        }
                        Err(e) => eprintln!("warning: the search index was not updated: {e:#}"),
                    }
                }
                continue;
            }
            Batch::Changes(c) => c,
            Batch::Trouble(msg) => {
                eprintln!("warning: watching files: {msg}: rebuilding everything");
                vec![Change::Config]
            }
        };
        let what = if scheduled {
            "scheduled articles (their moment came)".to_owned()
        } else {
            reporter.describe(&changes)
        };
        let result = guarded(|| session.apply(&changes));
        let panicked = matches!(&result, Err(e) if e.is::<Panicked>());
        reporter.report(Some(&what), result);
        publish_photos(&mut session, &reporter);
        if panicked {
            // The session's memory cannot be trusted after a panic: start over.
            let again = guarded(|| session.rebuild());
            reporter.report(Some("rebuild after an internal error"), again);
        }
    }
    session.save_manifest();
}

/// How long the session loop waits for a change before acting by itself: until the
/// writer pauses (when the search index waits for it) or until the next scheduled
/// article's moment, whichever comes first.
fn quiet_for(session: &Session, pause: std::time::Duration) -> Option<std::time::Duration> {
    let search = session.search_is_stale().then_some(pause);
    let scheduled = session.next_change().map(|at| {
        let now = crate::build::site::build_time().unwrap_or_else(|_| jiff::Timestamp::now());
        let left = at.duration_since(now);
        // At least a tick (a moment already passed is acted on at once), and checked
        // again at least hourly (the clock may jump while the machine sleeps).
        std::time::Duration::try_from(left)
            .unwrap_or_default()
            .clamp(
                std::time::Duration::from_millis(50),
                std::time::Duration::from_secs(3600),
            )
    });
    match (search, scheduled) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Whether the next scheduled change of the site held has come.
fn scheduled_change_due(session: &Session) -> bool {
    let now = crate::build::site::build_time().unwrap_or_else(|_| jiff::Timestamp::now());
    session.next_change().is_some_and(|at| at <= now)
}

/// Encodes the photos whose pages were just served without them; the pages reload
/// once their photos are there.
fn publish_photos(session: &mut Session, reporter: &Reporter) {
    if session.photos_pending() {
        reporter.report(Some("photos"), guarded(|| session.publish_pending()));
    }
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

//! The build pipeline: `site.toml` and `content/` in, the output folder out.
//!
//! ```text
//! content/**/*.md ─discover─▶ paths ─load+parse─▶ Page ─assemble─▶ Site ─render─▶ files ─write─▶ public/
//!  (sources::content)   (sources::page, front_matter,  (site)   (render,     (output)
//!                        markdown, text::slug)                   views)
//! ```
//!
//! Each file is read and parsed once: its front matter decides its URL, its body is
//! rendered. The few pages whose bodies link to another source file by its path
//! (`../2019/x.md#id`) are parsed again once every URL is known, so such a link is
//! rendered as that page's URL ([`crate::sources::links`]). `warraq check`
//! ([`crate::check`]) runs the same stages without writing.
//!
//! Every output is a pure function of some pages, the templates and `site.toml`
//! ([`render::Job`]); pages are parsed and outputs rendered in parallel (rayon), and
//! each file is written as soon as it is rendered. A build that finds any problem
//! reports all of them ([`crate::basics::error::BuildFailed`]) and leaves the previous output
//! untouched ([`output`]); the next build reuses what did not change ([`manifest`]).

pub mod manifest;
pub mod output;
pub mod render;
pub mod search_stage;
pub mod sink;
pub mod site;
pub mod views;

use crate::basics::config::{self, Config};
use crate::basics::error::{BuildFailed, Diagnostic};
use crate::basics::spill;
use crate::search;
use crate::sources::page::{self, Page};
use crate::sources::{content, links};
use crate::theme;
use anyhow::{Context as _, Result};
use manifest::Manifest;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What `build` may change from the site's own settings.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Output folder (default: `output_dir` from `site.toml`, relative to the site).
    pub output: Option<PathBuf>,
    /// Overrides `base_url` (e.g. for a preview deployment).
    pub base_url: Option<String>,
    /// Include articles marked `draft: true`.
    pub drafts: bool,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct Report {
    pub output: PathBuf,
    /// Nothing changed since the last build into this output: nothing was done.
    pub up_to_date: bool,
    pub articles: usize,
    pub files: usize,
    pub written: usize,
    pub unchanged: usize,
    pub elapsed: Duration,
    /// Files a host needs ([`output::HOST_FILES`]) kept from the previous output.
    pub kept: Vec<String>,
    /// The previous output could not be removed after the swap: where it is, and why.
    pub leftover: Option<String>,
}

/// At most this much body HTML waits in a build's temporary file; the bodies past it are
/// rendered again from their files when their pages are written. Keeping them saves the
/// second Markdown pass (about 5% of a 10,000-article build, 130 MB of HTML), but writing
/// the file costs more per byte as it grows: at 100,000 articles (1.3 GB) it took more
/// system time than the second pass it saved.
const KEPT_BODY_BYTES: u64 = 256 << 20;

/// Builds the site at `root`.
pub fn build(root: &Path, opts: &BuildOptions) -> Result<Report> {
    build_then(root, opts, Finish::Free)
}

/// Builds the site at `root` in a process that exits next (`warraq build`): the built
/// site stays in memory for the system to take back at exit. It is millions of small
/// allocations (pages, list entries, template values), and freeing them one by one took
/// 50 ms of one core after a 10,000-article build, for nothing.
pub fn build_before_exit(root: &Path, opts: &BuildOptions) -> Result<Report> {
    build_then(root, opts, Finish::LeaveToExit)
}

/// What becomes of a build's memory once its output is in place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Finish {
    Free,
    LeaveToExit,
}

fn build_then(root: &Path, opts: &BuildOptions, finish: Finish) -> Result<Report> {
    let started = Instant::now();
    let mut timer = StageTimer::new();
    let config = load_config(root, opts)?;
    let output = output::resolve(root, &config.output_dir, opts.output.as_deref())?;
    // Held until the output and its manifest are in place: no other build reads the
    // manifest or stages beside the output meanwhile.
    let lock = output::Lock::acquire(&output)?;
    let options = format!("{opts:?}");
    // A manifest whose output folder is gone (removed by hand) has nothing to reuse:
    // not loaded, its files are not looked for one by one. One that no longer
    // describes the folder (a build stopped before its swap, a file deleted or edited
    // by hand) reuses nothing either.
    let previous = if output.is_dir() {
        Manifest::load(&output)
    } else {
        Manifest::default()
    };
    let content_dir = root.join("content");
    let (sources, discovered) = content::discover(root, &content_dir);
    // Whether the previous output is up to date needs the sources' stamps before they
    // are read; a first build takes them as it reads each file (one `stat` fewer each).
    if previous.stamp != 0 {
        let stamps = manifest::source_stamps(&sources);
        if previous.stamp == manifest::stamp(root, &options, &sources, &stamps) {
            return Ok(Report::up_to_date(output, previous.keys.len(), started));
        }
    }
    timer.stage("config+discover");
    // Search text and bodies' HTML wait in temporary files from parsing to writing.
    let vocabulary = if config.search {
        search::index::Vocabulary::keeping_in(spill::Store::temporary())
    } else {
        search::index::Vocabulary::new()
    };
    let bodies = spill::Store::temporary_up_to(KEPT_BODY_BYTES);
    // Loaded before the articles so that parsing knows whether any template shows word
    // counts; their errors wait until the articles' own have been reported.
    let templates = theme::Templates::load(root);
    let keep = page::Keep {
        vocabulary: config.search.then_some(&vocabulary),
        bodies: Some(&bodies),
        uncounted: templates
            .as_ref()
            .is_ok_and(|t| !render::shows_word_counts(t, &config)),
    };
    let (mut pages, problems, targets) = load_sources(root, &config, keep, &sources, discovered);
    if !problems.is_empty() {
        return Err(BuildFailed::from(problems).into());
    }
    // Loaded without problems, the pages are the sources', in order. (Were one not, its
    // stamp would be missing: the next build would build again, never wrongly skip.)
    let stamps: Vec<_> = sources
        .iter()
        .zip(&pages)
        .map(|(source, page)| (page.path == *source).then_some(page.source_stamp))
        .collect();
    let stamp = manifest::stamp(root, &options, &sources, &stamps);
    // Search documents leave the pages so they can be dropped once the index is written.
    let documents = Documents::Taken(page::take_documents(&mut pages));
    timer.stage("load+parse");
    let staging = output::Staging::create(&output, &lock)?;
    let made = make(
        Inputs {
            root,
            config,
            pages,
            targets,
            drafts: opts.drafts,
            templates,
            documents,
            vocabulary: &vocabulary,
            previous: &previous,
        },
        &staging,
        &mut timer,
    )?;
    let Made {
        site,
        renderer,
        job_keys,
        manifest_lines,
        rendered,
        reused,
        search_files,
        mut others,
        kept,
    } = made;
    let assets = others.len() + kept.len();
    others.extend(kept.iter().cloned());
    let committed = staging.commit(Some(output::ManifestParts {
        stamp,
        lines: manifest_lines,
        others,
    }))?;
    let stats = committed.stats;
    drop(lock);
    timer.stage("static+commit");
    let articles = site.articles.len();
    if finish == Finish::LeaveToExit {
        std::mem::forget((site, renderer, vocabulary, job_keys));
    }
    Ok(Report {
        output,
        up_to_date: false,
        articles,
        files: reused + rendered + search_files.len() + assets,
        written: stats.written,
        unchanged: stats.unchanged,
        elapsed: started.elapsed(),
        kept,
        leftover: committed.leftover,
    })
}

/// Where a run's search documents are: taken out of the pages (`build`: each is freed
/// once the index is written) or left in them (`serve`: kept for the next index).
pub(crate) enum Documents {
    Taken(HashMap<PathBuf, search::index::Document>),
    InPages,
}

/// What the stages after loading need.
pub(crate) struct Inputs<'a> {
    pub root: &'a Path,
    pub config: Config,
    pub pages: Vec<Arc<Page>>,
    pub targets: links::Targets,
    pub drafts: bool,
    /// The site's templates, loaded before its articles (they say whether word counts
    /// are shown); their errors are reported once the articles' are.
    pub templates: Result<theme::Templates, Vec<Diagnostic>>,
    pub documents: Documents,
    pub vocabulary: &'a search::index::Vocabulary,
    /// The last build's files and keys: what may be reused (nothing, for `serve`).
    pub previous: &'a Manifest,
}

/// What the stages after loading made.
pub(crate) struct Made {
    pub site: site::Site,
    pub renderer: render::Renderer,
    /// Every job's file and key.
    pub job_keys: Vec<(String, u64)>,
    /// The manifest's lines for the jobs' and the search bundle's files.
    pub manifest_lines: String,
    /// Jobs rendered, and files reused from the last build.
    pub rendered: usize,
    pub reused: usize,
    pub search_files: Vec<String>,
    /// Files copied from the theme's and the site's `static/`.
    pub others: Vec<String>,
    /// Files kept from the previous output for the host ([`output::HOST_FILES`]).
    pub kept: Vec<String>,
}

/// The stages after loading, one for `build` and for `serve`'s full rebuild: assemble
/// the site, write the search bundle, make the renderer, plan (what the last build's
/// output already holds is linked, not rendered), render, copy the static files, keep
/// the host's files. Everything is written into `staging`; committing it is the
/// caller's.
pub(crate) fn make(
    inputs: Inputs<'_>,
    staging: &output::Staging,
    timer: &mut StageTimer,
) -> Result<Made> {
    let Inputs {
        root,
        config,
        pages,
        targets,
        drafts,
        templates,
        documents,
        vocabulary,
        previous,
    } = inputs;
    let site = site::assemble(
        config,
        pages,
        Arc::new(targets),
        site::AssembleOptions { drafts },
    )
    .map_err(BuildFailed::from)?;
    timer.stage("assemble");
    let mut search_keys = HashMap::new();
    // Before rendering, not after: the documents are freed before the renderer's list
    // entries are built.
    let search_files = if site.config.search {
        let files = write_search(
            &site,
            documents,
            vocabulary,
            previous,
            staging,
            &mut search_keys,
        )?;
        timer.stage("search");
        files
    } else {
        Vec::new()
    };
    let renderer = templates
        .and_then(|t| render::Renderer::with_templates(root, t, &site))
        .map_err(BuildFailed::from)?;
    timer.stage("templates");
    let Plan {
        render: jobs,
        reuse,
        keys: job_keys,
    } = plan(&renderer, &site, previous);
    timer.stage("plan");
    for path in &reuse {
        staging
            .link_previous(path)
            .map_err(|d| BuildFailed::from(vec![d]))?;
    }
    // The manifest's lines are made beside the pages, not after them, when one core
    // would do it while the other waits.
    let (rendered, manifest_lines) = rayon::join(
        || renderer.render_all(&site, &jobs, |path, bytes| staging.write(path, bytes)),
        || {
            manifest::text_of(
                job_keys
                    .iter()
                    .map(|(p, k)| (p.as_str(), *k))
                    .chain(search_keys.iter().map(|(p, k)| (p.as_str(), *k))),
            )
        },
    );
    rendered.map_err(BuildFailed::from)?;
    timer.stage("render+write");
    let others = copy_static(root, staging).map_err(BuildFailed::from)?;
    let kept = staging.keep_host_files();
    Ok(Made {
        site,
        renderer,
        job_keys,
        manifest_lines,
        rendered: jobs.len(),
        reused: reuse.len(),
        search_files,
        others,
        kept,
    })
}

/// Which jobs must be rendered, and which outputs of the last build can be reused as
/// they are (same key, file still there).
struct Plan {
    render: Vec<render::Job>,
    reuse: Vec<String>,
    /// Every output file's key, for the next build's manifest.
    keys: Vec<(String, u64)>,
}

fn plan(renderer: &render::Renderer, site: &site::Site, previous: &Manifest) -> Plan {
    // Whether a file can be reused is asked in parallel too (a `stat` each); what is
    // left to one thread is sorting the jobs into two lists. (At 100,000 articles, a map
    // of the 191,000 files' keys made here took 180 ms of one core; the manifest only
    // needs them as a list.)
    let keyed: Vec<(render::Job, String, u64, bool)> = render::jobs(site)
        .into_par_iter()
        .with_max_len(256)
        .map(|job| {
            let file = render::file_for_url(&render::job_url(site, job));
            let key = renderer.job_key(site, job);
            // A manifest that loaded describes the output: its files are all there.
            let reuse = previous.keys.get(&file) == Some(&key);
            (job, file, key, reuse)
        })
        .collect();
    let mut plan = Plan {
        render: Vec::with_capacity(keyed.len()),
        reuse: Vec::new(),
        keys: Vec::with_capacity(keyed.len()),
    };
    for (job, file, key, reuse) in keyed {
        if reuse {
            plan.reuse.push(file.clone());
        } else {
            plan.render.push(job);
        }
        plan.keys.push((file, key));
    }
    plan
}

/// Prints how long each stage took when `WARRAQ_TIMINGS` is set (for profiling).
pub(crate) struct StageTimer {
    on: bool,
    last: Instant,
    /// The process's CPU time (user + system) at `last`.
    last_cpu: Duration,
}

impl StageTimer {
    pub(crate) fn new() -> Self {
        let on = std::env::var_os("WARRAQ_TIMINGS").is_some();
        StageTimer {
            on,
            last: Instant::now(),
            last_cpu: if on { cpu_time() } else { Duration::ZERO },
        }
    }

    pub(crate) fn stage(&mut self, name: &str) {
        if self.on {
            // Resident and peak memory so far, from Linux's /proc (blank elsewhere).
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |k: &str| {
                status
                    .lines()
                    .find(|l| l.starts_with(k))
                    .map_or("", |l| l[k.len()..].trim())
                    .to_owned()
            };
            let cpu = cpu_time();
            eprintln!(
                "{name:>16}: {:>6} ms   cpu {:>6} ms   rss {:>12}   peak {:>12}",
                self.last.elapsed().as_millis(),
                cpu.saturating_sub(self.last_cpu).as_millis(),
                field("VmRSS:"),
                field("VmHWM:")
            );
            self.last_cpu = cpu;
        }
        self.last = Instant::now();
    }
}

/// User and system CPU time of the whole process so far (all threads).
fn cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(
        t.tv_sec.max(0) as u64,
        t.tv_nsec.clamp(0, 999_999_999) as u32,
    )
}

impl Report {
    fn up_to_date(output: PathBuf, files: usize, started: Instant) -> Report {
        Report {
            output,
            up_to_date: true,
            articles: 0,
            files,
            written: 0,
            unchanged: files,
            elapsed: started.elapsed(),
            kept: Vec::new(),
            leftover: None,
        }
    }
}

/// Reads and checks `site.toml`, applying command-line overrides.
pub fn load_config(root: &Path, opts: &BuildOptions) -> Result<Config> {
    let path = root.join("site.toml");
    // Reading a FIFO or device would block or never end: only a regular file is read.
    if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) {
        let message = "not a regular file (a folder, FIFO, socket or device)";
        return Err(BuildFailed::from(vec![Diagnostic::file(&path, message)]).into());
    }
    let text = std::fs::read(&path).with_context(|| {
        format!(
            "cannot read `{}`: is this a warraq site? (`warraq init DIR` makes one)",
            path.display()
        )
    })?;
    let text = crate::basics::decode::decode(text)
        .map_err(|e| BuildFailed::from(vec![e.in_file(&path)]))?;
    let mut config = Config::parse(&text).map_err(|e| BuildFailed::from(vec![e.in_file(&path)]))?;
    if let Some(url) = &opts.base_url {
        config::ensure_base_url(url).map_err(|m| anyhow::anyhow!("--base-url {m}"))?;
        config.set_base_url(url);
    }
    Ok(config)
}

/// Discovers, reads and parses every article in parallel; all problems are returned.
///
/// Pages whose bodies link to other source files (`../2019/x.md`) are parsed again
/// once every page's URL is known, and those links become the URLs.
pub fn load_pages(root: &Path, config: &Config) -> Result<Vec<Arc<Page>>> {
    let (pages, problems, _) = load_all(root, config);
    if problems.is_empty() {
        Ok(pages)
    } else {
        Err(BuildFailed::from(problems).into())
    }
}

/// Every page that parses, every problem found, and the URL of every source file (for
/// links written as paths to `.md` files).
pub fn load_all(root: &Path, config: &Config) -> (Vec<Arc<Page>>, Vec<Diagnostic>, links::Targets) {
    load_all_with(root, config, page::Keep::default())
}

/// [`load_all`], keeping what `keep` asks for (search documents, body HTML).
pub fn load_all_with(
    root: &Path,
    config: &Config,
    keep: page::Keep<'_>,
) -> (Vec<Arc<Page>>, Vec<Diagnostic>, links::Targets) {
    let (paths, problems) = content::discover(root, &root.join("content"));
    load_sources(root, config, keep, &paths, problems)
}

/// [`load_all_with`] for sources already discovered (`problems`: what discovery found).
fn load_sources(
    root: &Path,
    config: &Config,
    keep: page::Keep<'_>,
    paths: &[PathBuf],
    mut problems: Vec<Diagnostic>,
) -> (Vec<Arc<Page>>, Vec<Diagnostic>, links::Targets) {
    let content = content::ContentDir::open(&root.join("content"));
    let load = |path: &PathBuf, targets: &links::Targets| {
        page::load(&content, path, config, targets, keep)
    };
    // One pass: each file is read once, and its front matter decides its URL while its
    // body is rendered. A body that links to another source by its path (`other.md`)
    // needs that file's URL: such pages, few, are loaded again once every URL is known.
    // Each page is put in its `Arc` where it was made: a page is large, and moved from
    // vector to vector, ten thousand of them were megabytes copied by one thread.
    let unknown = links::Targets::default();
    // Small pieces, so that no thread is left alone with a long run at the end.
    let results: Vec<Result<Arc<Page>, Diagnostic>> = paths
        .par_iter()
        .with_max_len(16)
        .map(|path| load(path, &unknown).map(Arc::new))
        .collect();
    let mut pages = collect_ok(results, &mut problems);
    let targets = links::Targets::new(pages.iter().map(|p| (p.rel.clone(), p.url.clone())));
    let again: Vec<usize> = (0..pages.len())
        .into_par_iter()
        .filter(|&i| links::links_to_sources(&pages[i], &targets))
        .collect();
    let reloaded: Vec<(usize, Result<Page, Diagnostic>)> = again
        .into_par_iter()
        .map(|i| (i, load(&pages[i].path, &targets)))
        .collect();
    let mut failed = Vec::new();
    for (i, result) in reloaded {
        match result {
            Ok(page) => pages[i] = Arc::new(page),
            Err(d) => {
                problems.push(d);
                failed.push(i);
            }
        }
    }
    // A file that changed between its two reads and no longer parses is reported.
    for i in failed.into_iter().rev() {
        pages.remove(i);
    }
    (pages, problems, targets)
}

/// The successes, in order; the failures go to `problems`.
fn collect_ok<T>(results: Vec<Result<T, Diagnostic>>, problems: &mut Vec<Diagnostic>) -> Vec<T> {
    let mut ok = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(t) => ok.push(t),
            Err(d) => problems.push(d),
        }
    }
    ok
}

/// Copies the default theme's assets, then the site's `static/` over them, into `sink`
/// (after the pages: a static file may not take the place of a generated page).
/// Returns the files copied.
pub(crate) fn copy_static(
    root: &Path,
    sink: &dyn sink::Sink,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let own = theme::site_files(&root.join("static"), &mut problems);
    let mut copied = Vec::new();
    for (name, bytes) in theme::default_static_files() {
        if own.iter().any(|(n, _)| *n == name) {
            continue;
        }
        match sink.write(&name, bytes) {
            Ok(()) => copied.push(name),
            Err(d) => problems.push(d),
        }
    }
    for (name, path) in own {
        if sink.has(&name) {
            problems.push(Diagnostic::file(
                &path,
                format!("`/{name}` is a page warraq generates: rename this static file"),
            ));
            continue;
        }
        match std::fs::read(&path) {
            Ok(bytes) => match sink.write(&name, &bytes) {
                Ok(()) => copied.push(name),
                Err(d) => problems.push(d),
            },
            Err(e) => problems.push(Diagnostic::file(&path, format!("cannot read: {e}"))),
        }
    }
    if problems.is_empty() {
        Ok(copied)
    } else {
        Err(problems)
    }
}

/// Writes the search bundle through the staging writer, or reuses the last build's when
/// its key (what every article's fragment and words depend on) is unchanged. Returns how
/// many files it holds.
fn write_search(
    site: &site::Site,
    documents: Documents,
    vocabulary: &search::index::Vocabulary,
    previous: &Manifest,
    staging: &output::Staging,
    keys: &mut HashMap<String, u64>,
) -> Result<Vec<String>> {
    let entries = match documents {
        Documents::Taken(mut documents) => search_stage::entries(site, |p| {
            documents.remove(&p.path).map(std::borrow::Cow::Owned)
        })?,
        Documents::InPages => {
            search_stage::entries(site, |p| p.search.as_ref().map(std::borrow::Cow::Borrowed))?
        }
    };
    let key = search_stage::key(&site.config, &entries);
    let prefix = format!("{}/", search::bundle::DIR);
    let old: Vec<(&String, &u64)> = previous
        .keys
        .iter()
        .filter(|(f, _)| f.starts_with(&prefix))
        .collect();
    let reusable = !old.is_empty() && old.iter().all(|(_, k)| **k == key);
    let files = if reusable {
        for (f, _) in &old {
            staging
                .link_previous(f)
                .map_err(|d| BuildFailed::from(vec![d]))?;
        }
        old.into_iter().map(|(f, _)| f.clone()).collect()
    } else {
        let engine = search::bundle::Engine::load(&site.config.language)?;
        search::bundle::write(
            &site.config.language,
            entries,
            vocabulary,
            &engine,
            |path, bytes| staging.write(path, bytes),
        )
        .map_err(BuildFailed::from)?
    };
    keys.extend(files.iter().map(|f| (f.clone(), key)));
    Ok(files)
}

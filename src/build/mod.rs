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

mod load;
mod make;
pub mod manifest;
pub mod output;
pub mod render;
pub mod search_stage;
pub mod sink;
pub mod site;
mod timer;
pub mod views;

pub(crate) use load::load_sources;
pub use load::{load_all, load_all_with, load_config, load_pages};
pub(crate) use make::{make, plan, Documents, Inputs, Made};
pub(crate) use timer::StageTimer;

use crate::basics::error::BuildFailed;
use crate::basics::spill;
use crate::search;
use crate::sources::content;
use crate::sources::page;
use crate::theme;
use anyhow::Result;
use manifest::Manifest;
use std::path::{Path, PathBuf};
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
    /// Include articles whose `publish_at` is still to come.
    pub future: bool,
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
    /// Photo files encoded by this build (the others came from the cache).
    pub photos_encoded: usize,
    /// When scheduled articles next appear or leave, said as the site's clock reads it.
    pub next_change: Option<String>,
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
    let (sources, assets, discovered) = content::discover_all(root, &content_dir);
    // Whether the previous output is up to date needs the sources' stamps before they
    // are read; a first build takes them as it reads each file (one `stat` fewer each).
    // A build for another moment (`WARRAQ_NOW`) never reuses the last one's verdict.
    if previous.stamp != 0 && std::env::var_os("WARRAQ_NOW").is_none() {
        let stamps = manifest::source_stamps(&sources);
        let stamp = manifest::stamp(root, &options, &sources, &stamps);
        if previous.stamp == with_assets(stamp, &assets) {
            return Ok(Report::up_to_date(output, previous.keys.len(), started));
        }
    }
    timer.stage("config+discover");
    // `loaded` lives to the end: the bodies' HTML waits in it until the pages are written.
    let mut loaded = load_for_build(root, &config, &options, &sources, discovered)?;
    loaded.stamp = with_assets(loaded.stamp, &assets);
    timer.stage("load+parse");
    let staging = output::Staging::create(&output, &lock)?;
    let made = make(
        Inputs {
            root,
            config,
            pages: loaded.pages,
            targets: loaded.targets,
            drafts: opts.drafts,
            future: opts.future,
            templates: loaded.templates,
            documents: loaded.documents,
            vocabulary: &loaded.vocabulary,
            previous: &previous,
            photos: loaded.photos.clone(),
            encode: crate::photos::publish::Encode::Now,
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
        photos,
    } = made;
    let copied = others.len() + kept.len() + photos.files.len();
    others.extend(kept.iter().cloned());
    others.extend(photos.files.iter().map(|(f, _)| f.clone()));
    let committed = staging.commit(Some(output::ManifestParts {
        // A site with articles still to appear or leave is never "up to date" by its
        // sources alone: the clock is an input too, so the next build always looks.
        // So is a build for another moment than now (`WARRAQ_NOW`).
        stamp: if site.next_change.is_some() || std::env::var_os("WARRAQ_NOW").is_some() {
            0
        } else {
            loaded.stamp
        },
        lines: manifest_lines,
        others,
    }))?;
    let stats = committed.stats;
    drop(lock);
    timer.stage("static+commit");
    let articles = site.articles.len();
    let next_change = site
        .next_change
        .map(|n| n.describe(site.config.timezone.as_deref()));
    if finish == Finish::LeaveToExit {
        std::mem::forget((site, renderer, loaded.vocabulary, job_keys));
    }
    Ok(Report {
        output,
        up_to_date: false,
        articles,
        files: reused + rendered + search_files.len() + copied,
        written: stats.written,
        unchanged: stats.unchanged,
        elapsed: started.elapsed(),
        kept,
        leftover: committed.leftover,
        photos_encoded: photos.encoded,
        next_change,
    })
}

/// A build's stamp with the stamps of the files beside its articles (their photos):
/// the stamp alone when there are none.
fn with_assets(stamp: u64, assets: &[PathBuf]) -> u64 {
    if assets.is_empty() {
        return stamp;
    }
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&stamp.to_le_bytes());
    for (path, s) in assets.iter().zip(manifest::source_stamps(assets)) {
        h.update(path.as_os_str().as_encoded_bytes());
        h.update(format!("{s:?}").as_bytes());
    }
    h.digest()
}

/// What a build's loading stage hands on.
struct Loaded {
    pages: Vec<std::sync::Arc<page::Page>>,
    targets: crate::sources::links::Targets,
    templates: Result<theme::Templates, Vec<crate::basics::error::Diagnostic>>,
    vocabulary: search::index::Vocabulary,
    documents: Documents,
    /// The sources' stamp, for the manifest.
    stamp: u64,
    /// The site's photos, probed while parsing.
    photos: std::sync::Arc<crate::photos::Photos>,
    /// Where the bodies' HTML waits until the pages are written: held, never read
    /// (the pages hold their places in it).
    _bodies: spill::Store,
}

/// Loads the templates and every source for a one-off build: search text and bodies'
/// HTML wait in temporary files from parsing to writing.
fn load_for_build(
    root: &Path,
    config: &crate::basics::config::Config,
    options: &str,
    sources: &[PathBuf],
    discovered: Vec<crate::basics::error::Diagnostic>,
) -> Result<Loaded> {
    let vocabulary = if config.search {
        search::index::Vocabulary::keeping_in(spill::Store::temporary())
    } else {
        search::index::Vocabulary::new()
    };
    let bodies = spill::Store::temporary_up_to(KEPT_BODY_BYTES);
    let photos = std::sync::Arc::new(crate::photos::Photos::new(root, &config.photos));
    // Loaded before the articles so that parsing knows whether any template shows word
    // counts; their errors wait until the articles' own have been reported.
    let templates = theme::Templates::load(root);
    let keep = page::Keep {
        vocabulary: config.search.then_some(&vocabulary),
        bodies: Some(&bodies),
        uncounted: templates
            .as_ref()
            .is_ok_and(|t| !render::shows_word_counts(t, config)),
        texts: None,
        photos: Some(&photos),
    };
    let (mut pages, problems, targets) = load_sources(root, config, keep, sources, discovered);
    if !problems.is_empty() {
        return Err(BuildFailed::from(problems).into());
    }
    // Loaded without problems, the pages are the sources', in order. (Were one not, its
    // stamp would be missing: the next build would build again, never wrongly skip.)
    let stamps: Vec<_> = sources
        .iter()
        .zip(&pages)
        .map(|(source, page)| (page.path == *source).then_some(page.build.source_stamp))
        .collect();
    let stamp = manifest::stamp(root, options, sources, &stamps);
    // Search documents leave the pages so they can be dropped once the index is written.
    let documents = Documents::Taken(page::take_documents(&mut pages));
    Ok(Loaded {
        pages,
        targets,
        templates,
        vocabulary,
        documents,
        stamp,
        photos,
        _bodies: bodies,
    })
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
            photos_encoded: 0,
            next_change: None,
        }
    }
}

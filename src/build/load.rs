//! The loading stages: `site.toml` and `content/` in, the site's settings and its pages
//! out, every problem found on the way (a file is read once; the few pages whose bodies
//! link to other sources by their path are parsed again once every URL is known).

use super::BuildOptions;
use crate::basics::config::{self, Config};
use crate::basics::error::{BuildFailed, Diagnostic};
use crate::sources::page::{self, Page};
use crate::sources::{content, links};
use anyhow::{Context as _, Result};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
pub(crate) fn load_sources(
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

//! The stages after loading, shared by `build` and `serve`'s full rebuild: the pages in,
//! the site's files in a staging folder out (assemble, search bundle, renderer, plan,
//! render, static files, the host's files).

use super::manifest::{self, Manifest};
use super::{render, search_stage, sink, site, StageTimer};
use crate::basics::config::Config;
use crate::basics::error::{BuildFailed, Diagnostic};
use crate::photos::publish::{uses_of_pages, Encode, Published, Use};
use crate::photos::Photos;
use crate::search;
use crate::sources::links;
use crate::sources::page::Page;
use crate::theme;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a run's search documents are: taken out of the pages (`build`: each is freed
/// once the index is written), left in them (`serve`: kept for the next index), or
/// nowhere (`check`: no search bundle is made).
pub(crate) enum Documents {
    Taken(HashMap<PathBuf, search::index::Document>),
    InPages,
    Skipped,
}

/// What the stages after loading need.
pub(crate) struct Inputs<'a> {
    pub root: &'a Path,
    pub config: Config,
    pub pages: Vec<Arc<Page>>,
    pub targets: links::Targets,
    pub drafts: bool,
    pub future: bool,
    /// The site's templates, loaded before its articles (they say whether word counts
    /// are shown); their errors are reported once the articles' are.
    pub templates: Result<theme::Templates, Vec<Diagnostic>>,
    pub documents: Documents,
    pub vocabulary: &'a search::index::Vocabulary,
    /// The last build's files and keys: what may be reused (nothing, for `serve`).
    pub previous: &'a Manifest,
    /// The site's photos, probed while its pages were parsed.
    pub photos: Arc<Photos>,
    /// Whether photos the cache lacks are encoded now (`build`, `check`) or left in
    /// [`Published::pending`] (`serve` shows its pages first).
    pub encode: Encode,
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
    /// Files kept from the previous output for the host ([`super::output::HOST_FILES`]).
    pub kept: Vec<String>,
    /// The photos' files, and how many were encoded.
    pub photos: Published,
}

/// The stages after loading, one for `build` and for `serve`'s full rebuild: assemble
/// the site, write the search bundle, make the renderer, plan (what the last build's
/// output already holds is linked, not rendered), render, copy the static files, keep
/// the host's files. Everything is written into `staging`; committing it is the
/// caller's.
pub(crate) fn make(
    inputs: Inputs<'_>,
    staging: &dyn sink::Sink,
    timer: &mut StageTimer,
) -> Result<Made> {
    let Inputs {
        root,
        config,
        pages,
        targets,
        drafts,
        future,
        templates,
        documents,
        vocabulary,
        previous,
        photos,
        encode,
    } = inputs;
    // A photo that cannot be published fails the run (`check` reports them itself,
    // beside its other findings).
    if !matches!(documents, Documents::Skipped) {
        let problems = crate::sources::page::photo_problems(pages.iter().map(|p| &**p));
        if !problems.is_empty() {
            return Err(BuildFailed::from(problems).into());
        }
    }
    let mut site = site::assemble(
        config,
        pages,
        Arc::new(targets),
        site::AssembleOptions {
            drafts,
            future,
            now: Some(site::build_time().map_err(|m| anyhow::anyhow!(m))?),
        },
    )
    .map_err(BuildFailed::from)?;
    site.default_image = site_photo(
        root,
        "default_image",
        site.config.photos.default_image.as_deref(),
        &photos,
    )?;
    site.logo = site_photo(root, "logo", site.config.logo.as_deref(), &photos)?;
    site.photos = Some(photos.clone());
    timer.stage("assemble");
    let mut search_keys = HashMap::new();
    // Before rendering, not after: the documents are freed before the renderer's list
    // entries are built.
    let search_files = if site.config.search && !matches!(documents, Documents::Skipped) {
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
        had: _,
    } = plan(&renderer, &site, &previous.keys);
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
    timer.stage("render+write");
    let published = publish_photos(&site, &photos, encode, staging);
    timer.stage("photos");
    // Every problem is reported: a page that fails to render, a photo that cannot be
    // published and a static file in a page's place.
    let (published, others) = match (rendered, published, copy_static(root, staging)) {
        (Ok(_), Ok(published), Ok(others)) => (published, others),
        (rendered, published, copied) => {
            let mut problems = rendered.err().unwrap_or_default();
            problems.extend(published.err().unwrap_or_default());
            problems.extend(copied.err().unwrap_or_default());
            return Err(BuildFailed::from(problems).into());
        }
    };
    photos.save();
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
        photos: published,
    })
}

/// A photo `site.toml` names under `key` (`default_image`, `logo`): a file under the
/// site's folder, written from there.
fn site_photo(
    root: &Path,
    key: &str,
    file: Option<&str>,
    photos: &Photos,
) -> Result<Option<Arc<crate::photos::Photo>>> {
    let Some(file) = file else {
        return Ok(None);
    };
    let toml = root.join("site.toml");
    let problem = |m: String| BuildFailed::from(vec![Diagnostic::file(&toml, m)]);
    // Under `static/` or `content/`, whose files the build's up-to-date check watches.
    let rel =
        crate::photos::locate_from_root(file).map_err(|m| problem(format!("`{key}`: {m}")))?;
    photos
        .photo_at(&root.join(rel))
        .map(Some)
        .map_err(|m| problem(format!("`{key}`: {m}")).into())
}

/// Puts every photo the site's pages show (and its default image) into `sink`.
fn publish_photos(
    site: &site::Site,
    photos: &Photos,
    encode: Encode,
    sink: &dyn sink::Sink,
) -> Result<Published, Vec<Diagnostic>> {
    let mut uses = uses_of_pages(
        site.articles
            .iter()
            .chain(&site.standalone)
            .chain(&site.profiles)
            .map(|p| &**p),
    );
    uses.extend(site.default_image.iter().cloned().map(Use::of_site));
    // The logo needs no social card.
    uses.extend(site.logo.iter().cloned().map(|logo| Use {
        lead: false,
        ..Use::of_site(logo)
    }));
    // What the templates asked for with `photo()`, in this run or earlier ones.
    uses.extend(photos.requested().into_iter().map(Use::of_site));
    if uses.is_empty() {
        return Ok(Published::default());
    }
    crate::photos::publish::publish(photos, uses, encode, &|rel, from| {
        sink.write_file(rel, from)
    })
}

/// Which jobs must be rendered, and which outputs of the last run can be kept as they
/// are (same key; a manifest that loaded, or a session's keys, say the file is there).
pub(crate) struct Plan {
    pub render: Vec<render::Job>,
    pub reuse: Vec<String>,
    /// Every output file's key, for the next run.
    pub keys: Vec<(String, u64)>,
    /// How many of the files had a key in the last run (reused or not): when it is
    /// every file of the last run, no file vanished.
    pub had: usize,
}

/// The plan of a run over `site`, given the last run's keys (`build`: the manifest's;
/// `serve`: those of the output it holds).
pub(crate) fn plan(
    renderer: &render::Renderer,
    site: &site::Site,
    previous: &HashMap<String, u64>,
) -> Plan {
    // Whether a file can be reused is asked in parallel too; what is left to one thread
    // is sorting the jobs into two lists. (At 100,000 articles, a map of the 191,000
    // files' keys made here took 180 ms of one core; the manifest only needs them as a
    // list.)
    let keyed: Vec<(render::Job, String, u64, Option<bool>)> = render::jobs(site)
        .into_par_iter()
        .with_max_len(256)
        .map(|job| {
            let url = render::job_url(site, job);
            let key = renderer.job_key_at(site, job, &url);
            let file = render::file_for_url(&url);
            let same = previous.get(&file).map(|k| *k == key);
            (job, file, key, same)
        })
        .collect();
    let mut plan = Plan {
        render: Vec::with_capacity(keyed.len()),
        reuse: Vec::new(),
        keys: Vec::with_capacity(keyed.len()),
        had: 0,
    };
    for (job, file, key, same) in keyed {
        plan.had += usize::from(same.is_some());
        if same == Some(true) {
            plan.reuse.push(file.clone());
        } else {
            plan.render.push(job);
        }
        plan.keys.push((file, key));
    }
    plan
}

/// Copies the default theme's assets, then the site's `static/` over them, into `sink`
/// (after the pages: a static file may not take the place of a generated page).
/// Returns the files copied.
fn copy_static(root: &Path, sink: &dyn sink::Sink) -> Result<Vec<String>, Vec<Diagnostic>> {
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
    staging: &dyn sink::Sink,
    keys: &mut HashMap<String, u64>,
) -> Result<Vec<String>> {
    let entries = match documents {
        Documents::Taken(mut documents) => search_stage::entries(site, |p| {
            documents.remove(&p.path).map(std::borrow::Cow::Owned)
        })?,
        Documents::InPages | Documents::Skipped => search_stage::entries(site, |p| {
            p.build.search.as_ref().map(std::borrow::Cow::Borrowed)
        })?,
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

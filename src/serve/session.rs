//! File changes → an updated output, for `serve`: a build kept in memory.
//!
//! The session holds every parsed page, the assembled site, the renderer and the key of
//! every output file. A changed article is parsed again alone; the site is re-assembled
//! from shared pages (cheap: pages are `Arc`s); only jobs whose key changed are rendered,
//! and only files whose bytes changed are written, in place, each atomically. A problem
//! in any file stops the update before anything is written, so the last good site stays
//! served; the problem is remembered until that file is fixed or deleted.

use crate::basics::config::Config;
use crate::basics::error::{BuildFailed, Diagnostic};
use crate::build::manifest::Manifest;
use crate::build::render::{self, Job, Renderer};
use crate::build::sink::{InPlace, Sink as _};
use crate::build::site::{self, Site};
use crate::build::{load_config, output, BuildOptions};
use crate::serve::watch::Change;
use crate::sources::links::Targets;
use crate::sources::page::Page;
use anyhow::Result;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What an update did to the output.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// Output files (relative, `/`-separated) whose bytes changed or that were removed.
    pub changed: Vec<String>,
    /// Jobs rendered (their bytes may have stayed the same).
    pub rendered: usize,
    /// Only stylesheets changed: a browser can swap them without reloading.
    pub css_only: bool,
    pub elapsed: Duration,
}

struct State {
    config: Config,
    site: Site,
    renderer: Renderer,
    keys: HashMap<String, u64>,
}

pub struct Session {
    root: PathBuf,
    opts: BuildOptions,
    output: PathBuf,
    lock: output::Lock,
    /// Every page that parsed, by file.
    pages: BTreeMap<PathBuf, Arc<Page>>,
    /// Files that currently fail, with their problems.
    broken: BTreeMap<PathBuf, Diagnostic>,
    /// URL of every source file, for links written as paths to `.md` files.
    targets: Targets,
    held: Held,
    search: SearchState,
}

/// What the session holds.
enum Held {
    /// No build: none yet, or the last full rebuild failed. The next update rebuilds.
    Nothing,
    /// A build, behind the files by what an update that failed left undone.
    Built { state: Box<State>, behind: Behind },
}

/// How far the build held is behind the files after an update failed part-way (a
/// broken template, or a broken article elsewhere): the next update makes up for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Behind {
    /// The site and the templates held are what the files say.
    #[default]
    Nothing,
    /// Pages were read again but the site was not assembled from them.
    Site,
    /// A template changed and was not loaded.
    Templates,
    /// Both.
    SiteAndTemplates,
}

impl Behind {
    fn site(self) -> bool {
        matches!(self, Behind::Site | Behind::SiteAndTemplates)
    }

    fn templates(self) -> bool {
        matches!(self, Behind::Templates | Behind::SiteAndTemplates)
    }

    /// This, and the site or templates more.
    fn and(self, site: bool, templates: bool) -> Behind {
        match (self.site() || site, self.templates() || templates) {
            (false, false) => Behind::Nothing,
            (true, false) => Behind::Site,
            (false, true) => Behind::Templates,
            (true, true) => Behind::SiteAndTemplates,
        }
    }
}

/// The search index is built by [`Session::rebuild`] but not by [`Session::apply`]: an
/// edit re-renders the few pages that show the article in milliseconds, while indexing
/// the whole archive again takes about a second at 10,000 articles, far too long to pay
/// on every save. Edited articles are still parsed for search (their words numbered,
/// their text kept), so [`Session::refresh_search`] only writes the bundle. Until then
/// search answers from the last index.
#[derive(Default)]
struct SearchState {
    vocabulary: crate::search::index::Vocabulary,
    /// Files of the bundle in the output.
    files: Vec<String>,
    stale: bool,
}

impl Session {
    /// Checks the site's settings and output folder; builds nothing yet.
    pub fn new(root: &Path, opts: BuildOptions) -> Result<Session> {
        let config = load_config(root, &opts)?;
        let output = output::resolve(root, &config.output_dir, opts.output.as_deref())?;
        // Held while the session lives: it writes the output in place all along.
        let lock = output::Lock::acquire(&output)?;
        Ok(Session {
            root: root.to_path_buf(),
            opts,
            output,
            lock,
            pages: BTreeMap::new(),
            broken: BTreeMap::new(),
            targets: Targets::default(),
            held: Held::Nothing,
            search: SearchState::default(),
        })
    }

    pub fn output(&self) -> &Path {
        &self.output
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Builds everything from disk (into a staging folder swapped in atomically).
    pub fn rebuild(&mut self) -> Result<Update> {
        let started = Instant::now();
        // While the session writes in place, the manifest of the last `build` no longer
        // describes the output: remove it so a crash cannot leave it trusted.
        Manifest::remove(&self.output);
        // Without a build held, the next update is a rebuild too.
        self.held = Held::Nothing;
        let config = load_config(&self.root, &self.opts)?;
        self.pages.clear();
        self.broken.clear();
        self.search = SearchState::default();
        let keep = crate::sources::page::Keep {
            vocabulary: config.search.then_some(&self.search.vocabulary),
            ..Default::default()
        };
        let (pages, problems, targets) = crate::build::load_all_with(&self.root, &config, keep);
        for d in problems {
            self.broken.insert(d.path.clone(), d);
        }
        for page in pages {
            self.pages.insert(page.path.clone(), page);
        }
        self.targets = targets;
        self.ensure_nothing_broken()?;
        // The build's own stages, into a staging folder swapped in whole; nothing of an
        // earlier build is reused, and the search documents stay in the pages for the
        // next index.
        let staging = output::Staging::create(&self.output, &self.lock)?;
        let made = crate::build::make(
            crate::build::Inputs {
                root: &self.root,
                config: config.clone(),
                pages: self.pages.values().cloned().collect(),
                targets: self.targets.clone(),
                drafts: self.opts.drafts,
                templates: crate::theme::Templates::load(&self.root),
                documents: crate::build::Documents::InPages,
                vocabulary: &self.search.vocabulary,
                previous: &Manifest::default(),
            },
            &staging,
            &mut crate::build::StageTimer::new(),
        )?;
        staging.commit(None)?;
        self.search.files = made.search_files;
        let keys: HashMap<String, u64> = made.job_keys.into_iter().collect();
        let changed = keys.keys().cloned().collect();
        self.held = Held::Built {
            state: Box::new(State {
                config,
                site: made.site,
                renderer: made.renderer,
                keys,
            }),
            behind: Behind::Nothing,
        };
        Ok(Update {
            changed,
            rendered: made.rendered,
            css_only: false,
            elapsed: started.elapsed(),
        })
    }

    /// Applies changes seen on disk. On error nothing was written.
    pub fn apply(&mut self, changes: &[Change]) -> Result<Update> {
        let needs_full = matches!(self.held, Held::Nothing) || changes.contains(&Change::Config);
        if needs_full {
            return self.rebuild();
        }
        let started = Instant::now();
        let mut changed = Vec::new();
        let mut content_changed = false;
        let mut templates_changed = false;
        let mut edits: Vec<Edit> = Vec::new();
        for change in changes {
            match change {
                Change::Content(path) => {
                    let before = self.pages.get(path).cloned();
                    self.reload_page(path);
                    edits.push((before, self.pages.get(path).cloned()));
                    content_changed = true;
                }
                Change::Template(_) => templates_changed = true,
                Change::Static(path) => {
                    // A static file that cannot be copied is remembered like a broken
                    // article; the rest of the batch is still applied.
                    self.broken.remove(path);
                    match self.sync_static(path) {
                        Ok(files) => changed.extend(files),
                        Err(e) => {
                            let d = match e.downcast_ref::<BuildFailed>() {
                                Some(f) if !f.diagnostics.is_empty() => f.diagnostics[0].clone(),
                                _ => Diagnostic::file(path, format!("{e:#}")),
                            };
                            self.broken.insert(path.clone(), d);
                        }
                    }
                }
                Change::Config => unreachable!("handled by the full rebuild above"),
            }
        }
        let css_only = !content_changed
            && !templates_changed
            && !changed.is_empty()
            && changed.iter().all(|f: &String| f.ends_with(".css"));
        if !content_changed && !templates_changed {
            self.ensure_nothing_broken()?;
            return Ok(Update {
                changed,
                rendered: 0,
                css_only,
                elapsed: started.elapsed(),
            });
        }
        // Remembered until applied: an update that fails (a broken template, or a
        // broken article elsewhere) must not leave the old templates or site in use.
        let Held::Built { state, behind } = std::mem::replace(&mut self.held, Held::Nothing) else {
            unreachable!("a rebuild was asked above");
        };
        let was_behind = behind;
        let behind = behind.and(content_changed, templates_changed);
        self.held = Held::Built { state, behind };
        self.ensure_nothing_broken()?;
        let Held::Built { mut state, .. } = std::mem::replace(&mut self.held, Held::Nothing) else {
            unreachable!("held just above");
        };
        // Pages edited in place (the usual keystroke-and-save) skip assembling the site.
        let in_place = (was_behind == Behind::Nothing && behind == Behind::Site)
            .then(|| in_place_edits(edits))
            .flatten();
        let result = match in_place.and_then(|swaps| self.update_in_place(&mut state, &swaps)) {
            Some(result) => result,
            None => self.update_outputs(&mut state, behind.site(), behind.templates()),
        };
        let behind = if result.is_ok() {
            Behind::Nothing
        } else {
            behind
        };
        self.held = Held::Built { state, behind };
        let (rendered, written) = result?;
        changed.extend(written);
        Ok(Update {
            changed,
            rendered,
            css_only: false,
            elapsed: started.elapsed(),
        })
    }

    /// Re-assembles, re-renders the jobs whose key changed and removes outputs that no
    /// longer exist. Returns (jobs rendered, files changed).
    fn update_outputs(
        &mut self,
        state: &mut State,
        content: bool,
        templates: bool,
    ) -> Result<(usize, Vec<String>)> {
        let new_site = if content {
            Some(self.assemble(state.config.clone())?)
        } else {
            None
        };
        let site = new_site.as_ref().unwrap_or(&state.site);
        if templates || state.renderer.lacks_language(site) {
            state.renderer = Renderer::new(&self.root, site).map_err(BuildFailed::from)?;
        } else {
            state.renderer.prepare(site);
        }
        let result = self.render_stale(state, site);
        match result {
            Ok((rendered, changed, keys)) => {
                state.keys = keys;
                if let Some(site) = new_site {
                    state.site = site;
                }
                Ok((rendered, changed))
            }
            Err(failed) => {
                // Keep the renderer's cards in step with the site still held.
                state.renderer.prepare(&state.site);
                Err(failed.forget_written(&mut state.keys))
            }
        }
    }

    /// The fast path for pages edited without moving in the site ([`site::same_place`]):
    /// each is swapped into the site held, only its card is made again, and the jobs
    /// whose key changed are rendered. `None` when a page is not where the site should
    /// hold it (the full path then runs).
    fn update_in_place(
        &self,
        state: &mut State,
        swaps: &[(Arc<Page>, Arc<Page>)],
    ) -> Option<Result<(usize, Vec<String>)>> {
        // (an article?, index, page before, page after)
        let mut placed = Vec::with_capacity(swaps.len());
        for (old, new) in swaps {
            let find = |list: &[Arc<Page>]| list.iter().position(|p| Arc::ptr_eq(p, old));
            if let Some(i) = find(&state.site.articles) {
                placed.push((true, i, old, new));
            } else if let Some(i) = find(&state.site.standalone) {
                placed.push((false, i, old, new));
            } else if !old.draft || self.opts.drafts {
                // Not held, yet not a draft left out: the site is not what we think.
                return None;
            }
        }
        let swap = |state: &mut State, after: bool| {
            for (article, i, old, new) in &placed {
                let list = if *article {
                    &mut state.site.articles
                } else {
                    &mut state.site.standalone
                };
                list[*i] = Arc::clone(if after { new } else { old });
            }
        };
        let cards: Vec<usize> = placed.iter().filter(|p| p.0).map(|p| p.1).collect();
        swap(state, true);
        state.renderer.prepare_changed(&state.site, &cards);
        match self.render_stale(state, &state.site) {
            Ok((rendered, changed, keys)) => {
                state.keys = keys;
                Some(Ok((rendered, changed)))
            }
            Err(failed) => {
                swap(state, false);
                state.renderer.prepare_changed(&state.site, &cards);
                Some(Err(failed.forget_written(&mut state.keys)))
            }
        }
    }

    /// Renders the jobs of `site` whose key differs from the last output; returns (jobs
    /// rendered, files changed, the new keys).
    fn render_stale(&self, state: &State, site: &Site) -> Result<Rendered, Failed> {
        let renderer = &state.renderer;
        // (job, file, key, the last output had the file, with that key); the lookups in
        // the last output's keys run in parallel with the keys.
        let keyed: Vec<(Job, String, u64, bool, bool)> = render::jobs(site)
            .into_par_iter()
            .map(|job| {
                let url = render::job_url(site, job);
                let key = renderer.job_key_at(site, job, &url);
                let file = render::file_for_url(&url);
                let old = state.keys.get(&file);
                (job, file, key, old.is_some(), old == Some(&key))
            })
            .collect();
        let stale: Vec<Job> = keyed
            .iter()
            .filter(|(.., same)| !same)
            .map(|(job, ..)| *job)
            .collect();
        // Every file of the last output is made again (the usual case): none to remove.
        let kept = keyed.iter().filter(|(_, _, _, had, _)| *had).count();
        let sink = InPlace::new(&self.output);
        let rendered = renderer.render_all(site, &stale, |path, bytes| sink.write(path, bytes));
        if let Err(problems) = rendered {
            // Files rendered before the failure are already on disk.
            return Err(Failed {
                error: BuildFailed::from(problems).into(),
                written: sink.into_changed(),
            });
        }
        let jobs = keyed.len();
        let new_keys: HashMap<String, u64> =
            keyed.into_iter().map(|(_, f, k, ..)| (f, k)).collect();
        // (Counting kept files proves nothing if two jobs shared a file.)
        if kept != state.keys.len() || new_keys.len() != jobs {
            sink.remove_vanished(state.keys.keys().filter(|f| !new_keys.contains_key(*f)));
        }
        Ok((stale.len(), sink.into_changed(), new_keys))
    }

    /// Parses one changed (or deleted) file again. When that changes the URL a source
    /// path resolves to, pages linking to `.md` files are parsed again too, so their
    /// rewritten links follow.
    fn reload_page(&mut self, path: &Path) {
        let content = self.root.join("content");
        let relinked = self.reload_one(path, &content);
        if relinked {
            // The pages whose links name this file (by the rule the build uses): its
            // URL appeared, changed or went.
            let rel = path.strip_prefix(&content).unwrap_or(path);
            let linking: Vec<PathBuf> = self
                .pages
                .iter()
                .filter(|(p, page)| {
                    p.as_path() != path
                        && crate::sources::links::sources_linked(page).any(|r| r.starts_with(rel))
                })
                .map(|(p, _)| p.clone())
                .collect();
            for p in linking {
                self.reload_one(&p, &content);
            }
        }
    }

    /// Returns true when the file's URL appeared, changed or disappeared.
    fn reload_one(&mut self, path: &Path, content: &Path) -> bool {
        self.broken.remove(path);
        let rel = path.strip_prefix(content).unwrap_or(path).to_path_buf();
        // The rule discovery applies, asked again at each change: a symlink out of the
        // site made while the server runs is reported, never read.
        let admitted = crate::sources::content::admit(path, &self.root);
        if let Err(d) = &admitted {
            self.pages.remove(path);
            self.broken.insert(path.to_path_buf(), d.clone());
            return self.targets.remove(&rel);
        }
        if admitted != Ok(true) {
            // Deleted or renamed away (a folder removal arrives as the folder's path).
            let before = self.pages.len();
            self.pages.retain(|p, _| !p.starts_with(path));
            self.broken.retain(|p, _| !p.starts_with(path));
            let mut forgot = self.targets.remove(&rel);
            forgot |= self.pages.len() != before;
            return forgot;
        }
        let Held::Built { state, .. } = &self.held else {
            unreachable!("apply checked that a build is held");
        };
        let config = &state.config;
        self.search.stale |= config.search;
        let keep = crate::sources::page::Keep {
            vocabulary: config.search.then_some(&self.search.vocabulary),
            ..Default::default()
        };
        // As the build loads a source, the file's URL recorded once its head is read.
        let mut relinked = false;
        let targets = &mut self.targets;
        let loaded = crate::sources::page::load_with(
            &crate::sources::content::ContentDir::open(content),
            path,
            config,
            keep,
            |head| {
                relinked = targets.set(&rel, head.url());
                &*targets
            },
        );
        match loaded {
            Ok(page) => {
                self.pages.insert(path.to_path_buf(), Arc::new(page));
            }
            Err(d) => {
                self.broken.insert(path.to_path_buf(), d);
            }
        }
        relinked
    }

    /// Copies one static file into the output (or removes it). Returns changed files.
    fn sync_static(&self, path: &Path) -> Result<Vec<String>> {
        let dir = self.root.join("static");
        let Ok(rel) = path.strip_prefix(&dir) else {
            return Ok(Vec::new());
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        // A dangling link is as good as a removed file here; a link out of the site is
        // refused, as `build` refuses it.
        if path.exists() && !path.is_dir() {
            crate::sources::content::ensure_inside_site(path, &self.root)
                .map_err(|d| BuildFailed::from(vec![d]))?;
            let bytes = std::fs::read(path).map_err(|e| {
                BuildFailed::from(vec![Diagnostic::file(path, format!("cannot read: {e}"))])
            })?;
            if output::write_in_place(&self.output, &rel, &bytes)
                .map_err(|d| BuildFailed::from(vec![d]))?
            {
                return Ok(vec![rel]);
            }
            Ok(Vec::new())
        } else {
            // A removed site file uncovers the default theme's file of that name, if any.
            match crate::theme::default_static_files()
                .into_iter()
                .find(|(n, _)| *n == rel)
            {
                Some((_, bytes)) => {
                    output::write_in_place(&self.output, &rel, bytes)
                        .map_err(|d| BuildFailed::from(vec![d]))?;
                }
                None => output::remove_in_place(&self.output, &rel),
            }
            Ok(vec![rel])
        }
    }

    fn ensure_nothing_broken(&self) -> Result<()> {
        if self.broken.is_empty() {
            Ok(())
        } else {
            Err(BuildFailed::from(self.broken.values().cloned().collect::<Vec<_>>()).into())
        }
    }

    fn assemble(&self, config: Config) -> Result<Site> {
        let pages = self.pages.values().cloned().collect();
        site::assemble(
            config,
            pages,
            Arc::new(self.targets.clone()),
            site::AssembleOptions {
                drafts: self.opts.drafts,
            },
        )
        .map_err(|d| BuildFailed::from(d).into())
    }

    /// True when articles changed since the search index was last written.
    pub fn search_is_stale(&self) -> bool {
        self.search.stale
    }

    /// Writes the search index of the site as it is now, in place (see [`SearchState`]).
    pub fn refresh_search(&mut self) -> Result<Update> {
        let started = Instant::now();
        let Held::Built { state, .. } = &self.held else {
            return Ok(Update::default());
        };
        if !state.site.config.search {
            return Ok(Update::default());
        }
        let sink = InPlace::new(&self.output);
        let files = crate::build::search_stage::write_site(
            &state.site,
            &self.search.vocabulary,
            |path, bytes| sink.write(path, bytes),
        )?;
        sink.remove_vanished(&self.search.files);
        let changed = sink.into_changed();
        self.search.files = files;
        self.search.stale = false;
        Ok(Update {
            changed,
            elapsed: started.elapsed(),
            ..Update::default()
        })
    }

    /// Saves the manifest so the next `build` can reuse this session's output.
    pub fn save_manifest(&self) {
        if let Held::Built { state, .. } = &self.held {
            let _ = Manifest::of_output(&self.output, 0, state.keys.clone()).save(&self.output);
        }
    }
}

/// A changed file's page before and after (`None`: no page).
type Edit = (Option<Arc<Page>>, Option<Arc<Page>>);

/// The edits as (before, after) pairs when every one of them leaves its page in place.
fn in_place_edits(edits: Vec<Edit>) -> Option<Vec<(Arc<Page>, Arc<Page>)>> {
    edits
        .into_iter()
        .map(|edit| match edit {
            (Some(old), Some(new)) if site::same_place(&old, &new) => Some((old, new)),
            _ => None,
        })
        .collect()
}

/// Jobs rendered, files changed, and the key of every output file.
type Rendered = (usize, Vec<String>, HashMap<String, u64>);

/// A render that failed part-way, and the files it had already written in place.
struct Failed {
    error: anyhow::Error,
    written: Vec<String>,
}

impl Failed {
    /// Those files no longer hold what their keys describe: forgetting the keys makes
    /// the next update render them again (and a manifest saved meanwhile never lets
    /// `build` reuse them).
    fn forget_written(self, keys: &mut HashMap<String, u64>) -> anyhow::Error {
        for file in self.written {
            keys.remove(&file);
        }
        self.error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn copy_dir(from: &Path, to: &Path) {
        for e in walkdir::WalkDir::new(from) {
            let e = e.unwrap();
            let dest = to.join(e.path().strip_prefix(from).unwrap());
            if e.file_type().is_dir() {
                fs::create_dir_all(&dest).unwrap();
            } else {
                fs::copy(e.path(), &dest).unwrap();
            }
        }
    }

    fn fixture() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(Path::new("tests/fixtures/site"), dir.path());
        let mut s = Session::new(dir.path(), BuildOptions::default()).unwrap();
        s.rebuild().unwrap();
        (dir, s)
    }

    fn article(dir: &Path, name: &str) -> PathBuf {
        walkdir::WalkDir::new(dir.join("content"))
            .into_iter()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().contains(name))
            .unwrap()
            .into_path()
    }

    #[test]
    fn an_edit_rerenders_only_what_shows_it() {
        let (dir, mut s) = fixture();
        let path = article(dir.path(), "الناتو");
        // A new last paragraph: the summary (the first paragraph) shown in lists stays.
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text + "\nفقرة أخيرة جديدة.\n").unwrap();
        let u = s.apply(&[Change::Content(path)]).unwrap();
        // The site feed carries full text; lists carry the unchanged summary.
        let mut changed = u.changed.clone();
        changed.sort();
        assert_eq!(
            changed,
            vec!["articles/الناتو-بعد-الجائحة/index.html", "atom.xml"],
            "{u:?}"
        );
        let html =
            fs::read_to_string(s.output().join("articles/الناتو-بعد-الجائحة/index.html")).unwrap();
        assert!(html.contains("فقرة أخيرة جديدة."));
        // Its page and the lists and feeds that show it; not the whole site.
        let total = walkdir::WalkDir::new(s.output()).into_iter().count();
        assert!(u.rendered > 1 && u.rendered < total / 3, "{u:?}");
    }

    #[test]
    fn a_removed_tag_leaves_its_term_page() {
        let (dir, mut s) = fixture();
        let path = article(dir.path(), "الناتو");
        let before = fs::read_to_string(s.output().join("tags/السياسة/index.html")).unwrap()
            + &fs::read_to_string(s.output().join("tags/السياسة/page/2/index.html")).unwrap();
        assert!(before.contains("الناتو بعد الجائحة"));
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replace("الســياسة", "الدفاع")).unwrap();
        let u = s.apply(&[Change::Content(path)]).unwrap();
        let after = fs::read_to_string(s.output().join("tags/السياسة/index.html")).unwrap()
            + &fs::read_to_string(s.output().join("tags/السياسة/page/2/index.html")).unwrap();
        assert!(!after.contains("الناتو بعد الجائحة"), "{u:?}");
        // Four articles became three: still two pages of two.
        assert!(after.contains("الاتفاق النووي"));
        assert!(s.output().join("tags/الدفاع/index.html").exists());
    }

    #[test]
    fn a_broken_file_keeps_the_last_good_output_until_fixed() {
        let (dir, mut s) = fixture();
        let path = article(dir.path(), "الناتو");
        let good = fs::read_to_string(&path).unwrap();
        let page = s.output().join("articles/الناتو-بعد-الجائحة/index.html");
        let served = fs::read(&page).unwrap();
        fs::write(
            &path,
            good.replacen("title: ", "title: \"unclosed\ntitlex: ", 1),
        )
        .unwrap();
        let e = s.apply(&[Change::Content(path.clone())]).unwrap_err();
        let failed = e.downcast_ref::<BuildFailed>().unwrap();
        assert!(failed.diagnostics[0]
            .path
            .ends_with(path.file_name().unwrap()));
        assert!(failed.diagnostics[0].line.is_some());
        assert_eq!(fs::read(&page).unwrap(), served);
        // Another file changing does not forget the broken one.
        let other = article(dir.path(), "روسيا");
        assert!(s.apply(&[Change::Content(other)]).is_err());
        fs::write(&path, &good).unwrap();
        s.apply(&[Change::Content(path)]).unwrap();
    }

    /// A symlink out of the site made while the server runs (a `git pull` can make one)
    /// is held to the rule `build` applies: reported, never read, its text published
    /// nowhere; removing it clears the error.
    #[test]
    fn a_symlink_out_of_the_site_made_while_serving_is_never_read() {
        let (dir, mut s) = fixture();
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.md");
        fs::write(
            &secret,
            "---\ntitle: سر\ndate: 2020-01-01\n---\nكلمة-سرية-جدا\n",
        )
        .unwrap();
        fs::write(outside.path().join("key.txt"), "مفتاح-سري").unwrap();
        let link = dir.path().join("content/articles/2020/secret.md");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let e = s.apply(&[Change::Content(link.clone())]).unwrap_err();
        assert!(e.to_string().contains("outside the site"), "{e}");
        // An article that was there, replaced by a link: its page goes on being the old.
        let path = article(dir.path(), "الناتو");
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&secret, &path).unwrap();
        assert!(s.apply(&[Change::Content(path.clone())]).is_err());
        let static_link = dir.path().join("static/key.txt");
        fs::create_dir_all(static_link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(outside.path().join("key.txt"), &static_link).unwrap();
        assert!(s.apply(&[Change::Static(static_link.clone())]).is_err());
        for (_, bytes) in walkdir::WalkDir::new(s.output())
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().to_path_buf(), fs::read(e.path()).unwrap()))
        {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("كلمة-سرية-جدا") && !text.contains("مفتاح-سري"));
        }
        fs::remove_file(&link).unwrap();
        fs::remove_file(&static_link).unwrap();
        fs::remove_file(&path).unwrap();
        s.apply(&[
            Change::Content(link),
            Change::Content(path),
            Change::Static(static_link),
        ])
        .unwrap();
    }

    #[test]
    fn a_deleted_article_disappears_everywhere() {
        let (dir, mut s) = fixture();
        let path = article(dir.path(), "روسيا");
        fs::remove_file(&path).unwrap();
        let u = s.apply(&[Change::Content(path)]).unwrap();
        assert!(!s
            .output()
            .join("articles/روسيا-في-الفناء-الخلفي-لواشنطن/index.html")
            .exists());
        assert!(u
            .changed
            .iter()
            .any(|f| f == "articles/روسيا-في-الفناء-الخلفي-لواشنطن/index.html"));
        let tag = fs::read_to_string(s.output().join("tags/روسيا/index.html")).unwrap();
        assert!(!tag.contains("روسيا-في-الفناء-الخلفي-لواشنطن"));
    }

    #[test]
    fn a_broken_template_stays_broken_until_fixed() {
        let (dir, mut s) = fixture();
        let template = dir.path().join("templates/article.html");
        fs::create_dir_all(template.parent().unwrap()).unwrap();
        fs::write(&template, "{% if %}").unwrap();
        assert!(s.apply(&[Change::Template(template.clone())]).is_err());
        // An article edit alone must not render with the old template and report success.
        let path = article(dir.path(), "الناتو");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text + "\nفقرة.\n").unwrap();
        assert!(s.apply(&[Change::Content(path.clone())]).is_err());
        fs::write(&template, "<p>{{ page.title }}</p>").unwrap();
        s.apply(&[Change::Template(template)]).unwrap();
        let html =
            fs::read_to_string(s.output().join("articles/الناتو-بعد-الجائحة/index.html")).unwrap();
        assert!(html.starts_with("<p>الناتو بعد الجائحة"), "{html}");
    }

    /// An article edit that came with a broken template is applied once the template
    /// alone is fixed: the site held is assembled from the edited pages, not kept.
    #[test]
    fn an_edit_that_failed_with_a_template_is_applied_when_the_template_is_fixed() {
        let (dir, mut s) = fixture();
        let template = dir.path().join("templates/article.html");
        fs::create_dir_all(template.parent().unwrap()).unwrap();
        let path = article(dir.path(), "الناتو");
        let text = fs::read_to_string(&path).unwrap();
        fs::write(
            &path,
            text.replacen("الناتو بعد الجائحة", "عنوان جديد للناتو", 1),
        )
        .unwrap();
        fs::write(&template, "{% if %}").unwrap();
        assert!(s
            .apply(&[Change::Content(path), Change::Template(template.clone())])
            .is_err());
        fs::write(&template, "<p>{{ page.title }}</p>").unwrap();
        s.apply(&[Change::Template(template)]).unwrap();
        let home = fs::read_to_string(s.output().join("index.html")).unwrap();
        assert!(
            home.contains("عنوان جديد للناتو"),
            "the lists show the new title"
        );
    }

    #[test]
    fn a_template_change_waits_for_a_broken_article() {
        let (dir, mut s) = fixture();
        let path = article(dir.path(), "الناتو");
        let good = fs::read_to_string(&path).unwrap();
        fs::write(&path, good.replacen("title: ", "title: [", 1)).unwrap();
        let template = dir.path().join("templates/article.html");
        fs::create_dir_all(template.parent().unwrap()).unwrap();
        fs::write(&template, "<p>{{ page.title }}</p>").unwrap();
        let both = [Change::Content(path.clone()), Change::Template(template)];
        assert!(s.apply(&both).is_err());
        // Fixing the article applies the template change that waited.
        fs::write(&path, &good).unwrap();
        s.apply(&[Change::Content(path)]).unwrap();
        let html =
            fs::read_to_string(s.output().join("articles/الناتو-بعد-الجائحة/index.html")).unwrap();
        assert!(html.starts_with("<p>الناتو بعد الجائحة"), "{html}");
    }

    fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
                (rel, fs::read(e.path()).unwrap())
            })
            .collect()
    }

    #[test]
    fn edits_in_place_give_what_a_full_build_gives() {
        let (dir, mut s) = fixture();
        // Body edits (the fast path), a summary edit (lists change), then one that moves
        // the article (a new date: the full path), then a body edit again.
        let path = article(dir.path(), "الناتو");
        let text = fs::read_to_string(&path).unwrap();
        let steps = [
            text.clone() + "\nفقرة أخيرة.\n",
            text.replacen("\n\n", "\n\nجملة أولى جديدة. ", 1),
            text.replacen("date: 2020", "date: 2017", 1),
            text.replacen("date: 2020", "date: 2017", 1) + "\nوأخرى.\n",
        ];
        for step in steps {
            fs::write(&path, step).unwrap();
            s.apply(&[Change::Content(path.clone())]).unwrap();
            // The search index is deferred while editing (see SearchState).
            s.refresh_search().unwrap();
            let other = tempfile::tempdir().unwrap();
            let opts = BuildOptions {
                output: Some(other.path().join("out")),
                ..BuildOptions::default()
            };
            crate::build::build(dir.path(), &opts).unwrap();
            assert_eq!(tree(s.output()), tree(&other.path().join("out")));
        }
    }

    #[test]
    fn css_only_changes_are_marked() {
        let (dir, mut s) = fixture();
        fs::create_dir_all(dir.path().join("static")).unwrap();
        let css = dir.path().join("static/extra.css");
        fs::write(&css, "body{}").unwrap();
        let u = s.apply(&[Change::Static(css)]).unwrap();
        assert!(u.css_only);
        assert_eq!(u.changed, vec!["extra.css".to_owned()]);
    }
}

#[cfg(test)]
mod link_tests {
    use super::*;
    use std::fs;

    #[test]
    fn a_changed_slug_updates_links_written_as_md_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("content/articles/2019")).unwrap();
        fs::write(root.join("site.toml"), "title = \"t\"\n").unwrap();
        let a = root.join("content/articles/2019/a.md");
        let b = root.join("content/articles/2019/b.md");
        fs::write(&a, "---\ntitle: أ\ndate: 2019-01-01\n---\n[ب](b.md)\n").unwrap();
        fs::write(&b, "---\ntitle: ب\ndate: 2019-01-02\n---\nنص\n").unwrap();
        let mut s = Session::new(root, BuildOptions::default()).unwrap();
        s.rebuild().unwrap();
        let page_a = s.output().join("articles/a/index.html");
        assert!(fs::read_to_string(&page_a)
            .unwrap()
            .contains("href=\"/articles/b/\""));
        fs::write(&b, "---\ntitle: ب\ndate: 2019-01-02\nslug: جديد\n---\nنص\n").unwrap();
        s.apply(&[Change::Content(b)]).unwrap();
        let html = fs::read_to_string(&page_a).unwrap();
        assert!(
            html.contains("/articles/%D8%AC%D8%AF%D9%8A%D8%AF/")
                || html.contains("/articles/جديد/"),
            "{html}"
        );
    }
}

#[cfg(test)]
mod fault_tests {
    use super::*;
    use std::fs;

    #[test]
    fn a_dangling_static_link_does_not_stop_an_article_edit_in_the_same_batch() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("content/articles")).unwrap();
        fs::create_dir_all(root.join("static")).unwrap();
        fs::write(root.join("site.toml"), "title = \"t\"\n").unwrap();
        let article = root.join("content/articles/a.md");
        fs::write(&article, "---\ntitle: أ\ndate: 2019-01-01\n---\nأول\n").unwrap();
        let mut s = Session::new(root, BuildOptions::default()).unwrap();
        s.rebuild().unwrap();
        fs::write(&article, "---\ntitle: أ\ndate: 2019-01-01\n---\nثان\n").unwrap();
        let gone = root.join("static/gone.css");
        std::os::unix::fs::symlink("/nonexistent/target", &gone).unwrap();
        s.apply(&[Change::Static(gone), Change::Content(article)])
            .unwrap();
        let page = fs::read_to_string(s.output().join("articles/a/index.html")).unwrap();
        assert!(page.contains("ثان"), "{page}");
    }
}

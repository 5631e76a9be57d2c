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
use crate::build::render::Renderer;
use crate::build::sink::{InPlace, Sink as _};
use crate::build::site::{self, Site};
use crate::build::{load_config, output, BuildOptions};
use crate::photos::publish::uses_of_pages;
use crate::serve::watch::Change;
use crate::sources::links::Targets;
use crate::sources::page::Page;
use anyhow::Result;
use held::{Behind, Held, SearchState, State};
use photos::SitePhotos;
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
    /// The site's photos, probed as pages are parsed.
    photos: Arc<crate::photos::Photos>,
    /// The site's own photos (`[photos] default_image`, `logo`) as the last full
    /// rebuild found them: every assembled site names them.
    site_photos: SitePhotos,
    /// Photos whose pages are served but whose files are not encoded yet: a reload is
    /// never held behind encoding ([`Session::publish_pending`]).
    pending: Vec<crate::photos::publish::Use>,
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
            photos: Arc::new(crate::photos::Photos::new(root, &config.photos)),
            pending: Vec::new(),
            site_photos: SitePhotos::default(),
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
        self.photos = Arc::new(crate::photos::Photos::new(&self.root, &config.photos));
        let keep = crate::sources::page::Keep {
            vocabulary: config.search.then_some(&self.search.vocabulary),
            photos: Some(&self.photos),
            ..Default::default()
        };
        let (pages, problems, targets) = crate::build::load_all_with(&self.root, &config, keep);
        for d in problems {
            self.broken.insert(d.path.clone(), d);
        }
        for d in crate::sources::page::photo_problems(pages.iter().map(|p| &**p)) {
            self.broken.entry(d.path.clone()).or_insert(d);
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
                future: self.opts.future,
                templates: crate::theme::Templates::load(&self.root),
                documents: crate::build::Documents::InPages,
                vocabulary: &self.search.vocabulary,
                previous: &Manifest::default(),
                photos: self.photos.clone(),
                encode: crate::photos::publish::Encode::Later,
            },
            &staging,
            &mut crate::build::StageTimer::new(),
        )?;
        staging.commit(None)?;
        self.pending = made.photos.pending;
        self.site_photos = SitePhotos {
            default_image: made.site.default_image.clone(),
            logo: made.site.logo.clone(),
        };
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
        let needs_full = matches!(self.held, Held::Nothing)
            || changes.contains(&Change::Config)
            || self.site_photo_changed(changes);
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
                    // A photo beside an article: the articles showing it instead.
                    if !self.reload_showing(path, &mut edits) {
                        edits.push(self.reload_edit(path));
                    }
                    content_changed = true;
                }
                Change::Template(_) => templates_changed = true,
                Change::Static(path) => {
                    content_changed |= self.reload_showing(path, &mut edits);
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
        // The photos of the pages edited, published once their pages are written.
        let uses = uses_of_pages(edits.iter().filter_map(|(_, after)| after.as_deref()));
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
        changed.extend(self.publish_shown(uses)?);
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
        let plan = crate::build::plan(renderer, site, &state.keys);
        let sink = InPlace::new(&self.output);
        let rendered =
            renderer.render_all(site, &plan.render, |path, bytes| sink.write(path, bytes));
        if let Err(problems) = rendered {
            // Files rendered before the failure are already on disk.
            return Err(Failed {
                error: BuildFailed::from(problems).into(),
                written: sink.into_changed(),
            });
        }
        let jobs = plan.keys.len();
        let new_keys: HashMap<String, u64> = plan.keys.into_iter().collect();
        // Every file of the last output is made again (the usual case): none to remove.
        // (Counting kept files proves nothing if two jobs shared a file.)
        if plan.had != state.keys.len() || new_keys.len() != jobs {
            sink.remove_vanished(state.keys.keys().filter(|f| !new_keys.contains_key(*f)));
        }
        Ok((plan.render.len(), sink.into_changed(), new_keys))
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
        let mut site = site::assemble(
            config,
            pages,
            Arc::new(self.targets.clone()),
            site::AssembleOptions {
                drafts: self.opts.drafts,
                future: self.opts.future,
                now: Some(site::build_time().map_err(|m| anyhow::anyhow!(m))?),
            },
        )
        .map_err(BuildFailed::from)?;
        site.photos = Some(self.photos.clone());
        site.default_image = self.site_photos.default_image.clone();
        site.logo = self.site_photos.logo.clone();
        Ok(site)
    }

    /// True when articles changed since the search index was last written.
    pub fn search_is_stale(&self) -> bool {
        self.search.stale
    }

    /// When the site held changes by itself next: a scheduled article appears or one
    /// expires (the dev server rebuilds then, with no file saved).
    pub fn next_change(&self) -> Option<jiff::Timestamp> {
        match &self.held {
            Held::Built { state, .. } => state.site.next_change.map(|n| n.at),
            _ => None,
        }
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

mod held;
mod photos;
mod reload;
#[cfg(test)]
mod tests;

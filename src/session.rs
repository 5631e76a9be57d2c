//! File changes → an updated output, for `serve`: a build kept in memory.
//!
//! The session holds every parsed page, the assembled site, the renderer and the key of
//! every output file. A changed article is parsed again alone; the site is re-assembled
//! from shared pages (cheap: pages are `Arc`s); only jobs whose key changed are rendered,
//! and only files whose bytes changed are written, in place, each atomically. A problem
//! in any file stops the update before anything is written, so the last good site stays
//! served; the problem is remembered until that file is fixed or deleted.

use crate::config::Config;
use crate::error::{BuildFailed, Diagnostic};
use crate::manifest::Manifest;
use crate::page::Page;
use crate::render::{self, Job, Renderer};
use crate::site::{self, Site};
use crate::{load_config, output, BuildOptions};
use anyhow::Result;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What changed on disk, as the watcher classifies it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Change {
    /// An article or page under `content/` (created, edited or deleted).
    Content(PathBuf),
    /// Anything under `templates/`.
    Template(PathBuf),
    /// A file under `static/`.
    Static(PathBuf),
    /// `site.toml`.
    Config,
}

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
    /// Every page that parsed, by file.
    pages: BTreeMap<PathBuf, Arc<Page>>,
    /// Files that currently fail, with their problems.
    broken: BTreeMap<PathBuf, Diagnostic>,
    state: Option<State>,
    search: SearchState,
}

/// The search index is built by [`Session::rebuild`] but not by [`Session::apply`]: an
/// edit re-renders the few pages that show the article in milliseconds, while indexing
/// the whole archive again takes about a second at 10,000 articles, far too long to pay
/// on every save. Edited articles are still parsed for search (their words numbered,
/// their text kept), so [`Session::refresh_search`] only writes the bundle; the server
/// calls it once the writer pauses. Until then search answers from the last index.
#[derive(Default)]
struct SearchState {
    vocabulary: crate::search_index::Vocabulary,
    /// Files of the bundle in the output.
    files: Vec<String>,
    stale: bool,
}

impl Session {
    /// Checks the site's settings and output folder; builds nothing yet.
    pub fn new(root: &Path, opts: BuildOptions) -> Result<Session> {
        let config = load_config(root, &opts)?;
        let output = match &opts.output {
            Some(o) => o.clone(),
            None => root.join(&config.output_dir),
        };
        output::ensure_safe_output_dir(root, &output)?;
        Ok(Session {
            root: root.to_path_buf(),
            opts,
            output,
            pages: BTreeMap::new(),
            broken: BTreeMap::new(),
            state: None,
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
        self.state = None;
        let config = load_config(&self.root, &self.opts)?;
        self.pages.clear();
        self.broken.clear();
        let content = self.root.join("content");
        let (paths, problems) = crate::content::discover(&self.root, &content);
        for d in problems {
            self.broken.insert(d.path.clone(), d);
        }
        self.search = SearchState::default();
        let vocabulary = config.search.then_some(&self.search.vocabulary);
        let loaded: Vec<(PathBuf, Result<Page, Diagnostic>)> = paths
            .into_par_iter()
            .map(|p| {
                let rel = p.strip_prefix(&content).unwrap_or(&p).to_path_buf();
                let page = crate::page::load(&p, &rel, &config, vocabulary);
                (p, page)
            })
            .collect();
        for (path, result) in loaded {
            match result {
                Ok(page) => {
                    self.pages.insert(path, Arc::new(page));
                }
                Err(d) => {
                    self.broken.insert(path, d);
                }
            }
        }
        self.ensure_nothing_broken()?;
        let site = self.assemble(config.clone())?;
        let renderer = Renderer::new(&self.root, &site).map_err(BuildFailed::from)?;
        let keys = all_keys(&renderer, &site);
        let staging = output::Staging::create(&self.output)?;
        if site.config.search {
            self.search.files =
                crate::search_bundle::write_site(&site, &self.search.vocabulary, |path, bytes| {
                    staging.write(path, bytes)
                })?;
        }
        let jobs = render::jobs(&site);
        renderer
            .render_all(&site, &jobs, |path, bytes| staging.write(path, bytes))
            .map_err(BuildFailed::from)?;
        copy_static_into(&self.root, &staging)?;
        staging.commit()?;
        let changed = keys.keys().cloned().collect();
        self.state = Some(State {
            config,
            site,
            renderer,
            keys,
        });
        Ok(Update {
            changed,
            rendered: jobs.len(),
            css_only: false,
            elapsed: started.elapsed(),
        })
    }

    /// Applies changes seen on disk. On error nothing was written.
    pub fn apply(&mut self, changes: &[Change]) -> Result<Update> {
        let needs_full = self.state.is_none() || changes.contains(&Change::Config);
        if needs_full {
            return self.rebuild();
        }
        let started = Instant::now();
        let mut changed = Vec::new();
        let mut content_changed = false;
        let mut templates_changed = false;
        for change in changes {
            match change {
                Change::Content(path) => {
                    self.reload_page(path);
                    content_changed = true;
                }
                Change::Template(_) => templates_changed = true,
                Change::Static(path) => changed.extend(self.sync_static(path)?),
                Change::Config => unreachable!("handled by the full rebuild above"),
            }
        }
        let css_only = !content_changed
            && !templates_changed
            && !changed.is_empty()
            && changed.iter().all(|f: &String| f.ends_with(".css"));
        if !content_changed && !templates_changed {
            return Ok(Update {
                changed,
                rendered: 0,
                css_only,
                elapsed: started.elapsed(),
            });
        }
        self.ensure_nothing_broken()?;
        let mut state = self.state.take().expect("checked above");
        let result = self.update_outputs(&mut state, content_changed, templates_changed);
        self.state = Some(state);
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
            Err(e) => {
                // Keep the renderer's cards in step with the site still held.
                state.renderer.prepare(&state.site);
                Err(e)
            }
        }
    }

    /// Renders the jobs of `site` whose key differs from the last output; returns (jobs
    /// rendered, files changed, the new keys).
    fn render_stale(
        &self,
        state: &State,
        site: &Site,
    ) -> Result<(usize, Vec<String>, HashMap<String, u64>)> {
        let renderer = &state.renderer;
        let keyed: Vec<(Job, String, u64)> = render::jobs(site)
            .into_par_iter()
            .map(|job| {
                let file = render::file_for_url(&render::job_url(site, job));
                let key = renderer.job_key(site, job);
                (job, file, key)
            })
            .collect();
        let stale: Vec<Job> = keyed
            .iter()
            .filter(|(_, file, key)| state.keys.get(file) != Some(key))
            .map(|(job, _, _)| *job)
            .collect();
        let written = std::sync::Mutex::new(Vec::new());
        renderer
            .render_all(site, &stale, |path, bytes| {
                if output::write_in_place(&self.output, path, bytes)? {
                    written
                        .lock()
                        .expect("no panics while holding")
                        .push(path.to_owned());
                }
                Ok(())
            })
            .map_err(BuildFailed::from)?;
        let mut changed = written.into_inner().expect("no panics while holding");
        let new_keys: HashMap<String, u64> = keyed.into_iter().map(|(_, f, k)| (f, k)).collect();
        for old in state.keys.keys() {
            if !new_keys.contains_key(old) {
                output::remove_in_place(&self.output, old);
                changed.push(old.clone());
            }
        }
        Ok((stale.len(), changed, new_keys))
    }

    /// True when articles changed since the search index was last written.
    pub fn search_is_stale(&self) -> bool {
        self.search.stale
    }

    /// Writes the search index of the site as it is now, in place (see [`SearchState`]).
    pub fn refresh_search(&mut self) -> Result<Update> {
        let started = Instant::now();
        let Some(state) = self.state.as_ref().filter(|s| s.site.config.search) else {
            return Ok(Update::default());
        };
        let (files, changed) = crate::search_bundle::write_in_place(
            &state.site,
            &self.search.vocabulary,
            &self.output,
            &self.search.files,
        )?;
        self.search.files = files;
        self.search.stale = false;
        Ok(Update {
            changed,
            elapsed: started.elapsed(),
            ..Update::default()
        })
    }

    fn reload_page(&mut self, path: &Path) {
        self.broken.remove(path);
        self.search.stale |= self.state.as_ref().is_some_and(|s| s.config.search);
        let content = self.root.join("content");
        let is_article = path.extension().is_some_and(|e| e == "md")
            && !path.file_name().is_some_and(crate::content::is_ignored);
        if !is_article || !path.exists() {
            // Deleted or renamed away (a folder removal arrives as its files' paths or
            // as the folder itself).
            self.pages.retain(|p, _| !p.starts_with(path));
            self.broken.retain(|p, _| !p.starts_with(path));
            return;
        }
        let rel = path.strip_prefix(&content).unwrap_or(path).to_path_buf();
        let config = &self.state.as_ref().expect("apply checked the state").config;
        let vocabulary = config.search.then_some(&self.search.vocabulary);
        match crate::page::load(path, &rel, config, vocabulary) {
            Ok(page) => {
                self.pages.insert(path.to_path_buf(), Arc::new(page));
            }
            Err(d) => {
                self.broken.insert(path.to_path_buf(), d);
            }
        }
    }

    /// Copies one static file into the output (or removes it). Returns changed files.
    fn sync_static(&self, path: &Path) -> Result<Vec<String>> {
        let dir = self.root.join("static");
        let Ok(rel) = path.strip_prefix(&dir) else {
            return Ok(Vec::new());
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if path.is_file() {
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
            site::AssembleOptions {
                drafts: self.opts.drafts,
            },
        )
        .map_err(|d| BuildFailed::from(d).into())
    }

    /// Saves the manifest so the next `build` can reuse this session's output.
    pub fn save_manifest(&self) {
        if let Some(state) = &self.state {
            let _ = Manifest {
                stamp: 0,
                keys: state.keys.clone(),
            }
            .save(&self.output);
        }
    }
}

fn all_keys(renderer: &Renderer, site: &Site) -> HashMap<String, u64> {
    render::jobs(site)
        .into_par_iter()
        .map(|job| {
            (
                render::file_for_url(&render::job_url(site, job)),
                renderer.job_key(site, job),
            )
        })
        .collect()
}

fn copy_static_into(root: &Path, staging: &output::Staging) -> Result<()> {
    crate::copy_static(root, staging)
        .map(|_| ())
        .map_err(|d| BuildFailed::from(d).into())
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

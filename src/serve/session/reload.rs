//! A change on disk → the session's pages and the output's static files: a changed
//! source is loaded again by the build's own loader (and the pages linking to it by its
//! path when its URL moved); a static file is copied in place, or the theme's file of
//! its name uncovered when it is removed.

use super::{Edit, Held, Session};
use crate::basics::error::{BuildFailed, Diagnostic};
use crate::build::output;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::sync::Arc;

impl Session {
    /// Parses `path` again: the page before and after (an [`Edit`]).
    pub(super) fn reload_edit(&mut self, path: &Path) -> Edit {
        let before = self.pages.get(path).cloned();
        self.reload_page(path);
        (before, self.pages.get(path).cloned())
    }

    /// Parses one changed (or deleted) file again. When that changes the URL a source
    /// path resolves to, pages linking to `.md` files are parsed again too, so their
    /// rewritten links follow.
    pub(super) fn reload_page(&mut self, path: &Path) {
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
        // Added, edited, broken or deleted: the index no longer matches the pages.
        if let Held::Built { state, .. } = &self.held {
            self.search.stale |= state.config.search;
        }
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
        let keep = crate::sources::page::Keep {
            vocabulary: config.search.then_some(&self.search.vocabulary),
            photos: Some(&self.photos),
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
                // A photo that cannot be published is shown as the file's problem.
                let problems = crate::sources::page::photo_problems(std::iter::once(&page));
                if let Some(d) = problems.into_iter().next() {
                    self.broken.insert(path.to_path_buf(), d);
                }
                self.pages.insert(path.to_path_buf(), Arc::new(page));
            }
            Err(d) => {
                self.broken.insert(path.to_path_buf(), d);
            }
        }
        relinked
    }

    /// Copies one static file into the output (or removes it). Returns changed files.
    pub(super) fn sync_static(&self, path: &Path) -> Result<Vec<String>> {
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
}

//! Templates and assets → a compiled [`Templates`] set: the default theme embedded in
//! the binary, overridden file by file by the site's own `templates/` and `static/`.

use crate::basics::error::Diagnostic;
use include_dir::{include_dir, Dir, DirEntry};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use tera::{ErrorKind, Tera};
use walkdir::WalkDir;

static DEFAULT_TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");
static DEFAULT_STATIC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/static");

/// The compiled templates, and which of them the site provides itself.
pub struct Templates {
    pub tera: Tera,
    root: PathBuf,
    own: HashSet<String>,
    /// Per template: a hash of its source and of every template it extends or
    /// includes, transitively. A job's output depends on exactly these sources.
    versions: HashMap<String, u64>,
    /// Every template's source, by name, for [`Templates::mentions`].
    sources: BTreeMap<String, String>,
}

impl Templates {
    /// Compiles the default templates with the site's own ones in their place.
    pub fn load(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
        let mut sources: BTreeMap<String, String> = BTreeMap::new();
        for (name, bytes) in embedded_files(&DEFAULT_TEMPLATES) {
            sources.insert(name, String::from_utf8_lossy(bytes).into_owned());
        }
        let mut own = HashSet::new();
        let mut problems = Vec::new();
        let dir = root.join("templates");
        for (name, path) in site_files(&dir, &mut problems) {
            let text = match std::fs::read(&path) {
                Ok(bytes) => crate::basics::decode::decode(bytes).map_err(|e| e.in_file(&path)),
                Err(e) => Err(Diagnostic::file(&path, format!("cannot read: {e}"))),
            };
            match text {
                Ok(text) => {
                    sources.insert(name.clone(), text);
                    own.insert(name);
                }
                Err(d) => problems.push(d),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut templates = Templates {
            tera: Tera::new(),
            root: root.to_path_buf(),
            own,
            versions: versions(&sources),
            sources: BTreeMap::new(),
        };
        // Templates name their functions when they are compiled: `photo()` is known here
        // and given its photos when the renderer is made.
        crate::build::render::photo_fn::declare(&mut templates.tera);
        if let Err(e) = templates.tera.add_raw_templates(sources.iter()) {
            return Err(templates.errors(&e, ""));
        }
        templates.sources = sources;
        Ok(templates)
    }

    /// Tells whether a name is in the sources of the templates `roots`, of those they
    /// extend, include or import (transitively), or of any template defining a component.
    /// A value only some templates use can be left out of the contexts when no template
    /// that renders mentions it: a template reaches a variable or field only by its name
    /// (directly, in a parent's block, through an include, or as a component's implicit
    /// argument), and the name is then in one of these sources.
    pub fn mentions(&self, roots: &[&str]) -> impl Fn(&str) -> bool + '_ {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = roots.to_vec();
        stack.extend(
            self.sources
                .iter()
                .filter(|(_, s)| s.contains("component"))
                .map(|(n, _)| n.as_str()),
        );
        while let Some(n) = stack.pop() {
            if seen.insert(n) {
                if let Some(src) = self.sources.get(n) {
                    stack.extend(references(src));
                }
            }
        }
        let texts: Vec<&str> = seen
            .into_iter()
            .filter_map(|n| self.sources.get(n).map(String::as_str))
            .collect();
        move |name: &str| texts.iter().any(|t| t.contains(name))
    }

    /// The version of a template and everything it uses (0 for unknown names).
    pub fn version(&self, name: &str) -> u64 {
        self.versions.get(name).copied().unwrap_or(0)
    }

    /// The file a template comes from, as shown in messages.
    pub fn path_of(&self, name: &str) -> PathBuf {
        if self.own.contains(name) {
            self.root.join("templates").join(name)
        } else {
            PathBuf::from(format!("(default theme) templates/{name}"))
        }
    }

    /// A Tera error as `templates/x.html:LINE:COL: message` (the first, if it holds several).
    pub fn error(&self, e: &tera::Error, template: &str) -> Diagnostic {
        let mut all = self.errors(e, template);
        all.truncate(1);
        all.pop()
            .unwrap_or_else(|| Diagnostic::file(&self.path_of(template), "template error"))
    }

    /// Every problem a Tera error holds, each blamed on the template it is in.
    pub fn errors(&self, e: &tera::Error, template: &str) -> Vec<Diagnostic> {
        match e.kind() {
            ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
                let name = if r.filename().is_empty() {
                    template
                } else {
                    r.filename()
                };
                vec![Diagnostic {
                    path: self.path_of(name),
                    line: Some(r.span().start_line),
                    col: Some(r.span().start_col + 1),
                    message: format!("template error: {}", r.message()),
                }]
            }
            ErrorKind::Msg(text) if !self.reports(text).is_empty() => self.reports(text),
            kind => {
                let name = match kind {
                    ErrorKind::CircularExtend { tpl, .. }
                    | ErrorKind::CircularInclude { tpl, .. } => tpl.as_str(),
                    ErrorKind::MissingParent { current, .. } => current.as_str(),
                    _ => template,
                };
                let mut message = format!("template error: {e}");
                let mut source = std::error::Error::source(e);
                while let Some(s) = source {
                    message.push_str(&format!(": {s}"));
                    source = s.source();
                }
                vec![Diagnostic::file(&self.path_of(name), message)]
            }
        }
    }

    /// Tera's checks after parsing (an included template or a parent's block that does not
    /// exist) return one message holding a report per problem: `error: WHAT` then
    /// ` --> NAME:LINE:COL`. Empty if the text is not made of such reports.
    fn reports(&self, text: &str) -> Vec<Diagnostic> {
        let parse = |report: &str| -> Option<Diagnostic> {
            let mut lines = report.trim_start_matches('\n').lines();
            let message = lines.next()?.strip_prefix("error: ")?;
            let at = lines.next()?.trim_start().strip_prefix("--> ")?;
            let mut parts = at.rsplitn(3, ':');
            let col = parts.next()?.parse().ok()?;
            let line = parts.next()?.parse().ok()?;
            let name = parts.next()?;
            Some(Diagnostic {
                path: self.path_of(name),
                line: Some(line),
                col: Some(col),
                message: format!("template error: {message}"),
            })
        };
        text.split("\n\n")
            .map(parse)
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default()
    }
}

/// Names a template refers to with `extends`, `include` or `import`.
fn references(source: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for tag in source.split("{%").skip(1) {
        let tag = tag.trim_start_matches(['-', ' ', '\n', '\t']);
        if ["extends", "include", "import"]
            .iter()
            .any(|k| tag.starts_with(k))
        {
            let quoted = tag.split(['"', '\'']).nth(1);
            if let Some(name) = quoted {
                out.push(name);
            }
        }
    }
    out
}

fn versions(sources: &BTreeMap<String, String>) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    for name in sources.keys() {
        let mut seen = BTreeSet::new();
        let mut stack = vec![name.as_str()];
        while let Some(n) = stack.pop() {
            if seen.insert(n) {
                if let Some(src) = sources.get(n) {
                    stack.extend(references(src));
                }
            }
        }
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for n in seen {
            h.update(n.as_bytes());
            h.update(sources.get(n).map_or(&b""[..], |s| s.as_bytes()));
        }
        out.insert(name.clone(), h.digest());
    }
    out
}

/// Names in `static/` that are not part of the site: version control's folders, the
/// files systems and editors leave beside others. Other dotfiles (`.well-known/`,
/// `.htaccess`, `.nojekyll`) are copied like any file: hosts read them.
pub fn is_ignored_static(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    matches!(
        name.as_ref(),
        ".git"
            | ".hg"
            | ".svn"
            | ".DS_Store"
            | "Thumbs.db"
            | "desktop.ini"
            | ".gitignore"
            | ".gitkeep"
    ) || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.starts_with(".#")
}

/// Files under a site folder, as (name relative to it with `/`, path), sorted; version
/// control and editor files skipped ([`is_ignored_static`]). Symlinks leaving the site
/// are reported, never followed.
pub fn site_files(dir: &Path, problems: &mut Vec<Diagnostic>) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    let root = dir
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .unwrap_or_else(|| dir.to_path_buf());
    let walker = WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_static(e.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                problems.push(Diagnostic::file(dir, format!("cannot read: {e}")));
                continue;
            }
        };
        let path = entry.path();
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if ft.is_symlink() {
            match path.canonicalize() {
                Ok(target) if target.starts_with(&root) && target.is_file() => {}
                Ok(target) if !target.starts_with(&root) => {
                    problems.push(Diagnostic::file(
                        path,
                        format!(
                            "symlink points outside the site (to `{}`): it is never published",
                            target.display()
                        ),
                    ));
                    continue;
                }
                Ok(_) => {
                    problems.push(Diagnostic::file(path, "symlinked folders are not followed"));
                    continue;
                }
                Err(e) => {
                    problems.push(crate::basics::error::symlink_broken(path, &e));
                    continue;
                }
            }
        } else if !ft.is_file() {
            problems.push(Diagnostic::file(
                path,
                "not a regular file (a FIFO, socket or device): it is skipped",
            ));
            continue;
        }
        let Ok(rel) = path.strip_prefix(dir) else {
            continue;
        };
        let Some(name) = rel.to_str() else {
            problems.push(Diagnostic::file(
                path,
                "file name is not valid UTF-8: rename it",
            ));
            continue;
        };
        out.push((name.replace('\\', "/"), path.to_path_buf()));
    }
    out
}

/// The default theme's files under an embedded folder, as (relative name, bytes), sorted.
fn embedded_files(dir: &'static Dir<'static>) -> Vec<(String, &'static [u8])> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in d.entries() {
            match entry {
                DirEntry::Dir(sub) => stack.push(sub),
                DirEntry::File(f) => {
                    let name = f.path().to_string_lossy().replace('\\', "/");
                    if !name.rsplit('/').next().is_some_and(|n| n.starts_with('.')) {
                        out.push((name, f.contents()));
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The default theme's static assets.
pub fn default_static_files() -> Vec<(String, &'static [u8])> {
    embedded_files(&DEFAULT_STATIC)
}

/// The default theme's templates.
pub fn default_template_files() -> Vec<(String, &'static [u8])> {
    embedded_files(&DEFAULT_TEMPLATES)
}

#[cfg(test)]
mod tests;

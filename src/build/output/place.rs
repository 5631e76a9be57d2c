//! Where a build's output may go: `--output` or `output_dir` → the folder to replace
//! (a symlink's target), refused when replacing it would destroy something.

use anyhow::{bail, Context as _, Result};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// The output folder a build writes: `--output`, else `output_dir` of `site.toml` under
/// the site. A symlink (`public -> /srv/www`) is written through: its target is the
/// folder replaced, beside which the build stages. The folder must be safe to replace
/// ([`ensure_safe_output_dir`]).
pub fn resolve(root: &Path, configured: &str, given: Option<&Path>) -> Result<PathBuf> {
    let output = match given {
        Some(o) => o.to_path_buf(),
        None => root.join(configured),
    };
    let output = match fs::symlink_metadata(&output) {
        Ok(m) if m.file_type().is_symlink() => match fs::canonicalize(&output) {
            Ok(target) => target,
            Err(e) => bail!(
                "the output `{}` is a symlink whose target cannot be used ({e}): create the folder it points to, or remove the link",
                output.display()
            ),
        },
        _ => output,
    };
    ensure_safe_output_dir(root, &output)?;
    Ok(output)
}

/// Refuses output folders whose replacement would destroy something: `/`, the home
/// folder, the site itself or any folder above it, `content/`, `templates/`, `static/`,
/// or any folder holding a `site.toml` or a `content/` folder.
pub fn ensure_safe_output_dir(root: &Path, output: &Path) -> Result<()> {
    let out = absolute(output)?;
    let site = absolute(root)?;
    let refuse = |why: &str| -> Result<()> {
        bail!(
            "refusing to use `{}` as the output folder: {why}",
            output.display()
        )
    };
    if out.parent().is_none() {
        return refuse("it is the file-system root");
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        // Replacing a folder above the home folder (`/home`) would delete it too.
        if absolute(&home).is_ok_and(|h| h.starts_with(&out)) {
            return refuse("it is the home folder or contains it");
        }
    }
    if site.starts_with(&out) {
        return refuse("it is the site folder or contains it");
    }
    for name in ["content", "templates", "static"] {
        if out.starts_with(site.join(name)) {
            return refuse(&format!("it is inside the site's `{name}/`"));
        }
    }
    if out.join("site.toml").exists() || out.join("content").is_dir() {
        return refuse(
            "it holds a `site.toml` or `content/`: it looks like a site, not a build output",
        );
    }
    if out.exists() && !out.is_dir() {
        return refuse("it exists and is not a folder");
    }
    if !looks_like_output(&out) {
        return refuse(
            "it is a folder with other files in it, not a built site (no `index.html`): \
             empty it or choose another folder",
        );
    }
    Ok(())
}

/// True for a folder a build may replace: absent, empty, the output of an earlier build
/// (a manifest beside it), or a built site of any generator (an `index.html` at its top).
fn looks_like_output(dir: &Path) -> bool {
    let Ok(mut entries) = fs::read_dir(dir) else {
        return true;
    };
    entries.next().is_none()
        || crate::build::manifest::path_for(dir).is_file()
        || dir.join("index.html").is_file()
        || dir.join("404.html").is_file()
}

/// An absolute, lexically normalized path (`..` resolved against existing parents).
fn absolute(p: &Path) -> Result<PathBuf> {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .context("cannot read the current folder")?
            .join(p)
    };
    // Canonicalize the longest existing ancestor (resolving symlinks), then append the rest.
    let mut existing = joined.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    let mut normal = PathBuf::new();
    for c in out.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    Ok(normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_dangerous_outputs() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        fs::create_dir(root.join("content")).unwrap();
        fs::write(root.join("site.toml"), "title = \"x\"\n").unwrap();
        for bad in [
            Path::new("/"),
            root,
            &root.join("content"),
            &root.join("content/x"),
            &root.join("."),
            &root.join("public/.."),
        ] {
            assert!(
                ensure_safe_output_dir(root, bad).is_err(),
                "{}",
                bad.display()
            );
        }
        assert!(ensure_safe_output_dir(root, &root.join("public")).is_ok());
        // A folder of other things is never replaced; a built site is.
        fs::create_dir_all(root.join("notes")).unwrap();
        fs::write(root.join("notes/todo.txt"), "x").unwrap();
        assert!(ensure_safe_output_dir(root, &root.join("notes")).is_err());
        fs::write(root.join("notes/index.html"), "x").unwrap();
        assert!(ensure_safe_output_dir(root, &root.join("notes")).is_ok());
    }
}

//! `warraq check`: the whole build without writing, plus the curator's checks → findings,
//! each `path:line:col: warning|error: message`.
//!
//! The site is loaded, assembled and rendered exactly as `build` does it (so every front
//! matter, URL collision and template error surfaces), into throwaway buffers. Then come
//! the checks for what a build accepts but a reader trips on: links to files, pages or
//! headings that do not exist, one term spelled two ways, articles without a summary or
//! topic, dates in the future, invisible bidi controls and Arabic presentation forms.
//! Only errors make the command fail. External links are fetched only when asked.

mod external;
mod photos;
mod site_checks;
mod text;

pub use external::ExternalOptions;

use crate::basics::error::{BuildFailed, Diagnostic};
use crate::build::sink::Nowhere;
use crate::sources::page::Page;
use anyhow::Result;
use jiff::civil::Date;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// What to check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Check drafts as published articles (as `build --drafts` would build them).
    pub drafts: bool,
    /// Check articles scheduled for later as published.
    pub future: bool,
    /// Dates after this day are "in the future".
    pub today: Date,
    /// Fetch external links too.
    pub external: Option<ExternalOptions>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub diagnostic: Diagnostic,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.diagnostic;
        // `--root .` makes `./content/...`; the `./` adds nothing.
        let path = d.path.strip_prefix(".").unwrap_or(&d.path);
        write!(f, "{}", path.display())?;
        if let Some(line) = d.line {
            write!(f, ":{line}")?;
            if let Some(col) = d.col {
                write!(f, ":{col}")?;
            }
        }
        let label = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, ": {label}: {}", d.message)
    }
}

/// What `check` found, sorted by file and position.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub articles: usize,
    /// Files the build would write (rendered pages and static files).
    pub outputs: usize,
    /// When scheduled articles next appear or leave.
    pub next_change: Option<String>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Findings as they are collected.
#[derive(Debug, Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn push(&mut self, severity: Severity, diagnostic: Diagnostic) {
        self.0.push(Finding {
            severity,
            diagnostic,
        });
    }

    fn errors(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        for d in diagnostics {
            self.push(Severity::Error, d);
        }
    }

    /// A stage failed: its problems are errors, and checking stops. A failure that is not
    /// about the site's files (no `site.toml`) is the command's error.
    fn stop(mut self, e: anyhow::Error) -> Result<Report> {
        let failed = e.downcast::<BuildFailed>()?;
        self.errors(failed.diagnostics);
        Ok(self.into_report(0, 0))
    }

    fn into_report(mut self, articles: usize, outputs: usize) -> Report {
        self.0.sort_by(|a, b| {
            let (a, b) = ((&a.diagnostic, a.severity), (&b.diagnostic, b.severity));
            (&a.0.path, a.0.line, a.0.col, b.1, &a.0.message).cmp(&(
                &b.0.path,
                b.0.line,
                b.0.col,
                a.1,
                &b.0.message,
            ))
        });
        self.0.dedup();
        Report {
            findings: self.0,
            articles,
            outputs,
            next_change: None,
        }
    }
}

/// Checks the site at `root`.
pub fn check(root: &Path, opts: &CheckOptions) -> Result<Report> {
    let mut found = Findings::default();
    let config = match crate::build::load_config(root, &crate::build::BuildOptions::default()) {
        Ok(c) => c,
        Err(e) => return found.stop(e),
    };
    // One read of each source: the loader keeps the texts for the character scan and
    // for finding fields' lines.
    let texts = crate::sources::page::Texts::default();
    let photos = std::sync::Arc::new(crate::photos::Photos::new(root, &config.photos));
    let keep = crate::sources::page::Keep {
        texts: Some(&texts),
        photos: Some(&photos),
        ..Default::default()
    };
    let (pages, problems, targets) = crate::build::load_all_with(root, &config, keep);
    let texts = texts.into_inner().unwrap_or_else(|e| e.into_inner());
    for (path, text) in &texts {
        for l in text::scan(text) {
            found.push(Severity::Warning, l.in_file(path));
        }
    }
    if !problems.is_empty() {
        return found.stop(BuildFailed::from(problems).into());
    }
    let left_out = left_out(&pages, opts, &config)?;
    // The build's own stages, into a sink that keeps only the files' names: the same
    // assembly, templates, render and static files, failing the same way. No search
    // bundle is made.
    let nowhere = Nowhere::default();
    let made = crate::build::make(
        crate::build::Inputs {
            root,
            config,
            pages,
            targets,
            drafts: opts.drafts,
            future: opts.future,
            templates: crate::theme::Templates::load(root),
            documents: crate::build::Documents::Skipped,
            vocabulary: &crate::search::index::Vocabulary::new(),
            previous: &crate::build::manifest::Manifest::default(),
            photos: photos.clone(),
            encode: crate::photos::publish::Encode::Now,
        },
        &nowhere,
        &mut crate::build::StageTimer::new(),
    );
    let site = match made {
        Ok(made) => made.site,
        Err(e) => return found.stop(e),
    };
    let outputs = nowhere.into_names();
    let cx = site_checks::Context {
        site: &site,
        texts: &texts,
        outputs: &outputs,
        left_out: &left_out,
        today: opts.today,
    };
    let external = cx.links(&mut found);
    cx.terms(&mut found);
    cx.photos(&mut found);
    cx.front_matter(&mut found);
    if let Some(ext) = &opts.external {
        for (severity, d) in external::check(&external, ext) {
            found.push(severity, d);
        }
    }
    let mut report = found.into_report(site.articles.len(), outputs.len());
    report.next_change = site
        .next_change
        .map(|n| n.describe(site.config.timezone.as_deref()));
    Ok(report)
}

/// Source files that this check (like the build) leaves out, each with why, in the
/// words that follow "points to ": drafts, articles scheduled for later, expired ones.
fn left_out(
    pages: &[std::sync::Arc<Page>],
    opts: &CheckOptions,
    config: &crate::basics::config::Config,
) -> Result<HashMap<PathBuf, String>> {
    let now = crate::build::site::build_time().map_err(|m| anyhow::anyhow!(m))?;
    let zone = config.timezone.as_deref();
    let when = |t: jiff::Timestamp| {
        let tz = zone
            .and_then(|z| jiff::tz::TimeZone::get(z).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC);
        t.to_zoned(tz).strftime("%Y-%m-%d %H:%M %:z").to_string()
    };
    let mut out = HashMap::new();
    for p in pages {
        let why = if p.draft && !opts.drafts {
            "a draft, which is not published: publish it, or check with `--drafts`".to_owned()
        } else if let Some(t) = p.news.publish_at.filter(|t| *t > now && !opts.future) {
            format!(
                "an article scheduled for {}, not published before then: the link is broken until it is (check with `--future`)",
                when(t)
            )
        } else if let Some(t) = p.news.expires.filter(|t| *t <= now) {
            format!(
                "an article that expired on {}: it is no longer published",
                when(t)
            )
        } else {
            continue;
        };
        out.insert(p.rel.clone(), why);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;

//! What a page's body renders to: its summary, table of contents, counts, links and
//! photos ([`Body`]), what the build attaches to the page ([`Attached`]), and its HTML,
//! kept from parsing or rendered again from the file ([`body_html`]).

use super::{front_matter, parse, LinkRef, Page, PhotoUse, Resolver};
use crate::basics::config::Config;
use crate::basics::error::{Diagnostic, Located};
use crate::basics::spill::Kept;
use crate::search::index::Document;
use crate::sources::links::Targets;
use crate::sources::markdown::{self, MarkdownOptions, TocEntry};
use std::path::Path;

/// What a page's body renders to, besides its HTML.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// HTML of the summary when there is no `summary` text (lists show the text if set).
    pub summary_html: String,
    /// The body sets its summary with `<!-- more -->`.
    pub more_marker: bool,
    /// The summary as plain text: the `summary` field, else the rendered summary's text.
    pub summary_plain: String,
    pub toc: Vec<TocEntry>,
    /// The body's words and minutes to read them; `None` when it was loaded with
    /// [`Keep::uncounted`] (no template of the build shows them).
    pub words: Option<usize>,
    pub reading_minutes: Option<usize>,
    /// Every link and image in the body, as written, with its place in the file.
    pub links: Vec<LinkRef>,
    /// The photos of the site the body shows.
    pub photos: Vec<PhotoUse>,
    /// Photos the body or `image` names that cannot be published, with their places:
    /// the build fails on them; `check` reports them beside every other problem.
    pub photo_problems: Vec<Located>,
}

impl Body {
    /// What a page keeps of its rendered body: the summary (none rendered when the front
    /// matter's `summary` is set), the table of contents, the counts and the links.
    pub(super) fn of(
        rendered: markdown::Rendered,
        summary: Option<&String>,
        links: Vec<LinkRef>,
        words: Option<usize>,
        words_per_minute: usize,
    ) -> Body {
        Body {
            summary_plain: summary.cloned().unwrap_or(rendered.summary_plain),
            summary_html: if summary.is_some() {
                String::new()
            } else {
                rendered.summary_html
            },
            more_marker: rendered.more_marker,
            toc: rendered.toc,
            words,
            reading_minutes: words.map(|n| n.div_ceil(words_per_minute).max(1)),
            links,
            photos: Vec::new(),
            photo_problems: Vec::new(),
        }
    }
}

/// What the build attaches to a page while loading it.
#[derive(Debug, Clone, Default)]
pub struct Attached {
    /// The file's size and modification time before it was read ([`load`]; default
    /// for pages parsed from text).
    pub source_stamp: crate::sources::content::FileStamp,
    /// Hash of the path, front matter, body and the URLs its links to other source files
    /// resolve to: equal versions render equally.
    pub version: u64,
    /// The article's search words and text, when it was parsed for a site with search.
    pub search: Option<Document>,
    /// The body's HTML, rendered while parsing, when the page was loaded with a store to
    /// keep it in (a one-off build); else it is rendered again from the file when the
    /// page is written ([`body_html`]).
    pub html: Option<Kept>,
}

pub(super) fn markdown_options(config: &Config) -> MarkdownOptions {
    MarkdownOptions {
        unsafe_html: config.unsafe_html,
    }
}

/// The body's HTML, with links to source files rewritten through `targets` and the
/// page's known photos as their markup.
pub(super) fn render_markdown(
    body: &str,
    rel: &Path,
    config: &Config,
    targets: &Targets,
    known: &[PhotoUse],
) -> String {
    let resolver = Resolver {
        rel,
        targets,
        config,
        photos: None,
        known,
    };
    markdown::render_html(body, markdown_options(config), &resolver)
}

/// The body's HTML: the one kept while parsing, or else rendered again from the file.
/// Holding every article's HTML in memory from parsing to rendering dominated memory
/// (3 GB at 100,000 articles): a build keeps it in a temporary file ([`Store`]); the dev
/// server, whose pages live across rebuilds, renders the Markdown again. The same
/// function renders both times, so the HTML is the one `version` was hashed from (unless
/// the file changed in between, which the next build sees).
pub fn body_html(page: &Page, config: &Config, targets: &Targets) -> Result<String, Diagnostic> {
    if let Some(kept) = &page.build.html {
        let unreadable = |e: &dyn std::fmt::Display| {
            Diagnostic::file(
                &page.path,
                format!("its HTML could not be read back from the build's temporary file: {e}"),
            )
        };
        let bytes = kept.bytes().map_err(|e| unreadable(&e))?.into_owned();
        return crate::basics::decode::utf8(bytes).map_err(|e| unreadable(&e));
    }
    let text = crate::sources::content::load(&page.path)?;
    let split = front_matter::split(&text).map_err(|e| e.in_file(&page.path))?;
    Ok(render_markdown(
        split.body,
        &page.rel,
        config,
        targets,
        &page.body.photos,
    ))
}

/// Parses `text` and also returns its body's HTML (for tests and tools that have the text).
pub fn parse_with_html(text: &str, rel: &Path, config: &Config) -> Result<(Page, String), Located> {
    let page = parse(text, rel, config)?;
    let split = front_matter::split(text)?;
    let html = render_markdown(
        split.body,
        rel,
        config,
        &Targets::default(),
        &page.body.photos,
    );
    Ok((page, html))
}

//! Markdown body → [`Rendered`]: HTML, table of contents, summary and plain text.
//!
//! pulldown-cmark parses once into a list of events; each concern is a small pass over
//! that list (raw HTML, unsafe URLs, heading ids, caption figures), then one HTML write.

mod figures;
mod footnotes;

use crate::text::slug::slugify;
use figures::CaptionFigures;
use footnotes::Footnotes;
use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;
use std::collections::HashSet;

/// What the page stage needs from a Markdown body.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// HTML of the part before `<!-- more -->`, else of the first paragraph.
    pub summary_html: String,
    /// The summary's visible text (meta descriptions).
    pub summary_plain: String,
    /// The visible text, for word counts ([`crate::text::words::count_words`]), feeds and
    /// search.
    pub plain: String,
    /// Every link and image, with its destination as written.
    pub links: Vec<LinkSite>,
    /// The body sets its own summary with `<!-- more -->`.
    pub more_marker: bool,
}

/// A link or image in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSite {
    /// The destination as written (before any rewriting).
    pub dest: String,
    /// Byte offset of the link in the body.
    pub offset: usize,
    pub image: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownOptions {
    /// Pass raw HTML through (trusted authors only); otherwise it is shown as text.
    pub unsafe_html: bool,
}

pub const MORE_MARKER: &str = "<!-- more -->";

fn parser_options() -> Options {
    // No smart punctuation: it would force English curly quotes into Arabic text.
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Which of the larger parts of [`Rendered`] a rendering makes; those it does not are
/// left empty.
#[derive(Debug, Clone, Copy)]
pub struct Parts {
    /// The body's HTML: the page stage leaves it to be rendered again when the page is
    /// written ([`render_html`]) once it keeps as many bodies as it may.
    pub html: bool,
    /// The plain text: only word counts and search read it (making it was about 2% of
    /// the CPU of a 10,000-article build whose templates show neither).
    pub plain: bool,
}

impl Parts {
    pub const ALL: Parts = Parts {
        html: true,
        plain: true,
    };
}

/// What a body's links and photos become: a link's new destination (`None`: as
/// written), a photo's markup (`None`: a plain `<img>`, as written). A closure is a
/// `Resolve` that rewrites links only.
pub trait Resolve {
    fn link(&self, dest: &str) -> Option<String>;
    /// The markup of the photo at `dest`, shown with `alt`.
    fn photo(&self, dest: &str, alt: &str) -> Option<String> {
        let _ = (dest, alt);
        None
    }
}

impl<F: Fn(&str) -> Option<String>> Resolve for F {
    fn link(&self, dest: &str) -> Option<String> {
        self(dest)
    }
}

/// Renders a Markdown body, leaving link destinations as written.
pub fn render(body: &str, opts: MarkdownOptions) -> Rendered {
    render_with_links(body, opts, &|_: &str| None)
}

/// Renders a Markdown body; `rewrite` gives the new destination of a link (`None`: keep
/// it as written). The page stage passes [`crate::sources::links::rewrite`] here.
pub fn render_with_links(body: &str, opts: MarkdownOptions, rewrite: &dyn Resolve) -> Rendered {
    render_parts(body, opts, rewrite, Parts::ALL)
}

/// Only the body's HTML, as [`render_with_links`] writes it: no counts, no summary.
pub fn render_html(body: &str, opts: MarkdownOptions, rewrite: &dyn Resolve) -> String {
    let (mut events, _) = parse_events(body, rewrite);
    let (_, notes) = prepare_events(&mut events, opts);
    write_html(events, body.len() * 3 / 2, &notes, rewrite)
}

/// The passes every rendering makes before writing HTML. Returns the table of contents
/// and the footnotes' ids.
fn prepare_events(
    events: &mut Vec<Event<'_>>,
    opts: MarkdownOptions,
) -> (Vec<TocEntry>, Footnotes) {
    if !opts.unsafe_html {
        neutralise_raw_html(events);
    }
    let has_notes = neutralise_unsafe_urls(events);
    let notes = if has_notes {
        Footnotes::of(events)
    } else {
        Footnotes::default()
    };
    (assign_heading_ids(events, &notes), notes)
}

/// [`render_with_links`], making only the `parts` asked for.
pub fn render_parts(
    body: &str,
    opts: MarkdownOptions,
    rewrite: &dyn Resolve,
    parts: Parts,
) -> Rendered {
    let (mut events, links) = parse_events(body, rewrite);
    let more_at = find_more_marker(&events);
    let (toc, notes) = prepare_events(&mut events, opts);
    let plain = if parts.plain {
        plain_text(&events)
    } else {
        String::new()
    };
    let summary_events = match more_at {
        Some(i) => &events[..i],
        None => first_paragraph(&events),
    };
    let summary_plain = collapse_whitespace(&plain_text(summary_events));
    // Footnote references point into the full page; a summary shown elsewhere drops them.
    let summary_html = write_html(
        summary_events
            .iter()
            .filter(|e| !matches!(e, Event::FootnoteReference(_)))
            .cloned(),
        body.len() / 4,
        &notes,
        rewrite,
    );
    let html = if parts.html {
        write_html(events, body.len() * 3 / 2, &notes, rewrite)
    } else {
        String::new()
    };
    Rendered {
        html,
        toc,
        summary_html,
        summary_plain,
        plain,
        links,
        more_marker: more_at.is_some(),
    }
}

/// Parses `body` into events, recording each link and image with its offset (so `check`
/// can point at it) and rewriting link destinations (not images) through `rewrite`.
fn parse_events<'a>(body: &'a str, rewrite: &dyn Resolve) -> (Vec<Event<'a>>, Vec<LinkSite>) {
    let mut links = Vec::new();
    let events = Parser::new_ext(body, parser_options())
        .into_offset_iter()
        .map(|(mut e, range)| {
            match &mut e {
                Event::Start(Tag::Link { dest_url, .. }) => {
                    links.push(LinkSite {
                        dest: dest_url.to_string(),
                        offset: range.start,
                        image: false,
                    });
                    if let Some(new) = rewrite.link(dest_url) {
                        *dest_url = CowStr::from(new);
                    }
                }
                Event::Start(Tag::Image { dest_url, .. }) => links.push(LinkSite {
                    dest: dest_url.to_string(),
                    offset: range.start,
                    image: true,
                }),
                _ => {}
            }
            e
        })
        .collect();
    (events, links)
}

fn write_html<'a>(
    events: impl IntoIterator<Item = Event<'a>>,
    capacity: usize,
    notes: &Footnotes,
    resolve: &dyn Resolve,
) -> String {
    let mut out = String::with_capacity(capacity);
    // Most bodies have no footnotes: their events go straight to the figures pass.
    if notes.is_empty() {
        html::push_html(&mut out, CaptionFigures::new(events.into_iter(), resolve));
    } else {
        let events = footnotes::Writer::new(events.into_iter(), notes);
        html::push_html(&mut out, CaptionFigures::new(events, resolve));
    }
    out
}

fn find_more_marker(events: &[Event<'_>]) -> Option<usize> {
    events.iter().position(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => h.trim() == MORE_MARKER,
        _ => false,
    })
}

/// Raw HTML becomes visible text (escaped on output), except the `<!-- more -->` marker,
/// which is dropped.
fn neutralise_raw_html(events: &mut Vec<Event<'_>>) {
    events
        .retain(|e| !matches!(e, Event::Html(h) | Event::InlineHtml(h) if h.trim() == MORE_MARKER));
    for e in events.iter_mut() {
        if let Event::Html(h) | Event::InlineHtml(h) = e {
            *e = Event::Text(std::mem::replace(h, CowStr::Borrowed("")));
        }
    }
}

/// Link and image destinations with a script-running scheme become `#`.
/// Returns whether the body has footnotes: this is the one pass every rendering makes
/// over all the events, and most bodies have none, so [`Footnotes::of`] need not look.
fn neutralise_unsafe_urls(events: &mut [Event<'_>]) -> bool {
    let mut footnotes = false;
    for e in events.iter_mut() {
        match e {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if is_unsafe_url(dest_url) =>
            {
                *dest_url = CowStr::Borrowed("#");
            }
            Event::FootnoteReference(_) | Event::Start(Tag::FootnoteDefinition(_)) => {
                footnotes = true
            }
            _ => {}
        }
    }
    footnotes
}

/// `javascript:`, `vbscript:` and `data:` (other than images), however obfuscated with
/// case, whitespace or control characters, which browsers ignore inside a scheme.
pub fn is_unsafe_url(url: &str) -> bool {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take_while(|c| *c != ':' && *c != '/' && *c != '?' && *c != '#')
        .flat_map(char::to_lowercase)
        .collect();
    let rest_is_scheme = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .nth(scheme.chars().count())
        == Some(':');
    if !rest_is_scheme {
        return false;
    }
    match scheme.as_str() {
        "javascript" | "vbscript" => true,
        "data" => {
            !url.trim_start().to_lowercase().starts_with("data:image/")
                || url.to_lowercase().contains("svg")
        }
        _ => false,
    }
}

/// Whether the default theme's pages give one of their own elements this id: a heading
/// never takes one.
pub fn is_theme_id(id: &str) -> bool {
    matches!(
        id,
        "main"
            | "content"
            | "toc"
            | "top"
            | "search"
            | "search-q"
            | "search-page-q"
            | "search-results"
            | "search-status"
            | "search-more"
    )
}

/// Gives every heading an id that keeps Arabic letters (or the one written with `{#id}`),
/// unique in the page and unlike any footnote's or the theme's own, and returns the
/// table of contents. Of the other attributes `{...}` may write, only classes are kept:
/// an event handler, `style`, `autofocus` or `tabindex` would let a body run script or
/// take over the page without `unsafe_html`.
fn assign_heading_ids(events: &mut [Event<'_>], notes: &Footnotes) -> Vec<TocEntry> {
    let mut toc = Vec::new();
    let mut used: HashSet<String> = notes.ids().collect();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, .. }) = &events[i] {
            let level = *level;
            let end = events[i..]
                .iter()
                .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
                .map_or(events.len(), |p| i + p);
            let title = plain_text(&events[i + 1..end]);
            if let Event::Start(Tag::Heading { id, attrs, .. }) = &mut events[i] {
                attrs.clear();
                let base = match id {
                    Some(given) => slugify(given),
                    None => slugify(&title),
                };
                let base = if base.is_empty() {
                    "section".to_owned()
                } else {
                    base
                };
                let mut unique = base.clone();
                let mut n = 1;
                while is_theme_id(&unique)
                    || notes.could_be_reference(&unique)
                    || !used.insert(unique.clone())
                {
                    unique = format!("{base}-{n}");
                    n += 1;
                }
                *id = Some(CowStr::from(unique.clone()));
                toc.push(TocEntry {
                    level: heading_number(level),
                    id: unique,
                    title: title.trim().to_owned(),
                });
            }
            i = end;
        }
        i += 1;
    }
    toc
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

fn first_paragraph<'e, 'a>(events: &'e [Event<'a>]) -> &'e [Event<'a>] {
    let Some(start) = events
        .iter()
        .position(|e| matches!(e, Event::Start(Tag::Paragraph)))
    else {
        return &[];
    };
    // A paragraph holding only an image caption is not a summary.
    let end = events[start..]
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))
        .map_or(events.len(), |p| start + p + 1);
    if matches!(events.get(start + 1), Some(Event::Start(Tag::Image { .. }))) {
        return first_paragraph(&events[end..]);
    }
    &events[start..end]
}

/// The visible text of some events, with block boundaries as spaces or newlines.
fn plain_text(events: &[Event<'_>]) -> String {
    let len = events
        .iter()
        .map(|e| match e {
            Event::Text(t) | Event::Code(t) => t.len(),
            _ => 1,
        })
        .sum();
    let mut out = String::with_capacity(len);
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::CodeBlock,
            ) => out.push('\n'),
            _ => {}
        }
    }
    out
}

/// The words of `text` joined by single spaces: `text.split_whitespace()` joined with
/// `" "`, without looking up the Unicode tables for Arabic letters (no two-byte
/// character from U+0600 to U+06FF is white space), and copying each word whole.
fn collapse_whitespace(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut word_start = None;
    let mut i = 0;
    while i < bytes.len() {
        let (space, len) = match bytes[i] {
            b @ 0..=0x7f => (b.is_ascii_whitespace() || b == 0x0b, 1),
            0xd8..=0xdb => (false, 2),
            _ => {
                let c = text[i..].chars().next().unwrap_or_default();
                (c.is_whitespace(), c.len_utf8())
            }
        };
        match (space, word_start) {
            (true, Some(start)) => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&text[start..i]);
                word_start = None;
            }
            (false, None) => word_start = Some(i),
            _ => {}
        }
        i += len;
    }
    if let Some(start) = word_start {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&text[start..]);
    }
    out
}

/// HTML-escapes `text` into `out` (pulldown-cmark's own escaper, as for the rest of the body).
pub fn escape_html(out: &mut String, text: &str) {
    let _ = pulldown_cmark_escape::escape_html(&mut *out, text);
}

fn pulldown_cmark_escape_href(out: &mut String, url: &str) {
    // The same escaping pulldown-cmark's writer uses for `href` and `src`.
    let _ = pulldown_cmark_escape::escape_href(&mut *out, url);
}

#[cfg(test)]
mod tests;

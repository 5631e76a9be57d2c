//! Markdown body → [`Rendered`]: HTML, table of contents, summary and plain text.
//!
//! pulldown-cmark parses once into a list of events; each concern is a small pass over
//! that list (raw HTML, unsafe URLs, heading ids, caption figures), then one HTML write.

mod footnotes;

use crate::text::slug::slugify;
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

/// Renders a Markdown body, leaving link destinations as written.
pub fn render(body: &str, opts: MarkdownOptions) -> Rendered {
    render_with_links(body, opts, &|_| None)
}

/// Renders a Markdown body; `rewrite` gives the new destination of a link (`None`: keep
/// it as written). The page stage passes [`crate::sources::links::rewrite`] here.
pub fn render_with_links(
    body: &str,
    opts: MarkdownOptions,
    rewrite: &dyn Fn(&str) -> Option<String>,
) -> Rendered {
    render_parts(body, opts, rewrite, Parts::ALL)
}

/// Only the body's HTML, as [`render_with_links`] writes it: no counts, no summary.
pub fn render_html(
    body: &str,
    opts: MarkdownOptions,
    rewrite: &dyn Fn(&str) -> Option<String>,
) -> String {
    let (mut events, _) = parse_events(body, rewrite);
    let (_, notes) = prepare_events(&mut events, opts);
    write_html(events, body.len() * 3 / 2, &notes)
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
    rewrite: &dyn Fn(&str) -> Option<String>,
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
    );
    let html = if parts.html {
        write_html(events, body.len() * 3 / 2, &notes)
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
fn parse_events<'a>(
    body: &'a str,
    rewrite: &dyn Fn(&str) -> Option<String>,
) -> (Vec<Event<'a>>, Vec<LinkSite>) {
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
                    if let Some(new) = rewrite(dest_url) {
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
) -> String {
    let mut out = String::with_capacity(capacity);
    // Most bodies have no footnotes: their events go straight to the figures pass.
    if notes.is_empty() {
        html::push_html(&mut out, CaptionFigures::new(events.into_iter()));
    } else {
        let events = footnotes::Writer::new(events.into_iter(), notes);
        html::push_html(&mut out, CaptionFigures::new(events));
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

/// A paragraph holding only an image becomes a `<figure>` with the image's title (or alt
/// text) as `<figcaption>`; an image with no file (`![caption]()`) keeps only the caption,
/// for photos an archive quotes but does not hold.
struct CaptionFigures<'a, I: Iterator<Item = Event<'a>>> {
    inner: std::iter::Peekable<I>,
    queue: std::collections::VecDeque<Event<'a>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> CaptionFigures<'a, I> {
    fn new(inner: I) -> Self {
        CaptionFigures {
            inner: inner.peekable(),
            queue: Default::default(),
        }
    }

    /// After `Start(Paragraph)`: if the paragraph is exactly one image, returns the
    /// figure's HTML events.
    fn try_figure(&mut self) -> Option<Vec<Event<'a>>> {
        let Some(Event::Start(Tag::Image { .. })) = self.inner.peek() else {
            return None;
        };
        let mut taken = Vec::new();
        for e in self.inner.by_ref() {
            let done = matches!(e, Event::End(TagEnd::Paragraph));
            taken.push(e);
            if done {
                break;
            }
        }
        let image_end = taken
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Image)));
        let only_image = image_end.is_some_and(|p| p + 2 == taken.len());
        if !only_image {
            self.queue.extend(taken);
            return None;
        }
        let Event::Start(Tag::Image {
            dest_url, title, ..
        }) = &taken[0]
        else {
            return None;
        };
        let alt = plain_text(&taken[1..taken.len() - 2]);
        let caption = if title.is_empty() {
            alt.clone()
        } else {
            title.to_string()
        };
        let mut html = String::from("<figure>");
        if !dest_url.is_empty() {
            html.push_str("<img src=\"");
            pulldown_cmark_escape_href(&mut html, dest_url);
            html.push_str("\" alt=\"");
            escape_html(&mut html, &alt);
            html.push_str("\" loading=\"lazy\">");
        }
        html.push_str("<figcaption>");
        escape_html(&mut html, &caption);
        html.push_str("</figcaption></figure>\n");
        Some(vec![Event::Html(CowStr::from(html))])
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for CaptionFigures<'a, I> {
    type Item = Event<'a>;
    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(e) = self.queue.pop_front() {
            return Some(e);
        }
        let e = self.inner.next()?;
        if matches!(e, Event::Start(Tag::Paragraph)) {
            if let Some(figure) = self.try_figure() {
                self.queue.extend(figure);
                return self.queue.pop_front();
            }
        }
        Some(e)
    }
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
mod tests {
    proptest::proptest! {
        #[test]
        fn whitespace_collapses_as_split_whitespace_does(
            text in "[a-z \t\n\r\u{0b}\u{0c}\u{85}\u{a0}\u{1680}\u{2000}-\u{200b}\u{2028}\u{202f}\u{3000}\u{0600}-\u{06ff}é]{0,40}"
        ) {
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(super::collapse_whitespace(&text), expected);
        }
    }

    use super::*;
    use crate::text::words::count_words;

    fn r(md: &str) -> Rendered {
        render(md, MarkdownOptions::default())
    }

    #[test]
    fn heading_ids_keep_arabic_and_are_unique() {
        let out = r("## الخيار العسكرى.. هل يسقط ترامب؟\n\n## الخيار العسكرى.. هل يسقط ترامب؟\n\n### Custom {#mine}\n");
        assert!(
            out.html.contains("id=\"الخيار-العسكرى-هل-يسقط-ترامب\""),
            "{}",
            out.html
        );
        assert!(out.html.contains("id=\"الخيار-العسكرى-هل-يسقط-ترامب-1\""));
        assert!(out.html.contains("id=\"mine\""));
        assert_eq!(out.toc.len(), 3);
        assert_eq!(out.toc[0].level, 2);
        assert_eq!(out.toc[0].title, "الخيار العسكرى.. هل يسقط ترامب؟");
    }

    #[test]
    fn heading_attributes_keep_only_id_and_classes() {
        let attack = "## عنوان {#مكان .واضح onfocus=alert(1) autofocus tabindex=1 style=\"x:y\" onclick='z' data-x=1}\n\nنص\n\n<!-- more -->\n\nبعد\n";
        let out = r(attack);
        for html in [&out.html, &out.summary_html] {
            assert!(
                html.contains("id=\"مكان\"") && html.contains("class=\"واضح\""),
                "{html}"
            );
            for bad in [
                "onfocus",
                "onclick",
                "autofocus",
                "tabindex",
                "style",
                "data-x",
            ] {
                assert!(!html.contains(bad), "{bad}: {html}");
            }
        }
        // However it is spelled, no attribute but id and class reaches the tag.
        for spelled in ["{ONFOCUS=x}", "{ onmouseover=x }", "{.a #b\tonload=x}"] {
            let html = r(&format!("# ع {spelled}\n")).html;
            let tag = &html[..html.find('>').unwrap()];
            let names: Vec<&str> = tag
                .split_whitespace()
                .skip(1)
                .map(|a| a.split('=').next().unwrap())
                .collect();
            assert!(names.iter().all(|n| *n == "id" || *n == "class"), "{html}");
        }
    }

    #[test]
    fn heading_ids_never_take_a_footnote_or_theme_id() {
        let out = r("## 1\n\n## main\n\n## fn-1 {#fn-1}\n\n## x {#fnref-1-2}\n\nنص[^1] ومرة[^1]\n\n[^1]: حاشية\n");
        let ids: Vec<&str> = out
            .html
            .match_indices("id=\"")
            .map(|(i, _)| {
                let rest = &out.html[i + 4..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect();
        let unique: HashSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        for id in ["fn-1", "fnref-1", "fnref-1-2"] {
            assert!(ids.contains(&id), "{id}: {ids:?}");
        }
        assert!(!ids.contains(&"main"), "{ids:?}");
        // Each reference leads to its note and the note leads back to the first one.
        assert!(out.html.contains("href=\"#fn-1\""), "{}", out.html);
        assert!(out
            .html
            .contains("href=\"#fnref-1\" class=\"footnote-back\""));
        // Notes ending in a list get their link back too.
        let out = r("نص[^a]\n\n[^a]: - بند\n");
        assert!(out.html.contains("footnote-back"), "{}", out.html);
    }

    #[test]
    fn html_only_rendering_matches_the_full_one() {
        let body = "# عنوان\n\nنص [رابط](x.md) <b>خام</b> ![تعليق]()\n\n## قسم\n\n<!-- more -->\n\nحاشية[^1]\n\n[^1]: نص\n";
        let rewrite = |d: &str| (d == "x.md").then(|| "/articles/x/".to_owned());
        let full = render_with_links(body, MarkdownOptions::default(), &rewrite);
        assert_eq!(
            render_html(body, MarkdownOptions::default(), &rewrite),
            full.html
        );
        let no_html = Parts {
            html: false,
            plain: true,
        };
        let analysed = render_parts(body, MarkdownOptions::default(), &rewrite, no_html);
        assert!(analysed.html.is_empty());
        assert_eq!((&analysed.plain, &analysed.toc), (&full.plain, &full.toc));
        let no_plain = Parts {
            html: true,
            plain: false,
        };
        let unread = render_parts(body, MarkdownOptions::default(), &rewrite, no_plain);
        assert!(unread.plain.is_empty() && !full.plain.is_empty());
        let same = |r: &Rendered| {
            (
                r.html.clone(),
                r.toc.clone(),
                r.summary_html.clone(),
                r.summary_plain.clone(),
                r.links.clone(),
            )
        };
        assert_eq!(same(&unread), same(&full));
    }

    #[test]
    fn summary_sources() {
        let out = r("أول فقرة.\n\nثانية.\n");
        assert_eq!(out.summary_html, "<p>أول فقرة.</p>\n");
        let out = r("أول.\n\nثانية.\n\n<!-- more -->\n\nثالثة.\n");
        assert!(out.summary_html.contains("ثانية") && !out.summary_html.contains("ثالثة"));
        assert!(!out.html.contains("more"));
    }

    #[test]
    fn raw_html_is_text_unless_allowed() {
        let out = r("<script>alert(1)</script>\n\nنص <b>x</b>\n");
        assert!(!out.html.contains("<script>") && out.html.contains("&lt;script&gt;"));
        let out = render("<b>x</b>\n", MarkdownOptions { unsafe_html: true });
        assert!(out.html.contains("<b>x</b>"));
    }

    #[test]
    fn script_urls_are_neutralised() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            " java\tscript:x",
            "vbscript:x",
            "data:text/html,x",
        ] {
            assert!(is_unsafe_url(url), "{url}");
        }
        for url in [
            "https://x.org",
            "/a/b",
            "../x.md",
            "#id",
            "mailto:a@b",
            "data:image/png;base64,AA",
        ] {
            assert!(!is_unsafe_url(url), "{url}");
        }
        let out = r("[x](javascript:alert(1))\n");
        assert!(out.html.contains("href=\"#\""), "{}", out.html);
    }

    #[test]
    fn captions_become_figures() {
        let out = r("قبل.\n\n![ترامب انتقد انغماس أسلافه]()\n\nبعد.\n");
        assert!(
            out.html
                .contains("<figure><figcaption>ترامب انتقد انغماس أسلافه</figcaption></figure>"),
            "{}",
            out.html
        );
        assert!(!out.html.contains("<img"));
        let out = r("![alt](/a.jpg \"تعليق\")\n");
        assert!(out.html.contains("<img src=\"/a.jpg\" alt=\"alt\""));
        assert!(out.html.contains("<figcaption>تعليق</figcaption>"));
        // An image inside text stays inline.
        let out = r("نص ![a](/a.jpg) نص\n");
        assert!(!out.html.contains("<figure>"));
    }

    #[test]
    fn links_are_recorded_and_rewritten() {
        let body = "نص [أ](../2019/x.md#قسم) و![صورة](/a.jpg)\n\n[ب](https://e.example)\n";
        let out = render_with_links(body, MarkdownOptions::default(), &|d| {
            d.starts_with("../").then(|| "/articles/x/#قسم".to_owned())
        });
        assert!(
            out.html
                .contains("href=\"/articles/x/#%D9%82%D8%B3%D9%85\""),
            "{}",
            out.html
        );
        let dests: Vec<_> = out
            .links
            .iter()
            .map(|l| (l.dest.as_str(), l.offset, l.image))
            .collect();
        assert_eq!(
            dests,
            vec![
                ("../2019/x.md#قسم", "نص ".len(), false),
                ("/a.jpg", body.find("![").unwrap(), true),
                ("https://e.example", body.find("[ب]").unwrap(), false),
            ]
        );
        assert!(!out.more_marker);
    }

    #[test]
    fn arabic_words_counted_by_unicode_boundaries() {
        assert_eq!(count_words("الخيار العسكرى، هل يسقط ترامب فى 2020؟"), 7);
        assert_eq!(count_words(&r("# عنوان\n\nكلمة وكلمتان\n").plain), 3);
    }

    #[test]
    fn extensions_are_on() {
        let out =
            r("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~x~~\n\n- [x] done\n\nنص[^1]\n\n[^1]: حاشية\n");
        for needle in ["<table>", "<del>", "checkbox", "footnote"] {
            assert!(out.html.contains(needle), "{needle}: {}", out.html);
        }
        assert!(!r("\"quoted\"\n").html.contains('“'));
    }
}

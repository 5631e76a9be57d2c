//! Footnotes: each gets an id of its own (`fn-LABEL`), each reference one too
//! (`fnref-LABEL`, `fnref-LABEL-2` for a second reference), and each note a link back to
//! where it was first referenced. pulldown-cmark's own writer gives both the bare label
//! as id (`id="1"`), which a heading `## 1` or the theme's own ids could also take.

use super::escape_html;
use crate::text::slug::slugify as slugify_id;
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use std::collections::HashMap;

/// The ids and numbers of a body's footnotes, by label.
#[derive(Debug, Default, Clone)]
pub struct Footnotes {
    by_label: HashMap<String, Note>,
}

#[derive(Debug, Clone)]
struct Note {
    id: String,
    number: usize,
}

impl Footnotes {
    /// Numbers the notes in the order their label first appears (as a reference or a
    /// definition), as pulldown-cmark does; an empty body part costs one scan.
    pub fn of(events: &[Event<'_>]) -> Footnotes {
        let mut notes = Footnotes::default();
        let mut taken: std::collections::HashSet<String> = Default::default();
        for e in events {
            let label = match e {
                Event::FootnoteReference(l) | Event::Start(Tag::FootnoteDefinition(l)) => l,
                _ => continue,
            };
            if notes.by_label.contains_key(label.as_ref()) {
                continue;
            }
            let number = notes.by_label.len() + 1;
            let slug = slugify_id(label);
            let base = if slug.is_empty() {
                format!("fn-{number}")
            } else {
                format!("fn-{slug}")
            };
            let mut id = base.clone();
            let mut n = 1;
            while !taken.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            notes
                .by_label
                .insert(label.to_string(), Note { id, number });
        }
        notes
    }

    pub fn is_empty(&self) -> bool {
        self.by_label.is_empty()
    }

    /// Every id the notes and their references may take (`fn-x`, `fnref-x`,
    /// `fnref-x-N`): a heading may take none of them.
    pub fn ids(&self) -> impl Iterator<Item = String> + '_ {
        self.by_label
            .values()
            .flat_map(|n| [n.id.clone(), format!("fnref-{}", &n.id[3..])])
    }

    /// Whether `id` could be the id of a second or later reference to a note.
    pub fn could_be_reference(&self, id: &str) -> bool {
        self.by_label.values().any(|n| {
            id.strip_prefix("fnref-")
                .and_then(|rest| rest.strip_prefix(&n.id[3..]))
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|k| k.bytes().all(|b| b.is_ascii_digit()))
        })
    }
}

/// Writes footnote references and definitions with [`Footnotes`]' ids, and a link back
/// at the end of each note.
pub struct Writer<'f, 'a, I: Iterator<Item = Event<'a>>> {
    inner: std::iter::Peekable<I>,
    notes: &'f Footnotes,
    /// References seen so far, per label (the second gets `fnref-x-2`).
    seen: HashMap<String, usize>,
    /// The note being written.
    open: Option<String>,
    /// The open note's link back is written.
    backed: bool,
    queue: std::collections::VecDeque<Event<'a>>,
}

impl<'f, 'a, I: Iterator<Item = Event<'a>>> Writer<'f, 'a, I> {
    pub fn new(inner: I, notes: &'f Footnotes) -> Self {
        Writer {
            inner: inner.peekable(),
            notes,
            seen: HashMap::new(),
            open: None,
            backed: false,
            queue: Default::default(),
        }
    }

    fn back_link(&self) -> Option<Event<'a>> {
        let note = self.notes.by_label.get(self.open.as_deref()?)?;
        Some(Event::InlineHtml(CowStr::from(format!(
            " <a href=\"#fnref-{}\" class=\"footnote-back\" role=\"doc-backlink\">↩</a>",
            &note.id[3..]
        ))))
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Writer<'_, 'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(e) = self.queue.pop_front() {
            return Some(e);
        }
        let e = self.inner.next()?;
        if self.notes.is_empty() {
            return Some(e);
        }
        match e {
            Event::FootnoteReference(label) => {
                let Some(note) = self.notes.by_label.get(label.as_ref()) else {
                    return Some(Event::FootnoteReference(label));
                };
                let k = self.seen.entry(label.to_string()).or_default();
                *k += 1;
                let suffix = if *k == 1 {
                    String::new()
                } else {
                    format!("-{k}")
                };
                Some(Event::InlineHtml(CowStr::from(format!(
                    "<sup class=\"footnote-reference\" id=\"fnref-{}{suffix}\"><a href=\"#{}\" role=\"doc-noteref\">{}</a></sup>",
                    &note.id[3..],
                    note.id,
                    note.number
                ))))
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let Some(note) = self.notes.by_label.get(label.as_ref()) else {
                    return Some(Event::Start(Tag::FootnoteDefinition(label)));
                };
                let mut html = format!(
                    "<div class=\"footnote-definition\" id=\"{}\"><sup class=\"footnote-definition-label\">",
                    note.id
                );
                escape_html(&mut html, &note.number.to_string());
                html.push_str("</sup>");
                self.open = Some(label.to_string());
                Some(Event::Html(CowStr::from(html)))
            }
            Event::End(TagEnd::Paragraph)
                if self.open.is_some()
                    && matches!(
                        self.inner.peek(),
                        Some(Event::End(TagEnd::FootnoteDefinition))
                    ) =>
            {
                // The link back closes the note's last paragraph, on its line.
                let back = self.back_link();
                self.backed = true;
                self.queue.push_back(Event::End(TagEnd::Paragraph));
                back.or_else(|| self.queue.pop_front())
            }
            Event::End(TagEnd::FootnoteDefinition) if self.open.is_some() => {
                // A note that does not end in a paragraph (a list, a quote) gets its
                // link back on a line of its own.
                let back = if self.backed { None } else { self.back_link() };
                self.open = None;
                self.backed = false;
                let close = Event::Html(CowStr::Borrowed("</div>\n"));
                match back {
                    Some(b) => {
                        self.queue.push_back(close);
                        Some(b)
                    }
                    None => Some(close),
                }
            }
            other => Some(other),
        }
    }
}

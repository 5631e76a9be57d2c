//! Caption figures: a paragraph holding only an image is written as a `<figure>`.

use super::{escape_html, plain_text, pulldown_cmark_escape_href};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// A paragraph holding only an image becomes a `<figure>` with the image's title (or alt
/// text) as `<figcaption>`; an image with no file (`![caption]()`) keeps only the caption,
/// for photos an archive quotes but does not hold.
pub(super) struct CaptionFigures<'a, I: Iterator<Item = Event<'a>>> {
    inner: std::iter::Peekable<I>,
    queue: std::collections::VecDeque<Event<'a>>,
}

impl<'a, I: Iterator<Item = Event<'a>>> CaptionFigures<'a, I> {
    pub(super) fn new(inner: I) -> Self {
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

//! Caption figures: a paragraph holding only an image is written as a `<figure>`.

use super::{escape_html, plain_text, pulldown_cmark_escape_href, Resolve};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// A paragraph holding only an image becomes a `<figure>` with the image's title (or alt
/// text) as `<figcaption>`; an image with no file (`![caption]()`) keeps only the caption,
/// for photos an archive quotes but does not hold.
///
/// A photo of the site (`resolve` gives its markup) is written as its `<picture>`, in a
/// figure or inline.
pub(super) struct CaptionFigures<'a, 'r, I: Iterator<Item = Event<'a>>> {
    inner: std::iter::Peekable<I>,
    queue: std::collections::VecDeque<Event<'a>>,
    resolve: &'r dyn Resolve,
}

impl<'a, 'r, I: Iterator<Item = Event<'a>>> CaptionFigures<'a, 'r, I> {
    pub(super) fn new(inner: I, resolve: &'r dyn Resolve) -> Self {
        CaptionFigures {
            inner: inner.peekable(),
            queue: Default::default(),
            resolve,
        }
    }

    /// After `Start(Image)` of a photo of the site: its markup, the image's events
    /// consumed. `None` (nothing consumed) for any other image.
    fn try_photo(&mut self, dest: &str) -> Option<Event<'a>> {
        // The alt text is the image's inner text: peeked through a copy, not consumed
        // unless this is a photo.
        let mut inner = Vec::new();
        loop {
            match self.inner.next()? {
                Event::End(TagEnd::Image) => break,
                e => inner.push(e),
            }
        }
        let alt = plain_text(&inner);
        match self.resolve.photo(dest, &alt) {
            Some(html) => Some(Event::Html(CowStr::from(html))),
            None => {
                self.queue.extend(inner);
                self.queue.push_back(Event::End(TagEnd::Image));
                None
            }
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
        if let Some(photo) = self.resolve.photo(dest_url, &alt) {
            html.push_str(&photo);
        } else if !dest_url.is_empty() {
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

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for CaptionFigures<'a, '_, I> {
    type Item = Event<'a>;
    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(e) = self.queue.pop_front() {
            return Some(e);
        }
        let e = self.inner.next()?;
        if let Event::Start(Tag::Image { dest_url, .. }) = &e {
            let dest = dest_url.clone();
            if let Some(photo) = self.try_photo(&dest) {
                return Some(photo);
            }
            // Not a photo of the site: the image as it was, its inner events queued.
            let mut queued = std::mem::take(&mut self.queue);
            self.queue.push_back(e);
            self.queue.append(&mut queued);
            return self.queue.pop_front();
        }
        if matches!(e, Event::Start(Tag::Paragraph)) {
            if let Some(figure) = self.try_figure() {
                self.queue.extend(figure);
                return self.queue.pop_front();
            }
        }
        Some(e)
    }
}

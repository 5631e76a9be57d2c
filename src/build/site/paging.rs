//! How a list of articles (newest first) is cut into pages, and what each page's URL is.
//!
//! With `page_numbers = "from_oldest"` (the default) pages are counted from the oldest
//! article: `page/1/` holds the oldest `paginate_by` articles, `page/2/` the next, and so
//! on, so a full page keeps its articles and its URL as new articles arrive. The list's
//! own URL (its first page, in reading order) shows the newest articles: the newest
//! block, and the one below it too when the newest is not full, so it always shows at
//! least `paginate_by` of them (at most twice that, less one). Reading on goes to the
//! highest numbered page, then down to `page/1/`. Adding an article changes the first
//! page, and when it fills a block, the new numbered page and the link to it from the
//! one below.
//!
//! With `page_numbers = "from_newest"`, page N holds the Nth `paginate_by` newest
//! articles: every page moves when one is added.

use crate::basics::config::PageNumbers;
use std::hash::{Hash, Hasher};

/// A list of `count` items cut into pages of `per_page`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pages {
    pub count: usize,
    pub per_page: usize,
    pub numbers: PageNumbers,
}

impl Pages {
    pub fn new(count: usize, per_page: usize, numbers: PageNumbers) -> Pages {
        Pages {
            count,
            per_page: per_page.max(1),
            numbers,
        }
    }

    /// How many pages the list has (at least one, empty for an empty list).
    pub fn total(&self) -> usize {
        match self.numbers {
            PageNumbers::FromNewest => self.count.div_ceil(self.per_page).max(1),
            PageNumbers::FromOldest => self.numbered() + 1,
        }
    }

    /// From the oldest: the full blocks that have numbered pages of their own (all but
    /// the one or two newest blocks, which the first page shows).
    fn numbered(&self) -> usize {
        let blocks = self.count.div_ceil(self.per_page);
        if self.count.is_multiple_of(self.per_page) {
            blocks.saturating_sub(1)
        } else {
            blocks.saturating_sub(2)
        }
    }

    /// The number of the page at reading position `at` (1: the list's first page): the
    /// number in its URL, and for the first page the one after the highest numbered.
    pub fn number(&self, at: usize) -> usize {
        match self.numbers {
            PageNumbers::FromNewest => at,
            PageNumbers::FromOldest if at == 1 => self.numbered() + 1,
            PageNumbers::FromOldest => self.numbered() + 2 - at,
        }
    }

    /// The items (indexes into the newest-first list) of the page at `at`.
    pub fn range(&self, at: usize) -> std::ops::Range<usize> {
        let (count, per) = (self.count, self.per_page);
        match self.numbers {
            PageNumbers::FromNewest => ((at - 1) * per).min(count)..(at * per).min(count),
            PageNumbers::FromOldest if at == 1 => 0..count - self.numbered() * per,
            PageNumbers::FromOldest => {
                let n = self.number(at);
                count - n * per..count - (n - 1) * per
            }
        }
    }

    /// The URL of the page at `at` of the list at `base` (`/tags/x/`): `base` itself for
    /// the first page, `base` + `page/N/` for the others.
    pub fn url(&self, base: &str, at: usize) -> String {
        if at == 1 {
            base.to_owned()
        } else {
            format!("{base}page/{}/", self.number(at))
        }
    }

    /// The page at reading position `at` (1-based) of the list at `base`.
    pub fn pager(&self, base: &str, at: usize) -> Pager {
        let total = self.total();
        let range = self.range(at);
        Pager {
            number: self.number(at),
            total,
            first: at == 1,
            start: range.start,
            end: range.end,
            url: self.url(base, at),
            prev_url: (at > 1).then(|| self.url(base, at - 1)),
            next_url: (at < total).then(|| self.url(base, at + 1)),
            numbers: self.numbers,
        }
    }
}

/// One page of a paginated list: which items, and the URLs around it. What of it the
/// page's key holds is [`Pager::hash_shown`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// The page's number (see [`Pages::number`]).
    pub number: usize,
    /// How many pages the list has.
    pub total: usize,
    /// The list's first page (its own URL).
    pub first: bool,
    /// The items shown: indexes into the newest-first list.
    pub start: usize,
    pub end: usize,
    pub url: String,
    /// The newer page's URL.
    pub prev_url: Option<String>,
    /// The older page's URL.
    pub next_url: Option<String>,
    pub numbers: PageNumbers,
}

impl Pager {
    /// Whether the page is given the list's length (a term's count of articles): always
    /// when numbered from the newest; numbered from the oldest, on the first page only,
    /// so that a new article does not change every page of its terms.
    pub fn shows_count(&self) -> bool {
        self.first || self.numbers == PageNumbers::FromNewest
    }

    /// Hashes what the page shows of its pager. Numbered from the oldest, a page's place
    /// in the newest-first list (`start`) moves with every new article while its items
    /// do not (their cards are hashed on their own), and the number of pages grows with
    /// the list: neither is hashed, so a full page is not rendered again, unless the
    /// templates name `total` (`with_total`).
    pub fn hash_shown<H: Hasher>(&self, h: &mut H, with_total: bool) {
        match self.numbers {
            PageNumbers::FromNewest => {
                (self.number, self.total, self.start, self.end).hash(h);
            }
            PageNumbers::FromOldest => {
                (self.number, self.end - self.start, self.first).hash(h);
                if with_total {
                    self.total.hash(h);
                }
            }
        }
        (&self.url, &self.prev_url, &self.next_url).hash(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn newest(count: usize, per: usize) -> Pages {
        Pages::new(count, per, PageNumbers::FromNewest)
    }

    fn oldest(count: usize, per: usize) -> Pages {
        Pages::new(count, per, PageNumbers::FromOldest)
    }

    #[test]
    fn from_newest_counts_pages_from_the_newest() {
        let p = newest(5, 2).pager("/tags/x/", 1);
        assert_eq!((p.total, p.start, p.end), (3, 0, 2));
        assert_eq!(p.next_url.as_deref(), Some("/tags/x/page/2/"));
        let p = newest(5, 2).pager("/", 3);
        assert_eq!(p.prev_url.as_deref(), Some("/page/2/"));
        assert_eq!((p.start, p.end), (4, 5));
        assert_eq!(newest(0, 2).pager("/", 1).total, 1);
    }

    #[test]
    fn from_oldest_covers_every_item_once_in_reading_order() {
        for per in 1..6 {
            for count in 0..40 {
                let pages = oldest(count, per);
                let mut next = 0;
                for at in 1..=pages.total() {
                    let r = pages.range(at);
                    assert_eq!(r.start, next, "count {count} per {per} page {at}");
                    assert!(r.end > r.start || count == 0);
                    if at == 1 {
                        assert!(r.len() >= per.min(count) && r.len() < 2 * per.max(1));
                    } else {
                        assert_eq!(r.len(), per, "a numbered page is full");
                    }
                    next = r.end;
                }
                assert_eq!(next, count);
            }
        }
    }

    #[test]
    fn from_oldest_a_numbered_page_keeps_its_items_and_url_as_articles_arrive() {
        let per = 3;
        // Item k counted from the oldest is at index count - 1 - k of the list.
        let page_items = |count: usize| {
            let pages = oldest(count, per);
            (2..=pages.total())
                .map(|at| {
                    let r = pages.range(at);
                    let items: Vec<usize> = r.map(|i| count - 1 - i).collect();
                    (pages.url("/", at), items)
                })
                .collect::<Vec<_>>()
        };
        for count in 0..30 {
            let before = page_items(count);
            let after = page_items(count + 1);
            for page in &before {
                assert!(after.contains(page), "{page:?} gone after {count} + 1");
            }
            assert!(after.len() <= before.len() + 1);
        }
    }

    #[test]
    fn from_oldest_links_run_both_ways() {
        let pages = oldest(10, 3); // blocks 1..=3 full, block 4 holds one item
        assert_eq!(pages.total(), 3);
        let urls: Vec<String> = (1..=3).map(|at| pages.url("/t/", at)).collect();
        assert_eq!(urls, ["/t/", "/t/page/2/", "/t/page/1/"]);
        assert_eq!(pages.range(1), 0..4);
        let second = pages.pager("/t/", 2);
        assert_eq!(second.prev_url.as_deref(), Some("/t/"));
        assert_eq!(second.next_url.as_deref(), Some("/t/page/1/"));
        assert_eq!(pages.pager("/t/", 3).next_url, None);
        assert!(pages.pager("/t/", 1).first);
        assert_eq!(pages.pager("/t/", 1).number, 3);
    }
}

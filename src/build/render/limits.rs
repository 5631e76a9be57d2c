//! Bounds on rendering one page: a theme's template may loop or recurse without end
//! (nested loops of billions of turns, a component calling itself), and the build must
//! stop with a message naming the template and the page, not run out of memory or
//! hang. No page of a normal theme comes near either bound.
//!
//! The page's writer ([`Bounded`]) stops a template that writes too much. A template
//! that runs too long (writing or not: a component's output is gathered before it is
//! written) is seen by a watchdog thread ([`watch`]), which ends the process with the
//! message once a page has been rendering for longer than [`MAX_PAGE_TIME`], as a kill
//! would end it (the previous output stays, the next build cleans up).

use std::io::Write;
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// A page being rendered: when it started, its template and what it is made from.
type Page = (Instant, &'static str, String);

/// Pages being rendered, a slot a rendering thread.
static PAGES: Mutex<Vec<Option<Page>>> = Mutex::new(Vec::new());

/// A page being rendered, watched until dropped.
pub struct Watched(usize);

impl Drop for Watched {
    fn drop(&mut self) {
        if let Ok(mut pages) = PAGES.lock() {
            pages[self.0] = None;
        }
    }
}

/// Watches the rendering of one page (`source`: its article's file or its URL).
pub fn watch(template: &'static str, source: String) -> Watched {
    static WATCHDOG: Once = Once::new();
    WATCHDOG.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("warraq-template-watchdog".into())
            .spawn(watchdog);
    });
    let mut pages = PAGES.lock().unwrap_or_else(|e| e.into_inner());
    let entry = Some((Instant::now(), template, source));
    let slot = match pages.iter().position(Option::is_none) {
        Some(i) => {
            pages[i] = entry;
            i
        }
        None => {
            pages.push(entry);
            pages.len() - 1
        }
    };
    Watched(slot)
}

fn watchdog() {
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let stuck = PAGES.lock().ok().and_then(|pages| {
            pages
                .iter()
                .flatten()
                .find(|(started, _, _)| started.elapsed() > page_time() + Duration::from_secs(1))
                .map(|(_, template, source)| (*template, source.clone()))
        });
        if let Some((template, source)) = stuck {
            eprintln!(
                "template `{template}`: template error: the page took more than {} s to render: does a loop or a component run without end?{}",
                page_time().as_secs(),
                rendering_suffix(&source)
            );
            eprintln!("build failed: 1 problem; the previous output was left as it was");
            std::process::exit(1);
        }
    }
}

/// Largest page a template may write (a sitemap of a million articles is about 150 MB).
pub const MAX_PAGE_BYTES: usize = 256 << 20;

/// Longest a template may take to write one page, unless `WARRAQ_TEMPLATE_TIMEOUT`
/// (seconds) says otherwise (a very large sitemap on a slow machine).
pub const MAX_PAGE_TIME: Duration = Duration::from_secs(30);

/// [`MAX_PAGE_TIME`], or the time `WARRAQ_TEMPLATE_TIMEOUT` sets.
pub fn page_time() -> Duration {
    static TIME: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *TIME.get_or_init(|| {
        std::env::var("WARRAQ_TEMPLATE_TIMEOUT")
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .filter(|s| *s > 0)
            .map_or(MAX_PAGE_TIME, Duration::from_secs)
    })
}

/// A page's output, refusing to grow past [`MAX_PAGE_BYTES`]. (Time is the
/// watchdog's: looking at the clock here cost more than the rest of the writing.)
pub struct Bounded<'a> {
    out: &'a mut Vec<u8>,
    exceeded: bool,
    max_bytes: usize,
}

impl<'a> Bounded<'a> {
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        Bounded::with_limit(out, MAX_PAGE_BYTES)
    }

    pub fn with_limit(out: &'a mut Vec<u8>, max_bytes: usize) -> Self {
        Bounded {
            out,
            exceeded: false,
            max_bytes,
        }
    }

    /// Which bound the page passed, in words, if it passed one.
    pub fn exceeded(&self) -> Option<String> {
        self.exceeded.then(|| {
            format!(
                "the page grew past {} MiB: does a loop or a component run without end?",
                self.max_bytes >> 20
            )
        })
    }
}

impl Write for Bounded<'_> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.out.len() + buf.len() > self.max_bytes {
            self.exceeded = true;
            return Err(std::io::Error::other("the page passed its size bound"));
        }
        self.out.extend_from_slice(buf);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const RENDERING: &str = " (while rendering `";

/// What a template error adds to say which page was being made.
pub fn rendering_suffix(source: &str) -> String {
    format!("{RENDERING}{source}`)")
}

/// A template error's message without [`rendering_suffix`].
pub fn without_rendering_suffix(message: &str) -> &str {
    message.rfind(RENDERING).map_or(message, |i| &message[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_stops_at_its_bound() {
        let mut out = Vec::new();
        let mut w = Bounded::with_limit(&mut out, 10);
        w.write_all(b"12345").unwrap();
        assert!(w.exceeded().is_none());
        assert!(w.write_all(b"123456").is_err());
        assert!(w.exceeded().unwrap().contains("MiB"));
        assert_eq!(out, b"12345");
    }

    #[test]
    fn the_page_named_is_left_out_when_problems_are_compared() {
        let m = format!("template error: x{}", rendering_suffix("content/a.md"));
        assert_eq!(without_rendering_suffix(&m), "template error: x");
    }
}

//! `warraq import`: a raw article as copied from an Arabic news site (text) → a Markdown
//! article with YAML front matter.
//!
//! [`convert`] is pure: the first line is the headline (title, then subtitle after the
//! first `..`); a byline (`تحليل يكتبه - NAME`, `كتب NAME`, `بقلم NAME`) and a dateline
//! under it give the author and date; a line repeated twice in a row is an image caption;
//! a short line between paragraphs that does not end like a sentence is a `##` heading;
//! the site's trailing boilerplate is dropped. Every value says which line it came from,
//! so the curator can check it. [`write()`] saves the result as `<out>/<YYYY>/<slug>.md`.
//!
//! Paragraph text is never changed: a line is written as it is, unless Markdown would
//! show it differently (a `*` or a leading `1.`), and then only backslashes are added.

mod output;
mod photos;
mod recognize;

pub use output::{describe, write};
pub use photos::{photos_in, Taken};
pub use recognize::{byline, dateline, split_headline};

use jiff::civil::Date;
use recognize::{
    ends_like_a_sentence, is_end_marker, is_read_also, is_space, looks_like_heading, site_name,
    word_count, MAX_HEADLINE_WORDS, MIN_HEADLINE_RUN,
};
use std::borrow::Cow;

/// What the command line knows better than the text.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub date: Option<Date>,
    pub author: Option<String>,
    pub source: Option<String>,
}

/// One block of the article body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(String),
    Heading(String),
    /// The caption of a photo the archive does not hold: `![caption]()`.
    Caption(String),
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line option.
    Option,
    /// A line of the text: its 1-based number and its words.
    Line(usize, String),
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<T> {
    pub value: T,
    pub origin: Origin,
}

/// Lines left out of the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub first: usize,
    pub last: usize,
    /// Non-blank lines in `first..=last`.
    pub lines: usize,
    pub reason: String,
}

/// The article read from the text.
#[derive(Debug, Clone)]
pub struct Imported {
    pub title: String,
    pub subtitle: Option<String>,
    pub author: Option<Found<String>>,
    pub date: Option<Found<Date>>,
    pub source: Option<Found<String>>,
    pub blocks: Vec<Block>,
    pub dropped: Vec<Dropped>,
    /// Numbers of the lines that held only whitespace, such as no-break spaces.
    pub blank_lines: Vec<usize>,
    /// What the curator should look at before publishing.
    pub notes: Vec<String>,
    /// The photos of the captions, in order ([`Imported::attach_photos`]).
    pub photos: Vec<Taken>,
}

/// A non-blank line of the text, trimmed, with its 1-based number.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    no: usize,
    text: &'a str,
}

/// Reads an article from the text of a news page.
pub fn convert(text: &str, opts: &ImportOptions) -> Result<Imported, String> {
    let text = normalize(text);
    let (lines, blank_lines) = content_lines(&text);
    let Some((headline, rest)) = lines.split_first() else {
        return Err("the text is empty: its first line should be the headline".into());
    };
    let (title, subtitle) = split_headline(headline.text);
    let mut imported = Imported {
        title: title.to_owned(),
        subtitle: subtitle.map(str::to_owned),
        author: None,
        date: None,
        source: None,
        blocks: Vec::new(),
        dropped: Vec::new(),
        blank_lines,
        notes: Vec::new(),
        photos: Vec::new(),
    };
    let body = cut_boilerplate(rest, &mut imported);
    sort_lines(body, &mut imported);
    if !imported
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Paragraph(_)))
    {
        return Err(format!(
            "no paragraphs after the headline (line {}): is this the text of an article?",
            headline.no
        ));
    }
    apply_options(&mut imported, opts);
    Ok(imported)
}

/// Strips a UTF-8 byte-order mark and turns CRLF and CR line endings into LF.
fn normalize(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The trimmed non-blank lines, and the numbers of lines that held only whitespace.
fn content_lines(text: &str) -> (Vec<Line<'_>>, Vec<usize>) {
    let mut lines = Vec::new();
    let mut blank = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let trimmed = raw.trim_matches(is_space);
        if !trimmed.is_empty() {
            lines.push(Line {
                no: i + 1,
                text: trimmed,
            });
        } else if !raw.is_empty() {
            blank.push(i + 1);
        }
    }
    (lines, blank)
}

/// A byline or dateline (before the first paragraph): sets the author or date and says
/// the line is taken.
fn header_line(line: Line<'_>, imported: &mut Imported) -> bool {
    let origin = || Origin::Line(line.no, line.text.to_owned());
    if imported.author.is_none() {
        if let Some(name) = byline(line.text) {
            imported.author = Some(Found {
                value: name.to_owned(),
                origin: origin(),
            });
            return true;
        }
    }
    if imported.date.is_none() {
        if let Some(date) = dateline(line.text) {
            imported.date = Some(Found {
                value: date,
                origin: origin(),
            });
            return true;
        }
    }
    false
}

/// Cuts the site's material after the article: from a marker line (`Google News ...`)
/// to the end, or else a trailing run of short lines none of which ends like a sentence
/// (the site's other headlines).
fn cut_boilerplate<'l, 'a>(body: &'l [Line<'a>], imported: &mut Imported) -> &'l [Line<'a>] {
    if let Some(at) = body.iter().skip(1).position(|l| is_end_marker(l.text)) {
        let at = at + 1;
        let marker = body[at];
        imported.dropped.push(dropped(
            &body[at..],
            format!("site boilerplate from the line `{}`", marker.text),
        ));
        imported.source = body[at..].iter().take(3).find_map(|l| {
            Some(Found {
                value: site_name(l.text)?.to_owned(),
                origin: Origin::Line(l.no, l.text.to_owned()),
            })
        });
        return &body[..at];
    }
    let last_sentence = body.iter().rposition(|l| ends_like_a_sentence(l.text));
    let Some(last) = last_sentence else {
        return body;
    };
    let run = &body[last + 1..];
    let headlines = run.len() >= MIN_HEADLINE_RUN
        && run.iter().all(|l| word_count(l.text) <= MAX_HEADLINE_WORDS);
    if headlines {
        imported.dropped.push(dropped(
            run,
            format!(
                "a run of {} short lines after the last sentence, taken for the site's other headlines",
                run.len()
            ),
        ));
        return &body[..=last];
    }
    body
}

fn dropped(lines: &[Line<'_>], reason: String) -> Dropped {
    Dropped {
        first: lines.first().map_or(0, |l| l.no),
        last: lines.last().map_or(0, |l| l.no),
        lines: lines.len(),
        reason,
    }
}

/// Sorts the body's lines into paragraphs, headings and captions; a byline or dateline
/// before the first paragraph (under the headline, or under a first photo's caption) gives
/// the author or date.
fn sort_lines(body: &[Line<'_>], imported: &mut Imported) {
    let mut i = 0;
    while i < body.len() {
        let line = body[i];
        let after_paragraph = imported
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Paragraph(_)));
        if !after_paragraph && header_line(line, imported) {
            i += 1;
            continue;
        }
        if is_read_also(line.text) {
            imported.dropped.push(dropped(
                &body[i..=i],
                "a \"read also\" link of the site".to_owned(),
            ));
            i += 1;
            continue;
        }
        if body.get(i + 1).is_some_and(|next| next.text == line.text) {
            imported.blocks.push(Block::Caption(line.text.to_owned()));
            i += 1;
            while body.get(i).is_some_and(|l| l.text == line.text) {
                i += 1;
            }
            continue;
        }
        let short = looks_like_heading(line.text);
        let last = i + 1 == body.len();
        if short && after_paragraph && !last {
            imported.blocks.push(Block::Heading(line.text.to_owned()));
        } else {
            if short {
                imported.notes.push(format!(
                    "line {} `{}` is short and does not end like a sentence, but it is {}: kept as a paragraph",
                    line.no,
                    line.text,
                    if last { "the last line (is it the site's text?)" } else { "before the first paragraph" }
                ));
            }
            imported.blocks.push(Block::Paragraph(line.text.to_owned()));
        }
        i += 1;
    }
}

fn apply_options(imported: &mut Imported, opts: &ImportOptions) {
    if let Some(author) = &opts.author {
        imported.author = Some(Found {
            value: author.trim().to_owned(),
            origin: Origin::Option,
        });
    }
    if let Some(source) = &opts.source {
        imported.source = Some(Found {
            value: source.trim().to_owned(),
            origin: Origin::Option,
        });
    }
    if let Some(date) = opts.date {
        if let Some(Found {
            value,
            origin: Origin::Line(no, _),
        }) = &imported.date
        {
            if *value != date {
                imported.notes.push(format!(
                    "line {no} says the date is {value}; --date {date} was used"
                ));
            }
        }
        imported.date = Some(Found {
            value: date,
            origin: Origin::Option,
        });
    }
}

impl Imported {
    /// (paragraphs, headings, captions).
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |f: fn(&Block) -> bool| self.blocks.iter().filter(|b| f(b)).count();
        (
            count(|b| matches!(b, Block::Paragraph(_))),
            count(|b| matches!(b, Block::Heading(_))),
            count(|b| matches!(b, Block::Caption(_))),
        )
    }
}

#[cfg(test)]
mod tests;

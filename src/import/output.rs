//! [`Imported`] → the article file: front matter and Markdown body, a report of what was
//! found for the terminal, and the file written where the archive keeps it.

use super::{Block, Imported, Origin};
use crate::scaffold::yaml_string;
use crate::sources::markdown::{self, MarkdownOptions};
use crate::text::slug::slugify;
use anyhow::{bail, Context as _, Result};
use jiff::civil::Date;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

impl Imported {
    /// The article file: front matter, then the body. `topic`, `tags` and `summary` are
    /// left empty for the curator (`warraq check` reminds them).
    pub fn markdown(&self, date: Date) -> String {
        let mut out = String::from("---\n");
        let _ = writeln!(out, "title: {}", yaml_string(&self.title));
        if let Some(s) = &self.subtitle {
            let _ = writeln!(out, "subtitle: {}", yaml_string(s));
        }
        if let Some(a) = &self.author {
            let _ = writeln!(out, "author: {}", yaml_string(&a.value));
        }
        let _ = writeln!(out, "date: {date}");
        out.push_str("topic: \"\"\ntags: []\nsummary: \"\"\n");
        if let Some(s) = &self.source {
            let _ = writeln!(out, "source:\n  name: {}", yaml_string(&s.value));
        }
        out.push_str("---\n");
        for (block, photo) in self.blocks.iter().zip(self.caption_photos()) {
            out.push('\n');
            out.push_str(&block_markdown(block, photo));
            out.push('\n');
        }
        out
    }
}

/// A block's Markdown; a caption with its photo's file name when it has one.
pub(super) fn block_markdown(block: &Block, photo: Option<&str>) -> String {
    match block {
        Block::Paragraph(t) => markdown_safe(t, |e| e.to_owned()),
        Block::Heading(t) => markdown_safe(t, |e| format!("## {e}")),
        Block::Caption(t) => markdown_safe(t, |e| format!("![{e}]({})", photo.unwrap_or(""))),
    }
}

/// `wrap(text)` if Markdown shows exactly `text` for it; else with the characters Markdown
/// would read as syntax escaped, first the inline ones, then every ASCII punctuation mark.
fn markdown_safe(text: &str, wrap: impl Fn(&str) -> String) -> String {
    let tries = [
        wrap(text),
        wrap(&escape(text, |c| "\\`*_[]<>|~&#".contains(c))),
        wrap(&escape(text, |c| c.is_ascii_punctuation())),
    ];
    let shown = |md: &str| {
        let r = markdown::render(md, MarkdownOptions { unsafe_html: true });
        r.plain.strip_suffix('\n').unwrap_or(&r.plain).to_owned()
    };
    let [plain, inline, all] = tries;
    if shown(&plain) == text {
        plain
    } else if shown(&inline) == text {
        inline
    } else {
        all
    }
}

fn escape(text: &str, special: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if special(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What the import found, for the terminal.
pub fn describe(imported: &Imported) -> String {
    let mut out = String::new();
    let origin = |o: &Origin| match o {
        Origin::Option => " (from the command line)".to_owned(),
        Origin::Line(no, text) => format!(" (line {no}: `{text}`)"),
    };
    let _ = writeln!(out, "title:     {}", imported.title);
    match &imported.subtitle {
        Some(s) => writeln!(out, "subtitle:  {s}"),
        None => writeln!(out, "subtitle:  none (the headline has no `..`)"),
    }
    .ok();
    match &imported.author {
        Some(a) => writeln!(out, "author:    {}{}", a.value, origin(&a.origin)),
        None => writeln!(out, "author:    not found: pass --author NAME"),
    }
    .ok();
    match &imported.date {
        Some(d) => writeln!(out, "date:      {}{}", d.value, origin(&d.origin)),
        None => writeln!(
            out,
            "date:      not in the text: pass --date YYYY-MM-DD (the day it was first published)"
        ),
    }
    .ok();
    match &imported.source {
        Some(s) => writeln!(out, "source:    {}{}", s.value, origin(&s.origin)),
        None => writeln!(out, "source:    not found: pass --source NAME"),
    }
    .ok();
    let (p, h, c) = imported.counts();
    let _ = writeln!(
        out,
        "body:      {p} paragraphs, {h} headings (##), {c} image captions"
    );
    if imported.photos.is_empty() && c > 0 {
        let _ = writeln!(
            out,
            "photos:    none taken: the captions stay captions only; pass --images DIR to bring the photos"
        );
    }
    for t in &imported.photos {
        let _ = writeln!(out, "photo:     {} ← {}", t.name, t.from.display());
    }
    for d in &imported.dropped {
        let _ = writeln!(
            out,
            "dropped:   {} line{} ({}–{}): {}",
            d.lines,
            if d.lines == 1 { "" } else { "s" },
            d.first,
            d.last,
            d.reason
        );
    }
    if !imported.blank_lines.is_empty() {
        let nums: Vec<String> = imported
            .blank_lines
            .iter()
            .map(ToString::to_string)
            .collect();
        let _ = writeln!(
            out,
            "dropped:   {} line(s) holding only spaces or no-break spaces (lines {})",
            nums.len(),
            nums.join(", ")
        );
    }
    for n in &imported.notes {
        let _ = writeln!(out, "check:     {n}");
    }
    out
}

/// Writes the article to `<out>/<YYYY>/<slug>.md`, or, with photos, to
/// `<out>/<YYYY>/<slug>/index.md` with the photos beside it. Refuses without a date
/// (never invents one) and refuses to replace an existing file unless `force`.
pub fn write(imported: &Imported, out: &Path, force: bool) -> Result<PathBuf> {
    let Some(date) = imported.date.as_ref().map(|d| d.value) else {
        bail!("the text does not say when the article was published: pass `--date YYYY-MM-DD`; nothing was written");
    };
    let slug = slugify(&imported.title);
    if slug.is_empty() {
        bail!(
            "cannot make a file name from the title `{}`: it has no letters or digits",
            imported.title
        );
    }
    let year = out.join(date.year().to_string());
    let path = if imported.photos.is_empty() {
        year.join(format!("{slug}.md"))
    } else {
        year.join(&slug).join("index.md")
    };
    // The same URL either way: an article imported before as `<slug>.md` is the same one.
    let other = if imported.photos.is_empty() {
        year.join(&slug).join("index.md")
    } else {
        year.join(format!("{slug}.md"))
    };
    if other.exists() {
        bail!(
            "`{}` already holds this article (the same URL): move or remove it first; nothing was written",
            other.display()
        );
    }
    if path.exists() && !force {
        bail!(
            "`{}` already exists: pass `--force` to replace it; nothing was written",
            path.display()
        );
    }
    let text = imported.markdown(date);
    // The article must read back with warraq's own front matter parser.
    crate::sources::front_matter::split(&text)
        .and_then(|s| crate::sources::front_matter::parse(&s))
        .map_err(|e| {
            anyhow::anyhow!(
                "internal error: the imported front matter does not parse: {}:{}: {}",
                e.line,
                e.col,
                e.message
            )
        })?;
    let dir = path.parent().unwrap_or(out);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    for t in &imported.photos {
        let to = dir.join(&t.name);
        std::fs::copy(&t.from, &to)
            .with_context(|| format!("cannot copy `{}` to `{}`", t.from.display(), to.display()))?;
    }
    std::fs::write(&path, text).with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(path)
}

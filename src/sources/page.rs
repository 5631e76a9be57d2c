//! One source file → [`Page`]: front matter checked, Markdown rendered, URL decided.

use crate::basics::config::Config;
use crate::basics::error::{Diagnostic, Located};
use crate::basics::spill::{Kept, Store};
use crate::photos::{Photo, Photos};
use crate::search::index::{Document, Vocabulary};
use crate::sources::content::ContentDir;
use crate::sources::front_matter::{self, SourceRef};
use crate::sources::links::{self, Targets};
use crate::sources::markdown::{self, MarkdownOptions, TocEntry};
use crate::text::slug::{slugify, strip_invisible};
use jiff::civil::Date;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a page appears: articles are listed, dated and classified; standalone pages
/// (`content/about.md`) only get their own URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Article,
    Standalone,
}

/// One article or standalone page: its file, what its front matter says, what its body
/// renders to ([`Body`]) and what the build attaches to it ([`Attached`]).
#[derive(Debug, Clone)]
pub struct Page {
    /// The file, as shown in messages.
    pub path: PathBuf,
    /// The file's path under `content/` (what links to it are resolved against).
    pub rel: PathBuf,
    pub kind: Kind,
    pub title: String,
    pub subtitle: Option<String>,
    pub author: Option<String>,
    pub topic: Option<String>,
    pub tags: Vec<String>,
    pub date: Date,
    /// The date as written (kept for RFC 3339 timestamps in feeds).
    pub date_written: String,
    pub updated: Option<Date>,
    pub draft: bool,
    pub lang: String,
    pub slug: String,
    /// Site path, `/articles/<slug>/`.
    pub url: String,
    /// `summary` from the front matter (plain text), if set.
    pub summary_text: Option<String>,
    pub source: Option<SourceRef>,
    /// The lead photo (`image` in the front matter).
    pub image: Option<Lead>,
    pub extra: serde_json::Value,
    /// Identity keys of `tags`, `topic` and `author`, computed once.
    pub keys: TermKeys,
    pub body: Body,
    pub build: Attached,
}

/// A page's lead photo and what its front matter says of it.
#[derive(Debug, Clone)]
pub struct Lead {
    pub photo: Arc<Photo>,
    /// The line of `image` in the file.
    pub line: usize,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

/// A photo of the site a page's body shows, where, and with what alt text.
#[derive(Debug, Clone)]
pub struct PhotoUse {
    /// The destination as written.
    pub dest: String,
    pub photo: Arc<Photo>,
    pub line: usize,
    pub col: usize,
}

/// Identity keys of a page's terms ([`crate::text::slug`]): two spellings of one term
/// share a key.
#[derive(Debug, Clone, Default)]
pub struct TermKeys {
    pub tags: Vec<String>,
    pub topic: Option<String>,
    pub author: Option<String>,
}

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
    fn of(
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

fn markdown_options(config: &Config) -> MarkdownOptions {
    MarkdownOptions {
        unsafe_html: config.unsafe_html,
    }
}

/// What a body's links and photos become: links to source files rewritten through
/// `targets`; photos of the site as their `<picture>`, found through `photos` while
/// parsing, or among the `known` photos of a parsed page when it is rendered again.
struct Resolver<'a> {
    rel: &'a Path,
    targets: &'a Targets,
    config: &'a Config,
    photos: Option<&'a Photos>,
    known: &'a [PhotoUse],
}

impl Resolver<'_> {
    fn photo_at(&self, dest: &str) -> Option<Arc<Photo>> {
        if let Some(photos) = self.photos {
            return photos.resolve(dest, self.rel)?.ok();
        }
        self.known
            .iter()
            .find(|u| u.dest == dest)
            .map(|u| u.photo.clone())
    }
}

impl markdown::Resolve for Resolver<'_> {
    fn link(&self, dest: &str) -> Option<String> {
        links::rewrite(dest, self.rel, self.targets)
    }

    fn photo(&self, dest: &str, alt: &str) -> Option<String> {
        let photo = self.photo_at(dest)?;
        let shown = crate::photos::markup::Shown {
            alt,
            sizes: &self.config.photos.sizes,
            lead: false,
        };
        Some(crate::photos::markup::picture(&photo, shown))
    }
}

/// The body's HTML, with links to source files rewritten through `targets` and the
/// page's known photos as their markup.
fn render_markdown(
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

/// What parsing keeps besides the page: an article's search document, when given a
/// vocabulary on a site with search (its text is at hand only while parsing), the
/// body's HTML, in `bodies` when given a store and it has room ([`Page::html`]; else the
/// HTML is rendered again when the page is written), its word count unless
/// `uncounted`, and the file's text as read, in `texts` when given (`check` scans it).
#[derive(Clone, Copy, Default)]
pub struct Keep<'a> {
    pub vocabulary: Option<&'a Vocabulary>,
    pub bodies: Option<&'a Store>,
    pub texts: Option<&'a Texts>,
    /// Leaves [`Body::words`] and [`Body::reading_minutes`] unknown: for a one-off build
    /// whose templates show neither (counting took about 4% of the CPU of a
    /// 10,000-article build with the bench's minimal templates).
    pub uncounted: bool,
    /// The site's photos: without them, photos are left as the body writes them and
    /// `image` is not read.
    pub photos: Option<&'a Photos>,
}

/// Sources' texts as read, by file.
pub type Texts = std::sync::Mutex<std::collections::BTreeMap<PathBuf, String>>;

/// A link or image in a page's body, at a 1-based line and column of its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    /// The destination as written.
    pub dest: String,
    pub line: usize,
    pub col: usize,
    pub image: bool,
}

/// Reads and parses one file of `content`; `targets` gives the URLs that links to
/// other source files are rewritten to; `keep`, what else to keep.
pub fn load(
    content: &ContentDir,
    path: &Path,
    config: &Config,
    targets: &Targets,
    keep: Keep<'_>,
) -> Result<Page, Diagnostic> {
    load_with(content, path, config, keep, |_| targets)
}

/// [`load`], asking `targets_for` for the link targets once the page's head (its URL)
/// is known and before its body is rendered: the dev server records the file's URL
/// there, so a page linking to itself by its path follows a changed slug.
pub fn load_with<'t>(
    content: &ContentDir,
    path: &Path,
    config: &Config,
    keep: Keep<'_>,
    targets_for: impl FnOnce(&Head<'_>) -> &'t Targets,
) -> Result<Page, Diagnostic> {
    let (text, stamp) = content.load_stamped(path)?;
    if let Some(texts) = keep.texts {
        texts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_path_buf(), text.clone());
    }
    let rel = content.rel(path);
    parse_head(&text, rel)
        .and_then(|head| {
            let targets = targets_for(&head);
            head.into_page_with(config, targets, keep)
        })
        .map_err(|e| e.in_file(path))
        .map(|mut p| {
            p.path = path.to_path_buf();
            p.build.source_stamp = stamp;
            p
        })
}

/// Parses a page from text, with no other pages to link to. `rel` (its path under
/// `content/`) decides its kind and default slug.
pub fn parse(text: &str, rel: &Path, config: &Config) -> Result<Page, Located> {
    parse_head(text, rel)?.into_page(config, &Targets::default())
}

/// A page whose front matter is read and whose URL is decided, its body not yet
/// rendered: the build reads every head first, so that links between files can be
/// rewritten to URLs when the bodies are rendered (see `links.rs`).
pub struct Head<'t> {
    split: front_matter::Split<'t>,
    fm: front_matter::FrontMatter,
    rel: PathBuf,
    kind: Kind,
    slug: String,
    url: String,
}

/// Reads the front matter of `text` and decides the page's kind, slug and URL.
pub fn parse_head<'t>(text: &'t str, rel: &Path) -> Result<Head<'t>, Located> {
    if text.trim().is_empty() {
        return Err(Located::at(
            1,
            1,
            "file is empty: an article needs front matter with `title` and `date`",
        ));
    }
    let split = front_matter::split(text)?;
    let fm = front_matter::parse(&split)?;
    let kind = if rel.starts_with("articles") {
        Kind::Article
    } else {
        Kind::Standalone
    };
    // A folder article (`2019/<slug>/index.md`, its photos beside it) is named by its
    // folder.
    let mut stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if stem.eq_ignore_ascii_case("index") {
        if let Some(folder) = rel
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
        {
            stem = folder;
        }
    }
    let slug = slugify(fm.slug.as_deref().unwrap_or(stem));
    if slug.is_empty() {
        return Err(Located::at(
            1,
            1,
            format!(
                "cannot make a URL from the file name `{stem}`: set `slug` in the front matter"
            ),
        ));
    }
    let url = match kind {
        Kind::Article => format!("/articles/{slug}/"),
        // `guides/style/index.md` is `/guides/style/`, as `guides/style.md` is.
        Kind::Standalone if stem != rel.file_stem().and_then(|s| s.to_str()).unwrap_or("") => {
            standalone_url(rel.parent().unwrap_or(rel), &slug)
        }
        Kind::Standalone => standalone_url(rel, &slug),
    };
    Ok(Head {
        split,
        fm,
        rel: rel.to_path_buf(),
        kind,
        slug,
        url,
    })
}

impl Head<'_> {
    /// The file's path under `content/`.
    pub fn rel(&self) -> &Path {
        &self.rel
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Renders the body, rewriting links to other source files through `targets`.
    pub fn into_page(self, config: &Config, targets: &Targets) -> Result<Page, Located> {
        self.into_page_with(config, targets, Keep::default())
    }

    /// [`Head::into_page`], also keeping what `keep` asks for.
    pub fn into_page_with(
        self,
        config: &Config,
        targets: &Targets,
        keep: Keep<'_>,
    ) -> Result<Page, Located> {
        let Keep {
            vocabulary,
            bodies,
            uncounted,
            texts: _,
            photos,
        } = keep;
        let Head {
            split,
            fm,
            rel,
            kind,
            slug,
            url,
        } = self;
        // parse_head has validated both dates.
        let date = front_matter::parse_date(&fm.date).map_err(|m| Located::at(1, 1, m))?;
        let updated = match &fm.updated {
            Some(u) => Some(front_matter::parse_date(u).map_err(|m| Located::at(1, 1, m))?),
            None => None,
        };
        let lang = fm.lang.clone().unwrap_or_else(|| config.language.clone());
        let searched = vocabulary.is_some() && config.search && kind == Kind::Article;
        let extra = serde_json::to_value(&fm.extra).map_err(|e| {
            Located::at(
                front_matter::key_line(&split, "extra"),
                1,
                format!("`extra`: {e}"),
            )
        })?;
        let terms = terms::terms(&split, &fm, config)?;
        let clean = |s: &String| strip_invisible(s.trim());
        let summary = fm.summary.as_ref().map(clean).filter(|s| !s.is_empty());
        let title = clean(&fm.title);
        let subtitle = fm.subtitle.as_ref().map(clean).filter(|s| !s.is_empty());
        let bodies = bodies.filter(|store| !store.is_full());
        let parts = markdown::Parts {
            html: bodies.is_some(),
            plain: !uncounted || searched,
        };
        let resolver = Resolver {
            rel: &rel,
            targets,
            config,
            photos,
            known: &[],
        };
        let mut rendered =
            markdown::render_parts(split.body, markdown_options(config), &resolver, parts);
        let links = link_refs(&split, &rendered.links);
        let mut photo_problems = Vec::new();
        let body_photos = match photos {
            Some(photos) => photos_of(photos, &rel, &links, &mut photo_problems),
            None => Vec::new(),
        };
        let image = match (photos, &fm.image) {
            (Some(photos), Some(dest)) => match lead(photos, &split, &fm, &rel, dest) {
                Ok(lead) => Some(lead),
                Err(problem) => {
                    photo_problems.push(problem);
                    None
                }
            },
            _ => None,
        };
        let html = bodies
            .and_then(|store| store.try_keep(std::mem::take(&mut rendered.html).into_bytes()));
        let search = match vocabulary {
            Some(v) if searched => Some(Document::new(
                &url,
                &title,
                subtitle.as_deref(),
                &rendered.plain,
                v,
            )),
            _ => None,
        };
        let build = Attached {
            source_stamp: Default::default(),
            version: version_of(&rel, &split, &rendered.links, targets, &body_photos, &image),
            search,
            html,
        };
        let words = (!uncounted).then(|| crate::text::words::count_words(&rendered.plain));
        let wpm = config.words_per_minute(&lang) as usize;
        let mut body = Body::of(rendered, summary.as_ref(), links, words, wpm);
        body.photos = body_photos;
        body.photo_problems = photo_problems;
        Ok(Page {
            path: PathBuf::new(),
            rel,
            kind,
            title,
            subtitle,
            author: terms.author,
            topic: terms.topic,
            tags: terms.tags,
            keys: terms.keys,
            date,
            date_written: fm.date.trim().to_owned(),
            updated,
            draft: fm.draft,
            lang,
            slug,
            url,
            summary_text: summary,
            source: fm.source,
            image,
            extra,
            body,
            build,
        })
    }
}

/// Hash of the path, front matter, body and the URLs its links to other source files
/// resolve to (which other files decide): equal versions render equally.
fn version_of(
    rel: &Path,
    split: &front_matter::Split<'_>,
    links: &[markdown::LinkSite],
    targets: &Targets,
    photos: &[PhotoUse],
    lead: &Option<Lead>,
) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(rel.to_string_lossy().as_bytes());
    hasher.update(&[0]);
    hasher.update(split.yaml.as_bytes());
    hasher.update(&[0]);
    hasher.update(split.body.as_bytes());
    for l in links.iter().filter(|l| !l.image) {
        hasher.update(&[0]);
        if let Some(url) = links::rewrite(&l.dest, rel, targets) {
            hasher.update(url.as_bytes());
        }
    }
    // A photo's published names hold its content's hash: a new photo under the old
    // name renders the page differently.
    for photo in photos
        .iter()
        .map(|u| &u.photo)
        .chain(lead.iter().map(|l| &l.photo))
    {
        hasher.update(&photo.hash.to_le_bytes());
    }
    hasher.digest()
}

/// The photos of the site among a body's images; one that cannot be used is a problem
/// at its place.
fn photos_of(
    photos: &Photos,
    rel: &Path,
    links: &[LinkRef],
    problems: &mut Vec<Located>,
) -> Vec<PhotoUse> {
    let mut found = Vec::new();
    for l in links.iter().filter(|l| l.image) {
        match photos.resolve(&l.dest, rel) {
            None => {}
            Some(Ok(photo)) => found.push(PhotoUse {
                dest: l.dest.clone(),
                photo,
                line: l.line,
                col: l.col,
            }),
            Some(Err(problem)) => problems.push(Located::at(l.line, l.col, problem)),
        }
    }
    found
}

/// The lead photo `dest` (the front matter's `image`).
fn lead(
    photos: &Photos,
    split: &front_matter::Split<'_>,
    fm: &front_matter::FrontMatter,
    rel: &Path,
    dest: &str,
) -> Result<Lead, Located> {
    let line = front_matter::key_line(split, "image");
    let at = |m: String| Located::at(line, 1, m);
    let photo = match photos.resolve(dest, rel) {
        Some(Ok(photo)) => photo,
        Some(Err(problem)) => return Err(at(format!("`image`: {problem}"))),
        None => {
            return Err(at(format!(
                "`image`: `{}` is not a photo of the site: name a JPEG, PNG, WebP, GIF or \
                 SVG file beside the article (or under `static/`, from `/`)",
                dest.trim()
            )))
        }
    };
    let clean = |s: &Option<String>| {
        s.as_ref()
            .map(|t| strip_invisible(t.trim()))
            .filter(|t| !t.is_empty())
    };
    Ok(Lead {
        photo,
        line,
        alt: clean(&fm.image_alt).unwrap_or_default(),
        caption: clean(&fm.image_caption),
        credit: clean(&fm.image_credit),
    })
}

/// Body offsets → file lines and columns.
fn link_refs(split: &front_matter::Split<'_>, sites: &[markdown::LinkSite]) -> Vec<LinkRef> {
    // Links come in the order of the text: each one's place is counted on from the
    // one before.
    let mut places = crate::basics::config::LineCols::new(split.body);
    sites
        .iter()
        .map(|s| {
            let (line, col) = places.at(s.offset);
            LinkRef {
                dest: s.dest.clone(),
                line: split.body_line + line - 1,
                col,
                image: s.image,
            }
        })
        .collect()
}

/// `about.md` → `/about/`, `guides/style.md` → `/guides/style/`: every folder name is
/// slugged too, so no path segment can be `..` or hold a separator.
fn standalone_url(rel: &Path, slug: &str) -> String {
    let mut url = String::from("/");
    if let Some(parent) = rel.parent() {
        for part in parent.iter() {
            let s = slugify(&part.to_string_lossy());
            if !s.is_empty() {
                url.push_str(&s);
                url.push('/');
            }
        }
    }
    url.push_str(slug);
    url.push('/');
    url
}

/// Takes the search documents out of `pages`, by file.
pub fn take_documents(
    pages: &mut [std::sync::Arc<Page>],
) -> std::collections::HashMap<std::path::PathBuf, Document> {
    pages
        .iter_mut()
        .filter(|p| p.build.search.is_some())
        // Just loaded, each page has one owner: nothing is cloned.
        .filter_map(|p| {
            let page = std::sync::Arc::make_mut(p);
            Some((page.path.clone(), page.build.search.take()?))
        })
        .collect()
}

mod terms;

pub use terms::{MAX_TAGS, MAX_TERM_CHARS};

#[cfg(test)]
mod tests;

/// The problems of the photos `pages` name, each at its place in its file.
pub fn photo_problems<'p>(pages: impl Iterator<Item = &'p Page>) -> Vec<Diagnostic> {
    pages
        .flat_map(|p| p.body.photo_problems.iter().map(|l| l.clone().in_file(&p.path)))
        .collect()
}

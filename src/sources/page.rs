//! One source file → [`Page`]: front matter checked, Markdown rendered, URL decided.

use crate::basics::config::Config;
use crate::basics::error::{Diagnostic, Located};
use crate::basics::spill::Store;
use crate::photos::Photos;
use crate::search::index::{Document, Vocabulary};
use crate::sources::content::ContentDir;
use crate::sources::front_matter::{self, SourceRef};
use crate::sources::links::{self, Targets};
use crate::sources::markdown;
use crate::text::slug::{slugify, strip_invisible};
use jiff::civil::Date;
use std::path::{Path, PathBuf};

/// Where a page appears: articles are listed, dated and classified; standalone pages
/// (`content/about.md`) only get their own URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Article,
    Standalone,
    /// An author's profile (`content/authors/<slug>.md`), shown on the author's page.
    Profile,
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
    /// The first of `authors`.
    pub author: Option<String>,
    /// Every author, as written (spellings of one person once).
    pub authors: Vec<String>,
    pub topic: Option<String>,
    pub tags: Vec<String>,
    /// The terms of each of the site's own taxonomies, in `site.toml`'s order.
    pub custom: Vec<Vec<String>>,
    /// Series, old addresses, schedule, translation.
    pub news: News,
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

/// Identity keys of a page's terms ([`crate::text::slug`]): two spellings of one term
/// share a key.
#[derive(Debug, Clone, Default)]
pub struct TermKeys {
    pub tags: Vec<String>,
    pub topic: Option<String>,
    pub authors: Vec<String>,
    pub custom: Vec<Vec<String>>,
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
    parse_head(&text, rel, config)
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
    parse_head(text, rel, config)?.into_page(config, &Targets::default())
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
    /// A profile's links.
    links: Vec<(String, String)>,
}

/// Reads the front matter of `text` and decides the page's kind, slug and URL.
pub fn parse_head<'t>(text: &'t str, rel: &Path, config: &Config) -> Result<Head<'t>, Located> {
    if text.trim().is_empty() {
        return Err(Located::at(
            1,
            1,
            "file is empty: an article needs front matter with `title` and `date`",
        ));
    }
    let split = front_matter::split(text)?;
    let kind = if rel.starts_with("articles") {
        Kind::Article
    } else if rel.starts_with("authors")
        && rel.extension().is_some_and(|e| e == "md")
        && !rel
            .file_stem()
            .is_some_and(|s| s.eq_ignore_ascii_case("index") || s.eq_ignore_ascii_case("_index"))
    {
        Kind::Profile
    } else {
        Kind::Standalone
    };
    let (fm, links) = if kind == Kind::Profile {
        profile::parse(&split)?
    } else {
        (front_matter::parse(&split)?, Vec::new())
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
        // The author's page: the profile's name makes the slug, as the author's term's.
        Kind::Profile => {
            let segment = config
                .taxonomies
                .get("authors")
                .and_then(|t| t.path.clone())
                .unwrap_or_else(|| "authors".to_owned());
            format!("/{segment}/{}/", slugify(&fm.title))
        }
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
        links,
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
            links: profile_links,
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
        let terms = terms::terms(&split, &fm, config, kind)?;
        let mut news = newsroom::news(&split, &fm, config)?;
        news.links = profile_links;
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
            author: terms.authors.first().cloned(),
            authors: terms.authors,
            topic: terms.topic,
            tags: terms.tags,
            custom: terms.custom,
            news,
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

mod body;
mod newsroom;
mod photos;
mod profile;
mod terms;

pub use newsroom::{
    alias_has_page, alias_path, parse_instant, translation_target, Lines, News, SeriesRef,
    Translation,
};
pub use profile::PROFILE_FIELDS;

use body::markdown_options;
pub use body::{body_html, parse_with_html, Attached, Body};
use photos::{lead, photos_of, Resolver};
pub use photos::{photo_problems, Lead, PhotoUse};
pub use terms::{MAX_TAGS, MAX_TERM_CHARS};

#[cfg(test)]
mod tests;

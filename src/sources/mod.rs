//! Sources: the files under `content/` in, [`page::Page`]s out. Discovery and reading
//! ([`content`]: which files are articles, their text as LF-only UTF-8), front matter
//! ([`front_matter`]: YAML → typed fields, errors at file lines), Markdown
//! ([`markdown`]: body → HTML, table of contents, summary, plain text), links written
//! as paths to other sources ([`links`]), and the page that gathers them ([`page`]).

pub mod content;
pub mod front_matter;
pub mod links;
pub mod markdown;
pub mod page;

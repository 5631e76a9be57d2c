//! warraq: a right-to-left-first static-site generator for archives of Arabic writing.
//!
//! The parts, dependencies running one way (each folder's module says what goes in and
//! what comes out):
//!
//! ```text
//! commands      main.rs, scaffold, check, import, serve
//!   ▼
//! build         build/: the pipeline (site, render + views, output, manifest)
//!   ▼
//! sources       sources/: content, front matter, Markdown, page, links
//!   ▼
//! search, theme search/ (Pagefind's format), theme (the embedded default theme)
//!   ▼
//! text          text/: slugs and keys, words, i18n
//!   ▼
//! basics        error, config
//! ```

pub mod basics;
pub mod build;
pub mod check;
pub mod import;
pub mod photos;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod sources;
pub mod text;
pub mod theme;

pub use build::{
    build, build_before_exit, load_all, load_config, load_pages, BuildOptions, Report,
};

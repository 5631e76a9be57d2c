//! Basics every part uses: problems found in a user's files, as `path:line:col: message`
//! ([`error`]), and the site's settings read from `site.toml` ([`config`]).

pub mod config;
pub mod error;

//! Basics every part uses: problems found in a user's files, as `path:line:col: message`
//! ([`error`]), the site's settings read from `site.toml` ([`config`]), text files'
//! bytes made text ([`decode`]), and bytes that wait on disk rather than in memory
//! while a build runs ([`spill`]).

pub mod config;
pub mod decode;
pub mod error;
pub mod spill;

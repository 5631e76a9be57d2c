//! Search: pages' text in, Pagefind's bundle under `pagefind/` out. Words are normalized
//! alike in the index and in the browser ([`normalize`], ported to
//! `static/search-normalize.js`), each article's words are numbered and its fragment
//! compressed while it is parsed ([`index`], [`gzip`]), and the bundle is written in
//! Pagefind 1.6's format once the site is assembled ([`bundle`]).

pub mod bundle;
pub mod gzip;
pub mod index;
pub mod normalize;

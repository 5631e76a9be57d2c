//! Text: strings in, keys, counts and localized strings out. Slugs and identity keys
//! ([`slug`]), word counts ([`words`]), ICU dates, numerals and plurals ([`i18n`]).
//! It depends on nothing else of warraq but the basics.

pub mod i18n;
pub mod slug;
pub mod words;

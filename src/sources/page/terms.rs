//! A page's terms (tags, topic, author): each spelling cleaned and keyed once per thread,
//! and checked at its field's line (a name with no letter, too long a name, too many
//! tags).

use super::TermKeys;
use crate::basics::config::Config;
use crate::basics::error::Located;
use crate::sources::front_matter;
use crate::text::slug::{strip_invisible, term_key};

/// Most tags one article may have: a term page and a feed are written for each, and
/// every card of the article lists them all, so the output grows with their square.
pub const MAX_TAGS: usize = 100;

/// Longest term (tag, topic or author) accepted, in characters: its URL is made of it.
pub const MAX_TERM_CHARS: usize = 200;

/// Each term can make a URL (a name with no letters or digits cannot), is not too long,
/// and an article has at most [`MAX_TAGS`] tags; errors are at the field's line.
/// A page's author, topic and tags, cleaned, with their keys.
pub(super) struct Terms {
    pub authors: Vec<String>,
    pub topic: Option<String>,
    pub tags: Vec<String>,
    pub custom: Vec<Vec<String>>,
    pub keys: TermKeys,
}

/// The front matter's terms (the site's default author for an article without one),
/// cleaned and keyed; an error when they do not fit the bounds.
pub(super) fn terms(
    split: &front_matter::Split<'_>,
    fm: &front_matter::FrontMatter,
    config: &Config,
    kind: super::Kind,
) -> Result<Terms, Located> {
    let (authors, author_keys): (Vec<String>, Vec<String>) = if kind == super::Kind::Profile {
        Default::default()
    } else {
        super::newsroom::authors(fm, config).into_iter().unzip()
    };
    let custom = super::newsroom::custom_terms(split, fm, config)?;
    let (topic, topic_key) = fm.topic.as_ref().and_then(|t| term_of(t)).unzip();
    let (tags, tag_keys): (Vec<String>, Vec<String>) =
        fm.tags.iter().filter_map(|t| term_of(t)).unzip();
    ensure_terms_fit(
        split,
        fm,
        &tags,
        &tag_keys,
        topic_key.as_deref(),
        &authors,
        &author_keys,
    )?;
    for (terms, (name, _)) in custom.iter().zip(config.taxonomies.custom()) {
        if terms.len() > MAX_TAGS {
            return Err(Located::at(
                front_matter::key_line(split, name),
                1,
                format!(
                    "{} terms in `{name}`: an article may have at most {MAX_TAGS}",
                    terms.len()
                ),
            ));
        }
        for (spelling, key) in terms {
            ensure_term_fits(split, name, name, spelling, key)?;
        }
    }
    let (custom, custom_keys) = custom
        .into_iter()
        .map(|terms| terms.into_iter().unzip())
        .unzip();
    Ok(Terms {
        authors,
        topic,
        tags,
        custom,
        keys: TermKeys {
            tags: tag_keys,
            topic: topic_key,
            authors: author_keys,
            custom: custom_keys,
        },
    })
}

fn ensure_terms_fit(
    split: &front_matter::Split<'_>,
    fm: &front_matter::FrontMatter,
    tags: &[String],
    tag_keys: &[String],
    topic_key: Option<&str>,
    authors: &[String],
    author_keys: &[String],
) -> Result<(), Located> {
    let at = |field: &str, message: String| {
        Err(Located::at(
            front_matter::key_line(split, field),
            1,
            message,
        ))
    };
    if tags.len() > MAX_TAGS {
        return at(
            "tags",
            format!(
                "{} tags: an article may have at most {MAX_TAGS} (each makes a page and a feed)",
                tags.len()
            ),
        );
    }
    let check = |what: &str, field: &str, spelling: &str, key: &str| {
        ensure_term_fits(split, what, field, spelling, key)
    };
    for (spelling, key) in tags.iter().zip(tag_keys) {
        check("tag", "tags", spelling, key)?;
    }
    if let (Some(spelling), Some(key)) = (&fm.topic, topic_key) {
        check("topic", "topic", spelling, key)?;
    }
    let author_field = if fm.authors.is_empty() {
        "author"
    } else {
        "authors"
    };
    for (spelling, key) in authors.iter().zip(author_keys) {
        check("author", author_field, spelling, key)?;
    }
    Ok(())
}

/// A term can make a URL and is not too long; the error is at `field`'s line.
fn ensure_term_fits(
    split: &front_matter::Split<'_>,
    what: &str,
    field: &str,
    spelling: &str,
    key: &str,
) -> Result<(), Located> {
    let at = |message: String| {
        Err(Located::at(
            front_matter::key_line(split, field),
            1,
            message,
        ))
    };
    if key.is_empty() {
        return at(format!(
            "{what} `{spelling}` has no letters or digits to make a URL from"
        ));
    }
    if spelling.len() > MAX_TERM_CHARS && spelling.chars().count() > MAX_TERM_CHARS {
        return at(format!(
            "{what} `{}…` is longer than {MAX_TERM_CHARS} characters",
            spelling.chars().take(40).collect::<String>()
        ));
    }
    Ok(())
}

/// A term (tag, topic or author) as pages keep it: its spelling without surrounding
/// spaces and invisible controls, and its identity key ([`term_key`]); `None` if nothing
/// is left. An archive's few hundred terms recur on thousands of pages: each thread
/// remembers the terms it has seen (making them was about 1.5% of the CPU of a
/// 10,000-article build).
pub(super) fn term_of(spelling: &str) -> Option<(String, String)> {
    type Seen = hashbrown::HashMap<String, Option<(String, String)>>;
    thread_local! {
        static SEEN: std::cell::RefCell<Seen> = Default::default();
    }
    SEEN.with_borrow_mut(|seen| {
        if let Some(term) = seen.get(spelling) {
            return term.clone();
        }
        let clean = strip_invisible(spelling.trim());
        let term = (!clean.is_empty()).then(|| {
            let key = term_key(&clean);
            (clean, key)
        });
        // A dev server running for days sees new spellings; memory stays bounded.
        if seen.len() >= 4096 {
            seen.clear();
        }
        seen.insert(spelling.to_owned(), term.clone());
        term
    })
}

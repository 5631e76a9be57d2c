//! Which fields each kind of article view is given: those the templates that show it
//! name (looked for in their sources, parents, includes and components). A field no
//! template names is neither computed nor given.

use super::*;

/// Whether some view of an article is given its word count: a template that shows the
/// view names a field made from it ([`Fields::counts_words`]), or the article's names
/// `json_ld` (whose `wordCount` it is). A build whose templates do not leaves the words
/// uncounted ([`crate::sources::page::Keep::uncounted`]).
pub fn shows_word_counts(templates: &Templates, config: &crate::basics::config::Config) -> bool {
    ViewFields::named_in(templates, config).counts_words()
}

/// The fields each kind of article view is given: those the templates that show it
/// name. A view's fields are a map that templates look names up in, and Tera looks up
/// past twelve keys by hashing: fewer fields are both less to make and faster to read.
#[derive(Clone, Copy)]
pub(super) struct ViewFields {
    /// The article's own page (and its JSON-LD, when the template shows it).
    pub(super) article: Fields,
    /// An article's JSON-LD is made only when its template mentions `json_ld` (2% of a
    /// 10,000-article build whose templates do not).
    pub(super) json_ld: bool,
    pub(super) standalone: Fields,
    /// Entries of the site's full-text feed.
    pub(super) feed: Fields,
    /// List entries: home, term and year pages, and term feeds when a taxonomy has them.
    pub(super) card: Fields,
    /// Whether the listing templates name `card_html` (each entry rendered through
    /// `card.html` once, [`Renderer::card`]); `card.html` then names fields of the entries.
    pub(super) card_html: bool,
    /// Whether the listing templates name `total` (the number of a list's pages): with
    /// pages numbered from the oldest, a page's key holds it only then
    /// ([`crate::build::site::Pager::hash_shown`]).
    pub(super) pager_total: bool,
}

/// The template an article's related articles are shown through (included by
/// `article.html`): the fields it names are in every list entry.
pub(super) const RELATED_TEMPLATE: &str = "related.html";

impl ViewFields {
    pub(super) fn named_in(
        templates: &Templates,
        config: &crate::basics::config::Config,
    ) -> ViewFields {
        // Only the article's page has JSON-LD, and so the fields it is made from.
        let named = |jobs: &[Job]| {
            let names: Vec<&str> = jobs.iter().map(|&j| template_of(j)).collect();
            Fields::named(templates.mentions(&names), false)
        };
        let (taxonomy, term, page, year) = (0, 0, 1, 0);
        let mut listing = vec![
            Job::Home(1),
            Job::Term {
                taxonomy,
                term,
                page,
            },
            Job::Year { year, page },
        ];
        // Taxonomies and their feeds come from the config; a new config makes a new
        // renderer.
        if crate::build::site::has_term_feeds(config) {
            listing.push(Job::TermFeed { taxonomy, term });
        }
        // A series' page lists cards; an article shows its related articles' through
        // `related.html`.
        listing.push(Job::Series(0));
        let mut listing: Vec<&str> = listing.into_iter().map(template_of).collect();
        listing.push(RELATED_TEMPLATE);
        let card_html = templates.mentions(&listing)("card_html");
        let pager_total = templates.mentions(&listing)("total");
        if card_html {
            listing.push(CARD_TEMPLATE);
        }
        let article = templates.mentions(&[template_of(Job::Article(0))]);
        let json_ld = article("json_ld");
        ViewFields {
            article: Fields::named(&article, json_ld),
            json_ld,
            standalone: named(&[Job::Standalone(0)]),
            feed: named(&[Job::Feed]),
            card: Fields::named(templates.mentions(&listing), false),
            card_html,
            pager_total,
        }
    }

    /// Whether any view is given a field made from the word count.
    pub(super) fn counts_words(&self) -> bool {
        self.json_ld
            || [self.article, self.standalone, self.feed, self.card]
                .iter()
                .any(Fields::counts_words)
    }

    /// The fields of the views `job` renders.
    pub(super) fn of(&self, job: Job) -> Fields {
        match job {
            Job::Article(_) => self.article,
            Job::Standalone(_) => self.standalone,
            Job::Feed => self.feed,
            _ => self.card,
        }
    }
}

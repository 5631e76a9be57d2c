//! `site.toml`'s newsroom settings → checked values: the taxonomies the site defines
//! (tags, topics and authors among them), how related articles are weighed, and the
//! time zone scheduled articles are read in.

use crate::basics::error::Located;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// How one taxonomy is built (`[taxonomies.NAME]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomySettings {
    /// Build this taxonomy's pages at all.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Articles per term page (defaults to the site's `paginate_by`).
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// Write an Atom feed per term.
    #[serde(default = "yes")]
    pub feed: bool,
    /// The taxonomy's name as readers see it (`الدول`); the theme's own words for
    /// tags, topics and authors when unset, else the key.
    #[serde(default)]
    pub label: Option<String>,
    /// One term's label (`الدولة`), before the term's name on its page.
    #[serde(default)]
    pub singular: Option<String>,
    /// The URL segment of its pages (`/الدول/مصر/`): the key when unset. Arabic allowed.
    #[serde(default)]
    pub path: Option<String>,
    /// Show the article's terms of this taxonomy on the article.
    #[serde(default = "yes")]
    pub on_articles: bool,
    /// Link the taxonomy's index from the site's navigation.
    #[serde(default = "yes")]
    pub in_nav: bool,
}

impl TaxonomySettings {
    pub fn on() -> Self {
        TaxonomySettings {
            enabled: true,
            paginate_by: None,
            feed: true,
            label: None,
            singular: None,
            path: None,
            on_articles: true,
            in_nav: true,
        }
    }
}

/// The names of the taxonomies every site has, in their order.
pub const BUILT_IN: [&str; 3] = ["tags", "topics", "authors"];

/// Every taxonomy of the site: the three built-in ones first (declared or not), then
/// the site's own in the order `site.toml` declares them.
#[derive(Debug, Clone, PartialEq)]
pub struct Taxonomies(pub Vec<(String, TaxonomySettings)>);

impl Default for Taxonomies {
    fn default() -> Self {
        Taxonomies(
            BUILT_IN
                .iter()
                .map(|n| ((*n).to_owned(), TaxonomySettings::on()))
                .collect(),
        )
    }
}

impl Taxonomies {
    pub fn get(&self, name: &str) -> Option<&TaxonomySettings> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }

    /// The site's own taxonomies (after the built-in ones), in order.
    pub fn custom(&self) -> &[(String, TaxonomySettings)] {
        &self.0[BUILT_IN.len()..]
    }
}

impl<'de> Deserialize<'de> for Taxonomies {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Ordered;
        impl<'de> Visitor<'de> for Ordered {
            type Value = Taxonomies;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("tables of taxonomy settings, such as `[taxonomies.tags]`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Taxonomies, A::Error> {
                let mut all = Taxonomies::default();
                while let Some((name, settings)) = map.next_entry::<String, TaxonomySettings>()? {
                    match all.0.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, s)) if BUILT_IN.contains(&name.as_str()) => *s = settings,
                        Some(_) => {
                            return Err(serde::de::Error::custom(format!(
                                "taxonomy `{name}` is declared twice"
                            )))
                        }
                        None => all.0.push((name, settings)),
                    }
                }
                Ok(all)
            }
        }
        d.deserialize_map(Ordered)
    }
}

impl Serialize for Taxonomies {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, settings) in &self.0 {
            map.serialize_entry(name, settings)?;
        }
        map.end()
    }
}

/// Related articles under each article (`[related]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RelatedSettings {
    /// How many to show (0: none).
    #[serde(default = "RelatedSettings::default_count")]
    pub count: usize,
    /// What a shared term of each taxonomy (or the same `series`) is worth; taxonomies
    /// not named here weigh 1.
    #[serde(default = "RelatedSettings::default_weights")]
    pub weights: BTreeMap<String, f32>,
}

impl Default for RelatedSettings {
    fn default() -> Self {
        RelatedSettings {
            count: Self::default_count(),
            weights: Self::default_weights(),
        }
    }
}

impl RelatedSettings {
    fn default_count() -> usize {
        4
    }

    fn default_weights() -> BTreeMap<String, f32> {
        [
            ("series", 3.0),
            ("topics", 2.0),
            ("tags", 1.0),
            ("authors", 0.5),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// The weight of a shared term of taxonomy (or `series`) `name`.
    pub fn weight(&self, name: &str) -> f32 {
        self.weights.get(name).copied().unwrap_or(1.0)
    }
}

/// URL segments a taxonomy may not take: the build's own paths.
pub const RESERVED_SEGMENTS: &[&str] = &[
    "articles",
    "search",
    "pagefind",
    "page",
    "years",
    "series",
    "photos",
    "fonts",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
    "404.html",
    "_redirects",
];

/// Checks the taxonomies: names a front matter field can take, URL segments that are
/// one slug each and collide with nothing the build writes or with each other.
/// `fields`: the front matter's own fields; `line_of_table`: the line of a
/// `[taxonomies.NAME]` table in `site.toml`.
pub(super) fn ensure_taxonomies(
    taxonomies: &Taxonomies,
    fields: &[&str],
    line_of_table: impl Fn(&str) -> usize,
) -> Result<(), Located> {
    let mut segments: Vec<(String, &str)> = Vec::new();
    for (name, settings) in &taxonomies.0 {
        let at = |m: String| Err(Located::at(line_of_table(name), 1, m));
        let builtin = BUILT_IN.contains(&name.as_str());
        if !builtin {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return at(format!(
                    "taxonomy `{name}`: its key is the front matter field articles list its terms in: write it in lower-case Latin letters, digits and `_` (set `label` and `path` for Arabic)"
                ));
            }
            if fields.contains(&name.as_str()) || name == "author" {
                return at(format!(
                    "taxonomy `{name}` has the name of a front matter field warraq reads: choose another key"
                ));
            }
        }
        if settings.paginate_by == Some(0) {
            return at(format!(
                "taxonomy `{name}`: `paginate_by` must be at least 1"
            ));
        }
        if !settings.enabled {
            continue;
        }
        let segment = settings.path.clone().unwrap_or_else(|| name.clone());
        let slug = crate::text::slug::slugify(&segment);
        if slug != segment {
            return at(format!(
                "taxonomy `{name}`: `path` `{segment}` must be one URL segment of letters, digits and `-` (`{slug}` would do)"
            ));
        }
        if RESERVED_SEGMENTS.contains(&segment.as_str()) {
            return at(format!(
                "taxonomy `{name}`: `path` `{segment}` is a path warraq writes itself: choose another"
            ));
        }
        if let Some((_, other)) = segments.iter().find(|(s, _)| *s == segment) {
            return at(format!(
                "taxonomy `{name}`: `path` `{segment}` is also the path of taxonomy `{other}`"
            ));
        }
        segments.push((segment, name));
    }
    Ok(())
}

/// Checks a time zone name (`Africa/Cairo`) against the built-in tz database.
pub(super) fn ensure_time_zone(name: &str) -> Result<(), String> {
    jiff::tz::TimeZone::get(name).map(|_| ()).map_err(|_| {
        format!(
            "`timezone` `{name}` is not a time zone name such as `Africa/Cairo` or `Asia/Riyadh`"
        )
    })
}

fn yes() -> bool {
    true
}

/// Every weight of `[related]` names a taxonomy of the site or `series`, and is a
/// number from 0 up.
pub(super) fn ensure_related(
    related: &RelatedSettings,
    taxonomies: &Taxonomies,
) -> Result<(), String> {
    for (name, weight) in &related.weights {
        if name != "series" && taxonomies.get(name).is_none() {
            return Err(format!(
                "`[related] weights` names `{name}`, which is neither a taxonomy of the site nor `series`"
            ));
        }
        if !weight.is_finite() || *weight < 0.0 {
            return Err(format!(
                "`[related] weights`: `{name}` must be a number from 0 up"
            ));
        }
    }
    if related.count > 50 {
        return Err("`[related] count` may be at most 50".to_owned());
    }
    Ok(())
}

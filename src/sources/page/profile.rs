//! `content/authors/<slug>.md` → an author's profile: the person's name, role, photo
//! and links in front matter, the bio in Markdown. It is read into the same
//! [`super::Head`] as an article (so its bio and photo go through the same Markdown and
//! photo stages), and shown on the author's page and under each of their articles.

use crate::basics::error::Located;
use crate::sources::front_matter::{self, FrontMatter, Split};
use serde::Deserialize;

/// The fields of a profile. Unknown fields are an error.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileMatter {
    name: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    image_alt: Option<String>,
    #[serde(default)]
    links: Vec<ProfileLink>,
    #[serde(default)]
    lang: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileLink {
    name: String,
    url: String,
}

pub const PROFILE_FIELDS: &[&str] = &["name", "role", "image", "image_alt", "links", "lang"];

/// The profile in `split`, as front matter an article would have (its name the title,
/// its role the subtitle), and its links.
pub(super) fn parse(split: &Split<'_>) -> Result<(FrontMatter, Vec<(String, String)>), Located> {
    let p: ProfileMatter = front_matter::parse_as(split, PROFILE_FIELDS)?;
    let line = |f: &str| front_matter::key_line(split, f);
    let clean = |s: &str| crate::text::slug::strip_invisible(s.trim());
    let name = clean(&p.name);
    if name.is_empty() {
        return Err(Located::at(line("name"), 1, "`name` is empty"));
    }
    if crate::text::slug::slugify(&name).is_empty() {
        return Err(Located::at(
            line("name"),
            1,
            format!("`name` `{name}` has no letters or digits to make the author's URL from"),
        ));
    }
    let mut links = Vec::with_capacity(p.links.len());
    for l in p.links {
        let url = l.url.trim().to_owned();
        if crate::sources::markdown::is_unsafe_url(&url) || url.is_empty() {
            return Err(Located::at(
                line("links"),
                1,
                format!(
                    "link `{}`: `{url}` is not a web address to link to (`https://...`)",
                    l.name
                ),
            ));
        }
        links.push((clean(&l.name), url));
    }
    if let Some(lang) = &p.lang {
        if lang.parse::<icu_locale::Locale>().is_err() {
            return Err(Located::at(
                line("lang"),
                1,
                format!(
                    "`lang` `{lang}` is not a BCP 47 language tag such as `ar`, `en` or `ar-EG`"
                ),
            ));
        }
    }
    let fm = FrontMatter {
        title: name,
        // A profile has no date; this one is never shown.
        date: "1970-01-01".to_owned(),
        subtitle: p.role.map(|r| clean(&r)).filter(|r| !r.is_empty()),
        image: p.image,
        image_alt: p.image_alt,
        lang: p.lang,
        ..FrontMatter::default()
    };
    Ok((fm, links))
}

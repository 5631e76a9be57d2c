//! The photos in a page's view: its lead photo ([`ImageView`]) and the image social
//! networks show for it ([`SocialImage`]).

use super::ViewContext;
use crate::basics::config::Config;
use crate::sources::page::Page;
use serde::Serialize;

/// A page's lead photo, for templates.
#[derive(Serialize)]
pub struct ImageView<'a> {
    /// The `<picture>` element.
    pub picture: String,
    /// The JPEG of the width closest to 800 pixels, and the photo's shown size.
    pub src: String,
    pub width: u32,
    pub height: u32,
    pub alt: &'a str,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
}

/// The social card of a page (`og:image`): an absolute URL.
#[derive(Serialize)]
pub struct SocialImage<'a> {
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub alt: &'a str,
}

/// How wide a card's thumbnail is laid out.
const CARD_SIZES: &str = "(min-width: 48rem) 12rem, 100vw";

/// The lead photo of `page`, shown on the page itself (`full`) or on a card.
/// An author's photo from their profile, as a thumbnail.
pub fn profile_image<'a>(page: &'a Page, config: &Config) -> Option<ImageView<'a>> {
    image_view(page, config, false)
}

pub(super) fn image_view<'a>(page: &'a Page, config: &Config, full: bool) -> Option<ImageView<'a>> {
    page.image.as_ref().map(|lead| {
        let photo = &lead.photo;
        let shown = crate::photos::markup::Shown {
            alt: &lead.alt,
            sizes: if full {
                &config.photos.sizes
            } else {
                CARD_SIZES
            },
            lead: full,
        };
        ImageView {
            picture: crate::photos::markup::picture(photo, shown),
            src: photo
                .at_least(800)
                .map(|v| format!("/{}", v.fallback))
                .unwrap_or_default(),
            width: photo.width,
            height: photo.height,
            alt: &lead.alt,
            caption: lead.caption.as_deref(),
            credit: lead.credit.as_deref(),
        }
    })
}

impl<'a> ViewContext<'a> {
    /// The page's social card: its lead photo's, else the site's default image's.
    pub(super) fn social_image(&self, page: &'a Page) -> Option<SocialImage<'a>> {
        let config = &self.site.config;
        let (photo, alt) = match (&page.image, &self.site.default_image) {
            (Some(lead), _) => (&lead.photo, lead.alt.as_str()),
            (None, Some(default)) => (
                default,
                config.photos.default_image_alt.as_deref().unwrap_or(""),
            ),
            (None, None) => return None,
        };
        let (file, width, height) = match &photo.card {
            Some(card) => (&card.fallback, card.width, card.height),
            None => {
                let v = photo.variants.first()?;
                (&v.fallback, v.width, v.height)
            }
        };
        Some(SocialImage {
            url: config.absolute(&format!("/{file}")),
            width,
            height,
            alt,
        })
    }
}

/// The site's logo as the JSON-LD `ImageObject` of its smallest published width (none
/// for an SVG logo: search engines take raster logos).
pub(super) fn logo(site: &crate::build::site::Site) -> Option<serde_json::Value> {
    let photo = site.logo.as_ref()?;
    if photo.format == crate::photos::Format::Svg {
        return None;
    }
    let v = photo.variants.first()?;
    Some(serde_json::json!({
        "@type": "ImageObject",
        "url": site.config.absolute(&format!("/{}", v.fallback)),
        "width": v.width,
        "height": v.height,
    }))
}

//! The templates' `photo()` function: a photo of the site by its path from the site's
//! folder → its published files, on the same cache as the articles' photos.
//!
//! ```text
//! {% set logo = photo(path="static/logo.png", width=400, alt="الشعار") %}
//! {{ logo.picture | safe }}  <img src="{{ logo.url }}" width="{{ logo.width }}" ...>
//! ```
//!
//! `url`, `width`, `height`: the JPEG of the smallest published width at least `width`
//! (else the largest); `picture`: the whole `<picture>` (lazily loaded), shown with
//! `alt` and `sizes` (default `100vw`); `srcset_webp`, `srcset_jpeg`; `card`: the
//! 1200×630 social card's address. The photo is published with the site's widths
//! (`[photos]`).

use crate::photos::{markup, Photos};
use std::sync::Arc;
use tera::{Kwargs, State, TeraResult, Value};

/// Declares `photo()` on `tera` before its templates are compiled; it fails until
/// [`register`] gives it the site's photos.
pub fn declare(tera: &mut tera::Tera) {
    tera.register_function("photo", |_: Kwargs, _: &State| -> TeraResult<Value> {
        Err(tera::Error::message(
            "photo(): the site's photos are not loaded here",
        ))
    });
}

/// Registers `photo()` on `tera`.
pub fn register(tera: &mut tera::Tera, photos: Arc<Photos>) {
    tera.register_function(
        "photo",
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> { call(&photos, &kwargs) },
    );
}

fn call(photos: &Photos, kwargs: &Kwargs) -> TeraResult<Value> {
    let path: String = kwargs.must_get("path")?;
    let width: Option<i64> = kwargs.get("width")?;
    let alt: Option<String> = kwargs.get("alt")?;
    let sizes: Option<String> = kwargs.get("sizes")?;
    let photo = photos
        .request(&path)
        .map_err(|m| tera::Error::message(format!("photo(path=\"{path}\"): {m}")))?;
    let wanted = width.map_or(800, |w| w.clamp(1, i64::from(u32::MAX)) as u32);
    let chosen = photo.at_least(wanted);
    let srcset = |webp: bool| {
        photo
            .variants
            .iter()
            .map(|v| format!("/{} {}w", if webp { &v.webp } else { &v.fallback }, v.width))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let shown = markup::Shown {
        alt: alt.as_deref().unwrap_or(""),
        sizes: sizes.as_deref().unwrap_or("100vw"),
        lead: false,
    };
    let mut map = tera::Map::new();
    let mut put = |k: &'static str, v: Value| {
        map.insert(k.into(), v);
    };
    put("picture", Value::from(markup::picture(&photo, shown)));
    put(
        "url",
        Value::from(
            chosen
                .map(|v| format!("/{}", v.fallback))
                .unwrap_or_default(),
        ),
    );
    put(
        "width",
        Value::from(chosen.map_or(0, |v| i64::from(v.width))),
    );
    put(
        "height",
        Value::from(chosen.map_or(0, |v| i64::from(v.height))),
    );
    put("srcset_webp", Value::from(srcset(true)));
    put("srcset_jpeg", Value::from(srcset(false)));
    put(
        "card",
        Value::from(
            photo
                .card
                .as_ref()
                .map(|c| format!("/{}", c.fallback))
                .unwrap_or_default(),
        ),
    );
    Ok(Value::from(map))
}

//! `warraq init` and `warraq new`: a new site, a new article.

use crate::text::slug::slugify;
use anyhow::{bail, Context as _, Result};
use jiff::civil::Date;
use std::fs;
use std::path::{Path, PathBuf};

const SITE_TOML: &str = r#"# warraq site settings: see README.md for every key.
title = "أرشيفى"
description = "أرشيف مقالات وتحليلات"
base_url = "https://example.org"
language = "ar"
paginate_by = 10
# digits = "arab"      # Eastern Arabic digits (٠١٢٣) for dates, counts and page numbers
# hijri = true         # show the Hijri (Umm al-Qura) date beside the Gregorian one
# search = false       # turn off the search index and box
#
# Photos: put them beside their article (content/articles/2026/<slug>/index.md with
# lead.jpg beside it; `image: lead.jpg` in its front matter, `![alt](photo.jpg)` in its
# body). Each is published at these widths, as WebP and JPEG, without its metadata.
# [photos]
# widths = [480, 800, 1200, 1600]
# quality = 75
# default_image = "static/card.jpg"   # what social networks show for pages without a photo
#
# The time zone of `publish_at` and `expires` written without one:
# timezone = "Africa/Cairo"
#
# Taxonomies of your own beside tags, topics and authors (articles list their terms
# under the key: `countries: [مصر]`):
# [taxonomies.countries]
# label = "الدول"          # the name readers see
# singular = "الدولة"
# path = "الدول"           # the URL segment: /الدول/مصر/
# paginate_by = 10
# feed = true
# on_articles = true       # show the terms on each article
# in_nav = true            # link the taxonomy from the menu
#
# Related articles under each article, and what a shared term weighs:
# [related]
# count = 4
# weights = { series = 3.0, topics = 2.0, tags = 1.0, authors = 0.5 }
#
# Authors' profiles: content/authors/<slug>.md with `name`, `role`, `image`, `links`
# (a list of `name`/`url`) and the bio in Markdown.
"#;

const GITIGNORE: &str = "/public\n/.public.warraq-manifest\n/.warraq-cache\n";

const SAMPLE_ARTICLE: &str = r#"---
title: "مرحبا بك فى ورّاق"
date: {date}
author: "فريق ورّاق"
topic: "ورّاق"
tags: [دليل الاستخدام]
# image: lead.jpg                # a lead photo beside the article (a folder article)
# image_alt: "ما تظهره الصورة"
# image_caption: "التعليق"
# image_credit: "المصور أو الوكالة"
# authors: ["فريق ورّاق", "كاتب ثان"]   # more than one author
# series: "ملف ورّاق"                  # a series, and this article's part in it
# series_part: 1
# aliases: [/old/address/]              # old addresses, redirected here
# publish_at: 2026-12-09 06:00          # appears then (in site.toml's timezone)
# expires: 2027-12-09 06:00             # leaves the site then
# translation_key: welcome              # its versions in other languages share the key
# translation_of: ../2026/welcome-en.md # or name the original's file
---

هذا أول مقال فى أرشيفك. كل مقال ملف Markdown فى `content/articles/` تبدأ ترويسته وتنتهى بسطر `---`.

## الخطوة التالية

اكتب مقالا جديدا بالأمر `warraq new "عنوان المقال"`، ثم شاهد الموقع وأنت تكتب بالأمر `warraq serve`، وابنه للنشر بالأمر `warraq build`.
"#;

/// Writes a working new site into `dir`: `site.toml`, the default theme, one article.
pub fn init(dir: &Path, today: Date) -> Result<Vec<PathBuf>> {
    if dir.join("site.toml").exists() {
        bail!(
            "`{}` already holds a site (`site.toml` exists): nothing was changed",
            dir.display()
        );
    }
    let mut written = Vec::new();
    let mut put = |rel: &str, bytes: &[u8]| -> Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("cannot write `{}`", path.display()))?;
        written.push(path);
        Ok(())
    };
    put("site.toml", SITE_TOML.as_bytes())?;
    // What a build makes (the output, its manifest, the photo cache) is not the site's
    // source.
    put(".gitignore", GITIGNORE.as_bytes())?;
    for (name, bytes) in crate::theme::default_template_files() {
        put(&format!("templates/{name}"), bytes)?;
    }
    for (name, bytes) in crate::theme::default_static_files() {
        put(&format!("static/{name}"), bytes)?;
    }
    let article = SAMPLE_ARTICLE.replace("{date}", &today.to_string());
    put(
        &format!("content/articles/{}/مرحبا-بك-فى-ورّاق.md", today.year()),
        article.as_bytes(),
    )?;
    Ok(written)
}

/// Creates `content/articles/YYYY/<slug>.md` for a new article dated `today`.
pub fn new_article(root: &Path, title: &str, author: Option<&str>, today: Date) -> Result<PathBuf> {
    let title = title.trim();
    if title.is_empty() {
        bail!("the title is empty");
    }
    let slug = slugify(title);
    if slug.is_empty() {
        bail!("cannot make a file name from `{title}`: it has no letters or digits");
    }
    let path = root
        .join("content/articles")
        .join(today.year().to_string())
        .join(format!("{slug}.md"));
    if path.exists() {
        bail!(
            "`{}` already exists: choose another title or edit that file",
            path.display()
        );
    }
    let mut text = String::from("---\n");
    text.push_str(&format!("title: {}\n", yaml_string(title)));
    text.push_str(&format!("date: {today}\n"));
    if let Some(a) = author {
        text.push_str(&format!("author: {}\n", yaml_string(a)));
    }
    text.push_str("topic: \"\"\ntags: []\nsummary: \"\"\ndraft: true\n---\n\n");
    fs::create_dir_all(path.parent().expect("the path has a parent"))
        .with_context(|| format!("cannot create the folder of `{}`", path.display()))?;
    fs::write(&path, text).with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(path)
}

/// A YAML double-quoted string (JSON's escaping is valid YAML).
pub(crate) fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_article_front_matter_parses() {
        let dir = tempfile::tempdir().unwrap();
        let day = Date::new(2026, 11, 24).unwrap();
        let path = new_article(dir.path(), "عنوان: \"جديد\"", Some("كاتب"), day).unwrap();
        assert!(path.ends_with("content/articles/2026/عنوان-جديد.md"));
        let text = fs::read_to_string(&path).unwrap();
        let fm = crate::sources::front_matter::parse(
            &crate::sources::front_matter::split(&text).unwrap(),
        )
        .unwrap();
        assert_eq!(fm.title, "عنوان: \"جديد\"");
        assert_eq!(fm.date, "2026-11-24");
        assert!(new_article(dir.path(), "عنوان: \"جديد\"", None, day).is_err());
    }

    #[test]
    fn init_refuses_an_existing_site() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("site.toml"), "x").unwrap();
        assert!(init(dir.path(), Date::new(2026, 1, 1).unwrap()).is_err());
    }
}

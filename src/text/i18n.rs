//! Locale-aware text: dates (Gregorian and Hijri), numbers in the site's digits, interface strings.

use crate::basics::config::Digits;
use anyhow::{bail, Context};
use icu_calendar::cal::hijri::UmmAlQura;
use icu_calendar::cal::Hijri;
use icu_calendar::{Date, Gregorian};
use icu_datetime::fieldsets::YMD;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_decimal::input::Decimal;
use icu_decimal::options::GroupingStrategy;
use icu_decimal::DecimalFormatter;
use icu_locale::extensions::unicode::{key, value, Value};
use icu_locale::subtags::script;
use icu_locale::{LanguageIdentifier, Locale, LocaleExpander};
use icu_plurals::{PluralCategory, PluralRules};
use std::collections::BTreeMap;

/// Formatters for one language, built once in [`Localizer::new`].
struct LangFormatters {
    /// The language tag without extensions, e.g. `ar-EG`.
    id: LanguageIdentifier,
    date: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    hijri: Option<FixedCalendarDateTimeFormatter<Hijri<UmmAlQura>, YMD>>,
    number: DecimalFormatter,
    plurals: PluralRules,
}

/// Dates and numbers for every language of the site, with formatters built once.
pub struct Localizer {
    /// Never empty; the first entry is the fallback for unknown languages.
    langs: Vec<LangFormatters>,
}

impl Localizer {
    /// `langs`: every language tag the site uses (site language plus per-page `lang`s, e.g. ["ar", "en"]).
    /// `hijri`: whether hijri() will be called (only then build the Hijri formatter).
    pub fn new(langs: &[&str], digits: Digits, hijri: bool) -> anyhow::Result<Localizer> {
        // The extended set knows the script of every CLDR language, so `ur`, `ps`, `ckb`
        // or `pa-Arab` are recognised as written in Arabic script, not only `ar` and `fa`.
        let expander = LocaleExpander::new_extended();
        let mut built: Vec<LangFormatters> = Vec::new();
        for &lang in langs {
            let mut locale: Locale = lang
                .parse()
                .with_context(|| format!("`{lang}` is not a valid BCP 47 language tag"))?;
            locale.extensions = Default::default();
            if built.iter().any(|l| l.id == locale.id) {
                continue;
            }
            // Always set `nu`: CLDR's default differs by region (`ar` is latn, `ar-EG` and
            // `ar-SA` are arab, `fa` is arabext), and the site's setting must win.
            let nu = numbering_system(&expander, &locale, digits);
            locale.extensions.unicode.keywords.set(key!("nu"), nu);
            let date = FixedCalendarDateTimeFormatter::try_new(locale.clone().into(), YMD::long())
                .with_context(|| format!("no date format for `{lang}`"))?;
            let hijri = if hijri {
                let f = FixedCalendarDateTimeFormatter::try_new(locale.clone().into(), YMD::long())
                    .with_context(|| format!("no Hijri date format for `{lang}`"))?;
                Some(f)
            } else {
                None
            };
            // Min2: no separator in four-digit numbers, so years and counts like 1440 stay whole.
            let number =
                DecimalFormatter::try_new(locale.clone().into(), GroupingStrategy::Min2.into())
                    .with_context(|| format!("no number format for `{lang}`"))?;
            built.push(LangFormatters {
                id: locale.id.clone(),
                date,
                hijri,
                number,
                plurals: PluralRules::try_new_cardinal(locale.clone().into())
                    .with_context(|| format!("no plural rules for `{lang}`"))?,
            });
        }
        if built.is_empty() {
            bail!("no language given to the localizer");
        }
        Ok(Localizer { langs: built })
    }

    /// Long date in the language: ar → "5 فبراير 2019" (latn) or "٥ فبراير ٢٠١٩" (arab).
    pub fn date(&self, date: jiff::civil::Date, lang: &str) -> String {
        let f = self.lookup(lang);
        match Date::try_new_gregorian(date.year().into(), date.month() as u8, date.day() as u8) {
            Ok(d) => f.date.format(&d).to_string(),
            // Unreachable for jiff's range, but never panic in a page render.
            Err(_) => date.to_string(),
        }
    }

    /// The same date in the Hijri Umm al-Qura calendar, e.g. ar: "30 جمادى الأولى 1440 هـ".
    /// Empty if the Localizer was built without `hijri`.
    pub fn hijri(&self, date: jiff::civil::Date, lang: &str) -> String {
        let Some(f) = &self.lookup(lang).hijri else {
            return String::new();
        };
        match Date::try_new_iso(date.year().into(), date.month() as u8, date.day() as u8) {
            Ok(d) => f
                .format(&d.to_calendar(Hijri::new_umm_al_qura()))
                .to_string(),
            Err(_) => String::new(),
        }
    }

    /// An integer in the site's digits for that language: 1440 → "1440" or "١٤٤٠".
    pub fn number(&self, n: u64, lang: &str) -> String {
        self.lookup(lang)
            .number
            .format(&Decimal::from(n))
            .to_string()
    }

    /// The CLDR plural category of `n` in `lang` (`zero`, `one`, `two`, `few`, `many` or
    /// `other`): Arabic has all six, English `one` and `other`.
    pub fn plural(&self, n: u64, lang: &str) -> &'static str {
        match self.lookup(lang).plurals.category_for(n) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }

    /// The formatters for `lang`: the same tag, else the same base language (`ar-EG` →
    /// `ar`), else the first language given to `new`.
    fn lookup(&self, lang: &str) -> &LangFormatters {
        let Ok(locale) = lang.parse::<Locale>() else {
            return &self.langs[0];
        };
        let id = locale.id;
        self.langs
            .iter()
            .find(|l| l.id == id)
            .or_else(|| self.langs.iter().find(|l| l.id.language == id.language))
            .unwrap_or(&self.langs[0])
    }
}

/// The `nu` value for a locale. Languages not written in Arabic script always get Latin
/// digits. With `Digits::Arab`, Persian, Pashto and Urdu get the Eastern ("extended")
/// Arabic-Indic digits ۰-۹ (`arabext`), which is what their readers use and CLDR's native
/// system for them; Arabic and the other Arabic-script languages get ٠-٩ (`arab`).
fn numbering_system(expander: &LocaleExpander, locale: &Locale, digits: Digits) -> Value {
    let mut id = locale.id.clone();
    expander.maximize(&mut id);
    if id.script != Some(script!("Arab")) || digits == Digits::Latn {
        return value!("latn");
    }
    match id.language.as_str() {
        "fa" | "ps" | "ur" => value!("arabext"),
        _ => value!("arab"),
    }
}

// One row per key: English, then Arabic. The macro keeps STRING_KEYS and both tables in
// step. A counted phrase has a row per CLDR plural category, `KEY_one`, `KEY_two`,
// `KEY_few`, `KEY_many`, and `KEY` itself for `other` ([`counted`] picks the row with
// ICU's plural rules): Arabic nouns agree with the number (مقال واحد، مقالان، ٣ مقالات،
// ١١ مقالًا، ١٠٠ مقال); English needs only `one` and `other`, so its other rows repeat them.
macro_rules! string_table {
    ($($key:ident: $en:literal, $ar:literal;)*) => {
        /// Every interface-string key, in table order.
        pub const STRING_KEYS: &[&str] = &[$(stringify!($key)),*];
        const EN: &[&str] = &[$($en),*];
        const AR: &[&str] = &[$($ar),*];
    };
}

string_table! {
    home: "Home", "الرئيسية";
    articles: "Articles", "المقالات";
    all_articles: "All articles", "جميع المقالات";
    more_articles: "More articles", "مقالات أخرى";
    next: "Next", "التالي";
    previous: "Previous", "السابق";
    newer: "Newer", "الأحدث";
    older: "Older", "الأقدم";
    page: "Page", "صفحة";
    page_of: "Page {n} of {total}", "صفحة {n} من {total}";
    page_n: "Page {n}", "صفحة {n}";
    tags: "Tags", "الوسوم";
    topics: "Topics", "المواضيع";
    authors: "Authors", "الكتّاب";
    years: "Years", "السنوات";
    archive: "Archive", "الأرشيف";
    tag: "Tag", "الوسم";
    topic: "Topic", "الموضوع";
    author: "Author", "الكاتب";
    year: "Year", "السنة";
    reading_time: "{n} min read", "{n} دقيقة قراءة";
    reading_time_one: "1 min read", "دقيقة قراءة";
    reading_time_two: "{n} min read", "دقيقتا قراءة";
    reading_time_few: "{n} min read", "{n} دقائق قراءة";
    reading_time_many: "{n} min read", "{n} دقيقة قراءة";
    words: "{n} words", "{n} كلمة";
    words_one: "1 word", "كلمة واحدة";
    words_two: "{n} words", "كلمتان";
    words_few: "{n} words", "{n} كلمات";
    words_many: "{n} words", "{n} كلمة";
    count_articles: "{n} articles", "{n} مقال";
    count_articles_one: "1 article", "مقال واحد";
    count_articles_two: "{n} articles", "مقالان";
    count_articles_few: "{n} articles", "{n} مقالات";
    count_articles_many: "{n} articles", "{n} مقالًا";
    published: "Published", "تاريخ النشر";
    updated: "Updated", "آخر تحديث";
    by: "By", "بقلم";
    source: "Source", "المصدر";
    photo_credit: "Photo", "تصوير";
    table_of_contents: "Contents", "المحتويات";
    skip_to_content: "Skip to content", "انتقل إلى المحتوى";
    search: "Search", "بحث";
    search_placeholder: "Search the archive…", "ابحث في الأرشيف…";
    search_no_results: "No results found", "لا توجد نتائج";
    search_results: "Results: {n}", "عدد النتائج: {n}";
    search_more: "More results", "نتائج أخرى";
    search_any: "Any", "الكل";
    search_searching: "Searching…", "جارٍ البحث…";
    search_unavailable: "Search is not available right now.", "البحث غير متاح الآن.";
    search_needs_js: "Search needs JavaScript.", "يتطلب البحث تفعيل جافاسكربت.";
    feed: "Feed", "الخلاصة";
    subscribe: "Subscribe", "اشترك";
    not_found_title: "Page not found", "الصفحة غير موجودة";
    not_found_text: "Sorry, the page you are looking for does not exist or has moved.",
        "عذرًا، الصفحة التي تبحث عنها غير موجودة أو نُقلت إلى عنوان آخر.";
    back_home: "Back to the home page", "العودة إلى الصفحة الرئيسية";
    menu: "Menu", "القائمة";
    series: "Series", "سلسلة";
    series_part: "Part {n} of {total}", "الجزء {n} من {total}";
    series_prev: "Previous part", "الجزء السابق";
    series_next: "Next part", "الجزء التالي";
    related: "Related analyses", "تحليلات ذات صلة";
    about_author: "About the author", "عن الكاتب";
    read_in: "Also in", "اقرأه أيضًا بـ";
    languages: "Languages", "اللغات";
    moved: "This page has moved to", "انتقلت هذه الصفحة إلى";
    breadcrumbs: "Breadcrumbs", "مسار التصفح";
    language_name: "English", "العربية";
    hijri_suffix: "AH", "هـ";
}

/// The phrase for `n` things: the table row of `n`'s plural category (`KEY_few`, ...),
/// else `KEY`, with `{n}` replaced by the number in the site's digits.
pub fn counted(
    table: &BTreeMap<&'static str, String>,
    key: &str,
    n: u64,
    lang: &str,
    loc: &Localizer,
) -> String {
    let category = loc.plural(n, lang);
    let row = table
        .get(format!("{key}_{category}").as_str())
        .or_else(|| table.get(key))
        .map_or("{n}", String::as_str);
    row.replace("{n}", &loc.number(n, lang))
}

/// Interface strings for a language: the built-in table (Arabic and English, complete; other
/// languages fall back to English) overlaid with the site's overrides for that language
/// (`overrides` is site.toml's `[translations.<lang>]` tables). Override keys that are not
/// known keys are an error naming the key and the closest known key.
pub fn strings(
    lang: &str,
    overrides: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<BTreeMap<&'static str, String>, String> {
    // Check every table, not only this language's: a typo under a language that no page
    // uses yet should still be reported, not found later.
    for (table, entries) in overrides {
        for key in entries.keys() {
            if !STRING_KEYS.contains(&key.as_str()) {
                return Err(unknown_key(table, key));
            }
        }
    }
    let base = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let builtin = if base == "ar" { AR } else { EN };
    let mut out: BTreeMap<&'static str, String> = STRING_KEYS
        .iter()
        .zip(builtin)
        .map(|(k, v)| (*k, v.to_string()))
        .collect();
    // `[translations.ar]` applies to `ar-EG` pages too; an exact `[translations.ar-EG]` wins.
    let tables = [
        overrides.get(&base),
        overrides.get(lang).filter(|_| lang != base),
    ];
    for entries in tables.into_iter().flatten() {
        for (key, text) in entries {
            if let Some(k) = STRING_KEYS.iter().find(|k| **k == key) {
                out.insert(k, text.clone());
            }
        }
    }
    Ok(out)
}

fn unknown_key(table: &str, key: &str) -> String {
    let closest = STRING_KEYS
        .iter()
        .max_by(|a, b| strsim::jaro_winkler(key, a).total_cmp(&strsim::jaro_winkler(key, b)))
        .copied()
        .unwrap_or("");
    format!("unknown interface string `{key}` in [translations.{table}]; did you mean `{closest}`?")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> jiff::civil::Date {
        jiff::civil::date(2019, 2, 5)
    }

    #[test]
    fn localizer_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Localizer>();
    }

    #[test]
    fn gregorian_dates() {
        let latn = Localizer::new(&["ar", "en"], Digits::Latn, false).unwrap();
        let ar = latn.date(day(), "ar");
        assert!(
            ar.contains("فبراير") && ar.contains("2019") && ar.contains('5'),
            "{ar}"
        );
        assert!(latn.date(day(), "en").contains("February"));
        let arab = Localizer::new(&["ar", "en"], Digits::Arab, false).unwrap();
        let ar = arab.date(day(), "ar");
        assert!(
            ar.contains("٢٠١٩") && !ar.chars().any(|c| c.is_ascii_digit()),
            "{ar}"
        );
        // Latin digits for English whatever the site's digits.
        assert!(arab.date(day(), "en").contains("2019"));
        // Unknown languages fall back to the first one; regional tags to their base.
        assert_eq!(arab.date(day(), "xx"), ar);
        assert_eq!(arab.date(day(), "ar-EG"), ar);
        assert_eq!(arab.date(day(), "!!"), ar);
    }

    #[test]
    fn hijri_dates() {
        let latn = Localizer::new(&["ar"], Digits::Latn, true).unwrap();
        let h = latn.hijri(day(), "ar");
        assert!(
            h.contains("1440") && h.contains("30") && h.contains("جمادى"),
            "{h}"
        );
        let arab = Localizer::new(&["ar"], Digits::Arab, true).unwrap();
        let h = arab.hijri(day(), "ar");
        assert!(
            h.contains("١٤٤٠") && !h.chars().any(|c| c.is_ascii_digit()),
            "{h}"
        );
        let off = Localizer::new(&["ar"], Digits::Latn, false).unwrap();
        assert_eq!(off.hijri(day(), "ar"), "");
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        let l = Localizer::new(&["ar", "en"], Digits::Arab, true).unwrap();
        for d in [jiff::civil::Date::MIN, jiff::civil::Date::MAX] {
            assert!(!l.date(d, "ar").is_empty());
            l.hijri(d, "en");
        }
    }

    #[test]
    fn counted_phrases_agree_with_the_number() {
        let loc = Localizer::new(&["ar", "en"], Digits::Arab, false).unwrap();
        let ar = strings("ar", &BTreeMap::new()).unwrap();
        let en = strings("en", &BTreeMap::new()).unwrap();
        let c = |t, n, l| counted(t, "count_articles", n, l, &loc);
        assert_eq!(c(&ar, 1, "ar"), "مقال واحد");
        assert_eq!(c(&ar, 2, "ar"), "مقالان");
        assert_eq!(c(&ar, 4, "ar"), "٤ مقالات");
        assert_eq!(c(&ar, 11, "ar"), "١١ مقالًا");
        assert_eq!(c(&ar, 100, "ar"), "١٠٠ مقال");
        assert_eq!(c(&en, 1, "en"), "1 article");
        assert_eq!(c(&en, 4, "en"), "4 articles");
        assert_eq!(counted(&ar, "reading_time", 7, "ar", &loc), "٧ دقائق قراءة");
    }

    #[test]
    fn numbers_in_the_sites_digits() {
        let arab = Localizer::new(&["ar", "fa", "en"], Digits::Arab, false).unwrap();
        assert_eq!(arab.number(2020, "ar"), "٢٠٢٠");
        assert_eq!(arab.number(1440, "fa"), "۱۴۴۰");
        assert_eq!(arab.number(1440, "en"), "1440");
        let latn = Localizer::new(&["ar-EG", "fa"], Digits::Latn, false).unwrap();
        assert_eq!(latn.number(1440, "ar-EG"), "1440");
        assert_eq!(latn.number(1440, "fa"), "1440");
    }

    #[test]
    fn bad_tags_and_no_tags_are_errors() {
        assert!(Localizer::new(&[], Digits::Latn, false).is_err());
        assert!(Localizer::new(&["not a tag"], Digits::Latn, false).is_err());
    }

    #[test]
    fn string_tables_are_complete() {
        assert_eq!(STRING_KEYS.len(), AR.len());
        assert_eq!(STRING_KEYS.len(), EN.len());
        let en = strings("fr", &BTreeMap::new()).unwrap();
        assert_eq!(en["next"], "Next");
        assert!(strings("ar", &BTreeMap::new()).unwrap()["page_of"].contains("{total}"));
    }

    #[test]
    fn overrides_apply_and_unknown_keys_are_rejected() {
        let mut overrides = BTreeMap::new();
        let table = BTreeMap::from([("next".to_string(), "الصفحة التالية".to_string())]);
        overrides.insert("ar".to_string(), table);
        let s = strings("ar", &overrides).unwrap();
        assert_eq!(s["next"], "الصفحة التالية");
        assert_eq!(
            strings("ar-EG", &overrides).unwrap()["next"],
            "الصفحة التالية"
        );
        assert_eq!(strings("en", &overrides).unwrap()["next"], "Next");
        let typo = BTreeMap::from([("nxt".to_string(), "x".to_string())]);
        overrides.insert("en".to_string(), typo);
        let err = strings("ar", &overrides).unwrap_err();
        assert!(err.contains("`nxt`") && err.contains("`next`"), "{err}");
    }
}

//! One line of a news page → what it is: a headline's parts, a byline's name, a dateline's
//! date, a marker of the site's boilerplate, a heading or a sentence.

use jiff::civil::Date;

/// A heading has at most this many words; a longer line is a paragraph.
pub(super) const MAX_HEADING_WORDS: usize = 16;
/// A line of the trailing run of site headlines has at most this many words.
pub(super) const MAX_HEADLINE_WORDS: usize = 45;
/// A trailing run of unrelated headlines (with no marker line) has at least this many lines.
pub(super) const MIN_HEADLINE_RUN: usize = 3;

/// Lines that begin the site's own material after the article, matched at a line's start.
pub(super) const END_MARKERS: &[&str] = &[
    "Google News",
    "تابع آخر أخبار",
    "تابعوا آخر أخبار",
    "الأكثر قراءة",
    "الأكثر مشاهدة",
    "لا يفوتك",
    "المزيد من",
    "Trending",
    "أخبار متعلقة",
    "اخبار متعلقة",
    "موضوعات متعلقة",
    "مواضيع متعلقة",
    "مواضيع ذات صلة",
    "الكلمات المفتاحية",
    "كلمات مفتاحية",
];

/// A marker line is short: a paragraph that happens to begin with these words is not one.
pub(super) const MAX_MARKER_WORDS: usize = 12;

/// "Read also" links the site puts between paragraphs.
pub(super) const READ_ALSO: &[&str] = &[
    "اقرأ أيضا",
    "اقرأ أيضًا",
    "اقرأ أيضاً",
    "اقرأ ايضا",
    "اقرا ايضا",
];

/// Byline openings, longest first so that `كتبت` is not read as `كتب` + `ت`.
pub(super) const BYLINE_PREFIXES: &[&str] = &[
    "تحليل يكتبه",
    "تحليل تكتبه",
    "تقرير يكتبه",
    "تقرير تكتبه",
    "مقال يكتبه",
    "مقال تكتبه",
    "بقلم الكاتب",
    "يكتبه",
    "تكتبه",
    "كتبته",
    "كتبه",
    "كتبت",
    "كتب",
    "بقلم",
];

/// Month names of Egypt and the Maghreb, then of the Levant and Iraq.
pub(super) const MONTHS: &[(&str, i8)] = &[
    ("يناير", 1),
    ("فبراير", 2),
    ("مارس", 3),
    ("أبريل", 4),
    ("إبريل", 4),
    ("ابريل", 4),
    ("مايو", 5),
    ("يونيو", 6),
    ("يونيه", 6),
    ("يوليو", 7),
    ("يوليه", 7),
    ("أغسطس", 8),
    ("اغسطس", 8),
    ("سبتمبر", 9),
    ("أكتوبر", 10),
    ("اكتوبر", 10),
    ("نوفمبر", 11),
    ("ديسمبر", 12),
    ("كانون الثاني", 1),
    ("شباط", 2),
    ("آذار", 3),
    ("نيسان", 4),
    ("أيار", 5),
    ("حزيران", 6),
    ("تموز", 7),
    ("آب", 8),
    ("أيلول", 9),
    ("تشرين الأول", 10),
    ("تشرين الثاني", 11),
    ("كانون الأول", 12),
];

/// Whitespace, including the no-break spaces and zero-width characters pages are full of.
pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

/// `title؟.. subtitle.. more` → (`title؟`, `subtitle.. more`). Only a run of exactly two
/// dots separates: `...` is an ellipsis.
pub fn split_headline(headline: &str) -> (&str, Option<&str>) {
    let bytes = headline.as_bytes();
    let mut i = 0;
    while let Some(p) = headline[i..].find("..") {
        let at = i + p;
        let run = bytes[at..].iter().take_while(|b| **b == b'.').count();
        if run == 2 {
            let title = headline[..at].trim_matches(is_space);
            let rest = headline[at + 2..].trim_matches(is_space);
            if !title.is_empty() {
                return (title, (!rest.is_empty()).then_some(rest));
            }
        }
        i = at + run;
    }
    (headline, None)
}

/// The author's name in a byline such as `تحليل يكتبه - بيشوى رمزى` or `كتبت: سارة علي`.
pub fn byline(line: &str) -> Option<&str> {
    if word_count(line) > 12 {
        return None;
    }
    let rest = BYLINE_PREFIXES.iter().find_map(|p| {
        let rest = line.strip_prefix(p)?;
        // The prefix is a whole word: `كتبنا` is not `كتب`.
        rest.starts_with(|c: char| is_space(c) || is_separator(c))
            .then_some(rest)
    })?;
    let name = rest.trim_start_matches(|c: char| is_space(c) || is_separator(c));
    let end = [" - ", " – ", " — ", "،", ",", "|", " / ", "\t"]
        .iter()
        .filter_map(|s| name.find(s))
        .min()
        .unwrap_or(name.len());
    let name = name[..end].trim_matches(is_space);
    let words = word_count(name);
    let plausible = (1..=6).contains(&words)
        && !name.chars().any(|c| c.is_numeric())
        && !ends_like_a_sentence(name);
    plausible.then_some(name)
}

pub(super) fn is_separator(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | ':' | '/' | '|' | '«' | '»')
}

/// The date of a dateline such as `الثلاثاء، 05 فبراير 2019 03:00 م` or `2019-02-05`.
/// A long line is never a dateline: dates inside paragraphs are about other days.
pub fn dateline(line: &str) -> Option<Date> {
    if word_count(line) > 12 {
        return None;
    }
    let line: String = line.chars().map(ascii_digit).collect();
    numeric_date(&line).or_else(|| named_month_date(&line))
}

/// Eastern Arabic and Persian digits → ASCII.
pub(super) fn ascii_digit(c: char) -> char {
    match c {
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        _ => c,
    }
}

/// `2019-02-05`, `2019/02/05`, `05/02/2019` or `05-02-2019` as a word of the line.
pub(super) fn numeric_date(line: &str) -> Option<Date> {
    line.split(|c: char| is_space(c) || c == '،' || c == ',')
        .find_map(|word| {
            let parts: Vec<&str> = word.split(['-', '/']).collect();
            let [a, b, c] = parts.as_slice() else {
                return None;
            };
            let n = |s: &str| s.parse::<i16>().ok();
            let (y, m, d) = if a.len() == 4 {
                (n(a)?, n(b)?, n(c)?)
            } else if c.len() == 4 {
                (n(c)?, n(b)?, n(a)?)
            } else {
                return None;
            };
            Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
        })
}

/// `05 فبراير 2019`: a day, a month name and a four-digit year.
pub(super) fn named_month_date(line: &str) -> Option<Date> {
    MONTHS.iter().find_map(|(name, month)| {
        let at = line.find(name)?;
        let before = line[..at].trim_end_matches(is_space);
        let day_start = before.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
        let day: i8 = before[day_start..].parse().ok()?;
        let after = line[at + name.len()..]
            .trim_start_matches(|c: char| is_space(c) || c == '،' || c == ',');
        let year_len = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        if year_len != 4 {
            return None;
        }
        let year: i16 = after[..year_len].parse().ok()?;
        Date::new(year, *month, day).ok()
    })
}

pub(super) fn is_read_also(text: &str) -> bool {
    READ_ALSO.iter().any(|p| text.starts_with(p))
}

/// The site's name in its own "follow us" line: `تابع آخر أخبار اليوم السابع على Google News`.
pub(super) fn site_name(text: &str) -> Option<&str> {
    let after = text.split_once("آخر أخبار")?.1;
    let name = after.split_once(" على ").map_or(after, |(n, _)| n).trim();
    (!name.is_empty() && word_count(name) <= 4).then_some(name)
}

pub(super) fn is_end_marker(text: &str) -> bool {
    word_count(text) <= MAX_MARKER_WORDS
        && END_MARKERS.iter().any(|m| {
            text.get(..m.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(m))
        })
}

pub(super) fn looks_like_heading(text: &str) -> bool {
    !ends_like_a_sentence(text) && word_count(text) <= MAX_HEADING_WORDS
}

/// Ends with a full stop (or `!`, `:`, `…`, a comma), possibly inside closing quotes.
pub(super) fn ends_like_a_sentence(text: &str) -> bool {
    let core = text.trim_end_matches(|c: char| {
        is_space(c) || matches!(c, '"' | '\'' | '»' | '”' | '’' | ')' | ']')
    });
    core.ends_with(['.', '!', ':', '…', '،', '؛', ',', ';', '۔'])
}

pub(super) fn word_count(text: &str) -> usize {
    crate::text::words::count_words(text)
}

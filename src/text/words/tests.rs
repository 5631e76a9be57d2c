use super::*;

/// The character-by-character definition [`count_words`] must agree with.
fn count_words_by_chars(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_ideograph(c) {
            count += 1;
            in_word = false;
        } else if is_word_char(c) {
            if !in_word {
                count += 1;
                in_word = true;
            }
        } else if in_word && is_mid_word(c) && chars.peek().is_some_and(|&n| is_word_char(n)) {
        } else {
            in_word = false;
        }
    }
    count
}

#[test]
fn word_count_tables_agree_with_the_character_rules() {
    // Every character of the tables' ranges, and each next to the others that matter.
    let mut singles: Vec<char> = (0u32..0x80)
        .chain(0x5F0..0x710)
        .filter_map(char::from_u32)
        .collect();
    singles.extend([
        '\u{00B7}',
        '\u{2019}',
        '\u{200C}',
        '中',
        'ぁ',
        '\u{2A6E0}',
        'é',
        '\u{FE52}',
    ]);
    for &a in &singles {
        for &b in &['a', 'ب', '.', '\'', ' ', '\u{064E}', '中', '\u{066C}'] {
            for text in [
                format!("{a}"),
                format!("x{a}{b}"),
                format!("ب{a}{b}ب"),
                format!("{b}{a}"),
            ] {
                assert_eq!(count_words(&text), count_words_by_chars(&text), "{text:?}");
            }
        }
    }
    let seed = include_str!("../../../tests/fixtures/site/content/articles/2019/كيف-يقنع-ترامب-حلفاءه-اللاتينيين-بمواجهة-موسكو-عسكريا-فى-كاراكاس.md");
    assert_eq!(count_words(seed), count_words_by_chars(seed));
}

/// Characters of every class [`count_words`] tells apart.
const MIXED: &[char] = &[
    'a',
    'b',
    '1',
    '_',
    ' ',
    '.',
    ',',
    ':',
    ';',
    '\'',
    '-',
    '\n',
    '\u{ab}',
    '\u{bb}',
    '\u{2019}',
    '\u{200c}',
    '\u{ad}',
    '\u{66c}',
    '\u{60c}',
    '\u{61f}',
    '\u{640}',
    '\u{64e}',
    '\u{660}',
    '\u{6d4}',
    'ب',
    'ة',
    'ى',
    '中',
    'ぁ',
    'é',
    '\u{1F600}',
    '\u{2A6E0}',
];

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config {
        cases: 20_000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x7761_7272_6171),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    })]

    #[test]
    fn word_counts_agree_with_the_character_rules_on_mixed_text(
        chars in proptest::collection::vec(proptest::sample::select(MIXED), 0..16)
    ) {
        let text: String = chars.into_iter().collect();
        proptest::prop_assert_eq!(count_words(&text), count_words_by_chars(&text), "{:?}", text);
    }
}

/// Mostly Arabic and ASCII, as articles are, with a few of every other class: texts of
/// several blocks, some counted 64 bytes at a time and some byte by byte.
fn article_char() -> impl proptest::strategy::Strategy<Value = char> {
    use proptest::prelude::*;
    prop_oneof![
        12 => proptest::sample::select(&['ب', 'ة', 'ى', 'ا', ' ', ' ', 'a', '1', '\n'][..]),
        3 => proptest::sample::select(&['.', '،', '\u{66c}', '\'', ',', '\u{64e}', '\u{6d4}', '؟'][..]),
        1 => proptest::sample::select(MIXED),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config {
        cases: 3_000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x7761_7272_6172),
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    })]

    #[test]
    fn long_texts_count_as_the_character_rules_do(
        chars in proptest::collection::vec(article_char(), 0..400)
    ) {
        let text: String = chars.into_iter().collect();
        proptest::prop_assert_eq!(count_words(&text), count_words_by_chars(&text), "{:?}", text);
    }
}

/// Each pair of bytes gets from the 64-byte path what the byte-by-byte table says.
#[cfg(target_arch = "x86_64")]
#[test]
fn block_masks_agree_with_the_byte_pair_table() {
    let table = byte_pair_classes();
    for prev in 0..=255u8 {
        for b in 0..=255u8 {
            let mut window = [0u8; 65];
            // The pair at the first bytes, at a 16-byte seam and at the end.
            for at in [0, 15, 16, 63] {
                window[at] = prev;
                window[at + 1] = b;
                // SAFETY: SSE2 is part of every x86-64 processor.
                let m = unsafe { blocks::classify(&window) };
                window[at] = 0;
                window[at + 1] = 0;
                let bit = |mask: u64| (mask >> at) & 1 == 1;
                let class = table[(usize::from(prev) << 8) | usize::from(b)];
                let arabic = (0x80..0xC0).contains(&b) && (0xD8..=0xDB).contains(&prev);
                let lead = (0xD8..=0xDB).contains(&b);
                let foreign = b >= 0x80 && !arabic && !lead;
                let what = format!("{prev:02X} {b:02X} at {at}");
                assert_eq!(bit(m.word), class == WORD && !foreign, "word {what}");
                assert_eq!(bit(m.mid), class == MID && !foreign, "mid {what}");
                assert_eq!(bit(m.lead), lead, "lead {what}");
                assert_eq!(bit(m.foreign), foreign, "foreign {what}");
            }
        }
    }
}

#[test]
fn word_count_matches_uax29() {
    use unicode_segmentation::UnicodeSegmentation;
    let seed = include_str!("../../../tests/fixtures/site/content/articles/2019/كيف-يقنع-ترامب-حلفاءه-اللاتينيين-بمواجهة-موسكو-عسكريا-فى-كاراكاس.md");
    let samples = [
        seed,
        "don't stop, U.S. forces: 2,000.5 troops; NATO's 5G e-mail foo_bar",
        "فى 2020، قال ترامب: \"الخيار العسكرى\" مطروح... والتحالفات؟ نعم!",
        "السِّيَاسَة الســياسة ﻣﺎﺩﻭﺭﻭ ٢٠١٩٫٥ ١٬٠٠٠ كلمة‌ نصف",
        "Ελληνικά русский 中文 日本語 한국어 עברית — mixed – dashes",
        "a.b.c 1.2.3 x'y' 'quoted' trailing. ,leading ..double..",
    ];
    for text in samples {
        assert_eq!(count_words(text), text.unicode_words().count(), "{text}");
    }
}

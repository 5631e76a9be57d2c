use super::*;
use std::io::Read;

#[test]
fn words_are_numbered_across_documents() {
    let v = Vocabulary::new();
    let a = Document::new("/a/", "عن مادورو", None, "لمادورو وكاراكاس", &v);
    let b = Document::new("/b/", "مادورو", Some("في كاراكاس"), "نص", &v);
    let words = v.with_words(|w| w.iter().map(|w| w.to_string()).collect::<Vec<_>>());
    let of = |d: &Document| -> Vec<(String, u32, u8)> {
        d.postings()
            .map(|(id, p, w)| (words[id as usize].clone(), p, w))
            .collect()
    };
    assert_eq!(
        of(&a),
        [
            ("عن".to_owned(), 0, WEIGHT_TITLE),
            ("مادورو".to_owned(), 1, WEIGHT_TITLE),
            ("مادورو".to_owned(), 2, WEIGHT_BODY),
            ("اراكاس".to_owned(), 3, WEIGHT_BODY),
        ]
    );
    assert_eq!(of(&b)[1], ("في".to_owned(), 1, WEIGHT_SUBTITLE));
    assert_eq!(v.len(), 5);
}

#[test]
fn ids_remembered_by_a_thread_stay_with_their_vocabulary() {
    let words_of = |d: &Document, v: &Vocabulary| -> Vec<String> {
        let words = v.with_words(|w| w.iter().map(|w| w.to_string()).collect::<Vec<_>>());
        d.postings()
            .map(|(id, _, _)| words[id as usize].clone())
            .collect()
    };
    let first = Vocabulary::new();
    Document::new("/a/", "نص أول", None, "عن مصر", &first);
    // Same thread, new vocabulary (a second build in one `serve`): the words seen
    // with the first must be numbered afresh, not given the first one's ids.
    let second = Vocabulary::new();
    let d = Document::new("/b/", "مصر", None, "نص فى مصر، نص", &second);
    assert_eq!(words_of(&d, &second), ["مصر", "نص", "في", "مصر", "نص"]);
    assert_eq!(second.len(), 3);
    // Seen again, spelled as before: the same ids as the first time.
    let again = Document::new("/c/", "نص", None, "فى", &second);
    assert_eq!(words_of(&again, &second), ["نص", "في"]);
    assert_eq!(second.len(), 3);
}

#[test]
fn a_spilling_vocabulary_keeps_the_text_out_of_memory_and_the_same() {
    let (kept, spilling) = (
        Vocabulary::new(),
        Vocabulary::keeping_in(Store::temporary()),
    );
    let a = Document::new("/a/", "العنوان", None, "نص المقال", &kept);
    let b = Document::new("/a/", "العنوان", None, "نص المقال", &spilling);
    assert!(!a.text.is_spilled());
    assert!(b.text.is_spilled());
    assert_eq!(b.text.behind(b"{").unwrap(), a.text.behind(b"{").unwrap());
}

#[test]
fn text_holds_the_text_as_written() {
    let v = Vocabulary::new();
    let d = Document::new("/a/", "العنوان", None, "نصٌّ \"مقتبس\"\n", &v);
    let gz = d.text.behind(b"pagefind_dcd{\"meta\":{},").unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_str(text.strip_prefix("pagefind_dcd").unwrap()).unwrap();
    assert_eq!(json["content"], "العنوان\nنصٌّ \"مقتبس\"");
    assert_eq!(json["word_count"], 3);
    assert_eq!(json["url"], "/a/");
    assert_eq!(json["meta"], serde_json::json!({}));
}

#[test]
fn json_strings_are_escaped_as_serde_json_escapes_them() {
    for s in [
        "",
        "نص عربي",
        "\"مقتبس\" \\ مائل",
        "سطر\nسطر\tجدول\u{1}\u{7f}",
        "https://x/ä/",
    ] {
        let mut out = b"x".to_vec();
        json_string(&mut out, s);
        assert_eq!(out[1..], serde_json::to_vec(s).unwrap());
    }
}

proptest::proptest! {
    /// Long texts too (the SIMD kernels take 16 to 64 bytes at a time), with every
    /// character that needs escaping anywhere in them.
    #[test]
    fn json_escaping_agrees_with_serde_json(
        s in "([\u{0}-\u{1f}\"\\\u{7f}a-z ]|[\u{0621}-\u{064a}]|\u{2028}|\u{1F600}){0,300}"
    ) {
        let mut out = Vec::new();
        json_string(&mut out, &s);
        proptest::prop_assert_eq!(out, serde_json::to_vec(&s).unwrap());
    }
}

#[test]
fn varints_round_trip() {
    let mut out = Vec::new();
    for n in [0, 1, 127, 128, 300, 16_383, 16_384, u32::MAX] {
        write_varint(&mut out, n);
    }
    let mut bytes = out.as_slice();
    let back: Vec<u32> = std::iter::from_fn(|| read_varint(&mut bytes)).collect();
    assert_eq!(back, [0, 1, 127, 128, 300, 16_383, 16_384, u32::MAX]);
}

/// Each word's position is the index of its token in the content split at whitespace,
/// as Pagefind's client splits it: a dash standing alone is a token without a word, a
/// hyphenated pair one token with two.
#[test]
fn positions_are_the_contents_tokens() {
    let v = Vocabulary::new();
    let d = Document::new(
        "/a/",
        "عنوان — قصير",
        Some("عن «قمة»"),
        "قال — ترامب-بوتين ، NATO\u{a0}اليوم\u{200b}ين",
        &v,
    );
    let words = v.with_words(|w| w.iter().map(|w| w.to_string()).collect::<Vec<_>>());
    let got: Vec<(String, u32, u8)> = d
        .postings()
        .map(|(id, p, w)| (words[id as usize].clone(), p, w))
        .collect();
    let tokens = [
        "عنوان",
        "—",
        "قصير",
        "عن",
        "«قمة»",
        "قال",
        "—",
        "ترامب-بوتين",
        "،",
        "NATO",
        "اليومين",
    ];
    for (word, position, _) in &got {
        let token = tokens[*position as usize];
        assert!(
            crate::search::normalize::normalize_for_search(token)
                .split(' ')
                .any(|w| w == word),
            "{word} at {position} is not in `{token}`"
        );
    }
    let weights: Vec<u8> = got.iter().map(|g| g.2).collect();
    assert_eq!(
        weights,
        [
            WEIGHT_TITLE,
            WEIGHT_TITLE,
            WEIGHT_SUBTITLE,
            WEIGHT_SUBTITLE,
            WEIGHT_BODY,
            WEIGHT_BODY,
            WEIGHT_BODY,
            WEIGHT_BODY,
            WEIGHT_BODY
        ]
    );
    assert_eq!(d.word_count, tokens.len() as u32);
}

use super::*;

fn postings(word: &str) -> Postings {
    Postings {
        word: word.to_owned(),
        pages: 1,
        units: 1,
        last_page: 0,
        bytes: Vec::new(),
    }
}

#[test]
fn each_stem_keeps_its_own_number_of_body_positions() {
    let v = Vocabulary::new();
    // Title `ب`; body: `ا` four times, `ب` four times.
    let doc = Document::new("/a/", "ب", None, "ا ب ا ب ا ب ا ب", &v);
    let words = v.with_words(|w| w.iter().map(|w| w.to_string()).collect::<Vec<_>>());
    let stem_of: Vec<u32> = (0..words.len() as u32).collect();
    let caps: Vec<u8> = words.iter().map(|w| if w == "ا" { 3 } else { 2 }).collect();
    let p = page_postings(&doc, &stem_of, &caps);
    // `locs` of each stem: body positions as deltas, then a weight switch and the
    // title's absolute position.
    let mut d = minicbor::Decoder::new(&p.bytes);
    let mut locs_of = BTreeMap::new();
    for &(stem, len, _) in &p.items {
        assert_eq!(d.array().unwrap(), Some(u64::from(len)));
        let locs: Vec<i64> = (0..len).map(|_| d.i64().unwrap()).collect();
        assert_eq!(d.array().unwrap(), Some(0));
        locs_of.insert(words[stem as usize].clone(), locs);
    }
    let title = -i64::from(crate::search::index::WEIGHT_TITLE) - 1;
    assert_eq!(locs_of["ا"], vec![1, 2, 2]);
    assert_eq!(locs_of["ب"], vec![2, 2, title, 0]);
}

#[test]
fn ranges_hold_their_words_and_what_the_stems_begin() {
    let chunks = vec![
        vec![postings("ترامب"), postings("ما")],
        vec![postings("مادور")],
        vec![postings("نزويل")],
    ];
    let r = chunk_ranges(&chunks);
    // `ما` begins the next chunk's first word: its range must not reach it.
    assert_eq!(r[0], ("ترامب".to_owned(), "ما".to_owned()));
    assert_eq!(r[1], ("مادور".to_owned(), "مادور\u{10FFFF}".to_owned()));
    // `مادورو` (the query as typed) is in the range of its stem's chunk only.
    let inside = |t: &str, (from, to): &(String, String)| t >= from.as_str() && t <= to.as_str();
    assert!(inside("مادورو", &r[1]));
    assert!(!inside("مادورو", &r[0]) && !inside("مادورو", &r[2]));
}

#[test]
fn names_are_short_and_unique() {
    let mut names = Names::new("ar");
    let a = names.name(0x1234_5678_9abc_def0);
    let b = names.name(0x1234_5678_9abc_def0);
    assert_eq!(a, "ar_1234567");
    assert_eq!(b, "ar_12345678");
    assert_eq!(
        names.name_at_least(0xabcd_ef01_2345_6789, 10),
        "ar_abcdef0123"
    );
}

//! An article's text → its search [`Document`], while the article is parsed.
//!
//! Indexing is split in two so the build never holds every article's text: at parse
//! time (in parallel) each article's words are normalized ([`crate::search::normalize`]) and
//! numbered in a shared [`Vocabulary`], and the start of its Pagefind fragment (the
//! author's own text, shown in result excerpts) is compressed ([`crate::search::gzip::Ending`]).
//! After rendering, [`crate::search::bundle`] turns the documents into the index.

use crate::basics::spill::Store;
use crate::search::gzip;
// hashbrown's default hasher (foldhash) is several times faster than std's on the short
// words hashed here, ten million times on a 10,000-article archive.
use hashbrown::{HashMap, HashTable};
use std::hash::BuildHasher;
use std::sync::RwLock;
use xxhash_rust::xxh3::xxh3_64;

/// Compression level of fragments (libdeflate's). On a 10,000-article archive level 1
/// made them 0.29 of the text's size, level 2 0.28 in 38% more time.
pub const FRAGMENT_LEVEL: u32 = 1;

/// Pagefind's weight scale: a weight of 1 (body text) is 24, the most is 10 × 24;
/// its decoder starts every word's positions at 25, so body text is given 25 and its
/// positions need no weight marker (a fifth of the index's bytes).
pub const WEIGHT_BODY: u8 = 25;
/// Title words weigh as Pagefind weighs an `<h1>`.
pub const WEIGHT_TITLE: u8 = 7 * 24;
pub const WEIGHT_SUBTITLE: u8 = 4 * 24;

/// Every normalized word seen, numbered in order of first sight. Shared by the parallel
/// parse of all articles: each article looks up its distinct words once, under a read
/// lock, and takes the write lock only for words never seen before.
pub struct Vocabulary {
    inner: RwLock<Words>,
    /// Tells vocabularies apart, so a thread's cache of ids ([`LocalWords`]) is never
    /// used with another vocabulary than the one it was filled from.
    serial: u64,
    /// Where the documents' compressed text is kept until it is written, if not in
    /// memory ([`Vocabulary::keeping_in`]).
    store: Store,
}

impl Default for Vocabulary {
    fn default() -> Vocabulary {
        static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Vocabulary {
            inner: RwLock::default(),
            serial: SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            store: Store::memory(),
        }
    }
}

#[derive(Default)]
struct Words {
    ids: HashMap<Box<str>, u32>,
    list: Vec<Box<str>>,
}

impl Vocabulary {
    pub fn new() -> Vocabulary {
        Vocabulary::default()
    }

    /// A vocabulary whose documents keep their compressed text in `store`.
    pub fn keeping_in(store: Store) -> Vocabulary {
        Vocabulary {
            store,
            ..Vocabulary::default()
        }
    }

    /// The ids of `words`, numbering the new ones.
    fn ids(&self, words: &[&str]) -> Vec<u32> {
        let mut out = vec![u32::MAX; words.len()];
        let mut missing = false;
        {
            let known = self.inner.read().unwrap_or_else(|e| e.into_inner());
            for (slot, w) in out.iter_mut().zip(words) {
                match known.ids.get(*w) {
                    Some(&id) => *slot = id,
                    None => missing = true,
                }
            }
        }
        if missing {
            let mut all = self.inner.write().unwrap_or_else(|e| e.into_inner());
            for (slot, w) in out.iter_mut().zip(words) {
                if *slot == u32::MAX {
                    *slot = match all.ids.get(*w) {
                        Some(&id) => id,
                        None => {
                            // Ids stay below `NEW`: two billion distinct words would
                            // need far more memory than any build has.
                            let id = all.list.len() as u32;
                            all.list.push((*w).into());
                            all.ids.insert((*w).into(), id);
                            id
                        }
                    };
                }
            }
        }
        out
    }

    /// Calls `f` with every word, indexed by id.
    pub fn with_words<R>(&self, f: impl FnOnce(&[Box<str>]) -> R) -> R {
        f(&self.inner.read().unwrap_or_else(|e| e.into_inner()).list)
    }

    pub fn len(&self) -> usize {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .list
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What the index needs of one article, computed once when it is parsed.
#[derive(Clone, PartialEq, Eq)]
pub struct Document {
    /// `"url":…,"content":…,"word_count":…,"anchors":[]}` compressed: the end of the
    /// fragment, which its metadata, known only after assembly, is put before.
    pub text: gzip::Ending,
    /// Hash of the uncompressed text (fragments are named by content).
    pub text_hash: u64,
    /// The word ids ([`Vocabulary`]) in text order, as LEB128 varints.
    words: Vec<u8>,
    /// The first `title_words` words are the title, the next `subtitle_words` the
    /// subtitle, the rest the body.
    pub title_words: u32,
    pub subtitle_words: u32,
    pub word_count: u32,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Document({} words, {} bytes of ids, {:?})",
            self.word_count,
            self.words.len(),
            self.text
        )
    }
}

impl Document {
    /// The document of an article: its title, subtitle and body text (the text of
    /// every word, as written), numbered in `vocabulary`.
    pub fn new(
        url: &str,
        title: &str,
        subtitle: Option<&str>,
        body: &str,
        vocabulary: &Vocabulary,
    ) -> Document {
        LOCAL.with_borrow_mut(|local| {
            local.clear(vocabulary.serial);
            Document::with(url, title, subtitle, body, vocabulary, local)
        })
    }

    fn with(
        url: &str,
        title: &str,
        subtitle: Option<&str>,
        body: &str,
        vocabulary: &Vocabulary,
        local: &mut LocalWords,
    ) -> Document {
        let body = body.trim();
        let mut counts = [0u32; 2];
        for (i, part) in [Some(title), subtitle].into_iter().enumerate() {
            if let Some(text) = part {
                counts[i] = local.add(text);
            }
        }
        local.add(body);
        local.resolve(vocabulary);
        let mut words = Vec::with_capacity(local.order.len() * 2);
        for &id in &local.order {
            write_varint(&mut words, id);
        }
        words.shrink_to_fit();
        // The fragment's text, written at once: its content is the title, subtitle and
        // body, one per line. Pagefind reads the fragment as JSON, so its fields may come
        // in any order.
        let mut text = Vec::with_capacity(url.len() + title.len() + body.len() + 160);
        text.extend_from_slice(b"\"url\":");
        json_string(&mut text, url);
        text.extend_from_slice(b",\"content\":");
        json_lines(&mut text, &[Some(title), subtitle, Some(body)]);
        text.extend_from_slice(b",\"word_count\":");
        text.extend_from_slice(local.order.len().to_string().as_bytes());
        text.extend_from_slice(b",\"anchors\":[]}");
        Document {
            text: gzip::Ending::new_in(&text, FRAGMENT_LEVEL, &vocabulary.store),
            text_hash: xxh3_64(&text),
            words,
            title_words: counts[0],
            subtitle_words: counts[1],
            word_count: local.order.len() as u32,
        }
    }

    /// Frees the compressed text and/or the words, once the index has them.
    pub fn release(&mut self, text: bool, words: bool) {
        if text {
            self.text = gzip::Ending::default();
        }
        if words {
            self.words = Vec::new();
        }
    }

    /// `(word id, position, weight)` of every word, in text order.
    pub fn postings(&self) -> impl Iterator<Item = (u32, u32, u8)> + '_ {
        let mut bytes = self.words.as_slice();
        let title = self.title_words;
        let subtitle = title + self.subtitle_words;
        let mut position = 0u32;
        std::iter::from_fn(move || {
            let id = read_varint(&mut bytes)?;
            let weight = if position < title {
                WEIGHT_TITLE
            } else if position < subtitle {
                WEIGHT_SUBTITLE
            } else {
                WEIGHT_BODY
            };
            position += 1;
            Some((id, position - 1, weight))
        })
    }
}

/// Strings numbered in order of first sight, back to back in one buffer and found
/// through a hash table: no allocation per string.
#[derive(Default)]
struct Interner {
    hasher: hashbrown::DefaultHashBuilder,
    table: HashTable<u32>,
    arena: String,
    spans: Vec<(u32, u32)>,
}

impl Interner {
    fn clear(&mut self) {
        self.table.clear();
        self.arena.clear();
        self.spans.clear();
    }

    fn get(&self, i: u32) -> &str {
        let (a, b) = self.spans[i as usize];
        &self.arena[a as usize..b as usize]
    }

    /// The number of `s`, and whether it is new.
    fn intern(&mut self, s: &str) -> (u32, bool) {
        let Interner {
            hasher,
            table,
            arena,
            spans,
        } = self;
        let hash = hasher.hash_one(s);
        let word = |i: u32| {
            let (a, b) = spans[i as usize];
            &arena[a as usize..b as usize]
        };
        if let Some(&i) = table.find(hash, |&i| word(i) == s) {
            return (i, false);
        }
        let i = spans.len() as u32;
        let start = arena.len() as u32;
        arena.push_str(s);
        spans.push((start, arena.len() as u32));
        table.insert_unique(hash, i, |&j| {
            let (a, b) = spans[j as usize];
            hasher.hash_one(&arena[a as usize..b as usize])
        });
        (i, true)
    }
}

/// A run that normalizes to no word.
const NO_WORD: u32 = u32::MAX;
/// Marks an id as an index into the article's new words, not yet numbered.
const NEW: u32 = 1 << 31;
/// The cache of words as written is emptied between articles once it holds this much.
const SEEN_LIMIT: usize = 16 << 20;

/// One thread's indexing state. `seen` maps each word as written (a run of word
/// characters) to its [`Vocabulary`] id, kept from article to article: most words of
/// an article appeared, spelled the same way, in an earlier one, and are then neither
/// normalized nor looked up in the shared vocabulary again. Words new to the thread
/// are normalized, collected in `new` and numbered together at the end of the article
/// (one lock per article, not per word).
#[derive(Default)]
struct LocalWords {
    seen: Interner,
    seen_ids: Vec<u32>,
    /// The vocabulary `seen_ids` are ids in.
    serial: u64,
    new: Interner,
    /// Entries of `seen` whose id is still an index into `new`.
    unresolved: Vec<u32>,
    /// The article's word ids in text order.
    order: Vec<u32>,
    buf: String,
}

thread_local! {
    static LOCAL: std::cell::RefCell<LocalWords> = std::cell::RefCell::default();
}

impl LocalWords {
    /// Readies for an article numbered in the vocabulary `serial`.
    fn clear(&mut self, serial: u64) {
        if self.serial != serial || self.seen.arena.len() > SEEN_LIMIT {
            self.seen.clear();
            self.seen_ids.clear();
            self.serial = serial;
        }
        self.new.clear();
        self.unresolved.clear();
        self.order.clear();
    }

    /// Adds the words of `text`; returns how many there were.
    fn add(&mut self, text: &str) -> u32 {
        let LocalWords {
            seen,
            seen_ids,
            serial: _,
            new,
            unresolved,
            order,
            buf,
        } = self;
        let before = order.len();
        crate::search::normalize::for_each_run(text, |raw| {
            let (i, fresh) = seen.intern(raw);
            let id = if fresh {
                crate::search::normalize::normalize_word_into(raw, buf);
                let id = if buf.is_empty() {
                    NO_WORD
                } else {
                    unresolved.push(i);
                    NEW | new.intern(buf).0
                };
                seen_ids.push(id);
                id
            } else {
                seen_ids[i as usize]
            };
            if id != NO_WORD {
                order.push(id);
            }
        });
        (order.len() - before) as u32
    }

    /// Numbers the article's new words in `vocabulary`.
    fn resolve(&mut self, vocabulary: &Vocabulary) {
        if self.new.spans.is_empty() {
            return;
        }
        let distinct: Vec<&str> = (0..self.new.spans.len() as u32)
            .map(|i| self.new.get(i))
            .collect();
        let ids = vocabulary.ids(&distinct);
        let id_of = |id: u32| {
            if id != NO_WORD && id & NEW != 0 {
                ids[(id & !NEW) as usize]
            } else {
                id
            }
        };
        for id in &mut self.order {
            *id = id_of(*id);
        }
        for &i in &self.unresolved {
            let id = &mut self.seen_ids[i as usize];
            *id = id_of(*id);
        }
    }
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it, by
/// `json-escape-simd`: serde_json looks at a byte at a time, and the fragments' text
/// (120 MB at 10,000 articles) is nearly all bytes that need no escape.
fn json_string(out: &mut Vec<u8>, text: &str) {
    json_escape_simd::escape_into(text, out);
}

/// Appends the given parts, one per line, as one JSON string ([`json_string`]).
fn json_lines(out: &mut Vec<u8>, parts: &[Option<&str>]) {
    let parts: Vec<&str> = parts.iter().flatten().copied().collect();
    // Joined first: a copy costs far less than escaping.
    json_string(out, &parts.join("\n"));
}

fn write_varint(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_varint(bytes: &mut &[u8]) -> Option<u32> {
    let mut n = 0u32;
    let mut shift = 0;
    loop {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        n |= u32::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(n);
        }
        shift += 7;
        if shift > 28 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
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
            // Parts are joined by line breaks, as one string.
            let mut out = Vec::new();
            json_lines(&mut out, &[Some("عنوان"), None, Some(s)]);
            assert_eq!(out, serde_json::to_vec(&format!("عنوان\n{s}")).unwrap());
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
}

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
    /// The words in text order, as LEB128 varints: each one's id ([`Vocabulary`])
    /// shifted left by one, its low bit set when the word is not in the token after the
    /// last word's (the first word included), and then followed by how many tokens past
    /// the last word's it is.
    words: Vec<u8>,
    /// The content's first `title_words` tokens are the title, the next
    /// `subtitle_words` the subtitle, the rest the body.
    pub title_words: u32,
    pub subtitle_words: u32,
    /// Tokens in the content (Pagefind's `word_count`).
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
        // The fragment's content: the title, subtitle and body, one per line. Pagefind's
        // client splits it at whitespace and marks the tokens at the index's positions,
        // so a word's position is its token's. It splits at U+200B instead where the
        // content has one: those (invisible) are left out of the content.
        let parts: Vec<std::borrow::Cow<'_, str>> = [Some(title), subtitle, Some(body.trim())]
            .into_iter()
            .flatten()
            .map(without_zero_width_spaces)
            .collect();
        let content = parts.join("\n");
        let title_words = crate::search::normalize::token_count(&parts[0]);
        let subtitle_words = match subtitle {
            Some(_) => crate::search::normalize::token_count(&parts[1]),
            None => 0,
        };
        let word_count = local.add(&content);
        local.resolve(vocabulary);
        let mut words = Vec::with_capacity(local.order.len() * 3);
        // The word before the first is taken to be in token -1.
        let mut next = 0;
        for (&id, &position) in local.order.iter().zip(&local.positions) {
            if position == next {
                write_varint(&mut words, id << 1);
            } else {
                write_varint(&mut words, (id << 1) | 1);
                write_varint(&mut words, position + 1 - next);
            }
            next = position + 1;
        }
        words.shrink_to_fit();
        // The fragment's text, written at once. Pagefind reads the fragment as JSON, so
        // its fields may come in any order.
        let mut text = Vec::with_capacity(url.len() + content.len() + 160);
        text.extend_from_slice(b"\"url\":");
        json_string(&mut text, url);
        text.extend_from_slice(b",\"content\":");
        json_string(&mut text, &content);
        text.extend_from_slice(b",\"word_count\":");
        text.extend_from_slice(word_count.to_string().as_bytes());
        text.extend_from_slice(b",\"anchors\":[]}");
        Document {
            text: gzip::Ending::new_in(&text, FRAGMENT_LEVEL, &vocabulary.store),
            text_hash: xxh3_64(&text),
            words,
            title_words,
            subtitle_words,
            word_count,
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
        let mut next = 0u32;
        std::iter::from_fn(move || {
            let tagged = read_varint(&mut bytes)?;
            let id = tagged >> 1;
            let position = if tagged & 1 == 0 {
                next
            } else {
                (next + read_varint(&mut bytes)?).checked_sub(1)?
            };
            next = position + 1;
            let weight = if position < title {
                WEIGHT_TITLE
            } else if position < subtitle {
                WEIGHT_SUBTITLE
            } else {
                WEIGHT_BODY
            };
            Some((id, position, weight))
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
    /// Each one's token ([`crate::search::normalize::for_each_run_in_tokens`]).
    positions: Vec<u32>,
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
        self.positions.clear();
    }

    /// Adds the words of `text`, each at its token; returns how many tokens it has.
    fn add(&mut self, text: &str) -> u32 {
        let LocalWords {
            seen,
            seen_ids,
            serial: _,
            new,
            unresolved,
            order,
            positions,
            buf,
        } = self;
        crate::search::normalize::for_each_run_in_tokens(text, |raw, token| {
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
                positions.push(token);
            }
        })
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

/// `text` without U+200B (zero width space), which would make Pagefind's client split
/// the content at those instead of at whitespace.
fn without_zero_width_spaces(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\u{200b}') {
        text.replace('\u{200b}', "").into()
    } else {
        text.into()
    }
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
mod tests;

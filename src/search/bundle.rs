//! Search documents → the Pagefind bundle under `/pagefind/`, searched in the browser by
//! Pagefind's own JavaScript and WebAssembly.
//!
//! The index files are written here rather than by `pagefind::api`: on a 10,000-article
//! archive the API took 40 s and 4 GB (it keeps every word of every page as a string,
//! clones them all before indexing, and compresses at the slowest level), for a build
//! that otherwise takes under 2 s in 320 MB. The format written is Pagefind 1.6's (CBOR
//! word, filter and meta indexes, gzipped JSON fragments), and `pagefind.js` and the
//! WebAssembly come from the `pagefind` crate itself; `tests/it/search.rs` checks that
//! the word index is byte for byte what `pagefind::api` writes for the same words.
//! What differs on purpose: words are normalized first ([`crate::search::normalize`]), at most
//! [`MAX_BODY_POSITIONS`] body positions are kept per word and page, and a fragment's
//! `content` is the author's own text, from which the search page cuts excerpts.

use crate::basics::error::Diagnostic;
use crate::search::index::{Document, Vocabulary};
use anyhow::{Context as _, Result};
use minicbor::Encoder;
use pagefind_stem::{Algorithm, Stemmer};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use xxhash_rust::xxh3::Xxh3;

/// The Pagefind release whose format is written and whose engine files are shipped.
pub const PAGEFIND_VERSION: &str = "1.6.0";
/// Postings per index chunk: a query loads the chunks holding its words' stems.
/// Pagefind's 20,000 put two common words in many chunks, so a query for one word
/// downloaded another's postings too; at 8,000 a word found in most articles has a
/// chunk of its own. At 10,000 articles (with body positions unmarked, below) a
/// two-word query then downloaded 228 KB in all instead of 292 KB, a three-word one
/// 316 KB instead of 405 KB (430 chunks instead of 262; the meta index names each one).
const CHUNK_SIZE: usize = 8_000;
/// What every file of the bundle starts with, once decompressed (Pagefind checks it).
const SIGNATURE: &[u8] = b"pagefind_dcd";
/// Index chunks are what a query downloads most of. On a 10,000-article archive's chunks
/// (24 MB raw), libdeflate's level 1 made 0.472 of their raw size in 158 ms of CPU, level
/// 4 0.465 in 240 ms, level 5 (used before) 0.452 in 307 ms, level 6 0.451 in 404 ms:
/// level 5 cost the full theme's build about 4% of its CPU time to make a two-word
/// query's download (about 230 KB) 10 KB smaller.
const INDEX_LEVEL: u32 = 1;
/// Body positions kept per word and page (title and subtitle positions are all kept).
/// Pagefind keeps every position, so a query for a word found in most articles loads
/// every position of it in every article: 150-400 KB for each of the commonest words
/// of a 10,000-article archive. Ranking saturates on a few occurrences anyway (BM25),
/// the excerpt is cut around the first ones, and the search page highlights every
/// occurrence of the matched words in it, so two keep results and excerpts as good at
/// a fifth of the size. (Two would save another 10% of a query's download, but then
/// an excerpt can miss the spelling searched for: `العسكرى` is the third word of its
/// stem in the seed article. A quoted phrase is only found among the kept positions.)
/// Stems in more than half the pages keep fewer ([`BODY_POSITIONS_OF_COMMON_STEMS`]).
pub const MAX_BODY_POSITIONS: usize = 3;
/// Body positions kept per page of a stem found in more than half the pages. Such a
/// stem hardly ranks (its BM25 weight is below ln 2), yet its postings are most of
/// what a query downloads: at 10,000 articles the three-word query
/// `السياسة الخارجية الأمريكية` loads four chunks of such stems, 141 KB of its 317 KB
/// at three positions, 113 KB at two.
const BODY_POSITIONS_OF_COMMON_STEMS: usize = 2;
/// Where the bundle goes in the output.
pub const DIR: &str = "pagefind";

/// One article, as the bundle sees it.
pub struct Entry<'a> {
    /// Owned when the caller gave it up: then its parts are freed as soon as written.
    pub doc: Cow<'a, Document>,
    /// The article's version (its page's `version`).
    pub version: u64,
    /// Shown in results: `title`, `date`, `topic`, … (as displayed).
    pub meta: BTreeMap<&'static str, String>,
    /// Narrow results: `topic`, `author`, `year`.
    pub filters: BTreeMap<&'static str, Vec<String>>,
    /// The start of its fragment: `pagefind_dcd{"filters":…,"meta":…,`.
    start: Vec<u8>,
}

impl<'a> Entry<'a> {
    pub fn new(
        doc: Cow<'a, Document>,
        version: u64,
        meta: BTreeMap<&'static str, String>,
        filters: BTreeMap<&'static str, Vec<String>>,
    ) -> Entry<'a> {
        let start = fragment_start(&meta, &filters);
        Entry {
            doc,
            version,
            meta,
            filters,
            start,
        }
    }

    /// Frees what was written from an owned document.
    fn release(&mut self, head: bool, words: bool) {
        if let Cow::Owned(d) = &mut self.doc {
            d.release(head, words);
        }
    }
}

/// A hash of everything the bundle is made of: `settings` (a hash of the site's settings
/// and of the program making it), Pagefind's version, and each article's version and the
/// metadata its result shows (term names change with other articles).
pub fn key(settings: u64, entries: &[Entry<'_>]) -> u64 {
    let mut h = Xxh3::new();
    h.update(&settings.to_le_bytes());
    h.update(PAGEFIND_VERSION.as_bytes());
    for e in entries {
        h.update(&e.version.to_le_bytes());
        h.update(&e.start);
    }
    h.digest()
}

/// What Pagefind's JavaScript needs to run, taken from the `pagefind` crate itself.
pub struct Engine {
    /// `(file name, bytes)`: `pagefind.js` and the WebAssembly for the language.
    pub files: Vec<(String, Vec<u8>)>,
    /// The WebAssembly's language, if Pagefind has a stemmer for it.
    pub wasm: Option<String>,
}

/// Pagefind's Snowball stemmer for a language (the one its WebAssembly applies to
/// queries in that language), if it has one.
pub fn stemmer(language: &str) -> Option<Algorithm> {
    let base = language.split(['-', '_']).next().unwrap_or("");
    Some(match base {
        "ar" => Algorithm::Arabic,
        "hy" => Algorithm::Armenian,
        "eu" => Algorithm::Basque,
        "ca" => Algorithm::Catalan,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "eo" => Algorithm::Esperanto,
        "et" => Algorithm::Estonian,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hi" => Algorithm::Hindi,
        "hu" => Algorithm::Hungarian,
        "id" => Algorithm::Indonesian,
        "ga" => Algorithm::Irish,
        "it" => Algorithm::Italian,
        "lt" => Algorithm::Lithuanian,
        "nb" | "nn" | "no" => Algorithm::Norwegian,
        "ne" => Algorithm::Nepali,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "sr" => Algorithm::Serbian,
        "pl" => Algorithm::Polish,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        "yi" => Algorithm::Yiddish,
        _ => return None,
    })
}

impl Engine {
    /// Asks `pagefind::api` for its browser files. It writes them only beside an index,
    /// so it indexes one throwaway record in `language`.
    pub fn load(language: &str) -> Result<Engine> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .context("cannot start the runtime for Pagefind")?;
        let files = runtime.block_on(async {
            let config = pagefind::options::PagefindServiceConfig::builder()
                .force_language(language.to_owned())
                .build();
            let mut index = pagefind::api::PagefindIndex::new(Some(config))?;
            index
                .add_custom_record(
                    "/".into(),
                    "warraq".into(),
                    language.into(),
                    None,
                    None,
                    None,
                )
                .await?;
            index.get_files().await
        })?;
        let mut script = None;
        let mut generic = None;
        let mut wasm = None;
        for f in files {
            let name = f.filename.to_string_lossy().replace('\\', "/");
            if name == "pagefind.js" {
                script = Some(f.contents);
            } else if name == "wasm.unknown.pagefind" {
                generic = Some(f.contents);
            } else if let Some(lang) = name
                .strip_prefix("wasm.")
                .and_then(|n| n.strip_suffix(".pagefind"))
            {
                wasm = Some((lang.to_owned(), f.contents));
            }
        }
        let script = script.context("the pagefind crate wrote no `pagefind.js`")?;
        let mut engine = Engine {
            files: vec![("pagefind.js".to_owned(), script)],
            wasm: None,
        };
        // Without a stemmer for the language, Pagefind loads its generic WebAssembly.
        match (wasm, generic) {
            (Some((lang, bytes)), _) => {
                engine.files.push((format!("wasm.{lang}.pagefind"), bytes));
                engine.wasm = Some(lang);
            }
            (None, Some(bytes)) => engine
                .files
                .push(("wasm.unknown.pagefind".to_owned(), bytes)),
            (None, None) => anyhow::bail!("the pagefind crate wrote no WebAssembly"),
        }
        Ok(engine)
    }
}

/// Writes the bundle for `entries` (page numbers are their order) through `write`
/// (paths relative to the output). Returns the paths written.
pub fn write<W>(
    language: &str,
    mut entries: Vec<Entry<'_>>,
    vocabulary: &Vocabulary,
    engine: &Engine,
    write: W,
) -> Result<Vec<String>, Vec<Diagnostic>>
where
    W: Fn(&str, &[u8]) -> Result<(), Diagnostic> + Sync,
{
    let lang = language;
    let mut names = Names::new(lang);
    let mut out = Written::default();
    let emit = |path: String, bytes: &[u8], out: &mut Written| {
        let result = write(&path, bytes);
        out.add(path, result)
    };

    // Fragments: the article text compressed at parse time, then its metadata. They are
    // named by their place in the index under a stamp of every fragment's content, not
    // each by its own hash: every search downloads the list of names (in the meta
    // index), and at 10,000 articles random hashes made it 74 KB where numbered names
    // compress to a third of that. A name still never changes content: any change to
    // any fragment changes the stamp, and so every name.
    let mut stamp = Xxh3::new();
    for e in &entries {
        stamp.update(&e.doc.text_hash.to_le_bytes());
        stamp.update(&e.start);
    }
    let stamp = names.name(stamp.digest());
    let page_hashes: Vec<String> = (0..entries.len())
        .map(|n| format!("{stamp}{}", base36(n)))
        .collect();
    let fragment_results: Vec<(String, Result<(), Diagnostic>)> = entries
        .par_iter_mut()
        .zip(&page_hashes)
        .map(|(e, name)| {
            let path = format!("{DIR}/fragment/{name}.pf_fragment");
            let r = match e.doc.text.behind(&e.start) {
                Ok(gz) => write(&path, &gz),
                Err(err) => Err(Diagnostic::file(
                    Path::new(&path),
                    format!("cannot read back the search text kept for it: {err}"),
                )),
            };
            e.release(true, false);
            (path, r)
        })
        .collect();
    for (path, r) in fragment_results {
        out.add(path, r);
    }

    // Words.
    let words = postings(&mut entries, vocabulary, lang);
    let chunks = chunk(words);
    let ranges = chunk_ranges(&chunks);
    let encoded: Vec<(Vec<u8>, u64)> = chunks
        .into_par_iter()
        .map(|c| {
            let raw = encode_chunk(&c);
            drop(c);
            let hash = xxhash_rust::xxh3::xxh3_64(&raw);
            (
                crate::search::gzip::compress(SIGNATURE, &raw, INDEX_LEVEL),
                hash,
            )
        })
        .collect();
    let mut chunk_meta = Vec::with_capacity(encoded.len());
    for ((gz, hash), (from, to)) in encoded.into_iter().zip(ranges) {
        let name = names.name(hash);
        emit(format!("{DIR}/index/{name}.pf_index"), &gz, &mut out);
        chunk_meta.push((from, to, name));
    }

    // Filters.
    let mut filter_meta = Vec::new();
    for (filter, values) in filters(&entries) {
        let raw = encode_filter(&filter, &values);
        let name = names.name(xxhash_rust::xxh3::xxh3_64(&raw));
        let gz = crate::search::gzip::compress(SIGNATURE, &raw, INDEX_LEVEL);
        emit(format!("{DIR}/filter/{name}.pf_filter"), &gz, &mut out);
        filter_meta.push((filter, name));
    }

    // The meta index, loaded first by every search, and the entry point naming it.
    let mut meta_fields: Vec<&str> = entries
        .iter()
        .flat_map(|e| e.meta.keys().copied())
        .collect();
    meta_fields.sort_unstable();
    meta_fields.dedup();
    let pages: Vec<(&str, u32)> = page_hashes
        .iter()
        .zip(&entries)
        .map(|(h, e)| (h.as_str(), e.doc.word_count))
        .collect();
    let raw = encode_meta(&pages, &chunk_meta, &filter_meta, &meta_fields);
    let meta_hash = names.name(xxhash_rust::xxh3::xxh3_64(&raw));
    let gz = crate::search::gzip::compress(SIGNATURE, &raw, INDEX_LEVEL);
    emit(format!("{DIR}/pagefind.{meta_hash}.pf_meta"), &gz, &mut out);
    let entry = serde_json::json!({
        "version": PAGEFIND_VERSION,
        "languages": {
            lang: {"hash": meta_hash, "wasm": engine.wasm, "page_count": entries.len()}
        },
        "include_characters": [],
    });
    emit(
        format!("{DIR}/pagefind-entry.json"),
        entry.to_string().as_bytes(),
        &mut out,
    );
    for (name, bytes) in &engine.files {
        emit(format!("{DIR}/{name}"), bytes, &mut out);
    }
    if out.problems.is_empty() {
        Ok(out.paths)
    } else {
        Err(out.problems)
    }
}

#[derive(Default)]
struct Written {
    paths: Vec<String>,
    problems: Vec<Diagnostic>,
}

impl Written {
    fn add(&mut self, path: String, result: Result<(), Diagnostic>) {
        match result {
            Ok(()) => self.paths.push(path),
            Err(d) => self.problems.push(d),
        }
    }
}

/// The start of a fragment: the signature and the JSON's filters and metadata (the
/// article's text, compressed when it was parsed, follows: [`Document::text`]).
fn fragment_start(
    meta: &BTreeMap<&'static str, String>,
    filters: &BTreeMap<&'static str, Vec<String>>,
) -> Vec<u8> {
    let mut start = SIGNATURE.to_vec();
    start.extend_from_slice(b"{\"filters\":");
    serde_json::to_writer(&mut start, filters).expect("maps of strings serialize");
    start.extend_from_slice(b",\"meta\":");
    serde_json::to_writer(&mut start, meta).expect("maps of strings serialize");
    start.push(b',');
    start
}

/// `n` in digits and lower-case letters: `0`, …, `z`, `10`, ….
fn base36(mut n: usize) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(char::from_digit((n % 36) as u32, 36).expect("a digit below 36"));
        n /= 36;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().collect()
}

/// Short content-hash names, `ar_1a2b3c4`, longer only where two would collide (as
/// Pagefind names its files). Names are given in a fixed order, so builds are stable.
struct Names {
    lang: String,
    taken: std::collections::HashSet<String>,
}

impl Names {
    fn new(lang: &str) -> Names {
        Names {
            lang: lang.to_owned(),
            taken: Default::default(),
        }
    }

    fn name(&mut self, hash: u64) -> String {
        let hex = format!("{hash:016x}");
        for len in 7..=16 {
            let name = format!("{}_{}", self.lang, &hex[..len]);
            if self.taken.insert(name.clone()) {
                return name;
            }
        }
        // Identical content (two identical pages): a counter keeps names unique.
        let mut n = 0;
        loop {
            let name = format!("{}_{hex}{n}", self.lang);
            if self.taken.insert(name.clone()) {
                return name;
            }
            n += 1;
        }
    }
}

/// One stem's postings, CBOR-encoded as Pagefind's `PackedPage`s, in page order.
struct Postings {
    word: String,
    pages: u64,
    /// Pagefind's measure of a chunk's size: positions plus one per page.
    units: usize,
    last_page: u64,
    bytes: Vec<u8>,
}

/// Inverts every document into postings per stem.
fn postings(entries: &mut [Entry<'_>], vocabulary: &Vocabulary, language: &str) -> Vec<Postings> {
    // Stem every word once; words with one stem share postings.
    let (stem_of, stems): (Vec<u32>, Vec<Postings>) = vocabulary.with_words(|words| {
        let stemmed: Vec<String> = words
            .par_iter()
            .map_init(
                || stemmer(language).map(Stemmer::create),
                |s, w| match s {
                    Some(s) => s.stem(w).into_owned(),
                    None => w.to_string(),
                },
            )
            .collect();
        let mut ids: HashMap<&str, u32> = HashMap::new();
        let mut stems = Vec::new();
        let stem_of = stemmed
            .iter()
            .map(|s| {
                *ids.entry(s.as_str()).or_insert_with(|| {
                    stems.push(Postings {
                        word: s.clone(),
                        pages: 0,
                        units: 0,
                        last_page: 0,
                        bytes: Vec::new(),
                    });
                    stems.len() as u32 - 1
                })
            })
            .collect();
        (stem_of, stems)
    });
    let caps = body_position_caps(entries, &stem_of, stems.len());
    // In batches, so only a batch of pages' postings is held besides the result. The
    // stems are dealt into shards merged in parallel: stem `s` is in shard `s % n`.
    let n = rayon::current_num_threads().max(1);
    let mut shards: Vec<Vec<Postings>> = (0..n).map(|_| Vec::new()).collect();
    for (i, p) in stems.into_iter().enumerate() {
        shards[i % n].push(p);
    }
    const BATCH: usize = 512;
    for (batch_i, batch) in entries.chunks_mut(BATCH).enumerate() {
        let pages: Vec<PagePostings> = batch
            .par_iter_mut()
            .map(|e| {
                let p = page_postings(&e.doc, &stem_of, &caps);
                e.release(false, true);
                p
            })
            .collect();
        shards.par_iter_mut().enumerate().for_each(|(k, shard)| {
            for (i, page) in pages.iter().enumerate() {
                let page_number = (batch_i * BATCH + i) as u64;
                let mut start = 0;
                for &(stem, len, end) in &page.items {
                    if stem as usize % n == k {
                        let p = &mut shard[stem as usize / n];
                        let delta = page_number - p.last_page;
                        ok(Encoder::new(&mut p.bytes)
                            .array(3)
                            .and_then(|e| e.u64(delta)));
                        p.bytes.extend_from_slice(&page.bytes[start..end as usize]);
                        p.last_page = page_number;
                        p.pages += 1;
                        p.units += len as usize + 1;
                    }
                    start = end as usize;
                }
            }
        });
    }
    let mut stems: Vec<Postings> = shards.into_iter().flatten().collect();
    stems.retain(|p| p.pages > 0);
    stems.sort_unstable_by(|a, b| a.word.cmp(&b.word));
    stems
}

/// The body positions each stem keeps per page: [`MAX_BODY_POSITIONS`], or
/// [`BODY_POSITIONS_OF_COMMON_STEMS`] for a stem found in more than half the pages.
fn body_position_caps(entries: &[Entry<'_>], stem_of: &[u32], stems: usize) -> Vec<u8> {
    // Pages per stem, counted in one part of the pages per thread.
    let part = entries
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    let pages = entries
        .par_chunks(part)
        .enumerate()
        .map(|(k, chunk)| {
            let (mut pages, mut last) = (vec![0u32; stems], vec![usize::MAX; stems]);
            for (i, e) in chunk.iter().enumerate() {
                let page = k * part + i;
                for (word, _, _) in e.doc.postings() {
                    let stem = stem_of[word as usize] as usize;
                    if last[stem] != page {
                        last[stem] = page;
                        pages[stem] += 1;
                    }
                }
            }
            pages
        })
        .reduce(
            || vec![0; stems],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    pages
        .into_iter()
        .map(|n| {
            let common = u64::from(n) * 2 > entries.len() as u64;
            (if common {
                BODY_POSITIONS_OF_COMMON_STEMS
            } else {
                MAX_BODY_POSITIONS
            }) as u8
        })
        .collect()
}

/// One page's postings: for each stem in order, `(stem, length of its locs, end of its
/// bytes)`, and the CBOR of its `locs` and `meta_locs` in `bytes`.
struct PagePostings {
    items: Vec<(u32, u32, u32)>,
    bytes: Vec<u8>,
}

/// One page's postings. Locs are grouped by weight and delta-encoded within a group; a
/// negative number `-w - 1` switches to weight `w` and is followed by an absolute
/// position (Pagefind's packing).
fn page_postings(doc: &Document, stem_of: &[u32], caps: &[u8]) -> PagePostings {
    // (stem, weight, position) packed in one integer sorts fast.
    let mut keys: Vec<u64> = doc
        .postings()
        .map(|(word, pos, weight)| {
            (u64::from(stem_of[word as usize]) << 40) | (u64::from(weight) << 32) | u64::from(pos)
        })
        .collect();
    keys.sort_unstable();
    let mut out = PagePostings {
        items: Vec::new(),
        bytes: Vec::with_capacity(keys.len() * 3),
    };
    let mut locs: Vec<(u8, u32)> = Vec::new();
    for group in keys.chunk_by(|a, b| a >> 40 == b >> 40) {
        // Body positions sort first (the lowest weight): keep the stem's first few.
        let cap = usize::from(caps[(group[0] >> 40) as usize]);
        locs.clear();
        let mut body = 0;
        for &k in group {
            let (weight, pos) = ((k >> 32) as u8, k as u32);
            if weight == crate::search::index::WEIGHT_BODY {
                body += 1;
                if body > cap {
                    continue;
                }
            }
            locs.push((weight, pos));
        }
        let switches = usize::from(locs[0].0 != crate::search::index::WEIGHT_BODY)
            + locs.windows(2).filter(|w| w[0].0 != w[1].0).count();
        let len = locs.len() + switches;
        let mut e = Encoder::new(&mut out.bytes);
        ok(e.array(len as u64));
        // Pagefind's decoder starts at its body weight: body-first lists need no switch.
        let (mut weight, mut last) = (crate::search::index::WEIGHT_BODY, 0u32);
        for &(w, pos) in &locs {
            if w != weight {
                ok(e.i32(-i32::from(w) - 1).and_then(|e| e.u32(pos)));
                weight = w;
            } else {
                ok(e.u32(pos - last));
            }
            last = pos;
        }
        ok(e.array(0));
        out.items
            .push(((group[0] >> 40) as u32, len as u32, out.bytes.len() as u32));
    }
    out
}

/// Encoding into a `Vec` cannot fail.
fn ok<T>(r: Result<T, minicbor::encode::Error<std::convert::Infallible>>) {
    r.expect("CBOR into a Vec cannot fail");
}

/// Consecutive stems in chunks of about [`CHUNK_SIZE`] postings.
fn chunk(words: Vec<Postings>) -> Vec<Vec<Postings>> {
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    let mut size = 0;
    for w in words {
        size += w.units;
        current.push(w);
        if size >= CHUNK_SIZE {
            chunks.push(std::mem::take(&mut current));
            size = 0;
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// The `(from, to)` range of each chunk, which Pagefind's search compares a query's
/// words with (as typed, and stemmed) to choose the chunks to load.
///
/// Pagefind cuts ranges to the shortest prefixes that tell neighbouring chunks apart,
/// but then the last word of a chunk lies outside its own range (`ماد` < `مادور`), and
/// a word in no range makes the search load every chunk its prefix matches: a query
/// for one word loaded two 50 KB chunks. Here `from` is the first word and `to` the
/// last followed by U+10FFFF, so the range also holds the words the stem begins (the
/// query `مادورو`, stemmed `مادور`, is in the one range of `مادور`), unless the next
/// chunk's first word begins with it, which the range must then leave out.
fn chunk_ranges(chunks: &[Vec<Postings>]) -> Vec<(String, String)> {
    let first = |c: &Vec<Postings>| c.first().map_or(String::new(), |w| w.word.clone());
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let last = c.last().map_or("", |w| w.word.as_str());
            let next = chunks.get(i + 1).map(first).unwrap_or_default();
            let to = if next.starts_with(last) {
                last.to_owned()
            } else {
                format!("{last}\u{10FFFF}")
            };
            (first(c), to)
        })
        .collect()
}

/// `WordIndex { words: [PackedWord { word, pages, additional_variants }] }`.
fn encode_chunk(words: &[Postings]) -> Vec<u8> {
    let size: usize = words.iter().map(|w| w.bytes.len() + w.word.len() + 8).sum();
    let mut out = Vec::with_capacity(size + 8);
    let mut e = Encoder::new(&mut out);
    ok(e.array(1).and_then(|e| e.array(words.len() as u64)));
    for w in words {
        let mut e = Encoder::new(&mut out);
        ok(e.array(3)
            .and_then(|e| e.str(&w.word))
            .and_then(|e| e.array(w.pages)));
        out.extend_from_slice(&w.bytes);
        ok(Encoder::new(&mut out).array(0));
    }
    out
}

/// Filter → value → pages, all sorted.
fn filters(entries: &[Entry<'_>]) -> BTreeMap<String, BTreeMap<String, Vec<u64>>> {
    let mut out: BTreeMap<String, BTreeMap<String, Vec<u64>>> = BTreeMap::new();
    for (page, e) in entries.iter().enumerate() {
        for (filter, values) in &e.filters {
            for v in values {
                out.entry((*filter).to_owned())
                    .or_default()
                    .entry(v.clone())
                    .or_default()
                    .push(page as u64);
            }
        }
    }
    out
}

/// `FilterIndex { filter, values: [PackedValue { value, pages }] }`.
fn encode_filter(filter: &str, values: &BTreeMap<String, Vec<u64>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = Encoder::new(&mut out);
    ok(e.array(2)
        .and_then(|e| e.str(filter))
        .and_then(|e| e.array(values.len() as u64)));
    for (value, pages) in values {
        ok(e.array(2)
            .and_then(|e| e.str(value))
            .and_then(|e| e.array(pages.len() as u64)));
        for p in pages {
            ok(e.u64(*p));
        }
    }
    out
}

/// `MetaIndex { version, pages, index_chunks, filters, sorts, meta_fields }`.
fn encode_meta(
    pages: &[(&str, u32)],
    chunks: &[(String, String, String)],
    filters: &[(String, String)],
    meta_fields: &[&str],
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = Encoder::new(&mut out);
    ok(e.array(6)
        .and_then(|e| e.str(PAGEFIND_VERSION))
        .and_then(|e| e.array(pages.len() as u64)));
    for (hash, words) in pages {
        ok(e.array(3)
            .and_then(|e| e.str(hash))
            .and_then(|e| e.u32(*words))
            .and_then(|e| e.str("")));
    }
    ok(e.array(chunks.len() as u64));
    for (from, to, hash) in chunks {
        ok(e.array(3)
            .and_then(|e| e.str(from))
            .and_then(|e| e.str(to))
            .and_then(|e| e.str(hash)));
    }
    ok(e.array(filters.len() as u64));
    for (filter, hash) in filters {
        ok(e.array(2)
            .and_then(|e| e.str(filter))
            .and_then(|e| e.str(hash)));
    }
    ok(e.array(0).and_then(|e| e.array(meta_fields.len() as u64)));
    for f in meta_fields {
        ok(e.str(f));
    }
    out
}

#[cfg(test)]
mod tests {
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
        let inside =
            |t: &str, (from, to): &(String, String)| t >= from.as_str() && t <= to.as_str();
        assert!(inside("مادورو", &r[1]));
        assert!(!inside("مادورو", &r[0]) && !inside("مادورو", &r[2]));
    }

    #[test]
    fn names_are_short_and_unique() {
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
        let mut names = Names::new("ar");
        let a = names.name(0x1234_5678_9abc_def0);
        let b = names.name(0x1234_5678_9abc_def0);
        assert_eq!(a, "ar_1234567");
        assert_eq!(b, "ar_12345678");
    }
}

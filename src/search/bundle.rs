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
/// A stem past half a chunk's size ends its chunk when its hash is a multiple of this
/// ([`indexes::chunk`]).
const CUT_EVERY: u64 = 24;
/// Hex digits in a fragment's name, at least, as Pagefind names its own: each adds to
/// the meta index every search downloads (84 KB at 10,000 articles with 8, against
/// 53 KB for names numbered under one stamp). At 10,000 articles two fragments share
/// their first seven digits with a chance of about 1 in 5; the later of the two (oldest
/// first) then takes eight.
const FRAGMENT_NAME_HEX: usize = 7;
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

    let page_hashes = write_fragments(&mut entries, &mut names, &write, &mut out);

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

    write_meta(
        lang,
        &entries,
        &page_hashes,
        &chunk_meta,
        &filter_meta,
        engine,
        &mut names,
        &mut |path, bytes| emit(path, bytes, &mut out),
    );
    if out.problems.is_empty() {
        Ok(out.paths)
    } else {
        Err(out.problems)
    }
}

/// Writes every article's fragment (its text compressed at parse time, then its
/// metadata); returns their names, in the entries' order.
fn write_fragments<W>(
    entries: &mut [Entry<'_>],
    names: &mut Names,
    write: &W,
    out: &mut Written,
) -> Vec<String>
where
    W: Fn(&str, &[u8]) -> Result<(), Diagnostic> + Sync,
{
    // Fragments: the article text compressed at parse time, then its metadata. Each is
    // named by a hash of its own content (the text's hash and the metadata), so a
    // rebuild gives an unchanged article's fragment the same name and the same bytes,
    // and a deployment uploads only the fragments of the articles that changed. (Names
    // numbered under a stamp of every fragment made the meta index, which every search
    // downloads, a third of the size at 10,000 articles, but renamed every fragment
    // whenever any article changed.)
    let page_hashes: Vec<String> = entries
        .iter()
        .map(|e| {
            let mut h = Xxh3::new();
            h.update(&e.doc.text_hash.to_le_bytes());
            h.update(&e.start);
            names.name_at_least(h.digest(), FRAGMENT_NAME_HEX)
        })
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
    page_hashes
}

/// Writes the meta index, loaded first by every search, and the entry point naming it,
/// then the engine's files.
#[allow(clippy::too_many_arguments)]
fn write_meta(
    lang: &str,
    entries: &[Entry<'_>],
    page_hashes: &[String],
    chunk_meta: &[(String, String, String)],
    filter_meta: &[(String, String)],
    engine: &Engine,
    names: &mut Names,
    emit: &mut dyn FnMut(String, &[u8]),
) {
    let mut meta_fields: Vec<&str> = entries
        .iter()
        .flat_map(|e| e.meta.keys().copied())
        .collect();
    meta_fields.sort_unstable();
    meta_fields.dedup();
    let pages: Vec<(&str, u32)> = page_hashes
        .iter()
        .zip(entries)
        .map(|(h, e)| (h.as_str(), e.doc.word_count))
        .collect();
    let raw = encode_meta(&pages, chunk_meta, filter_meta, &meta_fields);
    let meta_hash = names.name(xxhash_rust::xxh3::xxh3_64(&raw));
    let gz = crate::search::gzip::compress(SIGNATURE, &raw, INDEX_LEVEL);
    emit(format!("{DIR}/pagefind.{meta_hash}.pf_meta"), &gz);
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
    );
    for (name, bytes) in &engine.files {
        emit(format!("{DIR}/{name}"), bytes);
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
        self.name_at_least(hash, 7)
    }

    /// A name of at least `digits` hex digits of `hash`, more if a file of this bundle
    /// already has it.
    fn name_at_least(&mut self, hash: u64, digits: usize) -> String {
        let hex = format!("{hash:016x}");
        for len in digits..=16 {
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

mod indexes;

use indexes::*;

#[cfg(test)]
mod tests;

//! The word, filter and meta indexes of the bundle: every document inverted into
//! postings per stem (with the body positions each may keep), cut into chunks, and
//! encoded in CBOR as Pagefind's WebAssembly reads them.

use super::*;

/// One stem's postings, CBOR-encoded as Pagefind's `PackedPage`s, in page order.
pub(super) struct Postings {
    pub(super) word: String,
    pub(super) pages: u64,
    /// Pagefind's measure of a chunk's size: positions plus one per page.
    pub(super) units: usize,
    pub(super) last_page: u64,
    pub(super) bytes: Vec<u8>,
}

/// Inverts every document into postings per stem.
pub(super) fn postings(
    entries: &mut [Entry<'_>],
    vocabulary: &Vocabulary,
    language: &str,
) -> Vec<Postings> {
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
pub(super) fn body_position_caps(entries: &[Entry<'_>], stem_of: &[u32], stems: usize) -> Vec<u8> {
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
pub(super) struct PagePostings {
    pub(super) items: Vec<(u32, u32, u32)>,
    pub(super) bytes: Vec<u8>,
}

/// One page's postings. Locs are grouped by weight and delta-encoded within a group; a
/// negative number `-w - 1` switches to weight `w` and is followed by an absolute
/// position (Pagefind's packing).
pub(super) fn page_postings(doc: &Document, stem_of: &[u32], caps: &[u8]) -> PagePostings {
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
pub(super) fn ok<T>(r: Result<T, minicbor::encode::Error<std::convert::Infallible>>) {
    r.expect("CBOR into a Vec cannot fail");
}

/// Consecutive stems in chunks of about [`CHUNK_SIZE`] postings, cut where the words
/// themselves say: after a stem whose hash is a multiple of [`CUT_EVERY`] once the chunk
/// holds half of `CHUNK_SIZE` (or at twice it), and around a stem that fills a chunk on
/// its own. Cut by running size alone, one new article's postings moved every later
/// boundary, and so every later chunk's bytes: here a chunk changes only when its own
/// stems' postings do (or, rarely, when that moves a cut into the next chunk).
pub(super) fn chunk(words: Vec<Postings>) -> Vec<Vec<Postings>> {
    let mut chunks = Vec::new();
    let mut current = Vec::new();
    let mut size = 0;
    for w in words {
        if w.units >= CHUNK_SIZE && !current.is_empty() {
            chunks.push(std::mem::take(&mut current));
            size = 0;
        }
        size += w.units;
        let cut = w.units >= CHUNK_SIZE
            || size >= 2 * CHUNK_SIZE
            || (size >= CHUNK_SIZE / 2
                && xxhash_rust::xxh3::xxh3_64(w.word.as_bytes()).is_multiple_of(CUT_EVERY));
        current.push(w);
        if cut {
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
pub(super) fn chunk_ranges(chunks: &[Vec<Postings>]) -> Vec<(String, String)> {
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
pub(super) fn encode_chunk(words: &[Postings]) -> Vec<u8> {
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
pub(super) fn filters(entries: &[Entry<'_>]) -> BTreeMap<String, BTreeMap<String, Vec<u64>>> {
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
pub(super) fn encode_filter(filter: &str, values: &BTreeMap<String, Vec<u64>>) -> Vec<u8> {
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
pub(super) fn encode_meta(
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

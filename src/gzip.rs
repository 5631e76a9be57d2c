//! Bytes → gzip, in parts compressed at different times and joined into one gzip member.
//!
//! A search fragment is mostly the article's text, known when the article is parsed, and
//! a little metadata (localized date, term names) known only once the site is assembled.
//! Keeping every article's text until then would cost more memory than the build may use,
//! so the text is compressed while it is parsed and the tail is compressed later. The
//! parts join the way pigz joins its parallel blocks: every part but the last ends with a
//! sync flush (an empty stored block, so the next part starts on a byte boundary and no
//! block is marked final), and the gzip trailer's CRC-32 is continued across the parts.

use flate2::{Compress, Compression, FlushCompress};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The start of a gzip stream: raw deflate data that does not end the stream.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Head {
    deflate: Deflate,
    crc: u32,
    len: u64,
}

/// Where a head's compressed bytes are.
#[derive(Clone)]
enum Deflate {
    Memory(Vec<u8>),
    /// In a [`Spill`] file, at an offset, this many bytes.
    Spilled(Arc<Spill>, u64, usize),
}

impl Default for Deflate {
    fn default() -> Deflate {
        Deflate::Memory(Vec::new())
    }
}

impl PartialEq for Deflate {
    fn eq(&self, other: &Deflate) -> bool {
        match (self, other) {
            (Deflate::Memory(a), Deflate::Memory(b)) => a == b,
            (Deflate::Spilled(f, at, n), Deflate::Spilled(g, bt, m)) => {
                Arc::ptr_eq(f, g) && at == bt && n == m
            }
            _ => false,
        }
    }
}

impl Eq for Deflate {}

impl Deflate {
    fn len(&self) -> usize {
        match self {
            Deflate::Memory(v) => v.len(),
            Deflate::Spilled(_, _, n) => *n,
        }
    }
}

/// An unnamed temporary file (removed by the system when the build ends, however it
/// ends) that holds compressed heads until they are written out: at 100,000 articles
/// the search fragments' text is 300 MB compressed, which a build need not hold in
/// memory between parsing and writing.
pub struct Spill {
    file: std::fs::File,
    end: AtomicU64,
}

impl Spill {
    pub fn new() -> std::io::Result<Spill> {
        Ok(Spill {
            file: tempfile::tempfile()?,
            end: AtomicU64::new(0),
        })
    }

    /// Appends `bytes` (from any thread); returns their offset.
    fn put(&self, bytes: &[u8]) -> std::io::Result<u64> {
        let at = self.end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        self.file.write_all_at(bytes, at)?;
        Ok(at)
    }

    fn get(&self, at: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let mut out = vec![0; len];
        self.file.read_exact_at(&mut out, at)?;
        Ok(out)
    }
}

impl std::fmt::Debug for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "gzip::Head({} bytes of {})",
            self.deflate.len(),
            self.len
        )
    }
}

/// The fixed gzip header: deflate, no name, no time, unknown OS (as flate2 writes it).
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

impl Head {
    /// Compresses `data` as the first part of a stream.
    pub fn new(data: &[u8], level: u32) -> Head {
        Head::new_in(data, level, None)
    }

    /// [`Head::new`], keeping the compressed bytes in `spill` when given one (in memory
    /// if writing there fails: a full temporary folder only costs memory).
    pub fn new_in(data: &[u8], level: u32, spill: Option<&Arc<Spill>>) -> Head {
        let bytes = deflate(data, level, FlushCompress::Sync);
        let deflate = match spill.map(|s| (s, s.put(&bytes))) {
            Some((s, Ok(at))) => Deflate::Spilled(Arc::clone(s), at, bytes.len()),
            _ => Deflate::Memory(bytes),
        };
        let mut crc = crc32fast::Hasher::new();
        crc.update(data);
        Head {
            deflate,
            crc: crc.finalize(),
            len: data.len() as u64,
        }
    }

    /// Whether the compressed bytes wait in a [`Spill`] file.
    #[cfg(test)]
    pub fn is_spilled(&self) -> bool {
        matches!(self.deflate, Deflate::Spilled(..))
    }

    /// Compressed size.
    pub fn compressed_len(&self) -> usize {
        self.deflate.len()
    }

    /// The complete gzip file of this head followed by `tail`, which is stored as it is
    /// (it is short: compressing it saves less than starting a compressor costs). Fails
    /// only if a spilled head cannot be read back.
    pub fn finish(&self, tail: &[u8]) -> std::io::Result<Vec<u8>> {
        let spilled;
        let deflate = match &self.deflate {
            Deflate::Memory(v) => v.as_slice(),
            Deflate::Spilled(file, at, n) => {
                spilled = file.get(*at, *n)?;
                spilled.as_slice()
            }
        };
        let rest = stored(tail);
        let mut crc = crc32fast::Hasher::new_with_initial_len(self.crc, self.len);
        crc.update(tail);
        let total = self.len + tail.len() as u64;
        let mut out = Vec::with_capacity(HEADER.len() + deflate.len() + rest.len() + 8);
        out.extend_from_slice(&HEADER);
        out.extend_from_slice(deflate);
        out.extend_from_slice(&rest);
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        // ISIZE is the length modulo 2^32.
        out.extend_from_slice(&(total as u32).to_le_bytes());
        Ok(out)
    }
}

/// One complete gzip file.
pub fn compress(data: &[u8], level: u32) -> Vec<u8> {
    let body = deflate(data, level, FlushCompress::Finish);
    let mut out = Vec::with_capacity(HEADER.len() + body.len() + 8);
    out.extend_from_slice(&HEADER);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// `data` as final stored (uncompressed) deflate blocks, each at most 65,535 bytes.
fn stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 5 * (data.len() / 65_535 + 1));
    let mut blocks = data.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        // BFINAL on the last block, BTYPE 00; the header ends on a byte boundary because
        // the part before ended with a sync flush.
        out.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

thread_local! {
    /// One compressor per thread and level, reset between uses. Allocating zlib's state
    /// (hundreds of KB) afresh for each of 10,000 small fragments, with every compressed
    /// fragment kept, fragmented the heap to 2.5 GB.
    static COMPRESSORS: std::cell::RefCell<Vec<(u32, Compress)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Raw deflate of `data`, ended with `flush` (`Sync`: more parts follow; `Finish`: last).
fn deflate(data: &[u8], level: u32, flush: FlushCompress) -> Vec<u8> {
    COMPRESSORS.with_borrow_mut(|cache| {
        let i = match cache.iter().position(|(l, _)| *l == level) {
            Some(i) => i,
            None => {
                cache.push((level, Compress::new(Compression::new(level), false)));
                cache.len() - 1
            }
        };
        let c = &mut cache[i].1;
        c.reset();
        let mut out = deflate_with(c, data, flush);
        out.shrink_to_fit();
        out
    })
}

fn deflate_with(c: &mut Compress, data: &[u8], flush: FlushCompress) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3 + 64);
    loop {
        let consumed = c.total_in() as usize;
        // Compressing into a Vec only fails on a corrupt state, which cannot happen here.
        let status = c
            .compress_vec(&data[consumed..], &mut out, flush)
            .expect("deflate into memory");
        let done = c.total_in() as usize == data.len()
            && match flush {
                FlushCompress::Finish => status == flate2::Status::StreamEnd,
                // A sync flush is complete when it left spare room in the buffer.
                _ => out.len() < out.capacity(),
            };
        if done {
            return out;
        }
        out.reserve(out.capacity().max(64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn parts_join_into_one_stream() {
        let head_text = "pagefind_dcd{\"content\":\"".to_owned() + &"نص عربي طويل ".repeat(500);
        let head = Head::new(head_text.as_bytes(), 4);
        let gz = head.finish(b"\",\"meta\":{}}").unwrap();
        let expected = head_text.clone() + "\",\"meta\":{}}";
        assert_eq!(gunzip(&gz), expected.as_bytes());
        // The same, with the head kept in a spill file among others.
        let spill = Arc::new(Spill::new().unwrap());
        let before = Head::new_in(b"other", 1, Some(&spill));
        let spilled = Head::new_in(head_text.as_bytes(), 4, Some(&spill));
        assert!(matches!(spilled.deflate, Deflate::Spilled(_, at, _) if at > 0));
        assert_eq!(spilled.finish(b"\",\"meta\":{}}").unwrap(), gz);
        assert_eq!(gunzip(&before.finish(b"").unwrap()), b"other");
    }

    #[test]
    fn empty_parts_and_large_parts() {
        assert_eq!(gunzip(&compress(b"", 6)), b"");
        assert_eq!(gunzip(&Head::new(b"", 1).finish(b"x").unwrap()), b"x");
        assert_eq!(gunzip(&compress(b"abcabc", 1)), b"abcabc");
        // Larger than any internal buffer, and incompressible.
        let big: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        assert_eq!(
            gunzip(&Head::new(&big, 4).finish(&big).unwrap()).len(),
            600_000
        );
    }
}

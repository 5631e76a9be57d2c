//! Bytes → gzip, in parts compressed at different times and joined into one gzip member.
//!
//! A search fragment is mostly the article's text, known when the article is parsed, and
//! a little metadata (localized date, term names) known only once the site is assembled.
//! Keeping every article's text until then would cost more memory than the build may use,
//! so the text is compressed while it is parsed and the tail is compressed later. The
//! parts join the way pigz joins its parallel blocks: every part but the last ends with a
//! sync flush (an empty stored block, so the next part starts on a byte boundary and no
//! block is marked final), and the gzip trailer's CRC-32 is continued across the parts.

use crate::spill::{Kept, Store};
use flate2::{Compress, Compression, FlushCompress};

/// The start of a gzip stream: raw deflate data that does not end the stream.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Head {
    /// The compressed bytes, in memory or in a build's temporary file.
    deflate: Kept,
    crc: u32,
    len: u64,
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
        Head::new_in(data, level, &Store::memory())
    }

    /// [`Head::new`], keeping the compressed bytes in `store`.
    pub fn new_in(data: &[u8], level: u32, store: &Store) -> Head {
        let deflate = store.keep(deflate(data, level, FlushCompress::Sync));
        let mut crc = crc32fast::Hasher::new();
        crc.update(data);
        Head {
            deflate,
            crc: crc.finalize(),
            len: data.len() as u64,
        }
    }

    /// Whether the compressed bytes wait in a temporary file.
    #[cfg(test)]
    pub fn is_spilled(&self) -> bool {
        self.deflate.is_spilled()
    }

    /// Compressed size.
    pub fn compressed_len(&self) -> usize {
        self.deflate.len()
    }

    /// The complete gzip file of this head followed by `tail`, which is stored as it is
    /// (it is short: compressing it saves less than starting a compressor costs). Fails
    /// only if a spilled head cannot be read back.
    pub fn finish(&self, tail: &[u8]) -> std::io::Result<Vec<u8>> {
        let deflate = self.deflate.bytes()?;
        let rest = stored(tail);
        let mut crc = crc32fast::Hasher::new_with_initial_len(self.crc, self.len);
        crc.update(tail);
        let total = self.len + tail.len() as u64;
        let mut out = Vec::with_capacity(HEADER.len() + deflate.len() + rest.len() + 8);
        out.extend_from_slice(&HEADER);
        out.extend_from_slice(&deflate);
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
        let store = Store::temporary();
        let before = Head::new_in(b"other", 1, &store);
        let spilled = Head::new_in(head_text.as_bytes(), 4, &store);
        assert!(spilled.is_spilled());
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

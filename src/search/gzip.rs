//! Bytes → gzip, in parts compressed at different times and joined into one gzip member.
//!
//! A search fragment is mostly the article's text, known when the article is parsed, and
//! a little metadata (localized date, term names) known only once the site is assembled.
//! Keeping every article's text until then would cost more memory than the build may use,
//! so the text is compressed while it is parsed, as the end of the stream
//! ([`Ending`]), and the metadata is put before it later, uncompressed (stored deflate
//! blocks, not marked final; they end on a byte boundary, where the compressed text's
//! blocks begin). The gzip trailer's CRC-32 is combined from the two parts'.
//!
//! Compression is libdeflate's: it compresses a whole buffer at once, which is all this
//! needs, and its level 1 builds Huffman codes for each block where zlib's level 1 uses
//! the fixed ones, which fit Arabic UTF-8 badly. On the fragments of a 10,000-article
//! archive libdeflate's level 1 made 0.29 of the raw size instead of zlib-rs's 0.43
//! (Pagefind itself compresses at zlib's best level), for about 1.5× the CPU time: the
//! full theme's build took about 2.5% longer, and the fragments a page of results
//! downloads are 29% smaller.
//! The index chunks are compressed at level 1 too ([`crate::search::bundle`] says why).

use crate::basics::spill::{Kept, Store};
use libdeflater::{CompressionLvl, Compressor};

/// The end of a gzip stream: raw deflate data whose last block is final, waiting for
/// what goes before it ([`Ending::behind`]).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Ending {
    /// The compressed bytes, in memory or in a build's temporary file.
    deflate: Kept,
    crc: u32,
    len: u64,
}

impl std::fmt::Debug for Ending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "gzip::Ending({} bytes of {})",
            self.deflate.len(),
            self.len
        )
    }
}

/// The fixed gzip header: deflate, no name, no time, unknown OS (as flate2 writes it).
const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

impl Ending {
    /// Compresses `data` as the end of a stream.
    pub fn new(data: &[u8], level: u32) -> Ending {
        Ending::new_in(data, level, &Store::memory())
    }

    /// [`Ending::new`], keeping the compressed bytes in `store`.
    pub fn new_in(data: &[u8], level: u32, store: &Store) -> Ending {
        Ending {
            deflate: store.keep(deflate(data, level)),
            crc: crc32fast::hash(data),
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

    /// The complete gzip file of `start` followed by this ending. `start` is stored as
    /// it is (it is short: compressing it saves less than starting a compressor costs).
    /// Fails only if a spilled ending cannot be read back.
    pub fn behind(&self, start: &[u8]) -> std::io::Result<Vec<u8>> {
        let deflate = self.deflate.bytes()?;
        let mut crc = crc32fast::Hasher::new();
        crc.update(start);
        crc.combine(&crc32fast::Hasher::new_with_initial_len(self.crc, self.len));
        let total = start.len() as u64 + self.len;
        let mut out = Vec::with_capacity(HEADER.len() + stored_len(start) + deflate.len() + 8);
        out.extend_from_slice(&HEADER);
        store_not_final(&mut out, start);
        out.extend_from_slice(&deflate);
        out.extend_from_slice(&crc.finalize().to_le_bytes());
        // ISIZE is the length modulo 2^32.
        out.extend_from_slice(&(total as u32).to_le_bytes());
        Ok(out)
    }
}

/// One complete gzip file: `start` stored as it is, then `data` compressed (a short
/// signature before a large body needs no copy of the body to join them).
pub fn compress(start: &[u8], data: &[u8], level: u32) -> Vec<u8> {
    Ending::new(data, level)
        .behind(start)
        .expect("an ending in memory is read back")
}

/// The bytes [`store_not_final`] writes for `data`.
fn stored_len(data: &[u8]) -> usize {
    data.len() + 5 * data.len().div_ceil(65_535)
}

/// `data` as stored (uncompressed) deflate blocks of at most 65,535 bytes, none final:
/// each starts on a byte boundary (BFINAL 0, BTYPE 00, padding), so what follows them
/// starts on one too.
fn store_not_final(out: &mut Vec<u8>, data: &[u8]) {
    for block in data.chunks(65_535) {
        out.push(0);
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
}

thread_local! {
    /// One compressor per thread and level. Allocating a compressor's state (hundreds of
    /// KB) afresh for each of 10,000 small fragments, with every compressed fragment
    /// kept, fragmented the heap to 2.5 GB.
    static COMPRESSORS: std::cell::RefCell<Vec<(u32, Compressor)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Raw deflate of `data`, its last block final. `level` is libdeflate's, 0 to 12
/// (higher values are taken as 12).
fn deflate(data: &[u8], level: u32) -> Vec<u8> {
    let level = level.min(12);
    COMPRESSORS.with_borrow_mut(|cache| {
        let i = match cache.iter().position(|(l, _)| *l == level) {
            Some(i) => i,
            None => {
                let lvl = CompressionLvl::new(level as i32).expect("levels 0 to 12 exist");
                cache.push((level, Compressor::new(lvl)));
                cache.len() - 1
            }
        };
        let c = &mut cache[i].1;
        let mut out = vec![0; c.deflate_compress_bound(data.len())];
        // The buffer is as large as libdeflate says any output of this input can be.
        let len = c
            .deflate_compress(data, &mut out)
            .expect("output buffer of the bound's size");
        out.truncate(len);
        out.shrink_to_fit();
        out
    })
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
        let text =
            "\"url\":\"/a/\",\"content\":\"".to_owned() + &"نص عربي طويل ".repeat(500) + "\"}";
        let start = b"pagefind_dcd{\"meta\":{},";
        let ending = Ending::new(text.as_bytes(), 1);
        let gz = ending.behind(start).unwrap();
        let expected = [start.as_slice(), text.as_bytes()].concat();
        assert_eq!(gunzip(&gz), expected);
        // The text is compressed (libdeflate's level 1 builds codes for Arabic UTF-8).
        assert!(
            ending.compressed_len() * 10 < text.len(),
            "{}",
            ending.compressed_len()
        );
        // The same, with the ending kept in a spill file among others.
        let store = Store::temporary();
        let before = Ending::new_in(b"other", 1, &store);
        let spilled = Ending::new_in(text.as_bytes(), 1, &store);
        assert!(spilled.is_spilled());
        assert_eq!(spilled.behind(start).unwrap(), gz);
        assert_eq!(gunzip(&before.behind(b"").unwrap()), b"other");
    }

    #[test]
    fn empty_parts_and_large_parts() {
        assert_eq!(gunzip(&compress(b"", b"", 6)), b"");
        assert_eq!(gunzip(&Ending::new(b"", 1).behind(b"x").unwrap()), b"x");
        assert_eq!(gunzip(&compress(b"", b"abcabc", 1)), b"abcabc");
        assert_eq!(gunzip(&compress(b"sig", b"abcabc", 1)), b"sigabcabc");
        // Larger than a stored block and than any internal buffer, and incompressible.
        let big: Vec<u8> = (0..300_000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        let joined = gunzip(&Ending::new(&big, 4).behind(&big).unwrap());
        assert_eq!(joined, [big.as_slice(), big.as_slice()].concat());
        // The trailer's length is modulo 2^32 and the CRC covers both parts: a wrong one
        // fails the decoder, which checks both.
        let mut gz = Ending::new(b"abc", 1).behind(b"xyz").unwrap();
        let n = gz.len();
        gz[n - 8] ^= 1;
        let mut out = Vec::new();
        assert!(flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_end(&mut out)
            .is_err());
    }
}

//! Bytes a build makes early and writes late, kept out of memory in between.
//!
//! A one-off build parses every article before it writes any page (list pages, feeds and
//! neighbours need them all), and some of what parsing makes is needed only at writing:
//! each article's body HTML and its compressed search text. At 100,000 articles that is
//! gigabytes. A [`Store`] keeps such bytes in an unnamed temporary file (removed by the
//! system when the build ends, however it ends) and hands back a [`Kept`] to read them
//! with; the operating system's page cache, not the build's heap, holds them meanwhile.

use std::borrow::Cow;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// An unnamed temporary file that bytes are appended to from any thread.
struct Spill {
    file: std::fs::File,
    end: AtomicU64,
    /// One open chunk per rayon worker thread (by `rayon::current_thread_index`): small
    /// pieces are gathered and written a chunk at a time. Written piece by piece, ten
    /// thousand article bodies cost ten thousand `pwrite`s, which two threads make in
    /// turn (a file system writes one file under one lock).
    chunks: Box<[Mutex<Chunk>]>,
    /// Chunks the file could not take (a full disk): kept in memory instead.
    unwritable: Mutex<Vec<Chunk>>,
}

/// Pieces gathered for one place in the file: `bytes` go at `at` once written.
#[derive(Default)]
struct Chunk {
    at: u64,
    bytes: Vec<u8>,
}

impl Chunk {
    /// The `len` bytes at `at`, if they are in this chunk.
    fn slice(&self, at: u64, len: usize) -> Option<&[u8]> {
        let from = usize::try_from(at.checked_sub(self.at)?).ok()?;
        self.bytes.get(from..from.checked_add(len)?)
    }
}

/// Bytes a chunk reserves in the file (its unused end stays a hole).
const CHUNK_BYTES: usize = 1 << 20;
/// Pieces larger than this are written at once, not gathered.
const GATHERED_BYTES: usize = CHUNK_BYTES / 8;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Spill {
    fn new(file: std::fs::File) -> Spill {
        let workers = rayon::current_num_threads();
        Spill {
            file,
            end: AtomicU64::new(0),
            chunks: (0..workers).map(|_| Mutex::default()).collect(),
            unwritable: Mutex::default(),
        }
    }

    /// Appends `bytes`; returns their offset.
    fn put(&self, bytes: &[u8]) -> std::io::Result<u64> {
        let slot = rayon::current_thread_index().and_then(|i| self.chunks.get(i));
        let Some(slot) = slot.filter(|_| bytes.len() <= GATHERED_BYTES) else {
            let at = self.end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            self.file.write_all_at(bytes, at)?;
            return Ok(at);
        };
        let mut chunk = lock(slot);
        if chunk.bytes.capacity() == 0 || chunk.bytes.len() + bytes.len() > CHUNK_BYTES {
            self.write_out(&mut chunk);
            chunk.at = self.end.fetch_add(CHUNK_BYTES as u64, Ordering::Relaxed);
            chunk.bytes.reserve_exact(CHUNK_BYTES);
        }
        let at = chunk.at + chunk.bytes.len() as u64;
        chunk.bytes.extend_from_slice(bytes);
        Ok(at)
    }

    /// Writes a chunk's bytes to the file (or, if it cannot, keeps them in memory) and
    /// empties it.
    fn write_out(&self, chunk: &mut Chunk) {
        if chunk.bytes.is_empty() {
            return;
        }
        if self.file.write_all_at(&chunk.bytes, chunk.at).is_err() {
            lock(&self.unwritable).push(std::mem::take(chunk));
        }
        chunk.bytes.clear();
    }

    fn get(&self, at: u64, len: usize) -> std::io::Result<Vec<u8>> {
        // Bytes move only from a chunk to the file (or to `unwritable`), under the
        // chunk's lock: not found in a chunk, they are in one of the others.
        for slot in &*self.chunks {
            if let Some(bytes) = lock(slot).slice(at, len) {
                return Ok(bytes.to_vec());
            }
        }
        for chunk in lock(&self.unwritable).iter() {
            if let Some(bytes) = chunk.slice(at, len) {
                return Ok(bytes.to_vec());
            }
        }
        // Read into the vector's spare room: a zeroed buffer would be written twice.
        // `with_capacity` gives exactly `len`, so no read passes the kept bytes.
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            let offset = at + out.len() as u64;
            let read =
                rustix::io::pread(&self.file, rustix::buffer::spare_capacity(&mut out), offset)?;
            if read == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(out)
    }
}

/// Where [`Store::keep`] puts bytes: a temporary file, or memory ([`Store::memory`], or
/// when no temporary file could be made or written: a full temporary folder only costs
/// memory). Clones share the file and the limit.
#[derive(Clone, Default)]
pub struct Store {
    spill: Option<Arc<Spill>>,
    limit: Option<Arc<Limit>>,
}

/// The most bytes a store keeps through [`Store::try_keep`], and how many it was given.
struct Limit {
    most: u64,
    given: AtomicU64,
}

impl Store {
    /// Keeps bytes in memory (the dev server, whose pages live across rebuilds).
    pub fn memory() -> Store {
        Store::default()
    }

    /// Keeps bytes in a new temporary file, or in memory if none can be made.
    pub fn temporary() -> Store {
        Store {
            spill: tempfile::tempfile()
                .ok()
                .map(|file| Arc::new(Spill::new(file))),
            limit: None,
        }
    }

    /// [`Store::temporary`], keeping at most `most` bytes through [`Store::try_keep`].
    pub fn temporary_up_to(most: u64) -> Store {
        Store {
            limit: Some(Arc::new(Limit {
                most,
                given: AtomicU64::new(0),
            })),
            ..Store::temporary()
        }
    }

    pub fn keep(&self, bytes: Vec<u8>) -> Kept {
        match self.spill.as_ref().map(|s| (s, s.put(&bytes))) {
            Some((s, Ok(at))) => Kept(Place::Spilled(Arc::clone(s), at, bytes.len())),
            _ => Kept(Place::Memory(bytes)),
        }
    }

    /// Whether the store's limit is reached (then [`Store::try_keep`] keeps nothing).
    pub fn is_full(&self) -> bool {
        self.limit
            .as_ref()
            .is_some_and(|l| l.given.load(Ordering::Relaxed) >= l.most)
    }

    /// [`Store::keep`], unless that would pass the store's limit: then `None`, and the
    /// caller makes the bytes again when it needs them.
    pub fn try_keep(&self, bytes: Vec<u8>) -> Option<Kept> {
        if let Some(l) = &self.limit {
            let given = l.given.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            if given + bytes.len() as u64 > l.most {
                return None;
            }
        }
        Some(self.keep(bytes))
    }
}

/// Bytes given to a [`Store`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Kept(Place);

#[derive(Clone)]
enum Place {
    Memory(Vec<u8>),
    /// In a spill file, at an offset, this many bytes.
    Spilled(Arc<Spill>, u64, usize),
}

impl Default for Place {
    fn default() -> Place {
        Place::Memory(Vec::new())
    }
}

impl PartialEq for Place {
    fn eq(&self, other: &Place) -> bool {
        match (self, other) {
            (Place::Memory(a), Place::Memory(b)) => a == b,
            (Place::Spilled(f, at, n), Place::Spilled(g, bt, m)) => {
                Arc::ptr_eq(f, g) && at == bt && n == m
            }
            _ => false,
        }
    }
}

impl Eq for Place {}

impl Kept {
    pub fn len(&self) -> usize {
        match &self.0 {
            Place::Memory(v) => v.len(),
            Place::Spilled(_, _, n) => *n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the bytes wait in a temporary file.
    pub fn is_spilled(&self) -> bool {
        matches!(self.0, Place::Spilled(..))
    }

    /// The bytes (read back from the temporary file if they are there).
    pub fn bytes(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match &self.0 {
            Place::Memory(v) => Ok(Cow::Borrowed(v)),
            Place::Spilled(file, at, n) => file.get(*at, *n).map(Cow::Owned),
        }
    }
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = if self.is_spilled() {
            "spilled"
        } else {
            "in memory"
        };
        write!(f, "Kept({} bytes {place})", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_bytes_read_back_the_same_from_either_place() {
        let file = Store::temporary();
        let memory = Store::memory();
        let first = file.keep(b"first".to_vec());
        let text = "نص عربي ".repeat(1000).into_bytes();
        let spilled = file.keep(text.clone());
        let held = memory.keep(text.clone());
        assert!(first.is_spilled() && spilled.is_spilled());
        assert!(!held.is_spilled());
        assert_eq!(first.bytes().unwrap().as_ref(), b"first");
        assert_eq!(spilled.bytes().unwrap().as_ref(), text.as_slice());
        assert_eq!(held.bytes().unwrap().as_ref(), text.as_slice());
        assert_eq!(spilled.len(), text.len());
        // Bytes kept after others do not overwrite them.
        assert_eq!(first.bytes().unwrap().as_ref(), b"first");
        assert!(memory.keep(Vec::new()).is_empty());
    }

    #[test]
    fn a_limited_store_keeps_up_to_its_limit() {
        let store = Store::temporary_up_to(10);
        assert!(!store.is_full());
        let kept = store.try_keep(b"123456".to_vec()).unwrap();
        // Past the limit: nothing kept, and the store says it is full.
        assert!(store.try_keep(b"789012".to_vec()).is_none());
        assert!(store.is_full());
        assert!(store.try_keep(b"1".to_vec()).is_none());
        assert_eq!(kept.bytes().unwrap().as_ref(), b"123456");
        // A store without a limit keeps everything.
        assert!(Store::temporary().try_keep(vec![0; 100]).is_some());
    }

    /// Pieces gathered by rayon's threads into chunks: read back the same while still in
    /// a chunk, once written out, and (when the file cannot take them) from memory.
    #[test]
    fn gathered_pieces_read_back_wherever_they_are() {
        use rayon::prelude::*;
        let pieces: Vec<Vec<u8>> = (0..600u32)
            .map(|i| {
                // Sizes from 0 to past a gathered piece's limit, so some are written at once.
                let len = (i as usize * 7919) % (GATHERED_BYTES + GATHERED_BYTES / 2);
                (0..len).map(|j| (i as usize * 31 + j) as u8).collect()
            })
            .collect();
        let check = |spill: &Spill| {
            let placed: Vec<std::io::Result<u64>> =
                pieces.par_iter().map(|p| spill.put(p)).collect();
            let mut read = 0;
            for (piece, at) in pieces.iter().zip(&placed) {
                if let Ok(at) = at {
                    assert_eq!(&spill.get(*at, piece.len()).unwrap(), piece);
                    read += 1;
                }
            }
            read
        };
        let writable = Spill::new(tempfile::tempfile().unwrap());
        assert_eq!(check(&writable), pieces.len());
        // More than one chunk was written out, and some bytes still wait in a chunk.
        assert!(writable.end.load(Ordering::Relaxed) > 2 * CHUNK_BYTES as u64);
        assert!(writable.chunks.iter().any(|c| !lock(c).bytes.is_empty()));
        assert!(lock(&writable.unwritable).is_empty());

        // A file that takes no writes: pieces written at once fail (the store keeps them
        // in memory), gathered ones are read back from the chunks kept in memory.
        let path = tempfile::NamedTempFile::new().unwrap();
        let read_only = Spill::new(std::fs::File::open(path.path()).unwrap());
        let gathered = pieces.iter().filter(|p| p.len() <= GATHERED_BYTES).count();
        assert_eq!(check(&read_only), gathered);
        assert!(!lock(&read_only.unwritable).is_empty());
    }
}

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
use std::sync::Arc;

/// An unnamed temporary file that bytes are appended to from any thread.
struct Spill {
    file: std::fs::File,
    end: AtomicU64,
}

impl Spill {
    /// Appends `bytes`; returns their offset.
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

/// Where [`Store::keep`] puts bytes: a temporary file, or memory ([`Store::memory`], or
/// when no temporary file could be made or written: a full temporary folder only costs
/// memory). Clones share the file.
#[derive(Clone, Default)]
pub struct Store(Option<Arc<Spill>>);

impl Store {
    /// Keeps bytes in memory (the dev server, whose pages live across rebuilds).
    pub fn memory() -> Store {
        Store(None)
    }

    /// Keeps bytes in a new temporary file, or in memory if none can be made.
    pub fn temporary() -> Store {
        Store(tempfile::tempfile().ok().map(|file| {
            Arc::new(Spill {
                file,
                end: AtomicU64::new(0),
            })
        }))
    }

    pub fn keep(&self, bytes: Vec<u8>) -> Kept {
        match self.0.as_ref().map(|s| (s, s.put(&bytes))) {
            Some((s, Ok(at))) => Kept(Place::Spilled(Arc::clone(s), at, bytes.len())),
            _ => Kept(Place::Memory(bytes)),
        }
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
}

//! Integration tests: the real binary and library on fixture sites copied to temp dirs.

mod search;

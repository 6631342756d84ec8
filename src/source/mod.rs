//! Sources enumerate and read content to scan: files in a directory tree,
//! blobs in git history, staged changes. They produce bytes and say where
//! they came from.
//!
//! Sources never match: they know nothing about rules or the engine. The
//! pipeline hands what they read to the engine.

pub mod files;
pub mod git;
pub mod repo;
pub mod staged;

use std::path::PathBuf;

/// What `keyhound scan` was asked to read: a file or directory, or standard
/// input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanInput {
    Path(PathBuf),
    Stdin,
}

/// Why a piece of content was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Looks binary (a NUL byte in the first 8 KiB).
    Binary,
    /// Larger than the configured maximum size.
    TooLarge,
}

/// Bytes read from a source, ready to scan, or the reason they were skipped.
#[derive(Debug)]
pub enum Content {
    Text(Vec<u8>),
    Skipped(Skip),
}

/// How many leading bytes are inspected for a NUL to call content binary.
pub const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// Content with a NUL byte near its start is treated as binary, as git does.
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_SNIFF_LEN)]).is_some()
}

/// Applies the size and binary checks every source shares.
pub fn classify(data: Vec<u8>, max_size: u64) -> Content {
    match check(&data, max_size) {
        Some(skip) => Content::Skipped(skip),
        None => Content::Text(data),
    }
}

/// The size and binary checks of [`classify`] on borrowed bytes: why `data`
/// should not be scanned, if it should not.
pub fn check(data: &[u8], max_size: u64) -> Option<Skip> {
    if data.len() as u64 > max_size {
        Some(Skip::TooLarge)
    } else if is_binary(data) {
        Some(Skip::Binary)
    } else {
        None
    }
}

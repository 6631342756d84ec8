//! Sources enumerate and read content to scan: files in a directory tree,
//! blobs in git history, staged changes. They produce bytes and say where
//! they came from. Reading includes what it takes to get at the text:
//! UTF-16 is decoded ([`utf16`]) and archives and compressed files are
//! opened ([`container`]), each member handed on with its path.
//!
//! Sources never match: they know nothing about rules or the engine. The
//! pipeline hands what they read to the engine.

pub mod container;
pub mod files;
pub mod git;
pub mod repo;
pub mod staged;
pub mod utf16;

use std::borrow::Cow;
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
    /// Text (UTF-16 already decoded to UTF-8).
    Text(Vec<u8>),
    /// Binary content, kept because it may be a container
    /// ([`container::open`]); skipped as binary when it is not.
    Binary(Vec<u8>),
    Skipped(Skip),
}

/// Borrowed content, classified: text to scan (decoded from UTF-16 when it
/// was) or binary.
#[derive(Debug)]
pub enum View<'a> {
    Text(Cow<'a, [u8]>),
    Binary,
}

/// Whether `data` is text: as it is, or decoded from UTF-16. Content with
/// no NUL near its start is text and costs nothing more; only content that
/// looks binary is looked at for UTF-16.
pub fn view(data: &[u8]) -> View<'_> {
    if !is_binary(data) {
        View::Text(Cow::Borrowed(data))
    } else if let Some(text) = utf16::decode(data) {
        View::Text(Cow::Owned(text))
    } else {
        View::Binary
    }
}

/// How many leading bytes are inspected for a NUL to call content binary.
pub const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// Content with a NUL byte near its start is treated as binary, as git does.
pub fn is_binary(data: &[u8]) -> bool {
    memchr::memchr(0, &data[..data.len().min(BINARY_SNIFF_LEN)]).is_some()
}

/// Applies the size and text checks every source shares (see [`view`]).
pub fn classify(data: Vec<u8>, max_size: u64) -> Content {
    if data.len() as u64 > max_size {
        return Content::Skipped(Skip::TooLarge);
    }
    match view(&data) {
        View::Text(Cow::Borrowed(_)) => Content::Text(data),
        View::Text(Cow::Owned(text)) => Content::Text(text),
        View::Binary => Content::Binary(data),
    }
}

//! The hash of the word model's table, shared with build.rs (which builds
//! the table from `words.txt` at build time, so no run pays for it).
//!
//! A word is hashed lower-cased with 64-bit FNV-1a; its slot in the
//! open-addressing table is the hash's low bits, and the slot holds the
//! high 32 bits with the lowest set (0 marks an empty slot). The table
//! holds every word's prefixes of two letters or more too, so that a split
//! stops extending a piece as soon as no word starts that way; bit 1 says
//! whether the entry is a word. Must stay plain `core` code: build.rs
//! includes this file as it is.

pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x100_0000_01b3;

/// log2 of the table's slots: twice as many slots as entries (words and
/// their prefixes), at least.
pub const TABLE_BITS: u32 = 19;

/// The bit of an entry that says it is a word, not only a prefix of one.
pub const WORD_BIT: u32 = 2;

/// One more byte of a word into its hash (any case: hashed lower-cased).
#[inline]
pub fn step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(FNV_PRIME)
}

/// The slot a hash starts its probe at.
#[inline]
pub fn slot(h: u64) -> usize {
    (h as usize) & ((1 << TABLE_BITS) - 1)
}

/// What a slot holds for a hash (never 0), [`WORD_BIT`] aside.
#[inline]
pub fn tag(h: u64) -> u32 {
    ((h >> 32) as u32 & !WORD_BIT) | 1
}

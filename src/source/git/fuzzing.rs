//! Entry points for the fuzz targets (`fuzz/fuzz_targets/git_objects.rs`):
//! the byte parsers of `object` (commit and tag headers, tree entries),
//! `oid` (hex ids) and `pack_order` (pack `.idx` files), reached without a
//! repository. Thin wrappers only: no parsing of its own. Not part of
//! keyhound's interface, hence hidden from its documentation.

use std::cmp::Ordering;

use git2::Oid;

use super::object::{self, EntryKind};
use super::oid::{self, RawId};
use super::pack_order::PackIndex;

/// One tree entry as [`tree_entries`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry<'a> {
    pub mode: u32,
    pub name: &'a [u8],
    pub id: [u8; 20],
    /// Where the entry starts and where the next one does.
    pub start: usize,
    pub next: usize,
    /// `tree`, `blob` or `other`, from the mode.
    pub kind: &'static str,
}

/// The entries of a raw tree, read the way the history walk reads them:
/// from the start until the first malformed or missing entry.
pub fn tree_entries(data: &[u8]) -> Vec<TreeEntry<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some((mode, name, id, next)) = object::parse_entry(data, pos) {
        let kind = match EntryKind::of(mode) {
            EntryKind::Tree => "tree",
            EntryKind::Blob => "blob",
            EntryKind::Other => "other",
        };
        out.push(TreeEntry { mode, name, id: *id, start: pos, next, kind });
        pos = next;
    }
    out
}

/// The tree entry at `pos`: (mode, name, id, next position).
pub fn tree_entry_at(data: &[u8], pos: usize) -> Option<(u32, &[u8], [u8; 20], usize)> {
    object::parse_entry(data, pos).map(|(mode, name, id, next)| (mode, name, *id, next))
}

/// A raw tree's entries by name: (mode, id).
pub fn tree_entry_map(data: &[u8]) -> Vec<(&[u8], u32, [u8; 20])> {
    let mut v: Vec<_> = object::entry_map(data).into_iter().map(|(name, (mode, id))| (name, mode, *id)).collect();
    v.sort_unstable();
    v
}

/// The name of the `n`th entry of a raw tree.
pub fn nth_entry_name(data: &[u8], n: u32) -> Option<&[u8]> {
    object::nth_entry_name(data, n)
}

/// Git's tree entry order.
pub fn git_order(a: &[u8], a_mode: u32, b: &[u8], b_mode: u32) -> Ordering {
    object::git_order(a, a_mode, b, b_mode)
}

/// A commit's tree, parents and committer time, as the history walk reads
/// them.
pub fn parse_commit(data: &[u8]) -> Option<(Oid, Vec<Oid>, i64)> {
    object::parse_commit(data).map(|c| (c.tree, c.parents, c.time))
}

/// The target of an annotated tag.
pub fn parse_tag_target(data: &[u8]) -> Option<Oid> {
    object::parse_tag_target(data)
}

/// An id written as 40 hex digits.
pub fn parse_hex_oid(hex: &[u8]) -> Option<Oid> {
    oid::parse_hex_oid(hex)
}

/// A pack `.idx` file as the pack order reads it.
pub struct PackIdx(PackIndex);

impl PackIdx {
    /// `None` when the header or size is wrong.
    pub fn parse(data: Vec<u8>) -> Option<PackIdx> {
        PackIndex::parse(data).map(PackIdx)
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.0.n
    }

    pub fn is_empty(&self) -> bool {
        self.0.n == 0
    }

    /// The id of object `i` (below [`PackIdx::len`]).
    pub fn name(&self, i: usize) -> [u8; 20] {
        *self.0.name(i)
    }

    /// The pack offset of object `i` (below [`PackIdx::len`]).
    pub fn offset(&self, i: usize) -> u64 {
        self.0.offset(i)
    }

    /// Index of an object in this pack.
    pub fn find(&self, id: &[u8; 20]) -> Option<usize> {
        let id: &RawId = id;
        self.0.find(id)
    }
}

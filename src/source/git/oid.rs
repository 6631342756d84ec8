//! Object ids: the raw 20-byte form tree entries hold, conversions to and
//! from git2's `Oid`, hex parsing, and the hash sets and maps keyed by ids.
//!
//! Must not read objects or parse their contents (that is `object`): ids
//! only, no I/O.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use git2::Oid;

/// A hasher for object ids: they are already uniformly distributed, so the
/// first eight bytes are the hash.
#[derive(Default, Clone, Copy)]
pub struct OidHasher(u64);

impl Hasher for OidHasher {
    fn write(&mut self, bytes: &[u8]) {
        if let Some(head) = bytes.get(..8) {
            self.0 ^= u64::from_le_bytes(head.try_into().expect("eight bytes"));
        } else {
            for &b in bytes {
                self.0 = self.0.rotate_left(8) ^ u64::from(b);
            }
        }
    }

    fn write_usize(&mut self, _: usize) {}

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type OidSet = HashSet<Oid, BuildHasherDefault<OidHasher>>;
/// Raw object ids as tree entries hold them; comparing them is inlined,
/// unlike `Oid`'s (a libgit2 call), which matters in the tree walk.
pub(super) type RawId = [u8; 20];
pub(super) type IdSet = HashSet<RawId, BuildHasherDefault<OidHasher>>;
pub(super) type IdMap<V> = HashMap<RawId, V, BuildHasherDefault<OidHasher>>;
pub type OidMap<V> = HashMap<Oid, V, BuildHasherDefault<OidHasher>>;

pub(super) fn raw(oid: Oid) -> RawId {
    *oid.as_bytes().first_chunk().expect("20-byte id")
}

pub(super) fn oid_of(id: &RawId) -> Oid {
    Oid::from_bytes(id).expect("20-byte id")
}

/// An id written as 40 hex digits (in commit and tag headers, the shallow
/// file).
pub(super) fn parse_hex_oid(hex: &[u8]) -> Option<Oid> {
    if hex.len() != 40 {
        return None;
    }
    Oid::from_str(std::str::from_utf8(hex).ok()?).ok()
}

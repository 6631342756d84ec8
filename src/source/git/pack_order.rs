//! Pack order: reads the pack `.idx` files (version 2, offsets in its 64-bit
//! table included) of an object directory to sort object ids by where they
//! sit in the packs, so blobs are read in pack order (delta bases before the
//! deltas built on them, while libgit2's small delta-base cache still holds
//! them).
//!
//! Reads only `.idx` files and `info/alternates`, never an object: it knows
//! nothing of commits, trees or blob contents.

use std::path::{Path, PathBuf};

use git2::Oid;

use super::oid::{raw, RawId};

/// Below this many ids, [`read_order`] does not sort by pack.
const PACK_ORDER_MIN_BLOBS: usize = 256;

/// Indices into `ids` in the order that reads them fastest: by position in
/// the pack files of the object directory `objects`. A few ids (a pull
/// request's range) are read as listed: reading the pack indexes would cost
/// more than it saves.
pub(super) fn read_order(objects: &Path, ids: impl ExactSizeIterator<Item = Oid>) -> Vec<u32> {
    if ids.len() < PACK_ORDER_MIN_BLOBS {
        return (0..ids.len() as u32).collect();
    }
    pack_order(objects, ids)
}

/// Indices into `ids` sorted by pack position; loose objects first, in
/// the order given.
fn pack_order(objects: &Path, ids: impl Iterator<Item = Oid>) -> Vec<u32> {
    let packs = PackOrder::load(objects);
    let mut keyed: Vec<((u32, u64), u32)> =
        ids.enumerate().map(|(i, id)| (packs.position(&raw(id)), i as u32)).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// The repository's pack files, from their `.idx` files: where each object
/// sits.
struct PackOrder {
    packs: Vec<PackIndex>,
}

/// One pack's index, read whole.
pub(super) struct PackIndex {
    data: Vec<u8>,
    /// Number of objects.
    pub(super) n: usize,
}

const IDX_NAMES: usize = 8 + 256 * 4;

impl PackIndex {
    fn read(idx: &Path) -> Option<PackIndex> {
        PackIndex::parse(std::fs::read(idx).ok()?)
    }

    /// Checks an index's header and size: `None` unless it is a version 2
    /// index long enough for the object count its fan-out table gives.
    pub(super) fn parse(data: Vec<u8>) -> Option<PackIndex> {
        if data.len() < IDX_NAMES || data[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
            return None;
        }
        let n = u32::from_be_bytes(data[8 + 255 * 4..IDX_NAMES].try_into().ok()?) as usize;
        (data.len() >= IDX_NAMES + n * 28).then_some(PackIndex { data, n })
    }

    pub(super) fn name(&self, i: usize) -> &RawId {
        self.data[IDX_NAMES + i * 20..IDX_NAMES + i * 20 + 20].try_into().expect("20 bytes")
    }

    /// The 32-bit offset entry of object `i`: its offset, or (high bit
    /// set) its index in the 64-bit table that follows.
    fn raw_offset(&self, i: usize) -> u32 {
        let offsets = IDX_NAMES + self.n * 24;
        u32::from_be_bytes(self.data[offsets + i * 4..offsets + i * 4 + 4].try_into().expect("4 bytes"))
    }

    pub(super) fn offset(&self, i: usize) -> u64 {
        let offsets = IDX_NAMES + self.n * 24;
        let off = self.raw_offset(i);
        if off & 0x8000_0000 == 0 {
            u64::from(off)
        } else {
            let large = offsets + self.n * 4 + (off & 0x7fff_ffff) as usize * 8;
            self.data.get(large..large + 8).map_or(u64::MAX, |b| u64::from_be_bytes(b.try_into().expect("8 bytes")))
        }
    }

    /// Index of an object in this pack.
    pub(super) fn find(&self, id: &RawId) -> Option<usize> {
        let fan = |i: usize| u32::from_be_bytes(self.data[8 + i * 4..12 + i * 4].try_into().expect("4 bytes")) as usize;
        let lo = if id[0] == 0 { 0 } else { fan(usize::from(id[0]) - 1) };
        let (mut lo, mut hi) = (lo, fan(usize::from(id[0])).min(self.n));
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.name(mid).cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

impl PackOrder {
    /// Reads the pack indexes of an object directory and of the object
    /// directories it borrows from (`info/alternates`).
    fn load(objects: &Path) -> PackOrder {
        let mut dirs = vec![objects.to_path_buf()];
        if let Ok(alternates) = std::fs::read_to_string(objects.join("info").join("alternates")) {
            for line in alternates.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                let dir = Path::new(line);
                dirs.push(if dir.is_absolute() { dir.to_path_buf() } else { objects.join(dir) });
            }
        }
        let mut paths: Vec<PathBuf> = Vec::new();
        for dir in dirs {
            let mut here: Vec<PathBuf> = std::fs::read_dir(dir.join("pack"))
                .map(|d| {
                    d.filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                        .collect()
                })
                .unwrap_or_default();
            here.sort();
            paths.extend(here);
        }
        PackOrder { packs: paths.iter().filter_map(|p| PackIndex::read(p)).collect() }
    }

    /// (pack number, offset) of an object; loose objects sort first.
    fn position(&self, id: &RawId) -> (u32, u64) {
        for (k, pack) in self.packs.iter().enumerate() {
            if let Some(i) = pack.find(id) {
                return (k as u32 + 1, pack.offset(i));
            }
        }
        (0, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{enumerate, Fixture};
    use super::super::{Reader, Selection};
    use super::*;

    #[test]
    fn blobs_are_read_in_pack_order() {
        let mut f = Fixture::new();
        let mut tip = f.commit("main", &[("a", "v0"), ("b", "w0")], &[]);
        for i in 1..20 {
            tip = f.commit("main", &[("a", &format!("v{i}\n").repeat(50)), ("b", "w0")], &[tip]);
        }
        let git = f.open();
        let h = enumerate(&git, Selection::All);
        let ids = || h.blobs().iter().map(|b| b.oid());
        // Loose objects only: first-sighting order.
        let order = pack_order(&git.objects_dir(), ids());
        assert_eq!(order, (0..h.blobs().len() as u32).collect::<Vec<_>>());
        let repack =
            std::process::Command::new("git").arg("-C").arg(git.git_dir()).args(["repack", "-a", "-d", "-q"]).status();
        if !repack.is_ok_and(|s| s.success()) {
            return; // no git command line here
        }
        let packs = PackOrder::load(&git.objects_dir());
        let positions: Vec<(u32, u64)> = ids().map(|id| packs.position(&raw(id))).collect();
        assert!(positions.iter().all(|&(pack, off)| pack == 1 && off > 0), "{positions:?}");
        let order = pack_order(&git.objects_dir(), ids());
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..h.blobs().len() as u32).collect::<Vec<_>>());
        assert!(order.windows(2).all(|w| positions[w[0] as usize] < positions[w[1] as usize]));
        assert_eq!(packs.position(&[0u8; 20]), (0, 0));
    }

    /// Offsets in the 64-bit table of a version 2 index (packs over 2 GiB
    /// have them; `git index-pack --index-version=2,<offset>` puts every
    /// offset above `<offset>` there, so a small pack can too).
    #[test]
    fn large_offsets_are_read_from_the_64_bit_table() {
        let git = |dir: &Path, args: &[&str]| {
            std::process::Command::new("git").arg("-C").arg(dir).args(args).output().is_ok_and(|o| o.status.success())
        };
        let mut f = Fixture::new();
        let mut tip = f.commit("main", &[("a", "v0")], &[]);
        for i in 1..20 {
            tip = f.commit("main", &[("a", &format!("v{i}\n").repeat(50)), ("b", &format!("w{i}"))], &[tip]);
        }
        let repo = f.open();
        if !git(repo.git_dir(), &["repack", "-a", "-d", "-f", "-q"]) {
            return; // no git command line here
        }
        let h = enumerate(&repo, Selection::All);
        let ids: Vec<RawId> = h.blobs().iter().map(|b| raw(b.oid())).collect();
        let before = PackOrder::load(&repo.objects_dir());
        let idx = &before.packs[0];
        assert_eq!(before.packs.len(), 1);
        let large = |p: &PackIndex| (0..p.n).filter(|&i| p.raw_offset(i) & 0x8000_0000 != 0).count();
        assert_eq!(large(idx), 0, "a small pack's index has no 64-bit offsets");
        let want: Vec<(u32, u64)> = ids.iter().map(|id| before.position(id)).collect();

        let pack_dir = repo.objects_dir().join("pack");
        let pack = std::fs::read_dir(&pack_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "pack"))
            .unwrap();
        assert!(git(repo.git_dir(), &["index-pack", "--index-version=2,0x40", pack.to_str().unwrap()]));
        let after = PackOrder::load(&repo.objects_dir());
        let idx = &after.packs[0];
        // Every object past the first 64 bytes of the pack: most of them.
        assert!(large(idx) * 2 > idx.n, "{} of {} offsets in the 64-bit table", large(idx), idx.n);
        let got: Vec<(u32, u64)> = ids.iter().map(|id| after.position(id)).collect();
        assert_eq!(got, want, "the same offsets, read from the other table");
        assert!(got.iter().all(|&(pack, off)| pack == 1 && (12..u64::MAX).contains(&off)), "{got:?}");
        // libgit2 reads the objects through the re-written index too.
        let reader = Reader::open(repo.git_dir()).unwrap();
        for b in h.blobs() {
            assert!(reader.with_blob(b.oid(), u64::MAX, |d| d.len()).unwrap().is_ok());
        }
    }
}

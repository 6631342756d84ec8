//! The tree walk: visits the trees of commits in the order the graph gives
//! (oldest first), skipping trees already visited by id, and records the
//! first sighting of every blob (provenance: commit, parent tree record,
//! entry index; paths are built only on request). A commit's tree is
//! compared with its first parent's, so runs of unchanged entries are
//! skipped in one byte comparison; in a range, each tree is diffed against
//! every parent's, and what the range's base holds at any path is not new.
//! Recently read trees are cached.
//!
//! Every path a blob has had is recoverable too, for the few blobs that
//! matched ([`History::places`]): each tree record carries a hash of its
//! path, and the walk notes, compactly, a known blob met at a path other
//! than its first (a copy, a rename) and a known tree met at a path other
//! than its first (a copied or moved directory, whose blobs are listed from
//! its objects when asked). An entry unchanged from the parent's at the same
//! path is no new place, so skipping it loses nothing.
//!
//! Must not order commits (that is `graph`) or parse object bytes itself
//! (that is `object`); it knows nothing of rules, the engine or findings.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use git2::{ObjectType, Odb, OdbObject, Oid, Repository};

use super::checkpoint::{read_id, CheckpointError};
use super::object::{entry_map, git_order, nth_entry_name, parse_entry, EntryKind};
use super::oid::{oid_of, raw, IdMap, IdSet, RawId};
use super::{pack_order, read_kind, GitError, Warnings};
use crate::util::binary::{Decoder, Encoder};

pub(super) const NONE: u32 = u32::MAX;

/// One unique blob and where it was first seen.
#[derive(Debug, Clone, Copy)]
pub struct BlobEntry {
    oid: Oid,
    /// Index of the root (commit, oldest first) it was first seen in.
    root: u32,
    /// The tree record holding it, or [`NONE`] for a blob a ref points at.
    tree: u32,
    /// Its position among that tree's entries.
    entry: u32,
    /// Hash of the path it was first seen at (see [`path_hash`]).
    path: u64,
}

/// A blob seen again at a path other than its first, in a later root.
#[derive(Debug, Clone, Copy)]
struct Sighting {
    /// Index into [`History::blobs`].
    blob: u32,
    root: u32,
    tree: u32,
    entry: u32,
}

/// A tree seen again at a path other than its first: entry `entry` of tree
/// record `parent`, in root `root`. Everything in it has that path too.
#[derive(Debug, Clone, Copy)]
struct Placement {
    tree: RawId,
    root: u32,
    parent: u32,
    entry: u32,
}

/// One path a blob has had, and the first root (commit, oldest first) that
/// had it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Repository-relative, `/`-separated, exact bytes.
    pub path: Vec<u8>,
    pub order: u32,
}

/// A path, hashed as a chain: the hash of a directory's path and an entry
/// name give the entry's (FNV-1a, 64 bits). Root trees have [`ROOT_PATH`].
fn path_hash(dir: u64, name: &[u8]) -> u64 {
    let mut h = dir ^ 0x100_0000_01b3;
    for &b in name.iter().chain(b"/") {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    h
}

const ROOT_PATH: u64 = 0xcbf2_9ce4_8422_2325;

impl BlobEntry {
    pub fn oid(&self) -> Oid {
        self.oid
    }

    /// Position of the introducing commit in the walk: lower is older.
    pub fn order(&self) -> u32 {
        self.root
    }
}

/// A tree visited for the first time: where it hangs in its parent tree.
#[derive(Debug, Clone, Copy)]
struct TreeRec {
    oid: Oid,
    parent: u32,
    entry: u32,
    /// Hash of its path (see [`path_hash`]).
    path: u64,
}

/// Where blobs come from: commits (oldest first), then trees and blobs that
/// refs point at directly (e.g. a tag of a public key).
#[derive(Debug, Clone)]
pub(super) enum Root {
    Commit(Oid),
    Ref { name: String, target: Oid },
}

/// How long the walk took and what it saw.
#[derive(Debug, Default, Clone)]
pub struct WalkStats {
    /// Commits walked (in the selection).
    pub commits: usize,
    /// Commits read to find them (a range reads a few beyond it).
    pub loaded: usize,
    pub trees: usize,
    pub blobs: usize,
    pub load_ms: u128,
    pub walk_ms: u128,
    /// Commits whose trees a previous walk had walked (`--state`): not
    /// walked again.
    pub resumed: usize,
    /// Commits taken from a previous walk instead of read.
    pub reused_commits: usize,
}

/// The unique blobs of a history, in first-sighting order, and what is
/// needed to say where each first appeared.
#[derive(Debug, Default)]
pub struct History {
    blobs: Vec<BlobEntry>,
    /// Blob id to its index in `blobs`.
    seen_blobs: IdMap<u32>,
    /// Tree id to its record in `trees`.
    seen_trees: IdMap<u32>,
    trees: Vec<TreeRec>,
    /// Known blobs met again at another path.
    extra: Vec<Sighting>,
    /// Known trees met again at another path.
    placements: Vec<Placement>,
    pub(super) roots: Vec<Root>,
    /// In a range: what the commits it starts from hold (read on demand).
    base: Base,
    pub warnings: Warnings,
    pub stats: WalkStats,
}

/// In a range, the root trees of the commits outside it that commits in it
/// have as parents, and once a changed entry needs them, every tree and
/// blob they hold: a blob there (at any path) is not introduced by the
/// range, so a renamed, copied or moved file is not a new leak.
#[derive(Debug, Default)]
struct Base {
    roots: Vec<Oid>,
    read: bool,
    trees: IdSet,
    blobs: IdSet,
}

impl History {
    /// The unique blobs, oldest sighting first.
    pub fn blobs(&self) -> &[BlobEntry] {
        &self.blobs
    }

    /// Indices into [`History::blobs`] in the order that reads them
    /// fastest: by position in the pack files of the object directory
    /// `objects` (see [`GitRepo::objects_dir`](super::GitRepo::objects_dir)).
    /// A few blobs (a pull request's range) are read as listed: reading the
    /// pack indexes would cost more than it saves.
    pub fn read_order(&self, objects: &Path) -> Vec<u32> {
        pack_order::read_order(objects, self.blobs.iter().map(BlobEntry::oid))
    }

    /// [`History::read_order`] of some of the blobs (`subset`, indices into
    /// [`History::blobs`]): the same indices, in the order that reads them
    /// fastest.
    pub fn read_order_of(&self, objects: &Path, subset: &[u32]) -> Vec<u32> {
        let order = pack_order::read_order(objects, subset.iter().map(|&i| self.blobs[i as usize].oid));
        order.into_iter().map(|k| subset[k as usize]).collect()
    }

    /// Whether the walk saw this blob.
    pub fn contains(&self, oid: Oid) -> bool {
        self.seen_blobs.contains_key(&raw(oid))
    }

    /// Sets the root trees of the commits a range starts from (its
    /// commits' parents outside it); see [`Base`].
    pub(super) fn set_base(&mut self, roots: Vec<Oid>) {
        self.base = Base { roots, ..Base::default() };
    }

    /// Whether the range's base holds `id` (a tree when `tree`), reading
    /// the base's trees the first time (each unique tree once).
    fn in_base(&mut self, odb: &Odb<'_>, id: &RawId, tree: bool) -> bool {
        if !self.base.read {
            self.base.read = true;
            let mut work: Vec<Oid> = self.base.roots.clone();
            while let Some(oid) = work.pop() {
                if !self.base.trees.insert(raw(oid)) {
                    continue;
                }
                let obj = match read_kind(odb, oid, ObjectType::Tree, "tree") {
                    Ok(o) => o,
                    Err(e) => {
                        let w = format!("{e} in the range's base; what it holds may be reported as introduced");
                        self.warnings.object(e.is_missing(), w);
                        continue;
                    }
                };
                let mut pos = 0;
                while let Some((mode, _, id, next)) = parse_entry(obj.data(), pos) {
                    pos = next;
                    match EntryKind::of(mode) {
                        EntryKind::Blob => {
                            self.base.blobs.insert(*id);
                        }
                        EntryKind::Tree => {
                            if !self.base.trees.contains(id) {
                                work.push(oid_of(id));
                            }
                        }
                        EntryKind::Other => {}
                    }
                }
            }
        }
        if tree {
            self.base.trees.contains(id)
        } else {
            self.base.blobs.contains(id)
        }
    }

    /// In a range: the root trees its commits' parents outside it have.
    pub(super) fn base_roots(&self) -> &[Oid] {
        &self.base.roots
    }

    /// Trees visited so far.
    pub(super) fn tree_count(&self) -> usize {
        self.trees.len()
    }

    /// Records a tree first seen as entry `entry` (named `name`) of tree
    /// record `parent` ([`NONE`]: a root tree); returns its record.
    fn push_tree(&mut self, id: &RawId, parent: u32, entry: u32, name: &[u8]) -> u32 {
        let path = if parent == NONE { ROOT_PATH } else { path_hash(self.trees[parent as usize].path, name) };
        let rec = self.trees.len() as u32;
        self.seen_trees.insert(*id, rec);
        self.trees.push(TreeRec { oid: oid_of(id), parent, entry, path });
        rec
    }

    /// A tree seen before met as entry `entry` (named `name`) of tree
    /// record `parent`: noted when that is a new path for it.
    fn place_tree(&mut self, id: &RawId, first: u32, root: u32, parent: u32, entry: u32, name: &[u8]) {
        if self.trees[first as usize].path != path_hash(self.trees[parent as usize].path, name) {
            self.placements.push(Placement { tree: *id, root, parent, entry });
        }
    }

    /// A blob met as entry `entry` (named `name`) of tree record `tree` in
    /// `root` ([`NONE`] for a blob a ref points at): recorded when first
    /// seen, noted as a sighting when seen before at another path.
    pub(super) fn add_blob(&mut self, id: &RawId, root: u32, tree: u32, entry: u32, name: &[u8]) {
        let path = if tree == NONE { ROOT_PATH } else { path_hash(self.trees[tree as usize].path, name) };
        match self.seen_blobs.entry(*id) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(self.blobs.len() as u32);
                self.blobs.push(BlobEntry { oid: oid_of(id), root, tree, entry, path });
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                let blob = *o.get();
                if tree != NONE && self.blobs[blob as usize].path != path {
                    self.extra.push(Sighting { blob, root, tree, entry });
                }
            }
        }
    }

    fn commit_of(&self, root: u32) -> String {
        match &self.roots[root as usize] {
            Root::Commit(oid) => oid.to_string(),
            Root::Ref { name, .. } => name.clone(),
        }
    }

    /// Where blobs of order `order` (see [`BlobEntry::order`]) come from.
    pub(super) fn root(&self, order: u32) -> &Root {
        &self.roots[order as usize]
    }

    /// The repository-relative path (forward slashes) where `blob` was first
    /// seen. A blob a ref points at directly is named after the ref.
    pub(super) fn path_of(&self, repo: &Repository, blob: &BlobEntry) -> Result<String, GitError> {
        if blob.tree == NONE {
            return Ok(self.commit_of(blob.root));
        }
        let path = self.entry_path(&repo.odb()?, blob.tree, blob.entry)?;
        Ok(String::from_utf8_lossy(&path).into_owned())
    }

    /// Reads `tree` for walking; a missing tree is a warning naming where it
    /// was expected.
    fn read_tree<'o>(
        &mut self,
        odb: &'o Odb<'_>,
        cache: &mut TreeCache<'o>,
        tree: u32,
        root: u32,
    ) -> Option<Rc<CachedTree<'o>>> {
        let oid = self.trees[tree as usize].oid;
        match cache.get(odb, &raw(oid)) {
            Ok(obj) => Some(obj),
            Err(e) => {
                let at = self.tree_path(odb, tree).unwrap_or_default();
                let at = if at.is_empty() { String::new() } else { format!(" at {at}/") };
                let w = format!("{e}{at} in {}; its contents are not scanned", self.commit_of(root));
                self.warnings.object(e.is_missing(), w);
                None
            }
        }
    }

    /// Walks a root tree, descending only into trees not seen before; every
    /// blob seen for the first time is recorded with this root.
    ///
    /// `parent` is the root tree of a commit walked before (the first
    /// parent): all its blobs are already seen, so entries identical to the
    /// parent's at the same path are skipped by comparing bytes, and only
    /// changed entries are looked up. Same result as a plain walk, without
    /// a hash lookup per unchanged entry of every wide directory.
    pub(super) fn walk_root<'o>(
        &mut self,
        odb: &'o Odb<'_>,
        cache: &mut TreeCache<'o>,
        root: u32,
        tree: Oid,
        parent: Option<Oid>,
    ) {
        if parent == Some(tree) || self.seen_trees.contains_key(&raw(tree)) {
            return;
        }
        let rec = self.push_tree(&raw(tree), NONE, 0, b"");
        let Some(data) = self.read_tree(odb, cache, rec, root) else { return };
        let old = parent.and_then(|p| cache.get(odb, &raw(p)).ok()).map(|t| {
            let bounds = t.bounds();
            (t, bounds)
        });
        struct Frame<'o> {
            data: Rc<CachedTree<'o>>,
            rec: u32,
            pos: usize,
            entry: u32,
            /// Where this tree's entries start, collected for when it is
            /// the parent's version of a later commit's tree.
            bounds: Vec<u32>,
            /// The same directory in the parent and its entry starts.
            old: Option<(Rc<CachedTree<'o>>, Rc<[u32]>)>,
            /// Where the parent's next entry starts, and its index.
            opos: usize,
            oi: usize,
        }
        let frame = |data, rec, old| Frame { data, rec, pos: 0, entry: 0, bounds: Vec::new(), old, opos: 0, oi: 0 };
        let mut stack = vec![frame(data, rec, old)];
        'frames: while let Some(top) = stack.last_mut() {
            // Borrow the bytes once per visit, not once per entry (each
            // access is a libgit2 call).
            let (data, old) = (top.data.clone(), top.old.clone());
            let new = data.data();
            let old = old.as_ref().map(|(t, b)| (t.data(), &b[..]));
            let (rec, mut pos, mut opos, mut oi, mut entry) = (top.rec, top.pos, top.opos, top.oi, top.entry);
            let mut bounds = std::mem::take(&mut top.bounds);
            loop {
                let mut before: Option<(u32, &RawId)> = None;
                if let Some((old, ob)) = old {
                    // Skip the run of entries identical to the parent's in
                    // one comparison; their starts carry over from the
                    // parent's, shifted.
                    let limit = opos + common_prefix(&new[pos..], &old[opos..]);
                    let end = |j: usize| ob.get(j + 1).map_or(old.len(), |&b| b as usize);
                    let same = {
                        let (mut lo, mut hi) = (oi, ob.len());
                        while lo < hi {
                            let mid = (lo + hi) / 2;
                            if end(mid) <= limit {
                                lo = mid + 1;
                            } else {
                                hi = mid;
                            }
                        }
                        lo - oi
                    };
                    if same > 0 {
                        bounds.extend(ob[oi..oi + same].iter().map(|&b| (b as usize - opos + pos) as u32));
                        let step = end(oi + same - 1) - opos;
                        (pos, opos, oi, entry) = (pos + step, opos + step, oi + same, entry + same as u32);
                    }
                }
                let Some((mode, name, id, next)) = parse_entry(new, pos) else { break };
                bounds.push(pos as u32);
                let this = entry;
                entry += 1;
                if let Some((old, ob)) = old {
                    while oi < ob.len() {
                        let Some((omode, oname, oid, onext)) = parse_entry(old, opos) else { break };
                        match git_order(oname, omode, name, mode) {
                            std::cmp::Ordering::Less => (opos, oi) = (onext, oi + 1),
                            std::cmp::Ordering::Equal => {
                                before = Some((omode, oid));
                                (opos, oi) = (onext, oi + 1);
                                break;
                            }
                            std::cmp::Ordering::Greater => break,
                        }
                    }
                }
                pos = next;
                if before.is_some_and(|(_, o)| o == id) {
                    continue;
                }
                match EntryKind::of(mode) {
                    EntryKind::Blob => self.add_blob(id, root, rec, this, name),
                    EntryKind::Tree => {
                        if let Some(&first) = self.seen_trees.get(id) {
                            self.place_tree(id, first, root, rec, this, name);
                        } else {
                            let child_old = before
                                .filter(|(m, _)| EntryKind::of(*m) == EntryKind::Tree)
                                .and_then(|(_, o)| cache.get(odb, o).ok())
                                .map(|t| {
                                    let b = t.bounds();
                                    (t, b)
                                });
                            let child = self.push_tree(id, rec, this, name);
                            if let Some(data) = self.read_tree(odb, cache, child, root) {
                                let top = stack.last_mut().expect("current frame");
                                (top.pos, top.opos, top.oi, top.entry, top.bounds) = (pos, opos, oi, entry, bounds);
                                stack.push(frame(data, child, child_old));
                                continue 'frames;
                            }
                        }
                    }
                    EntryKind::Other => {}
                }
            }
            if pos == new.len() {
                data.set_bounds(bounds);
            }
            stack.pop();
        }
    }

    /// Records what `tree` has that differs from the same path in every one
    /// of `parents` (no parents: everything) and that the range's base (see
    /// [`Base`]) does not hold at any path. Trees already visited in this
    /// walk are skipped: their blobs were recorded, or were already present
    /// before the range; so are trees the base holds (a moved directory).
    pub(super) fn diff_root<'o>(
        &mut self,
        odb: &'o Odb<'_>,
        cache: &mut TreeCache<'o>,
        root: u32,
        tree: Oid,
        parents: Vec<Option<Oid>>,
    ) {
        if parents.contains(&Some(tree)) || self.seen_trees.contains_key(&raw(tree)) {
            return;
        }
        let rec = self.push_tree(&raw(tree), NONE, 0, b"");
        let mut work = vec![(rec, parents)];
        while let Some((rec, parents)) = work.pop() {
            let Some(obj) = self.read_tree(odb, cache, rec, root) else { continue };
            let parent_objs: Vec<Option<Rc<CachedTree<'_>>>> = parents
                .iter()
                .map(|p| {
                    let oid = (*p)?;
                    match cache.get(odb, &raw(oid)) {
                        Ok(o) => Some(o),
                        Err(e) => {
                            let w = format!("{e} (a parent's tree of {}); compared as empty", self.commit_of(root));
                            self.warnings.object(e.is_missing(), w);
                            None
                        }
                    }
                })
                .collect();
            let parent_maps: Vec<HashMap<&[u8], (u32, &RawId)>> =
                parent_objs.iter().map(|o| o.as_ref().map(|o| entry_map(o.data())).unwrap_or_default()).collect();
            let mut pos = 0;
            let mut entry = 0u32;
            while let Some((mode, name, id, next)) = parse_entry(obj.data(), pos) {
                pos = next;
                let this = entry;
                entry += 1;
                let before: Vec<Option<(u32, &RawId)>> = parent_maps.iter().map(|m| m.get(name).copied()).collect();
                if before.iter().any(|b| b.is_some_and(|(_, o)| o == id)) {
                    continue;
                }
                match EntryKind::of(mode) {
                    EntryKind::Blob => {
                        // Seen in the range: maybe a new path for it.
                        if self.seen_blobs.contains_key(id) || !self.in_base(odb, id, false) {
                            self.add_blob(id, root, rec, this, name)
                        }
                    }
                    EntryKind::Tree => {
                        if let Some(&first) = self.seen_trees.get(id) {
                            self.place_tree(id, first, root, rec, this, name);
                        } else if !self.in_base(odb, id, true) {
                            let child = self.push_tree(id, rec, this, name);
                            let sub = before
                                .iter()
                                .map(|b| {
                                    b.and_then(|(m, o)| (EntryKind::of(m) == EntryKind::Tree).then_some(oid_of(o)))
                                })
                                .collect();
                            work.push((child, sub));
                        }
                    }
                    EntryKind::Other => {}
                }
            }
        }
    }

    /// Every path each of `blobs` (indices into [`History::blobs`]) has had
    /// in the walked history, each with the first root that had it there
    /// (oldest first, then by path). Costs nothing for blobs never copied
    /// or moved; a moved directory is read once, whatever its size. A
    /// place that cannot be read is a warning and left out.
    pub(super) fn places(&self, odb: &Odb<'_>, blobs: &[u32], warnings: &mut Warnings) -> Vec<Vec<Place>> {
        let wanted: HashMap<u32, usize> = blobs.iter().enumerate().map(|(i, &b)| (b, i)).collect();
        let mut best: Vec<HashMap<Vec<u8>, u32>> = vec![HashMap::new(); blobs.len()];
        let mut note = |slot: usize, path: Vec<u8>, order: u32| {
            let e = best[slot].entry(path).or_insert(order);
            *e = (*e).min(order);
        };
        let failed = |e: GitError, warnings: &mut Warnings| {
            warnings.object(e.is_missing(), format!("{e}; a path of a matched blob is not reported"))
        };
        for (slot, &b) in blobs.iter().enumerate() {
            let blob = &self.blobs[b as usize];
            if blob.tree == NONE {
                note(slot, self.commit_of(blob.root).into_bytes(), blob.root);
                continue;
            }
            match self.entry_path(odb, blob.tree, blob.entry) {
                Ok(path) => note(slot, path, blob.root),
                Err(e) => failed(e, warnings),
            }
        }
        for s in &self.extra {
            let Some(&slot) = wanted.get(&s.blob) else { continue };
            match self.entry_path(odb, s.tree, s.entry) {
                Ok(path) => note(slot, path, s.root),
                Err(e) => failed(e, warnings),
            }
        }
        if !self.placements.is_empty() {
            let ids: IdMap<usize> = blobs.iter().map(|&b| (raw(self.blobs[b as usize].oid), wanted[&b])).collect();
            let mut contents: IdMap<Under> = IdMap::default();
            for p in &self.placements {
                let inside = match wanted_under(odb, &p.tree, &ids, &mut contents) {
                    Ok(c) => c,
                    Err(e) => {
                        failed(e, warnings);
                        continue;
                    }
                };
                if inside.is_empty() {
                    continue;
                }
                match self.entry_path(odb, p.parent, p.entry) {
                    Ok(dir) => {
                        for (rel, slot) in inside.iter() {
                            note(*slot, [&dir[..], b"/", rel].concat(), p.root);
                        }
                    }
                    Err(e) => failed(e, warnings),
                }
            }
        }
        best.into_iter()
            .map(|m| {
                let mut v: Vec<Place> = m.into_iter().map(|(path, order)| Place { path, order }).collect();
                v.sort_by(|a, b| (a.order, &a.path).cmp(&(b.order, &b.path)));
                v
            })
            .collect()
    }

    /// The path of entry `entry` of tree record `tree`, from the root.
    fn entry_path(&self, odb: &Odb<'_>, tree: u32, entry: u32) -> Result<Vec<u8>, GitError> {
        let mut names: Vec<Vec<u8>> = Vec::new();
        let (mut rec, mut idx) = (tree, entry);
        loop {
            let t = self.trees[rec as usize];
            let obj = read_kind(odb, t.oid, ObjectType::Tree, "tree")?;
            let name = nth_entry_name(obj.data(), idx).ok_or(GitError::Missing { kind: "tree entry", oid: t.oid })?;
            names.push(name.to_vec());
            if t.parent == NONE {
                break;
            }
            (rec, idx) = (t.parent, t.entry);
        }
        names.reverse();
        Ok(names.join(&b'/'))
    }

    /// The path of a tree record (empty for a root tree).
    fn tree_path(&self, odb: &Odb<'_>, tree: u32) -> Result<String, GitError> {
        let t = self.trees[tree as usize];
        if t.parent == NONE {
            Ok(String::new())
        } else {
            self.entry_path(odb, t.parent, t.entry).map(|p| String::from_utf8_lossy(&p).into_owned())
        }
    }
}

/// The walk's records as they stood after its last commit, for the next
/// walk to continue (see `checkpoint`): everything but the lookup maps,
/// which are rebuilt from the records.
#[derive(Debug, Clone, Default)]
pub(super) struct HistorySnapshot {
    blobs: Vec<BlobEntry>,
    trees: Vec<TreeRec>,
    extra: Vec<Sighting>,
    placements: Vec<Placement>,
    /// Roots walked (all commits).
    pub(super) roots: u32,
}

impl History {
    /// The records so far; only meaningful before any ref's tree or blob
    /// is walked (every root is a commit).
    pub(super) fn snapshot(&self) -> HistorySnapshot {
        HistorySnapshot {
            blobs: self.blobs.clone(),
            trees: self.trees.clone(),
            extra: self.extra.clone(),
            placements: self.placements.clone(),
            roots: self.roots.len() as u32,
        }
    }

    /// A history holding a snapshot's records, its roots the commits
    /// `order` (the snapshot's walk order).
    pub(super) fn restore(snapshot: HistorySnapshot, order: &[Oid]) -> History {
        let HistorySnapshot { blobs, trees, extra, placements, .. } = snapshot;
        let seen_blobs = blobs.iter().enumerate().map(|(i, b)| (raw(b.oid), i as u32)).collect();
        let seen_trees = trees.iter().enumerate().map(|(i, t)| (raw(t.oid), i as u32)).collect();
        History {
            blobs,
            seen_blobs,
            seen_trees,
            trees,
            extra,
            placements,
            roots: order.iter().map(|&c| Root::Commit(c)).collect(),
            ..History::default()
        }
    }
}

impl HistorySnapshot {
    /// About how many bytes [`HistorySnapshot::encode`] writes.
    pub(super) fn approx_bytes(&self) -> usize {
        self.blobs.len() * 40 + self.trees.len() * 36 + self.extra.len() * 16 + self.placements.len() * 32
    }

    pub(super) fn encode(&self, w: &mut Encoder) {
        w.u32(self.roots);
        w.u32(self.blobs.len() as u32);
        for b in &self.blobs {
            w.fixed(b.oid.as_bytes());
            w.u32(b.root);
            w.u32(b.tree);
            w.u32(b.entry);
            w.u64(b.path);
        }
        w.u32(self.trees.len() as u32);
        for t in &self.trees {
            w.fixed(t.oid.as_bytes());
            w.u32(t.parent);
            w.u32(t.entry);
            w.u64(t.path);
        }
        w.u32(self.extra.len() as u32);
        for e in &self.extra {
            for v in [e.blob, e.root, e.tree, e.entry] {
                w.u32(v);
            }
        }
        w.u32(self.placements.len() as u32);
        for p in &self.placements {
            w.fixed(&p.tree);
            for v in [p.root, p.parent, p.entry] {
                w.u32(v);
            }
        }
    }

    /// Reads what [`HistorySnapshot::encode`] wrote, checking that every
    /// index points inside the records (a corrupt file is an error here,
    /// not a panic in the walk).
    pub(super) fn decode(r: &mut Decoder<'_>) -> Result<HistorySnapshot, CheckpointError> {
        let roots = r.u32()?;
        let n = r.count(40)?;
        let mut blobs = Vec::with_capacity(n);
        for _ in 0..n {
            let oid = oid_of(&read_id(r)?);
            let (root, tree, entry, path) = (r.u32()?, r.u32()?, r.u32()?, r.u64()?);
            blobs.push(BlobEntry { oid, root, tree, entry, path });
        }
        let n = r.count(36)?;
        let mut trees = Vec::with_capacity(n);
        for _ in 0..n {
            let oid = oid_of(&read_id(r)?);
            let (parent, entry, path) = (r.u32()?, r.u32()?, r.u64()?);
            trees.push(TreeRec { oid, parent, entry, path });
        }
        let n = r.count(16)?;
        let mut extra = Vec::with_capacity(n);
        for _ in 0..n {
            extra.push(Sighting { blob: r.u32()?, root: r.u32()?, tree: r.u32()?, entry: r.u32()? });
        }
        let n = r.count(32)?;
        let mut placements = Vec::with_capacity(n);
        for _ in 0..n {
            placements.push(Placement { tree: read_id(r)?, root: r.u32()?, parent: r.u32()?, entry: r.u32()? });
        }
        let tree_ok = |t: u32| t == NONE || (t as usize) < trees.len();
        let consistent = blobs.iter().all(|b| b.root < roots && tree_ok(b.tree))
            && trees.iter().all(|t| tree_ok(t.parent))
            && extra.iter().all(|e| (e.blob as usize) < blobs.len() && e.root < roots && tree_ok(e.tree))
            && placements.iter().all(|p| p.root < roots && tree_ok(p.parent));
        if !consistent {
            return Err(CheckpointError::new("walk records point outside themselves"));
        }
        Ok(HistorySnapshot { blobs, trees, extra, placements, roots })
    }
}

/// Wanted blobs under a tree: (path relative to it, caller's slot).
type Under = Rc<Vec<(Vec<u8>, usize)>>;

/// The blobs of `wanted` (id to caller's slot) anywhere under tree `tree`,
/// with their paths relative to it; each tree is read once (`memo`).
fn wanted_under(
    odb: &Odb<'_>,
    tree: &RawId,
    wanted: &IdMap<usize>,
    memo: &mut IdMap<Under>,
) -> Result<Under, GitError> {
    if let Some(found) = memo.get(tree) {
        return Ok(found.clone());
    }
    let obj = read_kind(odb, oid_of(tree), ObjectType::Tree, "tree")?;
    let mut found = Vec::new();
    let mut pos = 0;
    while let Some((mode, name, id, next)) = parse_entry(obj.data(), pos) {
        pos = next;
        match EntryKind::of(mode) {
            EntryKind::Blob => {
                if let Some(&slot) = wanted.get(id) {
                    found.push((name.to_vec(), slot));
                }
            }
            EntryKind::Tree => {
                for (rel, slot) in wanted_under(odb, id, wanted, memo)?.iter() {
                    found.push(([name, b"/", rel].concat(), *slot));
                }
            }
            EntryKind::Other => {}
        }
    }
    let found = Rc::new(found);
    memo.insert(*tree, found.clone());
    Ok(found)
}

/// A tree object and, once known, where each of its entries starts.
struct CachedTree<'o> {
    obj: OdbObject<'o>,
    bounds: std::cell::RefCell<Option<Rc<[u32]>>>,
}

impl CachedTree<'_> {
    fn data(&self) -> &[u8] {
        self.obj.data()
    }

    /// Entry starts: recorded by the walk, or found by parsing.
    fn bounds(&self) -> Rc<[u32]> {
        if let Some(b) = &*self.bounds.borrow() {
            return b.clone();
        }
        let mut b = Vec::new();
        let mut pos = 0;
        while let Some((_, _, _, next)) = parse_entry(self.data(), pos) {
            b.push(pos as u32);
            pos = next;
        }
        let b: Rc<[u32]> = b.into();
        *self.bounds.borrow_mut() = Some(b.clone());
        b
    }

    fn set_bounds(&self, bounds: Vec<u32>) {
        let mut slot = self.bounds.borrow_mut();
        if slot.is_none() {
            *slot = Some(bounds.into());
        }
    }
}

/// Trees read recently, so comparing a commit's trees with its parent's
/// does not read the parent's again (they were read when it was walked),
/// and their entry boundaries carry over.
pub(super) struct TreeCache<'o> {
    map: IdMap<Rc<CachedTree<'o>>>,
    order: std::collections::VecDeque<(RawId, usize)>,
    bytes: usize,
}

/// How much tree data [`TreeCache`] keeps.
const TREE_CACHE_BYTES: usize = 4 << 20;

impl<'o> TreeCache<'o> {
    pub(super) fn new() -> TreeCache<'o> {
        TreeCache { map: IdMap::default(), order: Default::default(), bytes: 0 }
    }

    fn get(&mut self, odb: &'o Odb<'_>, id: &RawId) -> Result<Rc<CachedTree<'o>>, GitError> {
        if let Some(t) = self.map.get(id) {
            return Ok(t.clone());
        }
        let obj = read_kind(odb, oid_of(id), ObjectType::Tree, "tree")?;
        // The data, and its entry starts (4 bytes per entry of ~40).
        let len = obj.data().len() + obj.data().len() / 8;
        let t = Rc::new(CachedTree { obj, bounds: Default::default() });
        while self.bytes + len > TREE_CACHE_BYTES {
            let Some((old, n)) = self.order.pop_front() else { break };
            self.map.remove(&old);
            self.bytes -= n;
        }
        self.map.insert(*id, t.clone());
        self.order.push_back((*id, len));
        self.bytes += len;
        Ok(t)
    }
}

/// Length of the common prefix of two byte strings.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 32 <= n && a[i..i + 32] == b[i..i + 32] {
        i += 32;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use git2::Oid;

    use super::super::fixture::{enumerate, s, sightings, Fixture, PLAIN_WALK};
    use super::super::{GitError, GitRepo, Selection, Warnings};
    use super::{History, Root};

    #[test]
    fn each_blob_once_at_its_first_commit_and_path() {
        let mut f = Fixture::new();
        let c1 = f.commit("main", &[("README", "hello"), ("src/a.rs", "a1"), ("src/deep/b.rs", "b1")], &[]);
        // Edit a; b unchanged (its tree is not walked again).
        let c2 = f.commit("main", &[("README", "hello"), ("src/a.rs", "a2"), ("src/deep/b.rs", "b1")], &[c1]);
        // Rename b: same blob, no new sighting; the edit back to a1 is not new either.
        let c3 = f.commit("main", &[("README", "hello"), ("src/a.rs", "a1"), ("lib/b.rs", "b1")], &[c2]);
        let git = f.open();
        let h = enumerate(&git, Selection::All);
        let (c1, c2) = (c1.to_string(), c2.to_string());
        assert_eq!(
            sightings(&git, &h),
            vec![
                (s("hello"), c1.clone(), s("README")),
                (s("a1"), c1.clone(), s("src/a.rs")),
                (s("b1"), c1.clone(), s("src/deep/b.rs")),
                (s("a2"), c2.clone(), s("src/a.rs")),
            ]
        );
        assert_eq!(h.stats.commits, 3);
        // Root trees 3, src twice (a changed), src/deep once, lib once.
        assert_eq!(h.stats.trees, 3 + 2 + 1 + 1);
        let info = git.reader().commit_info(&h, h.blobs()[0].order()).unwrap();
        assert_eq!((info.author.as_str(), info.email.as_str()), ("Dev", "dev@example.com"));
        assert_eq!(info.date, "1970-01-12T14:47:40+01:00");
        let _ = c3;
    }

    #[test]
    fn the_same_blob_at_two_paths_is_seen_at_the_first_path() {
        let mut f = Fixture::new();
        f.commit("main", &[("b.env", "same"), ("a/x.env", "same")], &[]);
        let git = f.open();
        let h = enumerate(&git, Selection::All);
        assert_eq!(h.blobs().len(), 1);
        assert_eq!(git.reader().path_of(&h, &h.blobs()[0]).unwrap(), "a/x.env");
    }

    #[test]
    fn a_range_is_what_its_commits_introduced_against_every_parent() {
        let mut f = Fixture::new();
        let base = f.commit("main", &[("README", "r")], &[]);
        let m1 = f.commit("main", &[("README", "r"), ("m", "from main")], &[base]);
        let t1 = f.commit("topic", &[("README", "r"), ("t", "topic")], &[base]);
        // Merging main into the topic: `m` comes from main, not from the topic.
        let tm =
            f.commit("topic", &[("README", "r"), ("m", "from main"), ("t", "topic"), ("x", "resolution")], &[t1, m1]);
        let t2 =
            f.commit("topic", &[("README", "r"), ("m", "from main"), ("t", "topic v2"), ("x", "resolution")], &[tm]);
        let git = f.open();
        let h = enumerate(&git, Selection::Range { from: "main".into(), to: "topic".into() });
        let got: Vec<(String, String)> = sightings(&git, &h).into_iter().map(|g| (g.0, g.1)).collect();
        assert_eq!(
            got,
            vec![(s("topic"), t1.to_string()), (s("resolution"), tm.to_string()), (s("topic v2"), t2.to_string())]
        );
        assert_eq!(h.stats.commits, 3);
        let h = enumerate(&git, Selection::Range { from: "topic".into(), to: "topic".into() });
        assert!(h.blobs().is_empty());
        let err = git.enumerate(&Selection::Range { from: "main".into(), to: "nope".into() }, &mut |_, _| {});
        assert!(matches!(err, Err(GitError::UnknownRef { name }) if name == "nope"));
    }

    #[test]
    fn a_range_does_not_introduce_what_its_base_holds_at_any_path() {
        let mut f = Fixture::new();
        let base = f.commit("main", &[("a.env", "key"), ("d/x", "x"), ("d/y", "y"), ("m.env", "mkey")], &[]);
        // Rename a file, copy it, move a whole directory.
        let t1 = f.commit(
            "topic",
            &[("b.env", "key"), ("copy.env", "key"), ("e/x", "x"), ("e/y", "y"), ("m.env", "mkey")],
            &[base],
        );
        // An edit of the renamed file: new content, so a new blob.
        let t2 = f.commit(
            "topic",
            &[("b.env", "key edited"), ("copy.env", "key"), ("e/x", "x"), ("e/y", "y"), ("m.env", "mkey")],
            &[t1],
        );
        // Main renames a file; merging main brings the renamed file.
        let m1 = f.commit("main", &[("a.env", "key"), ("d/x", "x"), ("d/y", "y"), ("n.env", "mkey")], &[base]);
        let t3 = f.commit(
            "topic",
            &[("b.env", "key edited"), ("copy.env", "key"), ("e/x", "x"), ("e/y", "y"), ("n.env", "mkey")],
            &[t2, m1],
        );
        // A new key in a renamed file is new.
        let t4 = f.commit(
            "topic",
            &[("c.env", "key edited + new"), ("copy.env", "key"), ("e/x", "x"), ("e/y", "y"), ("n.env", "mkey")],
            &[t3],
        );
        let git = f.open();
        let h = enumerate(&git, Selection::Range { from: "main".into(), to: "topic".into() });
        assert_eq!(
            sightings(&git, &h),
            vec![(s("key edited"), t2.to_string(), s("b.env")), (s("key edited + new"), t4.to_string(), s("c.env"))]
        );
        assert!(h.warnings.is_empty());
        // Against the fork point, main's rename (a parent outside the range) is not new either.
        let h = enumerate(&git, Selection::Range { from: base.to_string(), to: "topic".into() });
        let got: Vec<String> = sightings(&git, &h).into_iter().map(|g| g.0).collect();
        assert_eq!(got, ["key edited", "key edited + new"]);
        let _ = t3;
    }

    /// Every (path, content, first commit) of the blobs whose content is
    /// in `contents`, as [`History::places`] gives them.
    fn places(git: &GitRepo, h: &History, contents: &[&str]) -> Vec<(String, String, String)> {
        let blobs: Vec<u32> = (0..h.blobs().len() as u32)
            .filter(|&i| {
                let b = h.blobs()[i as usize].oid();
                let text = git.reader().with_blob(b, u64::MAX, |d| String::from_utf8_lossy(d).into_owned());
                contents.contains(&text.unwrap().unwrap().as_str())
            })
            .collect();
        let mut w = Warnings::default();
        let places = git.reader().places(h, &blobs, &mut w);
        assert!(w.is_empty());
        let mut out = Vec::new();
        for (&b, places) in blobs.iter().zip(places) {
            let oid = h.blobs()[b as usize].oid();
            let text = git.reader().with_blob(oid, u64::MAX, |d| String::from_utf8_lossy(d).into_owned());
            let text = text.unwrap().unwrap();
            for p in places {
                let commit = git.reader().commit_info(h, p.order).unwrap().id;
                out.push((String::from_utf8(p.path).unwrap(), text.clone(), commit));
            }
        }
        out.sort();
        out
    }

    /// The same by brute force: every commit's whole tree, oldest first.
    fn places_by_listing(git: &GitRepo, h: &History, contents: &[&str]) -> Vec<(String, String, String)> {
        let repo = &git.reader().repo;
        let mut first: std::collections::BTreeMap<(String, String), String> = Default::default();
        for root in &h.roots {
            let Root::Commit(c) = root else { continue };
            let tree = repo.find_commit(*c).unwrap().tree().unwrap();
            tree.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
                if e.kind() == Some(git2::ObjectType::Blob) {
                    let blob = repo.find_blob(e.id()).unwrap();
                    let text = String::from_utf8_lossy(blob.content()).into_owned();
                    if contents.contains(&text.as_str()) {
                        let path = format!("{dir}{}", e.name().unwrap());
                        first.entry((path, text)).or_insert_with(|| c.to_string());
                    }
                }
                git2::TreeWalkResult::Ok
            })
            .unwrap();
        }
        first.into_iter().map(|((p, t), c)| (p, t, c)).collect()
    }

    #[test]
    fn every_path_of_a_blob_at_the_first_commit_that_had_it_there() {
        let mut f = Fixture::new();
        // Identical files at two paths in one commit.
        let c1 = f.commit("main", &[("prod/.env", "key"), ("staging/.env", "key"), ("x", "other")], &[]);
        // A copy in a later commit, then a rename of the first.
        let c2 = f.commit("main", &[("prod/.env", "key"), ("staging/.env", "key"), ("dev/.env", "key")], &[c1]);
        let c3 = f.commit("main", &[("live/.env", "key"), ("staging/.env", "key"), ("dev/.env", "key")], &[c2]);
        // A directory copied whole: its blobs are at new paths too.
        let c4 = f.commit(
            "main",
            &[("live/.env", "key"), ("staging/.env", "key"), ("dev/.env", "key"), ("copy/live/.env", "key")],
            &[c3],
        );
        let git = f.open();
        let h = enumerate(&git, Selection::All);
        let (c1, c2, c3, c4) = (c1.to_string(), c2.to_string(), c3.to_string(), c4.to_string());
        let want = vec![
            (s("copy/live/.env"), s("key"), c4),
            (s("dev/.env"), s("key"), c2),
            (s("live/.env"), s("key"), c3),
            (s("prod/.env"), s("key"), c1.clone()),
            (s("staging/.env"), s("key"), c1),
        ];
        assert_eq!(places(&git, &h, &["key"]), want);
        assert_eq!(places_by_listing(&git, &h, &["key"]), want);
    }

    #[test]
    fn a_range_places_blobs_at_every_new_path_and_not_at_the_bases() {
        let mut f = Fixture::new();
        let base = f.commit("main", &[("a.env", "old")], &[]);
        // Two identical new files, a copy of the base's file, a moved directory.
        let t1 =
            f.commit("topic", &[("a.env", "old"), ("n1.env", "new"), ("n2.env", "new"), ("c.env", "old")], &[base]);
        let t2 =
            f.commit("topic", &[("a.env", "old"), ("d/n1.env", "new"), ("n2.env", "new"), ("c.env", "old")], &[t1]);
        let git = f.open();
        let h = enumerate(&git, Selection::Range { from: "main".into(), to: "topic".into() });
        let (t1, t2) = (t1.to_string(), t2.to_string());
        assert_eq!(
            places(&git, &h, &["new", "old"]),
            vec![(s("d/n1.env"), s("new"), t2), (s("n1.env"), s("new"), t1.clone()), (s("n2.env"), s("new"), t1)]
        );
    }

    /// A random history of 60 commits with branches, merges, renames,
    /// deletions, wide directories and names that sort around each other.
    fn random_history(seed: u64) -> Fixture {
        {
            let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mut rand = move |n: usize| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % n as u64) as usize
            };
            let mut f = Fixture::new();
            // Wide directories (runs to skip), nesting, and names that sort
            // around each other as files and directories ("d", "d.c", "d0").
            let names = ["a", "b", "d", "d.c", "d0", "d/x", "d/y", "d/z/1", "d/z/2", "e/f/g", "m0", "m1", "m2", "m3"];
            let mut files: std::collections::BTreeMap<String, String> = Default::default();
            let mut tips: Vec<Oid> = Vec::new();
            for i in 0..60 {
                for _ in 0..1 + rand(3) {
                    let name = names[rand(names.len())];
                    let wide = format!("w/{:02}", rand(40));
                    let path = if rand(3) == 0 { wide } else { name.to_string() };
                    if rand(5) == 0 {
                        files.remove(&path);
                    } else {
                        files.insert(path, format!("v{}", rand(12)));
                    }
                }
                // A path can't be both a file and a directory: drop the file.
                let dirs: Vec<String> =
                    files.keys().filter_map(|p| p.rsplit_once('/').map(|(d, _)| d.to_string())).collect();
                for d in dirs {
                    let mut prefix = String::new();
                    for part in d.split('/') {
                        prefix = if prefix.is_empty() { part.to_string() } else { format!("{prefix}/{part}") };
                        files.remove(&prefix);
                    }
                }
                let list: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
                let parents: Vec<Oid> = match (tips.len(), rand(6)) {
                    (0, _) => vec![],
                    (n, 0) if n > 2 => vec![tips[n - 1], tips[rand(n - 1)]],
                    (n, 1) if n > 2 => vec![tips[rand(n - 1)]],
                    (n, _) => vec![tips[n - 1]],
                };
                tips.push(f.commit(&format!("b{}", i % 3), &list, &parents));
            }
            f
        }
    }

    #[test]
    fn the_optimised_walk_matches_a_plain_walk_on_random_histories() {
        for seed in 1..=4u64 {
            let f = random_history(seed);
            let git = f.open();
            let fast = sightings(&git, &enumerate(&git, Selection::All));
            PLAIN_WALK.with(|p| p.set(true));
            let plain = sightings(&git, &enumerate(&git, Selection::All));
            PLAIN_WALK.with(|p| p.set(false));
            assert_eq!(fast, plain, "seed {seed}");
            assert!(fast.len() > 10);
        }
    }

    #[test]
    fn places_match_listing_every_commit_on_random_histories() {
        for seed in 1..=4u64 {
            let f = random_history(seed);
            let git = f.open();
            let h = enumerate(&git, Selection::All);
            // A few contents, as if they had matched.
            let contents = ["v1", "v4", "v7"];
            let got = places(&git, &h, &contents);
            assert_eq!(got, places_by_listing(&git, &h, &contents), "seed {seed}");
            assert!(got.len() > 5, "seed {seed}: {}", got.len());
        }
    }

    #[test]
    fn diffing_against_the_parent_walks_like_a_plain_walk() {
        let mut f = Fixture::new();
        let a = f.commit("main", &[("a", "1"), ("d/x", "x1"), ("d/y", "y1"), ("e/z", "z1"), ("foo.c", "c")], &[]);
        // Edit inside d, delete e, a file becomes a directory and back.
        let b = f.commit("main", &[("a", "1"), ("d/x", "x2"), ("d/y", "y1"), ("foo/bar", "b"), ("foo.c", "c")], &[a]);
        let c = f.commit("main", &[("a", "2"), ("d/x", "x2"), ("d/y", "y1"), ("foo", "file"), ("foo.c", "c2")], &[b]);
        // A revert to the first tree, a branch and a merge bringing back old content at new paths.
        let d = f.commit("main", &[("a", "1"), ("d/x", "x1"), ("d/y", "y1"), ("e/z", "z1"), ("foo.c", "c")], &[c]);
        let t = f.commit("topic", &[("a", "1"), ("d/x", "x1"), ("d/q", "y1"), ("n/z", "x2"), ("new", "t")], &[a]);
        f.commit(
            "main",
            &[("a", "3"), ("d/x", "x1"), ("d/q", "y1"), ("n/z", "x2"), ("new", "t"), ("m", "merge")],
            &[d, t],
        );
        let git = f.open();
        let fast = sightings(&git, &enumerate(&git, Selection::All));
        PLAIN_WALK.with(|p| p.set(true));
        let plain = sightings(&git, &enumerate(&git, Selection::All));
        PLAIN_WALK.with(|p| p.set(false));
        assert_eq!(fast, plain);
        let blobs: Vec<&str> = fast.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(blobs, ["1", "x1", "y1", "z1", "c", "x2", "b", "2", "file", "c2", "t", "3", "merge"]);
    }
}

//! Git history as a source: enumerates the unique blobs reachable from a
//! repository's refs (or introduced by a range of commits) and says where
//! each one first appeared.
//!
//! How: commits are loaded from their raw objects and ordered oldest-first,
//! parents before children. Their trees are walked in that order, and a tree
//! already visited is skipped by id, so every tree and blob is read once and
//! the first sighting of a blob is the commit that introduced it and the path
//! it had there. Each tree is compared with the same directory in the first
//! parent (already walked), so runs of unchanged entries are skipped in one
//! byte comparison. A sighting is kept compact (commit, parent tree record,
//! entry index): path strings are built only on request, i.e. for the few
//! blobs that matched. A range `A..B` loads only the commits reachable from B
//! and not from A and diffs each one's tree against its parents: a blob is
//! new when it differs from the same path in every parent (so a blob written
//! while resolving a merge belongs to the merge commit). Blobs are best read
//! in pack order ([`History::read_order`]), which the pack indexes give.
//!
//! Missing objects (broken mirrors, partial clones) become warnings and the
//! walk goes on; a shallow clone's boundary commits are treated as roots.
//!
//! This module must not match: it knows nothing about rules, the engine or
//! findings. It reads bytes and says where they came from.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use git2::{ErrorCode, ObjectType, Odb, OdbObject, Oid, Repository, RepositoryOpenFlags};

use super::{check, Skip};

/// What can go wrong reading history. `Missing` and `Read` concern one
/// object and become warnings; the others stop a scan before it starts.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{}: no such file or directory", .path.display())]
    NoSuchPath { path: PathBuf },
    #[error("{}: not a git repository (nor is any parent directory)", .path.display())]
    NotARepository { path: PathBuf },
    #[error("{}: cannot open repository: {}", .path.display(), .source.message())]
    Open { path: PathBuf, source: git2::Error },
    #[error("unknown ref {name:?}: no branch, tag or commit has that name")]
    UnknownRef { name: String },
    #[error("missing {kind} {oid}")]
    Missing { kind: &'static str, oid: Oid },
    #[error("cannot read {kind} {oid}: {}", .source.message())]
    Read { kind: &'static str, oid: Oid, source: git2::Error },
    #[error("{}", .0.message())]
    Git(#[from] git2::Error),
}

impl GitError {
    fn read(kind: &'static str, oid: Oid, e: git2::Error) -> GitError {
        if e.code() == ErrorCode::NotFound {
            GitError::Missing { kind, oid }
        } else {
            GitError::Read { kind, oid, source: e }
        }
    }

    /// True for an object that is not in the repository.
    pub fn is_missing(&self) -> bool {
        matches!(self, GitError::Missing { .. })
    }
}

/// Which history to enumerate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Everything reachable from any ref (branches, tags, remote-tracking
    /// refs, notes, stash) and HEAD.
    All,
    /// Everything reachable from one revision.
    Ref(String),
    /// What the commits reachable from `to` and not from `from` introduced.
    Range { from: String, to: String },
}

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
type RawId = [u8; 20];
type IdSet = HashSet<RawId, BuildHasherDefault<OidHasher>>;
pub type OidMap<V> = HashMap<Oid, V, BuildHasherDefault<OidHasher>>;

/// Most warnings about missing objects listed one by one; the rest are
/// counted (a blobless partial clone would otherwise print thousands).
const MAX_MISSING_WARNINGS: usize = 20;

/// Non-fatal problems, with missing objects capped.
#[derive(Debug, Default)]
pub struct Warnings {
    /// (about a missing object, text)
    list: Vec<(bool, String)>,
    listed_missing: usize,
    unlisted_missing: usize,
}

impl Warnings {
    pub fn push(&mut self, w: String) {
        self.list.push((false, w));
    }

    /// Records an unreadable object: listed while few, counted after.
    pub fn object(&mut self, missing: bool, w: String) {
        if missing {
            if self.listed_missing >= MAX_MISSING_WARNINGS {
                self.unlisted_missing += 1;
                return;
            }
            self.listed_missing += 1;
        }
        self.list.push((missing, w));
    }

    pub fn extend(&mut self, other: Warnings) {
        for (missing, w) in other.list {
            self.object(missing, w);
        }
        self.unlisted_missing += other.unlisted_missing;
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.unlisted_missing == 0
    }

    /// The warnings, with a closing line counting unlisted missing objects.
    pub fn into_vec(self) -> Vec<String> {
        let mut list: Vec<String> = self.list.into_iter().map(|(_, w)| w).collect();
        if self.unlisted_missing > 0 {
            list.push(format!("{} more missing objects not listed", self.unlisted_missing));
        }
        list
    }
}

const NONE: u32 = u32::MAX;

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
}

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
}

/// Where blobs come from: commits (oldest first), then trees and blobs that
/// refs point at directly (e.g. a tag of a public key).
#[derive(Debug, Clone)]
enum Root {
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
}

/// The unique blobs of a history, in first-sighting order, and what is
/// needed to say where each first appeared.
#[derive(Debug, Default)]
pub struct History {
    blobs: Vec<BlobEntry>,
    seen_blobs: IdSet,
    seen_trees: IdSet,
    trees: Vec<TreeRec>,
    roots: Vec<Root>,
    /// Walk every tree entry instead of diffing against the first parent
    /// (the reference the optimised walk is tested against).
    #[cfg(test)]
    plain_walk: bool,
    pub warnings: Warnings,
    pub stats: WalkStats,
}

/// The commit that introduced a blob.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: String,
    pub author: String,
    pub email: String,
    /// Author date, RFC 3339.
    pub date: String,
}

impl History {
    /// The unique blobs, oldest sighting first.
    pub fn blobs(&self) -> &[BlobEntry] {
        &self.blobs
    }

    /// Indices into [`History::blobs`] in the order that reads them
    /// fastest: by position in the pack files of the object directory
    /// `objects` (see [`GitRepo::objects_dir`]). A few blobs (a pull
    /// request's range) are read as listed: reading the pack indexes would
    /// cost more than it saves.
    pub fn read_order(&self, objects: &Path) -> Vec<u32> {
        if self.blobs.len() < PACK_ORDER_MIN_BLOBS {
            return (0..self.blobs.len() as u32).collect();
        }
        self.pack_order(objects)
    }

    fn pack_order(&self, objects: &Path) -> Vec<u32> {
        let packs = PackOrder::load(objects);
        let mut keyed: Vec<((u32, u64), u32)> =
            self.blobs.iter().enumerate().map(|(i, b)| (packs.position(&raw(b.oid)), i as u32)).collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, i)| i).collect()
    }

    /// Whether the walk saw this blob.
    pub fn contains(&self, oid: Oid) -> bool {
        self.seen_blobs.contains(&raw(oid))
    }

    fn push_tree(&mut self, oid: Oid, parent: u32, entry: u32) -> u32 {
        self.trees.push(TreeRec { oid, parent, entry });
        (self.trees.len() - 1) as u32
    }

    fn add_blob(&mut self, id: &RawId, root: u32, tree: u32, entry: u32) {
        if self.seen_blobs.insert(*id) {
            self.blobs.push(BlobEntry { oid: oid_of(id), root, tree, entry });
        }
    }

    fn commit_of(&self, root: u32) -> String {
        match &self.roots[root as usize] {
            Root::Commit(oid) => oid.to_string(),
            Root::Ref { name, .. } => name.clone(),
        }
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
    fn walk_root<'o>(
        &mut self,
        odb: &'o Odb<'_>,
        cache: &mut TreeCache<'o>,
        root: u32,
        tree: Oid,
        parent: Option<Oid>,
    ) {
        if parent == Some(tree) || !self.seen_trees.insert(raw(tree)) {
            return;
        }
        let rec = self.push_tree(tree, NONE, 0);
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
                    EntryKind::Blob => self.add_blob(id, root, rec, this),
                    EntryKind::Tree => {
                        if self.seen_trees.insert(*id) {
                            let child_old = before
                                .filter(|(m, _)| EntryKind::of(*m) == EntryKind::Tree)
                                .and_then(|(_, o)| cache.get(odb, o).ok())
                                .map(|t| {
                                    let b = t.bounds();
                                    (t, b)
                                });
                            let child = self.push_tree(oid_of(id), rec, this);
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
    /// of `parents` (no parents: everything). Trees already visited in this
    /// walk are skipped: their blobs were recorded, or were already present
    /// before the range.
    fn diff_root<'o>(
        &mut self,
        odb: &'o Odb<'_>,
        cache: &mut TreeCache<'o>,
        root: u32,
        tree: Oid,
        parents: Vec<Option<Oid>>,
    ) {
        if parents.contains(&Some(tree)) || !self.seen_trees.insert(raw(tree)) {
            return;
        }
        let rec = self.push_tree(tree, NONE, 0);
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
                    EntryKind::Blob => self.add_blob(id, root, rec, this),
                    EntryKind::Tree => {
                        if self.seen_trees.insert(*id) {
                            let child = self.push_tree(oid_of(id), rec, this);
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

    /// The path of entry `entry` of tree record `tree`, from the root.
    fn entry_path(&self, odb: &Odb<'_>, tree: u32, entry: u32) -> Result<String, GitError> {
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
        Ok(String::from_utf8_lossy(&names.join(&b'/')).into_owned())
    }

    /// The path of a tree record (empty for a root tree).
    fn tree_path(&self, odb: &Odb<'_>, tree: u32) -> Result<String, GitError> {
        let t = self.trees[tree as usize];
        if t.parent == NONE {
            Ok(String::new())
        } else {
            self.entry_path(odb, t.parent, t.entry)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    Tree,
    Blob,
    /// Submodule commits and anything unknown.
    Other,
}

impl EntryKind {
    fn of(mode: u32) -> EntryKind {
        match mode & 0o170000 {
            0o040000 => EntryKind::Tree,
            0o100000 | 0o120000 => EntryKind::Blob,
            _ => EntryKind::Other,
        }
    }
}

/// Parses the tree entry at byte `pos` of a raw tree: (mode, name, id, next
/// position). `None` at the end or on malformed data.
fn parse_entry(data: &[u8], pos: usize) -> Option<(u32, &[u8], &RawId, usize)> {
    let rest = data.get(pos..)?;
    // The mode: a few octal digits, then a space (a loop beats memchr on
    // such short spans).
    let mut mode = 0u32;
    let mut sp = 0;
    loop {
        match *rest.get(sp)? {
            b' ' if sp > 0 => break,
            d @ b'0'..=b'7' if sp < 8 => mode = mode * 8 + u32::from(d - b'0'),
            _ => return None,
        }
        sp += 1;
    }
    let nul = sp + 1 + memchr::memchr(0, &rest[sp + 1..])?;
    let id: &RawId = rest.get(nul + 1..nul + 21)?.try_into().ok()?;
    Some((mode, &rest[sp + 1..nul], id, pos + nul + 21))
}

/// Git's tree entry order: by name, a directory's name compared as if it
/// ended with `/`.
fn git_order(a: &[u8], a_mode: u32, b: &[u8], b_mode: u32) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let end = |name: &[u8], mode: u32| match name.get(n) {
            Some(&c) => c,
            None if EntryKind::of(mode) == EntryKind::Tree => b'/',
            None => 0,
        };
        end(a, a_mode).cmp(&end(b, b_mode)).then(a.len().cmp(&b.len()))
    })
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
struct TreeCache<'o> {
    map: HashMap<RawId, Rc<CachedTree<'o>>, BuildHasherDefault<OidHasher>>,
    order: std::collections::VecDeque<(RawId, usize)>,
    bytes: usize,
}

/// How much tree data [`TreeCache`] keeps.
const TREE_CACHE_BYTES: usize = 4 << 20;

impl<'o> TreeCache<'o> {
    fn new() -> TreeCache<'o> {
        TreeCache { map: HashMap::default(), order: Default::default(), bytes: 0 }
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

fn raw(oid: Oid) -> RawId {
    *oid.as_bytes().first_chunk().expect("20-byte id")
}

fn oid_of(id: &RawId) -> Oid {
    Oid::from_bytes(id).expect("20-byte id")
}

fn entry_map(data: &[u8]) -> HashMap<&[u8], (u32, &RawId)> {
    let mut map = HashMap::new();
    let mut pos = 0;
    while let Some((mode, name, oid, next)) = parse_entry(data, pos) {
        map.insert(name, (mode, oid));
        pos = next;
    }
    map
}

fn nth_entry_name(data: &[u8], n: u32) -> Option<&[u8]> {
    let mut pos = 0;
    for _ in 0..n {
        pos = parse_entry(data, pos)?.3;
    }
    parse_entry(data, pos).map(|e| e.1)
}

fn read_kind<'o>(odb: &'o Odb<'_>, oid: Oid, want: ObjectType, kind: &'static str) -> Result<OdbObject<'o>, GitError> {
    let obj = odb.read(oid).map_err(|e| GitError::read(kind, oid, e))?;
    if obj.kind() != want {
        return Err(GitError::Read { kind, oid, source: git2::Error::from_str(&format!("is a {}", obj.kind())) });
    }
    Ok(obj)
}

fn parse_hex_oid(hex: &[u8]) -> Option<Oid> {
    if hex.len() != 40 {
        return None;
    }
    Oid::from_str(std::str::from_utf8(hex).ok()?).ok()
}

/// The parts of a commit the walk needs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RawCommit {
    tree: Oid,
    parents: Vec<Oid>,
    /// Committer time, seconds since the epoch.
    time: i64,
}

fn parse_commit(data: &[u8]) -> Option<RawCommit> {
    let (mut tree, mut parents, mut time) = (None, Vec::new(), 0);
    for line in data.split(|&b| b == b'\n') {
        if line.is_empty() {
            break;
        }
        if let Some(h) = line.strip_prefix(b"tree ") {
            tree = parse_hex_oid(h);
        } else if let Some(h) = line.strip_prefix(b"parent ") {
            parents.push(parse_hex_oid(h)?);
        } else if let Some(sig) = line.strip_prefix(b"committer ") {
            let after = memchr::memrchr(b'>', sig).map_or(sig, |i| &sig[i + 1..]);
            time = std::str::from_utf8(after).ok().and_then(|s| s.split_whitespace().next()?.parse().ok()).unwrap_or(0);
        }
    }
    Some(RawCommit { tree: tree?, parents, time })
}

/// The target of an annotated tag object.
fn parse_tag_target(data: &[u8]) -> Option<Oid> {
    data.split(|&b| b == b'\n').find_map(|l| l.strip_prefix(b"object ")).and_then(parse_hex_oid)
}

const UNINTERESTING: u8 = 1;
const QUEUED: u8 = 2;
const DONE: u8 = 4;

struct Node {
    oid: Oid,
    /// `None` when the commit could not be read.
    tree: Option<Oid>,
    time: i64,
    parents: Vec<Oid>,
    flags: u8,
}

/// Commits loaded so far, by id.
#[derive(Default)]
struct Graph {
    index: OidMap<u32>,
    nodes: Vec<Node>,
}

impl Graph {
    /// Loads `oid` (once); unreadable commits become parentless with a
    /// warning, commits at a shallow boundary become parentless silently.
    fn load(&mut self, odb: &Odb<'_>, shallow: &OidSet, oid: Oid, warnings: &mut Warnings) -> u32 {
        if let Some(&i) = self.index.get(&oid) {
            return i;
        }
        let node = match read_kind(odb, oid, ObjectType::Commit, "commit") {
            Ok(obj) => match parse_commit(obj.data()) {
                Some(mut c) => {
                    if shallow.contains(&oid) {
                        c.parents.clear();
                    }
                    Node { oid, tree: Some(c.tree), time: c.time, parents: c.parents, flags: 0 }
                }
                None => {
                    warnings.push(format!("commit {oid} is malformed; not scanned"));
                    Node { oid, tree: None, time: 0, parents: Vec::new(), flags: 0 }
                }
            },
            Err(e) => {
                warnings.object(e.is_missing(), format!("{e}; it and the history behind it are not scanned"));
                Node { oid, tree: None, time: 0, parents: Vec::new(), flags: 0 }
            }
        };
        let i = self.nodes.len() as u32;
        self.nodes.push(node);
        self.index.insert(oid, i);
        i
    }

    /// Orders the member commits parents-first, oldest committer time first
    /// among those ready (a topological order that follows time where it can).
    fn topo_order(&self, member: impl Fn(&Node) -> bool) -> Vec<u32> {
        let n = self.nodes.len();
        let inside: Vec<bool> = self.nodes.iter().map(&member).collect();
        let mut pending = vec![0u32; n];
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, node) in self.nodes.iter().enumerate() {
            if !inside[i] {
                continue;
            }
            let mut seen: Vec<u32> = Vec::with_capacity(node.parents.len());
            for p in &node.parents {
                if let Some(&pi) = self.index.get(p) {
                    if inside[pi as usize] && !seen.contains(&pi) {
                        seen.push(pi);
                        pending[i] += 1;
                        children[pi as usize].push(i as u32);
                    }
                }
            }
        }
        let mut ready: BinaryHeap<Reverse<(i64, u32)>> =
            (0..n).filter(|&i| inside[i] && pending[i] == 0).map(|i| Reverse((self.nodes[i].time, i as u32))).collect();
        let mut order = Vec::with_capacity(inside.iter().filter(|&&b| b).count());
        while let Some(Reverse((_, i))) = ready.pop() {
            order.push(i);
            for &c in &children[i as usize] {
                pending[c as usize] -= 1;
                if pending[c as usize] == 0 {
                    ready.push(Reverse((self.nodes[c as usize].time, c)));
                }
            }
        }
        if order.len() < inside.iter().filter(|&&b| b).count() {
            // A cycle (only possible through grafts or replace objects):
            // keep the rest in time order rather than drop it.
            let mut rest: Vec<u32> = (0..n as u32).filter(|&i| inside[i as usize] && pending[i as usize] > 0).collect();
            rest.sort_by_key(|&i| (self.nodes[i as usize].time, i));
            order.extend(rest);
        }
        order
    }
}

/// Below this many blobs, [`History::read_order`] does not sort by pack.
const PACK_ORDER_MIN_BLOBS: usize = 256;

/// The repository's pack files, from their `.idx` files (version 2): where
/// each object sits, so blobs can be read in pack order (delta bases before
/// the deltas built on them, while libgit2's small delta-base cache still
/// holds them).
struct PackOrder {
    packs: Vec<PackIndex>,
}

/// One pack's index, read whole.
struct PackIndex {
    data: Vec<u8>,
    /// Number of objects.
    n: usize,
}

const IDX_NAMES: usize = 8 + 256 * 4;

impl PackIndex {
    fn read(idx: &Path) -> Option<PackIndex> {
        let data = std::fs::read(idx).ok()?;
        if data.len() < IDX_NAMES || data[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
            return None;
        }
        let n = u32::from_be_bytes(data[8 + 255 * 4..IDX_NAMES].try_into().ok()?) as usize;
        (data.len() >= IDX_NAMES + n * 28).then_some(PackIndex { data, n })
    }

    fn name(&self, i: usize) -> &RawId {
        self.data[IDX_NAMES + i * 20..IDX_NAMES + i * 20 + 20].try_into().expect("20 bytes")
    }

    fn offset(&self, i: usize) -> u64 {
        let offsets = IDX_NAMES + self.n * 24;
        let off = u32::from_be_bytes(self.data[offsets + i * 4..offsets + i * 4 + 4].try_into().expect("4 bytes"));
        if off & 0x8000_0000 == 0 {
            u64::from(off)
        } else {
            let large = offsets + self.n * 4 + (off & 0x7fff_ffff) as usize * 8;
            self.data.get(large..large + 8).map_or(u64::MAX, |b| u64::from_be_bytes(b.try_into().expect("8 bytes")))
        }
    }

    /// Index of an object in this pack.
    fn find(&self, id: &RawId) -> Option<usize> {
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

/// Extra clock-skew tolerance of the range walk: how many more commits it
/// looks at once everything queued is excluded (as git does).
const RANGE_SLOP: usize = 5;

/// Size of one mapped window of a pack file.
const MWINDOW_SIZE: usize = 16 << 20;
/// Most pack data mapped at once.
const MWINDOW_MAPPED_LIMIT: usize = 64 << 20;

/// Sets libgit2's process-wide options for history scans, once, before the
/// first repository is opened.
fn configure_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Every object is read once, so libgit2's object cache only costs
        // memory; hashes are not re-verified on read (git does not either).
        git2::opts::enable_caching(false);
        git2::opts::strict_hash_verification(false);
        // Pack files are mapped in windows; by default libgit2 maps up to
        // 8 GiB, so resident memory grows to the size of the packs. On
        // git/git (314 MiB of packs) 16 MiB windows, 64 MiB at most, cost
        // 180 MB peak RSS instead of 440 MB for 6% more time; 4 MiB windows
        // saved 35 MB more but were 20% slower (window churn).
        // SAFETY: libgit2 globals, set once, before this process opens a
        // repository for a history scan (nothing reads packs yet).
        unsafe {
            let _ = git2::opts::set_mwindow_size(MWINDOW_SIZE);
            let _ = git2::opts::set_mwindow_mapped_limit(MWINDOW_MAPPED_LIMIT);
        }
    });
}

/// A repository handle for reading objects. Not shareable across threads:
/// open one per worker.
pub struct Reader {
    repo: Repository,
}

impl Reader {
    /// Opens the repository at its git directory (as [`GitRepo::git_dir`]).
    pub fn open(git_dir: &Path) -> Result<Reader, GitError> {
        configure_libgit2();
        let repo = Repository::open(git_dir).map_err(|e| GitError::Open { path: git_dir.to_path_buf(), source: e })?;
        Ok(Reader { repo })
    }

    /// Reads a blob and hands its bytes to `scan`, unless the blob is larger
    /// than `max_size` (known from the object header, before inflating) or
    /// binary.
    pub fn with_blob<R>(
        &self,
        oid: Oid,
        max_size: u64,
        scan: impl FnOnce(&[u8]) -> R,
    ) -> Result<Result<R, Skip>, GitError> {
        let odb = self.repo.odb()?;
        let (size, kind) = odb.read_header(oid).map_err(|e| GitError::read("blob", oid, e))?;
        if kind != ObjectType::Blob {
            return Err(GitError::Read { kind: "blob", oid, source: git2::Error::from_str(&format!("is a {kind}")) });
        }
        if size as u64 > max_size {
            return Ok(Err(Skip::TooLarge));
        }
        let obj = odb.read(oid).map_err(|e| GitError::read("blob", oid, e))?;
        Ok(match check(obj.data(), max_size) {
            Some(skip) => Err(skip),
            None => Ok(scan(obj.data())),
        })
    }

    /// The repository-relative path (forward slashes) where `blob` was first
    /// seen. A blob a ref points at directly is named after the ref.
    pub fn path_of(&self, history: &History, blob: &BlobEntry) -> Result<String, GitError> {
        if blob.tree == NONE {
            return Ok(history.commit_of(blob.root));
        }
        history.entry_path(&self.repo.odb()?, blob.tree, blob.entry)
    }

    /// The commit that introduced blobs of order `order` (see
    /// [`BlobEntry::order`]). For a tree or blob a ref points at directly:
    /// the ref's target, and the tagger of an annotated tag.
    pub fn commit_info(&self, history: &History, order: u32) -> Result<CommitInfo, GitError> {
        match &history.roots[order as usize] {
            Root::Commit(oid) => {
                let commit = self.repo.find_commit(*oid).map_err(|e| GitError::read("commit", *oid, e))?;
                let author = commit.author();
                Ok(CommitInfo {
                    id: oid.to_string(),
                    author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
                    email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
                    date: rfc3339(author.when().seconds(), author.when().offset_minutes()),
                })
            }
            Root::Ref { name, target } => {
                let mut info = CommitInfo { id: target.to_string(), ..CommitInfo::default() };
                if let Ok(tag) = self.repo.revparse_single(name).and_then(|o| o.peel_to_tag()) {
                    if let Some(tagger) = tag.tagger() {
                        info.author = String::from_utf8_lossy(tagger.name_bytes()).into_owned();
                        info.email = String::from_utf8_lossy(tagger.email_bytes()).into_owned();
                        info.date = rfc3339(tagger.when().seconds(), tagger.when().offset_minutes());
                    }
                }
                Ok(info)
            }
        }
    }

    /// The blobs in HEAD's tree; empty when HEAD does not name a commit yet.
    pub fn head_blobs(&self, warnings: &mut Warnings) -> OidSet {
        let mut blobs = OidSet::default();
        let Ok(tree) = self.repo.head().and_then(|h| h.peel_to_tree()) else { return blobs };
        let odb = match self.repo.odb() {
            Ok(o) => o,
            Err(e) => {
                warnings.push(format!("cannot read HEAD: {}", e.message()));
                return blobs;
            }
        };
        let mut seen = OidSet::default();
        let mut work = vec![tree.id()];
        while let Some(oid) = work.pop() {
            if !seen.insert(oid) {
                continue;
            }
            let obj = match read_kind(&odb, oid, ObjectType::Tree, "tree") {
                Ok(o) => o,
                Err(e) => {
                    warnings.object(e.is_missing(), format!("{e} in HEAD; in_head may be incomplete"));
                    continue;
                }
            };
            let mut pos = 0;
            while let Some((mode, _, id, next)) = parse_entry(obj.data(), pos) {
                pos = next;
                match EntryKind::of(mode) {
                    EntryKind::Blob => {
                        blobs.insert(oid_of(id));
                    }
                    EntryKind::Tree => work.push(oid_of(id)),
                    EntryKind::Other => {}
                }
            }
        }
        blobs
    }
}

/// The repository a history scan reads.
pub struct GitRepo {
    reader: Reader,
    /// Commits at the shallow boundary (their parents are not present).
    shallow: OidSet,
}

impl GitRepo {
    /// Opens the repository at `path` or the nearest parent directory that
    /// has one; bare repositories work too.
    pub fn open(path: &Path) -> Result<GitRepo, GitError> {
        if std::fs::metadata(path).is_err() {
            return Err(GitError::NoSuchPath { path: path.to_path_buf() });
        }
        configure_libgit2();
        let repo = Repository::open_ext(path, RepositoryOpenFlags::empty(), std::iter::empty::<&std::ffi::OsStr>())
            .map_err(|e| match e.code() {
                ErrorCode::NotFound => GitError::NotARepository { path: path.to_path_buf() },
                _ => GitError::Open { path: path.to_path_buf(), source: e },
            })?;
        let mut shallow = OidSet::default();
        if let Ok(text) = std::fs::read(repo.commondir().join("shallow")) {
            shallow.extend(text.split(|&b| b == b'\n').filter_map(|l| parse_hex_oid(l.trim_ascii())));
        }
        Ok(GitRepo { reader: Reader { repo }, shallow })
    }

    /// The git directory (`.git`, or the repository itself when bare).
    pub fn git_dir(&self) -> &Path {
        self.reader.repo.path()
    }

    /// The object database directory (shared by linked work trees).
    pub fn objects_dir(&self) -> PathBuf {
        self.reader.repo.commondir().join("objects")
    }

    /// A shallow clone: history stops at the boundary commits.
    pub fn is_shallow(&self) -> bool {
        !self.shallow.is_empty() || self.reader.repo.is_shallow()
    }

    pub fn reader(&self) -> &Reader {
        &self.reader
    }

    fn repo(&self) -> &Repository {
        &self.reader.repo
    }

    /// Resolves a revision given by the user to a commit.
    fn resolve_commit(&self, name: &str) -> Result<Oid, GitError> {
        let unknown = || GitError::UnknownRef { name: name.to_string() };
        let obj = self.repo().revparse_single(name).map_err(|_| unknown())?;
        Ok(obj.peel_to_commit().map_err(|_| unknown())?.id())
    }

    /// Every ref's target (and HEAD's), sorted by ref name, deduplicated.
    fn ref_tips(&self, warnings: &mut Warnings) -> Vec<(String, Oid)> {
        let mut tips = Vec::new();
        match self.repo().references() {
            Ok(refs) => {
                for r in refs {
                    let r = match r {
                        Ok(r) => r,
                        Err(e) => {
                            warnings.push(format!("cannot read a ref: {}", e.message()));
                            continue;
                        }
                    };
                    let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
                    match r.resolve() {
                        Ok(r) => tips.extend(r.target().map(|t| (name, t))),
                        Err(e) => warnings.push(format!("cannot resolve ref {name}: {}", e.message())),
                    }
                }
            }
            Err(e) => warnings.push(format!("cannot list refs: {}", e.message())),
        }
        if let Some(t) = self.repo().head().ok().and_then(|h| h.target()) {
            tips.push(("HEAD".to_string(), t));
        }
        tips.sort();
        let mut seen = OidSet::default();
        tips.retain(|(_, t)| seen.insert(*t));
        tips
    }

    /// Follows annotated tags to what they point at: (kind, id).
    fn peel(&self, odb: &Odb<'_>, mut oid: Oid) -> Result<(ObjectType, Oid), GitError> {
        for _ in 0..32 {
            let (_, kind) = odb.read_header(oid).map_err(|e| GitError::read("object", oid, e))?;
            if kind != ObjectType::Tag {
                return Ok((kind, oid));
            }
            let tag = read_kind(odb, oid, ObjectType::Tag, "tag")?;
            oid = parse_tag_target(tag.data()).ok_or(GitError::Missing { kind: "tag target of", oid })?;
        }
        Err(GitError::Read { kind: "tag", oid, source: git2::Error::from_str("tag chain too long") })
    }

    /// Enumerates the unique blobs of `selection`. `progress` is called now
    /// and then with the phase ("loaded", "walked") and its commit count.
    pub fn enumerate(
        &self,
        selection: &Selection,
        progress: &mut dyn FnMut(&'static str, usize),
    ) -> Result<History, GitError> {
        let odb = self.repo().odb()?;
        let mut h = History::default();
        #[cfg(test)]
        {
            h.plain_walk = tests::PLAIN_WALK.with(|p| p.get());
        }
        let started = std::time::Instant::now();
        let mut graph = Graph::default();
        let order = match selection {
            Selection::Range { from, to } => {
                let (from, to) = (self.resolve_commit(from)?, self.resolve_commit(to)?);
                self.limited_walk(&odb, &mut graph, from, to, &mut h.warnings);
                graph.topo_order(|n| n.flags & (DONE | UNINTERESTING) == DONE)
            }
            Selection::All | Selection::Ref(_) => {
                let mut tips = Vec::new();
                match selection {
                    Selection::Ref(name) => tips.push((name.clone(), self.resolve_commit(name)?)),
                    _ => tips = self.ref_tips(&mut h.warnings),
                }
                let mut commits = Vec::new();
                for (name, oid) in tips {
                    match self.peel(&odb, oid) {
                        Ok((ObjectType::Commit, c)) => commits.push(c),
                        Ok((ObjectType::Tree | ObjectType::Blob, _)) => h.roots.push(Root::Ref { name, target: oid }),
                        Ok(_) => {}
                        Err(e) => h.warnings.object(e.is_missing(), format!("{e} (ref {name}); not scanned")),
                    }
                }
                self.load_all(&odb, &mut graph, commits, &mut h.warnings, progress);
                graph.topo_order(|_| true)
            }
        };
        h.stats.load_ms = started.elapsed().as_millis();
        let started = std::time::Instant::now();
        // Roots: commits oldest first, then what refs point at directly.
        let refs = std::mem::take(&mut h.roots);
        h.roots = order.iter().map(|&i| Root::Commit(graph.nodes[i as usize].oid)).collect();
        let mut cache = TreeCache::new();
        for (n, &i) in order.iter().enumerate() {
            let node = &graph.nodes[i as usize];
            let Some(tree) = node.tree else { continue };
            match selection {
                Selection::Range { .. } => {
                    let parents = node
                        .parents
                        .iter()
                        .map(|p| graph.index.get(p).and_then(|&pi| graph.nodes[pi as usize].tree))
                        .collect();
                    h.diff_root(&odb, &mut cache, n as u32, tree, parents);
                }
                _ => {
                    let parent = node
                        .parents
                        .first()
                        .and_then(|p| graph.index.get(p))
                        .and_then(|&pi| graph.nodes[pi as usize].tree);
                    #[cfg(test)]
                    let parent = parent.filter(|_| !h.plain_walk);
                    h.walk_root(&odb, &mut cache, n as u32, tree, parent)
                }
            }
            if n % 256 == 0 {
                progress("walked", n);
            }
        }
        for r in refs {
            let root = h.roots.len() as u32;
            let Root::Ref { target, .. } = &r else { continue };
            let target = *target;
            h.roots.push(r);
            match self.peel(&odb, target) {
                Ok((ObjectType::Tree, t)) => h.walk_root(&odb, &mut cache, root, t, None),
                Ok((ObjectType::Blob, b)) => h.add_blob(&raw(b), root, NONE, NONE),
                _ => {}
            }
        }
        h.stats.walk_ms = started.elapsed().as_millis();
        h.stats.commits = order.len();
        h.stats.loaded = graph.nodes.len();
        h.stats.trees = h.trees.len();
        h.stats.blobs = h.blobs.len();
        Ok(h)
    }

    /// Loads every commit reachable from `tips`.
    fn load_all(
        &self,
        odb: &Odb<'_>,
        graph: &mut Graph,
        tips: Vec<Oid>,
        warnings: &mut Warnings,
        progress: &mut dyn FnMut(&'static str, usize),
    ) {
        let mut stack = tips;
        while let Some(oid) = stack.pop() {
            if graph.index.contains_key(&oid) {
                continue;
            }
            let i = graph.load(odb, &self.shallow, oid, warnings);
            stack.extend(graph.nodes[i as usize].parents.iter().filter(|p| !graph.index.contains_key(p)));
            if graph.nodes.len().is_multiple_of(1024) {
                progress("loaded", graph.nodes.len());
            }
        }
    }

    /// Marks the commits reachable from `to` and not from `from` as DONE
    /// (and not UNINTERESTING), looking at as few commits as it can: newest
    /// first by committer time, stopping once everything still queued is
    /// reachable from `from`. Clock skew can only make it include more.
    fn limited_walk(&self, odb: &Odb<'_>, graph: &mut Graph, from: Oid, to: Oid, warnings: &mut Warnings) {
        let mut queue: BinaryHeap<(i64, Reverse<u32>)> = BinaryHeap::new();
        let mut interesting_queued = 0usize;
        let enqueue = |graph: &mut Graph, queue: &mut BinaryHeap<(i64, Reverse<u32>)>, i: u32, count: &mut usize| {
            let node = &mut graph.nodes[i as usize];
            if node.flags & QUEUED == 0 {
                node.flags |= QUEUED;
                if node.flags & UNINTERESTING == 0 {
                    *count += 1;
                }
                queue.push((node.time, Reverse(i)));
            }
        };
        let f = graph.load(odb, &self.shallow, from, warnings);
        graph.nodes[f as usize].flags |= UNINTERESTING;
        enqueue(graph, &mut queue, f, &mut interesting_queued);
        let t = graph.load(odb, &self.shallow, to, warnings);
        enqueue(graph, &mut queue, t, &mut interesting_queued);
        let mut slop = RANGE_SLOP;
        while let Some((_, Reverse(i))) = queue.pop() {
            let node = &mut graph.nodes[i as usize];
            node.flags = (node.flags & !QUEUED) | DONE;
            let uninteresting = node.flags & UNINTERESTING != 0;
            if !uninteresting {
                interesting_queued -= 1;
            }
            let parents = node.parents.clone();
            for p in parents {
                let pi = graph.load(odb, &self.shallow, p, warnings);
                if uninteresting {
                    Self::mark_uninteresting(graph, pi, &mut interesting_queued);
                }
                enqueue(graph, &mut queue, pi, &mut interesting_queued);
            }
            if interesting_queued == 0 {
                if slop == 0 {
                    break;
                }
                slop -= 1;
            } else {
                slop = RANGE_SLOP;
            }
        }
    }

    /// Marks a commit and its already-loaded ancestors as reachable from the
    /// excluded side.
    fn mark_uninteresting(graph: &mut Graph, i: u32, interesting_queued: &mut usize) {
        let mut stack = vec![i];
        while let Some(i) = stack.pop() {
            let node = &mut graph.nodes[i as usize];
            if node.flags & UNINTERESTING != 0 {
                continue;
            }
            node.flags |= UNINTERESTING;
            if node.flags & QUEUED != 0 {
                *interesting_queued -= 1;
            }
            if node.flags & DONE != 0 {
                stack.extend(node.parents.iter().filter_map(|p| graph.index.get(p).copied()));
            }
        }
    }
}

/// Formats a git time as RFC 3339 in its own offset, e.g.
/// `2023-11-14T22:13:20+01:00`.
pub fn rfc3339(seconds: i64, offset_minutes: i32) -> String {
    let local = seconds + i64::from(offset_minutes) * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        off / 60,
        off % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{Signature, Time};

    thread_local! {
        /// Set by a test to make `enumerate` walk without parent diffing.
        pub(super) static PLAIN_WALK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// A repository built from explicit trees and commits, with a clock.
    struct Fixture {
        _dir: tempfile::TempDir,
        repo: Repository,
        clock: i64,
    }

    impl Fixture {
        fn new() -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let repo = Repository::init_bare(dir.path()).unwrap();
            Fixture { _dir: dir, repo, clock: 1_000_000 }
        }

        fn blob(&self, content: &str) -> Oid {
            self.repo.blob(content.as_bytes()).unwrap()
        }

        /// Writes a tree holding `files` (path, content); paths may nest.
        fn tree(&self, files: &[(&str, &str)]) -> Oid {
            let mut top: Vec<(&str, &str)> = Vec::new();
            let mut dirs: std::collections::BTreeMap<&str, Vec<(&str, &str)>> = Default::default();
            for &(path, content) in files {
                match path.split_once('/') {
                    Some((dir, rest)) => dirs.entry(dir).or_default().push((rest, content)),
                    None => top.push((path, content)),
                }
            }
            let mut b = self.repo.treebuilder(None).unwrap();
            for (name, content) in top {
                b.insert(name, self.blob(content), 0o100644).unwrap();
            }
            for (dir, inner) in dirs {
                b.insert(dir, self.tree(&inner), 0o040000).unwrap();
            }
            b.write().unwrap()
        }

        /// Commits `files` with `parents`, moves `branch` there.
        fn commit(&mut self, branch: &str, files: &[(&str, &str)], parents: &[Oid]) -> Oid {
            self.clock += 60;
            let sig = Signature::new("Dev", "dev@example.com", &Time::new(self.clock, 60)).unwrap();
            let tree = self.repo.find_tree(self.tree(files)).unwrap();
            let parents: Vec<git2::Commit> = parents.iter().map(|p| self.repo.find_commit(*p).unwrap()).collect();
            let refs: Vec<&git2::Commit> = parents.iter().collect();
            let id = self.repo.commit(None, &sig, &sig, "msg", &tree, &refs).unwrap();
            self.repo.reference(&format!("refs/heads/{branch}"), id, true, "").unwrap();
            id
        }

        fn open(&self) -> GitRepo {
            GitRepo::open(self.repo.path()).unwrap()
        }
    }

    /// (blob content, introducing commit, path) for every blob, in order.
    fn sightings(git: &GitRepo, h: &History) -> Vec<(String, String, String)> {
        h.blobs()
            .iter()
            .map(|b| {
                let content = git.reader().with_blob(b.oid(), u64::MAX, |d| String::from_utf8_lossy(d).into_owned());
                let commit = git.reader().commit_info(h, b.order()).unwrap().id;
                (content.unwrap().unwrap(), commit, git.reader().path_of(h, b).unwrap())
            })
            .collect()
    }

    fn enumerate(git: &GitRepo, sel: Selection) -> History {
        git.enumerate(&sel, &mut |_, _| {}).unwrap()
    }

    fn s(x: &str) -> String {
        x.to_string()
    }

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
    fn merges_branches_and_tags() {
        let mut f = Fixture::new();
        let base = f.commit("main", &[("README", "r")], &[]);
        let t1 = f.commit("topic", &[("README", "r"), ("t", "topic")], &[base]);
        let m1 = f.commit("main", &[("README", "r"), ("m", "main")], &[base]);
        // Resolution adds a file neither side had.
        let merge = f.commit("main", &[("README", "r"), ("m", "main"), ("t", "topic"), ("fix", "resolved")], &[m1, t1]);
        let lone = f.commit("orphan", &[("o", "orphan")], &[]);
        f.repo.tag_lightweight("v-orphan", &f.repo.find_object(lone, None).unwrap(), false).unwrap();
        f.repo.find_reference("refs/heads/orphan").unwrap().delete().unwrap();
        let git = f.open();
        let h = enumerate(&git, Selection::All);
        let got = sightings(&git, &h);
        let commit_of = |content: &str| got.iter().find(|g| g.0 == content).map(|g| g.1.clone());
        assert_eq!(commit_of("topic"), Some(t1.to_string()));
        assert_eq!(commit_of("main"), Some(m1.to_string()));
        assert_eq!(commit_of("resolved"), Some(merge.to_string()));
        assert_eq!(commit_of("orphan"), Some(lone.to_string()));
        assert_eq!(got.len(), 5);
        // Parents come before children.
        let pos = |c: Oid| got.iter().position(|g| g.1 == c.to_string()).unwrap();
        assert!(pos(base) < pos(t1) && pos(t1) < pos(merge) && pos(m1) < pos(merge));

        let h = enumerate(&git, Selection::Ref("topic".into()));
        let got: Vec<String> = sightings(&git, &h).into_iter().map(|g| g.0).collect();
        assert_eq!(got, ["r", "topic"]);
        assert!(matches!(
            git.enumerate(&Selection::Ref("nope".into()), &mut |_, _| {}),
            Err(GitError::UnknownRef { .. })
        ));
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
    fn a_short_range_reads_few_commits() {
        let mut f = Fixture::new();
        let mut tip = f.commit("main", &[("n", "0")], &[]);
        for i in 1..500 {
            tip = f.commit("main", &[("n", &i.to_string())], &[tip]);
        }
        let git = f.open();
        let h = enumerate(&git, Selection::Range { from: "main~3".into(), to: "main".into() });
        assert_eq!(h.stats.commits, 3);
        assert!(h.stats.loaded < 20, "read {} commits", h.stats.loaded);
        let got: Vec<String> = sightings(&git, &h).into_iter().map(|g| g.0).collect();
        assert_eq!(got, ["497", "498", "499"]);
    }

    #[test]
    fn missing_objects_are_warnings() {
        let mut f = Fixture::new();
        let c1 = f.commit("main", &[("a", "one"), ("d/b", "two")], &[]);
        let c2 = f.commit("main", &[("a", "one"), ("d/b", "two"), ("c", "three")], &[c1]);
        let sub = f.repo.find_commit(c1).unwrap().tree().unwrap().get_name("d").unwrap().id();
        let remove = |oid: Oid| {
            let hex = oid.to_string();
            std::fs::remove_file(f.repo.path().join("objects").join(&hex[..2]).join(&hex[2..])).unwrap();
        };
        remove(sub);
        let git = f.open();
        let h = enumerate(&git, Selection::All);
        let w = std::mem::take(&mut { h }.warnings).into_vec();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains(&sub.to_string()) && w[0].contains("at d/"), "{w:?}");
        remove(c1);
        let h = enumerate(&git, Selection::All);
        let got: Vec<String> = sightings(&git, &h).into_iter().map(|g| g.0).collect();
        assert_eq!(got, ["one", "three"]);
        let w = { h }.warnings.into_vec();
        assert!(w.iter().any(|w| w.contains(&c1.to_string())), "{w:?}");
        let _ = c2;
    }

    #[test]
    fn head_blobs_are_heads_tree() {
        let mut f = Fixture::new();
        let c1 = f.commit("main", &[("a", "one"), ("d/b", "two")], &[]);
        f.commit("main", &[("a", "one")], &[c1]);
        f.repo.set_head("refs/heads/main").unwrap();
        let git = f.open();
        let head = git.reader().head_blobs(&mut Warnings::default());
        assert_eq!(head.len(), 1);
        assert!(head.contains(&f.blob("one")));
    }

    #[test]
    fn parsing_raw_objects() {
        let tree = "1".repeat(40);
        let p = "2".repeat(40);
        let raw = format!(
            "tree {tree}\nparent {p}\nauthor A <a@x> 5 +0000\ncommitter C <c@x> 1700000000 -0130\ngpgsig -----BEGIN\n parent x\n\nparent {p}\n"
        );
        let c = parse_commit(raw.as_bytes()).unwrap();
        assert_eq!(c.tree.to_string(), tree);
        assert_eq!(c.parents.len(), 1);
        assert_eq!(c.time, 1_700_000_000);
        assert!(parse_commit(b"parent x\n").is_none());

        let mut t = Vec::new();
        t.extend_from_slice(b"100644 a.txt\0");
        t.extend_from_slice(&[7; 20]);
        t.extend_from_slice(b"40000 dir\0");
        t.extend_from_slice(&[9; 20]);
        let (mode, name, oid, next) = parse_entry(&t, 0).unwrap();
        assert_eq!((mode, name, oid), (0o100644, &b"a.txt"[..], &[7u8; 20]));
        assert_eq!(EntryKind::of(mode), EntryKind::Blob);
        let (mode, name, _, end) = parse_entry(&t, next).unwrap();
        assert_eq!((EntryKind::of(mode), name), (EntryKind::Tree, &b"dir"[..]));
        assert!(parse_entry(&t, end).is_none());
        assert!(parse_entry(&t[..t.len() - 1], next).is_none());
        assert_eq!(nth_entry_name(&t, 1), Some(&b"dir"[..]));
        assert_eq!(EntryKind::of(0o160000), EntryKind::Other);
        assert_eq!(EntryKind::of(0o120000), EntryKind::Blob);
    }

    #[test]
    fn blobs_are_read_in_pack_order() {
        let mut f = Fixture::new();
        let mut tip = f.commit("main", &[("a", "v0"), ("b", "w0")], &[]);
        for i in 1..20 {
            tip = f.commit("main", &[("a", &format!("v{i}\n").repeat(50)), ("b", "w0")], &[tip]);
        }
        let git = f.open();
        let h = enumerate(&git, Selection::All);
        // Loose objects only: first-sighting order.
        let order = h.pack_order(&git.objects_dir());
        assert_eq!(order, (0..h.blobs().len() as u32).collect::<Vec<_>>());
        let repack =
            std::process::Command::new("git").arg("-C").arg(git.git_dir()).args(["repack", "-a", "-d", "-q"]).status();
        if !repack.is_ok_and(|s| s.success()) {
            return; // no git command line here
        }
        let packs = PackOrder::load(&git.objects_dir());
        let positions: Vec<(u32, u64)> = h.blobs().iter().map(|b| packs.position(&raw(b.oid()))).collect();
        assert!(positions.iter().all(|&(pack, off)| pack == 1 && off > 0), "{positions:?}");
        let order = h.pack_order(&git.objects_dir());
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..h.blobs().len() as u32).collect::<Vec<_>>());
        assert!(order.windows(2).all(|w| positions[w[0] as usize] < positions[w[1] as usize]));
        assert_eq!(packs.position(&[0u8; 20]), (0, 0));
    }

    #[test]
    fn the_optimised_walk_matches_a_plain_walk_on_random_histories() {
        for seed in 1..=4u64 {
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
    fn git_tree_order() {
        use std::cmp::Ordering::*;
        let (file, dir) = (0o100644, 0o040000);
        assert_eq!(git_order(b"a", file, b"b", file), Less);
        assert_eq!(git_order(b"foo", file, b"foo", file), Equal);
        // "foo/" sorts after "foo.c" ('/' > '.'), "foo" before it.
        assert_eq!(git_order(b"foo", dir, b"foo.c", file), Greater);
        assert_eq!(git_order(b"foo", file, b"foo.c", file), Less);
        assert_eq!(git_order(b"foo", dir, b"foo0", file), Less);
        assert_ne!(git_order(b"foo", dir, b"foo", file), Equal);
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

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0, 0), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(1_700_000_000, 0), "2023-11-14T22:13:20+00:00");
        assert_eq!(rfc3339(1_700_000_000, 120), "2023-11-15T00:13:20+02:00");
        assert_eq!(rfc3339(1_700_000_000, -330), "2023-11-14T16:43:20-05:30");
        assert_eq!(rfc3339(951_782_400, 0), "2000-02-29T00:00:00+00:00");
        assert_eq!(rfc3339(-1, 0), "1969-12-31T23:59:59+00:00");
    }

    #[test]
    fn missing_object_warnings_are_capped() {
        let mut w = Warnings::default();
        w.push("first".into());
        for i in 0..MAX_MISSING_WARNINGS + 5 {
            w.object(true, format!("missing blob {i}"));
        }
        let mut other = Warnings::default();
        other.object(true, "missing blob x".into());
        w.extend(other);
        let v = w.into_vec();
        assert_eq!(v.len(), 1 + MAX_MISSING_WARNINGS + 1);
        assert_eq!(v.last().unwrap(), "6 more missing objects not listed");
    }
}

//! Git history as a source: enumerates the unique blobs reachable from a
//! repository's refs (or introduced by a range of commits) and says where
//! each one first appeared.
//!
//! How: commits are loaded from their raw objects and ordered oldest-first,
//! parents before children. Their trees are walked in that order, and a tree
//! already visited is skipped by id, so every tree and blob is read once and
//! the first sighting of a blob is the commit that introduced it and the path
//! it had there. A sighting is kept compact (commit, parent tree record,
//! entry index): path strings are built only on request, i.e. for the few
//! blobs that matched. A range `A..B` loads only the commits reachable from B
//! and not from A and diffs each one's tree against its parents: a blob is
//! new when it differs from the same path in every parent (so a blob written
//! while resolving a merge belongs to the merge commit).
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

use git2::{ErrorCode, ObjectType, Odb, OdbObject, Oid, Repository, RepositoryOpenFlags};

use super::{check, Skip};

/// Why a history scan cannot start.
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
    seen_blobs: OidSet,
    seen_trees: OidSet,
    trees: Vec<TreeRec>,
    roots: Vec<Root>,
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

    /// Whether the walk saw this blob.
    pub fn contains(&self, oid: Oid) -> bool {
        self.seen_blobs.contains(&oid)
    }

    fn push_tree(&mut self, oid: Oid, parent: u32, entry: u32) -> u32 {
        self.trees.push(TreeRec { oid, parent, entry });
        (self.trees.len() - 1) as u32
    }

    fn add_blob(&mut self, oid: Oid, root: u32, tree: u32, entry: u32) {
        if self.seen_blobs.insert(oid) {
            self.blobs.push(BlobEntry { oid, root, tree, entry });
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
    fn read_tree<'o>(&mut self, odb: &'o Odb<'_>, tree: u32, root: u32) -> Option<OdbObject<'o>> {
        let oid = self.trees[tree as usize].oid;
        match read_kind(odb, oid, ObjectType::Tree, "tree") {
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
    fn walk_root(&mut self, odb: &Odb<'_>, root: u32, tree: Oid) {
        if !self.seen_trees.insert(tree) {
            return;
        }
        let rec = self.push_tree(tree, NONE, 0);
        let Some(obj) = self.read_tree(odb, rec, root) else { return };
        struct Frame<'o> {
            obj: OdbObject<'o>,
            rec: u32,
            pos: usize,
            entry: u32,
        }
        let mut stack = vec![Frame { obj, rec, pos: 0, entry: 0 }];
        while let Some(frame) = stack.last_mut() {
            let Some((mode, _, oid, next)) = parse_entry(frame.obj.data(), frame.pos) else {
                stack.pop();
                continue;
            };
            frame.pos = next;
            let (rec, entry) = (frame.rec, frame.entry);
            frame.entry += 1;
            match EntryKind::of(mode) {
                EntryKind::Blob => self.add_blob(oid, root, rec, entry),
                EntryKind::Tree => {
                    if self.seen_trees.insert(oid) {
                        let child = self.push_tree(oid, rec, entry);
                        if let Some(obj) = self.read_tree(odb, child, root) {
                            stack.push(Frame { obj, rec: child, pos: 0, entry: 0 });
                        }
                    }
                }
                EntryKind::Other => {}
            }
        }
    }

    /// Records what `tree` has that differs from the same path in every one
    /// of `parents` (no parents: everything). Trees already visited in this
    /// walk are skipped: their blobs were recorded, or were already present
    /// before the range.
    fn diff_root(&mut self, odb: &Odb<'_>, root: u32, tree: Oid, parents: Vec<Option<Oid>>) {
        if parents.contains(&Some(tree)) || !self.seen_trees.insert(tree) {
            return;
        }
        let rec = self.push_tree(tree, NONE, 0);
        let mut work = vec![(rec, parents)];
        while let Some((rec, parents)) = work.pop() {
            let Some(obj) = self.read_tree(odb, rec, root) else { continue };
            let parent_objs: Vec<Option<OdbObject<'_>>> = parents
                .iter()
                .map(|p| {
                    let oid = (*p)?;
                    match read_kind(odb, oid, ObjectType::Tree, "tree") {
                        Ok(o) => Some(o),
                        Err(e) => {
                            let w = format!("{e} (a parent's tree of {}); compared as empty", self.commit_of(root));
                            self.warnings.object(e.is_missing(), w);
                            None
                        }
                    }
                })
                .collect();
            let parent_maps: Vec<HashMap<&[u8], (u32, Oid)>> =
                parent_objs.iter().map(|o| o.as_ref().map(|o| entry_map(o.data())).unwrap_or_default()).collect();
            let mut pos = 0;
            let mut entry = 0u32;
            while let Some((mode, name, oid, next)) = parse_entry(obj.data(), pos) {
                pos = next;
                let this = entry;
                entry += 1;
                let before: Vec<Option<(u32, Oid)>> = parent_maps.iter().map(|m| m.get(name).copied()).collect();
                if before.iter().any(|b| b.is_some_and(|(_, o)| o == oid)) {
                    continue;
                }
                match EntryKind::of(mode) {
                    EntryKind::Blob => self.add_blob(oid, root, rec, this),
                    EntryKind::Tree => {
                        if self.seen_trees.insert(oid) {
                            let child = self.push_tree(oid, rec, this);
                            let sub = before
                                .iter()
                                .map(|b| b.and_then(|(m, o)| (EntryKind::of(m) == EntryKind::Tree).then_some(o)))
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
fn parse_entry(data: &[u8], pos: usize) -> Option<(u32, &[u8], Oid, usize)> {
    let rest = data.get(pos..)?;
    let sp = memchr::memchr(b' ', rest)?;
    let mut mode = 0u32;
    for &d in &rest[..sp] {
        if !(b'0'..=b'7').contains(&d) {
            return None;
        }
        mode = mode.checked_mul(8)? + u32::from(d - b'0');
    }
    let nul = sp + 1 + memchr::memchr(0, &rest[sp + 1..])?;
    let id = rest.get(nul + 1..nul + 21)?;
    let oid = Oid::from_bytes(id).ok()?;
    Some((mode, &rest[sp + 1..nul], oid, pos + nul + 21))
}

fn entry_map(data: &[u8]) -> HashMap<&[u8], (u32, Oid)> {
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

/// Extra clock-skew tolerance of the range walk: how many more commits it
/// looks at once everything queued is excluded (as git does).
const RANGE_SLOP: usize = 5;

/// A repository handle for reading objects. Not shareable across threads:
/// open one per worker.
pub struct Reader {
    repo: Repository,
}

impl Reader {
    /// Opens the repository at its git directory (as [`GitRepo::git_dir`]).
    pub fn open(git_dir: &Path) -> Result<Reader, GitError> {
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
                        blobs.insert(id);
                    }
                    EntryKind::Tree => work.push(id),
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
        // Every object is read once, so libgit2's object cache only costs
        // memory; hashes are not re-verified on read (git does not either).
        git2::opts::enable_caching(false);
        git2::opts::strict_hash_verification(false);
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
                    h.diff_root(&odb, n as u32, tree, parents);
                }
                _ => h.walk_root(&odb, n as u32, tree),
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
                Ok((ObjectType::Tree, t)) => h.walk_root(&odb, root, t),
                Ok((ObjectType::Blob, b)) => h.add_blob(b, root, NONE, NONE),
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
            if graph.nodes.len() % 1024 == 0 {
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
        assert_eq!((mode, name, oid.as_bytes()), (0o100644, &b"a.txt"[..], &[7u8; 20][..]));
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

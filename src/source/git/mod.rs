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
//! while resolving a merge belongs to the merge commit) and the range's base
//! (the trees of its commits' parents outside it, read once when first
//! needed) does not hold it at any path (so a rename or copy is not new). Blobs are best read
//! in pack order ([`History::read_order`]), which the pack indexes give.
//!
//! Missing objects (broken mirrors, partial clones) become warnings and the
//! walk goes on; a shallow clone's boundary commits are treated as roots.
//!
//! This module must not match: it knows nothing about rules, the engine or
//! findings. It reads bytes and says where they came from.
//!
//! Files: `object` parses object bytes (no I/O), `oid` holds ids and the
//! sets keyed by them, `graph` orders commits, `walk` walks trees and keeps
//! first sightings, `pack_order` reads pack indexes, `reader` reads blobs
//! and commits; `fixture` is test support; `fuzzing` (hidden) exposes the
//! byte parsers of `object`, `oid` and `pack_order` to the fuzz targets.
//! This file holds what they share (errors, typed object reads, capped
//! warnings), opens the repository (refusing object formats other than
//! sha1, which it cannot read),
//! resolves refs and ties the graph to the walk; it neither parses object
//! bytes nor walks trees itself.

mod checkpoint;
mod graph;
mod object;
mod oid;
mod pack_order;
mod reader;
mod walk;

#[cfg(test)]
mod fixture;
#[doc(hidden)]
pub mod fuzzing;

use std::path::{Path, PathBuf};

use git2::{ErrorCode, ObjectType, Odb, OdbObject, Oid, Repository, RepositoryOpenFlags};

use graph::{Graph, Node};
use object::parse_tag_target;
use oid::raw;
use reader::{configure_libgit2, shallow_commits};
use walk::{Root, TreeCache, NONE};

pub use checkpoint::{CheckpointError, WalkCheckpoint};
pub use oid::{OidHasher, OidMap, OidSet};
pub use reader::{shallow_boundary, CommitInfo, Reader};
pub use walk::{BlobEntry, History, Place, WalkStats};

/// What can go wrong reading history. `Missing` and `Read` concern one
/// object and become warnings; the others stop a scan before it starts.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{}: no such file or directory", .path.display())]
    NoSuchPath { path: PathBuf },
    #[error("{}: not a git repository (nor is any parent directory)", .path.display())]
    NotARepository { path: PathBuf },
    /// Not a `source`: the message already holds libgit2's, which a
    /// report of the error chain would print twice.
    #[error("{}: cannot open repository: {}", .path.display(), .error.message())]
    Open { path: PathBuf, error: git2::Error },
    #[error("{} uses the {format} object format, which keyhound does not read yet (only sha1)", .path.display())]
    ObjectFormat { path: PathBuf, format: String },
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

/// Most warnings about missing objects listed one by one; the rest are
/// counted (a blobless partial clone would otherwise print thousands).
const MAX_MISSING_WARNINGS: usize = 20;

/// What a history warning is about: whether an object went unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningAbout {
    /// An object the repository does not have.
    MissingObject,
    /// An object that is there but could not be read.
    UnreadableObject,
    /// Anything else: nothing went unread.
    Other,
}

/// Non-fatal problems, with missing objects capped.
#[derive(Debug, Default, Clone)]
pub struct Warnings {
    /// (what the warning is about, text)
    list: Vec<(WarningAbout, String)>,
    listed_missing: usize,
    unlisted_missing: usize,
}

impl Warnings {
    /// Records a problem that left no object unread.
    pub fn push(&mut self, w: String) {
        self.list.push((WarningAbout::Other, w));
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
        self.list.push((if missing { WarningAbout::MissingObject } else { WarningAbout::UnreadableObject }, w));
    }

    pub fn extend(&mut self, other: Warnings) {
        for (about, w) in other.list {
            match about {
                WarningAbout::Other => self.push(w),
                about => self.object(about == WarningAbout::MissingObject, w),
            }
        }
        self.unlisted_missing += other.unlisted_missing;
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.unlisted_missing == 0
    }

    /// The list and its counts, for a checkpoint.
    fn snapshot(&self) -> (Vec<(WarningAbout, String)>, usize, usize) {
        (self.list.clone(), self.listed_missing, self.unlisted_missing)
    }

    /// What [`Warnings::snapshot`] gave.
    fn restore(list: Vec<(WarningAbout, String)>, listed_missing: usize, unlisted_missing: usize) -> Warnings {
        Warnings { list, listed_missing, unlisted_missing }
    }

    /// The warnings, with a closing line counting unlisted missing objects.
    pub fn into_vec(self) -> Vec<(WarningAbout, String)> {
        let mut list = self.list;
        if self.unlisted_missing > 0 {
            list.push((
                WarningAbout::MissingObject,
                format!("{} more missing objects not listed", self.unlisted_missing),
            ));
        }
        list
    }
}

/// Reads object `oid`, which must be a `want` (named `kind` in errors).
fn read_kind<'o>(odb: &'o Odb<'_>, oid: Oid, want: ObjectType, kind: &'static str) -> Result<OdbObject<'o>, GitError> {
    let obj = odb.read(oid).map_err(|e| GitError::read(kind, oid, e))?;
    if obj.kind() != want {
        return Err(GitError::Read { kind, oid, source: git2::Error::from_str(&format!("is a {}", obj.kind())) });
    }
    Ok(obj)
}

/// A ref that points at a tree or blob directly: (ref name, target).
type RefTarget = (String, Oid);

/// The bytes of the file at `path` (repository-relative, `/`-separated) in
/// the tree of `commit`; `None` when that tree has no such file. The commit
/// must be in the repository (an error otherwise): `keyhound ci` reads the
/// exemptions a pull request is held to from its base commit this way.
pub fn file_at_commit(repo: &Path, commit: &str, path: &str) -> Result<Option<Vec<u8>>, GitError> {
    configure_libgit2();
    let repo = Repository::open_ext(repo, RepositoryOpenFlags::empty(), std::iter::empty::<&std::ffi::OsStr>())
        .map_err(|e| match e.code() {
            ErrorCode::NotFound => GitError::NotARepository { path: repo.to_path_buf() },
            _ => GitError::Open { path: repo.to_path_buf(), error: e },
        })?;
    let oid = Oid::from_str(commit).map_err(|_| GitError::UnknownRef { name: commit.to_string() })?;
    let commit = repo.find_commit(oid).map_err(|e| GitError::read("commit", oid, e))?;
    let tree = commit.tree()?;
    let entry = match tree.get_path(Path::new(path)) {
        Ok(entry) => entry,
        Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if entry.kind() != Some(ObjectType::Blob) {
        return Ok(None);
    }
    let blob = repo.find_blob(entry.id()).map_err(|e| GitError::read("blob", entry.id(), e))?;
    Ok(Some(blob.content().to_vec()))
}

/// Fails with [`GitError::ObjectFormat`] when the repository at or above
/// `path` uses an object format other than sha1 (`extensions.objectformat`
/// in its config, e.g. `git init --object-format=sha256`): keyhound reads
/// sha1 repositories only, and says so before anything else goes wrong.
/// Anything else (no repository, an unreadable config) is left to whoever
/// opens the repository next.
pub fn check_object_format(path: &Path) -> Result<(), GitError> {
    // Discovery finds the git directory without opening the repository,
    // which libgit2 refuses for formats it does not know.
    let Ok(git_dir) = Repository::discover_path(path, std::iter::empty::<&std::ffi::OsStr>()) else { return Ok(()) };
    // A linked work tree's git directory names the shared one, which holds
    // the config.
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(dir) => git_dir.join(dir.trim()),
        Err(_) => git_dir.clone(),
    };
    let Ok(config) = git2::Config::open(&common.join("config")) else { return Ok(()) };
    match config.get_string("extensions.objectformat") {
        Ok(format) if !format.eq_ignore_ascii_case("sha1") => {
            Err(GitError::ObjectFormat { path: work_tree_of(&git_dir), format })
        }
        _ => Ok(()),
    }
}

/// What names the repository of `git_dir` for the user: its work tree (the
/// directory holding `.git`, or what a linked work tree's `gitdir` file
/// names), else the git directory itself (bare).
fn work_tree_of(git_dir: &Path) -> PathBuf {
    let git_dir: PathBuf = git_dir.components().collect();
    if git_dir.file_name().is_some_and(|n| n == ".git") {
        return git_dir.parent().unwrap_or(&git_dir).to_path_buf();
    }
    if git_dir.join("commondir").is_file() {
        if let Ok(link) = std::fs::read_to_string(git_dir.join("gitdir")) {
            if let Some(work) = Path::new(link.trim()).parent() {
                return work.to_path_buf();
            }
        }
    }
    git_dir
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
        check_object_format(path)?;
        let repo = Repository::open_ext(path, RepositoryOpenFlags::empty(), std::iter::empty::<&std::ffi::OsStr>())
            .map_err(|e| match e.code() {
                ErrorCode::NotFound => GitError::NotARepository { path: path.to_path_buf() },
                _ => GitError::Open { path: path.to_path_buf(), error: e },
            })?;
        let shallow = shallow_commits(&repo);
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

    /// Loads the commits of `selection` into `graph`: their walk order
    /// (indices into the graph, parents first), and the trees and blobs that
    /// refs point at directly (ref name, target).
    fn select(
        &self,
        odb: &Odb<'_>,
        graph: &mut Graph,
        selection: &Selection,
        warnings: &mut Warnings,
        progress: &mut dyn FnMut(&'static str, usize),
    ) -> Result<(Vec<u32>, Vec<RefTarget>), GitError> {
        let mut refs = Vec::new();
        let order = match selection {
            Selection::Range { from, to } => {
                let (from, to) = (self.resolve_commit(from)?, self.resolve_commit(to)?);
                graph.limited_walk(odb, &self.shallow, from, to, warnings);
                graph.topo_order(Node::in_range)
            }
            Selection::All | Selection::Ref(_) => {
                let mut tips = Vec::new();
                match selection {
                    Selection::Ref(name) => tips.push((name.clone(), self.resolve_commit(name)?)),
                    _ => tips = self.ref_tips(warnings),
                }
                let mut commits = Vec::new();
                for (name, oid) in tips {
                    match self.peel(odb, oid) {
                        Ok((ObjectType::Commit, c)) => commits.push(c),
                        Ok((ObjectType::Tree | ObjectType::Blob, _)) => refs.push((name, oid)),
                        Ok(_) => {}
                        Err(e) => warnings.object(e.is_missing(), format!("{e} (ref {name}); not scanned")),
                    }
                }
                graph.load_all(odb, &self.shallow, commits, warnings, progress);
                graph.topo_order(|_| true)
            }
        };
        Ok((order, refs))
    }

    /// Enumerates the unique blobs of `selection`. `progress` is called now
    /// and then with the phase ("loaded", "walked") and its commit count.
    pub fn enumerate(
        &self,
        selection: &Selection,
        progress: &mut dyn FnMut(&'static str, usize),
    ) -> Result<History, GitError> {
        self.walk(selection, None, false, progress).map(|(h, _, _)| h)
    }

    /// [`GitRepo::enumerate`], continuing the walk a previous run left
    /// (`previous`) when that is provably the same as walking from scratch
    /// (see [`WalkCheckpoint`]); returns the history, the checkpoint for the
    /// next run, and whether the previous walk was continued.
    pub fn enumerate_incremental(
        &self,
        selection: &Selection,
        previous: Option<&WalkCheckpoint>,
        progress: &mut dyn FnMut(&'static str, usize),
    ) -> Result<(History, WalkCheckpoint, bool), GitError> {
        let (h, checkpoint, resumed) = self.walk(selection, previous, true, progress)?;
        Ok((h, checkpoint.expect("a checkpoint was asked for"), resumed))
    }

    fn walk(
        &self,
        selection: &Selection,
        previous: Option<&WalkCheckpoint>,
        want_checkpoint: bool,
        progress: &mut dyn FnMut(&'static str, usize),
    ) -> Result<(History, Option<WalkCheckpoint>, bool), GitError> {
        let odb = self.repo().odb()?;
        let mut h = History::default();
        #[cfg(test)]
        let plain_walk = fixture::PLAIN_WALK.with(|p| p.get());
        let started = std::time::Instant::now();
        let mut graph = Graph::default();
        let shallow = checkpoint::sorted(&self.shallow);
        let previous = previous.filter(|cp| cp.shallow == shallow);
        if let Some(cp) = previous {
            graph.set_known(cp.commits.clone());
        }
        let (order, refs) = self.select(&odb, &mut graph, selection, &mut h.warnings, progress)?;
        let select_warnings = std::mem::take(&mut h.warnings);
        h.stats.load_ms = started.elapsed().as_millis();
        let started = std::time::Instant::now();
        let order_ids: Vec<Oid> = order.iter().map(|&i| graph.node(i).oid).collect();
        let is_range = matches!(selection, Selection::Range { .. });
        let resume = previous.filter(|cp| !is_range && cp.continues(selection, &shallow, &order_ids));
        let start = match resume {
            Some(cp) => {
                h = History::restore(cp.history.clone(), &cp.order);
                h.warnings = cp.warnings.clone();
                cp.order.len()
            }
            None => 0,
        };
        h.stats.resumed = start;
        h.stats.reused_commits = graph.reused();
        // Roots: commits oldest first, then what refs point at directly.
        h.roots = order_ids.iter().map(|&oid| Root::Commit(oid)).collect();
        if is_range {
            // The parents outside the range: what the range starts from.
            let mut base: Vec<Oid> = order
                .iter()
                .flat_map(|&i| &graph.node(i).parents)
                .filter(|p| graph.index_of(p).is_some_and(|j| !graph.node(j).in_range()))
                .filter_map(|p| graph.tree_of(p))
                .collect();
            base.sort();
            base.dedup();
            h.set_base(base);
        }
        let mut cache = TreeCache::new();
        for (n, &i) in order.iter().enumerate().skip(start) {
            let node = graph.node(i);
            let Some(tree) = node.tree else { continue };
            if is_range {
                let parents = node.parents.iter().map(|p| graph.tree_of(p)).collect();
                h.diff_root(&odb, &mut cache, n as u32, tree, parents);
            } else {
                let parent = node.parents.first().and_then(|p| graph.tree_of(p));
                #[cfg(test)]
                let parent = parent.filter(|_| !plain_walk);
                h.walk_root(&odb, &mut cache, n as u32, tree, parent)
            }
            if n % 256 == 0 {
                progress("walked", n);
            }
        }
        let checkpoint = want_checkpoint.then(|| WalkCheckpoint {
            selection: checkpoint::selection_key(selection),
            shallow,
            commits: graph.readable(),
            order: order_ids,
            history: h.snapshot(),
            warnings: h.warnings.clone(),
        });
        for (name, target) in refs {
            let root = h.roots.len() as u32;
            h.roots.push(Root::Ref { name, target });
            match self.peel(&odb, target) {
                Ok((ObjectType::Tree, t)) => h.walk_root(&odb, &mut cache, root, t, None),
                Ok((ObjectType::Blob, b)) => h.add_blob(&raw(b), root, NONE, NONE, b""),
                _ => {}
            }
        }
        // Warnings in the order a walk from scratch gives them.
        let walked = std::mem::replace(&mut h.warnings, select_warnings);
        h.warnings.extend(walked);
        h.stats.walk_ms = started.elapsed().as_millis();
        h.stats.commits = order.len();
        h.stats.loaded = graph.len();
        h.stats.trees = h.tree_count();
        h.stats.blobs = h.blobs().len();
        Ok((h, checkpoint, resume.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::{enumerate, sightings, Fixture};
    use super::*;

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
        assert_eq!(w[0].0, WarningAbout::MissingObject);
        assert!(w[0].1.contains(&sub.to_string()) && w[0].1.contains("at d/"), "{w:?}");
        remove(c1);
        let h = enumerate(&git, Selection::All);
        let got: Vec<String> = sightings(&git, &h).into_iter().map(|g| g.0).collect();
        assert_eq!(got, ["one", "three"]);
        let w = { h }.warnings.into_vec();
        assert!(w.iter().any(|w| w.0 == WarningAbout::MissingObject && w.1.contains(&c1.to_string())), "{w:?}");
        let _ = c2;
    }

    #[test]
    fn repositories_in_another_object_format_are_named() {
        let git = |dir: &Path, args: &[&str]| {
            std::process::Command::new("git")
                .current_dir(dir)
                .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
                .args(args)
                .output()
                .is_ok_and(|o| o.status.success())
        };
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().canonicalize().unwrap();
        let (work, bare, plain) = (top.join("work"), top.join("bare.git"), top.join("plain"));
        for d in [&work, &plain] {
            std::fs::create_dir(d).unwrap();
        }
        if !git(&work, &["init", "-q", "--object-format=sha256"]) {
            return; // no git command line (or one without sha256) here
        }
        assert!(git(&top, &["init", "-q", "--bare", "--object-format=sha256", "bare.git"]));
        assert!(git(&plain, &["init", "-q", "--object-format=sha1"]));
        std::fs::write(work.join("a"), "a").unwrap();
        assert!(git(&work, &["add", "a"]) && git(&work, &["commit", "-q", "-m", "a"]));
        assert!(git(&work, &["worktree", "add", "-q", "-b", "wt", top.join("linked").to_str().unwrap()]));
        std::fs::create_dir(work.join("sub")).unwrap();
        let named = |path: &Path| match check_object_format(path) {
            Err(GitError::ObjectFormat { path, format }) => Some((path, format)),
            Err(e) => panic!("{e}"),
            Ok(()) => None,
        };
        let sha256 = |p: &Path| Some((p.to_path_buf(), "sha256".to_string()));
        assert_eq!(named(&work), sha256(&work));
        assert_eq!(named(&work.join("sub")), sha256(&work));
        assert_eq!(named(&work.join(".git")), sha256(&work));
        assert_eq!(named(&bare), sha256(&bare));
        // A linked work tree shares the main repository's config.
        assert_eq!(named(&top.join("linked")), sha256(&top.join("linked")));
        assert_eq!(named(&plain), None);
        assert_eq!(named(&top), None, "not a repository: left to whoever opens it");
        let e = GitRepo::open(&work).err().expect("sha256 is refused");
        assert_eq!(
            e.to_string(),
            format!("{} uses the sha256 object format, which keyhound does not read yet (only sha1)", work.display())
        );
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
        assert_eq!(v[0], (WarningAbout::Other, "first".to_string()));
        assert_eq!(v.last().unwrap(), &(WarningAbout::MissingObject, "6 more missing objects not listed".to_string()));
    }
}

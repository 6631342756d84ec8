//! Reading objects for a scan: libgit2's process-wide settings, the
//! per-thread [`Reader`] handle (blob contents, the commit that introduced a
//! blob, every path a blob has had, the blob at a path of HEAD or of a
//! range's base) and the shallow file.
//!
//! A repository repacked while it is read (`git repack -ad`, `git gc`)
//! reads the same: a pack already opened stays readable after it is
//! deleted, and an object that is no longer where the handle last looked
//! makes libgit2 re-scan the pack directory and retry once, as git does.
//! An object the repack dropped is then [`GitError::Missing`], which the
//! scan reports as a missing object (the tests here stage both).
//!
//! Must not walk trees, order commits or parse object bytes: paths come
//! from `walk`, commit and tag fields and path lookups from libgit2.

use std::path::Path;

use git2::{ObjectType, Oid, Repository, Signature};

use super::oid::{parse_hex_oid, OidSet};
use super::walk::{BlobEntry, History, Place, Root};
use super::{GitError, Warnings};
use crate::source::Skip;
use crate::util::time::rfc3339;

/// Size of one mapped window of a pack file.
const MWINDOW_SIZE: usize = 16 << 20;
/// Most pack data mapped at once.
const MWINDOW_MAPPED_LIMIT: usize = 64 << 20;

/// Sets libgit2's process-wide options for history scans, once, before the
/// first repository is opened.
pub(super) fn configure_libgit2() {
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
    pub(super) repo: Repository,
}

impl Reader {
    /// Opens the repository at its git directory (as [`GitRepo::git_dir`](super::GitRepo::git_dir)).
    pub fn open(git_dir: &Path) -> Result<Reader, GitError> {
        configure_libgit2();
        let repo = Repository::open(git_dir).map_err(|e| GitError::Open { path: git_dir.to_path_buf(), error: e })?;
        Ok(Reader { repo })
    }

    /// Reads a blob and hands its bytes to `scan`, unless the blob is larger
    /// than `max_size` (known from the object header, before inflating).
    /// Whether the bytes are text is `scan`'s to find out
    /// ([`crate::source::view`]).
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
        Ok(Ok(scan(obj.data())))
    }

    /// The repository-relative path (forward slashes) where `blob` was first
    /// seen. A blob a ref points at directly is named after the ref.
    pub fn path_of(&self, history: &History, blob: &BlobEntry) -> Result<String, GitError> {
        history.path_of(&self.repo, blob)
    }

    /// The commit that introduced blobs of order `order` (see
    /// [`BlobEntry::order`]). For a tree or blob a ref points at directly:
    /// the ref's target, and the tagger of an annotated tag.
    pub fn commit_info(&self, history: &History, order: u32) -> Result<CommitInfo, GitError> {
        match history.root(order) {
            Root::Commit(oid) => {
                let commit = self.repo.find_commit(*oid).map_err(|e| GitError::read("commit", *oid, e))?;
                let info = CommitInfo::signed(oid.to_string(), &commit.author());
                Ok(info)
            }
            Root::Ref { name, target } => {
                let mut info = CommitInfo { id: target.to_string(), ..CommitInfo::default() };
                if let Ok(tag) = self.repo.revparse_single(name).and_then(|o| o.peel_to_tag()) {
                    if let Some(tagger) = tag.tagger() {
                        info = CommitInfo::signed(info.id, &tagger);
                    }
                }
                Ok(info)
            }
        }
    }

    /// Every path each of `blobs` (indices into [`History::blobs`]) has had,
    /// with the first commit that had it there (see [`History::places`]).
    pub fn places(&self, history: &History, blobs: &[u32], warnings: &mut Warnings) -> Vec<Vec<Place>> {
        match self.repo.odb() {
            Ok(odb) => history.places(&odb, blobs, warnings),
            Err(e) => {
                warnings.push(format!("cannot read paths: {}", e.message()));
                vec![Vec::new(); blobs.len()]
            }
        }
    }

    /// HEAD's root tree; `None` when HEAD does not name a commit yet.
    pub fn head_tree(&self) -> Option<Oid> {
        self.repo.head().and_then(|h| h.peel_to_tree()).map(|t| t.id()).ok()
    }

    /// In a range: the root trees of the commits it starts from (its
    /// commits' parents outside it). Empty for other selections.
    pub fn base_trees(&self, history: &History) -> Vec<Oid> {
        history.base_roots().to_vec()
    }

    /// The blob at `path` (exact bytes, `/`-separated) in tree `tree`;
    /// `None` when there is none (or it is a directory or a submodule).
    pub fn blob_at(&self, tree: Oid, path: &[u8]) -> Option<Oid> {
        #[cfg(unix)]
        let path: &Path = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(path).as_ref();
        #[cfg(not(unix))]
        let owned = String::from_utf8_lossy(path).into_owned();
        #[cfg(not(unix))]
        let path: &Path = owned.as_ref();
        let entry = self.repo.find_tree(tree).ok()?.get_path(path).ok()?;
        (entry.kind() == Some(ObjectType::Blob)).then(|| entry.id())
    }
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

impl CommitInfo {
    /// `id` with the name, email and date of a signature (author or tagger).
    fn signed(id: String, sig: &Signature<'_>) -> CommitInfo {
        CommitInfo {
            id,
            author: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(sig.email_bytes()).into_owned(),
            date: rfc3339(sig.when().seconds(), sig.when().offset_minutes()),
        }
    }
}

/// The commits at the shallow boundary of the repository at or above
/// `path`, as lower-case hex ids; empty when it is not shallow (or is not a
/// repository). The one reading of the `shallow` file, for the history walk
/// and for `keyhound ci`'s fetching alike.
pub fn shallow_boundary(path: &std::path::Path) -> Vec<String> {
    let Ok(repo) = Repository::discover(path) else { return Vec::new() };
    shallow_commits(&repo).iter().map(Oid::to_string).collect()
}

/// The commits at the shallow boundary of `repo` (listed in its `shallow`
/// file): their parents are not present.
pub(super) fn shallow_commits(repo: &Repository) -> OidSet {
    let mut shallow = OidSet::default();
    if let Ok(text) = std::fs::read(repo.commondir().join("shallow")) {
        shallow.extend(text.split(|&b| b == b'\n').filter_map(|l| parse_hex_oid(l.trim_ascii())));
    }
    shallow
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{enumerate, Fixture};
    use super::super::Selection;
    use super::*;

    /// Runs the git command line on the repository at `dir`.
    fn git(dir: &Path, args: &[&str]) -> bool {
        std::process::Command::new("git").arg("-C").arg(dir).args(args).output().is_ok_and(|o| o.status.success())
    }

    /// Every blob of `h` read through `reader`: its content, where it was
    /// first seen and the commit that introduced it.
    fn read_all(reader: &Reader, h: &History) -> Vec<Result<(String, String, String), GitError>> {
        h.blobs()
            .iter()
            .map(|b| {
                let content = reader.with_blob(b.oid(), u64::MAX, |d| String::from_utf8_lossy(d).into_owned())?;
                Ok((content.expect("text"), reader.path_of(h, b)?, reader.commit_info(h, b.order())?.id))
            })
            .collect()
    }

    /// The files in the object directory's `pack/`, and how many loose
    /// objects there are.
    fn objects(dir: &Path) -> (Vec<String>, usize) {
        let objects = dir.join("objects");
        let mut packs: Vec<String> = std::fs::read_dir(objects.join("pack"))
            .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        packs.sort();
        let loose = std::fs::read_dir(&objects)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().len() == 2)
            .map(|e| std::fs::read_dir(e.path()).unwrap().count())
            .sum();
        (packs, loose)
    }

    /// A repository packed once with more history loose after, walked; and
    /// what each of its blobs reads as.
    fn packed_then_loose(repack: &[&str]) -> Option<(Fixture, Oid)> {
        let mut f = Fixture::new();
        let mut tip = f.commit("main", &[("a", "v0")], &[]);
        for i in 1..10 {
            tip = f.commit("main", &[("a", &format!("v{i}\n").repeat(40)), ("b", &format!("w{i}"))], &[tip]);
        }
        if !git(f.repo.path(), repack) {
            return None; // no git command line here
        }
        for i in 10..15 {
            tip = f.commit("main", &[("a", &format!("v{i}\n").repeat(40)), ("c", &format!("x{i}"))], &[tip]);
        }
        Some((f, tip))
    }

    /// `git repack -adf` (or `git gc`) while a history scan reads: the
    /// packs and loose objects the readers were opened on are deleted and
    /// their objects are in a new pack. Readers that already read from the
    /// old pack, and readers that had not read anything yet, read every
    /// object all the same (libgit2 re-scans the pack directory when an
    /// object is not where it was, and retries once, as git does).
    #[test]
    fn a_repository_repacked_during_a_scan_reads_the_same() {
        let plain = &["repack", "-a", "-d", "-f", "-q"][..];
        let midx = &["repack", "-a", "-d", "-f", "-q", "--write-midx"][..];
        let gc = &["gc", "--quiet", "--prune=now"][..];
        for (first, repack) in [(plain, plain), (plain, gc), (midx, midx)] {
            let Some((mut f, tip)) = packed_then_loose(first) else { return };
            let dir = f.repo.path().to_path_buf();
            let repo = f.open();
            let h = enumerate(&repo, Selection::All);
            let want: Vec<_> = read_all(repo.reader(), &h).into_iter().map(Result::unwrap).collect();
            assert_eq!(want.len(), h.blobs().len());
            let used = Reader::open(&dir).unwrap();
            let fresh = Reader::open(&dir).unwrap();
            // Its object database open, so its list of packs is read now:
            // before the repack, with no pack opened.
            fresh.repo.odb().unwrap();
            let half = h.blobs().len() / 2;
            for b in &h.blobs()[..half] {
                used.with_blob(b.oid(), u64::MAX, |_| ()).unwrap().unwrap();
            }
            let (packs_before, loose_before) = objects(&dir);
            assert!(loose_before > 0 && !packs_before.is_empty());
            // A commit after the walk, so the new pack is not the old one.
            f.commit("main", &[("d", "after the walk")], &[tip]);
            assert!(git(&dir, repack), "git {repack:?}");
            let (packs_after, loose_after) = objects(&dir);
            assert_eq!(loose_after, 0, "{repack:?}");
            let old_pack_left = packs_after.iter().any(|p| p.ends_with(".pack") && packs_before.contains(p));
            assert!(!old_pack_left, "{packs_before:?} {packs_after:?}");
            // What `fresh` knew of the object database is out of date: the
            // blobs that were loose are only found after a re-scan of the
            // pack directory.
            let stale = fresh.repo.odb().unwrap();
            let found: Vec<bool> =
                h.blobs().iter().map(|b| stale.exists_ext(b.oid(), git2::OdbLookupFlags::NO_REFRESH)).collect();
            assert!(found.contains(&false), "{first:?} {repack:?} {found:?}");
            for reader in [&used, &fresh, repo.reader()] {
                let got: Vec<_> = read_all(reader, &h).into_iter().map(|r| r.map_err(|e| e.to_string())).collect();
                assert_eq!(got, want.iter().cloned().map(Ok).collect::<Vec<_>>(), "{repack:?}");
            }
            // The walk, too, through the handle it walked with before.
            let again = enumerate(&repo, Selection::All);
            assert!(again.warnings.is_empty(), "{:?}", again.warnings);
            assert_eq!(again.blobs().len(), h.blobs().len() + 1, "and the commit made after the walk");
        }
    }

    /// An object the repack dropped (its branch was deleted after the walk)
    /// is missing: an error the scan reports as a missing object, and the
    /// other objects read as before.
    #[test]
    fn an_object_a_repack_dropped_is_missing() {
        let Some((mut f, tip)) = packed_then_loose(&["repack", "-a", "-d", "-f", "-q"]) else { return };
        let gone = f.commit("gone", &[("secret", "only on the deleted branch")], &[tip]);
        let dir = f.repo.path().to_path_buf();
        let repo = f.open();
        let h = enumerate(&repo, Selection::All);
        let reader = Reader::open(&dir).unwrap();
        let before: Vec<_> = read_all(&reader, &h).into_iter().map(Result::unwrap).collect();
        f.repo.find_reference("refs/heads/gone").unwrap().delete().unwrap();
        assert!(git(&dir, &["repack", "-a", "-d", "-f", "-q"]) && git(&dir, &["prune", "--expire=now"]));
        let mut missing = 0;
        for (b, want) in h.blobs().iter().zip(&before) {
            match reader.with_blob(b.oid(), u64::MAX, |d| String::from_utf8_lossy(d).into_owned()) {
                Ok(content) => assert_eq!(content.unwrap(), want.0),
                Err(e) => {
                    assert_eq!(want.0, "only on the deleted branch");
                    assert!(e.is_missing(), "{e}");
                    assert_eq!(e.to_string(), format!("missing blob {}", b.oid()));
                    missing += 1;
                }
            }
        }
        assert_eq!(missing, 1);
        let _ = gone;
    }
}

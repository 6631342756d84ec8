//! Test support for the git source: repositories built from explicit trees
//! and commits, and what a walk saw in them. Compiled only for tests.
//!
//! Must not hold tests itself (they sit beside the code they test) nor be
//! used outside `#[cfg(test)]` code.

use git2::{Oid, Repository, Signature, Time};

use super::{GitRepo, History, Selection};

thread_local! {
    /// Set by a test to make `enumerate` walk without parent diffing.
    pub(super) static PLAIN_WALK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A repository built from explicit trees and commits, with a clock.
pub(super) struct Fixture {
    _dir: tempfile::TempDir,
    pub(super) repo: Repository,
    clock: i64,
}

impl Fixture {
    pub(super) fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        Fixture { _dir: dir, repo, clock: 1_000_000 }
    }

    pub(super) fn blob(&self, content: &str) -> Oid {
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
    pub(super) fn commit(&mut self, branch: &str, files: &[(&str, &str)], parents: &[Oid]) -> Oid {
        self.clock += 60;
        let sig = Signature::new("Dev", "dev@example.com", &Time::new(self.clock, 60)).unwrap();
        let tree = self.repo.find_tree(self.tree(files)).unwrap();
        let parents: Vec<git2::Commit> = parents.iter().map(|p| self.repo.find_commit(*p).unwrap()).collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        let id = self.repo.commit(None, &sig, &sig, "msg", &tree, &refs).unwrap();
        self.repo.reference(&format!("refs/heads/{branch}"), id, true, "").unwrap();
        id
    }

    pub(super) fn open(&self) -> GitRepo {
        GitRepo::open(self.repo.path()).unwrap()
    }
}

/// (blob content, introducing commit, path) for every blob, in order.
pub(super) fn sightings(git: &GitRepo, h: &History) -> Vec<(String, String, String)> {
    h.blobs()
        .iter()
        .map(|b| {
            let content = git.reader().with_blob(b.oid(), u64::MAX, |d| String::from_utf8_lossy(d).into_owned());
            let commit = git.reader().commit_info(h, b.order()).unwrap().id;
            (content.unwrap().unwrap(), commit, git.reader().path_of(h, b).unwrap())
        })
        .collect()
}

pub(super) fn enumerate(git: &GitRepo, sel: Selection) -> History {
    git.enumerate(&sel, &mut |_, _| {}).unwrap()
}

pub(super) fn s(x: &str) -> String {
    x.to_string()
}

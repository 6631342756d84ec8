//! Facts about the repository a scan looked at, for reports: where its work
//! tree is, where it lives (the `origin` remote), what HEAD is, and whether
//! git tracks a file found on disk. Never content: that is `git` and
//! `staged`.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use git2::Repository;

use crate::util::paths::canonical;
use crate::util::uri::{dir_uri, remote_uri};

/// What a report can say about a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoInfo {
    /// The work tree's root; `None` for a bare repository.
    pub workdir: Option<PathBuf>,
    /// The repository's URI: the `origin` remote (or the only remote) with
    /// any credentials removed, else a `file://` URI of the repository.
    pub uri: String,
    /// HEAD's commit, when there is one.
    pub head: Option<String>,
    /// The branch HEAD is on, unless detached.
    pub branch: Option<String>,
}

/// The root of the work tree containing `path`, if `path` is inside one.
pub fn work_tree_root(path: &Path) -> Option<PathBuf> {
    let repo = Repository::discover(path).ok()?;
    repo.workdir().map(canonical)
}

/// Describes the repository containing `path`; `None` when there is none.
/// `rev` names the commit scanned when it is not HEAD (a branch, or the tip
/// of a range); it is reported as `head`.
pub fn repo_info(path: &Path, rev: Option<&str>) -> Option<RepoInfo> {
    let repo = Repository::discover(path).ok()?;
    let workdir = repo.workdir().map(canonical);
    let local = workdir.clone().unwrap_or_else(|| canonical(repo.path()));
    let remote = repo
        .find_remote("origin")
        .ok()
        .or_else(|| {
            let names = repo.remotes().ok()?;
            if names.len() == 1 {
                repo.find_remote(names.get(0)?).ok()
            } else {
                None
            }
        })
        .and_then(|r| r.url().map(str::to_string));
    let uri = remote.and_then(|u| remote_uri(&u, &local)).unwrap_or_else(|| dir_uri(&local));
    let (head, branch) = match rev {
        Some(rev) => {
            let commit = repo.revparse_single(rev).and_then(|o| o.peel_to_commit()).ok().map(|c| c.id().to_string());
            let branch = repo
                .find_branch(rev, git2::BranchType::Local)
                .ok()
                .and_then(|b| b.name().ok().flatten().map(str::to_string));
            (commit, branch)
        }
        None => {
            let head = repo.head().ok();
            let branch = head.as_ref().filter(|h| h.is_branch()).and_then(|h| h.shorthand().map(str::to_string));
            (head.and_then(|h| h.peel_to_commit().ok()).map(|c| c.id().to_string()), branch)
        }
    };
    Some(RepoInfo { workdir, uri, head, branch })
}

/// For each file, whether the git repository whose work tree holds it
/// tracks it (it is in the index): `Some(false)` for a file git ignores or
/// never saw, `None` outside any work tree (or when the index cannot be
/// read). Each directory is resolved and looked up once, and each
/// repository's index read once: a scan with findings in thousands of
/// files costs a few system calls per directory, not a repository search
/// per file.
pub fn tracked_by_git(files: &[&Path]) -> Vec<Option<bool>> {
    let mut dirs = WorkTrees::default();
    files
        .iter()
        .map(|file| {
            let name = file.file_name()?;
            let dir = dirs.canonical_dir(file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")));
            let (workdir, index) = dirs.holding(&dir)?;
            let rel = dir.join(name);
            let rel = rel.strip_prefix(workdir).ok()?;
            Some(index.get_path(rel, 0).is_some())
        })
        .collect()
}

/// What [`tracked_by_git`] learnt about directories: their canonical
/// form, the work tree root each is under, and each work tree's index.
#[derive(Default)]
struct WorkTrees {
    canonical: HashMap<PathBuf, PathBuf>,
    /// Canonical directory → the nearest directory at or above it with a
    /// `.git` entry, if any.
    root: HashMap<PathBuf, Option<PathBuf>>,
    /// That directory → its repository's work tree (canonical) and index.
    repos: HashMap<PathBuf, Option<(PathBuf, git2::Index)>>,
}

impl WorkTrees {
    /// `dir` resolved: its parent's canonical form and its own name, unless
    /// it is a symbolic link (or has `.`, `..` or no parent), which the
    /// file system resolves.
    fn canonical_dir(&mut self, dir: &Path) -> PathBuf {
        if let Some(known) = self.canonical.get(dir) {
            return known.clone();
        }
        let plain = dir.components().all(|c| matches!(c, Component::Normal(_) | Component::RootDir));
        let resolved = match (dir.parent().filter(|p| !p.as_os_str().is_empty()), dir.file_name()) {
            (Some(parent), Some(name))
                if plain && !dir.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) =>
            {
                self.canonical_dir(parent).join(name)
            }
            _ => canonical(dir),
        };
        self.canonical.insert(dir.to_path_buf(), resolved.clone());
        resolved
    }

    /// The nearest directory at or above `dir` (canonical) that has a
    /// `.git` entry: where `Repository::discover` would stop.
    fn root_of(&mut self, dir: &Path) -> Option<PathBuf> {
        let mut walked = Vec::new();
        let mut at = Some(dir);
        let found = loop {
            let Some(d) = at else { break None };
            if let Some(known) = self.root.get(d) {
                break known.clone();
            }
            walked.push(d.to_path_buf());
            if d.join(".git").symlink_metadata().is_ok() {
                break Some(d.to_path_buf());
            }
            at = d.parent();
        };
        for d in walked {
            self.root.insert(d, found.clone());
        }
        found
    }

    /// The work tree holding `dir` (canonical) and its index.
    fn holding(&mut self, dir: &Path) -> Option<(&Path, &git2::Index)> {
        let root = self.root_of(dir)?;
        let repo = self.repos.entry(root).or_insert_with_key(|root| {
            let repo = Repository::discover(root).ok()?;
            let workdir = canonical(repo.workdir()?);
            Some((workdir, repo.index().ok()?))
        });
        repo.as_ref().map(|(w, i)| (w.as_path(), i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracked_files_are_those_in_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/app.py"), "x").unwrap();
        std::fs::write(dir.path().join(".env"), "y").unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("src/app.py")).unwrap();
        index.write().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("loose.txt"), "z").unwrap();
        let files = [dir.path().join("src/app.py"), dir.path().join(".env"), outside.path().join("loose.txt")];
        let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        assert_eq!(tracked_by_git(&refs), [Some(true), Some(false), None]);
    }

    #[test]
    fn a_nested_repository_answers_for_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let outer = Repository::init(dir.path()).unwrap();
        let inner_dir = dir.path().join("vendor/lib");
        let inner = Repository::init(&inner_dir).unwrap();
        std::fs::create_dir_all(inner_dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.path().join("vendor/docs")).unwrap();
        for f in ["vendor/lib/src/a.rs", "vendor/lib/src/b.rs", "vendor/docs/c.md"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let mut index = inner.index().unwrap();
        index.add_path(Path::new("src/a.rs")).unwrap();
        index.write().unwrap();
        let mut index = outer.index().unwrap();
        index.add_path(Path::new("vendor/docs/c.md")).unwrap();
        index.write().unwrap();
        let files = [
            inner_dir.join("src/a.rs"),
            inner_dir.join("src/b.rs"),
            dir.path().join("vendor/docs/c.md"),
            // The same file again, through `..`: resolved, then answered
            // from what was learnt.
            inner_dir.join("src/../src/a.rs"),
        ];
        let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        assert_eq!(tracked_by_git(&refs), [Some(true), Some(false), Some(true), Some(true)]);
    }
}

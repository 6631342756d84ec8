//! Facts about the repository a scan looked at, for reports: where its work
//! tree is, where it lives (the `origin` remote), what HEAD is, and whether
//! git tracks a file found on disk. Never content: that is `git` and
//! `staged`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

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
/// read). Each repository's index is read once.
pub fn tracked_by_git(files: &[&Path]) -> Vec<Option<bool>> {
    let mut indexes: HashMap<PathBuf, Option<git2::Index>> = HashMap::new();
    files
        .iter()
        .map(|file| {
            let abs = canonical(file);
            let dir = abs.parent()?;
            let repo = Repository::discover(dir).ok()?;
            let workdir = canonical(repo.workdir()?);
            let rel = abs.strip_prefix(&workdir).ok()?;
            let index = indexes.entry(workdir.clone()).or_insert_with(|| repo.index().ok()).as_ref()?;
            Some(index.get_path(rel, 0).is_some())
        })
        .collect()
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
}

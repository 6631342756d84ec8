//! Facts about the repository a scan looked at, for reports: where its work
//! tree is, where it lives (the `origin` remote), and what HEAD is. Never
//! content: that is `git` and `staged`.

use std::path::{Path, PathBuf};

use git2::Repository;

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
    let uri = remote.and_then(|u| remote_uri(&u, &local)).unwrap_or_else(|| crate::uri::file_uri(&with_slash(&local)));
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

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

fn with_slash(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    if !s.to_string_lossy().ends_with('/') {
        s.push("/");
    }
    PathBuf::from(s)
}

/// A remote URL as a URI fit for a report: credentials (`user:token@`)
/// removed, scp-like `git@host:path` turned into `ssh://git@host/path`, and
/// local paths into `file://` URIs (relative ones resolved against `repo`).
pub fn remote_uri(url: &str, repo: &Path) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
            return None;
        }
        let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
        let host = match authority.rsplit_once('@') {
            // Keep a bare user name for ssh (`git@`); drop anything with a
            // password or token, and every user for http(s).
            Some((user, host)) if scheme.starts_with("ssh") && !user.contains(':') => format!("{user}@{host}"),
            Some((_, host)) => host.to_string(),
            None => authority.to_string(),
        };
        if scheme == "file" {
            return Some(format!("file://{host}/{path}"));
        }
        return Some(format!("{scheme}://{host}/{path}"));
    }
    // scp-like syntax: [user@]host:path, where host has no slash.
    if let Some((host, path)) = url.split_once(':') {
        if !host.contains('/') && !host.is_empty() && host.len() > 1 {
            let host = match host.rsplit_once('@') {
                Some((user, h)) if !user.contains(':') => format!("{user}@{h}"),
                Some((_, h)) => h.to_string(),
                None => host.to_string(),
            };
            return Some(format!("ssh://{host}/{}", path.trim_start_matches('/')));
        }
    }
    let p = Path::new(url);
    let abs = if p.is_absolute() { p.to_path_buf() } else { repo.join(p) };
    Some(crate::uri::file_uri(&canonical(&abs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_uris_lose_credentials() {
        let repo = Path::new("/r");
        assert_eq!(
            remote_uri("https://x-access-token:ghs_abc@github.com/o/r.git", repo).unwrap(),
            "https://github.com/o/r.git"
        );
        assert_eq!(remote_uri("https://github.com/o/r", repo).unwrap(), "https://github.com/o/r");
        assert_eq!(remote_uri("git@github.com:o/r.git", repo).unwrap(), "ssh://git@github.com/o/r.git");
        assert_eq!(remote_uri("ssh://git@host:22/o/r", repo).unwrap(), "ssh://git@host:22/o/r");
        assert_eq!(remote_uri("file:///srv/git/r.git", repo).unwrap(), "file:///srv/git/r.git");
        assert_eq!(remote_uri("/srv/git/r.git", repo).unwrap(), "file:///srv/git/r.git");
        assert_eq!(remote_uri("", repo), None);
    }
}

//! Many repositories for one `keyhound history` run: the list
//! (`--repos FILE`, or what a forge listed), each entry's name and identity,
//! the share of it one shard scans (`--shard I/N`, [`shard`]) and the local
//! mirrors of repositories given by clone URL ([`mirror`]).
//!
//! Must not scan, walk history or talk to a forge's API (the command does,
//! with what this module gives it).

pub mod mirror;
pub mod shard;

use std::path::{Path, PathBuf};

use crate::util::uri::remote_uri;

/// Where a listed repository is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A repository on this machine (work tree or bare).
    Local(PathBuf),
    /// A clone URL (`https://`, `ssh://`, `git@host:path`, `file://`),
    /// mirrored with the git command line.
    Url(String),
}

/// One repository of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoEntry {
    /// What findings name it by (`repository`): the path as listed, the
    /// forge's `org/name`, or the URL without credentials.
    pub name: String,
    pub location: Location,
    /// Listed by a forge's API: its clone URL is the forge's word, not the
    /// user's (cloned with the forge's token, over the forge's protocols
    /// only).
    pub from_forge: bool,
}

impl RepoEntry {
    /// A repository given as a line of `--repos`: a URL when it looks like
    /// one, else a path (relative to `base`, the list file's directory).
    pub fn from_line(line: &str, base: &Path) -> RepoEntry {
        let line = line.trim();
        if is_url(line) {
            let name = remote_uri(line, base).unwrap_or_else(|| "(unusable URL)".to_string());
            RepoEntry { name, location: Location::Url(line.to_string()), from_forge: false }
        } else {
            let path = Path::new(line);
            let path = if path.is_absolute() { path.to_path_buf() } else { base.join(path) };
            RepoEntry { name: line.to_string(), location: Location::Local(path), from_forge: false }
        }
    }

    /// What a repository's state is kept under, and what shards are cut
    /// by: the name, which does not depend on the machine (a path as listed,
    /// a URL without credentials, a forge's `org/name`).
    pub fn identity(&self) -> &str {
        &self.name
    }
}

/// Whether a `--repos` line is a clone URL rather than a path.
fn is_url(line: &str) -> bool {
    if line.contains("://") {
        return true;
    }
    // scp-like `user@host:path` (not a Windows drive `C:\`).
    match line.split_once(':') {
        Some((host, _)) => host.contains('@') && !host.contains(['/', '\\']),
        None => false,
    }
}

/// Reads a `--repos` file: one repository per line, local paths or clone
/// URLs; blank lines and lines starting with `#` are skipped; a repeated
/// entry is listed once.
pub fn read_list(file: &Path) -> std::io::Result<Vec<RepoEntry>> {
    let text = std::fs::read_to_string(file)?;
    let base = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok(parse_list(&text, base))
}

fn parse_list(text: &str, base: &Path) -> Vec<RepoEntry> {
    let mut seen = std::collections::HashSet::new();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| RepoEntry::from_line(l, base))
        .filter(|e| seen.insert(e.name.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_paths_or_urls() {
        let list = parse_list(
            "# the team's repositories\n\nrepos/a\n/abs/b\nhttps://tok:x@example.com/o/c.git\ngit@example.com:o/d.git\nrepos/a\n",
            Path::new("/lists"),
        );
        assert_eq!(list.len(), 4);
        assert_eq!(list[0].location, Location::Local(PathBuf::from("/lists/repos/a")));
        assert_eq!(list[0].name, "repos/a");
        assert_eq!(list[1].location, Location::Local(PathBuf::from("/abs/b")));
        assert_eq!(list[2].location, Location::Url("https://tok:x@example.com/o/c.git".into()));
        assert_eq!(list[2].name, "https://example.com/o/c.git", "no credentials in the name");
        assert_eq!(list[3].name, "ssh://git@example.com/o/d.git");
    }
}

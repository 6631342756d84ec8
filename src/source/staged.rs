//! Staged changes: what `git commit` would add, for the pre-commit hook.
//!
//! Diffs HEAD's tree against the index (with rename detection, so a moved
//! file is not "new"), and yields each added or modified staged blob whole —
//! multi-line secrets stay intact — together with the line numbers the diff
//! adds. Deleted files are not yielded. With no HEAD yet (first commit),
//! everything staged is new. Unstaged edits in the work tree are never read.
//!
//! Knows nothing about rules or findings: deciding which findings touch
//! added lines is the pipeline's job.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use git2::{Delta, DiffFindOptions, DiffOptions, ErrorCode, Repository};

use super::{classify, Content};

/// Which lines of a staged file are new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddedLines {
    /// The whole file is new (added file, or first commit).
    All,
    /// Sorted, 1-based, inclusive ranges of added lines.
    Ranges(Vec<(usize, usize)>),
}

impl AddedLines {
    /// True when any line in `first..=last` was added.
    pub fn touches(&self, first: usize, last: usize) -> bool {
        match self {
            AddedLines::All => true,
            AddedLines::Ranges(r) => r.iter().any(|&(a, b)| a <= last && first <= b),
        }
    }
}

/// One staged file to scan.
#[derive(Debug)]
pub struct StagedFile {
    /// Repository-relative path, `/`-separated.
    pub path: String,
    pub content: Content,
    pub added: AddedLines,
}

/// Errors that make the staged scan impossible (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum StagedError {
    #[error("{0}: not a git repository (or any parent)")]
    NotARepository(String),
    #[error("{0}: a bare repository has no index to scan")]
    Bare(String),
    #[error("reading staged changes: {0}")]
    Git(#[from] git2::Error),
}

/// What the staged diff holds.
#[derive(Debug, Default)]
pub struct Staged {
    pub files: Vec<StagedFile>,
    /// Blobs that could not be read.
    pub warnings: Vec<String>,
}

/// Reads the staged changes of the repository containing `path`.
pub fn staged_changes(path: &Path, max_file_size: u64) -> Result<Staged, StagedError> {
    let repo = Repository::discover(path).map_err(|_| StagedError::NotARepository(path.display().to_string()))?;
    if repo.is_bare() {
        return Err(StagedError::Bare(path.display().to_string()));
    }
    let index = repo.index()?;
    let head_tree = match repo.head() {
        Ok(head) => Some(head.peel_to_tree()?),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let mut opts = DiffOptions::new();
    opts.context_lines(0).ignore_submodules(true);
    let mut diff = repo.diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut opts))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true).copies(false)))?;

    // Added line ranges per new path, from the zero-context hunks.
    let ranges: RefCell<HashMap<String, Vec<(usize, usize)>>> = RefCell::new(HashMap::new());
    diff.foreach(
        &mut |_, _| true,
        None,
        Some(&mut |delta, hunk| {
            if hunk.new_lines() > 0 {
                if let Some(p) = delta.new_file().path() {
                    let first = hunk.new_start() as usize;
                    let last = first + hunk.new_lines() as usize - 1;
                    ranges.borrow_mut().entry(slash_path(p)).or_default().push((first, last));
                }
            }
            true
        }),
        None,
    )?;
    let mut ranges = ranges.into_inner();

    let mut staged = Staged::default();
    for delta in diff.deltas() {
        let added = match delta.status() {
            Delta::Added | Delta::Copied => AddedLines::All,
            Delta::Modified | Delta::Renamed | Delta::Typechange => AddedLines::Ranges(Vec::new()),
            _ => continue,
        };
        let new = delta.new_file();
        let Some(p) = new.path() else { continue };
        let path = slash_path(p);
        // Submodule entries (commits) have no blob to read.
        if new.mode() == git2::FileMode::Commit {
            continue;
        }
        let added = match added {
            AddedLines::All => AddedLines::All,
            AddedLines::Ranges(_) => {
                let mut r = ranges.remove(&path).unwrap_or_default();
                if r.is_empty() {
                    continue; // renamed or mode change only: nothing new
                }
                r.sort_unstable();
                AddedLines::Ranges(r)
            }
        };
        match repo.find_blob(new.id()) {
            Ok(blob) => {
                let content = classify(blob.content().to_vec(), max_file_size);
                staged.files.push(StagedFile { path, content, added });
            }
            Err(e) => staged.warnings.push(format!("{path}: staged blob {} unreadable: {}", new.id(), e.message())),
        }
    }
    staged.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(staged)
}

fn slash_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touches_overlapping_ranges_only() {
        let r = AddedLines::Ranges(vec![(3, 4), (10, 10)]);
        assert!(r.touches(4, 6));
        assert!(r.touches(1, 3));
        assert!(r.touches(10, 10));
        assert!(!r.touches(5, 9));
        assert!(!r.touches(11, 20));
        assert!(AddedLines::All.touches(1, 1));
    }
}

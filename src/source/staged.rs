//! Staged changes: what `git commit` would add, for the pre-commit hook.
//!
//! Reads the index git names (`GIT_INDEX_FILE`, resolved as git resolves it:
//! a relative path is relative to the top of the work tree), else the
//! repository's own, and diffs HEAD's tree against it (with rename
//! detection, so a moved file is not "new"). Yields each added or modified
//! staged blob whole — multi-line secrets stay intact — together with the
//! line numbers the diff adds. Deleted files are not yielded. With no HEAD
//! yet (first commit), everything staged is new.
//!
//! With files named (the pre-commit framework names them), only those are
//! yielded: one with staged changes as above, one with nothing staged whole
//! from the index (`pre-commit run --all-files` on a clean index), one not
//! in the index at all whole from the work tree (it was asked for by name).
//! Otherwise unstaged edits in the work tree are never read.
//!
//! git sees no lines in binary content. A modified UTF-16 text file is
//! diffed here instead, as decoded text, for the lines it adds; an archive
//! or compressed file (binary content with a container's magic bytes) is
//! yielded whole, with the content HEAD had, so what it already held is not
//! new.
//!
//! Knows nothing about rules or findings: deciding which findings touch
//! added lines is the pipeline's job.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

use git2::{Delta, DiffFindOptions, DiffOptions, ErrorCode, Index, Oid, Repository};

use super::{classify, Content, Skip};

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
    /// A modified container: its content in HEAD (what it already held is
    /// not new); `None` otherwise.
    pub before: Option<Vec<u8>>,
}

/// What to read.
#[derive(Debug, Clone, Copy)]
pub struct StagedRequest<'a> {
    pub max_file_size: u64,
    /// The index to read instead of the repository's own (the value of
    /// `GIT_INDEX_FILE`): a relative path is relative to the top of the work
    /// tree, where git runs hooks and resolves it.
    pub index_file: Option<&'a Path>,
    /// Only these files, as named on the command line, relative to `cwd`;
    /// `None`: every staged change.
    pub files: Option<&'a [PathBuf]>,
    /// The directory named files are relative to.
    pub cwd: &'a Path,
}

/// Errors that make the staged scan impossible (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum StagedError {
    #[error("{0}: not a git repository (or any parent)")]
    NotARepository(String),
    /// A repository libgit2 finds but cannot open (an extension it does not
    /// know, such as reftable refs' `extensions.refstorage`).
    #[error("{path}: cannot open the repository: {message}")]
    Open { path: String, message: String },
    #[error("{0}")]
    ObjectFormat(String),
    #[error("{0}: a bare repository has no index to scan")]
    Bare(String),
    #[error("GIT_INDEX_FILE names {0}, which does not exist: refusing to check an empty index instead")]
    MissingIndex(String),
    #[error("reading the index {path}: {source}")]
    Index { path: String, source: git2::Error },
    #[error("{0} is outside the work tree {1}")]
    OutsideWorkTree(String, String),
    #[error("{0} is a directory: name the files to check")]
    Directory(String),
    #[error("{0}: no such file in the index or the work tree")]
    NoSuchFile(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
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
pub fn staged_changes(path: &Path, request: &StagedRequest) -> Result<Staged, StagedError> {
    super::git::check_object_format(path).map_err(|e| StagedError::ObjectFormat(e.to_string()))?;
    let repo = Repository::discover(path).map_err(|e| match e.code() {
        git2::ErrorCode::NotFound => StagedError::NotARepository(path.display().to_string()),
        _ => StagedError::Open { path: path.display().to_string(), message: e.message().to_string() },
    })?;
    let Some(workdir) = repo.workdir().map(Path::to_path_buf) else {
        return Err(StagedError::Bare(path.display().to_string()));
    };
    let index = match request.index_file {
        None => repo.index()?,
        Some(file) => open_index(&workdir.join(file))?,
    };
    // Named files as repository-relative paths, each once.
    let named: Option<BTreeSet<String>> = match request.files {
        None => None,
        Some(files) => {
            let top = canonical(&workdir);
            let mut set = BTreeSet::new();
            for f in files {
                set.insert(repo_relative(&top, request.cwd, f)?);
            }
            Some(set)
        }
    };
    let head_tree = match repo.head() {
        Ok(head) => Some(head.peel_to_tree()?),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let mut opts = DiffOptions::new();
    opts.context_lines(0).ignore_submodules(true);
    let mut diff = repo.diff_tree_to_index(head_tree.as_ref(), Some(&index), Some(&mut opts))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true).copies(false)))?;
    let wanted = |p: &str| named.as_ref().is_none_or(|n| n.contains(p));

    // Added line ranges per new path, from the zero-context hunks.
    let ranges: RefCell<HashMap<String, Vec<(usize, usize)>>> = RefCell::new(HashMap::new());
    diff.foreach(
        &mut |_, _| true,
        None,
        Some(&mut |delta, hunk| {
            if hunk.new_lines() > 0 {
                if let Some(p) = delta.new_file().path().map(slash_path).filter(|p| wanted(p)) {
                    let first = hunk.new_start() as usize;
                    let last = first + hunk.new_lines() as usize - 1;
                    ranges.borrow_mut().entry(p).or_default().push((first, last));
                }
            }
            true
        }),
        None,
    )?;
    let mut ranges = ranges.into_inner();

    let mut staged = Staged::default();
    // Named paths the diff holds (changed in any way, deleted included):
    // they have staged changes and are checked by them alone.
    let mut changed = HashSet::new();
    for delta in diff.deltas() {
        if delta.status() != Delta::Conflicted {
            for p in [delta.old_file().path(), delta.new_file().path()].into_iter().flatten() {
                changed.insert(slash_path(p));
            }
        }
        let added = match delta.status() {
            Delta::Added | Delta::Copied => AddedLines::All,
            Delta::Modified | Delta::Renamed | Delta::Typechange => AddedLines::Ranges(Vec::new()),
            _ => continue,
        };
        let new = delta.new_file();
        let Some(p) = new.path() else { continue };
        let path = slash_path(p);
        // Submodule entries (commits) have no blob to read.
        if new.mode() == git2::FileMode::Commit || !wanted(&path) {
            continue;
        }
        let added = match added {
            AddedLines::All => AddedLines::All,
            AddedLines::Ranges(_) => {
                let mut r = ranges.remove(&path).unwrap_or_default();
                if r.is_empty() {
                    // No lines added: a rename or mode change only, or a
                    // modified binary file (git diffs no lines in it).
                    let old = delta.old_file();
                    if old.id() != new.id() && !old.id().is_zero() {
                        push_binary_change(&repo, &mut staged, path, new.id(), old.id(), request.max_file_size);
                    }
                    continue;
                }
                r.sort_unstable();
                AddedLines::Ranges(r)
            }
        };
        push_blob(&repo, &mut staged, path, new.id(), added, request.max_file_size);
    }
    // Named paths with nothing staged: whole, from the index; not in the
    // index (untracked, or only conflict stages): whole, from the work tree.
    for path in named.iter().flatten().filter(|p| !changed.contains(*p)) {
        if let Some(entry) = index.get_path(Path::new(path), 0) {
            if entry.mode != u32::from(git2::FileMode::Commit) {
                push_blob(&repo, &mut staged, path.clone(), entry.id, AddedLines::All, request.max_file_size);
            }
            continue;
        }
        let file = workdir.join(path);
        match fs::symlink_metadata(&file) {
            Ok(meta) if meta.is_dir() => return Err(StagedError::Directory(path.clone())),
            Ok(meta) if meta.is_file() => {
                let content = if meta.len() > request.max_file_size {
                    Content::Skipped(Skip::TooLarge)
                } else {
                    let data = fs::read(&file).map_err(|source| StagedError::Io { path: path.clone(), source })?;
                    classify(data, request.max_file_size)
                };
                staged.files.push(StagedFile { path: path.clone(), content, added: AddedLines::All, before: None });
            }
            Ok(_) => {} // a symbolic link or special file: no content of its own
            Err(_) => return Err(StagedError::NoSuchFile(path.clone())),
        }
    }
    staged.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(staged)
}

/// Opens the index file git named; a missing one is an error, never an
/// empty index (that would let everything through).
fn open_index(file: &Path) -> Result<Index, StagedError> {
    if !file.is_file() {
        return Err(StagedError::MissingIndex(file.display().to_string()));
    }
    Index::open(file).map_err(|source| StagedError::Index { path: file.display().to_string(), source })
}

fn push_blob(repo: &Repository, staged: &mut Staged, path: String, id: Oid, added: AddedLines, max_file_size: u64) {
    match repo.find_blob(id) {
        Ok(blob) => {
            let content = classify(blob.content().to_vec(), max_file_size);
            staged.files.push(StagedFile { path, content, added, before: None });
        }
        Err(e) => staged.warnings.push(format!("{path}: staged blob {id} unreadable: {}", e.message())),
    }
}

/// Yields a modified file git diffed no lines of: UTF-16 text with the
/// lines its decoded text adds; a container whole, with its HEAD content
/// `old` as `before`; anything else not at all.
fn push_binary_change(repo: &Repository, staged: &mut Staged, path: String, id: Oid, old: Oid, max_file_size: u64) {
    let blob = match repo.find_blob(id) {
        Ok(blob) => blob,
        Err(e) => return staged.warnings.push(format!("{path}: staged blob {id} unreadable: {}", e.message())),
    };
    let before = repo.find_blob(old).map(|b| b.content().to_vec()).unwrap_or_default();
    match classify(blob.content().to_vec(), max_file_size) {
        Content::Text(text) => {
            let old_text = match classify(before, max_file_size) {
                Content::Text(t) => t,
                _ => Vec::new(),
            };
            match added_lines(&old_text, &text) {
                Ok(r) if r.is_empty() => {}
                Ok(r) => staged.files.push(StagedFile {
                    path,
                    content: Content::Text(text),
                    added: AddedLines::Ranges(r),
                    before: None,
                }),
                Err(e) => staged.warnings.push(format!("{path}: cannot diff the decoded text: {}", e.message())),
            }
        }
        Content::Binary(data) if super::container::sniff(&data).is_some() => staged.files.push(StagedFile {
            path,
            content: Content::Binary(data),
            added: AddedLines::All,
            before: Some(before),
        }),
        _ => {}
    }
}

/// The 1-based, inclusive ranges of lines `new` adds to `old` (sorted).
fn added_lines(old: &[u8], new: &[u8]) -> Result<Vec<(usize, usize)>, git2::Error> {
    let mut opts = DiffOptions::new();
    opts.context_lines(0).force_text(true);
    let patch = git2::Patch::from_buffers(old, None, new, None, Some(&mut opts))?;
    let mut ranges = Vec::new();
    for h in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(h)?;
        if hunk.new_lines() > 0 {
            let first = hunk.new_start() as usize;
            ranges.push((first, first + hunk.new_lines() as usize - 1));
        }
    }
    ranges.sort_unstable();
    Ok(ranges)
}

/// `path` with symbolic links resolved as far as it exists; the rest, which
/// does not exist (yet), is appended as written.
fn canonical(path: &Path) -> PathBuf {
    for (i, existing) in path.ancestors().enumerate() {
        if let Ok(mut real) = fs::canonicalize(existing) {
            let rest: Vec<Component> = path.components().rev().take(i).collect();
            real.extend(rest.into_iter().rev());
            return real;
        }
    }
    path.to_path_buf()
}

/// `/`-separated path of `named` (relative to `cwd`) inside the work tree
/// whose canonical top is `top`.
fn repo_relative(top: &Path, cwd: &Path, named: &Path) -> Result<String, StagedError> {
    let mut lexical = PathBuf::new();
    for c in cwd.join(named).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let outside = || StagedError::OutsideWorkTree(named.display().to_string(), top.display().to_string());
    let rel = canonical(&lexical).strip_prefix(top).map_err(|_| outside())?.to_path_buf();
    if rel.as_os_str().is_empty() {
        return Err(StagedError::Directory(named.display().to_string()));
    }
    if rel.components().next().is_some_and(|c| c.as_os_str() == ".git") {
        return Err(outside());
    }
    Ok(slash_path(&rel))
}

fn slash_path(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_paths_become_repository_relative() {
        let dir = tempfile::tempdir().unwrap();
        let top = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(top.join("sub")).unwrap();
        let sub = top.join("sub");
        let rel = |cwd: &Path, named: &str| repo_relative(&top, cwd, Path::new(named));
        assert_eq!(rel(&top, "a.txt").unwrap(), "a.txt");
        assert_eq!(rel(&sub, "b/c.txt").unwrap(), "sub/b/c.txt");
        assert_eq!(rel(&sub, "../a.txt").unwrap(), "a.txt");
        assert_eq!(rel(&sub, &top.join("sub/./d.txt").display().to_string()).unwrap(), "sub/d.txt");
        assert!(matches!(rel(&sub, ".."), Err(StagedError::Directory(_))));
        assert!(matches!(rel(&top, "../elsewhere.txt"), Err(StagedError::OutsideWorkTree(..))));
        assert!(matches!(rel(&top, ".git/config"), Err(StagedError::OutsideWorkTree(..))));
    }

    /// `git init` with `format` in `dir` (canonical), or `None` where there
    /// is no git command line, or one without that format: the test then
    /// has nothing to check.
    fn git_init(dir: &Path, format: &str) -> Option<PathBuf> {
        let top = fs::canonicalize(dir).unwrap();
        let init = std::process::Command::new("git").arg("-C").arg(&top).args(["init", "-q", format]).output();
        init.is_ok_and(|o| o.status.success()).then_some(top)
    }

    #[test]
    fn a_reftable_repository_is_named_as_one_libgit2_cannot_open() {
        let dir = tempfile::tempdir().unwrap();
        let Some(top) = git_init(dir.path(), "--ref-format=reftable") else { return };
        let request = StagedRequest { max_file_size: 1 << 20, index_file: None, files: None, cwd: &top };
        match staged_changes(&top, &request) {
            Err(e @ StagedError::Open { .. }) => {
                let m = e.to_string();
                assert!(m.contains("cannot open the repository") && m.contains("extensions.refstorage"), "{m}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_sha256_repository_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let Some(top) = git_init(dir.path(), "--object-format=sha256") else { return };
        fs::write(top.join("a.env"), "A=1\n").unwrap();
        let request = StagedRequest { max_file_size: 1 << 20, index_file: None, files: None, cwd: &top };
        match staged_changes(&top, &request) {
            Err(StagedError::ObjectFormat(m)) => assert_eq!(
                m,
                format!(
                    "{} uses the sha256 object format, which keyhound does not read yet (only sha1)",
                    top.display()
                )
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lines_added_to_decoded_text() {
        assert_eq!(added_lines(b"a\nb\nc\n", b"a\nB\nc\nd\n").unwrap(), [(2, 2), (4, 4)]);
        assert_eq!(added_lines(b"", b"x\ny\n").unwrap(), [(1, 2)]);
        assert!(added_lines(b"same\n", b"same\n").unwrap().is_empty());
    }

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

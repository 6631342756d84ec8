//! Files in directory trees, enumerated with `ignore`'s parallel walker.
//!
//! Reads every file by default — git-ignored ones included, since a local,
//! ignored `.env` is the commonest leak — and respects `.gitignore`,
//! `.ignore` and git's exclude files only when asked to skip ignored files.
//! Walks hidden files but never `.git/`, and does not follow symbolic links.
//! Enumeration only stats files; reading happens later, in parallel,
//! through [`read`], which copies each file into a buffer and never maps it
//! (a file truncated while mapped would fault): a file that shrank, grew or
//! vanished since the walk is read as it now is, or is an error for the
//! caller to warn about.
//!
//! Must not match or decide what a failed read means for the scan.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use ignore::{WalkBuilder, WalkState};

use super::{classify, Content, Skip};

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Skip what `.gitignore`, `.ignore` and git's exclude files ignore.
    pub skip_ignored: bool,
    pub threads: usize,
    pub max_file_size: u64,
    /// Containers opened along one chain, at most (`--archive-depth`).
    pub archive_depth: usize,
}

impl WalkOptions {
    /// How archives among the files are opened.
    pub fn archives(&self) -> super::container::Limits {
        super::container::Limits { depth: self.archive_depth, max_member_size: self.max_file_size }
    }
}

/// A file to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileEntry {
    /// What findings show: relative to the working directory as given on
    /// the command line, without a leading `./`; lossy (U+FFFD) when the
    /// name is not valid UTF-8.
    pub display: String,
    /// `display`'s exact bytes when they are not valid UTF-8 (Unix only;
    /// elsewhere the lossy `display` is all there is).
    pub display_bytes: Option<Vec<u8>>,
    pub path: PathBuf,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Enumeration {
    /// Files to read, sorted by path so output is deterministic.
    pub files: Vec<FileEntry>,
    /// Files named on the command line over the size limit (those found in
    /// directories are skipped when read: [`read`]).
    pub skipped_large: usize,
    /// Directories or entries that could not be read.
    pub warnings: Vec<String>,
}

enum Walked {
    File(FileEntry),
    Warning(String),
}

/// Lists the regular files under `roots` (files given directly are listed as
/// they are, even if ignored).
pub fn enumerate(roots: &[PathBuf], opts: &WalkOptions) -> Enumeration {
    let mut out = Enumeration::default();
    let mut dirs = Vec::new();
    for root in roots {
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => dirs.push(root.clone()),
            Ok(m) if m.len() > opts.max_file_size => out.skipped_large += 1,
            Ok(_) => out.files.push(FileEntry::new(root.clone())),
            Err(e) => out.warnings.push(format!("{}: {e}", root.display())),
        }
    }
    if let Some((first, rest)) = dirs.split_first() {
        let mut builder = WalkBuilder::new(first);
        for d in rest {
            builder.add(d);
        }
        builder
            .hidden(false)
            .follow_links(false)
            .require_git(false)
            .git_ignore(opts.skip_ignored)
            .git_global(opts.skip_ignored)
            .git_exclude(opts.skip_ignored)
            .ignore(opts.skip_ignored)
            .parents(opts.skip_ignored)
            .threads(opts.threads)
            .filter_entry(|e| e.file_name() != ".git");
        let (tx, rx) = mpsc::channel::<Walked>();
        builder.build_parallel().run(|| {
            let tx = tx.clone();
            Box::new(move |result| {
                let item = match result {
                    Ok(entry) => {
                        if !entry.file_type().is_some_and(|t| t.is_file()) {
                            return WalkState::Continue;
                        }
                        // Not stat'ed here: reading checks the size on the
                        // open file, which saves a lookup of every path.
                        Walked::File(FileEntry::new(entry.into_path()))
                    }
                    Err(e) => Walked::Warning(e.to_string()),
                };
                let _ = tx.send(item);
                WalkState::Continue
            })
        });
        drop(tx);
        for item in rx {
            match item {
                Walked::File(f) => out.files.push(f),
                Walked::Warning(w) => out.warnings.push(w),
            }
        }
    }
    out.files.sort();
    out.files.dedup();
    out
}

impl FileEntry {
    /// The entry for the file at `path`, with its display name.
    pub fn new(path: PathBuf) -> FileEntry {
        FileEntry { display: display_path(&path), display_bytes: display_bytes(&path), path }
    }
}

/// The bytes of [`display_path`]'s name when they are not valid UTF-8: the
/// path's own bytes without a leading `./`.
#[cfg(unix)]
fn display_bytes(path: &Path) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let raw = path.as_os_str().as_bytes();
    if std::str::from_utf8(raw).is_ok() {
        return None;
    }
    let name = match raw.strip_prefix(b"./") {
        Some(rest) if !rest.is_empty() => {
            rest.iter().position(|&b| b != b'/').map_or(&rest[rest.len()..], |i| &rest[i..])
        }
        _ => raw,
    };
    Some(name.to_vec())
}

/// Names that are not Unicode have no byte form on this platform.
#[cfg(not(unix))]
fn display_bytes(_: &Path) -> Option<Vec<u8>> {
    None
}

fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    match s.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.trim_start_matches('/').to_string(),
        _ => s,
    }
}

/// Reads one file, skipping it when it is binary or has grown past the
/// size limit since it was listed. A file that is gone since it was listed
/// (or is no longer a file) is an error, for the caller to report as a
/// warning.
pub fn read(entry: &FileEntry, max_file_size: u64) -> io::Result<Content> {
    read_open(std::fs::File::open(&entry.path)?, max_file_size)
}

/// Reads an open file to its end, whatever its size says: the bytes are
/// copied into a buffer (never mapped), so a file that shrinks or grows
/// while it is read yields what was there — a shorter or longer text, or
/// [`Skip::TooLarge`] past the limit — and cannot fault. A file whose size
/// is already past the limit is skipped unread.
fn read_open(file: std::fs::File, max_file_size: u64) -> io::Result<Content> {
    let size = file.metadata().map_or(0, |m| m.len());
    if size > max_file_size {
        return Ok(Content::Skipped(Skip::TooLarge));
    }
    // `take` hides the file's size from `read_to_end`; without the hint the
    // buffer grows by doubling and copying. The size is only a hint.
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    // Read one byte past the limit to detect a file that grew.
    file.take(max_file_size.saturating_add(1)).read_to_end(&mut data)?;
    if data.len() as u64 > max_file_size {
        return Ok(Content::Skipped(Skip::TooLarge));
    }
    Ok(classify(data, max_file_size))
}

/// Reads standard input whole.
pub fn read_stdin(max_file_size: u64) -> io::Result<Content> {
    let mut data = Vec::new();
    io::stdin().lock().take(max_file_size.saturating_add(1)).read_to_end(&mut data)?;
    Ok(classify(data, max_file_size))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files that change between the walk and the read: staged in the gap
    /// between listing and reading, and between opening (and sizing) a
    /// file and reading it.
    #[test]
    fn files_that_vanish_or_change_after_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["gone.env", "dir.env", "short.env", "long.env", "empty.env", "kept.env"] {
            std::fs::write(dir.path().join(name), "A=1\n".repeat(1000)).unwrap();
        }
        let opts = WalkOptions { skip_ignored: false, threads: 1, max_file_size: 8000, archive_depth: 3 };
        let listed = enumerate(&[dir.path().to_path_buf()], &opts);
        assert_eq!(listed.files.len(), 6);
        let entry = |name: &str| listed.files.iter().find(|f| f.path.ends_with(name)).unwrap();

        // Deleted after the walk listed it: an error saying so.
        std::fs::remove_file(dir.path().join("gone.env")).unwrap();
        let e = read(entry("gone.env"), opts.max_file_size).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        // Replaced by a directory: an error too.
        std::fs::remove_file(dir.path().join("dir.env")).unwrap();
        std::fs::create_dir(dir.path().join("dir.env")).unwrap();
        assert!(read(entry("dir.env"), opts.max_file_size).is_err());

        // Opened (and sized: 4000 bytes) and then cut short, emptied or
        // grown past the limit before it is read: what is there is read.
        let opened = |name: &str| std::fs::File::open(&entry(name).path).unwrap();
        let resize = |name: &str, len: u64| {
            std::fs::OpenOptions::new().write(true).open(dir.path().join(name)).unwrap().set_len(len).unwrap()
        };
        let short = opened("short.env");
        resize("short.env", 6);
        match read_open(short, opts.max_file_size).unwrap() {
            Content::Text(t) => assert_eq!(t, b"A=1\nA="),
            other => panic!("{other:?}"),
        }
        let empty = opened("empty.env");
        resize("empty.env", 0);
        assert!(matches!(read_open(empty, opts.max_file_size).unwrap(), Content::Text(t) if t.is_empty()));
        let long = opened("long.env");
        std::fs::write(dir.path().join("long.env"), "A=1\n".repeat(3000)).unwrap();
        assert!(matches!(read_open(long, opts.max_file_size).unwrap(), Content::Skipped(Skip::TooLarge)));
        // The rest reads as listed.
        assert!(matches!(read(entry("kept.env"), opts.max_file_size).unwrap(), Content::Text(t) if t.len() == 4000));
    }

    #[test]
    fn strips_leading_dot_slash() {
        assert_eq!(display_path(Path::new("./src/a.rs")), "src/a.rs");
        assert_eq!(display_path(Path::new("src/a.rs")), "src/a.rs");
        assert_eq!(display_path(Path::new(".")), ".");
        assert_eq!(display_path(Path::new(".env")), ".env");
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_keep_their_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let entry = FileEntry::new(PathBuf::from(std::ffi::OsStr::from_bytes(b"./dir/caf\xe9.env")));
        assert_eq!(entry.display, "dir/caf\u{fffd}.env");
        assert_eq!(entry.display_bytes.as_deref(), Some(&b"dir/caf\xe9.env"[..]));
        assert_eq!(FileEntry::new(PathBuf::from("./ok.env")).display_bytes, None);
    }
}

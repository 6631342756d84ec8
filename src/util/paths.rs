//! Path helpers shared by every layer: lexical normalisation, `/`-joined
//! relative paths as reports and config globs use them, and canonical paths
//! that fall back to the path given. No knowledge of repositories or of what
//! a path is for.

use std::path::{Component, Path, PathBuf};

/// `path` with `.` and `..` resolved lexically (no file system access, so
/// it agrees with paths built the same way). `..` above a relative start is
/// kept; above the root it stays at the root, as the file system would.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !out.has_root() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A `/`-separated relative path with `.` and `..` resolved; `None` when it
/// climbs above its start.
pub fn normalize_slash(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// `path`'s components joined with `/`, whatever the platform's separator.
pub fn slash_path(path: &Path) -> String {
    let parts: Vec<String> = path.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("/")
}

/// `path` with symbolic links and `..` resolved through the file system, or
/// `path` itself when it cannot be (it does not exist, say).
pub fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `path` relative to `base`, `/`-separated, after canonicalising both;
/// `None` when `path` is not under `base`.
pub fn slash_relative(path: &Path, base: &Path) -> Option<String> {
    canonical(path).strip_prefix(canonical(base)).ok().map(slash_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
        assert_eq!(normalize(Path::new("/a/../../b")), PathBuf::from("/b"));
        assert_eq!(normalize_slash("a/./b/../c"), Some("a/c".into()));
        assert_eq!(normalize_slash("a/../../c"), None);
    }

    #[test]
    fn slash_paths() {
        assert_eq!(slash_path(Path::new("a/b/c.env")), "a/b/c.env");
        assert_eq!(slash_path(Path::new("")), "");
    }

    #[test]
    fn relative_paths_are_canonical() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        assert_eq!(slash_relative(&dir.path().join("a/./b"), dir.path()).as_deref(), Some("a/b"));
        assert_eq!(slash_relative(dir.path(), dir.path()).as_deref(), Some(""));
        assert_eq!(slash_relative(Path::new("/"), dir.path()), None);
        assert_eq!(canonical(Path::new("/no/such/path")), PathBuf::from("/no/such/path"));
    }
}

//! Git object bytes: commit and annotated-tag headers, tree entries, and
//! git's tree entry order. The only place that knows how objects are laid
//! out.
//!
//! Must not do I/O or touch a repository: it parses byte slices it is
//! handed, nothing else.

use std::collections::HashMap;

use git2::Oid;

use super::oid::{parse_hex_oid, RawId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EntryKind {
    Tree,
    Blob,
    /// Submodule commits and anything unknown.
    Other,
}

impl EntryKind {
    pub(super) fn of(mode: u32) -> EntryKind {
        match mode & 0o170000 {
            0o040000 => EntryKind::Tree,
            0o100000 | 0o120000 => EntryKind::Blob,
            _ => EntryKind::Other,
        }
    }
}

/// Parses the tree entry at byte `pos` of a raw tree: (mode, name, id, next
/// position). `None` at the end or on malformed data.
pub(super) fn parse_entry(data: &[u8], pos: usize) -> Option<(u32, &[u8], &RawId, usize)> {
    let rest = data.get(pos..)?;
    // The mode: a few octal digits, then a space (a loop beats memchr on
    // such short spans).
    let mut mode = 0u32;
    let mut sp = 0;
    loop {
        match *rest.get(sp)? {
            b' ' if sp > 0 => break,
            d @ b'0'..=b'7' if sp < 8 => mode = mode * 8 + u32::from(d - b'0'),
            _ => return None,
        }
        sp += 1;
    }
    let nul = sp + 1 + memchr::memchr(0, &rest[sp + 1..])?;
    let id: &RawId = rest.get(nul + 1..nul + 21)?.try_into().ok()?;
    Some((mode, &rest[sp + 1..nul], id, pos + nul + 21))
}

/// Git's tree entry order: by name, a directory's name compared as if it
/// ended with `/`.
pub(super) fn git_order(a: &[u8], a_mode: u32, b: &[u8], b_mode: u32) -> std::cmp::Ordering {
    let n = a.len().min(b.len());
    a[..n].cmp(&b[..n]).then_with(|| {
        let end = |name: &[u8], mode: u32| match name.get(n) {
            Some(&c) => c,
            None if EntryKind::of(mode) == EntryKind::Tree => b'/',
            None => 0,
        };
        end(a, a_mode).cmp(&end(b, b_mode)).then(a.len().cmp(&b.len()))
    })
}

/// A raw tree's entries by name: (mode, id).
pub(super) fn entry_map(data: &[u8]) -> HashMap<&[u8], (u32, &RawId)> {
    let mut map = HashMap::new();
    let mut pos = 0;
    while let Some((mode, name, oid, next)) = parse_entry(data, pos) {
        map.insert(name, (mode, oid));
        pos = next;
    }
    map
}

/// The name of the `n`th entry of a raw tree.
pub(super) fn nth_entry_name(data: &[u8], n: u32) -> Option<&[u8]> {
    let mut pos = 0;
    for _ in 0..n {
        pos = parse_entry(data, pos)?.3;
    }
    parse_entry(data, pos).map(|e| e.1)
}

/// The parts of a commit the walk needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawCommit {
    pub(super) tree: Oid,
    pub(super) parents: Vec<Oid>,
    /// Committer time, seconds since the epoch.
    pub(super) time: i64,
}

pub(super) fn parse_commit(data: &[u8]) -> Option<RawCommit> {
    let (mut tree, mut parents, mut time) = (None, Vec::new(), 0);
    for line in data.split(|&b| b == b'\n') {
        if line.is_empty() {
            break;
        }
        if let Some(h) = line.strip_prefix(b"tree ") {
            tree = parse_hex_oid(h);
        } else if let Some(h) = line.strip_prefix(b"parent ") {
            parents.push(parse_hex_oid(h)?);
        } else if let Some(sig) = line.strip_prefix(b"committer ") {
            let after = memchr::memrchr(b'>', sig).map_or(sig, |i| &sig[i + 1..]);
            time = std::str::from_utf8(after).ok().and_then(|s| s.split_whitespace().next()?.parse().ok()).unwrap_or(0);
        }
    }
    Some(RawCommit { tree: tree?, parents, time })
}

/// The target of an annotated tag object.
pub(super) fn parse_tag_target(data: &[u8]) -> Option<Oid> {
    data.split(|&b| b == b'\n').find_map(|l| l.strip_prefix(b"object ")).and_then(parse_hex_oid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_raw_objects() {
        let tree = "1".repeat(40);
        let p = "2".repeat(40);
        let raw = format!(
            "tree {tree}\nparent {p}\nauthor A <a@x> 5 +0000\ncommitter C <c@x> 1700000000 -0130\ngpgsig -----BEGIN\n parent x\n\nparent {p}\n"
        );
        let c = parse_commit(raw.as_bytes()).unwrap();
        assert_eq!(c.tree.to_string(), tree);
        assert_eq!(c.parents.len(), 1);
        assert_eq!(c.time, 1_700_000_000);
        assert!(parse_commit(b"parent x\n").is_none());

        let mut t = Vec::new();
        t.extend_from_slice(b"100644 a.txt\0");
        t.extend_from_slice(&[7; 20]);
        t.extend_from_slice(b"40000 dir\0");
        t.extend_from_slice(&[9; 20]);
        let (mode, name, oid, next) = parse_entry(&t, 0).unwrap();
        assert_eq!((mode, name, oid), (0o100644, &b"a.txt"[..], &[7u8; 20]));
        assert_eq!(EntryKind::of(mode), EntryKind::Blob);
        let (mode, name, _, end) = parse_entry(&t, next).unwrap();
        assert_eq!((EntryKind::of(mode), name), (EntryKind::Tree, &b"dir"[..]));
        assert!(parse_entry(&t, end).is_none());
        assert!(parse_entry(&t[..t.len() - 1], next).is_none());
        assert_eq!(nth_entry_name(&t, 1), Some(&b"dir"[..]));
        assert_eq!(EntryKind::of(0o160000), EntryKind::Other);
        assert_eq!(EntryKind::of(0o120000), EntryKind::Blob);
    }

    #[test]
    fn git_tree_order() {
        use std::cmp::Ordering::*;
        let (file, dir) = (0o100644, 0o040000);
        assert_eq!(git_order(b"a", file, b"b", file), Less);
        assert_eq!(git_order(b"foo", file, b"foo", file), Equal);
        // "foo/" sorts after "foo.c" ('/' > '.'), "foo" before it.
        assert_eq!(git_order(b"foo", dir, b"foo.c", file), Greater);
        assert_eq!(git_order(b"foo", file, b"foo.c", file), Less);
        assert_eq!(git_order(b"foo", dir, b"foo0", file), Less);
        assert_ne!(git_order(b"foo", dir, b"foo", file), Equal);
    }
}

//! The git object parsers history scans run on repository bytes
//! (`source::git::fuzzing`, wrapping `object`, `oid` and `pack_order`).
//! The first input byte picks the parser; the rest is the object:
//!
//! - 0: a raw tree: entries are read in order, each within the data and
//!   after the previous one, and `nth_entry_name` and the by-name map agree
//!   with them.
//! - 1: a commit header; 2: an annotated tag's target; 3: a hex id (which
//!   must print back as the same hex, lower-cased).
//! - 4: a pack `.idx` file (the version 2 header is prepended): every
//!   object's name, offset and lookup.
//! - 5: git's tree entry order on two names: a total order.

#![no_main]

use std::cmp::Ordering;

use keyhound::source::git::fuzzing::{
    git_order, nth_entry_name, parse_commit, parse_hex_oid, parse_tag_target, tree_entries, tree_entry_at,
    tree_entry_map, PackIdx,
};
use libfuzzer_sys::fuzz_target;

fn tree(data: &[u8]) {
    let entries = tree_entries(data);
    let mut pos = 0;
    for (n, e) in entries.iter().enumerate() {
        assert_eq!(e.start, pos);
        assert!(e.next > e.start && e.next <= data.len(), "entry {n}: {}..{} of {}", e.start, e.next, data.len());
        assert!(!e.name.contains(&0), "a name holds no NUL");
        assert_eq!(tree_entry_at(data, e.start), Some((e.mode, e.name, e.id, e.next)));
        assert_eq!(nth_entry_name(data, n as u32), Some(e.name));
        pos = e.next;
    }
    assert_eq!(nth_entry_name(data, entries.len() as u32), None);
    let map = tree_entry_map(data);
    assert!(map.len() <= entries.len());
    for (name, mode, id) in map {
        // The last entry of a name wins, as in a map.
        let last = entries.iter().rev().find(|e| e.name == name).expect("mapped name is an entry");
        assert_eq!((last.mode, last.id), (mode, id));
    }
    // Starting anywhere never panics.
    for at in [1, data.len() / 2, data.len(), data.len() + 1] {
        let _ = tree_entry_at(data, at);
    }
}

fn pack_index(data: &[u8]) {
    let mut idx = vec![0xff, b't', b'O', b'c', 0, 0, 0, 2];
    idx.extend_from_slice(data);
    let Some(pack) = PackIdx::parse(idx) else { return };
    for i in 0..pack.len().min(4096) {
        let name = pack.name(i);
        let _ = pack.offset(i);
        if let Some(j) = pack.find(&name) {
            assert_eq!(pack.name(j), name);
        }
    }
    for probe in [[0u8; 20], [0xff; 20], [0x80; 20]] {
        if let Some(j) = pack.find(&probe) {
            assert_eq!(pack.name(j), probe);
        }
    }
}

fn order(data: &[u8]) {
    if data.len() < 2 {
        return;
    }
    let modes = [0o040000, 0o100644, 0o120000, 0o160000];
    let (am, bm) = (modes[usize::from(data[0] & 3)], modes[usize::from(data[0] >> 2 & 3)]);
    let split = usize::from(data[1]).min(data.len() - 2);
    let (a, b) = data[2..].split_at(split);
    let ab = git_order(a, am, b, bm);
    assert_eq!(ab, git_order(b, bm, a, am).reverse(), "antisymmetric");
    assert_eq!(git_order(a, am, a, am), Ordering::Equal);
    if a != b {
        assert_ne!(ab, Ordering::Equal, "distinct names differ");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else { return };
    match kind % 6 {
        0 => tree(rest),
        1 => {
            if let Some((tree, parents, _time)) = parse_commit(rest) {
                let text = String::from_utf8_lossy(rest);
                assert!(
                    text.contains(&format!("tree {tree}")) || text.to_lowercase().contains(&format!("tree {tree}"))
                );
                assert!(parents.len() <= rest.len() / 48);
            }
        }
        2 => {
            let _ = parse_tag_target(rest);
        }
        3 => {
            if let Some(oid) = parse_hex_oid(rest) {
                assert_eq!(oid.to_string().as_bytes(), rest.to_ascii_lowercase().as_slice());
            }
        }
        4 => pack_index(rest),
        _ => order(rest),
    }
});

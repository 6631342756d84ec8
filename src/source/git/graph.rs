//! The commit graph: loads commits, orders them parents first (a
//! topological order that follows committer time where it can), and limits
//! a range `A..B` to the commits reachable from B and not from A.
//!
//! Knows nothing of trees or blobs: it keeps each commit's root tree id for
//! the walk, but never reads a tree. Commit bytes are parsed by `object`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use git2::{ObjectType, Odb, Oid};

use super::object::parse_commit;
use super::oid::{OidMap, OidSet};
use super::{read_kind, Warnings};

const UNINTERESTING: u8 = 1;
const QUEUED: u8 = 2;
const DONE: u8 = 4;

/// Extra clock-skew tolerance of the range walk: how many more commits it
/// looks at once everything queued is excluded (as git does).
const RANGE_SLOP: usize = 5;

pub(super) struct Node {
    pub(super) oid: Oid,
    /// `None` when the commit could not be read.
    pub(super) tree: Option<Oid>,
    time: i64,
    pub(super) parents: Vec<Oid>,
    flags: u8,
}

impl Node {
    /// Whether [`Graph::limited_walk`] put this commit in the range.
    pub(super) fn in_range(&self) -> bool {
        self.flags & (DONE | UNINTERESTING) == DONE
    }
}

/// A commit as a previous walk loaded it (see `checkpoint`): what the
/// graph needs of it, so it is not read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CachedCommit {
    pub(super) oid: Oid,
    pub(super) tree: Oid,
    pub(super) time: i64,
    pub(super) parents: Vec<Oid>,
}

/// Commits loaded so far, by id.
#[derive(Default)]
pub(super) struct Graph {
    index: OidMap<u32>,
    nodes: Vec<Node>,
    /// Commits known from a previous walk, taken from here instead of the
    /// object database (same parents: the shallow boundary is unchanged).
    known: OidMap<CachedCommit>,
    /// How many commits came from `known`.
    reused: usize,
}

impl Graph {
    /// Number of commits loaded.
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    pub(super) fn node(&self, i: u32) -> &Node {
        &self.nodes[i as usize]
    }

    /// Where a loaded commit is in the graph.
    pub(super) fn index_of(&self, oid: &Oid) -> Option<u32> {
        self.index.get(oid).copied()
    }

    /// The root tree of a loaded, readable commit.
    pub(super) fn tree_of(&self, oid: &Oid) -> Option<Oid> {
        self.index.get(oid).and_then(|&i| self.nodes[i as usize].tree)
    }

    /// Takes commits from a previous walk instead of reading them.
    pub(super) fn set_known(&mut self, commits: Vec<CachedCommit>) {
        self.known = commits.into_iter().map(|c| (c.oid, c)).collect();
    }

    /// How many commits were taken from the previous walk.
    pub(super) fn reused(&self) -> usize {
        self.reused
    }

    /// Every readable commit loaded, for the next walk.
    pub(super) fn readable(&self) -> Vec<CachedCommit> {
        self.nodes
            .iter()
            .filter_map(|n| {
                n.tree.map(|tree| CachedCommit { oid: n.oid, tree, time: n.time, parents: n.parents.clone() })
            })
            .collect()
    }

    /// Loads `oid` (once); unreadable commits become parentless with a
    /// warning, commits at a shallow boundary become parentless silently.
    fn load(&mut self, odb: &Odb<'_>, shallow: &OidSet, oid: Oid, warnings: &mut Warnings) -> u32 {
        if let Some(&i) = self.index.get(&oid) {
            return i;
        }
        let node = if let Some(c) = self.known.remove(&oid) {
            self.reused += 1;
            Node { oid, tree: Some(c.tree), time: c.time, parents: c.parents, flags: 0 }
        } else {
            match read_kind(odb, oid, ObjectType::Commit, "commit") {
                Ok(obj) => match parse_commit(obj.data()) {
                    Some(mut c) => {
                        if shallow.contains(&oid) {
                            c.parents.clear();
                        }
                        Node { oid, tree: Some(c.tree), time: c.time, parents: c.parents, flags: 0 }
                    }
                    None => {
                        warnings.push(format!("commit {oid} is malformed; not scanned"));
                        Node { oid, tree: None, time: 0, parents: Vec::new(), flags: 0 }
                    }
                },
                Err(e) => {
                    warnings.object(e.is_missing(), format!("{e}; it and the history behind it are not scanned"));
                    Node { oid, tree: None, time: 0, parents: Vec::new(), flags: 0 }
                }
            }
        };
        let i = self.nodes.len() as u32;
        self.nodes.push(node);
        self.index.insert(oid, i);
        i
    }

    /// Orders the member commits parents-first, oldest committer time first
    /// among those ready (a topological order that follows time where it can).
    pub(super) fn topo_order(&self, member: impl Fn(&Node) -> bool) -> Vec<u32> {
        let n = self.nodes.len();
        let inside: Vec<bool> = self.nodes.iter().map(&member).collect();
        let mut pending = vec![0u32; n];
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, node) in self.nodes.iter().enumerate() {
            if !inside[i] {
                continue;
            }
            let mut seen: Vec<u32> = Vec::with_capacity(node.parents.len());
            for p in &node.parents {
                if let Some(&pi) = self.index.get(p) {
                    if inside[pi as usize] && !seen.contains(&pi) {
                        seen.push(pi);
                        pending[i] += 1;
                        children[pi as usize].push(i as u32);
                    }
                }
            }
        }
        let mut ready: BinaryHeap<Reverse<(i64, u32)>> =
            (0..n).filter(|&i| inside[i] && pending[i] == 0).map(|i| Reverse((self.nodes[i].time, i as u32))).collect();
        let mut order = Vec::with_capacity(inside.iter().filter(|&&b| b).count());
        while let Some(Reverse((_, i))) = ready.pop() {
            order.push(i);
            for &c in &children[i as usize] {
                pending[c as usize] -= 1;
                if pending[c as usize] == 0 {
                    ready.push(Reverse((self.nodes[c as usize].time, c)));
                }
            }
        }
        if order.len() < inside.iter().filter(|&&b| b).count() {
            // A cycle (only possible through grafts or replace objects):
            // keep the rest in time order rather than drop it.
            let mut rest: Vec<u32> = (0..n as u32).filter(|&i| inside[i as usize] && pending[i as usize] > 0).collect();
            rest.sort_by_key(|&i| (self.nodes[i as usize].time, i));
            order.extend(rest);
        }
        order
    }

    /// Loads every commit reachable from `tips`.
    pub(super) fn load_all(
        &mut self,
        odb: &Odb<'_>,
        shallow: &OidSet,
        tips: Vec<Oid>,
        warnings: &mut Warnings,
        progress: &mut dyn FnMut(&'static str, usize),
    ) {
        let mut stack = tips;
        while let Some(oid) = stack.pop() {
            if self.index.contains_key(&oid) {
                continue;
            }
            let i = self.load(odb, shallow, oid, warnings);
            stack.extend(self.nodes[i as usize].parents.iter().filter(|p| !self.index.contains_key(p)));
            if self.nodes.len().is_multiple_of(1024) {
                progress("loaded", self.nodes.len());
            }
        }
    }

    /// Marks the commits reachable from `to` and not from `from` as DONE
    /// (and not UNINTERESTING), looking at as few commits as it can: newest
    /// first by committer time, stopping once everything still queued is
    /// reachable from `from`. Clock skew can only make it include more.
    pub(super) fn limited_walk(
        &mut self,
        odb: &Odb<'_>,
        shallow: &OidSet,
        from: Oid,
        to: Oid,
        warnings: &mut Warnings,
    ) {
        let mut queue: BinaryHeap<(i64, Reverse<u32>)> = BinaryHeap::new();
        let mut interesting_queued = 0usize;
        let enqueue = |graph: &mut Graph, queue: &mut BinaryHeap<(i64, Reverse<u32>)>, i: u32, count: &mut usize| {
            let node = &mut graph.nodes[i as usize];
            if node.flags & QUEUED == 0 {
                node.flags |= QUEUED;
                if node.flags & UNINTERESTING == 0 {
                    *count += 1;
                }
                queue.push((node.time, Reverse(i)));
            }
        };
        let f = self.load(odb, shallow, from, warnings);
        self.nodes[f as usize].flags |= UNINTERESTING;
        enqueue(self, &mut queue, f, &mut interesting_queued);
        let t = self.load(odb, shallow, to, warnings);
        enqueue(self, &mut queue, t, &mut interesting_queued);
        let mut slop = RANGE_SLOP;
        while let Some((_, Reverse(i))) = queue.pop() {
            let node = &mut self.nodes[i as usize];
            node.flags = (node.flags & !QUEUED) | DONE;
            let uninteresting = node.flags & UNINTERESTING != 0;
            if !uninteresting {
                interesting_queued -= 1;
            }
            let parents = node.parents.clone();
            for p in parents {
                let pi = self.load(odb, shallow, p, warnings);
                if uninteresting {
                    self.mark_uninteresting(pi, &mut interesting_queued);
                }
                enqueue(self, &mut queue, pi, &mut interesting_queued);
            }
            if interesting_queued == 0 {
                if slop == 0 {
                    break;
                }
                slop -= 1;
            } else {
                slop = RANGE_SLOP;
            }
        }
    }

    /// Marks a commit and its already-loaded ancestors as reachable from the
    /// excluded side.
    fn mark_uninteresting(&mut self, i: u32, interesting_queued: &mut usize) {
        let mut stack = vec![i];
        while let Some(i) = stack.pop() {
            let node = &mut self.nodes[i as usize];
            if node.flags & UNINTERESTING != 0 {
                continue;
            }
            node.flags |= UNINTERESTING;
            if node.flags & QUEUED != 0 {
                *interesting_queued -= 1;
            }
            if node.flags & DONE != 0 {
                stack.extend(node.parents.iter().filter_map(|p| self.index.get(p).copied()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{enumerate, sightings, Fixture};
    use super::super::Selection;

    #[test]
    fn a_short_range_reads_few_commits() {
        let mut f = Fixture::new();
        let mut tip = f.commit("main", &[("n", "0")], &[]);
        for i in 1..500 {
            tip = f.commit("main", &[("n", &i.to_string())], &[tip]);
        }
        let git = f.open();
        let h = enumerate(&git, Selection::Range { from: "main~3".into(), to: "main".into() });
        assert_eq!(h.stats.commits, 3);
        assert!(h.stats.loaded < 20, "read {} commits", h.stats.loaded);
        let got: Vec<String> = sightings(&git, &h).into_iter().map(|g| g.0).collect();
        assert_eq!(got, ["497", "498", "499"]);
    }
}

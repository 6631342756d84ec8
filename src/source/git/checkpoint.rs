//! What a history walk leaves for the next one (`keyhound history
//! --state`): the commits it loaded (id, tree, committer time, parents —
//! immutable facts, so a later walk need not read those commits again), the
//! order it walked them in, and the walk's records (first sightings of every
//! tree and blob, later sightings at other paths) as they stood after the
//! last commit, before the trees and blobs that refs point at directly.
//!
//! A later walk of the same selection reuses it only when provably the same
//! as walking from scratch: the repository's shallow boundary is unchanged
//! and the walk order of today's commits starts with exactly the commits
//! walked then, in the same order. The walk is then continued with the new
//! commits only; otherwise the commits are still taken from here (not read
//! again) and the trees are walked in full.
//!
//! Encoding: little-endian, length-prefixed; [`WalkCheckpoint::from_bytes`]
//! checks every length against what is left, so bad bytes are an error,
//! never a panic. Integrity of the file as a whole is `state`'s concern.
//! Must not decide where the bytes are stored, or anything about rules.

use git2::Oid;

use super::graph::CachedCommit;
use super::oid::{oid_of, raw, OidSet, RawId};
use super::walk::HistorySnapshot;
use super::{Selection, WarningAbout, Warnings};
use crate::util::binary::{DecodeError, Decoder, Encoder};

/// The walk of one selection of one repository, ready for the next run.
#[derive(Debug, Clone, Default)]
pub struct WalkCheckpoint {
    /// Which selection it walked ([`selection_key`]).
    pub(super) selection: String,
    /// The shallow boundary then (sorted).
    pub(super) shallow: Vec<Oid>,
    /// Every readable commit loaded.
    pub(super) commits: Vec<CachedCommit>,
    /// The commits walked, in walk order.
    pub(super) order: Vec<Oid>,
    /// The walk's records after the last commit.
    pub(super) history: HistorySnapshot,
    pub(super) warnings: Warnings,
}

/// Why checkpoint bytes could not be read.
#[derive(Debug, thiserror::Error)]
#[error("walk checkpoint: {0}")]
pub struct CheckpointError(String);

impl CheckpointError {
    pub(super) fn new(what: &str) -> CheckpointError {
        CheckpointError(what.to_string())
    }
}

impl From<DecodeError> for CheckpointError {
    fn from(e: DecodeError) -> CheckpointError {
        CheckpointError(e.0)
    }
}

/// How a selection is named in a checkpoint.
pub(super) fn selection_key(selection: &Selection) -> String {
    match selection {
        Selection::All => "all".to_string(),
        Selection::Ref(name) => format!("ref:{name}"),
        Selection::Range { from, to } => format!("range:{from}..{to}"),
    }
}

impl WalkCheckpoint {
    /// Commits walked.
    pub fn commits_walked(&self) -> usize {
        self.order.len()
    }

    /// Whether the walk of `order` (commit ids, walk order) under
    /// `selection` with shallow boundary `shallow` can continue this one.
    pub(super) fn continues(&self, selection: &Selection, shallow: &[Oid], order: &[Oid]) -> bool {
        self.selection == selection_key(selection)
            && self.shallow == shallow
            && order.len() >= self.order.len()
            && order[..self.order.len()] == self.order[..]
            && self.history.roots == self.order.len() as u32
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Encoder::with_capacity(64 + self.commits.len() * 64 + self.history.approx_bytes());
        w.bytes(self.selection.as_bytes());
        w.oids(&self.shallow);
        w.u32(self.commits.len() as u32);
        for c in &self.commits {
            w.id(&raw(c.oid));
            w.id(&raw(c.tree));
            w.u64(c.time as u64);
            w.oids(&c.parents);
        }
        w.oids(&self.order);
        self.history.encode(&mut w);
        let list = self.warnings.snapshot();
        w.u32(list.0.len() as u32);
        for (about, text) in &list.0 {
            w.u32(match about {
                WarningAbout::MissingObject => 0,
                WarningAbout::UnreadableObject => 1,
                WarningAbout::Other => 2,
            });
            w.bytes(text.as_bytes());
        }
        w.u64(list.1 as u64);
        w.u64(list.2 as u64);
        w.0
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<WalkCheckpoint, CheckpointError> {
        let mut r = Decoder::new(bytes);
        let selection = r.string()?;
        let shallow = read_oids(&mut r)?;
        let n = r.count(44)?;
        let mut commits = Vec::with_capacity(n);
        for _ in 0..n {
            let oid = oid_of(&read_id(&mut r)?);
            let tree = oid_of(&read_id(&mut r)?);
            let time = r.u64()? as i64;
            let parents = read_oids(&mut r)?;
            commits.push(CachedCommit { oid, tree, time, parents });
        }
        let order = read_oids(&mut r)?;
        let history = HistorySnapshot::decode(&mut r)?;
        let n = r.count(8)?;
        let mut list = Vec::with_capacity(n);
        for _ in 0..n {
            let about = match r.u32()? {
                0 => WarningAbout::MissingObject,
                1 => WarningAbout::UnreadableObject,
                2 => WarningAbout::Other,
                k => return Err(CheckpointError(format!("unknown warning kind {k}"))),
            };
            list.push((about, r.string()?));
        }
        let listed = r.u64()? as usize;
        let unlisted = r.u64()? as usize;
        if !r.is_done() {
            return Err(CheckpointError("trailing bytes".to_string()));
        }
        let warnings = Warnings::restore(list, listed, unlisted);
        Ok(WalkCheckpoint { selection, shallow, commits, order, history, warnings })
    }
}

/// The shallow boundary as a checkpoint records it.
pub(super) fn sorted(set: &OidSet) -> Vec<Oid> {
    let mut v: Vec<Oid> = set.iter().copied().collect();
    v.sort();
    v
}

/// Ids in a checkpoint.
trait Ids {
    fn id(&mut self, id: &RawId);
    fn oids(&mut self, oids: &[Oid]);
}

impl Ids for Encoder {
    fn id(&mut self, id: &RawId) {
        self.fixed(id);
    }
    fn oids(&mut self, oids: &[Oid]) {
        self.u32(oids.len() as u32);
        for o in oids {
            self.fixed(o.as_bytes());
        }
    }
}

/// Reading ids back.
pub(super) fn read_id(r: &mut Decoder<'_>) -> Result<RawId, DecodeError> {
    r.array::<20>()
}

fn read_oids(r: &mut Decoder<'_>) -> Result<Vec<Oid>, DecodeError> {
    let n = r.count(20)?;
    (0..n).map(|_| read_id(r).map(|i| oid_of(&i))).collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::super::{GitRepo, Selection};
    use super::*;

    fn walk(git: &GitRepo, cp: Option<&WalkCheckpoint>) -> (super::super::History, WalkCheckpoint, bool) {
        git.enumerate_incremental(&Selection::All, cp, &mut |_, _| {}).unwrap()
    }

    fn listing(git: &GitRepo, h: &super::super::History) -> Vec<(String, Vec<super::super::Place>)> {
        let ids: Vec<u32> = (0..h.blobs().len() as u32).collect();
        let mut w = Warnings::default();
        let places = git.reader().places(h, &ids, &mut w);
        let mut v: Vec<(String, Vec<super::super::Place>)> =
            h.blobs().iter().zip(places).map(|(b, p)| (b.oid().to_string(), p)).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    #[test]
    fn a_continued_walk_equals_a_walk_from_scratch() {
        let mut f = Fixture::new();
        let c1 = f.commit("main", &[("a", "one"), ("d/b", "two")], &[]);
        let c2 = f.commit("main", &[("a", "one"), ("d/b", "two"), ("e/b", "two")], &[c1]);
        let git = f.open();
        let (_, cp, resumed) = walk(&git, None);
        assert!(!resumed);
        let cp = WalkCheckpoint::from_bytes(&cp.to_bytes()).unwrap();
        assert_eq!(cp.commits_walked(), 2);
        // New commits on top: a copied directory, a new file, a branch.
        let c3 = f.commit("main", &[("a", "one"), ("d/b", "two"), ("e/b", "two"), ("x/d/b", "two"), ("c", "3")], &[c2]);
        f.commit("topic", &[("a", "topic")], &[c3]);
        let git = f.open();
        let (h, cp2, resumed) = walk(&git, Some(&cp));
        assert!(resumed, "the old walk is a prefix of the new one");
        let (fresh, cp3, _) = walk(&git, None);
        assert_eq!(listing(&git, &h), listing(&git, &fresh));
        assert_eq!(cp2.to_bytes(), cp3.to_bytes());
    }

    #[test]
    fn a_rewritten_history_is_walked_again() {
        let mut f = Fixture::new();
        let c1 = f.commit("main", &[("a", "one")], &[]);
        f.commit("main", &[("a", "two")], &[c1]);
        let git = f.open();
        let (_, cp, _) = walk(&git, None);
        // main is force-pushed to a different second commit.
        f.commit("main", &[("a", "three")], &[c1]);
        let git = f.open();
        let (h, _, resumed) = walk(&git, Some(&cp));
        assert!(!resumed);
        let (fresh, _, _) = walk(&git, None);
        assert_eq!(listing(&git, &h), listing(&git, &fresh));
    }

    #[test]
    fn bad_bytes_are_an_error() {
        let mut f = Fixture::new();
        f.commit("main", &[("a", "one")], &[]);
        let git = f.open();
        let (_, cp, _) = walk(&git, None);
        let bytes = cp.to_bytes();
        for cut in [0, 1, 5, bytes.len() / 2, bytes.len() - 1] {
            assert!(WalkCheckpoint::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(WalkCheckpoint::from_bytes(&longer).is_err());
        let mut huge = bytes;
        huge[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(WalkCheckpoint::from_bytes(&huge).is_err());
    }
}

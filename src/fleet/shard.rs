//! `--shard I/N`: which repositories of a list one of N parallel runs
//! scans. A repository's shard is a hash of its identity (SHA-256, first
//! eight bytes, modulo N), so every repository is in exactly one shard, and
//! its shard does not change when the list is reordered or other
//! repositories are added or removed, as long as N is the same: a shard's
//! `--state` stays useful from one scheduled run to the next.
//!
//! Must not read the list or scan anything.

use sha2::{Digest, Sha256};

/// One of N shards (index from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parses `I/N` (0 ≤ I < N).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text:?}: expected I/N with 0 <= I < N (e.g. 0/8)");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether the repository with this identity is in this shard.
    pub fn holds(&self, identity: &str) -> bool {
        shard_of(identity, self.count) == self.index
    }
}

/// The shard (of `count`) a repository identity falls in.
pub fn shard_of(identity: &str, count: u32) -> u32 {
    let h = Sha256::digest(identity.as_bytes());
    let n = u64::from_le_bytes(h[..8].try_into().expect("eight bytes"));
    (n % u64::from(count)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Shard::parse("3/8"), Ok(Shard { index: 3, count: 8 }));
        for bad in ["8/8", "1/0", "x/2", "2", "-1/4"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_repository_in_exactly_one_shard_and_stable() {
        let names: Vec<String> = (0..500).map(|i| format!("org/repo-{i}")).collect();
        for n in [1, 2, 7, 16] {
            let shards: Vec<Shard> = (0..n).map(|index| Shard { index, count: n }).collect();
            for name in &names {
                assert_eq!(shards.iter().filter(|s| s.holds(name)).count(), 1);
            }
            // Spread: no shard is empty with 500 repositories.
            assert!(shards.iter().all(|s| names.iter().any(|r| s.holds(r))));
        }
        // Fixed: the same answer whatever else is in the list.
        assert_eq!(shard_of("org/repo-1", 16), shard_of("org/repo-1", 16));
    }
}

//! The keyword pass: finds the rule keywords in a haystack, at a cost that
//! grows with the number of keywords in steps of 32, not with a cliff.
//!
//! `aho-corasick` is fast because of its Teddy SIMD prefilter, which takes at
//! most 64 patterns (past that a search is several times slower) and is
//! cheapest for up to 32, where it sorts the patterns into 8 buckets and
//! checks 32 input bytes per step. [`KeywordSet`] splits the keywords into
//! groups of at most [`GROUP_MAX`], builds one leftmost-longest automaton per
//! group, runs each over the input and merges the hits in position order.
//!
//! A group's pass costs about the same whatever it holds, plus a little for
//! every *candidate*: a position where the nybbles of the next 3-4 bytes fit
//! one of the group's buckets. A bucket of keywords with unrelated bytes fits
//! many common trigrams, so where a keyword goes matters as much as how many
//! there are. Teddy spreads a group's patterns over its buckets by their
//! index modulo 8 (unless their leading low nybbles are equal), so each
//! group's order is chosen to put together the keywords placed in one
//! bucket. Placement is greedy, then improved by swaps, and minimizes the
//! candidates expected from the byte frequencies of source code
//! ([`BYTE_FREQ`]). Keywords shorter than 3 bytes get groups of their own:
//! Teddy fingerprints as many bytes as a group's shortest keyword has (at
//! most 4), and short ones would blur the rest.
//!
//! What it must not do: lose a keyword occurrence, or report hits out of
//! order. An automaton's search is leftmost-longest and non-overlapping, so
//! two things can hide an occurrence inside a hit of its group: a keyword
//! contained in the hit's keyword (`sk-` in `sk-ant-ad`), which
//! [`KeywordSet::covers`] lists for the caller, and a keyword that starts
//! inside the hit and runs past its end (`k_liv` in `sk_liv…`), which is
//! checked for directly and reported. Every occurrence is thus reported or
//! covered. Groups are searched independently, so hits of different groups
//! may overlap. The set knows nothing about rules.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, BuildError, FindIter, MatchKind};

/// The most keywords in one group: Teddy's 8-bucket form.
pub const GROUP_MAX: usize = 32;

/// Keywords shorter than this get groups of their own.
const SHORT: usize = 3;

/// Teddy's buckets per group of up to [`GROUP_MAX`] patterns.
const BUCKETS: usize = 8;

/// How often each byte value occurs in source code, per 2^20 bytes (at least
/// 1): git/git's working tree (C, shell, Perl, documentation, translations).
/// Only used to estimate how many candidates a bucket yields.
#[rustfmt::skip]
const BYTE_FREQ: [u32; 256] = [
    1021, 41, 66, 28, 26, 36, 25, 32, 27, 20142, 35393, 30, 41, 37, 29, 42,
    26, 46, 29, 35, 45, 39, 40, 38, 30, 33, 35, 31, 36, 31, 36, 44,
    120332, 638, 20229, 3850, 2604, 3151, 6284, 5589, 6017, 6029, 3710, 931, 6813, 17793, 8277, 4671,
    3326, 3025, 2061, 1189, 1184, 869, 911, 679, 751, 695, 4828, 4291, 2076, 3937, 3940, 322,
    419, 2661, 925, 1889, 1728, 3688, 1374, 1157, 1176, 2461, 162, 373, 1825, 1185, 2011, 2217,
    1359, 141, 2441, 2238, 3200, 1252, 371, 444, 363, 388, 184, 1733, 2454, 1725, 287, 14801,
    992, 40438, 11087, 29279, 24538, 70501, 17394, 19318, 17476, 46206, 1509, 5568, 23396, 23753, 37107, 38605,
    17093, 866, 42721, 47960, 62315, 18618, 5231, 5507, 4354, 5678, 1286, 1677, 945, 1676, 321, 54,
    1399, 823, 1151, 549, 489, 312, 212, 382, 418, 276, 286, 382, 435, 283, 143, 495,
    248, 258, 96, 110, 268, 359, 410, 236, 232, 196, 280, 175, 411, 365, 263, 307,
    377, 514, 109, 215, 433, 260, 124, 306, 292, 435, 210, 185, 149, 394, 310, 317,
    1662, 652, 756, 485, 754, 1414, 362, 538, 1334, 357, 1044, 1206, 920, 1343, 1330, 731,
    25, 46, 192, 2002, 573, 296, 108, 40, 23, 29, 43, 36, 45, 32, 872, 432,
    10046, 3740, 34, 40, 37, 36, 34, 37, 28, 31, 38, 34, 30, 31, 31, 35,
    216, 721, 417, 304, 414, 915, 743, 512, 354, 220, 113, 455, 574, 194, 29, 163,
    55, 61, 31, 31, 32, 32, 40, 30, 64, 30, 34, 38, 52, 40, 55, 89,
];

/// Relative cost of a candidate that matches nothing, and of checking one
/// keyword of a bucket at a candidate (instructions, measured with
/// callgrind on aho-corasick 1.1's AVX2 Teddy).
const CANDIDATE_COST: f64 = 38.0;
const VERIFY_COST: f64 = 25.0;

/// A keyword occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    /// Index of the keyword in the slice given to [`KeywordSet::new`].
    pub keyword: usize,
}

struct Group {
    automaton: AhoCorasick,
    /// Keyword index of each of the automaton's patterns.
    keywords: Vec<usize>,
}

/// Finds many literal keywords in one pass per group of [`GROUP_MAX`]. Cheap
/// to share across threads.
pub struct KeywordSet {
    keywords: Vec<Box<[u8]>>,
    groups: Vec<Group>,
    /// Per keyword: its group.
    group_of: Vec<usize>,
    /// Per keyword: `(itself, 0)`, then `(other, offset)` for each
    /// occurrence of a shorter keyword of its group inside it.
    covers: Vec<Vec<(usize, usize)>>,
    /// Per keyword `k`: `(offset, other)` for each keyword of its group that
    /// can start `offset` bytes into an occurrence of `k` and end after it.
    overlaps: Vec<Vec<(usize, usize)>>,
}

impl KeywordSet {
    /// Builds the automata for `keywords`, which must be distinct and
    /// non-empty.
    pub fn new<S: AsRef<[u8]>>(keywords: &[S]) -> Result<KeywordSet, BuildError> {
        let kws: Vec<&[u8]> = keywords.iter().map(|k| k.as_ref()).collect();
        let layout = layout(&kws);
        KeywordSet::with_layout(&kws, layout)
    }

    /// Builds one automaton per group of `layout` (keyword indices, each
    /// group in the order its automaton gets them).
    fn with_layout(kws: &[&[u8]], layout: Vec<Vec<usize>>) -> Result<KeywordSet, BuildError> {
        let mut group_of = vec![0; kws.len()];
        let mut groups = Vec::with_capacity(layout.len());
        for (g, members) in layout.into_iter().enumerate() {
            for &k in &members {
                group_of[k] = g;
            }
            let automaton = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(members.iter().map(|&k| kws[k]))?;
            groups.push(Group { automaton, keywords: members });
        }
        let covers = (0..kws.len())
            .map(|i| {
                let mut c = vec![(i, 0)];
                for j in (0..kws.len()).filter(|&j| j != i && group_of[j] == group_of[i] && kws[i].len() > kws[j].len())
                {
                    c.extend(occurrences(kws[i], kws[j]).map(|at| (j, at)));
                }
                c
            })
            .collect();
        let overlaps = (0..kws.len())
            .map(|i| {
                let k = kws[i];
                let mut o = Vec::new();
                for t in 1..k.len() {
                    let tail = &k[t..];
                    o.extend(
                        (0..kws.len())
                            .filter(|&j| {
                                group_of[j] == group_of[i] && kws[j].len() > tail.len() && kws[j].starts_with(tail)
                            })
                            .map(|j| (t, j)),
                    );
                }
                o
            })
            .collect();
        let keywords = kws.iter().map(|k| Box::from(*k)).collect();
        Ok(KeywordSet { keywords, groups, group_of, covers, overlaps })
    }

    /// How many automata (passes over the input) the set uses.
    pub fn groups(&self) -> usize {
        self.groups.len()
    }

    /// The group keyword `k` was put in.
    pub fn group_of(&self, k: usize) -> usize {
        self.group_of[k]
    }

    /// `(k, 0)`, then `(other, offset)` for every occurrence of a shorter
    /// keyword of its group inside `k`. Those are never reported where they
    /// lie inside a hit of `k`, so a caller that wants them treats a hit of
    /// `k` at `start` as a hit of each at `start + offset` (`sk-ant-ad` also
    /// stands for `sk-`). Keywords of other groups are reported on their own
    /// and are not listed.
    pub fn covers(&self, k: usize) -> &[(usize, usize)] {
        &self.covers[k]
    }

    /// The keyword hits in `hay`, by increasing start (ties: lower group
    /// first).
    pub fn find_iter<'a, 'h>(&'a self, hay: &'h [u8]) -> Hits<'a, 'h> {
        let groups = self
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let mut it = group.automaton.find_iter(hay);
                let next = it.next().map(|m| self.hit(g, m));
                GroupSearch { it, next, extra: Vec::new() }
            })
            .collect();
        Hits { set: self, hay, groups }
    }

    fn hit(&self, g: usize, m: aho_corasick::Match) -> Hit {
        Hit { start: m.start(), end: m.end(), keyword: self.groups[g].keywords[m.pattern().as_usize()] }
    }
}

/// Iterator over a haystack's keyword hits; see [`KeywordSet::find_iter`].
pub struct Hits<'a, 'h> {
    set: &'a KeywordSet,
    hay: &'h [u8],
    groups: Vec<GroupSearch<'a, 'h>>,
}

/// One group's search.
struct GroupSearch<'a, 'h> {
    it: FindIter<'a, 'h>,
    /// The automaton's next hit.
    next: Option<Hit>,
    /// Keywords found running past the end of the group's last hit, by
    /// decreasing start; all start before `next`.
    extra: Vec<Hit>,
}

impl GroupSearch<'_, '_> {
    fn front(&self) -> Option<&Hit> {
        self.extra.last().or(self.next.as_ref())
    }
}

impl Iterator for Hits<'_, '_> {
    type Item = Hit;

    fn next(&mut self) -> Option<Hit> {
        let mut best: Option<(usize, usize)> = None;
        for (g, search) in self.groups.iter().enumerate() {
            if let Some(h) = search.front() {
                if best.is_none_or(|(_, start)| h.start < start) {
                    best = Some((g, h.start));
                }
            }
        }
        let (g, _) = best?;
        let search = &mut self.groups[g];
        if let Some(h) = search.extra.pop() {
            return Some(h);
        }
        let hit = search.next.take().expect("chosen group has a hit");
        search.next = search.it.next().map(|m| self.set.hit(g, m));
        // Keywords starting inside this hit and ending after it were
        // skipped by the automaton; look for them where they would be.
        for &(offset, k) in self.set.overlaps[hit.keyword].iter().rev() {
            let start = hit.start + offset;
            let kw = &self.set.keywords[k];
            if self.hay[start..].starts_with(kw) {
                search.extra.push(Hit { start, end: start + kw.len(), keyword: k });
            }
        }
        Some(hit)
    }
}

/// Offsets at which `needle` occurs in `hay` (both short: keywords and
/// literals; an empty needle occurs nowhere).
pub(crate) fn occurrences<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    (0..=hay.len().saturating_sub(needle.len())).filter(move |&i| !needle.is_empty() && hay[i..].starts_with(needle))
}

/// Splits keyword indices into groups, each in the order its automaton
/// gets them: short keywords first, in groups of their own; the rest in as
/// few groups as [`GROUP_MAX`] allows, placed by [`place`].
fn layout(kws: &[&[u8]]) -> Vec<Vec<usize>> {
    let (short, long): (Vec<usize>, Vec<usize>) = (0..kws.len()).partition(|&k| kws[k].len() < SHORT);
    let mut out = Vec::new();
    for part in [short, long] {
        if !part.is_empty() {
            out.extend(place(kws, &part));
        }
    }
    out
}

/// Assigns the keywords `ids` to groups and buckets. Group sizes are as even
/// as possible, and so are bucket sizes within a group (Teddy fills buckets
/// round-robin). Keywords are placed most frequent first, each where it adds
/// the fewest expected candidates, then each pair in different buckets is
/// swapped if that lowers the estimate. Deterministic.
fn place(kws: &[&[u8]], ids: &[usize]) -> Vec<Vec<usize>> {
    let n = ids.len();
    let ngroups = n.div_ceil(GROUP_MAX);
    // Bytes Teddy fingerprints: the shortest keyword's length, at most 4
    // (estimated for the whole part; a group's own may be longer).
    let m = ids.iter().map(|&k| kws[k].len()).min().unwrap_or(1).min(4);
    let est = Estimator::new(m);
    // Slots: (group, bucket) with a capacity each.
    let mut cap: Vec<(usize, usize)> = Vec::new();
    let mut buckets: Vec<Vec<usize>> = Vec::new();
    let mut slot_group: Vec<usize> = Vec::new();
    for g in 0..ngroups {
        let size = n / ngroups + usize::from(g < n % ngroups);
        let nb = BUCKETS.min(size);
        for b in 0..nb {
            cap.push((g, size / nb + usize::from(b < size % nb)));
            buckets.push(Vec::new());
            slot_group.push(g);
        }
    }
    let mut order: Vec<usize> = ids.to_vec();
    let own: Vec<f64> = (0..kws.len()).map(|k| est.cost(kws, [k].into_iter())).collect();
    order.sort_by(|&a, &b| own[b].total_cmp(&own[a]).then(a.cmp(&b)));
    let mut costs = vec![0.0; buckets.len()];
    for &k in &order {
        let mut best: Option<(f64, usize)> = None;
        for (s, bucket) in buckets.iter().enumerate() {
            if bucket.len() >= cap[s].1 {
                continue;
            }
            let delta = est.cost(kws, bucket.iter().copied().chain([k])) - costs[s];
            if best.is_none_or(|(d, _)| delta < d) {
                best = Some((delta, s));
            }
        }
        let (_, s) = best.expect("capacity for every keyword");
        buckets[s].push(k);
        costs[s] = est.cost(kws, buckets[s].iter().copied());
    }
    // One pass of swaps between buckets, each kept when it lowers the
    // estimate (further passes gain next to nothing).
    for s1 in 0..buckets.len() {
        for s2 in s1 + 1..buckets.len() {
            for x in 0..buckets[s1].len() {
                for y in 0..buckets[s2].len() {
                    let (kx, ky) = (buckets[s1][x], buckets[s2][y]);
                    let swapped = |b: &[usize], at: usize, with: usize| {
                        est.cost(kws, b.iter().enumerate().map(move |(i, &k)| if i == at { with } else { k }))
                    };
                    let (ca, cb) = (swapped(&buckets[s1], x, ky), swapped(&buckets[s2], y, kx));
                    if ca + cb < (costs[s1] + costs[s2]) * 0.999 {
                        (buckets[s1][x], buckets[s2][y]) = (ky, kx);
                        (costs[s1], costs[s2]) = (ca, cb);
                    }
                }
            }
        }
    }
    // Each group's order: round-robin over its buckets, so that pattern `i`
    // lands in the group's bucket `i % 8`.
    let mut groups = vec![Vec::new(); ngroups];
    for (g, group) in groups.iter_mut().enumerate() {
        let mine: Vec<&Vec<usize>> = (0..buckets.len()).filter(|&s| slot_group[s] == g).map(|s| &buckets[s]).collect();
        let rows = mine.iter().map(|b| b.len()).max().unwrap_or(0);
        for r in 0..rows {
            group.extend(mine.iter().filter_map(|b| b.get(r)));
        }
    }
    groups
}

/// Estimates a bucket's cost: how often Teddy would stop on it per input
/// byte, times what a stop costs, assuming independent bytes with
/// [`BYTE_FREQ`] frequencies.
struct Estimator {
    m: usize,
    /// `mass[h][half][set]`: the frequency (of 1) of the bytes with high
    /// nybble `h` and a low nybble in `set` (bits 0-7 are nybbles 0-7 for
    /// `half` 0, nybbles 8-15 for `half` 1).
    mass: Box<[[[f64; 256]; 2]; 16]>,
}

impl Estimator {
    fn new(m: usize) -> Estimator {
        let total: f64 = BYTE_FREQ.iter().map(|&f| f64::from(f)).sum();
        let mut mass = Box::new([[[0.0; 256]; 2]; 16]);
        for (h, halves) in mass.iter_mut().enumerate() {
            for (half, sets) in halves.iter_mut().enumerate() {
                for set in 1..256usize {
                    let low = set.trailing_zeros() as usize;
                    let byte = h << 4 | half << 3 | low;
                    sets[set] = sets[set & (set - 1)] + f64::from(BYTE_FREQ[byte]) / total;
                }
            }
        }
        Estimator { m, mass }
    }

    /// The cost of a bucket holding the keywords `members`.
    fn cost(&self, kws: &[&[u8]], members: impl Iterator<Item = usize>) -> f64 {
        // Per fingerprinted byte: the low and high nybbles the bucket takes.
        let (mut lo, mut hi) = ([0u16; 4], [0u16; 4]);
        let mut n = 0u32;
        for k in members {
            n += 1;
            for (i, &b) in kws[k].iter().take(self.m).enumerate() {
                lo[i] |= 1 << (b & 0xF);
                hi[i] |= 1 << (b >> 4);
            }
        }
        if n == 0 {
            return 0.0;
        }
        let mut p = 1.0;
        for (&lo, &hi) in lo.iter().zip(&hi).take(self.m) {
            let (lo0, lo1) = (usize::from(lo & 0xFF), usize::from(lo >> 8));
            p *= bits(hi).map(|h| self.mass[h][0][lo0] + self.mass[h][1][lo1]).sum::<f64>();
        }
        p * (CANDIDATE_COST + VERIFY_COST * f64::from(n))
    }
}

/// The positions of the set bits of `x`.
fn bits(mut x: u16) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let b = x.trailing_zeros() as usize;
        x &= x.wrapping_sub(1);
        (b < 16).then_some(b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(set: &KeywordSet, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        set.find_iter(hay).map(|h| (h.start, h.end, h.keyword)).collect()
    }

    /// Every occurrence of every keyword, overlapping or not.
    fn naive(kws: &[String], hay: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (k, kw) in kws.iter().enumerate() {
            let kw = kw.as_bytes();
            for s in 0..=hay.len().saturating_sub(kw.len()) {
                if hay[s..].starts_with(kw) {
                    out.push((s, k));
                }
            }
        }
        out.sort_unstable();
        out
    }

    fn many(n: usize) -> Vec<String> {
        // Distinct keywords, none inside another, with varied first bytes.
        (0..n)
            .map(|i| format!("{}{}_{i:03}", (b'a' + (i % 26) as u8) as char, ["q", "Zx", "k9", "w-"][i % 4]))
            .collect()
    }

    #[test]
    fn few_keywords_one_group_many_several() {
        assert_eq!(KeywordSet::new(&["abc", "def"]).unwrap().groups(), 1);
        assert_eq!(KeywordSet::new(&many(32)).unwrap().groups(), 1);
        assert_eq!(KeywordSet::new(&many(33)).unwrap().groups(), 2);
        assert_eq!(KeywordSet::new(&many(100)).unwrap().groups(), 4);
        let empty: [&str; 0] = [];
        let set = KeywordSet::new(&empty).unwrap();
        assert_eq!(set.groups(), 0);
        assert!(hits(&set, b"anything").is_empty());
    }

    #[test]
    fn more_than_64_keywords_all_found_in_order() {
        let kws = many(150);
        let set = KeywordSet::new(&kws).unwrap();
        assert_eq!(set.groups(), 5);
        // Each keyword twice, in reverse order, separated by spaces.
        let mut hay = Vec::new();
        for kw in kws.iter().rev().chain(kws.iter()) {
            hay.extend_from_slice(kw.as_bytes());
            hay.push(b' ');
        }
        let got = hits(&set, &hay);
        let want: Vec<(usize, usize)> = naive(&kws, &hay);
        assert_eq!(got.iter().map(|&(s, _, k)| (s, k)).collect::<Vec<_>>(), want);
        assert!(got.windows(2).all(|w| w[0].0 < w[1].0));
        // Hits of several groups really are interleaved.
        let groups: Vec<usize> = got.iter().map(|&(_, _, k)| set.group_of(k)).collect();
        assert!(groups.windows(2).any(|w| w[0] != w[1]));
    }

    #[test]
    fn hits_across_groups_come_out_ordered() {
        let mut kws = many(40);
        kws.push("sk-".into());
        kws.push("pcsk_".into());
        let set = KeywordSet::new(&kws).unwrap();
        assert_eq!(set.groups(), 2);
        let hay = format!("x {} y {} z {} {}", kws[40], kws[0], kws[41], kws[39]);
        let got = hits(&set, hay.as_bytes());
        let starts: Vec<usize> = got.iter().map(|h| h.0).collect();
        let mut sorted = starts.clone();
        sorted.sort_unstable();
        assert_eq!(starts, sorted);
        let found: Vec<usize> = got.iter().map(|h| h.2).collect();
        assert_eq!(found, vec![40, 0, 41, 39]);
    }

    #[test]
    fn a_keyword_in_each_of_two_groups() {
        // Two keywords a rule might declare, in different groups: both are
        // found wherever they occur, in order.
        let kws: Vec<&[u8]> = vec![b"API_KEY", b"xoxb", b"_TOKEN", b"ghp_"];
        let set = KeywordSet::with_layout(&kws, vec![vec![0, 1], vec![2, 3]]).unwrap();
        assert_ne!(set.group_of(0), set.group_of(2));
        let hay = b"X_TOKEN=1 MY_API_KEY=2 Y_TOKEN ghp_ xoxb";
        let got: Vec<(usize, usize)> = hits(&set, hay).into_iter().map(|h| (h.0, h.2)).collect();
        assert_eq!(got, vec![(1, 2), (13, 0), (24, 2), (31, 3), (36, 1)]);
    }

    #[test]
    fn overlapping_keywords_and_covers() {
        let kws = ["sk-", "sk-ant-ad", "api", "api_key", "k_liv", "k_live"];
        let set = KeywordSet::new(&kws).unwrap();
        assert_eq!(set.groups(), 1);
        // Leftmost-longest in one group: the longer keyword is reported and
        // covers the shorter one it contains.
        assert_eq!(hits(&set, b"sk-ant-ad01"), vec![(0, 9, 1)]);
        assert_eq!(set.covers(1), &[(1, 0), (0, 0)]);
        assert_eq!(set.covers(3), &[(3, 0), (2, 0)]);
        assert_eq!(set.covers(5), &[(5, 0), (4, 0)]);
        assert_eq!(set.covers(0), &[(0, 0)]);
        let inside = KeywordSet::new(&["sk-", "task-sk-"]).unwrap();
        assert_eq!(inside.covers(1), &[(1, 0), (0, 2), (0, 5)]);
        assert_eq!(hits(&set, b"sk-proj api_key=k_live_"), vec![(0, 3, 0), (8, 15, 3), (16, 22, 5)]);
    }

    #[test]
    fn keywords_running_past_a_hit_are_reported() {
        // `k_liv` starts inside `sk_` and ends after it: the automaton skips
        // it, the overlap check finds it; likewise `_TOKEN` after `sk_`.
        let kws: Vec<&[u8]> = vec![b"sk_", b"k_liv", b"k_live", b"_TOKEN", b"iv_TO", b"xyz"];
        let set = KeywordSet::new(&kws).unwrap();
        assert_eq!(set.groups(), 1);
        assert_eq!(hits(&set, b"sk_live_1"), vec![(0, 3, 0), (1, 6, 1), (1, 7, 2)]);
        assert_eq!(hits(&set, b"A=sk_TOKEN xyz"), vec![(2, 5, 0), (4, 10, 3), (11, 14, 5)]);
        // `k_liv` found through the overlap; `iv_TO` starts inside it and
        // past `sk_`, where the automaton resumed.
        assert_eq!(hits(&set, b"sk_liv_TO"), vec![(0, 3, 0), (1, 6, 1), (4, 9, 4)]);
    }

    /// Every occurrence of every keyword is reported, or lies inside a hit
    /// whose keyword covers it; hits come in start order.
    fn assert_complete(set: &KeywordSet, kws: &[String], hay: &[u8]) {
        let got = hits(set, hay);
        assert!(got.windows(2).all(|w| w[0].0 <= w[1].0), "{got:?}");
        for (start, k) in naive(kws, hay) {
            let end = start + kws[k].len();
            let seen = got.iter().any(|&(s, e, h)| {
                (s, h) == (start, k) || (s <= start && end <= e && set.covers(h).contains(&(k, start - s)))
            });
            assert!(seen, "{} at {start} lost in {got:?}", kws[k]);
        }
    }

    #[test]
    fn every_occurrence_is_reported_or_covered() {
        // Keywords over a 3-letter alphabet overlap and contain each other
        // in every way; 2 to 90 of them make 1 to 3 groups.
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % n) as usize
        };
        for round in 0..40 {
            let want = 2 + round * 2;
            let mut kws: Vec<String> = Vec::new();
            while kws.len() < want {
                let len = 3 + next(4);
                let kw: String = (0..len).map(|_| b"ab_"[next(3)] as char).collect();
                if !kws.contains(&kw) {
                    kws.push(kw);
                }
            }
            let set = KeywordSet::new(&kws).unwrap();
            let hay: Vec<u8> = (0..400).map(|_| b"ab_ "[next(4)]).collect();
            assert_complete(&set, &kws, &hay);
        }
    }

    #[test]
    fn contained_keywords_in_different_groups_are_both_reported() {
        // A keyword and a longer one containing it, apart: both are
        // reported, and `covers` does not list the other group's keyword.
        let kws: Vec<&[u8]> = vec![b"sk-", b"sk-ant-ad", b"api", b"api_key"];
        let set = KeywordSet::with_layout(&kws, vec![vec![0, 3], vec![1, 2]]).unwrap();
        assert_eq!(hits(&set, b"..sk-ant-ad.."), vec![(2, 5, 0), (2, 11, 1)]);
        assert_eq!(set.covers(1), &[(1, 0)]);
        assert_eq!(hits(&set, b"api_key"), vec![(0, 7, 3), (0, 3, 2)]);
        assert_eq!(set.covers(3), &[(3, 0)]);
    }

    #[test]
    fn short_keywords_get_their_own_group() {
        let mut kws = many(20);
        kws.push("=".into());
        kws.push("ab".into());
        let set = KeywordSet::new(&kws).unwrap();
        assert_eq!(set.groups(), 2);
        assert_eq!(set.group_of(20), set.group_of(21));
        assert_ne!(set.group_of(20), set.group_of(0));
        let hay = format!("{}=ab", kws[3]);
        let got: Vec<usize> = hits(&set, hay.as_bytes()).into_iter().map(|h| h.2).collect();
        assert_eq!(got, vec![3, 20, 21]);
    }

    #[test]
    fn layout_is_deterministic_and_complete() {
        let kws = many(77);
        let refs: Vec<&[u8]> = kws.iter().map(|k| k.as_bytes()).collect();
        let a = layout(&refs);
        assert_eq!(a, layout(&refs));
        let mut all: Vec<usize> = a.iter().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..77).collect::<Vec<_>>());
        assert!(a.iter().all(|g| g.len() <= GROUP_MAX));
        let sizes: Vec<usize> = a.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![26, 26, 25]);
    }
}

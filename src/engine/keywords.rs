//! The keyword pass: reports every occurrence of every rule keyword in a
//! haystack, in one pass over it whatever the number of keywords.
//!
//! A keyword is found in three steps.
//! 1. The *filter*: a fingerprint of its first [`FINGERPRINT`] bytes puts
//!    it in one of at most 32 buckets, in groups of 8 (one bit each of a
//!    byte). For every input position, a set of nybble tables says which
//!    buckets' keywords could start there (a byte fits a bucket when its
//!    low nybble and its high nybble each occur at that offset in one of
//!    the bucket's keywords). Positions with no bucket are skipped 32 at a
//!    time with AVX2. This is the idea of Hyperscan's and `aho-corasick`'s
//!    Teddy. Where the CPU has AVX-512 VBMI, a step covers 64 positions and
//!    each fingerprint byte is looked up whole in a 128-entry table per
//!    group (one `vpermi2b`, against two nybble shuffles): a bucket fits
//!    exactly the ASCII bytes its keywords have there.
//! 2. The *exact check* of a position the filter let through (a
//!    *candidate*): four lookups in 256-entry tables of 128-bit sets give
//!    the *fine buckets* (keywords in order of their first bytes, at most
//!    128 buckets) whose keywords have exactly the position's 4 bytes.
//! 3. Each keyword of those buckets is compared on an 8-byte head (two
//!    words, four keywords of a bucket at once), then past it when longer.
//!
//! Each group of the filter costs its lookups at every step, whether or not
//! anything is found; a candidate costs a few nanoseconds. So the filter
//! never has more than [`MAX_GROUPS`] groups (AVX2, NEON) or
//! [`MAX_WIDE_GROUPS`] (AVX-512, whose whole-byte tables let fewer
//! candidates through), all checked in one pass: past that many times 32
//! keywords its buckets grow instead, letting through more candidates for
//! the exact check, which stays cheap. With 351 keywords the pass costs
//! about twice what it does with 94, against 3 to 4 times with one group
//! per 32 keywords (`bench/keyword-pass.sh`, rules/KEYWORDS.md).
//!
//! Filter buckets are only as good as their keywords' bytes are alike: a
//! bucket holding `lin_api_`, `mongodb` and `cio` fits `con` and `min`,
//! common words. Keywords are therefore placed by estimating each bucket's
//! candidates from the byte frequencies of source code ([`BYTE_FREQ`]),
//! greedily and then improved by a bounded number of swaps (start-up time
//! counts: a pre-commit hook runs this at every commit). Without AVX2 or
//! NEON, and for the last bytes of the input, an exact two-byte table
//! replaces the filter.
//!
//! A keyword has a *context* ([`KeywordContext`], given by the engine from
//! what every match of the rules using it holds): it may fold case (its
//! letters match in either case), and name the set of the byte before it
//! and those of up to 32 bytes after it, in runs of one set. An occurrence is a hit only where these
//! hold (a byte outside the input counts as fitting). A *word start* is a
//! keyword whose byte before is not an ASCII letter, digit or `_`. The
//! context's bytes fill a short keyword's fingerprint: the bytes after
//! it, or, when rarer in code, the byte before it, looked for one byte
//! early ([`Shape`]): `sk-` inside `task-list` is then not even a
//! candidate. Where the whole step is ASCII, as source code mostly is, the
//! wide search looks bytes up without masks.
//!
//! What it must not do: lose an occurrence, report one twice, or report
//! hits out of order. Occurrences may overlap (`sk-` inside `sk-ant-ad`,
//! `k_liv` inside `sk_live`): each is a hit of its own. The set knows
//! nothing about rules: a context is given, not derived here.

use std::mem::MaybeUninit;
use std::ops::Range;

/// Leading bytes of a keyword that pick its bucket. Shorter keywords leave
/// the rest of the fingerprint open.
const FINGERPRINT: usize = 4;

/// Buckets per group: one bit each of a byte.
const BUCKETS: usize = 8;

/// Keywords per group the placement aims for, up to [`MAX_GROUPS`]. Each
/// group costs 8 byte shuffles per 32 input bytes; more keywords per bucket
/// cost candidates.
const GROUP_TARGET: usize = 32;

/// The most groups the filter has: one search loop handles them all. Past
/// `MAX_GROUPS * GROUP_TARGET` keywords, buckets grow instead, which costs
/// candidates, each a few table lookups ([`KeywordSet::confirm`]), rather
/// than another pass over the input. With AVX2 and 352 keywords, 6 groups
/// let through less than half the candidates 4 do, for a sixth more
/// shuffles: 517M instructions against 551M for the pass over git/git's
/// tree, most of the saving in the branchy exact check.
const MAX_GROUPS: usize = 6;

/// [`MAX_GROUPS`] for the wide search: its whole-byte tables already keep
/// candidates few, and more groups did not pay for their lookups.
const MAX_WIDE_GROUPS: usize = 4;

/// Buckets of the exact check that confirms a candidate: one bit each of a
/// `u128`.
const FINE_BUCKETS: usize = 128;

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

/// Positions searched per refill of [`Hits`]: bounds the hits held at
/// once, whatever the input.
const BLOCK: usize = 1 << 16;

/// The searches a set can run, slowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Search {
    /// Any CPU: an exact table of each keyword's first two bytes.
    Portable,
    /// AVX2 (32 positions a step) or NEON (16).
    Vector,
    /// AVX-512 VBMI (64 positions a step, whole-byte tables).
    Wide,
}

/// A keyword occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    /// Index of the keyword in the slice given to [`KeywordSet::new`].
    pub keyword: usize,
}

use crate::rules::regex_parse::{class_has, class_of, AFTER_RUNS, MAX_BLANKS};
/// What must hold around a keyword for an occurrence to be a hit: the
/// rule facts of [`KeywordContext`] (its case, the byte before it, the bytes
/// after it). A byte that is not there (before the start of the input, past
/// its end) counts as fitting.
pub use crate::rules::KeywordContext;

/// Probes of a fine bucket compared at once ([`ProbeChunk`]).
const CHUNK: usize = 4;

/// Bytes of a candidate a probe compares as two words: the
/// [`FINGERPRINT`] and the 4 after it. Most keywords are no longer, so
/// most need no comparison after it.
const HEAD: usize = 8;

/// Up to [`CHUNK`] probes of one fine bucket, their heads and masks side by
/// side: a candidate's words are compared with all of them at once,
/// without a branch per probe (a few vector instructions). Which probes of
/// a bucket match a candidate is as unpredictable as the input, and a
/// branch per probe cost more than the comparisons. Unused places never
/// match (mask 0, head 1). A chunk is 112 bytes: the chunks of hundreds of
/// keywords stay in the fastest cache.
#[derive(Debug, Clone)]
#[repr(C, align(16))]
struct ProbeChunk {
    /// The first [`FINGERPRINT`] bytes of each probe's head.
    heads: [u32; CHUNK],
    masks: [u32; CHUNK],
    /// The next 4 bytes.
    heads_next: [u32; CHUNK],
    masks_next: [u32; CHUNK],
    targets: [Target; CHUNK],
    /// How many of `targets` are real.
    len: u8,
}

/// What a probe whose head matched checks next.
#[derive(Debug, Clone, Copy)]
struct Target {
    keyword: u32,
    /// How many of the keyword's bytes the head checks.
    checked: u8,
    /// The keyword starts this many bytes after the candidate position
    /// ([`Shape::lead`]).
    lead: u8,
    /// The keyword's letters match in either case.
    fold_case: bool,
    /// The keyword has a byte before or after it to check.
    around: bool,
}

impl ProbeChunk {
    fn of(probes: &[Probe]) -> ProbeChunk {
        assert!(!probes.is_empty() && probes.len() <= CHUNK, "a chunk holds 1 to {CHUNK} probes");
        let unused = Target { keyword: u32::MAX, checked: 0, lead: 0, fold_case: false, around: false };
        let mut chunk = ProbeChunk {
            heads: [1; CHUNK],
            masks: [0; CHUNK],
            heads_next: [0; CHUNK],
            masks_next: [0; CHUNK],
            targets: [unused; CHUNK],
            len: probes.len() as u8,
        };
        for (i, p) in probes.iter().enumerate() {
            [chunk.heads[i], chunk.heads_next[i]] = p.head;
            [chunk.masks[i], chunk.masks_next[i]] = p.mask;
            chunk.targets[i] = p.target;
        }
        chunk
    }

    /// One bit per probe whose head the candidate's [`HEAD`] bytes, as two
    /// little-endian words, have.
    #[inline(always)]
    fn matching(&self, words: [u32; 2]) -> u32 {
        same_heads(words[0], &self.heads, &self.masks) & same_heads(words[1], &self.heads_next, &self.masks_next)
    }

    #[cfg(test)]
    fn targets(&self) -> &[Target] {
        &self.targets[..usize::from(self.len)]
    }
}

/// One bit per `i` where `word & masks[i] == heads[i]`.
#[inline(always)]
fn same_heads(word: u32, heads: &[u32; CHUNK], masks: &[u32; CHUNK]) -> u32 {
    let mut m = 0;
    for i in 0..CHUNK {
        m |= u32::from(word & masks[i] == heads[i]) << i;
    }
    m
}

/// A keyword's context as the exact check reads it at each hit, its byte
/// sets by their number in [`KeywordSet::sets`]: a few bytes a keyword, so
/// that the contexts of hundreds of keywords stay in the fastest cache (a
/// [`KeywordContext`] spells its sets out, a few hundred bytes).
#[derive(Debug, Clone, Copy)]
struct Around {
    before: Option<u16>,
    after_blanks: bool,
    runs: [(u16, u8); AFTER_RUNS],
    runs_len: u8,
}

impl Around {
    fn of(c: &KeywordContext, sets: &mut Vec<ByteSet>) -> Around {
        let mut number = |set: &ByteSet| {
            let n = sets.iter().position(|s| s == set).unwrap_or_else(|| {
                sets.push(*set);
                sets.len() - 1
            });
            u16::try_from(n).expect("fewer than 2^16 byte sets")
        };
        let mut runs = [(0, 0); AFTER_RUNS];
        for (r, run) in runs.iter_mut().zip(&c.after[..usize::from(c.after_runs)]) {
            *r = (number(&run.set), run.len);
        }
        Around {
            before: c.before.as_ref().map(&mut number),
            after_blanks: c.after_blanks,
            runs,
            runs_len: c.after_runs,
        }
    }
}

/// A keyword as a bucket checks it: its first bytes as a little-endian word
/// and the mask of the bytes it has.
#[derive(Debug, Clone, Copy)]
struct Probe {
    /// The candidate's [`HEAD`] bytes this probe wants (as two words), and
    /// which of their bits count.
    head: [u32; 2],
    mask: [u32; 2],
    /// What a candidate whose head matched checks next.
    target: Target,
}

/// One group's tables: for each fingerprint offset, the buckets whose
/// keywords allow each low and each high nybble there, and the buckets that
/// allow each ASCII byte there (`ascii`; a non-ASCII keyword byte allows
/// the ASCII byte with the same low 7 bits, and `high` says so).
#[derive(Debug, Clone, Copy)]
struct Tables {
    lo: [[u8; 16]; FINGERPRINT],
    hi: [[u8; 16]; FINGERPRINT],
    ascii: [[u8; 128]; FINGERPRINT],
    high: [bool; FINGERPRINT],
}

impl Default for Tables {
    fn default() -> Tables {
        Tables {
            lo: [[0; 16]; FINGERPRINT],
            hi: [[0; 16]; FINGERPRINT],
            ascii: [[0; 128]; FINGERPRINT],
            high: [false; FINGERPRINT],
        }
    }
}

/// Finds many literal keywords at once. Cheap to share across threads.
pub struct KeywordSet {
    keywords: Vec<Box<[u8]>>,
    /// Per keyword: what must hold around an occurrence.
    contexts: Vec<KeywordContext>,
    /// Per keyword: its context as each hit reads it ([`Around`]).
    around: Vec<Around>,
    /// The byte sets the contexts name, each once.
    sets: Vec<ByteSet>,
    /// The keywords the vector search looks for one byte early
    /// ([`Shape::lead`]).
    leads: Vec<usize>,
    /// The filter: per group of [`BUCKETS`] buckets.
    tables: Vec<Tables>,
    /// The exact check: `fine[i][byte]` has bit `b` set when a keyword of
    /// fine bucket `b` has `byte` at offset `i` (or ends before it).
    fine: Box<[[u128; 256]; FINGERPRINT]>,
    /// Per fine bucket: its keywords, in chunks (most buckets have one).
    fine_buckets: Vec<Vec<ProbeChunk>>,
    /// Exact first two bytes (`b0 << 8 | b1`) → index in `by_pair`, where
    /// `pair_bits` has the pair. A one-byte keyword is under every second
    /// byte.
    pair_index: Box<[u16]>,
    /// One bit per pair: whether some keyword starts with it.
    pair_bits: Box<[u64]>,
    by_pair: Vec<Vec<usize>>,
    /// Whether [`KeywordSet::find_vector`] runs on this CPU.
    vector: bool,
    /// Whether it runs the AVX-512 VBMI search (64 positions a step).
    wide: bool,
}

impl KeywordSet {
    /// Builds the set for `keywords`, which must be distinct and non-empty.
    pub fn new<S: AsRef<[u8]>>(keywords: &[S]) -> KeywordSet {
        KeywordSet::with_contexts(keywords, &vec![KeywordContext::default(); keywords.len()])
    }

    /// Builds the set for `keywords` (distinct and non-empty), of which
    /// those with `word_start` set are only reported at the start of a
    /// word: at the start of the input or after a byte that is not an
    /// ASCII letter, digit or `_`.
    pub fn with_word_starts<S: AsRef<[u8]>>(keywords: &[S], word_start: &[bool]) -> KeywordSet {
        assert_eq!(keywords.len(), word_start.len(), "one word_start per keyword");
        let contexts: Vec<KeywordContext> = word_start
            .iter()
            .map(|&w| KeywordContext { before: w.then_some(NOT_WORD), ..KeywordContext::default() })
            .collect();
        KeywordSet::with_contexts(keywords, &contexts)
    }

    /// Builds the set for `keywords` (distinct and non-empty), each reported
    /// only where its context holds ([`KeywordContext`]): in either case
    /// when it folds case, after a byte of its `before` set, before bytes
    /// of its `after` sets.
    pub fn with_contexts<S: AsRef<[u8]>>(keywords: &[S], contexts: &[KeywordContext]) -> KeywordSet {
        assert_eq!(keywords.len(), contexts.len(), "one context per keyword");
        let kws: Vec<&[u8]> = keywords.iter().map(|k| k.as_ref()).collect();
        KeywordSet::for_search(&kws, contexts, Search::Wide)
    }

    /// Builds the set for the best search this CPU has, at most `search`;
    /// the filter's buckets are placed for that search's tables.
    fn for_search(kws: &[&[u8]], contexts: &[KeywordContext], search: Search) -> KeywordSet {
        let wide = wide_available() && search >= Search::Wide;
        let groups = kws.len().div_ceil(GROUP_TARGET).min(if wide { MAX_WIDE_GROUPS } else { MAX_GROUPS });
        let shapes: Vec<Shape> = kws.iter().zip(contexts).map(|(kw, c)| Shape::of(kw, c)).collect();
        let mut set = KeywordSet::with_buckets(kws, contexts, &shapes, place(&shapes, groups * BUCKETS, wide));
        set.wide = wide;
        set.vector &= search >= Search::Vector;
        set
    }

    /// Builds the set with the given buckets (keyword indices), in groups of
    /// [`BUCKETS`].
    fn with_buckets(
        kws: &[&[u8]],
        contexts: &[KeywordContext],
        shapes: &[Shape],
        placed: Vec<Vec<usize>>,
    ) -> KeywordSet {
        assert!(kws.iter().all(|k| !k.is_empty()), "empty keyword");
        let ngroups = placed.len().div_ceil(BUCKETS);
        let mut tables = vec![Tables::default(); ngroups];
        for (b, members) in placed.iter().enumerate() {
            let t = &mut tables[b / BUCKETS];
            let bit = 1u8 << (b % BUCKETS);
            for &k in members {
                for (i, set) in shapes[k].sets.iter().enumerate() {
                    for byte in set_bytes(set) {
                        t.lo[i][usize::from(byte & 0xF)] |= bit;
                        t.hi[i][usize::from(byte >> 4)] |= bit;
                        t.ascii[i][usize::from(byte & 0x7F)] |= bit;
                        t.high[i] |= byte >= 0x80;
                    }
                }
            }
        }
        let mut fine = Box::new([[0u128; 256]; FINGERPRINT]);
        let mut fine_buckets = Vec::new();
        for (b, members) in fine_place(kws, shapes).into_iter().enumerate() {
            for &k in &members {
                for (table, set) in fine.iter_mut().zip(&shapes[k].sets) {
                    for byte in set_bytes(set) {
                        table[usize::from(byte)] |= 1 << b;
                    }
                }
            }
            let probes: Vec<Probe> = members.iter().map(|&k| probe(k, kws[k], &shapes[k], &contexts[k])).collect();
            fine_buckets.push(probes.chunks(CHUNK).map(ProbeChunk::of).collect());
        }
        let mut pair_index = vec![0u16; 1 << 16].into_boxed_slice();
        let mut pair_bits = vec![0u64; (1 << 16) / 64].into_boxed_slice();
        let mut by_pair: Vec<Vec<usize>> = Vec::new();
        for (k, kw) in kws.iter().enumerate() {
            let cases = |b: u8| -> Vec<u8> {
                if contexts[k].fold_case && b.is_ascii_alphabetic() {
                    vec![b.to_ascii_lowercase(), b.to_ascii_uppercase()]
                } else {
                    vec![b]
                }
            };
            let seconds: Vec<u8> = match kw.get(1) {
                Some(&b) => cases(b),
                None => (0..=255).collect(),
            };
            let pairs = cases(kw[0]).into_iter().flat_map(|first| seconds.iter().map(move |&second| (first, second)));
            for (first, second) in pairs {
                let pair = usize::from(first) << 8 | usize::from(second);
                if pair_bits[pair >> 6] & (1 << (pair & 63)) == 0 {
                    pair_bits[pair >> 6] |= 1 << (pair & 63);
                    // At most 65,536 pairs: indices 0..=65535 fit.
                    pair_index[pair] = u16::try_from(by_pair.len()).expect("at most 65536 pairs");
                    by_pair.push(Vec::new());
                }
                by_pair[usize::from(pair_index[pair])].push(k);
            }
        }
        let mut sets = Vec::new();
        let around = contexts.iter().map(|c| Around::of(c, &mut sets)).collect();
        KeywordSet {
            keywords: kws.iter().map(|k| Box::from(*k)).collect(),
            contexts: contexts.to_vec(),
            around,
            sets,
            leads: (0..kws.len()).filter(|&k| shapes[k].lead > 0).collect(),
            tables,
            fine,
            fine_buckets,
            pair_index,
            pair_bits,
            by_pair,
            vector: vector_available(),
            wide: false,
        }
    }

    /// The same set searching with at most `search` (the best this CPU has
    /// is the default): for measuring one search against another.
    pub fn with_search(&self, search: Search) -> KeywordSet {
        let kws: Vec<&[u8]> = self.keywords.iter().map(|k| &k[..]).collect();
        KeywordSet::for_search(&kws, &self.contexts, search)
    }

    /// The search this set runs on this CPU.
    pub fn search(&self) -> Search {
        match (self.wide, self.vector) {
            (true, _) => Search::Wide,
            (false, true) => Search::Vector,
            _ => Search::Portable,
        }
    }

    /// How many keywords the set has.
    pub fn len(&self) -> usize {
        self.keywords.len()
    }

    /// Whether keyword `k` is only reported at the start of a word.
    pub fn word_start(&self, k: usize) -> bool {
        self.contexts[k].before == Some(NOT_WORD)
    }

    /// What must hold around keyword `k` for an occurrence to be a hit.
    pub fn context(&self, k: usize) -> &KeywordContext {
        &self.contexts[k]
    }

    /// Whether keyword `k`'s context holds around `hay[at..end]`, where
    /// the keyword itself is: the byte before it and the bytes after it,
    /// where the input has them.
    #[inline(always)]
    fn around_fits(&self, k: usize, hay: &[u8], at: usize, end: usize) -> bool {
        let c = &self.around[k];
        if let Some(before) = c.before {
            if at > 0 && !class_has(&self.sets[usize::from(before)], hay[at - 1]) {
                return false;
            }
        }
        let mut rest = hay.get(end..).unwrap_or_default();
        if c.after_blanks && matches!(rest.first(), Some(b' ' | b'\t')) {
            match past_blanks(rest) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        for &(set, len) in &c.runs[..usize::from(c.runs_len)] {
            let (bytes, more) = rest.split_at(rest.len().min(usize::from(len)));
            let set = &self.sets[usize::from(set)];
            if !bytes.iter().all(|&b| class_has(set, b)) {
                return false;
            }
            rest = more;
        }
        true
    }

    /// Whether `hay` starts with keyword `k` (in either case if it folds).
    #[inline]
    fn spelled_at(&self, k: usize, hay: &[u8]) -> bool {
        let kw = &self.keywords[k];
        if self.contexts[k].fold_case {
            hay.len() >= kw.len() && hay[..kw.len()].eq_ignore_ascii_case(kw)
        } else {
            hay.starts_with(kw)
        }
    }

    /// Whether the set has no keywords.
    pub fn is_empty(&self) -> bool {
        self.keywords.is_empty()
    }

    /// How many groups of [`BUCKETS`] buckets the set has.
    pub fn groups(&self) -> usize {
        self.tables.len()
    }

    /// Every occurrence of every keyword in `hay`, by increasing start.
    pub fn find_iter<'a, 'h>(&'a self, hay: &'h [u8]) -> Hits<'a, 'h> {
        // Room for the hits of most inputs (growing from empty cost a few
        // reallocations per file); none for short ones (decoded spans).
        let room = (hay.len() / 256).min(HITS_CAPACITY);
        Hits { set: self, hay, next: 0, buf: Vec::with_capacity(room), taken: 0 }
    }

    /// Appends the hits starting in `span`, by increasing start.
    ///
    /// The vector search reports a keyword it looks for one byte early (a
    /// lead [`Shape`]) at the position after its candidate: of those, the
    /// one at `span.start` is found here first, by the exact pair table,
    /// and one at the position where the vector search stops is left to
    /// the portable search that takes over there.
    fn find_in(&self, hay: &[u8], span: Range<usize>, out: &mut Vec<Hit>) {
        let first = out.len();
        if !self.leads.is_empty() && self.vector {
            self.find_scalar(hay, span.start..span.start + 1, true, out);
        }
        let done = if self.vector { self.find_vector(hay, span.clone(), out) } else { span.start };
        if done == span.start {
            // No vector step: the portable search covers `span.start`.
            out.truncate(first);
        }
        while out.last().is_some_and(|h| h.start == done && done > span.start) {
            out.pop();
        }
        self.find_scalar(hay, done..span.end, false, out);
    }

    /// The portable search: the exact pair table. With `leads_only`, only
    /// the keywords of lead shapes.
    fn find_scalar(&self, hay: &[u8], span: Range<usize>, leads_only: bool, out: &mut Vec<Hit>) {
        let pair_at = |at: usize| usize::from(hay[at]) << 8 | usize::from(hay.get(at + 1).copied().unwrap_or(0));
        for at in span {
            let pair = pair_at(at);
            // The bit set is 8 KiB and stays in cache; most pairs stop here.
            if self.pair_bits[pair >> 6] & (1 << (pair & 63)) == 0 {
                continue;
            }
            for &k in &self.by_pair[usize::from(self.pair_index[pair])] {
                if leads_only && !self.leads.contains(&k) {
                    continue;
                }
                let end = at + self.keywords[k].len();
                if self.spelled_at(k, &hay[at..]) && self.around_fits(k, hay, at, end) {
                    out.push(Hit { start: at, end, keyword: k });
                }
            }
        }
    }

    /// The fine buckets whose keywords have the [`FINGERPRINT`] bytes at
    /// `start` (which has that many bytes after it): four lookups in the
    /// exact tables.
    #[inline]
    fn fine_fits(&self, hay: &[u8], start: usize) -> u128 {
        let bytes: [u8; FINGERPRINT] = hay[start..start + FINGERPRINT].try_into().expect("a fingerprint");
        let mut fits = !0u128;
        for (table, &byte) in self.fine.iter().zip(&bytes) {
            fits &= table[usize::from(byte)];
        }
        fits
    }

    /// Confirms a candidate at `start` that fits fine buckets `fits`
    /// ([`KeywordSet::fine_fits`]): each keyword of those is compared.
    #[inline]
    fn confirm(&self, start: usize, mut fits: u128, hay: &[u8], out: &mut Vec<Hit>) {
        // The candidate's head; near the input's end, padded with zeros,
        // and then only its fingerprint is taken as checked.
        let mut padded = [0u8; HEAD];
        let (head, whole) = match hay.get(start..start + HEAD) {
            Some(h) => (h, true),
            None => {
                padded[..hay.len() - start].copy_from_slice(&hay[start..]);
                (&padded[..], false)
            }
        };
        let words = [u32_at(head, 0), u32_at(head, 4)];
        while fits != 0 {
            let b = fits.trailing_zeros() as usize;
            fits &= fits - 1;
            self.confirm_bucket(b, start, words, whole, hay, out);
        }
    }

    /// Compares the probes of fine bucket `b` at candidate `start`, whose
    /// head is `words` (`whole`: not padded past the input's end).
    #[inline(always)]
    fn confirm_bucket(&self, b: usize, start: usize, words: [u32; 2], whole: bool, hay: &[u8], out: &mut Vec<Hit>) {
        for chunk in &self.fine_buckets[b] {
            let mut matching = chunk.matching(words);
            while matching != 0 {
                let t = chunk.targets[matching.trailing_zeros() as usize];
                matching &= matching - 1;
                // A lead shape's first byte is the one before the keyword;
                // the exact tables only checked that some keyword of the
                // fine bucket has it.
                let (k, lead) = (t.keyword as usize, usize::from(t.lead));
                let at = start + lead;
                let kw = &self.keywords[k];
                let end = at + kw.len();
                let checked = if whole { usize::from(t.checked) } else { FINGERPRINT - lead };
                let spelled = kw.len() <= checked
                    || if t.fold_case {
                        hay.get(at + checked..end).is_some_and(|h| h.eq_ignore_ascii_case(&kw[checked..]))
                    } else {
                        starts_with(&hay[at + checked..], &kw[checked..])
                    };
                if spelled && (!t.around || self.around_fits(k, hay, at, end)) {
                    out.push(Hit { start: at, end, keyword: k });
                }
            }
        }
    }

    /// The vector search over the positions of `span` with a full
    /// fingerprint after them, a whole step at a time, all groups in one
    /// pass; returns where it stopped.
    fn find_vector(&self, hay: &[u8], span: Range<usize>, out: &mut Vec<Hit>) -> usize {
        let groups = &self.tables[..];
        if groups.is_empty() {
            return span.start;
        }
        // SAFETY: `vector` is only set where the CPU has the instructions
        // `vector::search` uses, `wide` where it has those of
        // `wide::search`.
        unsafe {
            match (self.wide, groups.len()) {
                (true, 1) => wide::search::<1>(self, groups, hay, span, out),
                (true, 2) => wide::search::<2>(self, groups, hay, span, out),
                (true, 3) => wide::search::<3>(self, groups, hay, span, out),
                (true, _) => wide::search::<MAX_WIDE_GROUPS>(self, groups, hay, span, out),
                (false, 1) => vector::search::<1>(self, groups, hay, span, out),
                (false, 2) => vector::search::<2>(self, groups, hay, span, out),
                (false, 3) => vector::search::<3>(self, groups, hay, span, out),
                (false, 4) => vector::search::<4>(self, groups, hay, span, out),
                (false, 5) => vector::search::<5>(self, groups, hay, span, out),
                (false, _) => vector::search::<MAX_GROUPS>(self, groups, hay, span, out),
            }
        }
    }
}

/// Hits a search makes room for at first ([`KeywordSet::find_iter`]).
const HITS_CAPACITY: usize = 128;

/// Candidates held before they are confirmed ([`Steps`]).
const HELD: usize = 512;

/// The candidates of vector steps, confirmed in batches, in order. A step
/// never waits on the confirmation of the one before it (a call and a
/// branch on whether it found anything), which made the wide pass about a
/// tenth faster with 354 keywords (`bench/keyword-pass.sh`). A step's
/// candidate positions are written out four at a time whatever their
/// number (most steps have none or one), and candidates that fit no fine
/// bucket are dropped without a branch: which candidates go on is as
/// unpredictable as the input, and each misprediction costs more than
/// the work it would skip.
struct Steps {
    /// Candidate positions, in order; past `len`, junk (never read: each
    /// is written before it counts). Not zeroed: a search makes one per
    /// block, and clearing it cost more than most blocks' candidates.
    starts: [MaybeUninit<usize>; HELD + 64 + 4],
    len: usize,
}

impl Steps {
    fn new() -> Steps {
        Steps { starts: [MaybeUninit::uninit(); HELD + 64 + 4], len: 0 }
    }

    /// Adds the step at `at` with candidates `positions` (maybe none).
    #[inline]
    fn push(&mut self, set: &KeywordSet, hay: &[u8], out: &mut Vec<Hit>, at: usize, positions: u64) {
        if self.len > HELD {
            self.flush(set, hay, out);
        }
        let n = positions.count_ones() as usize;
        let mut rest = positions;
        let mut i = self.len;
        loop {
            for _ in 0..4 {
                self.starts[i] = MaybeUninit::new(at + rest.trailing_zeros() as usize);
                rest &= rest.wrapping_sub(1);
                i += 1;
            }
            if i >= self.len + n {
                break;
            }
        }
        self.len += n;
    }

    /// Confirms the candidates held, in order.
    fn flush(&mut self, set: &KeywordSet, hay: &[u8], out: &mut Vec<Hit>) {
        // SAFETY: `push` wrote every position below `len`.
        let starts: &[usize] = unsafe { &*(std::ptr::from_ref(&self.starts[..self.len]) as *const [usize]) };
        let mut fitting = [(0usize, 0u128); 64];
        for chunk in starts.chunks(fitting.len()) {
            let mut n = 0;
            for &start in chunk {
                let fits = set.fine_fits(hay, start);
                fitting[n] = (start, fits);
                n += usize::from(fits != 0);
            }
            for &(start, fits) in &fitting[..n] {
                set.confirm(start, fits, hay, out);
            }
        }
        self.len = 0;
    }
}

/// Iterator over a haystack's keyword hits; see [`KeywordSet::find_iter`].
/// Searches [`BLOCK`] positions at a time.
pub struct Hits<'a, 'h> {
    set: &'a KeywordSet,
    hay: &'h [u8],
    /// The first position not searched yet.
    next: usize,
    buf: Vec<Hit>,
    /// Hits of `buf` already returned.
    taken: usize,
}

impl Iterator for Hits<'_, '_> {
    type Item = Hit;

    #[inline]
    fn next(&mut self) -> Option<Hit> {
        if self.taken == self.buf.len() && !self.refill() {
            return None;
        }
        self.taken += 1;
        Some(self.buf[self.taken - 1])
    }
}

impl Hits<'_, '_> {
    /// Searches blocks until one has hits; `false` at the input's end.
    /// Kept out of [`Hits::next`], which then costs a hit a few
    /// instructions where it is inlined.
    #[inline(never)]
    fn refill(&mut self) -> bool {
        while self.taken == self.buf.len() {
            if self.next >= self.hay.len() || self.set.keywords.is_empty() {
                return false;
            }
            self.buf.clear();
            self.taken = 0;
            let end = (self.next + BLOCK).min(self.hay.len());
            self.set.find_in(self.hay, self.next..end, &mut self.buf);
            self.next = end;
        }
        true
    }
}

/// The probe of keyword `keyword`: its shape's single bytes and letters in
/// either case (the case bit masked off), compared as one word. The other
/// offsets hold sets around the keyword, which [`KeywordSet::around_fits`]
/// checks, or are past its end.
fn probe(keyword: usize, kw: &[u8], shape: &Shape, context: &KeywordContext) -> Probe {
    let mut head = [0u8; HEAD];
    let mut mask = [0u8; HEAD];
    for (i, set) in shape.sets.iter().enumerate() {
        if let Some(b) = single_byte(set) {
            head[i] = b;
            mask[i] = 0xFF;
        } else if let Some(b) = letter_cases(set) {
            head[i] = b;
            mask[i] = !0x20;
        }
    }
    // Past the fingerprint, the keyword's own bytes, in either case when
    // it folds (its bytes there are its fingerprint's sets' way too).
    for i in FINGERPRINT..HEAD {
        let Some(&b) = (i - shape.lead < kw.len()).then(|| &kw[i - shape.lead]) else { break };
        (head[i], mask[i]) =
            if context.fold_case && b.is_ascii_alphabetic() { (b.to_ascii_uppercase(), !0x20) } else { (b, 0xFF) };
    }
    let word = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("four bytes"));
    Probe {
        head: [word(&head[..4]), word(&head[4..])],
        mask: [word(&mask[..4]), word(&mask[4..])],
        target: Target {
            keyword: u32::try_from(keyword).expect("fewer than 2^32 keywords"),
            checked: u8::try_from(kw.len().min(HEAD - shape.lead)).expect("a head is 8 bytes"),
            lead: u8::try_from(shape.lead).expect("a lead is one byte"),
            fold_case: context.fold_case,
            around: context.before.is_some() || context.after_runs > 0 || context.after_blanks,
        },
    }
}

/// The upper-case letter of a set that is exactly a letter's two cases.
fn letter_cases(set: &ByteSet) -> Option<u8> {
    let mut bytes = set_bytes(set);
    let (a, b) = (bytes.next()?, bytes.next()?);
    (bytes.next().is_none() && a.is_ascii_uppercase() && b == a.to_ascii_lowercase()).then_some(a)
}

/// The little-endian word of `bytes[i..i + 4]`.
#[inline(always)]
fn u32_at(bytes: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(bytes[i..i + 4].try_into().expect("four bytes"))
}

/// `hay.starts_with(needle)` for the short tails of keywords, without a
/// call to `memcmp`: eight bytes at a time, then byte by byte.
#[inline]
fn starts_with(hay: &[u8], needle: &[u8]) -> bool {
    if hay.len() < needle.len() {
        return false;
    }
    let word = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("eight bytes"));
    let mut i = 0;
    while i + 8 <= needle.len() {
        if word(hay, i) != word(needle, i) {
            return false;
        }
        i += 8;
    }
    needle[i..].iter().zip(&hay[i..]).all(|(a, b)| a == b)
}

/// A set of byte values.
type ByteSet = [u128; 2];

/// Every byte value.
const ANY_BYTE: ByteSet = [!0, !0];

/// The bytes that are not word bytes ([`is_word`]).
pub(super) const NOT_WORD: ByteSet = {
    let mut set = ANY_BYTE;
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() || byte == b'_' {
            set[b >> 7] &= !(1 << (b & 0x7F));
        }
        b += 1;
    }
    set
};

/// `rest` after its leading blanks; `None` past [`MAX_BLANKS`] of them.
fn past_blanks(rest: &[u8]) -> Option<&[u8]> {
    let n = rest
        .iter()
        .take(MAX_BLANKS + 1)
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(rest.len().min(MAX_BLANKS + 1));
    (n <= MAX_BLANKS).then(|| &rest[n..])
}

/// Whether `b` is an ASCII letter, digit or `_` (a word byte of `\b`).
pub(super) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The bytes of `set`, in increasing order.
fn set_bytes(set: &ByteSet) -> impl Iterator<Item = u8> + '_ {
    set.iter().enumerate().flat_map(|(half, &bits)| bits128(bits).map(move |b| (half << 7 | b) as u8))
}

/// The byte of a one-byte set.
fn single_byte(set: &ByteSet) -> Option<u8> {
    (set[0].count_ones() + set[1].count_ones() == 1).then(|| set_bytes(set).next().expect("one byte"))
}

/// What a keyword's candidate position must hold: a set of bytes at each
/// fingerprint offset. Usually the keyword's first bytes, any byte past
/// its end. A word-start keyword shorter than the fingerprint is looked for
/// one byte early instead (`lead` 1): a byte that is not a word byte, then
/// the keyword. Its fingerprint is then as selective as a longer
/// keyword's, and the shared bytes of short keywords stop making
/// candidates inside words (`sk-` in `task-list`, `re_` in `pre_commit`).
#[derive(Debug, Clone, Copy)]
struct Shape {
    sets: [ByteSet; FINGERPRINT],
    lead: usize,
}

impl Shape {
    /// The keyword's bytes (both cases of its letters if it folds case),
    /// then the sets of the bytes after it; for a keyword shorter than the
    /// fingerprint with a known byte before it, that byte first instead
    /// when that fits fewer positions of source code.
    fn of(kw: &[u8], context: &KeywordContext) -> Shape {
        let spelled = kw.iter().map(|&b| {
            if context.fold_case && b.is_ascii_alphabetic() {
                class_of([b.to_ascii_lowercase(), b.to_ascii_uppercase()])
            } else {
                class_of([b])
            }
        });
        let after = context.after_sets_unskipped();
        let with_lead = |lead: Option<ByteSet>| {
            let mut sets = [ANY_BYTE; FINGERPRINT];
            for (set, s) in sets.iter_mut().zip(lead.into_iter().chain(spelled.clone()).chain(after.clone())) {
                *set = s;
            }
            Shape { sets, lead: usize::from(lead.is_some()) }
        };
        let plain = with_lead(None);
        match context.before {
            Some(before) if kw.len() < FINGERPRINT => {
                let led = with_lead(Some(before));
                if led.frequency() < plain.frequency() {
                    led
                } else {
                    plain
                }
            }
            _ => plain,
        }
    }

    /// How often a position of source code fits the shape, by
    /// [`BYTE_FREQ`], assuming independent bytes.
    fn frequency(&self) -> f64 {
        let total: f64 = BYTE_FREQ.iter().map(|&f| f64::from(f)).sum();
        self.sets
            .iter()
            .map(|set| set_bytes(set).map(|b| f64::from(BYTE_FREQ[usize::from(b)])).sum::<f64>() / total)
            .product()
    }
}

/// Whether this CPU runs the wide vector search: AVX-512 with VBMI on
/// x86-64 (detected at run time). The base64 run finder uses the same
/// instructions.
pub(super) fn wide_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vbmi")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether this CPU runs the vector search: AVX2 on x86-64 (detected at
/// run time), NEON on AArch64 (always there).
fn vector_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(target_arch = "aarch64")]
    {
        true
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        false
    }
}

#[cfg(target_arch = "x86_64")]
use self::avx2 as vector;
#[cfg(target_arch = "aarch64")]
use self::neon as vector;

/// Off x86-64 the wide search is never enabled.
#[cfg(not(target_arch = "x86_64"))]
mod wide {
    use super::{Hit, KeywordSet, Tables};
    use std::ops::Range;

    pub(super) unsafe fn search<const G: usize>(
        _: &KeywordSet,
        _: &[Tables],
        _: &[u8],
        _: Range<usize>,
        _: &mut Vec<Hit>,
    ) -> usize {
        unreachable!("no wide search on this architecture")
    }
}

#[cfg(target_arch = "x86_64")]
mod wide {
    use super::{Hit, KeywordSet, Steps, Tables, FINGERPRINT};
    use std::arch::x86_64::*;
    use std::ops::Range;

    /// As the AVX2 search, 64 positions per step, each fingerprint byte
    /// looked up whole: a position fits a bucket at an offset when its byte
    /// is ASCII and one of the bucket's keywords has it there (or has a
    /// non-ASCII byte there with the same low 7 bits, or ends before).
    ///
    /// # Safety
    /// The CPU must support AVX-512 F, BW and VBMI.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) unsafe fn search<const G: usize>(
        set: &KeywordSet,
        groups: &[Tables],
        hay: &[u8],
        span: Range<usize>,
        out: &mut Vec<Hit>,
    ) -> usize {
        debug_assert_eq!(groups.len(), G);
        // SAFETY: reads 64 bytes from each half of a 128-byte table.
        let table = |t: &[u8; 128], half: usize| unsafe { _mm512_loadu_si512(t.as_ptr().add(64 * half).cast()) };
        let tabs: [[(__m512i, __m512i); FINGERPRINT]; G] = std::array::from_fn(|g| {
            std::array::from_fn(|i| (table(&groups[g].ascii[i], 0), table(&groups[g].ascii[i], 1)))
        });
        // Per group and offset: all lanes when a keyword there has a
        // non-ASCII byte, otherwise none beyond the ASCII ones.
        let high: [[u64; FINGERPRINT]; G] =
            std::array::from_fn(|g| std::array::from_fn(|i| if groups[g].high[i] { !0 } else { 0 }));
        let mut steps = Steps::new();
        let mut at = span.start;
        while at + 64 <= span.end && at + 64 + FINGERPRINT - 1 <= hay.len() {
            // SAFETY: at + i + 64 <= hay.len() by the loop condition.
            let v: [__m512i; FINGERPRINT] =
                std::array::from_fn(|i| unsafe { _mm512_loadu_si512(hay.as_ptr().add(at + i).cast()) });
            let mut found = [_mm512_set1_epi8(-1); G];
            let mut any_high = v[0];
            for vi in &v[1..] {
                any_high = _mm512_or_si512(any_high, *vi);
            }
            // `i` is an input offset as much as a table index.
            #[allow(clippy::needless_range_loop)]
            if _mm512_movepi8_mask(any_high) == 0 {
                // All ASCII, as source code mostly is: every lane is looked
                // up whole.
                for i in 0..FINGERPRINT {
                    for g in 0..G {
                        let fits = _mm512_permutex2var_epi8(tabs[g][i].0, v[i], tabs[g][i].1);
                        found[g] = _mm512_and_si512(found[g], fits);
                    }
                }
            } else {
                for i in 0..FINGERPRINT {
                    // Lanes holding an ASCII byte; the others fit only
                    // groups with a non-ASCII keyword byte at this offset.
                    let ascii = !_mm512_movepi8_mask(v[i]);
                    for g in 0..G {
                        let fits = _mm512_maskz_permutex2var_epi8(ascii | high[g][i], tabs[g][i].0, v[i], tabs[g][i].1);
                        found[g] = _mm512_and_si512(found[g], fits);
                    }
                }
            }
            let mut any = found[0];
            for f in &found[1..] {
                any = _mm512_or_si512(any, *f);
            }
            steps.push(set, hay, out, at, _mm512_test_epi8_mask(any, any));
            at += 64;
        }
        steps.flush(set, hay, out);
        at
    }
}

/// Elsewhere the vector search is never enabled.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod vector {
    use super::{Hit, KeywordSet, Tables};
    use std::ops::Range;

    pub(super) unsafe fn search<const G: usize>(
        _: &KeywordSet,
        _: &[Tables],
        _: &[u8],
        _: Range<usize>,
        _: &mut Vec<Hit>,
    ) -> usize {
        unreachable!("no vector search on this architecture")
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Hit, KeywordSet, Steps, Tables, FINGERPRINT};
    use std::arch::x86_64::*;
    use std::ops::Range;

    /// Searches the positions of `span` for the keywords of `G` groups (the
    /// set's groups `first..first + G`), 32 positions per step, while a
    /// whole step fits in `span` and its fingerprints in `hay`; returns the
    /// first position not searched.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn search<const G: usize>(
        set: &KeywordSet,
        groups: &[Tables],
        hay: &[u8],
        span: Range<usize>,
        out: &mut Vec<Hit>,
    ) -> usize {
        debug_assert_eq!(groups.len(), G);
        let nybble = _mm256_set1_epi8(0x0F);
        let zero = _mm256_setzero_si256();
        let broadcast = |t: &[u8; 16]| {
            // SAFETY: reads 16 bytes from a 16-byte array.
            unsafe { _mm256_broadcastsi128_si256(_mm_loadu_si128(t.as_ptr().cast())) }
        };
        let lo: [[__m256i; FINGERPRINT]; G] =
            std::array::from_fn(|g| std::array::from_fn(|i| broadcast(&groups[g].lo[i])));
        let hi: [[__m256i; FINGERPRINT]; G] =
            std::array::from_fn(|g| std::array::from_fn(|i| broadcast(&groups[g].hi[i])));
        let mut steps = Steps::new();
        let mut at = span.start;
        while at + 32 <= span.end && at + 32 + FINGERPRINT - 1 <= hay.len() {
            let mut found = [zero; G];
            for i in 0..FINGERPRINT {
                // SAFETY: at + i + 32 <= hay.len() by the loop condition.
                let v = unsafe { _mm256_loadu_si256(hay.as_ptr().add(at + i).cast()) };
                let vlo = _mm256_and_si256(v, nybble);
                let vhi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nybble);
                for g in 0..G {
                    let fits = _mm256_and_si256(_mm256_shuffle_epi8(lo[g][i], vlo), _mm256_shuffle_epi8(hi[g][i], vhi));
                    found[g] = if i == 0 { fits } else { _mm256_and_si256(found[g], fits) };
                }
            }
            let mut any = found[0];
            for f in &found[1..] {
                any = _mm256_or_si256(any, *f);
            }
            let positions = !(_mm256_movemask_epi8(_mm256_cmpeq_epi8(any, zero)) as u32);
            steps.push(set, hay, out, at, u64::from(positions));
            at += 32;
        }
        steps.flush(set, hay, out);
        at
    }
}

#[cfg(target_arch = "aarch64")]
mod neon {
    use super::{Hit, KeywordSet, Steps, Tables, FINGERPRINT};
    use std::arch::aarch64::*;
    use std::ops::Range;

    /// As the AVX2 search, 16 positions per step.
    ///
    /// # Safety
    /// None beyond AArch64's: NEON is always there. Unsafe to match the
    /// AVX2 search.
    pub(super) unsafe fn search<const G: usize>(
        set: &KeywordSet,
        groups: &[Tables],
        hay: &[u8],
        span: Range<usize>,
        out: &mut Vec<Hit>,
    ) -> usize {
        debug_assert_eq!(groups.len(), G);
        // SAFETY (every block below): NEON is part of AArch64, and every
        // load and store stays inside its array or `hay`.
        unsafe {
            let nybble = vdupq_n_u8(0x0F);
            let lo: [[uint8x16_t; FINGERPRINT]; G] =
                std::array::from_fn(|g| std::array::from_fn(|i| vld1q_u8(groups[g].lo[i].as_ptr())));
            let hi: [[uint8x16_t; FINGERPRINT]; G] =
                std::array::from_fn(|g| std::array::from_fn(|i| vld1q_u8(groups[g].hi[i].as_ptr())));
            let mut steps = Steps::new();
            let mut at = span.start;
            while at + 16 <= span.end && at + 16 + FINGERPRINT - 1 <= hay.len() {
                let mut found = [vdupq_n_u8(0); G];
                for i in 0..FINGERPRINT {
                    let v = vld1q_u8(hay.as_ptr().add(at + i));
                    let vlo = vandq_u8(v, nybble);
                    let vhi = vshrq_n_u8::<4>(v);
                    for g in 0..G {
                        let fits = vandq_u8(vqtbl1q_u8(lo[g][i], vlo), vqtbl1q_u8(hi[g][i], vhi));
                        found[g] = if i == 0 { fits } else { vandq_u8(found[g], fits) };
                    }
                }
                let mut any = found[0];
                for f in &found[1..] {
                    any = vorrq_u8(any, *f);
                }
                if vmaxvq_u8(any) != 0 {
                    let mut lanes = [0u8; 16];
                    vst1q_u8(lanes.as_mut_ptr(), any);
                    let positions = lanes.iter().enumerate().fold(0u64, |m, (p, &l)| m | u64::from(l != 0) << p);
                    steps.push(set, hay, out, at, positions);
                }
                at += 16;
            }
            steps.flush(set, hay, out);
            at
        }
    }
}

/// Assigns keywords to the filter's `nbuckets` buckets, each holding at
/// most [`CAP_FACTOR`] times the average. Keywords are placed most
/// expensive first, each where it adds the fewest expected candidates; then
/// pairs in different buckets are swapped where that lowers the estimate.
/// Deterministic.
///
/// Buckets need not be even: a keyword whose fingerprint is wide at some
/// offsets (one byte between sets of bytes, as `://` after a scheme byte)
/// makes any bucket it is in fit nearly everywhere the others fit at its
/// narrow offsets. With room for them, the other keywords go elsewhere;
/// with even buckets, a dozen shared it. Letting buckets be uneven cut the
/// wide pass over the bench tree with the generic detector's anchors by
/// about a fifth of what the anchors cost.
fn place(shapes: &[Shape], nbuckets: usize, wide: bool) -> Vec<Vec<usize>> {
    let n = shapes.len();
    if n == 0 {
        return Vec::new();
    }
    let average = n.div_ceil(nbuckets);
    let cap = |_: usize| CAP_FACTOR * average;
    let est = Estimator::new(wide);
    let sigs: Vec<Sig> = shapes.iter().map(Sig::of).collect();
    let union = |members: &mut dyn Iterator<Item = usize>| members.fold(Sig::default(), |u, k| u.or(&sigs[k]));
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); nbuckets];
    let own: Vec<f64> = sigs.iter().map(|s| est.cost(s)).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| own[b].total_cmp(&own[a]).then(a.cmp(&b)));
    let mut unions = vec![Sig::default(); nbuckets];
    let mut costs = vec![0.0; nbuckets];
    for &k in &order {
        let mut best: Option<(f64, usize)> = None;
        for (b, bucket) in buckets.iter().enumerate() {
            if bucket.len() >= cap(b) {
                continue;
            }
            let delta = est.cost(&unions[b].or(&sigs[k])) - costs[b];
            if best.is_none_or(|(d, _)| delta < d) {
                best = Some((delta, b));
            }
        }
        let (_, b) = best.expect("capacity for every keyword");
        buckets[b].push(k);
        unions[b] = unions[b].or(&sigs[k]);
        costs[b] = est.cost(&unions[b]);
    }
    // One pass of swaps between buckets, each kept when it lowers the
    // estimate (further passes gain next to nothing). Only between buckets
    // a few apart, as many as SWAP_TRIALS allows: with hundreds of
    // keywords, trying every pair of buckets costs more start-up time (a
    // pre-commit hook's budget) than it saves. `without[b][i]`: bucket
    // `b`'s union without its member `i`.
    let per_pair = average * average;
    let reach = (SWAP_TRIALS / (nbuckets * per_pair)).clamp(2, 2 * BUCKETS);
    let without_each = |bucket: &[usize]| -> Vec<Sig> {
        (0..bucket.len())
            .map(|i| union(&mut bucket.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, &k)| k)))
            .collect()
    };
    let mut without: Vec<Vec<Sig>> = buckets.iter().map(|b| without_each(b)).collect();
    for b1 in 0..nbuckets {
        for b2 in b1 + 1..nbuckets.min(b1 + reach) {
            for x in 0..buckets[b1].len() {
                for y in 0..buckets[b2].len() {
                    let (kx, ky) = (buckets[b1][x], buckets[b2][y]);
                    let c1 = est.cost(&without[b1][x].or(&sigs[ky]));
                    let c2 = est.cost(&without[b2][y].or(&sigs[kx]));
                    if c1 + c2 < (costs[b1] + costs[b2]) * 0.999 {
                        (buckets[b1][x], buckets[b2][y]) = (ky, kx);
                        (costs[b1], costs[b2]) = (c1, c2);
                        without[b1] = without_each(&buckets[b1]);
                        without[b2] = without_each(&buckets[b2]);
                    }
                }
            }
        }
    }
    buckets
}

/// The bytes a bucket's keywords have at each fingerprint offset: low and
/// high nybbles (for the nybble tables) and low 7 bits (for the wide
/// search's exact tables). A keyword that ends before an offset has every
/// byte there.
#[derive(Debug, Clone, Copy, Default)]
struct Sig {
    lo: [u16; FINGERPRINT],
    hi: [u16; FINGERPRINT],
    ascii: [u128; FINGERPRINT],
}

impl Sig {
    fn of(shape: &Shape) -> Sig {
        let mut s = Sig::default();
        for (i, set) in shape.sets.iter().enumerate() {
            for b in set_bytes(set) {
                s.lo[i] |= 1 << (b & 0xF);
                s.hi[i] |= 1 << (b >> 4);
                s.ascii[i] |= 1 << (b & 0x7F);
            }
        }
        s
    }

    fn or(&self, other: &Sig) -> Sig {
        Sig {
            lo: std::array::from_fn(|i| self.lo[i] | other.lo[i]),
            hi: std::array::from_fn(|i| self.hi[i] | other.hi[i]),
            ascii: std::array::from_fn(|i| self.ascii[i] | other.ascii[i]),
        }
    }
}

/// Assigns keywords to the exact check's buckets: in order of their first
/// bytes (lead shapes, whose first offset is a set, after the others), so
/// that a bucket's keywords share bytes, in up to [`FINE_BUCKETS`] runs (one
/// keyword each while there are few enough). Past that, neighbouring runs
/// are merged, cheapest first, until that many are left: what a merge
/// costs is how much more often a position would fit the bucket (its
/// keywords' bytes at each offset combine: `_key` and `_pass` also fit
/// `_kas`) times the keywords each fit then compares, by [`BYTE_FREQ`].
/// Runs of alike keywords (`secret`, `secret_key`) merge for nearly
/// nothing; a keyword whose bytes after it are a wide set stays apart from
/// common words. A merge that makes a run longer than a chunk of probes
/// ([`CHUNK`]) comes after every other: each further chunk costs every fit
/// a comparison, and the estimate, made from C code, takes words in upper
/// case (`PASSWORD`) for rare: the shipped rules had a bucket of twelve
/// keywords around `PASSWORD` (three chunks a fit) and one of twenty around
/// `CREDENTIALS`. Deterministic.
fn fine_place(kws: &[&[u8]], shapes: &[Shape]) -> Vec<Vec<usize>> {
    let n = kws.len();
    let mut order: Vec<usize> = (0..n).collect();
    let key = |k: usize| (shapes[k].lead, &kws[k][..kws[k].len().min(FINGERPRINT)]);
    order.sort_by(|&a, &b| key(a).cmp(&key(b)).then(a.cmp(&b)));
    let mut runs: Vec<Option<FineRun>> = order.into_iter().map(|k| Some(FineRun::of(k, &shapes[k]))).collect();
    if runs.len() <= FINE_BUCKETS {
        return runs.into_iter().flatten().map(|r| r.members).collect();
    }
    fn run(runs: &[Option<FineRun>], i: usize) -> &FineRun {
        runs[i].as_ref().expect("a live run")
    }
    // Runs stay where they are (a merged run's place empties, and links
    // skip it: removing from the middle of the list moved the rest, a
    // copy of most of it per merge); `next[i]` is the run after run `i`,
    // `added[i]` what merging the two would add, kept up to date as runs
    // merge (only a merged run's neighbours change).
    let none = usize::MAX;
    let mut next: Vec<usize> = (1..=runs.len()).map(|i| if i < runs.len() { i } else { none }).collect();
    let mut prev: Vec<usize> = (0..runs.len()).map(|i| i.checked_sub(1).unwrap_or(none)).collect();
    // What merging two runs adds: whether the merged run needs a second
    // chunk, then the estimate.
    let added_by =
        |a: &FineRun, b: &FineRun| (a.members.len() + b.members.len() > CHUNK, a.merged(b).cost - a.cost - b.cost);
    let mut added: Vec<(bool, f64)> = (0..runs.len())
        .map(|i| if next[i] == none { (true, f64::INFINITY) } else { added_by(run(&runs, i), run(&runs, i + 1)) })
        .collect();
    let mut live = runs.len();
    while live > FINE_BUCKETS {
        // The cheapest merge, the first of equals.
        let i = (0..runs.len())
            .filter(|&i| runs[i].is_some() && next[i] != none)
            .min_by(|&a, &b| added[a].0.cmp(&added[b].0).then(added[a].1.total_cmp(&added[b].1)).then(a.cmp(&b)))
            .expect("two runs");
        let j = next[i];
        let absorbed = runs[j].take().expect("a live run");
        runs[i] = Some(run(&runs, i).merged(&absorbed));
        live -= 1;
        next[i] = next[j];
        if next[j] != none {
            prev[next[j]] = i;
        }
        if prev[i] != none {
            added[prev[i]] = added_by(run(&runs, prev[i]), run(&runs, i));
        }
        added[i] = if next[i] == none { (true, f64::INFINITY) } else { added_by(run(&runs, i), run(&runs, next[i])) };
    }
    runs.into_iter().flatten().map(|r| r.members).collect()
}

/// Keywords of one bucket of the exact check, and the bytes they have at
/// each fingerprint offset.
struct FineRun {
    members: Vec<usize>,
    sets: [ByteSet; FINGERPRINT],
    /// About what the bucket costs per input byte: how often a position
    /// fits it, times the work of a fit (a fixed part, and a comparison
    /// per keyword).
    cost: f64,
}

impl FineRun {
    fn new(members: Vec<usize>, sets: [ByteSet; FINGERPRINT]) -> FineRun {
        let fits = Shape { sets, lead: 0 }.frequency();
        FineRun { cost: fits * (2.0 + members.len() as f64), members, sets }
    }

    fn of(k: usize, shape: &Shape) -> FineRun {
        FineRun::new(vec![k], shape.sets)
    }

    fn merged(&self, other: &FineRun) -> FineRun {
        let mut members = self.members.clone();
        members.extend_from_slice(&other.members);
        FineRun::new(
            members,
            std::array::from_fn(|i| [self.sets[i][0] | other.sets[i][0], self.sets[i][1] | other.sets[i][1]]),
        )
    }
}

/// How many times the average number of keywords a filter bucket may hold
/// ([`place`]).
const CAP_FACTOR: usize = 3;

/// About how many swaps the placement tries: with 94 keywords (4 a
/// bucket), between each bucket and the next 15; with 351 (11 a bucket),
/// the next 3. Each try costs two estimates.
const SWAP_TRIALS: usize = 12_000;

/// Estimates a bucket's cost: how often the fingerprint fits it per input
/// byte, assuming independent bytes with [`BYTE_FREQ`] frequencies.
struct Estimator {
    /// `mass[h][half][set]`: the frequency (of 1) of the bytes with high
    /// nybble `h` and a low nybble in `set` (bits 0-7 are nybbles 0-7 for
    /// `half` 0, nybbles 8-15 for `half` 1).
    mass: Box<[[[f64; 256]; 2]; 16]>,
    /// For the wide search, whose tables are exact: the frequency of each
    /// byte's low 7 bits (of 1).
    exact: Option<[f64; 128]>,
}

impl Estimator {
    fn new(wide: bool) -> Estimator {
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
        let exact = wide.then(|| std::array::from_fn(|b| f64::from(BYTE_FREQ[b] + BYTE_FREQ[b | 0x80]) / total));
        Estimator { mass, exact }
    }

    /// The cost of a bucket whose keywords' bytes are `sig`: how often a
    /// position fits it. What a candidate then costs does not depend on the
    /// bucket (the exact check sorts it out), so that is all there is to it.
    fn cost(&self, sig: &Sig) -> f64 {
        match &self.exact {
            Some(freq) => sig
                .ascii
                .iter()
                .map(|&set| if set == !0 { 1.0 } else { bits128(set).map(|b| freq[b]).sum::<f64>() })
                .product(),
            None => sig
                .lo
                .iter()
                .zip(&sig.hi)
                .map(|(&lo, &hi)| {
                    let (lo0, lo1) = (usize::from(lo & 0xFF), usize::from(lo >> 8));
                    bits(hi).map(|h| self.mass[h][0][lo0] + self.mass[h][1][lo1]).sum::<f64>()
                })
                .product(),
        }
    }
}

/// The indices of the set bits of `x`.
fn bits128(mut x: u128) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (x != 0).then(|| {
            let b = x.trailing_zeros() as usize;
            x &= x - 1;
            b
        })
    })
}

/// The indices of the set bits of `x`.
fn bits(x: u16) -> impl Iterator<Item = usize> {
    bits128(u128::from(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(set: &KeywordSet, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        set.find_iter(hay).map(|h| (h.start, h.end, h.keyword)).collect()
    }

    /// Every occurrence of every keyword, overlapping or not, where its
    /// context holds.
    fn naive<S: AsRef<[u8]>>(kws: &[S], contexts: &[KeywordContext], hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for (k, kw) in kws.iter().enumerate() {
            let kw = kw.as_ref();
            for s in 0..=hay.len().saturating_sub(kw.len()) {
                if contexts[k].holds(kw, hay, s) {
                    out.push((s, s + kw.len(), k));
                }
            }
        }
        out.sort_unstable();
        out
    }

    /// Checks both searches against [`naive`]: the same hits, by start.
    fn assert_exact<S: AsRef<[u8]>>(set: &mut KeywordSet, kws: &[S], hay: &[u8]) {
        let want = naive(kws, &set.contexts, hay);
        assert_hits(set, hay, &want);
    }

    /// Checks that every search this CPU has (wide, vector, portable)
    /// reports `want` (sorted), in order.
    fn assert_hits(set: &mut KeywordSet, hay: &[u8], want: &[(usize, usize, usize)]) {
        let modes = [(wide_available(), true), (false, vector_available()), (false, false)];
        for (wide, vector) in modes.into_iter().filter(|&(w, v)| !w || v || wide_available()) {
            (set.wide, set.vector) = (wide, vector);
            let got = hits(set, hay);
            assert!(got.windows(2).all(|w| w[0].0 <= w[1].0), "wide {wide} vector {vector}: out of order: {got:?}");
            let mut sorted = got.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, want, "wide {wide} vector {vector}, {} keywords, {} bytes", set.len(), hay.len());
        }
    }

    fn many(n: usize) -> Vec<String> {
        // Distinct keywords, none inside another, with varied first bytes.
        (0..n)
            .map(|i| format!("{}{}_{i:03}", (b'a' + (i % 26) as u8) as char, ["q", "Zx", "k9", "w-"][i % 4]))
            .collect()
    }

    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    #[test]
    fn groups_grow_with_the_keywords() {
        assert_eq!(KeywordSet::new(&["abc", "def"]).groups(), 1);
        assert_eq!(KeywordSet::new(&many(GROUP_TARGET)).groups(), 1);
        assert_eq!(KeywordSet::new(&many(GROUP_TARGET + 1)).groups(), 2);
        // Past the search's most groups, buckets grow instead.
        assert_eq!(KeywordSet::new(&many(150)).with_search(Search::Vector).groups(), 5);
        let set = KeywordSet::new(&many(700));
        assert_eq!(set.groups(), if set.search() == Search::Wide { MAX_WIDE_GROUPS } else { MAX_GROUPS });
        assert_eq!(set.with_search(Search::Vector).groups(), MAX_GROUPS);
        let empty: [&str; 0] = [];
        let set = KeywordSet::new(&empty);
        assert_eq!(set.groups(), 0);
        assert!(hits(&set, b"anything at all, long enough for a whole block of input").is_empty());
    }

    #[test]
    fn overlapping_and_contained_keywords_are_each_reported() {
        let kws = ["sk-", "sk-ant-ad", "api", "api_key", "k_liv", "k_live", "sk_", "_TOKEN", "iv_TO"];
        let mut set = KeywordSet::new(&kws);
        assert_eq!(sorted(&set, b"sk-ant-ad01"), vec![(0, 3, 0), (0, 9, 1)]);
        assert_eq!(
            sorted(&set, b"A=sk_live_TOKEN api_key"),
            vec![(2, 5, 6), (3, 8, 4), (3, 9, 5), (9, 15, 7), (16, 19, 2), (16, 23, 3)]
        );
        assert_eq!(sorted(&set, b"sk_liv_TO"), vec![(0, 3, 6), (1, 6, 4), (4, 9, 8)]);
        // The same, far enough into the input for the vector search.
        let mut hay = vec![b'.'; 100];
        hay.extend_from_slice(b"sk-ant-ad sk_liv_TO");
        hay.extend_from_slice(&[b'.'; 100]);
        assert_exact(&mut set, &kws, &hay);
    }

    /// The shapes of keywords that are not word starts.
    fn plain(kws: &[&[u8]]) -> Vec<Shape> {
        kws.iter().map(|k| Shape::of(k, &KeywordContext::default())).collect()
    }

    #[test]
    fn word_start_keywords_are_reported_at_word_starts_only() {
        // Short ones (looked for one byte early), a long one, and one that
        // also occurs as a plain keyword's prefix.
        let kws = ["sk-", "re_", "x", "ghp_", "sk-ant", "pat"];
        let word_start = [true, true, true, true, false, true];
        let mut set = KeywordSet::with_word_starts(&kws, &word_start);
        assert_eq!(set.leads, vec![0, 1, 2, 5]);
        assert_eq!(sorted(&set, b"sk-1 task-2 (sk-3"), vec![(0, 3, 0), (13, 16, 0)]);
        assert_eq!(sorted(&set, b"task-ant"), vec![(2, 8, 4)]);
        assert_eq!(sorted(&set, b"pre_x re_ \xe9ghp_ a_ghp_ (x"), vec![(6, 9, 1), (11, 15, 3), (24, 25, 2)]);
        // At every offset of inputs of every length (the vector steps, the
        // portable tail, the position where one hands over to the other),
        // after a word byte, a non-word byte, a byte with the high bit set.
        for len in 0..150usize {
            for (k, kw) in kws.iter().enumerate() {
                for before in [b'a', b'_', b'-', b' ', 0xE9] {
                    for at in (0..(len + 1).saturating_sub(kw.len())).step_by(7) {
                        let mut hay = vec![b'.'; len];
                        hay[at..at + kw.len()].copy_from_slice(kw.as_bytes());
                        if at > 0 {
                            hay[at - 1] = before;
                        }
                        let found = hits(&set, &hay).contains(&(at, at + kw.len(), k));
                        assert_eq!(found, at == 0 || !is_word(before) || !word_start[k], "{kw} at {at} of {len}");
                    }
                }
            }
            let hay: Vec<u8> = kws.iter().flat_map(|k| k.bytes().chain(*b" ")).cycle().take(len).collect();
            assert_exact(&mut set, &kws, &hay);
        }
    }

    #[test]
    fn word_start_keywords_across_block_boundaries() {
        let kws = ["sk-", "x", "ghp_", "Q"];
        let mut set = KeywordSet::with_word_starts(&kws, &[true, true, true, false]);
        for (k, kw) in kws.iter().enumerate() {
            for shift in 0..=kw.len() + 1 {
                let at = BLOCK - kw.len() + shift - 1;
                for before in [b' ', b'a'] {
                    let mut hay = vec![b'-'; BLOCK + 64];
                    hay[at..at + kw.len()].copy_from_slice(kw.as_bytes());
                    hay[at - 1] = before;
                    assert_exact(&mut set, &kws, &hay);
                    assert_eq!(hits(&set, &hay).contains(&(at, at + kw.len(), k)), before == b' ' || k == 3);
                }
            }
        }
    }

    fn sorted(set: &KeywordSet, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut v = hits(set, hay);
        v.sort_unstable();
        v
    }

    #[test]
    fn every_occurrence_in_random_input() {
        // Keywords of 1 to 6 bytes over a 4-letter alphabet overlap and
        // contain each other in every way; 1 to 150 of them make 1 to 4
        // filter groups (past 128, bigger buckets) and up to 128 fine
        // buckets, and inputs of 0 to 300 bytes end at every offset of a
        // block.
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for round in 0..60 {
            let want = 1 + round * 5 / 2;
            let mut kws: Vec<Vec<u8>> = Vec::new();
            let mut tries = 0;
            while kws.len() < want && tries < 10_000 {
                tries += 1;
                let len = 1 + rng.below(6);
                let kw: Vec<u8> = (0..len).map(|_| b"ab_\xe9"[rng.below(4)]).collect();
                if !kws.contains(&kw) {
                    kws.push(kw);
                }
            }
            let mut set = KeywordSet::new(&kws);
            let hay: Vec<u8> = (0..rng.below(300)).map(|_| b"ab_ \xe9"[rng.below(5)]).collect();
            assert_exact(&mut set, &kws, &hay);
        }
    }

    #[test]
    fn keywords_at_every_position_and_input_end() {
        // One keyword of each length from 1 to 8, planted at every offset of
        // inputs of every length up to 80: blocks, tails, and the last byte.
        let kws = ["Q", "Zx", "k9_", "w-v1", "AKIAq", "ghp_Zz", "xoxb-12", "BEGIN PG"];
        let mut set = KeywordSet::new(&kws);
        for len in 0..80usize {
            for (k, kw) in kws.iter().enumerate() {
                for at in 0..=len.saturating_sub(kw.len()) {
                    if at + kw.len() > len {
                        continue;
                    }
                    let mut hay = vec![b' '; len];
                    hay[at..at + kw.len()].copy_from_slice(kw.as_bytes());
                    let got = hits(&set, &hay);
                    assert!(got.contains(&(at, at + kw.len(), k)), "{kw} at {at} of {len}: {got:?}");
                }
            }
            let hay: Vec<u8> = kws.iter().flat_map(|k| k.bytes()).cycle().take(len).collect();
            assert_exact(&mut set, &kws, &hay);
        }
    }

    #[test]
    fn every_one_byte_keyword() {
        // 256 one-byte keywords use every two-byte pair of the table.
        let kws: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        let mut set = KeywordSet::new(&kws);
        let hay: Vec<u8> = (0..300u32).map(|i| (i * 7 % 256) as u8).collect();
        assert_exact(&mut set, &kws, &hay);
        assert_eq!(hits(&set, &hay).len(), 300);
    }

    #[test]
    fn bytes_with_the_high_bit_set() {
        // Nybbles of 8 and more, in keywords and around them.
        let kws: Vec<&[u8]> = vec![b"\xff\xfe", "é_key".as_bytes(), b"\x80\x81\x82\x83\x84", b"\x00\x00ab"];
        let mut set = KeywordSet::new(&kws);
        let mut hay = Vec::new();
        for i in 0..400u32 {
            hay.push((i * 37 % 256) as u8);
            if i % 50 == 7 {
                hay.extend_from_slice(kws[(i / 50) as usize % kws.len()]);
            }
        }
        hay.extend_from_slice(b"\xff\xfe");
        assert_exact(&mut set, &kws, &hay);
    }

    #[test]
    fn keywords_across_block_boundaries() {
        // Each keyword planted across the first block boundary at every
        // offset: one searched block ends, the next begins, and the hit is
        // neither lost, doubled nor misplaced.
        let kws = ["Q", "k9_", "w-v1", "ghp_Zz", "BEGIN PG", "sk-", "sk-ant-ad"];
        let mut set = KeywordSet::new(&kws);
        for (k, kw) in kws.iter().enumerate() {
            for before in 1..=kw.len() {
                let mut hay = vec![b' '; BLOCK + 64];
                let at = BLOCK - before;
                hay[at..at + kw.len()].copy_from_slice(kw.as_bytes());
                assert_exact(&mut set, &kws, &hay);
                assert!(hits(&set, &hay).contains(&(at, at + kw.len(), k)));
            }
        }
    }

    #[test]
    fn large_sets_over_inputs_past_a_block_agree_with_a_reference() {
        // Hundreds of keywords (every filter group, buckets past their
        // target, the batched confirmation), contexts of every kind, and
        // inputs longer than a block with keywords planted across 64-byte
        // steps and the block's edge: every search reports the reference's
        // hits (aho-corasick, then the context read off its definition).
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let alphabet: &[u8] = b"abcdefghijklmnopqrstuvwxyz_-0123456789AZ \xe9";
        let sets = [NOT_WORD, class_of(*b"ab"), class_of(*b"A_k\xe9 "), [0, 0], class_of(*b"="), class_of(*b"aA")];
        for (n, len) in [(60, 66_000), (300, 70_000)] {
            let mut kws: Vec<Vec<u8>> = Vec::new();
            while kws.len() < n {
                let kw: Vec<u8> = (0..1 + rng.below(9)).map(|_| alphabet[rng.below(alphabet.len() - 1)]).collect();
                if !kws.contains(&kw) {
                    kws.push(kw);
                }
            }
            let contexts: Vec<KeywordContext> = kws
                .iter()
                .map(|_| {
                    let before = (rng.below(2) == 0).then(|| sets[rng.below(sets.len())]);
                    let after: Vec<ByteSet> = (0..rng.below(4)).map(|_| sets[rng.below(sets.len())]).collect();
                    KeywordContext { fold_case: rng.below(3) == 0, before, ..KeywordContext::default() }
                        .with_after(after)
                })
                .collect();
            let mut hay: Vec<u8> = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
            for i in 0..len / 8 {
                let kw = &kws[rng.below(kws.len())];
                // Half at random, half across a step's edge (and so the block's).
                let at = if i % 2 == 0 {
                    rng.below(len)
                } else {
                    (rng.below(len / 64) * 64).saturating_sub(rng.below(kw.len() + 1))
                };
                if at + kw.len() <= len {
                    hay[at..at + kw.len()].copy_from_slice(kw);
                }
            }
            let reference = aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(&kws).unwrap();
            let mut want: Vec<(usize, usize, usize)> = reference
                .find_overlapping_iter(&hay)
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                .filter(|&(s, _, k)| contexts[k].holds(&kws[k], &hay, s))
                .collect();
            want.sort_unstable();
            assert!(want.len() > len / 200, "the input holds hits: {}", want.len());
            assert_hits(&mut KeywordSet::with_contexts(&kws, &contexts), &hay, &want);
        }
    }

    #[test]
    fn a_probe_chunk_is_as_large_as_its_doc_says() {
        assert_eq!(std::mem::size_of::<ProbeChunk>(), 112);
    }

    #[test]
    fn more_keywords_than_fine_buckets_are_all_found() {
        // 700 keywords: about 16 per filter bucket, 5 or 6 per fine bucket.
        let kws = many(700);
        let mut set = KeywordSet::new(&kws);
        assert_eq!(set.fine_buckets.len(), FINE_BUCKETS);
        assert_eq!(set.fine_buckets.iter().flatten().map(|c| c.targets().len()).sum::<usize>(), 700);
        // Each keyword twice, in reverse order, separated by spaces.
        let mut hay = Vec::new();
        for kw in kws.iter().rev().chain(kws.iter()) {
            hay.extend_from_slice(kw.as_bytes());
            hay.push(b' ');
        }
        assert_exact(&mut set, &kws, &hay);
        assert_eq!(hits(&set, &hay).len(), 1400);
    }

    #[test]
    fn fine_buckets_hold_keywords_with_the_same_first_bytes() {
        let kws = many(300);
        let refs: Vec<&[u8]> = kws.iter().map(|k| k.as_bytes()).collect();
        let fine = fine_place(&refs, &plain(&refs));
        assert_eq!(fine.len(), FINE_BUCKETS);
        let mut all: Vec<usize> = fine.iter().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..300).collect::<Vec<_>>());
        // In order of first bytes: every bucket's keywords come before the
        // next bucket's.
        let head = |k: usize| &refs[k][..FINGERPRINT];
        for pair in fine.windows(2) {
            assert!(pair[0].iter().all(|&a| pair[1].iter().all(|&b| head(a) <= head(b))));
        }
        assert_eq!(fine_place(&refs[..5], &plain(&refs[..5])).len(), 5, "one keyword a bucket while they fit");
    }

    #[test]
    fn fine_buckets_stay_within_a_chunk_while_they_can() {
        // The shipped rules' keywords (with the generic detector's names,
        // upper case ones that C code makes look rare) fit in one chunk of
        // probes a bucket: 128 buckets hold 512.
        let engine = crate::engine::Engine::new(&crate::rules::RuleSet::embedded().unwrap()).unwrap();
        let set = engine.keyword_set();
        assert!(set.len() > 3 * FINE_BUCKETS && set.len() <= CHUNK * FINE_BUCKETS, "{} keywords", set.len());
        let most = set.fine_buckets.iter().map(Vec::len).max().unwrap();
        assert_eq!(most, 1, "chunks in the largest bucket");
        // Past 512 keywords, buckets grow all the same.
        let kws = many(700);
        let refs: Vec<&[u8]> = kws.iter().map(|k| k.as_bytes()).collect();
        let fine = fine_place(&refs, &plain(&refs));
        assert_eq!((fine.len(), fine.iter().map(Vec::len).sum::<usize>()), (FINE_BUCKETS, 700));
    }

    #[test]
    fn placement_is_deterministic_complete_and_bounded() {
        let kws = many(77);
        let refs: Vec<&[u8]> = kws.iter().map(|k| k.as_bytes()).collect();
        let a = place(&plain(&refs), 24, false);
        assert_eq!(a, place(&plain(&refs), 24, false));
        let mut all: Vec<usize> = a.iter().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..77).collect::<Vec<_>>());
        assert_eq!(a.len(), 77usize.div_ceil(GROUP_TARGET) * BUCKETS);
        let sizes: Vec<usize> = a.iter().map(Vec::len).collect();
        assert!(sizes.iter().all(|&s| s <= CAP_FACTOR * 77usize.div_ceil(24)), "{sizes:?}");
    }

    #[test]
    fn placement_keeps_alike_keywords_together() {
        // The estimate prefers buckets whose keywords share nybbles: the
        // four GitLab prefixes fit one bucket exactly, and putting them
        // with a keyword of unrelated bytes would fit many more inputs.
        let kws =
            ["glpat-", "glptt-", "glrt-", "gldt-", "AKIA", "ASIA", "ABIA", "ACCA", "xoxb", "xoxp", "xoxa", "xoxr"];
        let refs: Vec<&[u8]> = kws.iter().map(|k| k.as_bytes()).collect();
        let buckets = place(&plain(&refs), 8, false);
        assert_eq!(buckets.len(), 8);
        // 12 keywords in 8 buckets: those that share one hold keywords of
        // one kind.
        assert_eq!(buckets.iter().map(Vec::len).sum::<usize>(), 12, "{buckets:?}");
        for b in &buckets {
            assert!(b.iter().all(|&k| k / 4 == b[0] / 4), "{buckets:?}");
        }
    }
}

/// The keyword pass against an oracle: `aho-corasick`'s overlapping search
/// over the same keywords reports the same hits (keyword, start, end), with
/// the vector search and the portable one, on random keyword sets (small
/// alphabets make keywords overlap and prefix each other) and haystacks of
/// 0 to 150 bytes with keywords planted across the 32-byte steps of the
/// vector search. The fuzz target `keywords` runs the same check unbounded.
#[cfg(test)]
mod oracle {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};
    use proptest::prelude::*;

    /// Bytes keywords and haystacks are made of: few, so they meet often;
    /// letters in both cases; one with the high bit set.
    const ALPHABET: &[u8] = b"abA_k-\xe9";

    fn keywords() -> impl Strategy<Value = Vec<Vec<u8>>> {
        prop::collection::vec(prop::collection::vec(prop::sample::select(ALPHABET), 1..9), 1..48).prop_map(|kws| {
            // The contract: distinct keywords.
            let mut out: Vec<Vec<u8>> = Vec::new();
            for kw in kws {
                if !out.contains(&kw) {
                    out.push(kw);
                }
            }
            out
        })
    }

    /// A context from a few choices: sets of a few bytes, word bytes or
    /// not, anything; blanks skipped before the sets after or not.
    fn context() -> impl Strategy<Value = KeywordContext> {
        // The empty set: only where there is no byte (`^` before a keyword).
        let sets = [NOT_WORD, class_of(*b"ab"), class_of(*b"A_k\xe9 "), ANY_BYTE, [0, 0]];
        let set = prop::sample::select(sets.to_vec());
        (any::<bool>(), any::<bool>(), prop::option::of(set.clone()), prop::collection::vec(set, 0..8)).prop_map(
            |(fold_case, after_blanks, before, after)| {
                KeywordContext { fold_case, after_blanks, before, ..KeywordContext::default() }.with_after(after)
            },
        )
    }

    /// A haystack of `len` bytes with keywords planted at some positions,
    /// many of them just before a multiple of 32.
    fn haystack(kws: &[Vec<u8>], bytes: Vec<u8>, plants: Vec<(usize, usize, bool)>) -> Vec<u8> {
        let mut hay = bytes;
        for (k, at, at_edge) in plants {
            let kw = &kws[k % kws.len()];
            let at = if at_edge { (at % 5 + 1) * 32 - (at / 5) % (kw.len() + 1) } else { at };
            if at + kw.len() <= hay.len() {
                hay[at..at + kw.len()].copy_from_slice(kw);
            }
        }
        hay
    }

    /// Aho-Corasick's matches (ignoring case), kept where the keyword's own
    /// case and context hold.
    fn oracle(kws: &[Vec<u8>], contexts: &[KeywordContext], hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(kws)
            .expect("oracle builds");
        let mut hits: Vec<_> = ac
            .find_overlapping_iter(hay)
            .filter(|m| contexts[m.pattern().as_usize()].holds(&kws[m.pattern().as_usize()], hay, m.start()))
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        hits.sort_unstable();
        hits.dedup();
        hits
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn same_hits_as_aho_corasick(
            kws in keywords(),
            bytes in prop::collection::vec(prop::sample::select(b"abAB_k-\xe9 \t".as_slice()), 0..150),
            plants in prop::collection::vec((0..64usize, 0..150usize, any::<bool>()), 0..8),
            contexts in prop::collection::vec(context(), 48),
        ) {
            let hay = haystack(&kws, bytes, plants);
            let contexts = &contexts[..kws.len()];
            let want = oracle(&kws, contexts, &hay);
            // Every search this CPU has.
            for search in [Search::Wide, Search::Vector, Search::Portable] {
                let set = KeywordSet::with_contexts(&kws, contexts).with_search(search);
                let got: Vec<_> = set.find_iter(&hay).map(|h| (h.start, h.end, h.keyword)).collect();
                prop_assert!(got.windows(2).all(|w| w[0].0 <= w[1].0), "{:?}: out of order: {:?}", search, got);
                let mut sorted = got;
                sorted.sort_unstable();
                prop_assert_eq!(&sorted, &want, "{:?}", search);
            }
        }
    }
}

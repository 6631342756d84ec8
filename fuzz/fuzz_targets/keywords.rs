//! The keyword pass (`engine::keywords::KeywordSet`) against an oracle:
//! aho-corasick's overlapping search over the same keywords must report the
//! same hits (keyword index, start, end), each once, by increasing start,
//! with the vector search and with the portable one, kept where each
//! keyword's context holds (its case, the byte before it, the bytes after
//! it; word-start keywords count only after a byte that is not an ASCII
//! word byte).
//!
//! First input byte: bit 0 clear, keywords and haystack both come from the
//! input; set, the shipped rules' keywords (with the contexts a scan gives them)
//! search a haystack from the input.
//! Bit 1 puts the haystack just before a 64 KiB block boundary of the
//! search, so hits straddle it.

#![no_main]

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use arbitrary::{Arbitrary, Unstructured};
use keyhound::engine::keywords::{KeywordContext, KeywordSet, Search};
use libfuzzer_sys::fuzz_target;

/// Positions the keyword pass searches per refill (its `BLOCK`).
const BLOCK: usize = 1 << 16;

struct Searchers {
    keywords: Vec<Vec<u8>>,
    contexts: Vec<KeywordContext>,
    wide: KeywordSet,
    vector: KeywordSet,
    scalar: KeywordSet,
    oracle: AhoCorasick,
}

impl Searchers {
    /// The searchers of `set`, built for `keywords`.
    fn new(keywords: Vec<Vec<u8>>, set: KeywordSet) -> Searchers {
        // Every search this CPU has (each capped at most at what it has).
        let contexts = (0..keywords.len()).map(|k| *set.context(k)).collect();
        let wide = set.with_search(Search::Wide);
        let vector = set.with_search(Search::Vector);
        let scalar = set.with_search(Search::Portable);
        let oracle = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(&keywords)
            .expect("oracle builds");
        Searchers { keywords, contexts, wide, vector, scalar, oracle }
    }

    fn check(&self, hay: &[u8]) {
        let mut want: Vec<(usize, usize, usize)> = self
            .oracle
            .find_overlapping_iter(hay)
            .filter(|m| {
                let k = m.pattern().as_usize();
                self.contexts[k].holds(&self.keywords[k], hay, m.start())
            })
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        want.sort_unstable();
        want.dedup();
        for (name, set) in [("wide", &self.wide), ("vector", &self.vector), ("scalar", &self.scalar)] {
            let got: Vec<(usize, usize, usize)> = set.find_iter(hay).map(|h| (h.start, h.end, h.keyword)).collect();
            assert!(got.windows(2).all(|w| w[0].0 <= w[1].0), "{name}: hits out of order: {got:?}");
            for &(s, e, k) in &got {
                assert!(k < self.keywords.len() && e == s + self.keywords[k].len() && e <= hay.len());
            }
            let mut sorted = got;
            sorted.sort_unstable();
            assert_eq!(sorted, want, "{name}: keywords {:?}", self.keywords);
        }
    }
}

fn shipped() -> &'static Searchers {
    static SHIPPED: OnceLock<Searchers> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let rules = keyhound::rules::RuleSet::embedded().expect("embedded rules");
        // In the engine's order: rules in order, each keyword where first
        // declared.
        let mut keywords: Vec<Vec<u8>> = Vec::new();
        for rule in rules.rules() {
            for kw in &rule.keywords {
                if !kw.is_empty() && !keywords.iter().any(|k| k == kw.as_bytes()) {
                    keywords.push(kw.as_bytes().to_vec());
                }
            }
        }
        let engine = keyhound::engine::Engine::new(&rules).expect("shipped rules load");
        let contexts: Vec<KeywordContext> = (0..keywords.len()).map(|k| *engine.keyword_set().context(k)).collect();
        let set = KeywordSet::with_contexts(&keywords, &contexts);
        Searchers::new(keywords, set)
    })
}

/// The haystack, put before a block boundary when asked.
fn haystack(data: &[u8], at_boundary: bool) -> Vec<u8> {
    if !at_boundary {
        return data.to_vec();
    }
    // The input's first byte picks how far before the boundary it starts.
    let back = usize::from(data.first().copied().unwrap_or(0)) % 40 + 1;
    let mut hay = vec![b' '; BLOCK - back];
    hay.extend_from_slice(data);
    hay
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let at_boundary = mode & 2 != 0;
    if mode & 1 != 0 {
        shipped().check(&haystack(rest, at_boundary));
        return;
    }
    let mut u = Unstructured::new(rest);
    let Ok(specs) = <Vec<Keyword>>::arbitrary(&mut u) else { return };
    let text = u.take_rest();
    // The contract: distinct, non-empty keywords.
    let mut keywords: Vec<Vec<u8>> = Vec::new();
    let mut word_start = Vec::new();
    for spec in specs.into_iter().take(300) {
        let starts_words = matches!(spec, Keyword::WordStart(_));
        let kw = match spec {
            Keyword::Bytes(b) | Keyword::WordStart(b) => b,
            Keyword::Slice { at, len } if !text.is_empty() => {
                let at = usize::from(at) % text.len();
                text[at..(at + usize::from(len % 12)).min(text.len())].to_vec()
            }
            Keyword::Slice { .. } => continue,
        };
        if !kw.is_empty() && !keywords.contains(&kw) {
            keywords.push(kw);
            word_start.push(starts_words);
        }
    }
    if keywords.is_empty() {
        return;
    }
    let set = KeywordSet::with_word_starts(&keywords, &word_start);
    Searchers::new(keywords, set).check(&haystack(text, at_boundary));
});

/// A keyword: bytes of its own (reported anywhere or at word starts only),
/// or a piece of the haystack (so it is found).
#[derive(Arbitrary, Debug)]
enum Keyword {
    Bytes(Vec<u8>),
    WordStart(Vec<u8>),
    Slice { at: u16, len: u8 },
}

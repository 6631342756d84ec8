//! The decoders of `engine::decode` (`base64_runs`,
//! `escaped_and_percent_tokens`, `decode_all`) on arbitrary bytes: no panic,
//! every output at least `min_len` bytes, and every decoded span mapping
//! back inside the input, in order. The first input byte picks `min_len`;
//! each output is decoded once more, as the engine does for nested
//! encodings.

#![no_main]

use std::collections::HashMap;

use keyhound::engine::decode::{base64_runs, decode_all, escaped_and_percent_tokens, Decoded, Encoding};
use libfuzzer_sys::fuzz_target;

fn check(name: &str, hay: &[u8], min_len: usize, out: &[Decoded]) {
    // Per encoding, where its previous span ended: spans are disjoint.
    let mut prev_end: HashMap<Encoding, usize> = HashMap::new();
    for d in out {
        let n = d.bytes.len();
        assert!(n >= min_len, "{name}: {n} decoded bytes, below min_len {min_len}");
        let (s, e) = d.source_span(0, n);
        assert!(s <= e && e <= hay.len(), "{name}: whole span {s}..{e} of {} bytes", hay.len());
        // Decoding never lengthens a span.
        assert!(n <= e - s, "{name}: {n} bytes decoded from {s}..{e}");
        let prev = prev_end.insert(d.encoding, e).unwrap_or(0);
        assert!(s >= prev, "{name}: {} span {s}..{e} overlaps the previous one, ending at {prev}", d.encoding.name());
        // Every decoded byte, and every prefix and suffix, maps inside the
        // whole span, in order.
        let mut last = s;
        for i in 0..=n {
            let (a, b) = d.source_span(i, n);
            assert!(a <= b && s <= a && b == e, "{name}: span of {i}..{n} is {a}..{b}, whole {s}..{e}");
            assert!(a >= last, "{name}: decoded byte {i} maps to {a}, before {last}");
            last = a;
            let (a2, b2) = d.source_span(0, i);
            assert!(a2 == s && a2 <= b2 && b2 <= e, "{name}: span of 0..{i} is {a2}..{b2}, whole {s}..{e}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, hay)) = data.split_first() else { return };
    let min_len = usize::from(first % 48);
    let runs = base64_runs(hay, min_len);
    check("base64_runs", hay, min_len, &runs);
    let tokens = escaped_and_percent_tokens(hay, min_len);
    check("escaped_and_percent_tokens", hay, min_len, &tokens);
    let all = decode_all(hay, min_len);
    check("decode_all", hay, min_len, &all);
    assert_eq!(all.len(), runs.len() + tokens.len());
    for d in &all {
        let inner = decode_all(&d.bytes, min_len);
        check("decode_all (nested)", &d.bytes, min_len, &inner);
    }
});

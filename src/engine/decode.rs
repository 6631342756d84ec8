//! Decoders that uncover secrets hidden by an encoding: base64/base64url
//! runs, percent-encoding and backslash escapes (`\uXXXX`, `\xNN`, `\/`).
//!
//! Each decoder finds maximal, disjoint candidate spans in its input and
//! yields their decoded bytes with a map from every decoded byte back to the
//! input offset it came from, so a secret found in decoded text is reported
//! at the encoded text's location. Work is linear in the input: spans are
//! disjoint, each decoded output is no longer than its span, and the engine
//! bounds nesting depth.
//!
//! Pure functions over bytes; no knowledge of rules.

use memchr::memchr_iter;

/// An encoding a secret was found under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Encoding {
    Base64,
    Percent,
    Escape,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Percent => "percent",
            Encoding::Escape => "escape",
        }
    }
}

/// Decoded text of one span of the input.
#[derive(Debug)]
pub struct Decoded {
    pub encoding: Encoding,
    pub bytes: Vec<u8>,
    /// `map[i]` is the input offset where decoded byte `i` starts;
    /// `map[bytes.len()]` is the end of the span.
    pub map: Vec<usize>,
}

impl Decoded {
    /// The input span that decoded bytes `start..end` came from.
    pub fn source_span(&self, start: usize, end: usize) -> (usize, usize) {
        (self.map[start], self.map[end])
    }
}

/// Shortest base64 run worth decoding: 28 characters hold 21 bytes, about
/// the shortest key with some context.
const MIN_BASE64: usize = 28;

/// Fraction of decoded bytes that must be printable text.
fn mostly_printable(bytes: &[u8]) -> bool {
    let printable =
        bytes.iter().filter(|&&b| (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\r' || b == b'\t').count();
    printable * 100 >= bytes.len() * 90
}

const fn base64_table() -> [u8; 256] {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        t[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    t[b'+' as usize] = 62;
    t[b'-' as usize] = 62;
    t[b'/' as usize] = 63;
    t[b'_' as usize] = 63;
    t
}

static B64: [u8; 256] = base64_table();

fn is_b64(b: u8) -> bool {
    B64[b as usize] != 255
}

/// Base64 and base64url runs of at least [`MIN_BASE64`] characters that
/// decode to mostly printable text.
pub fn base64_runs(hay: &[u8]) -> Vec<Decoded> {
    let mut out = Vec::new();
    for_each_long_run(hay, |start, end| {
        // Identifiers like `some_long_function_name_here` are base64 too;
        // `decode_base64` rejects them before decoding.
        if let Some(d) = decode_base64(hay, start, end) {
            out.push(d);
        }
    });
    out
}

/// Calls `f(start, end)` for every maximal run of base64 characters at
/// least [`MIN_BASE64`] long. Classifies 16 bytes at a time into a bit mask;
/// since a chunk is shorter than a qualifying run, only runs that touch a
/// chunk's edges need tracking.
fn for_each_long_run(hay: &[u8], mut f: impl FnMut(usize, usize)) {
    let mut run_start = 0; // start of the run of base64 bytes ending at `pos`
    let mut pos = 0;
    while pos + 16 <= hay.len() {
        let mask = b64_mask16(&hay[pos..pos + 16]);
        if mask == u16::MAX {
            pos += 16;
            continue;
        }
        // The run reaching into this chunk ends at its first non-base64 byte.
        let end = pos + mask.trailing_ones() as usize;
        if end - run_start >= MIN_BASE64 {
            f(run_start, end);
        }
        // A run that may continue into the next chunk starts after the
        // chunk's last non-base64 byte.
        run_start = pos + 16 - mask.leading_ones() as usize;
        pos += 16;
    }
    for (i, &b) in hay.iter().enumerate().skip(pos) {
        if !is_b64(b) {
            if i - run_start >= MIN_BASE64 {
                f(run_start, i);
            }
            run_start = i + 1;
        }
    }
    if hay.len() - run_start >= MIN_BASE64 {
        f(run_start, hay.len());
    }
}

/// Bit `i` is set when `chunk[i]` is a base64 or base64url character.
fn b64_mask16(chunk: &[u8]) -> u16 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86_64 baseline; the load is
        // unaligned and reads exactly the 16 bytes of `chunk`.
        unsafe { b64_mask16_sse2(chunk) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        chunk.iter().enumerate().fold(0u16, |m, (i, &b)| m | (u16::from(is_b64(b)) << i))
    }
}

#[cfg(target_arch = "x86_64")]
unsafe fn b64_mask16_sse2(chunk: &[u8]) -> u16 {
    use std::arch::x86_64::*;
    assert!(chunk.len() >= 16);
    let v = _mm_loadu_si128(chunk.as_ptr().cast());
    // Signed compares: bytes >= 0x80 are negative, so never in these ranges.
    let range = |lo: u8, hi: u8| {
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8(hi as i8 + 1)))
    };
    let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
    let letters = _mm_or_si128(range(b'A', b'Z'), range(b'a', b'z'));
    let digits = range(b'0', b'9');
    let symbols = _mm_or_si128(_mm_or_si128(eq(b'+'), eq(b'/')), _mm_or_si128(eq(b'-'), eq(b'_')));
    _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letters, digits), symbols)) as u16
}

/// Base64 of text has a fingerprint: the first character of every 4-char
/// group encodes the top six bits of a text byte, which for printable ASCII,
/// tab and newline is one of `C`, `I`..`Z`, `a`..`f`. Checking the first
/// groups rejects identifiers, paths and hex digests without decoding them.
fn looks_like_encoded_text(run: &[u8]) -> bool {
    run.iter().step_by(4).take(12).all(|&c| matches!(c, b'C' | b'I'..=b'Z' | b'a'..=b'f'))
}

fn decode_base64(hay: &[u8], start: usize, end: usize) -> Option<Decoded> {
    let run = &hay[start..end];
    if !looks_like_encoded_text(run) {
        return None;
    }
    // Reject binary early from the first few groups.
    let probe_len = run.len().min(96) / 4 * 4;
    let mut head = Vec::with_capacity(probe_len / 4 * 3);
    decode_groups(&run[..probe_len], &mut head);
    if !mostly_printable(&head) {
        return None;
    }
    let mut bytes = Vec::with_capacity(run.len() / 4 * 3 + 2);
    decode_groups(run, &mut bytes);
    if bytes.is_empty() || !mostly_printable(&bytes) {
        return None;
    }
    let mut map: Vec<usize> = (0..bytes.len()).map(|i| start + i * 4 / 3).collect();
    map.push(end);
    Some(Decoded { encoding: Encoding::Base64, bytes, map })
}

/// Decodes whole and trailing partial groups (padding absent or present).
fn decode_groups(run: &[u8], out: &mut Vec<u8>) {
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in run {
        let v = B64[c as usize];
        if v == 255 {
            break;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
}

/// Bytes that end a token for the percent and escape decoders.
fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' | b';')
}

/// Expands `at` to the maximal token around it, not reaching before `floor`.
fn token_around(hay: &[u8], at: usize, floor: usize) -> (usize, usize) {
    let mut s = at;
    while s > floor && !is_delimiter(hay[s - 1]) {
        s -= 1;
    }
    let mut e = at;
    while e < hay.len() && !is_delimiter(hay[e]) {
        e += 1;
    }
    (s, e)
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Tokens containing `%XX` escapes, percent-decoded.
pub fn percent_tokens(hay: &[u8]) -> Vec<Decoded> {
    let mut out = Vec::new();
    let mut next = 0;
    for i in memchr_iter(b'%', hay) {
        if i < next || i + 2 >= hay.len() || hex_val(hay[i + 1]).is_none() || hex_val(hay[i + 2]).is_none() {
            continue;
        }
        let (s, e) = token_around(hay, i, next);
        next = e;
        let mut bytes = Vec::with_capacity(e - s);
        let mut map = Vec::with_capacity(e - s + 1);
        let mut j = s;
        while j < e {
            map.push(j);
            if hay[j] == b'%' && j + 2 < e {
                if let (Some(h), Some(l)) = (hex_val(hay[j + 1]), hex_val(hay[j + 2])) {
                    bytes.push(h << 4 | l);
                    j += 3;
                    continue;
                }
            }
            bytes.push(hay[j]);
            j += 1;
        }
        map.push(e);
        out.push(Decoded { encoding: Encoding::Percent, bytes, map });
    }
    out
}

/// Tokens containing `\uXXXX`, `\xNN` or `\/` escapes, unescaped. Tokens
/// with only `\n`-style escapes are left alone: they hide nothing.
pub fn escaped_tokens(hay: &[u8]) -> Vec<Decoded> {
    let mut out = Vec::new();
    let mut next = 0;
    for i in memchr_iter(b'\\', hay) {
        if i < next || i + 1 >= hay.len() || !matches!(hay[i + 1], b'u' | b'x' | b'/') {
            continue;
        }
        let (s, e) = token_around(hay, i, next);
        next = e;
        let mut bytes = Vec::with_capacity(e - s);
        let mut map = Vec::with_capacity(e - s + 1);
        let mut j = s;
        while j < e {
            map.push(j);
            if hay[j] == b'\\' && j + 1 < e {
                let (value, width) = match hay[j + 1] {
                    b'u' if j + 6 <= e => (parse_hex(&hay[j + 2..j + 6]), 6),
                    b'x' if j + 4 <= e => (parse_hex(&hay[j + 2..j + 4]), 4),
                    b'/' => (Some(u32::from(b'/')), 2),
                    b'\\' => (Some(u32::from(b'\\')), 2),
                    _ => (None, 1),
                };
                if let Some(c) = value.and_then(char::from_u32) {
                    let mut buf = [0u8; 4];
                    let enc = c.encode_utf8(&mut buf).as_bytes();
                    bytes.extend_from_slice(enc);
                    // Continuation bytes of a multi-byte char map to its start.
                    map.extend(std::iter::repeat_n(j, enc.len() - 1));
                    j += width;
                    continue;
                }
            }
            bytes.push(hay[j]);
            j += 1;
        }
        map.push(e);
        out.push(Decoded { encoding: Encoding::Escape, bytes, map });
    }
    out
}

fn parse_hex(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| hex_val(d).map(|v| acc << 4 | u32::from(v)))
}

/// Every decoder's output for `hay`.
pub fn decode_all(hay: &[u8]) -> Vec<Decoded> {
    let mut all = base64_runs(hay);
    all.extend(percent_tokens(hay));
    all.extend(escaped_tokens(hay));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let bytes = s.as_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |a, &b| a << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
            for k in 0..=chunk.len() {
                out.push(A[(n >> (18 - 6 * k) & 63) as usize] as char);
            }
        }
        while out.len() % 4 != 0 {
            out.push('=');
        }
        out
    }

    #[test]
    fn base64_run_decodes_and_maps_back() {
        let text = "token=the secret value is here ok";
        let enc = b64(text);
        let hay = format!("data:\n  key: {enc}\n");
        let runs = base64_runs(hay.as_bytes());
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].bytes, text.as_bytes());
        let at = text.find("secret").unwrap();
        let (s, _) = runs[0].source_span(at, at + 6);
        let enc_start = hay.find(&enc).unwrap();
        assert!(s >= enc_start && s <= enc_start + at * 4 / 3 + 1);
    }

    #[test]
    fn long_runs_found_across_chunk_edges() {
        let mut runs = Vec::new();
        let hay = format!("{} {} x{}y {}", "a".repeat(27), "b".repeat(28), "c".repeat(40), "d".repeat(33));
        for_each_long_run(hay.as_bytes(), |s, e| runs.push((s, e)));
        let expect: Vec<(usize, usize)> = ["b".repeat(28), format!("x{}y", "c".repeat(40)), "d".repeat(33)]
            .iter()
            .map(|r| {
                let s = hay.find(r.as_str()).unwrap();
                (s, s + r.len())
            })
            .collect();
        assert_eq!(runs, expect);
        for len in [15, 16, 17, 31, 32, 33, 100] {
            let mut got = Vec::new();
            let text = format!("{}.{}", "q".repeat(len), "z".repeat(60));
            for_each_long_run(text.as_bytes(), |s, e| got.push((s, e)));
            let mut want = vec![(len + 1, len + 61)];
            if len >= MIN_BASE64 {
                want.insert(0, (0, len));
            }
            assert_eq!(got, want, "len {len}");
        }
    }

    #[test]
    fn base64_rejects_binary_and_short_runs() {
        let hay = "sha: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 short: aGVsbG8=";
        assert!(base64_runs(hay.as_bytes()).is_empty());
    }

    #[test]
    fn structural_check_rejects_identifiers_and_paths() {
        assert!(!looks_like_encoded_text(b"get_user_profile_settings_handler_v2"));
        assert!(!looks_like_encoded_text(b"src/components/user/profile/index"));
        assert!(!looks_like_encoded_text(b"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"));
        assert!(looks_like_encoded_text(b64("OPENAI_API_KEY=sk-proj-abc\n\tmore text here").as_bytes()));
    }

    #[test]
    fn percent_and_escapes() {
        let p = percent_tokens(b"GET /x?key=sk%2Dproj%5Fabc&q=1 HTTP/1.1");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].bytes, b"/x?key=sk-proj_abc&q=1");
        let at = p[0].bytes.iter().position(|&b| b == b'-').unwrap();
        assert_eq!(p[0].source_span(at, at + 1), (13, 16));

        let e = escaped_tokens(br#"{"k": "sk\u002dproj\/x\x41"}"#);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].bytes, b"sk-proj/xA");
        assert!(escaped_tokens(br#""line\n""#).is_empty());
    }

    #[test]
    fn adversarial_inputs_stay_linear() {
        // Long runs of base64 characters and of escapes must not blow up.
        let big = "A".repeat(2_000_000);
        let t = std::time::Instant::now();
        base64_runs(big.as_bytes());
        percent_tokens("%41".repeat(300_000).as_bytes());
        escaped_tokens("\\u0041".repeat(300_000).as_bytes());
        assert!(t.elapsed().as_secs() < 5);
    }
}

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
    map: SourceMap,
}

/// Where each decoded byte came from in the input.
#[derive(Debug)]
enum SourceMap {
    /// Base64 runs decode at a fixed rate (3 bytes per 4 characters), so
    /// decoded byte `i` starts at input offset `start + i * 4 / 3`: computed
    /// on demand instead of stored per byte.
    Base64 { start: usize, end: usize },
    /// `offsets[i]` is the input offset where decoded byte `i` starts;
    /// `offsets[bytes.len()]` is the end of the span.
    Table(Vec<usize>),
}

impl Decoded {
    /// The input span that decoded bytes `start..end` came from.
    pub fn source_span(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.map {
            SourceMap::Base64 { start: s, end: e } => {
                let at = |i: usize| if i < self.bytes.len() { s + i * 4 / 3 } else { *e };
                (at(start), at(end))
            }
            SourceMap::Table(offsets) => (offsets[start], offsets[end]),
        }
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
/// decode to mostly printable text, at least `min_len` bytes of it.
pub fn base64_runs(hay: &[u8], min_len: usize) -> Vec<Decoded> {
    let mut out = Vec::new();
    for_each_long_run(hay, |start, end| {
        // 4 characters decode to 3 bytes.
        if (end - start) * 3 / 4 < min_len {
            return;
        }
        // Identifiers like `some_long_function_name_here` are base64 too;
        // `decode_base64` rejects them before decoding.
        if let Some(d) = decode_base64(hay, start, end) {
            out.push(d);
        }
    });
    out
}

/// Calls `f(start, end)` for every maximal run of base64 characters at
/// least [`MIN_BASE64`] long, in order.
fn for_each_long_run(hay: &[u8], f: impl FnMut(usize, usize)) {
    #[cfg(target_arch = "x86_64")]
    {
        if super::keywords::wide_available() {
            // SAFETY: AVX-512 F, BW and VBMI support was just checked.
            return unsafe { long_runs_vbmi(hay, f) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 support was just checked.
            return unsafe { long_runs_avx2(hay, f) };
        }
    }
    long_runs(hay, b64_mask64_scalar, f)
}

/// [`long_runs`] with the AVX-512 VBMI classifier: one 128-entry table
/// lookup classifies 64 bytes, where AVX2 needs two nibble lookups per 32.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
unsafe fn long_runs_vbmi(hay: &[u8], f: impl FnMut(usize, usize)) {
    // SAFETY: the caller checked the CPU features.
    long_runs(hay, |block| unsafe { b64_mask64_vbmi(block) }, f)
}

/// [`long_runs`] compiled for AVX2, so the classifier inlines into its loop
/// (called through a pointer, the call and its setup cost as much as the
/// classification itself).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn long_runs_avx2(hay: &[u8], f: impl FnMut(usize, usize)) {
    // SAFETY: the caller checked AVX2 support.
    long_runs(hay, |block| unsafe { b64_mask64_avx2(block) }, f)
}

/// Classifies 64 bytes at a time into a bit mask and works on the mask: the
/// run entering a block ends at its first zero bit, the run leaving it
/// starts after its last zero bit, and runs wholly inside a block are looked
/// at only when the mask has 28 ones in a row.
#[inline(always)]
fn long_runs(hay: &[u8], classify: impl Fn(&[u8; 64]) -> u64, mut f: impl FnMut(usize, usize)) {
    let mut run_start = 0; // start of the run of base64 bytes ending at `pos`
    let mut pos = 0;
    let blocks = hay.chunks_exact(64);
    let rest = blocks.remainder();
    for block in blocks {
        let m = classify(block.try_into().expect("64-byte block"));
        if m != u64::MAX {
            let head = m.trailing_ones() as usize;
            if pos + head - run_start >= MIN_BASE64 {
                f(run_start, pos + head);
            }
            let tail = m.leading_ones() as usize;
            // Clear the entering run and the leaving run; what is left lies
            // strictly inside the block.
            let mut inner = (m >> head << head) & (u64::MAX >> tail);
            if has_run_of_28(inner) {
                while inner != 0 {
                    let s = inner.trailing_zeros() as usize;
                    let len = (inner >> s).trailing_ones() as usize;
                    if len >= MIN_BASE64 {
                        f(pos + s, pos + s + len);
                    }
                    inner &= !(((1u64 << len) - 1) << s);
                }
            }
            run_start = pos + 64 - tail;
        }
        pos += 64;
    }
    for (i, &b) in rest.iter().enumerate() {
        let i = pos + i;
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

/// True when `x` has at least 28 consecutive set bits.
#[inline(always)]
fn has_run_of_28(mut x: u64) -> bool {
    // After each step a bit survives only if that many bits from it on are
    // set: 2, 4, 8, 16, then 16 + 12 = 28.
    for shift in [1, 2, 4, 8, 12] {
        x &= x >> shift;
    }
    x != 0
}

/// Bit `i` is set when `block[i]` is a base64 or base64url character.
fn b64_mask64_scalar(block: &[u8; 64]) -> u64 {
    block.iter().enumerate().fold(0u64, |m, (i, &b)| m | (u64::from(is_b64(b)) << i))
}

/// The AVX2 version of [`b64_mask64_scalar`]: a byte is classified by
/// looking up its low and high nibbles in two 16-entry tables whose bits
/// name the character groups the nibble can belong to; it is a base64
/// character when the two lookups share a bit.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn b64_mask64_avx2(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::*;
    // Groups: 1 `+-/` (0x2_), 2 digits (0x3_), 4 `A-O`/`a-o` (0x4_, 0x6_),
    // 8 `P-Z`/`p-z` (0x5_, 0x7_), 16 `_` (0x5F).
    #[rustfmt::skip]
    let lo = _mm256_setr_epi8(
        10, 14, 14, 14, 14, 14, 14, 14, 14, 14, 12, 5, 4, 5, 4, 21,
        10, 14, 14, 14, 14, 14, 14, 14, 14, 14, 12, 5, 4, 5, 4, 21,
    );
    #[rustfmt::skip]
    let hi = _mm256_setr_epi8(
        0, 0, 1, 2, 4, 24, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 1, 2, 4, 24, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0,
    );
    let nibble = _mm256_set1_epi8(0x0f);
    let classify = |v: __m256i| {
        let l = _mm256_shuffle_epi8(lo, _mm256_and_si256(v, nibble));
        let h = _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble));
        let none = _mm256_cmpeq_epi8(_mm256_and_si256(l, h), _mm256_setzero_si256());
        !(_mm256_movemask_epi8(none) as u32)
    };
    let a = classify(_mm256_loadu_si256(block.as_ptr().cast()));
    let b = classify(_mm256_loadu_si256(block.as_ptr().add(32).cast()));
    u64::from(a) | u64::from(b) << 32
}

/// The AVX-512 VBMI version of [`b64_mask64_scalar`]: each byte's low 7
/// bits index a 128-entry table of the base64 characters; bytes of 0x80 and
/// above are none.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
#[inline]
unsafe fn b64_mask64_vbmi(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::*;
    static TABLE: [u8; 128] = {
        let mut t = [0u8; 128];
        let mut i = 0;
        while i < 128 {
            if B64[i] != 255 {
                t[i] = 0xff;
            }
            i += 1;
        }
        t
    };
    // SAFETY: the table is 128 bytes, read as two 64-byte halves; the block
    // is 64 bytes.
    let (lo, hi, v) = unsafe {
        (
            _mm512_loadu_si512(TABLE.as_ptr().cast()),
            _mm512_loadu_si512(TABLE.as_ptr().add(64).cast()),
            _mm512_loadu_si512(block.as_ptr().cast()),
        )
    };
    let found = _mm512_permutex2var_epi8(lo, v, hi);
    _mm512_test_epi8_mask(found, found) & !_mm512_movepi8_mask(v)
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
    // Reject binary early from the first few groups; the rest continues
    // from a group boundary, so it decodes into the same buffer.
    let probe_len = run.len().min(96) / 4 * 4;
    let mut bytes = Vec::with_capacity(run.len() / 4 * 3 + 2);
    decode_groups(&run[..probe_len], &mut bytes);
    if !mostly_printable(&bytes) {
        return None;
    }
    decode_groups(&run[probe_len..], &mut bytes);
    if bytes.is_empty() || !mostly_printable(&bytes) {
        return None;
    }
    Some(Decoded { encoding: Encoding::Base64, bytes, map: SourceMap::Base64 { start, end } })
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

/// Bytes that end a token for the percent and escape decoders: ASCII
/// whitespace, quotes, brackets, `,` and `;`. A table, because finding a
/// token's ends tests every byte of it.
static DELIMITER: [bool; 256] = {
    let mut t = [false; 256];
    let delimiters = b" \t\n\x0c\r\"'`<>()[]{},;";
    let mut i = 0;
    while i < delimiters.len() {
        t[delimiters[i] as usize] = true;
        i += 1;
    }
    t
};

fn is_delimiter(b: u8) -> bool {
    DELIMITER[b as usize]
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

/// A decoder for tokens that a trigger byte marks (`%` or `\\`).
struct TokenCodec {
    trigger: u8,
    encoding: Encoding,
    /// Whether the trigger at this offset starts an escape worth decoding.
    opens: fn(&[u8], usize) -> bool,
    /// Decodes the escape at `j` (within a token ending at `e`), appending
    /// its bytes; returns how many input bytes it used, or `None` to keep
    /// the trigger as it is.
    unit: fn(&[u8], usize, usize, &mut Vec<u8>) -> Option<usize>,
}

const PERCENT: TokenCodec = TokenCodec {
    trigger: b'%',
    encoding: Encoding::Percent,
    opens: |hay, i| i + 2 < hay.len() && hex_val(hay[i + 1]).is_some() && hex_val(hay[i + 2]).is_some(),
    unit: |hay, j, e, out| {
        if j + 2 >= e {
            return None;
        }
        let (h, l) = (hex_val(hay[j + 1])?, hex_val(hay[j + 2])?);
        out.push(h << 4 | l);
        Some(3)
    },
};

/// `\uXXXX`, `\xNN` and `\/`; tokens with only `\n`-style escapes are left
/// alone: they hide nothing.
const ESCAPE: TokenCodec = TokenCodec {
    trigger: b'\\',
    encoding: Encoding::Escape,
    opens: |hay, i| i + 1 < hay.len() && matches!(hay[i + 1], b'u' | b'x' | b'/'),
    unit: |hay, j, e, out| {
        let (value, width) = match *hay.get(j + 1)? {
            b'u' if j + 6 <= e => (parse_hex(&hay[j + 2..j + 6])?, 6),
            b'x' if j + 4 <= e => (parse_hex(&hay[j + 2..j + 4])?, 4),
            b'/' => (u32::from(b'/'), 2),
            b'\\' => (u32::from(b'\\'), 2),
            _ => return None,
        };
        let c = char::from_u32(value)?;
        out.extend_from_slice(c.encode_utf8(&mut [0u8; 4]).as_bytes());
        Some(width)
    },
};

fn decode_token(hay: &[u8], s: usize, e: usize, codec: &TokenCodec) -> Decoded {
    let mut bytes = Vec::with_capacity(e - s);
    let mut map = Vec::with_capacity(e - s + 1);
    let mut j = s;
    while j < e {
        if hay[j] == codec.trigger {
            let before = bytes.len();
            if let Some(width) = (codec.unit)(hay, j, e, &mut bytes) {
                // Every byte an escape produced maps to the escape's start.
                map.extend(std::iter::repeat_n(j, bytes.len() - before));
                j += width;
                continue;
            }
        }
        map.push(j);
        bytes.push(hay[j]);
        j += 1;
    }
    map.push(e);
    Decoded { encoding: codec.encoding, bytes, map: SourceMap::Table(map) }
}

/// Percent-encoded and backslash-escaped tokens that decode to at least
/// `min_len` bytes, found in one pass over the trigger bytes.
pub fn escaped_and_percent_tokens(hay: &[u8], min_len: usize) -> Vec<Decoded> {
    let mut out = Vec::new();
    let mut next = [0usize; 2]; // per codec: where its last token ended
    for i in memchr::memchr2_iter(b'%', b'\\', hay) {
        let k = usize::from(hay[i] == b'\\');
        let codec = [&PERCENT, &ESCAPE][k];
        if i < next[k] || !(codec.opens)(hay, i) {
            continue;
        }
        let (s, e) = token_around(hay, i, next[k]);
        next[k] = e;
        // Decoding never lengthens a token, so a short one is skipped
        // undecoded; most are short (`\x1b`, `caf\u00e9`, printf's `%02x`).
        if e - s >= min_len {
            let d = decode_token(hay, s, e, codec);
            if d.bytes.len() >= min_len {
                out.push(d);
            }
        }
    }
    out
}

fn parse_hex(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| hex_val(d).map(|v| acc << 4 | u32::from(v)))
}

/// Every decoder's output for `hay` that is at least `min_len` bytes long
/// (shorter text cannot hold a match; see [`crate::rules::Rule::min_len`]).
pub fn decode_all(hay: &[u8], min_len: usize) -> Vec<Decoded> {
    let mut all = base64_runs(hay, min_len);
    all.extend(escaped_and_percent_tokens(hay, min_len));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn base64_run_decodes_and_maps_back() {
        let text = "token=the secret value is here ok";
        let enc = b64(text);
        let hay = format!("data:\n  key: {enc}\n");
        let runs = base64_runs(hay.as_bytes(), 1);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].bytes, text.as_bytes());
        let at = text.find("secret").unwrap();
        let (s, _) = runs[0].source_span(at, at + 6);
        let enc_start = hay.find(&enc).unwrap();
        assert!(s >= enc_start && s <= enc_start + at * 4 / 3 + 1);
        assert_eq!(runs[0].source_span(0, text.len()), (enc_start, enc_start + enc.len()));
    }

    fn naive_runs(hay: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < hay.len() {
            if is_b64(hay[i]) {
                let s = i;
                while i < hay.len() && is_b64(hay[i]) {
                    i += 1;
                }
                if i - s >= MIN_BASE64 {
                    out.push((s, i));
                }
            } else {
                i += 1;
            }
        }
        out
    }

    #[test]
    fn run_finder_matches_a_naive_scan() {
        // Pseudo-random texts with runs of every length around the block
        // size and the threshold, placed at every alignment.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..300 {
            let mut hay = Vec::new();
            while hay.len() < 700 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let len = (state % 90) as usize;
                hay.extend(std::iter::repeat_n(b'k', len));
                hay.push(if state & 1 == 0 { b' ' } else { 0xC3 });
            }
            let mut got = Vec::new();
            for_each_long_run(&hay, |s, e| got.push((s, e)));
            assert_eq!(got, naive_runs(&hay));
            let mut scalar = Vec::new();
            long_runs(&hay, b64_mask64_scalar, |s, e| scalar.push((s, e)));
            assert_eq!(scalar, got);
        }
    }

    #[test]
    fn block_classifiers_agree_on_every_byte() {
        let all: Vec<u8> = (0..=255u8).collect();
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            for block in all.chunks_exact(64) {
                let block: &[u8; 64] = block.try_into().unwrap();
                // SAFETY: AVX2 support was just checked.
                assert_eq!(unsafe { b64_mask64_avx2(block) }, b64_mask64_scalar(block), "{block:?}");
            }
        }
        #[cfg(target_arch = "x86_64")]
        if crate::engine::keywords::wide_available() {
            for block in all.chunks_exact(64) {
                let block: &[u8; 64] = block.try_into().unwrap();
                // SAFETY: the CPU features were just checked.
                assert_eq!(unsafe { b64_mask64_vbmi(block) }, b64_mask64_scalar(block), "{block:?}");
            }
        }
        let mut bits = 0;
        for block in all.chunks_exact(64) {
            bits += b64_mask64_scalar(block.try_into().unwrap()).count_ones();
        }
        assert_eq!(bits, 66); // A-Z a-z 0-9 + - / _
        assert!(has_run_of_28((1u64 << 28) - 1));
        assert!(!has_run_of_28((1u64 << 27) - 1));
        assert!(!has_run_of_28(0x5555_5555_5555_5555));
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
        for len in [15, 16, 17, 27, 28, 31, 32, 33, 63, 64, 65, 100, 130] {
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
        assert!(base64_runs(hay.as_bytes(), 1).is_empty());
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
        let p = escaped_and_percent_tokens(b"GET /x?key=sk%2Dproj%5Fabc&q=1 HTTP/1.1", 1);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].bytes, b"/x?key=sk-proj_abc&q=1");
        let at = p[0].bytes.iter().position(|&b| b == b'-').unwrap();
        assert_eq!(p[0].source_span(at, at + 1), (13, 16));

        let e = escaped_and_percent_tokens(br#"{"k": "sk\u002dproj\/x\x41"}"#, 1);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].bytes, b"sk-proj/xA");
        assert_eq!(e[0].encoding, Encoding::Escape);
        assert!(escaped_and_percent_tokens(br#""line\n""#, 1).is_empty());
    }

    #[test]
    fn delimiters_are_whitespace_quotes_brackets_and_separators() {
        for b in 0..=255u8 {
            let want = b.is_ascii_whitespace()
                || matches!(
                    b,
                    b'"' | b'\'' | b'`' | b'<' | b'>' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' | b';'
                );
            assert_eq!(is_delimiter(b), want, "{b}");
        }
    }

    #[test]
    fn text_decoding_shorter_than_min_len_is_dropped() {
        let t = escaped_and_percent_tokens(br#"caf\u00e9 key\u003dsk-proj-12 k%3D1"#, 10);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].bytes, b"key=sk-proj-12");
        let text = "token=the secret value is here ok"; // 33 bytes
        let enc = b64(text);
        assert_eq!(base64_runs(enc.as_bytes(), 33).len(), 1);
        assert!(base64_runs(enc.as_bytes(), 34).is_empty());
    }

    #[test]
    fn adversarial_inputs_decode_once() {
        // Long runs of base64 characters and of escapes are decoded once,
        // as one run or token each, not once per position inside them: a
        // quadratic decoder would produce (and take) far more. Linear time
        // itself is watched by the benchmarks, not by a timing assertion.
        let big = "QUJD".repeat(500_000); // "ABC" 500,000 times
        let runs = base64_runs(big.as_bytes(), 1);
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].bytes.len(), 1_500_000);
        let percent = escaped_and_percent_tokens("%41".repeat(300_000).as_bytes(), 1);
        assert_eq!(percent.len(), 1);
        assert_eq!(percent[0].bytes, vec![b'A'; 300_000]);
        let mixed = escaped_and_percent_tokens("\\u0041%41".repeat(300_000).as_bytes(), 1);
        // One token per codec: `\\u0041` decoded (`A%41`), and `%41`
        // decoded (`\\u0041A`).
        let lens: Vec<usize> = mixed.iter().map(|d| d.bytes.len()).collect();
        assert_eq!(lens.len(), 2, "{lens:?}");
        assert!(lens.contains(&1_200_000) && lens.contains(&2_100_000), "{lens:?}");
    }
}

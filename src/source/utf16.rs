//! UTF-16 text (a PowerShell script or `.reg` file saved by Windows tools):
//! recognised in content that looks binary — it is full of NUL bytes — and
//! decoded to UTF-8, so it is matched like any other text and its lines and
//! columns are those of the decoded text.
//!
//! Recognised by a byte-order mark (`FF FE` little-endian, `FE FF`
//! big-endian), or without one when the NUL pattern is unmistakable: in the
//! first 8 KiB, nearly every byte at odd offsets (little-endian) or at even
//! offsets (big-endian) is NUL and nearly none of the others is, which is
//! what ASCII-range text in UTF-16 looks like. Must not decide anything
//! about binary content that is not UTF-16: it only answers "is this
//! UTF-16 text, and what does it say".

use super::BINARY_SNIFF_LEN;

/// Byte order of UTF-16 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Little,
    Big,
}

/// Shortest content recognised without a byte-order mark, in bytes.
const MIN_UNMARKED: usize = 16;

/// The byte order of `data` when it is UTF-16 text, and how many bytes of
/// byte-order mark it starts with.
pub fn detect(data: &[u8]) -> Option<(Order, usize)> {
    match data {
        // `FF FE 00 00` is UTF-32's mark, not UTF-16's.
        [0xFF, 0xFE, 0, 0, ..] => None,
        [0xFF, 0xFE, ..] => Some((Order::Little, 2)),
        [0xFE, 0xFF, ..] => Some((Order::Big, 2)),
        _ => unmarked(data).map(|o| (o, 0)),
    }
}

/// Bytes looked at first: most binary content fails the test there, so
/// the whole sample is only looked at for content that may be UTF-16.
const QUICK_LOOK: usize = 256;

/// The byte order of BOM-less UTF-16 whose NUL pattern is unmistakable.
fn unmarked(data: &[u8]) -> Option<Order> {
    let sample = &data[..data.len().min(BINARY_SNIFF_LEN) & !1];
    if sample.len() < MIN_UNMARKED {
        return None;
    }
    let order = pattern(&sample[..sample.len().min(QUICK_LOOK)])?;
    (sample.len() <= QUICK_LOOK || pattern(sample) == Some(order)).then_some(order)
}

/// The byte order `sample` (of even length) looks like UTF-16 in.
fn pattern(sample: &[u8]) -> Option<Order> {
    let pairs = sample.len() / 2;
    let (mut even_nul, mut odd_nul, mut even_text, mut odd_text) = (0, 0, 0, 0);
    for pair in sample.chunks_exact(2) {
        even_nul += usize::from(pair[0] == 0);
        odd_nul += usize::from(pair[1] == 0);
        even_text += usize::from(texty(pair[0]));
        odd_text += usize::from(texty(pair[1]));
    }
    // At least 90% of one half NUL and at most 2% of the other, which is
    // nearly all printable: text, not a binary format with NUL padding.
    let mostly = |n: usize| n * 10 >= pairs * 9;
    let rarely = |n: usize| n * 50 <= pairs;
    if mostly(odd_nul) && rarely(even_nul) && mostly(even_text) {
        Some(Order::Little)
    } else if mostly(even_nul) && rarely(odd_nul) && mostly(odd_text) {
        Some(Order::Big)
    } else {
        None
    }
}

/// A byte that can be the low byte of a text character: printable ASCII,
/// tab, line feed, carriage return, or past ASCII.
fn texty(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7E | 0x80..)
}

/// `data` decoded from UTF-16 to UTF-8 when it is UTF-16 text (see
/// [`detect`]); unpaired surrogates become U+FFFD. `None` when it is not
/// UTF-16, or decodes to text that still holds NULs (binary after all).
pub fn decode(data: &[u8]) -> Option<Vec<u8>> {
    let (order, bom) = detect(data)?;
    let units = data[bom..].chunks_exact(2).map(|p| match order {
        Order::Little => u16::from_le_bytes([p[0], p[1]]),
        Order::Big => u16::from_be_bytes([p[0], p[1]]),
    });
    let mut out = String::with_capacity(data.len() / 2 + 16);
    out.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
    let text = out.into_bytes();
    (!super::is_binary(&text)).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn be(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    #[test]
    fn decodes_with_and_without_a_byte_order_mark() {
        let text = "$key = 'abc'\r\nWrite-Host \"é ✓\"\r\n";
        assert_eq!(decode(&[&[0xFF, 0xFE][..], &le(text)].concat()).unwrap(), text.as_bytes());
        assert_eq!(decode(&[&[0xFE, 0xFF][..], &be(text)].concat()).unwrap(), text.as_bytes());
        assert_eq!(decode(&le(text)).unwrap(), text.as_bytes());
        assert_eq!(decode(&be(text)).unwrap(), text.as_bytes());
        // A lone surrogate is replaced, not an error.
        let mut odd = le("ab");
        odd.extend([0x00, 0xD8]);
        assert_eq!(decode(&[&[0xFF, 0xFE][..], &odd].concat()).unwrap(), "ab\u{fffd}".as_bytes());
    }

    #[test]
    fn binary_content_is_not_utf16() {
        // Mostly-NUL padding on both halves, a UTF-32 mark, short content,
        // and text that decodes to NULs are all left alone.
        assert_eq!(detect(&[0u8; 4096]), None);
        assert_eq!(detect(&[0xFF, 0xFE, 0, 0, b'a', 0, 0, 0]), None);
        assert_eq!(detect(&le("short")), None);
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0".to_vec();
        png.extend([0u8, 7, 0, 9].repeat(100));
        assert_eq!(detect(&png), None);
        assert_eq!(decode(&[&[0xFF, 0xFE][..], &[0u8; 64]].concat()), None);
    }
}

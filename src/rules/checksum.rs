//! Checksums and self-describing structures that some token formats embed.
//! A candidate whose checksum does not hold is not a real token, so checking
//! it removes false positives that no regex can tell apart. Pure functions
//! over the secret's bytes; also the encoders that example templates use to
//! build fake tokens that pass.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{general_purpose, DecodePaddingMode};
use base64::Engine as _;
use serde::Deserialize;

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A checksum scheme a rule can name in its `checksum` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Checksum {
    /// GitHub (`ghp_` …) and npm (`npm_`) tokens: the last 6 characters are
    /// the CRC32 of the 30 random characters before them, in base62,
    /// left-padded with `0`. The prefix up to the last `_` is not covered.
    Base62Crc32,
    /// PyPI API tokens: `pypi-` + a macaroon in the version 2 binary format,
    /// base64url-encoded. The token holds when its body decodes and parses
    /// to the end: a header with an identifier, well-formed caveats and a
    /// 32-byte signature. A truncated or edited token does not.
    MacaroonV2,
}

impl Checksum {
    pub fn verify(self, secret: &[u8]) -> bool {
        match self {
            Checksum::Base62Crc32 => verify_base62_crc32(secret),
            Checksum::MacaroonV2 => verify_macaroon_v2(secret),
        }
    }
}

/// Base62 encoding of the CRC32 of `data`, 6 characters wide.
pub fn base62_crc32(data: &[u8]) -> String {
    let mut n = crc32fast::hash(data);
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out.to_vec()).expect("base62 is ASCII")
}

fn verify_base62_crc32(secret: &[u8]) -> bool {
    let body = match secret.iter().rposition(|&b| b == b'_') {
        Some(i) => &secret[i + 1..],
        None => secret,
    };
    if body.len() < 7 {
        return false;
    }
    let (random, check) = body.split_at(body.len() - 6);
    base62_crc32(random).as_bytes() == check
}

// Field types of the macaroon v2 binary format (libmacaroons, pymacaroons).
const EOS: u64 = 0;
const LOCATION: u64 = 1;
const IDENTIFIER: u64 = 2;
const VERIFICATION_ID: u64 = 4;
const SIGNATURE: u64 = 6;

/// Tokens are written with or without `=` padding.
const BASE64URL_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn verify_macaroon_v2(secret: &[u8]) -> bool {
    // The prefix (`pypi-`) is not part of the macaroon.
    let body = secret.iter().position(|&b| b == b'-').map_or(secret, |i| &secret[i + 1..]);
    BASE64URL_ANY_PADDING.decode(body).is_ok_and(|bytes| parse_macaroon_v2(&bytes).is_some())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.pos)?;
            self.pos += 1;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn data(&mut self) -> Option<&[u8]> {
        let len = usize::try_from(self.varint()?).ok()?;
        let end = self.pos.checked_add(len).filter(|&e| e <= self.bytes.len())?;
        let data = &self.bytes[self.pos..end];
        self.pos = end;
        Some(data)
    }

    /// One section (the header, or one caveat) starting with field type
    /// `first`: fields of the `allowed` types in increasing type order, an
    /// identifier among them, up to an end-of-section marker.
    fn section(&mut self, first: u64, allowed: &[u64]) -> Option<()> {
        let (mut field, mut last, mut has_identifier) = (first, EOS, false);
        while field != EOS {
            if field <= last || !allowed.contains(&field) {
                return None;
            }
            let data = self.data()?;
            has_identifier |= field == IDENTIFIER && !data.is_empty();
            last = field;
            field = self.varint()?;
        }
        has_identifier.then_some(())
    }
}

/// Parses a whole version 2 macaroon; `None` when anything is out of place
/// or bytes are left over.
fn parse_macaroon_v2(bytes: &[u8]) -> Option<()> {
    let mut r = Reader { bytes, pos: 0 };
    if r.varint()? != 2 {
        return None;
    }
    let first = r.varint()?;
    r.section(first, &[LOCATION, IDENTIFIER])?;
    // Caveats, each its own section; an empty section ends the list.
    loop {
        let first = r.varint()?;
        if first == EOS {
            break;
        }
        r.section(first, &[LOCATION, IDENTIFIER, VERIFICATION_ID])?;
    }
    if r.varint()? != SIGNATURE || r.data()?.len() != 32 {
        return None;
    }
    (r.pos == bytes.len()).then_some(())
}

/// A version 2 macaroon, base64url-encoded without padding as PyPI writes
/// it: for example templates and tests.
pub fn macaroon_v2_base64url(location: &str, identifier: &[u8], caveats: &[&[u8]], signature: &[u8; 32]) -> String {
    fn varint(out: &mut Vec<u8>, mut n: u64) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }
    fn field(out: &mut Vec<u8>, kind: u64, data: &[u8]) {
        varint(out, kind);
        varint(out, data.len() as u64);
        out.extend_from_slice(data);
    }
    let mut out = vec![2];
    field(&mut out, LOCATION, location.as_bytes());
    field(&mut out, IDENTIFIER, identifier);
    out.push(EOS as u8);
    for caveat in caveats {
        field(&mut out, IDENTIFIER, caveat);
        out.push(EOS as u8);
    }
    out.push(EOS as u8);
    field(&mut out, SIGNATURE, signature);
    general_purpose::URL_SAFE_NO_PAD.encode(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let random = b"abcDEF0123456789abcDEF01234567";
        let token = format!("ghp_{}{}", std::str::from_utf8(random).unwrap(), base62_crc32(random));
        assert!(Checksum::Base62Crc32.verify(token.as_bytes()));
        let mut broken = token.into_bytes();
        let last = broken.len() - 1;
        broken[last] = if broken[last] == b'A' { b'B' } else { b'A' };
        assert!(!Checksum::Base62Crc32.verify(&broken));
    }

    #[test]
    fn known_value_is_padded() {
        // crc32("") == 0 encodes as all zeros.
        assert_eq!(base62_crc32(b""), "000000");
        assert_eq!(base62_crc32(b"a").len(), 6);
    }

    fn pypi_token(caveats: &[&[u8]]) -> String {
        let id = b"0f3a9c52e1d84b7a9e6f2c1b8d5a4e3f";
        format!("pypi-{}", macaroon_v2_base64url("pypi.org", id, caveats, &[7; 32]))
    }

    #[test]
    fn macaroon_round_trip() {
        let long_caveat = vec![b'x'; 300]; // a two-byte length varint
        let token = pypi_token(&[b"{\"version\": 1, \"permissions\": \"user\"}", &long_caveat]);
        assert!(token.starts_with("pypi-AgEIcHlwaS5vcmc"), "{token}");
        assert!(Checksum::MacaroonV2.verify(token.as_bytes()));
        assert!(Checksum::MacaroonV2.verify(pypi_token(&[]).as_bytes()));
        let body_len = token.len() - "pypi-".len();
        let padded = format!("{token}{}", "=".repeat((4 - body_len % 4) % 4));
        assert!(!body_len.is_multiple_of(4), "the test needs a token that padding changes");
        assert!(Checksum::MacaroonV2.verify(padded.as_bytes()), "padding is optional");
    }

    #[test]
    fn broken_macaroons_fail() {
        let token = pypi_token(&[b"{\"permissions\": \"user\"}"]);
        let b = token.as_bytes();
        // Truncated: the signature is cut short.
        assert!(!Checksum::MacaroonV2.verify(&b[..b.len() - 4]));
        // Trailing bytes after the signature.
        assert!(!Checksum::MacaroonV2.verify(format!("{token}AAAA").as_bytes()));
        // A random body behind the right prefix.
        let random = format!("pypi-AgEIcHlwaS5vcmc{}", "Zk3mQ9xR7wB2".repeat(12));
        assert!(!Checksum::MacaroonV2.verify(random.as_bytes()));
        assert!(!Checksum::MacaroonV2.verify(b"pypi-"));
        assert!(!Checksum::MacaroonV2.verify(b"pypi-!!!!"));
    }
}

//! Checksums that some token formats embed. A candidate whose checksum does
//! not hold is not a real token, so checking it removes false positives that
//! no regex can tell apart. Pure functions over the secret's bytes.

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
}

impl Checksum {
    pub fn verify(self, secret: &[u8]) -> bool {
        match self {
            Checksum::Base62Crc32 => verify_base62_crc32(secret),
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
}

//! Units a user writes on the command line or in `.keyhound.toml`: sizes
//! (`25M`) and durations (`10s`). Parsing only; what a value is for, and its
//! allowed range, is the caller's to check.

use std::time::Duration;

/// What a size may look like, for error messages.
pub const SIZE_FORMS: &str = "a number of bytes with an optional K, M or G suffix (powers of 1024, \
    optionally followed by B or iB) and no spaces, e.g. 1048576, 512K, 25M, 25MiB or 1G";

/// Why a size or duration was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error("expected {SIZE_FORMS}")]
    Size,
    #[error("size too large")]
    SizeTooLarge,
    #[error("expected a positive number of seconds, e.g. 10, 2.5, 10s or 500ms")]
    Duration,
}

/// Parses `1234`, `64K`, `25M`, `1G`, `25MB`, `2KiB` (powers of 1024).
/// Whitespace around the value is ignored; inside it (`1 MB`) is an error,
/// as is anything else that is not one of those forms.
/// A byte count for people: `624 B`, `1.5 KiB`, `64.0 MiB`.
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

pub fn parse_size(s: &str) -> Result<u64, UnitError> {
    let t = s.trim();
    let t = t.strip_suffix("iB").or_else(|| t.strip_suffix('B')).unwrap_or(t);
    let (digits, mult) = match t.as_bytes().last() {
        Some(b'k' | b'K') => (&t[..t.len() - 1], 1u64 << 10),
        Some(b'm' | b'M') => (&t[..t.len() - 1], 1 << 20),
        Some(b'g' | b'G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UnitError::Size);
    }
    let n: u64 = digits.parse().map_err(|_| UnitError::SizeTooLarge)?;
    n.checked_mul(mult).ok_or(UnitError::SizeTooLarge)
}

/// Parses `10`, `2.5`, `10s`, `500ms` into a duration.
pub fn parse_duration(s: &str) -> Result<Duration, UnitError> {
    let t = s.trim();
    let (num, scale) =
        if let Some(ms) = t.strip_suffix("ms") { (ms, 0.001) } else { (t.strip_suffix('s').unwrap_or(t), 1.0) };
    let n: f64 = num.trim().parse().map_err(|_| UnitError::Duration)?;
    if !n.is_finite() || n < 0.0 {
        return Err(UnitError::Duration);
    }
    Ok(Duration::from_secs_f64(n * scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100").unwrap(), 100);
        assert_eq!(parse_size(" 25M ").unwrap(), 25 << 20);
        assert_eq!(parse_size("25MB").unwrap(), 25 << 20);
        assert_eq!(parse_size("2KiB").unwrap(), 2048);
        assert_eq!(parse_size("1g").unwrap(), 1 << 30);
        for bad in ["lots", "", "1 MB", "1.5M", "-1", "M", "1T", "0x10"] {
            assert_eq!(parse_size(bad), Err(UnitError::Size), "{bad:?}");
        }
        assert_eq!(parse_size("99999999999999999999"), Err(UnitError::SizeTooLarge));
        assert_eq!(parse_size("99999999999G"), Err(UnitError::SizeTooLarge));
        assert!(UnitError::Size.to_string().contains("25M"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2.5s").unwrap(), Duration::from_millis(2500));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1").is_err());
    }
}

//! Credentials in URLs: `scheme://user:password@host`, found at each `://`
//! between a scheme byte and a userinfo byte, and Oracle's
//! `jdbc:oracle:thin:user/password@host`. Only the authority is read, on
//! to its end (the first `/`, `?`, `#`, whitespace, quote or bracket), and
//! the scheme back only when it holds a userinfo, so a URL without
//! credentials costs a few bytes. (`@` would be a rarer anchor than `://`,
//! but a single byte between two wide sets of bytes lets the keyword
//! pass's filter through at many more places: it measured slower.)
//!
//! Must not allocate; never resolves or contacts the host.

use std::ops::Range;

use super::byte_table;

/// The longest authority read.
const MAX_AUTHORITY: usize = 256;

/// Bytes that end a URL's authority.
const ENDS_AUTHORITY: [bool; 256] = byte_table(b" \t\r\n\x0b\x0c/?#\"'`<>\\()[]{},;|");
/// Bytes of a scheme after its first letter.
const SCHEME: [bool; 256] = byte_table(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

fn ends_authority(b: u8) -> bool {
    ENDS_AUTHORITY[usize::from(b)]
}

/// A password in a URL's userinfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct UrlPassword {
    pub password: Range<usize>,
    /// The host, for placeholder checks (`example.com`).
    pub host: Range<usize>,
}

/// The password of the URL whose `://` spans `sep_start..sep_end`.
pub(super) fn at_separator(hay: &[u8], sep_start: usize, sep_end: usize) -> Option<UrlPassword> {
    // Most URLs have no userinfo: that is looked at first.
    let found = userinfo(hay, sep_end)?;
    // A scheme: letters, digits, `+.-`, starting with a letter.
    let floor = sep_start.saturating_sub(32);
    let mut s = sep_start;
    while s > floor && SCHEME[usize::from(hay[s - 1])] {
        s -= 1;
    }
    (s < sep_start && hay[s].is_ascii_alphabetic()).then_some(found)
}

/// `user:password@host` starting at `p`: the password and host.
fn userinfo(hay: &[u8], p: usize) -> Option<UrlPassword> {
    let stop = (p + MAX_AUTHORITY).min(hay.len());
    // Most URLs have no userinfo: a vector search for its `@`, or for the
    // `/` or `"` that most often ends an authority first, says so, where
    // reading the authority to its end costs a branch a byte.
    let first_at = p + memchr::memchr3(b'@', b'/', b'"', &hay[p..stop])?;
    if hay[first_at] != b'@' || hay[p..first_at].iter().any(|&b| ends_authority(b)) {
        return None;
    }
    let end = first_at + hay[first_at..stop].iter().position(|&b| ends_authority(b)).unwrap_or(stop - first_at);
    let at = p + memchr::memrchr(b'@', &hay[p..end])?;
    let colon = p + memchr::memchr(b':', &hay[p..at])?;
    let host_end = at + 1 + hay[at + 1..end].iter().position(|&b| b == b':').unwrap_or(end - at - 1);
    Some(UrlPassword { password: colon + 1..at, host: at + 1..host_end })
}

/// Oracle's `user/password@host` (after `jdbc:oracle:thin:`).
pub(super) fn oracle_userinfo(hay: &[u8], p: usize) -> Option<UrlPassword> {
    let stop = (p + MAX_AUTHORITY).min(hay.len());
    let end =
        p + hay[p..stop].iter().position(|&b| b.is_ascii_whitespace() || b"\"'`<>;,".contains(&b)).unwrap_or(stop - p);
    let at = p + hay[p..end].iter().position(|&b| b == b'@')?;
    let slash = p + hay[p..at].iter().position(|&b| b == b'/')?;
    let host_end = at + 1 + hay[at + 1..end].iter().position(|&b| b == b':' || b == b'/').unwrap_or(end - at - 1);
    Some(UrlPassword { password: slash + 1..at, host: at + 1..host_end })
}

/// Hosts of documentation: a URL to them holds an example password.
pub(super) fn is_example_host(host: &[u8]) -> bool {
    const HOSTS: &[&[u8]] = &[b"example.com", b"example.org", b"example.net", b"host", b"hostname", b"server"];
    let lower_ends = |h: &[u8]| host.len() >= h.len() && host[host.len() - h.len()..].eq_ignore_ascii_case(h);
    host.is_empty()
        || HOSTS.iter().any(|h| lower_ends(h))
        || host.starts_with(b"your")
        || host.iter().any(|&b| b == b'<' || b == b'{' || b == b'$' || b == b'%')
}

/// Percent-decodes `raw` into `buf` (the password as it is used).
pub(super) fn percent_decoded<'b>(raw: &[u8], buf: &'b mut [u8]) -> &'b [u8] {
    let mut n = 0;
    let mut i = 0;
    while i < raw.len() && n < buf.len() {
        let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        match (raw[i], raw.get(i + 1).copied().and_then(hex), raw.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                buf[n] = h << 4 | l;
                i += 3;
            }
            (b, _, _) => {
                buf[n] = b;
                i += 1;
            }
        }
        n += 1;
    }
    &buf[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(url: &str) -> Option<String> {
        let hay = url.as_bytes();
        let i = url.find("://")?;
        let p = at_separator(hay, i, i + 3)?;
        Some(String::from_utf8_lossy(&hay[p.password]).into_owned())
    }

    #[test]
    fn finds_the_password_of_the_authority_only() {
        assert_eq!(password("postgres://app:q8Zr2LmW@db:5432/app").as_deref(), Some("q8Zr2LmW"));
        assert_eq!(password("redis://:q8Zr2LmW@cache:6379/0").as_deref(), Some("q8Zr2LmW"));
        assert_eq!(password("https://x-access-token:q8Zr2LmW@github.com/a/b.git").as_deref(), Some("q8Zr2LmW"));
        assert_eq!(password("mongodb+srv://u:p%40ss@c.mongodb.net/db").as_deref(), Some("p%40ss"));
        assert_eq!(password("https://github.com/a/b@main"), None, "an @ in the path");
        assert_eq!(password("ssh://git@github.com/a/b"), None, "no password");
        assert_eq!(password("://x:y@z"), None, "no scheme");
        let mut buf = [0u8; 64];
        assert_eq!(percent_decoded(b"p%40ss%2", &mut buf), b"p@ss%2");
    }
}

//! URIs for paths, as reports (SARIF) need them: percent-encoded relative
//! references and `file://` URIs.

use std::path::Path;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Bytes left as they are in a URI path: RFC 3986 `pchar` without `:` (a
/// colon in a first segment would read as a scheme), plus `/`. Everything
/// else, including space, `%`, `#`, `?` and every non-ASCII byte, is
/// percent-encoded.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@')
    .remove(b'/');

/// Percent-encodes a `/`-separated relative path for use as a URI reference.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// A `file://` URI for an absolute path; directories should end with `/`.
pub fn file_uri(path: &Path) -> String {
    let s = path.to_string_lossy();
    // Windows drive paths (`C:\x`) become `file:///C:/x`.
    let b = s.as_bytes();
    if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/') {
        return format!("file:///{}:{}", &s[..1], encode_path(&s[2..].replace('\\', "/")));
    }
    format!("file://{}", encode_path(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(encode_path("a b/100%.env"), "a%20b/100%25.env");
        assert_eq!(encode_path("x#y?z:w"), "x%23y%3Fz%3Aw");
        assert_eq!(encode_path("ok-._~!$&'()*+,;=@/"), "ok-._~!$&'()*+,;=@/");
    }

    #[test]
    fn file_uris() {
        assert_eq!(file_uri(Path::new("/tmp/a b/")), "file:///tmp/a%20b/");
        assert_eq!(file_uri(Path::new("C:\\Users\\x")), "file:///C:/Users/x");
    }
}

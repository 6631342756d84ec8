//! Credentials files recognisable only by their name: PostgreSQL's
//! `.pgpass` (`host:port:database:user:password` lines) and Apache's
//! `.htpasswd` (`user:password` lines, reported only when the password is
//! in clear, not one of the hashes htpasswd writes).
//!
//! Must not read anything but the bytes and the name it is given.

use std::ops::Range;

/// A credentials file the name says the content is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CredentialsFile {
    Pgpass,
    Htpasswd,
}

/// The file's last path component (after `/`, `\` or a container's `!`).
fn base_name(path: &[u8]) -> &[u8] {
    path.rsplit(|&b| b == b'/' || b == b'\\' || b == b'!').next().unwrap_or(path)
}

/// The longest name of a credentials file.
const LONGEST_NAME: usize = b".htpasswd.txt".len();

/// What the file named `path` is, if one of these.
pub(super) fn kind_of(path: &[u8]) -> Option<CredentialsFile> {
    // Every file's name is asked about: only its last bytes are read (a
    // longer last component is none of these).
    match base_name(&path[path.len().saturating_sub(LONGEST_NAME + 1)..]) {
        b".pgpass" | b"pgpass.conf" | b"pgpass" => Some(CredentialsFile::Pgpass),
        b".htpasswd" | b"htpasswd" | b".htpasswd.txt" => Some(CredentialsFile::Htpasswd),
        _ => None,
    }
}

/// Whether content could be one of these files, judging by its first
/// line that is not a comment or blank: only then does a caller that finds
/// names at a cost need to give it.
pub(super) fn could_be_one(hay: &[u8]) -> bool {
    let mut rest = hay;
    for _ in 0..8 {
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = trim_cr(&rest[..end]);
        if !line.is_empty() && line[0] != b'#' {
            let colons = line.iter().filter(|&&b| b == b':').count();
            return (1..=6).contains(&colons) && !line.contains(&b' ') && line.len() <= 512;
        }
        if end == rest.len() {
            return false;
        }
        rest = &rest[end + 1..];
    }
    false
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The password of each line of a credentials file of kind `kind`.
pub(super) fn passwords(hay: &[u8], kind: CredentialsFile, mut found: impl FnMut(Range<usize>)) {
    let mut start = 0;
    while start < hay.len() {
        let end = memchr::memchr(b'\n', &hay[start..]).map_or(hay.len(), |i| start + i);
        let line = trim_cr(&hay[start..end]);
        if !line.is_empty() && line[0] != b'#' {
            let field = match kind {
                CredentialsFile::Pgpass => pgpass_password(line),
                CredentialsFile::Htpasswd => htpasswd_password(line),
            };
            if let Some(r) = field {
                found(start + r.start..start + r.end);
            }
        }
        start = end + 1;
    }
}

/// The fifth field of `host:port:database:user:password` (`\:` escapes a
/// colon).
fn pgpass_password(line: &[u8]) -> Option<Range<usize>> {
    let mut fields = 0;
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b'\\' => i += 1,
            b':' => {
                fields += 1;
                if fields == 4 {
                    return Some(i + 1..line.len());
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The password of `user:password` when it is not a hash htpasswd writes
/// (`$apr1$`, `$2y$`, `{SHA}`, `$5$`/`$6$` and 13-character DES crypt).
fn htpasswd_password(line: &[u8]) -> Option<Range<usize>> {
    let colon = line.iter().position(|&b| b == b':')?;
    let p = &line[colon + 1..];
    let des = p.len() == 13 && p.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
    if colon == 0 || p.is_empty() || p[0] == b'$' || p.starts_with(b"{SHA}") || des {
        return None;
    }
    Some(colon + 1..line.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, kind: CredentialsFile) -> Vec<String> {
        let mut out = Vec::new();
        passwords(text.as_bytes(), kind, |r| out.push(text[r].to_string()));
        out
    }

    #[test]
    fn names_and_lines() {
        assert_eq!(kind_of(b"home/me/.pgpass"), Some(CredentialsFile::Pgpass));
        assert_eq!(kind_of(b"a.zip!conf/.htpasswd"), Some(CredentialsFile::Htpasswd));
        assert_eq!(kind_of(b"pgpass.md"), None);
        assert_eq!(kind_of(b".htpasswd.txt"), Some(CredentialsFile::Htpasswd));
        assert_eq!(kind_of(b"/srv/site/.htpasswd.txt"), Some(CredentialsFile::Htpasswd));
        assert_eq!(kind_of(b"/srv/site/x.htpasswd.txt"), None);
        assert_eq!(kind_of(b"/srv/site/a.pgpass"), None);
        let pg = "# comment\ndb.acme.io:5432:app:app:q8Zr\\:2LmW\n*:*:*:postgres:Kx7mQ2vLp9zR\n";
        assert_eq!(found(pg, CredentialsFile::Pgpass), ["q8Zr\\:2LmW", "Kx7mQ2vLp9zR"]);
        let ht = "alice:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\nbob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\ncarol:rOaYb3TRf1K8.\ndave:Kx7mQ2vLp9zR\n";
        assert_eq!(found(ht, CredentialsFile::Htpasswd), ["Kx7mQ2vLp9zR"]);
        assert!(could_be_one(b"# x\nalice:Kx7mQ2vLp9zR\n"));
        assert!(!could_be_one(b"fn main() {}\n"));
        assert!(!could_be_one(b"key: value\n"));
    }
}

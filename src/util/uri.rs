//! URIs as reports need them, built with the `url` crate: percent-encoded
//! relative references, `file://` URIs for local paths (POSIX, Windows drive
//! and UNC paths alike, whatever the platform the report is written on), and
//! remote URLs with every credential removed — user info and query-string
//! tokens — before they reach a report or a message. Paths that are not
//! UTF-8 keep their exact bytes, percent-encoded ([`with_byte_stand_ins`]).
//!
//! Nothing here touches the network or knows what a repository is.

use std::path::Path;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use url::Url;

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

/// First of the 128 private-use code points (U+F780–U+F7FF) that stand in
/// for the bytes 0x80–0xFF of invalid UTF-8 while a path that is not UTF-8
/// goes through the string-based URI functions here.
const STAND_IN: u32 = 0xF780;

/// `raw` (a path's bytes) as text in which each byte of an invalid UTF-8
/// sequence (always 0x80 or above) is a private-use stand-in, so the path
/// can be normalised and encoded like any other; [`restore_raw_bytes`] then
/// turns the encoded stand-ins back into the bytes, percent-encoded. `None`
/// when the valid text itself holds a stand-in character, which could not be
/// told apart from one.
pub fn with_byte_stand_ins(raw: &[u8]) -> Option<String> {
    let is_stand_in = |c: char| (STAND_IN..STAND_IN + 0x80).contains(&(c as u32));
    let mut out = String::with_capacity(raw.len() + 8);
    for chunk in raw.utf8_chunks() {
        if chunk.valid().contains(is_stand_in) {
            return None;
        }
        out.push_str(chunk.valid());
        for &b in chunk.invalid() {
            out.push(char::from_u32(STAND_IN + u32::from(b) - 0x80)?);
        }
    }
    Some(out)
}

/// A URI built from [`with_byte_stand_ins`] text, with each percent-encoded
/// stand-in (`%EF%9E%80`…`%EF%9F%BF`) replaced by the byte it stands for,
/// percent-encoded (`%80`…`%FF`).
pub fn restore_raw_bytes(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    let mut rest = uri;
    while let Some(at) = rest.find("%EF%9") {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        let byte = candidate.get(..9).and_then(|t| {
            // `get`, not indexing: after `%EF%9` may come any character.
            let second = u8::from_str_radix(t.get(4..6)?, 16).ok()?;
            let third = u8::from_str_radix(t.get(7..9)?, 16).ok()?;
            let cp = 0xF000 | (u32::from(second & 0x3F) << 6) | u32::from(third & 0x3F);
            let ok = (0x9E..=0x9F).contains(&second) && (0x80..=0xBF).contains(&third) && t.get(6..7) == Some("%");
            ok.then(|| cp - STAND_IN + 0x80)
        });
        match byte {
            Some(b) => {
                out.push_str(&format!("%{b:02X}"));
                rest = &candidate[9..];
            }
            None => {
                out.push('%');
                rest = &candidate[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A `file://` URI for an absolute path. A path ending in a separator (a
/// directory) keeps its trailing `/`. Windows drive paths (`C:\x`) become
/// `file:///C:/x` and UNC paths (`\\server\share\x`) `file://server/share/x`,
/// on every platform, so a report names the same file wherever it is read.
pub fn file_uri(path: &Path) -> String {
    let s = path.to_string_lossy();
    let b = s.as_bytes();
    let windows_drive = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
    let unc = s.starts_with(r"\\") || (s.starts_with("//") && !s.starts_with("///"));
    let windows = windows_drive || s.starts_with(r"\\");
    let is_sep = |c: char| c == '/' || (windows && c == '\\');
    let is_dir = s.ends_with(is_sep);
    let mut url = Url::parse("file:///").expect("a valid base URL");
    let mut parts: Vec<&str> = s.split(is_sep).filter(|p| !p.is_empty()).collect();
    if unc && !parts.is_empty() {
        let host = parts.remove(0);
        if url.set_host(Some(host)).is_err() {
            // Not a host name a URI can carry: keep it as the first segment.
            parts.insert(0, host);
        }
    }
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.clear();
        for p in &parts {
            segments.push(p);
        }
        if is_dir && !parts.is_empty() {
            segments.push("");
        }
    }
    url.to_string()
}

/// A `file://` URI for a directory: [`file_uri`] with a trailing `/`.
pub fn dir_uri(path: &Path) -> String {
    let uri = file_uri(path);
    if uri.ends_with('/') {
        uri
    } else {
        uri + "/"
    }
}

/// A remote URL as a URI fit for a report: credentials removed (a password
/// or token in the user info, every user name but ssh's bare one, and the
/// query string and fragment, where tokens such as `?private_token=` ride),
/// scp-like `git@host:path` turned into `ssh://git@host/path`, and local
/// paths into `file://` URIs (relative ones resolved against `base`).
/// `None` for an empty or unusable URL.
pub fn remote_uri(remote: &str, base: &Path) -> Option<String> {
    let remote = remote.trim();
    if remote.is_empty() {
        return None;
    }
    if remote.contains("://") {
        return Url::parse(remote).ok().map(|u| without_credentials(u).to_string());
    }
    // scp-like syntax: [user@]host:path, where host has no slash and is more
    // than a drive letter.
    if let Some((host, path)) = remote.split_once(':') {
        if host.len() > 1 && !host.contains(['/', '\\']) {
            let url = Url::parse(&format!("ssh://{host}/{}", path.trim_start_matches('/'))).ok()?;
            return Some(without_credentials(url).to_string());
        }
    }
    let p = Path::new(remote);
    let abs = if p.is_absolute() { p.to_path_buf() } else { base.join(p) };
    Some(file_uri(&super::paths::canonical(&abs)))
}

/// `url` without a password, without a user name unless it is a bare ssh
/// user (`git@`), and without a query string or fragment.
fn without_credentials(mut url: Url) -> Url {
    let keep_user = url.scheme().starts_with("ssh") && url.password().is_none();
    let _ = url.set_password(None);
    if !keep_user {
        let _ = url.set_username("");
    }
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// `text` (an error message, say) with the credentials of every URL in it
/// removed as [`remote_uri`] removes them.
pub fn scrub_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let start = rest[..at].rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c))).map_or(0, |i| i + 1);
        let end = rest[at..].find(|c: char| c.is_whitespace() || "'\"<>`".contains(c)).map_or(rest.len(), |i| at + i);
        out.push_str(&rest[..start]);
        let candidate = &rest[start..end];
        match Url::parse(candidate) {
            Ok(url) if start < at => {
                let clean = without_credentials(url.clone());
                if clean == url {
                    out.push_str(candidate);
                } else {
                    out.push_str(clean.as_str());
                }
            }
            _ => out.push_str(candidate),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A code forge whose web pages link to a file's line at a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForgeKind {
    /// `https://HOST/OWNER/NAME/blob/COMMIT/PATH#L3-L5`
    GitHub,
    /// `https://HOST/GROUP/NAME/-/blob/COMMIT/PATH#L3-5`
    GitLab,
}

/// The forge and the repository's web page for a remote URL (as
/// [`remote_uri`] gives it: `https://github.com/o/r.git`,
/// `ssh://github.com/o/r.git`, …), judged by the host name alone: github.com
/// and `github.*` hosts are GitHub, gitlab.com and `gitlab.*` hosts GitLab.
/// `None` for any other host, local paths and URLs without an owner and
/// name. Works on the text only; nothing is looked up.
pub fn forge_of(remote: &str) -> Option<(ForgeKind, String)> {
    let url = Url::parse(remote).ok()?;
    if !matches!(url.scheme(), "https" | "http" | "ssh" | "git" | "git+ssh" | "ssh+git") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let kind = if host == "github.com" || host.starts_with("github.") {
        ForgeKind::GitHub
    } else if host == "gitlab.com" || host.starts_with("gitlab.") {
        ForgeKind::GitLab
    } else {
        return None;
    };
    let path = url.path().trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    if path.split('/').filter(|s| !s.is_empty()).count() < 2 {
        return None;
    }
    // The web pages are on https, on the default port: an ssh remote's
    // port is the ssh server's.
    let port = match (url.scheme(), url.port()) {
        ("https", Some(p)) => format!(":{p}"),
        _ => String::new(),
    };
    Some((kind, format!("https://{host}{port}/{path}")))
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
    fn raw_bytes_survive_encoding() {
        let raw = b"dir/caf\xe9 \xff\xc3(x.env";
        let marked = with_byte_stand_ins(raw).unwrap();
        assert_eq!(marked.chars().count(), raw.len());
        assert_eq!(restore_raw_bytes(&encode_path(&marked)), "dir/caf%E9%20%FF%C3(x.env");
        assert_eq!(
            restore_raw_bytes(&file_uri(Path::new(&format!("/r/{marked}")))),
            "file:///r/dir/caf%E9%20%FF%C3(x.env"
        );
        // Valid text is kept, other encoded characters too.
        assert_eq!(with_byte_stand_ins("ключ".as_bytes()).as_deref(), Some("ключ"));
        assert_eq!(restore_raw_bytes("a%EF%BF%BD%EF%9Cb%25"), "a%EF%BF%BD%EF%9Cb%25");
        // Text that is not a URI (a multi-byte character right after
        // `%EF%9`) is kept as it is, not cut inside the character.
        assert_eq!(restore_raw_bytes("%EF%9\u{e9}00"), "%EF%9\u{e9}00");
        assert_eq!(restore_raw_bytes("%EF%9E\u{e9}0"), "%EF%9E\u{e9}0");
        // A stand-in in the valid text cannot be told apart.
        let mut clash = "\u{f780}".as_bytes().to_vec();
        clash.push(0xff);
        assert_eq!(with_byte_stand_ins(&clash), None);
    }

    #[test]
    fn file_uris() {
        assert_eq!(file_uri(Path::new("/tmp/a b/")), "file:///tmp/a%20b/");
        assert_eq!(file_uri(Path::new("/r/100%.env")), "file:///r/100%25.env");
        assert_eq!(file_uri(Path::new("/r/a#b?c")), "file:///r/a%23b%3Fc");
        assert_eq!(file_uri(Path::new("/")), "file:///");
        assert_eq!(file_uri(Path::new("C:\\Users\\x")), "file:///C:/Users/x");
        assert_eq!(file_uri(Path::new("C:\\Users\\My Docs\\")), "file:///C:/Users/My%20Docs/");
        assert_eq!(file_uri(Path::new("d:/work/r")), "file:///d:/work/r");
        assert_eq!(file_uri(Path::new("\\\\server\\share\\dir x\\a#b")), "file://server/share/dir%20x/a%23b");
        assert_eq!(file_uri(Path::new("//server/share/")), "file://server/share/");
        assert_eq!(dir_uri(Path::new("/srv/repo")), "file:///srv/repo/");
        assert_eq!(dir_uri(Path::new("/srv/repo/")), "file:///srv/repo/");
    }

    #[test]
    fn forges_are_known_by_host() {
        let gh = |s: &str| forge_of(s);
        assert_eq!(
            gh("https://github.com/acme/app.git"),
            Some((ForgeKind::GitHub, "https://github.com/acme/app".into()))
        );
        assert_eq!(
            gh("ssh://github.com/acme/app.git"),
            Some((ForgeKind::GitHub, "https://github.com/acme/app".into()))
        );
        let remote = remote_uri("git@github.com:acme/app.git", Path::new("/")).unwrap();
        assert_eq!(gh(&remote), Some((ForgeKind::GitHub, "https://github.com/acme/app".into())));
        assert_eq!(
            gh("ssh://git@gitlab.example.org:2222/group/sub/app.git"),
            Some((ForgeKind::GitLab, "https://gitlab.example.org/group/sub/app".into()))
        );
        assert_eq!(gh("https://gitlab.com/g/p/"), Some((ForgeKind::GitLab, "https://gitlab.com/g/p".into())));
        assert_eq!(
            gh("https://github.example.com:8443/o/r"),
            Some((ForgeKind::GitHub, "https://github.example.com:8443/o/r".into()))
        );
        for none in [
            "https://bitbucket.org/o/r.git",
            "file:///srv/git/app",
            "https://github.com/",
            "https://github.com/o",
            "not a url",
        ] {
            assert_eq!(gh(none), None, "{none}");
        }
    }

    #[test]
    fn remote_uris_lose_credentials() {
        let base = Path::new("/r");
        let cases = [
            ("https://x-access-token:ghs_abc@github.com/o/r.git", "https://github.com/o/r.git"),
            ("https://user@github.com/o/r", "https://github.com/o/r"),
            ("https://github.com/o/r", "https://github.com/o/r"),
            ("https://gitlab.example/o/r.git?private_token=glpat-xyz", "https://gitlab.example/o/r.git"),
            ("https://host/r.git?access_token=abc&x=1#frag", "https://host/r.git"),
            ("git@github.com:o/r.git", "ssh://git@github.com/o/r.git"),
            ("deploy@host:o/r.git", "ssh://deploy@host/o/r.git"),
            ("ssh://git@host:22/o/r", "ssh://git@host:22/o/r"),
            ("ssh://git:pw@host/o/r", "ssh://host/o/r"),
            ("file:///srv/git/r.git", "file:///srv/git/r.git"),
            ("/srv/git/r.git", "file:///srv/git/r.git"),
        ];
        for (remote, want) in cases {
            assert_eq!(remote_uri(remote, base).as_deref(), Some(want), "{remote}");
        }
        assert_eq!(remote_uri("", base), None);
    }

    #[test]
    fn urls_in_text_are_scrubbed() {
        assert_eq!(
            scrub_urls("fatal: unable to access 'https://u:ghp_tok@github.com/o/r/': 403"),
            "fatal: unable to access 'https://github.com/o/r/': 403"
        );
        assert_eq!(
            scrub_urls("remote https://h/r?private_token=t and https://h/ok"),
            "remote https://h/r and https://h/ok"
        );
        assert_eq!(scrub_urls("no url here: a://"), "no url here: a://");
        assert_eq!(scrub_urls("plain https://github.com/o/r"), "plain https://github.com/o/r");
    }
}

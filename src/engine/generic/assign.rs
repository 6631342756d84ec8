//! Reading an assignment around a name that says secret: what follows the
//! name (an operator, then a value) in every syntax the generic detector
//! knows, and the name itself.
//!
//! The keyword pass reports a name's last word (`password` in
//! `DB_PASSWORD`) where it ends an identifier; [`assignment`] then reads
//! forward from there, byte by byte, and gives up at the first byte that
//! fits no syntax — most hits in code (`password.length`, `token)`,
//! `if password ==`) end within a few bytes. Only then is the name read
//! backwards ([`name_start`]).
//!
//! Syntaxes: `name = v`, `name: v`, `name := v`, `name => v`, quoted keys
//! (`"name": v`, `'name' => v`, `['name'] = v`), type annotations
//! (`name: &str = v`, `name string = v`), XML elements
//! (`<password>v</password>`) and attributes, call arguments
//! (`("name", "v")`, `define('DB_PASSWORD', 'v')`, `.password("v")`),
//! space-separated forms where the line says so (`ENV NAME v`,
//! `--password v`, `.netrc`'s `password v`), and the two-line
//! `name: NAME` / `value: v` pairs of Kubernetes and ECS. Values are
//! quoted (`'`, `"`, `` ` ``, with `r`/`b`/`u`/`@` prefixes) or bare (up to
//! whitespace, a quote or a delimiter).
//!
//! Must not allocate or look beyond a few hundred bytes around the hit.

use std::ops::Range;

use super::byte_table;
use super::score::{MAX_LEN, MIN_LEN_RELAXED};

/// How a value was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    /// `=`, `:`, `:=`, `=>`, an XML element or a call argument.
    Assigned,
    /// After a space, where the line's start says the name is followed by
    /// its value (`ENV`, a `--flag`).
    Spaced,
    /// `.netrc`'s `machine … login … password v`.
    Netrc,
}

/// A value read after a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Assignment {
    pub value: Range<usize>,
    pub quoted: bool,
    pub form: Form,
}

const QUOTES: &[u8] = b"\"'`";
/// Blanks skipped around an operator.
const MAX_BLANKS: usize = crate::rules::regex_parse::MAX_BLANKS;

fn skip_blanks(hay: &[u8], mut p: usize) -> usize {
    let stop = (p + MAX_BLANKS).min(hay.len());
    while p < stop && (hay[p] == b' ' || hay[p] == b'\t') {
        p += 1;
    }
    p
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// Where the name that ends at `end` starts (identifier bytes, `.` and `-`
/// included: `spring.datasource.password`, `--db-password`), at most 64
/// bytes back.
pub(super) fn name_start(hay: &[u8], end: usize) -> usize {
    let floor = end.saturating_sub(64);
    let mut s = end;
    while s > floor && is_name_byte(hay[s - 1]) {
        s -= 1;
    }
    s
}

/// Reads the operator and the value after a name whose keyword spans
/// `kw_start..kw_end`; `None` when what follows is no assignment.
pub(super) fn assignment(hay: &[u8], kw_start: usize, kw_end: usize) -> Option<Assignment> {
    let mut p = kw_end;
    let mut key_quote = None;
    if let Some(&q) = hay.get(p).filter(|b| QUOTES.contains(b)) {
        key_quote = Some(q);
        p += 1;
        if hay.get(p) == Some(&b']') {
            p += 1;
        }
    }
    p = skip_blanks(hay, p);
    let op = *hay.get(p)?;
    let next = hay.get(p + 1).copied().unwrap_or(b'\n');
    match op {
        b'=' => {
            if next == b'=' || next == b'~' {
                return None;
            }
            p += if next == b'>' { 2 } else { 1 };
        }
        b':' => {
            if next == b':' {
                return None;
            }
            p += if next == b'=' { 2 } else { 1 };
            p = past_type_annotation(hay, p).unwrap_or(p);
        }
        b'>' => {
            // `<password>v</password>`: an opening tag.
            let start = name_start(hay, kw_start);
            if start == 0 || hay[start - 1] != b'<' {
                return None;
            }
            let v = p + 1;
            let end = v + memchr::memchr(b'<', &hay[v..(v + MAX_LEN + 1).min(hay.len())])?;
            return Some(Assignment { value: v..end, quoted: false, form: Form::Assigned });
        }
        b',' => {
            // `("name", "v")`, `define('DB_PASSWORD', 'v')`, ECS's
            // `{"name": "DB_PASSWORD", "value": "v"}`.
            let q = key_quote?;
            let open = opening_quote(hay, kw_start, q)?;
            let before = hay[..open].iter().rposition(|&b| b != b' ' && b != b'\t')?;
            match hay[before] {
                b'(' => p += 1,
                b':' => return name_value_pair(hay, p + 1),
                _ => return None,
            }
        }
        b'(' => {
            // `.password("v")`, `setPassword("v")`, `withToken("v")`: a
            // literal argument of a setter or a builder's method, not any
            // call (`createToken("jsxTagEnd")`).
            let s = name_start(hay, kw_start);
            let setter = |p: &[u8]| hay[s..].starts_with(p) && hay.get(s + p.len()).is_some_and(u8::is_ascii_uppercase);
            let method = kw_start > 0 && hay[kw_start - 1] == b'.';
            if !(method || setter(b"set") || setter(b"with")) {
                return None;
            }
            let a = quoted_value(hay, p + 1)?;
            return (hay.get(a.value.end + 1) == Some(&b')')).then_some(a);
        }
        b'\n' | b'\r' if key_quote.is_none() => return next_line_value(hay, kw_start, p),
        _ if p > kw_end && key_quote.is_none() => {
            // A space, then the value: only where the line says so (looked
            // at last: prose has a short word there).
            let mut a = value_at(hay, p)?;
            if a.value.len() < MIN_LEN_RELAXED {
                return None;
            }
            a.form = spaced_form(hay, kw_start)?;
            return Some(a);
        }
        _ => return None,
    }
    value_at(hay, skip_blanks(hay, p))
}

/// After `name:` — a type annotation (`: &str =`, `: String =`), when
/// there is one: the position after its `=`.
fn past_type_annotation(hay: &[u8], p: usize) -> Option<usize> {
    let mut q = skip_blanks(hay, p);
    let start = q;
    let stop = (q + 40).min(hay.len());
    while q < stop && (hay[q].is_ascii_alphanumeric() || b"_&<>[]*?.'".contains(&hay[q])) {
        q += 1;
    }
    if q == start || !(hay[start].is_ascii_alphabetic() || hay[start] == b'&' || hay[start] == b'_') {
        return None;
    }
    let q = skip_blanks(hay, q);
    (hay.get(q) == Some(&b'=') && hay.get(q + 1) != Some(&b'=')).then_some(q + 1)
}

/// The opening quote of a quoted name ending at `kw_start`'s name.
fn opening_quote(hay: &[u8], kw_start: usize, q: u8) -> Option<usize> {
    let s = name_start(hay, kw_start);
    (s > 0 && hay[s - 1] == q).then_some(s - 1)
}

/// `"name": "DB_PASSWORD", "value": "v"` after the comma.
fn name_value_pair(hay: &[u8], p: usize) -> Option<Assignment> {
    let p = skip_blanks(hay, p);
    let rest = hay.get(p..p + 8)?;
    if !rest.eq_ignore_ascii_case(b"\"value\":") {
        return None;
    }
    value_at(hay, skip_blanks(hay, p + 8))
}

/// `- name: DB_PASSWORD` then `value: v` on the next line (Kubernetes,
/// Compose-like YAML): the name must follow `name:` on its own line.
fn next_line_value(hay: &[u8], kw_start: usize, eol: usize) -> Option<Assignment> {
    let mut p = eol;
    while p < hay.len() && (hay[p] == b'\n' || hay[p] == b'\r') && p < eol + 2 {
        p += 1;
    }
    let q = p + hay[p..(p + 64).min(hay.len())].iter().position(|&b| b != b' ' && b != b'\t')?;
    if !hay[q..].starts_with(b"value:") {
        return None;
    }
    let s = name_start(hay, kw_start);
    // `name:` and its indentation: the line starts at most 80 bytes back.
    let floor = s.saturating_sub(80);
    let line = match memchr::memrchr(b'\n', &hay[floor..s]) {
        Some(i) => floor + i + 1,
        None if floor == 0 => 0,
        None => return None,
    };
    let lead = trim(&hay[line..s]);
    let lead = lead.strip_prefix(b"- ").unwrap_or(lead);
    if !(lead == b"name:" || lead == b"name: \"" || lead == b"name: '") {
        return None;
    }
    value_at(hay, skip_blanks(hay, q + 6))
}

fn trim(s: &[u8]) -> &[u8] {
    let a = s.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(s.len());
    let b = s.iter().rposition(|&b| b != b' ' && b != b'\t').map_or(a, |i| i + 1);
    &s[a..b]
}

/// Whether a name followed by a space takes its value there: a Dockerfile
/// `ENV NAME value`, a command-line `--name value`, `.netrc`'s
/// `password value` after `machine` or `login`. Looks back at most a few
/// hundred bytes (minified lines are long).
fn spaced_form(hay: &[u8], kw_start: usize) -> Option<Form> {
    let s = name_start(hay, kw_start);
    if hay[s..].starts_with(b"--") {
        return Some(Form::Spaced);
    }
    let line_start_at = |i: usize| i == 0 || hay[i - 1] == b'\n';
    if s >= 4 && &hay[s - 4..s] == b"ENV " && line_start_at(s - 4) {
        return Some(Form::Spaced);
    }
    // .netrc: `machine h login u password p`, on one line or several.
    if !hay[kw_start..].starts_with(b"password") || s != kw_start {
        return None;
    }
    // `machine` starts an entry, at the start of a line; `login` follows.
    let before = &hay[s.saturating_sub(256)..s];
    let entry = memchr::memmem::rfind(before, b"machine ").is_some_and(|m| {
        let lead = &before[..m];
        let line = lead.iter().rposition(|&b| b == b'\n').map_or(lead, |n| &lead[n + 1..]);
        line.iter().all(|&b| b == b' ' || b == b'\t') && memchr::memmem::find(&before[m..], b"login ").is_some()
    });
    (hay[kw_start..].starts_with(b"password") && entry).then_some(Form::Netrc)
}

/// A quoted value starting with its quote at `p`.
fn quoted_value(hay: &[u8], p: usize) -> Option<Assignment> {
    let q = *hay.get(p)?;
    if !QUOTES.contains(&q) {
        return None;
    }
    let v = p + 1;
    let len = memchr::memchr2(q, b'\n', &hay[v..(v + MAX_LEN + 1).min(hay.len())])?;
    if hay[v + len] != q {
        return None;
    }
    Some(Assignment { value: v..v + len, quoted: true, form: Form::Assigned })
}

/// Bytes that end a bare value: whitespace, quotes, delimiters, and the
/// brackets after which it would be code.
const ENDS_BARE: [bool; 256] = byte_table(b" \t\r\n\x0b\x0c\"'`;,)}]<&([");

/// The value starting at `p`: quoted (with an optional string prefix) or
/// bare. A bare value ends at whitespace, a quote or a delimiter; one
/// followed by `(` or `[` is code, not a value.
fn value_at(hay: &[u8], p: usize) -> Option<Assignment> {
    let c = *hay.get(p)?;
    if QUOTES.contains(&c) {
        return quoted_value(hay, p);
    }
    if matches!(c, b'r' | b'b' | b'u' | b'R' | b'B' | b'U' | b'@') && hay.get(p + 1).is_some_and(|b| QUOTES.contains(b))
    {
        return quoted_value(hay, p + 1);
    }
    let stop = (p + MAX_LEN + 1).min(hay.len());
    let len = hay[p..stop].iter().position(|&b| ENDS_BARE[usize::from(b)]).unwrap_or(stop - p);
    if len > MAX_LEN {
        return None;
    }
    if matches!(hay.get(p + len), Some(b'(' | b'[')) {
        return None;
    }
    Some(Assignment { value: p..p + len, quoted: false, form: Form::Assigned })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value read after the first `password`/`token`/`Key` in `text`.
    fn value(text: &str) -> Option<(String, Form)> {
        let hay = text.as_bytes();
        let kw = ["password", "PASSWORD", "Password", "token", "Key", "secret"]
            .iter()
            .find_map(|k| text.find(k).map(|i| (i, k.len())))?;
        let a = assignment(hay, kw.0, kw.0 + kw.1)?;
        Some((String::from_utf8_lossy(&hay[a.value]).into_owned(), a.form))
    }

    #[test]
    fn reads_values_in_every_syntax() {
        let v = "q8Zr2LmWx0Pk";
        for text in [
            format!("DB_PASSWORD={v}"),
            format!("export DB_PASSWORD=\"{v}\""),
            format!("password: {v}"),
            format!("  \"password\": \"{v}\","),
            format!("password = '{v}'"),
            format!("$config['password'] = '{v}';"),
            format!(":password => '{v}'"),
            format!("password := \"{v}\""),
            format!("const token: &str = \"{v}\";"),
            format!("val password: String = \"{v}\""),
            format!("<password>{v}</password>"),
            format!("<add key=\"x\" password=\"{v}\"/>"),
            format!("define( 'DB_PASSWORD', '{v}' );"),
            format!("props.put(\"password\", \"{v}\");"),
            format!("builder.password(\"{v}\")"),
            format!("Server=db;User Id=sa;Password={v};"),
            format!("jdbc:postgresql://db/app?user=app&password={v}&ssl=true"),
            format!("password = r\"{v}\""),
            format!("{{\"name\": \"DB_PASSWORD\", \"value\": \"{v}\"}}"),
            format!("      - name: DB_PASSWORD\n        value: \"{v}\""),
        ] {
            assert_eq!(value(&text).map(|(s, _)| s), Some(v.to_string()), "{text}");
        }
        assert_eq!(value(&format!("ENV DB_PASSWORD {v}")), Some((v.to_string(), Form::Spaced)));
        assert_eq!(value(&format!("mysqldump --password {v} db")), Some((v.to_string(), Form::Spaced)));
        assert_eq!(value(&format!("machine api.acme.io login me password {v}")), Some((v.to_string(), Form::Netrc)));
        assert_eq!(
            value(&format!("machine api.acme.io\n  login me\n  password {v}")),
            Some((v.to_string(), Form::Netrc))
        );
    }

    #[test]
    fn code_and_prose_are_no_assignment() {
        for text in [
            "if password == expected {",
            "the password is stored",
            "password.length > 8",
            "token(ctx)",
            "user.password = hash(pw)",
            "</password>",
            "password = getPassword()",
            "token = tokens[i]",
        ] {
            assert_eq!(value(text), None, "{text}");
        }
    }
}

//! Generic credential detection: secrets that have no vendor format —
//! passwords, home-made API keys and tokens, credentials in URLs, headers
//! and tool config files — recognised by where they are, then graded by
//! what they look like ([`score`]).
//!
//! How it stays cheap. It adds a few anchors to the engine's one keyword
//! pass ([`GenericDetector::anchors`]): the last word of a name that says
//! secret (`password`, `passwd`, `pwd`, `passphrase`, `pass` after `_` or
//! a camel hump, `secret`, `token`, `key` after `_`, `-`, `.`, `api` or a
//! camel hump, `auth`, `credentials`), each in lower, upper and capitalised
//! case, only where it ends an identifier and is followed, after blanks,
//! by an operator-like byte (`=`, `:`, a quote, `>`, `(`, a line end);
//! `--flag`-style names followed by a blank (`-password `, `-token `);
//! `ENV ` and `machine ` at a line's start (Dockerfiles, `.netrc`); `://`
//! between a scheme and a userinfo byte; `Bearer `/`Basic `; `mysql` and
//! `oracle:thin:`. At a hit, the cheapest test comes first: the syntax of
//! an assignment after the name ([`assign`]), the value's length and first
//! byte; only a value that passes those has its name read (qualifiers,
//! stand-in names) and is scored. A URL is read only up to the end of its
//! authority ([`url`]). Nothing is allocated per hit.
//!
//! Files known by name (`.pgpass`, `.htpasswd`, [`files`]) are read line by
//! line when the caller gives the name ([`GenericDetector::scan_file`]).
//!
//! Every match carries its own confidence: the scorer's grade, lowered to
//! `low` when the name says the value is a stand-in (`example_token`,
//! `TEST_PASSWORD`), and for `auth`/`credentials` unless the value is
//! base64 of `user:password`. Which rule a match belongs to is its [`Kind`]:
//! anchors only a disabled kind uses are not looked for (URLs, headers,
//! `mysql`), and a name whose kind is disabled is dropped once its words
//! say which kind it is.
//!
//! Must not touch files or know paths beyond the name it is handed; must
//! not report a value the scorer rejects.

mod assign;
mod files;
pub mod score;
mod url;
mod word_hash;
mod words;

use std::ops::Range;

use super::Match;
use crate::rules::{class_has, class_of, rule_error, ByteClass, Confidence, Detector, KeywordContext, Rule, RuleError};

use self::assign::Form;
pub(crate) use self::files::CredentialsFile;

/// What a generic match is: one rule each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Password,
    Secret,
    ApiKey,
    Token,
    Credential,
    UrlCredentials,
    BasicAuthHeader,
    BearerHeader,
    Netrc,
    Pgpass,
    Htpasswd,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Password,
        Kind::Secret,
        Kind::ApiKey,
        Kind::Token,
        Kind::Credential,
        Kind::UrlCredentials,
        Kind::BasicAuthHeader,
        Kind::BearerHeader,
        Kind::Netrc,
        Kind::Pgpass,
        Kind::Htpasswd,
    ];

    /// The id of the rule that reports it.
    pub fn rule_id(self) -> &'static str {
        match self {
            Kind::Password => "generic-password",
            Kind::Secret => "generic-secret",
            Kind::ApiKey => "generic-api-key",
            Kind::Token => "generic-token",
            Kind::Credential => "generic-credential",
            Kind::UrlCredentials => "url-credentials",
            Kind::BasicAuthHeader => "basic-auth-header",
            Kind::BearerHeader => "bearer-token-header",
            Kind::Netrc => "netrc-password",
            Kind::Pgpass => "pgpass-password",
            Kind::Htpasswd => "htpasswd-password",
        }
    }
}

/// What a keyword hit of the generic detector stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// The last word of a name, reported as this kind (`Key` as the kind
    /// its qualifier says).
    Name(NameWord),
    /// The last word of a name that a blank and its value may follow,
    /// where the line says so before the name (`--db-password VALUE`); or
    /// an operator, as after any name (`api-key = VALUE`).
    Spaced(NameWord),
    /// A Dockerfile's `ENV NAME VALUE` at the start of a line.
    DockerEnv,
    /// A `.netrc` entry's `machine` at the start of a line: its
    /// `password` follows.
    NetrcMachine,
    Url,
    OracleThin,
    Mysql,
    Bearer,
    Basic,
}

/// The last word of a name that says secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameWord {
    Password,
    Secret,
    Token,
    /// `key`: only after a qualifier (`api`, `secret`, `private`, …).
    Key,
    Credential,
}

/// The generic detector of an engine: which rule reports each kind.
#[derive(Debug)]
pub(crate) struct GenericDetector {
    rule_of: [Option<usize>; Kind::ALL.len()],
    /// The name anchors of [`GenericDetector::anchors`] (keyword, context,
    /// word): a name found another way (`ENV NAME VALUE`) is read as the
    /// keyword pass would read it.
    names: Vec<(Box<[u8]>, KeywordContext, NameWord)>,
}

/// Bytes that may follow a name in an assignment, after blanks: a name
/// followed by a blank and a word is prose (`the token is`), or a form
/// that says so before the name (a `--flag`, `ENV`, `.netrc`), which has an
/// anchor of its own.
const AFTER_NAME: &[u8] = b"=:\"'`>(";
/// The same, and a line end (`name: DB_PASSWORD` / `value: …`).
const AFTER_NAME_OR_EOL: &[u8] = b"=:\"'`>(\n\r";
/// [`AFTER_NAME_OR_EOL`] as a table.
const AFTER_NAME_TABLE: [bool; 256] = byte_table(AFTER_NAME_OR_EOL);
/// What may follow `-key`, blanks included: `api-key = v` and
/// `--api-key v` alike.
const AFTER_NAME_OR_BLANK: &[u8] = b"=:\"'` \t>(\n\r";

/// The set of `bytes` as a table.
pub(super) const fn byte_table(bytes: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
}

impl GenericDetector {
    /// The detector for the rules of `rules` that name it; `None` when
    /// there are none. A rule with `detector = "generic"` must have the id
    /// of a [`Kind`].
    pub(crate) fn new(rules: &[Rule]) -> Result<Option<GenericDetector>, RuleError> {
        let mut rule_of = [None; Kind::ALL.len()];
        let mut any = false;
        for (r, rule) in rules.iter().enumerate() {
            if rule.detector != Some(Detector::Generic) {
                continue;
            }
            let Some(k) = Kind::ALL.iter().position(|k| k.rule_id() == rule.id) else {
                let ids: Vec<&str> = Kind::ALL.iter().map(|k| k.rule_id()).collect();
                let message = format!("the generic detector has no rule `{}` (it has {})", rule.id, ids.join(", "));
                return Err(rule_error(rule, message));
            };
            rule_of[k] = Some(r);
            any = true;
        }
        if !any {
            return Ok(None);
        }
        let mut detector = GenericDetector { rule_of, names: Vec::new() };
        detector.names = detector
            .anchors()
            .into_iter()
            .filter_map(|(kw, context, anchor)| match anchor {
                Anchor::Name(word) | Anchor::Spaced(word) => Some((kw.into_bytes().into_boxed_slice(), context, word)),
                _ => None,
            })
            .collect();
        Ok(Some(detector))
    }

    fn rule(&self, kind: Kind) -> Option<usize> {
        self.rule_of[kind as usize]
    }

    fn any(&self, kinds: &[Kind]) -> bool {
        kinds.iter().any(|&k| self.rule(k).is_some())
    }

    /// The keywords to add to the keyword pass, with what must hold around
    /// them, for the kinds whose rules are enabled.
    pub(crate) fn anchors(&self) -> Vec<(String, KeywordContext, Anchor)> {
        let fold = |before: Option<ByteClass>, after: &[u8]| {
            KeywordContext { fold_case: true, before, ..KeywordContext::default() }
                .with_after([class_of(after.iter().copied())])
        };
        let exact = |before: Option<ByteClass>, after: &[u8]| {
            KeywordContext { before, ..KeywordContext::default() }.with_after([class_of(after.iter().copied())])
        };
        // A name's last word: blanks may come before what follows it.
        let name_context = |after: &[u8]| {
            KeywordContext { after_blanks: true, ..KeywordContext::default() }
                .with_after([class_of(after.iter().copied())])
        };
        let fold_name = |after: &[u8]| KeywordContext { fold_case: true, ..name_context(after) };
        let exact_name =
            |before: ByteClass, after: &[u8]| KeywordContext { before: Some(before), ..name_context(after) };
        let name_kinds = [Kind::Password, Kind::Secret, Kind::ApiKey, Kind::Token, Kind::Credential, Kind::Netrc];
        let mut out = Vec::new();
        if self.any(&name_kinds) {
            let name = |w| Anchor::Name(w);
            let lower_or_digit = class_of(*b"abcdefghijklmnopqrstuvwxyz0123456789");
            let names = [
                ("password", fold_name(AFTER_NAME_OR_EOL), name(NameWord::Password)),
                ("passwd", fold_name(AFTER_NAME_OR_EOL), name(NameWord::Password)),
                ("pwd", fold_name(AFTER_NAME_OR_EOL), name(NameWord::Password)),
                ("passphrase", fold_name(AFTER_NAME_OR_EOL), name(NameWord::Password)),
                ("_pass", fold_name(AFTER_NAME_OR_EOL), name(NameWord::Password)),
                ("Pass", exact_name(lower_or_digit, AFTER_NAME_OR_EOL), name(NameWord::Password)),
                ("secret", fold_name(AFTER_NAME_OR_EOL), name(NameWord::Secret)),
                ("token", fold_name(AFTER_NAME_OR_EOL), name(NameWord::Token)),
                // `key` ends a name after a separator (`API_KEY`, `api-key`,
                // `api.key`), a camel hump (`apiKey`: case kept) or as
                // `apikey`; the word `key` alone is too common to look at.
                ("_key", fold_name(AFTER_NAME_OR_EOL), name(NameWord::Key)),
                ("-key", fold(None, AFTER_NAME_OR_BLANK), Anchor::Spaced(NameWord::Key)),
                (".key", fold_name(AFTER_NAME), name(NameWord::Key)),
                ("apikey", fold_name(AFTER_NAME_OR_EOL), name(NameWord::Key)),
                ("Key", exact_name(lower_or_digit, AFTER_NAME_OR_EOL), name(NameWord::Key)),
                ("auth", fold_name(AFTER_NAME), name(NameWord::Credential)),
                ("credentials", fold_name(AFTER_NAME), name(NameWord::Credential)),
            ];
            for (kw, context, anchor) in names {
                if !context.fold_case {
                    out.push((kw.to_string(), context, anchor));
                    continue;
                }
                // Each case a name is written in, as its own exact keyword:
                // the keyword pass's filter lets through fewer positions
                // for exact bytes than for letters in either case.
                let exact = KeywordContext { fold_case: false, ..context };
                let capital = kw.find(|c: char| c.is_ascii_alphabetic()).map(|i| {
                    let mut k = kw.to_string();
                    k[i..=i].make_ascii_uppercase();
                    k
                });
                let mut variants = vec![kw.to_string(), kw.to_ascii_uppercase()];
                variants.extend(capital);
                variants.dedup();
                out.extend(variants.into_iter().map(|k| (k, exact, anchor)));
            }
            // Where a blank, not an operator, comes between a name and its
            // value, the line says so before the name: a `--flag`, `ENV`.
            let blank = KeywordContext::default().with_after([class_of(*b" \t")]);
            for (kw, word) in [
                ("-password", NameWord::Password),
                ("-passwd", NameWord::Password),
                ("-pass", NameWord::Password),
                ("-secret", NameWord::Secret),
                ("-token", NameWord::Token),
                ("-pwd", NameWord::Password),
            ] {
                out.push((kw.into(), blank, Anchor::Spaced(word)));
            }
            let line_start = KeywordContext { before: Some(class_of(*b"\n")), ..KeywordContext::default() };
            out.push(("ENV ".into(), line_start, Anchor::DockerEnv));
        }
        if self.any(&[Kind::Netrc]) {
            let blank_before = KeywordContext { before: Some(class_of(*b"\n \t")), ..KeywordContext::default() };
            out.push(("machine ".into(), blank_before, Anchor::NetrcMachine));
        }
        let not_ident = Some(super::keywords::NOT_WORD);
        if self.any(&[Kind::UrlCredentials]) {
            // `://` after a scheme's last byte, before a userinfo byte.
            let scheme = class_of(*b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-");
            let userinfo = class_of(*b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~%!$&*+,;=:-");
            out.push(("://".into(), exact(Some(scheme), &[]).with_after([userinfo]), Anchor::Url));
            out.push(("oracle:thin:".into(), KeywordContext::default(), Anchor::OracleThin));
        }
        if self.any(&[Kind::Password]) {
            // The same keyword as the MySQL URI rule's: no new keyword for
            // the pass to look for.
            out.push(("mysql".into(), exact(not_ident, b" da"), Anchor::Mysql));
        }
        if self.any(&[Kind::BearerHeader]) {
            out.push(("bearer".into(), fold(not_ident, b" "), Anchor::Bearer));
        }
        if self.any(&[Kind::BasicAuthHeader]) {
            out.push(("basic".into(), fold(not_ident, b" "), Anchor::Basic));
        }
        out
    }

    /// Looks for a credential at a hit of `anchor` spanning `start..end`.
    /// `widened`: the keyword pass looked for the anchor's keyword with a
    /// wider context than [`GenericDetector::anchors`] gave it (another
    /// rule declares the same keyword), so the hit may not hold it.
    pub(crate) fn at_hit(
        &self,
        hay: &[u8],
        anchor: Anchor,
        widened: bool,
        start: usize,
        end: usize,
        out: &mut Vec<Match>,
    ) {
        match anchor {
            Anchor::Name(word) => {
                if widened {
                    let next = hay[end..].iter().position(|&b| b != b' ' && b != b'\t').map(|i| hay[end + i]);
                    if !next.is_none_or(|b| AFTER_NAME_TABLE[usize::from(b)]) {
                        return;
                    }
                }
                self.at_name(hay, word, start, end, out);
            }
            Anchor::Spaced(word) => self.at_name(hay, word, start, end, out),
            Anchor::DockerEnv => self.docker_env(hay, end, out),
            Anchor::NetrcMachine => self.netrc_entry(hay, start, end, out),
            Anchor::Url => {
                if let Some(u) = url::at_separator(hay, start, end) {
                    self.url_password(hay, u, out);
                }
            }
            Anchor::OracleThin => {
                if let Some(u) = url::oracle_userinfo(hay, end) {
                    self.url_password(hay, u, out);
                }
            }
            Anchor::Mysql => self.mysql(hay, end, out),
            // The keyword's context says a space follows it.
            Anchor::Bearer => self.bearer(hay, end + 1, out),
            Anchor::Basic => self.basic(hay, end + 1, out),
        }
    }

    fn push(&self, kind: Kind, span: Range<usize>, confidence: Confidence, out: &mut Vec<Match>) {
        // Every grade is reported: `--min-confidence` is applied where
        // findings are suppressed, so those below it are still counted.
        if let Some(rule) = self.rule(kind) {
            out.push(Match { start: span.start, end: span.end, rule, decoded: None, confidence: Some(confidence) });
        }
    }

    /// A name that says secret ends at `end`: its assigned value, if any.
    fn at_name(&self, hay: &[u8], word: NameWord, start: usize, end: usize, out: &mut Vec<Match>) {
        let Some(a) = assign::assignment(hay, start, end) else { return };
        let v = &hay[a.value.clone()];
        if v.len() < score::MIN_LEN_RELAXED || v.len() > score::MAX_LEN {
            return;
        }
        if matches!(v[0], b'$' | b'{' | b'<' | b'%' | b'[' | b'!' | b'&' | b'*' | b'|' | b'>' | b'#' | b'(') {
            return;
        }
        // Bare, `+` and `/` at an end are code (`a + b`, a path); in quotes
        // they are as likely base64 (`'+Kbb08Zq…'`), which the scorer
        // tells from a path.
        if !a.quoted && (matches!(v[0], b'+' | b'/') || v[v.len() - 1] == b'+') {
            return;
        }
        if !a.quoted && (is_identifier_chain(v) || is_snake_identifier(v) || has_inner_equals(v)) {
            return;
        }
        // A value the scorer just rejected (the same placeholder in file
        // after file) is rejected again whatever its name says.
        let relaxed = a.form == Form::Netrc;
        let remembered = score::remembered(v, relaxed);
        if matches!(remembered, Some(Err(_))) {
            return;
        }
        let name_start = assign::name_start(hay, start);
        if is_declared(hay, name_start) {
            return;
        }
        let Some((kind, stand_in)) = classify(hay, word, name_start, end) else { return };
        let kind = if relaxed { Kind::Netrc } else { kind };
        if self.rule(kind).is_none() {
            return;
        }
        // Tokens and API keys a service generates are long; shorter values
        // under those names are ids and public badge tokens.
        if matches!(kind, Kind::Token | Kind::ApiKey) && v.len() < 12 {
            return;
        }
        let verdict = remembered.unwrap_or_else(|| score::score(v, line_around(hay, a.value.clone()), relaxed));
        let Ok(mut confidence) = verdict else { return };
        // `auth` and `credentials` name modes, schemes and objects as often
        // as secrets: medium only for `user:password` in base64 (Docker's and
        // npm's `auth`).
        if stand_in || (kind == Kind::Credential && !score::is_user_password(v)) {
            confidence = Confidence::Low;
        }
        self.push(kind, a.value, confidence, out);
    }

    /// `ENV NAME VALUE` in a Dockerfile, the name's last word saying secret.
    fn docker_env(&self, hay: &[u8], from: usize, out: &mut Vec<Match>) {
        let stop = (from + 64).min(hay.len());
        let len = hay[from..stop].iter().position(|&b| !super::keywords::is_word(b)).unwrap_or(stop - from);
        let name_end = from + len;
        // `ENV NAME=VALUE` is the name's own hit.
        if len == 0 || !hay.get(name_end).is_some_and(|&b| b == b' ' || b == b'\t') {
            return;
        }
        if let Some((word, start)) = self.name_ending(hay, from, name_end) {
            self.at_name(hay, word, start, name_end, out);
        }
    }

    /// The name anchor the name `hay[from..end]` ends with, as the keyword
    /// pass would report it there (its spelling and the byte before it),
    /// and where the anchor starts.
    fn name_ending(&self, hay: &[u8], from: usize, end: usize) -> Option<(NameWord, usize)> {
        self.names.iter().find_map(|(kw, context, word)| {
            let start = end.checked_sub(kw.len()).filter(|&s| s >= from)?;
            let there = &hay[start..end];
            let spelled = if context.fold_case { there.eq_ignore_ascii_case(kw) } else { there == &kw[..] };
            let before = start == 0 || context.before.is_none_or(|c| class_has(&c, hay[start - 1]));
            (spelled && before).then_some((*word, start))
        })
    }

    /// A `.netrc` entry starting at `machine` (`start..end`, the keyword
    /// and its blank): its `password`, on the same line or the next few.
    fn netrc_entry(&self, hay: &[u8], start: usize, end: usize, out: &mut Vec<Match>) {
        // Only blanks between the line's start and `machine`: read back
        // over blanks, not to the line's start (a long line has many).
        let before = hay[..start].iter().rposition(|&b| b != b' ' && b != b'\t');
        if before.is_some_and(|i| hay[i] != b'\n') {
            return;
        }
        let stop = (end + 256).min(hay.len());
        let entry = &hay[end..stop];
        let entry = &entry[..memchr::memmem::find(entry, b"machine ").unwrap_or(entry.len())];
        for at in memchr::memmem::find_iter(entry, b"password") {
            let (p, q) = (end + at, end + at + b"password".len());
            let blank_before = p > 0 && matches!(hay[p - 1], b' ' | b'\t' | b'\n');
            if blank_before && hay.get(q).is_some_and(|&b| b == b' ' || b == b'\t') {
                self.at_name(hay, NameWord::Password, p, q, out);
                return;
            }
        }
    }

    fn url_password(&self, hay: &[u8], u: url::UrlPassword, out: &mut Vec<Match>) {
        let raw = &hay[u.password.clone()];
        if raw.len() < score::MIN_LEN_RELAXED || url::is_example_host(&hay[u.host.clone()]) {
            return;
        }
        let mut buf = [0u8; score::MAX_LEN];
        let password = url::percent_decoded(raw, &mut buf);
        if let Ok(c) = score::score(password, line_around(hay, u.password.clone()), false) {
            self.push(Kind::UrlCredentials, u.password, c, out);
        }
    }

    /// `mysql … -pSECRET` or `-p SECRET` on the command's line (`mysql`,
    /// `mysqldump`, `mysqladmin`).
    fn mysql(&self, hay: &[u8], from: usize, out: &mut Vec<Match>) {
        let rest = &hay[from..];
        let from = match () {
            _ if rest.starts_with(b" -") => from + 2,
            _ if rest.starts_with(b"dump -") || rest.starts_with(b"admin -") => {
                from + rest.iter().position(|&b| b == b'-').unwrap_or(0) + 1
            }
            _ => return,
        };
        let stop = (from + 512).min(hay.len());
        let line_end = memchr::memchr(b'\n', &hay[from..stop]).map_or(stop, |i| from + i);
        let line = &hay[..line_end];
        let mut i = from.saturating_sub(2);
        while let Some(at) = memchr::memmem::find(&line[i..], b" -p").map(|n| i + n) {
            let v = at + 3;
            i = v;
            let v = if line.get(v) == Some(&b' ') { v + 1 } else { v };
            let len = line[v..]
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b"\"'`;|&".contains(&b))
                .unwrap_or(line.len() - v);
            let value = &line[v..v + len];
            if value.is_empty() || value[0] == b'-' {
                continue;
            }
            if let Ok(c) = score::score(value, line, false) {
                self.push(Kind::Password, v..v + len, c, out);
            }
            return;
        }
    }

    /// `Bearer TOKEN`.
    fn bearer(&self, hay: &[u8], from: usize, out: &mut Vec<Match>) {
        let token = header_value(hay, from, |b| b.is_ascii_alphanumeric() || b"._~+/=-".contains(&b));
        if !(score::MIN_LEN..=score::MAX_LEN).contains(&token.len())
            || hay.get(token.end).is_some_and(|b| b"$%{<".contains(b))
        {
            return;
        }
        if let Ok(c) = score::score(&hay[token.clone()], line_around(hay, token.clone()), false) {
            self.push(Kind::BearerHeader, token, c, out);
        }
    }

    /// `Basic BASE64(user:password)`.
    fn basic(&self, hay: &[u8], from: usize, out: &mut Vec<Match>) {
        let value = header_value(hay, from, |b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
        if !(12..=score::MAX_LEN).contains(&value.len()) || hay.get(value.end).is_some_and(u8::is_ascii_alphanumeric) {
            return;
        }
        if !score::is_user_password(&hay[value.clone()]) {
            return;
        }
        if let Ok(c) = score::score(&hay[value.clone()], line_around(hay, value.clone()), false) {
            self.push(Kind::BasicAuthHeader, value, c, out);
        }
    }

    /// Whether the name of the file holding `hay` could change what is
    /// found in it: callers that find names at a cost (git history) give
    /// one only then.
    pub(crate) fn name_matters(&self, hay: &[u8]) -> bool {
        self.any(&[Kind::Pgpass, Kind::Htpasswd]) && files::could_be_one(hay)
    }

    /// The credentials file a path names, if it is one whose rule is
    /// enabled (for [`GenericDetector::scan_file`]).
    pub(crate) fn file_kind(&self, path: &[u8]) -> Option<CredentialsFile> {
        let file = files::kind_of(path)?;
        self.rule(Self::file_rule(file)).is_some().then_some(file)
    }

    fn file_rule(file: CredentialsFile) -> Kind {
        match file {
            CredentialsFile::Pgpass => Kind::Pgpass,
            CredentialsFile::Htpasswd => Kind::Htpasswd,
        }
    }

    /// What a file's name alone says ([`GenericDetector::file_kind`]):
    /// the passwords of a `.pgpass` or a plaintext `.htpasswd`.
    pub(crate) fn scan_file(&self, hay: &[u8], file: CredentialsFile, out: &mut Vec<Match>) {
        let kind = Self::file_rule(file);
        files::passwords(hay, file, |r| {
            if let Ok(c) = score::score(&hay[r.clone()], b"", true) {
                self.push(kind, r, c, out);
            }
        });
    }
}

/// The run of bytes `fits` from `from` (an `Authorization` header's
/// value), at most one past [`score::MAX_LEN`] long.
fn header_value(hay: &[u8], from: usize, fits: impl Fn(u8) -> bool) -> Range<usize> {
    let from = from.min(hay.len());
    let stop = (from + score::MAX_LEN + 1).min(hay.len());
    from..hay[from..stop].iter().position(|&b| !fits(b)).map_or(stop, |n| from + n)
}

/// The line holding `span`, at most 200 bytes each side.
fn line_around(hay: &[u8], span: Range<usize>) -> &[u8] {
    let lo = span.start.saturating_sub(200);
    let hi = (span.end + 200).min(hay.len());
    let s = memchr::memrchr(b'\n', &hay[lo..span.start]).map_or(lo, |i| lo + i + 1);
    let e = memchr::memchr(b'\n', &hay[span.end..hi]).map_or(hi, |i| span.end + i);
    &hay[s..e]
}

/// `e.HEX=e.URL`: a bare value with `=` inside (not base64's padding) and
/// a `.` is a chain of assignments.
fn has_inner_equals(v: &[u8]) -> bool {
    v.contains(&b'.') && v.iter().rposition(|&b| b != b'=').is_some_and(|last| v[..last].contains(&b'='))
}

/// `a.b.c`: identifiers joined by dots — code, not a bare value.
fn is_identifier_chain(v: &[u8]) -> bool {
    if memchr::memchr(b'.', v).is_none() {
        return false;
    }
    // Code names its objects in lower case (`self.`, `config.`, `os.`) or
    // spells types (`ESTree.Node`); `YATN.LQN8.R7lwfeA` is a password.
    let letters = || v.iter().all(|&b| b.is_ascii_alphabetic() || b == b'.' || b == b'_');
    if !(v[0].is_ascii_lowercase() || v[0] == b'_' || letters()) {
        return false;
    }
    let mut dots = 0;
    let mut at_start = true;
    for &b in v {
        if b == b'.' {
            if at_start {
                return false;
            }
            dots += 1;
            at_start = true;
        } else if at_start {
            if !(b.is_ascii_alphabetic() || b == b'_') {
                return false;
            }
            at_start = false;
        } else if !(b.is_ascii_alphanumeric() || b == b'_') {
            return false;
        }
    }
    dots > 0 && !at_start
}

/// `keyid_to_free`, `STRBUF_INIT`, `__X32_SYSCALL_BIT`: a variable or
/// constant in one case with `_` between its parts — code, not a bare value
/// (a random value mixes cases).
fn is_snake_identifier(v: &[u8]) -> bool {
    let body = &v[v.iter().position(|&b| b != b'_').unwrap_or(v.len())..];
    let lower = body.iter().all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let upper = body.iter().all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    (lower || upper)
        && body.first().is_some_and(u8::is_ascii_alphabetic)
        && body.contains(&b'_')
        && body.split(|&b| b == b'_').all(|p| p.len() >= 2)
}

/// Whether a name starting at `s` is declared rather than assigned
/// (`trait Secret:`, `struct Token {`, `class Password(`): what follows
/// is a type.
fn is_declared(hay: &[u8], s: usize) -> bool {
    const DECLARATIONS: &[&[u8]] =
        &[b"trait ", b"struct ", b"class ", b"enum ", b"type ", b"interface ", b"fn ", b"def ", b"func ", b"impl "];
    // Each ends in a space.
    s > 0 && hay[s - 1] == b' ' && DECLARATIONS.iter().any(|d| s >= d.len() && &hay[s - d.len()..s] == *d)
}

/// Words of a name, last first: split at `_`, `-`, `.` and camel-case
/// humps (`dbPassword` is `password`, `db`).
fn name_words(name: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut end = name.len();
    std::iter::from_fn(move || {
        while end > 0 && !name[end - 1].is_ascii_alphanumeric() {
            end -= 1;
        }
        if end == 0 {
            return None;
        }
        let mut s = end - 1;
        while s > 0 && name[s - 1].is_ascii_alphanumeric() {
            // A hump: lower or digit, then upper (`dbPassword`), or the
            // last capital of a run before a lower (`HTTPAuth`).
            let (a, b) = (name[s - 1], name[s]);
            if (a.is_ascii_lowercase() || a.is_ascii_digit()) && b.is_ascii_uppercase() {
                break;
            }
            if a.is_ascii_uppercase() && b.is_ascii_uppercase() && name.get(s + 1).is_some_and(u8::is_ascii_lowercase) {
                break;
            }
            s -= 1;
        }
        let w = &name[s..end];
        end = s;
        Some(w)
    })
}

/// The word lists a word of a name is in, one bit each ([`WordLists`]).
type Lists = u8;
const API_KEY_QUALIFIER: Lists = 1;
const SECRET_KEY_QUALIFIER: Lists = 2;
const NOT_CREDENTIAL_TOKEN: Lists = 4;
const PROSE_QUALIFIER: Lists = 8;
const NOT_SECRET_NAME: Lists = 16;
const STAND_IN_NAME: Lists = 32;

/// Every list's words (lower case, ASCII letters), by length and first
/// letter: a name's word is looked up once for all lists, among the few
/// words of its length and first letter, not compared with each list.
struct WordLists {
    /// `(length - 1) * 26 + letter` → where its words are in `words`.
    buckets: Vec<(u16, u16)>,
    /// The words and the lists they are in, bucket after bucket.
    words: Vec<(&'static [u8], Lists)>,
}

impl WordLists {
    /// The longest word in a list.
    const LONGEST: usize = 16;

    fn get() -> &'static WordLists {
        static LISTS: std::sync::OnceLock<WordLists> = std::sync::OnceLock::new();
        LISTS.get_or_init(|| {
            let mut by_bucket: Vec<Vec<(&'static [u8], Lists)>> = vec![Vec::new(); WordLists::LONGEST * 26];
            for (list, bit) in [
                (API_KEY_QUALIFIERS, API_KEY_QUALIFIER),
                (SECRET_KEY_QUALIFIERS, SECRET_KEY_QUALIFIER),
                (NOT_CREDENTIAL_TOKENS, NOT_CREDENTIAL_TOKEN),
                (PROSE_QUALIFIERS, PROSE_QUALIFIER),
                (NOT_SECRET_NAMES, NOT_SECRET_NAME),
                (STAND_IN_NAMES, STAND_IN_NAME),
            ] {
                for w in list.iter().map(|w| w.as_bytes()) {
                    let bucket = &mut by_bucket[WordLists::bucket(w).expect("list words are short and lower case")];
                    match bucket.iter_mut().find(|(x, _)| *x == w) {
                        Some((_, bits)) => *bits |= bit,
                        None => bucket.push((w, bit)),
                    }
                }
            }
            let mut lists = WordLists { buckets: Vec::new(), words: Vec::new() };
            for bucket in by_bucket {
                let at = |n: usize| u16::try_from(n).expect("a few hundred words");
                lists.buckets.push((at(lists.words.len()), at(lists.words.len() + bucket.len())));
                lists.words.extend(bucket);
            }
            lists
        })
    }

    fn bucket(word: &[u8]) -> Option<usize> {
        let letter = word.first()?.to_ascii_lowercase().wrapping_sub(b'a');
        (word.len() <= WordLists::LONGEST && letter < 26).then(|| (word.len() - 1) * 26 + usize::from(letter))
    }

    /// The lists `word` is in, in any case.
    fn of(&self, word: &[u8]) -> Lists {
        let Some(b) = WordLists::bucket(word) else { return 0 };
        let (from, to) = self.buckets[b];
        let words = &self.words[usize::from(from)..usize::from(to)];
        words.iter().find(|(w, _)| word.eq_ignore_ascii_case(w)).map_or(0, |&(_, bits)| bits)
    }
}

/// Qualifiers that make `key` an API key.
const API_KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "app",
    "client",
    "auth",
    "consumer",
    "license",
    "licence",
    "subscription",
    "account",
    "storage",
    "admin",
    "service",
    "webhook",
    "ingest",
    "apikey",
];
/// Qualifiers that make `key` a secret.
const SECRET_KEY_QUALIFIERS: &[&str] = &[
    "secret",
    "private",
    "signing",
    "sign",
    "encryption",
    "encrypt",
    "crypt",
    "master",
    "hmac",
    "jwt",
    "aes",
    "shared",
];
/// Words before `token` that name something other than a credential.
const NOT_CREDENTIAL_TOKENS: &[&str] = &[
    "next",
    "page",
    "pagination",
    "continuation",
    "cancel",
    "cancellation",
    "csrf",
    "xsrf",
    "sync",
    "start",
    "end",
    "eos",
    "bos",
    "pad",
    "unk",
    "mask",
    "sep",
    "cls",
    "lexer",
    "parse",
    "parser",
    "stop",
    "special",
    "delimiter",
    "max",
    "num",
    "last",
    "first",
    "prev",
    "previous",
    "cur",
    "current",
    "resume",
    "split",
    "word",
    "input",
    "output",
    "type",
    "kind",
    "sentence",
    "bracket",
    "close",
    "open",
    "eof",
    "newline",
    "comment",
    "string",
    "ident",
    "identifier",
    "client",
    "idempotency",
    "request",
];
/// Words before `token` and a space in prose that say it is no
/// credential (`Next page token: …`).
const PROSE_QUALIFIERS: &[&str] =
    &["next", "page", "continuation", "pagination", "cancellation", "csrf", "xsrf", "sync"];
/// Words anywhere in a name that say the value is not a secret in clear,
/// or is about one rather than one (`TOKEN_HEADER`, `API_KEY_NAME`,
/// `PASSWORD_FILE`, `SECRET_ENV`).
const NOT_SECRET_NAMES: &[&str] = &[
    "hash",
    "hashed",
    "digest",
    "encrypted",
    "public",
    "publishable",
    "salt",
    "header",
    "name",
    "field",
    "param",
    "env",
    "var",
    "path",
    "file",
    "url",
    "uri",
    "prefix",
    "label",
    "type",
    "length",
    "len",
    "size",
    "min",
    "max",
    "regex",
    "pattern",
    "format",
    "placeholder",
];
/// Words anywhere in a name that say the value is a stand-in.
const STAND_IN_NAMES: &[&str] =
    &["example", "sample", "dummy", "fake", "mock", "test", "placeholder", "default", "demo"];

/// The kind of secret the name `name_start..end` holds (its last word
/// `word`), and whether the name says it is a stand-in; `None` when it
/// holds none.
fn classify(hay: &[u8], word: NameWord, name_start: usize, end: usize) -> Option<(Kind, bool)> {
    let name = &hay[name_start..end];
    let lists = WordLists::get();
    let mut words = name_words(name);
    let last = words.next()?;
    let mut stand_in = false;
    let mut read = |w: &[u8]| {
        let bits = lists.of(w);
        stand_in |= bits & STAND_IN_NAME != 0;
        (bits & NOT_SECRET_NAME == 0).then_some(bits)
    };
    read(last)?;
    // The word before the last, with its lists; for a one-word name after
    // a word and a space (`Next page token:` in prose), that word when it
    // qualifies it.
    let before = match words.next() {
        Some(w) => Some((w, read(w)?)),
        None => name_start.checked_sub(1).filter(|&i| hay[i] == b' ').and_then(|gap| {
            let w = &hay[assign::name_start(hay, gap)..gap];
            let bits = lists.of(w);
            (bits & PROSE_QUALIFIER != 0).then_some((w, bits))
        }),
    };
    for w in words {
        read(w)?;
    }
    let kind = match word {
        NameWord::Password => Kind::Password,
        NameWord::Secret => Kind::Secret,
        NameWord::Credential => Kind::Credential,
        NameWord::Token => {
            if before.is_some_and(|(_, bits)| bits & NOT_CREDENTIAL_TOKEN != 0) {
                return None;
            }
            Kind::Token
        }
        NameWord::Key => {
            // `apikey`/`APIKEY` is one word; otherwise the word before
            // `key` qualifies it.
            let qualifier = if last.len() > 3 { lists.of(&last[..last.len() - 3]) } else { before?.1 };
            if qualifier & API_KEY_QUALIFIER != 0 {
                Kind::ApiKey
            } else if qualifier & SECRET_KEY_QUALIFIER != 0 {
                Kind::Secret
            } else {
                return None;
            }
        }
    };
    Some((kind, stand_in))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_lower_case() {
        for list in [
            API_KEY_QUALIFIERS,
            SECRET_KEY_QUALIFIERS,
            NOT_CREDENTIAL_TOKENS,
            PROSE_QUALIFIERS,
            NOT_SECRET_NAMES,
            STAND_IN_NAMES,
        ] {
            assert!(list.iter().all(|w| !w.is_empty() && w.bytes().all(|b| !b.is_ascii_uppercase())), "{list:?}");
        }
        let lists = WordLists::get();
        assert!(lists.of(b"SECRET") & SECRET_KEY_QUALIFIER != 0 && lists.of(b"Jwt") & SECRET_KEY_QUALIFIER != 0);
        assert!(lists.of(b"") == 0 && lists.of(b"secrets") == 0 && lists.of(b"x-secret") == 0);
        assert_eq!(lists.of(b"Client"), API_KEY_QUALIFIER | NOT_CREDENTIAL_TOKEN);
        assert_eq!(lists.of(b"PLACEHOLDER"), NOT_SECRET_NAME | STAND_IN_NAME);
    }

    #[test]
    fn names_split_into_words_last_first() {
        let split =
            |n: &str| name_words(n.as_bytes()).map(|w| String::from_utf8_lossy(w).into_owned()).collect::<Vec<_>>();
        assert_eq!(split("DB_PASSWORD"), ["PASSWORD", "DB"]);
        assert_eq!(split("dbPassword"), ["Password", "db"]);
        assert_eq!(split("spring.datasource.password"), ["password", "datasource", "spring"]);
        assert_eq!(split("HTTPAuth"), ["Auth", "HTTP"]);
        assert_eq!(split("--api-key"), ["key", "api"]);
    }

    #[test]
    fn names_classify_by_their_words() {
        let kind = |text: &str, kw: &str, word| {
            let s = text.rfind(kw).unwrap();
            classify(text.as_bytes(), word, assign::name_start(text.as_bytes(), s), s + kw.len())
        };
        assert_eq!(kind("API_KEY", "KEY", NameWord::Key), Some((Kind::ApiKey, false)));
        assert_eq!(kind("apiKey", "Key", NameWord::Key), Some((Kind::ApiKey, false)));
        assert_eq!(kind("APIKEY", "KEY", NameWord::Key), Some((Kind::ApiKey, false)));
        assert_eq!(kind("secretKey", "Key", NameWord::Key), Some((Kind::Secret, false)));
        assert_eq!(kind("cache_key", "key", NameWord::Key), None);
        assert_eq!(kind("monkey", "key", NameWord::Key), None);
        assert_eq!(kind("public_key", "key", NameWord::Key), None);
        assert_eq!(kind("next_page_token", "token", NameWord::Token), None);
        assert_eq!(kind("GITHUB_TOKEN", "TOKEN", NameWord::Token), Some((Kind::Token, false)));
        assert_eq!(kind("EXAMPLE_PASSWORD", "PASSWORD", NameWord::Password), Some((Kind::Password, true)));
        assert_eq!(kind("hashed_password", "password", NameWord::Password), None);
    }
}

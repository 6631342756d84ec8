//! The value scorer: given a value found where a secret would be (assigned
//! to a name that says secret, the password of a URL, a line of a
//! credentials file), tells whether it is one, and how sure that is.
//!
//! Checks run cheapest first and the first that fails rejects the value:
//!
//! 1. **Shape**: 8 to 256 bytes (6 in a credentials file, where the place
//!    says password), printable ASCII without spaces.
//! 2. **References**: `${VAR}`, `{{ … }}`, `%(var)s`, `#{…}`, `<%= … %>`,
//!    `$VAR`, `%VAR%`, and values that name where the secret is kept
//!    (`env:`, `vault:`, `secrets.`, `op://`, `arn:`, `ENC(…)`,
//!    `process.env`, `os.environ`, …).
//! 3. **Placeholders**: `<password>`, `[TOKEN]`, `{token}`, and values that
//!    hold a stand-in word (`changeme`, `example`, `your…`, `xxx`,
//!    `password`, `secret`, `dummy`, …) in any case, words of five letters
//!    or more also read through leetspeak (`p@ssw0rd` is `password`),
//!    shorter ones (`test`, `key`, `dev`) only standing alone (`my-key-1`,
//!    not inside `eNk3yPf`); runs of 6 identical or consecutive characters
//!    (`aaaaaa`, `123456`); documented examples.
//! 4. **Not secrets**: password hashes (`$2b$…` bcrypt, `$argon2id$`,
//!    `{SSHA}`, `pbkdf2_sha256$…`), hex digests when the line says digest,
//!    checksum, hash, sha, md5, integrity or fingerprint; numbers, dates,
//!    versions and addresses (no letters), `0x…` and short hex; AWS unique
//!    ids; URLs, host names, e-mail addresses and file paths; code (calls,
//!    `=>`, `->`, `::`, comments, backslash escapes, regular expressions,
//!    camel-case identifiers).
//! 5. **Encoded text**: a base64 value that decodes to printable text is
//!    scored as that text (a Kubernetes secret's `cGFzc3dvcmQ=` is
//!    `password`; `user:pass` is scored by its password).
//! 6. **Randomness**. Entropy alone says little about 8 to 16 characters,
//!    so three measures are combined:
//!    - *information*: Shannon entropy at least 0.7 × log2(min(n, 16))
//!      bits per character (`abcabcabc` fails);
//!    - *compressibility to words*: the value is cut into the fewest pieces
//!      of a word model ([`super::words`]: known words, single letters,
//!      digit runs, symbols). Its *piece length*, n / pieces, is about 1 to
//!      1.8 for random text and 3 or more for words, identifiers and
//!      paths;
//!    - *character classes* (lower, upper, digit, symbol).
//!
//!    | piece length | classes | grade |
//!    | --- | --- | --- |
//!    | ≤ 2.2 | ≥ 2, or n ≥ 12 | medium |
//!    | ≤ 2.2 | 1, n < 12 | low |
//!    | 2.2 – 3.0 | any | low |
//!    | > 3.0 | any | rejected (words) |
//!
//!    A UUID is graded low (more often an id than a secret). In a
//!    credentials file (`relaxed`) the place already says password: piece
//!    length ≤ 3.0 is medium and words are low, not rejected.
//!
//! Must not allocate per value: it runs on every candidate value that
//! passed the syntax checks, and works on stack buffers (and each thread's
//! memory of recent verdicts, allocated once).

use crate::rules::{looks_fake, shannon_entropy, Confidence};

use super::words;

/// The shortest value scored; shorter ones are rejected (see
/// [`crate::rules::DETECTOR_MIN_LEN`]).
pub(super) const MIN_LEN: usize = crate::rules::DETECTOR_MIN_LEN;
/// The shortest value in a credentials file (`.pgpass`, `.htpasswd`,
/// `.netrc`).
pub(super) const MIN_LEN_RELAXED: usize = 6;
/// The longest value scored.
pub(super) const MAX_LEN: usize = 256;

/// Why a value was rejected (for tests and the bench's decoy report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    Length,
    NotText,
    Reference,
    Placeholder,
    Hash,
    Number,
    Url,
    Path,
    Code,
    Words,
    LowInformation,
    /// A public identifier (an AWS unique id: `AIDA…`, `AROA…`).
    Identifier,
}

/// Piece length at or below which a value reads as random.
const RANDOM_PIECE_LEN: f64 = 2.2;
/// Piece length above which a value reads as words.
const WORDS_PIECE_LEN: f64 = 3.0;

/// Scores `value`; `around` is the text of its line (for words such as
/// `digest` that say a hex value is a checksum); `relaxed` when the place
/// alone says password (a credentials file).
///
/// Each thread remembers its last verdicts on short values ([`Recent`]):
/// the same placeholders and defaults (`changeme`, `your-api-key-here`)
/// come back in file after file, and scoring one costs more than looking
/// it up.
pub fn score(value: &[u8], around: &[u8], relaxed: bool) -> Result<Confidence, Reject> {
    if value.len() > Recent::LONGEST {
        return grade(value, around, relaxed, &mut false);
    }
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        let slot = Recent::slot(value, relaxed);
        if let Some(verdict) = recent.get(slot, value, relaxed) {
            return verdict;
        }
        let mut consulted = false;
        let verdict = grade(value, around, relaxed, &mut consulted);
        // A verdict that read the line holds for this line only.
        if !consulted {
            recent.put(slot, value, relaxed, verdict);
        }
        verdict
    })
}

/// The verdict [`score`] gave `value` lately on this thread, if it is
/// remembered ([`Recent`]): what `score` would say again, without the
/// caller reading the value's name first when it is a rejection.
pub fn remembered(value: &[u8], relaxed: bool) -> Option<Result<Confidence, Reject>> {
    if value.len() > Recent::LONGEST {
        return None;
    }
    RECENT.with(|recent| recent.borrow().get(Recent::slot(value, relaxed), value, relaxed))
}

/// A verdict of [`score`] on a value of at most [`Recent::LONGEST`] bytes.
#[derive(Clone, Copy)]
struct Remembered {
    /// The value's length; 0 for an empty slot.
    len: u8,
    relaxed: bool,
    value: [u8; Recent::LONGEST],
    verdict: Result<Confidence, Reject>,
}

/// One thread's last verdicts, a slot per hash of the value: a value
/// replaces whatever had its slot.
struct Recent {
    slots: Box<[Remembered; Recent::SLOTS]>,
}

thread_local! {
    static RECENT: std::cell::RefCell<Recent> = std::cell::RefCell::new(Recent::new());
}

impl Recent {
    /// The longest value remembered: placeholders are short, and a random
    /// value is seldom seen twice.
    const LONGEST: usize = 40;
    const SLOTS: usize = 256;

    fn new() -> Recent {
        let empty = Remembered { len: 0, relaxed: false, value: [0; Recent::LONGEST], verdict: Err(Reject::Length) };
        Recent { slots: Box::new([empty; Recent::SLOTS]) }
    }

    fn slot(value: &[u8], relaxed: bool) -> usize {
        let mut h = (value.len() as u64) << 1 | u64::from(relaxed);
        for chunk in value.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            h = (h ^ u64::from_le_bytes(word)).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
        }
        // The top byte: one of the 256 slots.
        (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize
    }

    fn get(&self, slot: usize, value: &[u8], relaxed: bool) -> Option<Result<Confidence, Reject>> {
        let r = &self.slots[slot];
        (usize::from(r.len) == value.len() && r.relaxed == relaxed && r.value[..value.len()] == *value)
            .then_some(r.verdict)
    }

    fn put(&mut self, slot: usize, value: &[u8], relaxed: bool, verdict: Result<Confidence, Reject>) {
        let r = &mut self.slots[slot];
        r.len = value.len() as u8;
        r.relaxed = relaxed;
        r.value[..value.len()].copy_from_slice(value);
        r.verdict = verdict;
    }
}

/// [`score`] without memory; sets `consulted` when the verdict depended on
/// `around`.
fn grade(value: &[u8], around: &[u8], relaxed: bool, consulted: &mut bool) -> Result<Confidence, Reject> {
    let min = if relaxed { MIN_LEN_RELAXED } else { MIN_LEN };
    if value.len() < min || value.len() > MAX_LEN {
        return Err(Reject::Length);
    }
    if !value.iter().all(|&b| (0x21..0x7f).contains(&b)) {
        return Err(Reject::NotText);
    }
    // Hashes first: a crypt-style hash starts with `$`, as a reference does.
    if is_password_hash(value) || is_digest(value, around, consulted) {
        return Err(Reject::Hash);
    }
    let marks = Marks::of(value);
    if marks.reference || is_reference(value) {
        return Err(Reject::Reference);
    }
    if marks.placeholder || is_wrapped_placeholder(value) || looks_fake(value) {
        return Err(Reject::Placeholder);
    }
    if !value.iter().any(u8::is_ascii_alphabetic) || is_short_hex(value) {
        return Err(Reject::Number);
    }
    if is_aws_unique_id(value) {
        return Err(Reject::Identifier);
    }
    if contains(value, b"://") || is_email(value) || is_host(value) {
        return Err(Reject::Url);
    }
    if is_path(value) {
        return Err(Reject::Path);
    }
    if marks.code || is_call(value) || is_camel_identifier(value) {
        return Err(Reject::Code);
    }
    {
        let mut buf = [0u8; MAX_LEN];
        if let Some(text) = base64_text(value, &mut buf) {
            let secret = text.iter().position(|&b| b == b':').map_or(text, |i| &text[i + 1..]);
            return grade(secret, around, relaxed, consulted);
        }
    }
    randomness(value, relaxed)
}

/// Grades a value that passed every other check by how random it is (see
/// the module doc).
fn randomness(value: &[u8], relaxed: bool) -> Result<Confidence, Reject> {
    let n = value.len();
    let min_entropy = 0.7 * (n.min(16) as f64).log2();
    if shannon_entropy(value) < min_entropy {
        return Err(Reject::LowInformation);
    }
    if is_uuid(value) {
        return Ok(Confidence::Low);
    }
    let piece_len = n as f64 / words::pieces(value).max(1) as f64;
    if relaxed {
        return Ok(if piece_len <= WORDS_PIECE_LEN { Confidence::Medium } else { Confidence::Low });
    }
    let classes = [
        value.iter().any(u8::is_ascii_lowercase),
        value.iter().any(u8::is_ascii_uppercase),
        value.iter().any(u8::is_ascii_digit),
        value.iter().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&c| c)
    .count();
    if piece_len <= RANDOM_PIECE_LEN {
        Ok(if classes >= 2 || n >= 12 { Confidence::Medium } else { Confidence::Low })
    } else if piece_len <= WORDS_PIECE_LEN {
        Ok(Confidence::Low)
    } else {
        Err(Reject::Words)
    }
}

/// `0x…` constants, and hex too short for a key (under 16 digits: an
/// abbreviated commit, a colour, an id).
fn is_short_hex(v: &[u8]) -> bool {
    let digits = v.strip_prefix(b"0x").or_else(|| v.strip_prefix(b"0X"));
    digits.is_some_and(|d| d.iter().all(u8::is_ascii_hexdigit)) || (v.len() < 16 && v.iter().all(u8::is_ascii_hexdigit))
}

/// AWS's unique ids of users, roles, policies, groups, instance profiles
/// and certificates (`AIDA` + 16 base32 characters): public identifiers.
fn is_aws_unique_id(v: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[b"AIDA", b"AROA", b"ANPA", b"AGPA", b"AIPA", b"ANVA", b"APKA", b"ASCA", b"ACCA"];
    v.len() == 20
        && PREFIXES.iter().any(|p| v.starts_with(p))
        && v[4..].iter().all(|&b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
}

/// Whether a reported value could be guessed: shorter than 12 characters,
/// or not random by the word model (piece length above 2.2) — a human's
/// password rather than a generated token (12 random characters are over
/// 70 bits: no dictionary holds them). Such a value's plain SHA-256 would
/// be reversed by a dictionary; see `model::secret_hash_of`.
pub fn is_guessable(v: &[u8]) -> bool {
    v.len() < 12 || v.len() > MAX_LEN || v.len() as f64 / words::pieces(v).max(1) as f64 > RANDOM_PIECE_LEN
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn starts_with_ignore_case(hay: &[u8], prefix: &[u8]) -> bool {
    hay.len() >= prefix.len() && hay[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Values that name where a secret is kept rather than hold it (template
/// syntax inside a value is one of [`REFERENCE_MARKS`]).
fn is_reference(v: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[
        b"env:",
        b"env.",
        b"env[",
        b"env(",
        b"vault:",
        b"vault/",
        b"secret:",
        b"secrets.",
        b"secretref",
        b"ref:",
        b"ref+",
        b"arn:",
        b"awssm",
        b"sm://",
        b"op://",
        b"gcp:",
        b"kms:",
        b"file:",
        b"cmd:",
        b"exec:",
        b"keyring:",
        b"@microsoft.keyvault",
        b"projects/",
        b"process.env",
        b"os.environ",
        b"os.getenv",
        b"getenv",
        b"system.getenv",
        b"enc(",
        b"{cipher}",
        b"!vault",
        b"!ref",
        b"!sub",
        b"vars.",
        b"inputs.",
        b"var.",
        b"local.",
        b"data.",
        b"module.",
        b"self.",
        b"this.",
        b"config.",
        b"settings.",
        b"params.",
        b"args.",
        b"options.",
        b"props.",
        b"request.",
        b"ctx.",
    ];
    if v[0] == b'$' || (v[0] == b'%' && v[v.len() - 1] == b'%') {
        return true;
    }
    PREFIXES.iter().any(|p| starts_with_ignore_case(v, p))
}

/// `<password>`, `[TOKEN]`, `{token}`, `(secret)`.
fn is_wrapped_placeholder(v: &[u8]) -> bool {
    let (first, last) = (v[0], v[v.len() - 1]);
    matches!((first, last), (b'[', b']') | (b'{', b'}') | (b'(', b')')) || v.contains(&b'<') || v.contains(&b'>')
}

/// Stand-in words, looked for in the value lower-cased and read through
/// leetspeak.
const PLACEHOLDER_WORDS: &[&[u8]] = &[
    b"example",
    b"sample",
    b"changeme",
    b"changeit",
    b"change_me",
    b"change-me",
    b"placeholder",
    b"your",
    b"redacted",
    b"replace",
    b"dummy",
    b"fake",
    b"mock",
    b"test",
    b"xxx",
    b"***",
    b"...",
    b"todo",
    b"fixme",
    b"secret",
    b"password",
    b"passwd",
    b"pass",
    b"token",
    b"apikey",
    b"api_key",
    b"api-key",
    b"insert",
    b"default",
    b"lorem",
    b"ipsum",
    b"foobar",
    b"qwerty",
    b"asdf",
    b"letmein",
    b"welcome",
    b"admin",
    b"hunter",
    b"notset",
    b"not_set",
    b"unset",
    b"undefined",
    b"null",
    b"none",
    b"empty",
    b"invalid",
    b"demo",
    b"abc123",
    b"opensesame",
    b"iloveyou",
    b"trustno",
    b"monkey",
    b"dragon",
    b"master",
    b"guest",
    b"root",
    b"user",
    b"login",
    b"private",
    b"key",
    b"dev",
    b"local",
    b"0000",
    b"1111",
    b"foo",
    b"tiger",
    // Documented examples: RFC 6238's TOTP seed, AWS's example access keys,
    // the UUID of RFC 4122's examples.
    b"jbswy3dpehpk3pxp",
    b"gezdgnbvgy3tqojq",
    b"wjalrxutnfemi",
    b"iosfodnn7",
    b"123e4567-e89b",
];

/// Lower case, with the digits and symbols of leetspeak read as letters.
fn unleet(b: u8) -> u8 {
    match b {
        b'0' => b'o',
        b'1' | b'!' => b'i',
        b'3' => b'e',
        b'4' | b'@' => b'a',
        b'5' | b'$' => b's',
        b'7' => b't',
        _ => b.to_ascii_lowercase(),
    }
}

/// Template syntax inside a value: a reference.
const REFERENCE_MARKS: &[&[u8]] = &[b"${", b"{{", b"}}", b"%(", b"#{", b"<%", b"%>", b"$(", b"{%", b"@{"];
/// Operators of code and regular expressions inside a value. A range is
/// only a regular expression's at a bracket (`[a-z`, `0-9]`): a random
/// token with `-` in its alphabet holds `a-z` by chance.
const CODE_MARKS: &[&[u8]] = &[
    b"=>", b"->", b"::", b"&&", b"||", b"\\", b"[^", b"(?", b"[a-z", b"a-z]", b"[0-9", b"0-9]", b".*", b".+", b"()",
    b"/*", b"*/",
];

/// What the substrings of a value say, found in one pass of one automaton
/// over the value (and one over its leetspeak reading, for stand-in
/// words), whatever the number of words.
#[derive(Debug, Clone, Copy, Default)]
struct Marks {
    reference: bool,
    placeholder: bool,
    code: bool,
}

fn marks_automaton() -> &'static aho_corasick::AhoCorasick {
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    AC.get_or_init(|| {
        let patterns = REFERENCE_MARKS.iter().chain(PLACEHOLDER_WORDS).chain(CODE_MARKS);
        // A DFA (the default for this few patterns): its construction costs
        // a millisecond, once, and a contiguous NFA's searches cost more
        // than that over the values of a large scan.
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(patterns)
            .expect("the scorer's marks build an automaton")
    })
}

impl Marks {
    fn of(v: &[u8]) -> Marks {
        let ac = marks_automaton();
        let (refs, words) = (REFERENCE_MARKS.len(), REFERENCE_MARKS.len() + PLACEHOLDER_WORDS.len());
        let mut m = Marks::default();
        for found in ac.find_overlapping_iter(v) {
            match found.pattern().as_usize() {
                i if i < refs => m.reference = true,
                i if i < words => m.placeholder |= stands_alone(v, found.start(), found.end()),
                _ => m.code = true,
            }
        }
        if !m.placeholder && v.iter().any(|&b| unleet(b) != b.to_ascii_lowercase()) {
            let mut leet = [0u8; MAX_LEN];
            for (i, &b) in v.iter().enumerate() {
                leet[i] = unleet(b);
            }
            // Read through leetspeak, only words of five letters or more:
            // `k3y` in a random token is no stand-in.
            let long_word = |f: &aho_corasick::Match| (refs..words).contains(&f.pattern().as_usize()) && f.len() >= 5;
            m.placeholder = ac.find_overlapping_iter(&leet[..v.len()]).any(|f| long_word(&f));
        }
        m
    }
}

/// Whether a stand-in word found at `start..end` of `v` counts: words of
/// five letters or more anywhere, shorter ones (`key`, `dev`, `test`) only
/// as a word of their own — at an edge of the value or next to a byte that
/// is not a letter or digit — since random text holds them by chance.
fn stands_alone(v: &[u8], start: usize, end: usize) -> bool {
    let word = &v[start..end];
    if end - start >= 5 || !word.iter().any(u8::is_ascii_alphanumeric) {
        return true;
    }
    let edge = |i: Option<&u8>| i.is_none_or(|b| !b.is_ascii_alphanumeric());
    edge(start.checked_sub(1).and_then(|i| v.get(i))) && edge(v.get(end))
}

/// Password hashes: stored to check a password, not to use one.
fn is_password_hash(v: &[u8]) -> bool {
    const PREFIXES: &[&[u8]] = &[
        b"{ssha",
        b"{sha",
        b"{md5",
        b"{crypt",
        b"{bcrypt",
        b"{pbkdf2",
        b"{scrypt",
        b"{argon2",
        b"pbkdf2_",
        b"pbkdf2:",
        b"pbkdf2$",
        b"bcrypt$",
        b"bcrypt_",
        b"argon2$",
        b"argon2:",
        b"scrypt:",
        b"scrypt$",
        b"sha1$",
        b"sha256$",
        b"sha256:",
        b"sha512:",
        b"sha1:",
        b"md5$",
        b"md5:",
        b"sha512-",
        b"sha384-",
        b"sha256-",
        b"sha1-",
        b"$2a$",
        b"$2b$",
        b"$2y$",
        b"$argon2",
        b"$apr1$",
        b"$5$",
        b"$6$",
        b"$scrypt$",
    ];
    PREFIXES.iter().any(|p| starts_with_ignore_case(v, p))
}

/// A hex value of a digest's length on a line that says it is one.
fn is_digest(v: &[u8], around: &[u8], consulted: &mut bool) -> bool {
    const WORDS: &[&[u8]] =
        &[b"digest", b"checksum", b"hash", b"sha", b"md5", b"integrity", b"fingerprint", b"etag", b"crc"];
    if !(matches!(v.len(), 32 | 40 | 56 | 64 | 96 | 128) && v.iter().all(u8::is_ascii_hexdigit)) {
        return false;
    }
    *consulted = true;
    WORDS.iter().any(|w| around.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w)))
}

fn is_email(v: &[u8]) -> bool {
    let Some(at) = v.iter().position(|&b| b == b'@') else { return false };
    let domain = &v[at + 1..];
    at > 0
        && domain.iter().filter(|&&b| b == b'.').count() >= 1
        && domain.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && domain
            .rsplit(|&b| b == b'.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic))
}

/// A host name (`www.google.com/`, `db.acme.internal`): dot-separated
/// lower-case labels, a top-level one of letters.
fn is_host(v: &[u8]) -> bool {
    let v = v.strip_suffix(b"/").unwrap_or(v);
    let mut labels = v.split(|&b| b == b'.');
    v.contains(&b'.')
        && labels
            .clone()
            .all(|l| !l.is_empty() && l.iter().all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
        && labels.next_back().is_some_and(|t| t.len() >= 2 && t.iter().all(u8::is_ascii_lowercase))
}

/// A file path: rooted, relative with `./`, `../` or `~/`, a drive letter,
/// or a name with a file extension.
fn is_path(v: &[u8]) -> bool {
    const EXTENSIONS: &[&[u8]] = &[
        b".pem",
        b".key",
        b".crt",
        b".cer",
        b".der",
        b".p12",
        b".pfx",
        b".jks",
        b".json",
        b".txt",
        b".yml",
        b".yaml",
        b".env",
        b".cfg",
        b".conf",
        b".ini",
        b".pub",
        b".asc",
        b".gpg",
        b".toml",
        b".xml",
        b".properties",
        b".js",
        b".py",
        b".sh",
        b".html",
        b".png",
        b".svg",
        b".csv",
        b".log",
        b".tmp",
        b".keystore",
        b".ts",
        b".rb",
        b".go",
    ];
    let lower_ends = |ext: &[u8]| v.len() > ext.len() && v[v.len() - ext.len()..].eq_ignore_ascii_case(ext);
    v.starts_with(b"./")
        || v.starts_with(b"../")
        || v.starts_with(b"~/")
        || (v.len() > 2 && v[0].is_ascii_alphabetic() && v[1] == b':' && (v[2] == b'\\' || v[2] == b'/'))
        || (v[0] == b'/'
            && v[1..].iter().all(|&b| b.is_ascii_alphanumeric() || b"/._-".contains(&b))
            && v.iter().filter(|&&b| b == b'/').count() >= 2)
        || EXTENSIONS.iter().any(|e| lower_ends(e))
}

/// `jsxTagEnd`, `ZeroizeOnDrop`: letters only, in humps of a capital and
/// two or more lower-case letters — an identifier.
fn is_camel_identifier(v: &[u8]) -> bool {
    if !v.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let head = v.iter().position(u8::is_ascii_uppercase).unwrap_or(v.len());
    let mut humps = 0;
    let mut i = head;
    while i < v.len() {
        let run = v[i + 1..].iter().position(|b| !b.is_ascii_lowercase()).unwrap_or(v.len() - i - 1);
        if run < 2 {
            return false;
        }
        humps += 1;
        i += 1 + run;
    }
    humps + usize::from(head > 0) >= 2
}

/// A call: `(` and a `)` after it.
fn is_call(v: &[u8]) -> bool {
    v.iter().position(|&b| b == b'(').is_some_and(|o| v[o..].contains(&b')'))
}

fn is_uuid(v: &[u8]) -> bool {
    v.len() == 36
        && v.iter()
            .enumerate()
            .all(|(i, &b)| if matches!(i, 8 | 13 | 18 | 23) { b == b'-' } else { b.is_ascii_hexdigit() })
}

/// Whether `v` is base64 of printable `user:password` (an HTTP Basic
/// credential, a Docker `auth`).
pub(super) fn is_user_password(v: &[u8]) -> bool {
    let mut buf = [0u8; MAX_LEN];
    base64_text(v, &mut buf)
        .is_some_and(|t| t.iter().position(|&b| b == b':').is_some_and(|i| i > 0 && i + 1 < t.len()))
}

/// The text a base64 value encodes, when it is printable ASCII (an encoded
/// password, `user:password`); `None` for anything else (random bytes: the
/// value is scored as it is).
fn base64_text<'b>(v: &[u8], buf: &'b mut [u8; MAX_LEN]) -> Option<&'b [u8]> {
    if v.len() < 12 || !v.len().is_multiple_of(4) {
        return None;
    }
    let body = v.strip_suffix(b"==").or_else(|| v.strip_suffix(b"=")).unwrap_or(v);
    let mut acc = 0u32;
    let mut bits = 0;
    let mut n = 0;
    for &b in body {
        let d = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(d);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            let byte = (acc >> bits) as u8;
            if !(0x20..0x7f).contains(&byte) {
                return None;
            }
            buf[n] = byte;
            n += 1;
        }
    }
    Some(&buf[..n])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade(v: &str) -> Result<Confidence, Reject> {
        score(v.as_bytes(), b"", false)
    }

    #[test]
    fn remembered_verdicts_are_the_verdicts() {
        let values: [&[u8]; 6] =
            [b"Summer2024!", b"changeme", b"q8Zr2LmWx0Pk", b"correcthorsebattery", b"xK9#mP2$vL5@nR8q", b"${DB_PASS}"];
        for _ in 0..3 {
            for v in values {
                for relaxed in [false, true] {
                    let fresh = super::grade(v, b"", relaxed, &mut false);
                    assert_eq!(score(v, b"", relaxed), fresh, "{}", String::from_utf8_lossy(v));
                }
            }
        }
        // Relaxed or not, the same value keeps its own verdict.
        assert_ne!(score(b"correcthorsebattery", b"", true), score(b"correcthorsebattery", b"", false));
    }

    #[test]
    fn random_values_are_medium() {
        for v in [
            "q8Zr2LmWx0PkT7vB",
            "Tr0ub4dor&3xQ",
            "xkqzvbwmtprlgh",
            "9f3a61c0d2b4e8579f3a61c0d2b4e857",
            "Kx7#mQ2$vLp9!zR4",
            "aGk3Lz9QmX2pR7vT8wY1nB5cD0eF6hJ",
        ] {
            assert_eq!(grade(v), Ok(Confidence::Medium), "{v}");
        }
    }

    #[test]
    fn placeholders_references_and_code_are_rejected() {
        for (v, why) in [
            ("changeme123", Reject::Placeholder),
            ("<your-password>", Reject::Placeholder),
            ("your-api-key-here", Reject::Placeholder),
            ("xxxxxxxxxxxx", Reject::Placeholder),
            ("p@ssw0rd123", Reject::Placeholder),
            ("S3cr3tV4lu3", Reject::Placeholder),
            ("${DB_PASSWORD}", Reject::Reference),
            ("{{ .Values.db.password }}", Reject::NotText),
            ("{{.Values.dbPassword}}", Reject::Reference),
            ("%(db_password)s", Reject::Reference),
            ("process.env.DB_PASSWORD", Reject::Reference),
            ("vault:secret/data/db#password", Reject::Reference),
            ("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", Reject::Hash),
            ("$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG", Reject::Hash),
            ("pbkdf2_sha256$260000$abc$def", Reject::Hash),
            ("fetchFromVault(name)", Reject::Code),
            ("^[a-z0-9]{32}$", Reject::Code),
            ("[A-Za-z0-9_]{40}", Reject::Code),
            ("(?i)tok_[0-9]+", Reject::Code),
            ("/opt/app/conf/db.txt", Reject::Path),
            ("2024-01-15/10:00:00", Reject::Number),
            ("correcthorsebatterystaple", Reject::Words),
            ("ConnectionString", Reject::Code),
            ("xyzxyzxyzxyz", Reject::LowInformation),
            ("ababababXyXy", Reject::LowInformation),
        ] {
            assert_eq!(grade(v), Err(why), "{v}");
        }
        // `a-z` in a random base64url token is no regular expression.
        assert_eq!(grade("NWaa-zpzOjHJD2MH_q1FvyLK2Zfoyl5gGJtvsNtmN7IYz5EK"), Ok(Confidence::Medium));
        assert_eq!(score(b"9f3a61c0d2b4e8579f3a61c0d2b4e857", b"sha_digest = ", false), Err(Reject::Hash));
        // A verdict that read the line is not remembered for other lines.
        assert_ne!(score(b"9f3a61c0d2b4e8579f3a61c0d2b4e857", b"api_key = ", false), Err(Reject::Hash));
        assert_eq!(score(b"9f3a61c0d2b4e8579f3a61c0d2b4e857", b"md5: ", false), Err(Reject::Hash));
    }

    #[test]
    fn encoded_text_is_scored_as_text() {
        // base64 of "password123" and of a user:password pair.
        assert_eq!(grade("cGFzc3dvcmQxMjM="), Err(Reject::Placeholder));
        assert_eq!(grade("ZGVwbG95OnE4WnIyTG1XeDBQa1Q3dkI="), Ok(Confidence::Medium));
    }

    #[test]
    fn word_like_values_are_low_or_rejected() {
        assert_eq!(grade("Summer2024!"), Ok(Confidence::Low));
        assert_eq!(grade("correcthorsebattery"), Err(Reject::Words));
        assert_eq!(grade("9b2f6c1e-7d4a-4e8b-b3c5-2a7f9e1d6c48"), Ok(Confidence::Low));
        // In a credentials file the place says password: medium.
        assert_eq!(score(b"Summer2024!", b"", true), Ok(Confidence::Medium));
        assert_eq!(score(b"correcthorsebattery", b"", true), Ok(Confidence::Low));
    }
}

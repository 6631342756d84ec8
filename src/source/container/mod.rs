//! Containers: archives and compressed files opened to scan what is inside
//! them — zip and everything built on it (jar, war, ear, aar, apk, whl,
//! nupkg, vsix, xpi, epub, OOXML and ODF documents), tar, and gzip, bzip2,
//! xz and zstd streams (a compressed tar is one container: `a.tgz!dir/f`).
//! Recognised by their magic bytes, never by their names, and only in
//! content that already looks binary (text never pays for this).
//!
//! [`open`] walks a container and hands every text member to a callback
//! with its [`Step`]s — the chain of member names from the outermost
//! container in — one member at a time: members are streamed, each read
//! into a buffer of at most the member size limit, never a whole archive.
//! Members that are containers themselves are opened in turn, to
//! [`Limits::depth`] containers deep. UTF-16 members are decoded.
//!
//! Hostile input is bounded, per top-level file: total uncompressed bytes
//! ([`MAX_TOTAL`], and [`MAX_RATIO`] times the file's own size past
//! [`TOTAL_FLOOR`]), the compression ratio of each stream and member
//! ([`MAX_RATIO`] past [`RATIO_FLOOR`]), the number of members
//! ([`MAX_MEMBERS`]), nesting, overlapping zip entries; member names that
//! climb out of the archive (`../x`, `/etc/x`) are shown without the climb.
//! A limit hit, an encrypted member or a corrupt archive is a [`Problem`];
//! what could be read is still handed on.
//!
//! Must not match, decide what a member path looks like in a report beyond
//! [`path`], or know about findings: it only reads.

mod meter;
mod stream;
mod tar;
mod zip;

use std::io::Read;
use std::rc::Rc;

use self::meter::{Budget, Cap};
use super::{is_binary, utf16, BINARY_SNIFF_LEN};
use crate::util::units::human_size;

/// Total uncompressed bytes read from one top-level file, at most.
pub const MAX_TOTAL: u64 = 1 << 30;
/// A top-level file may expand to at most this many times its size, once
/// past [`TOTAL_FLOOR`] (which any file may expand to).
pub const MAX_RATIO: u64 = 250;
/// What any top-level file may expand to, whatever its size.
pub const TOTAL_FLOOR: u64 = 64 << 20;
/// A stream or member expanding to more than [`MAX_RATIO`] times its
/// compressed size is cut there, once past this many bytes.
pub const RATIO_FLOOR: u64 = 1 << 20;
/// Members read from one top-level file (nested ones included), at most.
pub const MAX_MEMBERS: usize = 50_000;
/// Problems reported per top-level file; the rest are counted in one more.
const MAX_PROBLEMS: usize = 20;
/// Memory an xz or zstd decoder may ask for (its window).
const MAX_WINDOW: u64 = 128 << 20;

/// What kind of container content is, from its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Tar,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

/// The container `data` starts like, if any.
pub fn sniff(data: &[u8]) -> Option<Kind> {
    match data {
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] | [b'P', b'K', 7, 8, ..] => Some(Kind::Zip),
        [0x1F, 0x8B, 8, ..] => Some(Kind::Gzip),
        [b'B', b'Z', b'h', b'1'..=b'9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, ..] => Some(Kind::Bzip2),
        [b'B', b'Z', b'h', b'1'..=b'9', 0x17, 0x72, 0x45, 0x38, 0x50, 0x90, ..] => Some(Kind::Bzip2),
        [0xFD, b'7', b'z', b'X', b'Z', 0, ..] => Some(Kind::Xz),
        [0x28, 0xB5, 0x2F, 0xFD, ..] => Some(Kind::Zstd),
        _ if is_tar(data) => Some(Kind::Tar),
        _ => None,
    }
}

/// A POSIX or GNU tar header: `ustar` at offset 257.
fn is_tar(data: &[u8]) -> bool {
    data.get(257..262) == Some(b"ustar")
}

/// How far containers are opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Containers opened along one chain, at most (`--archive-depth`); 0
    /// opens none.
    pub depth: usize,
    /// A member larger than this (uncompressed) is skipped, as a file
    /// larger than `--max-file-size` is.
    pub max_member_size: u64,
}

/// One step into a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An archive member, by its name in the archive (`/`-separated,
    /// without `.`, `..` or a leading `/`).
    Member(String),
    /// What a compressed file decompresses to: named by the gzip header
    /// when it names it, else after the compressed file, less its
    /// extension (`app.log.gz` → `app.log`).
    Stream(Option<String>),
}

/// A problem inside a container: where (the steps to the member or
/// container concerned; empty for the top-level file) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: Vec<Step>,
    pub what: String,
}

/// What opening a container did besides handing over text members.
#[derive(Debug, Default)]
pub struct Report {
    /// Text members handed over.
    pub members: usize,
    /// Members skipped as binary (not containers) or larger than the
    /// member size limit.
    pub binary: usize,
    pub large: usize,
    pub problems: Vec<Problem>,
    /// Problems past [`MAX_PROBLEMS`], not listed.
    pub more_problems: usize,
}

/// The path of a member: the top-level file's path and each step's name,
/// joined by `!` (`a.tgz!b.jar!c.properties`).
pub fn path(top: &str, steps: &[Step]) -> String {
    outer_paths(top, steps).pop().unwrap_or_else(|| top.to_string())
}

/// The paths of the top-level file and of each step, outermost first: the
/// last is the member's own [`path`], the others its containers.
pub fn outer_paths(top: &str, steps: &[Step]) -> Vec<String> {
    let mut paths = vec![top.to_string()];
    let mut name = base_name(top).to_string();
    for step in steps {
        name = match step {
            Step::Member(n) => n.clone(),
            Step::Stream(Some(n)) => n.clone(),
            Step::Stream(None) => stream_name(base_name(&name)),
        };
        let last = paths.last().expect("the top is there");
        paths.push(format!("{last}!{name}"));
    }
    paths
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '!']).next().unwrap_or(path)
}

/// What a compressed file named `name` decompresses to, by name.
fn stream_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    for ext in [".gz", ".gzip", ".bz2", ".xz", ".zst", ".zstd", ".z"] {
        if lower.len() > ext.len() && lower.ends_with(ext) {
            return name[..name.len() - ext.len()].to_string();
        }
    }
    name.to_string()
}

/// Opens `data` when it is a container and `limits.depth` allows, handing
/// each text member to `visit` with its steps; `None` when `data` is not a
/// container (or depth is 0).
pub fn open(data: &[u8], limits: &Limits, visit: &mut dyn FnMut(&[Step], &[u8])) -> Option<Report> {
    let kind = sniff(data).filter(|_| limits.depth > 0)?;
    let allowed = MAX_TOTAL.min(TOTAL_FLOOR.max((data.len() as u64).saturating_mul(MAX_RATIO)));
    let mut walk = Walk {
        limits: *limits,
        budget: Rc::new(Budget::new(allowed)),
        visit,
        report: Report::default(),
        steps: Vec::new(),
        depth: 0,
        seen: 0,
        stopped: false,
    };
    walk.container(kind, data);
    Some(walk.report)
}

/// A walk through one top-level container.
struct Walk<'v> {
    limits: Limits,
    budget: Rc<Budget>,
    visit: &'v mut dyn FnMut(&[Step], &[u8]),
    report: Report,
    /// Steps to the container being read.
    steps: Vec<Step>,
    /// Containers open along `steps`.
    depth: usize,
    /// Members seen (read or skipped).
    seen: usize,
    /// A limit for the whole file was hit: read nothing more.
    stopped: bool,
}

/// What reading one member gave.
enum Got {
    /// Its bytes (all of them, or as many as could be read).
    Bytes(Vec<u8>),
    /// Binary and not a container: the rest was not read.
    Binary,
    /// Larger than the member size limit: not read.
    Large,
}

impl Walk<'_> {
    /// Opens one container at the current steps.
    fn container(&mut self, kind: Kind, data: &[u8]) {
        self.depth += 1;
        match kind {
            Kind::Zip => zip::read(self, data),
            Kind::Tar => tar::read(self, std::io::Cursor::new(data)),
            Kind::Gzip | Kind::Bzip2 | Kind::Xz | Kind::Zstd => stream::read(self, kind, data),
        }
        self.depth -= 1;
    }

    /// Counts one more member; false (and a problem, once) past
    /// [`MAX_MEMBERS`].
    fn count_member(&mut self) -> bool {
        self.seen += 1;
        if self.seen > MAX_MEMBERS && !self.stopped {
            self.stopped = true;
            self.problem_here(format!("more than {MAX_MEMBERS} members; the rest were not read"));
        }
        !self.stopped
    }

    /// Reads a member from `from`: the first bytes, then the rest unless
    /// they are binary and not a container. A read error keeps what was
    /// read (and is a problem); a limit hit cuts the member there.
    fn read_member(&mut self, name: &Step, from: &mut dyn Read, size_hint: u64) -> Got {
        let max = self.limits.max_member_size;
        if size_hint > max {
            return Got::Large;
        }
        let mut buf = Vec::with_capacity(size_hint.min(BINARY_SNIFF_LEN as u64 * 8) as usize);
        let mut head = (&mut *from).take(BINARY_SNIFF_LEN as u64);
        let first = head.read_to_end(&mut buf);
        if first.is_ok() && is_binary(&buf) && sniff(&buf).is_none() && utf16::detect(&buf).is_none() {
            return Got::Binary;
        }
        let rest = first.and_then(|_| from.take(max + 1 - buf.len() as u64).read_to_end(&mut buf));
        if buf.len() as u64 > max {
            return Got::Large;
        }
        if let Err(e) = rest {
            self.read_error(Some(name), &e);
        }
        Got::Bytes(buf)
    }

    /// Reports a read error at `name` (a member of the current container,
    /// or the container itself): a limit hit in words, or the error.
    fn read_error(&mut self, name: Option<&Step>, e: &std::io::Error) {
        let what = match self.budget.take_cap() {
            Some(Cap::Total) => {
                self.stopped = true;
                format!(
                    "more than {} uncompressed (at most {MAX_RATIO} times the file's size, and {} at most); the rest \
                     was not read",
                    human_size(self.budget.allowed()),
                    human_size(MAX_TOTAL)
                )
            }
            Some(Cap::Ratio) => {
                format!("expands more than {MAX_RATIO} times (a compression bomb?); read up to there, the rest was not")
            }
            None => format!("corrupt or truncated ({e}); scanned what could be read"),
        };
        match name {
            // The total is the top-level file's: named as such.
            _ if self.stopped => self.push_problem(Problem { at: Vec::new(), what }),
            Some(n) => self.problem_at(n.clone(), what),
            None => self.problem_here(what),
        }
    }

    /// Hands a member's bytes on: text (or UTF-16) to the callback; a
    /// container opened in turn when depth allows; other binary skipped.
    fn member(&mut self, step: Step, data: &[u8]) {
        self.steps.push(step);
        match super::view(data) {
            super::View::Text(text) => {
                self.report.members += 1;
                (self.visit)(&self.steps, &text);
            }
            super::View::Binary => match sniff(data) {
                Some(kind) if self.depth < self.limits.depth => self.container(kind, data),
                Some(_) => {
                    let d = self.limits.depth;
                    self.problem_here(format!(
                        "a container nested more than {d} deep (--archive-depth {d}); not opened"
                    ));
                }
                None => self.report.binary += 1,
            },
        }
        self.steps.pop();
    }

    /// Hands a member read by [`Walk::read_member`] on.
    fn take(&mut self, step: Step, read: Got) {
        match read {
            Got::Bytes(data) => self.member(step, &data),
            Got::Binary => self.report.binary += 1,
            Got::Large => self.report.large += 1,
        }
    }

    /// The step of a member named `raw` in the current container; a name
    /// that climbs out of the archive is a problem, and shown without the
    /// climb.
    fn member_step(&mut self, raw: &[u8]) -> Step {
        let (name, climbed) = clean_name(raw);
        let step = Step::Member(name);
        if climbed {
            let shown = String::from_utf8_lossy(raw).into_owned();
            self.problem_at(
                step.clone(),
                format!("member name {shown:?} climbs out of the archive; shown without the climb"),
            );
        }
        step
    }

    /// A problem with the member `step` of the current container.
    fn problem_at(&mut self, step: Step, what: String) {
        let mut at = self.steps.clone();
        at.push(step);
        self.push_problem(Problem { at, what });
    }

    /// A problem with the current container as a whole (or, while a
    /// member is being handed on, with that member).
    fn problem_here(&mut self, what: String) {
        let at = self.steps.clone();
        self.push_problem(Problem { at, what });
    }

    fn push_problem(&mut self, p: Problem) {
        if self.report.problems.len() < MAX_PROBLEMS {
            self.report.problems.push(p);
        } else {
            self.report.more_problems += 1;
        }
    }
}

/// A member name as shown: `/`-separated, without `.`, `..`, empty or
/// drive components; and whether anything had to be taken out because it
/// would climb out of the archive (`../`, a leading `/`, `C:`).
fn clean_name(raw: &[u8]) -> (String, bool) {
    let text = String::from_utf8_lossy(raw).replace('\\', "/");
    let mut parts = Vec::new();
    let mut climbed = text.starts_with('/');
    for (i, part) in text.split('/').enumerate() {
        match part {
            "" | "." => {}
            ".." => climbed = true,
            p if i == 0 && p.len() == 2 && p.ends_with(':') => climbed = true,
            p => parts.push(p),
        }
    }
    (parts.join("/"), climbed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_name_the_container() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(sniff(b"PK\x05\x06"), Some(Kind::Zip));
        assert_eq!(sniff(b"\x1f\x8b\x08\x00"), Some(Kind::Gzip));
        assert_eq!(sniff(b"BZh91AY&SY"), Some(Kind::Bzip2));
        assert_eq!(sniff(b"\xfd7zXZ\x00\x00"), Some(Kind::Xz));
        assert_eq!(sniff(b"\x28\xb5\x2f\xfd\x00"), Some(Kind::Zstd));
        let mut tar = vec![0u8; 512];
        tar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(sniff(&tar), Some(Kind::Tar));
        assert_eq!(sniff(b"PK\x01\x02"), None);
        assert_eq!(sniff(b"\x89PNG\r\n"), None);
        assert_eq!(sniff(b"BZh9 is not bzip2"), None);
    }

    #[test]
    fn paths_join_steps_with_bangs() {
        let steps = [Step::Member("b.jar".into()), Step::Member("conf/c.properties".into())];
        assert_eq!(path("dist/a.tgz", &steps), "dist/a.tgz!b.jar!conf/c.properties");
        assert_eq!(
            outer_paths("dist/a.tgz", &steps),
            ["dist/a.tgz", "dist/a.tgz!b.jar", "dist/a.tgz!b.jar!conf/c.properties"]
        );
        assert_eq!(path("logs/app.log.gz", &[Step::Stream(None)]), "logs/app.log.gz!app.log");
        assert_eq!(path("x.zip", &[Step::Member("in/d.gz".into()), Step::Stream(None)]), "x.zip!in/d.gz!d");
        assert_eq!(path("blob", &[Step::Stream(Some("orig.txt".into()))]), "blob!orig.txt");
        assert_eq!(path("data", &[Step::Stream(None)]), "data!data");
        assert_eq!(path("a.env", &[]), "a.env");
    }

    #[test]
    fn names_that_climb_out_are_cleaned() {
        assert_eq!(clean_name(b"dir/./f.env"), ("dir/f.env".into(), false));
        assert_eq!(clean_name(b"../../etc/passwd"), ("etc/passwd".into(), true));
        assert_eq!(clean_name(b"/abs/x"), ("abs/x".into(), true));
        assert_eq!(clean_name(b"C:\\win\\x.ini"), ("win/x.ini".into(), true));
        assert_eq!(clean_name(b"a/../b"), ("a/b".into(), true));
    }
}

//! The pipeline: the one place that wires a source to the engine. It reads
//! content through a source, runs the engine over it in parallel (rayon),
//! turns matches into findings (`finding`), and returns them with a summary
//! as a `model::Outcome`. This module holds what every source shares and the
//! file scan (which also records whether git tracks each file with
//! findings); [`history`] wires git history and [`staged`] the pre-commit
//! check.
//!
//! It must not enumerate or read inputs itself (sources do), match bytes
//! (the engine does), suppress, verify or format output (the command's
//! `finish` does, after it): it never imports `config`, `suppress`,
//! `verify` or `report`. The one thing it sets aside is matches graded
//! below the engine's minimum confidence: counted (`held_back`), so that
//! `suppress` can report them, and never made findings — except where
//! findings are merged or subtracted first (a secret's blobs in history, a
//! modified archive's old members when staged), which hold back after
//! that ([`Keep`]), so that the count is what a lower minimum would show.
//! Progress reaches the terminal through a callback.

pub mod history;
pub mod staged;

use std::time::Instant;

use rayon::prelude::*;

use crate::engine::{Engine, Match};
use crate::finding::{self, LineLocator};
use crate::model::{Finding, Outcome, Warning, WarningKind};
use crate::rules::Confidence;
use crate::source::container::{self, Limits, Step};
use crate::source::files::{self, FileEntry, WalkOptions};
use crate::source::repo::tracked_by_git;
use crate::source::{Content, ScanInput, Skip};

/// What happened to one input.
enum Scanned {
    /// Scanned: as text, or member by member when it is a container.
    Text {
        bytes: u64,
        findings: Vec<Finding>,
        /// Matches below the engine's minimum confidence, counted only.
        held_back: usize,
        /// What was inside, for a container.
        members: Members,
        /// Problems inside a container.
        problems: Vec<Warning>,
    },
    Skipped(Skip),
    Failed(String),
}

/// The members of a container: scanned, and skipped as binary or as
/// larger than the size limit (counted with skipped files).
#[derive(Debug, Default, Clone, Copy)]
struct Members {
    scanned: usize,
    binary: usize,
    large: usize,
}

impl Scanned {
    fn text(bytes: usize, found: Found) -> Scanned {
        let Found { findings, held_back } = found;
        Scanned::Text { bytes: bytes as u64, findings, held_back, members: Members::default(), problems: Vec::new() }
    }
}

/// Adds what happened to one input to `outcome`.
fn absorb(outcome: &mut Outcome, item: Scanned) {
    match item {
        Scanned::Text { bytes, findings, held_back, members, problems } => {
            outcome.summary.scanned += 1;
            outcome.held_back += held_back;
            outcome.summary.members += members.scanned;
            outcome.summary.skipped_binary += members.binary;
            outcome.summary.skipped_large += members.large;
            outcome.summary.bytes += bytes;
            outcome.findings.extend(findings);
            outcome.summary.warnings.extend(problems);
        }
        Scanned::Skipped(Skip::Binary) => outcome.summary.skipped_binary += 1,
        Scanned::Skipped(Skip::TooLarge) => outcome.summary.skipped_large += 1,
        Scanned::Failed(w) => outcome.summary.warnings.push(Warning::new(WarningKind::Unreadable, w)),
    }
}

/// The findings of one text, and how many of its matches were held back.
#[derive(Debug, Default)]
pub struct Found {
    pub findings: Vec<Finding>,
    /// Matches graded below the engine's minimum confidence: counted, and
    /// never made findings (locating, hashing and quoting each costs more
    /// than finding it).
    pub held_back: usize,
}

/// Runs the engine over the content of the file at `path` (whose name,
/// `name`, the engine may read: some credentials files are known by it)
/// and builds the findings of its matches at or above the minimum
/// confidence.
fn scan_content(engine: &Engine, path: &str, name: &[u8], data: &[u8]) -> Found {
    let mut matches = engine.scan_named(data, Some(name));
    let held_back = hold_back(engine, &mut matches);
    Found { findings: to_findings(engine, path, data, &matches), held_back }
}

/// Removes the matches graded below the engine's minimum confidence from
/// `matches`; returns how many there were.
fn hold_back(engine: &Engine, matches: &mut Vec<Match>) -> usize {
    let floor = engine.min_confidence();
    let before = matches.len();
    matches.retain(|m| m.graded(&engine.rules()[m.rule]) >= floor);
    before - matches.len()
}

/// Removes the findings graded below the engine's minimum confidence from
/// `findings`; returns how many there were.
fn hold_back_findings(engine: &Engine, findings: &mut Vec<Finding>) -> usize {
    let floor = engine.min_confidence();
    let before = findings.len();
    findings.retain(|f| f.confidence >= floor);
    before - findings.len()
}

/// Removes the matches graded below the engine's minimum confidence from
/// `matches` and returns them.
fn split_held_back(engine: &Engine, matches: &mut Vec<Match>) -> Vec<Match> {
    let floor = engine.min_confidence();
    if floor == Confidence::Low {
        return Vec::new();
    }
    let (kept, held): (Vec<Match>, Vec<Match>) =
        std::mem::take(matches).into_iter().partition(|m| m.graded(&engine.rules()[m.rule]) >= floor);
    *matches = kept;
    held
}

/// The name of the member a container's `steps` lead to, when its steps
/// say it (a decompressed stream named after its file does not).
fn member_name(steps: &[Step]) -> Option<&str> {
    match steps.last()? {
        Step::Member(name) | Step::Stream(Some(name)) => Some(name),
        Step::Stream(None) => None,
    }
}

/// Builds the findings for matches the engine found in `data`.
pub fn to_findings(engine: &Engine, path: &str, data: &[u8], matches: &[Match]) -> Vec<Finding> {
    let mut lines = LineLocator::new();
    matches.iter().map(|m| finding::from_match(&engine.rules()[m.rule], path, data, m, &mut lines)).collect()
}

/// Which matches of a scan become findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Those at or above the engine's minimum confidence; the others are
    /// counted (`held_back`).
    Confident,
    /// All of them: for a caller that merges or subtracts findings first
    /// (history merges a secret's blobs into one finding) and then holds
    /// back what is below the minimum ([`hold_back_findings`]), so that the
    /// count held back is what a lower minimum would show.
    All,
}

/// Scans binary content that is a container, member by member: findings
/// at member paths under the top-level path `top` (asked for only when a
/// member has a finding or a problem: finding a blob's path costs), the
/// container problems as warnings naming the member. `None` when `data` is
/// not a container (or `limits` open none).
fn scan_container(
    engine: &Engine,
    data: &[u8],
    limits: &Limits,
    keep: Keep,
    top: &mut dyn FnMut() -> String,
) -> Option<Scanned> {
    let mut top_path: Option<String> = None;
    let mut findings = Vec::new();
    let mut held_back = 0;
    let mut bytes = 0u64;
    let report = container::open(data, limits, &mut |steps, text| {
        bytes += text.len() as u64;
        let mut matches = engine.scan_named(text, member_name(steps).map(str::as_bytes));
        if keep == Keep::Confident {
            held_back += hold_back(engine, &mut matches);
        }
        if matches.is_empty() {
            return;
        }
        let mut outer = container::outer_paths(top_path.get_or_insert_with(&mut *top), steps);
        let path = outer.pop().expect("a member has a path");
        for mut f in to_findings(engine, &path, text, &matches) {
            f.container.clone_from(&outer);
            findings.push(f);
        }
    })?;
    let mut problems = Vec::with_capacity(report.problems.len());
    if !report.problems.is_empty() || report.more_problems > 0 {
        let top = top_path.get_or_insert_with(top);
        for p in &report.problems {
            problems.push(Warning::new(WarningKind::Archive, format!("{}: {}", container::path(top, &p.at), p.what)));
        }
        if report.more_problems > 0 {
            let m = format!("{top}: {} more problems inside, not listed", report.more_problems);
            problems.push(Warning::new(WarningKind::Archive, m));
        }
    }
    let members = Members { scanned: report.members, binary: report.binary, large: report.large };
    Some(Scanned::Text { bytes, findings, held_back, members, problems })
}

/// Scans content a source read whole: text as it is, a container member
/// by member, other binary content not at all. `name` is the path it was
/// read from (`path` is how findings show it).
fn scan_read(engine: &Engine, path: &str, name: &[u8], read: std::io::Result<Content>, limits: &Limits) -> Scanned {
    match read {
        Ok(Content::Text(data)) => Scanned::text(data.len(), scan_content(engine, path, name, &data)),
        Ok(Content::Binary(data)) => scan_container(engine, &data, limits, Keep::Confident, &mut || path.to_string())
            .unwrap_or(Scanned::Skipped(Skip::Binary)),
        Ok(Content::Skipped(s)) => Scanned::Skipped(s),
        Err(e) => Scanned::Failed(format!("{path}: {e}")),
    }
}

/// Records on the findings of each file whether git tracks it (read only
/// for files with findings).
fn mark_tracked(files: &[FileEntry], results: &mut [Scanned]) {
    let with_findings: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r, Scanned::Text { findings, .. } if !findings.is_empty()))
        .map(|(i, _)| i)
        .collect();
    if with_findings.is_empty() {
        return;
    }
    let paths: Vec<&std::path::Path> = with_findings.iter().map(|&i| files[i].path.as_path()).collect();
    for (&i, tracked) in with_findings.iter().zip(tracked_by_git(&paths)) {
        if let Scanned::Text { findings, .. } = &mut results[i] {
            findings.iter_mut().for_each(|f| f.tracked = tracked);
        }
    }
}

/// Scans files, directories and standard input.
pub fn scan_inputs(engine: &Engine, inputs: &[ScanInput], walk: &WalkOptions) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome::default();
    let roots: Vec<_> = inputs
        .iter()
        .filter_map(|i| match i {
            ScanInput::Path(p) => Some(p.clone()),
            ScanInput::Stdin => None,
        })
        .collect();
    if inputs.contains(&ScanInput::Stdin) {
        let read = files::read_stdin(walk.max_file_size);
        absorb(&mut outcome, scan_read(engine, "<stdin>", b"<stdin>", read, &walk.archives()));
    }
    let listed = files::enumerate(&roots, walk);
    scan_listed(engine, listed, walk, &mut outcome);
    outcome.summary.findings = outcome.findings.len();
    outcome.summary.rules = engine.rules().len();
    outcome.summary.duration_ms = started.elapsed().as_millis();
    outcome
}

/// Reads and scans the files a walk listed into `outcome`. A file that
/// cannot be read — gone, or no longer a file, since the walk — is an
/// `Unreadable` warning and the others are scanned all the same.
fn scan_listed(engine: &Engine, listed: files::Enumeration, walk: &WalkOptions, outcome: &mut Outcome) {
    outcome.summary.skipped_large += listed.skipped_large;
    outcome.summary.warnings.extend(listed.warnings.into_iter().map(|w| Warning::new(WarningKind::Unreadable, w)));
    let limits = walk.archives();
    let mut results: Vec<Scanned> = listed
        .files
        .par_iter()
        .map(|entry: &FileEntry| {
            // The name as the file was opened by (the display string, made
            // during the walk, is no longer in the cache).
            let name = entry.path.as_os_str().as_encoded_bytes();
            let read = files::read(entry, walk.max_file_size);
            let mut scanned = scan_read(engine, &entry.display, name, read, &limits);
            if let (Some(raw), Scanned::Text { findings, .. }) = (&entry.display_bytes, &mut scanned) {
                for f in findings {
                    // The exact name, and after it the member path (UTF-8).
                    let member = &f.path[entry.display.len()..];
                    f.path_bytes = Some([raw.as_slice(), member.as_bytes()].concat());
                }
            }
            scanned
        })
        .collect();
    mark_tracked(&listed.files, &mut results);
    for r in results {
        absorb(outcome, r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    #[test]
    fn a_file_gone_between_the_walk_and_the_read_is_a_warning() {
        let mut set = RuleSet::default();
        set.add_toml(
            "test.toml",
            r#"
[[rule]]
id = "t-token"
name = "T token"
regex = '''(?-u:\b)(?P<secret>tok_[a-z0-9]{12})(?:[^a-z0-9]|$)'''
keywords = ["tok_"]
"#,
        )
        .unwrap();
        let engine = Engine::new(&set).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.env"), "T=tok_k3j9x2m4q8w1\n").unwrap();
        std::fs::write(dir.path().join("gone.env"), "T=tok_p7r2v5n8c1z4\n").unwrap();
        std::fs::write(dir.path().join("z.env"), "T=tok_h6d3f9s2l5y8\n").unwrap();
        let walk = WalkOptions { skip_ignored: false, threads: 1, max_file_size: 1 << 20, archive_depth: 3 };
        let listed = files::enumerate(&[dir.path().to_path_buf()], &walk);
        assert_eq!(listed.files.len(), 3);
        std::fs::remove_file(dir.path().join("gone.env")).unwrap();
        let mut outcome = Outcome::default();
        scan_listed(&engine, listed, &walk, &mut outcome);
        let secrets: Vec<&str> = outcome.findings.iter().map(|f| f.secret.as_str()).collect();
        assert_eq!(secrets, ["tok_k3j9x2m4q8w1", "tok_h6d3f9s2l5y8"]);
        assert_eq!(outcome.summary.scanned, 2);
        let w = &outcome.summary.warnings;
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].kind, WarningKind::Unreadable);
        assert!(w[0].message.contains("gone.env"), "{w:?}");
    }
}

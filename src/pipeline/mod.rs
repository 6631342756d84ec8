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
//! `verify` or `report`. Progress reaches the terminal through a callback.

pub mod history;
pub mod staged;

use std::time::Instant;

use rayon::prelude::*;

use crate::engine::{Engine, Match};
use crate::finding::{self, LineLocator};
use crate::model::{Finding, Outcome, Warning, WarningKind};
use crate::source::files::{self, FileEntry, WalkOptions};
use crate::source::repo::tracked_by_git;
use crate::source::{Content, ScanInput, Skip};

/// What happened to one input.
enum Scanned {
    Text { bytes: u64, findings: Vec<Finding> },
    Skipped(Skip),
    Failed(String),
}

/// Adds what happened to one input to `outcome`.
fn absorb(outcome: &mut Outcome, item: Scanned) {
    match item {
        Scanned::Text { bytes, findings } => {
            outcome.summary.scanned += 1;
            outcome.summary.bytes += bytes;
            outcome.findings.extend(findings);
        }
        Scanned::Skipped(Skip::Binary) => outcome.summary.skipped_binary += 1,
        Scanned::Skipped(Skip::TooLarge) => outcome.summary.skipped_large += 1,
        Scanned::Failed(w) => outcome.summary.warnings.push(Warning::new(WarningKind::Unreadable, w)),
    }
}

/// Runs the engine over one piece of content and builds its findings.
pub fn scan_content(engine: &Engine, path: &str, data: &[u8]) -> Vec<Finding> {
    to_findings(engine, path, data, &engine.scan(data))
}

/// Builds the findings for matches the engine found in `data`.
pub fn to_findings(engine: &Engine, path: &str, data: &[u8], matches: &[Match]) -> Vec<Finding> {
    let mut lines = LineLocator::new();
    matches.iter().map(|m| finding::from_match(&engine.rules()[m.rule], path, data, m, &mut lines)).collect()
}

fn scan_read(engine: &Engine, path: &str, read: std::io::Result<Content>) -> Scanned {
    match read {
        Ok(Content::Text(data)) => {
            Scanned::Text { bytes: data.len() as u64, findings: scan_content(engine, path, &data) }
        }
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
        absorb(&mut outcome, scan_read(engine, "<stdin>", files::read_stdin(walk.max_file_size)));
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
    let mut results: Vec<Scanned> = listed
        .files
        .par_iter()
        .map(|entry: &FileEntry| {
            let mut scanned = scan_read(engine, &entry.display, files::read(entry, walk.max_file_size));
            if let (Some(raw), Scanned::Text { findings, .. }) = (&entry.display_bytes, &mut scanned) {
                findings.iter_mut().for_each(|f| f.path_bytes = Some(raw.clone()));
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
        let walk = WalkOptions { skip_ignored: false, threads: 1, max_file_size: 1 << 20 };
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

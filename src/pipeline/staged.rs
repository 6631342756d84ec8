//! Wires staged changes to the engine for the pre-commit hook: each staged
//! blob is scanned whole (in parallel), and only findings that touch lines
//! the commit adds are kept, so secrets already committed on untouched lines
//! are not reported again. A container (archive) is scanned member by
//! member: every finding in a new one is new; in a modified one, those its
//! HEAD version already had (same rule, secret and member path) are not. It
//! must not read the index itself (`source::staged` does).

use std::time::Instant;

use rayon::prelude::*;

use std::collections::HashSet;

use super::{absorb, hold_back_findings, scan_container, split_held_back, to_findings, Found, Keep, Scanned};
use crate::engine::{Engine, Match};
use crate::finding::LineLocator;
use crate::model::{Finding, Outcome, Warning, WarningKind};
use crate::source::container::Limits;
use crate::source::staged::{Staged, StagedFile};
use crate::source::{Content, Skip};

/// Scans staged files in parallel; `staged` comes from `source::staged`.
pub fn scan_staged(engine: &Engine, staged: Staged, limits: &Limits) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome::default();
    outcome.summary.warnings.extend(staged.warnings.into_iter().map(|w| Warning::new(WarningKind::Unreadable, w)));
    let scanned: Vec<Scanned> = staged
        .files
        .par_iter()
        .map(|file| match &file.content {
            Content::Text(data) => {
                let mut matches = engine.scan_named(data, Some(file.path.as_bytes()));
                let held = split_held_back(engine, &mut matches);
                let mut lines = LineLocator::new();
                let touched = |m: &Match, lines: &mut LineLocator| {
                    let (line, ..) = lines.locate(data, m.start);
                    file.added.touches(line, line + memchr::memchr_iter(b'\n', &data[m.start..m.end]).count())
                };
                let held_back = held.iter().filter(|m| touched(m, &mut lines)).count();
                let findings = to_findings(engine, &file.path, data, &matches)
                    .into_iter()
                    .filter(|f| file.added.touches(f.line, f.end_line))
                    .collect();
                Scanned::text(data.len(), Found { findings, held_back })
            }
            Content::Binary(data) => scan_staged_container(engine, file, data, limits),
            Content::Skipped(skip) => Scanned::Skipped(*skip),
        })
        .collect();
    for s in scanned {
        absorb(&mut outcome, s);
    }
    outcome.summary.findings = outcome.findings.len();
    outcome.summary.rules = engine.rules().len();
    outcome.summary.duration_ms = started.elapsed().as_millis();
    outcome
}

/// Scans a staged container; of a modified one, only what its HEAD
/// version did not already hold is kept, and only that is held back when
/// below the minimum confidence.
fn scan_staged_container(engine: &Engine, file: &StagedFile, data: &[u8], limits: &Limits) -> Scanned {
    let Some(mut scanned) = scan_container(engine, data, limits, Keep::All, &mut || file.path.clone()) else {
        return Scanned::Skipped(Skip::Binary);
    };
    if let Scanned::Text { findings, held_back, .. } = &mut scanned {
        if let (Some(before), false) = (&file.before, findings.is_empty()) {
            let key = |f: &Finding| (f.rule_id.clone(), f.secret.clone(), f.path.clone());
            let old: HashSet<_> = match scan_container(engine, before, limits, Keep::All, &mut || file.path.clone()) {
                Some(Scanned::Text { findings, .. }) => findings.iter().map(key).collect(),
                _ => HashSet::new(),
            };
            findings.retain(|f| !old.contains(&key(f)));
        }
        *held_back = hold_back_findings(engine, findings);
    }
    scanned
}

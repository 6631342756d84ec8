//! Wires staged changes to the engine for the pre-commit hook: each staged
//! blob is scanned whole (in parallel), and only findings that touch lines
//! the commit adds are kept, so secrets already committed on untouched lines
//! are not reported again. It must not read the index itself
//! (`source::staged` does).

use std::time::Instant;

use rayon::prelude::*;

use super::{absorb, scan_content, Scanned};
use crate::engine::Engine;
use crate::model::{Outcome, Warning, WarningKind};
use crate::source::staged::Staged;
use crate::source::Content;

/// Scans staged files in parallel; `staged` comes from `source::staged`.
pub fn scan_staged(engine: &Engine, staged: Staged) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome::default();
    outcome.summary.warnings.extend(staged.warnings.into_iter().map(|w| Warning::new(WarningKind::Unreadable, w)));
    let scanned: Vec<Scanned> = staged
        .files
        .par_iter()
        .map(|file| match &file.content {
            Content::Text(data) => {
                let found = scan_content(engine, &file.path, data);
                let findings = found.into_iter().filter(|f| file.added.touches(f.line, f.end_line)).collect();
                Scanned::Text { bytes: data.len() as u64, findings }
            }
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

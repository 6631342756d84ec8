//! Wires staged changes to the engine for the pre-commit hook: each staged
//! blob is scanned whole, and only findings that touch lines the commit adds
//! are kept, so secrets already committed on untouched lines are not
//! reported again.

use std::time::Instant;

use super::scan_content;
use crate::engine::Engine;
use crate::model::{Outcome, Warning, WarningKind};
use crate::source::staged::Staged;
use crate::source::{Content, Skip};

/// Scans staged files; `staged` comes from `source::staged`.
pub fn scan_staged(engine: &Engine, staged: Staged) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome::default();
    outcome.summary.warnings.extend(staged.warnings.into_iter().map(|w| Warning::new(WarningKind::Unreadable, w)));
    for file in &staged.files {
        match &file.content {
            Content::Text(data) => {
                outcome.summary.scanned += 1;
                outcome.summary.bytes += data.len() as u64;
                let found = scan_content(engine, &file.path, data);
                outcome.findings.extend(found.into_iter().filter(|f| file.added.touches(f.line, f.end_line)));
            }
            Content::Skipped(Skip::Binary) => outcome.summary.skipped_binary += 1,
            Content::Skipped(Skip::TooLarge) => outcome.summary.skipped_large += 1,
        }
    }
    outcome.summary.findings = outcome.findings.len();
    outcome.summary.rules = engine.rules().len();
    outcome.summary.duration_ms = started.elapsed().as_millis();
    outcome
}

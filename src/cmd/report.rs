//! `keyhound report FILE...`: saved JSON or JSON Lines reports written
//! again in any format (text, json, jsonl, sarif, html) without scanning —
//! the JSON a CI job kept, turned into the HTML audit report on a laptop;
//! or the JSONL of every shard of a many-repository scan
//! (`keyhound report shard-*.jsonl`), merged into one report in which one
//! secret found in several repositories is one incident with all its
//! locations (the writers group findings by the secret's hash, see
//! `report::incidents`).
//!
//! It reads the files with `report::saved` and writes with the same writers
//! every scanning command uses; it does not suppress, verify or filter
//! anything again (the saved report already says what was suppressed and
//! verified). A finding saved without a confidence (a report older than
//! confidence) gets its rule's as this keyhound's rule set has it (with the
//! config's rules), else `medium`. Secrets stay redacted unless every file holds them in clear
//! and `--show-secrets` is given. Exit code 0 once the report is written;
//! a single file that is not a keyhound report is an error (exit 2); among
//! several, such a file is a warning, the merged report says it is
//! incomplete, and the others are merged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{write_main_report, ReportTo};
use crate::config::Config;
use crate::model::{Summary, SuppressReason, Warning, WarningKind};
use crate::report::saved::{self, SavedReport};
use crate::report::{RunContext, RunInfo, SavedFrom};
use crate::rules::{Confidence, RuleSet};
use crate::util::text::escape_controls;

pub(super) fn run(config: &Config, files: &[PathBuf]) -> Result<u8> {
    let by_id = confidence_by_rule(&config.rules);
    let rules = |id: &str| by_id.get(id).copied();
    let saved = match files {
        [file] => saved::read(file, &rules)?,
        _ => merge(files, &rules)?,
    };
    let name = files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ");
    // Saved warnings come back as notes; what could not be read now is
    // `Unreadable`, and said here.
    for w in saved.summary.warnings.iter().filter(|w| w.kind == WarningKind::Unreadable) {
        eprintln!("keyhound: warning: {}", escape_controls(&w.message));
    }
    let mut opts = config.report;
    if opts.show_secrets && saved.secrets_redacted {
        eprintln!(
            "keyhound: warning: {} holds redacted secrets (it was written without --show-secrets): they stay redacted",
            escape_controls(&name)
        );
        opts.show_secrets = false;
    }
    let mut ctx = RunContext::new(config.rules.rules());
    ctx.run = saved.run;
    ctx.vcs = saved.vcs;
    ctx.saved_from = Some(SavedFrom { path: name.clone(), has_summary: saved.has_summary });
    write_main_report(config, &opts, &saved.findings, &saved.summary, &ctx, ReportTo::OutputOrStdout, None)?;
    if !config.quiet {
        let n = saved.findings.len();
        eprintln!(
            "keyhound: {n} finding{} from {} written again",
            if n == 1 { "" } else { "s" },
            escape_controls(&name)
        );
    }
    Ok(0)
}

/// Several saved reports as one: their findings (each once, sorted by
/// repository and place), their summaries added up when every file has
/// one, their warnings; a file that cannot be read is a warning that makes
/// the merged report incomplete. Fails only when no file can be read.
fn merge(files: &[PathBuf], rules: saved::RuleConfidence) -> Result<SavedReport> {
    let mut parts = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        match saved::read(file, rules) {
            Ok(s) => parts.push((file.as_path(), s)),
            Err(e) => problems.push(Warning::new(WarningKind::Unreadable, format!("{e}; not merged"))),
        }
    }
    if parts.is_empty() {
        let why: Vec<String> = problems.into_iter().map(|w| w.message).collect();
        anyhow::bail!("none of the reports can be read: {}", why.join("; "));
    }
    let has_summary = parts.iter().all(|(_, s)| s.has_summary);
    let mut summary = Summary::default();
    let mut findings = Vec::new();
    let mut secrets_redacted = false;
    for (file, s) in &mut parts {
        secrets_redacted |= s.secrets_redacted;
        add(&mut summary, &s.summary, file);
        findings.append(&mut s.findings);
    }
    findings.sort_by(|a, b| {
        let key = |f: &crate::model::Finding| {
            (
                f.repository.clone(),
                f.path.clone(),
                f.line,
                f.column,
                f.rule_id.clone(),
                f.provenance.as_ref().map(|p| p.commit.clone()),
            )
        };
        key(a).cmp(&key(b))
    });
    // The same file given twice, or overlapping shards: each finding once.
    findings.dedup_by(|a, b| {
        a.repository == b.repository
            && a.fingerprint == b.fingerprint
            && (a.line, a.column) == (b.line, b.column)
            && a.provenance.as_ref().map(|p| &p.commit) == b.provenance.as_ref().map(|p| &p.commit)
    });
    summary.findings = findings.iter().filter(|f| f.suppressed.is_none()).count();
    summary.suppressed = findings.len() - summary.findings;
    // Like `suppressed`, what the merged reports list.
    summary.below_min_confidence =
        findings.iter().filter(|f| f.suppressed == Some(SuppressReason::BelowMinConfidence)).count();
    let levels: Vec<Option<Confidence>> = parts.iter().map(|(_, s)| s.summary.min_confidence).collect();
    summary.min_confidence = levels.first().copied().flatten().filter(|l| levels.iter().all(|o| *o == Some(*l)));
    summary.warnings.extend(problems);
    summary.settle();
    // What the shards' own runs could not read stays unread in the merge.
    for (_, s) in &parts {
        for (kind, n) in &s.summary.unread {
            *summary.unread.entry(*kind).or_default() += n;
        }
        if s.has_summary && !s.summary.complete {
            summary.complete = false;
        }
    }
    if !has_summary {
        // JSON Lines say nothing of what their runs did not scan.
        summary.complete = false;
    }
    let targets = parts.iter().map(|(f, _)| f.display().to_string()).collect();
    let run = RunInfo { command: "report".to_string(), targets, started_at: crate::util::time::now_utc() };
    Ok(SavedReport { findings, summary, has_summary, run: Some(run), vcs: None, secrets_redacted })
}

/// Each rule's confidence, by id.
fn confidence_by_rule(rules: &RuleSet) -> HashMap<&str, Confidence> {
    rules.rules().iter().map(|r| (r.id.as_str(), r.confidence())).collect()
}

/// Adds one saved summary (from `file`) to the merged one.
fn add(total: &mut Summary, s: &Summary, file: &Path) {
    total.add_counts(s);
    let name = file.display();
    total
        .warnings
        .extend(s.warnings.iter().map(|w| Warning { message: format!("{name}: {}", w.message), ..w.clone() }));
}

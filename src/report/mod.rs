//! Reports: one writer per output format, all taking the same findings and
//! summary, and the reader of keyhound's own JSON and JSON Lines reports
//! ([`saved`]), so a saved report can be written again in any format.
//! Writers decide presentation only (and apply redaction unless the user
//! asked to see secrets); they never filter or reorder findings. Nothing
//! here scans or reads anything but the saved report it is given.

mod context;
mod html;
pub mod incidents;
mod json;
pub mod sarif;
pub mod saved;
mod text;

use std::io::{self, Write};
use std::path::PathBuf;

use crate::model::{Finding, Summary};
use crate::rules::{Confidence, Rule, Severity};
use crate::util::units::human_size;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Jsonl,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// One self-contained HTML page: the audit report.
    Html,
}

impl Format {
    /// Whether the format says what was scanned (the repository, the run),
    /// so the command must work out [`RunContext`]'s facts. Text and JSON
    /// Lines do not: their runs skip that work.
    pub fn describes_run(self) -> bool {
        matches!(self, Format::Json | Format::Sarif | Format::Html)
    }
}

/// Presentation options shared by the writers.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    pub format: Format,
    pub show_secrets: bool,
    /// ANSI colors (text format only).
    pub color: bool,
}

/// What a writer may say about a rule besides what a finding carries
/// (SARIF's rule descriptors need it). Built from the rule set by the caller,
/// so writers never depend on the engine.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub severity: Severity,
    /// The rule's confidence ([`Rule::confidence`]): SARIF's `precision`.
    pub confidence: Confidence,
    pub references: Vec<String>,
    pub remediation: Option<String>,
    /// The service that issues the credential (`OpenAI`).
    pub provider: Option<String>,
}

impl From<&Rule> for RuleInfo {
    fn from(r: &Rule) -> RuleInfo {
        RuleInfo {
            id: r.id.clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            severity: r.severity,
            confidence: r.confidence(),
            references: r.references.clone(),
            remediation: r.remediation.clone(),
            provider: r.provider.clone(),
        }
    }
}

/// The repository a run looked at, for SARIF's `versionControlProvenance`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VcsInfo {
    /// Where the repository lives: the `origin` remote (credentials
    /// removed) or a `file://` URI of the repository.
    pub repository_uri: String,
    /// The commit scanned (HEAD, or the tip of a scanned range).
    pub revision_id: Option<String>,
    pub branch: Option<String>,
}

/// Where the findings' paths are, so writers can turn them into URIs
/// relative to the repository root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriBase {
    /// Absolute directory that URIs are relative to: the repository's work
    /// tree root (or the working directory outside a repository).
    pub root: PathBuf,
    /// Relative paths in findings are relative to this directory under
    /// `root` (`/`-separated, empty for `root` itself): where `keyhound scan`
    /// ran from.
    pub prefix: String,
}

/// What a run was asked to do and when: JSON's `run` object and the HTML
/// report's header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunInfo {
    /// The command: `scan`, `history`, `staged` or `ci`.
    pub command: String,
    /// What it was asked to scan, in words: the paths given, or which part
    /// of a repository's history (`all refs`, `range main..topic`).
    pub targets: Vec<String>,
    /// When the run started, RFC 3339 in UTC.
    pub started_at: String,
}

/// A report written again from a saved one (`keyhound report FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedFrom {
    /// The saved report's path, as given.
    pub path: String,
    /// It had a summary (JSON); JSON Lines carry findings only, so what the
    /// run scanned and whether it was complete are unknown.
    pub has_summary: bool,
}

/// Facts about the run that only some formats use (SARIF, JSON, HTML).
#[derive(Debug, Clone, Default)]
pub struct RunContext {
    /// Metadata of the rules that can appear in findings.
    pub rules: Vec<RuleInfo>,
    pub base: Option<UriBase>,
    pub vcs: Option<VcsInfo>,
    /// SARIF `runs[].automationDetails.id`: which analysis the run belongs
    /// to (`keyhound ci` sets its code-scanning category here).
    pub automation_id: Option<String>,
    /// What the run was asked to do (JSON, HTML).
    pub run: Option<RunInfo>,
    /// Set when the report is written again from a saved one.
    pub saved_from: Option<SavedFrom>,
}

impl RunContext {
    pub fn new(rules: &[Rule]) -> RunContext {
        RunContext { rules: rules.iter().map(RuleInfo::from).collect(), ..Default::default() }
    }
}

/// Writes findings and the summary in the chosen format.
pub fn write_report(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    opts: &ReportOptions,
    ctx: &RunContext,
) -> io::Result<()> {
    match opts.format {
        Format::Text => text::write(out, findings, opts),
        Format::Json => json::write_document(out, findings, summary, ctx, opts.show_secrets),
        Format::Jsonl => json::write_lines(out, findings, opts.show_secrets),
        Format::Sarif => sarif::write(out, findings, summary, ctx, opts.show_secrets),
        Format::Html => html::write(out, findings, summary, ctx, opts.show_secrets),
    }
}

/// The one-line human summary printed on stderr.
pub fn summary_line(summary: &Summary, unit: &str) -> String {
    let mut s = format!(
        "keyhound: {} finding{} in {} {unit}{} ({}) in {:.2}s",
        summary.findings,
        plural(summary.findings),
        summary.scanned,
        plural(summary.scanned),
        human_size(summary.bytes),
        summary.duration_ms as f64 / 1000.0
    );
    let mut extra = Vec::new();
    if summary.members > 0 {
        extra.push(format!("{} archive member{} inside", summary.members, plural(summary.members)));
    }
    if summary.skipped_binary > 0 {
        extra.push(format!("{} binary skipped", summary.skipped_binary));
    }
    if summary.skipped_large > 0 {
        extra.push(format!("{} over size limit skipped", summary.skipped_large));
    }
    if summary.suppressed > 0 {
        extra.push(format!("{} suppressed", summary.suppressed));
    }
    if let Some(below) = below_min_confidence_text(summary) {
        extra.push(below);
    }
    if !summary.warnings.is_empty() {
        extra.push(format!("{} warning{}", summary.warnings.len(), plural(summary.warnings.len())));
    }
    if let Some(v) = &summary.verified {
        let mut s = format!("verified: {} live, {} invalid, {} unknown", v.live, v.invalid, v.unknown);
        if v.unchecked > 0 {
            s.push_str(&format!(", {} without a check", v.unchecked));
        }
        extra.push(s);
    }
    if !extra.is_empty() {
        s.push_str("; ");
        s.push_str(&extra.join(", "));
    }
    if let Some(incomplete) = incomplete_line(summary) {
        s.push('\n');
        s.push_str(&incomplete);
    }
    s
}

/// How many findings the run's `--min-confidence` held back, and how to
/// see them (`2 below the minimum confidence, medium (--min-confidence low
/// shows them)`); `None` when none was.
pub fn below_min_confidence_text(summary: &Summary) -> Option<String> {
    let n = summary.below_min_confidence;
    let level = summary.min_confidence.filter(|_| n > 0)?;
    Some(format!(
        "{n} of them below the minimum confidence, {level} (--min-confidence low shows {})",
        if n == 1 { "it" } else { "them" }
    ))
}

/// The line that says a run was incomplete (`keyhound: INCOMPLETE: 3
/// missing objects not scanned …`), printed on stderr even with `--quiet`;
/// `None` for a complete run.
pub fn incomplete_line(summary: &Summary) -> Option<String> {
    (!summary.complete).then(|| {
        format!(
            "keyhound: INCOMPLETE: {} not scanned; no finding there does not mean no secret there",
            summary.unread_text()
        )
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::VerifyCounts;

    #[test]
    fn summary_line_mentions_skips_and_warnings() {
        let s = Summary {
            findings: 1,
            scanned: 3,
            bytes: 2048,
            skipped_binary: 2,
            warnings: vec![crate::model::Warning::new(crate::model::WarningKind::Note, "x")],
            ..Default::default()
        };
        let mut s = s;
        s.settle();
        let line = summary_line(&s, "file");
        assert!(line.starts_with("keyhound: 1 finding in 3 files (2.0 KiB)"), "{line}");
        assert!(line.contains("2 binary skipped") && line.contains("1 warning"), "{line}");
        assert!(!line.contains("INCOMPLETE"), "{line}");
        let v = Summary { verified: Some(VerifyCounts { live: 1, invalid: 2, ..Default::default() }), ..s };
        assert!(
            summary_line(&v, "file").ends_with("verified: 1 live, 2 invalid, 0 unknown"),
            "{}",
            summary_line(&v, "file")
        );
    }

    #[test]
    fn summary_line_counts_findings_below_the_minimum_confidence() {
        let mut s = Summary {
            suppressed: 3,
            below_min_confidence: 2,
            min_confidence: Some(Confidence::Medium),
            ..Default::default()
        };
        s.settle();
        let line = summary_line(&s, "file");
        assert!(
            line.contains(
                "; 3 suppressed, 2 of them below the minimum confidence, medium (--min-confidence low shows them)"
            ),
            "{line}"
        );
        s.below_min_confidence = 0;
        assert!(!summary_line(&s, "file").contains("confidence"), "{}", summary_line(&s, "file"));
    }

    #[test]
    fn incomplete_runs_say_so_on_a_line_of_their_own() {
        let mut s = Summary {
            warnings: vec![
                crate::model::Warning::new(crate::model::WarningKind::MissingObject, "missing blob a"),
                crate::model::Warning::new(crate::model::WarningKind::MissingObject, "missing blob b"),
            ],
            ..Default::default()
        };
        s.settle();
        let line = summary_line(&s, "blob");
        let last = line.lines().last().unwrap();
        assert!(last.starts_with("keyhound: INCOMPLETE: 2 missing objects not scanned"), "{line}");
        assert_eq!(incomplete_line(&s).as_deref(), Some(last));
    }
}

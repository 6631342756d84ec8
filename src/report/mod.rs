//! Reports: one writer per output format, all taking the same findings and
//! summary. Writers decide presentation only (and apply redaction unless the
//! user asked to see secrets); they never filter or reorder findings.

mod json;
mod text;

use std::io::{self, Write};

use serde::Serialize;

use crate::finding::Finding;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Jsonl,
}

/// What a scan did, besides finding things.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub findings: usize,
    /// Files (or blobs, for git sources) scanned.
    pub scanned: usize,
    /// Bytes scanned.
    pub bytes: u64,
    pub skipped_binary: usize,
    pub skipped_large: usize,
    /// Inputs that could not be read, and other non-fatal problems.
    pub warnings: Vec<String>,
    pub duration_ms: u128,
    /// Number of rules in the compiled set.
    pub rules: usize,
}

/// Presentation options shared by the writers.
#[derive(Debug, Clone, Copy)]
pub struct ReportOptions {
    pub format: Format,
    pub show_secrets: bool,
    /// ANSI colors (text format only).
    pub color: bool,
}

/// Writes findings and the summary in the chosen format.
pub fn write_report(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    opts: &ReportOptions,
) -> io::Result<()> {
    match opts.format {
        Format::Text => text::write(out, findings, opts),
        Format::Json => json::write_document(out, findings, summary, opts.show_secrets),
        Format::Jsonl => json::write_lines(out, findings, opts.show_secrets),
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
        human_bytes(summary.bytes),
        summary.duration_ms as f64 / 1000.0
    );
    let mut extra = Vec::new();
    if summary.skipped_binary > 0 {
        extra.push(format!("{} binary skipped", summary.skipped_binary));
    }
    if summary.skipped_large > 0 {
        extra.push(format!("{} over size limit skipped", summary.skipped_large));
    }
    if !summary.warnings.is_empty() {
        extra.push(format!("{} warning{}", summary.warnings.len(), plural(summary.warnings.len())));
    }
    if !extra.is_empty() {
        s.push_str("; ");
        s.push_str(&extra.join(", "));
    }
    s
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line_mentions_skips_and_warnings() {
        let s = Summary {
            findings: 1,
            scanned: 3,
            bytes: 2048,
            skipped_binary: 2,
            warnings: vec!["x".into()],
            ..Default::default()
        };
        let line = summary_line(&s, "file");
        assert!(line.starts_with("keyhound: 1 finding in 3 files (2.0 KiB)"), "{line}");
        assert!(line.contains("2 binary skipped") && line.contains("1 warning"), "{line}");
    }
}

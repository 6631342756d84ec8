//! The report writers (`report::write_report`: text, JSON, JSON Lines,
//! SARIF) on findings whose every string — path, rule id and name, secret,
//! context, commit, author, warnings, the repository root — comes from the
//! input. JSON and SARIF must parse as JSON (and JSON Lines line by line);
//! the text output must hold no control or bidi character from the input:
//! without color none at all but line feeds and tabs, with color only the
//! escape sequences of its own styles.

#![no_main]

use std::path::PathBuf;

use arbitrary::Arbitrary;
use keyhound::model::{fingerprint, Finding, Provenance, Summary, SuppressReason, Verification, Warning, WarningKind};
use keyhound::report::{write_report, Format, ReportOptions, RuleInfo, RunContext, UriBase, VcsInfo};
use keyhound::rules::{Confidence, Severity, VerifyStatus};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    findings: Vec<FindingIn>,
    warnings: Vec<String>,
    rules: Vec<RuleIn>,
    base: Option<(String, String)>,
    vcs: Option<(String, Option<String>, Option<String>)>,
    automation_id: Option<String>,
    show: bool,
}

#[derive(Arbitrary, Debug)]
struct RuleIn {
    id: String,
    name: String,
    description: Option<String>,
    severity: u8,
    confidence: u8,
    references: Vec<String>,
    remediation: Option<String>,
    provider: Option<String>,
}

#[derive(Arbitrary, Debug)]
struct FindingIn {
    rule_id: String,
    rule_name: String,
    severity: u8,
    confidence: u8,
    path: String,
    /// Outer paths of an archive member (`a.zip`, `a.zip!b.jar`).
    container: Vec<String>,
    path_bytes: Option<Vec<u8>>,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    secret: String,
    context_before: String,
    context_after: String,
    provenance: Option<(String, String, String, String, bool, u16)>,
    decoded: Option<String>,
    tracked: Option<bool>,
    encoded: Option<String>,
    suppressed: Option<u8>,
    verification: Option<(u8, String, String)>,
}

fn severity(n: u8) -> Severity {
    [Severity::Low, Severity::Medium, Severity::High, Severity::Critical][usize::from(n % 4)]
}

fn confidence(n: u8) -> Confidence {
    Confidence::ALL[usize::from(n % 3)]
}

impl FindingIn {
    fn finding(self) -> Finding {
        // As file scans set them: `path` is the lossy form of bytes that
        // are not UTF-8.
        let (path, path_bytes) = match self.path_bytes {
            Some(b) if std::str::from_utf8(&b).is_err() => (String::from_utf8_lossy(&b).into_owned(), Some(b)),
            _ => (self.path, None),
        };
        Finding {
            fingerprint: fingerprint(&self.rule_id, &path, &self.secret),
            rule_id: self.rule_id,
            rule_name: self.rule_name,
            severity: severity(self.severity),
            confidence: confidence(self.confidence),
            path,
            container: self.container.into_iter().take(3).collect(),
            path_bytes,
            line: self.line as usize,
            column: self.column as usize,
            end_line: self.end_line as usize,
            end_column: self.end_column as usize,
            secret: self.secret,
            context_before: self.context_before,
            context_after: self.context_after,
            repository: None,
            secret_sha256: None,
            provenance: self.provenance.map(|(commit, author, email, date, in_head, occurrences)| Provenance {
                commit,
                author,
                email,
                date,
                in_head,
                occurrences: usize::from(occurrences),
            }),
            decoded: self.decoded,
            tracked: self.tracked,
            encoded: self.encoded,
            line_allowed: false,
            suppressed: self.suppressed.map(|n| {
                [
                    SuppressReason::AllowComment,
                    SuppressReason::ConfigPath,
                    SuppressReason::ConfigValue,
                    SuppressReason::Stopword,
                    SuppressReason::Baseline,
                    SuppressReason::BelowMinConfidence,
                ][usize::from(n % 6)]
            }),
            verification: self.verification.map(|(s, detail, checked_at)| Verification {
                status: [VerifyStatus::Live, VerifyStatus::Invalid, VerifyStatus::Unknown][usize::from(s % 3)],
                detail,
                checked_at,
            }),
        }
    }
}

/// A character the text report must never pass through from the input.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The text with the report's own color sequences (`ESC [ digits;… m`)
/// removed.
fn without_styles(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\x1b') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let body = after.strip_prefix('[').expect("ESC starts a color sequence");
        let end = body.find('m').expect("color sequence ends with m");
        assert!(body[..end].bytes().all(|b| b.is_ascii_digit() || b == b';'), "not a color: {:?}", &body[..end]);
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

fuzz_target!(|input: Input| {
    let findings: Vec<Finding> = input.findings.into_iter().take(20).map(FindingIn::finding).collect();
    let mut summary = Summary {
        findings: findings.len(),
        warnings: input.warnings.into_iter().take(8).map(|m| Warning::new(WarningKind::Note, m)).collect(),
        ..Summary::default()
    };
    summary.settle();
    let ctx = RunContext {
        rules: input
            .rules
            .into_iter()
            .take(8)
            .map(|r| RuleInfo {
                id: r.id,
                name: r.name,
                description: r.description,
                severity: severity(r.severity),
                confidence: confidence(r.confidence),
                references: r.references,
                remediation: r.remediation,
                provider: r.provider,
            })
            .collect(),
        base: input.base.map(|(root, prefix)| UriBase { root: PathBuf::from(format!("/{root}")), prefix }),
        vcs: input.vcs.map(|(repository_uri, revision_id, branch)| VcsInfo { repository_uri, revision_id, branch }),
        automation_id: input.automation_id,
        run: None,
        saved_from: None,
    };
    let report = |format: Format, color: bool| {
        let mut out = Vec::new();
        let opts = ReportOptions { format, show_secrets: input.show, color };
        write_report(&mut out, &findings, &summary, &opts, &ctx).expect("writing to memory");
        String::from_utf8(out).expect("reports are UTF-8")
    };

    let json = report(Format::Json, false);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON report parses");
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(findings.len()));

    let lines = report(Format::Jsonl, false);
    assert_eq!(lines.lines().count(), findings.len());
    for line in lines.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("JSON Lines line parses");
    }

    let sarif = report(Format::Sarif, false);
    let log: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF report parses");
    assert_eq!(log["runs"][0]["results"].as_array().map(Vec::len), Some(findings.len()));

    let plain = report(Format::Text, false);
    if let Some(c) = plain.chars().find(|&c| unsafe_char(c)) {
        panic!("raw {c:?} in text report: {plain:?}");
    }
    let colored = without_styles(&report(Format::Text, true));
    if let Some(c) = colored.chars().find(|&c| unsafe_char(c)) {
        panic!("raw {c:?} in colored text report: {colored:?}");
    }
});

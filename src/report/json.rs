//! JSON (`{"version": 1, "tool", "findings", "summary"}`) and JSON Lines (one
//! finding per line). Field names are a public contract: see README.

use std::io::{self, Write};

use base64::prelude::{Engine as _, BASE64_STANDARD};
use serde::Serialize;

use crate::model::{Finding, Summary, SuppressReason, Verification};
use crate::rules::Severity;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    rule_id: &'a str,
    rule_name: &'a str,
    severity: Severity,
    path: &'a str,
    /// The path's exact bytes, standard base64, when they are not UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    path_base64: Option<String>,
    /// Inside an archive: the paths of the containers, outermost first.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    container: &'a [String],
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    secret: String,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    decoded: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_head: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    occurrences: Option<usize>,
    /// Working-tree scans inside a git work tree: is the file tracked.
    #[serde(skip_serializing_if = "Option::is_none")]
    tracked: Option<bool>,
    /// Why the finding is suppressed (only with `--show-suppressed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<SuppressReason>,
    /// With `--verify`, for rules that have a live check.
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<&'a Verification>,
}

impl<'a> FindingJson<'a> {
    fn new(f: &'a Finding, show: bool) -> Self {
        let p = f.provenance.as_ref();
        FindingJson {
            rule_id: &f.rule_id,
            rule_name: &f.rule_name,
            severity: f.severity,
            path: &f.path,
            path_base64: f.path_bytes.as_ref().map(|b| BASE64_STANDARD.encode(b)),
            container: &f.container,
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            secret: f.display_secret(show),
            fingerprint: &f.fingerprint,
            decoded: f.decoded.as_deref(),
            commit: p.map(|p| p.commit.as_str()),
            author: p.map(|p| p.author.as_str()),
            email: p.map(|p| p.email.as_str()),
            date: p.map(|p| p.date.as_str()),
            in_head: p.map(|p| p.in_head),
            occurrences: p.map(|p| p.occurrences),
            tracked: f.tracked,
            suppressed: f.suppressed,
            verification: f.verification.as_ref(),
        }
    }
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<FindingJson<'a>>,
    summary: &'a Summary,
}

const TOOL: Tool = Tool { name: "keyhound", version: env!("CARGO_PKG_VERSION") };

pub fn write_document(out: &mut dyn Write, findings: &[Finding], summary: &Summary, show: bool) -> io::Result<()> {
    let doc = Document {
        version: 1,
        tool: TOOL,
        findings: findings.iter().map(|f| FindingJson::new(f, show)).collect(),
        summary,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

pub fn write_lines(out: &mut dyn Write, findings: &[Finding], show: bool) -> io::Result<()> {
    for f in findings {
        serde_json::to_writer(&mut *out, &FindingJson::new(f, show))?;
        writeln!(out)?;
    }
    Ok(())
}

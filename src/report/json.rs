//! JSON (`{"version": 1, "tool", "run", "findings", "summary"}`) and JSON
//! Lines (one finding per line). Field names are a public contract: see
//! README. The same types read a saved report back ([`super::saved`]), so
//! what is written and what is read cannot drift apart.

use std::borrow::Cow;
use std::io::{self, Write};

use base64::prelude::{Engine as _, BASE64_STANDARD};
use serde::{Deserialize, Serialize};

use super::context::{line_contexts, LineContext};
use super::incidents::{self, IncidentJson};
use super::{RunContext, RunInfo, VcsInfo};
use crate::model::{Finding, Provenance, Summary, SuppressReason, Verification};
use crate::rules::{Confidence, Severity};

#[derive(Serialize, Deserialize)]
pub(super) struct Tool<'a> {
    pub name: Cow<'a, str>,
    pub version: Cow<'a, str>,
}

/// The text around the secret on its line (other secrets there redacted).
#[derive(Serialize, Deserialize)]
pub(super) struct ContextJson<'a> {
    pub before: Cow<'a, str>,
    pub after: Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct FindingJson<'a> {
    /// Runs over many repositories: the repository, as listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<Cow<'a, str>>,
    pub rule_id: Cow<'a, str>,
    pub rule_name: Cow<'a, str>,
    pub severity: Severity,
    /// `high`, `medium` or `low`; a saved report older than confidence has
    /// none (see [`FindingJson::into_finding`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    pub path: Cow<'a, str>,
    /// The path's exact bytes, standard base64, when they are not UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_base64: Option<String>,
    /// Inside an archive: the paths of the containers, outermost first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub container: Vec<String>,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub secret: String,
    /// Runs over many repositories: the secret's SHA-256, so reports
    /// merged later group one secret's locations (`keyhound report`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_sha256: Option<String>,
    pub fingerprint: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<ContextJson<'a>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_head: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrences: Option<usize>,
    /// Working-tree scans inside a git work tree: is the file tracked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracked: Option<bool>,
    /// Why the finding is suppressed (only with `--show-suppressed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<SuppressReason>,
    /// With `--verify`, for rules that have a live check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Cow<'a, Verification>>,
}

impl<'a> FindingJson<'a> {
    fn new(f: &'a Finding, context: LineContext, show: bool) -> Self {
        let p = f.provenance.as_ref();
        let borrowed = |s: &'a String| Cow::Borrowed(s.as_str());
        FindingJson {
            repository: f.repository.as_ref().map(borrowed),
            rule_id: borrowed(&f.rule_id),
            rule_name: borrowed(&f.rule_name),
            severity: f.severity,
            confidence: Some(f.confidence),
            path: borrowed(&f.path),
            path_base64: f.path_bytes.as_ref().map(|b| BASE64_STANDARD.encode(b)),
            container: f.container.clone(),
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            secret: f.display_secret(show),
            secret_sha256: f.repository.as_ref().map(|_| f.secret_id()),
            fingerprint: borrowed(&f.fingerprint),
            context: Some(ContextJson { before: context.before.into(), after: context.after.into() }),
            decoded: f.decoded.as_ref().map(borrowed),
            commit: p.map(|p| borrowed(&p.commit)),
            author: p.map(|p| borrowed(&p.author)),
            email: p.map(|p| borrowed(&p.email)),
            date: p.map(|p| borrowed(&p.date)),
            in_head: p.map(|p| p.in_head),
            occurrences: p.map(|p| p.occurrences),
            tracked: f.tracked,
            suppressed: f.suppressed,
            verification: f.verification.as_ref().map(Cow::Borrowed),
        }
    }

    /// The finding this JSON describes (read back from a saved report):
    /// `secret` is as the report had it, redacted or not. A report written
    /// before findings carried a confidence has none: the confidence is then
    /// `rule_confidence` of the rule id (the rule as this keyhound has it),
    /// else `medium`.
    pub fn into_finding(self, rule_confidence: &dyn Fn(&str) -> Option<Confidence>) -> Result<Finding, String> {
        let path_bytes = match &self.path_base64 {
            Some(b) => Some(BASE64_STANDARD.decode(b).map_err(|e| format!("path_base64 is not base64: {e}"))?),
            None => None,
        };
        let provenance = match (self.commit, self.author, self.email, self.date) {
            (Some(commit), author, email, date) => Some(Provenance {
                commit: commit.into_owned(),
                author: author.unwrap_or_default().into_owned(),
                email: email.unwrap_or_default().into_owned(),
                date: date.unwrap_or_default().into_owned(),
                in_head: self.in_head.unwrap_or(false),
                occurrences: self.occurrences.unwrap_or(1),
            }),
            _ => None,
        };
        let (before, after) =
            self.context.map_or_else(Default::default, |c| (c.before.into_owned(), c.after.into_owned()));
        let confidence = self.confidence.or_else(|| rule_confidence(&self.rule_id)).unwrap_or_default();
        Ok(Finding {
            rule_id: self.rule_id.into_owned(),
            rule_name: self.rule_name.into_owned(),
            severity: self.severity,
            confidence,
            path: self.path.into_owned(),
            container: self.container,
            path_bytes,
            line: self.line,
            column: self.column,
            end_line: self.end_line,
            end_column: self.end_column,
            secret: self.secret,
            fingerprint: self.fingerprint.into_owned(),
            context_before: before,
            context_after: after,
            provenance,
            repository: self.repository.map(Cow::into_owned),
            secret_sha256: self.secret_sha256,
            decoded: self.decoded.map(Cow::into_owned),
            tracked: self.tracked,
            encoded: None,
            // A saved report holds the secret redacted (or shown on
            // purpose) and its hash where runs needed it.
            guessable: false,
            line_allowed: false,
            suppressed: self.suppressed,
            verification: self.verification.map(Cow::into_owned),
        })
    }
}

/// What the run was asked to do: [`RunInfo`] and [`VcsInfo`] in one object.
#[derive(Serialize, Deserialize, Default)]
pub(super) struct RunJson<'a> {
    pub command: Cow<'a, str>,
    pub targets: Vec<Cow<'a, str>>,
    pub started_at: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<Cow<'a, str>>,
}

impl<'a> RunJson<'a> {
    fn new(run: &'a RunInfo, vcs: Option<&'a VcsInfo>) -> Self {
        RunJson {
            command: Cow::Borrowed(&run.command),
            targets: run.targets.iter().map(|t| Cow::Borrowed(t.as_str())).collect(),
            started_at: Cow::Borrowed(&run.started_at),
            repository: vcs.map(|v| Cow::Borrowed(v.repository_uri.as_str())),
            commit: vcs.and_then(|v| v.revision_id.as_deref()).map(Cow::Borrowed),
            branch: vcs.and_then(|v| v.branch.as_deref()).map(Cow::Borrowed),
        }
    }

    /// The run and the repository it looked at, read back.
    pub fn into_parts(self) -> (RunInfo, Option<VcsInfo>) {
        let vcs = self.repository.map(|uri| VcsInfo {
            repository_uri: uri.into_owned(),
            revision_id: self.commit.map(Cow::into_owned),
            branch: self.branch.map(Cow::into_owned),
        });
        let run = RunInfo {
            command: self.command.into_owned(),
            targets: self.targets.into_iter().map(Cow::into_owned).collect(),
            started_at: self.started_at.into_owned(),
        };
        (run, vcs)
    }
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<RunJson<'a>>,
    findings: Vec<FindingJson<'a>>,
    /// Runs over many repositories: one secret's findings together.
    #[serde(skip_serializing_if = "Option::is_none")]
    incidents: Option<Vec<IncidentJson<'a>>>,
    summary: &'a Summary,
}

/// The version of the JSON document this keyhound writes and reads.
pub(super) const DOCUMENT_VERSION: u32 = 1;

fn tool() -> Tool<'static> {
    Tool { name: Cow::Borrowed("keyhound"), version: Cow::Borrowed(env!("CARGO_PKG_VERSION")) }
}

fn finding_objects<'a>(findings: &'a [Finding], show: bool) -> impl Iterator<Item = FindingJson<'a>> {
    findings.iter().zip(line_contexts(findings, show)).map(move |(f, c)| FindingJson::new(f, c, show))
}

pub fn write_document(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    ctx: &RunContext,
    show: bool,
) -> io::Result<()> {
    let grouped = incidents::wanted(findings).then(|| incidents::group(findings));
    let doc = Document {
        version: DOCUMENT_VERSION,
        tool: tool(),
        run: ctx.run.as_ref().map(|r| RunJson::new(r, ctx.vcs.as_ref())),
        findings: finding_objects(findings, show).collect(),
        incidents: grouped.as_ref().map(|g| g.iter().map(|i| IncidentJson::new(i, findings, show)).collect()),
        summary,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

pub fn write_lines(out: &mut dyn Write, findings: &[Finding], show: bool) -> io::Result<()> {
    for f in finding_objects(findings, show) {
        serde_json::to_writer(&mut *out, &f)?;
        writeln!(out)?;
    }
    Ok(())
}

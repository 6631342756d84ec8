//! The HTML audit report (`--format html`): one self-contained page — its
//! CSS and JavaScript inline (`html/report.css`, `html/report.js`), the
//! findings and the run's facts as a JSON data block the script renders
//! into a header, headline counts, a timeline, breakdowns and a sortable,
//! filterable findings table.
//!
//! The page loads nothing: a Content-Security-Policy `<meta>` allows no
//! source at all (`default-src 'none'`) but the page's own script and style,
//! by their SHA-256 hashes computed here, so it opens offline — from disk, a
//! CI artifact or a mail attachment — and cannot be made to fetch anything.
//! Everything that came from the scan reaches the page as JSON data and is
//! put into it as text by the script, never as markup; the data block is
//! escaped so no scanned text can close it. Secrets are redacted unless the
//! report was made with `--show-secrets`, which puts a red banner at the top
//! of the page. Links to the forge are derived from the repository's remote
//! URL ([`forge_of`]), never looked up.
//!
//! Presentation only: this module never filters or reorders findings (the
//! page's default order and filters are the reader's).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use base64::prelude::{Engine as _, BASE64_STANDARD};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::context::line_contexts;
use super::incidents::{self, Incident};
use super::{RuleInfo, RunContext};
use crate::model::{Finding, Summary, SuppressReason, Verification};
use crate::rules::{Confidence, Severity};
use crate::util::time::now_utc;
use crate::util::uri::{forge_of, ForgeKind};

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// The `Content-Security-Policy` of the page: nothing may load; only the
/// page's own style and script (by hash) may apply and run.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; script-src '{}'; style-src '{}'; img-src 'none'; font-src 'none'; connect-src 'none'; \
         media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; manifest-src 'none'; \
         base-uri 'none'; form-action 'none'",
        csp_hash(SCRIPT),
        csp_hash(STYLE)
    )
}

/// A CSP source expression allowing exactly `text` as an inline element.
fn csp_hash(text: &str) -> String {
    format!("sha256-{}", BASE64_STANDARD.encode(Sha256::digest(text.as_bytes())))
}

#[derive(Serialize)]
struct Data<'a> {
    meta: Meta<'a>,
    rules: Vec<RuleJson<'a>>,
    findings: Vec<FindingData<'a>>,
}

/// What was scanned, and how it went.
#[derive(Serialize)]
struct Meta<'a> {
    version: &'static str,
    generated_at: String,
    secrets_shown: bool,
    command: Option<&'a str>,
    targets: Vec<&'a str>,
    started_at: Option<&'a str>,
    repository: Option<&'a str>,
    commit: Option<&'a str>,
    branch: Option<&'a str>,
    /// The summary's facts below are known (not a JSON Lines re-render).
    has_summary: bool,
    rules: usize,
    scanned: usize,
    /// What one scanned item is: `file` or `blob`.
    unit: &'static str,
    bytes: u64,
    skipped_binary: usize,
    skipped_large: usize,
    suppressed: usize,
    /// The run's `--min-confidence` and, of `suppressed`, the findings
    /// below it.
    min_confidence: Option<Confidence>,
    below_min_confidence: usize,
    duration_ms: u128,
    /// `None` when unknown.
    complete: Option<bool>,
    unread: String,
    warnings: Vec<&'a str>,
    verified: bool,
    saved_from: Option<&'a str>,
    forge: Option<ForgeJson>,
}

/// Where the repository's files can be read on the web.
#[derive(Serialize)]
struct ForgeJson {
    kind: &'static str,
    name: &'static str,
    /// The repository's web page, `https://github.com/owner/name`.
    web: String,
    /// The commit a tracked file of a working-tree scan is linked at.
    head: Option<String>,
    /// The directory under the repository root that findings' paths are
    /// relative to (`keyhound scan` run in a subdirectory).
    prefix: String,
}

#[derive(Serialize)]
struct RuleJson<'a> {
    id: &'a str,
    name: &'a str,
    provider: Option<&'a str>,
    remediation: Option<&'a str>,
    /// Where to revoke the credential: the first link of the remediation
    /// text, else the rule's first reference.
    revoke: Option<&'a str>,
    references: &'a [String],
}

/// The incident a finding belongs to (runs over many repositories).
#[derive(Serialize)]
struct IncidentData {
    id: String,
    /// Findings of the same secret.
    places: usize,
    repositories: usize,
}

#[derive(Serialize)]
struct FindingData<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    incident: Option<IncidentData>,
    fingerprint: &'a str,
    /// Index into `rules`.
    rule: usize,
    severity: Severity,
    path: &'a str,
    /// Inside an archive: the containers' paths, outermost first.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    container: &'a [String],
    line: usize,
    column: usize,
    end_line: usize,
    secret: String,
    /// The secret's line: text before, the secret (or its encoded form) as
    /// shown, text after.
    context: [String; 3],
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
    #[serde(skip_serializing_if = "Option::is_none")]
    tracked: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decoded: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<SuppressReason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<&'a Verification>,
    /// `high`, `medium` or `low`: the page's counts, column and filter.
    confidence: Confidence,
}

/// Writes the report page.
pub fn write(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    ctx: &RunContext,
    show: bool,
) -> io::Result<()> {
    let data = data(findings, summary, ctx, show);
    let json = serde_json::to_string(&data).map_err(io::Error::other)?;
    let title = match (&data.meta.repository, data.meta.targets.first()) {
        (Some(repo), _) => format!("keyhound report: {repo}"),
        (None, Some(target)) => format!("keyhound report: {target}"),
        (None, None) => "keyhound report".to_string(),
    };
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"keyhound {version}\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        csp = content_security_policy(),
        version = env!("CARGO_PKG_VERSION"),
        title = escape_html(&title),
    )?;
    if show {
        writeln!(
            out,
            "<div class=\"banner\" id=\"secrets-shown\" role=\"alert\">This report shows secrets IN FULL \
             (it was made with --show-secrets). Treat this file as a secret: do not attach, upload or share it.</div>"
        )?;
    }
    writeln!(
        out,
        "<main id=\"app\"><noscript><p>This report is drawn by its inline script, which is blocked here. \
         Open the file in a web browser; it loads nothing from the network.</p></noscript></main>"
    )?;
    // `<` never appears raw in the data block, so no scanned text can end
    // it (`</script>`) or open a comment in it (`<!--`).
    writeln!(out, "<script type=\"application/json\" id=\"keyhound-data\">{}</script>", json.replace('<', "\\u003c"))?;
    writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>")
}

fn data<'a>(findings: &'a [Finding], summary: &'a Summary, ctx: &'a RunContext, show: bool) -> Data<'a> {
    let known: HashMap<&str, &RuleInfo> = ctx.rules.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut rules: Vec<RuleJson> = Vec::new();
    let mut rule_index: HashMap<&str, usize> = HashMap::new();
    let contexts = line_contexts(findings, show);
    let grouped = if incidents::wanted(findings) { incidents::group(findings) } else { Vec::new() };
    let mut incident_of: Vec<Option<&Incident>> = vec![None; findings.len()];
    for incident in &grouped {
        for &i in &incident.findings {
            incident_of[i] = Some(incident);
        }
    }
    let rows = findings
        .iter()
        .zip(contexts)
        .zip(incident_of)
        .map(|((f, context), incident)| {
            let rule = *rule_index.entry(&f.rule_id).or_insert_with(|| {
                rules.push(rule_json(f, known.get(f.rule_id.as_str()).copied()));
                rules.len() - 1
            });
            let p = f.provenance.as_ref();
            FindingData {
                repository: f.repository.as_deref(),
                incident: incident.map(|i| IncidentData {
                    id: i.id.clone(),
                    places: i.findings.len(),
                    repositories: i.repositories.len(),
                }),
                fingerprint: &f.fingerprint,
                rule,
                severity: f.severity,
                path: &f.path,
                container: &f.container,
                line: f.line,
                column: f.column,
                end_line: f.end_line,
                secret: f.display_secret(show),
                context: [context.before, f.display_at_location(show), context.after],
                commit: p.map(|p| p.commit.as_str()),
                author: p.map(|p| p.author.as_str()),
                email: p.map(|p| p.email.as_str()),
                date: p.map(|p| p.date.as_str()),
                in_head: p.map(|p| p.in_head),
                occurrences: p.map(|p| p.occurrences),
                tracked: f.tracked,
                decoded: f.decoded.as_deref(),
                suppressed: f.suppressed,
                verification: f.verification.as_ref(),
                confidence: f.confidence,
            }
        })
        .collect();
    Data { meta: meta(findings, summary, ctx, show), rules, findings: rows }
}

fn meta<'a>(findings: &[Finding], summary: &'a Summary, ctx: &'a RunContext, show: bool) -> Meta<'a> {
    let run = ctx.run.as_ref();
    let vcs = ctx.vcs.as_ref();
    let has_summary = ctx.saved_from.as_ref().is_none_or(|s| s.has_summary);
    let history = findings.iter().any(|f| f.provenance.is_some())
        || run.is_some_and(|r| matches!(r.command.as_str(), "history" | "ci"));
    let forge = vcs.and_then(|v| {
        let (kind, web) = forge_of(&v.repository_uri)?;
        let (kind, name) = match kind {
            ForgeKind::GitHub => ("github", "GitHub"),
            ForgeKind::GitLab => ("gitlab", "GitLab"),
        };
        let prefix = ctx.base.as_ref().map(|b| b.prefix.clone()).unwrap_or_default();
        Some(ForgeJson { kind, name, web, head: v.revision_id.clone(), prefix })
    });
    Meta {
        version: env!("CARGO_PKG_VERSION"),
        generated_at: now_utc(),
        secrets_shown: show,
        command: run.map(|r| r.command.as_str()),
        targets: run.map(|r| r.targets.iter().map(String::as_str).collect()).unwrap_or_default(),
        started_at: run.map(|r| r.started_at.as_str()),
        repository: vcs.map(|v| v.repository_uri.as_str()),
        commit: vcs.and_then(|v| v.revision_id.as_deref()),
        branch: vcs.and_then(|v| v.branch.as_deref()),
        has_summary,
        rules: summary.rules,
        scanned: summary.scanned,
        unit: if history { "blob" } else { "file" },
        bytes: summary.bytes,
        skipped_binary: summary.skipped_binary,
        skipped_large: summary.skipped_large,
        suppressed: summary.suppressed,
        min_confidence: summary.min_confidence,
        below_min_confidence: summary.below_min_confidence,
        duration_ms: summary.duration_ms,
        complete: has_summary.then_some(summary.complete),
        unread: summary.unread_text(),
        warnings: summary.warnings.iter().map(|w| w.message.as_str()).collect(),
        verified: summary.verified.is_some(),
        saved_from: ctx.saved_from.as_ref().map(|s| s.path.as_str()),
        forge,
    }
}

/// A rule as the page shows it; a rule the run's set does not know (a saved
/// report's custom rule) is named from the finding.
fn rule_json<'a>(f: &'a Finding, info: Option<&'a RuleInfo>) -> RuleJson<'a> {
    match info {
        Some(r) => RuleJson {
            id: &r.id,
            name: &r.name,
            provider: r.provider.as_deref(),
            remediation: r.remediation.as_deref(),
            revoke: revoke_link(r),
            references: &r.references,
        },
        None => RuleJson {
            id: &f.rule_id,
            name: &f.rule_name,
            provider: None,
            remediation: None,
            revoke: None,
            references: &[],
        },
    }
}

/// Where to revoke a rule's credential: the first web link in its
/// remediation text (which says where to revoke), else its first reference.
fn revoke_link(rule: &RuleInfo) -> Option<&str> {
    let in_text = rule.remediation.as_deref().and_then(|text| {
        let start = text.find("https://")?;
        let link = &text[start..];
        let end = link.find(|c: char| c.is_whitespace() || matches!(c, ')' | '`' | '"' | '\'')).unwrap_or(link.len());
        Some(link[..end].trim_end_matches(['.', ',', ';', ':']))
    });
    in_text.or_else(|| rule.references.first().map(String::as_str))
}

/// Text for HTML element content and attribute values.
fn escape_html(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{redact, Provenance};
    use crate::report::{RunInfo, VcsInfo};

    fn finding(secret: &str, path: &str) -> Finding {
        Finding {
            rule_id: "r".into(),
            rule_name: "Rule".into(),
            severity: Severity::High,
            confidence: Confidence::High,
            path: path.into(),
            container: Vec::new(),
            path_bytes: None,
            line: 1,
            column: 5,
            end_line: 1,
            end_column: 5 + secret.len(),
            secret: secret.into(),
            fingerprint: "f".repeat(32),
            context_before: "KEY=".into(),
            context_after: " </script><!--".into(),
            repository: None,
            secret_sha256: None,
            provenance: Some(Provenance {
                commit: "c".repeat(40),
                author: "<b>Mallory</b>".into(),
                email: "m@example.com".into(),
                date: "2024-01-02T03:04:05+00:00".into(),
                in_head: true,
                occurrences: 2,
            }),
            decoded: None,
            tracked: None,
            encoded: None,
            guessable: false,
            line_allowed: false,
            suppressed: None,
            verification: None,
        }
    }

    fn render(findings: &[Finding], ctx: &RunContext, show: bool) -> String {
        let mut out = Vec::new();
        write(&mut out, findings, &Summary::default(), ctx, show).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The JSON data block of a page.
    fn data_of(page: &str) -> serde_json::Value {
        let start = page.find("id=\"keyhound-data\">").unwrap() + "id=\"keyhound-data\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        serde_json::from_str(&page[start..end]).unwrap()
    }

    #[test]
    fn the_page_loads_nothing_and_allows_only_its_own_script_and_style() {
        let page = render(&[], &RunContext::default(), false);
        let csp = content_security_policy();
        assert!(page.contains(&format!("content=\"{csp}\"")));
        assert!(csp.starts_with("default-src 'none';"));
        assert!(csp.contains(&format!("script-src '{}'", csp_hash(SCRIPT))));
        assert!(csp.contains(&format!("style-src '{}'", csp_hash(STYLE))));
        assert!(!csp.contains("unsafe"), "{csp}");
        // The hashed texts are exactly the inline elements' contents.
        assert!(page.contains(&format!("<script>{SCRIPT}</script>")));
        assert!(page.contains(&format!("<style>{STYLE}</style>")));
        for external in ["src=", "href=", "@import", "url(", "fetch(", "XMLHttpRequest", "WebSocket"] {
            assert!(!page.contains(external), "the page refers to {external}");
        }
        assert!(!page.contains("secrets-shown"));
    }

    #[test]
    fn scanned_text_cannot_break_out_of_the_data_block() {
        let key = format!("sk-proj-{}", "Q".repeat(40));
        let page = render(&[finding(&key, "a</script><script>alert(1)</script>.env")], &RunContext::default(), false);
        assert_eq!(page.matches("</script>").count(), 2, "only the data block and the script end");
        assert!(!page.contains("<!--"));
        let data = data_of(&page);
        assert_eq!(data["findings"][0]["path"], "a</script><script>alert(1)</script>.env");
        assert_eq!(data["findings"][0]["author"], "<b>Mallory</b>");
    }

    #[test]
    fn archive_members_carry_their_container_chain() {
        let key = format!("sk-proj-{}", "Q".repeat(40));
        let mut member = finding(&key, "a.tgz!b.jar!c.properties");
        member.container = vec!["a.tgz".into(), "a.tgz!b.jar".into()];
        let data = data_of(&render(&[member, finding(&key, "plain.env")], &RunContext::default(), false));
        assert_eq!(data["findings"][0]["container"], serde_json::json!(["a.tgz", "a.tgz!b.jar"]));
        assert!(data["findings"][1].get("container").is_none());
    }

    #[test]
    fn secrets_are_redacted_unless_shown_and_shown_ones_get_a_banner() {
        let key = format!("sk-proj-{}", "Q".repeat(40));
        let other = format!("ghp_{}", "Z".repeat(36));
        let mut two = finding(&other, "a.env");
        two.context_before = format!("KEY={key} OTHER=");
        let findings = [finding(&key, "a.env"), two];
        let page = render(&findings, &RunContext::default(), false);
        assert!(!page.contains(&key) && !page.contains(&other), "a secret in clear");
        let data = data_of(&page);
        assert_eq!(data["findings"][0]["secret"], redact(&key));
        assert_eq!(data["findings"][1]["context"][0], format!("KEY={} OTHER=", redact(&key)));
        let shown = render(&findings, &RunContext::default(), true);
        assert!(shown.contains(&key) && shown.contains("id=\"secrets-shown\""));
    }

    #[test]
    fn the_run_and_forge_are_described() {
        let ctx = RunContext {
            run: Some(RunInfo {
                command: "history".into(),
                targets: vec!["all refs".into()],
                started_at: "2024-05-06T07:08:09Z".into(),
            }),
            vcs: Some(VcsInfo {
                repository_uri: "ssh://github.com/acme/app.git".into(),
                revision_id: Some("d".repeat(40)),
                branch: Some("main".into()),
            }),
            ..Default::default()
        };
        let page = render(&[finding("x".repeat(30).as_str(), "a.env")], &ctx, false);
        assert!(page.contains("<title>keyhound report: ssh://github.com/acme/app.git</title>"));
        let meta = &data_of(&page)["meta"];
        assert_eq!(meta["command"], "history");
        assert_eq!(meta["targets"][0], "all refs");
        assert_eq!(meta["forge"]["web"], "https://github.com/acme/app");
        assert_eq!(meta["forge"]["kind"], "github");
        assert_eq!(meta["unit"], "blob");
    }

    #[test]
    fn revoke_links_come_from_the_remediation_text_then_the_references() {
        let mut rule = RuleInfo {
            id: "r".into(),
            name: "R".into(),
            description: None,
            severity: Severity::High,
            confidence: Confidence::High,
            references: vec!["https://docs.example.com/keys".into()],
            remediation: Some("Revoke the key at https://example.com/api-keys, then rotate.".into()),
            provider: Some("Example".into()),
        };
        assert_eq!(revoke_link(&rule), Some("https://example.com/api-keys"));
        rule.remediation = Some("Delete it in the console (`https://example.com/x`).".into());
        assert_eq!(revoke_link(&rule), Some("https://example.com/x"));
        rule.remediation = Some("Delete it in the console.".into());
        assert_eq!(revoke_link(&rule), Some("https://docs.example.com/keys"));
        assert_eq!(escape_html("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
    }
}

//! SARIF 2.1.0 (`--format sarif`), the format code-scanning services such as
//! GitHub's read. Built with `serde-sarif`'s types.
//!
//! - `tool.driver.rules` has one descriptor per rule that produced a result,
//!   each id once (GitHub rejects duplicates); `ruleIndex` points into it.
//! - Each result has one location: a URI relative to the repository root
//!   (`uriBaseId` `%SRCROOT%`, defined in `originalUriBaseIds` when the root
//!   is known), percent-encoded, with a region in Unicode code points
//!   (`columnKind`); a path that is not UTF-8 is encoded from its exact
//!   bytes (`Finding::path_bytes`). Standard input has no URI: it is reported as `-`, the
//!   argument that reads it, described as "standard input".
//! - A finding inside an archive (`a.zip!dir/f.env`) is located at the
//!   outermost file, the one the repository has (code scanning can only
//!   annotate repository files), without a region (its line is in the
//!   member); the message names the member path and line, and
//!   `properties` carry `memberPath`, `container` and `memberRegion`.
//! - `partialFingerprints["keyhound/v1"]` is the finding's fingerprint (rule,
//!   path — the member path for an archive member — and a hash of the
//!   secret), so alerts survive lines moving.
//! - Each result's `rank` is its confidence on SARIF's 0–100 scale
//!   ([`rank`]: high 90, medium 60, low 30) and `properties.confidence` its
//!   name; a rule descriptor's `precision` is its rule's confidence.
//! - History results carry their commit, author and date in `properties`;
//!   runs over a repository carry `versionControlProvenance`.
//! - Secrets appear only redacted unless `--show-secrets`.
//! - Whether the run scanned everything it was asked to is
//!   `invocations[0].properties.complete` and `properties.summary.complete`
//!   (with `unread`, what could not be read per kind); the invocation is
//!   still `executionSuccessful`: it reported what it found.
//! - A run that could not scan is still a valid log ([`build_failed`]): no
//!   results, and an invocation with `executionSuccessful: false` saying
//!   why, so it is never mistaken for a clean result.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::Path;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification, PhysicalLocation,
    PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    RunAutomationDetails, Sarif, Suppression, Tool, ToolComponent, VersionControlDetails,
};

use super::incidents;
use super::{RuleInfo, RunContext, UriBase};
use crate::model::{Finding, Summary, SuppressReason};
use crate::rules::{Confidence, Severity};
use crate::util::paths::{normalize, normalize_slash, slash_path};
use crate::util::uri::{encode_path, file_uri, restore_raw_bytes, with_byte_stand_ins};

/// The schema URI written in `$schema`.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The key of keyhound's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "keyhound/v1";
/// The base id relative URIs are resolved against: the repository root.
pub const SRCROOT: &str = "%SRCROOT%";
/// The URI standard input is reported under.
pub const STDIN_URI: &str = "-";

/// GitHub's `security-severity` score for a severity (CVSS-like, 0-10).
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// SARIF's `rank` (0–100, how likely a result is a true positive) for a
/// confidence.
pub fn rank(c: Confidence) -> f64 {
    match c {
        Confidence::High => 90.0,
        Confidence::Medium => 60.0,
        Confidence::Low => 30.0,
    }
}

/// The SARIF level for a severity: `error` for high and critical.
pub fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium | Severity::Low => ResultLevel::Warning,
    }
}

fn level_name(s: Severity) -> &'static str {
    match level(s) {
        ResultLevel::Error => "error",
        _ => "warning",
    }
}

/// The URI of a finding's path, and the base id it is relative to (if any).
///
/// Relative paths (and absolute ones under the root) become URIs relative to
/// the repository root; paths outside it become `file://` URIs; standard
/// input is `-`.
pub fn artifact_uri(path: &str, base: Option<&UriBase>) -> (String, Option<&'static str>) {
    if path == "<stdin>" {
        return (STDIN_URI.to_string(), None);
    }
    let p = Path::new(path);
    let Some(base) = base else {
        if p.is_absolute() {
            return (file_uri(p), None);
        }
        return (encode_path(&normalize_slash(path).unwrap_or_else(|| path.to_string())), None);
    };
    let absolute = if p.is_absolute() {
        normalize(p)
    } else {
        if let Some(rel) = normalize_slash(&format!("{}/{path}", base.prefix)) {
            return (encode_path(&rel), Some(SRCROOT));
        }
        normalize(&base.root.join(&base.prefix).join(p))
    };
    match absolute.strip_prefix(&base.root) {
        Ok(rel) => (encode_path(&slash_path(rel)), Some(SRCROOT)),
        Err(_) => (file_uri(&absolute), None),
    }
}

/// [`artifact_uri`] of a finding: a path that is not UTF-8 is encoded from
/// its exact bytes, not from its lossy text.
fn finding_uri(f: &Finding, base: Option<&UriBase>) -> (String, Option<&'static str>) {
    let outer = f.outer_path();
    // The exact bytes of the outermost file: the path's, less the member.
    let member_len = f.path.len() - outer.len();
    let raw = f.path_bytes.as_deref().map(|b| &b[..b.len().saturating_sub(member_len)]);
    path_uri(outer, raw, base)
}

/// [`artifact_uri`] of `path`, or of `raw`, its exact bytes, when given.
fn path_uri(path: &str, raw: Option<&[u8]>, base: Option<&UriBase>) -> (String, Option<&'static str>) {
    match raw.and_then(with_byte_stand_ins) {
        Some(marked) => {
            let (uri, base_id) = artifact_uri(&marked, base);
            (restore_raw_bytes(&uri), base_id)
        }
        None => artifact_uri(path, base),
    }
}

fn text(s: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s.into()).build()
}

fn descriptor(rule: &RuleInfo) -> ReportingDescriptor {
    let description = rule.description.clone().unwrap_or_else(|| format!("{} found in plain text.", rule.name));
    let mut help_text = description.clone();
    let mut help_md = description.clone();
    let remediation = rule
        .remediation
        .clone()
        .unwrap_or_else(|| "Revoke the credential at its provider, issue a new one, and remove it from the code (load it from the environment or a secret manager).".to_string());
    help_text.push_str(&format!("\n\nRemediation: {remediation}"));
    help_md.push_str(&format!("\n\n**Remediation:** {remediation}"));
    if !rule.references.is_empty() {
        help_text.push_str("\n\nReferences:");
        help_md.push_str("\n\n**References:**\n");
        for r in &rule.references {
            help_text.push_str(&format!("\n- {r}"));
            help_md.push_str(&format!("\n- <{r}>"));
        }
    }
    let mut props = BTreeMap::new();
    props.insert("security-severity".to_string(), json!(security_severity(rule.severity)));
    props.insert("severity".to_string(), json!(rule.severity.to_string()));
    props.insert("precision".to_string(), json!(rule.confidence.as_str()));
    let builder = ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(rule.id.clone())
        .short_description(text(rule.name.clone()))
        .full_description(text(description))
        .help(MultiformatMessageString::builder().text(help_text).markdown(help_md).build())
        .default_configuration(ReportingConfiguration::builder().level(json!(level_name(rule.severity))).build())
        .properties(
            PropertyBag::builder()
                .tags(vec!["security".to_string(), "secret".to_string()])
                .additional_properties(props)
                .build(),
        );
    match rule.references.first() {
        Some(uri) => builder.help_uri(uri.clone()).build(),
        None => builder.build(),
    }
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// The result's message: the kind of key, the (redacted) secret, and for
/// history where it came from.
pub fn message(f: &Finding, show: bool) -> String {
    let mut m = format!("{} found: {}", f.rule_name, f.display_secret(show));
    if !f.container.is_empty() {
        m.push_str(&format!(" in archive member {} (line {}, column {})", f.path, f.line, f.column));
    }
    if let Some(p) = &f.provenance {
        m.push_str(&format!(" (added in commit {} by {} on {}", short(&p.commit), p.author, p.date));
        if !p.in_head {
            m.push_str("; removed from this path since, but still in the history");
        }
        m.push(')');
    }
    if let Some(v) = &f.verification {
        m.push_str(&format!(". Verified {} ({})", v.status, v.detail));
    }
    m.push_str(". Revoke it and remove it from the code.");
    m
}

/// A finding's incident (runs over many repositories): its id and the
/// other findings of the same secret.
struct IncidentOf<'a> {
    id: &'a str,
    others: Vec<&'a Finding>,
}

/// A place where the same secret was also found, as a related location.
fn also_at(f: &Finding, n: usize, base: Option<&UriBase>) -> Location {
    let (uri, base_id) = finding_uri(f, base);
    let mut loc = ArtifactLocation::builder().uri(uri).build();
    loc.uri_base_id = base_id.map(str::to_string);
    let region = Region::builder().start_line(f.line as i64).start_column(f.column as i64).build();
    let physical = PhysicalLocation::builder().artifact_location(loc).region(region).build();
    let repo = f.repository.as_deref().map(|r| format!("{r}: ")).unwrap_or_default();
    let text = format!("the same secret, also in {repo}{}:{}", f.path, f.line);
    Location::builder().id(n as i64).physical_location(physical).message(Message::builder().text(text).build()).build()
}

fn result(
    f: &Finding,
    index: usize,
    base: Option<&UriBase>,
    show: bool,
    incident: Option<&IncidentOf<'_>>,
) -> SarifResult {
    let (uri, base_id) = finding_uri(f, base);
    let mut loc = ArtifactLocation::builder().uri(uri).build();
    if f.path == "<stdin>" {
        loc.description = Some(Message::builder().text("standard input").build());
    }
    loc.uri_base_id = base_id.map(str::to_string);
    let region = Region::builder()
        .start_line(f.line as i64)
        .start_column(f.column as i64)
        .end_line(f.end_line as i64)
        .end_column(f.end_column as i64)
        .build();
    let mut props = BTreeMap::new();
    let physical = if f.container.is_empty() {
        PhysicalLocation::builder().artifact_location(loc).region(region).build()
    } else {
        props.insert("memberPath".to_string(), json!(f.path));
        props.insert("container".to_string(), json!(f.container));
        props.insert("memberRegion".to_string(), serde_json::to_value(&region).unwrap_or_default());
        PhysicalLocation::builder().artifact_location(loc).build()
    };
    let location = Location::builder().physical_location(physical).build();
    props.insert("severity".to_string(), json!(f.severity.to_string()));
    props.insert("confidence".to_string(), json!(f.confidence.as_str()));
    if let Some(repo) = &f.repository {
        props.insert("repository".to_string(), json!(repo));
    }
    if let Some(i) = incident {
        props.insert("incident".to_string(), json!(i.id));
    }
    if let Some(encoding) = &f.decoded {
        props.insert("decoded".to_string(), json!(encoding));
    }
    if let Some(tracked) = f.tracked {
        props.insert("tracked".to_string(), json!(tracked));
    }
    if let Some(p) = &f.provenance {
        props.insert("commit".to_string(), json!(p.commit));
        props.insert("author".to_string(), json!(p.author));
        props.insert("email".to_string(), json!(p.email));
        props.insert("date".to_string(), json!(p.date));
        props.insert("inHead".to_string(), json!(p.in_head));
        props.insert("occurrences".to_string(), json!(p.occurrences));
    }
    if let Some(v) = &f.verification {
        props.insert(
            "verification".to_string(),
            json!({ "status": v.status, "detail": v.detail, "checkedAt": v.checked_at }),
        );
    }
    let mut result = SarifResult::builder()
        .rule_id(f.rule_id.clone())
        .rule_index(index as i64)
        .level(level(f.severity))
        .message(Message::builder().text(message(f, show)).build())
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_string(), f.fingerprint.clone())]))
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    result.rank = Some(rank(f.confidence));
    if let Some(i) = incident.filter(|i| !i.others.is_empty()) {
        result.related_locations = Some(i.others.iter().enumerate().map(|(n, o)| also_at(o, n, base)).collect());
    }
    if let Some(reason) = f.suppressed {
        // Listed with --show-suppressed: SARIF's own way to say so, an allow
        // comment being "inSource" and everything else "external".
        let kind = if reason == SuppressReason::AllowComment { "inSource" } else { "external" };
        result.suppressions = Some(vec![Suppression::builder()
            .kind(json!(kind))
            .justification(format!("keyhound: {reason}"))
            .status(json!("accepted"))
            .build()]);
    }
    result
}

/// Builds the SARIF log for `findings`.
pub fn build(findings: &[Finding], summary: &Summary, ctx: &RunContext, show: bool) -> Sarif {
    let known: HashMap<&str, &RuleInfo> = ctx.rules.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut rules = Vec::new();
    let mut results = Vec::with_capacity(findings.len());
    let base = ctx.base.as_ref();
    let grouped = if incidents::wanted(findings) { incidents::group(findings) } else { Vec::new() };
    let mut incident_of: Vec<Option<usize>> = vec![None; findings.len()];
    for (k, incident) in grouped.iter().enumerate() {
        for &i in &incident.findings {
            incident_of[i] = Some(k);
        }
    }
    for (n, f) in findings.iter().enumerate() {
        let i = *index.entry(f.rule_id.as_str()).or_insert_with(|| {
            let info = known.get(f.rule_id.as_str()).map(|r| (*r).clone()).unwrap_or_else(|| RuleInfo {
                id: f.rule_id.clone(),
                name: f.rule_name.clone(),
                description: None,
                severity: f.severity,
                confidence: f.confidence,
                references: Vec::new(),
                remediation: None,
                provider: None,
            });
            rules.push(descriptor(&info));
            rules.len() - 1
        });
        let incident = incident_of[n].map(|k| IncidentOf {
            id: &grouped[k].id,
            others: grouped[k].findings.iter().filter(|&&j| j != n).map(|&j| &findings[j]).collect(),
        });
        results.push(result(f, i, base, show, incident.as_ref()));
    }

    let driver = driver(rules);
    let notifications: Vec<Notification> = summary
        .warnings
        .iter()
        .map(|w| {
            Notification::builder()
                .message(Message::builder().text(w.message.clone()).build())
                .level(json!("warning"))
                .build()
        })
        .collect();
    // The tool ran (`executionSuccessful`), but whether it scanned all it
    // was asked to is `properties.complete`.
    let complete = PropertyBag::builder()
        .additional_properties(BTreeMap::from([("complete".to_string(), json!(summary.complete))]))
        .build();
    let invocation = if notifications.is_empty() {
        Invocation::builder().execution_successful(true).properties(complete).build()
    } else {
        Invocation::builder()
            .execution_successful(true)
            .tool_execution_notifications(notifications)
            .properties(complete)
            .build()
    };
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .invocations(vec![invocation])
        .properties(
            PropertyBag::builder()
                .additional_properties(BTreeMap::from([(
                    "summary".to_string(),
                    json!({
                        "findings": summary.findings,
                        "scanned": summary.scanned,
                        "bytes": summary.bytes,
                        "skipped_binary": summary.skipped_binary,
                        "skipped_large": summary.skipped_large,
                        "duration_ms": summary.duration_ms,
                        "rules": summary.rules,
                        "complete": summary.complete,
                        "unread": summary.unread,
                    }),
                )]))
                .build(),
        )
        .build();
    run.automation_details = automation_details(ctx);
    if let Some(base) = base {
        let mut root = file_uri(&base.root);
        if !root.ends_with('/') {
            root.push('/');
        }
        run.original_uri_base_ids =
            Some(BTreeMap::from([(SRCROOT.to_string(), ArtifactLocation::builder().uri(root).build())]));
    }
    if let Some(vcs) = &ctx.vcs {
        let mut details = VersionControlDetails::builder().repository_uri(vcs.repository_uri.clone()).build();
        details.revision_id = vcs.revision_id.clone();
        details.branch = vcs.branch.clone();
        if base.is_some() {
            details.mapped_to = Some(ArtifactLocation::builder().uri_base_id(SRCROOT).build());
        }
        run.version_control_provenance = Some(vec![details]);
    }
    Sarif::builder().schema(SCHEMA_URI).version(json!("2.1.0")).runs(vec![run]).build()
}

/// keyhound as SARIF's `tool.driver`, with these rule descriptors.
fn driver(rules: Vec<ReportingDescriptor>) -> ToolComponent {
    ToolComponent::builder()
        .name("keyhound")
        .full_name(format!("keyhound {}", env!("CARGO_PKG_VERSION")))
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(rules)
        .build()
}

fn automation_details(ctx: &RunContext) -> Option<RunAutomationDetails> {
    ctx.automation_id.as_ref().map(|id| RunAutomationDetails::builder().id(id.clone()).build())
}

/// The SARIF log of a run that failed before it could report: one run with
/// the tool driver, no results, and `invocations[0]` with
/// `executionSuccessful: false` and the reason as an error notification.
/// `reason` is written as given: the caller keeps secrets out of it.
pub fn build_failed(reason: &str, ctx: &RunContext) -> Sarif {
    let notification = Notification::builder()
        .message(Message::builder().text(reason.to_string()).build())
        .level(json!("error"))
        .build();
    let invocation =
        Invocation::builder().execution_successful(false).tool_execution_notifications(vec![notification]).build();
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver(Vec::new())).build())
        .results(Vec::new())
        .invocations(vec![invocation])
        .build();
    run.automation_details = automation_details(ctx);
    Sarif::builder().schema(SCHEMA_URI).version(json!("2.1.0")).runs(vec![run]).build()
}

/// Writes [`build_failed`]'s log.
pub fn write_failed(out: &mut dyn Write, reason: &str, ctx: &RunContext) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &build_failed(reason, ctx))?;
    writeln!(out)
}

pub fn write(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    ctx: &RunContext,
    show: bool,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &build(findings, summary, ctx, show))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn base(root: &str, prefix: &str) -> UriBase {
        UriBase { root: PathBuf::from(root), prefix: prefix.to_string() }
    }

    #[test]
    fn uris_are_relative_encoded_and_slash_separated() {
        let b = base("/work/repo", "");
        assert_eq!(artifact_uri("src/a.rs", Some(&b)), ("src/a.rs".to_string(), Some(SRCROOT)));
        assert_eq!(artifact_uri("./src/a.rs", Some(&b)).0, "src/a.rs");
        assert_eq!(artifact_uri("my dir/100%.env", Some(&b)).0, "my%20dir/100%25.env");
        assert_eq!(artifact_uri("a#b?c.txt", Some(&b)).0, "a%23b%3Fc.txt");
        assert_eq!(artifact_uri("café/ключ.env", Some(&b)).0, "caf%C3%A9/%D0%BA%D0%BB%D1%8E%D1%87.env");
        assert_eq!(artifact_uri("c:config", Some(&b)).0, "c%3Aconfig");
        assert_eq!(artifact_uri("/work/repo/x/y.env", Some(&b)), ("x/y.env".to_string(), Some(SRCROOT)));
        assert_eq!(artifact_uri("/elsewhere/y.env", Some(&b)), ("file:///elsewhere/y.env".to_string(), None));
        assert_eq!(artifact_uri("<stdin>", Some(&b)), ("-".to_string(), None));
        assert_eq!(artifact_uri("a.env", None), ("a.env".to_string(), None));
    }

    #[test]
    fn uris_of_names_that_are_not_utf8_encode_their_bytes() {
        let b = base("/work/repo", "app");
        let raw: &[u8] = b"conf/k\xff.env";
        assert_eq!(path_uri("conf/k\u{fffd}.env", Some(raw), Some(&b)).0, "app/conf/k%FF.env");
        let abs: &[u8] = b"/work/repo/x/\xe9.env";
        assert_eq!(path_uri("", Some(abs), Some(&b)), ("x/%E9.env".to_string(), Some(SRCROOT)));
        let outside: &[u8] = b"/elsewhere/\xe9.env";
        assert_eq!(path_uri("", Some(outside), Some(&b)), ("file:///elsewhere/%E9.env".to_string(), None));
        assert_eq!(path_uri("a b.env", None, None).0, "a%20b.env");
    }

    #[test]
    fn uris_from_a_subdirectory_include_its_prefix() {
        let b = base("/work/repo", "app/conf");
        assert_eq!(artifact_uri("k.env", Some(&b)).0, "app/conf/k.env");
        assert_eq!(artifact_uri("../other/k.env", Some(&b)).0, "app/other/k.env");
        assert_eq!(artifact_uri("../../../up.env", Some(&b)), ("file:///work/up.env".to_string(), None));
    }

    #[test]
    fn failed_runs_have_no_results_and_say_why() {
        let ctx = RunContext { automation_id: Some("keyhound-history/".into()), ..Default::default() };
        let doc = serde_json::to_value(build_failed("not a git repository", &ctx)).unwrap();
        let run = &doc["runs"][0];
        assert_eq!(doc["version"], "2.1.0");
        assert_eq!(run["tool"]["driver"]["name"], "keyhound");
        assert_eq!(run["results"], json!([]));
        assert_eq!(run["automationDetails"]["id"], "keyhound-history/");
        let invocation = &run["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        assert_eq!(invocation["toolExecutionNotifications"][0]["message"]["text"], "not a git repository");
        assert_eq!(invocation["toolExecutionNotifications"][0]["level"], "error");
        let plain = serde_json::to_value(build(&[], &Summary::default(), &RunContext::default(), false)).unwrap();
        assert!(plain["runs"][0].get("automationDetails").is_none());
    }

    #[test]
    fn incomplete_runs_succeed_but_say_they_are_incomplete() {
        let mut summary = Summary {
            warnings: vec![crate::model::Warning::new(crate::model::WarningKind::MissingObject, "missing blob")],
            ..Default::default()
        };
        summary.settle();
        let doc = serde_json::to_value(build(&[], &summary, &RunContext::default(), false)).unwrap();
        let run = &doc["runs"][0];
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
        assert_eq!(run["invocations"][0]["properties"]["complete"], false);
        assert_eq!(run["properties"]["summary"]["complete"], false);
        assert_eq!(run["properties"]["summary"]["unread"]["missing-object"], 1);
        let mut clean = Summary::default();
        clean.settle();
        let doc = serde_json::to_value(build(&[], &clean, &RunContext::default(), false)).unwrap();
        assert_eq!(doc["runs"][0]["invocations"][0]["properties"]["complete"], true);
    }

    #[test]
    fn severities_map_to_levels_and_scores() {
        assert_eq!(level(Severity::Critical), ResultLevel::Error);
        assert_eq!(level(Severity::High), ResultLevel::Error);
        assert_eq!(level(Severity::Medium), ResultLevel::Warning);
        assert_eq!(security_severity(Severity::Critical), "9.5");
        assert_eq!(security_severity(Severity::Low), "3.0");
        assert_eq!(Confidence::ALL.map(rank), [30.0, 60.0, 90.0]);
    }
}

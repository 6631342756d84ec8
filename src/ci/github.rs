//! What `keyhound ci` tells GitHub Actions, as text: workflow-command
//! annotations (`::error file=…::…`), the Markdown job summary (of a scan,
//! or of a run that failed), and the step outputs. Pure formatting; secrets
//! are always redacted here, whatever `--show-secrets` says, because logs and
//! summaries are visible to everyone who can read the repository.
//!
//! Text from what was scanned (paths, rule names, authors, messages that
//! quote them) goes through [`escape_controls`] before the workflow-command
//! or Markdown escaping, so no raw control character or bidi control reaches
//! the log or the summary.

use crate::model::{Finding, Summary};
use crate::report::sarif;
use crate::rules::{Confidence, Severity};
use crate::util::text::{escape_controls, escape_controls_keep_lines};
use crate::util::uri::encode_path;

/// Escapes a workflow command's message (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Where the repository is relative to the workspace, so annotation paths
/// (which GitHub resolves against `GITHUB_WORKSPACE`) point at the file.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// The repository's directory relative to the workspace, `/`-separated,
    /// empty when it is the workspace.
    pub prefix: String,
    /// `https://github.com/owner/repo` (from `GITHUB_SERVER_URL` and
    /// `GITHUB_REPOSITORY`), for links in the summary.
    pub web: Option<String>,
}

impl Links {
    /// The workspace-relative path of `path`.
    fn of(&self, path: &str) -> String {
        if self.prefix.is_empty() {
            path.to_string()
        } else {
            format!("{}/{path}", self.prefix)
        }
    }

    fn path(&self, f: &Finding) -> String {
        self.of(&f.path)
    }
}

/// One `::error`/`::warning` workflow command for a finding.
pub fn annotation(f: &Finding, links: &Links) -> String {
    let command = match f.severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
    };
    // A member of an archive is annotated on the archive, which is the
    // file the repository has; its line is in the member, so none is given
    // (the message names the member and its line).
    let mut props = vec![format!("file={}", escape_property(&escape_controls(&links.of(f.outer_path()))))];
    if f.container.is_empty() {
        props.push(format!("line={}", f.line));
        props.push(format!("endLine={}", f.end_line));
    }
    if f.container.is_empty() && f.line == f.end_line {
        props.push(format!("col={}", f.column));
        props.push(format!("endColumn={}", f.end_column));
    }
    let title = format!("keyhound: {} ({}, {} confidence)", f.rule_name, f.rule_id, f.confidence);
    props.push(format!("title={}", escape_property(&escape_controls(&title))));
    format!("::{command} {}::{}", props.join(","), escape_data(&escape_controls(&sarif::message(f, false))))
}

/// A `::warning::` workflow command for a message (its control characters
/// escaped; line breaks kept, as `%0A`).
pub fn warning(message: &str) -> String {
    format!("::warning title=keyhound::{}", escape_data(&escape_controls_keep_lines(message)))
}

/// An `::error::` workflow command for a message (a run that failed).
pub fn error(message: &str) -> String {
    format!("::error title=keyhound::{}", escape_data(&escape_controls_keep_lines(message)))
}

/// Escapes text for a Markdown table cell (control characters first).
fn cell(s: &str) -> String {
    let s = escape_controls(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text in a code span inside a table cell (backticks cannot be escaped in
/// one, so they become quotes; pipes must be).
pub(super) fn code(s: &str) -> String {
    let s = escape_controls(s);
    format!("`{}`", s.replace('`', "'").replace('|', "\\|").replace(['\n', '\r'], " "))
}

/// The Markdown job summary: what was scanned, whether all of it could be
/// (`summary` settled: an incomplete run says so in its heading), the
/// findings by confidence (and how many `--min-confidence` held back) and a
/// table of findings.
pub fn summary_markdown(
    findings: &[Finding],
    what: &str,
    summary: &Summary,
    links: &Links,
    sarif_file: &str,
) -> String {
    let mut md = String::new();
    let n = findings.len();
    let scanned = summary.scanned;
    let incomplete = if summary.complete { "" } else { " (scan INCOMPLETE)" };
    if n == 0 && summary.complete {
        md.push_str("### keyhound: no secrets found\n\n");
    } else if n == 0 {
        md.push_str("### keyhound: scan INCOMPLETE, no secrets found in what could be read\n\n");
    } else {
        md.push_str(&format!("### keyhound: {n} secret{} found{incomplete}\n\n", if n == 1 { "" } else { "s" }));
    }
    md.push_str(&format!("Scanned {}: {scanned} blob{}.\n\n", cell(what), if scanned == 1 { "" } else { "s" }));
    if !summary.complete {
        md.push_str(&format!(
            "> [!WARNING]\n> **The scan was incomplete: {} not scanned.** Secrets there are unchecked: \
             restore the missing content (a full, non-shallow clone with every object) and re-run the job.\n\n",
            summary.unread_text()
        ));
    }
    if n > 0 {
        let by: Vec<String> = Confidence::ALL
            .iter()
            .rev()
            .map(|&c| (c, findings.iter().filter(|f| f.confidence == c).count()))
            .filter(|&(_, k)| k > 0)
            .map(|(c, k)| format!("{k} {c}"))
            .collect();
        md.push_str(&format!("By confidence: {}.\n\n", by.join(", ")));
    }
    if let (Some(level), below @ 1..) = (summary.min_confidence, summary.below_min_confidence) {
        md.push_str(&format!(
            "{below} finding{} below the minimum confidence ({level}) not reported: run with \
             `--min-confidence low` to see {}.\n\n",
            if below == 1 { "" } else { "s" },
            if below == 1 { "it" } else { "them" }
        ));
    }
    if n > 0 {
        md.push_str("| Rule | Confidence | File | Commit | Author | Secret |\n| --- | --- | --- | --- | --- | --- |\n");
        for f in findings {
            let location = format!("{}:{}", links.path(f), f.line);
            let commit = f.provenance.as_ref().map(|p| p.commit.as_str()).unwrap_or("");
            let file = match (&links.web, commit.is_empty()) {
                (Some(web), false) if f.container.is_empty() => {
                    format!("[{}]({web}/blob/{commit}/{}#L{})", code(&location), encode_path(&links.path(f)), f.line)
                }
                (Some(web), false) => {
                    format!("[{}]({web}/blob/{commit}/{})", code(&location), encode_path(&links.of(f.outer_path())))
                }
                _ => code(&location),
            };
            let commit_cell = match (&links.web, commit.is_empty()) {
                (_, true) => String::new(),
                (Some(web), false) => format!("[{}]({web}/commit/{commit})", code(&commit[..commit.len().min(12)])),
                (None, false) => code(&commit[..commit.len().min(12)]),
            };
            let author = f.provenance.as_ref().map(|p| cell(&p.author)).unwrap_or_default();
            md.push_str(&format!(
                "| {} ({}) | {} | {file} | {commit_cell} | {author} | {} |\n",
                cell(&f.rule_name),
                code(&f.rule_id),
                f.confidence,
                code(&f.display_secret(false))
            ));
        }
        md.push_str(
            "\nEach key listed is in the repository's history: revoke it at its provider and issue a new one, \
             then remove it from the code. Deleting the line does not make a pushed key safe.\n",
        );
    }
    md.push_str(&format!("\nSARIF report: {}\n", code(sarif_file)));
    md
}

/// The Markdown job summary of a run that failed before it could report:
/// no result, and why. `sarif_file` is the (empty) report written for
/// code scanning, if one could be.
pub fn failure_markdown(reason: &str, sarif_file: Option<&str>) -> String {
    let reason = escape_controls_keep_lines(reason);
    let mut md = String::from("### keyhound: the secret scan did not complete\n\n");
    // A code block shows the message as it is, lines and backticks
    // included; its fence is longer than any run of backticks inside.
    let longest = reason.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    md.push_str(&format!("**Error:**\n\n{fence}text\n{}\n{fence}\n\n", reason.trim_end()));
    md.push_str(
        "Nothing was reported for this run: any secret in what it was to scan is still unchecked. \
         Fix the problem above and re-run the job.\n",
    );
    if let Some(file) = sarif_file {
        md.push_str(&format!(
            "\nSARIF report: {} (no results: it records that the run failed, not a clean result)\n",
            code(file)
        ));
    }
    md
}

/// Lines for `$GITHUB_OUTPUT`: `name=value`, or the heredoc form for a
/// value with a line break.
pub fn output_line(name: &str, value: &str) -> String {
    if value.contains(['\n', '\r']) {
        let mut delim = "KEYHOUND_EOF".to_string();
        while value.contains(&delim) {
            delim.push('_');
        }
        format!("{name}<<{delim}\n{value}\n{delim}\n")
    } else {
        format!("{name}={value}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Provenance;

    fn finding() -> Finding {
        Finding {
            rule_id: "openai-project-key".into(),
            rule_name: "OpenAI project API key".into(),
            severity: Severity::Critical,
            confidence: Confidence::High,
            path: "config/a,b:c.env".into(),
            container: Vec::new(),
            path_bytes: None,
            line: 3,
            column: 16,
            end_line: 3,
            end_column: 180,
            secret: format!("sk-proj-Ab{}", "q".repeat(154)),
            fingerprint: "f".repeat(32),
            context_before: String::new(),
            context_after: String::new(),
            decoded: None,
            encoded: None,
            tracked: None,
            guessable: false,
            line_allowed: false,
            suppressed: None,
            verification: None,
            repository: None,
            secret_sha256: None,
            provenance: Some(Provenance {
                commit: "0123456789abcdef0123456789abcdef01234567".into(),
                author: "Ann | Example".into(),
                email: "ann@example.com".into(),
                date: "2024-01-01T00:00:00+00:00".into(),
                in_head: true,
                occurrences: 1,
            }),
        }
    }

    #[test]
    fn annotations_escape_properties_and_redact() {
        let f = finding();
        let a = annotation(&f, &Links::default());
        assert!(
            a.starts_with(
                "::error file=config/a%2Cb%3Ac.env,line=3,endLine=3,col=16,endColumn=180,title=keyhound%3A OpenAI project API key (openai-project-key%2C high confidence)::"
            ),
            "{a}"
        );
        assert!(a.contains("sk-proj-Ab…(164 chars)") && !a.contains(&f.secret), "{a}");
        assert!(a.contains("0123456789ab"), "{a}");
        assert_eq!(escape_data("50%\r\nx"), "50%25%0D%0Ax");
        let linked = annotation(&f, &Links { prefix: "sub".into(), web: None });
        assert!(linked.contains("file=sub/config"), "{linked}");
    }

    fn settled(scanned: usize) -> Summary {
        let mut s = Summary { scanned, ..Default::default() };
        s.settle();
        s
    }

    #[test]
    fn incomplete_runs_say_so_first() {
        let mut s = Summary {
            scanned: 2,
            warnings: vec![crate::model::Warning::new(crate::model::WarningKind::MissingObject, "missing blob")],
            ..Default::default()
        };
        s.settle();
        let md = summary_markdown(&[], "the whole history", &s, &Links::default(), "k.sarif");
        assert!(md.starts_with("### keyhound: scan INCOMPLETE"), "{md}");
        assert!(md.contains("**The scan was incomplete: 1 missing object not scanned.**"), "{md}");
        let md = summary_markdown(std::slice::from_ref(&finding()), "x", &s, &Links::default(), "k.sarif");
        assert!(md.starts_with("### keyhound: 1 secret found (scan INCOMPLETE)"), "{md}");
        let clean = summary_markdown(&[], "x", &settled(2), &Links::default(), "k.sarif");
        assert!(!clean.contains("INCOMPLETE") && !clean.contains("incomplete"), "{clean}");
    }

    #[test]
    fn summary_is_a_redacted_table() {
        let f = finding();
        let links = Links { prefix: String::new(), web: Some("https://github.com/o/r".into()) };
        let md = summary_markdown(
            std::slice::from_ref(&f),
            "the commits of pull request #1",
            &settled(4),
            &links,
            "keyhound.sarif",
        );
        assert!(md.starts_with("### keyhound: 1 secret found"), "{md}");
        assert!(md.contains("| Rule | Confidence | File | Commit | Author | Secret |"), "{md}");
        assert!(md.contains("By confidence: 1 high.") && md.contains("| high |"), "{md}");
        assert!(!md.contains("minimum confidence"), "{md}");
        assert!(md.contains("Ann \\| Example"), "{md}");
        assert!(
            md.contains("https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/config/a,b%3Ac.env#L3"),
            "{md}"
        );
        assert!(md.contains("`sk-proj-Ab…(164 chars)`") && !md.contains(&f.secret), "{md}");
        let none = summary_markdown(&[], "the whole history", &settled(1), &Links::default(), "k.sarif");
        assert!(none.starts_with("### keyhound: no secrets found") && none.contains(": 1 blob."), "{none}");
    }

    #[test]
    fn summary_counts_by_confidence_and_says_what_was_held_back() {
        let mut low = finding();
        low.confidence = Confidence::Medium;
        let mut s = settled(3);
        s.min_confidence = Some(Confidence::Medium);
        s.below_min_confidence = 2;
        let md = summary_markdown(&[finding(), low.clone(), low], "x", &s, &Links::default(), "k.sarif");
        assert!(md.contains("By confidence: 1 high, 2 medium.\n"), "{md}");
        assert!(md.contains("2 findings below the minimum confidence (medium) not reported"), "{md}");
        assert!(md.contains("`--min-confidence low`"), "{md}");
        let none = summary_markdown(&[], "x", &s, &Links::default(), "k.sarif");
        assert!(none.starts_with("### keyhound: no secrets found") && none.contains("2 findings below"), "{none}");
        assert!(!none.contains("By confidence"), "{none}");
    }

    #[test]
    fn failures_are_told_as_an_error_and_a_summary() {
        assert_eq!(error("cannot fetch\nat all: 100%"), "::error title=keyhound::cannot fetch%0Aat all: 100%25");
        let md = failure_markdown("the `push` payload | is *bad*\n  | ^", Some("out/k.sarif"));
        assert!(md.starts_with("### keyhound: the secret scan did not complete\n"), "{md}");
        assert!(md.contains("**Error:**\n\n```text\nthe `push` payload | is *bad*\n  | ^\n```\n"), "{md}");
        let fenced = failure_markdown("a ``` b", None);
        assert!(fenced.contains("\n````text\na ``` b\n````\n"), "{fenced}");
        assert!(md.contains("still unchecked") && md.contains("`out/k.sarif`"), "{md}");
        assert!(!failure_markdown("x", None).contains("SARIF"));
    }

    #[test]
    fn schedule_summary_has_no_literal_backticks() {
        let what = crate::ci::plan::plan(Some("workflow_dispatch"), None).unwrap().describe().to_string();
        let md = summary_markdown(&[], &what, &settled(3), &Links::default(), "k.sarif");
        assert!(md.contains("Scanned the whole history (workflow\\_dispatch event): 3 blobs."), "{md}");
        assert!(!md.contains("\\`"), "{md}");
    }

    #[test]
    fn scanned_text_reaches_log_and_summary_escaped() {
        let mut f = finding();
        f.path = "a\x1b[2J\u{202e}.env".into();
        f.rule_name = "Evil\x07 rule".into();
        f.provenance.as_mut().unwrap().author = "Eve\x1b]0;pwned\x07\u{9b}".into();
        let raw = |s: &str| s.chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c));
        let a = annotation(&f, &Links::default());
        assert!(!raw(&a) && a.contains("file=a\\x1b[2J\\u202e.env") && a.contains("Evil\\x07 rule"), "{a}");
        assert!(a.contains("Eve\\x1b]0;pwned\\x07\\u009b"), "{a}");
        let md = summary_markdown(std::slice::from_ref(&f), "x", &settled(1), &Links::default(), "k.sarif");
        assert!(!md.replace('\n', "").chars().any(|c| c.is_control() || c == '\u{202e}'), "{md}");
        assert!(md.contains("`a\\x1b[2J\\u202e.env:3`") && md.contains("Eve\\\\x1b"), "{md}");
        assert_eq!(warning("bad\x1bname\nnext"), "::warning title=keyhound::bad\\x1bname%0Anext");
        assert!(failure_markdown("no \u{202e}file", None).contains("no \\u202efile"));
    }

    #[test]
    fn outputs() {
        assert_eq!(output_line("findings", "2"), "findings=2\n");
        assert_eq!(output_line("x", "a\nb"), "x<<KEYHOUND_EOF\na\nb\nKEYHOUND_EOF\n");
    }
}

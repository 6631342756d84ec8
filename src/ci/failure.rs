//! What a failed `keyhound ci` run leaves where a GitHub Actions user looks:
//! an `::error` workflow command, a job-summary section saying the scan did
//! not complete and why, the step outputs (`findings` empty, `category`,
//! `sarif-file`), and at `--sarif-file` a SARIF log with no results whose
//! invocation says the run failed — so an `if: always()` upload step has a
//! valid file to upload, and code scanning does not take the failure for a
//! clean result.
//!
//! A [`FailureReport`] is built from the arguments and the environment
//! alone, before anything can fail, so errors raised anywhere (reading the
//! event payload, validating the config, fetching) are reported alike. It
//! does not decide the exit code or print the error on standard error —
//! `main` does both — and it never fails: what it cannot write comes back as
//! warnings. Reasons go through [`public_reason`] first: workflow logs and
//! summaries are visible to everyone who can read the repository.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::output_file::write_guarded;
use super::{append, automation_id, category_of, github, plan};
use crate::report::{sarif, RunContext};
use crate::util::uri::scrub_urls;

/// Where a failed `keyhound ci` run reports its failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureReport {
    /// `--sarif-file`: where the SARIF log of the failed run goes.
    pub sarif_file: PathBuf,
    /// The code-scanning category, as a successful run would report it.
    pub category: String,
    /// `GITHUB_STEP_SUMMARY`.
    pub step_summary: Option<PathBuf>,
    /// `GITHUB_OUTPUT`.
    pub output_file: Option<PathBuf>,
    /// `GITHUB_WORKSPACE`: no symbolic link inside it is written through.
    pub workspace: Option<PathBuf>,
}

impl FailureReport {
    /// The report for a `keyhound ci --sarif-file <sarif_file> [--category
    /// <category>]` run, from the environment (looked up through `var`);
    /// `None` outside GitHub Actions (`GITHUB_ACTIONS` is not `true`), where
    /// the error on standard error is all there is. An unusable `--category`
    /// (itself an error the run reports) falls back to the event's default.
    pub fn from_env(
        sarif_file: PathBuf,
        category: Option<&str>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Option<FailureReport> {
        let var = |k: &str| var(k).filter(|v| !v.is_empty());
        if var("GITHUB_ACTIONS").as_deref() != Some("true") {
            return None;
        }
        let event = var("GITHUB_EVENT_NAME");
        let category = category_of(event.as_deref(), category)
            .unwrap_or_else(|_| plan::default_category(event.as_deref()).to_string());
        Some(FailureReport {
            sarif_file,
            category,
            step_summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output_file: var("GITHUB_OUTPUT").map(PathBuf::from),
            workspace: var("GITHUB_WORKSPACE").map(PathBuf::from),
        })
    }

    /// Tells GitHub Actions the run failed because of `reason` (already
    /// cleaned with [`public_reason`]): the SARIF log, an `::error` line on
    /// `commands` (standard output), the job summary, the step outputs.
    /// Returns what could not be written.
    pub fn write(&self, reason: &str, commands: &mut dyn Write) -> Vec<String> {
        let mut problems = Vec::new();
        let sarif_name = match self.write_sarif(reason) {
            Ok(()) => Some(self.sarif_file.display().to_string()),
            Err(e) => {
                problems.push(format!("{e:#}"));
                None
            }
        };
        if let Err(e) = writeln!(commands, "{}", github::error(reason)).and_then(|()| commands.flush()) {
            problems.push(format!("cannot write to standard output: {e}"));
        }
        if let Some(path) = &self.step_summary {
            if let Err(e) = append(path, &github::failure_markdown(reason, sarif_name.as_deref())) {
                problems.push(format!("{e:#}"));
            }
        }
        if let Some(path) = &self.output_file {
            // `findings` is empty, not 0: nothing was counted.
            let lines = github::output_line("findings", "")
                + &github::output_line("category", &self.category)
                + &github::output_line("sarif-file", sarif_name.as_deref().unwrap_or(""));
            if let Err(e) = append(path, &lines) {
                problems.push(format!("{e:#}"));
            }
        }
        problems
    }

    /// Tells GitHub Actions a run that did report failed because its scan
    /// was incomplete (`reason` is a [`crate::model::Incomplete`], cleaned
    /// with [`public_reason`]): only the `::error` line on `commands`. The
    /// run already wrote its SARIF log (with what it found, and
    /// `complete: false`), job summary and step outputs, which must not be
    /// replaced by those of a run that reported nothing. Returns what could
    /// not be written.
    pub fn write_incomplete(&self, reason: &str, commands: &mut dyn Write) -> Vec<String> {
        match writeln!(commands, "{}", github::error(reason)).and_then(|()| commands.flush()) {
            Ok(()) => Vec::new(),
            Err(e) => vec![format!("cannot write to standard output: {e}")],
        }
    }

    /// The SARIF log of the failed run, at `--sarif-file` (directories
    /// created as needed).
    fn write_sarif(&self, reason: &str) -> Result<()> {
        let path = &self.sarif_file;
        let cannot = || format!("cannot write the SARIF report {}", path.display());
        let ctx = RunContext { automation_id: Some(automation_id(&self.category)), ..Default::default() };
        write_guarded(path, self.workspace.as_deref(), |w| sarif::write_failed(w, reason, &ctx)).with_context(cannot)
    }
}

/// An error message fit for a public log: every URL without credentials,
/// and every word that looks like a credential — 20 or more letters, digits
/// and `_+=`, mixing upper- and lower-case letters and digits — cut to its
/// first four characters and its length, as findings are shown.
pub fn public_reason(message: &str) -> String {
    let text = scrub_urls(message);
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=') {
            word.push(c);
        } else {
            out.push_str(&redacted_word(&word));
            word.clear();
            out.push(c);
        }
    }
    out.push_str(&redacted_word(&word));
    out
}

fn redacted_word(word: &str) -> String {
    let has = |f: fn(&u8) -> bool| word.as_bytes().iter().any(f);
    let credential_like =
        word.len() >= 20 && has(u8::is_ascii_digit) && has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase);
    if credential_like {
        format!("{}…({} chars)", &word[..4], word.len())
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn only_under_github_actions() {
        let outside = env(&[("GITHUB_OUTPUT", "/tmp/o")]);
        assert_eq!(FailureReport::from_env("k.sarif".into(), None, |k| outside.get(k).cloned()), None);
        let inside = env(&[("GITHUB_ACTIONS", "true"), ("GITHUB_EVENT_NAME", "push"), ("GITHUB_OUTPUT", "/tmp/o")]);
        let r = FailureReport::from_env("k.sarif".into(), None, |k| inside.get(k).cloned()).unwrap();
        assert_eq!(r.category, plan::CHANGES_CATEGORY);
        assert_eq!(r.output_file, Some(PathBuf::from("/tmp/o")));
        assert_eq!(r.step_summary, None);
        let r = FailureReport::from_env("k.sarif".into(), Some(""), |k| inside.get(k).cloned()).unwrap();
        assert_eq!(r.category, plan::CHANGES_CATEGORY, "a bad --category falls back to the default");
        let r = FailureReport::from_env("k.sarif".into(), Some("web"), |k| inside.get(k).cloned()).unwrap();
        assert_eq!(r.category, "web");
    }

    #[test]
    fn reasons_lose_credentials() {
        let token = format!("ghp_{}", "Ab1".repeat(12));
        let reason = public_reason(&format!(
            "`git fetch origin` failed: fatal: unable to access 'https://x:{token}@github.com/o/r/': 403; token {token}"
        ));
        assert!(!reason.contains(&token), "{reason}");
        assert!(reason.contains("'https://github.com/o/r/'") && reason.contains("ghp_…(40 chars)"), "{reason}");
        // Commit ids, paths, branch names and flags stay as they are.
        let plain = "commit 0123456789abcdef0123456789abcdef01234567 of feature/ABC-1234-improveLogging \
                     in /home/runner/work/Repo2024/Repo2024: --max-file-size";
        assert_eq!(public_reason(plain), plain);
    }

    /// A report whose files all go under `dir` (the SARIF file at `sarif`).
    fn report_in(dir: &std::path::Path, sarif: &str) -> FailureReport {
        FailureReport {
            sarif_file: dir.join(sarif),
            category: "keyhound-history".into(),
            step_summary: Some(dir.join("summary.md")),
            output_file: Some(dir.join("output.txt")),
            workspace: Some(dir.to_path_buf()),
        }
    }

    #[test]
    fn an_incomplete_run_only_adds_the_error_line() {
        let dir = tempfile::tempdir().unwrap();
        let report = report_in(dir.path(), "k.sarif");
        let mut stdout = Vec::new();
        assert_eq!(report.write_incomplete("the scan was incomplete", &mut stdout), Vec::<String>::new());
        assert_eq!(String::from_utf8(stdout).unwrap(), "::error title=keyhound::the scan was incomplete\n");
        // What the run wrote itself is left alone.
        assert!(!report.sarif_file.exists() && !dir.path().join("summary.md").exists());
        assert!(!dir.path().join("output.txt").exists());
    }

    #[test]
    fn writes_every_part_and_reports_what_it_could_not() {
        let dir = tempfile::tempdir().unwrap();
        let report = report_in(dir.path(), "out/k.sarif");
        let mut stdout = Vec::new();
        assert_eq!(report.write("no such repository", &mut stdout), Vec::<String>::new());
        assert_eq!(String::from_utf8(stdout).unwrap(), "::error title=keyhound::no such repository\n");
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report.sarif_file).unwrap()).unwrap();
        assert_eq!(doc["runs"][0]["invocations"][0]["executionSuccessful"], false);
        assert_eq!(doc["runs"][0]["automationDetails"]["id"], "keyhound-history/");
        let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
        assert!(summary.contains("did not complete") && summary.contains("no such repository"), "{summary}");
        let outputs = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
        let sarif = report.sarif_file.display();
        assert_eq!(outputs, format!("findings=\ncategory=keyhound-history\nsarif-file={sarif}\n"));

        // A SARIF path that cannot be written: the other parts still are,
        // and the output names no file.
        let blocked = FailureReport { sarif_file: dir.path().to_path_buf(), step_summary: None, ..report.clone() };
        std::fs::remove_file(dir.path().join("output.txt")).unwrap();
        let problems = blocked.write("x", &mut Vec::new());
        assert_eq!(problems.len(), 1, "{problems:?}");
        let outputs = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
        assert!(outputs.ends_with("sarif-file=\n"), "{outputs}");
    }
}

//! Which exemptions a CI event may use: a pull request (or merge group)
//! cannot exempt itself. Its `.keyhound.toml` and baseline are read from its
//! base commit ([`TrustedCommits`]), never from its own head, and what it
//! changes in them is reported as ignored until merged
//! ([`TrustedExemptions`]); the findings its own allow comments suppress are
//! listed for reviewers ([`allowed_by_own_comments`]).
//!
//! Which event is trusted how is [`Plan::trusted_base`]'s to say; which
//! files are exemptions, and parsing them, is the config's. This module
//! only reads files' bytes at the two commits (making sure the commits are
//! in the clone, fetching them like `checkout` would) and words what was
//! done for the job summary and annotations; it neither scans nor decides
//! what is suppressed. Secrets are never written in clear here.

use std::path::Path;

use super::checkout::{CheckoutError, Git};
use super::github::{code, escape_data, escape_property, Links};
use super::plan::{plan, Plan, PlanError};
use super::CiSettings;
use crate::model::{Finding, SuppressReason};
use crate::source::git::{file_at_commit, GitError};

/// Why the trusted commits could not be found.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Checkout(#[from] CheckoutError),
    #[error("cannot read {path} at commit {commit}: {source}")]
    Read { path: String, commit: String, source: GitError },
}

/// The commits of an event whose exemptions come from its base: `base`
/// (trusted) and `head` (what the event proposes), both in the clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCommits {
    pub base: String,
    pub head: String,
}

/// A file as the base commit has it, and whether the event changes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseFile {
    /// The file's bytes at the base commit; `None` when it has none.
    pub bytes: Option<Vec<u8>>,
    /// The head commit's file differs (added, edited or removed).
    pub changed: bool,
}

impl TrustedCommits {
    /// The trusted commits for the event in `ci`, or `None` when its work
    /// tree is trusted (push, schedule, no event). Commits missing from a
    /// shallow clone are fetched now (with `ci.fetch`), before the config is
    /// read; the scan later finds them present.
    pub fn of_event(ci: &CiSettings) -> Result<Option<TrustedCommits>, TrustError> {
        let plan: Plan = plan(ci.event_name.as_deref(), ci.event.as_ref())?;
        let Some((base, head)) = plan.trusted_base() else {
            return Ok(None);
        };
        let what = format!("{}, to read its exemptions from the base commit", plan.describe());
        let git = Git::open(&ci.repo, ci.fetch)?;
        let base = git.need(base, &what)?;
        let head = git.need(head, &what)?;
        Ok(Some(TrustedCommits { base, head }))
    }

    /// The file at `path` (repository-relative, `/`-separated) in the base
    /// commit, and whether the head changes it.
    pub fn read(&self, repo: &Path, path: &str) -> Result<BaseFile, TrustError> {
        let at = |commit: &str| {
            file_at_commit(repo, commit, path).map_err(|source| TrustError::Read {
                path: path.to_string(),
                commit: short(commit).to_string(),
                source,
            })
        };
        let bytes = at(&self.base)?;
        let changed = at(&self.head)? != bytes;
        Ok(BaseFile { bytes, changed })
    }

    /// How a file read from the base commit is named in errors:
    /// `<short id>:<path>`.
    pub fn name(&self, path: &str) -> String {
        format!("{}:{path}", short(&self.base))
    }
}

/// The first 12 digits of a commit id.
pub fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// What `keyhound ci` did about exemptions on an event that may not exempt
/// itself, for the log, the annotations and the job summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedExemptions {
    /// The base commit the exemptions were read from (full id).
    pub base: String,
    /// The exemption files read from it (repository-relative).
    pub read: Vec<String>,
    /// Exemption files the event changes, whose changes were ignored.
    pub ignored_changes: Vec<String>,
}

impl TrustedExemptions {
    /// One line for the log.
    pub fn log_line(&self) -> String {
        format!("exemptions read from the base commit {}", short(&self.base))
    }

    /// Why a change to `path` was ignored.
    fn ignored_message(&self, path: &str) -> String {
        format!(
            "this change to {path} is ignored: keyhound reads exemptions from the base commit {} \
             (a pull request cannot exempt itself); it takes effect only after merge",
            short(&self.base)
        )
    }

    /// A `::warning` annotation on each changed exemption file.
    pub fn annotations(&self, links: &Links) -> Vec<String> {
        self.ignored_changes
            .iter()
            .map(|path| {
                let file = if links.prefix.is_empty() { path.clone() } else { format!("{}/{path}", links.prefix) };
                format!(
                    "::warning file={},title={}::{}",
                    escape_property(&file),
                    escape_property("keyhound: exemption change ignored until merged"),
                    escape_data(&self.ignored_message(path))
                )
            })
            .collect()
    }

    /// The job-summary section: where exemptions came from, which changes
    /// were ignored, and the findings `allowed` by the event's own allow
    /// comments (redacted).
    pub fn summary_markdown(&self, allowed: &[&Finding], links: &Links) -> String {
        let mut md = String::from("\n#### Exemptions\n\n");
        let files = if self.read.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.read.iter().map(|f| code(f)).collect::<Vec<_>>().join(", "))
        };
        md.push_str(&format!(
            "Exemptions{files} read from the base commit {}: a pull request cannot exempt itself.\n",
            code(short(&self.base))
        ));
        for path in &self.ignored_changes {
            md.push_str(&format!(
                "\n> **Warning:** this pull request changes {}; the change is ignored and takes effect only after merge.\n",
                code(path)
            ));
        }
        if !allowed.is_empty() {
            let n = allowed.len();
            md.push_str(&format!(
                "\n**{n} finding{} suppressed by this pull request's own allow comments** \
                 (listed as suppressed in the SARIF report; check each is a false positive):\n\n",
                if n == 1 { "" } else { "s" }
            ));
            md.push_str("| Rule | File | Commit | Secret |\n| --- | --- | --- | --- |\n");
            for f in allowed {
                let location = if links.prefix.is_empty() {
                    format!("{}:{}", f.path, f.line)
                } else {
                    format!("{}/{}:{}", links.prefix, f.path, f.line)
                };
                let commit = f.provenance.as_ref().map(|p| code(short(&p.commit))).unwrap_or_default();
                md.push_str(&format!(
                    "| {} | {} | {commit} | {} |\n",
                    code(&f.rule_id),
                    code(&location),
                    code(&f.display_secret(false))
                ));
            }
        }
        md
    }
}

/// The findings of `suppressed` that an allow comment the change added
/// suppressed. A pull request scan reports the files it adds or edits, so
/// an allow-commented secret already in the same file at the `base`
/// commit is not the change's and is left out. A base file that cannot be
/// read counts as not having it: better listed once too often than hidden.
pub fn allowed_by_own_comments<'a>(repo: &Path, base: &str, suppressed: &'a [Finding]) -> Vec<&'a Finding> {
    suppressed
        .iter()
        .filter(|f| f.suppressed == Some(SuppressReason::AllowComment))
        .filter(|f| {
            let before = file_at_commit(repo, base, &f.path).ok().flatten();
            !before.is_some_and(|bytes| contains(&bytes, f.secret.as_bytes()))
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "abc1234def5678abc1234def5678abc1234def56";

    #[test]
    fn ignored_changes_are_annotated_on_the_file() {
        let t = TrustedExemptions {
            base: BASE.into(),
            read: vec![".keyhound.toml".into()],
            ignored_changes: vec![".keyhound.toml".into()],
        };
        let links = Links { prefix: "sub".into(), web: None };
        let ann = t.annotations(&links);
        assert_eq!(ann.len(), 1);
        assert!(ann[0].starts_with("::warning file=sub/.keyhound.toml,title=keyhound%3A exemption"), "{}", ann[0]);
        assert!(ann[0].contains("takes effect only after merge"), "{}", ann[0]);
        let md = t.summary_markdown(&[], &links);
        assert!(md.contains("read from the base commit `abc1234def56`"), "{md}");
        assert!(md.contains("changes `.keyhound.toml`"), "{md}");
        assert!(!md.contains("own allow comments"), "{md}");
        assert_eq!(t.log_line(), "exemptions read from the base commit abc1234def56");
    }
}

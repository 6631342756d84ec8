//! Which commits a CI event asks to scan, decided from the event's name and
//! payload alone (pure; the repository is consulted later, in `checkout`).
//!
//! | event | scanned |
//! | --- | --- |
//! | `pull_request`, `pull_request_target` | `base.sha..head.sha` |
//! | `merge_group` | `base_sha..head_sha` |
//! | `push` | `before..after`; a new branch (`before` all zeros): commits not on the default branch; a deleted branch: nothing |
//! | anything else, or no event | the whole history |
//!
//! The event also decides which commit's exemptions (`.keyhound.toml`, the
//! baseline) are trusted ([`Plan::trusted_base`]): for a pull request or
//! merge group, its base commit, never its own head — a change can not
//! exempt itself; for the rest, the work tree (the branch itself).
//!
//! The event also decides the code-scanning category results are uploaded
//! under ([`default_category`]): scans of new commits and full-history scans
//! must not share one, or each upload would close the other's alerts.

use serde_json::Value;

/// The code-scanning category of scans of what a pull request, merge group
/// or push adds.
pub const CHANGES_CATEGORY: &str = "keyhound-changes";
/// The code-scanning category of whole-history scans (schedule, manual runs,
/// no event).
pub const HISTORY_CATEGORY: &str = "keyhound-history";

/// Whether `event_name` scans only what the event added (else: the whole
/// history). [`plan`] follows the same split.
pub fn scans_changes(event_name: Option<&str>) -> bool {
    matches!(event_name, Some("pull_request" | "pull_request_target" | "merge_group" | "push"))
}

/// The code-scanning category for `event_name`: [`CHANGES_CATEGORY`] for
/// events that scan new commits, [`HISTORY_CATEGORY`] for the rest. Known
/// from the event's name alone, so a run that fails before reading the
/// payload still reports under the right one.
pub fn default_category(event_name: Option<&str>) -> &'static str {
    if scans_changes(event_name) {
        CHANGES_CATEGORY
    } else {
        HISTORY_CATEGORY
    }
}

/// What to scan for an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// The commits reachable from `head` and not from `base` (a pull
    /// request's commits).
    Range { base: String, head: String, what: String },
    /// A push to an existing branch: `before..after`. When `before` is gone
    /// (a force push), the pushed commits (`pushed`, oldest first).
    Push { before: String, after: String, pushed: Vec<String>, what: String },
    /// A push that created a branch: the commits reachable from `head` and
    /// not from the default branch.
    NewBranch { head: String, branch: Option<String>, default_branch: Option<String>, what: String },
    /// Nothing to scan (a deleted branch).
    Nothing { what: String },
    /// The whole history.
    Everything { what: String },
}

impl Plan {
    /// The commits whose exemptions the scan must use instead of the work
    /// tree's, with the commits the event proposes: `(base, head)` of a
    /// pull request or merge group, whose own changes must not exempt
    /// themselves. `None` for events whose work tree is the trusted branch
    /// itself (push, schedule, no event).
    pub fn trusted_base(&self) -> Option<(&str, &str)> {
        match self {
            Plan::Range { base, head, .. } => Some((base, head)),
            _ => None,
        }
    }

    /// What is scanned, in words, for the summary.
    pub fn describe(&self) -> &str {
        match self {
            Plan::Range { what, .. }
            | Plan::Push { what, .. }
            | Plan::NewBranch { what, .. }
            | Plan::Nothing { what }
            | Plan::Everything { what } => what,
        }
    }
}

/// An event payload that does not say what it should.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the `{event}` event needs its payload (GITHUB_EVENT_PATH) to know which commits to scan")]
    NoPayload { event: String },
    #[error("the `{event}` event payload has no valid commit id at `{field}`")]
    MissingField { event: String, field: &'static str },
}

/// A commit id of 40 (SHA-1) or 64 (SHA-256) hex digits.
pub fn is_commit_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The all-zeros id GitHub uses for "no commit" (a created or deleted ref).
pub fn is_null_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b == b'0')
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

fn sha(event: &str, payload: &Value, pointer: &'static str) -> Result<String, PlanError> {
    payload
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| is_commit_id(s))
        .map(|s| s.to_ascii_lowercase())
        .ok_or(PlanError::MissingField { event: event.to_string(), field: pointer })
}

/// Decides what to scan for `event_name` (`GITHUB_EVENT_NAME`) with its
/// payload (the JSON at `GITHUB_EVENT_PATH`).
pub fn plan(event_name: Option<&str>, payload: Option<&Value>) -> Result<Plan, PlanError> {
    let Some(event) = event_name.filter(|e| !e.is_empty()) else {
        return Ok(Plan::Everything { what: "the whole history (no CI event)".to_string() });
    };
    let needs = || PlanError::NoPayload { event: event.to_string() };
    match event {
        "pull_request" | "pull_request_target" => {
            let p = payload.ok_or_else(needs)?;
            let base = sha(event, p, "/pull_request/base/sha")?;
            let head = sha(event, p, "/pull_request/head/sha")?;
            let number = p.pointer("/pull_request/number").or_else(|| p.get("number")).and_then(Value::as_u64);
            let what = match number {
                Some(n) => format!("the commits of pull request #{n} ({}..{})", short(&base), short(&head)),
                None => format!("the commits of the pull request ({}..{})", short(&base), short(&head)),
            };
            Ok(Plan::Range { base, head, what })
        }
        "merge_group" => {
            let p = payload.ok_or_else(needs)?;
            let base = sha(event, p, "/merge_group/base_sha")?;
            let head = sha(event, p, "/merge_group/head_sha")?;
            let what = format!("the commits of the merge group ({}..{})", short(&base), short(&head));
            Ok(Plan::Range { base, head, what })
        }
        "push" => {
            let p = payload.ok_or_else(needs)?;
            let field = |f: &'static str| p.pointer(f).and_then(Value::as_str).unwrap_or("");
            let git_ref = field("/ref");
            let branch = git_ref.strip_prefix("refs/heads/").map(str::to_string);
            let shown = branch.clone().unwrap_or_else(|| git_ref.to_string());
            if is_null_id(field("/after")) || p.get("deleted").and_then(Value::as_bool) == Some(true) {
                return Ok(Plan::Nothing { what: format!("nothing (the push deleted {shown})") });
            }
            let after = sha(event, p, "/after")?;
            if is_null_id(field("/before")) {
                let default_branch =
                    p.pointer("/repository/default_branch").and_then(Value::as_str).map(str::to_string);
                let what = match &default_branch {
                    Some(d) => {
                        format!("the commits of new branch {shown} that are not on {d} (up to {})", short(&after))
                    }
                    None => {
                        format!("the commits of new branch {shown} not on the default branch (up to {})", short(&after))
                    }
                };
                return Ok(Plan::NewBranch { head: after, branch, default_branch, what });
            }
            let before = sha(event, p, "/before")?;
            let pushed = p
                .get("commits")
                .and_then(Value::as_array)
                .map(|cs| {
                    cs.iter()
                        .filter_map(|c| c.get("id").and_then(Value::as_str))
                        .filter(|s| is_commit_id(s))
                        .map(str::to_ascii_lowercase)
                        .collect()
                })
                .unwrap_or_default();
            let what = format!("the commits pushed to {shown} ({}..{})", short(&before), short(&after));
            Ok(Plan::Push { before, after, pushed, what })
        }
        // Plain words: the summary and the log both show it as it is.
        other => Ok(Plan::Everything { what: format!("the whole history ({other} event)") }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn pull_requests_scan_base_to_head() {
        let p = json!({"number": 7, "pull_request": {"number": 7, "base": {"sha": A}, "head": {"sha": B}}});
        for event in ["pull_request", "pull_request_target"] {
            let plan = plan(Some(event), Some(&p)).unwrap();
            assert!(matches!(&plan, Plan::Range { base, head, .. } if base == A && head == B), "{plan:?}");
            assert!(plan.describe().contains("pull request #7"), "{}", plan.describe());
        }
    }

    #[test]
    fn pull_request_without_payload_or_shas_is_an_error() {
        assert_eq!(plan(Some("pull_request"), None), Err(PlanError::NoPayload { event: "pull_request".into() }));
        let p = json!({"pull_request": {"base": {"sha": "main"}, "head": {"sha": B}}});
        assert!(matches!(
            plan(Some("pull_request"), Some(&p)),
            Err(PlanError::MissingField { field: "/pull_request/base/sha", .. })
        ));
    }

    #[test]
    fn pushes() {
        let p = json!({"ref": "refs/heads/dev", "before": A, "after": B, "commits": [{"id": B}]});
        assert_eq!(
            plan(Some("push"), Some(&p)).unwrap(),
            Plan::Push {
                before: A.into(),
                after: B.into(),
                pushed: vec![B.into()],
                what: "the commits pushed to dev (111111111111..222222222222)".into()
            }
        );
        let p = json!({"ref": "refs/heads/dev", "before": Z, "after": B, "repository": {"default_branch": "main"}});
        let plan_new = plan(Some("push"), Some(&p)).unwrap();
        assert!(
            matches!(&plan_new, Plan::NewBranch { head, branch: Some(b), default_branch: Some(d), .. }
                if head == B && b == "dev" && d == "main"),
            "{plan_new:?}"
        );
        let p = json!({"ref": "refs/heads/dev", "before": A, "after": Z, "deleted": true});
        assert!(matches!(plan(Some("push"), Some(&p)).unwrap(), Plan::Nothing { .. }));
    }

    #[test]
    fn other_events_scan_everything() {
        for e in ["schedule", "workflow_dispatch", "release"] {
            assert!(matches!(plan(Some(e), None).unwrap(), Plan::Everything { .. }));
        }
        assert!(matches!(plan(None, None).unwrap(), Plan::Everything { .. }));
        assert_eq!(plan(Some("schedule"), None).unwrap().describe(), "the whole history (schedule event)");
    }

    #[test]
    fn categories_follow_what_is_scanned() {
        let p = json!({
            "pull_request": {"base": {"sha": A}, "head": {"sha": B}},
            "merge_group": {"base_sha": A, "head_sha": B},
            "ref": "refs/heads/dev", "before": A, "after": B,
        });
        for event in ["pull_request", "pull_request_target", "merge_group", "push"] {
            assert!(!matches!(plan(Some(event), Some(&p)).unwrap(), Plan::Everything { .. }), "{event}");
            assert_eq!(default_category(Some(event)), CHANGES_CATEGORY, "{event}");
        }
        for event in [Some("schedule"), Some("workflow_dispatch"), Some("release"), None] {
            assert!(matches!(plan(event, Some(&p)).unwrap(), Plan::Everything { .. }), "{event:?}");
            assert_eq!(default_category(event), HISTORY_CATEGORY, "{event:?}");
        }
        assert_ne!(CHANGES_CATEGORY, HISTORY_CATEGORY);
    }

    #[test]
    fn only_pull_requests_and_merge_groups_take_exemptions_from_their_base() {
        let p = json!({
            "pull_request": {"base": {"sha": A}, "head": {"sha": B}},
            "merge_group": {"base_sha": A, "head_sha": B},
            "ref": "refs/heads/dev", "before": A, "after": B,
        });
        for event in ["pull_request", "pull_request_target", "merge_group"] {
            assert_eq!(plan(Some(event), Some(&p)).unwrap().trusted_base(), Some((A, B)), "{event}");
        }
        for event in [Some("push"), Some("schedule"), None] {
            assert_eq!(plan(event, Some(&p)).unwrap().trusted_base(), None, "{event:?}");
        }
    }

    #[test]
    fn ids() {
        assert!(is_commit_id(A));
        assert!(!is_commit_id("abc"));
        assert!(is_null_id(Z));
        assert!(!is_null_id(A));
    }
}

//! Turns a [`Plan`] into a history [`Selection`] for the repository at hand,
//! making sure every commit it names is really there: CI checkouts are
//! usually shallow (`actions/checkout`'s default `fetch-depth: 1`), and a
//! scan of a truncated history would report a clean result it did not
//! check. Missing commits are fetched (`git fetch origin <sha>`,
//! `git fetch --deepen`, finally `--unshallow`) with the `git` command line,
//! which uses the credentials the checkout configured; when that fails, the
//! run fails and says to set `fetch-depth: 0`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::plan::Plan;
use crate::source::git::Selection;

/// How far each `git fetch --deepen` goes, before giving up and asking for
/// the whole history with `--unshallow`.
const DEEPEN_STEPS: [u32; 3] = [50, 500, 5000];

/// The advice every "history is incomplete" error ends with.
pub const FETCH_DEPTH_ADVICE: &str = "check out the full history: with actions/checkout, set `fetch-depth: 0`";

/// Why the commits to scan could not be made available.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("{0}: not a git repository (nor is any parent directory)")]
    NotARepository(String),
    #[error("cannot run git: {0}")]
    NoGit(String),
    #[error("the commits to scan are not all in this clone ({what}), and {why}; {FETCH_DEPTH_ADVICE}")]
    Incomplete { what: String, why: String },
}

/// The selection to scan and what was learnt getting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// What to scan; `None` when there is nothing (a deleted branch).
    pub selection: Option<Selection>,
    /// The newest commit scanned, for the report's provenance.
    pub head: Option<String>,
    /// What is scanned, in words.
    pub what: String,
    /// Things the user should know (a fallback was taken).
    pub warnings: Vec<String>,
    /// Every commit of the selection was checked to be present, so a
    /// shallow clone is not a reason to doubt the result.
    pub verified: bool,
}

/// The repository, driven through the `git` command line.
pub struct Git {
    dir: PathBuf,
    remote: Option<String>,
    /// Fetching is allowed.
    fetch: bool,
}

impl Git {
    /// Opens the repository containing `path`. With `fetch` unset, missing
    /// commits are an error instead of being fetched.
    pub fn open(path: &Path, fetch: bool) -> Result<Git, CheckoutError> {
        let mut git = Git { dir: path.to_path_buf(), remote: None, fetch };
        let top = git.run(&["rev-parse", "--git-dir"]).map_err(CheckoutError::NoGit)?;
        if top.is_none() {
            return Err(CheckoutError::NotARepository(path.display().to_string()));
        }
        let remotes = git.run(&["remote"]).map_err(CheckoutError::NoGit)?.unwrap_or_default();
        let remotes: Vec<&str> = remotes.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        git.remote = if remotes.contains(&"origin") {
            Some("origin".to_string())
        } else if remotes.len() == 1 {
            Some(remotes[0].to_string())
        } else {
            None
        };
        Ok(git)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(&self.dir).env("GIT_TERMINAL_PROMPT", "0").env_remove("GIT_DIR");
        cmd
    }

    /// Runs git; `Ok(None)` when it ran and failed, `Err` when it could not
    /// run at all. Standard output, trimmed, on success.
    fn run(&self, args: &[&str]) -> Result<Option<String>, String> {
        let out = self.command().args(args).output().map_err(|e| e.to_string())?;
        Ok(out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
    }

    /// The full id of the commit `rev` names, if it is in the repository.
    pub fn commit(&self, rev: &str) -> Option<String> {
        self.run(&["rev-parse", "--verify", "--quiet", "--end-of-options", &format!("{rev}^{{commit}}")])
            .ok()
            .flatten()
            .filter(|s| !s.is_empty())
    }

    pub fn is_shallow(&self) -> bool {
        self.run(&["rev-parse", "--is-shallow-repository"]).ok().flatten().is_some_and(|s| s == "true")
    }

    /// The commits at the shallow boundary (their parents are missing).
    fn shallow_boundary(&self) -> HashSet<String> {
        let Some(path) = self.run(&["rev-parse", "--git-path", "shallow"]).ok().flatten() else {
            return HashSet::new();
        };
        let path = if Path::new(&path).is_absolute() { PathBuf::from(path) } else { self.dir.join(path) };
        std::fs::read_to_string(path)
            .map(|t| t.lines().map(|l| l.trim().to_ascii_lowercase()).filter(|l| !l.is_empty()).collect())
            .unwrap_or_default()
    }

    /// The commits reachable from `include` and not from `exclude`.
    fn rev_list(&self, include: &[String], exclude: &[String]) -> Option<Vec<String>> {
        let mut args = vec!["rev-list".to_string()];
        args.extend(include.iter().cloned());
        args.extend(exclude.iter().map(|e| format!("^{e}")));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&refs).ok().flatten().map(|s| s.lines().map(str::to_string).collect())
    }

    /// `git fetch --quiet --no-tags <remote> <args>`; the error is git's
    /// message.
    fn fetch(&self, args: &[&str]) -> Result<(), String> {
        if !self.fetch {
            return Err("fetching is turned off (--no-fetch)".to_string());
        }
        let Some(remote) = &self.remote else {
            return Err("there is no remote to fetch from".to_string());
        };
        let (flags, refs): (Vec<&str>, Vec<&str>) = args.iter().partition(|a| a.starts_with("--"));
        let shown = [flags.as_slice(), &[remote.as_str()], refs.as_slice()].concat().join(" ");
        eprintln!("keyhound: fetching: git fetch {shown}");
        let out = self
            .command()
            .args(["fetch", "--quiet", "--no-tags", "--no-recurse-submodules"])
            .args(&flags)
            .arg(remote)
            .args(&refs)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            let msg = String::from_utf8_lossy(&out.stderr).trim().replace('\n', " ");
            Err(format!("`git fetch` failed: {msg}"))
        }
    }

    /// Fetches whichever of `ids` are missing; returns those still missing.
    fn fetch_missing(&self, ids: &[&str]) -> Vec<String> {
        let missing: Vec<&str> = ids.iter().copied().filter(|id| self.commit(id).is_none()).collect();
        if missing.is_empty() {
            return Vec::new();
        }
        if self.fetch(&missing).is_err() {
            // One at a time: a server may refuse one id and not the others.
            for id in &missing {
                let _ = self.fetch(&[id]);
            }
        }
        missing.into_iter().filter(|id| self.commit(id).is_none()).map(str::to_string).collect()
    }

    /// Makes sure every commit reachable from `include` and not from
    /// `exclude` is present with its parents, deepening a shallow clone as
    /// needed. Every id must already be present.
    fn ensure_complete(&self, include: &[String], exclude: &[String], what: &str) -> Result<(), CheckoutError> {
        let incomplete = |why: String| CheckoutError::Incomplete { what: what.to_string(), why };
        let mut steps = DEEPEN_STEPS.iter();
        loop {
            if !self.is_shallow() {
                return Ok(());
            }
            let boundary = self.shallow_boundary();
            let walked = self
                .rev_list(include, exclude)
                .ok_or_else(|| incomplete("`git rev-list` could not walk them".to_string()))?;
            if !walked.iter().any(|c| boundary.contains(c)) {
                return Ok(());
            }
            match steps.next() {
                Some(n) => {
                    let deepen = format!("--deepen={n}");
                    let mut args = vec![deepen.as_str()];
                    args.extend(include.iter().map(String::as_str));
                    if self.fetch(&args).is_err() {
                        self.fetch(&[deepen.as_str()]).map_err(incomplete)?;
                    }
                }
                None => {
                    self.fetch(&["--unshallow"]).map_err(incomplete)?;
                    if self.is_shallow() {
                        return Err(incomplete("`git fetch --unshallow` left the clone shallow".to_string()));
                    }
                }
            }
        }
    }

    /// The id `rev` names, fetching it if it is missing.
    fn need(&self, id: &str, what: &str) -> Result<String, CheckoutError> {
        match self.fetch_missing(&[id]).first() {
            None => Ok(self.commit(id).unwrap_or_else(|| id.to_string())),
            Some(_) => Err(CheckoutError::Incomplete {
                what: what.to_string(),
                why: format!("commit {id} could not be fetched{}", self.why_not_fetched()),
            }),
        }
    }

    fn why_not_fetched(&self) -> &'static str {
        if !self.fetch {
            " (--no-fetch)"
        } else if self.remote.is_none() {
            " (no remote to fetch from)"
        } else {
            ""
        }
    }

    /// The default branch's remote-tracking ref, fetching it if needed.
    fn default_branch(&self, name: Option<&str>) -> Option<String> {
        let remote = self.remote.clone().unwrap_or_else(|| "origin".to_string());
        let mut candidates = Vec::new();
        if let Some(n) = name {
            candidates.push(format!("refs/remotes/{remote}/{n}"));
        }
        candidates.push(format!("refs/remotes/{remote}/HEAD"));
        if name.is_none() {
            candidates.push(format!("refs/remotes/{remote}/main"));
            candidates.push(format!("refs/remotes/{remote}/master"));
        }
        if let Some(found) = candidates.iter().find_map(|c| self.commit(c)) {
            return Some(found);
        }
        let n = name?;
        let spec = format!("+refs/heads/{n}:refs/remotes/{remote}/{n}");
        self.fetch(&[spec.as_str()]).ok()?;
        self.commit(&format!("refs/remotes/{remote}/{n}"))
    }

    /// Everything: a shallow clone is unshallowed first.
    fn everything(&self, what: &str) -> Result<Resolved, CheckoutError> {
        if self.is_shallow() {
            self.fetch(&["--unshallow"]).map_err(|why| CheckoutError::Incomplete { what: what.to_string(), why })?;
        }
        Ok(Resolved {
            selection: Some(Selection::All),
            head: self.commit("HEAD"),
            what: what.to_string(),
            warnings: Vec::new(),
            verified: !self.is_shallow(),
        })
    }

    fn range(&self, base: String, head: String, what: &str, warnings: Vec<String>) -> Result<Resolved, CheckoutError> {
        self.ensure_complete(std::slice::from_ref(&head), std::slice::from_ref(&base), what)?;
        Ok(Resolved {
            selection: Some(Selection::Range { from: base, to: head.clone() }),
            head: Some(head),
            what: what.to_string(),
            warnings,
            verified: true,
        })
    }

    /// All the history of `head`.
    fn all_of(&self, head: String, what: &str, warnings: Vec<String>) -> Result<Resolved, CheckoutError> {
        self.ensure_complete(std::slice::from_ref(&head), &[], what)?;
        Ok(Resolved {
            selection: Some(Selection::Ref(head.clone())),
            head: Some(head),
            what: what.to_string(),
            warnings,
            verified: true,
        })
    }

    /// A new branch: what `head` has that the default branch does not.
    fn new_branch(
        &self,
        head: String,
        branch: Option<&str>,
        default_branch: Option<&str>,
        what: &str,
        mut warnings: Vec<String>,
    ) -> Result<Resolved, CheckoutError> {
        if branch.is_some() && branch == default_branch {
            // The default branch itself was created: all of it is new.
            return self.all_of(head, what, warnings);
        }
        match self.default_branch(default_branch) {
            Some(base) if base != head => self.range(base, head, what, warnings),
            // The branch adds no commit to the default branch.
            Some(_) => {
                Ok(Resolved { selection: None, head: Some(head), what: what.to_string(), warnings, verified: true })
            }
            None => {
                warnings.push(format!(
                    "the default branch{} is not in this clone and could not be fetched; scanning all the history of {}",
                    default_branch.map(|d| format!(" ({d})")).unwrap_or_default(),
                    &head[..head.len().min(12)]
                ));
                self.all_of(head, what, warnings)
            }
        }
    }

    /// Resolves `plan` against this repository.
    pub fn resolve(&self, plan: &Plan) -> Result<Resolved, CheckoutError> {
        let what = plan.describe();
        match plan {
            Plan::Nothing { .. } => Ok(Resolved {
                selection: None,
                head: None,
                what: what.to_string(),
                warnings: Vec::new(),
                verified: true,
            }),
            Plan::Everything { .. } => self.everything(what),
            Plan::Range { base, head, .. } => {
                let head = self.need(head, what)?;
                let base = self.need(base, what)?;
                self.range(base, head, what, Vec::new())
            }
            Plan::NewBranch { head, branch, default_branch, .. } => {
                let head = self.need(head, what)?;
                self.new_branch(head, branch.as_deref(), default_branch.as_deref(), what, Vec::new())
            }
            Plan::Push { before, after, pushed, .. } => {
                let after = self.need(after, what)?;
                if let Some(before) = self.fetch_missing(&[before]).is_empty().then(|| self.commit(before)).flatten() {
                    return self.range(before, after, what, Vec::new());
                }
                let short = &before[..before.len().min(12)];
                let mut warnings = Vec::new();
                let fallback = pushed.first().and_then(|oldest| self.need(oldest, what).ok());
                match fallback {
                    Some(oldest) => {
                        warnings.push(format!(
                            "the push's previous tip {short} is gone (force push?); scanning the {} pushed commit{} instead",
                            pushed.len(),
                            if pushed.len() == 1 { "" } else { "s" }
                        ));
                        let what = format!("{what}, falling back to the pushed commits");
                        // The oldest pushed commit's parent, if it has one,
                        // bounds the pushed commits.
                        match self.commit(&format!("{oldest}^")) {
                            Some(parent) => self.range(parent, after, &what, warnings),
                            None => {
                                let deep = self.fetch(&["--deepen=1", &oldest]).is_ok();
                                match self.commit(&format!("{oldest}^")).filter(|_| deep) {
                                    Some(parent) => self.range(parent, after, &what, warnings),
                                    None => self.all_of(after, &what, warnings),
                                }
                            }
                        }
                    }
                    None => {
                        warnings.push(format!(
                            "the push's previous tip {short} is gone (force push?) and the payload lists no pushed commits; scanning the commits not on the default branch instead"
                        ));
                        let what = format!("{what}, falling back to the commits not on the default branch");
                        self.new_branch(after, None, None, &what, warnings)
                    }
                }
            }
        }
    }
}

//! Turns a [`Plan`] into a history [`Selection`] for the repository at hand,
//! making sure every commit it names is really there: CI checkouts are
//! usually shallow (`actions/checkout`'s default `fetch-depth: 1`), and a
//! scan of a truncated history would report a clean result it did not
//! check. Missing commits are fetched (`git fetch origin <sha>`,
//! `git fetch --deepen`, finally `--unshallow`) with the `git` command line,
//! which uses the credentials the checkout configured.
//!
//! A partial clone (`--filter=blob:none`, `--filter=tree:0`) lacks objects
//! by design; before the scan, the objects the selection needs that are
//! missing are fetched from the promisor remote in batches (as git itself
//! does when it needs one), so the scan reads everything. What still cannot
//! be read is left to the scan to report as incomplete.
//!
//! When that fails the run fails, saying why: git's own message when
//! `git fetch` failed (an unreachable remote, refused credentials, a commit
//! the remote does not have), with credentials removed from any URL in it;
//! the advice to set `fetch-depth: 0` only when depth was the problem — a
//! shallow clone that lacks the commits and may not, or cannot, fetch them.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::plan::Plan;
use crate::source::git::{shallow_boundary, Selection};
use crate::util::uri::scrub_urls;

/// How far each `git fetch --deepen` goes, before giving up and asking for
/// the whole history with `--unshallow`.
const DEEPEN_STEPS: [u32; 3] = [50, 500, 5000];

/// Rounds of fetching a partial clone's missing objects: blobs need one;
/// a treeless clone needs one per directory level still missing.
const MISSING_ROUNDS: usize = 8;

/// The advice every "history is incomplete" error ends with.
pub const FETCH_DEPTH_ADVICE: &str = "check out the full history: with actions/checkout, set `fetch-depth: 0`";

/// Why the commits to scan could not be made available.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("{0}: not a git repository (nor is any parent directory)")]
    NotARepository(String),
    #[error("cannot run git: {0}")]
    NoGit(String),
    /// Depth is the problem: the clone lacks commits and fetching them is
    /// off, impossible, or still left the history cut short.
    #[error("the commits to scan are not all in this clone ({what}), and {why}; {FETCH_DEPTH_ADVICE}")]
    Incomplete { what: String, why: String },
    /// `git fetch` failed (unreachable remote, refused credentials, ...).
    #[error("cannot get the commits to scan ({what}): {fetch}")]
    Fetch { what: String, fetch: FetchError },
    /// The remote does not have a commit the event names (deleted, or never
    /// pushed there).
    #[error("commit {id} is not in this clone and the remote does not have it ({what}): {fetch}")]
    NotOnRemote { id: String, what: String, fetch: FetchError },
}

/// Why `git fetch` did not bring what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("fetching is turned off (--no-fetch)")]
    Disabled,
    #[error("there is no remote to fetch from")]
    NoRemote,
    #[error("cannot run git: {0}")]
    NoGit(String),
    /// git ran and failed; `message` is what it said, credentials removed.
    #[error("`git fetch {command}` failed: {message}")]
    Failed { command: String, message: String },
    /// git fetched without error, and the commit is still not there.
    #[error("`git fetch {command}` did not bring commit {id}")]
    NotBrought { command: String, id: String },
}

impl FetchError {
    /// git reached the remote, which does not have an object asked for by
    /// id (or the fetch did not bring it).
    pub fn is_missing_object(&self) -> bool {
        match self {
            FetchError::Failed { message, .. } => is_missing_object(message),
            FetchError::NotBrought { .. } => true,
            _ => false,
        }
    }

    /// Fetching was never possible here: not allowed, or nowhere to fetch
    /// from. Then a clone without the commits needs a deeper checkout.
    fn is_unavailable(&self) -> bool {
        matches!(self, FetchError::Disabled | FetchError::NoRemote)
    }

    /// The remote serves only what its refs advertise, not commits asked
    /// for by id: a clone without them needs a deeper checkout too.
    pub fn refuses_ids(&self) -> bool {
        matches!(self, FetchError::Failed { message, .. } if message.contains("unadvertised object"))
    }
}

/// Whether git's `message` says the remote lacks an object asked for by id
/// (rather than that the remote could not be reached or refused access).
pub fn is_missing_object(message: &str) -> bool {
    const SAYS_MISSING: [&str; 4] =
        ["not our ref", "couldn't find remote ref", "no such remote ref", "did not send all necessary objects"];
    let m = message.to_ascii_lowercase();
    SAYS_MISSING.iter().any(|s| m.contains(s))
}

/// git's standard error as one line, credentials removed from URLs.
pub fn git_message(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let message = if lines.is_empty() { "no message".to_string() } else { lines.join(" ") };
    scrub_urls(&message)
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
        !shallow_boundary(&self.dir).is_empty()
    }

    /// The commits at the shallow boundary (their parents are missing).
    fn shallow_boundary(&self) -> HashSet<String> {
        shallow_boundary(&self.dir).into_iter().collect()
    }

    /// The commits reachable from `include` and not from `exclude`.
    fn rev_list(&self, include: &[String], exclude: &[String]) -> Option<Vec<String>> {
        let mut args = vec!["rev-list".to_string()];
        args.extend(include.iter().cloned());
        args.extend(exclude.iter().map(|e| format!("^{e}")));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&refs).ok().flatten().map(|s| s.lines().map(str::to_string).collect())
    }

    /// `git fetch --quiet --no-tags <remote> <args>`; the error carries
    /// git's message.
    fn fetch(&self, args: &[&str]) -> Result<(), FetchError> {
        if !self.fetch {
            return Err(FetchError::Disabled);
        }
        let Some(remote) = &self.remote else {
            return Err(FetchError::NoRemote);
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
            .map_err(|e| FetchError::NoGit(e.to_string()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(FetchError::Failed { command: shown, message: git_message(&out.stderr) })
        }
    }

    /// In a partial clone, fetches the objects `selection` needs that are
    /// missing, a batch per round (each round's trees reveal the next
    /// round's objects), at most [`MISSING_ROUNDS`] rounds. Returns what to
    /// warn about; nothing for a clone that is not partial or when fetching
    /// is off (the scan then reports what it could not read).
    pub fn fetch_missing_objects(&self, selection: &Selection) -> Vec<String> {
        if !self.fetch || !self.is_partial() {
            return Vec::new();
        }
        // `--all` is an option; revisions come after `--end-of-options`.
        let (all, revs): (bool, Vec<String>) = match selection {
            Selection::All => (true, Vec::new()),
            Selection::Ref(r) => (false, vec![r.clone()]),
            Selection::Range { from, to } => (false, vec![to.clone(), format!("^{from}")]),
        };
        for _ in 0..MISSING_ROUNDS {
            let missing = match self.missing_objects(all, &revs) {
                Ok(m) => m,
                Err(e) => return vec![format!("cannot list the objects this partial clone lacks: {e}")],
            };
            if missing.is_empty() {
                break;
            }
            let remote = self.remote.as_deref().unwrap_or("origin");
            eprintln!("keyhound: fetching: {} missing objects of this partial clone from {remote}", missing.len());
            if let Err(e) = self.fetch_objects(remote, &missing) {
                return vec![format!("cannot fetch the objects this partial clone lacks: {e}")];
            }
        }
        Vec::new()
    }

    /// Whether the repository is a partial clone (has a promisor remote).
    fn is_partial(&self) -> bool {
        let set = |key: &str| self.run(&["config", "--get", key]).ok().flatten().is_some_and(|v| !v.is_empty());
        set("extensions.partialclone") || self.remote.as_deref().is_some_and(|r| set(&format!("remote.{r}.promisor")))
    }

    /// The objects reachable from `revs` (and every ref when `all`) that
    /// the repository lacks, as git lists them without fetching
    /// (`rev-list --missing=print`).
    fn missing_objects(&self, all: bool, revs: &[String]) -> Result<Vec<String>, String> {
        let out = self
            .command()
            .env("GIT_NO_LAZY_FETCH", "1")
            .args(["rev-list", "--objects", "--missing=print"])
            .args(all.then_some("--all"))
            .arg("--end-of-options")
            .args(revs)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(git_message(&out.stderr));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        Ok(text.lines().filter_map(|l| l.strip_prefix('?')).map(|id| id.trim().to_string()).collect())
    }

    /// Fetches `ids` from `remote` the way git fetches a promisor's missing
    /// objects: by id, without negotiating, writing no refs.
    fn fetch_objects(&self, remote: &str, ids: &[String]) -> Result<(), String> {
        use std::io::Write;
        let mut child = self
            .command()
            .args(["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", "--no-tags"])
            .args(["--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none", "--stdin", remote])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let written = ids.iter().try_for_each(|id| writeln!(stdin, "{id}"));
        drop(stdin);
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        written.map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(git_message(&out.stderr))
        }
    }

    /// The full id of commit `id`, fetching it if it is missing.
    fn fetch_commit(&self, id: &str) -> Result<String, FetchError> {
        if let Some(full) = self.commit(id) {
            return Ok(full);
        }
        self.fetch(&[id])?;
        self.commit(id).ok_or_else(|| FetchError::NotBrought {
            command: format!("{} {id}", self.remote.as_deref().unwrap_or_default()),
            id: id.to_string(),
        })
    }

    /// The error for a fetch that failed while completing `what`: depth is
    /// the problem only when fetching was never possible.
    fn fetch_failed(&self, e: FetchError, what: &str) -> CheckoutError {
        if e.is_unavailable() {
            CheckoutError::Incomplete { what: what.to_string(), why: e.to_string() }
        } else {
            CheckoutError::Fetch { what: what.to_string(), fetch: e }
        }
    }

    /// Makes sure every commit reachable from `include` and not from
    /// `exclude` is present with its parents, deepening a shallow clone as
    /// needed. Every id must already be present.
    fn ensure_complete(&self, include: &[String], exclude: &[String], what: &str) -> Result<(), CheckoutError> {
        let incomplete = |why: &str| CheckoutError::Incomplete { what: what.to_string(), why: why.to_string() };
        let mut steps = DEEPEN_STEPS.iter();
        loop {
            if !self.is_shallow() {
                return Ok(());
            }
            let boundary = self.shallow_boundary();
            let walked =
                self.rev_list(include, exclude).ok_or_else(|| incomplete("`git rev-list` could not walk them"))?;
            if !walked.iter().any(|c| boundary.contains(c)) {
                return Ok(());
            }
            match steps.next() {
                Some(n) => {
                    let deepen = format!("--deepen={n}");
                    let mut args = vec![deepen.as_str()];
                    args.extend(include.iter().map(String::as_str));
                    if let Err(e) = self.fetch(&args) {
                        if e.is_unavailable() {
                            return Err(self.fetch_failed(e, what));
                        }
                        // The server may refuse ids: deepen what it has.
                        self.fetch(&[deepen.as_str()]).map_err(|e| self.fetch_failed(e, what))?;
                    }
                }
                None => {
                    self.fetch(&["--unshallow"]).map_err(|e| self.fetch_failed(e, what))?;
                    if self.is_shallow() {
                        return Err(incomplete("`git fetch --unshallow` left the clone shallow"));
                    }
                }
            }
        }
    }

    /// The full id of commit `id`, fetching it if it is missing; `what`
    /// (what is scanned) names the need in errors.
    pub fn need(&self, id: &str, what: &str) -> Result<String, CheckoutError> {
        let what = what.to_string();
        match self.fetch_commit(id) {
            Ok(full) => Ok(full),
            Err(e) if e.is_missing_object() => Err(CheckoutError::NotOnRemote { id: id.to_string(), what, fetch: e }),
            Err(e) if e.is_unavailable() || e.refuses_ids() => {
                Err(CheckoutError::Incomplete { what, why: format!("commit {id} is not in it: {e}") })
            }
            Err(e) => Err(CheckoutError::Fetch { what, fetch: e }),
        }
    }

    /// The default branch's remote-tracking ref, fetching it if needed;
    /// the error says why it is not there.
    fn default_branch(&self, name: Option<&str>) -> Result<String, String> {
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
            return Ok(found);
        }
        let Some(n) = name else {
            return Err("the event does not name it".to_string());
        };
        let spec = format!("+refs/heads/{n}:refs/remotes/{remote}/{n}");
        self.fetch(&[spec.as_str()]).map_err(|e| e.to_string())?;
        self.commit(&format!("refs/remotes/{remote}/{n}")).ok_or_else(|| "the fetch did not bring it".to_string())
    }

    /// Everything: a shallow clone is unshallowed first.
    fn everything(&self, what: &str) -> Result<Resolved, CheckoutError> {
        if self.is_shallow() {
            self.fetch(&["--unshallow"]).map_err(|e| self.fetch_failed(e, what))?;
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
            Ok(base) if base != head => self.range(base, head, what, warnings),
            // The branch adds no commit to the default branch.
            Ok(_) => {
                Ok(Resolved { selection: None, head: Some(head), what: what.to_string(), warnings, verified: true })
            }
            Err(why) => {
                warnings.push(format!(
                    "the default branch{} is not in this clone and could not be fetched ({why}); scanning all the history of {}",
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
                let previous = match self.fetch_commit(before) {
                    Ok(found) => Some(found),
                    // Gone from the remote: a force push.
                    Err(e) if e.is_missing_object() => None,
                    // A shallow clone that may not fetch cannot tell a
                    // force push from history it was not given.
                    Err(e) if (e.is_unavailable() || e.refuses_ids()) && self.is_shallow() => {
                        return Err(CheckoutError::Incomplete {
                            what: what.to_string(),
                            why: format!("the push's previous tip {before} is not in it: {e}"),
                        })
                    }
                    // A full clone without it: gone.
                    Err(e) if e.is_unavailable() || e.refuses_ids() => None,
                    Err(e) => return Err(CheckoutError::Fetch { what: what.to_string(), fetch: e }),
                };
                if let Some(before) = previous {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_says_which_objects_are_missing() {
        assert!(is_missing_object("fatal: remote error: upload-pack: not our ref 0123"));
        let refused = FetchError::Failed {
            command: "origin 0123".into(),
            message: "error: Server does not allow request for unadvertised object 0123".into(),
        };
        assert!(refused.refuses_ids() && !refused.is_missing_object());
        assert!(is_missing_object("fatal: couldn't find remote ref refs/heads/gone"));
        assert!(!is_missing_object("fatal: unable to access 'http://127.0.0.1:1/': Couldn't connect to server"));
        assert!(!is_missing_object("fatal: '/gone' does not appear to be a git repository"));
        assert!(!is_missing_object("remote: Invalid username or token. fatal: Authentication failed"));
        let brought = FetchError::NotBrought { command: "origin 0123".into(), id: "0123".into() };
        assert!(brought.is_missing_object());
        assert!(!FetchError::Disabled.is_missing_object() && FetchError::Disabled.is_unavailable());
    }

    #[test]
    fn git_messages_are_one_line_without_credentials() {
        let stderr =
            b"fatal: unable to access 'https://x-access-token:ghs_secret@github.com/o/r/': 403\n\nhint: retry\n";
        assert_eq!(git_message(stderr), "fatal: unable to access 'https://github.com/o/r/': 403 hint: retry");
        assert_eq!(git_message(b""), "no message");
    }

    #[test]
    fn only_depth_problems_advise_a_full_checkout() {
        let git = Git { dir: PathBuf::from("."), remote: Some("origin".into()), fetch: true };
        let depth = git.fetch_failed(FetchError::Disabled, "the pull request").to_string();
        assert!(depth.contains(FETCH_DEPTH_ADVICE), "{depth}");
        let unreachable = FetchError::Failed {
            command: "--deepen=50 origin".into(),
            message: "fatal: unable to access 'http://127.0.0.1:1/': Couldn't connect to server".into(),
        };
        let remote = git.fetch_failed(unreachable, "the pull request").to_string();
        assert!(!remote.contains("fetch-depth"), "{remote}");
        assert!(
            remote.contains("Couldn't connect to server") && remote.contains("git fetch --deepen=50 origin"),
            "{remote}"
        );
    }
}

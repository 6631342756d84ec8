//! The shared integration-test harness: builds throwaway trees and git
//! repositories, generates fake keys of the right structure, runs the built
//! binary and parses its JSON output. Every integration test uses this
//! instead of its own setup.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use git2::{Oid, Repository, Signature, Time};
use keyhound::rules::template::expand;
use serde_json::Value;
use tempfile::TempDir;

/// The keyhound binary, with a clean environment for color/progress and the
/// network isolated (see [`isolate_network`]).
pub fn keyhound() -> Command {
    let mut cmd = Command::cargo_bin("keyhound").expect("binary is built");
    cmd.env("NO_COLOR", "1");
    isolate_network(&mut cmd);
    cmd
}

/// Structure of a fake key per rule id, as an example template.
pub fn key_template(rule_id: &str) -> &'static str {
    match rule_id {
        "openai-legacy-key" => "sk-{{a:20}}T3BlbkFJ{{a:20}}",
        "openai-project-key" => "sk-proj-{{u:74}}T3BlbkFJ{{u:74}}",
        "openai-project-key-58" => "sk-proj-{{u:58}}T3BlbkFJ{{u:58}}",
        "openai-service-account-key" => "sk-svcacct-{{u:74}}T3BlbkFJ{{u:74}}",
        "openai-admin-key" => "sk-admin-{{u:58}}T3BlbkFJ{{u:58}}",
        "openai-none-key" => "sk-None-{{u:58}}T3BlbkFJ{{u:58}}",
        "anthropic-api-key" => "sk-ant-api03-{{u:93}}AA",
        "anthropic-admin-key" => "sk-ant-admin01-{{u:93}}AA",
        "openrouter-api-key" => "sk-or-v1-{{h:64}}",
        "groq-api-key" => "gsk_{{a:52}}",
        "xai-api-key" => "xai-{{a:80}}",
        "perplexity-api-key" => "pplx-{{a:48}}",
        "huggingface-access-token" => "hf_{{L:17}}{{U:17}}",
        "replicate-api-token" => "r8_{{a:37}}",
        "google-api-key" => "AIza{{u:35}}",
        "stripe-secret-key" => "sk_live_{{a:24}}",
        "stripe-restricted-key" => "rk_live_{{a:24}}",
        "deepseek-api-key" => "sk-{{h:32}}",
        "aws-access-key-id" => "AKIA{{s:16}}",
        "github-personal-access-token" => "ghp_{{a:30}}{{crc32b62}}",
        "github-oauth-token" => "gho_{{a:30}}{{crc32b62}}",
        "github-fine-grained-pat" => "github_pat_{{a:22}}_{{a:59}}",
        "gitlab-personal-access-token" => "glpat-{{u:20}}",
        "slack-bot-token" => "xoxb-{{d:11}}-{{d:12}}-{{a:24}}",
        "npm-access-token" => "npm_{{a:30}}{{crc32b62}}",
        "private-key-rsa" => {
            "-----BEGIN RSA PRIVATE KEY-----\n{{b:64}}\n{{b:64}}\n{{b:64}}\n-----END RSA PRIVATE KEY-----"
        }
        other => panic!("no key template for rule {other}"),
    }
}

/// The rule id a template name reports as (variants share a rule).
pub fn rule_of(template_name: &str) -> &str {
    template_name.strip_suffix("-58").unwrap_or(template_name)
}

static SEED: AtomicUsize = AtomicUsize::new(1);

/// A fresh fake key for `rule_id`, different on every call.
pub fn fake_key(rule_id: &str) -> String {
    let n = SEED.fetch_add(1, Ordering::Relaxed);
    expand(key_template(rule_id), keyhound::rules::template::seed_for(rule_id, n))
}

/// A secret planted by [`expand_fixture`]: where it is and what should report it.
#[derive(Debug, Clone)]
pub struct Planted {
    pub rule_id: String,
    pub secret: String,
    pub line: usize,
    pub column: usize,
}

/// Expands a fixture template: each `{{key:RULE}}` becomes a fresh fake key
/// of that rule (recorded with its line and column), then the generic
/// placeholders of `keyhound::rules::template` are expanded.
pub fn expand_fixture(template: &str) -> (String, Vec<Planted>) {
    let mut out = String::new();
    let mut planted = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find("{{key:") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 6..];
        let end = after.find("}}").expect("unterminated {{key:");
        let name = &after[..end];
        let key = fake_key(name);
        let line = out.matches('\n').count() + 1;
        let column = out.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        planted.push(Planted { rule_id: rule_of(name).to_string(), secret: key.clone(), line, column });
        out.push_str(&key);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    (expand(&out, 99), planted)
}

/// Path of a file under the repository's `fixtures/`.
pub fn fixture_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

/// A directory keyhound runs in (a tree or a repository's work tree).
pub trait Workdir {
    fn root(&self) -> &Path;

    /// Runs keyhound with `args`, here as the working directory.
    fn run(&self, args: &[&str]) -> Output {
        keyhound().current_dir(self.root()).args(args).output().expect("run keyhound")
    }

    /// Runs keyhound with `args` in the subdirectory `rel`.
    fn run_in(&self, rel: &str, args: &[&str]) -> Output {
        keyhound().current_dir(self.root().join(rel)).args(args).output().expect("run keyhound")
    }

    /// Runs `keyhound <args> --format json` here and returns (exit code, JSON).
    fn run_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--format", "json"]);
        let out = self.run(&all);
        (out.status.code().unwrap_or(-1), parse_json(&out))
    }
}

/// A throwaway directory tree.
pub struct Tree {
    pub dir: TempDir,
}

impl Tree {
    pub fn new() -> Tree {
        Tree { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `contents` at `rel`, creating parent directories.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// Reads the file at `rel` as text.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }
}

impl Workdir for Tree {
    fn root(&self) -> &Path {
        self.path()
    }
}

/// Parses a run's stdout as JSON, with the run's stderr in the panic message.
pub fn parse_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The `findings` array of a JSON report.
pub fn findings(doc: &Value) -> &Vec<Value> {
    doc["findings"].as_array().expect("findings array")
}

/// A run's standard error, as text.
pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// (path, line, reason) of every finding marked suppressed in a JSON report
/// (run with `--show-suppressed`), sorted.
pub fn suppressed(doc: &Value) -> Vec<(String, u64, String)> {
    let mut v: Vec<_> = findings(doc)
        .iter()
        .filter(|f| !f["suppressed"].is_null())
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("path"), f["line"].as_u64().unwrap_or(0), s("suppressed"))
        })
        .collect();
    v.sort();
    v
}

/// (path, line) of every finding not marked suppressed, sorted.
pub fn reported(doc: &Value) -> Vec<(String, u64)> {
    let mut v: Vec<_> = findings(doc)
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .map(|f| (f["path"].as_str().unwrap_or_default().to_string(), f["line"].as_u64().unwrap_or(0)))
        .collect();
    v.sort();
    v
}

/// A throwaway git repository with a fixed identity and clock, so commits
/// are reproducible and dates assertable.
pub struct Repo {
    pub dir: TempDir,
    pub repo: Repository,
    clock: i64,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repository::init(dir.path()).expect("git init");
        {
            let mut cfg = repo.config().unwrap();
            cfg.set_str("user.name", "Test Author").unwrap();
            cfg.set_str("user.email", "author@example.com").unwrap();
        }
        Repo { dir, repo, clock: 1_700_000_000 }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file in the work tree and stages it.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        let mut index = self.repo.index().unwrap();
        index.add_path(Path::new(rel)).unwrap();
        index.write().unwrap();
    }

    /// Writes a file in the work tree without staging it.
    pub fn write_unstaged(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }

    /// Deletes a file from the work tree and the index.
    pub fn remove(&self, rel: &str) {
        let _ = std::fs::remove_file(self.dir.path().join(rel));
        let mut index = self.repo.index().unwrap();
        index.remove_path(Path::new(rel)).unwrap();
        index.write().unwrap();
    }

    /// Renames a file in the work tree and the index.
    pub fn rename(&self, from: &str, to: &str) {
        let data = std::fs::read(self.dir.path().join(from)).unwrap();
        self.remove(from);
        self.write(to, data);
    }

    /// Commits the index on HEAD as `author`; returns the commit id.
    pub fn commit_as(&mut self, message: &str, author: &str, email: &str) -> Oid {
        self.clock += 3600;
        let sig = Signature::new(author, email, &Time::new(self.clock, 0)).unwrap();
        let mut index = self.repo.index().unwrap();
        let tree_id = index.write_tree().unwrap();
        let tree = self.repo.find_tree(tree_id).unwrap();
        let parents: Vec<git2::Commit> = match self.repo.head() {
            Ok(h) => vec![h.peel_to_commit().unwrap()],
            Err(_) => vec![],
        };
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        self.repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &refs).unwrap()
    }

    pub fn commit(&mut self, message: &str) -> Oid {
        self.commit_as(message, "Test Author", "author@example.com")
    }

    /// Creates a branch at HEAD and switches HEAD (and the index and work
    /// tree) to it.
    pub fn branch(&self, name: &str) {
        let head = self.repo.head().unwrap().peel_to_commit().unwrap();
        self.repo.branch(name, &head, false).unwrap();
        self.checkout(name);
    }

    /// Switches HEAD to an existing branch, updating index and work tree.
    pub fn checkout(&self, name: &str) {
        let refname = format!("refs/heads/{name}");
        let obj = self.repo.revparse_single(&refname).unwrap();
        self.repo.checkout_tree(&obj, Some(git2::build::CheckoutBuilder::new().force())).unwrap();
        self.repo.set_head(&refname).unwrap();
    }
}

impl Workdir for Repo {
    fn root(&self) -> &Path {
        self.path()
    }
}

/// History helpers: merges, tags, orphan branches, clones and object
/// surgery, for tests of `keyhound history`.
impl Repo {
    /// The branch HEAD is on (`master` or `main`, depending on git's config).
    pub fn current_branch(&self) -> String {
        let head = self.repo.find_reference("HEAD").unwrap();
        let target = head.symbolic_target().expect("HEAD is on a branch").to_string();
        target.strip_prefix("refs/heads/").unwrap_or(&target).to_string()
    }

    /// Merges branch `branch` into the current branch: stages the merged
    /// tree (panics on conflicts), lets `resolve` write or remove more files
    /// (as when resolving a merge by hand), then commits with both parents.
    pub fn merge(&mut self, branch: &str, message: &str, resolve: impl FnOnce(&Repo)) -> Oid {
        let ours = self.repo.head().unwrap().peel_to_commit().unwrap();
        let theirs = self.repo.revparse_single(&format!("refs/heads/{branch}")).unwrap().peel_to_commit().unwrap();
        let mut merged = self.repo.merge_commits(&ours, &theirs, None).unwrap();
        assert!(!merged.has_conflicts(), "merging {branch} conflicts");
        let tree = self.repo.find_tree(merged.write_tree_to(&self.repo).unwrap()).unwrap();
        self.repo.checkout_tree(tree.as_object(), Some(git2::build::CheckoutBuilder::new().force())).unwrap();
        let mut index = self.repo.index().unwrap();
        index.read_tree(&tree).unwrap();
        index.write().unwrap();
        resolve(self);
        self.clock += 3600;
        let sig = Signature::new("Test Author", "author@example.com", &Time::new(self.clock, 0)).unwrap();
        let tree = self.repo.find_tree(self.repo.index().unwrap().write_tree().unwrap()).unwrap();
        self.repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &[&ours, &theirs]).unwrap()
    }

    /// Creates a lightweight tag at HEAD.
    pub fn tag(&self, name: &str) {
        let head = self.repo.head().unwrap().peel_to_commit().unwrap();
        self.repo.tag_lightweight(name, head.as_object(), false).unwrap();
    }

    /// Starts an orphan branch: HEAD points at the unborn `name`, and the
    /// index and work tree are emptied, so the next commit has no parent.
    pub fn orphan(&self, name: &str) {
        self.repo.set_head(&format!("refs/heads/{name}")).unwrap();
        let mut index = self.repo.index().unwrap();
        index.clear().unwrap();
        index.write().unwrap();
        for entry in std::fs::read_dir(self.path()).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == ".git" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                std::fs::remove_dir_all(entry.path()).unwrap();
            } else {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
    }

    /// Deletes a local branch (not the one HEAD is on).
    pub fn delete_branch(&self, name: &str) {
        self.repo.find_branch(name, git2::BranchType::Local).unwrap().delete().unwrap();
    }

    /// The id of the blob at `path` in `rev`'s tree.
    pub fn blob_id(&self, rev: &str, path: &str) -> Oid {
        let tree = self.repo.revparse_single(rev).unwrap().peel_to_tree().unwrap();
        tree.get_path(Path::new(path)).unwrap().id()
    }

    /// Deletes an object's loose file from `.git/objects` (everything this
    /// harness writes is loose), as in a broken mirror.
    pub fn delete_object(&self, oid: Oid) {
        let hex = oid.to_string();
        let file = self.repo.path().join("objects").join(&hex[..2]).join(&hex[2..]);
        std::fs::remove_file(&file).unwrap_or_else(|e| panic!("removing {}: {e}", file.display()));
    }

    /// Clones this repository with the git command line,
    /// `git clone <args> file://<this repository> <new directory>`, and
    /// returns the new directory (a work tree, or the repository itself for
    /// `--bare`).
    pub fn clone_with(&self, args: &[&str]) -> Tree {
        let tree = Tree::new();
        let out = std::process::Command::new("git")
            .args(["clone", "--quiet"])
            .args(args)
            .arg(format!("file://{}", self.path().display()))
            .arg(tree.path())
            .output()
            .expect("run git clone");
        assert!(out.status.success(), "git clone failed: {}", String::from_utf8_lossy(&out.stderr));
        tree
    }

    /// A bare clone (`git clone --bare`).
    pub fn clone_bare(&self) -> Tree {
        self.clone_with(&["--bare"])
    }

    /// A linked work tree (`git worktree add -b <branch>`) in a new
    /// directory.
    pub fn worktree(&self, branch: &str) -> Tree {
        let tree = Tree::new();
        let dir = tree.path().join("wt");
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args(["worktree", "add", "--quiet", "-b", branch])
            .arg(&dir)
            .output()
            .expect("run git worktree");
        assert!(out.status.success(), "git worktree add failed: {}", String::from_utf8_lossy(&out.stderr));
        tree
    }

    /// A shallow clone of HEAD's branch with `depth` commits.
    pub fn clone_shallow(&self, depth: usize) -> Tree {
        self.clone_with(&["--depth", &depth.to_string()])
    }

    /// A shallow clone of `branch` only, with `depth` commits, as
    /// `actions/checkout` makes by default (`fetch-depth: 1`).
    pub fn clone_shallow_branch(&self, depth: usize, branch: &str) -> Tree {
        self.clone_with(&["--depth", &depth.to_string(), "--branch", branch])
    }
}

/// More history helpers: moving a branch, commit ids as text.
impl Repo {
    /// Points the current branch (and index and work tree) at `rev`, as
    /// `git reset --hard` does: the way to rewrite a branch before a force
    /// push.
    pub fn reset_hard(&self, rev: &str) {
        let obj = self.repo.revparse_single(rev).unwrap();
        self.repo.reset(&obj, git2::ResetType::Hard, None).unwrap();
    }

    /// The full id of the commit `rev` names.
    pub fn rev(&self, rev: &str) -> String {
        self.repo.revparse_single(rev).unwrap().peel_to_commit().unwrap().id().to_string()
    }
}

/// A SARIF report from a run: exit code, parsed document and raw text.
pub struct SarifRun {
    pub code: i32,
    pub doc: Value,
    pub text: String,
}

impl SarifRun {
    /// Parses a run's stdout as SARIF and validates it against the schema.
    pub fn from_output(out: &Output) -> SarifRun {
        let doc = parse_json(out);
        assert_valid_sarif(&doc);
        SarifRun { code: out.status.code().unwrap_or(-1), doc, text: String::from_utf8_lossy(&out.stdout).into_owned() }
    }

    /// The run's results.
    pub fn results(&self) -> &Vec<Value> {
        sarif_results(&self.doc)
    }

    /// The run's rule descriptors.
    pub fn rules(&self) -> &Vec<Value> {
        self.doc["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules array")
    }
}

impl Tree {
    /// Runs `keyhound <args> --format sarif` here; the output is validated.
    pub fn run_sarif(&self, args: &[&str]) -> SarifRun {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--format", "sarif"]);
        SarifRun::from_output(&self.run(&all))
    }
}

impl Repo {
    /// Runs `keyhound <args> --format sarif` here; the output is validated.
    pub fn run_sarif(&self, args: &[&str]) -> SarifRun {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--format", "sarif"]);
        SarifRun::from_output(&self.run(&all))
    }
}

/// The `results` array of a SARIF log's single run.
pub fn sarif_results(doc: &Value) -> &Vec<Value> {
    assert_eq!(doc["runs"].as_array().map(Vec::len), Some(1), "one run: {doc}");
    doc["runs"][0]["results"].as_array().expect("results array")
}

/// Where CI puts the SARIF 2.1.0 schema: `../shared/schemas/` beside the
/// repository.
pub fn sarif_schema_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json")
}

/// Refuses every external schema: validation never touches the network.
struct NoRetrieval;

impl jsonschema::Retrieve for NoRetrieval {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!("refusing to fetch {uri}: schemas are validated offline").into())
    }
}

/// The SARIF schema validator, when the schema file is present (it is in
/// CI). Formats (`uri`, `date-time`) are checked too.
pub fn sarif_validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: std::sync::OnceLock<Option<jsonschema::Validator>> = std::sync::OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let text = std::fs::read_to_string(sarif_schema_path()).ok()?;
            let schema: Value = serde_json::from_str(&text).expect("SARIF schema is JSON");
            Some(
                jsonschema::options()
                    .should_validate_formats(true)
                    .with_retriever(NoRetrieval)
                    .build(&schema)
                    .expect("SARIF schema compiles"),
            )
        })
        .as_ref()
}

/// Validates a SARIF log against the 2.1.0 schema (when present), and
/// checks what GitHub code scanning needs beyond it: unique rule ids and
/// results pointing at them.
pub fn assert_valid_sarif(doc: &Value) {
    match sarif_validator() {
        Some(v) => {
            let errors: Vec<String> = v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path)).collect();
            assert!(errors.is_empty(), "SARIF does not validate:\n{}\n{doc:#}", errors.join("\n"));
        }
        None => eprintln!("note: {} not found; SARIF not schema-validated", sarif_schema_path().display()),
    }
    assert_eq!(doc["version"], "2.1.0");
    let rules = doc["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules array");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().expect("rule id")).collect();
    let unique: std::collections::HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate rule ids: {ids:?}");
    for r in sarif_results(doc) {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at the rule");
    }
}

/// A `keyhound ci` run in a simulated GitHub Actions job: its exit code,
/// stdout (annotations), stderr, the job summary and outputs files it
/// appended to, and its SARIF report (validated).
pub struct CiRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub summary: String,
    pub outputs: String,
    pub sarif: Option<Value>,
}

impl CiRun {
    /// The workflow-command lines (`::error …`, `::warning …`) on stdout.
    pub fn annotations(&self) -> Vec<&str> {
        self.stdout.lines().filter(|l| l.starts_with("::error ") || l.starts_with("::warning ")).collect()
    }

    /// The `::error`/`::warning` lines for findings (not messages).
    pub fn finding_annotations(&self) -> Vec<&str> {
        self.annotations().into_iter().filter(|l| l.contains(" file=")).collect()
    }

    /// The SARIF results.
    pub fn results(&self) -> &Vec<Value> {
        sarif_results(self.sarif.as_ref().expect("a SARIF report was written"))
    }
}

/// The GitHub Actions variables `keyhound ci` reads, removed from a command
/// so a test run inside GitHub Actions does not see the real ones.
pub const GITHUB_VARS: [&str; 11] = [
    "GITHUB_ACTIONS",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_WORKSPACE",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_OUTPUT",
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_HEAD_REF",
    "GITHUB_REF",
    "GITHUB_SHA",
];

/// A simulated GitHub Actions job: a workspace, an event and the files the
/// runner provides (`$GITHUB_EVENT_PATH`, `$GITHUB_STEP_SUMMARY`,
/// `$GITHUB_OUTPUT`) in a scratch directory.
pub struct Job {
    pub workspace: PathBuf,
    pub scratch: TempDir,
    pub event_name: Option<String>,
    pub vars: Vec<(String, String)>,
}

impl Job {
    /// A job in `workspace` triggered by `event_name` with `payload`.
    pub fn new(workspace: &Path, event_name: Option<&str>, payload: Option<Value>) -> Job {
        let scratch = tempfile::tempdir().expect("temp dir");
        let mut vars = vec![
            ("GITHUB_ACTIONS".to_string(), "true".to_string()),
            ("GITHUB_WORKSPACE".to_string(), workspace.display().to_string()),
            ("GITHUB_STEP_SUMMARY".to_string(), scratch.path().join("summary.md").display().to_string()),
            ("GITHUB_OUTPUT".to_string(), scratch.path().join("output.txt").display().to_string()),
        ];
        if let Some(name) = event_name {
            vars.push(("GITHUB_EVENT_NAME".to_string(), name.to_string()));
        }
        if let Some(p) = payload {
            let path = scratch.path().join("event.json");
            std::fs::write(&path, serde_json::to_vec_pretty(&p).unwrap()).unwrap();
            vars.push(("GITHUB_EVENT_PATH".to_string(), path.display().to_string()));
        }
        Job { workspace: workspace.to_path_buf(), scratch, event_name: event_name.map(str::to_string), vars }
    }

    /// Adds or replaces an environment variable.
    pub fn var(mut self, name: &str, value: &str) -> Job {
        self.vars.retain(|(k, _)| k != name);
        self.vars.push((name.to_string(), value.to_string()));
        self
    }

    /// Where the SARIF report goes unless a test says otherwise.
    pub fn sarif_path(&self) -> PathBuf {
        self.scratch.path().join("keyhound.sarif")
    }

    /// Runs `keyhound ci --sarif-file <scratch>/keyhound.sarif <args>` in the
    /// workspace.
    pub fn run(&self, args: &[&str]) -> CiRun {
        let sarif = self.sarif_path();
        let mut all = vec!["ci".to_string(), "--sarif-file".to_string(), sarif.display().to_string()];
        all.extend(args.iter().map(|a| a.to_string()));
        let mut cmd = keyhound();
        for v in GITHUB_VARS {
            cmd.env_remove(v);
        }
        cmd.current_dir(&self.workspace).args(&all).envs(self.vars.iter().map(|(k, v)| (k, v)));
        let out = cmd.output().expect("run keyhound ci");
        self.collect(&out, &sarif)
    }

    /// Gathers what a run left behind (also for runs started otherwise, as
    /// through action.yml).
    pub fn collect(&self, out: &Output, sarif: &Path) -> CiRun {
        let read = |name: &str| std::fs::read_to_string(self.scratch.path().join(name)).unwrap_or_default();
        let sarif = std::fs::read_to_string(sarif).ok().map(|t| {
            let doc: Value = serde_json::from_str(&t).expect("SARIF file is JSON");
            assert_valid_sarif(&doc);
            doc
        });
        CiRun {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            summary: read("summary.md"),
            outputs: read("output.txt"),
            sarif,
        }
    }
}

/// A `pull_request` event payload.
pub fn pull_request_event(number: u64, base: &str, head: &str) -> Value {
    serde_json::json!({
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "base": { "ref": "main", "sha": base },
            "head": { "ref": "feature", "sha": head },
        },
        "repository": { "default_branch": "main" },
    })
}

/// A `push` event payload; `commits` are the pushed commits, oldest first.
pub fn push_event(branch: &str, before: &str, after: &str, commits: &[&str], default_branch: &str) -> Value {
    serde_json::json!({
        "ref": format!("refs/heads/{branch}"),
        "before": before,
        "after": after,
        "created": before.bytes().all(|b| b == b'0'),
        "deleted": after.bytes().all(|b| b == b'0'),
        "forced": false,
        "commits": commits.iter().map(|c| serde_json::json!({ "id": c })).collect::<Vec<_>>(),
        "repository": { "default_branch": default_branch },
    })
}

/// The id GitHub sends for "no commit".
pub const NULL_SHA: &str = "0000000000000000000000000000000000000000";

/// A small HTTP/1.1 server on 127.0.0.1 that stands in for providers'
/// APIs in tests of `--verify` and `keyhound openai`: it answers each
/// request with what a handler returns, and records every request (method,
/// path, headers, time) and how many were in flight at once. One thread per
/// connection, `Connection: close`; it stops when dropped.
pub struct MockServer {
    addr: std::net::SocketAddr,
    state: std::sync::Arc<MockState>,
    accept: Option<std::thread::JoinHandle<()>>,
}

#[derive(Default)]
struct MockState {
    requests: std::sync::Mutex<Vec<MockRequest>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    stop: std::sync::atomic::AtomicBool,
}

/// A request the mock server received.
#[derive(Debug, Clone)]
pub struct MockRequest {
    pub method: String,
    /// Path and query, e.g. `/v1/models`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub at: std::time::Instant,
}

impl MockRequest {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path without the query.
    pub fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or(&self.path)
    }

    /// A query parameter's value.
    pub fn query(&self, name: &str) -> Option<&str> {
        let q = self.path.split_once('?')?.1;
        q.split('&').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
    }

    /// The credential the request carries: `Authorization` without its
    /// scheme, or `x-api-key`.
    pub fn credential(&self) -> Option<&str> {
        if let Some(v) = self.header("x-api-key") {
            return Some(v);
        }
        let auth = self.header("authorization")?;
        Some(auth.split_once(' ').map_or(auth, |(_, v)| v))
    }
}

/// What the mock server answers.
#[derive(Debug, Clone)]
pub struct MockResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wait this long before answering (to trigger client timeouts).
    pub delay: std::time::Duration,
}

impl MockResponse {
    /// An answer with this status and an empty JSON object.
    pub fn status(status: u16) -> MockResponse {
        MockResponse { status, headers: Vec::new(), body: "{}".to_string(), delay: std::time::Duration::ZERO }
    }

    /// An answer with this status and JSON body.
    pub fn json(status: u16, body: Value) -> MockResponse {
        MockResponse { body: body.to_string(), ..MockResponse::status(status) }
    }

    pub fn header(mut self, name: &str, value: &str) -> MockResponse {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn delay(mut self, d: std::time::Duration) -> MockResponse {
        self.delay = d;
        self
    }
}

impl MockServer {
    /// Starts a server; `handler` gets each request and how many earlier
    /// requests had the same method, path and credential (0 for the first:
    /// the attempt number, for retry tests).
    pub fn start(handler: impl Fn(&MockRequest, usize) -> MockResponse + Send + Sync + 'static) -> MockServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let state = std::sync::Arc::new(MockState::default());
        let handler = std::sync::Arc::new(handler);
        let st = state.clone();
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (st, handler) = (st.clone(), handler.clone());
                std::thread::spawn(move || serve(conn, &st, &*handler));
            }
        });
        MockServer { addr, state, accept: Some(accept) }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<MockRequest> {
        self.state.requests.lock().unwrap().clone()
    }

    /// The most requests that were being answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut conn: std::net::TcpStream, st: &MockState, handler: &dyn Fn(&MockRequest, usize) -> MockResponse) {
    use std::io::{Read, Write};
    let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 1 << 20 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (method, path) = (first.next().unwrap_or("").to_string(), first.next().unwrap_or("").to_string());
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    let req = MockRequest { method, path, headers, at: std::time::Instant::now() };
    let attempt = {
        let mut all = st.requests.lock().unwrap();
        let n = all
            .iter()
            .filter(|r| r.method == req.method && r.path == req.path && r.credential() == req.credential())
            .count();
        all.push(req.clone());
        n
    };
    let now = st.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    st.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let resp = handler(&req, attempt);
    std::thread::sleep(resp.delay);
    let mut out = format!(
        "HTTP/1.1 {} Mock\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        resp.status,
        resp.body.len()
    );
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&resp.body);
    let _ = conn.write_all(out.as_bytes());
    let _ = conn.flush();
    st.in_flight.fetch_sub(1, Ordering::SeqCst);
}

/// Every provider that has a live check in the shipped rules.
pub fn verify_providers() -> Vec<String> {
    let set = keyhound::rules::RuleSet::embedded().unwrap();
    let mut p: Vec<String> = set.rules().iter().filter_map(|r| r.verify.as_ref()).map(|v| v.provider.clone()).collect();
    p.sort();
    p.dedup();
    p
}

/// `KEYHOUND_VERIFY_BASE_URL_<PROVIDER>` for a provider.
pub fn override_var(provider: &str) -> String {
    format!("KEYHOUND_VERIFY_BASE_URL_{}", provider.to_uppercase())
}

/// The environment that sends every provider's verification requests to
/// `server`: no test ever reaches a real provider.
pub fn verify_env(server: &MockServer) -> Vec<(String, String)> {
    verify_providers().into_iter().map(|p| (override_var(&p), server.url())).collect()
}

/// Removes from a command every variable that could send its requests
/// elsewhere (overrides set in the test's own environment, proxies).
pub fn isolate_network(cmd: &mut Command) {
    for (k, _) in std::env::vars() {
        if k.starts_with("KEYHOUND_VERIFY_BASE_URL_") || k.eq_ignore_ascii_case("https_proxy") {
            cmd.env_remove(k);
        }
    }
    cmd.env_remove("OPENAI_ADMIN_KEY");
}

impl Tree {
    /// Runs keyhound with `args` and extra environment variables here, with
    /// the network isolated (see [`isolate_network`]).
    pub fn run_env(&self, args: &[&str], env: &[(String, String)]) -> Output {
        let mut cmd = keyhound();
        cmd.current_dir(self.path()).args(args).envs(env.iter().map(|(k, v)| (k, v)));
        cmd.output().expect("run keyhound")
    }

    /// Runs `keyhound <args> --format json` with `server` standing in for
    /// every provider; returns (exit code, JSON, stderr).
    pub fn run_verify(&self, server: &MockServer, args: &[&str]) -> (i32, Value, String) {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--format", "json"]);
        let out = self.run_env(&all, &verify_env(server));
        (out.status.code().unwrap_or(-1), parse_json(&out), String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

impl Repo {
    /// Runs keyhound with `args` and extra environment variables in the work
    /// tree, with the network isolated.
    pub fn run_env(&self, args: &[&str], env: &[(String, String)]) -> Output {
        let mut cmd = keyhound();
        cmd.current_dir(self.path()).args(args).envs(env.iter().map(|(k, v)| (k, v)));
        cmd.output().expect("run keyhound")
    }
}

/// The environment for `keyhound openai ...` against `server`: the admin
/// key and the OpenAI base-URL override.
pub fn openai_env(server: &MockServer, admin_key: &str) -> Vec<(String, String)> {
    vec![("OPENAI_ADMIN_KEY".to_string(), admin_key.to_string()), (override_var("openai"), server.url())]
}

impl Tree {
    /// Runs keyhound with `args`, extra environment variables and `stdin`
    /// here, with the network isolated.
    pub fn run_stdin(&self, args: &[&str], env: &[(String, String)], stdin: &str) -> Output {
        let mut cmd = keyhound();
        cmd.current_dir(self.path()).args(args).envs(env.iter().map(|(k, v)| (k, v))).write_stdin(stdin.to_string());
        cmd.output().expect("run keyhound")
    }
}

// ---------------------------------------------------------------------------
// Git hooks (tests/precommit.rs): the real `git` CLI and keyhound, isolated
// from the environment of the run (a test run from inside a git hook, a
// user's GIT_DIR or global core.hooksPath) so they only ever see the test's
// own repositories.
// ---------------------------------------------------------------------------

/// Variables git and the pre-commit framework set for hooks, or a shell may
/// carry, that would point git or keyhound somewhere else.
pub const HOOK_ENV_VARS: [&str; 18] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_PREFIX",
    "GIT_EDITOR",
    "PRE_COMMIT",
    "PRE_COMMIT_FROM_REF",
    "PRE_COMMIT_TO_REF",
    "PRE_COMMIT_ORIGIN",
    "PRE_COMMIT_SOURCE",
    "PRE_COMMIT_REMOTE_NAME",
    "PRE_COMMIT_REMOTE_URL",
    "PRE_COMMIT_LOCAL_BRANCH",
];

/// An empty home directory for git and keyhound: no global git config
/// (no `core.hooksPath`, signing or templates of the user's) is read.
pub fn empty_home() -> &'static Path {
    static HOME: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-home");
        std::fs::create_dir_all(&home).expect("create the empty home");
        home
    })
}

/// Applies the isolation above to a command (git's or keyhound's).
pub fn isolate_git(cmd: &mut std::process::Command) {
    for var in HOOK_ENV_VARS {
        cmd.env_remove(var);
    }
    cmd.env("HOME", empty_home())
        .env("XDG_CONFIG_HOME", empty_home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("NO_COLOR", "1");
}

/// The keyhound binary under test.
pub fn keyhound_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_keyhound"))
}

/// `git <args>` in `dir`, isolated, with the test identity; `env` is added.
pub fn git_env(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    use std::io::Write as _;
    let mut cmd = std::process::Command::new("git");
    isolate_git(&mut cmd);
    cmd.current_dir(dir)
        .args(["-c", "user.name=Test Author", "-c", "user.email=author@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("run git");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.unwrap_or("").as_bytes()).expect("write git's stdin");
    drop(input);
    child.wait_with_output().expect("wait for git")
}

/// `git <args>` in `dir`, isolated.
pub fn git_in(dir: &Path, args: &[&str]) -> Output {
    git_env(dir, args, &[], None)
}

/// `git <args>` in `dir`, which must succeed; its stdout, trimmed.
pub fn git_ok(dir: &Path, args: &[&str]) -> String {
    let out = git_in(dir, args);
    assert!(out.status.success(), "git {args:?} failed: {}", stderr_of(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Standard output and error of a run together, as text.
pub fn all_output(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// keyhound with `args` in `dir`, isolated from git's and the framework's
/// variables; `env` is added (to simulate them).
pub fn keyhound_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut std_cmd = std::process::Command::new(keyhound_bin());
    isolate_git(&mut std_cmd);
    std_cmd.current_dir(dir).args(args).envs(env.iter().copied());
    let mut cmd = Command::from_std(std_cmd);
    isolate_network(&mut cmd);
    cmd.output().expect("run keyhound")
}

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

/// The keyhound binary, with a clean environment for color/progress.
pub fn keyhound() -> Command {
    let mut cmd = Command::cargo_bin("keyhound").expect("binary is built");
    cmd.env("NO_COLOR", "1");
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

    /// Runs keyhound with `args`, in this tree as the working directory.
    pub fn run(&self, args: &[&str]) -> Output {
        keyhound().current_dir(self.path()).args(args).output().expect("run keyhound")
    }

    /// Runs `keyhound <args> --format json` here and returns (exit code, JSON).
    pub fn run_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--format", "json"]);
        let out = self.run(&all);
        (out.status.code().unwrap_or(-1), parse_json(&out))
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

    /// Runs keyhound with `args` in the repository's work tree.
    pub fn run(&self, args: &[&str]) -> Output {
        keyhound().current_dir(self.path()).args(args).output().expect("run keyhound")
    }

    /// Runs `keyhound <args> --format json` here and returns (exit code, JSON).
    pub fn run_json(&self, args: &[&str]) -> (i32, Value) {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--format", "json"]);
        let out = self.run(&all);
        (out.status.code().unwrap_or(-1), parse_json(&out))
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

    /// A shallow clone of HEAD's branch with `depth` commits.
    pub fn clone_shallow(&self, depth: usize) -> Tree {
        self.clone_with(&["--depth", &depth.to_string()])
    }
}

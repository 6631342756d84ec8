//! Throwaway git repositories with a fixed identity and clock, and the
//! history operations tests of `history`, `staged` and `ci` need: branches,
//! merges, tags, orphan branches, clones and object surgery.

use std::path::Path;
use std::process::Output;

use git2::{Oid, Repository, Signature, Time};
use tempfile::TempDir;

use super::workdir::write_file;
use super::{stderr_of, Tree, Workdir};

/// A throwaway git repository with a fixed identity and clock, so commits
/// are reproducible and dates assertable.
pub struct Repo {
    dir: TempDir,
    pub repo: Repository,
    clock: i64,
}

/// The identity every commit has unless a test names another.
const AUTHOR: (&str, &str) = ("Test Author", "author@example.com");

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repository::init(dir.path()).expect("git init");
        {
            let mut cfg = repo.config().unwrap();
            cfg.set_str("user.name", AUTHOR.0).unwrap();
            cfg.set_str("user.email", AUTHOR.1).unwrap();
        }
        Repo { dir, repo, clock: 1_700_000_000 }
    }

    /// Writes a file in the work tree and stages it.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        self.write_unstaged(rel, contents);
        let mut index = self.repo.index().unwrap();
        index.add_path(Path::new(rel)).unwrap();
        index.write().unwrap();
    }

    /// Writes a file in the work tree without staging it.
    pub fn write_unstaged(&self, rel: &str, contents: impl AsRef<[u8]>) {
        write_file(self.path(), rel, contents);
    }

    /// Deletes a file from the work tree and the index.
    pub fn remove(&self, rel: &str) {
        let _ = std::fs::remove_file(self.path().join(rel));
        let mut index = self.repo.index().unwrap();
        index.remove_path(Path::new(rel)).unwrap();
        index.write().unwrap();
    }

    /// Renames a file in the work tree and the index.
    pub fn rename(&self, from: &str, to: &str) {
        let data = std::fs::read(self.path().join(from)).unwrap();
        self.remove(from);
        self.write(to, data);
    }

    /// Commits the index on HEAD as `author`; returns the commit id.
    pub fn commit_as(&mut self, message: &str, author: &str, email: &str) -> Oid {
        let sig = self.signature(author, email);
        let parents: Vec<git2::Commit> = match self.repo.head() {
            Ok(h) => vec![h.peel_to_commit().unwrap()],
            Err(_) => vec![],
        };
        self.commit_index(message, &sig, &parents.iter().collect::<Vec<_>>())
    }

    pub fn commit(&mut self, message: &str) -> Oid {
        self.commit_as(message, AUTHOR.0, AUTHOR.1)
    }

    /// Writes README.md and commits it as `init`: the first commit most
    /// tests start from. Returns its id.
    pub fn commit_readme(&mut self) -> Oid {
        self.write("README.md", "# demo\n");
        self.commit("init")
    }

    /// A signature one hour after the previous commit's.
    fn signature(&mut self, author: &str, email: &str) -> Signature<'static> {
        self.clock += 3600;
        Signature::new(author, email, &Time::new(self.clock, 0)).unwrap()
    }

    /// Commits the index on HEAD with these parents.
    fn commit_index(&self, message: &str, sig: &Signature, parents: &[&git2::Commit]) -> Oid {
        let tree = self.repo.find_tree(self.repo.index().unwrap().write_tree().unwrap()).unwrap();
        self.repo.commit(Some("HEAD"), sig, sig, message, &tree, parents).unwrap()
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
    fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// History helpers: merges, tags, orphan branches, clones, moving a branch
/// and object surgery, for tests of `history` and `ci`.
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
        let sig = self.signature(AUTHOR.0, AUTHOR.1);
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
        self.commit_index(message, &sig, &[&ours, &theirs])
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
        self.clone_into(tree.path(), args);
        tree
    }

    /// Clones this repository into `dest`: `git clone <args> file://<this
    /// repository> <dest>`.
    pub fn clone_into(&self, dest: &Path, args: &[&str]) {
        let url = format!("file://{}", self.path().display());
        let dest = dest.display().to_string();
        git_ok(self.path(), &[&["clone", "--quiet"], args, &[&url, &dest]].concat());
    }

    /// A bare clone (`git clone --bare`).
    pub fn clone_bare(&self) -> Tree {
        self.clone_with(&["--bare"])
    }

    /// A linked work tree (`git worktree add -b <branch>`) in a new
    /// directory.
    pub fn worktree(&self, branch: &str) -> Tree {
        let tree = Tree::new();
        let dir = tree.path().join("wt").display().to_string();
        git_ok(self.path(), &["worktree", "add", "--quiet", "-b", branch, &dir]);
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

    /// Points the current branch (and index and work tree) at `rev`, as
    /// `git reset --hard` does: the way to rewrite a branch before a force
    /// push.
    pub fn reset_hard(&self, rev: &str) {
        let obj = self.repo.revparse_single(rev).unwrap();
        self.repo.reset(&obj, git2::ResetType::Hard, None).unwrap();
    }
}

/// Runs the git command line in `dir`, with the harness's identity for
/// commits; returns what it did, successful or not.
pub fn git(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", &format!("user.name={}", AUTHOR.0), "-c", &format!("user.email={}", AUTHOR.1)])
        .args(args)
        .output()
        .expect("run git")
}

/// Runs git in `dir` (see [`git`]) and asserts it succeeded.
pub fn git_ok(dir: &Path, args: &[&str]) {
    let out = git(dir, args);
    assert!(out.status.success(), "git {args:?} failed: {}", stderr_of(&out));
}

/// A repository in the sha256 object format (`git init
/// --object-format=sha256`; the git command line writes it, libgit2 cannot)
/// with `key` in a committed `.env` and in a staged `staged.env`.
pub fn sha256_repo(key: &str) -> Tree {
    let tree = Tree::new();
    git_ok(tree.path(), &["init", "--quiet", "--object-format=sha256"]);
    tree.write(".env", format!("OPENAI_API_KEY={key}\n"));
    git_ok(tree.path(), &["add", ".env"]);
    git_ok(tree.path(), &["commit", "--quiet", "-m", "add .env"]);
    tree.write("staged.env", format!("OPENAI_API_KEY={key}\n"));
    git_ok(tree.path(), &["add", "staged.env"]);
    tree
}

/// The one-line error keyhound gives for the sha256 repository `tree` (see
/// [`sha256_repo`]).
pub fn sha256_error(tree: &Tree) -> String {
    let root = tree.path().canonicalize().unwrap();
    format!("{} uses the sha256 object format, which keyhound does not read yet (only sha1)", root.display())
}

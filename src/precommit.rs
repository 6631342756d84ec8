//! What `keyhound staged` is asked to check, decided once from its
//! arguments and the environment that git and the pre-commit framework set:
//!
//! - the index git is about to commit: `GIT_INDEX_FILE` when git names one
//!   (`git commit -a`, `git commit <paths>`, `--only`, `--include` commit
//!   from a temporary index), else the repository's own;
//! - within it, every staged change, or only the files named on the command
//!   line (the framework passes them: a named file with staged changes is
//!   checked by the lines they add, one with nothing staged whole);
//! - or, at the framework's pre-push stage, the commits being pushed
//!   (`PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF`, or the whole pushed branch
//!   when none of its history is on the remote), file names ignored.
//!
//! This module only decides. It must not read the index or the history
//! (`source::staged` and `pipeline::history` do) nor scan anything.

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variable git sets to the index a hook must read.
pub const INDEX_FILE_VAR: &str = "GIT_INDEX_FILE";
/// The variables the pre-commit framework sets at its pre-push stage: the
/// commits pushed are those in `FROM..TO`.
pub const FROM_REF_VAR: &str = "PRE_COMMIT_FROM_REF";
pub const TO_REF_VAR: &str = "PRE_COMMIT_TO_REF";
/// Set by the framework at its pre-push stage, with or without a range.
pub const REMOTE_NAME_VAR: &str = "PRE_COMMIT_REMOTE_NAME";
pub const LOCAL_BRANCH_VAR: &str = "PRE_COMMIT_LOCAL_BRANCH";

/// What `keyhound staged` checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StagedCheck {
    /// What the next commit adds, read from an index.
    Index {
        /// The index git names in `GIT_INDEX_FILE` (relative to the top of
        /// the work tree, as git means it, or absolute); `None`: the
        /// repository's own index.
        index_file: Option<PathBuf>,
        /// Only these files, as named (relative to the current directory);
        /// `None`: every staged change.
        files: Option<Vec<PathBuf>>,
    },
    /// A push (the framework's pre-push stage): what the commits in
    /// `from..to` introduce, as `keyhound history --range from..to`.
    PushRange { from: String, to: String },
    /// A push of a branch none of whose history is on the remote yet (the
    /// framework then names no range): the branch's whole history, as
    /// `keyhound history --branch NAME`.
    PushBranch(String),
}

impl StagedCheck {
    /// Decides what to check from the named files and the environment
    /// (`env` looks a variable up; empty values count as unset).
    pub fn decide(files: Vec<PathBuf>, env: impl Fn(&str) -> Option<OsString>) -> StagedCheck {
        let var = |name: &str| env(name).filter(|v| !v.is_empty()).map(|v| v.to_string_lossy().into_owned());
        if let (Some(from), Some(to)) = (var(FROM_REF_VAR), var(TO_REF_VAR)) {
            return StagedCheck::PushRange { from, to };
        }
        if let (Some(_), Some(branch)) = (var(REMOTE_NAME_VAR), var(LOCAL_BRANCH_VAR)) {
            return StagedCheck::PushBranch(branch);
        }
        StagedCheck::Index {
            index_file: env(INDEX_FILE_VAR).filter(|v| !v.is_empty()).map(PathBuf::from),
            files: (!files.is_empty()).then_some(files),
        }
    }

    /// True for the pre-push checks, which scan commits rather than an index.
    pub fn is_push(&self) -> bool {
        !matches!(self, StagedCheck::Index { .. })
    }
}

/// The positional arguments of `keyhound staged` split into the repository
/// and the files to check. `keyhound staged DIR` — one argument, a
/// directory — keeps its old meaning, the repository (as `--repo DIR`);
/// otherwise every argument is a file, and a directory among them is an
/// error (the framework never names one).
pub fn split_args(repo: Option<PathBuf>, mut paths: Vec<PathBuf>) -> Result<(PathBuf, Vec<PathBuf>), ArgsError> {
    if repo.is_none() && paths.len() == 1 && paths[0].is_dir() {
        return Ok((paths.remove(0), Vec::new()));
    }
    if let Some(dir) = paths.iter().find(|p| p.is_dir()) {
        return Err(ArgsError::Directory(dir.display().to_string()));
    }
    Ok((repo.unwrap_or_else(|| PathBuf::from(".")), paths))
}

/// Arguments `keyhound staged` cannot use (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ArgsError {
    #[error("{0} is a directory: name the files to check (a single directory is the repository, as `--repo DIR`)")]
    Directory(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| OsString::from(v))
    }

    #[test]
    fn plain_run_checks_every_staged_change_of_the_default_index() {
        assert_eq!(StagedCheck::decide(vec![], env(&[])), StagedCheck::Index { index_file: None, files: None });
    }

    #[test]
    fn git_index_file_and_named_files_are_taken() {
        let c = StagedCheck::decide(vec!["a.py".into()], env(&[("GIT_INDEX_FILE", ".git/index.lock")]));
        assert_eq!(
            c,
            StagedCheck::Index { index_file: Some(".git/index.lock".into()), files: Some(vec!["a.py".into()]) }
        );
        let c = StagedCheck::decide(vec![], env(&[("GIT_INDEX_FILE", "")]));
        assert_eq!(c, StagedCheck::Index { index_file: None, files: None });
    }

    #[test]
    fn pre_push_scans_the_range_and_ignores_files() {
        let vars = [
            ("PRE_COMMIT_FROM_REF", "abc"),
            ("PRE_COMMIT_TO_REF", "def"),
            ("PRE_COMMIT_REMOTE_NAME", "origin"),
            ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main"),
            ("GIT_INDEX_FILE", "x"),
        ];
        let c = StagedCheck::decide(vec!["a.py".into()], env(&vars));
        assert_eq!(c, StagedCheck::PushRange { from: "abc".into(), to: "def".into() });
        assert!(c.is_push());
        let c = StagedCheck::decide(vec![], env(&vars[2..]));
        assert_eq!(c, StagedCheck::PushBranch("refs/heads/main".into()));
        // Half a range is no range.
        let c = StagedCheck::decide(vec![], env(&[("PRE_COMMIT_FROM_REF", "abc")]));
        assert!(!c.is_push());
    }

    #[test]
    fn one_directory_is_the_repository_and_files_are_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_path_buf();
        assert_eq!(split_args(None, vec![d.clone()]).unwrap(), (d.clone(), vec![]));
        assert_eq!(split_args(None, vec![]).unwrap(), (PathBuf::from("."), vec![]));
        let f = d.join("a.txt");
        assert_eq!(split_args(Some(d.clone()), vec![f.clone()]).unwrap(), (d.clone(), vec![f.clone()]));
        assert!(matches!(split_args(None, vec![f.clone(), d.clone()]), Err(ArgsError::Directory(_))));
        assert!(matches!(split_args(Some(d.clone()), vec![d.clone()]), Err(ArgsError::Directory(_))));
    }
}

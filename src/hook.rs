//! Installs and removes keyhound's git pre-commit hook.
//!
//! The hook runs `keyhound staged`, so a commit that adds a secret is
//! blocked. It goes where git looks for hooks (`git rev-parse --git-path
//! hooks`): `core.hooksPath` when set (a relative one is relative to the top
//! of the work tree, where git runs hooks; in a bare repository to the git
//! directory), else the `hooks/` of the repository's common directory, which
//! every linked work tree shares — never a linked work tree's private git
//! directory, where git does not look.
//!
//! The hook file carries a marker line; keyhound only ever overwrites or
//! removes files that carry it. A team's own hook is never lost: without
//! `--force` installing over it is refused; with `--force` it is renamed to
//! `pre-commit.legacy` (an existing `.legacy` is never overwritten), which
//! keyhound's hook runs first, with the same arguments and input, failing
//! the commit when it fails; `--uninstall` puts it back.
//!
//! This module must not run git or keyhound: it only writes, renames and
//! removes hook files.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use git2::Repository;

/// Identifies a hook file written by keyhound.
pub const MARKER: &str = "# keyhound-managed-hook";
/// The hook's file name.
pub const HOOK_NAME: &str = "pre-commit";
/// Where a hook keyhound installed over is kept, next to keyhound's.
pub const LEGACY_NAME: &str = "pre-commit.legacy";

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("{0}: not a git repository (or any parent)")]
    NotARepository(String),
    /// A repository libgit2 finds but cannot open: an extension it does not
    /// know (`extensions.objectformat` of a sha256 repository,
    /// `extensions.refstorage` of reftable refs), an unreadable config.
    #[error("{path}: cannot open the repository: {message}")]
    Open { path: String, message: String },
    #[error(
        "{0} exists and was not installed by keyhound; use --force to keep it as {LEGACY_NAME} \
         (keyhound's hook runs it first)"
    )]
    Foreign(String),
    #[error("{hook} was not installed by keyhound, and {legacy} exists too: move one of them away first")]
    LegacyTaken { hook: String, legacy: String },
    #[error("{0} was not installed by keyhound; leaving it in place")]
    ForeignUninstall(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("reading git config: {0}")]
    Git(#[from] git2::Error),
}

/// Where git looks for the pre-commit hook of a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookLocation {
    /// The hook file.
    pub path: PathBuf,
    /// Set by `core.hooksPath` (rather than the repository's `hooks/`).
    pub hooks_path: bool,
    /// The repository was reached through a linked work tree
    /// (`git worktree add`): the hook is shared with every work tree.
    pub linked_worktree: bool,
}

/// What an install or uninstall did.
#[derive(Debug, PartialEq, Eq)]
pub enum HookOutcome {
    /// keyhound's hook is at `at.path`; `kept` is where the hook that was
    /// there before went, `updated` says an older keyhound hook was replaced.
    Installed { at: HookLocation, kept: Option<PathBuf>, updated: bool },
    /// keyhound's hook was removed; `restored` is the kept hook put back in
    /// its place.
    Removed { at: HookLocation, restored: bool },
    /// There was no hook; `legacy` is a `pre-commit.legacy` left alone.
    NothingToRemove { at: HookLocation, legacy: Option<PathBuf> },
}

impl fmt::Display for HookOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HookOutcome::Installed { at, kept, updated } => {
                let verb = if *updated { "updated" } else { "installed" };
                write!(f, "{verb} the pre-commit hook at {}{}", at.path.display(), scope(at))?;
                if let Some(kept) = kept {
                    write!(f, "\nkeyhound: the hook that was there is kept as {}; it runs first", kept.display())?;
                }
                Ok(())
            }
            HookOutcome::Removed { at, restored } => {
                write!(f, "removed the pre-commit hook {}", at.path.display())?;
                if *restored {
                    write!(f, "\nkeyhound: put back the hook it had kept as {LEGACY_NAME}")?;
                }
                Ok(())
            }
            HookOutcome::NothingToRemove { at, legacy } => {
                write!(f, "no pre-commit hook at {}", at.path.display())?;
                if let Some(legacy) = legacy {
                    write!(f, "; {} left in place", legacy.display())?;
                }
                Ok(())
            }
        }
    }
}

/// Which commits run the hook, when it is not just this work tree's.
fn scope(at: &HookLocation) -> &'static str {
    match (at.hooks_path, at.linked_worktree) {
        (true, _) => " (core.hooksPath)",
        (false, true) => " (the repository's hooks: every work tree of it runs this hook)",
        (false, false) => "",
    }
}

/// Where git looks for the pre-commit hook of the repository at `path` —
/// what `git rev-parse --git-path hooks/pre-commit` prints.
pub fn hook_location(path: &Path) -> Result<HookLocation, HookError> {
    let repo = Repository::discover(path).map_err(|e| match e.code() {
        git2::ErrorCode::NotFound => HookError::NotARepository(path.display().to_string()),
        _ => HookError::Open { path: path.display().to_string(), message: e.message().to_string() },
    })?;
    let config = repo.config()?;
    let (dir, hooks_path) = match config.get_path("core.hooksPath") {
        // Relative to where git runs hooks: the top of the work tree, or the
        // git directory of a bare repository.
        Ok(p) if p.is_relative() => (repo.workdir().unwrap_or_else(|| repo.path()).join(p), true),
        Ok(p) => (p, true),
        Err(_) => (repo.commondir().join("hooks"), false),
    };
    Ok(HookLocation { path: dir.join(HOOK_NAME), hooks_path, linked_worktree: repo.is_worktree() })
}

/// The hook script: runs the hook it was installed over, if any, then this
/// keyhound binary if it still exists, else the one on `PATH`.
pub fn hook_script(binary: &Path) -> String {
    let quoted = binary.display().to_string().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n{MARKER}\n\
         # Blocks commits that add secrets. Installed by `keyhound install-hook`;\n\
         # remove with `keyhound install-hook --uninstall`. Bypass once: git commit --no-verify\n\
         # A hook that was here before is kept as {LEGACY_NAME} and runs first, with the\n\
         # same arguments and input; when it fails, the commit fails. It may re-stage files,\n\
         # so keyhound checks what is staged after it.\n\
         legacy=\"$(dirname -- \"$0\")/{LEGACY_NAME}\"\n\
         if [ -x \"$legacy\" ]; then\n  \"$legacy\" \"$@\" || exit $?\nfi\n\
         kh='{quoted}'\n[ -x \"$kh\" ] || kh=keyhound\nexec \"$kh\" staged --no-progress\n"
    )
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> HookError + '_ {
    move |source| HookError::Io { path: path.display().to_string(), source }
}

fn is_ours(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|s| s.contains(MARKER))
}

/// A file, directory or symbolic link (even a dangling one) is at `path`.
fn occupied(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn legacy_of(hook: &Path) -> PathBuf {
    hook.with_file_name(LEGACY_NAME)
}

/// Installs the hook for the repository at `repo`. With `force`, a hook
/// keyhound did not write is kept as `pre-commit.legacy`.
pub fn install(repo: &Path, binary: &Path, force: bool) -> Result<HookOutcome, HookError> {
    let at = hook_location(repo)?;
    let path = &at.path;
    let existed = occupied(path);
    let ours = existed && is_ours(path);
    let mut kept = None;
    if existed && !ours {
        if !force {
            return Err(HookError::Foreign(path.display().to_string()));
        }
        let legacy = legacy_of(path);
        if occupied(&legacy) {
            return Err(HookError::LegacyTaken {
                hook: path.display().to_string(),
                legacy: legacy.display().to_string(),
            });
        }
        fs::rename(path, &legacy).map_err(io_err(path))?;
        kept = Some(legacy);
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    if let Err(e) = write_script(path, binary) {
        // Put the user's hook back rather than leave no hook at all.
        if let Some(legacy) = &kept {
            let _ = fs::remove_file(path);
            let _ = fs::rename(legacy, path);
        }
        return Err(e);
    }
    Ok(HookOutcome::Installed { at, kept, updated: ours })
}

fn write_script(path: &Path, binary: &Path) -> Result<(), HookError> {
    fs::write(path, hook_script(binary)).map_err(io_err(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(io_err(path))?;
    }
    Ok(())
}

/// Removes the hook, only if keyhound wrote it, and puts back the hook it
/// kept as `pre-commit.legacy` (renamed, so its bytes and mode are as they
/// were).
pub fn uninstall(repo: &Path) -> Result<HookOutcome, HookError> {
    let at = hook_location(repo)?;
    let path = &at.path;
    let legacy = legacy_of(path);
    if !occupied(path) {
        let legacy = occupied(&legacy).then_some(legacy);
        return Ok(HookOutcome::NothingToRemove { at, legacy });
    }
    if !is_ours(path) {
        return Err(HookError::ForeignUninstall(path.display().to_string()));
    }
    // Renaming the kept hook over keyhound's replaces it in one step.
    let restored = occupied(&legacy);
    if restored {
        fs::rename(&legacy, path).map_err(io_err(&legacy))?;
    } else {
        fs::remove_file(path).map_err(io_err(path))?;
    }
    Ok(HookOutcome::Removed { at, restored })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_is_marked_runs_the_legacy_hook_and_quotes_the_path() {
        let s = hook_script(Path::new("/opt/it's/keyhound"));
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains(MARKER));
        assert!(s.contains(r"kh='/opt/it'\''s/keyhound'"));
        assert!(s.contains("staged"));
        let legacy = s.find("\"$legacy\" \"$@\" || exit $?").expect("runs the legacy hook");
        assert!(legacy < s.find("exec \"$kh\" staged").unwrap(), "the legacy hook runs first");
    }

    #[test]
    fn messages_name_the_path_and_the_scope() {
        let at = HookLocation { path: "/r/.git/hooks/pre-commit".into(), hooks_path: false, linked_worktree: true };
        let m = HookOutcome::Installed { at, kept: Some("/r/.git/hooks/pre-commit.legacy".into()), updated: false }
            .to_string();
        assert!(m.starts_with("installed the pre-commit hook at /r/.git/hooks/pre-commit (the repository's hooks"));
        assert!(m.contains("kept as /r/.git/hooks/pre-commit.legacy"), "{m}");
    }

    #[test]
    fn a_repository_libgit2_cannot_open_is_named_as_such_not_as_no_repository() {
        // sha256 objects and reftable refs: git makes them, libgit2 refuses
        // them. The user must learn that, not that there is no repository.
        for (init, says) in [("--object-format=sha256", "sha256"), ("--ref-format=reftable", "extensions.refstorage")] {
            let dir = tempfile::tempdir().unwrap();
            let made = std::process::Command::new("git").arg("-C").arg(dir.path()).args(["init", "-q", init]).output();
            if !made.is_ok_and(|o| o.status.success()) {
                continue; // no git command line, or one without that format
            }
            let message = match install(dir.path(), Path::new("/bin/keyhound"), false) {
                Err(e @ HookError::Open { .. }) => e.to_string(),
                other => panic!("{init}: {other:?}"),
            };
            assert!(message.contains("cannot open the repository") && message.contains(says), "{message}");
            assert!(!dir.path().join(".git/hooks").join(HOOK_NAME).exists(), "{init}: nothing installed");
        }
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(install(empty.path(), Path::new("/bin/keyhound"), false), Err(HookError::NotARepository(_))));
    }
}

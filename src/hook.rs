//! Installs and removes keyhound's git pre-commit hook.
//!
//! The hook runs `keyhound staged`, so a commit that adds a secret is
//! blocked. The hook file carries a marker line; keyhound only ever
//! overwrites (with `--force`) or removes files that carry it, so a team's
//! own hook is never lost by accident. Respects `core.hooksPath`.

use std::fs;
use std::path::{Path, PathBuf};

use git2::Repository;

/// Identifies a hook file written by keyhound.
pub const MARKER: &str = "# keyhound-managed-hook";

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("{0}: not a git repository (or any parent)")]
    NotARepository(String),
    #[error("{0} exists and was not installed by keyhound; use --force to replace it")]
    Foreign(String),
    #[error("{0} was not installed by keyhound; leaving it in place")]
    ForeignUninstall(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("reading git config: {0}")]
    Git(#[from] git2::Error),
}

/// What happened.
#[derive(Debug, PartialEq, Eq)]
pub enum HookOutcome {
    Installed(PathBuf),
    Replaced(PathBuf),
    Removed(PathBuf),
    NothingToRemove(PathBuf),
}

/// Where git looks for the pre-commit hook of the repository at `path`.
pub fn hook_path(path: &Path) -> Result<PathBuf, HookError> {
    let repo = Repository::discover(path).map_err(|_| HookError::NotARepository(path.display().to_string()))?;
    let config = repo.config()?;
    let dir = match config.get_path("core.hooksPath") {
        // A relative hooksPath is relative to the work tree root (git's rule
        // for non-bare repositories).
        Ok(p) if p.is_relative() => repo.workdir().unwrap_or_else(|| repo.path()).join(p),
        Ok(p) => p,
        Err(_) => repo.path().join("hooks"),
    };
    Ok(dir.join("pre-commit"))
}

/// The hook script: runs this keyhound binary if it still exists, else the
/// one on `PATH`.
pub fn hook_script(binary: &Path) -> String {
    let quoted = binary.display().to_string().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n{MARKER}\n# Blocks commits that add secrets. Installed by `keyhound install-hook`;\n\
         # remove with `keyhound install-hook --uninstall`. Bypass once: git commit --no-verify\n\
         kh='{quoted}'\n[ -x \"$kh\" ] || kh=keyhound\nexec \"$kh\" staged --no-progress\n"
    )
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> HookError + '_ {
    move |source| HookError::Io { path: path.display().to_string(), source }
}

fn is_ours(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|s| s.contains(MARKER))
}

/// Installs the hook for the repository at `repo`.
pub fn install(repo: &Path, binary: &Path, force: bool) -> Result<HookOutcome, HookError> {
    let path = hook_path(repo)?;
    let existed = path.exists();
    if existed && !force && !is_ours(&path) {
        return Err(HookError::Foreign(path.display().to_string()));
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    fs::write(&path, hook_script(binary)).map_err(io_err(&path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).map_err(io_err(&path))?;
    }
    Ok(if existed { HookOutcome::Replaced(path) } else { HookOutcome::Installed(path) })
}

/// Removes the hook, only if keyhound wrote it.
pub fn uninstall(repo: &Path) -> Result<HookOutcome, HookError> {
    let path = hook_path(repo)?;
    if !path.exists() {
        return Ok(HookOutcome::NothingToRemove(path));
    }
    if !is_ours(&path) {
        return Err(HookError::ForeignUninstall(path.display().to_string()));
    }
    fs::remove_file(&path).map_err(io_err(&path))?;
    Ok(HookOutcome::Removed(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_is_marked_and_quotes_the_path() {
        let s = hook_script(Path::new("/opt/it's/keyhound"));
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains(MARKER));
        assert!(s.contains(r"kh='/opt/it'\''s/keyhound'"));
        assert!(s.contains("staged"));
    }
}

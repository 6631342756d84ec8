//! Writing `keyhound ci`'s report files (`--sarif-file`, `--html-file`,
//! `--output`) where a pull request cannot redirect them. The workspace is
//! the change under review: it may hold a symbolic link where the report
//! goes (`keyhound.sarif -> ~/.bashrc`) or in a directory on the way
//! (`reports -> /home/runner/.ssh`), and writing through it would overwrite
//! a file elsewhere with text the change partly controls. So:
//!
//! - the target is refused if it is a symbolic link;
//! - every directory on the way, from the workspace root down, is refused if
//!   it is a symbolic link, and created one level at a time (never through
//!   a link) when missing;
//! - the file is written to a new temporary file in its directory and
//!   renamed over the target ([`write_atomically`]), so nothing is ever
//!   opened through an existing name.
//!
//! Directories above the workspace root (the runner's own) are not judged.
//! Must not decide what is written.

use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::util::atomic_file::write_atomically;
use crate::util::paths::normalize;

/// Writes `path` (relative paths are relative to the current directory)
/// through `write`, refusing symbolic links inside `workspace` (the
/// current directory when there is none) as the module doc says.
pub fn write_guarded(
    path: &Path,
    workspace: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let target = normalize(&cwd.join(path));
    let root = normalize(&cwd.join(workspace.unwrap_or(&cwd)));
    let shown = path.display();
    let parent = target.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
    prepare_dirs(&parent, &root).with_context(|| format!("cannot write {shown}"))?;
    if is_link(&target) {
        bail!("refusing to write {shown}: it is a symbolic link (a change under review could plant one to overwrite a file elsewhere)");
    }
    write_atomically(&target, write).with_context(|| format!("cannot write {shown}"))
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Checks (and creates where missing) every directory from `root` down to
/// `dir`: none may be a symbolic link. Outside `root` (the runner's own
/// directories), `dir` is only created as needed.
fn prepare_dirs(dir: &Path, root: &Path) -> Result<()> {
    let Ok(inside) = dir.strip_prefix(root) else {
        return std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()));
    };
    if is_link(root) {
        bail!("refusing to write inside {}: the workspace itself is a symbolic link", root.display());
    }
    let mut at = root.to_path_buf();
    for part in inside.components() {
        let Component::Normal(name) = part else { continue };
        at.push(name);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => bail!(
                "refusing to write through {}: it is a symbolic link (a change under review could plant one to redirect the report)",
                at.display()
            ),
            Ok(m) if m.is_dir() => {}
            Ok(_) => bail!("{} is not a directory", at.display()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::fs::create_dir(&at).with_context(|| format!("cannot create {}", at.display()))?
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", at.display())),
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_in_the_workspace_are_refused_and_nothing_elsewhere_is_touched() {
        let top = tempfile::tempdir().unwrap();
        let ws = top.path().join("ws");
        let elsewhere = top.path().join("elsewhere");
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("precious"), "keep").unwrap();
        let write = |w: &mut dyn Write| w.write_all(b"report");

        // The target is a link.
        symlink(elsewhere.join("precious"), ws.join("k.sarif")).unwrap();
        let e = write_guarded(&ws.join("k.sarif"), Some(&ws), write).unwrap_err();
        assert!(format!("{e:#}").contains("symbolic link"), "{e:#}");
        // A directory on the way is a link.
        symlink(&elsewhere, ws.join("reports")).unwrap();
        let e = write_guarded(&ws.join("reports/k.sarif"), Some(&ws), write).unwrap_err();
        assert!(format!("{e:#}").contains("reports"), "{e:#}");
        let e = write_guarded(&ws.join("reports/new/k.sarif"), Some(&ws), write).unwrap_err();
        assert!(format!("{e:#}").contains("symbolic link"), "{e:#}");
        assert!(!elsewhere.join("new").exists() && !elsewhere.join("k.sarif").exists());
        assert_eq!(std::fs::read_to_string(elsewhere.join("precious")).unwrap(), "keep");

        // Plain paths work, missing directories are made.
        write_guarded(&ws.join("out/deep/k.sarif"), Some(&ws), write).unwrap();
        assert_eq!(std::fs::read_to_string(ws.join("out/deep/k.sarif")).unwrap(), "report");
        write_guarded(&ws.join("out/deep/k.sarif"), Some(&ws), |w| w.write_all(b"again")).unwrap();
        assert_eq!(std::fs::read_to_string(ws.join("out/deep/k.sarif")).unwrap(), "again");
        // Outside the workspace (the runner's temporary directory): written,
        // directories made.
        write_guarded(&elsewhere.join("tmp/ok.sarif"), Some(&ws), write).unwrap();
        assert!(elsewhere.join("tmp/ok.sarif").is_file());
    }
}

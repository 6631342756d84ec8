//! `keyhound install-hook [REPO] [--force | --uninstall]`: install or remove
//! the git pre-commit hook that runs `keyhound staged`, where git looks for
//! it, keeping a hook of the user's as `pre-commit.legacy`.

use std::path::Path;

use anyhow::{Context, Result};

use crate::hook;

pub(super) fn run(repo: &Path, force: bool, uninstall: bool) -> Result<u8> {
    let outcome = if uninstall {
        hook::uninstall(repo)?
    } else {
        let binary = std::env::current_exe().context("locating the keyhound binary")?;
        hook::install(repo, &binary, force)?
    };
    eprintln!("keyhound: {outcome}");
    Ok(0)
}

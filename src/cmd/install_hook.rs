//! `keyhound install-hook [REPO] [--force | --uninstall]`: install or remove
//! the git pre-commit hook that runs `keyhound staged`.

use std::path::Path;

use anyhow::{Context, Result};

use crate::hook::{self, HookOutcome};

pub(super) fn run(repo: &Path, force: bool, uninstall: bool) -> Result<u8> {
    let outcome = if uninstall {
        hook::uninstall(repo)?
    } else {
        let binary = std::env::current_exe().context("locating the keyhound binary")?;
        hook::install(repo, &binary, force)?
    };
    match outcome {
        HookOutcome::Installed(p) => eprintln!("keyhound: installed pre-commit hook at {}", p.display()),
        HookOutcome::Replaced(p) => eprintln!("keyhound: replaced pre-commit hook at {}", p.display()),
        HookOutcome::Removed(p) => eprintln!("keyhound: removed pre-commit hook {}", p.display()),
        HookOutcome::NothingToRemove(p) => eprintln!("keyhound: no hook at {}", p.display()),
    }
    Ok(0)
}

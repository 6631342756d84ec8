//! The shared integration-test harness: builds throwaway trees and git
//! repositories, makes fake keys from the shipped rules' own example
//! templates, runs the built binary (with the network isolated) and parses
//! its output. Every test uses this instead of its own setup.
//!
//! - `keys`: fake keys and fixture templates
//! - `graded`: keys of every confidence (a config rule for `low`)
//! - `archives`: zip, tar and compressed files, and UTF-16 text, built in
//!   memory
//! - `workdir`: running keyhound in a directory, and reading what it printed
//! - `repo`: throwaway git repositories and the history operations tests need
//! - `sarif`: SARIF reports, validated against the 2.1.0 schema
//! - `ci`: simulated GitHub Actions jobs for `keyhound ci`
//! - `action_yml`: `action.yml`'s steps, run as the runner runs them
//! - `mock_server`: a loopback HTTP server standing in for providers' APIs
//! - `verify`: the environment that points `--verify` and `keyhound openai`
//!   at a mock server
//! - `browser`: headless Chromium over the DevTools protocol, for the HTML
//!   report

pub mod action_yml;
mod archives;
mod browser;
mod ci;
pub mod git_hooks;
mod graded;
mod keys;
mod mock_server;
mod repo;
mod sarif;
mod verify;
mod workdir;

pub use archives::*;
pub use browser::*;
pub use ci::*;
pub use graded::*;
pub use keys::*;
pub use mock_server::*;
pub use repo::*;
pub use sarif::*;
pub use verify::*;
pub use workdir::*;

use assert_cmd::Command;

/// The keyhound binary, with a clean environment for color/progress and the
/// network isolated (see [`isolate_network`]).
pub fn keyhound() -> Command {
    Command::from_std(keyhound_process())
}

/// [`keyhound`] as a `std::process::Command`, for tests that spawn it.
pub fn keyhound_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("keyhound"));
    cmd.env("NO_COLOR", "1");
    isolate_network(&mut cmd);
    cmd
}

/// Removes from a command every variable that could send its requests
/// elsewhere (overrides set in the test's own environment, proxies).
pub fn isolate_network(cmd: &mut std::process::Command) {
    for (k, _) in std::env::vars() {
        if k.starts_with("KEYHOUND_VERIFY_BASE_URL_") || k.eq_ignore_ascii_case("https_proxy") {
            cmd.env_remove(k);
        }
    }
    cmd.env_remove("OPENAI_ADMIN_KEY");
}

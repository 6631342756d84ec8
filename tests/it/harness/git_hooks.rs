//! Git hooks as git runs them (tests/it/precommit.rs): the real `git` CLI
//! and keyhound, isolated from the environment of the run (a test run from
//! inside a git hook, a user's GIT_DIR or global core.hooksPath) so they
//! only ever see the test's own repositories.

use std::path::{Path, PathBuf};
use std::process::Output;

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
pub fn git_stdout(dir: &Path, args: &[&str]) -> String {
    let out = git_in(dir, args);
    assert!(out.status.success(), "git {args:?} failed: {}", super::stderr_of(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Standard output and error of a run together, as text.
pub fn all_output(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// keyhound with `args` in `dir`, isolated from git's and the framework's
/// variables; `env` is added (to simulate them).
pub fn keyhound_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = super::keyhound_process();
    isolate_git(&mut cmd);
    cmd.current_dir(dir).args(args).envs(env.iter().copied());
    cmd.output().expect("run keyhound")
}

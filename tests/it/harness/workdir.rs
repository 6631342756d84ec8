//! Running keyhound in a directory (a throwaway tree or a repository's work
//! tree), and reading what it printed.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

use super::{keyhound, verify_env, MockServer, SarifRun};

/// A directory keyhound runs in (a tree or a repository's work tree). Every
/// run has the network isolated (see [`super::isolate_network`]).
pub trait Workdir {
    fn path(&self) -> &Path;

    /// keyhound, with this directory as the working directory.
    fn command(&self) -> Command {
        let mut cmd = keyhound();
        cmd.current_dir(self.path());
        cmd
    }

    /// Runs keyhound with `args` here.
    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run keyhound")
    }

    /// Runs keyhound with `args` in the subdirectory `rel`.
    fn run_in(&self, rel: &str, args: &[&str]) -> Output {
        self.command().current_dir(self.path().join(rel)).args(args).output().expect("run keyhound")
    }

    /// Runs keyhound with `args` and extra environment variables here.
    fn run_env(&self, args: &[&str], env: &[(String, String)]) -> Output {
        self.command().args(args).envs(env.iter().map(|(k, v)| (k, v))).output().expect("run keyhound")
    }

    /// Runs keyhound with `args`, extra environment variables and `stdin`
    /// here.
    fn run_stdin(&self, args: &[&str], env: &[(String, String)], stdin: &str) -> Output {
        let mut cmd = self.command();
        cmd.args(args).envs(env.iter().map(|(k, v)| (k, v))).write_stdin(stdin.to_string());
        cmd.output().expect("run keyhound")
    }

    /// Runs `keyhound <args> --format json` here and returns (exit code, JSON).
    fn run_json(&self, args: &[&str]) -> (i32, Value) {
        let out = self.run(&with_format(args, "json"));
        (exit_code(&out), parse_json(&out))
    }

    /// Runs `keyhound <args> --format sarif` here; the output is validated.
    fn run_sarif(&self, args: &[&str]) -> SarifRun {
        SarifRun::from_output(&self.run(&with_format(args, "sarif")))
    }

    /// Runs `keyhound <args> --format json` with `server` standing in for
    /// every provider; returns (exit code, JSON, stderr).
    fn run_verify(&self, server: &MockServer, args: &[&str]) -> (i32, Value, String) {
        let out = self.run_env(&with_format(args, "json"), &verify_env(server));
        (exit_code(&out), parse_json(&out), stderr_of(&out))
    }
}

/// `args` followed by `--format <format>`.
fn with_format<'a>(args: &[&'a str], format: &'a str) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["--format", format]);
    all
}

/// Writes `contents` at `rel` under `root`, creating parent directories.
pub(super) fn write_file(root: &Path, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, contents).unwrap();
    p
}

/// A throwaway directory tree.
pub struct Tree {
    dir: TempDir,
}

impl Tree {
    pub fn new() -> Tree {
        Tree { dir: tempfile::tempdir().expect("temp dir") }
    }

    /// Writes `contents` at `rel`, creating parent directories.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        write_file(self.path(), rel, contents)
    }

    /// Reads the file at `rel` as text.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }
}

impl Workdir for Tree {
    fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// A run's exit code (-1 when killed by a signal).
pub fn exit_code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
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

/// A run's standard output, as text.
pub fn stdout_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A run's standard error, as text.
pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// (path, line, reason) of every finding marked suppressed in a JSON report
/// (run with `--show-suppressed`), sorted.
pub fn suppressed(doc: &Value) -> Vec<(String, u64, String)> {
    let mut v: Vec<_> = findings(doc)
        .iter()
        .filter(|f| !f["suppressed"].is_null())
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("path"), f["line"].as_u64().unwrap_or(0), s("suppressed"))
        })
        .collect();
    v.sort();
    v
}

/// (path, line) of every finding not marked suppressed, sorted.
pub fn reported(doc: &Value) -> Vec<(String, u64)> {
    let mut v: Vec<_> = findings(doc)
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .map(|f| (f["path"].as_str().unwrap_or_default().to_string(), f["line"].as_u64().unwrap_or(0)))
        .collect();
    v.sort();
    v
}

//! Pre-commit hooks as users meet them, with the real `git` CLI: keyhound's
//! native hook (`keyhound install-hook`) under every way of committing
//! (`-a`, paths, `--only`, `--include`, `--amend`, a partial stage), in a
//! linked work tree, chained with the user's own hook; and `keyhound staged`
//! run as the pre-commit framework runs it (file names, `--all-files`,
//! pre-push ranges), simulated from `.pre-commit-hooks.yaml`.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::harness::git_hooks::*;
use crate::harness::*;

const RULE_NAME: &str = "OpenAI project API key";

fn key() -> String {
    fake_key("openai-project-key")
}

/// A repository with a first commit and keyhound's hook installed by the
/// binary's absolute path.
fn hooked() -> Repo {
    let mut repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.write("app.env", "DEBUG=1\n");
    repo.write("sub/notes.txt", "notes\n");
    repo.commit("init");
    let out = keyhound_in(repo.path(), &["install-hook"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    repo
}

fn head(dir: &Path) -> String {
    git_stdout(dir, &["rev-parse", "HEAD"])
}

/// Runs a `git commit` that must be blocked by keyhound: it fails, HEAD
/// does not move, and keyhound said why.
fn assert_blocked(dir: &Path, args: &[&str]) -> String {
    let before = head(dir);
    let out = git_in(dir, args);
    let said = all_output(&out);
    assert!(!out.status.success(), "git {args:?} went through: {said}");
    assert_eq!(head(dir), before, "HEAD moved");
    let advised = said.contains("this commit would add") || said.contains("the files checked hold");
    assert!(said.contains(RULE_NAME) && advised, "git {args:?}: {said}");
    said
}

/// Runs a `git commit` that must go through; returns the new HEAD.
fn assert_passes(dir: &Path, args: &[&str]) -> String {
    let before = head(dir);
    let out = git_in(dir, args);
    assert!(out.status.success(), "git {args:?} was blocked: {}", all_output(&out));
    let after = head(dir);
    assert_ne!(after, before);
    after
}

// ---- the native hook reads the index git commits from ----

#[test]
fn commit_all_with_an_unstaged_key_is_blocked() {
    let repo = hooked();
    repo.write_unstaged("app.env", format!("DEBUG=1\nOPENAI_API_KEY={}\n", key()));
    let said = assert_blocked(repo.path(), &["commit", "-a", "-m", "key"]);
    assert!(said.contains("app.env:2:16"), "{said}");
}

#[test]
fn commit_of_paths_is_blocked_also_from_a_subdirectory() {
    let repo = hooked();
    repo.write_unstaged("app.env", format!("DEBUG=1\nOPENAI_API_KEY={}\n", key()));
    assert_blocked(repo.path(), &["commit", "-m", "key", "app.env"]);
    assert_blocked(&repo.path().join("sub"), &["commit", "-m", "key", "../app.env"]);
    assert_blocked(&repo.path().join("sub"), &["commit", "--include", "-m", "key", "../app.env"]);
}

#[test]
fn commit_only_checks_what_it_commits_not_the_rest_of_the_index() {
    let repo = hooked();
    // Another file staged (clean); the key is in the --only path.
    repo.write("README.md", "hello again\n");
    repo.write_unstaged("app.env", format!("DEBUG=1\nOPENAI_API_KEY={}\n", key()));
    assert_blocked(repo.path(), &["commit", "--only", "-m", "key", "app.env"]);

    // Control: the key is staged, but not in what --only commits.
    git_stdout(repo.path(), &["add", "app.env"]);
    repo.write_unstaged("sub/notes.txt", "notes, edited\n");
    let new = assert_passes(repo.path(), &["commit", "--only", "-m", "notes", "sub/notes.txt"]);
    assert_eq!(git_stdout(repo.path(), &["show", &format!("{new}:app.env")]), "DEBUG=1");
    assert!(git_stdout(repo.path(), &["diff", "--cached", "--name-only"]).contains("app.env"), "key no longer staged");
}

#[test]
fn commit_include_with_a_key_in_the_included_path_is_blocked() {
    let repo = hooked();
    repo.write("README.md", "hello again\n");
    repo.write_unstaged("app.env", format!("DEBUG=1\nOPENAI_API_KEY={}\n", key()));
    assert_blocked(repo.path(), &["commit", "--include", "-m", "key", "app.env"]);
}

#[test]
fn amend_that_adds_a_key_is_blocked() {
    let repo = hooked();
    repo.write("app.env", format!("DEBUG=1\nOPENAI_API_KEY={}\n", key()));
    assert_blocked(repo.path(), &["commit", "--amend", "--no-edit"]);
    git_stdout(repo.path(), &["reset", "-q"]);
    assert_blocked(repo.path(), &["commit", "--amend", "-a", "--no-edit"]);
}

#[test]
fn partial_stage_with_add_p_is_checked_by_what_was_staged() {
    let mut repo = Repo::new();
    let lines: Vec<String> = (1..=20).map(|i| format!("line {i}")).collect();
    repo.write("app.env", lines.join("\n") + "\n");
    repo.commit("init");
    assert_eq!(keyhound_in(repo.path(), &["install-hook"], &[]).status.code(), Some(0));
    let mut edited = lines.clone();
    edited[1] = "line 2, edited".into();
    edited.push(format!("OPENAI_API_KEY={}", key()));
    repo.write_unstaged("app.env", edited.join("\n") + "\n");

    // Stage only the second hunk (the key), as `git add -p` answering n, y.
    let out = git_env(repo.path(), &["add", "-p", "app.env"], &[], Some("n\ny\n"));
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(git_stdout(repo.path(), &["diff", "--cached"]).contains("OPENAI_API_KEY"));
    assert_blocked(repo.path(), &["commit", "-m", "key"]);

    // Control: only the clean hunk staged; the key stays in the work tree.
    git_stdout(repo.path(), &["reset", "-q"]);
    let out = git_env(repo.path(), &["add", "-p", "app.env"], &[], Some("y\nn\n"));
    assert!(out.status.success(), "{}", all_output(&out));
    let new = assert_passes(repo.path(), &["commit", "-m", "clean hunk"]);
    let committed = git_stdout(repo.path(), &["show", &format!("{new}:app.env")]);
    assert!(committed.contains("line 2, edited") && !committed.contains("OPENAI_API_KEY"), "{committed}");
}

#[test]
fn hook_falls_back_to_keyhound_on_path() {
    // Install from a second name of the binary, then remove that name: the
    // hook must find keyhound on PATH instead.
    let repo = hooked();
    // Beside target/, so a hard link works and nothing large is copied.
    let bin_dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let moved = bin_dir.path().join("keyhound");
    if std::fs::hard_link(keyhound_bin(), &moved).is_err() {
        std::fs::copy(keyhound_bin(), &moved).unwrap();
    }
    let mut install = std::process::Command::new(&moved);
    isolate_git(&mut install);
    let out = install.current_dir(repo.path()).args(["install-hook"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let script = std::fs::read_to_string(repo.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(script.contains(&moved.display().to_string()), "{script}");
    drop(bin_dir);
    assert!(!moved.exists());

    repo.write_unstaged("app.env", format!("DEBUG=1\nOPENAI_API_KEY={}\n", key()));
    let path = format!(
        "{}:{}",
        keyhound_bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into())
    );
    let before = head(repo.path());
    let out = git_env(repo.path(), &["commit", "-a", "-m", "key"], &[("PATH", &path)], None);
    assert!(!out.status.success() && all_output(&out).contains(RULE_NAME), "{}", all_output(&out));
    assert_eq!(head(repo.path()), before);
}

#[test]
fn direct_run_reads_git_index_file_relative_to_the_top_of_the_work_tree() {
    let repo = hooked();
    // An alternate index holding a key; the default index holds nothing new.
    repo.write_unstaged("secret.env", format!("OPENAI_API_KEY={}\n", key()));
    let alt = [("GIT_INDEX_FILE", ".git/alt-index")];
    for args in [&["read-tree", "HEAD"][..], &["add", "secret.env"]] {
        let out = git_env(repo.path(), args, &alt, None);
        assert!(out.status.success(), "{}", all_output(&out));
    }
    let sub = repo.path().join("sub");
    let out = keyhound_in(&sub, &["staged", "--format", "json"], &alt);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(findings(&parse_json(&out))[0]["path"], "secret.env");
    let abs = repo.path().join(".git/alt-index");
    let out = keyhound_in(&sub, &["staged", "--format", "json"], &[("GIT_INDEX_FILE", abs.to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let out = keyhound_in(&sub, &["staged", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));

    // An index file that is not there is an error, never an empty index.
    let out = keyhound_in(repo.path(), &["staged"], &[("GIT_INDEX_FILE", ".git/no-such-index")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("no-such-index"), "{}", stderr_of(&out));
}

// ---- linked work trees ----

/// `git worktree add -b side` of `repo`, in a new directory.
fn add_worktree(repo: &Repo) -> (tempfile::TempDir, PathBuf) {
    let holder = tempfile::tempdir().unwrap();
    let wt = holder.path().join("wt");
    git_stdout(repo.path(), &["worktree", "add", "--quiet", "-b", "side", wt.to_str().unwrap()]);
    (holder, wt)
}

/// Where git looks for the pre-commit hook, asked from `dir`.
fn git_hook_path(dir: &Path) -> PathBuf {
    let hooks = PathBuf::from(git_stdout(dir, &["rev-parse", "--git-path", "hooks"]));
    std::fs::canonicalize(dir.join(hooks)).expect("hooks directory exists").join("pre-commit")
}

#[test]
fn install_in_a_linked_worktree_goes_where_git_looks() {
    let mut repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit("init");
    let (_holder, wt) = add_worktree(&repo);

    let out = keyhound_in(&wt, &["install-hook"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let expected = git_hook_path(&wt);
    assert_eq!(expected, std::fs::canonicalize(repo.path()).unwrap().join(".git/hooks/pre-commit"));
    assert!(expected.is_file());
    let said = stderr_of(&out);
    assert!(said.contains(&expected.display().to_string()) && said.contains("every work tree"), "{said}");
    assert!(!repo.path().join(".git/worktrees/wt/hooks").exists());

    std::fs::write(wt.join("app.env"), format!("OPENAI_API_KEY={}\n", key())).unwrap();
    git_stdout(&wt, &["add", "app.env"]);
    assert_blocked(&wt, &["commit", "-m", "key"]);
    std::fs::write(wt.join("README.md"), format!("hello\nOPENAI_API_KEY={}\n", key())).unwrap();
    assert_blocked(&wt, &["commit", "-a", "-m", "key"]);
    // The main work tree runs the same hook.
    repo.write("main.env", format!("OPENAI_API_KEY={}\n", key()));
    assert_blocked(repo.path(), &["commit", "-m", "key"]);

    let out = keyhound_in(&wt, &["install-hook", "--uninstall"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(!expected.exists());
}

#[test]
fn relative_hooks_path_resolves_from_the_worktree_top_as_git_does() {
    let mut repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit("init");
    let (_holder, wt) = add_worktree(&repo);
    git_stdout(repo.path(), &["config", "core.hooksPath", ".githooks"]);
    std::fs::create_dir_all(wt.join("sub")).unwrap();

    let out = keyhound_in(&wt.join("sub"), &["install-hook"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let expected = git_hook_path(&wt);
    assert_eq!(expected, std::fs::canonicalize(&wt).unwrap().join(".githooks/pre-commit"));
    assert!(expected.is_file());
    assert!(stderr_of(&out).contains(&expected.display().to_string()), "{}", stderr_of(&out));

    std::fs::write(wt.join("app.env"), format!("OPENAI_API_KEY={}\n", key())).unwrap();
    git_stdout(&wt, &["add", "app.env"]);
    assert_blocked(&wt, &["commit", "-m", "key"]);
}

// ---- the user's own hook is kept, run and restored ----

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The team's own hook: logs its arguments and input, and fails when a
/// file `block-me` is staged.
fn team_hook(log: &Path) -> String {
    format!(
        "#!/bin/sh\n# the team's hook\nprintf 'args=%s;' \"$@\" >> '{log}'\nprintf 'stdin=%s\\n' \"$(cat)\" >> '{log}'\n\
         if git diff --cached --name-only | grep -q block-me; then echo 'team hook says no' >&2; exit 3; fi\n",
        log = log.display()
    )
}

#[cfg(unix)]
#[test]
fn force_keeps_the_users_hook_which_still_runs_and_can_block() {
    let mut repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit("init");
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("team.log");
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let original = team_hook(&log);
    std::fs::write(hooks.join("pre-commit"), &original).unwrap();
    set_mode(&hooks.join("pre-commit"), 0o755);

    let out = keyhound_in(repo.path(), &["install-hook"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--force"), "{}", stderr_of(&out));
    let out = keyhound_in(repo.path(), &["install-hook", "--force"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(stderr_of(&out).contains("pre-commit.legacy"), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_to_string(hooks.join("pre-commit.legacy")).unwrap(), original);

    // A clean commit: the team's hook ran, then keyhound's check passed.
    repo.write_unstaged("README.md", "hello again\n");
    assert_passes(repo.path(), &["commit", "-a", "-m", "clean"]);
    assert!(std::fs::read_to_string(&log).unwrap().contains("args=;stdin="));
    // A key: keyhound blocks it.
    repo.write_unstaged("app.env", format!("OPENAI_API_KEY={}\n", key()));
    git_stdout(repo.path(), &["add", "app.env"]);
    assert_blocked(repo.path(), &["commit", "-m", "key"]);
    git_stdout(repo.path(), &["rm", "-q", "--cached", "app.env"]);
    // The team's hook blocks what it blocks.
    repo.write_unstaged("block-me", "fine by keyhound\n");
    git_stdout(repo.path(), &["add", "block-me"]);
    let before = head(repo.path());
    let out = git_in(repo.path(), &["commit", "-m", "blocked by the team"]);
    assert!(!out.status.success() && all_output(&out).contains("team hook says no"), "{}", all_output(&out));
    assert_eq!(head(repo.path()), before);

    // Run directly, the hook hands its arguments and input to the team's.
    std::fs::remove_file(&log).unwrap();
    let hook = hooks.join("pre-commit");
    let out = git_env(repo.path(), &["rm", "-q", "--cached", "block-me"], &[], None);
    assert!(out.status.success());
    let mut cmd = std::process::Command::new(&hook);
    isolate_git(&mut cmd);
    let out = cmd
        .current_dir(repo.path())
        .args(["one", "two words"])
        .stdin(std::fs::File::open(fixture_stdin(log_dir.path())).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "args=one;args=two words;stdin=from stdin\n");
}

/// A file holding the line "from stdin", to feed a hook's standard input.
fn fixture_stdin(dir: &Path) -> PathBuf {
    let p = dir.join("stdin.txt");
    std::fs::write(&p, "from stdin\n").unwrap();
    p
}

#[cfg(unix)]
#[test]
fn force_never_overwrites_an_existing_legacy_hook() {
    let repo = Repo::new();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\n# the framework's hook\n").unwrap();
    std::fs::write(hooks.join("pre-commit.legacy"), "#!/bin/sh\n# an older hook\n").unwrap();
    let out = keyhound_in(repo.path(), &["install-hook", "--force"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("pre-commit.legacy"), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_to_string(hooks.join("pre-commit")).unwrap(), "#!/bin/sh\n# the framework's hook\n");
    assert_eq!(std::fs::read_to_string(hooks.join("pre-commit.legacy")).unwrap(), "#!/bin/sh\n# an older hook\n");
}

#[cfg(unix)]
#[test]
fn uninstall_puts_the_users_hook_back_byte_for_byte_and_executable() {
    let repo = Repo::new();
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let original: &[u8] = b"#!/bin/sh\r\n# odd bytes: \xff\xfe and no final newline\r\nexit 0";
    let hook = hooks.join("pre-commit");
    std::fs::write(&hook, original).unwrap();
    set_mode(&hook, 0o750);

    assert_eq!(keyhound_in(repo.path(), &["install-hook", "--force"], &[]).status.code(), Some(0));
    // Installing again updates keyhound's hook and keeps the kept one.
    let out = keyhound_in(repo.path(), &["install-hook"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(stderr_of(&out).contains("updated"), "{}", stderr_of(&out));
    assert_eq!(std::fs::read(hooks.join("pre-commit.legacy")).unwrap(), original);

    let out = keyhound_in(repo.path(), &["install-hook", "--uninstall"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(stderr_of(&out).contains("put back"), "{}", stderr_of(&out));
    assert_eq!(std::fs::read(&hook).unwrap(), original);
    assert_eq!(mode_of(&hook), 0o750);
    assert!(!hooks.join("pre-commit.legacy").exists());
    // Nothing of keyhound's is left to remove; the team's hook stays.
    let out = keyhound_in(repo.path(), &["install-hook", "--uninstall"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&hook).unwrap(), original);
}

// ---- the pre-commit framework, simulated from .pre-commit-hooks.yaml ----

/// The hooks keyhound offers the pre-commit framework.
fn framework_hooks() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml")).unwrap();
    serde_norway::from_str(&text).expect(".pre-commit-hooks.yaml parses")
}

/// Runs a hook as the framework does: `entry` (and `--format json`, for the
/// test to read), then `args`, then the file names, from the top of the work
/// tree, with `PRE_COMMIT=1` and `env`.
fn run_as_framework(repo: &Path, files: &[&str], env: &[(&str, &str)]) -> Output {
    let hook = framework_hooks().into_iter().find(|h| h["id"] == "keyhound-system").expect("keyhound-system hook");
    let entry = hook["entry"].as_str().unwrap();
    let mut argv: Vec<String> = entry.split_whitespace().skip(1).map(String::from).collect();
    argv.extend(["--format", "json"].map(String::from));
    argv.extend(hook["args"].as_array().into_iter().flatten().map(|a| a.as_str().unwrap().to_string()));
    argv.extend(files.iter().map(|f| f.to_string()));
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut all_env = vec![("PRE_COMMIT", "1")];
    all_env.extend_from_slice(env);
    keyhound_in(repo, &argv, &all_env)
}

/// (path, line) of each finding of a JSON run.
fn found(out: &Output) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = findings(&parse_json(out))
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["line"].as_u64().unwrap()))
        .collect();
    v.sort();
    v
}

#[test]
fn hooks_manifest_passes_file_names_at_pre_commit_and_pre_push() {
    let hooks = framework_hooks();
    assert_eq!(hooks.len(), 3);
    for h in &hooks {
        assert_eq!(h["pass_filenames"], true, "{h}");
        assert_eq!(h["stages"], serde_json::json!(["pre-commit", "pre-push"]), "{h}");
        assert!(h["entry"].as_str().unwrap().starts_with("keyhound staged "), "{h}");
        // File names come after `--`, so one named like a flag stays a file.
        assert_eq!(h["args"], serde_json::json!(["--"]), "{h}");
        // Running with no file names would check every staged change, also
        // those the user's `exclude` filtered out.
        assert_ne!(h["always_run"], true, "{h}");
    }
    // The prebuilt wheel (the root's pyproject.toml requires it), a build
    // from source, and the binary on PATH; one entry for all three.
    let ids: Vec<(&str, &str)> =
        hooks.iter().map(|h| (h["id"].as_str().unwrap(), h["language"].as_str().unwrap())).collect();
    assert_eq!(ids, [("keyhound-wheel", "python"), ("keyhound", "rust"), ("keyhound-system", "system")]);
    assert!(hooks.iter().all(|h| h["entry"] == hooks[0]["entry"]), "{hooks:?}");
}

#[test]
fn all_files_on_a_clean_index_checks_every_named_file_whole() {
    let mut repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.write("config/prod.env", format!("A=1\nOPENAI_API_KEY={}\n", key()));
    repo.write("--exit-code=0", "a file named like a flag\n");
    repo.commit("a key, committed without a hook");
    let tracked = git_stdout(repo.path(), &["ls-files"]);
    let files: Vec<&str> = tracked.lines().collect();
    assert_eq!(files.len(), 3);

    let out = run_as_framework(repo.path(), &files, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(found(&out), vec![("config/prod.env".to_string(), 2)]);
    // Without file names, a clean index has nothing to add.
    let out = keyhound_in(repo.path(), &["staged", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
}

#[test]
fn framework_commit_checks_the_added_lines_of_the_named_files_only() {
    let mut repo = Repo::new();
    let old = key();
    repo.write("config.py", format!("OLD = '{old}'\n\nx = 1\n"));
    repo.write("README.md", "hello\n");
    repo.commit("old key, already committed");
    repo.write("config.py", format!("OLD = '{old}'\n\nx = 2\nNEW = '{}'\n", key()));
    repo.write("fixtures/excluded.env", format!("K={}\n", key()));
    repo.write("README.md", format!("hello\nK={}\n", key()));

    // The user's `exclude` left fixtures/ out; README.md is named, config.py
    // too: the old key on an untouched line is not reported.
    let out = run_as_framework(repo.path(), &["config.py", "README.md"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(found(&out), vec![("README.md".to_string(), 2), ("config.py".to_string(), 4)]);
}

#[test]
fn framework_hook_under_commit_all_reads_the_index_git_names() {
    // A pre-commit hook that does what the framework does: list the staged
    // files (git honours GIT_INDEX_FILE) and pass them to keyhound.
    let repo = hooked();
    let hook = format!(
        "#!/bin/sh\nfiles=$(git diff --staged --name-only --diff-filter=ACMRTUXB)\n\
         [ -n \"$files\" ] || exit 0\nPRE_COMMIT=1 exec '{}' staged --no-progress -- $files\n",
        keyhound_bin().display()
    );
    let path = repo.path().join(".git/hooks/pre-commit");
    std::fs::write(&path, hook).unwrap();
    #[cfg(unix)]
    set_mode(&path, 0o755);
    repo.write_unstaged("app.env", format!("DEBUG=1\nOPENAI_API_KEY={}\n", key()));
    assert_blocked(repo.path(), &["commit", "-a", "-m", "key"]);
    assert_blocked(repo.path(), &["commit", "-m", "key", "app.env"]);
    repo.write_unstaged("app.env", "DEBUG=2\n");
    assert_passes(repo.path(), &["commit", "-a", "-m", "clean"]);
}

#[test]
fn pre_push_scans_the_pushed_commits_and_ignores_file_names() {
    let mut repo = Repo::new();
    repo.write("README.md", "hello\n");
    let base = repo.commit("base").to_string();
    let k = key();
    repo.write("deploy.env", format!("OPENAI_API_KEY={k}\n"));
    let leaked = repo.commit("add a key").to_string();
    repo.remove("deploy.env");
    let tip = repo.commit("remove it again").to_string();
    // Staged but not pushed: must not matter.
    repo.write("staged.env", format!("K={}\n", key()));

    let range = [("PRE_COMMIT_FROM_REF", base.as_str()), ("PRE_COMMIT_TO_REF", tip.as_str())];
    let out = run_as_framework(repo.path(), &["README.md"], &range);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let doc = parse_json(&out);
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["path"], "deploy.env");
    assert_eq!(f[0]["commit"], leaked.as_str());
    assert!(stderr_of(&out).contains("push was stopped"), "{}", stderr_of(&out));

    let nothing = [("PRE_COMMIT_FROM_REF", tip.as_str()), ("PRE_COMMIT_TO_REF", tip.as_str())];
    let out = run_as_framework(repo.path(), &["staged.env"], &nothing);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
}

#[test]
fn pre_push_of_a_branch_new_to_the_remote_scans_its_whole_history() {
    let mut repo = Repo::new();
    repo.write("deploy.env", format!("OPENAI_API_KEY={}\n", key()));
    repo.commit("root commit with a key");
    repo.remove("deploy.env");
    repo.commit("removed");
    let branch = format!("refs/heads/{}", repo.current_branch());
    let push = [
        ("PRE_COMMIT_REMOTE_NAME", "origin"),
        ("PRE_COMMIT_REMOTE_URL", "/nowhere"),
        ("PRE_COMMIT_LOCAL_BRANCH", branch.as_str()),
        ("PRE_COMMIT_REMOTE_BRANCH", branch.as_str()),
    ];
    let out = run_as_framework(repo.path(), &[], &push);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(found(&out), vec![("deploy.env".to_string(), 1)]);
}

#[test]
fn named_files_resolve_from_the_current_directory_and_bad_names_are_errors() {
    let mut repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.write("sub/a.txt", format!("K={}\n", key()));
    repo.commit("init");
    repo.write_unstaged("sub/untracked.env", format!("K={}\n", key()));
    let sub = repo.path().join("sub");

    // Relative to the current directory; an untracked file named is read
    // from the work tree.
    let out = keyhound_in(&sub, &["staged", "--format", "json", "a.txt", "untracked.env"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(found(&out), vec![("sub/a.txt".to_string(), 1), ("sub/untracked.env".to_string(), 1)]);
    // `--repo` with names relative to the current directory.
    let out = keyhound_in(repo.path(), &["staged", "--format", "json", "--repo", "sub", "sub/a.txt"], &[]);
    assert_eq!(found(&out), vec![("sub/a.txt".to_string(), 1)]);

    // `keyhound staged REPO` keeps its meaning: the repository.
    let outside = tempfile::tempdir().unwrap();
    let out = keyhound_in(outside.path(), &["staged", repo.path().to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));

    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("x.txt"), "x\n").unwrap();
    let x = other.path().join("x.txt");
    for (args, says) in [
        (vec!["staged", "no-such-file"], "no such file"),
        (vec!["staged", "README.md", "sub"], "is a directory"),
        (vec!["staged", x.to_str().unwrap()], "outside the work tree"),
    ] {
        let out = keyhound_in(repo.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", all_output(&out));
        assert!(stderr_of(&out).contains(says), "{args:?}: {}", stderr_of(&out));
    }
    // A staged deletion adds nothing.
    repo.remove("sub/a.txt");
    let out = keyhound_in(repo.path(), &["staged", "--format", "json", "sub/a.txt"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
}

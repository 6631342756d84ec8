//! How keyhound is shipped: the release workflow's targets and archive
//! names agree with what the Action downloads and what the README tells
//! users to download; the Action installs a release binary only when its
//! checksum matches (run against a fake release on disk, no network); the
//! published crate holds the sources and rules and nothing else; the wheel
//! and the pre-commit hook take their version from Cargo.toml; the
//! container image runs keyhound as a non-root user with git.
//! Building and installing the wheel and the hook is `.ci/dist`'s job.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::action_yml::{self, inputs, run_step, runner_env_on, step, step_env, step_outputs, text, Yaml};
use crate::harness::*;

const CHECKSUMS: &str = "SHA256SUMS";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn release() -> Yaml {
    serde_norway::from_str(&read(".github/workflows/release.yml")).expect("release.yml is YAML")
}

fn cargo_version() -> String {
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    manifest["package"]["version"].as_str().unwrap().to_string()
}

/// The release's build matrix: (target triple, archive extension).
fn release_targets(wf: &Yaml) -> Vec<(String, String)> {
    wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("a build matrix")
        .iter()
        .map(|e| (text(&e["target"]).to_string(), text(&e["archive"]).to_string()))
        .collect()
}

/// The archive name the release workflow gives a target, from its
/// `ARCHIVE` template.
fn release_archive(wf: &Yaml, version: &str, target: &str, ext: &str) -> String {
    text(&wf["jobs"]["build"]["env"]["ARCHIVE"])
        .replace("${{ needs.version.outputs.version }}", version)
        .replace("${{ matrix.target }}", target)
        .replace("${{ matrix.archive }}", ext)
}

/// Runs the action's prepare step on an `os`/`arch` runner with `with`
/// and the action's ref `action_ref`; returns (exit code, outputs, stdout).
fn prepare(os: &str, arch: &str, action_ref: &str, with: &[(&str, &str)]) -> (i32, HashMap<String, String>, String) {
    let a = action_yml::load();
    let st = step(&a, "prepare");
    let scratch = Tree::new();
    let env = runner_env_on(scratch.path(), os, arch);
    let mut senv = step_env(st, &inputs(&a, with), &HashMap::new());
    senv.insert("ACTION_REF".to_string(), action_ref.to_string());
    let out = run_step(st, scratch.path(), &env, &senv);
    (out.status.code().unwrap_or(-1), step_outputs(scratch.path()), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn release_matrix_is_what_the_action_downloads_and_the_readme_names() {
    let wf = release();
    let targets = release_targets(&wf);
    let names: BTreeSet<&str> = targets.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "aarch64-apple-darwin",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
            "x86_64-unknown-linux-musl",
        ])
    );
    for (t, ext) in &targets {
        assert_eq!(ext, if t.contains("windows") { "zip" } else { "tar.gz" }, "{t}");
    }
    // The archive holds STEM/keyhound, STEM being the archive's name.
    assert_eq!(
        format!("{}.${{{{ matrix.archive }}}}", text(&wf["jobs"]["build"]["env"]["STEM"])),
        text(&wf["jobs"]["build"]["env"]["ARCHIVE"])
    );

    // On every runner the action supports, its prepare step names an archive
    // of the release's, for the runner's platform; together, every non-Windows one.
    let mut downloaded = BTreeSet::new();
    for (os, arch, target) in [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macOS", "X64", "x86_64-apple-darwin"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
    ] {
        let (code, out, said) = prepare(os, arch, "main", &[("version", "1.2.3")]);
        assert_eq!(code, 0, "{os}/{arch}: {said}");
        assert_eq!(out["archive"], release_archive(&wf, "1.2.3", target, "tar.gz"), "{os}/{arch}");
        assert_eq!(out["version"], "1.2.3");
        assert!(out["key"].contains("release-1.2.3") && out["key"].contains(target), "{}", out["key"]);
        downloaded.insert(target);
    }
    let not_windows: BTreeSet<&str> = names.iter().copied().filter(|t| !t.contains("windows")).collect();
    assert_eq!(downloaded, not_windows);

    // The checksum file: written by the release, downloaded by the action.
    let release_steps = wf["jobs"]["github-release"]["steps"].as_sequence().unwrap();
    assert!(
        release_steps.iter().any(|st| st["run"].as_str().is_some_and(|r| r.contains(&format!("> ../{CHECKSUMS}")))),
        "the release writes {CHECKSUMS}"
    );
    let a = action_yml::load();
    assert!(text(&step(&a, "build")["run"]).contains(&format!("\"$KEYHOUND_ARCHIVE\" {CHECKSUMS}")));

    // The README: every target, the archive and checksum names, a download
    // of this version's Linux archive.
    let readme = read("README.md");
    let install =
        &readme[readme.find("## Install").expect("an Install section")..readme.find("## Quick start").unwrap()];
    for t in &names {
        assert!(install.contains(&format!("| `{t}` |")), "README's install section lacks {t}");
    }
    let v = cargo_version();
    let linux = release_archive(&wf, &v, "x86_64-unknown-linux-musl", "tar.gz");
    assert!(
        install.contains(&format!("https://github.com/keyhound/keyhound/releases/download/v{v}/{linux}")),
        "README's download is not {linux}"
    );
    assert!(install.contains(&format!("grep ' {linux}$' {CHECKSUMS} | sha256sum -c")), "README's checksum check");
    assert!(install.contains(&format!("attestation verify {linux}")));
    for channel in ["pipx install keyhound", "pip install keyhound", "uvx keyhound", "cargo install keyhound --locked"]
    {
        assert!(install.contains(channel), "README's install section lacks `{channel}`");
    }
    assert!(install.contains(&format!(
        "docker run --rm -v \"$PWD:/repo\" --user \"$(id -u):$(id -g)\" ghcr.io/keyhound/keyhound:{v} scan /repo"
    )));
    // The README's workflow pins this release of the action.
    assert!(readme.contains(&format!("uses: keyhound/keyhound@v{v}")), "README's workflow does not pin v{v}");
    assert!(!readme.contains("keyhound/keyhound@main"));
}

#[test]
fn action_takes_the_release_from_its_ref_or_the_version_input() {
    // A release tag as the action's ref: that release, prebuilt.
    let (code, out, said) = prepare("Linux", "X64", "v0.2.0", &[]);
    assert_eq!(code, 0, "{said}");
    assert_eq!(out["version"], "0.2.0");
    assert_eq!(out["archive"], "keyhound-0.2.0-x86_64-unknown-linux-musl.tar.gz");
    // `version` wins over the ref, with or without a `v`.
    let (_, out, _) = prepare("macOS", "ARM64", "v0.2.0", &[("version", "v0.3.1")]);
    assert_eq!(out["archive"], "keyhound-0.3.1-aarch64-apple-darwin.tar.gz");
    // A branch or a commit: a build of the source, keyed on it.
    for r in ["main", "0123456789abcdef0123456789abcdef01234567", "v1"] {
        let (code, out, said) = prepare("Linux", "X64", r, &[]);
        assert_eq!(code, 0, "{said}");
        assert!(!out.contains_key("version") && !out.contains_key("archive"), "{r}: {out:?}");
        assert!(out["key"].starts_with(&format!("keyhound-Linux-X64-source-{r}-lock-")), "{}", out["key"]);
    }
    // Not a release number: an error, before anything is downloaded.
    let (code, out, said) = prepare("Linux", "X64", "main", &[("version", "latest; rm -rf /")]);
    assert_eq!(code, 2);
    assert!(said.starts_with("::error title=keyhound::version must be a keyhound release"), "{said}");
    assert!(!out.contains_key("archive"));
    // A runner with no release binary.
    let (code, _, said) = prepare("Linux", "ARM", "main", &[("version", "1.0.0")]);
    assert_eq!(code, 2);
    assert!(said.contains("no keyhound release binary for Linux/ARM"), "{said}");
}

/// A fake GitHub release of keyhound `version` on disk, holding `binary`
/// as the Linux x86_64 archive, with its SHA256SUMS line as the release
/// writes it (`sha256sum` format). Returns (server root URL, archive path).
fn fake_release(dir: &Path, version: &str, binary: &Path) -> (String, PathBuf) {
    let stem = format!("keyhound-{version}-x86_64-unknown-linux-musl");
    let release = dir.join(format!("keyhound/keyhound/releases/download/v{version}"));
    std::fs::create_dir_all(release.join(&stem)).unwrap();
    std::fs::copy(binary, release.join(&stem).join("keyhound")).unwrap();
    let archive = release.join(format!("{stem}.tar.gz"));
    let tar = Command::new("tar").arg("-czf").arg(&archive).arg("-C").arg(&release).arg(&stem).output().unwrap();
    assert!(tar.status.success(), "{}", stderr_of(&tar));
    std::fs::remove_dir_all(release.join(&stem)).unwrap();
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(std::fs::read(&archive).unwrap());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(
        release.join(CHECKSUMS),
        format!("{}  keyhound-{version}-aarch64-apple-darwin.tar.gz\n{hex}  {stem}.tar.gz\n", "0".repeat(64)),
    )
    .unwrap();
    (format!("file://{}", dir.display()), archive)
}

/// Runs the action's install step (`id: build`) for release `version` on a
/// Linux x86_64 runner whose server is `server`; returns (exit code,
/// stdout + stderr, the runner's temporary directory, where the binary
/// goes to `keyhound-bin/`).
fn install(server: &str, version: &str) -> (i32, String, Tree) {
    let a = action_yml::load();
    let runner = Tree::new();
    let temp = runner.path().to_path_buf();
    let mut env = runner_env_on(&temp, "Linux", "X64");
    env.push(("GITHUB_SERVER_URL".to_string(), server.to_string()));
    let (code, outputs, said) = {
        let st = step(&a, "prepare");
        let mut senv = step_env(st, &inputs(&a, &[("version", version)]), &HashMap::new());
        senv.insert("ACTION_REF".to_string(), "main".to_string());
        let out = run_step(st, &temp, &env, &senv);
        (out.status.code().unwrap_or(-1), step_outputs(&temp), all_output(&out))
    };
    assert_eq!(code, 0, "{said}");
    let st = step(&a, "build");
    let out = run_step(st, &temp, &env, &step_env(st, &inputs(&a, &[("version", version)]), &outputs));
    assert_eq!(outputs["bin"], temp.join("keyhound-bin").display().to_string());
    (out.status.code().unwrap_or(-1), all_output(&out), runner)
}

fn all_output(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
#[cfg_attr(windows, ignore = "the action runs on Linux and macOS runners only; the fake release is a file:// path")]
fn action_installs_a_release_binary_only_when_its_checksum_matches() {
    let built = PathBuf::from(env!("CARGO_BIN_EXE_keyhound"));
    let server = Tree::new();
    let (url, archive) = fake_release(server.path(), "1.2.3", &built);
    let (code, said, runner) = install(&url, "1.2.3");
    let bin = runner.path().join("keyhound-bin");
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("matches SHA256SUMS"), "{said}");
    assert!(said.contains("build provenance not checked"), "{said}");
    let installed = Command::new(bin.join("keyhound")).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&installed.stdout).trim(), format!("keyhound {}", cargo_version()));

    // One byte changed in the archive: refused, nothing installed.
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&archive, bytes).unwrap();
    let (code, said, runner) = install(&url, "1.2.3");
    let bin = runner.path().join("keyhound-bin");
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("::error title=keyhound::checksum mismatch for keyhound-1.2.3-x86_64-unknown-linux-musl.tar.gz"),
        "{said}"
    );
    assert!(!bin.join("keyhound").exists());

    // A release without the archive's checksum line, or without the
    // release at all: refused too.
    let sums = archive.with_file_name(CHECKSUMS);
    std::fs::write(&sums, format!("{}  other.tar.gz\n", "1".repeat(64))).unwrap();
    let (code, said, _) = install(&url, "1.2.3");
    assert_eq!(code, 2);
    assert!(said.contains("SHA256SUMS says 'nothing'"), "{said}");
    let (code, said, _) = install(&url, "9.9.9");
    assert_eq!(code, 2);
    assert!(said.contains("could not download") && said.contains("v9.9.9"), "{said}");
}

#[test]
fn cargo_package_ships_the_sources_and_rules_only() {
    let out = Command::new(env!("CARGO"))
        .args(["package", "--list", "--locked", "--offline", "--allow-dirty"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo package --list: {}", String::from_utf8_lossy(&out.stderr));
    let listed: BTreeSet<String> = String::from_utf8_lossy(&out.stdout).lines().map(String::from).collect();
    let allowed = |f: &str| {
        matches!(f, "Cargo.toml" | "Cargo.toml.orig" | "Cargo.lock" | ".cargo_vcs_info.json" | "README.md" | "build.rs")
            // The sources, what they include_str! (the HTML report's
            // stylesheet and script) and what build.rs reads (the generic
            // scorer's word model).
            || (f.starts_with("src/") && [".rs", ".css", ".js"].iter().any(|x| f.ends_with(x)))
            || f == "src/engine/generic/words.txt"
            || (f.starts_with("rules/") && (f.ends_with(".toml") || f == "rules/KEYWORDS.md"))
            || f == "benches/keyword_pass.rs"
    };
    let extra: Vec<&String> = listed.iter().filter(|f| !allowed(f)).collect();
    assert!(extra.is_empty(), "the crate would ship {extra:?}");
    // Everything build.rs and the build need.
    let mut needed = vec!["Cargo.toml".to_string(), "Cargo.lock".to_string(), "build.rs".to_string()];
    for dir in ["rules", "src"] {
        let mut stack = vec![root().join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| ["rs", "toml", "css", "js", "txt"].iter().any(|e| x == *e)) {
                    needed.push(p.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    let missing: Vec<&String> = needed.iter().filter(|f| !listed.contains(*f)).collect();
    assert!(missing.is_empty(), "the crate would lack {missing:?}");
}

#[test]
fn wheel_and_pre_commit_hook_take_their_version_from_cargo_toml() {
    let wheel: toml::Table = read("packaging/pypi/pyproject.toml").parse().unwrap();
    assert_eq!(wheel["build-system"]["build-backend"].as_str(), Some("maturin"));
    assert_eq!(wheel["project"]["name"].as_str(), Some("keyhound"));
    assert!(wheel["project"].get("version").is_none(), "the version is Cargo.toml's");
    assert_eq!(wheel["project"]["dynamic"], toml::Value::Array(vec!["version".into()]));
    let maturin = &wheel["tool"]["maturin"];
    assert_eq!(maturin["bindings"].as_str(), Some("bin"));
    assert_eq!(maturin["locked"].as_bool(), Some(true));
    let manifest = root().join("packaging/pypi").join(maturin["manifest-path"].as_str().unwrap());
    assert_eq!(manifest.canonicalize().unwrap(), root().join("Cargo.toml").canonicalize().unwrap());
    let readme = root().join("packaging/pypi").join(wheel["project"]["readme"].as_str().unwrap());
    assert!(readme.is_file(), "{}", readme.display());

    // The root package pre-commit installs: built in-tree, nothing to
    // download, version and requirement from the backend (Cargo.toml).
    let hook: toml::Table = read("pyproject.toml").parse().unwrap();
    let build = &hook["build-system"];
    assert_eq!(build["requires"], toml::Value::Array(vec![]));
    let backend = build["build-backend"].as_str().unwrap();
    let path = build["backend-path"].as_array().unwrap()[0].as_str().unwrap();
    let source = read(&format!("{path}/{backend}.py"));
    for hook_fn in ["def build_wheel(", "def prepare_metadata_for_build_wheel(", "Requires-Dist: keyhound=={version}"] {
        assert!(source.contains(hook_fn), "the backend lacks {hook_fn}");
    }
    assert!(!hook["project"]["name"].as_str().unwrap().eq("keyhound"), "the hook package is not keyhound itself");
    assert!(hook["project"].get("version").is_none() && hook["project"].get("dependencies").is_none());

    let hooks: Vec<serde_json::Value> = serde_norway::from_str(&read(".pre-commit-hooks.yaml")).unwrap();
    let wheel_hook = hooks.iter().find(|h| h["id"] == "keyhound-wheel").expect("a keyhound-wheel hook");
    assert_eq!(wheel_hook["language"], "python");
    assert!(wheel_hook.get("additional_dependencies").is_none(), "the root package requires the wheel");
}

#[test]
fn container_image_is_static_keyhound_with_git_as_non_root() {
    let dockerfile = read("Dockerfile");
    let lines: Vec<&str> = dockerfile.lines().filter(|l| !l.trim_start().starts_with('#')).collect();
    let last_from = lines.iter().rposition(|l| l.starts_with("FROM ")).unwrap();
    let runtime = lines[last_from..].join("\n");
    assert!(runtime.contains("apk add --no-cache git"), "{runtime}");
    let user = runtime.lines().find_map(|l| l.strip_prefix("USER ")).expect("a USER");
    assert!(!user.starts_with('0') && !user.starts_with("root"), "runs as {user}");
    assert!(runtime.contains("ENTRYPOINT [\"/usr/local/bin/keyhound\"]"));
    assert!(runtime.contains("safe.directory /repo"), "{runtime}");
    // The build stage's sources are all in the build context.
    let ignore = read(".dockerignore");
    let kept: Vec<&str> = ignore.lines().filter_map(|l| l.strip_prefix('!')).collect();
    assert_eq!(ignore.lines().find(|l| !l.starts_with('#') && !l.is_empty()), Some("*"), "everything else is left out");
    for l in &lines[..last_from] {
        if let Some(args) = l.strip_prefix("COPY ").filter(|a| !a.starts_with("--from")) {
            let parts: Vec<&str> = args.split_whitespace().collect();
            for src in &parts[..parts.len() - 1] {
                let src = src.replace("${TARGETARCH}", "*");
                let src = src.trim_end_matches('/');
                assert!(
                    kept.iter().any(|k| k.trim_end_matches('/') == src || k.starts_with(&format!("{src}/"))),
                    "COPY {src} is not in .dockerignore's build context {kept:?}"
                );
            }
        }
    }
    assert!(read("README.md").contains("docker run --rm -v \"$PWD:/repo\""));
}

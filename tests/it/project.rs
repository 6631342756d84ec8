//! The project as a newcomer meets it: the minimum Rust version that
//! `Cargo.toml` declares and the README states is the one the locked
//! dependencies need — for building, and for `cargo test`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn version(v: &str) -> Vec<u32> {
    v.split('.').map(|p| p.parse().expect("a numeric version part")).collect()
}

/// The highest `rust-version` among the packages reachable from keyhound
/// through `kinds` of dependencies at the top (normal and build below it),
/// with the package that sets it.
fn highest_rust_version(meta: &Value, kinds: &[Option<&str>]) -> (Vec<u32>, String) {
    let root = meta["resolve"]["root"].as_str().unwrap();
    let nodes: std::collections::HashMap<&str, &Value> =
        meta["resolve"]["nodes"].as_array().unwrap().iter().map(|n| (n["id"].as_str().unwrap(), n)).collect();
    let packages: std::collections::HashMap<&str, &Value> =
        meta["packages"].as_array().unwrap().iter().map(|p| (p["id"].as_str().unwrap(), p)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let dep_kinds: Vec<Option<&str>> =
                dep["dep_kinds"].as_array().unwrap().iter().map(|k| k["kind"].as_str()).collect();
            let wanted: &[Option<&str>] = if id == root { kinds } else { &[None, Some("build")] };
            if dep_kinds.iter().any(|k| wanted.contains(k)) {
                stack.push(dep["pkg"].as_str().unwrap());
            }
        }
    }
    seen.iter()
        .filter(|id| **id != root)
        .filter_map(|id| {
            let p = packages[id];
            p["rust_version"].as_str().map(|v| (version(v), p["name"].as_str().unwrap().to_string()))
        })
        .max()
        .expect("some dependency declares a rust-version")
}

#[test]
fn minimum_rust_version_is_what_the_dependencies_need_and_the_readme_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let host = String::from_utf8(Command::new("rustc").arg("-vV").output().unwrap().stdout).unwrap();
    let host = host.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc -vV names the host").to_string();
    // Offline and for this platform only: the test reads what the build
    // already downloaded and never touches the network.
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", &host])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ours = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "keyhound")
        .and_then(|p| p["rust_version"].as_str())
        .expect("Cargo.toml sets rust-version");

    // keyhound's own code needs 1.89: the AVX-512 intrinsics of the
    // keyword pass (`std::arch`) are stable since then.
    let (build, who) = highest_rust_version(&meta, &[None, Some("build")])
        .max((vec![1, 89], "keyhound (AVX-512 intrinsics)".to_string()));
    assert_eq!(version(ours), build, "Cargo.toml's rust-version {ours} is not what {who} needs to build");
    let (test, who_test) =
        highest_rust_version(&meta, &[None, Some("build"), Some("dev")]).max((build.clone(), who.clone()));
    let as_text = |v: &[u32]| v.iter().take(2).map(u32::to_string).collect::<Vec<_>>().join(".");

    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let quick_start = &readme[readme.find("## Quick start").unwrap()..];
    let quick_start = &quick_start[..quick_start[3..].find("\n## ").unwrap()];
    assert!(
        quick_start.contains(&format!("Rust {} or newer", as_text(&build))),
        "the README's quick start must state Rust {} (needed by {who}):\n{quick_start}",
        as_text(&build)
    );
    assert!(
        as_text(&test) == as_text(&build)
            || quick_start.contains(&format!("{} or newer for `cargo test`", as_text(&test))),
        "the README's quick start must state Rust {} for `cargo test` (needed by {who_test}):\n{quick_start}",
        as_text(&test)
    );
    assert!(quick_start.contains("C compiler"), "{quick_start}");
}

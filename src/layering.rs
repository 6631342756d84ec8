//! The layering test: reads the layer table in `src/lib.rs`'s doc comment
//! and every `crate::…` path in the files under `src/`, and fails, naming
//! the file and the import, when a module imports one its row does not list.
//! Test-only; it checks the source text and builds nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The table: module → modules it may import.
type Table = BTreeMap<String, BTreeSet<String>>;

/// Parses the ```` ```text ```` block of `lib.rs`'s doc comment that starts
/// with the `layer may import` header.
fn table(lib_rs: &str) -> Table {
    let mut rows = Table::new();
    let mut inside = false;
    for line in lib_rs.lines() {
        let Some(doc) = line.strip_prefix("//!") else { continue };
        let doc = doc.trim();
        if doc.starts_with("layer") && doc.contains("may import") {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        if doc.starts_with("```") {
            break;
        }
        let mut words = doc.split_whitespace();
        let Some(module) = words.next() else { continue };
        let allowed = words.filter(|w| *w != "-").map(str::to_string).collect();
        rows.insert(module.to_string(), allowed);
    }
    rows
}

/// The top-level module a file under `src/` belongs to (`None` for the
/// crate root and the binary).
fn module_of(rel: &Path) -> Option<String> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" | "main.rs" | "layering.rs" => None,
        f => Some(f.strip_suffix(".rs").unwrap_or(f).to_string()),
    }
}

/// Every top-level module named by a `crate::` path in `code` (comments
/// removed), with the line it is on: `crate::a::b`, `crate::{a, b::c}`.
fn crate_imports(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, raw) in code.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or("");
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `keyhound_crate::`, not ours
            }
            if let Some(group) = rest.strip_prefix('{') {
                // Top-level names of a group: split at depth-0 commas.
                let mut depth = 0;
                let mut start = 0;
                let mut names = Vec::new();
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            names.push(&group[start..i]);
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            names.push(&group[start..i]);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                for name in names {
                    let id: String = name.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !id.is_empty() {
                        out.push((n + 1, id));
                    }
                }
            } else {
                let id: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !id.is_empty() {
                    out.push((n + 1, id));
                }
            }
        }
    }
    out
}

/// Every import against the table, as `file:line: module imports other`.
fn violations(table: &Table, files: &[(PathBuf, String)]) -> Vec<String> {
    let mut bad = Vec::new();
    for (rel, code) in files {
        let Some(module) = module_of(rel) else { continue };
        let Some(allowed) = table.get(&module) else {
            bad.push(format!("{}: module `{module}` has no row in the layer table of src/lib.rs", rel.display()));
            continue;
        };
        for (line, target) in crate_imports(code) {
            if target != module && !allowed.contains(&target) && table.contains_key(&target) {
                bad.push(format!(
                    "{}:{line}: `{module}` imports `crate::{target}`, which its layer may not import (allowed: {})",
                    rel.display(),
                    if allowed.is_empty() {
                        "nothing".to_string()
                    } else {
                        allowed.iter().cloned().collect::<Vec<_>>().join(", ")
                    }
                ));
            }
        }
    }
    bad
}

fn rust_files(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let code = std::fs::read_to_string(&path).expect("a source file is UTF-8");
            out.push((path.strip_prefix(root).expect("under src/").to_path_buf(), code));
        }
    }
}

#[test]
fn imports_point_down_the_layer_table() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let table = table(&lib);
    let mut files = Vec::new();
    rust_files(&src, &src, &mut files);
    // Every module declared in lib.rs has a row, and every row is a module.
    let declared: BTreeSet<String> =
        lib.lines().filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';').map(str::to_string)).collect();
    let rows: BTreeSet<String> = table.keys().cloned().collect();
    assert_eq!(declared, rows, "the modules of lib.rs and the rows of its layer table differ");
    for (module, allowed) in &table {
        for a in allowed {
            assert!(rows.contains(a), "row `{module}` allows `{a}`, which is not a module");
        }
    }
    let bad = violations(&table, &files);
    assert!(bad.is_empty(), "imports against the layer table:\n{}", bad.join("\n"));
}

#[test]
fn the_table_is_a_strict_order_without_cycles() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let table = table(&lib);
    // Each row may only allow rows listed above it: that is what makes the
    // table a set of layers rather than a web.
    let order: Vec<&String> = table.keys().collect();
    let position = |m: &str| {
        lib.lines()
            .position(|l| l.strip_prefix("//!").map(str::trim).is_some_and(|d| d.split_whitespace().next() == Some(m)))
    };
    for module in order {
        for a in &table[module] {
            assert!(position(a) < position(module), "`{module}` may import `{a}`, which is listed below it");
        }
    }
}

#[test]
fn a_back_edge_is_reported_with_file_and_import() {
    let lib = "//! ```text\n//! layer may import\n//! util -\n//! rules util\n//! engine rules util\n//! ```\n";
    let table = table(lib);
    assert_eq!(table["engine"], BTreeSet::from(["rules".to_string(), "util".to_string()]));
    let files = vec![
        (PathBuf::from("rules/mod.rs"), "use crate::util::x;\nuse crate::engine::Engine; // back edge\n".to_string()),
        (
            PathBuf::from("engine/mod.rs"),
            "use crate::{rules::{A, B}, util};\n// crate::nothing in a comment\n".to_string(),
        ),
        (PathBuf::from("util/mod.rs"), "fn f() { crate::rules::g() }\n".to_string()),
        (PathBuf::from("lib.rs"), "use crate::anything;\n".to_string()),
    ];
    let bad = violations(&table, &files);
    assert_eq!(bad.len(), 2, "{bad:#?}");
    assert!(bad[0].starts_with("rules/mod.rs:2: `rules` imports `crate::engine`"), "{}", bad[0]);
    assert!(bad[1].starts_with("util/mod.rs:1: `util` imports `crate::rules`"), "{}", bad[1]);
    let unknown = violations(&table, &[(PathBuf::from("stray.rs"), String::new())]);
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0].contains("no row"));
}

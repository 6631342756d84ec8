//! Embeds every `rules/*.toml` file into the binary, so the shipped rule set
//! is whatever the `rules/` directory held at build time, and parses their
//! regexes now so that every start of keyhound need not: for each rule whose
//! regexes (rule, `allow`, `near`) all parse, `EMBEDDED_MIN_LEN` holds its
//! minimum match length. A rule missing from it (a file or regex that does
//! not parse) is checked at run time, which reports the error as for any
//! rule file.

#[path = "src/rules/regex_parse.rs"]
mod regex_parse;

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules_dir = root.join("rules");
    println!("cargo:rerun-if-changed={}", rules_dir.display());

    let mut files: Vec<PathBuf> = fs::read_dir(&rules_dir)
        .expect("rules/ directory is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();

    let mut out = String::from(
        "/// Shipped rule files: (file name, TOML text).\npub static EMBEDDED_RULE_FILES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        out.push_str(&format!("    ({:?}, include_str!({:?})),\n", name, f.display().to_string()));
    }
    out.push_str("];\n");
    out.push_str(
        "/// Shipped rules whose regexes parsed at build time: (rule id, minimum match length).\npub static EMBEDDED_MIN_LEN: &[(&str, usize)] = &[\n",
    );
    for f in &files {
        let text = fs::read_to_string(f).expect("rule file is readable");
        for (id, min_len) in parsed_rules(&text) {
            out.push_str(&format!("    ({id:?}, {min_len}),\n"));
        }
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_rules.rs");
    fs::write(dest, out).expect("write embedded_rules.rs");
}

/// `(id, minimum match length)` of each rule of a rule file whose regexes
/// all parse; nothing for a file that is not valid TOML.
fn parsed_rules(text: &str) -> Vec<(String, usize)> {
    let Ok(doc) = text.parse::<toml::Table>() else { return Vec::new() };
    let Some(rules) = doc.get("rule").and_then(|r| r.as_array()) else { return Vec::new() };
    let mut out = Vec::new();
    for rule in rules.iter().filter_map(|r| r.as_table()) {
        let (Some(id), Some(regex)) =
            (rule.get("id").and_then(|v| v.as_str()), rule.get("regex").and_then(|v| v.as_str()))
        else {
            continue;
        };
        let Ok(hir) = regex_parse::parse(regex) else { continue };
        let allow = rule.get("allow").and_then(|a| a.as_array()).map(|a| a.as_slice()).unwrap_or_default();
        let mut others = allow.iter().chain(rule.get("near"));
        if others.all(|v| v.as_str().is_some_and(|p| regex_parse::parse(p).is_ok())) {
            out.push((id.to_string(), regex_parse::min_len(&hir)));
        }
    }
    out
}

//! Bench tool: prints every match of the generic detector's rules under
//! the given files and directories, with the confidence each match was
//! graded at, as JSON lines (`path`, `line`, `rule`, `confidence`,
//! `secret`), for bench/generic/score.py and precision.sh. The released
//! binary reports the same matches (`keyhound scan`); this shows their
//! grade before the report filters them.
//!
//!     cargo run --release --example generic_probe -- DIR... > matches.jsonl

use std::path::Path;

use keyhound::engine::Engine;
use keyhound::rules::RuleSet;

fn visit(engine: &Engine, path: &Path, out: &mut impl std::io::Write) {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return };
    if meta.is_dir() {
        if path.file_name().is_some_and(|n| n == ".git") {
            return;
        }
        let Ok(entries) = std::fs::read_dir(path) else { return };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for e in entries {
            visit(engine, &e, out);
        }
        return;
    }
    if !meta.is_file() || meta.len() > 10 << 20 {
        return;
    }
    let Ok(data) = std::fs::read(path) else { return };
    if data[..data.len().min(8192)].contains(&0) {
        return;
    }
    let name = path.to_string_lossy();
    for m in engine.scan_named(&data, Some(name.as_bytes())) {
        let rule = &engine.rules()[m.rule];
        if rule.detector.is_none() {
            continue;
        }
        let line = data[..m.start].iter().filter(|&&b| b == b'\n').count() + 1;
        let secret = String::from_utf8_lossy(&data[m.start..m.end]);
        let row = serde_json::json!({
            "path": name, "line": line, "rule": rule.id,
            "confidence": m.confidence.map(|c| c.as_str()), "secret": secret,
            "guessable": keyhound::engine::generic::score::is_guessable(&data[m.start..m.end]),
        });
        let _ = writeln!(out, "{row}");
    }
}

fn main() {
    let engine = Engine::new(&RuleSet::embedded().expect("shipped rules")).expect("engine");
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for arg in std::env::args().skip(1) {
        visit(&engine, Path::new(&arg), &mut out);
    }
}

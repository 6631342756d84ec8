//! `keyhound rules list` and `keyhound rules check [FILE...]`: the rule set
//! as text or JSON (each rule with its confidence, and whether the rule sets
//! it or it is derived from the rule's shape), and every rule's examples run
//! through the engine.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Result;

use super::{open_output, plural};
use crate::config::Config;
use crate::engine::{selftest, Engine};
use crate::report::Format;
use crate::rules::RuleSet;
use crate::util::text::escape_controls;

pub(super) fn list(config: &Config) -> Result<u8> {
    let mut out = open_output(config)?;
    write_list(&mut out, &config.rules, config.report.format)?;
    out.flush()?;
    Ok(0)
}

pub(super) fn check(config: &Config, files: &[PathBuf]) -> Result<u8> {
    let set = if files.is_empty() {
        config.rules.clone()
    } else {
        let mut set = RuleSet::default();
        for f in files {
            set.add_file(f)?;
        }
        set
    };
    let engine = Engine::new(&set)?;
    engine.compile_all()?;
    let checked = selftest::check_examples(&engine, None);
    let mut out = open_output(config)?;
    for failure in &checked.failures {
        writeln!(out, "FAIL {}", escape_controls(&failure.to_string()))?;
    }
    writeln!(
        out,
        "{} rule{}, {} example{} checked, {} failed",
        set.len(),
        plural(set.len()),
        checked.checked,
        plural(checked.checked),
        checked.failures.len()
    )?;
    out.flush()?;
    Ok(if checked.failures.is_empty() { 0 } else { 1 })
}

fn write_list(out: &mut dyn Write, set: &RuleSet, format: Format) -> io::Result<()> {
    let json = |r: &crate::rules::Rule| {
        serde_json::json!({
            "id": r.id, "name": r.name, "provider": r.provider, "category": r.category,
            "severity": r.severity, "confidence": r.confidence(),
            "confidence_source": if r.confidence.is_some() { "rule" } else { "derived" },
            "keywords": r.keywords, "detector": r.detector, "live_check": r.verify.is_some() && r.shipped,
            "references": r.references, "remediation": r.remediation, "file": r.source,
        })
    };
    match format {
        Format::Text => {
            let width = set.rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in set.rules() {
                // Rule files are user input: their text is shown escaped.
                writeln!(
                    out,
                    "{:width$}  {:<6}  {}",
                    escape_controls(&r.id),
                    r.confidence().as_str(),
                    escape_controls(&r.name)
                )?;
            }
        }
        Format::Json => {
            let doc = serde_json::json!({ "rules": set.rules().iter().map(json).collect::<Vec<_>>() });
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        // `rules list` takes text, json or jsonl (see `cli`).
        Format::Jsonl | Format::Sarif | Format::Html => {
            for r in set.rules() {
                serde_json::to_writer(&mut *out, &json(r))?;
                writeln!(out)?;
            }
        }
    }
    Ok(())
}

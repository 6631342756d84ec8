//! SARIF reports: parsed, validated against the SARIF 2.1.0 schema (offline)
//! and against what GitHub code scanning needs beyond it.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use super::{exit_code, parse_json, stdout_of};

/// A SARIF report from a run: exit code, parsed document and raw text.
pub struct SarifRun {
    pub code: i32,
    pub doc: Value,
    pub text: String,
}

impl SarifRun {
    /// Parses a run's stdout as SARIF and validates it against the schema.
    pub fn from_output(out: &Output) -> SarifRun {
        let doc = parse_json(out);
        assert_valid_sarif(&doc);
        SarifRun { code: exit_code(out), doc, text: stdout_of(out) }
    }

    /// The run's results.
    pub fn results(&self) -> &Vec<Value> {
        sarif_results(&self.doc)
    }

    /// The run's rule descriptors.
    pub fn rules(&self) -> &Vec<Value> {
        sarif_rules(&self.doc)
    }
}

/// The `results` array of a SARIF log's single run.
pub fn sarif_results(doc: &Value) -> &Vec<Value> {
    assert_eq!(doc["runs"].as_array().map(Vec::len), Some(1), "one run: {doc}");
    doc["runs"][0]["results"].as_array().expect("results array")
}

/// The rule descriptors of a SARIF log's single run.
fn sarif_rules(doc: &Value) -> &Vec<Value> {
    doc["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules array")
}

/// Where CI puts the SARIF 2.1.0 schema: `../shared/schemas/` beside the
/// repository.
pub fn sarif_schema_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json")
}

/// Refuses every external schema: validation never touches the network.
struct NoRetrieval;

impl jsonschema::Retrieve for NoRetrieval {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!("refusing to fetch {uri}: schemas are validated offline").into())
    }
}

/// The SARIF schema validator, when the schema file is present (it is in
/// CI). Formats (`uri`, `date-time`) are checked too.
pub fn sarif_validator() -> Option<&'static jsonschema::Validator> {
    static VALIDATOR: std::sync::OnceLock<Option<jsonschema::Validator>> = std::sync::OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let text = std::fs::read_to_string(sarif_schema_path()).ok()?;
            let schema: Value = serde_json::from_str(&text).expect("SARIF schema is JSON");
            Some(
                jsonschema::options()
                    .should_validate_formats(true)
                    .with_retriever(NoRetrieval)
                    .build(&schema)
                    .expect("SARIF schema compiles"),
            )
        })
        .as_ref()
}

/// Validates a SARIF log against the 2.1.0 schema (when present), and
/// checks what GitHub code scanning needs beyond it: unique rule ids and
/// results pointing at them.
pub fn assert_valid_sarif(doc: &Value) {
    match sarif_validator() {
        Some(v) => {
            let errors: Vec<String> = v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path)).collect();
            assert!(errors.is_empty(), "SARIF does not validate:\n{}\n{doc:#}", errors.join("\n"));
        }
        None => eprintln!("note: {} not found; SARIF not schema-validated", sarif_schema_path().display()),
    }
    assert_eq!(doc["version"], "2.1.0");
    let rules = sarif_rules(doc);
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().expect("rule id")).collect();
    let unique: std::collections::HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate rule ids: {ids:?}");
    for r in sarif_results(doc) {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at the rule");
    }
}

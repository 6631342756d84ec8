//! Runs rules' own examples through a compiled engine: every example must
//! produce a finding of its rule, every negative example none. This is what
//! `keyhound rules check` and the test suite run.
//!
//! A rule whose matches are graded one by one (a detector rule) counts as
//! found only at medium confidence or above, the default
//! `--min-confidence`. An example whose first line is `@@file NAME@@` is
//! scanned as the content of a file named NAME (for credentials files
//! known by their name).

use super::Engine;
use crate::rules::template::{expand, seed_for};
use crate::rules::Confidence;

/// An example's file name, when its first line gives one, and its text.
fn named(text: &str) -> (Option<&str>, &str) {
    let parsed = text.strip_prefix("@@file ").and_then(|rest| rest.split_once("@@\n"));
    match parsed {
        Some((name, body)) => (Some(name), body),
        None => (None, text),
    }
}

/// One example that did not behave as its rule says.
#[derive(Debug, Clone)]
pub struct ExampleFailure {
    pub file: String,
    pub rule: String,
    pub negative: bool,
    pub index: usize,
    /// The example after template expansion.
    pub text: String,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.negative { "negative example" } else { "example" };
        let verdict = if self.negative { "was reported" } else { "was not found" };
        write!(f, "{}: rule `{}`: {} #{} {}: {:?}", self.file, self.rule, kind, self.index + 1, verdict, self.text)
    }
}

/// Outcome of checking examples.
#[derive(Debug, Default)]
pub struct ExampleReport {
    pub checked: usize,
    pub failures: Vec<ExampleFailure>,
}

/// Checks the examples of every rule of `engine` (or only those whose id is
/// in `only`, when given).
pub fn check_examples(engine: &Engine, only: Option<&[String]>) -> ExampleReport {
    let mut report = ExampleReport::default();
    for (r, rule) in engine.rules().iter().enumerate() {
        if only.is_some_and(|ids| !ids.contains(&rule.id)) {
            continue;
        }
        let cases = rule.examples.iter().map(|e| (e, false)).chain(rule.negative_examples.iter().map(|e| (e, true)));
        for (i, (template, negative)) in cases.enumerate() {
            let index = if negative { i - rule.examples.len() } else { i };
            let text = expand(template, seed_for(&rule.id, i));
            let (name, body) = named(&text);
            let found = engine
                .scan_named(body.as_bytes(), name.map(str::as_bytes))
                .iter()
                .any(|m| m.rule == r && m.confidence.is_none_or(|c| c >= Confidence::Medium));
            report.checked += 1;
            if found == negative {
                report.failures.push(ExampleFailure {
                    file: rule.source.clone(),
                    rule: rule.id.clone(),
                    negative,
                    index,
                    text,
                });
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    #[test]
    fn shipped_rules_pass_their_examples() {
        let engine = Engine::new(&RuleSet::embedded().unwrap()).unwrap();
        let report = check_examples(&engine, None);
        assert!(report.checked > 20);
        let failures: Vec<String> = report.failures.iter().map(ToString::to_string).collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_shipped_rule_is_documented_with_examples_both_ways() {
        let set = RuleSet::embedded().unwrap();
        for rule in set.rules() {
            assert!(rule.examples.len() >= 2, "{} needs 2+ examples", rule.id);
            assert!(rule.negative_examples.len() >= 2, "{} needs 2+ negative examples", rule.id);
            // Users act on a finding through these: where the format is
            // documented or how to revoke it, and what to do now.
            assert!(!rule.name.trim().is_empty(), "{} needs a name", rule.id);
            assert!(
                !rule.references.is_empty() && rule.references.iter().all(|u| u.starts_with("https://")),
                "{} needs https references",
                rule.id
            );
            assert!(
                rule.remediation.as_deref().is_some_and(|r| !r.trim().is_empty()),
                "{} needs a remediation",
                rule.id
            );
        }
    }

    #[test]
    fn failing_example_is_reported() {
        let mut set = RuleSet::default();
        set.add_toml(
            "mine.toml",
            "[[rule]]\nid = \"m\"\nname = \"M\"\nregex = 'tok_[0-9]{4}'\nkeywords = [\"tok_\"]\nexamples = ['tok_12']\nnegative_examples = ['tok_9317']\n",
        )
        .unwrap();
        let report = check_examples(&Engine::new(&set).unwrap(), None);
        assert_eq!(report.failures.len(), 2);
        assert!(report.failures[0].to_string().contains("mine.toml: rule `m`: example #1 was not found"));
    }
}

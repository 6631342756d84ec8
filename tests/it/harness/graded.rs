//! Findings of every confidence, for the tests of `--min-confidence` and of
//! how each output shows a finding's confidence. The shipped rules give
//! `high` (an OpenAI project key) and `medium` (a DeepSeek key, known only
//! by its provider's name nearby) findings; `low` is only ever set by hand,
//! so a config adds a rule that says so ([`LOW_RULE`]).

use serde_json::Value;

use super::{expand_fresh, fake_example, fake_key, findings};

/// The id of the config rule whose findings are `low`.
pub const LOW_RULE_ID: &str = "acme-guess";

/// A `.keyhound.toml` rule (a `[[rule]]` table) whose findings are `low`:
/// `acme_` and 20 lowercase letters and digits.
pub const LOW_RULE: &str = "[[rule]]\nid = \"acme-guess\"\nname = \"Acme guess\"\n\
    regex = '''acme_[a-z0-9]{20}'''\nkeywords = [\"acme_\"]\nconfidence = \"low\"\n";

/// A key of each confidence.
pub struct Graded {
    /// `high`: an openai-project-key.
    pub high: String,
    /// `medium`: a deepseek-api-key (found next to `DEEPSEEK`).
    pub medium: String,
    /// `low`: a [`LOW_RULE_ID`] key (found with [`LOW_RULE`] in the config).
    pub low: String,
}

impl Graded {
    pub fn new() -> Graded {
        Graded {
            high: fake_key("openai-project-key"),
            medium: fake_example("deepseek-api-key").1,
            low: expand_fresh("acme_{{l:20}}"),
        }
    }

    /// The files holding the keys, one each: `(path, contents)` of the
    /// high, medium and low one.
    pub fn files(&self) -> [(&'static str, String); 3] {
        [
            ("high.env", format!("OPENAI_API_KEY={}\n", self.high)),
            ("medium.env", format!("DEEPSEEK_API_KEY={}\n", self.medium)),
            ("low.env", format!("ACME_TOKEN={}\n", self.low)),
        ]
    }

    /// Writes the key files and a `.keyhound.toml` of `config` and
    /// [`LOW_RULE`] through `write` (a tree's or a repository's).
    pub fn plant<R>(&self, config: &str, mut write: impl FnMut(&str, String) -> R) {
        for (path, text) in self.files() {
            write(path, text);
        }
        write(".keyhound.toml", format!("{config}{LOW_RULE}"));
    }

    /// The confidence of `secret`, one of these keys.
    pub fn level_of(&self, secret: &str) -> &'static str {
        match secret {
            s if s == self.high => "high",
            s if s == self.medium => "medium",
            s if s == self.low => "low",
            other => panic!("not one of the graded keys: {other}"),
        }
    }
}

/// `(path, confidence)` of each finding of a JSON report, sorted by path.
pub fn confidence_by_path(doc: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = findings(doc)
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["confidence"].as_str().unwrap_or("NONE").to_string()))
        .collect();
    v.sort();
    v
}

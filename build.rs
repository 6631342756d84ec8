//! Embeds every `rules/*.toml` file into the binary, so the shipped rule set
//! is whatever the `rules/` directory held at build time, and does now the
//! work that every start of keyhound would otherwise repeat:
//!
//! - Parses each file's TOML and embeds the same document as JSON
//!   (`EMBEDDED_RULE_FILES`), which the run time reads into the same serde
//!   types as TOML (`RuleFile`) several times faster than it parses TOML.
//!   JSON, because the loader needs a self-describing format: the rule
//!   types use `#[serde(default)]`, `deny_unknown_fields` and hold
//!   `serde_json::Value`s (verify conditions), which compact binary formats
//!   (postcard, bincode) cannot deserialize; and `serde_json` is already a
//!   dependency, so nothing new is linked in. A file that is not valid TOML,
//!   or holds a value JSON cannot carry as it is (a datetime, a NaN or
//!   infinite float), gets no JSON form: the run time parses its TOML,
//!   which reports the error, or gives the value, as for any rule file.
//!   The TOML text is embedded too, for that and so that the run time can
//!   fall back on it (and its error messages) if the JSON is ever refused.
//! - Parses the rules' regexes: for each rule whose regexes (rule, `allow`,
//!   `near`) all parse, `EMBEDDED_PARSED` holds its minimum match length and
//!   which of its keywords every match starts with after a word boundary,
//!   what every match holds around each keyword (its case, the bytes
//!   before and after it), and how many bytes of fixed literal every
//!   secret starts with (what the rule's derived confidence rests on).
//!   A rule missing from it (a file or regex that does not parse) is
//!   checked at run time, which reports the error as for any rule file.

#[path = "src/rules/regex_parse.rs"]
#[allow(dead_code)]
mod regex_parse;

#[path = "src/engine/generic/word_hash.rs"]
#[allow(dead_code)]
mod word_hash;

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let rules_dir = root.join("rules");
    println!("cargo:rerun-if-changed={}", rules_dir.display());

    let mut files: Vec<PathBuf> = fs::read_dir(&rules_dir)
        .expect("rules/ directory is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();

    let json_dir = out_dir.join("rules-json");
    fs::create_dir_all(&json_dir).expect("create OUT_DIR/rules-json");
    let mut out = String::from(
        "/// Shipped rule files: (file name, TOML text, the same document as JSON\n\
         /// when build.rs could convert it).\n\
         pub static EMBEDDED_RULE_FILES: &[(&str, &str, Option<&str>)] = &[\n",
    );
    let mut facts = String::from(
        "/// Shipped rules whose regexes parsed at build time: (rule id, minimum match\n\
         /// length, per keyword whether every match starts with it after `\\b`,\n\
         /// per keyword what every match holds around it, the bytes of fixed\n\
         /// literal every secret starts with).\n\
         pub static EMBEDDED_PARSED: &[EmbeddedFacts] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        let text = fs::read_to_string(f).expect("rule file is readable");
        let doc = text.parse::<toml::Table>().ok();
        let json = match doc.as_ref().and_then(to_json) {
            Some(json) => {
                let path = json_dir.join(format!("{name}.json"));
                fs::write(&path, json).expect("write rule file JSON");
                format!("Some(include_str!({:?}))", path.display().to_string())
            }
            None => "None".to_string(),
        };
        out.push_str(&format!("    ({:?}, include_str!({:?}), {json}),\n", name, f.display().to_string()));
        for (id, min_len, word_starts, contexts, prefix) in doc.as_ref().map(parsed_rules).unwrap_or_default() {
            facts.push_str(&format!("    ({id:?}, {min_len}, &{word_starts:?}, &{contexts:?}, {prefix}),\n"));
        }
    }
    out.push_str("];\n");
    facts.push_str("];\n");
    out.push_str(&facts);
    fs::write(out_dir.join("embedded_rules.rs"), out).expect("write embedded_rules.rs");
    word_table(&root, &out_dir);
}

/// The generic scorer's word model (src/engine/generic/words.txt) as the
/// open-addressing table of `word_hash`, written as a static array so that
/// no run builds it.
fn word_table(root: &std::path::Path, out_dir: &std::path::Path) {
    let words = root.join("src/engine/generic/words.txt");
    println!("cargo:rerun-if-changed={}", words.display());
    let text = fs::read_to_string(&words).expect("words.txt is readable");
    let mut table = vec![0u32; 1 << word_hash::TABLE_BITS];
    let count = text.lines().filter(|w| !w.is_empty()).count();
    // Each word, and each of its prefixes of two letters or more (marked
    // as words only where they are one).
    let mut entries: Vec<(String, bool)> = Vec::new();
    for w in text.lines().filter(|w| !w.is_empty()) {
        let w = w.to_ascii_lowercase();
        entries.extend((2..w.len()).map(|n| (w[..n].to_string(), false)));
        entries.push((w, true));
    }
    entries.sort();
    entries.dedup_by(|b, a| {
        // Sorted, `(p, false)` comes before `(p, true)`: the word wins.
        a.0 == b.0 && {
            a.1 |= b.1;
            true
        }
    });
    assert!(entries.len() * 2 <= table.len(), "words.txt has more entries than the table holds at half load");
    for (w, word) in &entries {
        let h = w.bytes().fold(word_hash::FNV_OFFSET, word_hash::step);
        let mut i = word_hash::slot(h);
        while table[i] != 0 && table[i] & !word_hash::WORD_BIT != word_hash::tag(h) {
            i = (i + 1) & (table.len() - 1);
        }
        table[i] |= word_hash::tag(h) | if *word { word_hash::WORD_BIT } else { 0 };
    }
    let mut out = format!(
        "/// The word model's table (see word_hash.rs): {count} words.\nstatic WORD_TABLE: [u32; {}] = [",
        table.len()
    );
    for (i, t) in table.iter().enumerate() {
        if i % 16 == 0 {
            out.push('\n');
        }
        out.push_str(&t.to_string());
        out.push(',');
    }
    out.push_str("\n];\n");
    fs::write(out_dir.join("word_table.rs"), out).expect("write word_table.rs");
}

/// The document as JSON, if JSON holds every value of it exactly: strings,
/// integers, finite floats, booleans, arrays and tables (in file order: the
/// `toml` build dependency preserves it). A float keeps its decimal point
/// (`3.0`), so it stays a float.
fn to_json(doc: &toml::Table) -> Option<String> {
    fn exact(v: &toml::Value) -> bool {
        match v {
            toml::Value::String(_) | toml::Value::Integer(_) | toml::Value::Boolean(_) => true,
            toml::Value::Float(f) => f.is_finite(),
            toml::Value::Datetime(_) => false,
            toml::Value::Array(a) => a.iter().all(exact),
            toml::Value::Table(t) => t.values().all(exact),
        }
    }
    if !doc.values().all(exact) {
        return None;
    }
    Some(serde_json::to_string(doc).expect("a TOML table serializes to JSON"))
}

/// What build time reads off one rule's regex: id, minimum match length,
/// per keyword whether it is a word start and its context, and the bytes of
/// fixed literal every secret starts with.
type ParsedRule = (String, usize, Vec<bool>, Vec<Option<regex_parse::KeywordContext>>, usize);

/// The [`ParsedRule`] of each rule of a rule file whose regexes all parse.
fn parsed_rules(doc: &toml::Table) -> Vec<ParsedRule> {
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
        // Keywords that are not all strings: the loader reports that.
        let Some(keywords) = rule
            .get("keywords")
            .and_then(|k| k.as_array())
            .and_then(|k| k.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<Vec<String>>>())
        else {
            continue;
        };
        if others.all(|v| v.as_str().is_some_and(|p| regex_parse::parse(p).is_ok())) {
            out.push((
                id.to_string(),
                regex_parse::min_len(&hir),
                regex_parse::word_start_keywords(&hir, &keywords),
                regex_parse::keyword_contexts(&hir, &keywords),
                regex_parse::secret_prefix_len(&hir),
            ));
        }
    }
    out
}

//! Basic CLI behaviour: exit codes, output shapes, errors.
mod common;
use common::*;

#[test]
fn finds_a_key_and_exits_one() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    t.write(".env", format!("# settings\nOPENAI_API_KEY={key}\n"));
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["rule_id"], "openai-project-key");
    assert_eq!(f[0]["path"], ".env");
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["column"], 16);
}

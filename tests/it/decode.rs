//! Secrets hidden by an encoding are found at the encoded text's location
//! and marked with the encoding.

use base64::Engine as _;

use crate::harness::*;

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn percent(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[test]
fn base64_key_in_a_kubernetes_secret() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    t.write(
        "k8s/secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: openai\ntype: Opaque\ndata:\n  OPENAI_API_KEY: {}\n",
            b64(key.as_bytes())
        ),
    );
    let (code, doc) = t.run_json(&["scan", ".", "--show-secrets"]);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!(f[0]["rule_id"], "openai-project-key");
    assert_eq!(f[0]["line"], 7);
    assert_eq!(f[0]["column"], 19);
    assert_eq!(f[0]["decoded"], "base64");
    assert_eq!(f[0]["secret"], key.as_str());
}

#[test]
fn base64_basic_auth_and_dockerconfigjson() {
    let t = Tree::new();
    let gh = fake_key("github-personal-access-token");
    let auth = b64(format!("bot:{gh}").as_bytes());
    let config = format!(r#"{{"auths":{{"ghcr.io":{{"auth":"{auth}"}}}}}}"#);
    t.write("curl.sh", format!("curl -H 'Authorization: Basic {auth}' https://api.example.com\n"));
    t.write("docker.yaml", format!("kind: Secret\ndata:\n  .dockerconfigjson: {}\n", b64(config.as_bytes())));
    let (_, doc) = t.run_json(&["scan", "."]);
    let got: Vec<(String, String, u64)> = findings(&doc)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["decoded"].as_str().unwrap_or("").into(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(got.contains(&("curl.sh".into(), "base64".into(), 1)), "{got:?}");
    assert!(got.contains(&("docker.yaml".into(), "base64+base64".into(), 3)), "{got:?}");
}

#[test]
fn percent_encoded_key_in_a_url() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    t.write("access.log", format!("GET /\nGET /v1/proxy?api_key={}&q=1 HTTP/1.1\n", percent(&key)));
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!((f[0]["line"].as_u64(), f[0]["decoded"].as_str()), (Some(2), Some("percent")));
    assert_eq!(f[0]["column"], 23); // "GET /v1/proxy?api_key=" is 22 characters
}

#[test]
fn unicode_escaped_key_in_json() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    let escaped = key.replace('-', "\\u002d").replace('_', "\\u005f");
    t.write("dump.json", format!("{{\n  \"settings\": {{\n    \"key\": \"{escaped}\"\n  }}\n}}\n"));
    let (code, doc) = t.run_json(&["scan", ".", "--show-secrets"]);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "{doc:#}");
    assert_eq!(f[0]["line"], 3);
    assert_eq!(f[0]["decoded"], "escape");
    assert_eq!(f[0]["secret"], key.as_str());
}

#[test]
fn decode_depth_zero_turns_decoding_off_and_clear_keys_are_not_doubled() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    t.write("secret.yaml", format!("data:\n  k: {}\n", b64(key.as_bytes())));
    let (code, doc) = t.run_json(&["scan", ".", "--decode-depth", "0"]);
    assert_eq!((code, findings(&doc).len()), (0, 0));

    // A clear key inside a percent-encoded URL is one finding, not two.
    t.write("url.txt", format!("https://x.example.com/?k={key}&next=%2Fhome\n"));
    let (_, doc) = t.run_json(&["scan", "url.txt"]);
    assert_eq!(findings(&doc).len(), 1);
    assert!(findings(&doc)[0].get("decoded").is_none());
}

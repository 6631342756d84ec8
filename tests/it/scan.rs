//! `keyhound scan` as a user meets it: exit codes, output fields and
//! formats, inputs that are skipped or bad.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::harness::*;
use serde_json::Value;

#[test]
fn finding_has_every_documented_field() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    t.write("conf/.env", format!("# settings\nOPENAI_API_KEY={key}\n"));
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["tool"]["name"], "keyhound");
    let f = &findings(&doc)[0];
    assert_eq!(f["rule_id"], "openai-project-key");
    assert_eq!(f["rule_name"], "OpenAI project API key");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["path"], "conf/.env");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(2), Some(16)));
    assert_eq!((f["end_line"].as_u64(), f["end_column"].as_u64()), (Some(2), Some(16 + 164)));
    assert_eq!(f["secret"], keyhound::model::redact(&key), "the redacted form (its shape is unit-tested in model)");
    assert!(f["secret"].as_str().unwrap().ends_with("…(164 chars)"));
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
    let s = &doc["summary"];
    assert_eq!(s["findings"], 1);
    assert_eq!(s["scanned"], 1);
    for k in ["bytes", "skipped_binary", "skipped_large", "warnings", "duration_ms", "rules"] {
        assert!(!s[k].is_null(), "summary lacks {k}");
    }
}

#[test]
fn no_findings_exits_zero_and_custom_exit_code_applies() {
    let t = Tree::new();
    t.write("a.txt", "nothing to see\n");
    assert_eq!(t.run(&["scan", "."]).status.code(), Some(0));
    t.write("b.env", format!("K={}\n", fake_key("github-personal-access-token")));
    assert_eq!(t.run(&["scan", ".", "--exit-code", "7"]).status.code(), Some(7));
}

#[test]
fn jsonl_is_one_finding_per_line() {
    let t = Tree::new();
    t.write("a.env", format!("A={}\nB={}\n", fake_key("openai-legacy-key"), fake_key("aws-access-key-id")));
    let out = t.run(&["scan", ".", "--format", "jsonl"]);
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["rule_id"], "openai-legacy-key");
    assert_eq!(lines[1]["rule_id"], "aws-access-key-id");
    assert_eq!(lines[1]["line"], 2);
}

#[test]
fn stdin_is_scanned_as_stdin() {
    let key = fake_key("anthropic-api-key");
    let out = Tree::new().run_stdin(&["scan", "-", "--format", "json"], &[], &format!("first\nkey: {key}\n"));
    assert_eq!(out.status.code(), Some(1));
    let doc = parse_json(&out);
    assert_eq!(findings(&doc)[0]["path"], "<stdin>");
    assert_eq!(findings(&doc)[0]["line"], 2);
}

#[test]
fn binary_large_and_git_dirs_are_skipped_and_ignored_files_are_scanned() {
    let t = Tree::new();
    let key = fake_key("openai-legacy-key");
    t.write("bin.dat", [b"\x00\x01".as_slice(), key.as_bytes()].concat());
    t.write("big.txt", format!("{}\nK={key}\n", "x".repeat(4000)));
    t.write(".gitignore", "ignored/\n");
    t.write("ignored/secret.env", format!("K={key}\n"));
    t.write(".git/config", format!("K={key}\n"));
    t.write(".hidden/visible.env", format!("K={key}\n"));
    let (_, doc) = t.run_json(&["scan", ".", "--max-file-size", "1K"]);
    let mut paths: Vec<&str> = findings(&doc).iter().map(|f| f["path"].as_str().unwrap()).collect();
    paths.sort();
    // Git-ignored files are read by default: a local .env is the commonest leak.
    assert_eq!(paths, vec![".hidden/visible.env", "ignored/secret.env"]);
    assert_eq!(doc["summary"]["skipped_binary"], 1);
    assert_eq!(doc["summary"]["skipped_large"], 1);

    let (_, doc) = t.run_json(&["scan", ".", "--skip-ignored"]);
    let mut paths: Vec<&str> = findings(&doc).iter().map(|f| f["path"].as_str().unwrap()).collect();
    paths.sort();
    assert_eq!(paths, vec![".hidden/visible.env", "big.txt"]);

    // `--no-ignore` (the old name of today's default) is still accepted.
    let (_, doc) = t.run_json(&["scan", ".", "--no-ignore"]);
    let mut paths: Vec<&str> = findings(&doc).iter().map(|f| f["path"].as_str().unwrap()).collect();
    paths.sort();
    assert_eq!(paths, vec![".hidden/visible.env", "big.txt", "ignored/secret.env"]);
}

#[test]
fn findings_say_whether_git_tracks_the_file() {
    let mut r = Repo::new();
    r.write(".gitignore", ".env\n");
    r.write("src/settings.py", format!("OPENAI_API_KEY = \"{}\"\n", fake_key("openai-project-key")));
    r.commit("settings");
    r.write_unstaged(".env", format!("OPENAI_API_KEY={}\n", fake_key("openai-project-key")));
    r.write_unstaged("notes.txt", format!("key {}\n", fake_key("anthropic-api-key")));
    let (code, doc) = r.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    let mut tracked: Vec<(String, Value)> =
        findings(&doc).iter().map(|f| (f["path"].as_str().unwrap().to_string(), f["tracked"].clone())).collect();
    tracked.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        tracked,
        vec![
            (".env".to_string(), Value::Bool(false)),
            ("notes.txt".to_string(), Value::Bool(false)),
            ("src/settings.py".to_string(), Value::Bool(true)),
        ]
    );
    let out = r.run(&["scan", ".env"]);
    assert!(stdout_of(&out).contains("tracked:     no (git does not track this file"), "{}", stdout_of(&out));
    let s = r.run_sarif(&["scan", ".env"]);
    assert_eq!(s.results()[0]["properties"]["tracked"], false);

    // Outside a work tree there is nothing to say.
    let t = Tree::new();
    t.write("a.env", format!("K={}\n", fake_key("openai-project-key")));
    let (_, doc) = t.run_json(&["scan", "."]);
    assert!(findings(&doc)[0].get("tracked").is_none(), "{doc}");
}

#[test]
fn a_base64_finding_shows_the_encoded_text_masked_on_its_line() {
    use base64::Engine as _;
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("OPENAI_API_KEY={key}\n"));
    t.write("enc.txt", format!("data: {encoded}\n"));
    let out = t.run(&["scan", "enc.txt"]);
    let text = stdout_of(&out);
    let line = text.lines().find(|l| l.trim_start().starts_with("line:")).expect("a line: row");
    assert!(!line.contains(&key[..12]), "the decoded key is not shown on the encoded line: {line}");
    assert!(!line.contains(&encoded[20..60]), "the encoded secret is masked: {line}");
    assert!(line.contains("data: ") && line.contains("chars)"), "{line}");
    let out = t.run(&["scan", "enc.txt", "--show-secrets"]);
    assert!(stdout_of(&out).contains(&encoded[..encoded.len() - 4]), "{}", stdout_of(&out));
}

#[test]
fn invalid_utf8_is_scanned() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    t.write("latin1.txt", [b"caf\xe9 \xff\xfe\n".as_slice(), format!("key={key}\n").as_bytes()].concat());
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc)[0]["line"], 2);
}

#[test]
fn output_file_receives_the_report() {
    let t = Tree::new();
    t.write("a.env", format!("K={}\n", fake_key("openai-legacy-key")));
    let out = t.run(&["scan", "a.env", "--format", "json", "--output", "report.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(t.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(findings(&doc)[0]["path"], "a.env");
}

#[test]
fn unusable_arguments_exit_two_with_a_message() {
    let t = Tree::new();
    for args in [
        vec!["scan", "does-not-exist"],
        vec!["scan", ".", "--threads", "0"],
        vec!["scan", ".", "--format", "yaml"],
        vec!["scan", ".", "--max-file-size", "lots"],
        vec!["scan", "-", "-"],
    ] {
        let out = t.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?} printed no error");
    }
    let out = t.run(&["scan", "does-not-exist"]);
    assert!(stderr_of(&out).contains("does-not-exist"));
}

#[test]
fn broken_pipe_exits_quietly() {
    let t = Tree::new();
    let body: String = (0..3000).map(|_| format!("K={}\n", fake_key("openai-legacy-key"))).collect();
    t.write("many.env", body);
    let mut child = keyhound_process()
        .current_dir(t.path())
        .args(["scan", ".", "--format", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.contains("openai-legacy-key"));
    // The reader is dropped here: keyhound's next writes hit a closed pipe.
    let out = child.wait_with_output().unwrap();
    let stderr = stderr_of(&out);
    assert!(!stderr.contains("panicked") && !stderr.contains("error"), "{stderr}");
    assert_eq!(out.status.code(), Some(0));
}

/// Bytes that must never reach a terminal from scanned content: ESC, BEL,
/// CR, and the UTF-8 encoding of U+202E (right-to-left override).
fn raw_controls_in(bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(b, 0x1b | 0x07 | b'\r' | 0x08 | 0x7f) {
            found.push(format!("byte {b:#04x} at {i}"));
        }
    }
    if bytes.windows(3).any(|w| w == "\u{202e}".as_bytes()) {
        found.push("U+202E".into());
    }
    found
}

/// A file whose matched line and whose name carry terminal escapes and a
/// bidi override: text output shows them escaped, JSON keeps them exactly.
#[test]
fn scanned_text_is_escaped_in_text_output_and_exact_in_json() {
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    let name = "evil\x1b[31m\u{202e}vne.env";
    t.write(name, format!("KEY={key} \x1b[2J\x1b]0;pwned\x07\u{202e} tail\n"));
    let out = t.run(&["scan", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_eq!(raw_controls_in(&out.stdout), Vec::<String>::new(), "{}", stdout_of(&out));
    let text = stdout_of(&out);
    assert!(text.contains("evil\\x1b[31m\\u202evne.env:1:5"), "{text}");
    assert!(text.contains("\\x1b[2J\\x1b]0;pwned\\x07\\u202e tail"), "{text}");
    // With colors on, the only escapes are keyhound's own styling (SGR).
    let colored = t.run(&["scan", ".", "--color", "always"]);
    let colored_text = String::from_utf8(colored.stdout.clone()).unwrap();
    assert!(colored_text.contains("\x1b[1m") && colored_text.contains("\x1b[0m"), "{colored_text:?}");
    for (i, _) in colored_text.match_indices('\x1b') {
        let rest = &colored_text[i + 1..];
        let sgr = rest.strip_prefix('[').and_then(|r| r.find('m').map(|m| &r[..m]));
        assert!(sgr.is_some_and(|p| p.chars().all(|c| c.is_ascii_digit() || c == ';')), "raw ESC at {i}");
    }
    assert!(!colored.stdout.windows(3).any(|w| w == "\u{202e}".as_bytes()));
    let (_, doc) = t.run_json(&["scan", "."]);
    let f = &findings(&doc)[0];
    assert_eq!(f["path"], name);
    assert!(f.get("path_base64").is_none(), "{f}");
}

/// A file that cannot be read because of its name: the warning on stderr
/// names it escaped.
#[cfg(unix)]
#[test]
fn warnings_name_files_escaped() {
    use std::os::unix::fs::PermissionsExt;
    let t = Tree::new();
    let p = t.write("locked\x1b]0;pwned\x07.env", "x\n");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        return; // running as root: every file is readable
    }
    let out = t.run(&["scan", "."]);
    assert_eq!(raw_controls_in(&out.stderr), Vec::<String>::new(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("locked\\x1b]0;pwned\\x07.env"), "{}", stderr_of(&out));
}

/// A file name that is not UTF-8: JSON shows it lossily and adds its exact
/// bytes in base64; SARIF percent-encodes the bytes themselves.
#[cfg(unix)]
#[test]
fn non_utf8_file_name_is_kept_exactly_in_json_and_sarif() {
    use base64::prelude::{Engine as _, BASE64_STANDARD};
    use std::os::unix::ffi::OsStrExt;
    let t = Tree::new();
    let raw: &[u8] = b"conf/caf\xe9 \xff.env";
    std::fs::create_dir_all(t.path().join("conf")).unwrap();
    let key = fake_key("openai-project-key");
    std::fs::write(t.path().join(std::ffi::OsStr::from_bytes(raw)), format!("KEY={key}\n")).unwrap();
    let (code, doc) = t.run_json(&["scan", "."]);
    assert_eq!(code, 1);
    let f = &findings(&doc)[0];
    assert_eq!(f["path"], "conf/caf\u{fffd} \u{fffd}.env");
    assert_eq!(BASE64_STANDARD.decode(f["path_base64"].as_str().unwrap()).unwrap(), raw);
    let sarif = t.run_sarif(&["scan", "."]);
    let uri = &sarif.results()[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "conf/caf%E9%20%FF.env");
    let out = t.run(&["scan", "."]);
    assert!(stdout_of(&out).contains("conf/caf\u{fffd} \u{fffd}.env:1:5"), "{}", stdout_of(&out));
}

/// Two keys on one line: the text output shows each key's line with both
/// redacted, and no part of either one cut by the line's shortened ends.
#[test]
fn text_output_never_shows_a_second_key_on_the_line() {
    let t = Tree::new();
    let (a, b) = (fake_key("slack-bot-token"), fake_key("slack-bot-token"));
    t.write("two.env", format!("FIRST={a} SECOND={b}\n"));
    let out = t.run(&["scan", "."]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("slack-bot-token").count(), 2, "{text}");
    for key in [&a, &b] {
        // Any 12 characters of a key past what its redacted form shows.
        let shown = keyhound::model::redact(key).split('…').next().unwrap().len();
        for i in shown..key.len().saturating_sub(12) {
            assert!(!text.contains(&key[i..i + 12]), "{} of a key is shown: {text}", &key[i..i + 12]);
        }
    }
}

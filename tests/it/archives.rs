//! Inside archives, compressed files and UTF-16 text: every container type
//! found by its content, member paths, lines and `container` chains in
//! JSON, SARIF and baselines, in `scan`, `history`, `staged` and `ci`;
//! `--archive-depth` and `archive-depth`; and hostile input (bombs,
//! encrypted, truncated, path tricks), each bounded in time and memory.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::*;

/// A member's text with a fresh key of `rule` on line 3, column 14; and the
/// key.
fn member_text(rule: &str) -> (Vec<u8>, String) {
    let (text, planted) = expand_fixture(&format!("# settings\nDEBUG=false\nSECRET_VALUE={{{{key:{rule}}}}}\n"));
    assert_eq!((planted[0].line, planted[0].column), (3, 14));
    (text.into_bytes(), planted[0].secret.clone())
}

/// The finding (run with --show-secrets) whose secret is `key`; exactly one.
fn only_with<'a>(doc: &'a Value, key: &str) -> &'a Value {
    let hits: Vec<&Value> = findings(doc).iter().filter(|f| f["secret"] == key).collect();
    assert_eq!(hits.len(), 1, "one finding of {key:.12}…: {doc:#}");
    hits[0]
}

/// The `container` array of a finding as strings (empty when absent).
fn chain(f: &Value) -> Vec<String> {
    f["container"].as_array().map_or(Vec::new(), |a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
}

/// Every container type, by content (some under names that say nothing),
/// nested ones and UTF-16: path, line, column and `container` in JSON,
/// and the SARIF location, message, properties and fingerprint.
#[test]
fn every_container_type_reports_member_paths() {
    let t = Tree::new();
    let mut expect: Vec<(String, Vec<&str>, String, String)> = Vec::new(); // (path, container, rule, key)
    let mut plant = |file: &str, bytes: Vec<u8>, path: &str, container: Vec<&'static str>, key: String, rule: &str| {
        t.write(file, bytes);
        expect.push((path.to_string(), container, rule.to_string(), key));
    };
    let rule = "github-personal-access-token";
    let (text, key) = member_text(rule);
    plant(
        "dist/app.zip",
        zip_of(&[("README", b"hello\n"), ("inner/dir/file.env", &text)]),
        "dist/app.zip!inner/dir/file.env",
        vec!["dist/app.zip"],
        key,
        rule,
    );
    let (text, key) = member_text(rule);
    plant(
        "lib/service.jar",
        zip_of(&[("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"), ("application.properties", &text)]),
        "lib/service.jar!application.properties",
        vec!["lib/service.jar"],
        key,
        rule,
    );
    let (text, key) = member_text(rule);
    plant(
        "backup.dat",
        stored_zip_of(&[("project/.env", &text)]),
        "backup.dat!project/.env",
        vec!["backup.dat"],
        key,
        rule,
    );
    let (text, key) = member_text(rule);
    plant("c.tar", tar_of(&[("x/y.env", &text)]), "c.tar!x/y.env", vec!["c.tar"], key, rule);
    let (text, key) = member_text(rule);
    plant(
        "d.tar.gz",
        gzip(&tar_of(&[("pkg/config.yml", &text)])),
        "d.tar.gz!pkg/config.yml",
        vec!["d.tar.gz"],
        key,
        rule,
    );
    let (text, key) = member_text(rule);
    plant("e.tgz", gzip(&tar_of(&[("e/.npmrc", &text)])), "e.tgz!e/.npmrc", vec!["e.tgz"], key, rule);
    let (text, key) = member_text(rule);
    plant("f.tar.bz2", bzip2(&tar_of(&[("f.ini", &text)])), "f.tar.bz2!f.ini", vec!["f.tar.bz2"], key, rule);
    let (text, key) = member_text(rule);
    plant("g.tar.xz", xz(&tar_of(&[("g.cfg", &text)])), "g.tar.xz!g.cfg", vec!["g.tar.xz"], key, rule);
    let (text, key) = member_text(rule);
    plant("h.tar.zst", zstd(&tar_of(&[("h.toml", &text)])), "h.tar.zst!h.toml", vec!["h.tar.zst"], key, rule);
    let (text, key) = member_text(rule);
    plant("logs/app.log.gz", gzip(&text), "logs/app.log.gz!app.log", vec!["logs/app.log.gz"], key, rule);
    let (text, key) = member_text(rule);
    plant("k.env.bz2", bzip2(&text), "k.env.bz2!k.env", vec!["k.env.bz2"], key, rule);
    let (text, key) = member_text(rule);
    plant("l.env.xz", xz(&text), "l.env.xz!l.env", vec!["l.env.xz"], key, rule);
    let (text, key) = member_text(rule);
    plant("m.env.zst", zstd(&text), "m.env.zst!m.env", vec!["m.env.zst"], key, rule);
    // An Office document: its XML parts are text.
    let (text, key) = member_text(rule);
    let xml = format!("{}<w:document><w:t>runbook</w:t></w:document>\n", String::from_utf8(text).unwrap());
    plant(
        "docs/runbook.docx",
        zip_of(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", xml.as_bytes())]),
        "docs/runbook.docx!word/document.xml",
        vec!["docs/runbook.docx"],
        key,
        rule,
    );
    // Nested: a tgz holding a jar holding a properties file.
    let (text, key) = member_text(rule);
    let jar = zip_of(&[("c.properties", &text)]);
    plant(
        "a.tgz",
        gzip(&tar_of(&[("b.jar", &jar)])),
        "a.tgz!b.jar!c.properties",
        vec!["a.tgz", "a.tgz!b.jar"],
        key,
        rule,
    );
    // UTF-16: with a byte-order mark either way, and without one.
    for (file, encode) in [
        ("le-bom.ps1", (|s: &str| utf16le(s, true)) as fn(&str) -> Vec<u8>),
        ("be-bom.ps1", |s: &str| utf16be(s, true)),
        ("le-plain.reg", |s: &str| utf16le(s, false)),
    ] {
        let (text, key) = member_text(rule);
        plant(file, encode(&String::from_utf8(text).unwrap()), file, vec![], key, rule);
    }
    // UTF-16 inside a zip.
    let (text, key) = member_text(rule);
    plant(
        "w.zip",
        zip_of(&[("setup.ps1", &utf16le(&String::from_utf8(text).unwrap(), true))]),
        "w.zip!setup.ps1",
        vec!["w.zip"],
        key,
        rule,
    );

    let (code, doc) = t.run_json(&["scan", ".", "--show-secrets"]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(findings(&doc).len(), expect.len(), "{doc:#}");
    for (path, container, rule, key) in &expect {
        let f = only_with(&doc, key);
        assert_eq!(f["path"], path.as_str(), "{f:#}");
        assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(3), Some(14)), "{f:#}");
        assert_eq!(chain(f), *container, "{f:#}");
        assert_eq!(f["rule_id"], rule.as_str());
        assert_eq!(
            f["fingerprint"],
            keyhound::model::fingerprint(rule, path, &keyhound::model::secret_hash(key)),
            "the member path is in it: {f:#}"
        );
    }
    let s = &doc["summary"];
    // 16 archives' 19 text members (a zip's README, a jar's manifest and a
    // document's content types besides the planted ones); the UTF-16
    // files are files.
    assert_eq!(s["members"], 19, "{s:#}");
    assert!(s["warnings"].as_array().unwrap().is_empty(), "{s:#}");

    // SARIF: located at the outermost file, without a region; the member
    // path in the message and properties; the same fingerprint.
    let sarif = t.run_sarif(&["scan", "."]);
    assert_eq!(sarif.results().len(), expect.len());
    for (path, container, rule, key) in &expect {
        let fp = keyhound::model::fingerprint(rule, path, &keyhound::model::secret_hash(key));
        let r = sarif.results().iter().find(|r| r["partialFingerprints"]["keyhound/v1"] == fp.as_str()).unwrap();
        let loc = &r["locations"][0]["physicalLocation"];
        let outer = container.first().copied().unwrap_or(path);
        assert_eq!(loc["artifactLocation"]["uri"], outer, "{r:#}");
        if container.is_empty() {
            assert_eq!(loc["region"]["startLine"], 3);
            assert!(r["properties"]["memberPath"].is_null());
        } else {
            assert!(loc["region"].is_null(), "a member's line is not the archive's: {r:#}");
            assert!(
                r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("in archive member {path} (line 3, column 14)")),
                "{r:#}"
            );
            assert_eq!(r["properties"]["memberPath"], path.as_str());
            assert_eq!(r["properties"]["container"], serde_json::json!(container));
            assert_eq!(r["properties"]["memberRegion"]["startLine"], 3);
        }
    }

    // Text output names the member path and its line.
    let text = stdout_of(&t.run(&["scan", "."]));
    assert!(text.contains("a.tgz!b.jar!c.properties:3:14"), "{text}");
    assert!(text.contains("inside:      a.tgz → a.tgz!b.jar"), "{text}");
}

#[test]
fn archive_depth_flag_and_config() {
    let t = Tree::new();
    let (text, key) = member_text("openai-legacy-key");
    let (top_text, top_key) = member_text("openai-legacy-key");
    let jar = zip_of(&[("c.properties", &text)]);
    t.write("a.tgz", gzip(&tar_of(&[("top.env", &top_text), ("b.jar", &jar)])));
    let paths = |args: &[&str]| {
        let (_, doc) = t.run_json(&[&["scan", ".", "--show-secrets"][..], args].concat());
        let warnings: Vec<String> =
            doc["summary"]["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_string()).collect();
        let mut found: Vec<String> = findings(&doc).iter().map(|f| f["path"].as_str().unwrap().to_string()).collect();
        found.sort();
        (found, warnings)
    };
    assert_eq!(paths(&[]).0, ["a.tgz!b.jar!c.properties", "a.tgz!top.env"]);
    let (found, warnings) = paths(&["--archive-depth", "1"]);
    assert_eq!(found, ["a.tgz!top.env"]);
    assert_eq!(warnings, ["a.tgz!b.jar: a container nested more than 1 deep (--archive-depth 1); not opened"]);
    let (found, warnings) = paths(&["--archive-depth", "0"]);
    assert!(found.is_empty() && warnings.is_empty(), "{found:?} {warnings:?}");
    // The config sets it; the flag wins.
    t.write(".keyhound.toml", "archive-depth = 1\n");
    assert_eq!(paths(&[]).0, ["a.tgz!top.env"]);
    assert_eq!(paths(&["--archive-depth", "2"]).0.len(), 2);
    t.write(".keyhound.toml", "archive-depth = 99\n");
    let out = t.run(&["scan", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("archive-depth: 99 is not a depth from 0 to 16"), "{}", stderr_of(&out));
    let out = t.run(&["scan", ".", "--no-config", "--archive-depth", "17"]);
    assert_eq!(out.status.code(), Some(2));
    let _ = (key, top_key);
}

#[test]
fn baselines_and_path_allowlists_know_members() {
    let t = Tree::new();
    let (text, _) = member_text("openai-legacy-key");
    t.write("vendor/lib.jar", zip_of(&[("conf/app.properties", &text)]));
    let (text2, _) = member_text("openai-legacy-key");
    t.write("dist/app.zip", zip_of(&[("conf/.env", &text2)]));
    let out = t.run(&["baseline", "-o", "baseline.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let baseline: Value = serde_json::from_str(&t.read("baseline.json")).unwrap();
    let paths: Vec<&str> =
        baseline["entries"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["dist/app.zip!conf/.env", "vendor/lib.jar!conf/app.properties"]);
    let (code, doc) = t.run_json(&["scan", ".", "--baseline", "baseline.json"]);
    assert_eq!((code, doc["summary"]["suppressed"].as_u64()), (0, Some(2)), "{doc:#}");
    // A path glob naming the archive covers its members.
    t.write(".keyhound.toml", "[allow]\npaths = [\"*.jar\"]\n");
    let (_, doc) = t.run_json(&["scan", ".", "--show-suppressed"]);
    assert_eq!(suppressed(&doc), [("vendor/lib.jar!conf/app.properties".to_string(), 3, "config-path".to_string())]);
    assert_eq!(reported(&doc), [("dist/app.zip!conf/.env".to_string(), 3)]);
}

#[test]
fn history_reports_a_zip_member_at_its_introducing_commit() {
    let mut r = Repo::new();
    r.write("README.md", "# demo\n");
    r.commit("readme");
    let (text, key) = member_text("openai-project-key");
    r.write("dist/bundle.zip", zip_of(&[("README", b"bundle\n"), ("conf/.env", &text)]));
    let introduced = r.commit_as("ship a bundle", "Alice Example", "alice@example.com");
    r.remove("dist/bundle.zip");
    r.commit("drop the bundle");

    let (code, doc) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(code, 1, "{doc:#}");
    let f = only_with(&doc, &key);
    assert_eq!(f["path"], "dist/bundle.zip!conf/.env");
    assert_eq!(chain(f), ["dist/bundle.zip"]);
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(3), Some(14)));
    assert_eq!(f["commit"], introduced.to_string());
    assert_eq!(f["author"], "Alice Example");
    assert_eq!(f["in_head"], false);
    assert_eq!(
        f["fingerprint"],
        keyhound::model::fingerprint(
            "openai-project-key",
            "dist/bundle.zip!conf/.env",
            &keyhound::model::secret_hash(&key)
        )
    );
    assert_eq!(doc["summary"]["members"], 2);
}

#[test]
fn a_range_reports_only_what_it_adds_to_an_archive() {
    let mut r = Repo::new();
    let (old_text, old_key) = member_text("openai-legacy-key");
    r.write("app.zip", zip_of(&[("old.env", &old_text)]));
    let base = r.commit("bundle");
    let (new_text, new_key) = member_text("openai-legacy-key");
    r.write("app.zip", zip_of(&[("old.env", &old_text), ("new.env", &new_text)]));
    let head = r.commit("bundle again");
    let range = format!("{base}..{head}");
    let (code, doc) = r.run_json(&["history", "--range", &range, "--show-secrets"]);
    assert_eq!(code, 1, "{doc:#}");
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "the base's archive already had the old key: {doc:#}");
    assert_eq!((f[0]["path"].as_str(), f[0]["secret"].as_str()), (Some("app.zip!new.env"), Some(new_key.as_str())));
    assert_eq!(f[0]["commit"], head.to_string());
    assert_eq!(f[0]["in_head"], true);
    // The whole history has both, each at the commit that added it.
    let (_, doc) = r.run_json(&["history", "--show-secrets"]);
    assert_eq!(only_with(&doc, &old_key)["commit"], base.to_string());
    assert_eq!(only_with(&doc, &new_key)["commit"], head.to_string());
}

#[test]
fn staged_archives_report_what_they_add() {
    let mut r = Repo::new();
    let (old_text, old_key) = member_text("openai-legacy-key");
    r.write("app.zip", zip_of(&[("old.env", &old_text)]));
    r.commit("bundle");
    // The staged version keeps the old key and adds a new one.
    let (new_text, new_key) = member_text("openai-legacy-key");
    r.write("app.zip", zip_of(&[("old.env", &old_text), ("new.env", &new_text)]));
    let (code, doc) = r.run_json(&["staged", "--show-secrets"]);
    assert_eq!(code, 1, "{doc:#}");
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "only what the commit adds: {doc:#}");
    assert_eq!(f[0]["path"], "app.zip!new.env");
    assert_eq!(f[0]["secret"], new_key.as_str());
    assert_eq!(chain(&f[0]), ["app.zip"]);
    // A new archive: everything in it is new.
    r.write("logs.tgz", gzip(&tar_of(&[("l/app.log", &old_text)])));
    let (_, doc) = r.run_json(&["staged", "--show-secrets"]);
    let f = only_with(&doc, &old_key);
    assert_eq!(f["path"], "logs.tgz!l/app.log");
}

#[test]
fn a_staged_archive_holds_back_only_what_it_adds() {
    // Two passwords (medium) under a minimum of high: the one the archive
    // already had is not new, so only the added one is held back.
    let mut r = Repo::new();
    let (old, new) = (expand_fresh("{{a:18}}"), expand_fresh("{{a:18}}"));
    r.write("app.zip", zip_of(&[("old.env", format!("DB_PASSWORD={old}\n").as_bytes())]));
    r.commit("bundle");
    let both = [("old.env", format!("DB_PASSWORD={old}\n")), ("new.env", format!("DB_PASSWORD={new}\n"))];
    r.write("app.zip", zip_of(&both.iter().map(|(n, t)| (*n, t.as_bytes())).collect::<Vec<_>>()));
    let (code, doc) = r.run_json(&["staged", "--min-confidence", "high"]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["below_min_confidence"], 1, "{doc:#}");
    let (_, doc) = r.run_json(&["staged", "--min-confidence", "low", "--show-secrets"]);
    let f = findings(&doc);
    assert_eq!((f.len(), f[0]["secret"].as_str()), (1, Some(new.as_str())), "{doc:#}");
}

#[test]
fn staged_utf16_text_reports_the_lines_it_adds() {
    let mut r = Repo::new();
    let (old_text, _) = member_text("openai-legacy-key");
    let old_text = String::from_utf8(old_text).unwrap();
    r.write("setup.ps1", utf16le(&old_text, true));
    r.commit("script");
    let (new_text, new_key) = member_text("openai-legacy-key");
    let new_line = String::from_utf8(new_text).unwrap().lines().nth(2).unwrap().to_string();
    r.write("setup.ps1", utf16le(&format!("{old_text}# added\n{new_line}\n"), true));
    let (code, doc) = r.run_json(&["staged", "--show-secrets"]);
    assert_eq!(code, 1, "{doc:#}");
    let f = findings(&doc);
    assert_eq!(f.len(), 1, "the key already committed is not new: {doc:#}");
    assert_eq!(f[0]["secret"], new_key.as_str());
    assert_eq!((f[0]["path"].as_str(), f[0]["line"].as_u64()), (Some("setup.ps1"), Some(5)));
}

#[test]
fn ci_reports_archive_members_on_the_archive() {
    let mut r = Repo::new();
    r.write("README.md", "# demo\n");
    let base = r.commit("base");
    let (text, _) = member_text("openai-project-key");
    r.write("dist/app.jar", zip_of(&[("config/application.yml", &text)]));
    let head = r.commit("add a jar");
    let job =
        Job::new(r.path(), Some("pull_request"), Some(pull_request_event(7, &base.to_string(), &head.to_string())));
    let run = job.run(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let results = run.results();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "dist/app.jar");
    assert_eq!(results[0]["properties"]["memberPath"], "dist/app.jar!config/application.yml");
    let annotations = run.finding_annotations();
    assert_eq!(annotations.len(), 1);
    assert!(annotations[0].starts_with("::error file=dist/app.jar,title="), "{}", annotations[0]);
    assert!(!annotations[0].contains("line="), "the line is the member's: {}", annotations[0]);
    assert!(annotations[0].contains("in archive member dist/app.jar!config/application.yml (line 3, column 14)"));
}

/// Runs `keyhound scan FILE --format json` in `t`, under GNU time when the
/// machine has it: (JSON, seconds, peak RSS in KiB when measured).
fn timed_scan(t: &Tree, file: &str) -> (Value, Duration, Option<u64>) {
    let time = std::path::Path::new("/usr/bin/time");
    let started = Instant::now();
    let out = if time.exists() {
        let bin = assert_cmd::cargo::cargo_bin("keyhound");
        let mut cmd = std::process::Command::new(time);
        cmd.args(["-f", "%M", "-o", "rss.txt"]).arg(bin).args(["scan", file, "--format", "json", "--no-progress"]);
        cmd.current_dir(t.path()).env("NO_COLOR", "1");
        isolate_network(&mut cmd);
        cmd.output().unwrap()
    } else {
        t.run(&["scan", file, "--format", "json", "--no-progress"])
    };
    let elapsed = started.elapsed();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", stderr_of(&out));
    let rss = time.exists().then(|| t.read("rss.txt").trim().lines().last().unwrap().parse::<u64>().unwrap());
    eprintln!("{file}: {:.2}s, peak RSS {rss:?} KiB", elapsed.as_secs_f64());
    (parse_json(&out), elapsed, rss)
}

/// The warnings of a JSON report.
fn warnings(doc: &Value) -> Vec<String> {
    doc["summary"]["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_string()).collect()
}

/// Time and memory a hostile input may take (a debug build, on a busy
/// 2-core machine): well under what inflating it would take.
const QUICK: Duration = Duration::from_secs(60);
const BOUNDED_KIB: u64 = 400 * 1024;

fn assert_bounded(elapsed: Duration, rss: Option<u64>) {
    assert!(elapsed < QUICK, "took {elapsed:?}");
    if let Some(kib) = rss {
        assert!(kib < BOUNDED_KIB, "peak RSS {kib} KiB");
    }
}

#[test]
fn a_nested_zip_bomb_is_cut_short() {
    // 42.zip's shape: a zip of 16 zips of 16 zips of 16 members, each 1 MiB
    // of text that deflates 1000-fold (4 GiB in all), every level a few
    // dozen KiB (16 copies of one zip deflate to little more than one).
    let t = Tree::new();
    let text = vec![b'\n'; 1 << 20];
    let names: Vec<String> = (0..16).map(|i| format!("{i}.zip")).collect();
    let texts: Vec<String> = (0..16).map(|i| format!("{i}.txt")).collect();
    let leaf = zip_of(&texts.iter().map(|n| (n.as_str(), &text[..])).collect::<Vec<_>>());
    let level2 = zip_of(&names.iter().map(|n| (n.as_str(), &leaf[..])).collect::<Vec<_>>());
    let bomb = zip_of(&names.iter().map(|n| (n.as_str(), &level2[..])).collect::<Vec<_>>());
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    t.write("42.zip", &bomb);
    let (doc, elapsed, rss) = timed_scan(&t, "42.zip");
    assert_bounded(elapsed, rss);
    assert_eq!(
        warnings(&doc),
        ["42.zip: more than 64.0 MiB uncompressed (at most 250 times the file's size, and 1.0 GiB at most); the rest was not read"]
    );
    assert!(doc["summary"]["bytes"].as_u64().unwrap() <= 64 << 20);
}

#[test]
fn a_high_ratio_member_is_cut_at_the_ratio() {
    let t = Tree::new();
    let (text, key) = member_text("openai-legacy-key");
    // The key, then 64 MiB of newlines: deflate packs it ~1000-fold, so it
    // passes 250-fold (at ~16 MiB) before the member size limit (25 MiB).
    let mut big = text.clone();
    big.resize(64 << 20, b'\n');
    t.write("big.log.gz", gzip(&big));
    let (doc, elapsed, rss) = timed_scan(&t, "big.log.gz");
    assert_bounded(elapsed, rss);
    assert_eq!(
        warnings(&doc),
        ["big.log.gz!big.log: expands more than 250 times (a compression bomb?); read up to there, the rest was not"]
    );
    let _ = key;
    // What was read before the cut is scanned.
    assert_eq!(findings(&doc).len(), 1, "{doc:#}");
    assert_eq!(findings(&doc)[0]["path"], "big.log.gz!big.log");
}

#[test]
fn a_hundred_thousand_tiny_members_stop_at_the_member_cap() {
    let t = Tree::new();
    let names: Vec<String> = (0..100_000).map(|i| format!("d/{i}.txt")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x\n"[..])).collect();
    t.write("many.zip", stored_zip_of(&entries));
    let (doc, elapsed, rss) = timed_scan(&t, "many.zip");
    assert_bounded(elapsed, rss);
    assert_eq!(warnings(&doc), ["many.zip: more than 50000 members; the rest were not read"]);
    assert_eq!(doc["summary"]["members"], 50_000);
}

#[test]
fn a_truncated_zip_is_read_as_far_as_it_goes() {
    let t = Tree::new();
    let (text, key) = member_text("openai-legacy-key");
    let filler: Vec<u8> = (0..200_000u32).flat_map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes()).collect();
    let zip = zip_of(&[("first/.env", &text), ("second.bin", &filler)]);
    // Cut in the middle of the second member: no central directory.
    t.write("cut.zip", &zip[..zip.len() / 2]);
    let (doc, elapsed, rss) = timed_scan(&t, "cut.zip");
    assert_bounded(elapsed, rss);
    let w = warnings(&doc);
    assert!(w[0].starts_with("cut.zip: corrupt or truncated zip ("), "{w:#?}");
    assert!(w[0].ends_with("read from its local headers as far as they go"), "{w:#?}");
    let _ = key;
    assert_eq!(findings(&doc).len(), 1);
    assert_eq!(findings(&doc)[0]["path"], "cut.zip!first/.env");
}

#[test]
fn an_encrypted_zip_is_a_warning() {
    let t = Tree::new();
    let (text, _) = member_text("openai-legacy-key");
    t.write("locked.zip", mark_encrypted(zip_of(&[("secrets/.env", &text)])));
    let (doc, elapsed, rss) = timed_scan(&t, "locked.zip");
    assert_bounded(elapsed, rss);
    assert_eq!(warnings(&doc), ["locked.zip!secrets/.env: encrypted, not scanned"]);
    assert!(findings(&doc).is_empty());
    assert_eq!(doc["summary"]["complete"], true, "an archive problem does not make the run incomplete");
}

#[test]
fn tar_names_that_climb_out_are_shown_inside() {
    let t = Tree::new();
    let (text, key) = member_text("openai-legacy-key");
    t.write("evil.tar", tar_of(&[("../../etc/cron.d/job", &text), ("/abs/ok.txt", b"fine\n")]));
    let (doc, elapsed, rss) = timed_scan(&t, "evil.tar");
    assert_bounded(elapsed, rss);
    assert_eq!(
        warnings(&doc),
        [
            "evil.tar!etc/cron.d/job: member name \"../../etc/cron.d/job\" climbs out of the archive; shown without the climb",
            "evil.tar!abs/ok.txt: member name \"/abs/ok.txt\" climbs out of the archive; shown without the climb",
        ]
    );
    let _ = key;
    assert_eq!(findings(&doc)[0]["path"], "evil.tar!etc/cron.d/job");
}

//! The HTML audit report (`--format html`, `keyhound ci --html-file`,
//! `keyhound report FILE --format html`), loaded in headless Chromium: it
//! loads nothing and logs no error, its counts (by severity, confidence,
//! provider, …) and timeline marks match the JSON report of the same run,
//! its filters change the rows shown, it holds
//! no secret in clear unless `--show-secrets`, and its timeline is drawn as
//! the data says (counted from a screenshot's pixels).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use serde_json::{json, Value};

use crate::harness::*;

/// A repository whose history holds six keys of four providers and every
/// severity, added by three authors over six commits; one was removed
/// since (`config/.env`).
struct Audit {
    repo: Repo,
    /// Every key, in clear.
    keys: Vec<String>,
    /// The OpenAI key still in HEAD (the one the mock says is live).
    live_key: String,
}

fn audit_repo() -> Audit {
    let mut r = Repo::new();
    r.commit_readme();
    let removed = fake_key("openai-project-key");
    r.write("config/.env", format!("OPENAI_API_KEY={removed}\n"));
    r.commit_as("settings", "Alice Example", "alice@example.com");
    let bot = fake_key("slack-bot-token");
    r.write("app/settings.py", format!("SLACK_TOKEN = \"{bot}\"\n"));
    r.commit_as("slack", "Bob Builder", "bob@example.com");
    let hook = fake_key("slack-webhook-url");
    r.write("deploy/hooks.txt", format!("notify: {hook}\n"));
    r.commit_as("hooks", "Alice Example", "alice@example.com");
    let pypi = fake_key("testpypi-api-token");
    r.write("tools/pypi.cfg", format!("[testpypi]\npassword = {pypi}\n"));
    r.commit_as("publishing", "Carol Coder", "carol@example.com");
    r.remove("config/.env");
    r.commit("drop settings");
    let live = fake_key("openai-project-key");
    let sentry = fake_key("sentry-org-auth-token");
    r.write("app/keys.py", format!("OPENAI = \"{live}\"\nSENTRY = \"{sentry}\"\n"));
    r.commit_as("keys", "Bob Builder", "bob@example.com");
    Audit { repo: r, keys: vec![removed, bot, hook, pypi, live.clone(), sentry], live_key: live }
}

/// The provider of each rule, from the shipped rules.
fn providers() -> BTreeMap<String, String> {
    let set = keyhound::rules::RuleSet::embedded().unwrap();
    set.rules().iter().map(|r| (r.id.clone(), r.provider.clone().unwrap_or_default())).collect()
}

/// How many findings of a JSON report have each value of `key(finding)`.
fn count_by(doc: &Value, key: impl Fn(&Value) -> String) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for f in findings(doc) {
        *m.entry(key(f)).or_insert(0) += 1;
    }
    m
}

fn fingerprints(doc: &Value) -> BTreeSet<String> {
    fingerprints_where(doc, |_| true)
}

/// The fingerprints of the findings of a JSON report that `keep` keeps.
fn fingerprints_where(doc: &Value, keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    findings(doc).iter().filter(|f| keep(f)).map(|f| f["fingerprint"].as_str().unwrap().to_string()).collect()
}

/// The fingerprints of the table rows the page shows.
fn visible_rows(b: &mut Browser) -> BTreeSet<String> {
    let v = b.eval("[...document.querySelectorAll('tr.row[data-finding]')].filter(r => !r.hidden && r.offsetParent !== null).map(r => r.dataset.finding)");
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// Sets a filter control and fires the event the page listens to.
fn set_filter(b: &mut Browser, id: &str, value: &str) {
    let event = if id == "filter-path" { "input" } else { "change" };
    b.eval(&format!(
        "(() => {{ const c = document.getElementById({id}); c.value = {value}; c.dispatchEvent(new Event({event})); }})()",
        id = json!(id),
        value = json!(value),
        event = json!(event)
    ));
}

/// The `data-count` of each card in the group `id`, by its `data-key`.
fn cards(b: &mut Browser, id: &str) -> BTreeMap<String, u64> {
    let v = b.eval(&format!(
        "Object.fromEntries([...document.querySelectorAll('#{id} [data-key]')].map(c => [c.dataset.key, Number(c.dataset.count)]))"
    ));
    serde_json::from_value(v).unwrap()
}

/// The JSON data block of a report page.
fn page_data(html: &str) -> Value {
    let start = html.find("id=\"keyhound-data\">").expect("data block") + "id=\"keyhound-data\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("the data block is JSON")
}

/// Loads `file` in a fresh browser (the caller checks `chromium()` first).
fn load(chromium: &Path, file: &Path) -> Browser {
    let mut b = Browser::start(chromium, 1280, 1000);
    b.open(file);
    b
}

/// The page loaded nothing but itself and said nothing wrong.
fn assert_clean_load(b: &mut Browser, file: &Path) {
    b.settle();
    let own = format!("file://{}", file.canonicalize().unwrap().display());
    let others: Vec<&String> = b.log.requests.iter().filter(|u| **u != own).collect();
    assert!(others.is_empty(), "the report made requests: {others:?}");
    assert!(b.log.problems.is_empty(), "console errors or warnings: {:#?}", b.log.problems);
}

#[test]
fn history_report_loads_offline_and_matches_the_json_report() {
    let Some(chromium) = chromium() else { return };
    let a = audit_repo();
    let (code, doc) = a.repo.run_json(&["history"]);
    assert_eq!(code, 1, "{doc}");
    assert_eq!(findings(&doc).len(), 6, "{doc:#}");
    let out = a.repo.run(&["history", "--format", "html", "--output", "report.html"]);
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    let file = a.repo.path().join("report.html");
    let html = std::fs::read_to_string(&file).unwrap();
    for key in &a.keys {
        assert!(!html.contains(key.as_str()), "a secret in clear in the file");
    }

    let mut b = load(&chromium, &file);
    assert_clean_load(&mut b, &file);

    // One row and one timeline mark per finding, by fingerprint.
    let want = fingerprints(&doc);
    assert_eq!(visible_rows(&mut b), want);
    let marks =
        b.eval("[...document.querySelectorAll('#timeline rect.mark[data-finding]')].map(m => m.dataset.finding)");
    let marks: Vec<String> = serde_json::from_value(marks).unwrap();
    assert_eq!(marks.len(), 6);
    assert_eq!(marks.into_iter().collect::<BTreeSet<_>>(), want);

    // The headline counts are the JSON's.
    let mut by_severity = count_by(&doc, |f| f["severity"].as_str().unwrap().to_string());
    by_severity.insert("total".into(), 6);
    let shown = cards(&mut b, "count-severity");
    for (k, n) in &shown {
        assert_eq!(by_severity.get(k).copied().unwrap_or(0), *n, "severity {k}: {shown:?} vs {by_severity:?}");
    }
    assert_eq!(shown.len(), 5, "total and the four severities: {shown:?}");
    let providers = providers();
    let by_provider = count_by(&doc, |f| providers[f["rule_id"].as_str().unwrap()].clone());
    assert_eq!(cards(&mut b, "count-provider"), by_provider);
    assert_eq!(by_provider.len(), 4, "{by_provider:?}");
    let in_head = fingerprints_where(&doc, |f| f["in_head"] == true).len() as u64;
    assert_eq!(
        cards(&mut b, "count-head"),
        BTreeMap::from([("in-head".into(), in_head), ("history-only".into(), 6 - in_head)])
    );
    assert_eq!(in_head, 5);
    let authors = b.eval("Object.fromEntries([...document.querySelectorAll('#by-author [data-key]')].map(c => [c.dataset.key, Number(c.dataset.count)]))");
    let by_author = count_by(&doc, |f| format!("{} <{}>", f["author"].as_str().unwrap(), f["email"].as_str().unwrap()));
    assert_eq!(serde_json::from_value::<BTreeMap<String, u64>>(authors).unwrap(), by_author);
    let scanned = b.eval("document.getElementById('scanned').textContent");
    let commit = a.repo.repo.head().unwrap().peel_to_commit().unwrap().id().to_string();
    for fact in ["keyhound history", "all refs", commit.as_str(), "complete"] {
        assert!(scanned.as_str().unwrap().contains(fact), "{fact} is not in {scanned}");
    }

    // Filters: by provider, by path text, by HEAD; all together back to all.
    let openai = fingerprints_where(&doc, |f| providers[f["rule_id"].as_str().unwrap()] == "OpenAI");
    set_filter(&mut b, "filter-provider", "OpenAI");
    assert_eq!(visible_rows(&mut b), openai);
    assert_eq!(openai.len(), 2);
    set_filter(&mut b, "filter-head", "no");
    let gone: BTreeSet<String> = fingerprints_where(&doc, |f| f["in_head"] == false);
    assert_eq!(visible_rows(&mut b), gone);
    set_filter(&mut b, "filter-head", "");
    set_filter(&mut b, "filter-provider", "");
    set_filter(&mut b, "filter-path", "app/");
    let in_app: BTreeSet<String> = fingerprints_where(&doc, |f| f["path"].as_str().unwrap().starts_with("app/"));
    assert_eq!(visible_rows(&mut b), in_app);
    assert_eq!(in_app.len(), 3);
    set_filter(&mut b, "filter-path", "");
    set_filter(&mut b, "filter-severity", "medium");
    assert_eq!(visible_rows(&mut b).len() as u64, by_severity["medium"]);
    set_filter(&mut b, "filter-severity", "");
    assert_eq!(visible_rows(&mut b), want);

    // Sorting by location orders the rows by path.
    b.eval("document.querySelector('th[data-sort=path]').click()");
    let paths = b.eval("[...document.querySelectorAll('tr.row td.path')].map(td => td.textContent)");
    let paths: Vec<String> = serde_json::from_value(paths).unwrap();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);

    // Every row expands to its details; still no secret in clear anywhere.
    b.eval("document.querySelectorAll('tr.row').forEach(r => r.click())");
    let details = b.eval("document.querySelectorAll('tr.detail').length");
    assert_eq!(details, json!(6));
    let removed_fp = findings(&doc).iter().find(|f| f["in_head"] == false).unwrap()["fingerprint"].clone();
    let detail = b.eval(&format!("document.querySelector('tr.detail[data-detail-of={removed_fp}]').textContent"));
    let detail = detail.as_str().unwrap();
    for fact in [
        "Alice Example <alice@example.com>",
        "OPENAI_API_KEY=sk-proj-",
        "Revoke",
        "https://platform.openai.com/api-keys",
        "removed from this path",
    ] {
        assert!(detail.contains(fact), "{fact:?} is not in the details: {detail}");
    }
    let dom = b.eval("document.documentElement.outerHTML");
    for key in &a.keys {
        assert!(!dom.as_str().unwrap().contains(key.as_str()), "a secret in clear in the DOM");
    }
    assert_eq!(b.eval("document.getElementById('secrets-shown')"), Value::Null);
    assert_clean_load(&mut b, &file);
}

#[test]
fn the_timeline_draws_one_mark_per_finding_in_its_severity_color() {
    let Some(chromium) = chromium() else { return };
    let a = audit_repo();
    let (_, doc) = a.repo.run_json(&["history"]);
    let out = a.repo.run(&["history", "--format", "html", "-o", "report.html"]);
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    let file = a.repo.path().join("report.html");
    let mut b = load(&chromium, &file);
    let rect = b.eval(
        "(() => { const r = document.getElementById('timeline').getBoundingClientRect(); \
         return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height }; })()",
    );
    let png = b.screenshot(rect);
    let by_severity = count_by(&doc, |f| f["severity"].as_str().unwrap().to_string());
    let in_head =
        |sev: &str, yes: bool| fingerprints_where(&doc, |f| f["severity"] == sev && f["in_head"] == yes).len();
    // The severity colours of report.css; a mark still in HEAD is a filled
    // square, one only in history a ring around a white hole.
    for (sev, rgb) in [
        ("critical", [0xb3, 0x00, 0x1b]),
        ("high", [0xe0, 0x56, 0x0b]),
        ("medium", [0xc9, 0x94, 0x00]),
        ("low", [0x2f, 0x6f, 0xb3]),
    ] {
        let blobs = color_blobs(&png, rgb);
        assert_eq!(blobs.len() as u64, by_severity.get(sev).copied().unwrap_or(0), "{sev} marks: {blobs:?}");
        let filled = blobs.iter().filter(|b| b.is_solid()).count();
        assert_eq!(filled, in_head(sev, true), "{sev}: filled marks {blobs:?}");
        assert_eq!(blobs.len() - filled, in_head(sev, false), "{sev}: outlined marks {blobs:?}");
    }
    assert_eq!(by_severity.values().sum::<u64>(), 6);
}

#[test]
fn filtering_by_live_shows_the_live_keys() {
    let Some(chromium) = chromium() else { return };
    let a = audit_repo();
    let live = a.live_key.clone();
    let server = MockServer::start(move |req, _| {
        if req.credential() == Some(live.as_str()) {
            MockResponse::json(200, json!({ "data": [] }))
        } else {
            MockResponse::status(401)
        }
    });
    let (code, doc, stderr) = a.repo.run_verify(&server, &["history", "--verify"]);
    assert_eq!(code, 1, "{stderr}");
    let live_fps = fingerprints_where(&doc, |f| f["verification"]["status"] == "live");
    assert_eq!(live_fps.len(), 1, "{doc:#}");
    let out = a.repo.run_env(&["history", "--verify", "--format", "html", "-o", "report.html"], &verify_env(&server));
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    let file = a.repo.path().join("report.html");
    let mut b = load(&chromium, &file);
    assert_clean_load(&mut b, &file);
    let statuses = count_by(&doc, |f| f["verification"]["status"].as_str().unwrap_or("unchecked").to_string());
    let shown = cards(&mut b, "count-status");
    for (k, n) in &shown {
        assert_eq!(statuses.get(k).copied().unwrap_or(0), *n, "{k}: {shown:?} vs {statuses:?}");
    }
    // Live keys come first.
    let first = b.eval("document.querySelector('tr.row').dataset.finding");
    assert_eq!(first.as_str().unwrap(), live_fps.iter().next().unwrap());
    set_filter(&mut b, "filter-status", "live");
    assert_eq!(visible_rows(&mut b), live_fps);
    set_filter(&mut b, "filter-status", "not-live");
    let rest = visible_rows(&mut b);
    assert_eq!(rest.len(), 5);
    assert!(rest.is_disjoint(&live_fps));
    assert_eq!(b.eval("document.getElementById('shown').dataset.shown"), json!("5"));
    // Filtering fades the other timeline marks.
    let faded = b.eval("document.querySelectorAll('#timeline rect.mark.hidden-by-filter').length");
    assert_eq!(faded, json!(1));
}

#[test]
fn show_secrets_puts_them_in_the_page_under_a_red_banner() {
    let Some(chromium) = chromium() else { return };
    let a = audit_repo();
    let out = a.repo.run(&["history", "--show-secrets", "--format", "html", "-o", "report.html"]);
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    let file = a.repo.path().join("report.html");
    let mut b = load(&chromium, &file);
    assert_clean_load(&mut b, &file);
    let dom = b.eval("document.documentElement.outerHTML");
    for key in &a.keys {
        assert!(dom.as_str().unwrap().contains(key.as_str()), "--show-secrets shows every secret");
    }
    let banner = b.eval(
        "(() => { const e = document.getElementById('secrets-shown'); const r = e.getBoundingClientRect(); \
         return { text: e.textContent, color: getComputedStyle(e).backgroundColor, top: r.top, height: r.height }; })()",
    );
    assert!(banner["text"].as_str().unwrap().contains("IN FULL"), "{banner}");
    assert_eq!(banner["color"], "rgb(179, 0, 27)");
    assert!(banner["height"].as_f64().unwrap() > 10.0 && banner["top"] == json!(0), "{banner}");
    // It stays on screen while the page scrolls.
    b.eval("window.scrollTo(0, document.body.scrollHeight)");
    let top = b.eval("document.getElementById('secrets-shown').getBoundingClientRect().top");
    assert_eq!(top, json!(0));
}

#[test]
fn a_saved_json_report_is_written_again_without_scanning() {
    let a = audit_repo();
    let (_, doc) = a.repo.run_json(&["history"]);
    let out = a.repo.run(&["history", "--format", "json", "-o", "saved.json"]);
    assert_eq!(exit_code(&out), 1);
    let out = a.repo.run(&["history", "--format", "jsonl", "-o", "saved.jsonl"]);
    assert_eq!(exit_code(&out), 1);
    // The saved report is read back, not the repository: remove it.
    std::fs::remove_dir_all(a.repo.path().join(".git")).unwrap();

    let out = a.repo.run(&["report", "saved.json", "--format", "json"]);
    assert_eq!(exit_code(&out), 0, "{}", stderr_of(&out));
    let again = parse_json(&out);
    assert_eq!(again["findings"], doc["findings"], "the findings survive the round trip");
    assert_eq!(again["summary"]["complete"], true);
    assert_eq!(again["run"]["command"], "history");
    assert_eq!(again["summary"]["scanned"], doc["summary"]["scanned"]);

    let out = a.repo.run(&["report", "saved.json", "--format", "html", "-o", "again.html"]);
    assert_eq!(exit_code(&out), 0, "{}", stderr_of(&out));
    let data = page_data(&std::fs::read_to_string(a.repo.path().join("again.html")).unwrap());
    let fps: BTreeSet<String> =
        data["findings"].as_array().unwrap().iter().map(|f| f["fingerprint"].as_str().unwrap().to_string()).collect();
    assert_eq!(fps, fingerprints(&doc));
    assert_eq!(data["meta"]["saved_from"], "saved.json");
    assert_eq!(data["meta"]["command"], "history");
    let remediation = data["rules"].as_array().unwrap().iter().filter(|r| r["remediation"].is_string()).count();
    assert_eq!(remediation, data["rules"].as_array().unwrap().len(), "rule facts come from the rule set");

    let sarif = a.repo.run(&["report", "saved.jsonl", "--format", "sarif"]);
    assert_eq!(exit_code(&sarif), 0, "{}", stderr_of(&sarif));
    let run = SarifRun::from_output(&sarif);
    assert_eq!(run.results().len(), 6);

    let text = a.repo.run(&["report", "saved.jsonl"]);
    assert_eq!(exit_code(&text), 0);
    assert!(stdout_of(&text).contains("config/.env:1:16"), "{}", stdout_of(&text));
    for key in &a.keys {
        assert!(!stdout_of(&text).contains(key.as_str()));
    }
    // JSON Lines carry no summary: the report does not claim the run was complete.
    let out = a.repo.run(&["report", "saved.jsonl", "--format", "json"]);
    assert_eq!(parse_json(&out)["summary"]["complete"], false);
}

#[test]
fn a_report_saved_with_secrets_shown_is_redacted_unless_asked_again() {
    let a = audit_repo();
    let out = a.repo.run(&["history", "--show-secrets", "--format", "json", "-o", "saved.json"]);
    assert_eq!(exit_code(&out), 1);
    let out = a.repo.run(&["report", "saved.json", "--format", "html"]);
    let page = stdout_of(&out);
    for key in &a.keys {
        assert!(!page.contains(key.as_str()), "redacted by default");
    }
    assert!(!page.contains("secrets-shown"));
    let out = a.repo.run(&["report", "saved.json", "--format", "html", "--show-secrets"]);
    let page = stdout_of(&out);
    assert!(a.keys.iter().all(|k| page.contains(k.as_str())) && page.contains("id=\"secrets-shown\""));

    // A redacted report cannot show them: it says so, and no banner lies.
    let out = a.repo.run(&["history", "--format", "json", "-o", "redacted.json"]);
    assert_eq!(exit_code(&out), 1);
    let out = a.repo.run(&["report", "redacted.json", "--format", "html", "--show-secrets"]);
    assert_eq!(exit_code(&out), 0);
    assert!(stderr_of(&out).contains("holds redacted secrets"), "{}", stderr_of(&out));
    assert!(!stdout_of(&out).contains("secrets-shown"));
    let data = page_data(&stdout_of(&out));
    let secret = data["findings"][0]["secret"].as_str().unwrap();
    assert!(secret.ends_with(" chars)") && secret.contains('…'), "redacted once, not twice: {secret}");
}

#[test]
fn bad_saved_reports_are_errors_and_bad_lines_warnings() {
    let t = Tree::new();
    t.write("empty.json", "");
    t.write("other.json", "{\"version\": 1, \"tool\": {\"name\": \"gitleaks\", \"version\": \"8\"}, \"findings\": []}");
    t.write("future.json", "{\"version\": 2, \"findings\": []}");
    t.write("notes.txt", "hello\n");
    for (file, says) in [
        ("empty.json", "is empty"),
        ("other.json", "written by gitleaks"),
        ("future.json", "version 2"),
        ("notes.txt", "not a keyhound JSON or JSON Lines report"),
        ("missing.json", "no such file"),
    ] {
        let out = t.run(&["report", file]);
        assert_eq!(exit_code(&out), 2, "{file}");
        assert!(stderr_of(&out).contains(says), "{file}: {}", stderr_of(&out));
    }
    // One bad line of JSON Lines is a warning; the rest is written.
    let a = audit_repo();
    let out = a.repo.run(&["history", "--format", "jsonl"]);
    let mut lines = stdout_of(&out);
    lines.push_str("{\"rule_id\": \"truncated\n");
    a.repo.write("saved.jsonl", lines);
    let out = a.repo.run(&["report", "saved.jsonl", "--format", "json"]);
    assert_eq!(exit_code(&out), 0);
    assert!(stderr_of(&out).contains("saved.jsonl:7: not a keyhound finding"), "{}", stderr_of(&out));
    let doc = parse_json(&out);
    assert_eq!(findings(&doc).len(), 6);
    assert_eq!(doc["summary"]["unread"]["unreadable"], 1);
}

#[test]
fn ci_writes_the_html_report_beside_the_sarif_and_names_it_in_its_outputs() {
    let a = audit_repo();
    let job = Job::new(a.repo.path(), Some("workflow_dispatch"), None)
        .var("GITHUB_SERVER_URL", "https://github.com")
        .var("GITHUB_REPOSITORY", "acme/app");
    let html = job.scratch.path().join("reports/keyhound.html");
    let run = job.run(&["--html-file", html.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.outputs.contains(&format!("html-file={}\n", html.display())), "{}", run.outputs);
    let data = page_data(&std::fs::read_to_string(&html).unwrap());
    assert_eq!(data["findings"].as_array().unwrap().len(), 6);
    assert_eq!(data["meta"]["command"], "ci");
    assert_eq!(data["meta"]["forge"]["web"], "https://github.com/acme/app");
    let Some(chromium) = chromium() else { return };
    let mut b = load(&chromium, &html);
    assert_clean_load(&mut b, &html);
    b.eval("document.querySelector('tr.row').click()");
    let link = b.eval("document.querySelector('tr.detail a[href^=\"https://github.com/acme/app/blob/\"]').href");
    let link = link.as_str().unwrap();
    assert!(link.contains("#L"), "{link}");
}

/// A repository whose history holds `n` findings: 100 commits, each adding
/// files of 10 keys of several providers.
fn big_repo(n: usize) -> Repo {
    let mut r = Repo::new();
    let kinds = [
        "openai-project-key",
        "slack-webhook-url",
        "testpypi-api-token",
        "sentry-org-auth-token",
        "github-personal-access-token",
    ];
    let per_commit = n / 100;
    for c in 0..100 {
        for f in 0..per_commit / 10 {
            let mut text = String::new();
            for k in 0..10 {
                text.push_str(&format!("KEY_{k} = \"{}\"\n", fake_key(kinds[(c + f + k) % kinds.len()])));
            }
            r.write(&format!("service-{}/config/keys-{c}-{f}.env", c % 7), text);
        }
        r.commit_as(&format!("commit {c}"), &format!("Author {}", c % 13), &format!("a{}@example.com", c % 13));
    }
    r
}

/// 10,000 findings: the page stays under 5 MB, and every row and
/// timeline mark is there in Chromium. Prints the time to interactive (the
/// script's `keyhound-interactive` mark) and a filter's time for the
/// record: timings are measured, not asserted (a busy machine is not a
/// failure); `cargo test --release --test it html::ten_thousand --
/// --nocapture` shows them.
#[test]
fn ten_thousand_findings_stay_small_and_fast() {
    let r = big_repo(10_000);
    let started = Instant::now();
    let out = r.run(&["history", "--format", "html", "-o", "big.html"]);
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    let rendered = started.elapsed();
    let file = r.path().join("big.html");
    let size = std::fs::metadata(&file).unwrap().len();
    let data = page_data(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(data["findings"].as_array().unwrap().len(), 10_000);
    assert!(size < 5 << 20, "the 10,000-finding report is {size} bytes");
    eprintln!("10,000 findings: {size} bytes; keyhound history --format html took {rendered:.2?}");
    let Some(chromium) = chromium() else { return };
    let mut b = load(&chromium, &file);
    let interactive = b.eval("performance.getEntriesByName('keyhound-interactive')[0].startTime").as_f64().unwrap();
    let rows = b.eval("document.querySelectorAll('tr.row').length");
    assert_eq!(rows, json!(10_000));
    let marks = b.eval("document.querySelectorAll('#timeline rect.mark').length");
    assert_eq!(marks, json!(10_000));
    // A filter over all rows, timed in the page.
    let filter_ms = b.eval(
        "(() => { const t = performance.now(); const c = document.getElementById('filter-provider'); \
         c.value = 'OpenAI'; c.dispatchEvent(new Event('change')); return performance.now() - t; })()",
    );
    eprintln!(
        "10,000 findings: interactive {interactive:.0} ms after navigation; a provider filter took {filter_ms} ms"
    );
    assert_clean_load(&mut b, &file);
}

/// Writes `docs/report.png`, the README's picture of the report: the audit
/// repository's history, verified against a mock (one key live), with the
/// live key's row open. Run on purpose:
/// `cargo test --test it html::docs_screenshot -- --ignored`.
#[test]
#[ignore = "writes docs/report.png; run on purpose"]
fn docs_screenshot() {
    let chromium = chromium().expect("the screenshot needs Chromium");
    let a = audit_repo();
    git_ok(a.repo.path(), &["remote", "add", "origin", "git@github.com:acme/payments.git"]);
    let live = a.live_key.clone();
    let server = MockServer::start(move |req, _| {
        if req.credential() == Some(live.as_str()) {
            MockResponse::json(200, json!({ "data": [] }))
        } else {
            MockResponse::status(401)
        }
    });
    let out = a.repo.run_env(&["history", "--verify", "--format", "html", "-o", "report.html"], &verify_env(&server));
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    let file = a.repo.path().join("report.html");
    let mut b = load(&chromium, &file);
    assert_clean_load(&mut b, &file);
    b.eval("document.querySelector('tr.row').click()");
    let height = b.eval("document.documentElement.scrollHeight").as_f64().unwrap();
    let png = b.screenshot(json!({ "x": 0, "y": 0, "width": 1280, "height": height }));
    std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.png"), png).unwrap();
}

/// A report merged from many repositories: each row names its repository,
/// and a finding's details name its incident (the secret found in three
/// repositories).
#[test]
fn a_merged_report_names_repositories_and_incidents() {
    let shared = fake_key("openai-project-key");
    let repos: Vec<Repo> = (0..3)
        .map(|i| {
            let mut r = Repo::new();
            r.write(&format!("svc{i}/.env"), format!("OPENAI_API_KEY={shared}\n"));
            r.commit("settings");
            r
        })
        .collect();
    let work = Tree::new();
    work.write("repos.txt", repos.iter().map(|r| r.path().display().to_string()).collect::<Vec<_>>().join("\n"));
    let out = work.run(&["history", "--repos", "repos.txt", "--format", "jsonl", "--output", "all.jsonl"]);
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    let out = work.run(&["report", "all.jsonl", "all.jsonl", "--format", "html", "--output", "org.html"]);
    assert_eq!(exit_code(&out), 0, "{}", stderr_of(&out));
    let file = work.path().join("org.html");
    let data = page_data(&std::fs::read_to_string(&file).unwrap());
    let rows = data["findings"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "the same file twice adds nothing");
    assert!(rows.iter().all(|f| f["incident"]["places"] == 3 && f["incident"]["repositories"] == 3), "{rows:?}");
    let Some(chromium) = chromium() else { return };
    let mut b = load(&chromium, &file);
    assert_clean_load(&mut b, &file);
    let cells = b.eval("[...document.querySelectorAll('tr.row td.path')].map(td => td.textContent)");
    let cells: Vec<&str> = cells.as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    for (i, r) in repos.iter().enumerate() {
        let want = format!("{}: svc{i}/.env:1", r.path().display());
        assert!(cells.contains(&want.as_str()), "{want} in {cells:?}");
    }
    b.eval("document.querySelector('tr.row').click()");
    let detail = b.eval("document.querySelector('tr.detail').textContent");
    let detail = detail.as_str().unwrap();
    assert!(detail.contains("this secret is in 3 places in 3 repositories"), "{detail}");
    assert!(!detail.contains(&shared));
}

#[test]
fn findings_are_counted_and_filtered_by_confidence() {
    let Some(chromium) = chromium() else { return };
    let t = Tree::new();
    Graded::new().plant("", |path, text| t.write(path, text));
    t.write("more.env", format!("OPENAI_KEY_2={}\n", fake_key("openai-project-key")));
    let (_, doc) = t.run_json(&["scan", ".", "--min-confidence", "low"]);
    let out = t.run(&["scan", ".", "--min-confidence", "low", "--format", "html", "-o", "report.html"]);
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    let file = t.path().join("report.html");
    let mut b = load(&chromium, &file);
    assert_clean_load(&mut b, &file);

    // The headline counts are the JSON's.
    let by_confidence = count_by(&doc, |f| f["confidence"].as_str().unwrap().to_string());
    assert_eq!(by_confidence, BTreeMap::from([("high".into(), 2), ("medium".into(), 1), ("low".into(), 1)]));
    assert_eq!(cards(&mut b, "count-confidence"), by_confidence);
    // A column, and a filter that keeps each level's rows.
    let header = b.eval("[...document.querySelectorAll('th[data-sort]')].map(th => th.dataset.sort)");
    assert!(header.as_array().unwrap().contains(&json!("confidence")), "{header}");
    for level in ["high", "medium", "low"] {
        set_filter(&mut b, "filter-confidence", level);
        assert_eq!(visible_rows(&mut b), fingerprints_where(&doc, |f| f["confidence"] == level), "{level}");
    }
    set_filter(&mut b, "filter-confidence", "");
    assert_eq!(visible_rows(&mut b), fingerprints(&doc));
    // Sorting by confidence puts high first.
    b.eval("document.querySelector('th[data-sort=confidence]').click()");
    let order = b.eval("[...document.querySelectorAll('tr.row')].map(r => r.dataset.confidence)");
    assert_eq!(order, json!(["high", "high", "medium", "low"]));

    // At the default level the page says what it held back.
    let out = t.run(&["scan", ".", "--format", "html", "-o", "default.html"]);
    assert_eq!(exit_code(&out), 1, "{}", stderr_of(&out));
    let file = t.path().join("default.html");
    let mut b = load(&chromium, &file);
    assert_clean_load(&mut b, &file);
    assert_eq!(
        cards(&mut b, "count-confidence"),
        BTreeMap::from([("high".into(), 2), ("medium".into(), 1), ("low".into(), 0)])
    );
    let scanned = b.eval("document.getElementById('scanned').textContent");
    let scanned = scanned.as_str().unwrap();
    assert!(scanned.contains("Minimum confidencemedium: 1 finding below it suppressed"), "{scanned}");
}

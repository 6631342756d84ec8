//! `--verify`: live checks against a mock provider API on 127.0.0.1. Every
//! run points every provider at the mock (`KEYHOUND_VERIFY_BASE_URL_*`), so
//! nothing leaves the machine.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::*;

/// A mock whose answer depends only on the credential sent (and the
/// attempt number); unknown credentials get 401.
fn mock_by_key(answers: HashMap<String, Box<dyn Fn(usize) -> MockResponse + Send + Sync>>) -> MockServer {
    MockServer::start(move |req, attempt| match req.credential().and_then(|k| answers.get(k)) {
        Some(answer) => answer(attempt),
        None => MockResponse::status(401),
    })
}

fn by_secret<'a>(doc: &'a Value, secret_prefix: &str) -> Vec<&'a Value> {
    findings(doc).iter().filter(|f| f["secret"].as_str().unwrap().starts_with(secret_prefix)).collect()
}

/// The verification of the one finding whose (full) secret is `key`.
fn verification<'a>(doc: &'a Value, key: &str) -> &'a Value {
    let f =
        findings(doc).iter().find(|f| f["secret"] == key).unwrap_or_else(|| panic!("no finding for {key}: {doc:#}"));
    &f["verification"]
}

type Answers = HashMap<String, Box<dyn Fn(usize) -> MockResponse + Send + Sync>>;

fn answer(
    f: impl Fn(usize) -> MockResponse + Send + Sync + 'static,
) -> Box<dyn Fn(usize) -> MockResponse + Send + Sync> {
    Box::new(f)
}

#[test]
fn openai_statuses_are_read_as_documented() {
    let keys: Vec<String> = (0..7).map(|_| fake_key("openai-project-key")).collect();
    let mut answers: Answers = HashMap::new();
    answers.insert(keys[0].clone(), answer(|_| MockResponse::json(200, json!({"object": "list", "data": []}))));
    answers.insert(
        keys[1].clone(),
        answer(|_| {
            MockResponse::json(401, json!({"error": {"code": "invalid_api_key", "message": "Incorrect API key"}}))
        }),
    );
    answers.insert(keys[2].clone(), answer(|_| MockResponse::status(403)));
    answers.insert(
        keys[3].clone(),
        answer(|_| {
            MockResponse::json(429, json!({"error": {"code": "insufficient_quota", "type": "insufficient_quota"}}))
                .header("Retry-After", "0")
        }),
    );
    answers.insert(keys[4].clone(), answer(|_| MockResponse::status(500).header("Retry-After", "0")));
    answers.insert(keys[5].clone(), answer(|_| MockResponse::status(418)));
    answers.insert(
        keys[6].clone(),
        answer(|_| MockResponse::status(302).header("Location", "https://elsewhere.example/v1/models")),
    );
    let server = mock_by_key(answers);
    let t = Tree::new();
    let text: String = keys.iter().enumerate().map(|(i, k)| format!("KEY_{i}={k}\n")).collect();
    t.write("keys.env", text);
    let (code, doc, stderr) = t.run_verify(&server, &["scan", ".", "--verify", "--show-secrets"]);
    assert_eq!(code, 1, "{stderr}");
    let expect = [
        ("live", "HTTP 200"),
        ("invalid", "HTTP 401"),
        ("live", "restricted key"),
        ("live", "rate-limited or out of quota (insufficient_quota)"),
        ("unknown", "unexpected HTTP 500"),
        ("unknown", "unexpected HTTP 418"),
        ("unknown", "unexpected HTTP 302 redirect to https://elsewhere.example/v1/models (redirects are not followed)"),
    ];
    for (key, (status, detail)) in keys.iter().zip(expect) {
        let v = verification(&doc, key);
        assert_eq!(v["status"], status, "{v}");
        assert_eq!(v["detail"], detail, "{v}");
        let at = v["checked_at"].as_str().unwrap();
        assert!(at.len() == 20 && at.ends_with('Z') && at.as_bytes()[10] == b'T', "RFC 3339 UTC: {at}");
    }
    assert_eq!(doc["summary"]["verified"], json!({"live": 3, "invalid": 1, "unknown": 3, "unchecked": 0}));
    // What was sent: GET /v1/models with the key as a bearer token.
    let reqs = server.requests();
    for r in &reqs {
        assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/v1/models"));
        assert!(keys.iter().any(|k| r.header("authorization") == Some(&format!("Bearer {k}"))), "{r:?}");
        assert!(r.header("user-agent").unwrap().starts_with("keyhound/"));
    }
    // One request each, plus one retry for the 500; not for the 429, which
    // says the account is out of quota (asking again cannot change that);
    // the redirect was not followed.
    assert_eq!(reqs.len(), 8, "{reqs:#?}");
    assert!(stderr.contains("verified: 3 live, 1 invalid, 3 unknown"), "{stderr}");
}

#[test]
fn each_distinct_secret_is_checked_once() {
    let a = fake_key("openai-project-key");
    let b = fake_key("openai-legacy-key");
    let server = MockServer::start(|_, _| MockResponse::status(200));
    let t = Tree::new();
    for dir in ["x", "y", "z"] {
        t.write(&format!("{dir}/.env"), format!("A={a}\nB={b}\n"));
    }
    t.write("again.txt", format!("same key again: {a}\n"));
    let (code, doc, _) = t.run_verify(&server, &["scan", ".", "--verify"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc).len(), 7);
    assert!(findings(&doc).iter().all(|f| f["verification"]["status"] == "live"), "{doc:#}");
    let mut sent: Vec<String> = server.requests().iter().map(|r| r.credential().unwrap().to_string()).collect();
    sent.sort();
    let mut want = vec![a, b];
    want.sort();
    assert_eq!(sent, want, "one request per distinct secret");
}

#[test]
fn at_most_one_retry_after_a_backoff_on_429_and_5xx() {
    let flaky = fake_key("openai-project-key");
    let limited = fake_key("openai-project-key");
    let bad = fake_key("openai-project-key");
    let mut answers: Answers = HashMap::new();
    // 503 (asking to wait 1 s), then 200.
    answers.insert(
        flaky.clone(),
        answer(
            |n| if n == 0 { MockResponse::status(503).header("Retry-After", "1") } else { MockResponse::status(200) },
        ),
    );
    // 429 every time: retried once, then read as the answer.
    answers.insert(
        limited.clone(),
        answer(|_| {
            MockResponse::json(429, json!({"error": {"code": "rate_limit_exceeded"}})).header("Retry-After", "0")
        }),
    );
    // 401 is an answer: never retried.
    answers.insert(bad.clone(), answer(|_| MockResponse::status(401)));
    let server = mock_by_key(answers);
    let t = Tree::new();
    t.write("k.env", format!("A={flaky}\nB={limited}\nC={bad}\n"));
    let (_, doc, _) = t.run_verify(&server, &["scan", ".", "--verify", "--show-secrets"]);
    assert_eq!(verification(&doc, &flaky)["status"], "live");
    assert_eq!(verification(&doc, &limited)["status"], "live");
    assert_eq!(verification(&doc, &limited)["detail"], "rate-limited or out of quota (rate_limit_exceeded)");
    assert_eq!(verification(&doc, &bad)["status"], "invalid");
    let reqs = server.requests();
    let of = |k: &str| reqs.iter().filter(|r| r.credential() == Some(k)).map(|r| r.at).collect::<Vec<_>>();
    assert_eq!(of(&bad).len(), 1);
    assert_eq!(of(&limited).len(), 2);
    let flaky_at = of(&flaky);
    assert_eq!(flaky_at.len(), 2);
    assert!(flaky_at[1] - flaky_at[0] >= Duration::from_millis(950), "backoff honoured Retry-After");
}

#[test]
fn answers_a_retry_cannot_change_are_not_retried() {
    let quota = fake_key("openai-project-key");
    let unauthorized = fake_key("openai-project-key");
    let limited = fake_key("openai-project-key");
    let failing = fake_key("openai-project-key");
    let mut answers: Answers = HashMap::new();
    // Out of quota: the same answer however often it is asked.
    answers.insert(
        quota.clone(),
        answer(|_| {
            MockResponse::json(
                429,
                json!({"error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}),
            )
            .header("Retry-After", "0")
        }),
    );
    answers.insert(
        unauthorized.clone(),
        answer(|_| {
            MockResponse::json(401, json!({"error": {"code": "invalid_api_key", "message": "Incorrect API key"}}))
                .header("Retry-After", "0")
        }),
    );
    // A plain rate limit and a server error may pass: asked twice.
    answers.insert(
        limited.clone(),
        answer(|_| {
            MockResponse::json(429, json!({"error": {"code": "rate_limit_exceeded", "type": "requests"}}))
                .header("Retry-After", "0")
        }),
    );
    answers.insert(failing.clone(), answer(|_| MockResponse::status(502).header("Retry-After", "0")));
    let server = mock_by_key(answers);
    let t = Tree::new();
    t.write("k.env", format!("A={quota}\nB={unauthorized}\nC={limited}\nD={failing}\n"));
    let (code, doc, stderr) = t.run_verify(&server, &["scan", ".", "--verify", "--show-secrets"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(verification(&doc, &quota)["status"], "live");
    assert_eq!(verification(&doc, &quota)["detail"], "rate-limited or out of quota (insufficient_quota)");
    assert_eq!(verification(&doc, &unauthorized)["status"], "invalid");
    assert_eq!(verification(&doc, &limited)["status"], "live");
    assert_eq!(verification(&doc, &failing)["status"], "unknown");
    let reqs = server.requests();
    let sent = |k: &str| reqs.iter().filter(|r| r.credential() == Some(k)).count();
    assert_eq!(sent(&quota), 1, "out of quota is not retried: {reqs:#?}");
    assert_eq!(sent(&unauthorized), 1, "401 is not retried: {reqs:#?}");
    assert_eq!(sent(&limited), 2, "a rate limit is retried once: {reqs:#?}");
    assert_eq!(sent(&failing), 2, "a server error is retried once: {reqs:#?}");
    assert_eq!(reqs.len(), 6);
}

#[test]
fn a_request_that_times_out_is_unknown_and_not_retried() {
    let slow = fake_key("openai-project-key");
    let server = MockServer::start(|_, _| MockResponse::status(200).delay(Duration::from_secs(3)));
    let t = Tree::new();
    t.write("k.env", format!("K={slow}\n"));
    let started = Instant::now();
    let (code, doc, _) = t.run_verify(&server, &["scan", ".", "--verify", "--verify-timeout", "500ms"]);
    assert!(started.elapsed() < Duration::from_millis(2900), "the timeout cut the request short");
    assert_eq!(code, 1);
    let v = &findings(&doc)[0]["verification"];
    assert_eq!(v["status"], "unknown");
    assert_eq!(v["detail"], "timed out after 500ms");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_network_error_is_unknown_with_the_reason() {
    // A port nothing listens on: bind one, then close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let t = Tree::new();
    t.write("k.env", format!("K={}\n", fake_key("openai-project-key")));
    let env = vec![(override_var("openai"), format!("http://127.0.0.1:{port}"))];
    let out = t.run_env(&["scan", ".", "--verify", "--format", "json"], &env);
    let doc = parse_json(&out);
    let v = &findings(&doc)[0]["verification"];
    assert_eq!(v["status"], "unknown");
    assert!(
        v["detail"].as_str().unwrap().contains("network error") || v["detail"].as_str().unwrap().contains("refused"),
        "{v}"
    );
}

#[test]
fn requests_are_rate_limited_globally() {
    let server = MockServer::start(|_, _| MockResponse::status(200));
    let t = Tree::new();
    let keys: String = (0..4).map(|i| format!("K{i}={}\n", fake_key("openai-project-key"))).collect();
    t.write("k.env", keys);
    let (_, doc, _) =
        t.run_verify(&server, &["scan", ".", "--verify", "--verify-rate", "2", "--verify-concurrency", "4"]);
    assert_eq!(doc["summary"]["verified"]["live"], 4);
    let mut at: Vec<Instant> = server.requests().iter().map(|r| r.at).collect();
    at.sort();
    assert_eq!(at.len(), 4);
    // 2 per second: each request ~500 ms after the one before, though four
    // workers were free (with slack for a busy machine).
    for w in at.windows(2) {
        assert!(w[1] - w[0] >= Duration::from_millis(250), "requests {:?} apart", w[1] - w[0]);
    }
    assert!(at[3] - at[0] >= Duration::from_millis(1200), "{:?}", at[3] - at[0]);
}

#[test]
fn concurrency_is_limited() {
    let server = MockServer::start(|_, _| MockResponse::status(200).delay(Duration::from_millis(400)));
    let t = Tree::new();
    let keys: String = (0..6).map(|i| format!("K{i}={}\n", fake_key("openai-legacy-key"))).collect();
    t.write("k.env", keys);
    let (_, doc, _) =
        t.run_verify(&server, &["scan", ".", "--verify", "--verify-concurrency", "2", "--verify-rate", "1000"]);
    assert_eq!(doc["summary"]["verified"]["live"], 6);
    assert_eq!(server.requests().len(), 6);
    assert!(server.max_in_flight() <= 2, "{} in flight", server.max_in_flight());
    assert_eq!(server.max_in_flight(), 2, "the two workers did run side by side");
}

#[test]
fn only_verified_keeps_live_findings() {
    let live = fake_key("openai-project-key");
    let dead = fake_key("openai-project-key");
    let aws = fake_key("aws-access-key-id");
    let live2 = live.clone();
    let server = MockServer::start(move |req, _| {
        MockResponse::status(if req.credential() == Some(live2.as_str()) { 200 } else { 401 })
    });
    let t = Tree::new();
    t.write("k.env", format!("A={live}\nB={dead}\nC={aws}\n"));
    let (code, doc, _) = t.run_verify(&server, &["scan", ".", "--verify", "--only-verified", "--show-secrets"]);
    assert_eq!(code, 1);
    let f = findings(&doc);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["secret"], live);
    assert_eq!(doc["summary"]["findings"], 1);
    assert_eq!(doc["summary"]["verified"], json!({"live": 1, "invalid": 1, "unknown": 0, "unchecked": 1}));

    // Nothing live: nothing reported, exit 0.
    t.write("k.env", format!("B={dead}\nC={aws}\n"));
    let (code, doc, _) = t.run_verify(&server, &["scan", ".", "--verify", "--only-verified"]);
    assert_eq!((code, findings(&doc).len()), (0, 0));

    // --only-verified needs --verify.
    assert_eq!(t.run(&["scan", ".", "--only-verified"]).status.code(), Some(2));
}

#[test]
fn rules_without_a_check_are_left_unchecked() {
    let server = MockServer::start(|_, _| MockResponse::status(200));
    let t = Tree::new();
    t.write("k.env", format!("AWS={}\n", fake_key("aws-access-key-id")));
    let (code, doc, _) = t.run_verify(&server, &["scan", ".", "--verify"]);
    assert_eq!(code, 1);
    assert!(findings(&doc)[0].get("verification").is_none());
    assert_eq!(doc["summary"]["verified"]["unchecked"], 1);
    assert!(server.requests().is_empty());
}

#[test]
fn each_provider_gets_its_own_request() {
    let server = MockServer::start(|req, _| match (req.method.as_str(), req.route()) {
        ("POST", "/api/auth.test") => MockResponse::json(200, json!({"ok": true, "team": "Acme"})),
        ("GET", "/user") => MockResponse::json(200, json!({"login": "octocat"})),
        ("GET", "/v1/models") if req.header("anthropic-version") == Some("2023-06-01") => MockResponse::json(
            401,
            json!({"type": "error", "error": {"type": "authentication_error", "message": format!("invalid x-api-key {}", req.credential().unwrap())}}),
        ),
        ("GET", "/v1/balance") => MockResponse::status(403),
        ("GET", "/openai/v1/models") => MockResponse::status(200),
        ("GET", "/api/whoami-v2") => MockResponse::json(200, json!({"name": "hf-user"})),
        _ => MockResponse::status(404),
    });
    let keys = [
        ("anthropic-api-key", "anthropic", "invalid", "HTTP 401 (invalid x-api-key sk-ant-api03-"),
        ("github-personal-access-token", "github", "live", "token of user (octocat)"),
        ("slack-bot-token", "slack", "live", "token of team (Acme)"),
        ("stripe-secret-key", "stripe", "live", "restricted key without access to the balance"),
        ("groq-api-key", "groq", "live", "HTTP 200"),
        ("huggingface-access-token", "huggingface", "live", "token of (hf-user)"),
    ];
    let t = Tree::new();
    let mut text = String::new();
    let mut secrets = Vec::new();
    for (rule, _, _, _) in keys {
        let k = fake_key(rule);
        text.push_str(&format!("{}={k}\n", rule.to_uppercase().replace('-', "_")));
        secrets.push(k);
    }
    t.write("all.env", &text);
    let out = t.run_env(&["scan", ".", "--verify", "--format", "json"], &verify_env(&server));
    let doc = parse_json(&out);
    let stdout = stdout_of(&out);
    let stderr = stderr_of(&out);
    for ((rule, _, status, detail), secret) in keys.iter().zip(&secrets) {
        let f = findings(&doc).iter().find(|f| f["rule_id"] == *rule).unwrap_or_else(|| panic!("{rule}: {doc:#}"));
        assert_eq!(f["verification"]["status"], *status, "{rule}: {f}");
        assert!(f["verification"]["detail"].as_str().unwrap().starts_with(detail), "{rule}: {f}");
        // The provider echoed the Anthropic key: it is redacted, never printed.
        assert!(!stdout.contains(secret.as_str()) && !stderr.contains(secret.as_str()), "{rule}'s secret was printed");
    }
    let reqs = server.requests();
    let find =
        |route: &str| reqs.iter().find(|r| r.route() == route).unwrap_or_else(|| panic!("no request to {route}"));
    assert_eq!(find("/user").header("authorization"), Some(format!("Bearer {}", secrets[1]).as_str()));
    let anthropic = reqs.iter().find(|r| r.header("x-api-key").is_some()).unwrap();
    assert_eq!(anthropic.header("x-api-key"), Some(secrets[0].as_str()));
    assert_eq!(anthropic.header("authorization"), None);
    assert_eq!(find("/api/auth.test").method, "POST");
    assert_eq!(find("/v1/balance").header("authorization"), Some(format!("Bearer {}", secrets[3]).as_str()));
    assert_eq!(find("/openai/v1/models").header("authorization"), Some(format!("Bearer {}", secrets[4]).as_str()));
    assert_eq!(find("/api/whoami-v2").header("authorization"), Some(format!("Bearer {}", secrets[5]).as_str()));
    assert_eq!(reqs.len(), 6);
}

#[test]
fn slack_answers_200_to_bad_tokens_and_the_body_decides() {
    let server = MockServer::start(|_, _| MockResponse::json(200, json!({"ok": false, "error": "invalid_auth"})));
    let t = Tree::new();
    t.write("s.env", format!("SLACK={}\n", fake_key("slack-bot-token")));
    let (_, doc, _) = t.run_verify(&server, &["scan", ".", "--verify"]);
    let v = &findings(&doc)[0]["verification"];
    assert_eq!((v["status"].as_str(), v["detail"].as_str()), (Some("invalid"), Some("HTTP 200 (invalid_auth)")));
}

#[test]
fn without_verify_nothing_is_sent() {
    let server = MockServer::start(|_, _| MockResponse::status(200));
    let t = Tree::new();
    t.write("k.env", format!("K={}\n", fake_key("openai-project-key")));
    let (code, doc, stderr) = t.run_verify(&server, &["scan", "."]);
    assert_eq!(code, 1);
    assert!(findings(&doc)[0].get("verification").is_none());
    assert!(doc["summary"].get("verified").is_none());
    assert!(!stderr.contains("verification requests"), "no override warning without --verify: {stderr}");

    let mut repo = Repo::new();
    repo.write("k.env", format!("K={}\n", fake_key("github-personal-access-token")));
    repo.commit("add");
    repo.write("s.env", format!("K={}\n", fake_key("openai-project-key")));
    for args in [&["history", "."][..], &["staged", "."][..]] {
        let out = repo.run_env(args, &verify_env(&server));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
    assert!(server.requests().is_empty(), "no request without --verify");
}

#[test]
fn an_override_is_announced_and_must_be_https_or_loopback() {
    let server = MockServer::start(|_, _| MockResponse::status(200));
    let t = Tree::new();
    t.write("k.env", format!("K={}\n", fake_key("openai-project-key")));
    let (_, _, stderr) = t.run_verify(&server, &["scan", ".", "--verify"]);
    let want = format!(
        "keyhound: warning: verification requests for openai go to {} (KEYHOUND_VERIFY_BASE_URL_OPENAI)",
        server.url()
    );
    assert!(stderr.contains(&want), "{stderr}");

    for bad in ["http://example.invalid:8080", "ftp://127.0.0.1", "https://user@example.invalid", "127.0.0.1:80"] {
        let out = t.run_env(&["scan", ".", "--verify"], &[(override_var("openai"), bad.to_string())]);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains("KEYHOUND_VERIFY_BASE_URL_OPENAI"), "{err}");
    }
    let out = t.run_env(&["scan", ".", "--verify"], &[(override_var("nosuch"), server.url())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("no provider `nosuch`"));
    assert!(server.requests().len() == 1, "only the first run sent a request");
}

#[test]
fn a_repository_config_cannot_turn_on_verification_or_redirect_it() {
    let evil = MockServer::start(|_, _| MockResponse::status(200));
    let good = MockServer::start(|_, _| MockResponse::status(401));
    let t = Tree::new();
    let key = fake_key("openai-project-key");
    t.write("k.env", format!("K={key}\n"));
    let url = evil.url();
    let attempts = [
        "verify = true\n".to_string(),
        "only-verified = true\n".to_string(),
        format!("verify-base-url = \"{url}\"\n"),
        format!("[verify]\nenabled = true\nbase-url = \"{url}\"\n"),
        format!("[env]\nKEYHOUND_VERIFY_BASE_URL_OPENAI = \"{url}\"\n"),
        // A config rule carrying its own check.
        concat!(
            "[[rule]]\nid = \"openai-again\"\nname = \"X\"\nregex = 'sk-proj-[A-Za-z0-9_-]{20,}'\nkeywords = ['sk-proj-']\n\n",
            "[rule.verify]\nprovider = \"openai\"\nurl = \"https://api.openai.com/v1/models\"\n",
            "headers = { Authorization = \"Bearer {secret}\" }\nresponses = [{ status = [200], result = \"live\" }]\n",
        )
        .to_string(),
    ];
    for config in &attempts {
        t.write(".keyhound.toml", config);
        for args in [&["scan", "."][..], &["scan", ".", "--verify"][..]] {
            let out = t.run_env(args, &verify_env(&good));
            let err = stderr_of(&out);
            assert_eq!(out.status.code(), Some(2), "{config}\n{args:?}: {err}");
            let refused = err.contains("a repository config cannot")
                || config.starts_with("[env]") && err.contains("unknown key");
            assert!(err.contains(".keyhound.toml:") && refused, "{err}");
        }
    }
    assert!(good.requests().is_empty() && evil.requests().is_empty());

    // A config that only suppresses works with --verify, and suppressed
    // findings are never sent; requests go where the environment says.
    let hidden = fake_key("openai-project-key");
    t.write("fixtures/k.env", format!("K={hidden}\n"));
    t.write(".keyhound.toml", "[allow]\npaths = [\"fixtures/\"]\n");
    let (code, doc, _) = t.run_verify(&good, &["scan", ".", "--verify"]);
    assert_eq!(code, 1);
    assert_eq!(findings(&doc).len(), 1);
    assert_eq!(findings(&doc)[0]["verification"]["status"], "invalid");
    assert_eq!(doc["summary"]["suppressed"], 1);
    let sent: Vec<String> = good.requests().iter().map(|r| r.credential().unwrap().to_string()).collect();
    assert_eq!(sent, vec![key]);
    assert!(evil.requests().is_empty(), "the repository's config sent a request: {:?}", evil.requests());
}

#[test]
fn text_and_sarif_show_the_verification() {
    let server = MockServer::start(|_, _| MockResponse::status(403));
    let t = Tree::new();
    t.write("k.env", format!("K={}\n", fake_key("openai-project-key")));
    let out = t.run_env(&["scan", ".", "--verify"], &verify_env(&server));
    let text = stdout_of(&out);
    assert!(text.contains("  verified:    live (restricted key, checked 20"), "{text}");

    let out = t.run_env(&["scan", ".", "--verify", "--format", "sarif"], &verify_env(&server));
    let sarif = SarifRun::from_output(&out);
    let r = &sarif.results()[0];
    assert_eq!(r["properties"]["verification"]["status"], "live");
    assert_eq!(r["properties"]["verification"]["detail"], "restricted key");
    assert!(r["properties"]["verification"]["checkedAt"].is_string());
    assert!(r["message"]["text"].as_str().unwrap().contains("Verified live (restricted key)"));

    let out = t.run_env(&["scan", ".", "--verify", "--format", "jsonl"], &verify_env(&server));
    let line: Value = serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["verification"]["status"], "live");
}

#[test]
fn history_staged_and_ci_verify_too() {
    let server = MockServer::start(|_, _| MockResponse::status(200));
    let mut repo = Repo::new();
    let old = fake_key("openai-project-key");
    repo.write("a.env", format!("K={old}\n"));
    repo.commit("add a key");
    let new = fake_key("github-personal-access-token");
    repo.write("b.env", format!("K={new}\n"));

    let out = repo.run_env(&["history", ".", "--verify", "--format", "json"], &verify_env(&server));
    let doc = parse_json(&out);
    assert_eq!(findings(&doc)[0]["verification"]["status"], "live");
    assert!(findings(&doc)[0]["commit"].is_string());

    let out = repo.run_env(&["staged", ".", "--verify", "--format", "json"], &verify_env(&server));
    let doc = parse_json(&out);
    assert_eq!(findings(&doc).len(), 1);
    assert_eq!(findings(&doc)[0]["rule_id"], "github-personal-access-token");
    assert_eq!(findings(&doc)[0]["verification"]["detail"], "token of user");

    repo.commit("add another");
    let mut job = Job::new(repo.path(), Some("schedule"), None);
    for (k, v) in verify_env(&server) {
        job = job.var(&k, &v);
    }
    let run = job.run(&["--verify"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.results().iter().all(|r| r["properties"]["verification"]["status"] == "live"));
    assert!(run.finding_annotations().iter().all(|a| a.contains("Verified live")), "{}", run.stdout);
    assert_eq!(server.requests().len(), 1 + 1 + 2);
}

#[test]
fn verify_is_refused_where_it_means_nothing() {
    let t = Tree::new();
    let out = t.run(&["rules", "list", "--verify"]);
    assert_eq!(out.status.code(), Some(2));
    for bad in [
        &["--verify-timeout", "0"][..],
        &["--verify-timeout", "soon"],
        &["--verify-rate", "0"],
        &["--verify-concurrency", "0"],
    ] {
        let mut args = vec!["scan", ".", "--verify"];
        args.extend_from_slice(bad);
        assert_eq!(t.run(&args).status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn secrets_found_twice_in_one_line_share_a_check() {
    let server = MockServer::start(|_, _| MockResponse::status(200));
    let t = Tree::new();
    let k = fake_key("openai-project-key");
    t.write("k.txt", format!("{k} {k}\n"));
    let (_, doc, _) = t.run_verify(&server, &["scan", ".", "--verify"]);
    assert!(by_secret(&doc, "sk-proj-").iter().all(|f| f["verification"]["status"] == "live"));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn the_readme_says_exactly_what_is_sent_where() {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let set = keyhound::rules::RuleSet::embedded().unwrap();
    for rule in set.rules() {
        let Some(v) = &rule.verify else { continue };
        let row = readme
            .lines()
            .find(|l| {
                l.starts_with('|')
                    && l.contains(&format!("`{}`", rule.id))
                    && l.contains(&format!("`{} {}`", v.method, v.url))
            })
            .unwrap_or_else(|| panic!("README has no row for {}'s check ({} {})", rule.id, v.method, v.url));
        for (name, value) in &v.headers {
            assert!(
                row.contains(&format!("`{name}: {value}`")),
                "README row for {} lacks header {name}: {row}",
                rule.id
            );
        }
        let var_suffix = format!("_{}", v.provider.to_uppercase());
        assert!(
            readme.contains(&format!("`{var_suffix}`")) || readme.contains(&override_var(&v.provider)),
            "{var_suffix}"
        );
    }
}

/// One case of [`every_declared_live_check_sends_its_request_and_reads_its_answers`]:
/// a fresh key of a rule, what the mock answers when asked about it, and
/// what keyhound must then say.
struct CheckCase {
    rule: String,
    /// Which response entry (or the fallback) this case exercises, for
    /// failure messages.
    what: String,
    /// The rule's example holding the key, as written to the scanned tree.
    example: String,
    secret: String,
    answer: MockResponse,
    want: (String, String),
}

/// Sets `path` (dotted, as in `detail_from` and `json.path`; numeric parts
/// index arrays) in `body` to `value`, creating what is missing.
fn set_json_path(body: &mut Value, path: &str, value: Value) {
    let mut at = body;
    for part in path.split('.') {
        at = match part.parse::<usize>() {
            Ok(i) => {
                if !at.is_array() {
                    *at = json!([]);
                }
                let a = at.as_array_mut().unwrap();
                while a.len() <= i {
                    a.push(Value::Null);
                }
                &mut a[i]
            }
            Err(_) => {
                if !at.is_object() {
                    *at = json!({});
                }
                at.as_object_mut().unwrap().entry(part).or_insert(Value::Null)
            }
        };
    }
    *at = value;
}

/// The cases for one rule's check: for every declared response entry, each
/// of its statuses (and each value its JSON condition accepts), with a body
/// that satisfies the condition and carries the `detail_from` field; and
/// one status the check does not declare, which must read as `unknown`.
fn check_cases(rule: &keyhound::rules::Rule) -> Vec<CheckCase> {
    let spec = rule.verify.as_ref().unwrap();
    let mut cases = Vec::new();
    for (i, entry) in spec.responses.iter().enumerate() {
        let json_values: Vec<Option<Value>> = match &entry.json {
            None => vec![None],
            Some(c) => match (&c.equals, &c.one_of, &c.contains) {
                (Some(v), _, _) => vec![Some(v.clone())],
                (None, Some(set), _) => set.iter().cloned().map(Some).collect(),
                (None, None, Some(text)) => vec![Some(Value::String(format!("API {text} exceeded")))],
                (None, None, None) => panic!("{}: a JSON condition without a test", rule.id),
            },
        };
        for &status in &entry.status {
            for json_value in &json_values {
                let mut body = json!({});
                if let (Some(c), Some(v)) = (&entry.json, json_value) {
                    set_json_path(&mut body, &c.path, v.clone());
                }
                let mut detail = entry.detail.clone().unwrap_or_else(|| format!("HTTP {status}"));
                if let Some(from) = &entry.detail_from {
                    let cond_path = entry.json.as_ref().map(|c| c.path.as_str());
                    if cond_path != Some(from.as_str()) {
                        set_json_path(&mut body, from, json!(format!("mock detail {i}")));
                    }
                    let shown = match json_path_of(&body, from) {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    detail.push_str(&format!(" ({shown})"));
                }
                let (example, secret) = fake_example(&rule.id);
                cases.push(CheckCase {
                    rule: rule.id.clone(),
                    what: format!("responses[{i}] (HTTP {status}, body {body})"),
                    example,
                    secret,
                    answer: MockResponse::json(status, body).header("Retry-After", "0"),
                    want: (entry.result.to_string(), detail),
                });
            }
        }
    }
    let undeclared = [418u16, 451, 422].into_iter().find(|s| spec.responses.iter().all(|e| !e.status.contains(s)));
    let undeclared = undeclared.unwrap_or_else(|| panic!("{}: every test status is declared", rule.id));
    let (example, secret) = fake_example(&rule.id);
    cases.push(CheckCase {
        rule: rule.id.clone(),
        what: format!("an undeclared status (HTTP {undeclared})"),
        example,
        secret,
        answer: MockResponse::status(undeclared),
        want: ("unknown".to_string(), format!("unexpected HTTP {undeclared}")),
    });
    cases
}

fn json_path_of<'a>(body: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(body, |v, part| match part.parse::<usize>() {
        Ok(i) if v.is_array() => &v[i],
        _ => &v[part],
    })
}

/// Every `[rule.verify]` of the shipped rules, run through `--verify`
/// against the mock: the request goes to the declared method and path with
/// the declared headers (the key substituted for `{secret}`), and every
/// declared answer reads as the declared result. A new rule with a check is
/// covered by being shipped.
#[test]
fn every_declared_live_check_sends_its_request_and_reads_its_answers() {
    let set = keyhound::rules::RuleSet::embedded().unwrap();
    let checked: Vec<&keyhound::rules::Rule> = set.rules().iter().filter(|r| r.verify.is_some()).collect();
    assert!(checked.len() >= 100, "only {} rules with a live check", checked.len());
    let cases: Vec<CheckCase> = checked.iter().flat_map(|r| check_cases(r)).collect();
    // The mock answers by the key a request carries, in whatever header.
    let answers: HashMap<String, MockResponse> = cases.iter().map(|c| (c.secret.clone(), c.answer.clone())).collect();
    assert_eq!(answers.len(), cases.len(), "fresh keys are distinct");
    let server = MockServer::start(move |req, _| {
        let key = req
            .headers
            .iter()
            .flat_map(|(_, v)| answers.keys().filter(|k| v.contains(k.as_str())))
            .max_by_key(|k| k.len());
        key.map_or_else(|| MockResponse::status(404), |k| answers[k].clone())
    });
    let t = Tree::new();
    // One file per rule: no rule's example is next to another rule's.
    for rule in &checked {
        let text: Vec<&str> = cases.iter().filter(|c| c.rule == rule.id).map(|c| c.example.as_str()).collect();
        t.write(&format!("checks/{}.txt", rule.id), text.join("\n\n") + "\n");
    }
    let args = ["scan", ".", "--verify", "--show-secrets", "--verify-rate", "1000", "--verify-concurrency", "8"];
    let (code, doc, stderr) = t.run_verify(&server, &args);
    assert_eq!(code, 1, "{stderr}");
    let reqs = server.requests();
    let mut failures = Vec::new();
    for c in &cases {
        let spec = set.get(&c.rule).unwrap().verify.as_ref().unwrap();
        let name = format!("rule {} ({}, {})", c.rule, c.what, spec.url);
        // What was sent.
        let sent: Vec<&MockRequest> =
            reqs.iter().filter(|r| r.headers.iter().any(|(_, v)| v.contains(c.secret.as_str()))).collect();
        if sent.is_empty() {
            failures.push(format!("{name}: no request carried its key"));
        }
        for r in &sent {
            if (r.method.as_str(), r.path.as_str()) != (spec.method.as_str(), spec.path()) {
                failures.push(format!(
                    "{name}: its key went to {} {}, declared {} {} (does another rule's check report it too?)",
                    r.method,
                    r.path,
                    spec.method,
                    spec.path()
                ));
            }
            for (header, template) in &spec.headers {
                let want = template.replace("{secret}", &c.secret);
                if r.header(header) != Some(want.as_str()) {
                    failures.push(format!("{name}: header {header} was {:?}, declared {template:?}", r.header(header)));
                }
            }
            if !r.header("user-agent").is_some_and(|ua| ua.starts_with("keyhound/")) {
                failures.push(format!("{name}: no keyhound User-Agent"));
            }
        }
        // How the answer was read.
        let found: Vec<&Value> = findings(&doc)
            .iter()
            .filter(|f| f["rule_id"] == c.rule.as_str() && f["secret"] == c.secret.as_str())
            .collect();
        let [f] = found.as_slice() else {
            failures.push(format!("{name}: {} findings of its key, want 1", found.len()));
            continue;
        };
        let got = (f["verification"]["status"].as_str(), f["verification"]["detail"].as_str());
        if got != (Some(c.want.0.as_str()), Some(c.want.1.as_str())) {
            failures.push(format!("{name}: read as {got:?}, declared ({:?}, {:?})", c.want.0, c.want.1));
        }
    }
    // Nothing was sent that no case accounts for.
    for r in &reqs {
        if !cases.iter().any(|c| r.headers.iter().any(|(_, v)| v.contains(c.secret.as_str()))) {
            failures.push(format!("a request carrying no planted key: {} {}", r.method, r.path));
        }
    }
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} problems in {} live-check cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

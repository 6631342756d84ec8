//! `keyhound openai locate|revoke` against a mock OpenAI admin API on
//! 127.0.0.1 (pagination, matching on redacted values, refusals, service
//! account keys, admin keys, confirmation, and never printing the admin key).

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::harness::*;

/// One API key in the mock organization.
#[derive(Clone)]
struct MockKey {
    id: String,
    name: String,
    redacted: String,
    owner: Value,
}

/// The mock organization: projects with keys, and admin keys. Lists are
/// served `page` items at a time, so every listing paginates.
#[derive(Clone)]
struct Org {
    admin_key: String,
    page: usize,
    projects: Vec<(String, String, Vec<MockKey>)>,
    admin_keys: Vec<MockKey>,
    deleted: Arc<Mutex<Vec<String>>>,
}

/// `sk-proj-abc...wxyz`: the first 11 and last 4 characters.
fn redacted(key: &str) -> String {
    format!("{}...{}", &key[..11], &key[key.len() - 4..])
}

fn user(id: &str, name: &str) -> Value {
    json!({"type": "user", "user": {"id": id, "name": name, "email": format!("{id}@example.com"), "role": "owner", "created_at": 1_700_000_000}})
}

fn service_account(id: &str, name: &str) -> Value {
    json!({"type": "service_account", "service_account": {"id": id, "name": name, "role": "member", "created_at": 1_700_000_000}})
}

fn key(id: &str, name: &str, secret: &str, owner: Value) -> MockKey {
    MockKey { id: id.to_string(), name: name.to_string(), redacted: redacted(secret), owner }
}

fn page(items: &[Value], after: Option<&str>, size: usize) -> Value {
    let start = after.and_then(|a| items.iter().position(|i| i["id"] == a).map(|p| p + 1)).unwrap_or(0);
    let chunk: Vec<Value> = items[start..].iter().take(size).cloned().collect();
    json!({
        "object": "list",
        "data": chunk,
        "first_id": chunk.first().map(|c| c["id"].clone()),
        "last_id": chunk.last().map(|c| c["id"].clone()),
        "has_more": start + chunk.len() < items.len(),
    })
}

impl Org {
    fn key_json(k: &MockKey, object: &str) -> Value {
        let mut owner = k.owner.clone();
        if object == "organization.admin_api_key" {
            // Admin keys describe their owner flat.
            owner = json!({"type": "user", "object": "organization.user", "id": k.owner["user"]["id"], "name": k.owner["user"]["name"], "role": "owner"});
        }
        json!({
            "object": object, "id": k.id, "name": k.name, "redacted_value": k.redacted,
            "created_at": 1_700_000_000, "last_used_at": if k.id.ends_with("unused") { Value::Null } else { json!(1_710_000_000) },
            "owner": owner,
        })
    }

    fn serve(self) -> MockServer {
        MockServer::start(move |req, _| {
            if req.header("authorization") != Some(&format!("Bearer {}", self.admin_key)) {
                return MockResponse::json(
                    401,
                    json!({"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}}),
                );
            }
            let route = req.route();
            let parts: Vec<&str> = route.trim_start_matches('/').split('/').collect();
            let after = req.query("after");
            match (req.method.as_str(), parts.as_slice()) {
                ("GET", ["v1", "organization", "projects"]) => {
                    let items: Vec<Value> = self
                        .projects
                        .iter()
                        .map(|(id, name, _)| json!({"object": "organization.project", "id": id, "name": name, "status": "active"}))
                        .collect();
                    MockResponse::json(200, page(&items, after, self.page))
                }
                ("GET", ["v1", "organization", "projects", pid, "api_keys"]) => {
                    let Some((_, _, keys)) = self.projects.iter().find(|(id, _, _)| id == pid) else {
                        return MockResponse::json(404, json!({"error": {"message": "No such project"}}));
                    };
                    let items: Vec<Value> =
                        keys.iter().map(|k| Org::key_json(k, "organization.project.api_key")).collect();
                    MockResponse::json(200, page(&items, after, self.page))
                }
                ("DELETE", ["v1", "organization", "projects", pid, "api_keys", kid]) => {
                    let Some((_, _, keys)) = self.projects.iter().find(|(id, _, _)| id == pid) else {
                        return MockResponse::status(404);
                    };
                    match keys.iter().find(|k| k.id == *kid) {
                        Some(k) if k.owner["type"] == "service_account" => MockResponse::json(
                            400,
                            json!({"error": {"message": "Cannot delete a service account's API key", "type": "invalid_request_error"}}),
                        ),
                        Some(_) => {
                            self.deleted.lock().unwrap().push(kid.to_string());
                            MockResponse::json(
                                200,
                                json!({"object": "organization.project.api_key.deleted", "id": kid, "deleted": true}),
                            )
                        }
                        None => MockResponse::status(404),
                    }
                }
                ("GET", ["v1", "organization", "admin_api_keys"]) => {
                    let items: Vec<Value> =
                        self.admin_keys.iter().map(|k| Org::key_json(k, "organization.admin_api_key")).collect();
                    MockResponse::json(200, page(&items, after, self.page))
                }
                ("DELETE", ["v1", "organization", "admin_api_keys", kid]) => {
                    self.deleted.lock().unwrap().push(kid.to_string());
                    MockResponse::json(
                        200,
                        json!({"id": kid, "object": "organization.admin_api_key.deleted", "deleted": true}),
                    )
                }
                _ => MockResponse::status(404),
            }
        })
    }
}

/// An organization of three projects (served two per page); the first has
/// three keys (so its keys paginate too), the second a service account's key;
/// and a mock server serving it.
struct Fixture {
    admin: String,
    leaked: String,
    svc: String,
    org: Org,
    server: MockServer,
}

impl Fixture {
    /// The environment for `keyhound openai` against the fixture's server.
    fn env(&self) -> Vec<(String, String)> {
        openai_env(&self.server, &self.admin)
    }
}

fn fixture() -> Fixture {
    let admin = fake_key("openai-admin-key");
    let other1 = fake_key("openai-project-key");
    let other2 = fake_key("openai-project-key");
    let leaked = fake_key("openai-project-key");
    let svc = fake_key("openai-service-account-key");
    let org = Org {
        admin_key: admin.clone(),
        page: 2,
        projects: vec![
            (
                "proj_alpha".into(),
                "Alpha".into(),
                vec![
                    key("key_a1", "ci", &other1, user("user_ann", "Ann")),
                    key("key_a2", "laptop", &other2, user("user_ann", "Ann")),
                    key("key_a3", "prod-backend", &leaked, user("user_bob", "Bob Example")),
                ],
            ),
            (
                "proj_beta".into(),
                "Beta".into(),
                vec![key("key_b1", "deploy-bot", &svc, service_account("svc_deploy", "deploy-bot"))],
            ),
            ("proj_gamma".into(), "Gamma".into(), vec![]),
        ],
        admin_keys: vec![key("key_adm_unused", "ops-admin", &admin, user("user_ann", "Ann"))],
        deleted: Arc::new(Mutex::new(Vec::new())),
    };
    let server = org.clone().serve();
    Fixture { admin, leaked, svc, org, server }
}

fn text(out: &std::process::Output) -> (String, String) {
    (stdout_of(out), stderr_of(out))
}

/// Neither key appears anywhere in what a run printed.
fn assert_no_keys(out: &std::process::Output, keys: &[&str]) {
    let (o, e) = text(out);
    for k in keys {
        assert!(!o.contains(k) && !e.contains(k), "a key was printed:\n{o}\n{e}");
    }
}

#[test]
fn locate_from_stdin_follows_pagination_and_describes_the_key() {
    let f = fixture();
    let t = Tree::new();
    let out = t.run_stdin(&["openai", "locate", "--key-from-stdin"], &f.env(), &format!("{}\n", f.leaked));
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for want in [
        "project:    Alpha (proj_alpha)",
        "key:        prod-backend (key_a3)",
        "owner:      user Bob Example <user_bob@example.com> (user_bob)",
        "created:    2023-11-14T22:13:20Z",
        "last used:  2024-03-09T16:00:00Z",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
    assert!(stderr.contains(&format!("keyhound: warning: OpenAI admin requests go to {}", f.server.url())), "{stderr}");
    assert_no_keys(&out, &[&f.admin, &f.leaked]);
    let reqs = f.server.requests();
    let paths: Vec<&str> = reqs.iter().map(|r| r.path.as_str()).collect();
    // Projects: two pages; Alpha's keys: two pages; Beta's and Gamma's: one.
    assert!(paths.contains(&"/v1/organization/projects?limit=100"), "{paths:#?}");
    assert!(paths.contains(&"/v1/organization/projects?limit=100&after=proj_beta"), "{paths:#?}");
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("/v1/organization/projects/proj_alpha/api_keys") && p.contains("after=key_a2")),
        "{paths:#?}"
    );
    assert!(paths.iter().any(|p| p.starts_with("/v1/organization/projects/proj_gamma/api_keys")), "{paths:#?}");
    assert_eq!(reqs.len(), 2 + 2 + 1 + 1, "{paths:#?}");
    assert!(reqs
        .iter()
        .all(|r| r.method == "GET" && r.header("authorization") == Some(&format!("Bearer {}", f.admin))));
    assert!(!paths.iter().any(|p| p.contains("admin_api_keys")));
}

#[test]
fn locate_by_fingerprint_rescans_files_or_history() {
    let f = fixture();
    let mut repo = Repo::new();
    repo.write("config/app.env", format!("OPENAI_API_KEY={}\n", f.leaked));
    repo.commit("add config");
    let (_, doc) = repo.run_json(&["scan", "."]);
    let fp = findings(&doc)[0]["fingerprint"].as_str().unwrap().to_string();
    let env = f.env();
    let out = repo.run_env(&["openai", "locate", &fp], &env);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert!(text(&out).0.contains("key:        prod-backend (key_a3)"));
    // A prefix of 8 or more characters is enough; JSON output.
    let out = repo.run_env(&["openai", "locate", &fp[..8], "--path", "config", "--format", "json"], &env);
    // (scanning `config` shows paths as config/app.env, as `scan .` did)
    let doc = parse_json(&out);
    assert_eq!(doc["matches"].as_array().unwrap().len(), 1);
    let m = &doc["matches"][0];
    assert_eq!(
        (m["project_id"].as_str(), m["key_id"].as_str(), m["kind"].as_str()),
        (Some("proj_alpha"), Some("key_a3"), Some("project"))
    );
    assert_eq!(m["owner"]["name"], "Bob Example");
    assert_eq!(m["last_used_at"], "2024-03-09T16:00:00Z");
    assert_no_keys(&out, &[&f.admin, &f.leaked]);

    // A history finding: the key was removed since.
    repo.remove("config/app.env");
    repo.commit("remove the key");
    let (_, doc) = repo.run_json(&["history", "."]);
    let hfp = findings(&doc)[0]["fingerprint"].as_str().unwrap().to_string();
    let out = repo.run_env(&["openai", "locate", &hfp], &env);
    assert_eq!(out.status.code(), Some(2), "not in the work tree any more");
    assert!(text(&out).1.contains("--history"), "{}", text(&out).1);
    let out = repo.run_env(&["openai", "locate", &hfp, "--history", "."], &env);
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));

    // Not an OpenAI key.
    repo.write("gh.env", format!("T={}\n", fake_key("github-personal-access-token")));
    let (_, doc) = repo.run_json(&["scan", "."]);
    let gh =
        findings(&doc).iter().find(|f| f["rule_id"] == "github-personal-access-token").unwrap()["fingerprint"].clone();
    let out = repo.run_env(&["openai", "locate", gh.as_str().unwrap()], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("not an OpenAI key"));
}

#[test]
fn locate_reports_no_match_and_ambiguous_matches() {
    let f = fixture();
    let t = Tree::new();
    let env = f.env();
    let stranger = fake_key("openai-project-key");
    let out = t.run_stdin(&["openai", "locate", "--key-from-stdin"], &env, &stranger);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).0.contains("no project API keys of the organization match sk-proj-"), "{:?}", text(&out));

    // Two keys whose redacted values both fit.
    let mut org = f.org.clone();
    let twin = MockKey { id: "key_twin".into(), name: "twin".into(), ..key("", "", &f.leaked, user("user_cy", "Cy")) };
    org.projects[2].2.push(twin);
    let server = org.serve();
    let out = t.run_stdin(&["openai", "locate", "--key-from-stdin"], &openai_env(&server, &f.admin), &f.leaked);
    assert_eq!(out.status.code(), Some(1));
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("2 project API keys match") && stdout.contains("key_a3") && stdout.contains("key_twin"),
        "{stdout}"
    );
}

#[test]
fn revoke_with_yes_deletes_the_one_matching_key() {
    let f = fixture();
    let t = Tree::new();
    let out = t.run_stdin(&["openai", "revoke", "--key-from-stdin", "--yes"], &f.env(), &f.leaked);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("keyhound: revoked key prod-backend (key_a3) in project Alpha (proj_alpha)"), "{stdout}");
    assert!(stderr.contains("key:        prod-backend (key_a3)"), "what is revoked is shown first: {stderr}");
    assert_eq!(*f.org.deleted.lock().unwrap(), vec!["key_a3".to_string()]);
    let del: Vec<_> = f.server.requests().into_iter().filter(|r| r.method == "DELETE").collect();
    assert_eq!(del.len(), 1);
    assert_eq!(del[0].path, "/v1/organization/projects/proj_alpha/api_keys/key_a3");
    assert_no_keys(&out, &[&f.admin, &f.leaked]);
}

#[test]
fn revoke_asks_first() {
    let f = fixture();
    let t = Tree::new();
    t.write("app.env", format!("OPENAI_API_KEY={}\n", f.leaked));
    let (_, doc) = t.run_json(&["scan", "."]);
    let fp = findings(&doc)[0]["fingerprint"].as_str().unwrap().to_string();
    let env = f.env();

    for answer in ["n\n", "", "whatever\n"] {
        let out = t.run_stdin(&["openai", "revoke", &fp], &env, answer);
        let (_, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{answer:?}: {stderr}");
        assert!(stderr.contains("Revoke this key now? [y/N]") && stderr.contains("not revoked"), "{stderr}");
    }
    assert!(f.org.deleted.lock().unwrap().is_empty());

    let out = t.run_stdin(&["openai", "revoke", &fp], &env, "yes\n");
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    assert_eq!(*f.org.deleted.lock().unwrap(), vec!["key_a3".to_string()]);
}

#[test]
fn revoke_refuses_no_match_and_ambiguous_matches() {
    let f = fixture();
    let t = Tree::new();
    let out = t.run_stdin(&["openai", "revoke", "--key-from-stdin", "--yes"], &f.env(), &fake_key("openai-legacy-key"));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("nothing was revoked"), "{}", text(&out).1);

    let mut org = f.org.clone();
    let twin = MockKey { id: "key_twin".into(), name: "twin".into(), ..key("", "", &f.leaked, user("user_cy", "Cy")) };
    org.projects[1].2.push(twin);
    let server2 = org.serve();
    let out =
        t.run_stdin(&["openai", "revoke", "--key-from-stdin", "--yes"], &openai_env(&server2, &f.admin), &f.leaked);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("2 project API keys match") && stderr.contains("will not guess"), "{stderr}");
    assert!(f.org.deleted.lock().unwrap().is_empty());
    for s in [&f.server, &server2] {
        assert!(s.requests().iter().all(|r| r.method == "GET"), "nothing deleted");
    }
}

#[test]
fn a_service_account_key_cannot_be_deleted_and_keyhound_says_what_to_do() {
    let f = fixture();
    let t = Tree::new();
    let out = t.run_stdin(&["openai", "revoke", "--key-from-stdin", "--yes"], &f.env(), &f.svc);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("cannot delete a service account's API key"), "{stderr}");
    assert!(stderr.contains("Delete the service account deploy-bot (svc_deploy)"), "{stderr}");
    assert!(stderr.contains("/v1/organization/projects/proj_beta/service_accounts/svc_deploy"), "{stderr}");
    assert!(f.server.requests().iter().all(|r| r.method == "GET"));
    assert_no_keys(&out, &[&f.admin, &f.svc]);
}

#[test]
fn a_leaked_admin_key_is_looked_up_among_admin_keys() {
    let f = fixture();
    let t = Tree::new();
    let env = f.env();
    let out = t.run_stdin(&["openai", "locate", "--key-from-stdin"], &env, &f.admin);
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("organization admin key") && stdout.contains("ops-admin (key_adm_unused)"), "{stdout}");
    assert!(stdout.contains("last used:  never"), "{stdout}");
    assert!(f.server.requests().iter().all(|r| r.route() == "/v1/organization/admin_api_keys"));

    let out = t.run_stdin(&["openai", "revoke", "--key-from-stdin", "--yes"], &env, &f.admin);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("revoked admin key ops-admin (key_adm_unused)"));
    assert!(stderr.contains("this is the admin key in OPENAI_ADMIN_KEY itself"));
    assert_eq!(*f.org.deleted.lock().unwrap(), vec!["key_adm_unused".to_string()]);
    assert!(f
        .server
        .requests()
        .iter()
        .any(|r| r.method == "DELETE" && r.path == "/v1/organization/admin_api_keys/key_adm_unused"));
    assert_no_keys(&out, &[&f.admin]);
}

#[test]
fn the_admin_key_is_required_and_never_printed() {
    let f = fixture();
    let t = Tree::new();
    // No admin key: an error before any request.
    let server = MockServer::start(|_, _| MockResponse::status(200));
    let out =
        t.run_stdin(&["openai", "locate", "--key-from-stdin"], &[(override_var("openai"), server.url())], &f.leaked);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("OPENAI_ADMIN_KEY is not set"));
    assert!(server.requests().is_empty());

    // A rejected admin key whose error echoes it back: still never printed.
    let admin = f.admin.clone();
    let echo = MockServer::start(move |_, _| {
        MockResponse::json(
            401,
            json!({"error": {"message": format!("Incorrect API key provided: {admin}"), "code": "invalid_api_key"}}),
        )
    });
    let out = t.run_stdin(&["openai", "revoke", "--key-from-stdin", "--yes"], &openai_env(&echo, &f.admin), &f.leaked);
    assert_eq!(out.status.code(), Some(2));
    let (_, stderr) = text(&out);
    assert!(stderr.contains("HTTP 401: Incorrect API key provided: sk-admin-"), "{stderr}");
    assert_no_keys(&out, &[&f.admin, &f.leaked]);

    // Bad inputs.
    let env = openai_env(&server, &f.admin);
    assert_eq!(t.run_stdin(&["openai", "locate", "--key-from-stdin"], &env, "").status.code(), Some(2));
    assert_eq!(t.run_stdin(&["openai", "locate", "--key-from-stdin"], &env, "two words").status.code(), Some(2));
    assert_eq!(t.run_env(&["openai", "locate", "nothex!"], &env).status.code(), Some(2));
    assert_eq!(t.run_env(&["openai", "locate"], &env).status.code(), Some(2));
    assert_eq!(t.run_env(&["openai", "locate", "0123456789abcdef", "--format", "sarif"], &env).status.code(), Some(2));
    assert!(server.requests().is_empty());
}

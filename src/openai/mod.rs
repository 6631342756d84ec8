//! `keyhound openai locate|revoke`: from a leaked OpenAI key to the
//! organization's record of it, and on to its revocation, with an OpenAI
//! admin key the user supplies in `OPENAI_ADMIN_KEY`.
//!
//! `locate` lists the organization's projects and each project's API keys
//! (following pagination) — or, for a leaked admin key, the organization's
//! admin keys — and matches the leaked key against each key's redacted value
//! (its visible prefix and suffix). `revoke` does the same lookup, asks for
//! confirmation (unless `--yes`), and deletes the one key that matched.
//!
//! What it must not do: print the admin key (or the leaked one) anywhere,
//! errors included; revoke anything unless exactly one key matched; send
//! requests anywhere but `https://api.openai.com` (or the
//! `KEYHOUND_VERIFY_BASE_URL_OPENAI` override from the process environment).

use std::fmt;
use std::io::{BufRead, Read, Write};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use serde_json::Value;

use crate::engine::Engine;
use crate::model::{redact, scrub, Finding};
use crate::net::{Client, Request, Response};
use crate::pipeline::history::{scan_history, HistoryOptions, NoProgress};
use crate::source::files::WalkOptions;
use crate::source::git::Selection;
use crate::source::ScanInput;
use crate::util::time::rfc3339_utc;

/// Where the admin API lives.
pub const OPENAI_API: &str = "https://api.openai.com";

/// Most pages followed in one listing (100 items each): a guard against a
/// server that never stops saying `has_more`.
const MAX_PAGES: usize = 1000;

/// A secret that never shows itself in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// What to do with the located key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Locate,
    Revoke { yes: bool },
}

/// Where the leaked key comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// Read from standard input.
    Stdin,
    /// The secret of the finding with this fingerprint (or unique prefix),
    /// found by scanning `paths`, or the history of `history`.
    Fingerprint { fingerprint: String, paths: Vec<std::path::PathBuf>, history: Option<std::path::PathBuf> },
}

/// A validated `keyhound openai ...` run.
#[derive(Debug, Clone)]
pub struct OpenAiTask {
    pub action: Action,
    pub source: KeySource,
    pub admin_key: Secret,
    /// `https://api.openai.com`, or the override.
    pub base: String,
    /// The `KEYHOUND_VERIFY_BASE_URL_OPENAI` override, when set.
    pub base_override: Option<crate::verify::BaseOverride>,
    pub timeout: Duration,
    pub proxy: Option<String>,
}

/// Who owns a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    /// `user` or `service_account`.
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Option<String>,
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// One API key of the organization, as the admin API describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRecord {
    /// `project` or `admin`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
    pub key_id: String,
    pub key_name: Option<String>,
    pub redacted_value: String,
    pub owner: Owner,
    /// RFC 3339 (UTC).
    pub created_at: Option<String>,
    /// RFC 3339 (UTC); `None` when never used.
    pub last_used_at: Option<String>,
}

impl KeyRecord {
    fn is_service_account_key(&self) -> bool {
        self.kind == "project" && self.owner.kind == "service_account"
    }
}

/// Whether `leaked` is the key shown as `redacted`: the same visible
/// prefix and suffix around the mask (`sk-abc...xyz`, `sk-proj-****wxyz`,
/// `sk-…wxyz`), and enough of them visible to mean something.
pub fn redacted_matches(redacted: &str, leaked: &str) -> bool {
    let redacted = redacted.trim();
    let mask = ["...", "…", "*"].iter().filter_map(|m| redacted.find(m).map(|i| (i, *m))).min();
    let Some((start, _)) = mask else { return redacted == leaked };
    let prefix = &redacted[..start];
    let suffix = redacted[start..].trim_start_matches(['.', '*', '…']);
    if suffix.contains(['.', '*', '…']) || leaked.len() < prefix.len() + suffix.len() {
        return false;
    }
    // Past the key family's marker (`sk-proj-`), at least 4 characters
    // must be visible; otherwise any key of the family would match.
    let family = ["sk-svcacct-", "sk-admin-", "sk-proj-", "sk-None-", "sk-"]
        .iter()
        .find(|f| prefix.starts_with(**f))
        .map_or(0, |f| f.len());
    if prefix.len() - family + suffix.len() < 4 {
        return false;
    }
    leaked.starts_with(prefix) && leaked.ends_with(suffix)
}

/// The admin API, over the shared HTTPS client.
pub struct AdminApi<'a> {
    client: Client,
    base: &'a str,
    admin_key: &'a Secret,
    /// The leaked key, scrubbed from every message like the admin key.
    leaked: &'a str,
}

const ID: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'-');

fn enc(s: &str) -> String {
    utf8_percent_encode(s, ID).to_string()
}

fn time(v: &Value) -> Option<String> {
    v.as_i64().map(rfc3339_utc)
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

impl<'a> AdminApi<'a> {
    pub fn new(task: &'a OpenAiTask, leaked: &'a str) -> AdminApi<'a> {
        let proxy = task.proxy.as_deref().and_then(|p| ureq::Proxy::new(p).ok());
        AdminApi { client: Client::new(task.timeout, proxy), base: &task.base, admin_key: &task.admin_key, leaked }
    }

    /// Removes both keys from a message.
    fn clean(&self, s: &str) -> String {
        scrub(&scrub(s, &self.admin_key.0), self.leaked)
    }

    fn call(&self, method: &str, path: &str) -> Result<Value> {
        let req = Request {
            method,
            url: format!("{}{path}", self.base),
            headers: vec![
                ("Authorization".to_string(), format!("Bearer {}", self.admin_key.0)),
                ("Accept".to_string(), "application/json".to_string()),
            ],
        };
        let what = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let resp = self.client.send(&req).map_err(|e| anyhow::anyhow!("OpenAI admin API: {what}: {e}"))?;
        if !(200..300).contains(&resp.status) {
            bail!("OpenAI admin API: {what}: {}", self.clean(&api_error(&resp)));
        }
        resp.json().with_context(|| format!("OpenAI admin API: {what}: the answer is not JSON"))
    }

    /// Every item of a paginated listing (`data`, `has_more`, `last_id`).
    fn list(&self, path: &str) -> Result<Vec<Value>> {
        let mut items = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let sep = if path.contains('?') { '&' } else { '?' };
            let mut url = format!("{path}{sep}limit=100");
            if let Some(a) = &after {
                url.push_str(&format!("&after={}", enc(a)));
            }
            let page = self.call("GET", &url)?;
            let data = page["data"].as_array().cloned().unwrap_or_default();
            let last =
                page["last_id"].as_str().map(str::to_string).or_else(|| data.last().and_then(|d| text(&d["id"])));
            items.extend(data);
            if page["has_more"].as_bool() != Some(true) {
                return Ok(items);
            }
            match last {
                Some(l) if after.as_deref() != Some(l.as_str()) => after = Some(l),
                _ => bail!("OpenAI admin API: GET {path}: pagination did not advance"),
            }
        }
        bail!("OpenAI admin API: GET {path}: more than {MAX_PAGES} pages")
    }

    /// Every project key of the organization.
    pub fn project_keys(&self) -> Result<Vec<KeyRecord>> {
        let mut out = Vec::new();
        for project in self.list("/v1/organization/projects")? {
            let Some(pid) = text(&project["id"]) else { continue };
            let pname = text(&project["name"]);
            let keys =
                self.list(&format!("/v1/organization/projects/{}/api_keys?owner_project_access=any", enc(&pid)))?;
            for k in keys {
                let owner = &k["owner"];
                let kind = text(&owner["type"]).unwrap_or_else(|| "user".to_string());
                let who = if kind == "service_account" { &owner["service_account"] } else { &owner["user"] };
                out.push(KeyRecord {
                    kind: "project",
                    project_id: Some(pid.clone()),
                    project_name: pname.clone(),
                    key_id: text(&k["id"]).unwrap_or_default(),
                    key_name: text(&k["name"]),
                    redacted_value: text(&k["redacted_value"]).unwrap_or_default(),
                    owner: Owner { kind, id: text(&who["id"]), name: text(&who["name"]), email: text(&who["email"]) },
                    created_at: time(&k["created_at"]),
                    last_used_at: time(&k["last_used_at"]),
                });
            }
        }
        Ok(out)
    }

    /// Every admin key of the organization.
    pub fn admin_keys(&self) -> Result<Vec<KeyRecord>> {
        Ok(self
            .list("/v1/organization/admin_api_keys")?
            .into_iter()
            .map(|k| {
                let owner = &k["owner"];
                KeyRecord {
                    kind: "admin",
                    project_id: None,
                    project_name: None,
                    key_id: text(&k["id"]).unwrap_or_default(),
                    key_name: text(&k["name"]),
                    redacted_value: text(&k["redacted_value"]).unwrap_or_default(),
                    owner: Owner {
                        kind: text(&owner["type"]).unwrap_or_else(|| "user".to_string()),
                        id: text(&owner["id"]),
                        name: text(&owner["name"]),
                        email: text(&owner["email"]),
                    },
                    created_at: time(&k["created_at"]),
                    last_used_at: time(&k["last_used_at"]),
                }
            })
            .collect())
    }

    /// Deletes a key; the answer must say `deleted: true`.
    pub fn delete(&self, key: &KeyRecord) -> Result<()> {
        let path = match &key.project_id {
            Some(pid) if key.kind == "project" => {
                format!("/v1/organization/projects/{}/api_keys/{}", enc(pid), enc(&key.key_id))
            }
            _ => format!("/v1/organization/admin_api_keys/{}", enc(&key.key_id)),
        };
        let answer = self.call("DELETE", &path)?;
        if answer["deleted"].as_bool() != Some(true) {
            bail!("OpenAI admin API: DELETE did not confirm the deletion: {}", self.clean(&answer.to_string()));
        }
        Ok(())
    }
}

/// `HTTP 404: message` from an error answer.
fn api_error(r: &Response) -> String {
    let body = r.json();
    let message = body
        .as_ref()
        .and_then(|b| b["error"]["message"].as_str().or_else(|| b["message"].as_str()))
        .map(|m| m.chars().take(300).collect::<String>());
    match message {
        Some(m) => format!("HTTP {}: {m}", r.status),
        None => format!("HTTP {}", r.status),
    }
}

/// The keys of the organization that the leaked key can be: admin keys for
/// a leaked admin key, project keys otherwise.
pub fn find_matches(api: &AdminApi<'_>, leaked: &str) -> Result<Vec<KeyRecord>> {
    let all = if leaked.starts_with("sk-admin-") { api.admin_keys()? } else { api.project_keys()? };
    Ok(all.into_iter().filter(|k| redacted_matches(&k.redacted_value, leaked)).collect())
}

/// Human-readable description of a key, several lines.
pub fn describe(k: &KeyRecord) -> String {
    let mut s = String::new();
    if let (Some(id), name) = (&k.project_id, &k.project_name) {
        s.push_str(&format!("  project:    {} ({id})\n", name.as_deref().unwrap_or("(unnamed)")));
    } else {
        s.push_str("  kind:       organization admin key\n");
    }
    s.push_str(&format!("  key:        {} ({})\n", k.key_name.as_deref().unwrap_or("(unnamed)"), k.key_id));
    s.push_str(&format!("  shown as:   {}\n", k.redacted_value));
    let mut owner = k.owner.kind.replace('_', " ");
    if let Some(n) = &k.owner.name {
        owner.push_str(&format!(" {n}"));
    }
    if let Some(e) = &k.owner.email {
        owner.push_str(&format!(" <{e}>"));
    }
    if let Some(id) = &k.owner.id {
        owner.push_str(&format!(" ({id})"));
    }
    s.push_str(&format!("  owner:      {owner}\n"));
    s.push_str(&format!("  created:    {}\n", k.created_at.as_deref().unwrap_or("unknown")));
    s.push_str(&format!("  last used:  {}\n", k.last_used_at.as_deref().unwrap_or("never")));
    s
}

/// What to do instead when the API cannot delete a kind of key.
pub fn service_account_advice(k: &KeyRecord) -> String {
    let pid = k.project_id.as_deref().unwrap_or("PROJECT_ID");
    let sid = k.owner.id.as_deref().unwrap_or("SERVICE_ACCOUNT_ID");
    format!(
        "keyhound: the OpenAI API cannot delete a service account's API key on its own: the key goes away with its service account.\n\
         What to do instead:\n\
         \x20 1. Delete the service account {} ({sid}): in the dashboard, the project's settings > Service accounts,\n\
         \x20    or with an admin key: DELETE https://api.openai.com/v1/organization/projects/{pid}/service_accounts/{sid}\n\
         \x20    (this revokes its key at once, and breaks whatever uses it).\n\
         \x20 2. Create a new service account and key for whatever used the old one, and store it in a secret manager.\n",
        k.owner.name.as_deref().unwrap_or("(unnamed)")
    )
}

/// Reads the leaked key from `input` (standard input): one OpenAI key,
/// surrounding whitespace ignored.
pub fn read_key(input: impl Read) -> Result<String> {
    let mut text = String::new();
    input.take(64 * 1024).read_to_string(&mut text).context("reading the key from standard input")?;
    let key = text.trim();
    if key.is_empty() {
        bail!("no key on standard input");
    }
    if key.contains(char::is_whitespace) || !key.starts_with("sk-") {
        bail!("standard input must hold one OpenAI key (sk-...), nothing else");
    }
    Ok(key.to_string())
}

/// The secret of the finding whose fingerprint is (or starts with)
/// `fingerprint`, found again by scanning what was scanned: files, or a
/// repository's history. It must be an OpenAI key.
pub fn key_of_finding(engine: &Engine, source: &KeySource, walk: &WalkOptions) -> Result<String> {
    let KeySource::Fingerprint { fingerprint, paths, history } = source else {
        bail!("no fingerprint given");
    };
    let (outcome, where_) = match history {
        Some(repo) => {
            let opts = HistoryOptions {
                selection: Selection::All,
                max_file_size: walk.max_file_size,
                archive_depth: walk.archive_depth,
            };
            (scan_history(engine, repo, &opts, &NoProgress)?, format!("the history of {}", repo.display()))
        }
        None => {
            let inputs: Vec<ScanInput> = paths.iter().cloned().map(ScanInput::Path).collect();
            let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            (crate::pipeline::scan_inputs(engine, &inputs, walk), shown.join(", "))
        }
    };
    let found: Vec<&Finding> =
        outcome.findings.iter().filter(|f| f.fingerprint.starts_with(fingerprint.as_str())).collect();
    let Some(first) = found.first() else {
        bail!(
            "no finding with fingerprint {fingerprint} in {where_} (run from the directory the scan ran in, with the              same paths via --path, or --history REPO for a history finding; or pipe the key to --key-from-stdin)"
        );
    };
    if found.iter().any(|f| f.secret != first.secret) {
        bail!("fingerprint prefix {fingerprint} fits several findings; give more of it");
    }
    if !first.rule_id.starts_with("openai-") {
        bail!("finding {fingerprint} is a {} ({}), not an OpenAI key", first.rule_name, first.rule_id);
    }
    Ok(first.secret.clone())
}

/// Asks a yes/no question on stderr; the answer comes from the terminal
/// when standard input already gave the key, else from standard input.
fn confirm(question: &str, stdin_used: bool) -> Result<bool> {
    eprint!("{question} [y/N] ");
    std::io::stderr().flush().ok();
    let mut line = String::new();
    if stdin_used {
        let tty = std::fs::File::open("/dev/tty").context(
            "cannot ask for confirmation: the key came from standard input and there is no terminal; pass --yes",
        )?;
        std::io::BufReader::new(tty).read_line(&mut line)?;
    } else {
        std::io::stdin().lock().read_line(&mut line)?;
    }
    let answer = line.trim().to_ascii_lowercase();
    Ok(answer == "y" || answer == "yes")
}

/// Runs `locate` or `revoke` for `leaked`; writes results to `out` (JSON
/// when `json`), messages to stderr. Returns the exit code: 0 done (located
/// exactly one key, or revoked it), 1 not located uniquely or declined.
/// Refusals to revoke are errors (exit 2).
pub fn run(task: &OpenAiTask, leaked: &str, stdin_used: bool, out: &mut dyn Write, json: bool) -> Result<u8> {
    let api = AdminApi::new(task, leaked);
    let matches = find_matches(&api, leaked)?;
    let shown = redact(leaked);
    let where_ = if leaked.starts_with("sk-admin-") { "admin keys" } else { "project API keys" };
    match task.action {
        Action::Locate => {
            if json {
                let doc = serde_json::json!({ "key": shown, "matches": matches });
                serde_json::to_writer_pretty(&mut *out, &doc)?;
                writeln!(out)?;
            } else if matches.is_empty() {
                writeln!(out, "keyhound: no {where_} of the organization match {shown}")?;
            } else {
                if matches.len() > 1 {
                    writeln!(out, "keyhound: {} {where_} match {shown} (their redacted values agree):", matches.len())?;
                } else {
                    writeln!(out, "keyhound: {shown} is:")?;
                }
                for (i, k) in matches.iter().enumerate() {
                    if i > 0 {
                        writeln!(out)?;
                    }
                    write!(out, "{}", describe(k))?;
                }
            }
            out.flush()?;
            Ok(if matches.len() == 1 { 0 } else { 1 })
        }
        Action::Revoke { yes } => {
            let key = match matches.as_slice() {
                [] => bail!("no {where_} of the organization match {shown}; nothing was revoked"),
                [one] => one,
                many => {
                    let list: Vec<String> = many.iter().map(describe).collect();
                    bail!(
                        "{} {where_} match {shown}, so keyhound will not guess which to revoke; nothing was revoked. \
                         Revoke the right one in the dashboard:\n{}",
                        many.len(),
                        list.join("\n")
                    );
                }
            };
            eprint!("keyhound: {shown} is:\n{}", describe(key));
            if key.is_service_account_key() {
                eprint!("{}", service_account_advice(key));
                bail!("not revoked: the API cannot delete a service account's key (see above)");
            }
            if leaked == task.admin_key.0 {
                eprintln!("keyhound: warning: this is the admin key in OPENAI_ADMIN_KEY itself");
            }
            if !yes && !confirm("Revoke this key now?", stdin_used)? {
                eprintln!("keyhound: not revoked");
                return Ok(1);
            }
            api.delete(key)?;
            let name = key.key_name.as_deref().unwrap_or("(unnamed)");
            match &key.project_id {
                Some(pid) => writeln!(
                    out,
                    "keyhound: revoked key {name} ({}) in project {} ({pid})",
                    key.key_id,
                    key.project_name.as_deref().unwrap_or("(unnamed)")
                )?,
                None => writeln!(out, "keyhound: revoked admin key {name} ({})", key.key_id)?,
            }
            out.flush()?;
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_values_match_by_prefix_and_suffix() {
        let key = format!("sk-proj-abc{}wxyz", "Q".repeat(150));
        assert!(redacted_matches("sk-proj-abc...wxyz", &key));
        assert!(redacted_matches("sk-proj-****wxyz", &key));
        assert!(redacted_matches("sk-proj-ab…wxyz", &key));
        assert!(redacted_matches("sk-...wxyz", &key));
        assert!(!redacted_matches("sk-proj-abc...wxyZ", &key));
        assert!(!redacted_matches("sk-proj-abd...wxyz", &key));
        // Too little visible to tell keys apart.
        assert!(!redacted_matches("sk-proj-...", &key));
        assert!(!redacted_matches("sk-proj-a...z", &key));
        // No mask: the whole value.
        assert!(redacted_matches(&key, &key));
        assert!(!redacted_matches("sk-proj-abc", &key));
    }

    #[test]
    fn secrets_do_not_debug_print() {
        assert_eq!(format!("{:?}", Secret("sk-admin-zzz".into())), "Secret(…)");
    }
}

//! Incidents: one secret found in several places — several repositories,
//! paths or commits — is one incident with all its locations. Findings are
//! grouped by the secret's SHA-256 ([`Finding::secret_id`]), never by the
//! secret itself, so redacted reports merged from many shards group as
//! well as findings fresh from a scan. Writers show incidents for runs over
//! many repositories (findings carrying `repository`).
//!
//! Must not filter, reorder or change findings.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Finding;
use crate::rules::Severity;

/// One secret and every finding of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// `KH-` and the first 12 hex digits of the secret's SHA-256: stable
    /// across runs and reports, shows nothing of the secret.
    pub id: String,
    pub secret_sha256: String,
    /// Indices into the findings, in their order.
    pub findings: Vec<usize>,
    /// The repositories it was found in, sorted, each once.
    pub repositories: Vec<String>,
    /// The highest severity among its findings.
    pub severity: Severity,
}

/// Whether writers should show incidents: some finding names a repository.
pub fn wanted(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.repository.is_some())
}

/// The incidents of `findings`, those found in most places first, then by
/// id.
pub fn group(findings: &[Finding]) -> Vec<Incident> {
    let mut by_secret: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        by_secret.entry(f.secret_id()).or_default().push(i);
    }
    let mut out: Vec<Incident> = by_secret
        .into_iter()
        .map(|(sha, idx)| {
            let mut repositories: Vec<String> = idx.iter().filter_map(|&i| findings[i].repository.clone()).collect();
            repositories.sort();
            repositories.dedup();
            let severity = idx.iter().map(|&i| findings[i].severity).max().unwrap_or_default();
            Incident { id: incident_id(&sha), secret_sha256: sha, findings: idx, repositories, severity }
        })
        .collect();
    out.sort_by(|a, b| b.findings.len().cmp(&a.findings.len()).then_with(|| a.id.cmp(&b.id)));
    out
}

/// The incident id of a secret hash.
pub fn incident_id(secret_sha256: &str) -> String {
    format!("KH-{}", &secret_sha256[..secret_sha256.len().min(12)])
}

/// An incident in JSON: `incidents[]` of the JSON report.
#[derive(Serialize)]
pub(super) struct IncidentJson<'a> {
    id: &'a str,
    rule_id: &'a str,
    rule_name: &'a str,
    severity: Severity,
    /// Redacted unless secrets are shown.
    secret: String,
    secret_sha256: &'a str,
    repositories: &'a [String],
    locations: Vec<LocationJson<'a>>,
}

#[derive(Serialize)]
struct LocationJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    repository: Option<&'a str>,
    path: &'a str,
    line: usize,
    column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    fingerprint: &'a str,
}

impl<'a> IncidentJson<'a> {
    pub(super) fn new(incident: &'a Incident, findings: &'a [Finding], show: bool) -> IncidentJson<'a> {
        let first = &findings[incident.findings[0]];
        IncidentJson {
            id: &incident.id,
            rule_id: &first.rule_id,
            rule_name: &first.rule_name,
            severity: incident.severity,
            secret: first.display_secret(show),
            secret_sha256: &incident.secret_sha256,
            repositories: &incident.repositories,
            locations: incident
                .findings
                .iter()
                .map(|&i| {
                    let f = &findings[i];
                    LocationJson {
                        repository: f.repository.as_deref(),
                        path: &f.path,
                        line: f.line,
                        column: f.column,
                        commit: f.provenance.as_ref().map(|p| p.commit.as_str()),
                        fingerprint: &f.fingerprint,
                    }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::secret_hash;

    fn finding(repo: &str, path: &str, secret: &str) -> Finding {
        Finding {
            rule_id: "r".into(),
            path: path.into(),
            secret: secret.into(),
            repository: Some(repo.into()),
            ..Finding::default()
        }
    }

    #[test]
    fn one_secret_in_many_repositories_is_one_incident() {
        let mut redacted = finding("org/c", "x.env", "sk-…(40)");
        redacted.secret_sha256 = Some(secret_hash("s1"));
        let findings = vec![
            finding("org/a", ".env", "s1"),
            finding("org/b", "cfg/.env", "s1"),
            finding("org/a", "b.env", "s2"),
            redacted,
        ];
        let incidents = group(&findings);
        assert_eq!(incidents.len(), 2);
        assert_eq!(incidents[0].findings, [0, 1, 3]);
        assert_eq!(incidents[0].repositories, ["org/a", "org/b", "org/c"]);
        assert_eq!(incidents[0].id, incident_id(&secret_hash("s1")));
        assert!(!incidents[0].id.contains("s1"));
        assert_eq!(incidents[1].findings, [2]);
        assert!(wanted(&findings));
    }
}

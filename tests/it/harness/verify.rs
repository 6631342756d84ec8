//! The environment that sends `--verify` and `keyhound openai` requests to a
//! mock server: no test ever reaches a real provider.

use super::MockServer;

/// Every provider that has a live check in the shipped rules.
pub fn verify_providers() -> Vec<String> {
    let set = keyhound::rules::RuleSet::embedded().unwrap();
    let mut p: Vec<String> = set.rules().iter().filter_map(|r| r.verify.as_ref()).map(|v| v.provider.clone()).collect();
    p.sort();
    p.dedup();
    p
}

/// `KEYHOUND_VERIFY_BASE_URL_<PROVIDER>` for a provider.
pub fn override_var(provider: &str) -> String {
    format!("KEYHOUND_VERIFY_BASE_URL_{}", provider.to_uppercase())
}

/// The environment that sends every provider's verification requests to
/// `server`.
pub fn verify_env(server: &MockServer) -> Vec<(String, String)> {
    verify_providers().into_iter().map(|p| (override_var(&p), server.url())).collect()
}

/// The environment for `keyhound openai ...` against `server`: the admin
/// key and the OpenAI base-URL override.
pub fn openai_env(server: &MockServer, admin_key: &str) -> Vec<(String, String)> {
    vec![("OPENAI_ADMIN_KEY".to_string(), admin_key.to_string()), (override_var("openai"), server.url())]
}

//! Local mirrors of repositories given by clone URL, made and refreshed
//! with the git command line: a bare clone of the branches and tags the
//! first time (into a temporary directory renamed into place, so a failed
//! clone leaves nothing half made), `git fetch --prune` of the same refs
//! after that.
//!
//! A forge's token goes to git only in the environment
//! (`GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_0`/`GIT_CONFIG_VALUE_0`, an
//! `http.<origin>.extraHeader` limited to the forge's host), never on the
//! command line (where other users could see it) and never into the
//! mirror's config. git's messages are returned with URL credentials
//! removed. Must not scan anything.

use std::path::Path;
use std::process::{Command, Stdio};

use base64::prelude::{Engine as _, BASE64_STANDARD};

use crate::util::uri::scrub_urls;

/// The credential for a forge's clone URLs: sent only to `https://HOST/`.
pub struct CloneAuth<'a> {
    pub host: &'a str,
    pub user: &'a str,
    pub token: &'a str,
}

/// The refs a mirror holds.
const REFSPECS: [&str; 2] = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];

/// How a mirror may be fetched.
#[derive(Default)]
pub struct Fetching<'a> {
    pub auth: Option<CloneAuth<'a>>,
    /// `GIT_ALLOW_PROTOCOL`: the only transports git may use (`https`), for
    /// URLs a forge's API gave; `None` leaves git's defaults (which never
    /// allow `ext::`).
    pub protocols: Option<&'a str>,
}

/// Makes or refreshes the mirror of `url` at `dir`. Returns git's error
/// output (credentials removed) when it fails.
pub fn update(url: &str, dir: &Path, how: &Fetching<'_>) -> Result<(), String> {
    if dir.join("HEAD").is_file() {
        let mut args = vec!["fetch", "--prune", "--quiet", "--no-write-fetch-head", url];
        args.extend(REFSPECS);
        return git(Some(dir), &args, how);
    }
    let parent = dir.parent().ok_or("the mirror has no parent directory")?;
    std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let tmp =
        parent.join(format!(".{}.{}.tmp", dir.file_name().unwrap_or_default().to_string_lossy(), std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let tmp_str = tmp.to_string_lossy().into_owned();
    let result =
        git(None, &["clone", "--bare", "--quiet", "--no-hardlinks", "--", url, &tmp_str], how).and_then(|()| {
            std::fs::rename(&tmp, dir).map_err(|e| format!("cannot move the mirror into {}: {e}", dir.display()))
        });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

fn git(dir: Option<&Path>, args: &[&str], how: &Fetching<'_>) -> Result<(), String> {
    let mut cmd = Command::new("git");
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    // Never ask for credentials on a terminal in an unattended run.
    cmd.env("GIT_TERMINAL_PROMPT", "0");
    if let Some(p) = how.protocols {
        cmd.env("GIT_ALLOW_PROTOCOL", p);
    }
    if let Some(a) = &how.auth {
        let basic = BASE64_STANDARD.encode(format!("{}:{}", a.user, a.token));
        cmd.env("GIT_CONFIG_COUNT", "1")
            .env("GIT_CONFIG_KEY_0", format!("http.https://{}/.extraHeader", a.host))
            .env("GIT_CONFIG_VALUE_0", format!("Authorization: Basic {basic}"));
    }
    let out = cmd.output().map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let text = text.trim();
    let message = if text.is_empty() { format!("git {} failed ({})", args[0], out.status) } else { text.to_string() };
    Err(scrub_urls(&message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_then_refreshes_and_a_bad_url_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        let run = |d: &Path, args: &[&str]| {
            let ok = Command::new("git")
                .current_dir(d)
                .args(["-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
                .args(args)
                .output()
                .is_ok_and(|o| o.status.success());
            assert!(ok, "git {args:?}");
        };
        std::fs::create_dir(&src).unwrap();
        run(&src, &["init", "-q", "-b", "main"]);
        std::fs::write(src.join("a"), "1").unwrap();
        run(&src, &["add", "a"]);
        run(&src, &["commit", "-q", "-m", "one"]);
        let url = format!("file://{}", src.display());
        let mirror = dir.path().join("mirrors/src.git");
        let plain = Fetching::default();
        update(&url, &mirror, &plain).unwrap();
        assert!(mirror.join("HEAD").is_file());
        std::fs::write(src.join("a"), "2").unwrap();
        run(&src, &["commit", "-q", "-am", "two"]);
        update(&url, &mirror, &plain).unwrap();
        let count = Command::new("git").current_dir(&mirror).args(["rev-list", "--count", "main"]).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "2");
        let gone = dir.path().join("mirrors/gone.git");
        let e = update(&format!("file://{}/nothing-here", dir.path().display()), &gone, &plain).unwrap_err();
        assert!(!e.is_empty());
        assert!(!gone.exists());
        assert_eq!(std::fs::read_dir(dir.path().join("mirrors")).unwrap().count(), 1, "no temporary directory left");
        // A forge's URL may only use the forge's protocols.
        let https_only = Fetching { protocols: Some("https"), ..Fetching::default() };
        let e = update(&url, &dir.path().join("mirrors/other.git"), &https_only).unwrap_err();
        assert!(e.contains("transport") || e.contains("protocol"), "{e}");
    }
}

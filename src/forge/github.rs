//! GitHub's repository listing: `GET /orgs/ORG/repos` (every type the
//! token may see), or `GET /users/NAME/repos` when ORG is a user, 100 per
//! page, following `Link` headers.
//!
//! Must not send anything but these GETs.

use super::{next_link, text, ForgeError, ForgeRepo, Pager};

pub(super) fn list(
    pager: &mut Pager<'_>,
    api: &str,
    org: &str,
    note: &mut dyn FnMut(String),
) -> Result<Vec<ForgeRepo>, ForgeError> {
    let name = url::form_urlencoded::byte_serialize(org.as_bytes()).collect::<String>();
    let first = format!("{api}/orgs/{name}/repos?per_page=100&type=all");
    let mut url = first.clone();
    let mut out = Vec::new();
    let mut as_user = false;
    loop {
        let resp = match pager.get(api, &url, &format!("organization {org:?}"), note) {
            Err(ForgeError::NotFound { .. }) if !as_user && url == first => {
                // Not an organization: perhaps a user's repositories.
                as_user = true;
                url = format!("{api}/users/{name}/repos?per_page=100&type=owner");
                continue;
            }
            other => other?,
        };
        for item in pager.items(&resp, &url)? {
            let (Some(name), Some(clone_url)) = (text(&item, "full_name"), text(&item, "clone_url")) else {
                return Err(pager.unexpected(&url, "a repository without full_name or clone_url"));
            };
            let flag = |k: &str| item.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
            out.push(ForgeRepo { name, clone_url, archived: flag("archived"), fork: flag("fork") });
        }
        match next_link(&resp) {
            Some(next) => url = next,
            None => return Ok(out),
        }
    }
}

//! GitLab's repository listing: `GET /api/v4/groups/GROUP/projects` with
//! subgroups, 100 per page, following `Link` headers or `X-Next-Page`;
//! archived projects are left out by the API unless asked for.
//!
//! Must not send anything but these GETs.

use super::{next_link, text, ForgeError, ForgeRepo, ListOptions, Pager};

pub(super) fn list(
    pager: &mut Pager<'_>,
    base: &str,
    group: &str,
    opts: &ListOptions,
    note: &mut dyn FnMut(String),
) -> Result<Vec<ForgeRepo>, ForgeError> {
    let id = url::form_urlencoded::byte_serialize(group.as_bytes()).collect::<String>();
    let archived = if opts.include_archived { "" } else { "&archived=false" };
    let first = format!(
        "{base}/api/v4/groups/{id}/projects?per_page=100&include_subgroups=true&order_by=id&sort=asc{archived}"
    );
    let mut url = first;
    let mut out = Vec::new();
    loop {
        let resp = pager.get(base, &url, &format!("group {group:?}"), note)?;
        for item in pager.items(&resp, &url)? {
            let (Some(name), Some(clone_url)) = (text(&item, "path_with_namespace"), text(&item, "http_url_to_repo"))
            else {
                return Err(pager.unexpected(&url, "a project without path_with_namespace or http_url_to_repo"));
            };
            let archived = item.get("archived").and_then(|v| v.as_bool()).unwrap_or(false);
            let fork = item.get("forked_from_project").is_some_and(|v| !v.is_null());
            out.push(ForgeRepo { name, clone_url, archived, fork });
        }
        let next = next_link(&resp).or_else(|| {
            let page = resp.header("x-next-page").map(str::trim).filter(|p| !p.is_empty())?;
            page.parse::<u32>().ok()?;
            Some(with_page(&url, page))
        });
        match next {
            Some(next) => url = next,
            None => return Ok(out),
        }
    }
}

/// `url` asking for page `page`.
fn with_page(url: &str, page: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut parts: Vec<String> =
        query.split('&').filter(|p| !p.is_empty() && !p.starts_with("page=")).map(str::to_string).collect();
    parts.push(format!("page={page}"));
    format!("{path}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages_replace_the_page_parameter() {
        assert_eq!(
            super::with_page("https://g/api/v4/groups/x/projects?per_page=100&page=2", "3"),
            "https://g/api/v4/groups/x/projects?per_page=100&page=3"
        );
        assert_eq!(super::with_page("https://g/p", "2"), "https://g/p?page=2");
    }
}

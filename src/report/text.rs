//! Human-readable output: one block per finding with its location, the kind
//! of key, its severity and confidence, the (redacted) secret and its line
//! with the secret masked.
//!
//! Everything that came from what was scanned or configured — paths, rule
//! names and ids, the line's text, commit authors, providers' answers — is
//! shown through [`escape_controls`], so it cannot drive the terminal; only
//! the color codes added here reach it raw.

use std::io::{self, Write};

use super::ReportOptions;
use crate::model::Finding;
use crate::rules::VerifyStatus;
use crate::util::text::escape_controls as safe;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

pub fn write(out: &mut dyn Write, findings: &[Finding], opts: &ReportOptions) -> io::Result<()> {
    let style = Style { on: opts.color };
    // Two secrets on one line must not show each other in clear.
    let contexts = super::context::line_contexts(findings, opts.show_secrets);
    for (f, around) in findings.iter().zip(&contexts) {
        let secret = safe(&f.display_secret(opts.show_secrets)).into_owned();
        writeln!(
            out,
            "{}  {} {}",
            style.paint("1", &format!("{}:{}:{}", safe(&f.path), f.line, f.column)),
            style.paint("1;31", &safe(&f.rule_name)),
            style.paint("2", &format!("({}, {}, {} confidence)", safe(&f.rule_id), f.severity, f.confidence)),
        )?;
        if let Some(repo) = &f.repository {
            writeln!(out, "  repository:  {}", safe(repo))?;
        }
        writeln!(out, "  secret:      {}", style.paint("33", &secret))?;
        if !f.container.is_empty() {
            let chain: Vec<String> = f.container.iter().map(|c| safe(c).into_owned()).collect();
            writeln!(out, "  inside:      {} (line and column are in the member)", chain.join(" → "))?;
        }
        let at = safe(&f.display_at_location(opts.show_secrets)).into_owned();
        let line = format!("{}{}{}", safe(&around.before), style.paint("33", &at), safe(&around.after));
        writeln!(out, "  line:        {}", line.trim())?;
        if let Some(encoding) = &f.decoded {
            writeln!(out, "  decoded:     {} (the secret is encoded at this location)", safe(encoding))?;
        }
        if f.tracked == Some(false) {
            writeln!(out, "  tracked:     no (git does not track this file: it is on this disk, not in a commit)")?;
        }
        if let Some(p) = &f.provenance {
            writeln!(
                out,
                "  commit:      {} by {} <{}> on {}",
                style.paint("36", &safe(&short(&p.commit))),
                safe(&p.author),
                safe(&p.email),
                safe(&p.date)
            )?;
            writeln!(
                out,
                "  in HEAD:     {} ({} occurrence{})",
                if p.in_head { "yes" } else { "no" },
                p.occurrences,
                if p.occurrences == 1 { "" } else { "s" }
            )?;
        }
        if let Some(reason) = f.suppressed {
            writeln!(out, "  suppressed:  {}", style.paint("2", &reason.to_string()))?;
        }
        if let Some(v) = &f.verification {
            let code = match v.status {
                VerifyStatus::Live => "1;31",
                VerifyStatus::Invalid => "32",
                VerifyStatus::Unknown => "33",
            };
            writeln!(
                out,
                "  verified:    {} ({}, checked {})",
                style.paint(code, &v.status.to_string()),
                safe(&v.detail),
                safe(&v.checked_at)
            )?;
        }
        writeln!(out, "  fingerprint: {}", safe(&f.fingerprint))?;
        writeln!(out)?;
    }
    if super::incidents::wanted(findings) {
        write_incidents(out, findings, opts, &style)?;
    }
    Ok(())
}

/// Runs over many repositories: each secret found in more than one place,
/// with every place.
fn write_incidents(out: &mut dyn Write, findings: &[Finding], opts: &ReportOptions, style: &Style) -> io::Result<()> {
    let all = super::incidents::group(findings);
    let shared: Vec<_> = all.iter().filter(|i| i.findings.len() > 1).collect();
    writeln!(
        out,
        "{} secret{} in {} finding{}; {} found in more than one place:",
        all.len(),
        if all.len() == 1 { "" } else { "s" },
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        shared.len()
    )?;
    for incident in shared {
        let first = &findings[incident.findings[0]];
        writeln!(
            out,
            "{}  {} {}: {} places in {} repositor{}",
            style.paint("1", &incident.id),
            style.paint("1;31", &safe(&first.rule_name)),
            style.paint("33", &safe(&first.display_secret(opts.show_secrets))),
            incident.findings.len(),
            incident.repositories.len(),
            if incident.repositories.len() == 1 { "y" } else { "ies" }
        )?;
        for &i in &incident.findings {
            let f = &findings[i];
            let repo = f.repository.as_deref().map(|r| format!("{}: ", safe(r))).unwrap_or_default();
            let commit = f.provenance.as_ref().map(|p| format!(" ({})", safe(&short(&p.commit)))).unwrap_or_default();
            writeln!(out, "  {repo}{}:{}:{}{commit}", safe(&f.path), f.line, f.column)?;
        }
    }
    Ok(())
}

fn short(commit: &str) -> String {
    commit.chars().take(12).collect()
}

//! Rendering: the Save and Test table, profile lists, presets and checklists as text, Markdown or
//! JSON. Functions return strings; `Term` decides where they go.

use crate::domain::catalogue::Cause;
use crate::domain::preset::{Preset, Step};
use crate::domain::printable::terminal_safe;
use crate::domain::report::{CheckReport, PermissionStatus};

use super::term::{Mark, Paint, Term};

/// Renders a report as the human table: token, agent, one row per permission and readiness check,
/// then the verdict and every fix.
pub fn report_text(term: &Term, r: &CheckReport, what: &str) -> String {
    // Every text that may have come from a server (messages, hints, notes, the agent's and the
    // instance's names) made terminal-safe. `--json` keeps the raw text, escaped.
    let r = &r.map_text(terminal_safe);
    let mut out = Vec::new();
    let tenant = r.tenant().unwrap_or(crate::domain::url::NOT_SET);
    out.push(format!(
        "{} {}  (preset {}, tenant {tenant})",
        term.paint("Profile", Paint::Bold),
        r.profile(),
        r.preset()
    ));
    out.push(format!("  Resource Server       {}", r.resource_server()));
    out.push(format!("  Authorization Server  {}", r.auth_server()));
    if r.token().ok {
        let exp = r
            .token()
            .expires_in
            .map(|e| format!(", expires in {e} s"))
            .unwrap_or_default();
        out.push(format!("  {} token issued{exp}", term.mark(Mark::Ok)));
    } else if r.error().is_some() {
        // The reason is said once, in the verdict below.
        out.push(format!(
            "  {} token: not issued (why, and the fix, below)",
            term.mark(Mark::Fail)
        ));
    }
    if let Some(a) = r.agent() {
        out.push(format!(
            "  {} acts as agent {:?} (id {})",
            term.mark(Mark::Ok),
            a.name,
            a.id
        ));
    }
    if let Some(i) = r.instance() {
        out.push(format!(
            "  {} {}, version {}",
            term.mark(Mark::Ok),
            i.name,
            i.version
        ));
    }
    if !r.permissions().is_empty() {
        out.push(String::new());
        out.push(format!("  {}", term.paint("Permissions", Paint::Bold)));
        let width = r
            .permissions()
            .iter()
            .map(|p| p.permission.len())
            .max()
            .unwrap_or(0);
        for p in r.permissions() {
            let (m, word) = match p.status {
                PermissionStatus::Granted => (Mark::Ok, "granted"),
                PermissionStatus::Missing => {
                    (Mark::Fail, missing_word(p.cause.as_ref().map(|c| c.cause)))
                }
                PermissionStatus::Unverified => (Mark::Unverified, "unverified"),
                PermissionStatus::Unchecked => (Mark::Unverified, "unchecked"),
            };
            let hint = match (&p.status, &p.hint) {
                // A fix of the verdict's list is said there once, with the rows it covers.
                (PermissionStatus::Missing | PermissionStatus::Unchecked, Some(h))
                    if r.hints().contains(h) =>
                {
                    String::new()
                }
                (PermissionStatus::Missing | PermissionStatus::Unchecked, Some(h)) => {
                    format!("  {h}")
                }
                (PermissionStatus::Unverified, Some(h)) if term.verbose > 0 => format!("  {h}"),
                _ => String::new(),
            };
            out.push(format!(
                "  {} {:width$}  {word}{hint}",
                term.mark(m),
                p.permission
            ));
        }
    }
    if r.permissions()
        .iter()
        .any(|p| p.status == PermissionStatus::Unverified)
        && term.verbose == 0
    {
        out.push(
            "  (~ unverified: the token carries the scope, but only a write would show whether the Role allows changes; halo-connect never writes. -v shows each one.)"
                .to_string(),
        );
    }
    if !r.readiness().is_empty() {
        out.push(String::new());
        out.push(format!("  {}", term.paint("Readiness", Paint::Bold)));
        for c in r.readiness() {
            let m = if c.ok { Mark::Ok } else { Mark::Fail };
            out.push(format!("  {} {}: {}", term.mark(m), c.check.id(), c.detail));
        }
    }
    for n in r.notes() {
        out.push(format!("  note: {n}"));
    }
    out.push(String::new());
    if r.ok() {
        out.push(format!(
            "{} {what} passed in {} ms.",
            term.mark(Mark::Ok),
            r.elapsed_ms()
        ));
    } else if let Some(e) = r.error() {
        out.push(format!(
            "{} {what} failed: {}",
            term.mark(Mark::Fail),
            e.message
        ));
        let failing = r
            .permissions()
            .iter()
            .filter(|p| {
                matches!(
                    p.status,
                    PermissionStatus::Missing | PermissionStatus::Unchecked
                )
            })
            .count()
            + r.readiness().iter().filter(|c| !c.ok).count();
        for (i, (h, rows)) in fixes(r).iter().enumerate() {
            let covers = match rows.len() {
                // A fix that names its rows itself ("Tick edit:invoices …") needs no label.
                _ if rows.iter().all(|row| h.contains(row.as_str())) => String::new(),
                n if n == failing && n > 2 => " (every failing row)".to_string(),
                _ => format!(" ({})", rows.join(", ")),
            };
            let label = format!("{}{covers}:", if i == 0 { "fix" } else { "also" });
            out.push(format!("  {} {h}", term.paint(&label, Paint::Cyan)));
        }
    }
    out.join("\n")
}

/// The verdict's fixes, each once with the rows it covers. The permissions missing on the
/// application share one fix: their "Tick …" lines become one, naming every scope to tick.
fn fixes(r: &CheckReport) -> Vec<(String, Vec<String>)> {
    use crate::domain::catalogue::SCOPE_MISSING;
    let unticked: Vec<&str> = r
        .permissions()
        .iter()
        .filter(|p| p.status == PermissionStatus::Missing)
        .filter(|p| p.cause.as_ref().is_some_and(|c| c.cause == &SCOPE_MISSING))
        .filter(|p| p.hint.as_ref().is_some_and(|h| r.hints().contains(h)))
        .map(|p| p.permission.as_str())
        .collect();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut joined = false;
    for h in r.hints() {
        let rows = rows_fixed_by(r, h);
        let one_scope = rows.len() == 1 && unticked.contains(&rows[0].as_str());
        if unticked.len() > 1 && one_scope {
            if !joined {
                let all = unticked.join(", ");
                let fix = SCOPE_MISSING
                    .diagnose(String::new(), &[("scope", &all)])
                    .hint;
                // The fix names every scope itself.
                out.push((fix, Vec::new()));
                joined = true;
            }
            continue;
        }
        out.push((h.clone(), rows));
    }
    out
}

/// The failing rows (permissions, then readiness checks) whose fix is `hint`.
fn rows_fixed_by(r: &CheckReport, hint: &str) -> Vec<String> {
    let permissions = r
        .permissions()
        .iter()
        .filter(|p| {
            matches!(
                p.status,
                PermissionStatus::Missing | PermissionStatus::Unchecked
            )
        })
        .filter(|p| {
            p.hint.as_deref() == Some(hint) || p.cause.as_ref().is_some_and(|c| c.hint == hint)
        })
        .map(|p| p.permission.clone());
    let readiness = r
        .readiness()
        .iter()
        .filter(|c| !c.ok)
        .filter(|c| {
            c.hint.as_deref() == Some(hint) || c.cause.as_ref().is_some_and(|d| d.hint == hint)
        })
        .map(|c| c.check.id().to_string());
    permissions.chain(readiness).collect()
}

/// The word for a failed permission row, from its cause.
fn missing_word(cause: Option<&Cause>) -> &'static str {
    use crate::domain::catalogue::*;
    match cause {
        None => "missing on the application",
        Some(c) if *c == SCOPE_MISSING => "missing on the application",
        Some(c) if *c == ROLE_DENIED => "denied by the Role",
        Some(c) if *c == ROLE_CLIENT_RESTRICTION => "hidden by the Role's client restriction",
        Some(c) if *c == TOKEN_WITHOUT_SCOPE => "missing: the token has no scope",
        _ => "not checked",
    }
}

fn steps_text(
    title: &str,
    steps: &[Step],
    page: Option<&str>,
    out: &mut Vec<String>,
    n: &mut usize,
) {
    if steps.is_empty() {
        return;
    }
    out.push(String::new());
    out.push(title.to_string());
    if let Some(page) = page {
        out.push(format!("  Halo's page for it (View Applications): {page}"));
    }
    let mut last_menu = "";
    for s in steps {
        if s.menu != last_menu {
            out.push(format!("  In {}:", s.menu));
            last_menu = &s.menu;
        }
        *n += 1;
        out.push(format!("  {:>3}. {}", n, s.line()));
    }
}

/// A preset's checklist as plain text.
pub fn checklist_text(p: &Preset) -> String {
    checklist_text_at(p, None)
}

/// A preset's checklist as plain text; `page` (Halo's applications page, as a link or plain URL)
/// heads the Application steps when the Halo address is known.
pub fn checklist_text_at(p: &Preset, page: Option<&str>) -> String {
    let mut out = vec![format!("{} ({}): {}", p.title, p.name, p.summary)];
    let mut n = 0;
    steps_text("1. The Role", &p.role, None, &mut out, &mut n);
    steps_text("2. The API-only Agent", &p.agent, None, &mut out, &mut n);
    steps_text(
        "3. The API Application",
        &p.application,
        page,
        &mut out,
        &mut n,
    );
    out.push(String::new());
    out.push(format!("Scopes: {}", p.scopes.join(", ")));
    for note in &p.notes {
        out.push(format!("Note: {note}"));
    }
    out.join("\n")
}

/// The Markdown checklist; `page` (Halo's applications page) heads the Application steps.
pub fn checklist_markdown_at(p: &Preset, page: Option<&str>) -> String {
    let mut out = vec![
        format!("# HaloPSA setup for {}", p.title),
        String::new(),
        p.summary.clone(),
    ];
    for (title, steps) in [
        ("The Role", &p.role),
        ("The API-only Agent", &p.agent),
        ("The API Application", &p.application),
    ] {
        if steps.is_empty() {
            continue;
        }
        out.push(String::new());
        out.push(format!("## {title}"));
        out.push(String::new());
        if let Some(page) = page.filter(|_| title == "The API Application") {
            out.push(format!("Halo's page for it: <{page}>"));
            out.push(String::new());
        }
        let mut last_menu = "";
        for s in steps.iter() {
            if s.menu != last_menu {
                if out.last().is_some_and(|l| !l.is_empty()) {
                    out.push(String::new());
                }
                out.push(format!("In **{}**:", s.menu));
                out.push(String::new());
                last_menu = &s.menu;
            }
            let why = s
                .why
                .as_ref()
                .map(|w| format!(" _({w})_"))
                .unwrap_or_default();
            out.push(format!("- [ ] **{}**: {}{why}", s.setting, s.value));
        }
        out.push(String::new());
    }
    out.push("## Scopes".into());
    out.push(String::new());
    for s in &p.scopes {
        out.push(format!("- `{s}`"));
    }
    if !p.notes.is_empty() {
        out.push(String::new());
        out.push("## Notes".into());
        out.push(String::new());
        for n in &p.notes {
            out.push(format!("- {n}"));
        }
    }
    out.push(String::new());
    out.push("Hand back: Client ID, Client Secret, Resource Server, Authorization Server (ending in \"/\") and Tenant (\"Not set\" on-premise).".into());
    out.join("\n")
}

#[cfg(test)]
mod tests {
    /// Every checklist exactly as `checklist --format text|markdown|json` prints it (the terminal
    /// adds the final newline), so any change to the data or its expansion shows up here.
    #[test]
    fn every_checklist_is_pinned() {
        use super::{checklist_markdown_at, checklist_text};
        use crate::domain::preset::all;
        for p in all() {
            let json = serde_json::to_string_pretty(p).expect("a preset serializes");
            insta::assert_snapshot!(format!("{}.text", p.name), checklist_text(p));
            insta::assert_snapshot!(
                format!("{}.markdown", p.name),
                checklist_markdown_at(p, None)
            );
            insta::assert_snapshot!(format!("{}.json", p.name), json);
        }
    }
}

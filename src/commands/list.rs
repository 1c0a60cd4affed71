//! `list`: one line per profile from the config file alone; it never touches the keyring or the
//! network, so it stays fast with hundreds of profiles.

use crate::error::AppError;
use crate::ui::json::{self, ListEntry};

use super::Ctx;

pub fn run(ctx: &Ctx) -> Result<i32, AppError> {
    let config = ctx.config.load()?;
    if ctx.global.json {
        let rows: Vec<ListEntry> = config
            .profiles
            .iter()
            .map(|(name, p)| ListEntry::new(name, p))
            .collect();
        ctx.term.out_raw(&json::to_string(&rows));
        return Ok(0);
    }
    if config.profiles.is_empty() {
        ctx.term.info(&format!(
            "No profiles in {}. Create one with `halo-connect init`.",
            ctx.config.path().display()
        ));
        return Ok(0);
    }
    let mut lines = vec![format!(
        "{:<16} {:<18} {:<40} {:<12} {:<8} LAST TEST",
        "PROFILE", "PRESET", "RESOURCE SERVER", "TENANT", "SECRET"
    )];
    for (name, p) in &config.profiles {
        let last = match &p.last_test {
            Some(t) if t.ok => format!("passed {}", t.at),
            Some(t) => format!("failed (exit {}) {}", t.exit_code, t.at),
            None => "never".to_string(),
        };
        // A sandbox profile's stored address is the last run's port; each test starts afresh.
        let rs = if p.sandbox {
            "(the emulator, started by each test)".to_string()
        } else {
            p.resource_server.clone()
        };
        lines.push(format!(
            "{:<16} {:<18} {:<40} {:<12} {:<8} {last}",
            name,
            p.preset,
            rs,
            p.tenant.as_deref().unwrap_or(crate::domain::url::NOT_SET),
            p.secret_store.as_str()
        ));
    }
    ctx.term.out(&lines.join("\n"));
    Ok(0)
}

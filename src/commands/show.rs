//! `show`: one profile's settings and where each value comes from now (profile, or an environment
//! variable that overrides it). The secret is never shown, only where it is kept.

use crate::domain::field::{env, Field};
use crate::domain::profile::{Profile, SecretStoreKind};
use crate::domain::url::NOT_SET;
use crate::error::AppError;
use crate::ui::json::{self, ShowOutput, ShownValue};

use super::{Ctx, DEFAULT_PROFILE};

pub fn run(ctx: &Ctx) -> Result<i32, AppError> {
    let name = ctx.profile_name(DEFAULT_PROFILE);
    let config = ctx.config.load()?;
    let p = config.get(&name)?.clone();
    let src = |field: Field| match field.env_var().filter(|v| ctx.env.is_set(v)) {
        Some(var) => format!("env {var} (overrides the profile)"),
        None => "profile".to_string(),
    };
    let secret_src = if ctx.env.is_set(env::CLIENT_SECRET) {
        format!("env {} (overrides the store)", env::CLIENT_SECRET)
    } else {
        match p.secret_store {
            crate::domain::profile::SecretStoreKind::Keyring => {
                format!("OS keyring, service {}", ctx.keyring_service())
            }
            crate::domain::profile::SecretStoreKind::File => {
                format!("file {}", ctx.credentials_path().display())
            }
            crate::domain::profile::SecretStoreKind::None if p.sandbox => {
                "the sandbox (it supplies its own secret)".to_string()
            }
            crate::domain::profile::SecretStoreKind::None => {
                format!("nowhere: set {} when you use it", env::CLIENT_SECRET)
            }
        }
    };
    // A sandbox profile's stored addresses are the last run's port; `test` starts the emulator
    // afresh and uses its addresses, so those are what is shown.
    let address = |stored: &String, field: Field| {
        if p.sandbox {
            (
                "the emulator's, on a free port at each test".to_string(),
                crate::domain::values::Source::Sandbox.to_string(),
            )
        } else {
            (stored.clone(), src(field))
        }
    };
    let (rs, rs_src) = address(&p.resource_server, Field::ResourceServer);
    let (auth, auth_src) = address(&p.auth_server, Field::AuthServer);
    let rows = [
        ("preset", p.preset.clone(), src(Field::Preset)),
        ("resource_server", rs, rs_src),
        ("auth_server", auth, auth_src),
        (
            "tenant",
            p.tenant.clone().unwrap_or_else(|| NOT_SET.into()),
            src(Field::Tenant),
        ),
        ("client_id", p.client_id.clone(), src(Field::ClientId)),
        (
            "client_secret",
            secret_state(ctx, &name, &p),
            secret_src.clone(),
        ),
    ];
    if ctx.global.json {
        let values = rows
            .iter()
            .map(|(k, v, s)| {
                let value = (*k != "client_secret").then(|| v.clone());
                (
                    *k,
                    ShownValue {
                        value,
                        source: s.clone(),
                    },
                )
            })
            .collect();
        let out = ShowOutput {
            profile: &name,
            config_path: ctx.config.path().display().to_string(),
            secret_store: p.secret_store.as_str(),
            sandbox: p.sandbox,
            hosting: p.hosting.map(|h| h.as_str()),
            scopes: &p.scopes,
            ca_cert: p.ca_cert.as_deref(),
            last_test: p.last_test.as_ref(),
            values,
        };
        ctx.term.out_raw(&json::to_string(&out));
        return Ok(0);
    }
    let mut lines = vec![format!(
        "Profile `{name}` in {}",
        ctx.config.path().display()
    )];
    for (k, v, s) in &rows {
        lines.push(format!("  {k:<16} {v:<44} from {s}"));
    }
    if let Some(h) = p.hosting {
        lines.push(format!("  {:<16} {}", "hosting", h.label()));
    }
    if !p.scopes.is_empty() {
        lines.push(format!("  {:<16} {}", "scopes", p.scopes.join(", ")));
    }
    if let Some(ca) = &p.ca_cert {
        lines.push(format!("  {:<16} {ca}", "ca_cert"));
    }
    if p.sandbox {
        lines.push("  This is a sandbox profile: `test` starts the emulator to test it.".into());
    }
    match &p.last_test {
        Some(t) => lines.push(format!(
            "  last test        {} (exit {}) at {}",
            if t.ok { "passed" } else { "failed" },
            t.exit_code,
            t.at
        )),
        None => lines.push("  last test        never".into()),
    }
    ctx.term.out(&lines.join("\n"));
    Ok(0)
}

/// Whether the secret is really where the profile says: the store is read, not trusted.
fn secret_state(ctx: &Ctx, name: &str, p: &Profile) -> String {
    if p.sandbox || p.secret_store == SecretStoreKind::None {
        return "(not stored)".to_string();
    }
    match ctx.stored_secret(name, p) {
        Ok(Some(_)) => "(hidden)".to_string(),
        Ok(None) => format!("MISSING: run `halo-connect secret set {name}`"),
        Err(e) => format!("UNREADABLE: {e}"),
    }
}

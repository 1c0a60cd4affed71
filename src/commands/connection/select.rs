//! Which one connection `test`, `test --all` and `token` act on: the stored profile, the
//! environment alone or the sandbox, and the preset each is tested with.

use crate::domain::field::env;
use crate::domain::profile::Profile;
use crate::error::AppError;
use crate::sandbox::Sandbox;

use crate::commands::{choose_preset, fallback_profile};

use super::super::Ctx;
use super::*;

/// Which one connection `test` or `token` acts on.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--from-env`: the environment alone, no profile.
    pub from_env: bool,
    /// `--sandbox`: the built-in emulator.
    pub sandbox: bool,
    pub scenario: Option<String>,
    /// `--preset` (or `HALO_PRESET`): overrides the stored preset, with a warning.
    pub preset: Option<String>,
}

/// Resolves the one connection a selection names: the environment, the sandbox (a sandbox
/// profile is tested against the scenario it was made with), or a stored profile with `HALO_*`
/// overrides. A sandbox started for it is handed back in `sandbox`, to live as long as the test.
pub fn select(
    ctx: &Ctx,
    sel: &Selection,
    sandbox: &mut Option<Sandbox>,
) -> Result<Connection, AppError> {
    let name = ctx.profile_name(fallback_profile(sel.from_env, sel.sandbox));
    // `--from-env` reads no config: the environment is the whole connection.
    let config = if sel.from_env {
        None
    } else {
        Some(ctx.config.load()?)
    };
    let stored: Option<&Profile> = match config.as_ref().map(|c| c.get(&name)) {
        Some(Ok(p)) => Some(p),
        Some(Err(e)) if !sel.sandbox => return Err(e.into()),
        _ => None,
    };
    let overridden = stored.filter(|st| sel.preset.as_ref().is_some_and(|p| *p != st.preset));
    if let (Some(p), Some(st)) = (&sel.preset, overridden) {
        ctx.term.warn(&format!(
            "--preset (or {}) {p} overrides profile `{name}`'s preset {}.",
            env::PRESET,
            st.preset
        ));
    }
    let preset = choose_preset(sel.preset.as_deref(), None, stored, false)?;
    if sel.from_env {
        return resolve(ctx, &name, Origin::Env, preset, false);
    }
    match stored {
        Some(p) if !sel.sandbox && !p.sandbox => resolve(
            ctx,
            &name,
            Origin::Profile {
                profile: p,
                env_overrides: true,
            },
            preset,
            true,
        ),
        _ => {
            let scenario = crate::commands::scenario_for(sel.scenario.as_deref(), stored)?;
            let sb = sandbox.insert(crate::commands::start_sandbox(ctx, scenario)?);
            resolve(ctx, &name, Origin::Sandbox(sb), preset, stored.is_some())
        }
    }
}

//! Which one connection `test`, `test --all` and `token` act on: the stored profile, the
//! environment alone or the sandbox, and the preset each is tested with.

use crate::domain::field::env;
use crate::domain::preset::Preset;
use crate::domain::profile::Profile;
use crate::error::AppError;
use crate::sandbox::Sandbox;

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
    if sel.from_env {
        let preset = named_for_test(sel.preset.as_deref().unwrap_or("billing"))?;
        return resolve(ctx, &ctx.profile_name("env"), Origin::Env, preset, false);
    }
    let name = ctx.profile_name(if sel.sandbox {
        crate::commands::SANDBOX_PROFILE
    } else {
        crate::commands::DEFAULT_PROFILE
    });
    let config = ctx.config.load()?;
    let stored: Option<&Profile> = match config.get(&name) {
        Ok(p) => Some(p),
        Err(e) if !sel.sandbox => return Err(e.into()),
        Err(_) => None,
    };
    let preset = match (&sel.preset, stored) {
        (Some(p), stored) => {
            if let Some(st) = stored.filter(|st| st.preset != *p) {
                ctx.term.warn(&format!(
                    "--preset (or {}) {p} overrides profile `{name}`'s preset {}.",
                    env::PRESET,
                    st.preset
                ));
            }
            match stored.filter(|st| st.preset == *p) {
                Some(st) => stored_preset(st)?,
                None => named_for_test(p)?,
            }
        }
        (None, Some(p)) => stored_preset(p)?,
        (None, None) => crate::commands::preset_named("billing", None)?,
    };
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
            let scenario = sel
                .scenario
                .clone()
                .or_else(|| stored.and_then(|p| p.scenario.clone()));
            let sb = sandbox.insert(crate::commands::start_sandbox(ctx, scenario.as_deref())?);
            resolve(ctx, &name, Origin::Sandbox(sb), preset, stored.is_some())
        }
    }
}

/// A preset named to `test` or `token`, which take no `--scopes`: `custom` has its scopes only in
/// a profile, so the way there is named.
fn named_for_test(name: &str) -> Result<Preset, AppError> {
    if name.trim().eq_ignore_ascii_case("custom") {
        return Err(AppError::config(
            "the custom preset has no scopes of its own, and `test` takes none on the command line",
        )
        .with_hint("save the scopes in a profile with `halo-connect init --profile NAME --preset custom --scopes read:tickets,edit:tickets`, then run `halo-connect test --profile NAME`"));
    }
    crate::commands::preset_named(name, None)
}

/// A stored profile's preset, with its own scopes when it is `custom`.
pub fn stored_preset(p: &Profile) -> Result<Preset, AppError> {
    crate::commands::preset_named(&p.preset, Some(p.scopes.clone()).filter(|s| !s.is_empty()))
}

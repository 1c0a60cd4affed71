//! Which preset a command uses: the one named (or a file of the user's, or `custom` with scopes),
//! the one a stored profile keeps, or the one an integration's form feeds. No I/O but a preset file.

use crate::cli::ValueArgs;
use crate::domain::preset::{self, parse_presets, Preset};
use crate::domain::profile::Profile;
use crate::domain::scope::Scope;
use crate::error::AppError;

/// Resolves the preset: a user's file, a named one, the stored one, or billing.
pub fn resolve_preset(values: &ValueArgs, stored: Option<&Profile>) -> Result<Preset, AppError> {
    if let Some(path) = &values.preset_file {
        // A regular file of at most 1 MiB: a FIFO or /dev/zero is refused at once.
        let bytes = crate::store::read_regular_file(
            path,
            1024 * 1024,
            "it is larger than 1 MiB, which no preset file is",
        )
        .map_err(|e| {
            AppError::config(e.to_string())
                .with_hint("give --preset-file a TOML file shaped like `halo-connect presets show billing --json` describes")
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            AppError::config(format!(
                "cannot read the preset file {}: it is not UTF-8 text",
                path.display()
            ))
        })?;
        let presets = parse_presets(&text)
            .map_err(|e| AppError::config(format!("{}: {e}", path.display())))?;
        let wanted = values.preset.as_deref();
        let found = match wanted {
            Some(name) => presets.into_iter().find(|p| p.name == name),
            None => presets.into_iter().next(),
        };
        return found.ok_or_else(|| {
            AppError::config(format!(
                "the preset file {} has no preset {:?}",
                path.display(),
                wanted.unwrap_or("")
            ))
        });
    }
    choose_preset(
        values.preset.as_deref(),
        values.scopes.clone(),
        stored,
        true,
    )
}

/// The name of the preset a command uses: the one named (`--preset`, `HALO_PRESET`), else the
/// stored profile's, else billing.
pub fn preset_name<'a>(named: Option<&'a str>, stored: Option<&'a Profile>) -> &'a str {
    named
        .or(stored.map(|p| p.preset.as_str()))
        .unwrap_or(preset::DEFAULT)
}

/// The preset a command uses (`preset_name`). Stored scopes belong to the stored preset: a newly
/// named preset does not inherit them. `scopes` are the command's own `--scopes`; a command that
/// takes none (`takes_scopes` false: `test`, `token`) is sent to a profile for `custom`.
pub fn choose_preset(
    named: Option<&str>,
    scopes: Option<Vec<String>>,
    stored: Option<&Profile>,
    takes_scopes: bool,
) -> Result<Preset, AppError> {
    let name = preset_name(named, stored);
    let stored_scopes = stored
        .filter(|p| named.is_none_or(|n| n == p.preset))
        .map(|p| p.scopes.clone())
        .filter(|s| !s.is_empty());
    if !takes_scopes && stored_scopes.is_none() && preset::is_custom(name) {
        return Err(AppError::config(
            "the custom preset has no scopes of its own, and `test` takes none on the command line",
        )
        .with_hint("save the scopes in a profile with `halo-connect init --profile NAME --preset custom --scopes read:tickets,edit:tickets`, then run `halo-connect test --profile NAME`"));
    }
    preset_named(name, scopes.or(stored_scopes))
}

/// A stored profile's preset, with its own scopes when it is `custom`.
pub fn stored_preset(p: &Profile) -> Result<Preset, AppError> {
    choose_preset(None, None, Some(p), false)
}

/// The integration profile named by `--for` or `--as`; an unknown name is a usage error (exit 2)
/// listing the known ones with the nearest.
pub fn integration_named(
    name: &str,
) -> Result<&'static crate::domain::integration::Integration, AppError> {
    crate::domain::integration::lookup(name).map_err(|e| {
        AppError::usage(e.to_string())
            .with_hint("name one of them; `halo-connect handoff --for NAME` shows its form")
    })
}

/// Returns a named preset; `custom` takes its scopes from --scopes.
pub fn preset_named(name: &str, scopes: Option<Vec<String>>) -> Result<Preset, AppError> {
    if preset::is_custom(name) {
        let list = scopes.unwrap_or_default();
        if list.is_empty() {
            return Err(AppError::config("the custom preset needs its scopes: give them with --scopes read:tickets,edit:tickets")
                .with_hint("scopes are read:AREA or edit:AREA (see `halo-connect presets show billing` for real ones), or all:teams, admin:webhooks"));
        }
        let mut parsed = Vec::new();
        for s in list.iter().filter(|s| !s.trim().is_empty()) {
            let scope = Scope::parse(s)
                .map_err(|why| AppError::config(format!("the scope {s:?} was refused: {why}")))?;
            if !parsed.contains(&scope.as_str().to_string()) {
                parsed.push(scope.as_str().to_string());
            }
        }
        return Ok(Preset::custom(parsed));
    }
    if scopes.as_ref().is_some_and(|s| !s.is_empty()) {
        return Err(AppError::usage(format!(
            "--scopes works only with --preset custom, not with --preset {name}"
        )));
    }
    Ok(preset::lookup(name)?.clone())
}

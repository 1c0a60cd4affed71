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
    let name = values
        .preset
        .clone()
        .or_else(|| stored.map(|p| p.preset.clone()))
        .unwrap_or_else(|| "billing".into());
    // Stored scopes belong to the stored preset: a newly named preset does not inherit them.
    let scopes = values.scopes.clone().or_else(|| {
        stored
            .filter(|p| {
                values.preset.is_none() || values.preset.as_deref() == Some(p.preset.as_str())
            })
            .map(|p| p.scopes.clone())
            .filter(|s| !s.is_empty())
    });
    preset_named(&name, scopes)
}

/// Returns a named preset; `custom` takes its scopes from --scopes.
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

pub fn preset_named(name: &str, scopes: Option<Vec<String>>) -> Result<Preset, AppError> {
    if name.trim().eq_ignore_ascii_case("custom") {
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

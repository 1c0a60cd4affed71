//! `export`: a stored profile as `HALO_*` variables (env, dotenv, json or PowerShell) that
//! `test --from-env` reads back. The Client Secret is added only with `--with-secret`, read from
//! the profile's store, and never written to a terminal or to a regular file (`> FILE`) that is not
//! this user's and private. `--output FILE` writes 0600 atomically
//! and replaces a file only with `--force`.

use clap::ValueEnum;

use crate::cli::{ExportArgs, ExportFormat};
use crate::domain::field::env;
use crate::domain::handoff::variables;
use crate::domain::profile::{Profile, SecretStoreKind};
use crate::domain::secret::Secret;
use crate::error::AppError;
use crate::ui::export::{render, Format};

use super::handoff::secret_place;
use super::Ctx;

pub fn run(ctx: &Ctx, args: ExportArgs) -> Result<i32, AppError> {
    let format = format_of(ctx, args.format)?;
    if args.with_secret && args.output.is_none() && ctx.term.stdout_tty {
        return Err(AppError::usage(
            "--with-secret would print the Client Secret on this terminal, where it stays in the scrollback",
        )
        .with_hint("pipe it where it goes (eval \"$(halo-connect export --with-secret)\" sets it in your shell), or write it with --output FILE"));
    }
    if args.with_secret && args.output.is_none() {
        if let Some(why) = ctx.term.stdout_exposed_file() {
            return Err(AppError::usage(format!(
                "--with-secret would write the Client Secret where others could read it: {why}"
            ))
            .with_hint("write it with --output FILE, which is made 0600, or make the file private before redirecting to it (`umask 077`, or `chmod 600 FILE`)"));
        }
    }
    let name = ctx.profile_name(super::DEFAULT_PROFILE);
    let config = ctx.config.load()?;
    let profile = config.get(&name)?;
    if let Some(path) = args.output.as_deref().filter(|p| !args.force && p.exists()) {
        return Err(AppError::config(format!(
            "{} already exists; export does not overwrite it",
            path.display()
        ))
        .with_hint("add --force to replace it, or choose another --output FILE"));
    }
    let vars = variables(profile);
    for (var, value) in &vars {
        if let Some(c) = value.chars().find(|c| c.is_control()) {
            return Err(AppError::config(format!(
                "the value of {var} stored in profile `{name}` contains the control character {c:?}, which no script should be handed"
            ))
            .with_hint(format!(
                "fix it in {}, or run `halo-connect init --profile {name} --force`",
                ctx.config.path().display()
            )));
        }
    }
    if profile.preset == crate::domain::preset::CUSTOM {
        ctx.term.warn(&format!(
            "profile `{name}` uses the custom preset, whose scopes no HALO_* variable carries, so {} is left out; `test --from-env` tests the billing preset's permissions unless given --preset custom with --scopes.",
            env::PRESET
        ));
    }
    if profile.sandbox {
        ctx.term.warn(&sandbox_port_note(&name, profile));
    }
    let secret = if args.with_secret {
        Some(stored_secret(ctx, &name, profile)?)
    } else {
        None
    };
    let mut pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if let Some(s) = &secret {
        pairs.push((env::CLIENT_SECRET, s.expose()));
    }
    let header: String = format!(
        "HALO_* variables of halo-connect profile `{name}`{}",
        if secret.is_some() {
            ", with its Client Secret"
        } else {
            ""
        }
    )
    .chars()
    .map(|c| if c.is_control() { ' ' } else { c })
    .collect();
    let text = render(format, &header, &pairs)
        .map_err(|why| AppError::config(format!("cannot export profile `{name}`: {why}")))?;
    match &args.output {
        None => ctx.term.out_raw(&text),
        Some(path) => {
            crate::store::write_private(path, text.as_bytes(), args.force).map_err(|e| {
                AppError::config(e.to_string()).with_hint(
                    "choose an --output FILE in a directory you can write to, or leave --output out to print to stdout",
                )
            })?;
            ctx.term.info(&format!(
                "Wrote {} variables of profile `{name}` to {} (mode 0600){}.",
                pairs.len(),
                path.display(),
                if secret.is_some() {
                    ", with the Client Secret"
                } else {
                    ""
                }
            ));
        }
    }
    Ok(0)
}

/// --format, or --json; the two naming different formats is a usage error.
fn format_of(ctx: &Ctx, given: Option<ExportFormat>) -> Result<Format, AppError> {
    let format = match (given, ctx.global.json) {
        (Some(f), true) if f != ExportFormat::Json => {
            let name = f.to_possible_value().map(|v| v.get_name().to_string());
            return Err(AppError::usage(format!(
                "--json and --format {} ask for two formats; give one of them",
                name.unwrap_or_default()
            )));
        }
        (None, true) => ExportFormat::Json,
        (f, _) => f.unwrap_or(ExportFormat::Env),
    };
    Ok(match format {
        ExportFormat::Env => Format::Env,
        ExportFormat::Dotenv => Format::Dotenv,
        ExportFormat::Json => Format::Json,
        ExportFormat::Powershell => Format::Powershell,
    })
}

/// What a sandbox profile's stored addresses need: the emulator serving on their port again.
pub(super) fn sandbox_port_note(name: &str, profile: &Profile) -> String {
    let port = url::Url::parse(&profile.resource_server)
        .ok()
        .and_then(|u| u.port());
    match port {
        Some(port) => format!(
            "profile `{name}` was made against the built-in sandbox, whose port {port} served only that run; start it there again with `halo-connect sandbox --port {port}` (in another terminal) and these values work, the Client Secret being the demo secret it prints."
        ),
        None => format!(
            "profile `{name}` was made against the built-in sandbox, which served only that run; `halo-connect sandbox` starts it again and prints the values to use."
        ),
    }
}

/// The Client Secret from the profile's own store; where there is none, says where it should
/// come from instead.
fn stored_secret(ctx: &Ctx, name: &str, profile: &Profile) -> Result<Secret, AppError> {
    // A profile that stores none has its secret where it is used: that is not exported.
    if profile.secret_store == SecretStoreKind::None && !profile.sandbox {
        let why = format!("profile `{name}` keeps no Client Secret (secret store: none), so --with-secret has nothing to add");
        return Err(AppError::config(why).with_hint(format!(
            "the secret comes from {} where the profile is used: set it in the script's environment or CI secret store, or store it with `halo-connect init --profile {name} --force --secret-store file`",
            env::CLIENT_SECRET
        )));
    }
    match super::connection::profile_secret(ctx, name, profile)? {
        Some(s) => Ok(s),
        None => Err(AppError::config(format!(
            "no Client Secret is stored for profile `{name}` in {}",
            secret_place(ctx, profile)
        ))
        .with_hint(format!(
            "store it again with `halo-connect init --profile {name} --force`, or set {} where the script runs instead of exporting it",
            env::CLIENT_SECRET
        ))),
    }
}

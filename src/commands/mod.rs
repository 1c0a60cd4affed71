//! The composition root: one file per subcommand turns flags and environment into options, wires
//! the store, the Halo client, the sandbox and the terminal together, and calls the lower layers.
//! This is the only layer that knows every other one; it holds no protocol or storage rules.

pub mod checklist;
pub mod ci_output;
pub mod completions;
pub mod init;
pub mod list;
pub mod man;
pub mod presets;
pub mod remove;
pub mod sandbox;
pub mod show;
pub mod test;
pub mod token;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::parser::ValueSource;
use clap::ArgMatches;

use crate::cli::{Cli, Command, GlobalArgs, ValueArgs};
use crate::domain::preset::{self, parse_presets, Preset};
use crate::domain::profile::{Profile, SecretStoreKind};
use crate::domain::scope::Scope;
use crate::domain::secret::Secret;
use crate::domain::url::Field;
use crate::domain::values::{RawValues, Source, Sourced};
use crate::error::{AppError, ErrorKind};
use crate::halo::{ClientOptions, HaloClient};
use crate::sandbox::{Sandbox, SandboxOptions, Scenario};
use crate::store::{open_store, ConfigFile, SecretStore};
use crate::ui::term::Term;

/// The environment, read once at start: nothing below `lib::run` reads `std::env`.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
}

impl Env {
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
    pub fn is_set(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Everything a command needs.
pub struct Ctx {
    pub global: GlobalArgs,
    pub env: Env,
    pub term: Term,
    pub config: ConfigFile,
    /// The subcommand's matches, to tell a flag from an environment variable.
    pub matches: ArgMatches,
}

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";
/// The profile `--sandbox` uses when none is named.
pub const SANDBOX_PROFILE: &str = "sandbox";
/// How long a keyring may take to answer before the tool says so.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(3);

impl Ctx {
    pub fn new(cli: &Cli, matches: ArgMatches, env: Env, term: Term) -> Result<Ctx, AppError> {
        let path = match &cli.global.config {
            Some(p) => p.clone(),
            None => ConfigFile::default_path(env.get("XDG_CONFIG_HOME").map(Path::new))
                .ok_or_else(|| {
                    AppError::config(
                        "cannot find a config directory: neither XDG_CONFIG_HOME nor HOME is set",
                    )
                    .with_hint("give the config file with --config PATH or HALO_CONNECT_CONFIG")
                })?,
        };
        Ok(Ctx {
            global: cli.global.clone(),
            env,
            term,
            config: ConfigFile::new(path),
            matches,
        })
    }

    /// The profile name: --profile / HALO_PROFILE, else `fallback`.
    pub fn profile_name(&self, fallback: &str) -> String {
        self.global
            .profile
            .clone()
            .unwrap_or_else(|| fallback.to_string())
    }

    /// Whether the user named a profile.
    pub fn profile_given(&self) -> bool {
        self.global.profile.is_some()
    }

    /// Where a value came from: the command line or the environment.
    pub fn source_of(&self, id: &str) -> Source {
        match self.matches.value_source(id) {
            Some(ValueSource::EnvVariable) => Source::Env,
            _ => Source::Flag,
        }
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.config
            .path()
            .parent()
            .map(|d| d.join("credentials.toml"))
            .unwrap_or_else(|| PathBuf::from("credentials.toml"))
    }

    pub fn keyring_service(&self) -> String {
        self.env
            .get("HALO_CONNECT_KEYRING_SERVICE")
            .unwrap_or("halo-connect")
            .to_string()
    }

    pub fn secret_store(&self, kind: SecretStoreKind) -> Box<dyn SecretStore> {
        open_store(
            kind,
            &self.keyring_service(),
            self.credentials_path(),
            KEYRING_TIMEOUT,
        )
    }

    /// Whether prompting is allowed: stdin and stdout are terminals (and stderr, where the prompts
    /// are drawn), and neither --non-interactive, --json nor CI says otherwise.
    pub fn can_prompt(&self, non_interactive: bool) -> bool {
        !non_interactive
            && !self.env.is_set("CI")
            && !self.global.json
            && self.term.stdin_tty
            && self.term.stdout_tty
            && self.term.stderr_tty
    }

    /// Builds the HTTP client from --timeout and --ca-cert (or a profile's stored CA file).
    pub fn client(
        &self,
        extra_ca_pem: Option<String>,
        profile_ca: Option<&str>,
    ) -> Result<HaloClient, AppError> {
        let mut pem: Vec<u8> = Vec::new();
        let ca_path = self
            .global
            .ca_cert
            .clone()
            .or_else(|| profile_ca.map(PathBuf::from));
        if let Some(path) = &ca_path {
            pem = std::fs::read(path).map_err(|e| {
                AppError::config(format!(
                    "cannot read the CA certificate {}: {e}",
                    path.display()
                ))
                .with_hint("give a PEM file with --ca-cert PATH")
            })?;
        }
        if let Some(extra) = extra_ca_pem {
            pem.extend_from_slice(extra.as_bytes());
        }
        if self.global.timeout == 0 {
            return Err(AppError::usage("--timeout must be at least 1 second"));
        }
        let opts = ClientOptions {
            timeout: Duration::from_secs(self.global.timeout),
            ca_cert_pem: if pem.is_empty() { None } else { Some(pem) },
            ..ClientOptions::default()
        };
        HaloClient::new(opts).map_err(|e| {
            let place = ca_path
                .as_ref()
                .map(|p| format!(" ({})", p.display()))
                .unwrap_or_default();
            AppError::config(format!("{e}{place}"))
                .with_hint("give a PEM file of the CA's root certificate with --ca-cert PATH")
        })
    }
}

/// Runs the parsed command.
pub fn dispatch(cli: Cli, ctx: &mut Ctx) -> Result<i32, AppError> {
    match cli.command {
        Command::Init(a) => init::run(ctx, a),
        Command::Test(a) => test::run(ctx, a),
        Command::List => list::run(ctx),
        Command::Show => show::run(ctx),
        Command::Remove(a) => remove::run(ctx, a),
        Command::Token(a) => token::run(ctx, a),
        Command::Presets(a) => presets::run(ctx, a),
        Command::Checklist(a) => checklist::run(ctx, a),
        Command::Sandbox(a) => sandbox::run(ctx, a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
    }
}

/// A current-thread runtime: the client's work is I/O bound and one thread starts fastest.
pub fn runtime() -> Result<tokio::runtime::Runtime, AppError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::internal(format!("cannot start the async runtime: {e}")))
}

/// Resolves the preset: a user's file, a named one, the stored one, or billing.
pub fn resolve_preset(values: &ValueArgs, stored: Option<&Profile>) -> Result<Preset, AppError> {
    if let Some(path) = &values.preset_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            AppError::config(format!(
                "cannot read the preset file {}: {e}",
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

/// Reads the secret from --client-secret-stdin, --client-secret-file or HALO_CLIENT_SECRET.
pub fn secret_from_inputs(
    ctx: &Ctx,
    values: &ValueArgs,
) -> Result<Option<(Secret, Source)>, AppError> {
    if values.client_secret_stdin {
        if ctx.term.stdin_tty {
            return Err(AppError::usage(
                "--client-secret-stdin reads the secret from a pipe, but stdin is a terminal; pipe it in (printf '%s' \"$SECRET\" | halo-connect ...) or leave the flag out to be asked for it hidden",
            ));
        }
        // Bounded, and wiped on drop: a secret is a line, not a file.
        let mut text = zeroize::Zeroizing::new(String::new());
        std::io::Read::read_to_string(
            &mut std::io::Read::take(std::io::stdin(), 64 * 1024),
            &mut text,
        )
        .map_err(|e| AppError::config(format!("cannot read the Client Secret from stdin: {e}")))?;
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        return Ok(Some((Secret::new(first), Source::Flag)));
    }
    if let Some(path) = &values.client_secret_file {
        let s = crate::store::read_secret_file(path).map_err(AppError::from)?;
        return Ok(Some((s, Source::Flag)));
    }
    Ok(ctx
        .env
        .get("HALO_CLIENT_SECRET")
        .map(|s| (Secret::new(s), Source::Env)))
}

/// The raw values from flags and environment.
pub fn raw_from_flags(ctx: &Ctx, v: &ValueArgs) -> RawValues {
    let s =
        |val: &Option<String>, id: &str| val.clone().map(|x| Sourced::new(x, ctx.source_of(id)));
    RawValues {
        url: s(&v.url, "url"),
        resource_server: s(&v.resource_server, "resource_server"),
        auth_server: s(&v.auth_server, "auth_server"),
        tenant: s(&v.tenant, "tenant"),
        client_id: s(&v.client_id, "client_id"),
    }
}

/// The raw values of a stored profile.
pub fn raw_from_profile(p: &Profile) -> RawValues {
    let s = |v: &str| Some(Sourced::new(v.to_string(), Source::Stored));
    RawValues {
        url: None,
        resource_server: s(&p.resource_server),
        auth_server: s(&p.auth_server),
        tenant: Some(Sourced::new(
            p.tenant.clone().unwrap_or_else(|| "Not set".into()),
            Source::Stored,
        )),
        client_id: s(&p.client_id),
    }
}

/// The raw values a running sandbox gives.
pub fn raw_from_sandbox(sb: &Sandbox) -> RawValues {
    let s = |v: String| Some(Sourced::new(v, Source::Sandbox));
    RawValues {
        url: None,
        resource_server: s(sb.resource_server()),
        auth_server: s(sb.auth_server()),
        tenant: s(sb.tenant().to_string()),
        client_id: s(sb.client_id().to_string()),
    }
}

/// Starts the emulator for `--sandbox`. HALO_SANDBOX_SECRET sets the secret it accepts.
pub fn start_sandbox(ctx: &Ctx, scenario: Option<&str>) -> Result<Sandbox, AppError> {
    let scenario = parse_scenario(scenario.unwrap_or("healthy"))?;
    let opts = SandboxOptions {
        scenario,
        client_secret: ctx.env.get("HALO_SANDBOX_SECRET").map(Secret::new),
        latency: Duration::from_millis(
            ctx.env
                .get("HALO_SANDBOX_LATENCY_MS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        ),
        ..SandboxOptions::default()
    };
    Sandbox::start(opts).map_err(|e| {
        AppError::new(
            ErrorKind::Connection,
            format!("cannot start the sandbox on 127.0.0.1: {e}"),
        )
    })
}

pub fn parse_scenario(name: &str) -> Result<Scenario, AppError> {
    name.parse::<Scenario>().map_err(|_| {
        AppError::config(format!("there is no sandbox scenario named {name:?}"))
            .with_hint("run `halo-connect sandbox --list-scenarios` to see them")
    })
}

/// Lists every missing field in the order the operator would give them.
pub fn missing_secret_error() -> crate::domain::url::ValueError {
    crate::domain::url::ValueError::missing(Field::ClientSecret)
}

/// The current time as RFC 3339 UTC, for `last_test`.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

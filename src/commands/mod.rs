//! The composition root: one file per subcommand turns flags and environment into options, wires
//! the store, the Halo client, the sandbox and the terminal together, and calls the lower layers.
//! This is the only layer that knows every other one; it holds no protocol or storage rules.

pub mod bundle;
pub mod checklist;
pub mod ci_output;
pub mod completions;
pub mod connection;
pub mod default;
pub mod export;
pub mod handoff;
pub mod init;
pub mod list;
pub mod man;
pub mod output;
mod preset_choice;
pub mod presets;
pub mod remove;
pub mod sandbox;
pub mod secret;
pub mod session;
pub mod show;
pub mod status;
pub mod test;
pub mod test_as;
pub mod token;

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::parser::ValueSource;
use clap::ArgMatches;

use crate::cli::{Cli, Command, GlobalArgs, ValueArgs};
use crate::domain::binding::{Binding, Fit};
use crate::domain::field::env;
use crate::domain::profile::{Profile, SecretStoreKind};
use crate::domain::secret::Secret;
use crate::domain::values::Source;
use crate::error::{AppError, Kind};
use crate::sandbox::{Sandbox, SandboxOptions, Scenario};
use crate::store::{open_store, ConfigFile, SecretStore};
use crate::ui::term::Term;

pub use preset_choice::{
    choose_preset, integration_named, preset_name, resolve_preset, stored_preset,
};
use session::Session;

/// The environment, read once at start: nothing below `lib::run` reads `std::env`.
/// `HALO_CLIENT_SECRET` is held as a `Secret`, so our copy of it is wiped on exit.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: HashMap<String, String>,
    client_secret: Option<Secret>,
}

impl Env {
    pub fn from_process() -> Env {
        let mut vars: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let client_secret = vars
            .remove(crate::domain::field::env::CLIENT_SECRET)
            .map(Secret::new);
        Env {
            vars,
            client_secret,
        }
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        if name == crate::domain::field::env::CLIENT_SECRET {
            return self
                .client_secret
                .as_ref()
                .map(Secret::expose)
                .filter(|v| !v.is_empty());
        }
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
    pub fn is_set(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The proxy variables, upper case first, as curl and reqwest read them.
    pub fn proxies(&self) -> crate::halo::Proxies {
        let either = |upper: &str| {
            self.get(upper)
                .or_else(|| self.get(&upper.to_ascii_lowercase()))
                .map(str::to_string)
        };
        crate::halo::Proxies {
            https: either("HTTPS_PROXY"),
            http: either("HTTP_PROXY"),
            all: either("ALL_PROXY"),
            no_proxy: either("NO_PROXY"),
        }
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
    /// Sockets per host (`test --concurrency`); set before the first request.
    pub concurrency: usize,
    /// Records every client's exchanges for `--report` (`bundle::around`); set before the first
    /// request.
    pub recorder: Option<std::sync::Arc<crate::halo::record::Recorder>>,
    session: OnceCell<Session>,
    /// The config file's `default_profile` (`halo-connect use`), read on first need.
    default_profile: OnceCell<Option<String>>,
    /// The profile this run acts on, once `profile_name` has decided it: the error JSON names it.
    acting: std::cell::RefCell<Option<String>>,
}

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";
/// The profile `--sandbox` uses when none is named.
pub const SANDBOX_PROFILE: &str = "sandbox";
/// The name `test --from-env` reports under: no profile is read.
pub const ENV_PROFILE: &str = "env";
/// The keyring's service name, unless `HALO_CONNECT_KEYRING_SERVICE` names another.
pub const KEYRING_SERVICE: &str = "halo-connect";
/// How long a keyring may take to answer before the tool says so.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(3);

/// The profile a command acts on when none is named: `env` for `--from-env`, `sandbox` for
/// `--sandbox`, else `default` (the config's `default_profile` stands in for it:
/// `Ctx::profile_name`).
pub fn fallback_profile(from_env: bool, sandbox: bool) -> &'static str {
    if from_env {
        ENV_PROFILE
    } else if sandbox {
        SANDBOX_PROFILE
    } else {
        DEFAULT_PROFILE
    }
}

impl Ctx {
    pub fn new(cli: &Cli, matches: ArgMatches, env: Env, term: Term) -> Result<Ctx, AppError> {
        let path = match &cli.global.config {
            Some(p) => p.clone(),
            None => ConfigFile::default_path(env.get("XDG_CONFIG_HOME").map(Path::new))
                .ok_or_else(|| {
                    AppError::config(
                        "cannot find a config directory: neither XDG_CONFIG_HOME nor HOME is set",
                    )
                    .with_hint(format!(
                        "give the config file with --config PATH or {}",
                        env::CONFIG
                    ))
                })?,
        };
        Ok(Ctx {
            global: cli.global.clone(),
            env,
            term,
            config: ConfigFile::new(path),
            matches,
            concurrency: 16,
            recorder: None,
            session: OnceCell::new(),
            default_profile: OnceCell::new(),
            acting: Default::default(),
        })
    }

    /// The profile name: the one named (by position, --profile or HALO_PROFILE), else the config's
    /// default (`halo-connect use`) where the fallback is `default`, else `fallback`.
    pub fn profile_name(&self, fallback: &str) -> String {
        let name = self.decide_profile(fallback);
        *self.acting.borrow_mut() = Some(name.clone());
        name
    }

    fn decide_profile(&self, fallback: &str) -> String {
        if let Some(named) = &self.global.profile {
            return named.clone();
        }
        if fallback == DEFAULT_PROFILE {
            // A config that cannot be read is reported by the command that loads it.
            let chosen = self
                .default_profile
                .get_or_init(|| self.config.load().ok().and_then(|c| c.default_profile));
            if let Some(name) = chosen {
                return name.clone();
            }
        }
        fallback.to_string()
    }

    /// The profile the command decided to act on, if it got that far.
    pub fn acting_profile(&self) -> Option<String> {
        self.acting.borrow().clone()
    }

    /// Takes a profile named by position as --profile; both, naming different profiles, is a
    /// usage error (a positional name wins over HALO_PROFILE).
    pub fn name_profile(&mut self, positional: Option<&str>) -> Result<(), AppError> {
        let Some(name) = positional else {
            return Ok(());
        };
        if let Some(flag) = &self.global.profile {
            if flag != name
                && self.matches.value_source("profile") == Some(ValueSource::CommandLine)
            {
                return Err(AppError::usage(format!(
                    "the profile is named twice, as `{name}` and as --profile {flag}; give one of them"
                )));
            }
        }
        self.global.profile = Some(name.to_string());
        Ok(())
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
            .get(env::KEYRING_SERVICE)
            .unwrap_or(KEYRING_SERVICE)
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

    /// Stores a profile's secret bound to the servers and Client ID it was tested with
    /// (`domain::binding`).
    pub fn store_secret(
        &self,
        kind: SecretStoreKind,
        name: &str,
        secret: &Secret,
        binding: &Binding,
    ) -> Result<(), AppError> {
        let bound = crate::domain::binding::bind(secret, binding);
        Ok(self.secret_store(kind).set(name, &bound)?)
    }

    /// A profile's stored secret, only if it was stored for the profile's own Authorization
    /// Server, Resource Server and Client ID: a config that names the same profile elsewhere does
    /// not get it, or a token minted with it, sent there.
    pub fn stored_secret(&self, name: &str, profile: &Profile) -> Result<Option<Secret>, AppError> {
        Ok(self.stored_secret_fit(name, profile)?.map(|(s, _)| s))
    }

    /// `stored_secret`, and whether it is bound yet: one stored before binding (or bound by the
    /// first version, to the Authorization Server's origin only) is usable, and bound by the next
    /// passing test (`bind_after_pass`).
    pub fn stored_secret_fit(
        &self,
        name: &str,
        profile: &Profile,
    ) -> Result<Option<(Secret, bool)>, AppError> {
        let Some(stored) = self.secret_store(profile.secret_store).get(name)? else {
            return Ok(None);
        };
        let (held, secret) = crate::domain::binding::open(&stored);
        match held.fit(&profile.binding()) {
            Fit::Bound => Ok(Some((secret, true))),
            Fit::NotYetBound => Ok(Some((secret, false))),
            Fit::Elsewhere(diffs) => Err(AppError::config(format!(
                "the Client Secret stored for profile `{name}` was tested with {}, so neither it nor a token minted with it is sent there",
                diffs.join(", ")
            ))
            .with_hint(format!(
                "this config is not the one the secret was saved with: check where {} points; only if you moved profile `{name}` on purpose, give it its secret again with `halo-connect init --profile {name} --force`",
                self.config.path().display()
            ))),
        }
    }

    /// Binds a stored secret that was not bound yet, after a test with it passed; a failure only
    /// warns (the secret still works, and `status` says it is not bound).
    pub fn bind_after_pass(&self, name: &str, profile: &Profile, secret: &Secret) {
        match self.store_secret(profile.secret_store, name, secret, &profile.binding()) {
            Ok(()) => self.term.info(&format!(
                "Bound profile `{name}`'s Client Secret to the servers and Client ID it just passed the test with."
            )),
            Err(e) => self.term.warn(&format!(
                "profile `{name}`'s Client Secret is not bound to its servers yet: {}",
                e.message
            )),
        }
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

    /// The process's runtime and clients, made on first use.
    pub fn session(&self) -> Result<&Session, AppError> {
        if let Some(s) = self.session.get() {
            return Ok(s);
        }
        let made = Session::new(
            self.global.timeout,
            self.concurrency,
            self.recorder.clone(),
            self.env.proxies(),
        )?;
        Ok(self.session.get_or_init(|| made))
    }
}

/// Runs the parsed command.
pub fn dispatch(cli: Cli, ctx: &mut Ctx) -> Result<i32, AppError> {
    match cli.command {
        Command::Init(a) => init::run(ctx, a),
        Command::Test(a) => {
            ctx.name_profile(a.profile.name.as_deref())?;
            test::run(ctx, a)
        }
        Command::List => list::run(ctx),
        Command::Show(a) => {
            ctx.name_profile(a.name.as_deref())?;
            show::run(ctx)
        }
        Command::Use(a) => default::run(ctx, a),
        Command::Secret(a) => secret::run(ctx, a),
        Command::Status(a) => status::run(ctx, a.name.as_deref()),
        Command::Remove(a) => {
            ctx.name_profile(a.profile.name.as_deref())?;
            remove::run(ctx, a)
        }
        Command::Token(a) => {
            ctx.name_profile(a.profile.name.as_deref())?;
            token::run(ctx, a)
        }
        Command::Presets(a) => presets::run(ctx, a),
        Command::Checklist(a) => checklist::run(ctx, a),
        Command::Sandbox(a) => sandbox::run(ctx, a),
        Command::Completions(a) => completions::run(ctx, a),
        Command::Handoff(a) => {
            ctx.name_profile(a.name.as_deref())?;
            handoff::run(ctx, a)
        }
        Command::Export(a) => {
            ctx.name_profile(a.name.as_deref())?;
            export::run(ctx, a)
        }
        Command::Man(a) => man::run(a),
    }
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
    Ok(connection::env_secret(ctx))
}

/// The emulator's options from the environment: `HALO_SANDBOX_SECRET` sets the secret it
/// accepts, `HALO_SANDBOX_KEY` the key its scenario changes need (random otherwise), and
/// `HALO_SANDBOX_LATENCY_MS` how long it waits before each answer.
pub fn sandbox_options(ctx: &Ctx, scenario: Scenario) -> SandboxOptions {
    SandboxOptions {
        scenario,
        client_secret: ctx
            .env
            .get(env::SANDBOX_SECRET)
            .map(crate::sandbox::ClientSecret::new),
        control_key: ctx.env.get(env::SANDBOX_KEY).map(str::to_string),
        latency: Duration::from_millis(
            ctx.env
                .get(env::SANDBOX_LATENCY_MS)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        ),
        ..SandboxOptions::default()
    }
}

/// The Client Secret a sandbox profile is used with: `HALO_SANDBOX_SECRET`, else the emulator's
/// demo secret (public by design: it opens only the emulator).
pub fn sandbox_secret(ctx: &Ctx) -> Secret {
    Secret::new(
        ctx.env
            .get(env::SANDBOX_SECRET)
            .unwrap_or(crate::sandbox::DEMO_CLIENT_SECRET),
    )
}

/// The scenario a sandbox run emulates: the one named (`--scenario`), else the one a sandbox
/// profile was made with, else the healthy one.
pub fn scenario_for(named: Option<&str>, profile: Option<&Profile>) -> Result<Scenario, AppError> {
    match named.or(profile.and_then(|p| p.scenario.as_deref())) {
        Some(name) => parse_scenario(name),
        None => Ok(Scenario::default()),
    }
}

/// Starts the emulator for `--sandbox`, with the environment's options (`sandbox_options`).
pub fn start_sandbox(ctx: &Ctx, scenario: Scenario) -> Result<Sandbox, AppError> {
    Sandbox::start(sandbox_options(ctx, scenario)).map_err(|e| {
        AppError::new(
            Kind::Connection,
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

/// The current time as RFC 3339 UTC, for `last_test`.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

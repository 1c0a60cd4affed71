//! The command line, as clap derive types only: commands, global options and value flags, with
//! their environment variables. No logic lives here. There is deliberately no flag that takes the
//! Client Secret as an argument.

use crate::domain::field::env;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Connect HaloPSA to an integration: guided setup, Save and Test with named causes, CI checks.
#[derive(Debug, Parser)]
#[command(name = "halo-connect", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Profile to act on.
    #[arg(
        long,
        global = true,
        env = env::PROFILE,
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub profile: Option<String>,
    /// Config file [default: $XDG_CONFIG_HOME/halo-connect/config.toml].
    #[arg(
        long,
        global = true,
        env = env::CONFIG,
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,
    /// Machine-readable output on stdout, nothing else on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Per-request timeout in seconds.
    #[arg(
        long,
        global = true,
        env = env::TIMEOUT,
        hide_env_values = true,
        value_name = "SECS",
        default_value_t = 30
    )]
    pub timeout: u64,
    /// Extra trusted root certificate(s), PEM.
    #[arg(
        long,
        global = true,
        env = env::CA_CERT,
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub ca_cert: Option<PathBuf>,
    /// More detail on stderr (-v: requests, -vv: debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr; test and init print a failure's error and fix, not the report.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// No colour (also NO_COLOR).
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up a connection: preset, hosting, checklists, values, Save and Test, save.
    Init(InitArgs),
    /// Save and Test a stored profile again (the CI smoke check).
    Test(TestArgs),
    /// List profiles, one line each.
    List,
    /// Show one profile's settings and where each came from; never the secret.
    Show(ProfileArg),
    /// Set the profile commands act on when none is named (no PROFILE: print it).
    Use(UseArgs),
    /// Replace a profile's Client Secret, stored only after it passes a test.
    Secret(SecretArgs),
    /// Each profile's secret, last test and next step, without the network (`test --all` is
    /// the online check).
    Status(ProfileArg),
    /// Delete a profile and its stored secret.
    Remove(RemoveArgs),
    /// Print a fresh access token for the profile on stdout.
    Token(TokenArgs),
    /// List presets, or show one.
    Presets(PresetsArgs),
    /// Print a preset's setup steps for the Halo administrator.
    Checklist(ChecklistArgs),
    /// Run the local HaloPSA API emulator and print the values to use.
    Sandbox(SandboxArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// What to type into the integration's form, from a stored profile.
    Handoff(HandoffArgs),
    /// The profile as HALO_* variables, for scripts and CI secret stores.
    Export(ExportArgs),
    /// Print the manual page, with EXIT STATUS and EXAMPLES (`man init` for one command's;
    /// `--out-dir DIR` writes every page, for `man -l` or a MANPATH).
    Man(ManArgs),
}

/// The five values and the preset, from flags or environment.
#[derive(Debug, Clone, Args, Default)]
pub struct ValueArgs {
    /// Any Halo address; derives the Resource Server, Authorization Server and Tenant.
    #[arg(long, env = env::URL, hide_env_values = true, value_name = "URL")]
    pub url: Option<String>,
    /// Resource Server, e.g. https://acme.halopsa.com/api.
    #[arg(
        long,
        env = env::RESOURCE_SERVER,
        hide_env_values = true,
        value_name = "URL"
    )]
    pub resource_server: Option<String>,
    /// Authorization Server, e.g. https://acme.halopsa.com/auth/ (one trailing / is added).
    #[arg(
        long,
        env = env::AUTH_SERVER,
        hide_env_values = true,
        value_name = "URL"
    )]
    pub auth_server: Option<String>,
    /// Tenant; "Not set" (any case) on-premise.
    #[arg(long, env = env::TENANT, hide_env_values = true, value_name = "NAME")]
    pub tenant: Option<String>,
    /// Client ID of the Halo application.
    #[arg(
        long,
        env = env::CLIENT_ID,
        hide_env_values = true,
        value_name = "ID"
    )]
    pub client_id: Option<String>,
    /// Read the Client Secret from stdin (or set HALO_CLIENT_SECRET).
    #[arg(long, conflicts_with = "client_secret_file")]
    pub client_secret_stdin: bool,
    /// Read the Client Secret from a file only its owner can read.
    #[arg(long, value_name = "PATH")]
    pub client_secret_file: Option<PathBuf>,
    /// Integration preset (see `halo-connect presets`).
    #[arg(long, env = env::PRESET, hide_env_values = true, value_name = "NAME")]
    pub preset: Option<String>,
    /// Your own preset file (TOML, same shape as `presets show NAME --json`).
    #[arg(long, value_name = "PATH")]
    pub preset_file: Option<PathBuf>,
    /// Scopes for --preset custom, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "a,b,c")]
    pub scopes: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreChoice {
    Keyring,
    File,
    None,
}

impl From<StoreChoice> for crate::domain::profile::SecretStoreKind {
    fn from(c: StoreChoice) -> Self {
        match c {
            StoreChoice::Keyring => Self::Keyring,
            StoreChoice::File => Self::File,
            StoreChoice::None => Self::None,
        }
    }
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub values: ValueArgs,
    /// Where to keep the Client Secret.
    #[arg(long, env = env::SECRET_STORE, hide_env_values = true, value_enum)]
    pub secret_store: Option<StoreChoice>,
    /// Never prompt; missing values are an error listing every one.
    #[arg(long)]
    pub non_interactive: bool,
    /// Save without testing (warned).
    #[arg(long)]
    pub skip_test: bool,
    /// Overwrite an existing profile.
    #[arg(long)]
    pub force: bool,
    /// Validate and test, print what would be written and where, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Run against the built-in emulator on a free loopback port.
    #[arg(long)]
    pub sandbox: bool,
    /// Emulator scenario for --sandbox.
    #[arg(long, value_name = "NAME", requires = "sandbox")]
    pub scenario: Option<String>,
    /// Write a redacted support bundle of the run to FILE (0600; replaces only an empty file or an earlier bundle).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// The wizard skips the Role, Agent and Application checklists (`checklist` prints them).
    #[arg(long)]
    pub no_checklists: bool,
    /// The integration this connection feeds (`halo-connect handoff --for` lists them): its permissions, its form.
    #[arg(long = "for", value_name = "NAME")]
    pub for_integration: Option<String>,
}

/// A profile named by position, as `--profile` names it.
#[derive(Debug, Clone, Args, Default)]
pub struct ProfileArg {
    /// The profile to act on (the same as --profile).
    #[arg(value_name = "PROFILE")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// The profile to make the default.
    #[arg(value_name = "PROFILE")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct SecretArgs {
    #[command(subcommand)]
    pub action: SecretAction,
}

#[derive(Debug, Subcommand)]
pub enum SecretAction {
    /// Take a new Client Secret (hidden prompt on a terminal, stdin otherwise), test it, and
    /// store it in place of the old one only if the test passes.
    Set(SecretSetArgs),
}

#[derive(Debug, Args)]
pub struct SecretSetArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    /// Test every profile, concurrently.
    #[arg(long, conflicts_with = "from_env")]
    pub all: bool,
    /// Take every value from the environment (HALO_URL…, HALO_CLIENT_SECRET); no profile needed.
    #[arg(long)]
    pub from_env: bool,
    /// Test against the built-in emulator.
    #[arg(long)]
    pub sandbox: bool,
    /// Emulator scenario for --sandbox.
    #[arg(long, value_name = "NAME", requires = "sandbox")]
    pub scenario: Option<String>,
    /// Most sockets open at once (HTTP/2 hosts share one connection).
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub concurrency: usize,
    /// Preset for --from-env or --sandbox without a profile.
    #[arg(long, env = env::PRESET, hide_env_values = true, value_name = "NAME")]
    pub preset: Option<String>,
    /// Write a redacted support bundle of the run to FILE (0600; replaces only an empty file or an earlier bundle).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub ci: CiReportArgs,
    /// Replay that integration's own token request and first reads (n8n, cipp, haloapi, ...).
    #[arg(long = "as", value_name = "NAME", conflicts_with_all = ["all", "junit", "summary"])]
    pub as_integration: Option<String>,
}

/// Report files for CI, written whole after the test.
#[derive(Debug, Clone, Default, Args)]
pub struct CiReportArgs {
    /// Also write a JUnit XML report, one testcase per profile.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write a Markdown summary (e.g. to $GITHUB_STEP_SUMMARY).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    /// Do not ask for confirmation.
    #[arg(long, short)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    /// Test against the built-in emulator instead of the stored addresses.
    #[arg(long, hide = true)]
    pub sandbox: bool,
}

#[derive(Debug, Args)]
pub struct PresetsArgs {
    #[command(subcommand)]
    pub action: Option<PresetsAction>,
}

#[derive(Debug, Subcommand)]
pub enum PresetsAction {
    /// Show a preset's Role, Agent and Application settings and scopes.
    Show { name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChecklistFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct ChecklistArgs {
    /// Preset whose steps to print.
    #[arg(
        long,
        env = env::PRESET,
        hide_env_values = true,
        value_name = "NAME",
        default_value = crate::domain::preset::DEFAULT
    )]
    pub preset: String,
    /// Output format: text for the terminal, markdown to hand to a Halo administrator, json for tools.
    #[arg(long, value_enum, default_value_t = ChecklistFormat::Text, conflicts_with = "json")]
    pub format: ChecklistFormat,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Scenario to emulate (see --list-scenarios).
    #[arg(long, default_value = crate::sandbox::Scenario::default().as_str(), value_name = "NAME")]
    pub scenario: String,
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Serve HTTPS with a generated certificate, or a broken one.
    #[arg(long, value_name = "MODE", value_parser = ["valid", "incomplete-chain", "expired", "wrong-host"])]
    pub tls: Option<String>,
    /// Added delay before every answer, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,
    /// List the scenarios and exit.
    #[arg(long)]
    pub list_scenarios: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct HandoffArgs {
    /// Profile to hand off (the same as --profile NAME).
    #[arg(value_name = "PROFILE")]
    pub name: Option<String>,
    /// Exactly the fields of that integration's form, in its order and words (n8n, cipp, haloapi, ...).
    #[arg(long = "for", value_name = "NAME")]
    pub for_integration: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Env,
    Dotenv,
    Json,
    Powershell,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Profile to export (the same as --profile NAME).
    #[arg(value_name = "PROFILE")]
    pub name: Option<String>,
    /// env: `export` lines to source in bash, zsh or dash; dotenv; json; powershell [default: env].
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// Add HALO_CLIENT_SECRET, read from the profile's secret store (never to a terminal).
    #[arg(long)]
    pub with_secret: bool,
    /// Write to FILE (mode 0600, atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long, requires = "output")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (`init`, `presets show`); without it, the main page.
    #[arg(value_name = "COMMAND", num_args = 0..)]
    pub command: Vec<String>,
    /// Write halo-connect.1 and one page per command here; without it, the main page on stdout.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

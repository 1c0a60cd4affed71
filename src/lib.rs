//! halo-connect: connect a HaloPSA instance to an integration, test it, and store it. `run` parses
//! the command line, reads the environment once, runs the command and prints the final error; the
//! layers below are `commands` (composition), `wizard`, `ui`, `halo`, `store` and `domain`.

// The layers below the CLI are crates of their own, so the compiler keeps their walls; these names
// keep one path to each.
pub use halo_connect_core as domain;
pub use halo_connect_halo as halo;
pub use halo_connect_store as store;
pub use halo_connect_wizard as wizard;
pub use halo_sandbox as sandbox;

mod cli;
mod commands;
mod error;
mod hardening;
mod ui;

/// The JSON Schema of every `--json` shape, generated from its type: what docs/schema/ holds
/// (`tests/it/schema.rs` compares them).
pub use ui::json::{schema_files, SchemaFile};

use clap::{CommandFactory, FromArgMatches};

use crate::commands::{Ctx, Env};
use crate::error::AppError;
use crate::ui::json;
use crate::ui::term::{Term, TermEnv};

/// Runs halo-connect with the process's arguments and environment; returns the exit code.
pub fn run() -> i32 {
    hardening::no_core_dumps();
    let env = Env::from_process();
    let cwd = std::env::current_dir().ok();
    if let Some(code) = commands::completions::complete_if_asked(
        &env,
        std::env::args_os().collect(),
        cwd.as_deref(),
    ) {
        return code;
    }
    let matches = match cli::Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let cli = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return 2;
        }
    };
    let term_env = TermEnv {
        no_color: env.is_set("NO_COLOR"),
        force_color: env
            .get("CLICOLOR_FORCE")
            .is_some_and(|v| !v.is_empty() && v != "0"),
        term_dumb: env.get("TERM") == Some("dumb"),
        utf8: ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|k| env.get(k))
            .map(|v| {
                v.to_ascii_uppercase().contains("UTF-8") || v.to_ascii_uppercase().contains("UTF8")
            })
            // No locale on Windows: ✓ and ✗ only where the font has them (Windows Terminal,
            // VS Code); the classic console's default font shows boxes.
            .unwrap_or(
                cfg!(target_os = "macos")
                    || (cfg!(windows) && (env.is_set("WT_SESSION") || env.is_set("TERM_PROGRAM"))),
            ),
        hyperlinks: !env.is_set("CI") && supports_hyperlinks::supports_hyperlinks(),
    };
    let term = Term::detect(
        &term_env,
        cli.global.no_color,
        cli.global.quiet,
        cli.global.verbose,
        cli.global.json,
    );
    init_logging(cli.global.verbose);
    crate::halo::client::install_crypto_provider();

    let json = cli.global.json;
    let sub_name = matches.subcommand_name().unwrap_or_default().to_string();
    let sub = matches
        .subcommand()
        .map(|(_, m)| m.clone())
        .unwrap_or_default();
    // The name the error JSON reports: the one the command would have used.
    let flag = |id: &str| {
        sub.try_get_one::<bool>(id)
            .ok()
            .flatten()
            .copied()
            .unwrap_or(false)
    };
    // A profile named by position, also one level down (`secret set NAME`).
    // (`presets show NAME` names a preset, not a profile.)
    let named = [Some(&sub), sub.subcommand().map(|(_, m)| m)]
        .into_iter()
        .flatten()
        .filter(|_| sub_name != "presets")
        .find_map(|m| m.try_get_one::<String>("name").ok().flatten().cloned());
    let fallback = commands::fallback_profile(flag("from_env"), flag("sandbox"));
    let given = named.or_else(|| cli.global.profile.clone());
    // `test --all --json` prints an array whatever happens, its one error included.
    let fleet = sub_name == "test" && flag("all");
    let failed = match Ctx::new(&cli, sub, env, term.clone()) {
        Ok(mut ctx) => match commands::dispatch(cli, &mut ctx) {
            Ok(code) => return code,
            // The profile the command decided on; for a failure before it decided, decided now
            // the one way (`Ctx::profile_name`, the config's default profile included).
            Err(e) => {
                let profile = ctx
                    .acting_profile()
                    .or(given)
                    .unwrap_or_else(|| ctx.profile_name(fallback));
                (e, profile)
            }
        },
        Err(e) => (e, given.unwrap_or_else(|| fallback.to_string())),
    };
    let (e, profile) = failed;
    report_error(&term, json, fleet, &profile, &e);
    e.exit_code()
}

fn report_error(term: &Term, json: bool, fleet: bool, profile: &str, e: &AppError) {
    if json && fleet {
        term.out_raw(&json::to_string(&[json::ErrorOutput::new(profile, e)]));
    } else if json {
        term.out_raw(&json::to_string(&json::ErrorOutput::new(profile, e)));
    }
    term.error(&e.message, &e.details, e.hint.as_deref());
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    // halo-connect's own crates (every target starting `halo_connect`) at -v's level, others'
    // warnings, and nothing from the platform verifier (it logs each refused certificate).
    let ours = match verbose {
        0 => LevelFilter::OFF,
        1 => LevelFilter::INFO,
        _ => LevelFilter::DEBUG,
    };
    let filter = if verbose == 0 {
        Targets::new()
    } else {
        Targets::new()
            .with_default(LevelFilter::WARN)
            .with_target("halo_connect", ours)
            .with_target("rustls_platform_verifier", LevelFilter::OFF)
    };
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time();
    let _ = tracing_subscriber::registry()
        .with(fmt)
        .with(filter)
        .try_init();
}

/// The command line's definition, for tools that read it (docs checks, completions).
pub fn command() -> clap::Command {
    cli::Cli::command()
}

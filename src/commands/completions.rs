//! Shell completion that asks halo-connect itself at every TAB: `completions SHELL` prints a short
//! script for bash, zsh, fish, PowerShell or elvish that runs `halo-connect` with
//! `HALO_CONNECT_COMPLETE=SHELL` and the words typed so far, and `complete_if_asked` answers that
//! call with clap_complete's dynamic engine: subcommands, options, and the names a value takes:
//! presets and scenarios (built in) and the profiles in the config file at that moment, so a
//! profile added after the script was installed completes too. The script names no profile.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Arg, Command, CommandFactory};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};
use clap_complete::{CompleteEnv, Shell};

use crate::cli::{Cli, CompletionsArgs};
use crate::domain::field::env;
use crate::domain::preset;
use crate::error::AppError;
use crate::sandbox::Scenario;
use crate::store::ConfigFile;

use super::{Ctx, Env};

/// The variable the scripts set to ask for candidates instead of running a command.
pub const VAR: &str = crate::domain::field::env::COMPLETE;
/// What the scripts run: the installed binary, found on PATH when you press TAB.
const BIN: &str = "halo-connect";

/// Answers a completion request (`HALO_CONNECT_COMPLETE=SHELL halo-connect -- WORDS…`) and returns
/// its exit code; `None` when this run is not one.
pub fn complete_if_asked(env: &Env, args: Vec<OsString>, cwd: Option<&Path>) -> Option<i32> {
    env.get(VAR)?;
    let config = config_path(env);
    let answered = CompleteEnv::with_factory(move || command(config.clone()))
        .var(VAR)
        .bin(BIN)
        .completer(BIN)
        .try_complete(args, cwd);
    match answered {
        Ok(true) => Some(0),
        // "0" or an empty value: not a completion request after all.
        Ok(false) => None,
        Err(e) => {
            let _ = e.print();
            Some(2)
        }
    }
}

/// `completions SHELL`: the script that registers the completion, on stdout.
pub fn run(_ctx: &Ctx, args: CompletionsArgs) -> Result<i32, AppError> {
    let mut script = Vec::new();
    write_script(args.shell, &mut script).map_err(|e| {
        AppError::config(format!(
            "could not write the {} completion script: {e}",
            args.shell
        ))
    })?;
    let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
    Ok(0)
}

fn write_script(shell: Shell, out: &mut Vec<u8>) -> std::io::Result<()> {
    let name = Cli::command().get_name().to_string();
    let completer: &dyn EnvCompleter = match shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
        Shell::PowerShell => &Powershell,
        Shell::Elvish => &Elvish,
        // clap_complete's Shell is non-exhaustive; a new one gets bash's script.
        _ => &Bash,
    };
    completer.write_registration(VAR, &name, BIN, BIN, out)?;
    if shell == Shell::Zsh {
        // Installed as `_halo-connect` in $fpath, zsh autoloads the file as that function at
        // the first TAB: complete right away then, instead of only defining the completer.
        let func = format!("_clap_dynamic_completer_{}", name.replace('-', "_"));
        out.extend_from_slice(
            format!("if [[ \"${{funcstack[1]}}\" == \"_{name}\" ]]; then\n    {func} \"$@\"\nfi\n")
                .as_bytes(),
        );
    }
    Ok(())
}

/// Where the profiles are read from at completion time: `HALO_CONNECT_CONFIG`, else the default
/// path (a `--config` typed on the same line is not seen).
fn config_path(env: &Env) -> Option<PathBuf> {
    env.get(env::CONFIG)
        .map(PathBuf::from)
        .or_else(|| ConfigFile::default_path(env.get("XDG_CONFIG_HOME").map(Path::new)))
}

/// The command line with every profile, preset and scenario argument given its candidates.
fn command(config: Option<PathBuf>) -> Command {
    name_values(Cli::command(), &config)
}

fn profiles(config: &Option<PathBuf>) -> Vec<CompletionCandidate> {
    // A config that cannot be read (absent, refused, corrupt) completes no names, silently: the
    // command itself says why when it runs.
    let names = config
        .as_ref()
        .and_then(|p| ConfigFile::new(p.clone()).load().ok())
        .map(|c| c.names())
        .unwrap_or_default();
    names.into_iter().map(CompletionCandidate::new).collect()
}

fn presets() -> Vec<CompletionCandidate> {
    // `custom` (your own scopes) is one of them.
    preset::all()
        .iter()
        .map(|p| CompletionCandidate::new(&p.name).help(Some(p.summary.clone().into())))
        .collect()
}

fn scenarios() -> Vec<CompletionCandidate> {
    Scenario::ALL
        .iter()
        .map(|s| CompletionCandidate::new(s.as_str()).help(Some(s.description().into())))
        .collect()
}

fn required(cmd: &Command, id: &str) -> bool {
    cmd.get_arguments()
        .any(|a| a.get_id() == id && a.is_required_set())
}

/// Gives every argument that takes a profile, preset or scenario its candidates, at every level.
fn name_values(cmd: Command, config: &Option<PathBuf>) -> Command {
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    let mut cmd = cmd;
    for id in ids {
        let with = |f: ArgValueCandidates| move |a: Arg| a.add(f);
        cmd = match id.as_str() {
            // `presets show NAME` names a preset; every other NAME is a profile.
            "name" if cmd.get_name() == "show" && required(&cmd, &id) => {
                cmd.mut_arg(&id, with(ArgValueCandidates::new(presets)))
            }
            "profile" | "name" => {
                let config = config.clone();
                cmd.mut_arg(
                    &id,
                    with(ArgValueCandidates::new(move || profiles(&config))),
                )
            }
            "preset" => cmd.mut_arg(&id, with(ArgValueCandidates::new(presets))),
            "scenario" => cmd.mut_arg(&id, with(ArgValueCandidates::new(scenarios))),
            _ => cmd,
        };
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for sub in subs {
        cmd = cmd.mut_subcommand(&sub, |s| name_values(s, config));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(words: &[&str]) -> Vec<String> {
        let cmd = command(None);
        let mut cmd = cmd;
        cmd.build();
        let args: Vec<OsString> = words.iter().map(OsString::from).collect();
        let index = args.len() - 1;
        clap_complete::engine::complete(&mut cmd, args, index, None)
            .unwrap()
            .into_iter()
            .map(|c| c.get_value().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_preset_value_completes_to_every_preset_once() {
        let got = complete(&["halo-connect", "init", "--preset", ""]);
        let names: Vec<String> = preset::all().iter().map(|p| p.name.clone()).collect();
        assert_eq!(got, names);
        assert!(got.contains(&"custom".to_string()), "{got:?}");
    }

    #[test]
    fn options_and_scenarios_complete() {
        let got = complete(&["halo-connect", "init", "--pre"]);
        assert!(got.contains(&"--preset".to_string()), "{got:?}");
        let got = complete(&["halo-connect", "sandbox", "--scenario", "wrong-s"]);
        assert_eq!(got, vec!["wrong-secret".to_string()]);
    }

    #[test]
    fn the_scripts_name_no_path_and_no_profile() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
            let mut out = Vec::new();
            write_script(shell, &mut out).unwrap();
            let s = String::from_utf8(out).unwrap();
            assert!(s.contains(VAR), "{shell}: {s}");
            // It runs `halo-connect` from PATH, never the binary that wrote it.
            let exe = std::env::current_exe().unwrap();
            assert!(!s.contains(&*exe.to_string_lossy()), "{shell}: {s}");
        }
    }
}

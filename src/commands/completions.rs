//! `completions SHELL`: print a completion script generated from the clap definition, with the
//! names a value takes filled in: presets and scenarios (built in), and the profiles in the
//! config file when the script is made (make it again after adding one).

use clap::builder::PossibleValuesParser;
use clap::{Arg, Command, CommandFactory};

use crate::cli::{Cli, CompletionsArgs};
use crate::domain::preset;
use crate::error::AppError;
use crate::sandbox::Scenario;

use super::Ctx;

pub fn run(ctx: &Ctx, args: CompletionsArgs) -> Result<i32, AppError> {
    // Names come only from a config that loads, where each is `A-Z a-z 0-9 . _ -`: nothing a
    // shell would run or expand reaches the script.
    let profiles: Vec<String> = match ctx.config.load() {
        Ok(c) => c.names(),
        Err(e) => {
            ctx.term.warn(&format!(
                "the script offers no profile names, because the config could not be read: {e}"
            ));
            Vec::new()
        }
    };
    let mut presets: Vec<String> = preset::all().iter().map(|p| p.name.clone()).collect();
    presets.push("custom".into());
    presets.dedup();
    let scenarios: Vec<String> = Scenario::ALL
        .iter()
        .map(|s| s.as_str().to_string())
        .collect();
    let mut cmd = name_values(Cli::command(), &profiles, &presets, &scenarios);
    // Into a buffer first: clap_complete panics when stdout is a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "halo-connect", &mut script);
    let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
    Ok(0)
}

fn required(cmd: &Command, id: &str) -> bool {
    cmd.get_arguments()
        .any(|a| a.get_id() == id && a.is_required_set())
}

/// Gives every argument that takes a profile, preset or scenario its names, at every level.
fn name_values(
    cmd: Command,
    profiles: &[String],
    presets: &[String],
    scenarios: &[String],
) -> Command {
    // clap wants 'static names; this process prints one script and ends, so leaking them is free.
    let values = |names: &[String], a: Arg| {
        let names: Vec<&'static str> = names
            .iter()
            .map(|n| &*Box::leak(n.clone().into_boxed_str()))
            .collect();
        a.value_parser(PossibleValuesParser::new(names))
    };
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    let mut cmd = cmd;
    for id in ids {
        cmd = match id.as_str() {
            // `presets show NAME` names a preset; every other NAME is a profile.
            "name" if cmd.get_name() == "show" && required(&cmd, &id) => {
                cmd.mut_arg(&id, |a| values(presets, a))
            }
            "profile" | "name" if !profiles.is_empty() => cmd.mut_arg(&id, |a| values(profiles, a)),
            "preset" => cmd.mut_arg(&id, |a| values(presets, a)),
            "scenario" => cmd.mut_arg(&id, |a| values(scenarios, a)),
            _ => cmd,
        };
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for sub in subs {
        cmd = cmd.mut_subcommand(&sub, |s| name_values(s, profiles, presets, scenarios));
    }
    cmd
}

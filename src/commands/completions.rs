//! `completions SHELL`: print a completion script generated from the clap definition.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::AppError;

pub fn run(args: CompletionsArgs) -> Result<i32, AppError> {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "halo-connect", &mut std::io::stdout());
    Ok(0)
}

//! `completions SHELL`: print a completion script generated from the clap definition.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::AppError;

pub fn run(args: CompletionsArgs) -> Result<i32, AppError> {
    let mut cmd = Cli::command();
    // Into a buffer first: clap_complete panics when stdout is a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "halo-connect", &mut script);
    let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
    Ok(0)
}

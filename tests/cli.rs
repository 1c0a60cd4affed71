//! The integration suite: the real binary (assert_cmd) against the real sandbox on loopback, with
//! exit codes and JSON checked as a contract, and the secret canary checked on every run.

#[path = "common/mod.rs"]
mod common;

/// Config safety: corrupt files untouched, concurrent writers lose nothing.
#[path = "cli/config.rs"]
mod config;
/// Servers that do not behave: each ends in a classified error within the timeout.
#[path = "cli/hostile.rs"]
mod hostile;
/// `init` without prompts: values by flag, env and stdin; refusals; saving.
#[path = "cli/init.rs"]
mod init;
/// list, show, remove, token, presets, checklist, completions, sandbox.
#[path = "cli/other.rs"]
mod other;
/// `test`: one profile, --all, --from-env, --sandbox; every scenario's exit code and error.kind.
#[path = "cli/test_cmd.rs"]
mod test_cmd;
/// TLS: valid, incomplete chain, expired, wrong host, --ca-cert.
#[path = "cli/tls.rs"]
mod tls;

//! The integration suite: the real binary (assert_cmd) against the real sandbox on loopback, with
//! exit codes and JSON checked as a contract, and the secret canary checked on every run.

/// Config safety: corrupt files untouched, concurrent writers lose nothing.
mod config;
/// `init` without prompts: values by flag, env and stdin; refusals; saving.
mod init;
/// list, show, remove, token, presets, checklist, completions, sandbox.
mod other;
/// `test`: one profile, --all, --from-env, --sandbox; every scenario's exit code and error.kind.
mod test_cmd;
/// TLS: valid, incomplete chain, expired, wrong host, --ca-cert.
mod tls;

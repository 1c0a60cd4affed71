use std::path::Path;

use crate::common::*;
use halo_connect::sandbox::Scenario;
use serde_json::Value;

use super::{hosted, profile_toml, store_secret, CLIENT_ID};

/// A stored profile whose values hold quotes, `$`, a backtick and a backslash, as a hand-edited
/// config may; its secret likewise.
const TRICKY_ID: &str = "id 'single' \"double\" $HOME `tick` \\back!*";
const TRICKY_RS: &str = "https://acme.halopsa.com/o'brien/api";
const TRICKY_SECRET: &str = "s'e\"c$r`e\\t-x";

fn tricky() -> TestEnv {
    let env = TestEnv::new();
    env.write_config(
        &profile_toml(
            "q",
            "billing",
            TRICKY_RS,
            "https://acme.halopsa.com/auth/",
            None,
        )
        .replace(&format!("{CLIENT_ID:?}"), &format!("{TRICKY_ID:?}")),
    );
    store_secret(&env, "q", TRICKY_SECRET);
    env
}

fn tricky_vars() -> Vec<(&'static str, &'static str)> {
    vec![
        ("HALO_PRESET", "billing"),
        ("HALO_RESOURCE_SERVER", TRICKY_RS),
        ("HALO_AUTH_SERVER", "https://acme.halopsa.com/auth/"),
        ("HALO_TENANT", "Not set"),
        ("HALO_CLIENT_ID", TRICKY_ID),
    ]
}

/// Runs a bash script in the test's environment, as `TestEnv::cmd` sets it (so a Secret Service
/// stays reachable); `$HC` is the binary.
fn bash(env: &TestEnv, script: &str) -> Run {
    let mut c = std::process::Command::new("bash");
    for (k, _) in std::env::vars() {
        if k.starts_with("HALO_") || k == "CI" || k == "NO_COLOR" {
            c.env_remove(k);
        }
    }
    let out = c
        .envs(env.vars())
        .env("HC", assert_cmd::cargo::cargo_bin("halo-connect"))
        .arg("-c")
        .arg(script)
        .output()
        .expect("bash");
    Run::from(out)
}

/// The binary's output unchecked, for the one case where stdout holds the secret by request.
fn raw(env: &TestEnv, args: &[&str]) -> Run {
    let out = env
        .cmd()
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run");
    Run::from(out)
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn env_sourced_in_bash_reads_back_every_value_exactly() {
    let env = tricky();
    let run = env.run(&["export", "q", "--format", "env"], &[], None);
    run.code(0);
    assert!(!run.stdout.contains("HALO_CLIENT_SECRET"));
    let file = env.dir.path().join("q.env");
    std::fs::write(&file, &run.stdout).unwrap();
    let names: Vec<&str> = tricky_vars().iter().map(|(k, _)| *k).collect();
    let script = format!(
        "set -eu; . '{}'; for v in {}; do printf '%s=%s\\n' \"$v\" \"${{!v}}\"; done",
        file.display(),
        names.join(" ")
    );
    let read = bash(&env, &script);
    assert_eq!(read.code, 0, "{}", read.stderr);
    let want: String = tricky_vars()
        .iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect();
    assert_eq!(read.stdout, want);
    // The secret, too, reads back exactly.
    let with = raw(&env, &["export", "q", "--with-secret"]);
    std::fs::write(&file, &with.stdout).unwrap();
    let read = bash(
        &env,
        &format!(
            ". '{}'; printf '%s' \"$HALO_CLIENT_SECRET\"",
            file.display()
        ),
    );
    assert_eq!(read.stdout, TRICKY_SECRET);
}

#[test]
fn env_with_secret_through_a_pipe_round_trips_into_test_from_env() {
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    // Without the secret, test --from-env lacks only the secret.
    let run = bash(
        &env,
        "eval \"$(\"$HC\" export)\"; \"$HC\" test --from-env --json",
    );
    assert_no_canary(&run, &[]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stdout.contains("Client Secret"), "{}", run.stdout);
    // With it, through a pipe: the same connection passes.
    let run = bash(
        &env,
        "set -o pipefail; source <(\"$HC\" export --with-secret --format env) && \"$HC\" test --from-env --json",
    );
    assert_no_canary(&run, &[]);
    let v = run.code(0).contract(None);
    assert_eq!(v["resource_server"], sb.resource_server());
    assert_eq!(v["preset"], "billing");
}

#[test]
fn with_secret_to_a_pipe_holds_the_secret_and_nothing_else_does() {
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    for format in ["env", "dotenv", "json", "powershell"] {
        // `run` checks the canary on stdout, stderr and every file.
        env.run(&["export", "--format", format], &[], None).code(0);
        let with = raw(&env, &["export", "--format", format, "--with-secret"]);
        assert_eq!(with.code, 0, "{}", with.stderr);
        assert!(with.stdout.contains(CANARY), "{format}: {}", with.stdout);
        assert!(!with.stderr.contains(CANARY));
    }
    env.assert_no_canary_in_files();
}

#[test]
fn json_parses_to_the_variables() {
    let env = tricky();
    let v = env
        .run(&["export", "q", "--json"], &[], None)
        .code(0)
        .json();
    let want: serde_json::Map<String, Value> = tricky_vars()
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::from(v)))
        .collect();
    assert_eq!(v, Value::Object(want));
    let with = raw(&env, &["export", "q", "--format", "json", "--with-secret"]);
    let v: Value = serde_json::from_str(&with.stdout).unwrap();
    assert_eq!(v["HALO_CLIENT_SECRET"], TRICKY_SECRET);
}

#[test]
fn dotenv_line_by_line_and_through_a_dotenv_reader() {
    let env = tricky();
    let run = env.run(&["export", "q", "--format", "dotenv"], &[], None);
    let lines: Vec<&str> = run.code(0).stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "# HALO_* variables of halo-connect profile `q`",
            "HALO_PRESET=billing",
            "HALO_RESOURCE_SERVER=\"https://acme.halopsa.com/o'brien/api\"",
            "HALO_AUTH_SERVER=https://acme.halopsa.com/auth/",
            "HALO_TENANT='Not set'",
            "HALO_CLIENT_ID=\"id 'single' \\\"double\\\" \\$HOME `tick` \\\\back!*\"",
        ]
    );
    let with = raw(
        &env,
        &["export", "q", "--format", "dotenv", "--with-secret"],
    );
    let read: Vec<(String, String)> = dotenvy::from_read_iter(with.stdout.as_bytes())
        .collect::<Result<_, _>>()
        .expect("a dotenv reader parses it");
    let mut want: Vec<(String, String)> = tricky_vars()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    want.push(("HALO_CLIENT_SECRET".into(), TRICKY_SECRET.into()));
    assert_eq!(read, want);
}

#[test]
fn powershell_line_by_line() {
    let env = tricky();
    let run = env.run(&["export", "q", "--format", "powershell"], &[], None);
    let lines: Vec<&str> = run.code(0).stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "# HALO_* variables of halo-connect profile `q`",
            "$env:HALO_PRESET = 'billing'",
            "$env:HALO_RESOURCE_SERVER = 'https://acme.halopsa.com/o''brien/api'",
            "$env:HALO_AUTH_SERVER = 'https://acme.halopsa.com/auth/'",
            "$env:HALO_TENANT = 'Not set'",
            "$env:HALO_CLIENT_ID = 'id ''single'' \"double\" $HOME `tick` \\back!*'",
        ]
    );
    let with = raw(
        &env,
        &["export", "q", "--format", "powershell", "--with-secret"],
    );
    assert_eq!(
        with.stdout.lines().last(),
        Some("$env:HALO_CLIENT_SECRET = 's''e\"c$r`e\\t-x'")
    );
}

#[test]
fn with_secret_names_where_a_missing_secret_should_come_from() {
    let env = hosted("billing");
    std::fs::remove_file(env.credentials_path()).unwrap();
    let run = env.run(&["export", "acme", "--with-secret"], &[], None);
    run.code(3);
    assert!(run
        .stderr
        .contains("no Client Secret is stored for profile `acme`"));
    assert!(run.stderr.contains("HALO_CLIENT_SECRET"), "{}", run.stderr);

    let none = env
        .config_text()
        .replace("secret_store = \"file\"", "secret_store = \"none\"");
    env.write_config(&none);
    let run = env.run(&["export", "acme", "--with-secret"], &[], None);
    run.code(3);
    assert!(run.stderr.contains("secret store: none"), "{}", run.stderr);
    assert!(run.stderr.contains("HALO_CLIENT_SECRET"));
    // Without --with-secret the same profile exports.
    env.run(&["export", "acme"], &[], None).code(0);
}

#[test]
fn output_is_0600_refuses_to_overwrite_and_leaves_nothing_half_written() {
    let env = hosted("billing");
    // Outside the test's directory, which the canary scan covers: one file holds the secret.
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("acme.env");
    let f = file.to_str().unwrap();
    let run = env.run(&["export", "acme", "--output", f], &[], None);
    run.code(0);
    assert!(run.stdout.is_empty());
    let first = std::fs::read_to_string(&file).unwrap();
    assert!(first.contains("export HALO_CLIENT_ID="));
    assert_eq!(mode(&file), 0o600);

    let run = env.run(
        &["export", "acme", "--output", f, "--format", "json"],
        &[],
        None,
    );
    run.code(3);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first);

    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    env.run(
        &["export", "acme", "--output", f, "--force", "--with-secret"],
        &[],
        None,
    )
    .code(0);
    assert!(std::fs::read_to_string(&file).unwrap().contains(CANARY));
    assert_eq!(mode(&file), 0o600);

    // A FILE whose directory is a regular file cannot be written: exit 3, nothing created.
    let blocked = format!("{f}/inner.env");
    let run = env.run(&["export", "acme", "--output", &blocked], &[], None);
    run.code(3);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
    let names: Vec<String> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["acme.env"], "no temp file is left behind");
}

#[test]
fn a_control_character_in_a_stored_value_is_refused_by_name() {
    let env = hosted("billing");
    let bad = env.config_text().replace(
        &format!("client_id = {CLIENT_ID:?}"),
        "client_id = \"abc\\u001b[31mdef\"",
    );
    env.write_config(&bad);
    let run = env.run(&["export", "acme"], &[], None);
    run.code(3);
    assert!(run.stderr.contains("HALO_CLIENT_ID"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn a_custom_preset_leaves_halo_preset_out_and_says_so() {
    let env = hosted("custom");
    let run = env.run(&["export", "acme"], &[], None);
    run.code(0);
    assert!(!run.stdout.contains("HALO_PRESET"), "{}", run.stdout);
    assert!(run.stderr.contains("custom preset"), "{}", run.stderr);
}

#[test]
fn json_and_another_format_are_a_usage_error() {
    let env = hosted("billing");
    let run = env.run(
        &["export", "acme", "--json", "--format", "dotenv"],
        &[],
        None,
    );
    run.code(2);
    assert!(run.stderr.contains("--json") && run.stderr.contains("--format dotenv"));
}

/// With a real Secret Service (.ci/run starts one), the card and `--with-secret` read the keyring.
#[test]
fn the_keyring_is_read_for_the_card_and_the_export() {
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    let mut args = init_args(&sb);
    let i = args.iter().position(|a| a == "file").unwrap();
    args[i] = "keyring".into();
    args.extend(["--profile".into(), "kr".into()]);
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    if run.code == 3 && std::env::var("HALO_TEST_KEYRING").as_deref() != Ok("1") {
        return; // No keyring on this machine; `init` said so, as tests/it/cli checks.
    }
    run.code(0);
    let card = env.run(&["handoff", "kr"], &[], None);
    assert!(
        card.code(0)
            .stdout
            .lines()
            .any(|l| l == "  last 4 characters       ••••••••4n42"),
        "{}",
        card.stdout
    );
    assert!(card.stdout.contains("the OS keyring"));
    let run = bash(
        &env,
        "source <(\"$HC\" export kr --with-secret) && \"$HC\" test --from-env --json",
    );
    assert_no_canary(&run, &[]);
    run.code(0);
    env.run(&["remove", "--profile", "kr", "--yes"], &[], None)
        .code(0);
}

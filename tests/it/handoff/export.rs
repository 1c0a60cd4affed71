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
    stored_as(TRICKY_ID, TRICKY_SECRET)
}

/// Profile `q` (billing, on acme) with this Client ID and this secret in its store.
fn stored_as(client_id: &str, secret: &str) -> TestEnv {
    let env = TestEnv::new();
    env.write_config(
        &profile_toml(
            "q",
            "billing",
            TRICKY_RS,
            "https://acme.halopsa.com/auth/",
            None,
        )
        .replace(&format!("{CLIENT_ID:?}"), &format!("{client_id:?}")),
    );
    store_secret(&env, "q", secret);
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

/// A value no dotenv quoting carries the same to a shell and to python-dotenv (a quote together
/// with `$` or a backtick, or `${`) is refused by name, pointing to the formats that carry it.
#[test]
fn dotenv_refuses_a_value_no_dotenv_reader_reads_back_alike() {
    let env = tricky();
    let run = env.run(&["export", "q", "--format", "dotenv"], &[], None);
    run.code(3);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("HALO_CLIENT_ID"), "{}", run.stderr);
    assert!(run.stderr.contains("--format env"), "{}", run.stderr);
    // `${VAR}`: python-dotenv expands it even inside single quotes.
    let text = env.config_text().replace(
        "https://acme.halopsa.com/auth/",
        "https://acme.halopsa.com/${IFS}/auth/",
    );
    env.write_config(&text);
    let run = env.run(&["export", "q", "--format", "dotenv"], &[], None);
    run.code(3);
    assert!(run.stderr.contains("HALO_AUTH_SERVER"), "{}", run.stderr);
    assert!(run.stderr.contains("${"), "{}", run.stderr);
}

/// Values a dotenv file can carry: each holds one hard thing (a backtick command, `$`, a quote,
/// a backslash), and the secret holds both quotes and backslashes.
const DOTENV_ID: &str = "id `touch pwned-id` $HOME \\back";
const DOTENV_SECRET: &str = "s\"e'c\\\\r-x";

fn dotenv_env() -> TestEnv {
    stored_as(DOTENV_ID, DOTENV_SECRET)
}

fn dotenv_want() -> Vec<(String, String)> {
    let mut want: Vec<(String, String)> = tricky_vars()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    want[4].1 = DOTENV_ID.to_string();
    want.push(("HALO_CLIENT_SECRET".into(), DOTENV_SECRET.into()));
    want
}

#[test]
fn dotenv_line_by_line_and_through_dotenvy() {
    let env = dotenv_env();
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
            "HALO_CLIENT_ID='id `touch pwned-id` $HOME \\back'",
        ]
    );
    let with = raw(
        &env,
        &["export", "q", "--format", "dotenv", "--with-secret"],
    );
    let read: Vec<(String, String)> = dotenvy::from_read_iter(with.stdout.as_bytes())
        .collect::<Result<_, _>>()
        .expect("a dotenv reader parses it");
    assert_eq!(read, dotenv_want());
}

/// `set -a; . FILE` runs no command from a value and reads each back as it was.
#[test]
fn dotenv_sourced_by_sh_runs_nothing_and_reads_back() {
    let env = dotenv_env();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("q.env");
    let with = raw(
        &env,
        &["export", "q", "--format", "dotenv", "--with-secret"],
    );
    with.code(0);
    std::fs::write(&file, &with.stdout).unwrap();
    let names: Vec<String> = dotenv_want().into_iter().map(|(k, _)| k).collect();
    for shell in ["sh", "bash"] {
        let script = format!(
            "cd '{}' && set -a && . \"$PWD/q.env\" && for v in {}; do eval \"printf '%s=%s\\n' $v \\\"\\${{$v}}\\\"\"; done",
            out.path().display(),
            names.join(" ")
        );
        let read = std::process::Command::new(shell)
            .arg("-c")
            .arg(&script)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", "/nonexistent-home")
            .output()
            .expect(shell);
        assert!(
            read.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&read.stderr)
        );
        let want: String = dotenv_want()
            .iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect();
        assert_eq!(String::from_utf8_lossy(&read.stdout), want, "{shell}");
        assert!(
            !out.path().join("pwned-id").exists(),
            "{shell} ran a backtick"
        );
    }
}

/// python-dotenv (the reader of many Python tools) reads every value back, `$` and `\` included;
/// it must run under CI or with HALO_TEST_PYTHON=1 (.ci/run installs it).
#[test]
fn dotenv_reads_back_in_python_dotenv() {
    let env = dotenv_env();
    let with = raw(
        &env,
        &["export", "q", "--format", "dotenv", "--with-secret"],
    );
    with.code(0);
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("q.env");
    std::fs::write(&file, &with.stdout).unwrap();
    let read = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys; from dotenv import dotenv_values; print(json.dumps(list(dotenv_values(sys.argv[1]).items())))",
        ])
        .arg(&file)
        .env("HOME", "/nonexistent-home")
        .output();
    let must_run = std::env::var("CI").is_ok_and(|v| !v.is_empty())
        || std::env::var("HALO_TEST_PYTHON").is_ok_and(|v| v == "1");
    let read = match read {
        Ok(r) if r.status.success() => r,
        other if !must_run => {
            eprintln!(
                "SKIPPED: python-dotenv cannot be run ({other:?}); install it with `python3 -m pip install -r tests/python/requirements.txt` (this test must run under CI or with HALO_TEST_PYTHON=1)"
            );
            return;
        }
        other => panic!(
            "python-dotenv cannot be run ({other:?}): run `python3 -m pip install -r tests/python/requirements.txt` (.ci/run does)"
        ),
    };
    let got: Vec<(String, String)> = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(got, dotenv_want());
}

/// `export --with-secret > FILE`: a regular file as stdout gets the secret only when it is this
/// user's and private; a file the shell made 0644 is refused (exit 2) and left empty.
#[test]
fn with_secret_to_a_shared_file_as_stdout_is_refused() {
    let env = hosted("billing");
    let out = tempfile::tempdir().unwrap();
    let shared = out.path().join("shared.env");
    let run = bash(
        &env,
        &format!(
            "umask 022; \"$HC\" export acme --with-secret > '{}'",
            shared.display()
        ),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("mode 0644"), "{}", run.stderr);
    assert!(run.stderr.contains("--output"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&shared).unwrap(), "");
    let private = out.path().join("private.env");
    let run = bash(
        &env,
        &format!(
            "umask 077; \"$HC\" export acme --with-secret > '{}'",
            private.display()
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read_to_string(&private).unwrap().contains(CANARY));
    // Without the secret, any file will do.
    let run = bash(
        &env,
        &format!("umask 022; \"$HC\" export acme > '{}'", shared.display()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// A temp file a killed `export --output` left beside its target (it holds the secret) is
/// removed by the next export to that target; no other file is touched.
#[test]
fn a_later_export_removes_the_temp_file_a_killed_one_left() {
    let env = hosted("billing");
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("acme.env");
    let stale = out.path().join(".acme.env.Xy12Zq.tmp");
    std::fs::write(&stale, format!("export HALO_CLIENT_SECRET={CANARY}\n")).unwrap();
    let other = out.path().join(".other.env.Xy12Zq.tmp");
    std::fs::write(&other, "x").unwrap();
    env.run(
        &["export", "acme", "--output", file.to_str().unwrap()],
        &[],
        None,
    )
    .code(0);
    assert!(!stale.exists(), "the killed run's temp file is still there");
    assert!(other.exists());
    assert!(file.exists());
}

/// Finding 10, at the kill itself: an `export --with-secret --output` killed while it writes leaves
/// no file behind, so none holds the secret. The file-size limit kills the run (SIGXFSZ, whose
/// default ends the process with no code run, as SIGKILL does) when its write reaches the last
/// byte: everything before it, the secret included, is written by then. Before the fix that left
/// `.acme.env.XXXXXX.tmp` holding the secret until the next export to the same file.
#[cfg(target_os = "linux")]
#[test]
fn an_export_killed_while_it_writes_leaves_no_file_holding_the_secret() {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let env = hosted("billing");
    let whole = raw(&env, &["export", "acme", "--with-secret"]);
    whole.code(0);
    let limit = whole.stdout.len() as u64 - 1;
    assert!(
        whole.stdout[..limit as usize].contains(CANARY),
        "the secret is not before the last byte:\n{}",
        whole.stdout.replace(CANARY, "[CANARY]")
    );
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("acme.env");
    let killed_while_writing = |extra: &[&str]| {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("halo-connect"));
        for (k, _) in std::env::vars() {
            if k.starts_with("HALO_") || k == "CI" || k == "NO_COLOR" {
                c.env_remove(k);
            }
        }
        c.envs(env.vars())
            .args(["export", "acme", "--with-secret", "--output"])
            .arg(&file)
            .args(extra)
            .stdin(std::process::Stdio::null());
        // SAFETY: setrlimit is async-signal-safe, and the closure allocates nothing.
        unsafe {
            c.pre_exec(move || {
                let lim = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        let run = c.output().unwrap();
        assert_eq!(
            run.status.signal(),
            Some(libc::SIGXFSZ),
            "the run was not killed while writing: {:?}\n{}",
            run.status,
            String::from_utf8_lossy(&run.stderr)
        );
    };
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let holding_the_secret = || {
        std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                std::fs::read(p)
                    .is_ok_and(|b| b.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()))
            })
            .collect::<Vec<_>>()
    };

    killed_while_writing(&[]);
    assert_eq!(holding_the_secret(), Vec::<std::path::PathBuf>::new());
    assert_eq!(
        listing(),
        Vec::<String>::new(),
        "a killed export left a file"
    );

    // Over an existing file (`--force`, a rename over it): the old file stays as it was, alone.
    std::fs::write(&file, "old\n").unwrap();
    killed_while_writing(&["--force"]);
    assert_eq!(holding_the_secret(), Vec::<std::path::PathBuf>::new());
    assert_eq!(listing(), ["acme.env"], "a killed export left a file");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old\n");
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
    assert!(
        run.stderr.contains("key `client_id` of profile `acme`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("U+001B"), "{}", run.stderr);
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

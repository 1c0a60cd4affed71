use crate::common::*;
use halo_connect::sandbox::Scenario;

fn with_profile() -> (TestEnv, halo_connect::sandbox::Sandbox) {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    (env, sb)
}

#[test]
fn list_shows_one_line_per_profile() {
    let (env, sb) = with_profile();
    let run = env.run(&["list"], &[], None);
    run.code(0);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("default"))
        .expect("a line for default");
    assert!(
        line.contains("billing") && line.contains(&sb.resource_server()) && line.contains("file"),
        "{line}"
    );
    let v = env.run(&["list", "--json"], &[], None).json();
    assert_eq!(v[0]["profile"], "default");
    assert_eq!(v[0]["secret_store"], "file");
}

#[test]
fn show_names_sources_and_hides_the_secret() {
    let (env, _sb) = with_profile();
    let run = env.run(&["show"], &[], None);
    run.code(0);
    assert!(run.stdout.contains("(hidden)"));
    let run = env.run(&["show", "--json"], &[("HALO_TENANT", "other")], None);
    let v = run.json();
    assert!(v["values"]["tenant"]["source"]
        .as_str()
        .unwrap()
        .contains("HALO_TENANT"));
    assert!(v["values"]["client_secret"]["value"].is_null());
}

#[test]
fn token_prints_only_the_token_on_stdout() {
    let (env, _sb) = with_profile();
    let run = env.run(&["token"], &[], None);
    run.code(0);
    let out = run.stdout.trim();
    assert!(
        !out.is_empty() && !out.contains(' ') && out.lines().count() == 1,
        "{out:?}"
    );
}

#[test]
fn remove_needs_yes_off_a_terminal_and_deletes_the_secret() {
    let (env, _sb) = with_profile();
    env.run(&["remove"], &[], None).code(2);
    assert!(env.config_text().contains("[profiles.default]"));
    env.run(&["remove", "--yes"], &[], None).code(0);
    assert!(!env.config_text().contains("[profiles.default]"));
    let creds = std::fs::read_to_string(env.credentials_path()).unwrap_or_default();
    assert!(
        !creds.contains(CANARY),
        "the secret is deleted with the profile"
    );
    env.run(&["remove", "--yes"], &[], None).code(3);
}

#[test]
fn presets_lists_all_six_and_shows_one() {
    let env = TestEnv::new();
    let run = env.run(&["presets"], &[], None);
    run.code(0);
    for name in [
        "billing",
        "billing-alerts",
        "alerts",
        "asset-lifecycle",
        "company-asset-sync",
        "custom",
    ] {
        assert!(
            run.stdout.lines().any(|l| l.starts_with(name)),
            "{name} missing:\n{}",
            run.stdout
        );
    }
    let v = env
        .run(&["presets", "show", "asset-lifecycle", "--json"], &[], None)
        .json();
    assert_eq!(v["scopes"].as_array().unwrap().len(), 12);
    env.run(&["presets", "show", "nope"], &[], None).code(3);
}

#[test]
fn checklist_prints_markdown_for_the_administrator() {
    let env = TestEnv::new();
    let run = env.run(
        &["checklist", "--preset", "billing", "--format", "markdown"],
        &[],
        None,
    );
    run.code(0);
    assert!(run.stdout.starts_with("# HaloPSA setup for"));
    assert!(run.stdout.contains("- [ ] **"));
    assert!(run.stdout.contains("View Applications"));
    let v = env
        .run(
            &["checklist", "--preset", "alerts", "--format", "json"],
            &[],
            None,
        )
        .json();
    assert_eq!(v["name"], "alerts");
}

#[test]
fn completions_are_generated() {
    let env = TestEnv::new();
    let run = env.run(&["completions", "bash"], &[], None);
    run.code(0);
    assert!(run.stdout.contains("halo-connect"));
    env.run(&["completions", "klingon"], &[], None).code(2);
}

#[test]
fn sandbox_lists_its_scenarios() {
    let env = TestEnv::new();
    let run = env.run(&["sandbox", "--list-scenarios"], &[], None);
    run.code(0);
    for s in [
        "healthy",
        "wrong-secret",
        "missing-scope",
        "all-permission",
        "role-denied",
        "html-resource-server",
        "slow",
    ] {
        assert!(run.stdout.lines().any(|l| l.starts_with(s)), "{s}");
    }
    env.run(&["sandbox", "--scenario", "nope"], &[], None)
        .code(3);
}

#[test]
fn help_and_version_exit_0_and_bad_flags_exit_2() {
    let env = TestEnv::new();
    env.run(&["--version"], &[], None).code(0);
    env.run(&["--help"], &[], None).code(0);
    env.run(&["test", "--bogus"], &[], None).code(2);
    env.run(&[], &[], None).code(2);
}

#[test]
fn the_keyring_unavailable_is_said_at_once_with_the_choices() {
    // .ci/run starts a real Secret Service and says so (HALO_TEST_KEYRING=1): there the keyring
    // path must save, test and remove. Elsewhere the session bus is pointed at nothing, so the
    // keyring is refused with exit 3 naming the other stores, whatever the machine has.
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    let i = args.iter().position(|a| a == "file").unwrap();
    args[i] = "keyring".into();
    let keyring_expected = std::env::var("HALO_TEST_KEYRING").as_deref() == Ok("1");
    if !keyring_expected {
        let bus = format!("unix:path={}", env.dir.path().join("no-bus").display());
        let run = env.run(
            &strs(&args),
            &[
                ("HALO_CLIENT_SECRET", CANARY),
                ("DBUS_SESSION_BUS_ADDRESS", &bus),
            ],
            None,
        );
        run.code(3);
        assert!(run.stderr.contains("--secret-store file"), "{}", run.stderr);
        assert!(run.stderr.contains("--secret-store none"), "{}", run.stderr);
        return;
    }
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(0);
    assert!(env.config_text().contains("secret_store = \"keyring\""));
    assert!(
        !env.credentials_path().exists(),
        "the keyring path writes no credentials file"
    );
    env.run(&["test"], &[], None).code(0);
    env.run(&["remove", "--yes"], &[], None).code(0);
    // The secret is gone from the keyring itself.
    let service = format!("halo-connect-test-{}", std::process::id());
    let store = halo_connect::store::KeyringStore::new(service, std::time::Duration::from_secs(10));
    use halo_connect::store::SecretStore;
    assert_eq!(store.get("default").unwrap(), None);
}

#[test]
fn glyphs_degrade_to_words_without_utf8() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::MissingScope);
    let owned = from_env_vars(&sb);
    let mut plain = refs(&owned);
    plain.extend([("LANG", "C"), ("LC_ALL", "C")]);
    let run = env.run(&["test", "--from-env"], &plain, None);
    run.code(5);
    assert!(run.stdout.contains("FAIL edit:invoices"), "{}", run.stdout);
    assert!(
        !run.stdout.contains('✓') && !run.stdout.contains('✗'),
        "{}",
        run.stdout
    );
    let mut utf8 = refs(&owned);
    utf8.extend([("LANG", "C.UTF-8"), ("LC_ALL", "C.UTF-8")]);
    let run = env.run(&["test", "--from-env"], &utf8, None);
    assert!(run.stdout.contains("✗ edit:invoices"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("\x1b[") && !run.stderr.contains("\x1b["),
        "NO_COLOR is set, so no escape codes: {}",
        run.stdout
    );
}

#[test]
fn the_sandbox_command_prints_the_values_but_not_a_given_secret() {
    let env = TestEnv::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("halo-connect"))
        .env_clear()
        .envs(env.vars())
        .args(["sandbox", "--scenario", "healthy"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = String::new();
    {
        use std::io::BufRead;
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        while let Some(Ok(line)) = lines.next() {
            out.push_str(&line);
            out.push('\n');
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
    }
    let _ = child.kill();
    let rest = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&rest.stderr);
    assert!(
        out.contains("Resource Server") && out.contains("/api"),
        "{out}"
    );
    assert!(out.contains("HALO_SANDBOX_SECRET"), "{out}");
    assert!(!out.contains(CANARY) && !err.contains(CANARY));
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    let env = TestEnv::new();
    for (args, want) in [
        (&["checklist", "--preset", "asset-lifecycle"][..], 0),
        (&["test", "--profile", "nope"][..], 3),
    ] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("halo-connect"))
            .env_clear()
            .envs(env.vars())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away at once, as `| head -0` would.
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(want), "{args:?}");
    }
}

#[test]
fn the_markdown_checklist_renders_as_markdown() {
    let env = TestEnv::new();
    let run = env.run(
        &[
            "checklist",
            "--preset",
            "billing-alerts",
            "--format",
            "markdown",
        ],
        &[],
        None,
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    for w in lines.windows(2) {
        assert!(
            !(w[0].starts_with("- [ ]") && w[1].starts_with("In **")),
            "a paragraph glued to a list item:\n{}\n{}",
            w[0],
            w[1]
        );
    }
}

/// A profile moved to another secret store leaves nothing in the old one.
#[test]
fn moving_a_profile_to_another_store_deletes_the_old_secret() {
    let (env, sb) = with_profile();
    let creds = env.credentials_path();
    assert!(std::fs::read_to_string(&creds)
        .unwrap()
        .contains("[profiles.default]"));
    let mut args = init_args(&sb);
    let store = args.iter().position(|a| a == "file").unwrap();
    args[store] = "none".into();
    args.push("--force".into());
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(0);
    let left = std::fs::read_to_string(&creds).unwrap_or_default();
    assert!(!left.contains("[profiles.default]"), "{left}");
    assert!(run.stderr.contains("old Client Secret"), "{}", run.stderr);
}

/// `remove` sweeps the temp file a killed save left beside a missing credentials file, and says
/// so, instead of "no stored secret".
#[test]
fn remove_clears_a_temp_file_a_killed_save_left() {
    let (env, _sb) = with_profile();
    let creds = env.credentials_path();
    std::fs::remove_file(&creds).unwrap();
    let stale = creds.with_file_name(".credentials.toml.abc123.tmp");
    std::fs::write(
        &stale,
        format!("[profiles.default]\nclient_secret = \"{CANARY}\"\n"),
    )
    .unwrap();
    let run = env.run(&["remove", "--yes"], &[], None);
    run.code(0);
    assert!(!stale.exists(), "the temp file holding the secret was left");
    assert!(run.stderr.contains("file store"), "{}", run.stderr);
}

/// `token` (and `test`) never send a stored secret to an Authorization Server from the
/// environment: the override must bring its own secret. Nothing is requested.
#[test]
fn a_stored_secret_is_not_sent_to_an_overriding_authorization_server() {
    let (env, sb) = with_profile();
    let before = sb.stats().token_requests;
    let elsewhere = sb.auth_server().replace("127.0.0.1", "localhost");
    let run = env.run(
        &["token"],
        &[("HALO_AUTH_SERVER", elsewhere.as_str())],
        None,
    );
    run.code(3);
    assert!(run.stderr.contains("HALO_AUTH_SERVER"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert_eq!(
        sb.stats().token_requests,
        before,
        "the stored secret was sent"
    );
    // With its own secret, the override is said on stderr before the request, and goes ahead.
    let run = env.run(
        &["token"],
        &[
            ("HALO_AUTH_SERVER", elsewhere.as_str()),
            ("HALO_CLIENT_SECRET", CANARY),
        ],
        None,
    );
    run.code(0);
    assert!(
        run.stderr.contains("HALO_AUTH_SERVER overrides"),
        "{}",
        run.stderr
    );
}

/// A stored secret is bound to the Authorization Server and Client ID it was tested with: a config
/// that names the same profile with another server (rewritten, or another file naming it) does not
/// get it sent there.
#[test]
fn a_stored_secret_goes_only_to_the_server_it_was_tested_with() {
    let (env, sb) = with_profile();
    let before = sb.stats().token_requests;
    let text = env.config_text();
    let elsewhere = sb.auth_server().replace("127.0.0.1", "localhost");
    env.write_config(&text.replace(&sb.auth_server(), &elsewhere));
    let run = env.run(&["token"], &[], None);
    run.code(3);
    assert!(
        run.stderr
            .contains("was tested with the Authorization Server"),
        "{}",
        run.stderr
    );
    assert_eq!(
        sb.stats().token_requests,
        before,
        "the stored secret was sent"
    );
    // The config as it was: the secret is found and used.
    env.write_config(&text);
    env.run(&["token"], &[], None).code(0);
}

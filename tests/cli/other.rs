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
    // Without a Secret Service (the default here unless .ci/run started one), keyring is refused
    // fast with exit 3; with one, the profile is saved. Either way it never hangs.
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    let i = args.iter().position(|a| a == "file").unwrap();
    args[i] = "keyring".into();
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    if run.code == 3 {
        assert!(run.stderr.contains("--secret-store file"), "{}", run.stderr);
        assert!(run.stderr.contains("--secret-store none"), "{}", run.stderr);
    } else {
        run.code(0);
        env.run(&["test"], &[], None).code(0);
        env.run(&["remove", "--yes"], &[], None).code(0);
    }
}

use crate::common::*;
use halo_connect::sandbox::Scenario;

#[test]
fn init_by_flags_tests_and_saves_with_the_secret_in_a_0600_file() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    args.push("--json".into());
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(0);
    let v = run.contract(None);
    assert_eq!(v["saved"], true);
    assert_eq!(v["tenant"], "sandbox");
    assert_eq!(v["agent"]["name"], "API Sandbox");
    assert!(
        v["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] != "missing"),
        "{v:#}"
    );
    let cfg = env.config_text();
    assert!(cfg.contains("[profiles.default]"), "{cfg}");
    assert!(cfg.contains(&sb.client_id().to_string()));
    let creds = std::fs::read_to_string(env.credentials_path()).unwrap();
    assert!(creds.contains(CANARY), "the file store keeps the secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.credentials_path())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn init_reads_the_secret_from_stdin_and_derives_everything_from_one_address() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let args = [
        "init",
        "--non-interactive",
        "--url",
        &sb.base_url(),
        "--client-id",
        sb.client_id(),
        "--client-secret-stdin",
        "--secret-store",
        "file",
        "--json",
    ];
    let run = env.run(&args, &[], Some(&format!("  {CANARY}\n")));
    run.code(0);
    let v = run.contract(None);
    // authinfo supplied the Authorization Server and the tenant.
    assert_eq!(v["auth_server"], sb.auth_server());
    assert_eq!(v["tenant"], "sandbox");
    assert_eq!(v["resource_server"], sb.resource_server());
}

#[test]
fn init_adds_the_trailing_slash_and_says_so() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    let i = args.iter().position(|a| a == "--auth-server").unwrap();
    args[i + 1] = sb.auth_server().trim_end_matches('/').to_string();
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(0);
    // The note is part of the report, which is the command's output.
    assert!(run.stdout.contains("trailing \"/\""), "{}", run.stdout);
    assert!(env
        .config_text()
        .contains(&format!("auth_server = \"{}\"", sb.auth_server())));
}

#[test]
fn a_secret_on_argv_is_a_usage_error() {
    let env = TestEnv::new();
    let run = env.run(
        &["init", "--non-interactive", "--client-secret", "x"],
        &[],
        None,
    );
    run.code(2);
    assert!(run.stderr.contains("--client-secret"), "{}", run.stderr);
}

#[test]
fn missing_values_are_listed_together_with_exit_3() {
    let env = TestEnv::new();
    let run = env.run(&["init", "--non-interactive", "--json"], &[], None);
    run.code(3);
    let v = run.contract(Some("config"));
    let details = v["error"]["details"].as_array().unwrap();
    let text = serde_json::to_string(details).unwrap();
    for field in [
        "Resource Server",
        "Authorization Server",
        "Client ID",
        "Client Secret",
    ] {
        assert!(text.contains(field), "{field} not listed: {text}");
    }
    assert!(!env.config_path().exists(), "nothing is written on failure");
}

/// With the servers given, only the application's values are wanting: the hint points there, not
/// at `--url`, and one refused value reads as one.
#[test]
fn missing_application_values_point_to_the_application_not_to_url() {
    let env = TestEnv::new();
    let run = env.run(
        &[
            "init",
            "--non-interactive",
            "--resource-server",
            "https://acme.halopsa.com/api",
            "--auth-server",
            "https://acme.halopsa.com/auth/",
            "--tenant",
            "acme",
            "--json",
        ],
        &[],
        None,
    );
    run.code(3);
    let v = run.contract(Some("config"));
    let hint = v["error"]["hint"].as_str().unwrap();
    assert!(!hint.contains("--url"), "{hint}");
    assert!(hint.contains("View Applications"), "{hint}");

    let run = env.run(
        &[
            "init",
            "--non-interactive",
            "--url",
            "http://acme.halopsa.com",
        ],
        &[],
        None,
    );
    run.code(3);
    assert!(
        run.stderr.contains("1 value was refused and 2 are missing"),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_values_are_refused_before_any_network_call() {
    let env = TestEnv::new();
    let cases: &[(&[&str], &str)] = &[
        (&["--url", "acme.halopsa.com"], "https://acme.halopsa.com"),
        (&["--url", "http://acme.halopsa.com"], "plain http://"),
        (&["--url", "ftp://acme.halopsa.com"], "ftp://"),
        (
            &[
                "--resource-server",
                "https://acme.halopsa.com/auth",
                "--auth-server",
                "https://acme.halopsa.com/api",
            ],
            "swapped",
        ),
        (
            &[
                "--url",
                "https://acme.halopsa.com",
                "--tenant",
                "https://acme.halopsa.com",
            ],
            "Tenant",
        ),
        (
            &[
                "--url",
                "https://acme.halopsa.com",
                "--client-id",
                "abc def",
            ],
            "space",
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec!["init", "--non-interactive"];
        args.extend_from_slice(extra);
        let run = env.run(
            &args,
            &[
                ("HALO_CLIENT_SECRET", CANARY),
                ("HALO_CLIENT_ID", "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60"),
            ],
            None,
        );
        run.code(3);
        assert!(
            run.stderr.contains(want),
            "{extra:?}: expected {want:?} in\n{}",
            run.stderr
        );
    }
}

#[test]
fn unknown_preset_is_exit_3_and_names_the_presets() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    args.extend(["--preset".into(), "payroll".into()]);
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(3);
    assert!(run.stderr.contains("asset-lifecycle"), "{}", run.stderr);
}

#[test]
fn a_failing_test_saves_nothing_unless_skip_test() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::WrongSecret);
    let args = init_args(&sb);
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(4);
    assert!(!env.config_text().contains("[profiles.default]"));
    let mut dry = init_args(&sb);
    dry.push("--dry-run".into());
    let run = env.run(&strs(&dry), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(4);
    assert!(run.stderr.contains("would save nothing"), "{}", run.stderr);
    let mut args = init_args(&sb);
    args.push("--skip-test".into());
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(0);
    assert!(run.stderr.contains("untested"), "{}", run.stderr);
    assert!(env.config_text().contains("[profiles.default]"));
}

#[test]
fn an_existing_profile_is_not_overwritten_without_force() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let args = init_args(&sb);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    let before = env.config_text();
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(3);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(env.config_text(), before);
    let mut forced = args.clone();
    forced.push("--force".into());
    env.run(&strs(&forced), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
}

#[test]
fn dry_run_tests_but_writes_nothing() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    args.push("--dry-run".into());
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(0);
    // What a dry run would write is its output: stdout.
    assert!(run.stdout.contains("nothing was written"), "{}", run.stdout);
    assert!(!env.config_path().exists());
    assert!(!env.credentials_path().exists());
}

#[test]
fn init_sandbox_non_interactive_works_on_a_fresh_machine() {
    let env = TestEnv::new();
    let run = env.run(
        &["init", "--sandbox", "--non-interactive", "--json"],
        &[],
        None,
    );
    run.code(0);
    let v = run.contract(None);
    assert_eq!(v["sandbox"], true);
    assert_eq!(v["secret_store"], "none");
    assert!(env.config_text().contains("[profiles.sandbox]"));
    let run = env.run(&["test", "--sandbox", "--json"], &[], None);
    run.code(0);
    run.contract(None);
}

#[test]
fn custom_preset_needs_scopes_and_checks_their_names() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    args.extend(["--preset".into(), "custom".into()]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(3);
    let mut bad = args.clone();
    bad.extend(["--scopes".into(), "read:actions".into()]);
    let run = env.run(&strs(&bad), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(3);
    assert!(run.stderr.contains("read:tickets"), "{}", run.stderr);
    let mut good = args.clone();
    good.extend([
        "--scopes".into(),
        "read:tickets,edit:tickets".into(),
        "--json".into(),
    ]);
    let run = env.run(&strs(&good), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(0);
    assert_eq!(run.json()["permissions"].as_array().unwrap().len(), 2);
}

#[test]
fn a_sandbox_profile_saved_anyway_is_retested_against_its_scenario() {
    let env = TestEnv::new();
    let run = env.run(
        &[
            "init",
            "--sandbox",
            "--scenario",
            "no-teams",
            "--preset",
            "alerts",
            "--skip-test",
        ],
        &[],
        None,
    );
    run.code(0);
    assert!(
        env.config_text().contains("scenario = \"no-teams\""),
        "{}",
        env.config_text()
    );
    env.run(&["test", "--profile", "sandbox"], &[], None)
        .code(5);
    env.run(
        &[
            "test",
            "--profile",
            "sandbox",
            "--sandbox",
            "--scenario",
            "healthy",
        ],
        &[],
        None,
    )
    .code(0);
}

#[test]
fn a_rerun_with_a_new_address_and_preset_does_not_keep_the_old_ones() {
    let env = TestEnv::new();
    let old = sandbox(Scenario::Healthy);
    let mut args = init_args(&old);
    args.extend([
        "--preset".into(),
        "custom".into(),
        "--scopes".into(),
        "read:tickets".into(),
    ]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    let new = sandbox(Scenario::Healthy);
    let args = [
        "init",
        "--non-interactive",
        "--force",
        "--url",
        &new.base_url(),
        "--client-id",
        new.client_id(),
        "--preset",
        "billing",
    ];
    let run = env.run(&args, &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(0);
    let cfg = env.config_text();
    assert!(
        cfg.contains(&new.resource_server()) && !cfg.contains(&old.resource_server()),
        "{cfg}"
    );
    assert!(
        cfg.contains("preset = \"billing\"") && !cfg.contains("read:tickets"),
        "{cfg}"
    );
    assert!(
        cfg.contains("secret_store = \"file\""),
        "a re-run keeps the profile's store: {cfg}"
    );
}

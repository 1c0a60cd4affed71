//! Everyday use through the binary: the stream rule (the report on stdout), `-q` that still shows a
//! failure, `test --all --json` always an array, conflicting flags refused, profiles by name,
//! `use`, `secret set`, `status`, and the messages that must lead somewhere.

use crate::common::{init_args, sandbox, strs, TestEnv, CANARY};
use halo_connect::sandbox::Scenario;

#[test]
fn the_report_of_test_goes_to_stdout_so_a_redirect_keeps_it() {
    let env = TestEnv::new();
    let run = env.run(&["test", "--sandbox"], &[], None);
    run.code(0);
    assert!(run.stdout.contains("Test passed"), "{}", run.stdout);
    assert!(!run.stderr.contains("Test passed"), "{}", run.stderr);
}

#[test]
fn the_report_of_init_goes_to_stdout_and_the_save_note_to_stderr() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let run = env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(0);
    assert!(
        run.stdout.contains("Save and Test passed"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("Saved profile"), "{}", run.stderr);
}

#[test]
fn quiet_still_prints_a_failure_with_its_fix() {
    let env = TestEnv::new();
    let run = env.run(
        &["test", "--sandbox", "--scenario", "wrong-secret", "-q"],
        &[],
        None,
    );
    run.code(4);
    assert!(run.stderr.contains("error:"), "{}", run.stderr);
    assert!(run.stderr.contains("invalid_client"), "{}", run.stderr);
    assert!(
        run.stderr.contains("hint:") && run.stderr.contains("View Applications"),
        "the fix is printed: {}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // A pass under -q stays silent.
    let run = env.run(&["test", "--sandbox", "-q"], &[], None);
    run.code(0);
    assert!(run.stdout.is_empty() && run.stderr.is_empty(), "{run:?}");
}

#[test]
fn quiet_test_all_names_each_failing_profile() {
    let env = TestEnv::new();
    env.run(
        &[
            "init",
            "--sandbox",
            "--scenario",
            "wrong-secret",
            "--skip-test",
        ],
        &[],
        None,
    )
    .code(0);
    let run = env.run(&["test", "--all", "-q"], &[], None);
    run.code(4);
    assert!(
        run.stderr.contains("profile `sandbox`") && run.stderr.contains("hint:"),
        "{}",
        run.stderr
    );
}

#[test]
fn test_all_json_is_an_array_even_with_no_profiles_or_a_corrupt_config() {
    let env = TestEnv::new();
    let run = env.run(&["test", "--all", "--json"], &[], None);
    run.code(3);
    let v = run.json();
    let items = v.as_array().unwrap_or_else(|| panic!("not an array: {v}"));
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["error"]["kind"], "config");
    assert_eq!(items[0]["exit_code"], 3);

    env.write_config("[profiles.default\n");
    let run = env.run(&["test", "--all", "--json"], &[], None);
    run.code(3);
    let v = run.json();
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v[0]["error"]["kind"], "config");
}

#[test]
fn conflicting_flags_are_a_usage_error_naming_both() {
    let env = TestEnv::new();
    let cases: &[(&[&str], [&str; 2])] = &[
        (
            &["init", "--sandbox", "--url", "https://acme.halopsa.com"],
            ["--sandbox", "--url"],
        ),
        (
            &["checklist", "--json", "--format", "markdown"],
            ["--json", "--format"],
        ),
        (&["-q", "-v", "list"], ["--quiet", "--verbose"]),
        (&["list", "-q", "-v"], ["--quiet", "--verbose"]),
    ];
    for (args, names) in cases {
        let run = env.run(args, &[], None);
        run.code(2);
        for n in names {
            assert!(run.stderr.contains(n), "{args:?} names {n}: {}", run.stderr);
        }
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
}

#[test]
fn test_with_the_custom_preset_points_to_init_not_to_a_flag_test_lacks() {
    let env = TestEnv::new();
    let run = env.run(&["test", "--sandbox", "--preset", "custom"], &[], None);
    run.code(3);
    assert!(
        run.stderr
            .contains("halo-connect init --profile NAME --preset custom --scopes"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("give them with --scopes"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_existing_profile_names_the_profile_with_force() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    args.extend(["--profile".into(), "billing".into()]);
    let secret = [("HALO_CLIENT_SECRET", CANARY)];
    env.run(&strs(&args), &secret, None).code(0);
    let run = env.run(&strs(&args), &secret, None);
    run.code(3);
    assert!(
        run.stderr.contains("--profile billing --force"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_profile_with_none_configured_does_not_send_you_to_list() {
    let env = TestEnv::new();
    let run = env.run(&["test", "--profile", "nope"], &[], None);
    run.code(3);
    assert!(!run.stderr.contains("halo-connect list"), "{}", run.stderr);
    assert!(
        run.stderr.contains("halo-connect init --profile nope"),
        "{}",
        run.stderr
    );
}

#[test]
fn dry_run_and_real_run_describe_the_secret_store_alike() {
    let env = TestEnv::new();
    let dry = env.run(&["init", "--sandbox", "--dry-run"], &[], None);
    dry.code(0);
    let real = env.run(&["init", "--sandbox"], &[], None);
    real.code(0);
    let phrase = "the Client Secret would be in no store: the emulator supplies its own";
    assert!(dry.stdout.contains(phrase), "{}", dry.stdout);
    assert!(
        real.stderr
            .contains("the Client Secret is in no store: the emulator supplies its own"),
        "{}",
        real.stderr
    );
    let sb = sandbox(Scenario::Healthy);
    // init_args keeps the secret in the file store.
    let args = init_args(&sb);
    let secret = [("HALO_CLIENT_SECRET", CANARY)];
    let mut dry_args = args.clone();
    dry_args.push("--dry-run".into());
    let dry = env.run(&strs(&dry_args), &secret, None);
    dry.code(0);
    let real = env.run(&strs(&args), &secret, None);
    real.code(0);
    let place = env.credentials_path().display().to_string();
    assert!(dry.stdout.contains(&place), "{}", dry.stdout);
    assert!(real.stderr.contains(&place), "{}", real.stderr);
}

#[test]
fn sandbox_with_an_incomplete_chain_says_ca_cert_and_removes_its_ca_file_on_ctrl_c() {
    use std::io::BufRead;
    let env = TestEnv::new();
    let tmp = env.dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("halo-connect"))
        .env_clear()
        .envs(env.vars())
        .env("TMPDIR", &tmp)
        .args(["sandbox", "--tls", "incomplete-chain"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = String::new();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    while let Some(Ok(line)) = lines.next() {
        out.push_str(&line);
        out.push('\n');
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let ca: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().collect();
    assert_eq!(ca.len(), 1, "one CA file: {out}");
    let try_line = out
        .lines()
        .find(|l| l.trim_start().starts_with("halo-connect init"))
        .unwrap_or("");
    assert!(
        try_line.contains(&format!("--ca-cert {}", ca[0].path().display())),
        "{out}"
    );
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(!ca[0].path().exists(), "the CA file outlived the run");
}

const PROFILE_HEAD: &str = "[profiles.billing]\npreset = \"billing\"\nresource_server = \"https://acme.halopsa.com/api\"\nauth_server = \"https://acme.halopsa.com/auth/\"\nclient_id = \"x\"\n";

#[test]
fn a_value_of_the_wrong_type_names_key_profile_line_and_type() {
    let env = TestEnv::new();
    env.write_config(&format!("{PROFILE_HEAD}sandbox = \"yes\"\n"));
    let before = env.config_text();
    let run = env.run(&["list"], &[], None);
    run.code(3);
    for piece in [
        "line 6",
        "`sandbox`",
        "profile `billing`",
        "expected a boolean",
    ] {
        assert!(run.stderr.contains(piece), "{piece}: {}", run.stderr);
    }
    assert!(!run.stderr.contains("not valid TOML"), "{}", run.stderr);
    assert_eq!(env.config_text(), before, "never rewritten");
}

#[test]
fn a_misspelt_key_is_refused_with_the_right_name() {
    let env = TestEnv::new();
    env.write_config(&format!("{PROFILE_HEAD}tennant = \"acme\"\n"));
    let run = env.run(&["test", "--profile", "billing", "--json"], &[], None);
    run.code(3);
    let v = run.json();
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("`tennant`") && message.contains("did you mean `tenant`?"),
        "{message}"
    );
    assert!(message.contains("line 6"), "{message}");
}

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

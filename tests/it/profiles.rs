//! Profiles by name through the binary: a positional PROFILE on show, test, remove, token and
//! secret set; `use` for the default; `secret set` rotating only after a passing test; `status`
//! without the network; completion scripts that carry the names.

use crate::common::{init_args, sandbox, strs, TestEnv, CANARY};
use halo_connect::sandbox::{Sandbox, SandboxOptions, Scenario};

/// A sandbox profile called `name`, saved without a prompt.
fn sandbox_profile(env: &TestEnv, name: &str) {
    env.run(&["init", "--sandbox", "--profile", name], &[], None)
        .code(0);
}

#[test]
fn a_profile_named_by_position_is_the_same_as_profile() {
    let env = TestEnv::new();
    sandbox_profile(&env, "lab");
    for args in [&["show", "lab"][..], &["test", "lab"][..]] {
        let run = env.run(args, &[], None);
        run.code(0);
        assert!(run.stdout.contains("lab"), "{args:?}: {}", run.stdout);
    }
    let by_flag = env.run(&["show", "--profile", "lab", "--json"], &[], None);
    let by_name = env.run(&["show", "lab", "--json"], &[], None);
    assert_eq!(by_flag.json(), by_name.json());
    let run = env.run(&["token", "lab", "--sandbox"], &[], None);
    run.code(0);
    assert!(!run.stdout.trim().is_empty());
    // The positional name wins over HALO_PROFILE, which is only a default.
    let run = env.run(&["show", "lab"], &[("HALO_PROFILE", "other")], None);
    run.code(0);
}

#[test]
fn a_profile_named_twice_differently_is_a_usage_error_naming_both() {
    let env = TestEnv::new();
    sandbox_profile(&env, "lab");
    for args in [
        &["show", "lab", "--profile", "other"][..],
        &["test", "lab", "--profile", "other"][..],
        &["remove", "lab", "--profile", "other", "--yes"][..],
    ] {
        let run = env.run(args, &[], None);
        run.code(2);
        assert!(
            run.stderr.contains("`lab`") && run.stderr.contains("--profile other"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // The same name twice is fine.
    env.run(&["show", "lab", "--profile", "lab"], &[], None)
        .code(0);
    assert!(env.config_text().contains("[profiles.lab]"));
}

#[test]
fn use_sets_the_default_profile_and_profile_still_wins() {
    let env = TestEnv::new();
    sandbox_profile(&env, "lab");
    sandbox_profile(&env, "other");
    // The first profile saved is the default until `use` says otherwise.
    let run = env.run(&["show", "--json"], &[], None);
    run.code(0);
    assert_eq!(run.json()["profile"], "lab");
    let run = env.run(&["use", "other"], &[], None);
    run.code(0);
    assert_eq!(env.run(&["use"], &[], None).stdout.trim(), "other");
    let run = env.run(&["use", "lab"], &[], None);
    run.code(0);
    assert!(env.config_text().contains("default_profile = \"lab\""));
    assert_eq!(env.run(&["use"], &[], None).stdout.trim(), "lab");
    let run = env.run(&["show", "--json"], &[], None);
    run.code(0);
    assert_eq!(run.json()["profile"], "lab");
    let run = env.run(&["show", "--json", "--profile", "other"], &[], None);
    assert_eq!(run.json()["profile"], "other");
    let run = env.run(&["show", "--json"], &[("HALO_PROFILE", "other")], None);
    assert_eq!(run.json()["profile"], "other");
    // An unknown name is refused and changes nothing.
    let before = env.config_text();
    env.run(&["use", "nope"], &[], None).code(3);
    assert_eq!(env.config_text(), before);
    // Removing the default forgets it.
    env.run(&["remove", "lab", "--yes"], &[], None).code(0);
    assert!(!env.config_text().contains("default_profile"));
}

/// A command that fails before it looks at its profile still names, in its error JSON, the one it
/// would have acted on, decided the one way: the default profile `use` chose, not `default`.
#[test]
fn an_early_error_names_the_default_profile_use_chose() {
    let env = TestEnv::new();
    sandbox_profile(&env, "lab");
    sandbox_profile(&env, "other");
    env.run(&["use", "other"], &[], None).code(0);
    for args in [
        &["handoff", "--for", "no-such-form", "--json"][..],
        &["test", "--as", "no-such-form", "--json"][..],
    ] {
        let run = env.run(args, &[], None);
        run.code(2);
        assert_eq!(run.json()["profile"], "other", "{args:?}: {}", run.stdout);
    }
    // A profile named by position is the one named, whatever the default.
    let run = env.run(
        &["handoff", "lab", "--for", "no-such-form", "--json"],
        &[],
        None,
    );
    run.code(2);
    assert_eq!(run.json()["profile"], "lab");
}

/// A sandbox that accepts `secret`, and a profile `rot` saved (untested) with the canary, which the
/// sandbox refuses.
fn rotation_setup(env: &TestEnv, secret: &str) -> Sandbox {
    let sb = Sandbox::start(SandboxOptions {
        scenario: Scenario::Healthy,
        client_secret: Some(halo_connect::sandbox::ClientSecret::new(secret)),
        ..SandboxOptions::default()
    })
    .unwrap();
    let mut args = init_args(&sb);
    args.extend(["--profile".into(), "rot".into(), "--skip-test".into()]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    sb
}

#[test]
fn secret_set_stores_the_new_secret_only_after_it_passes() {
    let env = TestEnv::new();
    let new = "n3w-5ecret-0f-the-r16ht-l3ngth-for-a-halo-app-0000000000000000000000000";
    let _sb = rotation_setup(&env, new);
    let stored = || std::fs::read_to_string(env.credentials_path()).unwrap();
    assert!(stored().contains(CANARY));

    // A secret that fails its test is not stored; the old one stays.
    let run = env.run(&["secret", "set", "rot"], &[], Some("not-the-secret\n"));
    run.code(4);
    assert!(run.stderr.contains("keeps its old one"), "{}", run.stderr);
    assert!(stored().contains(CANARY));

    let run = env.run(&["secret", "set", "rot"], &[], Some(&format!("{new}\n")));
    run.code(0);
    assert!(run.stdout.contains("passed"), "{}", run.stdout);
    assert!(
        run.stderr.contains("in place of the old one"),
        "{}",
        run.stderr
    );
    assert!(stored().contains(new) && !stored().contains(CANARY));
    assert!(!run.stdout.contains(new) && !run.stderr.contains(new));
    // The stored secret is the one `test` now uses, and the test was recorded.
    env.run(&["test", "rot"], &[], None).code(0);
    assert!(env.config_text().contains("last_test"));
}

#[test]
fn secret_set_refuses_profiles_that_keep_no_secret() {
    let env = TestEnv::new();
    sandbox_profile(&env, "lab");
    let run = env.run(&["secret", "set", "lab"], &[], Some("x\n"));
    run.code(3);
    assert!(run.stderr.contains("sandbox"), "{}", run.stderr);
    let run = env.run(&["secret", "set", "nope"], &[], Some("x\n"));
    run.code(3);
}

#[test]
fn status_checks_each_secret_and_says_what_to_run_next() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    args.extend(["--profile".into(), "billing".into()]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    sandbox_profile(&env, "lab");
    let run = env.run(&["status"], &[], None);
    run.code(0);
    assert!(run.stdout.contains("billing"), "{}", run.stdout);
    assert!(run.stdout.contains("last test passed"), "{}", run.stdout);

    // The credentials file is gone: status reads the store, not the profile's word.
    std::fs::remove_file(env.credentials_path()).unwrap();
    let run = env.run(&["status", "--json"], &[], None);
    run.code(3);
    let v = run.json();
    let billing = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["profile"] == "billing")
        .unwrap();
    assert_eq!(billing["secret_present"], false);
    assert_eq!(billing["next"], "halo-connect secret set billing");
    let lab = v.as_array().unwrap().iter().find(|r| r["profile"] == "lab");
    assert_eq!(lab.unwrap()["secret_present"], true);
    let run = env.run(&["status"], &[], None);
    assert!(
        run.stdout.contains("missing from the file store"),
        "{}",
        run.stdout
    );
}

#[test]
fn status_with_no_profiles_says_how_to_make_one() {
    let env = TestEnv::new();
    let run = env.run(&["status"], &[], None);
    run.code(3);
    assert!(run.stderr.contains("halo-connect init"), "{}", run.stderr);
}

#[test]
fn completion_names_the_profiles_of_the_moment_and_the_script_none() {
    let env = TestEnv::new();
    let script = env.run(&["completions", "bash"], &[], None);
    script.code(0);
    // Asked at TAB time (as the script asks): the profiles in the config now.
    let ask = |words: &[&str]| {
        let mut args = vec!["--", "halo-connect"];
        args.extend_from_slice(words);
        let run = env.run(&args, &[("HALO_CONNECT_COMPLETE", "fish")], None);
        run.code(0);
        run.stdout
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(ask(&["test", "--profile", ""]).is_empty());
    sandbox_profile(&env, "lab-profile");
    assert_eq!(ask(&["test", "--profile", "lab"]), ["lab-profile"]);
    assert_eq!(ask(&["handoff", "lab"]), ["lab-profile"]);
    assert!(ask(&["init", "--preset", ""]).contains(&"company-asset-sync".to_string()));
    assert_eq!(ask(&["init", "--scenario", "wrong-s"]), ["wrong-secret"]);
    let again = env.run(&["completions", "bash"], &[], None);
    assert_eq!(
        again.stdout, script.stdout,
        "the script does not change with the profiles"
    );
    assert!(!again.stdout.contains("lab-profile"));
}

#[test]
fn show_reads_the_store_and_says_when_the_secret_is_missing() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    let run = env.run(&["show"], &[], None);
    assert!(run.stdout.contains("(hidden)"), "{}", run.stdout);
    std::fs::remove_file(env.credentials_path()).unwrap();
    let run = env.run(&["show"], &[], None);
    run.code(0);
    assert!(
        run.stdout
            .contains("MISSING: run `halo-connect secret set default`"),
        "{}",
        run.stdout
    );
}

#[test]
fn list_and_show_do_not_show_a_sandbox_address_that_test_will_not_use() {
    let env = TestEnv::new();
    sandbox_profile(&env, "lab");
    for args in [&["show", "lab"][..], &["list"][..]] {
        let run = env.run(args, &[], None);
        run.code(0);
        assert!(
            !run.stdout.contains("127.0.0.1"),
            "{args:?}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains("the emulator"),
            "{args:?}: {}",
            run.stdout
        );
    }
}

#[test]
fn the_error_json_names_the_profile_given_by_position() {
    let env = TestEnv::new();
    for args in [
        &["show", "nope", "--json"][..],
        &["secret", "set", "nope", "--json"][..],
    ] {
        let run = env.run(args, &[], Some(""));
        run.code(3);
        assert_eq!(run.json()["profile"], "nope", "{args:?}");
    }
}

#[test]
fn a_refused_secret_that_passed_its_last_test_may_have_been_regenerated() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    args.extend(["--profile".into(), "regen".into()]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    env.run(&["test", "regen"], &[], None).code(0);
    // Someone changes the application's Login Type: Halo regenerates the secret.
    sb.set_scenario(Scenario::SecretRegenerated);
    let run = env.run(&["test", "regen", "--json"], &[], None);
    run.code(4);
    let v = run.contract(Some("auth"));
    assert_eq!(v["error"]["code"], "invalid-client");
    let hints: Vec<&str> = v["hints"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h.as_str())
        .collect();
    assert!(
        hints
            .iter()
            .any(|h| h.contains("Login Type") && h.contains("secret set")),
        "{hints:?}"
    );
    // A secret that never passed gets no such hint.
    let env = TestEnv::new();
    let mut args = init_args(&sb);
    args.extend(["--profile".into(), "fresh".into(), "--skip-test".into()]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    let run = env.run(&["test", "fresh", "--json"], &[], None);
    run.code(4);
    assert!(!run.stdout.contains("Login Type"), "{}", run.stdout);
}

/// After `use billing`, a failure's JSON names the profile the command acted on, as its message
/// does.
#[test]
fn the_error_json_names_the_profile_chosen_by_use() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    args.push("--skip-test".into());
    env.run(
        &strs(&args),
        &[("HALO_CLIENT_SECRET", CANARY), ("HALO_PROFILE", "billing")],
        None,
    )
    .code(0);
    // The secret goes, so the test fails before any request, with an error of its own.
    std::fs::remove_file(env.credentials_path()).unwrap();
    env.run(&["use", "billing"], &[], None).code(0);
    let run = env.run(&["test", "--json"], &[], None);
    let v = run.json();
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert_eq!(v["profile"], "billing", "{v:#}");
    assert!(run.stderr.contains("billing"), "{}", run.stderr);
}

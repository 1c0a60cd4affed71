//! The first ten minutes on a real Halo, through the binary: the first profile becomes the
//! default so bare commands work, `status` by position and with a deliberate `--secret-store
//! none`, hosting kept and shown, one failure said once, the leftovers that misled a newcomer
//! (`tenant-required`, sandbox hand-off and export, an ignored `HALO_URL`, `-q`), and `man`.

use crate::common::{from_env_vars, init_args, refs, sandbox, strs, TestEnv, CANARY};
use halo_connect::sandbox::Scenario;

#[test]
fn after_the_first_init_bare_commands_act_on_its_profile() {
    let env = TestEnv::new();
    let run = env.run(&["init", "--sandbox", "--non-interactive"], &[], None);
    run.code(0);
    assert!(
        run.stderr.contains("Profile `sandbox` is the default now"),
        "{}",
        run.stderr
    );
    assert!(env.config_text().contains("default_profile = \"sandbox\""));
    for args in [
        &["handoff"][..],
        &["test"][..],
        &["export"][..],
        &["show"][..],
    ] {
        let run = env.run(args, &[], None);
        run.code(0);
        assert!(!run.stdout.trim().is_empty(), "{args:?} printed nothing");
    }
    // status recommends a command that works: the bare `test` of the default profile.
    let run = env.run(&["status"], &[], None);
    run.code(0);
    assert!(
        run.stdout.contains("`halo-connect test` checks it again"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("test --all"), "{}", run.stdout);
}

#[test]
fn a_second_profile_does_not_take_the_default_but_the_first_real_one_takes_it_from_the_tour() {
    let env = TestEnv::new();
    env.run(&["init", "--sandbox", "--non-interactive"], &[], None)
        .code(0);
    env.run(
        &["init", "--sandbox", "--non-interactive", "--profile", "lab"],
        &[],
        None,
    )
    .code(0);
    assert!(env.config_text().contains("default_profile = \"sandbox\""));
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    args.extend(["--profile".into(), "billing".into()]);
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(0);
    assert!(env.config_text().contains("default_profile = \"billing\""));
    // status names the non-default profiles' commands with their names.
    let run = env.run(&["status"], &[], None);
    assert!(
        run.stdout
            .contains("`halo-connect test lab` checks it again"),
        "{}",
        run.stdout
    );
}

#[test]
fn status_takes_a_profile_by_position_and_a_deliberate_none_is_not_a_failure() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    let store = args.iter().position(|a| a == "file").unwrap();
    args[store] = "none".into();
    args.extend(["--profile".into(), "envonly".into()]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    env.run(
        &["init", "--sandbox", "--non-interactive", "--profile", "lab"],
        &[],
        None,
    )
    .code(0);
    let run = env.run(&["status", "envonly"], &[], None);
    run.code(0);
    assert!(run.stdout.contains("envonly"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("lab"),
        "only the named one: {}",
        run.stdout
    );
    assert!(run.stdout.contains("by choice"), "{}", run.stdout);
    let run = env.run(&["status", "--json"], &[], None);
    run.code(0);
    let rows = run.json();
    assert_eq!(rows.as_array().map(Vec::len), Some(2));
    // A secret that went missing from its store is still exit 3.
    let mut args = init_args(&sb);
    args.extend(["--profile".into(), "lost".into()]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    std::fs::remove_file(env.credentials_path()).unwrap();
    let run = env.run(&["status", "lost"], &[], None);
    run.code(3);
    assert!(run.stdout.contains("lost"), "{}", run.stdout);
    env.run(&["status", "nope"], &[], None).code(3);
}

#[test]
fn hosting_is_kept_and_shown_by_show_and_the_hand_off() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    assert!(
        env.config_text().contains("hosting = \"hosted\""),
        "{}",
        env.config_text()
    );
    let run = env.run(&["show", "default", "--json"], &[], None);
    assert_eq!(run.json()["hosting"], "hosted");
    let run = env.run(&["show", "default"], &[], None);
    assert!(run.stdout.contains("Hosted by Halo"), "{}", run.stdout);
    let run = env.run(&["handoff", "default", "--json"], &[], None);
    let v = run.json();
    assert_eq!(v["hosting"], "hosted");
    assert!(
        v["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["field"] == "hosting" && r["forms"]["value"] == "Hosted by Halo"),
        "{v:#}"
    );
    let run = env.run(&["handoff", "default"], &[], None);
    assert!(run.stdout.contains("Hosting Type"), "{}", run.stdout);
    // On-premise: the Tenant "Not set" says so.
    let env = TestEnv::new();
    let mut args = init_args(&sb);
    let t = args.iter().position(|a| a == "--tenant").unwrap();
    args.drain(t..t + 2);
    args.extend(["--tenant".into(), "Not set".into(), "--skip-test".into()]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    assert!(env.config_text().contains("hosting = \"on-premise\""));
}

#[test]
fn a_token_failure_is_said_once() {
    let env = TestEnv::new();
    let run = env.run(
        &["test", "--sandbox", "--scenario", "wrong-secret"],
        &[],
        None,
    );
    run.code(4);
    assert_eq!(
        run.stdout.matches("invalid_client").count(),
        1,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("token: not issued"), "{}", run.stdout);
}

#[test]
fn a_fix_shared_by_rows_is_said_once_with_the_rows_and_a_role_fix_names_the_level() {
    let env = TestEnv::new();
    let run = env.run(
        &["test", "--sandbox", "--scenario", "role-denied"],
        &[],
        None,
    );
    run.code(5);
    let out = &run.stdout;
    // Every fix line is printed once, and each names the rows it covers.
    let fixes: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("fix") || l.trim_start().starts_with("also"))
        .collect();
    assert!(!fixes.is_empty(), "{out}");
    for f in &fixes {
        let text = f.split_once("):").map(|(_, t)| t).unwrap_or(f);
        assert_eq!(
            out.matches(text.trim()).count(),
            1,
            "said twice: {f}\n{out}"
        );
    }
    assert!(
        fixes.iter().any(|f| f.contains("read:contracts")),
        "{fixes:?}"
    );
    // The billing preset's Role gives Client Contracts "Read and Modify".
    assert!(
        out.contains("Client Contracts Access Level set to \"Read and Modify\""),
        "{out}"
    );
    // The JSON hint carries the level too.
    let run = env.run(
        &["test", "--sandbox", "--scenario", "role-denied", "--json"],
        &[],
        None,
    );
    let v = run.contract(Some("permission"));
    assert!(
        v["hints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h.as_str().unwrap_or("").contains("\"Read and Modify\"")),
        "{v:#}"
    );
}

#[test]
fn the_documented_tenant_required_reproduction_fails_as_documented() {
    let env = TestEnv::new();
    let run = env.run(
        &[
            "test",
            "--sandbox",
            "--scenario",
            "tenant-required",
            "--preset",
            "billing",
            "--json",
        ],
        &[],
        None,
    );
    let v = run.contract(Some("auth"));
    run.code(4);
    assert_eq!(v["error"]["code"], "tenant-required", "{v:#}");
}

#[test]
fn a_sandbox_profile_hands_off_its_demo_secret_and_exports_how_to_start_it() {
    let env = TestEnv::new();
    env.run(&["init", "--sandbox", "--non-interactive"], &[], None)
        .code(0);
    let demo = halo_connect::sandbox::DEMO_CLIENT_SECRET;
    let last4 = &demo[demo.len() - 4..];
    // The harness sets HALO_SANDBOX_SECRET to its canary; unset, the emulator's is the demo one.
    let demo_env = [("HALO_SANDBOX_SECRET", "")];
    let run = env.run(&["handoff", "sandbox", "--json"], &demo_env, None);
    run.code(0);
    let v = run.json();
    let secret = v["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["field"] == "client_secret")
        .cloned()
        .unwrap();
    assert!(
        secret["forms"]["last_4"].as_str().unwrap().ends_with(last4),
        "{secret:#}"
    );
    assert!(
        secret["rule"]
            .as_str()
            .unwrap()
            .contains("halo-connect sandbox"),
        "{secret:#}"
    );
    // Piped, --with-secret gives the demo secret; the warning says how to serve the port again.
    let run = env.run(&["export", "sandbox", "--with-secret"], &demo_env, None);
    run.code(0);
    assert!(
        run.stdout.contains(&format!("HALO_CLIENT_SECRET={demo}"))
            || run.stdout.contains(&format!("HALO_CLIENT_SECRET='{demo}'")),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("halo-connect sandbox --port"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_ignored_halo_url_is_said() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let mut vars = from_env_vars(&sb);
    vars.push(("HALO_URL", "https://elsewhere.halopsa.com".to_string()));
    let run = env.run(&["test", "--from-env"], &refs(&vars), None);
    run.code(0);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("https://elsewhere.halopsa.com was not used"),
        "{all}"
    );
}

#[test]
fn quiet_init_prints_nothing_on_success() {
    let env = TestEnv::new();
    let run = env.run(&["init", "--sandbox", "--non-interactive", "-q"], &[], None);
    run.code(0);
    assert_eq!(run.stdout, "", "no hand-off card under -q");
    assert_eq!(run.stderr, "");
}

#[test]
fn man_prints_exit_status_and_examples_and_is_in_help() {
    let env = TestEnv::new();
    let run = env.run(&["--help"], &[], None);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("man ")),
        "{}",
        run.stdout
    );
    let run = env.run(&["man"], &[], None);
    run.code(0);
    let page = &run.stdout;
    assert!(page.contains(".SH \"EXIT STATUS\""), "{page}");
    assert!(page.contains(".SH EXAMPLES"), "{page}");
    // Every exit code of the contract is on the page.
    for code in ["0", "1", "2", "3", "4", "5", "6", "130"] {
        assert!(
            page.contains(&format!("\\fB{code}\\fR")),
            "exit {code} missing:\n{page}"
        );
    }
    let run = env.run(&["man", "init"], &[], None);
    run.code(0);
    assert!(
        run.stdout.contains("halo\\-connect\\-init"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("init \\-\\-sandbox"), "{}", run.stdout);
    let run = env.run(&["man", "nope"], &[], None);
    run.code(2);
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
}

/// Every "Reproduce" line of docs/troubleshooting.md that names a sandbox scenario, run exactly
/// as printed there, fails with the entry's exit code and code: a newcomer who copies one sees
/// the failure it documents (the `tenant-required` line once passed).
#[test]
fn every_documented_sandbox_reproduction_fails_as_documented() {
    use halo_connect::domain::catalogue::{Emulation, CATALOGUE};
    let entries: Vec<_> = CATALOGUE
        .iter()
        .filter_map(|c| match c.emulation {
            Emulation::Scenario { scenario, preset } => Some((*c, scenario, preset)),
            _ => None,
        })
        .collect();
    assert!(entries.len() > 10, "{}", entries.len());
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = entries
            .chunks(entries.len().div_ceil(4))
            .map(|chunk| {
                s.spawn(move || {
                    let mut bad = Vec::new();
                    for (cause, scenario, preset) in chunk {
                        let env = TestEnv::new();
                        let args = [
                            "test",
                            "--sandbox",
                            "--scenario",
                            scenario,
                            "--preset",
                            preset,
                            "--json",
                            "--timeout",
                            "2",
                        ];
                        let run = env.run(&args, &[], None);
                        let v = run.json();
                        let want = (cause.kind.exit_code(), cause.printed().code);
                        let got = (
                            run.code,
                            v["error"]["code"].as_str().unwrap_or("").to_string(),
                        );
                        if got.0 != want.0 || got.1 != want.1 {
                            bad.push(format!(
                                "{}: {args:?} gave {got:?}, documented {want:?}",
                                cause.code
                            ));
                        }
                    }
                    bad
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{failures:#?}");
}

/// `-q` prints nothing but failures: a failing `init` says its error and fix on stderr, and
/// nothing else (no report, no hand-off card).
#[test]
fn quiet_init_prints_only_a_failure_and_its_fix() {
    let env = TestEnv::new();
    let run = env.run(
        &[
            "init",
            "--sandbox",
            "--scenario",
            "wrong-secret",
            "--non-interactive",
            "-q",
        ],
        &[],
        None,
    );
    run.code(4);
    assert_eq!(run.stdout, "", "no report and no card under -q");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(lines[0].starts_with("error: ") && lines[0].contains("invalid_client"));
    assert!(lines[1].starts_with("hint: ") && lines[1].contains("View Applications"));
}

/// The README a newcomer follows on a fresh machine: every install route that needs a release says
/// so, the source build says it works today and that its binary is the tool, `cargo install` keeps
/// `--locked`, and the tour and the real setup are sections of their own, the real one saying that
/// Enter does not mark a step done.
#[test]
fn the_readme_says_what_works_today_and_tells_the_tour_from_the_real_setup() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for route in [
        "**Windows**",
        "**macOS and Linux**",
        "**By hand**",
        "**Container**",
        "**GitHub Action**",
        "**Container image**",
    ] {
        let line = readme
            .lines()
            .find(|l| l.starts_with(route))
            .unwrap_or_else(|| panic!("no {route} line"));
        assert!(line.contains("*(from the first release)*"), "{line}");
    }
    let source = readme
        .lines()
        .find(|l| l.starts_with("**From source**"))
        .unwrap();
    assert!(source.contains("works today"), "{source}");
    assert!(readme.contains("the tool is now target/release/halo-connect"));
    assert!(readme.contains("`cargo install --locked --path .`"));
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let installs: Vec<&str> = flat
        .match_indices("`cargo install ")
        .map(|(i, _)| &flat[i..flat[i + 1..].find('`').map_or(flat.len(), |j| i + j + 2)])
        .collect();
    assert!(installs.len() >= 3, "{installs:?}");
    for quoted in installs {
        // The one without: "with it [--locked], `cargo install --path` builds in …".
        assert!(
            quoted.contains("--locked") || quoted == "`cargo install --path`",
            "{quoted}"
        );
    }
    let tour = readme
        .find("\n## Try it on a fresh machine: the tour\n")
        .expect("the tour");
    let real = readme
        .find("\n## Real setup: your Halo\n")
        .expect("the real setup");
    assert!(tour < real);
    assert!(readme[real..].contains("does not take Enter for \"done\""));
}

//! Whole `init` runs of the built binary in a real pseudo-terminal (expectrl), against the
//! built-in sandbox, typed the way an operator types.

#![cfg(unix)]

#[path = "common/mod.rs"]
mod common;
#[path = "pty/completions.rs"]
mod completions;
#[path = "pty/real_setup.rs"]
mod real_setup;

use std::process::Command;
use std::time::Duration;

use common::pty::{Pty as Wizard, DOWN};
use common::{TestEnv, CANARY};
use expectrl::process::unix::WaitStatus;
use expectrl::{Eof, Expect, Session};

#[test]
fn hosted_happy_path_by_pressing_enter() {
    let env = TestEnv::new();
    let mut w = Wizard::start(&env, &["init", "--sandbox"]);
    w.at("Preset", "\r").at("Hosting", "\r").skip_checklists();
    w.at("Halo address", "\r")
        .at("Use these three values?", "\r")
        .at("Client ID", "\r")
        .at("Client Secret", "\r");
    w.at("Saved sandbox profile", "");
    // The skip-checklists path: 9 Enters and 3 arrow keys.
    assert_eq!(w.keys, 12);
    assert_eq!(w.finish(), 0);
    assert!(w.out.contains("Save and Test passed"), "{}", w.out);
    assert!(w.out.contains("API Sandbox"), "names the agent: {}", w.out);
    // The emulator's values include its Authorization Server and Tenant: the one discovery rule
    // has nothing to ask its authinfo for.
    assert!(w.out.contains("api/authinfo was not asked"), "{}", w.out);
    assert!(env.config_text().contains("[profiles.sandbox]"));
    insta::with_settings!({
        filters => vec![
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
            (r"--port \d+", "--port [port]"),
            (r"\b\d+ ms\b", "[n] ms"),
        ],
        omit_expression => true,
    }, {
        insta::assert_snapshot!("wizard-end-hosted-happy-path", w.end_screen(&env));
    });
}

#[test]
fn on_premise_with_not_set() {
    let env = TestEnv::new();
    let mut w = Wizard::start(&env, &["init", "--sandbox"]);
    w.at("Preset", "\r")
        .at("Hosting", &format!("{DOWN}\r"))
        .at("fully chained", "")
        .skip_checklists();
    w.at("Halo address", "\r")
        .at("Use these three values?", "n\r");
    w.at("Resource Server", "\r")
        .at("Authorization Server", "\r")
        .at("Tenant", "Not set\r");
    w.at("Client ID", "\r")
        .at("Client Secret", "\r")
        .at("Saved sandbox profile", "");
    assert_eq!(w.finish(), 0);
    let cfg = env.config_text();
    assert!(
        !cfg.contains("tenant ="),
        "no tenant is stored on-premise:\n{cfg}"
    );
    assert!(cfg.contains("hosting = \"on-premise\""), "{cfg}");
}

#[test]
fn authorization_server_typed_without_the_trailing_slash() {
    let env = TestEnv::new();
    let mut w = Wizard::start(&env, &["init", "--sandbox"]);
    let port = w.sandbox_port();
    w.at("Preset", "\r").at("Hosting", "\r").skip_checklists();
    w.at("Halo address", "\r")
        .at("Use these three values?", "n\r")
        .at("Resource Server", "\r");
    w.at(
        "Authorization Server",
        &format!("http://127.0.0.1:{port}/auth\r"),
    );
    w.at("trailing", "")
        .at("Tenant", "\r")
        .at("Client ID", "\r")
        .at("Client Secret", "\r")
        .at("Saved sandbox profile", "");
    assert_eq!(w.finish(), 0);
    assert!(env
        .config_text()
        .contains(&format!("auth_server = \"http://127.0.0.1:{port}/auth/\"")));
}

#[test]
fn a_wrong_secret_then_corrected() {
    let env = TestEnv::new();
    let mut w = Wizard::start(&env, &["init", "--sandbox"]);
    w.at("Preset", "\r").at("Hosting", "\r").skip_checklists();
    w.at("Halo address", "\r")
        .at("Use these three values?", "\r")
        .at("Client ID", "\r");
    w.at("Client Secret", "not-the-right-secret\r");
    w.at("invalid_client", "").at("What next?", "\r");
    w.at("Client Secret", "\r")
        .at("Save and Test passed", "")
        .at("Saved sandbox profile", "");
    assert_eq!(w.finish(), 0);
    assert!(w.out.contains("Re-enter the Client Secret"), "{}", w.out);
    // The failed token step is said once, not on its row and again at the end.
    assert_eq!(w.out.matches("invalid_client").count(), 1, "{}", w.out);
    assert!(w
        .out
        .contains("token: not issued (why, and the fix, below)"));
}

#[test]
fn a_missing_scope_fixed_in_the_sandbox_then_retested() {
    let env = TestEnv::new();
    let mut w = Wizard::start(&env, &["init", "--sandbox", "--scenario", "missing-scope"]);
    let port = w.sandbox_port();
    w.at("Preset", "\r").at("Hosting", "\r").skip_checklists();
    w.at("Halo address", "\r")
        .at("Use these three values?", "\r")
        .at("Client ID", "\r")
        .at("Client Secret", "\r");
    w.at("edit:invoices", "").at("What next?", "");
    // The operator ticks the permission in Halo; here the sandbox is told to grant it.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // rustls is built without a default provider: ring's, as the binary installs it.
    halo_connect::halo::client::install_crypto_provider();
    let status = rt.block_on(async {
        // reqwest is built without a crypto provider of its own: the tool's (ring) is installed.
        halo_connect::halo::client::install_crypto_provider();
        reqwest::Client::new()
            .post(format!(
                "http://127.0.0.1:{port}/_sandbox/scenario?name=healthy&key=pty-test-key"
            ))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert!(status.is_success());
    std::thread::sleep(Duration::from_millis(250));
    w.s.send("\r").unwrap();
    w.at("Save and Test passed", "")
        .at("Saved sandbox profile", "");
    assert_eq!(w.finish(), 0);
}

#[test]
fn ctrl_c_midway_exits_130_and_saves_nothing() {
    let env = TestEnv::new();
    let before = "# kept as it was\n";
    env.write_config(before);
    let mut w = Wizard::start(&env, &["init", "--sandbox"]);
    w.at("Preset", "\r").at("Hosting", "\x03");
    assert_eq!(w.finish(), 130);
    assert_eq!(env.config_text(), before);
}

#[test]
fn a_rerun_offers_the_stored_values_and_enter_keeps_the_secret() {
    let env = TestEnv::new();
    let sb = common::sandbox(halo_connect::sandbox::Scenario::Healthy);
    let args = common::init_args(&sb);
    env.run(
        &common::strs(&args),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    let before = env.config_text();
    let mut w = Wizard::start(&env, &["init"]);
    w.at("exists", "\r")
        .at("Preset", "\r")
        .at("Hosting", "\r")
        .skip_seen_checklists();
    w.at("Halo address", "\r")
        .at("Use these three values?", "\r")
        .at("Client ID", "\r");
    // The secret stays where it was (the file store), masked to its last four characters.
    w.at(
        &format!("Enter keeps ••••••••{}", &CANARY[CANARY.len() - 4..]),
        "\r",
    );
    w.at("Save and Test passed", "")
        .at("Saved profile `default`", "");
    assert_eq!(w.finish(), 0);
    let after = env.config_text();
    assert!(after.contains("last_test"), "{after}");
    assert_eq!(
        before
            .lines()
            .filter(|l| l.starts_with("[profiles."))
            .count(),
        after
            .lines()
            .filter(|l| l.starts_with("[profiles."))
            .count()
    );
}

#[test]
fn with_ci_set_there_is_no_prompt_even_in_a_terminal() {
    let env = TestEnv::new();
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("halo-connect"));
    c.env_clear()
        .envs(env.vars())
        .env("TERM", "xterm")
        .args(["init"]);
    let mut s = Session::spawn(c).expect("spawn in a pty");
    s.set_expect_timeout(Some(Duration::from_secs(30)));
    let out = s
        .expect(Eof)
        .map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned())
        .unwrap_or_default();
    assert!(out.contains("missing"), "lists the missing values: {out}");
    match s.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 3),
        other => panic!("{other:?}"),
    }
}

/// Ctrl-C at each prompt, the hidden Client Secret among them, leaves the terminal as it was: the
/// shell runs `stty -a` in the same pseudo-terminal after the tool exits, and echo is on.
#[test]
fn ctrl_c_at_any_prompt_leaves_echo_on() {
    let keys_to = |at: &str| -> Vec<(&'static str, String)> {
        let mut steps = vec![("Preset", "\r".to_string()), ("Hosting", "\r".into())];
        steps.extend([
            ("Role checklist", format!("{DOWN}\r")),
            ("Agent checklist", format!("{DOWN}\r")),
            ("Application checklist", format!("{DOWN}\r")),
            ("Halo address", "\r".into()),
            ("Use these three values?", "\r".into()),
            ("Client ID", "\r".into()),
            ("Client Secret", "\r".into()),
        ]);
        let end = steps.iter().position(|(p, _)| *p == at).expect("a prompt");
        steps.truncate(end + 1);
        steps.last_mut().unwrap().1 = "\x03".into();
        steps
    };
    for prompt in ["Client Secret", "Client ID", "Preset"] {
        let env = TestEnv::new();
        let mut c = Command::new("/bin/sh");
        c.env_clear().envs(env.vars());
        c.env_remove("CI")
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .env("PATH", "/usr/bin:/bin");
        // The pty starts with echo off; the shell turns it on so "as it was found" means echo on,
        // and a trap keeps the shell alive through the Ctrl-C sent to the foreground group.
        c.args([
            "-c",
            "stty echo icanon; trap : INT; \"$0\" init --sandbox; echo \"exit=$?\"; stty -a",
            assert_cmd::cargo::cargo_bin("halo-connect")
                .to_str()
                .unwrap(),
        ]);
        let mut s = Session::spawn(c).expect("spawn in a pty");
        s.set_expect_timeout(Some(Duration::from_secs(30)));
        let mut w = Wizard::from_session(&env, s);
        for (at, keys) in keys_to(prompt) {
            w.at(at, &keys);
        }
        w.at("exit=130", "");
        assert_eq!(w.finish(), 0, "{}", w.out);
        let stty = w.out.rsplit("exit=130").next().unwrap_or_default();
        let flags: Vec<&str> = stty.split_whitespace().collect();
        assert!(
            flags.contains(&"echo") && flags.contains(&"icanon"),
            "Ctrl-C at {prompt:?} left echo or line mode off:\n{stty}"
        );
    }
}

/// `remove` asks about a stored Client Secret only when the profile has one.
#[test]
fn remove_of_a_profile_without_a_secret_does_not_ask_about_one() {
    let env = TestEnv::new();
    env.run(&["init", "--sandbox"], &[], None).code(0);
    let mut w = Wizard::start(&env, &["remove", "--profile", "sandbox"]);
    w.at("It stores no Client Secret", "n\r");
    assert_eq!(w.finish(), 0);
    assert!(!w.out.contains("its stored Client Secret"), "{}", w.out);
    assert!(env.config_text().contains("[profiles.sandbox]"));
}

/// With the profile taken, the wizard offers a new one and names it after the preset.
#[test]
fn a_taken_profile_name_leads_to_a_new_profile_named_after_the_preset() {
    let env = TestEnv::new();
    let sb = common::sandbox(halo_connect::sandbox::Scenario::Healthy);
    let args = common::init_args(&sb);
    env.run(
        &common::strs(&args),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    let mut w = Wizard::start(&env, &["init", "--secret-store", "file"]);
    w.at("exists", &format!("{DOWN}\r"))
        .at("Preset", "\r")
        .at("Hosting", "\r")
        .skip_seen_checklists();
    w.at("Halo address", &format!("{}\r", sb.base_url()))
        .at("Use these three values?", "\r")
        .at("Client ID", &format!("{}\r", sb.client_id()))
        .at("Client Secret", &format!("{CANARY}\r"));
    w.at("Save as profile", "\r")
        .at("Saved profile `billing`", "");
    assert_eq!(w.finish(), 0);
    // Named before Save and Test, which shows the new name, not the profile it keeps.
    let named = w.out.find("Save as profile").unwrap();
    let tested = w.out.find("Save and Test").unwrap();
    assert!(named < tested, "{}", w.out);
    assert!(w.out[tested..].contains("billing"), "{}", w.out);
    assert!(!w.out[tested..].contains("Profile default"), "{}", w.out);
    let cfg = env.config_text();
    assert!(
        cfg.contains("[profiles.default]") && cfg.contains("[profiles.billing]"),
        "{cfg}"
    );
}

/// `secret set` on a terminal asks hidden (the canary is never echoed), tests, then stores.
#[test]
fn secret_set_asks_hidden_on_a_terminal_and_stores_after_the_test() {
    let env = TestEnv::new();
    let sb = common::sandbox(halo_connect::sandbox::Scenario::Healthy);
    let mut args = common::init_args(&sb);
    args.push("--skip-test".into());
    let old = "0ld-5ecret-that-halo-no-longer-accepts-000000000000000000000000000000000";
    env.run(&common::strs(&args), &[("HALO_CLIENT_SECRET", old)], None)
        .code(0);
    let mut w = Wizard::start(&env, &["secret", "set", "default"]);
    w.at(
        "New Client Secret for profile `default`",
        &format!("{CANARY}\r"),
    )
    .at("Stored the new Client Secret", "");
    assert_eq!(w.finish(), 0);
    let stored = std::fs::read_to_string(env.credentials_path()).unwrap();
    assert!(stored.contains(CANARY) && !stored.contains(old));
}

/// `--no-checklists` goes from the hosting question straight to the values.
#[test]
fn no_checklists_skips_every_checklist() {
    let env = TestEnv::new();
    let mut w = Wizard::start(&env, &["init", "--sandbox", "--no-checklists"]);
    w.at("Preset", "\r").at("Hosting", "\r");
    w.at("Halo address", "\r")
        .at("Use these three values?", "\r")
        .at("Client ID", "\r")
        .at("Client Secret", "\r")
        .at("Saved sandbox profile", "");
    assert_eq!(w.finish(), 0);
    assert!(!w.out.contains("Role checklist"), "{}", w.out);
}

/// The first steps of the billing preset's Role checklist, as the wizard asks them.
fn role_steps() -> Vec<halo_connect::domain::preset::Step> {
    halo_connect::domain::preset::lookup("billing")
        .unwrap()
        .role
        .clone()
}

/// On a real Halo, Enter at a step shows it again; only "y" marks it done, and what was not done
/// is listed before the values.
#[test]
fn on_a_real_halo_enter_shows_the_step_and_only_y_marks_it_done() {
    let env = TestEnv::new();
    let sb = common::sandbox(halo_connect::sandbox::Scenario::Healthy);
    let mut w = Wizard::start(&env, &["init", "--secret-store", "file"]);
    w.at("Preset", "\r")
        .at("Hosting", "\r")
        .at("Role checklist", "\r");
    let steps = role_steps();
    let first = &steps[0];
    w.at(&format!("Done: {}?", first.setting), "")
        .at("Enter shows it again)", "\r");
    w.at(&format!("1. In {}", first.menu), "");
    w.at(&format!("Done: {}?", first.setting), "")
        .at("Enter shows it again)", "y\r");
    for s in &steps[1..] {
        w.at(&format!("Done: {}?", s.setting), "")
            .at("Enter shows it again)", "n\r");
    }
    w.at("Agent checklist", &format!("{DOWN}\r"))
        .at("Application checklist", &format!("{DOWN}\r"));
    w.at("Still to do in Halo", "");
    w.at("Halo address", &format!("{}\r", sb.base_url()))
        .at("Use these three values?", "\r")
        .at("Client ID", &format!("{}\r", sb.client_id()))
        .at("Client Secret", &format!("{CANARY}\r"))
        .at("Saved profile `default`", "");
    assert_eq!(w.finish(), 0);
    let todo = &w.out[w.out.find("Still to do in Halo").unwrap()..];
    let todo = &todo[..todo.find("Halo address").unwrap_or(todo.len())];
    assert!(
        !todo.contains(&format!("Role: {}:", first.setting)),
        "{todo}"
    );
    assert!(
        todo.contains(&format!("Role: {}:", steps[1].setting)),
        "{todo}"
    );
    assert!(env.config_text().contains("hosting = \"hosted\""));
}

/// Against the sandbox, the tour keeps Enter as "done".
#[test]
fn the_sandbox_tour_confirms_each_step_with_enter() {
    let env = TestEnv::new();
    let mut w = Wizard::start(&env, &["init", "--sandbox"]);
    w.at("Preset", "\r")
        .at("Hosting", "\r")
        .at("Role checklist", "\r");
    for s in role_steps() {
        w.at(&format!("Done: {}?", s.setting), "\r");
    }
    w.at("Agent checklist", &format!("{DOWN}\r"))
        .at("Application checklist", &format!("{DOWN}\r"));
    w.at("Halo address", "\r")
        .at("Use these three values?", "\r")
        .at("Client ID", "\r")
        .at("Client Secret", "\r")
        .at("Saved sandbox profile", "");
    assert_eq!(w.finish(), 0);
    assert!(!w.out.contains("Still to do in Halo"), "{}", w.out);
}

/// A refused address is said as soon as it is typed, before any other question.
#[test]
fn a_refused_address_is_said_when_typed() {
    let env = TestEnv::new();
    let sb = common::sandbox(halo_connect::sandbox::Scenario::Healthy);
    let mut w = Wizard::start(&env, &["init", "--secret-store", "file"]);
    w.at("Preset", "\r").at("Hosting", "\r").skip_checklists();
    w.at("Halo address", "http://127.0.0.1:1\r")
        .at("refused the connection", "")
        .at("did not check out", "\r");
    w.at("Halo address", &format!("{}\r", sb.base_url()))
        .at("Use these three values?", "\r")
        .at("Client ID", &format!("{}\r", sb.client_id()))
        .at("Client Secret", &format!("{CANARY}\r"))
        .at("Saved profile `default`", "");
    assert_eq!(w.finish(), 0);
    let refused = w.out.find("refused the connection").unwrap();
    assert!(
        !w.out[..refused].contains("Client ID"),
        "said before the Client ID: {}",
        w.out
    );
}

/// An address without https:// is offered back with it as the default; a name that is not found
/// is said at once.
#[test]
fn a_mistyped_address_gets_the_https_form_as_default() {
    let env = TestEnv::new();
    let sb = common::sandbox(halo_connect::sandbox::Scenario::Healthy);
    let mut w = Wizard::start(&env, &["init", "--secret-store", "file", "--timeout", "3"]);
    w.at("Preset", "\r").at("Hosting", "\r").skip_checklists();
    w.at("Halo address", "halo.invalid\r")
        .at("Enter takes https://halo.invalid", "")
        .at("Halo address", "\r");
    // Enter took the suggestion: it is the address checked.
    w.at("did not check out", "\r");
    assert!(w.out.contains("halo.invalid"), "{}", w.out);
    w.at("Halo address", &format!("{}\r", sb.base_url()))
        .at("Use these three values?", "\r")
        .at("Client ID", &format!("{}\r", sb.client_id()))
        .at("Client Secret", &format!("{CANARY}\r"))
        .at("Saved profile `default`", "");
    assert_eq!(w.finish(), 0);
}

/// A host that never answers is said within the time limit, with a spinner, not a frozen screen.
/// (Typed: the sandbox's own address, taken with Enter, comes with its Authorization Server and
/// Tenant, so the one discovery rule does not ask its authinfo.)
#[test]
fn a_silent_address_is_said_within_the_time_limit() {
    let env = TestEnv::new();
    let sb = common::sandbox(halo_connect::sandbox::Scenario::NoAnswer);
    let mut w = Wizard::start(&env, &["init", "--secret-store", "file", "--timeout", "2"]);
    w.at("Preset", "\r").at("Hosting", "\r").skip_checklists();
    w.at("Halo address", &format!("{}\r", sb.base_url()))
        .at("Checking", "")
        .at("No answer from", "")
        .at("did not check out", "\x03");
    assert_eq!(w.finish(), 130);
}

/// "Re-enter the Halo address" after a failed test keeps the Client ID typed before.
#[test]
fn re_entering_the_address_keeps_the_client_id() {
    let env = TestEnv::new();
    let sb = common::sandbox(halo_connect::sandbox::Scenario::Healthy);
    let mut w = Wizard::start(&env, &["init", "--secret-store", "file"]);
    w.at("Preset", "\r").at("Hosting", "\r").skip_checklists();
    w.at("Halo address", &format!("{}\r", sb.base_url()))
        .at("Use these three values?", "\r")
        .at("Client ID", &format!("{}\r", sb.client_id()))
        .at("Client Secret", "not-the-right-secret\r");
    w.at("invalid_client", "")
        .at("What next?", &format!("{DOWN}{DOWN}\r"));
    // The address and the Client ID are offered as they were: Enter keeps both.
    w.at("Halo address", "\r")
        .at("Use these three values?", "\r")
        .at("Client ID", "\r");
    w.at("What next?", "\r")
        .at("Client Secret", &format!("{CANARY}\r"))
        .at("Save and Test passed", "")
        .at("Saved profile `default`", "");
    assert_eq!(w.finish(), 0);
    assert!(env
        .config_text()
        .contains(&format!("client_id = \"{}\"", sb.client_id())));
}

/// From a colour terminal, `test > file` keeps the report's file free of escape codes, while the
/// same report on the terminal is painted: colour is decided per stream.
#[test]
fn a_report_redirected_from_a_colour_terminal_is_plain_text() {
    let env = TestEnv::new();
    let file = env
        .config_path()
        .parent()
        .unwrap()
        .with_file_name("report.txt");
    let run = "\"$HC\" test --sandbox --scenario wrong-secret";
    let mut w = Wizard::shell(&env, &format!("{run} > '{}'; {run}", file.display()));
    assert_eq!(w.finish(), 4, "{}", w.out);
    let report = std::fs::read_to_string(&file).unwrap();
    assert!(
        report.contains("token"),
        "the report went to the file: {report}"
    );
    assert!(
        !report.contains('\x1b'),
        "escape codes in the file: {report:?}"
    );
    assert!(
        w.out.contains("\x1b[31m"),
        "the terminal's copy is painted: {:?}",
        w.out
    );
}

/// `test --all` on a colour terminal paints its marks; it never prints a painted mark's codes
/// stripped of their escape (`[32m✓[0m`).
#[test]
fn test_all_on_a_colour_terminal_paints_its_marks() {
    let env = TestEnv::new();
    env.run(&["init", "--sandbox"], &[], None).code(0);
    let mut w = Wizard::shell(&env, "\"$HC\" test --all");
    assert_eq!(w.finish(), 0, "{}", w.out);
    assert!(w.out.contains("\x1b[32m✓\x1b[0m sandbox"), "{:?}", w.out);
    assert!(!w.out.replace("\x1b[", "").contains("[32m"), "{:?}", w.out);
}

/// An address whose certificate is refused is said as a TLS problem when typed.
#[test]
fn an_address_with_a_refused_certificate_is_said_when_typed() {
    let env = TestEnv::new();
    let sb = common::sandbox_tls(
        halo_connect::sandbox::Scenario::Healthy,
        halo_connect::sandbox::TlsMode::Expired,
    );
    let mut w = Wizard::start(&env, &["init", "--secret-store", "file"]);
    w.at("Preset", "\r").at("Hosting", "\r").skip_checklists();
    w.at("Halo address", &format!("{}\r", sb.base_url()))
        .at("certificate", "")
        .at("did not check out", "\x03");
    assert_eq!(w.finish(), 130);
    assert!(!w.out.contains("Client ID"), "{}", w.out);
}

/// An address where something answers, but not as Halo, is said apart from one that is not
/// reached, and going on with the derived values is the default.
#[test]
fn an_address_that_is_not_halo_is_said_when_typed() {
    let env = TestEnv::new();
    let sb = common::sandbox(halo_connect::sandbox::Scenario::HtmlResourceServer);
    let mut w = Wizard::start(&env, &["init", "--secret-store", "file"]);
    w.at("Preset", "\r").at("Hosting", "\r").skip_checklists();
    w.at("Halo address", &format!("{}\r", sb.base_url()))
        .at("but not as Halo does", "")
        .at("did not check out", "\r")
        .at("Use these three values?", "\x03");
    assert_eq!(w.finish(), 130);
}

/// A step marked "not yet" is named again by Save and Test when the failure points to it.
#[test]
fn save_and_test_names_the_role_steps_marked_not_yet() {
    let env = TestEnv::new();
    let sb = common::sandbox(halo_connect::sandbox::Scenario::RoleDenied);
    let mut w = Wizard::start(&env, &["init", "--secret-store", "file"]);
    w.at("Preset", "\r")
        .at("Hosting", "\r")
        .at("Role checklist", "\r");
    let steps = role_steps();
    for s in &steps {
        w.at(&format!("Done: {}?", s.setting), "")
            .at("Enter shows it again)", "n\r");
    }
    w.at("Agent checklist", &format!("{DOWN}\r"))
        .at("Application checklist", &format!("{DOWN}\r"));
    w.at("Halo address", &format!("{}\r", sb.base_url()))
        .at("Use these three values?", "\r")
        .at("Client ID", &format!("{}\r", sb.client_id()))
        .at("Client Secret", &format!("{CANARY}\r"));
    w.at("denied by the Role", "")
        .at("the failure points to them", "")
        .at("What next?", "\x03");
    assert_eq!(w.finish(), 130);
    let named = &w.out[w.out.rfind("the failure points to them").unwrap()..];
    assert!(named.contains("Client Contracts Access Level"), "{named}");
}

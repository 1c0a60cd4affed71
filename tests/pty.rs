//! Whole `init` runs of the built binary in a real pseudo-terminal (expectrl), against the
//! built-in sandbox, typed the way an operator types.

#![cfg(unix)]

#[path = "common/mod.rs"]
mod common;
#[path = "pty/completions.rs"]
mod completions;

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
    assert_eq!(w.finish(), 0);
    assert!(w.out.contains("Save and Test passed"), "{}", w.out);
    assert!(w.out.contains("API Sandbox"), "names the agent: {}", w.out);
    assert!(env.config_text().contains("[profiles.sandbox]"));
    insta::with_settings!({
        filters => vec![
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
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
    let status = rt.block_on(async {
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
        let mut w = Wizard {
            s,
            out: String::new(),
        };
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

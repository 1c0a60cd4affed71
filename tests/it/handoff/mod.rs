//! The hand-off through the built binary: `handoff` (hosted, on-premise with "Not set", a failed
//! test, a preset that asks for the sign-in address), `init`'s card and its `handoff` JSON, and
//! (in handoff/export.rs) `export` in every format. The secret canary holds on every run except
//! `--with-secret` to a pipe, which is checked on its own. handoff/pty.rs shows the card at the
//! end of `init --sandbox` in a pseudo-terminal.

/// `export`: every format, quoting, --with-secret, --output.
mod export;
/// Pseudo-terminal runs: the card after `init --sandbox`, the applications page, a terminal stdout.
#[cfg(unix)]
mod pty;

use crate::common::*;
use halo_connect::domain::secret::Secret;
use halo_connect::sandbox::Scenario;
use halo_connect::store::{FileStore, SecretStore};
use serde_json::Value;

pub const CLIENT_ID: &str = "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60";

/// A stored profile written as an operator's config holds it.
pub fn profile_toml(
    name: &str,
    preset: &str,
    rs: &str,
    auth: &str,
    tenant: Option<&str>,
) -> String {
    let tenant = tenant
        .map(|t| format!("tenant = {t:?}\n"))
        .unwrap_or_default();
    format!(
        "[profiles.{name}]\npreset = {preset:?}\nresource_server = {rs:?}\nauth_server = {auth:?}\n{tenant}client_id = {CLIENT_ID:?}\nsecret_store = \"file\"\n\n[profiles.{name}.last_test]\nok = true\nexit_code = 0\nat = \"2025-01-02T03:04:05Z\"\n"
    )
}

/// A hosted profile `acme` with the canary in its 0600 credentials file.
pub fn hosted(preset: &str) -> TestEnv {
    let env = TestEnv::new();
    env.write_config(&profile_toml(
        "acme",
        preset,
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        Some("acme"),
    ));
    store_secret(&env, "acme", CANARY);
    env
}

pub fn store_secret(env: &TestEnv, name: &str, secret: &str) {
    FileStore::new(env.credentials_path())
        .set(name, &Secret::new(secret))
        .expect("store the secret");
}

/// The `values` entry of one field of a card.
fn value<'a>(card: &'a Value, field: &str) -> &'a Value {
    card["values"]
        .as_array()
        .expect("values")
        .iter()
        .find(|v| v["field"] == field)
        .unwrap_or_else(|| panic!("no {field} in {card:#}"))
}

#[test]
fn handoff_of_a_hosted_profile_gives_every_shape() {
    let env = hosted("billing");
    let run = env.run(&["handoff", "acme"], &[], None);
    run.code(0);
    let out = &run.stdout;
    assert!(
        out.starts_with("What to type into the integration's form, from profile `acme`"),
        "{out}"
    );
    assert!(!out.contains("warning:"), "{out}");
    for line in [
        "  full URL                https://acme.halopsa.com/api",
        "  host name alone         acme.halopsa.com",
        "  with the final \"/\"      https://acme.halopsa.com/auth/",
        "  without the final \"/\"   https://acme.halopsa.com/auth",
        "  name                    acme",
        "  value                   3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60",
        "  last 4 characters       ••••••••4n42",
        "  full URL                https://acme.halopsa.com",
    ] {
        assert!(out.lines().any(|l| l == line), "no line {line:?} in\n{out}");
    }
    assert!(out.contains("Resource Server Hostname") && out.contains("Authorisation Endpoint URL"));
    assert!(out.contains(&env.credentials_path().display().to_string()));

    let card = env.run(&["handoff", "--profile", "acme", "--json"], &[], None);
    let card = card.code(0).json();
    assert_eq!(card["schema_version"], 1);
    assert_eq!(card["asks_for"], "api-details");
    assert_eq!(card["warnings"], serde_json::json!([]));
    let rs = value(&card, "resource_server");
    assert_eq!(rs["forms"]["full_url"], "https://acme.halopsa.com/api");
    assert_eq!(rs["forms"]["host"], "acme.halopsa.com");
    let auth = value(&card, "auth_server");
    assert_eq!(
        auth["forms"]["with_slash"],
        "https://acme.halopsa.com/auth/"
    );
    assert_eq!(
        auth["forms"]["without_slash"],
        "https://acme.halopsa.com/auth"
    );
    assert_eq!(value(&card, "tenant")["forms"]["name"], "acme");
    assert_eq!(value(&card, "client_id")["forms"]["value"], CLIENT_ID);
    let secret = value(&card, "client_secret");
    assert_eq!(secret["forms"]["last_4"], "••••••••4n42");
    assert!(secret["stored_in"]
        .as_str()
        .unwrap()
        .contains("credentials.toml"));
    assert_eq!(value(&card, "sign_in_address")["asked"], false);
}

#[test]
fn handoff_on_premise_says_not_set_or_empty() {
    let env = TestEnv::new();
    env.write_config(&profile_toml(
        "onprem",
        "billing",
        "https://halo.example.net/api",
        "https://halo.example.net/auth/",
        None,
    ));
    store_secret(&env, "onprem", CANARY);
    let run = env.run(&["handoff", "onprem"], &[], None);
    run.code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.contains(&"  on-premise, typed       Not set"),
        "{}",
        run.stdout
    );
    assert!(lines.contains(&"  on-premise, left empty  (leave the field empty)"));
    let card = env.run(&["handoff", "onprem", "--json"], &[], None).json();
    let tenant = value(&card, "tenant");
    assert_eq!(tenant["forms"]["not_set"], "Not set");
    assert_eq!(tenant["forms"]["empty"], "");
    assert!(tenant["forms"].get("name").is_none());
    assert_eq!(
        value(&card, "resource_server")["forms"]["host"],
        "halo.example.net"
    );
}

#[test]
fn a_failed_last_test_is_warned_at_the_top() {
    let env = hosted("billing");
    let failed = env
        .config_text()
        .replace("ok = true\nexit_code = 0", "ok = false\nexit_code = 5");
    env.write_config(&failed);
    let run = env.run(&["handoff", "acme"], &[], None);
    run.code(0);
    let second = run.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with("warning: The last Save and Test of profile `acme` failed (exit 5"),
        "{}",
        run.stdout
    );
    let card = env.run(&["handoff", "acme", "--json"], &[], None).json();
    assert!(card["warnings"][0].as_str().unwrap().contains("failed"));
}

#[test]
fn the_sign_in_preset_leads_with_the_access_token_url() {
    let env = hosted("company-asset-sync");
    let run = env.run(&["handoff", "acme"], &[], None);
    run.code(0);
    assert!(
        run.stdout.contains("\"Access Token URL\""),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Not asked for by this integration"));
    let card = env.run(&["handoff", "acme", "--json"], &[], None).json();
    assert_eq!(card["asks_for"], "sign-in-address");
    let first = &card["values"][0];
    assert_eq!(first["field"], "sign_in_address");
    assert_eq!(first["labels"][0], "Access Token URL");
    assert_eq!(first["forms"]["full_url"], "https://acme.halopsa.com");
    assert_eq!(value(&card, "resource_server")["asked"], false);
}

#[test]
fn a_missing_secret_is_warned_not_fatal() {
    let env = hosted("billing");
    std::fs::remove_file(env.credentials_path()).unwrap();
    let card = env.run(&["handoff", "acme", "--json"], &[], None);
    let card = card.code(0).json();
    assert!(card["warnings"][0]
        .as_str()
        .unwrap()
        .contains("No Client Secret is stored"));
    assert!(value(&card, "client_secret")["forms"]
        .as_object()
        .unwrap()
        .is_empty());
}

#[test]
fn unknown_profiles_and_two_names_are_refused() {
    let env = hosted("billing");
    for cmd in ["handoff", "export"] {
        let run = env.run(&[cmd, "nope"], &[], None);
        run.code(3);
        assert!(
            run.stderr.contains("profile `nope` does not exist"),
            "{}",
            run.stderr
        );
        let run = env.run(&[cmd, "nope", "--json"], &[], None);
        assert_eq!(run.code(3).json()["profile"], "nope");
        let run = env.run(&[cmd, "acme", "--profile", "other"], &[], None);
        run.code(2);
        assert!(run.stderr.contains("`acme`") && run.stderr.contains("--profile other"));
        // The positional names the profile over HALO_PROFILE.
        env.run(&[cmd, "acme"], &[("HALO_PROFILE", "other")], None)
            .code(0);
    }
}

#[test]
fn checklist_for_a_profile_names_the_applications_page() {
    let env = hosted("billing");
    let run = env.run(&["checklist", "--profile", "acme"], &[], None);
    run.code(0);
    assert!(
        run.stdout.contains(
            "Halo's page for it (View Applications): https://acme.halopsa.com/config/integrations/api/applications"
        ),
        "{}",
        run.stdout
    );
    let md = env.run(
        &["checklist", "--profile", "acme", "--format", "markdown"],
        &[],
        None,
    );
    assert!(md.code(0).stdout.contains(
        "Halo's page for it: <https://acme.halopsa.com/config/integrations/api/applications>"
    ));
    let plain = env.run(&["checklist"], &[], None);
    assert!(!plain
        .stdout
        .contains("/config/integrations/api/applications"));
}

#[test]
fn init_json_carries_the_card_after_a_passing_test_only() {
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    let mut args = init_args(&sb);
    args.push("--json".into());
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    let v = run.code(0).contract(None);
    let card = &v["handoff"];
    assert_eq!(card["profile"], "default");
    assert_eq!(
        value(card, "resource_server")["forms"]["full_url"],
        sb.resource_server()
    );
    assert_eq!(
        value(card, "client_secret")["forms"]["last_4"],
        "••••••••4n42"
    );

    let env = TestEnv::new();
    let run = env.run(
        &strs(&args),
        &[("HALO_CLIENT_SECRET", "wrong-secret-0000000000000000000000")],
        None,
    );
    let v = run.code(4).contract(Some("auth"));
    assert!(v.get("handoff").is_none(), "{v:#}");
}

#[test]
fn init_text_ends_with_the_card_on_stdout() {
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    let run = env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(0);
    assert!(run
        .stdout
        .contains("What to type into the integration's form, from profile `default`"));
    assert!(run.stdout.contains(&sb.auth_server()));
}

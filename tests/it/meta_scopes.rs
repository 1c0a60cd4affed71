//! Meta scopes through the real binary: for each application that has one meta scope ticked
//! (`all`, `all:standard`, `admin`, `admin:webhooks`, `all:teams`), `test --json` reports what the
//! evidence says that scope opens, and the report is the same whichever way the sandbox answers
//! where Halo's answer is a guess (the token naming the meta scope, listing the scopes it covers,
//! or refusing specific scopes; a JWT or an opaque token).
//!
//! "The same report" is its verdict: the exit code, the error's code and kind, every fix (`hints`),
//! each permission row's status and each readiness row's result, with the fix of a failing row. A
//! passing row's hint may name the meta scope when the token names it, and a refusal adds a note
//! saying so.

use crate::common::{from_env_vars, refs, sandbox, TestEnv};
use halo_connect::sandbox::{Guesses, MetaAnswer, Scenario, TokenForm};
use serde_json::{json, Value};

/// Runs `test --from-env --json --preset PRESET` against a sandbox answering as `guesses` says.
fn report(scenario: Scenario, preset: &str, guesses: Guesses) -> Value {
    let env = TestEnv::new();
    let sb = sandbox(scenario);
    sb.set_guesses(guesses);
    let vars = from_env_vars(&sb);
    let run = env.run(
        &["test", "--from-env", "--json", "--preset", preset],
        &refs(&vars),
        None,
    );
    let v = run.json();
    assert_eq!(v["exit_code"].as_i64(), Some(run.code as i64), "{v:#}");
    assert!(
        v["elapsed_ms"].as_u64().unwrap() >= 1,
        "a check that made requests took time: {v:#}"
    );
    v
}

/// The verdict of a report.
fn verdict(v: &Value) -> Value {
    // A failing row's hint is its cause's fix, from the catalogue; a passing row's may name the meta
    // scope it came through, so only failing rows keep theirs.
    let rows =
        |key: &str, first: &str, second: &str, failed: &dyn Fn(&Value) -> bool| -> Vec<Value> {
            v[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let hint = if failed(r) {
                        r["hint"].clone()
                    } else {
                        Value::Null
                    };
                    json!([r[first], r[second], hint])
                })
                .collect()
        };
    json!({
        "exit_code": v["exit_code"],
        "error": [v["error"]["code"], v["error"]["kind"]],
        "hints": v["hints"],
        "permissions": rows("permissions", "permission", "status", &|r| r["status"] == "missing"),
        "readiness": rows("readiness", "check", "ok", &|r| r["ok"] == false),
    })
}

fn every_way() -> Vec<Guesses> {
    let mut out = Vec::new();
    for meta in MetaAnswer::ALL {
        for token in [TokenForm::Jwt, TokenForm::Opaque] {
            out.push(Guesses { meta: *meta, token });
        }
    }
    out
}

/// The one verdict every way of answering gives, checked to be one.
fn same_every_way(scenario: Scenario, preset: &str) -> Value {
    let ways = every_way();
    let first = verdict(&report(scenario, preset, ways[0]));
    for g in &ways[1..] {
        let other = verdict(&report(scenario, preset, *g));
        assert_eq!(
            first, other,
            "{scenario} with {preset}: answering {g:?} changes the report"
        );
    }
    first
}

fn status(v: &Value, permission: &str) -> (String, String) {
    let row = v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0] == permission)
        .unwrap_or_else(|| panic!("no row {permission}: {v:#}"));
    (
        row[1].as_str().unwrap().to_string(),
        row[2].as_str().unwrap_or("").to_string(),
    )
}

fn granted(v: &Value, permission: &str) {
    let (s, _) = status(v, permission);
    assert!(
        s == "granted" || s == "unverified",
        "{permission}: {s}\n{v:#}"
    );
}

/// Missing, with the fix that says to tick the scope (scope-missing's, not the Role's).
fn missing_scope(v: &Value, permission: &str) {
    let (s, hint) = status(v, permission);
    assert_eq!(s, "missing", "{permission}\n{v:#}");
    assert!(
        hint.starts_with(&format!(
            "Tick {permission} on the application's Permissions tab"
        )),
        "{permission}: {hint}"
    );
}

#[test]
fn all_opens_every_area_but_teams_and_is_flagged_for_specific_presets() {
    let v = same_every_way(Scenario::AllPermission, "billing");
    assert_eq!(v["error"][0], "all-permission", "{v:#}");
    for p in [
        "read:customers",
        "edit:contracts",
        "read:invoices",
        "edit:invoices",
    ] {
        granted(&v, p);
    }
    // `all` does not include Team visibility (inferred from two integrations' docs: halo_model.toml).
    let v = same_every_way(Scenario::AllPermission, "alerts");
    granted(&v, "read:tickets");
    missing_scope(&v, "all:teams");
}

#[test]
fn all_standard_opens_every_area_but_not_webhooks_or_teams() {
    let v = same_every_way(Scenario::AllStandardPermission, "billing");
    assert_eq!(v["exit_code"], 0, "{v:#}");
    for p in [
        "read:customers",
        "edit:items",
        "read:invoices",
        "edit:invoices",
    ] {
        granted(&v, p);
    }
    // "Everything but admin" (a guess: halo_model.toml): the sync's webhooks stay closed.
    let v = same_every_way(Scenario::AllStandardPermission, "company-asset-sync");
    missing_scope(&v, "admin:webhooks");
    for p in ["read:customers", "edit:crm", "read:software", "edit:assets"] {
        granted(&v, p);
    }
    let v = same_every_way(Scenario::AllStandardPermission, "alerts");
    missing_scope(&v, "all:teams");
}

#[test]
fn admin_and_admin_webhooks_open_webhooks_only() {
    for scenario in [Scenario::AdminPermission, Scenario::WebhooksPermission] {
        let v = same_every_way(scenario, "company-asset-sync");
        granted(&v, "admin:webhooks");
        for p in ["read:customers", "edit:assets"] {
            missing_scope(&v, p);
        }
        let webhooks = v["readiness"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r[0] == "webhook-permission")
            .cloned();
        assert_eq!(webhooks.map(|r| r[1].clone()), Some(json!(true)), "{v:#}");
    }
}

#[test]
fn all_teams_opens_teams_only() {
    let v = same_every_way(Scenario::AllTeamsPermission, "alerts");
    granted(&v, "all:teams");
    missing_scope(&v, "read:tickets");
    missing_scope(&v, "read:customers");
}

#[test]
fn a_healthy_application_reports_the_same_with_either_token_form() {
    let v = same_every_way(Scenario::Healthy, "company-asset-sync");
    assert_eq!(v["exit_code"], 0, "{v:#}");
}

use crate::common::*;
use halo_connect::sandbox::Scenario;

/// Runs `test --from-env --json` against a scenario and returns the run.
fn test_scenario(scenario: Scenario, preset: &str, extra: &[&str]) -> Run {
    let env = TestEnv::new();
    let sb = sandbox(scenario);
    let vars = from_env_vars(&sb);
    let vars = refs(&vars);
    let mut args = vec!["test", "--from-env", "--json", "--preset", preset];
    args.extend_from_slice(extra);
    env.run(&args, &vars, None)
}

fn status_of<'a>(v: &'a serde_json::Value, permission: &str) -> &'a str {
    v["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["permission"] == permission)
        .and_then(|p| p["status"].as_str())
        .unwrap_or("absent")
}

#[test]
fn healthy_passes_with_every_read_granted_and_edits_unverified() {
    let run = test_scenario(Scenario::Healthy, "billing", &[]);
    run.code(0);
    let v = run.contract(None);
    assert_eq!(v["schema_version"], 1);
    assert_eq!(status_of(&v, "read:customers"), "granted");
    assert_eq!(status_of(&v, "edit:invoices"), "unverified");
    assert_eq!(v["token"]["ok"], true);
    assert!(v["token"]["expires_in"].as_i64().unwrap() > 0);
    assert_eq!(v["readiness"][0]["check"], "active-recurring-contracts");
    assert_eq!(v["readiness"][0]["ok"], true);
    assert!(v["elapsed_ms"].is_u64());
}

#[test]
fn wrong_secret_is_exit_4_auth_with_the_client_id_cause() {
    let run = test_scenario(Scenario::WrongSecret, "billing", &[]);
    run.code(4);
    let v = run.contract(Some("auth"));
    assert!(
        v["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("changes when the application is first saved"),
        "{v:#}"
    );
}

#[test]
fn a_refused_scope_and_a_dropped_scope_give_the_same_report() {
    let refused = test_scenario(Scenario::MissingScope, "billing", &[]);
    let dropped = test_scenario(Scenario::ScopeDropped, "billing", &[]);
    for run in [&refused, &dropped] {
        run.code(5);
        let v = run.contract(Some("permission"));
        assert_eq!(status_of(&v, "edit:invoices"), "missing", "{v:#}");
        assert_eq!(status_of(&v, "read:customers"), "granted");
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("edit:invoices"));
        assert!(v["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("View Applications"));
    }
    let a = refused.json();
    let b = dropped.json();
    assert_eq!(a["permissions"], b["permissions"]);
}

#[test]
fn all_ticked_is_named_with_exit_5() {
    let run = test_scenario(Scenario::AllPermission, "billing", &[]);
    run.code(5);
    let v = run.contract(Some("permission"));
    assert!(
        v["error"]["message"].as_str().unwrap().contains("\"all\""),
        "{v:#}"
    );
    assert!(v["error"]["hint"].as_str().unwrap().contains("untick"));
}

#[test]
fn a_role_without_access_is_told_apart_from_a_missing_scope() {
    let run = test_scenario(Scenario::RoleDenied, "billing", &[]);
    run.code(5);
    let v = run.contract(Some("permission"));
    assert_eq!(status_of(&v, "read:invoices"), "missing");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("Role"), "{msg}");
    assert!(msg.contains("API Sandbox"), "names the agent: {msg}");
    assert!(v["error"]["hint"].as_str().unwrap().contains("Roles"));
    let hints = serde_json::to_string(&v["hints"]).unwrap();
    assert!(
        !hints.contains("1st of the month"),
        "a refused read is not an empty one: {hints}"
    );
}

#[test]
fn an_expired_token_is_one_cause_not_a_list_of_role_fixes() {
    let run = test_scenario(Scenario::ExpiredToken, "billing", &[]);
    run.code(6);
    let v = run.contract(Some("server"));
    assert_eq!(v["error"]["code"], "token-expired");
    let hints = serde_json::to_string(&v["hints"]).unwrap();
    assert!(!hints.contains("Access Level"), "{hints}");
}

#[test]
fn test_all_takes_no_profile() {
    let env = TestEnv::new();
    env.run(&["test", "--all", "--profile", "x"], &[], None)
        .code(2);
}

#[test]
fn billing_without_recurring_contracts_cannot_go_live() {
    let run = test_scenario(Scenario::NoRecurringContracts, "billing", &[]);
    run.code(5);
    let v = run.contract(Some("permission"));
    assert_eq!(v["readiness"][0]["ok"], false);
    assert_eq!(v["error"]["code"], "active-recurring-contracts");
}

#[test]
fn alerts_without_visible_teams_cannot_route() {
    let run = test_scenario(Scenario::NoTeams, "alerts", &[]);
    run.code(5);
    let v = run.contract(Some("permission"));
    assert!(
        v["readiness"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["check"] == "visible-teams" && r["ok"] == false),
        "{v:#}"
    );
}

#[test]
fn a_missing_tenant_on_a_tenant_server_is_exit_4() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::TenantRequired);
    let mut vars = from_env_vars(&sb);
    vars.retain(|(k, _)| *k != "HALO_TENANT");
    vars.push(("HALO_TENANT", "Not set".into()));
    let vars = refs(&vars);
    let run = env.run(&["test", "--from-env", "--json"], &vars, None);
    run.code(4);
    let v = run.contract(Some("auth"));
    assert!(
        v["error"]["message"].as_str().unwrap().contains("Tenant"),
        "{v:#}"
    );
}

#[test]
fn test_of_a_stored_profile_records_the_result_for_list() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    let run = env.run(&["test", "--json"], &[], None);
    run.code(0);
    run.contract(None);
    let list = env.run(&["list"], &[], None);
    list.code(0);
    assert!(list.stdout.contains("passed"), "{}", list.stdout);
    sb.set_scenario(Scenario::WrongSecret);
    env.run(&["test"], &[], None).code(4);
    let list = env.run(&["list", "--json"], &[], None);
    assert_eq!(list.json()[0]["last_test"]["exit_code"], 4);
}

#[test]
fn test_all_reports_every_profile_and_the_worst_exit_code() {
    let env = TestEnv::new();
    let good = sandbox(Scenario::Healthy);
    let bad = sandbox(Scenario::WrongSecret);
    env.run(
        &strs(&init_args(&good)),
        &[("HALO_CLIENT_SECRET", CANARY), ("HALO_PROFILE", "good")],
        None,
    )
    .code(0);
    let mut args = init_args(&bad);
    args.push("--skip-test".into());
    env.run(
        &strs(&args),
        &[("HALO_CLIENT_SECRET", CANARY), ("HALO_PROFILE", "bad")],
        None,
    )
    .code(0);
    let run = env.run(&["test", "--all", "--json"], &[], None);
    run.code(4);
    let v = run.json();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    let by_name = |n: &str| arr.iter().find(|r| r["profile"] == n).unwrap().clone();
    assert_eq!(by_name("good")["ok"], true);
    assert_eq!(by_name("bad")["error"]["kind"], "auth");
}

#[test]
fn an_unknown_profile_is_exit_3_with_json() {
    let env = TestEnv::new();
    let run = env.run(&["test", "--profile", "nope", "--json"], &[], None);
    run.code(3);
    run.contract(Some("config"));
}

#[test]
fn verbose_traces_never_show_the_secret_or_token() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let vars = from_env_vars(&sb);
    let vars = refs(&vars);
    let run = env.run(&["test", "--from-env", "-vv"], &vars, None);
    run.code(0);
    assert!(
        run.stderr.contains("request"),
        "-vv shows the requests: {}",
        run.stderr
    );
    assert!(
        !run.stderr.to_lowercase().contains("bearer "),
        "{}",
        run.stderr
    );
}

#[test]
fn a_rate_limited_probe_is_unchecked_never_missing_and_quotes_halos_limit() {
    let run = test_scenario(Scenario::ApiRateLimit, "billing", &["--timeout", "10"]);
    run.code(6);
    let v = run.contract(Some("connection"));
    assert_eq!(v["error"]["code"], "rate-limited", "{v:#}");
    let rows = v["permissions"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        assert_ne!(row["status"], "missing", "{row}");
    }
    assert_eq!(status_of(&v, "read:customers"), "unchecked", "{v:#}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Rate Limit Reached - 300 Requests per rolling 5 minute window"),
        "{v:#}"
    );
}

#[test]
fn a_lost_token_gets_one_fresh_token_and_then_passes() {
    let run = test_scenario(Scenario::TokenNotFound, "billing", &[]);
    run.code(0);
    let v = run.contract(None);
    assert!(
        v["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("fresh token")),
        "{v:#}"
    );
    assert_eq!(status_of(&v, "read:customers"), "granted");
}

#[test]
fn a_token_lost_over_and_over_ends_in_token_not_found_once_refetched() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::TokenNotFoundAlways);
    let vars = from_env_vars(&sb);
    let run = env.run(
        &["test", "--from-env", "--json", "--timeout", "5"],
        &refs(&vars),
        None,
    );
    run.code(4);
    let v = run.contract(Some("auth"));
    assert_eq!(v["error"]["code"], "token-not-found", "{v:#}");
    assert_eq!(status_of(&v, "read:customers"), "unchecked");
    // The preset's scopes, then one fresh token: never a loop.
    assert_eq!(sb.stats().token_requests, 2, "{:?}", sb.stats());
}

#[test]
fn an_application_awaiting_approval_names_approval_in_the_fix() {
    let run = test_scenario(Scenario::AwaitingApproval, "billing", &[]);
    run.code(4);
    let v = run.contract(Some("auth"));
    assert_eq!(v["error"]["code"], "invalid-client");
    assert!(
        v["error"]["hint"].as_str().unwrap().contains("approved"),
        "{v:#}"
    );
}

#[test]
fn a_refresh_token_is_never_shown_logged_or_written() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::RefreshToken);
    let vars = from_env_vars(&sb);
    let bundle = env.dir.path().join("bundle.md");
    let bundle_arg = bundle.to_string_lossy().into_owned();
    for args in [
        vec!["test", "--from-env", "--json", "-vv"],
        vec!["test", "--from-env", "-vv", "--report", &bundle_arg],
    ] {
        let run = env.run(&args, &refs(&vars), None);
        run.code(0);
        let issued = sb.refresh_tokens_issued();
        assert!(!issued.is_empty());
        let written = std::fs::read_to_string(&bundle).unwrap_or_default();
        for t in &issued {
            for (place, text) in [
                ("stdout", &run.stdout),
                ("stderr", &run.stderr),
                ("bundle", &written),
            ] {
                assert!(
                    !text.contains(t.as_str()),
                    "the refresh token is in {place} of {args:?}"
                );
            }
        }
    }
}

#[test]
fn on_premise_halo_passes_with_the_tenant_not_set() {
    let run = test_scenario(Scenario::OnPremise, "billing", &[]);
    run.code(0);
    let v = run.contract(None);
    assert!(v["tenant"].is_null(), "{v:#}");
}

#[test]
fn hostile_list_answers_end_in_their_verdict() {
    // A record_count of 2^63-1 and lists longer than a page are read, not trusted or walked.
    for s in [Scenario::HugeRecordCount, Scenario::BigLists] {
        let run = test_scenario(s, "asset-lifecycle", &["--timeout", "5"]);
        assert_no_panic(&run, &[s.as_str()]);
        run.code(0);
        run.contract(None);
    }
}

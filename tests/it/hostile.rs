use std::time::{Duration, Instant};

use crate::common::*;
use halo_connect::sandbox::{Sandbox, Scenario};

/// Runs `test --from-env --json` against `sb` (the Authorization Server overridable) and checks
/// exit code, error kind and code, the JSON contract and the time it took.
fn expect(
    sb: &Sandbox,
    auth_server: Option<String>,
    timeout: &str,
    exit: i32,
    kind: &str,
    code: &str,
) -> serde_json::Value {
    let env = TestEnv::new();
    let vars = [
        ("HALO_RESOURCE_SERVER", sb.resource_server()),
        (
            "HALO_AUTH_SERVER",
            auth_server.unwrap_or_else(|| sb.auth_server()),
        ),
        ("HALO_TENANT", sb.tenant().to_string()),
        ("HALO_CLIENT_ID", sb.client_id().to_string()),
        ("HALO_CLIENT_SECRET", CANARY.to_string()),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let start = Instant::now();
    let run = env.run(
        &["test", "--from-env", "--json", "--timeout", timeout],
        &vars,
        None,
    );
    let took = start.elapsed();
    run.code(exit);
    let v = run.contract(Some(kind));
    assert_eq!(v["error"]["code"], code, "{:?}: {v:#}", sb.scenario());
    assert!(
        !v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "{v:#}"
    );
    // Within the timeout: per request, with bounded retries (3 attempts, Retry-After ≤ 10 s).
    let secs: u64 = timeout.parse().unwrap();
    assert!(
        took < Duration::from_secs(secs * 3 + 10),
        "{:?} took {took:?}",
        sb.scenario()
    );
    v
}

fn scenario(s: Scenario, timeout: &str, exit: i32, kind: &str, code: &str) -> serde_json::Value {
    let sb = sandbox(s);
    expect(&sb, None, timeout, exit, kind, code)
}

#[test]
fn html_at_the_token_endpoint() {
    // The Authorization Server set to the web interface's root: the token POST gets a web page.
    let sb = sandbox(Scenario::Healthy);
    let v = expect(
        &sb,
        Some(format!("{}/", sb.base_url())),
        "5",
        6,
        "server",
        "token-url-not-found",
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not Halo's token endpoint"),
        "{v:#}"
    );
}

#[test]
fn html_at_the_resource_server() {
    scenario(
        Scenario::HtmlResourceServer,
        "5",
        6,
        "server",
        "html-resource-server",
    );
}

#[test]
fn invalid_json() {
    scenario(Scenario::BrokenJson, "5", 6, "server", "not-halo");
}

#[test]
fn invalid_utf8() {
    scenario(Scenario::InvalidUtf8, "5", 6, "server", "not-halo");
}

#[test]
fn a_20_mb_body() {
    scenario(Scenario::HugeBody, "20", 6, "server", "body-too-large");
}

#[test]
fn a_dripped_body() {
    scenario(Scenario::Drip, "2", 6, "connection", "timeout");
}

#[test]
fn a_redirect_loop() {
    scenario(Scenario::RedirectLoop, "5", 6, "server", "redirect-loop");
}

#[test]
fn a_redirect_to_another_host() {
    scenario(
        Scenario::RedirectOtherHost,
        "5",
        6,
        "server",
        "redirect-other-host",
    );
}

#[test]
fn a_storm_of_429s() {
    let sb = sandbox(Scenario::RateLimitStorm);
    expect(&sb, None, "5", 6, "connection", "rate-limited");
    // Bounded: 3 attempts for the token request, nothing after it.
    assert!(sb.stats().requests <= 3, "{:?}", sb.stats());
}

#[test]
fn a_storm_of_5xx() {
    let sb = sandbox(Scenario::ServerError);
    let v = expect(&sb, None, "5", 6, "server", "server-error");
    assert!(sb.stats().requests <= 3, "{:?}", sb.stats());
    assert!(
        v["error"]["message"].as_str().unwrap().contains("503"),
        "{v:#}"
    );
}

#[test]
fn a_500_page_for_an_unknown_tenant_is_the_tenant() {
    // Halo answers ?tenant=<unknown> with a 500 HTML page: the Tenant is named, exit 4.
    let v = scenario(Scenario::WrongTenant, "5", 4, "auth", "wrong-tenant");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("\"sandbox\""),
        "{v:#}"
    );
}

#[test]
fn a_connection_reset_mid_body() {
    scenario(Scenario::Reset, "5", 6, "connection", "connection-reset");
}

#[test]
fn no_answer_at_all() {
    scenario(Scenario::NoAnswer, "2", 6, "connection", "timeout");
}

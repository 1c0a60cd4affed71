use crate::common::*;
use halo_connect::sandbox::Scenario;

/// Each hostile server must end in exit 6 with a classified error, within the timeout.
fn hostile(scenario: Scenario, timeout: &str) -> serde_json::Value {
    let env = TestEnv::new();
    let sb = sandbox(scenario);
    let owned = from_env_vars(&sb);
    let vars = refs(&owned);
    let run = env.run(
        &["test", "--from-env", "--json", "--timeout", timeout],
        &vars,
        None,
    );
    run.code(6);
    let v = run.json();
    assert!(
        matches!(
            v["error"]["kind"].as_str(),
            Some("connection" | "server" | "tls")
        ),
        "{scenario:?}: {v:#}"
    );
    assert_eq!(v["exit_code"], 6);
    v
}

#[test]
fn broken_json() {
    hostile(Scenario::BrokenJson, "5");
}

#[test]
fn invalid_utf8() {
    hostile(Scenario::InvalidUtf8, "5");
}

#[test]
fn a_huge_body_is_cut_off() {
    let v = hostile(Scenario::HugeBody, "20");
    assert_eq!(v["error"]["code"], "body-too-large", "{v:#}");
}

#[test]
fn a_dripped_body_times_out() {
    let v = hostile(Scenario::Drip, "2");
    assert_eq!(v["error"]["code"], "timeout", "{v:#}");
}

#[test]
fn a_redirect_loop() {
    let v = hostile(Scenario::RedirectLoop, "5");
    assert_eq!(v["error"]["code"], "redirect-loop", "{v:#}");
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let v = hostile(Scenario::RedirectOtherHost, "5");
    assert_eq!(v["error"]["code"], "redirect-other-host", "{v:#}");
    assert!(v["error"]["message"].as_str().unwrap().contains("not sent"));
}

#[test]
fn a_storm_of_429s() {
    let v = hostile(Scenario::RateLimitStorm, "5");
    assert_eq!(v["error"]["code"], "rate-limited", "{v:#}");
}

#[test]
fn a_storm_of_5xx() {
    hostile(Scenario::ServerError, "5");
}

#[test]
fn a_reset_mid_body() {
    hostile(Scenario::Reset, "5");
}

#[test]
fn no_answer_at_all() {
    let v = hostile(Scenario::NoAnswer, "2");
    assert_eq!(v["error"]["code"], "timeout", "{v:#}");
}

#[test]
fn nothing_listening_is_connection_refused() {
    let env = TestEnv::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let run = env.run(
        &["test", "--from-env", "--json"],
        &[
            ("HALO_URL", &url),
            ("HALO_CLIENT_ID", "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60"),
            ("HALO_CLIENT_SECRET", CANARY),
        ],
        None,
    );
    run.code(6);
    let v = run.contract(Some("connection"));
    assert_eq!(v["error"]["code"], "refused", "{v:#}");
}

#[test]
fn a_few_429s_are_retried_and_pass() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::RateLimited);
    let owned = from_env_vars(&sb);
    let vars = refs(&owned);
    let run = env.run(&["test", "--from-env", "--json"], &vars, None);
    run.code(0);
}

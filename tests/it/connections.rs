//! Connection use, counted by the sandbox: one TLS handshake for a whole `test` over HTTPS, one
//! shared HTTP/2 connection for a fleet on one host, and `--concurrency` as a socket bound. These
//! assert counts, never timings.

use std::time::Duration;

use crate::common::*;
use halo_connect::sandbox::{Sandbox, SandboxOptions, TlsMode};

/// A config with `n` profiles of `preset` on the sandbox; their secret comes from
/// HALO_CLIENT_SECRET (secret store `none`).
fn fleet_config(sb: &Sandbox, n: usize, preset: &str, ca: Option<&std::path::Path>) -> String {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "[profiles.p{i:03}]\npreset = \"{preset}\"\nresource_server = \"{}\"\nauth_server = \"{}\"\ntenant = \"{}\"\nclient_id = \"{}\"\nsecret_store = \"none\"\n",
            sb.resource_server(),
            sb.auth_server(),
            sb.tenant(),
            sb.client_id(),
        ));
        if let Some(ca) = ca {
            // A literal string: a Windows path's backslashes are no escapes.
            text.push_str(&format!("ca_cert = '{}'\n", ca.display()));
        }
        text.push('\n');
    }
    text
}

fn start(tls: TlsMode, latency: Duration) -> Sandbox {
    Sandbox::start(SandboxOptions {
        tls,
        latency,
        client_secret: Some(halo_connect::sandbox::ClientSecret::new(CANARY)),
        ..SandboxOptions::default()
    })
    .expect("sandbox")
}

#[test]
fn a_whole_test_run_over_https_shakes_hands_once() {
    let env = TestEnv::new();
    let sb = start(TlsMode::Valid, Duration::ZERO);
    let ca = write_ca(env.dir.path(), &sb);
    env.write_config(&fleet_config(&sb, 1, "asset-lifecycle", Some(&ca)));
    let run = env.run(
        &["--profile", "p000", "test", "--json"],
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(0);
    run.contract(None);
    let st = sb.stats();
    // The token, Agent/me and one read per area: over a dozen requests, one connection.
    assert!(st.requests >= 10, "{st:?}");
    assert_eq!(st.tls_handshakes, 1, "{st:?}");
    assert_eq!(st.connections, 1, "{st:?}");
}

#[test]
fn a_fleet_on_one_https_host_shares_one_connection() {
    let env = TestEnv::new();
    let sb = start(TlsMode::Valid, Duration::from_millis(20));
    let ca = write_ca(env.dir.path(), &sb);
    env.write_config(&fleet_config(&sb, 20, "billing", Some(&ca)));
    let run = env.run(
        &["test", "--all", "--json"],
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(0);
    assert_eq!(run.json().as_array().map(Vec::len), Some(20));
    let st = sb.stats();
    assert_eq!(st.token_requests, 20, "{st:?}");
    assert_eq!(st.tls_handshakes, 1, "{st:?}");
    assert_eq!(st.max_concurrent_connections, 1, "{st:?}");
}

#[test]
fn concurrency_bounds_the_sockets_of_a_fleet_over_http1() {
    let env = TestEnv::new();
    // Plain HTTP is HTTP/1.1: each request in flight needs a socket of its own.
    let sb = start(TlsMode::Off, Duration::from_millis(20));
    env.write_config(&fleet_config(&sb, 12, "billing", None));
    let run = env.run(
        &["test", "--all", "--json", "--concurrency", "3"],
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(0);
    let reports = run.json();
    assert!(
        reports.as_array().unwrap().iter().all(|r| r["ok"] == true),
        "{reports:#}"
    );
    let st = sb.stats();
    assert!(st.requests >= 12 * 5, "{st:?}");
    assert!(st.max_concurrent_connections <= 3, "{st:?}");
    // Without a bound each profile's probes alone would open more than 3 at once.
    assert!(st.max_concurrent_connections >= 2, "{st:?}");
}

#[test]
fn one_socket_is_enough_for_a_whole_check() {
    let env = TestEnv::new();
    let sb = start(TlsMode::Off, Duration::ZERO);
    env.write_config(&fleet_config(&sb, 1, "asset-lifecycle", None));
    let run = env.run(
        &["--profile", "p000", "test", "--json", "--concurrency", "1"],
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(0);
    let st = sb.stats();
    assert_eq!(st.max_concurrent_connections, 1, "{st:?}");
}

#[test]
fn each_host_of_a_fleet_gets_its_own_socket_budget() {
    let env = TestEnv::new();
    let hosts: Vec<Sandbox> = (0..3)
        .map(|_| start(TlsMode::Off, Duration::from_millis(20)))
        .collect();
    let mut config = String::new();
    for (h, sb) in hosts.iter().enumerate() {
        config.push_str(
            &fleet_config(sb, 4, "billing", None)
                .replace("[profiles.p", &format!("[profiles.h{h}p")),
        );
    }
    env.write_config(&config);
    let run = env.run(
        &["test", "--all", "--json", "--concurrency", "3"],
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(0);
    assert_eq!(run.json().as_array().map(Vec::len), Some(12));
    for sb in &hosts {
        let st = sb.stats();
        assert!(st.max_concurrent_connections <= 3, "{st:?}");
        // Each host reaches its own limit (the unit tests in crates/halo-connect-halo/src/sockets.rs show they are
        // independent).
        assert!(st.max_concurrent_connections >= 2, "{st:?}");
    }
}

#[test]
fn init_with_an_address_discovers_and_tests_over_one_handshake() {
    let env = TestEnv::new();
    let sb = start(TlsMode::Valid, Duration::ZERO);
    let ca = write_ca(env.dir.path(), &sb);
    let base = sb.base_url();
    let run = env.run(
        &[
            "init",
            "--non-interactive",
            "--json",
            "--url",
            &base,
            "--client-id",
            sb.client_id(),
            "--secret-store",
            "none",
            "--ca-cert",
            ca.to_str().unwrap(),
        ],
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(0);
    let st = sb.stats();
    // Discovery (authinfo) and Save and Test share one client and one connection.
    assert!(st.requests >= 5, "{st:?}");
    assert_eq!(st.tls_handshakes, 1, "{st:?}");
}

#[test]
fn test_all_trusts_a_profiles_ca_for_that_profile_only() {
    let env = TestEnv::new();
    let sb = start(TlsMode::Valid, Duration::ZERO);
    let ca = write_ca(env.dir.path(), &sb);
    let lab =
        fleet_config(&sb, 1, "billing", Some(&ca)).replace("[profiles.p000]", "[profiles.lab]");
    let prod = fleet_config(&sb, 1, "billing", None).replace("[profiles.p000]", "[profiles.prod]");
    env.write_config(&format!("{lab}{prod}"));
    let run = env.run(
        &["test", "--all", "--json"],
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(6);
    let reports = run.json();
    let by_name = |n: &str| {
        reports
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["profile"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_name("lab")["ok"], true, "{reports:#}");
    // prod names no CA: lab's private CA must not vouch for the host prod's secret goes to.
    assert_eq!(by_name("prod")["error"]["kind"], "tls", "{reports:#}");
    assert_eq!(sb.stats().token_requests, 1, "prod's secret was sent");
}

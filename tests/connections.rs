//! Connection use, counted by the sandbox: one TLS handshake for a whole `test` over HTTPS, one
//! shared HTTP/2 connection for a fleet on one host, and `--concurrency` as a socket bound. These
//! assert counts, never timings.

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::*;
use halo_connect::domain::secret::Secret;
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
        client_secret: Some(Secret::new(CANARY)),
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

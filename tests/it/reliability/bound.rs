//! A stored secret, and every token minted with it, go only where the secret was tested (issue 21,
//! findings 1, 2, 3, 6, 20): the Resource Server and the Authorization Server's whole address are
//! bound with the Client ID; `init`'s flags and environment follow the same rule as `test`; a
//! secret stored before binding is bound by its next passing test; and every address plain http is
//! allowed to skips the environment's proxy.

use std::net::TcpListener;

use crate::common::*;
use halo_connect::sandbox::{Sandbox, Scenario};

/// A file-store profile `default` on a sandbox, saved by `init`.
fn saved() -> (TestEnv, Sandbox) {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    (env, sb)
}

/// Finding 1: a config naming the same profile, Authorization Server and Client ID but another
/// Resource Server gets no token minted, and nothing reaches that server; nor does
/// HALO_RESOURCE_SERVER over the stored secret.
#[test]
fn a_token_goes_only_to_the_resource_server_the_secret_was_tested_with() {
    let (env, real) = saved();
    let evil = sandbox(Scenario::Healthy);
    let text = env.config_text();
    env.write_config(&text.replace(&real.resource_server(), &evil.resource_server()));
    let minted = real.stats().token_requests;
    let run = env.run(&["test", "--json"], &[], None);
    run.code(3);
    let v = run.contract(Some("config"));
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Resource Server") && message.contains(&evil.resource_server()),
        "{message}"
    );
    assert_eq!(real.stats().token_requests, minted, "a token was minted");
    assert_eq!(
        evil.stats().requests,
        0,
        "the other Resource Server was asked"
    );

    env.write_config(&text);
    let run = env.run(
        &["test"],
        &[("HALO_RESOURCE_SERVER", &evil.resource_server())],
        None,
    );
    run.code(3);
    assert!(
        run.stderr.contains("HALO_RESOURCE_SERVER"),
        "{}",
        run.stderr
    );
    assert_eq!(real.stats().token_requests, minted, "a token was minted");
    assert_eq!(
        evil.stats().requests,
        0,
        "the other Resource Server was asked"
    );
    // The config as saved still works.
    env.run(&["test"], &[], None).code(0);
}

/// Finding 20: the Authorization Server is bound by its whole address, so another path on the
/// same origin does not get the secret.
#[test]
fn the_secret_goes_only_to_the_authorization_servers_path_it_was_tested_with() {
    let (env, sb) = saved();
    let text = env.config_text();
    let before = sb.stats().token_requests;
    for other in ["/evil/path/", "/AUTH/", "/auth/x/"] {
        let moved = sb.auth_server().replace("/auth/", other);
        env.write_config(&text.replace(&sb.auth_server(), &moved));
        let run = env.run(&["token"], &[], None);
        run.code(3);
        assert!(run.stderr.contains(&moved), "{other}: {}", run.stderr);
        assert_eq!(
            sb.stats().token_requests,
            before,
            "{other}: the secret was sent"
        );
    }
}

/// Finding 2: `init --force` and `init --dry-run` send the stored secret only to the values it
/// was tested with; an address, Authorization Server or Client ID from the environment (or a
/// flag) needs its own secret, and nothing is saved.
#[test]
fn init_sends_a_stored_secret_only_where_it_was_tested() {
    let (env, real) = saved();
    let evil = sandbox(Scenario::Healthy);
    let config = env.config_text();
    let minted = real.stats().token_requests;
    let url = evil.resource_server().trim_end_matches("/api").to_string();
    for (var, value) in [
        ("HALO_URL", url.clone()),
        ("HALO_AUTH_SERVER", evil.auth_server()),
        ("HALO_RESOURCE_SERVER", evil.resource_server()),
        (
            "HALO_CLIENT_ID",
            "0b7e3c1a-5d2f-4e9a-8c6b-1f4d7a2e9c30".to_string(),
        ),
    ] {
        for mode in ["--dry-run", "--force"] {
            let run = env.run(&["init", "--non-interactive", mode], &[(var, &value)], None);
            run.code(3);
            assert!(
                run.stderr.contains(var) && run.stderr.contains("HALO_CLIENT_SECRET"),
                "{var} {mode}: {}",
                run.stderr
            );
            assert_eq!(
                evil.stats().token_requests,
                0,
                "{var} {mode}: sent elsewhere"
            );
            assert_eq!(real.stats().token_requests, minted, "{var} {mode}: sent");
            assert_eq!(env.config_text(), config, "{var} {mode}: saved");
        }
    }
    // A flag is no different.
    let run = env.run(
        &["init", "--non-interactive", "--force", "--url", &url],
        &[],
        None,
    );
    run.code(3);
    assert!(run.stderr.contains("--url"), "{}", run.stderr);
    assert_eq!(evil.stats().token_requests, 0);
    // With no override the stored secret is used, and the same values are saved again.
    env.run(&["init", "--non-interactive", "--force"], &[], None)
        .code(0);
    assert_eq!(real.stats().token_requests, minted + 1);
}

/// Finding 6: a secret stored before binding works, `status` says it is not bound, the next
/// passing `test` binds it, and then another Authorization Server does not get it.
#[cfg(unix)]
#[test]
fn a_secret_stored_before_binding_is_bound_by_its_next_passing_test() {
    use std::os::unix::fs::PermissionsExt;
    let (env, sb) = saved();
    let creds = env.credentials_path();
    std::fs::write(
        &creds,
        format!("[profiles.default]\nclient_secret = \"{CANARY}\"\n"),
    )
    .unwrap();
    std::fs::set_permissions(&creds, std::fs::Permissions::from_mode(0o600)).unwrap();

    let status = env.run(&["status", "--json"], &[], None);
    status.code(0);
    let row = &status.json()[0];
    assert_eq!(row["secret_bound"], false, "{row:#}");
    assert!(
        row["secret"]
            .as_str()
            .unwrap_or_default()
            .contains("not yet bound"),
        "{row:#}"
    );
    let human = env.run(&["status"], &[], None);
    assert!(human.stdout.contains("not yet bound"), "{}", human.stdout);

    let run = env.run(&["test"], &[], None);
    run.code(0);
    assert!(
        run.stderr.contains("Bound profile `default`"),
        "{}",
        run.stderr
    );
    let stored = std::fs::read_to_string(&creds).unwrap();
    assert!(stored.contains(&sb.auth_server()), "not bound: {stored}");
    assert!(
        stored.contains(&sb.resource_server()),
        "not bound: {stored}"
    );
    let status = env.run(&["status", "--json"], &[], None);
    assert_eq!(status.json()[0]["secret_bound"], true);

    // Bound now: a config naming another Authorization Server does not get it.
    let before = sb.stats().token_requests;
    let text = env.config_text();
    let elsewhere = sb.auth_server().replace("/auth/", "/other/");
    env.write_config(&text.replace(&sb.auth_server(), &elsewhere));
    env.run(&["test"], &[], None).code(3);
    assert_eq!(sb.stats().token_requests, before, "the secret was sent");
}

/// Finding 3: plain http is allowed to all of 127.0.0.0/8, so all of it skips the proxy; a
/// request that went to the proxy would sit in its backlog.
#[test]
fn every_loopback_address_skips_the_proxy() {
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = format!("http://127.0.0.1:{}", proxy.local_addr().unwrap().port());
    proxy.set_nonblocking(true).unwrap();
    let env = TestEnv::new();
    // Nothing listens on these: the run fails to connect at once, unless a proxy is asked.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    for host in ["127.0.0.2", "127.255.255.254", "localhost"] {
        let url = format!("http://{host}:{port}");
        let mut vars = vec![
            ("HALO_URL", url.as_str()),
            ("HALO_CLIENT_ID", "0b7e3c1a-5d2f-4e9a-8c6b-1f4d7a2e9c30"),
            ("HALO_CLIENT_SECRET", CANARY),
        ];
        for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "HTTPS_PROXY"] {
            vars.push((name, at.as_str()));
        }
        let run = env.run(
            &["test", "--from-env", "--json", "--timeout", "3"],
            &vars,
            None,
        );
        assert_ne!(run.code, 0, "{host}: {}", run.stdout);
        assert!(
            proxy.accept().is_err(),
            "a request to {host} was sent to the proxy"
        );
    }
}

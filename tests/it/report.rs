//! `--report FILE`, the support bundle, through the real binary: what it holds (version and OS,
//! settings, each request, who answered, the diagnosis), what it never holds (the secret canary,
//! access tokens), its mode, and the files it will and will not write over.

use crate::common::{from_env_vars, init_args, refs, sandbox, strs, TestEnv, CANARY};
use halo_connect::sandbox::Scenario;

const MARKER: &str = "# halo-connect support bundle";

/// A run of 64 hex digits: the shape of the sandbox's access tokens.
fn has_token_shape(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run >= 64 {
            return true;
        }
    }
    false
}

#[test]
fn a_bundle_tells_the_run_and_holds_no_secret_or_token() {
    let sb = sandbox(Scenario::RoleDenied);
    let env = TestEnv::new();
    let path = env.dir.path().join("bundle.md");
    let vars = from_env_vars(&sb);
    let p = path.display().to_string();
    let run = env.run(
        &[
            "test",
            "--from-env",
            "--json",
            "--timeout",
            "5",
            "--report",
            &p,
        ],
        &refs(&vars),
        None,
    );
    run.code(5);
    run.contract(Some("permission"));
    assert!(
        run.stderr.contains("Wrote the support bundle"),
        "{}",
        run.stderr
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(MARKER), "{text}");
    for want in [
        concat!("halo-connect ", env!("CARGO_PKG_VERSION")),
        std::env::consts::OS,
        "POST http://127.0.0.1:",
        "/auth/token?tenant=sandbox — HTTP 200",
        "body: JSON object with keys access_token, expires_in, id_token, scope, token_type",
        "GET http://127.0.0.1:",
        "/api/Invoice?count=1 — HTTP 403",
        "- Client Secret: given (never written here)",
        "- Tenant: sandbox",
        "`role-denied`",
        "\"exit_code\": 5",
    ] {
        assert!(text.contains(want), "the bundle lacks {want:?}:\n{text}");
    }
    assert!(!text.contains(CANARY));
    assert!(
        !has_token_shape(&text),
        "an access token is in the bundle:\n{text}"
    );
    assert!(!text.contains("eyJ"), "a JWT is in the bundle:\n{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn a_bundle_says_who_answered() {
    let sb = sandbox(Scenario::IisIpRefused);
    let env = TestEnv::new();
    let path = env.dir.path().join("iis.md");
    let vars = from_env_vars(&sb);
    let p = path.display().to_string();
    let run = env.run(
        &["test", "--from-env", "--timeout", "5", "--report", &p],
        &refs(&vars),
        None,
    );
    run.code(6);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("HTTP 403") && text.contains("Server: Microsoft-IIS/10.0"),
        "{text}"
    );
    assert!(
        text.contains("answered by: IIS's own page (sub-status 403.503)"),
        "{text}"
    );
    assert!(text.contains("`ip-allow-list`"), "{text}");
    assert!(text.contains("body: \"<!DOCTYPE html"), "{text}");
}

#[test]
fn a_file_that_is_not_a_bundle_is_never_written_over_and_nothing_is_sent() {
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    let path = env.dir.path().join("notes.txt");
    std::fs::write(&path, "my notes\n").unwrap();
    let vars = from_env_vars(&sb);
    let p = path.display().to_string();
    let run = env.run(
        &["test", "--from-env", "--json", "--report", &p],
        &refs(&vars),
        None,
    );
    run.code(3);
    let v = run.json();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a halo-connect support bundle"),
        "{v:#}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my notes\n");
    assert_eq!(sb.stats().requests, 0, "the run went ahead");

    let dir = env.dir.path().display().to_string();
    let run = env.run(
        &["test", "--from-env", "--report", &dir],
        &refs(&vars),
        None,
    );
    run.code(3);
    assert!(run.stderr.contains("directory"), "{}", run.stderr);
}

#[test]
fn an_empty_file_and_an_earlier_bundle_are_replaced() {
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    let path = env.dir.path().join("ci-report.md");
    std::fs::write(&path, "").unwrap();
    let vars = from_env_vars(&sb);
    let p = path.display().to_string();
    env.run(&["test", "--from-env", "--report", &p], &refs(&vars), None)
        .code(0);
    let first = std::fs::read_to_string(&path).unwrap();
    assert!(first.contains("- Result: passed (exit code 0)"), "{first}");
    sb.set_scenario(Scenario::WrongSecret);
    env.run(&["test", "--from-env", "--report", &p], &refs(&vars), None)
        .code(4);
    let second = std::fs::read_to_string(&path).unwrap();
    assert!(second.starts_with(MARKER));
    assert!(second.contains("`invalid-client`"), "{second}");
    assert!(!second.contains("passed (exit code 0)"));
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn init_writes_a_bundle_for_a_run_that_stops_before_any_test() {
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    let path = env.dir.path().join("init.md");
    let mut args: Vec<String> = init_args(&sb)
        .into_iter()
        .filter(|a| a != "--client-id" && a != sb.client_id())
        .collect();
    args.extend(["--report".to_string(), path.display().to_string()]);
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(3);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("No request was sent."), "{text}");
    assert!(text.contains("halo-connect stopped (config)"), "{text}");
    assert!(text.contains("Client ID"), "{text}");

    // And a full init run records its Save and Test.
    let mut args = init_args(&sb);
    args.extend(["--report".to_string(), path.display().to_string()]);
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(0);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("## Save and Test 1: profile `default`"),
        "{text}"
    );
    assert!(text.contains("Halo PSA, version"), "{text}");
    assert!(!text.contains(CANARY));
}

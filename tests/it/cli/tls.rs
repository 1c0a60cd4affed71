use crate::common::*;
use halo_connect::sandbox::{Scenario, TlsMode};

fn run_tls(mode: TlsMode, trust: bool) -> Run {
    let env = TestEnv::new();
    let sb = sandbox_tls(Scenario::Healthy, mode);
    let ca = write_ca(env.dir.path(), &sb);
    let mut args = vec!["test".to_string(), "--from-env".into(), "--json".into()];
    if trust {
        args.extend(["--ca-cert".into(), ca.display().to_string()]);
    }
    let owned = from_env_vars(&sb);
    let vars = refs(&owned);
    env.run(&strs(&args), &vars, None)
}

#[test]
fn a_valid_chain_with_the_private_ca_passes() {
    let run = run_tls(TlsMode::Valid, true);
    run.code(0);
    run.contract(None);
}

#[test]
fn a_private_ca_without_ca_cert_suggests_it() {
    let run = run_tls(TlsMode::Valid, false);
    run.code(6);
    let v = run.contract(Some("tls"));
    assert_eq!(
        v["error"]["code"], "tls-unknown-issuer",
        "a complete chain from a private CA: {v:#}"
    );
    assert!(
        v["error"]["hint"].as_str().unwrap().contains("--ca-cert"),
        "{v:#}"
    );
}

#[test]
fn an_incomplete_chain_is_a_tls_error_naming_the_intermediate() {
    let run = run_tls(TlsMode::IncompleteChain, true);
    run.code(6);
    let v = run.contract(Some("tls"));
    assert_eq!(v["error"]["code"], "tls-incomplete-chain", "{v:#}");
    assert!(
        v["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("intermediate"),
        "{v:#}"
    );
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("does not send its intermediate") && msg.contains("issued by"),
        "names subject and issuer: {msg}"
    );
}

#[test]
fn an_expired_certificate_is_named() {
    let run = run_tls(TlsMode::Expired, true);
    run.code(6);
    let v = run.contract(Some("tls"));
    assert_eq!(v["error"]["code"], "tls-expired", "{v:#}");
}

#[test]
fn a_certificate_for_another_host_is_named() {
    let run = run_tls(TlsMode::WrongHost, true);
    run.code(6);
    let v = run.contract(Some("tls"));
    assert_eq!(v["error"]["code"], "tls-wrong-host", "{v:#}");
}

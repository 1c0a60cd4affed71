//! Property fuzzing of every parser that takes outside input: addresses, tenants, client IDs,
//! preset files, the config file, the credentials file and Halo's token/error bodies.
//!
//! Each target runs `PROPTEST_CASES` cases (default 10 000 for every target) and, when
//! `FUZZ_SECONDS` is set, keeps drawing fresh batches until that many seconds have passed (the long
//! runs recorded in docs/fuzzing.md). Properties: nothing panics; what comes out is normalised and
//! idempotent; every refusal names its field; the credentials file's contents never reach an error.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use halo_connect::domain::secret::Secret;
use halo_connect::domain::url::{
    derive_from_address, normalize_auth_server, normalize_resource_server, parse_tenant, Tenant,
};
use halo_connect::domain::values::{check_secret, parse_client_id};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

/// Halo's token and error answers, with every shape a server could send.
mod answers;
/// The preset file, the config file and the credentials file, mutated.
mod files;

const CANARY: &str = "c4n4ry5e-cre7-4f00-b4d5-ec12e7000001-dead10cc-7e57-4bad-8eef-5ec12e7c4n42";

/// Cases per batch: `PROPTEST_CASES` or `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `test` over `strategy`: one batch, or batches until `FUZZ_SECONDS` have passed. Panics
/// with the shrunk input on the first failure; prints the number of cases run.
fn fuzz<S>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let per_batch = cases(10_000);
    let budget = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_secs);
    let start = Instant::now();
    let mut total: u64 = 0;
    loop {
        let mut runner = TestRunner::new(Config {
            cases: per_batch,
            failure_persistence: None,
            ..Config::default()
        });
        match runner.run(&strategy, &test) {
            Ok(()) => total += u64::from(per_batch),
            Err(TestError::Fail(why, input)) => {
                panic!("fuzz {name}: failed after {total}+ cases: {why}\nminimal input: {input:#?}")
            }
            Err(TestError::Abort(why)) => panic!("fuzz {name}: aborted: {why}"),
        }
        if budget.is_none_or(|b| start.elapsed() >= b) {
            break;
        }
    }
    eprintln!(
        "fuzz {name}: {total} cases in {:.1} s, no failure",
        start.elapsed().as_secs_f64()
    );
}

/// Strings that look like what an operator pastes: schemes, hosts, ports and path pieces of Halo
/// addresses, glued in random order, with random junk in between.
fn address_like() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        Just(""),
        Just("https://"),
        Just("http://"),
        Just("HTTPS://"),
        Just("ftp://"),
        Just("https:/"),
        Just("https:"),
        Just("//"),
        Just("javascript:"),
    ];
    let host = prop_oneof![
        Just("acme.halopsa.com".to_string()),
        Just("ACME-trial.halopsa.com".to_string()),
        Just("auth.haloservicedesk.com".to_string()),
        Just("localhost".to_string()),
        Just("127.0.0.1".to_string()),
        Just("[::1]".to_string()),
        Just("halo.example.org".to_string()),
        Just("user:pw@acme.halopsa.com".to_string()),
        Just("xn--nxasmq6b.com".to_string()),
        Just("ünï.example".to_string()),
        "[a-z0-9.-]{0,20}",
        any::<String>(),
    ];
    let port = prop_oneof![
        Just(String::new()),
        Just(":443".to_string()),
        Just(":8080".to_string()),
        Just(":0".to_string()),
        Just(":99999".to_string()),
        Just(":".to_string()),
    ];
    let seg = prop_oneof![
        Just("api"),
        Just("API"),
        Just("auth"),
        Just("Auth"),
        Just("token"),
        Just("authorize"),
        Just(""),
        Just("."),
        Just(".."),
        Just("%2F"),
        Just("halo"),
        Just("v2"),
        Just("?tenant=acme"),
        Just("#frag"),
        Just(" "),
        Just("\n"),
    ];
    (
        scheme,
        host,
        port,
        prop::collection::vec(seg, 0..6),
        prop::bool::ANY,
    )
        .prop_map(|(scheme, host, port, segs, trailing)| {
            let mut s = format!("{scheme}{host}{port}");
            for seg in segs {
                s.push('/');
                s.push_str(seg);
            }
            if trailing {
                s.push('/');
            }
            s
        })
}

fn any_address() -> impl Strategy<Value = String> {
    prop_oneof![3 => address_like(), 1 => any::<String>(), 1 => "\\PC{0,300}"]
}

fn ends_in_exactly_one_slash(s: &str) -> bool {
    s.ends_with('/') && !s.ends_with("//")
}

#[test]
fn fuzz_derive_from_address() {
    fuzz("derive_from_address", any_address(), |input| {
        match derive_from_address(&input) {
            Ok(d) => {
                let auth = d.auth_server.as_str();
                let rs = d.resource_server.as_str();
                prop_assert!(ends_in_exactly_one_slash(auth), "auth {auth:?}");
                prop_assert!(auth.ends_with("/auth/"), "auth {auth:?}");
                prop_assert!(rs.ends_with("/api"), "resource server {rs:?}");
                // The derived values are fixed points of the normalisers.
                let (a2, _) = normalize_auth_server(auth)
                    .map_err(|e| TestCaseError::fail(format!("{auth:?} re-normalised: {e}")))?;
                prop_assert_eq!(a2.as_str(), auth);
                let (r2, _) = normalize_resource_server(rs)
                    .map_err(|e| TestCaseError::fail(format!("{rs:?} re-normalised: {e}")))?;
                prop_assert_eq!(r2.as_str(), rs);
                // Deriving again from what was derived gives the same values.
                let again = derive_from_address(rs)
                    .map_err(|e| TestCaseError::fail(format!("{rs:?} re-derived: {e}")))?;
                prop_assert_eq!(again.resource_server.as_str(), rs);
                prop_assert_eq!(again.auth_server.as_str(), auth);
                prop_assert_eq!(again.tenant, d.tenant);
            }
            Err(e) => {
                prop_assert!(e.to_string().contains("Halo address"), "{e}");
            }
        }
        Ok(())
    });
}

#[test]
fn fuzz_normalize_auth_server() {
    fuzz("normalize_auth_server", any_address(), |input| {
        match normalize_auth_server(&input) {
            Ok((a, _notes)) => {
                let s = a.as_str();
                prop_assert!(ends_in_exactly_one_slash(s), "{input:?} -> {s:?}");
                let path = url::Url::parse(s)
                    .map(|u| u.path().to_string())
                    .unwrap_or_default();
                prop_assert!(!path.ends_with("/token/"), "{input:?} -> {s:?}");
                let (again, notes) = normalize_auth_server(s)
                    .map_err(|e| TestCaseError::fail(format!("{s:?} re-normalised: {e}")))?;
                prop_assert_eq!(again.as_str(), s);
                prop_assert!(
                    notes.is_empty(),
                    "a normalised value changed again: {notes:?}"
                );
                // The token endpoint joins onto it without a double slash.
                let t = a.token_url(&Tenant::NotSet);
                prop_assert!(t.path().ends_with("/token") && !t.path().contains("//token"));
            }
            Err(e) => prop_assert!(e.to_string().contains("Authorization Server"), "{e}"),
        }
        Ok(())
    });
}

#[test]
fn fuzz_normalize_resource_server() {
    fuzz("normalize_resource_server", any_address(), |input| {
        match normalize_resource_server(&input) {
            Ok((r, _notes)) => {
                let s = r.as_str();
                prop_assert!(s.ends_with("/api"), "{input:?} -> {s:?}");
                let (again, notes) = normalize_resource_server(s)
                    .map_err(|e| TestCaseError::fail(format!("{s:?} re-normalised: {e}")))?;
                prop_assert_eq!(again.as_str(), s);
                prop_assert!(
                    notes.is_empty(),
                    "a normalised value changed again: {notes:?}"
                );
                let probe = r.join("/Agent/me", "");
                prop_assert!(probe.ends_with("/api/Agent/me"), "{probe}");
            }
            Err(e) => prop_assert!(e.to_string().contains("Resource Server"), "{e}"),
        }
        Ok(())
    });
}

fn tenant_like() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "[A-Za-z0-9._-]{0,30}",
        1 => "[ \t]*[Nn][Oo][Tt] *[Ss][Ee][Tt][ \t]*",
        1 => any::<String>(),
        1 => "\\PC{0,150}",
        1 => address_like(),
    ]
}

#[test]
fn fuzz_parse_tenant() {
    fuzz("parse_tenant", tenant_like(), |input| {
        match parse_tenant(&input) {
            Ok(Tenant::Named(t)) => {
                prop_assert!(!t.is_empty() && t.len() <= 100);
                prop_assert!(t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')));
                // What is stored reads back as itself.
                prop_assert_eq!(parse_tenant(&t).ok(), Some(Tenant::Named(t.clone())));
            }
            Ok(Tenant::NotSet) => {
                prop_assert_eq!(
                    parse_tenant(&Tenant::NotSet.to_string()).ok(),
                    Some(Tenant::NotSet)
                );
            }
            Err(e) => prop_assert!(e.to_string().contains("Tenant"), "{e}"),
        }
        Ok(())
    });
}

#[test]
fn fuzz_client_id_and_secret() {
    let input = prop_oneof![
        "[0-9a-fA-F-]{0,60}",
        any::<String>(),
        "\\PC{0,250}",
        address_like()
    ];
    fuzz("parse_client_id/check_secret", input, |input| {
        match parse_client_id(&input) {
            Ok((id, _)) => {
                prop_assert_eq!(id.trim(), id.as_str());
                prop_assert!(!id.is_empty());
                prop_assert_eq!(parse_client_id(&id).map(|(i, _)| i).ok(), Some(id.clone()));
            }
            Err(e) => prop_assert!(e.to_string().contains("Client ID"), "{e}"),
        }
        // A refused or noted secret is never echoed back.
        let marked = format!("{input}{CANARY}");
        match check_secret(Secret::new(marked)) {
            Ok((_, notes)) => {
                for n in notes {
                    prop_assert!(!n.to_string().contains(CANARY), "{n}");
                }
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.contains("Client Secret"), "{msg}");
                prop_assert!(!msg.contains(CANARY), "{msg}");
                let dbg = format!("{e:?}");
                prop_assert!(!dbg.contains(CANARY), "{}", dbg);
            }
        }
        Ok(())
    });
}

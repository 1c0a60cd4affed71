//! Property fuzzing of every parser that takes outside input: addresses, tenants, client IDs,
//! preset files, the config file, the credentials file and Halo's token/error bodies.
//!
//! Each target runs `PROPTEST_CASES` cases (default 10 000 for every target) and, when
//! `FUZZ_SECONDS` is set, keeps drawing fresh batches until that many seconds have passed (the long
//! runs recorded in docs/fuzzing.md). Properties: nothing panics; what comes out is normalised and
//! idempotent; every refusal names its field; the credentials file's contents never reach an error.

use std::fmt::Debug;
use std::path::Path;
use std::time::{Duration, Instant};

use halo_connect::domain::preset::parse_presets;
use halo_connect::domain::secret::Secret;
use halo_connect::domain::url::{
    derive_from_address, normalize_auth_server, normalize_resource_server, parse_tenant, Tenant,
};
use halo_connect::domain::values::{check_secret, parse_client_id, ConnectionSettings};
use halo_connect::halo::client::Answer;
use halo_connect::halo::diagnose::{self, TokenOutcome};
use halo_connect::store::ConfigFile;
use halo_connect::store::StoreError;
use halo_connect::store::{FileStore, SecretStore};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

const EMBEDDED_PRESETS: &str = include_str!("../presets/presets.toml");
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

/// Mutations of a valid text: byte-range deletions, insertions, duplicated and swapped lines.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    let edit = prop_oneof![
        (any::<prop::sample::Index>(), 0usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        (
            any::<prop::sample::Index>(),
            "\\PC{0,12}|[\\[\\]=\"{},#\n]{1,4}"
        )
            .prop_map(|(i, s)| Edit::Insert(i, s)),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Edit::SwapLines(a, b)),
        any::<prop::sample::Index>().prop_map(Edit::DupLine),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Byte(i, b)),
    ];
    prop::collection::vec(edit, 1..6).prop_map(move |edits| {
        let mut bytes = base.as_bytes().to_vec();
        for e in edits {
            e.apply(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, String),
    SwapLines(prop::sample::Index, prop::sample::Index),
    DupLine(prop::sample::Index),
    Byte(prop::sample::Index, u8),
}

impl Edit {
    fn apply(self, bytes: &mut Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        match self {
            Edit::Delete(i, n) => {
                let at = i.index(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Edit::Insert(i, s) => {
                let at = i.index(bytes.len() + 1);
                bytes.splice(at..at, s.into_bytes());
            }
            Edit::Byte(i, b) => {
                let at = i.index(bytes.len());
                bytes[at] = b;
            }
            Edit::SwapLines(a, b) => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|c| *c == b'\n').map(<[u8]>::to_vec).collect();
                let (x, y) = (a.index(lines.len()), b.index(lines.len()));
                lines.swap(x, y);
                *bytes = lines.join(&b'\n');
            }
            Edit::DupLine(a) => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|c| *c == b'\n').map(<[u8]>::to_vec).collect();
                let x = a.index(lines.len());
                let l = lines[x].clone();
                lines.insert(x, l);
                *bytes = lines.join(&b'\n');
            }
        }
    }
}

#[test]
fn fuzz_parse_presets() {
    let input = prop_oneof![
        3 => mutated(EMBEDDED_PRESETS),
        1 => any::<String>(),
        1 => "(\\[\\[preset\\]\\]\nname = \"[a-z]{0,6}\"\nscopes = \\[(\"[a-z:]{0,16}\",? ?){0,4}\\]\n){0,3}",
    ];
    fuzz("parse_presets", input, |text| {
        if let Ok(presets) = parse_presets(&text) {
            // Whatever parses obeys the file's rules.
            let mut names = std::collections::HashSet::new();
            for p in &presets {
                prop_assert!(names.insert(p.name.clone()), "duplicate {}", p.name);
                prop_assert!(!p.scopes.is_empty() || p.name == "custom");
            }
        }
        Ok(())
    });
}

const VALID_CONFIG: &str = r#"[profiles.default]
preset = "billing"
resource_server = "https://acme.halopsa.com/api"
auth_server = "https://acme.halopsa.com/auth/"
tenant = "acme"
client_id = "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60"
secret_store = "file"
scopes = ["read:customers"]

[profiles.default.last_test]
ok = true
exit_code = 0
at = "2025-01-02T03:04:05Z"

[profiles."ci.prod"]
preset = "alerting"
resource_server = "https://halo.example.org/api"
auth_server = "https://halo.example.org/auth/"
client_id = "id-2"
secret_store = "keyring"
sandbox = false
"#;

fn config_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => mutated(VALID_CONFIG).prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..400),
        1 => any::<String>().prop_map(String::into_bytes),
        1 => (mutated(VALID_CONFIG), prop::collection::vec(any::<u8>(), 1..4), any::<prop::sample::Index>())
            .prop_map(|(t, junk, at)| {
                let mut b = t.into_bytes();
                let i = at.index(b.len() + 1);
                b.splice(i..i, junk);
                b
            }),
    ]
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("write fuzz input");
}

#[test]
fn fuzz_config_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    let file = ConfigFile::new(path.clone());
    fuzz("ConfigFile::load", config_bytes(), |bytes| {
        write(&path, &bytes);
        match file.load() {
            Ok(config) => {
                // What loads can be written back and loads the same.
                let text = toml::to_string(&config)
                    .map_err(|e| TestCaseError::fail(format!("cannot re-serialise: {e}")))?;
                let again: halo_connect::store::Config = toml::from_str(&text)
                    .map_err(|e| TestCaseError::fail(format!("round trip: {e}\n{text}")))?;
                prop_assert_eq!(again, config);
            }
            Err(StoreError::Corrupt { line, column, .. }) => {
                let lines = bytes.split(|b| *b == b'\n').count();
                prop_assert!(line >= 1 && line <= lines.max(1), "line {line} of {lines}");
                prop_assert!(column >= 1);
            }
            Err(other) => {
                return Err(TestCaseError::fail(format!(
                    "neither Ok nor Corrupt: {other}"
                )))
            }
        }
        Ok(())
    });
}

#[test]
fn fuzz_credentials_file_never_echoes_its_contents() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials.toml");
    let store = FileStore::new(path.clone());
    let body = format!("[profiles.default]\nclient_secret = \"{CANARY}\"\n");
    let body: &'static str = Box::leak(body.into_boxed_str());
    let input = prop_oneof![
        3 => mutated(body),
        1 => any::<String>().prop_map(|s| format!("{s}{CANARY}")),
    ];
    fuzz("FileStore::get", input, |text| {
        write(&path, text.as_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        match store.get("default") {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(!e.to_string().contains(CANARY), "{e}");
                prop_assert!(!format!("{e:?}").contains(CANARY), "{e:?}");
                // No fragment of the file beyond its name either (a toml message quotes lines).
                prop_assert!(!e.to_string().contains("c4n4ry5e"), "{e}");
            }
        }
        Ok(())
    });
}

fn settings() -> ConnectionSettings {
    let raw = halo_connect::domain::values::RawValues {
        url: Some(halo_connect::domain::values::Sourced::new(
            "https://acme.halopsa.com".to_string(),
            halo_connect::domain::values::Source::Flag,
        )),
        client_id: Some(halo_connect::domain::values::Sourced::new(
            "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60".to_string(),
            halo_connect::domain::values::Source::Flag,
        )),
        ..Default::default()
    };
    halo_connect::domain::values::validate(&raw, None)
        .expect("valid settings")
        .settings
}

fn answer_body() -> impl Strategy<Value = Vec<u8>> {
    let json_key = prop_oneof![
        Just("access_token".to_string()),
        Just("token_type".to_string()),
        Just("scope".to_string()),
        Just("expires_in".to_string()),
        Just("error".to_string()),
        Just("error_description".to_string()),
        Just("message".to_string()),
        "[a-z_]{1,12}",
    ];
    let json_val = prop_oneof![
        Just("null".to_string()),
        Just("\"\"".to_string()),
        Just("\"invalid_client\"".to_string()),
        Just("\"invalid_scope\"".to_string()),
        Just("\"invalid_request\"".to_string()),
        Just("\"unsupported_grant_type\"".to_string()),
        Just("\"read:invoices edit:invoices\"".to_string()),
        Just("\"tenant unknown\"".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| format!("{n:?}")),
        Just("1e400".to_string()),
        Just("[1,2,{}]".to_string()),
        Just("{\"a\":{}}".to_string()),
        "\\PC{0,20}".prop_map(|s| serde_json::to_string(&s).unwrap()),
    ];
    let object = prop::collection::vec((json_key, json_val), 0..6).prop_map(|kv| {
        let inner: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", inner.join(","))
    });
    prop_oneof![
        3 => object.clone().prop_map(String::into_bytes),
        1 => object.prop_flat_map(|o| {
            let n = o.len();
            (Just(o), 0..=n).prop_map(|(o, cut)| o.as_bytes()[..cut].to_vec())
        }),
        1 => prop::collection::vec(any::<u8>(), 0..600),
        1 => "<!DOCTYPE html><html>\\PC{0,40}".prop_map(String::into_bytes),
        1 => any::<String>().prop_map(String::into_bytes),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    let status = prop_oneof![
        Just(200u16),
        Just(201),
        Just(204),
        Just(302),
        Just(400),
        Just(401),
        Just(403),
        Just(404),
        Just(429),
        Just(500),
        Just(502),
        Just(503),
        100u16..1000,
    ];
    let ctype = prop_oneof![
        Just("application/json".to_string()),
        Just("application/json; charset=utf-8".to_string()),
        Just("text/html".to_string()),
        Just("text/plain".to_string()),
        Just(String::new()),
        "\\PC{0,30}",
    ];
    (
        status,
        ctype,
        answer_body(),
        prop::option::of("\\PC{0,40}"),
        0u32..10,
    )
        .prop_map(|(status, content_type, body, location, attempts)| Answer {
            url: "https://acme.halopsa.com/auth/token?tenant=acme".to_string(),
            status,
            content_type,
            body,
            location,
            attempts,
        })
}

#[test]
fn fuzz_token_and_error_bodies() {
    let settings = settings();
    fuzz("diagnose::token_answer", answer(), |a| {
        let _ = a.is_json();
        let _ = a.looks_html();
        let _ = a.json();
        let snippet = a.snippet();
        prop_assert!(snippet.chars().count() <= 160);
        match diagnose::token_answer(&a, &settings) {
            TokenOutcome::Issued(t) => {
                prop_assert!((200..300).contains(&a.status));
                prop_assert!(!t.access_token.is_empty());
                // The token never shows in Debug.
                prop_assert_eq!(format!("{:?}", t.access_token), "Secret(redacted)");
            }
            TokenOutcome::ScopeRefused(_) => prop_assert!(!(200..300).contains(&a.status)),
            TokenOutcome::Failed(d) => {
                prop_assert!(!d.code.is_empty());
                prop_assert!(!d.message.is_empty());
                prop_assert!(d.kind.exit_code() >= 3);
            }
        }
        let d = diagnose::resource_not_json(&a, &settings);
        prop_assert!(!d.message.is_empty());
        let _ = diagnose::rate_limited(&a);
        Ok(())
    });
}

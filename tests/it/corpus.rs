//! A corpus of malformed Halo addresses, Authorization and Resource Servers, tenants and Client IDs:
//! each row is refused with a message that names the field and says why. Every row is checked
//! twice: against the domain function, and through the real binary (`test --from-env --json`, exit
//! 3, `error.kind` "config"), with the secret canary checked on every run.

use crate::common::*;
use halo_connect::domain::url::{
    derive_from_address, normalize_auth_server, normalize_resource_server, parse_tenant,
};
use halo_connect::domain::values::parse_client_id;
use halo_connect::sandbox::Scenario;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    /// `--url` / HALO_URL, through `derive_from_address`.
    Url,
    Auth,
    Resource,
    Tenant,
    ClientId,
}

impl F {
    fn label(self) -> &'static str {
        match self {
            F::Url => "Halo address",
            F::Auth => "Authorization Server",
            F::Resource => "Resource Server",
            F::Tenant => "Tenant",
            F::ClientId => "Client ID",
        }
    }

    fn check(self, input: &str) -> Result<(), String> {
        let r = match self {
            F::Url => derive_from_address(input).map(drop),
            F::Auth => normalize_auth_server(input).map(drop),
            F::Resource => normalize_resource_server(input).map(drop),
            F::Tenant => parse_tenant(input).map(drop),
            F::ClientId => parse_client_id(input).map(drop),
        };
        r.map_err(|e| e.to_string())
    }
}

fn long(prefix: &str, n: usize) -> String {
    format!("{prefix}{}", "x".repeat(n))
}

/// (field, input, a piece of the message).
fn corpus() -> Vec<(F, String, &'static str)> {
    let rows: Vec<(F, &str, &'static str)> = vec![
        // Halo addresses (--url).
        (F::Url, "   ", "it is empty"),
        (
            F::Url,
            "acme.halopsa.com",
            "did you mean https://acme.halopsa.com?",
        ),
        (
            F::Url,
            "//acme.halopsa.com",
            "did you mean https://acme.halopsa.com?",
        ),
        (
            F::Url,
            "localhost:8080",
            "did you mean https://localhost:8080?",
        ),
        (F::Url, "http:acme.halopsa.com", "must be followed by //"),
        (F::Url, "https:/acme.halopsa.com", "must be followed by //"),
        (F::Url, "acme", "does not start with https://"),
        (
            F::Url,
            "javascript:alert(1)",
            "does not start with https://",
        ),
        (F::Url, "ftp://acme.halopsa.com", "starts with ftp://"),
        (F::Url, "ws://acme.halopsa.com", "starts with ws://"),
        (F::Url, "file:///etc/passwd", "starts with file://"),
        (
            F::Url,
            "http://acme.halopsa.com",
            "plain http:// to acme.halopsa.com",
        ),
        (F::Url, "HTTP://acme.halopsa.com/api", "plain http://"),
        (F::Url, "http://10.0.0.5/api", "plain http:// to 10.0.0.5"),
        (
            F::Url,
            "https://user:pw@acme.halopsa.com",
            "user name or password",
        ),
        (
            F::Url,
            "https://ops@acme.halopsa.com",
            "user name or password",
        ),
        (F::Url, "https://acme halopsa.com", "contains a space"),
        (F::Url, "https://acme.halopsa.com/\tapi", "contains a space"),
        (F::Url, "https://", "not a valid address"),
        (F::Url, "https://:443", "not a valid address"),
        (
            F::Url,
            "https://acme.halopsa.com:99999",
            "not a valid address",
        ),
        (F::Url, "https://[::1", "not a valid address"),
        (F::Url, "https://acme..halopsa.com%", "not a valid address"),
        // Authorization Servers (--auth-server).
        (F::Auth, "https://acme.halopsa.com/api", "look swapped"),
        (F::Auth, "https://acme.halopsa.com/API/", "look swapped"),
        (
            F::Auth,
            "https://acme.halopsa.com/auth/?tenant=acme",
            "query string",
        ),
        (
            F::Auth,
            "https://acme.halopsa.com/auth/#token",
            "query string",
        ),
        (
            F::Auth,
            "acme.halopsa.com/auth",
            "did you mean https://acme.halopsa.com/auth?",
        ),
        (
            F::Auth,
            "http://auth.haloservicedesk.com/auth/",
            "plain http://",
        ),
        (F::Auth, "", "it is empty"),
        (
            F::Auth,
            "https://u@auth.haloservicedesk.com/",
            "user name or password",
        ),
        // Resource Servers (--resource-server).
        (F::Resource, "https://acme.halopsa.com/auth", "look swapped"),
        (
            F::Resource,
            "https://acme.halopsa.com/auth/token",
            "look swapped",
        ),
        (
            F::Resource,
            "https://acme.halopsa.com/api?x=1",
            "query string",
        ),
        (
            F::Resource,
            "acme.halopsa.com/api",
            "did you mean https://acme.halopsa.com/api?",
        ),
        (
            F::Resource,
            "gopher://acme.halopsa.com/api",
            "starts with gopher://",
        ),
        (
            F::Resource,
            "https://acme.halopsa.com/ api",
            "contains a space",
        ),
        // Tenants (--tenant).
        (F::Tenant, "https://acme.halopsa.com", "it is an address"),
        (F::Tenant, "acme.halopsa.com/auth", "it is an address"),
        (F::Tenant, "acme corp", "contains a space"),
        (F::Tenant, "Not  set!", "contains a space"),
        (F::Tenant, "acme!", "contains '!'"),
        (F::Tenant, "ac\"me", "contains '\"'"),
        (F::Tenant, "acme@halo", "contains '@'"),
        (F::Tenant, "acme,beta", "contains ','"),
        (F::Tenant, "acme;", "contains ';'"),
        (F::Tenant, "tenant=acme", "contains '='"),
        (F::Tenant, "acme.halopsa.com:443", "contains ':'"),
        (F::Tenant, "'acme'", "contains '\\''"),
        (F::Tenant, "ünïcode", "contains 'ü'"),
        (F::Tenant, "acme\u{7}", "contains '\\u{7}'"),
        (F::Tenant, "{acme}", "contains '{'"),
        // Client IDs (--client-id).
        (F::ClientId, "  ", "it is empty"),
        (F::ClientId, "3f2b9c4e 0d6a", "contains a space"),
        (F::ClientId, "3f2b9c4e\t0d6a", "contains a space"),
        (F::ClientId, "https://acme.halopsa.com", "it is an address"),
        (
            F::ClientId,
            "\"3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60\"",
            "contains '\"'",
        ),
        (F::ClientId, "'3f2b9c4e'", "contains '\\''"),
        (F::ClientId, "<3f2b9c4e>", "contains '<'"),
        (F::ClientId, "a&b", "contains '&'"),
        (F::ClientId, "id?x=1", "contains '?'"),
        (F::ClientId, "id#1", "contains '#'"),
        (F::ClientId, "id\u{1b}[31m", "contains '\\u{1b}'"),
    ];
    let mut rows: Vec<(F, String, &'static str)> = rows
        .into_iter()
        .map(|(f, i, m)| (f, i.to_string(), m))
        .collect();
    rows.push((
        F::Url,
        long("https://acme.halopsa.com/", 3000),
        "characters long",
    ));
    rows.push((F::Tenant, long("t", 100), "101 characters long"));
    rows.push((F::ClientId, long("id-", 198), "201 characters long"));
    rows
}

#[test]
fn the_corpus_is_large_enough_and_covers_every_field() {
    let rows = corpus();
    assert!(rows.len() >= 50, "only {} rows", rows.len());
    for f in [F::Url, F::Auth, F::Resource, F::Tenant, F::ClientId] {
        assert!(rows.iter().filter(|r| r.0 == f).count() >= 5, "{f:?}");
    }
}

#[test]
fn every_row_is_refused_with_its_reason_and_field() {
    let mut bad = Vec::new();
    for (field, input, piece) in corpus() {
        match field.check(&input) {
            Ok(()) => bad.push(format!("{field:?} {input:?}: accepted")),
            Err(msg) => {
                if !msg.contains(piece) || !msg.contains(field.label()) {
                    bad.push(format!(
                        "{field:?} {input:?}: wanted {piece:?} and {:?} in\n    {msg}",
                        field.label()
                    ));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} rows wrong:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The same rows through the binary: exit 3, kind config, the reason and the field on stdout.
#[test]
fn every_row_is_refused_by_the_binary() {
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    let mut bad = Vec::new();
    for (field, input, piece) in corpus() {
        if input.trim().is_empty() || input.contains('\0') {
            // An empty variable counts as unset (covered by the "missing" tests).
            continue;
        }
        let rs = sb.resource_server();
        let auth = sb.auth_server();
        let mut vars: Vec<(&str, &str)> = vec![
            ("HALO_CLIENT_ID", sb.client_id()),
            ("HALO_CLIENT_SECRET", CANARY),
            ("HALO_TENANT", sb.tenant()),
        ];
        match field {
            F::Url => vars.push(("HALO_URL", &input)),
            F::Auth => {
                vars.push(("HALO_RESOURCE_SERVER", &rs));
                vars.push(("HALO_AUTH_SERVER", &input));
            }
            F::Resource => {
                vars.push(("HALO_RESOURCE_SERVER", &input));
                vars.push(("HALO_AUTH_SERVER", &auth));
            }
            F::Tenant | F::ClientId => {
                vars.push(("HALO_RESOURCE_SERVER", &rs));
                vars.push(("HALO_AUTH_SERVER", &auth));
                let key = if field == F::Tenant {
                    "HALO_TENANT"
                } else {
                    "HALO_CLIENT_ID"
                };
                vars.retain(|(k, _)| *k != key);
                vars.push((key, &input));
            }
        }
        let run = env.run(&["test", "--from-env", "--json"], &vars, None);
        let all = format!("{}\n{}", run.stdout, run.stderr);
        if run.code != 3 || !all.contains(piece) || !all.contains(field.label()) {
            bad.push(format!(
                "{field:?} {input:?}: exit {} (want 3), want {piece:?} and {:?}:\n{all}",
                run.code,
                field.label()
            ));
            continue;
        }
        let v = run.contract(Some("config"));
        assert!(v["error"]["message"].is_string(), "{v:#}");
    }
    assert!(
        bad.is_empty(),
        "{} rows wrong:\n{}",
        bad.len(),
        bad.join("\n\n")
    );
}

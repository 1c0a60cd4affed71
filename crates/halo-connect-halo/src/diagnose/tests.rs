//! The token endpoint's answers as a table: who answered and what it said in, the outcome out.

use super::*;
use halo_connect_core::catalogue::Cause;
use halo_connect_core::kind::Kind;
use halo_connect_core::url::{normalize_auth_server, normalize_resource_server, Tenant};
use halo_connect_core::values::ConnectionSettings;

fn settings(auth: &str, tenant: Tenant) -> ConnectionSettings {
    ConnectionSettings {
        resource_server: normalize_resource_server("https://acme.halopsa.com/api")
            .unwrap()
            .0,
        auth_server: normalize_auth_server(auth).unwrap().0,
        tenant,
        client_id: "3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37".into(),
    }
}

fn answer(status: u16, ctype: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    Answer {
        url: "https://acme.halopsa.com/auth/token".into(),
        status,
        content_type: ctype.into(),
        body: body.as_bytes().to_vec(),
        location: None,
        attempts: 1,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

enum Want {
    Cause(&'static Cause),
    ScopeRefused,
}

#[test]
fn the_token_endpoint_is_judged_by_who_answered_then_what_it_said() {
    let own = settings(
        "https://acme.halopsa.com/auth/",
        Tenant::Named("acme".into()),
    );
    let json = "application/json";
    let oauth = |status: u16, body: &str| answer(status, json, &[], body);
    let table: Vec<(&str, Answer, Want)> = vec![
        ("invalid_client", oauth(401, r#"{"error":"invalid_client"}"#), Want::Cause(&catalogue::INVALID_CLIENT)),
        ("unauthorized_client", oauth(400, r#"{"error":"unauthorized_client"}"#), Want::Cause(&catalogue::INVALID_CLIENT)),
        ("invalid_scope", oauth(400, r#"{"error":"invalid_scope"}"#), Want::ScopeRefused),
        ("scope by OpenIddict's error id", oauth(400, r#"{"error":"invalid_request","error_uri":"https://documentation.openiddict.com/errors/ID2051"}"#), Want::ScopeRefused),
        // The wording is not read: with a tenant sent, an invalid_request is said as Halo said it,
        // with the Tenant checked first.
        ("tenant in the description", oauth(400, r#"{"error":"invalid_request","error_description":"unknown tenant"}"#), Want::Cause(&catalogue::TOKEN_REFUSED)),
        ("another invalid_request", oauth(400, r#"{"error":"invalid_request","error_description":"The request is malformed."}"#), Want::Cause(&catalogue::TOKEN_REFUSED)),
        ("invalid_grant", oauth(400, r#"{"error":"invalid_grant"}"#), Want::Cause(&catalogue::LOGIN_REFUSED)),
        ("unsupported_grant_type", oauth(400, r#"{"error":"unsupported_grant_type"}"#), Want::Cause(&catalogue::WRONG_AUTHENTICATION_METHOD)),
        ("an unknown code", oauth(403, r#"{"error":"consent_required","error_description":"x"}"#), Want::Cause(&catalogue::TOKEN_REFUSED)),
        ("an unknown code on a 500", oauth(500, r#"{"error":"weird"}"#), Want::Cause(&catalogue::TOKEN_REFUSED)),
        ("server_error", oauth(503, r#"{"error":"server_error"}"#), Want::Cause(&catalogue::SERVER_ERROR)),
        ("an error object on a 200", oauth(200, r#"{"error":"invalid_scope"}"#), Want::Cause(&catalogue::TOKEN_REFUSED)),
        ("Halo's JSON refusal", oauth(401, r#"{"Message":"Authorization has been denied for this request."}"#), Want::Cause(&catalogue::TOKEN_REFUSED)),
        ("a bare 401", answer(401, "", &[], ""), Want::Cause(&catalogue::INVALID_CLIENT)),
        ("a 500 page with a tenant", answer(500, "text/html", &[], "<html><title>Runtime Error</title></html>"), Want::Cause(&catalogue::WRONG_TENANT)),
        ("a 404 page", answer(404, "text/html", &[("server", "Microsoft-IIS/10.0")], "<html><head><title>404 - File or directory not found.</title></head></html>"), Want::Cause(&catalogue::TOKEN_URL_NOT_FOUND)),
        ("Halo's app page", answer(200, "text/html", &[], "<html><head><title>HaloPSA</title></head><body><div id=\"root\"></div><script></script></body></html>"), Want::Cause(&catalogue::TOKEN_URL_HTML)),
        ("no access_token", oauth(200, r#"{"token_type":"Bearer"}"#), Want::Cause(&catalogue::NOT_HALO)),
        ("an IIS IP refusal", answer(403, "text/html", &[], "<html><head><title>IIS 10.0 Detailed Error - 403.6 - Forbidden</title></head></html>"), Want::Cause(&catalogue::IP_ALLOW_LIST)),
        ("IIS Windows Authentication", answer(401, "", &[("www-authenticate", "Negotiate")], ""), Want::Cause(&catalogue::WEB_SERVER_REFUSED)),
        ("an unknown 403", answer(403, "text/plain", &[], "no"), Want::Cause(&catalogue::NOT_HALO)),
        ("a 429", answer(429, "text/plain", &[], "slow down"), Want::Cause(&catalogue::RATE_LIMITED)),
    ];
    for (name, a, want) in table {
        let got = token_answer(&a, &own);
        match (want, got) {
            (Want::ScopeRefused, TokenOutcome::ScopeRefused(_)) => {}
            (Want::Cause(c), TokenOutcome::Failed(d)) => {
                assert_eq!(d.cause, c, "{name}: {d:?}");
                assert!(!d.message.chars().any(char::is_control), "{name}");
            }
            (_, other) => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn an_oauth_refusal_quotes_code_and_description_and_is_an_auth_failure() {
    let s = settings(
        "https://acme.halopsa.com/auth/",
        Tenant::Named("acme".into()),
    );
    let a = answer(
        400,
        "application/json",
        &[],
        r#"{"error":"account_locked","error_description":"Locked for 5 minutes."}"#,
    );
    let TokenOutcome::Failed(d) = token_answer(&a, &s) else {
        panic!()
    };
    assert_eq!(d.kind(), Kind::Auth);
    assert!(
        d.message.contains("account_locked: Locked for 5 minutes."),
        "{}",
        d.message
    );
    assert!(!d.message.contains("not Halo"), "{}", d.message);
}

#[test]
fn with_no_tenant_on_another_hosts_authorization_server_the_tenant_comes_first() {
    let shared_like = settings("https://login.example-auth.com/", Tenant::NotSet);
    let same_host = settings("https://acme.halopsa.com/auth/", Tenant::NotSet);
    let refused = answer(
        401,
        "application/json",
        &[],
        r#"{"error":"invalid_client"}"#,
    );
    let TokenOutcome::Failed(d) = token_answer(&refused, &shared_like) else {
        panic!()
    };
    assert_eq!(d.cause, &catalogue::TENANT_REQUIRED);
    assert!(d.hint.starts_with("Copy the Tenant"), "{}", d.hint);
    assert!(
        d.hint.contains("paste the whole Client Secret"),
        "{}",
        d.hint
    );
    assert!(d.message.contains("invalid_client"), "{}", d.message);

    let TokenOutcome::Failed(d) = token_answer(&refused, &same_host) else {
        panic!()
    };
    assert_eq!(d.cause, &catalogue::INVALID_CLIENT);

    // A 5xx from the token endpoint too; but never what stands in front of it.
    let failed = answer(
        500,
        "text/html",
        &[],
        "<html><title>Runtime Error</title></html>",
    );
    let TokenOutcome::Failed(d) = token_answer(&failed, &shared_like) else {
        panic!()
    };
    assert_eq!(d.cause, &catalogue::TENANT_REQUIRED);
    let blocked = answer(
        403,
        "text/html",
        &[("server", "cloudflare"), ("cf-ray", "r")],
        "<title>Attention Required! | Cloudflare</title>",
    );
    let TokenOutcome::Failed(d) = token_answer(&blocked, &shared_like) else {
        panic!()
    };
    assert_eq!(d.cause, &catalogue::FIREWALL_BLOCKED);
}

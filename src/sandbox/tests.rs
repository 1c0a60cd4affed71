//! Tests of the emulator as a client sees it: real HTTP(S) over loopback with reqwest.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::Value;

use super::*;

fn start(scenario: Scenario) -> Sandbox {
    Sandbox::start(SandboxOptions {
        scenario,
        ..Default::default()
    })
    .expect("sandbox starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn token_url(sb: &Sandbox) -> String {
    format!("{}token", sb.auth_server())
}

async fn token_with(
    c: &reqwest::Client,
    sb: &Sandbox,
    secret: &str,
    scope: Option<&str>,
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", sb.client_id()),
        ("client_secret", secret),
    ];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let r = c.post(token_url(sb)).form(&form).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn token(c: &reqwest::Client, sb: &Sandbox, scope: Option<&str>) -> (u16, Value) {
    token_with(c, sb, sb.client_secret().expose(), scope).await
}

fn scopes_of(v: &Value) -> Vec<String> {
    v["scope"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

async fn get(c: &reqwest::Client, sb: &Sandbox, path: &str, tok: &str) -> reqwest::Response {
    c.get(format!("{}{path}", sb.resource_server()))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn token_grants_exactly_the_requested_scopes_and_all_means_the_apps_list() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let (status, v) = token(&c, &sb, Some("read:customers edit:items")).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(scopes_of(&v), ["read:customers", "edit:items"]);
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    assert!(v["access_token"].as_str().unwrap().len() >= 32);
    assert!(v["id_token"].as_str().unwrap().starts_with("eyJ"));

    let (_, all) = token(&c, &sb, Some("all")).await;
    let granted = scopes_of(&all);
    assert!(!granted.contains(&"all".to_string()));
    for s in ["all:teams", "admin:webhooks", "edit:invoices", "read:kb"] {
        assert!(granted.contains(&s.to_string()), "{s} in {granted:?}");
    }
    assert_eq!(sb.stats().token_requests, 2);
}

#[tokio::test]
async fn wrong_credentials_are_invalid_client_and_bad_requests_are_named() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let (status, v) = token_with(&c, &sb, "not-the-secret", Some("all")).await;
    assert_eq!(status, 401);
    assert_eq!(v["error"], "invalid_client");
    assert_eq!(
        v["error_description"],
        "The specified client credentials are invalid."
    );

    let (status, v) = token(&c, &sb, Some("read:actions")).await;
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_scope")));

    let send = |form: Vec<(&'static str, String)>, url: String| {
        let c = c.clone();
        async move {
            let r = c.post(url).form(&form).send().await.unwrap();
            let s = r.status().as_u16();
            (s, r.text().await.unwrap())
        }
    };
    let id = sb.client_id().to_string();
    let secret = sb.client_secret().expose().to_string();
    let (s, body) = send(vec![("client_id", id.clone())], token_url(&sb)).await;
    assert_eq!(s, 400);
    assert!(body.contains("invalid_request"), "{body}");
    let (s, body) = send(
        vec![("grant_type", "password".into()), ("client_id", id.clone())],
        token_url(&sb),
    )
    .await;
    assert_eq!(s, 400);
    assert!(body.contains("unsupported_grant_type"), "{body}");

    let good = vec![
        ("grant_type", "client_credentials".to_string()),
        ("client_id", id),
        ("client_secret", secret),
        ("scope", "read:customers".into()),
    ];
    let (s, body) = send(good.clone(), format!("{}?tenant=acme", token_url(&sb))).await;
    assert_eq!(s, 500);
    assert!(
        body.contains("<html"),
        "a wrong tenant is an HTML error page"
    );
    let (s, _) = send(good.clone(), format!("{}?tenant=sandbox", token_url(&sb))).await;
    assert_eq!(s, 200);
    let (s, _) = send(good, format!("{}?tenant=", token_url(&sb))).await;
    assert_eq!(s, 200, "an empty tenant is tolerated");
}

#[tokio::test]
async fn basic_client_authentication_works() {
    let sb = start(Scenario::Healthy);
    let r = client()
        .post(token_url(&sb))
        .basic_auth(sb.client_id(), Some(sb.client_secret().expose()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "read:items"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["scope"], "read:items");
}

#[tokio::test]
async fn missing_scope_is_refused_while_scope_dropped_drops_it() {
    let c = client();
    let sb = start(Scenario::MissingScope);
    let (status, v) = token(&c, &sb, Some("read:customers edit:invoices")).await;
    assert_eq!(status, 400);
    assert_eq!(v["error"], "invalid_request");
    assert_eq!(
        v["error_description"],
        "This client application is not allowed to use the specified scope."
    );
    let (status, v) = token(&c, &sb, Some("all")).await;
    assert_eq!(status, 200);
    let granted = scopes_of(&v);
    assert!(!granted.contains(&"edit:invoices".to_string()));
    assert!(granted.contains(&"read:invoices".to_string()));

    sb.set_scenario(Scenario::ScopeDropped);
    let (status, v) = token(&c, &sb, Some("read:customers edit:invoices")).await;
    assert_eq!(status, 200);
    assert_eq!(scopes_of(&v), ["read:customers"]);
}

#[tokio::test]
async fn all_permission_grants_all() {
    let sb = start(Scenario::AllPermission);
    let c = client();
    let (_, v) = token(&c, &sb, Some("read:customers")).await;
    assert_eq!(v["scope"], "all");
    let tok = v["access_token"].as_str().unwrap();
    assert_eq!(get(&c, &sb, "/Webhook", tok).await.status(), 200);
}

#[tokio::test]
async fn probes_answer_200_401_403_by_scope_and_paths_are_case_insensitive() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let (_, v) = token(&c, &sb, Some("read:customers all:teams")).await;
    let tok = v["access_token"].as_str().unwrap().to_string();

    let r = get(&c, &sb, "/client?count=1", &tok).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["record_count"], 1);
    assert_eq!(body["clients"].as_array().unwrap().len(), 1);

    let teams: Value = get(&c, &sb, "/Team", &tok).await.json().await.unwrap();
    assert!(!teams.as_array().expect("bare array").is_empty());

    assert_eq!(get(&c, &sb, "/Invoice", &tok).await.status(), 403);
    assert_eq!(get(&c, &sb, "/Webhook", &tok).await.status(), 401);
    assert_eq!(get(&c, &sb, "/Client", "forged").await.status(), 401);
    assert_eq!(get(&c, &sb, "/NoSuchThing", &tok).await.status(), 404);

    let me: Value = get(&c, &sb, "/agent/ME", &tok).await.json().await.unwrap();
    assert_eq!(me["id"], 12);
    assert_eq!(me["isdisabled"], false);

    // Every probe path is served for a token that covers it.
    let (_, v) = token(&c, &sb, Some("all")).await;
    let all = v["access_token"].as_str().unwrap().to_string();
    for p in crate::domain::scope::PROBES {
        let r = get(&c, &sb, &format!("{}?{}", p.path, p.query), &all).await;
        assert_eq!(r.status(), 200, "{}", p.path);
        let v: Value = r.json().await.unwrap();
        assert!(v.is_array() || v[p.list_key].is_array(), "{}: {v}", p.path);
    }
    let r = get(&c, &sb, crate::domain::scope::RECURRING_PATH, &all).await;
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn authinfo_and_html_pages() {
    let sb = start(Scenario::Healthy);
    let c = client();
    let v: Value = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["auth_url"], format!("{}/auth", sb.base_url()));
    assert_eq!(v["tenant_id"], "sandbox");

    let r = c
        .get(format!("{}/nope", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("404 - File or directory not found"));
    let r = c.get(sb.auth_server()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Log in"));

    sb.set_scenario(Scenario::AuthinfoMismatch);
    let v: Value = c
        .get(format!("{}/AuthInfo", sb.resource_server()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["auth_url"], "https://other.halopsa.com/auth");
}

#[tokio::test]
async fn token_level_scenarios() {
    let sb = start(Scenario::NoScopeToken);
    let c = client();
    let (_, v) = token(&c, &sb, Some("all")).await;
    assert_eq!(v["scope"], "");
    let tok = v["access_token"].as_str().unwrap().to_string();
    assert_eq!(get(&c, &sb, "/Agent/me", &tok).await.status(), 401);

    sb.set_scenario(Scenario::Healthy);
    let (status, v) = token(&c, &sb, None).await;
    assert_eq!((status, v["scope"].as_str()), (200, Some("")));
    let tok = v["access_token"].as_str().unwrap().to_string();
    assert_eq!(get(&c, &sb, "/Client", &tok).await.status(), 401);

    sb.set_scenario(Scenario::ExpiredToken);
    let (_, v) = token(&c, &sb, Some("all")).await;
    assert_eq!(v["expires_in"], 0);
    let tok = v["access_token"].as_str().unwrap().to_string();
    assert_eq!(get(&c, &sb, "/Client", &tok).await.status(), 401);

    sb.set_scenario(Scenario::TenantRequired);
    let (status, v) = token(&c, &sb, Some("all")).await;
    assert_eq!(status, 400);
    assert!(v["error_description"].as_str().unwrap().contains("tenant"));

    sb.set_scenario(Scenario::WrongSecret);
    let (status, v) = token(&c, &sb, Some("all")).await;
    assert_eq!((status, v["error"].as_str()), (401, Some("invalid_client")));
}

#[tokio::test]
async fn role_and_data_scenarios() {
    let sb = start(Scenario::RoleDenied);
    let c = client();
    let (_, v) = token(&c, &sb, Some("all")).await;
    let tok = v["access_token"].as_str().unwrap().to_string();
    let r = get(&c, &sb, "/Invoice", &tok).await;
    assert_eq!(r.status(), 403);
    assert!(serde_json::from_str::<Value>(&r.text().await.unwrap()).is_err());
    assert_eq!(get(&c, &sb, "/ClientContract", &tok).await.status(), 403);
    assert_eq!(get(&c, &sb, "/Client", &tok).await.status(), 200);

    for (scenario, path, key) in [
        (
            Scenario::NoRecurringContracts,
            "/RecurringInvoice",
            "invoices",
        ),
        (Scenario::NoAssets, "/Asset", "assets"),
        (Scenario::ClientRestricted, "/Client", "clients"),
    ] {
        sb.set_scenario(scenario);
        let v: Value = get(&c, &sb, path, &tok).await.json().await.unwrap();
        assert_eq!(v["record_count"], 0, "{scenario}");
        assert!(v[key].as_array().unwrap().is_empty(), "{scenario}");
    }
    sb.set_scenario(Scenario::NoTeams);
    let v: Value = get(&c, &sb, "/Team", &tok).await.json().await.unwrap();
    assert_eq!(v, serde_json::json!([]));

    sb.set_scenario(Scenario::InactiveAgent);
    let v: Value = get(&c, &sb, "/Agent/me", &tok).await.json().await.unwrap();
    assert_eq!(v["isdisabled"], true);

    sb.set_scenario(Scenario::HtmlResourceServer);
    let r = get(&c, &sb, "/Client", &tok).await;
    assert_eq!(r.status(), 200);
    let ct = r.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap();
    assert!(ct.starts_with("text/html"), "{ct}");
}

#[tokio::test]
async fn set_scenario_switches_behaviour_also_over_http() {
    let sb = start(Scenario::Healthy);
    let c = client();
    assert_eq!(token(&c, &sb, Some("all")).await.0, 200);
    let r = c
        .post(format!(
            "{}/_sandbox/scenario?name=wrong-secret",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(sb.scenario(), Scenario::WrongSecret);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 401);
    let r = c
        .post(format!("{}/_sandbox/scenario?name=bogus", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    sb.set_scenario(Scenario::Healthy);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 200);
}

#[tokio::test]
async fn retry_and_error_scenarios() {
    let sb = start(Scenario::RateLimited);
    let c = client();
    for _ in 0..2 {
        let r = c.post(token_url(&sb)).send().await.unwrap();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "1");
    }
    assert_eq!(token(&c, &sb, Some("all")).await.0, 200);

    sb.set_scenario(Scenario::Flaky);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 502);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 200);

    sb.set_scenario(Scenario::ServerError);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 503);
    sb.set_scenario(Scenario::RateLimitStorm);
    assert_eq!(token(&c, &sb, Some("all")).await.0, 429);

    sb.set_scenario(Scenario::RedirectOtherHost);
    let r = c.post(token_url(&sb)).send().await.unwrap();
    assert_eq!(r.status(), 307);
    let loc = r.headers()["location"].to_str().unwrap();
    assert_eq!(loc, format!("http://127.0.0.2:{}/auth/token", sb.port()));

    sb.set_scenario(Scenario::RedirectLoop);
    let r = c
        .post(format!("{}?tenant=sandbox", token_url(&sb)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("{}?tenant=sandbox", token_url(&sb))
    );
}

#[tokio::test]
async fn hostile_bodies() {
    let sb = start(Scenario::BrokenJson);
    let c = client();
    let r = c
        .post(token_url(&sb))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sb.client_id()),
            ("client_secret", sb.client_secret().expose()),
            ("scope", "all"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.starts_with("{\"") && serde_json::from_str::<Value>(&text).is_err());

    sb.set_scenario(Scenario::InvalidUtf8);
    let bytes = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(std::str::from_utf8(&bytes).is_err());

    sb.set_scenario(Scenario::HugeBody);
    let r = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap();
    assert!(r.content_length().unwrap() >= 20 * 1024 * 1024);
    assert!(r.bytes().await.unwrap().len() >= 20 * 1024 * 1024);

    sb.set_scenario(Scenario::Reset);
    let r = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap();
    assert!(r.bytes().await.is_err(), "the body must be cut off");

    sb.set_scenario(Scenario::Drip);
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(1200))
        .build()
        .unwrap();
    let err = async {
        quick
            .get(format!("{}/authinfo", sb.resource_server()))
            .send()
            .await?
            .bytes()
            .await
    }
    .await
    .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn slow_and_no_answer_time_out() {
    let sb = start(Scenario::Slow);
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let url = format!("{}/authinfo", sb.resource_server());
    assert!(quick.get(&url).send().await.unwrap_err().is_timeout());
    sb.set_scenario(Scenario::NoAnswer);
    assert!(quick.get(&url).send().await.unwrap_err().is_timeout());
    sb.set_scenario(Scenario::Healthy);
    assert_eq!(quick.get(&url).send().await.unwrap().status(), 200);
}

#[test]
fn works_from_sync_code_and_shuts_down() {
    let sb = start(Scenario::Healthy);
    let port = sb.port();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /API/AUTHINFO HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.contains("\"tenant_id\":\"sandbox\""));
    assert!(sb.stats().connections >= 1);
    assert_eq!(sb.client_secret().expose(), DEMO_CLIENT_SECRET);
    assert_eq!(DEMO_CLIENT_SECRET.len(), 73);
    assert!(!format!("{sb:?}").contains(DEMO_CLIENT_SECRET));
    sb.shutdown();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

// ---------------------------------------------------------------------------------------------
// TLS

fn tls(mode: TlsMode) -> (Sandbox, reqwest::Client) {
    let sb = Sandbox::start(SandboxOptions {
        tls: mode,
        ..Default::default()
    })
    .unwrap();
    let pem = sb.ca_pem().expect("TLS modes have a root");
    let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).unwrap();
    let c = reqwest::Client::builder()
        .tls_certs_only(certs)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    (sb, c)
}

/// Finds the rustls error inside reqwest's chain (io::Error hides it from `source()`).
fn rustls_error(e: &reqwest::Error) -> Option<rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let mut inner: &(dyn std::error::Error + 'static) = err;
        loop {
            if let Some(r) = inner.downcast_ref::<rustls::Error>() {
                return Some(r.clone());
            }
            match inner
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
            {
                Some(next) => inner = next,
                None => break,
            }
        }
        cur = err.source();
    }
    None
}

async fn cert_error(mode: TlsMode) -> rustls::CertificateError {
    let (sb, c) = tls(mode);
    let err = c
        .get(format!("{}/authinfo", sb.resource_server()))
        .send()
        .await
        .unwrap_err();
    match rustls_error(&err) {
        Some(rustls::Error::InvalidCertificate(ce)) => ce,
        other => panic!("{mode}: expected a certificate error, got {other:?} from {err:?}"),
    }
}

#[tokio::test]
async fn valid_tls_works_over_one_handshake_with_h2() {
    let (sb, c) = tls(TlsMode::Valid);
    assert!(sb.base_url().starts_with("https://localhost:"));
    for _ in 0..3 {
        let r = c
            .get(format!("{}/authinfo", sb.resource_server()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.version(), reqwest::Version::HTTP_2);
    }
    let (status, _) = token(&c, &sb, Some("all")).await;
    assert_eq!(status, 200);
    let st = sb.stats();
    assert_eq!(st.tls_handshakes, 1, "{st:?}");
    assert_eq!(st.requests, 4);
}

#[tokio::test]
async fn incomplete_chain_is_unknown_issuer() {
    assert_eq!(
        cert_error(TlsMode::IncompleteChain).await,
        rustls::CertificateError::UnknownIssuer
    );
}

#[tokio::test]
async fn expired_certificate_is_refused() {
    let e = cert_error(TlsMode::Expired).await;
    assert!(
        matches!(
            e,
            rustls::CertificateError::Expired | rustls::CertificateError::ExpiredContext { .. }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn wrong_host_certificate_is_refused() {
    let e = cert_error(TlsMode::WrongHost).await;
    assert!(
        matches!(
            e,
            rustls::CertificateError::NotValidForName
                | rustls::CertificateError::NotValidForNameContext { .. }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn concurrent_connections_are_counted() {
    let sb = start(Scenario::Healthy);
    sb.set_scenario(Scenario::Slow);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..3 {
        // Separate clients: separate connections.
        let url = format!("{}/authinfo", sb.resource_server());
        set.spawn(async move { client().get(url).send().await.map(|r| r.status()) });
    }
    while let Some(r) = set.join_next().await {
        assert_eq!(r.unwrap().unwrap(), 200);
    }
    let st = sb.stats();
    assert_eq!(st.connections, 3);
    assert_eq!(st.max_concurrent_connections, 3);
}

#[tokio::test]
async fn latency_and_a_custom_secret_are_honoured() {
    let sb = Sandbox::start(SandboxOptions {
        latency: Duration::from_millis(300),
        client_secret: Some(Secret::new("custom-secret")),
        ..Default::default()
    })
    .unwrap();
    let c = client();
    let t0 = std::time::Instant::now();
    let (status, _) = token(&c, &sb, Some("read:kb")).await;
    assert_eq!(status, 200);
    assert!(t0.elapsed() >= Duration::from_millis(300));
    let (status, _) = token_with(&c, &sb, DEMO_CLIENT_SECRET, Some("read:kb")).await;
    assert_eq!(
        status, 401,
        "the demo secret is not valid when another was given"
    );
}

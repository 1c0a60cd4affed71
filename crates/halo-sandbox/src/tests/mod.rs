//! Tests of the emulator as a client sees it: real HTTP(S) over loopback with reqwest, one file per
//! side of Halo (auth server, resource server, hostile behaviours, TLS, the demo for real tools).
//! Shared helpers live here.

mod auth;
mod behaviours;
mod demo;
mod resource;
mod tls;

use std::time::Duration;

use serde_json::Value;

use super::*;

pub(super) fn start(scenario: Scenario) -> Sandbox {
    Sandbox::start(SandboxOptions {
        scenario,
        ..Default::default()
    })
    .expect("sandbox starts")
}

/// rustls's process-wide provider (reqwest is built without one of its own).
pub(super) fn crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub(super) fn client() -> reqwest::Client {
    crypto();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

pub(super) fn token_url(sb: &Sandbox) -> String {
    format!("{}token", sb.auth_server())
}

pub(super) async fn token_with(
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

pub(super) async fn token(c: &reqwest::Client, sb: &Sandbox, scope: Option<&str>) -> (u16, Value) {
    token_with(c, sb, sb.client_secret().expose(), scope).await
}

pub(super) fn scopes_of(v: &Value) -> Vec<String> {
    v["scope"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

pub(super) async fn get(
    c: &reqwest::Client,
    sb: &Sandbox,
    path: &str,
    tok: &str,
) -> reqwest::Response {
    c.get(format!("{}{path}", sb.resource_server()))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
}

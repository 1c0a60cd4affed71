//! Halo's Authorisation Server as the emulator plays it: the token endpoint (`POST /auth/token`,
//! client credentials in the form or HTTP Basic, `?tenant=`), the grant of scopes by the model's
//! rules, and JWT-shaped tokens. Every refusal is one of the model's error shapes; nothing here
//! words an answer for a client's classifier to find.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::json;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use subtle::ConstantTimeEq;

use super::random::random_hex;

/// Standard base64 with or without padding, as Basic auth headers come.
const BASIC: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
use super::model::{model, MetaAnswer};
use super::pages::SERVER_ERROR_HTML;
use super::reply::{form_map, html, json_response};
use super::scenario::{Scenario, TokenForm};
use super::server::{lock, Issued, Shared};
use super::{CLIENT_ID, TENANT};

pub(crate) fn token(
    st: &Shared,
    scenario: Scenario,
    method: &Method,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if method != Method::POST {
        return refuse("method");
    }
    let tenant = form_map(query.as_bytes())
        .remove("tenant")
        .unwrap_or_default();
    let tenant = tenant.trim();
    // A self-hosted Halo has no tenants and ignores the parameter [E: HaloAPI issue #64, CIPP's docs: the tenant is for hosted instances only].
    if scenario == Scenario::OnPremise {
    } else if !tenant.is_empty() {
        // An instance answers a tenant it does not know with an error page, not OAuth JSON.
        if !tenant.eq_ignore_ascii_case(TENANT) {
            return html(StatusCode::INTERNAL_SERVER_ERROR, SERVER_ERROR_HTML);
        }
    } else if scenario == Scenario::TenantRequired {
        return refuse("tenant_missing");
    }
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form_type {
        return refuse("content_type");
    }
    let mut form = form_map(body);
    match form.get("grant_type").map(String::as_str) {
        None | Some("") => return refuse("grant_type_missing"),
        Some("client_credentials") => {}
        Some(_) => return refuse("grant_type_unsupported"),
    }
    let (id, secret) = match (form.remove("client_id"), form.remove("client_secret")) {
        (Some(id), secret) if !id.is_empty() => (id, secret.unwrap_or_default()),
        _ => match basic_credentials(headers) {
            Some(pair) => pair,
            None => return refuse("client_id_missing"),
        },
    };
    let id_ok = id.eq_ignore_ascii_case(CLIENT_ID);
    // Without an early exit, so timing does not reveal how much of the secret matched.
    let secret_ok: bool = secret
        .as_bytes()
        .ct_eq(st.client_secret.expose().as_bytes())
        .into();
    // A regenerated secret is a wrong one by the time it is sent.
    let old_secret = scenario == Scenario::SecretRegenerated;
    if scenario == Scenario::WrongSecret || old_secret || !id_ok || !secret_ok {
        return refuse("invalid_client");
    }
    // Credentials are right; the application's own settings refuse the login.
    if scenario == Scenario::AwaitingApproval {
        return refuse("awaiting_approval");
    }
    if scenario == Scenario::LoginRefused {
        return refuse("login_refused");
    }
    if scenario == Scenario::WrongAuthMethod {
        return refuse("grant_not_allowed");
    }
    let requested: Vec<String> = form
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    if requested.iter().any(|s| !model().knows(s)) {
        return refuse("unknown_scope");
    }
    let guesses = st.guesses();
    let Some(mut granted) = grant(&ticked(scenario), &requested, scenario, guesses.meta) else {
        return refuse("scope_not_allowed");
    };
    if scenario == Scenario::NoScopeToken {
        granted.clear();
    }
    let expires_in: u64 = if scenario == Scenario::ExpiredToken {
        0
    } else {
        model().instance.token_lifetime
    };
    let access_token = match guesses.token {
        TokenForm::Jwt => access_jwt(&st.base_url, &granted, expires_in),
        TokenForm::Opaque => random_hex(32),
    };
    let lost = match scenario {
        Scenario::TokenNotFound => st.issued_count.fetch_add(1, Ordering::Relaxed) == 0,
        Scenario::TokenNotFoundAlways => true,
        _ => false,
    };
    {
        let mut tokens = lock(&st.tokens);
        let now = Instant::now();
        if tokens.len() > 10_000 {
            tokens.retain(|_, t| t.expires > now);
        }
        tokens.insert(
            access_token.clone(),
            Issued {
                scopes: granted.clone(),
                expires: now + Duration::from_secs(expires_in),
                lost,
            },
        );
    }
    let id_token = id_token(&st.base_url, expires_in);
    super::remember_issued(&access_token);
    super::remember_issued(&id_token);
    let mut answer = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": granted.join(" "),
        "id_token": id_token,
    });
    // A recorded client-credentials answer carried one [E: field research, 2026-12].
    if scenario == Scenario::RefreshToken {
        let refresh = random_hex(32);
        super::remember_issued(&refresh);
        lock(&st.refresh_tokens).push(refresh.clone());
        answer["refresh_token"] = json!(refresh);
    }
    let mut resp = json_response(StatusCode::OK, &answer);
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// One of the model's token-endpoint refusals.
fn refuse(key: &str) -> Response {
    let e = model().error(key);
    let mut body = json!({"error": e.error, "error_description": e.description});
    if let Some(id) = &e.uri {
        body["error_uri"] = json!(format!("https://documentation.openiddict.com/errors/{id}"));
    }
    json_response(
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
        &body,
    )
}

/// What the application has ticked on its Permissions tab in each scenario.
pub(crate) fn ticked(scenario: Scenario) -> Vec<String> {
    let only = |s: &str| vec![s.to_string()];
    match scenario {
        Scenario::AllPermission => only("all"),
        Scenario::AllStandardPermission => only("all:standard"),
        Scenario::AdminPermission => only("admin"),
        Scenario::WebhooksPermission => only("admin:webhooks"),
        Scenario::AllTeamsPermission => only("all:teams"),
        Scenario::MissingScope | Scenario::ScopeDropped => without("edit:invoices"),
        Scenario::NoWebhooks => without("admin:webhooks"),
        _ => healthy_ticked(),
    }
}

/// A correctly set-up application: every read/edit pair, all:teams and admin:webhooks.
fn healthy_ticked() -> Vec<String> {
    let mut v: Vec<String> = model()
        .scopes
        .areas
        .iter()
        .flat_map(|a| [format!("read:{a}"), format!("edit:{a}")])
        .collect();
    v.push("all:teams".into());
    v.push("admin:webhooks".into());
    v
}

fn without(scope: &str) -> Vec<String> {
    let mut v = healthy_ticked();
    v.retain(|s| s != scope);
    v
}

/// The granted list for known requested scopes, or None for a refusal. A request for `all` gets
/// what the application has ticked (a live tenant showed it), and the OpenID scopes every application
/// has. A scope the application lacks is refused,
/// or dropped in `scope-dropped`. A scope only a ticked meta scope covers is answered as `answer`
/// says, where that meta scope allows it.
pub(crate) fn grant(
    ticked: &[String],
    requested: &[String],
    scenario: Scenario,
    answer: MetaAnswer,
) -> Option<Vec<String>> {
    let m = model();
    let answer_for = |meta: &str| {
        let allowed = m.meta(meta).is_some_and(|x| x.answers.contains(&answer));
        if allowed {
            answer
        } else {
            MetaAnswer::Literal
        }
    };
    let mut granted: Vec<String> = Vec::new();
    let mut push = |s: &str| {
        if !granted.iter().any(|g| g == s) {
            granted.push(s.to_string());
        }
    };
    for r in requested {
        if r == "all" {
            let expand = ticked
                .iter()
                .any(|t| m.meta(t).is_some() && answer_for(t) == MetaAnswer::Expanded);
            let list = if expand {
                m.expand(ticked)
            } else {
                ticked.to_vec()
            };
            list.iter().for_each(|s| push(s));
            m.scopes.with_every_application.iter().for_each(|s| push(s));
            continue;
        }
        let everyone = m.scopes.with_every_application.contains(r);
        if everyone
            || ticked.contains(r)
            || ticked.iter().any(|t| m.meta(t).is_none() && m.gives(t, r))
        {
            push(r);
            continue;
        }
        let meta = ticked.iter().find(|t| m.meta(t).is_some() && m.gives(t, r));
        match meta.map(|t| (t, answer_for(t))) {
            Some((t, MetaAnswer::Literal)) => push(t),
            Some((_, MetaAnswer::Expanded)) => push(r),
            Some((_, MetaAnswer::Refused)) => return None,
            None if scenario == Scenario::ScopeDropped => {}
            None => return None,
        }
    }
    Some(granted)
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(BASIC.decode(rest.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
    let dec = |s: &str| {
        url::form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((dec(id), dec(secret)))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// An unsigned JWT: header and claims, empty signature. Nothing may verify or decode it.
fn jwt(claims: &serde_json::Value) -> String {
    let header = json!({"alg": "none", "typ": "JWT"});
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// A JWT-shaped access token (real ones start `eyJhbGci`). Its `jti` is random,
/// so the token cannot be guessed; the claims are the likely ones [I].
fn access_jwt(base_url: &str, granted: &[String], expires_in: u64) -> String {
    let now = now_secs();
    let agent = &model().agent;
    jwt(&json!({
        "iss": format!("{base_url}/auth"),
        "sub": agent.id.to_string(),
        "client_id": CLIENT_ID,
        "scope": granted.join(" "),
        "iat": now,
        "exp": now + expires_in,
        "jti": random_hex(32),
    }))
}

/// The id_token naming the agent the application logs in as.
fn id_token(base_url: &str, expires_in: u64) -> String {
    let now = now_secs();
    let agent = &model().agent;
    jwt(&json!({
        "iss": format!("{base_url}/auth"),
        "sub": agent.id.to_string(),
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + expires_in,
        "id": agent.id,
        "name": agent.name,
        "email": agent.email,
    }))
}

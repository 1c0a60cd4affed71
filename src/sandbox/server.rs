//! The HTTP side of the emulator: one fallback handler that routes case-insensitively (Halo's
//! paths are), the token table, and the scenario behaviours.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use serde_json::{json, Value};

use super::encoding::{b64_decode, b64url, random_hex, same};
use super::scenario::Scenario;
use super::tls::{ConnCounter, HandshakeCounter};
use super::{ScenarioCell, Stats, CLIENT_ID, TENANT};
use crate::domain::scope::{
    covers, is_known_scope, AGENT_ME_PATH, AREAS, AUTHINFO_PATH, PROBES, RECURRING_PATH,
};
use crate::domain::secret::Secret;

/// Requests a body may carry; a token request is a few hundred bytes.
const MAX_REQUEST_BODY: usize = 1 << 20;
/// `huge-body` answers this many bytes.
const HUGE_BODY_BYTES: usize = 20 * 1024 * 1024;
const SLOW_DELAY: Duration = Duration::from_secs(2);
const DRIP_INTERVAL: Duration = Duration::from_millis(500);
/// How many records a probe answers when nothing empties it.
const RECORDS: usize = 3;
/// Probes that answer 401 (not 403) to a token lacking their scope: Halo varies by endpoint.
const UNAUTHORIZED_WHEN_DENIED: &[&str] = &["/webhook", "/team", "/report", "/kbarticle"];
/// Probes the `role-denied` Role cannot open.
const ROLE_DENIED: &[&str] = &["/invoice", "/recurringinvoice", "/clientcontract"];
/// Probes that answer a bare JSON array rather than `{record_count, key: [...]}`.
const BARE_ARRAY: &[&str] = &["/team", "/webhook"];

struct Issued {
    scopes: Vec<String>,
    expires: Instant,
}

/// State shared by the handler and the `Sandbox` handle.
pub(crate) struct Shared {
    pub base_url: String,
    port: u16,
    scenario: ScenarioCell,
    latency: Duration,
    pub client_secret: Secret,
    pub stats: Arc<Stats>,
    tokens: Mutex<HashMap<String, Issued>>,
    /// Requests seen since the scenario was set (for `rate-limited`).
    rate_count: AtomicU64,
    /// Paths already called since the scenario was set (for `flaky`).
    flaky_seen: Mutex<HashSet<String>>,
}

impl Shared {
    pub fn new(
        base_url: String,
        port: u16,
        scenario: Scenario,
        latency: Duration,
        client_secret: Secret,
    ) -> Self {
        Shared {
            base_url,
            port,
            scenario: ScenarioCell::new(scenario),
            latency,
            client_secret,
            stats: Arc::new(Stats::default()),
            tokens: Mutex::new(HashMap::new()),
            rate_count: AtomicU64::new(0),
            flaky_seen: Mutex::new(HashSet::new()),
        }
    }

    pub fn scenario(&self) -> Scenario {
        self.scenario.get()
    }

    /// Switches scenario and restarts the per-scenario counters, so `rate-limited` and `flaky`
    /// behave the same after a switch as after a start.
    pub fn set_scenario(&self, s: Scenario) {
        self.rate_count.store(0, Ordering::Relaxed);
        lock(&self.flaky_seen).clear();
        self.scenario.set(s);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

type ServeFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

/// Thread body: own runtime, serve until stopped, then drop every connection with the runtime.
pub(crate) fn run(
    listener: std::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    shared: Arc<Shared>,
    stop: tokio::sync::oneshot::Receiver<()>,
    ready: std::sync::mpsc::Sender<io::Result<()>>,
) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    rt.block_on(async move {
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let handle = axum_server::Handle::new();
        let server = match axum_server::from_tcp(listener) {
            Ok(s) => s.handle(handle.clone()),
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let counter = ConnCounter {
            stats: shared.stats.clone(),
        };
        let serve: ServeFuture = match tls {
            None => Box::pin(server.acceptor(counter).serve(app.into_make_service())),
            Some(cfg) => {
                let acceptor = HandshakeCounter {
                    inner: RustlsAcceptor::new(RustlsConfig::from_config(cfg)).acceptor(counter),
                    stats: shared.stats.clone(),
                };
                Box::pin(server.acceptor(acceptor).serve(app.into_make_service()))
            }
        };
        let listening = handle.clone();
        let ready_listening = ready.clone();
        tokio::spawn(async move {
            let r = match listening.listening().await {
                Some(_) => Ok(()),
                None => Err(io::Error::other("sandbox server failed to listen")),
            };
            let _ = ready_listening.send(r);
        });
        tokio::select! {
            r = serve => {
                if let Err(e) = r {
                    let _ = ready.send(Err(e));
                }
            }
            _ = stop => handle.shutdown(),
        }
    });
    // Dropping the runtime drops every connection task, `no-answer` ones included.
    rt.shutdown_timeout(Duration::from_secs(1));
}

async fn handle(State(st): State<Arc<Shared>>, req: Request) -> Response {
    st.stats.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = req.into_parts();
    let path = normalise_path(parts.uri.path());
    let query = parts.uri.query().unwrap_or("").to_string();
    if path == "/_sandbox" || path.starts_with("/_sandbox/") {
        return control(&st, &parts.method, &path, &query);
    }
    let is_token = path == "/auth/token";
    if is_token {
        st.stats.token_requests.fetch_add(1, Ordering::Relaxed);
    }
    let scenario = st.scenario();
    let mut delay = st.latency;
    if scenario == Scenario::Slow {
        delay += SLOW_DELAY;
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(r) = refuse_early(&st, scenario, &path, is_token, &parts.uri) {
        return r;
    }
    if let Some(r) = super::fronts::answer(scenario, &parts.method, &path) {
        return r;
    }
    if scenario == Scenario::NoAnswer {
        std::future::pending::<()>().await;
    }
    let body = match axum::body::to_bytes(body, MAX_REQUEST_BODY).await {
        Ok(b) => b,
        Err(_) => return text(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large\n"),
    };
    let resp = route(
        &st,
        scenario,
        &parts.method,
        &path,
        &query,
        &parts.headers,
        &body,
    );
    hostile(scenario, resp).await
}

/// Lower-case (Halo's routes are case-insensitive) without trailing slashes.
fn normalise_path(p: &str) -> String {
    let mut p = p.to_ascii_lowercase();
    while p.len() > 1 && p.ends_with('/') {
        p.pop();
    }
    p
}

fn control(st: &Shared, method: &Method, path: &str, query: &str) -> Response {
    match (method.as_str(), path) {
        ("POST", "/_sandbox/scenario") => {
            let name = form_map(query.as_bytes())
                .remove("name")
                .unwrap_or_default();
            match name.parse::<Scenario>() {
                Ok(s) => {
                    st.set_scenario(s);
                    text(StatusCode::OK, &format!("scenario: {s}\n"))
                }
                Err(e) => text(StatusCode::BAD_REQUEST, &format!("{e}\n")),
            }
        }
        ("GET", "/_sandbox/scenario") => text(StatusCode::OK, &format!("{}\n", st.scenario())),
        ("GET", "/_sandbox/stats") => {
            let s = st.stats.snapshot();
            json_response(
                StatusCode::OK,
                &json!({
                    "requests": s.requests,
                    "token_requests": s.token_requests,
                    "connections": s.connections,
                    "tls_handshakes": s.tls_handshakes,
                    "max_concurrent_connections": s.max_concurrent_connections,
                    "open_connections": s.open_connections,
                }),
            )
        }
        _ => html(StatusCode::NOT_FOUND, NOT_FOUND_HTML),
    }
}

/// Scenarios that answer before the request is looked at.
fn refuse_early(
    st: &Shared,
    scenario: Scenario,
    path: &str,
    is_token: bool,
    uri: &Uri,
) -> Option<Response> {
    let too_many = || {
        let mut r = text(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests\n");
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        r
    };
    match scenario {
        Scenario::RateLimitStorm => Some(too_many()),
        Scenario::RateLimited if st.rate_count.fetch_add(1, Ordering::Relaxed) < 2 => {
            Some(too_many())
        }
        Scenario::ServerError => Some(html(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE_HTML)),
        Scenario::Flaky if lock(&st.flaky_seen).insert(path.to_string()) => {
            Some(html(StatusCode::BAD_GATEWAY, BAD_GATEWAY_HTML))
        }
        Scenario::RedirectLoop if is_token => {
            let target = format!("{}{}", st.base_url, path_and_query(uri));
            Some(redirect(StatusCode::FOUND, &target))
        }
        Scenario::RedirectOtherHost if is_token => {
            let q = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            let target = format!("http://127.0.0.2:{}/auth/token{q}", st.port);
            Some(redirect(StatusCode::TEMPORARY_REDIRECT, &target))
        }
        _ => None,
    }
}

fn path_and_query(uri: &Uri) -> String {
    uri.path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

fn route(
    st: &Shared,
    scenario: Scenario,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    match path {
        "/" if method == Method::GET => html(StatusCode::OK, WEB_UI_HTML),
        "/auth" | "/auth/authorize" if method == Method::GET => html(StatusCode::OK, LOGIN_HTML),
        "/auth/token" => token(st, scenario, method, query, headers, body),
        p if p == "/api" || p.starts_with("/api/") => {
            api(st, scenario, method, &p[4..], query, headers)
        }
        _ => html(StatusCode::NOT_FOUND, NOT_FOUND_HTML),
    }
}

// ---------------------------------------------------------------------------------------------
// Token endpoint

fn token(
    st: &Shared,
    scenario: Scenario,
    method: &Method,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if method != Method::POST {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The specified HTTP method is not valid.",
        );
    }
    let tenant = form_map(query.as_bytes())
        .remove("tenant")
        .unwrap_or_default();
    let tenant = tenant.trim();
    if !tenant.is_empty() {
        // Halo answers an unknown tenant with an error page, not OAuth JSON.
        if scenario == Scenario::WrongTenant || !tenant.eq_ignore_ascii_case(TENANT) {
            return html(StatusCode::INTERNAL_SERVER_ERROR, SERVER_ERROR_HTML);
        }
    } else if scenario == Scenario::TenantRequired {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The mandatory 'tenant' parameter is missing: this Authorisation Server serves several \
             Halo instances, add ?tenant=<your tenant> to the token URL.",
        );
    }
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form_type {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The specified 'Content-Type' header is invalid.",
        );
    }
    let mut form = form_map(body);
    match form.get("grant_type").map(String::as_str) {
        None | Some("") => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The mandatory 'grant_type' parameter is missing.",
            )
        }
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The specified 'grant_type' parameter is not supported.",
            )
        }
    }
    let (id, secret) = match (form.remove("client_id"), form.remove("client_secret")) {
        (Some(id), secret) if !id.is_empty() => (id, secret.unwrap_or_default()),
        _ => match basic_credentials(headers) {
            Some(pair) => pair,
            None => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The mandatory 'client_id' parameter is missing.",
                )
            }
        },
    };
    let id_ok = id.eq_ignore_ascii_case(CLIENT_ID);
    let secret_ok = same(secret.as_bytes(), st.client_secret.expose().as_bytes());
    if scenario == Scenario::WrongSecret || !id_ok || !secret_ok {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The specified client credentials are invalid.",
        );
    }
    // Credentials are right; the application's own settings refuse the login.
    if scenario == Scenario::LoginRefused {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The application has no agent to log in as.",
        );
    }
    if scenario == Scenario::WrongAuthMethod {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The specified 'grant_type' is not allowed for this client application.",
        );
    }
    let requested: Vec<String> = form
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    if requested.iter().any(|s| !is_known_scope(s)) {
        return scope_error(
            "invalid_scope",
            "The specified 'scope' parameter is not valid.",
            "ID2052",
        );
    }
    let mut granted = match grant(scenario, &requested) {
        Ok(g) => g,
        Err(resp) => return resp,
    };
    if scenario == Scenario::NoScopeToken {
        granted.clear();
    }
    let expires_in: u64 = if scenario == Scenario::ExpiredToken {
        0
    } else {
        3600
    };
    let access_token = random_hex(32);
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
            },
        );
    }
    let mut resp = json_response(
        StatusCode::OK,
        &json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": expires_in,
            "scope": granted.join(" "),
            "id_token": id_token(&st.base_url, expires_in),
        }),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// What a healthy application has ticked: every read/edit area, all:teams, admin:webhooks.
fn healthy_app_scopes() -> Vec<String> {
    let mut v: Vec<String> = AREAS
        .iter()
        .flat_map(|a| [format!("read:{a}"), format!("edit:{a}")])
        .collect();
    v.push("all:teams".into());
    v.push("admin:webhooks".into());
    v
}

fn app_scopes(scenario: Scenario) -> Vec<String> {
    match scenario {
        Scenario::AllPermission => vec!["all".into()],
        Scenario::MissingScope | Scenario::ScopeDropped => {
            let mut v = healthy_app_scopes();
            v.retain(|s| s != "edit:invoices");
            v
        }
        Scenario::NoWebhooks => {
            let mut v = healthy_app_scopes();
            v.retain(|s| s != "admin:webhooks");
            v
        }
        _ => healthy_app_scopes(),
    }
}

/// The granted list for known requested scopes, or the refusal. `all` yields what the app has;
/// a scope the app lacks is refused, except in `scope-dropped` where it is silently dropped.
#[allow(clippy::result_large_err)]
fn grant(scenario: Scenario, requested: &[String]) -> Result<Vec<String>, Response> {
    if requested.is_empty() {
        return Ok(Vec::new());
    }
    let app = app_scopes(scenario);
    if app.iter().any(|s| s == "all") {
        return Ok(app);
    }
    if requested.iter().any(|s| s == "all") {
        return Ok(app);
    }
    let mut granted: Vec<String> = Vec::new();
    for s in requested {
        if app.contains(s) {
            if !granted.contains(s) {
                granted.push(s.clone());
            }
        } else if scenario != Scenario::ScopeDropped {
            return Err(scope_error(
                "invalid_request",
                "This client application is not allowed to use the specified scope.",
                "ID2051",
            ));
        }
    }
    Ok(granted)
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(b64_decode(rest)?).ok()?;
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

/// A JWT-shaped id_token naming the agent (unsigned: nothing should verify it).
fn id_token(base_url: &str, expires_in: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let header = json!({"alg": "none", "typ": "JWT"});
    let claims = json!({
        "iss": format!("{base_url}/auth"),
        "sub": "12",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + expires_in,
        "id": 12,
        "name": AGENT_NAME,
        "email": AGENT_EMAIL,
    });
    format!(
        "{}.{}.",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

fn scope_error(error: &str, description: &str, id: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({
            "error": error,
            "error_description": description,
            "error_uri": format!("https://documentation.openiddict.com/errors/{id}"),
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// Resource server

const AGENT_NAME: &str = "API Sandbox";
const AGENT_EMAIL: &str = "api.sandbox@sandbox.example";

fn api(
    st: &Shared,
    scenario: Scenario,
    method: &Method,
    sub: &str,
    query: &str,
    headers: &HeaderMap,
) -> Response {
    if sub == AUTHINFO_PATH.to_ascii_lowercase() && scenario != Scenario::HtmlResourceServer {
        let auth_url = if scenario == Scenario::AuthinfoMismatch {
            "https://other.halopsa.com/auth".to_string()
        } else {
            format!("{}/auth", st.base_url)
        };
        return json_response(
            StatusCode::OK,
            &json!({"auth_url": auth_url, "tenant_id": TENANT}),
        );
    }
    if scenario == Scenario::HtmlResourceServer {
        return html(StatusCode::OK, WEB_UI_HTML);
    }
    let Some(scopes) = bearer_scopes(st, headers) else {
        return unauthorized("invalid_token");
    };
    // A token minted without scopes opens nothing, not even Agent/me.
    if scopes.is_empty() {
        return unauthorized("insufficient_scope");
    }
    if method != Method::GET {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return r;
    }
    if sub == AGENT_ME_PATH.to_ascii_lowercase() {
        return json_response(
            StatusCode::OK,
            &json!({
                "id": 12,
                "name": AGENT_NAME,
                "firstname": "API",
                "surname": "Sandbox",
                "email": AGENT_EMAIL,
                "isdisabled": scenario == Scenario::InactiveAgent,
                "is_api_only": true,
                "roles": [{"id": 7, "name": "API Sandbox Role"}],
            }),
        );
    }
    if sub == "/instanceinfo" {
        return super::instance::instance_info(scenario, &st.base_url)
            .map_or_else(forbidden, |v| json_response(StatusCode::OK, &v));
    }
    let Some(ep) = endpoint(sub) else {
        return html(StatusCode::NOT_FOUND, NOT_FOUND_HTML);
    };
    if !ep.scopes.iter().any(|s| covers(&scopes, s)) {
        return if UNAUTHORIZED_WHEN_DENIED.contains(&sub) {
            unauthorized("insufficient_scope")
        } else {
            forbidden()
        };
    }
    if scenario == Scenario::RoleDenied && ROLE_DENIED.contains(&sub) {
        return text(
            StatusCode::FORBIDDEN,
            "You do not have permission to access this area.\n",
        );
    }
    let empty = matches!(
        (scenario, sub),
        (Scenario::NoRecurringContracts, "/recurringinvoice")
            | (Scenario::NoTeams, "/team")
            | (Scenario::NoAssets, "/asset")
            | (Scenario::ClientRestricted, "/client")
    );
    let q = form_map(query.as_bytes());
    let cap = ["count", "page_size"]
        .iter()
        .filter_map(|k| q.get(*k)?.parse::<usize>().ok())
        .min()
        .unwrap_or(usize::MAX);
    let n = if empty { 0 } else { RECORDS.min(cap) };
    let records: Vec<Value> = (1..=n)
        .map(|i| json!({"id": i, "name": format!("Sandbox {} {i}", ep.noun)}))
        .collect();
    if BARE_ARRAY.contains(&sub) {
        return json_response(StatusCode::OK, &Value::Array(records));
    }
    let mut obj = serde_json::Map::new();
    obj.insert("record_count".into(), json!(n));
    obj.insert(ep.list_key.into(), Value::Array(records));
    json_response(StatusCode::OK, &Value::Object(obj))
}

struct Endpoint {
    scopes: Vec<&'static str>,
    list_key: &'static str,
    noun: &'static str,
}

fn endpoint(sub: &str) -> Option<Endpoint> {
    if sub.eq_ignore_ascii_case(RECURRING_PATH) {
        return Some(Endpoint {
            scopes: vec!["read:invoices"],
            list_key: "invoices",
            noun: "recurring invoice",
        });
    }
    // /SoftwareLicence serves two probes: either scope opens it.
    let probes: Vec<_> = PROBES
        .iter()
        .filter(|p| p.path.eq_ignore_ascii_case(sub))
        .collect();
    let first = probes.first()?;
    Some(Endpoint {
        scopes: probes.iter().map(|p| p.scope).collect(),
        list_key: first.list_key,
        noun: first.area,
    })
}

/// The scopes of a live token from this server, if the request carries one.
fn bearer_scopes(st: &Shared, headers: &HeaderMap) -> Option<Vec<String>> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let tokens = lock(&st.tokens);
    let issued = tokens.get(token.trim())?;
    (issued.expires > Instant::now()).then(|| issued.scopes.clone())
}

fn unauthorized(error: &'static str) -> Response {
    let mut r = empty(StatusCode::UNAUTHORIZED);
    let challenge = format!("Bearer error=\"{error}\"");
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

fn forbidden() -> Response {
    empty(StatusCode::FORBIDDEN)
}

// ---------------------------------------------------------------------------------------------
// Hostile bodies

static FILL: [u8; 64 * 1024] = [b'A'; 64 * 1024];

/// Rewrites a normal answer's body for the scenarios that attack the client's body handling.
async fn hostile(scenario: Scenario, resp: Response) -> Response {
    if !matches!(
        scenario,
        Scenario::BrokenJson
            | Scenario::InvalidUtf8
            | Scenario::HugeBody
            | Scenario::Drip
            | Scenario::Reset
    ) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    let json_type = HeaderValue::from_static("application/json; charset=utf-8");
    let (body, len) = match scenario {
        Scenario::BrokenJson => {
            parts.headers.insert(header::CONTENT_TYPE, json_type);
            let cut = bytes.slice(..bytes.len() / 2);
            let len = cut.len();
            (Body::from(cut), len)
        }
        Scenario::InvalidUtf8 => {
            parts.headers.insert(header::CONTENT_TYPE, json_type);
            // Inside the first string, where a lenient parser would otherwise pass it through.
            let at = bytes.iter().position(|b| *b == b'"').map_or(0, |i| i + 1);
            let mut v = bytes[..at].to_vec();
            v.extend_from_slice(b"\xff\xfe\xc3\x28");
            v.extend_from_slice(&bytes[at..]);
            let len = v.len();
            (Body::from(v), len)
        }
        Scenario::HugeBody => {
            parts.headers.insert(header::CONTENT_TYPE, json_type);
            let head = Bytes::from_static(b"{\"access_token\":\"");
            let tail = Bytes::from_static(b"\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
            let chunks = HUGE_BODY_BYTES / FILL.len();
            let len = head.len() + chunks * FILL.len() + tail.len();
            // One static buffer shared by every chunk: 20 MB on the wire, 64 KB in memory.
            let stream = futures_util::stream::iter(
                std::iter::once(head)
                    .chain(std::iter::repeat_n(Bytes::from_static(&FILL), chunks))
                    .chain(std::iter::once(tail))
                    .map(Ok::<_, Infallible>),
            );
            (Body::from_stream(stream), len)
        }
        Scenario::Drip => {
            let len = bytes.len();
            let stream = futures_util::stream::unfold(0usize, move |i| {
                let bytes = bytes.clone();
                async move {
                    if i >= bytes.len() {
                        return None;
                    }
                    tokio::time::sleep(DRIP_INTERVAL).await;
                    Some((Ok::<_, Infallible>(bytes.slice(i..i + 1)), i + 1))
                }
            });
            (Body::from_stream(stream), len)
        }
        _ => {
            // Reset: half the body, then an error, which makes hyper abort the connection
            // (HTTP/1) or the stream (h2) with Content-Length still promising the rest.
            let len = bytes.len().max(2);
            let half = bytes.slice(..bytes.len() / 2);
            // The pause lets hyper flush the headers and the first half before the error.
            let stream = futures_util::stream::unfold(Some(half), |state| async move {
                match state {
                    Some(half) => Some((Ok(half), None)),
                    None => {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        let e = io::Error::other("sandbox: connection reset mid-body");
                        Some((Err(e), None))
                    }
                }
            });
            (Body::from_stream(stream), len)
        }
    };
    if let Ok(v) = HeaderValue::from_str(&len.to_string()) {
        parts.headers.insert(header::CONTENT_LENGTH, v);
    }
    Response::from_parts(parts, body)
}

// ---------------------------------------------------------------------------------------------
// Small response helpers

fn form_map(bytes: &[u8]) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(bytes) {
        m.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    m
}

fn with_type(status: StatusCode, ctype: &'static str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    r
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    with_type(status, "application/json; charset=utf-8", v.to_string())
}

fn html(status: StatusCode, body: &'static str) -> Response {
    with_type(status, "text/html; charset=utf-8", body)
}

fn text(status: StatusCode, body: &str) -> Response {
    with_type(status, "text/plain; charset=utf-8", body.to_string())
}

fn empty(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}

fn redirect(status: StatusCode, location: &str) -> Response {
    let mut r = empty(status);
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

const WEB_UI_HTML: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>HaloPSA</title></head><body><div id=\"root\">Loading HaloPSA (halo-connect sandbox)...</div>\
<script src=\"/static/js/main.js\"></script></body></html>\n";

const LOGIN_HTML: &str = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Log in - HaloPSA</title></head><body><form method=\"post\" action=\"/auth/Account/Login\">\
<h1>Log in to HaloPSA (halo-connect sandbox)</h1><label>Username <input name=\"username\"></label>\
<label>Password <input name=\"password\" type=\"password\"></label><button>Log in</button>\
</form></body></html>\n";

const NOT_FOUND_HTML: &str = "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \
\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\
<head><title>404 - File or directory not found.</title></head><body><div id=\"header\"><h1>Server Error</h1></div>\
<div id=\"content\"><fieldset><h2>404 - File or directory not found.</h2><h3>The resource you are looking \
for might have been removed, had its name changed, or is temporarily unavailable.</h3></fieldset></div>\
</body></html>\n";

const SERVER_ERROR_HTML: &str = "<!DOCTYPE html>\n<html><head><title>Runtime Error</title></head>\
<body><h1>Server Error in '/' Application.</h1><h2><i>Runtime Error</i></h2>\
<p>An application error occurred on the server.</p></body></html>\n";

const UNAVAILABLE_HTML: &str = "<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>\
<body><h1>Service Unavailable</h1><p>HTTP Error 503. The service is unavailable.</p></body></html>\n";

const BAD_GATEWAY_HTML: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
<body><h1>502 - Web server received an invalid response while acting as a gateway or proxy server.</h1>\
</body></html>\n";

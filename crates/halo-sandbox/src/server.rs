//! The emulator's HTTP runtime: its own thread and tokio runtime, one fallback handler that routes
//! case-insensitively (Halo's paths are), the control routes under `/_sandbox/`, and the state the
//! handler shares with the `Sandbox` handle (token table, counters, scenario, guesses). What Halo
//! answers is in `auth_server`, `resource_server` and `behaviours`.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use serde_json::json;

use super::behaviours::{hostile, refuse_early};
use super::model::MetaAnswer;
use super::pages::{LOGIN_HTML, NOT_FOUND_HTML, WEB_UI_HTML};
use super::reply::{form_map, html, json_response, text};
use super::running::{ScenarioCell, Stats};
use super::scenario::{Guesses, Scenario, TokenForm};
use super::tls::{ConnCounter, HandshakeCounter};
use super::{auth_server, resource_server};
use crate::ClientSecret;

/// Requests a body may carry; a token request is a few hundred bytes.
const MAX_REQUEST_BODY: usize = 1 << 20;
const SLOW_DELAY: Duration = Duration::from_secs(2);

/// A token this server issued.
pub(crate) struct Issued {
    pub scopes: Vec<String>,
    pub expires: Instant,
    /// The Resource Server answers "Token not found" to it (`token-not-found`).
    pub lost: bool,
}

/// What a run wrote to one collection: records created or changed, and ids deleted.
#[derive(Default)]
pub(crate) struct Written {
    pub records: std::collections::BTreeMap<u64, serde_json::Value>,
    pub deleted: HashSet<u64>,
}

/// State shared by the handler and the `Sandbox` handle.
pub(crate) struct Shared {
    pub base_url: String,
    pub port: u16,
    scenario: ScenarioCell,
    latency: Duration,
    pub client_secret: ClientSecret,
    pub stats: Arc<Stats>,
    pub tokens: Mutex<HashMap<String, Issued>>,
    pub guesses: Mutex<Guesses>,
    /// Requests seen since the scenario was set (for `rate-limited`).
    pub rate_count: AtomicU64,
    /// The records written in this run (POST and DELETE on the areas integrations write), by
    /// lower-case collection path.
    pub writes: Mutex<HashMap<String, Written>>,
    /// The refresh tokens issued (`refresh-token`), for tests that look for them in outputs.
    pub refresh_tokens: Mutex<Vec<String>>,
    /// Tokens issued since the scenario was set (for `token-not-found`).
    pub issued_count: AtomicU64,
    /// Paths already called since the scenario was set (for `flaky`).
    pub flaky_seen: Mutex<HashSet<String>>,
    /// The per-run token a change of scenario or guesses must carry (`?token=`), printed by the
    /// `sandbox` command (`?key=`): another local user or a web page cannot steer the emulator.
    pub control_token: String,
}

impl Shared {
    pub fn new(
        base_url: String,
        port: u16,
        scenario: Scenario,
        latency: Duration,
        client_secret: ClientSecret,
        control_key: Option<String>,
    ) -> Self {
        Shared {
            base_url,
            port,
            scenario: ScenarioCell::new(scenario),
            latency,
            client_secret,
            stats: Arc::new(Stats::default()),
            tokens: Mutex::new(HashMap::new()),
            guesses: Mutex::new(Guesses::default()),
            rate_count: AtomicU64::new(0),
            issued_count: AtomicU64::new(0),
            refresh_tokens: Mutex::new(Vec::new()),
            writes: Mutex::new(HashMap::new()),
            flaky_seen: Mutex::new(HashSet::new()),
            control_token: control_key.unwrap_or_else(|| crate::random::random_hex(16)),
        }
    }

    pub fn scenario(&self) -> Scenario {
        self.scenario.get()
    }

    /// Switches scenario and restarts the per-scenario counters, so `rate-limited` and `flaky`
    /// behave the same after a switch as after a start.
    pub fn set_scenario(&self, s: Scenario) {
        self.rate_count.store(0, Ordering::Relaxed);
        self.issued_count.store(0, Ordering::Relaxed);
        lock(&self.flaky_seen).clear();
        self.scenario.set(s);
    }

    pub fn guesses(&self) -> Guesses {
        *lock(&self.guesses)
    }

    pub fn set_guesses(&self, g: Guesses) {
        *lock(&self.guesses) = g;
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
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
    // Only this machine's names: a page whose host name was rebound to 127.0.0.1 is refused.
    // (A CONNECT names the host it wants a tunnel to: the `proxy-auth` scenario's proxy role.)
    if parts.method != Method::CONNECT && !is_loopback_host(&parts, st.port) {
        return text(
            StatusCode::MISDIRECTED_REQUEST,
            "This sandbox answers only to 127.0.0.1, localhost or [::1].\n",
        );
    }
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
    if let Some(r) = refuse_early(&st, scenario, &path, is_token, &parts.uri, &parts.headers) {
        return r;
    }
    // What stands in front of Halo (a web server, a CDN, a filter, a proxy) answers first.
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

/// Whether the host the request names (HTTP/2's authority, or the Host header) is this machine,
/// on this sandbox's port. A request that names none (HTTP/1.0) is a local program's, not a
/// browser's, so it passes.
fn is_loopback_host(parts: &axum::http::request::Parts, port: u16) -> bool {
    let named = parts
        .uri
        .authority()
        .map(|a| a.as_str().to_string())
        .or_else(|| {
            parts
                .headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
        });
    let Some(host) = named else {
        return true;
    };
    ["127.0.0.1", "localhost", "[::1]"].iter().any(|name| {
        host.eq_ignore_ascii_case(&format!("{name}:{port}")) || host.eq_ignore_ascii_case(name)
    })
}

fn control(st: &Shared, method: &Method, path: &str, query: &str) -> Response {
    let q = form_map(query.as_bytes());
    if method == Method::POST && q.get("key") != Some(&st.control_token) {
        return text(
            StatusCode::FORBIDDEN,
            "A change to the sandbox needs the token the sandbox printed when it started (?key=).\n",
        );
    }
    match (method.as_str(), path) {
        ("POST", "/_sandbox/scenario") => {
            let name = q.get("name").cloned().unwrap_or_default();
            match name.parse::<Scenario>() {
                Ok(s) => {
                    st.set_scenario(s);
                    text(StatusCode::OK, &format!("scenario: {s}\n"))
                }
                Err(e) => text(StatusCode::BAD_REQUEST, &format!("{e}\n")),
            }
        }
        ("GET", "/_sandbox/scenario") => text(StatusCode::OK, &format!("{}\n", st.scenario())),
        ("POST", "/_sandbox/guesses") => {
            let mut g = st.guesses();
            if let Some(meta) = q.get("meta") {
                match MetaAnswer::ALL.iter().find(|a| a.as_str() == meta.as_str()) {
                    Some(a) => g.meta = *a,
                    None => {
                        return text(
                            StatusCode::BAD_REQUEST,
                            "meta: literal, expanded or refused\n",
                        )
                    }
                }
            }
            if let Some(token) = q.get("token") {
                match token.as_str() {
                    "jwt" => g.token = TokenForm::Jwt,
                    "opaque" => g.token = TokenForm::Opaque,
                    _ => return text(StatusCode::BAD_REQUEST, "token: jwt or opaque\n"),
                }
            }
            st.set_guesses(g);
            text(StatusCode::OK, &format!("{g:?}\n"))
        }
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
        "/auth/token" => auth_server::token(st, scenario, method, query, headers, body),
        p if p == "/api" || p.starts_with("/api/") => {
            resource_server::api(st, scenario, method, &p[4..], query, headers, body)
        }
        _ => html(StatusCode::NOT_FOUND, NOT_FOUND_HTML),
    }
}

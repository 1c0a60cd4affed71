//! The built-in HaloPSA API emulator: a real HTTP(S) server on 127.0.0.1 that answers like Halo's
//! Authorisation Server (`/auth/token`), discovery (`/api/authinfo`) and Resource Server (`/api/...`),
//! with named scenarios for every failure halo-connect must diagnose and TLS modes for every
//! certificate problem. It is the test suite's fake server and the newcomer's demo.
//! It owns its own thread, tokio runtime, certificates, token table and its own model of Halo
//! (`model`, from `halo_model.toml`); it must never borrow the client's understanding of Halo
//! (`domain::scope`), never listen on anything but loopback, never call out to the network, and never
//! log or print a client secret or an access token.

mod auth_server;
mod behaviours;
mod fronts;
pub mod model;
mod pages;
mod random;
mod reply;
mod resource_server;
mod scenario;
mod secret;
mod server;
mod tls;

#[cfg(test)]
mod tests;

use std::io;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub use scenario::{Guesses, MetaAnswer, Scenario, TlsMode, TokenForm};

pub use secret::ClientSecret;

/// The tenant name the sandbox answers to, and the one its authinfo names.
pub const TENANT: &str = "sandbox";
/// What API Details shows as the Tenant of a self-hosted Halo (`on-premise`).
pub const NOT_SET: &str = "Not set";
/// The Tenant a user mistyped, given to type in the `wrong-tenant` scenario.
pub const MISTYPED_TENANT: &str = "sandbx";
/// The sandbox application's Client ID (a GUID, as Halo's are).
pub const CLIENT_ID: &str = "5b1f0c2e-9a3d-4c7e-8f21-6d4b0a9e3c58";
/// The demo Client Secret: two GUIDs joined by '-', as Halo's are. Public by design.
pub const DEMO_CLIENT_SECRET: &str =
    "3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37-8e2b6d40-51fa-4c93-b7e8-0a9d3c6f2e15";

/// How to start the emulator.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    pub scenario: Scenario,
    pub tls: TlsMode,
    /// 0 = any free port.
    pub port: u16,
    /// Added before every response (control routes under `/_sandbox/` excepted).
    pub latency: Duration,
    /// None = the demo secret.
    pub client_secret: Option<ClientSecret>,
    /// The key `POST /_sandbox/...` changes must carry; a random one when not given.
    pub control_key: Option<String>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            scenario: Scenario::Healthy,
            tls: TlsMode::Off,
            port: 0,
            latency: Duration::ZERO,
            client_secret: None,
            control_key: None,
        }
    }
}

/// The tokens the sandboxes of this process issued, most recent last (the last 2,000): a test
/// harness checks that no output, file or bundle holds one.
static ISSUED: Mutex<std::collections::VecDeque<String>> =
    Mutex::new(std::collections::VecDeque::new());

/// Notes a token a sandbox of this process issued.
pub(crate) fn remember_issued(token: &str) {
    let mut issued = ISSUED.lock().unwrap_or_else(|e| e.into_inner());
    if issued.len() >= 2_000 {
        issued.pop_front();
    }
    issued.push_back(token.to_string());
}

/// Every token (access and id tokens) the sandboxes of this process issued lately.
pub fn issued_tokens() -> Vec<String> {
    ISSUED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .cloned()
        .collect()
}

/// Counters since start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SandboxStats {
    /// HTTP requests received (every path).
    pub requests: u64,
    /// Requests to the token endpoint (any method).
    pub token_requests: u64,
    /// TCP connections accepted.
    pub connections: u64,
    /// TLS handshakes completed.
    pub tls_handshakes: u64,
    /// Most TCP connections open at the same time.
    pub max_concurrent_connections: u64,
    /// TCP connections open now.
    pub open_connections: u64,
}

#[derive(Default)]
pub(crate) struct Stats {
    requests: AtomicU64,
    token_requests: AtomicU64,
    connections: AtomicU64,
    tls_handshakes: AtomicU64,
    max_concurrent: AtomicU64,
    open_connections: AtomicU64,
}

impl Stats {
    fn snapshot(&self) -> SandboxStats {
        SandboxStats {
            requests: self.requests.load(Ordering::Relaxed),
            token_requests: self.token_requests.load(Ordering::Relaxed),
            connections: self.connections.load(Ordering::Relaxed),
            tls_handshakes: self.tls_handshakes.load(Ordering::Relaxed),
            max_concurrent_connections: self.max_concurrent.load(Ordering::Relaxed),
            open_connections: self.open_connections.load(Ordering::Relaxed),
        }
    }
}

/// A running emulator. Stops on `shutdown()` or drop.
pub struct Sandbox {
    shared: Arc<server::Shared>,
    port: u16,
    ca_pem: Option<String>,
    stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url())
            .field("scenario", &self.scenario())
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts the emulator on its own thread and tokio runtime (so sync callers and callers inside
    /// another runtime both work) and returns once it listens on 127.0.0.1.
    pub fn start(opts: SandboxOptions) -> io::Result<Sandbox> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", opts.port))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();

        let (base_url, tls) = match opts.tls {
            TlsMode::Off => (format!("http://127.0.0.1:{port}"), None),
            mode => {
                let certs = tls::generate(mode)?;
                let root = certs.root_pem.clone();
                (
                    format!("https://localhost:{port}"),
                    Some((tls::server_config(certs)?, root)),
                )
            }
        };
        let ca_pem = tls.as_ref().map(|(_, root)| root.clone());
        let secret = opts
            .client_secret
            .unwrap_or_else(|| ClientSecret::new(DEMO_CLIENT_SECRET));
        let shared = Arc::new(server::Shared::new(
            base_url,
            port,
            opts.scenario,
            opts.latency,
            secret,
            opts.control_key,
        ));

        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("halo-sandbox-{port}"))
            .spawn(move || {
                server::run(
                    listener,
                    tls.map(|(cfg, _)| cfg),
                    thread_shared,
                    stop_rx,
                    ready_tx,
                )
            })?;

        let ready = ready_rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| Err(io::Error::other("sandbox server did not start")));
        let sandbox = Sandbox {
            shared,
            port,
            ca_pem,
            stop: Mutex::new(Some(stop_tx)),
            thread: Mutex::new(Some(thread)),
        };
        ready.map(|()| sandbox)
    }

    /// `http://127.0.0.1:PORT`, or `https://localhost:PORT` with TLS.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The Resource Server value to enter: base + `/api`.
    pub fn resource_server(&self) -> String {
        format!("{}/api", self.shared.base_url)
    }

    /// The Authorisation Server value to enter: base + `/auth/`.
    pub fn auth_server(&self) -> String {
        format!("{}/auth/", self.shared.base_url)
    }

    /// The Tenant value to enter: the instance's own, except in `wrong-tenant`, where it is the
    /// mistyped one a user would enter, and in `tenant-required`, where the user left it "Not set"
    /// (the instance still answers to, and advertises, its own).
    pub fn tenant(&self) -> &str {
        match self.scenario() {
            Scenario::WrongTenant => MISTYPED_TENANT,
            Scenario::TenantRequired => NOT_SET,
            Scenario::OnPremise => NOT_SET,
            _ => TENANT,
        }
    }

    pub fn client_id(&self) -> &str {
        CLIENT_ID
    }

    pub fn client_secret(&self) -> &ClientSecret {
        &self.shared.client_secret
    }

    /// The root CA PEM to trust in TLS modes (for IncompleteChain too: the chain really is
    /// incomplete). None without TLS.
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The key a `POST /_sandbox/...` change must carry (`?key=`).
    pub fn control_token(&self) -> &str {
        &self.shared.control_token
    }

    /// The refresh tokens the token endpoint has issued (`refresh-token`), so that a test can
    /// look for them where they must never be.
    pub fn refresh_tokens_issued(&self) -> Vec<String> {
        server::lock(&self.shared.refresh_tokens).clone()
    }

    pub fn stats(&self) -> SandboxStats {
        self.shared.stats.snapshot()
    }

    pub fn scenario(&self) -> Scenario {
        self.shared.scenario()
    }

    /// Switches behaviour at once (also `POST /_sandbox/scenario?name=NAME`).
    pub fn set_scenario(&self, s: Scenario) {
        self.shared.set_scenario(s);
    }

    pub fn guesses(&self) -> Guesses {
        self.shared.guesses()
    }

    /// Switches how Halo's unknown behaviours are answered (also
    /// `POST /_sandbox/guesses?meta=literal|expanded|refused&token=jwt|opaque`).
    pub fn set_guesses(&self, g: Guesses) {
        self.shared.set_guesses(g);
    }

    /// Stops the server, closes every connection and joins its thread.
    pub fn shutdown(self) {
        drop(self);
    }

    fn stop(&self) {
        if let Some(tx) = self.stop.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

fn scenario_index(s: Scenario) -> u8 {
    Scenario::ALL.iter().position(|x| *x == s).unwrap_or(0) as u8
}

fn scenario_from_index(i: u8) -> Scenario {
    Scenario::ALL
        .get(i as usize)
        .copied()
        .unwrap_or(Scenario::Healthy)
}

/// The current scenario, switchable from any thread.
pub(crate) struct ScenarioCell(AtomicU8);

impl ScenarioCell {
    fn new(s: Scenario) -> Self {
        ScenarioCell(AtomicU8::new(scenario_index(s)))
    }
    fn get(&self) -> Scenario {
        scenario_from_index(self.0.load(Ordering::Relaxed))
    }
    fn set(&self, s: Scenario) {
        self.0.store(scenario_index(s), Ordering::Relaxed)
    }
}

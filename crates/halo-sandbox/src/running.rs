//! A running emulator: its thread, runtime and shared state, started by `Sandbox::start` and
//! stopped on drop. It owns the process side of the server; what the server answers lives in
//! `server` and the modules it routes to.

use std::io;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::{
    server, tls, ClientSecret, Guesses, SandboxOptions, SandboxStats, Scenario, TlsMode, CLIENT_ID,
    DEMO_CLIENT_SECRET, MISTYPED_TENANT, NOT_SET, TENANT,
};

#[derive(Default)]
pub(crate) struct Stats {
    pub(crate) requests: AtomicU64,
    pub(crate) token_requests: AtomicU64,
    pub(crate) connections: AtomicU64,
    pub(crate) tls_handshakes: AtomicU64,
    pub(crate) max_concurrent: AtomicU64,
    pub(crate) open_connections: AtomicU64,
}

impl Stats {
    pub(crate) fn snapshot(&self) -> SandboxStats {
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
        // rustls is built with ring and no default provider: a process that starts a sandbox and
        // then builds an HTTPS client (the tests, a tool's own test suite) gets ring's, as
        // halo-connect's client does; an earlier choice stands.
        let _ = rustls::crypto::ring::default_provider().install_default();
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
    pub(crate) fn new(s: Scenario) -> Self {
        ScenarioCell(AtomicU8::new(scenario_index(s)))
    }
    pub(crate) fn get(&self) -> Scenario {
        scenario_from_index(self.0.load(Ordering::Relaxed))
    }
    pub(crate) fn set(&self, s: Scenario) {
        self.0.store(scenario_index(s), Ordering::Relaxed)
    }
}

//! The built-in HaloPSA API emulator: a real HTTP(S) server on 127.0.0.1 that answers like Halo's
//! Authorisation Server (`/auth/token`), discovery (`/api/authinfo`) and Resource Server (`/api/...`),
//! with named scenarios for every failure halo-connect must diagnose and TLS modes for every
//! certificate problem. It is the test suite's fake server and the newcomer's demo.
//! It owns its own thread, tokio runtime, certificates, token table and its own model of Halo
//! (`model`, from `halo_model.toml`); it must never borrow the client's understanding of Halo
//! (`domain::scope`), never listen on anything but loopback, never call out to the network, and never
//! log or print a client secret or an access token.

// The server (axum, TLS, certificates) is the `server` feature, on by default. Without it the crate
// keeps its scenarios, model and constants, and `Sandbox` is a type no one can start (`absent.rs`).
#[cfg(feature = "server")]
mod auth_server;
#[cfg(feature = "server")]
mod behaviours;
#[cfg(feature = "server")]
mod fronts;
pub mod model;
#[cfg(feature = "server")]
mod pages;
#[cfg(feature = "server")]
mod random;
#[cfg(feature = "server")]
mod reply;
#[cfg(feature = "server")]
mod resource_server;
#[cfg(feature = "server")]
mod running;
mod scenario;
mod secret;
#[cfg(feature = "server")]
mod server;
#[cfg(feature = "server")]
mod tls;

#[cfg(not(feature = "server"))]
mod absent;

#[cfg(all(test, feature = "server"))]
mod tests;

use std::sync::Mutex;
use std::time::Duration;

#[cfg(not(feature = "server"))]
pub use absent::Sandbox;
#[cfg(feature = "server")]
pub use running::Sandbox;

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
#[cfg(feature = "server")]
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

//! The HaloPSA side: the HTTP client, discovery, the token exchange, the probes, and turning every
//! outcome into a named `Diagnosis`. Depends on the domain only; never on `store`, `wizard` or `ui`.

pub mod answerer;
pub mod check;
pub mod client;
pub mod diagnose;
pub mod record;
pub mod replay;
mod sockets;
pub mod tls_inspect;
pub mod transport;
mod verdict;
mod wire;

pub use client::{ClientOptions, HaloClient, Proxies};
pub use transport::{TlsProblem, Transport};

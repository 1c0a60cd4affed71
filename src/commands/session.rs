//! `Session`: the one async runtime and the HTTP clients of a process. A client is made once per
//! trust set (the system roots plus one profile's or the sandbox's CA), so discovery and Save and
//! Test share a connection (one TLS handshake), and a CA trusted for one profile is never trusted
//! for another's host. It reads CA files; it knows nothing of profiles or Halo's protocol.

use std::cell::RefCell;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::error::AppError;
use crate::halo::record::Recorder;
use crate::halo::{ClientOptions, HaloClient, Proxies};

/// What a client trusts beyond the system roots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Trust {
    /// A CA file (`--ca-cert`, or a profile's stored `ca_cert`).
    pub ca_file: Option<PathBuf>,
    /// A CA handed over in memory (the sandbox's own).
    pub ca_pem: Option<String>,
}

impl Trust {
    pub fn file(path: Option<&Path>) -> Trust {
        Trust {
            ca_file: path.map(Path::to_path_buf),
            ca_pem: None,
        }
    }
}

pub struct Session {
    rt: tokio::runtime::Runtime,
    timeout: Duration,
    concurrency: usize,
    recorder: Option<Arc<Recorder>>,
    proxies: Proxies,
    clients: RefCell<Vec<(Trust, HaloClient)>>,
}

impl Session {
    /// A current-thread runtime: the client's work is I/O bound and one thread starts fastest.
    pub fn new(
        timeout_secs: u64,
        concurrency: usize,
        recorder: Option<Arc<Recorder>>,
        proxies: Proxies,
    ) -> Result<Session, AppError> {
        if timeout_secs == 0 {
            return Err(AppError::usage("--timeout must be at least 1 second"));
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AppError::internal(format!("cannot start the async runtime: {e}")))?;
        Ok(Session {
            rt,
            timeout: Duration::from_secs(timeout_secs),
            concurrency,
            recorder,
            proxies,
            clients: RefCell::new(Vec::new()),
        })
    }

    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The client for a trust set, made on first use and shared after.
    pub fn client(&self, trust: &Trust) -> Result<HaloClient, AppError> {
        if let Some((_, c)) = self.clients.borrow().iter().find(|(t, _)| t == trust) {
            return Ok(c.clone());
        }
        let mut pem: Vec<u8> = Vec::new();
        if let Some(path) = &trust.ca_file {
            pem = crate::store::read_ca_file(path).map_err(|e| {
                AppError::from(e)
                    .with_hint("give a PEM file of the CA's root certificate with --ca-cert PATH")
            })?;
        }
        if let Some(extra) = &trust.ca_pem {
            pem.extend_from_slice(extra.as_bytes());
        }
        let opts = ClientOptions {
            timeout: self.timeout,
            ca_cert_pem: (!pem.is_empty()).then_some(pem),
            max_connections: self.concurrency,
            proxies: self.proxies.clone(),
            ..ClientOptions::default()
        };
        let client = HaloClient::new(opts)
            .map_err(|e| {
                let place = trust
                    .ca_file
                    .as_ref()
                    .map(|p| format!(" ({})", p.display()))
                    .unwrap_or_default();
                AppError::config(format!("{e}{place}"))
                    .with_hint("give a PEM file of the CA's root certificate with --ca-cert PATH")
            })?
            .with_recorder(self.recorder.clone());
        self.clients
            .borrow_mut()
            .push((trust.clone(), client.clone()));
        Ok(client)
    }
}

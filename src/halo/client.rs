//! `HaloClient`: the HTTP side of HaloPSA's protocol. It builds one pooled reqwest client (rustls,
//! HTTP/2 where offered), and owns timeouts, bounded retries for 429 and 5xx, the response-size cap,
//! the redirect rule that keeps the secret on its host, and the connection budget (`Sockets`): at
//! most N sockets at once, one connection and one TLS handshake per HTTP/2 host. It returns raw
//! `Answer`s or a `Transport` failure; naming causes is `diagnose`'s job. It never prints and never
//! logs secrets.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use url::Url;

use crate::domain::secret::Secret;

/// How the client behaves; built from `--timeout` and `--ca-cert`.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Per-request timeout, covering a slowly dripped body too.
    pub timeout: Duration,
    /// Extra trusted roots (PEM), from `--ca-cert`.
    pub ca_cert_pem: Option<Vec<u8>>,
    /// Largest body read before giving up.
    pub max_body: usize,
    /// Attempts per request for 429 and 5xx answers.
    pub attempts: u32,
    /// Longest Retry-After honoured before giving up on a 429.
    pub max_retry_after: Duration,
    /// Most sockets open for requests at once (`--concurrency`).
    pub max_connections: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(30),
            ca_cert_pem: None,
            max_body: 4 * 1024 * 1024,
            attempts: 3,
            max_retry_after: Duration::from_secs(10),
            max_connections: 16,
        }
    }
}

/// An HTTP answer, body capped and read whole.
#[derive(Debug, Clone)]
pub struct Answer {
    pub url: String,
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub location: Option<String>,
    /// How many attempts it took (retries for 429/5xx).
    pub attempts: u32,
}

impl Answer {
    pub fn is_json(&self) -> bool {
        self.content_type.contains("json") || {
            let t = self.body.iter().find(|b| !b.is_ascii_whitespace());
            matches!(t, Some(b'{') | Some(b'['))
        }
    }

    pub fn looks_html(&self) -> bool {
        self.content_type.contains("html") || {
            let head: String = String::from_utf8_lossy(&self.body[..self.body.len().min(512)])
                .to_ascii_lowercase();
            head.contains("<html") || head.contains("<!doctype")
        }
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The first line of the body, for messages (bodies never hold the secret we sent).
    pub fn snippet(&self) -> String {
        let text = String::from_utf8_lossy(&self.body[..self.body.len().min(300)]).to_string();
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(160)
            .collect()
    }
}

/// A request that got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    Timeout {
        url: String,
        secs: u64,
    },
    Dns {
        host: String,
    },
    Refused {
        host: String,
    },
    Tls {
        host: String,
        problem: TlsProblem,
        detail: String,
    },
    RedirectLoop {
        url: String,
    },
    RedirectElsewhere {
        from: String,
        to: String,
    },
    TooLarge {
        url: String,
        limit: usize,
    },
    Reset {
        url: String,
        detail: String,
    },
    Other {
        url: String,
        detail: String,
    },
}

/// What was wrong with a server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsProblem {
    /// Not signed by a trusted root: a missing intermediate, or a private CA.
    UnknownIssuer,
    Expired,
    NotYetValid,
    /// The port answered the handshake with something that is not TLS.
    NotTls,
    WrongHost,
    Other,
}

/// The HTTP client, shared by every request of a run so connections are reused.
#[derive(Debug, Clone)]
pub struct HaloClient {
    http: reqwest::Client,
    opts: ClientOptions,
    sockets: Arc<Sockets>,
}

impl HaloClient {
    /// Builds the client. Fails only on an unreadable `--ca-cert` bundle.
    pub fn new(opts: ClientOptions) -> Result<HaloClient, String> {
        install_crypto_provider();
        // Follow a redirect only within the same origin (scheme, host and port): the token
        // request carries the secret, and https -> http on the same host would expose it.
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            let first = attempt.previous().first().map(Url::origin);
            if attempt.previous().len() >= 5 {
                attempt.error("too many redirects")
            } else if Some(attempt.url().origin()) != first {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout.min(Duration::from_secs(10)))
            .redirect(policy)
            .user_agent(concat!("halo-connect/", env!("CARGO_PKG_VERSION")))
            .pool_idle_timeout(Duration::from_secs(30));
        if let Some(pem) = &opts.ca_cert_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                format!("the CA certificate given with --ca-cert is not valid PEM: {e}")
            })?;
            if certs.is_empty() {
                return Err("the CA certificate file given with --ca-cert holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into());
            }
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| format!("could not set up HTTPS: {}", chain(&e)))?;
        let sockets = Arc::new(Sockets::new(opts.max_connections));
        Ok(HaloClient {
            http,
            opts,
            sockets,
        })
    }

    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    /// The same client with another socket budget; call it before the first request.
    pub fn with_max_connections(mut self, n: usize) -> HaloClient {
        self.opts.max_connections = n.max(1);
        self.sockets = Arc::new(Sockets::new(self.opts.max_connections));
        self
    }

    /// GETs a URL, with an optional bearer token.
    pub async fn get(&self, url: &str, token: Option<&Secret>) -> Result<Answer, Transport> {
        self.send(url, |c| {
            let mut r = c.get(url).header(ACCEPT, "application/json");
            if let Some(t) = token {
                r = r.bearer_auth(t.expose());
            }
            r
        })
        .await
    }

    /// POSTs Halo's client-credentials form to the token URL.
    pub async fn post_token(
        &self,
        token_url: &Url,
        client_id: &str,
        secret: &Secret,
        scopes: &[String],
    ) -> Result<Answer, Transport> {
        let scope = scopes.join(" ");
        let url = token_url.as_str();
        self.send(url, |c| {
            c.post(url).header(ACCEPT, "application/json").form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", secret.expose()),
                ("scope", scope.as_str()),
            ])
        })
        .await
    }

    async fn send(
        &self,
        url: &str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Answer, Transport> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let raw = self.send_once(url, build(&self.http)).await?;
            let retryable = raw.status == 429 || matches!(raw.status, 500 | 502 | 503 | 504);
            if !retryable || attempt >= self.opts.attempts {
                return Ok(Answer {
                    attempts: attempt,
                    ..raw.into_answer()
                });
            }
            let wait = if raw.status == 429 {
                let asked = raw.retry_after.unwrap_or(Duration::from_secs(1));
                if asked > self.opts.max_retry_after {
                    return Ok(Answer {
                        attempts: attempt,
                        ..raw.into_answer()
                    });
                }
                asked
            } else {
                Duration::from_millis(200 * 2u64.pow(attempt - 1))
            };
            tracing::info!(status = raw.status, ?wait, "retrying {url}");
            tokio::time::sleep(wait).await;
        }
    }

    async fn send_once(
        &self,
        url: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<RawAnswer, Transport> {
        tracing::info!("request {url}");
        // Held until the body is read: an HTTP/1.1 socket is busy until then.
        let mut slot = self.sockets.enter(url).await;
        let sent = req.send().await;
        slot.learned(sent.as_ref().ok().map(|r| r.version()));
        let mut resp = sent.map_err(|e| classify(url, &e, self.opts.timeout))?;
        let status = resp.status().as_u16();
        let final_url = resp.url().to_string();
        let headers: HeaderMap = resp.headers().clone();
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if (300..400).contains(&status) {
            if let Some(to) = &location {
                let target = Url::parse(&final_url)
                    .and_then(|b| b.join(to))
                    .map(|u| u.to_string())
                    .unwrap_or(to.clone());
                let same_host = Url::parse(&target).ok().map(|u| u.origin())
                    == Url::parse(url).ok().map(|u| u.origin());
                if !same_host {
                    return Err(Transport::RedirectElsewhere {
                        from: url.to_string(),
                        to: target,
                    });
                }
            }
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > self.opts.max_body {
                        return Err(Transport::TooLarge {
                            url: url.to_string(),
                            limit: self.opts.max_body,
                        });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(classify(url, &e, self.opts.timeout)),
            }
        }
        tracing::info!(status, bytes = body.len(), "answer from {url}");
        Ok(RawAnswer {
            answer: Answer {
                url: final_url,
                status,
                content_type: headers
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
                body,
                location,
                attempts: 1,
            },
            retry_after: headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
        })
    }
}

/// The socket budget. reqwest cannot report when it opens or closes a socket, so the budget is kept
/// per request: a request to an HTTP/1.1 host takes one permit (it needs a socket of its own), and an
/// HTTP/2 host takes one permit while any request to it is in flight (they share one connection).
/// The first request to a host goes alone, so it is the only one to connect and shake hands; the
/// rest learn from its answer whether they can share its HTTP/2 connection. Idle pooled sockets are
/// not counted: with one host they are the ones the next request reuses.
#[derive(Debug)]
struct Sockets {
    permits: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

#[derive(Debug, Default)]
struct Host {
    /// Set once the first request to the host came back, with or without an answer.
    known: AtomicBool,
    h2: AtomicBool,
    /// Held by the first request, so its connection is the only one opened.
    first: Arc<tokio::sync::Mutex<()>>,
    /// Serialises taking the shared HTTP/2 permit.
    share: tokio::sync::Mutex<()>,
    lease: Mutex<Lease>,
}

#[derive(Debug, Default)]
struct Lease {
    in_flight: usize,
    permit: Option<OwnedSemaphorePermit>,
}

/// One request's hold on the budget, released on drop.
struct Slot {
    host: Arc<Host>,
    kind: SlotKind,
}

enum SlotKind {
    First {
        _alone: OwnedMutexGuard<()>,
        _permit: Option<OwnedSemaphorePermit>,
    },
    Own {
        _permit: Option<OwnedSemaphorePermit>,
    },
    Shared,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sockets {
    fn new(n: usize) -> Sockets {
        Sockets {
            permits: Arc::new(Semaphore::new(n.max(1))),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    async fn permit(&self) -> Option<OwnedSemaphorePermit> {
        // The semaphore is never closed; None would only mean "unbounded", never a hang.
        self.permits.clone().acquire_owned().await.ok()
    }

    async fn enter(&self, url: &str) -> Slot {
        let key = Url::parse(url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let host = lock(&self.hosts).entry(key).or_default().clone();
        if !host.known.load(Ordering::Acquire) {
            let guard = host.first.clone().lock_owned().await;
            if !host.known.load(Ordering::Acquire) {
                let permit = self.permit().await;
                return Slot {
                    host,
                    kind: SlotKind::First {
                        _alone: guard,
                        _permit: permit,
                    },
                };
            }
        }
        if !host.h2.load(Ordering::Acquire) {
            let permit = self.permit().await;
            return Slot {
                host,
                kind: SlotKind::Own { _permit: permit },
            };
        }
        let _one = host.share.lock().await;
        {
            let mut lease = lock(&host.lease);
            if lease.permit.is_some() {
                lease.in_flight += 1;
                return Slot {
                    host: host.clone(),
                    kind: SlotKind::Shared,
                };
            }
        }
        // Only a holder of `share` sets the permit, so none appears while this one waits.
        let permit = self.permit().await;
        {
            let mut lease = lock(&host.lease);
            lease.permit = permit;
            lease.in_flight += 1;
        }
        Slot {
            host: host.clone(),
            kind: SlotKind::Shared,
        }
    }
}

impl Slot {
    /// Records what the first request to a host learned: HTTP/2 or not (no answer counts as not).
    fn learned(&mut self, version: Option<reqwest::Version>) {
        if let SlotKind::First { .. } = self.kind {
            self.host
                .h2
                .store(version == Some(reqwest::Version::HTTP_2), Ordering::Release);
            self.host.known.store(true, Ordering::Release);
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        match self.kind {
            SlotKind::First { .. } => {
                // Even a first request that was dropped half-way lets the others go.
                self.host.known.store(true, Ordering::Release);
            }
            SlotKind::Own { .. } => {}
            SlotKind::Shared => {
                let mut lease = lock(&self.host.lease);
                lease.in_flight -= 1;
                if lease.in_flight == 0 {
                    lease.permit = None;
                }
            }
        }
    }
}

struct RawAnswer {
    answer: Answer,
    retry_after: Option<Duration>,
}

impl std::ops::Deref for RawAnswer {
    type Target = Answer;
    fn deref(&self) -> &Answer {
        &self.answer
    }
}

impl RawAnswer {
    fn into_answer(self) -> Answer {
        self.answer
    }
}

/// Installs the process-wide rustls crypto provider once (reqwest and the sandbox share it).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// Joins an error and its sources into one line.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

fn host_of(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default()
}

/// Finds a rustls error inside reqwest's error chain; `io::Error::source` skips its payload, so
/// each io::Error is opened by hand (crates.md §5).
fn find_rustls(e: &(dyn std::error::Error + 'static)) -> Option<rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r.clone());
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(found) = find_rustls(inner) {
                    return Some(found);
                }
            }
        }
        cur = err.source();
    }
    None
}

fn find_io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(k) = find_io_kind(inner) {
                    return Some(k);
                }
            }
            return Some(io.kind());
        }
        cur = err.source();
    }
    None
}

fn classify(url: &str, e: &reqwest::Error, timeout: Duration) -> Transport {
    let host = host_of(url);
    let detail = chain(e);
    if let Some(r) = find_rustls(e) {
        use rustls::CertificateError as C;
        let problem = match &r {
            rustls::Error::InvalidCertificate(c) => match c {
                C::UnknownIssuer => TlsProblem::UnknownIssuer,
                C::Expired | C::ExpiredContext { .. } => TlsProblem::Expired,
                C::NotValidYet | C::NotValidYetContext { .. } => TlsProblem::NotYetValid,
                C::NotValidForName | C::NotValidForNameContext { .. } => TlsProblem::WrongHost,
                _ => TlsProblem::Other,
            },
            rustls::Error::InvalidMessage(_) => TlsProblem::NotTls,
            _ => TlsProblem::Other,
        };
        return Transport::Tls {
            host,
            problem,
            detail: r.to_string(),
        };
    }
    if e.is_timeout() {
        // A connect timeout is the shorter one set in HaloClient::new.
        let secs = if e.is_connect() {
            timeout.min(Duration::from_secs(10))
        } else {
            timeout
        };
        return Transport::Timeout {
            url: url.to_string(),
            secs: secs.as_secs(),
        };
    }
    if e.is_redirect() {
        return Transport::RedirectLoop {
            url: url.to_string(),
        };
    }
    let lower = detail.to_ascii_lowercase();
    if lower.contains("dns error")
        || lower.contains("failed to lookup")
        || lower.contains("name or service not known")
    {
        return Transport::Dns { host };
    }
    match find_io_kind(e) {
        Some(std::io::ErrorKind::ConnectionRefused) => return Transport::Refused { host },
        Some(std::io::ErrorKind::TimedOut) => {
            return Transport::Timeout {
                url: url.to_string(),
                secs: timeout.as_secs(),
            }
        }
        Some(std::io::ErrorKind::ConnectionReset)
        | Some(std::io::ErrorKind::UnexpectedEof)
        | Some(std::io::ErrorKind::BrokenPipe) => {
            return Transport::Reset {
                url: url.to_string(),
                detail,
            }
        }
        _ => {}
    }
    if lower.contains("connection refused") {
        return Transport::Refused { host };
    }
    if e.is_body()
        || e.is_decode()
        || lower.contains("connection closed")
        || lower.contains("reset")
    {
        return Transport::Reset {
            url: url.to_string(),
            detail,
        };
    }
    Transport::Other {
        url: url.to_string(),
        detail,
    }
}

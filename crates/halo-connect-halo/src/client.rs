//! `HaloClient`: the HTTP side of HaloPSA's protocol. It builds one pooled reqwest client (rustls,
//! HTTP/2 where offered), and owns timeouts, bounded retries for 429 and 5xx, the response-size cap,
//! the redirect rule that keeps the secret on its host, and the request loop that keeps to the
//! socket budget (`sockets.rs`). It returns raw `Answer`s or a `Transport` failure (`transport.rs`);
//! naming causes is `diagnose`'s job. It never prints and never
//! logs secrets.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use url::Url;

use halo_connect_core::printable::{printable, printable_bytes};
use halo_connect_core::secret::Secret;

use super::answerer::KEPT_HEADERS;
use super::record::Recorder;
use super::sockets::Sockets;
use super::transport::{chain, classify, Transport};

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
    /// The proxies of the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`), read
    /// by the caller; loopback never goes through them.
    pub proxies: Proxies,
    /// Most sockets open to one host at once (`--concurrency`).
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
            proxies: Proxies::default(),
            max_connections: 16,
        }
    }
}

/// The proxy settings of the environment, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    pub https: Option<String>,
    pub http: Option<String>,
    pub all: Option<String>,
    pub no_proxy: Option<String>,
}

impl Proxies {
    /// reqwest's proxies for these settings. Every address plain http is allowed to
    /// (`domain::url::is_loopback`) is excluded: a plain-http form with the Client Secret to this
    /// machine must never cross to a proxy in cleartext.
    fn build(&self) -> Result<Vec<reqwest::Proxy>, String> {
        let exempt = format!(
            "{}{}",
            halo_connect_core::url::LOOPBACK_NO_PROXY,
            self.no_proxy
                .as_deref()
                .map(|n| format!(",{n}"))
                .unwrap_or_default()
        );
        let mut out = Vec::new();
        for (url, which) in [
            (&self.https, "https"),
            (&self.http, "http"),
            (&self.all, "all"),
        ] {
            let Some(url) = url else { continue };
            let made = match which {
                "https" => reqwest::Proxy::https(url.as_str()),
                "http" => reqwest::Proxy::http(url.as_str()),
                _ => reqwest::Proxy::all(url.as_str()),
            };
            let proxy =
                made.map_err(|e| format!("the proxy {url:?} is not a valid address: {e}"))?;
            out.push(proxy.no_proxy(reqwest::NoProxy::from_string(&exempt)));
        }
        Ok(out)
    }
}

/// Halo's client-credentials form, URL-encoded into one buffer sized up front (so no partial
/// copy is left behind by a reallocation) that is zeroed when the last request holding it is
/// dropped: the Client Secret is in no other heap copy of ours after the exchange.
pub fn token_form(client_id: &str, secret: &Secret, scope: &str) -> bytes::Bytes {
    let pairs = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret.expose()),
        ("scope", scope),
    ];
    // Each byte of a value takes at most 3 (`%XX`); names, `=` and `&` are ASCII.
    let size: usize = pairs.iter().map(|(k, v)| k.len() + 2 + 3 * v.len()).sum();
    let mut body = url::form_urlencoded::Serializer::new(String::with_capacity(size));
    body.extend_pairs(pairs);
    let text = body.finish();
    bytes::Bytes::from_owner(zeroize::Zeroizing::new(text.into_bytes()))
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
    /// The headers that tell who answered (`answerer::KEPT_HEADERS`), names in lower case.
    pub headers: Vec<(String, String)>,
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

    /// The first words of the body, printable, for messages (bodies never hold the secret we sent).
    pub fn snippet(&self) -> String {
        printable_bytes(&self.body, 300, 160)
    }

    /// A kept header's value (`name` in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The headers of `KEPT_HEADERS`, each value printable and bounded (a hostile server's header is
/// data, never a terminal sequence).
fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let v = headers.get(*name)?;
            Some((
                name.to_string(),
                printable(&String::from_utf8_lossy(v.as_bytes()), 200),
            ))
        })
        .collect()
}

/// The HTTP client, shared by every request of a run so connections are reused.
#[derive(Debug, Clone)]
pub struct HaloClient {
    http: reqwest::Client,
    opts: ClientOptions,
    sockets: Arc<Sockets>,
    /// Where each exchange is recorded for `--report`, when asked for.
    recorder: Option<Arc<Recorder>>,
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
        // The environment's proxies are given explicitly (the caller read them), never reqwest's
        // own reading of the environment, so loopback can be kept off every proxy.
        builder = builder.no_proxy();
        for proxy in opts.proxies.build()? {
            builder = builder.proxy(proxy);
        }
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
            recorder: None,
        })
    }

    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    /// The same client recording every exchange in `recorder` (the support bundle).
    pub fn with_recorder(mut self, recorder: Option<Arc<Recorder>>) -> HaloClient {
        self.recorder = recorder;
        self
    }

    /// The recorder attached, if any.
    pub fn recorder(&self) -> Option<&Recorder> {
        self.recorder.as_deref()
    }

    /// GETs a URL, with an optional bearer token.
    pub async fn get(&self, url: &str, token: Option<&Secret>) -> Result<Answer, Transport> {
        if let (Some(rec), Some(t)) = (&self.recorder, token) {
            rec.scrub(t);
        }
        self.send("GET", url, |c| {
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
        if let Some(rec) = &self.recorder {
            rec.scrub(secret);
        }
        // Retries send the same bytes; they are wiped when the last request holding them ends.
        let form = token_form(client_id, secret, &scope);
        self.send("POST", url, |c| {
            c.post(url)
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.clone())
        })
        .await
    }

    /// POSTs the client-credentials form to a token URL exactly as an integration builds it (a
    /// doubled "/" or `tenant=undefined` kept), with its scope string as it sends it.
    pub async fn post_token_as(
        &self,
        url: &str,
        client_id: &str,
        secret: &Secret,
        scope: &str,
    ) -> Result<Answer, Transport> {
        if let Some(rec) = &self.recorder {
            rec.scrub(secret);
        }
        // The same bytes reqwest's `.form()` would send, in the buffer that is wiped after use.
        let form = token_form(client_id, secret, scope);
        self.send("POST", url, |c| {
            c.post(url)
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.clone())
        })
        .await
    }

    /// POSTs a token request that carries no credentials (only `grant_type`), to see whether a
    /// token endpoint is at `url` at all: an OAuth error says it is, a 404 or a page that it is not.
    pub async fn post_without_credentials(&self, url: &str) -> Result<Answer, Transport> {
        self.send("POST", url, |c| {
            c.post(url)
                .header(ACCEPT, "application/json")
                .form(&[("grant_type", "client_credentials")])
        })
        .await
    }

    async fn send(
        &self,
        method: &'static str,
        url: &str,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Answer, Transport> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let raw = self.send_recorded(method, url, build(&self.http)).await?;
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

    /// One attempt, recorded when a recorder is attached.
    async fn send_recorded(
        &self,
        method: &'static str,
        url: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<RawAnswer, Transport> {
        let started = Instant::now();
        let result = self.send_once(url, req).await;
        if let Some(rec) = &self.recorder {
            let r = result.as_ref().map(|raw| &raw.answer);
            rec.record(method, url, started.elapsed(), r);
        }
        result
    }

    async fn send_once(
        &self,
        url: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<RawAnswer, Transport> {
        tracing::info!("request {url}");
        // Held until the body is read: an HTTP/1.1 socket is busy until then.
        let origin = Url::parse(url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        let mut slot = self.sockets.enter(&origin).await;
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
                headers: kept_headers(&headers),
            },
            retry_after: headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
        })
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
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod token_form_tests {
    use super::*;

    /// Finding 19: the form is ours, in one buffer that never grew (a reallocation would leave a
    /// partial copy of the secret behind), wiped when dropped, and it reads back as sent.
    #[test]
    fn the_token_form_reads_back_and_is_built_in_one_buffer() {
        for raw in [
            "3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37-8e2b6d40-51fa-4c93-b7e8-0a9d3c6f2e15",
            "CANARY+Zq/9x=7&Kee%41 ABCDEFGHIJ",
            "ééé日本\u{1f511}&=+%",
        ] {
            let secret = Secret::new(raw);
            let form = token_form("id-1", &secret, "read:tickets edit:tickets");
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&form)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            assert_eq!(
                pairs,
                [
                    ("grant_type", "client_credentials"),
                    ("client_id", "id-1"),
                    ("client_secret", raw),
                    ("scope", "read:tickets edit:tickets"),
                ]
                .map(|(k, v)| (k.to_string(), v.to_string()))
            );
            // The bound holds for the worst case, so the buffer was never reallocated.
            let size = ["grant_type", "client_id", "client_secret", "scope"]
                .iter()
                .zip([
                    "client_credentials",
                    "id-1",
                    raw,
                    "read:tickets edit:tickets",
                ])
                .map(|(k, v)| k.len() + 2 + 3 * v.len())
                .sum::<usize>();
            assert!(form.len() <= size, "{} > {size}", form.len());
        }
    }
}

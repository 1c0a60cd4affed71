//! `Transport`: a request that got no HTTP answer, and how a reqwest error is classified into one
//! (DNS, refused, timeout, reset, TLS by its rustls error, redirects). Pure classification of the
//! error values reqwest hands back; it sends nothing and names no cause (that is `diagnose`'s job).

use std::time::Duration;

use url::Url;

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
    /// The proxy of HTTPS_PROXY refused the tunnel with 407 Proxy Authentication Required.
    ProxyAuth {
        url: String,
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
/// each io::Error is opened by hand.
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

pub(super) fn classify(url: &str, e: &reqwest::Error, timeout: Duration) -> Transport {
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
    // hyper-util's tunnel error for a CONNECT answered 407.
    if lower.contains("proxy authorization required")
        || lower.contains("proxy authentication required")
    {
        return Transport::ProxyAuth {
            url: url.to_string(),
        };
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

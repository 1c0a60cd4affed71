//! Naming causes: every HTTP answer and transport failure of the token exchange, discovery and
//! probes becomes a `Diagnosis` whose code and fix come from `domain::catalogue`, with a message
//! that names the value at fault. Who answered comes first (`answerer`), then what it said: the
//! token endpoint's answers are in `token.rs`, answers from anything but Halo in `answered.rs`,
//! failures with no answer here. Pure functions over `Answer`/`Transport`; no requests here.

mod answered;
mod token;

#[cfg(test)]
mod tests;

pub use answered::{in_front, resource_not_json, resource_status};
pub use token::{token_answer, Token, TokenOutcome};

use halo_connect_core::catalogue;
use halo_connect_core::printable::printable;
use halo_connect_core::report::Diagnosis;

use super::answerer::{describe, sign_in_service};
use super::client::Answer;
use super::tls_inspect::ChainInfo;
use super::transport::{TlsProblem, Transport};

/// Names a request that got no HTTP answer. `on_premise` adds the IP allow-list hint; `chain` is
/// what a second look at a refused certificate saw.
pub fn transport(t: &Transport, on_premise: bool, chain: Option<&ChainInfo>) -> Diagnosis {
    let mut d = match t {
        Transport::Timeout { url, secs } => catalogue::TIMEOUT.diagnose(format!("No answer from {url} within {secs} s."), &[]),
        Transport::Dns { host } => {
            catalogue::DNS.diagnose(format!("The host name {host} could not be found (DNS lookup failed)."), &[("host", host)])
        }
        Transport::Refused { host } => catalogue::REFUSED.diagnose(format!("{host} refused the connection: nothing listens on that port."), &[]),
        Transport::Tls { host, problem, detail } => tls(host, *problem, detail, chain),
        Transport::RedirectLoop { url } => catalogue::REDIRECT_LOOP.diagnose(format!("{url} redirects in a loop."), &[]),
        Transport::RedirectElsewhere { from, to } => match sign_in_service(to) {
            Some(service) => catalogue::SIGN_IN_GATEWAY.diagnose(
                format!("{from} redirected to {service}'s sign-in ({to}): a gateway in front of Halo wants a person to sign in. halo-connect did not follow, so the Client Secret was not sent there."),
                &[],
            ),
            None => catalogue::REDIRECT_OTHER_HOST.diagnose(
                format!("{from} redirected to another host ({to}); halo-connect did not follow, so the Client Secret was not sent there."),
                &[],
            ),
        },
        Transport::TooLarge { url, limit } => catalogue::BODY_TOO_LARGE.diagnose(
            format!("{url} sent more than {} MB; a Halo API answer to this request is a few kilobytes.", limit / (1024 * 1024)),
            &[],
        ),
        Transport::Reset { url, detail } => {
            catalogue::CONNECTION_RESET.diagnose(format!("The connection to {url} broke before the answer was complete ({detail})."), &[])
        }
        Transport::ProxyAuth { url } => {
            let host = url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
            catalogue::PROXY_AUTH.diagnose(
                format!("The proxy this machine goes through (HTTPS_PROXY) refused to open a tunnel to {url} until it is given credentials (407 Proxy Authentication Required)."),
                &[("host", &host)],
            )
        }
        Transport::Other { url, detail } => catalogue::CONNECTION_FAILED.diagnose(format!("The request to {url} failed: {detail}."), &[]),
    };
    let network = matches!(
        t,
        Transport::Timeout { .. } | Transport::Refused { .. } | Transport::Reset { .. }
    );
    if on_premise && network && !d.hint.contains("allow-list") {
        d.hint.push_str(" If Halo restricts access by IP address, add this machine's public address to its allow-list.");
    }
    d
}

fn tls(host: &str, problem: TlsProblem, detail: &str, chain: Option<&ChainInfo>) -> Diagnosis {
    let cert = chain
        .map(|c| {
            format!(
                " The certificate is for {} and was issued by {}.",
                c.subject, c.issuer
            )
        })
        .unwrap_or_default();
    match problem {
        TlsProblem::UnknownIssuer if chain.is_some_and(ChainInfo::incomplete) => catalogue::TLS_INCOMPLETE_CHAIN.diagnose(
            format!("{host} does not send its intermediate certificate, so its certificate cannot be traced to a trusted root ({detail}).{cert}"),
            &[],
        ),
        TlsProblem::UnknownIssuer => catalogue::TLS_UNKNOWN_ISSUER.diagnose(
            format!("The certificate of {host} is not signed by an authority this machine trusts ({detail}).{cert}"),
            &[],
        ),
        TlsProblem::Expired => catalogue::TLS_EXPIRED.diagnose(format!("The certificate of {host} has expired.{cert}"), &[]),
        TlsProblem::NotTls => catalogue::TLS_PLAIN_PORT.diagnose(
            format!("{host} did not answer the TLS handshake with TLS ({detail}): the port speaks plain HTTP or another protocol."),
            &[],
        ),
        TlsProblem::NotYetValid => {
            catalogue::TLS_EXPIRED.diagnose(format!("The certificate of {host} is not valid yet; check this machine's clock.{cert}"), &[])
        }
        TlsProblem::WrongHost => catalogue::TLS_WRONG_HOST.diagnose(format!("The certificate of {host} is for another name ({detail}).{cert}"), &[]),
        TlsProblem::Other => catalogue::TLS_UNKNOWN_ISSUER.diagnose(format!("The TLS connection to {host} failed ({detail}).{cert}"), &[]),
    }
}

pub fn rate_limited(answer: &Answer) -> Diagnosis {
    let said = answer_text(answer)
        .map(|t| format!(", saying {t:?}"))
        .unwrap_or_default();
    catalogue::RATE_LIMITED.diagnose(
        format!(
            "Halo kept answering 429 Too Many Requests at {} after {} attempt(s){said}.",
            answer.url, answer.attempts
        ),
        &[],
    )
}

/// What an answer says in words: the message of a JSON error (`error`, `message`, `Message`,
/// `error_description`), or a short plain-text body; made printable. Halo words its API limit
/// and its lost tokens this way, in either shape.
pub fn answer_text(answer: &Answer) -> Option<String> {
    let text = match answer.json() {
        Some(v) => [
            "error_description",
            "message",
            "Message",
            "error",
            "errorMessage",
        ]
        .iter()
        .find_map(|k| {
            v.get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        })
        .or_else(|| v.as_str().map(str::to_string))?,
        None if !answer.looks_html() && answer.body.len() <= 1024 => {
            String::from_utf8_lossy(&answer.body).into_owned()
        }
        None => return None,
    };
    Some(printable(&text, 200)).filter(|t| !t.is_empty())
}

/// Halo's answer to a token it no longer knows (expired or dropped): 400 whose words say
/// "Token not found", in whatever shape [E: n8n #22893, #16857].
pub fn token_not_found(answer: &Answer) -> bool {
    answer.status == 400
        && answer_text(answer).is_some_and(|t| t.to_ascii_lowercase().contains("token not found"))
}

/// An answer nobody is named for: said as what answered, with no cause guessed.
fn not_recognised(answer: &Answer, what: &str) -> Diagnosis {
    catalogue::NOT_HALO.diagnose(
        format!(
            "{} answered {what}: {}. halo-connect does not recognise this as Halo's API or anything in front of it.",
            answer.url,
            describe(answer)
        ),
        &[],
    )
}

/// A 5xx that no one named: Halo's own JSON error, or what answered.
fn server_failure(answer: &Answer, halo_message: Option<&str>) -> Diagnosis {
    match halo_message {
        Some(m) => catalogue::HALO_API_ERROR.diagnose(
            format!(
                "Halo's API answered {} with HTTP {} and its own error after {} attempt(s): {m:?}.",
                answer.url, answer.status, answer.attempts
            ),
            &[],
        ),
        None => catalogue::SERVER_ERROR.diagnose(
            format!(
                "{} failed with HTTP {} after {} attempt(s): {}.",
                answer.url,
                answer.status,
                answer.attempts,
                describe(answer)
            ),
            &[],
        ),
    }
}

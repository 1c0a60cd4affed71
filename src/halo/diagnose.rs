//! Naming causes: every HTTP answer and transport failure of the token exchange, discovery and
//! probes becomes a `Diagnosis` whose code and fix come from `domain::catalogue`, with a message
//! that names the value at fault. Pure functions over `Answer`/`Transport`; no requests here.

use crate::domain::catalogue;
use crate::domain::report::Diagnosis;
use crate::domain::secret::Secret;
use crate::domain::url::Tenant;
use crate::domain::values::ConnectionSettings;

use super::client::Answer;
use super::tls_inspect::ChainInfo;
use super::transport::{TlsProblem, Transport};
use super::wire;

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
        Transport::RedirectElsewhere { from, to } => catalogue::REDIRECT_OTHER_HOST.diagnose(
            format!("{from} redirected to another host ({to}); halo-connect did not follow, so the Client Secret was not sent there."),
            &[],
        ),
        Transport::TooLarge { url, limit } => catalogue::BODY_TOO_LARGE.diagnose(
            format!("{url} sent more than {} MB; a Halo API answer to this request is a few kilobytes.", limit / (1024 * 1024)),
            &[],
        ),
        Transport::Reset { url, detail } => {
            catalogue::CONNECTION_RESET.diagnose(format!("The connection to {url} broke before the answer was complete ({detail})."), &[])
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

/// A token Halo issued.
#[derive(Debug, Clone)]
pub struct Token {
    pub access_token: Secret,
    pub scopes: Vec<String>,
    /// Whether the answer had a `scope` field at all.
    pub scope_listed: bool,
    pub expires_in: Option<i64>,
}

/// What a token request came to.
#[derive(Debug, Clone)]
pub enum TokenOutcome {
    Issued(Token),
    /// Halo refused a scope the application lacks (`invalid_scope`, or `invalid_request` naming scopes).
    ScopeRefused(String),
    Failed(Diagnosis),
}

/// Names the answer of the token endpoint.
pub fn token_answer(answer: &Answer, settings: &ConnectionSettings) -> TokenOutcome {
    let token_url = settings.auth_server.token_url(&settings.tenant);
    let tenant_named = matches!(settings.tenant, Tenant::Named(_));
    let status = answer.status;
    // Halo answers a tenant it does not know with a 500 page, so 5xx is judged before HTML.
    if status == 500 && tenant_named && !answer.is_json() {
        return TokenOutcome::Failed(tenant_problem(settings, &format!("HTTP {status}")));
    }
    if status < 500 && (answer.looks_html() || (!answer.is_json() && status == 404)) {
        let (code, what) = if status == 404 {
            (&catalogue::TOKEN_URL_NOT_FOUND, "404 Not Found".to_string())
        } else {
            (
                &catalogue::TOKEN_URL_HTML,
                format!("a web page (HTTP {status})"),
            )
        };
        return TokenOutcome::Failed(code.diagnose(
            format!("The Authorization Server answered the token request at {token_url} with {what} instead of a token: it is not Halo's token endpoint."),
            &[],
        ));
    }
    if status == 429 {
        return TokenOutcome::Failed(rate_limited(answer));
    }
    if (200..300).contains(&status) {
        let parsed: Result<wire::TokenResponse, _> = serde_json::from_slice(&answer.body);
        return match parsed {
            Ok(t) => match t.access_token.filter(|a| !a.is_empty()) {
                Some(access) => {
                    let scopes: Vec<String> = t
                        .scope
                        .as_deref()
                        .unwrap_or_default()
                        .split_whitespace()
                        .map(str::to_string)
                        .collect();
                    TokenOutcome::Issued(Token {
                        access_token: Secret::new(access),
                        scopes,
                        scope_listed: t.scope.is_some(),
                        expires_in: wire::expires_in(&t.expires_in),
                    })
                }
                None => TokenOutcome::Failed(not_halo(answer, "JSON that has no access_token")),
            },
            Err(_) => TokenOutcome::Failed(not_halo(answer, "invalid JSON")),
        };
    }
    let err: wire::OAuthError = serde_json::from_slice(&answer.body).unwrap_or_default();
    let code = err.error.clone().unwrap_or_default();
    let desc = err
        .error_description
        .clone()
        .or(err.message.clone())
        .unwrap_or_default();
    let desc_l = desc.to_ascii_lowercase();
    let with_desc = if desc.is_empty() {
        String::new()
    } else {
        format!(": {desc}")
    };
    match code.as_str() {
        "invalid_client" | "unauthorized_client" => TokenOutcome::Failed(catalogue::INVALID_CLIENT.diagnose(
            format!("Halo refused the Client ID {:?} or its Client Secret (invalid_client{with_desc}).", settings.client_id),
            &[],
        )),
        "invalid_scope" => TokenOutcome::ScopeRefused(desc),
        "invalid_request" if desc_l.contains("scope") => TokenOutcome::ScopeRefused(desc),
        // halo-connect's request is always complete, so an invalid_request that is not about scopes,
        // with no tenant sent, is the missing tenant. Its wording is unknown, so it is not read.
        "invalid_request" if !tenant_named => TokenOutcome::Failed(tenant_problem(settings, &format!("invalid_request{with_desc}"))),
        "invalid_grant" | "access_denied" => {
            TokenOutcome::Failed(catalogue::LOGIN_REFUSED.diagnose(format!("Halo refused to issue a token ({code}{with_desc})."), &[]))
        }
        "unsupported_grant_type" => TokenOutcome::Failed(catalogue::WRONG_AUTHENTICATION_METHOD.diagnose(
            format!("Halo does not allow the client-credentials grant for this application (unsupported_grant_type{with_desc})."),
            &[],
        )),
        _ if status == 500 && tenant_named => TokenOutcome::Failed(tenant_problem(settings, &format!("HTTP {status}"))),
        _ if status >= 500 => TokenOutcome::Failed(catalogue::SERVER_ERROR.diagnose(
            format!("The token endpoint {token_url} failed with HTTP {status} after {} attempt(s).", answer.attempts),
            &[],
        )),
        _ if status == 401 => TokenOutcome::Failed(catalogue::INVALID_CLIENT.diagnose(
            format!("Halo refused the Client ID {:?} or its Client Secret (HTTP 401).", settings.client_id),
            &[],
        )),
        _ => TokenOutcome::Failed(not_halo(answer, &format!("HTTP {status} ({})", if code.is_empty() { answer.snippet() } else { code }))),
    }
}

fn tenant_problem(settings: &ConnectionSettings, detail: &str) -> Diagnosis {
    match &settings.tenant {
        Tenant::Named(t) => catalogue::WRONG_TENANT.diagnose(
            format!("Halo refused the Tenant {t:?}: the Authorization Server knows no such tenant ({detail})."),
            &[],
        ),
        Tenant::NotSet => catalogue::TENANT_REQUIRED.diagnose(
            format!("The Authorization Server {} needs a Tenant, and none was given ({detail}).", settings.auth_server.as_str()),
            &[],
        ),
    }
}

pub fn rate_limited(answer: &Answer) -> Diagnosis {
    catalogue::RATE_LIMITED.diagnose(
        format!(
            "Halo kept answering 429 Too Many Requests at {} after {} attempt(s).",
            answer.url, answer.attempts
        ),
        &[],
    )
}

fn not_halo(answer: &Answer, what: &str) -> Diagnosis {
    catalogue::NOT_HALO.diagnose(
        format!(
            "{} answered with {what}: that is not Halo's API.",
            answer.url
        ),
        &[],
    )
}

/// Names a resource-server answer that is not JSON (the web interface instead of the API).
pub fn resource_not_json(answer: &Answer, settings: &ConnectionSettings) -> Diagnosis {
    if answer.looks_html() {
        catalogue::HTML_RESOURCE_SERVER.diagnose(
            format!(
                "The Resource Server {} answered a web page instead of JSON: it points at Halo's web interface, not its API.",
                settings.resource_server.as_str()
            ),
            &[],
        )
    } else {
        not_halo(answer, "something other than JSON")
    }
}

//! Naming causes: every HTTP answer and transport failure of the token exchange, discovery and
//! probes becomes a `Diagnosis` with a stable code, a message that names the value at fault, and a
//! fix in Halo's menu words. Pure functions over `Answer`/`Transport`; no requests are made here.

use crate::domain::report::{Diagnosis, ErrorClass};
use crate::domain::secret::Secret;
use crate::domain::url::Tenant;
use crate::domain::values::ConnectionSettings;

use super::client::{Answer, TlsProblem, Transport};
use super::wire;

pub const APP_MENU: &str = "Configuration > Integrations > HaloPSA API > View Applications";
pub const API_DETAILS_MENU: &str = "Configuration > Integrations > HaloPSA API (API Details)";
pub const ROLES_MENU: &str = "Configuration > Teams & Agents > Roles";
pub const AGENTS_MENU: &str = "Configuration > Teams & Agents > Agents";

/// Names a request that got no HTTP answer. `on_premise` adds the IP allow-list hint.
pub fn transport(t: &Transport, on_premise: bool) -> Diagnosis {
    let allow_list = if on_premise {
        " If Halo restricts access by IP address, add this machine's public address to its allow-list."
    } else {
        ""
    };
    match t {
        Transport::Timeout { url, secs } => Diagnosis::new(
            ErrorClass::Connection,
            "timeout",
            format!("No answer from {url} within {secs} s."),
            format!("Check that the address is right and the server is up, or allow more time with --timeout.{allow_list}"),
        ),
        Transport::Dns { host } => Diagnosis::new(
            ErrorClass::Connection,
            "dns",
            format!("The host name {host} could not be found (DNS lookup failed)."),
            format!("Check the spelling of {host} against {API_DETAILS_MENU}, and that this machine can resolve it."),
        ),
        Transport::Refused { host } => Diagnosis::new(
            ErrorClass::Connection,
            "refused",
            format!("{host} refused the connection: nothing listens on that port."),
            format!("Check the address and port, and that Halo's web server is running.{allow_list}"),
        ),
        Transport::Tls { host, problem, detail } => tls(host, *problem, detail),
        Transport::RedirectLoop { url } => Diagnosis::new(
            ErrorClass::Server,
            "redirect-loop",
            format!("{url} redirects in a loop."),
            "The address does not lead to Halo's API; copy the Resource Server and Authorization Server again from API Details.",
        ),
        Transport::RedirectElsewhere { from, to } => Diagnosis::new(
            ErrorClass::Server,
            "redirect-other-host",
            format!("{from} redirected to another host ({to}); halo-connect did not follow, so the Client Secret was not sent there."),
            format!("Use the address Halo shows in {API_DETAILS_MENU}; a redirect usually means a proxy or the web interface's address."),
        ),
        Transport::TooLarge { url, limit } => Diagnosis::new(
            ErrorClass::Server,
            "body-too-large",
            format!("{url} sent more than {} MB; a Halo API answer to this request is a few kilobytes.", limit / (1024 * 1024)),
            "The address does not point at Halo's API; check the Resource Server in API Details.",
        ),
        Transport::Reset { url, detail } => Diagnosis::new(
            ErrorClass::Connection,
            "connection-reset",
            format!("The connection to {url} broke before the answer was complete ({detail})."),
            format!("Try again; if it persists, a proxy or firewall between here and Halo is cutting the connection.{allow_list}"),
        ),
        Transport::Other { url, detail } => Diagnosis::new(
            ErrorClass::Connection,
            "connection",
            format!("The request to {url} failed: {detail}."),
            format!("Check the address and the network path to Halo (proxy settings come from HTTPS_PROXY/NO_PROXY).{allow_list}"),
        ),
    }
}

fn tls(host: &str, problem: TlsProblem, detail: &str) -> Diagnosis {
    match problem {
        TlsProblem::UnknownIssuer => Diagnosis::new(
            ErrorClass::Tls,
            "tls-unknown-issuer",
            format!("The certificate of {host} is not signed by an authority this machine trusts ({detail})."),
            "Either the server does not send its intermediate certificate (on-premise Halo needs a fully chained certificate: install the full chain on the web server; integrations will fail the same way), or it uses a private CA: pass its root with --ca-cert PATH.",
        ),
        TlsProblem::Expired => Diagnosis::new(
            ErrorClass::Tls,
            "tls-expired",
            format!("The certificate of {host} has expired ({detail})."),
            "Renew the certificate on Halo's web server; every integration fails until then.",
        ),
        TlsProblem::NotYetValid => Diagnosis::new(
            ErrorClass::Tls,
            "tls-not-yet-valid",
            format!("The certificate of {host} is not valid yet ({detail})."),
            "Check this machine's clock, or the certificate's start date on Halo's web server.",
        ),
        TlsProblem::WrongHost => Diagnosis::new(
            ErrorClass::Tls,
            "tls-wrong-host",
            format!("The certificate of {host} is for another name ({detail})."),
            format!("Use the host name the certificate was issued for, as shown in {API_DETAILS_MENU}."),
        ),
        TlsProblem::Other => Diagnosis::new(
            ErrorClass::Tls,
            "tls",
            format!("The TLS connection to {host} failed ({detail})."),
            "Check the server's certificate and TLS settings.",
        ),
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
    // A 5xx error page is Halo failing (or a wrong tenant, below), not a wrong address.
    if (answer.looks_html() && status < 500) || (!answer.is_json() && status == 404) {
        let code = if status == 404 {
            "token-url-not-found"
        } else {
            "token-url-html"
        };
        let trailing = if settings.auth_server.as_str().ends_with("/auth/") {
            String::new()
        } else {
            " Hosted and on-premise Halo both keep it at https://<host>/auth/.".to_string()
        };
        return TokenOutcome::Failed(Diagnosis::new(
            ErrorClass::Server,
            code,
            format!(
                "The Authorization Server answered the token request at {token_url} with {} instead of a token: it is not Halo's token endpoint.",
                if status == 404 { "404 Not Found".to_string() } else { format!("a web page (HTTP {status})") }
            ),
            format!(
                "Copy the Authorization Server again from {API_DETAILS_MENU}, with its trailing \"/\"; it is not the address of the web interface.{trailing}"
            ),
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
                None => {
                    TokenOutcome::Failed(not_halo(answer, "a JSON answer without an access_token"))
                }
            },
            Err(_) => TokenOutcome::Failed(not_halo(answer, "an answer that is not valid JSON")),
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
    match code.as_str() {
        "invalid_client" | "unauthorized_client" => TokenOutcome::Failed(Diagnosis::new(
            ErrorClass::Auth,
            "invalid-client",
            format!(
                "Halo refused the Client ID {:?} or its Client Secret (invalid_client{}).",
                settings.client_id,
                if desc.is_empty() { String::new() } else { format!(": {desc}") }
            ),
            format!(
                "Open the application in {APP_MENU}: check it is Active, copy the Client ID again (it changes when the application is first saved), and paste the whole Client Secret (73 characters, shown only once; make a new one if it is lost)."
            ),
        )),
        "invalid_scope" => TokenOutcome::ScopeRefused(desc),
        "invalid_request" if desc_l.contains("scope") => TokenOutcome::ScopeRefused(desc),
        "invalid_request" if desc_l.contains("tenant") => TokenOutcome::Failed(tenant_problem(settings, &desc)),
        "invalid_grant" | "access_denied" => TokenOutcome::Failed(Diagnosis::new(
            ErrorClass::Auth,
            "login-refused",
            format!("Halo refused to issue a token ({code}: {desc})."),
            format!(
                "On the application in {APP_MENU}, set Login Type to Agent and choose an active \"Agent to log in as\"; check the agent is active in {AGENTS_MENU}."
            ),
        )),
        "unsupported_grant_type" => TokenOutcome::Failed(Diagnosis::new(
            ErrorClass::Auth,
            "wrong-authentication-method",
            format!("Halo does not allow the client-credentials grant for this application ({desc})."),
            format!("Set the application's Authentication Method to \"Client ID and Secret (Services)\" in {APP_MENU}."),
        )),
        // Halo answers an unknown ?tenant= with a 500 page; 502/503/504 are outages.
        _ if status == 500 && tenant_named => TokenOutcome::Failed(tenant_problem(settings, &answer.snippet())),
        _ if status >= 500 => TokenOutcome::Failed(Diagnosis::new(
            ErrorClass::Server,
            "server-error",
            format!("The token endpoint {token_url} failed with HTTP {status} after {} attempt(s).", answer.attempts),
            "Halo had an internal error; try again later. If it persists, check the Authorization Server and Tenant in API Details.",
        )),
        _ if status == 401 => TokenOutcome::Failed(Diagnosis::new(
            ErrorClass::Auth,
            "invalid-client",
            format!("Halo refused the Client ID {:?} or its Client Secret (HTTP 401).", settings.client_id),
            format!("Copy the Client ID and Client Secret again from the application in {APP_MENU}."),
        )),
        _ => TokenOutcome::Failed(not_halo(answer, &format!("HTTP {status} ({})", if code.is_empty() { answer.snippet() } else { code }))),
    }
}

fn tenant_problem(settings: &ConnectionSettings, detail: &str) -> Diagnosis {
    match &settings.tenant {
        Tenant::Named(t) => Diagnosis::new(
            ErrorClass::Auth,
            "wrong-tenant",
            format!("Halo refused the Tenant {t:?}: the Authorization Server knows no such tenant ({detail})."),
            format!(
                "Copy the Tenant from {API_DETAILS_MENU}; on-premise Halo shows \"Not set\", so give --tenant \"Not set\"."
            ),
        ),
        Tenant::NotSet => Diagnosis::new(
            ErrorClass::Auth,
            "tenant-required",
            format!(
                "The Authorization Server {} needs a Tenant, and none was given ({detail}).",
                settings.auth_server.as_str()
            ),
            format!("Copy the Tenant from {API_DETAILS_MENU} and give it with --tenant."),
        ),
    }
}

pub fn rate_limited(answer: &Answer) -> Diagnosis {
    Diagnosis::new(
        ErrorClass::Connection,
        "rate-limited",
        format!("Halo kept answering 429 Too Many Requests at {} after {} attempt(s).", answer.url, answer.attempts),
        "Another integration may be using up Halo's request limit; wait a few minutes and test again.",
    )
}

fn not_halo(answer: &Answer, what: &str) -> Diagnosis {
    Diagnosis::new(
        ErrorClass::Server,
        "not-halo",
        format!("{} answered {what}, which is not Halo's API.", answer.url),
        format!("Check the Authorization Server and Resource Server against {API_DETAILS_MENU}."),
    )
}

/// Names a resource-server answer that is not JSON (the web interface instead of the API).
pub fn resource_not_json(answer: &Answer, settings: &ConnectionSettings) -> Diagnosis {
    if answer.looks_html() {
        Diagnosis::new(
            ErrorClass::Server,
            "html-resource-server",
            format!(
                "The Resource Server {} answered a web page instead of JSON: it points at Halo's web interface, not its API.",
                settings.resource_server.as_str()
            ),
            format!("Copy the Resource Server from {API_DETAILS_MENU}; it ends in /api."),
        )
    } else {
        not_halo(answer, "something that is not JSON")
    }
}

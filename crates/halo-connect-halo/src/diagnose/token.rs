//! The token endpoint's answers. Who answered decides first: anything in front of Halo is named
//! (`answered.rs`); an OAuth error object is Halo's Authorization Server refusing, an exit-4
//! refusal that quotes its code and description (known codes keep their causes); a token is a
//! token. With no Tenant sent to an Authorization Server on another host than the Resource Server,
//! a refusal's hint names the Tenant first.

use halo_connect_core::catalogue;
use halo_connect_core::kind::Kind;
use halo_connect_core::report::Diagnosis;
use halo_connect_core::secret::Secret;
use halo_connect_core::url::Tenant;
use halo_connect_core::values::ConnectionSettings;

use super::super::answerer::{classify, Answerer};
use super::super::client::Answer;
use super::super::wire;
use super::answered::{halo_message, named};
use super::{not_recognised, rate_limited, server_failure};

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
    let who = classify(answer);
    let outcome = judge(answer, &who, settings);
    match outcome {
        TokenOutcome::Failed(d) if is_refusal(&d, &who) => {
            TokenOutcome::Failed(tenant_first(d, settings))
        }
        other => other,
    }
}

fn judge(answer: &Answer, who: &Answerer, settings: &ConnectionSettings) -> TokenOutcome {
    let token_url = settings.auth_server.token_url(&settings.tenant);
    let tenant_named = matches!(settings.tenant, Tenant::Named(_));
    let status = answer.status;
    if let Some(d) = named(answer, who, settings, true) {
        return TokenOutcome::Failed(d);
    }
    if status == 429 {
        return TokenOutcome::Failed(rate_limited(answer));
    }
    // Halo answers a tenant it does not know with a 500 page, so 5xx is judged before the rest.
    if status == 500 && tenant_named && !matches!(who, Answerer::OAuth { .. }) {
        return TokenOutcome::Failed(tenant_problem(settings, &format!("HTTP {status}")));
    }
    if let Answerer::OAuth {
        code,
        description,
        uri,
    } = who
    {
        return oauth(
            answer,
            code,
            description.as_deref(),
            uri.as_deref(),
            settings,
        );
    }
    if (200..300).contains(&status) {
        return issued(answer, who);
    }
    if status == 404 {
        return TokenOutcome::Failed(catalogue::TOKEN_URL_NOT_FOUND.diagnose(
            format!("The Authorization Server answered the token request at {token_url} with 404 Not Found instead of a token: it is not Halo's token endpoint."),
            &[],
        ));
    }
    match who {
        Answerer::HaloWeb { .. } => TokenOutcome::Failed(catalogue::TOKEN_URL_HTML.diagnose(
            format!("The Authorization Server answered the token request at {token_url} with a web page of Halo's (HTTP {status}) instead of a token: it is the web interface, not Halo's token endpoint."),
            &[],
        )),
        Answerer::HaloApi { message } if (400..500).contains(&status) => {
            let said = message.as_deref().map(|m| format!(": {m:?}")).unwrap_or_default();
            TokenOutcome::Failed(catalogue::TOKEN_REFUSED.diagnose(
                format!("Halo refused the token request at {token_url} with HTTP {status}{said}."),
                &[],
            ))
        }
        Answerer::Empty if status == 401 => TokenOutcome::Failed(catalogue::INVALID_CLIENT.diagnose(
            format!("Halo refused the Client ID {:?} or its Client Secret (HTTP 401).", settings.client_id),
            &[],
        )),
        _ if status >= 500 => TokenOutcome::Failed(server_failure(answer, halo_message(who))),
        Answerer::BrokenJson => TokenOutcome::Failed(not_recognised(answer, "JSON that does not parse")),
        _ => TokenOutcome::Failed(not_recognised(answer, "the token request")),
    }
}

/// A 2xx: a token, or something that only looks like an answer.
fn issued(answer: &Answer, who: &Answerer) -> TokenOutcome {
    let parsed: Result<wire::TokenResponse, _> = serde_json::from_slice(&answer.body);
    match parsed {
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
            None => TokenOutcome::Failed(not_recognised(answer, "JSON that has no access_token")),
        },
        Err(_) if matches!(who, Answerer::HaloWeb { .. }) => {
            TokenOutcome::Failed(catalogue::TOKEN_URL_HTML.diagnose(
                format!("The Authorization Server answered the token request at {} with a web page of Halo's instead of a token: it is the web interface, not Halo's token endpoint.", answer.url),
                &[],
            ))
        }
        Err(_) if answer.is_json() => {
            TokenOutcome::Failed(not_recognised(answer, "the token request with invalid JSON"))
        }
        Err(_) => TokenOutcome::Failed(not_recognised(answer, "the token request with no token")),
    }
}

/// An OAuth error object: Halo's Authorization Server refusing. Known codes keep their causes.
fn oauth(
    answer: &Answer,
    code: &str,
    description: Option<&str>,
    uri: Option<&str>,
    settings: &ConnectionSettings,
) -> TokenOutcome {
    let status = answer.status;
    let desc = description.unwrap_or_default().to_string();
    let desc_l = desc.to_ascii_lowercase();
    let with_desc = description.map(|d| format!(": {d}")).unwrap_or_default();
    // OpenIddict's documented scope refusals (ID2051 not allowed, ID2052 unknown), or its words.
    let about_scope = uri.is_some_and(|u| u.ends_with("ID2051") || u.ends_with("ID2052"))
        || desc_l.contains("scope");
    let refusal = !(200..300).contains(&status);
    let failed = |cause: &'static catalogue::Cause, message: String| {
        TokenOutcome::Failed(cause.diagnose(message, &[]))
    };
    match code {
        "invalid_client" | "unauthorized_client" => failed(
            &catalogue::INVALID_CLIENT,
            format!("Halo refused the Client ID {:?} or its Client Secret ({code}{with_desc}).", settings.client_id),
        ),
        "invalid_scope" if refusal => TokenOutcome::ScopeRefused(desc),
        "invalid_request" if refusal && about_scope => TokenOutcome::ScopeRefused(desc),
        // halo-connect's request is always complete, so an invalid_request that is not about
        // scopes, with no tenant sent, is the missing tenant. Its wording is unknown: not read.
        "invalid_request" if refusal && settings.tenant == Tenant::NotSet => {
            TokenOutcome::Failed(tenant_problem(settings, &format!("invalid_request{with_desc}")))
        }
        "invalid_grant" | "access_denied" => failed(
            &catalogue::LOGIN_REFUSED,
            format!("Halo refused to issue a token ({code}{with_desc})."),
        ),
        "unsupported_grant_type" => failed(
            &catalogue::WRONG_AUTHENTICATION_METHOD,
            format!("Halo does not allow the client-credentials grant for this application (unsupported_grant_type{with_desc})."),
        ),
        "server_error" | "temporarily_unavailable" => failed(
            &catalogue::SERVER_ERROR,
            format!("Halo's Authorization Server failed with {code}{with_desc} (HTTP {status}, after {} attempt(s)).", answer.attempts),
        ),
        _ => failed(
            &catalogue::TOKEN_REFUSED,
            format!("Halo's Authorization Server refused the token request with {code}{with_desc} (HTTP {status})."),
        ),
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

/// Whether the token endpoint itself refused (not something in front of it, not a page).
fn is_refusal(d: &Diagnosis, who: &Answerer) -> bool {
    let from_halo = matches!(
        who,
        Answerer::OAuth { .. } | Answerer::HaloApi { .. } | Answerer::Empty | Answerer::Unknown
    );
    from_halo
        && (d.kind() == Kind::Auth
            || [&catalogue::SERVER_ERROR, &catalogue::HALO_API_ERROR].contains(&d.cause))
}

/// With no Tenant sent to an Authorization Server on another host than the Resource Server (a
/// shared one picks the instance by its Tenant), a refusal is said as a missing Tenant first.
fn tenant_first(d: Diagnosis, settings: &ConnectionSettings) -> Diagnosis {
    let other_host = settings.auth_server.host() != settings.resource_server.host();
    if settings.tenant != Tenant::NotSet || !other_host || d.cause == &catalogue::TENANT_REQUIRED {
        return d;
    }
    let tenant = catalogue::TENANT_REQUIRED.diagnose("", &[]);
    Diagnosis::new(
        &catalogue::TENANT_REQUIRED,
        format!(
            "{} No Tenant was sent, and the Authorization Server {} is on another host than the Resource Server {}: a shared Authorization Server picks the instance by its Tenant.",
            d.message,
            settings.auth_server.as_str(),
            settings.resource_server.as_str()
        ),
        format!("{} If Halo still refuses with the Tenant given: {}", tenant.hint, d.hint),
    )
}

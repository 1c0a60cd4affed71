//! The named behaviours of the emulator (scenarios), the answers it gives where Halo's behaviour
//! is unknown (guesses), and its TLS certificate modes. Pure data.

use std::fmt;
use std::str::FromStr;

pub use super::model::MetaAnswer;

/// The form of the access tokens the emulator issues. Real ones are JWTs [E], but nothing
/// guarantees it [I], and a client must never rely on decoding them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TokenForm {
    /// An unsigned JWT carrying the likely claims.
    #[default]
    Jwt,
    /// 64 random hex digits.
    Opaque,
}

/// How the emulator answers where Halo's behaviour is unknown (tagged G in `halo_model.toml`). A client
/// must give the same report whichever way the emulator answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Guesses {
    /// A request naming specific scopes to an application with a meta scope ticked.
    pub meta: MetaAnswer,
    pub token: TokenForm,
}

/// How the emulator serves TLS, and which certificate problem it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsMode {
    /// Plain HTTP.
    Off,
    /// Leaf and intermediate sent; trusting the root CA is enough.
    Valid,
    /// Only the leaf is sent: the on-premise "not fully chained" certificate.
    IncompleteChain,
    /// The leaf's validity ended in the past.
    Expired,
    /// The leaf names `other.example`, not `localhost`.
    WrongHost,
}

impl TlsMode {
    pub const ALL: &'static [TlsMode] = &[
        TlsMode::Off,
        TlsMode::Valid,
        TlsMode::IncompleteChain,
        TlsMode::Expired,
        TlsMode::WrongHost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Off => "off",
            TlsMode::Valid => "valid",
            TlsMode::IncompleteChain => "incomplete-chain",
            TlsMode::Expired => "expired",
            TlsMode::WrongHost => "wrong-host",
        }
    }

    /// One line saying what the certificate looks like.
    pub fn description(self) -> &'static str {
        match self {
            TlsMode::Off => "plain HTTP, no TLS",
            TlsMode::Valid => "HTTPS, leaf + intermediate sent, signed by the sandbox root CA",
            TlsMode::IncompleteChain => "HTTPS, leaf only: the intermediate certificate is missing",
            TlsMode::Expired => "HTTPS, the leaf certificate expired in 2021",
            TlsMode::WrongHost => "HTTPS, the certificate is for other.example, not localhost",
        }
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TlsMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        TlsMode::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = TlsMode::ALL.iter().map(|m| m.as_str()).collect();
                format!("unknown TLS mode {s:?}; one of: {}", names.join(", "))
            })
    }
}

macro_rules! scenarios {
    ($( $(#[$attr:meta])* $variant:ident => $name:literal, $desc:literal; )*) => {
        /// A named emulator behaviour. Every name is kebab-case, as the CLI takes it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub enum Scenario { $( $(#[$attr])* #[doc = $desc] $variant, )* }

        impl Scenario {
            pub const ALL: &'static [Scenario] = &[ $( Scenario::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( Scenario::$variant => $name, )* }
            }

            /// One line saying what this scenario emulates.
            pub fn description(self) -> &'static str {
                match self { $( Scenario::$variant => $desc, )* }
            }
        }
    };
}

scenarios! {
    #[default]
    Healthy => "healthy", "a correctly set-up application: every read/edit scope plus all:teams and admin:webhooks, data everywhere";
    WrongSecret => "wrong-secret", "the token endpoint refuses every request with 401 invalid_client (Client ID or Secret wrong)";
    MissingScope => "missing-scope", "the application lacks edit:invoices; asking for it is refused with 400 invalid_request";
    ScopeDropped => "scope-dropped", "the application lacks edit:invoices; asking for it silently drops it from the granted scopes";
    AllPermission => "all-permission", "the application has only \"All\" (all) ticked: every read/edit area and webhooks, not Teams; a token names `all`";
    AllStandardPermission => "all-standard-permission", "the application has only \"All standard\" (all:standard) ticked: every read/edit area, not webhooks or Teams";
    AdminPermission => "admin-permission", "the application has only admin ticked: it opens webhooks and nothing else";
    WebhooksPermission => "webhooks-permission", "the application has only admin:webhooks ticked: it opens webhooks and nothing else";
    AllTeamsPermission => "all-teams-permission", "the application has only all:teams ticked: it opens Teams and nothing else";
    RoleDenied => "role-denied", "token fine, but the agent's Role has no Invoices or Client Contracts access: those reads answer 403";
    HtmlResourceServer => "html-resource-server", "token fine, but every /api call answers 200 text/html, as the web UI does";
    Slow => "slow", "every response is delayed by 2 seconds";
    WrongTenant => "wrong-tenant", "the Tenant to type is mistyped (\"sandbx\"): authinfo names \"sandbox\", and any other ?tenant= gets a 500 HTML page";
    TenantRequired => "tenant-required", "a shared Authorisation Server: a token request without ?tenant= is refused with 400 invalid_request";
    NoRecurringContracts => "no-recurring-contracts", "/RecurringInvoice has no records: billing cannot go live";
    NoTeams => "no-teams", "/Team is empty: the agent is in no team, alerts cannot route";
    NoAssets => "no-assets", "/Asset has no records visible to the agent";
    ClientRestricted => "client-restricted", "/Client answers 0 records: the Role's \"Allow use of all Clients\" is off";
    NoScopeToken => "no-scope-token", "every token is issued with an empty scope, so every API call answers 401";
    ExpiredToken => "expired-token", "tokens are issued with expires_in 0 and are already expired";
    AuthinfoMismatch => "authinfo-mismatch", "/api/authinfo names another instance's Authorisation Server (https://other.halopsa.com/auth)";
    InactiveAgent => "inactive-agent", "the agent the application logs in as is disabled (/api/Agent/me isdisabled: true)";
    BrokenJson => "broken-json", "every answer is 200-style application/json cut off half-way (truncated JSON)";
    InvalidUtf8 => "invalid-utf8", "every JSON answer contains bytes that are not UTF-8";
    HugeBody => "huge-body", "every answer has a 20 MB body";
    Drip => "drip", "every body is sent one byte per 500 ms";
    RedirectLoop => "redirect-loop", "the token endpoint answers 302 to itself, forever";
    RedirectOtherHost => "redirect-other-host", "the token endpoint answers 307 to http://127.0.0.2 (a client must not follow with the secret)";
    RateLimited => "rate-limited", "the first 2 requests answer 429 with Retry-After: 1, then normal";
    RateLimitStorm => "rate-limit-storm", "every request answers 429 with Retry-After: 1";
    ServerError => "server-error", "every request answers 503 Service Unavailable";
    Flaky => "flaky", "the first call to each path answers 502 Bad Gateway, then normal";
    Reset => "reset", "the connection is closed in the middle of every response body";
    NoAnswer => "no-answer", "connections are accepted but no request is ever answered";
    LoginRefused => "login-refused", "the application's Login Type is not Agent (no agent to log in as): the token request gets 400 invalid_grant";
    WrongAuthMethod => "wrong-auth-method", "the application's Authentication Method is not Client ID and Secret (Services): 400 unsupported_grant_type";
    NoWebhooks => "no-webhooks", "the application lacks admin:webhooks; asking for it is refused, and /Webhook answers 401";
    OauthUnknownError => "oauth-unknown-error", "the token endpoint refuses with an OAuth error code no guide names (400 account_locked)";
    ApiError => "api-error", "token fine, but every /api read fails with 500 and Halo's own JSON error ({ClassName, Message})";
    LoginRedirect => "login-redirect", "every request is redirected to Halo's sign-in page (/auth/Account/Login)";
    IisIpRefused => "iis-ip-refused", "IIS in front of an on-premise Halo refuses this address: 403.503 (IP Address and Domain Restrictions)";
    NginxForbidden => "nginx-forbidden", "nginx in front of Halo answers every request with its own 403 page";
    WafBlock => "waf-block", "a CDN in front of Halo (Cloudflare) blocks every request with its 403 block page";
    WafChallenge => "waf-challenge", "a CDN in front of Halo (Cloudflare) answers every request with a bot challenge (cf-mitigated: challenge)";
    SsoGateway => "sso-gateway", "a sign-in gateway in front of Halo redirects every request to login.microsoftonline.com";
    WebFilter => "web-filter", "a web filter on the caller's network answers every request with its block page";
    ProxyAuth => "proxy-auth", "a proxy answers every request (and CONNECT tunnel) with 407 Proxy Authentication Required";
    UnknownAnswer => "unknown-answer", "every request is answered by some device's own web page (200 text/html), not Halo";
    ApiRateLimit => "api-rate-limit", "the API's own limit is used up: every /api call with a token answers 429 with Halo's JSON text (300 requests per rolling 5 minutes) and no Retry-After; tokens are issued";
    TokenNotFound => "token-not-found", "the Resource Server has lost the first token issued: calls with it answer 400 \"Token not found\"; a fresh token works";
    TokenNotFoundAlways => "token-not-found-always", "the Resource Server finds no token: every call with one answers 400 \"Token not found\", however often a fresh one is fetched";
    AwaitingApproval => "awaiting-approval", "the application awaits an administrator's approval (\"Agent approval required\"): the token endpoint refuses it with 400 invalid_client";
    SecretRegenerated => "secret-regenerated", "the application's Login Type was changed, which regenerated its Client Secret: the secret copied before gets 401 invalid_client";
    RefreshToken => "refresh-token", "the token answer carries a refresh_token (and an id_token), as one recorded answer did";
    OnPremise => "on-premise", "a self-hosted Halo: API Details shows the Tenant as \"Not set\", authinfo names none, and any ?tenant= is ignored";
    BigLists => "big-lists", "/Tickets holds 717 tickets and /Asset 120 assets: more than one page at Halo's caps (100 and 50 rows)";
    HugeRecordCount => "huge-record-count", "every list answers its rows with a record_count of 2^63-1";
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        Scenario::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Scenario::ALL.iter().map(|m| m.as_str()).collect();
                format!("unknown scenario {s:?}; one of: {}", names.join(", "))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for s in Scenario::ALL {
            assert_eq!(s.as_str().parse::<Scenario>().unwrap(), *s);
            assert!(seen.insert(s.as_str()), "duplicate {s}");
            assert!(!s.description().is_empty() && !s.description().contains('\n'));
        }
        for m in TlsMode::ALL {
            assert_eq!(m.as_str().parse::<TlsMode>().unwrap(), *m);
        }
        assert_eq!(
            "Incomplete-Chain".parse::<TlsMode>(),
            Ok(TlsMode::IncompleteChain)
        );
        assert!("nope".parse::<Scenario>().unwrap_err().contains("healthy"));
        assert!("nope".parse::<TlsMode>().is_err());
        assert_eq!(Scenario::default(), Scenario::Healthy);
        assert_eq!(Scenario::ALL.len(), 57);
    }
}

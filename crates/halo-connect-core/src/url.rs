//! Halo addresses: deriving the Resource Server, Authorization Server and Tenant from any Halo
//! address, normalising what the operator pasted, and refusing what cannot work, with the reason.
//! URL parsing is the `url` crate's; this module holds only Halo's rules and does no I/O.

use std::fmt;
use url::{Host, Url};

use super::field::{Field, Note, Reason, ValueError};

/// The Resource Server: the API base, always ending in `/api` and no slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceServer(Url);

/// The Authorization Server: always ending in exactly one `/`, so `token` joins onto it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthServer(Url);

/// How Halo's API Details shows the Tenant of an on-premise Halo, which has none.
pub const NOT_SET: &str = "Not set";

/// The Tenant: a name on hosted instances, or "Not set" on-premise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tenant {
    Named(String),
    NotSet,
}

impl ResourceServer {
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
    pub fn url(&self) -> &Url {
        &self.0
    }
    /// Returns the URL of an API path such as `/Agent/me` (with an optional query).
    pub fn join(&self, path: &str, query: &str) -> String {
        let mut s = format!("{}{}", self.0.as_str().trim_end_matches('/'), path);
        if !query.is_empty() {
            s.push('?');
            s.push_str(query);
        }
        s
    }
    /// Returns the host as the server's origin, e.g. `https://acme.halopsa.com`.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }
    pub fn host(&self) -> String {
        self.0.host_str().unwrap_or_default().to_string()
    }
}

impl AuthServer {
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
    pub fn host(&self) -> String {
        self.0.host_str().unwrap_or_default().to_string()
    }
    /// Returns the token endpoint: `<auth server>token`, with `?tenant=` only when a tenant is set.
    pub fn token_url(&self, tenant: &Tenant) -> Url {
        let mut url = self.0.clone();
        let path = format!("{}token", url.path());
        url.set_path(&path);
        if let Tenant::Named(t) = tenant {
            url.query_pairs_mut().append_pair("tenant", t);
        }
        url
    }
    /// Returns the host and port to look at when its certificate is refused.
    pub fn url_for_inspection(&self) -> Option<(String, u16)> {
        Some((
            self.0.host_str()?.trim_matches(['[', ']']).to_string(),
            self.0.port_or_known_default()?,
        ))
    }

    /// Returns whether this is a shared Authorization Server that serves many instances.
    pub fn is_shared(&self) -> bool {
        is_shared_auth_host(&self.host())
    }
}

impl Tenant {
    pub fn as_option(&self) -> Option<&str> {
        match self {
            Tenant::Named(t) => Some(t),
            Tenant::NotSet => None,
        }
    }
}

impl fmt::Display for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tenant::Named(t) => f.write_str(t),
            Tenant::NotSet => f.write_str(NOT_SET),
        }
    }
}

/// Domains under which Halo hosts instances; the first label of such a host is the tenant.
pub const HOSTED_DOMAINS: &[&str] = &[
    "halopsa.com",
    "haloitsm.com",
    "haloservicedesk.com",
    "halocrm.io",
];

fn is_shared_auth_host(host: &str) -> bool {
    host == "auth.haloservicedesk.com"
        || (host.ends_with(".halopsa.com")
            && host
                .split('.')
                .next()
                .is_some_and(|l| l.ends_with("-trial")))
}

/// Returns whether a host is Halo-hosted (under one of Halo's domains).
pub fn is_hosted(host: &str) -> bool {
    HOSTED_DOMAINS
        .iter()
        .any(|d| host.len() > d.len() + 1 && host.ends_with(&format!(".{d}")))
}

/// This machine's own addresses, the one rule for two questions: plain `http://` is allowed only
/// to them (`parse_address`), and only they skip a proxy from the environment
/// (`LOOPBACK_NO_PROXY`), so a plain-http secret never crosses to a proxy in cleartext.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `is_loopback` as a `NO_PROXY` list: `localhost`, all of 127.0.0.0/8 and `::1`.
pub const LOOPBACK_NO_PROXY: &str = "localhost,127.0.0.0/8,::1,[::1]";

/// Parses an address pasted for `field`: trimmed, https (http only to loopback), no query, no
/// credentials, no spaces.
pub fn parse_address(field: Field, input: &str) -> Result<Url, ValueError> {
    let err = |r| ValueError::new(field, input, r);
    let t = input.trim();
    if t.is_empty() {
        return Err(err(Reason::Empty));
    }
    if t.chars().count() > 2048 {
        return Err(err(Reason::TooLong(t.chars().count())));
    }
    if t.chars().any(char::is_whitespace) {
        return Err(err(Reason::Whitespace));
    }
    if !t.contains("://") {
        let lower = t.to_ascii_lowercase();
        if lower.starts_with("http:") || lower.starts_with("https:") {
            return Err(err(Reason::Malformed(
                "the scheme must be followed by //".into(),
            )));
        }
        // A bare host such as "acme.halopsa.com" or "localhost:8080".
        let bare = t.trim_start_matches('/');
        if Url::parse(&format!("https://{bare}")).is_ok_and(|u| {
            u.host_str()
                .is_some_and(|h| h.contains('.') || h == "localhost")
        }) {
            return Err(err(Reason::NoScheme {
                suggestion: format!("https://{bare}"),
            }));
        }
        return Err(err(Reason::Malformed(
            "it does not start with https://".into(),
        )));
    }
    let url = Url::parse(t).map_err(|e| err(Reason::Malformed(e.to_string())))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            if !is_loopback(&url) {
                return Err(err(Reason::PlainHttp(
                    url.host_str().unwrap_or_default().to_string(),
                )));
            }
        }
        other => return Err(err(Reason::BadScheme(other.to_string()))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(err(Reason::NoHost));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(err(Reason::Credentials));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(err(Reason::QueryString));
    }
    Ok(url)
}

/// Splits a path into its segments, dropping empty ones (so `//` collapses).
fn segments(url: &Url) -> Vec<String> {
    url.path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn with_path(url: &Url, segs: &[String], trailing_slash: bool) -> Url {
    let mut u = url.clone();
    let mut p = String::from("/");
    p.push_str(&segs.join("/"));
    if trailing_slash && !p.ends_with('/') {
        p.push('/');
    }
    u.set_path(&p);
    u
}

/// Normalises a pasted Authorization Server to end in exactly one `/`, stripping a pasted
/// `/token`, and says what changed.
pub fn normalize_auth_server(input: &str) -> Result<(AuthServer, Vec<Note>), ValueError> {
    let url = parse_address(Field::AuthServer, input)?;
    let mut notes = Vec::new();
    let mut segs = segments(&url);
    if segs.last().is_some_and(|s| s.eq_ignore_ascii_case("token")) {
        // Every trailing /token, so that the result is a fixed point (…/token/token pasted twice).
        while segs.last().is_some_and(|s| s.eq_ignore_ascii_case("token")) {
            segs.pop();
        }
        notes.push(Note::new(
            Field::AuthServer,
            "removed the /token you pasted: halo-connect adds it itself",
        ));
    }
    if segs.last().is_some_and(|s| s.eq_ignore_ascii_case("api")) {
        return Err(ValueError::new(
            Field::AuthServer,
            input,
            Reason::LooksLikeResourceServer,
        ));
    }
    let normal = with_path(&url, &segs, true);
    let typed_path = url.path();
    if notes.is_empty() && typed_path != normal.path() {
        if typed_path.trim_end_matches('/') == normal.path().trim_end_matches('/')
            && !typed_path.ends_with('/')
        {
            notes.push(Note::new(
                Field::AuthServer,
                "added the trailing \"/\" that Halo needs at the end",
            ));
        } else if typed_path != "/" || normal.path() != "/" {
            notes.push(Note::new(
                Field::AuthServer,
                format!("tidied the path from {typed_path:?} to {:?}", normal.path()),
            ));
        }
    }
    Ok((AuthServer(normal), notes))
}

/// Normalises a pasted Resource Server to `<base>/api` without a trailing slash.
pub fn normalize_resource_server(input: &str) -> Result<(ResourceServer, Vec<Note>), ValueError> {
    let url = parse_address(Field::ResourceServer, input)?;
    let mut notes = Vec::new();
    let mut segs = segments(&url);
    let last = segs.last().map(|s| s.to_ascii_lowercase());
    let before_last = segs
        .len()
        .checked_sub(2)
        .and_then(|i| segs.get(i))
        .map(|s| s.to_ascii_lowercase());
    if last.as_deref() == Some("auth")
        || (last.as_deref() == Some("token") && before_last.as_deref() == Some("auth"))
    {
        return Err(ValueError::new(
            Field::ResourceServer,
            input,
            Reason::LooksLikeAuthServer,
        ));
    }
    if last.as_deref() != Some("api") {
        segs.push("api".into());
        notes.push(Note::new(
            Field::ResourceServer,
            "added /api: the Resource Server is the API address",
        ));
    } else if let Some(l) = segs.last_mut() {
        *l = "api".into();
    }
    Ok((ResourceServer(with_path(&url, &segs, false)), notes))
}

/// Parses a Tenant: "Not set" (any case, any spacing) or empty means none.
pub fn parse_tenant(input: &str) -> Result<Tenant, ValueError> {
    let t = input.trim();
    let squashed: String = t
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    if t.is_empty() || squashed == "not set" || squashed == "notset" {
        return Ok(Tenant::NotSet);
    }
    let err = |r| ValueError::new(Field::Tenant, input, r);
    if t.contains("://") || t.contains('/') {
        return Err(err(Reason::TenantIsAddress));
    }
    if t.chars().count() > 100 {
        return Err(err(Reason::TooLong(t.chars().count())));
    }
    if let Some(c) = t
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        if c.is_whitespace() {
            return Err(err(Reason::Whitespace));
        }
        return Err(err(Reason::TenantChars(c)));
    }
    Ok(Tenant::Named(t.to_string()))
}

/// What one Halo address gives: the three values an operator would otherwise copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// Where `/api/authinfo` lives: the address up to `/api` or `/auth`, or the origin.
    pub base: Url,
    pub resource_server: ResourceServer,
    pub auth_server: AuthServer,
    pub tenant: Tenant,
    /// Whether the host is under one of Halo's hosted domains.
    pub hosted: bool,
}

/// Derives Resource Server, Authorization Server and Tenant from any Halo address, such as
/// `https://acme.halopsa.com`, `.../api`, `.../auth/` or `.../auth/token`.
pub fn derive_from_address(input: &str) -> Result<Derived, ValueError> {
    // A browser address may carry a query; only the part before /api or /auth matters here.
    let cut = input.trim().split(['?', '#']).next().unwrap_or_default();
    let url = parse_address(Field::Url, cut)?;
    let segs = segments(&url);
    let pos = segs
        .iter()
        .position(|s| s.eq_ignore_ascii_case("api") || s.eq_ignore_ascii_case("auth"));
    let base_segs: Vec<String> = match pos {
        Some(i) => segs[..i].to_vec(),
        None => Vec::new(),
    };
    let base = with_path(&url, &base_segs, false);
    let base_str = base.as_str().trim_end_matches('/').to_string();
    let (resource_server, _) = normalize_resource_server(&format!("{base_str}/api"))?;
    let (auth_server, _) = normalize_auth_server(&format!("{base_str}/auth/"))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let hosted = is_hosted(&host);
    let tenant = if hosted {
        host.split('.')
            .next()
            .map(|l| Tenant::Named(l.to_string()))
            .unwrap_or(Tenant::NotSet)
    } else {
        Tenant::NotSet
    };
    Ok(Derived {
        base,
        resource_server,
        auth_server,
        tenant,
        hosted,
    })
}

impl Derived {
    /// The Tenant to offer when the operator said where Halo runs: on-premise has none ("Not
    /// set"); a Halo hosted by Halo is named by its host's first label (`acme` of
    /// `acme.halopsa.com`, and of a custom domain too), unless the host is an IP address.
    pub fn tenant_for(&self, hosted: bool) -> Tenant {
        if !hosted {
            return Tenant::NotSet;
        }
        match self.base.host() {
            Some(Host::Domain(d)) => d
                .split('.')
                .next()
                .filter(|l| !l.is_empty() && d.contains('.'))
                .map(|l| Tenant::Named(l.to_ascii_lowercase()))
                .unwrap_or(Tenant::NotSet),
            _ => Tenant::NotSet,
        }
    }
}

/// Checks the pair for a shared Authorization Server without a tenant.
pub fn check_tenant_for(auth: &AuthServer, tenant: &Tenant) -> Result<(), ValueError> {
    if auth.is_shared() && *tenant == Tenant::NotSet {
        return Err(ValueError::new(
            Field::Tenant,
            "",
            Reason::SharedAuthNeedsTenant(auth.host()),
        ));
    }
    Ok(())
}

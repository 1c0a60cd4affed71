//! Values as typed → validated `ConnectionSettings`. Flags, environment, the stored profile,
//! discovery and the wizard all feed `RawValues`; `validate` is the one validation path, so the
//! wizard's prompt and the non-interactive run refuse a value with the same reason. No I/O here.

use std::collections::BTreeMap;
use std::fmt;

use super::field::{Field, Note, Reason, ValueError};
use super::secret::Secret;
use super::url::{
    check_tenant_for, derive_from_address, normalize_auth_server, normalize_resource_server,
    parse_tenant, AuthServer, Derived, ResourceServer, Tenant,
};

/// Where a value came from; `show` prints it, and precedence follows this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Flag,
    Env,
    Prompt,
    Stored,
    Sandbox,
    Discovered,
    Derived,
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Flag => "flag",
            Source::Env => "env",
            Source::Prompt => "typed",
            Source::Stored => "profile",
            Source::Sandbox => "sandbox",
            Source::Discovered => "discovered (authinfo)",
            Source::Derived => "derived from the address",
            Source::Default => "default",
        })
    }
}

/// A value with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    pub fn new(value: T, source: Source) -> Self {
        Sourced { value, source }
    }
}

/// Values as typed, each optional; the first source to supply a value wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawValues {
    pub url: Option<Sourced<String>>,
    pub resource_server: Option<Sourced<String>>,
    pub auth_server: Option<Sourced<String>>,
    pub tenant: Option<Sourced<String>>,
    pub client_id: Option<Sourced<String>>,
}

impl RawValues {
    /// Fills each value that is still empty from `other` (lower precedence).
    pub fn or(mut self, other: RawValues) -> RawValues {
        self.url = self.url.or(other.url);
        self.resource_server = self.resource_server.or(other.resource_server);
        self.auth_server = self.auth_server.or(other.auth_server);
        self.tenant = self.tenant.or(other.tenant);
        self.client_id = self.client_id.or(other.client_id);
        self
    }
}

/// What `GET <host>/api/authinfo` answered, as data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    pub auth_url: Option<String>,
    pub tenant_id: Option<String>,
}

/// The base address whose `/api/authinfo` to ask (one GET, no token), or None when nothing is
/// missing that it could give: an address (`--url`) without an Authorization Server or Tenant;
/// or no Tenant while the Authorization Server is on another host than the Resource Server (a
/// shared Authorization Server picks the instance by its Tenant, and the Resource Server's own
/// authinfo names it as `tenant_id`).
pub fn discovery_base(raw: &RawValues) -> Option<String> {
    if let Some(u) = &raw.url {
        if raw.auth_server.is_none() || raw.tenant.is_none() {
            return Some(address(&derive_from_address(&u.value).ok()?));
        }
    }
    if raw.tenant.is_some() {
        return None;
    }
    let (auth, _) = normalize_auth_server(&raw.auth_server.as_ref()?.value).ok()?;
    let resource = match &raw.resource_server {
        Some(v) => normalize_resource_server(&v.value).ok()?.0,
        None => {
            derive_from_address(&raw.url.as_ref()?.value)
                .ok()?
                .resource_server
        }
    };
    if auth.host() == resource.host() {
        return None;
    }
    Some(address(&derive_from_address(resource.as_str()).ok()?))
}

/// The address one Halo is signed in at, without the final "/": its `api/authinfo` is there.
fn address(d: &Derived) -> String {
    d.base.as_str().trim_end_matches('/').to_string()
}

/// The one address the values stand for: the address given, else the Resource Server's (the part
/// before `/api`). The wizard offers it first.
pub fn address_of(raw: &RawValues) -> Option<String> {
    if let Some(u) = &raw.url {
        return Some(u.value.clone());
    }
    Some(address(
        &derive_from_address(&raw.resource_server.as_ref()?.value).ok()?,
    ))
}

/// Validated, normalised connection settings: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    pub resource_server: ResourceServer,
    pub auth_server: AuthServer,
    pub tenant: Tenant,
    pub client_id: String,
}

/// The result of validation: the settings, what was changed, and where each value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validated {
    pub settings: ConnectionSettings,
    pub notes: Vec<Note>,
    pub sources: BTreeMap<Field, Source>,
}

/// Checks a Client ID: trimmed, no spaces; a note when it is not GUID-shaped as Halo's are.
pub fn parse_client_id(input: &str) -> Result<(String, Vec<Note>), ValueError> {
    let t = input.trim();
    if t.is_empty() {
        return Err(ValueError::new(Field::ClientId, input, Reason::Empty));
    }
    if t.chars().any(char::is_whitespace) {
        return Err(ValueError::new(Field::ClientId, input, Reason::Whitespace));
    }
    if t.chars().count() > 200 {
        return Err(ValueError::new(
            Field::ClientId,
            input,
            Reason::TooLong(t.chars().count()),
        ));
    }
    if t.contains("://") {
        return Err(ValueError::new(
            Field::ClientId,
            input,
            Reason::Other("it is an address; the Client ID is the GUID shown on the application's Details tab".into()),
        ));
    }
    if let Some(c) = t.chars().find(|&c| {
        c.is_control()
            || super::printable::is_hidden(c)
            || matches!(c, '"' | '\'' | '<' | '>' | '&' | '?' | '#')
    }) {
        return Err(ValueError::new(
            Field::ClientId,
            input,
            Reason::Other(format!("it contains {c:?}, which no Halo Client ID has")),
        ));
    }
    let mut notes = Vec::new();
    if !is_guid(t) {
        notes.push(Note::new(
            Field::ClientId,
            "this does not look like a Halo Client ID, which is a GUID such as 3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60",
        ));
    }
    Ok((t.to_string(), notes))
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Checks a Client Secret: trimmed with a note, refused when empty or broken by a space; a note
/// when it has Halo's shape (two GUIDs joined by '-') but the wrong length, as a cut-off paste does.
pub fn check_secret(secret: Secret) -> Result<(Secret, Vec<Note>), ValueError> {
    let (secret, trimmed) = secret.trim_pasted();
    let mut notes = Vec::new();
    if trimmed {
        notes.push(Note::new(
            Field::ClientSecret,
            "removed spaces or line breaks from around the pasted secret",
        ));
    }
    if secret.is_empty() {
        return Err(ValueError::new(Field::ClientSecret, "", Reason::Empty));
    }
    if secret.expose().chars().any(char::is_whitespace) {
        return Err(ValueError::new(Field::ClientSecret, "", Reason::Whitespace));
    }
    if secret.len() > 1000 {
        return Err(ValueError::new(
            Field::ClientSecret,
            "",
            Reason::TooLong(secret.len()),
        ));
    }
    let looks_halo = secret
        .expose()
        .chars()
        .all(|c| c.is_ascii_hexdigit() || c == '-');
    if !looks_halo && secret.len() < 20 {
        notes.push(Note::new(
            Field::ClientSecret,
            format!("this secret has {} characters, far fewer than Halo's 73; check it is the Client Secret and was not cut off", secret.len()),
        ));
    }
    if looks_halo && secret.len() != 73 && secret.len() > 20 {
        notes.push(Note::new(
            Field::ClientSecret,
            format!(
                "Halo secrets are 73 characters (two GUIDs joined by '-'), this one has {}; check it was not cut off when copied",
                secret.len()
            ),
        ));
    }
    Ok((secret, notes))
}

/// The values one address and its authinfo give, under what was given: a missing Resource
/// Server, Authorization Server or Tenant is taken from discovery, then derived from the address
/// (the Tenant, with no address, from the Resource Server's host). `hosted`, where the operator
/// said where Halo runs, decides the derived Tenant (`Derived::tenant_for`); without it the host
/// tells. The one merge of the flag path and the wizard; nothing is checked here.
pub fn fill(raw: &RawValues, discovery: Option<&Discovery>, hosted: Option<bool>) -> RawValues {
    let derived = raw
        .url
        .as_ref()
        .and_then(|u| derive_from_address(&u.value).ok());
    let from_address = |f: &dyn Fn(&Derived) -> String| {
        derived
            .as_ref()
            .map(|d| Sourced::new(f(d), Source::Derived))
    };
    let found = |v: Option<String>| v.map(|v| Sourced::new(v, Source::Discovered));
    let resource_server = raw
        .resource_server
        .clone()
        .or_else(|| from_address(&|d| d.resource_server.as_str().to_string()));
    let auth_server = raw
        .auth_server
        .clone()
        .or_else(|| found(discovery.and_then(|d| d.auth_url.clone())))
        .or_else(|| from_address(&|d| d.auth_server.as_str().to_string()));
    let tenant = raw
        .tenant
        .clone()
        .or_else(|| {
            found(
                discovery
                    .and_then(|d| d.tenant_id.clone())
                    .filter(|t| !t.trim().is_empty()),
            )
        })
        .or_else(|| {
            from_address(&|d| match hosted {
                Some(hosted) => d.tenant_for(hosted).to_string(),
                None => d.tenant.to_string(),
            })
        })
        .or_else(|| {
            // With no address to derive from, the Resource Server's host stands in for it.
            let (rs, _) = normalize_resource_server(&raw.resource_server.as_ref()?.value).ok()?;
            let d = derive_from_address(rs.as_str()).ok()?;
            Some(Sourced::new(d.tenant.to_string(), Source::Derived))
        });
    RawValues {
        url: raw.url.clone(),
        resource_server,
        auth_server,
        tenant,
        client_id: raw.client_id.clone(),
    }
}

/// What validation has found so far: the refusals, the notes and each value's source.
#[derive(Default)]
struct Findings {
    errors: Vec<ValueError>,
    notes: Vec<Note>,
    sources: BTreeMap<Field, Source>,
}

impl Findings {
    /// Checks one value by its rule; what the rule changed is said only of a value someone gave
    /// (what authinfo or the address gave is Halo's own form).
    fn take<T>(
        &mut self,
        field: Field,
        value: Option<&Sourced<String>>,
        rule: impl Fn(&str) -> Result<(T, Vec<Note>), ValueError>,
    ) -> Option<T> {
        let v = value?;
        match rule(&v.value) {
            Ok((t, notes)) => {
                if !matches!(v.source, Source::Discovered | Source::Derived) {
                    self.notes.extend(notes);
                }
                self.sources.insert(field, v.source);
                Some(t)
            }
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }
}

/// Validates raw values into settings, filling in what discovery and one address give (`fill`).
/// Every refused or missing value is reported at once.
pub fn validate(
    raw: &RawValues,
    discovery: Option<&Discovery>,
) -> Result<Validated, Vec<ValueError>> {
    let mut f = Findings::default();
    let derived = match &raw.url {
        Some(u) => match derive_from_address(&u.value) {
            Ok(d) => Some(d),
            Err(e) => {
                f.errors.push(e);
                None
            }
        },
        None => None,
    };
    // An address that every value it stands for overrides is said, not silently dropped.
    if let (Some(u), Some(_), Some(_), Some(_)) =
        (&raw.url, &raw.resource_server, &raw.auth_server, &derived)
    {
        f.notes.push(Note::new(
            Field::Url,
            format!(
                "{} was not used: the Resource Server and the Authorization Server were given as well, and they win over the address; leave them out to test the address",
                u.value.trim()
            ),
        ));
    }
    let full = fill(raw, discovery, None);
    // A bad address is said once, not again as each value it would have given.
    let missing = |v: &Option<Sourced<String>>| v.is_none() && raw.url.is_none();
    let resource_server = f.take(
        Field::ResourceServer,
        full.resource_server.as_ref(),
        normalize_resource_server,
    );
    if missing(&full.resource_server) {
        f.errors.push(ValueError::missing(Field::ResourceServer));
    }
    let auth_server = f.take(
        Field::AuthServer,
        full.auth_server.as_ref(),
        normalize_auth_server,
    );
    if missing(&full.auth_server) {
        f.errors.push(ValueError::missing(Field::AuthServer));
    }
    let tenant = f.take(Field::Tenant, full.tenant.as_ref(), |s| {
        parse_tenant(s).map(|t| (t, Vec::new()))
    });
    let client_id = f.take(Field::ClientId, full.client_id.as_ref(), parse_client_id);
    if full.client_id.is_none() {
        f.errors.push(ValueError::missing(Field::ClientId));
    }
    if let (Some(a), Some(t)) = (&auth_server, &tenant) {
        if let Err(e) = check_tenant_for(a, t) {
            f.errors.push(e);
        }
    }
    match (resource_server, auth_server, tenant, client_id) {
        (Some(resource_server), Some(auth_server), Some(tenant), Some(client_id))
            if f.errors.is_empty() =>
        {
            Ok(Validated {
                settings: ConnectionSettings {
                    resource_server,
                    auth_server,
                    tenant,
                    client_id,
                },
                notes: f.notes,
                sources: f.sources,
            })
        }
        _ => {
            if f.errors.is_empty() {
                f.errors.push(ValueError::missing(Field::Url));
            }
            Err(f.errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(
        url: Option<&str>,
        rs: Option<&str>,
        auth: Option<&str>,
        tenant: Option<&str>,
    ) -> RawValues {
        let s = |v: Option<&str>| v.map(|v| Sourced::new(v.to_string(), Source::Flag));
        RawValues {
            url: s(url),
            resource_server: s(rs),
            auth_server: s(auth),
            tenant: s(tenant),
            client_id: s(Some("5b1f0c2e-9a3d-4c7e-8f21-6d4b0a9e3c58")),
        }
    }

    #[test]
    fn discovery_asks_the_resource_host_only_when_it_can_give_something() {
        let shared = Some("https://auth.haloservicedesk.com");
        let table = [
            (
                raw(Some("https://acme.halopsa.com/"), None, None, None),
                Some("https://acme.halopsa.com"),
            ),
            (
                raw(Some("https://acme.halopsa.com"), None, shared, None),
                Some("https://acme.halopsa.com"),
            ),
            (
                raw(Some("https://acme.halopsa.com"), None, shared, Some("acme")),
                None,
            ),
            (
                raw(None, Some("https://acme.halopsa.com/api"), shared, None),
                Some("https://acme.halopsa.com"),
            ),
            (
                raw(
                    None,
                    Some("https://halo.corp.example/halo/api/"),
                    Some("https://sso.corp.example/auth/"),
                    None,
                ),
                Some("https://halo.corp.example/halo"),
            ),
            (
                raw(
                    None,
                    Some("https://acme.halopsa.com/api"),
                    shared,
                    Some("acme"),
                ),
                None,
            ),
            (
                raw(
                    None,
                    Some("https://acme.halopsa.com/api"),
                    Some("https://acme.halopsa.com/auth"),
                    None,
                ),
                None,
            ),
            (raw(None, None, shared, None), None),
            (raw(None, Some("not a url"), shared, None), None),
        ];
        for (r, want) in table {
            assert_eq!(discovery_base(&r).as_deref(), want, "{r:?}");
        }
    }

    #[test]
    fn a_discovered_tenant_fills_a_missing_one_for_a_shared_authorization_server() {
        let r = raw(
            None,
            Some("https://acme.halopsa.com/api"),
            Some("https://auth.haloservicedesk.com"),
            None,
        );
        let found = Discovery {
            auth_url: Some("https://auth.haloservicedesk.com".into()),
            tenant_id: Some("acme-prod".into()),
        };
        let v = validate(&r, Some(&found)).unwrap();
        assert_eq!(v.settings.tenant, Tenant::Named("acme-prod".into()));
        assert_eq!(v.sources.get(&Field::Tenant), Some(&Source::Discovered));
        assert_eq!(v.settings.auth_server.host(), "auth.haloservicedesk.com");
    }

    #[test]
    fn a_discovered_tenant_that_is_no_tenant_is_refused_by_name() {
        let r = raw(Some("https://acme.halopsa.com"), None, None, None);
        let found = Discovery {
            auth_url: None,
            tenant_id: Some("not a tenant".into()),
        };
        let errs = validate(&r, Some(&found)).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].field, Field::Tenant);
    }

    #[test]
    fn fill_takes_the_hosting_answered_for_the_derived_tenant() {
        let r = raw(Some("https://halo.contoso.com"), None, None, None);
        let hosted = fill(&r, None, Some(true)).tenant.unwrap();
        assert_eq!(
            (hosted.value.as_str(), hosted.source),
            ("halo", Source::Derived)
        );
        let on_premise = fill(&r, None, Some(false)).tenant.unwrap();
        assert_eq!(on_premise.value, crate::url::NOT_SET);
        // Without an answer the host tells: not under Halo's domains, so none.
        assert_eq!(
            fill(&r, None, None).tenant.unwrap().value,
            crate::url::NOT_SET
        );
    }
}

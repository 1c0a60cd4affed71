//! Where a stored Client Secret may go, and where its access tokens may go: the Authorization
//! Server (its whole normalised URL, so another path on the same host is another server), the
//! Resource Server and the Client ID it was tested with travel inside the stored value (`bind`),
//! and `open` gives them back beside the secret, so a config that names the same profile with
//! another server cannot have the secret, or a token minted with it, sent there. A value stored
//! before this rule (no binding, or the first version's Client ID and Authorization Server origin
//! only) opens as not fully bound: a passing test binds it. Pure text; the stores keep the bound
//! value as they kept the secret.

use super::secret::Secret;
use super::url::{normalize_auth_server, normalize_resource_server};

/// The first line of a bound value (after it, the binding, a line break, the secret).
const MARK: &str = "halo-connect-bound-v2 ";
/// The first version's mark: `<Client ID> <Authorization Server origin>`.
const MARK_V1: &str = "halo-connect-bound-v1 ";

/// The servers and Client ID a secret was tested with, each normalised as a profile stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub auth_server: String,
    pub resource_server: String,
    pub client_id: String,
}

impl Binding {
    /// The binding of a profile's values (normalised, so a hand-edited config matches its save).
    pub fn of(auth_server: &str, resource_server: &str, client_id: &str) -> Binding {
        Binding {
            auth_server: normalize_auth_server(auth_server)
                .map(|(a, _)| a.as_str().to_string())
                .unwrap_or_else(|_| auth_server.to_string()),
            resource_server: normalize_resource_server(resource_server)
                .map(|(r, _)| r.as_str().to_string())
                .unwrap_or_else(|_| resource_server.to_string()),
            client_id: client_id.to_string(),
        }
    }

    /// What differs from `other`, each as `the Authorization Server X (not Y)`, in Halo's words.
    pub fn differences(&self, other: &Binding) -> Vec<String> {
        let mut out = Vec::new();
        for (label, mine, theirs) in [
            (
                "Authorization Server",
                &self.auth_server,
                &other.auth_server,
            ),
            (
                "Resource Server",
                &self.resource_server,
                &other.resource_server,
            ),
            ("Client ID", &self.client_id, &other.client_id),
        ] {
            if mine != theirs {
                out.push(format!("the {label} {mine} (not {theirs})"));
            }
        }
        out
    }

    /// One line: the two URLs (which never hold a space), then the Client ID.
    fn line(&self) -> String {
        format!(
            "{} {} {}",
            self.auth_server, self.resource_server, self.client_id
        )
    }

    fn parse(line: &str) -> Option<Binding> {
        let mut parts = line.splitn(3, ' ');
        Some(Binding {
            auth_server: parts.next()?.to_string(),
            resource_server: parts.next()?.to_string(),
            client_id: parts.next()?.to_string(),
        })
    }
}

/// What a store held beside the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Bound to the servers and Client ID it was tested with.
    Bound(Binding),
    /// Bound by the first version: the Client ID and the Authorization Server's origin only.
    Origin { client_id: String, origin: String },
    /// Stored before secrets were bound.
    Unbound,
}

/// How a stored secret stands against the binding a profile wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// Bound to exactly these values.
    Bound,
    /// Not (fully) bound yet, and nothing it is bound to differs: usable, and a passing test
    /// binds it.
    NotYetBound,
    /// Bound elsewhere: each difference, in words.
    Elsewhere(Vec<String>),
}

impl Stored {
    /// How this stored binding fits `want`.
    pub fn fit(&self, want: &Binding) -> Fit {
        match self {
            Stored::Bound(b) if b == want => Fit::Bound,
            Stored::Bound(b) => Fit::Elsewhere(b.differences(want)),
            Stored::Origin { client_id, origin } => {
                let want_origin = origin_of(&want.auth_server);
                let mut diffs = Vec::new();
                if *origin != want_origin {
                    diffs.push(format!(
                        "the Authorization Server {origin} (not {want_origin})"
                    ));
                }
                if *client_id != want.client_id {
                    diffs.push(format!(
                        "the Client ID {client_id} (not {})",
                        want.client_id
                    ));
                }
                if diffs.is_empty() {
                    Fit::NotYetBound
                } else {
                    Fit::Elsewhere(diffs)
                }
            }
            Stored::Unbound => Fit::NotYetBound,
        }
    }
}

fn origin_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_string())
}

/// The value to store: the binding, then the secret.
pub fn bind(secret: &Secret, binding: &Binding) -> Secret {
    Secret::new(format!("{MARK}{}\n{}", binding.line(), secret.expose()))
}

/// What a store held: its binding and the secret itself.
pub fn open(stored: &Secret) -> (Stored, Secret) {
    let text = stored.expose();
    if let Some((line, secret)) = text
        .strip_prefix(MARK)
        .and_then(|rest| rest.split_once('\n'))
    {
        if let Some(b) = Binding::parse(line) {
            return (Stored::Bound(b), Secret::new(secret));
        }
    }
    if let Some((line, secret)) = text
        .strip_prefix(MARK_V1)
        .and_then(|rest| rest.split_once('\n'))
    {
        // `<Client ID> <origin>`: the origin never holds a space, the Client ID might.
        if let Some((client_id, origin)) = line.rsplit_once(' ') {
            return (
                Stored::Origin {
                    client_id: client_id.to_string(),
                    origin: origin.to_string(),
                },
                Secret::new(secret),
            );
        }
    }
    (Stored::Unbound, stored.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    const AS: &str = "https://acme.halopsa.com/auth/";
    const RS: &str = "https://acme.halopsa.com/api";

    #[test]
    fn a_bound_secret_opens_to_its_binding_and_itself() {
        let b = Binding::of(AS, RS, "id-1");
        let stored = bind(&Secret::new("s3cr3t"), &b);
        assert!(!stored.expose().starts_with("s3cr3t"));
        let (got, secret) = open(&stored);
        assert_eq!(got, Stored::Bound(b.clone()));
        assert_eq!(secret.expose(), "s3cr3t");
        assert_eq!(got.fit(&b), Fit::Bound);
        // A Client ID holding a space survives the line.
        let spaced = Binding::of(AS, RS, "id with space");
        assert_eq!(
            open(&bind(&Secret::new("s"), &spaced)).0,
            Stored::Bound(spaced)
        );
    }

    #[test]
    fn another_authorization_server_resource_server_or_client_id_is_another_binding() {
        let b = Binding::of(AS, RS, "id-1");
        let (stored, _) = open(&bind(&Secret::new("s"), &b));
        for other in [
            Binding::of("https://evil.example/auth/", RS, "id-1"),
            Binding::of(AS, "https://evil.example/api", "id-1"),
            Binding::of(AS, RS, "id-2"),
            // The same origin, another path (finding 20): another server.
            Binding::of("https://acme.halopsa.com/evil/path/", RS, "id-1"),
            Binding::of("https://acme.halopsa.com/AUTH/", RS, "id-1"),
            Binding::of(AS, "https://acme.halopsa.com/other/api", "id-1"),
        ] {
            match stored.fit(&other) {
                Fit::Elsewhere(d) => assert_eq!(d.len(), 1, "{d:?}"),
                f => panic!("{other:?} fitted as {f:?}"),
            }
        }
    }

    #[test]
    fn a_binding_is_of_the_normalised_values() {
        assert_eq!(
            Binding::of("https://ACME.halopsa.com:443/auth", RS, "id"),
            Binding::of(AS, "https://acme.halopsa.com/api/", "id")
        );
    }

    #[test]
    fn a_secret_stored_before_binding_opens_unbound_and_fits_until_bound() {
        let (got, secret) = open(&Secret::new("plain"));
        assert_eq!(got, Stored::Unbound);
        assert_eq!(secret.expose(), "plain");
        assert_eq!(got.fit(&Binding::of(AS, RS, "id")), Fit::NotYetBound);
    }

    #[test]
    fn a_first_version_binding_keeps_its_origin_and_client_id_and_is_not_fully_bound() {
        let v1 = Secret::new("halo-connect-bound-v1 id-1 https://acme.halopsa.com\ns3cr3t");
        let (got, secret) = open(&v1);
        assert_eq!(secret.expose(), "s3cr3t");
        assert_eq!(got.fit(&Binding::of(AS, RS, "id-1")), Fit::NotYetBound);
        assert!(matches!(
            got.fit(&Binding::of("https://evil.example/auth/", RS, "id-1")),
            Fit::Elsewhere(_)
        ));
        assert!(matches!(
            got.fit(&Binding::of(AS, RS, "id-2")),
            Fit::Elsewhere(_)
        ));
    }
}

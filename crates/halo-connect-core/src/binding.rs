//! Where a stored Client Secret may go: the Authorization Server origin and the Client ID it was
//! tested with travel inside the stored value (`bind`), and `open` gives them back beside the
//! secret, so a config that names the same profile with another server cannot have the secret sent
//! there. Pure text; the stores keep the bound value as they kept the secret.

use super::secret::Secret;

/// The first line of a bound value (after it, the binding, a line break, the secret).
const MARK: &str = "halo-connect-bound-v1 ";

/// The binding of a secret: `<Client ID> <Authorization Server origin>`.
pub fn binding(auth_server: &str, client_id: &str) -> String {
    let origin = url::Url::parse(auth_server)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| auth_server.to_string());
    format!("{client_id} {origin}")
}

/// The value to store: the binding, then the secret.
pub fn bind(secret: &Secret, binding: &str) -> Secret {
    Secret::new(format!("{MARK}{binding}\n{}", secret.expose()))
}

/// What a store held: the binding (None for a secret stored before secrets were bound) and the
/// secret itself.
pub fn open(stored: &Secret) -> (Option<String>, Secret) {
    match stored
        .expose()
        .strip_prefix(MARK)
        .and_then(|rest| rest.split_once('\n'))
    {
        Some((binding, secret)) => (Some(binding.to_string()), Secret::new(secret)),
        None => (None, stored.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_secret_opens_to_its_binding_and_itself() {
        let b = binding("https://acme.halopsa.com/auth/", "id-1");
        assert_eq!(b, "id-1 https://acme.halopsa.com");
        let stored = bind(&Secret::new("s3cr3t"), &b);
        assert_ne!(stored.expose(), "s3cr3t");
        let (got, secret) = open(&stored);
        assert_eq!(got.as_deref(), Some(b.as_str()));
        assert_eq!(secret.expose(), "s3cr3t");
        // Another server or Client ID is another binding.
        assert_ne!(binding("https://evil.example/auth/", "id-1"), b);
        assert_ne!(binding("https://acme.halopsa.com/auth/", "id-2"), b);
    }

    #[test]
    fn a_secret_stored_before_binding_opens_unbound() {
        let (got, secret) = open(&Secret::new("plain"));
        assert_eq!(got, None);
        assert_eq!(secret.expose(), "plain");
    }
}

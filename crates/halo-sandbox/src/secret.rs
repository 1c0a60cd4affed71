//! `ClientSecret`: the Client Secret the emulator accepts. The sandbox keeps its own type rather than
//! borrowing halo-connect's, so it stays usable by any project; it must never print the value.

use std::fmt;
use zeroize::Zeroizing;

/// The secret the sandbox's token endpoint accepts. Debug prints `ClientSecret(redacted)`.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(Zeroizing<String>);

impl ClientSecret {
    pub fn new(value: impl Into<String>) -> Self {
        ClientSecret(Zeroizing::new(value.into()))
    }

    /// The value, for the client under test to send.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(redacted)")
    }
}

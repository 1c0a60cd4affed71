//! A stored connection `Profile`: the non-secret settings of one named connection, as kept in the
//! config file, plus where its secret lives. It holds no secret and does no I/O.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a profile's Client Secret is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SecretStoreKind {
    /// The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager).
    #[default]
    Keyring,
    /// A separate credentials file with mode 0600.
    File,
    /// Not stored: supplied by `HALO_CLIENT_SECRET` at use.
    None,
}

impl SecretStoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretStoreKind::Keyring => "keyring",
            SecretStoreKind::File => "file",
            SecretStoreKind::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "keyring" => Some(SecretStoreKind::Keyring),
            "file" => Some(SecretStoreKind::File),
            "none" => Some(SecretStoreKind::None),
            _ => None,
        }
    }
}

impl fmt::Display for SecretStoreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the Halo instance runs, as the operator said in the wizard (or as the Tenant shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Hosting {
    /// Hosted by Halo (an address such as `https://acme.halopsa.com`).
    Hosted,
    /// Halo on the customer's own server: the Tenant is "Not set".
    OnPremise,
}

impl Hosting {
    /// The word in the profile and in `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Hosting::Hosted => "hosted",
            Hosting::OnPremise => "on-premise",
        }
    }

    /// The words integrations' forms use (n8n's "Hosting Type").
    pub fn label(self) -> &'static str {
        match self {
            Hosting::Hosted => "Hosted by Halo",
            Hosting::OnPremise => "On-premise",
        }
    }
}

impl fmt::Display for Hosting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of the last Save and Test, kept so `list` can show it without the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LastTest {
    pub ok: bool,
    pub exit_code: i32,
    /// RFC 3339 UTC time of the test.
    pub at: String,
}

/// One named connection as stored in the config file (one TOML table per profile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub preset: String,
    pub resource_server: String,
    pub auth_server: String,
    /// `None` means "Not set" (on-premise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    pub client_id: String,
    /// Hosted by Halo or on-premise; absent in profiles saved before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosting: Option<Hosting>,
    #[serde(default)]
    pub secret_store: SecretStoreKind,
    /// Scopes of a `custom` preset; empty for the named presets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// A profile made against the built-in emulator.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sandbox: bool,
    /// The emulator scenario a sandbox profile was made with; `test` starts the same one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_test: Option<LastTest>,
}

impl Profile {
    /// Where this profile's stored secret may go (`domain::binding`).
    pub fn binding(&self) -> super::binding::Binding {
        super::binding::Binding::of(&self.auth_server, &self.resource_server, &self.client_id)
    }
}

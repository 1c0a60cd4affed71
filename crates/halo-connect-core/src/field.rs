//! The names of a connection's values (`Field`, in the words of Halo's "API Details" page, with
//! their flags and the `HALO_*` environment variables that carry them), why a value was refused
//! (`Reason`, `ValueError`) and what was changed in it (`Note`). Every value type uses these; the
//! rules that produce them live beside each value (`url.rs`, `values.rs`). No I/O.

use std::fmt;

/// The environment variables, named once: clap's `env =` attributes and every reader use these.
pub mod env {
    pub const PROFILE: &str = "HALO_PROFILE";
    pub const CONFIG: &str = "HALO_CONNECT_CONFIG";
    pub const TIMEOUT: &str = "HALO_TIMEOUT";
    pub const CA_CERT: &str = "HALO_CA_CERT";
    pub const URL: &str = "HALO_URL";
    pub const RESOURCE_SERVER: &str = "HALO_RESOURCE_SERVER";
    pub const AUTH_SERVER: &str = "HALO_AUTH_SERVER";
    pub const TENANT: &str = "HALO_TENANT";
    pub const CLIENT_ID: &str = "HALO_CLIENT_ID";
    pub const CLIENT_SECRET: &str = "HALO_CLIENT_SECRET";
    pub const PRESET: &str = "HALO_PRESET";
    pub const SECRET_STORE: &str = "HALO_SECRET_STORE";
    /// The OS keyring's service name (default `halo-connect`), so tests keep their own.
    pub const KEYRING_SERVICE: &str = "HALO_CONNECT_KEYRING_SERVICE";
    /// Set by a shell's completion script when it asks for completions.
    pub const COMPLETE: &str = "HALO_CONNECT_COMPLETE";
    /// The Client Secret the sandbox accepts (its public demo secret otherwise).
    pub const SANDBOX_SECRET: &str = "HALO_SANDBOX_SECRET";
    /// The key the sandbox's scenario changes need (random otherwise).
    pub const SANDBOX_KEY: &str = "HALO_SANDBOX_KEY";
    /// Milliseconds the sandbox waits before each answer (`init --sandbox`, `test --sandbox`).
    pub const SANDBOX_LATENCY_MS: &str = "HALO_SANDBOX_LATENCY_MS";
    /// The per-connection variables, in the order `--from-env` names them.
    pub const CONNECTION: [&str; 6] = [
        URL,
        RESOURCE_SERVER,
        AUTH_SERVER,
        TENANT,
        CLIENT_ID,
        CLIENT_SECRET,
    ];
}

/// Which value a message is about, in the words of Halo's "API Details" page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Url,
    ResourceServer,
    AuthServer,
    Tenant,
    ClientId,
    ClientSecret,
    Preset,
    Scopes,
}

impl Field {
    /// The label Halo uses for the value.
    pub fn label(self) -> &'static str {
        match self {
            Field::Url => "Halo address",
            Field::ResourceServer => "Resource Server",
            Field::AuthServer => "Authorization Server",
            Field::Tenant => "Tenant",
            Field::ClientId => "Client ID",
            Field::ClientSecret => "Client Secret",
            Field::Preset => "Preset",
            Field::Scopes => "Scopes",
        }
    }

    /// The environment variable that supplies the value (`env` holds every name).
    pub fn env_var(self) -> Option<&'static str> {
        match self {
            Field::Url => Some(env::URL),
            Field::ResourceServer => Some(env::RESOURCE_SERVER),
            Field::AuthServer => Some(env::AUTH_SERVER),
            Field::Tenant => Some(env::TENANT),
            Field::ClientId => Some(env::CLIENT_ID),
            Field::ClientSecret => Some(env::CLIENT_SECRET),
            Field::Preset => Some(env::PRESET),
            Field::Scopes => None,
        }
    }

    /// The flag and environment variable that supply the value without a prompt.
    pub fn flag(self) -> String {
        match (self, self.env_var()) {
            (Field::ClientSecret, Some(var)) => {
                format!("--client-secret-stdin, --client-secret-file or {var}")
            }
            (_, Some(var)) => format!("{} ({var})", self.flag_name()),
            (_, None) => self.flag_name().to_string(),
        }
    }

    /// How to give the value through `channel`, for messages.
    pub fn how_to_give(self, channel: Channel) -> String {
        match (channel, self.env_var()) {
            (Channel::Env, Some(var)) => var.to_string(),
            _ => self.flag(),
        }
    }

    /// The flag alone.
    pub fn flag_name(self) -> &'static str {
        match self {
            Field::Url => "--url",
            Field::ResourceServer => "--resource-server",
            Field::AuthServer => "--auth-server",
            Field::Tenant => "--tenant",
            Field::ClientId => "--client-id",
            Field::ClientSecret => "--client-secret-stdin",
            Field::Preset => "--preset",
            Field::Scopes => "--scopes",
        }
    }
}

/// How the command at hand takes its values: flags (with their environment variables), or the
/// environment alone (`test --from-env`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Flags,
    Env,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a typed value was refused. Each reason reads as the end of "The <field> ... was refused:".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    Empty,
    Missing,
    Whitespace,
    NoScheme { suggestion: String },
    BadScheme(String),
    PlainHttp(String),
    QueryString,
    Credentials,
    Malformed(String),
    NoHost,
    LooksLikeAuthServer,
    LooksLikeResourceServer,
    TenantIsAddress,
    TenantChars(char),
    TooLong(usize),
    SharedAuthNeedsTenant(String),
    Other(String),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Empty => write!(f, "it is empty"),
            Reason::Missing => write!(f, "no value was given"),
            Reason::Whitespace => write!(f, "it contains a space; copy it again without line breaks or spaces"),
            Reason::NoScheme { suggestion } => write!(f, "it has no https:// at the start; did you mean {suggestion}?"),
            Reason::BadScheme(s) => write!(f, "it starts with {s}://, but Halo is reached over https://"),
            Reason::PlainHttp(host) => write!(
                f,
                "it uses plain http:// to {host}, which would send the Client Secret unencrypted; use https:// (plain http is allowed only for localhost)"
            ),
            Reason::QueryString => write!(f, "it contains a query string (? or #); copy the value from API Details without anything after it"),
            Reason::Credentials => write!(f, "it contains a user name or password before the host; remove it"),
            Reason::Malformed(why) => write!(f, "it is not a valid address ({why})"),
            Reason::NoHost => write!(f, "it names no host"),
            Reason::LooksLikeAuthServer => write!(
                f,
                "it ends in /auth, which is the Authorization Server; the Resource Server ends in /api (the two values look swapped)"
            ),
            Reason::LooksLikeResourceServer => write!(
                f,
                "it ends in /api, which is the Resource Server; the Authorization Server ends in /auth/ (the two values look swapped)"
            ),
            Reason::TenantIsAddress => write!(f, "it is an address, but the Tenant is a name such as \"acme\", or \"Not set\" on-premise"),
            Reason::TenantChars(c) => write!(f, "it contains {c:?}; a Tenant is a name of letters, digits, '-', '_' or '.'"),
            Reason::TooLong(n) => write!(f, "it is {n} characters long, which is longer than any Halo value"),
            Reason::SharedAuthNeedsTenant(host) => write!(
                f,
                "the Authorization Server {host} is shared by many Halo instances, so the Tenant is required; copy it from API Details"
            ),
            Reason::Other(s) => f.write_str(s),
        }
    }
}

/// A refused value: which field, and why. It never carries the Client Secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {field} {shown}was refused: {reason}")]
pub struct ValueError {
    pub field: Field,
    /// The value as typed, quoted with a trailing space, or empty for the secret.
    shown: String,
    pub reason: Reason,
}

impl ValueError {
    pub fn new(field: Field, input: &str, reason: Reason) -> Self {
        let shown = if field == Field::ClientSecret || input.trim().is_empty() {
            String::new()
        } else {
            let mut s: String = input.trim().chars().take(120).collect();
            if input.trim().chars().count() > 120 {
                s.push('…');
            }
            format!("{s:?} ")
        };
        ValueError {
            field,
            shown,
            reason,
        }
    }

    pub fn missing(field: Field) -> Self {
        ValueError {
            field,
            shown: String::new(),
            reason: Reason::Missing,
        }
    }
}

/// A change made to what the operator typed, to be told to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub field: Field,
    pub text: String,
}

impl Note {
    pub fn new(field: Field, text: impl Into<String>) -> Self {
        Note {
            field,
            text: text.into(),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.text)
    }
}

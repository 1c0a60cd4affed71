//! `AppError`, a command's failure, and every conversion of a layer's error into one, so the
//! classification can be reviewed on one screen. The exit codes come from `Kind`'s one table.

use std::fmt;

use crate::domain::field::{env, Channel, Field, Reason, ValueError};
pub use crate::domain::kind::Kind;
use crate::domain::preset::PresetError;
use crate::domain::report::Failure;

/// A command's failure: a message, an optional hint, and the kind that gives the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
    /// Further lines, such as every missing value of a non-interactive run.
    pub details: Vec<String>,
}

impl AppError {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        AppError {
            kind,
            message: message.into(),
            hint: None,
            details: Vec::new(),
        }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        AppError::new(Kind::Usage, message)
    }
    pub fn config(message: impl Into<String>) -> Self {
        AppError::new(Kind::Config, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        AppError::new(
            Kind::Internal,
            format!(
                "{} (this is a bug in halo-connect; please report it)",
                message.into()
            ),
        )
    }
    pub fn interrupted() -> Self {
        AppError::new(Kind::Interrupted, "interrupted; nothing was changed")
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }
    /// The error object of the JSON contract: `{kind, message, hint, details}`.
    pub fn failure(&self) -> Failure {
        Failure {
            kind: self.kind,
            message: self.message.clone(),
            hint: self.hint.clone(),
            details: self.details.clone(),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl From<ValueError> for AppError {
    fn from(e: ValueError) -> Self {
        AppError::from(vec![e])
    }
}

impl From<Vec<ValueError>> for AppError {
    fn from(errors: Vec<ValueError>) -> Self {
        AppError::from_values(errors, Channel::Flags)
    }
}

impl AppError {
    /// Every refused and missing value in one error, each said with how to give it through
    /// `channel`.
    pub fn from_values(errors: Vec<ValueError>, channel: Channel) -> Self {
        let missing: Vec<&ValueError> = errors
            .iter()
            .filter(|e| e.reason == Reason::Missing)
            .collect();
        let refused: Vec<&ValueError> = errors
            .iter()
            .filter(|e| e.reason != Reason::Missing)
            .collect();
        let mut details = Vec::new();
        for e in &refused {
            details.push(e.to_string());
        }
        for e in &missing {
            details.push(format!(
                "missing: the {} (give it with {})",
                e.field,
                e.field.how_to_give(channel)
            ));
        }
        let message = match (refused.len(), missing.len()) {
            (1, 0) => refused[0].to_string(),
            (0, 1) => format!(
                "the {} is missing; give it with {}",
                missing[0].field,
                missing[0].field.how_to_give(channel)
            ),
            (0, n) => format!("{n} values are missing"),
            (r, 0) => format!("{r} values were refused"),
            (r, m) => format!(
                "{r} {} refused and {m} {} missing",
                if r == 1 { "value was" } else { "values were" },
                if m == 1 { "is" } else { "are" }
            ),
        };
        let hint = if channel == Channel::Env {
            format!(
                "--from-env reads only the environment: set {} (or {} and {}), {} if needed, {} and {}",
                env::URL,
                env::RESOURCE_SERVER,
                env::AUTH_SERVER,
                env::TENANT,
                env::CLIENT_ID,
                env::CLIENT_SECRET
            )
        } else if missing.iter().any(|e| {
            matches!(
                e.field,
                Field::Url | Field::ResourceServer | Field::AuthServer | Field::Tenant
            )
        }) {
            "give a Halo address with --url to derive the Resource Server, Authorization Server and Tenant; the Client ID and Secret are on the application in Configuration > Integrations > HaloPSA API > View Applications".to_string()
        } else if missing.is_empty() {
            "copy the values from Configuration > Integrations > HaloPSA API (API Details) and the application under View Applications".to_string()
        } else {
            // The servers are known (or refused, with their own fix above): only the
            // application's values are wanting.
            "the Client ID and Client Secret are on the application in Configuration > Integrations > HaloPSA API > View Applications".to_string()
        };
        let details = if details.len() > 1 {
            details
        } else {
            Vec::new()
        };
        AppError {
            kind: Kind::Config,
            message,
            hint: Some(hint.to_string()),
            details,
        }
    }
}

impl From<PresetError> for AppError {
    fn from(e: PresetError) -> Self {
        let hint = match &e {
            PresetError::Unknown { .. } => {
                "run `halo-connect presets` to see each preset and who uses it"
            }
            _ => "check the preset file against `halo-connect presets show billing --json`",
        };
        AppError::config(e.to_string()).with_hint(hint)
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(e: crate::store::StoreError) -> Self {
        use crate::store::StoreError as S;
        let hint = match &e {
            S::Invalid { .. } => Some("fix that line by hand, or move the file away to start afresh; halo-connect never overwrites a file it cannot read".to_string()),
            S::Corrupt { .. } => Some("fix the file by hand, or move it away to start afresh; halo-connect never overwrites a file it cannot read".to_string()),
            S::UnknownProfile { name, known } if known.is_empty() => Some(format!("create it with `halo-connect init --profile {name}`, or try the emulator first with `halo-connect init --sandbox`")),
            S::UnknownProfile { name, .. } => Some(format!("run `halo-connect list` to see the profiles, or create `{name}` with `halo-connect init --profile {name}`")),
            S::KeyringUnavailable { .. } | S::KeyringTimeout { .. } => {
                Some(format!("with init, pass --secret-store file or --secret-store none; with test or token, set {}", env::CLIENT_SECRET))
            }
            S::Locked { .. } => Some("wait for the other halo-connect to finish, then try again".to_string()),
            S::UnsafePath { what: crate::store::Trusted::Config, path, .. } => Some(format!(
                "make it yours and closed to others (`chown $(id -u) {0}` and `chmod go-w {0}`), or keep the config elsewhere with --config PATH",
                path.display()
            )),
            S::UnsafePath { what: crate::store::Trusted::CaFile, path, .. } => Some(format!(
                "make it yours and closed to others (`chown $(id -u) {0}` and `chmod go-w {0}`), or keep a copy of the CA certificate in a directory only you can write and name it with --ca-cert PATH",
                path.display()
            )),
            S::Read { path, cause } if cause.kind() == std::io::ErrorKind::InvalidInput => Some(format!(
                "halo-connect reads only a regular file there, never a pipe, a device or a directory: move {} away and put the file in its place",
                path.display()
            )),
            S::Read { cause, .. } if cause.kind() == std::io::ErrorKind::InvalidData => Some(
                "name the file meant; none of halo-connect's files is that large".to_string(),
            ),
            S::ReportRefused { .. } => Some(
                "name a new file, an empty one, or the one an earlier run of the same report wrote".to_string(),
            ),
            S::Write { .. } => Some("check that the config directory is writable and the disk is not full".to_string()),
            _ => None,
        };
        let mut err = AppError::config(e.to_string());
        err.hint = hint;
        err
    }
}

//! `StoreError`: every way storage can fail, as data. Each message is a complete lowercase clause that
//! names the file or profile and the cause, so it reads well after `error: `. The I/O cause is part of
//! the message (fields are named `cause`, not `source`), so a renderer walking `source()` does not
//! print it twice. No variant ever holds a secret.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use super::strict::Trusted;

/// Which step of an atomic file replacement failed (the old file is intact after any of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteStep {
    CreateDir,
    OpenLock,
    CreateTemp,
    WriteTemp,
    SyncTemp,
    Replace,
    SyncDir,
}

impl fmt::Display for WriteStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WriteStep::CreateDir => "creating its directory",
            WriteStep::OpenLock => "opening its lock file",
            WriteStep::CreateTemp => "creating a temporary file beside it",
            WriteStep::WriteTemp => "writing a temporary file beside it",
            WriteStep::SyncTemp => "flushing a temporary file to disk",
            WriteStep::Replace => "renaming the temporary file over it",
            WriteStep::SyncDir => "flushing its directory to disk",
        })
    }
}

impl Trusted {
    fn noun(self) -> &'static str {
        match self {
            Trusted::Config => "config",
            Trusted::CaFile => "CA file",
        }
    }

    fn stake(self) -> &'static str {
        match self {
            Trusted::Config => "choose where the Client Secret is sent",
            Trusted::CaFile => "choose which servers may stand in for Halo",
        }
    }
}

const KEYRING_CHOICES: &str = "choose `--secret-store file` (a 0600 file next to the config) or \
`--secret-store none` (supply HALO_CLIENT_SECRET at use)";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read {path}: {cause}")]
    Read { path: PathBuf, cause: io::Error },

    #[error("{path} is not valid TOML at line {line}, column {column}: {message}; fix or move the file, halo-connect will not overwrite it")]
    Corrupt {
        path: PathBuf,
        /// 1-based.
        line: usize,
        /// 1-based, in characters.
        column: usize,
        message: String,
    },

    #[error("cannot write {path}: {step} failed: {cause}; the previous file is unchanged")]
    Write {
        path: PathBuf,
        step: WriteStep,
        cause: io::Error,
    },

    #[error("cannot serialise the data for {path}: {message}")]
    Serialize { path: PathBuf, message: String },

    #[error("{path} is locked by another halo-connect process (lock file {lock_path}, waited {:.1} s)", waited.as_secs_f32())]
    Locked {
        path: PathBuf,
        lock_path: PathBuf,
        waited: Duration,
    },

    #[error("{path}, line {line}: the {place} {problem}")]
    Invalid {
        path: PathBuf,
        /// 1-based.
        line: usize,
        /// "key `x` of profile `y`".
        place: String,
        problem: String,
    },

    #[error("profile `{name}` already exists; run `halo-connect init --profile {name} --force` to overwrite it")]
    ProfileExists { name: String },

    #[error("profile `{name}` does not exist ({})", known_list(known))]
    UnknownProfile { name: String, known: Vec<String> },

    #[error("profile name `{name}` is invalid: {reason}")]
    BadProfileName { name: String, reason: &'static str },

    #[error("no OS keyring answered ({reason}); {KEYRING_CHOICES}")]
    KeyringUnavailable { reason: String },

    #[error("the OS keyring did not answer within {:.1} s (it may be locked or waiting for a prompt); {KEYRING_CHOICES}", waited.as_secs_f32())]
    KeyringTimeout { waited: Duration },

    #[error("the OS keyring refused the entry for profile `{profile}`: {reason}")]
    Keyring { profile: String, reason: String },

    #[error(
        "{path} is readable by group or others (mode {mode:04o}); run `chmod 600 {path}` first"
    )]
    InsecurePermissions { path: PathBuf, mode: u32 },

    #[error("the {} {file} is not trusted: {path} {reason}, so another user could {}", what.noun(), what.stake())]
    UnsafePath {
        what: Trusted,
        file: PathBuf,
        path: PathBuf,
        reason: String,
    },

    #[error("{path} holds no secret (it is empty or only whitespace)")]
    EmptySecretFile { path: PathBuf },

    #[error("{path} is not a secret file: {reason}")]
    BadSecretFile { path: PathBuf, reason: &'static str },

    #[error("will not write the {what} to {path}: {reason}")]
    ReportRefused {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        "no profiles are configured yet".to_string()
    } else {
        format!("known profiles: {}", known.join(", "))
    }
}

//! Storage: the TOML config file of profiles (`config`) and the secret stores (`secrets`: OS keyring,
//! a 0600 credentials file, or none). It owns every byte halo-connect writes to disk: atomic
//! replacement (temp file + fsync + rename) under an exclusive lock file, refusal to overwrite a
//! corrupt file, and refusal to read a secret from a file that group or others can read.
//!
//! It depends on `crate::domain` only. It never touches the network or the terminal, reads no
//! environment variable (callers pass `$XDG_CONFIG_HOME` in), and never imports `crate::halo`,
//! `crate::wizard` or `crate::ui`. A secret leaves this module only as a `domain::Secret`; no
//! error, Debug output or log line here ever contains one.

mod bundle_file;
mod ca;
pub mod config;
mod error;
mod fsutil;
mod report_file;
pub mod secrets;
mod strict;

pub use bundle_file::{check_report_path, write_report};
pub use ca::read_ca_file;
pub use config::{validate_profile_name, Config, ConfigFile};
pub use error::{StoreError, WriteStep};
pub use fsutil::{read_regular_file, write_private};
pub use report_file::{write_man_page, write_report_file, ReportKind};
pub use secrets::{open_store, read_secret_file, FileStore, KeyringStore, NoneStore, SecretStore};
pub use strict::Trusted;

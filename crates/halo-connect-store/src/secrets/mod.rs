//! Where a profile's Client Secret lives: the OS keyring (`KeyringStore`), a 0600 credentials file
//! (`FileStore`) or nowhere (`NoneStore`, the secret comes from `HALO_CLIENT_SECRET` at use).
//!
//! Keyring rules: on Linux only the Secret Service is used (never the kernel keyutils store, which
//! forgets after days and is shared beyond a container). Every keyring call runs on its own plain
//! `std::thread` (never a tokio runtime thread: the keyring's zbus backend starts its own) and the
//! caller waits at most `timeout`, so a locked keyring or a missing D-Bus can never hang halo-connect.
//! Each store is its own file (`keyring.rs`, `file.rs`); `input.rs` reads `--client-secret-file`.

mod file;
mod input;
mod keyring;

pub use file::FileStore;
pub use input::read_secret_file;
pub use keyring::KeyringStore;

use std::path::PathBuf;
use std::time::Duration;

use super::error::StoreError;
use halo_connect_core::profile::SecretStoreKind;
use halo_connect_core::secret::Secret;

/// One place a profile's secret can be kept.
pub trait SecretStore: Send + Sync {
    fn kind(&self) -> SecretStoreKind;
    /// The stored secret, or `None` when this store has none for `profile`.
    fn get(&self, profile: &str) -> Result<Option<Secret>, StoreError>;
    /// Stores (or replaces) the secret of `profile`.
    fn set(&self, profile: &str, secret: &Secret) -> Result<(), StoreError>;
    /// Deletes the secret of `profile`; `Ok(false)` when there was none.
    fn delete(&self, profile: &str) -> Result<bool, StoreError>;
}

/// The store for `kind`. `credentials_path` is used by `File` only (`<config dir>/credentials.toml`),
/// `keyring_service` and `timeout` by `Keyring` only.
pub fn open_store(
    kind: SecretStoreKind,
    keyring_service: &str,
    credentials_path: PathBuf,
    timeout: Duration,
) -> Box<dyn SecretStore> {
    match kind {
        SecretStoreKind::Keyring => Box::new(KeyringStore::new(keyring_service, timeout)),
        SecretStoreKind::File => Box::new(FileStore::new(credentials_path)),
        SecretStoreKind::None => Box::new(NoneStore),
    }
}

/// Stores nothing: the secret is supplied by `HALO_CLIENT_SECRET` at use.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoneStore;

impl SecretStore for NoneStore {
    fn kind(&self) -> SecretStoreKind {
        SecretStoreKind::None
    }
    fn get(&self, _profile: &str) -> Result<Option<Secret>, StoreError> {
        Ok(None)
    }
    fn set(&self, _profile: &str, _secret: &Secret) -> Result<(), StoreError> {
        Ok(())
    }
    fn delete(&self, _profile: &str) -> Result<bool, StoreError> {
        Ok(false)
    }
}

#[cfg(test)]
mod tests;

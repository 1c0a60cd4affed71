//! The OS keyring store: service = the keyring service, account = the profile name. Every call runs
//! on its own thread with a time limit; it never holds a secret in an error.

use std::sync::{mpsc, Mutex};
use std::thread;
use std::time::Duration;

use zeroize::Zeroize;

use super::super::config::validate_profile_name;
use super::{SecretStore, StoreError};
use halo_connect_core::profile::SecretStoreKind;
use halo_connect_core::secret::Secret;

/// The OS keyring: service = `service`, account = profile name.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
    timeout: Duration,
}

/// Serialises keyring calls within the process: the Secret Service backend is not meant to be used
/// from several threads at once. Held by the worker thread only, so a hung call makes later calls
/// time out rather than hang.
static KEYRING_CALL: Mutex<()> = Mutex::new(());

/// The account name `probe` looks up (never written).
const PROBE_ACCOUNT: &str = "halo-connect-probe";

/// What a keyring call on the worker thread found, without any secret-bearing error payload.
pub(super) enum Outcome<T> {
    Ok(T),
    NoEntry,
    Unavailable(String),
    Refused(String),
}

impl KeyringStore {
    pub fn new(service: impl Into<String>, timeout: Duration) -> Self {
        KeyringStore {
            service: service.into(),
            timeout,
        }
    }

    /// Checks quickly that a keyring answers: a lookup of a probe account that is never written.
    /// "No such entry" means it works; no D-Bus / no Secret Service / no access means
    /// `KeyringUnavailable`; no answer within the timeout means `KeyringTimeout`. Never hangs.
    pub fn probe(&self) -> Result<(), StoreError> {
        match self.call(PROBE_ACCOUNT, |entry| entry.get_password().map(drop))? {
            Outcome::Ok(()) | Outcome::NoEntry => Ok(()),
            Outcome::Unavailable(reason) => Err(StoreError::KeyringUnavailable { reason }),
            Outcome::Refused(reason) => Err(StoreError::Keyring {
                profile: PROBE_ACCOUNT.to_string(),
                reason,
            }),
        }
    }

    /// Runs `op` on a fresh entry on a new plain thread (one keyring call at a time per process)
    /// and waits at most `self.timeout`.
    fn call<T: Send + 'static>(
        &self,
        account: &str,
        op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<Outcome<T>, StoreError> {
        let service = self.service.clone();
        let account = account.to_string();
        run_with_timeout(self.timeout, move || {
            let _one_at_a_time = KEYRING_CALL.lock().unwrap_or_else(|p| p.into_inner());
            match new_entry(&service, &account) {
                Ok(entry) => classify(op(&entry)),
                Err(e) => classify(Err(e)),
            }
        })
    }

    fn finish<T>(&self, profile: &str, outcome: Outcome<T>, none: T) -> Result<T, StoreError> {
        match outcome {
            Outcome::Ok(v) => Ok(v),
            Outcome::NoEntry => Ok(none),
            Outcome::Unavailable(reason) => Err(StoreError::KeyringUnavailable { reason }),
            Outcome::Refused(reason) => Err(StoreError::Keyring {
                profile: profile.to_string(),
                reason,
            }),
        }
    }
}

/// Runs `work` on a new plain `std::thread` and waits at most `timeout` for its answer. On a
/// timeout the thread is left to finish (or hang) on its own; nothing waits for it.
pub(super) fn run_with_timeout<T: Send + 'static>(
    timeout: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = thread::Builder::new()
        .name("halo-keyring".into())
        .spawn(move || {
            let _ = tx.send(work());
        });
    if let Err(e) = spawned {
        return Err(StoreError::KeyringUnavailable {
            reason: format!("cannot start a thread for the keyring call: {e}"),
        });
    }
    match rx.recv_timeout(timeout) {
        Ok(answer) => Ok(answer),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(StoreError::KeyringTimeout { waited: timeout }),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(StoreError::KeyringUnavailable {
            reason: "the keyring call failed unexpectedly".to_string(),
        }),
    }
}

/// On Linux (and the BSDs) the entry is built on the Secret Service explicitly, so nothing can
/// redirect it to keyutils or the mock store; elsewhere the platform default (Keychain, Credential
/// Manager) is used.
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn new_entry(service: &str, account: &str) -> keyring::Result<keyring::Entry> {
    let credential =
        keyring::secret_service::SsCredential::new_with_target(None, service, account)?;
    Ok(keyring::Entry::new_with_credential(Box::new(credential)))
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
fn new_entry(service: &str, account: &str) -> keyring::Result<keyring::Entry> {
    keyring::Entry::new(service, account)
}

/// Turns a keyring result into an `Outcome`. Error payloads that can hold secret bytes
/// (`BadEncoding`) are never formatted.
pub(super) fn classify<T>(result: keyring::Result<T>) -> Outcome<T> {
    use keyring::Error as E;
    match result {
        Ok(v) => Outcome::Ok(v),
        Err(E::NoEntry) => Outcome::NoEntry,
        Err(E::PlatformFailure(e)) => Outcome::Unavailable(format!("platform failure: {e}")),
        Err(E::NoStorageAccess(e)) => {
            Outcome::Unavailable(format!("no access to the keyring (is it locked?): {e}"))
        }
        Err(E::BadEncoding(mut bytes)) => {
            bytes.zeroize();
            Outcome::Refused("the stored secret is not valid UTF-8".to_string())
        }
        Err(E::TooLong(attr, limit)) => Outcome::Refused(format!(
            "the {attr} is longer than the keyring's limit of {limit}"
        )),
        Err(E::Invalid(attr, reason)) => Outcome::Refused(format!("invalid {attr}: {reason}")),
        Err(E::Ambiguous(items)) => Outcome::Refused(format!(
            "{} keyring entries match; remove the duplicates",
            items.len()
        )),
        Err(_) => Outcome::Refused("an unknown keyring error occurred".to_string()),
    }
}

impl SecretStore for KeyringStore {
    fn kind(&self) -> SecretStoreKind {
        SecretStoreKind::Keyring
    }

    fn get(&self, profile: &str) -> Result<Option<Secret>, StoreError> {
        validate_profile_name(profile)?;
        let outcome = self.call(profile, |entry| {
            entry.get_password().map(|p| Some(Secret::new(p)))
        })?;
        self.finish(profile, outcome, None)
    }

    fn set(&self, profile: &str, secret: &Secret) -> Result<(), StoreError> {
        validate_profile_name(profile)?;
        let secret = secret.clone();
        let outcome = self.call(profile, move |entry| entry.set_password(secret.expose()))?;
        match outcome {
            // The Secret Service reports a refused write as NoEntry in some setups.
            Outcome::NoEntry => Err(StoreError::KeyringUnavailable {
                reason: "the keyring did not store the entry".to_string(),
            }),
            other => self.finish(profile, other, ()),
        }
    }

    fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        validate_profile_name(profile)?;
        let outcome = self.call(profile, |entry| entry.delete_credential().map(|()| true))?;
        self.finish(profile, outcome, false)
    }
}

//! The credentials file store: a 0600 TOML file beside the config, written atomically under its own
//! lock, never read when group or others can read it. Its contents are wiped from memory on drop.

use std::fs::File;
use std::path::{Path, PathBuf};

use zeroize::{Zeroize, Zeroizing};

use super::super::config::validate_profile_name;
use super::super::fsutil;
use super::{SecretStore, StoreError};
use halo_connect_core::profile::SecretStoreKind;
use halo_connect_core::secret::Secret;

/// A TOML credentials file, `[profiles.NAME] client_secret = "…"`, mode 0600, separate from the
/// config. Written atomically under its own lock file; never read when group or others can read it.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

/// The credentials file's contents; every string is zeroed on drop.
struct Credentials(toml::Table);

impl Drop for Credentials {
    fn drop(&mut self) {
        self.0.iter_mut().for_each(|(_, v)| wipe(v));
    }
}

/// Zeroes every string in `value` (used before a parsed secret is dropped).
fn wipe(value: &mut toml::Value) {
    match value {
        toml::Value::String(s) => s.zeroize(),
        toml::Value::Table(t) => t.iter_mut().for_each(|(_, v)| wipe(v)),
        toml::Value::Array(a) => a.iter_mut().for_each(wipe),
        _ => {}
    }
}

impl Credentials {
    fn profiles_mut(&mut self) -> Option<&mut toml::Table> {
        self.0.get_mut("profiles").and_then(|v| v.as_table_mut())
    }
}

impl FileStore {
    pub fn new(path: PathBuf) -> Self {
        FileStore { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads and parses the file (empty when missing), refusing insecure permissions.
    fn read(&self) -> Result<Credentials, StoreError> {
        // A regular file only: a FIFO here would hang every command that reads the secret.
        let file = match fsutil::open_regular(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Credentials(toml::Table::new()))
            }
            Err(e) => return Err(fsutil::read_error(&self.path, e)),
        };
        check_private(&self.path, &file)?;
        let mut bytes = Zeroizing::new(Vec::new());
        fsutil::read_capped(
            &self.path,
            file,
            fsutil::MAX_FILE,
            "it is larger than 16 MiB",
            &mut bytes,
        )?;
        let text = fsutil::utf8(&self.path, &bytes)?;
        let table: toml::Table =
            toml::from_str(text).map_err(|e| fsutil::corrupt(&self.path, text, &e, true))?;
        let creds = Credentials(table);
        if let Some(v) = creds.0.get("profiles") {
            if !v.is_table() {
                return Err(self.shape_error());
            }
        }
        Ok(creds)
    }

    fn shape_error(&self) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            line: 1,
            column: 1,
            message: "`profiles` must be a table of `[profiles.NAME]` sections".to_string(),
        }
    }

    /// Lock, re-read, change, atomically replace (the new file is created with mode 0600).
    fn update<T>(
        &self,
        f: impl FnOnce(&mut Credentials) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        fsutil::create_parent_dir(&self.path)?;
        let _lock = fsutil::lock_exclusive(&self.path, fsutil::DEFAULT_LOCK_TIMEOUT)?;
        let mut creds = self.read()?;
        let out = f(&mut creds)?;
        let text =
            Zeroizing::new(
                toml::to_string(&creds.0).map_err(|_| StoreError::Serialize {
                    path: self.path.clone(),
                    message: "the credentials table cannot be written as TOML".to_string(),
                })?,
            );
        fsutil::write_atomic(
            &self.path,
            text.as_bytes(),
            fsutil::Mode::Private,
            fsutil::Replace::Always,
        )?;
        Ok(out)
    }
}

impl SecretStore for FileStore {
    fn kind(&self) -> SecretStoreKind {
        SecretStoreKind::File
    }

    fn get(&self, profile: &str) -> Result<Option<Secret>, StoreError> {
        let mut creds = self.read()?;
        let Some(profiles) = creds.profiles_mut() else {
            return Ok(None);
        };
        match profiles.get(profile) {
            None => Ok(None),
            Some(toml::Value::Table(t)) => match t.get("client_secret") {
                Some(toml::Value::String(s)) => Ok(Some(Secret::new(s.as_str()))),
                None => Ok(None),
                Some(_) => Err(self.entry_error(profile)),
            },
            Some(_) => Err(self.entry_error(profile)),
        }
    }

    fn set(&self, profile: &str, secret: &Secret) -> Result<(), StoreError> {
        validate_profile_name(profile)?;
        self.update(|creds| {
            let profiles = creds
                .0
                .entry("profiles")
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .expect("read() checked that `profiles` is a table");
            let mut entry = toml::Table::new();
            entry.insert(
                "client_secret".to_string(),
                toml::Value::String(secret.expose().to_string()),
            );
            if let Some(mut old) = profiles.insert(profile.to_string(), toml::Value::Table(entry)) {
                wipe(&mut old);
            }
            Ok(())
        })
    }

    fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        // Avoid creating a file just to delete nothing, but still sweep what a killed writer left
        // (a temp file of the credentials holds a secret).
        if !self.path.exists() {
            if !self.path.parent().is_some_and(Path::exists) {
                return Ok(false);
            }
            let _lock = fsutil::lock_exclusive(&self.path, fsutil::DEFAULT_LOCK_TIMEOUT)?;
            return Ok(fsutil::remove_stale_temps(&self.path) > 0);
        }
        self.update(|creds| {
            let removed = creds.profiles_mut().and_then(|p| p.remove(profile));
            Ok(match removed {
                Some(mut old) => {
                    wipe(&mut old);
                    true
                }
                None => false,
            })
        })
    }
}

impl FileStore {
    fn entry_error(&self, profile: &str) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            line: 1,
            column: 1,
            message: format!(
                "`[profiles.{profile}]` must hold `client_secret = \"…\"` as a string"
            ),
        }
    }
}

/// Refuses a file that group or others can read (unix). Checks the opened file, not the path.
#[cfg(unix)]
pub(super) fn check_private(path: &Path, file: &File) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = file.metadata().map_err(|e| fsutil::read_error(path, e))?;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(StoreError::InsecurePermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn check_private(_path: &Path, _file: &File) -> Result<(), StoreError> {
    Ok(())
}

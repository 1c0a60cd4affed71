//! The config file: one TOML table per profile (`[profiles.NAME]`), no secrets. `ConfigFile::update`
//! is the only writer: lock, re-read, change, atomic replace. A corrupt file is never overwritten.

use super::error::StoreError;
use super::fsutil::{self, Mode, Replace};
use super::strict::Trusted;

mod invalid;
use halo_connect_core::profile::Profile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The application directory name under the config dir.
const APP_DIR: &str = "halo-connect";
const CONFIG_FILE: &str = "config.toml";

/// The whole config file. An unknown key anywhere is refused (a misspelt one would be ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The profile commands act on when none is named (`halo-connect use NAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// Checks a profile name: 1–64 characters of `A-Z a-z 0-9 . _ -`.
pub fn validate_profile_name(name: &str) -> Result<(), StoreError> {
    let bad = |reason| {
        Err(StoreError::BadProfileName {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.chars().count() > 64 {
        return bad("it is longer than 64 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return bad("only letters A-Z and a-z, digits, `.`, `_` and `-` are allowed");
    }
    Ok(())
}

impl Config {
    /// Adds `profile` as `name` and returns the one it replaced; an existing profile is replaced
    /// only with `replace`.
    pub fn insert_profile(
        &mut self,
        name: &str,
        profile: Profile,
        replace: bool,
    ) -> Result<Option<Profile>, StoreError> {
        validate_profile_name(name)?;
        if !replace && self.profiles.contains_key(name) {
            return Err(StoreError::ProfileExists {
                name: name.to_string(),
            });
        }
        Ok(self.profiles.insert(name.to_string(), profile))
    }

    /// The profile called `name`, or `UnknownProfile` listing the known names.
    pub fn get(&self, name: &str) -> Result<&Profile, StoreError> {
        self.profiles.get(name).ok_or_else(|| self.unknown(name))
    }

    /// Mutable access to the profile called `name` (e.g. to record `last_test`).
    pub fn get_mut(&mut self, name: &str) -> Result<&mut Profile, StoreError> {
        if !self.profiles.contains_key(name) {
            return Err(self.unknown(name));
        }
        Ok(self.profiles.get_mut(name).expect("checked above"))
    }

    /// Removes and returns the profile called `name`, or `UnknownProfile`.
    pub fn remove(&mut self, name: &str) -> Result<Profile, StoreError> {
        match self.profiles.remove(name) {
            Some(p) => Ok(p),
            None => Err(self.unknown(name)),
        }
    }

    /// Profile names in sorted order.
    pub fn names(&self) -> Vec<String> {
        self.profiles.keys().cloned().collect()
    }

    fn unknown(&self, name: &str) -> StoreError {
        StoreError::UnknownProfile {
            name: name.to_string(),
            known: self.names(),
        }
    }
}

/// The config file at one path.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    path: PathBuf,
    lock_timeout: Duration,
}

impl ConfigFile {
    pub fn new(path: PathBuf) -> Self {
        ConfigFile {
            path,
            lock_timeout: fsutil::DEFAULT_LOCK_TIMEOUT,
        }
    }

    /// How long `update` waits for another writer's lock (default 10 s) before `Locked`.
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// `$XDG_CONFIG_HOME/halo-connect/config.toml` when the caller passes a non-empty absolute
    /// `$XDG_CONFIG_HOME`; else `~/.config/halo-connect/config.toml` on Linux and other non-macOS
    /// unix, and the platform config dir elsewhere (macOS Application Support, Windows %APPDATA%).
    /// `None` when no home directory is known.
    pub fn default_path(xdg_config_home: Option<&Path>) -> Option<PathBuf> {
        if let Some(xdg) = xdg_config_home {
            if xdg.is_absolute() {
                return Some(xdg.join(APP_DIR).join(CONFIG_FILE));
            }
        }
        let base = directories::BaseDirs::new()?;
        #[cfg(all(unix, not(target_os = "macos")))]
        let config_dir = base.home_dir().join(".config");
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let config_dir = base.config_dir().to_path_buf();
        Some(config_dir.join(APP_DIR).join(CONFIG_FILE))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the config. A missing file is an empty `Config`; a file that does not parse is
    /// `Corrupt` with its 1-based line and column.
    pub fn load(&self) -> Result<Config, StoreError> {
        let Some(file) = super::strict::open_trusted(&self.path, Trusted::Config)? else {
            return Ok(Config::default());
        };
        let mut bytes = Vec::new();
        fsutil::read_capped(
            &self.path,
            file,
            fsutil::MAX_FILE,
            "it is larger than 16 MiB",
            &mut bytes,
        )?;
        self.parse(&bytes)
    }

    fn parse(&self, bytes: &[u8]) -> Result<Config, StoreError> {
        let text = fsutil::utf8(&self.path, bytes)?;
        // Syntax first: only a file that is not TOML is called so; a wrong key or type is named.
        if let Err(e) = text.parse::<toml::Table>() {
            return Err(fsutil::corrupt(&self.path, text, &e, false));
        }
        let config = toml::from_str(text).map_err(|e| invalid::explain(&self.path, text, &e))?;
        invalid::check_text(&self.path, text)?;
        Ok(config)
    }

    /// Changes the config safely against other processes and threads: creates the directory
    /// (0700), takes the exclusive lock (waiting up to the lock timeout), re-reads the file under
    /// the lock, applies `f`, and atomically replaces the file. If the file is corrupt, `f` fails
    /// or any write step fails, the file on disk is left exactly as it was.
    pub fn update<T>(
        &self,
        f: impl FnOnce(&mut Config) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        fsutil::create_parent_dir(&self.path)?;
        let _lock = fsutil::lock_exclusive(&self.path, self.lock_timeout)?;
        let mut config = self.load()?;
        let out = f(&mut config)?;
        let text = toml::to_string(&config).map_err(|e| StoreError::Serialize {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        fsutil::write_atomic(&self.path, text.as_bytes(), Mode::Private, Replace::Always)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests;

//! Who may change the config, checked before it is trusted (as ssh's StrictModes does): the config
//! decides where the Client Secret is sent, so a config file, or a directory on its path, that
//! another user owns or that others can write is refused, naming the path and the fix. A sticky
//! directory (such as /tmp) is allowed: others cannot replace what they do not own there.
//! Group-writable paths are allowed too: with a user-private-group umask (002) every directory a
//! user makes is group-writable, and the group holds only that user.

use std::path::{Path, PathBuf};

use super::error::StoreError;

/// Refuses `path` (when it exists) and each existing directory above it, unless it is owned by
/// this user or root and not writable by others.
pub fn check_config_path(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no arguments and cannot fail.
        let me = unsafe { libc::geteuid() };
        let mut at: Option<&Path> = Some(path);
        while let Some(p) = at {
            at = p.parent().filter(|d| !d.as_os_str().is_empty());
            let Ok(meta) = std::fs::metadata(p) else {
                continue;
            };
            // A config that is not a regular file is refused when read, with that reason.
            if p == path && !meta.is_file() {
                continue;
            }
            let mode = meta.mode();
            let sticky_dir = meta.is_dir() && mode & 0o1000 != 0;
            let reason = if meta.uid() != me && meta.uid() != 0 {
                Some(format!("it is owned by another user (uid {})", meta.uid()))
            } else if mode & 0o002 != 0 && !sticky_dir {
                Some(format!(
                    "any user can write it (mode {:04o})",
                    mode & 0o7777
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(StoreError::UnsafeConfigPath {
                    config: path.to_path_buf(),
                    path: PathBuf::from(p),
                    reason,
                });
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

//! Reading a CA certificate file (`--ca-cert`, or a profile's `ca_cert`): it decides which servers
//! may stand in for Halo, so it is trusted as the config is (`strict`: owned by this user or root,
//! writable by no one else, nor any directory on its path), read from the handle that was checked,
//! a regular file only and at most 1 MiB, so a FIFO or `/dev/zero` is refused at once instead of
//! hanging or filling memory. Whether the bytes are PEM is the HTTP client's judgement.

use std::io;
use std::path::Path;

use super::error::StoreError;
use super::fsutil::{read_capped, read_error};
use super::strict::{open_trusted, Trusted};

/// The largest CA bundle read; the system's whole bundle is about 200 KiB.
const MAX_CA_FILE: u64 = 1024 * 1024;

pub fn read_ca_file(path: &Path) -> Result<Vec<u8>, StoreError> {
    let Some(file) = open_trusted(path, Trusted::CaFile)? else {
        return Err(read_error(
            path,
            io::Error::new(io::ErrorKind::NotFound, "no such file"),
        ));
    };
    let mut bytes = Vec::new();
    read_capped(
        path,
        file,
        MAX_CA_FILE,
        "it is larger than 1 MiB, which no CA bundle is",
        &mut bytes,
    )?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_or_a_directory_is_refused_at_once() {
        for path in ["/dev/zero", "/tmp"] {
            let p = Path::new(path);
            if p.exists() {
                let e = read_ca_file(p).unwrap_err().to_string();
                assert!(e.contains("not a regular file"), "{path}: {e}");
            }
        }
    }

    #[test]
    fn a_file_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ca.pem");
        std::fs::write(&p, b"-----BEGIN CERTIFICATE-----\n").unwrap();
        assert_eq!(read_ca_file(&p).unwrap(), b"-----BEGIN CERTIFICATE-----\n");
    }

    /// A CA file others can write (or that another user owns) could make any server Halo.
    #[cfg(unix)]
    #[test]
    fn a_ca_file_another_user_could_change_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ca.pem");
        std::fs::write(&p, b"-----BEGIN CERTIFICATE-----\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
        let e = read_ca_file(&p).unwrap_err().to_string();
        assert!(e.contains("any user can write it"), "{e}");
        assert!(e.contains("CA file"), "{e}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        read_ca_file(&p).unwrap();
        // SAFETY: geteuid has no arguments and cannot fail.
        if unsafe { libc::geteuid() } == 0 {
            std::os::unix::fs::chown(&p, Some(4242), None).unwrap();
            let e = read_ca_file(&p).unwrap_err().to_string();
            assert!(e.contains("owned by another user"), "{e}");
        }
    }
}

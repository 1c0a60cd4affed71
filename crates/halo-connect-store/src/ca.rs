//! Reading a CA certificate file (`--ca-cert`, or a profile's `ca_cert`): a regular file only, and
//! at most 1 MiB, so a FIFO or `/dev/zero` is refused at once instead of hanging or filling memory.
//! Whether the bytes are PEM is the HTTP client's judgement, not this file's.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use super::error::StoreError;
use super::fsutil::read_error;

/// The largest CA bundle read; the system's whole bundle is about 200 KiB.
const MAX_CA_FILE: u64 = 1024 * 1024;

pub fn read_ca_file(path: &Path) -> Result<Vec<u8>, StoreError> {
    // The metadata is checked before opening: opening a FIFO for reading would block.
    let meta = std::fs::metadata(path).map_err(|e| read_error(path, e))?;
    if !meta.is_file() {
        return Err(read_error(
            path,
            io::Error::new(io::ErrorKind::InvalidInput, "it is not a regular file"),
        ));
    }
    let file = File::open(path).map_err(|e| read_error(path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_CA_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| read_error(path, e))?;
    if bytes.len() as u64 > MAX_CA_FILE {
        return Err(read_error(
            path,
            io::Error::new(
                io::ErrorKind::InvalidData,
                "it is larger than 1 MiB, which no CA bundle is",
            ),
        ));
    }
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
}

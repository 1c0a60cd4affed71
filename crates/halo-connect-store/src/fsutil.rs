//! File plumbing shared by the config file and the credentials file: a bounded wait for an exclusive
//! lock on a sibling `NAME.lock`, reading with "missing = None", TOML error positions, and atomic
//! replacement (a temp file in the same directory, unnamed on Linux until it is whole, fsync,
//! rename, fsync of the directory). It is the store's only writer of files, and never decides what
//! goes into one.

use super::error::{StoreError, WriteStep};
use fs4::fs_std::FileExt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

/// How long `update` waits for another writer by default.
pub(crate) const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// The sibling lock file of `path`: `config.toml` → `config.toml.lock`.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".lock");
    path.with_file_name(name)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Creates the directory of `path` (mode 0700 on unix for the directories it creates).
pub(crate) fn create_parent_dir(path: &Path) -> Result<(), StoreError> {
    let dir = parent_dir(path);
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|cause| StoreError::Write {
        path: path.to_path_buf(),
        step: WriteStep::CreateDir,
        cause,
    })
}

/// Holds the exclusive lock until dropped (closing the file releases the flock).
pub(crate) struct LockGuard {
    _file: File,
}

/// Takes the exclusive lock on `path`'s sibling lock file, polling until `timeout`.
pub(crate) fn lock_exclusive(path: &Path, timeout: Duration) -> Result<LockGuard, StoreError> {
    let lock_path = lock_path(path);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never through a symbolic link another user planted in a shared directory.
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let refused = |cause| StoreError::Write {
        path: path.to_path_buf(),
        step: WriteStep::OpenLock,
        cause,
    };
    let file = options.open(&lock_path).map_err(refused)?;
    check_own_regular_file(&file).map_err(refused)?;
    let start = Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        match FileExt::try_lock_exclusive(&file) {
            Ok(true) => return Ok(LockGuard { _file: file }),
            Ok(false) => {}
            Err(cause) => {
                return Err(StoreError::Write {
                    path: path.to_path_buf(),
                    step: WriteStep::OpenLock,
                    cause,
                })
            }
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(StoreError::Locked {
                path: path.to_path_buf(),
                lock_path,
                waited,
            });
        }
        thread::sleep(pause.min(timeout - waited));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// A lock file is a regular file of this user's: not a FIFO or device, nor another user's file.
fn check_own_regular_file(file: &File) -> io::Result<()> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the lock file is not a regular file",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no arguments and cannot fail.
        if meta.uid() != unsafe { libc::geteuid() } {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the lock file belongs to another user",
            ));
        }
    }
    Ok(())
}

/// The largest config or credentials file read: far beyond any real one, short of `/dev/zero`.
pub(crate) const MAX_FILE: u64 = 16 * 1024 * 1024;

/// Opens `path` for reading if it is a regular file. The open does not wait for a writer (a FIFO
/// would block it), and the open handle's own metadata decides, so what is read is what was
/// checked: a FIFO, a device or a directory is refused with "it is not a regular file".
pub(crate) fn open_regular(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file",
        ));
    }
    Ok(file)
}

/// Reads all of `file` into `out`, refusing more than `cap` bytes with `too_big` as the reason.
pub(crate) fn read_capped(
    path: &Path,
    file: File,
    cap: u64,
    too_big: &'static str,
    out: &mut Vec<u8>,
) -> Result<(), StoreError> {
    file.take(cap + 1)
        .read_to_end(out)
        .map_err(|cause| read_error(path, cause))?;
    if out.len() as u64 > cap {
        return Err(read_error(
            path,
            io::Error::new(io::ErrorKind::InvalidData, too_big),
        ));
    }
    Ok(())
}

/// Reads a regular file of at most `cap` bytes (a FIFO, a device or a directory is refused at
/// once): the one reader for every file a user names (`--preset-file`, a CA file).
pub fn read_regular_file(
    path: &Path,
    cap: u64,
    too_big: &'static str,
) -> Result<Vec<u8>, StoreError> {
    let file = open_regular(path).map_err(|e| read_error(path, e))?;
    let mut bytes = Vec::new();
    read_capped(path, file, cap, too_big, &mut bytes)?;
    Ok(bytes)
}

pub(crate) fn read_error(path: &Path, cause: io::Error) -> StoreError {
    StoreError::Read {
        path: path.to_path_buf(),
        cause,
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_column(text: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Decodes UTF-8, turning invalid bytes into `Corrupt` at their position.
pub(crate) fn utf8<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, StoreError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_column(bytes, e.valid_up_to());
        StoreError::Corrupt {
            path: path.to_path_buf(),
            line,
            column,
            message: "the file is not valid UTF-8".to_string(),
        }
    })
}

/// Maps a TOML parse error to `Corrupt`. With `redact`, toml's message is replaced (a credentials
/// file's text must never reach an error message).
pub(crate) fn corrupt(path: &Path, text: &str, err: &toml::de::Error, redact: bool) -> StoreError {
    let (line, column) = err
        .span()
        .map_or((1, 1), |span| line_column(text.as_bytes(), span.start));
    let message = if redact {
        "the file does not parse (details withheld because it holds secrets)".to_string()
    } else {
        err.message().trim().to_string()
    };
    StoreError::Corrupt {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// Who may read a file the writer makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// 0600: the config, the credentials, an export, a support bundle.
    Private,
    /// 0644 less the umask: a CI report or a man page, which other tools and users read.
    Shared,
}

/// What may already be at the target.
#[derive(Clone, Copy)]
pub(crate) enum Replace {
    /// Anything: the config and the credentials (under their lock), `export --force`, man pages.
    Always,
    /// Nothing: the rename fails if the target exists.
    Never,
}

/// The one atomic writer. `bytes` go to a temp file in `path`'s directory (0600 or 0644 less the
/// umask), which is fsynced, then renamed over `path` (or linked in place, when nothing may be
/// replaced), then the directory is fsynced (unix). A reader sees the old file or the whole new one;
/// on any failure `path` is as it was and the temp file is gone. On Linux the temp file has no name
/// while it is written (`O_TMPFILE`, see `unnamed`), so a writer killed then leaves nothing; it is
/// named `.NAME.XXXXXX.tmp` only for the rename over an existing file. Elsewhere (or on a file
/// system without `O_TMPFILE`) it is `.NAME.XXXXXX.tmp` from the start. A live writer holds a lock
/// on its temp file; temp files of `path` that no one holds were left by a writer that was killed
/// (one of an export or of the credentials holds the secret), and are removed first.
pub(crate) fn write_atomic(
    path: &Path,
    bytes: &[u8],
    mode: Mode,
    replace: Replace,
) -> Result<(), StoreError> {
    remove_stale_temps(path);
    let dir = parent_dir(path);
    let fail = |step: WriteStep| {
        move |cause: io::Error| StoreError::Write {
            path: path.to_path_buf(),
            step,
            cause,
        }
    };
    let prefix = temp_prefix(path);
    #[cfg(target_os = "linux")]
    if let Some(mut file) = unnamed::create(dir, mode).map_err(fail(WriteStep::CreateTemp))? {
        // Held until the file is closed: once named, a sweep by another run leaves it alone.
        let _ = FileExt::try_lock_exclusive(&file);
        file.write_all(bytes).map_err(fail(WriteStep::WriteTemp))?;
        file.sync_all().map_err(fail(WriteStep::SyncTemp))?;
        unnamed::name(&file, dir, &prefix, path, replace).map_err(fail(WriteStep::Replace))?;
        return File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(fail(WriteStep::SyncDir));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    if mode == Mode::Shared {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(fail(WriteStep::CreateTemp))?;
    // Held until the file is closed: a sweep by another run leaves a live temp file alone.
    #[cfg(unix)]
    let _ = FileExt::try_lock_exclusive(tmp.as_file());
    tmp.write_all(bytes).map_err(fail(WriteStep::WriteTemp))?;
    tmp.as_file()
        .sync_all()
        .map_err(fail(WriteStep::SyncTemp))?;
    let persisted = match replace {
        Replace::Always => tmp.persist(path),
        Replace::Never => tmp.persist_noclobber(path),
    };
    persisted.map_err(|e| fail(WriteStep::Replace)(e.error))?;
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(fail(WriteStep::SyncDir))?;
    }
    Ok(())
}

/// Removes the temp files of `path` that a killed writer left beside it: this user's regular
/// files named `.NAME.*.tmp` that no live writer holds locked. Returns how many were removed.
pub(crate) fn remove_stale_temps(path: &Path) -> usize {
    let prefix = temp_prefix(path);
    let mut removed = 0;
    let Ok(entries) = std::fs::read_dir(parent_dir(path)) else {
        return 0;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !(name.starts_with(&prefix) && name.ends_with(".tmp") && name.len() > prefix.len() + 4) {
            continue;
        }
        if stale(&e.path()) && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// A temp file is stale when it is this user's regular file and no writer holds its lock (unix).
/// Elsewhere a file another process has open cannot be removed, so the removal itself decides.
fn stale(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let Ok(file) = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)
        else {
            return false;
        };
        // A killed writer's lock went with it.
        check_own_regular_file(&file).is_ok()
            && matches!(FileExt::try_lock_exclusive(&file), Ok(true))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

/// Linux's unnamed temp file: `open(dir, O_TMPFILE)` makes a file in `dir` that no directory entry
/// names, so it vanishes with the process that holds it, however that process ends; `link` gives it
/// a name once it is whole. It must not name the file before then.
#[cfg(target_os = "linux")]
mod unnamed {
    use super::{Mode, Replace};
    use rustix::fs::{AtFlags, OFlags, CWD};
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;
    use std::path::Path;

    /// An unnamed file in `dir`, or `None` where it cannot be made and named (a kernel or file
    /// system without `O_TMPFILE`, or no `/proc` to name it through): the caller then writes a
    /// named temp file, as on other systems.
    pub(super) fn create(dir: &Path, mode: Mode) -> io::Result<Option<File>> {
        if !Path::new("/proc/self/fd").is_dir() {
            return Ok(None);
        }
        let bits = match mode {
            Mode::Private => 0o600,
            Mode::Shared => 0o644,
        };
        match rustix::fs::openat(
            CWD,
            dir,
            OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC,
            rustix::fs::Mode::from_raw_mode(bits),
        ) {
            Ok(fd) => Ok(Some(File::from(fd))),
            // No O_TMPFILE: EOPNOTSUPP from the file system, EISDIR or EINVAL from an old kernel.
            Err(e)
                if e == rustix::io::Errno::OPNOTSUPP
                    || e == rustix::io::Errno::ISDIR
                    || e == rustix::io::Errno::INVAL =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Gives the whole file its name: linked at `path` when nothing may be replaced (it fails if
    /// `path` exists), else linked as `.NAME.XXXXXX.tmp` and renamed over `path` (the name is
    /// removed if the rename fails).
    pub(super) fn name(
        file: &File,
        dir: &Path,
        prefix: &str,
        path: &Path,
        replace: Replace,
    ) -> io::Result<()> {
        match replace {
            Replace::Never => link(file, path),
            Replace::Always => tempfile::Builder::new()
                .prefix(prefix)
                .suffix(".tmp")
                .make_in(dir, |at| link(file, at))?
                .persist(path)
                .map(|_| ())
                .map_err(|e| e.error),
        }
    }

    /// `linkat` through `/proc/self/fd`, following that link to the open file (unprivileged,
    /// unlike `AT_EMPTY_PATH`).
    fn link(file: &File, at: &Path) -> io::Result<()> {
        let fd = format!("/proc/self/fd/{}", file.as_raw_fd());
        rustix::fs::linkat(CWD, fd.as_str(), CWD, at, AtFlags::SYMLINK_FOLLOW).map_err(Into::into)
    }
}

fn temp_prefix(path: &Path) -> String {
    format!(
        ".{}.",
        path.file_name().unwrap_or_default().to_string_lossy()
    )
}

/// Writes `bytes` to `path` as a file only its owner can read (0600), atomically (`write_atomic`),
/// replacing an existing `path` only if `replace`.
pub fn write_private(path: &Path, bytes: &[u8], replace: bool) -> Result<(), StoreError> {
    let replace = if replace {
        Replace::Always
    } else {
        Replace::Never
    };
    write_atomic(path, bytes, Mode::Private, replace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_is_one_based() {
        let text = b"a = 1\nbb = \xc3\xa9x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // after "bb = é" (é is 2 bytes, 1 char)
        assert_eq!(line_column(text, 13), (2, 7));
    }

    #[test]
    fn lock_path_is_a_sibling() {
        assert_eq!(
            lock_path(Path::new("/x/y/config.toml")),
            PathBuf::from("/x/y/config.toml.lock")
        );
    }

    #[test]
    fn a_held_lock_times_out_as_locked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        let _held = lock_exclusive(&path, Duration::from_secs(1)).unwrap();
        let start = Instant::now();
        let err = lock_exclusive(&path, Duration::from_millis(200))
            .err()
            .expect("second lock must fail");
        assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
        assert!(start.elapsed() < Duration::from_secs(2));
        drop(_held);
        lock_exclusive(&path, Duration::from_millis(200)).expect("free after release");
    }

    #[test]
    fn write_private_is_0600_and_replaces_only_when_told() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.env");
        write_private(&path, b"one", false).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let err = write_private(&path, b"two", false).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Write {
                    step: WriteStep::Replace,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(fs::read(&path).unwrap(), b"one");
        write_private(&path, b"two", true).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "no temp file is left behind");
    }

    /// Linux: the file being written has no name until it is whole, so a writer killed before then
    /// leaves nothing in the directory; naming it links it in place (never over an existing file)
    /// or renames it over the target, with no temp name left either way.
    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_the_file_being_written_has_no_name_until_it_is_whole() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.env");
        let entries = || fs::read_dir(dir.path()).unwrap().count();
        let file = unnamed::create(dir.path(), Mode::Private)
            .unwrap()
            .expect("this file system makes unnamed files");
        (&file).write_all(b"one").unwrap();
        assert_eq!(entries(), 0, "the file being written has a name");
        unnamed::name(&file, dir.path(), ".out.env.", &path, Replace::Never).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"one");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);

        let file = unnamed::create(dir.path(), Mode::Private).unwrap().unwrap();
        (&file).write_all(b"two").unwrap();
        let err = unnamed::name(&file, dir.path(), ".out.env.", &path, Replace::Never).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        unnamed::name(&file, dir.path(), ".out.env.", &path, Replace::Always).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(entries(), 1, "a temp name was left behind");
    }

    /// A temp file a killed writer left (it may hold the secret) is removed by the next write of
    /// the same target; one a live writer holds locked is not.
    #[cfg(unix)]
    #[test]
    fn a_write_removes_what_a_killed_writer_left_but_not_a_live_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("billing.env");
        let stale = dir.path().join(".billing.env.AbC123.tmp");
        fs::write(&stale, "HALO_CLIENT_SECRET=x").unwrap();
        let live = dir.path().join(".billing.env.LiVe99.tmp");
        let held = File::create(&live).unwrap();
        assert!(FileExt::try_lock_exclusive(&held).unwrap());
        let other = dir.path().join(".other.env.AbC123.tmp");
        fs::write(&other, "x").unwrap();
        write_private(&path, b"new", false).unwrap();
        assert!(
            !stale.exists(),
            "the killed writer's temp file is still there"
        );
        assert!(live.exists(), "a live writer's temp file was removed");
        assert!(other.exists(), "another target's temp file was removed");
        drop(held);
        assert_eq!(remove_stale_temps(&path), 1);
    }
}

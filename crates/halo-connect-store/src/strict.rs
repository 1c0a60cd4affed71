//! Who may change a file that decides where the Client Secret goes, checked before it is trusted
//! (as ssh's StrictModes does): the config, and a profile's CA file. The file, and every directory
//! on its path as typed and on its real path (symbolic links resolved), must be owned by this user
//! or root and writable by no one else: not by others, and by the group only when the group is
//! this user's own private group with no other member (Debian's ssh rule: no other account has it
//! as primary group and its member list names no one else). A sticky directory (such as /tmp) is
//! allowed: others cannot replace what they do not own there. The file is then opened once, by its
//! real path, and its open handle is checked and read, so nothing can be swapped in between.

use std::fs::File;
use std::path::Path;

use super::error::StoreError;
use super::fsutil;

/// What a trusted file is for; it names the file and the stake in a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trusted {
    /// The config: it decides where the Client Secret is sent.
    Config,
    /// A profile's CA file: it decides which servers may stand in for Halo.
    CaFile,
}

/// Checks `path`, its directories as typed and as resolved, and opens it (a regular file only, the
/// open never blocking on a FIFO). `Ok(None)` when the file does not exist.
pub fn open_trusted(path: &Path, what: Trusted) -> Result<Option<File>, StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let refuse = |at: &Path, reason: String| StoreError::UnsafePath {
            what,
            file: path.to_path_buf(),
            path: at.to_path_buf(),
            reason,
        };
        // The path as typed: a symbolic link on it lives in one of these directories.
        let mut at = path.parent().filter(|d| !d.as_os_str().is_empty());
        while let Some(dir) = at {
            if let Ok(meta) = std::fs::metadata(dir) {
                if let Some(reason) = unix::untrusted(&meta) {
                    return Err(refuse(dir, reason));
                }
            }
            at = dir.parent().filter(|d| !d.as_os_str().is_empty());
        }
        // The real path: every directory the file is really in.
        let real = match std::fs::canonicalize(path) {
            Ok(real) => real,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(fsutil::read_error(path, e)),
        };
        let mut at = real.parent();
        while let Some(dir) = at {
            let meta = std::fs::metadata(dir).map_err(|e| fsutil::read_error(path, e))?;
            if let Some(reason) = unix::untrusted(&meta) {
                return Err(refuse(dir, reason));
            }
            at = dir.parent();
        }
        // Then the file itself, by the handle that is read.
        let file = match fsutil::open_regular(&real) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(fsutil::read_error(path, e)),
        };
        let meta = file.metadata().map_err(|e| fsutil::read_error(path, e))?;
        debug_assert!(meta.is_file() && meta.nlink() > 0);
        if let Some(reason) = unix::untrusted(&meta) {
            return Err(refuse(&real, reason));
        }
        Ok(Some(file))
    }
    #[cfg(not(unix))]
    {
        let _ = what;
        match fsutil::open_regular(path) {
            Ok(f) => Ok(Some(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(fsutil::read_error(path, e)),
        }
    }
}

#[cfg(unix)]
mod unix {
    use std::ffi::CStr;
    use std::fs::Metadata;
    use std::os::unix::fs::MetadataExt;
    use std::sync::Mutex;

    /// Why another user could change what `meta` describes, or `None`.
    pub(super) fn untrusted(meta: &Metadata) -> Option<String> {
        // SAFETY: geteuid has no arguments and cannot fail.
        let me = unsafe { libc::geteuid() };
        let mode = meta.mode();
        let sticky_dir = meta.is_dir() && mode & 0o1000 != 0;
        if meta.uid() != me && meta.uid() != 0 {
            return Some(format!("it is owned by another user (uid {})", meta.uid()));
        }
        if sticky_dir {
            return None;
        }
        if mode & 0o002 != 0 {
            return Some(format!(
                "any user can write it (mode {:04o})",
                mode & 0o7777
            ));
        }
        if mode & 0o020 != 0 && !group_is_private(meta.gid(), me) {
            return Some(format!(
                "members of its group {} can write it (mode {:04o}), and that group is not yours alone",
                group_label(meta.gid()),
                mode & 0o7777
            ));
        }
        None
    }

    /// The rule itself, on the group's facts: `primary` are the uids whose primary group it is,
    /// `members` its listed member names. Private means this user belongs and no one else does.
    pub(crate) fn private_group(
        me: u32,
        my_name: &str,
        primary: &[u32],
        members: &[String],
    ) -> bool {
        let others_primary = primary.iter().any(|&u| u != me);
        let others_listed = members.iter().any(|m| m != my_name);
        let i_belong = primary.contains(&me) || members.iter().any(|m| m == my_name);
        i_belong && !others_primary && !others_listed
    }

    /// getpwent walks one process-wide cursor: one walk at a time.
    static PASSWD: Mutex<()> = Mutex::new(());

    fn group_is_private(gid: u32, me: u32) -> bool {
        let Some(my_name) = user_name(me) else {
            return false;
        };
        let Some(members) = group_members(gid) else {
            return false;
        };
        let _walk = PASSWD.lock().unwrap_or_else(|e| e.into_inner());
        let mut primary = Vec::new();
        // SAFETY: setpwent/getpwent/endpwent under the lock above; each entry is read before the
        // next call, which may overwrite it.
        unsafe {
            libc::setpwent();
            loop {
                let pw = libc::getpwent();
                if pw.is_null() {
                    break;
                }
                if (*pw).pw_gid == gid {
                    primary.push((*pw).pw_uid);
                }
            }
            libc::endpwent();
        }
        private_group(me, &my_name, &primary, &members)
    }

    fn user_name(uid: u32) -> Option<String> {
        let mut buf = vec![0u8; 16 * 1024];
        // SAFETY: an all-zero passwd is a valid out-parameter; buf outlives the call and the read.
        unsafe {
            let mut pw: libc::passwd = std::mem::zeroed();
            let mut out = std::ptr::null_mut();
            let rc = libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut out);
            if rc != 0 || out.is_null() || pw.pw_name.is_null() {
                return None;
            }
            Some(CStr::from_ptr(pw.pw_name).to_string_lossy().into_owned())
        }
    }

    /// The group's name and member names; `None` when the group is unknown.
    fn group_entry(gid: u32) -> Option<(String, Vec<String>)> {
        let mut buf = vec![0u8; 64 * 1024];
        // SAFETY: an all-zero group is a valid out-parameter; buf outlives the call and the reads,
        // and gr_mem is a NULL-terminated array of C strings inside buf.
        unsafe {
            let mut gr: libc::group = std::mem::zeroed();
            let mut out = std::ptr::null_mut();
            let rc = libc::getgrgid_r(gid, &mut gr, buf.as_mut_ptr().cast(), buf.len(), &mut out);
            if rc != 0 || out.is_null() {
                return None;
            }
            let name = if gr.gr_name.is_null() {
                String::new()
            } else {
                CStr::from_ptr(gr.gr_name).to_string_lossy().into_owned()
            };
            let mut members = Vec::new();
            let mut p = gr.gr_mem;
            while !p.is_null() && !(*p).is_null() {
                members.push(CStr::from_ptr(*p).to_string_lossy().into_owned());
                p = p.add(1);
            }
            Some((name, members))
        }
    }

    fn group_members(gid: u32) -> Option<Vec<String>> {
        group_entry(gid).map(|(_, m)| m)
    }

    fn group_label(gid: u32) -> String {
        match group_entry(gid) {
            Some((name, _)) if !name.is_empty() => format!("`{name}` (gid {gid})"),
            _ => format!("gid {gid}"),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::unix::private_group;

    #[test]
    fn a_group_is_private_only_when_this_user_alone_belongs() {
        let me = 1000;
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // The user's own group: primary for them alone, no listed members (umask 002 setups).
        assert!(private_group(me, "alice", &[me], &[]));
        // Listed as its only member.
        assert!(private_group(me, "alice", &[], &names(&["alice"])));
        // Another listed member, or another account's primary group.
        assert!(!private_group(
            me,
            "alice",
            &[me],
            &names(&["alice", "mallory"])
        ));
        assert!(!private_group(me, "alice", &[me, 1001], &[]));
        assert!(!private_group(me, "alice", &[1001], &[]));
        // A group this user is not in at all (a shared project group they cannot even read).
        assert!(!private_group(me, "alice", &[], &[]));
        assert!(!private_group(me, "alice", &[], &names(&["mallory"])));
    }
}

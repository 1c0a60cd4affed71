//! Process hardening, done once at start: a process that may hold a Client Secret in memory is
//! made non-dumpable (no core file, no ptrace attach by other users of the same uid on Linux), so a
//! crash, a SIGQUIT or a `panic = "abort"` leaves no copy of the secret on disk. It changes the
//! process's own limits only and never fails the run.

/// Turns off core dumps: `RLIMIT_CORE` 0 everywhere on unix, and `PR_SET_DUMPABLE` 0 on Linux.
pub fn no_core_dumps() {
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we own; lowering our own limit cannot fail harmfully.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
        }
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_DUMPABLE takes plain integer arguments and affects only this process.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

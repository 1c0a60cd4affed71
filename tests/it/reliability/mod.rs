//! Reliability and security through the real binary: nothing leaks (the secret canary at every
//! verbosity, in every Debug, never sent to another host), nothing is lost (faults while saving:
//! keyring down or hanging, read-only or full disks, SIGKILL mid-save, racing writers), and every
//! hostile server ends in a classified error within the timeout.

/// A stored secret and its tokens go only where the secret was tested; loopback skips proxies.
mod bound;
/// A server's echo of the secret or a token goes no further.
mod echoes;
/// Lost disks, keyrings and processes: the config always survives and the user is told.
mod faults;
/// The files trusted, read and written: group and symlinked configs, CA files, FIFOs, CI reports.
#[cfg(unix)]
mod files;
/// The secret canary at -v/-vv, in Debug output, on a closed pipe, and across a redirect.
mod security;

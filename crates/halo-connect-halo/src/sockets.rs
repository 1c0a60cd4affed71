//! The socket budget. reqwest cannot report when it opens or closes a socket, so the budget is kept
//! per request. Each host (origin) has its own limit (`--concurrency`): an HTTP/1.1 request holds
//! one of its host's permits until its body is read, because it needs a socket of its own. The
//! first request to a host goes alone, so it is the only one to connect and shake hands; the rest
//! learn from its answer whether the host speaks HTTP/2, and then share that one connection
//! without a permit. Every socket-holding request also takes a permit of the process-wide cap,
//! which keeps many hosts side by side under the open-file limit. Idle pooled sockets are not
//! counted. This file knows nothing of URLs' meaning, answers or Halo.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

/// Sockets a whole process may hold at once, whatever the per-host limit.
const PROCESS_CAP: usize = 256;

#[derive(Debug)]
pub(super) struct Sockets {
    per_host: usize,
    process: Arc<Semaphore>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

#[derive(Debug)]
struct Host {
    /// Whether the host speaks HTTP/2; set by the first request to it, answered or not.
    h2: OnceLock<bool>,
    /// Held by the first request, so its connection is the only one opened.
    first: Arc<tokio::sync::Mutex<()>>,
    permits: Arc<Semaphore>,
}

/// One request's hold on the budget, released on drop.
pub(super) struct Slot {
    host: Arc<Host>,
    first: Option<OwnedMutexGuard<()>>,
    _permits: Option<(OwnedSemaphorePermit, OwnedSemaphorePermit)>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sockets {
    /// `per_host` sockets to any one host, and at most a quarter of the open-file limit in all.
    pub(super) fn new(per_host: usize) -> Sockets {
        Sockets {
            per_host: per_host.max(1),
            process: process_wide().clone(),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    async fn permits(&self, host: &Host) -> Option<(OwnedSemaphorePermit, OwnedSemaphorePermit)> {
        // The host's permit first: waiting for a busy host must not hold a process-wide permit
        // that another host could use. The semaphores are never closed, so None never happens.
        let own = host.permits.clone().acquire_owned().await.ok()?;
        let all = self.process.clone().acquire_owned().await.ok()?;
        Some((own, all))
    }

    /// Waits for room to send one request to `origin`.
    pub(super) async fn enter(&self, origin: &str) -> Slot {
        let host = lock(&self.hosts)
            .entry(origin.to_string())
            .or_insert_with(|| {
                Arc::new(Host {
                    h2: OnceLock::new(),
                    first: Arc::new(tokio::sync::Mutex::new(())),
                    permits: Arc::new(Semaphore::new(self.per_host)),
                })
            })
            .clone();
        let mut first = None;
        if host.h2.get().is_none() {
            let guard = host.first.clone().lock_owned().await;
            if host.h2.get().is_none() {
                first = Some(guard);
            }
        }
        let permits = if first.is_none() && host.h2.get() == Some(&true) {
            None
        } else {
            self.permits(&host).await
        };
        Slot {
            host,
            first,
            _permits: permits,
        }
    }
}

impl Slot {
    /// Records what the first request to a host learned: HTTP/2 or not (no answer counts as not).
    pub(super) fn learned(&mut self, version: Option<reqwest::Version>) {
        if self.first.is_some() {
            let _ = self.host.h2.set(version == Some(reqwest::Version::HTTP_2));
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        // Even a first request that was dropped half-way lets the others go, one socket each.
        if self.first.is_some() {
            let _ = self.host.h2.set(false);
        }
    }
}

/// A quarter of the soft open-file limit (the rest is for the pool's idle sockets, the config and
/// the runtime), and never more than `PROCESS_CAP`.
/// The one cap every client of the process shares (a client per trust set must not multiply it).
fn process_wide() -> &'static Arc<Semaphore> {
    static CAP: OnceLock<Arc<Semaphore>> = OnceLock::new();
    CAP.get_or_init(|| Arc::new(Semaphore::new(process_cap())))
}

fn process_cap() -> usize {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we own and has no other effect.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0 {
            let quarter = usize::try_from(lim.rlim_cur / 4).unwrap_or(PROCESS_CAP);
            return quarter.clamp(4, PROCESS_CAP);
        }
    }
    PROCESS_CAP
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_shares_the_process_wide_cap() {
        let (a, b) = (Sockets::new(2), Sockets::new(8));
        assert!(Arc::ptr_eq(&a.process, &b.process));
    }

    #[tokio::test]
    async fn hosts_have_their_own_limit() {
        let s = Sockets::new(2);
        let mut held = Vec::new();
        for origin in ["https://a", "https://b"] {
            let mut first = s.enter(origin).await;
            first.learned(Some(reqwest::Version::HTTP_11));
            held.push(first);
            held.push(s.enter(origin).await);
        }
        // Both hosts are at their limit of 2; a third request to either waits.
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(50), s.enter("https://a"));
        assert!(
            waited.await.is_err(),
            "a third socket to one host was allowed"
        );
        drop(held.remove(0));
        let again = tokio::time::timeout(std::time::Duration::from_secs(5), s.enter("https://a"));
        assert!(again.await.is_ok(), "a freed permit was not handed on");
    }

    #[tokio::test]
    async fn http2_requests_after_the_first_share_its_connection() {
        let s = Sockets::new(1);
        let mut first = s.enter("https://h2").await;
        first.learned(Some(reqwest::Version::HTTP_2));
        drop(first);
        let a = s.enter("https://h2").await;
        let b = tokio::time::timeout(std::time::Duration::from_secs(5), s.enter("https://h2"));
        assert!(
            b.await.is_ok(),
            "a shared HTTP/2 request waited for a permit"
        );
        drop(a);
    }

    #[test]
    fn the_process_cap_is_bounded() {
        let cap = process_cap();
        assert!((4..=PROCESS_CAP).contains(&cap), "{cap}");
    }
}

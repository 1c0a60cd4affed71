//! Finding 19 of the second red team, observed rather than guarded: this test binary's global
//! allocator reads every heap block as it is freed and counts the blocks that still hold the
//! URL-encoded `client_secret=…` of a token form, while a real token exchange (`post_token`, and
//! `post_token_as` for `test --as`) runs against a loopback server of the test's own. A form that is
//! not wiped before its memory goes back to the heap is seen the moment it is freed, whatever the
//! heap does with that memory afterwards. It must not allocate inside the allocator, and it owns no
//! rule of the tool: the rule is `halo::client::token_form`'s.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use halo_connect_core::secret::Secret;
use halo_connect_halo::{ClientOptions, HaloClient};

/// A secret with characters the form must encode, so its encoded form differs from the raw one
/// and a hit can only be a copy of the form.
const SECRET: &str = "CANARY+Zq/9x=7&Kee%41-3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37";
/// `client_secret=` and `SECRET`, URL-encoded as the form carries them.
const NEEDLE: &[u8] =
    b"client_secret=CANARY%2BZq%2F9x%3D7%26Kee%2541-3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37";

/// Whether freed blocks are read (only while a test looks; never for the harness's own work).
static ARMED: AtomicBool = AtomicBool::new(false);
/// Freed blocks that held `NEEDLE`.
static HITS: AtomicUsize = AtomicUsize::new(0);

struct Inspecting;

// SAFETY: every call is passed to `System` unchanged; `dealloc` only reads the block it is given
// before handing it back, and allocates nothing.
unsafe impl GlobalAlloc for Inspecting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::Relaxed) && holds_needle(ptr, layout.size()) {
            HITS.fetch_add(1, Ordering::SeqCst);
        }
        System.dealloc(ptr, layout)
    }
    // `realloc` is GlobalAlloc's default: alloc, copy, dealloc, so a block a reallocation leaves
    // behind is read here too.
}

#[global_allocator]
static ALLOCATOR: Inspecting = Inspecting;

/// Whether the `len` bytes at `ptr` contain `NEEDLE`. Volatile reads: part of a freed block may
/// never have been written, and the compiler must not assume anything about it.
unsafe fn holds_needle(ptr: *const u8, len: usize) -> bool {
    if len < NEEDLE.len() {
        return false;
    }
    let at = |i: usize| std::ptr::read_volatile(ptr.add(i));
    (0..=len - NEEDLE.len()).any(|start| {
        at(start) == NEEDLE[0] && (1..NEEDLE.len()).all(|j| at(start + j) == NEEDLE[j])
    })
}

/// A token endpoint on loopback that answers `requests` POSTs with a token. It reads each request
/// into a buffer on its own stack, which it zeroes, so the test's side leaves no copy of the form.
fn token_server(requests: usize) -> (u16, std::thread::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut forms = 0;
        for _ in 0..requests {
            let (mut stream, _) = listener.accept().unwrap();
            let mut buf = [0u8; 8192];
            let mut len = 0;
            // The headers, then the body by its Content-Length.
            loop {
                let n = stream.read(&mut buf[len..]).unwrap();
                assert!(n > 0, "the client closed before its request was whole");
                len += n;
                let text = &buf[..len];
                let Some(end) = text.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&text[..end]).to_ascii_lowercase();
                let body_len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map_or(0, |v| v.trim().parse().unwrap());
                if len >= end + 4 + body_len {
                    if text[end + 4..end + 4 + body_len]
                        .windows(NEEDLE.len())
                        .any(|w| w == NEEDLE)
                    {
                        forms += 1;
                    }
                    break;
                }
            }
            buf.iter_mut()
                .for_each(|b| unsafe { std::ptr::write_volatile(b, 0) });
            let body = r#"{"access_token":"tok-abc","token_type":"Bearer","expires_in":3600}"#;
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(answer.as_bytes()).unwrap();
        }
        forms
    });
    (port, handle)
}

/// The two token requests the tool makes: Save and Test's, and `test --as`'s (an integration's
/// own scope string).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Request {
    SaveAndTest,
    AsAnIntegration,
}

/// Runs one token request against the loopback server, in a runtime and a client that are
/// dropped before it returns (so every block they held is freed, and read).
fn exchange(port: u16, request: Request) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = Secret::new(SECRET);
    rt.block_on(async {
        let client = HaloClient::new(ClientOptions::default()).unwrap();
        let url = url::Url::parse(&format!("http://127.0.0.1:{port}/auth/token")).unwrap();
        let answer = match request {
            Request::SaveAndTest => {
                client
                    .post_token(&url, "id-1", &secret, &["all".to_string()])
                    .await
            }
            Request::AsAnIntegration => {
                client
                    .post_token_as(url.as_str(), "id-1", &secret, "admin edit:tickets")
                    .await
            }
        };
        assert_eq!(answer.unwrap().status, 200);
    });
    drop(rt);
}

#[test]
fn no_freed_heap_block_holds_the_token_form_after_a_real_exchange() {
    let form = halo_connect_halo::client::token_form("id-1", &Secret::new(SECRET), "all");
    assert!(
        form.windows(NEEDLE.len()).any(|w| w == NEEDLE),
        "NEEDLE is not the form's encoding of SECRET"
    );
    drop(form);

    // The scanner sees a copy that is freed unwiped.
    ARMED.store(true, Ordering::SeqCst);
    drop(std::hint::black_box(NEEDLE.to_vec()));
    ARMED.store(false, Ordering::SeqCst);
    assert_eq!(
        HITS.swap(0, Ordering::SeqCst),
        1,
        "the scanner missed a copy"
    );

    let (port, server) = token_server(2);
    let mut unwiped = Vec::new();
    for request in [Request::SaveAndTest, Request::AsAnIntegration] {
        ARMED.store(true, Ordering::SeqCst);
        exchange(port, request);
        ARMED.store(false, Ordering::SeqCst);
        unwiped.push((request, HITS.swap(0, Ordering::SeqCst)));
    }
    assert_eq!(server.join().unwrap(), 2, "both forms reached the server");
    assert_eq!(
        unwiped,
        vec![(Request::SaveAndTest, 0), (Request::AsAnIntegration, 0)],
        "heap blocks holding the URL-encoded token form were freed without being wiped"
    );
}

//! Hostile answers of each class who can answer, from a listener of the test's own that writes
//! raw bytes (control characters and all): each ends in its class's exit code with nothing of
//! them reaching the terminal raw, and an answer that echoes the token form never carries the
//! Client Secret into a message, whole or cut.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use crate::common::{TestEnv, CANARY};

/// A server that answers every request with `response`, as raw bytes (control characters and all).
fn raw_server(response: Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let mut s = s;
            s.set_read_timeout(Some(Duration::from_millis(300))).ok();
            let mut buf = [0u8; 16384];
            let _ = s.read(&mut buf);
            let _ = s.write_all(&response);
        }
    });
    port
}

fn hostile_run(response: Vec<u8>, json: bool) -> crate::common::Run {
    let port = raw_server(response);
    let env = TestEnv::new();
    let rs = format!("http://127.0.0.1:{port}/api");
    let auth = format!("http://127.0.0.1:{port}/auth/");
    let mut args = vec!["test", "--from-env", "--timeout", "5"];
    if json {
        args.push("--json");
    }
    env.run(
        &args,
        &[
            ("HALO_RESOURCE_SERVER", rs.as_str()),
            ("HALO_AUTH_SERVER", auth.as_str()),
            ("HALO_TENANT", "acme"),
            ("HALO_CLIENT_ID", "5b1f0c2e-9a3d-4c7e-8f21-6d4b0a9e3c58"),
            ("HALO_CLIENT_SECRET", CANARY),
        ],
        None,
    )
}

fn response(status: &str, ctype: &str, extra: &[u8], body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(extra);
    r.extend_from_slice(b"\r\n");
    r.extend_from_slice(body);
    r
}

/// Hostile answers of each kind: a page whose title and Server header carry terminal sequences,
/// an OAuth error object whose code and description do, and nginx's page with them. Each ends in
/// its class's exit code with nothing of them reaching the terminal raw.
#[test]
fn hostile_answers_are_classified_and_printed_without_control_characters() {
    let evil_page = b"<html><head><title>\x1b]0;owned\x07\x1b[2JPwned\rpage</title></head><body>\x1b[31mred</body></html>".to_vec();
    let cases: Vec<(Vec<u8>, i32, &str)> = vec![
        (
            response("403 Forbidden", "text/html", b"Server: Evil\xff\xfe/1.0\r\n", &evil_page),
            6,
            "not-halo",
        ),
        (
            response(
                "400 Bad Request",
                "application/json",
                b"",
                br#"{"error":"\u001b[31mlocked\u0007","error_description":"line one\r\nline two \u001b]0;title\u0007"}"#,
            ),
            4,
            "token-refused",
        ),
        (
            response(
                "403 Forbidden",
                "text/html",
                b"Server: nginx\r\n",
                b"<html><head><title>403 Forbidden\x1b[2J</title></head><body><center><h1>403 Forbidden</h1></center><hr><center>nginx</center></body></html>",
            ),
            6,
            "web-server-refused",
        ),
        (response("407 Proxy Authentication Required", "text/html", b"Proxy-Authenticate: Basic realm=\"\xff\xfe\"\r\n", b"x"), 6, "proxy-auth"),
        (response("200 OK", "application/json", b"", b"{\"access_token\": \"\x1b[2J"), 6, "not-halo"),
    ];
    for (resp, exit, code) in cases {
        let run = hostile_run(resp.clone(), true);
        run.code(exit);
        let v = run.json();
        assert_eq!(v["error"]["code"], code, "{v:#}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(!message.chars().any(char::is_control), "{message:?}");
        let text = hostile_run(resp, false);
        text.code(exit);
        for out in [&text.stdout, &text.stderr] {
            assert!(
                !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\r'),
                "{out:?}"
            );
        }
    }
}

/// A server that echoes the token request's form as its page's title: the secret never reaches
/// the message, whole or cut where the quote ends.
#[test]
fn an_answer_echoing_the_form_does_not_carry_the_secret_into_the_message() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            let mut s = s;
            s.set_read_timeout(Some(Duration::from_millis(500))).ok();
            let mut got = Vec::new();
            let mut buf = [0u8; 16384];
            let form = loop {
                match s.read(&mut buf) {
                    Ok(n) if n > 0 => got.extend_from_slice(&buf[..n]),
                    _ => break String::new(),
                }
                let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&got[..i]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if got.len() >= i + 4 + len {
                    break String::from_utf8_lossy(&got[i + 4..]).into_owned();
                }
            };
            let page =
                format!("<html><head><title>{form}</title></head><body>{form}</body></html>");
            let _ = s.write_all(&response(
                "400 Bad Request",
                "text/html",
                b"",
                page.as_bytes(),
            ));
        }
    });
    let env = TestEnv::new();
    let rs = format!("http://127.0.0.1:{port}/api");
    let auth = format!("http://127.0.0.1:{port}/auth/");
    for json in [true, false] {
        let mut args = vec!["test", "--from-env", "--timeout", "5"];
        if json {
            args.push("--json");
        }
        // TestEnv::run fails the test if the whole canary shows anywhere.
        let run = env.run(
            &args,
            &[
                ("HALO_RESOURCE_SERVER", rs.as_str()),
                ("HALO_AUTH_SERVER", auth.as_str()),
                ("HALO_TENANT", "acme"),
                ("HALO_CLIENT_ID", "5b1f0c2e-9a3d-4c7e-8f21-6d4b0a9e3c58"),
                ("HALO_CLIENT_SECRET", CANARY),
            ],
            None,
        );
        run.code(6);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(
            all.contains("grant_type=client_credentials"),
            "the page was not quoted: {all}"
        );
        assert!(
            !all.contains(&CANARY[..12]),
            "a part of the secret leaked: {all}"
        );
    }
}

/// A server that answers every request with the same JSON: a token, an agent and a list, each
/// text carrying escape sequences (a window title, an OSC 52 clipboard write, a screen clear).
fn escaping_server(token: &str) -> u16 {
    let body = format!(
        "{{\"access_token\":\"{token}\",\"scope\":\"all\",\"expires_in\":3600,\
\"id\":1,\"name\":\"API \\u001b]0;pwned\\u0007\\u001b[2JAgent\\u202e\",\"isdisabled\":false,\
\"record_count\":1,\"clients\":[{{\"id\":1}}]}}"
    );
    raw_server(response("200 OK", "application/json", b"", body.as_bytes()))
}

/// Server text never drives the terminal: the report, the error block and `token` print no
/// control character a server sent, and a token outside RFC 6750's characters is refused.
#[test]
fn a_servers_escape_sequences_never_reach_the_terminal() {
    let port = escaping_server("tok");
    let env = TestEnv::new();
    let rs = format!("http://127.0.0.1:{port}/api");
    let auth = format!("http://127.0.0.1:{port}/auth/");
    let vars = [
        ("HALO_RESOURCE_SERVER", rs.as_str()),
        ("HALO_AUTH_SERVER", auth.as_str()),
        ("HALO_TENANT", "acme"),
        ("HALO_CLIENT_ID", "5b1f0c2e-9a3d-4c7e-8f21-6d4b0a9e3c58"),
        ("HALO_CLIENT_SECRET", CANARY),
    ];
    let test = env.run(&["test", "--from-env", "--timeout", "5"], &vars, None);
    let all = format!("{}{}", test.stdout, test.stderr);
    assert!(all.contains("API"), "the agent is still named: {all}");
    for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!all.contains(bad), "{bad:?} reached the terminal: {all:?}");
    }
    // --json keeps the raw text, escaped by JSON.
    let json = env.run(
        &["test", "--from-env", "--timeout", "5", "--json"],
        &vars,
        None,
    );
    assert!(json.stdout.contains("\\u001b]0;pwned"), "{}", json.stdout);
    // `token` refuses to print a token with characters a bearer token cannot have.
    let port = escaping_server("tok\\u001b]52;c;cHduZWQ=\\u0007");
    let rs = format!("http://127.0.0.1:{port}/api");
    let auth = format!("http://127.0.0.1:{port}/auth/");
    let profile = format!(
        "[profiles.default]\npreset = \"billing\"\nresource_server = \"{rs}\"\nauth_server = \"{auth}\"\ntenant = \"acme\"\nclient_id = \"5b1f0c2e-9a3d-4c7e-8f21-6d4b0a9e3c58\"\nsecret_store = \"none\"\n"
    );
    env.write_config(&profile);
    let token = env.run(&["token"], &[("HALO_CLIENT_SECRET", CANARY)], None);
    token.code(6);
    assert!(token.stdout.is_empty(), "{:?}", token.stdout);
    assert!(!token.stderr.contains('\u{1b}'), "{:?}", token.stderr);
}

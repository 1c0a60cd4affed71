//! A server that echoes what it was sent never carries it further (issue 21, finding 11): the
//! tokens of its own token answer, repeated in an error field; the bearer token, repeated as the
//! agent's name; the Client Secret, repeated upper-cased. None of them reaches stdout, stderr,
//! `--json` or the support bundle. The hostile server is axum, on loopback.

use std::net::TcpListener;

use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::common::*;

/// How the hostile server answers the token request.
#[derive(Clone, Copy)]
enum Echo {
    /// A token answer whose error-like fields repeat every token it issues.
    Tokens,
    /// A refusal whose description repeats the form it was sent, upper-cased.
    SecretUpperCased,
    /// A token as `Tokens`, then every API read left unanswered (the process waits after the
    /// exchange); `asked` is set when the first read arrives.
    HangAfterToken(&'static std::sync::atomic::AtomicBool),
}

/// Starts the hostile Halo; returns its base address.
fn hostile(echo: Echo) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let token = move |body: String| async move {
                match echo {
                    Echo::Tokens | Echo::HangAfterToken(_) => (
                        axum::http::StatusCode::OK,
                        Json(json!({
                            "access_token": ACCESS_TOKEN_CANARY,
                            "token_type": "Bearer",
                            "expires_in": 3600,
                            "scope": "all",
                            "id_token": ID_TOKEN_CANARY,
                            "refresh_token": REFRESH_TOKEN_CANARY,
                            "message": format!("issued {ACCESS_TOKEN_CANARY}"),
                            "detail": format!("refresh {REFRESH_TOKEN_CANARY} id {ID_TOKEN_CANARY}"),
                        })),
                    ),
                    Echo::SecretUpperCased => (
                        axum::http::StatusCode::UNAUTHORIZED,
                        Json(json!({
                            "error": "invalid_client",
                            "error_description": format!("unknown client: {}", body.to_uppercase()),
                            "message": body.to_uppercase(),
                        })),
                    ),
                }
            };
            let api = move |headers: HeaderMap, uri: axum::http::Uri| async move {
                if let Echo::HangAfterToken(asked) = echo {
                    asked.store(true, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                }
                let bearer = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let v: Value = if uri.path().ends_with("/Agent/me") {
                    json!({ "id": 7, "name": format!("agent {bearer}"), "is_api_only": true })
                } else {
                    json!({ "record_count": 0, "message": format!("seen {bearer}") })
                };
                Json(v)
            };
            let app = Router::new()
                .route("/auth/token", post(token))
                .route("/api/{*rest}", get(api));
            let l = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(l, app).await.unwrap();
        });
    });
    base
}

fn vars(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("HALO_RESOURCE_SERVER", format!("{base}/api")),
        ("HALO_AUTH_SERVER", format!("{base}/auth/")),
        (
            "HALO_CLIENT_ID",
            "0b7e3c1a-5d2f-4e9a-8c6b-1f4d7a2e9c30".to_string(),
        ),
        ("HALO_CLIENT_SECRET", CANARY.to_string()),
    ]
}

/// The tokens of a token answer, repeated in its `message` and `detail`, and the bearer token
/// repeated as the agent's name: the canary of `TestEnv::run` holds every output and the bundle
/// to none of them.
#[test]
fn tokens_echoed_by_the_server_reach_no_output_and_no_bundle() {
    let base = hostile(Echo::Tokens);
    let env = TestEnv::new();
    let bundle = env.dir.path().join("bundle.md");
    let vars = vars(&base);
    for json in [true, false] {
        let _ = std::fs::remove_file(&bundle);
        let mut args = vec!["test", "--from-env", "--report"];
        let path = bundle.display().to_string();
        args.push(&path);
        if json {
            args.push("--json");
        }
        // `run` panics on any token in stdout, stderr or a file under the test's directory.
        let run = env.run(&args, &refs(&vars), None);
        let text = std::fs::read_to_string(&bundle).expect("the bundle was written");
        assert!(text.contains("[redacted]"), "nothing was scrubbed:\n{text}");
        if json {
            let name = run.json()["agent"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            assert!(name.contains("[the access token]"), "{name}");
        } else {
            assert!(run.stdout.contains("[the access token]"), "{}", run.stdout);
        }
    }
}

/// The Client Secret echoed upper-cased (a server that shouts the form back) is scrubbed too.
#[test]
fn a_secret_echoed_upper_cased_reaches_no_output_and_no_bundle() {
    let base = hostile(Echo::SecretUpperCased);
    let env = TestEnv::new();
    let bundle = env.dir.path().join("bundle.md");
    let path = bundle.display().to_string();
    let vars = vars(&base);
    let shout = CANARY.to_uppercase();
    for json in [true, false] {
        let _ = std::fs::remove_file(&bundle);
        let mut args = vec!["test", "--from-env", "--report", path.as_str()];
        if json {
            args.push("--json");
        }
        let run = env.run(&args, &refs(&vars), None);
        assert_ne!(run.code, 0);
        let text = std::fs::read_to_string(&bundle).expect("the bundle was written");
        for (what, out) in [
            ("stdout", &run.stdout),
            ("stderr", &run.stderr),
            ("bundle", &text),
        ] {
            assert!(
                !out.contains(&shout),
                "the upper-cased secret is in {what}:\n{out}"
            );
            assert!(
                !out.contains(&shout[..12]),
                "a part of the upper-cased secret is in {what}:\n{out}"
            );
        }
    }
}

/// The canary's reach over every other output and file: with the same server (its token answer
/// repeating the access, id and refresh tokens, its agent name the bearer token), none of them
/// reaches `--junit`, `--summary`, the `-v` and `-vv` logs, the config `init` writes, or what
/// `show`, `status`, `handoff`, `test --all` and `token` (on stderr) print. `TestEnv::run` checks
/// stdout, stderr and every file under the test's directory after each run; the reports are
/// written there, and are checked to be written.
#[test]
fn tokens_echoed_by_the_server_reach_no_ci_report_log_or_config() {
    let base = hostile(Echo::Tokens);
    let env = TestEnv::new();
    let vars = vars(&base);
    let junit = env.dir.path().join("halo.xml");
    let summary = env.dir.path().join("summary.md");
    let bundle = env.dir.path().join("bundle.md");
    let (j, s, b) = (
        junit.display().to_string(),
        summary.display().to_string(),
        bundle.display().to_string(),
    );
    let written = |run: &Run| {
        let mut texts = String::new();
        for (f, kind) in [(&junit, "<testsuites"), (&summary, "halo-connect test")] {
            let text = std::fs::read_to_string(f).unwrap_or_else(|e| {
                panic!("{} was not written ({e}):\n{}", f.display(), run.stderr)
            });
            assert!(text.contains(kind), "{}:\n{text}", f.display());
            std::fs::remove_file(f).unwrap();
            texts.push_str(&text);
        }
        texts
    };
    for verbosity in ["-v", "-vv"] {
        let run = env.run(
            &[
                "test",
                "--from-env",
                "--junit",
                &j,
                "--summary",
                &s,
                verbosity,
            ],
            &refs(&vars),
            None,
        );
        // The echo reached the reports, scrubbed (the billing preset fails on "all", so the
        // reports quote the agent's name, which repeats the bearer token).
        let texts = written(&run);
        assert!(texts.contains("the access token"), "{texts}");
        assert!(!run.stderr.is_empty(), "{verbosity} logged nothing");
    }
    // A stored profile: the config `init` writes (with its last test), then each command reading it.
    let id = vars
        .iter()
        .find(|(k, _)| *k == "HALO_CLIENT_ID")
        .unwrap()
        .1
        .clone();
    let init = [
        "init",
        "--non-interactive",
        "--profile",
        "echo",
        "--resource-server",
        &format!("{base}/api"),
        "--auth-server",
        &format!("{base}/auth/"),
        "--tenant",
        "acme",
        "--client-id",
        &id,
        "--preset",
        "custom",
        "--scopes",
        "all",
        "--secret-store",
        "file",
        "-vv",
    ]
    .map(String::from);
    let run = env.run(&strs(&init), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(0);
    let config = env.config_text();
    assert!(config.contains("[profiles.echo]"), "{config}");
    let run = env.run(
        &[
            "test",
            "echo",
            "--junit",
            &j,
            "--summary",
            &s,
            "--report",
            &b,
            "-vv",
        ],
        &[],
        None,
    );
    run.code(0);
    written(&run);
    assert!(bundle.exists());
    for args in [
        &["test", "--all", "--json", "-v"][..],
        &["show", "echo"],
        &["show", "echo", "--json"],
        &["status"],
        &["status", "echo", "--json"],
        &["handoff", "echo"],
        &["handoff", "echo", "--json"],
        &["list", "--json"],
        &["token", "echo", "-vv"],
    ] {
        let run = env.run(args, &[], None);
        run.code(0);
    }
}

/// Finding 19: once the token exchange is over, no copy of the URL-encoded form
/// (`client_secret=…`) is left in the process's memory. Reading another process's memory takes
/// root (the process is non-dumpable), as the red team's scan did.
#[cfg(target_os = "linux")]
#[test]
fn no_copy_of_the_token_form_stays_in_memory_after_the_exchange() {
    use std::io::{Read, Seek, SeekFrom};
    use std::sync::atomic::{AtomicBool, Ordering};
    if unsafe { libc::geteuid() } != 0 {
        eprintln!(
            "SKIPPED: reading another process's memory needs root (this test runs as root in CI)"
        );
        return;
    }
    static ASKED: AtomicBool = AtomicBool::new(false);
    let base = hostile(Echo::HangAfterToken(&ASKED));
    let env = TestEnv::new();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("halo-connect"));
    cmd.args(["test", "--from-env", "--timeout", "60"])
        .envs(env.vars())
        .envs(vars(&base))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let started = std::time::Instant::now();
    while !ASKED.load(Ordering::SeqCst) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the run never reached the Resource Server"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The exchange is over and the reads are waiting: look for the form in every mapping.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = child.id();
    let needle = format!("client_secret={CANARY}");
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mut mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
    let mut found = Vec::new();
    for line in maps.lines() {
        let mut parts = line.split_whitespace();
        let (Some(range), Some(perms)) = (parts.next(), parts.next()) else {
            continue;
        };
        let name = parts.nth(3).unwrap_or("anon");
        if !perms.starts_with('r') || name.starts_with("[v") {
            continue;
        }
        let (a, b) = range.split_once('-').unwrap();
        let (a, b) = (
            u64::from_str_radix(a, 16).unwrap(),
            u64::from_str_radix(b, 16).unwrap(),
        );
        let mut data = vec![0u8; (b - a) as usize];
        if mem.seek(SeekFrom::Start(a)).is_err() || mem.read_exact(&mut data).is_err() {
            continue;
        }
        let hits = data
            .windows(needle.len())
            .filter(|w| *w == needle.as_bytes())
            .count();
        if hits > 0 {
            found.push((name.to_string(), hits));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        found.is_empty(),
        "the token form is still in memory: {found:?}"
    );
}

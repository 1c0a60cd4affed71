use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use halo_connect::domain::secret::Secret;
use halo_connect::domain::values::{check_secret, Source};
use halo_connect::halo::diagnose::{Token, TokenOutcome};
use halo_connect::sandbox::{SandboxOptions, Scenario};
use halo_connect::store::StoreError;
use halo_connect::wizard::Draft;

/// Extra environment of one run.
type Vars<'a> = &'a [(&'a str, &'a str)];

/// What an HTTP trace must never show at any verbosity.
fn assert_no_credentials_in_trace(stderr: &str, what: &str) {
    let lower = stderr.to_ascii_lowercase();
    for needle in [
        "authorization:",
        "bearer ",
        "client_secret=",
        "client_secret\"",
        "\"access_token\"",
        "access_token=",
    ] {
        assert!(
            !lower.contains(needle),
            "{what}: the trace shows {needle:?}:\n{stderr}"
        );
    }
}

/// Every command at -v and -vv, with RUST_LOG=trace set (which must not open reqwest's, hyper's or
/// h2's header and body logs): the canary never appears, nor any credential field of the wire.
#[test]
fn every_command_at_v_and_vv_keeps_the_secret() {
    let sb = sandbox(Scenario::Healthy);
    for v in ["-v", "-vv"] {
        let env = TestEnv::new();
        let trace = [("RUST_LOG", "trace"), ("HALO_CLIENT_SECRET", CANARY)];
        let from_env = [
            ("RUST_LOG", "trace".to_string()),
            ("HALO_RESOURCE_SERVER", sb.resource_server()),
            ("HALO_AUTH_SERVER", sb.auth_server()),
            ("HALO_TENANT", sb.tenant().to_string()),
            ("HALO_CLIENT_ID", sb.client_id().to_string()),
            ("HALO_CLIENT_SECRET", CANARY.to_string()),
        ];
        let from_env: Vec<(&str, &str)> = from_env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut init = vec![v.to_string()];
        init.extend(init_args(&sb));
        let only_trace = [("RUST_LOG", "trace")];
        let runs: Vec<(Vec<&str>, Vars, i32)> = vec![
            (strs(&init), &trace, 0),
            (vec![v, "test"], &only_trace, 0),
            (vec![v, "test", "--json"], &only_trace, 0),
            (vec![v, "test", "--all", "--json"], &only_trace, 0),
            (vec![v, "test", "--from-env", "--json"], &from_env, 0),
            (vec![v, "list"], &only_trace, 0),
            (vec![v, "list", "--json"], &only_trace, 0),
            (vec![v, "show"], &only_trace, 0),
            (vec![v, "show", "--json"], &only_trace, 0),
            (vec![v, "presets"], &only_trace, 0),
            (vec![v, "presets", "show", "billing"], &only_trace, 0),
            (vec![v, "checklist", "--preset", "billing"], &only_trace, 0),
            (vec![v, "completions", "bash"], &only_trace, 0),
            (vec![v, "sandbox", "--list-scenarios"], &only_trace, 0),
            (
                vec![v, "init", "--sandbox", "--non-interactive"],
                &only_trace,
                0,
            ),
            (vec![v, "test", "--sandbox", "--json"], &only_trace, 0),
            (
                vec![v, "test", "--sandbox", "--scenario", "wrong-secret"],
                &only_trace,
                4,
            ),
            (vec![v, "remove", "--yes"], &only_trace, 0),
        ];
        for (args, vars, code) in &runs {
            let run = env.run(args, vars, None);
            run.code(*code);
            assert_no_credentials_in_trace(&run.stderr, &format!("{args:?}"));
        }
        // The token itself: on stdout for `token`, never in its trace.
        let env = TestEnv::new();
        env.run(&strs(&init), &trace, None).code(0);
        let run = env.run(&[v, "token"], &only_trace, None);
        run.code(0);
        let token = run.stdout.trim();
        assert!(token.len() >= 16, "{}", run.stdout);
        assert!(
            !run.stderr.contains(token),
            "the token leaked:\n{}",
            run.stderr
        );
        assert_no_credentials_in_trace(&run.stderr, "token");
        // -vv really traces requests (so the checks above looked at a trace).
        if v == "-vv" {
            let run = env.run(&[v, "test"], &only_trace, None);
            assert!(run.stderr.contains("/auth/token"), "{}", run.stderr);
            assert!(!run.stderr.contains(token));
        }
    }
}

/// Debug of every type that holds a secret prints it redacted; errors about a secret never quote it.
#[test]
fn no_debug_output_shows_a_secret() {
    let s = || Secret::new(CANARY);
    let draft = Draft {
        secret: Some(s()),
        stored_secret: Some((
            s(),
            halo_connect::domain::binding::Binding::of(
                "https://a.example/auth/",
                "https://a.example/api",
                "id",
            ),
        )),
        sandbox_secret: Some(s()),
        ..Draft::default()
    };
    let token = Token {
        access_token: s(),
        scopes: vec!["read:invoices".into()],
        scope_listed: true,
        expires_in: Some(3600),
    };
    let opts = SandboxOptions {
        client_secret: Some(halo_connect::sandbox::ClientSecret::new(CANARY)),
        ..SandboxOptions::default()
    };
    let sb = halo_connect::sandbox::Sandbox::start(opts.clone()).unwrap();
    let mut shown = vec![
        format!("{draft:?}"),
        format!("{draft:#?}"),
        format!("{token:?}"),
        format!("{:?}", TokenOutcome::Issued(token.clone())),
        format!("{opts:?}"),
        format!("{sb:?}"),
        format!("{:?}", sb.client_secret()),
        format!("{:?}", (s(), Some(s()), vec![s()])),
        format!("{:?}", Source::Env),
    ];
    // A secret refused for its shape: the error names the field, never the value.
    for bad in [
        format!("{CANARY} x"),
        format!("{CANARY}{}", "0".repeat(1000)),
    ] {
        let e = check_secret(Secret::new(bad)).unwrap_err();
        assert!(e.to_string().contains("Client Secret"), "{e}");
        shown.push(e.to_string());
        shown.push(format!("{e:?}"));
    }
    let (_, notes) = check_secret(Secret::new(format!("\n{}\n", &CANARY[..72]))).unwrap();
    shown.extend(notes.iter().map(|n| format!("{n} {n:?}")));
    // Store errors built from secret-bearing inputs.
    let store_err = StoreError::BadSecretFile {
        path: "/tmp/x".into(),
        reason: "r",
    };
    shown.push(format!("{store_err:?}"));
    for text in &shown {
        assert!(!text.contains(CANARY), "leaked: {text}");
        assert!(!text.contains(&CANARY[..20]), "partly leaked: {text}");
    }
    // A struct that derives Debug around a Secret (as Plan or Target would) stays redacted.
    #[derive(Debug)]
    #[allow(dead_code)]
    struct Holder {
        secret: Secret,
        nested: Option<Vec<Secret>>,
    }
    let h = format!(
        "{:#?}",
        Holder {
            secret: s(),
            nested: Some(vec![s()])
        }
    );
    assert!(!h.contains(CANARY) && h.contains("Secret(redacted)"), "{h}");
}

/// A panic inside the binary (forced by closing its stdout or stderr under it) must not happen,
/// and if anything is printed while the pipe dies, it is not the secret.
#[test]
fn closed_stdout_and_stderr_do_not_panic() {
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    for args in [
        vec!["token"],
        vec!["test", "--json"],
        vec!["completions", "bash"],
        vec!["presets"],
        vec!["checklist", "--preset", "billing", "--format", "markdown"],
    ] {
        // stdout closed before the child writes: EPIPE on every write.
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("halo-connect"));
        c.env_clear().envs(env.vars()).args(&args);
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        drop(child.stdout.take());
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(
            !err.contains("panicked") && status.code() != Some(101),
            "{args:?} with stdout closed: {status:?}\n{err}"
        );
        assert!(!err.contains(CANARY));
        // stderr closed too (the error path writes there).
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("halo-connect"));
        c.env_clear()
            .envs(env.vars())
            .args(&args)
            .arg("--bogus-flag");
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(2), "{args:?} with stderr closed");
    }
}

/// The redirect-other-host scenario answers the token POST with 307 to http://127.0.0.2:PORT. A
/// listener of our own on exactly that address counts what arrives: nothing may, as the client's
/// redirect policy stops at the host change before sending the form again.
#[test]
fn the_secret_never_follows_a_redirect_to_another_host() {
    let sb = sandbox(Scenario::RedirectOtherHost);
    let other = match TcpListener::bind(("127.0.0.2", sb.port())) {
        Ok(l) => l,
        Err(e) => panic!("cannot listen on 127.0.0.2:{}: {e}", sb.port()),
    };
    other.set_nonblocking(true).unwrap();
    let connections = Arc::new(AtomicU64::new(0));
    let received = Arc::new(Mutex::new(Vec::<u8>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (connections, received, stop) = (connections.clone(), received.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match other.accept() {
                    Ok((mut s, _)) => {
                        connections.fetch_add(1, Ordering::Relaxed);
                        s.set_read_timeout(Some(Duration::from_millis(500))).ok();
                        let mut buf = [0u8; 65536];
                        if let Ok(n) = s.read(&mut buf) {
                            received.lock().unwrap().extend_from_slice(&buf[..n]);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        })
    };
    let env = TestEnv::new();
    let vars = [
        ("HALO_RESOURCE_SERVER", sb.resource_server()),
        ("HALO_AUTH_SERVER", sb.auth_server()),
        ("HALO_TENANT", sb.tenant().to_string()),
        ("HALO_CLIENT_ID", sb.client_id().to_string()),
        ("HALO_CLIENT_SECRET", CANARY.to_string()),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = env.run(&["-vv", "test", "--from-env", "--json"], &vars, None);
    run.code(6);
    let v = run.contract(Some("server"));
    assert_eq!(v["error"]["code"], "redirect-other-host", "{v:#}");
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    watcher.join().unwrap();
    assert_eq!(
        connections.load(Ordering::Relaxed),
        0,
        "the client connected to the other host; it received:\n{}",
        String::from_utf8_lossy(&received.lock().unwrap())
    );
    // The sandbox saw exactly one token request: the one it redirected.
    assert_eq!(sb.stats().token_requests, 1, "{:?}", sb.stats());
}

/// A raw HTTP server on 127.0.0.1 that answers every request with a 307 to `location`, and one that
/// records whatever reaches it. The redirect stays on the same host name but changes the port: a
/// different origin (as https → http on the same name would be), so the client must not re-send
/// the token form there either.
#[test]
fn the_secret_never_follows_a_redirect_to_another_origin_on_the_same_host() {
    use std::io::Write;
    let redirector = TcpListener::bind("127.0.0.1:0").unwrap();
    let recorder = TcpListener::bind("127.0.0.1:0").unwrap();
    let (a, b) = (
        redirector.local_addr().unwrap().port(),
        recorder.local_addr().unwrap().port(),
    );
    recorder.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        for s in redirector.incoming().flatten() {
            let mut s = s;
            s.set_read_timeout(Some(Duration::from_millis(300))).ok();
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{b}/auth/token\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    let env = TestEnv::new();
    let rs = format!("http://127.0.0.1:{a}/api");
    let auth = format!("http://127.0.0.1:{a}/auth/");
    let run = env.run(
        &["test", "--from-env", "--json", "--timeout", "5"],
        &[
            ("HALO_RESOURCE_SERVER", rs.as_str()),
            ("HALO_AUTH_SERVER", auth.as_str()),
            ("HALO_TENANT", "acme"),
            ("HALO_CLIENT_ID", "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60"),
            ("HALO_CLIENT_SECRET", CANARY),
        ],
        None,
    );
    std::thread::sleep(Duration::from_millis(200));
    let mut got = Vec::new();
    while let Ok((mut s, _)) = recorder.accept() {
        s.set_nonblocking(false).ok();
        s.set_read_timeout(Some(Duration::from_millis(300))).ok();
        let mut buf = [0u8; 8192];
        if let Ok(n) = s.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
        got.extend_from_slice(b"<connection>");
    }
    let got = String::from_utf8_lossy(&got);
    assert!(
        !got.contains(CANARY),
        "the token form followed the redirect:\n{got}"
    );
    assert!(
        got.is_empty(),
        "the client went to the other origin:\n{got}"
    );
    run.code(6);
    let v = run.contract(Some("server"));
    assert_eq!(v["error"]["code"], "redirect-other-host", "{v:#}");
}

/// What `init` writes is private: the directory 0700, the config and the credentials file 0600.
#[cfg(unix)]
#[test]
fn stored_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let sb = sandbox(Scenario::Healthy);
    let env = TestEnv::new();
    env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(env.config_path().parent().unwrap()), 0o700);
    assert_eq!(mode(&env.config_path()), 0o600);
    assert_eq!(mode(&env.credentials_path()), 0o600);
    let creds = std::fs::read_to_string(env.credentials_path()).unwrap();
    assert!(creds.contains(CANARY), "the file store holds the secret");
}

/// A process that may hold the secret leaves no core dump: its core-file limit is 0 from start.
#[cfg(target_os = "linux")]
#[test]
fn the_process_dumps_no_core() {
    use std::os::unix::process::CommandExt;
    let env = TestEnv::new();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_halo-connect"));
    // Start it with core dumps allowed, as `ulimit -c unlimited` would, so the test shows the
    // binary turning them off rather than a machine that never had them.
    // SAFETY: only setrlimit runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: libc::RLIM_INFINITY,
                rlim_max: libc::RLIM_INFINITY,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &lim);
            Ok(())
        });
    }
    let mut child = cmd
        .args(["sandbox", "--port", "0"])
        .env("XDG_CONFIG_HOME", env.dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The sandbox prints its values once it listens, so by then `run` has hardened the process.
    let mut first = [0u8; 1];
    let _ = child.stdout.as_mut().unwrap().read(&mut first);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
}

/// Inputs are regular files: a FIFO as the secret file is refused at once (it used to block
/// forever), and a device as the config is refused instead of read without end.
#[cfg(unix)]
#[test]
fn a_pipe_or_a_device_as_an_input_is_refused_at_once() {
    let env = TestEnv::new();
    let fifo = env.dir.path().join("secret.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let sb = sandbox(Scenario::Healthy);
    let mut args = init_args(&sb);
    args.extend(["--client-secret-file".into(), fifo.display().to_string()]);
    let run = env.run(&strs(&args), &[], None);
    run.code(3);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    let run = env.run(&["--config", "/dev/zero", "list"], &[], None);
    run.code(3);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
}

/// A lock file is never opened through a symbolic link another user could plant beside the
/// config: the write is refused and the link's target is untouched.
#[cfg(unix)]
#[test]
fn a_lock_file_that_is_a_symbolic_link_is_refused() {
    let env = TestEnv::new();
    let config = env.config_path();
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let target = env.dir.path().join("victim");
    std::fs::write(&target, b"keep").unwrap();
    std::os::unix::fs::symlink(&target, config.with_file_name("config.toml.lock")).unwrap();
    let sb = sandbox(Scenario::Healthy);
    let run = env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(3);
    assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    assert!(
        !config.exists(),
        "the config was written through a planted lock link"
    );
}

/// Plain http:// to this machine never goes through a proxy from the environment: the form with
/// the Client Secret would cross to the proxy in cleartext.
#[test]
fn loopback_never_goes_through_a_proxy() {
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = format!("http://127.0.0.1:{}", proxy.local_addr().unwrap().port());
    proxy.set_nonblocking(true).unwrap();
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let vars = from_env_vars(&sb);
    let mut vars = refs(&vars);
    for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "HTTPS_PROXY"] {
        vars.push((name, at.as_str()));
    }
    let run = env.run(&["test", "--from-env", "--json"], &vars, None);
    run.code(0);
    assert!(
        proxy.accept().is_err(),
        "a request to 127.0.0.1 was sent to the proxy"
    );
}

/// Like ssh's StrictModes: a config another user owns, or one in a directory any user can write,
/// decides where the secret goes, so it is refused, naming the path and the fix.
#[cfg(unix)]
#[test]
fn a_config_another_user_could_change_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    env.run(
        &strs(&init_args(&sb)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    )
    .code(0);
    let config = env.config_path();
    let dir = config.parent().unwrap().to_path_buf();
    // A directory any user can write (and not sticky): another user could replace the file.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let run = env.run(&["token"], &[], None);
    run.code(3);
    assert!(
        run.stderr.contains("any user can write it"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&dir.display().to_string()),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    env.run(&["list"], &[], None).code(0);
    // A config file another user owns (the tests run as root in CI, which can give it away).
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::fs::chown(&config, Some(4242), None).unwrap();
        let run = env.run(&["token"], &[], None);
        run.code(3);
        assert!(
            run.stderr.contains("owned by another user"),
            "{}",
            run.stderr
        );
        std::os::unix::fs::chown(&config, Some(0), None).unwrap();
    }
}

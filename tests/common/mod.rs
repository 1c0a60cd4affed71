//! Test harness: an isolated config dir per test, the real binary run through assert_cmd, the
//! sandbox on loopback, and the secret canary that every run is checked against.

#![allow(dead_code)]

/// The pseudo-terminal harness.
#[cfg(unix)]
pub mod pty;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use std::sync::Mutex;

use halo_connect::sandbox::{Sandbox, SandboxOptions, Scenario, TlsMode};

/// The distinctive Client Secret every test uses; it must never appear in output, config or logs.
pub const CANARY: &str =
    "c4n4ry5e-cre7-4f00-b4d5-ec12e7000001-dead10cc-7e57-4bad-8eef-5ec12e7c4n42";

/// The tokens the tests' own servers issue (`tests/it/reliability/echoes.rs`): the canary covers
/// them as it covers the secret.
pub const ACCESS_TOKEN_CANARY: &str = "acc3557o-k3nc-4n4r-y000-a11ow3dn0wh3r3-0001";
pub const ID_TOKEN_CANARY: &str = "id70k3nc-4n4r-y000-0000-a11ow3dn0wh3r3-0002";
pub const REFRESH_TOKEN_CANARY: &str = "r3fr35h7-0k3n-c4n4-ry00-a11ow3dn0wh3r3-0003";

/// The first segment of every JWT the sandbox issues (`{"alg":"none","typ":"JWT"}`): no output
/// may hold even part of one, from a sandbox of this process or one the binary started.
pub const SANDBOX_JWT_HEAD: &str = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";

/// Every token the canary covers: the tests' own, and each one the sandboxes of this process
/// issued (access and id tokens).
pub fn token_canaries() -> Vec<String> {
    let mut all: Vec<String> = [ACCESS_TOKEN_CANARY, ID_TOKEN_CANARY, REFRESH_TOKEN_CANARY]
        .iter()
        .map(|t| t.to_string())
        .collect();
    all.push(SANDBOX_JWT_HEAD.to_string());
    all.extend(halo_connect::sandbox::issued_tokens());
    all
}

/// Which token, if any, `text` holds.
pub fn token_in(text: &str, tokens: &[String]) -> Option<String> {
    tokens
        .iter()
        .find(|t| text.contains(t.as_str()))
        .map(|t| t.chars().take(24).collect::<String>() + "…")
}

/// One test's world: its own config dir, keyring service name and environment.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("halo-connect").join("config.toml")
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.dir
            .path()
            .join("halo-connect")
            .join("credentials.toml")
    }

    /// The binary with a clean, deterministic environment.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("halo-connect").expect("binary");
        for (k, _) in std::env::vars() {
            if k.starts_with("HALO_") || k == "CI" || k == "NO_COLOR" {
                c.env_remove(k);
            }
        }
        c.envs(self.vars());
        c
    }

    /// The environment every run gets.
    pub fn vars(&self) -> Vec<(String, String)> {
        let d = self.dir.path().display().to_string();
        vec![
            ("XDG_CONFIG_HOME".into(), d.clone()),
            ("HOME".into(), d),
            (
                "HALO_CONNECT_KEYRING_SERVICE".into(),
                format!("halo-connect-test-{}", std::process::id()),
            ),
            ("HALO_SANDBOX_SECRET".into(), CANARY.into()),
            ("NO_COLOR".into(), "1".into()),
            ("COLUMNS".into(), "200".into()),
            ("CI".into(), "true".into()),
        ]
    }

    /// Runs the binary with args (and optional stdin), checks the canary, returns the output.
    pub fn run(&self, args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Run {
        let mut c = self.cmd();
        c.args(args);
        for (k, v) in envs {
            c.env(k, v);
        }
        if let Some(s) = stdin {
            c.write_stdin(s.as_bytes().to_vec());
        }
        c.timeout(std::time::Duration::from_secs(60));
        let out = c.output().expect("run binary");
        let run = Run::from(out);
        assert_no_canary(&run, args);
        assert_no_panic(&run, args);
        if let Ok(cfg) = std::fs::read_to_string(self.config_path()) {
            assert!(
                !cfg.contains(CANARY),
                "the secret leaked into the config file:\n{cfg}"
            );
        }
        self.assert_no_canary_in_files();
        run
    }

    /// Checks every file under the test's directory (config, lock and temp files, anything a run
    /// left behind) for the canary; only a 0600 `credentials.toml` may hold it.
    #[track_caller]
    pub fn assert_no_canary_in_files(&self) {
        assert_no_canary_in_dir(self.dir.path());
    }

    /// Writes the config file directly.
    pub fn write_config(&self, text: &str) {
        std::fs::create_dir_all(self.config_path().parent().unwrap()).unwrap();
        std::fs::write(self.config_path(), text).unwrap();
    }

    pub fn config_text(&self) -> String {
        std::fs::read_to_string(self.config_path()).unwrap_or_default()
    }
}

/// Checks every file under `dir` for the secret and every token canary; only a `credentials.toml`
/// may hold the secret.
#[track_caller]
pub fn assert_no_canary_in_dir(dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() {
                let Ok(bytes) = std::fs::read(&p) else {
                    continue;
                };
                let text = String::from_utf8_lossy(&bytes);
                if let Some(t) = token_in(&text, &token_canaries()) {
                    panic!("a token ({t}) leaked into {}", p.display());
                }
                if p.file_name().is_none_or(|n| n != "credentials.toml") {
                    assert!(
                        !text.contains(CANARY),
                        "the secret leaked into {}",
                        p.display()
                    );
                }
            }
        }
    }
}

/// A finished run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn code(&self, want: i32) -> &Run {
        assert_eq!(
            self.code, want,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts the JSON contract: ok, exit_code and error.kind agree with the process.
    #[track_caller]
    pub fn contract(&self, kind: Option<&str>) -> serde_json::Value {
        let v = self.json();
        assert_eq!(
            v["exit_code"].as_i64(),
            Some(self.code as i64),
            "exit_code key: {v:#}"
        );
        assert_eq!(v["ok"].as_bool(), Some(self.code == 0), "ok key: {v:#}");
        match kind {
            None => assert!(v["error"].is_null(), "error should be null: {v:#}"),
            Some(k) => assert_eq!(v["error"]["kind"].as_str(), Some(k), "error.kind: {v:#}"),
        }
        v
    }
}

#[track_caller]
pub fn assert_no_canary(run: &Run, args: &[&str]) {
    assert!(
        !run.stdout.contains(CANARY),
        "the secret leaked to stdout of {args:?}:\n{}",
        run.stdout
    );
    assert!(
        !run.stderr.contains(CANARY),
        "the secret leaked to stderr of {args:?}:\n{}",
        run.stderr
    );
    for a in args {
        assert!(!a.contains(CANARY), "a test put the secret on argv");
    }
    // Every token too, wherever it came from; `token` prints its token on stdout, by design.
    let tokens = token_canaries();
    if !args.contains(&"token") {
        if let Some(t) = token_in(&run.stdout, &tokens) {
            panic!(
                "a token ({t}) leaked to stdout of {args:?}:\n{}",
                run.stdout
            );
        }
    }
    if let Some(t) = token_in(&run.stderr, &tokens) {
        panic!(
            "a token ({t}) leaked to stderr of {args:?}:\n{}",
            run.stderr
        );
    }
}

/// Nothing panics: a run never ends in Rust's panic message or its exit status 101.
#[track_caller]
pub fn assert_no_panic(run: &Run, args: &[&str]) {
    assert!(
        !run.stderr.contains("panicked at") && run.code != 101,
        "{args:?} panicked (exit {}):\n{}",
        run.code,
        run.stderr
    );
}

/// Starts a sandbox that accepts the canary secret.
pub fn sandbox(scenario: Scenario) -> Sandbox {
    sandbox_tls(scenario, TlsMode::Off)
}

pub fn sandbox_tls(scenario: Scenario, tls: TlsMode) -> Sandbox {
    Sandbox::start(SandboxOptions {
        scenario,
        tls,
        client_secret: Some(halo_connect::sandbox::ClientSecret::new(CANARY)),
        ..SandboxOptions::default()
    })
    .expect("sandbox")
}

/// The HALO_* variables that point `test --from-env` at a sandbox, with the canary secret.
pub fn from_env_vars(sb: &Sandbox) -> Vec<(&'static str, String)> {
    vec![
        ("HALO_RESOURCE_SERVER", sb.resource_server()),
        ("HALO_AUTH_SERVER", sb.auth_server()),
        ("HALO_TENANT", sb.tenant().to_string()),
        ("HALO_CLIENT_ID", sb.client_id().to_string()),
        ("HALO_CLIENT_SECRET", CANARY.to_string()),
    ]
}

/// Borrows owned variables for `TestEnv::run`.
pub fn refs<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The init arguments for a sandbox, all values by flag; the secret comes by env.
pub fn init_args(sb: &Sandbox) -> Vec<String> {
    vec![
        "init".into(),
        "--non-interactive".into(),
        "--resource-server".into(),
        sb.resource_server(),
        "--auth-server".into(),
        sb.auth_server(),
        "--tenant".into(),
        sb.tenant().into(),
        "--client-id".into(),
        sb.client_id().into(),
        "--secret-store".into(),
        "file".into(),
    ]
}

pub fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

pub fn write_ca(dir: &Path, sb: &Sandbox) -> PathBuf {
    let p = dir.join("ca.pem");
    std::fs::write(&p, sb.ca_pem().expect("tls sandbox has a CA")).unwrap();
    p
}

/// `test --sandbox` arguments that show a scenario: its name, the preset whose readiness check it
/// fails, and a timeout short where the scenario is a wait and long for the 20 MB body.
pub fn sandbox_test_args(s: Scenario) -> Vec<&'static str> {
    let preset = match s {
        Scenario::NoTeams => "alerts",
        Scenario::NoAssets => "asset-lifecycle",
        Scenario::NoWebhooks => "company-asset-sync",
        _ => "billing",
    };
    let timeout = match s {
        Scenario::Slow | Scenario::Drip | Scenario::NoAnswer => "1",
        Scenario::HugeBody => "20",
        _ => "5",
    };
    vec![
        "test",
        "--sandbox",
        "--scenario",
        s.as_str(),
        "--preset",
        preset,
        "--timeout",
        timeout,
    ]
}

/// Runs `f` for every sandbox scenario, four at a time (the slow scenarios wait, the rest are
/// quick), and returns the results in the order of the scenarios' names.
pub fn for_each_scenario<T: Send>(f: impl Fn(Scenario) -> T + Sync) -> Vec<(Scenario, T)> {
    let queue = Mutex::new(Scenario::ALL.to_vec());
    let done = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let Some(s) = queue.lock().unwrap().pop() else {
                    break;
                };
                let out = f(s);
                done.lock().unwrap().push((s, out));
            });
        }
    });
    let mut done = done.into_inner().unwrap();
    done.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(done.len(), Scenario::ALL.len());
    done
}

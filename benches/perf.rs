//! The performance benchmark of docs/performance.md: `cargo bench --bench perf`. It starts the
//! built-in sandbox with injected latency (100 ms per request unless HALO_BENCH_LATENCY_MS says
//! otherwise), measures Save and Test in-process and through the release binary, and prints every
//! target next to its measured median. It reports; it never fails on a missed target, and it writes
//! only to its own temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use halo_connect::domain::preset::{self, Preset};
use halo_connect::domain::report::Subject;
use halo_connect::domain::scope::{probe_for, AGENT_ME_PATH};
use halo_connect::domain::secret::Secret;
use halo_connect::domain::values::{validate, ConnectionSettings, RawValues, Source, Sourced};
use halo_connect::halo::check::{exchange_token, run_check};
use halo_connect::halo::{ClientOptions, HaloClient};
use halo_connect::sandbox::{Sandbox, SandboxOptions, Scenario, TlsMode};

#[path = "perf/fleet.rs"]
mod fleet;
use fleet::{hung_neighbour, peak_rss_kb, spread_fleet, SPREAD_HOSTS, SPREAD_PROFILES};

const BIN: &str = env!("CARGO_BIN_EXE_halo-connect");
const SECRET: &str = "b3nch5ec-7e57-4bad-8eef-000000000001-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const PRESET: &str = "asset-lifecycle";
const FLEET: usize = 200;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// One printed row: what, the limit, the measurement, met or not.
struct Row {
    target: String,
    limit: String,
    measured: String,
    met: bool,
}

fn row(target: &str, limit: String, measured: String, met: bool) -> Row {
    Row {
        target: target.to_string(),
        limit,
        measured,
        met,
    }
}

fn sandbox(scenario: Scenario, latency: Duration) -> Sandbox {
    Sandbox::start(SandboxOptions {
        scenario,
        tls: TlsMode::Valid,
        latency,
        client_secret: Some(halo_connect::sandbox::ClientSecret::new(SECRET)),
        ..SandboxOptions::default()
    })
    .expect("the sandbox starts")
}

fn settings(sb: &Sandbox) -> ConnectionSettings {
    let s = |v: String| Some(Sourced::new(v, Source::Flag));
    let raw = RawValues {
        url: None,
        resource_server: s(sb.resource_server()),
        auth_server: s(sb.auth_server()),
        tenant: s(sb.tenant().to_string()),
        client_id: s(sb.client_id().to_string()),
    };
    validate(&raw, None)
        .expect("the sandbox's values are valid")
        .settings
}

/// A fresh client per run, as a fresh process has: its first request connects and shakes hands.
fn client(sb: &Sandbox) -> HaloClient {
    HaloClient::new(ClientOptions {
        ca_cert_pem: sb.ca_pem().map(String::into_bytes),
        ..ClientOptions::default()
    })
    .expect("the client builds")
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Median wall time of `run_check` of `preset` against a sandbox in `scenario`.
fn concurrent_check(
    preset: &str,
    scenario: Scenario,
    latency: Duration,
    runs: u64,
) -> (Duration, Sandbox) {
    let sb = sandbox(scenario, latency);
    let preset = preset::find(preset).expect("preset").clone();
    let settings = settings(&sb);
    let secret = Secret::new(SECRET);
    let rt = rt();
    let times = (0..runs)
        .map(|_| {
            let c = client(&sb);
            let t0 = Instant::now();
            let report = rt.block_on(async {
                run_check(&c, &settings, &secret, &preset, Subject::named("bench")).await
            });
            let took = t0.elapsed();
            assert!(
                report.token().ok,
                "the bench's token request failed: {:?}",
                report.error()
            );
            took
        })
        .collect();
    (median(times), sb)
}

/// The sequential baseline: the token, then Agent/me and one read per area, one at a time, with
/// the same client. The same requests `run_check` makes at once.
fn sequential_check(latency: Duration, runs: u64) -> Duration {
    let sb = sandbox(Scenario::Healthy, latency);
    let preset: Preset = preset::find(PRESET).expect("preset").clone();
    let settings = settings(&sb);
    let secret = Secret::new(SECRET);
    let mut paths: Vec<(&str, &str)> = vec![(AGENT_ME_PATH, "")];
    for s in &preset.scopes {
        if let Some(p) = probe_for(s) {
            if !paths.iter().any(|(path, _)| *path == p.path) {
                paths.push((p.path, p.query));
            }
        }
    }
    let rt = rt();
    let times = (0..runs)
        .map(|_| {
            let c = client(&sb);
            let t0 = Instant::now();
            rt.block_on(async {
                let token = match exchange_token(&c, &settings, &secret, &preset.scopes).await {
                    halo_connect::halo::diagnose::TokenOutcome::Issued(t) => t.access_token,
                    _ => panic!("the baseline's token request failed"),
                };
                for (path, query) in &paths {
                    let url = settings.resource_server.join(path, query);
                    let a = c.get(&url, Some(&token)).await.expect("a probe answers");
                    assert_eq!(a.status, 200, "{url}");
                }
            });
            t0.elapsed()
        })
        .collect();
    median(times)
}

/// An isolated home for the binary: its config dir and a clean environment.
struct Home {
    dir: PathBuf,
}

impl Home {
    fn new(name: &str) -> Home {
        let dir = std::env::temp_dir().join(format!("halo-bench-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("halo-connect")).expect("temp dir");
        Home { dir }
    }

    fn write_fleet(&self, sb: &Sandbox, n: usize, ca: Option<&Path>) {
        self.write_fleets(&[sb], n, ca);
    }

    /// `n` profiles on each of `hosts`, named so `test --all` interleaves the hosts.
    fn write_fleets(&self, hosts: &[&Sandbox], n: usize, ca: Option<&Path>) {
        let mut text = String::new();
        for (h, sb) in hosts.iter().enumerate() {
            text.push_str(&fleet_text(sb, n, h, ca));
        }
        std::fs::write(self.dir.join("halo-connect").join("config.toml"), text).expect("config");
    }
}

fn fleet_text(sb: &Sandbox, n: usize, host: usize, ca: Option<&Path>) -> String {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
                "[profiles.p{i:03}h{host:02}]\npreset = \"{PRESET}\"\nresource_server = \"{}\"\nauth_server = \"{}\"\ntenant = \"{}\"\nclient_id = \"{}\"\nsecret_store = \"none\"\n",
                sb.resource_server(),
                sb.auth_server(),
                sb.tenant(),
                sb.client_id(),
            ));
        if let Some(ca) = ca {
            text.push_str(&format!("ca_cert = \"{}\"\n", ca.display()));
        }
        text.push('\n');
    }
    text
}

impl Home {
    fn write_ca(&self, sb: &Sandbox) -> PathBuf {
        let p = self.dir.join("ca.pem");
        std::fs::write(&p, sb.ca_pem().expect("a TLS sandbox has a CA")).expect("ca");
        p
    }

    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        for (k, _) in std::env::vars() {
            if k.starts_with("HALO_") {
                c.env_remove(k);
            }
        }
        c.env("XDG_CONFIG_HOME", &self.dir)
            .env("HOME", &self.dir)
            .env("HALO_CLIENT_SECRET", SECRET)
            .env("NO_COLOR", "1")
            .env("CI", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Runs the binary; returns its wall time and stdout.
    fn run(&self, args: &[&str]) -> (Duration, i32, String) {
        let t0 = Instant::now();
        let out = self.cmd(BIN).args(args).output().expect("the binary runs");
        let took = t0.elapsed();
        (
            took,
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    fn median(&self, args: &[&str], runs: u64) -> Duration {
        median((0..runs).map(|_| self.run(args).0).collect())
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    format!("{cores} cores available, {cpu}, Linux {kernel}")
}

fn main() {
    // `cargo bench` passes --bench; a filter is not supported, every target is measured.
    let latency = Duration::from_millis(env_num("HALO_BENCH_LATENCY_MS", 100));
    let runs = env_num("HALO_BENCH_RUNS", 9).max(1);
    let rtt = latency;
    let limit2 = rtt * 2;
    let mut rows: Vec<Row> = Vec::new();
    println!("halo-connect performance benchmark");
    println!("machine: {}", machine());
    println!(
        "sandbox: HTTPS (h2 by ALPN), {} per request; medians of {runs} runs; binary {BIN}\n",
        ms(latency)
    );

    // 1. Save and Test in two round trips, in-process, next to the sequential baseline.
    let (conc, sb) = concurrent_check(PRESET, Scenario::Healthy, latency, runs);
    let st = sb.stats();
    drop(sb);
    let seq = sequential_check(latency, runs);
    println!(
        "test {PRESET} (12 scopes), in-process: concurrent {}  sequential baseline {}  ratio {:.3}",
        ms(conc),
        ms(seq),
        conc.as_secs_f64() / seq.as_secs_f64()
    );
    rows.push(row(
        "test asset-lifecycle / 2-round-trip limit (in-process)",
        format!("<= 1.25 x ({})", ms(limit2)),
        format!(
            "{:.3} x ({})",
            conc.as_secs_f64() / limit2.as_secs_f64(),
            ms(conc)
        ),
        conc.as_secs_f64() <= 1.25 * limit2.as_secs_f64(),
    ));
    rows.push(row(
        "test asset-lifecycle / sequential baseline",
        "<= 0.25 x".into(),
        format!(
            "{:.3} x ({} vs {})",
            conc.as_secs_f64() / seq.as_secs_f64(),
            ms(conc),
            ms(seq)
        ),
        conc.as_secs_f64() <= 0.25 * seq.as_secs_f64(),
    ));
    rows.push(row(
        "TLS handshakes per check (in-process)",
        "1".into(),
        format!(
            "{} handshakes, {} connections over {runs} checks",
            st.tls_handshakes, st.connections
        ),
        st.tls_handshakes == runs,
    ));

    // 2. A refused or a dropped scope costs at most one extra round trip. The scenarios take
    // edit:invoices away, so the billing preset (which asks for it) is the one that meets them.
    for scenario in [Scenario::MissingScope, Scenario::ScopeDropped] {
        let (t, _) = concurrent_check("billing", scenario, latency, runs);
        let limit = rtt * 3;
        rows.push(row(
            &format!("test billing, scenario {scenario} / 3-round-trip limit"),
            format!("<= 1.25 x ({})", ms(limit)),
            format!("{:.3} x ({})", t.as_secs_f64() / limit.as_secs_f64(), ms(t)),
            t.as_secs_f64() <= 1.25 * limit.as_secs_f64(),
        ));
    }

    // 3. The binary: one `test`, the fleet, startup, size, memory.
    let sb = sandbox(Scenario::Healthy, latency);
    let home = Home::new("one");
    let ca = home.write_ca(&sb);
    home.write_fleet(&sb, 1, Some(&ca));
    let one = ["--profile", "p000h00", "test", "--json"];
    let (_, code, _) = home.run(&one);
    assert_eq!(code, 0, "the binary's test run failed");
    let before = sb.stats();
    let t = home.median(&one, runs);
    let after = sb.stats();
    let hs = (after.tls_handshakes - before.tls_handshakes) as f64 / runs as f64;
    rows.push(row(
        "halo-connect test (process, asset-lifecycle) / 2-round-trip limit",
        format!("<= 1.25 x ({})", ms(limit2)),
        format!(
            "{:.3} x ({})",
            t.as_secs_f64() / limit2.as_secs_f64(),
            ms(t)
        ),
        t.as_secs_f64() <= 1.25 * limit2.as_secs_f64(),
    ));
    rows.push(row(
        "TLS handshakes per `test` run (process)",
        "1".into(),
        format!("{hs:.2}"),
        hs == 1.0,
    ));
    let rss = peak_rss_kb(&home, &one);
    rows.push(row(
        "peak RSS of `test`",
        "<= 20 MB".into(),
        rss.map(|k| format!("{:.1} MB", k as f64 / 1024.0))
            .unwrap_or_else(|| "not measured: /usr/bin/time is missing".into()),
        rss.is_some_and(|k| k <= 20 * 1024),
    ));
    drop(home);
    drop(sb);

    let fleet_runs = env_num("HALO_BENCH_FLEET_RUNS", 3).max(1);
    let sb = sandbox(Scenario::Healthy, latency);
    let home = Home::new("fleet");
    let ca = home.write_ca(&sb);
    home.write_fleet(&sb, FLEET, Some(&ca));
    let all = ["test", "--all", "--json"];
    let (_, code, out) = home.run(&all);
    let n_ok = serde_json::from_str::<serde_json::Value>(&out)
        .ok()
        .and_then(|v| {
            v.as_array()
                .map(|a| a.iter().filter(|r| r["ok"] == true).count())
        })
        .unwrap_or(0);
    assert_eq!((code, n_ok), (0, FLEET), "the fleet run failed");
    let t = home.median(&all, fleet_runs);
    let st = sb.stats();
    rows.push(row(
        &format!("halo-connect test --all ({FLEET} profiles, medians of {fleet_runs})"),
        "<= 2000 ms".into(),
        ms(t),
        t <= Duration::from_secs(2),
    ));
    rows.push(row(
        "sockets at once during test --all (--concurrency 16)",
        "<= 16".into(),
        format!(
            "{} (handshakes {} over {} runs)",
            st.max_concurrent_connections,
            st.tls_handshakes,
            fleet_runs + 1
        ),
        st.max_concurrent_connections <= 16,
    ));
    let (spread, per_host) = spread_fleet(latency, fleet_runs);
    rows.push(row(
        &format!("halo-connect test --all ({SPREAD_PROFILES} profiles over {SPREAD_HOSTS} plain-HTTP instances, medians of {fleet_runs})"),
        "<= 1500 ms".into(),
        ms(spread),
        spread <= Duration::from_millis(1500),
    ));
    rows.push(row(
        "most sockets at once on any one of those instances (--concurrency 16)",
        "<= 16".into(),
        per_host.to_string(),
        per_host <= 16,
    ));
    let hung = hung_neighbour(&home, latency);
    rows.push(row(
        "slowest healthy profile with one hung profile in the fleet",
        "<= 2000 ms".into(),
        ms(hung),
        hung <= Duration::from_secs(2),
    ));

    let startup_runs = env_num("HALO_BENCH_STARTUP_RUNS", 50).max(1);
    let v = home.median(&["--version"], startup_runs);
    let l = home.median(&["list"], startup_runs);
    rows.push(row(
        "halo-connect --version",
        "<= 5 ms".into(),
        ms(v),
        v <= Duration::from_millis(5),
    ));
    rows.push(row(
        &format!("halo-connect list ({FLEET} profiles)"),
        "<= 5 ms".into(),
        ms(l),
        l <= Duration::from_millis(5),
    ));
    let size = std::fs::metadata(BIN).map(|m| m.len()).unwrap_or(0);
    rows.push(row(
        "release binary size (stripped)",
        "<= 8 MB".into(),
        format!("{:.2} MB", size as f64 / (1024.0 * 1024.0)),
        size <= 8 * 1024 * 1024,
    ));

    println!();
    let w = rows.iter().map(|r| r.target.len()).max().unwrap_or(10);
    let lw = rows.iter().map(|r| r.limit.len()).max().unwrap_or(10);
    println!(
        "{:<w$}  {:<lw$}  {:<48}  met",
        "target", "limit", "measured"
    );
    for r in &rows {
        println!(
            "{:<w$}  {:<lw$}  {:<48}  {}",
            r.target,
            r.limit,
            r.measured,
            if r.met { "yes" } else { "NO" }
        );
    }
}

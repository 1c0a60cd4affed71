//! The fleet measures of the benchmark: peak memory of a command, a fleet spread over many hosts,
//! and a fleet beside a host that never answers.

use super::*;

/// Peak RSS of one `test` run, from GNU time (`/usr/bin/time -f %M`, in KiB).
pub(super) fn peak_rss_kb(home: &Home, args: &[&str]) -> Option<u64> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let out = home
        .cmd("/usr/bin/time")
        .args(["-f", "%M", BIN])
        .args(args)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .next_back()
}

/// The instances and profiles of the spread fleet.
pub(super) const SPREAD_HOSTS: usize = 10;
pub(super) const SPREAD_PROFILES: usize = 100;

/// A fleet spread over several instances, each its own host: plain HTTP, so every request in
/// flight needs a socket and the per-host budget is what bounds the run. Returns the median wall
/// time and the most sockets any one instance saw at once.
pub(super) fn spread_fleet(latency: Duration, runs: u64) -> (Duration, u64) {
    let hosts: Vec<Sandbox> = (0..SPREAD_HOSTS)
        .map(|_| {
            Sandbox::start(SandboxOptions {
                tls: TlsMode::Off,
                latency,
                client_secret: Some(halo_connect::sandbox::ClientSecret::new(SECRET)),
                ..SandboxOptions::default()
            })
            .expect("the sandbox starts")
        })
        .collect();
    let home = Home::new("spread");
    let refs: Vec<&Sandbox> = hosts.iter().collect();
    home.write_fleets(&refs, SPREAD_PROFILES / SPREAD_HOSTS, None);
    let all = ["test", "--all", "--json"];
    let (_, code, _) = home.run(&all);
    assert_eq!(code, 0, "the spread fleet run failed");
    let t = home.median(&all, runs);
    let per_host = hosts
        .iter()
        .map(|h| h.stats().max_concurrent_connections)
        .max()
        .unwrap_or(0);
    (t, per_host)
}

/// Runs the fleet with one extra profile on a host that never answers (2 s timeout); returns the
/// slowest elapsed_ms among the healthy profiles.
pub(super) fn hung_neighbour(home: &Home, latency: Duration) -> Duration {
    let dead = Sandbox::start(SandboxOptions {
        scenario: Scenario::NoAnswer,
        latency,
        client_secret: Some(halo_connect::sandbox::ClientSecret::new(SECRET)),
        ..SandboxOptions::default()
    })
    .expect("sandbox");
    let cfg = home.dir.join("halo-connect").join("config.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap_or_default();
    text.push_str(&format!(
        "\n[profiles.hung]\npreset = \"{PRESET}\"\nresource_server = \"{}\"\nauth_server = \"{}\"\ntenant = \"{}\"\nclient_id = \"{}\"\nsecret_store = \"none\"\n",
        dead.resource_server(),
        dead.auth_server(),
        dead.tenant(),
        dead.client_id(),
    ));
    std::fs::write(&cfg, text).expect("config");
    let (_, _, out) = home.run(&["--timeout", "2", "test", "--all", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    let slowest = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|r| r["profile"] != "hung")
                .filter_map(|r| r["elapsed_ms"].as_u64())
                .max()
                .unwrap_or(u64::MAX)
        })
        .unwrap_or(u64::MAX);
    Duration::from_millis(slowest)
}

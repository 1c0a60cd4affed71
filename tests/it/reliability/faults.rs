// The Secret Service is reached over D-Bus and the disk faults are tmpfs mounts: Linux only, and
// gated by cfg, so macOS and Windows run every other test here (Windows needs fewer imports).
#![cfg_attr(windows, allow(unused_imports))]
#[cfg(target_os = "linux")]
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use halo_connect::sandbox::{Sandbox, Scenario};
use halo_connect::store::{ConfigFile, FileStore, SecretStore};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("halo-connect")
}

#[cfg(target_os = "linux")]
fn keyring_args(sb: &Sandbox) -> Vec<String> {
    let mut args = init_args(sb);
    let i = args.iter().position(|a| a == "file").unwrap();
    args[i] = "keyring".into();
    args
}

/// No Secret Service at all (the session bus address points at nothing): refused at once, exit 3,
/// the two other stores named, nothing saved.
#[cfg(target_os = "linux")]
#[test]
fn keyring_unavailable_is_refused_at_once() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let bus = format!("unix:path={}", env.dir.path().join("no-such-bus").display());
    let start = Instant::now();
    let run = env.run(
        &strs(&keyring_args(&sb)),
        &[
            ("HALO_CLIENT_SECRET", CANARY),
            ("DBUS_SESSION_BUS_ADDRESS", &bus),
        ],
        None,
    );
    run.code(3);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(run.stderr.contains("keyring"), "{}", run.stderr);
    assert!(run.stderr.contains("--secret-store file"), "{}", run.stderr);
    assert!(run.stderr.contains("--secret-store none"), "{}", run.stderr);
    assert!(!env.config_text().contains("[profiles"), "nothing saved");
}

/// A session bus that accepts the connection and never answers (a hung keyring daemon): the keyring
/// call is cut off at its time limit, the user is told and given the choices; never a hang. Both
/// when saving (`init`) and when reading a keyring profile (`test`).
#[cfg(target_os = "linux")]
#[test]
fn keyring_hanging_is_time_limited() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let sock = env.dir.path().join("hung-bus");
    let listener = UnixListener::bind(&sock).unwrap();
    // Accept and hold every connection without a byte of answer.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let bus = format!("unix:path={}", sock.display());
    let vars = [
        ("HALO_CLIENT_SECRET", CANARY),
        ("DBUS_SESSION_BUS_ADDRESS", bus.as_str()),
    ];
    let start = Instant::now();
    let run = env.run(&strs(&keyring_args(&sb)), &vars, None);
    let took = start.elapsed();
    run.code(3);
    assert!(
        took >= Duration::from_secs(3) && took < Duration::from_secs(15),
        "took {took:?}: cut off at the 3 s keyring limit"
    );
    assert!(
        run.stderr.contains("did not answer within 3.0 s"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--secret-store file"), "{}", run.stderr);
    assert!(!env.config_text().contains("[profiles"), "nothing saved");

    // A stored keyring profile, tested while the keyring hangs.
    env.write_config(&format!(
        "[profiles.default]\npreset = \"billing\"\nresource_server = \"{}\"\nauth_server = \"{}\"\ntenant = \"{}\"\nclient_id = \"{}\"\nsecret_store = \"keyring\"\n",
        sb.resource_server(),
        sb.auth_server(),
        sb.tenant(),
        sb.client_id()
    ));
    let start = Instant::now();
    let run = env.run(
        &["test", "--json"],
        &[("DBUS_SESSION_BUS_ADDRESS", bus.as_str())],
        None,
    );
    assert!(start.elapsed() < Duration::from_secs(15));
    run.code(3);
    run.contract(Some("config"));
}

/// The config's parent is a regular file: no directory can be made. Exit 3 naming the path.
#[test]
fn config_dir_under_a_regular_file() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let blocker = env.dir.path().join("blocker");
    std::fs::write(&blocker, "a file, not a directory").unwrap();
    let config = blocker.join("halo-connect").join("config.toml");
    let mut args = init_args(&sb);
    args.extend(["--config".into(), config.display().to_string()]);
    let run = env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None);
    run.code(3);
    assert!(run.stderr.contains("blocker"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&blocker).unwrap(),
        "a file, not a directory"
    );
    // Reading commands say the same, with exit 3, not a panic.
    let run = env.run(
        &["list", "--config", &config.display().to_string()],
        &[],
        None,
    );
    run.code(3);
    assert!(run.stderr.contains("blocker"), "{}", run.stderr);
}

/// A tmpfs of our own (we run as root in CI's container); None when mounting is not allowed.
#[cfg(target_os = "linux")]
struct Mount(PathBuf);

#[cfg(target_os = "linux")]
impl Mount {
    fn tmpfs(at: &Path, size: &str) -> Option<Mount> {
        std::fs::create_dir_all(at).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(at.to_path_buf()))
    }

    fn remount_ro(&self) -> bool {
        Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success())
    }
}

#[cfg(target_os = "linux")]
impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes a config holding three profiles through the binary, returns its text.
#[cfg(unix)]
fn seed(env: &TestEnv, sb: &Sandbox, config: &Path) -> String {
    for p in ["a", "b", "c", "d", "e", "f"] {
        let mut args = init_args(sb);
        args.extend([
            "--profile".into(),
            p.into(),
            "--config".into(),
            config.display().to_string(),
        ]);
        env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
            .code(0);
    }
    std::fs::read_to_string(config).unwrap()
}

#[cfg(unix)]
fn new_profile_args(sb: &Sandbox, config: &Path) -> Vec<String> {
    let mut args = init_args(sb);
    args.extend([
        "--profile".into(),
        "d-with-a-rather-long-profile-name-to-need-more-room".into(),
        "--config".into(),
        config.display().to_string(),
    ]);
    args
}

/// Disk full: a 64 KiB tmpfs, filled up after the first save. The next save fails with exit 3
/// ("the previous file is unchanged") and the old config is byte for byte intact.
#[cfg(target_os = "linux")]
#[test]
fn disk_full_leaves_the_old_config_intact() {
    let env = TestEnv::new();
    let Some(mount) = Mount::tmpfs(&env.dir.path().join("small"), "64k") else {
        eprintln!("SKIP: cannot mount a tmpfs here; disk-full is covered by the write-limit test");
        return;
    };
    let sb = sandbox(Scenario::Healthy);
    let config = mount.0.join("halo-connect").join("config.toml");
    let before = seed(&env, &sb, &config);
    // Fill every remaining byte.
    let filler = mount.0.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0u8; 4096];
    use std::io::Write;
    while f.write_all(&chunk).is_ok() {}
    while f.write_all(&[0u8]).is_ok() {}
    drop(f);
    let run = env.run(
        &strs(&new_profile_args(&sb, &config)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(3);
    assert!(run.stderr.contains("unchanged"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    assert!(ConfigFile::new(config.clone()).load().is_ok());
    drop(mount);
}

/// A write that fails midway, without a mount: the file-size limit (`ulimit -f`, SIGXFSZ ignored)
/// makes the temp file's write fail with EFBIG after its first kilobyte.
#[cfg(unix)]
#[test]
fn a_write_failing_midway_leaves_the_old_config_intact() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let config = env.dir.path().join("cfg").join("config.toml");
    let before = seed(&env, &sb, &config);
    assert!(
        before.len() > 1024,
        "the seed must exceed the 512-byte limit"
    );
    let args: Vec<String> = new_profile_args(&sb, &config)
        .iter()
        .map(|a| format!("'{a}'"))
        .collect();
    let script = format!(
        "trap '' XFSZ; ulimit -f 1; exec '{}' {}",
        bin().display(),
        args.join(" ")
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env_clear()
        .envs(env.vars())
        .env("HALO_CLIENT_SECRET", CANARY)
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_no_canary(&run, &[]);
    assert_no_panic(&run, &[]);
    run.code(3);
    assert!(run.stderr.contains("unchanged"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
}

/// A read-only file system (a tmpfs remounted ro): exit 3, naming the path; old config readable.
#[cfg(target_os = "linux")]
#[test]
fn read_only_config_dir() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    if let Some(mount) = Mount::tmpfs(&env.dir.path().join("ro"), "1m") {
        let config = mount.0.join("halo-connect").join("config.toml");
        let before = seed(&env, &sb, &config);
        assert!(mount.remount_ro());
        let run = env.run(
            &strs(&new_profile_args(&sb, &config)),
            &[("HALO_CLIENT_SECRET", CANARY)],
            None,
        );
        run.code(3);
        assert!(run.stderr.contains("config.toml"), "{}", run.stderr);
        assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
        let run = env.run(
            &["list", "--json", "--config", &config.display().to_string()],
            &[],
            None,
        );
        run.code(0);
        assert_eq!(run.json().as_array().unwrap().len(), 6);
    } else {
        eprintln!("SKIP: cannot mount a tmpfs here");
    }
    // Without root, a directory without write permission does the same.
    let dir = env.dir.path().join("locked");
    std::fs::create_dir_all(dir.join("halo-connect")).unwrap();
    let config = dir.join("halo-connect").join("config.toml");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.join("halo-connect"),
        std::fs::Permissions::from_mode(0o500),
    )
    .unwrap();
    let probe = dir.join("halo-connect").join("probe");
    if std::fs::write(&probe, "x").is_ok() {
        eprintln!("SKIP: running as root, directory permissions do not stop writes");
        return;
    }
    let run = env.run(
        &strs(&new_profile_args(&sb, &config)),
        &[("HALO_CLIENT_SECRET", CANARY)],
        None,
    );
    run.code(3);
}

/// A tiny xorshift, so the kill points differ per run but need no extra crate.
fn rng(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// 200 saves, each SIGKILLed at a random point: after every one, the config parses and holds
/// either the old or the new Client ID of the profile; the credentials file parses too.
#[test]
fn sigkill_at_random_points_during_200_saves() {
    let env = TestEnv::new();
    let sb = sandbox(Scenario::Healthy);
    let ids = [
        "11111111-1111-4111-8111-111111111111",
        "22222222-2222-4222-8222-222222222222",
    ];
    let spawn = |id: &str| {
        let mut args = init_args(&sb);
        let i = args.iter().position(|a| a == "--client-id").unwrap();
        args[i + 1] = id.to_string();
        args.extend(["--skip-test".into(), "--force".into()]);
        Command::new(bin())
            .env_clear()
            .envs(env.vars())
            .env("HALO_CLIENT_SECRET", CANARY)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long a whole save takes, to spread the kill points over it.
    let start = Instant::now();
    let st = spawn(ids[0]).wait().unwrap();
    assert!(st.success());
    let full = start.elapsed().max(Duration::from_millis(5));
    let cf = ConfigFile::new(env.config_path());
    let creds = FileStore::new(env.credentials_path());
    let mut current = ids[0].to_string();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ u64::from(std::process::id());
    let (mut killed, mut finished) = (0, 0);
    for n in 0..200 {
        let next = ids[(n + 1) % 2];
        let mut child = spawn(next);
        let delay = Duration::from_micros(rng(&mut seed) % (full.as_micros() as u64 * 3 / 2 + 1));
        std::thread::sleep(delay);
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            finished += 1;
        } else {
            killed += 1;
        }
        let config = cf
            .load()
            .unwrap_or_else(|e| panic!("save {n}: the config does not parse after a kill: {e}"));
        let got = config
            .get("default")
            .unwrap_or_else(|e| panic!("save {n}: the profile is gone: {e}"))
            .client_id
            .clone();
        assert!(
            got == current || got == next,
            "save {n}: client id {got}, want {current} or {next}"
        );
        current = got;
        let secret = creds
            .get("default")
            .unwrap_or_else(|e| panic!("save {n}: the credentials file: {e}"));
        // The secret is stored bound to its server and Client ID; what it opens to is the secret.
        let opened = secret.map(|s| halo_connect::domain::binding::open(&s).1);
        assert_eq!(opened.map(|s| s.expose() == CANARY), Some(true));
    }
    eprintln!("200 saves: {killed} killed, {finished} finished");
    assert!(
        killed > 0,
        "no save was interrupted; the delays are too long"
    );
    // A save killed between writing its temp file and renaming it leaves the temp file behind
    // (nothing runs on SIGKILL). One of the credentials file holds the secret: it must be 0600, in
    // the 0700 config dir, like credentials.toml itself, and the next save of that file removes
    // it (so at most one per file is ever left). The config's temp files never hold it.
    let dir = env.config_path().parent().unwrap().to_path_buf();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir_mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(dir_mode, 0o700, "config dir mode {dir_mode:o}");
    }
    let mut leftovers = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).into_owned();
        if name.ends_with(".tmp") {
            leftovers += 1;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = e.metadata().unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{name} has mode {mode:o}");
            }
        } else if name != "credentials.toml" {
            assert!(!text.contains(CANARY), "the secret is in {name}");
        }
    }
    eprintln!("{leftovers} temp files left by killed saves (0600, in the 0700 dir)");
    assert!(leftovers <= 2, "stale temp files pile up: {leftovers}");
    // Clear them, so the harness's whole-directory canary check applies to what follows.
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        if e.file_name().to_string_lossy().ends_with(".tmp") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    // The next ordinary run still works (no stale lock).
    env.run(&["list", "--json"], &[], None).code(0);
}

/// Two concurrent `init`s of the same profile without --force: one wins, the other exits 3 and
/// its message names the profile. The config holds the winner's values.
#[test]
fn two_concurrent_writers_of_the_same_profile() {
    for round in 0..5 {
        let env = TestEnv::new();
        let sb = sandbox(Scenario::Healthy);
        let args = init_args(&sb);
        let children: Vec<_> = (0..2)
            .map(|_| {
                Command::new(bin())
                    .env_clear()
                    .envs(env.vars())
                    .env("HALO_CLIENT_SECRET", CANARY)
                    .args(&args)
                    .args(["--profile", "shared"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outs: Vec<Run> = children
            .into_iter()
            .map(|c| Run::from(c.wait_with_output().unwrap()))
            .collect();
        for o in &outs {
            assert_no_canary(o, &[]);
            assert_no_panic(o, &[]);
        }
        let winners = outs.iter().filter(|o| o.code == 0).count();
        assert_eq!(winners, 1, "round {round}: {outs:?}");
        let loser = outs.iter().find(|o| o.code != 0).unwrap();
        loser.code(3);
        assert!(
            loser.stderr.contains("`shared`") && loser.stderr.contains("already exists"),
            "round {round}: {}",
            loser.stderr
        );
        let v = env.run(&["list", "--json"], &[], None).json();
        assert_eq!(v.as_array().unwrap().len(), 1, "{v:#}");
    }
}

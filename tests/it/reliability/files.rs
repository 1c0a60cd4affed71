//! The files halo-connect trusts, reads and writes, through the binary, each as the second red
//! team attacked it: a config or CA file another user could change (a group with other members,
//! a symbolic link into a directory anyone can write), profile names and values no script or
//! terminal should get, FIFOs and devices where a file belongs, and CI reports named over a file
//! that is not a report.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::*;
use crate::handoff::profile_toml;
use halo_connect::sandbox::{Scenario, TlsMode};

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn is_root() -> bool {
    // SAFETY: geteuid has no arguments and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The passwd entries as (uid, primary gid).
fn accounts() -> Vec<(u32, u32)> {
    std::fs::read_to_string("/etc/passwd")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?))
        })
        .collect()
}

/// A profile `acme` in the test's config, stored secret in the file store.
fn acme(env: &TestEnv) {
    env.write_config(&profile_toml(
        "acme",
        "billing",
        "https://acme.halopsa.com/api",
        "https://acme.halopsa.com/auth/",
        None,
    ));
}

/// ssh's rule for group write: only the user's own private group. A group another account has as
/// its primary group is such a group's opposite: its members could point the profile anywhere.
#[test]
fn a_config_its_group_could_change_is_refused_unless_the_group_is_the_users_alone() {
    if !is_root() {
        eprintln!("SKIPPED: giving a file to another group needs root (CI runs the tests as root); the rule itself is tested in halo-connect-store's strict.rs");
        return;
    }
    let env = TestEnv::new();
    acme(&env);
    let config = env.config_path();
    let dir = config.parent().unwrap().to_path_buf();
    let shared = accounts()
        .into_iter()
        .find(|&(uid, gid)| uid != 0 && gid != 0)
        .map(|(_, gid)| gid)
        .expect("an account other than root with its own primary group (such as daemon or nobody)");
    // A group-writable directory of a shared group: a member could swap the file.
    std::os::unix::fs::chown(&dir, None, Some(shared)).unwrap();
    chmod(&dir, 0o770);
    let run = env.run(&["list"], &[], None);
    run.code(3);
    assert!(
        run.stderr.contains("members of its group"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("not yours alone"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&dir.display().to_string()),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("chmod go-w"), "{}", run.stderr);
    chmod(&dir, 0o700);
    env.run(&["list"], &[], None).code(0);
    // The file itself, group-writable for that group.
    std::os::unix::fs::chown(&config, None, Some(shared)).unwrap();
    chmod(&config, 0o660);
    let run = env.run(&["list"], &[], None);
    run.code(3);
    assert!(
        run.stderr.contains("members of its group"),
        "{}",
        run.stderr
    );
    // root's own group, when no one else is in it, is root's private group: allowed.
    let root_group_private = accounts().iter().all(|&(uid, gid)| gid != 0 || uid == 0)
        && std::fs::read_to_string("/etc/group")
            .unwrap_or_default()
            .lines()
            .any(|l| l.starts_with("root:") && l.ends_with(':'));
    if root_group_private {
        std::os::unix::fs::chown(&config, None, Some(0)).unwrap();
        env.run(&["list"], &[], None).code(0);
    } else {
        eprintln!("NOTE: root's group has other members here; the private-group half is not run");
    }
}

/// The check follows the real path: a config reached through a symbolic link into a directory
/// any user can write (not sticky) is refused, naming that directory.
#[test]
fn a_config_behind_a_symlink_into_a_directory_anyone_can_write_is_refused() {
    let env = TestEnv::new();
    let shared = env.dir.path().join("shared");
    let real = shared.join("alicecfg").join("halo-connect");
    std::fs::create_dir_all(&real).unwrap();
    chmod(&shared, 0o777);
    std::fs::write(
        real.join("config.toml"),
        profile_toml(
            "acme",
            "billing",
            "https://acme.halopsa.com/api",
            "https://acme.halopsa.com/auth/",
            None,
        ),
    )
    .unwrap();
    let home = env.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::os::unix::fs::symlink(shared.join("alicecfg"), home.join(".config")).unwrap();
    let via_link = home
        .join(".config")
        .join("halo-connect")
        .join("config.toml");
    let run = env.run(&["--config", via_link.to_str().unwrap(), "list"], &[], None);
    run.code(3);
    assert!(
        run.stderr.contains("any user can write it"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&shared.display().to_string()),
        "{}",
        run.stderr
    );
    chmod(&shared, 0o755);
    env.run(&["--config", via_link.to_str().unwrap(), "list"], &[], None)
        .code(0);
}

/// A profile's CA file decides which servers may stand in for Halo: one others can write is
/// refused before any request, in `test` of a stored profile and with `--ca-cert`.
#[test]
fn a_ca_file_others_can_write_is_refused() {
    let sb = sandbox_tls(Scenario::Healthy, TlsMode::Valid);
    let env = TestEnv::new();
    let ca_dir = tempfile::tempdir().unwrap();
    let ca = write_ca(ca_dir.path(), &sb);
    chmod(&ca, 0o644);
    let mut args = init_args(&sb);
    args.extend(["--ca-cert".into(), ca.display().to_string()]);
    env.run(&strs(&args), &[("HALO_CLIENT_SECRET", CANARY)], None)
        .code(0);
    env.run(&["test"], &[], None).code(0);
    let before = sb.stats().token_requests;
    chmod(&ca, 0o666);
    let run = env.run(&["test"], &[], None);
    run.code(3);
    assert!(run.stderr.contains("CA file"), "{}", run.stderr);
    assert!(
        run.stderr.contains("any user can write it"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("stand in for Halo"), "{}", run.stderr);
    let owned = from_env_vars(&sb);
    let run = env.run(
        &["test", "--from-env", "--ca-cert", ca.to_str().unwrap()],
        &refs(&owned),
        None,
    );
    run.code(3);
    assert!(run.stderr.contains("CA file"), "{}", run.stderr);
    assert_eq!(sb.stats().token_requests, before, "the secret was sent");
    if is_root() {
        chmod(&ca, 0o644);
        std::os::unix::fs::chown(&ca, Some(4242), None).unwrap();
        let run = env.run(&["test"], &[], None);
        run.code(3);
        assert!(
            run.stderr.contains("owned by another user"),
            "{}",
            run.stderr
        );
    }
}

fn mkfifo(p: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg("-m")
        .arg("600")
        .arg(p)
        .status()
        .expect("mkfifo");
    assert!(ok.success());
}

/// A FIFO where the credentials file belongs is refused at once, by `test`, `status` and
/// `export --with-secret` alike, instead of waiting forever for a writer.
#[test]
fn a_fifo_as_the_credentials_file_fails_at_once() {
    let env = TestEnv::new();
    acme(&env);
    mkfifo(&env.credentials_path());
    for args in [
        &["test", "acme"][..],
        &["export", "acme", "--with-secret"],
        &["status"],
    ] {
        let run = env.run(args, &[], None);
        assert!(
            run.stderr.contains("not a regular file") || run.stdout.contains("not a regular file"),
            "{args:?}: {}{}",
            run.stdout,
            run.stderr
        );
    }
}

/// `--preset-file` takes a regular file of at most 1 MiB: a FIFO and /dev/zero are refused at
/// once, a huge file by its size.
#[test]
fn a_preset_file_that_is_not_a_small_regular_file_is_refused() {
    let env = TestEnv::new();
    let fifo = env.dir.path().join("presets.fifo");
    mkfifo(&fifo);
    let big = env.dir.path().join("big.toml");
    std::fs::write(&big, vec![b'#'; 2 * 1024 * 1024]).unwrap();
    for (path, says) in [
        (fifo.to_str().unwrap(), "not a regular file"),
        ("/dev/zero", "not a regular file"),
        (big.to_str().unwrap(), "larger than 1 MiB"),
    ] {
        let run = env.run(
            &[
                "init",
                "--non-interactive",
                "--profile",
                "f",
                "--url",
                "https://acme.halopsa.com",
                "--client-id",
                "id",
                "--preset-file",
                path,
                "--dry-run",
            ],
            &[("HALO_CLIENT_SECRET", CANARY)],
            None,
        );
        run.code(3);
        assert!(run.stderr.contains(says), "{path}: {}", run.stderr);
        assert!(run.stderr.contains(path), "{path}: {}", run.stderr);
    }
}

/// Profile names and values are checked when the config is read: a name that would run a command
/// in a completion script, and escapes and newlines `list`, `show` and `use` would print.
#[test]
fn names_and_values_no_script_or_terminal_should_get_are_refused_on_load() {
    let env = TestEnv::new();
    let marker = env.dir.path().join("PWNCOMP");
    env.write_config(&format!(
        "[profiles.\"prod$(touch {})\"]\npreset = \"billing\"\nresource_server = \"https://a.example/api\"\nauth_server = \"https://a.example/auth/\"\nclient_id = \"id\"\nsecret_store = \"none\"\n",
        marker.display()
    ));
    for shell in ["bash", "zsh", "fish"] {
        let run = env.run(&["completions", shell], &[], None);
        run.code(0);
        // The scripts ask the binary for names at each TAB, from a config that loads; none is
        // baked into the script.
        assert!(
            !run.stdout.contains("touch"),
            "{shell} script names the profile"
        );
    }
    let run = env.run(&["list"], &[], None);
    run.code(3);
    assert!(run.stderr.contains("line 1"), "{}", run.stderr);
    assert!(run.stderr.contains("not a valid name"), "{}", run.stderr);
    assert!(!marker.exists());

    acme(&env);
    let text = env.config_text().replace(
        "preset = \"billing\"",
        "preset = \"bill\\u001b]0;TITLE\\u0007ing\\n::warning::injected\"",
    );
    env.write_config(&text);
    for args in [&["list"][..], &["show", "acme"], &["use", "acme"]] {
        let run = env.run(args, &[], None);
        run.code(3);
        for out in [&run.stdout, &run.stderr] {
            assert!(
                !out.contains(['\u{1b}', '\u{7}', '\u{9b}']) && !out.contains("\n::warning"),
                "{args:?}: {out:?}"
            );
        }
        assert!(
            run.stderr.contains("key `preset` of profile `acme`"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("U+001B"), "{}", run.stderr);
    }
}

/// `--junit` and `--summary` replace only a missing or empty file or an earlier report of their
/// own kind: `config.toml` named by mistake is left whole, and the passing run fails (exit 3).
#[test]
fn ci_reports_never_replace_a_file_that_is_not_a_report() {
    let env = TestEnv::new();
    acme(&env);
    let config = env.config_path();
    let before = env.config_text();
    for flag in ["--junit", "--summary"] {
        let run = env.run(
            &["test", "--sandbox", flag, config.to_str().unwrap(), "-q"],
            &[],
            None,
        );
        run.code(3);
        assert!(run.stderr.contains("will not write"), "{}", run.stderr);
        assert!(run.stderr.contains(flag), "{}", run.stderr);
        assert_eq!(env.config_text(), before, "{flag} replaced the config");
    }
    // An earlier report of the same kind, and an empty file, are replaced.
    let out = tempfile::tempdir().unwrap();
    let junit = out.path().join("junit.xml");
    let summary = out.path().join("summary.md");
    std::fs::write(&summary, "").unwrap();
    for _ in 0..2 {
        env.run(
            &[
                "test",
                "--sandbox",
                "--junit",
                junit.to_str().unwrap(),
                "--summary",
                summary.to_str().unwrap(),
                "-q",
            ],
            &[],
            None,
        )
        .code(0);
    }
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("<testsuites"));
    assert!(std::fs::read_to_string(&summary)
        .unwrap()
        .contains("halo-connect test"));
    // A summary is no JUnit report.
    let run = env.run(
        &[
            "test",
            "--sandbox",
            "--junit",
            summary.to_str().unwrap(),
            "-q",
        ],
        &[],
        None,
    );
    run.code(3);
}

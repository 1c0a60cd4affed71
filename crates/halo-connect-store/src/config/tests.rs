//! The config file against real files: round trips, corrupt files left alone, locks and
//! concurrent writers.

use super::*;
use halo_connect_core::profile::{LastTest, SecretStoreKind};
use std::fs;
use std::sync::{Arc, Barrier};
use std::thread;

fn profile(client_id: &str) -> Profile {
    Profile {
        preset: "billing".into(),
        resource_server: "https://acme.halopsa.com/api".into(),
        auth_server: "https://acme.halopsa.com/auth/".into(),
        tenant: Some("acme".into()),
        client_id: client_id.into(),
        hosting: None,
        secret_store: SecretStoreKind::File,
        scopes: vec![],
        sandbox: false,
        ca_cert: None,
        scenario: None,
        last_test: None,
    }
}

fn file_in(dir: &tempfile::TempDir) -> ConfigFile {
    ConfigFile::new(dir.path().join("halo-connect").join("config.toml"))
}

#[test]
fn a_profile_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let cf = file_in(&dir);
    let mut p = profile("id-1");
    p.tenant = None;
    p.scopes = vec!["read:customers".into(), "edit:invoices".into()];
    p.sandbox = true;
    p.ca_cert = Some("/etc/ca.pem".into());
    p.last_test = Some(LastTest {
        ok: false,
        exit_code: 5,
        at: "2025-01-02T03:04:05Z".into(),
    });
    let q = profile("id-2");
    cf.update(|c| {
        c.insert_profile("default", p.clone(), false)?;
        c.insert_profile("ci.prod", q.clone(), false).map(drop)
    })
    .unwrap();

    let loaded = ConfigFile::new(cf.path().to_path_buf()).load().unwrap();
    assert_eq!(loaded.get("default").unwrap(), &p);
    assert_eq!(loaded.get("ci.prod").unwrap(), &q);
    assert_eq!(loaded.names(), vec!["ci.prod", "default"]);
    let text = fs::read_to_string(cf.path()).unwrap();
    assert!(text.contains("[profiles.default]"), "{text}");
    assert!(text.contains("[profiles.\"ci.prod\"]"), "{text}");
}

#[test]
fn a_missing_file_is_an_empty_config() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(file_in(&dir).load().unwrap(), Config::default());
}

#[test]
fn a_corrupt_file_reports_its_line_and_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let cf = file_in(&dir);
    fs::create_dir_all(cf.path().parent().unwrap()).unwrap();
    let bytes = b"[profiles.default]\npreset = \"billing\"\nclient_id = = 3\n";
    fs::write(cf.path(), bytes).unwrap();

    match cf.load() {
        Err(StoreError::Corrupt {
            path, line, column, ..
        }) => {
            assert_eq!(path, cf.path());
            assert_eq!(line, 3);
            assert!(column > 1, "column {column}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }

    let mut called = false;
    let err = cf
        .update(|c| {
            called = true;
            c.insert_profile("other", profile("x"), false)
        })
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupt { line: 3, .. }),
        "{err:?}"
    );
    assert!(!called, "f must not run on a corrupt file");
    assert_eq!(fs::read(cf.path()).unwrap(), bytes);
    let msg = err.to_string();
    assert!(
        msg.contains("config.toml") && msg.contains("line 3"),
        "{msg}"
    );
}

#[test]
fn invalid_utf8_is_corrupt_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let cf = file_in(&dir);
    fs::create_dir_all(cf.path().parent().unwrap()).unwrap();
    fs::write(cf.path(), b"# ok\n# bad \xff\n").unwrap();
    assert!(matches!(
        cf.load(),
        Err(StoreError::Corrupt {
            line: 2,
            column: 7,
            ..
        })
    ));
}

#[test]
fn a_failing_closure_leaves_the_old_content() {
    let dir = tempfile::tempdir().unwrap();
    let cf = file_in(&dir);
    cf.update(|c| c.insert_profile("default", profile("old"), false))
        .unwrap();
    let before = fs::read(cf.path()).unwrap();

    let err = cf
        .update(|c| {
            c.profiles.clear();
            c.insert_profile("new", profile("new"), false)?;
            Err::<(), _>(StoreError::ProfileExists {
                name: "default".into(),
            })
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::ProfileExists { .. }));
    assert_eq!(fs::read(cf.path()).unwrap(), before);
    let leftovers: Vec<_> = fs::read_dir(cf.path().parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Whether directory permissions bind this process (they do not for root / CAP_DAC_OVERRIDE).
#[cfg(unix)]
fn dir_permissions_bind() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("ro");
    fs::create_dir(&sub).unwrap();
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o500)).unwrap();
    let bound = fs::write(sub.join("probe"), b"x").is_err();
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o700)).unwrap();
    bound
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_fails_naming_the_path_and_keeps_the_file() {
    use std::os::unix::fs::PermissionsExt;
    if !dir_permissions_bind() {
        // Root ignores directory modes: simulate an unwritable place with a regular file as
        // the parent directory instead.
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("not-a-dir");
        fs::write(&blocker, b"keep").unwrap();
        let cf = ConfigFile::new(blocker.join("config.toml"));
        let err = cf
            .update(|c| c.insert_profile("default", profile("x"), false))
            .unwrap_err();
        assert!(matches!(err, StoreError::Write { .. }), "{err:?}");
        assert!(
            err.to_string().contains(&*cf.path().to_string_lossy()),
            "{err}"
        );
        assert_eq!(fs::read(&blocker).unwrap(), b"keep");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cf = file_in(&dir);
    cf.update(|c| c.insert_profile("default", profile("old"), false))
        .unwrap();
    let before = fs::read(cf.path()).unwrap();
    let parent = cf.path().parent().unwrap().to_path_buf();
    fs::set_permissions(&parent, fs::Permissions::from_mode(0o500)).unwrap();
    let result = cf.update(|c| c.insert_profile("new", profile("new"), false));
    fs::set_permissions(&parent, fs::Permissions::from_mode(0o700)).unwrap();
    let err = result.unwrap_err();
    assert!(
        err.to_string().contains(&*cf.path().to_string_lossy()),
        "{err}"
    );
    assert_eq!(fs::read(cf.path()).unwrap(), before);
}

/// Works as root too: the write fails at the lock step while an old file exists.
#[test]
fn a_failure_before_the_rename_keeps_the_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let cf = file_in(&dir);
    cf.update(|c| c.insert_profile("default", profile("old"), false))
        .unwrap();
    let before = fs::read(cf.path()).unwrap();
    let lock = fsutil::lock_path(cf.path());
    fs::remove_file(&lock).unwrap();
    fs::create_dir(&lock).unwrap(); // a directory cannot be opened for writing
    let err = cf
        .update(|c| c.insert_profile("new", profile("new"), false))
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Write {
                step: crate::WriteStep::OpenLock,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&*cf.path().to_string_lossy()),
        "{err}"
    );
    assert_eq!(fs::read(cf.path()).unwrap(), before);
}

#[test]
fn a_held_lock_gives_locked_naming_the_lock_file() {
    let dir = tempfile::tempdir().unwrap();
    let cf = file_in(&dir).with_lock_timeout(Duration::from_millis(100));
    fs::create_dir_all(cf.path().parent().unwrap()).unwrap();
    let _held = fsutil::lock_exclusive(cf.path(), Duration::from_secs(1)).unwrap();
    let err = cf
        .update(|c| c.insert_profile("default", profile("x"), false))
        .unwrap_err();
    assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
    assert!(err.to_string().contains("config.toml.lock"), "{err}");
    assert!(!cf.path().exists());
}

#[test]
fn thirty_two_concurrent_writers_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("halo-connect").join("config.toml");
    let barrier = Arc::new(Barrier::new(32));
    let handles: Vec<_> = (0..32)
        .map(|i| {
            let path = path.clone();
            let barrier = barrier.clone();
            thread::spawn(move || {
                let cf = ConfigFile::new(path).with_lock_timeout(Duration::from_secs(60));
                barrier.wait();
                cf.update(|c| c.insert_profile(&format!("p{i}"), profile(&format!("id{i}")), false))
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    let config = ConfigFile::new(path).load().unwrap();
    assert_eq!(config.profiles.len(), 32);
    for i in 0..32 {
        assert_eq!(
            config.get(&format!("p{i}")).unwrap().client_id,
            format!("id{i}")
        );
    }
}

#[test]
fn two_writers_of_one_profile_without_force_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("halo-connect").join("config.toml");
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let path = path.clone();
            let barrier = barrier.clone();
            thread::spawn(move || {
                let cf = ConfigFile::new(path);
                barrier.wait();
                cf.update(|c| c.insert_profile("default", profile(&format!("id{i}")), false))
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let oks = results.iter().filter(|r| r.is_ok()).count();
    let exists = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::ProfileExists { name }) if name == "default"))
        .count();
    assert_eq!((oks, exists), (1, 1), "{results:?}");
}

#[test]
fn insert_get_remove_and_force() {
    let mut c = Config::default();
    c.insert_profile("a", profile("1"), false).unwrap();
    assert!(matches!(
        c.insert_profile("a", profile("2"), false),
        Err(StoreError::ProfileExists { .. })
    ));
    assert_eq!(c.get("a").unwrap().client_id, "1");
    c.insert_profile("a", profile("2"), true).unwrap();
    assert_eq!(c.get("a").unwrap().client_id, "2");
    match c.get("b") {
        Err(StoreError::UnknownProfile { name, known }) => {
            assert_eq!(name, "b");
            assert_eq!(known, vec!["a"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(c.remove("a").unwrap().client_id, "2");
    assert!(matches!(
        c.remove("a"),
        Err(StoreError::UnknownProfile { .. })
    ));
    let msg = c.get("zz").unwrap_err().to_string();
    assert!(msg.contains("`zz`") && msg.contains("no profiles"), "{msg}");
}

#[test]
fn profile_names_are_validated() {
    for ok in ["default", "a", "ci.prod-2_x", &"x".repeat(64)] {
        validate_profile_name(ok).unwrap();
    }
    for bad in ["", "a b", "a/b", "ä", "x=y", "[x]", &"x".repeat(65)] {
        assert!(
            matches!(
                validate_profile_name(bad),
                Err(StoreError::BadProfileName { .. })
            ),
            "{bad:?} accepted"
        );
    }
    let mut c = Config::default();
    assert!(c.insert_profile("a b", profile("1"), false).is_err());
}

#[test]
fn default_path_prefers_an_absolute_xdg_dir() {
    assert_eq!(
        ConfigFile::default_path(Some(Path::new("/xdg"))),
        Some(PathBuf::from("/xdg/halo-connect/config.toml"))
    );
    let fallback = ConfigFile::default_path(Some(Path::new("relative")));
    if let Some(p) = &fallback {
        assert!(p.ends_with("halo-connect/config.toml"), "{p:?}");
        assert!(!p.starts_with("relative"));
    }
    assert_eq!(ConfigFile::default_path(Some(Path::new(""))), fallback);
    assert_eq!(ConfigFile::default_path(None), fallback);
    #[cfg(target_os = "linux")]
    if let Some(p) = fallback {
        assert!(p.ends_with(".config/halo-connect/config.toml"), "{p:?}");
    }
}

/// A profile name that is not `A-Z a-z 0-9 . _ -` (it would reach the completion scripts), and a
/// value holding a control or bidi character (`list`, `show` and `use` print values), are refused
/// on load with the line, and the file is left as it was.
#[test]
fn names_and_values_no_script_or_terminal_should_get_are_refused_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let cf = file_in(&dir);
    fs::create_dir_all(cf.path().parent().unwrap()).unwrap();
    let good = "preset = \"billing\"\nresource_server = \"https://a.example/api\"\nauth_server = \"https://a.example/auth/\"\nclient_id = \"id\"\nsecret_store = \"none\"\n";
    let cases = [
        (
            format!("[profiles.\"prod$(touch x)\"]\n{good}"),
            1,
            "profile name",
        ),
        (
            format!("default_profile = \"a b\"\n[profiles.a]\n{good}"),
            1,
            "default_profile",
        ),
        (
            format!("[profiles.a]\n{good}tenant = \"ev\\u009bil\"\n"),
            7,
            "U+009B",
        ),
        (
            format!(
                "[profiles.a]\n{}",
                good.replace("\"billing\"", "\"bill\\u001b]0;T\\u0007ing\"")
            ),
            2,
            "U+001B",
        ),
        (
            format!("[profiles.a]\n{}", good.replace("\"id\"", "\"i\\u202ed\"")),
            5,
            "U+202E",
        ),
        (
            format!("[profiles.a]\n{good}scopes = [\"read:x\", \"a\\nb\"]\n"),
            7,
            "U+000A",
        ),
    ];
    for (text, line, says) in cases {
        fs::write(cf.path(), &text).unwrap();
        match cf.load() {
            Err(e @ StoreError::Invalid { .. }) => {
                let shown = e.to_string();
                assert!(shown.contains(says), "{text}\n{shown}");
                assert!(shown.contains(&format!("line {line}:")), "{text}\n{shown}");
                assert!(
                    !shown.contains('\u{1b}') && !shown.contains('\u{9b}'),
                    "{shown}"
                );
            }
            other => panic!("{text}\nexpected Invalid, got {other:?}"),
        }
        assert!(cf.update(|_| Ok(())).is_err());
        assert_eq!(fs::read_to_string(cf.path()).unwrap(), text);
    }
    fs::write(cf.path(), format!("[profiles.\"a.b_c-1\"]\n{good}")).unwrap();
    assert_eq!(cf.load().unwrap().names(), ["a.b_c-1"]);
}

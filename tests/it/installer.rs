//! `packaging/install.sh` run for real against a fake release in a local mirror (`file://`): plain
//! http refused, the checksum the installer carries for its own release preferred to the mirror's,
//! the build-provenance attestation checked through `gh` when it is there (a stand-in `gh` says
//! pass or fail), and a symbolic link planted in the install directory never followed.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const VERSION: &str = "9.9.9";

/// The installer's target for this machine, as it works it out.
fn target() -> String {
    let arch = String::from_utf8(Command::new("uname").arg("-m").output().unwrap().stdout).unwrap();
    let arch = match arch.trim() {
        "x86_64" | "amd64" => "x86_64",
        "aarch64" | "arm64" => "aarch64",
        other => panic!("no release target for {other}"),
    };
    if cfg!(target_os = "macos") {
        format!("{arch}-apple-darwin")
    } else {
        format!("{arch}-unknown-linux-musl")
    }
}

struct Release {
    dir: tempfile::TempDir,
    sum: String,
}

impl Release {
    fn www(&self) -> PathBuf {
        self.dir.path().join("www")
    }
    fn install_dir(&self) -> PathBuf {
        self.dir.path().join("bin")
    }
}

/// A release archive holding a stand-in `halo-connect` that prints its version, its `.sha256`
/// beside it, and a stand-in `gh` on a PATH of its own.
fn release() -> Release {
    let dir = tempfile::tempdir().unwrap();
    let t = target();
    let stage = dir.path().join("stage").join(format!("halo-connect-{t}"));
    std::fs::create_dir_all(stage.join("man")).unwrap();
    let bin = stage.join("halo-connect");
    std::fs::write(&bin, format!("#!/bin/sh\necho 'halo-connect {VERSION}'\n")).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        stage.join("man").join("halo-connect.1"),
        ".TH halo-connect 1\n",
    )
    .unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    let archive = www.join(format!("halo-connect-{t}.tar.gz"));
    let ok = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.path().join("stage"))
        .arg(format!("halo-connect-{t}"))
        .status()
        .unwrap();
    assert!(ok.success());
    let out = Command::new("sha256sum").arg(&archive).output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        _ => Command::new("shasum")
            .args(["-a", "256"])
            .arg(&archive)
            .output()
            .unwrap(),
    };
    let sum = String::from_utf8(out.stdout).unwrap()[..64].to_string();
    std::fs::write(
        www.join(format!("halo-connect-{t}.tar.gz.sha256")),
        format!("{sum}  halo-connect-{t}.tar.gz\n"),
    )
    .unwrap();
    let fake = dir.path().join("fakebin");
    std::fs::create_dir_all(&fake).unwrap();
    let gh = fake.join("gh");
    std::fs::write(
        &gh,
        "#!/bin/sh\ncase \"$1 $2\" in\n  'auth status') [ \"$FAKE_GH\" != loggedout ] ;;\n  'attestation verify') echo \"$@\" >>\"$FAKE_GH_LOG\"; [ \"$FAKE_GH\" = pass ] ;;\n  *) exit 1 ;;\nesac\n",
    )
    .unwrap();
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    Release { dir, sum }
}

struct Outcome {
    code: i32,
    stderr: String,
}

/// Runs `script` (the installer, or a rendered copy) with the mirror and the stand-in `gh`.
fn install(r: &Release, script: &Path, url: &str, gh: &str, extra: &[(&str, &str)]) -> Outcome {
    let path = format!(
        "{}:{}",
        r.dir.path().join("fakebin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = Command::new("sh");
    c.arg(script)
        .env_clear()
        .env("PATH", path)
        .env("HOME", r.dir.path())
        .env("XDG_DATA_HOME", r.dir.path().join("share"))
        .env("HALO_CONNECT_REPO", "o/n")
        .env("HALO_CONNECT_VERSION", VERSION)
        .env("HALO_CONNECT_INSTALL_DIR", r.install_dir())
        .env("HALO_CONNECT_DOWNLOAD_URL", url)
        .env("FAKE_GH", gh)
        .env("FAKE_GH_LOG", r.dir.path().join("gh.log"));
    for (k, v) in extra {
        c.env(k, v);
    }
    let out = c.output().expect("sh");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn installer() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/install.sh")
}

fn mirror(r: &Release) -> String {
    format!("file://{}", r.www().display())
}

#[test]
fn plain_http_is_refused_before_any_download() {
    let r = release();
    let run = install(&r, &installer(), "http://127.0.0.1:9/x", "loggedout", &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("not an https:// address"),
        "{}",
        run.stderr
    );
    assert!(!r.install_dir().exists());
}

/// A link planted at any name in the install directory is never written through: the binary is
/// made under a name no one can guess, and a link in the binary's own place is refused.
#[test]
fn a_link_planted_in_the_install_directory_is_never_followed() {
    let r = release();
    let dir = r.install_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let victim = r.dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join(".halo-connect.new")).unwrap();
    let run = install(&r, &installer(), &mirror(&r), "loggedout", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let installed = dir.join("halo-connect");
    assert!(!std::fs::symlink_metadata(&installed).unwrap().is_symlink());
    assert!(std::fs::read_to_string(&installed)
        .unwrap()
        .contains(VERSION));
    // Said plainly: the attestation was not verified without a logged-in gh.
    assert!(run.stderr.contains("was not verified"), "{}", run.stderr);

    std::fs::remove_file(&installed).unwrap();
    std::os::unix::fs::symlink(&victim, &installed).unwrap();
    let run = install(&r, &installer(), &mirror(&r), "loggedout", &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("is a symbolic link"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
}

/// With `gh` logged in, an archive whose attestation does not verify is not installed; one that
/// does is. `HALO_CONNECT_REQUIRE_ATTESTATION=1` refuses when it cannot be checked at all.
#[test]
fn the_attestation_is_verified_where_gh_can() {
    let r = release();
    let run = install(&r, &installer(), &mirror(&r), "fail", &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("does not verify for o/n"),
        "{}",
        run.stderr
    );
    assert!(!r.install_dir().join("halo-connect").exists());
    let log = std::fs::read_to_string(r.dir.path().join("gh.log")).unwrap();
    assert!(log.contains("--repo o/n"), "{log}");

    let run = install(&r, &installer(), &mirror(&r), "pass", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("attestation verifies"),
        "{}",
        run.stderr
    );

    std::fs::remove_file(r.install_dir().join("halo-connect")).unwrap();
    let run = install(
        &r,
        &installer(),
        &mirror(&r),
        "loggedout",
        &[("HALO_CONNECT_REQUIRE_ATTESTATION", "1")],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!r.install_dir().join("halo-connect").exists());
}

/// A rendered installer carries its release's checksums: an archive swapped on the mirror, with a
/// matching `.sha256` beside it, is refused; the mirror's checksum file is not what decides.
#[test]
fn a_rendered_installer_trusts_its_own_checksum_not_the_mirrors() {
    let r = release();
    let t = target();
    let render = |sum: &str| {
        let text = std::fs::read_to_string(installer())
            .unwrap()
            .replace("@VERSION@", VERSION)
            .replace(&format!("@SHA256_{t}@"), sum);
        let p = r.dir.path().join("rendered.sh");
        std::fs::write(&p, text).unwrap();
        p
    };
    let wrong = "0".repeat(64);
    let run = install(&r, &render(&wrong), &mirror(&r), "loggedout", &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("this installer came with"),
        "{}",
        run.stderr
    );
    assert!(!r.install_dir().join("halo-connect").exists());

    std::fs::write(
        r.www().join(format!("halo-connect-{t}.tar.gz.sha256")),
        format!("{wrong}  x\n"),
    )
    .unwrap();
    let run = install(&r, &render(&r.sum), &mirror(&r), "loggedout", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("this installer carries"),
        "{}",
        run.stderr
    );
}

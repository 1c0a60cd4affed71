//! The harness both Python-client tests share: the version tests/python/requirements.txt pins,
//! whether the package is installed (absent: the test says so and passes, except under CI or with
//! `HALO_TEST_PYTHON=1`, where it must run), and one run of a client script against a sandbox.

use std::time::Duration;

use assert_cmd::Command;

const REQUIREMENTS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/python/requirements.txt"
));

/// A PyPI client and the script in tests/python/ that drives it.
pub struct PyClient {
    /// The distribution name pinned in requirements.txt.
    pub package: &'static str,
    /// The module it installs.
    pub import: &'static str,
    /// The script, relative to the crate.
    pub script: &'static str,
}

fn must_run() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty())
        || std::env::var("HALO_TEST_PYTHON").is_ok_and(|v| v == "1")
}

impl PyClient {
    /// The version the requirements pin.
    pub fn pinned(&self) -> &'static str {
        let prefix = format!("{}==", self.package);
        REQUIREMENTS
            .lines()
            .find_map(|l| l.trim().strip_prefix(prefix.as_str()))
            .unwrap_or_else(|| panic!("requirements.txt pins {}", self.package))
    }

    /// The installed version of the package, or why there is none.
    fn installed(&self) -> Result<String, String> {
        let code = format!(
            "from importlib.metadata import version; import {}; print(version('{}'))",
            self.import, self.package
        );
        let out = std::process::Command::new("python3")
            .args(["-c", &code])
            .output()
            .map_err(|e| format!("python3 cannot be run ({e})"))?;
        if !out.status.success() {
            return Err(format!(
                "the {} package is not installed ({})",
                self.package,
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Whether the test goes on: the pinned version is installed. Absent, it is skipped loudly,
    /// unless it must run; another version fails.
    pub fn ready(&self) -> bool {
        let version = match self.installed() {
            Ok(v) => v,
            Err(why) if !must_run() => {
                eprintln!(
                    "SKIPPED: {why}; install it with `python3 -m pip install -r tests/python/requirements.txt` \
                     (this test must run under CI or with HALO_TEST_PYTHON=1)"
                );
                return false;
            }
            Err(why) => panic!(
                "{why}: run `python3 -m pip install -r tests/python/requirements.txt` (.ci/run does)"
            ),
        };
        assert_eq!(
            version,
            self.pinned(),
            "{} {version} is installed, the test pins {}: run `python3 -m pip install -r tests/python/requirements.txt`",
            self.package,
            self.pinned()
        );
        true
    }

    /// Runs the script with these values (the secret on stdin) and returns its stdout and stderr;
    /// it must exit 0.
    pub fn run(&self, base_url: &str, client_id: &str, secret: &str) -> (String, String) {
        let out = Command::new("python3")
            .arg(format!("{}/{}", env!("CARGO_MANIFEST_DIR"), self.script))
            .arg(base_url)
            .arg(client_id)
            .write_stdin(format!("{secret}\n"))
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .timeout(Duration::from_secs(120))
            .output()
            .expect("python3 runs");
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(
            out.status.success(),
            "{} failed against the sandbox:\n{stdout}\n{stderr}",
            self.package
        );
        (stdout, stderr)
    }
}

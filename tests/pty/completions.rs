//! Completion in real shells: bash and zsh started in a pseudo-terminal with no startup files, the
//! script `halo-connect completions SHELL` printed loaded the way the README and the archives
//! install it, and TAB pressed after `init --preset `, `sandbox --scenario ` and `--profile `. The
//! built binary is first on PATH, as an installed one would be. A shell that is not installed fails
//! the test, unless HALO_TEST_NO_SHELLS=1 says the machine has none (then it says so and passes);
//! .ci/run installs them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use expectrl::{Expect, Session};

use crate::common::TestEnv;

/// The shell's path, or `None` (after saying why) when HALO_TEST_NO_SHELLS=1 allows its absence.
fn shell(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    match found {
        Some(p) => Some(p),
        None if std::env::var("HALO_TEST_NO_SHELLS").as_deref() == Ok("1") => {
            eprintln!("SKIPPED: {name} is not installed and HALO_TEST_NO_SHELLS=1 allows that");
            None
        }
        None => panic!(
            "{name} is not installed: .ci/run installs it (apt-get install {name}); \
             set HALO_TEST_NO_SHELLS=1 to skip the completion tests on a machine without it"
        ),
    }
}

/// What the binary prints for `completions SHELL`, written to `file`.
fn script(env: &TestEnv, shell: &str, file: &Path) {
    let run = env.run(&["completions", shell], &[], None);
    run.code(0);
    std::fs::write(file, &run.stdout).unwrap();
}

/// An interactive shell without startup files, the built binary first on PATH.
struct Shell {
    s: expectrl::session::OsSession,
    seen: String,
}

impl Shell {
    fn start(env: &TestEnv, program: &Path, args: &[&str]) -> Shell {
        let bin = assert_cmd::cargo::cargo_bin("halo-connect");
        let bin_dir = bin.parent().unwrap();
        let path = std::env::join_paths(
            std::iter::once(bin_dir.to_path_buf())
                .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
        )
        .unwrap();
        // The pty starts with echo off, and readline then shows nothing typed or completed: the
        // shell starts with it on, as in a terminal.
        let mut c = Command::new("/bin/sh");
        c.arg("-c")
            .arg("stty echo && exec \"$0\" \"$@\"")
            .arg(program);
        c.env_clear()
            .envs(env.vars())
            .env("PATH", path)
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .args(args);
        let mut s = Session::spawn(c).expect("spawn the shell in a pty");
        s.set_expect_timeout(Some(Duration::from_secs(30)));
        let mut sh = Shell {
            s,
            seen: String::new(),
        };
        // Quoted apart, so that the echo of this line is not taken for the prompt it sets.
        sh.line("PS1='READ''Y> '");
        sh
    }

    fn wait_for(&mut self, text: &str) {
        let found = self.s.expect(text).unwrap_or_else(|e| {
            panic!(
                "waiting for {text:?}: {e}\n--- the shell showed:\n{}",
                self.seen
            )
        });
        self.seen.push_str(&String::from_utf8_lossy(found.before()));
        self.seen
            .push_str(&String::from_utf8_lossy(found.as_bytes()));
    }

    /// Runs a line and waits for the next prompt.
    fn line(&mut self, text: &str) {
        self.s.send(format!("{text}\r")).unwrap();
        self.wait_for("READY> ");
    }

    /// Types `text`, presses TAB `tabs` times, and returns what the shell showed once `expect`
    /// appeared; then empties the line.
    fn tab(&mut self, text: &str, tabs: usize, expect: &str) -> String {
        let start = self.seen.len();
        self.s.send(text).unwrap();
        for _ in 0..tabs {
            std::thread::sleep(Duration::from_millis(300));
            self.s.send("\t").unwrap();
        }
        self.wait_for(expect);
        let shown = console::strip_ansi_codes(&self.seen[start..]).into_owned();
        // Ctrl-U empties the line (Ctrl-C would also flush what is typed next).
        self.s.send("\x15").unwrap();
        shown
    }
}

fn presets_listed(shown: &str) {
    for name in ["billing", "company-asset-sync", "custom"] {
        assert!(shown.contains(name), "{name} not offered:\n{shown}");
    }
}

#[test]
fn bash_completes_options_presets_scenarios_and_profiles_added_later() {
    let Some(bash) = shell("bash") else { return };
    let env = TestEnv::new();
    let file = env.dir.path().join("halo-connect.bash");
    script(&env, "bash", &file);
    let mut sh = Shell::start(&env, &bash, &["--norc", "--noprofile", "-i"]);
    sh.line(&format!("source '{}'", file.display()));
    // Two TABs list every candidate, as bash does for an ambiguous word.
    presets_listed(&sh.tab("halo-connect init --preset ", 2, "custom"));
    // Options: both that begin with --preset.
    let shown = sh.tab("halo-connect init --preset", 2, "--preset-file");
    assert!(shown.contains("--preset "), "{shown}");
    // One candidate: bash fills it in.
    // The shell writes only what it adds to the word.
    sh.tab("halo-connect sandbox --scenario wrong-s", 1, "ecret");
    // A profile made after the script was loaded completes: the names are read at each TAB.
    env.run(
        &[
            "init",
            "--sandbox",
            "--non-interactive",
            "--profile",
            "lab-east",
        ],
        &[],
        None,
    )
    .code(0);
    sh.tab("halo-connect test --profile lab", 1, "-east");
}

#[test]
fn zsh_completes_presets_from_the_fpath_file_at_the_first_tab() {
    let Some(zsh) = shell("zsh") else { return };
    let env = TestEnv::new();
    // As the archives and Homebrew install it: a file named _halo-connect in a $fpath directory.
    let funcs = env.dir.path().join("zfunc");
    std::fs::create_dir_all(&funcs).unwrap();
    script(&env, "zsh", &funcs.join("_halo-connect"));
    let mut sh = Shell::start(&env, &zsh, &["-f", "-i"]);
    sh.line(&format!(
        "fpath=('{}' $fpath); autoload -Uz compinit; compinit -u -D",
        funcs.display()
    ));
    presets_listed(&sh.tab("halo-connect init --preset ", 1, "custom"));
    sh.tab("halo-connect sandbox --scenario missing-s", 1, "cope");
}

#[test]
fn zsh_completes_presets_from_a_sourced_script() {
    let Some(zsh) = shell("zsh") else { return };
    let env = TestEnv::new();
    let file = env.dir.path().join("halo-connect.zsh");
    script(&env, "zsh", &file);
    let mut sh = Shell::start(&env, &zsh, &["-f", "-i"]);
    sh.line("autoload -Uz compinit; compinit -u -D");
    sh.line(&format!("source '{}'", file.display()));
    presets_listed(&sh.tab("halo-connect init --preset ", 1, "custom"));
}

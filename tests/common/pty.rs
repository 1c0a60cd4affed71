//! The pseudo-terminal harness both test binaries use: the built binary spawned in a real pty
//! (expectrl), typed the way an operator types, with what it printed kept for assertions and
//! checked for the secret canary at the end.

use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::{Eof, Expect, Regex, Session};

use super::{assert_no_canary_in_dir, token_canaries, token_in, TestEnv, CANARY};

/// The arrow-down key.
pub const DOWN: &str = "\x1b[B";

/// The built binary in a pseudo-terminal, with what it printed so far.
pub struct Pty {
    pub s: expectrl::session::OsSession,
    pub out: String,
    /// Keys pressed so far: each character, Enter, or arrow key counts one; a pasted value none.
    pub keys: usize,
    /// Values pasted so far (`paste`): each counts one, whatever its length.
    pub pastes: usize,
    /// Questions answered so far: each `at` that typed something, and each `paste`.
    pub answers: usize,
    /// The test's directory, checked for the canary at the end.
    dir: std::path::PathBuf,
}

impl Pty {
    pub fn start(env: &TestEnv, args: &[&str]) -> Pty {
        Pty::start_with(env, args, &[])
    }

    /// Starts it with extra environment variables.
    pub fn start_with(env: &TestEnv, args: &[&str], extra: &[(&str, &str)]) -> Pty {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("halo-connect"));
        c.args(args);
        Pty::spawn(env, env.vars(), c, extra)
    }

    /// Runs `script` in `sh` on a colour terminal (no `NO_COLOR`), with `$HC` the built binary:
    /// for a redirection (`"$HC" test > file`), where stderr stays the terminal and stdout is not.
    pub fn shell(env: &TestEnv, script: &str) -> Pty {
        let mut c = Command::new("sh");
        c.args(["-c", script]);
        let bin = assert_cmd::cargo::cargo_bin("halo-connect");
        let vars: Vec<(String, String)> = env
            .vars()
            .into_iter()
            .filter(|(k, _)| k != "NO_COLOR")
            .collect();
        Pty::spawn(env, vars, c, &[("HC", bin.to_str().unwrap())])
    }

    fn spawn(
        env: &TestEnv,
        vars: Vec<(String, String)>,
        mut c: Command,
        extra: &[(&str, &str)],
    ) -> Pty {
        c.env_clear().envs(vars);
        c.env_remove("CI")
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            // The key a test needs to switch the sandbox's scenario mid-run.
            .env("HALO_SANDBOX_KEY", "pty-test-key")
            .envs(extra.iter().copied());
        let mut s = Session::spawn(c).expect("spawn in a pty");
        s.set_expect_timeout(Some(Duration::from_secs(30)));
        Pty::from_session(env, s)
    }

    /// A session the test spawned itself (a shell around the binary, say), for the test `env`.
    pub fn from_session(env: &TestEnv, s: expectrl::session::OsSession) -> Pty {
        Pty {
            s,
            out: String::new(),
            keys: 0,
            pastes: 0,
            answers: 0,
            dir: env.dir.path().to_path_buf(),
        }
    }

    /// Waits for `text`, then types `keys`.
    pub fn at(&mut self, text: &str, keys: &str) -> &mut Self {
        self.wait_for(text);
        if !keys.is_empty() {
            self.send(keys);
            self.keys += keys.replace(DOWN, "v").chars().count();
            self.answers += 1;
        }
        self
    }

    /// Waits for `text`, then pastes `value` and presses Enter: one paste and one key, as an
    /// operator answers with a value copied from Halo.
    pub fn paste(&mut self, text: &str, value: &str) -> &mut Self {
        self.wait_for(text);
        self.send(&format!("{value}\r"));
        self.keys += 1;
        self.pastes += 1;
        self.answers += 1;
        self
    }

    fn wait_for(&mut self, text: &str) {
        let found = self
            .s
            .expect(text)
            .unwrap_or_else(|e| panic!("waiting for {text:?}: {e}\n--- so far:\n{}", self.out));
        self.out.push_str(&String::from_utf8_lossy(found.before()));
        self.out
            .push_str(&String::from_utf8_lossy(found.as_bytes()));
    }

    fn send(&mut self, keys: &str) {
        // console switches the terminal mode with TCSAFLUSH after drawing a prompt, which drops
        // keys typed before that; an operator never types that fast.
        std::thread::sleep(Duration::from_millis(250));
        self.s.send(keys).unwrap();
    }

    /// A preset set up before offers "I already have one" first: Enter skips.
    pub fn skip_seen_checklists(&mut self) -> &mut Self {
        self.at("Role checklist", "\r")
            .at("Agent checklist", "\r")
            .at("Application checklist", "\r")
    }

    pub fn skip_checklists(&mut self) -> &mut Self {
        self.at("Role checklist", &format!("{DOWN}\r"))
            .at("Agent checklist", &format!("{DOWN}\r"))
            .at("Application checklist", &format!("{DOWN}\r"))
    }

    /// Reads to the end and returns the exit code, after checking that neither the screen nor any
    /// file under the test's directory holds the secret or a token.
    pub fn finish(&mut self) -> i32 {
        let rest = self
            .s
            .expect(Eof)
            .map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned())
            .unwrap_or_default();
        self.out.push_str(&rest);
        assert!(
            !self.out.contains(CANARY),
            "the secret was echoed:\n{}",
            self.out
        );
        if let Some(t) = token_in(&self.out, &token_canaries()) {
            panic!("a token ({t}) reached the terminal:\n{}", self.out);
        }
        assert_no_canary_in_dir(&self.dir);
        match self.s.get_process().wait().unwrap() {
            WaitStatus::Exited(_, code) => code,
            other => panic!("not a normal exit: {other:?}\n{}", self.out),
        }
    }

    /// The screen from the last Save and Test to the end, as a terminal shows it: escape codes
    /// stripped, each line as its last carriage return left it, the test's directory as `[dir]`.
    pub fn end_screen(&self, env: &TestEnv) -> String {
        let text = console::strip_ansi_codes(&self.out).replace("\r\n", "\n");
        let start = text.rfind("\nSave and Test\n").map_or(0, |i| i + 1);
        let lines: Vec<&str> = text[start..]
            .lines()
            .map(|l| l.rsplit('\r').next().unwrap_or(l).trim_end())
            .collect();
        lines
            .join("\n")
            .replace(&env.dir.path().display().to_string(), "[dir]")
    }

    pub fn sandbox_port(&mut self) -> u16 {
        let c = self.s.expect(Regex(r"127\.0\.0\.1:(\d+)")).unwrap();
        self.out.push_str(&String::from_utf8_lossy(c.as_bytes()));
        String::from_utf8_lossy(c.get(1).unwrap()).parse().unwrap()
    }
}

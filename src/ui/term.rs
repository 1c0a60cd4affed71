//! `Term`: stdout for results, stderr for everything else, and the decisions about colour, glyphs
//! and prompting. TTY, colour and locale are read once, as data, so tests can fix them. Colour is
//! decided per stream: text is painted once, and each stream's writer drops the paint when that
//! stream is not a colour terminal (`test > report.txt` from a terminal writes no escape codes).

use std::io::{IsTerminal, Write};

/// How output looks, decided once at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Paint at all: some stream shows colour.
    pub color: bool,
    /// stdout shows colour.
    pub color_out: bool,
    /// stderr shows colour.
    pub color_err: bool,
    pub unicode: bool,
    /// The terminal is known to show OSC 8 hyperlinks.
    pub hyperlinks: bool,
}

/// The terminal: two streams and the facts about them.
#[derive(Debug, Clone)]
pub struct Term {
    pub style: Style,
    pub stdin_tty: bool,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub json: bool,
}

/// Facts from the environment that decide the style.
#[derive(Debug, Clone, Default)]
pub struct TermEnv {
    pub no_color: bool,
    /// `CLICOLOR_FORCE` is set (and not `0`): colour even on a pipe or a file.
    pub force_color: bool,
    pub term_dumb: bool,
    pub utf8: bool,
    /// The environment names a terminal known to show OSC 8 hyperlinks.
    pub hyperlinks: bool,
}

impl Term {
    pub fn detect(
        env: &TermEnv,
        no_color_flag: bool,
        quiet: bool,
        verbose: u8,
        json: bool,
    ) -> Term {
        let stderr_tty = std::io::stderr().is_terminal();
        let stdout_tty = std::io::stdout().is_terminal();
        // --no-color wins; then CLICOLOR_FORCE; then NO_COLOR and TERM=dumb; then each stream's TTY.
        let allowed = !no_color_flag && !env.no_color && !env.term_dumb;
        let on = |tty: bool, console: fn() -> bool| {
            !no_color_flag && (env.force_color || (allowed && tty && console()))
        };
        let color_out = on(stdout_tty, console_takes_ansi_out);
        let color_err = on(stderr_tty, console_takes_ansi_err);
        Term {
            style: Style {
                color: color_out || color_err,
                color_out,
                color_err,
                unicode: env.utf8 && !env.term_dumb,
                hyperlinks: env.hyperlinks && !env.term_dumb,
            },
            stdin_tty: std::io::stdin().is_terminal(),
            stdout_tty,
            stderr_tty,
            quiet,
            verbose,
            json,
        }
    }

    /// Why stdout, when it is a regular file (`> FILE`), is no place for a secret: another user
    /// owns it, or group or others may read it. `None` for a private file, a pipe or a device.
    pub fn stdout_exposed_file(&self) -> Option<String> {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            use std::os::unix::fs::MetadataExt;
            let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
            let meta = std::fs::File::from(fd).metadata().ok()?;
            if !meta.is_file() {
                return None;
            }
            let name = std::fs::read_link("/proc/self/fd/1")
                .map(|p| format!("stdout ({})", p.display()))
                .unwrap_or_else(|_| "stdout".to_string());
            // SAFETY: geteuid has no arguments and cannot fail.
            let me = unsafe { libc::geteuid() };
            if meta.uid() != me {
                return Some(format!(
                    "{name} is a file owned by another user (uid {})",
                    meta.uid()
                ));
            }
            if meta.mode() & 0o077 != 0 {
                return Some(format!(
                    "{name} is a file that group or others can open (mode {:04o})",
                    meta.mode() & 0o7777
                ));
            }
            None
        }
        #[cfg(not(unix))]
        None
    }

    /// Writes a result line on stdout (suppressed under --json, where only the JSON goes out).
    pub fn out(&self, line: &str) {
        if self.json {
            return;
        }
        let line = self.for_stream(line, self.style.color_out);
        let mut o = std::io::stdout().lock();
        let _ = writeln!(o, "{line}");
    }

    /// Writes a line on stderr, with its paint only where stderr shows colour.
    pub fn err(&self, line: &str) {
        err_line(&self.for_stream(line, self.style.color_err));
    }

    /// The line as a stream gets it: painted text loses its paint where that stream shows none.
    fn for_stream<'a>(&self, line: &'a str, color: bool) -> std::borrow::Cow<'a, str> {
        if color || !self.style.color {
            return line.into();
        }
        anstream::adapter::strip_str(line).to_string().into()
    }

    /// Writes raw text on stdout, whatever the mode (the JSON document, a token, a script).
    pub fn out_raw(&self, text: &str) {
        let mut o = std::io::stdout().lock();
        let _ = o.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = o.write_all(b"\n");
        }
        let _ = o.flush();
    }

    /// Writes a status line on stderr, unless --quiet.
    pub fn info(&self, line: &str) {
        if self.quiet {
            return;
        }
        self.err(line);
    }

    /// Writes a warning on stderr, even under --quiet? No: quiet keeps only errors.
    pub fn warn(&self, line: &str) {
        if self.quiet {
            return;
        }
        self.err(&format!("{} {line}", self.paint("warning:", Paint::Yellow)));
    }

    /// Writes an error block on stderr: always shown.
    pub fn error(&self, message: &str, details: &[String], hint: Option<&str>) {
        // An error may quote a server or a file: only its printable text reaches the terminal.
        let safe = crate::domain::printable::terminal_safe;
        self.err(&format!(
            "{} {}",
            self.paint("error:", Paint::Red),
            safe(message)
        ));
        for d in details {
            self.err(&format!("  - {}", safe(d)));
        }
        if let Some(h) = hint {
            self.err(&format!("{} {}", self.paint("hint:", Paint::Cyan), safe(h)));
        }
    }

    pub fn paint(&self, text: &str, p: Paint) -> String {
        if !self.style.color {
            return text.to_string();
        }
        let code = match p {
            Paint::Red => "31",
            Paint::Green => "32",
            Paint::Yellow => "33",
            Paint::Cyan => "36",
            Paint::Bold => "1",
            Paint::Dim => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    /// A URL as a clickable OSC 8 hyperlink where the stream it goes to (stdout, or stderr) is a
    /// terminal known to show one; elsewhere the plain URL.
    pub fn link(&self, url: &str, stdout: bool) -> String {
        let tty = if stdout {
            self.stdout_tty
        } else {
            self.stderr_tty
        };
        // A control character would end the sequence early; such a URL is shown plain.
        if !self.style.hyperlinks || !tty || url.chars().any(char::is_control) {
            return url.to_string();
        }
        format!("\x1b]8;;{url}\x1b\\{url}\x1b]8;;\x1b\\")
    }

    /// The mark for a row: ✓ ✗ ~, or plain words without UTF-8.
    pub fn mark(&self, m: Mark) -> String {
        let (u, plain, p) = match m {
            Mark::Ok => ("✓", "ok  ", Paint::Green),
            Mark::Fail => ("✗", "FAIL", Paint::Red),
            Mark::Unverified => ("~", "??  ", Paint::Yellow),
        };
        self.paint(if self.style.unicode { u } else { plain }, p)
    }
}

/// Whether escape codes will show as colour. A Windows console (conhost) prints them as text
/// unless virtual-terminal processing is on: console turns it on, and says so, or not.
fn console_takes_ansi_out() -> bool {
    !cfg!(windows) || console::Term::stdout().features().colors_supported()
}

fn console_takes_ansi_err() -> bool {
    !cfg!(windows) || console::Term::stderr().features().colors_supported()
}

/// Writes a plain line on stderr, ignoring a closed pipe (`| head` must not crash the tool).
/// Painted text goes through `Term::err`.
pub fn err_line(line: &str) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "{line}");
}

#[derive(Debug, Clone, Copy)]
pub enum Paint {
    Red,
    Green,
    Yellow,
    Cyan,
    Bold,
    Dim,
}

#[derive(Debug, Clone, Copy)]
pub enum Mark {
    Ok,
    Fail,
    Unverified,
}

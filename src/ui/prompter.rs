//! `DialoguerPrompter`: the wizard's `Prompter` on a real terminal, drawn on stderr with one theme.
//! This is the only file that imports dialoguer. Esc in a menu and Ctrl-C anywhere end the
//! wizard with nothing saved (see `install_interrupt_handler`).

use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, Password, Select};

use crate::domain::report::CheckReport;
use crate::domain::secret::Secret;
use crate::wizard::ports::{Answer, Check, PromptError, Prompter};

use super::render;
use super::term::{err_line, Paint, Term};

pub struct DialoguerPrompter {
    term: Term,
    theme: Box<dyn Theme>,
}

impl DialoguerPrompter {
    pub fn new(term: Term) -> Self {
        let theme: Box<dyn Theme> = if term.style.color_err {
            Box::new(ColorfulTheme::default())
        } else {
            Box::new(SimpleTheme)
        };
        DialoguerPrompter { term, theme }
    }
}

fn io(e: dialoguer::Error) -> PromptError {
    match e {
        dialoguer::Error::IO(e) if e.kind() == std::io::ErrorKind::Interrupted => {
            PromptError::Interrupted
        }
        dialoguer::Error::IO(e) => PromptError::Io(e.to_string()),
    }
}

impl Prompter for DialoguerPrompter {
    fn select(&mut self, question: &str, options: &[String], default: usize) -> Answer<usize> {
        Select::with_theme(self.theme.as_ref())
            .with_prompt(question)
            .items(options)
            .default(default)
            .interact_opt()
            .map_err(io)?
            .ok_or(PromptError::Interrupted)
    }

    fn confirm(&mut self, question: &str, default: bool) -> Answer<bool> {
        Confirm::with_theme(self.theme.as_ref())
            .with_prompt(question)
            .default(default)
            .wait_for_newline(true)
            .interact_opt()
            .map_err(io)?
            .ok_or(PromptError::Interrupted)
    }

    fn step_done(&mut self, question: &str) -> Answer<Option<bool>> {
        let answer = Input::<String>::with_theme(self.theme.as_ref())
            .with_prompt(question)
            .allow_empty(true)
            .validate_with(|s: &String| match step_answer(s) {
                Ok(_) => Ok(()),
                Err(()) => Err(
                    "type y when the step is done, n for not yet, or press Enter to see it again",
                ),
            })
            .interact_text()
            .map_err(io)?;
        Ok(step_answer(&answer).unwrap_or(None))
    }

    fn text(&mut self, question: &str, default: Option<&str>, check: Check<'_>) -> Answer<String> {
        let mut input = Input::<String>::with_theme(self.theme.as_ref()).with_prompt(question);
        if let Some(d) = default {
            input = input.default(d.to_string());
        }
        input
            .validate_with(|s: &String| check(s))
            .interact_text()
            .map_err(io)
    }

    fn secret(&mut self, question: &str) -> Answer<Secret> {
        Password::with_theme(self.theme.as_ref())
            .with_prompt(question)
            .allow_empty_password(true)
            .interact()
            .map(Secret::new)
            .map_err(io)
    }

    fn say(&mut self, line: &str) {
        // What the wizard says may quote a server (authinfo's addresses): printable text only.
        err_line(&crate::domain::printable::terminal_safe(line));
    }

    fn link(&mut self, text: &str, url: &str) {
        self.term
            .err(&format!("{text} {}", self.term.link(url, false)));
    }

    fn heading(&mut self, title: &str) {
        err_line("");
        self.term.err(&self.term.paint(title, Paint::Bold));
    }

    fn report(&mut self, report: &CheckReport) {
        self.term
            .err(&render::report_text(&self.term, report, "Save and Test"));
    }
}

/// A checklist answer: y/yes/done, n/no/not yet, or nothing (show the step again).
fn step_answer(s: &str) -> Result<Option<bool>, ()> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "y" | "yes" | "done" => Ok(Some(true)),
        "n" | "no" | "not yet" => Ok(Some(false)),
        _ => Err(()),
    }
}

/// Set while a profile is being written, so an interrupt then says so instead of "nothing changed".
static SAVING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Marks the start or end of a save, for the interrupt handler's message.
pub fn set_saving(on: bool) {
    SAVING.store(on, std::sync::atomic::Ordering::SeqCst);
}

/// Makes Ctrl-C end the process with exit 130, the terminal as it was found (echo on, cooked
/// mode: a hidden prompt turns echo off) and the cursor shown again. Nothing has changed unless a
/// save was under way, because saving happens only after the last question.
pub fn install_interrupt_handler() {
    let saved = TerminalState::save();
    let _ = ctrlc::set_handler(move || {
        saved.restore();
        let t = console::Term::stderr();
        let _ = t.show_cursor();
        if SAVING.load(std::sync::atomic::Ordering::SeqCst) {
            err_line("\nInterrupted while saving; run `halo-connect show` to see what was kept.");
        } else {
            err_line("\nInterrupted; nothing was changed.");
        }
        std::process::exit(130);
    });
}

/// The terminal's settings when the wizard started, restored on Ctrl-C. ctrlc runs its handler on
/// a thread of its own, not in the signal handler, so restoring there is safe.
#[derive(Clone)]
struct TerminalState {
    #[cfg(unix)]
    termios: Option<rustix::termios::Termios>,
}

impl TerminalState {
    fn save() -> TerminalState {
        TerminalState {
            #[cfg(unix)]
            termios: rustix::termios::tcgetattr(std::io::stdin()).ok(),
        }
    }

    fn restore(&self) {
        #[cfg(unix)]
        if let Some(t) = &self.termios {
            let now = rustix::termios::OptionalActions::Now;
            let _ = rustix::termios::tcsetattr(std::io::stdin(), now, t);
        }
    }
}

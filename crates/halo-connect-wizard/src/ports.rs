//! What the wizard needs from the outside, owned by the wizard: a `Prompter` to ask questions, a
//! `Tester` that takes the answers the one way in and runs Save and Test, and `Services` for
//! discovery and the keyring probe. The dialoguer prompter and the real tester implement these
//! elsewhere; tests script them.

use halo_connect_core::field::Field;
use halo_connect_core::preset::Preset;
use halo_connect_core::report::CheckReport;
use halo_connect_core::secret::Secret;
use halo_connect_core::values::{ConnectionSettings, Discovery, RawValues, Validated};

/// Why a question got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptError {
    /// Ctrl-C or Esc: stop, save nothing.
    Interrupted,
    Io(String),
}

pub type Answer<T> = Result<T, PromptError>;

/// A validator: Ok, or the reason shown under the prompt.
pub type Check<'a> = &'a dyn Fn(&str) -> Result<(), String>;

/// Asks the operator. Every question names what it asks in Halo's words.
pub trait Prompter {
    fn select(&mut self, question: &str, options: &[String], default: usize) -> Answer<usize>;
    fn confirm(&mut self, question: &str, default: bool) -> Answer<bool>;
    /// A checklist step on a real Halo: `Some(true)` only for an explicit "y"/"done",
    /// `Some(false)` for "n"/"not yet", `None` for a bare Enter (the wizard shows the step again).
    fn step_done(&mut self, question: &str) -> Answer<Option<bool>>;
    fn text(&mut self, question: &str, default: Option<&str>, check: Check<'_>) -> Answer<String>;
    /// Hidden input. An empty answer is returned as an empty secret (the caller decides).
    fn secret(&mut self, question: &str) -> Answer<Secret>;
    /// A line of information or a note.
    fn say(&mut self, line: &str);
    /// A line that ends in a URL, which a terminal may make clickable.
    fn link(&mut self, text: &str, url: &str) {
        self.say(&format!("{text} {url}"));
    }
    /// A heading for a new part of the flow.
    fn heading(&mut self, title: &str);
    /// Shows a finished Save and Test.
    fn report(&mut self, report: &CheckReport);
}

/// Why the answers cannot be tested as they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// A full sentence, with what to do.
    pub message: String,
    /// The value at fault, which the wizard asks again; `None` when no answer can fix it (the
    /// run stops and the caller says why).
    pub field: Option<Field>,
}

/// Takes the answers and runs Save and Test (the real one shows a spinner and talks to Halo).
pub trait Tester {
    /// The answers as one more origin of the one way in: validated as flags are, with where the
    /// secret may go checked (a stored secret only to the servers it was tested with, no
    /// Authorization Server that authinfo moved off https). The settings to test, or why not.
    /// `kept_stored`: the secret is the stored one, kept by Enter, so it is held to the servers
    /// it was tested with; a pasted one goes where the answers say.
    fn resolve(
        &mut self,
        values: &RawValues,
        secret: &Secret,
        kept_stored: bool,
        preset: &Preset,
    ) -> Result<Validated, Refusal>;
    /// `profile` is the name the operator gave in the wizard, if asked; the report carries it.
    fn test(
        &mut self,
        settings: &ConnectionSettings,
        secret: &Secret,
        preset: &Preset,
        profile: Option<&str>,
    ) -> CheckReport;
}

/// Why the address typed did not give Halo's `api/authinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressProblem {
    /// A full sentence: refused, name not found, silent, TLS, or what answered instead of Halo.
    pub message: String,
    /// Nothing answered (refused, DNS, silence, TLS); false when something answered, but not as
    /// Halo's authinfo does.
    pub unreached: bool,
}

/// The other effects the wizard asks for.
pub trait Services {
    /// `GET <base>/api/authinfo` within a time limit, with a spinner; why not when it fails.
    fn discover(&mut self, base: &str) -> Result<Discovery, AddressProblem>;
    /// Whether a new profile's name is allowed (the store's rule); the reason when not.
    fn check_profile_name(&mut self, _name: &str) -> Result<(), String> {
        Ok(())
    }
    /// Whether an OS keyring answers (time-limited), with the reason when not.
    fn keyring(&mut self) -> Result<(), String>;
}

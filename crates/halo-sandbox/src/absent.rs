//! `Sandbox` in a build without the `server` feature: a type with no values, so code written for the
//! emulator compiles unchanged and `Sandbox::start` says how to get one. It must not pretend to serve.

use std::io;

use crate::{ClientSecret, Guesses, SandboxOptions, SandboxStats, Scenario};

/// The emulator, absent from this build: `start` is the only way to ask for one, and it refuses.
#[derive(Debug)]
pub enum Sandbox {}

impl Sandbox {
    /// Always an error: this build was made without the `server` feature.
    pub fn start(_opts: SandboxOptions) -> io::Result<Sandbox> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this build has no HaloPSA sandbox: it was built without the `sandbox` feature (on by default); build it again without `--no-default-features`",
        ))
    }
    pub fn base_url(&self) -> String {
        match *self {}
    }
    pub fn resource_server(&self) -> String {
        match *self {}
    }
    pub fn auth_server(&self) -> String {
        match *self {}
    }
    pub fn tenant(&self) -> &str {
        match *self {}
    }
    pub fn client_id(&self) -> &str {
        match *self {}
    }
    pub fn client_secret(&self) -> &ClientSecret {
        match *self {}
    }
    pub fn ca_pem(&self) -> Option<String> {
        match *self {}
    }
    pub fn port(&self) -> u16 {
        match *self {}
    }
    pub fn control_token(&self) -> &str {
        match *self {}
    }
    pub fn refresh_tokens_issued(&self) -> Vec<String> {
        match *self {}
    }
    pub fn stats(&self) -> SandboxStats {
        match *self {}
    }
    pub fn scenario(&self) -> Scenario {
        match *self {}
    }
    pub fn set_scenario(&self, _s: Scenario) {
        match *self {}
    }
    pub fn guesses(&self) -> Guesses {
        match *self {}
    }
    pub fn set_guesses(&self, _g: Guesses) {
        match *self {}
    }
    pub fn shutdown(self) {
        match self {}
    }
}

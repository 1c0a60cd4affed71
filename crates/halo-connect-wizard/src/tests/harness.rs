//! The wizard's test harness: a scripted prompter (an unexpected question fails, and so does a
//! scripted answer that was never asked for), a fake tester and fake services.

use std::collections::VecDeque;

use crate::ports::{
    AddressProblem, Answer, Check, PromptError, Prompter, Refusal, Services, Tester,
};
use crate::*;
use halo_connect_core::catalogue::Cause;
use halo_connect_core::preset;
use halo_connect_core::report::{Diagnosis, ReportBuilder, Subject};
use halo_connect_core::values::{ConnectionSettings, Discovery};

#[derive(Debug, Clone)]
pub(super) enum A {
    Select(&'static str, usize),
    Confirm(&'static str, bool),
    Text(&'static str, &'static str),
    Secret(&'static str, &'static str),
    Interrupt(&'static str),
}

pub(super) struct Scripted {
    pub(super) queue: VecDeque<A>,
    pub(super) said: Vec<String>,
    pub(super) refused: Vec<String>,
    /// The options of every menu shown, in order.
    pub(super) menus: Vec<Vec<String>>,
    /// Every step confirm gets "yes" without being scripted one by one.
    pub(super) auto_confirm_steps: bool,
}

impl Scripted {
    pub(super) fn new(answers: Vec<A>) -> Self {
        Scripted {
            queue: answers.into(),
            said: Vec::new(),
            refused: Vec::new(),
            menus: Vec::new(),
            auto_confirm_steps: true,
        }
    }

    pub(super) fn next(&mut self, question: &str) -> A {
        self.queue
            .pop_front()
            .unwrap_or_else(|| panic!("unexpected question {question:?}: no answer left"))
    }

    pub(super) fn said(&self, piece: &str) -> bool {
        self.said.iter().any(|s| s.contains(piece))
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert!(
                self.queue.is_empty(),
                "answers never asked for: {:?}",
                self.queue
            );
        }
    }
}

pub(super) fn expect(kind: &str, question: &str, want: &str) {
    assert!(
        question.contains(want),
        "asked {kind} {question:?}, but the script expected {want:?}"
    );
}

impl Prompter for Scripted {
    fn select(&mut self, question: &str, options: &[String], _default: usize) -> Answer<usize> {
        self.menus.push(options.to_vec());
        match self.next(question) {
            A::Select(q, i) => {
                expect("select", question, q);
                assert!(i < options.len());
                Ok(i)
            }
            A::Interrupt(q) => {
                expect("select", question, q);
                Err(PromptError::Interrupted)
            }
            other => panic!("asked select {question:?}, script had {other:?}"),
        }
    }
    fn confirm(&mut self, question: &str, default: bool) -> Answer<bool> {
        if self.auto_confirm_steps && question.starts_with("Done: ") {
            return Ok(default);
        }
        match self.next(question) {
            A::Confirm(q, b) => {
                expect("confirm", question, q);
                Ok(b)
            }
            A::Interrupt(q) => {
                expect("confirm", question, q);
                Err(PromptError::Interrupted)
            }
            other => panic!("asked confirm {question:?}, script had {other:?}"),
        }
    }
    fn step_done(&mut self, question: &str) -> Answer<Option<bool>> {
        if self.auto_confirm_steps && question.starts_with("Done: ") {
            return Ok(Some(true));
        }
        match self.next(question) {
            A::Confirm(q, b) => {
                expect("step_done", question, q);
                Ok(Some(b))
            }
            A::Text(q, "") => {
                expect("step_done", question, q);
                Ok(None)
            }
            other => panic!("asked step_done {question:?}, script had {other:?}"),
        }
    }

    fn text(&mut self, question: &str, default: Option<&str>, check: Check<'_>) -> Answer<String> {
        loop {
            match self.next(question) {
                A::Text(q, v) => {
                    expect("text", question, q);
                    let v = if v.is_empty() {
                        default.unwrap_or("").to_string()
                    } else {
                        v.to_string()
                    };
                    match check(&v) {
                        Ok(()) => return Ok(v),
                        Err(why) => self.refused.push(why),
                    }
                }
                A::Interrupt(q) => {
                    expect("text", question, q);
                    return Err(PromptError::Interrupted);
                }
                other => panic!("asked text {question:?}, script had {other:?}"),
            }
        }
    }
    fn secret(&mut self, question: &str) -> Answer<Secret> {
        match self.next(question) {
            A::Secret(q, v) => {
                expect("secret", question, q);
                Ok(Secret::new(v))
            }
            A::Interrupt(q) => {
                expect("secret", question, q);
                Err(PromptError::Interrupted)
            }
            other => panic!("asked secret {question:?}, script had {other:?}"),
        }
    }
    fn say(&mut self, line: &str) {
        self.said.push(line.to_string());
    }
    fn heading(&mut self, title: &str) {
        self.said.push(title.to_string());
    }
    fn report(&mut self, report: &CheckReport) {
        self.said.push(format!(
            "REPORT ok={} code={:?}",
            report.ok(),
            report.error().map(|e| e.code())
        ));
    }
}

/// Fails with the given codes in turn, then passes; records what it was given.
pub(super) struct FakeTester {
    pub(super) fail: VecDeque<&'static Cause>,
    pub(super) seen: Vec<(ConnectionSettings, String)>,
    /// How many times the answers went the one way in.
    pub(super) resolved: usize,
    /// Refusals the next resolutions meet, one each, before the answers are validated.
    pub(super) refusals: VecDeque<Refusal>,
    /// Whether the last resolution was told the secret is the stored one kept by Enter.
    pub(super) kept_stored: Option<bool>,
}

impl FakeTester {
    pub(super) fn new(fail: &[&'static Cause]) -> Self {
        FakeTester {
            fail: fail.iter().copied().collect(),
            seen: Vec::new(),
            resolved: 0,
            refusals: VecDeque::new(),
            kept_stored: None,
        }
    }
}

impl Tester for FakeTester {
    /// The one way in, as far as the domain goes: the answers validated as flags are.
    fn resolve(
        &mut self,
        values: &RawValues,
        _secret: &Secret,
        kept_stored: bool,
        _preset: &Preset,
    ) -> Result<Validated, Refusal> {
        self.resolved += 1;
        self.kept_stored = Some(kept_stored);
        if let Some(r) = self.refusals.pop_front() {
            return Err(r);
        }
        validate(values, None).map_err(|errs| Refusal {
            message: errs
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; "),
            field: errs.first().map(|e| e.field),
        })
    }
    fn test(
        &mut self,
        settings: &ConnectionSettings,
        secret: &Secret,
        preset: &Preset,
        profile: Option<&str>,
    ) -> CheckReport {
        self.seen
            .push((settings.clone(), secret.expose().to_string()));
        let mut r = ReportBuilder::new(
            Subject::named(profile.unwrap_or("p")),
            &preset.name,
            settings.resource_server.as_str(),
            settings.auth_server.as_str(),
            settings.tenant.as_option(),
        );
        if let Some(cause) = self.fail.pop_front() {
            r.error = Some(Diagnosis::new(cause, "failed", "fix it"));
        }
        r.finish(0)
    }
}

pub(super) struct FakeServices {
    /// What authinfo gives: by default an answer naming nothing, so the values are derived.
    pub(super) discovery: Option<Discovery>,
    /// Problems the next address checks meet, one each, before authinfo answers.
    pub(super) problems: VecDeque<AddressProblem>,
    pub(super) keyring: Result<(), String>,
    pub(super) discovered: Vec<String>,
}

impl FakeServices {
    pub(super) fn new() -> Self {
        FakeServices {
            discovery: Some(Discovery::default()),
            problems: VecDeque::new(),
            keyring: Ok(()),
            discovered: Vec::new(),
        }
    }
}

impl Services for FakeServices {
    fn discover(&mut self, base: &str) -> Result<Discovery, AddressProblem> {
        self.discovered.push(base.to_string());
        if let Some(p) = self.problems.pop_front() {
            return Err(p);
        }
        self.discovery.clone().ok_or_else(|| AddressProblem {
            message: format!("{base}/api/authinfo answered HTTP 404, not Halo's JSON."),
            unreached: false,
        })
    }
    fn keyring(&mut self) -> Result<(), String> {
        self.keyring.clone()
    }
}

pub(super) const ID: &str = "3f2b9c4e-0d6a-4c1e-9b7f-2a1d5e8c7b60";
pub(super) const SECRET: &str =
    "3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37-8e2b6d40-51fa-4c93-b7e8-0a9d3c6f2e15";

pub(super) fn presets() -> Vec<Preset> {
    preset::all().to_vec()
}

/// The answers up to the secret for a hosted billing run that skips every checklist.
pub(super) fn hosted_start() -> Vec<A> {
    vec![
        A::Select("Preset", 0),
        A::Select("Hosting", 0),
        A::Select("Role checklist", 1),
        A::Select("Agent checklist", 1),
        A::Select("Application checklist", 1),
        A::Text("Halo address", "https://acme.halopsa.com"),
        A::Confirm("Use these three values?", true),
        A::Text("Client ID", ID),
    ]
}

/// The wizard with the built-in presets, a tester whose every test passes and services that
/// answer nothing: the common run of these tests.
pub(super) fn run_plain(draft: Draft, p: &mut Scripted) -> Result<Outcome, WizardError> {
    run(
        draft,
        &presets(),
        p,
        &mut FakeTester::new(&[]),
        &mut FakeServices::new(),
    )
}

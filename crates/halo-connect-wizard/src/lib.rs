//! The interactive `init` conversation: preset, hosting, the Role/Agent/Application checklists,
//! the values (one address first), the secret store, the secret, Save and Test with a way back to
//! the value at fault, and the decision to save. It asks only through its `Prompter`, tests only
//! through its `Tester`, and validates with the same domain functions as the non-interactive path.
//! It never imports dialoguer, reqwest, the store or the terminal.

pub mod ports;
mod secret;
#[cfg(test)]
mod tests;
mod values;

use halo_connect_core::binding::Binding;
use halo_connect_core::field::Field;
use halo_connect_core::handoff::applications_page;
use halo_connect_core::kind::Kind;
use halo_connect_core::preset::{Preset, Step};
use halo_connect_core::profile::SecretStoreKind;
use halo_connect_core::report::CheckReport;
use halo_connect_core::secret::Secret;
use halo_connect_core::url::derive_from_address;
use halo_connect_core::values::{validate, RawValues, Validated};

use ports::{PromptError, Prompter, Services, Tester};
use secret::{ask_secret, ask_store, fits, without_stored};
use values::{
    ask_auth_server, ask_client_id, ask_resource_server, ask_tenant, ask_values, current,
};

/// What is known before the first question: from flags, env, a stored profile or the sandbox.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// A preset given by flag is not asked again.
    pub preset: Option<Preset>,
    /// The preset offered as the default.
    pub default_preset: Option<String>,
    pub raw: RawValues,
    /// The address offered first.
    pub address: Option<String>,
    /// A secret given by stdin, file or env: not asked.
    pub secret: Option<Secret>,
    /// The stored secret of a re-run and where it was tested: Enter keeps it, only while the
    /// values in effect are those.
    pub stored_secret: Option<(Secret, Binding)>,
    /// The emulator's secret: Enter uses it.
    pub sandbox_secret: Option<Secret>,
    /// A store given by flag.
    pub store: Option<SecretStoreKind>,
    pub sandbox: bool,
    /// `--no-checklists`: the Role, Agent and Application checklists are not offered.
    pub no_checklists: bool,
    /// Presets already set up on this machine: their checklists offer "I already have one" first.
    pub seen_presets: Vec<String>,
    /// Set when the profile will not be overwritten: the new profile's name is asked before Save
    /// and Test, and these names are taken.
    pub new_profile: Option<Vec<String>>,
}

/// What the conversation decided.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub preset: Preset,
    pub validated: Validated,
    pub secret: Secret,
    pub store: SecretStoreKind,
    /// The last Save and Test; `ok` false when the operator chose "save anyway".
    pub report: CheckReport,
    pub hosted: bool,
    /// The new profile's name, when `Draft::new_profile` asked for one.
    pub profile: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WizardError {
    /// Ctrl-C or Esc.
    Interrupted,
    /// The operator chose to quit without saving; carries the last test's exit code.
    Quit(i32),
    Prompt(String),
    /// The answers were refused for a reason no answer fixes (said already); the caller has it.
    Refused(String),
}

impl From<PromptError> for WizardError {
    fn from(e: PromptError) -> Self {
        match e {
            PromptError::Interrupted => WizardError::Interrupted,
            PromptError::Io(s) => WizardError::Prompt(s),
        }
    }
}

type Res<T> = Result<T, WizardError>;

/// The values as answered so far, each with where it came from: a default the operator accepted
/// keeps its origin (flag, env, stored, discovered, derived); a typed one is `Source::Prompt`.
/// They are validated by the same `validate` as flags.
type Values = RawValues;

/// Runs the whole conversation.
pub fn run(
    draft: Draft,
    presets: &[Preset],
    p: &mut dyn Prompter,
    tester: &mut dyn Tester,
    svc: &mut dyn Services,
) -> Res<Outcome> {
    let preset = ask_preset(&draft, presets, p)?;
    let hosted = ask_hosting(&draft, p)?;
    // The checklist steps marked "not yet": (Role, Agent or Application, the step).
    let mut pending: Vec<(&str, String)> = Vec::new();
    if draft.no_checklists {
        p.say(&format!("Checklists skipped (--no-checklists); `halo-connect checklist --preset {}` prints them.", preset.name));
    } else {
        pending = walk_checklists(
            &preset,
            draft.address.as_deref(),
            draft.seen_presets.contains(&preset.name),
            draft.sandbox,
            p,
        )?;
    }
    let (values, address) = ask_values(&draft, hosted, None, p, svc)?;
    let store = ask_store(&draft, p, svc)?;
    let fitting = |values: &RawValues| {
        validate(values, None).is_ok_and(|v| {
            draft
                .stored_secret
                .as_ref()
                .is_some_and(|(_, b)| fits(b, &v))
        })
    };
    let (secret, kept_stored) = if draft.stored_secret.is_some() && !fitting(&values) {
        ask_secret(&without_stored(&draft, p), p)?
    } else {
        ask_secret(&draft, p)?
    };
    let mut a = Answers {
        values,
        address,
        secret,
        kept_stored,
    };
    // Named before Save and Test, so the test does not show the profile it will not replace.
    let profile = match &draft.new_profile {
        Some(taken) => Some(ask_profile_name(&preset.name, taken, p, svc)?),
        None => None,
    };
    let mut said: Vec<String> = Vec::new();
    loop {
        // A value changed after a failed test: the stored secret does not follow it elsewhere.
        let kept_stored = a.kept_stored;
        if kept_stored && !fitting(&a.values) {
            (a.secret, a.kept_stored) = ask_secret(&without_stored(&draft, p), p)?;
            continue;
        }
        let validated = match tester.resolve(&a.values, &a.secret, kept_stored, &preset) {
            Ok(v) => v,
            Err(refusal) => {
                // No answer fixes it: the caller says why.
                let Some(field) = refusal.field else {
                    return Err(WizardError::Refused(refusal.message));
                };
                p.say(&format!("✗ {}", refusal.message));
                if field == Field::ClientSecret && kept_stored {
                    (a.secret, a.kept_stored) = ask_secret(&without_stored(&draft, p), p)?;
                } else {
                    reask(field, &draft, hosted, &mut a, p, svc)?;
                }
                continue;
            }
        };
        for n in validated.notes.iter().map(|n| format!("Note: {n}.")) {
            if !said.contains(&n) {
                p.say(&n);
                said.push(n);
            }
        }
        p.heading("Save and Test");
        let report = tester.test(&validated.settings, &a.secret, &preset, profile.as_deref());
        p.report(&report);
        if !report.ok() {
            say_pending_at_fault(&report, &pending, p);
            match after_failure(&report, p)? {
                Next::Reenter(field) => {
                    reask(field, &draft, hosted, &mut a, p, svc)?;
                    continue;
                }
                Next::Retest => continue,
                Next::Quit => return Err(WizardError::Quit(report.exit_code())),
                Next::SaveAnyway => {}
            }
        }
        // A passing test, or "save anyway".
        return Ok(Outcome {
            preset,
            validated,
            secret: a.secret,
            store,
            report,
            hosted,
            profile,
        });
    }
}

/// What has been answered so far: the values, the address they came from, and the secret.
struct Answers {
    values: Values,
    address: String,
    secret: Secret,
    /// The secret is the stored one, kept by Enter (not pasted, even if the same).
    kept_stored: bool,
}

/// Asks one value again (the address asks all it gives again), after a failed test or a refusal.
fn reask(
    field: Field,
    draft: &Draft,
    hosted: bool,
    a: &mut Answers,
    p: &mut dyn Prompter,
    svc: &mut dyn Services,
) -> Res<()> {
    let values = &mut a.values;
    match field {
        Field::ClientSecret => {
            (a.secret, a.kept_stored) = ask_secret(
                &Draft {
                    secret: None,
                    ..draft.clone()
                },
                p,
            )?
        }
        Field::ClientId => values.client_id = Some(ask_client_id(values.client_id.as_ref(), p)?),
        Field::Tenant => values.tenant = Some(ask_tenant(&current(&values.tenant), p)?),
        Field::AuthServer => {
            values.auth_server = Some(ask_auth_server(&current(&values.auth_server), p)?)
        }
        Field::ResourceServer => {
            values.resource_server =
                Some(ask_resource_server(&current(&values.resource_server), p)?)
        }
        _ => {
            let again = ask_values(draft, hosted, Some((&*values, a.address.as_str())), p, svc)?;
            (a.values, a.address) = again;
        }
    }
    Ok(())
}

fn ask_preset(draft: &Draft, presets: &[Preset], p: &mut dyn Prompter) -> Res<Preset> {
    if let Some(preset) = &draft.preset {
        p.say(&format!("Preset: {} ({}).", preset.title, preset.name));
        return Ok(preset.clone());
    }
    p.heading("1. What will use this connection?");
    let options: Vec<String> = presets
        .iter()
        .map(|x| format!("{:<20} {}", x.name, x.summary))
        .collect();
    let default = draft
        .default_preset
        .as_deref()
        .and_then(|n| presets.iter().position(|x| x.name == n))
        .unwrap_or(0);
    let i = p.select("Preset", &options, default)?;
    let mut preset = presets
        .get(i)
        .cloned()
        .ok_or_else(|| WizardError::Prompt("no such preset".into()))?;
    if preset.name == halo_connect_core::preset::CUSTOM {
        let answer = p.text(
            "Scopes for your scripts, comma-separated (e.g. read:tickets,edit:tickets)",
            None,
            &|s| parse_scopes(s).map(|_| ()),
        )?;
        preset.scopes = parse_scopes(&answer).map_err(WizardError::Prompt)?;
    }
    Ok(preset)
}

fn parse_scopes(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|x| !x.is_empty()) {
        let scope = halo_connect_core::scope::Scope::parse(part)?;
        if !out.contains(&scope.as_str().to_string()) {
            out.push(scope.as_str().to_string());
        }
    }
    if out.is_empty() {
        return Err("give at least one scope, such as read:tickets".into());
    }
    Ok(out)
}

fn ask_hosting(draft: &Draft, p: &mut dyn Prompter) -> Res<bool> {
    p.heading("2. Where does your Halo run?");
    let guess_hosted = draft
        .address
        .as_deref()
        .and_then(|a| derive_from_address(a).ok())
        .map(|d| d.hosted || draft.sandbox)
        .unwrap_or(true);
    let options = vec![
        "Hosted by Halo (an address such as https://acme.halopsa.com)".to_string(),
        "On-premise (Halo on your own server)".to_string(),
    ];
    let i = p.select("Hosting", &options, if guess_hosted { 0 } else { 1 })?;
    if i == 1 {
        p.say("On-premise Halo needs, before any integration can connect:");
        p.say("  - a fully chained TLS certificate: the web server must send its intermediate certificate too;");
        p.say("  - the latest stable Halo version;");
        p.say("  - if Halo only accepts listed IP addresses, the caller's addresses on that list.");
        p.say(&format!(
            "  The Tenant is \"{}\" on-premise.",
            halo_connect_core::url::NOT_SET
        ));
    }
    Ok(i == 0)
}

/// Asks the new profile's name, offering the preset's name (or the first free variant of it).
fn ask_profile_name(
    preset: &str,
    taken: &[String],
    p: &mut dyn Prompter,
    svc: &mut dyn Services,
) -> Res<String> {
    let offer = std::iter::once(preset.to_string())
        .chain((2..).map(|n| format!("{preset}-{n}")))
        .find(|n| !taken.contains(n))
        .unwrap_or_default();
    loop {
        let typed = p.text("Save as profile", Some(&offer), &|s| {
            let s = s.trim();
            if taken.iter().any(|t| t == s) {
                return Err(format!("profile `{s}` exists already; choose another name"));
            }
            Ok(())
        })?;
        let name = typed.trim().to_string();
        match svc.check_profile_name(&name) {
            Ok(()) => return Ok(name),
            Err(why) => p.say(&format!("✗ {why}.")),
        }
    }
}

/// Walks the Role, Agent and Application checklists. Against the sandbox Enter confirms a step
/// (the tour); on a real Halo Enter shows the step again, and only "y" marks it done.
fn walk_checklists(
    preset: &Preset,
    address: Option<&str>,
    seen: bool,
    tour: bool,
    p: &mut dyn Prompter,
) -> Res<Vec<(&'static str, String)>> {
    let mut pending: Vec<(&'static str, String)> = Vec::new();
    let parts: [(&str, &str, &[Step]); 3] = [
        ("3a. The Role", "Role", &preset.role),
        ("3b. The API-only Agent", "Agent", &preset.agent),
        (
            "3c. The API Application",
            "Application",
            &preset.application,
        ),
    ];
    for (title, what, steps) in parts {
        if steps.is_empty() {
            continue;
        }
        p.heading(title);
        if let Some(page) = address
            .filter(|_| what == "Application")
            .and_then(applications_page)
        {
            p.link("Halo's page for it (View Applications):", &page);
        }
        let walk = format!("Walk me through the {what}, step by step");
        let skip = format!("I already have one: skip the {what}");
        // A preset set up here before most likely has its Role, Agent and Application already.
        let options = if seen {
            vec![skip, walk]
        } else {
            vec![walk, skip]
        };
        let chosen = p.select(
            &format!("{what} checklist ({} steps)", steps.len()),
            &options,
            0,
        )?;
        if (chosen == 0) == seen {
            continue;
        }
        let mut last_menu = "";
        for (i, s) in steps.iter().enumerate() {
            if s.menu != last_menu {
                p.say(&format!("In {}:", s.menu));
                last_menu = &s.menu;
            }
            p.say(&format!("  {}. {}", i + 1, s.line()));
            let done = if tour {
                p.confirm(&format!("Done: {}?", s.setting), true)?
            } else {
                // Short enough not to wrap: a wrapped prompt leaves half a line behind.
                let question = format!("Done: {}? (y/n; Enter shows it again)", s.setting);
                loop {
                    match p.step_done(&question)? {
                        Some(done) => break done,
                        None => p.say(&format!("  {}. In {}: {}", i + 1, s.menu, s.line())),
                    }
                }
            };
            if !done {
                pending.push((what, format!("{}: {}", s.setting, s.value)));
            }
        }
    }
    if !pending.is_empty() {
        p.say("Still to do in Halo before the test can pass:");
        for (what, item) in &pending {
            p.say(&format!("  - {what}: {item}"));
        }
    }
    Ok(pending)
}

/// After a failed Save and Test: the steps marked "not yet" in the checklist the failure points
/// back to (the catalogue's step of each failing cause), so the likely fix is named once more.
fn say_pending_at_fault(report: &CheckReport, pending: &[(&str, String)], p: &mut dyn Prompter) {
    let mut parts: Vec<&str> = Vec::new();
    let causes = report
        .error()
        .into_iter()
        .chain(report.findings())
        .chain(report.permissions().iter().filter_map(|r| r.cause.as_ref()))
        .chain(report.readiness().iter().filter_map(|r| r.cause.as_ref()));
    for c in causes {
        if !parts.contains(&c.cause.step) {
            parts.push(c.cause.step);
        }
    }
    let at_fault: Vec<&(&str, String)> = pending
        .iter()
        .filter(|(what, _)| parts.contains(what))
        .collect();
    if at_fault.is_empty() {
        return;
    }
    p.say("You marked these steps \"not yet\", and the failure points to them:");
    for (what, item) in at_fault {
        p.say(&format!("  - {what}: {item}"));
    }
}

enum Next {
    Reenter(Field),
    Retest,
    SaveAnyway,
    Quit,
}

fn after_failure(report: &CheckReport, p: &mut dyn Prompter) -> Res<Next> {
    use halo_connect_core::catalogue::*;
    let cause = report.error().map(|e| e.cause);
    let is = |set: &[&Cause]| cause.is_some_and(|c| set.contains(&c));
    let reenter: Vec<Field> = if is(&[&INVALID_CLIENT]) {
        vec![Field::ClientSecret, Field::ClientId]
    } else if is(&[&WRONG_TENANT, &TENANT_REQUIRED]) {
        vec![Field::Tenant]
    } else if is(&[&TOKEN_URL_NOT_FOUND, &TOKEN_URL_HTML, &NOT_HALO]) {
        vec![Field::AuthServer, Field::ResourceServer]
    } else if is(&[&HTML_RESOURCE_SERVER, &BODY_TOO_LARGE]) {
        vec![Field::ResourceServer]
    } else {
        match cause.map(|c| c.kind) {
            // The address itself may be wrong: scheme, port or host.
            Some(Kind::Connection | Kind::Tls | Kind::Server) => vec![Field::Url],
            _ => vec![],
        }
    };
    // A token refused may be the right credentials for another Halo: the address is offered too.
    let mut reenter = reenter;
    if cause.map(|c| c.kind) == Some(Kind::Auth) && !reenter.contains(&Field::Url) {
        reenter.push(Field::Url);
    }
    let mut options: Vec<(String, Next)> = reenter
        .iter()
        .map(|f| {
            let label = if *f == Field::Url {
                "the Halo address and values".to_string()
            } else {
                format!("the {}", f.label())
            };
            (
                format!("Re-enter {label} and test again"),
                Next::Reenter(*f),
            )
        })
        .collect();
    options.push((
        "Test again (after changing the application, Role or Agent in Halo)".into(),
        Next::Retest,
    ));
    options.push(("Save anyway, marked as failed".into(), Next::SaveAnyway));
    options.push(("Quit without saving".into(), Next::Quit));
    let labels: Vec<String> = options.iter().map(|(l, _)| l.clone()).collect();
    let i = p.select("The test failed. What next?", &labels, 0)?;
    Ok(options
        .into_iter()
        .nth(i)
        .map(|(_, n)| n)
        .unwrap_or(Next::Quit))
}

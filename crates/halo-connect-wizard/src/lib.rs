//! The interactive `init` conversation: preset, hosting, the Role/Agent/Application checklists,
//! the values (one address first), the secret store, the secret, Save and Test with a way back to
//! the value at fault, and the decision to save. It asks only through its `Prompter`, tests only
//! through its `Tester`, and validates with the same domain functions as the non-interactive path.
//! It never imports dialoguer, reqwest, the store or the terminal.

pub mod ports;
#[cfg(test)]
mod tests;
mod values;

use halo_connect_core::field::Field;
use halo_connect_core::handoff::applications_page;
use halo_connect_core::kind::Kind;
use halo_connect_core::preset::{Preset, Step};
use halo_connect_core::profile::SecretStoreKind;
use halo_connect_core::report::CheckReport;
use halo_connect_core::secret::Secret;
use halo_connect_core::url::derive_from_address;
use halo_connect_core::values::{check_secret, validate, RawValues, Validated};

use ports::{PromptError, Prompter, Services, Tester};
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
    /// The stored secret of a re-run: Enter keeps it.
    pub stored_secret: Option<Secret>,
    /// The emulator's secret: Enter uses it.
    pub sandbox_secret: Option<Secret>,
    /// A store given by flag.
    pub store: Option<SecretStoreKind>,
    pub sandbox: bool,
    /// `--no-checklists`: the Role, Agent and Application checklists are not offered.
    pub no_checklists: bool,
    /// Presets already set up on this machine: their checklists offer "I already have one" first.
    pub seen_presets: Vec<String>,
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WizardError {
    /// Ctrl-C or Esc.
    Interrupted,
    /// The operator chose to quit without saving; carries the last test's exit code.
    Quit(i32),
    Prompt(String),
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
    if draft.no_checklists {
        p.say(&format!("Checklists skipped (--no-checklists); `halo-connect checklist --preset {}` prints them.", preset.name));
    } else {
        walk_checklists(
            &preset,
            draft.address.as_deref(),
            draft.seen_presets.contains(&preset.name),
            p,
        )?;
    }
    let mut values = ask_values(&draft, hosted, p, svc)?;
    let store = ask_store(&draft, p, svc)?;
    let mut secret = ask_secret(&draft, p)?;
    let mut said: Vec<String> = Vec::new();
    loop {
        let validated = match validate(&values, None) {
            Ok(v) => v,
            Err(errs) => {
                let msg: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
                p.say(&msg.join("; "));
                values.tenant = Some(ask_tenant(&current(&values.tenant), p)?);
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
        let report = tester.test(&validated.settings, &secret, &preset);
        p.report(&report);
        if !report.ok {
            match after_failure(&report, p)? {
                Next::Reenter(field) => {
                    match field {
                        Field::ClientSecret => {
                            secret = ask_secret(
                                &Draft {
                                    secret: None,
                                    ..draft.clone()
                                },
                                p,
                            )?
                        }
                        Field::ClientId => {
                            values.client_id = Some(ask_client_id(values.client_id.as_ref(), p)?)
                        }
                        Field::Tenant => {
                            values.tenant = Some(ask_tenant(&current(&values.tenant), p)?)
                        }
                        Field::AuthServer => {
                            values.auth_server =
                                Some(ask_auth_server(&current(&values.auth_server), p)?)
                        }
                        Field::ResourceServer => {
                            values.resource_server =
                                Some(ask_resource_server(&current(&values.resource_server), p)?)
                        }
                        _ => values = ask_values(&draft, hosted, p, svc)?,
                    }
                    continue;
                }
                Next::Retest => continue,
                Next::Quit => return Err(WizardError::Quit(report.exit_code)),
                Next::SaveAnyway => {}
            }
        }
        // A passing test, or "save anyway".
        return Ok(Outcome {
            preset,
            validated,
            secret,
            store,
            report,
            hosted,
        });
    }
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
    if preset.name == "custom" {
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
        p.say("  The Tenant is \"Not set\" on-premise.");
    }
    Ok(i == 0)
}

fn walk_checklists(
    preset: &Preset,
    address: Option<&str>,
    seen: bool,
    p: &mut dyn Prompter,
) -> Res<()> {
    let mut pending: Vec<String> = Vec::new();
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
            if !p.confirm(&format!("Done: {}?", s.setting), true)? {
                pending.push(format!("{what}: {}: {}", s.setting, s.value));
            }
        }
    }
    if !pending.is_empty() {
        p.say("Still to do in Halo before the test can pass:");
        for item in &pending {
            p.say(&format!("  - {item}"));
        }
    }
    Ok(())
}

fn ask_store(draft: &Draft, p: &mut dyn Prompter, svc: &mut dyn Services) -> Res<SecretStoreKind> {
    if let Some(s) = draft.store {
        return Ok(s);
    }
    if draft.sandbox {
        p.say("The sandbox knows its own secret, so this profile stores none.");
        return Ok(SecretStoreKind::None);
    }
    match svc.keyring() {
        Ok(()) => Ok(SecretStoreKind::Keyring),
        Err(why) => {
            p.heading("5. Where to keep the Client Secret");
            p.say(&format!("No OS keyring answered ({why})."));
            let options = vec![
                "A file only you can read (mode 0600), next to the config".to_string(),
                "Nowhere: I will set HALO_CLIENT_SECRET whenever I use this profile".to_string(),
            ];
            Ok(if p.select("Secret store", &options, 0)? == 0 {
                SecretStoreKind::File
            } else {
                SecretStoreKind::None
            })
        }
    }
}

fn ask_secret(draft: &Draft, p: &mut dyn Prompter) -> Res<Secret> {
    if let Some(s) = &draft.secret {
        p.say("Using the Client Secret given by stdin, file or HALO_CLIENT_SECRET.");
        return Ok(s.clone());
    }
    let keep = draft
        .stored_secret
        .as_ref()
        .or(draft.sandbox_secret.as_ref());
    let question = match (&draft.stored_secret, &draft.sandbox_secret) {
        (Some(s), _) => format!("Client Secret (hidden; Enter keeps {})", s.masked()),
        (None, Some(_)) => {
            "Client Secret (hidden; Enter uses the sandbox's demo secret)".to_string()
        }
        (None, None) => {
            "Client Secret (hidden; paste it, it was shown once when the application was created)"
                .to_string()
        }
    };
    loop {
        let typed = p.secret(&question)?;
        let candidate = if typed.expose().trim().is_empty() {
            match keep {
                Some(k) => k.clone(),
                None => {
                    p.say("The Client Secret is required: copy it from the application, or make a new one there.");
                    continue;
                }
            }
        } else {
            typed
        };
        match check_secret(candidate) {
            Ok((s, notes)) => {
                for n in notes {
                    p.say(&format!("Note: {n}."));
                }
                return Ok(s);
            }
            Err(e) => p.say(&format!("{e}.")),
        }
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
    let cause = report.error.as_ref().map(|e| e.cause);
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

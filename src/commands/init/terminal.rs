//! `init` on a terminal: the wizard, given live adapters for its ports (its answers through
//! `connection::resolve` as one more `Origin`, Save and Test with a spinner, discovery and the
//! keyring probe), sharing one client, then the same outcome as the flag path. It resolves,
//! merges and validates nothing itself.

use crate::cli::InitArgs;
use crate::commands::connection::{
    absolute_ca, emulator_secret, init_raw, init_trust, resolve_at_fault, Origin,
};
use crate::commands::session::Session;
use crate::commands::{preset_name, resolve_preset, secret_from_inputs, Ctx, KEYRING_TIMEOUT};
use crate::domain::binding::Binding;
use crate::domain::preset::{self, Preset};
use crate::domain::profile::{Hosting, Profile, SecretStoreKind};
use crate::domain::report::{CheckReport, Subject};
use crate::domain::secret::Secret;
use crate::domain::values::{address_of, ConnectionSettings, Discovery, RawValues, Validated};
use crate::error::AppError;
use crate::halo::check::{discover_why, run_check};
use crate::halo::HaloClient;
use crate::sandbox::Sandbox;
use crate::ui::prompter::{install_interrupt_handler, DialoguerPrompter};
use crate::wizard::ports::{AddressProblem, Prompter, Refusal, Services, Tester};
use crate::wizard::{self, Draft, WizardError};

use super::outcome::conclude;
use super::Plan;

/// The longest the address check waits before it says the host is silent.
const ADDRESS_CHECK_LIMIT: u64 = 10;

/// A spinner on stderr with `message`, until it is cleared.
fn spinner(term: &crate::ui::term::Term, message: String) -> indicatif::ProgressBar {
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if !term.style.unicode {
        spinner.set_style(indicatif::ProgressStyle::default_spinner().tick_chars("-\\|/ "));
    }
    spinner.set_message(message);
    spinner.enable_steady_tick(std::time::Duration::from_millis(90));
    spinner
}

/// The wizard's way in and its Save and Test: the answers through `connection::resolve`, then a
/// spinner on stderr while the real check runs.
struct LiveTester<'a> {
    client: HaloClient,
    session: &'a Session,
    ctx: &'a Ctx,
    profile: String,
    sandbox: Option<&'a Sandbox>,
    /// The stored secret of a re-run, with its binding and whether it is bound yet.
    stored: Option<(Secret, Binding, bool)>,
    /// The last refusal no answer fixes, for the run to end with.
    refused: Option<AppError>,
}

impl Tester for LiveTester<'_> {
    fn resolve(
        &mut self,
        values: &RawValues,
        secret: &Secret,
        kept_stored: bool,
        preset: &Preset,
    ) -> Result<Validated, Refusal> {
        // Only the stored secret kept by Enter is held to its binding; a pasted one, even the
        // same, goes where the operator's answers say.
        let stored_binding = self
            .stored
            .as_ref()
            .filter(|_| kept_stored)
            .map(|(_, binding, bound)| (binding.clone(), *bound));
        let origin = Origin::Wizard {
            values,
            secret,
            sandbox: self.sandbox,
            stored_binding,
        };
        match resolve_at_fault(self.ctx, &self.profile, origin, preset.clone(), false) {
            Ok(conn) => Ok(conn.validated),
            Err((e, field)) => {
                let mut message = format!("{}.", e.message);
                if let Some(hint) = &e.hint {
                    message.push_str(&format!(" To fix it, {hint}."));
                }
                self.refused = Some(e);
                Err(Refusal { message, field })
            }
        }
    }

    fn test(
        &mut self,
        settings: &ConnectionSettings,
        secret: &Secret,
        preset: &Preset,
        profile: Option<&str>,
    ) -> CheckReport {
        let spinner = spinner(
            &self.ctx.term,
            format!(
                "Testing: token from {}, then every permission at once…",
                settings.auth_server.as_str()
            ),
        );
        let client = &self.client;
        let subject = Subject::named(profile.unwrap_or(&self.profile));
        let report = self
            .session
            .block_on(run_check(client, settings, secret, preset, subject));
        spinner.finish_and_clear();
        report
    }
}

/// Discovery and the keyring probe for the wizard.
struct LiveServices<'a> {
    client: HaloClient,
    session: &'a Session,
    ctx: &'a Ctx,
}

impl Services for LiveServices<'_> {
    fn discover(&mut self, base: &str) -> Result<Discovery, AddressProblem> {
        let client = &self.client;
        let limit = self.ctx.global.timeout.clamp(1, ADDRESS_CHECK_LIMIT);
        let spinner = spinner(
            &self.ctx.term,
            format!("Checking {base}/api/authinfo (at most {limit} s)…"),
        );
        let found = self.session.block_on(async {
            tokio::time::timeout(
                std::time::Duration::from_secs(limit),
                discover_why(client, base),
            )
            .await
        });
        spinner.finish_and_clear();
        match found {
            Ok(Ok(d)) => Ok(d),
            Ok(Err(f)) if f.answered => Err(AddressProblem {
                message: format!(
                    "{}: something answers at {base}, but not as Halo does. Check it is the address you sign in to Halo at, as shown in Configuration > Integrations > HaloPSA API (API Details).",
                    f.message.trim_end_matches('.')
                ),
                unreached: false,
            }),
            Ok(Err(f)) => Err(AddressProblem {
                message: match f.fix {
                    Some(fix) => format!("{} {fix}", f.message),
                    None => f.message,
                },
                unreached: true,
            }),
            Err(_) => Err(AddressProblem {
                message: format!(
                    "No answer from {base} within {limit} s: the host is silent (a firewall that drops the connection, or the wrong host or port). Check the address you sign in to Halo at; on-premise, ask whoever runs the server to let this machine through."
                ),
                unreached: true,
            }),
        }
    }
    fn check_profile_name(&mut self, name: &str) -> Result<(), String> {
        crate::store::validate_profile_name(name).map_err(|e| e.to_string())
    }
    fn keyring(&mut self) -> Result<(), String> {
        use crate::store::StoreError;
        crate::store::KeyringStore::new(self.ctx.keyring_service(), KEYRING_TIMEOUT)
            .probe()
            .map_err(|e| match e {
                StoreError::KeyringUnavailable { reason } => reason,
                StoreError::KeyringTimeout { waited } => {
                    format!("it did not answer within {} s", waited.as_secs())
                }
                other => other.to_string(),
            })
    }
}

pub(super) fn run_wizard(
    ctx: &Ctx,
    args: &InitArgs,
    profile: &str,
    stored: Option<&Profile>,
) -> Result<i32, AppError> {
    install_interrupt_handler();
    let mut prompter = DialoguerPrompter::new(ctx.term.clone());
    let mut stored = stored.filter(|p| !p.sandbox || args.sandbox);
    let mut replace = args.force;
    // Set when the operator keeps the existing profile and names a new one at the end.
    let mut name_it = false;
    if let Some(existing) = stored {
        if !args.force && !existing.sandbox {
            let options = [
                format!(
                    "Replace `{profile}` after a passing test (its values are offered as defaults)"
                ),
                "Make a new profile beside it (you name it before it is saved)".to_string(),
                "Quit: change nothing".to_string(),
            ];
            let choice = prompter
                .select(&format!("Profile `{profile}` exists."), &options, 0)
                .map_err(|_| AppError::interrupted())?;
            match choice {
                0 => replace = true,
                1 => {
                    name_it = true;
                    stored = None;
                }
                _ => {
                    ctx.term.info(&format!("Nothing was changed. To save a new connection beside `{profile}`, run `halo-connect init --profile NAME`."));
                    return Ok(0);
                }
            }
        }
    }
    let sandbox = super::init_sandbox(ctx, args)?;
    if let Some(sb) = &sandbox {
        ctx.term.info(&format!(
            "Started the HaloPSA sandbox ({}) on {}. Its values are the defaults: press Enter at each question.",
            sb.scenario().as_str(),
            sb.base_url()
        ));
    }
    let preset_given = args.values.preset.is_some() || args.values.preset_file.is_some();
    let preset = if preset_given {
        Some(resolve_preset(&args.values, stored)?)
    } else {
        None
    };
    let raw = init_raw(ctx, &args.values, sandbox.as_ref(), stored);
    let address = address_of(&raw);
    let stored_secret = stored.filter(|p| !p.sandbox).and_then(|p| {
        let (secret, bound) = ctx.stored_secret_fit(profile, p).ok().flatten()?;
        Some((secret, p.binding(), bound))
    });
    let draft = Draft {
        preset,
        default_preset: Some(preset_name(None, stored).to_string()),
        raw,
        address,
        secret: secret_from_inputs(ctx, &args.values)?.map(|s| s.0),
        stored_secret: stored_secret
            .as_ref()
            .map(|(s, binding, _)| (s.clone(), binding.clone())),
        sandbox_secret: sandbox.as_ref().map(emulator_secret),
        store: args
            .secret_store
            .map(SecretStoreKind::from)
            .or(stored.filter(|p| !p.sandbox).map(|p| p.secret_store)),
        sandbox: sandbox.is_some(),
        no_checklists: args.no_checklists,
        seen_presets: ctx
            .config
            .load()
            .map(|c| {
                c.profiles
                    .values()
                    .filter(|p| !p.sandbox)
                    .map(|p| p.preset.clone())
                    .collect()
            })
            .unwrap_or_default(),
        new_profile: if name_it {
            Some(ctx.config.load()?.names())
        } else {
            None
        },
    };
    // Discovery and Save and Test share one client, so one connection (and one TLS handshake).
    let trust = init_trust(ctx, sandbox.as_ref());
    let session = ctx.session()?;
    let client = session.client(&trust)?;
    let mut services = LiveServices {
        client: client.clone(),
        session,
        ctx,
    };
    let mut tester = LiveTester {
        client,
        session,
        ctx,
        profile: profile.to_string(),
        sandbox: sandbox.as_ref(),
        stored: stored_secret,
        refused: None,
    };
    let outcome = match wizard::run(
        draft,
        preset::all(),
        &mut prompter,
        &mut tester,
        &mut services,
    ) {
        Ok(o) => o,
        Err(WizardError::Interrupted) => return Err(AppError::interrupted()),
        Err(WizardError::Refused(message)) => {
            return Err(tester
                .refused
                .take()
                .unwrap_or_else(|| AppError::config(message)))
        }
        Err(WizardError::Quit(code)) => {
            ctx.term.info("Nothing was saved.");
            return Ok(code);
        }
        Err(WizardError::Prompt(e)) => {
            return Err(
                AppError::config(format!("the wizard could not ask its questions: {e}")).with_hint(
                    "run with --non-interactive and give every value by flag or environment",
                ),
            )
        }
    };
    let insist = !outcome.report.ok();
    let report = outcome.report;
    let profile = outcome.profile.unwrap_or_else(|| profile.to_string());
    let plan = Plan {
        profile,
        preset: outcome.preset,
        validated: outcome.validated,
        secret: outcome.secret,
        store: outcome.store,
        sandbox,
        notes: Vec::new(),
        hosting: Some(if outcome.hosted {
            Hosting::Hosted
        } else {
            Hosting::OnPremise
        }),
        trust,
        ca_cert: absolute_ca(ctx.global.ca_cert.as_deref()),
    };
    conclude(ctx, args, plan, Some(report), insist, replace)
}

//! `init`: build a connection from flags, environment, a stored profile, discovery and derived
//! defaults (in that order), test it, and save it. On a terminal the wizard asks for what is missing;
//! otherwise every missing value is one error. Save happens only after a passing test, unless
//! `--skip-test`.

use serde_json::json;

use crate::cli::InitArgs;
use crate::domain::preset;
use crate::domain::preset::Preset;
use crate::domain::profile::{LastTest, Profile, SecretStoreKind};
use crate::domain::report::CheckReport;
use crate::domain::secret::Secret;
use crate::domain::url::{derive_from_address, ValueError};
use crate::domain::values::{
    check_secret, validate, ConnectionSettings, Discovery, RawValues, Source, Validated,
};
use crate::error::AppError;
use crate::halo::check::{discover, run_check};
use crate::halo::HaloClient;
use crate::sandbox::Sandbox;
use crate::store::StoreError;
use crate::ui::prompter::{install_interrupt_handler, DialoguerPrompter};
use crate::ui::render;
use crate::wizard::ports::{Prompter, Services, Tester};
use crate::wizard::{self, Draft, WizardError};

use super::{
    missing_secret_error, now_rfc3339, raw_from_flags, raw_from_profile, raw_from_sandbox,
    resolve_preset, runtime, secret_from_inputs, start_sandbox, Ctx, DEFAULT_PROFILE,
    SANDBOX_PROFILE,
};

/// A connection ready to test and save.
pub struct Plan {
    pub profile: String,
    pub preset: Preset,
    pub validated: Validated,
    pub secret: Secret,
    pub secret_source: Source,
    pub store: SecretStoreKind,
    pub sandbox: Option<Sandbox>,
    pub notes: Vec<String>,
    pub ca_cert: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: InitArgs) -> Result<i32, AppError> {
    let report = args.report.clone();
    super::bundle::around(ctx, report, "init", |ctx| run_recorded(ctx, args))
}

fn run_recorded(ctx: &mut Ctx, args: InitArgs) -> Result<i32, AppError> {
    let profile = ctx.profile_name(if args.sandbox {
        SANDBOX_PROFILE
    } else {
        DEFAULT_PROFILE
    });
    crate::store::validate_profile_name(&profile)?;
    let config = ctx.config.load()?;
    let stored = config.profiles.get(&profile).cloned();
    if ctx.can_prompt(args.non_interactive) {
        return run_wizard(ctx, &args, &profile, stored.as_ref());
    }
    if let Some(existing) = &stored {
        if !args.force && !args.dry_run && !existing.sandbox {
            return Err(AppError::config(format!(
                "profile `{profile}` already exists in {}",
                ctx.config.path().display()
            ))
            .with_hint("add --force to replace it, or choose another name with --profile"));
        }
    }
    let plan = build_plan(ctx, &args, &profile, stored.as_ref())?;
    test_and_save(ctx, &args, plan)
}

/// Gathers and validates every value without prompting.
fn build_plan(
    ctx: &Ctx,
    args: &InitArgs,
    profile: &str,
    stored: Option<&Profile>,
) -> Result<Plan, AppError> {
    let preset = resolve_preset(&args.values, stored)?;
    let mut notes = Vec::new();
    let sandbox = if args.sandbox {
        Some(start_sandbox(ctx, args.scenario.as_deref())?)
    } else {
        None
    };

    let raw = gather_raw(ctx, args, sandbox.as_ref(), stored);

    let secret_input = secret_from_inputs(ctx, &args.values)?;
    let (secret, secret_source) = match secret_input {
        Some(s) => (Some(s.0), s.1),
        None => match &sandbox {
            Some(sb) => (Some(sb.client_secret().clone()), Source::Sandbox),
            None => match stored.filter(|p| !p.sandbox) {
                Some(p) => (
                    ctx.secret_store(p.secret_store).get(profile)?,
                    Source::Stored,
                ),
                None => (None, Source::Default),
            },
        },
    };

    let ca_pem = sandbox.as_ref().and_then(|s| s.ca_pem());
    let discovery = discover_if_needed(ctx, &raw, ca_pem.clone())?;
    let mut errors: Vec<ValueError> = Vec::new();
    let validated = match validate(&raw, discovery.as_ref()) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let secret = match secret {
        Some(s) => match check_secret(s) {
            Ok((s, n)) => {
                notes.extend(n.into_iter().map(|n| n.to_string()));
                Some(s)
            }
            Err(e) => {
                errors.push(e);
                None
            }
        },
        None => {
            errors.push(missing_secret_error());
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::from(errors));
    }
    let (Some(validated), Some(secret)) = (validated, secret) else {
        return Err(AppError::internal("validation passed without values"));
    };
    notes.extend(validated.notes.iter().map(|n| n.to_string()));
    if args.values.preset.is_none() && args.values.preset_file.is_none() && stored.is_none() {
        notes.push("no --preset was given, so the billing preset's permissions are tested (see `halo-connect presets`)".to_string());
    }
    if validated.sources.get(&crate::domain::url::Field::Tenant) == Some(&Source::Derived) {
        notes.push(format!(
            "the Tenant {} was derived from the address, not confirmed by Halo; compare it with API Details",
            validated.settings.tenant
        ));
    }

    let store = choose_store(ctx, args, sandbox.is_some(), stored.map(|p| p.secret_store))?;
    Ok(Plan {
        profile: profile.to_string(),
        preset,
        validated,
        secret,
        secret_source,
        store,
        sandbox,
        notes,
        ca_cert: absolute_ca(ctx),
    })
}

/// The --ca-cert path as stored: absolute, so `test` works from any directory.
fn absolute_ca(ctx: &Ctx) -> Option<String> {
    let p = ctx.global.ca_cert.as_ref()?;
    Some(
        std::path::absolute(p)
            .unwrap_or_else(|_| p.clone())
            .display()
            .to_string(),
    )
}

/// The raw values in precedence order: flag or env, then the sandbox, then the stored profile.
fn gather_raw(
    ctx: &Ctx,
    args: &InitArgs,
    sandbox: Option<&Sandbox>,
    stored: Option<&Profile>,
) -> RawValues {
    let mut raw = raw_from_flags(ctx, &args.values);
    if let Some(sb) = sandbox {
        raw = raw.or(raw_from_sandbox(sb));
    }
    if let Some(p) = stored.filter(|p| !p.sandbox) {
        raw = raw.or(stored_raw(p, &args.values));
    }
    raw
}

/// The stored values that still apply: a newly given address replaces the stored servers and
/// tenant, which it derives or discovers afresh.
fn stored_raw(p: &Profile, values: &crate::cli::ValueArgs) -> RawValues {
    let mut raw = raw_from_profile(p);
    if values.url.is_some() {
        raw.resource_server = None;
        raw.auth_server = None;
        raw.tenant = None;
    }
    raw
}

/// Calls authinfo when an address was given and the Authorization Server was not.
fn discover_if_needed(
    ctx: &Ctx,
    raw: &RawValues,
    ca_pem: Option<String>,
) -> Result<Option<Discovery>, AppError> {
    let Some(url) = &raw.url else { return Ok(None) };
    if raw.auth_server.is_some() && raw.tenant.is_some() {
        return Ok(None);
    }
    let Ok(derived) = derive_from_address(&url.value) else {
        return Ok(None);
    };
    let client = ctx.client(ca_pem, None)?;
    let rt = runtime()?;
    let base = derived.base.as_str().trim_end_matches('/').to_string();
    match rt.block_on(async { discover(&client, &base).await }) {
        Ok(d) => Ok(Some(d)),
        Err(d) => {
            if ctx.term.verbose > 0 {
                ctx.term.info(&format!(
                    "discovery failed ({d}); using the values derived from the address"
                ));
            }
            Ok(None)
        }
    }
}

/// Picks the secret store and probes the keyring, so a missing keyring is named before the test.
pub fn choose_store(
    ctx: &Ctx,
    args: &InitArgs,
    sandbox: bool,
    stored: Option<SecretStoreKind>,
) -> Result<SecretStoreKind, AppError> {
    let kind = match args.secret_store {
        Some(choice) => choice.into(),
        // The emulator knows its own secret, so a sandbox profile needs none stored.
        None if sandbox => SecretStoreKind::None,
        // A re-run keeps the profile's store, so its old secret is not left behind elsewhere.
        None => stored.unwrap_or(SecretStoreKind::Keyring),
    };
    // A dry run probes too: it must say what the real run would do.
    if kind == SecretStoreKind::Keyring {
        let store = crate::store::KeyringStore::new(ctx.keyring_service(), super::KEYRING_TIMEOUT);
        store.probe()?;
    }
    Ok(kind)
}

/// Tests the plan (unless --skip-test), prints the report, and saves when it passed.
pub fn test_and_save(ctx: &Ctx, args: &InitArgs, plan: Plan) -> Result<i32, AppError> {
    let report = if args.skip_test {
        None
    } else {
        let client = ctx.client(plan.sandbox.as_ref().and_then(|s| s.ca_pem()), None)?;
        let rt = runtime()?;
        let settings = &plan.validated.settings;
        let mut r = rt.block_on(async {
            run_check(&client, settings, &plan.secret, &plan.preset, &plan.profile).await
        });
        let mut notes = plan.notes.clone();
        notes.append(&mut r.notes);
        r.notes = notes;
        Some(r)
    };
    if !ctx.global.json {
        if let Some(r) = &report {
            ctx.term
                .info(&render::report_text(&ctx.term, r, "Save and Test"));
        }
    }
    conclude(ctx, args, plan, report, false, args.force)
}

/// Prints the outcome and saves: after a passing test, with --skip-test, or when the operator
/// chose "save anyway" (`insist`). `replace` allows overwriting an existing profile.
pub fn conclude(
    ctx: &Ctx,
    args: &InitArgs,
    plan: Plan,
    report: Option<CheckReport>,
    insist: bool,
    replace: bool,
) -> Result<i32, AppError> {
    let settings: &ConnectionSettings = &plan.validated.settings;
    let passed = report.as_ref().is_none_or(|r| r.ok) || insist;
    let exit = report.as_ref().map_or(0, |r| r.exit_code);
    if !ctx.global.json && report.is_none() {
        for n in &plan.notes {
            ctx.term.info(&format!("note: {n}"));
        }
        if args.dry_run {
            ctx.term.warn("--skip-test: the connection was not tested.");
        } else {
            ctx.term.warn("--skip-test: the connection is saved untested; run `halo-connect test` before relying on it.");
        }
    }
    let profile = to_profile(&plan, report.as_ref());
    let mut saved = false;
    let mut save_error: Option<AppError> = None;
    if args.dry_run {
        let toml = toml::to_string_pretty(&std::collections::BTreeMap::from([(
            "profiles",
            std::collections::BTreeMap::from([(plan.profile.clone(), profile.clone())]),
        )]))
        .unwrap_or_default();
        if ctx.global.json {
            // The JSON below says dry_run and saved.
        } else if passed {
            ctx.term.info(&format!(
                "\n--dry-run: nothing was written. It would add to {}:\n\n{toml}\nand keep the Client Secret in: {}",
                ctx.config.path().display(),
                store_place(ctx, plan.store)
            ));
        } else {
            ctx.term.info("\n--dry-run: nothing was written; the test failed, so a real run would save nothing either.");
        }
    } else if passed {
        crate::ui::prompter::set_saving(true);
        match save(ctx, &plan, &profile, replace || plan.sandbox.is_some()) {
            Ok(()) => saved = true,
            Err(e) => save_error = Some(e),
        }
        crate::ui::prompter::set_saving(false);
    }

    if ctx.global.json {
        let base = report.clone().unwrap_or_else(|| {
            let mut r = CheckReport::new(
                &plan.profile,
                &plan.preset.name,
                settings.resource_server.as_str(),
                settings.auth_server.as_str(),
                settings.tenant.as_option(),
            );
            r.notes = plan.notes.clone();
            r.finish();
            r
        });
        let mut v = render::report_json(
            &base,
            json!({
                "saved": saved,
                "dry_run": args.dry_run,
                "tested": report.is_some(),
                "config_path": ctx.config.path().display().to_string(),
                "secret_store": plan.store.as_str(),
                "sandbox": plan.sandbox.is_some(),
            }),
        );
        if let Some(e) = &save_error {
            v["ok"] = json!(false);
            v["exit_code"] = json!(e.exit_code());
            v["error"] = json!({ "kind": e.kind.as_str(), "message": e.message, "hint": e.hint });
        }
        ctx.term
            .out_raw(&serde_json::to_string_pretty(&v).unwrap_or_default());
        if let Some(e) = save_error {
            return Ok(e.exit_code());
        }
    } else if let Some(e) = save_error {
        return Err(e);
    } else if saved && plan.sandbox.is_some() {
        ctx.term.info(&format!(
            "Saved sandbox profile `{}` to {}. The emulator supplies its own secret, so none is stored; `halo-connect test --profile {}` starts it again to test.",
            plan.profile,
            ctx.config.path().display(),
            plan.profile
        ));
    } else if saved {
        ctx.term.info(&format!(
            "Saved profile `{}` to {}; the Client Secret is in {}.",
            plan.profile,
            ctx.config.path().display(),
            store_place(ctx, plan.store)
        ));
    } else if !passed && !args.dry_run {
        ctx.term.info(&format!(
            "Nothing was saved. Fix the cause above and run init again, or add --skip-test to save profile `{}` untested.",
            plan.profile
        ));
    }
    Ok(exit)
}

fn store_place(ctx: &Ctx, kind: SecretStoreKind) -> String {
    match kind {
        SecretStoreKind::Keyring => format!("the OS keyring (service {})", ctx.keyring_service()),
        SecretStoreKind::File => format!("{} (mode 0600)", ctx.credentials_path().display()),
        SecretStoreKind::None => {
            "no store: set HALO_CLIENT_SECRET when you use this profile".to_string()
        }
    }
}

fn to_profile(plan: &Plan, report: Option<&CheckReport>) -> Profile {
    let s = &plan.validated.settings;
    Profile {
        preset: plan.preset.name.clone(),
        resource_server: s.resource_server.as_str().to_string(),
        auth_server: s.auth_server.as_str().to_string(),
        tenant: s.tenant.as_option().map(str::to_string),
        client_id: s.client_id.clone(),
        secret_store: plan.store,
        scopes: if plan.preset.name == "custom" {
            plan.preset.scopes.clone()
        } else {
            Vec::new()
        },
        sandbox: plan.sandbox.is_some(),
        scenario: plan
            .sandbox
            .as_ref()
            .map(|sb| sb.scenario().as_str().to_string())
            .filter(|name| name != "healthy"),
        ca_cert: plan.ca_cert.clone(),
        last_test: report.map(|r| LastTest {
            ok: r.ok,
            exit_code: r.exit_code,
            at: now_rfc3339(),
        }),
    }
}

/// Writes the profile under the config lock (a concurrent writer of the same name is told), then
/// stores the secret; if the secret store fails, the profile write is undone.
fn save(ctx: &Ctx, plan: &Plan, profile: &Profile, force: bool) -> Result<(), AppError> {
    let name = plan.profile.clone();
    let previous = ctx.config.update(|cfg| {
        if let Some(existing) = cfg.profiles.get(&name) {
            // Another writer may have created it since we looked; say so rather than overwrite.
            if !force && !existing.sandbox {
                return Err(StoreError::ProfileExists { name: name.clone() });
            }
        }
        Ok(cfg.profiles.insert(name.clone(), profile.clone()))
    })?;
    if plan.store != SecretStoreKind::None {
        if let Err(e) = ctx
            .secret_store(plan.store)
            .set(&plan.profile, &plan.secret)
        {
            let _ = ctx.config.update(|cfg| {
                match previous {
                    Some(p) => cfg.profiles.insert(name.clone(), p),
                    None => cfg.profiles.remove(&name),
                };
                Ok(())
            });
            return Err(e.into());
        }
    }
    Ok(())
}

/// The wizard's view of Save and Test: a spinner on stderr while the real check runs.
struct LiveTester<'a> {
    client: HaloClient,
    rt: tokio::runtime::Runtime,
    term: &'a crate::ui::term::Term,
    profile: String,
}

impl Tester for LiveTester<'_> {
    fn test(
        &mut self,
        settings: &ConnectionSettings,
        secret: &Secret,
        preset: &Preset,
    ) -> CheckReport {
        let spinner = indicatif::ProgressBar::new_spinner();
        spinner.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        if !self.term.style.unicode {
            spinner.set_style(indicatif::ProgressStyle::default_spinner().tick_chars("-\\|/ "));
        }
        spinner.set_message(format!(
            "Testing: token from {}, then every permission at once…",
            settings.auth_server.as_str()
        ));
        spinner.enable_steady_tick(std::time::Duration::from_millis(90));
        let client = &self.client;
        let profile = self.profile.clone();
        let report = self
            .rt
            .block_on(async { run_check(client, settings, secret, preset, &profile).await });
        spinner.finish_and_clear();
        report
    }
}

/// Discovery and the keyring probe for the wizard.
struct LiveServices<'a> {
    client: HaloClient,
    rt: tokio::runtime::Runtime,
    ctx: &'a Ctx,
}

impl Services for LiveServices<'_> {
    fn discover(&mut self, base: &str) -> Option<Discovery> {
        let client = &self.client;
        self.rt
            .block_on(async { discover(client, base).await })
            .ok()
    }
    fn keyring(&mut self) -> Result<(), String> {
        use crate::store::StoreError;
        crate::store::KeyringStore::new(self.ctx.keyring_service(), super::KEYRING_TIMEOUT)
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

fn run_wizard(
    ctx: &Ctx,
    args: &InitArgs,
    profile: &str,
    stored: Option<&Profile>,
) -> Result<i32, AppError> {
    install_interrupt_handler();
    let mut prompter = DialoguerPrompter::new(ctx.term.clone());
    let stored = stored.filter(|p| !p.sandbox || args.sandbox);
    let mut replace = args.force;
    if let Some(existing) = stored {
        if !args.force && !existing.sandbox {
            replace = prompter
                .confirm(&format!("Profile `{profile}` exists. Offer its values as defaults and replace it after a passing test?"), true)
                .map_err(|_| AppError::interrupted())?;
            if !replace {
                ctx.term.info("Nothing was changed.");
                return Ok(0);
            }
        }
    }
    let sandbox = if args.sandbox {
        Some(start_sandbox(ctx, args.scenario.as_deref())?)
    } else {
        None
    };
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
    let raw = gather_raw(ctx, args, sandbox.as_ref(), stored);
    let address = args
        .values
        .url
        .clone()
        .or_else(|| sandbox.as_ref().map(|s| s.base_url()))
        .or_else(|| {
            raw.resource_server.as_ref().map(|r| {
                r.value
                    .trim_end_matches('/')
                    .trim_end_matches("/api")
                    .to_string()
            })
        });
    let stored_secret = stored
        .filter(|p| !p.sandbox)
        .and_then(|p| ctx.secret_store(p.secret_store).get(profile).ok().flatten());
    let draft = Draft {
        preset,
        default_preset: stored.map(|p| p.preset.clone()).or(Some("billing".into())),
        raw,
        address,
        secret: secret_from_inputs(ctx, &args.values)?.map(|s| s.0),
        stored_secret,
        sandbox_secret: sandbox.as_ref().map(|s| s.client_secret().clone()),
        store: args
            .secret_store
            .map(SecretStoreKind::from)
            .or(stored.filter(|p| !p.sandbox).map(|p| p.secret_store)),
        sandbox: sandbox.is_some(),
    };
    let ca = sandbox.as_ref().and_then(|s| s.ca_pem());
    let mut services = LiveServices {
        client: ctx.client(ca.clone(), None)?,
        rt: runtime()?,
        ctx,
    };
    let mut tester = LiveTester {
        client: ctx.client(ca, None)?,
        rt: runtime()?,
        term: &ctx.term,
        profile: profile.to_string(),
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
    let insist = !outcome.report.ok;
    let plan = Plan {
        profile: profile.to_string(),
        preset: outcome.preset,
        validated: outcome.validated,
        secret: outcome.secret,
        secret_source: Source::Prompt,
        store: outcome.store,
        sandbox,
        notes: Vec::new(),
        ca_cert: absolute_ca(ctx),
    };
    conclude(ctx, args, plan, Some(outcome.report), insist, replace)
}

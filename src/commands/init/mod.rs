//! `init`: build a connection from flags, environment, a stored profile, discovery and derived
//! defaults (in that order), test it, and save it. On a terminal the wizard asks for what is missing;
//! otherwise every missing value is one error. Save happens only after a passing test, unless
//! `--skip-test`.

mod outcome;
mod terminal;

use outcome::conclude;
use terminal::run_wizard;

use clap::parser::ValueSource;

use crate::cli::InitArgs;
use crate::domain::field::Field;
use crate::domain::preset::Preset;
use crate::domain::profile::{Hosting, Profile, SecretStoreKind};
use crate::domain::report::Subject;
use crate::domain::secret::Secret;
use crate::domain::values::{Source, Validated};
use crate::error::AppError;
use crate::halo::check::run_check;
use crate::sandbox::Sandbox;

use super::connection::{absolute_ca, resolve, Origin};
use super::session::Trust;
use super::{fallback_profile, DEFAULT_PROFILE};
use super::{resolve_preset, scenario_for, start_sandbox, Ctx};

/// A connection ready to test and save.
pub struct Plan {
    pub profile: String,
    pub preset: Preset,
    pub validated: Validated,
    pub secret: Secret,
    pub store: SecretStoreKind,
    pub sandbox: Option<Sandbox>,
    pub notes: Vec<String>,
    /// Hosted by Halo or on-premise: as answered in the wizard, else as the Tenant shows.
    pub hosting: Option<Hosting>,
    /// What the client trusts for this connection (`--ca-cert`, the sandbox's CA).
    pub trust: Trust,
    /// The `--ca-cert` path to store in the profile.
    pub ca_cert: Option<String>,
}

pub fn run(ctx: &mut Ctx, mut args: InitArgs) -> Result<i32, AppError> {
    // `--for NAME`: the preset whose form that integration is, or `custom` with exactly what its
    // application must have ticked, so the checklists and the test match what it requests.
    if let Some(name) = args.for_integration.clone() {
        let integration = super::integration_named(&name)?;
        if args.values.preset.is_none() && args.values.preset_file.is_none() {
            let (preset, scopes) = crate::domain::integration::preset_for(integration);
            args.values.preset = Some(preset);
            args.values.scopes = scopes;
        }
    }
    // The emulator is the address; a typed one would be silently replaced (HALO_URL is left to
    // scripts that set it for other runs).
    if args.sandbox && ctx.matches.value_source("url") == Some(ValueSource::CommandLine) {
        return Err(AppError::usage(
            "--sandbox and --url cannot be used together: --sandbox tests the built-in emulator at its own address",
        )
        .with_hint("leave out --url to try the emulator, or --sandbox to test your Halo"));
    }
    let report = args.report.clone();
    super::bundle::around(ctx, report, "init", |ctx| run_recorded(ctx, args))
}

fn run_recorded(ctx: &mut Ctx, args: InitArgs) -> Result<i32, AppError> {
    let mut profile = ctx.profile_name(fallback_profile(false, args.sandbox));
    crate::store::validate_profile_name(&profile)?;
    let config = ctx.config.load()?;
    // The tour's profile may be the default; a real setup named by no one does not replace it.
    if !args.sandbox
        && !ctx.profile_given()
        && config.profiles.get(&profile).is_some_and(|p| p.sandbox)
    {
        profile = DEFAULT_PROFILE.to_string();
    }
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
            .with_hint(format!("to replace it, run the same command with `--profile {profile} --force`; to keep it, save under another name with `--profile NAME`")));
        }
    }
    let plan = build_plan(ctx, &args, &profile, stored.as_ref())?;
    refuse_unusable(&args, &plan)?;
    test_and_save(ctx, &args, plan)
}

/// `--for NAME`: values that integration cannot use are exit 5, in its words, before any request.
fn refuse_unusable(args: &InitArgs, plan: &Plan) -> Result<(), AppError> {
    let Some(i) = args
        .for_integration
        .as_deref()
        .and_then(crate::domain::integration::find)
    else {
        return Ok(());
    };
    let settings = &plan.validated.settings;
    let hosting = crate::domain::integration::hosting_of(settings);
    match crate::domain::integration::cannot_use(i, settings, hosting) {
        None => Ok(()),
        Some(u) => {
            let d = crate::domain::catalogue::INTEGRATION_CANNOT_USE
                .diagnose(u.message, &[("fix", &u.fix), ("integration", &i.name)]);
            Err(AppError::new(d.kind(), d.message.clone()).with_hint(d.hint))
        }
    }
}

/// Gathers and validates every value without prompting.
fn build_plan(
    ctx: &Ctx,
    args: &InitArgs,
    profile: &str,
    stored: Option<&Profile>,
) -> Result<Plan, AppError> {
    let preset = resolve_preset(&args.values, stored)?;
    let sandbox = init_sandbox(ctx, args)?;
    let origin = Origin::Init {
        values: &args.values,
        stored,
        sandbox: sandbox.as_ref(),
    };
    let conn = resolve(ctx, profile, origin, preset, stored.is_some())?;
    let mut notes = conn.notes;
    if args.values.preset.is_none() && args.values.preset_file.is_none() && stored.is_none() {
        notes.push("no --preset was given, so the billing preset's permissions are tested (see `halo-connect presets`)".to_string());
    }
    if conn.validated.sources.get(&Field::Tenant) == Some(&Source::Derived) {
        notes.push(format!(
            "the Tenant {} was derived from the address, not confirmed by Halo; compare it with API Details",
            conn.validated.settings.tenant
        ));
    }
    let store = choose_store(ctx, args, sandbox.is_some(), stored.map(|p| p.secret_store))?;
    // Without the question, the Tenant tells: on-premise Halo has none.
    let hosting = Some(match conn.validated.settings.tenant {
        crate::domain::url::Tenant::NotSet => Hosting::OnPremise,
        crate::domain::url::Tenant::Named(_) => Hosting::Hosted,
    });
    Ok(Plan {
        profile: profile.to_string(),
        preset: conn.preset,
        validated: conn.validated,
        secret: conn.secret,
        trust: conn.trust,
        store,
        sandbox,
        notes,
        hosting,
        ca_cert: absolute_ca(ctx.global.ca_cert.as_deref()),
    })
}

/// The emulator `init --sandbox` tests, asked or not: the scenario named, else the healthy one.
pub fn init_sandbox(ctx: &Ctx, args: &InitArgs) -> Result<Option<Sandbox>, AppError> {
    if !args.sandbox {
        return Ok(None);
    }
    let scenario = scenario_for(args.scenario.as_deref(), None)?;
    Ok(Some(start_sandbox(ctx, scenario)?))
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
        let session = ctx.session()?;
        let client = session.client(&plan.trust)?;
        let settings = &plan.validated.settings;
        let subject = Subject {
            profile: plan.profile.clone(),
            notes: plan.notes.clone(),
            last_passed: None,
        };
        Some(session.block_on(run_check(
            &client,
            settings,
            &plan.secret,
            &plan.preset,
            subject,
        )))
    };
    if let Some(r) = &report {
        super::output::report(ctx, r, "Save and Test");
    }
    conclude(ctx, args, plan, report, false, args.force)
}

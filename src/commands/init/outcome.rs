//! The end of `init`: the outcome printed (or its JSON), and the profile saved: the profile under
//! the config lock, then its secret, undone together if the secret store fails.

use crate::cli::InitArgs;
use crate::commands::handoff;
use crate::commands::{now_rfc3339, Ctx};
use crate::domain::profile::{LastTest, Profile, SecretStoreKind};
use crate::domain::report::{CheckReport, ReportBuilder, Subject};
use crate::domain::values::ConnectionSettings;
use crate::error::AppError;
use crate::ui::handoff::card_text;
use crate::ui::json::{self, HandoffCard, InitFacts, InitOutput};

use super::Plan;

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
    let passed = report.as_ref().is_none_or(|r| r.ok()) || insist;
    let exit = report.as_ref().map_or(0, |r| r.exit_code());
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
            ctx.term.out(&format!(
                "\n--dry-run: nothing was written. It would add to {}:\n\n{toml}\nand the Client Secret would be in {}.",
                ctx.config.path().display(),
                secret_place(ctx, &plan)
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
    // After a passing Save and Test: what to type into the integration's form.
    let card = (report.as_ref().is_some_and(|r| r.ok()) && (saved || args.dry_run)).then(|| {
        handoff::after_init(
            ctx,
            &plan.profile,
            &profile,
            settings,
            plan.preset.handoff,
            &plan.secret,
        )
    });

    if ctx.global.json {
        // Without a test (--skip-test): a report with no rows, only the notes on the values.
        let tested = report.clone().unwrap_or_else(|| {
            let subject = Subject {
                profile: plan.profile.clone(),
                notes: plan.notes.clone(),
                last_passed: None,
            };
            ReportBuilder::new(
                subject,
                &plan.preset.name,
                settings.resource_server.as_str(),
                settings.auth_server.as_str(),
                settings.tenant.as_option(),
            )
            .finish(0)
        });
        // A save that failed decides: nothing was stored.
        let base = match &save_error {
            Some(e) => tested.unsaved(e.failure()),
            None => tested,
        };
        let facts = InitFacts {
            saved,
            dry_run: args.dry_run,
            tested: report.is_some(),
            config_path: ctx.config.path().display().to_string(),
            secret_store: plan.store.as_str(),
            sandbox: plan.sandbox.is_some(),
            handoff: card.as_ref().map(HandoffCard::new),
        };
        ctx.term
            .out_raw(&json::to_string(&InitOutput::new(&base, facts)));
        if let Some(e) = save_error {
            return Ok(e.exit_code());
        }
    } else if let Some(e) = save_error {
        return Err(e);
    } else if saved && plan.sandbox.is_some() {
        ctx.term.info(&format!(
            "Saved sandbox profile `{}` to {}; the Client Secret is in {}. `halo-connect test --profile {}` starts the emulator again to test.",
            plan.profile,
            ctx.config.path().display(),
            secret_place(ctx, &plan),
            plan.profile
        ));
    } else if saved {
        ctx.term.info(&format!(
            "Saved profile `{}` to {}; the Client Secret is in {}.",
            plan.profile,
            ctx.config.path().display(),
            secret_place(ctx, &plan)
        ));
    } else if !passed && !args.dry_run {
        ctx.term.info(&format!(
            "Nothing was saved. Fix the cause above and run init again, or add --skip-test to save profile `{}` untested.",
            plan.profile
        ));
    }
    // -q prints nothing but failures: the card is for a person reading along.
    if let Some(card) = card
        .as_ref()
        .filter(|_| !ctx.global.json && !ctx.term.quiet)
    {
        ctx.term.out("");
        // `--for NAME`: that integration's form alone, in its order and words.
        match args
            .for_integration
            .as_deref()
            .and_then(crate::domain::integration::find)
        {
            Some(i) => {
                let hosting = crate::domain::integration::hosting_of(settings);
                let masked = plan.secret.masked();
                let filled = crate::domain::integration::form(i, settings, hosting, Some(&masked));
                ctx.term.out(&crate::ui::replay::form_text(
                    &ctx.term,
                    &plan.profile,
                    &filled,
                    &card.warnings,
                ));
            }
            None => ctx.term.out(&card_text(&ctx.term, card)),
        }
    }
    Ok(exit)
}

/// Where the plan's secret is kept, said the same way by the dry run and the real run.
fn secret_place(ctx: &Ctx, plan: &Plan) -> String {
    if plan.sandbox.is_some() && plan.store == SecretStoreKind::None {
        return "no store: the emulator supplies its own".to_string();
    }
    store_place(ctx, plan.store)
}

pub(super) fn store_place(ctx: &Ctx, kind: SecretStoreKind) -> String {
    match kind {
        SecretStoreKind::Keyring => format!("the OS keyring (service {})", ctx.keyring_service()),
        SecretStoreKind::File => format!("{} (mode 0600)", ctx.credentials_path().display()),
        SecretStoreKind::None => {
            format!(
                "no store: set {} when you use this profile",
                crate::domain::field::env::CLIENT_SECRET
            )
        }
    }
}

pub(super) fn to_profile(plan: &Plan, report: Option<&CheckReport>) -> Profile {
    let s = &plan.validated.settings;
    Profile {
        preset: plan.preset.name.clone(),
        resource_server: s.resource_server.as_str().to_string(),
        auth_server: s.auth_server.as_str().to_string(),
        tenant: s.tenant.as_option().map(str::to_string),
        client_id: s.client_id.clone(),
        hosting: plan.hosting,
        secret_store: plan.store,
        scopes: if plan.preset.name == crate::domain::preset::CUSTOM {
            plan.preset.scopes.clone()
        } else {
            Vec::new()
        },
        sandbox: plan.sandbox.is_some(),
        scenario: plan
            .sandbox
            .as_ref()
            .map(|sb| sb.scenario())
            .filter(|s| *s != crate::sandbox::Scenario::default())
            .map(|s| s.as_str().to_string()),
        ca_cert: plan.ca_cert.clone(),
        last_test: report.map(|r| LastTest {
            ok: r.ok(),
            exit_code: r.exit_code(),
            at: now_rfc3339(),
        }),
    }
}

/// Writes the profile under the config lock (a concurrent writer of the same name is told), then
/// stores the secret; if the secret store fails, the profile write is undone.
pub(super) fn save(ctx: &Ctx, plan: &Plan, profile: &Profile, force: bool) -> Result<(), AppError> {
    let name = plan.profile.clone();
    let mut became_default = false;
    let mut old_default = None;
    let previous = ctx.config.update(|cfg| {
        // Another writer may have created it since we looked: it is refused rather than
        // overwritten, unless forced or a sandbox profile.
        let replace = force || cfg.profiles.get(&name).is_some_and(|p| p.sandbox);
        // The first profile becomes the default, so bare commands act on it; so does the first
        // real one after the sandbox tour.
        let chosen = cfg
            .default_profile
            .as_ref()
            .and_then(|d| cfg.profiles.get(d).map(|p| p.sandbox));
        let unset = cfg.default_profile.is_none()
            && !cfg.profiles.contains_key(super::super::DEFAULT_PROFILE);
        let dangling = cfg.default_profile.is_some() && chosen.is_none();
        let previous = cfg.insert_profile(&name, profile.clone(), replace)?;
        became_default = (unset && name != super::super::DEFAULT_PROFILE)
            || (chosen == Some(true) && !profile.sandbox)
            || dangling;
        if became_default {
            old_default = cfg.default_profile.replace(name.clone());
        }
        Ok(previous)
    })?;
    if plan.store != SecretStoreKind::None {
        if let Err(e) =
            ctx.store_secret(plan.store, &plan.profile, &plan.secret, &profile.binding())
        {
            let _ = ctx.config.update(|cfg| {
                if became_default {
                    cfg.default_profile = old_default.clone();
                }
                match previous {
                    Some(p) => cfg.profiles.insert(name.clone(), p),
                    None => cfg.profiles.remove(&name),
                };
                Ok(())
            });
            return Err(e);
        }
    }
    if became_default {
        ctx.term.info(&format!(
            "Profile `{name}` is the default now: commands act on it when no profile is named (`halo-connect use NAME` changes that)."
        ));
    }
    // A profile moved to another store leaves nothing behind in the old one.
    if let Some(old) = previous.filter(|p| p.secret_store != plan.store && !p.sandbox) {
        match ctx.secret_store(old.secret_store).delete(&name) {
            Ok(true) => ctx.term.info(&format!(
                "Deleted profile `{name}`'s old Client Secret from the {} store.",
                old.secret_store
            )),
            Ok(false) => {}
            Err(e) => ctx.term.warn(&format!(
                "the old Client Secret of profile `{name}` is still in the {} store: {e}",
                old.secret_store
            )),
        }
    }
    Ok(())
}

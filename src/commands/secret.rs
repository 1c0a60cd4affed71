//! `secret set [PROFILE]`: rotate a profile's Client Secret without the wizard. The new secret is
//! read hidden on a terminal or from stdin, tested with the profile's stored values, and stored
//! in place of the old one only when the test passes; a failed test leaves the old one as it was.

use crate::cli::{SecretAction, SecretArgs, ValueArgs};
use crate::domain::profile::SecretStoreKind;
use crate::domain::report::Subject;
use crate::domain::secret::Secret;
use crate::error::AppError;
use crate::halo::check::run_check;
use crate::ui::json::{self, ReportOutput};
use crate::wizard::ports::{PromptError, Prompter};

use super::connection::{resolve, Origin};
use super::stored_preset;
use super::{Ctx, DEFAULT_PROFILE};

pub fn run(ctx: &mut Ctx, args: SecretArgs) -> Result<i32, AppError> {
    let SecretAction::Set(set) = args.action;
    ctx.name_profile(set.profile.name.as_deref())?;
    let name = ctx.profile_name(DEFAULT_PROFILE);
    let config = ctx.config.load()?;
    let profile = config.get(&name)?.clone();
    if profile.sandbox {
        return Err(AppError::config(format!(
            "profile `{name}` is a sandbox profile: the emulator supplies its own secret, so there is none to replace"
        )));
    }
    if profile.secret_store == SecretStoreKind::None {
        let var = crate::domain::field::env::CLIENT_SECRET;
        return Err(AppError::config(format!(
            "profile `{name}` stores no secret (secret store: none); {var} is read each time it is used"
        ))
        .with_hint(format!(
            "change {var} where it is set, or store one with `halo-connect init --profile {name} --secret-store file --force`"
        )));
    }
    let secret = read_new_secret(ctx, &name)?;
    let preset = stored_preset(&profile)?;
    let origin = Origin::Rotate {
        profile: &profile,
        secret: &secret,
    };
    let conn = resolve(ctx, &name, origin, preset, true)?;
    let session = ctx.session()?;
    let client = session.client(&conn.trust)?;
    let subject = Subject {
        profile: name.clone(),
        notes: conn.notes.clone(),
        last_passed: None,
    };
    let report = session.block_on(run_check(
        &client,
        &conn.validated.settings,
        &conn.secret,
        &conn.preset,
        subject,
    ));
    if ctx.global.json {
        ctx.term
            .out_raw(&json::to_string(&ReportOutput::new(&report)));
    } else {
        super::output::report(ctx, &report, "Test of the new secret");
    }
    if !report.ok() {
        ctx.term.info(&format!(
            "The new Client Secret was not stored: profile `{name}` keeps its old one."
        ));
        return Ok(report.exit_code());
    }
    ctx.store_secret(
        profile.secret_store,
        &name,
        &conn.secret,
        &profile.binding(),
    )?;
    super::test::record(ctx, &[&report]);
    ctx.term.info(&format!(
        "Stored the new Client Secret for profile `{name}` in the {} store, in place of the old one.",
        profile.secret_store
    ));
    Ok(0)
}

/// The new secret: a hidden prompt on a terminal, else the first line of stdin.
fn read_new_secret(ctx: &Ctx, name: &str) -> Result<Secret, AppError> {
    if !ctx.term.stdin_tty {
        let from_stdin = ValueArgs {
            client_secret_stdin: true,
            ..ValueArgs::default()
        };
        return super::secret_from_inputs(ctx, &from_stdin)?
            .map(|(s, _)| s)
            .ok_or_else(|| AppError::internal("stdin gave no secret"));
    }
    if !ctx.can_prompt(false) {
        return Err(AppError::usage(
            "the new Client Secret is asked for hidden on a terminal, but prompting is off here (--json, CI or --non-interactive)",
        )
        .with_hint(format!(
            "pipe it in: printf '%s' \"$SECRET\" | halo-connect secret set {name}"
        )));
    }
    crate::ui::prompter::install_interrupt_handler();
    let mut prompter = crate::ui::prompter::DialoguerPrompter::new(ctx.term.clone());
    prompter
        .secret(&format!(
            "New Client Secret for profile `{name}` (hidden; from the application in Configuration > Integrations > HaloPSA API > View Applications)"
        ))
        .map_err(|e| match e {
            PromptError::Interrupted => AppError::interrupted(),
            PromptError::Io(why) => {
                AppError::config(format!("cannot read the new secret from the terminal: {why}"))
            }
        })
}

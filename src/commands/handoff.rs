//! `handoff`: what to type into the integration's form, from a stored profile (and the same card
//! at the end of `init`): each value with the labels forms use, in every shape they ask for, the
//! Client Secret only masked, with where it is kept. It reads the profile and its secret store; it
//! never tests and changes nothing.

use crate::cli::HandoffArgs;
use crate::domain::catalogue;
use crate::domain::field::{env, Channel};
use crate::domain::handoff::{Asks, Handoff, Item, SecretView};
use crate::domain::integration::{cannot_use, form, hosting_of, Integration};
use crate::domain::preset;
use crate::domain::profile::{Profile, SecretStoreKind};
use crate::domain::secret::Secret;
use crate::domain::values::{validate, ConnectionSettings};
use crate::error::AppError;
use crate::ui::handoff::card_text;
use crate::ui::json::{self, FormHandoffOutput, HandoffOutput};
use crate::ui::replay::form_text;

use super::connection::raw_from_profile;
use super::{Ctx, DEFAULT_PROFILE};

pub fn run(ctx: &Ctx, args: HandoffArgs) -> Result<i32, AppError> {
    let integration = args
        .for_integration
        .as_deref()
        .map(super::integration_named)
        .transpose()?;
    let name = ctx.profile_name(DEFAULT_PROFILE);
    let config = ctx.config.load()?;
    let profile = config.get(&name)?;
    let settings = stored_settings(ctx, &name, profile)?;
    let asks = preset::find(&profile.preset)
        .map(|p| p.handoff)
        .unwrap_or_default();
    let card = Handoff::new(
        &name,
        profile,
        &settings,
        asks,
        stored_secret_view(ctx, &name, profile),
    );
    if let Some(i) = integration {
        let hosting = profile.hosting.unwrap_or_else(|| hosting_of(&settings));
        return for_integration(ctx, &name, i, &settings, hosting, &card);
    }
    if ctx.global.json {
        ctx.term
            .out_raw(&json::to_string(&HandoffOutput::new(&card)));
    } else {
        ctx.term.out(&card_text(&ctx.term, &card));
    }
    Ok(0)
}

/// `handoff --for NAME`: that form alone, one value per field; values it cannot use are exit 5,
/// said in its words (nothing is sent anywhere).
fn for_integration(
    ctx: &Ctx,
    name: &str,
    i: &'static Integration,
    settings: &ConnectionSettings,
    hosting: crate::domain::profile::Hosting,
    card: &Handoff,
) -> Result<i32, AppError> {
    if let Some(u) = cannot_use(i, settings, hosting) {
        let d = catalogue::INTEGRATION_CANNOT_USE
            .diagnose(u.message, &[("fix", &u.fix), ("integration", &i.name)]);
        return Err(
            AppError::new(d.kind(), format!("profile `{name}`: {}", d.message)).with_hint(d.hint),
        );
    }
    let masked = card
        .rows
        .iter()
        .find(|r| r.item == Item::ClientSecret)
        .and_then(|r| r.forms.first())
        .map(|f| f.value.clone());
    let filled = form(i, settings, hosting, masked.as_deref());
    if ctx.global.json {
        ctx.term.out_raw(&json::to_string(&FormHandoffOutput::new(
            name,
            &filled,
            &card.warnings,
        )));
    } else {
        ctx.term
            .out(&form_text(&ctx.term, name, &filled, &card.warnings));
    }
    Ok(0)
}

/// The stored values, validated as `test` would; a value edited into something that cannot work
/// is refused here rather than handed on.
fn stored_settings(
    ctx: &Ctx,
    name: &str,
    profile: &Profile,
) -> Result<ConnectionSettings, AppError> {
    validate(&raw_from_profile(profile), None)
        .map(|v| v.settings)
        .map_err(|errors| {
            let mut e = AppError::from_values(errors, Channel::Flags);
            e.message = format!("profile `{name}`: {}", e.message);
            e.with_hint(format!(
                "fix the value in {}, or run `halo-connect init --profile {name} --force` to enter it again",
                ctx.config.path().display()
            ))
        })
}

/// Where a profile's Client Secret is kept, in words.
pub(super) fn secret_place(ctx: &Ctx, profile: &Profile) -> String {
    match profile.secret_store {
        SecretStoreKind::Keyring => format!("the OS keyring (service {})", ctx.keyring_service()),
        SecretStoreKind::File => format!("{} (mode 0600)", ctx.credentials_path().display()),
        SecretStoreKind::None if profile.sandbox => {
            "the sandbox (it supplies its own secret)".to_string()
        }
        SecretStoreKind::None => format!(
            "no store: {} supplies it where the profile is used",
            env::CLIENT_SECRET
        ),
    }
}

/// The secret of a stored profile, masked; a secret that cannot be read is said, not fatal.
fn stored_secret_view(ctx: &Ctx, name: &str, profile: &Profile) -> SecretView {
    let stored_in = secret_place(ctx, profile);
    let read = super::connection::profile_secret(ctx, name, profile);
    let problem = match &read {
        Ok(None) if profile.secret_store != SecretStoreKind::None => Some(format!(
            "No Client Secret is stored for profile `{name}` in {stored_in}; the integration needs it all the same. Store it with `halo-connect init --profile {name} --force`."
        )),
        Err(e) => Some(format!("The Client Secret of profile `{name}` could not be read: {}.", e.message)),
        _ => None,
    };
    SecretView {
        masked: read.ok().flatten().map(|s| s.masked()),
        stored_in,
        problem,
    }
}

/// The card for `init`'s end: the values just tested, the secret just given.
pub fn after_init(
    ctx: &Ctx,
    name: &str,
    profile: &Profile,
    settings: &ConnectionSettings,
    asks: Asks,
    secret: &Secret,
) -> Handoff {
    let view = SecretView {
        masked: Some(secret.masked()),
        stored_in: secret_place(ctx, profile),
        problem: None,
    };
    Handoff::new(name, profile, settings, asks, view)
}

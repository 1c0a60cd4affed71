//! `remove`: delete a profile and its stored secret. It asks on a terminal; scripts pass `--yes`.

use crate::cli::RemoveArgs;
use crate::domain::profile::SecretStoreKind;
use crate::error::AppError;
use crate::ui::json::{self, RemoveOutput};
use crate::wizard::ports::Prompter;

use super::{Ctx, DEFAULT_PROFILE};

pub fn run(ctx: &Ctx, args: RemoveArgs) -> Result<i32, AppError> {
    let name = ctx.profile_name(DEFAULT_PROFILE);
    let config = ctx.config.load()?;
    let profile = config.get(&name)?.clone();
    if !args.yes {
        if !ctx.can_prompt(false) {
            return Err(AppError::usage(format!("removing profile `{name}` needs confirmation; add --yes to remove it without asking")));
        }
        let mut prompter = crate::ui::prompter::DialoguerPrompter::new(ctx.term.clone());
        let question = if profile.secret_store == SecretStoreKind::None || profile.sandbox {
            format!("Remove profile `{name}`? It stores no Client Secret.")
        } else {
            format!(
                "Remove profile `{name}` and its Client Secret from the {} store?",
                profile.secret_store
            )
        };
        let ok = prompter
            .confirm(&question, false)
            .map_err(|_| AppError::interrupted())?;
        if !ok {
            ctx.term.info("Nothing was removed.");
            return Ok(0);
        }
    }
    ctx.config.update(|cfg| {
        cfg.remove(&name)?;
        // A default that no longer exists would send every command to an unknown profile.
        if cfg.default_profile.as_deref() == Some(name.as_str()) {
            cfg.default_profile = None;
        }
        Ok(())
    })?;
    // Every store the profile could have used: its own, and the credentials file (cheap to
    // check, and where a killed save may have left a temp file holding the secret).
    let mut stores = vec![profile.secret_store];
    if profile.secret_store != SecretStoreKind::File {
        stores.push(SecretStoreKind::File);
    }
    let mut removed_from = Vec::new();
    let mut kept = false;
    for kind in stores.into_iter().filter(|k| *k != SecretStoreKind::None) {
        match ctx.secret_store(kind).delete(&name) {
            Ok(true) => removed_from.push(kind.to_string()),
            Ok(false) => {}
            Err(e) => {
                kept = true;
                ctx.term.warn(&format!(
                    "the profile was removed, but not its secret from the {kind} store: {e}"
                ));
            }
        }
    }
    let secret_note = match (removed_from.is_empty(), kept) {
        (false, _) => format!(
            "and its secret from the {} store",
            removed_from.join(" and ")
        ),
        (true, true) => "but not its secret".to_string(),
        (true, false) => "(no stored secret)".to_string(),
    };
    if ctx.global.json {
        ctx.term.out_raw(&json::to_line(&RemoveOutput {
            profile: &name,
            removed: true,
        }));
    } else {
        ctx.term
            .info(&format!("Removed profile `{name}` {secret_note}."));
    }
    Ok(0)
}

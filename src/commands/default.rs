//! `use [PROFILE]`: which profile commands act on when none is named, kept as `default_profile` in
//! the config file. A name given by position, `--profile` or `HALO_PROFILE` still wins.

use crate::cli::UseArgs;
use crate::domain::field::env;
use crate::error::AppError;
use crate::ui::json::{self, UseOutput};

use super::{Ctx, DEFAULT_PROFILE};

pub fn run(ctx: &Ctx, args: UseArgs) -> Result<i32, AppError> {
    let Some(name) = args.name else {
        let config = ctx.config.load()?;
        let current = config.default_profile.as_deref().unwrap_or(DEFAULT_PROFILE);
        if ctx.global.json {
            ctx.term.out_raw(&json::to_line(&UseOutput {
                default_profile: current,
            }));
        } else {
            ctx.term.out(current);
        }
        return Ok(0);
    };
    crate::store::validate_profile_name(&name)?;
    ctx.config.update(|cfg| {
        cfg.get(&name)?;
        cfg.default_profile = Some(name.clone());
        Ok(())
    })?;
    if ctx.global.json {
        ctx.term.out_raw(&json::to_line(&UseOutput {
            default_profile: &name,
        }));
    } else {
        ctx.term.info(&format!(
            "Commands now act on profile `{name}` when none is named; `--profile NAME` picks another for one command."
        ));
    }
    if let Some(v) = ctx.env.get(env::PROFILE).filter(|v| *v != name) {
        ctx.term.warn(&format!(
            "{} is set to `{v}` here, and it wins over the default; unset it to use `{name}`.",
            env::PROFILE
        ));
    }
    Ok(0)
}

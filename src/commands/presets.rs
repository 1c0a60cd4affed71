//! `presets`: list the embedded presets with who uses each, or show one's settings and scopes.

use crate::cli::{PresetsAction, PresetsArgs};
use crate::domain::preset;
use crate::error::AppError;
use crate::ui::json::{self, PresetLine, PresetOutput};
use crate::ui::render;

use super::Ctx;

pub fn run(ctx: &Ctx, args: PresetsArgs) -> Result<i32, AppError> {
    match args.action {
        None => {
            if ctx.global.json {
                let rows: Vec<PresetLine> = preset::all().iter().map(PresetLine::new).collect();
                ctx.term.out_raw(&json::to_string(&rows));
            } else {
                let lines: Vec<String> = preset::all()
                    .iter()
                    .map(|p| format!("{:<20} {}", p.name, p.summary))
                    .collect();
                ctx.term.out(&lines.join("\n"));
            }
        }
        Some(PresetsAction::Show { name }) => {
            let p = preset::lookup(&name)?;
            if ctx.global.json {
                ctx.term
                    .out_raw(&json::to_string(&PresetOutput { preset: p }));
            } else {
                ctx.term.out(&render::checklist_text(p));
            }
        }
    }
    Ok(0)
}

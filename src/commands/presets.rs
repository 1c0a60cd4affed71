//! `presets`: list the embedded presets with who uses each, or show one's settings and scopes.

use crate::cli::{PresetsAction, PresetsArgs};
use crate::domain::preset;
use crate::error::AppError;
use crate::ui::render;

use super::Ctx;

pub fn run(ctx: &Ctx, args: PresetsArgs) -> Result<i32, AppError> {
    match args.action {
        None => {
            if ctx.global.json {
                let rows: Vec<serde_json::Value> = preset::all()
                    .iter()
                    .map(|p| serde_json::json!({ "name": p.name, "title": p.title, "summary": p.summary, "scopes": p.scopes }))
                    .collect();
                ctx.term
                    .out_raw(&serde_json::to_string_pretty(&rows).unwrap_or_default());
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
                    .out_raw(&serde_json::to_string_pretty(p).unwrap_or_default());
            } else {
                ctx.term.out(&render::checklist_text(p));
            }
        }
    }
    Ok(0)
}

//! `checklist`: a preset's setup steps as text, Markdown (to hand to the Halo administrator) or JSON.

use crate::cli::{ChecklistArgs, ChecklistFormat};
use crate::domain::preset;
use crate::error::AppError;
use crate::ui::render;

use super::Ctx;

pub fn run(ctx: &Ctx, args: ChecklistArgs) -> Result<i32, AppError> {
    let p = preset::lookup(&args.preset)?;
    let format = if ctx.global.json {
        ChecklistFormat::Json
    } else {
        args.format
    };
    let text = match format {
        ChecklistFormat::Text => render::checklist_text(p),
        ChecklistFormat::Markdown => render::checklist_markdown(p),
        ChecklistFormat::Json => serde_json::to_string_pretty(p).unwrap_or_default(),
    };
    ctx.term.out_raw(&text);
    Ok(0)
}

//! `checklist`: a preset's setup steps as text, Markdown (to hand to the Halo administrator) or JSON.
//! With a named profile (--profile or HALO_PROFILE), the Application steps name Halo's page for
//! them at that profile's address.

use crate::cli::{ChecklistArgs, ChecklistFormat};
use crate::domain::handoff::applications_page;
use crate::domain::preset;
use crate::error::AppError;
use crate::ui::json;
use crate::ui::render;

use super::Ctx;

pub fn run(ctx: &Ctx, args: ChecklistArgs) -> Result<i32, AppError> {
    let p = preset::lookup(&args.preset)?;
    let format = if ctx.global.json {
        ChecklistFormat::Json
    } else {
        args.format
    };
    // The checklist works without any config: an unreadable one only loses the link.
    let page = ctx
        .global
        .profile
        .as_ref()
        .and_then(|name| {
            Some(
                ctx.config
                    .load()
                    .ok()?
                    .get(name)
                    .ok()?
                    .resource_server
                    .clone(),
            )
        })
        .and_then(|address| applications_page(&address));
    let text = match format {
        ChecklistFormat::Text => {
            let link = page.as_deref().map(|u| ctx.term.link(u, true));
            render::checklist_text_at(p, link.as_deref())
        }
        ChecklistFormat::Markdown => render::checklist_markdown_at(p, page.as_deref()),
        ChecklistFormat::Json => json::to_string(&json::PresetOutput { preset: p }),
    };
    ctx.term.out_raw(&text);
    Ok(0)
}

//! Where a command's human result goes: the report is the command's output, so it goes to stdout
//! (`halo-connect test > report.txt` keeps it); notes, progress and prompts stay on stderr. Under
//! `-q` the report is left out, but a failure still prints its error and its fix on stderr. This
//! file decides streams only; `ui::render` draws the text.

use crate::domain::report::CheckReport;
use crate::ui::render;

use super::Ctx;

/// Prints one Save and Test report as the command's human output (nothing under `--json`).
pub fn report(ctx: &Ctx, r: &CheckReport, what: &str) {
    if ctx.global.json {
        return;
    }
    if ctx.term.quiet {
        failure_only(ctx, r, what);
    } else {
        ctx.term.out(&render::report_text(&ctx.term, r, what));
    }
}

/// Under `-q`: a failing report's error and fix, on stderr; a passing one prints nothing.
pub fn failure_only(ctx: &Ctx, r: &CheckReport, what: &str) {
    if r.ok() {
        return;
    }
    let cause = r
        .error()
        .map(|e| e.message.clone())
        .unwrap_or_else(|| format!("exit {}", r.exit_code()));
    let message = format!("profile `{}`: {what} failed: {cause}", r.profile());
    let mut hints = r.hints().iter();
    let fix = hints
        .next()
        .cloned()
        .or_else(|| r.error().map(|e| e.hint.clone()).filter(|h| !h.is_empty()));
    let also: Vec<String> = hints.map(|h| format!("also: {h}")).collect();
    ctx.term.error(&message, &also, fix.as_deref());
}

//! `test --as NAME`: the connection tested the way that integration calls. The integration is
//! looked up first (an unknown name is exit 2), values it cannot use are refused before any secret
//! is sent (exit 5), then `halo::replay` makes its requests as its code makes them. The report is
//! stdout (`--json`: `ui::json::ReplayOutput`); the exit code is the deciding failure's.

use crate::cli::TestArgs;
use crate::domain::catalogue;
use crate::domain::integration::replay::ReplayReport;
use crate::domain::integration::{cannot_use, form, hosting_of, Integration};
use crate::error::AppError;
use crate::halo::replay::replay;
use crate::sandbox::Sandbox;
use crate::ui::json::{self, ReplayOutput};
use crate::ui::replay::replay_text;

use super::connection::select;
use super::{integration_named, Ctx};

pub fn run(ctx: &mut Ctx, args: &TestArgs, name: &str) -> Result<i32, AppError> {
    let integration = integration_named(name)?;
    let mut sandbox: Option<Sandbox> = None;
    let conn = select(ctx, &super::test::selection(args), &mut sandbox)?;
    let settings = &conn.validated.settings;
    let hosting = hosting_of(settings);
    let report = match refuse(&conn.profile, integration, settings, hosting) {
        Some(refused) => refused,
        None => {
            let masked = conn.secret.masked();
            let filled = form(integration, settings, hosting, Some(&masked));
            let session = ctx.session()?;
            let client = session.client(&conn.trust)?;
            let mut r = session.block_on(replay(
                &client,
                &conn.profile,
                &filled,
                settings,
                &conn.secret,
            ));
            r.notes.splice(0..0, conn.notes.iter().cloned());
            r
        }
    };
    if ctx.global.json {
        ctx.term
            .out_raw(&json::to_string(&ReplayOutput::new(&report)));
    } else if ctx.term.quiet {
        if let Some(e) = &report.error {
            ctx.term.error(
                &format!(
                    "profile `{}` as {}: {}",
                    report.profile, integration.name, e.message
                ),
                &[],
                Some(&e.hint),
            );
        }
    } else {
        ctx.term.out(&replay_text(&ctx.term, &report, integration));
    }
    Ok(report.exit_code)
}

/// The report of values the integration cannot use, made before any request.
fn refuse(
    profile: &str,
    i: &'static Integration,
    settings: &crate::domain::values::ConnectionSettings,
    hosting: crate::domain::profile::Hosting,
) -> Option<ReplayReport> {
    let u = cannot_use(i, settings, hosting)?;
    let mut r = ReplayReport::new(profile, i);
    r.fail(catalogue::INTEGRATION_CANNOT_USE.diagnose(
        format!("{} Nothing was sent.", u.message),
        &[("fix", &u.fix), ("integration", &i.name)],
    ));
    Some(r)
}

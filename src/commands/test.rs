//! `test`: Save and Test a stored profile again, every profile with `--all`, or values from the
//! environment alone with `--from-env`. The exit code and `--json` are the CI contract (docs/cli.md).
//! `--concurrency` is the socket budget per host; a progress bar shows on a terminal's stderr only.

use std::collections::BTreeMap;

use crate::cli::TestArgs;
use crate::domain::field::env;
use crate::domain::profile::{LastTest, SecretStoreKind};
use crate::domain::report::{CheckReport, Subject};
use crate::error::AppError;
use crate::halo::check::run_check;
use crate::halo::HaloClient;
use crate::sandbox::Sandbox;
use crate::ui::json::{self, FleetEntry, ReportOutput};
use crate::ui::term::Mark;

use super::connection::{resolve, select, Connection, Origin, Selection};
use super::{now_rfc3339, scenario_for, start_sandbox, stored_preset, Ctx};

pub fn run(ctx: &mut Ctx, args: TestArgs) -> Result<i32, AppError> {
    let report = args.report.clone();
    super::bundle::around(ctx, report, "test", |ctx| run_recorded(ctx, args))
}

fn run_recorded(ctx: &mut Ctx, args: TestArgs) -> Result<i32, AppError> {
    ctx.concurrency = args.concurrency;
    let result = if args.all {
        run_all(ctx, &args)
    } else {
        run_one(ctx, &args)
    };
    // A run that ends in an error still leaves the CI reports it was asked for, naming the error.
    result.inspect_err(|e| super::ci_output::write_not_run(ctx, &args, e))
}

fn run_one(ctx: &mut Ctx, args: &TestArgs) -> Result<i32, AppError> {
    if let Some(name) = &args.as_integration {
        return super::test_as::run(ctx, args, name);
    }
    let mut sandbox: Option<Sandbox> = None;
    let conn = select(ctx, &selection(args), &mut sandbox)?;
    let session = ctx.session()?;
    let client = session.client(&conn.trust)?;
    let settings = &conn.validated.settings;
    let subject = Subject {
        profile: conn.profile.clone(),
        notes: conn.notes.clone(),
        last_passed: conn
            .stored
            .then(|| last_passed(ctx, &conn.profile))
            .flatten(),
    };
    let report = session.block_on(run_check(
        &client,
        settings,
        &conn.secret,
        &conn.preset,
        subject,
    ));
    if conn.stored {
        record(ctx, &[&report]);
    }
    if report.ok() && conn.bind_after_pass {
        bind_passed(ctx, &conn);
    }
    super::ci_output::write(ctx, &args.ci, [Ok(&report)])?;
    if ctx.global.json {
        ctx.term
            .out_raw(&json::to_string(&ReportOutput::new(&report)));
    } else {
        super::output::report(ctx, &report, "Test");
    }
    Ok(report.exit_code())
}

/// The one connection `test` names: `--from-env`, `--sandbox` (and its scenario), or a profile,
/// with `--preset` over the stored one.
pub(super) fn selection(args: &TestArgs) -> Selection {
    Selection {
        from_env: args.from_env,
        sandbox: args.sandbox,
        scenario: args.scenario.clone(),
        preset: args.preset.clone(),
    }
}

/// Binds a stored secret that was not bound yet to the profile it just passed the test with.
fn bind_passed(ctx: &Ctx, conn: &Connection) {
    if let Ok(config) = ctx.config.load() {
        if let Some(p) = config.profiles.get(&conn.profile) {
            ctx.bind_after_pass(&conn.profile, p, &conn.secret);
        }
    }
}

/// When the stored profile last passed its test: a refused secret may have been regenerated since
/// (a change of the application's Login Type does that), and the report then says so.
fn last_passed(ctx: &Ctx, profile: &str) -> Option<String> {
    let config = ctx.config.load().ok()?;
    let last = config.profiles.get(profile)?.last_test.as_ref()?;
    last.ok.then(|| last.at.clone())
}

/// Stores each report's verdict as the profile's `last_test`; a failure to write only warns.
pub(super) fn record(ctx: &Ctx, reports: &[&CheckReport]) {
    let at = now_rfc3339();
    let result = ctx.config.update(|cfg| {
        for r in reports {
            if let Some(p) = cfg.profiles.get_mut(r.profile()) {
                p.last_test = Some(LastTest {
                    ok: r.ok(),
                    exit_code: r.exit_code(),
                    at: at.clone(),
                });
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        ctx.term
            .warn(&format!("the result was not recorded in the config: {e}"));
    }
}

/// Tests every profile at once; the client keeps to `--concurrency` sockets, so a slow profile holds
/// only its own sockets and never a turn the others wait for.
fn run_all(ctx: &Ctx, args: &TestArgs) -> Result<i32, AppError> {
    if ctx.profile_given() {
        return Err(AppError::usage(format!(
            "--all tests every profile, so it takes no --profile (or {})",
            env::PROFILE
        )));
    }
    let config = ctx.config.load()?;
    if config.profiles.is_empty() {
        return Err(AppError::config(format!(
            "there are no profiles in {}",
            ctx.config.path().display()
        ))
        .with_hint("create one with `halo-connect init`"));
    }
    // Per-connection variables would make every profile the same connection: --all ignores them.
    let mut ignored: Vec<String> = env::CONNECTION
        .iter()
        .filter(|v| **v != env::CLIENT_SECRET && ctx.env.is_set(v))
        .map(|v| v.to_string())
        .collect();
    if ctx.env.is_set(env::CLIENT_SECRET)
        && config
            .profiles
            .values()
            .any(|p| p.secret_store != SecretStoreKind::None)
    {
        ignored.push(format!(
            "{} (it is used only for profiles that store no secret)",
            env::CLIENT_SECRET
        ));
    }
    if !ignored.is_empty() {
        ctx.term.warn(&format!(
            "test --all tests each profile with its own stored values and ignores {}.",
            ignored.join(", ")
        ));
    }
    // One emulator per scenario, shared by the sandbox profiles made with it.
    let mut sandboxes: BTreeMap<&str, Sandbox> = BTreeMap::new();
    for profile in config.profiles.values().filter(|p| p.sandbox) {
        let scenario = scenario_for(args.scenario.as_deref(), Some(profile))?;
        if let std::collections::btree_map::Entry::Vacant(slot) = sandboxes.entry(scenario.as_str())
        {
            slot.insert(start_sandbox(ctx, scenario)?);
        }
    }
    // Each profile gets the client of its own trust set: one profile's CA is never trusted for
    // another's host.
    let session = ctx.session()?;
    let targets: Vec<Result<(Connection, HaloClient), (String, AppError)>> = config
        .profiles
        .iter()
        .map(|(name, profile)| {
            let target = (|| {
                let preset = stored_preset(profile)?;
                let origin = if profile.sandbox {
                    let scenario = scenario_for(args.scenario.as_deref(), Some(profile))?;
                    let sb = sandboxes
                        .get(scenario.as_str())
                        .ok_or_else(|| AppError::internal("sandbox missing"))?;
                    Origin::Sandbox(sb)
                } else {
                    Origin::Profile {
                        profile,
                        env_overrides: false,
                    }
                };
                let conn = resolve(ctx, name, origin, preset, true)?;
                let client = session.client(&conn.trust)?;
                Ok((conn, client))
            })();
            target.map_err(|e: AppError| (name.clone(), e))
        })
        .collect();
    let progress = progress_bar(ctx, targets.len());
    let done = session.block_on(async {
        let futs = targets.iter().map(|t| {
            let progress = &progress;
            async move {
                let out = match t {
                    Ok((c, client)) => {
                        let subject = Subject {
                            profile: c.profile.clone(),
                            notes: c.notes.clone(),
                            last_passed: None,
                        };
                        Ok(
                            run_check(client, &c.validated.settings, &c.secret, &c.preset, subject)
                                .await,
                        )
                    }
                    Err((name, e)) => Err((name.clone(), e.clone())),
                };
                if let Some(p) = progress {
                    p.inc(1);
                }
                out
            }
        });
        let done = futures_util::future::join_all(futs).await;
        if let Some(p) = &progress {
            p.finish_and_clear();
        }
        done
    });
    let ok_reports: Vec<&CheckReport> = done.iter().filter_map(|d| d.as_ref().ok()).collect();
    record(ctx, &ok_reports);
    for (t, d) in targets.iter().zip(&done) {
        if let (Ok((conn, _)), Ok(r)) = (t, d) {
            if r.ok() && conn.bind_after_pass {
                bind_passed(ctx, conn);
            }
        }
    }
    let outcomes = done
        .iter()
        .map(|d| d.as_ref().map_err(|(n, e)| (n.as_str(), e)));
    // Written before any report is printed, so a failure to write keeps --json one document.
    super::ci_output::write(ctx, &args.ci, outcomes)?;
    let entries: Vec<FleetEntry> = done
        .iter()
        .map(|d| match d {
            Ok(r) => FleetEntry::Report(ReportOutput::new(r)),
            Err((name, e)) => FleetEntry::Error(json::ErrorOutput::new(name, e)),
        })
        .collect();
    if ctx.global.json {
        ctx.term.out_raw(&json::to_string(&entries));
    } else if ctx.term.quiet {
        for d in &done {
            match d {
                Ok(r) => super::output::failure_only(ctx, r, "Test"),
                Err((name, e)) => ctx.term.error(
                    &format!("profile `{name}`: {}", e.message),
                    &e.details,
                    e.hint.as_deref(),
                ),
            }
        }
    } else {
        for d in &done {
            ctx.term.out(&fleet_line(ctx, d));
        }
    }
    Ok(entries.iter().map(FleetEntry::exit_code).max().unwrap_or(0))
}

/// One profile's line of `test --all`. A line may quote a server's message: each quoted text is
/// made printable before the mark is painted, so the paint survives and the server's escapes do not.
fn fleet_line(ctx: &Ctx, done: &Result<CheckReport, (String, AppError)>) -> String {
    let safe = crate::domain::printable::terminal_safe;
    match done {
        Ok(r) => {
            let mark = ctx.term.mark(if r.ok() { Mark::Ok } else { Mark::Fail });
            let why = r
                .error()
                .map(|e| format!("  {} {}", safe(&e.message), safe(&e.hint)))
                .unwrap_or_default();
            format!(
                "{mark} {} (exit {}, {} ms){why}",
                safe(r.profile()),
                r.exit_code(),
                r.elapsed_ms()
            )
        }
        Err((name, e)) => format!(
            "{} {} (exit {})  {}",
            ctx.term.mark(Mark::Fail),
            safe(name),
            e.exit_code(),
            safe(&e.message)
        ),
    }
}

/// A bar on stderr when it is a terminal and the output is not JSON; None otherwise.
fn progress_bar(ctx: &Ctx, total: usize) -> Option<indicatif::ProgressBar> {
    if !ctx.term.stderr_tty || ctx.global.json || ctx.term.quiet {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("Testing {pos}/{len} profiles {bar:30} {elapsed}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

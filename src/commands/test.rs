//! `test`: Save and Test a stored profile again, every profile with `--all`, or values from the
//! environment alone with `--from-env`. The exit code and `--json` are the CI contract (cli.md).
//! `--concurrency` is the client's socket budget; a progress bar shows on a terminal's stderr only.

use serde_json::json;

use crate::cli::TestArgs;
use crate::domain::preset::Preset;
use crate::domain::profile::{LastTest, Profile, SecretStoreKind};
use crate::domain::report::CheckReport;
use crate::domain::secret::Secret;
use crate::domain::url::ValueError;
use crate::domain::values::{
    check_secret, validate, ConnectionSettings, RawValues, Source, Sourced,
};
use crate::error::AppError;
use crate::halo::check::{discover, run_check};
use crate::halo::HaloClient;
use crate::sandbox::Sandbox;
use crate::ui::render;
use crate::ui::term::Mark;

use super::{
    missing_secret_error, now_rfc3339, preset_named, raw_from_profile, raw_from_sandbox, runtime,
    start_sandbox, Ctx, DEFAULT_PROFILE, SANDBOX_PROFILE,
};

/// One connection to test.
pub struct Target {
    pub profile: String,
    pub preset: Preset,
    pub settings: ConnectionSettings,
    pub secret: Secret,
    /// Whether a stored profile exists to record the result in.
    pub stored: bool,
    pub ca_cert: Option<String>,
    pub notes: Vec<String>,
}

pub fn run(ctx: &mut Ctx, args: TestArgs) -> Result<i32, AppError> {
    let result = if args.all {
        run_all(ctx, &args)
    } else {
        run_one(ctx, &args)
    };
    // A run that ends in an error still leaves the CI reports it was asked for, naming the error.
    result.inspect_err(|e| super::ci_output::write_not_run(ctx, &args, e))
}

fn run_one(ctx: &mut Ctx, args: &TestArgs) -> Result<i32, AppError> {
    let mut sandbox: Option<Sandbox> = None;
    let target = resolve(ctx, args, &mut sandbox)?;
    let client = ctx
        .client(
            sandbox.as_ref().and_then(|s| s.ca_pem()),
            target.ca_cert.as_deref(),
        )?
        .with_max_connections(args.concurrency);
    let rt = runtime()?;
    let mut report = rt.block_on(async {
        run_check(
            &client,
            &target.settings,
            &target.secret,
            &target.preset,
            &target.profile,
        )
        .await
    });
    let mut notes = target.notes.clone();
    notes.append(&mut report.notes);
    report.notes = notes;
    if target.stored {
        record(ctx, &[&report]);
    }
    super::ci_output::write(ctx, &args.ci, [Ok(&report)])?;
    if ctx.global.json {
        ctx.term.out_raw(
            &serde_json::to_string_pretty(&render::report_json(&report, json!({})))
                .unwrap_or_default(),
        );
    } else {
        ctx.term
            .info(&render::report_text(&ctx.term, &report, "Test"));
    }
    Ok(report.exit_code)
}

/// Stores each report's verdict as the profile's `last_test`; a failure to write only warns.
fn record(ctx: &Ctx, reports: &[&CheckReport]) {
    let at = now_rfc3339();
    let result = ctx.config.update(|cfg| {
        for r in reports {
            if let Some(p) = cfg.profiles.get_mut(&r.profile) {
                p.last_test = Some(LastTest {
                    ok: r.ok,
                    exit_code: r.exit_code,
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

/// The raw values from HALO_* environment variables alone.
fn raw_from_env(ctx: &Ctx) -> RawValues {
    let s = |name: &str| {
        ctx.env
            .get(name)
            .map(|v| Sourced::new(v.to_string(), Source::Env))
    };
    RawValues {
        url: s("HALO_URL"),
        resource_server: s("HALO_RESOURCE_SERVER"),
        auth_server: s("HALO_AUTH_SERVER"),
        tenant: s("HALO_TENANT"),
        client_id: s("HALO_CLIENT_ID"),
    }
}

/// Rewords a --from-env failure in terms of environment variables, the only input it reads.
fn from_env_hint(result: Result<Target, AppError>) -> Result<Target, AppError> {
    result.map_err(|mut e| {
        if e.kind == crate::error::ErrorKind::Config {
            e.details = e.details.iter().map(|d| d.split(" (give it with").next().unwrap_or(d).to_string()).collect();
            if e.message.contains("give it with") {
                e.message = e.message.split("; give it with").next().unwrap_or(&e.message).to_string();
            }
            e.hint = Some(
                "--from-env reads only the environment: set HALO_URL (or HALO_RESOURCE_SERVER and HALO_AUTH_SERVER), HALO_TENANT if needed, HALO_CLIENT_ID and HALO_CLIENT_SECRET"
                    .to_string(),
            );
        }
        e
    })
}

/// Resolves the profile (or sandbox) for `token`, as `test` does.
pub fn resolve_for_token(
    ctx: &Ctx,
    args: &TestArgs,
    sandbox: &mut Option<Sandbox>,
) -> Result<Target, AppError> {
    resolve(ctx, args, sandbox)
}

fn resolve(ctx: &Ctx, args: &TestArgs, sandbox: &mut Option<Sandbox>) -> Result<Target, AppError> {
    if args.from_env {
        let preset = preset_named(args.preset.as_deref().unwrap_or("billing"), None)?;
        let raw = raw_from_env(ctx);
        let secret = ctx.env.get("HALO_CLIENT_SECRET").map(Secret::new);
        return from_env_hint(finish_target(
            ctx,
            ctx.profile_name("env"),
            preset,
            raw,
            secret,
            false,
            None,
            Vec::new(),
        ));
    }
    let name = ctx.profile_name(if args.sandbox {
        SANDBOX_PROFILE
    } else {
        DEFAULT_PROFILE
    });
    let config = ctx.config.load()?;
    let stored: Option<Profile> = match config.get(&name) {
        Ok(p) => Some(p.clone()),
        Err(e) if !args.sandbox => return Err(e.into()),
        Err(_) => None,
    };
    let preset = match (&args.preset, &stored) {
        (Some(p), stored) => {
            if let Some(st) = stored.as_ref().filter(|st| st.preset != *p) {
                ctx.term.warn(&format!(
                    "--preset (or HALO_PRESET) {p} overrides profile `{name}`'s preset {}",
                    st.preset
                ));
            }
            preset_named(p, None)?
        }
        (None, Some(p)) => {
            preset_named(&p.preset, Some(p.scopes.clone()).filter(|s| !s.is_empty()))?
        }
        (None, None) => preset_named("billing", None)?,
    };
    let use_sandbox = args.sandbox || stored.as_ref().is_some_and(|p| p.sandbox);
    if use_sandbox {
        // A sandbox profile is tested against the scenario it was made with, unless told otherwise.
        let scenario = args
            .scenario
            .clone()
            .or_else(|| stored.as_ref().and_then(|p| p.scenario.clone()));
        let sb = start_sandbox(ctx, scenario.as_deref())?;
        let raw = raw_from_sandbox(&sb);
        let secret = ctx
            .env
            .get("HALO_CLIENT_SECRET")
            .map(Secret::new)
            .unwrap_or_else(|| sb.client_secret().clone());
        *sandbox = Some(sb);
        return finish_target(
            ctx,
            name,
            preset,
            raw,
            Some(secret),
            stored.is_some(),
            None,
            Vec::new(),
        );
    }
    let Some(profile) = stored else {
        return Err(AppError::internal("profile vanished"));
    };
    profile_target(ctx, &name, &profile, preset, true)
}

/// Builds the target of a stored profile; HALO_* variables override stored values, with a note.
fn profile_target(
    ctx: &Ctx,
    name: &str,
    profile: &Profile,
    preset: Preset,
    env_overrides: bool,
) -> Result<Target, AppError> {
    let env = if env_overrides {
        raw_from_env(ctx)
    } else {
        RawValues::default()
    };
    // A profile that stores no secret takes HALO_CLIENT_SECRET always: that is its store.
    let env_secret = if env_overrides || profile.secret_store == SecretStoreKind::None {
        ctx.env.get("HALO_CLIENT_SECRET")
    } else {
        None
    };
    let mut notes = Vec::new();
    for (label, v) in [
        ("HALO_RESOURCE_SERVER", &env.resource_server),
        ("HALO_AUTH_SERVER", &env.auth_server),
        ("HALO_TENANT", &env.tenant),
        ("HALO_CLIENT_ID", &env.client_id),
    ] {
        if v.is_some() {
            notes.push(format!(
                "{label} overrides the value stored in profile `{name}`"
            ));
        }
    }
    let raw = RawValues { url: None, ..env }.or(raw_from_profile(profile));
    let secret = match env_secret {
        Some(s) => {
            if profile.secret_store != SecretStoreKind::None {
                notes.push(format!(
                    "HALO_CLIENT_SECRET overrides the secret in the {} store",
                    profile.secret_store
                ));
            }
            Some(Secret::new(s))
        }
        None => {
            match ctx.secret_store(profile.secret_store).get(name)? {
                Some(s) => Some(s),
                None if profile.secret_store == SecretStoreKind::None => {
                    return Err(AppError::config(format!(
                        "profile `{name}` keeps no secret (secret store: none)"
                    ))
                    .with_hint("set HALO_CLIENT_SECRET to the application's Client Secret"));
                }
                None => {
                    return Err(AppError::config(format!(
                    "no Client Secret is stored for profile `{name}` in the {} store",
                    profile.secret_store
                ))
                .with_hint("set HALO_CLIENT_SECRET, or run `halo-connect init --force` to store it again"));
                }
            }
        }
    };
    finish_target(
        ctx,
        name.to_string(),
        preset,
        raw,
        secret,
        true,
        profile.ca_cert.clone(),
        notes,
    )
}

#[allow(clippy::too_many_arguments)]
fn finish_target(
    ctx: &Ctx,
    profile: String,
    preset: Preset,
    raw: RawValues,
    secret: Option<Secret>,
    stored: bool,
    ca_cert: Option<String>,
    mut notes: Vec<String>,
) -> Result<Target, AppError> {
    let discovery = match (&raw.url, &raw.auth_server) {
        (Some(u), None) => match crate::domain::url::derive_from_address(&u.value) {
            Ok(d) => {
                let client = ctx.client(None, None)?;
                let base = d.base.as_str().trim_end_matches('/').to_string();
                runtime()?
                    .block_on(async { discover(&client, &base).await })
                    .ok()
            }
            Err(_) => None,
        },
        _ => None,
    };
    let mut errors: Vec<ValueError> = Vec::new();
    let validated = validate(&raw, discovery.as_ref())
        .map_err(|e| errors.extend(e))
        .ok();
    let secret = match secret {
        Some(s) => check_secret(s).map_err(|e| errors.push(e)).ok(),
        None => {
            errors.push(missing_secret_error());
            None
        }
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let (Some(v), Some((secret, secret_notes))) = (validated, secret) else {
        return Err(AppError::internal("validation passed without values"));
    };
    notes.extend(v.notes.iter().map(|n| n.to_string()));
    notes.extend(secret_notes.iter().map(|n| n.to_string()));
    Ok(Target {
        profile,
        preset,
        settings: v.settings,
        secret,
        stored,
        ca_cert,
        notes,
    })
}

/// Tests every profile at once; the client keeps to `--concurrency` sockets, so a slow profile holds
/// only its own sockets and never a turn the others wait for.
fn run_all(ctx: &Ctx, args: &TestArgs) -> Result<i32, AppError> {
    if ctx.profile_given() {
        return Err(AppError::usage(
            "--all tests every profile, so it takes no --profile (or HALO_PROFILE)",
        ));
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
    let mut ignored: Vec<&str> = [
        "HALO_URL",
        "HALO_RESOURCE_SERVER",
        "HALO_AUTH_SERVER",
        "HALO_TENANT",
        "HALO_CLIENT_ID",
    ]
    .into_iter()
    .filter(|v| ctx.env.is_set(v))
    .collect();
    if ctx.env.is_set("HALO_CLIENT_SECRET")
        && config
            .profiles
            .values()
            .any(|p| p.secret_store != SecretStoreKind::None)
    {
        ignored.push("HALO_CLIENT_SECRET (it is used only for profiles that store no secret)");
    }
    if !ignored.is_empty() {
        ctx.term.warn(&format!(
            "test --all tests each profile with its own stored values and ignores {}.",
            ignored.join(", ")
        ));
    }
    // One emulator per scenario, shared by the sandbox profiles made with it.
    let mut sandboxes: std::collections::BTreeMap<String, Sandbox> =
        std::collections::BTreeMap::new();
    let mut targets: Vec<Result<Target, (String, AppError)>> = Vec::new();
    for (name, profile) in &config.profiles {
        let t = (|| -> Result<Target, AppError> {
            let preset = preset_named(
                &profile.preset,
                Some(profile.scopes.clone()).filter(|s| !s.is_empty()),
            )?;
            if profile.sandbox {
                let scenario = args
                    .scenario
                    .clone()
                    .or_else(|| profile.scenario.clone())
                    .unwrap_or_else(|| "healthy".into());
                if !sandboxes.contains_key(&scenario) {
                    let started = start_sandbox(ctx, Some(&scenario))?;
                    sandboxes.insert(scenario.clone(), started);
                }
                let sb = sandboxes
                    .get(&scenario)
                    .ok_or_else(|| AppError::internal("sandbox missing"))?;
                let raw = raw_from_sandbox(sb);
                return finish_target(
                    ctx,
                    name.clone(),
                    preset,
                    raw,
                    Some(sb.client_secret().clone()),
                    true,
                    None,
                    Vec::new(),
                );
            }
            profile_target(ctx, name, profile, preset, false)
        })();
        targets.push(t.map_err(|e| (name.clone(), e)));
    }
    // One client for the fleet, so it trusts every profile's CA file as well as the sandbox's.
    let mut extra_ca: String = sandboxes.values().filter_map(|s| s.ca_pem()).collect();
    let mut read_cas: Vec<String> = Vec::new();
    for t in targets.iter_mut() {
        let Ok(target) = t else { continue };
        let Some(path) = target.ca_cert.clone() else {
            continue;
        };
        if read_cas.contains(&path) {
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(pem) => {
                extra_ca.push_str(&pem);
                read_cas.push(path);
            }
            Err(e) => {
                let err = AppError::config(format!("cannot read the CA certificate {path}: {e}"))
                    .with_hint("fix the profile's ca_cert, or give a PEM file with --ca-cert PATH");
                *t = Err((target.profile.clone(), err));
            }
        }
    }
    let client: HaloClient = ctx
        .client(Some(extra_ca).filter(|p| !p.is_empty()), None)?
        .with_max_connections(args.concurrency);
    let progress = progress_bar(ctx, targets.len());
    let rt = runtime()?;
    let mut ci_written = Ok(());
    let reports: Vec<serde_json::Value> = rt.block_on(async {
        let futs = targets.iter().map(|t| {
            let client = &client;
            let progress = &progress;
            async move {
                let out = match t {
                    Ok(t) => {
                        let mut r =
                            run_check(client, &t.settings, &t.secret, &t.preset, &t.profile).await;
                        r.notes.splice(0..0, t.notes.clone());
                        Ok(r)
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
        let ok_reports: Vec<&CheckReport> = done.iter().filter_map(|d| d.as_ref().ok()).collect();
        record(ctx, &ok_reports);
        let outcomes = done
            .iter()
            .map(|d| d.as_ref().map_err(|(n, e)| (n.as_str(), e)));
        ci_written = super::ci_output::write(ctx, &args.ci, outcomes);
        done.iter()
            .map(|d| match d {
                Ok(r) => {
                    if !ctx.global.json {
                        let mark = ctx.term.mark(if r.ok { Mark::Ok } else { Mark::Fail });
                        let why = r
                            .error
                            .as_ref()
                            .map(|e| format!("  {} {}", e.message, e.hint))
                            .unwrap_or_default();
                        ctx.term.info(&format!(
                            "{mark} {} (exit {}, {} ms){why}",
                            r.profile, r.exit_code, r.elapsed_ms
                        ));
                    }
                    render::report_json(r, json!({}))
                }
                Err((name, e)) => {
                    if !ctx.global.json {
                        ctx.term.info(&format!(
                            "{} {name} (exit {})  {}",
                            ctx.term.mark(Mark::Fail),
                            e.exit_code(),
                            e.message
                        ));
                    }
                    render::error_json(
                        name,
                        e.exit_code(),
                        e.kind.json_kind(),
                        &e.message,
                        e.hint.as_deref(),
                        &e.details,
                    )
                }
            })
            .collect()
    });
    let worst = reports
        .iter()
        .filter_map(|r| r["exit_code"].as_i64())
        .max()
        .unwrap_or(0) as i32;
    ci_written?;
    if ctx.global.json {
        ctx.term
            .out_raw(&serde_json::to_string_pretty(&reports).unwrap_or_default());
    }
    Ok(worst)
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

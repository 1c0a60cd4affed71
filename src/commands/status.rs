//! `status`: each profile's readiness from this machine alone, no network: whether its secret is
//! really in its store (read, not assumed), its last test's result and age, and the command to
//! run next. Exits 3 when any profile cannot be tested as it stands; a profile meant to get its
//! secret from `HALO_CLIENT_SECRET` (`--secret-store none`) is not one. `test --all` is the
//! online check.

use crate::domain::field::env;
use crate::domain::profile::{Profile, SecretStoreKind};
use crate::error::AppError;
use crate::ui::json::{self, StatusEntry};
use crate::ui::term::Mark;

use super::{Ctx, DEFAULT_PROFILE};

pub fn run(ctx: &Ctx, only: Option<&str>) -> Result<i32, AppError> {
    let config = ctx.config.load()?;
    if let Some(name) = only {
        config.get(name)?;
    }
    if config.profiles.is_empty() {
        return Err(AppError::config(format!(
            "there are no profiles in {}",
            ctx.config.path().display()
        ))
        .with_hint("create one with `halo-connect init`, or try the emulator with `halo-connect init --sandbox`"));
    }
    let default = ctx.profile_name(DEFAULT_PROFILE);
    let rows: Vec<StatusEntry> = config
        .profiles
        .iter()
        .filter(|(name, _)| only.is_none_or(|o| o == name.as_str()))
        .map(|(name, p)| row(ctx, name, p, *name == default))
        .collect();
    if ctx.global.json {
        ctx.term.out_raw(&json::to_string(&rows));
    } else {
        let mut lines: Vec<String> = rows.iter().map(|r| text(ctx, r)).collect();
        lines.push(
            "status reads this machine only; `halo-connect test --all` is the online check of every profile."
                .to_string(),
        );
        ctx.term.out(&lines.join("\n"));
    }
    // A secret left to HALO_CLIENT_SECRET on purpose is not missing.
    Ok(
        if rows
            .iter()
            .all(|r| r.secret_present || r.secret_store == SecretStoreKind::None.as_str())
        {
            0
        } else {
            3
        },
    )
}

fn row<'a>(ctx: &Ctx, name: &'a str, p: &'a Profile, default: bool) -> StatusEntry<'a> {
    let env_secret = ctx.env.is_set(env::CLIENT_SECRET);
    let (present, secret, bound) = match p.secret_store {
        _ if p.sandbox => (true, "supplied by the emulator".to_string(), None),
        SecretStoreKind::None if env_secret => (
            true,
            format!("from {}", env::CLIENT_SECRET),
            None,
        ),
        SecretStoreKind::None => (
            false,
            format!(
                "not stored, by choice (--secret-store none): {} gives it where the profile is used, and it is not set here",
                env::CLIENT_SECRET
            ),
            None,
        ),
        kind => match ctx.stored_secret_fit(name, p) {
            Ok(Some((_, true))) => (true, format!("in the {kind} store"), Some(true)),
            Ok(Some((_, false))) => (
                true,
                format!("in the {kind} store, not yet bound to the servers and Client ID it was tested with; the next passing `halo-connect test {name}` binds it"),
                Some(false),
            ),
            Ok(None) => (false, format!("missing from the {kind} store"), None),
            Err(e) => (false, format!("cannot be read: {e}"), None),
        },
    };
    let age = p.last_test.as_ref().and_then(|t| age_seconds(&t.at));
    // The command as typed: the default profile needs no name.
    let test = if default {
        "halo-connect test".to_string()
    } else {
        format!("halo-connect test {name}")
    };
    let next = if !present && p.secret_store == SecretStoreKind::None {
        format!("set {} and run `{test}`", env::CLIENT_SECRET)
    } else if !present {
        format!("halo-connect secret set {name}")
    } else {
        match &p.last_test {
            _ if bound == Some(false) => format!("{test} (a pass binds the secret)"),
            None => test,
            Some(t) if !t.ok => format!("{test} (it failed last time)"),
            Some(_) => format!("nothing; `{test}` checks it again"),
        }
    };
    StatusEntry {
        profile: name,
        default,
        secret_store: p.secret_store.as_str(),
        secret_present: present,
        secret,
        secret_bound: bound,
        last_test: p.last_test.as_ref(),
        last_test_age_s: age,
        next,
    }
}

fn text(ctx: &Ctx, r: &StatusEntry) -> String {
    let mark = ctx.term.mark(if r.secret_present {
        Mark::Ok
    } else if r.secret_store == SecretStoreKind::None.as_str() {
        Mark::Unverified
    } else {
        Mark::Fail
    });
    let star = if r.default { " (default)" } else { "" };
    let last = match (r.last_test, r.last_test_age_s) {
        (None, _) => "never tested".to_string(),
        (Some(t), age) => {
            let when = age.map_or_else(|| t.at.clone(), ago);
            if t.ok {
                format!("last test passed {when}")
            } else {
                format!("last test failed (exit {}) {when}", t.exit_code)
            }
        }
    };
    format!(
        "{mark} {}{star}\n    secret: {}\n    {last}\n    next: {}",
        r.profile, r.secret, r.next
    )
}

/// Seconds from an RFC 3339 time to now.
fn age_seconds(at: &str) -> Option<i64> {
    let then =
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()?;
    Some((time::OffsetDateTime::now_utc() - then).whole_seconds())
}

/// "5 min ago", "3 h ago", "2 days ago".
fn ago(s: i64) -> String {
    match s {
        s if s < 60 => "just now".to_string(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

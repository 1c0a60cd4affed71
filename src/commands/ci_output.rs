//! `test --junit FILE --summary FILE`: turns a run's outcomes into `ui::ci_report::Case`s, renders
//! them (`ui::junit`, `ui::summary`) and writes each file whole (`store::write_report_file`). A file
//! that cannot be written fails a run that passed (exit 3, before any report is printed, so `--json`
//! stays one document); beside a run that failed it is a warning and the run's exit code stands.

use std::path::Path;

use crate::cli::{CiReportArgs, TestArgs};
use crate::domain::report::CheckReport;
use crate::error::AppError;
use crate::store::{write_report_file, ReportKind};
use crate::ui::ci_report::{Case, NotRun};
use crate::ui::{junit, summary};

use super::{fallback_profile, Ctx};

/// One profile's outcome: its report, or the profile's name and why it could not be tested.
pub type Outcome<'a> = Result<&'a CheckReport, (&'a str, &'a AppError)>;

/// Writes the files `files` asks for. Err only when one failed and every profile passed.
pub fn write<'a>(
    ctx: &Ctx,
    files: &CiReportArgs,
    outcomes: impl IntoIterator<Item = Outcome<'a>>,
) -> Result<(), AppError> {
    if files.junit.is_none() && files.summary.is_none() {
        return Ok(());
    }
    let cases: Vec<Case> = outcomes.into_iter().map(case).collect();
    let mut failed: Option<AppError> = None;
    let wanted = [
        (
            files.junit.as_deref(),
            "--junit",
            junit::junit as fn(&[Case]) -> String,
            JUNIT,
        ),
        (
            files.summary.as_deref(),
            "--summary",
            summary::summary,
            SUMMARY,
        ),
    ];
    for (path, flag, render, kind) in wanted {
        let Some(path) = path else { continue };
        if let Err(e) = write_one(path, flag, &render(&cases), &kind) {
            if cases.iter().all(Case::ok) {
                failed.get_or_insert(e);
            } else {
                ctx.term.warn(&e.message);
            }
        }
    }
    failed.map_or(Ok(()), Err)
}

/// Writes the files for a `test` that ended in an error (no profile, value or secret; a config
/// that does not parse): one case naming it. The error decides the exit code, so a file that
/// fails here is only a warning.
pub fn write_not_run(ctx: &Ctx, args: &TestArgs, err: &AppError) {
    let profile = ctx.profile_name(if args.all {
        "all profiles"
    } else {
        fallback_profile(args.from_env, args.sandbox)
    });
    let _ = write(ctx, &args.ci, [Err((profile.as_str(), err))]);
}

fn case<'a>(outcome: Outcome<'a>) -> Case<'a> {
    match outcome {
        Ok(report) => Case::Checked(report),
        Err((profile, e)) => Case::NotRun(NotRun {
            profile,
            exit_code: e.exit_code(),
            kind: e.kind.as_str(),
            message: &e.message,
            hint: e.hint.as_deref(),
            details: &e.details,
        }),
    }
}

/// An earlier JUnit report of halo-connect's: its root element comes first, after the XML
/// declaration.
const JUNIT: ReportKind = ReportKind {
    what: "JUnit report",
    is_earlier: &|head: &[u8]| {
        let text = String::from_utf8_lossy(head);
        let body = text.trim_start();
        let body = match body.strip_prefix("<?xml") {
            Some(rest) => rest.split_once("?>").map_or("", |(_, b)| b).trim_start(),
            None => body,
        };
        body.starts_with("<testsuites name=\"halo-connect\"")
    },
};

/// An earlier job summary of halo-connect's: its verdict heading is the first line.
const SUMMARY: ReportKind = ReportKind {
    what: "job summary",
    is_earlier: &|head: &[u8]| {
        let text = String::from_utf8_lossy(head);
        let first = text.lines().next().unwrap_or_default();
        first.starts_with("### ") && first.contains(" halo-connect test: ")
    },
};

fn write_one(path: &Path, flag: &str, text: &str, kind: &ReportKind) -> Result<(), AppError> {
    write_report_file(path, text.as_bytes(), kind, false, true).map_err(|e| {
        let hint = match &e {
            crate::store::StoreError::ReportRefused { .. } => format!(
                "give {flag} a new file, or the {} an earlier run wrote",
                kind.what
            ),
            _ => format!("give {flag} a path in a directory halo-connect can create or write to"),
        };
        AppError::from(e).with_hint(hint)
    })
}

//! `--report FILE` on `init` and `test`: checks the file may be written before the run, records
//! every client the run builds (`Ctx::client` attaches the recorder), and writes the bundle after
//! it, whatever the run came to. A bundle that cannot be written is a warning: the run's own exit
//! code stands.

use std::path::PathBuf;

use crate::error::AppError;
use crate::halo::record::Recorder;
use crate::store::{check_report_path, write_report};
use crate::ui::bundle::{bundle, Failure, Run, BUNDLE_MARKER};

use super::{now_rfc3339, Ctx};

/// Runs `f`, recording it into the bundle at `path` when one is asked for.
pub fn around(
    ctx: &mut Ctx,
    path: Option<PathBuf>,
    command: &str,
    f: impl FnOnce(&mut Ctx) -> Result<i32, AppError>,
) -> Result<i32, AppError> {
    let Some(path) = path else { return f(ctx) };
    check_report_path(&path, BUNDLE_MARKER)?;
    let recorder = Recorder::new();
    ctx.recorder = Some(recorder.clone());
    let result = f(ctx);
    ctx.recorder = None;
    let failure = result.as_ref().err().map(|e| Failure {
        kind: e.kind.as_str(),
        message: &e.message,
        hint: e.hint.as_deref(),
        details: &e.details,
    });
    // A last pass over the whole text: the report part quotes answers too (an agent name that
    // echoes the bearer token), and a token is known only once its answer came.
    let text = recorder.scrubbed(&bundle(&Run {
        command,
        at: &now_rfc3339(),
        exchanges: &recorder.exchanges(),
        results: &recorder.results(),
        failure,
    }));
    match write_report(&path, &text, BUNDLE_MARKER) {
        Ok(()) => ctx.term.info(&format!(
            "Wrote the support bundle to {} (no secret or token is in it).",
            path.display()
        )),
        Err(e) => ctx
            .term
            .warn(&format!("the support bundle was not written: {e}")),
    }
    result
}

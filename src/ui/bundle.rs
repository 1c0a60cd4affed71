//! The support bundle of `--report FILE`, as Markdown an operator can attach to an integration
//! vendor's ticket: halo-connect's version and the OS, each request as the recorder kept it, then
//! each Save and Test with its settings (never the secret), diagnosis and report JSON, and the
//! command's own failure if it had one. Text only: the recorder has already redacted what it
//! kept, and `store::write_report` writes the file.

use crate::domain::printable::printable;
use crate::halo::record::{Body, Exchange, Finished, Outcome};

/// The first line of every bundle: `store::write_report` replaces a file only if it starts so.
pub const BUNDLE_MARKER: &str = "# halo-connect support bundle";

/// A failure of the command itself (before or after its tests): kind, message, hint, details.
pub struct Failure<'a> {
    pub kind: &'a str,
    pub message: &'a str,
    pub hint: Option<&'a str>,
    pub details: &'a [String],
}

/// Everything the bundle tells.
pub struct Run<'a> {
    /// The command as run (`test`, `init`), without its arguments: those may name files.
    pub command: &'a str,
    /// RFC 3339 time of writing.
    pub at: &'a str,
    pub exchanges: &'a [Exchange],
    /// Each Save and Test of the run (several for `test --all` or a wizard's re-tests).
    pub results: &'a [Finished],
    pub failure: Option<Failure<'a>>,
}

/// Renders the bundle.
pub fn bundle(run: &Run) -> String {
    let mut out = vec![
        BUNDLE_MARKER.to_string(),
        String::new(),
        format!(
            "Written by halo-connect {} on {} ({}) at {}, for `halo-connect {}`.",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH,
            run.at,
            run.command
        ),
        "Redacted: it holds no Client Secret and no access token; JSON bodies are reduced to their keys and error fields, other bodies to their first 200 bytes.".to_string(),
        String::new(),
        "## Requests".to_string(),
        String::new(),
    ];
    if run.exchanges.is_empty() {
        out.push("No request was sent.".to_string());
    }
    for (i, e) in run.exchanges.iter().enumerate() {
        exchange(i + 1, e, &mut out);
    }
    for (i, f) in run.results.iter().enumerate() {
        result(i + 1, f, &mut out);
    }
    if let Some(f) = &run.failure {
        out.push(String::new());
        out.push("## Failure".to_string());
        out.push(String::new());
        out.push(format!(
            "halo-connect stopped ({}): {}",
            f.kind,
            printable(f.message, 2000)
        ));
        for d in f.details {
            out.push(format!("- {}", printable(d, 500)));
        }
        if let Some(h) = f.hint {
            out.push(format!("- fix: {}", printable(h, 2000)));
        }
    }
    if run.results.is_empty() && run.failure.is_none() {
        out.push(String::new());
        out.push("No Save and Test ran.".to_string());
    }
    out.push(String::new());
    out.join("\n")
}

fn result(n: usize, f: &Finished, out: &mut Vec<String>) {
    let (s, r) = (&f.settings, &f.report);
    out.push(String::new());
    out.push(format!("## Save and Test {n}: profile `{}`", r.profile()));
    out.push(String::new());
    out.push(format!("- Resource Server: {}", s.resource_server.as_str()));
    out.push(format!(
        "- Authorization Server: {}",
        s.auth_server.as_str()
    ));
    out.push(format!(
        "- Tenant: {}",
        s.tenant.as_option().unwrap_or(crate::domain::url::NOT_SET)
    ));
    out.push(format!("- Client ID: {}", s.client_id));
    out.push("- Client Secret: given (never written here)".to_string());
    out.push(format!(
        "- Preset: {} (scopes: {})",
        f.preset.name,
        f.preset.scopes.join(" ")
    ));
    if let Some(inst) = r.instance() {
        out.push(format!("- Halo: {}, version {}", inst.name, inst.version));
    }
    match r.error() {
        None => out.push(format!(
            "- Result: passed (exit code 0) in {} ms",
            r.elapsed_ms()
        )),
        Some(e) => {
            out.push(format!(
                "- Result: failed with exit code {} ({}, `{}`): {}",
                r.exit_code(),
                e.kind().as_str(),
                e.code(),
                e.message
            ));
            for (i, h) in r.hints().iter().enumerate() {
                out.push(format!("- {} {h}", if i == 0 { "fix:" } else { "also:" }));
            }
        }
    }
    out.push(String::new());
    out.push("```json".to_string());
    out.push(super::json::to_string(&super::json::ReportOutput::new(r)));
    out.push("```".to_string());
}

fn exchange(n: usize, e: &Exchange, out: &mut Vec<String>) {
    let ms = e.elapsed.as_millis();
    match &e.outcome {
        Outcome::Failed { detail } => {
            out.push(format!(
                "{n}. {} {} — no answer after {ms} ms",
                e.method, e.url
            ));
            out.push(format!("   - failure: {}", printable(detail, 400)));
        }
        Outcome::Answered {
            status,
            content_type,
            server,
            answerer,
            body,
        } => {
            let ctype = if content_type.is_empty() {
                "no content type"
            } else {
                content_type
            };
            let server = server
                .as_deref()
                .map(|s| format!(", Server: {s}"))
                .unwrap_or_default();
            out.push(format!(
                "{n}. {} {} — HTTP {status} in {ms} ms ({ctype}{server})",
                e.method, e.url
            ));
            out.push(format!("   - answered by: {answerer}"));
            out.push(format!("   - body: {}", body_line(body)));
        }
    }
}

fn body_line(b: &Body) -> String {
    match b {
        Body::Empty => "empty".to_string(),
        Body::Text(t) => format!("{t:?}"),
        Body::Json {
            keys,
            items,
            errors,
        } => {
            let mut s = match items {
                Some(n) => format!("JSON list of {n}"),
                None => "JSON object".to_string(),
            };
            if !keys.is_empty() {
                s.push_str(&format!(" with keys {}", keys.join(", ")));
            }
            for (k, v) in errors {
                s.push_str(&format!("; {k}: {v:?}"));
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue;
    use crate::domain::report::{ReportBuilder, Subject};
    use crate::domain::url::{normalize_auth_server, normalize_resource_server, Tenant};
    use crate::domain::values::ConnectionSettings;
    use std::time::Duration;

    fn settings() -> ConnectionSettings {
        ConnectionSettings {
            resource_server: normalize_resource_server("https://acme.halopsa.com/api")
                .unwrap()
                .0,
            auth_server: normalize_auth_server("https://acme.halopsa.com/auth/")
                .unwrap()
                .0,
            tenant: Tenant::Named("acme".into()),
            client_id: "5b1f0c2e-9a3d-4c7e-8f21-6d4b0a9e3c58".into(),
        }
    }

    #[test]
    fn a_bundle_tells_the_run_in_order() {
        let s = settings();
        let mut r = ReportBuilder::new(
            Subject::named("p"),
            "billing",
            s.resource_server.as_str(),
            s.auth_server.as_str(),
            Some("acme"),
        );
        r.error = Some(catalogue::INVALID_CLIENT.diagnose("Halo refused the Client ID.", &[]));
        let r = r.finish(0);
        let exchanges = vec![
            Exchange {
                method: "POST",
                url: "https://acme.halopsa.com/auth/token?tenant=acme".into(),
                elapsed: Duration::from_millis(42),
                outcome: Outcome::Answered {
                    status: 401,
                    content_type: "application/json".into(),
                    server: Some("Microsoft-IIS/10.0".into()),
                    answerer: "an OAuth error object (Halo's Authorization Server)".into(),
                    body: Body::Json {
                        keys: vec!["error".into()],
                        items: None,
                        errors: vec![("error".into(), "invalid_client".into())],
                    },
                },
            },
            Exchange {
                method: "GET",
                url: "https://acme.halopsa.com/api/Client".into(),
                elapsed: Duration::from_millis(5000),
                outcome: Outcome::Failed {
                    detail: "No answer within 5 s.".into(),
                },
            },
        ];
        let preset = crate::domain::preset::lookup("billing").unwrap().clone();
        let results = vec![Finished {
            settings: s,
            preset,
            report: r,
        }];
        let text = bundle(&Run {
            command: "test",
            at: "2026-01-01T00:00:00Z",
            exchanges: &exchanges,
            results: &results,
            failure: None,
        });
        assert!(text.starts_with(BUNDLE_MARKER));
        let order = [
            "## Requests",
            "1. POST https://acme.halopsa.com/auth/token?tenant=acme — HTTP 401 in 42 ms (application/json, Server: Microsoft-IIS/10.0)",
            "   - body: JSON object with keys error; error: \"invalid_client\"",
            "2. GET https://acme.halopsa.com/api/Client — no answer after 5000 ms",
            "## Save and Test 1: profile `p`",
            "- Tenant: acme",
            "- Client Secret: given (never written here)",
            "- Result: failed with exit code 4 (auth, `invalid-client`)",
            "\"exit_code\": 4",
        ];
        let mut at = 0;
        for want in order {
            let found = text[at..]
                .find(want)
                .unwrap_or_else(|| panic!("missing {want:?} after byte {at} in\n{text}"));
            at += found + want.len();
        }
    }

    #[test]
    fn a_failure_before_any_request_is_told_too() {
        let details = vec!["missing: the Client ID".to_string()];
        let text = bundle(&Run {
            command: "init",
            at: "now",
            exchanges: &[],
            results: &[],
            failure: Some(Failure {
                kind: "config",
                message: "the Client ID is missing",
                hint: Some("give it"),
                details: &details,
            }),
        });
        assert!(text.contains("No request was sent."));
        assert!(text.contains("halo-connect stopped (config): the Client ID is missing"));
        assert!(text.contains("- missing: the Client ID"));
        assert!(text.contains("- fix: give it"));
    }
}

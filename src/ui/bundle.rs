//! The support bundle of `--report FILE`, as Markdown an operator can attach to an integration
//! vendor's ticket: halo-connect's version and the OS, the settings (never the secret), each
//! request as the recorder kept it, and the diagnosis with the report's JSON. Text only: the
//! recorder has already redacted what it kept, and `store::write_report` writes the file.

use crate::domain::preset::Preset;
use crate::domain::printable::printable;
use crate::domain::report::CheckReport;
use crate::domain::values::ConnectionSettings;
use crate::halo::record::{Body, Exchange, Outcome};

use super::render;

/// The first line of every bundle: `store::write_report` replaces a file only if it starts so.
pub const BUNDLE_MARKER: &str = "# halo-connect support bundle";

/// What a run comes to, for the bundle.
pub enum Ending<'a> {
    Report(&'a CheckReport),
    /// A failure before any report: kind, message, hint.
    Error {
        kind: &'a str,
        message: &'a str,
        hint: Option<&'a str>,
    },
}

/// Everything the bundle tells.
pub struct Run<'a> {
    /// The command as run (`test`, `init`), without its arguments: those may name files.
    pub command: &'a str,
    /// RFC 3339 time of writing.
    pub at: &'a str,
    pub settings: Option<&'a ConnectionSettings>,
    pub preset: Option<&'a Preset>,
    pub exchanges: &'a [Exchange],
    pub ending: Ending<'a>,
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
        "## Settings".to_string(),
        String::new(),
    ];
    match run.settings {
        Some(s) => {
            out.push(format!("- Resource Server: {}", s.resource_server.as_str()));
            out.push(format!(
                "- Authorization Server: {}",
                s.auth_server.as_str()
            ));
            out.push(format!(
                "- Tenant: {}",
                s.tenant.as_option().unwrap_or("Not set")
            ));
            out.push(format!("- Client ID: {}", s.client_id));
            out.push("- Client Secret: given (never written here)".to_string());
        }
        None => out.push("- (the values were refused before any request; see the result)".into()),
    }
    if let Some(p) = run.preset {
        out.push(format!(
            "- Preset: {} (scopes: {})",
            p.name,
            p.scopes.join(" ")
        ));
    }
    out.push(String::new());
    out.push("## Requests".to_string());
    out.push(String::new());
    if run.exchanges.is_empty() {
        out.push("No request was sent.".to_string());
    }
    for (i, e) in run.exchanges.iter().enumerate() {
        exchange(i + 1, e, &mut out);
    }
    out.push(String::new());
    out.push("## Result".to_string());
    out.push(String::new());
    match &run.ending {
        Ending::Report(r) => {
            match &r.error {
                None => out.push(format!("Passed (exit code 0) in {} ms.", r.elapsed_ms)),
                Some(e) => {
                    out.push(format!(
                        "Failed with exit code {} ({}, `{}`): {}",
                        r.exit_code,
                        e.kind().as_str(),
                        e.code(),
                        e.message
                    ));
                    for (i, h) in r.hints.iter().enumerate() {
                        out.push(format!("- {} {h}", if i == 0 { "fix:" } else { "also:" }));
                    }
                }
            }
            if let Some(inst) = &r.instance {
                out.push(format!("- Halo: {}, version {}", inst.name, inst.version));
            }
            out.push(String::new());
            out.push("```json".to_string());
            out.push(
                serde_json::to_string_pretty(&render::report_json(r, serde_json::json!({})))
                    .unwrap_or_default(),
            );
            out.push("```".to_string());
        }
        Ending::Error {
            kind,
            message,
            hint,
        } => {
            out.push(format!("Failed before any test ({kind}): {message}"));
            if let Some(h) = hint {
                out.push(format!("- fix: {h}"));
            }
        }
    }
    out.push(String::new());
    out.join("\n")
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
    use crate::domain::url::{normalize_auth_server, normalize_resource_server, Tenant};
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
        let mut r = CheckReport::new(
            "p",
            "billing",
            s.resource_server.as_str(),
            s.auth_server.as_str(),
            Some("acme"),
        );
        r.error = Some(catalogue::INVALID_CLIENT.diagnose("Halo refused the Client ID.", &[]));
        r.finish();
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
        let preset = crate::domain::preset::lookup("billing").unwrap();
        let text = bundle(&Run {
            command: "test",
            at: "2026-01-01T00:00:00Z",
            settings: Some(&s),
            preset: Some(preset),
            exchanges: &exchanges,
            ending: Ending::Report(&r),
        });
        assert!(text.starts_with(BUNDLE_MARKER));
        for want in [
            "## Settings",
            "- Tenant: acme",
            "- Client Secret: given (never written here)",
            "1. POST https://acme.halopsa.com/auth/token?tenant=acme — HTTP 401 in 42 ms (application/json, Server: Microsoft-IIS/10.0)",
            "   - body: JSON object with keys error; error: \"invalid_client\"",
            "2. GET https://acme.halopsa.com/api/Client — no answer after 5000 ms",
            "Failed with exit code 4 (auth, `invalid-client`)",
            "\"exit_code\": 4",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
    }

    #[test]
    fn a_failure_before_any_request_is_told_too() {
        let text = bundle(&Run {
            command: "init",
            at: "now",
            settings: None,
            preset: None,
            exchanges: &[],
            ending: Ending::Error {
                kind: "config",
                message: "the Client ID is missing",
                hint: Some("give it"),
            },
        });
        assert!(text.contains("No request was sent."));
        assert!(text.contains("Failed before any test (config): the Client ID is missing"));
    }
}

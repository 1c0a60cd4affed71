//! The recorder of a run's requests, for the support bundle (`--report FILE`). When one is
//! attached, the client appends every attempt: method, URL (no user info, secret-like query
//! values redacted), status or failure, time taken, content type, Server header, who answered,
//! and the body reduced to its JSON keys and error fields, or its first 200 bytes; and each
//! finished Save and Test with its settings and report. Every secret the
//! client sent (the Client Secret, each access token) is registered first and scrubbed from all
//! of it, so an answer that echoes one does not carry it into the file. It never writes a file.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use halo_connect_core::preset::Preset;
use halo_connect_core::printable::printable;
use halo_connect_core::report::CheckReport;
use halo_connect_core::secret::Secret;
use halo_connect_core::values::ConnectionSettings;

use super::answerer::{classify, describe, Answerer};
use super::client::Answer;
use super::diagnose;
use super::transport::Transport;

/// How much of a body that is not JSON the bundle keeps.
pub const BODY_BYTES: usize = 200;
/// JSON fields whose values the bundle keeps: the error fields of Halo's shapes (ASP.NET's `Message`, OAuth's `error`, and the rest).
const ERROR_FIELDS: &[&str] = &[
    "error",
    "error_description",
    "error_uri",
    "Message",
    "message",
    "ClassName",
    "errorMessage",
    "resultCode",
    "title",
    "detail",
    "status",
];
const REDACTED: &str = "[redacted]";

/// One attempt of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub method: &'static str,
    pub url: String,
    pub elapsed: Duration,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Answered {
        status: u16,
        content_type: String,
        server: Option<String>,
        /// Who answered, in words.
        answerer: String,
        body: Body,
    },
    /// No HTTP answer: what the failure was.
    Failed { detail: String },
}

/// A body as the bundle shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Empty,
    Json {
        /// The top-level keys (of the first element, for a list).
        keys: Vec<String>,
        /// How many elements, for a list.
        items: Option<usize>,
        errors: Vec<(String, String)>,
    },
    /// The first 200 bytes, printable.
    Text(String),
}

/// A finished Save and Test: its settings (never the secret), preset and report.
#[derive(Debug, Clone)]
pub struct Finished {
    pub settings: ConnectionSettings,
    pub preset: Preset,
    pub report: CheckReport,
}

/// Collects the exchanges of a run; shared by every clone of the client it is attached to.
#[derive(Default)]
pub struct Recorder {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    exchanges: Vec<Exchange>,
    finished: Vec<Finished>,
    scrub: Vec<Secret>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recorder({} exchanges)", self.lock().exchanges.len())
    }
}

impl Recorder {
    pub fn new() -> Arc<Recorder> {
        Arc::new(Recorder::default())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a secret the client is about to send, so no record ever holds it.
    pub(crate) fn scrub(&self, secret: &Secret) {
        let mut inner = self.lock();
        if !secret.is_empty() && !inner.scrub.iter().any(|s| s.expose() == secret.expose()) {
            inner.scrub.push(secret.clone());
        }
    }

    /// Records one attempt: its answer or its failure.
    pub(crate) fn record(
        &self,
        method: &'static str,
        url: &str,
        elapsed: Duration,
        result: Result<&Answer, &Transport>,
    ) {
        let outcome = match result {
            Ok(a) => Outcome::Answered {
                status: a.status,
                content_type: printable(&a.content_type, 80),
                server: a.header("server").map(|s| printable(s, 80)),
                answerer: who(a),
                body: body(a),
            },
            Err(t) => Outcome::Failed {
                detail: diagnose::transport(t, false, None).message,
            },
        };
        // The tokens an answer carries are secrets from now on: an error field of the same
        // answer, or any later text, that repeats one is scrubbed.
        if let Ok(a) = result {
            for token in tokens_in(a) {
                self.scrub(&token);
            }
        }
        let mut inner = self.lock();
        let scrub = |s: &str| scrubbed(s, &inner.scrub);
        let outcome = match outcome {
            Outcome::Answered {
                status,
                content_type,
                server,
                answerer,
                body,
            } => Outcome::Answered {
                status,
                content_type,
                server: server.map(|s| scrub(&s)),
                answerer: scrub(&answerer),
                body: match body {
                    Body::Text(t) => Body::Text(cut(&scrub(&t), BODY_BYTES)),
                    Body::Json {
                        keys,
                        items,
                        errors,
                    } => Body::Json {
                        keys: keys.iter().map(|k| scrub(k)).collect(),
                        items,
                        errors: errors.iter().map(|(k, v)| (scrub(k), scrub(v))).collect(),
                    },
                    Body::Empty => Body::Empty,
                },
            },
            Outcome::Failed { detail } => Outcome::Failed {
                detail: scrub(&detail),
            },
        };
        let url = scrub(&redact_url(url));
        inner.exchanges.push(Exchange {
            method,
            url,
            elapsed,
            outcome,
        });
    }

    /// `text` with every secret and token the run sent or was given scrubbed, whole or quoted:
    /// the last pass over the bundle, whose report part comes from the answers too.
    pub fn scrubbed(&self, text: &str) -> String {
        scrubbed(text, &self.lock().scrub)
    }

    /// Every exchange so far, in the order they finished.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.lock().exchanges.clone()
    }

    /// Records a finished Save and Test.
    pub(crate) fn finished(
        &self,
        settings: &ConnectionSettings,
        preset: &Preset,
        report: &CheckReport,
    ) {
        self.lock().finished.push(Finished {
            settings: settings.clone(),
            preset: preset.clone(),
            report: report.clone(),
        });
    }

    /// Every Save and Test of the run, in order.
    pub fn results(&self) -> Vec<Finished> {
        self.lock().finished.clone()
    }
}

/// The tokens of a token answer (`access_token`, `id_token`, `refresh_token`), wherever they
/// stand in its JSON object.
fn tokens_in(a: &Answer) -> Vec<Secret> {
    let Some(serde_json::Value::Object(o)) = a.json() else {
        return Vec::new();
    };
    ["access_token", "id_token", "refresh_token"]
        .iter()
        .filter_map(|k| o.get(*k)?.as_str())
        .filter(|t| t.len() >= 8)
        .map(Secret::new)
        .collect()
}

fn who(a: &Answer) -> String {
    let kind = match classify(a) {
        Answerer::OAuth { .. } => "an OAuth error object (Halo's Authorization Server)".to_string(),
        Answerer::HaloApi { .. } => "JSON (Halo)".to_string(),
        Answerer::BrokenJson => "JSON that does not parse".to_string(),
        Answerer::HaloWeb { sign_in: true } => "Halo's sign-in page".to_string(),
        Answerer::HaloWeb { sign_in: false } => "a page of Halo's web interface".to_string(),
        Answerer::WebServer { server, substatus } => match substatus {
            Some(s) => format!("{}'s own page (sub-status {}.{s})", server.name(), a.status),
            None => format!("{}'s own page", server.name()),
        },
        Answerer::Front { front, action, .. } => format!("{} ({action:?})", front.name()),
        Answerer::Empty => "an empty body".to_string(),
        Answerer::Unknown => format!("not recognised: {}", describe(a)),
    };
    printable(&kind, 300)
}

fn body(a: &Answer) -> Body {
    if a.body.iter().all(u8::is_ascii_whitespace) {
        return Body::Empty;
    }
    if let Some(v) = a.json().filter(|_| a.is_json()) {
        let (obj, items) = match &v {
            serde_json::Value::Array(list) => {
                (list.first().and_then(|f| f.as_object()), Some(list.len()))
            }
            other => (other.as_object(), None),
        };
        let keys = obj
            .map(|o| o.keys().take(50).map(|k| printable(k, 60)).collect())
            .unwrap_or_default();
        let errors = obj
            .map(|o| {
                ERROR_FIELDS
                    .iter()
                    .filter_map(|f| {
                        let val = o.get(*f)?;
                        let text = val
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| val.to_string());
                        Some((f.to_string(), printable(&text, 300)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Body::Json {
            keys,
            items,
            errors,
        };
    }
    // More than 200 bytes are read, so a secret cut at the boundary is still scrubbed whole.
    let head = &a.body[..a.body.len().min(BODY_BYTES + 1024)];
    Body::Text(printable(&String::from_utf8_lossy(head), BODY_BYTES + 1024))
}

/// `s` with every registered secret replaced, whole or cut.
fn scrubbed(s: &str, secrets: &[Secret]) -> String {
    secrets
        .iter()
        .fold(s.to_string(), |out, secret| secret.scrub(&out, REDACTED))
}

/// The first `max` bytes of `s`, cut at a character boundary.
fn cut(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// A URL without user info or fragment, and with secret-like query values redacted.
fn redact_url(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return printable(url, 300);
    };
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_fragment(None);
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let lower = k.to_ascii_lowercase();
            let secret = ["secret", "token", "password", "key", "code", "sig"]
                .iter()
                .any(|w| lower.contains(w));
            (
                k.into_owned(),
                if secret {
                    REDACTED.to_string()
                } else {
                    v.into_owned()
                },
            )
        })
        .collect();
    if !pairs.is_empty() {
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    printable(u.as_str(), 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, ctype: &str, body: &str) -> Answer {
        Answer {
            url: "https://acme.halopsa.com/auth/token".into(),
            status,
            content_type: ctype.into(),
            body: body.as_bytes().to_vec(),
            location: None,
            attempts: 1,
            headers: vec![("server".into(), "Microsoft-IIS/10.0".into())],
        }
    }

    fn only(rec: &Recorder) -> Exchange {
        let all = rec.exchanges();
        assert_eq!(all.len(), 1);
        all[0].clone()
    }

    #[test]
    fn a_token_answer_keeps_its_keys_and_never_the_token() {
        let rec = Recorder::default();
        let token = "eyJhbGciOiJSUzI1NiJ9.secret-token-value";
        let a = answer(
            200,
            "application/json",
            &format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#),
        );
        rec.record("POST", &a.url, Duration::from_millis(12), Ok(&a));
        let e = only(&rec);
        let text = format!("{e:?}");
        assert!(!text.contains(token), "{text}");
        match e.outcome {
            Outcome::Answered {
                status,
                body: Body::Json { keys, errors, .. },
                server,
                ..
            } => {
                assert_eq!(status, 200);
                assert_eq!(keys, ["access_token", "expires_in", "token_type"]);
                assert!(errors.is_empty());
                assert_eq!(server.as_deref(), Some("Microsoft-IIS/10.0"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn error_fields_are_kept_and_echoed_secrets_scrubbed() {
        let rec = Recorder::default();
        let secret = Secret::new("3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37-8e2b6d40");
        rec.scrub(&secret);
        let a = answer(
            401,
            "application/json",
            r#"{"error":"invalid_client","error_description":"bad secret 3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37-8e2b6d40"}"#,
        );
        rec.record(
            "POST",
            "https://u:p@acme.halopsa.com/auth/token?tenant=acme&client_secret=x#f",
            Duration::ZERO,
            Ok(&a),
        );
        let e = only(&rec);
        assert_eq!(
            e.url,
            "https://acme.halopsa.com/auth/token?tenant=acme&client_secret=%5Bredacted%5D"
        );
        let text = format!("{e:?}");
        assert!(!text.contains(secret.expose()), "{text}");
        assert!(text.contains("invalid_client"));
        assert!(text.contains("bad secret [redacted]"));
    }

    #[test]
    fn other_bodies_keep_their_first_200_bytes_printable() {
        let rec = Recorder::default();
        let secret = Secret::new("SECRETSECRETSECRET");
        rec.scrub(&secret);
        let body = format!("{}\u{1b}[2J{}SECRETSECRETSECRET", "a".repeat(190), "");
        let a = answer(403, "text/html", &body);
        rec.record("GET", &a.url, Duration::ZERO, Ok(&a));
        let Outcome::Answered {
            body: Body::Text(t),
            ..
        } = only(&rec).outcome
        else {
            panic!()
        };
        assert!(t.len() <= BODY_BYTES, "{}", t.len());
        assert!(!t.contains('\u{1b}'));
        assert!(!t.contains("SECRETSEC"), "{t}");
    }

    #[test]
    fn failures_and_lists_are_recorded() {
        let rec = Recorder::default();
        let t = Transport::Refused {
            host: "acme.halopsa.com".into(),
        };
        rec.record(
            "GET",
            "https://acme.halopsa.com/api/Client",
            Duration::from_secs(1),
            Err(&t),
        );
        let list = answer(200, "application/json", r#"[{"id":1,"name":"A"},{"id":2}]"#);
        rec.record(
            "GET",
            "https://acme.halopsa.com/api/Team",
            Duration::ZERO,
            Ok(&list),
        );
        let all = rec.exchanges();
        assert!(
            matches!(&all[0].outcome, Outcome::Failed { detail } if detail.contains("refused"))
        );
        assert!(
            matches!(&all[1].outcome, Outcome::Answered { body: Body::Json { items: Some(2), keys, .. }, .. } if keys == &["id", "name"])
        );
        assert_eq!(format!("{rec:?}"), "Recorder(2 exchanges)");
    }
}

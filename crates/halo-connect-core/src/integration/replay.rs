//! The report of `test --as NAME`: the integration's token request as it was sent (URL, scope
//! string, body encoding; never the secret), what Halo answered, and each first read with the list
//! and fields its code maps. `judge_read` decides a read from its status and body alone. Pure.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value as Json;

use super::{Integration, ReadPlan};
use crate::catalogue;
use crate::report::Diagnosis;

/// A request halo-connect made the way the integration makes it, and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Step {
    /// POST for the token request, GET for a read.
    #[schemars(extend("enum" = ["GET", "POST"]))]
    pub method: &'static str,
    pub url: String,
    /// The HTTP status; None when no answer came.
    pub status: Option<u16>,
    pub ok: bool,
}

/// The token request as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TokenSeen {
    #[serde(flatten)]
    pub step: Step,
    /// The scope string, as sent.
    pub scope: String,
    /// The tenant sent as `?tenant=`, as sent; None when none was.
    pub tenant: Option<String>,
    #[schemars(extend("const" = "application/x-www-form-urlencoded"))]
    pub content_type: &'static str,
    pub granted_scopes: Vec<String>,
}

/// One first read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ReadSeen {
    pub path: String,
    #[serde(flatten)]
    pub step: Step,
    /// The list key it maps ("" a bare array, "-" one object).
    pub list_key: String,
    /// How many records the list had.
    pub records: Option<usize>,
    /// Fields the integration reads that the first record lacks.
    pub missing_fields: Vec<String>,
    pub detail: String,
}

/// A usual slip in the form, tried without credentials: where the integration would then post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PitfallSeen {
    /// What was typed or chosen otherwise, in the form's words.
    pub typed: String,
    pub url: String,
    pub status: Option<u16>,
    /// Whether Halo's answer shows the token endpoint is not there (404, a page, a server error).
    pub breaks: bool,
    pub why: String,
}

/// The whole result of `test --as NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ReplayReport {
    pub profile: String,
    pub integration: String,
    pub ok: bool,
    pub exit_code: i32,
    pub authinfo: Option<Step>,
    pub token: Option<TokenSeen>,
    pub reads: Vec<ReadSeen>,
    /// The usual slips in the form and what Halo answers to each (sent without credentials).
    pub pitfalls: Vec<PitfallSeen>,
    pub error: Option<Diagnosis>,
    pub hints: Vec<String>,
    pub notes: Vec<String>,
}

impl ReplayReport {
    pub fn new(profile: &str, i: &Integration) -> ReplayReport {
        ReplayReport {
            profile: profile.to_string(),
            integration: i.name.clone(),
            ok: true,
            exit_code: 0,
            authinfo: None,
            token: None,
            reads: Vec::new(),
            pitfalls: Vec::new(),
            error: None,
            hints: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Records a failure: the first decides the exit code, each adds its fix to the hints.
    pub fn fail(&mut self, d: Diagnosis) {
        if !self.hints.contains(&d.hint) {
            self.hints.push(d.hint.clone());
        }
        if self.error.is_none() {
            self.ok = false;
            self.exit_code = d.kind().exit_code();
            self.error = Some(d);
        }
    }
}

/// What one answer to a read was, without HTTP types.
pub struct ReadAnswer<'a> {
    pub status: u16,
    pub json: Option<&'a Json>,
    /// A short description of a body that is not JSON ("an HTML page").
    pub not_json: &'a str,
}

/// Decides one read: its row, and the failure to record if it failed.
pub fn judge_read(
    i: &Integration,
    plan: &ReadPlan,
    answer: &ReadAnswer<'_>,
) -> (ReadSeen, Option<Diagnosis>) {
    let who = i.short_name();
    let mut seen = ReadSeen {
        path: plan.path.clone(),
        step: Step {
            method: "GET",
            url: plan.url.clone(),
            status: Some(answer.status),
            ok: false,
        },
        list_key: plan.list_key.clone(),
        records: None,
        missing_fields: Vec::new(),
        detail: String::new(),
    };
    let fix_words = field_words(i);
    let status = answer.status;
    if status == 401 || status == 403 {
        seen.detail = format!("Halo refused the read with {status}.");
        let d = catalogue::INTEGRATION_READ_DENIED.diagnose(
            format!(
                "{who} reads {} first, and Halo refused it with {status}.",
                plan.url
            ),
            &[("integration", who), ("fix", &i.ticks.join(", "))],
        );
        return (seen, Some(d));
    }
    let failed = |seen: &mut ReadSeen, what: String| {
        seen.detail = what.clone();
        catalogue::INTEGRATION_READ_FAILED.diagnose(
            format!("{who} reads {} first: {what}", plan.url),
            &[("fix", &fix_words)],
        )
    };
    if !(200..300).contains(&status) {
        let d = failed(
            &mut seen,
            format!("Halo answered {status} ({}).", answer.not_json),
        );
        return (seen, Some(d));
    }
    let Some(json) = answer.json else {
        let d = failed(
            &mut seen,
            format!("the answer is {}, not JSON.", answer.not_json),
        );
        return (seen, Some(d));
    };
    let records: Vec<&Json> = match plan.list_key.as_str() {
        "-" => json.as_object().map(|_| vec![json]).unwrap_or_default(),
        "" => match json.as_array() {
            Some(a) => a.iter().collect(),
            None => {
                let d = failed(
                    &mut seen,
                    format!("{who} maps the answer as a list, and Halo's answer is not one."),
                );
                return (seen, Some(d));
            }
        },
        key => match json.get(key).and_then(Json::as_array) {
            Some(a) => a.iter().collect(),
            None => {
                let d = failed(
                    &mut seen,
                    format!("{who} maps the list `{key}`, which Halo's answer lacks."),
                );
                return (seen, Some(d));
            }
        },
    };
    seen.records = Some(records.len());
    if let Some(first) = records.first() {
        seen.missing_fields = plan
            .fields
            .iter()
            .filter(|f| first.get(f.as_str()).is_none())
            .cloned()
            .collect();
    }
    if !seen.missing_fields.is_empty() {
        let missing = seen.missing_fields.join(", ");
        let d = failed(
            &mut seen,
            format!("{who} reads {missing} from each record, which Halo's records lack."),
        );
        return (seen, Some(d));
    }
    seen.step.ok = true;
    seen.detail = if records.is_empty() {
        "The list is empty: the agent may not see any record (check its role's restrictions)."
            .into()
    } else {
        format!("{} record(s), with the fields {who} reads.", records.len())
    };
    (seen, None)
}

/// Where the integration was given the Resource Server, for a read's fix.
fn field_words(i: &Integration) -> String {
    match i.field(super::Value::ResourceServer) {
        Some(f) => format!("its field \"{}\"", f.label),
        None => "it derives it from the address it was given".into(),
    }
}

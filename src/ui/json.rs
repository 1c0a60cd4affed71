//! The `--json` contract as types: every JSON object a command prints is one of these `Serialize`
//! structs, built once from the command's result and never patched afterwards. docs/cli.md and
//! docs/schema/ describe the same shapes; a test validates real output against the schema. It
//! holds no secret except the access token `token --json` and the Client Secret
//! `export --with-secret` are asked for.

use serde::Serialize;

use crate::domain::handoff::{Handoff, Row};
use crate::domain::kind::Kind;
use crate::domain::profile::{LastTest, Profile};
use crate::domain::report::{
    AgentInfo, CheckReport, Diagnosis, InstanceInfo, PermissionRow, ReadinessRow, TokenInfo,
};
use crate::error::AppError;

/// The contract's version; every report and error object carries it.
pub const SCHEMA_VERSION: u32 = 1;

/// `error`: a diagnosis of the test, or the failure that ended the command.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ErrorObject<'a> {
    Diagnosis(&'a Diagnosis),
    Command(CommandError<'a>),
}

#[derive(Debug, Serialize)]
pub struct CommandError<'a> {
    pub kind: Kind,
    pub message: &'a str,
    pub hint: Option<&'a str>,
    pub details: &'a [String],
}

impl<'a> From<&'a AppError> for CommandError<'a> {
    fn from(e: &'a AppError) -> Self {
        CommandError {
            kind: e.kind,
            message: &e.message,
            hint: e.hint.as_deref(),
            details: &e.details,
        }
    }
}

/// A command that failed before or instead of a test.
#[derive(Debug, Serialize)]
pub struct ErrorOutput<'a> {
    pub schema_version: u32,
    pub profile: &'a str,
    pub ok: bool,
    pub exit_code: i32,
    pub error: CommandError<'a>,
}

impl<'a> ErrorOutput<'a> {
    pub fn new(profile: &'a str, e: &'a AppError) -> Self {
        ErrorOutput {
            schema_version: SCHEMA_VERSION,
            profile,
            ok: false,
            exit_code: e.exit_code(),
            error: e.into(),
        }
    }
}

/// What `init` adds to its report.
#[derive(Debug, Serialize)]
pub struct InitFacts<'a> {
    pub saved: bool,
    pub dry_run: bool,
    pub tested: bool,
    pub config_path: String,
    pub secret_store: &'a str,
    pub sandbox: bool,
    /// After a passing Save and Test: what to type into the integration's form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handoff: Option<HandoffCard<'a>>,
}

/// The report of one Save and Test (`test`, `init`, each element of `test --all`).
#[derive(Debug, Serialize)]
pub struct ReportOutput<'a> {
    pub schema_version: u32,
    pub profile: &'a str,
    pub ok: bool,
    pub exit_code: i32,
    pub preset: &'a str,
    pub resource_server: &'a str,
    pub auth_server: &'a str,
    pub tenant: Option<&'a str>,
    pub token: &'a TokenInfo,
    pub agent: Option<&'a AgentInfo>,
    pub instance: Option<&'a InstanceInfo>,
    pub permissions: &'a [PermissionRow],
    pub readiness: &'a [ReadinessRow],
    pub error: Option<ErrorObject<'a>>,
    pub hints: &'a [String],
    pub notes: &'a [String],
    pub elapsed_ms: u64,
    /// Boxed: `init`'s facts (with its hand-off card) would make every `test` report large.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub init: Option<Box<InitFacts<'a>>>,
}

impl<'a> ReportOutput<'a> {
    pub fn new(r: &'a CheckReport) -> Self {
        ReportOutput {
            schema_version: r.schema_version,
            profile: &r.profile,
            ok: r.ok,
            exit_code: r.exit_code,
            preset: &r.preset,
            resource_server: &r.resource_server,
            auth_server: &r.auth_server,
            tenant: r.tenant.as_deref(),
            token: &r.token,
            agent: r.agent.as_ref(),
            instance: r.instance.as_ref(),
            permissions: &r.permissions,
            readiness: &r.readiness,
            error: r.error.as_ref().map(ErrorObject::Diagnosis),
            hints: &r.hints,
            notes: &r.notes,
            elapsed_ms: r.elapsed_ms,
            init: None,
        }
    }

    /// `init`'s report: the test's, then whether it was saved. A save that failed decides `ok`,
    /// `exit_code` and `error`, since nothing was stored.
    pub fn init(
        r: &'a CheckReport,
        facts: InitFacts<'a>,
        save_error: Option<&'a AppError>,
    ) -> Self {
        let mut out = ReportOutput::new(r);
        if let Some(e) = save_error {
            out.ok = false;
            out.exit_code = e.exit_code();
            out.error = Some(ErrorObject::Command(e.into()));
        }
        out.init = Some(Box::new(facts));
        out
    }
}

/// One element of `test --all`: a report, or the error that kept a profile from being tested.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum FleetEntry<'a> {
    Report(Box<ReportOutput<'a>>),
    Error(ErrorOutput<'a>),
}

impl FleetEntry<'_> {
    pub fn exit_code(&self) -> i32 {
        match self {
            FleetEntry::Report(r) => r.exit_code,
            FleetEntry::Error(e) => e.exit_code,
        }
    }
}

/// One line of `list --json`.
#[derive(Debug, Serialize)]
pub struct ListEntry<'a> {
    pub profile: &'a str,
    pub preset: &'a str,
    pub resource_server: &'a str,
    pub tenant: Option<&'a str>,
    pub secret_store: &'a str,
    pub sandbox: bool,
    pub last_test: Option<&'a LastTest>,
}

impl<'a> ListEntry<'a> {
    pub fn new(name: &'a str, p: &'a Profile) -> Self {
        ListEntry {
            profile: name,
            preset: &p.preset,
            resource_server: &p.resource_server,
            tenant: p.tenant.as_deref(),
            secret_store: p.secret_store.as_str(),
            sandbox: p.sandbox,
            last_test: p.last_test.as_ref(),
        }
    }
}

/// One value of `show --json`: the value (never the secret's) and where it comes from.
#[derive(Debug, Serialize)]
pub struct ShownValue {
    pub value: Option<String>,
    pub source: String,
}

/// `show --json`.
#[derive(Debug, Serialize)]
pub struct ShowOutput<'a> {
    pub profile: &'a str,
    pub config_path: String,
    pub secret_store: &'a str,
    pub sandbox: bool,
    /// `hosted` or `on-premise`; null for a profile saved before it was kept.
    pub hosting: Option<&'static str>,
    pub scopes: &'a [String],
    pub ca_cert: Option<&'a str>,
    pub last_test: Option<&'a LastTest>,
    pub values: std::collections::BTreeMap<&'static str, ShownValue>,
}

/// `token --json`: the one output that holds a secret, because it was asked for.
#[derive(Debug, Serialize)]
pub struct TokenOutput<'a> {
    pub profile: &'a str,
    pub access_token: &'a str,
    pub token_type: &'static str,
    pub expires_in: Option<i64>,
    pub scope: &'a [String],
}

/// `handoff --json`: the card, under the contract's version.
#[derive(Debug, Serialize)]
pub struct HandoffOutput<'a> {
    pub schema_version: u32,
    #[serde(flatten)]
    pub card: HandoffCard<'a>,
}

impl<'a> HandoffOutput<'a> {
    pub fn new(h: &'a Handoff) -> Self {
        HandoffOutput {
            schema_version: SCHEMA_VERSION,
            card: HandoffCard::new(h),
        }
    }
}

/// The hand-off card (also `init --json`'s `handoff`): each value in every shape forms ask for.
#[derive(Debug, Serialize)]
pub struct HandoffCard<'a> {
    pub profile: &'a str,
    pub preset: &'a str,
    /// `api-details` (the five values) or `sign-in-address`.
    pub asks_for: &'static str,
    /// `hosted` or `on-premise`; null for a profile saved before it was kept.
    pub hosting: Option<&'static str>,
    pub warnings: &'a [String],
    pub values: Vec<HandoffValue<'a>>,
}

impl<'a> HandoffCard<'a> {
    pub fn new(h: &'a Handoff) -> Self {
        HandoffCard {
            profile: &h.profile,
            preset: &h.preset,
            asks_for: h.asks.as_str(),
            hosting: h.hosting.map(|x| x.as_str()),
            warnings: &h.warnings,
            values: h.rows.iter().map(HandoffValue::new).collect(),
        }
    }
}

/// One value of the card; `forms` maps each shape (`full_url`, `host`, `with_slash`,
/// `without_slash`, `name`, `not_set`, `empty`, `value`, `last_4`) to the text to type.
#[derive(Debug, Serialize)]
pub struct HandoffValue<'a> {
    pub field: &'static str,
    pub title: &'static str,
    pub labels: &'static [&'static str],
    /// Whether the preset's integrations ask for it.
    pub asked: bool,
    pub forms: std::collections::BTreeMap<&'static str, &'a str>,
    pub rule: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stored_in: Option<&'a str>,
}

impl<'a> HandoffValue<'a> {
    fn new(r: &'a Row) -> Self {
        HandoffValue {
            field: r.item.key(),
            title: r.item.title(),
            labels: r.item.labels(),
            asked: r.asked,
            forms: r
                .forms
                .iter()
                .map(|f| (f.shape.key(), f.value.as_str()))
                .collect(),
            rule: &r.rule,
            stored_in: r.stored_in.as_deref(),
        }
    }
}

/// `export --format json`: one object of `HALO_*` names to values, in the given order. It holds
/// the Client Secret only when `--with-secret` put it in.
#[derive(Debug)]
pub struct ExportOutput<'a>(pub &'a [(&'a str, &'a str)]);

impl Serialize for ExportOutput<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Pretty JSON of any output type. Serializing these types cannot fail: every map key is a string.
pub fn to_string<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| {
        format!("{{\"schema_version\":1,\"ok\":false,\"exit_code\":1,\"error\":{{\"kind\":\"internal\",\"message\":\"the JSON output could not be written: {e}\"}}}}")
    })
}

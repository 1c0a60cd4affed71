//! The `--json` contract as types: every JSON object a command prints is one of these `Serialize`
//! structs, built once from the command's result and never patched afterwards. docs/cli.md and
//! docs/schema/ describe the same shapes; a test validates real output against the schema. It
//! holds no secret except the access token `token --json` is asked for.

use serde::Serialize;

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
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub init: Option<InitFacts<'a>>,
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
        out.init = Some(facts);
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

/// Pretty JSON of any output type. Serializing these types cannot fail: every map key is a string.
pub fn to_string<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| {
        format!("{{\"schema_version\":1,\"ok\":false,\"exit_code\":1,\"error\":{{\"kind\":\"internal\",\"message\":\"the JSON output could not be written: {e}\"}}}}")
    })
}

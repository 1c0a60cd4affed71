//! The `--json` contract as types: every JSON object a command prints is one of these `Serialize`
//! and `JsonSchema` types, built once from the command's result and never patched afterwards (a
//! report is the finished `CheckReport` itself, wrapped, never copied). docs/schema/ is generated
//! from them (`json/schema.rs`) and docs/cli.md describes them; `json/write.rs` writes them. It
//! holds no secret except the access token `token --json` and the Client Secret
//! `export --with-secret` are asked for.

use schemars::JsonSchema;
use serde::Serialize;

use crate::domain::preset::Preset;
use crate::domain::profile::{Hosting, LastTest, Profile, SecretStoreKind};
use crate::domain::report::{CheckReport, Failure};
use crate::error::AppError;

mod handoff;
mod schema;
mod write;

pub use handoff::{FormHandoffOutput, HandoffCard, HandoffOutput};

pub use schema::{schema_files, SchemaFile};
pub use write::{to_line, to_string};

/// The contract's version; every report and error object carries it.
pub const SCHEMA_VERSION: u32 = 1;

/// A command that failed before or instead of a test.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = crate::domain::kind::outcome_schema)]
pub struct ErrorOutput<'a> {
    #[schemars(schema_with = "schema_version")]
    pub schema_version: u32,
    /// The profile the command would have used.
    pub profile: &'a str,
    #[schemars(extend("const" = false))]
    pub ok: bool,
    pub exit_code: i32,
    pub error: Failure,
}

impl<'a> ErrorOutput<'a> {
    pub fn new(profile: &'a str, e: &AppError) -> Self {
        ErrorOutput {
            schema_version: SCHEMA_VERSION,
            profile,
            ok: false,
            exit_code: e.exit_code(),
            error: e.failure(),
        }
    }
}

/// The report of one Save and Test (`test`, `secret set`, each element of `test --all`): the
/// finished `CheckReport` as it serializes itself, under the contract's version.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReportOutput<'a> {
    #[schemars(schema_with = "schema_version")]
    pub schema_version: u32,
    #[serde(flatten)]
    pub report: &'a CheckReport,
}

impl<'a> ReportOutput<'a> {
    pub fn new(report: &'a CheckReport) -> Self {
        ReportOutput {
            schema_version: SCHEMA_VERSION,
            report,
        }
    }
}

/// `init --json`: the report of its Save and Test (`CheckReport::unsaved` when the save failed),
/// then what was saved where.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InitOutput<'a> {
    #[schemars(schema_with = "schema_version")]
    pub schema_version: u32,
    #[serde(flatten)]
    pub report: &'a CheckReport,
    #[serde(flatten)]
    pub facts: InitFacts<'a>,
}

impl<'a> InitOutput<'a> {
    pub fn new(report: &'a CheckReport, facts: InitFacts<'a>) -> Self {
        InitOutput {
            schema_version: SCHEMA_VERSION,
            report,
            facts,
        }
    }
}

/// What `init` adds to its report.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InitFacts<'a> {
    /// The profile was written.
    pub saved: bool,
    pub dry_run: bool,
    /// Save and Test ran (false with --skip-test).
    pub tested: bool,
    pub config_path: String,
    #[schemars(with = "SecretStoreKind")]
    pub secret_store: &'a str,
    /// The profile is a sandbox profile (init --sandbox).
    pub sandbox: bool,
    /// After a passing Save and Test: what to type into the integration's form, as
    /// `halo-connect handoff --json` gives it (absent after a failed test).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "HandoffCard")]
    pub handoff: Option<HandoffCard<'a>>,
}

/// One element of `test --all`: a report, or the error that kept a profile from being tested.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum FleetEntry<'a> {
    Report(ReportOutput<'a>),
    Error(ErrorOutput<'a>),
}

impl FleetEntry<'_> {
    pub fn exit_code(&self) -> i32 {
        match self {
            FleetEntry::Report(r) => r.report.exit_code(),
            FleetEntry::Error(e) => e.exit_code,
        }
    }
}

/// One line of `list --json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ListEntry<'a> {
    pub profile: &'a str,
    pub preset: &'a str,
    pub resource_server: &'a str,
    pub tenant: Option<&'a str>,
    #[schemars(with = "SecretStoreKind")]
    pub secret_store: &'a str,
    pub sandbox: bool,
    /// The last Save and Test of this profile, or null if never tested.
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
#[derive(Debug, Serialize, JsonSchema)]
pub struct ShownValue {
    pub value: Option<String>,
    pub source: String,
}

/// `show --json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ShowOutput<'a> {
    pub profile: &'a str,
    pub config_path: String,
    #[schemars(with = "SecretStoreKind")]
    pub secret_store: &'a str,
    pub sandbox: bool,
    /// Where Halo runs, as the wizard was told (or as the Tenant shows); null for a profile saved
    /// before it was kept.
    #[schemars(with = "Option<Hosting>")]
    pub hosting: Option<&'static str>,
    pub scopes: &'a [String],
    pub ca_cert: Option<&'a str>,
    /// The last Save and Test of this profile, or null if never tested.
    pub last_test: Option<&'a LastTest>,
    /// Each value of the profile and where it comes from; the Client Secret's `value` is null.
    #[schemars(schema_with = "shown_values")]
    pub values: std::collections::BTreeMap<&'static str, ShownValue>,
}

/// One element of `status --json` (and one line of `status`): whether the profile could be
/// tested now, its last test, and what to run next.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StatusEntry<'a> {
    pub profile: &'a str,
    pub default: bool,
    #[schemars(with = "SecretStoreKind")]
    pub secret_store: &'static str,
    /// Whether a test could run now: the secret is where the profile says.
    pub secret_present: bool,
    pub secret: String,
    /// Whether the stored secret is bound to the servers and Client ID it was tested with; null
    /// when none is stored (store `none`, the emulator's).
    pub secret_bound: Option<bool>,
    /// The last Save and Test of this profile, or null if never tested.
    pub last_test: Option<&'a LastTest>,
    /// Seconds since the last test, when its time reads.
    pub last_test_age_s: Option<i64>,
    pub next: String,
}

/// One element of `presets --json` (its keys in alphabetical order, as they always were).
#[derive(Debug, Serialize, JsonSchema)]
pub struct PresetLine<'a> {
    pub name: &'a str,
    pub scopes: &'a [String],
    pub summary: &'a str,
    pub title: &'a str,
}

impl<'a> PresetLine<'a> {
    pub fn new(p: &'a Preset) -> Self {
        PresetLine {
            name: &p.name,
            scopes: &p.scopes,
            summary: &p.summary,
            title: &p.title,
        }
    }
}

/// `presets show NAME --json` and `checklist --format json`: the whole preset, in the shape
/// `--preset-file` reads back.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct PresetOutput<'a> {
    pub preset: &'a Preset,
}

/// `use --json`: the profile commands act on when none is named.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UseOutput<'a> {
    pub default_profile: &'a str,
}

/// `remove --json`: the profile removed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RemoveOutput<'a> {
    pub profile: &'a str,
    #[schemars(extend("const" = true))]
    pub removed: bool,
}

/// `sandbox --json`: one line when the emulator is up: the five values, the scenario, the TLS
/// mode and the CA file (keys in alphabetical order, as they always were). The secret is the
/// emulator's public demo secret, or null when `HALO_SANDBOX_SECRET` gave it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SandboxOutput<'a> {
    pub auth_server: String,
    pub ca_cert: Option<String>,
    pub client_id: &'a str,
    pub client_secret: Option<&'a str>,
    pub resource_server: String,
    pub scenario: &'static str,
    pub tenant: &'a str,
    #[schemars(extend("enum" = ["off", "valid", "incomplete-chain", "expired", "wrong-host"]))]
    pub tls: &'static str,
}

/// `token --json`: the one output that holds a secret, because it was asked for.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TokenOutput<'a> {
    pub profile: &'a str,
    #[schemars(length(min = 1))]
    pub access_token: &'a str,
    pub token_type: &'static str,
    pub expires_in: Option<i64>,
    pub scope: &'a [String],
}

/// `test --as NAME --json`: the integration's own requests and Halo's answers.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReplayOutput<'a> {
    #[schemars(schema_with = "schema_version")]
    pub schema_version: u32,
    #[serde(flatten)]
    pub report: &'a crate::domain::integration::replay::ReplayReport,
}

impl<'a> ReplayOutput<'a> {
    pub fn new(report: &'a crate::domain::integration::replay::ReplayReport) -> Self {
        ReplayOutput {
            schema_version: SCHEMA_VERSION,
            report,
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

/// `HALO_*` names, each to its value; the three a connection cannot do without always there.
impl JsonSchema for ExportOutput<'_> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ExportOutput".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        use crate::domain::field::env;
        schemars::json_schema!({
            "type": "object",
            "propertyNames": { "pattern": "^HALO_[A-Z_]+$" },
            "additionalProperties": { "type": "string" },
            "required": [env::RESOURCE_SERVER, env::AUTH_SERVER, env::CLIENT_ID]
        })
    }
}

/// `schema_version`: always the contract's version.
fn schema_version(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "const": SCHEMA_VERSION })
}

/// `show --json`'s `values`: the six values by name; the secret's `value` is always null.
fn shown_values(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let value = generator.subschema_for::<ShownValue>();
    let secret =
        serde_json::json!({ "allOf": [value], "properties": { "value": { "const": null } } });
    schemars::json_schema!({
        "type": "object",
        "required": ["auth_server", "client_id", "client_secret", "preset", "resource_server", "tenant"],
        "properties": {
            "auth_server": value, "client_id": value, "client_secret": secret,
            "preset": value, "resource_server": value, "tenant": value
        },
        "additionalProperties": false
    })
}

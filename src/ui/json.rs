//! The `--json` contract as types: every JSON object a command prints is one of these `Serialize`
//! structs, built once from the command's result and never patched afterwards. docs/cli.md and
//! docs/schema/ describe the same shapes; a test validates real output against the schema. It
//! holds no secret except the access token `token --json` and the Client Secret
//! `export --with-secret` are asked for.

use serde::Serialize;

use crate::domain::handoff::{Handoff, Row};
use crate::domain::preset::Preset;
use crate::domain::profile::{LastTest, Profile};
use crate::domain::report::{CheckReport, Failure};
use crate::error::AppError;

/// The contract's version; every report and error object carries it.
pub const SCHEMA_VERSION: u32 = 1;

/// A command that failed before or instead of a test.
#[derive(Debug, Serialize)]
pub struct ErrorOutput<'a> {
    pub schema_version: u32,
    pub profile: &'a str,
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
#[derive(Debug, Serialize)]
pub struct ReportOutput<'a> {
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
#[derive(Debug, Serialize)]
pub struct InitOutput<'a> {
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

/// One element of `test --all`: a report, or the error that kept a profile from being tested.
#[derive(Debug, Serialize)]
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

/// One element of `status --json` (and one line of `status`): whether the profile could be
/// tested now, its last test, and what to run next.
#[derive(Debug, Serialize)]
pub struct StatusEntry<'a> {
    pub profile: &'a str,
    pub default: bool,
    pub secret_store: &'static str,
    /// Whether a test could run now: the secret is where the profile says.
    pub secret_present: bool,
    pub secret: String,
    /// Whether the stored secret is bound to the servers and Client ID it was tested with; null
    /// when none is stored (store `none`, the emulator's).
    pub secret_bound: Option<bool>,
    pub last_test: Option<&'a LastTest>,
    /// Seconds since the last test, when its time reads.
    pub last_test_age_s: Option<i64>,
    pub next: String,
}

/// One element of `presets --json` (its keys in alphabetical order, as they always were).
#[derive(Debug, Serialize)]
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
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct PresetOutput<'a> {
    pub preset: &'a Preset,
}

/// `use --json`: the profile commands act on when none is named.
#[derive(Debug, Serialize)]
pub struct UseOutput<'a> {
    pub default_profile: &'a str,
}

/// `remove --json`: the profile removed.
#[derive(Debug, Serialize)]
pub struct RemoveOutput<'a> {
    pub profile: &'a str,
    pub removed: bool,
}

/// `sandbox --json`: one line when the emulator is up: the five values, the scenario, the TLS
/// mode and the CA file (keys in alphabetical order, as they always were). The secret is the
/// emulator's public demo secret, or null when `HALO_SANDBOX_SECRET` gave it.
#[derive(Debug, Serialize)]
pub struct SandboxOutput<'a> {
    pub auth_server: String,
    pub ca_cert: Option<String>,
    pub client_id: &'a str,
    pub client_secret: Option<&'a str>,
    pub resource_server: String,
    pub scenario: &'static str,
    pub tenant: &'a str,
    pub tls: &'static str,
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

/// `test --as NAME --json`: the integration's own requests and Halo's answers.
#[derive(Debug, Serialize)]
pub struct ReplayOutput<'a> {
    #[serde(flatten)]
    pub report: &'a crate::domain::integration::replay::ReplayReport,
}

impl<'a> ReplayOutput<'a> {
    pub fn new(report: &'a crate::domain::integration::replay::ReplayReport) -> Self {
        ReplayOutput { report }
    }
}

/// `handoff --for NAME --json`: that form's fields in its order, one value each, and what the
/// application must have ticked.
#[derive(Debug, Serialize)]
pub struct FormHandoffOutput<'a> {
    pub schema_version: u32,
    pub profile: &'a str,
    pub integration: &'a str,
    pub title: &'a str,
    pub hosting: &'static str,
    pub warnings: &'a [String],
    pub fields: Vec<FormFieldOutput<'a>>,
    pub application: FormApplication<'a>,
    pub test_button: &'a str,
    pub sources: &'a [String],
}

/// One field of the form: the value to type or choose (the Client Secret only masked).
#[derive(Debug, Serialize)]
pub struct FormFieldOutput<'a> {
    pub label: &'a str,
    /// Which value it takes: resource-server, auth-server, tenant, client-id, client-secret,
    /// sign-in-address, subdomain, hosting or other.
    pub value_of: &'static str,
    /// What to type or choose; "" = leave it empty; null for the Client Secret.
    pub value: Option<&'a str>,
    /// The Client Secret's masked form, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked: Option<&'a str>,
    pub hidden: bool,
    pub why: Option<&'a str>,
    pub evidence: crate::domain::integration::Tag,
}

/// What the Halo application must have ticked for the integration.
#[derive(Debug, Serialize)]
pub struct FormApplication<'a> {
    pub ticked: &'a [String],
    pub why: &'a str,
    /// required, allowed or breaks.
    pub all: &'static str,
    pub all_advice: String,
}

impl<'a> FormHandoffOutput<'a> {
    pub fn new(
        profile: &'a str,
        f: &'a crate::domain::integration::FilledForm,
        warnings: &'a [String],
    ) -> Self {
        let i = f.integration;
        FormHandoffOutput {
            schema_version: SCHEMA_VERSION,
            profile,
            integration: &i.name,
            title: &i.title,
            hosting: f.hosting.as_str(),
            warnings,
            fields: f
                .entries
                .iter()
                .map(|e| FormFieldOutput {
                    label: &e.label,
                    value_of: e.value.as_str(),
                    value: (!e.secret).then_some(e.text.as_str()),
                    masked: (e.secret && !e.text.is_empty()).then_some(e.text.as_str()),
                    hidden: e.hidden,
                    why: e.why.as_deref(),
                    evidence: e.tag,
                })
                .collect(),
            application: FormApplication {
                ticked: &i.ticks,
                why: &i.ticks_why,
                all: i.all.as_str(),
                all_advice: i.all_advice(),
            },
            test_button: &i.test_button,
            sources: &i.sources,
        }
    }
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
/// Besides what serde_json escapes (C0, `"` and `\\`), every character that could drive or fool a
/// terminal showing the JSON (`printable::is_hidden`: C1 controls such as U+009B CSI, DEL, bidi
/// overrides, zero-width and tag characters) is written as `\\uXXXX`: the same value, inert text.
pub fn to_string<T: Serialize>(value: &T) -> String {
    write(value, serde_json::ser::PrettyFormatter::new())
}

/// The same on one line (`use`, `remove`, `sandbox`: a line a script reads).
pub fn to_line<T: Serialize>(value: &T) -> String {
    write(value, serde_json::ser::CompactFormatter)
}

fn write<T: Serialize, F: serde_json::ser::Formatter>(value: &T, formatter: F) -> String {
    let mut out = Vec::with_capacity(1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Inert(formatter));
    match value.serialize(&mut ser) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"schema_version\":1,\"ok\":false,\"exit_code\":1,\"error\":{{\"kind\":\"internal\",\"message\":\"the JSON output could not be written: {e}\"}}}}"),
    }
}

/// A serde_json formatter, writing hidden and control characters as `\\uXXXX`.
struct Inert<F>(F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for Inert<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest
            .char_indices()
            .find(|&(_, c)| crate::domain::printable::is_hidden(c))
        {
            w.write_all(&rest.as_bytes()[..at])?;
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(w, "\\u{u:04x}")?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod inert_tests {
    /// Finding 4: serde_json escapes only C0; a server's C1 controls, bidi overrides and hidden
    /// characters must reach stdout escaped too, as the same JSON value.
    #[test]
    fn hidden_and_c1_characters_are_escaped_and_read_back_the_same() {
        let hostile = "a\u{9b}31m\u{9d}0;t\u{7}\u{9c}b\u{202e}c\u{061c}\u{200b}\u{ad}\u{e0041}\u{2028}\u{7f}\u{1b}[0m é 日本";
        let text = super::to_string(&serde_json::json!({ "name": hostile }));
        for raw in [
            '\u{9b}',
            '\u{9d}',
            '\u{9c}',
            '\u{202e}',
            '\u{061c}',
            '\u{200b}',
            '\u{ad}',
            '\u{e0041}',
            '\u{2028}',
            '\u{7f}',
            '\u{1b}',
        ] {
            assert!(!text.contains(raw), "{raw:?} raw in {text}");
        }
        for escaped in [r"\u009b", r"\u202e", r"\udb40\udc41", r"\u007f"] {
            assert!(text.contains(escaped), "{escaped} missing from {text}");
        }
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], hostile);
        assert!(
            text.contains("é 日本"),
            "visible text is kept as is: {text}"
        );
        assert!(text.contains("\n  \"name\""), "still pretty: {text}");
    }
}

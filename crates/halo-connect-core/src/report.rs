//! The `CheckReport` of a Save and Test: token, agent, one row per permission and readiness check,
//! and the `Diagnosis` that decides the exit code. A report is built once: `ReportBuilder` gathers
//! the rows and findings, and `ReportBuilder::finish` decides `ok`, `exit_code`, `error` and
//! `hints`; a finished report's fields are private, so nothing changes it afterwards. It derives
//! `Serialize` in the shape of the JSON contract (docs/cli.md), which `ui::json` wraps with
//! `schema_version`. It does no I/O and knows nothing of HTTP.

use schemars::JsonSchema;
use serde::Serialize;

use super::catalogue::{self, Cause};
use super::kind::Kind;
use super::preset::ReadinessCheck;

mod builder;
pub use builder::{ReportBuilder, Subject};

/// A named failure: which cause, what happened, and the fix with the run's values filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub cause: &'static Cause,
    pub message: String,
    pub hint: String,
}

impl Diagnosis {
    pub fn new(cause: &'static Cause, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Diagnosis {
            cause,
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn kind(&self) -> Kind {
        self.cause.kind
    }

    /// The cause's stable identifier (`error.code` in JSON).
    pub fn code(&self) -> &'static str {
        self.cause.code
    }
}

/// A named failure of a test: its kind, the cause's code (an entry of docs/troubleshooting.md),
/// what happened and what to change.
// The JSON shape and schema of `Diagnosis`, written once.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Diagnosis")]
struct DiagnosisJson<'a> {
    /// A kind some cause of the catalogue has.
    #[schemars(schema_with = "cause_kinds")]
    kind: Kind,
    /// The cause's code: an entry of docs/troubleshooting.md.
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    code: &'static str,
    #[schemars(length(min = 1))]
    message: &'a str,
    #[schemars(length(min = 1))]
    hint: &'a str,
}

/// The kinds the catalogue's causes have, in the exit-code table's order.
fn cause_kinds(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let kinds: Vec<&str> = Kind::ALL
        .into_iter()
        .filter(|k| catalogue::CATALOGUE.iter().any(|c| c.kind == *k))
        .map(Kind::as_str)
        .collect();
    schemars::json_schema!({ "enum": kinds })
}

impl Serialize for Diagnosis {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        DiagnosisJson {
            kind: self.kind(),
            code: self.code(),
            message: &self.message,
            hint: &self.hint,
        }
        .serialize(s)
    }
}

impl JsonSchema for Diagnosis {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Diagnosis".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        DiagnosisJson::json_schema(generator)
    }
}

/// A scope is granted (a read proved it), missing, unverified (an edit scope the token carries;
/// only a write would prove it, and halo-connect never writes), or unchecked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PermissionStatus {
    Granted,
    Missing,
    Unverified,
    /// The read that proves it could not be made (Halo's request limit was reached): neither
    /// granted nor missing.
    Unchecked,
}

/// One permission (scope) of the preset and what the test found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PermissionRow {
    pub permission: String,
    pub status: PermissionStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub hint: Option<String>,
    /// The failure behind a missing row, when it is not simply an absent scope.
    #[serde(skip)]
    pub cause: Option<Diagnosis>,
}

/// One readiness check of the preset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ReadinessRow {
    pub check: ReadinessCheck,
    pub ok: bool,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub hint: Option<String>,
    #[serde(skip)]
    pub cause: Option<Diagnosis>,
}

/// The client-credentials token exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default, JsonSchema)]
pub struct TokenInfo {
    pub ok: bool,
    pub granted_scopes: Vec<String>,
    /// Seconds, as Halo said; null when no token was issued or Halo did not say.
    pub expires_in: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AgentInfo {
    pub id: i64,
    pub name: String,
}

/// Which Halo answered: `GET /api/InstanceInfo`'s name and version, when the agent may read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct InstanceInfo {
    pub name: String,
    pub version: String,
}

/// An error that is not a test's diagnosis: no `code`, and the hint may be null.
// A failure after the test (init's save), or the error object of a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Failure {
    pub kind: Kind,
    #[schemars(length(min = 1))]
    pub message: String,
    pub hint: Option<String>,
    /// One line per refused or missing value, when there are several.
    pub details: Vec<String>,
}

/// The test's deciding diagnosis, or the failure of a step after a passing test (init's save),
/// which has no code.
// `CheckReport::unsaved` makes the second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
enum ReportError {
    Diagnosis(Diagnosis),
    Unsaved(Failure),
}

fn map_diagnosis(d: &mut Diagnosis, f: &impl Fn(&str) -> String) {
    d.message = f(&d.message);
    d.hint = f(&d.hint);
}

/// The agent's and the instance's names (and the instance's version) passed through `f`.
fn map_answerers(
    agent: &mut Option<AgentInfo>,
    instance: &mut Option<InstanceInfo>,
    f: &impl Fn(&str) -> String,
) {
    if let Some(a) = agent {
        a.name = f(&a.name);
    }
    if let Some(i) = instance {
        i.name = f(&i.name);
        i.version = f(&i.version);
    }
}

fn map_rows(
    permissions: &mut [PermissionRow],
    readiness: &mut [ReadinessRow],
    f: &impl Fn(&str) -> String,
) {
    for p in permissions {
        p.hint = p.hint.as_deref().map(f);
        p.cause.iter_mut().for_each(|d| map_diagnosis(d, f));
    }
    for r in readiness {
        r.detail = f(&r.detail);
        r.hint = r.hint.as_deref().map(f);
        r.cause.iter_mut().for_each(|d| map_diagnosis(d, f));
    }
}

/// The whole result of a Save and Test, finished: only `ReportBuilder::finish` (and
/// `CheckReport::unsaved`, init's failed save) make one, and its fields are private. Serialized in
/// the JSON contract's shape and order; `findings` and the rows' causes stay out of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(transform = super::kind::outcome_schema)]
pub struct CheckReport {
    /// The profile tested (`env` for --from-env, `sandbox` for --sandbox).
    profile: String,
    /// True exactly when every required check passed.
    ok: bool,
    /// The process's exit code.
    exit_code: i32,
    /// The preset whose scopes and readiness checks were tested.
    preset: String,
    /// The Resource Server, normalised (ends in /api).
    resource_server: String,
    /// The Authorization Server, with exactly one trailing /.
    #[schemars(regex(pattern = "/$"))]
    auth_server: String,
    /// The Tenant, or null when none is set (on-premise).
    tenant: Option<String>,
    token: TokenInfo,
    /// The agent the application acts as (from Agent/me), or null when unknown.
    agent: Option<AgentInfo>,
    /// Which Halo answered (from InstanceInfo, in the same round trip as the probes), or null
    /// when the agent may not read it; never a failure.
    instance: Option<InstanceInfo>,
    /// One row per scope of the preset, in the preset's order.
    permissions: Vec<PermissionRow>,
    /// The preset's readiness checks.
    readiness: Vec<ReadinessRow>,
    /// The failure that decided the exit code, or null when the test passed.
    error: Option<ReportError>,
    /// Every failure's fix, the deciding one first.
    hints: Vec<String>,
    /// Changes made to typed values and other remarks, for the operator.
    notes: Vec<String>,
    elapsed_ms: u64,
    #[serde(skip)]
    findings: Vec<Diagnosis>,
}

impl CheckReport {
    /// The report of a Save and Test whose test passed but whose save failed: nothing was stored,
    /// so that failure decides `ok`, `exit_code` and `error` (the hints stay the test's). A new
    /// report; the test's own is consumed, not changed.
    pub fn unsaved(self, failure: Failure) -> CheckReport {
        CheckReport {
            ok: false,
            exit_code: failure.kind.exit_code(),
            error: Some(ReportError::Unsaved(failure)),
            ..self
        }
    }

    /// A copy with every text that can quote an answer (scopes, names, messages, hints, notes,
    /// details) passed through `f`, for display; the verdict is the same.
    pub fn map_text(&self, f: impl Fn(&str) -> String) -> CheckReport {
        let mut r = self.clone();
        r.token.granted_scopes.iter_mut().for_each(|s| *s = f(s));
        map_answerers(&mut r.agent, &mut r.instance, &f);
        map_rows(&mut r.permissions, &mut r.readiness, &f);
        if let Some(ReportError::Diagnosis(d)) = &mut r.error {
            map_diagnosis(d, &f);
        }
        r.findings.iter_mut().for_each(|d| map_diagnosis(d, &f));
        for s in r.hints.iter_mut().chain(r.notes.iter_mut()) {
            *s = f(s);
        }
        r
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// True exactly when every required check passed (and, for init, the save did).
    pub fn ok(&self) -> bool {
        self.ok
    }

    pub fn exit_code(&self) -> i32 {
        self.exit_code
    }

    pub fn preset(&self) -> &str {
        &self.preset
    }

    pub fn resource_server(&self) -> &str {
        &self.resource_server
    }

    pub fn auth_server(&self) -> &str {
        &self.auth_server
    }

    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    pub fn token(&self) -> &TokenInfo {
        &self.token
    }

    pub fn agent(&self) -> Option<&AgentInfo> {
        self.agent.as_ref()
    }

    pub fn instance(&self) -> Option<&InstanceInfo> {
        self.instance.as_ref()
    }

    pub fn permissions(&self) -> &[PermissionRow] {
        &self.permissions
    }

    pub fn readiness(&self) -> &[ReadinessRow] {
        &self.readiness
    }

    /// The test's deciding diagnosis; None when it passed (or a failed save decided).
    pub fn error(&self) -> Option<&Diagnosis> {
        match &self.error {
            Some(ReportError::Diagnosis(d)) => Some(d),
            _ => None,
        }
    }

    /// Every failure's fix, the deciding one first.
    pub fn hints(&self) -> &[String] {
        &self.hints
    }

    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    pub fn elapsed_ms(&self) -> u64 {
        self.elapsed_ms
    }

    /// Failures that belong to no single row (the "all" permission, an inactive agent…).
    pub fn findings(&self) -> &[Diagnosis] {
        &self.findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> ReportBuilder {
        ReportBuilder::new(
            Subject::named("p"),
            "billing",
            "https://a.halopsa.com/api",
            "https://a.halopsa.com/auth/",
            Some("a"),
        )
    }

    fn row(p: &str, status: PermissionStatus) -> PermissionRow {
        PermissionRow {
            permission: p.into(),
            status,
            hint: Some(format!("fix {p}")),
            cause: None,
        }
    }

    #[test]
    fn all_granted_is_ok_with_exit_zero() {
        let mut r = report();
        r.permissions = vec![
            row("read:customers", PermissionStatus::Granted),
            row("edit:items", PermissionStatus::Unverified),
        ];
        let r = r.finish(0);
        assert!(r.ok());
        assert_eq!(r.exit_code(), 0);
        assert!(r.error().is_none());
    }

    #[test]
    fn a_missing_scope_gives_exit_five_and_names_it() {
        let mut r = report();
        r.permissions = vec![
            row("read:customers", PermissionStatus::Granted),
            row("edit:invoices", PermissionStatus::Missing),
        ];
        let r = r.finish(0);
        assert_eq!(r.exit_code(), 5);
        let e = r.error().unwrap();
        assert_eq!(e.kind(), Kind::Permission);
        assert!(e.message.contains("edit:invoices"));
        assert_eq!(r.hints(), ["fix edit:invoices".to_string()]);
    }

    #[test]
    fn a_connection_cause_outranks_a_missing_scope() {
        let mut r = report();
        let mut timed_out = row("read:items", PermissionStatus::Missing);
        timed_out.cause = Some(Diagnosis::new(
            &catalogue::TIMEOUT,
            "timed out",
            "raise --timeout",
        ));
        r.permissions = vec![row("edit:invoices", PermissionStatus::Missing), timed_out];
        let r = r.finish(0);
        assert_eq!(r.exit_code(), 6);
        assert_eq!(r.hints().len(), 2);
    }

    #[test]
    fn a_token_failure_set_first_decides() {
        let mut r = report();
        r.error = Some(Diagnosis::new(
            &catalogue::INVALID_CLIENT,
            "refused",
            "copy the secret again",
        ));
        let r = r.finish(0);
        assert_eq!(r.exit_code(), 4);
        assert!(!r.ok());
    }

    #[test]
    fn a_failed_readiness_check_gives_exit_five() {
        let mut r = report();
        r.readiness = vec![ReadinessRow {
            check: ReadinessCheck::ActiveRecurringContracts,
            ok: false,
            detail: "no recurring invoices".into(),
            hint: Some("add one".into()),
            cause: None,
        }];
        let r = r.finish(0);
        assert_eq!(r.exit_code(), 5);
        assert_eq!(r.error().unwrap().code(), "active-recurring-contracts");
    }

    /// The subject's notes come first, the check's after; a refused secret that passed before
    /// adds the regenerated-secret fix after the deciding one, and only then.
    #[test]
    fn the_subject_is_given_before_the_report_is_finished() {
        let refused = |last_passed: Option<&str>| {
            let subject = Subject {
                profile: "psa".into(),
                notes: vec!["a trailing / was added".into()],
                last_passed: last_passed.map(str::to_string),
            };
            let mut r = ReportBuilder::new(subject, "billing", "r", "a", None);
            r.notes.push("Halo refused the preset's scope list".into());
            r.error = Some(catalogue::INVALID_CLIENT.diagnose("refused", &[]));
            r.finish(7)
        };
        let r = refused(Some("2026-11-30T08:00:00Z"));
        assert_eq!(r.profile(), "psa");
        assert_eq!(r.elapsed_ms(), 7);
        assert_eq!(
            r.notes(),
            [
                "a trailing / was added".to_string(),
                "Halo refused the preset's scope list".to_string()
            ]
        );
        assert_eq!(r.hints().len(), 2, "{:?}", r.hints());
        assert!(r.hints()[1].contains("2026-11-30T08:00:00Z"), "{r:?}");
        assert_eq!(refused(None).hints().len(), 1);
    }

    /// A failed save decides the new report's verdict; the hints stay the test's.
    #[test]
    fn an_unsaved_report_is_a_new_report_with_the_failure_deciding() {
        let passed = report().finish(3);
        let unsaved = passed.clone().unsaved(Failure {
            kind: Kind::Config,
            message: "the config is locked".into(),
            hint: None,
            details: Vec::new(),
        });
        assert!(passed.ok());
        assert!(!unsaved.ok());
        assert_eq!(unsaved.exit_code(), 3);
        assert!(unsaved.error().is_none());
        assert_eq!(unsaved.hints(), passed.hints());
        let v = serde_json::to_value(&unsaved).unwrap();
        assert_eq!(v["error"]["kind"], "config");
        assert!(v["error"].get("code").is_none(), "{v}");
    }
}

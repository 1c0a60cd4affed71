//! The `CheckReport` of a Save and Test: token, agent, one row per permission and readiness check,
//! and the `Diagnosis` that decides the exit code. Its JSON shape (docs/cli.md) is `ui::json::ReportOutput`;
//! it does no I/O and knows nothing of HTTP.

use serde::Serialize;

use super::catalogue::{self, Cause};
use super::kind::Kind;
use super::preset::ReadinessCheck;

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

/// `{kind, code, message, hint}`: the `error` object of the JSON contract.
impl Serialize for Diagnosis {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Diagnosis", 4)?;
        st.serialize_field("kind", &self.kind())?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("hint", &self.hint)?;
        st.end()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PermissionRow {
    pub permission: String,
    pub status: PermissionStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The failure behind a missing row, when it is not simply an absent scope.
    #[serde(skip)]
    pub cause: Option<Diagnosis>,
}

/// One readiness check of the preset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadinessRow {
    #[serde(serialize_with = "readiness_id")]
    pub check: ReadinessCheck,
    pub ok: bool,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip)]
    pub cause: Option<Diagnosis>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct TokenInfo {
    pub ok: bool,
    pub granted_scopes: Vec<String>,
    pub expires_in: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentInfo {
    pub id: i64,
    pub name: String,
}

/// Which Halo answered: `GET /api/InstanceInfo`'s name and version, when the agent may read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceInfo {
    pub name: String,
    pub version: String,
}

fn readiness_id<S: serde::Serializer>(check: &ReadinessCheck, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(check.id())
}

/// The whole result of a Save and Test. Its JSON shape is `ui::json::ReportOutput`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub schema_version: u32,
    pub profile: String,
    pub ok: bool,
    pub exit_code: i32,
    pub preset: String,
    pub resource_server: String,
    pub auth_server: String,
    pub tenant: Option<String>,
    pub token: TokenInfo,
    pub agent: Option<AgentInfo>,
    pub permissions: Vec<PermissionRow>,
    pub readiness: Vec<ReadinessRow>,
    /// Which Halo answered; None when InstanceInfo could not be read (no failure).
    pub instance: Option<InstanceInfo>,
    pub error: Option<Diagnosis>,
    /// Every failure's fix, the deciding one first.
    pub hints: Vec<String>,
    /// Changes made to typed values and other remarks, for the operator.
    pub notes: Vec<String>,
    pub elapsed_ms: u64,
    /// Failures that belong to no single row (the "all" permission, an inactive agent…).
    pub findings: Vec<Diagnosis>,
}

impl CheckReport {
    pub fn new(
        profile: &str,
        preset: &str,
        resource_server: &str,
        auth_server: &str,
        tenant: Option<&str>,
    ) -> Self {
        CheckReport {
            schema_version: 1,
            profile: profile.to_string(),
            ok: false,
            exit_code: 1,
            preset: preset.to_string(),
            resource_server: resource_server.to_string(),
            auth_server: auth_server.to_string(),
            tenant: tenant.map(str::to_string),
            token: TokenInfo::default(),
            agent: None,
            permissions: Vec::new(),
            readiness: Vec::new(),
            instance: None,
            error: None,
            hints: Vec::new(),
            notes: Vec::new(),
            elapsed_ms: 0,
            findings: Vec::new(),
        }
    }

    /// Decides `ok`, `exit_code`, `error` and `hints` from the rows. A failure already set in
    /// `error` (the token stage) wins; then connection-class causes (6); then permissions and
    /// readiness (5).
    /// Applies `f` to every text of the report that can quote an answer: the agent and instance,
    /// each message, hint, note and detail.
    pub fn scrub_text(&mut self, f: impl Fn(&str) -> String) {
        let diag = |d: &mut Diagnosis| {
            d.message = f(&d.message);
            d.hint = f(&d.hint);
        };
        if let Some(a) = &mut self.agent {
            a.name = f(&a.name);
        }
        if let Some(i) = &mut self.instance {
            i.name = f(&i.name);
            i.version = f(&i.version);
        }
        if let Some(d) = &mut self.error {
            diag(d);
        }
        self.findings.iter_mut().for_each(diag);
        for s in self.hints.iter_mut().chain(self.notes.iter_mut()) {
            *s = f(s);
        }
        for p in &mut self.permissions {
            p.hint = p.hint.as_deref().map(&f);
            if let Some(d) = &mut p.cause {
                diag(d);
            }
        }
        for r in &mut self.readiness {
            r.detail = f(&r.detail);
            r.hint = r.hint.as_deref().map(&f);
            if let Some(d) = &mut r.cause {
                diag(d);
            }
        }
    }

    pub fn finish(&mut self) {
        let mut causes: Vec<Diagnosis> = self.findings.clone();
        for row in &self.permissions {
            if row.status == PermissionStatus::Unchecked {
                if let Some(c) = &row.cause {
                    causes.push(c.clone());
                }
            }
            if row.status == PermissionStatus::Missing {
                causes.push(row.cause.clone().unwrap_or_else(|| {
                    Diagnosis::new(
                        &catalogue::SCOPE_MISSING,
                        format!("The application lacks the {} permission.", row.permission),
                        row.hint.clone().unwrap_or_default(),
                    )
                }));
            }
        }
        for row in &self.readiness {
            if !row.ok {
                causes.push(row.cause.clone().unwrap_or_else(|| {
                    Diagnosis::new(
                        catalogue::readiness_cause(row.check),
                        row.detail.clone(),
                        row.hint.clone().unwrap_or_default(),
                    )
                }));
            }
        }
        if self.error.is_none() {
            let deciding = causes
                .iter()
                .find(|c| c.kind().is_connection())
                .or_else(|| causes.iter().find(|c| c.kind() == Kind::Auth))
                .or_else(|| causes.first())
                .cloned();
            self.error = deciding;
        }
        let mut hints: Vec<String> = Vec::new();
        if let Some(e) = &self.error {
            if !e.hint.is_empty() {
                hints.push(e.hint.clone());
            }
        }
        for c in &causes {
            if !c.hint.is_empty() && !hints.contains(&c.hint) {
                hints.push(c.hint.clone());
            }
        }
        self.hints = hints;
        self.ok = self.error.is_none();
        self.exit_code = self.error.as_ref().map_or(0, |e| e.kind().exit_code());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> CheckReport {
        CheckReport::new(
            "p",
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
        r.finish();
        assert!(r.ok);
        assert_eq!(r.exit_code, 0);
        assert!(r.error.is_none());
    }

    #[test]
    fn a_missing_scope_gives_exit_five_and_names_it() {
        let mut r = report();
        r.permissions = vec![
            row("read:customers", PermissionStatus::Granted),
            row("edit:invoices", PermissionStatus::Missing),
        ];
        r.finish();
        assert_eq!(r.exit_code, 5);
        let e = r.error.unwrap();
        assert_eq!(e.kind(), Kind::Permission);
        assert!(e.message.contains("edit:invoices"));
        assert_eq!(r.hints, vec!["fix edit:invoices".to_string()]);
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
        r.finish();
        assert_eq!(r.exit_code, 6);
        assert_eq!(r.hints.len(), 2);
    }

    #[test]
    fn a_token_failure_set_first_decides() {
        let mut r = report();
        r.error = Some(Diagnosis::new(
            &catalogue::INVALID_CLIENT,
            "refused",
            "copy the secret again",
        ));
        r.finish();
        assert_eq!(r.exit_code, 4);
        assert!(!r.ok);
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
        r.finish();
        assert_eq!(r.exit_code, 5);
        assert_eq!(r.error.unwrap().code(), "active-recurring-contracts");
    }
}

//! `ReportBuilder`: a Save and Test while the check gathers it (the subject, rows, findings and
//! notes), and `finish`, the one place that decides `ok`, `exit_code`, `error` and `hints`. It
//! builds a `CheckReport` (whose fields only this module and its parent can set) and does no I/O.

use super::{
    catalogue, map_answerers, map_diagnosis, map_rows, AgentInfo, CheckReport, Diagnosis,
    InstanceInfo, Kind, PermissionRow, PermissionStatus, ReadinessRow, ReportError, TokenInfo,
};

/// What the command knows before the check: the profile tested, the notes on its values (they
/// come first in the report), and when the stored secret last passed, if it did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    pub profile: String,
    pub notes: Vec<String>,
    /// RFC 3339 time of the profile's last passing test: a refused secret may have been
    /// regenerated since, and the report says so.
    pub last_passed: Option<String>,
}

impl Subject {
    /// A profile with nothing noted and no passing test known.
    pub fn named(profile: &str) -> Self {
        Subject {
            profile: profile.to_string(),
            ..Subject::default()
        }
    }
}

/// A Save and Test while the check gathers it: the rows, findings and notes, then `finish`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportBuilder {
    subject: Subject,
    preset: String,
    resource_server: String,
    auth_server: String,
    tenant: Option<String>,
    pub token: TokenInfo,
    pub agent: Option<AgentInfo>,
    /// Which Halo answered; None when InstanceInfo could not be read (no failure).
    pub instance: Option<InstanceInfo>,
    pub permissions: Vec<PermissionRow>,
    pub readiness: Vec<ReadinessRow>,
    /// A failure that decides by itself (the token stage); otherwise `finish` picks one.
    pub error: Option<Diagnosis>,
    /// The check's own remarks, after the subject's.
    pub notes: Vec<String>,
    /// Failures that belong to no single row (the "all" permission, an inactive agent…).
    pub findings: Vec<Diagnosis>,
}

impl ReportBuilder {
    pub fn new(
        subject: Subject,
        preset: &str,
        resource_server: &str,
        auth_server: &str,
        tenant: Option<&str>,
    ) -> Self {
        ReportBuilder {
            subject,
            preset: preset.to_string(),
            resource_server: resource_server.to_string(),
            auth_server: auth_server.to_string(),
            tenant: tenant.map(str::to_string),
            token: TokenInfo::default(),
            agent: None,
            instance: None,
            permissions: Vec::new(),
            readiness: Vec::new(),
            error: None,
            notes: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// Applies `f` to every text gathered so far that can quote an answer: the agent and
    /// instance, each message, hint, note and detail (the subject's notes are the command's own).
    pub fn scrub_text(&mut self, f: impl Fn(&str) -> String) {
        map_answerers(&mut self.agent, &mut self.instance, &f);
        map_rows(&mut self.permissions, &mut self.readiness, &f);
        for d in self.error.iter_mut().chain(self.findings.iter_mut()) {
            map_diagnosis(d, &f);
        }
        self.notes.iter_mut().for_each(|s| *s = f(s));
    }

    /// The finished report. Decides `ok`, `exit_code`, `error` and `hints` from the rows, once:
    /// a failure already set in `error` (the token stage) wins; then connection-class causes (6);
    /// then authentication (4); then the first of permissions and readiness (5).
    pub fn finish(self, elapsed_ms: u64) -> CheckReport {
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
        let error = self.error.or_else(|| {
            causes
                .iter()
                .find(|c| c.kind().is_connection())
                .or_else(|| causes.iter().find(|c| c.kind() == Kind::Auth))
                .or_else(|| causes.first())
                .cloned()
        });
        let mut hints: Vec<String> = Vec::new();
        for h in error.iter().chain(&causes).map(|c| &c.hint) {
            if !h.is_empty() && !hints.contains(h) {
                hints.push(h.clone());
            }
        }
        // A refused secret that passed the profile's last test may have been regenerated (a
        // change of the application's Login Type does that): that fix joins the hints.
        let refused = error
            .as_ref()
            .is_some_and(|e| e.cause.printed() == &catalogue::INVALID_CLIENT);
        if let Some(at) = self.subject.last_passed.as_deref().filter(|_| refused) {
            let d = catalogue::SECRET_REGENERATED.diagnose(
                "The Client Secret that passed the last test was refused.",
                &[("when", at)],
            );
            if !hints.contains(&d.hint) {
                hints.push(d.hint);
            }
        }
        let mut notes = self.subject.notes;
        notes.extend(self.notes);
        CheckReport {
            profile: self.subject.profile,
            ok: error.is_none(),
            exit_code: error.as_ref().map_or(0, |e| e.kind().exit_code()),
            preset: self.preset,
            resource_server: self.resource_server,
            auth_server: self.auth_server,
            tenant: self.tenant,
            token: self.token,
            agent: self.agent,
            instance: self.instance,
            permissions: self.permissions,
            readiness: self.readiness,
            error: error.map(ReportError::Diagnosis),
            hints,
            notes,
            elapsed_ms,
            findings: self.findings,
        }
    }
}

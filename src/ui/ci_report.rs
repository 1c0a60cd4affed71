//! `Case`: one profile's outcome of `test`, as the CI reports (`junit`, `summary`) see it: either a
//! `CheckReport` that ran, or a check that could not start (a missing value, secret or profile).
//! It only reads; it never holds or shows a secret, since neither source carries one.

use crate::domain::report::{CheckReport, PermissionStatus};

/// A check that could not start: the error `test` would print for that profile.
#[derive(Debug, Clone, Copy)]
pub struct NotRun<'a> {
    pub profile: &'a str,
    pub exit_code: i32,
    /// `error.kind` of the JSON contract: config, auth, connection…
    pub kind: &'a str,
    pub message: &'a str,
    pub hint: Option<&'a str>,
    pub details: &'a [String],
}

/// One profile's outcome.
#[derive(Debug, Clone, Copy)]
pub enum Case<'a> {
    Checked(&'a CheckReport),
    NotRun(NotRun<'a>),
}

/// Why a case failed, in the words the terminal uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure<'a> {
    pub kind: &'a str,
    /// The troubleshooting catalogue's code, when the check ran.
    pub code: Option<&'a str>,
    pub message: &'a str,
    /// Every fix, the deciding one first.
    pub fixes: Vec<&'a str>,
    /// Further lines of the cause (the values that were missing…).
    pub details: &'a [String],
}

impl<'a> Case<'a> {
    pub fn profile(&self) -> &'a str {
        match self {
            Case::Checked(r) => r.profile(),
            Case::NotRun(n) => n.profile,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Case::Checked(r) => r.exit_code(),
            Case::NotRun(n) => n.exit_code,
        }
    }

    pub fn ok(&self) -> bool {
        self.exit_code() == 0
    }

    /// Whether the check ran (a failure) or could not start (an error, in JUnit's words).
    pub fn ran(&self) -> bool {
        matches!(self, Case::Checked(_))
    }

    pub fn elapsed_ms(&self) -> u64 {
        match self {
            Case::Checked(r) => r.elapsed_ms(),
            Case::NotRun(_) => 0,
        }
    }

    pub fn preset(&self) -> Option<&'a str> {
        match self {
            Case::Checked(r) => Some(r.preset()),
            Case::NotRun(_) => None,
        }
    }

    /// The failure, or None when the case passed.
    pub fn failure(&self) -> Option<Failure<'a>> {
        match self {
            Case::Checked(r) => {
                let e = r.error()?;
                let mut fixes: Vec<&str> = Vec::new();
                for h in std::iter::once(&e.hint).chain(r.hints()) {
                    if !h.is_empty() && !fixes.contains(&h.as_str()) {
                        fixes.push(h);
                    }
                }
                Some(Failure {
                    kind: e.kind().as_str(),
                    code: Some(e.code()),
                    message: &e.message,
                    fixes,
                    details: &[],
                })
            }
            Case::NotRun(n) if n.exit_code != 0 => Some(Failure {
                kind: n.kind,
                code: None,
                message: n.message,
                fixes: n.hint.into_iter().collect(),
                details: n.details,
            }),
            Case::NotRun(_) => None,
        }
    }

    /// The rows a report shows for a check that ran: (name, verdict), permissions then readiness.
    pub fn rows(&self) -> Vec<(&'a str, &'static str)> {
        let Case::Checked(r) = self else {
            return Vec::new();
        };
        let perms = r.permissions().iter().map(|p| {
            let word = match p.status {
                PermissionStatus::Granted => "granted",
                PermissionStatus::Missing => "missing",
                PermissionStatus::Unverified => "unverified",
                PermissionStatus::Unchecked => "unchecked",
            };
            (p.permission.as_str(), word)
        });
        let ready = r.readiness().iter().map(|c| {
            let word = if c.ok { "ready" } else { "not ready" };
            (c.check.id(), word)
        });
        perms.chain(ready).collect()
    }
}

/// Counts for a report's header: (total, failed after running, could not start).
pub fn tally(cases: &[Case]) -> (usize, usize, usize) {
    let failed = cases.iter().filter(|c| !c.ok() && c.ran()).count();
    let errors = cases.iter().filter(|c| !c.ok() && !c.ran()).count();
    (cases.len(), failed, errors)
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Reports for the renderers' tests: one that passed, one refused, one that could not start.
    use super::*;
    use crate::domain::report::{
        AgentInfo, Diagnosis, PermissionRow, ReadinessRow, ReportBuilder, Subject, TokenInfo,
    };

    pub fn passed() -> CheckReport {
        let mut r = ReportBuilder::new(
            Subject::named("billing"),
            "billing",
            "https://acme.halopsa.com/api",
            "https://acme.halopsa.com/auth/",
            Some("acme"),
        );
        r.token = TokenInfo {
            ok: true,
            granted_scopes: vec!["read:customers".into()],
            expires_in: Some(3600),
        };
        r.agent = Some(AgentInfo {
            id: 12,
            name: "API Billing".into(),
        });
        r.permissions = vec![
            PermissionRow {
                permission: "read:customers".into(),
                status: PermissionStatus::Granted,
                hint: None,
                cause: None,
            },
            PermissionRow {
                permission: "edit:invoices".into(),
                status: PermissionStatus::Unverified,
                hint: None,
                cause: None,
            },
        ];
        r.readiness = vec![ReadinessRow {
            check: crate::domain::preset::ReadinessCheck::ActiveRecurringContracts,
            ok: true,
            detail: "recurring invoices are visible".into(),
            hint: None,
            cause: None,
        }];
        r.finish(1234)
    }

    /// A refusal whose message carries every character XML and Markdown treat specially.
    pub fn refused() -> CheckReport {
        let mut r = ReportBuilder::new(
            Subject::named("psa<&>\"'|*_"),
            "billing",
            "https://acme.halopsa.com/api",
            "https://acme.halopsa.com/auth/",
            None,
        );
        r.error = Some(Diagnosis::new(
            &crate::domain::catalogue::INVALID_CLIENT,
            "Halo refused the Client ID \"5b1f\" <invalid_client> & more | *bold* _x_ \u{1b}[31m\u{0}",
            "Open the application in Configuration > Integrations > HaloPSA API > View Applications.",
        ));
        r.finish(30)
    }

    pub fn not_run<'a>(details: &'a [String]) -> NotRun<'a> {
        NotRun {
            profile: "env",
            exit_code: 3,
            kind: "config",
            message: "2 values are missing",
            hint: Some("set HALO_URL and HALO_CLIENT_ID"),
            details,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn a_refusal_lists_its_fix_once_and_first() {
        let r = refused();
        let f = Case::Checked(&r).failure().unwrap();
        assert_eq!(f.kind, "auth");
        assert_eq!(f.code, Some("invalid-client"));
        assert_eq!(f.fixes.len(), 1);
        assert!(f.fixes[0].starts_with("Open the application"));
    }

    #[test]
    fn tally_tells_failures_from_checks_that_could_not_start() {
        let (a, b) = (passed(), refused());
        let details = vec!["HALO_URL".to_string()];
        let cases = [
            Case::Checked(&a),
            Case::Checked(&b),
            Case::NotRun(not_run(&details)),
        ];
        assert_eq!(tally(&cases), (3, 1, 1));
        assert!(cases[0].failure().is_none());
        assert_eq!(cases[2].failure().unwrap().details, &details[..]);
    }

    #[test]
    fn rows_list_permissions_then_readiness() {
        let r = passed();
        let rows = Case::Checked(&r).rows();
        assert_eq!(
            rows,
            vec![
                ("read:customers", "granted"),
                ("edit:invoices", "unverified"),
                ("active-recurring-contracts", "ready"),
            ]
        );
    }
}

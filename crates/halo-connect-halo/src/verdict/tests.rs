//! The verdicts as tables: an answer in, the row or finding out, with no server.

use std::collections::BTreeMap;

use super::*;
use halo_connect_core::catalogue::Cause;
use halo_connect_core::report::Subject;
use halo_connect_core::secret::Secret;
use halo_connect_core::url::{normalize_auth_server, normalize_resource_server};

fn settings() -> ConnectionSettings {
    ConnectionSettings {
        resource_server: normalize_resource_server("https://acme.halopsa.com/api")
            .unwrap()
            .0,
        auth_server: normalize_auth_server("https://acme.halopsa.com/auth/")
            .unwrap()
            .0,
        tenant: Tenant::Named("acme".into()),
        client_id: "3f1c9a2e-7b4d-4e8a-9c61-2d5f8b0e1a37".into(),
    }
}

fn token(scopes: &[&str]) -> Token {
    Token {
        access_token: Secret::new("t"),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        scope_listed: true,
        expires_in: Some(3600),
    }
}

fn answer(status: u16, content_type: &str, body: &str) -> Answer {
    Answer {
        url: "https://acme.halopsa.com/api/X".into(),
        status,
        content_type: content_type.into(),
        body: body.as_bytes().to_vec(),
        location: None,
        attempts: 1,
        headers: Vec::new(),
    }
}

fn json(records: u64) -> Read {
    Read::Json {
        records: Some(records),
        value: serde_json::json!({ "record_count": records }),
    }
}

fn status(code: u16) -> Read {
    Read::Status(answer(code, "application/json", "{}"))
}

/// The permission row for one scope, the token granting `granted`, the scope's probe answering
/// `read`.
fn permission(scope: &str, granted: &[&str], read: Read) -> PermissionRow {
    let path = probe_for(scope).map(|p| p.path).unwrap_or("/none");
    let by_path: BTreeMap<&str, &Read> = [(path, &read)].into_iter().collect();
    permission_row(
        scope,
        &token(granted),
        None,
        &by_path,
        &settings(),
        "the agent \"API\"",
        &[],
    )
}

/// A scope, the scopes the token grants, the probe's answer, then the row's status and cause.
type PermissionCase<'a> = (
    &'a str,
    &'a [&'a str],
    Read,
    PermissionStatus,
    Option<&'a Cause>,
);

#[test]
fn permission_rows_follow_the_answers() {
    let rows: Vec<PermissionCase> = vec![
        (
            "read:customers",
            &["read:customers"],
            json(3),
            PermissionStatus::Granted,
            None,
        ),
        (
            "read:customers",
            &["read:items"],
            json(3),
            PermissionStatus::Missing,
            Some(&catalogue::SCOPE_MISSING),
        ),
        (
            "read:customers",
            &["read:customers"],
            json(0),
            PermissionStatus::Missing,
            Some(&catalogue::ROLE_CLIENT_RESTRICTION),
        ),
        (
            "read:customers",
            &["read:customers"],
            status(403),
            PermissionStatus::Missing,
            Some(&catalogue::ROLE_DENIED),
        ),
        (
            "read:customers",
            &["read:customers"],
            status(401),
            PermissionStatus::Missing,
            Some(&catalogue::ROLE_DENIED),
        ),
        (
            "read:customers",
            &["read:customers"],
            status(404),
            PermissionStatus::Unverified,
            None,
        ),
        (
            "read:customers",
            &["read:customers"],
            status(500),
            PermissionStatus::Missing,
            Some(&catalogue::SERVER_ERROR),
        ),
        (
            "read:customers",
            &["read:customers"],
            status(429),
            PermissionStatus::Unchecked,
            Some(&catalogue::RATE_LIMITED),
        ),
        (
            "read:customers",
            &["read:customers"],
            Read::NotJson(answer(200, "text/html", "<html><title>Halo</title></html>")),
            PermissionStatus::Missing,
            Some(&catalogue::HTML_RESOURCE_SERVER),
        ),
        (
            "read:customers",
            &["read:customers"],
            Read::Failed(Transport::Refused {
                host: "acme.halopsa.com".into(),
            }),
            PermissionStatus::Missing,
            Some(&catalogue::REFUSED),
        ),
        // Reading proves an edit scope only half: the Role's write access shows on a write.
        (
            "edit:customers",
            &["edit:customers"],
            json(3),
            PermissionStatus::Unverified,
            None,
        ),
        (
            "read:customers",
            &["all"],
            json(3),
            PermissionStatus::Granted,
            None,
        ),
        // A meta scope never marks a row missing by itself: the read decides, either way.
        (
            "read:customers",
            &["all:standard"],
            json(3),
            PermissionStatus::Granted,
            None,
        ),
        (
            "edit:items",
            &["admin"],
            json(3),
            PermissionStatus::Unverified,
            None,
        ),
        (
            "admin:webhooks",
            &["all:standard"],
            status(401),
            PermissionStatus::Missing,
            Some(&catalogue::SCOPE_MISSING),
        ),
        (
            "all:teams",
            &["all"],
            status(403),
            PermissionStatus::Missing,
            Some(&catalogue::SCOPE_MISSING),
        ),
        // Halo's API limit: the read could not be made, whatever its body's shape.
        (
            "read:customers",
            &["read:customers"],
            Read::Status(answer(
                429,
                "application/json",
                r#"{"error":"Rate Limit Reached - 300 Requests per rolling 5 minute window"}"#,
            )),
            PermissionStatus::Unchecked,
            Some(&catalogue::RATE_LIMITED),
        ),
        (
            "read:items",
            &["read:items"],
            Read::Status(answer(429, "text/plain", "Too Many Requests")),
            PermissionStatus::Unchecked,
            Some(&catalogue::RATE_LIMITED),
        ),
        // A token Halo no longer knows, as text or JSON: not a refusal of the area.
        (
            "read:customers",
            &["read:customers"],
            Read::Status(answer(400, "text/plain", "Token not found")),
            PermissionStatus::Unchecked,
            Some(&catalogue::TOKEN_NOT_FOUND),
        ),
        (
            "read:items",
            &["read:items"],
            Read::Status(answer(
                400,
                "application/json",
                r#"{"message":"Token not found"}"#,
            )),
            PermissionStatus::Unchecked,
            Some(&catalogue::TOKEN_NOT_FOUND),
        ),
        // Another 400 is no lost token.
        (
            "read:items",
            &["read:items"],
            Read::Status(answer(
                400,
                "application/json",
                r#"{"message":"Invalid advanced search parameter(s)"}"#,
            )),
            PermissionStatus::Unverified,
            None,
        ),
        // all:teams names its one area: it does not stand in for an invoice scope.
        (
            "edit:invoices",
            &["all:teams", "read:invoices"],
            json(3),
            PermissionStatus::Missing,
            Some(&catalogue::SCOPE_MISSING),
        ),
    ];
    for (scope, granted, read, want, cause) in rows {
        let row = permission(scope, granted, read.clone());
        assert_eq!(
            row.status, want,
            "{scope} granted {granted:?}, read {read:?}"
        );
        assert_eq!(
            row.cause.as_ref().map(|c| c.code()),
            cause.map(|c| c.code),
            "{scope} granted {granted:?}, read {read:?}"
        );
        if want == PermissionStatus::Unchecked && cause == Some(&catalogue::RATE_LIMITED) {
            let hint = row.hint.as_deref().unwrap_or_default();
            assert!(hint.starts_with("Not checked"), "{row:?}");
            if let Read::Status(a) = &read {
                if String::from_utf8_lossy(&a.body).contains("Rate Limit") {
                    assert!(hint.contains("Rate Limit Reached"), "quotes Halo: {row:?}");
                }
            }
        }
        if want == PermissionStatus::Missing {
            assert!(row.hint.is_some(), "a missing row says what to do: {row:?}");
        }
    }
}

#[test]
fn a_scope_without_a_read_that_proves_it_is_unverified() {
    let row = permission_row(
        "read:nothing-to-probe",
        &token(&["read:nothing-to-probe"]),
        None,
        &BTreeMap::new(),
        &settings(),
        "the agent",
        &[],
    );
    assert_eq!(row.status, PermissionStatus::Unverified);
}

#[test]
fn readiness_rows_follow_the_answers() {
    use ReadinessCheck::*;
    let rows: Vec<(ReadinessCheck, Read, bool, Option<&Cause>)> = vec![
        (VisibleTeams, json(2), true, None),
        (
            VisibleTeams,
            json(0),
            false,
            Some(&catalogue::VISIBLE_TEAMS),
        ),
        (
            VisibleTeams,
            status(403),
            false,
            Some(&catalogue::ROLE_DENIED),
        ),
        (
            VisibleAssets,
            json(0),
            false,
            Some(&catalogue::VISIBLE_ASSETS),
        ),
        (
            VisibleAssets,
            status(404),
            false,
            Some(&catalogue::VISIBLE_ASSETS),
        ),
        (
            VisibleAssets,
            status(503),
            false,
            Some(&catalogue::SERVER_ERROR),
        ),
        // Webhooks: readable is enough, even when none is registered yet.
        (WebhookPermission, json(0), true, None),
        (
            WebhookPermission,
            status(403),
            false,
            Some(&catalogue::WEBHOOK_PERMISSION),
        ),
        (ActiveRecurringContracts, json(1), true, None),
        (
            ActiveRecurringContracts,
            json(0),
            false,
            Some(&catalogue::ACTIVE_RECURRING_CONTRACTS),
        ),
    ];
    for (check, read, ok, cause) in rows {
        let path = match check {
            VisibleTeams => "/Team",
            VisibleAssets => "/Asset",
            WebhookPermission => "/Webhook",
            ActiveRecurringContracts => "/RecurringInvoice",
        };
        let by_path: BTreeMap<&str, &Read> = [(path, &read)].into_iter().collect();
        let recurring = (check == ActiveRecurringContracts).then_some(&read);
        let row = readiness_row(check, &by_path, recurring, &settings(), "the agent", &[]);
        assert_eq!(row.ok, ok, "{check:?} {read:?}: {row:?}");
        assert_eq!(
            row.cause.as_ref().map(|c| c.code()),
            cause.map(|c| c.code),
            "{check:?} {read:?}"
        );
    }
}

#[test]
fn token_findings_name_the_token_at_fault() {
    let cases: Vec<(Token, bool, Vec<&Cause>)> = vec![
        (token(&["read:customers"]), false, vec![]),
        (token(&[]), false, vec![&catalogue::TOKEN_WITHOUT_SCOPE]),
        (token(&["all"]), true, vec![&catalogue::ALL_PERMISSION]),
        (
            Token {
                expires_in: Some(0),
                ..token(&["read:customers"])
            },
            false,
            vec![&catalogue::TOKEN_EXPIRED],
        ),
    ];
    for (t, all_ticked, want) in cases {
        let mut report = ReportBuilder::new(Subject::named("p"), "billing", "r", "a", None);
        token_findings(&t, &["read:customers".to_string()], all_ticked, &mut report);
        let got: Vec<&str> = report.findings.iter().map(|f| f.code()).collect();
        let want: Vec<&str> = want.iter().map(|c| c.code).collect();
        assert_eq!(got, want, "{:?}", t.scopes);
    }
}

#[test]
fn a_token_at_fault_takes_the_blame_for_refused_reads() {
    let mut report = ReportBuilder::new(Subject::named("p"), "billing", "r", "a", None);
    report
        .findings
        .push(catalogue::AGENT_INACTIVE.diagnose("inactive", &[]));
    report.permissions.push(permission(
        "read:customers",
        &["read:customers"],
        status(403),
    ));
    report
        .permissions
        .push(permission("read:items", &["read:customers"], json(1)));
    attribute_to_token(&mut report);
    assert_eq!(
        report.permissions[0].cause.as_ref().unwrap().code(),
        "agent-inactive"
    );
    // A scope the token lacks stays the application's fault.
    assert_eq!(
        report.permissions[1].cause.as_ref().unwrap().code(),
        "scope-missing"
    );
}

#[test]
fn an_authinfo_naming_another_instance_is_a_finding() {
    let cases = [
        ("https://other.halopsa.com/auth", true),
        ("https://acme.halopsa.com/auth", false),
        ("https://auth.haloservicedesk.com/auth", false),
    ];
    for (auth_url, flagged) in cases {
        let mut report = ReportBuilder::new(Subject::named("p"), "billing", "r", "a", None);
        let read = Read::Json {
            records: None,
            value: serde_json::json!({ "auth_url": auth_url }),
        };
        cross_check_authinfo(&read, &settings(), &mut report);
        assert_eq!(!report.findings.is_empty(), flagged, "{auth_url}");
    }
}

fn refused(status: u16, ctype: &str, headers: &[(&str, &str)], body: &str) -> Read {
    let mut a = answer(status, ctype, body);
    a.headers = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Read::Status(a)
}

#[test]
fn a_refusal_from_in_front_of_halo_is_no_role_verdict() {
    let cf = [("server", "cloudflare"), ("cf-ray", "r1")];
    let cases: Vec<(Read, &Cause)> = vec![
        (
            refused(403, "text/html", &cf, "<html><head><title>Attention Required! | Cloudflare</title></head><body>cloudflare</body></html>"),
            &catalogue::FIREWALL_BLOCKED,
        ),
        (
            refused(403, "text/html", &[("cf-mitigated", "challenge")], ""),
            &catalogue::FIREWALL_CHALLENGE,
        ),
        (
            refused(403, "text/html", &[("server", "Microsoft-IIS/10.0")], "<html><head><title>IIS 10.0 Detailed Error - 403.503 - Forbidden</title></head></html>"),
            &catalogue::IP_ALLOW_LIST,
        ),
        (
            refused(403, "text/plain", &[], "You do not have permission to access this area."),
            &catalogue::ROLE_DENIED,
        ),
        (
            refused(401, "application/json", &[], r#"{"Message":"Authorization has been denied for this request."}"#),
            &catalogue::ROLE_DENIED,
        ),
        (
            refused(500, "application/json", &[], r#"{"ClassName":"System.Exception","Message":"boom"}"#),
            &catalogue::HALO_API_ERROR,
        ),
    ];
    for (read, want) in cases {
        let row = permission("read:customers", &["read:customers"], read.clone());
        assert_eq!(row.status, PermissionStatus::Missing);
        assert_eq!(row.cause.as_ref().map(|c| c.cause), Some(want), "{read:?}");
        let by_path: BTreeMap<&str, &Read> = [("/Team", &read)].into_iter().collect();
        let r = readiness_row(
            ReadinessCheck::VisibleTeams,
            &by_path,
            None,
            &settings(),
            "the agent",
            &[],
        );
        assert!(!r.ok);
        assert_eq!(r.cause.as_ref().map(|c| c.cause), Some(want), "{read:?}");
    }
}

#[test]
fn instance_reads_name_and_version_and_nothing_else_fails() {
    let read = |v: serde_json::Value| Read::Json {
        records: None,
        value: v,
    };
    let table = [
        (
            read(serde_json::json!({"app_name": "Halo PSA", "app_version": "2.196.7"})),
            Some(("Halo PSA", "2.196.7")),
        ),
        (
            read(serde_json::json!({"app_version": 2.19})),
            Some(("Halo", "2.19")),
        ),
        (
            read(serde_json::json!({"app_name": "\u{1b}[2JHalo\u{7}", "app_version": "1\n2"})),
            Some(("[2JHalo", "1 2")),
        ),
        (read(serde_json::json!({"app_name": "Halo PSA"})), None),
        (read(serde_json::json!([1, 2])), None),
        (status(403), None),
        (
            Read::NotJson(answer(200, "text/html", "<html></html>")),
            None,
        ),
    ];
    for (r, want) in table {
        let got = instance(&r);
        assert_eq!(
            got.as_ref().map(|i| (i.name.as_str(), i.version.as_str())),
            want,
            "{r:?}"
        );
    }
}

//! The verdicts of Save and Test: what each answer means for the report. Given the answers the
//! round trips brought back (`Read`, the token), it fills the permission and readiness rows and the
//! findings, and attributes refused reads to a token at fault. Pure functions: no requests, no
//! clock, no printing, so every verdict is table-tested on its own (`verdict/tests.rs`).

use std::collections::BTreeMap;

use halo_connect_core::catalogue;
use halo_connect_core::preset::{ReadinessCheck, Step};
use halo_connect_core::printable::printable;
use halo_connect_core::report::{
    AgentInfo, Diagnosis, InstanceInfo, PermissionRow, PermissionStatus, ReadinessRow,
    ReportBuilder,
};
use halo_connect_core::scope::{covers, granted_meta, probe_for};
use halo_connect_core::url::{normalize_auth_server, Tenant};
use halo_connect_core::values::ConnectionSettings;

use super::client::Answer;
use super::diagnose::{self, Token};
use super::transport::Transport;
use super::wire;

/// Failures of the token itself: no scope at all, "all" ticked where specific scopes were asked
/// for, or already expired.
pub(super) fn token_findings(
    token: &Token,
    requested: &[String],
    all_ticked: bool,
    report: &mut ReportBuilder,
) {
    if token.scopes.is_empty() && !requested.is_empty() {
        report
            .findings
            .push(catalogue::TOKEN_WITHOUT_SCOPE.diagnose(
                "Halo issued a token that carries no scope at all, so it refuses every API call.",
                &[],
            ));
    }
    if all_ticked {
        report.findings.push(catalogue::ALL_PERMISSION.diagnose(
            "The application has the \"all\" permission ticked, but this preset asks for specific permissions.",
            &[("scope", &requested.join(", "))],
        ));
    }
    if let Some(e) = token.expires_in.filter(|e| *e <= 0) {
        report.findings.push(catalogue::TOKEN_EXPIRED.diagnose(
            format!("Halo issued a token that had already expired (expires_in {e})."),
            &[],
        ));
    }
}

pub(super) fn is_on_premise(settings: &ConnectionSettings) -> bool {
    settings.tenant == Tenant::NotSet
        && !halo_connect_core::url::is_hosted(&settings.resource_server.host())
}

/// A Role setting with the access level the preset's Role checklist gives it, for the fix.
fn with_level(setting: &str, role: &[Step]) -> String {
    match role.iter().find(|s| s.setting == setting) {
        Some(step) => format!(
            "{setting} set to \"{}\" (the level this preset needs)",
            step.value
        ),
        None => setting.to_string(),
    }
}

/// The outcome of one GET on the Resource Server.
#[derive(Debug, Clone)]
pub(super) enum Read {
    Json {
        records: Option<u64>,
        value: serde_json::Value,
    },
    Status(Answer),
    NotJson(Answer),
    Failed(Transport),
}

pub(super) fn read_failure(read: &Read, settings: &ConnectionSettings) -> Option<Diagnosis> {
    match read {
        Read::NotJson(a) => Some(diagnose::resource_not_json(a, settings)),
        Read::Failed(t) => Some(diagnose::transport(t, is_on_premise(settings), None)),
        Read::Status(a) => diagnose::resource_status(a, settings),
        Read::Json { .. } => None,
    }
}

/// A refused read that something in front of Halo answered (a firewall, a filter, the web
/// server's IP refusal): no verdict on the Role or the scopes.
fn refused_in_front(read: Option<&Read>, settings: &ConnectionSettings) -> Option<Diagnosis> {
    match read {
        Some(Read::Status(a)) => diagnose::in_front(a, settings),
        _ => None,
    }
}

/// Reads `Agent/me`: the agent's name for the hints, and whether it is active.
pub(super) fn agent(
    me: &Read,
    settings: &ConnectionSettings,
    report: &mut ReportBuilder,
) -> Option<String> {
    match me {
        Read::Json { value, .. } => {
            let a: wire::AgentMe = serde_json::from_value(value.clone()).ok()?;
            let name = a.name.clone().unwrap_or_else(|| "(no name)".into());
            report.agent = Some(AgentInfo {
                id: a.id.unwrap_or_default(),
                name: name.clone(),
            });
            if a.isdisabled == Some(true) {
                report.findings.push(catalogue::AGENT_INACTIVE.diagnose(
                    format!("The agent {name:?} that the application logs in as is inactive."),
                    &[],
                ));
            }
            Some(name)
        }
        Read::Status(a) if a.status == 404 && diagnose::in_front(a, settings).is_none() => {
            report.findings.push(catalogue::NOT_HALO.diagnose(
                format!("{} answered 404: a Halo Resource Server always has /api/Agent/me, so this is not Halo's API.", a.url),
                &[],
            ));
            None
        }
        other => {
            if let Some(d) = read_failure(other, settings) {
                report.findings.push(d);
            }
            None
        }
    }
}

/// Which Halo answered, from InstanceInfo; anything but its JSON (a refusal, a failure) is no
/// failure, only no name.
pub(super) fn instance(read: &Read) -> Option<InstanceInfo> {
    let Read::Json { value, .. } = read else {
        return None;
    };
    let info: wire::InstanceInfo = serde_json::from_value(value.clone()).ok()?;
    let version = match info.app_version? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let version = printable(&version, 40);
    if version.is_empty() {
        return None;
    }
    let name = info
        .app_name
        .map(|n| printable(&n, 60))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Halo".to_string());
    Some(InstanceInfo { name, version })
}

/// Flags a Resource Server whose own authinfo names another instance's Authorization Server.
pub(super) fn cross_check_authinfo(
    authinfo: &Read,
    settings: &ConnectionSettings,
    report: &mut ReportBuilder,
) {
    let Read::Json { value, .. } = authinfo else {
        return;
    };
    let Some(found) = value.get("auth_url").and_then(|v| v.as_str()) else {
        return;
    };
    let Ok((their, _)) = normalize_auth_server(found) else {
        return;
    };
    if their.host() != settings.auth_server.host()
        && !settings.auth_server.is_shared()
        && !their.is_shared()
    {
        report.findings.push(catalogue::RESOURCE_SERVER_OTHER_INSTANCE.diagnose(
            format!(
                "The Resource Server {} belongs to the instance whose Authorization Server is {}, not {}.",
                settings.resource_server.as_str(),
                their.as_str(),
                settings.auth_server.as_str()
            ),
            &[],
        ));
    }
}

/// A token that is itself at fault (expired, no scope, an inactive agent) makes every refused read
/// a consequence, not a Role problem: the rows point at the one cause instead.
pub(super) fn attribute_to_token(report: &mut ReportBuilder) {
    let Some(cause) = report
        .findings
        .iter()
        .find(|f| {
            [
                &catalogue::TOKEN_EXPIRED,
                &catalogue::TOKEN_NOT_FOUND,
                &catalogue::TOKEN_WITHOUT_SCOPE,
                &catalogue::AGENT_INACTIVE,
            ]
            .contains(&f.cause)
        })
        .cloned()
    else {
        return;
    };
    for row in &mut report.permissions {
        if row.cause.as_ref().is_some_and(|c| {
            [&catalogue::ROLE_DENIED, &catalogue::ROLE_CLIENT_RESTRICTION].contains(&c.cause)
        }) {
            row.hint = Some(cause.hint.clone());
            row.cause = Some(cause.clone());
        }
    }
    for row in &mut report.readiness {
        if !row.ok
            && row.cause.as_ref().is_none_or(|c| {
                c.cause == &catalogue::ROLE_DENIED
                    || c.cause == catalogue::readiness_cause(row.check)
            })
        {
            row.detail = format!("Not checked: {}", cause.message);
            row.hint = Some(cause.hint.clone());
            row.cause = Some(cause.clone());
        }
    }
}

pub(super) fn permission_row(
    scope: &str,
    token: &Token,
    app_scopes: Option<&[String]>,
    by_path: &BTreeMap<&str, &Read>,
    settings: &ConnectionSettings,
    agent: &str,
    role: &[Step],
) -> PermissionRow {
    let row = |status, cause: Option<Diagnosis>, hint: Option<String>| PermissionRow {
        permission: scope.to_string(),
        status,
        hint: hint.or_else(|| cause.as_ref().map(|c| c.hint.clone())),
        cause,
    };
    // A granted meta scope may cover the row; what it covers is undocumented, so the read decides.
    let meta = (!covers(&token.scopes, scope))
        .then(|| granted_meta(&token.scopes))
        .flatten();
    if !covers(&token.scopes, scope) && meta.is_none() {
        let why = if app_scopes.is_some_and(|a| covers(a, scope)) {
            format!(
                "Halo did not grant {scope} when asked for it, although the application has it."
            )
        } else {
            format!("The application lacks the {scope} permission.")
        };
        return row(
            PermissionStatus::Missing,
            Some(catalogue::SCOPE_MISSING.diagnose(why, &[("scope", scope)])),
            None,
        );
    }
    let probe = probe_for(scope);
    let read = probe.and_then(|p| by_path.get(p.path).copied());
    if let Some(d) = refused_in_front(read, settings) {
        return row(PermissionStatus::Missing, Some(d), None);
    }
    let (Some(probe), Some(read)) = (probe, read) else {
        return row(
            PermissionStatus::Unverified,
            None,
            Some(format!("The token carries {scope}; halo-connect has no read that proves it without writing.")),
        );
    };
    match read {
        // A token Halo lost even after a fresh one: the read could not be made.
        Read::Status(a) if diagnose::token_not_found(a) => row(
            PermissionStatus::Unchecked,
            Some(catalogue::TOKEN_NOT_FOUND.diagnose(
                format!(
                    "Halo answered GET /api{} with 400 \"Token not found\", so {scope} could not be checked.",
                    probe.path
                ),
                &[],
            )),
            None,
        ),
        Read::Json { records, .. } => {
            if probe.area == "customers" && *records == Some(0) && scope.starts_with("read:") {
                return row(
                    PermissionStatus::Missing,
                    Some(catalogue::ROLE_CLIENT_RESTRICTION.diagnose(
                        format!("The token carries {scope}, but {agent} sees no customers at all: its Role restricts which Clients it may use."),
                        &[("agent", agent)],
                    )),
                    None,
                );
            }
            if scope.starts_with("edit:") || scope == "editMine:timesheets" {
                let note = meta.map(|m| format!(" (granted through {m:?})")).unwrap_or_default();
                row(
                    PermissionStatus::Unverified,
                    None,
                    Some(format!(
                        "The token carries {scope}{note} and reading works; whether the Role's {} allows changes shows only on a write, which halo-connect never makes.",
                        probe.role_setting
                    )),
                )
            } else {
                row(PermissionStatus::Granted, None, None)
            }
        }
        Read::Status(a) if (a.status == 401 || a.status == 403) && meta.is_some() => row(
            PermissionStatus::Missing,
            Some(catalogue::SCOPE_MISSING.diagnose(
                format!(
                    "The token carries {:?} but not {scope} itself, and Halo refused GET /api{} with HTTP {}: {:?} does not open it.",
                    meta.unwrap_or_default(), probe.path, a.status, meta.unwrap_or_default()
                ),
                &[("scope", scope)],
            )),
            None,
        ),
        Read::Status(a) if a.status == 401 || a.status == 403 => row(
            PermissionStatus::Missing,
            Some(catalogue::ROLE_DENIED.diagnose(
                format!(
                    "The token carries {scope}, but Halo refused GET /api{} with HTTP {}: the Role of {agent} lacks {}.",
                    probe.path, a.status, probe.role_setting
                ),
                &[("agent", agent), ("setting", &with_level(probe.role_setting, role))],
            )),
            None,
        ),
        Read::Status(a) if a.status != 429 && a.status < 500 => row(
            PermissionStatus::Unverified,
            None,
            Some(format!(
                "Halo answered HTTP {} to GET /api{}; the area may be switched off in this instance, so {scope} could not be checked.",
                a.status, probe.path
            )),
        ),
        // Halo's request limit refused the read: the scope is neither granted nor missing.
        Read::Status(a) if a.status == 429 && diagnose::resource_status(a, settings)
            .is_some_and(|d| d.cause == &catalogue::RATE_LIMITED) =>
        {
            let said = diagnose::answer_text(a)
                .map(|t| format!(" ({t:?})"))
                .unwrap_or_default();
            let d = diagnose::rate_limited(a);
            let hint = format!(
                "Not checked: Halo's request limit refused GET /api{}{said}. {}",
                probe.path, d.hint
            );
            row(PermissionStatus::Unchecked, Some(d), Some(hint))
        }
        other => row(PermissionStatus::Missing, read_failure(other, settings), None),
    }
}
pub(super) fn readiness_row(
    check: ReadinessCheck,
    by_path: &BTreeMap<&str, &Read>,
    recurring: Option<&Read>,
    settings: &ConnectionSettings,
    agent: &str,
    role: &[Step],
) -> ReadinessRow {
    let (read, what, empty) = match check {
        ReadinessCheck::ActiveRecurringContracts => (
            recurring,
            "recurring invoices",
            "No active recurring contract (recurring invoice) is visible, so a billing integration cannot go live.".to_string(),
        ),
        ReadinessCheck::VisibleTeams => (by_path.get("/Team").copied(), "Teams", format!("{agent} sees no Team, so alerts have nowhere to be routed.")),
        ReadinessCheck::VisibleAssets => {
            (by_path.get("/Asset").copied(), "assets", format!("{agent} sees no asset, so an asset integration has nothing to sync."))
        }
        ReadinessCheck::WebhookPermission => (
            by_path.get("/Webhook").copied(),
            "webhooks",
            "The application cannot read webhooks, so the integration cannot register its own.".to_string(),
        ),
    };
    let cause = catalogue::readiness_cause(check);
    let fail = |cause: Diagnosis| ReadinessRow {
        check,
        ok: false,
        detail: cause.message.clone(),
        hint: Some(cause.hint.clone()),
        cause: Some(cause),
    };
    if let Some(d) = refused_in_front(read, settings) {
        return fail(d);
    }
    match read {
        Some(Read::Json { records, .. })
            if check == ReadinessCheck::WebhookPermission || records.unwrap_or(0) > 0 =>
        {
            ReadinessRow {
                check,
                ok: true,
                detail: if check == ReadinessCheck::WebhookPermission {
                    "webhooks can be read".into()
                } else {
                    format!("{what} are visible to the agent")
                },
                hint: None,
                cause: None,
            }
        }
        Some(Read::Json { .. }) => fail(cause.diagnose(empty, &[])),
        Some(Read::Status(a))
            if (a.status == 401 || a.status == 403)
                && check != ReadinessCheck::WebhookPermission =>
        {
            let setting = match check {
                ReadinessCheck::ActiveRecurringContracts => "Invoices Access Level",
                ReadinessCheck::VisibleTeams => "Departments & Teams membership",
                _ => "Assets Access Level",
            };
            fail(catalogue::ROLE_DENIED.diagnose(
                format!("Halo refused to list {what} (HTTP {}): the Role of {agent} lacks {setting}, so this check could not run.", a.status),
                &[("agent", agent), ("setting", &with_level(setting, role))],
            ))
        }
        Some(Read::Status(a)) if a.status != 429 && a.status < 500 => fail(cause.diagnose(
            format!(
                "Halo answered HTTP {} when listing {what}. {empty}",
                a.status
            ),
            &[],
        )),
        Some(other) => fail(
            read_failure(other, settings).unwrap_or_else(|| cause.diagnose(empty.clone(), &[])),
        ),
        None => fail(cause.diagnose(format!("{what} could not be listed."), &[])),
    }
}

#[cfg(test)]
mod tests;

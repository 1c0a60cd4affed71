//! Save and Test: the token exchange with the scope strategy of product.md step 5, then `Agent/me`,
//! one cheapest read per permission area, the preset's readiness checks and an authinfo
//! cross-check, all at once over one connection pool. It fills a `CheckReport`; it does not print.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use crate::domain::catalogue;
use crate::domain::preset::{Preset, ReadinessCheck};
use crate::domain::report::{
    AgentInfo, CheckReport, Diagnosis, PermissionRow, PermissionStatus, ReadinessRow,
};
use crate::domain::scope::{
    covers, probe_for, Probe, AGENT_ME_PATH, AUTHINFO_PATH, PROBES, RECURRING_PATH,
};
use crate::domain::secret::Secret;
use crate::domain::url::{normalize_auth_server, Tenant};
use crate::domain::values::{ConnectionSettings, Discovery};

use super::client::{Answer, HaloClient};
use super::diagnose::{self, Token, TokenOutcome};
use super::transport::Transport;
use super::{tls_inspect, wire};

/// Asks `GET <base>/api/authinfo` (no token) for the Authorization Server and tenant.
pub async fn discover(client: &HaloClient, base: &str) -> Result<Discovery, String> {
    let url = format!("{}/api{}", base.trim_end_matches('/'), AUTHINFO_PATH);
    let answer = client
        .get(&url, None)
        .await
        .map_err(|t| diagnose::transport(&t, false, None).message)?;
    if answer.status != 200 {
        return Err(format!("{url} answered HTTP {}", answer.status));
    }
    let info: wire::AuthInfo =
        serde_json::from_slice(&answer.body).map_err(|_| format!("{url} did not answer JSON"))?;
    let tenant_id = match info.tenant_id {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok(Discovery {
        auth_url: info.auth_url,
        tenant_id,
    })
}

/// Exchanges the client credentials for a token with the given scopes.
pub async fn exchange_token(
    client: &HaloClient,
    settings: &ConnectionSettings,
    secret: &Secret,
    scopes: &[String],
) -> TokenOutcome {
    let url = settings.auth_server.token_url(&settings.tenant);
    match client
        .post_token(&url, &settings.client_id, secret, scopes)
        .await
    {
        Ok(answer) => diagnose::token_answer(&answer, settings),
        Err(t) => TokenOutcome::Failed(explain(&t, settings, client.options().timeout).await),
    }
}

/// Names a transport failure; a refused certificate gets a second look at what the server sent.
async fn explain(t: &Transport, settings: &ConnectionSettings, timeout: Duration) -> Diagnosis {
    let chain = match t {
        Transport::Tls { .. } => {
            let url = settings.auth_server.url_for_inspection();
            match url {
                Some((host, port)) => tokio::task::spawn_blocking(move || {
                    tls_inspect::inspect(&host, port, timeout.min(Duration::from_secs(5)))
                })
                .await
                .ok()
                .flatten(),
                None => None,
            }
        }
        _ => None,
    };
    diagnose::transport(t, is_on_premise(settings), chain.as_ref())
}

fn is_on_premise(settings: &ConnectionSettings) -> bool {
    settings.tenant == Tenant::NotSet
        && !crate::domain::url::is_hosted(&settings.resource_server.host())
}

/// The outcome of one GET on the Resource Server.
#[derive(Debug, Clone)]
enum Read {
    Json {
        records: Option<u64>,
        value: serde_json::Value,
    },
    Status(Answer),
    NotJson(Answer),
    Failed(Transport),
}

async fn read(
    client: &HaloClient,
    settings: &ConnectionSettings,
    token: Option<&Secret>,
    path: &str,
    query: &str,
    key: &str,
) -> Read {
    let url = settings.resource_server.join(path, query);
    match client.get(&url, token).await {
        Err(t) => Read::Failed(t),
        Ok(a) if !(200..300).contains(&a.status) => Read::Status(a),
        Ok(a) => match (a.is_json(), a.json()) {
            (true, Some(value)) => Read::Json {
                records: wire::record_count(&value, key),
                value,
            },
            _ => Read::NotJson(a),
        },
    }
}

fn read_failure(read: &Read, settings: &ConnectionSettings) -> Option<Diagnosis> {
    match read {
        Read::NotJson(a) => Some(diagnose::resource_not_json(a, settings)),
        Read::Failed(t) => Some(diagnose::transport(t, is_on_premise(settings), None)),
        Read::Status(a) if a.status == 429 => Some(diagnose::rate_limited(a)),
        Read::Status(a) if a.status >= 500 => Some(catalogue::SERVER_ERROR.diagnose(
            format!(
                "{} failed with HTTP {} after {} attempt(s).",
                a.url, a.status, a.attempts
            ),
            &[],
        )),
        _ => None,
    }
}

/// Runs the whole Save and Test and returns its report.
pub async fn run_check(
    client: &HaloClient,
    settings: &ConnectionSettings,
    secret: &Secret,
    preset: &Preset,
    profile: &str,
) -> CheckReport {
    let started = Instant::now();
    let mut report = CheckReport::new(
        profile,
        &preset.name,
        settings.resource_server.as_str(),
        settings.auth_server.as_str(),
        settings.tenant.as_option(),
    );
    let requested: Vec<String> = preset.scopes.clone();
    let wants_all = requested.iter().any(|s| s == "all");

    // Round trip 1: the preset's scopes. A refusal costs one more round trip, asking for `all`.
    let (token, app_scopes) = match exchange_token(client, settings, secret, &requested).await {
        TokenOutcome::Issued(t) => (t, None),
        TokenOutcome::ScopeRefused(desc) => {
            match exchange_token(client, settings, secret, &["all".to_string()]).await {
                TokenOutcome::Issued(t) => {
                    let app = t.scopes.clone();
                    report.notes.push(format!("Halo refused the preset's scope list ({desc}); asking for \"all\" showed what the application has."));
                    (t, Some(app))
                }
                TokenOutcome::ScopeRefused(d2) => {
                    report.error = Some(catalogue::SCOPE_MISSING.diagnose(
                        format!("Halo refused every scope requested ({d2})."),
                        &[("scope", &requested.join(", "))],
                    ));
                    return finish(report, started);
                }
                TokenOutcome::Failed(d) => {
                    report.error = Some(d);
                    return finish(report, started);
                }
            }
        }
        TokenOutcome::Failed(d) => {
            report.error = Some(d);
            return finish(report, started);
        }
    };

    let all_ticked = !wants_all && token.scopes.iter().any(|s| s == "all");
    let lacking: Vec<String> = requested
        .iter()
        .filter(|s| !covers(&token.scopes, s))
        .cloned()
        .collect();
    report.token.ok = true;
    report.token.granted_scopes = token.scopes.clone();
    report.token.expires_in = token.expires_in;

    // Round trip 2, all at once: Agent/me, one read per area, readiness reads, the authinfo
    // cross-check and (when the granted list fell short) the `all` request that shows what the
    // application has.
    let probes = probes_for(preset);
    let access = Some(&token.access_token);
    let probe_futs = probes
        .iter()
        .map(|p| read(client, settings, access, p.path, p.query, p.list_key));
    let ask_all = app_scopes.is_none() && !lacking.is_empty() && !all_ticked;
    let wants_recurring = preset
        .readiness
        .contains(&ReadinessCheck::ActiveRecurringContracts);
    let (me, reads, recurring, all_outcome, authinfo) = tokio::join!(
        read(client, settings, access, AGENT_ME_PATH, "", ""),
        join_all(probe_futs),
        async {
            if wants_recurring {
                Some(
                    read(
                        client,
                        settings,
                        access,
                        RECURRING_PATH,
                        "count=1",
                        "invoices",
                    )
                    .await,
                )
            } else {
                None
            }
        },
        async {
            if ask_all {
                Some(exchange_token(client, settings, secret, &["all".to_string()]).await)
            } else {
                None
            }
        },
        read(client, settings, None, AUTHINFO_PATH, "", "")
    );
    let app_scopes: Option<Vec<String>> = app_scopes.or(match all_outcome {
        Some(TokenOutcome::Issued(t)) => Some(t.scopes),
        _ => None,
    });
    let by_path: BTreeMap<&str, &Read> = probes.iter().map(|p| p.path).zip(reads.iter()).collect();

    let agent_name = agent(&me, settings, &mut report);
    let agent_label = agent_name
        .map(|n| format!("the agent {n:?}"))
        .unwrap_or_else(|| "the application's agent".to_string());
    cross_check_authinfo(&authinfo, settings, &mut report);

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

    // A token without any scope is one finding, not one per row.
    if !token.scopes.is_empty() || requested.is_empty() {
        for scope in &requested {
            report.permissions.push(permission_row(
                scope,
                &token,
                app_scopes.as_deref(),
                &by_path,
                settings,
                &agent_label,
                all_ticked,
            ));
        }
    } else {
        for scope in &requested {
            report.permissions.push(PermissionRow {
                permission: scope.clone(),
                status: PermissionStatus::Missing,
                hint: Some(format!(
                    "Tick {scope} on the application's Permissions tab."
                )),
                cause: Some(
                    catalogue::TOKEN_WITHOUT_SCOPE.diagnose("The token carries no scope.", &[]),
                ),
            });
        }
    }
    for check in &preset.readiness {
        report.readiness.push(readiness_row(
            *check,
            &by_path,
            recurring.as_ref(),
            settings,
            &agent_label,
        ));
    }
    finish(report, started)
}

/// Reads `Agent/me`: the agent's name for the hints, and whether it is active.
fn agent(me: &Read, settings: &ConnectionSettings, report: &mut CheckReport) -> Option<String> {
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
        Read::Status(a) if a.status == 404 => {
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

/// Flags a Resource Server whose own authinfo names another instance's Authorization Server.
fn cross_check_authinfo(authinfo: &Read, settings: &ConnectionSettings, report: &mut CheckReport) {
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
fn attribute_to_token(report: &mut CheckReport) {
    let Some(cause) = report
        .findings
        .iter()
        .find(|f| {
            [
                &catalogue::TOKEN_EXPIRED,
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

fn finish(mut report: CheckReport, started: Instant) -> CheckReport {
    attribute_to_token(&mut report);
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    report.finish();
    report
}

/// The distinct reads a preset needs: one per area of its scopes, plus readiness reads.
fn probes_for(preset: &Preset) -> Vec<&'static Probe> {
    let mut out: Vec<&'static Probe> = Vec::new();
    let mut push = |p: &'static Probe| {
        if !out.iter().any(|o| o.path == p.path) {
            out.push(p);
        }
    };
    for s in &preset.scopes {
        if let Some(p) = probe_for(s) {
            push(p);
        }
    }
    for r in &preset.readiness {
        let path = match r {
            ReadinessCheck::VisibleTeams => "/Team",
            ReadinessCheck::VisibleAssets => "/Asset",
            ReadinessCheck::WebhookPermission => "/Webhook",
            ReadinessCheck::ActiveRecurringContracts => continue,
        };
        if let Some(p) = PROBES.iter().find(|p| p.path == path) {
            push(p);
        }
    }
    out
}

fn permission_row(
    scope: &str,
    token: &Token,
    app_scopes: Option<&[String]>,
    by_path: &BTreeMap<&str, &Read>,
    settings: &ConnectionSettings,
    agent: &str,
    all_ticked: bool,
) -> PermissionRow {
    let row = |status, cause: Option<Diagnosis>, hint: Option<String>| PermissionRow {
        permission: scope.to_string(),
        status,
        hint: hint.or_else(|| cause.as_ref().map(|c| c.hint.clone())),
        cause,
    };
    if !covers(&token.scopes, scope) {
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
    let (Some(probe), Some(read)) = (probe, read) else {
        return row(
            PermissionStatus::Unverified,
            None,
            Some(format!("The token carries {scope}; halo-connect has no read that proves it without writing.")),
        );
    };
    match read {
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
                let note = if all_ticked { " (granted through \"all\")" } else { "" };
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
        Read::Status(a) if a.status == 401 || a.status == 403 => row(
            PermissionStatus::Missing,
            Some(catalogue::ROLE_DENIED.diagnose(
                format!(
                    "The token carries {scope}, but Halo refused GET /api{} with HTTP {}: the Role of {agent} lacks {}.",
                    probe.path, a.status, probe.role_setting
                ),
                &[("agent", agent), ("setting", probe.role_setting)],
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
        other => row(PermissionStatus::Missing, read_failure(other, settings), None),
    }
}

fn readiness_row(
    check: ReadinessCheck,
    by_path: &BTreeMap<&str, &Read>,
    recurring: Option<&Read>,
    settings: &ConnectionSettings,
    agent: &str,
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
                &[("agent", agent), ("setting", setting)],
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

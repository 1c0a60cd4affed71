//! Save and Test: the token exchange with the scope strategy of product.md step 5, then `Agent/me`,
//! one cheapest read per permission area and the preset's readiness checks, all at once over one
//! connection pool. It fills a `CheckReport`; it does not print.

use std::collections::BTreeMap;
use std::time::Instant;

use futures_util::future::join_all;

use crate::domain::preset::{Preset, ReadinessCheck};
use crate::domain::report::{
    AgentInfo, CheckReport, Diagnosis, ErrorClass, PermissionRow, PermissionStatus, ReadinessRow,
};
use crate::domain::scope::{
    covers, probe_for, Probe, AGENT_ME_PATH, AUTHINFO_PATH, PROBES, RECURRING_PATH,
};
use crate::domain::secret::Secret;
use crate::domain::url::Tenant;
use crate::domain::values::{ConnectionSettings, Discovery};

use super::client::{Answer, HaloClient, Transport};
use super::diagnose::{self, Token, TokenOutcome, AGENTS_MENU, APP_MENU, ROLES_MENU};
use super::wire;

/// Asks `GET <base>/api/authinfo` (no token) for the Authorization Server and tenant.
pub async fn discover(client: &HaloClient, base: &str) -> Result<Discovery, Diagnosis> {
    let url = format!("{}/api{}", base.trim_end_matches('/'), AUTHINFO_PATH);
    let answer = client
        .get(&url, None)
        .await
        .map_err(|t| diagnose::transport(&t, false))?;
    if answer.status != 200 {
        return Err(Diagnosis::new(
            ErrorClass::Server,
            "authinfo",
            format!("{url} answered HTTP {}.", answer.status),
            "halo-connect falls back to the derived values.",
        ));
    }
    let info: wire::AuthInfo = serde_json::from_slice(&answer.body).map_err(|_| {
        Diagnosis::new(
            ErrorClass::Server,
            "authinfo",
            format!("{url} did not answer JSON."),
            "halo-connect falls back to the derived values.",
        )
    })?;
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
        Err(t) => TokenOutcome::Failed(diagnose::transport(&t, is_on_premise(settings))),
    }
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
    token: &Secret,
    path: &str,
    query: &str,
    key: &str,
) -> Read {
    let url = settings.resource_server.join(path, query);
    match client.get(&url, Some(token)).await {
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
                    report.error = Some(Diagnosis::new(
                    ErrorClass::Permission,
                    "scope-refused",
                    format!("Halo refused every scope requested ({d2})."),
                    format!("Tick the preset's permissions on the application's Permissions tab in {APP_MENU}."),
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
    let usable = token.scope_listed || !token.scopes.is_empty();
    report.token.ok = true;
    report.token.granted_scopes = token.scopes.clone();
    report.token.expires_in = token.expires_in;

    // Round trip 2, all at once: Agent/me, one read per area, readiness reads, and (when the
    // granted list fell short) the `all` request that shows what the application has.
    let probes = probes_for(preset);
    let readiness_reads: Vec<ReadinessCheck> = preset.readiness.clone();
    let probe_futs = probes.iter().map(|p| {
        read(
            client,
            settings,
            &token.access_token,
            p.path,
            p.query,
            p.list_key,
        )
    });
    let ask_all = app_scopes.is_none() && !lacking.is_empty() && !all_ticked;
    let (me, reads, recurring, all_outcome) = tokio::join!(
        read(client, settings, &token.access_token, AGENT_ME_PATH, "", ""),
        join_all(probe_futs),
        async {
            if readiness_reads.contains(&ReadinessCheck::ActiveRecurringContracts) {
                Some(
                    read(
                        client,
                        settings,
                        &token.access_token,
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
        }
    );
    let app_scopes: Option<Vec<String>> = app_scopes.or(match all_outcome {
        Some(TokenOutcome::Issued(t)) => Some(t.scopes),
        _ => None,
    });
    let by_path: BTreeMap<&str, &Read> = probes.iter().map(|p| p.path).zip(reads.iter()).collect();

    // The agent the application acts as.
    let agent_name = match &me {
        Read::Json { value, .. } => {
            let agent: Option<wire::AgentMe> = serde_json::from_value(value.clone()).ok();
            if let Some(a) = agent {
                let name = a.name.clone().unwrap_or_else(|| "(no name)".into());
                report.agent = Some(AgentInfo {
                    id: a.id.unwrap_or_default(),
                    name: name.clone(),
                });
                if a.isdisabled == Some(true) {
                    report.findings.push(Diagnosis::new(
                        ErrorClass::Permission,
                        "agent-inactive",
                        format!("The agent {name:?} that the application logs in as is inactive."),
                        format!("Tick Account Active on the agent in {AGENTS_MENU}, or choose an active \"Agent to log in as\" in {APP_MENU}."),
                    ));
                }
                Some(name)
            } else {
                None
            }
        }
        Read::NotJson(a) => {
            report
                .findings
                .push(diagnose::resource_not_json(a, settings));
            None
        }
        Read::Failed(t) => {
            report
                .findings
                .push(diagnose::transport(t, is_on_premise(settings)));
            None
        }
        Read::Status(_) => None,
    };
    let agent_label = agent_name
        .map(|n| format!("the agent {n:?}"))
        .unwrap_or_else(|| "the application's agent".to_string());

    if !usable || (token.scopes.is_empty() && !requested.is_empty()) {
        report.findings.push(Diagnosis::new(
            ErrorClass::Permission,
            "token-without-scope",
            "Halo issued a token that carries no scope at all, so it refuses every API call.",
            format!("Tick the preset's permissions on the application's Permissions tab in {APP_MENU}, then Save."),
        ));
    }
    if all_ticked {
        report.findings.push(Diagnosis::new(
            ErrorClass::Permission,
            "all-permission",
            "The application has the \"all\" permission ticked, but this preset asks for specific permissions.",
            format!(
                "On the application's Permissions tab in {APP_MENU}, untick \"All\" and tick exactly: {}. Integrations that ask for specific scopes fail when \"All\" is ticked.",
                requested.join(", ")
            ),
        ));
    }
    if let Some(e) = token.expires_in {
        if e <= 0 {
            report.findings.push(Diagnosis::new(
                ErrorClass::Server,
                "token-expired",
                format!("Halo issued a token that had already expired (expires_in {e})."),
                "Check the clocks of Halo's server and this machine (NTP); a token must live about an hour.",
            ));
        }
    }

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
    for check in &readiness_reads {
        report.readiness.push(readiness_row(
            *check,
            &by_path,
            recurring.as_ref(),
            settings,
            &agent_label,
        ));
    }
    if !lacking.is_empty() {
        if let Some(app) = &app_scopes {
            let has: Vec<&String> = lacking.iter().filter(|s| covers(app, s)).collect();
            if has.is_empty() {
                report.notes.push(format!(
                    "The application does not have: {}.",
                    lacking.join(", ")
                ));
            }
        }
    }
    finish(report, started)
}

fn finish(mut report: CheckReport, started: Instant) -> CheckReport {
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

fn missing_scope_hint(scope: &str) -> String {
    format!("Tick {scope} on the application's Permissions tab ({APP_MENU} > your application > Permissions), then Save.")
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
    let row = |status, hint: Option<String>, cause: Option<Diagnosis>| PermissionRow {
        permission: scope.to_string(),
        status,
        hint,
        cause,
    };
    if !covers(&token.scopes, scope) {
        let app_has = app_scopes.is_some_and(|a| covers(a, scope));
        let why = if app_has {
            format!(
                "Halo did not grant {scope} when asked for it, although the application has it."
            )
        } else {
            format!("The application lacks the {scope} permission.")
        };
        let hint = missing_scope_hint(scope);
        return row(
            PermissionStatus::Missing,
            Some(hint.clone()),
            Some(Diagnosis::new(
                ErrorClass::Permission,
                "scope-missing",
                why,
                hint,
            )),
        );
    }
    let probe = probe_for(scope);
    let read = probe.and_then(|p| by_path.get(p.path).copied());
    let (Some(probe), Some(read)) = (probe, read) else {
        return row(
            PermissionStatus::Unverified,
            Some(format!("The token carries {scope}; halo-connect has no read that proves it without writing.")),
            None,
        );
    };
    let role_hint = format!(
        "In {ROLES_MENU} > (the Role of {agent}) > Permissions, set {} so the agent may read it; check the agent's Teams and \"Allow use of all Clients\" too.",
        probe.role_setting
    );
    match read {
        Read::Json { records, .. } => {
            if probe.area == "customers" && *records == Some(0) && scope.starts_with("read:") {
                let hint = format!(
                    "In {ROLES_MENU} > (the Role of {agent}) > Client Restrictions, set \"Allow use of all Clients\" to Yes; check the agent's Teams in {AGENTS_MENU}."
                );
                return row(
                    PermissionStatus::Missing,
                    Some(hint.clone()),
                    Some(Diagnosis::new(
                        ErrorClass::Permission,
                        "role-client-restriction",
                        format!("The token carries {scope}, but {agent} sees no customers at all: its Role restricts which Clients it may use."),
                        hint,
                    )),
                );
            }
            if scope.starts_with("edit:") || matches!(scope, "editMine:timesheets") {
                let note = if all_ticked { " (granted through \"all\")" } else { "" };
                row(
                    PermissionStatus::Unverified,
                    Some(format!(
                        "The token carries {scope}{note} and reading works; whether the Role's {} allows changes shows only on a write, which halo-connect never makes.",
                        probe.role_setting
                    )),
                    None,
                )
            } else {
                row(PermissionStatus::Granted, None, None)
            }
        }
        Read::Status(a) if a.status == 401 || a.status == 403 => row(
            PermissionStatus::Missing,
            Some(role_hint.clone()),
            Some(Diagnosis::new(
                ErrorClass::Permission,
                "role-denied",
                format!(
                    "The token carries {scope}, but Halo refused GET {} with HTTP {}: the Role of {agent} lacks {}.",
                    probe.path, a.status, probe.role_setting
                ),
                role_hint,
            )),
        ),
        Read::Status(a) if a.status == 429 => {
            let d = diagnose::rate_limited(a);
            row(PermissionStatus::Missing, Some(d.hint.clone()), Some(d))
        }
        Read::Status(a) => row(
            PermissionStatus::Unverified,
            Some(format!(
                "Halo answered HTTP {} to GET {}; the area may be switched off in this instance, so {scope} could not be checked.",
                a.status, probe.path
            )),
            None,
        ),
        Read::NotJson(a) => {
            let d = diagnose::resource_not_json(a, settings);
            row(PermissionStatus::Missing, Some(d.hint.clone()), Some(d))
        }
        Read::Failed(t) => {
            let d = diagnose::transport(t, is_on_premise(settings));
            row(PermissionStatus::Missing, Some(d.hint.clone()), Some(d))
        }
    }
}

fn readiness_row(
    check: ReadinessCheck,
    by_path: &BTreeMap<&str, &Read>,
    recurring: Option<&Read>,
    settings: &ConnectionSettings,
    agent: &str,
) -> ReadinessRow {
    let (read, what, empty_detail, empty_hint) = match check {
        ReadinessCheck::ActiveRecurringContracts => (
            recurring,
            "recurring invoices",
            "No active recurring contract (recurring invoice) is visible, so a billing integration cannot go live.".to_string(),
            "Set up at least one active recurring contract with a recurring invoice in Halo, or wait until one is active (usually after the 1st of the month); check the agent's Role allows Invoices and Client Contracts.".to_string(),
        ),
        ReadinessCheck::VisibleTeams => (
            by_path.get("/Team").copied(),
            "Teams",
            format!("{agent} sees no Team, so alerts have nowhere to be routed."),
            format!("Tick all:teams on the application in {APP_MENU}, or add the agent to the Teams on its Departments & Teams tab in {AGENTS_MENU}."),
        ),
        ReadinessCheck::VisibleAssets => (
            by_path.get("/Asset").copied(),
            "assets",
            format!("{agent} sees no asset, so an asset integration has nothing to sync."),
            format!("Allow the agent's Role all Asset Types (Asset Type Restrictions) and all Clients in {ROLES_MENU}, and check assets exist."),
        ),
        ReadinessCheck::WebhookPermission => (
            by_path.get("/Webhook").copied(),
            "webhooks",
            "The application cannot read webhooks, so the integration cannot register its own.".to_string(),
            format!("Tick admin:webhooks on the application's Permissions tab in {APP_MENU}."),
        ),
    };
    let id = check.id().to_string();
    let fail = |detail: String, hint: String, cause: Option<Diagnosis>| ReadinessRow {
        check: id.clone(),
        ok: false,
        detail,
        hint: Some(hint),
        cause,
    };
    match read {
        Some(Read::Json { records, .. }) => {
            let n = records.unwrap_or(0);
            if check == ReadinessCheck::WebhookPermission || n > 0 {
                ReadinessRow {
                    check: id.clone(),
                    ok: true,
                    detail: if check == ReadinessCheck::WebhookPermission {
                        "webhooks can be read".into()
                    } else {
                        format!("{what} are visible to the agent")
                    },
                    hint: None,
                    cause: None,
                }
            } else {
                fail(empty_detail, empty_hint, None)
            }
        }
        Some(Read::Status(a)) => fail(
            format!("Halo answered HTTP {} when listing {what}.", a.status),
            empty_hint,
            None,
        ),
        Some(Read::NotJson(a)) => {
            let d = diagnose::resource_not_json(a, settings);
            fail(d.message.clone(), d.hint.clone(), Some(d))
        }
        Some(Read::Failed(t)) => {
            let d = diagnose::transport(t, is_on_premise(settings));
            fail(d.message.clone(), d.hint.clone(), Some(d))
        }
        None => fail(format!("{what} could not be listed."), empty_hint, None),
    }
}

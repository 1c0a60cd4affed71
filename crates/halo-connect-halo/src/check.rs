//! Save and Test's round trips: the token exchange (a refused scope list costs one more, asking for
//! `all`), then `Agent/me`, one cheapest read per permission area, the preset's readiness reads
//! and an authinfo cross-check, all at once over one connection pool. What the answers mean is
//! `verdict`'s job; this file only sends, gathers and times. It does not print.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use halo_connect_core::catalogue;
use halo_connect_core::preset::{Preset, ReadinessCheck};
use halo_connect_core::report::{
    CheckReport, Diagnosis, PermissionRow, PermissionStatus, ReportBuilder, Subject,
};
use halo_connect_core::scope::{
    covers, granted_meta, probe_for, Probe, AGENT_ME_PATH, AUTHINFO_PATH, PROBES, RECURRING_PATH,
};
use halo_connect_core::secret::Secret;
use halo_connect_core::values::{ConnectionSettings, Discovery};

use super::answerer::describe;
use super::client::{ClientOptions, HaloClient};
use super::diagnose::{self, TokenOutcome};
use super::transport::Transport;
use super::verdict::{
    agent, attribute_to_token, cross_check_authinfo, instance, is_on_premise, permission_row,
    readiness_row, token_findings, Read,
};
use super::{tls_inspect, wire};

/// Which Halo answered (name and version); rides in the second round trip, and a refusal is no
/// failure.
const INSTANCE_INFO_PATH: &str = "/InstanceInfo";

/// Asks `GET <base>/api/authinfo` (no token) for the Authorization Server and the Tenant
/// (`tenant_id`): for an address alone, and for a Tenant missing where the Authorization Server
/// is on another host than the Resource Server (`domain::values::discovery_base` says when).
/// A failure says what answered; callers fall back to the derived values.
pub async fn discover(client: &HaloClient, base: &str) -> Result<Discovery, String> {
    discover_why(client, base).await.map_err(|f| f.message)
}

/// Why `api/authinfo` gave nothing: a sentence, the fix when nothing answered, and whether
/// anything answered at all.
#[derive(Debug, Clone)]
pub struct DiscoverFailure {
    pub message: String,
    /// The catalogue's fix for a transport failure (refused, DNS, silence, TLS…).
    pub fix: Option<String>,
    /// Something answered, but not as Halo's authinfo does.
    pub answered: bool,
}

/// `discover`, telling a transport failure (nothing answered) from an answer that is not Halo's.
pub async fn discover_why(client: &HaloClient, base: &str) -> Result<Discovery, DiscoverFailure> {
    let url = format!("{}/api{}", base.trim_end_matches('/'), AUTHINFO_PATH);
    let answer = client.get(&url, None).await.map_err(|t| {
        let d = diagnose::transport(&t, false, None);
        DiscoverFailure {
            message: d.message,
            fix: Some(d.hint),
            answered: false,
        }
    })?;
    let not_halo = |what: String| DiscoverFailure {
        message: what,
        fix: None,
        answered: true,
    };
    if answer.status != 200 {
        return Err(not_halo(format!("{url} answered {}", describe(&answer))));
    }
    let info: wire::AuthInfo = serde_json::from_slice(&answer.body).map_err(|_| {
        not_halo(format!(
            "{url} answered {}, not Halo's JSON",
            describe(&answer)
        ))
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
        Ok(answer) => without_secret(diagnose::token_answer(&answer, settings), secret),
        Err(t) => TokenOutcome::Failed(explain(&t, settings, client.options()).await),
    }
}

/// An answer quoted in a message may echo the form it was sent: the secret never goes further.
fn without_secret(outcome: TokenOutcome, secret: &Secret) -> TokenOutcome {
    let clean = |s: String| secret.scrub(&s, "[the Client Secret]");
    match outcome {
        TokenOutcome::Failed(mut d) => {
            d.message = clean(d.message);
            d.hint = clean(d.hint);
            TokenOutcome::Failed(d)
        }
        TokenOutcome::ScopeRefused(desc) => TokenOutcome::ScopeRefused(clean(desc)),
        issued => issued,
    }
}

/// Names a transport failure; a refused certificate gets a second look at what the server sent.
/// That look opens a socket of its own, so it is skipped when a proxy carries https: it would
/// reach the server by another path than the request did.
async fn explain(t: &Transport, settings: &ConnectionSettings, opts: &ClientOptions) -> Diagnosis {
    let timeout = opts.timeout;
    let proxied = opts.proxies.https.is_some() || opts.proxies.all.is_some();
    let chain = match t {
        Transport::Tls { .. } if !proxied => {
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

async fn check(
    client: &HaloClient,
    settings: &ConnectionSettings,
    secret: &Secret,
    preset: &Preset,
    subject: Subject,
) -> CheckReport {
    let started = Instant::now();
    let mut report = ReportBuilder::new(
        subject,
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
    // cross-check, InstanceInfo and (when the granted list fell short) the `all` request that
    // shows what the application has.
    let probes = probes_for(preset);
    // A meta scope in the grant is what asking for `all` would show; the reads decide its rows.
    let ask_all =
        app_scopes.is_none() && !lacking.is_empty() && granted_meta(&token.scopes).is_none();
    let wants_recurring = preset
        .readiness
        .contains(&ReadinessCheck::ActiveRecurringContracts);
    let mut token = token;
    let mut round = round_two(
        client,
        settings,
        secret,
        &token,
        &probes,
        ask_all,
        wants_recurring,
    )
    .await;
    // Halo answers 400 "Token not found" to a token it has dropped [E]: a fresh token, once,
    // before any read is judged.
    if round.token_not_found() {
        if let TokenOutcome::Issued(fresh) =
            exchange_token(client, settings, secret, &requested).await
        {
            report.notes.push(
                "Halo answered \"Token not found\" to the token it had just issued; halo-connect fetched a fresh token once and read again."
                    .to_string(),
            );
            token = fresh;
            round = round_two(
                client,
                settings,
                secret,
                &token,
                &probes,
                ask_all,
                wants_recurring,
            )
            .await;
        }
    }
    let RoundTwo {
        me,
        reads,
        recurring,
        all_outcome,
        authinfo,
        instance_read,
    } = round;
    report.instance = instance(&instance_read);
    let app_scopes: Option<Vec<String>> = app_scopes.or(match all_outcome {
        Some(TokenOutcome::Issued(t)) => Some(t.scopes),
        _ => None,
    });
    let by_path: BTreeMap<&str, &Read> = probes.iter().map(|p| p.path).zip(reads.iter()).collect();
    if let Some(d) = lost_token(&me, reads.iter()) {
        report.findings.push(d);
    }

    let agent_name = agent(&me, settings, &mut report);

    let agent_label = agent_name
        .map(|n| format!("the agent {n:?}"))
        .unwrap_or_else(|| "the application's agent".to_string());
    cross_check_authinfo(&authinfo, settings, &mut report);

    token_findings(&token, &requested, all_ticked, &mut report);

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
                &preset.role,
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
            &preset.role,
        ));
    }
    // The Resource Server's answers (an agent's name, a message) may echo the bearer token it
    // was sent: it never goes further, to the screen, --json or the bundle.
    report.scrub_text(|t| token.access_token.scrub(t, "[the access token]"));
    finish(report, started)
}

/// The answers of the second round trip.
struct RoundTwo {
    me: Read,
    reads: Vec<Read>,
    recurring: Option<Read>,
    all_outcome: Option<TokenOutcome>,
    authinfo: Read,
    instance_read: Read,
}

impl RoundTwo {
    /// Whether a read with the token got Halo's "Token not found".
    fn token_not_found(&self) -> bool {
        std::iter::once(&self.me)
            .chain(self.reads.iter())
            .chain(self.recurring.iter())
            .any(is_token_not_found)
    }
}

fn is_token_not_found(read: &Read) -> bool {
    matches!(read, Read::Status(a) if diagnose::token_not_found(a))
}

/// A token Halo still did not know after a fresh one: one finding for the whole report.
fn lost_token<'a>(me: &'a Read, reads: impl Iterator<Item = &'a Read>) -> Option<Diagnosis> {
    let mut all = std::iter::once(me).chain(reads);
    let Read::Status(a) = all.find(|r| is_token_not_found(r))? else {
        return None;
    };
    Some(catalogue::TOKEN_NOT_FOUND.diagnose(
        format!(
            "Halo's Resource Server answered {} with HTTP 400 \"Token not found\" to a token its Authorization Server had just issued, twice.",
            a.url
        ),
        &[],
    ))
}

/// Round trip 2, all at once: Agent/me, the probes, the readiness reads, the `all` request when
/// asked, authinfo and InstanceInfo.
async fn round_two(
    client: &HaloClient,
    settings: &ConnectionSettings,
    secret: &Secret,
    token: &diagnose::Token,
    probes: &[&'static Probe],
    ask_all: bool,
    wants_recurring: bool,
) -> RoundTwo {
    let access = Some(&token.access_token);
    let probe_futs = probes
        .iter()
        .map(|p| read(client, settings, access, p.path, p.query, p.list_key));
    let (me, reads, recurring, all_outcome, authinfo, instance_read) = tokio::join!(
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
        read(client, settings, None, AUTHINFO_PATH, "", ""),
        read(client, settings, access, INSTANCE_INFO_PATH, "", "")
    );
    RoundTwo {
        me,
        reads,
        recurring,
        all_outcome,
        authinfo,
        instance_read,
    }
}

fn finish(mut report: ReportBuilder, started: Instant) -> CheckReport {
    attribute_to_token(&mut report);
    // Rounded up: a check that made requests never took "0 ms".
    report.finish(started.elapsed().as_micros().div_ceil(1000) as u64)
}

/// Runs the whole Save and Test and returns its finished report; a recorder on the client keeps
/// it too. `subject` is what the command knew before: the profile, its notes, its last pass.
pub async fn run_check(
    client: &HaloClient,
    settings: &ConnectionSettings,
    secret: &Secret,
    preset: &Preset,
    subject: Subject,
) -> CheckReport {
    let report = check(client, settings, secret, preset, subject).await;
    if let Some(rec) = client.recorder() {
        rec.finished(settings, preset, &report);
    }
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

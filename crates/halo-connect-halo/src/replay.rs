//! `test --as NAME`: an integration's own requests, made the way its code makes them: HaloAPI's
//! authinfo look-up first, then the token request at the URL its code builds (a doubled "/" or
//! `tenant=undefined` included) with its scope string, form-encoded, then its first reads with the
//! token. Halo's answers are judged by the token endpoint's diagnosis and the domain's
//! `judge_read`; a failure names its cause in the form's own words.

use halo_connect_core::catalogue;
use halo_connect_core::integration::replay::{
    judge_read, PitfallSeen, ReadAnswer, ReplayReport, Step, TokenSeen,
};
use halo_connect_core::integration::{authinfo_url, pitfalls, token_plan, FilledForm, Value};
use halo_connect_core::report::Diagnosis;
use halo_connect_core::secret::Secret;
use halo_connect_core::url::Tenant;
use halo_connect_core::values::ConnectionSettings;

use super::client::{Answer, HaloClient};
use super::diagnose;
use super::diagnose::{token_answer, TokenOutcome};

/// Replays the integration of `form` against the Halo of `settings`.
pub async fn replay(
    client: &HaloClient,
    profile: &str,
    form: &FilledForm,
    settings: &ConnectionSettings,
    secret: &Secret,
) -> ReplayReport {
    let i = form.integration;
    let who = i.short_name();
    let mut report = ReplayReport::new(profile, i);
    // The usual slips first, without credentials: what Halo answers where they would send it.
    for p in pitfalls(form, settings) {
        let answer = client.post_without_credentials(&p.url).await;
        let status = answer.as_ref().ok().map(|a| a.status);
        let breaks = match &answer {
            Ok(a) => a.status == 404 || a.status >= 500 || a.looks_html(),
            Err(_) => true,
        };
        report.pitfalls.push(PitfallSeen {
            typed: p.typed,
            url: p.url,
            status,
            breaks,
            why: p.why,
        });
    }
    let mut found: Option<(String, Option<String>)> = None;
    if let Some(url) = authinfo_url(form) {
        let answer = client.get(&url, None).await;
        let ok = answer.as_ref().is_ok_and(|a| a.status == 200);
        found = answer
            .as_ref()
            .ok()
            .filter(|a| a.status == 200)
            .and_then(Answer::json)
            .and_then(|j| {
                let auth = j.get("auth_url")?.as_str()?.to_string();
                let tenant = j
                    .get("tenant_id")
                    .and_then(|t| t.as_str())
                    .map(str::to_string);
                Some((auth, tenant))
            });
        if found.is_none() {
            report.notes.push(format!(
                "{who} looked the Authorisation Server up at {url} and got no answer it can use, so it falls back to the address's /auth/token."
            ));
        }
        report.authinfo = Some(Step {
            method: "GET",
            url,
            status: answer.as_ref().ok().map(|a| a.status),
            ok,
        });
    }
    let (plan, reads) = token_plan(
        form,
        settings,
        found.as_ref().map(|(a, t)| (a.as_str(), t.as_deref())),
    );
    let mut seen = TokenSeen {
        step: Step {
            method: "POST",
            url: plan.url.clone(),
            status: None,
            ok: false,
        },
        scope: plan.scope.clone(),
        tenant: plan.tenant.clone(),
        content_type: "application/x-www-form-urlencoded",
        granted_scopes: Vec::new(),
    };
    // The diagnosis judges what was really sent: the tenant as sent, not as stored.
    let mut sent = settings.clone();
    sent.tenant = match plan.tenant.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => Tenant::Named(t.to_string()),
        _ => Tenant::NotSet,
    };
    let answer = client
        .post_token_as(&plan.url, &plan.client_id, secret, &plan.scope)
        .await;
    let token = match answer {
        Err(t) => {
            report.token = Some(seen);
            report.fail(diagnose::transport(&t, false, None));
            return report;
        }
        Ok(answer) => {
            seen.step.status = Some(answer.status);
            match token_answer(&answer, &sent) {
                TokenOutcome::Issued(t) => {
                    seen.step.ok = true;
                    seen.granted_scopes = t.scopes.clone();
                    report.token = Some(seen);
                    t.access_token
                }
                TokenOutcome::ScopeRefused(said) => {
                    report.token = Some(seen);
                    let fix = format!("{} {}", i.ticks_why, i.all_advice());
                    report.fail(catalogue::INTEGRATION_TOKEN_SCOPE.diagnose(
                        format!(
                            "{who} asks for the scopes \"{}\" and Halo refused them ({said}).",
                            plan.scope
                        ),
                        &[("fix", &fix)],
                    ));
                    return report;
                }
                TokenOutcome::Failed(d) => {
                    report.token = Some(seen);
                    report.fail(in_form_words(d, form, &plan.url, answer.status));
                    return report;
                }
            }
        }
    };
    for r in &reads {
        match client.get(&r.url, Some(&token)).await {
            Err(t) => {
                report
                    .reads
                    .push(halo_connect_core::integration::replay::ReadSeen {
                        path: r.path.clone(),
                        step: Step {
                            method: "GET",
                            url: r.url.clone(),
                            status: None,
                            ok: false,
                        },
                        list_key: r.list_key.clone(),
                        records: None,
                        missing_fields: Vec::new(),
                        detail: "No answer came.".into(),
                    });
                report.fail(diagnose::transport(&t, false, None));
            }
            Ok(a) => {
                let json = if a.is_json() { a.json() } else { None };
                let not_json = if a.looks_html() {
                    "a web page".to_string()
                } else if a.body.is_empty() {
                    "an empty body".to_string()
                } else {
                    format!("{:?}", a.snippet())
                };
                let (row, failure) = judge_read(
                    i,
                    r,
                    &ReadAnswer {
                        status: a.status,
                        json: json.as_ref(),
                        not_json: &not_json,
                    },
                );
                report.reads.push(row);
                if let Some(d) = failure {
                    report.fail(d);
                }
            }
        }
    }
    report
}

/// A token failure, said in the words of the form field behind it.
fn in_form_words(mut d: Diagnosis, form: &FilledForm, url: &str, status: u16) -> Diagnosis {
    let i = form.integration;
    let field = |v: Value| i.field(v).and_then(|f| f.why.clone());
    let words =
        if d.cause == &catalogue::TOKEN_URL_NOT_FOUND || d.cause == &catalogue::TOKEN_URL_HTML {
            field(Value::AuthServer).or_else(|| field(Value::SignInAddress))
        } else if [
            &catalogue::WRONG_TENANT,
            &catalogue::TENANT_REQUIRED,
            &catalogue::TENANT_ON_PREMISE,
        ]
        .contains(&d.cause)
        {
            field(Value::Hosting).or_else(|| field(Value::Tenant))
        } else {
            None
        };
    d.message = format!(
        "{} posted its token request to {url} and Halo answered {status}: {}{}",
        i.short_name(),
        d.message,
        words.map(|w| format!(" {w}")).unwrap_or_default()
    );
    d
}

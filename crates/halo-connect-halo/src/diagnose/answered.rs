//! Answers that did not come from Halo's API or its Authorization Server: a CDN, firewall, web
//! filter or proxy (named, with who can let the caller through), the web server in front of an
//! on-premise Halo (its IP allow-list, its other refusals), Halo's sign-in page; and the Resource
//! Server's answers that are not JSON or not 2xx. Pure functions.

use halo_connect_core::catalogue;
use halo_connect_core::report::Diagnosis;
use halo_connect_core::values::ConnectionSettings;

use super::super::answerer::{
    classify, describe, iis_substatus_meaning, Action, Answerer, Front, WebServer,
};
use super::super::client::Answer;
use super::{not_recognised, rate_limited, server_failure};

/// The diagnosis when something in front of Halo answered a Resource Server call (a CDN, firewall,
/// filter or proxy, the web server's IP refusal, a sign-in page); None when Halo answered or
/// nothing tells. A refusal that may be Halo's own (a Role) is left to the caller.
pub fn in_front(answer: &Answer, settings: &ConnectionSettings) -> Option<Diagnosis> {
    named(answer, &classify(answer), settings, false)
}

/// Names a non-2xx Resource Server answer that is no permission verdict: something in front of
/// Halo, 429, or a 5xx. None leaves the status to the permission and readiness verdicts.
pub fn resource_status(answer: &Answer, settings: &ConnectionSettings) -> Option<Diagnosis> {
    let who = classify(answer);
    if let Some(d) = named(answer, &who, settings, false) {
        return Some(d);
    }
    if answer.status == 429 {
        return Some(rate_limited(answer));
    }
    if answer.status >= 500 {
        return Some(server_failure(answer, halo_message(&who)));
    }
    None
}

/// Names a Resource Server answer that is not JSON (the web interface instead of the API, or
/// whatever else answered).
pub fn resource_not_json(answer: &Answer, settings: &ConnectionSettings) -> Diagnosis {
    let who = classify(answer);
    if let Some(d) = named(answer, &who, settings, true) {
        return d;
    }
    match who {
        Answerer::HaloWeb { .. } => catalogue::HTML_RESOURCE_SERVER.diagnose(
            format!(
                "The Resource Server {} answered a web page of Halo's instead of JSON: it points at Halo's web interface, not its API.",
                settings.resource_server.as_str()
            ),
            &[],
        ),
        Answerer::BrokenJson => not_recognised(answer, "JSON that does not parse"),
        _ if answer.status >= 500 => server_failure(answer, halo_message(&who)),
        _ => not_recognised(answer, "something other than JSON"),
    }
}

pub(super) fn halo_message(who: &Answerer) -> Option<&str> {
    match who {
        Answerer::HaloApi { message } => message.as_deref(),
        _ => None,
    }
}

/// The cause when the answer came from something in front of Halo. `web_server_refusals` also
/// names the web server's own 4xx pages (on the token endpoint, where Halo answers JSON).
pub(super) fn named(
    a: &Answer,
    who: &Answerer,
    settings: &ConnectionSettings,
    web_server_refusals: bool,
) -> Option<Diagnosis> {
    let host = host_of(&a.url);
    let seen = describe(a);
    match who {
        Answerer::Front {
            front,
            action,
            reference,
        } => Some(front_diagnosis(a, *front, *action, reference.as_deref(), &seen)),
        w if w.ip_refused() => {
            let Answerer::WebServer { server, substatus } = w else {
                return None;
            };
            let sub = substatus.unwrap_or_default();
            let meaning = iis_substatus_meaning(a.status, sub).unwrap_or("IP address rejected");
            Some(catalogue::IP_ALLOW_LIST.diagnose(
                format!(
                    "{}, the web server in front of Halo at {host}, refused {} with HTTP {}.{sub} ({meaning}): this is the on-premise IP allow-list, and the address this request came from is not on it.",
                    server.name(),
                    a.url,
                    a.status
                ),
                &[],
            ))
        }
        Answerer::WebServer { server, substatus }
            if web_server_refusals && (400..500).contains(&a.status) && ![404, 405, 429].contains(&a.status) =>
        {
            let sub = substatus
                .and_then(|s| iis_substatus_meaning(a.status, s).map(|m| format!(" (IIS sub-status {}.{s}: {m})", a.status)))
                .unwrap_or_default();
            let sub = if *server == WebServer::HttpSys && a.status == 400 {
                format!("{sub} (no IIS site is bound to the host name {host}: use the address shown in API Details)")
            } else {
                sub
            };
            Some(catalogue::WEB_SERVER_REFUSED.diagnose(
                format!(
                    "{}, the web server in front of Halo at {host}, refused {} before Halo saw it{sub}: {seen}.",
                    server.name(),
                    a.url
                ),
                &[("server", server.name())],
            ))
        }
        Answerer::HaloWeb { sign_in: true } => Some(catalogue::WEB_SIGN_IN.diagnose(
            format!(
                "{} answered with a sign-in page for people where Halo's API was expected: {seen}. Check the Resource Server {} and the Authorization Server {}.",
                a.url,
                settings.resource_server.as_str(),
                settings.auth_server.as_str()
            ),
            &[],
        )),
        _ => None,
    }
}

fn front_diagnosis(
    a: &Answer,
    front: Front,
    action: Action,
    reference: Option<&str>,
    seen: &str,
) -> Diagnosis {
    let host = host_of(&a.url);
    let name = front.name();
    let reference = reference
        .map(|r| format!(", reference {r}"))
        .unwrap_or_default();
    let place = if front.in_front_of_halo() {
        "in front of Halo"
    } else {
        "on the network this request leaves from"
    };
    let who = format!("{} ({place})", capitalised(name));
    let vars = [("front", name), ("host", host.as_str())];
    match action {
        Action::ProxyAuth => {
            let asks = a
                .header("proxy-authenticate")
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            catalogue::PROXY_AUTH.diagnose(
                format!(
                    "{} between this machine and {host} asks for credentials{asks}: HTTP 407 Proxy Authentication Required.",
                    capitalised(name)
                ),
                &vars,
            )
        }
        Action::Challenge => catalogue::FIREWALL_CHALLENGE.diagnose(
            format!(
                "{who} answered {} with a bot challenge (HTTP {}{reference}), which no API client can pass: {seen}.",
                a.url, a.status
            ),
            &vars,
        ),
        Action::Block if front.in_front_of_halo() => catalogue::FIREWALL_BLOCKED.diagnose(
            format!(
                "{who} blocked {} (HTTP {}{reference}): {seen}.",
                a.url, a.status
            ),
            &vars,
        ),
        Action::Block => catalogue::WEB_FILTER.diagnose(
            format!(
                "{who} blocked {} (HTTP {}{reference}): {seen}.",
                a.url, a.status
            ),
            &vars,
        ),
        Action::Error => catalogue::SERVER_ERROR.diagnose(
            format!(
                "{who} could not get an answer from Halo's server behind it for {} (HTTP {} after {} attempt(s){reference}): {seen}.",
                a.url, a.status, a.attempts
            ),
            &[],
        ),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default()
}

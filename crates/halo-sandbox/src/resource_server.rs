//! Halo's Resource Server (`/api`) as the emulator plays it: the open endpoints (authinfo,
//! InstanceInfo, Health), `Agent/me`, and every endpoint of the model as a list (`/X`, with
//! `pageinate`/`page_size`/`page_no`, `count`, `search` and `*id` filters) and as one record
//! (`/X/{id}`), each opened by the scopes the model names. What each scenario changes is named here;
//! the endpoints, shapes and rows come from the model.

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::model::{model, Endpoint, Shape};
use super::pages::{NOT_FOUND_HTML, WEB_UI_HTML};
use super::reply::{empty, form_map, html, json_response, text};
use super::scenario::Scenario;
use super::server::{lock, Shared};
use super::TENANT;

/// Lists the `role-denied` agent's Role cannot open.
const ROLE_DENIED: &[&str] = &["/invoice", "/recurringinvoice", "/clientcontract"];
/// Halo's page size when `pageinate` is given without `page_size` [G].
const DEFAULT_PAGE_SIZE: usize = 50;

/// Answers `/api{sub}`; `sub` is lower-case and without a trailing slash.
pub(crate) fn api(
    st: &Shared,
    scenario: Scenario,
    method: &Method,
    sub: &str,
    query: &str,
    headers: &HeaderMap,
) -> Response {
    if scenario == Scenario::HtmlResourceServer {
        return html(StatusCode::OK, WEB_UI_HTML);
    }
    let m = model();
    if m.is_open(sub) {
        return if method == Method::GET {
            open(st, scenario, sub)
        } else {
            not_allowed()
        };
    }
    let Some(scopes) = bearer_scopes(st, headers) else {
        return unauthorized("invalid_token");
    };
    // A token minted without scopes opens nothing, not even Agent/me.
    if scopes.is_empty() {
        return unauthorized("insufficient_scope");
    }
    if method != Method::GET {
        return not_allowed();
    }
    if sub == "/agent/me" {
        return agent_me(scenario);
    }
    let (collection, id) = match sub.rsplit_once('/') {
        Some((c, id)) if !c.is_empty() => match id.parse::<u64>() {
            Ok(id) => (c, Some(id)),
            Err(_) => (sub, None),
        },
        _ => (sub, None),
    };
    let Some(ep) = m.endpoint(collection) else {
        return html(StatusCode::NOT_FOUND, NOT_FOUND_HTML);
    };
    let opened = ep.opens_with.is_empty() || ep.opens_with.iter().any(|s| m.held_gives(&scopes, s));
    if !opened {
        return if ep.denied == 401 {
            unauthorized("insufficient_scope")
        } else {
            empty(StatusCode::FORBIDDEN)
        };
    }
    if scenario == Scenario::RoleDenied && ROLE_DENIED.contains(&collection) {
        return text(
            StatusCode::FORBIDDEN,
            "You do not have permission to access this area.\n",
        );
    }
    let hidden = matches!(
        (scenario, collection),
        (Scenario::NoRecurringContracts, "/recurringinvoice")
            | (Scenario::NoTeams, "/team")
            | (Scenario::NoAssets, "/asset")
            | (Scenario::ClientRestricted, "/client")
    );
    let rows = if hidden { Vec::new() } else { m.rows(ep) };
    match id {
        Some(id) => match rows.into_iter().find(|r| r["id"] == id) {
            Some(row) => json_response(StatusCode::OK, &row),
            // What Halo answers for an id it does not have is not captured [G].
            None => empty(StatusCode::NOT_FOUND),
        },
        None => list(ep, rows, query),
    }
}

/// The endpoints the OpenAPI document lists without authentication.
fn open(st: &Shared, scenario: Scenario, sub: &str) -> Response {
    let auth_url = if scenario == Scenario::AuthinfoMismatch {
        "https://other.halopsa.com/auth".to_string()
    } else {
        format!("{}/auth", st.base_url)
    };
    let i = &model().instance;
    match sub {
        "/authinfo" => json_response(
            StatusCode::OK,
            &json!({"auth_url": auth_url, "tenant_id": TENANT}),
        ),
        // One note says InstanceInfo wants a token and a readable Role in practice [E, conflicting
        // with the OpenAPI]: the restricted Role of `role-denied` is refused it, so a report
        // shows that a refusal there is no failure.
        "/instanceinfo" if scenario == Scenario::RoleDenied => {
            text(StatusCode::FORBIDDEN, "Forbidden")
        }
        "/instanceinfo" => json_response(
            StatusCode::OK,
            &json!({
                "dbid": i.dbid,
                "app_name": i.app_name,
                "app_version": i.app_version,
                "database_version": i.database_version,
                "agent_url": st.base_url,
                "portal_url": format!("{}/portal", st.base_url),
                "auth_url": auth_url,
            }),
        ),
        _ => text(StatusCode::OK, "Healthy"),
    }
}

fn agent_me(scenario: Scenario) -> Response {
    let a = &model().agent;
    json_response(
        StatusCode::OK,
        &json!({
            "id": a.id,
            "name": a.name,
            "firstname": a.firstname,
            "surname": a.surname,
            "email": a.email,
            "isdisabled": scenario == Scenario::InactiveAgent,
            "is_api_only": true,
            "roles": [{"id": 7, "name": a.role}],
        }),
    )
}

/// A list answer: filtered by `*id` fields and `search`, then paged (`pageinate=true` with
/// `page_size`/`page_no`: `record_count` is the total, as n8n's paging relies on) or capped by
/// `count` (`record_count` is then the capped size, as a live tenant showed).
fn list(ep: &Endpoint, mut rows: Vec<Value>, query: &str) -> Response {
    let q = form_map(query.as_bytes());
    for (k, v) in &q {
        let k = k.to_ascii_lowercase();
        if k.ends_with("id") && rows.first().is_some_and(|r| r.get(&k).is_some()) {
            rows.retain(|r| field_text(&r[&k]).eq_ignore_ascii_case(v.trim()));
        }
    }
    if let Some(term) = q.get("search").map(|s| s.trim().to_ascii_lowercase()) {
        if !term.is_empty() {
            rows.retain(|r| {
                r.as_object().is_some_and(|o| {
                    o.values().any(|v| {
                        v.as_str()
                            .is_some_and(|s| s.to_ascii_lowercase().contains(&term))
                    })
                })
            });
        }
    }
    if ep.shape == Shape::Bare {
        return json_response(StatusCode::OK, &Value::Array(rows));
    }
    let number = |k: &str| q.get(k).and_then(|v| v.trim().parse::<usize>().ok());
    let paging = q
        .get("pageinate")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let total = rows.len();
    let (page, record_count) = if paging {
        let size = number("page_size").unwrap_or(DEFAULT_PAGE_SIZE).max(1);
        let no = number("page_no").unwrap_or(1).max(1);
        let start = size.saturating_mul(no - 1).min(total);
        let end = start.saturating_add(size).min(total);
        (rows[start..end].to_vec(), total)
    } else if let Some(count) = number("count") {
        rows.truncate(count);
        let n = rows.len();
        (rows, n)
    } else {
        (rows, total)
    };
    let mut obj = serde_json::Map::new();
    obj.insert("record_count".into(), json!(record_count));
    obj.insert(ep.list_key.clone(), Value::Array(page));
    json_response(StatusCode::OK, &Value::Object(obj))
}

fn field_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The scopes of a live token from this server, if the request carries one.
fn bearer_scopes(st: &Shared, headers: &HeaderMap) -> Option<Vec<String>> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let tokens = lock(&st.tokens);
    let issued = tokens.get(token.trim())?;
    (issued.expires > std::time::Instant::now()).then(|| issued.scopes.clone())
}

fn unauthorized(error: &'static str) -> Response {
    let mut r = empty(StatusCode::UNAUTHORIZED);
    let challenge = format!("Bearer error=\"{error}\"");
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

fn not_allowed() -> Response {
    let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed\n");
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET"));
    r
}

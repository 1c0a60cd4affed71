//! Halo's Resource Server (`/api`) as the emulator plays it: the open endpoints (authinfo,
//! InstanceInfo, Health), `Agent/me`, and every endpoint of the model as a list (`/X`, with
//! `pageinate`/`page_size`/`page_no`, `count`, `search` and `*id` filters) and as one record
//! (`/X/{id}`), each opened by the scopes the model names. What each scenario changes is named here;
//! the endpoints, shapes and rows come from the model.

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::model::{model, route, Endpoint, RouteAnswer, Shape};
use super::pages::{NOT_FOUND_HTML, WEB_UI_HTML};
use super::reply::{empty, form_map, html, json_response, text};
use super::scenario::Scenario;
use super::server::{lock, Shared};
use super::TENANT;

/// A route of Halo's OpenAPI document that the model does not serve: the minimal answer of its
/// kind [G], so that no route Halo has answers the "no such route" page.
fn documented(answer: RouteAnswer, tag: &str, sub: &str) -> Response {
    let body = match answer {
        RouteAnswer::List => json!([]),
        RouteAnswer::Paged => {
            let key = tag.to_ascii_lowercase();
            let key = if key.ends_with('s') { key } else { key + "s" };
            let mut obj = serde_json::Map::new();
            obj.insert("record_count".into(), json!(0));
            obj.insert(key, json!([]));
            Value::Object(obj)
        }
        RouteAnswer::One => {
            let id = sub.rsplit('/').next().unwrap_or_default();
            match id.parse::<u64>() {
                Ok(n) => json!({ "id": n }),
                Err(_) => json!({ "id": id }),
            }
        }
        RouteAnswer::Object => json!({}),
    };
    json_response(StatusCode::OK, &body)
}

/// Lists the `role-denied` agent's Role cannot open.
const ROLE_DENIED: &[&str] = &["/invoice", "/recurringinvoice", "/clientcontract"];
/// `big-lists`: as many tickets as a reported instance had [E: HaloAPI #90], and assets for three
/// pages of 50.
const BIG_TICKETS: usize = 717;
const BIG_ASSETS: usize = 120;
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
    body: &[u8],
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
    let scopes = match bearer(st, headers) {
        Bearer::Live(scopes) => scopes,
        // An expired or dropped token: Halo answers 400 with "Token not found", not 401
        // [E: n8n #22893, #16857]; the body's shape is not captured [G].
        Bearer::Lost => return text(StatusCode::BAD_REQUEST, "Token not found"),
        Bearer::None => return unauthorized("invalid_token"),
    };
    // A token minted without scopes opens nothing, not even Agent/me.
    if scopes.is_empty() {
        return unauthorized("insufficient_scope");
    }
    if *method == Method::POST || *method == Method::DELETE {
        return write(st, scenario, method, sub, &scopes, body);
    }
    if method != Method::GET {
        return not_allowed();
    }
    if sub == "/agent/me" {
        return agent_me(scenario);
    }
    let (collection, id) = split_id(sub);
    let Some(ep) = m.endpoint(collection) else {
        return match route(sub) {
            Some(r) => documented(r.answer, &r.tag, sub),
            None => html(StatusCode::NOT_FOUND, NOT_FOUND_HTML),
        };
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
    let rows = current_rows(st, scenario, collection, ep);
    match id {
        Some(id) => match rows.into_iter().find(|r| r["id"] == id) {
            Some(row) => json_response(StatusCode::OK, &row),
            // What Halo answers for an id it does not have is not captured [G].
            None => empty(StatusCode::NOT_FOUND),
        },
        None => list(
            ep,
            rows,
            query,
            route(collection).map_or(&[][..], |r| &r.params),
            scenario == Scenario::HugeRecordCount,
        ),
    }
}

/// `/X/{id}` as (`/x`, Some(id)); any other path as (path, None).
fn split_id(sub: &str) -> (&str, Option<u64>) {
    match sub.rsplit_once('/') {
        Some((c, id)) if !c.is_empty() => match id.parse::<u64>() {
            Ok(id) => (c, Some(id)),
            Err(_) => (sub, None),
        },
        _ => (sub, None),
    }
}

/// The rows a collection holds now: the model's (as the scenario shows them), with this run's
/// writes applied.
fn current_rows(st: &Shared, scenario: Scenario, collection: &str, ep: &Endpoint) -> Vec<Value> {
    let m = model();
    let hidden = matches!(
        (scenario, collection),
        (Scenario::NoRecurringContracts, "/recurringinvoice")
            | (Scenario::NoTeams, "/team")
            | (Scenario::NoAssets, "/asset")
            | (Scenario::ClientRestricted, "/client")
    );
    let mut rows = match (scenario, collection) {
        _ if hidden => return Vec::new(),
        (Scenario::BigLists, "/tickets") => m.rows_n(ep, BIG_TICKETS),
        (Scenario::BigLists, "/asset") => m.rows_n(ep, BIG_ASSETS),
        _ => m.rows(ep),
    };
    let writes = lock(&st.writes);
    if let Some(w) = writes.get(collection) {
        rows.retain(|r| {
            r["id"]
                .as_u64()
                .is_none_or(|id| !w.deleted.contains(&id) && !w.records.contains_key(&id))
        });
        rows.extend(w.records.values().cloned());
        rows.sort_by_key(|r| r["id"].as_u64().unwrap_or(0));
    }
    rows
}

/// The areas integrations write, and the scope a write needs [G: edit:X of the area's read scope].
const WRITABLE: &[(&str, &str)] = &[
    ("/client", "edit:customers"),
    ("/site", "edit:customers"),
    ("/users", "edit:customers"),
    ("/tickets", "edit:tickets"),
    ("/actions", "edit:tickets"),
    ("/asset", "edit:assets"),
];

/// Halo's refusal of an id sent as text or a fraction [E: CIPP-API d83a6fb]; 400 [I].
const INVALID_ID: &str = "Please select a valid Client/Site/User";

/// A write, kept in this run's memory: `POST /X` with Halo's array body (a record with a known
/// `id` is changed, any other created) answers the record (an array for several), `DELETE /X/{id}`
/// removes one. Halo's document has no PUT: an update is a POST with the id [E: n8n's node].
fn write(
    st: &Shared,
    scenario: Scenario,
    method: &Method,
    sub: &str,
    scopes: &[String],
    body: &[u8],
) -> Response {
    let (collection, id) = split_id(sub);
    let m = model();
    let (Some(&(_, scope)), Some(ep)) = (
        WRITABLE.iter().find(|(c, _)| *c == collection),
        m.endpoint(collection),
    ) else {
        return not_allowed();
    };
    if !m.held_gives(scopes, scope) {
        return empty(StatusCode::FORBIDDEN);
    }
    let rows = current_rows(st, scenario, collection, ep);
    let exists = |id: u64| rows.iter().any(|r| r["id"] == id);
    match (method.as_str(), id) {
        ("DELETE", Some(id)) if exists(id) => {
            let mut writes = lock(&st.writes);
            let w = writes.entry(collection.to_string()).or_default();
            w.records.remove(&id);
            w.deleted.insert(id);
            empty(StatusCode::OK)
        }
        ("DELETE", Some(_)) => empty(StatusCode::NOT_FOUND),
        ("POST", None) => {
            // Halo's write bodies are arrays of records [E: qmexnetworks 0830c03, n8n's node].
            let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(body) else {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &json!({"ClassName": "System.ArgumentException", "Message": "The request body must be a JSON array of records."}),
                );
            };
            if items.is_empty() || items.iter().any(|i| !i.is_object()) {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &json!({"ClassName": "System.ArgumentException", "Message": "The request body must be a JSON array of records."}),
                );
            }
            let bad_id = items.iter().any(|i| {
                i.as_object().is_some_and(|o| {
                    o.iter().any(|(k, v)| {
                        k.ends_with("_id") && !v.is_null() && !v.is_u64() && !v.is_i64()
                    })
                })
            });
            if bad_id {
                return json_response(StatusCode::BAD_REQUEST, &json!({ "Message": INVALID_ID }));
            }
            let mut next = rows
                .iter()
                .filter_map(|r| r["id"].as_u64())
                .max()
                .unwrap_or(0);
            let mut saved = Vec::new();
            let mut writes = lock(&st.writes);
            let w = writes.entry(collection.to_string()).or_default();
            for item in items {
                let given = item["id"].as_u64().filter(|id| *id > 0 && exists(*id));
                let mut record = match given {
                    Some(id) => rows
                        .iter()
                        .find(|r| r["id"] == id)
                        .cloned()
                        .unwrap_or_default(),
                    None => {
                        next += 1;
                        json!({ "id": next })
                    }
                };
                let id = record["id"].as_u64().unwrap_or(next);
                if let (Some(r), Some(o)) = (record.as_object_mut(), item.as_object()) {
                    for (k, v) in o {
                        if k != "id" {
                            r.insert(k.clone(), v.clone());
                        }
                    }
                }
                w.deleted.remove(&id);
                w.records.insert(id, record.clone());
                saved.push(record);
            }
            match saved.len() {
                1 => json_response(StatusCode::CREATED, &saved[0]),
                _ => json_response(StatusCode::CREATED, &Value::Array(saved)),
            }
        }
        _ => not_allowed(),
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
        "/authinfo" if scenario == Scenario::OnPremise => {
            json_response(StatusCode::OK, &json!({ "auth_url": auth_url }))
        }
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

/// A list answer: filtered by `*id` fields and `search`, then paged. `page_size` and `page_no`
/// count only with `pageinate=true`; every answer is capped at the endpoint's page cap (without
/// `pageinate`, at the model's unpaged cap), whatever is asked. `record_count` is the true total
/// (as n8n's paging relies on), except under `count`, where it is the capped size (as a live
/// tenant showed). A documented `*id` filter the rows cannot answer gives no rows, never every row.
fn list(
    ep: &Endpoint,
    mut rows: Vec<Value>,
    query: &str,
    documented: &[String],
    huge: bool,
) -> Response {
    let lists = &model().lists;
    let q = form_map(query.as_bytes());
    for (k, v) in &q {
        let k = k.to_ascii_lowercase();
        let v = v.trim();
        if !k.ends_with("id") || v.is_empty() || lists.not_filters.contains(&k) {
            continue;
        }
        if rows.first().is_some_and(|r| r.get(&k).is_some()) {
            rows.retain(|r| field_text(&r[&k]).eq_ignore_ascii_case(v));
        } else if v.parse::<i64>().is_ok() && documented.iter().any(|d| d.eq_ignore_ascii_case(&k))
        {
            rows.clear();
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
    let paging = q
        .get("pageinate")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let key = match (ep.shape, &ep.paged_key) {
        (Shape::Bare, Some(key)) if paging => key,
        (Shape::Bare, _) => return json_response(StatusCode::OK, &Value::Array(rows)),
        (Shape::Wrapped, _) => &ep.list_key,
    };
    // A number that is not a positive integer (negative, zero, text) is as if not given [G].
    let number = |k: &str| {
        q.get(k)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n > 0)
    };
    let cap = ep.page_cap.unwrap_or(lists.page_cap).max(1);
    let total = rows.len();
    let (page, record_count) = if paging {
        let size = number("page_size").unwrap_or(DEFAULT_PAGE_SIZE).min(cap);
        let no = number("page_no").unwrap_or(1);
        let start = size.saturating_mul(no - 1).min(total);
        let end = start.saturating_add(size).min(total);
        (rows[start..end].to_vec(), total)
    } else if let Some(count) = number("count") {
        rows.truncate(count.min(cap));
        let n = rows.len();
        (rows, n)
    } else {
        rows.truncate(lists.unpaged_cap.min(cap));
        (rows, total)
    };
    let record_count = if huge {
        i64::MAX as u64
    } else {
        record_count as u64
    };
    let mut obj = serde_json::Map::new();
    obj.insert("record_count".into(), json!(record_count));
    obj.insert(key.clone(), Value::Array(page));
    json_response(StatusCode::OK, &Value::Object(obj))
}

fn field_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

enum Bearer {
    Live(Vec<String>),
    /// A token this server issued and then lost (`token-not-found`).
    Lost,
    None,
}

/// The scopes of a live token from this server, if the request carries one.
fn bearer(st: &Shared, headers: &HeaderMap) -> Bearer {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string())
    else {
        return Bearer::None;
    };
    let tokens = lock(&st.tokens);
    match tokens.get(&token) {
        Some(issued) if issued.lost => Bearer::Lost,
        Some(issued) if issued.expires > std::time::Instant::now() => {
            Bearer::Live(issued.scopes.clone())
        }
        _ => Bearer::None,
    }
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

//! The sandbox's model of Halo (`crates/halo-sandbox/src/halo_model.toml`) against Halo's OpenAPI document: every
//! path it serves exists with a GET (and a GET of one record), its list shape follows the paging
//! parameters the document gives, every field of its rows is a property of the record's schema, and
//! its list keys agree with the document's own names for lists of those records where it has any.
//!
//! The document is 3.6 MB, so the repository keeps two projections of it: the full path list
//! (`tests/data/halo-openapi-paths.txt`) and, for the model's paths, their parameters and schemas
//! (`tests/data/halo-openapi-model.json`). With `HALO_OPENAPI_JSON` naming the document, the
//! projection is checked against it; add `UPDATE_OPENAPI=1` to rewrite it after the model grows.
//!
//! The client's probes are checked against the sandbox here too: a probe path the sandbox does not
//! serve would make every test against it meaningless.

use std::collections::{BTreeMap, BTreeSet};

use halo_connect::domain::scope::{AGENT_ME_PATH, AUTHINFO_PATH, PROBES, RECURRING_PATH};
use halo_connect::sandbox::model::{model, Shape};
use serde_json::{json, Value};

const PATHS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/halo-openapi-paths.txt"
));
/// The list parameters the sandbox honours (besides `*id` filters).
const HONOURED: &[&str] = &["count", "page_no", "page_size", "pageinate", "search"];
const PROJECTION_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/halo-openapi-model.json"
);

fn projection() -> Value {
    let text =
        std::fs::read_to_string(PROJECTION_FILE).expect("tests/data/halo-openapi-model.json");
    serde_json::from_str(&text).expect("the projection is JSON")
}

fn listed_methods(path: &str) -> Option<String> {
    PATHS
        .lines()
        .filter_map(|l| l.split_once(' '))
        .find(|(p, _)| p.eq_ignore_ascii_case(path))
        .map(|(_, m)| m.to_string())
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The model's paths: its endpoints and the open ones.
fn model_paths() -> Vec<String> {
    let m = model();
    m.endpoint
        .iter()
        .map(|e| e.path.clone())
        .chain(m.open.paths.iter().cloned())
        .collect()
}

#[test]
fn every_path_the_sandbox_serves_is_in_halos_openapi_document() {
    let mut checked = 0;
    for p in model_paths() {
        let methods = listed_methods(&p).unwrap_or_else(|| panic!("{p} is not in the document"));
        assert!(methods.split(',').any(|m| m == "GET"), "{p} has no GET");
        checked += 1;
    }
    for e in &model().endpoint {
        let one = format!("{}/{{id}}", e.path);
        let methods =
            listed_methods(&one).unwrap_or_else(|| panic!("{one} is not in the document"));
        assert!(methods.split(',').any(|m| m == "GET"), "{one} has no GET");
    }
    assert!(checked >= 29, "only {checked} paths");
}

#[test]
fn list_shapes_follow_the_documents_paging_parameters() {
    let doc = projection();
    for e in &model().endpoint {
        let params = strings(&doc["paths"][&e.path]["get_params"]);
        let pages = params.iter().any(|p| p == "count" || p == "page_no");
        let wrapped = e.shape == Shape::Wrapped;
        assert_eq!(
            wrapped,
            pages,
            "{}: the document's parameters {params:?} say {} list",
            e.path,
            if pages {
                "a paged (wrapped)"
            } else {
                "an unpaged (bare)"
            }
        );
    }
}

#[test]
fn every_field_of_every_row_is_in_the_records_schema() {
    let doc = projection();
    let m = model();
    for e in &m.endpoint {
        let post = doc["paths"][&e.path]["post_schema"].as_str();
        if let Some(post) = post {
            assert_eq!(e.schema, post, "{}: the document's record schema", e.path);
        }
        let props: BTreeSet<String> = strings(&doc["schemas"][&e.schema]["properties"])
            .into_iter()
            .collect();
        assert!(
            !props.is_empty(),
            "{}: schema {} is not in the document",
            e.path,
            e.schema
        );
        for row in m.rows(e) {
            for k in row.as_object().unwrap().keys() {
                assert!(
                    props.contains(k),
                    "{}: {k} is not a property of {}",
                    e.path,
                    e.schema
                );
            }
        }
    }
}

#[test]
fn list_keys_agree_with_the_documents_names_for_such_lists() {
    // The document gives no response schemas, so a list key can only be checked where the document
    // names a list of the same records elsewhere (ContractHeader.sites holds Site_List, ...). Where it
    // names none that way, the model must name its own evidence for the key.
    let doc = projection();
    let mut confirmed = 0;
    // A bare list has no key in the answer.
    for e in model()
        .endpoint
        .iter()
        .filter(|e| e.shape == Shape::Wrapped)
    {
        let names = strings(&doc["schemas"][&e.schema]["listed_as"]);
        if names.contains(&e.list_key) {
            confirmed += 1;
        } else {
            assert!(
                e.evidence.contains("ResourceType") || e.evidence.contains("key"),
                "{}: the document never calls a list of {} {:?} ({names:?}), and the model names no other evidence",
                e.path,
                e.schema,
                e.list_key
            );
        }
    }
    assert!(
        confirmed >= 6,
        "only {confirmed} list keys confirmed by the document"
    );
}

#[test]
fn the_open_endpoints_state_no_authentication() {
    let doc = projection();
    for p in &model().open.paths {
        assert_eq!(
            doc["paths"][p]["requires_authentication"], false,
            "{p}: the document says it requires authentication"
        );
    }
    for e in &model().endpoint {
        let stated = &doc["paths"][&e.path]["requires_authentication"];
        // /Timesheet's GET has no description at all; every other list says so.
        assert!(stated == true || e.path == "/Timesheet", "{}", e.path);
    }
}

#[test]
fn the_sandbox_serves_every_read_the_client_makes() {
    let m = model();
    for p in PROBES {
        let ep = m
            .endpoint(&p.path.to_ascii_lowercase())
            .unwrap_or_else(|| panic!("the sandbox does not serve the probe {}", p.path));
        assert!(
            ep.opens_with.iter().any(|s| s == p.scope),
            "{}: the probe proves {}, the sandbox opens it with {:?}",
            p.path,
            p.scope,
            ep.opens_with
        );
    }
    assert!(m.endpoint(&RECURRING_PATH.to_ascii_lowercase()).is_some());
    assert!(m.is_open(&AUTHINFO_PATH.to_ascii_lowercase()));
    assert_eq!(AGENT_ME_PATH.to_ascii_lowercase(), "/agent/me");
}

/// Projects the OpenAPI document onto the model's paths.
fn project(doc: &Value) -> Value {
    let paths = doc["paths"].as_object().expect("paths");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let m = model();
    let mut out_paths = BTreeMap::new();
    for p in model_paths() {
        let (key, item) = paths
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&p))
            .unwrap_or_else(|| panic!("{p} is not in the document"));
        let get = &item["get"];
        let mut params: Vec<String> = get["parameters"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|x| x["in"] == "query")
                    .filter_map(|x| x["name"].as_str().map(str::to_string))
                    .filter(|n| HONOURED.contains(&n.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        params.sort();
        let body = &item["post"]["requestBody"]["content"]["application/json"]["schema"];
        let post = body["items"]["$ref"]
            .as_str()
            .or(body["$ref"].as_str())
            .map(|r| r.rsplit('/').next().unwrap_or(r).to_string());
        let id_get = paths
            .get(&format!("{key}/{{id}}"))
            .is_some_and(|i| i.get("get").is_some());
        out_paths.insert(
            p.clone(),
            json!({
                "get_params": params,
                "id_get": id_get,
                "post_schema": post,
                "requires_authentication": get["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("Requires authentication")),
            }),
        );
    }
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in &m.endpoint {
        let fields = used.entry(e.schema.clone()).or_default();
        for row in m.rows(e) {
            fields.extend(row.as_object().unwrap().keys().cloned());
        }
    }
    let mut out_schemas = BTreeMap::new();
    for (s, fields) in used {
        let props: Vec<String> = schemas
            .get(&s)
            .and_then(|x| x["properties"].as_object())
            .map(|o| o.keys().filter(|k| fields.contains(*k)).cloned().collect())
            .unwrap_or_default();
        let base = s.trim_end_matches("_List").to_string();
        let family = [base.clone(), format!("{base}_List")];
        let mut listed: BTreeSet<String> = BTreeSet::new();
        for other in schemas.values() {
            let Some(o) = other["properties"].as_object() else {
                continue;
            };
            for (name, prop) in o {
                let item = prop["items"]["$ref"].as_str().unwrap_or_default();
                if prop["type"] == "array"
                    && family.iter().any(|f| item.ends_with(&format!("/{f}")))
                {
                    listed.insert(name.clone());
                }
            }
        }
        out_schemas.insert(s, json!({"properties": props, "listed_as": listed}));
    }
    json!({
        "about": "A projection of Halo's OpenAPI document (Halo API v2, 808 paths) onto what the sandbox's model serves: for each path, the GET query parameters the sandbox honours, whether one record has a GET, the POST body's schema and whether the GET says it requires authentication; for each record schema, which of the model's fields are its properties and the names the document gives to arrays of it. Regenerate: HALO_OPENAPI_JSON=path/to/halo-openapi.json UPDATE_OPENAPI=1 cargo test --test sandbox_model",
        "paths": out_paths,
        "schemas": out_schemas,
    })
}

#[test]
fn the_projection_matches_the_openapi_document_when_given() {
    let Ok(path) = std::env::var("HALO_OPENAPI_JSON") else {
        eprintln!("HALO_OPENAPI_JSON is not set; the vendored projection stands alone");
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).expect("the OpenAPI document is JSON");
    let want = project(&doc);
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        let text = serde_json::to_string_pretty(&want).unwrap() + "\n";
        std::fs::write(PROJECTION_FILE, text).unwrap();
    }
    assert!(
        projection() == want,
        "tests/data/halo-openapi-model.json is stale: rerun with UPDATE_OPENAPI=1"
    );
    let count = doc["paths"].as_object().unwrap().len();
    assert_eq!(
        count,
        PATHS.lines().count(),
        "regenerate tests/data/halo-openapi-paths.txt"
    );
}

/// The sandbox's route table, generated from the document (`crates/halo-sandbox/src/halo_routes.json`).
const ROUTES_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/crates/halo-sandbox/src/halo_routes.json"
);

/// Every GET route of the document with the minimal answer the sandbox gives where its model has
/// no endpoint: one record for `/X/{id}`, a list for "List of" (paged where the document gives
/// paging parameters) and for a path with a `/{id}` child, an object otherwise.
fn route_table(doc: &Value) -> String {
    let paths = doc["paths"].as_object().expect("paths");
    let mut lines = Vec::new();
    for (path, item) in paths {
        let get = &item["get"];
        if get.is_null() {
            continue;
        }
        let params: Vec<String> = get["parameters"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|x| x["in"] == "query")
                    .filter_map(|x| x["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let last = path.rsplit('/').next().unwrap_or_default();
        let child = paths.keys().any(|k| {
            k.strip_prefix(path.as_str())
                .and_then(|rest| rest.strip_prefix("/{"))
                .is_some_and(|rest| rest.ends_with('}') && !rest.contains('/'))
        });
        let listed = get["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("List of"));
        let answer = if last.starts_with('{') {
            "one"
        } else if listed || child {
            if params.iter().any(|p| p == "count" || p == "page_no") {
                "paged"
            } else {
                "list"
            }
        } else {
            "object"
        };
        let tag = get["tags"][0].as_str().unwrap_or_default();
        let mut route = json!({"path": path, "answer": answer, "tag": tag});
        if matches!(answer, "paged" | "list") && !params.is_empty() {
            let mut params = params;
            params.sort();
            params.dedup();
            route["params"] = json!(params);
        }
        lines.push(route.to_string());
    }
    format!(
        "{{\"about\": {},\n\"routes\": [\n{}\n]}}\n",
        json!("Every GET route of Halo's OpenAPI document (Halo API v2, 808 paths) and the minimal answer the sandbox gives where its model has no endpoint [G]: one record for /X/{id}, a list for a \"List of\" route or a path with a /{id} child (paged where the document gives count or page_no), an object otherwise; a list's query parameters are the filters Halo documents. Regenerate: HALO_OPENAPI_JSON=path/to/halo-openapi.json UPDATE_OPENAPI=1 cargo test --test it sandbox_model"),
        lines.join(",\n")
    )
}

#[test]
fn the_route_table_lists_every_get_route_of_the_document() {
    use halo_connect::sandbox::model::{route, routes};
    let listed: BTreeSet<String> = PATHS
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, m)| m.split(',').any(|m| m == "GET"))
        .map(|(p, _)| p.to_string())
        .collect();
    let served: BTreeSet<String> = routes().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        listed, served,
        "regenerate crates/halo-sandbox/src/halo_routes.json"
    );
    assert!(served.len() >= 600, "{}", served.len());
    // A literal segment wins over a parameter; a path Halo lacks matches nothing.
    assert_eq!(route("/asset/nexttag").unwrap().path, "/Asset/NextTag");
    assert_eq!(route("/asset/7").unwrap().path, "/Asset/{id}");
    assert_eq!(
        route("/reportdata/abc").unwrap().path,
        "/ReportData/{publishedid}"
    );
    assert!(route("/tickets/1/actions").is_none());
    assert!(route("/kbarticleanon/some-slug").is_none());
}

#[test]
fn the_route_table_matches_the_openapi_document_when_given() {
    let Ok(path) = std::env::var("HALO_OPENAPI_JSON") else {
        eprintln!("HALO_OPENAPI_JSON is not set; the vendored route table stands alone");
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).expect("the OpenAPI document is JSON");
    let want = route_table(&doc);
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(ROUTES_FILE, &want).unwrap();
    }
    let have = std::fs::read_to_string(ROUTES_FILE).unwrap_or_default();
    assert!(
        have == want,
        "crates/halo-sandbox/src/halo_routes.json is stale: rerun with UPDATE_OPENAPI=1"
    );
}

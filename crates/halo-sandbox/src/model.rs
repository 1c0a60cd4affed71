//! The emulator's own model of HaloPSA, parsed once from the embedded `halo_model.toml`: the scopes
//! Halo knows, what each meta scope covers, which endpoint each scope opens, the rows it serves and
//! the token endpoint's error answers. It must never borrow halo-connect's client tables
//! (`domain::scope`): the client is tested against this model, so sharing would prove nothing.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

const MODEL_TOML: &str = include_str!("halo_model.toml");
/// Every GET route of Halo's OpenAPI document, generated from it (tests/it/sandbox_model.rs).
const ROUTES_JSON: &str = include_str!("halo_routes.json");

/// How a route of the document that the model does not serve answers: a minimal answer of its
/// kind, tagged [G] (the document gives no response schemas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RouteAnswer {
    /// A list with paging parameters: `{"record_count": 0, "<tag>s": []}`.
    Paged,
    /// A list without them: `[]`.
    List,
    /// One record (`/X/{id}`): `{"id": <id>}`.
    One,
    /// Anything else (`/Client/me`, `/Asset/NextTag`): `{}`.
    Object,
}

/// One GET route of Halo's OpenAPI document.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// As the document spells it, `{name}` for a path parameter.
    pub path: String,
    pub answer: RouteAnswer,
    /// The document's tag (the record type's name).
    pub tag: String,
    /// The GET's query parameters, for lists (the filters Halo documents).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RouteFile {
    routes: Vec<Route>,
}

/// Every GET route of Halo's OpenAPI document, as the embedded `halo_routes.json` lists them.
pub fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| match serde_json::from_str::<RouteFile>(ROUTES_JSON) {
        Ok(f) => f.routes,
        Err(e) => panic!("crates/halo-sandbox/src/halo_routes.json does not parse: {e}"),
    })
}

/// The document's route for a lower-case path under `/api`: segments compared case-insensitively,
/// a `{name}` segment matching any one segment; a literal segment wins over a parameter.
pub fn route(lower_path: &str) -> Option<&'static Route> {
    let want: Vec<&str> = lower_path.trim_matches('/').split('/').collect();
    let score = |r: &Route| -> Option<usize> {
        let have: Vec<&str> = r.path.trim_matches('/').split('/').collect();
        if have.len() != want.len() {
            return None;
        }
        let mut literal = 0;
        for (h, w) in have.iter().zip(&want) {
            if h.starts_with('{') && h.ends_with('}') {
                if w.is_empty() {
                    return None;
                }
            } else if h.eq_ignore_ascii_case(w) {
                literal += 1;
            } else {
                return None;
            }
        }
        Some(literal)
    };
    routes()
        .iter()
        .filter_map(|r| score(r).map(|s| (s, r)))
        .max_by_key(|(s, _)| *s)
        .map(|(_, r)| r)
}

/// The whole model, as the TOML file spells it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HaloModel {
    pub instance: Instance,
    pub agent: Agent,
    pub scopes: Scopes,
    pub meta: Vec<Meta>,
    pub endpoint: Vec<Endpoint>,
    pub open: Open,
    pub lists: Lists,
    pub errors: BTreeMap<String, OAuthErrorShape>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub app_name: String,
    pub app_version: String,
    pub database_version: String,
    pub dbid: String,
    pub token_lifetime: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    pub id: u64,
    pub name: String,
    pub firstname: String,
    pub surname: String,
    pub email: String,
    pub role: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scopes {
    pub areas: Vec<String>,
    pub others: Vec<String>,
    pub with_every_application: Vec<String>,
}

/// How Halo may answer a request naming specific scopes when the application has a meta scope
/// ticked. Unknown (tagged G in `halo_model.toml`), so the sandbox can answer each way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetaAnswer {
    /// The token's scope names the ticked meta scope itself.
    #[default]
    Literal,
    /// The token's scope lists the requested scopes the meta scope covers.
    Expanded,
    /// The request is refused; only a request for `all` gets a token.
    Refused,
}

impl MetaAnswer {
    pub const ALL: &'static [MetaAnswer] = &[
        MetaAnswer::Literal,
        MetaAnswer::Expanded,
        MetaAnswer::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MetaAnswer::Literal => "literal",
            MetaAnswer::Expanded => "expanded",
            MetaAnswer::Refused => "refused",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub name: String,
    pub tag: String,
    pub evidence: String,
    /// Scope names, or `prefix:*` for every known scope with that prefix.
    pub covers: Vec<String>,
    pub answers: Vec<MetaAnswer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// `{"record_count": N, "<list_key>": [...]}`.
    Wrapped,
    /// A JSON array.
    Bare,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub path: String,
    pub opens_with: Vec<String>,
    pub list_key: String,
    pub shape: Shape,
    pub denied: u16,
    pub schema: String,
    pub tag: String,
    pub evidence: String,
    /// The most rows one answer carries, whatever `page_size` or `count` asks (the model's
    /// `[lists] page_cap` when not given).
    #[serde(default)]
    pub page_cap: Option<usize>,
    /// The key of a paged answer (`pageinate=true`) of a list that is bare when not paged.
    #[serde(default)]
    pub paged_key: Option<String>,
    #[serde(default)]
    pub records: usize,
    #[serde(default)]
    pub fields: BTreeMap<String, toml::Value>,
    #[serde(default)]
    pub rows: Vec<BTreeMap<String, toml::Value>>,
}

/// How Halo caps list answers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lists {
    /// Rows per answer of a paged list (`pageinate=true`) without its own cap.
    pub page_cap: usize,
    /// Rows per answer when `pageinate=true` is not sent (`page_size`/`page_no` ignored).
    pub unpaged_cap: usize,
    /// Query parameters that change no rows (never a filter).
    pub not_filters: Vec<String>,
    pub tag: String,
    pub evidence: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open {
    pub paths: Vec<String>,
    pub tag: String,
    pub evidence: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthErrorShape {
    pub status: u16,
    pub error: String,
    pub description: String,
    #[serde(default)]
    pub uri: Option<String>,
    pub tag: String,
    pub evidence: String,
}

/// The parsed model. The file is part of the binary, so a parse error is a build defect that the
/// unit tests catch before anything ships.
pub fn model() -> &'static HaloModel {
    static MODEL: OnceLock<HaloModel> = OnceLock::new();
    MODEL.get_or_init(|| match toml::from_str(MODEL_TOML) {
        Ok(m) => m,
        Err(e) => panic!("crates/halo-sandbox/src/halo_model.toml does not parse: {e}"),
    })
}

impl HaloModel {
    /// Returns whether Halo knows this scope name (case-sensitive).
    pub fn knows(&self, scope: &str) -> bool {
        if self.meta.iter().any(|m| m.name == scope)
            || self.scopes.others.iter().any(|s| s == scope)
        {
            return true;
        }
        match scope.split_once(':') {
            Some(("read", area)) | Some(("edit", area)) => {
                self.scopes.areas.iter().any(|a| a == area)
            }
            _ => false,
        }
    }

    pub fn meta(&self, name: &str) -> Option<&Meta> {
        self.meta.iter().find(|m| m.name == name)
    }

    /// Every concrete scope name (no meta scope): the read/edit pairs and the others.
    pub fn concrete_scopes(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .scopes
            .areas
            .iter()
            .flat_map(|a| [format!("read:{a}"), format!("edit:{a}")])
            .collect();
        v.extend(self.scopes.others.iter().cloned());
        v
    }

    /// Returns whether one granted or ticked scope gives `wanted`: the same name, `edit:X` for
    /// `read:X`, or a meta scope that covers it.
    pub fn gives(&self, held: &str, wanted: &str) -> bool {
        if held == wanted {
            return true;
        }
        if let (Some(area), Some(edit)) = (wanted.strip_prefix("read:"), held.strip_prefix("edit:"))
        {
            if area == edit {
                return true;
            }
        }
        self.meta(held).is_some_and(|m| {
            m.covers.iter().any(|c| match c.strip_suffix('*') {
                Some(prefix) => wanted.starts_with(prefix) && self.meta(wanted).is_none(),
                None => c == wanted,
            })
        })
    }

    /// Returns whether a list of held scopes gives `wanted`.
    pub fn held_gives(&self, held: &[String], wanted: &str) -> bool {
        held.iter().any(|h| self.gives(h, wanted))
    }

    /// The concrete scopes a ticked list amounts to, meta scopes written out.
    pub fn expand(&self, ticked: &[String]) -> Vec<String> {
        let is_meta = |t: &String| self.meta(t).is_some();
        let mut wanted: Vec<String> = ticked.iter().filter(|t| !is_meta(t)).cloned().collect();
        let metas = self.meta.iter().map(|m| m.name.clone());
        for s in self.concrete_scopes().into_iter().chain(metas) {
            if ticked
                .iter()
                .any(|t| t != &s && is_meta(t) && self.gives(t, &s))
            {
                wanted.push(s);
            }
        }
        // A meta scope that covers nothing else (admin:webhooks, all:teams) is a scope in its own right.
        for t in ticked {
            if self.meta(t).is_some_and(|m| m.covers.is_empty()) {
                wanted.push(t.clone());
            }
        }
        let mut out: Vec<String> = Vec::new();
        for s in wanted {
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }

    /// Finds the endpoint for a lower-case path under `/api`.
    pub fn endpoint(&self, lower_path: &str) -> Option<&Endpoint> {
        self.endpoint
            .iter()
            .find(|e| e.path.eq_ignore_ascii_case(lower_path))
    }

    pub fn is_open(&self, lower_path: &str) -> bool {
        self.open
            .paths
            .iter()
            .any(|p| p.eq_ignore_ascii_case(lower_path))
    }

    pub fn error(&self, key: &str) -> &OAuthErrorShape {
        match self.errors.get(key) {
            Some(e) => e,
            None => panic!("halo_model.toml has no [errors.{key}]"),
        }
    }

    /// The rows an endpoint serves, in id order.
    pub fn rows(&self, ep: &Endpoint) -> Vec<Value> {
        self.rows_n(ep, ep.records)
    }

    /// `n` rows made from the endpoint's `fields` (its explicit `rows` when it has them).
    pub fn rows_n(&self, ep: &Endpoint, n: usize) -> Vec<Value> {
        if !ep.rows.is_empty() {
            return ep.rows.iter().map(to_json).collect();
        }
        (1..=n)
            .map(|n| {
                let mut row = serde_json::Map::new();
                row.insert("id".into(), Value::from(n));
                for (k, v) in &ep.fields {
                    row.insert(k.clone(), self.fill(v, n));
                }
                Value::Object(row)
            })
            .collect()
    }

    fn fill(&self, v: &toml::Value, n: usize) -> Value {
        let customers = self.endpoint("/Client").map_or(1, |c| c.records.max(1));
        let client = (n - 1) % customers + 1;
        match v {
            toml::Value::String(s) if s == "{client}" => Value::from(client),
            toml::Value::String(s) if s == "{n}" => Value::from(n),
            toml::Value::String(s) if s == "{client_name}" => {
                Value::from(format!("Sandbox Client {client}"))
            }
            toml::Value::String(s) => Value::from(s.replace("{n}", &n.to_string())),
            other => toml_to_json(other),
        }
    }
}

fn to_json(row: &BTreeMap<String, toml::Value>) -> Value {
    Value::Object(
        row.iter()
            .map(|(k, v)| (k.clone(), toml_to_json(v)))
            .collect(),
    )
}

fn toml_to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::from(s.as_str()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::from(*b),
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_parses_and_is_consistent() {
        let m = model();
        assert!(m.endpoint.len() >= 25);
        for e in &m.endpoint {
            assert!(e.path.starts_with('/'), "{}", e.path);
            assert!(matches!(e.denied, 401 | 403), "{}", e.path);
            assert!(
                !e.rows.is_empty() || e.records > 0,
                "{} serves nothing",
                e.path
            );
            for s in &e.opens_with {
                assert!(m.knows(s), "{}: {s} is not a scope", e.path);
            }
            assert!(m.rows(e).iter().all(|r| r["id"].is_u64()), "{}", e.path);
        }
        for meta in &m.meta {
            assert!(matches!(meta.tag.as_str(), "E" | "I" | "G"));
            assert!(meta.answers.contains(&MetaAnswer::Literal), "{}", meta.name);
            assert!(!meta.evidence.is_empty());
            for c in &meta.covers {
                let name = c.strip_suffix('*').unwrap_or(c);
                assert!(
                    c.ends_with('*') || m.knows(name),
                    "{}: covers unknown {c}",
                    meta.name
                );
            }
        }
        for s in &m.scopes.with_every_application {
            assert!(m.scopes.others.contains(s), "{s}");
        }
        for e in m.errors.values() {
            assert!(matches!(e.tag.as_str(), "E" | "I" | "G"));
            assert!(!e.description.to_ascii_lowercase().contains("tenant"));
        }
    }

    #[test]
    fn scope_rules() {
        let m = model();
        for ok in [
            "read:events",
            "openid",
            "offline_access",
            "roles",
            "all:standard",
            "edit:kb",
        ] {
            assert!(m.knows(ok), "{ok}");
        }
        for bad in [
            "read:actions",
            "read:sites",
            "write:tickets",
            "edit:events",
            "all:",
        ] {
            assert!(!m.knows(bad), "{bad}");
        }
        assert!(m.gives("edit:items", "read:items"));
        assert!(!m.gives("read:items", "edit:items"));
        assert!(m.gives("all", "edit:invoices"));
        assert!(m.gives("all", "admin:webhooks"));
        assert!(!m.gives("all", "all:teams"));
        assert!(m.gives("all:standard", "read:customers"));
        assert!(!m.gives("all:standard", "admin:webhooks"));
        assert!(!m.gives("all:standard", "all"));
        assert!(m.gives("admin", "admin:webhooks"));
        assert!(!m.gives("admin", "read:tickets"));
        let x = m.expand(&["all:standard".to_string(), "all:teams".to_string()]);
        assert!(x.contains(&"edit:invoices".to_string()) && x.contains(&"all:teams".to_string()));
        assert!(!x
            .iter()
            .any(|s| s == "all:standard" || s == "admin:webhooks"));
    }

    #[test]
    fn rows_are_numbered_and_point_at_customers() {
        let m = model();
        let sites = m.rows(m.endpoint("/site").unwrap());
        assert_eq!(sites.len(), 12);
        assert_eq!(sites[2]["name"], "Sandbox Site 3");
        assert_eq!(sites[2]["client_id"], 3);
        assert_eq!(sites[2]["client_name"], "Sandbox Client 3");
        let agents = m.rows(m.endpoint("/agent").unwrap());
        assert!(agents.iter().any(|a| a["id"] == m.agent.id));
    }
}
